//! Recommendations list at scale (issue 7): with 10,000 recommendations in the emulator, the time
//! until the first page is in hand, and filtering 10,000 summaries per keystroke (target ≤ 5 ms).

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

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
