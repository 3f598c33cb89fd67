//! [`AwsServices`] on top of the crate's own AWS layer (`crate::aws`, `crate::kms`): no SDK type
//! crosses into the TUI. Clients are built once per target and region; the local emulator is
//! started on first use and kept alive for the whole session, with the same persistent world
//! as the headless `--local` commands.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt};
use tokio::sync::Mutex;

use super::services::{
    AwsServices, AwsTarget, CallerIdentity, InvokeEvent, KeyInfo, LogsQuery, LogsRead,
    PlannedDeploy, ProfileEntry, RunKind, RunSummary, ServiceError, TargetsFound,
};
use crate::aws::{self, Clients, ConnectOptions};
use crate::kms::keys::Keys;
use crate::services::answers::{self, Answers};

#[derive(Clone, Default)]
pub struct SdkServices {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    clients: Mutex<HashMap<(AwsTarget, String), Clients>>,
    local_state_file: Option<PathBuf>,
}

impl SdkServices {
    pub fn new(local_state_file: Option<PathBuf>) -> Self {
        Self {
            inner: Arc::new(Inner {
                clients: Mutex::default(),
                local_state_file,
            }),
        }
    }
}

/// The TUI has no field for the caller's role: the CLI's `--role` takes it.
const ASK_ROLE: &str =
    "check the key from a shell with `agentcore-tui keys check KEY --role ROLE_ARN`";

fn service_error(e: aws::Error) -> ServiceError {
    ServiceError {
        category: e.category.to_string(),
        message: e.message,
        hint: e.hint,
    }
}

impl Inner {
    async fn clients(&self, target: &AwsTarget, region: &str) -> Result<Clients, ServiceError> {
        let mut cache = self.clients.lock().await;
        if let Some(c) = cache.get(&(target.clone(), region.to_string())) {
            return Ok(c.clone());
        }
        let clients = match target {
            AwsTarget::Profile(p) => Clients::connect(&ConnectOptions {
                profile: Some(p.clone()),
                region: Some(region.to_string()),
                ..ConnectOptions::default()
            })
            .await
            .map_err(service_error)?,
            AwsTarget::Environment => Clients::connect(&ConnectOptions {
                region: Some(region.to_string()),
                ..ConnectOptions::default()
            })
            .await
            .map_err(service_error)?,
            AwsTarget::Local => {
                // One emulator for the session: other regions reuse its endpoint, and the
                // first clients (which own it) stay in the cache.
                let running = cache
                    .iter()
                    .find(|((t, _), _)| *t == AwsTarget::Local)
                    .and_then(|(_, c)| c.endpoint_url.clone());
                match running {
                    Some(url) => Clients::for_endpoint(&url, region)
                        .await
                        .map_err(service_error)?,
                    None => {
                        aws::local::start(region, self.local_state_file.clone())
                            .await
                            .map_err(service_error)?
                            .0
                    }
                }
            }
        };
        cache.insert((target.clone(), region.to_string()), clients.clone());
        Ok(clients)
    }
}

impl AwsServices for SdkServices {
    fn profiles(&self) -> BoxFuture<'static, Result<TargetsFound, ServiceError>> {
        Box::pin(async {
            tokio::task::spawn_blocking(targets_found)
                .await
                .map_err(|e| ServiceError {
                    category: "configuration".into(),
                    message: format!("reading the AWS config files failed: {e}"),
                    hint: None,
                })
        })
    }

    fn caller_identity(
        &self,
        target: AwsTarget,
        region: String,
    ) -> BoxFuture<'static, Result<CallerIdentity, ServiceError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let clients = inner.clients(&target, &region).await?;
            let id = clients.caller_identity().await.map_err(service_error)?;
            let principal = clients
                .principal_arn(&id.arn, ASK_ROLE)
                .await
                .map_err(service_error);
            Ok(CallerIdentity {
                account: id.account,
                arn: id.arn,
                principal,
            })
        })
    }

    fn kms_keys(
        &self,
        target: AwsTarget,
        region: String,
    ) -> BoxStream<'static, Result<Vec<KeyInfo>, ServiceError>> {
        let inner = self.inner.clone();
        let start = async move {
            match inner.clients(&target, &region).await {
                Ok(c) => {
                    let pages = Keys::from_clients(&c).list();
                    stream::unfold(pages, |mut pages| async move {
                        pages
                            .next_page()
                            .await
                            .map(|page| (page.map_err(service_error), pages))
                    })
                    .boxed()
                }
                Err(e) => stream::once(async { Err(e) }).boxed(),
            }
        };
        stream::once(start).flatten().boxed()
    }

    fn plan(&self, answers: Answers) -> BoxFuture<'static, Result<PlannedDeploy, ServiceError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let p = inner.prepare(&answers).await?;
            let prior = p.store.snapshot();
            let artifact = p.artifact.planned(
                &p.account,
                &p.clients.region,
                &p.plan.pack_id,
                &p.plan.pack_version,
            );
            let report =
                crate::deploy::plan::plan(&p.plan, &prior, Some(&p.clients), artifact.as_ref())
                    .await
                    .map_err(service_error)?;
            let interrupted = left_creating(&prior);
            Ok(PlannedDeploy {
                report,
                pack_id: p.plan.pack_id.clone(),
                account: p.account,
                region: p.clients.region.clone(),
                state_file: p.store.path().to_path_buf(),
                interrupted,
            })
        })
    }

    fn run(
        &self,
        answers: Answers,
        kind: RunKind,
        events: crate::deploy::events::Events,
        cancel: tokio_util::sync::CancellationToken,
    ) -> BoxFuture<'static, Result<RunSummary, ServiceError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let p = inner.prepare(&answers).await?;
            // Held for the run: a headless apply or destroy of the same deployment waits its turn.
            let _lock = crate::deploy::lock::acquire(p.store.path(), "TUI deploy")
                .map_err(|e| service_error(e.to_aws()))?;
            let dep = crate::deploy::Deployment::new(p.clients, p.account, p.store)
                .with_events(events)
                .with_cancel(cancel);
            Ok(match kind {
                RunKind::Apply => {
                    let opts = crate::deploy::apply::ApplyOptions {
                        artifact: p.artifact,
                        pack_json: p.pack_json,
                    };
                    let r = crate::deploy::apply::apply(&dep, &p.plan, &opts).await;
                    RunSummary {
                        ok: r.ok(),
                        cancelled: r.cancelled,
                        summary: r.summary(),
                    }
                }
                RunKind::Destroy => {
                    let r = crate::deploy::destroy::destroy(&dep).await;
                    RunSummary {
                        ok: r.ok(),
                        cancelled: dep.cancel.is_cancelled(),
                        summary: r.summary(),
                    }
                }
            })
        })
    }

    fn recommendations(
        &self,
        target: AwsTarget,
        region: String,
    ) -> BoxStream<'static, Result<Vec<crate::recommend::Summary>, ServiceError>> {
        let recs = self.recs(target, region);
        let start = async move {
            match recs.await {
                Ok(r) => stream::unfold(r.list(None), |mut pages| async move {
                    pages
                        .next_page()
                        .await
                        .map(|page| (page.map_err(rec_error), pages))
                })
                .boxed(),
                Err(e) => stream::once(async { Err(e) }).boxed(),
            }
        };
        stream::once(start).flatten().boxed()
    }

    fn recommendation(
        &self,
        target: AwsTarget,
        region: String,
        id: String,
    ) -> BoxFuture<'static, Result<crate::recommend::Detail, ServiceError>> {
        let recs = self.recs(target, region);
        Box::pin(async move { recs.await?.get(&id).await.map_err(rec_error) })
    }

    fn delete_recommendation(
        &self,
        target: AwsTarget,
        region: String,
        id: String,
    ) -> BoxFuture<'static, Result<crate::recommend::Status, ServiceError>> {
        let recs = self.recs(target, region);
        Box::pin(async move { recs.await?.delete(&id).await.map_err(rec_error) })
    }

    fn start_recommendation(
        &self,
        target: AwsTarget,
        region: String,
        request: crate::recommend::StartRequest,
    ) -> BoxFuture<'static, Result<crate::recommend::Summary, ServiceError>> {
        let recs = self.recs(target, region);
        Box::pin(async move { recs.await?.start(&request).await.map_err(rec_error) })
    }

    fn key_policy_check(
        &self,
        target: AwsTarget,
        region: String,
        key_arn: String,
    ) -> BoxFuture<'static, Result<super::services::PolicyCheck, ServiceError>> {
        use crate::services::key_policy;
        let inner = self.inner.clone();
        Box::pin(async move {
            let c = inner.clients(&target, &region).await?;
            let pt = key_policy::target_for(&c, None, ASK_ROLE)
                .await
                .map_err(|e| match e {
                    key_policy::TargetFailure::Aws(e) => service_error(e),
                    key_policy::TargetFailure::Invalid(e) => {
                        config_error(e.to_string(), Some(e.fix.clone()))
                    }
                })?;
            let current = Keys::from_clients(&c)
                .policy(&key_arn)
                .await
                .map_err(service_error)?;
            let checked = key_policy::check(&current, &pt)
                .map_err(|e| config_error(e.to_string(), Some(key_policy::NOT_JSON_FIX.into())))?;
            Ok(super::services::PolicyCheck {
                key_arn,
                compliant: checked.compliant(),
                findings: checked.findings(),
                diff: checked.diff,
            })
        })
    }

    fn key_policy(
        &self,
        target: AwsTarget,
        region: String,
        key_arn: String,
    ) -> BoxFuture<'static, Result<String, ServiceError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let c = inner.clients(&target, &region).await?;
            Keys::from_clients(&c)
                .policy(&key_arn)
                .await
                .map_err(service_error)
        })
    }

    fn put_key_policy(
        &self,
        target: AwsTarget,
        region: String,
        key_arn: String,
        policy: String,
    ) -> BoxFuture<'static, Result<(), ServiceError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let c = inner.clients(&target, &region).await?;
            Keys::from_clients(&c)
                .put_policy(&key_arn, &policy)
                .await
                .map_err(service_error)
        })
    }

    fn kms_activity(
        &self,
        target: AwsTarget,
        region: String,
    ) -> BoxFuture<'static, Result<Vec<crate::kms::activity::KmsEvent>, ServiceError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let c = inner.clients(&target, &region).await?;
            crate::kms::activity::lookup_with(&c, &crate::kms::activity::ActivityFilter::default())
                .await
                .map_err(service_error)
        })
    }

    fn interrupted(
        &self,
        answers: Answers,
    ) -> BoxFuture<'static, Result<Vec<String>, ServiceError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let p = inner.prepare(&answers).await?;
            Ok(left_creating(&p.store.snapshot()))
        })
    }

    fn status(
        &self,
        answers: Answers,
    ) -> BoxFuture<'static, Result<crate::deploy::status::StatusReport, ServiceError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let p = inner.prepare(&answers).await?;
            let dep = crate::deploy::Deployment::new(p.clients, p.account, p.store);
            crate::deploy::status::status(&dep)
                .await
                .map_err(service_error)
        })
    }

    fn invoke(
        &self,
        answers: Answers,
        runtime: String,
        prompt: String,
        session: Option<String>,
    ) -> BoxStream<'static, InvokeEvent> {
        self.invoke_runtime(answers, runtime, prompt, session)
    }

    fn evaluations(
        &self,
        answers: Answers,
        runtime: String,
    ) -> BoxFuture<'static, Result<crate::monitor::evaluations::Results, ServiceError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let p = inner.prepare(&answers).await?;
            let state = p.store.snapshot();
            let rt = crate::monitor::target::find(&p.plan, &state, Some(&runtime))
                .map_err(service_error)?;
            let start_ms = chrono::Utc::now().timestamp_millis() - EVALUATIONS_LOOKBACK_MS;
            crate::monitor::evaluations::fetch(&p.clients, &state, &rt, start_ms)
                .await
                .map_err(service_error)
        })
    }

    fn health(
        &self,
        answers: Answers,
        runtime: String,
    ) -> BoxFuture<'static, Result<crate::monitor::health::Health, ServiceError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let p = inner.prepare(&answers).await?;
            let state = p.store.snapshot();
            let rt = crate::monitor::target::find(&p.plan, &state, Some(&runtime))
                .map_err(service_error)?;
            Ok(crate::monitor::health::gather(&p.clients, &state, &rt).await)
        })
    }

    fn runtime_logs(
        &self,
        answers: Answers,
        query: LogsQuery,
    ) -> BoxFuture<'static, Result<LogsRead, ServiceError>> {
        use crate::monitor::logs::{self, Filter};
        let inner = self.inner.clone();
        Box::pin(async move {
            let (clients, groups, reads, start_ms) = match query.reads {
                Some(reads) => {
                    let target = answers
                        .target
                        .clone()
                        .ok_or_else(|| config_error("no AWS target chosen".into(), None))?;
                    let start = reads.iter().map(|r| r.1).min().unwrap_or_default();
                    (
                        inner.clients(&target, &answers.region).await?,
                        None,
                        reads,
                        start,
                    )
                }
                None => {
                    let p = inner.prepare(&answers).await?;
                    let rt = crate::monitor::target::find(
                        &p.plan,
                        &p.store.snapshot(),
                        Some(&query.runtime),
                    )
                    .map_err(service_error)?;
                    let range = i64::try_from(query.range.as_millis()).unwrap_or(i64::MAX);
                    let start = chrono::Utc::now().timestamp_millis() - range;
                    let groups = rt.log_groups();
                    let reads = groups.iter().map(|(_, g)| (g.clone(), start)).collect();
                    (p.clients, Some(groups), reads, start)
                }
            };
            let fetched = logs::fetch_all(
                &clients.logs(),
                &clients.error_context(),
                &reads,
                &Filter::default(),
            )
            .await
            .map_err(service_error)?;
            Ok(LogsRead {
                groups,
                start_ms,
                fetched,
            })
        })
    }
}

impl SdkServices {
    /// The pieces go through a channel as `monitor::invoke` hands them over, and the end goes
    /// last through the same channel, so it never overtakes a piece.
    fn invoke_runtime(
        &self,
        answers: Answers,
        runtime: String,
        prompt: String,
        session: Option<String>,
    ) -> BoxStream<'static, InvokeEvent> {
        use futures_util::StreamExt;
        let inner = self.inner.clone();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let work = async move {
            let result = async {
                let p = inner.prepare(&answers).await?;
                let rt = crate::monitor::target::find(&p.plan, &p.store.snapshot(), Some(&runtime))
                    .map_err(service_error)?;
                crate::monitor::invoke::invoke(&p.clients, &rt, &prompt, session.as_deref(), |t| {
                    let _ = tx.send(InvokeEvent::Text(t.to_owned()));
                })
                .await
                .map_err(service_error)
            }
            .await;
            let _ = tx.send(InvokeEvent::Done(result));
        };
        let events =
            futures_util::stream::unfold(
                rx,
                |mut rx| async move { rx.recv().await.map(|e| (e, rx)) },
            );
        let driver = futures_util::stream::once(work).filter_map(|()| async { None });
        futures_util::stream::select(events, driver).boxed()
    }
}

/// How far back the Evaluations view reads: a day of scores to chart.
const EVALUATIONS_LOOKBACK_MS: i64 = 24 * 60 * 60 * 1000;

impl SdkServices {
    /// Use `clients` for `target`/`region` instead of connecting (tests point the TUI at an
    /// emulator they control).
    pub async fn preload(&self, target: AwsTarget, region: &str, clients: Clients) {
        self.inner
            .clients
            .lock()
            .await
            .insert((target, region.to_string()), clients);
    }

    fn recs(
        &self,
        target: AwsTarget,
        region: String,
    ) -> impl Future<Output = Result<crate::recommend::Recommendations, ServiceError>> + use<> {
        let inner = self.inner.clone();
        async move {
            let c = inner.clients(&target, &region).await?;
            Ok(crate::recommend::Recommendations::from_clients(&c))
        }
    }
}

/// "kind name" of every resource an apply recorded as creating and never finished.
fn left_creating(state: &crate::deploy::state::DeployState) -> Vec<String> {
    state
        .resources
        .iter()
        .filter(|r| r.status == Some(crate::deploy::state::RecordStatus::Creating))
        .map(|r| format!("{} {}", r.kind, r.name))
        .collect()
}

fn rec_error(e: crate::recommend::RecError) -> ServiceError {
    use crate::recommend::RecError;
    match e {
        RecError::Aws(e) => service_error(e),
        e @ RecError::KeyUnavailable { .. } => ServiceError {
            category: super::services::KEY_UNAVAILABLE.into(),
            message: e.to_string(),
            hint: None,
        },
        e @ RecError::Invalid(_) => config_error(e.to_string(), None),
    }
}

/// What every deploy operation of the TUI needs, built from the wizard's answers: the shared
/// preparation plus the session's clients.
struct Prepared {
    clients: Clients,
    account: String,
    store: Arc<crate::deploy::state::StateStore>,
    plan: crate::plan::ResourcePlan,
    artifact: crate::deploy::apply::ArtifactSource,
    pack_json: String,
}

fn config_error(message: String, hint: Option<String>) -> ServiceError {
    ServiceError {
        category: "configuration".into(),
        message,
        hint,
    }
}

impl Inner {
    async fn prepare(&self, answers: &Answers) -> Result<Prepared, ServiceError> {
        use crate::services::deploy::PrepareError;
        let target = answers.target.clone().ok_or_else(|| {
            config_error(
                "no AWS target chosen".into(),
                Some("step 0: pick a profile or the local emulator".into()),
            )
        })?;
        let pack_path = PathBuf::from(&answers.pack_path);
        let config = answers::deploy_config(answers);
        // The wizard's steps have checked the answers already: no config check here.
        let prepared =
            crate::services::deploy::prepare(&pack_path, config, None).map_err(|e| match e {
                PrepareError::Pack(e) => config_error(e.to_diagnostic().message, e.hint),
                PrepareError::Invalid(diags) => {
                    let first = diags.into_iter().next();
                    config_error(
                        first.as_ref().map_or_else(
                            || "the pack cannot be derived".into(),
                            |d| d.message.clone(),
                        ),
                        first.and_then(|d| d.hint),
                    )
                }
            })?;
        let clients = self.clients(&target, &answers.region).await?;
        let account = clients
            .caller_identity()
            .await
            .map_err(service_error)?
            .account;
        let store = crate::services::deploy::open_store(&clients, &account, &prepared.plan.pack_id)
            .map_err(|e| config_error(e.to_string(), None))?;
        Ok(Prepared {
            clients,
            account,
            store,
            plan: prepared.plan,
            artifact: answers::artifact_source(answers),
            pack_json: prepared.pack_json,
        })
    }
}

/// The profiles of the AWS config and credentials files (SSO sessions are not profiles) and
/// the AWS settings of the environment.
pub fn targets_found() -> TargetsFound {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    TargetsFound {
        profiles: aws::profiles::load()
            .into_iter()
            .map(|p| ProfileEntry {
                kind: (p.kind != aws::profiles::CredentialKind::Other).then(|| p.kind.to_string()),
                name: p.name,
                region: p.region,
            })
            .collect(),
        env_credentials: var("AWS_ACCESS_KEY_ID").is_some()
            && var("AWS_SECRET_ACCESS_KEY").is_some(),
        env_profile: var("AWS_PROFILE"),
        env_region: var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")),
        endpoint: var("AWS_ENDPOINT_URL"),
    }
}
