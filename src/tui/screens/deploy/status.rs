//! Every deployed resource with the state AWS reports and its health, refreshed on an interval
//! (shown, and paused with Space). An ARN can be copied (OSC 52); Enter opens an agent runtime's
//! logs (`i` its prompt), or shows any other resource's detail.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::{Request, destroy_body, render_detail, type_confirm};
use crate::deploy::status::{Health, ResourceStatus, StatusReport};
use crate::tui::keymap::{Command, Context};
use crate::tui::screens::{Input, View};
use crate::tui::services::ServiceError;
use crate::tui::widgets::type_confirm::TypeConfirm;

/// Ticks arrive every 100 ms while the screen animates.
pub const TICKS_PER_SECOND: u32 = 10;
pub const REFRESH_SECONDS: u32 = 5;

pub struct StatusState {
    pub pack_id: String,
    pub report: Option<Box<StatusReport>>,
    pub error: Option<ServiceError>,
    pub loading: bool,
    pub paused: bool,
    /// Ticks left before the next refresh.
    pub countdown: u32,
    pub selected: usize,
    pub detail: bool,
    pub destroy: Option<TypeConfirm>,
    /// Shown once after a copy, until the next key.
    pub copied: bool,
}

impl StatusState {
    pub fn new(pack_id: String) -> Self {
        Self {
            pack_id,
            report: None,
            error: None,
            loading: true,
            paused: false,
            countdown: REFRESH_SECONDS * TICKS_PER_SECOND,
            selected: 0,
            detail: false,
            destroy: None,
            copied: false,
        }
    }

    pub fn loaded(&mut self, result: Result<Box<StatusReport>, ServiceError>) {
        self.loading = false;
        self.countdown = REFRESH_SECONDS * TICKS_PER_SECOND;
        match result {
            Ok(r) => {
                if self.pack_id.is_empty() {
                    self.pack_id.clone_from(&r.pack_id);
                }
                self.selected = self.selected.min(r.resources.len().saturating_sub(1));
                self.report = Some(r);
                self.error = None;
            }
            // The last good report stays on screen; the error says why it is not fresher.
            Err(e) => self.error = Some(e),
        }
    }

    /// True when a refresh is due.
    pub fn tick(&mut self) -> bool {
        if self.paused || self.loading {
            return false;
        }
        self.countdown = self.countdown.saturating_sub(1);
        self.countdown == 0
    }

    pub fn context(&self) -> Context {
        if self.destroy.is_some() {
            Context::TypeConfirm
        } else if self.detail {
            Context::Detail
        } else {
            Context::Status
        }
    }

    fn selected_resource(&self) -> Option<&ResourceStatus> {
        self.report.as_ref()?.resources.get(self.selected)
    }

    pub(super) fn handle(&mut self, input: Input<'_>) -> Request {
        self.copied = false;
        if self.destroy.is_some() {
            return type_confirm(&mut self.destroy, input);
        }
        let copy = |s: &Self| {
            s.selected_resource()
                .and_then(|r| r.arn.clone())
                .map_or(Request::None, Request::Copy)
        };
        if self.detail {
            return match input {
                Input::Command(Command::Copy) => {
                    self.copied = true;
                    copy(self)
                }
                Input::Command(Command::Cancel) => {
                    self.detail = false;
                    Request::None
                }
                _ => Request::None,
            };
        }
        let n = self.report.as_ref().map_or(0, |r| r.resources.len());
        let mut move_by = |d: isize| {
            self.selected = self
                .selected
                .saturating_add_signed(d)
                .min(n.saturating_sub(1));
        };
        match input {
            Input::Scroll(d) => move_by(isize::from(d)),
            Input::Command(cmd) => match cmd {
                Command::Up => move_by(-1),
                Command::Down => move_by(1),
                Command::Select => match self.selected_resource() {
                    Some(r) if r.kind == "agent_runtime" => {
                        return Request::Logs(r.name.clone());
                    }
                    Some(_) => self.detail = true,
                    None => {}
                },
                Command::OpenInvoke => {
                    if let Some(r) = self.selected_resource()
                        && r.kind == "agent_runtime"
                    {
                        return Request::OpenInvoke(r.name.clone());
                    }
                }
                Command::OpenEvaluations | Command::OpenHealth => {
                    if let Some(r) = self.selected_resource()
                        && r.kind == "agent_runtime"
                    {
                        let view = if cmd == Command::OpenHealth {
                            super::MonitorView::Health
                        } else {
                            super::MonitorView::Evaluations
                        };
                        return Request::OpenMonitor(view, r.name.clone());
                    }
                }
                Command::Pause => self.paused = !self.paused,
                Command::Refresh if !self.loading => return Request::RefreshStatus,
                Command::Copy => {
                    let r = copy(self);
                    self.copied = r != Request::None;
                    return r;
                }
                Command::Destroy if !self.pack_id.is_empty() => {
                    self.destroy = Some(TypeConfirm::new(self.pack_id.clone()));
                }
                Command::Back => return Request::Back,
                Command::Quit => return Request::Quit,
                _ => {}
            },
            _ => {}
        }
        Request::None
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let [top, table] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
        let refresh = if self.loading {
            format!("{} refreshing…", view.spinner())
        } else if self.paused {
            format!("auto-refresh every {REFRESH_SECONDS}s · paused (Space resumes)")
        } else {
            format!(
                "auto-refresh every {REFRESH_SECONDS}s · next in {}s",
                self.countdown.div_ceil(TICKS_PER_SECOND)
            )
        };
        let summary = self
            .report
            .as_ref()
            .map_or_else(|| "Status: checking…".to_string(), |r| r.summary());
        let mut second = vec![Span::styled(refresh, theme.dim)];
        if let Some(e) = &self.error {
            second.push(Span::styled(
                format!(
                    "  ✗ [{}] {}",
                    e.category,
                    crate::sanitize::escape(&e.message)
                ),
                theme.error,
            ));
        }
        if self.copied {
            second.push(Span::styled(
                "  ARN sent to the terminal clipboard (OSC 52)",
                theme.ok,
            ));
        }
        Paragraph::new(vec![
            Line::styled(format!("{summary} · pack {}", self.pack_id), theme.title),
            Line::from(second),
        ])
        .render(top, buf);
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.focused_border)
            .title(Span::styled(" Deployed resources ", theme.title));
        let inner = block.inner(table);
        block.render(table, buf);
        self.render_rows(inner, buf, view);
        self.render_overlays(area, buf, view);
    }

    fn render_rows(&self, inner: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let Some(r) = &self.report else { return };
        if r.resources.is_empty() {
            Line::styled("nothing is recorded as deployed", theme.dim).render(inner, buf);
            return;
        }
        let h = usize::from(inner.height);
        let skip = (self.selected + 1).saturating_sub(h);
        for (i, res) in r.resources.iter().enumerate().skip(skip).take(h) {
            let (mark, style, word) = match res.health {
                Health::Healthy => ("●", theme.ok, "healthy"),
                Health::Unhealthy => ("▲", theme.warning, "unhealthy"),
                Health::Missing => ("✗", theme.error, "missing"),
            };
            let y = inner.y + u16::try_from(i - skip).unwrap_or(0);
            let mut line = Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::raw(format!("{:<18} {:<24} ", res.kind, res.name)),
                Span::styled(
                    format!("{:<14} ", res.state.as_deref().unwrap_or("—")),
                    style,
                ),
                Span::styled(format!("{word:<10} "), style),
                Span::styled(res.arn.clone().unwrap_or_default(), theme.dim),
            ]);
            if i == self.selected {
                line = line.style(theme.selected);
            }
            line.render(Rect::new(inner.x, y, inner.width, 1), buf);
        }
    }

    fn render_overlays(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        if let Some(t) = &self.destroy {
            t.render(&destroy_body(&t.expected), area, buf, theme);
        }
        if self.detail
            && let Some(res) = self.selected_resource()
        {
            let mut lines = vec![
                Line::from(vec![
                    Span::styled("health   ", theme.dim),
                    Span::raw(format!("{:?}", res.health).to_lowercase()),
                ]),
                Line::from(vec![
                    Span::styled("state    ", theme.dim),
                    Span::raw(res.state.clone().unwrap_or_else(|| "—".into())),
                ]),
                Line::from(vec![
                    Span::styled("ARN      ", theme.dim),
                    Span::raw(res.arn.clone().unwrap_or_else(|| "—".into())),
                ]),
            ];
            if let Some(d) = &res.detail {
                lines.push(Line::styled(d.clone(), theme.warning));
            }
            render_detail(
                &format!("{} {}", res.kind, res.name),
                lines,
                area,
                buf,
                theme,
            );
        }
    }
}
