//! The resource plan a deployment is made of: one file per resource kind, AWS names and Cedar.
//!
//! The ground floor: it imports neither the pack nor the config, so both, the derivation and the
//! engine can all use it.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;

pub mod cedar;
pub mod evaluation;
pub mod gateway;
pub mod memory;
pub mod naming;
pub mod runtime;

pub use cedar::{CedarPolicySpec, POLICY_ENGINE_KIND};
pub use evaluation::{EvaluatorSpec, OnlineEvalSpec, RatingLevel};
pub use gateway::{GATEWAY_KIND, ToolGatewaySpec};
pub use memory::MemorySpec;
pub use runtime::{A2aEndpointSpec, JwtAuthorizer, RuntimeSpec};

pub type Tags = BTreeMap<String, String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Memory,
    ToolGateways,
    CedarPolicies,
    AgentRuntimes,
    A2aWiring,
    Evaluators,
    OnlineEvalConfig,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Memory,
        Step::ToolGateways,
        Step::CedarPolicies,
        Step::AgentRuntimes,
        Step::A2aWiring,
        Step::Evaluators,
        Step::OnlineEvalConfig,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::Memory => "Memory",
            Step::ToolGateways => "Tool gateways",
            Step::CedarPolicies => "Cedar policies",
            Step::AgentRuntimes => "Agent runtimes",
            Step::A2aWiring => "A2A wiring",
            Step::Evaluators => "Evaluators",
            Step::OnlineEvalConfig => "Online evaluation",
        }
    }
}

/// Serialises to the adapter's state `type` strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ResourceKind {
    #[serde(rename = "memory")]
    Memory,
    #[serde(rename = "tool_gateway")]
    ToolGateway,
    #[serde(rename = "cedar_policy")]
    CedarPolicy,
    #[serde(rename = "agent_runtime")]
    AgentRuntime,
    #[serde(rename = "a2a_endpoint")]
    A2aEndpoint,
    #[serde(rename = "evaluator")]
    Evaluator,
    #[serde(rename = "online_eval_config")]
    OnlineEvalConfig,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Memory => "memory",
            ResourceKind::ToolGateway => "tool_gateway",
            ResourceKind::CedarPolicy => "cedar_policy",
            ResourceKind::AgentRuntime => "agent_runtime",
            ResourceKind::A2aEndpoint => "a2a_endpoint",
            ResourceKind::Evaluator => "evaluator",
            ResourceKind::OnlineEvalConfig => "online_eval_config",
        }
    }

    pub fn step(self) -> Step {
        match self {
            ResourceKind::Memory => Step::Memory,
            ResourceKind::ToolGateway => Step::ToolGateways,
            ResourceKind::CedarPolicy => Step::CedarPolicies,
            ResourceKind::AgentRuntime => Step::AgentRuntimes,
            ResourceKind::A2aEndpoint => Step::A2aWiring,
            ResourceKind::Evaluator => Step::Evaluators,
            ResourceKind::OnlineEvalConfig => Step::OnlineEvalConfig,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            ResourceKind::Memory,
            ResourceKind::ToolGateway,
            ResourceKind::CedarPolicy,
            ResourceKind::AgentRuntime,
            ResourceKind::A2aEndpoint,
            ResourceKind::Evaluator,
            ResourceKind::OnlineEvalConfig,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesiredResource {
    pub kind: ResourceKind,
    /// The AWS name: the same in plan, apply and state.
    pub name: String,
    /// The pack id or key it came from (hyphens and all).
    pub logical_id: String,
    /// The graph edges apply follows (destroy follows them backwards), each with its reason.
    pub depends_on: Vec<Dependency>,
    pub spec: ResourceSpec,
}

/// What a dependant needs of the resource it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Needs {
    /// Ready (ACTIVE, READY…): the dependant uses it.
    Ready,
    /// Only its ARN or id, known from its Create answer: the dependant names it.
    Arn,
}

/// One edge of the deployment graph: wait for the resource of state type `kind` (`gateway` for
/// the pack's one gateway) called `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    pub kind: String,
    pub name: String,
    pub needs: Needs,
    pub reason: String,
}

impl Dependency {
    pub fn ready(kind: impl Into<String>, name: impl Into<String>, reason: &str) -> Self {
        Dependency {
            kind: kind.into(),
            name: name.into(),
            needs: Needs::Ready,
            reason: reason.to_owned(),
        }
    }

    pub fn arn(kind: impl Into<String>, name: impl Into<String>, reason: &str) -> Self {
        Dependency {
            needs: Needs::Arn,
            ..Dependency::ready(kind, name, reason)
        }
    }

    pub fn is_on(&self, kind: &str, name: &str) -> bool {
        self.kind == kind && self.name == name
    }

    /// `after memory m (why)`, as plan shows it.
    pub fn describe(&self) -> String {
        let what = match self.needs {
            Needs::Ready => "",
            Needs::Arn => "'s ARN",
        };
        format!("after {} {}{what}: {}", self.kind, self.name, self.reason)
    }
}

// A plan holds a few dozen of these, built once; boxing the big variants would only add noise
// to every match in the engine.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResourceSpec {
    Memory(MemorySpec),
    ToolGateway(ToolGatewaySpec),
    CedarPolicy(CedarPolicySpec),
    AgentRuntime(RuntimeSpec),
    A2aEndpoint(A2aEndpointSpec),
    Evaluator(EvaluatorSpec),
    OnlineEvalConfig(OnlineEvalSpec),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanStep {
    pub step: Step,
    pub resources: Vec<DesiredResource>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourcePlan {
    pub pack_id: String,
    pub pack_version: String,
    pub region: String,
    /// All seven steps, in pipeline order, empty ones included.
    pub steps: Vec<PlanStep>,
    pub warnings: Vec<Diagnostic>,
}

impl ResourcePlan {
    pub fn resources(&self) -> impl Iterator<Item = &DesiredResource> {
        self.steps.iter().flat_map(|s| s.resources.iter())
    }

    pub fn find(&self, kind: ResourceKind, name: &str) -> Option<&DesiredResource> {
        self.resources().find(|r| r.kind == kind && r.name == name)
    }

    pub fn names(&self, kind: ResourceKind) -> Vec<&str> {
        self.resources()
            .filter(|r| r.kind == kind)
            .map(|r| r.name.as_str())
            .collect()
    }
}
