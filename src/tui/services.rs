//! The boundary between the TUI and AWS. The TUI never imports an AWS SDK: it calls these
//! methods from effect tasks, and the deploy side implements them with the real clients
//! (pointed at AWS or at the local emulator). Futures are `'static` so a call can outlive the
//! borrow of the service.

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

/// Where AWS calls go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwsTarget {
    /// The embedded emulator (`--local`).
    Local,
    /// A named profile from `~/.aws/config` / `~/.aws/credentials` (SSO included).
    Profile(String),
}

impl AwsTarget {
    pub fn label(&self) -> String {
        match self {
            Self::Local => "local emulator".into(),
            Self::Profile(p) => format!("profile {p}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
}

/// A failed call, already classified (permission / network / timeout / configuration /
/// resource) with the fix to show, e.g. `aws sso login --profile X`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub category: String,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsKey {
    pub key_id: String,
    pub arn: String,
    pub aliases: Vec<String>,
    pub description: String,
    /// e.g. `SYMMETRIC_DEFAULT`, `RSA_2048`.
    pub key_spec: String,
    /// e.g. `ENCRYPT_DECRYPT`, `SIGN_VERIFY`.
    pub key_usage: String,
    /// e.g. `Enabled`, `Disabled`, `PendingDeletion`.
    pub key_state: String,
    /// `CUSTOMER` or `AWS`.
    pub key_manager: String,
}

impl KmsKey {
    fn arn_region(&self) -> Option<&str> {
        self.arn.split(':').nth(3)
    }

    /// Why this key cannot encrypt AgentCore recommendations in `region` (seed 000), or None.
    pub fn ineligibility(&self, region: &str) -> Option<String> {
        if self.key_manager != "CUSTOMER" {
            return Some(
                "AWS managed key (pick a customer managed key or the AWS owned key)".into(),
            );
        }
        if self.key_spec != "SYMMETRIC_DEFAULT" || self.key_usage != "ENCRYPT_DECRYPT" {
            return Some(format!(
                "{} {} (need SYMMETRIC_DEFAULT for ENCRYPT_DECRYPT)",
                self.key_spec, self.key_usage
            ));
        }
        if self.key_state != "Enabled" {
            return Some(format!("key state is {} (need Enabled)", self.key_state));
        }
        match self.arn_region() {
            Some(r) if r != region => Some(format!("in {r}, not {region}")),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyPage {
    pub keys: Vec<KmsKey>,
    pub next: Option<String>,
}

pub trait AwsServices: Send + Sync + 'static {
    /// Profile names from the shared config and credentials files.
    fn profiles(&self) -> BoxFuture<'static, Result<Vec<String>, ServiceError>>;
    /// STS GetCallerIdentity.
    fn caller_identity(
        &self,
        target: AwsTarget,
        region: String,
    ) -> BoxFuture<'static, Result<CallerIdentity, ServiceError>>;
    /// One page of ListKeys, each key described (DescribeKey) and named (ListAliases).
    fn kms_keys(
        &self,
        target: AwsTarget,
        region: String,
        next: Option<String>,
    ) -> BoxFuture<'static, Result<KeyPage, ServiceError>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(spec: &str, usage: &str, state: &str, manager: &str, region: &str) -> KmsKey {
        KmsKey {
            key_id: "k".into(),
            arn: format!("arn:aws:kms:{region}:111122223333:key/k"),
            aliases: vec![],
            description: String::new(),
            key_spec: spec.into(),
            key_usage: usage.into(),
            key_state: state.into(),
            key_manager: manager.into(),
        }
    }

    #[test]
    fn eligibility_follows_seed_000() {
        let ok = key(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "Enabled",
            "CUSTOMER",
            "us-east-1",
        );
        assert_eq!(ok.ineligibility("us-east-1"), None);
        assert!(ok.ineligibility("eu-west-1").unwrap().contains("us-east-1"));
        let rsa = key(
            "RSA_2048",
            "SIGN_VERIFY",
            "Enabled",
            "CUSTOMER",
            "us-east-1",
        );
        assert!(
            rsa.ineligibility("us-east-1")
                .unwrap()
                .contains("SYMMETRIC_DEFAULT")
        );
        let disabled = key(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "Disabled",
            "CUSTOMER",
            "us-east-1",
        );
        assert!(
            disabled
                .ineligibility("us-east-1")
                .unwrap()
                .contains("Disabled")
        );
        let pending = key(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "PendingDeletion",
            "CUSTOMER",
            "us-east-1",
        );
        assert!(
            pending
                .ineligibility("us-east-1")
                .unwrap()
                .contains("PendingDeletion")
        );
        let managed = key(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "Enabled",
            "AWS",
            "us-east-1",
        );
        assert!(
            managed
                .ineligibility("us-east-1")
                .unwrap()
                .contains("AWS managed")
        );
    }
}
