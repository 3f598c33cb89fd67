//! The key policy as a document: parsed from JSON into statements, and what a statement grants
//! to whom under which conditions.

use serde_json::Value;

use super::*;

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
    /// `NotPrincipal`: `aws` and `services` are the principals it does NOT apply to.
    pub(super) not_principal: bool,
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
        let not_principal = v.get("Principal").is_none() && v.get("NotPrincipal").is_some();
        let principal = v.get("Principal").or_else(|| v.get("NotPrincipal"));
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
            principal_any: principal_any && !not_principal,
            not_principal,
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

    pub(super) fn names_account_root(&self, t: &PolicyTarget) -> bool {
        let root = crate::arn::iam(t.partition(), &t.account, "root");
        self.aws.iter().any(|p| *p == t.account || *p == root)
    }

    pub(super) fn for_caller(&self, t: &PolicyTarget) -> bool {
        if self.not_principal {
            !self.names_caller(t) && !self.aws.iter().any(|a| a == "*")
        } else {
            self.principal_any || self.names_caller(t)
        }
    }

    pub(super) fn for_service(&self) -> bool {
        let named = self.services.iter().any(|s| s == SERVICE_PRINCIPAL);
        if self.not_principal {
            !named && !self.aws.iter().any(|a| a == "*")
        } else {
            named
        }
    }

    /// Allows everyone, or everyone but a few (`NotPrincipal`), rather than named principals.
    pub(super) fn open_principal(&self) -> bool {
        self.principal_any || self.not_principal
    }

    pub(super) fn conditions_on(&self, key: &str) -> Vec<&Cond> {
        self.conditions
            .iter()
            .filter(|c| c.key.eq_ignore_ascii_case(key))
            .collect()
    }
}

/// Exact, path included: KMS resolves a policy principal to one IAM role or user, and
/// `role/a/R` is not `role/R`. The caller is resolved to its real role ARN (iam:GetRole) first.
pub(super) fn same_principal(policy: &str, caller: &str) -> bool {
    policy == caller
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
    op_matches(&c.op, &c.values, value)
}

fn op_matches(op: &str, values: &[String], value: &str) -> bool {
    match op {
        "StringLike" | "ArnLike" => values.iter().any(|v| glob(v, value)),
        "StringEquals" | "ArnEquals" => values.iter().any(|v| v == value),
        "StringEqualsIgnoreCase" => values.iter().any(|v| v.eq_ignore_ascii_case(value)),
        _ => false,
    }
}

/// Whether a condition holds for a request whose `key` has `value`, negated operators included.
/// `None` for an operator we do not evaluate.
pub(super) fn cond_holds(c: &Cond, value: &str) -> Option<bool> {
    let positive = c.op.replacen("Not", "", 1);
    if !matches!(
        positive.as_str(),
        "StringLike" | "ArnLike" | "StringEquals" | "ArnEquals" | "StringEqualsIgnoreCase"
    ) {
        return None;
    }
    let hit = op_matches(&positive, &c.values, value);
    Some(if c.op.contains("Not") { !hit } else { hit })
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
