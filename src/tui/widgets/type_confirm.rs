//! "Type the pack id to destroy": a destructive action goes ahead only when the exact id is
//! typed, so a stray Enter or `y` can never delete a deployment.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use crate::tui::theme::Theme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeConfirm {
    pub expected: String,
    pub typed: String,
    /// Enter was pressed on a wrong id: say so instead of doing nothing silently.
    pub refused: bool,
}

impl TypeConfirm {
    pub fn new(expected: impl Into<String>) -> Self {
        Self {
            expected: expected.into(),
            typed: String::new(),
            refused: false,
        }
    }

    pub fn input(&mut self, k: &KeyEvent) {
        self.refused = false;
        match k.code {
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => self.typed.push(c),
            KeyCode::Backspace => {
                self.typed.pop();
            }
            _ => {}
        }
    }

    pub fn paste(&mut self, s: &str) {
        self.refused = false;
        self.typed.push_str(s.trim());
    }

    /// True when the typed text is the id; otherwise marks the attempt as refused.
    pub fn confirm(&mut self) -> bool {
        let ok = self.typed == self.expected;
        self.refused = !ok;
        ok
    }

    pub fn render(&self, body: &[String], area: Rect, buf: &mut Buffer, theme: &Theme) {
        let mut lines: Vec<Line> = body.iter().map(|l| Line::raw(l.clone())).collect();
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::raw("Type "),
            Span::styled(self.expected.clone(), theme.accent),
            Span::raw(" to confirm:"),
        ]));
        lines.push(Line::from(vec![
            Span::raw("> "),
            Span::raw(self.typed.clone()),
            Span::styled(" ", theme.cursor),
        ]));
        lines.push(if self.refused {
            Line::styled(
                format!("that is not {}: nothing was destroyed", self.expected),
                theme.error,
            )
        } else {
            Line::raw("")
        });
        lines.push(Line::from(vec![
            Span::styled("Enter", theme.key),
            Span::raw(" destroy    "),
            Span::styled("Esc", theme.key),
            Span::raw(" keep everything"),
        ]));
        let width = lines.iter().map(Line::width).max().unwrap_or(20) + 4;
        let width = u16::try_from(width.max(40)).unwrap_or(u16::MAX);
        let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
        let rect = area.centered(
            Constraint::Length(width.min(area.width)),
            Constraint::Length(height.min(area.height)),
        );
        Clear.render(rect, buf);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(
                Block::new()
                    .borders(Borders::ALL)
                    .border_style(theme.error)
                    .title(Span::styled(" Destroy? ", theme.error)),
            )
            .render(rect, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_id_confirms() {
        let mut t = TypeConfirm::new("support-desk");
        for c in "support-des".chars() {
            t.input(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        assert!(!t.confirm());
        assert!(t.refused);
        t.input(&KeyEvent::new(KeyCode::Char('k'), KeyModifiers::NONE));
        assert!(!t.refused, "typing clears the refusal");
        assert!(t.confirm());
        t.input(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        assert!(!t.confirm());
    }
}
