//! The monitor's Evaluations and Health views: opened from Status or from another monitor view,
//! their reads as effects, their answers through `App::update`, snapshots at 100×30 and 80×24;
//! and both views against the embedded emulator after applying the demo.

use std::time::Duration;

use agentcore_tui::aws::{Category, Error};
use agentcore_tui::deploy::status::{Health as RowHealth, Overall, ResourceStatus, StatusReport};
use agentcore_tui::monitor::evaluations::{ConfigRef, EvalResult, Results};
use agentcore_tui::monitor::health::{
    Endpoint, GatewayHealth, Health, RuntimeHealth, Target, Version,
};
use agentcore_tui::tui::action::Action;
use agentcore_tui::tui::app::App;
use agentcore_tui::tui::effect::Effect;
use agentcore_tui::tui::keymap::Context;
use agentcore_tui::tui::msg::deploy::DeployOutcome;
use agentcore_tui::tui::runtime;
use agentcore_tui::tui::screens::deploy::{Screen, StatusState};
use agentcore_tui::tui::services::{AwsTarget, ServiceError};
use agentcore_tui::tui::slot::Gen;
use agentcore_tui::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod common;
use common::harness::{Harness, demo_answers, footer_keys};

const RUNTIME: &str = "support_desk_triage";
/// 2026-12-07T10:00:00Z
const T0: i64 = 1_796_637_600_000;

impl Harness {
    fn snapshot(&self, name: &str) {
        insta::assert_snapshot!(format!("{name}_100x30"), self.screen(100, 30));
        insta::assert_snapshot!(format!("{name}_80x24"), self.screen(80, 24));
    }
}

fn status_report() -> StatusReport {
    let r = |kind: &str, name: &str, state: &str| ResourceStatus {
        kind: kind.into(),
        name: name.into(),
        health: RowHealth::Healthy,
        state: Some(state.into()),
        arn: Some(format!(
            "arn:aws:bedrock-agentcore:us-east-1:111122223333:{kind}/{name}-abcdefghij"
        )),
        detail: None,
    };
    StatusReport {
        status: Overall::Deployed,
        pack_id: "support-desk".into(),
        version: "1.0.0".into(),
        resources: vec![
            r("gateway", "support-desk-gw", "READY"),
            r("agent_runtime", RUNTIME, "READY"),
        ],
    }
}

/// The Status screen with its report, the runtime row selected.
fn on_status() -> Harness {
    let mut h = Harness::new(demo_answers());
    let mut s = StatusState::new("support-desk".into());
    s.loaded(Ok(Box::new(status_report())));
    h.app.deploy.screen = Screen::Status(s);
    h.press(KeyCode::Down);
    assert_eq!(h.app.context(), Context::Status);
    h
}

fn result(i: i64, evaluator: &str, score: f64, label: &str) -> EvalResult {
    EvalResult {
        timestamp: T0 + i * 60_000,
        evaluator: evaluator.into(),
        score: Some(score),
        label: Some(label.into()),
        explanation: Some(format!(
            "[AgentCore emulator] Not a model's judgement: {evaluator} gave {label} to prompt {i}."
        )),
        session: Some(format!("session-{i:02}")),
        trace: None,
    }
}

fn results() -> Results {
    let mut rs = Vec::new();
    for i in 0..12 {
        let judge = f64::from(u8::try_from(1 + (i * 7) % 5).unwrap());
        rs.push(result(i, "helpfulness", judge, &format!("level {judge}")));
        let b = f64::from(u8::try_from((i * 3) % 5).unwrap()) / 4.0;
        rs.push(result(i, "Builtin.Correctness", b, "Good"));
    }
    Results {
        config: Some(ConfigRef {
            name: "support_desk_triage_online".into(),
            id: "support_desk_triage_online-0123456789".into(),
        }),
        group: Some(
            "/aws/bedrock-agentcore/evaluations/results/support_desk_triage_online-0123456789"
                .into(),
        ),
        results: rs,
        no_group: false,
        truncated: false,
    }
}

fn open_evaluations(h: &mut Harness) -> Gen {
    h.ch('e');
    let Some(Effect::FetchEvaluations {
        generation,
        runtime,
        ..
    }) = h.take(|e| matches!(e, Effect::FetchEvaluations { .. }))
    else {
        panic!("e on a runtime reads its evaluations: {:?}", h.pending)
    };
    assert_eq!(runtime, RUNTIME);
    assert_eq!(h.app.context(), Context::Evaluations);
    generation
}

fn open_health(h: &mut Harness) -> Gen {
    h.ch('h');
    let Some(Effect::FetchHealth {
        generation,
        runtime,
        ..
    }) = h.take(|e| matches!(e, Effect::FetchHealth { .. }))
    else {
        panic!("h on a runtime reads its health: {:?}", h.pending)
    };
    assert_eq!(runtime, RUNTIME);
    assert_eq!(h.app.context(), Context::Health);
    generation
}

fn denied(action: &str) -> ServiceError {
    ServiceError {
        category: "permission".into(),
        message: format!(
            "not allowed: arn:aws:sts::111122223333:assumed-role/Dev/me may not call {action}"
        ),
        hint: Some(format!(
            "add {action} to the policy of arn:aws:iam::111122223333:role/Dev"
        )),
    }
}

fn health() -> Health {
    Health {
        runtime: RUNTIME.into(),
        status: Ok(RuntimeHealth {
            status: "READY".into(),
            version: "2".into(),
            failure_reason: None,
            updated: Some("2026-12-07 10:00:00Z".into()),
        }),
        versions: Ok(vec![
            Version {
                version: "2".into(),
                status: "READY".into(),
                updated: "2026-12-07 10:00:00Z".into(),
            },
            Version {
                version: "1".into(),
                status: "READY".into(),
                updated: "2026-12-07 09:00:00Z".into(),
            },
        ]),
        endpoints: Ok(vec![Endpoint {
            name: "DEFAULT".into(),
            status: "READY".into(),
            live_version: Some("2".into()),
            target_version: Some("2".into()),
        }]),
        gateways: vec![GatewayHealth {
            name: "support-desk-gw".into(),
            id: "support-desk-gw-abcdefghij".into(),
            status: Ok("READY".into()),
            targets: Ok(vec![
                Target {
                    name: "lookup-order".into(),
                    id: "ABCDEFGHIJ".into(),
                    status: "READY".into(),
                },
                Target {
                    name: "refund-order".into(),
                    id: "KLMNOPQRST".into(),
                    status: "FAILED".into(),
                },
            ]),
        }],
        more_versions: false,
    }
}

#[test]
fn the_status_footer_lists_invoke_and_the_monitor_keys() {
    let h = on_status();
    let screen = h.screen(100, 30);
    let keys: Vec<String> = footer_keys(&screen).into_iter().map(|(k, _)| k).collect();
    for k in ["Enter logs", "i invoke", "e evals", "h health"] {
        assert!(
            keys.iter().any(|x| x == k),
            "{k} missing from {keys:?}\n{screen}"
        );
    }
    let narrow = h.screen(80, 24);
    assert!(
        narrow.lines().last().unwrap().contains("? help"),
        "the footer fits 80 columns:\n{narrow}"
    );
    let mut h = on_status();
    h.ch('?');
    let help = h.screen(100, 30);
    assert!(help.contains("online evaluation results"), "{help}");
    assert!(
        help.contains("versions, endpoints, gateway targets"),
        "{help}"
    );
}

#[test]
fn evaluations_open_from_status_read_and_refresh_and_go_back() {
    let mut h = on_status();
    let g = open_evaluations(&mut h);
    h.deploy(g, DeployOutcome::Evaluations(Ok(Box::new(results()))));
    let screen = h.screen(100, 30);
    assert!(screen.contains("helpfulness"), "{screen}");
    assert!(screen.contains("24 results"), "{screen}");
    // The chosen evaluator's explanations, the newest first; ↓ chooses the next one.
    assert!(
        screen.contains("Latest explanations · Builtin.Correctness"),
        "{screen}"
    );
    h.press(KeyCode::Down);
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("Latest explanations · helpfulness"),
        "{screen}"
    );
    assert!(screen.contains("gave level"), "{screen}");

    // A stale answer (an earlier generation) changes nothing.
    h.deploy(
        g,
        DeployOutcome::Evaluations(Err(denied("logs:FilterLogEvents"))),
    );
    assert!(!h.screen(100, 30).contains("not allowed"));

    // r reads now; ticks read again after the interval.
    h.ch('r');
    let Some(Effect::FetchEvaluations { generation, .. }) =
        h.take(|e| matches!(e, Effect::FetchEvaluations { .. }))
    else {
        panic!("r reads again: {:?}", h.pending)
    };
    h.deploy(
        generation,
        DeployOutcome::Evaluations(Ok(Box::new(results()))),
    );
    for _ in 0..149 {
        h.apply(Action::Tick);
    }
    assert!(
        h.take(|e| matches!(e, Effect::FetchEvaluations { .. }))
            .is_none()
    );
    h.apply(Action::Tick);
    assert!(
        h.take(|e| matches!(e, Effect::FetchEvaluations { .. }))
            .is_some()
    );

    h.press(KeyCode::Esc);
    assert_eq!(h.app.context(), Context::Status);
    assert!(
        h.take(|e| matches!(e, Effect::FetchStatus { .. }))
            .is_some()
    );
}

#[test]
fn a_denied_read_stops_and_names_the_action_and_an_empty_one_says_to_wait() {
    let mut h = on_status();
    let g = open_evaluations(&mut h);
    h.deploy(
        g,
        DeployOutcome::Evaluations(Err(denied("logs:FilterLogEvents"))),
    );
    let screen = h.screen(100, 30);
    assert!(screen.contains("logs:FilterLogEvents"), "{screen}");
    assert!(screen.contains("assumed-role/Dev/me"), "{screen}");
    assert!(screen.contains("stopped (r retries)"), "{screen}");
    for _ in 0..300 {
        h.apply(Action::Tick);
    }
    assert!(
        h.take(|e| matches!(e, Effect::FetchEvaluations { .. }))
            .is_none(),
        "a denial is not retried on its own"
    );

    let mut h = on_status();
    let g = open_evaluations(&mut h);
    let mut empty = results();
    empty.results.clear();
    empty.no_group = true;
    h.deploy(g, DeployOutcome::Evaluations(Ok(Box::new(empty))));
    let screen = h.screen(100, 30);
    assert!(screen.contains("can take minutes to"), "{screen}");
}

#[test]
fn tab_goes_through_the_monitor_views_and_letters_jump_to_one() {
    let mut h = on_status();
    h.press(KeyCode::Enter);
    assert_eq!(h.app.context(), Context::Logs);
    h.pending.clear();
    h.press(KeyCode::Tab);
    assert_eq!(h.app.context(), Context::Invoke);
    // In Invoke letters type; Tab moves on.
    h.ch('e');
    assert_eq!(h.app.context(), Context::Invoke);
    h.press(KeyCode::Tab);
    assert_eq!(h.app.context(), Context::Evaluations);
    assert!(
        h.take(|e| matches!(e, Effect::FetchEvaluations { .. }))
            .is_some()
    );
    h.press(KeyCode::Tab);
    assert_eq!(h.app.context(), Context::Health);
    let Some(Effect::FetchHealth { generation, .. }) =
        h.take(|e| matches!(e, Effect::FetchHealth { .. }))
    else {
        panic!("{:?}", h.pending)
    };
    h.ch('l');
    assert_eq!(h.app.context(), Context::Logs);
    assert!(h.take(|e| matches!(e, Effect::FetchLogs { .. })).is_some());
    // The health read answered after leaving is dropped.
    h.deploy(generation, DeployOutcome::Health(Ok(Box::new(health()))));
    assert_eq!(h.app.context(), Context::Logs);
    h.ch('e');
    assert_eq!(h.app.context(), Context::Evaluations);
    // `?` lists the monitor's keys here too.
    h.ch('?');
    let help = h.screen(100, 30);
    assert!(help.contains("next monitor view"), "{help}");
    assert!(help.contains("health: versions, endpoints"), "{help}");
    h.press(KeyCode::Esc);
    assert_eq!(h.app.context(), Context::Evaluations);
    h.ch('h');
    assert_eq!(h.app.context(), Context::Health);
    h.press(KeyCode::Esc);
    assert_eq!(h.app.context(), Context::Status);
}

#[test]
fn health_shows_each_part_and_its_own_error() {
    let mut h = on_status();
    let g = open_health(&mut h);
    let mut partial = health();
    partial.versions = Err(Error::new(
        Category::Permission,
        "ListAgentRuntimeVersions",
        "not allowed: arn:aws:sts::111122223333:assumed-role/Dev/me may not call bedrock-agentcore:ListAgentRuntimeVersions",
    ));
    h.deploy(g, DeployOutcome::Health(Ok(Box::new(partial))));
    let screen = h.screen(100, 30);
    assert!(screen.contains("⚠ needs attention"), "{screen}");
    assert!(screen.contains("refund-order"), "{screen}");
    assert!(screen.contains("FAILED"), "{screen}");
    assert!(
        screen.contains("bedrock-agentcore:ListAgentRuntimeVersions"),
        "{screen}"
    );
    assert!(screen.contains("DEFAULT"), "{screen}");
}

#[test]
fn snapshot_evaluations() {
    let mut h = on_status();
    let g = open_evaluations(&mut h);
    h.deploy(g, DeployOutcome::Evaluations(Ok(Box::new(results()))));
    h.snapshot("evaluations_scores");
    let mut h = on_status();
    let g = open_evaluations(&mut h);
    let mut empty = results();
    empty.results.clear();
    h.deploy(g, DeployOutcome::Evaluations(Ok(Box::new(empty))));
    h.snapshot("evaluations_empty");
    let mut h = on_status();
    let g = open_evaluations(&mut h);
    h.deploy(
        g,
        DeployOutcome::Evaluations(Err(denied("logs:FilterLogEvents"))),
    );
    h.snapshot("evaluations_denied");
}

#[test]
fn snapshot_health() {
    let mut h = on_status();
    let g = open_health(&mut h);
    h.deploy(g, DeployOutcome::Health(Ok(Box::new(health()))));
    h.snapshot("health_targets");
    on_status().snapshot("status_monitor_keys");
}

// ---- against the embedded emulator ----------------------------------------------------------

async fn drive(
    app: &mut App,
    rt: &runtime::Runtime,
    rx: &mut tokio::sync::mpsc::Receiver<Action>,
    what: &str,
    done: impl Fn(&App) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    while !done(app) {
        let action = tokio::select! {
            _ = tick.tick() => Action::Tick,
            a = rx.recv() => a.expect("runtime channel closed"),
        };
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} took too long"
        );
        rt.execute_all(app.update(action));
    }
}

fn press(app: &mut App, rt: &runtime::Runtime, code: KeyCode) {
    rt.execute_all(app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE))));
}

/// Apply the demo on an emulator, invoke a runtime, and see its evaluation results in the
/// Evaluations view and its gateway's targets READY in the Health view, all through the real
/// services.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluations_and_health_of_an_applied_demo_on_the_emulator() {
    let data = tempfile::tempdir().unwrap();
    // SAFETY: the only test of this binary that touches the environment.
    unsafe { std::env::set_var(agentcore_tui::deploy::state::DATA_DIR_ENV, data.path()) };
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
    let mut h = Harness::new(demo_answers());
    h.goto(agentcore_tui::tui::screens::wizard::StepId::Review);
    let mut app = h.take_app();
    rt.execute_all(app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('n'),
        KeyModifiers::CONTROL,
    ))));
    drive(
        &mut app,
        &rt,
        &mut rx,
        "the plan",
        |a| matches!(&a.deploy.screen, Screen::Plan(p) if !p.loading),
    )
    .await;
    rt.execute_all(app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('a'),
        KeyModifiers::NONE,
    ))));
    rt.execute_all(app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('y'),
        KeyModifiers::NONE,
    ))));
    drive(
        &mut app,
        &rt,
        &mut rx,
        "the apply",
        |a| matches!(&a.deploy.screen, Screen::Run(r) if !r.view.phase.is_running()),
    )
    .await;
    rt.execute_all(app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::NONE,
    ))));
    drive(
        &mut app,
        &rt,
        &mut rx,
        "the status",
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
        press(&mut app, &rt, KeyCode::Down);
    }
    let arn = deployed.arn.clone().unwrap();
    let runtime = agentcore_tui::monitor::target::Runtime {
        name: deployed.name.clone(),
        agent: None,
        id: agentcore_tui::arn::resource_id(&arn).to_owned(),
        arn,
        pack_log_group: None,
    };
    let prompt = "my parcel 9031 never arrived";
    agentcore_tui::monitor::invoke::invoke(&clients, &runtime, prompt, None, |_| {})
        .await
        .unwrap_or_else(|e| panic!("{}", e.message));

    press(&mut app, &rt, KeyCode::Char('e'));
    assert_eq!(app.context(), Context::Evaluations);
    drive(
        &mut app,
        &rt,
        &mut rx,
        "the evaluation results",
        |a| matches!(&a.deploy.screen, Screen::Evaluations(e) if !e.poll.loading),
    )
    .await;
    let Screen::Evaluations(e) = &app.deploy.screen else {
        panic!()
    };
    assert!(e.error.is_none(), "{:?}", e.error);
    let got = e.results.as_ref().unwrap();
    let evaluators: Vec<&str> = got.results.iter().map(|r| r.evaluator.as_str()).collect();
    assert_eq!(
        got.results.len(),
        2,
        "one per evaluator of the demo: {evaluators:?}"
    );
    assert!(
        evaluators.contains(&"Builtin.Correctness"),
        "{evaluators:?}"
    );
    assert!(
        got.results.iter().all(|r| r
            .explanation
            .as_deref()
            .unwrap_or_default()
            .contains(prompt)),
        "{got:?}"
    );
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| ui::render(&app, f)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("Builtin.Correctness"), "{screen}");

    // A denied read says which action to allow, for which principal.
    emu.set_faults(agentcore_emulator::Faults::parse("op=FilterLogEvents:deny=1.0").unwrap());
    press(&mut app, &rt, KeyCode::Char('r'));
    drive(
        &mut app,
        &rt,
        &mut rx,
        "the denied read",
        |a| matches!(&a.deploy.screen, Screen::Evaluations(e) if !e.poll.loading),
    )
    .await;
    let Screen::Evaluations(e) = &app.deploy.screen else {
        panic!()
    };
    let denied = e.error.as_ref().expect("the read is denied");
    assert_eq!(denied.category, "permission");
    let words = format!(
        "{} {}",
        denied.message,
        denied.hint.clone().unwrap_or_default()
    );
    assert!(words.contains("logs:FilterLogEvents"), "{words}");
    assert!(words.contains("AgentCoreDeployer"), "{words}");
    emu.set_faults(agentcore_emulator::Faults::none());

    press(&mut app, &rt, KeyCode::Tab);
    assert_eq!(app.context(), Context::Health);
    drive(
        &mut app,
        &rt,
        &mut rx,
        "the health",
        |a| matches!(&a.deploy.screen, Screen::Health(h) if !h.poll.loading),
    )
    .await;
    let Screen::Health(hs) = &app.deploy.screen else {
        panic!()
    };
    assert!(hs.error.is_none(), "{:?}", hs.error);
    let health = hs.health.as_ref().unwrap();
    assert!(health.healthy(), "{health:?}");
    let versions = health.versions.as_ref().unwrap();
    assert_eq!(versions[0].version, "1");
    let endpoints = health.endpoints.as_ref().unwrap();
    assert_eq!(endpoints[0].name, "DEFAULT");
    let targets = health.gateways[0].targets.as_ref().unwrap();
    let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "delete-account",
            "lookup-order",
            "refund-order",
            "search-kb"
        ]
    );

    // One denied list shows its own error; the rest is still read.
    emu.set_faults(agentcore_emulator::Faults::parse("op=ListGatewayTargets:deny=1.0").unwrap());
    press(&mut app, &rt, KeyCode::Char('r'));
    drive(
        &mut app,
        &rt,
        &mut rx,
        "the partly denied health",
        |a| matches!(&a.deploy.screen, Screen::Health(h) if !h.poll.loading),
    )
    .await;
    let Screen::Health(hs) = &app.deploy.screen else {
        panic!()
    };
    let health = hs.health.as_ref().unwrap();
    assert!(!health.healthy());
    assert_eq!(health.status.as_ref().unwrap().status, "READY");
    let e = health.gateways[0].targets.as_ref().unwrap_err();
    let words = format!("{} {}", e.message, e.hint.clone().unwrap_or_default());
    assert!(
        words.contains("bedrock-agentcore:ListGatewayTargets"),
        "{words}"
    );
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| ui::render(&app, f)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("ListGatewayTargets"), "{screen}");
    emu.shutdown().await;
}
