//! The key policy as a document: parsed from JSON into statements, and what a statement grants
//! to whom under which conditions.

use serde_json::Value;

use super::*;
use crate::arn::Arn;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the key policy is not valid JSON (line {line}, column {column}): {message}")]
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the key policy has no \"Statement\" list")]
    NoStatements,
}

#[derive(Debug, Clone)]
pub(super) struct Cond {
    pub(super) op: String,
    pub(super) if_exists: bool,
    pub(super) key: String,
    pub(super) values: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Stmt {
    pub(super) index: usize,
    pub(super) sid: Option<String>,
    pub(super) allow: bool,
    pub(super) principal_any: bool,
    pub(super) aws: Vec<String>,
    pub(super) services: Vec<String>,
    pub(super) actions: Vec<String>,
    pub(super) not_action: bool,
    pub(super) conditions: Vec<Cond>,
}

pub(super) fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        Some(Value::Bool(b)) => vec![b.to_string()],
        Some(Value::Number(n)) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

impl Stmt {
    pub(super) fn parse(index: usize, v: &Value) -> Stmt {
        let principal = v.get("Principal");
        let (principal_any, aws, services) = match principal {
            Some(Value::String(s)) => (s == "*", Vec::new(), Vec::new()),
            Some(Value::Object(m)) => {
                let aws = strings(m.get("AWS"));
                (aws.iter().any(|a| a == "*"), aws, strings(m.get("Service")))
            }
            _ => (false, Vec::new(), Vec::new()),
        };
        let (actions, not_action) = match v.get("Action") {
            Some(a) => (strings(Some(a)), false),
            None => (strings(v.get("NotAction")), v.get("NotAction").is_some()),
        };
        let mut conditions = Vec::new();
        if let Some(Value::Object(ops)) = v.get("Condition") {
            for (op, kvs) in ops {
                let op_base = op.rsplit(':').next().unwrap_or(op);
                let (op_base, if_exists) = match op_base.strip_suffix("IfExists") {
                    Some(o) => (o, true),
                    None => (op_base, false),
                };
                if let Value::Object(kvs) = kvs {
                    for (key, values) in kvs {
                        conditions.push(Cond {
                            op: op_base.to_owned(),
                            if_exists,
                            key: key.to_owned(),
                            values: strings(Some(values)),
                        });
                    }
                }
            }
        }
        Stmt {
            index,
            sid: v
                .get("Sid")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            allow: v.get("Effect").and_then(Value::as_str) == Some("Allow"),
            principal_any,
            aws,
            services,
            actions: actions.iter().map(|a| a.to_ascii_lowercase()).collect(),
            not_action,
            conditions,
        }
    }

    pub(super) fn label(&self) -> String {
        self.sid
            .clone()
            .unwrap_or_else(|| format!("statement #{}", self.index + 1))
    }

    pub(super) fn grants(&self, action: &str) -> bool {
        let action = action.to_ascii_lowercase();
        let hit = self.actions.iter().any(|p| glob(p, &action));
        if self.not_action { !hit } else { hit }
    }

    pub(super) fn broad_action(&self) -> bool {
        self.not_action || self.actions.iter().any(|a| a == "*" || a == "kms:*")
    }

    pub(super) fn names_caller(&self, t: &PolicyTarget) -> bool {
        self.aws.iter().any(|p| same_principal(p, &t.caller))
    }

    pub(super) fn names_account_root(&self, account: &str) -> bool {
        self.aws
            .iter()
            .any(|p| p == account || *p == format!("arn:aws:iam::{account}:root"))
    }

    pub(super) fn for_caller(&self, t: &PolicyTarget) -> bool {
        self.principal_any || self.names_caller(t)
    }

    pub(super) fn for_service(&self) -> bool {
        self.services.iter().any(|s| s == SERVICE_PRINCIPAL)
    }

    pub(super) fn conditions_on(&self, key: &str) -> Vec<&Cond> {
        self.conditions
            .iter()
            .filter(|c| c.key.eq_ignore_ascii_case(key))
            .collect()
    }
}

/// Role ARNs match on account and role name, because STS drops the role path.
pub(super) fn same_principal(policy: &str, caller: &str) -> bool {
    if policy == caller {
        return true;
    }
    let split = |a: &str| -> Option<(String, String, String)> {
        let arn = Arn::parse(a)
            .filter(|x| x.partition == "aws" && x.service == "iam" && x.region.is_empty())?;
        let (kind, path) = arn.resource.split_once('/')?;
        Some((
            arn.account.to_owned(),
            kind.to_owned(),
            crate::arn::resource_id(path).to_owned(),
        ))
    };
    matches!((split(policy), split(caller)), (Some(a), Some(b)) if a == b)
}

/// IAM wildcard match: `*` any run of characters, `?` exactly one.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
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

pub(super) fn cond_matches(c: &Cond, value: &str) -> bool {
    match c.op.as_str() {
        "StringLike" | "ArnLike" => c.values.iter().any(|v| glob(v, value)),
        "StringEquals" | "ArnEquals" => c.values.iter().any(|v| v == value),
        "StringEqualsIgnoreCase" => c.values.iter().any(|v| v.eq_ignore_ascii_case(value)),
        _ => false,
    }
}

pub(super) fn parse_doc(policy: &str) -> Result<Value, PolicyError> {
    serde_json::from_str::<Value>(policy).map_err(|e| PolicyError::NotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

pub(super) fn statements_of(doc: &Value) -> Result<Vec<Value>, PolicyError> {
    match doc.get("Statement") {
        Some(Value::Array(a)) => Ok(a.clone()),
        Some(s @ Value::Object(_)) => Ok(vec![s.clone()]),
        _ => Err(PolicyError::NoStatements),
    }
}

pub(super) fn parse_statements(
    policy: &str,
) -> Result<(Value, Vec<Value>, Vec<Stmt>), PolicyError> {
    let doc = parse_doc(policy)?;
    let raw = statements_of(&doc)?;
    let stmts = raw
        .iter()
        .enumerate()
        .map(|(i, v)| Stmt::parse(i, v))
        .collect();
    Ok((doc, raw, stmts))
}
