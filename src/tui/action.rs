//! Inputs to `App::update`: terminal events and the results of effects. Task results carry the
//! generation they were issued under so a late answer to a superseded request is dropped.

use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind, MouseEvent};

use super::msg::call::CallMsg;
use super::msg::deploy::DeployMsg;
use super::msg::recs::RecsMsg;
use super::msg::wizard::TaskResult;

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
    Recs(RecsMsg),
    /// An AWS call started, still waiting, or ended.
    Call(CallMsg),
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
