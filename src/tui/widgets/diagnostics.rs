//! The diagnostics panel under every step: errors first, then warnings, each with its hint.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use crate::config::{Diagnostic, Severity};
use crate::tui::theme::Theme;

/// Rows the panel wants (borders included) to show `diags` at `width`, before clamping.
pub fn wanted_height(diags: &[Diagnostic], width: u16) -> u16 {
    if diags.is_empty() {
        return 3;
    }
    let rows = Paragraph::new(lines(diags, &Theme::monochrome()))
        .wrap(Wrap { trim: false })
        .line_count(width.saturating_sub(2).max(1));
    u16::try_from(rows + 2).unwrap_or(u16::MAX)
}

fn lines(diags: &[Diagnostic], theme: &Theme) -> Vec<Line<'static>> {
    let mut ordered: Vec<&Diagnostic> = diags.iter().collect();
    ordered.sort_by_key(|d| d.severity);
    let mut out = Vec::new();
    for d in ordered {
        let (sym, style) = match d.severity {
            Severity::Error => ("✗ ", theme.error),
            Severity::Warning => ("⚠ ", theme.warning),
        };
        out.push(Line::from(vec![
            Span::styled(sym, style),
            Span::styled(d.message.clone(), style),
        ]));
        if let Some(h) = &d.hint {
            out.push(Line::from(vec![
                Span::styled("  → ", theme.dim),
                Span::raw(h.clone()),
            ]));
        }
    }
    out
}

/// `scroll` is the first wrapped line shown; it is clamped so the last line stays at the bottom.
/// When lines are hidden the bottom border says so and names the keys.
pub fn render(diags: &[Diagnostic], scroll: usize, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let title = match (errors, warnings) {
        (0, 0) => Line::from(vec![
            Span::styled(" Diagnostics ", theme.title),
            Span::styled("✓ no problems ", theme.ok),
        ]),
        _ => Line::from(vec![
            Span::styled(" Diagnostics ", theme.title),
            Span::styled(
                format!("{errors} error(s) "),
                if errors > 0 { theme.error } else { theme.dim },
            ),
            Span::styled(
                format!("{warnings} warning(s) "),
                if warnings > 0 {
                    theme.warning
                } else {
                    theme.dim
                },
            ),
        ]),
    };
    let total = usize::from(wanted_height(diags, area.width).saturating_sub(2));
    let visible = usize::from(area.height.saturating_sub(2));
    let scroll = scroll.min(total.saturating_sub(visible));
    let below = total.saturating_sub(scroll + visible);
    let mut block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(title);
    if scroll > 0 || below > 0 {
        let mut hint = Vec::new();
        if scroll > 0 {
            hint.push(format!("▲ {scroll} Ctrl-↑"));
        }
        if below > 0 {
            hint.push(format!("▼ {below} more Ctrl-↓"));
        }
        block = block.title_bottom(
            Line::styled(format!(" {} ", hint.join(" · ")), theme.key).right_aligned(),
        );
    }
    let body = if diags.is_empty() {
        vec![Line::styled("Nothing to fix on this step.", theme.dim)]
    } else {
        lines(diags, theme)
    };
    Paragraph::new(body)
        .wrap(Wrap { trim: false })
        .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
        .block(block)
        .render(area, buf);
}
