//! The CloudTrail KMS events of recommendations (seed 000: GenerateDataKey, Decrypt,
//! DescribeKey): when, who, on which recommendation, with the encryption context of the
//! highlighted event. `/` narrows to one recommendation by id, name or ARN.

use std::collections::HashMap;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::list::ListState;
use super::{Request, clip, fmt_time};
use crate::kms::activity::KmsEvent;
use crate::tui::keymap::Command;
use crate::tui::screens::{Input, View};
use crate::tui::services::ServiceError;

pub struct ActivityState {
    pub filter: String,
    pub filtering: bool,
    pub loading: bool,
    pub failed: Option<String>,
    events: Vec<KmsEvent>,
    /// Recommendation ARN → name, from the list, so rows name what they concern.
    names: HashMap<String, String>,
    visible: Vec<usize>,
    selected: usize,
}

impl ActivityState {
    /// `recommendation`: an id to narrow to from the start.
    pub fn new(recommendation: Option<String>) -> Self {
        Self {
            filter: recommendation.unwrap_or_default(),
            filtering: false,
            loading: false,
            failed: None,
            events: Vec::new(),
            names: HashMap::new(),
            visible: Vec::new(),
            selected: 0,
        }
    }

    pub fn events(&self) -> impl Iterator<Item = &KmsEvent> {
        self.visible.iter().map(|&i| &self.events[i])
    }

    pub fn loaded(&mut self, r: Result<Vec<KmsEvent>, ServiceError>, list: &ListState) {
        self.loading = false;
        self.names = list
            .items()
            .iter()
            .map(|s| (s.arn.clone(), s.name.clone()))
            .collect();
        match r {
            Ok(events) => {
                self.events = events;
                self.failed = None;
            }
            Err(e) => {
                self.failed = Some(format!(
                    "CloudTrail lookup failed ({}): {}",
                    e.category, e.message
                ));
                if let Some(h) = e.hint {
                    self.failed = self.failed.take().map(|f| format!("{f} — {h}"));
                }
            }
        }
        self.refilter();
    }

    fn refilter(&mut self) {
        let needle = self.filter.trim().to_lowercase();
        self.visible = self
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                needle.is_empty()
                    || e.recommendation_arn.as_deref().is_some_and(|arn| {
                        arn.to_lowercase().contains(&needle)
                            || self
                                .names
                                .get(arn)
                                .is_some_and(|n| n.to_lowercase().contains(&needle))
                    })
            })
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    fn move_by(&mut self, d: isize) {
        if !self.visible.is_empty() {
            self.selected = self
                .selected
                .saturating_add_signed(d)
                .min(self.visible.len() - 1);
        }
    }

    pub fn handle(&mut self, input: Input<'_>) -> Request {
        if self.filtering {
            match input {
                Input::Command(Command::Submit) => self.filtering = false,
                Input::Command(Command::Cancel) => {
                    self.filtering = false;
                    self.filter.clear();
                    self.refilter();
                }
                Input::Command(Command::Up) => self.move_by(-1),
                Input::Command(Command::Down) => self.move_by(1),
                Input::Command(Command::Quit) => return Request::Quit,
                Input::Key(k)
                    if !k
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    match k.code {
                        KeyCode::Char(c) => self.filter.push(c),
                        KeyCode::Backspace => {
                            self.filter.pop();
                        }
                        _ => return Request::None,
                    }
                    self.refilter();
                }
                Input::Paste(s) => {
                    self.filter.push_str(s.trim());
                    self.refilter();
                }
                _ => {}
            }
            return Request::None;
        }
        match input {
            Input::Command(Command::Up) | Input::Scroll(-1) => self.move_by(-1),
            Input::Command(Command::Down) | Input::Scroll(1) => self.move_by(1),
            Input::Command(Command::PageUp) => self.move_by(-10),
            Input::Command(Command::PageDown) => self.move_by(10),
            Input::Command(Command::Search) => self.filtering = true,
            Input::Command(Command::Refresh) => return Request::ReloadActivity,
            Input::Command(Command::Back) => return Request::Back,
            Input::Command(Command::Quit) => return Request::Quit,
            _ => {}
        }
        Request::None
    }

    fn concerns(&self, e: &KmsEvent) -> String {
        match e.recommendation_arn.as_deref() {
            Some(arn) => self
                .names
                .get(arn)
                .cloned()
                .unwrap_or_else(|| crate::arn::resource_id(arn).to_string()),
            None => "·".into(),
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [status, filter_row, head, rows, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(7),
        ])
        .areas(area);
        let status_line = if self.loading {
            Line::styled(
                format!(" {} looking up CloudTrail KMS events…", view.spinner()),
                theme.dim,
            )
        } else if let Some(f) = &self.failed {
            Line::styled(format!(" ✗ {f}"), theme.error)
        } else {
            Line::styled(
                format!(
                    " {} of {} KMS event(s): GenerateDataKey, Decrypt, DescribeKey (newest first)",
                    self.visible.len(),
                    self.events.len()
                ),
                theme.dim,
            )
        };
        status_line.render(status, buf);
        let mut spans = vec![Span::styled(" Recommendation: ", theme.title)];
        if self.filter.is_empty() && !self.filtering {
            spans.push(Span::styled(
                "all  (/ narrows by id, name or ARN)",
                theme.dim,
            ));
        } else {
            spans.push(Span::raw(self.filter.clone()));
            if self.filtering {
                spans.push(Span::styled(" ", theme.cursor));
            }
        }
        Line::from(spans).render(filter_row, buf);
        let width = usize::from(area.width);
        let rec_w = 22;
        let principal_w = width
            .saturating_sub(1 + 19 + 1 + 15 + 1 + rec_w + 1)
            .max(10);
        Line::styled(
            format!(
                " {:<19} {:<15} {:<principal_w$} {}",
                "TIME", "EVENT", "PRINCIPAL", "RECOMMENDATION"
            ),
            theme.title,
        )
        .render(head, buf);
        if self.visible.is_empty() && !self.loading {
            let msg = if self.events.is_empty() {
                "No KMS events for recommendations yet. They appear when a recommendation with a customer managed key is started or read."
            } else {
                "No event concerns this recommendation. Esc in the filter clears it."
            };
            Paragraph::new(msg)
                .style(theme.dim)
                .wrap(Wrap { trim: true })
                .render(rows, buf);
        }
        let height = usize::from(rows.height);
        let offset = self.selected.saturating_sub(height.saturating_sub(1));
        for (n, &i) in self.visible.iter().skip(offset).take(height).enumerate() {
            let e = &self.events[i];
            let style = if e.error_code.is_some() {
                theme.error
            } else {
                theme.text
            };
            let mut line = Line::from(vec![
                Span::styled(format!(" {:<19} ", fmt_time(e.time)), theme.dim),
                Span::styled(format!("{:<15} ", e.name), style),
                Span::raw(format!(
                    "{:<principal_w$} ",
                    clip(&e.principal, principal_w)
                )),
                Span::styled(clip(&self.concerns(e), rec_w), theme.accent),
            ]);
            let rect = Rect {
                y: rows.y + u16::try_from(n).unwrap_or(u16::MAX),
                height: 1,
                ..rows
            };
            if offset + n == self.selected {
                line = line.patch_style(theme.selected);
                buf.set_style(rect, theme.selected);
            }
            line.render(rect, buf);
        }
        let block = Block::new()
            .borders(Borders::TOP)
            .border_style(theme.border)
            .title(Span::styled(" Encryption context ", theme.title));
        let inner = block.inner(detail);
        block.render(detail, buf);
        let Some(e) = self.visible.get(self.selected).map(|&i| &self.events[i]) else {
            return;
        };
        let mut lines: Vec<Line> = e
            .encryption_context
            .iter()
            .flat_map(|(k, v)| [Line::raw(format!(" {k}")), Line::raw(format!("   = {v}"))])
            .collect();
        if lines.is_empty() {
            lines.push(Line::styled(" (none)", theme.dim));
        }
        if let Some(k) = &e.key_arn {
            lines.push(Line::styled(format!(" key {k}"), theme.dim));
        }
        if let Some(by) = &e.invoked_by {
            lines.push(Line::styled(format!(" through {by}"), theme.dim));
        }
        if let Some(code) = &e.error_code {
            lines.push(Line::styled(
                format!(" ✗ {code}: {}", e.error_message.clone().unwrap_or_default()),
                theme.error,
            ));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}
