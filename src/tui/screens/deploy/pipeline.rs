//! The view model of an apply or destroy: engine events folded into panes, rows, errors and a
//! log by one pure `apply(&mut self, event)` (yazi-style). No ratatui here: the render reads it.

use std::collections::VecDeque;
use std::time::Duration;

use crate::deploy::events::{Event, LogLevel, ResourcePhase, Step, human_line};
use crate::deploy::plan::PlanReport;
use crate::tui::services::{RunKind, RunSummary, ServiceError};

/// Log lines kept; older ones are counted, not silently lost.
pub const LOG_CAP: usize = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunPhase {
    Running,
    /// Cancellation was asked for; calls in flight are finishing.
    Cancelling,
    Succeeded,
    Failed,
    Cancelled,
}

impl RunPhase {
    pub fn is_running(self) -> bool {
        matches!(self, Self::Running | Self::Cancelling)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceRow {
    pub kind: String,
    pub name: String,
    pub phase: ResourcePhase,
    pub elapsed: Duration,
    pub arn: Option<String>,
    /// Index into [`PipelineView::errors`].
    pub error: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneState {
    Waiting,
    Running,
    Done {
        succeeded: usize,
        failed: usize,
        skipped: usize,
        elapsed: Duration,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepPane {
    pub step: Step,
    pub expected: usize,
    pub rows: Vec<ResourceRow>,
    pub state: PaneState,
}

impl StepPane {
    pub fn finished(&self) -> usize {
        self.rows.iter().filter(|r| r.phase.is_terminal()).count()
    }

    pub fn ratio(&self) -> f64 {
        let total = self.expected.max(self.rows.len());
        if matches!(self.state, PaneState::Done { .. }) || total == 0 {
            return 1.0;
        }
        f64_ratio(self.finished(), total)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRow {
    pub step: Option<Step>,
    pub kind: String,
    pub name: String,
    pub category: String,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub warn: bool,
    pub error: bool,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PipelineView {
    pub kind: RunKind,
    pub panes: Vec<StepPane>,
    pub errors: Vec<ErrorRow>,
    pub log: VecDeque<LogLine>,
    /// Lines pushed out of the front of the log by [`LOG_CAP`].
    pub log_dropped: usize,
    /// Resources that finished (created, updated, adopted, unchanged, deleted); failed and
    /// skipped ones are counted apart and never fill the gauge.
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
    pub total: usize,
    /// The engine's progress events are the count once one arrived (apply); without them
    /// (destroy) the rows are.
    engine_counts: bool,
    pub elapsed: Duration,
    pub eta: Option<Duration>,
    pub phase: RunPhase,
    /// The engine's one-line summary once the run ended.
    pub summary: Option<String>,
}

fn f64_ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        return 0.0;
    }
    (n as f64 / d as f64).clamp(0.0, 1.0)
}

impl PipelineView {
    pub fn new(kind: RunKind) -> Self {
        Self {
            kind,
            panes: Vec::new(),
            errors: Vec::new(),
            log: VecDeque::new(),
            log_dropped: 0,
            done: 0,
            failed: 0,
            skipped: 0,
            total: 0,
            engine_counts: false,
            elapsed: Duration::ZERO,
            eta: None,
            phase: RunPhase::Running,
            summary: None,
        }
    }

    /// An apply's panes laid out from its plan, every resource pending, so the whole pipeline
    /// is visible before the first event. A delete apply makes (a replaced online evaluation
    /// config) has its step and a row there; the others have no step and get no row.
    pub fn from_plan(report: &PlanReport) -> Self {
        let mut v = Self::new(RunKind::Apply);
        for step in Step::ALL {
            let rows: Vec<ResourceRow> = report
                .items
                .iter()
                .filter(|i| i.step == Some(step))
                .map(|i| ResourceRow {
                    kind: i.kind.clone(),
                    name: i.name.clone(),
                    phase: ResourcePhase::Pending,
                    elapsed: Duration::ZERO,
                    arn: None,
                    error: None,
                })
                .collect();
            if !rows.is_empty() {
                v.panes.push(StepPane {
                    step,
                    expected: rows.len(),
                    rows,
                    state: PaneState::Waiting,
                });
            }
        }
        v.total = v.panes.iter().map(|p| p.rows.len()).sum();
        v
    }

    fn pane_mut(&mut self, step: Step) -> &mut StepPane {
        let i = match self.panes.iter().position(|p| p.step == step) {
            Some(i) => i,
            None => {
                self.panes.push(StepPane {
                    step,
                    expected: 0,
                    rows: Vec::new(),
                    state: PaneState::Waiting,
                });
                self.panes.len() - 1
            }
        };
        &mut self.panes[i]
    }

    fn push_log(&mut self, line: LogLine) {
        if self.log.len() == LOG_CAP {
            self.log.pop_front();
            self.log_dropped += 1;
        }
        self.log.push_back(line);
    }

    fn log_event(&mut self, e: &Event) {
        let (warn, error) = match e {
            Event::Log { level, .. } => (*level == LogLevel::Warn, false),
            Event::Error { .. } => (false, true),
            Event::Resource {
                phase: ResourcePhase::Failed,
                ..
            } => (false, true),
            _ => (false, false),
        };
        for text in human_line(e).lines() {
            self.push_log(LogLine {
                warn,
                error,
                text: text.trim_end().to_string(),
            });
        }
    }

    pub fn apply(&mut self, e: &Event) {
        // Progress arrives with every resource change: it moves the gauge, not the log.
        if !matches!(e, Event::Progress { .. }) {
            self.log_event(e);
        }
        match e {
            Event::StepStarted { step, resources } => {
                let pane = self.pane_mut(*step);
                pane.expected = pane.expected.max(*resources);
                pane.state = PaneState::Running;
            }
            Event::StepFinished {
                step,
                succeeded,
                failed,
                skipped,
                elapsed,
            } => {
                self.pane_mut(*step).state = PaneState::Done {
                    succeeded: *succeeded,
                    failed: *failed,
                    skipped: *skipped,
                    elapsed: *elapsed,
                };
            }
            Event::Resource {
                step,
                kind,
                name,
                phase,
                elapsed,
                arn,
            } => {
                let pane = self.pane_mut(*step);
                if pane.state == PaneState::Waiting {
                    pane.state = PaneState::Running;
                }
                let row = match pane
                    .rows
                    .iter()
                    .position(|r| r.kind == *kind && r.name == *name)
                {
                    Some(i) => &mut pane.rows[i],
                    None => {
                        pane.rows.push(ResourceRow {
                            kind: kind.clone(),
                            name: name.clone(),
                            phase: ResourcePhase::Pending,
                            elapsed: Duration::ZERO,
                            arn: None,
                            error: None,
                        });
                        pane.rows.last_mut().expect("just pushed")
                    }
                };
                row.phase = phase.clone();
                row.elapsed = *elapsed;
                if arn.is_some() {
                    row.arn.clone_from(arn);
                }
                self.recount();
            }
            Event::Error {
                step,
                kind,
                name,
                category,
                message,
                hint,
            } => {
                let idx = self.errors.len();
                self.errors.push(ErrorRow {
                    step: *step,
                    kind: kind.clone(),
                    name: name.clone(),
                    category: category.to_string(),
                    message: message.clone(),
                    hint: hint.clone(),
                });
                let row = self
                    .panes
                    .iter_mut()
                    .filter(|p| step.is_none_or(|s| s == p.step))
                    .flat_map(|p| p.rows.iter_mut())
                    .find(|r| r.kind == *kind && r.name == *name);
                if let Some(r) = row {
                    r.error = Some(idx);
                }
            }
            Event::Progress {
                done,
                failed,
                skipped,
                total,
                elapsed,
                eta,
            } => {
                self.engine_counts = true;
                self.done = *done;
                self.failed = *failed;
                self.skipped = *skipped;
                self.total = *total;
                self.elapsed = *elapsed;
                self.eta = *eta;
            }
            Event::Log { .. } => {}
        }
    }

    /// Without progress events (destroy sends none) the rows are the progress.
    fn recount(&mut self) {
        if self.engine_counts {
            return;
        }
        let rows: usize = self
            .panes
            .iter()
            .map(|p| p.expected.max(p.rows.len()))
            .sum();
        let phases = || {
            self.panes
                .iter()
                .flat_map(|p| p.rows.iter())
                .map(|r| &r.phase)
        };
        let done = phases()
            .filter(|p| {
                p.is_terminal() && !matches!(p, ResourcePhase::Failed | ResourcePhase::Skipped(_))
            })
            .count();
        let failed = phases().filter(|p| **p == ResourcePhase::Failed).count();
        let skipped = phases()
            .filter(|p| matches!(p, ResourcePhase::Skipped(_)))
            .count();
        self.total = self.total.max(rows);
        (self.done, self.failed, self.skipped) = (done, failed, skipped);
    }

    /// Only finished resources fill the gauge: a failed or cancelled run shows how far it got.
    pub fn ratio(&self) -> f64 {
        if self.phase == RunPhase::Succeeded {
            return 1.0;
        }
        f64_ratio(self.done, self.total)
    }

    /// " · 1 failed · 2 skipped", or nothing: next to "done/total" wherever it is shown.
    pub fn apart(&self) -> String {
        let mut s = String::new();
        if self.failed > 0 {
            s.push_str(&format!(" · {} failed", self.failed));
        }
        if self.skipped > 0 {
            s.push_str(&format!(" · {} skipped", self.skipped));
        }
        s
    }

    /// Time passes between events: in-flight rows and the run's clock keep counting, so
    /// a slow create is visibly slow. The next event sets the engine's own figure again.
    pub fn tick(&mut self, dt: Duration) {
        if !self.phase.is_running() {
            return;
        }
        self.elapsed += dt;
        self.eta = self.eta.map(|e| e.saturating_sub(dt));
        for row in self.panes.iter_mut().flat_map(|p| p.rows.iter_mut()) {
            if matches!(
                row.phase,
                ResourcePhase::Calling(_) | ResourcePhase::Waiting(_)
            ) {
                row.elapsed += dt;
            }
        }
    }

    pub fn cancel_requested(&mut self) {
        if self.phase == RunPhase::Running {
            self.phase = RunPhase::Cancelling;
            self.push_log(LogLine {
                warn: true,
                error: false,
                text: "cancelling: nothing new starts; calls in flight finish and are saved".into(),
            });
        }
    }

    pub fn finish(&mut self, result: Result<RunSummary, ServiceError>) {
        match result {
            Ok(s) => {
                self.phase = if s.cancelled {
                    RunPhase::Cancelled
                } else if s.ok {
                    RunPhase::Succeeded
                } else {
                    RunPhase::Failed
                };
                self.push_log(LogLine {
                    warn: false,
                    error: !s.ok,
                    text: s.summary.clone(),
                });
                self.summary = Some(s.summary);
            }
            Err(e) => {
                self.phase = RunPhase::Failed;
                let text = format!("could not run: {}", e.message);
                self.errors.push(ErrorRow {
                    step: None,
                    kind: String::new(),
                    name: String::new(),
                    category: e.category,
                    message: e.message,
                    hint: e.hint,
                });
                self.push_log(LogLine {
                    warn: false,
                    error: true,
                    text: text.clone(),
                });
                self.summary = Some(text);
            }
        }
    }

    /// Every row in display order, as (pane, row) indices.
    pub fn row_ids(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.panes
            .iter()
            .enumerate()
            .flat_map(|(p, pane)| (0..pane.rows.len()).map(move |r| (p, r)))
    }

    pub fn row_count(&self) -> usize {
        self.panes.iter().map(|p| p.rows.len()).sum()
    }

    pub fn row(&self, flat: usize) -> Option<&ResourceRow> {
        self.row_ids()
            .nth(flat)
            .map(|(p, r)| &self.panes[p].rows[r])
    }

    /// Log lines containing `query` (case-insensitive), as indices into the log.
    pub fn matches(&self, query: &str) -> Vec<usize> {
        if query.is_empty() {
            return Vec::new();
        }
        let q = query.to_lowercase();
        self.log
            .iter()
            .enumerate()
            .filter(|(_, l)| l.text.to_lowercase().contains(&q))
            .map(|(i, _)| i)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::Category;
    use crate::deploy::plan::{Action as PlanAction, PlanItem};

    fn plan() -> PlanReport {
        let item = |step, kind: &str, name: &str, action| PlanItem {
            action,
            kind: kind.into(),
            name: name.into(),
            step,
            reason: "not deployed yet".into(),
        };
        PlanReport {
            items: vec![
                item(Some(Step::Memory), "memory", "desk_mem", PlanAction::Create),
                item(
                    Some(Step::AgentRuntimes),
                    "agent_runtime",
                    "triage",
                    PlanAction::Create,
                ),
                item(
                    Some(Step::AgentRuntimes),
                    "agent_runtime",
                    "billing",
                    PlanAction::Unchanged,
                ),
                item(None, "evaluator", "old", PlanAction::Delete),
                item(
                    Some(Step::OnlineEvalConfig),
                    "online_eval_config",
                    "desk_online_eval",
                    PlanAction::Delete,
                ),
            ],
            drift: Vec::new(),
            verified: true,
        }
    }

    fn res(step: Step, kind: &str, name: &str, phase: ResourcePhase, arn: Option<&str>) -> Event {
        Event::Resource {
            step,
            kind: kind.into(),
            name: name.into(),
            phase,
            elapsed: Duration::from_secs(2),
            arn: arn.map(String::from),
        }
    }

    #[test]
    fn panes_follow_the_plan_in_pipeline_order_and_only_deletes_apply_makes_get_a_row() {
        let v = PipelineView::from_plan(&plan());
        let steps: Vec<Step> = v.panes.iter().map(|p| p.step).collect();
        assert_eq!(
            steps,
            [Step::Memory, Step::AgentRuntimes, Step::OnlineEvalConfig]
        );
        assert_eq!(v.total, 4);
        assert_eq!(v.panes[2].rows[0].name, "desk_online_eval");
        assert!(
            v.panes[1]
                .rows
                .iter()
                .all(|r| r.phase == ResourcePhase::Pending)
        );
    }

    #[test]
    fn resource_events_update_their_row_and_keep_the_arn() {
        let mut v = PipelineView::from_plan(&plan());
        v.apply(&Event::StepStarted {
            step: Step::Memory,
            resources: 1,
        });
        v.apply(&res(
            Step::Memory,
            "memory",
            "desk_mem",
            ResourcePhase::Waiting("CREATING".into()),
            Some("arn:mem"),
        ));
        v.apply(&res(
            Step::Memory,
            "memory",
            "desk_mem",
            ResourcePhase::Ready,
            None,
        ));
        let row = &v.panes[0].rows[0];
        assert_eq!(row.phase, ResourcePhase::Ready);
        assert_eq!(row.arn.as_deref(), Some("arn:mem"));
        assert_eq!(v.panes[0].state, PaneState::Running);
        assert!((v.panes[0].ratio() - 1.0).abs() < f64::EPSILON);
        assert_eq!(v.done, 1, "a finished row counts without a progress event");
    }

    #[test]
    fn errors_attach_to_their_row_with_category_and_hint() {
        let mut v = PipelineView::from_plan(&plan());
        v.apply(&res(
            Step::AgentRuntimes,
            "agent_runtime",
            "triage",
            ResourcePhase::Failed,
            None,
        ));
        v.apply(&Event::Error {
            step: Some(Step::AgentRuntimes),
            kind: "agent_runtime".into(),
            name: "triage".into(),
            category: Category::Permission,
            message: "AccessDenied on CreateAgentRuntime".into(),
            hint: Some("allow bedrock-agentcore:CreateAgentRuntime".into()),
        });
        let row = &v.panes[1].rows[0];
        let err = &v.errors[row.error.expect("error linked")];
        assert_eq!(err.category, "permission");
        assert_eq!(
            err.hint.as_deref(),
            Some("allow bedrock-agentcore:CreateAgentRuntime")
        );
        assert!(v.log.iter().any(|l| l.error && l.text.contains("hint:")));
    }

    #[test]
    fn destroy_panes_appear_in_event_order() {
        let mut v = PipelineView::new(RunKind::Destroy);
        for step in [Step::OnlineEvalConfig, Step::AgentRuntimes, Step::Memory] {
            v.apply(&Event::StepStarted { step, resources: 1 });
        }
        let steps: Vec<Step> = v.panes.iter().map(|p| p.step).collect();
        assert_eq!(
            steps,
            [Step::OnlineEvalConfig, Step::AgentRuntimes, Step::Memory]
        );
        assert_eq!(v.total, 0, "no rows yet");
        v.apply(&res(
            Step::Memory,
            "memory",
            "m",
            ResourcePhase::Deleted,
            None,
        ));
        assert_eq!((v.done, v.total), (1, 3));
    }

    #[test]
    fn progress_moves_the_gauge_but_not_the_log() {
        let mut v = PipelineView::from_plan(&plan());
        v.apply(&Event::Progress {
            done: 1,
            failed: 0,
            skipped: 0,
            total: 3,
            elapsed: Duration::from_secs(10),
            eta: Some(Duration::from_secs(20)),
        });
        assert!(v.log.is_empty());
        assert_eq!(v.eta, Some(Duration::from_secs(20)));
        assert!((v.ratio() - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn the_log_is_capped_and_counts_what_it_dropped() {
        let mut v = PipelineView::new(RunKind::Apply);
        for i in 0..LOG_CAP + 7 {
            v.apply(&Event::Log {
                level: LogLevel::Info,
                message: format!("line {i}"),
            });
        }
        assert_eq!(v.log.len(), LOG_CAP);
        assert_eq!(v.log_dropped, 7);
        assert!(v.log[0].text.ends_with("line 7"));
        assert_eq!(v.matches("LINE 5006").len(), 1, "search ignores case");
    }

    #[test]
    fn ticks_advance_only_what_is_in_flight() {
        let mut v = PipelineView::from_plan(&plan());
        v.apply(&res(
            Step::Memory,
            "memory",
            "desk_mem",
            ResourcePhase::Waiting("CREATING".into()),
            None,
        ));
        v.tick(Duration::from_millis(500));
        assert_eq!(v.panes[0].rows[0].elapsed, Duration::from_millis(2500));
        assert_eq!(
            v.panes[1].rows[0].elapsed,
            Duration::ZERO,
            "pending rows wait"
        );
        v.finish(Ok(RunSummary {
            ok: true,
            cancelled: false,
            summary: String::new(),
        }));
        let before = v.elapsed;
        v.tick(Duration::from_secs(1));
        assert_eq!(v.elapsed, before, "a finished run's clock stops");
    }

    #[test]
    fn the_end_of_a_run_sets_its_phase() {
        let mut v = PipelineView::new(RunKind::Apply);
        v.cancel_requested();
        assert_eq!(v.phase, RunPhase::Cancelling);
        v.finish(Ok(RunSummary {
            ok: false,
            cancelled: true,
            summary: "Apply cancelled".into(),
        }));
        assert_eq!(v.phase, RunPhase::Cancelled);
        let mut v = PipelineView::new(RunKind::Apply);
        v.finish(Err(ServiceError {
            category: "network".into(),
            message: "connection refused".into(),
            hint: Some("is the endpoint up?".into()),
        }));
        assert_eq!(v.phase, RunPhase::Failed);
        assert_eq!(v.errors[0].category, "network");
    }
}
