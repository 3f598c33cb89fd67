//! Control-plane resources (memories, gateways, targets, policy engines, policies, runtimes,
//! evaluators, online evaluation configs) and their due state changes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::WorldState;

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

/// Applies the resources' due transitions; a `Pending` with no target status removes the resource.
pub fn advance(world: &mut WorldState, now: DateTime<Utc>) -> bool {
    let mut changed = false;
    let mut gone = Vec::new();
    for (id, r) in world.resources.iter_mut() {
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
        world.resources.remove(&id);
    }
    changed
}
