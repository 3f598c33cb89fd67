//! Key policies: what one is checked for (target, requirements) here, and a file per concern.
//!
//! Seed 000's three statements: the caller's `DescribeKey`, the caller's `GenerateDataKey` +
//! `Decrypt` scoped by encryption context, and the AgentCore service principal scoped by
//! `aws:SourceAccount` + `aws:SourceArn`. Beside this file: the document, the analysis, the
//! lockout check, the recommended policy and the diff.

use std::fmt;

use serde::Serialize;
use serde_json::{Value, json};

use crate::arn::Arn;

pub const SERVICE_PRINCIPAL: &str = "bedrock-agentcore.amazonaws.com";
pub const CONTEXT_CONDITION_KEY: &str =
    "kms:EncryptionContext:aws:bedrock-agentcore:recommendationArn";
const SOURCE_ACCOUNT: &str = "aws:SourceAccount";
const SOURCE_ARN: &str = "aws:SourceArn";
pub const ROOT_SID: &str = "Enable IAM User Permissions";

mod analysis;
mod diff;
mod document;
mod lockout;
mod recommended;

pub use analysis::{Analysis, Finding, FindingKind, analyse};
pub use diff::{DiffLine, LineChange, diff, diff_text, line_diff, pretty};
pub use document::PolicyError;
pub use lockout::root_statement;
pub use recommended::recommended_policy;

use analysis::{check, finding};
use document::{Cond, Stmt, cond_holds, cond_matches, glob, parse_statements, same_principal};

/// Who the policy is for: the account and region of the recommendations and the IAM role or user
/// that starts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyTarget {
    pub account: String,
    pub region: String,
    /// An IAM role or user ARN, a role with its path (`Clients::principal_arn` finds it for an
    /// STS session).
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
        if let Some(role) = assumed_role_name(caller) {
            return Err(err(
                "role",
                caller,
                "is an STS session, which leaves the role's path out",
                &format!(
                    "use the role's ARN with its path: `aws iam get-role --role-name {role} --query Role.Arn` shows it"
                ),
            ));
        }
        let caller = caller_principal(caller).ok_or_else(|| {
            err(
                "role",
                caller,
                "is not an IAM role or user ARN",
                "use arn:aws:iam::ACCOUNT:role/PATH/NAME (the role that starts recommendations, with its path: `aws iam get-role --role-name NAME` shows it)",
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
        crate::arn::regional(
            "bedrock-agentcore",
            &self.region,
            &self.account,
            "recommendation/*",
        )
    }

    fn probe_arn(&self, account: &str) -> String {
        crate::arn::regional(
            "bedrock-agentcore",
            &self.region,
            account,
            "recommendation/zz-new-recommendation",
        )
    }

    pub fn partition(&self) -> &'static str {
        crate::arn::partition_of_region(&self.region)
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

/// The principal to name in a key policy for `arn`: an IAM role or user ARN as it is. `None`
/// for anything else, STS sessions included: their ARN cannot say the role's path.
fn caller_principal(arn: &str) -> Option<String> {
    let parsed = Arn::parse(arn).filter(|a| a.known_partition() && a.region.is_empty())?;
    parsed.account_id()?;
    let resource = parsed.resource;
    (parsed.service == "iam"
        && (resource.starts_with("role/") || resource.starts_with("user/"))
        && resource.len() > 5)
        .then(|| arn.to_owned())
}

/// The role name of an STS assumed-role session ARN (what iam:GetRole takes).
fn assumed_role_name(arn: &str) -> Option<&str> {
    let parsed = Arn::parse(arn).filter(|a| a.known_partition() && a.service == "sts")?;
    parsed
        .resource
        .strip_prefix("assumed-role/")?
        .split('/')
        .next()
        .filter(|r| !r.is_empty())
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

#[cfg(test)]
mod tests;
