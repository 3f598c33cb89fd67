//! Text from outside (AWS answers, ids, ARNs, pack text) is drawn with its control characters
//! shown, never obeyed. ratatui's text widgets drop them silently, so `evil\e]0;…` would read as
//! `evil]0;…` and hide what AWS sent: screens pass outside text through [`line`] / [`lines`]
//! (`\e`, `\n`, `\u{7}`). [`controls_in_buffer`] guards anything that writes a cell directly:
//! a control character in a cell would go to the terminal as is.

use ratatui::buffer::Buffer;
use ratatui::text::{Line, Span};

use crate::sanitize;

/// Every span of the line with its control characters written out.
pub fn line(l: Line<'_>) -> Line<'static> {
    let style = l.style;
    let alignment = l.alignment;
    let spans: Vec<Span<'static>> = l
        .spans
        .into_iter()
        .map(|s| Span::styled(sanitize::escape(&s.content).into_owned(), s.style))
        .collect();
    let mut out = Line::from(spans).style(style);
    out.alignment = alignment;
    out
}

pub fn lines(ls: Vec<Line<'_>>) -> Vec<Line<'static>> {
    ls.into_iter().map(line).collect()
}

/// Any control character left in a cell becomes its visible picture (U+2400 block), one column
/// wide like the cell: the screen keeps its layout and the terminal gets nothing to obey.
pub fn controls_in_buffer(buf: &mut Buffer) {
    for cell in &mut buf.content {
        let sym = cell.symbol();
        if !sym.chars().any(char::is_control) {
            continue;
        }
        let shown: String = sym
            .chars()
            .map(|c| match u32::from(c) {
                n @ 0..=0x1f => char::from_u32(0x2400 + n).unwrap_or('\u{fffd}'),
                0x7f => '\u{2421}',
                _ if c.is_control() => '\u{fffd}',
                _ => c,
            })
            .collect();
        cell.set_symbol(&shown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::widgets::{Paragraph, Widget};

    #[test]
    fn a_control_written_into_a_cell_is_drawn_as_its_picture() {
        let area = Rect::new(0, 0, 8, 1);
        let mut buf = Buffer::empty(area);
        for (x, sym) in ["a", "\u{1b}", "\u{7}", "\u{9b}", "\u{7f}", "b"]
            .iter()
            .enumerate()
        {
            buf[(u16::try_from(x).unwrap(), 0)].set_symbol(sym);
        }
        controls_in_buffer(&mut buf);
        let text: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(text, "a␛␇\u{fffd}␡b  ");
    }

    #[test]
    fn a_paragraph_drops_controls_silently_so_outside_text_is_escaped_first() {
        let area = Rect::new(0, 0, 30, 1);
        let mut buf = Buffer::empty(area);
        Paragraph::new(line(Line::raw("a\u{1b}]0;x\u{7}b"))).render(area, &mut buf);
        let text: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert!(text.starts_with("a\\e]0;x\\u{7}b"), "{text:?}");
    }

    #[test]
    fn outside_text_in_a_line_is_escaped_span_by_span() {
        let l = line(Line::from(vec![
            Span::raw("id "),
            Span::raw("evil\u{1b}[2J\r\nok"),
        ]));
        assert_eq!(l.to_string(), "id evil\\e[2J\\r\\nok");
    }
}
