//! CloudTrail events as the world keeps them, one per KMS use.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who made a KMS call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// The deployer role, directly.
    Caller,
    /// The deployer role, through AgentCore (forward access session).
    CallerViaService,
    /// `bedrock-agentcore.amazonaws.com` itself, in the asynchronous workflow.
    Service,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrailEvent {
    /// Increasing in the world: where the event sits in the state database. State files of
    /// format 1 had none; they are numbered in order when migrated.
    #[serde(default)]
    pub seq: u64,
    pub id: String,
    pub time: DateTime<Utc>,
    pub name: String,
    pub region: String,
    pub actor: Actor,
    pub access_key: String,
    pub key_arn: Option<String>,
    pub encryption_context: BTreeMap<String, String>,
    pub request_parameters: Value,
    pub error: Option<(String, String)>,
    pub source_arn: Option<String>,
    pub request_id: String,
    pub user_agent: String,
}
