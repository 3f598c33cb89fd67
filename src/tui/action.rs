//! Inputs to `App::update`: terminal events and the results of effects. Task results carry the
//! generation they were issued under so a late answer to a superseded request is dropped.

use std::path::PathBuf;

use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind, MouseEvent};

use super::persist::Answers;
use super::services::{CallerIdentity, KeysEvent, ServiceError};

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// Only sent while something animates (a spinner).
    Tick,
    Task(TaskResult),
    /// Plan, apply, destroy and status results, tagged with the run they belong to.
    Deploy(DeployMsg),
    /// Recommendation and KMS activity results.
    Recs(super::screens::recs::RecsMsg),
}

impl Action {
    /// Key releases and repeats are dropped here (Windows reports both), as are focus events.
    pub fn from_terminal(ev: Event) -> Option<Self> {
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => Some(Self::Key(k)),
            Event::Mouse(m) => Some(Self::Mouse(m)),
            Event::Paste(s) => Some(Self::Paste(s)),
            Event::Resize(width, height) => Some(Self::Resize { width, height }),
            _ => None,
        }
    }
}

/// Identifies one request; a [`Slot`] remembers the latest one issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gen(pub u64);

/// One kind of request that can be superseded (e.g. "the caller identity for the chosen
/// profile"). Issuing a new request makes every earlier one stale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Slot {
    latest: Gen,
    pending: bool,
}

impl Slot {
    pub fn issue(&mut self) -> Gen {
        self.latest.0 += 1;
        self.pending = true;
        self.latest
    }

    /// True for the latest request's result, which also ends the pending state.
    pub fn accept(&mut self, g: Gen) -> bool {
        if g == self.latest && self.pending {
            self.pending = false;
            true
        } else {
            false
        }
    }

    /// For streamed results: true while `g` is the latest request and it has not finished.
    pub fn is_current(&self, g: Gen) -> bool {
        g == self.latest && self.pending
    }

    /// Forget the in-flight request: its result will be dropped.
    pub fn cancel(&mut self) {
        self.latest.0 += 1;
        self.pending = false;
    }

    pub fn is_pending(&self) -> bool {
        self.pending
    }
}

#[derive(Debug)]
pub struct TaskResult {
    pub generation: Gen,
    pub outcome: Outcome,
}

#[derive(Debug)]
pub enum Outcome {
    SavedAnswers(Option<Box<Answers>>),
    Profiles(Result<Vec<String>, ServiceError>),
    CallerIdentity(Result<CallerIdentity, ServiceError>),
    /// One of several results of the same request (a streamed listing).
    KmsKeys(KeysEvent),
    Pack(Result<Box<super::screens::wizard::pack::LoadedPack>, Vec<crate::config::Diagnostic>>),
    /// Diagnostics of the runtime binary path that need the file system.
    FileCheck(Vec<crate::config::Diagnostic>),
    ConfigWritten(Result<PathBuf, String>),
    KeyPolicy(Result<String, ServiceError>),
    KeyPolicyPut(Result<(), ServiceError>),
}

#[derive(Debug)]
pub struct DeployMsg {
    /// The plan request, run or status refresh this answers; a superseded one is dropped.
    pub generation: Gen,
    pub outcome: DeployOutcome,
}

#[derive(Debug)]
pub enum DeployOutcome {
    Planned(Result<Box<super::services::PlannedDeploy>, ServiceError>),
    /// One engine event of a running apply or destroy.
    Event(crate::deploy::events::Event),
    /// The run ended (or could not start).
    Finished(Result<super::services::RunSummary, ServiceError>),
    Status(Result<Box<crate::deploy::status::StatusReport>, ServiceError>),
    /// Resources an interrupted apply left "creating" (the startup check).
    Interrupted(Result<Vec<String>, ServiceError>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_request_is_accepted_once() {
        let mut slot = Slot::default();
        let first = slot.issue();
        let second = slot.issue();
        assert!(!slot.accept(first), "a superseded result must be dropped");
        assert!(slot.accept(second));
        assert!(!slot.accept(second), "a result is accepted once");
        assert!(!slot.is_pending());
    }

    #[test]
    fn cancelled_requests_are_dropped() {
        let mut slot = Slot::default();
        let g = slot.issue();
        slot.cancel();
        assert!(!slot.accept(g));
    }
}
