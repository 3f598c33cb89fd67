//! Runs effects as tokio tasks. Each task reports back as an [`Action`] on one bounded channel
//! (a slow UI slows producers down instead of growing a queue). Saves of the answers go through
//! a `watch` channel so a burst of keystrokes becomes one write of the latest answers.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::action::{Action, Gen, Outcome, TaskResult};
use super::effect::Effect;
use super::persist::{self, Answers};
use super::screens::wizard::pack::LoadedPack;
use super::services::{AwsServices, KeysEvent};
use futures_util::StreamExt;

pub const CHANNEL_CAPACITY: usize = 64;

pub struct Runtime {
    tx: mpsc::Sender<Action>,
    services: Arc<dyn AwsServices>,
    answers_path: Option<PathBuf>,
    saver: watch::Sender<Option<Answers>>,
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
        if let Some(path) = answers_path.clone() {
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
            });
        }
        (
            Self {
                tx,
                services,
                answers_path,
                saver,
            },
            rx,
        )
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
                let fut = self.services.caller_identity(target, region);
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
                let mut pages = self.services.kms_keys(target, region);
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let send = |event| {
                        tx.send(Action::Task(TaskResult {
                            generation,
                            outcome: Outcome::KmsKeys(event),
                        }))
                    };
                    while let Some(page) = pages.next().await {
                        let event = match page {
                            Ok(keys) => KeysEvent::Page(keys),
                            Err(e) => KeysEvent::Failed(e),
                        };
                        let failed = matches!(event, KeysEvent::Failed(_));
                        if send(event).await.is_err() || failed {
                            return;
                        }
                    }
                    let _ = send(KeysEvent::Done).await;
                });
            }
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
    super::paths::answers_file(data_dir)
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
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot resolve {}: {e}", path.display()))?
            .join(path)
    };
    persist::write_atomic(&abs, contents.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", abs.display()))?;
    tracing::info!(path = %abs.display(), "deploy config written");
    Ok(abs)
}

fn effect_name(e: &Effect) -> &'static str {
    match e {
        Effect::LoadSavedAnswers => "load_saved_answers",
        Effect::SaveAnswers(_) => "save_answers",
        Effect::LoadProfiles { .. } => "load_profiles",
        Effect::FetchCallerIdentity { .. } => "caller_identity",
        Effect::ListKmsKeys { .. } => "list_kms_keys",
        Effect::LoadPack { .. } => "load_pack",
        Effect::CheckRuntimeBinary { .. } => "check_runtime_binary",
        Effect::WriteConfig { .. } => "write_config",
    }
}
