//! Destroy: the graph and the waiting here, and one file per resource kind with its delete.
//!
//! The graph is built from the state alone (the pack may have changed since the apply): every
//! live record is a node, with the edges apply's graph has between their kinds, turned around,
//! so each resource goes only once everything that uses it is gone. It runs concurrently,
//! bounded by the concurrency; a failed delete skips only what had to wait for it; cancellation
//! starts nothing new and lets the deletes in flight finish. A resource recorded as `creating`
//! or `failed` is looked up by name, so an interrupted apply leaves nothing behind.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::aws::{self, Category};
use crate::deploy::cloud::{self, Found, call, is_not_found};
use crate::deploy::context::Deployment;
use crate::deploy::events::{Event, ResourcePhase, Step};
use crate::deploy::graph::{self, Graph, Known, Node, OnFailure, Settled};
use crate::deploy::panes::{Ended, Panes};
use crate::deploy::poll::{self, Probe};
use crate::deploy::state::{DeployState, RecordStatus, ResourceRecord};
use crate::plan::{Dependency, POLICY_ENGINE_KIND};

mod artifact;
mod cedar;
mod evaluation;
mod gateway;
mod memory;
mod runtime;

pub use artifact::{ARTIFACT_BUCKET, ARTIFACT_KEY, CODE_ARTIFACT_KIND};

/// The kinds destroy knows how to delete; any other recorded kind is reported, not touched.
const KNOWN: [&str; 10] = [
    "online_eval_config",
    "tool_gateway",
    "gateway",
    "cedar_policy",
    POLICY_ENGINE_KIND,
    "evaluator",
    "a2a_endpoint",
    "agent_runtime",
    "memory",
    CODE_ARTIFACT_KIND,
];

/// How many status checks in a row may fail on the network before a delete is reported as
/// not confirmed (each retry waits longer: 0.1 s, 0.2 s … 3.2 s, about 6 s in all).
const PROBE_RETRIES: u32 = 6;

#[derive(Debug, Clone, Serialize)]
pub struct DestroyOutcome {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<aws::Error>,
    /// Why it was not tried: what it waits for was not deleted, or the destroy was cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DestroyReport {
    pub outcomes: Vec<DestroyOutcome>,
    pub cancelled: bool,
    pub elapsed_secs: f64,
}

impl DestroyReport {
    pub fn ok(&self) -> bool {
        !self.cancelled && self.outcomes.iter().all(|o| o.deleted)
    }

    pub fn summary(&self) -> String {
        let deleted = self.outcomes.iter().filter(|o| o.deleted).count();
        let failed = self
            .outcomes
            .iter()
            .filter(|o| !o.deleted && o.error.is_some())
            .count();
        let kept = self.outcomes.len() - deleted - failed;
        let mut s = format!(
            "Destroy {}: {deleted} deleted, {failed} failed",
            if self.cancelled {
                "cancelled"
            } else if self.ok() {
                "complete"
            } else {
                "finished with errors"
            },
        );
        if kept > 0 {
            s.push_str(&format!(", {kept} kept (run destroy again)"));
        }
        s.push_str(&format!(" in {:.1}s", self.elapsed_secs));
        s
    }
}

fn step_of(kind: &str) -> Step {
    match kind {
        "memory" => Step::Memory,
        "tool_gateway" | "gateway" => Step::ToolGateways,
        "cedar_policy" | POLICY_ENGINE_KIND => Step::CedarPolicies,
        "agent_runtime" | CODE_ARTIFACT_KIND => Step::AgentRuntimes,
        "a2a_endpoint" => Step::A2aWiring,
        "evaluator" => Step::Evaluators,
        _ => Step::OnlineEvalConfig,
    }
}

/// What a node deletes.
#[derive(Debug, Clone)]
pub enum Target {
    Record(ResourceRecord),
    /// The code package the runtimes ran (from their records), deleted once they are all gone.
    Artifact {
        bucket: String,
        key: String,
    },
}

/// Edges between kinds, as "uses" (the user, what it uses, why; the why reading after "it
/// is"), mostly apply's edges. Destroy turns them around: what is used goes last.
const USES: [(&str, &str, &str); 10] = [
    ("tool_gateway", "gateway", "a target of the gateway"),
    (
        "cedar_policy",
        POLICY_ENGINE_KIND,
        "the engine holding the policies, detached from the gateway before its delete",
    ),
    (
        "cedar_policy",
        "gateway",
        "the policy engine the gateway enforces (detached before the engine's delete)",
    ),
    // Turned around on purpose: the tools go before their guard, so detaching the engine never
    // leaves a blocked tool callable, and the detach need not wait for the policies' deletes.
    (
        "tool_gateway",
        "cedar_policy",
        "a target whose tool the engine guards: no tool outlives its guard",
    ),
    ("agent_runtime", "memory", "an agent writing to the memory"),
    (
        "agent_runtime",
        "cedar_policy",
        "an agent whose gateway enforces the engine: no agent outlives its guard",
    ),
    (
        "a2a_endpoint",
        "agent_runtime",
        "the A2A endpoint the runtime serves",
    ),
    (
        "online_eval_config",
        "evaluator",
        "an online evaluation using the evaluator",
    ),
    (
        "online_eval_config",
        "agent_runtime",
        "an online evaluation of the runtime's sessions",
    ),
    (
        "agent_runtime",
        CODE_ARTIFACT_KIND,
        "a runtime running the code package",
    ),
];

/// The destroy graph of this state: one node per live record (and one per code package the
/// runtimes name), each waiting for everything that uses it.
pub fn graph(st: &DeployState) -> (Graph, Vec<Target>) {
    let mut targets: Vec<Target> = st.live().cloned().map(Target::Record).collect();
    let mut packages: Vec<(String, String)> = st
        .live()
        .filter(|r| r.kind == "agent_runtime")
        .filter_map(artifact::of_runtime)
        .collect();
    packages.sort();
    packages.dedup();
    for (bucket, key) in packages {
        if st
            .get(CODE_ARTIFACT_KIND, &artifact::name(&bucket, &key))
            .is_none()
        {
            targets.push(Target::Artifact { bucket, key });
        }
    }
    let nodes: Vec<Node> = targets
        .iter()
        .map(|t| {
            let (kind, name) = t.key();
            Node {
                step: step_of(&kind),
                kind,
                name,
                deps: Vec::new(),
            }
        })
        .collect();
    let mut uses = Graph { nodes };
    for i in 0..targets.len() {
        let kind = uses.nodes[i].kind.clone();
        let deps: Vec<Dependency> = targets
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .filter_map(|(_, t)| {
                let (dk, dn) = t.key();
                let (_, _, why) = USES.iter().find(|(a, b, _)| *a == kind && *b == dk)?;
                if !t.used_by(&targets[i]) {
                    return None;
                }
                Some(Dependency::ready(dk, dn, why))
            })
            .collect();
        uses.nodes[i].deps = deps;
    }
    (uses.reversed(), targets)
}

impl Target {
    fn key(&self) -> (String, String) {
        match self {
            Target::Record(r) => (r.kind.clone(), r.name.clone()),
            Target::Artifact { bucket, key } => {
                (CODE_ARTIFACT_KIND.to_owned(), artifact::name(bucket, key))
            }
        }
    }

    /// Kind-level edges hold for every pair of those kinds, except a code package, which only
    /// the runtimes naming it use.
    fn used_by(&self, user: &Target) -> bool {
        match (self, user) {
            (Target::Artifact { bucket, key }, Target::Record(r)) => {
                artifact::of_runtime(r).is_some_and(|(b, k)| &b == bucket && &k == key)
            }
            (Target::Record(r), Target::Record(u)) if r.kind == CODE_ARTIFACT_KIND => {
                artifact::of_runtime(u).is_some_and(|(b, k)| artifact::name(&b, &k) == r.name)
            }
            _ => true,
        }
    }
}

struct Run<'a> {
    dep: &'a Deployment,
    graph: Graph,
    targets: Vec<Target>,
    outcomes: Mutex<Vec<DestroyOutcome>>,
    panes: Panes,
}

pub async fn destroy(dep: &Deployment) -> DestroyReport {
    let started = Instant::now();
    let (graph, targets) = graph(&dep.store.snapshot());
    let panes = Panes::new(graph.nodes.iter().map(|n| n.step));
    let run = Run {
        dep,
        graph,
        targets,
        outcomes: Mutex::new(Vec::new()),
        panes,
    };
    graph::schedule(
        &run.graph,
        dep.concurrency,
        OnFailure::SkipDependants,
        &dep.cancel,
        &Known::default(),
        &run,
        |i| run.node(i),
    )
    .await;
    DestroyReport {
        outcomes: run.outcomes.into_inner().unwrap(),
        cancelled: dep.cancel.is_cancelled(),
        elapsed_secs: started.elapsed().as_secs_f64(),
    }
}

impl graph::Hooks for Run<'_> {
    fn skipped(&self, i: usize, because: &Dependency) {
        self.kept(
            i,
            format!(
                "kept: {} {} is not deleted, and it {}",
                because.kind,
                because.name,
                because.reason.replacen("deleted first: it is", "is", 1)
            ),
        );
    }

    fn not_started(&self, i: usize) {
        self.kept(i, "cancelled before it started".to_owned());
    }
}

impl Run<'_> {
    fn touch(&self, step: Step) {
        self.panes.touch(step, &self.dep.events);
    }

    fn settle(&self, step: Step, o: DestroyOutcome) {
        let how = if o.deleted {
            Ended::Ok
        } else if o.error.is_some() {
            Ended::Failed
        } else {
            Ended::Skipped
        };
        self.panes.settle(step, how, &self.dep.events);
        self.outcomes.lock().unwrap().push(o);
    }

    fn kept(&self, i: usize, reason: String) {
        let n = &self.graph.nodes[i];
        self.touch(n.step);
        self.dep.events.send(Event::Resource {
            step: n.step,
            kind: n.kind.clone(),
            name: n.name.clone(),
            phase: ResourcePhase::Skipped(reason.clone()),
            elapsed: Duration::ZERO,
            arn: None,
        });
        self.settle(
            n.step,
            DestroyOutcome {
                kind: n.kind.clone(),
                name: n.name.clone(),
                deleted: false,
                error: None,
                reason: Some(reason),
            },
        );
    }

    async fn node(&self, i: usize) -> Settled {
        let n = &self.graph.nodes[i];
        let step = n.step;
        self.touch(step);
        let started = Instant::now();
        let arn = match &self.targets[i] {
            Target::Record(r) => r.arn.clone(),
            Target::Artifact { .. } => None,
        };
        let phase = |p: ResourcePhase| {
            self.dep.events.send(Event::Resource {
                step,
                kind: n.kind.clone(),
                name: n.name.clone(),
                phase: p,
                elapsed: started.elapsed(),
                arn: arn.clone(),
            })
        };
        phase(ResourcePhase::Calling("Delete".into()));
        let res = match &self.targets[i] {
            Target::Record(r) if !KNOWN.contains(&r.kind.as_str()) => Err(aws::Error::new(
                Category::Configuration,
                "Delete",
                format!(
                    "unknown resource type \"{}\" in state; delete it by hand",
                    r.kind
                ),
            )),
            Target::Record(r) => delete(self.dep, r).await,
            Target::Artifact { bucket, key } => artifact::delete(self.dep, bucket, key).await,
        };
        match res {
            Ok(()) => {
                let (kind, name) = self.targets[i].key();
                let saved = self.dep.store.update(|st| {
                    st.resources.retain(|x| !(x.kind == kind && x.name == name));
                    artifact::keep_track(st, &self.targets[i]);
                });
                if let Err(e) = saved {
                    self.dep.events.warn(format!("state not saved: {e}"));
                }
                phase(ResourcePhase::Deleted);
                self.settle(
                    step,
                    DestroyOutcome {
                        kind: n.kind.clone(),
                        name: n.name.clone(),
                        deleted: true,
                        error: None,
                        reason: None,
                    },
                );
                Settled::Done
            }
            Err(e) => {
                let rec = match &self.targets[i] {
                    Target::Record(r) => r.clone(),
                    // No runtime names it any more: recorded, so the next destroy retries it.
                    Target::Artifact { bucket, key } => artifact::record(bucket, key),
                };
                let saved = self.dep.store.update(|st| {
                    match st
                        .resources
                        .iter_mut()
                        .find(|x| x.kind == rec.kind && x.name == rec.name)
                    {
                        Some(x) => x.status = Some(RecordStatus::Failed),
                        None => {
                            let mut rec = rec.clone();
                            rec.status = Some(RecordStatus::Failed);
                            st.resources.push(rec);
                        }
                    }
                });
                if let Err(e) = saved {
                    self.dep.events.warn(format!("state not saved: {e}"));
                }
                self.dep.events.send(Event::Error {
                    step: Some(step),
                    kind: n.kind.clone(),
                    name: n.name.clone(),
                    category: e.category,
                    message: e.message.clone(),
                    hint: e.hint.clone(),
                });
                phase(ResourcePhase::Failed);
                self.settle(
                    step,
                    DestroyOutcome {
                        kind: n.kind.clone(),
                        name: n.name.clone(),
                        deleted: false,
                        error: Some(e),
                        reason: None,
                    },
                );
                Settled::Failed
            }
        }
    }
}

/// Polls until the resource answers NotFound. A status check lost on the network says nothing
/// about the delete: it is retried (a few times, waiting longer each time), and only if the
/// network stays away is the delete reported as not confirmed.
async fn wait_gone<Fut>(
    dep: &Deployment,
    kind: &str,
    name: &str,
    probe: impl Fn() -> Fut,
) -> Result<(), aws::Error>
where
    Fut: std::future::Future<Output = Result<Probe, aws::Error>>,
{
    // Deletes in flight finish even when the destroy is cancelled.
    let never = tokio_util::sync::CancellationToken::new();
    let lost = AtomicU32::new(0);
    let lost = &lost;
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
                    Ok(p) => {
                        lost.store(0, Ordering::Relaxed);
                        Ok(Probe::Pending(match p {
                            Probe::Pending(s) | Probe::Ready(s) | Probe::Failed { state: s, .. } => {
                                s
                            }
                        }))
                    }
                    Err(e) if is_not_found(&e) => Ok(Probe::Ready("DELETED".into())),
                    Err(e) if matches!(e.category, Category::Network | Category::Timeout) => {
                        let n = lost.fetch_add(1, Ordering::Relaxed) + 1;
                        if n > PROBE_RETRIES {
                            let mut e = e;
                            e.message = format!(
                                "{kind} \"{name}\": the delete was accepted, but {n} status checks in a row were lost ({}); it is probably going",
                                e.message
                            );
                            e.hint = Some(
                                "run destroy again once the network is back to confirm".into(),
                            );
                            return Err(e);
                        }
                        dep.events.warn(format!(
                            "{kind} {name}: status check lost ({}); checking again",
                            e.message
                        ));
                        tokio::time::sleep(Duration::from_millis(100) * 2u32.pow(n - 1)).await;
                        Ok(Probe::Pending("DELETING".into()))
                    }
                    Err(e) => Err(e),
                }
            }
        },
    )
    .await
    .map(|_| ())
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
        "cedar_policy" => cedar::delete_cedar(dep, r).await,
        POLICY_ENGINE_KIND => cedar::delete_policy_engine(dep, r).await,
        "evaluator" => evaluation::delete_evaluator(dep, r).await,
        // Logical: goes with its runtime.
        "a2a_endpoint" => Ok(()),
        "agent_runtime" => runtime::delete_runtime(dep, r).await,
        "memory" => memory::delete_memory(dep, r).await,
        CODE_ARTIFACT_KIND => match (r.meta(ARTIFACT_BUCKET), r.meta(ARTIFACT_KEY)) {
            (Some(b), Some(k)) => artifact::delete(dep, b, k).await,
            _ => Ok(()),
        },
        other => Err(aws::Error::new(
            Category::Configuration,
            "Delete",
            format!("unknown resource type \"{other}\""),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(kind: &str, name: &str, meta: &[(&str, &str)]) -> ResourceRecord {
        let mut r = ResourceRecord::new(kind, name);
        r.status = Some(RecordStatus::Created);
        for (k, v) in meta {
            r.metadata.insert((*k).into(), (*v).into());
        }
        r
    }

    fn state() -> DeployState {
        let code = [(ARTIFACT_BUCKET, "b"), (ARTIFACT_KEY, "k.zip")];
        DeployState {
            resources: vec![
                rec("gateway", "gw", &[]),
                rec("tool_gateway", "t1", &[]),
                rec("cedar_policy", "engine", &[]),
                rec("agent_runtime", "r1", &code),
                rec("agent_runtime", "r2", &code),
                rec("memory", "m", &[]),
                rec("evaluator", "e", &[]),
                rec("online_eval_config", "o1", &[]),
            ],
            ..Default::default()
        }
    }

    fn waits(g: &Graph, kind: &str, name: &str) -> Vec<String> {
        let i = g.index(kind, name).unwrap();
        let mut v: Vec<String> = g.nodes[i]
            .deps
            .iter()
            .map(|d| format!("{} {}", d.kind, d.name))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn each_resource_waits_for_everything_using_it_and_nothing_else() {
        let (g, _) = graph(&state());
        assert_eq!(
            waits(&g, "gateway", "gw"),
            ["cedar_policy engine", "tool_gateway t1"]
        );
        assert!(waits(&g, "tool_gateway", "t1").is_empty());
        assert_eq!(
            waits(&g, "cedar_policy", "engine"),
            ["agent_runtime r1", "agent_runtime r2", "tool_gateway t1"]
        );
        assert_eq!(
            waits(&g, "memory", "m"),
            ["agent_runtime r1", "agent_runtime r2"]
        );
        assert_eq!(waits(&g, "agent_runtime", "r1"), ["online_eval_config o1"]);
        assert_eq!(waits(&g, "evaluator", "e"), ["online_eval_config o1"]);
        assert!(waits(&g, "online_eval_config", "o1").is_empty());
        // One package for both runtimes.
        let pkg = artifact::name("b", "k.zip");
        assert_eq!(
            waits(&g, CODE_ARTIFACT_KIND, &pkg),
            ["agent_runtime r1", "agent_runtime r2"]
        );
        assert_eq!(g.nodes.len(), 9);
        let i = g.index("gateway", "gw").unwrap();
        assert!(
            g.nodes[i].deps[0]
                .reason
                .starts_with("deleted first: it is"),
            "{}",
            g.nodes[i].deps[0].reason
        );
    }

    #[test]
    fn the_code_package_is_recorded_when_its_last_runtime_leaves_the_state() {
        let mut st = state();
        let (_, targets) = graph(&st);
        let gone = |st: &mut DeployState, name: &str| {
            let t = targets
                .iter()
                .find(|t| t.key() == ("agent_runtime".to_owned(), name.to_owned()))
                .unwrap();
            st.resources.retain(|x| x.name != name);
            artifact::keep_track(st, t);
        };
        gone(&mut st, "r1");
        assert!(
            st.get(CODE_ARTIFACT_KIND, &artifact::name("b", "k.zip"))
                .is_none()
        );
        gone(&mut st, "r2");
        let r = st
            .get(CODE_ARTIFACT_KIND, &artifact::name("b", "k.zip"))
            .unwrap();
        assert_eq!(r.meta(ARTIFACT_KEY), Some("k.zip"));
        // Its own delete does not record it again.
        let (g, targets) = graph(&st);
        let own = targets
            .iter()
            .find(|t| t.key().0 == CODE_ARTIFACT_KIND)
            .unwrap();
        let mut after = st.clone();
        after.resources.retain(|x| x.kind != CODE_ARTIFACT_KIND);
        artifact::keep_track(&mut after, own);
        assert!(
            after
                .get(CODE_ARTIFACT_KIND, &artifact::name("b", "k.zip"))
                .is_none()
        );
        // The next destroy deletes it, once.
        assert_eq!(
            g.nodes
                .iter()
                .filter(|n| n.kind == CODE_ARTIFACT_KIND)
                .count(),
            1
        );
    }
}
