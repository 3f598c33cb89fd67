//! Modal boxes drawn over the screen: the help, yes/no questions, and the too-small notice.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use crate::tui::keymap::{self, Context};
use crate::tui::theme::Theme;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

pub fn render_too_small(area: Rect, buf: &mut Buffer, theme: &Theme) {
    let text = vec![
        Line::styled("make the terminal bigger", theme.title),
        Line::raw(format!(
            "need {MIN_WIDTH}×{MIN_HEIGHT}, have {}×{}",
            area.width, area.height
        )),
        Line::styled("(Ctrl-C quits)", theme.dim),
    ];
    let h = 3.min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    Paragraph::new(text)
        .alignment(ratatui::layout::Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(
            Rect {
                y,
                height: h,
                ..area
            },
            buf,
        );
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    )
}

/// The keys of `ctx` (and the global ones under it), read from the keymap tables.
pub fn render_help(ctx: Context, screen: &str, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let rows = keymap::help_rows(ctx);
    let key_w = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|(k, h)| {
            Line::from(vec![
                Span::styled(format!("{k:>key_w$}"), theme.key),
                Span::raw("  "),
                Span::raw(*h),
            ])
        })
        .collect();
    if matches!(ctx, Context::Text | Context::FilterList | Context::Table) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Other keys type into the focused field (←/→, Home/End, Ctrl-W, Ctrl-Z undo).",
            theme.dim,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Esc / ? / q / F1 closes this help.",
        theme.dim,
    ));
    let width =
        u16::try_from(lines.iter().map(Line::width).max().unwrap_or(20) + 4).unwrap_or(u16::MAX);
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, width, height);
    Clear.render(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.focused_border)
        .title(Span::styled(format!(" Keys · {screen} "), theme.title));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(rect, buf);
}

pub fn render_confirm(title: &str, body: &[String], area: Rect, buf: &mut Buffer, theme: &Theme) {
    let mut lines: Vec<Line> = body.iter().map(|l| Line::raw(l.clone())).collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("y", theme.key),
        Span::raw(" / Enter yes    "),
        Span::styled("n", theme.key),
        Span::raw(" / Esc no"),
    ]));
    let width = u16::try_from(
        lines
            .iter()
            .map(Line::width)
            .max()
            .unwrap_or(20)
            .max(title.len() + 4)
            + 4,
    )
    .unwrap_or(u16::MAX);
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, width, height);
    Clear.render(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.focused_border)
        .title(Span::styled(format!(" {title} "), theme.title));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(rect, buf);
}
