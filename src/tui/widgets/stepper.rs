//! The left column: every wizard step with its state.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

use crate::tui::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    NotVisited,
    Valid,
    Warnings,
    Errors,
}

impl StepStatus {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::NotVisited => "·",
            Self::Valid => "✓",
            Self::Warnings => "⚠",
            Self::Errors => "✗",
        }
    }
}

pub struct StepperRow<'a> {
    pub label: &'a str,
    pub status: StepStatus,
    pub current: bool,
}

/// First row of the list inside the bordered block, for mouse hit-testing.
pub const FIRST_ROW_OFFSET: u16 = 1;

pub fn render(rows: &[StepperRow<'_>], area: Rect, buf: &mut Buffer, theme: &Theme) {
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(" Steps ", theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    for (i, row) in rows.iter().enumerate() {
        let y = inner.y + u16::try_from(i).unwrap_or(u16::MAX);
        if y >= inner.bottom() {
            break;
        }
        let sym_style = match row.status {
            StepStatus::NotVisited => theme.dim,
            StepStatus::Valid => theme.ok,
            StepStatus::Warnings => theme.warning,
            StepStatus::Errors => theme.error,
        };
        let pointer = if row.current { "▶" } else { " " };
        let label_style = if row.current { theme.title } else { theme.text };
        let line = Line::from(vec![
            Span::styled(pointer, theme.accent),
            Span::styled(row.status.symbol(), sym_style),
            Span::raw(format!(" {i} ")),
            Span::styled(row.label.to_string(), label_style),
        ]);
        line.render(
            Rect {
                y,
                height: 1,
                ..inner
            },
            buf,
        );
    }
}
