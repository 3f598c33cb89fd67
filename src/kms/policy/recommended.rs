//! The recommended policy: the current one kept, seed 000's statements added or repaired.

use serde_json::{Map, Value, json};

use super::*;

/// The recommended policy: the current statements kept (key administration above all), seed 000's
/// statements added or repaired in place, public unconditioned grants removed. With no current
/// policy, starts from the AWS default key policy.
pub fn recommended_policy(
    current: Option<&str>,
    target: &PolicyTarget,
) -> Result<String, PolicyError> {
    let (mut doc, raw, stmts) = match current {
        Some(p) => parse_statements(p)?,
        None => (
            json!({ "Version": "2012-10-17", "Id": "key-default-1" }),
            Vec::new(),
            Vec::new(),
        ),
    };
    let checked = check(&stmts, target);
    let flagged = |i: usize| {
        checked
            .findings
            .iter()
            .any(|f| f.statement_index == Some(i))
    };

    let mut placed: Vec<Requirement> = Vec::new();
    let mut out: Vec<Value> = Vec::new();
    for (s, v) in stmts.iter().zip(raw) {
        let ours = Requirement::ALL
            .iter()
            .copied()
            .find(|r| s.sid.as_deref() == Some(r.sid()));
        let dedicated_service = s.allow
            && !s.not_principal
            && s.for_service()
            && s.aws.is_empty()
            && s.services.len() == 1
            && !s.broad_action();
        let dedicated_caller = s.allow
            && !s.open_principal()
            && s.services.is_empty()
            && !s.aws.is_empty()
            && s.aws.iter().all(|p| same_principal(p, &target.caller))
            && !s.not_action
            && s.actions.iter().all(|a| {
                ["kms:describekey", "kms:generatedatakey", "kms:decrypt"].contains(&a.as_str())
            });
        let repair = match ours {
            Some(r) => Some(r),
            None if dedicated_service && flagged(s.index) => Some(Requirement::ServicePrincipal),
            None if dedicated_caller && flagged(s.index) => Some(Requirement::CallerCryptoOps),
            None => None,
        };
        if let Some(r) = repair {
            if !placed.contains(&r) {
                placed.push(r);
                out.push(r.statement(target));
            }
            continue;
        }
        if s.allow && s.open_principal() && s.conditions.is_empty() {
            continue;
        }
        out.push(v);
    }
    let kept: Vec<Stmt> = out
        .iter()
        .enumerate()
        .map(|(i, v)| Stmt::parse(i, v))
        .collect();
    let now = check(&kept, target);
    for r in Requirement::ALL {
        if !placed.contains(&r) && !now.satisfied.iter().any(|(q, ok)| *q == r && *ok) {
            out.push(r.statement(target));
        }
    }
    if now
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::LockoutRisk)
    {
        out.insert(0, root_statement(target.partition(), &target.account));
    }
    let obj = doc.as_object_mut().expect("a policy document is an object");
    if !obj.contains_key("Version") {
        let mut m = Map::new();
        m.insert("Version".into(), json!("2012-10-17"));
        m.extend(std::mem::take(obj));
        *obj = m;
    }
    obj.insert("Statement".into(), Value::Array(out));
    Ok(serde_json::to_string_pretty(&doc).expect("JSON values always serialise"))
}
