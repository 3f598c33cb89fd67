//! The screens: `wizard/` (one per step), `deploy/` (plan, run, status), `recs/` (recommendations).
//!
//! One module per screen. A screen owns its state, turns inputs into state changes and effects,
//! and renders from that state only. Screens added later (plan, apply, recommendations) follow
//! the wizard's shape: `handle(Input, &mut Vec<Effect>)`, `context()`, `render(area, buf, view)`.

pub mod deploy;
pub mod recs;
pub mod wizard;

use super::theme::Theme;

// Widgets take inputs too, so the type lives beside the keymap; screens keep naming it here.
pub use super::input::Input;

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
