//! A runtime's health: its status, endpoints and versions, and the pack's gateway with each
//! target's status. Each part shows its own error (a denied list names the action and the
//! principal), so one missing permission hides nothing else. Read again every 10 s while open.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::Request;
use super::poll::Poll;
use crate::aws::Error;
use crate::monitor::health::Health;
use crate::tui::keymap::{Command, Context};
use crate::tui::screens::{Input, View};
use crate::tui::services::ServiceError;
use crate::tui::theme::Theme;
use crate::tui::widgets::visible;

/// Ticks (100 ms) between reads.
const REFRESH_TICKS: u32 = 100;

pub struct HealthState {
    pub runtime: String,
    pub health: Option<Health>,
    pub error: Option<ServiceError>,
    /// Rows scrolled down.
    pub scroll: u16,
    pub poll: Poll,
}

impl HealthState {
    pub fn new(runtime: String) -> Self {
        Self {
            runtime,
            health: None,
            poll: Poll::started(REFRESH_TICKS),
            error: None,
            scroll: 0,
        }
    }

    pub fn context(&self) -> Context {
        Context::Health
    }

    pub fn read(&mut self, result: Result<Health, ServiceError>) {
        self.poll.answered(result.as_ref().err());
        match result {
            Ok(h) => {
                self.error = None;
                self.health = Some(h);
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// True when a read is due.
    pub fn tick(&mut self) -> bool {
        self.poll.tick()
    }

    pub(super) fn handle(&mut self, input: Input<'_>) -> Request {
        match input {
            Input::Command(Command::Up) => self.scroll = self.scroll.saturating_sub(1),
            Input::Command(Command::Down) => self.scroll = self.scroll.saturating_add(1),
            Input::Scroll(d) => self.scroll = self.scroll.saturating_add_signed(d.into()),
            Input::Command(Command::Refresh) if self.poll.now() => return Request::ReadMonitor,
            Input::Command(Command::Back) => return Request::Back,
            Input::Command(Command::Quit) => return Request::Quit,
            _ => {}
        }
        Request::None
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [top, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
        let state = if self.poll.loading {
            format!("{} reading…", view.spinner())
        } else if self.error.is_some() && self.poll.countdown == 0 {
            "stopped (r retries)".to_string()
        } else {
            format!(
                "next read in {}s · times UTC",
                self.poll.countdown.div_ceil(10)
            )
        };
        let verdict = match &self.health {
            Some(h) if h.healthy() => Span::styled("✓ healthy", theme.ok),
            Some(_) => Span::styled("⚠ needs attention", theme.warning),
            None => Span::raw(""),
        };
        Paragraph::new(vec![
            visible::line(Line::from(vec![
                Span::styled(format!("runtime {}", self.runtime), theme.title),
                Span::raw("  "),
                verdict,
            ])),
            Line::styled(state, theme.accent),
        ])
        .render(top, buf);

        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.focused_border)
            .title(Span::styled(" Health ", theme.title));
        let inner = block.inner(body);
        block.render(body, buf);
        let mut lines: Vec<Line<'_>> = Vec::new();
        if let Some(e) = &self.error {
            lines.push(Line::styled(
                format!("✗ [{}] {}", e.category, e.message),
                theme.error,
            ));
            if let Some(h) = &e.hint {
                lines.push(Line::raw(format!("  {h}")));
            }
            lines.push(Line::styled("r reads again.", theme.dim));
        }
        if let Some(h) = &self.health {
            lines.extend(health_lines(h, theme));
        }
        Paragraph::new(visible::lines(lines))
            .wrap(Wrap { trim: false })
            .scroll((self.scroll, 0))
            .render(inner, buf);
    }
}

fn status_style(status: &str, theme: &Theme) -> Style {
    match status {
        "READY" => theme.ok,
        s if s.contains("FAIL") || s == "DELETING" => theme.error,
        _ => theme.warning,
    }
}

fn failed(e: &Error, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::styled(
        format!("  ✗ [{}] {}", e.category, e.message),
        theme.error,
    )];
    if let Some(h) = &e.hint {
        out.push(Line::raw(format!("    {h}")));
    }
    out
}

fn health_lines(h: &Health, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("Runtime", theme.title)];
    match &h.status {
        Ok(s) => {
            let mut row = vec![
                Span::raw("  status "),
                Span::styled(s.status.clone(), status_style(&s.status, theme)),
                Span::raw(format!(" · version {}", s.version)),
            ];
            if let Some(u) = &s.updated {
                row.push(Span::styled(format!(" · updated {u}"), theme.dim));
            }
            lines.push(Line::from(row));
            if let Some(r) = &s.failure_reason {
                lines.push(Line::styled(format!("  reason: {r}"), theme.error));
            }
        }
        Err(e) => lines.extend(failed(e, theme)),
    }
    lines.push(Line::styled("Endpoints", theme.title));
    match &h.endpoints {
        Ok(eps) if eps.is_empty() => lines.push(Line::styled("  none", theme.dim)),
        Ok(eps) => {
            for e in eps {
                lines.push(Line::from(vec![
                    Span::raw(format!("  {:<16} ", e.name)),
                    Span::styled(format!("{:<10}", e.status), status_style(&e.status, theme)),
                    Span::raw(format!(
                        " live {} · target {}",
                        e.live_version.as_deref().unwrap_or("-"),
                        e.target_version.as_deref().unwrap_or("-")
                    )),
                ]));
            }
        }
        Err(e) => lines.extend(failed(e, theme)),
    }
    lines.push(Line::styled(
        if h.more_versions {
            "Versions (newest first; older ones not read)"
        } else {
            "Versions (newest first)"
        },
        theme.title,
    ));
    match &h.versions {
        Ok(vs) => {
            for v in vs {
                lines.push(Line::from(vec![
                    Span::raw(format!("  {:<16} ", v.version)),
                    Span::styled(format!("{:<10}", v.status), status_style(&v.status, theme)),
                    Span::styled(format!(" {}", v.updated), theme.dim),
                ]));
            }
        }
        Err(e) => lines.extend(failed(e, theme)),
    }
    if h.gateways.is_empty() {
        lines.push(Line::styled("Gateway", theme.title));
        lines.push(Line::styled(
            "  none deployed (the pack has no tools)",
            theme.dim,
        ));
    }
    for g in &h.gateways {
        let mut head = vec![Span::styled(format!("Gateway {} ", g.name), theme.title)];
        match &g.status {
            Ok(s) => head.push(Span::styled(s.clone(), status_style(s, theme))),
            Err(_) => head.push(Span::styled("status unknown", theme.warning)),
        }
        lines.push(Line::from(head));
        if let Err(e) = &g.status {
            lines.extend(failed(e, theme));
        }
        match &g.targets {
            Ok(ts) if ts.is_empty() => lines.push(Line::styled("  no targets", theme.dim)),
            Ok(ts) => {
                for t in ts {
                    lines.push(Line::from(vec![
                        Span::raw(format!("  {:<24} ", t.name)),
                        Span::styled(format!("{:<10}", t.status), status_style(&t.status, theme)),
                        Span::styled(format!(" {}", t.id), theme.dim),
                    ]));
                }
            }
            Err(e) => lines.extend(failed(e, theme)),
        }
    }
    lines
}
