//! Key administration: the check that the policy can still be changed, and the AWS default
//! statement that keeps it so.

use serde_json::{Value, json};

use super::*;

/// The lockout risk: no statement lets the account (through IAM) or the caller change the key
/// policy, so one wrong edit would leave the key unmanageable.
pub(super) fn risk(allows: &[&Stmt], t: &PolicyTarget) -> Option<Finding> {
    let can_admin = allows
        .iter()
        .any(|s| (s.names_account_root(t) || s.names_caller(t)) && s.grants("kms:PutKeyPolicy"));
    (!can_admin).then(|| {
        finding(
            FindingKind::LockoutRisk,
            None,
            None,
            format!("no statement lets account {} or {} change this key policy", t.account, t.caller),
            format!(
                "keep a key administration statement (e.g. \"{ROOT_SID}\": {}, kms:*); the recommended policy adds it so the key cannot become unmanageable",
                crate::arn::iam(t.partition(), &t.account, "root")
            ),
        )
    })
}

/// The key policy AWS creates by default: the account administers the key through IAM.
pub fn root_statement(partition: &str, account: &str) -> Value {
    json!({
        "Sid": ROOT_SID,
        "Effect": "Allow",
        "Principal": { "AWS": crate::arn::iam(partition, account, "root") },
        "Action": "kms:*",
        "Resource": "*"
    })
}
