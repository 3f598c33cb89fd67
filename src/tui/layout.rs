//! Where the wizard's parts sit on screen: pure, from the terminal size and the diagnostics
//! only, so rendering ([`super::ui`]) and mouse hit-testing ([`super::app`]) agree.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders};

use super::widgets::diagnostics;
use crate::config::Diagnostic;

pub const STEPPER_WIDTH: u16 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub stepper: Rect,
    /// Inside the step's border.
    pub body: Rect,
    pub body_frame: Rect,
    pub diagnostics: Rect,
    pub footer: Rect,
}

/// Layout shared by rendering and mouse hit-testing, so a click lands where the eye sees it.
pub fn areas(area: Rect, diagnostics: &[Diagnostic]) -> Areas {
    let [header, main, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let [stepper, right] =
        Layout::horizontal([Constraint::Length(STEPPER_WIDTH), Constraint::Min(0)]).areas(main);
    // The panel grows with its content up to a third of the column, so the step keeps room.
    let wanted = diagnostics::wanted_height(diagnostics, right.width);
    let max = (right.height / 3).max(3);
    let [body_frame, diag] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(wanted.clamp(3, max))])
            .areas(right);
    let body = Block::new().borders(Borders::ALL).inner(body_frame);
    Areas {
        header,
        stepper,
        body,
        body_frame,
        diagnostics: diag,
        footer,
    }
}
