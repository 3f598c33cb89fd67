//! The deploy screens: plan, run (its model in `pipeline`), status, a runtime's logs and
//! prompts, and the flow between them.
//!
//! After the wizard: Plan → Apply → Status (→ the monitor of a runtime: Logs, Invoke,
//! Evaluations, Health), and Destroy. [`DeployFlow`] owns which of these
//! screens is shown (or the wizard, whose state lives in the app untouched, so going back
//! never loses an answer) and the generation slots, which outlive the screens: a plan, run or
//! status answer issued before a screen was left and re-entered is recognised as stale.

pub mod evaluations;
pub mod health;
pub mod invoke;
pub mod logs;
pub mod pipeline;
pub mod plan;
pub mod poll;
pub mod run;
pub mod status;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::{Input, View};
use crate::tui::effect::Effect;
use crate::tui::keymap::{Command, Context};
use crate::tui::msg::deploy::{DeployMsg, DeployOutcome};
use crate::tui::persist::Answers;
use crate::tui::services::RunKind;
use crate::tui::slot::Slot;
use crate::tui::theme::Theme;
use crate::tui::widgets::key_hints;
use crate::tui::widgets::type_confirm::TypeConfirm;

pub use evaluations::EvaluationsState;
pub use health::HealthState;
pub use invoke::InvokeState;
pub use logs::LogsState;
pub use plan::PlanState;
pub use run::RunState;
pub use status::StatusState;

pub enum Screen {
    Wizard,
    Plan(PlanState),
    Run(RunState),
    Status(StatusState),
    /// A runtime's log lines, opened from Status (kept aside in the flow to go back to).
    Logs(Box<LogsState>),
    /// Prompts sent to a runtime, opened from Status like Logs.
    Invoke(Box<InvokeState>),
    /// A runtime's online evaluation results, opened from Status or another monitor view.
    Evaluations(Box<EvaluationsState>),
    /// A runtime's status, versions, endpoints and gateway targets, opened likewise.
    Health(Box<HealthState>),
}

/// The views of the monitor of one runtime, in the order Tab goes through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorView {
    Logs,
    Invoke,
    Evaluations,
    Health,
}

impl MonitorView {
    pub fn next(self) -> MonitorView {
        match self {
            MonitorView::Logs => MonitorView::Invoke,
            MonitorView::Invoke => MonitorView::Evaluations,
            MonitorView::Evaluations => MonitorView::Health,
            MonitorView::Health => MonitorView::Logs,
        }
    }
}

/// How often the app ticks while something animates (`tui::run_loop`).
const TICK: std::time::Duration = std::time::Duration::from_millis(100);

/// What the app must do after a deploy screen handled an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Handled,
    /// Ask whether to quit (the app's own question).
    Quit,
}

#[derive(Default)]
struct Slots {
    plan: Slot,
    run: Slot,
    status: Slot,
    logs: Slot,
    invoke: Slot,
    evaluations: Slot,
    health: Slot,
}

pub struct DeployFlow {
    pub screen: Screen,
    slots: Slots,
    /// The Status screen while its Logs or Invoke view is open.
    status_behind: Option<StatusState>,
}

impl Default for DeployFlow {
    fn default() -> Self {
        Self {
            screen: Screen::Wizard,
            slots: Slots::default(),
            status_behind: None,
        }
    }
}

impl DeployFlow {
    pub fn is_wizard(&self) -> bool {
        matches!(self.screen, Screen::Wizard)
    }

    pub fn context(&self) -> Context {
        match &self.screen {
            Screen::Wizard => Context::Global,
            Screen::Plan(p) => p.context(),
            Screen::Run(r) => r.context(),
            Screen::Status(s) => s.context(),
            Screen::Logs(l) => l.context(),
            Screen::Invoke(i) => i.context(),
            Screen::Evaluations(e) => e.context(),
            Screen::Health(h) => h.context(),
        }
    }

    pub fn title(&self) -> &'static str {
        match &self.screen {
            Screen::Wizard => "Wizard",
            Screen::Plan(_) => "Plan",
            Screen::Run(r) if r.view.kind == RunKind::Destroy => "Destroy",
            Screen::Run(_) => "Apply",
            Screen::Status(_) => "Status",
            Screen::Logs(_) => "Logs",
            Screen::Invoke(_) => "Invoke",
            Screen::Evaluations(_) => "Evaluations",
            Screen::Health(_) => "Health",
        }
    }

    /// A spinner turns (or the status auto-refresh counts down).
    pub fn animating(&self) -> bool {
        match &self.screen {
            Screen::Wizard => false,
            Screen::Plan(p) => p.loading,
            Screen::Run(r) => r.view.phase.is_running(),
            Screen::Status(s) => s.loading || !s.paused,
            // Ticks pace its reads and a filter change's scan; closing the view stops them.
            Screen::Logs(l) => !l.paused || l.scanning(),
            Screen::Invoke(i) => i.sending(),
            // Ticks count down to the next read.
            Screen::Evaluations(_) | Screen::Health(_) => true,
        }
    }

    /// From the review step: plan what the answers describe.
    pub fn open_plan(&mut self, answers: &Answers) -> Vec<Effect> {
        let generation = self.slots.plan.issue();
        self.screen = Screen::Plan(PlanState::loading());
        vec![Effect::Plan {
            generation,
            answers: Box::new(answers.clone()),
        }]
    }

    fn open_status(&mut self, answers: &Answers, pack_id: String) -> Vec<Effect> {
        let generation = self.slots.status.issue();
        self.screen = Screen::Status(StatusState::new(pack_id));
        vec![Effect::FetchStatus {
            generation,
            answers: Box::new(answers.clone()),
        }]
    }

    /// The runtime and view of the monitor view shown, if one is.
    fn monitor(&self) -> Option<(MonitorView, &str)> {
        match &self.screen {
            Screen::Logs(l) => Some((MonitorView::Logs, &l.runtime)),
            Screen::Invoke(i) => Some((MonitorView::Invoke, &i.runtime)),
            Screen::Evaluations(e) => Some((MonitorView::Evaluations, &e.runtime)),
            Screen::Health(h) => Some((MonitorView::Health, &h.runtime)),
            _ => None,
        }
    }

    /// Shows `view` of `runtime`, from Status (kept aside) or from another monitor view (left:
    /// its reads stop, its late answers are dropped).
    fn open_monitor(
        &mut self,
        view: MonitorView,
        runtime: String,
        answers: &Answers,
    ) -> Vec<Effect> {
        self.slots.logs.cancel();
        self.slots.invoke.cancel();
        self.slots.evaluations.cancel();
        self.slots.health.cancel();
        match view {
            MonitorView::Logs => self.open_logs(runtime, answers),
            MonitorView::Invoke => {
                self.park_status(Screen::Invoke(Box::new(InvokeState::new(runtime))));
                Vec::new()
            }
            MonitorView::Evaluations => {
                self.park_status(Screen::Evaluations(Box::new(EvaluationsState::new(
                    runtime.clone(),
                ))));
                vec![self.read_evaluations(runtime, answers)]
            }
            MonitorView::Health => {
                self.park_status(Screen::Health(Box::new(HealthState::new(runtime.clone()))));
                vec![self.read_health(runtime, answers)]
            }
        }
    }

    fn read_evaluations(&mut self, runtime: String, answers: &Answers) -> Effect {
        Effect::FetchEvaluations {
            generation: self.slots.evaluations.issue(),
            answers: Box::new(answers.clone()),
            runtime,
        }
    }

    fn read_health(&mut self, runtime: String, answers: &Answers) -> Effect {
        Effect::FetchHealth {
            generation: self.slots.health.issue(),
            answers: Box::new(answers.clone()),
            runtime,
        }
    }

    fn open_logs(&mut self, runtime: String, answers: &Answers) -> Vec<Effect> {
        let logs = LogsState::new(runtime);
        let query = logs.query();
        self.park_status(Screen::Logs(Box::new(logs)));
        vec![Effect::FetchLogs {
            generation: self.slots.logs.issue(),
            answers: Box::new(answers.clone()),
            query,
        }]
    }

    /// Shows `monitor` with the Status screen kept aside to go back to.
    fn park_status(&mut self, monitor: Screen) {
        if let Screen::Status(s) = std::mem::replace(&mut self.screen, monitor) {
            self.status_behind = Some(s);
        }
    }

    /// Back to Status, refreshed: its own refresh may have been answered (and dropped) while
    /// the monitor view was open.
    fn back_to_status(&mut self, answers: &Answers) -> Vec<Effect> {
        self.slots.logs.cancel();
        self.slots.invoke.cancel();
        self.slots.evaluations.cancel();
        self.slots.health.cancel();
        let mut status = self
            .status_behind
            .take()
            .unwrap_or_else(|| StatusState::new(String::new()));
        status.loading = true;
        self.screen = Screen::Status(status);
        vec![Effect::FetchStatus {
            generation: self.slots.status.issue(),
            answers: Box::new(answers.clone()),
        }]
    }

    fn start_run(&mut self, kind: RunKind, answers: &Answers) -> Vec<Effect> {
        let run = self.slots.run.issue();
        let (view, pack_id) = match (&self.screen, kind) {
            (Screen::Plan(p), RunKind::Apply) => match &p.planned {
                Some(planned) => (
                    pipeline::PipelineView::from_plan(&planned.report),
                    planned.pack_id.clone(),
                ),
                None => return Vec::new(),
            },
            (screen, _) => (pipeline::PipelineView::new(kind), pack_id_of(screen)),
        };
        self.screen = Screen::Run(RunState::new(run, view, pack_id));
        vec![Effect::StartRun {
            run,
            kind,
            answers: Box::new(answers.clone()),
        }]
    }

    pub fn handle(
        &mut self,
        input: Input<'_>,
        answers: &Answers,
        effects: &mut Vec<Effect>,
    ) -> Flow {
        // Switching between the monitor's views is the flow's, so each view knows only itself.
        if let (Some((shown, runtime)), Input::Command(cmd)) = (self.monitor(), &input) {
            let to = match cmd {
                Command::NextView => Some(shown.next()),
                Command::OpenLogs => Some(MonitorView::Logs),
                Command::OpenInvoke => Some(MonitorView::Invoke),
                Command::OpenEvaluations => Some(MonitorView::Evaluations),
                Command::OpenHealth => Some(MonitorView::Health),
                _ => None,
            };
            if let Some(to) = to.filter(|to| *to != shown) {
                let runtime = runtime.to_owned();
                effects.extend(self.open_monitor(to, runtime, answers));
                return Flow::Handled;
            }
        }
        let request = match &mut self.screen {
            Screen::Wizard => return Flow::Handled,
            Screen::Plan(p) => p.handle(input),
            Screen::Run(r) => r.handle(input),
            Screen::Status(s) => s.handle(input),
            Screen::Logs(l) => l.handle(input),
            Screen::Invoke(i) => i.handle(input),
            Screen::Evaluations(e) => e.handle(input),
            Screen::Health(h) => h.handle(input),
        };
        match request {
            Request::None => {}
            Request::Quit => return Flow::Quit,
            Request::Back if self.monitor().is_some() => {
                effects.extend(self.back_to_status(answers));
            }
            Request::OpenInvoke(runtime) => {
                self.park_status(Screen::Invoke(Box::new(InvokeState::new(runtime))));
            }
            Request::Invoke { prompt, session } => {
                if let Screen::Invoke(i) = &self.screen {
                    effects.push(Effect::Invoke {
                        generation: self.slots.invoke.issue(),
                        answers: Box::new(answers.clone()),
                        runtime: i.runtime.clone(),
                        prompt,
                        session,
                    });
                }
            }
            Request::Back => self.screen = Screen::Wizard,
            Request::Logs(runtime) => effects.extend(self.open_logs(runtime, answers)),
            Request::OpenMonitor(view, runtime) => {
                effects.extend(self.open_monitor(view, runtime, answers));
            }
            Request::ReadMonitor => match &self.screen {
                Screen::Evaluations(e) => {
                    let runtime = e.runtime.clone();
                    effects.push(self.read_evaluations(runtime, answers));
                }
                Screen::Health(h) => {
                    let runtime = h.runtime.clone();
                    effects.push(self.read_health(runtime, answers));
                }
                _ => {}
            },
            Request::ReadLogs => {
                if let Screen::Logs(l) = &self.screen {
                    effects.push(Effect::FetchLogs {
                        generation: self.slots.logs.issue(),
                        answers: Box::new(answers.clone()),
                        query: l.query(),
                    });
                }
            }
            Request::Plan => effects.extend(self.open_plan(answers)),
            Request::Apply => effects.extend(self.start_run(RunKind::Apply, answers)),
            Request::Destroy => effects.extend(self.start_run(RunKind::Destroy, answers)),
            Request::Status => {
                let id = pack_id_of(&self.screen);
                effects.extend(self.open_status(answers, id));
            }
            Request::RefreshStatus => {
                if let Screen::Status(s) = &mut self.screen {
                    s.loading = true;
                    effects.push(Effect::FetchStatus {
                        generation: self.slots.status.issue(),
                        answers: Box::new(answers.clone()),
                    });
                }
            }
            Request::Cancel => {
                if let Screen::Run(r) = &self.screen
                    && self.slots.run.is_current(r.run)
                {
                    effects.push(Effect::CancelRun { run: r.run });
                }
            }
            Request::Copy(text) => effects.push(Effect::CopyToClipboard(text)),
        }
        Flow::Handled
    }

    /// A result of a plan, run or status request; stale ones change nothing (false).
    pub fn deploy(&mut self, msg: DeployMsg) -> bool {
        let g = msg.generation;
        match (msg.outcome, &mut self.screen) {
            (DeployOutcome::Planned(r), Screen::Plan(p)) if self.slots.plan.accept(g) => {
                p.planned(r);
                true
            }
            (DeployOutcome::Event(e), Screen::Run(r)) if self.slots.run.is_current(g) => {
                r.view.apply(&e);
                true
            }
            (DeployOutcome::Finished(res), Screen::Run(r)) if self.slots.run.accept(g) => {
                r.view.finish(res);
                true
            }
            (DeployOutcome::Finished(_), _) if self.slots.run.accept(g) => true,
            (DeployOutcome::Status(res), Screen::Status(s)) if self.slots.status.accept(g) => {
                s.loaded(res);
                true
            }
            (DeployOutcome::Logs(res), Screen::Logs(l)) if self.slots.logs.accept(g) => {
                l.read(res);
                true
            }
            (DeployOutcome::InvokeText(t), Screen::Invoke(i))
                if self.slots.invoke.is_current(g) =>
            {
                i.streamed(&t);
                true
            }
            (DeployOutcome::Invoked(res), Screen::Invoke(i)) if self.slots.invoke.accept(g) => {
                i.answered(res);
                true
            }
            (DeployOutcome::Evaluations(res), Screen::Evaluations(e))
                if self.slots.evaluations.accept(g) =>
            {
                e.read(res.map(|r| *r));
                true
            }
            (DeployOutcome::Health(res), Screen::Health(h)) if self.slots.health.accept(g) => {
                h.read(res.map(|r| *r));
                true
            }
            _ => false,
        }
    }

    /// Every tick: the status screen counts down to its next refresh.
    pub fn tick(&mut self, answers: &Answers) -> Vec<Effect> {
        if let Screen::Run(r) = &mut self.screen {
            r.view.tick(TICK);
        }
        if let Screen::Logs(l) = &mut self.screen
            && l.tick()
        {
            return vec![Effect::FetchLogs {
                generation: self.slots.logs.issue(),
                answers: Box::new(answers.clone()),
                query: l.query(),
            }];
        }
        let due = match &mut self.screen {
            Screen::Evaluations(e) => e
                .tick()
                .then(|| (MonitorView::Evaluations, e.runtime.clone())),
            Screen::Health(h) => h.tick().then(|| (MonitorView::Health, h.runtime.clone())),
            _ => None,
        };
        match due {
            Some((MonitorView::Evaluations, runtime)) => {
                return vec![self.read_evaluations(runtime, answers)];
            }
            Some((_, runtime)) => return vec![self.read_health(runtime, answers)],
            None => {}
        }
        if let Screen::Status(s) = &mut self.screen
            && s.tick()
        {
            s.loading = true;
            return vec![Effect::FetchStatus {
                generation: self.slots.status.issue(),
                answers: Box::new(answers.clone()),
            }];
        }
        Vec::new()
    }
}

fn pack_id_of(screen: &Screen) -> String {
    match screen {
        Screen::Plan(p) => p
            .planned
            .as_ref()
            .map(|d| d.pack_id.clone())
            .unwrap_or_default(),
        Screen::Run(r) => r.pack_id.clone(),
        Screen::Status(s) => s.pack_id.clone(),
        Screen::Logs(_)
        | Screen::Invoke(_)
        | Screen::Evaluations(_)
        | Screen::Health(_)
        | Screen::Wizard => String::new(),
    }
}

/// What a screen asks its flow to do (screens never build each other).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    None,
    Quit,
    Back,
    Plan,
    Apply,
    Destroy,
    Status,
    RefreshStatus,
    Cancel,
    Copy(String),
    /// Open the Logs view of this runtime (its plan name).
    Logs(String),
    /// The Logs view reads now (resumed, or retried).
    ReadLogs,
    /// Open the Invoke view of this runtime (its plan name).
    OpenInvoke(String),
    /// Open a view of the monitor of this runtime (its plan name).
    OpenMonitor(MonitorView, String),
    /// The Evaluations or Health view reads now (`r`).
    ReadMonitor,
    Invoke {
        prompt: String,
        session: Option<String>,
    },
}

/// Keys typed into a "type the pack id" box, shared by the screens that can destroy.
pub(crate) fn type_confirm(t: &mut Option<TypeConfirm>, input: Input<'_>) -> Request {
    let Some(tc) = t else { return Request::None };
    match input {
        Input::Command(Command::Confirm) if tc.confirm() => {
            *t = None;
            return Request::Destroy;
        }
        Input::Command(Command::Cancel) => *t = None,
        Input::Key(k) => tc.input(k),
        Input::Paste(s) => tc.paste(s),
        _ => {}
    }
    Request::None
}

pub(crate) fn destroy_body(pack_id: &str) -> Vec<String> {
    vec![
        format!("Every resource recorded for pack {pack_id} is deleted,"),
        "in reverse order, going on past failures.".into(),
        "This cannot be undone.".into(),
    ]
}

/// Facts for the header line.
pub struct Header<'a> {
    pub target: Option<String>,
    pub account: Option<&'a str>,
    pub region: &'a str,
}

pub fn render(
    flow: &DeployFlow,
    header: &Header<'_>,
    area: Rect,
    buf: &mut Buffer,
    view: &View<'_>,
) {
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let theme = view.theme;
    let mut spans = vec![
        Span::styled(" agentcore-tui ", theme.title),
        Span::styled(format!("· {}", flow.title()), theme.dim),
    ];
    let mut facts = Vec::new();
    facts.extend(header.target.clone());
    if let Some(a) = header.account {
        facts.push(format!("account {a}"));
    }
    if !header.region.is_empty() {
        facts.push(header.region.to_string());
    }
    if !facts.is_empty() {
        spans.push(Span::styled(
            format!("  {}", facts.join(" · ")),
            theme.accent,
        ));
    }
    Line::from(spans).render(head, buf);
    match &flow.screen {
        Screen::Wizard => {}
        Screen::Plan(p) => p.render(body, buf, view),
        Screen::Run(r) => r.render(body, buf, view),
        Screen::Status(s) => s.render(body, buf, view),
        Screen::Logs(l) => l.render(body, buf, view),
        Screen::Invoke(i) => i.render(body, buf, view),
        Screen::Evaluations(e) => e.render(body, buf, view),
        Screen::Health(h) => h.render(body, buf, view),
    }
    let finished = matches!(&flow.screen, Screen::Run(r) if !r.view.phase.is_running());
    key_hints::render(flow.context(), finished, foot, buf, theme);
}

/// After a restart: an earlier apply of these answers stopped while creating resources.
/// Later is the default (Enter); `y` goes to the plan, which shows what resuming does.
pub fn render_resume_apply(left: &[String], area: Rect, buf: &mut Buffer, theme: &Theme) {
    let mut lines = vec![Line::raw(
        "A previous apply was interrupted while creating:",
    )];
    lines.extend(left.iter().take(5).map(|r| Line::raw(format!("  {r}"))));
    if left.len() > 5 {
        lines.push(Line::raw(format!("  … and {} more", left.len() - 5)));
    }
    lines.push(Line::raw(
        "Resume it? The plan comes first; existing resources are adopted, never duplicated.",
    ));
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("y", theme.key),
        Span::raw(" plan and resume    "),
        Span::styled("n", theme.key),
        Span::raw(" / Enter / Esc later"),
    ]));
    let widest = lines.iter().map(Line::width).max().unwrap_or(20) + 4;
    let width = u16::try_from(widest)
        .unwrap_or(u16::MAX)
        .min(area.width.saturating_sub(4));
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let height = u16::try_from(rows + 2).unwrap_or(u16::MAX).min(area.height);
    let rect = area.centered(Constraint::Length(width), Constraint::Length(height));
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::new()
                .borders(Borders::ALL)
                .border_style(theme.focused_border)
                .title(Span::styled(" Resume the interrupted apply? ", theme.title)),
        )
        .render(rect, buf);
}

/// A centred box of facts about one resource (kind, state, ARN, error, hint).
pub(crate) fn render_detail(
    title: &str,
    lines: Vec<Line<'static>>,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    // The facts come from AWS (ARN, error, hint): shown, never obeyed.
    let mut lines = crate::tui::widgets::visible::lines(lines);
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("c", theme.key),
        Span::raw(" copy the ARN    "),
        Span::styled("Esc", theme.key),
        Span::raw(" close"),
    ]));
    let width = area.width.saturating_sub(8).min(100);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let height = u16::try_from(rows + 2).unwrap_or(u16::MAX);
    let rect = area.centered(
        Constraint::Length(width),
        Constraint::Length(height.min(area.height)),
    );
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::new()
                .borders(Borders::ALL)
                .border_style(theme.focused_border)
                .title(Span::styled(
                    format!(" {} ", crate::sanitize::escape(title)),
                    theme.title,
                )),
        )
        .render(rect, buf);
}

pub(crate) fn fmt_secs(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1}s")
    } else {
        format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}
