//! Plan: what apply would do, from the desired resources and the prior
//! state checked against the cloud. A recorded resource that no longer
//! exists is drift: it is reported and planned for creation again.

use serde::Serialize;

use super::apply::{
    GATEWAY_KIND, a2a_hash, agents_env, cedar_hash, compose_env, engine_hash, gateway_hash,
    online_hash, runtime_hash, target_hash,
};
use super::artifact::RuntimeArtifact;
use super::cloud;
use super::sdk::fingerprint;
use super::state::{DeployState, RecordStatus, ResourceRecord};
use crate::aws::{self, Clients};
use crate::plan::naming;
use crate::plan::{
    DesiredResource, POLICY_ENGINE_KIND, ResourceKind, ResourcePlan, ResourceSpec, Step,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
    Unchanged,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
    pub action: Action,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<Step>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Drift {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    pub items: Vec<PlanItem>,
    pub drift: Vec<Drift>,
    /// False when the prior state was not checked against the cloud.
    pub verified: bool,
}

impl PlanReport {
    pub fn count(&self, a: Action) -> usize {
        self.items.iter().filter(|i| i.action == a).count()
    }

    pub fn has_changes(&self) -> bool {
        self.items.iter().any(|i| i.action != Action::Unchanged)
    }

    pub fn summary(&self) -> String {
        let mut s = format!(
            "Plan: {} to create, {} to update, {} to delete, {} unchanged",
            self.count(Action::Create),
            self.count(Action::Update),
            self.count(Action::Delete),
            self.count(Action::Unchanged)
        );
        if !self.drift.is_empty() {
            let names: Vec<String> = self
                .drift
                .iter()
                .map(|d| format!("{} {}", d.kind, d.name))
                .collect();
            s.push_str(&format!(". Drift detected: {}", names.join(", ")));
        }
        s
    }
}

/// Values apply learns from earlier steps, taken from the prior state so
/// the recorded fingerprints can be recomputed.
struct Known<'a> {
    st: &'a DeployState,
}

impl Known<'_> {
    fn rec(&self, kind: &str, name: &str) -> Option<&ResourceRecord> {
        self.st.get(kind, name)
    }
    fn id(&self, kind: &str, name: &str) -> Option<String> {
        self.rec(kind, name)
            .and_then(|r| r.meta("id").map(str::to_owned))
    }
    fn arn(&self, kind: &str, name: &str) -> Option<String> {
        self.rec(kind, name).and_then(|r| r.arn.clone())
    }
}

fn desired_hash(
    r: &DesiredResource,
    plan: &ResourcePlan,
    k: &Known,
    artifact: Option<&RuntimeArtifact>,
) -> Option<String> {
    Some(match &r.spec {
        ResourceSpec::Memory(s) => fingerprint(s),
        ResourceSpec::ToolGateway(s) => target_hash(s, &k.id(GATEWAY_KIND, &s.gateway_name)?),
        ResourceSpec::CedarPolicy(s) => cedar_hash(s, &k.arn(GATEWAY_KIND, &s.gateway_name)?),
        ResourceSpec::AgentRuntime(s) => {
            let memory = plan
                .resources()
                .find(|m| matches!(m.spec, ResourceSpec::Memory(_)))
                .and_then(|m| k.arn("memory", &m.name));
            // The pack's one engine, if it has one: its ARN is in the runtimes' env.
            let engine = match plan
                .resources()
                .find(|p| matches!(p.spec, ResourceSpec::CedarPolicy(_)))
            {
                Some(p) => Some(
                    k.rec("cedar_policy", &p.name)?
                        .meta("policy_engine_arn")?
                        .to_owned(),
                ),
                None => None,
            };
            let agents = if s.is_entry {
                Some(agents_env(plan, |name| k.arn("agent_runtime", name))?)
            } else {
                None
            };
            let env = compose_env(s, memory.as_deref(), engine.as_deref(), agents.as_deref());
            runtime_hash(s, artifact?, &env)
        }
        ResourceSpec::A2aEndpoint(s) => a2a_hash(&k.arn("agent_runtime", &s.runtime_name)?),
        ResourceSpec::Evaluator(s) => fingerprint(s),
        ResourceSpec::OnlineEvalConfig(s) => {
            let mut refs = Vec::new();
            for e in &s.evaluators {
                refs.push(k.id("evaluator", e)?);
            }
            refs.extend(s.builtin_evaluator_ids.iter().cloned());
            online_hash(s, &refs)
        }
    })
}

/// `cloud` is `None` for an offline plan (prior state taken on trust).
pub async fn plan(
    plan: &ResourcePlan,
    prior: &DeployState,
    cloud: Option<&Clients>,
    artifact: Option<&RuntimeArtifact>,
) -> Result<PlanReport, aws::Error> {
    let mut state = prior.clone();
    state.resources.retain(|r| {
        !matches!(
            r.status,
            Some(RecordStatus::Deleted) | Some(RecordStatus::Planned)
        )
    });
    let mut drift = Vec::new();
    if let Some(c) = cloud {
        let checks = futures_util::future::join_all(
            state
                .resources
                .iter()
                .map(|r| cloud::probe_record(c, r, prior)),
        )
        .await;
        let mut keep = Vec::new();
        for (r, res) in state.resources.drain(..).zip(checks) {
            match res {
                Ok(None)
                    if r.status != Some(RecordStatus::Creating)
                        && r.status != Some(RecordStatus::Failed) =>
                {
                    drift.push(Drift {
                        kind: r.kind.clone(),
                        name: r.name.clone(),
                        arn: r.arn.clone(),
                        reason: "recorded in state but no longer exists in AWS".into(),
                    });
                }
                Ok(_) => keep.push(r),
                Err(e) if e.operation == "CheckResource" => keep.push(r),
                Err(e) => return Err(e),
            }
        }
        state.resources = keep;
    }
    let drifted = |kind: &str, name: &str| drift.iter().any(|d| d.kind == kind && d.name == name);
    let known = Known { st: &state };

    let mut items = Vec::new();
    let mut classify = |kind: &str,
                        name: &str,
                        step: Step,
                        hash: Option<String>,
                        is_runtime: bool| {
        let rec = known.rec(kind, name);
        let (action, reason) = match rec {
            None if drifted(kind, name) => (
                Action::Create,
                "was deployed but no longer exists in AWS (drift); it will be created again".to_owned(),
            ),
            None => (Action::Create, "not deployed yet".to_owned()),
            Some(r) => match r.status {
                Some(RecordStatus::Creating) => (
                    Action::Create,
                    "a previous apply stopped while creating it; it will be adopted if it exists, never duplicated".to_owned(),
                ),
                Some(RecordStatus::Failed) => (Action::Update, "the previous apply failed on it; it will be retried".to_owned()),
                _ if hash.is_some() && r.meta("spec_hash") == hash.as_deref() => {
                    (Action::Unchanged, "matches the deployed configuration".to_owned())
                }
                _ if is_runtime => (
                    Action::Update,
                    "configuration changed; updated in place with UpdateAgentRuntime".to_owned(),
                ),
                _ => (Action::Update, "configuration changed".to_owned()),
            },
        };
        items.push(PlanItem {
            action,
            kind: kind.to_owned(),
            name: name.to_owned(),
            step: Some(step),
            reason,
        });
    };

    // Every node apply runs: the plan's resources, and the shared gateway and policy engine,
    // which are recorded and managed as resources too.
    let nodes = super::apply::resources(plan);
    for n in &nodes {
        let desired = plan
            .resources()
            .find(|r| r.kind.as_str() == n.kind && r.name == n.name);
        let hash = match desired {
            Some(r) => desired_hash(r, plan, &known, artifact),
            None => plan.resources().find_map(|r| match &r.spec {
                ResourceSpec::ToolGateway(s)
                    if n.kind == GATEWAY_KIND && s.gateway_name == n.name =>
                {
                    Some(gateway_hash(s))
                }
                ResourceSpec::CedarPolicy(s)
                    if n.kind == POLICY_ENGINE_KIND && s.engine_name == n.name =>
                {
                    Some(engine_hash(s))
                }
                _ => None,
            }),
        };
        classify(
            &n.kind,
            &n.name,
            n.step,
            hash,
            desired.is_some_and(|r| matches!(r.spec, ResourceSpec::AgentRuntime(_))),
        );
    }
    let mut deletes: Vec<&ResourceRecord> = state
        .resources
        .iter()
        .filter(|r| !nodes.iter().any(|n| n.kind == r.kind && n.name == r.name))
        .collect();
    deletes.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
    for r in deletes {
        // Apply deletes these itself, at the end of their step; the rest it leaves alone.
        let retired = r.kind == ResourceKind::OnlineEvalConfig.as_str();
        let replaced = retired
            && r.name == naming::legacy_online_eval_name(&plan.pack_id)
            && !plan.names(ResourceKind::OnlineEvalConfig).is_empty();
        let reason = if replaced {
            "the one configuration for the whole pack is replaced by one per runtime (AWS takes one service name per configuration)"
        } else {
            "no longer in the pack"
        };
        items.push(PlanItem {
            action: Action::Delete,
            kind: r.kind.clone(),
            name: r.name.clone(),
            step: retired.then_some(Step::OnlineEvalConfig),
            reason: reason.into(),
        });
    }
    Ok(PlanReport {
        items,
        drift,
        verified: cloud.is_some(),
    })
}
