//! Step 5: tags. The defaults (`promptpack:pack-id`, `promptpack:version`, and
//! `promptpack:agent` on runtimes) are shown as inherited; a user tag with the same key
//! overrides them (seed 004). Fully blank rows are ignored so adding a row never blocks Next.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{Flow, Shared, Step, StepCx};
use crate::config::tags::{self, TAG_AGENT, TAG_PACK_ID, TAG_VERSION, Tags};
use crate::config::{Diagnostic, Severity, category};
use crate::tui::keymap::{Command, Context};
use crate::tui::persist::Answers;
use crate::tui::screens::{Input, View};
use crate::tui::widgets::text_field::TextField;

struct Row {
    key: TextField,
    value: TextField,
}

impl Row {
    fn new(key: &str, value: &str) -> Self {
        Self {
            key: TextField::new("key", "key").with_value(key),
            value: TextField::new("value", "value").with_value(value),
        }
    }

    fn is_blank(&self) -> bool {
        self.key.value().trim().is_empty() && self.value.value().trim().is_empty()
    }
}

pub struct TagsStep {
    rows: Vec<Row>,
    row: usize,
    col: usize,
    defaults: Vec<(String, String)>,
    diags: Vec<Diagnostic>,
}

impl TagsStep {
    pub fn new(answers: &Answers) -> Self {
        let mut s = Self {
            rows: answers.tags.iter().map(|(k, v)| Row::new(k, v)).collect(),
            row: 0,
            col: 0,
            defaults: Vec::new(),
            diags: Vec::new(),
        };
        s.focus();
        s
    }

    /// The user's tags as the config holds them (blank rows dropped; a later duplicate is an
    /// error, so which one wins does not matter).
    pub fn user_tags(&self) -> Tags {
        self.rows
            .iter()
            .filter(|r| !r.is_blank())
            .map(|r| {
                (
                    r.key.value().trim().to_string(),
                    r.value.value().to_string(),
                )
            })
            .collect()
    }

    fn focus(&mut self) {
        for (i, r) in self.rows.iter_mut().enumerate() {
            r.key.set_focused(i == self.row && self.col == 0);
            r.value.set_focused(i == self.row && self.col == 1);
        }
    }

    fn cell(&mut self) -> Option<&mut TextField> {
        let col = self.col;
        self.rows
            .get_mut(self.row)
            .map(|r| if col == 0 { &mut r.key } else { &mut r.value })
    }

    fn add_row(&mut self) {
        let at = if self.rows.is_empty() {
            0
        } else {
            self.row + 1
        };
        self.rows.insert(at, Row::new("", ""));
        self.row = at;
        self.col = 0;
    }

    fn delete_row(&mut self) {
        if self.row < self.rows.len() {
            self.rows.remove(self.row);
            self.row = self.row.min(self.rows.len().saturating_sub(1));
        }
    }
}

fn duplicate_keys(rows: &[Row]) -> Vec<Diagnostic> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for r in rows.iter().filter(|r| !r.is_blank()) {
        let k = r.key.value().trim();
        if k.is_empty() {
            continue;
        }
        if seen.contains(&k) {
            out.push(
                Diagnostic::error(
                    format!("tags.{k}"),
                    category::CONFIGURATION,
                    format!("tags: key {k:?} appears more than once"),
                )
                .with_hint("keep one row per key (Ctrl-D deletes the focused row)"),
            );
        } else {
            seen.push(k);
        }
    }
    out
}

impl Step for TagsStep {
    fn context(&self) -> Context {
        Context::Table
    }

    fn handle(&mut self, input: Input<'_>, _cx: &mut StepCx<'_>) -> Flow {
        match input {
            Input::Command(Command::Up) | Input::Scroll(-1) => {
                self.row = self.row.saturating_sub(1)
            }
            Input::Command(Command::Down) | Input::Scroll(1) => {
                self.row = (self.row + 1).min(self.rows.len().saturating_sub(1))
            }
            Input::Command(Command::FocusNext) => {
                if self.col == 0 {
                    self.col = 1;
                } else if self.row + 1 < self.rows.len() {
                    self.row += 1;
                    self.col = 0;
                } else {
                    return Flow::Handled;
                }
            }
            Input::Command(Command::FocusPrev) => {
                if self.col == 1 {
                    self.col = 0;
                } else if self.row > 0 {
                    self.row -= 1;
                    self.col = 1;
                }
            }
            Input::Command(Command::AddRow) => self.add_row(),
            Input::Command(Command::DeleteRow) => self.delete_row(),
            Input::Key(k) => {
                if self.rows.is_empty() {
                    self.add_row();
                    self.focus();
                }
                if let Some(c) = self.cell() {
                    c.input(k);
                }
            }
            Input::Paste(s) => {
                if let Some(c) = self.cell() {
                    c.paste(s);
                }
            }
            Input::Click { column, row, .. } => {
                let first = TABLE_TOP + u16::try_from(self.defaults.len()).unwrap_or(0);
                let Some(i) = row.checked_sub(first).map(usize::from) else {
                    return Flow::Unhandled;
                };
                if i >= self.rows.len() {
                    return Flow::Unhandled;
                }
                self.row = i;
                self.col = usize::from(column >= KEY_WIDTH + 2);
            }
            _ => return Flow::Unhandled,
        }
        self.focus();
        Flow::Handled
    }

    fn revalidate(&mut self, shared: &Shared) {
        self.defaults = match &shared.pack {
            Some(p) => {
                let mut d = vec![
                    (TAG_PACK_ID.to_string(), p.id.clone()),
                    (TAG_VERSION.to_string(), p.version.clone()),
                ];
                if p.multi_agent {
                    d.push((
                        TAG_AGENT.to_string(),
                        "<member name, per runtime>".to_string(),
                    ));
                }
                d
            }
            None => vec![
                (TAG_PACK_ID.to_string(), "<pack id>".into()),
                (TAG_VERSION.to_string(), "<pack version>".into()),
            ],
        };
        let user = self.user_tags();
        let mut d = tags::user_tag_diagnostics(&user);
        // A blank key inside a row that has a value is an error the map above cannot see.
        if self
            .rows
            .iter()
            .any(|r| !r.is_blank() && r.key.value().trim().is_empty())
            && !user.contains_key("")
        {
            d.extend(crate::config::fields::tag_key(""));
        }
        d.extend(duplicate_keys(&self.rows));
        let multi = shared.pack.as_ref().is_some_and(|p| p.multi_agent);
        d.extend(tags::effective_count_diagnostic(&user, multi));
        d.sort_by_key(|x| x.severity);
        self.diags = d;
    }

    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diags
    }

    fn tabs_between_fields(&self) -> bool {
        true
    }

    fn write(&self, answers: &mut Answers) {
        answers.tags = self
            .rows
            .iter()
            .filter(|r| !r.is_blank())
            .map(|r| {
                (
                    r.key.value().trim().to_string(),
                    r.value.value().to_string(),
                )
            })
            .collect();
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [intro, header, table] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(area);
        let user = self.user_tags();
        Line::styled(
            format!(
                "{} user tag(s) · Enter adds a row · Ctrl-D deletes · Tab moves between cells",
                user.len()
            ),
            theme.dim,
        )
        .render(intro, buf);
        let kw = usize::from(KEY_WIDTH);
        Line::styled(
            format!("  {:<kw$}  {:<30} {}", "KEY", "VALUE", "SOURCE"),
            theme.title,
        )
        .render(header, buf);
        let mut y = table.y;
        let row_rect = |y: u16| Rect {
            y,
            height: 1,
            ..table
        };
        for (k, v) in &self.defaults {
            if y >= table.bottom() {
                return;
            }
            let overridden = user.contains_key(k);
            let (style, source) = if overridden {
                (theme.dim, "overridden")
            } else {
                (theme.dim, "inherited")
            };
            Line::from(vec![
                Span::styled(format!("  {k:<kw$}  {v:<30} "), style),
                Span::styled(source, theme.dim),
            ])
            .render(row_rect(y), buf);
            y += 1;
        }
        if self.rows.is_empty() && y < table.bottom() {
            Line::styled(
                "  no user tags: start typing or press Enter to add one",
                theme.dim,
            )
            .render(row_rect(y), buf);
        }
        for (i, r) in self.rows.iter().enumerate() {
            if y >= table.bottom() {
                break;
            }
            let key = r.key.value().trim();
            let sev = self
                .diags
                .iter()
                .filter(|d| !key.is_empty() && d.field == format!("tags.{key}"))
                .map(|d| d.severity)
                .min();
            let marker = match sev {
                Some(Severity::Error) => Span::styled("✗ ", theme.error),
                Some(Severity::Warning) => Span::styled("⚠ ", theme.warning),
                None if i == self.row => Span::styled("▶ ", theme.accent),
                None => Span::raw("  "),
            };
            let line = row_rect(y);
            marker.render(Rect { width: 2, ..line }, buf);
            let key_area = Rect {
                x: line.x + 2,
                width: KEY_WIDTH.min(line.width.saturating_sub(2)),
                ..line
            };
            let value_x = key_area.right() + 2;
            let value_area = Rect {
                x: value_x,
                width: line.right().saturating_sub(value_x).saturating_sub(10),
                ..line
            };
            r.key.render_plain(key_area, buf);
            r.value.render_plain(value_area, buf);
            let source = if self.defaults.iter().any(|(k, _)| k == key) {
                "overrides"
            } else {
                "yours"
            };
            Span::styled(source, theme.dim).render(
                Rect {
                    x: value_area.right() + 1,
                    width: 9,
                    ..line
                },
                buf,
            );
            if i == self.row {
                let cell = if self.col == 0 { key_area } else { value_area };
                buf.set_style(Rect { height: 1, ..cell }, theme.selected);
            }
            y += 1;
        }
    }
}

const KEY_WIDTH: u16 = 24;
/// Rows above the table body: the intro (2) and the header (1).
const TABLE_TOP: u16 = 3;
