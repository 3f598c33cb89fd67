//! The screens: `wizard/` (one per step), `deploy/` (plan, run, status), `recs/` (recommendations).
//!
//! One module per screen. A screen owns its state, turns inputs into state changes and effects,
//! and renders from that state only. Screens added later (plan, apply, recommendations) follow
//! the wizard's shape: `handle(Input, &mut Vec<Effect>)`, `context()`, `render(area, buf, view)`.

pub mod deploy;
pub mod recs;
pub mod wizard;

use ratatui::crossterm::event::KeyEvent;

use super::keymap::Command;
use super::theme::Theme;

/// An input already resolved against the keymap: a command, or a raw key/paste for the focused
/// text field, or a pointer event in coordinates relative to the screen's body.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    Command(Command),
    Key(&'a KeyEvent),
    Paste(&'a str),
    /// `height` is the body's height, so lists can map a row to an entry.
    Click {
        column: u16,
        row: u16,
        height: u16,
    },
    Scroll(i8),
}

/// What the renderer needs besides the state.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    pub theme: &'a Theme,
    /// Advances on every tick while something animates; drives spinners.
    pub frame: u64,
}

impl View<'_> {
    pub fn spinner(&self) -> &'static str {
        const FRAMES: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];
        FRAMES[usize::try_from(self.frame % 8).unwrap_or(0)]
    }
}
