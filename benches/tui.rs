//! TUI budgets (issue 5): rendering the heaviest wizard step at 200×60 (target ≤ 2 ms) and one
//! keystroke in a list of 10,000 entries, filtered as you type (target ≤ 5 ms). The keystroke
//! goes through `App::update`, so it includes re-checking every step, not just the filter.

use std::hint::black_box;

use agentcore_tui::kms::eligibility::KeyInfo;
use agentcore_tui::tui::action::Action;
use agentcore_tui::tui::app::App;
use agentcore_tui::tui::persist::{A2aMode, Answers, KmsChoice};
use agentcore_tui::tui::screens::wizard::StepId;
use agentcore_tui::tui::services::{AwsTarget, CallerIdentity};
use agentcore_tui::tui::theme::Theme;
use agentcore_tui::tui::ui;
use agentcore_tui::tui::widgets::filter_list::FilterList;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[path = "../tests/common/harness.rs"]
mod harness;
use harness::{ACCOUNT, Harness, World};

const N: usize = 10_000;

fn keys(n: usize) -> Vec<KeyInfo> {
    let states = [
        "Enabled",
        "Enabled",
        "Enabled",
        "Disabled",
        "PendingDeletion",
    ];
    (0..n)
        .map(|i| {
            let id = format!("{i:08x}-1234-5678-9abc-def012345678");
            KeyInfo {
                arn: format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{id}"),
                key_id: id,
                aliases: vec![format!(
                    "alias/team-{}-recs-{i}",
                    ["billing", "support", "triage", "ops"][i % 4]
                )],
                description: format!("recommendations key number {i}"),
                key_spec: if i % 17 == 0 {
                    "RSA_2048".into()
                } else {
                    "SYMMETRIC_DEFAULT".into()
                },
                key_usage: if i % 17 == 0 {
                    "SIGN_VERIFY".into()
                } else {
                    "ENCRYPT_DECRYPT".into()
                },
                key_state: states[i % states.len()].into(),
                key_manager: "CUSTOMER".into(),
            }
        })
        .collect()
}

/// The app on `step`, every effect answered: local ones run, AWS ones with demo data.
fn app_at(step: StepId, answers: Answers, key_count: usize) -> App {
    let mut h = Harness::started(answers, false, Theme::color(), (200, 60)).with_world(World {
        profiles: vec!["dev".into()],
        keys: keys(key_count),
        caller: CallerIdentity {
            account: ACCOUNT.into(),
            arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/AgentCoreDeployer/bench"),
            principal: Ok(format!("arn:aws:iam::{ACCOUNT}:role/AgentCoreDeployer")),
        },
        environment: Default::default(),
    });
    h.settle();
    h.goto(step);
    h.app
}

fn answers() -> Answers {
    Answers {
        pack_path: "assets/demo/support-desk.pack.json".into(),
        target: Some(AwsTarget::Local),
        region: "us-east-1".into(),
        // The placeholder account makes Review list warnings too: more to draw.
        runtime_role_arn: "arn:aws:iam::123456789012:role/AgentCoreRuntime".into(),
        runtime_binary_path: "assets/demo/promptkit-agentcore-runtime".into(),
        a2a_mode: A2aMode::Jwt,
        discovery_url: "https://idp.example.com/.well-known/openid-configuration".into(),
        tags: (0..40)
            .map(|i| (format!("tag-{i}"), format!("value {i}")))
            .collect(),
        kms: KmsChoice::AwsOwned,
        ..Answers::default()
    }
}

fn render(c: &mut Criterion) {
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("test backend");
    for (name, step) in [
        ("review", StepId::Review),
        ("kms_10k", StepId::Kms),
        ("tags_40", StepId::Tags),
    ] {
        let app = app_at(step, answers(), N);
        c.bench_function(&format!("render {name} 200x60"), |b| {
            b.iter(|| {
                terminal
                    .draw(|f| ui::render(black_box(&app), f))
                    .expect("draw");
            });
        });
    }
}

fn keystroke(c: &mut Criterion) {
    let app = app_at(StepId::Kms, answers(), N);
    // "team-ops" narrows 10,000 keys to 2,500: typing its last letter refilters them all.
    let mut typed = app;
    for ch in "team-op".chars() {
        typed.update(Action::Key(KeyEvent::new(
            KeyCode::Char(ch),
            KeyModifiers::NONE,
        )));
    }
    let backspace = KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE);
    let s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE);
    c.bench_function("keystroke in 10k-key list (App::update)", |b| {
        b.iter(|| {
            black_box(typed.update(Action::Key(s)));
            black_box(typed.update(Action::Key(backspace)));
        });
    });

    let entries: Vec<String> = keys(N)
        .into_iter()
        .map(|k| format!("{} {}", k.aliases[0], k.key_id))
        .collect();
    c.bench_function("FilterList: one keystroke over 10k entries", |b| {
        b.iter_batched(
            || {
                let mut l = FilterList::new("f", "", entries.clone(), Clone::clone);
                l.set_filter("team-op");
                l
            },
            |mut l| {
                l.input(&s);
                black_box(l.visible().len())
            },
            BatchSize::LargeInput,
        );
    });
}

/// From spawning the binary in a pseudo-terminal to its first frame on screen (target ≤ 100 ms
/// in release). Each sample starts a fresh process with an empty data dir.
fn startup(c: &mut Criterion) {
    use std::io::Read;
    use std::time::{Duration, Instant};

    use portable_pty::{CommandBuilder, PtySize, native_pty_system};

    let mut group = c.benchmark_group("startup");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("spawn to first frame (pty 100x30)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let data = tempfile::tempdir().expect("temp dir");
                let pair = native_pty_system()
                    .openpty(PtySize {
                        rows: 30,
                        cols: 100,
                        pixel_width: 0,
                        pixel_height: 0,
                    })
                    .expect("pty");
                let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_agentcore-tui"));
                cmd.cwd(env!("CARGO_MANIFEST_DIR"));
                cmd.env("AGENTCORE_TUI_DATA_DIR", data.path());
                cmd.env("TERM", "xterm-256color");
                let mut reader = pair.master.try_clone_reader().expect("reader");
                let mut parser = vt100::Parser::new(
                    std::num::NonZeroU16::new(30).expect("rows"),
                    std::num::NonZeroU16::new(100).expect("cols"),
                    0,
                );
                let start = Instant::now();
                let mut child = pair.slave.spawn_command(cmd).expect("spawn");
                let mut buf = [0u8; 16384];
                while !parser.screen().contents().contains("Pack file") {
                    let n = reader.read(&mut buf).expect("read");
                    assert!(n > 0, "the binary exited before drawing");
                    parser.process(&buf[..n]);
                }
                total += start.elapsed();
                child.kill().expect("kill");
                child.wait().expect("wait");
            }
            total
        });
    });
    group.finish();
}

criterion_group!(benches, render, keystroke, startup);
criterion_main!(benches);
