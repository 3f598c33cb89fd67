//! An apply or destroy as it runs: an overall gauge with the ETA, a pane per step (gauge in the
//! title, a row per resource: state with spinner, elapsed, ARN), and an event log that scrolls
//! and searches. Ctrl-C asks, then cancels through the engine's token.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph, Widget};

use super::pipeline::{PaneState, PipelineView, ResourceRow, RunPhase};
use super::{Request, fmt_secs, render_detail};
use crate::deploy::events::ResourcePhase;
use crate::tui::keymap::{Command, Context};
use crate::tui::screens::{Input, View};
use crate::tui::services::RunKind;
use crate::tui::slot::Gen;
use crate::tui::widgets::overlay;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Panes,
    Log,
}

pub struct RunState {
    pub run: Gen,
    pub view: PipelineView,
    pub pack_id: String,
    pub focus: Focus,
    /// Index into the flattened rows of every pane.
    pub selected: usize,
    /// First log line shown; `None` follows the newest line.
    pub log_top: Option<usize>,
    /// The search being typed.
    pub typing: Option<String>,
    pub query: String,
    /// Index into the matches of `query`.
    pub hit: usize,
    pub ask_cancel: bool,
    pub detail: bool,
}

impl RunState {
    pub fn new(run: Gen, view: PipelineView, pack_id: String) -> Self {
        Self {
            run,
            view,
            pack_id,
            focus: Focus::Panes,
            selected: 0,
            log_top: None,
            typing: None,
            query: String::new(),
            hit: 0,
            ask_cancel: false,
            detail: false,
        }
    }

    pub fn context(&self) -> Context {
        if self.ask_cancel {
            Context::Confirm
        } else if self.detail {
            Context::Detail
        } else if self.typing.is_some() {
            Context::Search
        } else {
            Context::Run
        }
    }

    pub(super) fn handle(&mut self, input: Input<'_>) -> Request {
        if self.ask_cancel {
            if let Input::Command(c) = input {
                self.ask_cancel = false;
                if c == Command::Confirm && self.view.phase == RunPhase::Running {
                    self.view.cancel_requested();
                    return Request::Cancel;
                }
            }
            return Request::None;
        }
        if self.detail {
            return match input {
                Input::Command(Command::Copy) => self
                    .selected_row()
                    .and_then(|r| r.arn.clone())
                    .map_or(Request::None, Request::Copy),
                Input::Command(Command::Cancel) => {
                    self.detail = false;
                    Request::None
                }
                _ => Request::None,
            };
        }
        if let Some(typed) = &mut self.typing {
            match input {
                Input::Command(Command::Submit) => {
                    self.query = std::mem::take(typed);
                    self.typing = None;
                    self.hit = 0;
                    self.jump_to_hit();
                }
                Input::Command(Command::Cancel) => self.typing = None,
                Input::Key(k) => match k.code {
                    ratatui::crossterm::event::KeyCode::Char(c) => typed.push(c),
                    ratatui::crossterm::event::KeyCode::Backspace => {
                        typed.pop();
                    }
                    _ => {}
                },
                Input::Paste(s) => typed.push_str(s),
                _ => {}
            }
            return Request::None;
        }
        let running = self.view.phase.is_running();
        match input {
            Input::Scroll(d) => self.move_by(isize::from(d)),
            Input::Command(cmd) => match cmd {
                Command::Cancel if self.view.phase == RunPhase::Running => self.ask_cancel = true,
                Command::Cancel if !running => return Request::Quit,
                Command::Up => self.move_by(-1),
                Command::Down => self.move_by(1),
                Command::PageUp => self.scroll_log(-10),
                Command::PageDown => self.scroll_log(10),
                Command::FocusNext => {
                    self.focus = match self.focus {
                        Focus::Panes => Focus::Log,
                        Focus::Log => Focus::Panes,
                    }
                }
                Command::Select if self.selected_row().is_some() => self.detail = true,
                Command::Search => self.typing = Some(String::new()),
                Command::NextMatch => self.step_hit(1),
                Command::PrevMatch => self.step_hit(-1),
                Command::ShowStatus if !running => return Request::Status,
                Command::Back if !running => {
                    return match self.view.kind {
                        RunKind::Apply => Request::Plan,
                        RunKind::Destroy => Request::Back,
                    };
                }
                Command::Quit => return Request::Quit,
                _ => {}
            },
            _ => {}
        }
        Request::None
    }

    pub fn selected_row(&self) -> Option<&ResourceRow> {
        self.view.row(self.selected)
    }

    fn move_by(&mut self, d: isize) {
        match self.focus {
            Focus::Panes => {
                let n = self.view.row_count();
                self.selected = self
                    .selected
                    .saturating_add_signed(d)
                    .min(n.saturating_sub(1));
            }
            Focus::Log => self.scroll_log(d),
        }
    }

    fn scroll_log(&mut self, d: isize) {
        let last = self.view.log.len().saturating_sub(1);
        let top = self.log_top.unwrap_or(last);
        let next = top.saturating_add_signed(d);
        // Scrolling past the end resumes following the newest lines.
        self.log_top = (next < last).then_some(next);
    }

    fn step_hit(&mut self, d: isize) {
        let n = self.view.matches(&self.query).len();
        if n > 0 {
            self.hit = (self.hit % n).wrapping_add_signed(d).wrapping_add(n) % n;
        }
        self.jump_to_hit();
    }

    fn jump_to_hit(&mut self) {
        let hits = self.view.matches(&self.query);
        if hits.is_empty() {
            return;
        }
        self.hit %= hits.len();
        self.log_top = Some(hits[self.hit]);
        self.focus = Focus::Log;
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let log_h = (area.height / 3).max(5);
        let [overall, panes, log] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(3),
            Constraint::Length(log_h),
        ])
        .areas(area);
        self.render_overall(overall, buf, view);
        self.render_panes(panes, buf, view);
        self.render_log(log, buf, view);
        if self.ask_cancel {
            let what = match self.view.kind {
                RunKind::Apply => "apply",
                RunKind::Destroy => "destroy",
            };
            overlay::render_confirm(
                &format!("Cancel the {what}?"),
                &[
                    "Nothing new starts; calls in flight finish and are saved.".into(),
                    "Applying again later resumes where it stopped.".into(),
                ],
                area,
                buf,
                theme,
            );
        }
        if self.detail
            && let Some(row) = self.selected_row()
        {
            let mut lines = vec![
                Line::from(vec![
                    Span::styled("state    ", theme.dim),
                    Span::raw(phase_text(&row.phase)),
                ]),
                Line::from(vec![
                    Span::styled("elapsed  ", theme.dim),
                    Span::raw(fmt_secs(row.elapsed)),
                ]),
                Line::from(vec![
                    Span::styled("ARN      ", theme.dim),
                    Span::raw(row.arn.clone().unwrap_or_else(|| "—".into())),
                ]),
            ];
            if let Some(e) = row.error.and_then(|i| self.view.errors.get(i)) {
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    format!("✗ [{}] {}", e.category, e.message),
                    theme.error,
                ));
                if let Some(h) = &e.hint {
                    lines.push(Line::styled(format!("hint: {h}"), theme.warning));
                }
            }
            render_detail(
                &format!("{} {}", row.kind, row.name),
                lines,
                area,
                buf,
                theme,
            );
        }
    }

    fn render_overall(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let v = &self.view;
        let [gauge, line] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
        let verb = match v.kind {
            RunKind::Apply => "Apply",
            RunKind::Destroy => "Destroy",
        };
        let (state, style) = match v.phase {
            RunPhase::Running => (format!("{} running", view.spinner()), theme.accent),
            RunPhase::Cancelling => (format!("{} cancelling…", view.spinner()), theme.warning),
            RunPhase::Succeeded => ("✓ complete".into(), theme.ok),
            RunPhase::Failed => ("✗ finished with errors".into(), theme.error),
            RunPhase::Cancelled => ("■ cancelled".into(), theme.warning),
        };
        let eta = match (v.phase.is_running(), v.eta) {
            (true, Some(e)) => format!(" · ETA {}", fmt_secs(e)),
            _ => String::new(),
        };
        Gauge::default()
            .gauge_style(style)
            .ratio(v.ratio())
            .label(format!(
                "{verb} {}/{}{} · {}{eta}",
                v.done,
                v.total,
                v.apart(),
                fmt_secs(v.elapsed)
            ))
            .render(gauge, buf);
        let mut spans = vec![Span::styled(format!(" {state}"), style)];
        if !v.errors.is_empty() {
            spans.push(Span::styled(
                format!(
                    "  {} error(s): select a ✗ row, Enter for the hint",
                    v.errors.len()
                ),
                theme.error,
            ));
        }
        if let Some(s) = &v.summary {
            spans.push(Span::styled(format!("  {s}"), theme.dim));
        }
        Line::from(spans).render(line, buf);
    }

    fn render_panes(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let v = &self.view;
        if v.panes.is_empty() {
            Paragraph::new(Line::styled(
                format!("{} waiting for the first step…", view.spinner()),
                theme.dim,
            ))
            .render(area, buf);
            return;
        }
        // A pane is its title line (with the step's gauge) and one line per row. When they do
        // not all fit, the first panes scroll away so the selected row stays visible.
        let heights: Vec<usize> = v.panes.iter().map(|p| 1 + p.rows.len()).collect();
        let (sel_pane, sel_row) = v.row_ids().nth(self.selected).unwrap_or((0, 0));
        let avail = usize::from(area.height);
        let mut first = 0;
        while first < sel_pane && heights[first..=sel_pane].iter().sum::<usize>() > avail {
            first += 1;
        }
        let mut y = area.y;
        let bottom = area.y + area.height;
        let mut flat = v.panes[..first].iter().map(|p| p.rows.len()).sum::<usize>();
        for (pi, pane) in v.panes.iter().enumerate().skip(first) {
            if y >= bottom {
                break;
            }
            let title_area = Rect::new(area.x, y, area.width, 1);
            render_pane_title(pane, v.phase.is_running(), title_area, buf, view);
            y += 1;
            // Inside a pane taller than the screen, keep the selected row in view.
            let room = usize::from(bottom.saturating_sub(y));
            let skip = if pi == sel_pane && sel_row >= room {
                sel_row + 1 - room
            } else {
                0
            };
            for (ri, row) in pane.rows.iter().enumerate().skip(skip) {
                if y >= bottom {
                    break;
                }
                let selected = flat + ri == self.selected && self.focus == Focus::Panes;
                let err = row.error.and_then(|i| v.errors.get(i));
                render_row(
                    row,
                    v.phase.is_running(),
                    err.map(|e| e.category.as_str()),
                    selected,
                    Rect::new(area.x, y, area.width, 1),
                    buf,
                    view,
                );
                y += 1;
            }
            flat += pane.rows.len();
        }
    }

    fn render_log(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let v = &self.view;
        let hits = v.matches(&self.query);
        let mut title = vec![Span::styled(
            format!(" Event log ({}) ", v.log.len() + v.log_dropped),
            theme.title,
        )];
        if let Some(t) = &self.typing {
            title.push(Span::styled(format!(" /{t}▏ "), theme.accent));
        } else if !self.query.is_empty() {
            let at = if hits.is_empty() {
                "no match".to_string()
            } else {
                format!("{}/{}", self.hit % hits.len() + 1, hits.len())
            };
            title.push(Span::styled(
                format!(" /{} {at} ", self.query),
                theme.accent,
            ));
        }
        if self.log_top.is_none() {
            title.push(Span::styled(" following ", theme.dim));
        }
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(if self.focus == Focus::Log {
                theme.focused_border
            } else {
                theme.border
            })
            .title(Line::from(title));
        let inner = block.inner(area);
        block.render(area, buf);
        let h = usize::from(inner.height);
        let top = match self.log_top {
            Some(t) => t.min(v.log.len().saturating_sub(h)),
            None => v.log.len().saturating_sub(h),
        };
        let current = hits.get(self.hit % hits.len().max(1)).copied();
        let lines: Vec<Line> = v
            .log
            .iter()
            .enumerate()
            .skip(top)
            .take(h)
            .map(|(i, l)| {
                let style = if Some(i) == current {
                    theme.selected
                } else if hits.binary_search(&i).is_ok() {
                    theme.accent
                } else if l.error {
                    theme.error
                } else if l.warn {
                    theme.warning
                } else {
                    theme.text
                };
                Line::styled(crate::sanitize::escape(&l.text).into_owned(), style)
            })
            .collect();
        Paragraph::new(lines).render(inner, buf);
    }
}

fn render_pane_title(
    pane: &super::pipeline::StepPane,
    running: bool,
    area: Rect,
    buf: &mut Buffer,
    view: &View<'_>,
) {
    let theme = view.theme;
    let total = pane.expected.max(pane.rows.len());
    let (mark, style, tail) = match pane.state {
        PaneState::Waiting => ("·".to_string(), theme.dim, "waiting".to_string()),
        PaneState::Running if running => (view.spinner().to_string(), theme.accent, String::new()),
        PaneState::Running => ("■".to_string(), theme.warning, "stopped".to_string()),
        PaneState::Done {
            failed,
            skipped,
            elapsed,
            ..
        } => {
            let mut t = fmt_secs(elapsed);
            if failed > 0 {
                t.push_str(&format!(", {failed} failed"));
            }
            if skipped > 0 {
                t.push_str(&format!(", {skipped} skipped"));
            }
            if failed > 0 {
                ("✗".to_string(), theme.error, t)
            } else {
                ("✓".to_string(), theme.ok, t)
            }
        }
    };
    const BAR: usize = 16;
    let filled = (pane.ratio() * BAR as f64).round() as usize;
    let bar = format!(
        "{}{}",
        "━".repeat(filled),
        "─".repeat(BAR - filled.min(BAR))
    );
    Line::from(vec![
        Span::styled(format!("{mark} {:<18}", pane.step.title()), style),
        Span::styled(bar, style),
        Span::raw(format!(" {}/{total} ", pane.finished())),
        Span::styled(tail, theme.dim),
    ])
    .render(area, buf);
}

fn phase_text(p: &ResourcePhase) -> String {
    match p {
        ResourcePhase::Pending => "pending".into(),
        ResourcePhase::Calling(op) => format!("{op}…"),
        ResourcePhase::Waiting(s) => s.clone(),
        ResourcePhase::Ready => "ready".into(),
        ResourcePhase::Adopted => "adopted".into(),
        ResourcePhase::Unchanged => "unchanged".into(),
        ResourcePhase::Deleted => "deleted".into(),
        ResourcePhase::Failed => "failed".into(),
        ResourcePhase::Skipped(why) => format!("skipped: {why}"),
    }
}

fn render_row(
    row: &ResourceRow,
    running: bool,
    error_category: Option<&str>,
    selected: bool,
    area: Rect,
    buf: &mut Buffer,
    view: &View<'_>,
) {
    let theme = view.theme;
    let (mark, style) = match &row.phase {
        ResourcePhase::Pending => ("·", theme.dim),
        ResourcePhase::Calling(_) | ResourcePhase::Waiting(_) if running => {
            (view.spinner(), theme.accent)
        }
        // The run ended with this call unfinished: the state file says "creating", and the
        // next apply adopts it.
        ResourcePhase::Calling(_) | ResourcePhase::Waiting(_) => ("■", theme.warning),
        ResourcePhase::Ready | ResourcePhase::Adopted | ResourcePhase::Deleted => ("✓", theme.ok),
        ResourcePhase::Unchanged => ("=", theme.dim),
        ResourcePhase::Failed => ("✗", theme.error),
        ResourcePhase::Skipped(_) => ("-", theme.warning),
    };
    let mut state = phase_text(&row.phase);
    if let Some(c) = error_category {
        state = format!("{state} [{c}]");
    }
    let elapsed = if row.phase == ResourcePhase::Pending {
        String::new()
    } else {
        fmt_secs(row.elapsed)
    };
    let name = truncate(&label(row), 24);
    let state = truncate(&state, 22);
    let line = Line::from(vec![
        Span::styled(format!("  {mark} "), style),
        Span::raw(format!("{name:<24} ")),
        Span::styled(format!("{state:<22} "), style),
        Span::styled(format!("{elapsed:>7}  "), theme.dim),
        Span::styled(row.arn.clone().unwrap_or_default(), theme.dim),
    ]);
    let line = if selected {
        line.style(theme.selected)
    } else {
        line
    };
    line.render(area, buf);
}

/// The policy engine and the Cedar resource holding its policies share the engine's name: the
/// row says which is which before the name is cut.
fn label(row: &ResourceRow) -> String {
    match row.kind.as_str() {
        "policy_engine" => format!("engine {}", row.name),
        "cedar_policy" => format!("policies {}", row.name),
        _ => row.name.clone(),
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
