//! Apply: the engine here, and one file per resource kind with its creator and fingerprint.
//!
//! The plan's graph (the pack's gateway and every resource, with the edges derive gave them)
//! run by [`graph::schedule`]: each resource starts as soon as what it waits for is there,
//! bounded by the concurrency; state saved around every call; dependants of a failure skipped
//! with the reason; cancellation that starts nothing new and lets in-flight calls finish.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::aws::{self, Category};
use crate::deploy::artifact::{self, RuntimeArtifact};
use crate::deploy::cloud::{Found, is_conflict, is_not_found};
use crate::deploy::context::Deployment;
use crate::deploy::destroy;
use crate::deploy::eta::Eta;
use crate::deploy::events::{Event, ResourcePhase, Step};
use crate::deploy::graph::{self, Graph, Known, Node, OnFailure, Settled};
use crate::deploy::panes::{Ended, Panes};
use crate::deploy::poll::{self, Probe};
use crate::deploy::state::{RecordStatus, ResourceRecord};
use crate::plan::{
    CedarPolicySpec, Dependency, DesiredResource, POLICY_ENGINE_KIND, ResourceKind, ResourcePlan,
    ResourceSpec, ToolGatewaySpec,
};

mod cedar;
mod evaluation;
mod gateway;
mod memory;
mod runtime;

// The fingerprints recorded in state, each beside its kind's creator; plan recomputes them
// from the prior state to tell unchanged from changed.
pub(crate) use cedar::{cedar_hash, engine_hash};
pub(crate) use evaluation::{online_hash, retired_online_evals};
pub(crate) use gateway::{gateway_hash, target_hash};
pub(crate) use runtime::{a2a_hash, agents_env, compose_env, runtime_hash};

pub use crate::plan::gateway::GATEWAY_KIND;

#[derive(Debug, Clone)]
pub enum ArtifactSource {
    /// A container image URI (ECR).
    Container(String),
    /// The PromptKit runtime binary, zipped with the pack and put in S3.
    Code(PathBuf),
    /// Nothing configured: runtimes fail with an explanation.
    Missing,
}

impl ArtifactSource {
    /// The artifact apply will give the runtimes, for plan to compare with.
    pub fn planned(
        &self,
        account: &str,
        region: &str,
        pack_id: &str,
        version: &str,
    ) -> Option<RuntimeArtifact> {
        match self {
            ArtifactSource::Container(uri) => Some(RuntimeArtifact::Container { uri: uri.clone() }),
            ArtifactSource::Code(_) => Some(RuntimeArtifact::Code {
                bucket: artifact::code_bucket(account, region),
                key: artifact::code_key(pack_id, version),
            }),
            ArtifactSource::Missing => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    pub artifact: ArtifactSource,
    /// The raw pack text: it ships unchanged as `pack.json` in the code package.
    pub pack_json: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Adopted,
    Unchanged,
    /// A recorded resource the plan no longer has (the pack-wide online evaluation config of
    /// older versions), deleted once what replaces it is deployed.
    Deleted,
    Failed,
    Skipped,
    NotStarted,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResourceOutcome {
    pub kind: String,
    pub name: String,
    pub result: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<aws::Error>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    pub outcomes: Vec<ResourceOutcome>,
    pub cancelled: bool,
    pub elapsed_secs: f64,
    /// Why apply changed nothing: a problem found before the first call (the runtime artifact
    /// cannot be built), so no resource was created half-way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<aws::Error>,
}

impl ApplyReport {
    pub fn ok(&self) -> bool {
        self.refused.is_none()
            && !self.cancelled
            && self.outcomes.iter().all(|o| {
                !matches!(
                    o.result,
                    Outcome::Failed | Outcome::Skipped | Outcome::NotStarted
                )
            })
    }

    pub fn count(&self, r: Outcome) -> usize {
        self.outcomes.iter().filter(|o| o.result == r).count()
    }

    /// Resources that were not deployed because something else failed or the apply was
    /// cancelled (the "skipped" of the progress events).
    pub fn skipped(&self) -> usize {
        self.count(Outcome::Skipped) + self.count(Outcome::NotStarted)
    }

    pub fn summary(&self) -> String {
        if let Some(e) = &self.refused {
            return format!("Apply refused before any change: {e}");
        }
        let mut s = format!(
            "Apply {}: {} created, {} updated, {} adopted, {} unchanged, {} failed, {} skipped",
            if self.cancelled {
                "cancelled"
            } else if self.ok() {
                "complete"
            } else {
                "finished with errors"
            },
            self.count(Outcome::Created),
            self.count(Outcome::Updated),
            self.count(Outcome::Adopted),
            self.count(Outcome::Unchanged),
            self.count(Outcome::Failed),
            self.skipped(),
        );
        let deleted = self.count(Outcome::Deleted);
        if deleted > 0 {
            s.push_str(&format!(", {deleted} deleted"));
        }
        let ns = self.count(Outcome::NotStarted);
        if ns > 0 {
            s.push_str(&format!(" ({ns} of them cancelled before finishing)"));
        }
        s.push_str(&format!(" in {:.1}s", self.elapsed_secs));
        s
    }
}

#[derive(Debug, Clone)]
struct GatewayRef {
    id: String,
    arn: String,
    name: String,
    role_arn: String,
}

impl Work<'_> {
    /// How many times the node waits for AWS when it has everything to make (the ETA's unit).
    fn waits(&self) -> u32 {
        match self {
            // Attached in LOG_ONLY, its policies ACTIVE, then ENFORCE.
            Work::Resource(r) if matches!(r.spec, ResourceSpec::CedarPolicy(_)) => 3,
            // Logical: ready with its runtime.
            Work::Resource(r) if matches!(r.spec, ResourceSpec::A2aEndpoint(_)) => 0,
            _ => 1,
        }
    }
}

#[derive(Default)]
struct Outputs {
    memory_arn: Option<String>,
    gateway: Option<Result<GatewayRef, aws::Error>>,
    /// The pack's one policy engine as its node left it (the gateway enforces exactly one), and
    /// whether this apply created it.
    engine: Option<Result<(Found, bool), aws::Error>>,
    /// The engine's ARN once the gateway enforces it.
    engine_arn: Option<String>,
    /// Ready runtimes.
    runtimes: BTreeMap<String, Found>,
    /// Every resource whose id and ARN are known (from its Create answer or a lookup), ready
    /// or not: what an `Arn` edge waits for.
    known: BTreeMap<(String, String), Found>,
    evaluators: BTreeMap<String, Found>,
}

/// What a node of the graph does.
enum Work<'a> {
    Gateway(&'a ToolGatewaySpec),
    Engine(&'a CedarPolicySpec),
    Resource(&'a DesiredResource),
    /// A recorded online evaluation config the plan replaced.
    Retire(&'a ResourceRecord),
}

/// How a resource was found (or made) before its final record is written.
enum Located {
    New(Found),
    Adopted(Found),
    Current(Found),
    Stale(Found),
}

impl Located {
    fn found(&self) -> &Found {
        match self {
            Located::New(f) | Located::Adopted(f) | Located::Current(f) | Located::Stale(f) => f,
        }
    }
}

struct Lc<'a> {
    run: &'a Run<'a>,
    step: Step,
    kind: String,
    name: String,
    started: Instant,
}

impl Lc<'_> {
    fn phase(&self, phase: ResourcePhase, arn: Option<&str>) {
        self.run.dep.events.send(Event::Resource {
            step: self.step,
            kind: self.kind.clone(),
            name: self.name.clone(),
            phase,
            elapsed: self.started.elapsed(),
            arn: arn.map(str::to_owned),
        });
    }

    fn calling(&self, op: &str) {
        self.phase(ResourcePhase::Calling(op.to_owned()), None);
    }
}

struct Run<'a> {
    dep: &'a Deployment,
    plan: &'a ResourcePlan,
    opts: &'a ApplyOptions,
    // The code package, zipped before anything is created; taken by the upload.
    code_zip: Mutex<Option<Vec<u8>>>,
    // Uploaded while the first resources are made.
    artifact: tokio::sync::OnceCell<Result<RuntimeArtifact, aws::Error>>,
    out: Mutex<Outputs>,
    outcomes: Mutex<Vec<ResourceOutcome>>,
    graph: Graph,
    work: Vec<Work<'a>>,
    known: Known,
    panes: Panes,
    eta: Mutex<Eta>,
    total: usize,
    started: Instant,
}

/// The graph apply runs: the pack's gateway, every resource of the plan, and the recorded
/// online evaluation configs it replaces (deleted once every one replacing them is deployed,
/// so a runtime the old config evaluated is never left unevaluated).
fn build<'a>(plan: &'a ResourcePlan, retired: &'a [ResourceRecord]) -> (Graph, Vec<Work<'a>>) {
    let mut nodes = Vec::new();
    let mut work = Vec::new();
    if let Some(gw) = plan.resources().find_map(|r| match &r.spec {
        ResourceSpec::ToolGateway(s) => Some(s),
        _ => None,
    }) {
        nodes.push(Node {
            kind: GATEWAY_KIND.to_owned(),
            name: gw.gateway_name.clone(),
            step: Step::ToolGateways,
            deps: Vec::new(),
        });
        work.push(Work::Gateway(gw));
    }
    for s in plan.resources().filter_map(|r| match &r.spec {
        ResourceSpec::CedarPolicy(s) => Some(s),
        _ => None,
    }) {
        nodes.push(Node {
            kind: POLICY_ENGINE_KIND.to_owned(),
            name: s.engine_name.clone(),
            step: Step::CedarPolicies,
            deps: Vec::new(),
        });
        work.push(Work::Engine(s));
    }
    for r in plan.resources() {
        nodes.push(Node {
            kind: r.kind.as_str().to_owned(),
            name: r.name.clone(),
            step: r.kind.step(),
            deps: r.depends_on.clone(),
        });
        work.push(Work::Resource(r));
    }
    let replacing: Vec<Dependency> = plan
        .resources()
        .filter(|r| r.kind == ResourceKind::OnlineEvalConfig)
        .map(|r| {
            Dependency::ready(
                r.kind.as_str(),
                &r.name,
                "it replaces the retired configuration",
            )
        })
        .collect();
    for rec in retired {
        nodes.push(Node {
            kind: rec.kind.clone(),
            name: rec.name.clone(),
            step: Step::OnlineEvalConfig,
            deps: replacing.clone(),
        });
        work.push(Work::Retire(rec));
    }
    (Graph { nodes }, work)
}

/// The graph apply would run for this plan (the bench and plan's "after …" read it).
pub fn graph(plan: &ResourcePlan) -> Graph {
    build(plan, &[]).0
}

pub async fn apply(dep: &Deployment, plan: &ResourcePlan, opts: &ApplyOptions) -> ApplyReport {
    let started = Instant::now();
    let needs_artifact = plan
        .resources()
        .any(|r| r.kind == ResourceKind::AgentRuntime);
    // What can fail without AWS fails here, before the first Create: a runtime without its
    // code would leave the resources made before it half a deployment.
    let code_zip = match needs_artifact.then(|| local_artifact(opts)).transpose() {
        Ok(zip) => zip.flatten(),
        Err(e) => {
            dep.events.send(Event::Error {
                step: None,
                kind: "runtime artifact".into(),
                name: match &opts.artifact {
                    ArtifactSource::Code(p) => p.display().to_string(),
                    _ => String::new(),
                },
                category: e.category,
                message: e.message.clone(),
                hint: e.hint.clone(),
            });
            return ApplyReport {
                outcomes: Vec::new(),
                cancelled: false,
                elapsed_secs: started.elapsed().as_secs_f64(),
                refused: Some(e),
            };
        }
    };
    let retired: Vec<ResourceRecord> = retired_online_evals(plan, &dep.store.snapshot())
        .into_iter()
        .cloned()
        .collect();
    let _ = dep.store.update(|st| {
        st.pack_id = plan.pack_id.clone();
        st.version = plan.pack_version.clone();
        st.region = Some(dep.clients.region.clone());
        st.account = Some(dep.account.clone());
    });
    let (graph, work) = build(plan, &retired);
    let panes = Panes::new(graph.nodes.iter().map(|n| n.step));
    let run = Run {
        dep,
        plan,
        opts,
        code_zip: Mutex::new(code_zip),
        artifact: tokio::sync::OnceCell::new(),
        out: Mutex::new(Outputs::default()),
        outcomes: Mutex::new(Vec::new()),
        total: graph.nodes.len(),
        eta: Mutex::new(Eta::new(work.iter().map(Work::waits))),
        graph,
        work,
        known: Known::default(),
        panes,
        started,
    };
    let prepare = async {
        if needs_artifact && !dep.cancel.is_cancelled() {
            run.artifact.get_or_init(|| run.prepare_artifact()).await;
        }
    };
    let schedule = graph::schedule(
        &run.graph,
        dep.concurrency,
        OnFailure::SkipDependants,
        &dep.cancel,
        &run.known,
        &run,
        |i| run.node(i),
    );
    futures_util::future::join(prepare, schedule).await;
    if !dep.cancel.is_cancelled() {
        let _ = dep
            .store
            .update(|st| st.deployed_at = Some(chrono::Utc::now()));
    }
    ApplyReport {
        outcomes: run.outcomes.into_inner().unwrap(),
        cancelled: dep.cancel.is_cancelled(),
        elapsed_secs: started.elapsed().as_secs_f64(),
        refused: None,
    }
}

/// The part of the runtime artifact made on this machine: the code package zipped (`None` for
/// a container image), or why it cannot be.
fn local_artifact(opts: &ApplyOptions) -> Result<Option<Vec<u8>>, aws::Error> {
    match &opts.artifact {
        ArtifactSource::Container(_) => Ok(None),
        ArtifactSource::Missing => Err(aws::Error::new(
            Category::Configuration,
            "PrepareArtifact",
            "no runtime artifact: runtime_binary_path is not set and no container image was given",
        )
        .with_hint("set runtime_binary_path in the deploy config to the PromptKit runtime binary, or pass --image <ECR image URI>")),
        ArtifactSource::Code(path) => artifact::build_code_zip(path, &opts.pack_json)
            .map(Some)
            .map_err(|m| aws::Error::new(Category::Configuration, "PrepareArtifact", m)),
    }
}

impl graph::Hooks for Run<'_> {
    fn skipped(&self, i: usize, because: &Dependency) {
        let n = &self.graph.nodes[i];
        self.step_touch(n.step);
        let reason = match self.work[i] {
            Work::Retire(_) => {
                "kept until every runtime's own online evaluation configuration is deployed"
                    .to_owned()
            }
            _ => format!(
                "depends on {} {}, which did not deploy",
                because.kind, because.name
            ),
        };
        let arn = match self.work[i] {
            Work::Retire(rec) => rec.arn.clone(),
            _ => None,
        };
        self.lc(n.step, &n.kind, &n.name)
            .phase(ResourcePhase::Skipped(reason.clone()), None);
        self.outcome(
            n.step,
            ResourceOutcome {
                kind: n.kind.clone(),
                name: n.name.clone(),
                result: Outcome::Skipped,
                arn,
                error: None,
                reason: Some(reason),
            },
        );
    }

    fn not_started(&self, i: usize) {
        let n = &self.graph.nodes[i];
        self.step_touch(n.step);
        self.not_started_named(n.step, &n.kind, &n.name);
    }
}

impl<'a> Run<'a> {
    async fn node(&self, i: usize) -> Settled {
        let step = self.graph.nodes[i].step;
        self.step_touch(step);
        let ok = match self.work[i] {
            Work::Gateway(spec) => self.ensure_gateway(spec).await,
            Work::Engine(spec) => self.ensure_engine(spec).await,
            Work::Resource(r) => self.one(step, r).await,
            Work::Retire(rec) => self.retire(step, rec).await,
        };
        if ok { Settled::Done } else { Settled::Failed }
    }

    /// The first node of a step to start (or be skipped) opens its pane.
    fn step_touch(&self, step: Step) {
        self.panes.touch(step, &self.dep.events);
    }

    fn step_settle(&self, step: Step, result: Outcome) {
        let how = match result {
            Outcome::Failed => Ended::Failed,
            Outcome::Skipped | Outcome::NotStarted => Ended::Skipped,
            _ => Ended::Ok,
        };
        self.panes.settle(step, how, &self.dep.events);
    }

    fn c(&self) -> &aws::Clients {
        &self.dep.clients
    }

    fn lc(&'a self, step: Step, kind: &str, name: &str) -> Lc<'a> {
        Lc {
            run: self,
            step,
            kind: kind.to_owned(),
            name: name.to_owned(),
            started: Instant::now(),
        }
    }

    /// The ARN (and id) of a resource is known: what its `Arn` dependants wait for.
    fn arn_known(&self, lc: &Lc<'_>, f: &Found) {
        self.out
            .lock()
            .unwrap()
            .known
            .insert((lc.kind.clone(), lc.name.clone()), f.clone());
        self.known.arn(&lc.kind, &lc.name);
    }

    /// What is left, along the graph's critical path, each node counted in the waits it has
    /// still to do (see [`Eta`]). `None` until a wait has been measured.
    fn eta(&self) -> Option<Duration> {
        self.eta
            .lock()
            .unwrap()
            .remaining(&self.graph, Instant::now())
    }

    fn node_of(&self, lc: &Lc<'_>) -> Option<usize> {
        self.graph.index(&lc.kind, &lc.name)
    }

    /// Times one wait for AWS of `lc`'s node, for the ETA the next progress carries.
    async fn timed<T>(&self, lc: &Lc<'_>, wait: impl Future<Output = (T, bool)>) -> T {
        let i = self.node_of(lc);
        if let Some(i) = i {
            self.eta.lock().unwrap().wait_started(i, Instant::now());
        }
        let (out, waited) = wait.await;
        if let Some(i) = i {
            self.eta
                .lock()
                .unwrap()
                .wait_ended(i, Instant::now(), waited);
        }
        out
    }

    /// Sent after every outcome, from the outcomes themselves, so the gauge, the step
    /// summaries and the final report count the same things.
    fn progress(&self, outcomes: &[ResourceOutcome]) {
        let (mut done, mut failed, mut skipped) = (0, 0, 0);
        for o in outcomes {
            match o.result {
                Outcome::Failed => failed += 1,
                Outcome::Skipped | Outcome::NotStarted => skipped += 1,
                _ => done += 1,
            }
        }
        let settled = done + failed + skipped;
        let eta = (settled < self.total && !self.dep.cancel.is_cancelled())
            .then(|| self.eta())
            .flatten();
        self.dep.events.send(Event::Progress {
            done,
            failed,
            skipped,
            total: self.total,
            elapsed: self.started.elapsed(),
            eta,
        });
    }

    fn outcome(&self, step: Step, o: ResourceOutcome) {
        if let Some(i) = self.graph.index(&o.kind, &o.name) {
            self.eta.lock().unwrap().settled(i);
        }
        self.step_settle(step, o.result);
        let mut outcomes = self.outcomes.lock().unwrap();
        outcomes.push(o);
        self.progress(&outcomes);
    }

    fn not_started_named(&self, step: Step, kind: &str, name: &str) {
        let lc = self.lc(step, kind, name);
        lc.phase(
            ResourcePhase::Skipped("cancelled before it started".into()),
            None,
        );
        self.outcome(
            step,
            ResourceOutcome {
                kind: kind.to_owned(),
                name: name.to_owned(),
                result: Outcome::NotStarted,
                arn: None,
                error: None,
                reason: Some("cancelled before it started".into()),
            },
        );
    }

    async fn prepare_artifact(&self) -> Result<RuntimeArtifact, aws::Error> {
        match &self.opts.artifact {
            ArtifactSource::Container(uri) => {
                self.dep
                    .events
                    .log(format!("runtime artifact: container image {uri}"));
                Ok(RuntimeArtifact::Container { uri: uri.clone() })
            }
            ArtifactSource::Code(_) | ArtifactSource::Missing => {
                let zipped = self.code_zip.lock().unwrap().take();
                let bytes = match zipped {
                    Some(b) => b,
                    None => local_artifact(self.opts)?.unwrap_or_default(),
                };
                let bucket = artifact::code_bucket(&self.dep.account, &self.dep.clients.region);
                let key = artifact::code_key(&self.plan.pack_id, &self.plan.pack_version);
                self.dep.events.log(format!(
                    "uploading code package ({} KiB) to s3://{bucket}/{key}",
                    bytes.len().div_ceil(1024)
                ));
                artifact::upload(self.c(), &self.dep.account, &bucket, &key, bytes).await?;
                Ok(RuntimeArtifact::Code { bucket, key })
            }
        }
    }

    /// Makes or checks one resource of the plan; `true` when it is deployed.
    async fn one(&self, step: Step, r: &DesiredResource) -> bool {
        let lc = self.lc(step, r.kind.as_str(), &r.name);
        lc.phase(ResourcePhase::Pending, None);
        let res = match &r.spec {
            ResourceSpec::Memory(s) => self.memory(&lc, s).await,
            ResourceSpec::ToolGateway(s) => self.target(&lc, s).await,
            ResourceSpec::CedarPolicy(s) => self.cedar(&lc, s).await,
            ResourceSpec::AgentRuntime(s) => self.runtime(&lc, s).await,
            ResourceSpec::A2aEndpoint(s) => self.endpoint(&lc, &s.runtime_name).await,
            ResourceSpec::Evaluator(s) => self.evaluator(&lc, s).await,
            ResourceSpec::OnlineEvalConfig(s) => self.online_eval(&lc, s).await,
        };
        match res {
            Ok((result, arn)) => {
                let phase = match result {
                    Outcome::Adopted => ResourcePhase::Adopted,
                    Outcome::Unchanged => ResourcePhase::Unchanged,
                    _ => ResourcePhase::Ready,
                };
                lc.phase(phase, Some(&arn));
                self.outcome(
                    step,
                    ResourceOutcome {
                        kind: r.kind.to_string(),
                        name: r.name.clone(),
                        result,
                        arn: Some(arn),
                        error: None,
                        reason: None,
                    },
                );
                true
            }
            Err(e) => {
                self.failed(&lc, e);
                false
            }
        }
    }

    /// A resource that did not deploy: recorded `failed` (unless only the wait was cancelled),
    /// its error sent, its outcome counted.
    fn failed(&self, lc: &Lc<'_>, e: aws::Error) {
        let interrupted = e.code.as_deref() == Some(poll::CANCELLED);
        // AWS answered the Create with a refusal (a 4xx it names): nothing was made, and a
        // record without an id would only be a resource destroy has to look for forever.
        let refused = e.operation.starts_with("Create")
            && e.code.is_some()
            && matches!(e.category, Category::Configuration | Category::Permission);
        if !interrupted && refused {
            let _ = self.dep.store.update(|st| {
                st.resources.retain(|x| {
                    !(x.kind == lc.kind
                        && x.name == lc.name
                        && x.arn.is_none()
                        && x.meta("id").is_none_or(str::is_empty))
                });
            });
        } else if !interrupted {
            let _ = self.dep.store.update(|st| {
                match st
                    .resources
                    .iter_mut()
                    .find(|x| x.kind == lc.kind && x.name == lc.name)
                {
                    Some(x) => {
                        x.status = Some(RecordStatus::Failed);
                        x.updated_at = Some(chrono::Utc::now());
                    }
                    None => {
                        let mut rec = ResourceRecord::new(&lc.kind, &lc.name);
                        rec.status = Some(RecordStatus::Failed);
                        rec.created_at = Some(chrono::Utc::now());
                        st.resources.push(rec);
                    }
                }
            });
        }
        self.dep.events.send(Event::Error {
            step: Some(lc.step),
            kind: lc.kind.clone(),
            name: lc.name.clone(),
            category: e.category,
            message: e.message.clone(),
            hint: e.hint.clone(),
        });
        lc.phase(ResourcePhase::Failed, None);
        self.outcome(
            lc.step,
            ResourceOutcome {
                kind: lc.kind.clone(),
                name: lc.name.clone(),
                result: if interrupted {
                    Outcome::NotStarted
                } else {
                    Outcome::Failed
                },
                arn: None,
                reason: interrupted
                    .then(|| "cancelled while waiting; resume with apply".to_owned()),
                error: Some(e),
            },
        );
    }

    fn record(
        &self,
        kind: &str,
        name: &str,
        f: &Found,
        status: RecordStatus,
        hash: &str,
        extra: &[(&str, String)],
    ) {
        let mut rec = ResourceRecord::new(kind, name);
        rec.arn = Some(f.arn.clone()).filter(|a| !a.is_empty());
        rec.status = Some(status);
        rec.metadata.insert("id".into(), f.id.clone());
        if !hash.is_empty() {
            rec.metadata.insert("spec_hash".into(), hash.to_owned());
        }
        for (k, v) in extra {
            rec.metadata.insert((*k).to_owned(), v.clone());
        }
        if let Err(e) = self.dep.store.upsert(rec) {
            self.dep.events.warn(format!("state not saved: {e}"));
        }
    }

    async fn wait<Fut>(&self, lc: &Lc<'_>, probe: impl Fn() -> Fut) -> Result<String, aws::Error>
    where
        Fut: Future<Output = Result<Probe, aws::Error>>,
    {
        self.timed(lc, async {
            let mut waited = false;
            let r = poll::until_ready(
                &lc.kind,
                &lc.name,
                &self.dep.poll,
                &self.dep.cancel,
                |s| {
                    waited = true;
                    lc.phase(ResourcePhase::Waiting(s.to_owned()), None)
                },
                probe,
            )
            .await;
            (r, waited)
        })
        .await
    }

    /// Finds the resource (recorded id first, then by name) or creates it,
    /// recording `creating` before the Create call; waits until it is ready.
    // Plain closures returning futures, not async closures: the futures of
    // async closures are not provably Send, and apply must run in a task.
    async fn locate_or_create<FF, FFut, CF, CFut, PF, PFut>(
        &self,
        lc: &Lc<'_>,
        hash: &str,
        find: FF,
        create: CF,
        probe: PF,
    ) -> Result<Located, aws::Error>
    where
        FF: Fn() -> FFut,
        FFut: Future<Output = Result<Option<Found>, aws::Error>>,
        CF: Fn() -> CFut,
        CFut: Future<Output = Result<Found, aws::Error>>,
        PF: Fn(String) -> PFut,
        PFut: Future<Output = Result<Probe, aws::Error>>,
    {
        let rec = self.dep.store.snapshot().get(&lc.kind, &lc.name).cloned();
        let mut existing: Option<(Found, bool)> = None;
        if let Some(id) = rec
            .as_ref()
            .and_then(|r| r.meta("id"))
            .filter(|i| !i.is_empty())
        {
            match probe(id.to_owned()).await {
                Ok(_) => {
                    existing = Some((
                        Found {
                            id: id.to_owned(),
                            arn: rec.as_ref().and_then(|r| r.arn.clone()).unwrap_or_default(),
                        },
                        false,
                    ))
                }
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(e),
            }
        }
        // With no record at all the resource was never started by us: create
        // straight away (a name clash answers Conflict and is adopted then).
        if existing.is_none() && rec.is_some() {
            existing = find().await?.map(|f| (f, true));
        }
        if let Some((f, adopted)) = existing {
            self.arn_known(lc, &f);
            let id = f.id.clone();
            self.wait(lc, || probe(id.clone())).await?;
            let current = !adopted
                && rec.as_ref().is_some_and(|r| {
                    r.meta("spec_hash") == Some(hash)
                        && matches!(
                            r.status,
                            Some(RecordStatus::Created) | Some(RecordStatus::Updated)
                        )
                });
            return Ok(if current {
                Located::Current(f)
            } else if adopted
                && rec
                    .as_ref()
                    .is_none_or(|r| r.status == Some(RecordStatus::Creating) || r.status.is_none())
            {
                Located::Adopted(f)
            } else {
                Located::Stale(f)
            });
        }
        let mut creating = ResourceRecord::new(&lc.kind, &lc.name);
        creating.status = Some(RecordStatus::Creating);
        self.dep
            .store
            .upsert(creating.clone())
            .map_err(|e| aws::Error::new(Category::Configuration, "SaveState", e.to_string()))?;
        let f = match create().await {
            Ok(f) => f,
            Err(e) if is_conflict(&e) => match find().await? {
                Some(f) => {
                    self.arn_known(lc, &f);
                    let id = f.id.clone();
                    self.wait(lc, || probe(id.clone())).await?;
                    return Ok(Located::Adopted(f));
                }
                None => return Err(e),
            },
            Err(e) => return Err(e),
        };
        creating.arn = Some(f.arn.clone());
        creating.metadata.insert("id".into(), f.id.clone());
        let _ = self.dep.store.upsert(creating);
        self.arn_known(lc, &f);
        lc.phase(ResourcePhase::Waiting("CREATING".into()), Some(&f.arn));
        let id = f.id.clone();
        self.wait(lc, || probe(id.clone())).await?;
        Ok(Located::New(f))
    }

    fn finish(
        &self,
        lc: &Lc<'_>,
        loc: &Located,
        hash: &str,
        extra: &[(&str, String)],
    ) -> (Outcome, String) {
        let (result, status) = match loc {
            Located::New(_) => (Outcome::Created, RecordStatus::Created),
            Located::Adopted(_) => (Outcome::Adopted, RecordStatus::Created),
            Located::Current(_) => (Outcome::Unchanged, RecordStatus::Created),
            Located::Stale(_) => (Outcome::Updated, RecordStatus::Updated),
        };
        let f = loc.found();
        let prior = self
            .dep
            .store
            .snapshot()
            .get(&lc.kind, &lc.name)
            .and_then(|r| r.status);
        // An unchanged resource keeps the status it had.
        let status = match (result, prior) {
            (Outcome::Unchanged, Some(p @ (RecordStatus::Created | RecordStatus::Updated))) => p,
            _ => status,
        };
        self.record(&lc.kind, &lc.name, f, status, hash, extra);
        (result, f.arn.clone())
    }

    /// Deletes a config the plan replaced; the graph runs it only once every configuration
    /// replacing it is deployed.
    async fn retire(&self, step: Step, rec: &ResourceRecord) -> bool {
        let lc = self.lc(step, &rec.kind, &rec.name);
        lc.calling("DeleteOnlineEvaluationConfig");
        let res = destroy::delete(self.dep, rec).await;
        let (result, error) = match res {
            Ok(()) => {
                if let Err(e) = self.dep.store.remove(&rec.kind, &rec.name) {
                    self.dep.events.warn(format!("state not saved: {e}"));
                }
                lc.phase(ResourcePhase::Deleted, rec.arn.as_deref());
                (Outcome::Deleted, None)
            }
            Err(e) => {
                self.dep.events.send(Event::Error {
                    step: Some(step),
                    kind: rec.kind.clone(),
                    name: rec.name.clone(),
                    category: e.category,
                    message: e.message.clone(),
                    hint: e.hint.clone(),
                });
                lc.phase(ResourcePhase::Failed, None);
                (Outcome::Failed, Some(e))
            }
        };
        let ok = result == Outcome::Deleted;
        self.outcome(
            step,
            ResourceOutcome {
                kind: rec.kind.clone(),
                name: rec.name.clone(),
                result,
                arn: rec.arn.clone(),
                error,
                reason: None,
            },
        );
        ok
    }
}

/// Every resource apply makes or checks, by step (the graph's order within a step): the plan's,
/// plus the shared gateway and the policy engine, which are graph nodes of their own. The
/// wizard's count, plan's items and apply's gauge all read this, so they agree (deletes apply
/// makes come on top: see [`retired_online_evals`]).
pub fn resources(plan: &ResourcePlan) -> Vec<Node> {
    let mut nodes = graph(plan).nodes;
    nodes.sort_by_key(|n| n.step);
    nodes
}
