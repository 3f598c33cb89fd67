//! The wizard's task results: saved answers, profiles, the caller, KMS keys, the pack, file
//! checks, the written config and the key policy.

use std::path::PathBuf;
use std::sync::Arc;

use crate::pack::{Pack, PackSummary};
use crate::tui::persist::Answers;
use crate::tui::services::{CallerIdentity, KeysEvent, ServiceError, TargetsFound};
use crate::tui::slot::Gen;

#[derive(Debug, Clone)]
pub struct LoadedPack {
    pub path: PathBuf,
    pub pack: Arc<Pack>,
    pub summary: PackSummary,
}

#[derive(Debug)]
pub struct TaskResult {
    pub generation: Gen,
    pub outcome: Outcome,
}

#[derive(Debug)]
pub enum Outcome {
    SavedAnswers(Option<Box<Answers>>),
    Profiles(Result<TargetsFound, ServiceError>),
    CallerIdentity(Result<CallerIdentity, ServiceError>),
    /// One of several results of the same request (a streamed listing).
    KmsKeys(KeysEvent),
    Pack(Result<Box<LoadedPack>, Vec<crate::config::Diagnostic>>),
    /// Diagnostics of the runtime binary path that need the file system.
    FileCheck(Vec<crate::config::Diagnostic>),
    ConfigWritten(Result<PathBuf, String>),
    KeyPolicy(Result<String, ServiceError>),
    KeyPolicyPut(Result<(), ServiceError>),
}
