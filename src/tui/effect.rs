//! What `App::update` asks the outside world to do. Plain data: the runtime executes it and
//! reports back with an [`Outcome`](super::msg::wizard::Outcome).

use std::path::PathBuf;

use super::msg::recs::RecsEffect;
use super::persist::Answers;
use super::services::AwsTarget;
use super::slot::Gen;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadSavedAnswers,
    /// Latest wins: the runtime coalesces saves, so sending one per keystroke is fine.
    SaveAnswers(Box<Answers>),
    LoadProfiles {
        generation: Gen,
    },
    FetchCallerIdentity {
        generation: Gen,
        target: AwsTarget,
        region: String,
    },
    ListKmsKeys {
        generation: Gen,
        target: AwsTarget,
        region: String,
    },
    /// GetKeyPolicy of the chosen key, to analyse it.
    FetchKeyPolicy {
        generation: Gen,
        target: AwsTarget,
        region: String,
        key_arn: String,
    },
    /// PutKeyPolicy: only ever emitted after the user confirmed it.
    PutKeyPolicy {
        generation: Gen,
        target: AwsTarget,
        region: String,
        key_arn: String,
        policy: String,
    },
    LoadPack {
        generation: Gen,
        path: PathBuf,
    },
    CheckRuntimeBinary {
        generation: Gen,
        path: PathBuf,
    },
    WriteConfig {
        generation: Gen,
        path: PathBuf,
        contents: String,
    },
    /// Plan the deploy the answers describe (drift checked against the cloud).
    Plan {
        generation: Gen,
        answers: Box<Answers>,
    },
    /// Start an apply or destroy; its events come back tagged with `run`.
    StartRun {
        run: Gen,
        kind: super::services::RunKind,
        answers: Box<Answers>,
    },
    /// Abandon the AWS call `id` (Esc on its wait line); its screen gets a "cancelled" error.
    CancelCall {
        id: u64,
    },
    /// Trip the cancellation token of `run` (a finished or unknown run is ignored).
    CancelRun {
        run: Gen,
    },
    FetchStatus {
        generation: Gen,
        answers: Box<Answers>,
    },
    /// One read of a runtime's log lines (the Logs view polls while it is open).
    FetchLogs {
        generation: Gen,
        answers: Box<Answers>,
        query: super::services::LogsQuery,
    },
    /// InvokeAgentRuntime with the prompt typed in the Invoke view.
    Invoke {
        generation: Gen,
        answers: Box<Answers>,
        runtime: String,
        prompt: String,
        session: Option<String>,
    },
    /// One read of a runtime's online evaluation results (the Evaluations view).
    FetchEvaluations {
        generation: Gen,
        answers: Box<Answers>,
        runtime: String,
    },
    /// One read of a runtime's health (the Health view).
    FetchHealth {
        generation: Gen,
        answers: Box<Answers>,
        runtime: String,
    },
    /// At startup: does the state of these answers hold an interrupted apply? Reads the
    /// state file in a task, so the first frames never wait for it.
    CheckInterrupted {
        answers: Box<Answers>,
    },
    /// Put text on the terminal's clipboard with OSC 52.
    CopyToClipboard(String),
    /// List, read, refresh or delete recommendations, or look up their KMS activity.
    Recs(RecsEffect),
}
