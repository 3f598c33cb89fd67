//! Recommendations as the world stores them: config and result in the clear or sealed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::crypto;

/// Recommendation data at rest: in the clear (AWS owned key) or sealed under a data key from the CMK.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stored {
    Plain(Value),
    Envelope {
        #[serde(with = "crypto::serde_b64")]
        encrypted_data_key: Vec<u8>,
        #[serde(with = "crypto::serde_b64")]
        sealed: Vec<u8>,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Recommendation {
    pub id: String,
    pub arn: String,
    pub region: String,
    pub name: String,
    pub description: Option<String>,
    pub rtype: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub kms_key_arn: Option<String>,
    pub config: Stored,
    pub result: Option<Stored>,
    pub client_token: Option<String>,
    pub request_digest: String,
    pub tags: BTreeMap<String, String>,
    pub next_at: Option<DateTime<Utc>>,
    pub inject_failure: bool,
}

impl Recommendation {
    /// Where it sits in ListRecommendations' order: oldest first, ties by id.
    pub fn order_key(&self) -> (i64, String) {
        (self.created_at.timestamp_micros(), self.id.clone())
    }
}
