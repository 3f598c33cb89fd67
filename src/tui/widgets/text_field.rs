//! A single-line text field on top of ratatui-textarea (cursor movement, word jumps, undo, paste).
//! The field's border shows focus and the worst diagnostic of the field.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};
use ratatui_textarea::{CursorMove, TextArea};

use crate::config::Severity;
use crate::tui::theme::Theme;

#[derive(Debug, Clone)]
pub struct TextField {
    pub label: &'static str,
    area: TextArea<'static>,
    focused: bool,
}

impl TextField {
    pub fn new(label: &'static str, placeholder: &str) -> Self {
        let mut area = TextArea::default();
        area.set_placeholder_text(placeholder);
        area.set_placeholder_style(Style::new().add_modifier(Modifier::DIM));
        area.set_cursor_line_style(Style::new());
        area.set_cursor_style(Style::new());
        Self {
            label,
            area,
            focused: false,
        }
    }

    pub fn with_value(mut self, value: &str) -> Self {
        self.set_value(value);
        self
    }

    pub fn value(&self) -> &str {
        self.area.lines().first().map_or("", String::as_str)
    }

    pub fn set_value(&mut self, value: &str) {
        let mut area = TextArea::new(vec![single_line(value)]);
        area.set_placeholder_text(self.area.placeholder_text().to_string());
        area.set_placeholder_style(Style::new().add_modifier(Modifier::DIM));
        area.set_cursor_line_style(Style::new());
        area.set_cursor_style(self.area.cursor_style());
        area.move_cursor(CursorMove::End);
        self.area = area;
    }

    /// Reverse video works with and without colour, so the cursor needs no theme.
    pub fn set_focused(&mut self, focused: bool) {
        self.focused = focused;
        let cursor = if focused {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        self.area.set_cursor_style(cursor);
    }

    pub fn is_focused(&self) -> bool {
        self.focused
    }

    /// Returns whether the text changed. Newline-producing keys are refused: the field is one line.
    pub fn input(&mut self, key: &KeyEvent) -> bool {
        let newline = matches!(key.code, KeyCode::Enter)
            || (key.modifiers.contains(KeyModifiers::CONTROL)
                && matches!(key.code, KeyCode::Char('m' | 'j')));
        if newline {
            return false;
        }
        let before = self.value().to_string();
        self.area.input(*key);
        self.value() != before
    }

    pub fn paste(&mut self, text: &str) -> bool {
        self.area.insert_str(single_line(text))
    }

    /// Renders label and border around the text; `severity` colours the border.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, severity: Option<Severity>) {
        let border = match (severity, self.focused) {
            (Some(Severity::Error), _) => theme.error,
            (Some(Severity::Warning), _) => theme.warning,
            (None, true) => theme.focused_border,
            (None, false) => theme.border,
        };
        let marker = match severity {
            Some(Severity::Error) => Span::styled(" ✗", theme.error),
            Some(Severity::Warning) => Span::styled(" ⚠", theme.warning),
            None => Span::raw(""),
        };
        let title_style = if self.focused {
            theme.title
        } else {
            theme.text
        };
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(border)
            .title(Line::from(vec![
                Span::styled(format!(" {} ", self.label), title_style),
                marker,
            ]));
        let inner = block.inner(area);
        block.render(area, buf);
        self.area.render(inner, buf);
    }
}

impl TextField {
    /// Without border or label, for table cells.
    pub fn render_plain(&self, area: Rect, buf: &mut Buffer) {
        self.area.render(area, buf);
    }
}

// Newlines would split the field; other control characters (a pasted ESC) would reach the
// terminal raw, since the text area draws its text as it is.
fn single_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    flat.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn typing_edits_one_line_and_enter_is_refused() {
        let mut f = TextField::new("Region", "us-west-2");
        assert!(f.input(&key('e')));
        assert!(f.input(&key('u')));
        assert!(!f.input(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        assert!(f.input(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)));
        assert_eq!(f.value(), "e");
        assert!(f.paste("u-\nwest"));
        assert_eq!(f.value(), "eu- west");
    }

    #[test]
    fn pasted_control_characters_never_reach_the_field() {
        let mut f = TextField::new("Prompt", "");
        assert!(f.paste("\u{1b}]0;pwned\u{7}\u{1b}[2Jok\r"));
        assert!(!f.value().chars().any(char::is_control), "{:?}", f.value());
        assert!(f.value().ends_with("ok"));
    }

    #[test]
    fn set_value_puts_the_cursor_at_the_end() {
        let mut f = TextField::new("x", "").with_value("abc");
        f.input(&key('d'));
        assert_eq!(f.value(), "abcd");
    }
}
