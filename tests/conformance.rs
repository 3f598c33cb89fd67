//! Every headless flow, run by the real binary against an emulator that records instead of
//! rejecting: what the app sends, and what the emulator answers, must satisfy the AWS
//! service models (models/data). One report lists every violation at once.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use agentcore_emulator::{Config, Emulator, ModelCheck, Timing, World};
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    emulator: Emulator,
    data: tempfile::TempDir,
    log: Vec<String>,
}

impl Run {
    async fn new() -> Run {
        let emulator = Emulator::start(Config {
            world: World::Demo,
            timing: Timing::instant(),
            models: ModelCheck::Record,
            ..Config::default()
        })
        .await
        .expect("emulator starts");
        Run {
            emulator,
            data: tempfile::tempdir().unwrap(),
            log: Vec::new(),
        }
    }

    fn run(&mut self, args: &[&str]) -> Output {
        let data = self.data.path();
        let out = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
            .current_dir(root())
            .args(args)
            .env("AWS_ENDPOINT_URL", self.emulator.endpoint_url())
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("AWS_REGION", "us-east-1")
            .env("AGENTCORE_TUI_DATA_DIR", data)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env("AWS_CONFIG_FILE", data.join("no-aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                data.join("no-aws-credentials"),
            )
            .output()
            .expect("binary runs");
        self.log.push(format!(
            "{} → {}",
            args.join(" "),
            out.status.code().unwrap_or(-1)
        ));
        out
    }

    fn ok(&mut self, args: &[&str]) -> String {
        let out = self.run(args);
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {text}", args.join(" "));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn deploy_cycle(&mut self, config: &Path, pack: &Path) {
        let (c, p) = (config.to_str().unwrap(), pack.to_str().unwrap());
        let files = ["--config", c, "--pack", p];
        let with = |cmd: &[&'static str]| -> Vec<String> {
            cmd.iter()
                .map(|s| s.to_string())
                .chain(files.iter().map(|s| s.to_string()))
                .collect()
        };
        for args in [
            with(&["validate"]),
            with(&["plan"]),
            with(&["apply", "--yes"]),
            with(&["status"]),
        ] {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            self.ok(&args);
        }
        // The monitor's calls: a READY check and an invoke of one runtime, then its log lines.
        let status = with(&["status", "--json"]);
        let status: Vec<&str> = status.iter().map(String::as_str).collect();
        let report: Value = serde_json::from_str(&self.ok(&status)).unwrap();
        let runtime = report["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == "agent_runtime")
            .and_then(|r| r["name"].as_str())
            .expect("a deployed runtime")
            .to_owned();
        for cmd in [
            [
                "invoke",
                "--prompt",
                "conformance",
                "--runtime",
                runtime.as_str(),
            ]
            .as_slice(),
            [
                "logs",
                "--json",
                "--filter",
                "conformance",
                "--runtime",
                runtime.as_str(),
            ]
            .as_slice(),
        ] {
            let args: Vec<&str> = cmd.iter().copied().chain(files).collect();
            self.ok(&args);
        }
        let replan = with(&["plan", "--live", "--json"]);
        let replan: Vec<&str> = replan.iter().map(String::as_str).collect();
        let after_apply = live_items(&self.ok(&replan));
        assert!(
            after_apply.iter().all(|(action, _)| action == "unchanged"),
            "{p}: a re-plan after apply has work to do: {after_apply:?}"
        );
        let destroy = with(&["destroy", "--yes"]);
        let destroy: Vec<&str> = destroy.iter().map(String::as_str).collect();
        self.ok(&destroy);
        // The demo world's own keys, recommendations and the code bucket are not the pack's.
        let left: Vec<(String, usize)> = self
            .emulator
            .resource_counts()
            .into_iter()
            .filter(|(kind, n)| {
                *n > 0
                    && !matches!(
                        kind.as_str(),
                        "recommendation" | "kms_key" | "s3_bucket" | "s3_object"
                    )
            })
            .collect();
        assert!(left.is_empty(), "{p}: destroy left {left:?}");
        let after_destroy = live_items(&self.ok(&replan));
        assert!(
            after_destroy.iter().all(|(action, _)| action == "create"),
            "{p}: after destroy the plan should create everything again: {after_destroy:?}"
        );
    }

    /// Every violation, grouped, or nothing.
    fn report(&self) -> String {
        self.emulator
            .violations()
            .iter()
            .map(|v| {
                format!(
                    "{} {} {}: {}",
                    v.direction,
                    v.service,
                    v.operation,
                    v.messages.join("; ")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The live section of `plan --live --json`: (action, "type name") per resource, drift
/// counted as a change.
fn live_items(stdout: &str) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let live = &v["live"];
    assert!(live.is_object(), "no live section: {stdout}");
    let mut items: Vec<(String, String)> = live["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            (
                i["action"].as_str().unwrap_or_default().to_string(),
                format!("{} {}", i["type"], i["name"]),
            )
        })
        .collect();
    for d in live["drift"].as_array().into_iter().flatten() {
        items.push(("drift".into(), format!("{} {}", d["type"], d["name"])));
    }
    items
}

fn config_with(dir: &Path, name: &str, change: impl FnOnce(&mut Value)) -> PathBuf {
    let text =
        std::fs::read_to_string(root().join("assets/demo/support-desk.deploy.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["runtime_binary_path"] = json!(root().join("assets/demo/promptkit-agentcore-runtime"));
    change(&mut v);
    let path = dir.join(name);
    std::fs::write(&path, v.to_string()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn every_deploy_flow_sends_only_what_the_models_accept() {
    let mut run = Run::new().await;
    let dir = tempfile::tempdir().unwrap();
    let demo = root().join("assets/demo/support-desk.pack.json");

    let iam = config_with(dir.path(), "iam.json", |_| {});
    run.deploy_cycle(&iam, &demo);

    let jwt = config_with(dir.path(), "jwt.json", |v| {
        v["a2a_auth"] = json!({
            "mode": "jwt",
            "discovery_url": "https://login.example.com/realms/agents/.well-known/openid-configuration",
            "allowed_audience": ["support-desk"],
            "allowed_clients": ["support-desk-frontend"]
        });
    });
    run.deploy_cycle(&jwt, &demo);

    // Every shared fixture pack the app plans, with a config that only names the essentials.
    let bare = config_with(dir.path(), "bare.json", |v| {
        for k in ["tool_targets", "memory_store", "observability"] {
            v.as_object_mut().unwrap().remove(k);
        }
    });
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root().join("../shared/fixtures/packs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".pack.json"))
        .collect();
    fixtures.sort();
    let mut cycled = 0;
    for pack in fixtures {
        let p = pack.to_str().unwrap().to_string();
        if !run
            .run(&["plan", "--config", bare.to_str().unwrap(), "--pack", &p])
            .status
            .success()
        {
            continue;
        }
        run.deploy_cycle(&bare, &pack);
        cycled += 1;
    }
    assert!(
        cycled >= 6,
        "only {cycled} fixture packs planned: {:#?}",
        run.log
    );
    let report = run.report();
    assert!(
        report.is_empty(),
        "model violations:\n{report}\n\nflows:\n{}",
        run.log.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_key_recommendation_and_activity_flow_sends_only_what_the_models_accept() {
    let mut run = Run::new().await;
    let keys: Value = serde_json::from_str(&run.ok(&["keys", "list", "--json"])).unwrap();
    let labels: Vec<String> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["label"].as_str().map(str::to_string))
        .collect();
    assert!(labels.len() >= 4, "{keys}");
    for label in &labels {
        // Ineligible keys exit 1 with their reasons; the calls still count.
        run.run(&["keys", "check", label, "--json"]);
    }
    run.ok(&[
        "keys",
        "check",
        "alias/agentcore-no-service-principal",
        "--apply",
        "--yes",
    ]);
    run.ok(&[
        "keys",
        "policy",
        "--json",
        "--account",
        "111122223333",
        "--role",
        "arn:aws:iam::111122223333:role/AgentCoreDeployer",
        "--key",
        "alias/agentcore-recommendations",
    ]);

    let log_group = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock-agentcore/runtimes/support_desk";
    let started: Value = serde_json::from_str(&run.ok(&[
        "recs",
        "start",
        "--json",
        "--name",
        "conformance_prompt",
        "--inline",
        "You are a helpful support agent.",
        "--log-group",
        log_group,
        "--service-name",
        "support_desk.DEFAULT",
        "-e",
        "Builtin.Helpfulness",
        "--kms-key",
        "alias/agentcore-recommendations",
        "--tag",
        "team=support",
        "--wait",
        "--timeout",
        "60",
    ]))
    .unwrap_or(Value::Null);
    run.ok(&[
        "recs",
        "start",
        "--json",
        "--name",
        "conformance_tools",
        "-t",
        "tool-description",
        "--pack",
        "assets/demo/support-desk.pack.json",
        "--log-group",
        log_group,
        "--service-name",
        "support_desk.DEFAULT",
    ]);
    let list: Value = serde_json::from_str(&run.ok(&["recs", "list", "--json"])).unwrap();
    let ids: Vec<String> = list["recommendations"]
        .as_array()
        .or_else(|| list.as_array())
        .into_iter()
        .flatten()
        .filter_map(|r| {
            r["recommendationId"]
                .as_str()
                .or(r["id"].as_str())
                .map(str::to_string)
        })
        .collect();
    assert!(ids.len() >= 7, "{list}");
    for id in &ids {
        // Recommendations sealed under a disabled key fail to open; the call still counts.
        run.run(&["recs", "get", id, "--json"]);
    }
    run.ok(&["kms", "activity", "--json"]);
    let mine = started["recommendationId"]
        .as_str()
        .or(started["id"].as_str())
        .map(str::to_string);
    if let Some(id) = &mine {
        run.ok(&["kms", "activity", "--recommendation", id, "--json"]);
    }
    let all: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut delete = vec!["recs", "delete", "--yes"];
    delete.extend(all);
    run.ok(&delete);
    let report = run.report();
    assert!(
        report.is_empty(),
        "model violations:\n{report}\n\nflows:\n{}",
        run.log.join("\n")
    );
}

/// The state file the binary wrote for `pack_id` under the run's data dir.
fn state_file(dir: &Path, pack_id: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = state_file(&path, pack_id) {
                return Some(found);
            }
        } else if path.file_name().and_then(|n| n.to_str()) == Some(&format!("{pack_id}.json")) {
            return Some(path);
        }
    }
    None
}

/// The monitor's Evaluations and Health reads (GetOnlineEvaluationConfig, FilterLogEvents of the
/// result group, GetAgentRuntime, ListAgentRuntimeVersions, ListAgentRuntimeEndpoints,
/// GetGateway, ListGatewayTargets), made in process by the shared services after the binary
/// applied the demo and invoked a runtime.
#[tokio::test(flavor = "multi_thread")]
async fn the_monitor_evaluations_and_health_reads_send_only_what_the_models_accept() {
    use agentcore_tui::{config, deploy, monitor, services};
    let mut run = Run::new().await;
    let dir = tempfile::tempdir().unwrap();
    let demo = root().join("assets/demo/support-desk.pack.json");
    let cfg = config_with(dir.path(), "iam.json", |_| {});
    let files = [
        "--config",
        cfg.to_str().unwrap(),
        "--pack",
        demo.to_str().unwrap(),
    ];
    let with = |cmd: &[&'static str]| -> Vec<String> {
        cmd.iter()
            .chain(files.iter())
            .map(|s| s.to_string())
            .collect()
    };
    for args in [
        with(&["apply", "--yes"]),
        with(&["invoke", "--runtime", "triage", "--prompt", "conformance"]),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run.ok(&args);
    }

    let loaded = config::load_path(&cfg, None).unwrap();
    let prepared = services::deploy::prepare(&demo, loaded.config, None).unwrap();
    let path = state_file(&run.data.path().join("state"), &prepared.pack.id)
        .expect("apply wrote a state file");
    let state = deploy::state::StateStore::open_path(path)
        .unwrap()
        .snapshot();
    let clients =
        agentcore_tui::aws::Clients::for_endpoint(&run.emulator.endpoint_url(), "us-east-1")
            .await
            .unwrap();
    let rt = monitor::target::find(&prepared.plan, &state, Some("triage")).unwrap();
    let results = monitor::evaluations::fetch(&clients, &state, &rt, 0)
        .await
        .unwrap_or_else(|e| panic!("{}", e.message));
    assert_eq!(
        results.results.len(),
        2,
        "one result per evaluator of the demo's config: {results:?}"
    );
    let health = monitor::health::gather(&clients, &state, &rt).await;
    assert!(health.healthy(), "{health:?}");
    let report = run.report();
    assert!(
        report.is_empty(),
        "model violations:\n{report}\n\nflows:\n{}",
        run.log.join("\n")
    );
}
