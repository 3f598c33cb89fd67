//! The deploy engine against the emulator, through the real SDK clients:
//! apply → status → re-plan shows nothing to do → destroy leaves nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use agentcore_emulator::{Config, Emulator, Faults, Timing, World};
use agentcore_tui::aws::Clients;
use agentcore_tui::config::{self, DeployConfig};
use agentcore_tui::deploy::apply::{self, ApplyOptions, ArtifactSource, Outcome, ResourceOutcome};
use agentcore_tui::deploy::events::{self, Event, ResourcePhase};
use agentcore_tui::deploy::plan::{self, Action};
use agentcore_tui::deploy::poll::PollPolicy;
use agentcore_tui::deploy::state::{RecordStatus, ResourceRecord, StateStore};
use agentcore_tui::deploy::status::{self, Health, Overall};
use agentcore_tui::deploy::{Deployment, destroy};
use agentcore_tui::pack::{self, Pack};
use agentcore_tui::plan::{Needs, ResourceKind, ResourcePlan, ResourceSpec, Step};
use aws_sdk_bedrockagentcorecontrol::types::{
    CloudWatchLogsInputConfig, DataSourceConfig, EvaluatorReference, Rule, SamplingConfig,
};
use tokio_util::sync::CancellationToken;

const REGION: &str = "us-west-2";
const ROLE: &str = "arn:aws:iam::111122223333:role/AgentCoreRuntime";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn binary() -> PathBuf {
    root().join("assets/demo/promptkit-agentcore-runtime")
}

fn base_config(extra: serde_json::Value) -> DeployConfig {
    let mut v = serde_json::json!({
        "region": REGION,
        "runtime_role_arn": ROLE,
        "runtime_binary_path": binary(),
    });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        for (k, x) in e {
            o.insert(k.clone(), x.clone());
        }
    }
    config::from_json_str(&v.to_string()).expect("test config parses")
}

struct Env {
    emulator: Emulator,
    dep: Deployment,
    _dir: tempfile::TempDir,
}

fn fast_poll() -> PollPolicy {
    PollPolicy {
        first: Duration::from_millis(20),
        factor: 0.2,
        cap: Duration::from_millis(200),
        timeout: Duration::from_secs(60),
    }
}

async fn env_with(timing: Timing, faults: Faults) -> Env {
    let emulator = Emulator::start(Config {
        world: World::Demo,
        timing,
        faults,
        ..Config::default()
    })
    .await
    .expect("emulator starts");
    let clients = Clients::for_endpoint(&emulator.endpoint_url(), REGION)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(StateStore::open_path(dir.path().join("state.json")).unwrap());
    let dep =
        Deployment::new(clients, emulator.account_id().to_owned(), store).with_poll(fast_poll());
    Env {
        emulator,
        dep,
        _dir: dir,
    }
}

async fn env() -> Env {
    env_with(Timing::instant(), Faults::none()).await
}

fn load_pack(path: &Path) -> (Pack, String) {
    let text = std::fs::read_to_string(path).unwrap();
    (pack::parse_str(&text).unwrap(), text)
}

fn opts(pack_json: &str) -> ApplyOptions {
    ApplyOptions {
        artifact: ArtifactSource::Code(binary()),
        pack_json: pack_json.to_owned(),
    }
}

fn planned(
    dep: &Deployment,
    plan: &ResourcePlan,
) -> agentcore_tui::deploy::artifact::RuntimeArtifact {
    ArtifactSource::Code(binary())
        .planned(&dep.account, REGION, &plan.pack_id, &plan.pack_version)
        .unwrap()
}

/// What the emulator must hold for this plan, in its resource_counts keys.
fn expected_counts(plan: &ResourcePlan) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    let mut add = |k: &str, n: usize| *m.entry(k.to_owned()).or_insert(0) += n;
    let mut tools = 0;
    for r in plan.resources() {
        match &r.spec {
            ResourceSpec::Memory(_) => add("memory", 1),
            ResourceSpec::ToolGateway(_) => {
                tools += 1;
                add("gateway_target", 1)
            }
            ResourceSpec::CedarPolicy(c) => {
                add("policy_engine", 1);
                // the forbids and the baseline permit
                add("policy", c.forbids.len() + 1)
            }
            ResourceSpec::AgentRuntime(_) => add("agent_runtime", 1),
            ResourceSpec::A2aEndpoint(_) => {}
            ResourceSpec::Evaluator(_) => add("evaluator", 1),
            ResourceSpec::OnlineEvalConfig(_) => add("online_evaluation_config", 1),
        }
    }
    if tools > 0 {
        add("gateway", 1);
    }
    m
}

const DEPLOY_KINDS: [&str; 8] = [
    "memory",
    "gateway",
    "gateway_target",
    "policy_engine",
    "policy",
    "agent_runtime",
    "evaluator",
    "online_evaluation_config",
];

fn deployed_counts(e: &Emulator) -> BTreeMap<String, usize> {
    e.resource_counts()
        .into_iter()
        .filter(|(k, v)| DEPLOY_KINDS.contains(&k.as_str()) && *v > 0)
        .collect()
}

/// The emulator's online evaluation configs: name → the service names each one evaluates.
async fn online_evals(c: &Clients) -> BTreeMap<String, Vec<String>> {
    let list = c
        .control
        .list_online_evaluation_configs()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for s in list {
        let got = c
            .control
            .get_online_evaluation_config()
            .online_evaluation_config_id(s.online_evaluation_config_id())
            .send()
            .await
            .unwrap();
        let services = match got.data_source_config() {
            Some(DataSourceConfig::CloudWatchLogs(l)) => l.service_names().to_vec(),
            other => panic!("no CloudWatch logs source: {other:?}"),
        };
        out.insert(s.online_evaluation_config_name().to_owned(), services);
    }
    out
}

/// Every runtime of the plan is evaluated, each by a config of its own with its one service name.
fn assert_one_online_eval_per_runtime(
    plan: &ResourcePlan,
    deployed: &BTreeMap<String, Vec<String>>,
) {
    let planned = plan.names(ResourceKind::OnlineEvalConfig);
    if planned.is_empty() {
        assert!(deployed.is_empty(), "{deployed:#?}");
        return;
    }
    let mut names: Vec<&str> = deployed.keys().map(String::as_str).collect();
    names.sort();
    let mut want_names = planned.clone();
    want_names.sort();
    assert_eq!(names, want_names);
    let mut services: Vec<String> = deployed
        .values()
        .map(|s| {
            assert_eq!(
                s.len(),
                1,
                "AWS takes exactly one service name: {deployed:#?}"
            );
            s[0].clone()
        })
        .collect();
    services.sort();
    let mut runtimes: Vec<String> = plan
        .names(ResourceKind::AgentRuntime)
        .iter()
        .map(|r| format!("{r}.DEFAULT"))
        .collect();
    runtimes.sort();
    assert_eq!(services, runtimes);
}

/// The whole life cycle; returns the apply report's outcome counts.
async fn full_cycle(e: &Env, plan: &ResourcePlan, pack_json: &str) {
    let report = apply::apply(&e.dep, plan, &opts(pack_json)).await;
    assert!(report.ok(), "apply failed: {:#?}", report.outcomes);
    assert_eq!(deployed_counts(&e.emulator), expected_counts(plan));
    assert_one_online_eval_per_runtime(plan, &online_evals(&e.dep.clients).await);

    let st = status::status(&e.dep).await.unwrap();
    assert_eq!(st.status, Overall::Deployed, "{st:#?}");
    assert!(st.resources.iter().all(|r| r.health == Health::Healthy));

    let art = planned(&e.dep, plan);
    let p = plan::plan(
        plan,
        &e.dep.store.snapshot(),
        Some(&e.dep.clients),
        Some(&art),
    )
    .await
    .unwrap();
    assert!(
        !p.has_changes(),
        "re-plan should be a no-op: {:#?}",
        p.items
    );
    assert!(p.drift.is_empty());

    // Applying again changes nothing either.
    let again = apply::apply(&e.dep, plan, &opts(pack_json)).await;
    assert!(again.ok());
    assert_eq!(
        again.count(Outcome::Created) + again.count(Outcome::Updated),
        0,
        "{:#?}",
        again.outcomes
    );

    let d = destroy::destroy(&e.dep).await;
    assert!(d.ok(), "{:#?}", d.outcomes);
    assert_eq!(deployed_counts(&e.emulator), BTreeMap::new());
    assert!(e.dep.store.snapshot().resources.is_empty());
    let st = status::status(&e.dep).await.unwrap();
    assert_eq!(st.status, Overall::NotDeployed);
}

#[tokio::test]
async fn single_agent_pack_full_cycle() {
    let e = env().await;
    let path = Path::new("../shared/fixtures/packs/single-agent_minimal_no-tools.pack.json");
    let (p, text) = load_pack(&root().join(path));
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    assert_eq!(plan.names(ResourceKind::AgentRuntime).len(), 1);
    full_cycle(&e, &plan, &text).await;
}

#[tokio::test]
async fn multi_agent_pack_with_tools_blocklist_memory_and_evals_full_cycle() {
    let e = env().await;
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let cfg = base_config(serde_json::json!({
        "memory_store": {"strategies": ["semantic", "summary"]},
        "protocol": "a2a",
        "a2a_auth": {"mode": "jwt", "discovery_url": "https://issuer.example.com/.well-known/openid-configuration", "allowed_audience": ["support"]},
        "tags": {"team": "platform"}
    }));
    let plan = agentcore_tui::derive::derive(&p, &cfg).unwrap();
    let counts = expected_counts(&plan);
    assert!(
        counts["agent_runtime"] > 1
            && counts["gateway_target"] > 0
            && counts["policy"] > 0
            && counts["evaluator"] > 0
    );
    let (tx, mut rx) = events::channel();
    let dep = e.dep.clone().with_events(tx);
    let report = apply::apply(&dep, &plan, &opts(&text)).await;
    assert!(report.ok(), "{:#?}", report.outcomes);
    drop(dep);

    // The event stream tells the whole story: the graph's order, every resource ready.
    let mut evs = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        evs.push(ev);
    }
    assert_graph_order(&plan, &evs);
    let ready = evs
        .iter()
        .filter(|ev| {
            matches!(
                ev,
                Event::Resource {
                    phase: ResourcePhase::Ready,
                    ..
                }
            )
        })
        .count();
    assert!(ready >= plan.resources().count());

    // The entry runtime knows its peers; every runtime has its env and JWT authorizer.
    let entry = plan
        .resources()
        .find(|r| matches!(&r.spec, ResourceSpec::AgentRuntime(s) if s.is_entry))
        .unwrap();
    let rec = e
        .dep
        .store
        .snapshot()
        .get("agent_runtime", &entry.name)
        .cloned()
        .unwrap();
    let rt = e
        .dep
        .clients
        .control
        .get_agent_runtime()
        .agent_runtime_id(rec.meta("id").unwrap())
        .send()
        .await
        .unwrap();
    let env = rt.environment_variables().unwrap();
    // Its peers, each by the ARN its Create answered: the entry was created with them, no
    // later update.
    let agents: BTreeMap<String, String> = serde_json::from_str(&env["PROMPTPACK_AGENTS"]).unwrap();
    assert_eq!(
        agents.len(),
        plan.names(ResourceKind::AgentRuntime).len() - 1
    );
    for (member, arn) in &agents {
        let r = plan
            .resources()
            .find(|r| matches!(&r.spec, ResourceSpec::AgentRuntime(s) if s.agent.as_deref() == Some(member.as_str())))
            .unwrap();
        assert!(!r.name.eq(&entry.name));
        assert_eq!(
            e.dep
                .store
                .snapshot()
                .get("agent_runtime", &r.name)
                .unwrap()
                .arn
                .as_deref(),
            Some(arn.as_str())
        );
    }
    assert!(
        !evs.iter().any(|ev| matches!(ev, Event::Resource { phase: ResourcePhase::Calling(op), .. } if op == "UpdateAgentRuntime")),
        "no second update for the peers"
    );
    assert!(env["PROMPTPACK_MEMORY_ID"].contains(":memory/"));
    assert!(env["PROMPTPACK_POLICY_ENGINE_ARN"].contains(":policy-engine/"));
    assert!(rt.authorizer_configuration().is_some());

    // The gateway enforces the blocklist's engine.
    let gw = e
        .dep
        .store
        .snapshot()
        .resources
        .iter()
        .find(|r| r.kind == "gateway")
        .cloned()
        .unwrap();
    let g = e
        .dep
        .clients
        .control
        .get_gateway()
        .gateway_identifier(gw.meta("id").unwrap())
        .send()
        .await
        .unwrap();
    assert!(g.policy_engine_configuration().is_some());

    // Re-plan, re-apply and destroy through the common path.
    full_cycle(&e, &plan, &text).await;
}

/// From the event stream (sent in the order things happen): no resource starts before every
/// resource it depends on is ready (or, for an `Arn` edge, has answered its Create with its ARN).
fn assert_graph_order(plan: &ResourcePlan, evs: &[Event]) {
    let first = |pred: &dyn Fn(&Event) -> bool| evs.iter().position(pred);
    let mut checked = 0;
    for r in plan.resources() {
        let Some(start) = first(
            &|ev| matches!(ev, Event::Resource { kind, name, phase: ResourcePhase::Pending, .. } if *kind == r.kind.as_str() && *name == r.name),
        ) else {
            continue;
        };
        for d in &r.depends_on {
            let at = match d.needs {
                Needs::Ready => first(&|ev| {
                    matches!(ev, Event::Resource { kind, name, phase, .. }
                        if *kind == d.kind && *name == d.name
                        && matches!(phase, ResourcePhase::Ready | ResourcePhase::Adopted | ResourcePhase::Unchanged))
                }),
                Needs::Arn => first(
                    &|ev| matches!(ev, Event::Resource { kind, name, arn: Some(_), .. } if *kind == d.kind && *name == d.name),
                ),
            };
            let at = at.unwrap_or_else(|| {
                panic!(
                    "{} {} started, but {} {} never got there",
                    r.kind, r.name, d.kind, d.name
                )
            });
            assert!(
                at < start,
                "{} {} started (event {start}) before {} {} was there (event {at})",
                r.kind,
                r.name,
                d.kind,
                d.name
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no edge was exercised");
}

/// The demo pack with these blocklists (prompt → tools) instead of its own.
fn demo_with_blocklists(lists: &[(&str, &[&str])]) -> (Pack, String) {
    let text = std::fs::read_to_string(root().join("assets/demo/support-desk.pack.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    for (_, prompt) in v["prompts"].as_object_mut().unwrap().iter_mut() {
        prompt.as_object_mut().unwrap().remove("tool_policy");
    }
    for (prompt, tools) in lists {
        v["prompts"][*prompt]["tool_policy"] = serde_json::json!({ "blocklist": tools });
    }
    let text = serde_json::to_string_pretty(&v).unwrap();
    (pack::parse_str(&text).unwrap(), text)
}

/// The engine's policies as (name, description), sorted by name.
async fn policies(e: &Env, engine_id: &str) -> Vec<(String, String)> {
    let out = e
        .dep
        .clients
        .control
        .list_policies()
        .policy_engine_id(engine_id)
        .send()
        .await
        .unwrap();
    let mut v: Vec<(String, String)> = out
        .policies()
        .iter()
        .map(|p| {
            (
                p.name().to_owned(),
                p.description().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The engine the pack's gateway enforces, and its mode.
async fn enforced_engine(e: &Env) -> (String, String) {
    let gw = e
        .dep
        .store
        .snapshot()
        .get("gateway", "support-desk-gw")
        .cloned()
        .unwrap();
    let g = e
        .dep
        .clients
        .control
        .get_gateway()
        .gateway_identifier(gw.meta("id").unwrap())
        .send()
        .await
        .unwrap();
    let c = g
        .policy_engine_configuration()
        .expect("the gateway has an engine");
    (c.arn().to_owned(), c.mode().as_str().to_owned())
}

#[tokio::test]
async fn two_blocklist_prompts_share_one_enforced_engine_and_a_dropped_tool_loses_its_policy() {
    let e = env().await;
    let cfg = base_config(serde_json::json!({}));
    let (p, text) = demo_with_blocklists(&[
        ("billing", &["delete_account"]),
        ("technical", &["refund_order", "delete_account"]),
    ]);
    let plan = agentcore_tui::derive::derive(&p, &cfg).unwrap();
    assert_eq!(
        plan.names(ResourceKind::CedarPolicy),
        ["support_desk_policy_engine"]
    );
    assert!(plan.warnings.iter().any(|w| w.category == "security"));
    let report = apply::apply(&e.dep, &plan, &opts(&text)).await;
    assert!(report.ok(), "{:#?}", report.outcomes);

    // One engine, one policy per blocked tool, and the gateway enforces that engine.
    let counts = e.emulator.resource_counts();
    assert_eq!(counts["policy_engine"], 1, "{counts:?}");
    // the two forbids and the baseline permit
    assert_eq!(counts["policy"], 3, "{counts:?}");
    let rec = e
        .dep
        .store
        .snapshot()
        .get("cedar_policy", "support_desk_policy_engine")
        .cloned()
        .unwrap();
    let engine_arn = rec.meta("policy_engine_arn").unwrap().to_owned();
    let engine_id = rec.meta("policy_engine_id").unwrap().to_owned();
    assert_eq!(rec.meta("policy_count"), Some("3"));
    assert_eq!(
        enforced_engine(&e).await,
        (engine_arn.clone(), "ENFORCE".into())
    );
    let ps = policies(&e, &engine_id).await;
    let names: Vec<&str> = ps.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "allow_gateway_tools",
            "block_delete_account",
            "block_refund_order"
        ]
    );
    assert!(ps[0].1.contains("every agent of the pack"), "{}", ps[0].1);
    assert!(
        ps[1].1.contains("prompts billing, technical"),
        "{}",
        ps[1].1
    );
    assert!(ps[2].1.contains("prompt technical"), "{}", ps[2].1);
    // Every runtime is told the one engine.
    for r in e
        .dep
        .store
        .snapshot()
        .resources
        .iter()
        .filter(|r| r.kind == "agent_runtime")
    {
        let rt = e
            .dep
            .clients
            .control
            .get_agent_runtime()
            .agent_runtime_id(r.meta("id").unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(
            rt.environment_variables().unwrap()["PROMPTPACK_POLICY_ENGINE_ARN"],
            engine_arn
        );
    }

    // technical no longer blocks refund_order: the plan says the engine changes, and the apply
    // deletes exactly that policy and keeps the engine.
    let (p2, text2) = demo_with_blocklists(&[
        ("billing", &["delete_account"]),
        ("technical", &["delete_account"]),
    ]);
    let plan2 = agentcore_tui::derive::derive(&p2, &cfg).unwrap();
    assert!(plan2.warnings.iter().all(|w| w.category != "security"));
    let art = planned(&e.dep, &plan2);
    let diff = plan::plan(
        &plan2,
        &e.dep.store.snapshot(),
        Some(&e.dep.clients),
        Some(&art),
    )
    .await
    .unwrap();
    let changed: Vec<(Action, &str)> = diff
        .items
        .iter()
        .filter(|i| i.action != Action::Unchanged)
        .map(|i| (i.action, i.name.as_str()))
        .collect();
    assert_eq!(changed, [(Action::Update, "support_desk_policy_engine")]);
    let report = apply::apply(&e.dep, &plan2, &opts(&text2)).await;
    assert!(report.ok(), "{:#?}", report.outcomes);
    let counts = e.emulator.resource_counts();
    assert_eq!(
        (counts["policy_engine"], counts["policy"]),
        (1, 2),
        "{counts:?}"
    );
    let ps = policies(&e, &engine_id).await;
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0].0, "allow_gateway_tools");
    assert_eq!(ps[1].0, "block_delete_account");
    assert!(
        ps[1].1.contains("prompts billing, technical"),
        "{}",
        ps[1].1
    );
    assert_eq!(enforced_engine(&e).await, (engine_arn, "ENFORCE".into()));

    // Re-plan and re-apply are no-ops, destroy leaves nothing.
    full_cycle(&e, &plan2, &text2).await;
}

/// What a watcher saw of the gateway: its engine's mode, and whether that engine then held an
/// ACTIVE baseline permit.
async fn gateway_sample(c: &Clients) -> Option<(String, bool)> {
    let gws = c.control.list_gateways().send().await.ok()?;
    let gw = gws.items().first()?;
    let g = c
        .control
        .get_gateway()
        .gateway_identifier(gw.gateway_id())
        .send()
        .await
        .ok()?;
    let cfg = g.policy_engine_configuration()?;
    let engines = c.control.list_policy_engines().send().await.ok()?;
    let engine = engines
        .policy_engines()
        .iter()
        .find(|e| e.policy_engine_arn() == cfg.arn())?;
    let ps = c
        .control
        .list_policies()
        .policy_engine_id(engine.policy_engine_id())
        .send()
        .await
        .ok()?;
    let permit_active = ps
        .policies()
        .iter()
        .any(|p| p.name() == "allow_gateway_tools" && p.status().as_str() == "ACTIVE");
    Some((cfg.mode().as_str().to_owned(), permit_active))
}

/// Applies while a watcher samples the gateway; returns the apply's UpdateGateway calls in order
/// and every sample taken.
async fn apply_watched(
    e: &Env,
    plan: &ResourcePlan,
    pack_json: &str,
) -> (Vec<String>, Vec<(String, bool)>) {
    let stop = CancellationToken::new();
    let watcher = {
        let (c, stop) = (e.dep.clients.clone(), stop.clone());
        tokio::spawn(async move {
            let mut seen = Vec::new();
            while !stop.is_cancelled() {
                if let Some(s) = gateway_sample(&c).await {
                    seen.push(s);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            seen
        })
    };
    let (tx, mut rx) = events::channel();
    let dep = e.dep.clone().with_events(tx);
    let report = apply::apply(&dep, plan, &opts(pack_json)).await;
    stop.cancel();
    let mut seen = watcher.await.unwrap();
    seen.extend(gateway_sample(&e.dep.clients).await);
    assert!(report.ok(), "{:#?}", report.outcomes);
    drop(dep);
    let mut calls = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        if let Event::Resource {
            phase: ResourcePhase::Calling(op),
            ..
        } = ev
            && op.starts_with("UpdateGateway")
        {
            calls.push(op);
        }
    }
    (calls, seen)
}

/// AgentCore denies whatever no permit allows, so an enforcing engine without its ACTIVE permit
/// blocks every tool: the gateway runs the engine in LOG_ONLY until the permit and the forbids are
/// ACTIVE, and stays enforcing on a re-apply that finds the permit in place.
#[tokio::test]
async fn the_gateway_never_enforces_the_engine_before_its_permit_is_active() {
    let e = env_with(
        Timing::with_provisioning(Duration::from_millis(300)),
        Faults::none(),
    )
    .await;
    let cfg = base_config(serde_json::json!({}));
    let (p, text) = demo_with_blocklists(&[("billing", &["delete_account", "refund_order"])]);
    let plan = agentcore_tui::derive::derive(&p, &cfg).unwrap();
    let (calls, seen) = apply_watched(&e, &plan, &text).await;
    assert_eq!(
        calls,
        ["UpdateGateway (LOG_ONLY)", "UpdateGateway (ENFORCE)"]
    );
    assert!(
        seen.iter()
            .all(|(mode, permit)| mode != "ENFORCE" || *permit),
        "{seen:?}"
    );
    assert!(seen.iter().any(|(m, _)| m == "LOG_ONLY"), "{seen:?}");
    assert_eq!(seen.last().unwrap(), &("ENFORCE".to_string(), true));
    let counts = e.emulator.resource_counts();
    assert_eq!((counts["policy_engine"], counts["policy"]), (1, 3));

    // The permit is there and ACTIVE: a changed blocklist updates the policies while the
    // gateway keeps enforcing.
    let (p2, text2) = demo_with_blocklists(&[("billing", &["delete_account"])]);
    let plan2 = agentcore_tui::derive::derive(&p2, &cfg).unwrap();
    let (calls, seen) = apply_watched(&e, &plan2, &text2).await;
    assert!(calls.is_empty(), "{calls:?}");
    assert!(
        seen.iter().all(|s| s == &("ENFORCE".to_string(), true)),
        "{seen:?}"
    );
    // The dropped tool's policy is deleted (apply does not wait out DELETING).
    for _ in 0..100 {
        if e.emulator.resource_counts()["policy"] == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let counts = e.emulator.resource_counts();
    assert_eq!((counts["policy_engine"], counts["policy"]), (1, 2));

    // Someone deleted the permit: the next apply leaves ENFORCE before it makes the permit again.
    let rec = e
        .dep
        .store
        .snapshot()
        .get("cedar_policy", "support_desk_policy_engine")
        .cloned()
        .unwrap();
    let engine_id = rec.meta("policy_engine_id").unwrap().to_owned();
    let ps = e
        .dep
        .clients
        .control
        .list_policies()
        .policy_engine_id(&engine_id)
        .send()
        .await
        .unwrap();
    let permit = ps
        .policies()
        .iter()
        .find(|p| p.name() == "allow_gateway_tools")
        .unwrap();
    e.dep
        .clients
        .control
        .delete_policy()
        .policy_engine_id(&engine_id)
        .policy_id(permit.policy_id())
        .send()
        .await
        .unwrap();
    while policies(&e, &engine_id).await.len() != 1 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (calls, seen) = apply_watched(&e, &plan2, &text2).await;
    assert_eq!(
        calls,
        ["UpdateGateway (LOG_ONLY)", "UpdateGateway (ENFORCE)"]
    );
    // Samples before the apply reached the gateway still show the broken state it repairs.
    let repaired = seen
        .iter()
        .position(|(m, _)| m == "LOG_ONLY")
        .expect("the apply went through LOG_ONLY");
    assert!(
        seen[repaired..]
            .iter()
            .all(|(mode, permit)| mode != "ENFORCE" || *permit),
        "{seen:?}"
    );
    assert_eq!(seen.last().unwrap(), &("ENFORCE".to_string(), true));

    full_cycle(&e, &plan2, &text2).await;
}

#[tokio::test]
async fn fixture_packs_full_cycle() {
    let dir = root().join("../shared/fixtures/packs");
    let mut deployed = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if !path.to_string_lossy().ends_with(".pack.json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(p) = pack::parse_str(&text) else {
            continue;
        };
        // Packs the domain model rejects (naming, bad agents) never reach the engine.
        let Ok(plan) = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({})))
        else {
            continue;
        };
        let e = env().await;
        full_cycle(&e, &plan, &text).await;
        deployed += 1;
    }
    assert!(
        deployed >= 6,
        "only {deployed} fixture packs were deployable"
    );
}

#[tokio::test]
async fn throttling_and_server_errors_do_not_fail_an_apply() {
    let e = env_with(
        Timing::instant(),
        Faults::parse("throttle=0.2,5xx=0.1").unwrap(),
    )
    .await;
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    let report = apply::apply(&e.dep, &plan, &opts(&text)).await;
    assert!(report.ok(), "{:#?}", report.outcomes);
    e.emulator.set_faults(Faults::none());
    assert_eq!(deployed_counts(&e.emulator), expected_counts(&plan));
}

#[tokio::test]
async fn cancel_mid_apply_then_resume_creates_exactly_the_desired_resources() {
    let e = env_with(
        Timing::with_provisioning(Duration::from_millis(300)),
        Faults::none(),
    )
    .await;
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let cfg = base_config(serde_json::json!({"memory_store": ["semantic"]}));
    let plan = agentcore_tui::derive::derive(&p, &cfg).unwrap();

    let cancel = CancellationToken::new();
    let (tx, mut rx) = events::channel();
    let dep = e.dep.clone().with_events(tx).with_cancel(cancel.clone());
    let run = tokio::spawn({
        let plan = plan.clone();
        let text = text.clone();
        async move { apply::apply(&dep, &plan, &opts(&text)).await }
    });
    // Cancel while the runtimes are being created.
    while let Some(ev) = rx.recv().await {
        if let Event::Resource {
            phase: ResourcePhase::Calling(op),
            ..
        } = &ev
            && op == "CreateAgentRuntime"
        {
            cancel.cancel();
            break;
        }
    }
    let first = run.await.unwrap();
    assert!(first.cancelled);
    let mut evs = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        evs.push(ev);
    }
    // Mid-graph: some resources done, some never started. Those never started got no call
    // (no pending row), and the in-flight ones were let finish or stop waiting.
    let never: Vec<&ResourceOutcome> = first
        .outcomes
        .iter()
        .filter(|o| o.reason.as_deref() == Some("cancelled before it started"))
        .collect();
    assert!(
        !never.is_empty(),
        "the dependants of the runtimes must not start"
    );
    assert!(first.count(Outcome::Created) > 0);
    for o in &never {
        assert!(
            !evs.iter().any(|ev| matches!(ev, Event::Resource { kind, name, phase: ResourcePhase::Pending, .. } if *kind == o.kind && *name == o.name)),
            "{} {} started after cancellation",
            o.kind,
            o.name
        );
    }
    assert!(
        !deployed_counts(&e.emulator).contains_key("online_eval_config"),
        "nothing waiting for the runtimes starts after cancellation"
    );

    let resumed = apply::apply(&e.dep, &plan, &opts(&text)).await;
    assert!(resumed.ok(), "{:#?}", resumed.outcomes);
    assert_eq!(deployed_counts(&e.emulator), expected_counts(&plan));
    let d = destroy::destroy(&e.dep).await;
    assert!(d.ok());
    assert_eq!(deployed_counts(&e.emulator), BTreeMap::new());
}

#[tokio::test]
async fn drift_is_reported_and_repaired() {
    let e = env().await;
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    assert!(apply::apply(&e.dep, &plan, &opts(&text)).await.ok());

    // Someone deletes an evaluator behind our back.
    let ev = e
        .dep
        .store
        .snapshot()
        .resources
        .iter()
        .find(|r| r.kind == "evaluator")
        .cloned()
        .unwrap();
    e.dep
        .clients
        .control
        .delete_evaluator()
        .evaluator_id(ev.meta("id").unwrap())
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;

    let st = status::status(&e.dep).await.unwrap();
    assert_eq!(st.status, Overall::Degraded);
    assert!(
        st.resources
            .iter()
            .any(|r| r.name == ev.name && r.health == Health::Missing)
    );

    let art = planned(&e.dep, &plan);
    let p = plan::plan(
        &plan,
        &e.dep.store.snapshot(),
        Some(&e.dep.clients),
        Some(&art),
    )
    .await
    .unwrap();
    assert_eq!(p.drift.len(), 1, "{:#?}", p.drift);
    let item = p.items.iter().find(|i| i.name == ev.name).unwrap();
    assert_eq!(item.action, Action::Create);
    assert!(item.reason.contains("drift"));
    assert!(p.summary().contains("Drift detected"));

    let again = apply::apply(&e.dep, &plan, &opts(&text)).await;
    assert!(again.ok());
    assert_eq!(
        again.count(Outcome::Created),
        1,
        "only the missing evaluator is recreated"
    );
    assert_eq!(deployed_counts(&e.emulator), expected_counts(&plan));
}

#[tokio::test]
async fn a_failure_skips_only_its_dependants() {
    let e = env_with(
        Timing::instant(),
        Faults::parse("op=CreatePolicyEngine:5xx=1.0").unwrap(),
    )
    .await;
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    let report = apply::apply(&e.dep, &plan, &opts(&text)).await;
    assert!(!report.ok());
    let by = |k: &str| {
        report
            .outcomes
            .iter()
            .filter(|o| o.kind == k)
            .map(|o| o.result)
            .collect::<Vec<_>>()
    };
    assert_eq!(by("policy_engine"), [Outcome::Failed]);
    // The policies go in the engine: skipped with the reason.
    let cedar = report
        .outcomes
        .iter()
        .find(|o| o.kind == "cedar_policy")
        .unwrap();
    assert_eq!(cedar.result, Outcome::Skipped);
    assert!(cedar.reason.as_deref().unwrap().contains("policy_engine"));
    // Runtimes start only once the gateway enforces the engine: skipped with the reason.
    let rt = report
        .outcomes
        .iter()
        .find(|o| o.kind == "agent_runtime")
        .unwrap();
    assert_eq!(rt.result, Outcome::Skipped);
    assert!(rt.reason.as_deref().unwrap().contains("cedar_policy"));
    // Independent resources still deployed.
    assert!(by("evaluator").iter().all(|r| *r == Outcome::Created));
    assert!(by("tool_gateway").iter().all(|r| *r == Outcome::Created));
    let failed = report
        .outcomes
        .iter()
        .find(|o| o.result == Outcome::Failed)
        .unwrap();
    let err = failed.error.as_ref().unwrap();
    assert!(err.hint.is_some(), "{err:?}");

    // Once the fault is gone, apply finishes the job.
    e.emulator.set_faults(Faults::none());
    assert!(apply::apply(&e.dep, &plan, &opts(&text)).await.ok());
    assert_eq!(deployed_counts(&e.emulator), expected_counts(&plan));
}

#[tokio::test]
async fn a_resource_that_fails_to_provision_is_explained_and_still_destroyed() {
    let e = env_with(
        Timing::instant(),
        Faults::parse("op=CreateAgentRuntime:fail=1.0").unwrap(),
    )
    .await;
    let path = root().join("../shared/fixtures/packs/single-agent_minimal_no-tools.pack.json");
    let (p, text) = load_pack(&path);
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    let report = apply::apply(&e.dep, &plan, &opts(&text)).await;
    assert!(!report.ok());
    let rt = report
        .outcomes
        .iter()
        .find(|o| o.kind == "agent_runtime")
        .unwrap();
    assert_eq!(rt.result, Outcome::Failed);
    let err = rt.error.as_ref().unwrap();
    assert_eq!(err.category, agentcore_tui::aws::Category::Resource);
    assert!(err.message.contains("CREATE_FAILED"), "{}", err.message);
    assert!(err.hint.is_some());

    let st = status::status(&e.dep).await.unwrap();
    assert_eq!(st.status, Overall::Degraded);
    assert!(
        st.resources
            .iter()
            .any(|r| r.kind == "agent_runtime" && r.health == Health::Unhealthy)
    );

    // The failed runtime exists in AWS and destroy still removes it.
    e.emulator.set_faults(Faults::none());
    assert!(destroy::destroy(&e.dep).await.ok());
    assert_eq!(deployed_counts(&e.emulator), BTreeMap::new());
}

// ---- one count everywhere: plan, progress, step summaries, report -------------------------

/// The last Progress event and the sum of the StepStarted sizes, from a finished run's events.
fn progress_of(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>) -> (Vec<Event>, usize) {
    let mut progress = Vec::new();
    let mut started = 0;
    while let Ok(ev) = rx.try_recv() {
        match ev {
            Event::StepStarted { resources, .. } => started += resources,
            p @ Event::Progress { .. } => progress.push(p),
            _ => {}
        }
    }
    (progress, started)
}

fn counts(p: &Event) -> (usize, usize, usize, usize) {
    match p {
        Event::Progress {
            done,
            failed,
            skipped,
            total,
            ..
        } => (*done, *failed, *skipped, *total),
        other => panic!("not progress: {other:?}"),
    }
}

#[tokio::test]
async fn plan_progress_and_report_count_the_same_resources_gateway_included() {
    let e = env().await;
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    let before = plan::plan(&plan, &e.dep.store.snapshot(), None, None)
        .await
        .unwrap();
    let to_create = before.count(Action::Create);
    assert!(
        before.items.iter().any(|i| i.kind == apply::GATEWAY_KIND),
        "the shared gateway is planned as a resource"
    );
    assert_eq!(apply::resources(&plan).len(), to_create);

    let (tx, mut rx) = events::channel();
    let dep = e.dep.clone().with_events(tx);
    let report = apply::apply(&dep, &plan, &opts(&text)).await;
    drop(dep);
    assert!(report.ok(), "{:#?}", report.outcomes);
    let (progress, started) = progress_of(&mut rx);
    assert_eq!(
        started, to_create,
        "the steps announce the planned resources"
    );
    assert_eq!(progress.len(), to_create, "one progress event per resource");
    for (i, p) in progress.iter().enumerate() {
        assert_eq!(counts(p), (i + 1, 0, 0, to_create), "during the apply");
    }
    assert_eq!(report.outcomes.len(), to_create);
    assert_eq!(report.count(Outcome::Created), to_create);
    assert!(
        report.summary().contains(&format!("{to_create} created")),
        "{}",
        report.summary()
    );
    assert!(
        report
            .outcomes
            .iter()
            .any(|o| o.kind == apply::GATEWAY_KIND && o.result == Outcome::Created)
    );

    // Applying again: every resource unchanged, the same total.
    let (tx, mut rx) = events::channel();
    let dep = e.dep.clone().with_events(tx);
    let again = apply::apply(&dep, &plan, &opts(&text)).await;
    drop(dep);
    let (progress, _) = progress_of(&mut rx);
    assert_eq!(
        again.count(Outcome::Unchanged),
        to_create,
        "{}",
        again.summary()
    );
    assert_eq!(
        counts(progress.last().unwrap()),
        (to_create, 0, 0, to_create)
    );
}

#[tokio::test]
async fn a_cancelled_apply_counts_only_what_finished_as_done() {
    let e = env_with(
        Timing::with_provisioning(Duration::from_millis(300)),
        Faults::none(),
    )
    .await;
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    let total = apply::resources(&plan).len();
    let cancel = CancellationToken::new();
    let (tx, mut rx) = events::channel();
    let dep = e.dep.clone().with_events(tx).with_cancel(cancel.clone());
    let run = tokio::spawn({
        let plan = plan.clone();
        let text = text.clone();
        async move { apply::apply(&dep, &plan, &opts(&text)).await }
    });
    let mut seen = Vec::new();
    while let Some(ev) = rx.recv().await {
        let stop = matches!(&ev, Event::Resource { phase: ResourcePhase::Calling(op), .. } if op == "CreateAgentRuntime");
        seen.push(ev);
        if stop {
            cancel.cancel();
            break;
        }
    }
    let report = run.await.unwrap();
    assert!(report.cancelled);
    while let Ok(ev) = rx.try_recv() {
        seen.push(ev);
    }
    let last = seen
        .iter()
        .rev()
        .find(|e| matches!(e, Event::Progress { .. }))
        .expect("progress was reported");
    let (done, failed, skipped, t) = counts(last);
    let finished = report
        .outcomes
        .iter()
        .filter(|o| {
            matches!(
                o.result,
                Outcome::Created | Outcome::Updated | Outcome::Adopted | Outcome::Unchanged
            )
        })
        .count();
    assert_eq!(t, total);
    assert_eq!(done, finished, "only finished resources are done");
    assert!(done < total, "a cancelled apply never shows a full count");
    assert_eq!(failed, report.count(Outcome::Failed));
    assert_eq!(skipped, report.skipped());
    assert_eq!(
        done + failed + skipped,
        total,
        "every resource is accounted for"
    );
    assert!(
        report.summary().contains(&format!("{skipped} skipped")),
        "{}",
        report.summary()
    );
}

// ---- one online evaluation config per runtime, and the pack-wide one of older versions ----

#[tokio::test]
async fn a_multi_agent_fixture_with_an_online_eval_evaluates_every_member_on_its_own() {
    let path = root()
        .join("../shared/fixtures/packs/multi-agent_entry-members_state-backed-workflow.pack.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The fixture has no evals: one judge and one builtin make it an online-evaluated pack.
    v["evals"] = serde_json::json!([
        {"id": "faithful", "type": "llm_judge", "trigger": "every_turn",
         "params": {"instructions": "Is the summary faithful to the research?"}},
        {"id": "Builtin.Helpfulness", "type": "builtin", "trigger": "every_turn"}
    ]);
    let text = v.to_string();
    let p = pack::parse_str(&text).unwrap();
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    assert_eq!(plan.names(ResourceKind::AgentRuntime).len(), 2);
    assert_eq!(plan.names(ResourceKind::OnlineEvalConfig).len(), 2);
    let e = env().await;
    full_cycle(&e, &plan, &text).await;
}

/// The online evaluation config older versions made: the whole pack's runtimes in one.
const LEGACY: &str = "support_desk_online_eval";

fn without_online_evals(plan: &ResourcePlan) -> ResourcePlan {
    let mut old = plan.clone();
    for s in &mut old.steps {
        if s.step == Step::OnlineEvalConfig {
            s.resources.clear();
        }
    }
    old
}

/// Sets the service names of every saved resource called `name`; how many there were.
fn set_service_names(v: &mut serde_json::Value, name: &str, services: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Object(m) => {
            if m.get("name").and_then(|n| n.as_str()) == Some(name)
                && let Some(spec) = m.get_mut("spec")
            {
                spec["dataSourceConfig"]["cloudWatchLogs"]["serviceNames"] = services.clone();
                return 1;
            }
            m.values_mut()
                .map(|x| set_service_names(x, name, services))
                .sum()
        }
        serde_json::Value::Array(a) => a
            .iter_mut()
            .map(|x| set_service_names(x, name, services))
            .sum(),
        _ => 0,
    }
}

#[tokio::test]
async fn a_pack_wide_online_eval_config_is_replaced_by_one_per_runtime_on_the_next_apply() {
    let dir = tempfile::tempdir().unwrap();
    let world = dir.path().join("world.json");
    let start = || {
        Emulator::start(Config {
            world: World::Demo,
            timing: Timing::instant(),
            faults: Faults::none(),
            state_file: Some(world.clone()),
            ..Config::default()
        })
    };
    let store = Arc::new(StateStore::open_path(dir.path().join("state.json")).unwrap());
    let deployment = |em: &Emulator| {
        let em_url = em.endpoint_url();
        let account = em.account_id().to_owned();
        let store = store.clone();
        async move {
            let clients = Clients::for_endpoint(&em_url, REGION).await.unwrap();
            Deployment::new(clients, account, store).with_poll(fast_poll())
        }
    };
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    let runtimes = plan.names(ResourceKind::AgentRuntime);
    assert_eq!(runtimes.len(), 3);

    // The deployment an older version left: everything else as today, and one config named
    // after the pack, recorded the way apply records it.
    let emulator = start().await.unwrap();
    let dep = deployment(&emulator).await;
    assert!(
        apply::apply(&dep, &without_online_evals(&plan), &opts(&text))
            .await
            .ok()
    );
    let judge = store
        .snapshot()
        .get("evaluator", "helpfulness")
        .unwrap()
        .meta("id")
        .unwrap()
        .to_owned();
    let created = dep
        .clients
        .control
        .create_online_evaluation_config()
        .online_evaluation_config_name(LEGACY)
        .rule(
            Rule::builder()
                .sampling_config(
                    SamplingConfig::builder()
                        .sampling_percentage(20.0)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .data_source_config(DataSourceConfig::CloudWatchLogs(
            CloudWatchLogsInputConfig::builder()
                .log_group_names("aws/spans")
                .service_names("triage.DEFAULT")
                .build()
                .unwrap(),
        ))
        .evaluators(EvaluatorReference::EvaluatorId(judge))
        .evaluation_execution_role_arn(ROLE)
        .enable_on_create(true)
        .send()
        .await
        .unwrap();
    let mut rec = ResourceRecord::new("online_eval_config", LEGACY);
    rec.arn = Some(created.online_evaluation_config_arn().to_owned());
    rec.status = Some(RecordStatus::Created);
    rec.metadata.insert(
        "id".into(),
        created.online_evaluation_config_id().to_owned(),
    );
    rec.metadata
        .insert("spec_hash".into(), "0000000000000000".into());
    store.upsert(rec).unwrap();
    emulator.shutdown().await;
    // The emulator of that time took every runtime's service name in the one config; today's
    // refuses that, so the saved world is where such a config still lives: it is written back
    // as a state file of format 1 (one JSON document), which the emulator migrates on start.
    let mut saved = agentcore_emulator::dump_state(&world).unwrap();
    let all: Vec<String> = runtimes.iter().map(|r| format!("{r}.DEFAULT")).collect();
    assert_eq!(
        set_service_names(&mut saved, LEGACY, &serde_json::json!(all)),
        1,
        "the legacy config is in the saved world once"
    );
    std::fs::write(
        &world,
        serde_json::json!({ "format": 1, "world": saved }).to_string(),
    )
    .unwrap();

    let emulator = start().await.unwrap();
    let dep = deployment(&emulator).await;
    assert_eq!(online_evals(&dep.clients).await[LEGACY].len(), 3);

    // Status says what it is and what the next apply does about it.
    let st = status::status(&dep).await.unwrap();
    let old = st.resources.iter().find(|r| r.name == LEGACY).unwrap();
    assert_eq!(old.health, Health::Healthy);
    let detail = old.detail.as_deref().unwrap();
    assert!(
        detail.contains("3 runtimes") && detail.contains("one per runtime"),
        "{detail}"
    );

    // The plan: the per-runtime configs to create, the old one to delete in the same step.
    let art = planned(&dep, &plan);
    let before = plan::plan(&plan, &store.snapshot(), Some(&dep.clients), Some(&art))
        .await
        .unwrap();
    let changes: Vec<(Action, &str, &str, Option<Step>)> = before
        .items
        .iter()
        .filter(|i| i.action != Action::Unchanged)
        .map(|i| (i.action, i.kind.as_str(), i.name.as_str(), i.step))
        .collect();
    let mut want: Vec<(Action, &str, &str, Option<Step>)> = plan
        .names(ResourceKind::OnlineEvalConfig)
        .into_iter()
        .map(|n| {
            (
                Action::Create,
                "online_eval_config",
                n,
                Some(Step::OnlineEvalConfig),
            )
        })
        .collect();
    want.push((
        Action::Delete,
        "online_eval_config",
        LEGACY,
        Some(Step::OnlineEvalConfig),
    ));
    assert_eq!(changes, want, "{:#?}", before.items);
    let delete = before.items.iter().find(|i| i.name == LEGACY).unwrap();
    assert!(
        delete.reason.contains("one per runtime"),
        "{}",
        delete.reason
    );

    // Apply: the new ones created, the old one deleted, the counts the plan's.
    let (tx, mut rx) = events::channel();
    let watched = dep.clone().with_events(tx);
    let report = apply::apply(&watched, &plan, &opts(&text)).await;
    drop(watched);
    assert!(report.ok(), "{:#?}", report.outcomes);
    assert_eq!(report.count(Outcome::Created), 3);
    assert_eq!(report.count(Outcome::Deleted), 1);
    assert!(
        report.summary().contains("1 deleted"),
        "{}",
        report.summary()
    );
    let (progress, started) = progress_of(&mut rx);
    assert_eq!(started, before.items.len());
    assert_eq!(
        counts(progress.last().unwrap()),
        (before.items.len(), 0, 0, before.items.len())
    );

    let deployed = online_evals(&dep.clients).await;
    assert!(!deployed.contains_key(LEGACY), "{deployed:#?}");
    assert_one_online_eval_per_runtime(&plan, &deployed);
    assert!(store.snapshot().get("online_eval_config", LEGACY).is_none());
    assert_eq!(
        deployed_counts(&emulator),
        expected_counts(&plan),
        "no orphans"
    );
    let st = status::status(&dep).await.unwrap();
    assert_eq!(st.status, Overall::Deployed, "{st:#?}");
    assert!(st.resources.iter().all(|r| r.detail.is_none()), "{st:#?}");

    let again = plan::plan(&plan, &store.snapshot(), Some(&dep.clients), Some(&art))
        .await
        .unwrap();
    assert!(!again.has_changes(), "{:#?}", again.items);
    assert!(destroy::destroy(&dep).await.ok());
    assert_eq!(deployed_counts(&emulator), BTreeMap::new());
}

#[tokio::test]
async fn a_pack_wide_config_aws_refused_is_reported_never_created_and_cleared_by_apply() {
    let e = env().await;
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    assert!(
        apply::apply(&e.dep, &without_online_evals(&plan), &opts(&text))
            .await
            .ok()
    );

    // What older versions sent: refused, as AWS refuses it (serviceNames takes one name).
    let judge = e
        .dep
        .store
        .snapshot()
        .get("evaluator", "helpfulness")
        .unwrap()
        .meta("id")
        .unwrap()
        .to_owned();
    let err = e
        .dep
        .clients
        .control
        .create_online_evaluation_config()
        .online_evaluation_config_name(LEGACY)
        .rule(
            Rule::builder()
                .sampling_config(
                    SamplingConfig::builder()
                        .sampling_percentage(20.0)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .data_source_config(DataSourceConfig::CloudWatchLogs(
            CloudWatchLogsInputConfig::builder()
                .log_group_names("aws/spans")
                .set_service_names(Some(vec![
                    "triage.DEFAULT".into(),
                    "billing.DEFAULT".into(),
                ]))
                .build()
                .unwrap(),
        ))
        .evaluators(EvaluatorReference::EvaluatorId(judge))
        .evaluation_execution_role_arn(ROLE)
        .enable_on_create(true)
        .send()
        .await
        .unwrap_err();
    let err = err.into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    assert!(format!("{err:?}").contains("serviceNames"), "{err:?}");
    // ...so the older apply left a failed record with no id.
    let mut rec = ResourceRecord::new("online_eval_config", LEGACY);
    rec.status = Some(RecordStatus::Failed);
    e.dep.store.upsert(rec).unwrap();

    let st = status::status(&e.dep).await.unwrap();
    let old = st.resources.iter().find(|r| r.name == LEGACY).unwrap();
    assert_eq!(old.health, Health::Missing);
    assert!(
        old.detail.as_deref().unwrap().contains("never created"),
        "{old:?}"
    );

    let report = apply::apply(&e.dep, &plan, &opts(&text)).await;
    assert!(report.ok(), "{:#?}", report.outcomes);
    assert_eq!(report.count(Outcome::Deleted), 1);
    assert!(
        e.dep
            .store
            .snapshot()
            .get("online_eval_config", LEGACY)
            .is_none()
    );
    assert_one_online_eval_per_runtime(&plan, &online_evals(&e.dep.clients).await);
    let st = status::status(&e.dep).await.unwrap();
    assert_eq!(st.status, Overall::Deployed, "{st:#?}");
}

#[tokio::test]
async fn a_failed_runtime_keeps_the_pack_wide_config_until_its_own_is_deployed() {
    let e = env().await;
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    assert!(
        apply::apply(&e.dep, &without_online_evals(&plan), &opts(&text))
            .await
            .ok()
    );
    let judge = e
        .dep
        .store
        .snapshot()
        .get("evaluator", "helpfulness")
        .unwrap()
        .meta("id")
        .unwrap()
        .to_owned();
    let created = e
        .dep
        .clients
        .control
        .create_online_evaluation_config()
        .online_evaluation_config_name(LEGACY)
        .rule(
            Rule::builder()
                .sampling_config(
                    SamplingConfig::builder()
                        .sampling_percentage(20.0)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .data_source_config(DataSourceConfig::CloudWatchLogs(
            CloudWatchLogsInputConfig::builder()
                .log_group_names("aws/spans")
                .service_names("triage.DEFAULT")
                .build()
                .unwrap(),
        ))
        .evaluators(EvaluatorReference::EvaluatorId(judge))
        .evaluation_execution_role_arn(ROLE)
        .enable_on_create(true)
        .send()
        .await
        .unwrap();
    let mut rec = ResourceRecord::new("online_eval_config", LEGACY);
    rec.status = Some(RecordStatus::Created);
    rec.metadata.insert(
        "id".into(),
        created.online_evaluation_config_id().to_owned(),
    );
    e.dep.store.upsert(rec).unwrap();

    e.emulator
        .set_faults(Faults::parse("op=CreateOnlineEvaluationConfig:5xx=1.0").unwrap());
    let report = apply::apply(&e.dep, &plan, &opts(&text)).await;
    assert!(!report.ok());
    let old = report.outcomes.iter().find(|o| o.name == LEGACY).unwrap();
    assert_eq!(old.result, Outcome::Skipped, "{old:?}");
    assert!(
        online_evals(&e.dep.clients).await.contains_key(LEGACY),
        "still evaluating"
    );

    e.emulator.set_faults(Faults::none());
    let report = apply::apply(&e.dep, &plan, &opts(&text)).await;
    assert!(report.ok(), "{:#?}", report.outcomes);
    let deployed = online_evals(&e.dep.clients).await;
    assert!(!deployed.contains_key(LEGACY));
    assert_one_online_eval_per_runtime(&plan, &deployed);
}

#[tokio::test]
async fn an_unreadable_runtime_binary_creates_nothing() {
    let e = env().await;
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    let (tx, mut rx) = events::channel();
    let dep = e.dep.clone().with_events(tx);
    for artifact in [
        ArtifactSource::Code(root().join("no/such/runtime")),
        // A folder cannot be read as a file either.
        ArtifactSource::Code(root().join("assets")),
        ArtifactSource::Missing,
    ] {
        let report = apply::apply(
            &dep,
            &plan,
            &ApplyOptions {
                artifact,
                pack_json: text.clone(),
            },
        )
        .await;
        assert!(!report.ok());
        let refused = report.refused.as_ref().expect("refused before any call");
        assert!(
            refused.message.contains("runtime_binary_path")
                || refused.message.contains("no runtime artifact"),
            "{refused:?}"
        );
        assert!(report.outcomes.is_empty(), "{:?}", report.outcomes);
        assert!(
            report
                .summary()
                .starts_with("Apply refused before any change")
        );
        assert_eq!(deployed_counts(&e.emulator), BTreeMap::new());
        assert!(e.dep.store.snapshot().resources.is_empty());
    }
    drop(dep);
    let mut said = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        said.push(ev);
    }
    assert!(
        said.iter()
            .any(|ev| matches!(ev, Event::Error { kind, .. } if kind == "runtime artifact")),
        "{said:?}"
    );
}

#[tokio::test]
async fn a_create_aws_refuses_leaves_no_record_to_destroy() {
    let e = env().await;
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    // The emulator holds every request to the model: a role that is no ARN is a 400.
    let plan = agentcore_tui::derive::derive(
        &p,
        &base_config(serde_json::json!({"runtime_role_arn": "not-an-arn"})),
    )
    .unwrap();
    let report = apply::apply(&e.dep, &plan, &opts(&text)).await;
    assert!(!report.ok());
    let refused: Vec<&ResourceOutcome> = report
        .outcomes
        .iter()
        .filter(|o| {
            o.result == Outcome::Failed
                && o.error.as_ref().and_then(|x| x.code.as_deref()) == Some("ValidationException")
        })
        .collect();
    assert!(!refused.is_empty(), "{:?}", report.outcomes);
    let st = e.dep.store.snapshot();
    for o in &refused {
        assert!(
            !st.resources
                .iter()
                .any(|r| r.kind == o.kind && r.name == o.name),
            "{} {} was refused yet recorded: {:?}",
            o.kind,
            o.name,
            st.resources
        );
    }
    let d = destroy::destroy(&e.dep).await;
    assert!(d.ok(), "{d:?}");
    assert!(e.dep.store.snapshot().resources.is_empty());
    assert_eq!(deployed_counts(&e.emulator), BTreeMap::new());
}
fn demo_full_plan() -> (ResourcePlan, String) {
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let cfg = base_config(serde_json::json!({
        "memory_store": {"strategies": ["semantic"]},
        "protocol": "a2a",
        "a2a_auth": {"mode": "iam"},
    }));
    (agentcore_tui::derive::derive(&p, &cfg).unwrap(), text)
}

fn drain(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>) -> Vec<Event> {
    let mut evs = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        evs.push(ev);
    }
    evs
}

/// Each destroyed resource: the index of its first delete call and of its `deleted` event.
fn delete_spans(evs: &[Event]) -> BTreeMap<(String, String), (usize, Option<usize>)> {
    let mut spans: BTreeMap<(String, String), (usize, Option<usize>)> = BTreeMap::new();
    for (i, ev) in evs.iter().enumerate() {
        if let Event::Resource {
            kind, name, phase, ..
        } = ev
        {
            let key = (kind.clone(), name.clone());
            match phase {
                ResourcePhase::Calling(_) => {
                    spans.entry(key).or_insert((i, None));
                }
                ResourcePhase::Deleted => {
                    if let Some(s) = spans.get_mut(&key) {
                        s.1 = Some(i);
                    }
                }
                _ => {}
            }
        }
    }
    spans
}

#[tokio::test]
async fn destroy_deletes_every_dependant_before_what_it_uses_concurrently_and_the_code_package() {
    let e = env_with(
        Timing::with_provisioning(Duration::from_millis(150)),
        Faults::none(),
    )
    .await;
    let (plan, text) = demo_full_plan();
    assert!(apply::apply(&e.dep, &plan, &opts(&text)).await.ok());
    assert_eq!(e.emulator.resource_counts()["s3_object"], 1);

    let (tx, mut rx) = events::channel();
    let dep = e.dep.clone().with_events(tx);
    let d = destroy::destroy(&dep).await;
    assert!(d.ok(), "{:#?}", d.outcomes);
    assert_eq!(deployed_counts(&e.emulator), BTreeMap::new());
    assert_eq!(
        e.emulator.resource_counts()["s3_object"],
        0,
        "the code package goes with the runtimes"
    );
    assert!(
        d.outcomes
            .iter()
            .any(|o| o.kind == "code_artifact" && o.deleted && o.name.starts_with("s3://"))
    );
    assert!(e.dep.store.snapshot().resources.is_empty());

    let evs = drain(&mut rx);
    let spans = delete_spans(&evs);
    // (dependant, what it uses): the dependant is gone before the other's delete starts.
    let rules = [
        ("tool_gateway", "gateway"),
        ("cedar_policy", "gateway"),
        ("tool_gateway", "cedar_policy"),
        ("agent_runtime", "cedar_policy"),
        ("agent_runtime", "memory"),
        ("agent_runtime", "code_artifact"),
        ("a2a_endpoint", "agent_runtime"),
        ("online_eval_config", "agent_runtime"),
        ("online_eval_config", "evaluator"),
    ];
    for (user, used) in rules {
        let users: Vec<_> = spans.iter().filter(|((k, _), _)| k == user).collect();
        let useds: Vec<_> = spans.iter().filter(|((k, _), _)| k == used).collect();
        assert!(
            !users.is_empty() && !useds.is_empty(),
            "{user} or {used} missing"
        );
        for ((_, un), (_, gone)) in &users {
            for ((_, dn), (start, _)) in &useds {
                assert!(
                    gone.expect("deleted") < *start,
                    "{used} {dn} was deleted before {user} {un} was gone"
                );
            }
        }
    }
    // Independent deletes overlap.
    let mut in_flight = 0usize;
    let mut most = 0usize;
    for i in 0..evs.len() {
        for (start, end) in spans.values() {
            if *start == i {
                in_flight += 1;
            }
            if *end == Some(i) {
                in_flight -= 1;
            }
        }
        most = most.max(in_flight);
    }
    assert!(most >= 2, "deletes ran one at a time");
}

#[tokio::test]
async fn a_failed_delete_keeps_only_what_waits_for_it_and_the_next_destroy_finishes() {
    let e = env().await;
    let (plan, text) = demo_full_plan();
    assert!(apply::apply(&e.dep, &plan, &opts(&text)).await.ok());
    e.emulator
        .set_faults(Faults::parse("op=DeleteAgentRuntime:fail=1.0").unwrap());
    let d = destroy::destroy(&e.dep).await;
    assert!(!d.ok());
    let of = |k: &str| -> Vec<&destroy::DestroyOutcome> {
        d.outcomes.iter().filter(|o| o.kind == k).collect()
    };
    for o in of("agent_runtime") {
        assert!(!o.deleted && o.error.is_some(), "{o:?}");
    }
    // What the runtimes use waits for them, and says so.
    for k in ["memory", "cedar_policy", "gateway", "code_artifact"] {
        for o in of(k) {
            let reason = o.reason.as_deref().unwrap_or_default();
            assert!(
                !o.deleted && o.error.is_none() && reason.starts_with("kept: "),
                "{o:?}"
            );
        }
    }
    let memory = of("memory")[0].reason.clone().unwrap();
    assert!(
        memory.contains("agent_runtime") && memory.contains("writing to the memory"),
        "{memory}"
    );
    // What uses the runtimes, the evaluators, and the targets (which go before their guard, not
    // after the agents) went.
    for k in [
        "online_eval_config",
        "evaluator",
        "a2a_endpoint",
        "tool_gateway",
    ] {
        assert!(!of(k).is_empty() && of(k).iter().all(|o| o.deleted), "{k}");
    }
    assert!(d.summary().contains("kept"), "{}", d.summary());

    e.emulator.set_faults(Faults::none());
    let again = destroy::destroy(&e.dep).await;
    assert!(again.ok(), "{:#?}", again.outcomes);
    assert_eq!(deployed_counts(&e.emulator), BTreeMap::new());
    assert_eq!(e.emulator.resource_counts()["s3_object"], 0);
    assert!(e.dep.store.snapshot().resources.is_empty());
}

#[tokio::test]
async fn a_status_check_lost_on_the_network_is_retried_not_a_failed_delete() {
    let e = env_with(
        Timing::with_provisioning(Duration::from_millis(50)),
        Faults::none(),
    )
    .await;
    let (plan, text) = demo_full_plan();
    assert!(apply::apply(&e.dep, &plan, &opts(&text)).await.ok());
    // One attempt per call, so a dropped connection reaches the engine instead of the SDK's
    // own retries.
    let clients = Clients::connect(&agentcore_tui::aws::ConnectOptions {
        region: Some(REGION.into()),
        endpoint_url: Some(e.emulator.endpoint_url()),
        static_credentials: true,
        max_attempts: Some(1),
        ..Default::default()
    })
    .await
    .unwrap();
    let (tx, mut rx) = events::channel();
    let dep = Deployment::new(
        clients,
        e.emulator.account_id().to_owned(),
        e.dep.store.clone(),
    )
    .with_poll(fast_poll())
    .with_events(tx);
    e.emulator
        .set_faults(Faults::parse("op=GetMemory:drop=1.0").unwrap());
    let task = tokio::spawn(async move { destroy::destroy(&dep).await });
    // The network comes back once a status check has been lost.
    let mut lost = false;
    while let Some(ev) = rx.recv().await {
        if let Event::Log { message, .. } = &ev
            && message.contains("status check lost")
        {
            assert!(message.contains("memory"), "{message}");
            lost = true;
            e.emulator.set_faults(Faults::none());
        }
        if let Event::Error { message, .. } = &ev {
            panic!("a delete failed: {message}");
        }
    }
    assert!(lost, "no status check was lost: the fault did not bite");
    let d = task.await.unwrap();
    assert!(d.ok(), "{:#?}", d.outcomes);
    assert_eq!(deployed_counts(&e.emulator), BTreeMap::new());
}

#[tokio::test]
async fn a_cancelled_destroy_starts_nothing_new_finishes_what_runs_and_resumes() {
    let e = env_with(
        Timing::with_provisioning(Duration::from_millis(100)),
        Faults::none(),
    )
    .await;
    let (plan, text) = demo_full_plan();
    assert!(apply::apply(&e.dep, &plan, &opts(&text)).await.ok());
    let (tx, mut rx) = events::channel();
    let cancel = CancellationToken::new();
    let dep = e.dep.clone().with_events(tx).with_cancel(cancel.clone());
    let task = tokio::spawn(async move { destroy::destroy(&dep).await });
    let mut evs = Vec::new();
    let mut cancelled_at = None;
    while let Some(ev) = rx.recv().await {
        if cancelled_at.is_none()
            && matches!(&ev, Event::Resource { phase: ResourcePhase::Deleted, kind, .. } if kind == "online_eval_config")
        {
            cancel.cancel();
            cancelled_at = Some(evs.len());
        }
        evs.push(ev);
    }
    let d = task.await.unwrap();
    let at = cancelled_at.expect("an online evaluation config was deleted");
    assert!(d.cancelled && !d.ok(), "{}", d.summary());
    let kept: Vec<_> = d
        .outcomes
        .iter()
        .filter(|o| o.reason.as_deref() == Some("cancelled before it started"))
        .collect();
    assert!(kept.iter().any(|o| o.kind == "memory"), "{:#?}", d.outcomes);
    for o in &kept {
        assert!(
            !evs[at..].iter().any(|ev| matches!(ev, Event::Resource { kind, name, phase: ResourcePhase::Calling(_), .. } if *kind == o.kind && *name == o.name)),
            "{} {} started after cancellation",
            o.kind,
            o.name
        );
        // The next destroy sees it (the code package through its runtimes' records, or its own
        // once they are gone).
        let (next, _) = destroy::graph(&e.dep.store.snapshot());
        assert!(
            next.index(&o.kind, &o.name).is_some(),
            "{} {} left the state without being deleted",
            o.kind,
            o.name
        );
    }
    // What was in flight finished: nothing failed.
    assert!(
        d.outcomes.iter().all(|o| o.error.is_none()),
        "{:#?}",
        d.outcomes
    );

    let again = destroy::destroy(&e.dep).await;
    assert!(again.ok(), "{:#?}", again.outcomes);
    assert_eq!(deployed_counts(&e.emulator), BTreeMap::new());
    let left = e.dep.store.snapshot().resources;
    assert!(left.is_empty(), "{left:#?}");
}

#[tokio::test]
async fn a_code_package_that_would_not_go_is_recorded_shown_by_status_and_deleted_next_time() {
    let e = env().await;
    let (plan, text) = demo_full_plan();
    assert!(apply::apply(&e.dep, &plan, &opts(&text)).await.ok());
    // One attempt per call: the refused delete is reported at once.
    let clients = Clients::connect(&agentcore_tui::aws::ConnectOptions {
        region: Some(REGION.into()),
        endpoint_url: Some(e.emulator.endpoint_url()),
        static_credentials: true,
        max_attempts: Some(1),
        ..Default::default()
    })
    .await
    .unwrap();
    let dep = Deployment::new(
        clients,
        e.emulator.account_id().to_owned(),
        e.dep.store.clone(),
    )
    .with_poll(fast_poll());
    e.emulator
        .set_faults(Faults::parse("op=DeleteObject:5xx=1.0").unwrap());
    let d = destroy::destroy(&dep).await;
    assert!(!d.ok());
    let pkg = d
        .outcomes
        .iter()
        .find(|o| o.kind == "code_artifact")
        .unwrap();
    assert!(!pkg.deleted && pkg.error.is_some(), "{pkg:?}");
    assert!(
        d.outcomes
            .iter()
            .filter(|o| o.kind != "code_artifact")
            .all(|o| o.deleted),
        "{:#?}",
        d.outcomes
    );
    // Its runtimes are gone, so the package is what the state remembers.
    let st = e.dep.store.snapshot();
    assert_eq!(st.resources.len(), 1, "{:#?}", st.resources);
    assert_eq!(st.resources[0].name, pkg.name);
    let s = status::status(&dep).await.unwrap();
    let shown = s
        .resources
        .iter()
        .find(|r| r.kind == "code_artifact")
        .unwrap();
    assert_eq!(shown.health, Health::Healthy, "{shown:?}");
    assert_eq!(e.emulator.resource_counts()["s3_object"], 1);

    e.emulator.set_faults(Faults::none());
    let again = destroy::destroy(&dep).await;
    assert!(again.ok(), "{:#?}", again.outcomes);
    assert_eq!(e.emulator.resource_counts()["s3_object"], 0);
    assert!(e.dep.store.snapshot().resources.is_empty());
}

/// States written before the policy engine was a node of its own record it only inside the
/// Cedar resource: apply adopts that engine (no second one), and destroy of such a state still
/// deletes it.
#[tokio::test]
async fn an_engine_recorded_only_in_the_cedar_record_is_kept_and_still_destroyed() {
    let e = env_with(Timing::instant(), Faults::none()).await;
    let (p, text) = load_pack(&root().join("assets/demo/support-desk.pack.json"));
    let plan = agentcore_tui::derive::derive(&p, &base_config(serde_json::json!({}))).unwrap();
    assert!(apply::apply(&e.dep, &plan, &opts(&text)).await.ok());
    let drop_engine_record = |e: &Env| {
        e.dep
            .store
            .update(|st| st.resources.retain(|r| r.kind != "policy_engine"))
            .unwrap();
    };
    drop_engine_record(&e);

    let again = apply::apply(&e.dep, &plan, &opts(&text)).await;
    assert!(again.ok(), "{}", again.summary());
    let engine = again
        .outcomes
        .iter()
        .find(|o| o.kind == "policy_engine")
        .unwrap();
    assert_eq!(engine.result, Outcome::Unchanged);
    assert_eq!(deployed_counts(&e.emulator), expected_counts(&plan));

    drop_engine_record(&e);
    let report = destroy::destroy(&e.dep).await;
    assert!(report.ok(), "{}", report.summary());
    assert!(
        deployed_counts(&e.emulator).is_empty(),
        "{:?}",
        deployed_counts(&e.emulator)
    );
}
