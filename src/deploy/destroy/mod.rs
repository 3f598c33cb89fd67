//! Destroy: the order and the waiting here, and one file per resource kind with its delete.
//!
//! Reverse order, past failures. Gateway targets are purged before the gateway, policies before
//! their engine, and nothing recorded is skipped: a resource recorded as `creating` or `failed` is
//! looked up by name so an interrupted apply leaves nothing behind.

use std::time::Instant;

use futures_util::StreamExt;
use serde::Serialize;

use crate::aws::{self, Category};
use crate::deploy::cloud::{self, Found, call, is_not_found};
use crate::deploy::context::Deployment;
use crate::deploy::events::{Event, ResourcePhase, Step};
use crate::deploy::poll::{self, Probe};
use crate::deploy::state::{RecordStatus, ResourceRecord};

mod cedar;
mod evaluation;
mod gateway;
mod memory;
mod runtime;

/// Deletion order by state type; types not listed go last (and are left alone).
pub const ORDER: [&str; 9] = [
    "online_eval_config",
    "tool_gateway",
    "gateway",
    "cedar_policy",
    "evaluator",
    "a2a_endpoint",
    "agent_runtime",
    "memory",
    "",
];

#[derive(Debug, Clone, Serialize)]
pub struct DestroyOutcome {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<aws::Error>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DestroyReport {
    pub outcomes: Vec<DestroyOutcome>,
    pub elapsed_secs: f64,
}

impl DestroyReport {
    pub fn ok(&self) -> bool {
        self.outcomes.iter().all(|o| o.deleted)
    }

    pub fn summary(&self) -> String {
        let deleted = self.outcomes.iter().filter(|o| o.deleted).count();
        let failed = self.outcomes.len() - deleted;
        format!(
            "Destroy {}: {deleted} deleted, {failed} failed in {:.1}s",
            if failed == 0 {
                "complete"
            } else {
                "finished with errors"
            },
            self.elapsed_secs
        )
    }
}

fn step_of(kind: &str) -> Step {
    match kind {
        "memory" => Step::Memory,
        "tool_gateway" | "gateway" => Step::ToolGateways,
        "cedar_policy" => Step::CedarPolicies,
        "agent_runtime" => Step::AgentRuntimes,
        "a2a_endpoint" => Step::A2aWiring,
        "evaluator" => Step::Evaluators,
        _ => Step::OnlineEvalConfig,
    }
}

pub async fn destroy(dep: &Deployment) -> DestroyReport {
    let started = Instant::now();
    let st = dep.store.snapshot();
    let mut outcomes = Vec::new();
    for (i, kind) in ORDER.iter().enumerate() {
        let group: Vec<ResourceRecord> = st
            .resources
            .iter()
            .filter(|r| {
                if kind.is_empty() {
                    !ORDER.contains(&r.kind.as_str())
                } else {
                    r.kind == *kind
                }
            })
            .filter(|r| {
                !matches!(
                    r.status,
                    Some(RecordStatus::Deleted) | Some(RecordStatus::Planned)
                )
            })
            .cloned()
            .collect();
        if group.is_empty() {
            continue;
        }
        let step = step_of(kind);
        let step_started = Instant::now();
        dep.events.send(Event::StepStarted {
            step,
            resources: group.len(),
        });
        if *kind == "tool_gateway" {
            gateway::purge_targets(dep, &group).await;
        }
        let work: Vec<_> = group
            .iter()
            .map(|r| one(dep, step, r, i == ORDER.len() - 1))
            .collect();
        let results: Vec<DestroyOutcome> = futures_util::stream::iter(work)
            .buffer_unordered(dep.concurrency.max(1))
            .collect()
            .await;
        let failed = results.iter().filter(|o| !o.deleted).count();
        dep.events.send(Event::StepFinished {
            step,
            succeeded: results.len() - failed,
            failed,
            skipped: 0,
            elapsed: step_started.elapsed(),
        });
        outcomes.extend(results);
    }
    DestroyReport {
        outcomes,
        elapsed_secs: started.elapsed().as_secs_f64(),
    }
}

/// Polls until the resource answers NotFound.
async fn wait_gone<Fut>(
    dep: &Deployment,
    kind: &str,
    name: &str,
    probe: impl Fn() -> Fut,
) -> Result<(), aws::Error>
where
    Fut: std::future::Future<Output = Result<Probe, aws::Error>>,
{
    let never = tokio_util::sync::CancellationToken::new();
    poll::until_ready(
        kind,
        name,
        &dep.poll,
        &never,
        |_| {},
        || {
            let fut = probe();
            async move {
                match fut.await {
                    Ok(Probe::Failed { state, reason }) if state.starts_with("DELETE") => {
                        Ok(Probe::Failed { state, reason })
                    }
                    Ok(p) => Ok(Probe::Pending(match p {
                        Probe::Pending(s) | Probe::Ready(s) | Probe::Failed { state: s, .. } => s,
                    })),
                    Err(e) if is_not_found(&e) => Ok(Probe::Ready("DELETED".into())),
                    Err(e) => Err(e),
                }
            }
        },
    )
    .await
    .map(|_| ())
}

async fn one(dep: &Deployment, step: Step, r: &ResourceRecord, unknown: bool) -> DestroyOutcome {
    let started = Instant::now();
    let phase = |p: ResourcePhase| {
        dep.events.send(Event::Resource {
            step,
            kind: r.kind.clone(),
            name: r.name.clone(),
            phase: p,
            elapsed: started.elapsed(),
            arn: r.arn.clone(),
        })
    };
    let res = if unknown {
        Err(aws::Error::new(
            Category::Configuration,
            "Delete",
            format!(
                "unknown resource type \"{}\" in state; delete it by hand",
                r.kind
            ),
        ))
    } else {
        phase(ResourcePhase::Calling("Delete".into()));
        delete(dep, r).await
    };
    match res {
        Ok(()) => {
            let _ = dep.store.remove(&r.kind, &r.name);
            phase(ResourcePhase::Deleted);
            DestroyOutcome {
                kind: r.kind.clone(),
                name: r.name.clone(),
                deleted: true,
                error: None,
            }
        }
        Err(e) => {
            let _ = dep.store.update(|st| {
                if let Some(x) = st
                    .resources
                    .iter_mut()
                    .find(|x| x.kind == r.kind && x.name == r.name)
                {
                    x.status = Some(RecordStatus::Failed);
                }
            });
            dep.events.send(Event::Error {
                step: Some(step),
                kind: r.kind.clone(),
                name: r.name.clone(),
                category: e.category,
                message: e.message.clone(),
                hint: e.hint.clone(),
            });
            phase(ResourcePhase::Failed);
            DestroyOutcome {
                kind: r.kind.clone(),
                name: r.name.clone(),
                deleted: false,
                error: Some(e),
            }
        }
    }
}

fn id_of(r: &ResourceRecord) -> Option<String> {
    r.meta("id").filter(|s| !s.is_empty()).map(str::to_owned)
}

async fn resolve<Fut>(
    r: &ResourceRecord,
    find: impl FnOnce() -> Fut,
) -> Result<Option<String>, aws::Error>
where
    Fut: std::future::Future<Output = Result<Option<Found>, aws::Error>>,
{
    match id_of(r) {
        Some(id) => Ok(Some(id)),
        None => Ok(find().await?.map(|f| f.id)),
    }
}

fn gone_ok<T>(r: Result<T, aws::Error>) -> Result<(), aws::Error> {
    match r {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Deletes one recorded resource and waits until it is gone; also apply's, for what it retires.
pub(super) async fn delete(dep: &Deployment, r: &ResourceRecord) -> Result<(), aws::Error> {
    match r.kind.as_str() {
        "online_eval_config" => evaluation::delete_online_eval(dep, r).await,
        "tool_gateway" => gateway::delete_tool_target(dep, r).await,
        "gateway" => gateway::delete_gateway(dep, r).await,
        "cedar_policy" => cedar::delete_policy_engine(dep, r).await,
        "evaluator" => evaluation::delete_evaluator(dep, r).await,
        // Logical: goes with its runtime.
        "a2a_endpoint" => Ok(()),
        "agent_runtime" => runtime::delete_runtime(dep, r).await,
        "memory" => memory::delete_memory(dep, r).await,
        other => Err(aws::Error::new(
            Category::Configuration,
            "Delete",
            format!("unknown resource type \"{other}\""),
        )),
    }
}
