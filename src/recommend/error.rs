//! Errors in plain language, above all seed 000's "the key is unavailable" cases.

use serde::Serialize;

use crate::aws;
use crate::diagnostic::Diagnostic;

/// What is wrong with the customer managed key behind a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeyProblem {
    Disabled,
    PendingDeletion,
    Deleted,
    NotSymmetric,
    OtherRegion { key_region: String, region: String },
    PolicyDenied,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Start,
    Get,
    List,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum RecError {
    /// Local checks failed; nothing was sent.
    #[error("{}", invalid_text(.0))]
    Invalid(Vec<Diagnostic>),
    #[error("{}", key_text(*.operation, .key, .problem))]
    KeyUnavailable {
        operation: Operation,
        /// Alias if the key has one, else its ARN.
        key: String,
        key_arn: Option<String>,
        problem: KeyProblem,
        /// What AWS said, for the log and `--json`.
        aws_message: String,
    },
    #[error("{0}")]
    Aws(aws::Error),
}

fn invalid_text(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| match &d.hint {
            Some(h) => format!("{}: {} ({h})", d.field, d.message),
            None => format!("{}: {}", d.field, d.message),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn key_text(op: Operation, key: &str, problem: &KeyProblem) -> String {
    const STILL: &str = "listing and deleting still work";
    match (op, problem) {
        (Operation::Get, KeyProblem::Disabled) => {
            format!("key {key} is disabled: re-enable it to read this recommendation; {STILL}")
        }
        (Operation::Get, KeyProblem::PendingDeletion) => format!(
            "key {key} is pending deletion: cancel the deletion and re-enable it to read this recommendation; {STILL}"
        ),
        (Operation::Get, KeyProblem::Deleted) => format!(
            "key {key} has been deleted: this recommendation's configuration and result can no longer be decrypted; {STILL}"
        ),
        (Operation::Get, KeyProblem::PolicyDenied) => format!(
            "the key policy of {key} does not let you decrypt this recommendation: add the AllowCallerCryptoOps statement (agentcore-tui keys check {key}); {STILL}"
        ),
        (_, KeyProblem::Disabled) => {
            format!("key {key} is disabled: enable it or choose another key")
        }
        (_, KeyProblem::PendingDeletion) => {
            format!(
                "key {key} is pending deletion: cancel the deletion and enable it, or choose another key"
            )
        }
        (_, KeyProblem::Deleted) => {
            format!("key {key} does not exist or was deleted: choose another key")
        }
        (_, KeyProblem::NotSymmetric) => format!(
            "key {key} is not a symmetric encryption key: recommendations need key spec SYMMETRIC_DEFAULT and usage ENCRYPT_DECRYPT; choose another key"
        ),
        (_, KeyProblem::OtherRegion { key_region, region }) => format!(
            "key {key} is in {key_region} but the recommendation is in {region}: choose a key in {region}"
        ),
        (_, KeyProblem::PolicyDenied) => format!(
            "the key policy of {key} does not allow this use: run `agentcore-tui keys check {key}` and apply the recommended policy"
        ),
    }
}

/// The first KMS key ARN in an AWS message, trimmed of trailing punctuation.
pub fn key_arn_in(message: &str) -> Option<String> {
    message
        .split(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ',' | '(' | ')' | ';'))
        .map(|w| w.trim_end_matches('.'))
        .find(|w| crate::arn::Arn::kms_key(w).is_some())
        .map(str::to_owned)
}

/// The key problem an AWS message describes, by its words, for when the key cannot be inspected.
pub fn problem_in(message: &str, region: &str) -> Option<KeyProblem> {
    let m = message.to_ascii_lowercase();
    if !m.contains("kms") && !m.contains("key") {
        return None;
    }
    if let Some(key_region) = key_arn_in(message).map(|a| crate::arn::region(&a).to_owned())
        && !key_region.is_empty()
        && key_region != region
    {
        return Some(KeyProblem::OtherRegion {
            key_region,
            region: region.to_owned(),
        });
    }
    if m.contains("pending deletion") || m.contains("pendingdeletion") {
        Some(KeyProblem::PendingDeletion)
    } else if m.contains("disabled") {
        Some(KeyProblem::Disabled)
    } else if m.contains("deleted") || m.contains("does not exist") || m.contains("not found") {
        Some(KeyProblem::Deleted)
    } else if m.contains("symmetric") {
        Some(KeyProblem::NotSymmetric)
    } else {
        None
    }
}

impl From<aws::Error> for RecError {
    fn from(e: aws::Error) -> Self {
        RecError::Aws(e)
    }
}

impl RecError {
    pub fn hint(&self) -> Option<String> {
        match self {
            RecError::Aws(e) => e.hint.clone(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_000_get_message_for_a_disabled_key() {
        let e = RecError::KeyUnavailable {
            operation: Operation::Get,
            key: "alias/x".into(),
            key_arn: None,
            problem: KeyProblem::Disabled,
            aws_message: String::new(),
        };
        assert_eq!(
            e.to_string(),
            "key alias/x is disabled: re-enable it to read this recommendation; listing and deleting still work"
        );
    }

    #[test]
    fn problems_are_read_from_aws_words() {
        let arn = "arn:aws:kms:us-east-1:111122223333:key/abc";
        assert_eq!(
            key_arn_in(&format!("The KMS key {arn} is disabled.")).as_deref(),
            Some(arn)
        );
        assert_eq!(
            key_arn_in(&format!("Key '{arn}' does not exist")).as_deref(),
            Some(arn)
        );
        assert_eq!(
            problem_in("The KMS key k is pending deletion.", "us-east-1"),
            Some(KeyProblem::PendingDeletion)
        );
        assert_eq!(
            problem_in("KMS key is disabled", "us-east-1"),
            Some(KeyProblem::Disabled)
        );
        assert_eq!(
            problem_in(
                "The KMS key arn:aws:kms:us-west-2:111122223333:key/a is in us-west-2, but the recommendation is in us-east-1.",
                "us-east-1"
            ),
            Some(KeyProblem::OtherRegion {
                key_region: "us-west-2".into(),
                region: "us-east-1".into()
            })
        );
        assert_eq!(
            key_arn_in("key (arn:aws-cn:kms:cn-north-1:111122223333:key/k) is disabled").as_deref(),
            Some("arn:aws-cn:kms:cn-north-1:111122223333:key/k")
        );
        assert_eq!(problem_in("name must match a pattern", "us-east-1"), None);
    }
}
