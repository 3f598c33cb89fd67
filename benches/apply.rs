//! Apply of a large pack (8 members, 16 tools, 2 blocklist prompts, 3 evals)
//! against the emulator with 300 ms per call and 2 s provisioning: our
//! engine vs the critical-path lower bound and vs the Go adapter's strategy
//! (one resource at a time, a fixed 5 s poll), run here on a fresh emulator.
//!
//! `cargo bench --bench apply` (takes a few minutes; `-- --quick` skips the
//! sequential run). Not run in CI.

use std::sync::Arc;
use std::time::{Duration, Instant};

use agentcore_emulator::{Config, Emulator, Faults, Timing, World};
use agentcore_tui::aws::Clients;
use agentcore_tui::deploy::apply::{self, ApplyOptions, ArtifactSource};
use agentcore_tui::deploy::poll::PollPolicy;
use agentcore_tui::deploy::state::StateStore;
use agentcore_tui::deploy::{Deployment, destroy};
use agentcore_tui::plan::{ResourcePlan, Step};
use serde_json::json;

const LATENCY: Duration = Duration::from_millis(300);
const PROVISIONING: Duration = Duration::from_secs(2);
const REGION: &str = "us-west-2";

fn large_pack() -> String {
    let members: Vec<String> = (0..8).map(|i| format!("agent{i}")).collect();
    let tools: Vec<String> = (0..16).map(|i| format!("tool{i:02}")).collect();
    let mut prompts = serde_json::Map::new();
    for (i, m) in members.iter().enumerate() {
        let mut p =
            json!({"id": m, "name": m, "version": "1.0.0", "system_template": "You are {{role}}."});
        if i < 2 {
            let blocked: Vec<&String> = tools.iter().skip(i * 2).take(2).collect();
            p["tool_policy"] = json!({"blocklist": blocked});
        }
        prompts.insert(m.clone(), p);
    }
    let tool_defs: serde_json::Map<String, serde_json::Value> = tools
        .iter()
        .map(|t| {
            (
                t.clone(),
                json!({"name": t, "description": format!("Tool {t}"),
                       "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}),
            )
        })
        .collect();
    let members_obj: serde_json::Map<String, serde_json::Value> = members
        .iter()
        .map(|m| (m.clone(), json!({"description": m})))
        .collect();
    json!({
        "id": "bench-pack", "name": "Bench", "version": "1.0.0",
        "template_engine": {"version": "v1", "syntax": "{{variable}}"},
        "prompts": prompts,
        "tools": tool_defs,
        "agents": {"entry": "agent0", "members": members_obj},
        "evals": [
            {"id": "quality", "type": "llm_as_judge", "trigger": "every_turn", "params": {"instructions": "Rate {assistant_turn}"}},
            {"id": "safety", "type": "llm_judge", "trigger": "on_session_complete"},
            {"id": "tone", "type": "llm_as_judge", "trigger": "sample_turns"}
        ]
    })
    .to_string()
}

fn config() -> agentcore_tui::config::DeployConfig {
    let targets: serde_json::Map<String, serde_json::Value> = (0..16)
        .map(|i| {
            let t = format!("tool{i:02}");
            let arn = format!("arn:aws:lambda:{REGION}:111122223333:function:{t}");
            (t, json!({ "lambda_arn": arn }))
        })
        .collect();
    let bin = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo/promptkit-agentcore-runtime"
    );
    agentcore_tui::config::from_json_str(
        &json!({
            "region": REGION,
            "runtime_role_arn": "arn:aws:iam::111122223333:role/AgentCoreRuntime",
            "runtime_binary_path": bin,
            "protocol": "a2a",
            "a2a_auth": {"mode": "iam"},
            "tool_targets": targets
        })
        .to_string(),
    )
    .expect("bench config")
}

/// Σ over steps of the step's dependency chain, each link one create call,
/// the provisioning time and one status call (2 × latency + provisioning),
/// plus the one code-package upload.
fn lower_bound(plan: &ResourcePlan) -> (Duration, Vec<(Step, u32)>) {
    let link = LATENCY * 2 + PROVISIONING;
    let mut chains = Vec::new();
    for s in &plan.steps {
        if s.resources.is_empty() {
            continue;
        }
        let links = match s.step {
            // the gateway, then its targets
            Step::ToolGateways => 2,
            // engine → gateway association → policies
            Step::CedarPolicies => 3,
            // logical endpoints plus one update of the entry runtime
            Step::A2aWiring => 1,
            _ => 1,
        };
        chains.push((s.step, links));
    }
    let total = chains.iter().map(|(_, n)| link * *n).sum::<Duration>() + LATENCY;
    (total, chains)
}

async fn run(
    plan: &ResourcePlan,
    pack_json: &str,
    poll: PollPolicy,
    concurrency: usize,
) -> (Duration, bool) {
    let emulator = Emulator::start(Config {
        world: World::Demo,
        timing: Timing::with_provisioning(PROVISIONING),
        faults: Faults::parse(&format!("latency={}ms", LATENCY.as_millis())).expect("fault spec"),
        ..Config::default()
    })
    .await
    .expect("emulator");
    let clients = Clients::for_endpoint(&emulator.endpoint_url(), REGION)
        .await
        .expect("clients");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(StateStore::open_path(dir.path().join("state.json")).expect("state"));
    let dep = Deployment::new(clients, emulator.account_id().to_owned(), store)
        .with_poll(poll)
        .with_concurrency(concurrency);
    let opts = ApplyOptions {
        artifact: ArtifactSource::Code(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/assets/demo/promptkit-agentcore-runtime"
            )
            .into(),
        ),
        pack_json: pack_json.to_owned(),
    };
    let t = Instant::now();
    let report = apply::apply(&dep, plan, &opts).await;
    let took = t.elapsed();
    if !report.ok() {
        eprintln!("{}", report.summary());
    }
    // Leave nothing behind, quickly: latency off.
    emulator.set_faults(Faults::none());
    let _ = destroy::destroy(&dep.with_poll(PollPolicy {
        first: Duration::from_millis(50),
        ..PollPolicy::default()
    }))
    .await;
    emulator.shutdown().await;
    (took, report.ok())
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let pack_json = large_pack();
    let pack = agentcore_tui::pack::parse_str(&pack_json).expect("bench pack");
    let plan = agentcore_tui::derive::derive(&pack, &config()).expect("bench plan");
    let (bound, chains) = lower_bound(&plan);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");

    println!(
        "apply bench: {} resources, latency {} ms/call, provisioning {:.1} s",
        plan.resources().count(),
        LATENCY.as_millis(),
        PROVISIONING.as_secs_f64()
    );
    for (s, n) in &chains {
        println!("  {:<18} chain of {n}", s.title());
    }
    println!(
        "lower bound (critical path):     {:>6.1} s",
        bound.as_secs_f64()
    );

    let (ours, ok) = rt.block_on(run(&plan, &pack_json, PollPolicy::default(), 16));
    println!(
        "engine (backoff polls, 16 at once): {:>6.1} s  = {:.2}× the bound{}",
        ours.as_secs_f64(),
        ours.as_secs_f64() / bound.as_secs_f64(),
        if ok { "" } else { "  (apply FAILED)" }
    );
    if quick {
        return;
    }
    let (seq, ok) = rt.block_on(run(
        &plan,
        &pack_json,
        PollPolicy::fixed(Duration::from_secs(5)),
        1,
    ));
    println!(
        "sequential, fixed 5 s poll:       {:>6.1} s  = {:.2}× the bound, {:.1}× slower than the engine{}",
        seq.as_secs_f64(),
        seq.as_secs_f64() / bound.as_secs_f64(),
        seq.as_secs_f64() / ours.as_secs_f64(),
        if ok { "" } else { "  (apply FAILED)" }
    );
}
