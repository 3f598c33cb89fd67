//! Key administration: the check that the policy can still be changed, and the AWS default
//! statement that keeps it so.

use serde_json::{Value, json};

use super::*;

/// The lockout risk: no statement lets the account (through IAM) or the caller change the key
/// policy, so one wrong edit would leave the key unmanageable.
pub(super) fn risk(allows: &[&Stmt], t: &PolicyTarget) -> Option<Finding> {
    let can_admin = allows.iter().any(|s| {
        (s.names_account_root(&t.account) || s.names_caller(t)) && s.grants("kms:PutKeyPolicy")
    });
    (!can_admin).then(|| {
        finding(
            FindingKind::LockoutRisk,
            None,
            None,
            format!("no statement lets account {} or {} change this key policy", t.account, t.caller),
            format!(
                "keep a key administration statement (e.g. \"{ROOT_SID}\": arn:aws:iam::{}:root, kms:*); the recommended policy adds it so the key cannot become unmanageable",
                t.account
            ),
        )
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
