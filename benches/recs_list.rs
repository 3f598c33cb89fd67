//! Recommendations list at scale: with 10,000 recommendations in the emulator, the time until the
//! first page is in hand, and filtering 10,000 summaries per keystroke (target ≤ 5 ms); with seeded
//! worlds of 5,000 and 20,000, a full listing (target: 20k costs ≤ 4.5× 5k, i.e. linear) and the
//! first page at 20,000 (target ≤ 150 ms).

use std::hint::black_box;

use agentcore_emulator::{Config, Emulator, Timing, World};
use agentcore_tui::aws::Clients;
use agentcore_tui::recommend::filter::{SortKey, filter, sort};
use agentcore_tui::recommend::{Input, Recommendations, StartRequest, Traces};
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::StreamExt;

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

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (_emu, recs) = rt.block_on(async {
        // Slow timing so nothing changes state while we measure.
        let emu = Emulator::start(Config {
            world: World::Empty,
            timing: Timing::with_provisioning(std::time::Duration::from_secs(3600)),
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
        (emu, recs)
    });

    c.bench_function(
        "recs: first page of 10,000 (ListRecommendations, 100 per page)",
        |b| {
            b.iter(|| {
                rt.block_on(async {
                    let mut pages = recs.list(None);
                    black_box(pages.next_page().await.unwrap().unwrap())
                })
            })
        },
    );

    let all = rt.block_on(recs.list_all(None)).unwrap();
    assert_eq!(all.len(), N);
    let mut g = c.benchmark_group("recs: filter 10,000 summaries per keystroke");
    // What typing "support 12" looks like, keystroke by keystroke.
    for q in ["s", "su", "support", "support 1", "support 12", "zzz"] {
        g.bench_function(format!("query {q:?}"), |b| {
            b.iter(|| black_box(filter(&all, black_box(q))))
        });
    }
    g.bench_function("query \"prompt\" then sort by name", |b| {
        b.iter(|| {
            let mut idx = filter(&all, "prompt");
            sort(&all, &mut idx, SortKey::Name);
            black_box(idx)
        })
    });
    g.finish();
}

/// A seeded world of `n` and a client for it: listing is all that is measured.
fn seeded(rt: &tokio::runtime::Runtime, n: usize) -> (Emulator, Recommendations) {
    rt.block_on(async {
        let emu = Emulator::start(Config {
            world: World::Empty,
            timing: Timing::with_provisioning(std::time::Duration::from_secs(3600)),
            recommendations: n,
            ..Default::default()
        })
        .await
        .unwrap();
        let clients = Clients::for_endpoint(&emu.endpoint_url(), "us-east-1")
            .await
            .unwrap();
        (emu, Recommendations::from_clients(&clients))
    })
}

fn scale(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let full = |n: usize, c: &mut Criterion| -> std::time::Duration {
        let (_emu, recs) = seeded(&rt, n);
        let mut g = c.benchmark_group(format!("recs: {n} seeded"));
        g.sample_size(10);
        g.bench_function("first page", |b| {
            b.iter(|| {
                rt.block_on(async {
                    let mut pages = recs.list(None);
                    black_box(pages.next_page().await.unwrap().unwrap())
                })
            })
        });
        g.bench_function("full list", |b| {
            b.iter(|| black_box(rt.block_on(recs.list_all(None)).unwrap()))
        });
        g.finish();
        // The median of five, for the ratio below.
        let mut times: Vec<_> = (0..5)
            .map(|_| {
                let t = std::time::Instant::now();
                let all = rt.block_on(recs.list_all(None)).unwrap();
                assert_eq!(all.len(), n);
                t.elapsed()
            })
            .collect();
        times.sort();
        times[2]
    };
    let small = full(5_000, c);
    let large = full(20_000, c);
    let ratio = large.as_secs_f64() / small.as_secs_f64();
    println!(
        "full list: 5,000 in {small:.2?}, 20,000 in {large:.2?}: {ratio:.2}x (target <= 4.5x, linear is 4x) {}",
        if ratio <= 4.5 { "met" } else { "MISSED" }
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench, scale
}
criterion_main!(benches);
