//! Whether a KMS key can encrypt AgentCore recommendations (seed 000: symmetric encryption key,
//! enabled, in the recommendation's region, customer managed), and in plain words why not.

use std::fmt;

use serde::Serialize;

/// What we know about a key, independent of the SDK (the TUI and tests build these directly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    pub key_id: String,
    pub arn: String,
    /// Alias names (`alias/x`) pointing at the key, sorted.
    pub aliases: Vec<String>,
    pub description: String,
    /// `SYMMETRIC_DEFAULT`, `RSA_2048`, …
    pub key_spec: String,
    /// `ENCRYPT_DECRYPT`, `SIGN_VERIFY`, …
    pub key_usage: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, …
    pub key_state: String,
    /// `CUSTOMER` or `AWS`.
    pub key_manager: String,
}

impl KeyInfo {
    /// The name a person recognises: the first alias, else the key id.
    pub fn label(&self) -> &str {
        self.aliases
            .first()
            .map(String::as_str)
            .unwrap_or(&self.key_id)
    }

    /// The region in the key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`).
    pub fn region(&self) -> &str {
        crate::arn::region(&self.arn)
    }
}

/// The usage a key of `spec` has when KMS (or a stand-in such as moto) leaves `KeyUsage` out:
/// a symmetric key encrypts, an HMAC key makes MACs. `None` where the spec allows several.
pub fn usage_of_spec(spec: &str) -> Option<&'static str> {
    match spec {
        "SYMMETRIC_DEFAULT" => Some("ENCRYPT_DECRYPT"),
        s if s.starts_with("HMAC_") => Some("GENERATE_VERIFY_MAC"),
        _ => None,
    }
}

/// One reason a key cannot be used; a key can have several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Ineligibility {
    AwsManaged,
    NotSymmetric { key_spec: String },
    WrongUsage { key_usage: String },
    NotEnabled { key_state: String },
    OtherRegion { key_region: String, region: String },
}

impl Ineligibility {
    pub fn fix(&self) -> String {
        match self {
            Ineligibility::AwsManaged => {
                "AWS managed keys cannot be used here: pick a customer managed key, or the AWS owned key (no kmsKeyArn)".into()
            }
            Ineligibility::NotSymmetric { .. } | Ineligibility::WrongUsage { .. } => {
                "create a symmetric encryption key (key spec SYMMETRIC_DEFAULT, usage ENCRYPT_DECRYPT)".into()
            }
            Ineligibility::NotEnabled { key_state } if key_state == "Disabled" => {
                "enable it (aws kms enable-key --key-id KEY) or choose another key".into()
            }
            Ineligibility::NotEnabled { key_state } if key_state == "PendingDeletion" => {
                "cancel the deletion (aws kms cancel-key-deletion --key-id KEY), then enable it, or choose another key".into()
            }
            Ineligibility::NotEnabled { .. } => "wait until the key is Enabled, or choose another key".into(),
            Ineligibility::OtherRegion { region, .. } => {
                format!("recommendations must use a key in their own region: choose or create a key in {region}")
            }
        }
    }
}

impl fmt::Display for Ineligibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ineligibility::AwsManaged => f.write_str("AWS managed key, not customer managed"),
            Ineligibility::NotSymmetric { key_spec } if key_spec.is_empty() => f.write_str(
                "KMS did not say the key spec; only SYMMETRIC_DEFAULT keys encrypt recommendations",
            ),
            Ineligibility::NotSymmetric { key_spec } if key_spec.starts_with("HMAC_") => {
                write!(
                    f,
                    "HMAC key ({key_spec}), which signs messages and cannot encrypt; only SYMMETRIC_DEFAULT keys encrypt recommendations"
                )
            }
            Ineligibility::NotSymmetric { key_spec } => {
                write!(
                    f,
                    "asymmetric key ({key_spec}); only SYMMETRIC_DEFAULT keys encrypt recommendations"
                )
            }
            Ineligibility::WrongUsage { key_usage } if key_usage.is_empty() => {
                f.write_str("KMS did not say the key usage; recommendations need ENCRYPT_DECRYPT")
            }
            Ineligibility::WrongUsage { key_usage } => {
                write!(f, "key usage is {key_usage}, not ENCRYPT_DECRYPT")
            }
            Ineligibility::NotEnabled { key_state } => match key_state.as_str() {
                "Disabled" => f.write_str("disabled"),
                "PendingDeletion" => f.write_str("pending deletion"),
                other => write!(f, "state is {other}, not Enabled"),
            },
            Ineligibility::OtherRegion { key_region, region } => {
                write!(f, "in {key_region}, not in {region}")
            }
        }
    }
}

/// Every reason `key` cannot encrypt recommendations in `region`; empty when it can.
pub fn check(key: &KeyInfo, region: &str) -> Vec<Ineligibility> {
    let mut out = Vec::new();
    if key.key_manager == "AWS" {
        out.push(Ineligibility::AwsManaged);
    }
    if key.key_spec != "SYMMETRIC_DEFAULT" {
        out.push(Ineligibility::NotSymmetric {
            key_spec: key.key_spec.clone(),
        });
    }
    // An HMAC key's usage says nothing the spec has not said already.
    let usage_follows_spec = !key.key_spec.is_empty()
        && key.key_spec != "SYMMETRIC_DEFAULT"
        && usage_of_spec(&key.key_spec) == Some(key.key_usage.as_str());
    if key.key_usage != "ENCRYPT_DECRYPT" && !usage_follows_spec {
        out.push(Ineligibility::WrongUsage {
            key_usage: key.key_usage.clone(),
        });
    }
    if key.key_state != "Enabled" {
        out.push(Ineligibility::NotEnabled {
            key_state: key.key_state.clone(),
        });
    }
    let key_region = key.region();
    if key_region != region {
        out.push(Ineligibility::OtherRegion {
            key_region: key_region.to_owned(),
            region: region.to_owned(),
        });
    }
    out
}

/// One line for a greyed-out list entry: "alias/x: disabled — enable it (…)".
pub fn reason_line(key: &KeyInfo, reasons: &[Ineligibility]) -> Option<String> {
    let first = reasons.first()?;
    let all: Vec<String> = reasons.iter().map(ToString::to_string).collect();
    Some(format!(
        "{}: {} — {}",
        key.label(),
        all.join("; "),
        first.fix()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(spec: &str, usage: &str, state: &str, region: &str, manager: &str) -> KeyInfo {
        KeyInfo {
            key_id: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
            arn: format!(
                "arn:aws:kms:{region}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
            ),
            aliases: vec!["alias/recs".into()],
            description: String::new(),
            key_spec: spec.into(),
            key_usage: usage.into(),
            key_state: state.into(),
            key_manager: manager.into(),
        }
    }

    #[test]
    fn symmetric_enabled_customer_key_in_region_is_eligible() {
        let k = key(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "Enabled",
            "us-east-1",
            "CUSTOMER",
        );
        assert_eq!(check(&k, "us-east-1"), vec![]);
        assert_eq!(reason_line(&k, &[]), None);
    }

    #[test]
    fn each_rule_gives_its_own_reason_and_fix() {
        let disabled = key(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "Disabled",
            "us-east-1",
            "CUSTOMER",
        );
        let r = check(&disabled, "us-east-1");
        assert_eq!(
            r,
            vec![Ineligibility::NotEnabled {
                key_state: "Disabled".into()
            }]
        );
        assert_eq!(
            reason_line(&disabled, &r).unwrap(),
            "alias/recs: disabled — enable it (aws kms enable-key --key-id KEY) or choose another key"
        );

        let pending = key(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "PendingDeletion",
            "us-east-1",
            "CUSTOMER",
        );
        let r = check(&pending, "us-east-1");
        assert_eq!(r[0].to_string(), "pending deletion");
        assert!(r[0].fix().contains("cancel-key-deletion"));

        let rsa = key(
            "RSA_2048",
            "SIGN_VERIFY",
            "Enabled",
            "us-east-1",
            "CUSTOMER",
        );
        let r = check(&rsa, "us-east-1");
        assert_eq!(r.len(), 2);
        assert!(r[0].to_string().contains("asymmetric key (RSA_2048)"));
        assert!(r[1].to_string().contains("SIGN_VERIFY"));

        let west = key(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "Enabled",
            "us-west-2",
            "CUSTOMER",
        );
        let r = check(&west, "us-east-1");
        assert_eq!(r[0].to_string(), "in us-west-2, not in us-east-1");
        assert!(r[0].fix().contains("us-east-1"));

        let aws = key(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "Enabled",
            "us-east-1",
            "AWS",
        );
        assert_eq!(check(&aws, "us-east-1"), vec![Ineligibility::AwsManaged]);
    }

    #[test]
    fn hmac_keys_and_missing_fields_are_named_plainly() {
        let hmac = key(
            "HMAC_256",
            "GENERATE_VERIFY_MAC",
            "Enabled",
            "us-east-1",
            "CUSTOMER",
        );
        let r = check(&hmac, "us-east-1");
        assert_eq!(r.len(), 1, "{r:?}");
        let line = reason_line(&hmac, &r).unwrap();
        assert!(
            line.starts_with("alias/recs: HMAC key (HMAC_256)"),
            "{line}"
        );
        assert!(!line.contains("asymmetric"), "{line}");

        let blank = key("", "", "Enabled", "us-east-1", "CUSTOMER");
        for reason in check(&blank, "us-east-1") {
            let text = reason.to_string();
            assert!(text.starts_with("KMS did not say the key"), "{text}");
            assert!(!text.contains("()") && !text.contains(" is ,"), "{text}");
        }
        assert_eq!(usage_of_spec("SYMMETRIC_DEFAULT"), Some("ENCRYPT_DECRYPT"));
        assert_eq!(usage_of_spec("HMAC_512"), Some("GENERATE_VERIFY_MAC"));
        assert_eq!(usage_of_spec("RSA_2048"), None);
    }

    #[test]
    fn label_falls_back_to_key_id() {
        let mut k = key(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "Enabled",
            "us-east-1",
            "CUSTOMER",
        );
        k.aliases.clear();
        assert_eq!(k.label(), "1234abcd-12ab-34cd-56ef-1234567890ab");
        assert_eq!(k.region(), "us-east-1");
    }
}
