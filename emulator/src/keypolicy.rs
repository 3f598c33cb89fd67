//! The emulator's own key-policy evaluator: just enough IAM policy semantics for KMS key policies
//! (principal AWS/Service, actions with wildcards, Allow/Deny, the string and ARN condition operators).

use std::collections::BTreeMap;

use serde_json::Value;

#[derive(Debug, Clone)]
pub enum Who {
    /// An IAM role (or user) ARN in `account`.
    Aws {
        arn: String,
        account: String,
    },
    Service(String),
}

#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub who: Who,
    pub action: &'a str,
    /// Condition keys available to this request (`kms:EncryptionContext:…`, `aws:SourceArn`, …).
    pub context: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    ExplicitDeny(Option<String>),
    ImplicitDeny,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        *self == Decision::Allow
    }
}

pub fn evaluate(policy: &str, req: &Request) -> Decision {
    let Ok(doc) = serde_json::from_str::<Value>(policy) else {
        return Decision::ImplicitDeny;
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => return Decision::ImplicitDeny,
    };
    let mut allowed = false;
    for st in &statements {
        if !principal_matches(st.get("Principal"), &req.who)
            || !action_matches(st, req.action)
            || !conditions_match(st.get("Condition"), &req.context)
        {
            continue;
        }
        match st.get("Effect").and_then(Value::as_str) {
            Some("Deny") => {
                return Decision::ExplicitDeny(
                    st.get("Sid").and_then(Value::as_str).map(str::to_string),
                );
            }
            Some("Allow") => allowed = true,
            _ => {}
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Some(Value::Bool(b)) => vec![b.to_string()],
        Some(Value::Number(n)) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

fn principal_matches(p: Option<&Value>, who: &Who) -> bool {
    match p {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(m)) => match who {
            Who::Aws { arn, account } => strings(m.get("AWS")).iter().any(|p| {
                p == "*"
                    || p == arn
                    || p == account
                    || *p == format!("arn:aws:iam::{account}:root")
                    || assumed_role_matches(p, arn)
            }),
            Who::Service(svc) => strings(m.get("Service")).iter().any(|p| p == svc),
        },
        _ => false,
    }
}

/// `arn:aws:iam::A:role/R` in a policy also names the sessions of that role.
fn assumed_role_matches(policy_arn: &str, caller: &str) -> bool {
    let Some((acct, role)) = caller
        .strip_prefix("arn:aws:sts::")
        .and_then(|r| r.split_once(":assumed-role/"))
    else {
        return false;
    };
    let role = role.split('/').next().unwrap_or_default();
    policy_arn == format!("arn:aws:iam::{acct}:role/{role}")
}

fn action_matches(st: &Value, action: &str) -> bool {
    if let Some(a) = st.get("Action") {
        return strings(Some(a))
            .iter()
            .any(|p| glob(&p.to_ascii_lowercase(), &action.to_ascii_lowercase()));
    }
    if let Some(na) = st.get("NotAction") {
        return !strings(Some(na))
            .iter()
            .any(|p| glob(&p.to_ascii_lowercase(), &action.to_ascii_lowercase()));
    }
    false
}

fn conditions_match(cond: Option<&Value>, ctx: &BTreeMap<String, String>) -> bool {
    let Some(Value::Object(ops)) = cond else {
        return cond.is_none();
    };
    ops.iter().all(|(op, kvs)| {
        let Value::Object(kvs) = kvs else {
            return false;
        };
        let op = op.rsplit(':').next().unwrap_or(op);
        let (op, if_exists) = match op.strip_suffix("IfExists") {
            Some(o) => (o, true),
            None => (op, false),
        };
        kvs.iter().all(|(key, expected)| {
            let expected = strings(Some(expected));
            let actual = ctx
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v);
            let Some(actual) = actual else {
                return if_exists || op.contains("Not");
            };
            match op {
                "StringEquals" | "ArnEquals" => expected.iter().any(|e| e == actual),
                "StringEqualsIgnoreCase" => expected.iter().any(|e| e.eq_ignore_ascii_case(actual)),
                "StringNotEquals" | "ArnNotEquals" => !expected.iter().any(|e| e == actual),
                "StringLike" | "ArnLike" => expected.iter().any(|e| glob(e, actual)),
                "StringNotLike" | "ArnNotLike" => !expected.iter().any(|e| glob(e, actual)),
                _ => false,
            }
        })
    })
}

/// IAM wildcard match: `*` any run of characters, `?` exactly one.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_policy() -> String {
        crate::demo::recommendation_key_policy(
            "111122223333",
            "us-east-1",
            "MyRecommendationRole",
            true,
        )
    }

    fn caller<'a>(action: &'a str, ctx: &[(&str, &str)]) -> Request<'a> {
        Request {
            who: Who::Aws {
                arn: "arn:aws:iam::111122223333:role/MyRecommendationRole".into(),
                account: "111122223333".into(),
            },
            action,
            context: ctx
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn seed_policy_statements() {
        let rec = "arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/abc";
        let ec = "kms:EncryptionContext:aws:bedrock-agentcore:recommendationArn";
        assert!(evaluate(&seed_policy(), &caller("kms:DescribeKey", &[])).allowed());
        assert!(evaluate(&seed_policy(), &caller("kms:GenerateDataKey", &[(ec, rec)])).allowed());
        assert!(!evaluate(&seed_policy(), &caller("kms:GenerateDataKey", &[])).allowed());
        let other = "arn:aws:bedrock-agentcore:us-west-2:111122223333:recommendation/abc";
        assert!(!evaluate(&seed_policy(), &caller("kms:Decrypt", &[(ec, other)])).allowed());
        assert!(!evaluate(&seed_policy(), &caller("kms:PutKeyPolicy", &[])).allowed());

        let svc = |acct: &str, arn: &str| Request {
            who: Who::Service("bedrock-agentcore.amazonaws.com".into()),
            action: "kms:Decrypt",
            context: [
                ("aws:SourceAccount".to_string(), acct.to_string()),
                ("aws:SourceArn".to_string(), arn.to_string()),
            ]
            .into_iter()
            .collect(),
        };
        assert!(evaluate(&seed_policy(), &svc("111122223333", rec)).allowed());
        assert!(!evaluate(&seed_policy(), &svc("444455556666", rec)).allowed());
    }

    #[test]
    fn deny_wins_and_wildcards_work() {
        let p = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
            {"Effect":"Deny","Principal":"*","Action":"kms:Decr?pt","Resource":"*"}]}"#;
        assert!(evaluate(p, &caller("kms:GenerateDataKey", &[])).allowed());
        assert!(matches!(
            evaluate(p, &caller("kms:Decrypt", &[])),
            Decision::ExplicitDeny(_)
        ));
        assert!(glob("arn:*:recommendation/*", "arn:aws:x:recommendation/1"));
        assert!(!glob("a*c", "abd"));
    }
}
