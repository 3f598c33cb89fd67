//! KMS keys and aliases as KMS describes them, and finding one from any of the ways a request names it.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::wire::{ApiError, ts_num};
use crate::world::{Key, WorldState};

impl Key {
    pub fn metadata(&self) -> Value {
        let mut m = json!({
            "AWSAccountId": self.account,
            "KeyId": self.key_id,
            "Arn": self.arn,
            "CreationDate": ts_num(&self.creation_date),
            "Enabled": self.key_state == "Enabled",
            "Description": self.description,
            "KeyUsage": self.key_usage,
            "KeyState": self.key_state,
            "Origin": self.origin,
            "KeyManager": "CUSTOMER",
            "KeySpec": self.key_spec,
            "MultiRegion": self.multi_region,
        });
        let obj = m.as_object_mut().expect("object literal");
        match (self.key_usage.as_str(), self.key_spec.as_str()) {
            ("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT") => {
                obj.insert("EncryptionAlgorithms".into(), json!(["SYMMETRIC_DEFAULT"]));
            }
            ("ENCRYPT_DECRYPT", "SM2") => {
                obj.insert("EncryptionAlgorithms".into(), json!(["SM2PKE"]));
            }
            ("ENCRYPT_DECRYPT", _) => {
                obj.insert(
                    "EncryptionAlgorithms".into(),
                    json!(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
                );
            }
            ("SIGN_VERIFY", s) if s.starts_with("RSA") => {
                obj.insert(
                    "SigningAlgorithms".into(),
                    json!([
                        "RSASSA_PKCS1_V1_5_SHA_256",
                        "RSASSA_PKCS1_V1_5_SHA_384",
                        "RSASSA_PKCS1_V1_5_SHA_512",
                        "RSASSA_PSS_SHA_256",
                        "RSASSA_PSS_SHA_384",
                        "RSASSA_PSS_SHA_512"
                    ]),
                );
            }
            ("SIGN_VERIFY", "SM2") => {
                obj.insert("SigningAlgorithms".into(), json!(["SM2DSA"]));
            }
            ("SIGN_VERIFY", s) if s.starts_with("ML_DSA_") => {
                obj.insert("SigningAlgorithms".into(), json!(["ML_DSA_SHAKE_256"]));
            }
            ("SIGN_VERIFY", "ECC_NIST_EDWARDS25519") => {
                obj.insert(
                    "SigningAlgorithms".into(),
                    json!(["ED25519_SHA_512", "ED25519_PH_SHA_512"]),
                );
            }
            ("SIGN_VERIFY", _) => {
                obj.insert("SigningAlgorithms".into(), json!(["ECDSA_SHA_256"]));
            }
            ("ENCAPSULATE_DECAPSULATE", _) => {
                obj.insert("EncapsulationAlgorithms".into(), json!(["ML_KEM"]));
            }
            ("KEY_AGREEMENT", _) => {
                obj.insert("KeyAgreementAlgorithms".into(), json!(["ECDH"]));
            }
            ("GENERATE_VERIFY_MAC", _) => {
                obj.insert("MacAlgorithms".into(), json!(["HMAC_SHA_256"]));
            }
            _ => {}
        }
        // The deprecated CustomerMasterKeySpec names only the specs that existed before KeySpec.
        if !self.key_spec.starts_with("ML_") && self.key_spec != "ECC_NIST_EDWARDS25519" {
            obj.insert("CustomerMasterKeySpec".into(), json!(self.key_spec));
        }
        if self.key_spec == "SYMMETRIC_DEFAULT" {
            obj.insert("CurrentKeyMaterialId".into(), json!(hex_id(&self.material)));
        }
        if let Some(d) = &self.deletion_date {
            obj.insert("DeletionDate".into(), ts_num(d));
        }
        if let Some(w) = self.pending_window_days {
            obj.insert("PendingDeletionWindowInDays".into(), json!(w));
        }
        m
    }
}

pub(super) fn hex_id(material: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(material);
    d.iter().take(32).map(|b| format!("{b:02x}")).collect()
}

/// Removes keys whose waiting period is over, as KMS does at the end of ScheduleKeyDeletion.
pub fn advance(world: &mut WorldState, now: DateTime<Utc>) {
    let gone: Vec<String> = world
        .keys
        .values()
        .filter(|k| k.key_state == "PendingDeletion" && k.deletion_date.is_some_and(|d| d <= now))
        .map(|k| k.key_id.clone())
        .collect();
    for id in gone {
        world.keys.remove(&id);
        world.aliases.retain(|a| a.target_key_id != id);
    }
}

/// Finds a key by id, key ARN, alias name or alias ARN, in the request's region.
pub fn resolve<'a>(
    world: &'a WorldState,
    region: &str,
    key_ref: &str,
) -> Result<&'a Key, ApiError> {
    let not_found = || {
        ApiError::kms(
            "NotFoundException",
            format!(
                "Key '{}' does not exist",
                display_ref(world, region, key_ref)
            ),
        )
    };
    // A key or alias ARN in any partition: arn:PARTITION:kms:REGION:ACCOUNT:RESOURCE.
    let (ref_region, local) = if key_ref.starts_with("arn:") {
        let mut parts = key_ref.splitn(6, ':');
        let (_arn, _partition, service, r, _acct, res) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        );
        match (service, r, res) {
            (Some("kms"), Some(r), Some(res)) => (r.to_string(), res.to_string()),
            _ => {
                return Err(ApiError::kms(
                    "InvalidArnException",
                    format!("Invalid arn {key_ref}"),
                ));
            }
        }
    } else {
        (region.to_string(), key_ref.to_string())
    };
    if ref_region != region {
        return Err(not_found());
    }
    let key_id = if local.starts_with("alias/") {
        world
            .aliases
            .iter()
            .find(|a| a.region == region && a.name == local)
            .map(|a| a.target_key_id.clone())
            .ok_or_else(|| {
                ApiError::kms(
                    "NotFoundException",
                    format!("Alias {} is not found.", alias_arn(world, region, &local)),
                )
            })?
    } else {
        local.strip_prefix("key/").unwrap_or(&local).to_string()
    };
    world
        .keys
        .get(&key_id)
        .filter(|k| k.region == region)
        .ok_or_else(not_found)
}

pub(super) fn alias_arn(world: &WorldState, region: &str, name: &str) -> String {
    format!("arn:aws:kms:{region}:{}:{name}", world.account)
}

fn display_ref(world: &WorldState, region: &str, key_ref: &str) -> String {
    if key_ref.starts_with("arn:") {
        key_ref.to_string()
    } else {
        format!(
            "arn:aws:kms:{region}:{}:key/{}",
            world.account,
            key_ref.trim_start_matches("key/")
        )
    }
}

/// The state checks every cryptographic operation makes, with the exception KMS uses for each.
pub fn usable_for_crypto(key: &Key) -> Result<(), ApiError> {
    match key.key_state.as_str() {
        "Enabled" => {}
        "Disabled" => {
            return Err(ApiError::kms(
                "DisabledException",
                format!("{} is disabled.", key.arn),
            ));
        }
        "PendingDeletion" => {
            return Err(ApiError::kms(
                "KMSInvalidStateException",
                format!("{} is pending deletion.", key.arn),
            ));
        }
        other => {
            return Err(ApiError::kms(
                "KMSInvalidStateException",
                format!("{} is {other}.", key.arn),
            ));
        }
    }
    if !key.is_symmetric() {
        return Err(ApiError::kms(
            "InvalidKeyUsageException",
            format!(
                "You cannot generate a data key or encrypt with an asymmetric KMS key. The key spec of {} is {}.",
                key.arn, key.key_spec
            ),
        ));
    }
    Ok(())
}

pub fn default_policy(account: &str) -> String {
    serde_json::to_string_pretty(&json!({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
            "Action": "kms:*",
            "Resource": "*"
        }]
    }))
    .expect("static JSON")
}
