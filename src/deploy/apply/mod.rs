//! Apply: the engine here, and one file per resource kind with its creator and fingerprint.
//!
//! The pipeline's steps run in order, independent resources of a step at once (bounded), state
//! saved around every call, dependants of a failure skipped with the reason, cancellation that
//! starts nothing new.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use aws_sdk_bedrockagentcorecontrol::types::{GatewayPolicyEngineMode, Policy as PolicySummary};
use futures_util::StreamExt;
use serde::Serialize;

use crate::aws::{self, Category};
use crate::deploy::artifact::{self, RuntimeArtifact};
use crate::deploy::cloud::{self, Found, call, is_conflict, is_not_found};
use crate::deploy::context::Deployment;
use crate::deploy::destroy;
use crate::deploy::events::{Event, ResourcePhase, Step};
use crate::deploy::poll::{self, Probe};
use crate::deploy::sdk::{self, fingerprint, hash_map};
use crate::deploy::state::{DeployState, RecordStatus, ResourceRecord};
use crate::plan::cedar::CedarError;
use crate::plan::{
    CedarPolicySpec, DesiredResource, EvaluatorSpec, MemorySpec, OnlineEvalSpec, ResourceKind,
    ResourcePlan, ResourceSpec, RuntimeSpec, ToolGatewaySpec,
};

mod cedar;
mod evaluation;
mod gateway;
mod memory;
mod runtime;

use gateway::shared_gateway;

// The fingerprints recorded in state, each beside its kind's creator; plan recomputes them
// from the prior state to tell unchanged from changed.
pub(crate) use cedar::cedar_hash;
pub(crate) use evaluation::{online_hash, retired_online_evals};
pub(crate) use gateway::{gateway_hash, target_hash};
pub(crate) use runtime::{a2a_hash, compose_env, runtime_hash};

/// The state `type` of the one MCP gateway that carries every tool target
/// (the adapter's dry-run state uses the same word).
pub const GATEWAY_KIND: &str = "gateway";

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
}

impl ApplyReport {
    pub fn ok(&self) -> bool {
        !self.cancelled
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

#[derive(Default)]
struct Outputs {
    memory_arn: Option<String>,
    gateway: Option<Result<GatewayRef, aws::Error>>,
    /// The pack's one policy engine (the gateway enforces exactly one).
    engine_arn: Option<String>,
    runtimes: BTreeMap<String, Found>,
    /// Runtimes created or updated by this apply (their env has no PROMPTPACK_AGENTS yet).
    changed_runtimes: BTreeSet<String>,
    evaluators: BTreeMap<String, Found>,
    a2a: Option<Result<(), aws::Error>>,
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
    // Prepared (zipped, uploaded) while the first steps run.
    artifact: tokio::sync::OnceCell<Result<RuntimeArtifact, aws::Error>>,
    out: Mutex<Outputs>,
    failed: Mutex<BTreeSet<(ResourceKind, String)>>,
    outcomes: Mutex<Vec<ResourceOutcome>>,
    /// Recorded online evaluation configs the plan no longer has, deleted in their step.
    retired: Vec<ResourceRecord>,
    total: usize,
    started: Instant,
}

pub async fn apply(dep: &Deployment, plan: &ResourcePlan, opts: &ApplyOptions) -> ApplyReport {
    let started = Instant::now();
    let retired: Vec<ResourceRecord> = retired_online_evals(plan, &dep.store.snapshot())
        .into_iter()
        .cloned()
        .collect();
    let total = resource_count(plan) + retired.len();
    let _ = dep.store.update(|st| {
        st.pack_id = plan.pack_id.clone();
        st.version = plan.pack_version.clone();
        st.region = Some(dep.clients.region.clone());
        st.account = Some(dep.account.clone());
    });
    let run = Run {
        dep,
        plan,
        opts,
        artifact: tokio::sync::OnceCell::new(),
        out: Mutex::new(Outputs::default()),
        failed: Mutex::new(BTreeSet::new()),
        outcomes: Mutex::new(Vec::new()),
        retired,
        total,
        started,
    };
    let needs_artifact = plan
        .resources()
        .any(|r| r.kind == ResourceKind::AgentRuntime);
    let prepare = async {
        if needs_artifact && !dep.cancel.is_cancelled() {
            run.artifact.get_or_init(|| run.prepare_artifact()).await;
        }
    };
    futures_util::future::join(prepare, run.steps()).await;
    if !dep.cancel.is_cancelled() {
        let _ = dep
            .store
            .update(|st| st.deployed_at = Some(chrono::Utc::now()));
    }
    ApplyReport {
        outcomes: run.outcomes.into_inner().unwrap(),
        cancelled: dep.cancel.is_cancelled(),
        elapsed_secs: started.elapsed().as_secs_f64(),
    }
}

impl<'a> Run<'a> {
    async fn steps(&self) {
        for step in &self.plan.steps {
            let retired: &[ResourceRecord] = if step.step == Step::OnlineEvalConfig {
                &self.retired
            } else {
                &[]
            };
            if step.resources.is_empty() && retired.is_empty() {
                continue;
            }
            if self.dep.cancel.is_cancelled() {
                if step.step == Step::ToolGateways
                    && let Some(s) = shared_gateway(step)
                {
                    self.not_started_named(step.step, GATEWAY_KIND, &s.gateway_name);
                }
                for r in &step.resources {
                    self.not_started(step.step, r);
                }
                for r in retired {
                    self.not_started_named(step.step, &r.kind, &r.name);
                }
                continue;
            }
            let step_started = Instant::now();
            let gateway =
                usize::from(step.step == Step::ToolGateways && shared_gateway(step).is_some());
            self.dep.events.send(Event::StepStarted {
                step: step.step,
                resources: step.resources.len() + gateway + retired.len(),
            });
            let before = self.outcomes.lock().unwrap().len();
            match step.step {
                Step::ToolGateways => self.ensure_gateway(&step.resources).await,
                Step::A2aWiring => self.wire_a2a().await,
                _ => {}
            }
            // Futures built up front: a closure inside the stream makes the
            // whole apply future lose `Send`.
            let work: Vec<_> = step
                .resources
                .iter()
                .map(|r| self.one(step.step, r))
                .collect();
            let results: Vec<()> = futures_util::stream::iter(work)
                .buffer_unordered(self.dep.concurrency.max(1))
                .collect()
                .await;
            drop(results);
            if !retired.is_empty() {
                self.retire(step.step, retired, before).await;
            }
            let (mut ok, mut failed, mut skipped) = (0, 0, 0);
            for o in &self.outcomes.lock().unwrap()[before..] {
                match o.result {
                    Outcome::Failed => failed += 1,
                    Outcome::Skipped | Outcome::NotStarted => skipped += 1,
                    _ => ok += 1,
                }
            }
            self.dep.events.send(Event::StepFinished {
                step: step.step,
                succeeded: ok,
                failed,
                skipped,
                elapsed: step_started.elapsed(),
            });
        }
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
        let elapsed = self.started.elapsed();
        let eta = (settled < self.total && settled > 0)
            .then(|| elapsed.mul_f64((self.total - settled) as f64 / settled as f64));
        self.dep.events.send(Event::Progress {
            done,
            failed,
            skipped,
            total: self.total,
            elapsed,
            eta,
        });
    }

    fn outcome(&self, o: ResourceOutcome) {
        let mut outcomes = self.outcomes.lock().unwrap();
        outcomes.push(o);
        self.progress(&outcomes);
    }

    fn not_started(&self, step: Step, r: &DesiredResource) {
        self.failed.lock().unwrap().insert((r.kind, r.name.clone()));
        self.not_started_named(step, r.kind.as_str(), &r.name);
    }

    fn not_started_named(&self, step: Step, kind: &str, name: &str) {
        let lc = self.lc(step, kind, name);
        lc.phase(
            ResourcePhase::Skipped("cancelled before it started".into()),
            None,
        );
        self.outcome(ResourceOutcome {
            kind: kind.to_owned(),
            name: name.to_owned(),
            result: Outcome::NotStarted,
            arn: None,
            error: None,
            reason: Some("cancelled before it started".into()),
        });
    }

    async fn prepare_artifact(&self) -> Result<RuntimeArtifact, aws::Error> {
        match &self.opts.artifact {
            ArtifactSource::Container(uri) => {
                self.dep.events.log(format!("runtime artifact: container image {uri}"));
                Ok(RuntimeArtifact::Container { uri: uri.clone() })
            }
            ArtifactSource::Missing => Err(aws::Error::new(
                Category::Configuration,
                "PrepareArtifact",
                "no runtime artifact: runtime_binary_path is not set and no container image was given",
            )
            .with_hint("set runtime_binary_path in the deploy config to the PromptKit runtime binary, or pass --image <ECR image URI>")),
            ArtifactSource::Code(path) => {
                let bytes = artifact::build_code_zip(path, &self.opts.pack_json).map_err(|m| {
                    aws::Error::new(Category::Configuration, "PrepareArtifact", m)
                })?;
                let bucket = artifact::code_bucket(&self.dep.account, &self.dep.clients.region);
                let key = artifact::code_key(&self.plan.pack_id, &self.plan.pack_version);
                self.dep.events.log(format!(
                    "uploading code package ({} KiB) to s3://{bucket}/{key}",
                    bytes.len().div_ceil(1024)
                ));
                artifact::upload(self.c(), &bucket, &key, bytes).await?;
                Ok(RuntimeArtifact::Code { bucket, key })
            }
        }
    }

    async fn one(&self, step: Step, r: &DesiredResource) {
        if self.dep.cancel.is_cancelled() {
            self.not_started(step, r);
            return;
        }
        let lc = self.lc(step, r.kind.as_str(), &r.name);
        let blocked = {
            let failed = self.failed.lock().unwrap();
            r.depends_on.iter().find(|d| failed.contains(*d)).cloned()
        };
        if let Some((k, n)) = blocked {
            let reason = format!("depends on {k} {n}, which did not deploy");
            lc.phase(ResourcePhase::Skipped(reason.clone()), None);
            self.failed.lock().unwrap().insert((r.kind, r.name.clone()));
            self.outcome(ResourceOutcome {
                kind: r.kind.to_string(),
                name: r.name.clone(),
                result: Outcome::Skipped,
                arn: None,
                error: None,
                reason: Some(reason),
            });
            return;
        }
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
                self.outcome(ResourceOutcome {
                    kind: r.kind.to_string(),
                    name: r.name.clone(),
                    result,
                    arn: Some(arn),
                    error: None,
                    reason: None,
                });
            }
            Err(e) => {
                self.failed.lock().unwrap().insert((r.kind, r.name.clone()));
                let interrupted = e.code.as_deref() == Some(poll::CANCELLED);
                if !interrupted {
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
                    step: Some(step),
                    kind: lc.kind.clone(),
                    name: lc.name.clone(),
                    category: e.category,
                    message: e.message.clone(),
                    hint: e.hint.clone(),
                });
                lc.phase(ResourcePhase::Failed, None);
                self.outcome(ResourceOutcome {
                    kind: r.kind.to_string(),
                    name: r.name.clone(),
                    result: if interrupted {
                        Outcome::NotStarted
                    } else {
                        Outcome::Failed
                    },
                    arn: None,
                    reason: interrupted
                        .then(|| "cancelled while waiting; resume with apply".to_owned()),
                    error: Some(e),
                });
            }
        }
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
        poll::until_ready(
            &lc.kind,
            &lc.name,
            &self.dep.poll,
            &self.dep.cancel,
            |s| lc.phase(ResourcePhase::Waiting(s.to_owned()), None),
            probe,
        )
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

    /// Deletes the configs the plan replaced, after the step's own resources: only once every
    /// one of them is deployed, so a runtime the old config evaluated is never left unevaluated.
    async fn retire(&self, step: Step, records: &[ResourceRecord], step_from: usize) {
        let blocked = self.outcomes.lock().unwrap()[step_from..].iter().any(|o| {
            matches!(
                o.result,
                Outcome::Failed | Outcome::Skipped | Outcome::NotStarted
            )
        });
        for rec in records {
            if self.dep.cancel.is_cancelled() {
                self.not_started_named(step, &rec.kind, &rec.name);
                continue;
            }
            let lc = self.lc(step, &rec.kind, &rec.name);
            if blocked {
                let reason =
                    "kept until every runtime's own online evaluation configuration is deployed"
                        .to_owned();
                lc.phase(ResourcePhase::Skipped(reason.clone()), None);
                self.outcome(ResourceOutcome {
                    kind: rec.kind.clone(),
                    name: rec.name.clone(),
                    result: Outcome::Skipped,
                    arn: rec.arn.clone(),
                    error: None,
                    reason: Some(reason),
                });
                continue;
            }
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
            self.outcome(ResourceOutcome {
                kind: rec.kind.clone(),
                name: rec.name.clone(),
                result,
                arn: rec.arn.clone(),
                error,
                reason: None,
            });
        }
    }
}

/// Every resource apply makes or checks: the plan's, plus the shared gateway. The plan
/// report lists the same ones, so "N to create" and "N/N" agree (deletes apply makes come
/// on top: see [`retired_online_evals`]).
pub fn resource_count(plan: &ResourcePlan) -> usize {
    let gateway = plan
        .resources()
        .any(|r| matches!(r.spec, ResourceSpec::ToolGateway(_)));
    plan.resources().count() + usize::from(gateway)
}
