//! The plan: what apply would do, grouped by pipeline step, each item with its reason, drift
//! called out, and a confirmation before anything changes. A state file with resources left
//! "creating" means an earlier apply was interrupted: the screen offers to resume it.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::{Request, destroy_body, type_confirm};
use crate::deploy::events::Step;
use crate::deploy::plan::Action as PlanAction;
use crate::tui::keymap::{Command, Context};
use crate::tui::screens::{Input, View};
use crate::tui::services::{PlannedDeploy, ServiceError};
use crate::tui::widgets::overlay;
use crate::tui::widgets::type_confirm::TypeConfirm;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Apply,
    /// An earlier apply was interrupted.
    Resume,
}

pub struct PlanState {
    pub loading: bool,
    pub planned: Option<Box<PlannedDeploy>>,
    pub error: Option<ServiceError>,
    pub scroll: usize,
    pub ask: Option<Ask>,
    pub destroy: Option<TypeConfirm>,
}

impl PlanState {
    pub fn loading() -> Self {
        Self {
            loading: true,
            planned: None,
            error: None,
            scroll: 0,
            ask: None,
            destroy: None,
        }
    }

    pub fn planned(&mut self, result: Result<Box<PlannedDeploy>, ServiceError>) {
        self.loading = false;
        match result {
            Ok(p) => {
                if !p.interrupted.is_empty() {
                    self.ask = Some(Ask::Resume);
                }
                self.planned = Some(p);
                self.error = None;
            }
            Err(e) => {
                self.planned = None;
                self.error = Some(e);
            }
        }
    }

    pub fn context(&self) -> Context {
        if self.destroy.is_some() {
            Context::TypeConfirm
        } else if self.ask.is_some() {
            Context::Confirm
        } else {
            Context::Plan
        }
    }

    pub(super) fn handle(&mut self, input: Input<'_>) -> Request {
        if self.destroy.is_some() {
            return type_confirm(&mut self.destroy, input);
        }
        if let Some(ask) = self.ask.take() {
            return match input {
                Input::Command(Command::Confirm) => Request::Apply,
                Input::Command(Command::Cancel) => Request::None,
                _ => {
                    self.ask = Some(ask);
                    Request::None
                }
            };
        }
        let Input::Command(cmd) = input else {
            if let Input::Scroll(d) = input {
                self.scroll_by(isize::from(d));
            }
            return Request::None;
        };
        match cmd {
            Command::Apply if self.planned.is_some() && !self.loading => {
                self.ask = Some(Ask::Apply);
            }
            Command::Up => self.scroll_by(-1),
            Command::Down => self.scroll_by(1),
            Command::PageUp => self.scroll_by(-10),
            Command::PageDown => self.scroll_by(10),
            Command::Refresh => return Request::Plan,
            Command::ShowStatus if self.planned.is_some() => return Request::Status,
            Command::Destroy => {
                if let Some(p) = &self.planned {
                    self.destroy = Some(TypeConfirm::new(p.pack_id.clone()));
                }
            }
            Command::Back => return Request::Back,
            Command::Quit => return Request::Quit,
            _ => {}
        }
        Request::None
    }

    fn scroll_by(&mut self, d: isize) {
        self.scroll = self.scroll.saturating_add_signed(d);
    }

    fn lines(&self, view: &View<'_>) -> Vec<Line<'static>> {
        let theme = view.theme;
        let mut out = Vec::new();
        if self.loading {
            out.push(Line::styled(
                format!(
                    "{} planning… (the recorded state is checked against AWS for drift)",
                    view.spinner()
                ),
                theme.dim,
            ));
            return out;
        }
        if let Some(e) = &self.error {
            out.push(Line::styled(
                format!("✗ [{}] {}", e.category, e.message),
                theme.error,
            ));
            if let Some(h) = &e.hint {
                out.push(Line::styled(format!("  hint: {h}"), theme.warning));
            }
            out.push(Line::styled(
                "r plans again; b goes back to the wizard",
                theme.dim,
            ));
            return out;
        }
        let Some(p) = &self.planned else {
            return out;
        };
        let r = &p.report;
        out.push(Line::styled(r.summary(), theme.title));
        out.push(Line::styled(
            format!(
                "pack {} · state {}{}",
                p.pack_id,
                p.state_file.display(),
                if r.verified {
                    ""
                } else {
                    " (not checked against AWS)"
                }
            ),
            theme.dim,
        ));
        if !r.drift.is_empty() {
            out.push(Line::raw(""));
            out.push(Line::styled(
                format!("Drift ({})", r.drift.len()),
                theme.warning,
            ));
            for d in &r.drift {
                out.push(Line::from(vec![
                    Span::styled("  ! drift    ", theme.warning),
                    Span::raw(format!("{} {}", d.kind, d.name)),
                    Span::styled(format!("  {}", d.reason), theme.dim),
                ]));
            }
        }
        let groups = Step::ALL
            .iter()
            .map(|s| (s.title(), Some(*s)))
            .chain(std::iter::once(("Removed from the pack", None)));
        for (title, step) in groups {
            let items: Vec<_> = r.items.iter().filter(|i| i.step == step).collect();
            if items.is_empty() {
                continue;
            }
            out.push(Line::raw(""));
            out.push(Line::styled(title.to_string(), theme.accent));
            for i in items {
                let drifted = r.drift.iter().any(|d| d.kind == i.kind && d.name == i.name);
                let (mark, style) = match i.action {
                    PlanAction::Create => ("+ create   ", theme.ok),
                    PlanAction::Update => ("~ update   ", theme.warning),
                    PlanAction::Delete => ("- delete   ", theme.error),
                    PlanAction::Unchanged => ("= unchanged", theme.dim),
                };
                let mut spans = vec![
                    Span::styled(format!("  {mark} "), style),
                    Span::raw(format!("{} {}", i.kind, i.name)),
                ];
                if drifted {
                    spans.push(Span::styled(" (drift)", theme.warning));
                }
                spans.push(Span::styled(format!("  {}", i.reason), theme.dim));
                out.push(Line::from(spans));
            }
        }
        out
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, view: &View<'_>) {
        let theme = view.theme;
        let lines = self.lines(view);
        let [body] = Layout::vertical([Constraint::Min(0)]).areas(area);
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.focused_border)
            .title(Span::styled(" Plan ", theme.title));
        let inner = block.inner(body);
        let inner_h = usize::from(inner.height);
        let max_scroll = lines.len().saturating_sub(inner_h);
        let mut scroll = self.scroll.min(max_scroll);
        // A plan of hundreds of resources: the lines scrolled past that take one row each are
        // dropped here instead of being wrapped and thrown away by the paragraph on every
        // frame, and lines past the bottom of the view are never wrapped (each takes a row at
        // least). What is drawn is the same.
        let skip = lines
            .iter()
            .take(scroll)
            .take_while(|l| l.width() < usize::from(inner.width))
            .count();
        scroll -= skip;
        let lines: Vec<Line<'static>> = lines
            .into_iter()
            .skip(skip)
            .take(scroll + inner_h)
            .collect();
        let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .render(body, buf);
        if let Some(t) = &self.destroy {
            t.render(&destroy_body(&t.expected), area, buf, theme);
        }
        match (self.ask, &self.planned) {
            (Some(Ask::Apply), Some(p)) => {
                let r = &p.report;
                let mut body = vec![format!(
                    "{} to create, {} to update, {} to delete, {} unchanged",
                    r.count(PlanAction::Create),
                    r.count(PlanAction::Update),
                    r.count(PlanAction::Delete),
                    r.count(PlanAction::Unchanged)
                )];
                if !r.drift.is_empty() {
                    body.push(format!(
                        "{} drifted resource(s) will be created again",
                        r.drift.len()
                    ));
                }
                body.push(format!("account {} · region {}", p.account, p.region));
                overlay::render_confirm("Apply?", &body, area, buf, theme);
            }
            (Some(Ask::Resume), Some(p)) => {
                let mut body = vec!["A previous apply was interrupted while creating:".to_string()];
                body.extend(p.interrupted.iter().take(5).map(|r| format!("  {r}")));
                if p.interrupted.len() > 5 {
                    body.push(format!("  … and {} more", p.interrupted.len() - 5));
                }
                body.push("Resume it? Existing resources are adopted, never duplicated.".into());
                overlay::render_confirm("Resume?", &body, area, buf, theme);
            }
            _ => {}
        }
    }
}
