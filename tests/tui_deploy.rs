//! Plan, apply, status and destroy screens driven headlessly: the wizard is walked to its review
//! step, then keys and deploy results go through `App::update`; effects are inspected and the
//! screens are rendered on a `TestBackend`. The last test runs the real runtime and services
//! against the embedded emulator: plan → apply → status → destroy.

use std::path::PathBuf;
use std::time::Duration;

use agentcore_tui::aws::Category;
use agentcore_tui::deploy::events::{Event, LogLevel, ResourcePhase, Step};
use agentcore_tui::deploy::plan::PlanReport;
use agentcore_tui::deploy::state::DeployState;
use agentcore_tui::deploy::status::{Health, Overall, ResourceStatus, StatusReport};
use agentcore_tui::tui::action::Action;
use agentcore_tui::tui::app::{App, Overlay};
use agentcore_tui::tui::effect::Effect;
use agentcore_tui::tui::keymap::Context;
use agentcore_tui::tui::msg::deploy::DeployOutcome;
use agentcore_tui::tui::msg::wizard::{Outcome, TaskResult};
use agentcore_tui::tui::persist::Answers;
use agentcore_tui::tui::runtime;
use agentcore_tui::tui::screens::deploy::Screen;
use agentcore_tui::tui::screens::deploy::pipeline::RunPhase;
use agentcore_tui::tui::screens::wizard::StepId;
use agentcore_tui::tui::services::{AwsTarget, PlannedDeploy, RunKind, RunSummary, ServiceError};
use agentcore_tui::tui::slot::Gen;
use agentcore_tui::tui::theme::Theme;
use agentcore_tui::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod common;
use common::harness::{ACCOUNT, DEMO_BINARY, DEMO_PACK, Harness, demo_answers};

impl Harness {
    /// The wizard on its review step with the demo answers, nothing in error.
    fn at_review() -> Self {
        Self::at_review_with(demo_answers())
    }

    fn at_review_with(answers: Answers) -> Self {
        let mut h = Self::new(answers);
        h.goto(StepId::Review);
        h
    }

    fn events(&mut self, run: Gen, events: Vec<Event>) {
        for e in events {
            self.deploy(run, DeployOutcome::Event(e));
        }
    }

    /// Review → plan, answered with the demo plan.
    fn planned(planned: PlannedDeploy) -> Self {
        let mut h = Self::at_review();
        h.ctrl('n');
        let Some(Effect::Plan { generation, .. }) = h.take(|e| matches!(e, Effect::Plan { .. }))
        else {
            panic!("Next on the review must plan: {:?}", h.pending)
        };
        h.deploy(generation, DeployOutcome::Planned(Ok(Box::new(planned))));
        h
    }

    /// Plan confirmed: returns the run id of the apply.
    fn applying() -> (Self, Gen) {
        let mut h = Self::planned(demo_plan());
        h.ch('a');
        h.ch('y');
        let Some(Effect::StartRun { run, kind, .. }) =
            h.take(|e| matches!(e, Effect::StartRun { .. }))
        else {
            panic!("confirming must start the apply: {:?}", h.pending)
        };
        assert_eq!(kind, RunKind::Apply);
        (h, run)
    }

    fn run_phase(&self) -> RunPhase {
        match &self.app.deploy.screen {
            Screen::Run(r) => r.view.phase,
            _ => panic!("not on the run screen"),
        }
    }

    fn snapshot(&self, name: &str) {
        insta::assert_snapshot!(format!("{name}_100x30"), self.screen(100, 30));
        insta::assert_snapshot!(format!("{name}_80x24"), self.screen(80, 24));
    }
}

/// The demo pack's real plan against an empty state (everything to create).
fn demo_report() -> PlanReport {
    let pack = agentcore_tui::pack::load_path(std::path::Path::new(DEMO_PACK)).unwrap();
    let cfg = agentcore_tui::services::answers::deploy_config(&demo_answers());
    let plan = agentcore_tui::derive::derive(&pack, &cfg).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(agentcore_tui::deploy::plan::plan(
            &plan,
            &DeployState::default(),
            None,
            None,
        ))
        .unwrap()
}

fn demo_plan() -> PlannedDeploy {
    PlannedDeploy {
        report: demo_report(),
        pack_id: "support-desk".into(),
        account: ACCOUNT.into(),
        region: "us-east-1".into(),
        state_file: PathBuf::from("/data/state/support-desk.json"),
        interrupted: Vec::new(),
    }
}

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:{kind}/{name}-a1b2")
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// The events of an apply of the demo plan, step by step; `fail` names a resource whose
/// create is refused (its dependants are skipped), `upto` stops after that many resources.
fn apply_events(report: &PlanReport, fail: Option<&str>, upto: usize) -> Vec<Event> {
    let mut out = Vec::new();
    let total = report.items.len();
    let mut done = 0;
    let mut failed_total = 0;
    for step in Step::ALL {
        let items: Vec<_> = report
            .items
            .iter()
            .filter(|i| i.step == Some(step))
            .collect();
        if items.is_empty() {
            continue;
        }
        if done >= upto {
            break;
        }
        out.push(Event::StepStarted {
            step,
            resources: items.len(),
        });
        let mut failed = 0;
        for i in &items {
            if done >= upto {
                out.push(Event::Resource {
                    step,
                    kind: i.kind.clone(),
                    name: i.name.clone(),
                    phase: ResourcePhase::Waiting("CREATING".into()),
                    elapsed: secs(3),
                    arn: Some(arn(&i.kind, &i.name)),
                });
                continue;
            }
            out.push(Event::Resource {
                step,
                kind: i.kind.clone(),
                name: i.name.clone(),
                phase: ResourcePhase::Calling("Create".into()),
                elapsed: secs(0),
                arn: None,
            });
            if fail == Some(i.name.as_str()) {
                failed += 1;
                failed_total += 1;
                out.push(Event::Resource {
                    step,
                    kind: i.kind.clone(),
                    name: i.name.clone(),
                    phase: ResourcePhase::Failed,
                    elapsed: secs(1),
                    arn: None,
                });
                out.push(Event::Error {
                    step: Some(step),
                    kind: i.kind.clone(),
                    name: i.name.clone(),
                    category: Category::Permission,
                    message: "AccessDeniedException: not authorized to perform iam:PassRole".into(),
                    hint: Some("allow iam:PassRole on the runtime role for the deployer".into()),
                });
            } else {
                out.push(Event::Resource {
                    step,
                    kind: i.kind.clone(),
                    name: i.name.clone(),
                    phase: ResourcePhase::Ready,
                    elapsed: secs(4),
                    arn: Some(arn(&i.kind, &i.name)),
                });
            }
            done += 1;
            out.push(Event::Progress {
                done: done - failed_total,
                failed: failed_total,
                skipped: 0,
                total,
                elapsed: secs(4 * done as u64),
                eta: Some(secs(4 * (total - done) as u64)),
            });
        }
        if done < upto || items.len() == done {
            out.push(Event::StepFinished {
                step,
                succeeded: items.len() - failed,
                failed,
                skipped: 0,
                elapsed: secs(4 * items.len() as u64),
            });
        }
    }
    out
}

// ---- transitions ---------------------------------------------------------------------------

#[test]
fn next_on_a_valid_review_plans_and_back_keeps_every_answer() {
    let mut h = Harness::at_review();
    let answers = h.app.wizard.answers().clone();
    h.ctrl('n');
    let plan = h.take(|e| matches!(e, Effect::Plan { .. }));
    assert!(
        matches!(&plan, Some(Effect::Plan { answers: a, .. }) if **a == answers),
        "the plan is for the wizard's answers: {plan:?}"
    );
    assert_eq!(h.app.context(), Context::Plan);
    assert!(h.app.animating(), "the planning spinner turns");
    h.press(KeyCode::Esc);
    assert!(h.app.deploy.is_wizard());
    assert_eq!(h.app.wizard.current(), StepId::Review);
    assert_eq!(*h.app.wizard.answers(), answers);
}

#[test]
fn a_stale_plan_is_dropped() {
    let mut h = Harness::at_review();
    h.ctrl('n');
    let Some(Effect::Plan {
        generation: old, ..
    }) = h.take(|e| matches!(e, Effect::Plan { .. }))
    else {
        panic!()
    };
    h.ch('r');
    let Some(Effect::Plan {
        generation: new, ..
    }) = h.take(|e| matches!(e, Effect::Plan { .. }))
    else {
        panic!("r plans again")
    };
    h.deploy(old, DeployOutcome::Planned(Ok(Box::new(demo_plan()))));
    let Screen::Plan(p) = &h.app.deploy.screen else {
        panic!()
    };
    assert!(
        p.loading && p.planned.is_none(),
        "the old answer is ignored"
    );
    h.deploy(new, DeployOutcome::Planned(Ok(Box::new(demo_plan()))));
    let Screen::Plan(p) = &h.app.deploy.screen else {
        panic!()
    };
    assert!(!p.loading && p.planned.is_some());
}

#[test]
fn confirming_the_plan_starts_the_apply_and_declining_does_not() {
    let mut h = Harness::planned(demo_plan());
    h.ch('a');
    assert_eq!(h.app.context(), Context::Confirm);
    h.ch('n');
    assert!(h.pending.is_empty(), "declined: nothing starts");
    assert_eq!(h.app.context(), Context::Plan);
    h.press(KeyCode::Enter);
    h.press(KeyCode::Enter);
    assert!(matches!(
        h.take(|e| matches!(e, Effect::StartRun { .. })),
        Some(Effect::StartRun {
            kind: RunKind::Apply,
            ..
        })
    ));
    assert_eq!(h.app.context(), Context::Run);
}

#[test]
fn ctrl_c_asks_then_cancels_through_the_run_token() {
    let (mut h, run) = Harness::applying();
    let report = demo_report();
    h.events(run, apply_events(&report, None, 2));
    h.ctrl('c');
    assert_eq!(h.app.context(), Context::Confirm, "Ctrl-C asks first");
    h.ch('n');
    assert!(h.pending.is_empty());
    assert_eq!(h.run_phase(), RunPhase::Running);
    h.ctrl('c');
    h.ch('y');
    assert_eq!(h.pending, vec![Effect::CancelRun { run }]);
    assert_eq!(h.run_phase(), RunPhase::Cancelling);
    assert!(
        h.app.overlay.is_none(),
        "cancelling is not quitting: the screen stays"
    );
}

#[test]
fn events_of_a_superseded_run_are_dropped() {
    let (mut h, first) = Harness::applying();
    let report = demo_report();
    h.events(
        first,
        vec![Event::Progress {
            done: 1,
            failed: 0,
            skipped: 0,
            total: 9,
            elapsed: secs(1),
            eta: None,
        }],
    );
    h.deploy(
        first,
        DeployOutcome::Finished(Ok(RunSummary {
            ok: true,
            cancelled: false,
            summary: "Apply complete".into(),
        })),
    );
    // Back to the plan and apply again: a late event of the first run must not leak in.
    h.press(KeyCode::Esc);
    let Some(Effect::Plan { generation, .. }) = h.take(|e| matches!(e, Effect::Plan { .. })) else {
        panic!("back from a finished apply plans again")
    };
    h.deploy(
        generation,
        DeployOutcome::Planned(Ok(Box::new(demo_plan()))),
    );
    h.ch('a');
    h.ch('y');
    let Some(Effect::StartRun { run: second, .. }) =
        h.take(|e| matches!(e, Effect::StartRun { .. }))
    else {
        panic!()
    };
    assert_ne!(first, second);
    h.events(first, apply_events(&report, None, 99));
    h.deploy(
        first,
        DeployOutcome::Finished(Ok(RunSummary {
            ok: true,
            cancelled: false,
            summary: "stale".into(),
        })),
    );
    let Screen::Run(r) = &h.app.deploy.screen else {
        panic!()
    };
    assert_eq!(r.view.phase, RunPhase::Running);
    assert_eq!(r.view.done, 0, "no event of the first run was applied");
    assert!(r.view.log.is_empty());
}

#[test]
fn enter_on_a_failed_row_shows_category_and_hint() {
    let (mut h, run) = Harness::applying();
    let report = demo_report();
    let runtime = report
        .items
        .iter()
        .find(|i| i.kind == "agent_runtime")
        .unwrap()
        .name
        .clone();
    h.events(run, apply_events(&report, Some(&runtime), 99));
    let Screen::Run(r) = &h.app.deploy.screen else {
        panic!()
    };
    let row = r
        .view
        .row_ids()
        .position(|(p, i)| r.view.panes[p].rows[i].name == runtime)
        .unwrap();
    for _ in 0..row {
        h.press(KeyCode::Down);
    }
    h.press(KeyCode::Enter);
    assert_eq!(h.app.context(), Context::Detail);
    let screen = h.screen(100, 30);
    assert!(screen.contains("[permission]"), "{screen}");
    assert!(screen.contains("hint: allow iam:PassRole"), "{screen}");
    h.press(KeyCode::Esc);
    assert_eq!(h.app.context(), Context::Run);
}

#[test]
fn the_log_searches_and_jumps_between_matches() {
    let (mut h, run) = Harness::applying();
    h.events(run, apply_events(&demo_report(), None, 99));
    h.ch('/');
    assert_eq!(h.app.context(), Context::Search);
    for c in "ready".chars() {
        h.ch(c);
    }
    h.press(KeyCode::Enter);
    let Screen::Run(r) = &h.app.deploy.screen else {
        panic!()
    };
    let hits = r.view.matches("ready");
    assert!(hits.len() > 2);
    assert_eq!(r.log_top, Some(hits[0]));
    h.ch('n');
    let Screen::Run(r) = &h.app.deploy.screen else {
        panic!()
    };
    assert_eq!(r.log_top, Some(hits[1]));
    h.ch('N');
    h.ch('N');
    let Screen::Run(r) = &h.app.deploy.screen else {
        panic!()
    };
    assert_eq!(r.log_top, Some(*hits.last().unwrap()), "N wraps around");
}

#[test]
fn an_interrupted_apply_is_offered_for_resume() {
    let mut planned = demo_plan();
    planned.interrupted = vec!["memory support_desk_memory".into()];
    let mut h = Harness::planned(planned);
    assert_eq!(h.app.context(), Context::Confirm);
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("A previous apply was interrupted"),
        "{screen}"
    );
    h.ch('y');
    assert!(matches!(
        h.take(|e| matches!(e, Effect::StartRun { .. })),
        Some(Effect::StartRun {
            kind: RunKind::Apply,
            ..
        })
    ));
}

fn status_report() -> StatusReport {
    let r = |kind: &str, name: &str, health, state: &str| ResourceStatus {
        kind: kind.into(),
        name: name.into(),
        health,
        state: Some(state.into()),
        arn: Some(arn(kind, name)),
        detail: (health != Health::Healthy).then(|| "not ready yet".into()),
    };
    StatusReport {
        status: Overall::Degraded,
        pack_id: "support-desk".into(),
        version: "1.0.0".into(),
        resources: vec![
            r("memory", "support_desk_memory", Health::Healthy, "ACTIVE"),
            r("gateway", "support_desk_gateway", Health::Healthy, "READY"),
            r("agent_runtime", "triage", Health::Unhealthy, "UPDATING"),
        ],
    }
}

/// A finished apply, then `s`: the status screen with its first report.
fn status_screen() -> (Harness, Gen) {
    let (mut h, run) = Harness::applying();
    h.deploy(
        run,
        DeployOutcome::Finished(Ok(RunSummary {
            ok: true,
            cancelled: false,
            summary: "Apply complete".into(),
        })),
    );
    h.ch('s');
    let Some(Effect::FetchStatus { generation, .. }) =
        h.take(|e| matches!(e, Effect::FetchStatus { .. }))
    else {
        panic!("s opens the status: {:?}", h.pending)
    };
    h.deploy(
        generation,
        DeployOutcome::Status(Ok(Box::new(status_report()))),
    );
    (h, generation)
}

#[test]
fn status_refreshes_on_its_interval_and_space_pauses() {
    let (mut h, _) = status_screen();
    for _ in 0..49 {
        h.apply(Action::Tick);
    }
    assert!(h.pending.is_empty(), "not yet: 5 s is 50 ticks");
    h.apply(Action::Tick);
    assert!(matches!(
        h.take(|e| matches!(e, Effect::FetchStatus { .. })),
        Some(Effect::FetchStatus { .. })
    ));
    // While it is in flight no second refresh starts.
    for _ in 0..60 {
        h.apply(Action::Tick);
    }
    assert!(h.pending.is_empty());
    let (mut h, _) = status_screen();
    h.ch(' ');
    for _ in 0..100 {
        h.apply(Action::Tick);
    }
    assert!(h.pending.is_empty(), "paused: no refresh");
    assert!(h.screen(100, 30).contains("paused"));
}

#[test]
fn status_copies_the_selected_arn_with_osc52() {
    let (mut h, _) = status_screen();
    h.press(KeyCode::Down);
    h.ch('c');
    assert_eq!(
        h.pending,
        vec![Effect::CopyToClipboard(arn(
            "gateway",
            "support_desk_gateway"
        ))]
    );
}

#[test]
fn destroy_needs_the_exact_pack_id() {
    let (mut h, _) = status_screen();
    h.ch('D');
    assert_eq!(h.app.context(), Context::TypeConfirm);
    for c in "support-des".chars() {
        h.ch(c);
    }
    h.press(KeyCode::Enter);
    assert!(h.pending.is_empty(), "a wrong id destroys nothing");
    assert!(h.screen(100, 30).contains("nothing was destroyed"));
    h.ch('k');
    h.press(KeyCode::Enter);
    assert!(matches!(
        h.take(|e| matches!(e, Effect::StartRun { .. })),
        Some(Effect::StartRun {
            kind: RunKind::Destroy,
            ..
        })
    ));
    assert_eq!(h.app.context(), Context::Run);
    // Esc before typing keeps everything.
    let (mut h, _) = status_screen();
    h.ch('D');
    h.press(KeyCode::Esc);
    assert_eq!(h.app.context(), Context::Status);
    assert!(h.pending.is_empty());
}

#[test]
fn help_lists_the_deploy_keys() {
    let (mut h, _) = Harness::applying();
    h.ch('?');
    assert!(matches!(h.app.overlay, Some(Overlay::Help(Context::Run))));
    let screen = h.screen(100, 30);
    assert!(screen.contains("cancel the run"), "{screen}");
    assert!(screen.contains("search the event log"), "{screen}");
}

#[test]
fn deploy_keys_mean_what_their_screen_says() {
    use agentcore_tui::tui::keymap::{Command, lookup};
    let ch = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(lookup(Context::Run, &ctrl_c), Some(Command::Cancel));
    assert_eq!(lookup(Context::Plan, &ctrl_c), Some(Command::Quit));
    assert_eq!(
        lookup(Context::Plan, &ch('d')),
        None,
        "only a capital D destroys"
    );
    assert_eq!(
        lookup(
            Context::Status,
            &KeyEvent::new(KeyCode::Char('D'), KeyModifiers::SHIFT)
        ),
        Some(Command::Destroy)
    );
    for c in ['q', 'y', 'n', 'D', '?', 'b', ' '] {
        assert_eq!(lookup(Context::TypeConfirm, &ch(c)), None, "{c} types");
        assert_eq!(lookup(Context::Search, &ch(c)), None, "{c} types");
    }
}

// ---- snapshots -----------------------------------------------------------------------------

#[test]
fn snapshot_plan() {
    let mut h = Harness::at_review();
    h.ctrl('n');
    h.snapshot("plan_running");
    Harness::planned(demo_plan()).snapshot("plan_succeeded");
    let mut h = Harness::at_review();
    h.ctrl('n');
    let Some(Effect::Plan { generation, .. }) = h.take(|e| matches!(e, Effect::Plan { .. })) else {
        panic!()
    };
    h.deploy(
        generation,
        DeployOutcome::Planned(Err(ServiceError {
            category: "permission".into(),
            message: "AccessDeniedException: not authorized to perform GetMemory".into(),
            hint: Some("allow bedrock-agentcore:Get* for the deployer role".into()),
        })),
    );
    h.snapshot("plan_failed");
    let mut planned = demo_plan();
    planned
        .report
        .drift
        .push(agentcore_tui::deploy::plan::Drift {
            kind: "memory".into(),
            name: planned.report.items[0].name.clone(),
            arn: None,
            reason: "recorded in state but no longer exists in AWS".into(),
        });
    let mut h = Harness::planned(planned);
    h.ch('a');
    h.snapshot("plan_drift_confirm");
}

#[test]
fn snapshot_apply() {
    let report = demo_report();
    let (mut h, run) = Harness::applying();
    h.events(run, apply_events(&report, None, 3));
    h.snapshot("apply_running");

    let (mut h, run) = Harness::applying();
    h.events(run, apply_events(&report, None, 99));
    h.deploy(
        run,
        DeployOutcome::Finished(Ok(RunSummary {
            ok: true,
            cancelled: false,
            summary: "Apply complete: 9 created in 36.0s".into(),
        })),
    );
    h.snapshot("apply_succeeded");

    let runtime = report
        .items
        .iter()
        .find(|i| i.kind == "agent_runtime")
        .unwrap()
        .name
        .clone();
    let (mut h, run) = Harness::applying();
    h.events(run, apply_events(&report, Some(&runtime), 99));
    h.deploy(
        run,
        DeployOutcome::Finished(Ok(RunSummary {
            ok: false,
            cancelled: false,
            summary: "Apply finished with errors".into(),
        })),
    );
    h.snapshot("apply_failed");

    let (mut h, run) = Harness::applying();
    h.events(run, apply_events(&report, None, 2));
    h.ctrl('c');
    h.snapshot("apply_cancel_confirm");
    h.ch('y');
    h.events(
        run,
        vec![Event::Log {
            level: LogLevel::Warn,
            message: "cancelled: 7 resources not started".into(),
        }],
    );
    h.deploy(
        run,
        DeployOutcome::Finished(Ok(RunSummary {
            ok: false,
            cancelled: true,
            summary: "Apply cancelled".into(),
        })),
    );
    h.snapshot("apply_cancelled");
}

#[test]
fn snapshot_status_and_destroy() {
    let (h, _) = status_screen();
    h.snapshot("status_succeeded");
    let (mut h, _) = status_screen();
    h.ch('r');
    h.snapshot("status_running");
    let Some(Effect::FetchStatus { generation, .. }) =
        h.take(|e| matches!(e, Effect::FetchStatus { .. }))
    else {
        panic!()
    };
    h.deploy(
        generation,
        DeployOutcome::Status(Err(ServiceError {
            category: "network".into(),
            message: "connection refused".into(),
            hint: None,
        })),
    );
    h.snapshot("status_failed");
    h.ch('D');
    h.snapshot("destroy_confirm");
    for c in "support-desk".chars() {
        h.ch(c);
    }
    h.press(KeyCode::Enter);
    let Some(Effect::StartRun { run, .. }) = h.take(|e| matches!(e, Effect::StartRun { .. }))
    else {
        panic!()
    };
    let mut events = Vec::new();
    for (step, kind, name) in [
        (Step::AgentRuntimes, "agent_runtime", "triage"),
        (Step::Memory, "memory", "support_desk_memory"),
    ] {
        events.push(Event::StepStarted { step, resources: 1 });
        events.push(Event::Resource {
            step,
            kind: kind.into(),
            name: name.into(),
            phase: ResourcePhase::Waiting("DELETING".into()),
            elapsed: secs(2),
            arn: Some(arn(kind, name)),
        });
    }
    h.events(run, events);
    h.snapshot("destroy_running");
}

// ---- the real runtime against the embedded emulator ----------------------------------------

/// Drives the app with the real effects runtime and AWS services (the embedded emulator) until
/// `done` holds, answering only what the real runtime sends back.
async fn drive(
    app: &mut App,
    rt: &runtime::Runtime,
    rx: &mut tokio::sync::mpsc::Receiver<Action>,
    done: impl Fn(&App) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while !done(app) {
        let action = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the emulator run took too long")
            .expect("runtime channel closed");
        rt.execute_all(app.update(action));
    }
}

/// The end-to-end tests share the process environment (data dir, AWS settings): one at a time.
static E2E: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn e2e_data_dir() {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        // SAFETY: set once, under the E2E lock; the other tests of this binary read no env.
        unsafe { std::env::set_var(agentcore_tui::deploy::state::DATA_DIR_ENV, d.path()) };
        d
    });
}

fn key_action(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_plan_apply_status_destroy_end_to_end() {
    let _one = E2E.lock().await;
    e2e_data_dir();
    let services = std::sync::Arc::new(agentcore_tui::tui::sdk_services::SdkServices::new(None));
    let (rt, mut rx) = runtime::Runtime::start(services, None);
    // The wizard part is covered elsewhere: start from the review step's answers.
    let mut h = Harness::at_review();
    let mut app = h.take_app();
    let key = |c: char| Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    rt.execute_all(app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('n'),
        KeyModifiers::CONTROL,
    ))));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Plan(p) if !p.loading),
    )
    .await;
    let Screen::Plan(p) = &app.deploy.screen else {
        panic!()
    };
    let planned = p
        .planned
        .as_ref()
        .unwrap_or_else(|| panic!("{:?}", p.error));
    assert!(planned.report.has_changes(), "{}", planned.report.summary());
    let state_file = planned.state_file.clone();
    // First apply: cancelled (Ctrl-C, y) as soon as a resource is being made.
    rt.execute_all(app.update(key('a')));
    rt.execute_all(app.update(key('y')));
    drive(&mut app, &rt, &mut rx, |a| {
        matches!(&a.deploy.screen, Screen::Run(r) if r.view.done > 0 || !r.view.phase.is_running())
    })
    .await;
    rt.execute_all(app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    ))));
    rt.execute_all(app.update(key('y')));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Run(r) if !r.view.phase.is_running()),
    )
    .await;
    let Screen::Run(r) = &app.deploy.screen else {
        panic!()
    };
    assert_eq!(r.view.phase, RunPhase::Cancelled, "{:?}", r.view.summary);
    assert!(
        r.view
            .row_ids()
            .any(|(p, i)| matches!(r.view.panes[p].rows[i].phase, ResourcePhase::Skipped(_))),
        "cancelled before the end: later resources never started"
    );
    // Back: the plan shows what is left (or offers to resume); applying again finishes it.
    rt.execute_all(app.update(key('b')));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Plan(p) if !p.loading),
    )
    .await;
    if app.context() == Context::Plan {
        rt.execute_all(app.update(key('a')));
    }
    rt.execute_all(app.update(key('y')));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Run(r) if !r.view.phase.is_running()),
    )
    .await;
    let Screen::Run(r) = &app.deploy.screen else {
        panic!()
    };
    assert_eq!(r.view.phase, RunPhase::Succeeded, "{:?}", r.view.errors);
    assert!(r.view.row_count() > 0);
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| ui::render(&app, f)).unwrap();
    assert!(terminal.backend().to_string().contains("✓ complete"));

    // A crash mid-create leaves a record "creating": the next plan offers to resume.
    let mut st: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
    st["resources"][0]["status"] = "creating".into();
    std::fs::write(&state_file, serde_json::to_string(&st).unwrap()).unwrap();
    rt.execute_all(app.update(key('b')));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Plan(p) if !p.loading),
    )
    .await;
    assert_eq!(app.context(), Context::Confirm, "resume is offered");
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| ui::render(&app, f)).unwrap();
    assert!(
        terminal
            .backend()
            .to_string()
            .contains("A previous apply was interrupted")
    );
    rt.execute_all(app.update(key('y')));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Run(r) if !r.view.phase.is_running()),
    )
    .await;
    let Screen::Run(r) = &app.deploy.screen else {
        panic!()
    };
    assert_eq!(r.view.phase, RunPhase::Succeeded, "{:?}", r.view.errors);

    rt.execute_all(app.update(key('s')));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Status(s) if !s.loading),
    )
    .await;
    let Screen::Status(s) = &app.deploy.screen else {
        panic!()
    };
    let report = s.report.as_ref().unwrap_or_else(|| panic!("{:?}", s.error));
    assert!(!report.resources.is_empty());
    assert!(
        report.resources.iter().all(|r| r.arn.is_some()),
        "{report:?}"
    );

    let id = s.pack_id.clone();
    rt.execute_all(app.update(key('D')));
    for c in id.chars() {
        rt.execute_all(app.update(key(c)));
    }
    rt.execute_all(app.update(Action::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    ))));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Run(r) if !r.view.phase.is_running()),
    )
    .await;
    let Screen::Run(r) = &app.deploy.screen else {
        panic!()
    };
    assert_eq!(r.view.kind, RunKind::Destroy);
    assert_eq!(r.view.phase, RunPhase::Succeeded, "{:?}", r.view.errors);
    let rows: Vec<_> = r
        .view
        .row_ids()
        .map(|(p, i)| &r.view.panes[p].rows[i])
        .collect();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|row| row.phase == ResourcePhase::Deleted),
        "{rows:?}"
    );
}

/// Plans until a plan comes back (a plan under faults may fail; `r` retries it).
async fn plan_until_ok(
    app: &mut App,
    rt: &runtime::Runtime,
    rx: &mut tokio::sync::mpsc::Receiver<Action>,
) {
    for _ in 0..5 {
        drive(
            app,
            rt,
            rx,
            |a| matches!(&a.deploy.screen, Screen::Plan(p) if !p.loading),
        )
        .await;
        let Screen::Plan(p) = &app.deploy.screen else {
            panic!()
        };
        if p.planned.is_some() {
            return;
        }
        let e = p.error.as_ref().expect("a plan or an error");
        assert!(!e.category.is_empty() && !e.message.is_empty());
        rt.execute_all(app.update(key_action('r')));
    }
    panic!("no plan after 5 attempts under faults");
}

/// AWS through a named profile (config and credentials files, `AWS_ENDPOINT_URL`) with an
/// emulator that throttles, fails with 5xx and adds latency. Failures must come with a category
/// and a hint, and applying again must converge (resume adopts what exists).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_under_injected_faults_explains_failures_and_converges() {
    let _one = E2E.lock().await;
    e2e_data_dir();
    let faults = agentcore_emulator::Faults::parse("latency=20ms,throttle=0.1,5xx=0.05").unwrap();
    let emu = agentcore_emulator::Emulator::start(agentcore_emulator::Config {
        faults,
        ..agentcore_emulator::Config::default()
    })
    .await
    .unwrap();
    let aws = tempfile::tempdir().unwrap();
    let config = aws.path().join("config");
    let credentials = aws.path().join("credentials");
    std::fs::write(&config, "[profile faulty]\nregion = us-east-1\n").unwrap();
    std::fs::write(
        &credentials,
        "[faulty]\naws_access_key_id = local\naws_secret_access_key = local\n",
    )
    .unwrap();
    // SAFETY: under the E2E lock; nothing else in this binary reads these.
    unsafe {
        std::env::set_var("AWS_CONFIG_FILE", &config);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials);
        std::env::set_var("AWS_ENDPOINT_URL", emu.endpoint_url());
    }
    let services = std::sync::Arc::new(agentcore_tui::tui::sdk_services::SdkServices::new(None));
    let (rt, mut rx) = runtime::Runtime::start(services, None);
    let mut h = Harness::at_review_with(Answers {
        target: Some(AwsTarget::Profile("faulty".into())),
        ..demo_answers()
    });
    let mut app = h.take_app();
    rt.execute_all(app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('n'),
        KeyModifiers::CONTROL,
    ))));
    let mut attempts = 0;
    loop {
        attempts += 1;
        plan_until_ok(&mut app, &rt, &mut rx).await;
        rt.execute_all(app.update(key_action('a')));
        rt.execute_all(app.update(key_action('y')));
        drive(
            &mut app,
            &rt,
            &mut rx,
            |a| matches!(&a.deploy.screen, Screen::Run(r) if !r.view.phase.is_running()),
        )
        .await;
        let Screen::Run(r) = &app.deploy.screen else {
            panic!()
        };
        if r.view.phase == RunPhase::Succeeded {
            break;
        }
        assert_eq!(r.view.phase, RunPhase::Failed);
        for e in &r.view.errors {
            assert!(
                [
                    "permission",
                    "network",
                    "timeout",
                    "configuration",
                    "resource"
                ]
                .contains(&e.category.as_str()),
                "{e:?}"
            );
            assert!(!e.message.is_empty(), "{e:?}");
        }
        assert!(attempts < 4, "no convergence: {:?}", r.view.errors);
        // Back to a fresh plan, which shows what is left, then apply again.
        rt.execute_all(app.update(key_action('b')));
    }
    // Clean up without faults so the shared state dir is empty for the other test.
    emu.set_faults(agentcore_emulator::Faults::none());
    rt.execute_all(app.update(key_action('s')));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Status(s) if !s.loading),
    )
    .await;
    let Screen::Status(s) = &app.deploy.screen else {
        panic!()
    };
    let id = s.pack_id.clone();
    rt.execute_all(app.update(key_action('D')));
    for c in id.chars() {
        rt.execute_all(app.update(key_action(c)));
    }
    rt.execute_all(app.update(Action::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    ))));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Run(r) if !r.view.phase.is_running()),
    )
    .await;
    let Screen::Run(r) = &app.deploy.screen else {
        panic!()
    };
    assert_eq!(r.view.phase, RunPhase::Succeeded, "{:?}", r.view.errors);
    unsafe {
        std::env::remove_var("AWS_ENDPOINT_URL");
    }
    emu.shutdown().await;
}

// ---- one count on the apply screen: the engine's own events, replayed --------------------

/// The engine applies the demo plan against an in-process emulator; its events and report are
/// what the apply screen would be sent. `cancel_at` cancels when that call starts.
fn engine_run(cancel_at: Option<&str>) -> (Vec<Event>, RunSummary) {
    use agentcore_tui::deploy::apply::{self, ApplyOptions, ArtifactSource};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let emulator = agentcore_emulator::Emulator::start(agentcore_emulator::Config {
            world: agentcore_emulator::World::Demo,
            timing: agentcore_emulator::Timing::with_provisioning(Duration::from_millis(200)),
            ..agentcore_emulator::Config::default()
        })
        .await
        .unwrap();
        let clients =
            agentcore_tui::aws::Clients::for_endpoint(&emulator.endpoint_url(), "us-east-1")
                .await
                .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(
            agentcore_tui::deploy::state::StateStore::open_path(dir.path().join("s.json")).unwrap(),
        );
        let pack = agentcore_tui::pack::load_path(std::path::Path::new(DEMO_PACK)).unwrap();
        let cfg = agentcore_tui::services::answers::deploy_config(&demo_answers());
        let plan = agentcore_tui::derive::derive(&pack, &cfg).unwrap();
        let cancel = tokio_util::sync::CancellationToken::new();
        let (tx, mut rx) = agentcore_tui::deploy::events::channel();
        let dep = agentcore_tui::deploy::Deployment::new(
            clients,
            emulator.account_id().to_owned(),
            store,
        )
        .with_events(tx)
        .with_cancel(cancel.clone())
        .with_poll(agentcore_tui::deploy::poll::PollPolicy {
            first: Duration::from_millis(20),
            factor: 0.2,
            cap: Duration::from_millis(100),
            timeout: Duration::from_secs(60),
        });
        let opts = ApplyOptions {
            artifact: ArtifactSource::Code(PathBuf::from(DEMO_BINARY)),
            pack_json: std::fs::read_to_string(DEMO_PACK).unwrap(),
        };
        let run = tokio::spawn(async move { apply::apply(&dep, &plan, &opts).await });
        let mut events = Vec::new();
        while let Some(ev) = rx.recv().await {
            if let (
                Some(op),
                Event::Resource {
                    phase: ResourcePhase::Calling(c),
                    ..
                },
            ) = (cancel_at, &ev)
                && c == op
            {
                cancel.cancel();
            }
            events.push(ev);
        }
        let report = run.await.unwrap();
        let summary = RunSummary {
            ok: report.ok(),
            cancelled: report.cancelled,
            summary: report.summary(),
        };
        (events, summary)
    })
}

fn gauge_line(h: &Harness) -> String {
    h.screen(100, 30)
        .lines()
        .find(|l| l.contains("Apply ") && l.contains('/'))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn plan_gauge_and_report_agree_before_during_and_after_an_apply() {
    let (events, summary) = engine_run(None);
    let report = demo_report();
    let planned = report.count(agentcore_tui::deploy::plan::Action::Create);
    assert!(report.summary().contains(&format!("{planned} to create")));
    let (mut h, run) = Harness::applying();
    assert!(
        gauge_line(&h).contains(&format!("Apply 0/{planned}")),
        "{}",
        gauge_line(&h)
    );
    let mut seen = 0;
    for e in events {
        let progress = match &e {
            Event::Progress { done, total, .. } => Some((*done, *total)),
            _ => None,
        };
        h.events(run, vec![e]);
        if let Some((done, total)) = progress {
            seen += 1;
            assert_eq!(total, planned, "the engine counts what the plan listed");
            let line = gauge_line(&h);
            assert!(
                line.contains(&format!("Apply {done}/{planned}")),
                "during: {line}"
            );
        }
    }
    assert_eq!(seen, planned, "one progress per planned resource");
    h.deploy(run, DeployOutcome::Finished(Ok(summary.clone())));
    assert_eq!(h.run_phase(), RunPhase::Succeeded);
    let line = gauge_line(&h);
    assert!(
        line.contains(&format!("Apply {planned}/{planned}")),
        "after: {line}"
    );
    assert!(
        summary.summary.contains(&format!("{planned} created")),
        "{}",
        summary.summary
    );
}

#[test]
fn a_cancelled_apply_shows_only_finished_resources_as_done() {
    let (events, summary) = engine_run(Some("CreateAgentRuntime"));
    assert!(summary.cancelled);
    let planned = demo_report().count(agentcore_tui::deploy::plan::Action::Create);
    let (mut h, run) = Harness::applying();
    h.events(run, events);
    h.deploy(run, DeployOutcome::Finished(Ok(summary.clone())));
    assert_eq!(h.run_phase(), RunPhase::Cancelled);
    let Screen::Run(r) = &h.app.deploy.screen else {
        panic!("not on the run screen")
    };
    let v = &r.view;
    assert_eq!(v.total, planned);
    assert!(
        v.done < planned,
        "a cancelled apply is not full: {}/{}",
        v.done,
        v.total
    );
    assert_eq!(
        v.done + v.failed + v.skipped,
        planned,
        "every resource counted once"
    );
    assert!(v.skipped > 0);
    let line = gauge_line(&h);
    assert!(
        line.contains(&format!("Apply {}/{planned}", v.done)) && line.contains("skipped"),
        "{line}"
    );
    assert!(
        summary.summary.contains(&format!("{} skipped", v.skipped)),
        "the report says the same: {}",
        summary.summary
    );
    assert_eq!(
        r.view.row_count(),
        planned,
        "the A2A wiring adds no row of its own"
    );
}

// ---- after a restart: an interrupted apply is offered at startup ---------------------------

/// The app started as the binary starts it (saved answers offered), the wizard's own startup
/// effects answered, then the saved-answers lookup answered with `saved`; returns its effects.
fn started_with(saved: Option<Answers>) -> (Harness, Vec<Effect>) {
    let mut h = Harness::started(demo_answers(), true, Theme::monochrome(), (100, 30));
    assert!(h.pending.contains(&Effect::LoadSavedAnswers));
    h.pending.retain(|e| *e != Effect::LoadSavedAnswers);
    h.settle();
    let effects = h.app.update(Action::Task(TaskResult {
        generation: Gen::default(),
        outcome: Outcome::SavedAnswers(saved.map(Box::new)),
    }));
    (h, effects)
}

fn checks(effects: &[Effect]) -> Vec<Answers> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::CheckInterrupted { answers } => Some((**answers).clone()),
            _ => None,
        })
        .collect()
}

fn left_creating() -> Vec<String> {
    vec![
        "gateway support-desk-gw".into(),
        "agent_runtime triage".into(),
    ]
}

fn interrupted(h: &mut Harness, found: Result<Vec<String>, ServiceError>) {
    h.deploy(Gen::default(), DeployOutcome::Interrupted(found));
}

#[test]
fn startup_checks_the_state_then_offers_to_resume_and_enter_means_later() {
    let (mut h, effects) = started_with(None);
    assert_eq!(
        checks(&effects),
        [demo_answers()],
        "the state of the answers is read by an effect, not in update"
    );
    assert_eq!(
        h.app.overlay, None,
        "nothing to ask before the state is read"
    );
    interrupted(&mut h, Ok(left_creating()));
    assert_eq!(h.app.overlay, Some(Overlay::ResumeApply(left_creating())));
    assert_eq!(h.app.context(), Context::Confirm);
    h.press(KeyCode::Enter);
    assert_eq!(h.app.overlay, None, "Enter is the default: later");
    assert!(h.app.deploy.is_wizard());
    assert!(
        !h.pending.iter().any(|e| matches!(e, Effect::Plan { .. })),
        "declining plans nothing: {:?}",
        h.pending
    );
}

#[test]
fn nothing_left_creating_or_an_unreachable_target_asks_nothing() {
    let (mut h, _) = started_with(None);
    interrupted(&mut h, Ok(Vec::new()));
    assert_eq!(h.app.overlay, None);
    interrupted(
        &mut h,
        Err(ServiceError {
            category: "network".into(),
            message: "connection refused".into(),
            hint: None,
        }),
    );
    assert_eq!(h.app.overlay, None);
}

#[test]
fn the_saved_answers_question_comes_first_then_yes_resumes_through_the_plan() {
    let saved = Answers {
        region: "eu-west-1".into(),
        ..demo_answers()
    };
    let (mut h, effects) = started_with(Some(saved.clone()));
    assert!(matches!(h.app.overlay, Some(Overlay::Resume(_))));
    assert!(
        checks(&effects).is_empty(),
        "which answers to check is not known before the first question is answered"
    );
    // A late answer to an earlier check never replaces the question being asked.
    interrupted(&mut h, Ok(left_creating()));
    assert!(matches!(h.app.overlay, Some(Overlay::Resume(_))));
    let effects = h.app.update(key_action('y'));
    assert_eq!(
        checks(&effects),
        std::slice::from_ref(&saved),
        "the chosen answers' state"
    );
    assert_eq!(
        h.app.overlay,
        Some(Overlay::ResumeApply(left_creating())),
        "asked next, once the first question is settled"
    );
    h.ch('y');
    assert_eq!(h.app.overlay, None);
    let Some(Effect::Plan {
        generation,
        answers,
    }) = h.take(|e| matches!(e, Effect::Plan { .. }))
    else {
        panic!("yes goes to the plan: {:?}", h.pending)
    };
    assert_eq!(*answers, saved);
    assert_eq!(h.app.context(), Context::Plan);
    h.deploy(
        generation,
        DeployOutcome::Planned(Ok(Box::new(PlannedDeploy {
            interrupted: left_creating(),
            ..demo_plan()
        }))),
    );
    assert_eq!(
        h.app.context(),
        Context::Confirm,
        "the plan's resume question"
    );
    h.ch('y');
    assert!(
        h.take(|e| matches!(
            e,
            Effect::StartRun {
                kind: RunKind::Apply,
                ..
            }
        ))
        .is_some(),
        "resuming is an apply"
    );
}

#[test]
fn snapshot_resume_interrupted_apply_at_startup() {
    let (mut h, _) = started_with(None);
    interrupted(&mut h, Ok(left_creating()));
    h.snapshot("startup_resume_apply");
}

/// Resources run by the dependency graph: panes of independent steps run at the same time.
fn overlapping_events(report: &PlanReport) -> Vec<Event> {
    let first = |step: Step| {
        report
            .items
            .iter()
            .find(|i| i.step == Some(step))
            .unwrap_or_else(|| panic!("the demo plan has no {step:?}"))
    };
    let mut out = Vec::new();
    for (step, phase, elapsed) in [
        (
            Step::ToolGateways,
            ResourcePhase::Calling("CreateGateway".into()),
            secs(0),
        ),
        // The policy engine names no gateway: it is made beside it from the start.
        (
            Step::CedarPolicies,
            ResourcePhase::Waiting("CREATING".into()),
            secs(1),
        ),
    ] {
        let count = report.items.iter().filter(|i| i.step == Some(step)).count();
        out.push(Event::StepStarted {
            step,
            resources: count,
        });
        let i = first(step);
        out.push(Event::Resource {
            step,
            kind: i.kind.clone(),
            name: i.name.clone(),
            phase,
            elapsed,
            arn: Some(arn(&i.kind, &i.name)),
        });
    }
    out
}

#[test]
fn snapshot_apply_runs_independent_steps_at_once() {
    let report = demo_report();
    let (mut h, run) = Harness::applying();
    h.events(run, overlapping_events(&report));
    let screen = h.screen(100, 30);
    let running: Vec<&str> = screen
        .lines()
        .filter(|l| {
            let t = l.trim_start_matches('"').trim_start();
            t.starts_with(|c: char| ('\u{2800}'..='\u{28ff}').contains(&c))
                && ["Tool gateways", "Cedar policies"].iter().any(|s| {
                    t[t.char_indices().nth(1).map_or(0, |(i, _)| i)..]
                        .trim_start()
                        .starts_with(s)
                })
        })
        .collect();
    assert_eq!(running.len(), 2, "both panes must be running:\n{screen}");
    h.snapshot("apply_steps_overlap");
}

// ---- the Logs view of a runtime ------------------------------------------------------------

const T0: i64 = 1_765_000_000_000;

fn log_line(i: i64, message: &str) -> agentcore_tui::monitor::logs::Line {
    agentcore_tui::monitor::logs::Line {
        timestamp: T0 + i * 1000,
        group: GROUP.into(),
        stream: "2026/12/07/[runtime-logs]abc".into(),
        level: agentcore_tui::monitor::logs::level_of(message),
        message: message.into(),
        event_id: format!("e{i}"),
    }
}

fn demo_log_lines() -> Vec<agentcore_tui::monitor::logs::Line> {
    [
        "INFO request session=s-1 prompt=\"where is order 42?\"",
        "DEBUG tool call lookup_order {\"order\": 42}",
        "INFO response 212 chars in 38 ms",
        "WARN slow tool lookup_order: 1.2 s",
        "ERROR tool call refund_order failed: AccessDenied",
        "Traceback (most recent call last):",
        "INFO request session=s-2 prompt=\"cancel order 7\"",
        "evil \u{1b}]0;pwned\u{7} title",
    ]
    .iter()
    .zip(0..)
    .map(|(m, i)| log_line(i, m))
    .collect()
}

/// A read of the runtime's group alone; the first one also names the groups.
fn read(group: &str, lines: Option<Vec<agentcore_tui::monitor::logs::Line>>) -> DeployOutcome {
    use agentcore_tui::monitor::logs::{Fetched, RUNTIME_LABEL};
    DeployOutcome::Logs(Ok(agentcore_tui::tui::services::LogsRead {
        groups: Some(vec![(RUNTIME_LABEL, group.into())]),
        start_ms: T0 - 600_000,
        fetched: vec![(group.into(), lines.map_or(Fetched::NoGroup, Fetched::Lines))],
    }))
}

const GROUP: &str = "/aws/bedrock-agentcore/runtimes/triage-a1b2c3-DEFAULT";

fn logs_state(h: &Harness) -> &agentcore_tui::tui::screens::deploy::LogsState {
    match &h.app.deploy.screen {
        Screen::Logs(l) => l,
        _ => panic!("not on the Logs view: {:?}", h.app.context()),
    }
}

/// Status, then Enter on the runtime row: the Logs view and its first read.
fn logs_screen() -> (Harness, Gen) {
    let (mut h, _) = status_screen();
    h.press(KeyCode::Down);
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    let Some(Effect::FetchLogs {
        generation, query, ..
    }) = h.take(|e| matches!(e, Effect::FetchLogs { .. }))
    else {
        panic!("Enter on a runtime reads its logs: {:?}", h.pending)
    };
    assert_eq!(query.runtime, "triage");
    assert_eq!(query.reads, None, "the first read finds the groups");
    assert_eq!(query.range, Duration::from_secs(15 * 60));
    (h, generation)
}

#[test]
fn enter_on_a_runtime_opens_its_logs_and_esc_returns_to_a_refreshed_status() {
    let (mut h, g) = logs_screen();
    assert_eq!(h.app.context(), Context::Logs);
    h.deploy(g, read(GROUP, Some(demo_log_lines())));
    assert_eq!(logs_state(&h).lines.len(), 8);
    assert!(h.screen(100, 30).contains("where is order 42?"));
    h.press(KeyCode::Esc);
    assert_eq!(h.app.context(), Context::Status);
    assert!(
        h.take(|e| matches!(e, Effect::FetchStatus { .. }))
            .is_some(),
        "back on Status, it refreshes"
    );
    // Any other resource still shows its detail.
    let (mut h, _) = status_screen();
    h.press(KeyCode::Enter);
    assert_eq!(h.app.context(), Context::Detail);
    assert!(h.take(|e| matches!(e, Effect::FetchLogs { .. })).is_none());
}

#[test]
fn the_tail_reads_on_from_its_cursor_and_stops_when_the_view_closes() {
    let (mut h, g) = logs_screen();
    h.deploy(g, read(GROUP, Some(demo_log_lines())));
    // Lines came: the next read is 500 ms (5 ticks) later, from the newest line, by group.
    for _ in 0..4 {
        h.apply(Action::Tick);
    }
    assert!(h.take(|e| matches!(e, Effect::FetchLogs { .. })).is_none());
    h.apply(Action::Tick);
    let Some(Effect::FetchLogs {
        generation, query, ..
    }) = h.take(|e| matches!(e, Effect::FetchLogs { .. }))
    else {
        panic!("the tail polls: {:?}", h.pending)
    };
    assert_eq!(query.reads, Some(vec![(GROUP.to_string(), T0 + 7000)]));
    // The same lines again plus one: only the new one is added.
    let mut again = demo_log_lines();
    again.push(log_line(9, "INFO request session=s-3 prompt=\"hello\""));
    h.deploy(generation, read(GROUP, Some(again)));
    assert_eq!(logs_state(&h).lines.len(), 9);
    // Closed: no more reads however long it waits.
    h.press(KeyCode::Esc);
    h.pending.clear();
    for _ in 0..200 {
        h.apply(Action::Tick);
    }
    assert!(h.take(|e| matches!(e, Effect::FetchLogs { .. })).is_none());
}

#[test]
fn a_read_answered_after_the_view_was_left_is_dropped() {
    let (mut h, first) = logs_screen();
    h.press(KeyCode::Esc);
    h.press(KeyCode::Enter);
    let Some(Effect::FetchLogs { generation, .. }) =
        h.take(|e| matches!(e, Effect::FetchLogs { .. }))
    else {
        panic!("reopened: {:?}", h.pending)
    };
    h.deploy(first, read(GROUP, Some(demo_log_lines())));
    assert!(logs_state(&h).lines.is_empty(), "a stale read is dropped");
    h.deploy(
        generation,
        read(GROUP, Some(demo_log_lines()[..2].to_vec())),
    );
    assert_eq!(logs_state(&h).lines.len(), 2);
}

#[test]
fn the_ring_keeps_the_newest_lines_only() {
    use agentcore_tui::tui::screens::deploy::logs::CAPACITY;
    let (mut h, g) = logs_screen();
    let n = i64::try_from(CAPACITY).unwrap() + 50;
    let lines = (0..n)
        .map(|i| log_line(i, &format!("INFO line {i}")))
        .collect();
    h.deploy(g, read(GROUP, Some(lines)));
    let l = logs_state(&h);
    assert_eq!(l.lines.len(), CAPACITY);
    assert_eq!(l.lines.front().unwrap().message, "INFO line 50");
    assert_eq!(
        l.lines.back().unwrap().message,
        format!("INFO line {}", n - 1)
    );
    // A filter over the full ring is applied newest first, a slice per key or tick: the
    // newest matches show at once, the count completes on the next ticks.
    let want = l
        .lines
        .iter()
        .filter(|x| x.message.contains("line 9"))
        .count();
    h.ch('/');
    h.type_text("line 9");
    let partial = logs_state(&h).shown_count();
    assert!(partial > 0 && partial < want, "{partial} of {want}");
    assert!(h.screen(100, 30).contains("(filtering… "));
    assert!(h.screen(100, 30).contains("line 99999 "));
    h.press(KeyCode::Enter);
    h.ch(' ');
    for _ in 0..20 {
        h.apply(Action::Tick);
    }
    assert_eq!(
        logs_state(&h).shown_count(),
        want,
        "paused, the scan still ends"
    );
    assert!(!h.screen(100, 30).contains("filtering…"));
}

#[test]
fn pause_stops_reading_and_filters_apply_as_typed() {
    let (mut h, g) = logs_screen();
    h.deploy(g, read(GROUP, Some(demo_log_lines())));
    h.ch(' ');
    for _ in 0..100 {
        h.apply(Action::Tick);
    }
    assert!(
        h.take(|e| matches!(e, Effect::FetchLogs { .. })).is_none(),
        "paused: no reads"
    );
    h.ch('/');
    assert_eq!(h.app.context(), Context::LogFilter);
    h.type_text("order");
    assert_eq!(logs_state(&h).shown_count(), 5, "filtered as typed");
    h.press(KeyCode::Enter);
    h.ch('l');
    h.ch('l');
    h.ch('l');
    // At WARN and above: the slow tool and the refund error.
    assert_eq!(logs_state(&h).shown_count(), 2);
    h.ch('l');
    h.ch('l');
    h.ch('/');
    h.press(KeyCode::Esc);
    assert_eq!(logs_state(&h).shown_count(), 8, "Esc clears the filter");
    // Space resumes and reads at once.
    h.ch(' ');
    assert!(h.take(|e| matches!(e, Effect::FetchLogs { .. })).is_some());
}

#[test]
fn scrolling_holds_its_place_while_lines_arrive() {
    let (mut h, g) = logs_screen();
    let lines = (0..60)
        .map(|i| log_line(i, &format!("INFO line {i}")))
        .collect();
    h.deploy(g, read(GROUP, Some(lines)));
    h.press(KeyCode::PageUp);
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("line 39") && !screen.contains("line 59"),
        "{screen}"
    );
    for _ in 0..5 {
        h.apply(Action::Tick);
    }
    let Some(Effect::FetchLogs { generation, .. }) =
        h.take(|e| matches!(e, Effect::FetchLogs { .. }))
    else {
        panic!()
    };
    h.deploy(
        generation,
        read(GROUP, Some(vec![log_line(60, "INFO line 60")])),
    );
    assert!(
        h.screen(100, 30).contains("line 39"),
        "the view did not move"
    );
    h.ch('G');
    assert!(h.screen(100, 30).contains("line 60"));
    h.ch('g');
    assert!(h.screen(100, 30).contains("line 0 "));
    // Long lines scroll sideways.
    h.press(KeyCode::Right);
    assert!(!h.screen(100, 30).contains("line 0 "));
    h.press(KeyCode::Left);
    assert!(h.screen(100, 30).contains("line 0 "));
}

#[test]
fn t_steps_the_time_range_and_reads_again_from_that_far_back() {
    let (mut h, g) = logs_screen();
    h.deploy(g, read(GROUP, Some(demo_log_lines())));
    assert!(h.screen(100, 30).contains("last 15m"));
    h.ch('t');
    let Some(Effect::FetchLogs {
        generation, query, ..
    }) = h.take(|e| matches!(e, Effect::FetchLogs { .. }))
    else {
        panic!("t reads again: {:?}", h.pending)
    };
    assert_eq!(query.range, Duration::from_secs(3600));
    assert_eq!(query.reads, None, "from the start of the new range");
    assert!(logs_state(&h).lines.is_empty());
    // The answer of the read before the change is stale.
    h.deploy(g, read(GROUP, Some(demo_log_lines())));
    assert!(logs_state(&h).lines.is_empty());
    h.deploy(
        generation,
        read(GROUP, Some(demo_log_lines()[..3].to_vec())),
    );
    assert_eq!(logs_state(&h).lines.len(), 3);
    assert!(h.screen(100, 30).contains("last 1h"));
    for want in ["6h", "24h", "5m", "15m"] {
        h.ch('t');
        assert!(
            h.screen(100, 30).contains(&format!("last {want} ")),
            "{want}"
        );
    }
}

#[test]
fn c_copies_the_selected_line_sanitised_and_says_so() {
    let (mut h, g) = logs_screen();
    h.deploy(g, read(GROUP, Some(demo_log_lines())));
    // Following: the newest line is selected; it holds an escape sequence.
    h.ch('c');
    let Some(Effect::CopyToClipboard(text)) = h.take(|e| matches!(e, Effect::CopyToClipboard(_)))
    else {
        panic!("c copies: {:?}", h.pending)
    };
    assert!(text.ends_with(r"- evil \e]0;pwned\u{7} title"), "{text}");
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(h.screen(100, 30).contains("✓ copied the line of"));
    // Scrolled up two lines: that line is the one copied.
    h.press(KeyCode::Up);
    h.press(KeyCode::Up);
    h.ch('c');
    let Some(Effect::CopyToClipboard(text)) = h.take(|e| matches!(e, Effect::CopyToClipboard(_)))
    else {
        panic!()
    };
    assert!(
        text.ends_with("- Traceback (most recent call last):"),
        "{text}"
    );
    assert!(text.starts_with("2025-12-06T05:46:45.000Z"), "{text}");
}

#[test]
fn the_pack_log_group_is_tailed_beside_the_runtime_group_with_each_line_labelled() {
    use agentcore_tui::monitor::logs::{Fetched, PACK_LABEL, RUNTIME_LABEL};
    const PACK_GROUP: &str = "/aws/bedrock-agentcore/support-desk";
    let (mut h, g) = logs_screen();
    let mut pack_line = log_line(3, "INFO request from the pack's logger");
    pack_line.group = PACK_GROUP.into();
    pack_line.event_id = "p1".into();
    h.deploy(
        g,
        DeployOutcome::Logs(Ok(agentcore_tui::tui::services::LogsRead {
            groups: Some(vec![
                (RUNTIME_LABEL, GROUP.into()),
                (PACK_LABEL, PACK_GROUP.into()),
            ]),
            start_ms: T0 - 600_000,
            fetched: vec![
                (GROUP.into(), Fetched::Lines(demo_log_lines()[..2].to_vec())),
                (PACK_GROUP.into(), Fetched::Lines(vec![pack_line])),
            ],
        })),
    );
    let screen = h.screen(100, 30);
    assert!(
        screen.contains(&format!("and pack group {PACK_GROUP}")),
        "{screen}"
    );
    let row = screen
        .lines()
        .find(|l| l.contains("request from the pack's logger"))
        .unwrap();
    assert!(row.contains("pack "), "{row}");
    let row = screen.lines().find(|l| l.contains("tool call")).unwrap();
    assert!(row.contains("runtime "), "{row}");
    h.snapshot("logs_two_groups");
    // The next read asks each group from its own newest line.
    for _ in 0..5 {
        h.apply(Action::Tick);
    }
    let Some(Effect::FetchLogs { query, .. }) = h.take(|e| matches!(e, Effect::FetchLogs { .. }))
    else {
        panic!()
    };
    assert_eq!(
        query.reads,
        Some(vec![
            (GROUP.to_string(), T0 + 1000),
            (PACK_GROUP.to_string(), T0 + 3000)
        ])
    );
}

#[test]
fn help_on_status_lists_enter_for_the_logs() {
    let (mut h, _) = status_screen();
    h.ch('?');
    assert!(h.screen(100, 30).contains("logs of an agent runtime"));
}

#[test]
fn snapshot_logs() {
    let (mut h, g) = logs_screen();
    h.deploy(g, read(GROUP, Some(demo_log_lines())));
    let screen = h.screen(100, 30);
    assert!(
        screen.contains(r"evil \e]0;pwned\u{7} title"),
        "control characters are shown, not obeyed: {screen}"
    );
    h.snapshot("logs_following");
    h.ch(' ');
    h.ch('/');
    h.type_text("order");
    h.snapshot("logs_paused_filtered");
    let (mut h, g) = logs_screen();
    h.deploy(g, read(GROUP, None));
    assert!(
        h.screen(100, 30)
            .contains("logs can take a minute to appear")
    );
    h.snapshot("logs_empty");
    let (mut h, g) = logs_screen();
    h.deploy(
        g,
        DeployOutcome::Logs(Err(ServiceError {
            category: "permission".into(),
            message: "logs:FilterLogEvents denied: add it to the policy of arn:aws:iam::111122223333:role/Dev".into(),
            hint: None,
        })),
    );
    h.snapshot("logs_denied");
}

/// Apply the demo on an emulator, open the runtime's Logs view from Status, invoke the runtime
/// through the monitor, and see the emulator agent's log line of that prompt arrive in the view.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_logs_view_tails_what_an_invoke_wrote_on_the_emulator() {
    let _one = E2E.lock().await;
    e2e_data_dir();
    let emu = agentcore_emulator::Emulator::start(agentcore_emulator::Config::default())
        .await
        .unwrap();
    let clients = agentcore_tui::aws::Clients::for_endpoint(&emu.endpoint_url(), "us-east-1")
        .await
        .unwrap();
    let services = std::sync::Arc::new(agentcore_tui::tui::sdk_services::SdkServices::new(None));
    services
        .preload(AwsTarget::Local, "us-east-1", clients.clone())
        .await;
    let (rt, mut rx) = runtime::Runtime::start(services, None);
    let mut h = Harness::at_review();
    let mut app = h.take_app();
    rt.execute_all(app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('n'),
        KeyModifiers::CONTROL,
    ))));
    plan_until_ok(&mut app, &rt, &mut rx).await;
    if app.context() == Context::Plan {
        rt.execute_all(app.update(key_action('a')));
    }
    rt.execute_all(app.update(key_action('y')));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Run(r) if !r.view.phase.is_running()),
    )
    .await;
    rt.execute_all(app.update(key_action('s')));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Status(s) if s.report.is_some() && !s.loading),
    )
    .await;
    let Screen::Status(s) = &app.deploy.screen else {
        panic!()
    };
    let resources = &s.report.as_ref().unwrap().resources;
    let row = resources
        .iter()
        .position(|r| r.kind == "agent_runtime")
        .unwrap_or_else(|| panic!("no runtime deployed: {resources:?}"));
    let deployed = resources[row].clone();
    for _ in 0..row {
        rt.execute_all(app.update(Action::Key(KeyEvent::new(
            KeyCode::Down,
            KeyModifiers::NONE,
        ))));
    }
    rt.execute_all(app.update(Action::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    ))));
    assert_eq!(app.context(), Context::Logs);

    let prompt = "my parcel 9031 never arrived";
    let arn = deployed.arn.clone().unwrap();
    let runtime = agentcore_tui::monitor::target::Runtime {
        name: deployed.name.clone(),
        agent: None,
        id: agentcore_tui::arn::resource_id(&arn).to_owned(),
        arn,
        pack_log_group: None,
    };
    let answer = agentcore_tui::monitor::invoke::invoke(&clients, &runtime, prompt, None, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{}", e.message));
    assert!(!answer.answer.is_empty());

    // The run loop's ticks pace the tail; here they come from a timer.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let arrived = |a: &App| match &a.deploy.screen {
        Screen::Logs(l) => l.lines.iter().any(|line| line.message.contains(prompt)),
        _ => false,
    };
    while !arrived(&app) {
        let action = tokio::select! {
            _ = tick.tick() => Action::Tick,
            a = rx.recv() => a.expect("runtime channel closed"),
        };
        assert!(
            tokio::time::Instant::now() < deadline,
            "the invoke's log line never reached the view"
        );
        rt.execute_all(app.update(action));
    }
    let Screen::Logs(l) = &app.deploy.screen else {
        panic!()
    };
    let groups: Vec<&str> = l
        .tail
        .as_ref()
        .unwrap()
        .sources
        .iter()
        .map(|s| s.group.as_str())
        .collect();
    assert_eq!(
        groups.first().copied(),
        Some(runtime.log_group().as_str()),
        "the runtime's own group comes first"
    );
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| ui::render(&app, f)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains(r#""event":"request""#), "{screen}");

    // The Invoke view sends through the real services too, and keeps the session.
    rt.execute_all(app.update(Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))));
    rt.execute_all(app.update(key_action('i')));
    assert_eq!(app.context(), Context::Invoke);
    for c in "is parcel 9031 lost?".chars() {
        rt.execute_all(app.update(key_action(c)));
    }
    rt.execute_all(app.update(Action::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    ))));
    drive(
        &mut app,
        &rt,
        &mut rx,
        |a| matches!(&a.deploy.screen, Screen::Invoke(i) if !i.sending()),
    )
    .await;
    let Screen::Invoke(i) = &app.deploy.screen else {
        panic!()
    };
    let got = i.exchanges[0].answer.as_ref().unwrap();
    let got = got.as_ref().unwrap_or_else(|e| panic!("{}", e.message));
    assert!(got.answer.contains("9031"), "{}", got.answer);
    assert_eq!(i.session.as_deref(), Some(got.session_id.as_str()));
}

// ---- the Invoke view of a runtime ----------------------------------------------------------

fn invoke_screen() -> Harness {
    let (mut h, _) = status_screen();
    h.press(KeyCode::Down);
    h.press(KeyCode::Down);
    h.ch('i');
    assert_eq!(h.app.context(), Context::Invoke);
    h
}

fn sent(h: &mut Harness) -> (Gen, String, Option<String>) {
    let Some(Effect::Invoke {
        generation,
        runtime,
        prompt,
        session,
        ..
    }) = h.take(|e| matches!(e, Effect::Invoke { .. }))
    else {
        panic!("Enter sends the prompt: {:?}", h.pending)
    };
    assert_eq!(runtime, "triage");
    (generation, prompt, session)
}

const SESSION: &str = "5f0c2a9e-1b7d-4c4e-9a3f-7e2d8b6c1a90";

fn answer(text: &str) -> DeployOutcome {
    DeployOutcome::Invoked(Ok(Box::new(agentcore_tui::monitor::invoke::Answer {
        runtime: "triage".into(),
        session_id: SESSION.into(),
        content_type: "text/event-stream".into(),
        answer: text.into(),
        first_byte_ms: 12,
        latency_ms: 48,
    })))
}

#[test]
fn a_prompt_is_sent_and_the_session_is_kept_for_the_follow_up() {
    let mut h = invoke_screen();
    h.press(KeyCode::Enter);
    assert!(
        h.take(|e| matches!(e, Effect::Invoke { .. })).is_none(),
        "an empty prompt is not sent"
    );
    h.type_text("where is order 42?");
    h.press(KeyCode::Enter);
    let (g, prompt, session) = sent(&mut h);
    assert_eq!(prompt, "where is order 42?");
    assert_eq!(session, None);
    h.deploy(g, DeployOutcome::InvokeText("Order 42 ".into()));
    assert!(h.screen(100, 30).contains("receiving… 9 characters so far"));
    h.deploy(g, answer("Order 42 shipped on Monday."));
    let screen = h.screen(100, 30);
    assert!(screen.contains("Order 42 shipped on Monday."), "{screen}");
    assert!(screen.contains("answered in 48 ms"), "{screen}");
    h.type_text("and order 7?");
    h.press(KeyCode::Enter);
    let (g2, _, session) = sent(&mut h);
    assert_eq!(session.as_deref(), Some(SESSION), "the follow-up continues");
    // An answer to a request of a view since left is dropped.
    h.press(KeyCode::Esc);
    assert_eq!(h.app.context(), Context::Status);
    h.ch('i');
    h.deploy(g2, answer("stale"));
    assert!(!h.screen(100, 30).contains("stale"));
    // Ctrl-N forgets the session.
    h.type_text("hello");
    h.press(KeyCode::Enter);
    let (g3, _, session) = sent(&mut h);
    assert_eq!(session, None, "a reopened view starts a new session");
    h.deploy(g3, answer("hi"));
    h.ctrl('n');
    h.type_text("again");
    h.press(KeyCode::Enter);
    assert_eq!(sent(&mut h).2, None);
}

#[test]
fn snapshot_invoke() {
    let mut h = invoke_screen();
    h.type_text("where is order 42?");
    h.snapshot("invoke_typing");
    h.press(KeyCode::Enter);
    let (g, _, _) = sent(&mut h);
    h.snapshot("invoke_waiting");
    h.deploy(
        g,
        DeployOutcome::InvokeText("[emulator stand-in agent] triage would ".into()),
    );
    h.deploy(g, DeployOutcome::InvokeText("look up order 42.".into()));
    assert!(
        h.screen(100, 30)
            .contains("[emulator stand-in agent] triage would look up order 42."),
        "the answer shows as it streams in"
    );
    h.snapshot("invoke_streaming");
    h.deploy(
        g,
        answer(
            "[emulator stand-in agent] triage would look up order 42.\nNo real model was called.",
        ),
    );
    h.type_text("and order 7?");
    h.snapshot("invoke_answered");
}
