//! One recommendation: what it was asked (config) and what it answered (result). A system
//! prompt shows as a diff original → recommended; tool descriptions side by side. When its key
//! is disabled or deleted the plain-language reason shows, with what still works.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::{Request, fmt_time, status_span};
use crate::recommend::diff::{DiffLine, LineChange, text_diff};
use crate::recommend::model::{ConfigView, ResultView, TracesView};
use crate::recommend::{Detail, Summary};
use crate::tui::keymap::Command;
use crate::tui::screens::{Input, View};
use crate::tui::services::{KEY_UNAVAILABLE, ServiceError};
use crate::tui::theme::Theme;
use crate::tui::widgets::visible;

pub struct DetailState {
    /// From the list: shown while loading and when reading fails.
    pub summary: Summary,
    pub loading: bool,
    pub detail: Option<Box<Detail>>,
    pub error: Option<ServiceError>,
    /// Original → recommended system prompt, computed once when the detail arrives.
    diff: Vec<DiffLine>,
    scroll: u16,
}

impl DetailState {
    pub fn loading(summary: Summary) -> Self {
        Self {
            summary,
            loading: true,
            detail: None,
            error: None,
            diff: Vec::new(),
            scroll: 0,
        }
    }

    pub fn loaded(&mut self, r: Result<Box<Detail>, ServiceError>) {
        self.loading = false;
        match r {
            Ok(d) => {
                self.summary = d.summary.clone();
                self.diff = match (&d.config, &d.result) {
                    (
                        ConfigView::SystemPrompt {
                            text: Some(original),
                            ..
                        },
                        Some(ResultView::SystemPrompt {
                            recommended: Some(rec),
                            ..
                        }),
                    ) => text_diff(original, rec),
                    _ => Vec::new(),
                };
                self.detail = Some(d);
                self.error = None;
            }
            Err(e) => {
                self.detail = None;
                self.error = Some(e);
            }
        }
    }

    /// What `c` copies: the recommended text, else the ARN.
    pub fn copy_text(&self) -> String {
        match self.detail.as_ref().and_then(|d| d.result.as_ref()) {
            Some(ResultView::SystemPrompt {
                recommended: Some(r),
                ..
            }) => r.clone(),
            Some(ResultView::ToolDescription { tools, .. })
                if tools.iter().any(|t| t.recommended.is_some()) =>
            {
                tools
                    .iter()
                    .filter_map(|t| Some(format!("{}: {}", t.name, t.recommended.as_ref()?)))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            _ => self.summary.arn.clone(),
        }
    }

    pub fn handle(&mut self, input: Input<'_>) -> Request {
        match input {
            Input::Command(Command::Up) | Input::Scroll(-1) => {
                self.scroll = self.scroll.saturating_sub(1);
            }
            Input::Command(Command::Down) | Input::Scroll(1) => {
                self.scroll = self.scroll.saturating_add(1);
            }
            Input::Command(Command::PageUp) => self.scroll = self.scroll.saturating_sub(10),
            Input::Command(Command::PageDown) => self.scroll = self.scroll.saturating_add(10),
            Input::Command(Command::Copy) => return Request::Copy(self.copy_text()),
            Input::Command(Command::CopyArn) => return Request::Copy(self.summary.arn.clone()),
            Input::Command(Command::Delete) => {
                return Request::AskDelete(vec![self.summary.clone()]);
            }
            Input::Command(Command::Refresh) => return Request::ReloadDetail,
            Input::Command(Command::OpenKmsActivity) => {
                return Request::Activity(Some(self.summary.id.clone()));
            }
            Input::Command(Command::Back) => return Request::Back,
            Input::Command(Command::Quit) => return Request::Quit,
            _ => {}
        }
        Request::None
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.focused_border)
            .title(Span::styled(
                format!(" {} ", crate::sanitize::escape(&self.summary.name)),
                theme.title,
            ));
        let inner = block.inner(area);
        block.render(area, buf);
        // Everything in the detail but its labels came from AWS: shown, never obeyed.
        let lines = visible::lines(self.lines(view, usize::from(inner.width)));
        let max = u16::try_from(lines.len())
            .unwrap_or(u16::MAX)
            .saturating_sub(inner.height);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((self.scroll.min(max), 0))
            .render(inner, buf);
    }

    fn lines(&self, view: &View<'_>, width: usize) -> Vec<Line<'static>> {
        let theme = view.theme;
        let s = &self.summary;
        let mut out = vec![
            Line::from(vec![
                label("Status", theme),
                status_span(&s.status, theme),
                Span::styled(format!("   {}", s.rec_type), theme.dim),
            ]),
            Line::from(vec![label("ARN", theme), Span::raw(s.arn.clone())]),
            Line::from(vec![
                label("Created", theme),
                Span::raw(fmt_time(s.created_at)),
                Span::styled("   updated ", theme.dim),
                Span::raw(fmt_time(s.updated_at)),
            ]),
        ];
        if self.loading {
            out.push(Line::raw(""));
            out.push(Line::styled(
                format!("{} reading the recommendation…", view.spinner()),
                theme.dim,
            ));
            return out;
        }
        if let Some(e) = &self.error {
            out.push(Line::raw(""));
            out.extend(error_lines(e, theme));
            return out;
        }
        let Some(d) = &self.detail else { return out };
        out.push(match &d.kms_key_arn {
            Some(arn) => Line::from(vec![
                label("Key", theme),
                Span::styled("CMK ", theme.accent),
                Span::raw(arn.clone()),
            ]),
            None => Line::from(vec![label("Key", theme), Span::raw("AWS owned key")]),
        });
        out.push(Line::raw(""));
        match &d.config {
            ConfigView::SystemPrompt {
                text,
                bundle_arn,
                traces,
                evaluators,
            } => {
                out.extend(traces_lines(traces.as_ref(), theme));
                if !evaluators.is_empty() {
                    out.push(Line::from(vec![
                        label("Evaluators", theme),
                        Span::raw(evaluators.join(", ")),
                    ]));
                }
                if let Some(b) = bundle_arn {
                    out.push(Line::from(vec![
                        label("Bundle", theme),
                        Span::raw(b.clone()),
                    ]));
                }
                out.push(Line::raw(""));
                out.extend(self.prompt_lines(text.as_deref(), d, theme));
            }
            ConfigView::ToolDescription {
                tools,
                bundle_arn,
                traces,
            } => {
                out.extend(traces_lines(traces.as_ref(), theme));
                if let Some(b) = bundle_arn {
                    out.push(Line::from(vec![
                        label("Bundle", theme),
                        Span::raw(b.clone()),
                    ]));
                }
                out.push(Line::raw(""));
                let results = match &d.result {
                    Some(ResultView::ToolDescription { tools, .. }) => tools.as_slice(),
                    _ => &[],
                };
                out.extend(tools_side_by_side(tools, results, width, theme));
                out.extend(result_error(d, theme));
            }
            ConfigView::Unknown => out.push(Line::styled(
                "This recommendation's configuration is of a kind this version cannot show.",
                theme.dim,
            )),
        }
        out
    }

    fn prompt_lines(
        &self,
        original: Option<&str>,
        d: &Detail,
        theme: &Theme,
    ) -> Vec<Line<'static>> {
        let mut out = Vec::new();
        let (recommended, explanation) = match &d.result {
            Some(ResultView::SystemPrompt {
                recommended,
                explanation,
                ..
            }) => (recommended.as_deref(), explanation.as_deref()),
            _ => (None, None),
        };
        if recommended.is_some() && original.is_some() {
            out.push(Line::from(vec![
                Span::styled("System prompt", theme.title),
                Span::styled("  (", theme.dim),
                Span::styled("- original", theme.error),
                Span::styled(" → ", theme.dim),
                Span::styled("+ recommended", theme.ok),
                Span::styled(")", theme.dim),
            ]));
            for l in &self.diff {
                let (sign, style) = match l.change {
                    LineChange::Same => ("  ", theme.text),
                    LineChange::Removed => ("- ", theme.error),
                    LineChange::Added => ("+ ", theme.ok),
                };
                out.push(Line::styled(format!("{sign}{}", l.text), style));
            }
        } else {
            out.push(Line::styled("System prompt (original)", theme.title));
            match original {
                Some(t) => out.extend(t.lines().map(|l| Line::raw(format!("  {l}")))),
                None => out.push(Line::styled("  (from a configuration bundle)", theme.dim)),
            }
            if recommended.is_none() && !d.summary.status.is_final() {
                out.push(Line::raw(""));
                out.push(Line::styled(
                    "No result yet: it shows here once the recommendation is COMPLETED (r reads it again).",
                    theme.dim,
                ));
            }
        }
        if let Some(e) = explanation {
            out.push(Line::raw(""));
            out.push(Line::styled("Why", theme.title));
            out.extend(e.lines().map(|l| Line::raw(format!("  {l}"))));
        }
        out.extend(result_error(d, theme));
        out
    }
}

fn label(name: &str, theme: &Theme) -> Span<'static> {
    Span::styled(format!("{name:<12}"), theme.dim)
}

fn result_error(d: &Detail, theme: &Theme) -> Vec<Line<'static>> {
    let (code, message) = match &d.result {
        Some(
            ResultView::SystemPrompt {
                error_code,
                error_message,
                ..
            }
            | ResultView::ToolDescription {
                error_code,
                error_message,
                ..
            },
        ) => (error_code, error_message),
        _ => return Vec::new(),
    };
    if code.is_none() && message.is_none() {
        return Vec::new();
    }
    vec![
        Line::raw(""),
        Line::styled(
            format!(
                "✗ The recommendation failed{}",
                code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()
            ),
            theme.error,
        ),
        Line::raw(format!("  {}", message.clone().unwrap_or_default())),
    ]
}

fn error_lines(e: &ServiceError, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::styled(
        "✗ This recommendation cannot be read",
        theme.error,
    )];
    out.push(Line::raw(format!("  {}", e.message)));
    if let Some(h) = &e.hint {
        out.push(Line::styled(format!("  {h}"), theme.dim));
    }
    out.push(Line::raw(""));
    if e.category == KEY_UNAVAILABLE {
        out.push(Line::styled("What still works", theme.title));
        out.push(Line::raw(
            "  · the list and its metadata (name, status, type): Esc goes back to it",
        ));
        out.push(Line::raw(
            "  · deleting it: d (deletion needs no decryption)",
        ));
        out.push(Line::raw("  · its KMS activity in CloudTrail: K"));
        out.push(Line::raw(
            "  · once the key is usable again, r reads it again",
        ));
    } else {
        out.push(Line::styled(
            format!("({}) r tries again · Esc back to the list", e.category),
            theme.dim,
        ));
    }
    out
}

fn traces_lines(t: Option<&TracesView>, theme: &Theme) -> Vec<Line<'static>> {
    let Some(t) = t else { return Vec::new() };
    let mut out = vec![Line::from(vec![
        label("Traces", theme),
        Span::raw(t.source.clone()),
        Span::styled(
            match (t.start, t.end) {
                (Some(a), Some(b)) => format!("  {} → {}", fmt_time(a), fmt_time(b)),
                _ => String::new(),
            },
            theme.dim,
        ),
    ])];
    for g in &t.log_group_arns {
        out.push(Line::from(vec![
            label("  log group", theme),
            Span::raw(g.clone()),
        ]));
    }
    if !t.service_names.is_empty() {
        out.push(Line::from(vec![
            label("  services", theme),
            Span::raw(t.service_names.join(", ")),
        ]));
    }
    out
}

/// Each tool as two columns, original | recommended, wrapped to half the width each.
fn tools_side_by_side(
    tools: &[crate::recommend::ToolText],
    results: &[crate::recommend::model::ToolResult],
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let col = width.saturating_sub(3) / 2;
    let mut out = vec![Line::from(vec![
        Span::styled(format!("{:<col$}", "Original"), theme.title),
        Span::styled(" │ ", theme.dim),
        Span::styled("Recommended", theme.title),
    ])];
    for tool in tools {
        let result = results.iter().find(|r| r.name == tool.name);
        out.push(Line::styled(format!("▸ {}", tool.name), theme.accent));
        let left = wrap(&tool.description, col);
        let right = match result.and_then(|r| r.recommended.as_deref()) {
            Some(r) => wrap(r, col),
            None => vec!["(no result yet)".to_string()],
        };
        let right_style: Style = if result.and_then(|r| r.recommended.as_ref()).is_some() {
            theme.ok
        } else {
            theme.dim
        };
        for i in 0..left.len().max(right.len()) {
            out.push(Line::from(vec![
                Span::raw(format!(
                    "{:<col$}",
                    left.get(i).map(String::as_str).unwrap_or("")
                )),
                Span::styled(" │ ", theme.dim),
                Span::styled(right.get(i).cloned().unwrap_or_default(), right_style),
            ]));
        }
        if let Some(e) = result.and_then(|r| r.explanation.as_deref()) {
            for l in wrap(&format!("why: {e}"), width.saturating_sub(2)) {
                out.push(Line::styled(format!("  {l}"), theme.dim));
            }
        }
    }
    out
}

/// Greedy word wrap to `width` characters (a word longer than the line is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let mut word = word.to_string();
            while word.chars().count() > width {
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                }
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                out.push(head);
            }
            let need = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
            if need > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        out.push(line);
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_keeps_words_and_cuts_long_ones() {
        assert_eq!(
            wrap("Finds an order by id", 10),
            vec!["Finds an", "order by", "id"]
        );
        assert_eq!(wrap("abcdefghijkl", 5), vec!["abcde", "fghij", "kl"]);
        assert_eq!(wrap("", 5), vec![""]);
    }
}
