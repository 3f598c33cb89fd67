//! What a key policy lacks or grants too broadly for the target, each finding with its fix.

use serde::Serialize;

use super::*;
use crate::arn::Arn;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Missing,
    Unscoped,
    TooBroad,
    WrongScope,
    LockoutRisk,
    /// A `Deny` statement takes away what the requirement needs.
    Denied,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub requirement: Option<Requirement>,
    /// The statement concerned: its Sid, or "statement #N" (1-based) when it has none.
    pub statement: Option<String>,
    pub message: String,
    pub fix: String,
    #[serde(skip)]
    pub(super) statement_index: Option<usize>,
}

impl Finding {
    /// As a wizard diagnostic (a warning: a policy finding never blocks, it explains).
    pub fn to_diagnostic(&self) -> crate::diagnostic::Diagnostic {
        use crate::diagnostic::category;
        let cat = match self.kind {
            FindingKind::Missing | FindingKind::WrongScope | FindingKind::Denied => {
                category::PERMISSION
            }
            _ => category::SECURITY,
        };
        let field = match &self.statement {
            Some(s) => format!("kms_key.policy.{s}"),
            None => "kms_key.policy".to_owned(),
        };
        crate::diagnostic::Diagnostic::warning(field, cat, self.message.clone())
            .with_hint(self.fix.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Analysis {
    /// Per requirement: is there a correctly scoped statement that grants it?
    pub satisfied: Vec<(Requirement, bool)>,
    pub findings: Vec<Finding>,
}

impl Analysis {
    /// The three statements are there, correctly scoped, and nothing grants too much. A lockout
    /// risk is reported as a finding but is about key administration, not recommendations.
    pub fn is_compliant(&self) -> bool {
        self.satisfied.iter().all(|(_, ok)| *ok)
            && self
                .findings
                .iter()
                .all(|f| f.kind == FindingKind::LockoutRisk)
    }

    pub fn satisfies(&self, r: Requirement) -> bool {
        self.satisfied.iter().any(|(q, ok)| *q == r && *ok)
    }
}

/// What a recommendation ARN scope (encryption context or `aws:SourceArn`) is worth.
pub(super) enum Scope {
    Ok,
    Absent,
    Loose(String),
    Wrong(String),
}

pub(super) fn arn_scope(conds: &[&Cond], t: &PolicyTarget, key: &str) -> Scope {
    let usable: Vec<&&Cond> = conds.iter().filter(|c| !c.op.contains("Not")).collect();
    if usable.is_empty() {
        return Scope::Absent;
    }
    if let Some(c) = usable.iter().find(|c| c.if_exists) {
        return Scope::Loose(format!(
            "{}IfExists on {key} lets requests without it through",
            c.op
        ));
    }
    if usable
        .iter()
        .any(|c| cond_matches(c, &t.probe_arn("999999999999")))
    {
        return Scope::Loose(format!(
            "{key} also matches recommendations of other accounts"
        ));
    }
    if usable
        .iter()
        .all(|c| cond_matches(c, &t.probe_arn(&t.account)))
    {
        return Scope::Ok;
    }
    let values: Vec<&str> = usable
        .iter()
        .flat_map(|c| c.values.iter().map(String::as_str))
        .collect();
    let mut why = Vec::new();
    for v in &values {
        if let Some(Arn {
            region, account, ..
        }) = Arn::parse(v)
        {
            if !glob(region, &t.region) {
                why.push(format!("region {region} instead of {}", t.region));
            }
            if !glob(account, &t.account) {
                why.push(format!("account {account} instead of {}", t.account));
            }
        }
    }
    if why.is_empty() {
        why.push(format!(
            "{} only, so new recommendations are denied",
            values.join(", ")
        ));
    }
    why.dedup();
    Scope::Wrong(format!("{key} is scoped to {}", why.join(" and ")))
}

pub(super) struct Checked {
    pub(super) findings: Vec<Finding>,
    pub(super) satisfied: Vec<(Requirement, bool)>,
}

pub(super) fn finding(
    kind: FindingKind,
    req: Option<Requirement>,
    st: Option<&Stmt>,
    message: String,
    fix: String,
) -> Finding {
    Finding {
        kind,
        requirement: req,
        statement: st.map(Stmt::label),
        message,
        fix,
        statement_index: st.map(|s| s.index),
    }
}

pub(super) fn check(stmts: &[Stmt], t: &PolicyTarget) -> Checked {
    let mut findings = Vec::new();
    let allows: Vec<&Stmt> = stmts.iter().filter(|s| s.allow).collect();

    for s in &allows {
        if s.open_principal() && s.conditions.is_empty() {
            let whom = if s.not_principal {
                "every AWS principal but the ones in its NotPrincipal"
            } else {
                "every AWS principal (Principal \"*\")"
            };
            findings.push(finding(
                FindingKind::TooBroad,
                None,
                Some(s),
                format!("{} allows {whom} with no condition", s.label()),
                "remove it; the recommended policy drops it and names the role and the service principal instead".into(),
            ));
        } else if s.broad_action() && (s.names_caller(t) || s.for_service()) {
            let who = if s.for_service() {
                SERVICE_PRINCIPAL
            } else {
                t.caller.as_str()
            };
            findings.push(finding(
                FindingKind::TooBroad,
                None,
                Some(s),
                format!(
                    "{} grants {who} every KMS action (kms:*), including decrypting any data under this key without the recommendation encryption context",
                    s.label()
                ),
                format!(
                    "grant {who} only kms:DescribeKey, kms:GenerateDataKey and kms:Decrypt as in the recommended policy; keep broad rights for key administrators only"
                ),
            ));
        }
    }

    let mut satisfied = Vec::new();
    for req in Requirement::ALL {
        let principal_ok = |s: &&&Stmt| match req {
            Requirement::ServicePrincipal => s.for_service(),
            _ => s.for_caller(t),
        };
        let mut ok_all = true;
        let mut missing_actions = Vec::new();
        for action in req.actions() {
            let granting: Vec<&&Stmt> = allows
                .iter()
                .filter(principal_ok)
                .filter(|s| s.grants(action))
                .collect();
            if granting.is_empty() {
                missing_actions.push(*action);
                ok_all = false;
                continue;
            }
            let good = granting
                .iter()
                .any(|s| !s.open_principal() && scope_ok(req, s, t));
            ok_all &= good;
            if let Some(d) = stmts.iter().find(|d| denies(d, req, action, t)) {
                ok_all = false;
                let seen = findings.iter().any(|f: &Finding| {
                    f.kind == FindingKind::Denied
                        && f.requirement == Some(req)
                        && f.statement_index == Some(d.index)
                });
                if seen {
                    continue;
                }
                let who = match req {
                    Requirement::ServicePrincipal => SERVICE_PRINCIPAL,
                    _ => t.caller.as_str(),
                };
                findings.push(finding(
                    FindingKind::Denied,
                    Some(req),
                    Some(d),
                    format!(
                        "{} denies {who} {action}, which recommendations need (an explicit Deny wins over every Allow)",
                        d.label()
                    ),
                    format!(
                        "remove {} or narrow it so it does not match {who} (the recommended policy keeps it: a Deny is yours to change)",
                        d.label()
                    ),
                ));
            }
        }
        if !missing_actions.is_empty() {
            let who = match req {
                Requirement::ServicePrincipal => SERVICE_PRINCIPAL,
                _ => t.caller.as_str(),
            };
            findings.push(finding(
                FindingKind::Missing,
                Some(req),
                None,
                format!(
                    "no statement allows {who} {}",
                    missing_actions.join(" and ")
                ),
                format!(
                    "add the {} statement (see the recommended policy)",
                    req.sid()
                ),
            ));
        }
        // Scope findings, once per statement, for statements that are not already too broad.
        let mut seen = Vec::new();
        for s in allows.iter().filter(principal_ok) {
            if seen.contains(&s.index)
                || !req.actions().iter().any(|a| s.grants(a))
                || req == Requirement::CallerDescribeKey
                || s.open_principal()
                || s.broad_action()
            {
                continue;
            }
            seen.push(s.index);
            if let Some(f) = scope_finding(req, s, t) {
                findings.push(f);
            }
        }
        satisfied.push((req, ok_all));
    }

    findings.extend(lockout::risk(&allows, t));
    findings.sort_by_key(|f| f.statement_index.unwrap_or(usize::MAX));
    Checked {
        findings,
        satisfied,
    }
}

/// Whether the Deny statement `d` blocks `action` for the requirement's principal on a
/// recommendation request of the target. Conditions are evaluated on the keys such a request
/// carries; a Deny conditioned on anything else is not counted, since we cannot tell.
fn denies(d: &Stmt, req: Requirement, action: &str, t: &PolicyTarget) -> bool {
    let (applies, service) = match req {
        Requirement::ServicePrincipal => (d.for_service() || d.principal_any, true),
        _ => (d.for_caller(t), false),
    };
    if d.allow || !applies || !d.grants(action) {
        return false;
    }
    let probe = t.probe_arn(&t.account);
    d.conditions.iter().all(|c| {
        let value = if c.key.eq_ignore_ascii_case(CONTEXT_CONDITION_KEY)
            && req != Requirement::CallerDescribeKey
        {
            Some(probe.as_str())
        } else if service && c.key.eq_ignore_ascii_case(SOURCE_ACCOUNT) {
            Some(t.account.as_str())
        } else if service && c.key.eq_ignore_ascii_case(SOURCE_ARN) {
            Some(probe.as_str())
        } else if !service && c.key.eq_ignore_ascii_case("aws:PrincipalArn") {
            Some(t.caller.as_str())
        } else {
            None
        };
        value.and_then(|v| cond_holds(c, v)).unwrap_or(false)
    })
}

pub(super) fn scope_ok(req: Requirement, s: &Stmt, t: &PolicyTarget) -> bool {
    match req {
        Requirement::CallerDescribeKey => true,
        _ => scope_finding(req, s, t).is_none() && !s.broad_action(),
    }
}

pub(super) fn scope_finding(req: Requirement, s: &Stmt, t: &PolicyTarget) -> Option<Finding> {
    let pattern = t.recommendation_arn_pattern();
    match req {
        Requirement::CallerDescribeKey => None,
        Requirement::CallerCryptoOps => {
            let fix = format!(
                "add the condition StringLike {{\"{CONTEXT_CONDITION_KEY}\": \"{pattern}\"}} to {}",
                s.label()
            );
            match arn_scope(
                &s.conditions_on(CONTEXT_CONDITION_KEY),
                t,
                CONTEXT_CONDITION_KEY,
            ) {
                Scope::Ok => None,
                Scope::Absent => Some(finding(
                    FindingKind::Unscoped,
                    Some(req),
                    Some(s),
                    format!(
                        "{} lets {} use the key for any data, not only recommendations: it has no encryption-context condition",
                        s.label(),
                        t.caller
                    ),
                    fix,
                )),
                Scope::Loose(why) => Some(finding(
                    FindingKind::Unscoped,
                    Some(req),
                    Some(s),
                    format!("{}: {why}", s.label()),
                    fix,
                )),
                Scope::Wrong(why) => Some(finding(
                    FindingKind::WrongScope,
                    Some(req),
                    Some(s),
                    format!("{}: {why}", s.label()),
                    format!("set {CONTEXT_CONDITION_KEY} to \"{pattern}\" with StringLike"),
                )),
            }
        }
        Requirement::ServicePrincipal => {
            let mut problems = Vec::new();
            let mut wrong = false;
            let accounts = s.conditions_on(SOURCE_ACCOUNT);
            let accounts: Vec<&&Cond> = accounts.iter().filter(|c| !c.op.contains("Not")).collect();
            if accounts.is_empty() {
                problems.push(format!("no {SOURCE_ACCOUNT} condition"));
            } else if accounts.iter().any(|c| c.if_exists) {
                problems.push(format!("{SOURCE_ACCOUNT} uses IfExists"));
            } else if !accounts.iter().all(|c| cond_matches(c, &t.account)) {
                wrong = true;
                let vals: Vec<String> = accounts.iter().flat_map(|c| c.values.clone()).collect();
                problems.push(format!(
                    "{SOURCE_ACCOUNT} is {} instead of {}",
                    vals.join(", "),
                    t.account
                ));
            } else if accounts.iter().any(|c| cond_matches(c, "999999999999")) {
                problems.push(format!("{SOURCE_ACCOUNT} matches any account"));
            }
            match arn_scope(&s.conditions_on(SOURCE_ARN), t, SOURCE_ARN) {
                Scope::Ok => {}
                Scope::Absent => problems.push(format!("no {SOURCE_ARN} condition")),
                Scope::Loose(why) => problems.push(why),
                Scope::Wrong(why) => {
                    wrong = true;
                    problems.push(why);
                }
            }
            if problems.is_empty() {
                return None;
            }
            let fix = format!(
                "add StringEquals {{\"{SOURCE_ACCOUNT}\": \"{}\"}} and ArnLike {{\"{SOURCE_ARN}\": \"{pattern}\"}} to {}",
                t.account,
                s.label()
            );
            let (kind, message) = if wrong {
                (
                    FindingKind::WrongScope,
                    format!("{}: {}", s.label(), problems.join("; ")),
                )
            } else {
                (
                    FindingKind::Unscoped,
                    format!(
                        "{} lets {SERVICE_PRINCIPAL} use the key on behalf of any caller ({}): a confused-deputy risk",
                        s.label(),
                        problems.join("; ")
                    ),
                )
            };
            Some(finding(kind, Some(req), Some(s), message, fix))
        }
    }
}

/// Every finding about `policy` for `target`, each with its fix.
pub fn analyse(policy: &str, target: &PolicyTarget) -> Result<Analysis, PolicyError> {
    let (_, _, stmts) = parse_statements(policy)?;
    let c = check(&stmts, target);
    Ok(Analysis {
        satisfied: c.satisfied,
        findings: c.findings,
    })
}
