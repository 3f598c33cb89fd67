//! Recommendations as the world stores them: config and result in the clear or sealed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::crypto;

/// JSON kept as its text: a recommendation's config and result are read only by
/// GetRecommendation and the workflow, so tens of thousands of them are held as compact text
/// rather than as trees of values (several times the size). On disk it is the JSON itself.
#[derive(Clone, Debug)]
pub struct JsonText(Box<str>);

impl JsonText {
    pub fn new(value: &Value) -> JsonText {
        JsonText(value.to_string().into_boxed_str())
    }

    pub fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

impl Serialize for JsonText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for JsonText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<JsonText, D::Error> {
        Value::deserialize(d).map(|v| JsonText::new(&v))
    }
}

/// Recommendation data at rest: in the clear (AWS owned key) or sealed under a data key from the CMK.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stored {
    Plain(JsonText),
    Envelope {
        #[serde(with = "crypto::serde_b64")]
        encrypted_data_key: Vec<u8>,
        #[serde(with = "crypto::serde_b64")]
        sealed: Vec<u8>,
    },
}

impl Stored {
    pub fn plain(value: Value) -> Stored {
        Stored::Plain(JsonText::new(&value))
    }
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
