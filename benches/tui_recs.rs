//! Recommendations list budgets (issue 7), through the app: with 10,000 recommendations in the
//! emulator, from F2 to the first page drawn (target ≤ 150 ms), through the real runtime, services
//! and SDK; and one filter keystroke over 10,000 rows, `App::update` plus a draw (≤ 5 ms).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use agentcore_emulator::{Config, Emulator, Timing, World};
use agentcore_tui::aws::Clients;
use agentcore_tui::recommend::{Input, Recommendations, StartRequest, Summary, Traces};
use agentcore_tui::tui::action::Action;
use agentcore_tui::tui::app::App;
use agentcore_tui::tui::msg::recs::{RecsEffect, RecsMsg, RecsOutcome};
use agentcore_tui::tui::persist::Answers;
use agentcore_tui::tui::runtime::Runtime;
use agentcore_tui::tui::sdk_services::SdkServices;
use agentcore_tui::tui::services::AwsTarget;
use agentcore_tui::tui::theme::Theme;
use agentcore_tui::tui::ui;
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[path = "../tests/common/harness.rs"]
mod harness;
use harness::Harness;

const N: usize = 10_000;
const PREFIXES: [&str; 5] = [
    "support_prompt",
    "billing_tools",
    "triage_prompt",
    "onboarding",
    "returns_agent",
];

fn request(i: usize) -> StartRequest {
    let now = chrono::Utc::now();
    StartRequest {
        name: format!("{}_{i}", PREFIXES[i % PREFIXES.len()]),
        description: None,
        input: Input::SystemPrompt(format!("You are agent number {i}.")),
        traces: Traces {
            log_group_arns: vec![
                "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock-agentcore/sessions/a"
                    .into(),
            ],
            service_names: vec!["a.DEFAULT".into()],
            start: now - chrono::Duration::hours(1),
            end: now,
        },
        evaluators: vec![],
        tags: Default::default(),
        kms_key_arn: None,
    }
}

fn harness() -> Harness {
    Harness::unstarted_with(
        Answers {
            target: Some(AwsTarget::Local),
            region: "us-east-1".into(),
            ..Answers::default()
        },
        false,
        Theme::color(),
        (100, 30),
    )
}

fn app() -> App {
    harness().app
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal.draw(|f| ui::render(app, f)).unwrap();
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (_emu, services, all) = rt.block_on(async {
        // Slow timing so nothing changes state while we measure.
        let emu = Emulator::start(Config {
            world: World::Empty,
            timing: Timing::with_provisioning(Duration::from_secs(3600)),
            ..Default::default()
        })
        .await
        .unwrap();
        let clients = Clients::for_endpoint(&emu.endpoint_url(), "us-east-1")
            .await
            .unwrap();
        let recs = Recommendations::from_clients(&clients);
        futures_util::stream::iter(0..N)
            .map(|i| {
                let recs = recs.clone();
                async move { recs.start(&request(i)).await.unwrap() }
            })
            .buffer_unordered(16)
            .collect::<Vec<_>>()
            .await;
        let all: Vec<Summary> = recs.list_all(None).await.unwrap();
        let services = SdkServices::new(None);
        services
            .preload(AwsTarget::Local, "us-east-1", clients)
            .await;
        (emu, Arc::new(services), all)
    });
    assert_eq!(all.len(), N);
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();

    c.bench_function(
        "tui recs: F2 → first page drawn (10,000 in the emulator)",
        |b| {
            b.iter_batched(
                || {
                    // The app is already running when F2 is pressed: not timed. A fresh runtime
                    // per iteration; dropping it stops the rest of the listing once the page
                    // in flight is answered, which the pause lets happen before timing starts.
                    std::thread::sleep(Duration::from_millis(150));
                    let _guard = rt.enter();
                    let (runtime, rx) = Runtime::start(services.clone(), None);
                    (app(), runtime, rx)
                },
                |(mut app, runtime, mut rx)| {
                    rt.block_on(async {
                        runtime.execute_all(app.update(key(KeyCode::F(2))));
                        loop {
                            let a = rx.recv().await.expect("the listing answers");
                            let first = matches!(&a, Action::Recs(RecsMsg { outcome: RecsOutcome::Page(p), .. }) if !p.is_empty());
                            runtime.execute_all(app.update(a));
                            if first {
                                break;
                            }
                        }
                        draw(&mut terminal, &app);
                        black_box(app.recs.list.items().len())
                    })
                },
                criterion::BatchSize::PerIteration,
            )
        },
    );

    // The whole list loaded, the filter open.
    let mut h = harness();
    h.press(KeyCode::F(2));
    let generation = h
        .take_recs()
        .iter()
        .find_map(|e| match e {
            RecsEffect::List { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap();
    for page in all.chunks(100) {
        h.answer_recs(generation, RecsOutcome::Page(page.to_vec()));
    }
    h.answer_recs(generation, RecsOutcome::ListDone);
    let mut app = h.app;
    app.update(key(KeyCode::Char('/')));
    for c in "support".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    let mut g = c.benchmark_group("tui recs: one filter keystroke over 10,000, update + draw");
    g.bench_function("type a character (\"support\" → \"support1\")", |b| {
        b.iter(|| {
            app.update(key(KeyCode::Char('1')));
            draw(&mut terminal, &app);
            // Put the filter back so every iteration measures the same keystroke; not timed
            // separately, so the figure is for two keystrokes.
            app.update(key(KeyCode::Backspace));
        })
    });
    g.bench_function("erase all, then \"s\" (widest result)", |b| {
        for _ in 0.."support".len() {
            app.update(key(KeyCode::Backspace));
        }
        b.iter(|| {
            app.update(key(KeyCode::Char('s')));
            draw(&mut terminal, &app);
            app.update(key(KeyCode::Backspace));
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
