//! Issue 17: the generated large pack (tests/fixtures, 50 members and 100 tools) plans fast and
//! its panes answer a key within a frame. Measures the offline plan (derive, then the diff
//! against an empty deploy state), then key → frame p99 on its plan screen and on its run screen
//! while events for every one of its resources stream in (as benches/tui_deploy.rs does), at
//! 100×30 on a TestBackend. Budget: p99 ≤ 16 ms. Plain binary: the budget is a percentile.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use agentcore_tui::deploy::events::{Event, ResourcePhase, Step};
use agentcore_tui::deploy::plan::PlanReport;
use agentcore_tui::deploy::state::DeployState;
use agentcore_tui::tui::action::Action;
use agentcore_tui::tui::effect::Effect;
use agentcore_tui::tui::msg::deploy::{DeployMsg, DeployOutcome};
use agentcore_tui::tui::persist::Answers;
use agentcore_tui::tui::runtime::CHANNEL_CAPACITY;
use agentcore_tui::tui::screens::deploy::{PlanState, Screen};
use agentcore_tui::tui::services::PlannedDeploy;
use agentcore_tui::tui::theme::Theme;
use agentcore_tui::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[path = "../tests/common/harness.rs"]
mod harness;
use harness::Harness;

const KEYS: usize = 1_000;
const PLANS: usize = 20;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pct(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)]
}

fn offline_plan() -> (PlanReport, usize, Vec<Duration>) {
    let text = std::fs::read_to_string(
        root().join("tests/fixtures/packs/large_50_members_100_tools.pack.json"),
    )
    .expect("the large pack fixture");
    let cfg = agentcore_tui::config::load_path(
        &root().join("tests/fixtures/configs/large_50_members_100_tools.deploy.json"),
        None,
    )
    .expect("its deploy config")
    .config;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..PLANS {
        let start = Instant::now();
        let pack = agentcore_tui::pack::parse_str(&text).expect("parses");
        let plan = agentcore_tui::derive::derive(&pack, &cfg).expect("derives");
        let report = rt
            .block_on(agentcore_tui::deploy::plan::plan(
                &plan,
                &DeployState::default(),
                None,
                None,
            ))
            .expect("plans");
        times.push(start.elapsed());
        last = Some((report, plan.resources().count()));
    }
    let (report, resources) = last.expect("planned");
    (report, resources, times)
}

fn event(report: &PlanReport, n: usize) -> Event {
    let item = &report.items[n % report.items.len()];
    let step = item.step.unwrap_or(Step::Memory);
    let elapsed = Duration::from_millis(n as u64 * 37);
    let resource = |phase| Event::Resource {
        step,
        kind: item.kind.clone(),
        name: item.name.clone(),
        phase,
        elapsed,
        arn: None,
    };
    match n % 4 {
        0 => resource(ResourcePhase::Calling("Create".into())),
        1 => resource(ResourcePhase::Waiting("CREATING".into())),
        2 => resource(ResourcePhase::Ready),
        _ => Event::Progress {
            done: (n / 4) % report.items.len(),
            failed: 0,
            skipped: 0,
            total: report.items.len(),
            elapsed,
            eta: Some(Duration::from_secs(30)),
        },
    }
}

fn main() {
    let (report, resources, mut plan_times) = offline_plan();
    println!(
        "plan of the large pack ({resources} resources, {} plan items), {PLANS} runs: p50 {:?}  max {:?}",
        report.items.len(),
        pct(&mut plan_times, 0.5),
        plan_times[plan_times.len() - 1]
    );
    let mut h = Harness::unstarted_with(Answers::default(), false, Theme::color(), (100, 30));
    let mut plan_screen = PlanState::loading();
    plan_screen.planned(Ok(Box::new(PlannedDeploy {
        report: report.clone(),
        pack_id: "large-desk".into(),
        account: "111122223333".into(),
        region: "us-west-2".into(),
        state_file: "state.json".into(),
        interrupted: Vec::new(),
    })));
    h.app.deploy.screen = Screen::Plan(plan_screen);
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("test backend");
    let keys = [
        KeyCode::Down,
        KeyCode::PageDown,
        KeyCode::End,
        KeyCode::Up,
        KeyCode::Home,
    ];
    let mut samples = Vec::with_capacity(KEYS);
    for k in 0..KEYS {
        let start = Instant::now();
        black_box(h.app.update(Action::Key(KeyEvent::new(
            keys[k % keys.len()],
            KeyModifiers::NONE,
        ))));
        terminal
            .draw(|f| ui::render(&h.app, f))
            .expect("render to the test backend");
        samples.push(start.elapsed());
    }
    let plan_p99 = pct(&mut samples, 0.99);
    println!(
        "plan screen key-to-frame, {KEYS} keys: p50 {:?}  p99 {plan_p99:?}  (budget p99 ≤ 16 ms)",
        pct(&mut samples, 0.5)
    );

    h.ch('a');
    h.ch('y');
    let Some(Effect::StartRun { run, .. }) = h.take(|e| matches!(e, Effect::StartRun { .. }))
    else {
        panic!("confirming the plan starts the apply: {:?}", h.pending)
    };
    let mut app = h.app;
    let keys = [KeyCode::Down, KeyCode::Down, KeyCode::Up, KeyCode::Tab];
    let mut n = 0;
    let mut samples = Vec::with_capacity(KEYS);
    for k in 0..KEYS {
        let start = Instant::now();
        for _ in 0..CHANNEL_CAPACITY {
            black_box(app.update(Action::Deploy(DeployMsg {
                generation: run,
                outcome: DeployOutcome::Event(event(&report, n)),
            })));
            n += 1;
        }
        black_box(app.update(Action::Key(KeyEvent::new(
            keys[k % keys.len()],
            KeyModifiers::NONE,
        ))));
        terminal
            .draw(|f| ui::render(&app, f))
            .expect("render to the test backend");
        samples.push(start.elapsed());
    }
    assert!(
        matches!(app.deploy.screen, Screen::Run(_)),
        "stayed on the run screen"
    );
    let run_p99 = pct(&mut samples, 0.99);
    println!(
        "run screen key-to-frame with {CHANNEL_CAPACITY} events queued ahead, {KEYS} keys: p50 {:?}  p99 {run_p99:?}  (budget p99 ≤ 16 ms)",
        pct(&mut samples, 0.5)
    );
    if plan_p99 > Duration::from_millis(16) || run_p99 > Duration::from_millis(16) {
        println!("OVER BUDGET");
        std::process::exit(1);
    }
}
