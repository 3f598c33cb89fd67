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
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines(diags, &Theme::monochrome())
        .iter()
        .map(|l| l.width().div_ceil(inner).max(1))
        .sum();
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

pub fn render(diags: &[Diagnostic], area: Rect, buf: &mut Buffer, theme: &Theme) {
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
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(title);
    let body = if diags.is_empty() {
        vec![Line::styled("Nothing to fix on this step.", theme.dim)]
    } else {
        lines(diags, theme)
    };
    Paragraph::new(body)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(area, buf);
}
