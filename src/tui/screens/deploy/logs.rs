//! A runtime's CloudWatch log lines, followed live: its own group and the pack's
//! (`observability.cloudwatch_log_group`), read with the monitor's tail (a cursor per group, so
//! a line is never shown twice) and backoff (quick while lines come, up to 5 s while none do),
//! over a time range chosen with `t`. Lines are kept in a bounded ring so a long tail holds
//! memory flat, with the matching lines indexed so a frame never scans the ring; filtered by
//! text and level as you type; `c` copies the selected line (sanitised) to the clipboard.

use std::collections::VecDeque;
use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::Request;
use crate::monitor::logs::{self, Backoff, Filter, Level, Tail};
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

/// The time ranges `t` steps through, and what the title calls them.
pub const RANGES: [(Duration, &str); 5] = [
    (Duration::from_secs(5 * 60), "5m"),
    (Duration::from_secs(15 * 60), "15m"),
    (Duration::from_secs(3600), "1h"),
    (Duration::from_secs(6 * 3600), "6h"),
    (Duration::from_secs(24 * 3600), "24h"),
];
const DEFAULT_RANGE: usize = 1;

pub struct LogsState {
    pub runtime: String,
    /// The groups read and each one's cursor; known after the first read.
    pub tail: Option<Tail>,
    pub lines: VecDeque<logs::Line>,
    /// Sequence numbers (see `pushed`) of the lines the filter keeps, oldest first.
    matched: VecDeque<u64>,
    /// Lines ever pushed; the ring's front is line `pushed - lines.len()`.
    pushed: u64,
    /// After a filter change, the lines below this sequence number are still to be looked at,
    /// newest first, a slice per key or tick: a frame never waits for the whole ring.
    scan: Option<u64>,
    pub filter: Filter,
    /// Index into [`RANGES`].
    pub range: usize,
    /// The text filter being typed (`/`); it filters as it is typed.
    pub typing: bool,
    /// No reads while paused.
    pub paused: bool,
    /// Lines scrolled up from the newest matching one; 0 follows new lines. The line at the
    /// offset is the selected one (`c` copies it).
    pub offset: usize,
    /// Characters of each message scrolled off to the left (long JSON lines).
    pub hscroll: usize,
    /// A read is in flight.
    pub loading: bool,
    /// Ticks left before the next read.
    pub countdown: u32,
    /// No group exists yet.
    pub no_group: bool,
    pub error: Option<ServiceError>,
    /// What the last key did that deserves a word (a copy), until the next key.
    pub notice: Option<String>,
    backoff: Backoff,
}

/// Lines a filter change looks at per key or tick (a few ms in a debug build).
const SCAN_SLICE: u64 = 10_000;

/// Lines a page key scrolls (update does not know the list's drawn height).
const PAGE: isize = 20;
/// Characters ← and → scroll.
const HSTEP: usize = 20;

impl LogsState {
    pub fn new(runtime: String) -> Self {
        Self {
            runtime,
            tail: None,
            lines: VecDeque::new(),
            matched: VecDeque::new(),
            pushed: 0,
            scan: None,
            filter: Filter::default(),
            range: DEFAULT_RANGE,
            typing: false,
            paused: false,
            offset: 0,
            hscroll: 0,
            loading: true,
            countdown: 0,
            no_group: false,
            error: None,
            notice: None,
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

    /// The next read: each group from its newest line shown, once the groups are known.
    pub fn query(&self) -> LogsQuery {
        LogsQuery {
            runtime: self.runtime.clone(),
            range: RANGES[self.range].0,
            reads: self.tail.as_ref().map(Tail::reads),
        }
    }

    pub fn read(&mut self, result: Result<LogsRead, ServiceError>) {
        self.loading = false;
        let got = match result {
            Ok(read) => {
                self.error = None;
                let tail = match (&mut self.tail, read.groups) {
                    (Some(t), _) => t,
                    (None, groups) => self
                        .tail
                        .insert(Tail::new(groups.unwrap_or_default(), read.start_ms)),
                };
                let fresh = tail.take(read.fetched);
                self.no_group = tail.all_missing();
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
        for l in fresh {
            if self.lines.len() == CAPACITY {
                self.lines.pop_front();
                let gone = self.pushed - CAPACITY as u64;
                if self.matched.front() == Some(&gone) {
                    self.matched.pop_front();
                }
            }
            if self.filter.keeps(&l) {
                self.matched.push_back(self.pushed);
                if self.offset > 0 {
                    self.offset += 1;
                }
            }
            self.lines.push_back(l);
            self.pushed += 1;
        }
        self.offset = self.offset.min(self.shown_count().saturating_sub(1));
    }

    /// The filter changed: index the matching lines again, newest first, so the lines on
    /// screen are found in the first slice and the rest follows on the next ticks.
    fn refilter(&mut self) {
        self.matched.clear();
        self.offset = 0;
        self.scan = Some(self.pushed);
        self.scan_slice();
    }

    /// Looks at up to [`SCAN_SLICE`] more lines of a filter change's scan.
    fn scan_slice(&mut self) {
        let Some(mut next) = self.scan else { return };
        let first = self.pushed - self.lines.len() as u64;
        let stop = next.saturating_sub(SCAN_SLICE).max(first);
        while next > stop {
            next -= 1;
            let i = usize::try_from(next - first).unwrap_or(usize::MAX);
            if self.lines.get(i).is_some_and(|l| self.filter.keeps(l)) {
                self.matched.push_front(next);
                if self.offset > 0 {
                    self.offset += 1;
                }
            }
        }
        self.scan = (next > first).then_some(next);
    }

    /// A filter change is still being applied to older lines.
    pub fn scanning(&self) -> bool {
        self.scan.is_some()
    }

    /// How much of the ring a filter change has looked at, in percent.
    fn scanned_pct(&self) -> u64 {
        match self.scan {
            Some(next) if !self.lines.is_empty() => {
                100 * (self.pushed - next) / self.lines.len() as u64
            }
            _ => 100,
        }
    }

    /// The `i`th matching line, oldest first.
    fn shown_at(&self, i: usize) -> Option<&logs::Line> {
        let first = self.pushed - self.lines.len() as u64;
        let seq = *self.matched.get(i)?;
        self.lines.get(usize::try_from(seq - first).ok()?)
    }

    /// The line `c` copies: the one at the scroll offset (the newest while following).
    pub fn selected(&self) -> Option<&logs::Line> {
        let n = self.shown_count();
        self.shown_at(n.checked_sub(1 + self.offset)?)
    }

    /// The time range's name, e.g. `15m`.
    pub fn range_name(&self) -> &'static str {
        RANGES[self.range].1
    }

    /// True when a read is due (the countdown ran out, nothing in flight, not paused, no error
    /// waiting for the user).
    pub fn tick(&mut self) -> bool {
        self.scan_slice();
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

    pub fn shown_count(&self) -> usize {
        self.matched.len()
    }

    fn scroll(&mut self, up: isize) {
        let max = self.shown_count().saturating_sub(1);
        self.offset = self.offset.saturating_add_signed(up).min(max);
    }

    fn set_text(&mut self, text: String) {
        let text = (!text.is_empty()).then_some(text);
        if text != self.filter.text {
            self.filter.text = text;
            self.refilter();
        }
    }

    /// The copied text: the line as the view shows it, with its date, control characters
    /// escaped.
    fn copy_text(&self, l: &logs::Line) -> String {
        let group = match &self.tail {
            Some(t) if t.sources.len() > 1 => format!("[{}] ", t.label_of(&l.group)),
            _ => String::new(),
        };
        let text = format!(
            "{} {} {group}{}",
            logs::time_text(l.timestamp),
            l.level.map_or("-", Level::as_str),
            l.message
        );
        crate::sanitize::escape(&text).into_owned()
    }

    /// A new time range: the ring starts again from that far back.
    fn next_range(&mut self) -> Request {
        self.range = (self.range + 1) % RANGES.len();
        self.tail = None;
        self.lines.clear();
        self.matched.clear();
        self.scan = None;
        self.offset = 0;
        self.error = None;
        self.no_group = false;
        self.backoff = Backoff::new();
        self.read_now()
    }

    pub(super) fn handle(&mut self, input: Input<'_>) -> Request {
        self.notice = None;
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
                    self.refilter();
                }
                Command::CycleRange => return self.next_range(),
                Command::Copy => {
                    let Some(text) = self.selected().map(|l| self.copy_text(l)) else {
                        self.notice = Some("nothing to copy yet".into());
                        return Request::None;
                    };
                    self.notice = Some(format!(
                        "✓ copied the line of {} to the clipboard ({} chars)",
                        text.get(11..23).unwrap_or_default(),
                        text.chars().count()
                    ));
                    return Request::Copy(text);
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
        let extra = self
            .tail
            .as_ref()
            .map_or(0, |t| t.sources.len().saturating_sub(1));
        let [top, list, filter_row] = Layout::vertical([
            Constraint::Length(2 + u16::try_from(extra).unwrap_or(0)),
            Constraint::Min(0),
            Constraint::Length(u16::from(self.typing)),
        ])
        .areas(area);
        let own = self
            .tail
            .as_ref()
            .and_then(|t| t.sources.first())
            .map_or("finding the log groups…", |s| s.group.as_str());
        let mut head = vec![visible::line(Line::from(vec![
            Span::styled(format!("runtime {}", self.runtime), theme.title),
            Span::styled(format!(" · {own}"), theme.dim),
        ]))];
        // The pack's group on a line of its own: two group names never fit one.
        head.extend(
            self.tail
                .iter()
                .flat_map(|t| t.sources.iter().skip(1))
                .map(|s| {
                    visible::line(Line::styled(
                        format!("and {} group {}", s.label, s.group),
                        theme.dim,
                    ))
                }),
        );
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
        if let Some(n) = &self.notice {
            facts = vec![Span::styled(n.clone(), theme.ok)];
        }
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
                format!(
                    " · {shown} of {total} lines{} · {}",
                    if self.scanning() {
                        format!(" (filtering… {}%)", self.scanned_pct())
                    } else {
                        String::new()
                    },
                    filters.join(" · ")
                )
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
        head.push(Line::from(facts));
        Paragraph::new(head).render(top, buf);

        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.focused_border)
            .title(Span::styled(
                format!(" Log lines · last {} (t changes) ", self.range_name()),
                theme.title,
            ));
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
            let why = if self.loading && self.tail.is_none() {
                String::new()
            } else if self.no_group {
                format!(
                    "The log group does not exist yet: {EMPTY_NOTE}. Send it a prompt with `agentcore-tui invoke`."
                )
            } else if self.lines.is_empty() {
                format!(
                    "No log lines in the last {}: {EMPTY_NOTE}. t widens the time range.",
                    self.range_name()
                )
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
        let labelled = self.tail.as_ref().filter(|t| t.sources.len() > 1);
        for (row, i) in (start..end).enumerate() {
            let Some(l) = self.shown_at(i) else { break };
            let time = logs::time_text(l.timestamp);
            let clock = time.get(11..23).unwrap_or(&time);
            let (level, style) = match l.level {
                Some(Level::Error) => ("ERROR", theme.error),
                Some(Level::Warn) => ("WARN", theme.warning),
                Some(lv) => (lv.as_str(), theme.ok),
                None => ("-", theme.dim),
            };
            let selected = i + 1 == end;
            let mut spans = vec![
                Span::styled(
                    format!("{}{clock} ", if selected { "›" } else { " " }),
                    if selected { theme.key } else { theme.dim },
                ),
                Span::styled(format!("{level:<5} "), style),
            ];
            if let Some(t) = labelled {
                spans.push(Span::styled(
                    format!("{:<7} ", t.label_of(&l.group)),
                    theme.dim,
                ));
            }
            spans.push(Span::raw(
                without_level(&l.message)
                    .chars()
                    .skip(self.hscroll)
                    .collect::<String>(),
            ));
            let line = visible::line(Line::from(spans));
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
