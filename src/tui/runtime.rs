//! Runs effects as tokio tasks. Each task reports back as an [`Action`] on one bounded channel
//! (a slow UI slows producers down instead of growing a queue). Saves of the answers go through
//! a `watch` channel so a burst of keystrokes becomes one write of the latest answers.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::action::Action;
use super::effect::Effect;
use super::msg::deploy::{DeployMsg, DeployOutcome};
use super::msg::recs::{RecsEffect, RecsMsg, RecsOutcome};
use super::msg::wizard::{LoadedPack, Outcome, TaskResult};
use super::persist::{self, Answers};
use super::services::{AwsServices, InvokeEvent, KeysEvent};
use super::slot::Gen;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use super::msg::call::CallMsg;
use super::services::ServiceError;

pub const CHANNEL_CAPACITY: usize = 64;

pub struct Runtime {
    tx: mpsc::Sender<Action>,
    services: Arc<dyn AwsServices>,
    answers_path: Option<PathBuf>,
    saver: watch::Sender<Option<Answers>>,
    saver_task: Option<tokio::task::JoinHandle<()>>,
    /// Cancellation tokens of the apply/destroy runs still going.
    runs: Arc<std::sync::Mutex<Vec<(Gen, tokio_util::sync::CancellationToken)>>>,
    /// The AWS calls in flight that Esc can cancel, by id.
    calls: Arc<std::sync::Mutex<std::collections::BTreeMap<u64, CancellationToken>>>,
    next_call: Arc<std::sync::atomic::AtomicU64>,
    /// Text to put on the terminal's clipboard, written by the draw loop after its next frame
    /// (through the terminal's own writer, so it never lands inside a frame's output).
    clipboard: std::sync::Mutex<Vec<String>>,
}

impl Runtime {
    /// Must be called inside a tokio runtime (it starts the saver task).
    pub fn start(
        services: Arc<dyn AwsServices>,
        data_dir: Option<&Path>,
    ) -> (Self, mpsc::Receiver<Action>) {
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        let answers_path = data_dir.map(persist_path);
        let (saver, mut latest) = watch::channel::<Option<Answers>>(None);
        let saver_task = answers_path.clone().map(|path| {
            tokio::spawn(async move {
                while latest.changed().await.is_ok() {
                    let Some(answers) = latest.borrow_and_update().clone() else {
                        continue;
                    };
                    let path = path.clone();
                    let res =
                        tokio::task::spawn_blocking(move || persist::save_answers(&path, &answers))
                            .await;
                    match res {
                        Ok(Ok(())) => tracing::debug!("answers saved"),
                        Ok(Err(e)) => tracing::warn!(error = %e, "saving answers failed"),
                        Err(e) => tracing::warn!(error = %e, "saving answers panicked"),
                    }
                }
            })
        });
        (
            Self {
                tx,
                services,
                answers_path,
                saver,
                saver_task,
                runs: Arc::default(),
                calls: Arc::default(),
                next_call: Arc::default(),
                clipboard: std::sync::Mutex::default(),
            },
            rx,
        )
    }

    /// Writes the answers still queued, then stops the saver: quitting right after a keystroke
    /// must not lose it. Call once the loop has ended.
    pub async fn flush_saves(mut self) {
        let task = self.saver_task.take();
        // The saver sees the last value, then `changed()` fails once the sender is gone.
        drop(self);
        if let Some(task) = task {
            let _ = task.await;
        }
    }

    /// The copies asked for since the last call, each as its OSC 52 sequence.
    pub fn take_clipboard(&self) -> Vec<String> {
        let texts = self
            .clipboard
            .lock()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default();
        texts.iter().map(|t| osc52(t)).collect()
    }

    pub fn has_clipboard(&self) -> bool {
        self.clipboard.lock().is_ok_and(|q| !q.is_empty())
    }

    pub fn execute_all(&self, effects: Vec<Effect>) {
        for e in effects {
            self.execute(e);
        }
    }

    pub fn execute(&self, effect: Effect) {
        tracing::debug!(effect = effect_name(&effect), "effect");
        match effect {
            Effect::SaveAnswers(a) => {
                self.saver.send_replace(Some(*a));
            }
            Effect::LoadSavedAnswers => {
                let path = self.answers_path.clone();
                self.blocking(Gen::default(), move || {
                    Outcome::SavedAnswers(
                        path.and_then(|p| persist::load_answers(&p)).map(Box::new),
                    )
                });
            }
            Effect::LoadProfiles { generation } => {
                let fut = self.services.profiles();
                self.spawn(generation, async move { Outcome::Profiles(fut.await) });
            }
            Effect::FetchCallerIdentity {
                generation,
                target,
                region,
            } => {
                let endpoint = target.endpoint_label(&region);
                let fut = self.watched(
                    "GetCallerIdentity",
                    endpoint,
                    self.services.caller_identity(target, region),
                );
                self.spawn(
                    generation,
                    async move { Outcome::CallerIdentity(fut.await) },
                );
            }
            Effect::ListKmsKeys {
                generation,
                target,
                region,
            } => {
                let endpoint = target.endpoint_label(&region);
                let mut pages = self.services.kms_keys(target, region);
                let tx = self.tx.clone();
                let send = move |event| {
                    let tx = tx.clone();
                    async move {
                        tx.send(Action::Task(TaskResult {
                            generation,
                            outcome: Outcome::KmsKeys(event),
                        }))
                        .await
                        .is_ok()
                    }
                };
                let pages_sent = send.clone();
                // The whole listing is the call Esc cancels: pages keep arriving until then.
                let listing = self.watched("ListKeys", endpoint, async move {
                    while let Some(page) = pages.next().await {
                        if !pages_sent(KeysEvent::Page(page?)).await {
                            break;
                        }
                    }
                    Ok(())
                });
                tokio::spawn(async move {
                    send(match listing.await {
                        Ok(()) => KeysEvent::Done,
                        Err(e) => KeysEvent::Failed(e),
                    })
                    .await;
                });
            }
            Effect::FetchKeyPolicy {
                generation,
                target,
                region,
                key_arn,
            } => {
                let endpoint = target.endpoint_label(&region);
                let fut = self.watched(
                    "GetKeyPolicy",
                    endpoint,
                    self.services.key_policy(target, region, key_arn),
                );
                self.spawn(generation, async move { Outcome::KeyPolicy(fut.await) });
            }
            Effect::PutKeyPolicy {
                generation,
                target,
                region,
                key_arn,
                policy,
            } => {
                let endpoint = target.endpoint_label(&region);
                let fut = self.watched(
                    "PutKeyPolicy",
                    endpoint,
                    self.services
                        .put_key_policy(target, region, key_arn, policy),
                );
                self.spawn(generation, async move { Outcome::KeyPolicyPut(fut.await) });
            }
            Effect::Plan {
                generation,
                answers,
            } => {
                let endpoint = answers_endpoint(&answers);
                let fut = self.watched("the plan", endpoint, self.services.plan(*answers));
                self.deploy(generation, async move {
                    DeployOutcome::Planned(fut.await.map(Box::new))
                });
            }
            Effect::StartRun { run, kind, answers } => self.start_run(run, kind, *answers),
            Effect::CancelCall { id } => {
                if let Ok(calls) = self.calls.lock()
                    && let Some(token) = calls.get(&id)
                {
                    token.cancel();
                }
            }
            Effect::CancelRun { run } => {
                if let Ok(runs) = self.runs.lock() {
                    for (_, token) in runs.iter().filter(|(g, _)| *g == run) {
                        token.cancel();
                    }
                }
            }
            Effect::FetchStatus {
                generation,
                answers,
            } => {
                let endpoint = answers_endpoint(&answers);
                let fut =
                    self.watched("the status check", endpoint, self.services.status(*answers));
                self.deploy(generation, async move {
                    DeployOutcome::Status(fut.await.map(Box::new))
                });
            }
            Effect::FetchLogs {
                generation,
                answers,
                query,
            } => {
                let fut = self.services.runtime_logs(*answers, query);
                self.deploy(generation, async move { DeployOutcome::Logs(fut.await) });
            }
            Effect::Invoke {
                generation,
                answers,
                runtime,
                prompt,
                session,
            } => {
                let endpoint = answers_endpoint(&answers);
                let mut events = self.services.invoke(*answers, runtime, prompt, session);
                let tx = self.tx.clone();
                // Pieces go to the screen as they arrive; the call as a whole is watched, so
                // the wait line counts and Esc cancels it like any other.
                let streamed = async move {
                    while let Some(e) = events.next().await {
                        match e {
                            InvokeEvent::Text(t) => {
                                let msg = Action::Deploy(DeployMsg {
                                    generation,
                                    outcome: DeployOutcome::InvokeText(t),
                                });
                                let _ = tx.send(msg).await;
                            }
                            InvokeEvent::Done(r) => return r,
                        }
                    }
                    Err(ServiceError {
                        category: "invoke".into(),
                        message: "InvokeAgentRuntime: the answer ended before its last event"
                            .into(),
                        hint: None,
                    })
                };
                let fut = self.watched("InvokeAgentRuntime", endpoint, streamed);
                self.deploy(generation, async move {
                    DeployOutcome::Invoked(fut.await.map(Box::new))
                });
            }
            Effect::FetchEvaluations {
                generation,
                answers,
                runtime,
            } => {
                let endpoint = answers_endpoint(&answers);
                let fut = self.watched(
                    "the evaluation results",
                    endpoint,
                    self.services.evaluations(*answers, runtime),
                );
                self.deploy(generation, async move {
                    DeployOutcome::Evaluations(fut.await.map(Box::new))
                });
            }
            Effect::FetchHealth {
                generation,
                answers,
                runtime,
            } => {
                let endpoint = answers_endpoint(&answers);
                let fut = self.watched(
                    "the health check",
                    endpoint,
                    self.services.health(*answers, runtime),
                );
                self.deploy(generation, async move {
                    DeployOutcome::Health(fut.await.map(Box::new))
                });
            }
            Effect::CheckInterrupted { answers } => {
                let fut = self.services.interrupted(*answers);
                self.deploy(Gen::default(), async move {
                    DeployOutcome::Interrupted(fut.await)
                });
            }
            Effect::CopyToClipboard(text) => {
                if let Ok(mut q) = self.clipboard.lock() {
                    q.push(text);
                }
            }
            Effect::Recs(e) => self.recs(e),
            Effect::LoadPack { generation, path } => {
                self.blocking(generation, move || Outcome::Pack(load_pack(path)))
            }
            Effect::CheckRuntimeBinary { generation, path } => {
                self.blocking(generation, move || {
                    Outcome::FileCheck(crate::config::fields::runtime_binary_path(
                        Some(&path.to_string_lossy()),
                        false,
                        true,
                    ))
                })
            }
            Effect::WriteConfig {
                generation,
                path,
                contents,
            } => {
                self.blocking(generation, move || {
                    Outcome::ConfigWritten(write_config(&path, &contents))
                });
            }
        }
    }

    fn recs(&self, effect: RecsEffect) {
        let tx = self.tx.clone();
        let services = self.services.clone();
        let generation = effect.generation();
        let send = move |outcome| {
            let tx = tx.clone();
            async move {
                tx.send(Action::Recs(RecsMsg {
                    generation,
                    outcome,
                }))
                .await
                .is_ok()
            }
        };
        match effect {
            RecsEffect::List { place, .. } => {
                let endpoint = place.target.endpoint_label(&place.region);
                let mut pages = services.recommendations(place.target, place.region);
                let pages_sent = send.clone();
                // The whole listing is the call Esc cancels: pages keep arriving until then.
                let listing = self.watched("ListRecommendations", endpoint, async move {
                    while let Some(page) = pages.next().await {
                        if !pages_sent(RecsOutcome::Page(page?)).await {
                            break;
                        }
                    }
                    Ok(())
                });
                tokio::spawn(async move {
                    send(match listing.await {
                        Ok(()) => RecsOutcome::ListDone,
                        Err(e) => RecsOutcome::ListFailed(e),
                    })
                    .await;
                });
            }
            RecsEffect::Get { place, id, .. } => {
                let endpoint = place.target.endpoint_label(&place.region);
                let fut = self.watched(
                    "GetRecommendation",
                    endpoint,
                    services.recommendation(place.target, place.region, id),
                );
                tokio::spawn(async move {
                    send(RecsOutcome::Detail(fut.await.map(Box::new))).await;
                });
            }
            RecsEffect::Refresh { place, ids, .. } => {
                tokio::spawn(async move {
                    let calls = ids.into_iter().map(|id| {
                        let fut = services.recommendation(
                            place.target.clone(),
                            place.region.clone(),
                            id.clone(),
                        );
                        async move { (id, fut.await) }
                    });
                    let got = futures_util::future::join_all(calls).await;
                    send(RecsOutcome::Refreshed(got)).await;
                });
            }
            RecsEffect::Delete { place, ids, .. } => {
                let endpoint = place.target.endpoint_label(&place.region);
                let current = Arc::new(std::sync::Mutex::new(None::<String>));
                let in_flight = current.clone();
                let each_sent = send.clone();
                // One at a time, so each row reports as soon as its call is answered. The whole
                // run is the call Esc cancels: the delete in flight is reported cancelled and
                // the rest are not started.
                let deleting = self.watched("DeleteRecommendation", endpoint, async move {
                    for id in ids {
                        if let Ok(mut c) = in_flight.lock() {
                            *c = Some(id.clone());
                        }
                        let result = services
                            .delete_recommendation(
                                place.target.clone(),
                                place.region.clone(),
                                id.clone(),
                            )
                            .await;
                        if let Ok(mut c) = in_flight.lock() {
                            *c = None;
                        }
                        if !each_sent(RecsOutcome::Deleted { id, result }).await {
                            break;
                        }
                    }
                    Ok(())
                });
                tokio::spawn(async move {
                    if let Err(e) = deleting.await
                        && let Some(id) = current.lock().ok().and_then(|mut c| c.take())
                    {
                        send(RecsOutcome::Deleted { id, result: Err(e) }).await;
                    }
                    send(RecsOutcome::DeleteDone).await;
                });
            }
            RecsEffect::Keys { place, .. } => {
                let endpoint = place.target.endpoint_label(&place.region);
                let mut pages = services.kms_keys(place.target, place.region);
                let pages_sent = send.clone();
                let listing = self.watched("ListKeys", endpoint, async move {
                    while let Some(page) = pages.next().await {
                        if !pages_sent(RecsOutcome::Keys(KeysEvent::Page(page?))).await {
                            break;
                        }
                    }
                    Ok(())
                });
                tokio::spawn(async move {
                    send(RecsOutcome::Keys(match listing.await {
                        Ok(()) => KeysEvent::Done,
                        Err(e) => KeysEvent::Failed(e),
                    }))
                    .await;
                });
            }
            RecsEffect::Start {
                place,
                request,
                input_file,
                ..
            } => {
                let endpoint = place.target.endpoint_label(&place.region);
                let start = self.watched("StartRecommendation", endpoint, async move {
                    let mut request = *request;
                    if let Some(path) = input_file {
                        read_input(&path, &mut request).await?;
                    }
                    services
                        .start_recommendation(place.target, place.region, request)
                        .await
                });
                tokio::spawn(async move {
                    send(RecsOutcome::Started(start.await)).await;
                });
            }
            RecsEffect::CheckKeyPolicy { place, key_arn, .. } => {
                let endpoint = place.target.endpoint_label(&place.region);
                let fut = self.watched(
                    "GetKeyPolicy",
                    endpoint,
                    services.key_policy_check(place.target, place.region, key_arn),
                );
                tokio::spawn(async move {
                    send(RecsOutcome::KeyPolicy(fut.await)).await;
                });
            }
            RecsEffect::Activity { place, .. } => {
                let endpoint = place.target.endpoint_label(&place.region);
                let fut = self.watched(
                    "LookupEvents",
                    endpoint,
                    services.kms_activity(place.target, place.region),
                );
                tokio::spawn(async move {
                    send(RecsOutcome::Activity(fut.await)).await;
                });
            }
        }
    }

    fn deploy(&self, generation: Gen, fut: impl Future<Output = DeployOutcome> + Send + 'static) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let outcome = fut.await;
            let _ = tx
                .send(Action::Deploy(DeployMsg {
                    generation,
                    outcome,
                }))
                .await;
        });
    }

    fn start_run(&self, run: Gen, kind: super::services::RunKind, answers: Answers) {
        let cancel = tokio_util::sync::CancellationToken::new();
        if let Ok(mut runs) = self.runs.lock() {
            runs.push((run, cancel.clone()));
        }
        let (events, mut rx) = crate::deploy::events::channel();
        let fut = self.services.run(answers, kind, events, cancel);
        let tx = self.tx.clone();
        let runs = self.runs.clone();
        tokio::spawn(async move {
            let forward = {
                let tx = tx.clone();
                async move {
                    // The bounded channel paces the engine's events to what the UI takes in.
                    while let Some(event) = rx.recv().await {
                        let msg = DeployMsg {
                            generation: run,
                            outcome: DeployOutcome::Event(event),
                        };
                        if tx.send(Action::Deploy(msg)).await.is_err() {
                            return;
                        }
                    }
                }
            };
            // The engine drops its sender when it returns, so the forwarder ends after the
            // last event: every event is delivered before `Finished`.
            let (result, ()) = tokio::join!(fut, forward);
            if let Ok(mut r) = runs.lock() {
                r.retain(|(g, _)| *g != run);
            }
            let _ = tx
                .send(Action::Deploy(DeployMsg {
                    generation: run,
                    outcome: DeployOutcome::Finished(result),
                }))
                .await;
        });
    }

    /// `fut`, reported while in flight (started, each second, ended) for the wait line, and
    /// abandoned on Esc ([`Effect::CancelCall`]): dropping it drops the SDK call, and the screen
    /// gets a "cancelled" error it shows like any other, with its own retry.
    fn watched<T: Send + 'static>(
        &self,
        operation: &'static str,
        endpoint: String,
        fut: impl Future<Output = Result<T, ServiceError>> + Send + 'static,
    ) -> impl Future<Output = Result<T, ServiceError>> + Send + 'static {
        let id = self
            .next_call
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = CancellationToken::new();
        if let Ok(mut calls) = self.calls.lock() {
            calls.insert(id, token.clone());
        }
        let calls = self.calls.clone();
        let tx = self.tx.clone();
        let deadline_secs = crate::services::answers::call_deadline_secs();
        async move {
            let _ = tx
                .send(Action::Call(CallMsg::Started {
                    id,
                    operation,
                    endpoint,
                    deadline_secs,
                }))
                .await;
            let started = tokio::time::Instant::now();
            let second = std::time::Duration::from_secs(1);
            let mut every = tokio::time::interval_at(started + second, second);
            let mut fut = std::pin::pin!(fut);
            let out = loop {
                tokio::select! {
                    r = &mut fut => break r,
                    () = token.cancelled() => break Err(ServiceError {
                        category: "cancelled".into(),
                        message: format!(
                            "{operation}: cancelled after {} s (Esc)",
                            started.elapsed().as_secs()
                        ),
                        hint: Some("ask again with this screen's retry key when the endpoint is back".into()),
                    }),
                    _ = every.tick() => {
                        let _ = tx
                            .send(Action::Call(CallMsg::Waiting {
                                id,
                                elapsed_secs: started.elapsed().as_secs(),
                            }))
                            .await;
                    }
                }
            };
            if let Ok(mut calls) = calls.lock() {
                calls.remove(&id);
            }
            let _ = tx.send(Action::Call(CallMsg::Ended { id })).await;
            out
        }
    }

    fn spawn(&self, generation: Gen, fut: impl Future<Output = Outcome> + Send + 'static) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let outcome = fut.await;
            // The receiver is gone only when the app is quitting.
            let _ = tx
                .send(Action::Task(TaskResult {
                    generation,
                    outcome,
                }))
                .await;
        });
    }

    fn blocking(&self, generation: Gen, f: impl FnOnce() -> Outcome + Send + 'static) {
        self.spawn(generation, async move {
            match tokio::task::spawn_blocking(f).await {
                Ok(o) => o,
                Err(e) => {
                    tracing::error!(error = %e, "blocking task failed");
                    std::panic::resume_unwind(e.into_panic())
                }
            }
        });
    }
}

/// The start form's input read from a file: the prompt text, or a JSON file of tools.
async fn read_input(
    path: &Path,
    request: &mut crate::recommend::StartRequest,
) -> Result<(), super::services::ServiceError> {
    use crate::recommend::Input;
    let fail = |message: String, hint: Option<String>| super::services::ServiceError {
        category: "configuration".into(),
        message,
        hint,
    };
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|e| fail(format!("cannot read {}: {e}", path.display()), None))?;
    request.input = match request.input {
        Input::SystemPrompt(_) => Input::SystemPrompt(text),
        Input::Tools(_) => Input::Tools(
            crate::recommend::request::tools_from_json(&text, &path.display().to_string())
                .map_err(|d| fail(d.message, d.hint))?,
        ),
    };
    Ok(())
}

/// Runs an effect that needs no AWS service, synchronously, for the headless harness
/// (tests, benches). Returns None for effects that need a service or have no answer.
pub fn run_local(effect: &Effect, data_dir: Option<&Path>) -> Option<TaskResult> {
    let (generation, outcome) = match effect {
        Effect::LoadSavedAnswers => (
            Gen::default(),
            Outcome::SavedAnswers(
                data_dir
                    .and_then(|d| persist::load_answers(&persist_path(d)))
                    .map(Box::new),
            ),
        ),
        Effect::LoadPack { generation, path } => {
            (*generation, Outcome::Pack(load_pack(path.clone())))
        }
        Effect::CheckRuntimeBinary { generation, path } => (
            *generation,
            Outcome::FileCheck(crate::config::fields::runtime_binary_path(
                Some(&path.to_string_lossy()),
                false,
                true,
            )),
        ),
        Effect::WriteConfig {
            generation,
            path,
            contents,
        } => (
            *generation,
            Outcome::ConfigWritten(write_config(path, contents)),
        ),
        _ => return None,
    };
    Some(TaskResult {
        generation,
        outcome,
    })
}

pub fn persist_path(data_dir: &Path) -> PathBuf {
    crate::services::paths::answers_file(data_dir)
}

pub fn load_pack(path: PathBuf) -> Result<Box<LoadedPack>, Vec<crate::config::Diagnostic>> {
    match crate::pack::load_path(&path) {
        Ok(pack) => {
            let summary = pack.summary();
            Ok(Box::new(LoadedPack {
                path,
                pack: Arc::new(pack),
                summary,
            }))
        }
        Err(e) => Err(vec![e.to_diagnostic()]),
    }
}

fn write_config(path: &Path, contents: &str) -> Result<PathBuf, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot resolve {}: {e}", path.display()))?;
    let abs = cwd.join(path);
    let contents = binary_beside_config(contents, &cwd, &abs);
    persist::write_atomic(&abs, contents.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", abs.display()))?;
    tracing::info!(path = %abs.display(), "deploy config written");
    Ok(abs)
}

/// The wizard's `runtime_binary_path` was typed relative to where the TUI runs; the file says it
/// relative to its own folder, which is how every command reads it back.
fn binary_beside_config(contents: &str, cwd: &Path, config: &Path) -> String {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(contents) else {
        return contents.to_owned();
    };
    let Some(typed) = doc["runtime_binary_path"].as_str() else {
        return contents.to_owned();
    };
    if Path::new(typed).is_absolute() {
        return contents.to_owned();
    }
    let folder = config.parent().unwrap_or(cwd);
    let rel = crate::config::paths::relative_to(&cwd.join(typed), folder);
    // One value replaced in place, so the file keeps the order and layout the review showed.
    let field = |v: &str| format!("\"runtime_binary_path\": {}", serde_json::Value::from(v));
    contents.replacen(&field(typed), &field(&rel.display().to_string()), 1)
}

#[cfg(test)]
mod write_config_tests {
    use super::*;

    #[test]
    fn the_binary_path_is_written_relative_to_the_config_folder() {
        let json =
            "{\n  \"region\": \"us-east-1\",\n  \"runtime_binary_path\": \"bin/runtime\"\n}\n";
        let out = binary_beside_config(json, Path::new("/w"), Path::new("/w/deploy/app.json"));
        assert_eq!(
            out,
            "{\n  \"region\": \"us-east-1\",\n  \"runtime_binary_path\": \"../bin/runtime\"\n}\n"
        );
        let same = binary_beside_config(json, Path::new("/w"), Path::new("/w/app.json"));
        assert_eq!(same, json);
    }
}

fn effect_name(e: &Effect) -> &'static str {
    match e {
        Effect::LoadSavedAnswers => "load_saved_answers",
        Effect::CheckInterrupted { .. } => "check_interrupted",
        Effect::SaveAnswers(_) => "save_answers",
        Effect::LoadProfiles { .. } => "load_profiles",
        Effect::FetchCallerIdentity { .. } => "caller_identity",
        Effect::ListKmsKeys { .. } => "list_kms_keys",
        Effect::FetchKeyPolicy { .. } => "fetch_key_policy",
        Effect::PutKeyPolicy { .. } => "put_key_policy",
        Effect::LoadPack { .. } => "load_pack",
        Effect::CheckRuntimeBinary { .. } => "check_runtime_binary",
        Effect::WriteConfig { .. } => "write_config",
        Effect::Plan { .. } => "plan",
        Effect::StartRun { .. } => "start_run",
        Effect::CancelCall { .. } => "cancel_call",
        Effect::CancelRun { .. } => "cancel_run",
        Effect::FetchStatus { .. } => "fetch_status",
        Effect::FetchLogs { .. } => "fetch_logs",
        Effect::Invoke { .. } => "invoke",
        Effect::FetchEvaluations { .. } => "fetch_evaluations",
        Effect::FetchHealth { .. } => "fetch_health",
        Effect::CopyToClipboard(_) => "copy_to_clipboard",
        Effect::Recs(e) => e.name(),
    }
}

/// Sets the terminal's clipboard ("c") to `text`.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// Standard base64 with padding (OSC 52's payload).
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_rfc_4648_vectors() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("arn:aws:x", "YXJuOmF3czp4"),
        ] {
            assert_eq!(super::base64(raw.as_bytes()), enc);
        }
    }
}

#[cfg(test)]
mod saving_tests {
    use super::*;

    #[tokio::test]
    async fn the_last_answers_are_on_disk_after_flushing() {
        let dir = tempfile::tempdir().unwrap();
        let services: Arc<dyn AwsServices> =
            Arc::new(super::super::sdk_services::SdkServices::default());
        let (runtime, _rx) = Runtime::start(services, Some(dir.path()));
        for region in ["us-east-1", "us-west-2", "eu-west-1"] {
            runtime.execute(Effect::SaveAnswers(Box::new(Answers {
                region: region.into(),
                ..Answers::default()
            })));
        }
        runtime.flush_saves().await;
        let saved = persist::load_answers(&persist_path(dir.path())).unwrap();
        assert_eq!(saved.region, "eu-west-1");
    }
}

fn answers_endpoint(a: &Answers) -> String {
    a.target
        .as_ref()
        .map_or_else(|| "AWS".into(), |t| t.endpoint_label(&a.region))
}
