//! KMS keys and aliases as the world stores them; what KMS answers about them lives in `kms`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::crypto::serde_b64;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Key {
    pub key_id: String,
    pub arn: String,
    pub region: String,
    pub account: String,
    pub creation_date: DateTime<Utc>,
    pub description: String,
    pub key_usage: String,
    pub key_spec: String,
    pub key_state: String,
    pub deletion_date: Option<DateTime<Utc>>,
    pub pending_window_days: Option<i64>,
    pub policy: String,
    pub origin: String,
    pub multi_region: bool,
    pub tags: Vec<(String, String)>,
    #[serde(with = "serde_b64")]
    pub material: Vec<u8>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Alias {
    pub name: String,
    pub region: String,
    pub account: String,
    pub target_key_id: String,
    pub creation_date: DateTime<Utc>,
    pub last_updated: DateTime<Utc>,
}

impl Alias {
    pub fn arn(&self) -> String {
        format!("arn:aws:kms:{}:{}:{}", self.region, self.account, self.name)
    }
}

impl Key {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        key_id: String,
        region: &str,
        account: &str,
        created: DateTime<Utc>,
        spec: &str,
        usage: &str,
        policy: String,
        material: Vec<u8>,
    ) -> Key {
        Key {
            arn: format!("arn:aws:kms:{region}:{account}:key/{key_id}"),
            key_id,
            region: region.to_string(),
            account: account.to_string(),
            creation_date: created,
            description: String::new(),
            key_usage: usage.to_string(),
            key_spec: spec.to_string(),
            key_state: "Enabled".into(),
            deletion_date: None,
            pending_window_days: None,
            policy,
            origin: "AWS_KMS".into(),
            multi_region: false,
            tags: Vec::new(),
            material,
        }
    }

    pub fn is_symmetric(&self) -> bool {
        self.key_spec == "SYMMETRIC_DEFAULT" && self.key_usage == "ENCRYPT_DECRYPT"
    }
}
