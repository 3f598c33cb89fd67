//! The footer line of key hints, built from [`keymap::footer`]: the keys come from the bindings,
//! so a hint never names a key that does nothing.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::tui::keymap::{self, Command, Context};
use crate::tui::theme::Theme;

pub fn render(ctx: Context, run_finished: bool, area: Rect, buf: &mut Buffer, theme: &Theme) {
    render_without(ctx, run_finished, &[], area, buf, theme);
}

/// The footer without the hints whose commands would do nothing on the screen now.
pub fn render_without(
    ctx: Context,
    run_finished: bool,
    idle: &[Command],
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let mut spans = vec![Span::raw(" ")];
    for (key, name) in keymap::footer(ctx, run_finished, idle) {
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::styled(format!(" {name}  "), theme.dim));
    }
    Line::from(spans).render(area, buf);
}
