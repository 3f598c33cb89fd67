//! What `App::update` asks the outside world to do. Plain data: the runtime executes it and
//! reports back with an [`Outcome`](super::action::Outcome).

use std::path::PathBuf;

use super::action::Gen;
use super::persist::Answers;
use super::services::AwsTarget;

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
}
