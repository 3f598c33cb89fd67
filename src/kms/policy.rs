//! Key-policy analysis and generation for recommendation encryption (seed 000): the caller's
//! `DescribeKey`, the caller's `GenerateDataKey`+`Decrypt` scoped by encryption context, and the
//! AgentCore service principal scoped by `aws:SourceAccount` + `aws:SourceArn`.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::arn::Arn;

pub const SERVICE_PRINCIPAL: &str = "bedrock-agentcore.amazonaws.com";
pub const CONTEXT_CONDITION_KEY: &str =
    "kms:EncryptionContext:aws:bedrock-agentcore:recommendationArn";
const SOURCE_ACCOUNT: &str = "aws:SourceAccount";
const SOURCE_ARN: &str = "aws:SourceArn";
pub const ROOT_SID: &str = "Enable IAM User Permissions";

/// Who the policy is for: the account and region of the recommendations and the IAM role or user
/// that starts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyTarget {
    pub account: String,
    pub region: String,
    /// An IAM role or user ARN (an STS assumed-role ARN is turned into its role ARN).
    pub caller: String,
}

/// Bad input for a [`PolicyTarget`], naming the field, the value and the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field} {value:?} {problem}: {fix}")]
pub struct TargetError {
    pub field: &'static str,
    pub value: String,
    pub problem: String,
    pub fix: String,
}

impl PolicyTarget {
    pub fn new(account: &str, region: &str, caller: &str) -> Result<PolicyTarget, TargetError> {
        let err = |field, value: &str, problem: &str, fix: &str| TargetError {
            field,
            value: value.to_owned(),
            problem: problem.to_owned(),
            fix: fix.to_owned(),
        };
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(
                "account",
                account,
                "is not an AWS account id",
                "use the 12 digits of the account, e.g. 111122223333",
            ));
        }
        if !valid_region(region) {
            return Err(err(
                "region",
                region,
                "is not an AWS region",
                "use a region code such as us-east-1",
            ));
        }
        let caller = caller_principal(caller).ok_or_else(|| {
            err(
                "role",
                caller,
                "is not an IAM role or user ARN",
                "use arn:aws:iam::ACCOUNT:role/NAME (the role that starts recommendations)",
            )
        })?;
        Ok(PolicyTarget {
            account: account.to_owned(),
            region: region.to_owned(),
            caller,
        })
    }

    /// What `aws:SourceArn` and the encryption context look like for every recommendation of
    /// this account and region.
    pub fn recommendation_arn_pattern(&self) -> String {
        format!(
            "arn:aws:bedrock-agentcore:{}:{}:recommendation/*",
            self.region, self.account
        )
    }

    fn probe_arn(&self, account: &str) -> String {
        format!(
            "arn:aws:bedrock-agentcore:{}:{account}:recommendation/zz-new-recommendation",
            self.region
        )
    }
}

fn valid_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The principal to name in a key policy for `arn`: IAM role/user ARNs as they are, STS
/// assumed-role session ARNs as their role. `None` for anything else.
pub fn caller_principal(arn: &str) -> Option<String> {
    let parsed = Arn::parse(arn).filter(|a| a.partition == "aws" && a.region.is_empty())?;
    let account = parsed.account_id()?;
    let resource = parsed.resource;
    match parsed.service {
        "iam"
            if (resource.starts_with("role/") || resource.starts_with("user/"))
                && resource.len() > 5 =>
        {
            Some(arn.to_owned())
        }
        "sts" => {
            let role = resource
                .strip_prefix("assumed-role/")?
                .split('/')
                .next()
                .filter(|r| !r.is_empty())?;
            Some(format!("arn:aws:iam::{account}:role/{role}"))
        }
        _ => None,
    }
}

/// The three statements of seed 000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    CallerDescribeKey,
    CallerCryptoOps,
    ServicePrincipal,
}

impl Requirement {
    pub const ALL: [Requirement; 3] = [
        Requirement::CallerDescribeKey,
        Requirement::CallerCryptoOps,
        Requirement::ServicePrincipal,
    ];

    pub fn sid(self) -> &'static str {
        match self {
            Requirement::CallerDescribeKey => "AllowCallerAccess",
            Requirement::CallerCryptoOps => "AllowCallerCryptoOps",
            Requirement::ServicePrincipal => "AllowServicePrincipalAccess",
        }
    }

    fn actions(self) -> &'static [&'static str] {
        match self {
            Requirement::CallerDescribeKey => &["kms:DescribeKey"],
            _ => &["kms:GenerateDataKey", "kms:Decrypt"],
        }
    }

    /// The statement as seed 000 writes it.
    pub fn statement(self, t: &PolicyTarget) -> Value {
        match self {
            Requirement::CallerDescribeKey => json!({
                "Sid": self.sid(),
                "Effect": "Allow",
                "Principal": { "AWS": t.caller },
                "Action": "kms:DescribeKey",
                "Resource": "*"
            }),
            Requirement::CallerCryptoOps => json!({
                "Sid": self.sid(),
                "Effect": "Allow",
                "Principal": { "AWS": t.caller },
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": "*",
                "Condition": { "StringLike": { CONTEXT_CONDITION_KEY: t.recommendation_arn_pattern() } }
            }),
            Requirement::ServicePrincipal => json!({
                "Sid": self.sid(),
                "Effect": "Allow",
                "Principal": { "Service": SERVICE_PRINCIPAL },
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": { SOURCE_ACCOUNT: t.account },
                    "ArnLike": { SOURCE_ARN: t.recommendation_arn_pattern() }
                }
            }),
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Requirement::CallerDescribeKey => "caller kms:DescribeKey",
            Requirement::CallerCryptoOps => "caller kms:GenerateDataKey + kms:Decrypt",
            Requirement::ServicePrincipal => "service principal bedrock-agentcore.amazonaws.com",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Missing,
    Unscoped,
    TooBroad,
    WrongScope,
    LockoutRisk,
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
    statement_index: Option<usize>,
}

impl Finding {
    /// As a wizard diagnostic (a warning: a policy finding never blocks, it explains).
    pub fn to_diagnostic(&self) -> crate::config::Diagnostic {
        use crate::diagnostic::category;
        let cat = match self.kind {
            FindingKind::Missing | FindingKind::WrongScope => category::PERMISSION,
            _ => category::SECURITY,
        };
        let field = match &self.statement {
            Some(s) => format!("kms_key.policy.{s}"),
            None => "kms_key.policy".to_owned(),
        };
        crate::config::Diagnostic::warning(field, cat, self.message.clone())
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
struct Cond {
    op: String,
    if_exists: bool,
    key: String,
    values: Vec<String>,
}

#[derive(Debug, Clone)]
struct Stmt {
    index: usize,
    sid: Option<String>,
    allow: bool,
    principal_any: bool,
    aws: Vec<String>,
    services: Vec<String>,
    actions: Vec<String>,
    not_action: bool,
    conditions: Vec<Cond>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
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
    fn parse(index: usize, v: &Value) -> Stmt {
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

    fn label(&self) -> String {
        self.sid
            .clone()
            .unwrap_or_else(|| format!("statement #{}", self.index + 1))
    }

    fn grants(&self, action: &str) -> bool {
        let action = action.to_ascii_lowercase();
        let hit = self.actions.iter().any(|p| glob(p, &action));
        if self.not_action { !hit } else { hit }
    }

    fn broad_action(&self) -> bool {
        self.not_action || self.actions.iter().any(|a| a == "*" || a == "kms:*")
    }

    fn names_caller(&self, t: &PolicyTarget) -> bool {
        self.aws.iter().any(|p| same_principal(p, &t.caller))
    }

    fn names_account_root(&self, account: &str) -> bool {
        self.aws
            .iter()
            .any(|p| p == account || *p == format!("arn:aws:iam::{account}:root"))
    }

    fn for_caller(&self, t: &PolicyTarget) -> bool {
        self.principal_any || self.names_caller(t)
    }

    fn for_service(&self) -> bool {
        self.services.iter().any(|s| s == SERVICE_PRINCIPAL)
    }

    fn conditions_on(&self, key: &str) -> Vec<&Cond> {
        self.conditions
            .iter()
            .filter(|c| c.key.eq_ignore_ascii_case(key))
            .collect()
    }
}

/// Role ARNs match on account and role name, because STS drops the role path.
fn same_principal(policy: &str, caller: &str) -> bool {
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
fn glob(pattern: &str, text: &str) -> bool {
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

fn cond_matches(c: &Cond, value: &str) -> bool {
    match c.op.as_str() {
        "StringLike" | "ArnLike" => c.values.iter().any(|v| glob(v, value)),
        "StringEquals" | "ArnEquals" => c.values.iter().any(|v| v == value),
        "StringEqualsIgnoreCase" => c.values.iter().any(|v| v.eq_ignore_ascii_case(value)),
        _ => false,
    }
}

fn parse_doc(policy: &str) -> Result<Value, PolicyError> {
    serde_json::from_str::<Value>(policy).map_err(|e| PolicyError::NotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

fn statements_of(doc: &Value) -> Result<Vec<Value>, PolicyError> {
    match doc.get("Statement") {
        Some(Value::Array(a)) => Ok(a.clone()),
        Some(s @ Value::Object(_)) => Ok(vec![s.clone()]),
        _ => Err(PolicyError::NoStatements),
    }
}

/// What a recommendation ARN scope (encryption context or `aws:SourceArn`) is worth.
enum Scope {
    Ok,
    Absent,
    Loose(String),
    Wrong(String),
}

fn arn_scope(conds: &[&Cond], t: &PolicyTarget, key: &str) -> Scope {
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

struct Checked {
    findings: Vec<Finding>,
    satisfied: Vec<(Requirement, bool)>,
}

fn finding(
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

fn check(stmts: &[Stmt], t: &PolicyTarget) -> Checked {
    let mut findings = Vec::new();
    let allows: Vec<&Stmt> = stmts.iter().filter(|s| s.allow).collect();

    for s in &allows {
        if s.principal_any && s.conditions.is_empty() {
            findings.push(finding(
                FindingKind::TooBroad,
                None,
                Some(s),
                format!("{} allows every AWS principal (Principal \"*\") with no condition", s.label()),
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
                .any(|s| !s.principal_any && scope_ok(req, s, t));
            ok_all &= good;
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
                || s.principal_any
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

    let can_admin = allows.iter().any(|s| {
        (s.names_account_root(&t.account) || s.names_caller(t)) && s.grants("kms:PutKeyPolicy")
    });
    if !can_admin {
        findings.push(finding(
            FindingKind::LockoutRisk,
            None,
            None,
            format!("no statement lets account {} or {} change this key policy", t.account, t.caller),
            format!(
                "keep a key administration statement (e.g. \"{ROOT_SID}\": arn:aws:iam::{}:root, kms:*); the recommended policy adds it so the key cannot become unmanageable",
                t.account
            ),
        ));
    }
    findings.sort_by_key(|f| f.statement_index.unwrap_or(usize::MAX));
    Checked {
        findings,
        satisfied,
    }
}

fn scope_ok(req: Requirement, s: &Stmt, t: &PolicyTarget) -> bool {
    match req {
        Requirement::CallerDescribeKey => true,
        _ => scope_finding(req, s, t).is_none() && !s.broad_action(),
    }
}

fn scope_finding(req: Requirement, s: &Stmt, t: &PolicyTarget) -> Option<Finding> {
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

fn parse_statements(policy: &str) -> Result<(Value, Vec<Value>, Vec<Stmt>), PolicyError> {
    let doc = parse_doc(policy)?;
    let raw = statements_of(&doc)?;
    let stmts = raw
        .iter()
        .enumerate()
        .map(|(i, v)| Stmt::parse(i, v))
        .collect();
    Ok((doc, raw, stmts))
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

/// The key policy AWS creates by default: the account administers the key through IAM.
pub fn root_statement(account: &str) -> Value {
    json!({
        "Sid": ROOT_SID,
        "Effect": "Allow",
        "Principal": { "AWS": format!("arn:aws:iam::{account}:root") },
        "Action": "kms:*",
        "Resource": "*"
    })
}

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
            && s.for_service()
            && s.aws.is_empty()
            && s.services.len() == 1
            && !s.broad_action();
        let dedicated_caller = s.allow
            && !s.principal_any
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
        if s.allow && s.principal_any && s.conditions.is_empty() {
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
        out.insert(0, root_statement(&target.account));
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

/// A policy as pretty JSON (2-space indent, key order kept) so diffs compare content, not layout.
/// Text that is not JSON is returned unchanged.
pub fn pretty(policy: &str) -> String {
    match serde_json::from_str::<Value>(policy) {
        Ok(v) => serde_json::to_string_pretty(&v).expect("JSON values always serialise"),
        Err(_) => policy.to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineChange {
    Same,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    pub change: LineChange,
    pub text: String,
}

/// Line diff of current → recommended, both normalised with [`pretty`].
pub fn diff(current: &str, recommended: &str) -> Vec<DiffLine> {
    line_diff(&pretty(current), &pretty(recommended))
}

/// Line diff of `a` → `b`, line texts without their newline; also serves recommendation texts.
pub fn line_diff(a: &str, b: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(a, b)
        .iter_all_changes()
        .map(|c| DiffLine {
            change: match c.tag() {
                similar::ChangeTag::Equal => LineChange::Same,
                similar::ChangeTag::Insert => LineChange::Added,
                similar::ChangeTag::Delete => LineChange::Removed,
            },
            text: c.value().trim_end_matches('\n').to_owned(),
        })
        .collect()
}

/// `diff` as text with `+`/`-`/` ` prefixes, for the CLI.
pub fn diff_text(current: &str, recommended: &str) -> String {
    diff(current, recommended)
        .iter()
        .map(|l| {
            let p = match l.change {
                LineChange::Same => ' ',
                LineChange::Added => '+',
                LineChange::Removed => '-',
            };
            format!("{p} {}\n", l.text)
        })
        .collect()
}

#[cfg(test)]
mod tests;
