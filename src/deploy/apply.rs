//! Apply: the pipeline's steps in order, independent resources of a step at
//! once (bounded), state saved around every call, dependants of a failure
//! skipped with the reason, cancellation that starts nothing new.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use aws_sdk_bedrockagentcorecontrol::types::{GatewayPolicyEngineMode, Policy as PolicySummary};
use futures_util::StreamExt;
use serde::Serialize;

use super::artifact::{self, RuntimeArtifact};
use super::cloud::{self, Found, call, is_conflict, is_not_found};
use super::context::Deployment;
use super::destroy;
use super::events::{Event, ResourcePhase, Step};
use super::poll::{self, Probe};
use super::sdk::{self, fingerprint, hash_map};
use super::state::{DeployState, RecordStatus, ResourceRecord};
use crate::aws::{self, Category};
use crate::plan::cedar::CedarError;
use crate::plan::{
    CedarPolicySpec, DesiredResource, EvaluatorSpec, MemorySpec, OnlineEvalSpec, ResourceKind,
    ResourcePlan, ResourceSpec, RuntimeSpec, ToolGatewaySpec,
};

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

    // ---- memory ----

    async fn memory(&self, lc: &Lc<'_>, s: &MemorySpec) -> Result<(Outcome, String), aws::Error> {
        let c = self.c();
        let hash = fingerprint(s);
        let loc = self
            .locate_or_create(
                lc,
                &hash,
                || cloud::find_memory(c, &lc.name),
                move || async move {
                    lc.calling("CreateMemory");
                    let mut req = c
                        .control
                        .create_memory()
                        .name(&lc.name)
                        .event_expiry_duration(s.event_expiry_days.clamp(3, 365) as i32)
                        .memory_execution_role_arn(&s.execution_role_arn)
                        .set_memory_strategies(Some(sdk::memory_strategies(s)?))
                        .set_tags(Some(hash_map(&s.tags)));
                    if let Some(k) = &s.encryption_key_arn {
                        req = req.encryption_key_arn(k);
                    }
                    let o = call(c, "CreateMemory", req.send()).await?;
                    let m = o.memory().ok_or_else(|| {
                        aws::Error::new(
                            Category::Resource,
                            "CreateMemory",
                            "CreateMemory returned no memory",
                        )
                    })?;
                    Ok(Found {
                        id: m.id().to_owned(),
                        arn: m.arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::memory_probe(c, &id).await },
            )
            .await?;
        if let Located::Stale(_) = loc {
            self.dep.events.warn(format!(
                "memory {} settings changed; memory is not modified in place (destroy and apply to change strategies or the key)",
                lc.name
            ));
        }
        self.out.lock().unwrap().memory_arn = Some(loc.found().arn.clone());
        Ok(self.finish(lc, &loc, &hash, &[]))
    }

    // ---- gateway and targets ----

    async fn ensure_gateway(&self, resources: &[DesiredResource]) {
        let Some(spec) = resources.iter().find_map(|r| match &r.spec {
            ResourceSpec::ToolGateway(s) => Some(s),
            _ => None,
        }) else {
            return;
        };
        let c = self.c();
        let lc = self.lc(Step::ToolGateways, GATEWAY_KIND, &spec.gateway_name);
        let lc = &lc;
        lc.phase(ResourcePhase::Pending, None);
        let hash = gateway_hash(spec);
        let res = self
            .locate_or_create(
                lc,
                &hash,
                || cloud::find_gateway(c, &spec.gateway_name),
                move || async move {
                    lc.calling("CreateGateway");
                    let o = call(
                        c,
                        "CreateGateway",
                        c.control
                            .create_gateway()
                            .name(&spec.gateway_name)
                            .role_arn(&spec.role_arn)
                            .protocol_type(
                                aws_sdk_bedrockagentcorecontrol::types::GatewayProtocolType::Mcp,
                            )
                            .authorizer_type(
                                aws_sdk_bedrockagentcorecontrol::types::AuthorizerType::None,
                            )
                            .set_tags(Some(hash_map(&spec.tags)))
                            .send(),
                    )
                    .await?;
                    Ok(Found {
                        id: o.gateway_id().to_owned(),
                        arn: o.gateway_arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::gateway_probe(c, &id).await },
            )
            .await;
        let gw = match res {
            Ok(loc) => {
                let (result, arn) = self.finish(lc, &loc, &hash, &[]);
                lc.phase(
                    match result {
                        Outcome::Adopted => ResourcePhase::Adopted,
                        Outcome::Unchanged => ResourcePhase::Unchanged,
                        _ => ResourcePhase::Ready,
                    },
                    Some(&arn),
                );
                self.outcome(ResourceOutcome {
                    kind: GATEWAY_KIND.to_owned(),
                    name: spec.gateway_name.clone(),
                    result,
                    arn: Some(arn.clone()),
                    error: None,
                    reason: None,
                });
                Ok(GatewayRef {
                    id: loc.found().id.clone(),
                    arn,
                    name: spec.gateway_name.clone(),
                    role_arn: spec.role_arn.clone(),
                })
            }
            Err(e) => {
                let interrupted = e.code.as_deref() == Some(poll::CANCELLED);
                self.dep.events.send(Event::Error {
                    step: Some(Step::ToolGateways),
                    kind: GATEWAY_KIND.to_owned(),
                    name: spec.gateway_name.clone(),
                    category: e.category,
                    message: e.message.clone(),
                    hint: e.hint.clone(),
                });
                lc.phase(ResourcePhase::Failed, None);
                self.outcome(ResourceOutcome {
                    kind: GATEWAY_KIND.to_owned(),
                    name: spec.gateway_name.clone(),
                    result: if interrupted {
                        Outcome::NotStarted
                    } else {
                        Outcome::Failed
                    },
                    arn: None,
                    reason: interrupted
                        .then(|| "cancelled while waiting; resume with apply".to_owned()),
                    error: Some(e.clone()),
                });
                Err(e)
            }
        };
        self.out.lock().unwrap().gateway = Some(gw);
    }

    fn gateway(&self) -> Result<GatewayRef, aws::Error> {
        match &self.out.lock().unwrap().gateway {
            Some(Ok(g)) => Ok(g.clone()),
            Some(Err(e)) => {
                let mut e = e.clone();
                e.message = format!("the tool gateway could not be created: {}", e.message);
                Err(e)
            }
            None => Err(aws::Error::new(
                Category::Configuration,
                "UpdateGateway",
                "no gateway to associate the policy engine with (the pack has no tools)",
            )),
        }
    }

    async fn target(
        &self,
        lc: &Lc<'_>,
        s: &ToolGatewaySpec,
    ) -> Result<(Outcome, String), aws::Error> {
        let c = self.c();
        let gw = self.gateway()?;
        let hash = target_hash(s, &gw.id);
        let config = sdk::target_configuration(s)?;
        let creds = sdk::credential_providers(s)?;
        let (gw_ref, config_ref, creds_ref) = (&gw, &config, &creds);
        let loc = self
            .locate_or_create(
                lc,
                &hash,
                move || async move {
                    cloud::find_target(c, &gw_ref.id, &s.target_name)
                        .await
                        .map(|o| {
                            o.map(|id| Found {
                                id,
                                arn: gw_ref.arn.clone(),
                            })
                        })
                },
                move || async move {
                    lc.calling("CreateGatewayTarget");
                    let o = call(
                        c,
                        "CreateGatewayTarget",
                        c.control
                            .create_gateway_target()
                            .gateway_identifier(&gw_ref.id)
                            .name(&s.target_name)
                            .target_configuration(config_ref.clone())
                            .set_credential_provider_configurations(
                                Some(creds_ref.clone()).filter(|v| !v.is_empty()),
                            )
                            .send(),
                    )
                    .await?;
                    Ok(Found {
                        id: o.target_id().to_owned(),
                        arn: o.gateway_arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::target_probe(c, &gw_ref.id, &id).await },
            )
            .await?;
        if let Located::Stale(f) = &loc {
            lc.calling("UpdateGatewayTarget");
            call(
                c,
                "UpdateGatewayTarget",
                c.control
                    .update_gateway_target()
                    .gateway_identifier(&gw.id)
                    .target_id(&f.id)
                    .name(&s.target_name)
                    .target_configuration(config.clone())
                    .set_credential_provider_configurations(
                        Some(creds.clone()).filter(|v| !v.is_empty()),
                    )
                    .send(),
            )
            .await?;
            self.wait(lc, || cloud::target_probe(c, &gw.id, &f.id))
                .await?;
        }
        let extra = [
            ("gateway_id", gw.id.clone()),
            ("gateway_arn", gw.arn.clone()),
            ("gateway_name", gw.name.clone()),
        ];
        let mut loc = loc;
        let (Located::New(f) | Located::Adopted(f) | Located::Current(f) | Located::Stale(f)) =
            &mut loc;
        f.arn = gw.arn.clone();
        Ok(self.finish(lc, &loc, &hash, &extra))
    }

    // ---- cedar ----

    async fn cedar(
        &self,
        lc: &Lc<'_>,
        s: &CedarPolicySpec,
    ) -> Result<(Outcome, String), aws::Error> {
        let c = self.c();
        let gw = self.gateway()?;
        let hash = cedar_hash(s, &gw.arn);
        let engine = self
            .locate_or_create(
                lc,
                &hash,
                || cloud::find_policy_engine(c, &s.engine_name),
                move || async move {
                    lc.calling("CreatePolicyEngine");
                    let o = call(
                        c,
                        "CreatePolicyEngine",
                        c.control
                            .create_policy_engine()
                            .name(&s.engine_name)
                            .description(crate::plan::cedar::engine_description(&s.prompts))
                            .set_tags(Some(hash_map(&s.tags)))
                            .send(),
                    )
                    .await?;
                    Ok(Found {
                        id: o.policy_engine_id().to_owned(),
                        arn: o.policy_engine_arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::policy_engine_probe(c, &id).await },
            )
            .await?;
        let ef = engine.found().clone();
        let ef_id = ef.id.as_str();
        let new_engine = matches!(engine, Located::New(_));

        // AgentCore denies every call no permit allows, so the gateway must never enforce this
        // engine before its baseline permit is ACTIVE: it is attached in LOG_ONLY (the engine
        // learns the gateway's tool actions from the association), the policies are made, and
        // only then does the gateway enforce.
        // A brand-new engine has no policies and no gateway yet: skip the lookups.
        let (attached, existing) = if new_engine {
            (None, Vec::new())
        } else {
            let attached = self.attached_mode(&gw, &ef.arn).await?;
            lc.calling("ListPolicies");
            (attached, cloud::list_policies(c, &ef.id).await?)
        };
        let cfg_err =
            |e: CedarError| aws::Error::new(Category::Configuration, "CreatePolicy", e.to_string());
        let mut wanted = vec![(
            s.permit.policy_name.clone(),
            s.permit.statement(&gw.arn).map_err(cfg_err)?,
            s.permit.description(),
        )];
        for f in &s.forbids {
            let stmt = f.statement(&gw.arn).map_err(cfg_err)?;
            wanted.push((f.policy_name.clone(), stmt, f.description()));
        }
        let same_policy = |p: &PolicySummary, stmt: &str, desc: &str| {
            p.description() == Some(desc)
                && p.definition().is_some_and(|d| match d {
                    aws_sdk_bedrockagentcorecontrol::types::PolicyDefinition::Cedar(cp) => {
                        cp.statement() == stmt
                    }
                    _ => false,
                })
        };
        let permit_ready = existing.iter().any(|p| {
            p.name() == wanted[0].0
                && *p.status() == aws_sdk_bedrockagentcorecontrol::types::PolicyStatus::Active
                && same_policy(p, &wanted[0].1, &wanted[0].2)
        });
        let keep_enforcing = attached == Some(GatewayPolicyEngineMode::Enforce) && permit_ready;
        if !keep_enforcing && attached != Some(GatewayPolicyEngineMode::LogOnly) {
            self.attach(lc, &gw, &ef.arn, GatewayPolicyEngineMode::LogOnly)
                .await?;
        }

        // One policy per blocked tool, named after the tool, made concurrently; a policy whose
        // tool no longer appears in any blocklist is deleted.
        let results = futures_util::future::join_all(wanted.iter().map(|(name, stmt, desc)| {
            let existing = &existing;
            let same_policy = &same_policy;
            async move {
                let have = existing.iter().find(|p| p.name() == name);
                let same = have.is_some_and(|p| same_policy(p, stmt, desc));
                let definition =
                    aws_sdk_bedrockagentcorecontrol::types::PolicyDefinition::Cedar(sdk::built(
                        aws_sdk_bedrockagentcorecontrol::types::CedarPolicy::builder()
                            .statement(stmt)
                            .build(),
                        "Cedar policy",
                    )?);
                let id = match have {
                    Some(p) if same => p.policy_id().to_owned(),
                    Some(p) => {
                        call(
                            c,
                            "UpdatePolicy",
                            c.control
                                .update_policy()
                                .policy_engine_id(ef_id)
                                .policy_id(p.policy_id())
                                .definition(definition)
                                .description(
                                    aws_sdk_bedrockagentcorecontrol::types::UpdatedDescription::builder()
                                        .optional_value(desc)
                                        .build(),
                                )
                                .send(),
                        )
                        .await?;
                        p.policy_id().to_owned()
                    }
                    None => call(
                        c,
                        "CreatePolicy",
                        c.control
                            .create_policy()
                            .policy_engine_id(ef_id)
                            .name(name)
                            .description(desc)
                            .definition(definition)
                            .send(),
                    )
                    .await?
                    .policy_id()
                    .to_owned(),
                };
                poll::until_ready(
                    "cedar policy",
                    name,
                    &self.dep.poll,
                    &self.dep.cancel,
                    |_| {},
                    || cloud::policy_probe(c, ef_id, &id),
                )
                .await?;
                Ok::<String, aws::Error>(id)
            }
        }))
        .await;
        let mut ids = Vec::new();
        for r in results {
            ids.push(r?);
        }
        for p in existing
            .iter()
            .filter(|p| !wanted.iter().any(|(n, _, _)| n == p.name()))
        {
            call(
                c,
                "DeletePolicy",
                c.control
                    .delete_policy()
                    .policy_engine_id(&ef.id)
                    .policy_id(p.policy_id())
                    .send(),
            )
            .await?;
        }
        if !keep_enforcing {
            self.attach(lc, &gw, &ef.arn, GatewayPolicyEngineMode::Enforce)
                .await?;
        }
        self.out.lock().unwrap().engine_arn = Some(ef.arn.clone());
        let extra = [
            ("policy_engine_id", ef.id.clone()),
            ("policy_engine_arn", ef.arn.clone()),
            ("policy_id", ids.last().cloned().unwrap_or_default()),
            ("policy_count", ids.len().to_string()),
            ("gateway_id", gw.id.clone()),
        ];
        Ok(self.finish(lc, &engine, &hash, &extra))
    }

    /// The mode in which the gateway runs this engine, `None` when it runs no engine or another.
    async fn attached_mode(
        &self,
        gw: &GatewayRef,
        engine_arn: &str,
    ) -> Result<Option<GatewayPolicyEngineMode>, aws::Error> {
        let c = self.c();
        let current = call(
            c,
            "GetGateway",
            c.control.get_gateway().gateway_identifier(&gw.id).send(),
        )
        .await?;
        Ok(current
            .policy_engine_configuration()
            .filter(|p| p.arn() == engine_arn)
            .map(|p| p.mode().clone()))
    }

    /// UpdateGateway re-sends name, roleArn and authorizerType (all required)
    /// with the engine. The pack has one engine, so whatever else the gateway
    /// enforces (an engine of an older apply) is replaced.
    async fn attach(
        &self,
        lc: &Lc<'_>,
        gw: &GatewayRef,
        engine_arn: &str,
        mode: GatewayPolicyEngineMode,
    ) -> Result<(), aws::Error> {
        use aws_sdk_bedrockagentcorecontrol::types as t;
        let c = self.c();
        lc.calling(&format!("UpdateGateway ({})", mode.as_str()));
        call(
            c,
            "UpdateGateway",
            c.control
                .update_gateway()
                .gateway_identifier(&gw.id)
                .name(&gw.name)
                .role_arn(&gw.role_arn)
                .protocol_type(t::GatewayProtocolType::Mcp)
                .authorizer_type(t::AuthorizerType::None)
                .policy_engine_configuration(sdk::built(
                    t::GatewayPolicyEngineConfiguration::builder()
                        .arn(engine_arn)
                        .mode(mode)
                        .build(),
                    "policy engine configuration",
                )?)
                .send(),
        )
        .await?;
        poll::until_ready(
            "gateway",
            &gw.name,
            &self.dep.poll,
            &self.dep.cancel,
            |s| lc.phase(ResourcePhase::Waiting(format!("gateway {s}")), None),
            || cloud::gateway_probe(c, &gw.id),
        )
        .await?;
        Ok(())
    }

    // ---- runtimes ----

    fn runtime_env(&self, s: &RuntimeSpec, with_agents: bool) -> BTreeMap<String, String> {
        let out = self.out.lock().unwrap();
        let mut env = compose_env(s, out.memory_arn.as_deref(), out.engine_arn.as_deref());
        if with_agents
            && s.is_entry
            && let Some(agents) = self.agents_json(&out)
        {
            env.insert("PROMPTPACK_AGENTS".into(), agents);
        }
        env
    }

    /// `{member: runtime ARN}` once every member runtime exists.
    fn agents_json(&self, out: &Outputs) -> Option<String> {
        let mut m = serde_json::Map::new();
        for r in self
            .plan
            .resources()
            .filter(|r| r.kind == ResourceKind::AgentRuntime)
        {
            let ResourceSpec::AgentRuntime(s) = &r.spec else {
                continue;
            };
            let member = s.agent.clone()?;
            m.insert(
                member,
                serde_json::Value::String(out.runtimes.get(&r.name)?.arn.clone()),
            );
        }
        Some(serde_json::Value::Object(m).to_string())
    }

    async fn artifact(&self) -> Result<RuntimeArtifact, aws::Error> {
        self.artifact
            .get_or_init(|| self.prepare_artifact())
            .await
            .clone()
    }

    async fn update_runtime(
        &self,
        lc: &Lc<'_>,
        id: &str,
        s: &RuntimeSpec,
        art: &RuntimeArtifact,
        env: &BTreeMap<String, String>,
    ) -> Result<(), aws::Error> {
        let c = self.c();
        lc.calling("UpdateAgentRuntime");
        let mut req = c
            .control
            .update_agent_runtime()
            .agent_runtime_id(id)
            .agent_runtime_artifact(art.to_sdk())
            .role_arn(&s.role_arn)
            .network_configuration(sdk::network_public()?)
            .set_environment_variables(Some(hash_map(env)));
        if let Some(p) = &s.server_protocol {
            req = req.protocol_configuration(sdk::protocol(p)?);
        }
        if let Some(a) = &s.authorizer {
            req = req.authorizer_configuration(sdk::jwt_authorizer(a)?);
        }
        call(c, "UpdateAgentRuntime", req.send()).await?;
        self.wait(lc, || cloud::runtime_probe(c, id)).await?;
        Ok(())
    }

    async fn runtime(&self, lc: &Lc<'_>, s: &RuntimeSpec) -> Result<(Outcome, String), aws::Error> {
        let c = self.c();
        let art = self.artifact().await?;
        let env = self.runtime_env(s, false);
        let hash = runtime_hash(s, &art, &env);
        let (art_ref, env_ref) = (&art, &env);
        let loc = self
            .locate_or_create(
                lc,
                &hash,
                || cloud::find_runtime(c, &lc.name),
                move || async move {
                    lc.calling("CreateAgentRuntime");
                    let mut req = c
                        .control
                        .create_agent_runtime()
                        .agent_runtime_name(&lc.name)
                        .agent_runtime_artifact(art_ref.to_sdk())
                        .role_arn(&s.role_arn)
                        .network_configuration(sdk::network_public()?)
                        .set_environment_variables(Some(hash_map(env_ref)))
                        .set_tags(Some(hash_map(&s.tags)));
                    if let Some(p) = &s.server_protocol {
                        req = req.protocol_configuration(sdk::protocol(p)?);
                    }
                    if let Some(a) = &s.authorizer {
                        req = req.authorizer_configuration(sdk::jwt_authorizer(a)?);
                    }
                    let o = call(c, "CreateAgentRuntime", req.send()).await?;
                    Ok(Found {
                        id: o.agent_runtime_id().to_owned(),
                        arn: o.agent_runtime_arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::runtime_probe(c, &id).await },
            )
            .await?;
        if let Located::Stale(f) | Located::Adopted(f) = &loc {
            // Existing runtimes are updated in place, never recreated.
            self.update_runtime(lc, &f.id, s, &art, &env).await?;
            call(
                c,
                "TagResource",
                c.control
                    .tag_resource()
                    .resource_arn(&f.arn)
                    .set_tags(Some(hash_map(&s.tags)))
                    .send(),
            )
            .await?;
        }
        {
            let mut out = self.out.lock().unwrap();
            out.runtimes.insert(lc.name.clone(), loc.found().clone());
            if !matches!(loc, Located::Current(_)) {
                out.changed_runtimes.insert(lc.name.clone());
            }
        }
        let loc = match loc {
            Located::Adopted(f) => Located::Stale(f),
            other => other,
        };
        Ok(self.finish(lc, &loc, &hash, &[]))
    }

    // ---- A2A ----

    /// The entry runtime learns its peers (`PROMPTPACK_AGENTS`), updated
    /// only when the map changed.
    async fn wire_a2a(&self) {
        let res = self.wire_a2a_inner().await;
        if let Err(e) = &res {
            self.dep.events.send(Event::Error {
                step: Some(Step::A2aWiring),
                kind: ResourceKind::AgentRuntime.to_string(),
                name: "entry".into(),
                category: e.category,
                message: e.message.clone(),
                hint: e.hint.clone(),
            });
        }
        self.out.lock().unwrap().a2a = Some(res);
    }

    async fn wire_a2a_inner(&self) -> Result<(), aws::Error> {
        let c = self.c();
        let Some((entry, spec)) = self.plan.resources().find_map(|r| match &r.spec {
            ResourceSpec::AgentRuntime(s) if s.is_entry => Some((r, s)),
            _ => None,
        }) else {
            return Ok(());
        };
        let (found, agents, changed) = {
            let out = self.out.lock().unwrap();
            (
                out.runtimes.get(&entry.name).cloned(),
                self.agents_json(&out),
                out.changed_runtimes.contains(&entry.name),
            )
        };
        let (Some(found), Some(agents)) = (found, agents) else {
            return Err(aws::Error::new(
                Category::Resource,
                "UpdateAgentRuntime",
                "not every member runtime deployed, so the entry agent cannot be told its peers",
            ));
        };
        // Just created or updated: its env certainly lacks the peers.
        if !changed {
            let cur = call(
                c,
                "GetAgentRuntime",
                c.control
                    .get_agent_runtime()
                    .agent_runtime_id(&found.id)
                    .send(),
            )
            .await?;
            let have = cur
                .environment_variables()
                .and_then(|e| e.get("PROMPTPACK_AGENTS"))
                .cloned();
            if have.as_deref() == Some(agents.as_str()) {
                return Ok(());
            }
        }
        // The entry runtime's own row (its step's): wiring updates that resource, it is not
        // one more, so the counts stay those of the plan.
        let lc = self.lc(
            Step::AgentRuntimes,
            ResourceKind::AgentRuntime.as_str(),
            &entry.name,
        );
        let art = self.artifact().await?;
        let env = self.runtime_env(spec, true);
        self.update_runtime(&lc, &found.id, spec, &art, &env)
            .await?;
        lc.phase(ResourcePhase::Ready, Some(&found.arn));
        self.dep.events.log(format!(
            "entry agent {} now knows its peers (PROMPTPACK_AGENTS)",
            entry.name
        ));
        Ok(())
    }

    async fn endpoint(
        &self,
        lc: &Lc<'_>,
        runtime_name: &str,
    ) -> Result<(Outcome, String), aws::Error> {
        if let Some(Err(e)) = &self.out.lock().unwrap().a2a {
            return Err(e.clone());
        }
        let Some(rt) = self.out.lock().unwrap().runtimes.get(runtime_name).cloned() else {
            return Err(aws::Error::new(
                Category::Resource,
                "A2AWiring",
                format!("runtime {runtime_name} is not deployed"),
            ));
        };
        // Logical resource: the member runtime serves A2A itself.
        let prior = self.dep.store.snapshot().get(&lc.kind, &lc.name).cloned();
        let hash = a2a_hash(&rt.arn);
        let loc = if prior
            .as_ref()
            .is_some_and(|p| p.meta("spec_hash") == Some(hash.as_str()))
        {
            Located::Current(rt.clone())
        } else {
            Located::New(rt.clone())
        };
        Ok(self.finish(
            lc,
            &loc,
            &hash,
            &[("runtime_name", runtime_name.to_owned())],
        ))
    }

    // ---- evaluation ----

    async fn evaluator(
        &self,
        lc: &Lc<'_>,
        s: &EvaluatorSpec,
    ) -> Result<(Outcome, String), aws::Error> {
        let c = self.c();
        let hash = fingerprint(s);
        let config = sdk::evaluator_config(s)?;
        let level = aws_sdk_bedrockagentcorecontrol::types::EvaluatorLevel::from(s.level.as_str());
        let (config_ref, level_ref) = (&config, &level);
        let loc = self
            .locate_or_create(
                lc,
                &hash,
                || cloud::find_evaluator(c, &lc.name),
                move || async move {
                    lc.calling("CreateEvaluator");
                    let o = call(
                        c,
                        "CreateEvaluator",
                        c.control
                            .create_evaluator()
                            .evaluator_name(&lc.name)
                            .evaluator_config(config_ref.clone())
                            .level(level_ref.clone())
                            .set_description(s.description.clone())
                            .set_tags(Some(hash_map(&s.tags)))
                            .send(),
                    )
                    .await?;
                    Ok(Found {
                        id: o.evaluator_id().to_owned(),
                        arn: o.evaluator_arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::evaluator_probe(c, &id).await },
            )
            .await?;
        if let Located::Stale(f) = &loc {
            lc.calling("UpdateEvaluator");
            call(
                c,
                "UpdateEvaluator",
                c.control
                    .update_evaluator()
                    .evaluator_id(&f.id)
                    .evaluator_config(config.clone())
                    .level(level.clone())
                    .set_description(s.description.clone())
                    .send(),
            )
            .await?;
            self.wait(lc, || cloud::evaluator_probe(c, &f.id)).await?;
        }
        self.out
            .lock()
            .unwrap()
            .evaluators
            .insert(lc.name.clone(), loc.found().clone());
        Ok(self.finish(lc, &loc, &hash, &[]))
    }

    async fn online_eval(
        &self,
        lc: &Lc<'_>,
        s: &OnlineEvalSpec,
    ) -> Result<(Outcome, String), aws::Error> {
        use aws_sdk_bedrockagentcorecontrol::types as t;
        let c = self.c();
        let mut refs = Vec::new();
        {
            let out = self.out.lock().unwrap();
            for name in &s.evaluators {
                match out.evaluators.get(name) {
                    Some(f) => refs.push(f.id.clone()),
                    None => {
                        return Err(aws::Error::new(
                            Category::Resource,
                            "CreateOnlineEvaluationConfig",
                            format!("evaluator {name} is not deployed"),
                        ));
                    }
                }
            }
        }
        refs.extend(s.builtin_evaluator_ids.iter().cloned());
        if refs.is_empty() {
            return Err(aws::Error::new(
                Category::Configuration,
                "CreateOnlineEvaluationConfig",
                "no evaluator references available",
            ));
        }
        let hash = online_hash(s, &refs);
        let rule = t::Rule::builder()
            .sampling_config(sdk::built(
                t::SamplingConfig::builder()
                    .sampling_percentage(s.sampling_percentage)
                    .build(),
                "sampling",
            )?)
            .build();
        let source = t::DataSourceConfig::CloudWatchLogs(sdk::built(
            t::CloudWatchLogsInputConfig::builder()
                .set_log_group_names(Some(s.log_group_names.clone()))
                .set_service_names(Some(s.service_names.clone()))
                .build(),
            "data source",
        )?);
        let evaluators: Vec<t::EvaluatorReference> = refs
            .iter()
            .map(|id| t::EvaluatorReference::EvaluatorId(id.clone()))
            .collect();
        let (rule_ref, source_ref, evaluators_ref) = (&rule, &source, &evaluators);
        let loc = self
            .locate_or_create(
                lc,
                &hash,
                || cloud::find_online_eval(c, &lc.name),
                move || async move {
                    lc.calling("CreateOnlineEvaluationConfig");
                    let o = call(
                        c,
                        "CreateOnlineEvaluationConfig",
                        c.control
                            .create_online_evaluation_config()
                            .online_evaluation_config_name(&lc.name)
                            .rule(rule_ref.clone())
                            .data_source_config(source_ref.clone())
                            .set_evaluators(Some(evaluators_ref.clone()))
                            .evaluation_execution_role_arn(&s.execution_role_arn)
                            .enable_on_create(true)
                            .set_tags(Some(hash_map(&s.tags)))
                            .send(),
                    )
                    .await?;
                    Ok(Found {
                        id: o.online_evaluation_config_id().to_owned(),
                        arn: o.online_evaluation_config_arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::online_eval_probe(c, &id).await },
            )
            .await?;
        if let Located::Stale(f) = &loc {
            lc.calling("UpdateOnlineEvaluationConfig");
            call(
                c,
                "UpdateOnlineEvaluationConfig",
                c.control
                    .update_online_evaluation_config()
                    .online_evaluation_config_id(&f.id)
                    .rule(rule.clone())
                    .data_source_config(source.clone())
                    .set_evaluators(Some(evaluators.clone()))
                    .evaluation_execution_role_arn(&s.execution_role_arn)
                    .send(),
            )
            .await?;
            self.wait(lc, || cloud::online_eval_probe(c, &f.id)).await?;
        }
        Ok(self.finish(lc, &loc, &hash, &[]))
    }
}

/// The one MCP gateway every tool target hangs on, if the step has targets.
fn shared_gateway(step: &crate::plan::PlanStep) -> Option<&ToolGatewaySpec> {
    step.resources.iter().find_map(|r| match &r.spec {
        ResourceSpec::ToolGateway(s) => Some(s),
        _ => None,
    })
}

/// Recorded online evaluation configs the plan does not have: the pack-wide one of older
/// versions, or those of runtimes or evals that left the pack. Apply deletes them (and plan
/// shows them as deletes of that step); the others a plan leaves out, apply leaves alone.
pub(crate) fn retired_online_evals<'s>(
    plan: &ResourcePlan,
    st: &'s DeployState,
) -> Vec<&'s ResourceRecord> {
    let kind = ResourceKind::OnlineEvalConfig;
    st.live()
        .filter(|r| r.kind == kind.as_str() && plan.find(kind, &r.name).is_none())
        .collect()
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

// The fingerprints recorded in state; plan recomputes them from the prior
// state to tell unchanged from changed.

pub(crate) fn gateway_hash(s: &ToolGatewaySpec) -> String {
    fingerprint(&(&s.gateway_name, &s.role_arn))
}

pub(crate) fn target_hash(s: &ToolGatewaySpec, gateway_id: &str) -> String {
    fingerprint(&(s, gateway_id))
}

pub(crate) fn cedar_hash(s: &CedarPolicySpec, gateway_arn: &str) -> String {
    fingerprint(&(s, gateway_arn))
}

pub(crate) fn runtime_hash(
    s: &RuntimeSpec,
    art: &RuntimeArtifact,
    env: &BTreeMap<String, String>,
) -> String {
    fingerprint(&(s, art, env))
}

pub(crate) fn a2a_hash(runtime_arn: &str) -> String {
    fingerprint(&runtime_arn)
}

pub(crate) fn online_hash(s: &OnlineEvalSpec, refs: &[String]) -> String {
    fingerprint(&(s, refs))
}

/// The runtime environment: the plan's variables plus those only known
/// after earlier steps (promptpack-format.md §5).
pub(crate) fn compose_env(
    s: &RuntimeSpec,
    memory_arn: Option<&str>,
    engine_arn: Option<&str>,
) -> BTreeMap<String, String> {
    let mut env = s.env.clone();
    if s.env_after_apply
        .iter()
        .any(|v| v == "PROMPTPACK_MEMORY_ID")
        && let Some(m) = memory_arn
    {
        env.insert("PROMPTPACK_MEMORY_ID".into(), m.to_owned());
    }
    if s.env_after_apply
        .iter()
        .any(|v| v == "PROMPTPACK_POLICY_ENGINE_ARN")
        && let Some(arn) = engine_arn
    {
        env.insert("PROMPTPACK_POLICY_ENGINE_ARN".into(), arn.to_owned());
    }
    env
}
