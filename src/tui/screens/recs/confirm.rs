//! "Delete these recommendations?" — Cancel is highlighted when it opens, so Enter alone never
//! deletes; the user moves to Delete (←/→/Tab) or presses `y`.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use crate::recommend::Summary;
use crate::tui::keymap::Command;
use crate::tui::screens::Input;
use crate::tui::theme::Theme;

/// How many names the dialog lists before "… and N more".
const SHOWN: usize = 6;

#[derive(Debug, Clone, PartialEq)]
pub struct DeleteConfirm {
    pub items: Vec<Summary>,
    pub delete_focused: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Pending,
    Cancel,
    Delete(Vec<String>),
}

impl DeleteConfirm {
    pub fn new(items: Vec<Summary>) -> Self {
        Self {
            items,
            delete_focused: false,
        }
    }

    pub fn handle(&mut self, input: Input<'_>) -> Answer {
        match input {
            Input::Command(Command::FocusNext) => {
                self.delete_focused = !self.delete_focused;
                Answer::Pending
            }
            Input::Command(Command::Select) if self.delete_focused => self.ids(),
            Input::Command(Command::Select | Command::Cancel) => Answer::Cancel,
            Input::Command(Command::Confirm) => self.ids(),
            _ => Answer::Pending,
        }
    }

    fn ids(&self) -> Answer {
        Answer::Delete(self.items.iter().map(|s| s.id.clone()).collect())
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let n = self.items.len();
        let title = if n == 1 {
            " Delete this recommendation? ".to_string()
        } else {
            format!(" Delete {n} recommendations? ")
        };
        let mut lines: Vec<Line> = self
            .items
            .iter()
            .take(SHOWN)
            .map(|s| {
                Line::from(vec![
                    Span::raw(format!("  {} ", s.name)),
                    Span::styled(format!("{} {}", s.id, s.status), theme.dim),
                ])
            })
            .collect();
        if n > SHOWN {
            lines.push(Line::styled(
                format!("  … and {} more", n - SHOWN),
                theme.dim,
            ));
        }
        lines.push(Line::raw(""));
        lines.push(Line::raw(
            "Deleting cannot be undone. It works even when the key is disabled.",
        ));
        lines.push(Line::raw(""));
        let button = |text: &str, focused: bool, style| {
            if focused {
                Span::styled(format!("[ {text} ]"), theme.selected)
            } else {
                Span::styled(format!("  {text}  "), style)
            }
        };
        lines.push(Line::from(vec![
            Span::raw("      "),
            button("Cancel", !self.delete_focused, theme.text),
            Span::raw("    "),
            button("Delete", self.delete_focused, theme.error),
        ]));
        lines.push(Line::styled(
            "←/→ choose · Enter presses · y deletes · Esc keeps them",
            theme.dim,
        ));
        let width = area.width.saturating_sub(4).min(76);
        let inner = usize::from(width.saturating_sub(2)).max(1);
        let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
        let height = u16::try_from(rows + 2).unwrap_or(u16::MAX).min(area.height);
        let rect = area.centered(Constraint::Length(width), Constraint::Length(height));
        Clear.render(rect, buf);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(
                Block::new()
                    .borders(Borders::ALL)
                    .border_style(theme.error)
                    .title(Span::styled(title, theme.title)),
            )
            .render(rect, buf);
    }
}
