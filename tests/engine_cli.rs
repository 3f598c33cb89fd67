//! The headless deploy commands as a user runs them, against a standalone
//! emulator reached through AWS_ENDPOINT_URL — including a process killed
//! mid-apply and resumed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use agentcore_emulator::{Config, Emulator, Timing, World};
use agentcore_tui::plan::{ResourcePlan, ResourceSpec};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const CONFIG: &str = "assets/demo/support-desk.deploy.json";
const PACK: &str = "assets/demo/support-desk.pack.json";

fn cmd(endpoint: &str, data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"));
    c.current_dir(root())
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AGENTCORE_TUI_DATA_DIR", data)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", data.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            data.join("no-aws-credentials"),
        );
    c
}

fn run(endpoint: &str, data: &Path, args: &[&str]) -> Output {
    cmd(endpoint, data)
        .args(args)
        .args(["--config", CONFIG, "--pack", PACK])
        .output()
        .expect("binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn expected(plan: &ResourcePlan) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    let mut add = |k: &str, n: usize| *m.entry(k.to_owned()).or_insert(0) += n;
    for r in plan.resources() {
        match &r.spec {
            ResourceSpec::Memory(_) => add("memory", 1),
            ResourceSpec::ToolGateway(_) => add("gateway_target", 1),
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
    if m.contains_key("gateway_target") {
        m.insert("gateway".to_owned(), 1);
    }
    m
}

fn deployed(e: &Emulator) -> BTreeMap<String, usize> {
    let keep = [
        "memory",
        "gateway",
        "gateway_target",
        "policy_engine",
        "policy",
        "agent_runtime",
        "evaluator",
        "online_evaluation_config",
    ];
    e.resource_counts()
        .into_iter()
        .filter(|(k, v)| keep.contains(&k.as_str()) && *v > 0)
        .collect()
}

fn demo_plan() -> ResourcePlan {
    let cfg = agentcore_tui::config::load_path(&root().join(CONFIG), None)
        .unwrap()
        .config;
    let pack = agentcore_tui::pack::load_path(&root().join(PACK)).unwrap();
    agentcore_tui::derive::derive(&pack, &cfg).unwrap()
}

/// Runs `args` and kills it (SIGKILL: no chance to clean up) once it has printed `after` lines;
/// the lines it printed, and whether it was still running to be killed.
async fn kill_after(url: &str, data: &Path, args: &[&str], after: usize) -> (Vec<String>, bool) {
    let mut child = cmd(url, data)
        .args(args)
        .args(["--config", CONFIG, "--pack", PACK])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        for line in BufReader::new(out).lines() {
            seen.push(line.unwrap());
            if seen.len() >= after {
                child.kill().unwrap();
                let _ = child.wait();
                return (seen, true);
            }
        }
        let _ = child.wait();
        (seen, false)
    })
    .await
    .unwrap()
}

/// A small deterministic generator: the seed is in every failure message, to replay it.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_at_random_moments_of_apply_and_destroy_then_rerun_leaves_exact_counts() {
    let emulator = Emulator::start(Config {
        world: World::Demo,
        timing: Timing::with_provisioning(Duration::from_millis(500)),
        ..Config::default()
    })
    .await
    .unwrap();
    let url = emulator.endpoint_url();
    let data = tempfile::tempdir().unwrap();
    let plan = demo_plan();
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let start = seed;

    for round in 0..2 {
        // Past the header lines (6) and well inside the run (a whole apply prints ~80).
        let at = 6 + (next(&mut seed) % 50) as usize;
        let (seen, killed) = kill_after(&url, data.path(), &["apply", "--yes"], at).await;
        let ctx = format!("seed {start}, round {round}, apply killed after line {at}: {seen:#?}");
        assert!(killed, "apply ended before the kill: {ctx}");

        // Rerun: everything recorded is found again, nothing is duplicated; the dead
        // process's lock is gone with it.
        let o = run(&url, data.path(), &["apply", "--yes"]);
        assert!(o.status.success(), "{}\n{ctx}", stdout(&o));
        assert!(stdout(&o).contains("Apply complete"), "{ctx}");
        assert_eq!(deployed(&emulator), expected(&plan), "{ctx}");

        let o = run(&url, data.path(), &["plan", "--live", "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let items = v["live"]["items"].as_array().unwrap();
        assert!(!items.is_empty());
        assert!(
            items.iter().all(|i| i["action"] == "unchanged"),
            "{items:#?}\n{ctx}"
        );

        let at = 2 + (next(&mut seed) % 25) as usize;
        let (seen, killed) = kill_after(&url, data.path(), &["destroy", "--yes"], at).await;
        let ctx = format!("seed {start}, round {round}, destroy killed after line {at}: {seen:#?}");
        if killed {
            assert_ne!(deployed(&emulator), BTreeMap::new(), "{ctx}");
        }
        let o = run(&url, data.path(), &["destroy", "--yes"]);
        assert_eq!(o.status.code(), Some(0), "{}\n{ctx}", stdout(&o));
        assert!(stdout(&o).contains("Destroy complete"), "{ctx}");
        assert_eq!(deployed(&emulator), BTreeMap::new(), "{ctx}");
    }

    let o = run(&url, data.path(), &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "not_deployed");
    assert_eq!(o.status.code(), Some(1));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_apply_or_destroy_of_a_running_deployment_says_who_holds_it() {
    let emulator = Emulator::start(Config {
        world: World::Demo,
        timing: Timing::with_provisioning(Duration::from_millis(1500)),
        ..Config::default()
    })
    .await
    .unwrap();
    let url = emulator.endpoint_url();
    let data = tempfile::tempdir().unwrap();
    let mut first = cmd(&url, data.path())
        .args(["apply", "--yes", "--config", CONFIG, "--pack", PACK])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = first.id();
    let out = first.stdout.take().unwrap();
    // The first has the lock once it prints its first line; read on so it never blocks.
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(out).lines() {
            let line = line.unwrap();
            if lines.is_empty() {
                let _ = tx.send(());
            }
            lines.push(line);
        }
        lines
    });
    rx.recv_timeout(Duration::from_secs(60)).unwrap();

    for (what, args) in [
        ("apply", ["apply", "--yes"]),
        ("destroy", ["destroy", "--yes"]),
    ] {
        let o = run(&url, data.path(), &args);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(1), "second {what}: {err}");
        assert!(
            err.contains(&format!(
                "another apply (pid {pid}) is running on this deployment, since"
            )),
            "second {what}: {err}"
        );
        assert!(err.contains("hint:"), "{err}");
    }
    let o = run(&url, data.path(), &["apply", "--yes", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains(&format!("pid {pid}")), "{}", stdout(&o));

    // The first goes on undisturbed and deploys exactly the plan.
    assert!(first.wait().unwrap().success());
    let lines = reader.join().unwrap();
    assert!(
        lines.iter().any(|l| l.contains("Apply complete")),
        "{lines:#?}"
    );
    assert_eq!(deployed(&emulator), expected(&demo_plan()));
    // Then the lock is free.
    let o = run(&url, data.path(), &["destroy", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_and_destroy_refuse_without_yes() {
    let data = tempfile::tempdir().unwrap();
    for sub in ["apply", "destroy"] {
        let o = run("http://127.0.0.1:9", data.path(), &[sub]);
        assert_eq!(o.status.code(), Some(2), "{sub}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--yes"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_endpoint_fails_with_a_network_hint() {
    let data = tempfile::tempdir().unwrap();
    let o = run("http://127.0.0.1:9", data.path(), &["status", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["error"]["category"], "network");
    assert!(v["error"]["hint"].as_str().unwrap().contains("endpoint"));
}

#[tokio::test(flavor = "multi_thread")]
async fn local_mode_runs_the_whole_cycle_with_an_embedded_emulator() {
    let data = tempfile::tempdir().unwrap();
    let local = |args: &[&str]| {
        cmd("http://unused.invalid", data.path())
            .env_remove("AWS_ENDPOINT_URL")
            .args(args)
            .args(["--local", "--config", CONFIG, "--pack", PACK])
            .output()
            .unwrap()
    };
    let o = local(&["apply", "--yes", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let (events, v) = json_lines(&stdout(&o));
    let outcomes = v["report"]["outcomes"].as_array().unwrap();
    assert!(outcomes.len() > 10);
    assert_each_outcome_was_streamed(&events, outcomes, "ready");
    // The embedded world persists between runs, so status sees the deployment.
    let o = local(&["status"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = local(&["destroy", "--yes", "--json", "--concurrency", "4"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let (events, v) = json_lines(&stdout(&o));
    let outcomes = v["report"]["outcomes"].as_array().unwrap();
    assert!(outcomes.iter().all(|o| o["deleted"] == true), "{v}");
    assert_each_outcome_was_streamed(&events, outcomes, "deleted");
}

/// Every line one compact JSON object; the events first, each tagged, the report last.
fn json_lines(out: &str) -> (Vec<serde_json::Value>, serde_json::Value) {
    let mut lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON object ({e}): {l}"))
        })
        .collect();
    let report = lines.pop().expect("a report line");
    assert_eq!(report["event"], "report", "{report}");
    assert_eq!(report["ok"], true, "{report}");
    assert!(lines.len() > 10, "too few events: {}", lines.len());
    for e in &lines {
        let tag = e["event"].as_str().unwrap_or_default();
        assert!(
            [
                "step_started",
                "step_finished",
                "resource",
                "log",
                "error",
                "progress"
            ]
            .contains(&tag),
            "{e}"
        );
    }
    (lines, report)
}

fn assert_each_outcome_was_streamed(
    events: &[serde_json::Value],
    outcomes: &[serde_json::Value],
    phase: &str,
) {
    for o in outcomes {
        // Apply's report says "kind", destroy's (the adapter's state shape) "type".
        let kind = if o["kind"].is_null() {
            &o["type"]
        } else {
            &o["kind"]
        };
        assert!(
            events.iter().any(|e| e["event"] == "resource"
                && e["name"] == o["name"]
                && e["kind"] == *kind
                && (e["phase"]["phase"] == phase || e["phase"]["phase"] == "unchanged")),
            "no {phase} event for {o}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn local_and_a_custom_endpoint_with_the_same_account_keep_separate_state() {
    let emulator = Emulator::start(Config {
        world: World::Demo,
        timing: Timing::instant(),
        ..Config::default()
    })
    .await
    .unwrap();
    let url = emulator.endpoint_url();
    let data = tempfile::tempdir().unwrap();
    let local = |args: &[&str]| {
        cmd("http://unused.invalid", data.path())
            .env_remove("AWS_ENDPOINT_URL")
            .args(args)
            .args(["--local", "--config", CONFIG, "--pack", PACK])
            .output()
            .unwrap()
    };
    // Both report the demo account: only the endpoint tells the deployments apart.
    let o = run(&url, data.path(), &["apply", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = local(&["apply", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = local(&["destroy", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // Destroying the local deployment left the endpoint's untouched, and its state knows it.
    assert_eq!(deployed(&emulator), expected(&demo_plan()));
    let o = run(&url, data.path(), &["status"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let states: Vec<String> = walk(&data.path().join("state"))
        .iter()
        .map(|p| p.strip_prefix(data.path()).unwrap().display().to_string())
        .collect();
    let port = url.rsplit(':').next().unwrap();
    assert!(
        states.iter().any(|s| s.starts_with("state/local/")),
        "{states:?}"
    );
    assert!(
        states
            .iter()
            .any(|s| s.starts_with(&format!("state/endpoint-127.0.0.1_{port}/"))),
        "{states:?}"
    );
    let o = run(&url, data.path(), &["destroy", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(deployed(&emulator), BTreeMap::new());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    out
}
