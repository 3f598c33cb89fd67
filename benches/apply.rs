//! Apply and destroy against the emulator, measured against the honest bound: the critical
//! path of the dependency graph, computed from the per-resource times the run's own events
//! report. In one run:
//! - a large pack (8 members, 16 tools, 2 blocklist prompts, 3 evals) with 300 ms per call
//!   and 2 s provisioning: wall against the critical path, against the old step-after-step
//!   order (each step's own critical path, summed) and against a sequential 5 s poll (each
//!   resource's time rounded up to the next 5 s, summed); then its destroy against its own
//!   critical path;
//! - the demo pack (assets/demo) with 3 s provisioning: wall, wall / provisioning time, and
//!   its destroy.
//!
//! Targets (printed, not asserted): wall ≤ 1.1× critical path; demo ≤ 20 s; destroy ≤ 1.1×.
//!
//! `cargo bench --bench apply` (about two minutes; `-- --quick` runs the demo pack only).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use agentcore_emulator::{Config, Emulator, Faults, Timing, World};
use agentcore_tui::aws::Clients;
use agentcore_tui::deploy::apply::{self, ApplyOptions, ArtifactSource};
use agentcore_tui::deploy::events::{self, Event};
use agentcore_tui::deploy::graph::Graph;
use agentcore_tui::deploy::poll::PollPolicy;
use agentcore_tui::deploy::state::StateStore;
use agentcore_tui::deploy::{Deployment, destroy};
use agentcore_tui::plan::{ResourcePlan, Step};
use serde_json::json;

const REGION: &str = "us-west-2";
const SEQUENTIAL_POLL: Duration = Duration::from_secs(5);

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

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

fn large_config() -> agentcore_tui::config::DeployConfig {
    let targets: serde_json::Map<String, serde_json::Value> = (0..16)
        .map(|i| {
            let t = format!("tool{i:02}");
            let arn = format!("arn:aws:lambda:{REGION}:111122223333:function:{t}");
            (t, json!({ "lambda_arn": arn }))
        })
        .collect();
    agentcore_tui::config::from_json_str(
        &json!({
            "region": REGION,
            "runtime_role_arn": "arn:aws:iam::111122223333:role/AgentCoreRuntime",
            "runtime_binary_path": format!("{}/assets/demo/promptkit-agentcore-runtime", root()),
            "protocol": "a2a",
            "a2a_auth": {"mode": "iam"},
            "tool_targets": targets
        })
        .to_string(),
    )
    .expect("bench config")
}

/// The demo pack and its deploy config, as `--local` uses them.
fn demo() -> (ResourcePlan, String) {
    let pack_json =
        std::fs::read_to_string(format!("{}/assets/demo/support-desk.pack.json", root()))
            .expect("demo pack");
    let cfg_text =
        std::fs::read_to_string(format!("{}/assets/demo/support-desk.deploy.json", root()))
            .expect("demo config");
    let mut cfg = agentcore_tui::config::from_json_str(&cfg_text).expect("demo config parses");
    cfg.runtime_binary_path = Some(format!(
        "{}/assets/demo/promptkit-agentcore-runtime",
        root()
    ));
    let pack = agentcore_tui::pack::parse_str(&pack_json).expect("demo pack parses");
    let plan = agentcore_tui::derive::derive(&pack, &cfg).expect("demo plan");
    (plan, pack_json)
}

/// Per node of `graph`: how long it took, and how long until its ARN was known, both as the
/// run's events report them (a node that did nothing costs nothing).
fn measured(graph: &Graph, evs: &[Event]) -> (Vec<Duration>, Vec<Duration>) {
    let mut took: BTreeMap<(String, String), Duration> = BTreeMap::new();
    let mut arn_at: BTreeMap<(String, String), Duration> = BTreeMap::new();
    for ev in evs {
        if let Event::Resource {
            kind,
            name,
            phase,
            elapsed,
            arn,
            ..
        } = ev
        {
            let key = (kind.clone(), name.clone());
            if arn.is_some() {
                arn_at.entry(key.clone()).or_insert(*elapsed);
            }
            if phase.is_terminal() {
                took.insert(key, *elapsed);
            }
        }
    }
    let key = |i: usize| (graph.nodes[i].kind.clone(), graph.nodes[i].name.clone());
    let cost: Vec<Duration> = (0..graph.nodes.len())
        .map(|i| took.get(&key(i)).copied().unwrap_or_default())
        .collect();
    let arn: Vec<Duration> = (0..graph.nodes.len())
        .map(|i| arn_at.get(&key(i)).copied().unwrap_or(cost[i]).min(cost[i]))
        .collect();
    (cost, arn)
}

/// The chain that makes the critical path, as "kind name (seconds)" from first to last.
fn critical_chain(graph: &Graph, cost: &[Duration], arn: &[Duration]) -> Vec<String> {
    use agentcore_tui::plan::Needs;
    fn finish(
        g: &Graph,
        i: usize,
        cost: &[Duration],
        arn: &[Duration],
        memo: &mut BTreeMap<usize, (Duration, Option<usize>)>,
    ) -> Duration {
        if let Some((f, _)) = memo.get(&i) {
            return *f;
        }
        let mut start = Duration::ZERO;
        let mut via = None;
        for d in &g.nodes[i].deps {
            let Some(j) = g.index(&d.kind, &d.name) else {
                continue;
            };
            let f = finish(g, j, cost, arn, memo);
            let at = match d.needs {
                Needs::Ready => f,
                Needs::Arn => f.saturating_sub(cost[j]) + arn[j],
            };
            if at >= start {
                start = at;
                via = Some(j);
            }
        }
        memo.insert(i, (start + cost[i], via));
        start + cost[i]
    }
    let mut memo = BTreeMap::new();
    let last = (0..graph.nodes.len()).max_by_key(|&i| finish(graph, i, cost, arn, &mut memo));
    let mut chain = Vec::new();
    let mut at = last;
    while let Some(i) = at {
        let n = &graph.nodes[i];
        chain.push(format!("{} {} ({:.1} s)", n.kind, n.name, secs(cost[i])));
        at = memo.get(&i).and_then(|(_, via)| *via);
    }
    chain.reverse();
    chain
}

struct Measure {
    chain: Vec<String>,
    wall: Duration,
    critical: Duration,
    /// Each step's own critical path, the steps one after the other.
    steps: Duration,
    /// Every resource alone, each wait rounded up to the next 5 s poll.
    sequential: Duration,
    ok: bool,
}

fn measure(graph: &Graph, evs: &[Event], wall: Duration, ok: bool) -> Measure {
    let (cost, arn) = measured(graph, evs);
    let critical = graph.critical_path(|i| cost[i], |i| arn[i]);
    let mut by_step: BTreeMap<Step, Vec<usize>> = BTreeMap::new();
    for (i, n) in graph.nodes.iter().enumerate() {
        by_step.entry(n.step).or_default().push(i);
    }
    let steps = by_step
        .values()
        .map(|idx| {
            let sub = Graph {
                nodes: idx.iter().map(|&i| graph.nodes[i].clone()).collect(),
            };
            sub.critical_path(|j| cost[idx[j]], |j| arn[idx[j]])
        })
        .sum();
    let poll = SEQUENTIAL_POLL.as_secs_f64();
    let sequential = cost
        .iter()
        .map(|c| Duration::from_secs_f64((c.as_secs_f64() / poll).ceil() * poll))
        .sum();
    Measure {
        chain: critical_chain(graph, &cost, &arn),
        wall,
        critical,
        steps,
        sequential,
        ok,
    }
}

struct Runs {
    apply: Measure,
    destroy: Measure,
}

async fn run(
    plan: &ResourcePlan,
    pack_json: &str,
    region: &str,
    timing: Timing,
    latency: Option<Duration>,
    concurrency: usize,
) -> Runs {
    let faults = match latency {
        Some(l) => Faults::parse(&format!("latency={}ms", l.as_millis())).expect("fault spec"),
        None => Faults::none(),
    };
    let emulator = Emulator::start(Config {
        world: World::Demo,
        timing,
        faults,
        ..Config::default()
    })
    .await
    .expect("emulator");
    let clients = Clients::for_endpoint(&emulator.endpoint_url(), region)
        .await
        .expect("clients");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(StateStore::open_path(dir.path().join("state.json")).expect("state"));
    let base = Deployment::new(clients, emulator.account_id().to_owned(), store)
        .with_poll(PollPolicy::default())
        .with_concurrency(concurrency);
    let opts = ApplyOptions {
        artifact: ArtifactSource::Code(
            format!("{}/assets/demo/promptkit-agentcore-runtime", root()).into(),
        ),
        pack_json: pack_json.to_owned(),
    };

    let (tx, mut rx) = events::channel();
    let dep = base.clone().with_events(tx);
    let t = Instant::now();
    let report = apply::apply(&dep, plan, &opts).await;
    let wall = t.elapsed();
    drop(dep);
    if !report.ok() {
        eprintln!("{}", report.summary());
    }
    let evs = drain(&mut rx).await;
    let apply = measure(&apply::graph(plan), &evs, wall, report.ok());

    let (graph, _) = destroy::graph(&base.store.snapshot());
    let (tx, mut rx) = events::channel();
    let dep = base.clone().with_events(tx);
    let t = Instant::now();
    let d = destroy::destroy(&dep).await;
    let wall = t.elapsed();
    drop(dep);
    if !d.ok() {
        eprintln!("{}", d.summary());
    }
    let evs = drain(&mut rx).await;
    let destroy = measure(&graph, &evs, wall, d.ok());
    emulator.shutdown().await;
    Runs { apply, destroy }
}

async fn drain(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>) -> Vec<Event> {
    let mut evs = Vec::new();
    while let Some(e) = rx.recv().await {
        evs.push(e);
    }
    evs
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn report(what: &str, m: &Measure, verb: &str) {
    let failed = if m.ok { "" } else { "  (FAILED)" };
    println!(
        "  {what} wall {:>6.1} s  critical path {:>6.1} s  = {:.2}× (target ≤ 1.10){failed}",
        secs(m.wall),
        secs(m.critical),
        secs(m.wall) / secs(m.critical).max(f64::EPSILON),
    );
    println!("    critical chain: {}", m.chain.join(" → "));
    if verb == "apply" {
        println!(
            "    old step-after-step order {:>6.1} s  ({:.2}× the wall)",
            secs(m.steps),
            secs(m.steps) / secs(m.wall)
        );
        println!(
            "    sequential, 5 s polling   {:>6.1} s  ({:.2}× the wall)",
            secs(m.sequential),
            secs(m.sequential) / secs(m.wall)
        );
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");

    if !quick {
        let pack_json = large_pack();
        let pack = agentcore_tui::pack::parse_str(&pack_json).expect("bench pack");
        let plan = agentcore_tui::derive::derive(&pack, &large_config()).expect("bench plan");
        let latency = Duration::from_millis(300);
        let provisioning = Duration::from_secs(2);
        println!(
            "large pack: {} resources, {} ms per call, {:.0} s provisioning and deletion, 16 at once",
            apply::resources(&plan).len(),
            latency.as_millis(),
            secs(provisioning)
        );
        let r = rt.block_on(run(
            &plan,
            &pack_json,
            REGION,
            Timing::with_provisioning(provisioning),
            Some(latency),
            16,
        ));
        report("apply  ", &r.apply, "apply");
        report("destroy", &r.destroy, "destroy");
    }

    let (plan, pack_json) = demo();
    let provisioning = Duration::from_secs(3);
    println!(
        "demo pack (assets/demo): {} resources, {:.0} s provisioning and deletion, no latency, default concurrency",
        apply::resources(&plan).len(),
        secs(provisioning)
    );
    let r = rt.block_on(run(
        &plan,
        &pack_json,
        "us-east-1",
        Timing::with_provisioning(provisioning),
        None,
        agentcore_tui::deploy::DEFAULT_CONCURRENCY,
    ));
    report("apply  ", &r.apply, "apply");
    println!(
        "    wall / provisioning time  {:.1}  (demo target ≤ 20 s: {})",
        secs(r.apply.wall) / secs(provisioning),
        if r.apply.wall <= Duration::from_secs(20) {
            "met"
        } else {
            "missed"
        }
    );
    report("destroy", &r.destroy, "destroy");
}
