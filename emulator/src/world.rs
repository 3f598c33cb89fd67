//! Everything the emulator remembers; serialisable so `--state FILE` can keep it between runs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::cloudtrail::TrailEvent;
use crate::kms::{Alias, Key};
use crate::recommendations::Recommendation;
use crate::s3::Bucket;
use crate::timing::Timing;

pub const DEFAULT_ACCOUNT: &str = "111122223333";
pub const DEPLOYER_ROLE: &str = "AgentCoreDeployer";
pub const SERVICE_PRINCIPAL: &str = "bedrock-agentcore.amazonaws.com";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Memory,
    Gateway,
    GatewayTarget,
    PolicyEngine,
    Policy,
    AgentRuntime,
    Evaluator,
    OnlineEvaluationConfig,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Memory,
        Kind::Gateway,
        Kind::GatewayTarget,
        Kind::PolicyEngine,
        Kind::Policy,
        Kind::AgentRuntime,
        Kind::Evaluator,
        Kind::OnlineEvaluationConfig,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Memory => "memory",
            Kind::Gateway => "gateway",
            Kind::GatewayTarget => "gateway_target",
            Kind::PolicyEngine => "policy_engine",
            Kind::Policy => "policy",
            Kind::AgentRuntime => "agent_runtime",
            Kind::Evaluator => "evaluator",
            Kind::OnlineEvaluationConfig => "online_evaluation_config",
        }
    }

    /// What AWS calls it in messages.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Memory => "Memory",
            Kind::Gateway => "Gateway",
            Kind::GatewayTarget => "Gateway target",
            Kind::PolicyEngine => "Policy engine",
            Kind::Policy => "Policy",
            Kind::AgentRuntime => "Agent runtime",
            Kind::Evaluator => "Evaluator",
            Kind::OnlineEvaluationConfig => "Online evaluation config",
        }
    }

    pub fn ready(self) -> &'static str {
        match self {
            Kind::Gateway | Kind::GatewayTarget | Kind::AgentRuntime => "READY",
            _ => "ACTIVE",
        }
    }

    pub fn create_failed(self) -> &'static str {
        match self {
            Kind::Memory | Kind::Gateway | Kind::GatewayTarget => "FAILED",
            _ => "CREATE_FAILED",
        }
    }

    pub fn update_failed(self) -> &'static str {
        match self {
            Kind::Gateway | Kind::GatewayTarget => "UPDATE_UNSUCCESSFUL",
            Kind::Memory => "FAILED",
            _ => "UPDATE_FAILED",
        }
    }

    /// Where a failed deletion leaves the resource; evaluators and online evaluation configs have
    /// no such state, so for them a deletion always completes.
    pub fn delete_failed(self) -> Option<&'static str> {
        match self {
            Kind::AgentRuntime | Kind::PolicyEngine | Kind::Policy => Some("DELETE_FAILED"),
            Kind::Memory | Kind::Gateway | Kind::GatewayTarget => Some("FAILED"),
            Kind::Evaluator | Kind::OnlineEvaluationConfig => None,
        }
    }
}

/// A state change that is due at `at`; `to: None` means the resource disappears.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pending {
    pub at: DateTime<Utc>,
    pub to: Option<String>,
    #[serde(default)]
    pub failure_reason: Option<String>,
}

/// One control-plane resource. `spec` keeps the members as the client sent them, so unions and
/// nested shapes come back exactly as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Resource {
    pub kind: Kind,
    pub id: String,
    pub parent: Option<String>,
    pub arn: String,
    pub name: String,
    pub region: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub status: String,
    pub pending: Option<Pending>,
    pub spec: Map<String, Value>,
    pub tags: BTreeMap<String, String>,
    pub client_token: Option<String>,
    pub request_digest: String,
    pub version: u32,
    pub failure_reason: Option<String>,
    /// (clientToken, request digest) of the last update, so a retried update is not applied twice.
    #[serde(default)]
    pub last_update: Option<(String, String)>,
    /// Specs of earlier versions (agent runtimes), oldest first.
    #[serde(default)]
    pub history: Vec<Map<String, Value>>,
}

impl Resource {
    pub fn sort_key(&self) -> String {
        format!("{:020}/{}", self.created_at.timestamp_micros(), self.id)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WorldState {
    pub account: String,
    pub id_counter: u64,
    pub resources: BTreeMap<String, Resource>,
    pub keys: BTreeMap<String, Key>,
    pub aliases: Vec<Alias>,
    pub recommendations: BTreeMap<String, Recommendation>,
    pub events: std::collections::VecDeque<TrailEvent>,
    pub buckets: BTreeMap<String, Bucket>,
}

impl WorldState {
    pub fn empty(account: &str) -> Self {
        WorldState {
            account: account.to_string(),
            ..Default::default()
        }
    }

    pub fn caller_role_arn(&self) -> String {
        format!("arn:aws:iam::{}:role/{DEPLOYER_ROLE}", self.account)
    }

    /// Deterministic ids: the n-th id of a world is always the same, so demo runs and tests repeat.
    pub fn next_suffix(&mut self, len: usize, upper: bool) -> String {
        self.id_counter += 1;
        let mut rng = fastrand::Rng::with_seed(self.id_counter.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        (0..len)
            .map(|_| {
                let c = rng.alphanumeric();
                if upper { c.to_ascii_uppercase() } else { c }
            })
            .collect()
    }

    pub fn next_uuid(&mut self) -> String {
        self.id_counter += 1;
        let mut rng = fastrand::Rng::with_seed(self.id_counter.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let b: [u8; 16] = std::array::from_fn(|_| rng.u8(..));
        uuid::Builder::from_random_bytes(b).into_uuid().to_string()
    }

    /// Applies every state change that has come due. Called before each request is served.
    /// Returns whether anything changed.
    pub fn tick(&mut self, now: DateTime<Utc>, timing: &Timing) -> bool {
        let before = (
            self.resources.len(),
            self.recommendations.len(),
            self.keys.len(),
            self.id_counter,
        );
        let mut changed = false;
        let mut gone = Vec::new();
        for (id, r) in self.resources.iter_mut() {
            if let Some(p) = r.pending.as_ref().filter(|p| p.at <= now) {
                match &p.to {
                    Some(status) => {
                        changed = true;
                        r.status = status.clone();
                        r.updated_at = p.at;
                        if p.failure_reason.is_some() {
                            r.failure_reason = p.failure_reason.clone();
                        }
                        r.pending = None;
                    }
                    None => gone.push(id.clone()),
                }
            }
        }
        for id in gone {
            self.resources.remove(&id);
        }
        let recs_moved = crate::recommendations::advance(self, now, timing);
        crate::kms::advance(self, now);
        changed
            || recs_moved
            || before
                != (
                    self.resources.len(),
                    self.recommendations.len(),
                    self.keys.len(),
                    self.id_counter,
                )
    }

    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut out: BTreeMap<String, usize> =
            Kind::ALL.iter().map(|k| (k.key().to_string(), 0)).collect();
        for r in self.resources.values() {
            *out.entry(r.kind.key().to_string()).or_default() += 1;
        }
        out.insert("recommendation".into(), self.recommendations.len());
        out.insert(
            "kms_key".into(),
            self.keys
                .values()
                .filter(|k| k.key_state != "Deleted")
                .count(),
        );
        out.insert("s3_bucket".into(), self.buckets.len());
        out.insert(
            "s3_object".into(),
            self.buckets.values().map(|b| b.objects.len()).sum(),
        );
        out
    }
}

/// What a handler knows about the request it serves.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub region: String,
    pub now: DateTime<Utc>,
    pub access_key: String,
    pub request_id: String,
    pub user_agent: String,
    /// The fault dice said this create/update/recommendation must end in a failed state.
    pub fail: bool,
}

impl Ctx {
    pub fn session_arn(&self, account: &str) -> String {
        format!("arn:aws:sts::{account}:assumed-role/{DEPLOYER_ROLE}/{SESSION_NAME}")
    }
}

pub const SESSION_NAME: &str = "agentcore-tui";
