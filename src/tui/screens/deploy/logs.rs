//! A runtime's CloudWatch log lines, followed live: read with the monitor's cursor (a line is
//! never shown twice) and backoff (quick while lines come, up to 5 s while none do), kept in a
//! bounded ring so a long tail holds memory flat, and filtered by text and level as you type.

use std::collections::VecDeque;
use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::Request;
use crate::monitor::logs::{self, Backoff, Cursor, Filter, Level};
use crate::tui::keymap::{Command, Context};
use crate::tui::screens::{Input, View};
use crate::tui::services::{LogsQuery, LogsRead, ServiceError};
use crate::tui::widgets::visible;

/// Lines kept at most; the oldest go first.
pub const CAPACITY: usize = 100_000;

/// How often ticks arrive while the view is open (`tui::run_loop`).
const TICK: Duration = Duration::from_millis(100);

/// The advice AgentCore's delay calls for: an empty tail right after a deploy is normal.
pub const EMPTY_NOTE: &str = "logs can take a minute to appear after the runtime's first invoke";

pub struct LogsState {
    pub runtime: String,
    /// Known after the first read.
    pub group: Option<String>,
    pub lines: VecDeque<logs::Line>,
    pub filter: Filter,
    /// The text filter being typed (`/`); it filters as it is typed.
    pub typing: bool,
    /// No reads while paused.
    pub paused: bool,
    /// Lines scrolled up from the newest matching one; 0 follows new lines.
    pub offset: usize,
    /// Characters of each message scrolled off to the left (long JSON lines).
    pub hscroll: usize,
    /// A read is in flight.
    pub loading: bool,
    /// Ticks left before the next read.
    pub countdown: u32,
    /// The group does not exist yet.
    pub no_group: bool,
    pub error: Option<ServiceError>,
    cursor: Option<Cursor>,
    backoff: Backoff,
}

/// Lines a page key scrolls (update does not know the list's drawn height).
const PAGE: isize = 20;
/// Characters ← and → scroll.
const HSTEP: usize = 20;

impl LogsState {
    pub fn new(runtime: String) -> Self {
        Self {
            runtime,
            group: None,
            lines: VecDeque::new(),
            filter: Filter::default(),
            typing: false,
            paused: false,
            offset: 0,
            hscroll: 0,
            loading: true,
            countdown: 0,
            no_group: false,
            error: None,
            cursor: None,
            backoff: Backoff::new(),
        }
    }

    pub fn context(&self) -> Context {
        if self.typing {
            Context::LogFilter
        } else {
            Context::Logs
        }
    }

    /// The next read: from where the cursor is (the newest line shown) once there is one.
    pub fn query(&self) -> LogsQuery {
        LogsQuery {
            runtime: self.runtime.clone(),
            group: self.group.clone(),
            start_ms: self.cursor.as_ref().map(|c| c.newest),
        }
    }

    pub fn read(&mut self, result: Result<LogsRead, ServiceError>) {
        self.loading = false;
        let got = match result {
            Ok(read) => {
                self.error = None;
                self.group = Some(read.group);
                self.no_group = read.lines.is_none();
                let cursor = self
                    .cursor
                    .get_or_insert_with(|| Cursor::new(read.start_ms));
                let fresh = cursor.fresh(read.lines.unwrap_or_default());
                let got = !fresh.is_empty();
                self.push(fresh);
                got
            }
            Err(e) => {
                // A network blip is ridden out; anything else waits for the user (`r`).
                let transient = matches!(e.category.as_str(), "network" | "timeout");
                self.error = Some(e);
                if !transient {
                    self.countdown = 0;
                    return;
                }
                false
            }
        };
        let wait = self.backoff.after(got);
        self.countdown = u32::try_from(wait.as_millis() / TICK.as_millis()).unwrap_or(u32::MAX);
    }

    /// New lines go to the ring; a view scrolled up stays on the lines it shows.
    pub fn push(&mut self, fresh: Vec<logs::Line>) {
        if self.offset > 0 {
            self.offset += fresh.iter().filter(|l| self.filter.keeps(l)).count();
        }
        for l in fresh {
            if self.lines.len() == CAPACITY {
                self.lines.pop_front();
            }
            self.lines.push_back(l);
        }
        self.offset = self.offset.min(self.shown_count().saturating_sub(1));
    }

    /// True when a read is due (the countdown ran out, nothing in flight, not paused, no error
    /// waiting for the user).
    pub fn tick(&mut self) -> bool {
        if self.paused || self.loading || self.countdown == 0 {
            return false;
        }
        self.countdown -= 1;
        if self.countdown == 0 {
            self.loading = true;
            return true;
        }
        false
    }

    fn shown(&self) -> impl DoubleEndedIterator<Item = &logs::Line> {
        self.lines.iter().filter(|l| self.filter.keeps(l))
    }

    pub fn shown_count(&self) -> usize {
        self.shown().count()
    }

    fn scroll(&mut self, up: isize) {
        let max = self.shown_count().saturating_sub(1);
        self.offset = self.offset.saturating_add_signed(up).min(max);
    }

    fn set_text(&mut self, text: String) {
        self.filter.text = (!text.is_empty()).then_some(text);
        self.offset = 0;
    }

    pub(super) fn handle(&mut self, input: Input<'_>) -> Request {
        if self.typing {
            let mut text = self.filter.text.clone().unwrap_or_default();
            match input {
                Input::Command(Command::Submit) => self.typing = false,
                Input::Command(Command::Cancel) => {
                    self.typing = false;
                    text.clear();
                }
                Input::Key(k) => match k.code {
                    ratatui::crossterm::event::KeyCode::Char(c) => text.push(c),
                    ratatui::crossterm::event::KeyCode::Backspace => {
                        text.pop();
                    }
                    _ => {}
                },
                Input::Paste(s) => text.extend(s.chars().filter(|c| !c.is_control())),
                _ => {}
            }
            self.set_text(text);
            return Request::None;
        }
        match input {
            Input::Scroll(d) => self.scroll(-isize::from(d)),
            Input::Command(cmd) => match cmd {
                Command::Up => self.scroll(1),
                Command::Down => self.scroll(-1),
                Command::PageUp => self.scroll(PAGE),
                Command::PageDown => self.scroll(-PAGE),
                Command::ScrollLeft => self.hscroll = self.hscroll.saturating_sub(HSTEP),
                Command::ScrollRight => self.hscroll += HSTEP,
                Command::Top => self.scroll(isize::MAX),
                Command::Bottom => self.offset = 0,
                Command::Search => self.typing = true,
                Command::CycleLevel => {
                    self.filter.level = match self.filter.level {
                        None => Some(Level::Debug),
                        Some(Level::Trace | Level::Debug) => Some(Level::Info),
                        Some(Level::Info) => Some(Level::Warn),
                        Some(Level::Warn) => Some(Level::Error),
                        Some(Level::Error) => None,
                    };
                    self.offset = 0;
                }
                Command::Pause => {
                    self.paused = !self.paused;
                    if !self.paused && !self.loading {
                        return self.read_now();
                    }
                }
                Command::Refresh if !self.loading => return self.read_now(),
                Command::Back => return Request::Back,
                Command::Quit => return Request::Quit,
                _ => {}
            },
            _ => {}
        }
        Request::None
    }

    fn read_now(&mut self) -> Request {
        self.loading = true;
        self.paused = false;
        Request::ReadLogs
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [top, list, filter_row] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(0),
            Constraint::Length(u16::from(self.typing)),
        ])
        .areas(area);
        let group = self.group.as_deref().unwrap_or("finding the log group…");
        let head = visible::line(Line::from(vec![
            Span::styled(format!("runtime {}", self.runtime), theme.title),
            Span::styled(format!(" · {group}"), theme.dim),
        ]));
        let state = if self.paused {
            "paused (Space resumes)".to_string()
        } else if self.loading {
            format!("{} reading…", view.spinner())
        } else if self.error.is_some() && self.countdown == 0 {
            "stopped (r retries)".to_string()
        } else if self.offset > 0 {
            format!("scrolled up {} · G follows", self.offset)
        } else if self.hscroll > 0 {
            format!("following · scrolled right {} (← back)", self.hscroll)
        } else {
            format!(
                "following · next read in {:.1}s",
                f64::from(self.countdown) / 10.0
            )
        };
        let mut facts = vec![Span::styled(state, theme.accent)];
        let total = self.lines.len();
        let shown = self.shown_count();
        let mut filters = Vec::new();
        if let Some(l) = self.filter.level {
            filters.push(format!("level ≥ {}", l.as_str()));
        }
        if let Some(t) = &self.filter.text {
            filters.push(format!("text \"{}\"", crate::sanitize::escape(t)));
        }
        facts.push(Span::styled(
            if filters.is_empty() {
                format!(" · {total} lines · times UTC")
            } else {
                format!(" · {shown} of {total} lines · {}", filters.join(" · "))
            },
            theme.dim,
        ));
        if let Some(e) = &self.error {
            facts.push(Span::styled(
                format!(
                    "  ✗ [{}] {}",
                    e.category,
                    crate::sanitize::escape(&e.message)
                ),
                theme.error,
            ));
        }
        Paragraph::new(vec![head, Line::from(facts)]).render(top, buf);

        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.focused_border)
            .title(Span::styled(" Log lines ", theme.title));
        let inner = block.inner(list);
        block.render(list, buf);
        self.render_lines(inner, buf, view, shown);
        if self.typing {
            Line::from(vec![
                Span::styled("/ ", theme.key),
                Span::raw(crate::sanitize::escape(
                    self.filter.text.as_deref().unwrap_or_default(),
                )),
                Span::styled("▏", theme.accent),
            ])
            .render(filter_row, buf);
        }
    }

    fn render_lines(&self, inner: Rect, buf: &mut Buffer, view: &View<'_>, shown: usize) {
        let theme = view.theme;
        if shown == 0
            && let Some(e) = &self.error
        {
            // Nothing to show but the error: in full, with its fix.
            let mut why = vec![Line::styled(
                format!("✗ [{}] {}", e.category, crate::sanitize::escape(&e.message)),
                theme.error,
            )];
            if let Some(h) = &e.hint {
                why.push(Line::raw(format!("  {}", crate::sanitize::escape(h))));
            }
            why.push(Line::styled("r reads again.", theme.dim));
            Paragraph::new(why)
                .wrap(ratatui::widgets::Wrap { trim: false })
                .render(inner, buf);
            return;
        }
        if shown == 0 {
            let why = if self.loading && self.cursor.is_none() {
                String::new()
            } else if self.no_group {
                format!(
                    "The log group does not exist yet: {EMPTY_NOTE}. Send it a prompt with `agentcore-tui invoke`."
                )
            } else if self.lines.is_empty() {
                format!("No log lines in the last 10 minutes: {EMPTY_NOTE}.")
            } else {
                "No line matches the filter (Esc in / clears it, l changes the level).".into()
            };
            Paragraph::new(Line::styled(why, theme.dim))
                .wrap(ratatui::widgets::Wrap { trim: false })
                .render(inner, buf);
            return;
        }
        let h = usize::from(inner.height);
        let end = shown - self.offset.min(shown - 1);
        let start = end.saturating_sub(h);
        for (row, l) in self.shown().skip(start).take(end - start).enumerate() {
            let time = logs::time_text(l.timestamp);
            let clock = time.get(11..23).unwrap_or(&time);
            let (level, style) = match l.level {
                Some(Level::Error) => ("ERROR", theme.error),
                Some(Level::Warn) => ("WARN", theme.warning),
                Some(lv) => (lv.as_str(), theme.ok),
                None => ("-", theme.dim),
            };
            let line = visible::line(Line::from(vec![
                Span::styled(format!("{clock} "), theme.dim),
                Span::styled(format!("{level:<5} "), style),
                Span::raw(
                    without_level(&l.message)
                        .chars()
                        .skip(self.hscroll)
                        .collect::<String>(),
                ),
            ]));
            let y = inner.y + u16::try_from(row).unwrap_or(0);
            line.render(Rect::new(inner.x, y, inner.width, 1), buf);
        }
    }
}

/// The message after a leading level word (`INFO …`, `[WARN] …`), which the level column
/// already shows; JSON lines and lines stating no level are shown whole.
fn without_level(message: &str) -> &str {
    let t = message.trim_start();
    if t.starts_with('{') {
        return message;
    }
    let word = t.split_whitespace().next().unwrap_or_default();
    if Level::parse(word.trim_matches(|c: char| !c.is_ascii_alphabetic())).is_some() {
        t[word.len()..].trim_start()
    } else {
        message
    }
}
