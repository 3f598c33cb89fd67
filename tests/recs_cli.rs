//! The headless `keys`, `recs` and `kms` commands with `--local --json`, as a script would run
//! them: one process per command, the local world kept between them.

use std::process::{Command, Output, Stdio};

use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, args: &[&str]) -> (i32, Value, String) {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], vars: &[(&str, &str)]) -> (i32, Value, String) {
        let out: Output = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
            .args(args)
            .env("XDG_DATA_HOME", self.dir.path())
            .env("HOME", self.dir.path())
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_PROFILE")
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        (
            out.status.code().unwrap_or(-1),
            json,
            String::from_utf8_lossy(&out.stderr).to_string() + &stdout,
        )
    }
}

fn start_args<'a>(name: &'a str, key: &'a str) -> Vec<&'a str> {
    vec![
        "recs",
        "start",
        "--local",
        "--json",
        "--name",
        name,
        "--inline",
        "You are a helpful assistant.",
        "--log-group",
        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock-agentcore/sessions/my-agent",
        "--service-name",
        "my-agent.DEFAULT",
        "-e",
        "Builtin.Helpfulness",
        "--kms-key",
        key,
    ]
}

#[test]
fn keys_list_check_and_policy() {
    let env = Env::new();
    let (code, v, all) = env.run(&["keys", "list", "--local", "--json"]);
    assert_eq!(code, 0, "{all}");
    let keys = v["keys"].as_array().unwrap();
    let find = |alias: &str| {
        keys.iter()
            .find(|k| k["label"] == alias)
            .unwrap_or_else(|| panic!("{alias}: {all}"))
    };
    assert_eq!(find("alias/agentcore-recommendations")["eligible"], true);
    assert_eq!(find("alias/agentcore-disabled")["eligible"], false);
    assert_eq!(
        find("alias/agentcore-disabled")["reasons"][0]["message"],
        "disabled"
    );
    assert_eq!(
        find("alias/release-signing")["reasons"][0]["reason"],
        "not_symmetric"
    );

    let (code, v, all) = env.run(&[
        "keys",
        "check",
        "alias/agentcore-no-service-principal",
        "--local",
        "--json",
    ]);
    assert_eq!(code, 1, "a missing statement fails the check: {all}");
    let findings = v["policy"]["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["kind"] == "missing" && f["requirement"] == "service_principal"),
        "{all}"
    );
    assert!(v["diff"].as_array().unwrap().iter().any(|l| {
        l["change"] == "added"
            && l["text"]
                .as_str()
                .unwrap()
                .contains("AllowServicePrincipalAccess")
    }));

    // --apply needs --yes; with it the policy is written and the check then passes.
    let k = "alias/agentcore-no-service-principal";
    let (code, v, _) = env.run(&["keys", "check", k, "--apply", "--local", "--json"]);
    assert_eq!(code, 2, "a missing --yes is a usage error");
    assert!(
        v["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("--apply --yes")
    );
    let (code, v, all) = env.run(&["keys", "check", k, "--apply", "--yes", "--local", "--json"]);
    assert_eq!(code, 0, "{all}");
    assert!(v["applied"].is_array());
    assert_eq!(v["policy"]["compliant"], true);
    let (code, v, all) = env.run(&["keys", "check", k, "--local", "--json"]);
    assert_eq!(code, 0, "the applied policy is kept between runs: {all}");
    assert!(
        v["policy"]["findings"].as_array().unwrap().is_empty(),
        "{all}"
    );

    let (code, v, all) = env.run(&[
        "keys",
        "check",
        "alias/agentcore-disabled",
        "--local",
        "--json",
    ]);
    assert_eq!(code, 1, "{all}");
    assert_eq!(v["key"]["eligible"], false);

    let (code, v, all) = env.run(&[
        "keys",
        "policy",
        "--account",
        "111122223333",
        "--region",
        "eu-west-1",
        "--role",
        "arn:aws:iam::111122223333:role/MyRecommendationRole",
        "--json",
    ]);
    assert_eq!(code, 0, "{all}");
    let sids: Vec<&str> = v["policy"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    assert_eq!(
        sids,
        [
            "Enable IAM User Permissions",
            "AllowCallerAccess",
            "AllowCallerCryptoOps",
            "AllowServicePrincipalAccess"
        ]
    );
    assert_eq!(
        v["policy"]["Statement"][3]["Condition"]["ArnLike"]["aws:SourceArn"],
        "arn:aws:bedrock-agentcore:eu-west-1:111122223333:recommendation/*"
    );

    let (code, v, _) = env.run(&[
        "keys",
        "policy",
        "--account",
        "1234",
        "--region",
        "us-east-1",
        "--role",
        "x",
        "--json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["error"]["field"], "account");
    assert!(v["error"]["message"].as_str().unwrap().contains("\"1234\""));
}

#[test]
fn recs_start_get_list_delete_across_processes() {
    let env = Env::new();
    let mut args = start_args("cli_rec", "alias/agentcore-recommendations");
    args.extend(["--wait", "--timeout", "60"]);
    let (code, v, all) = env.run(&args);
    assert_eq!(code, 0, "{all}");
    assert_eq!(v["recommendation"]["status"], "COMPLETED");
    let id = v["recommendation"]["id"].as_str().unwrap().to_owned();

    // Start without waiting, then wait with `get --wait` from another process.
    let (code, v, all) = env.run(&start_args("cli_rec_2", "alias/agentcore-recommendations"));
    assert_eq!(code, 0, "{all}");
    assert_eq!(v["recommendation"]["status"], "PENDING");
    let id2 = v["recommendation"]["id"].as_str().unwrap().to_owned();
    let (code, v, all) = env.run(&["recs", "get", &id2, "--wait", "--local", "--json"]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(v["recommendation"]["status"], "COMPLETED");

    // A new process sees the same local world.
    let (code, v, all) = env.run(&["recs", "get", &id, "--local", "--json"]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(v["recommendation"]["result"]["kind"], "system_prompt");
    assert!(
        v["recommendation"]["kms_key_arn"]
            .as_str()
            .unwrap()
            .contains(":key/1234abcd")
    );

    let (code, v, _) = env.run(&["recs", "list", "--local", "--json", "--filter", "CLI_REC"]);
    assert_eq!(code, 0);
    let names: Vec<&str> = v["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cli_rec", "cli_rec_2"]);
    let (_, v, _) = env.run(&["recs", "list", "--local", "--json", "--status", "FAILED"]);
    assert!(
        v["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "FAILED")
    );

    // Without a terminal to ask on, delete refuses unless --yes.
    let (code, v, _) = env.run(&["recs", "delete", &id, "--local", "--json"]);
    assert_eq!(code, 2, "a missing --yes is a usage error");
    assert!(v["error"]["hint"].as_str().unwrap().contains("--yes"));
    let (code, v, all) = env.run(&[
        "recs",
        "delete",
        "--yes",
        &id,
        "rec-doesnotexist",
        "--local",
        "--json",
    ]);
    assert_eq!(code, 1, "one of two failed: {all}");
    assert_eq!(v["deleted"][0]["status"], "DELETING");
    assert_eq!(v["deleted"][1]["ok"], false);
}

#[test]
fn recs_key_unavailable_and_bad_input_messages() {
    let env = Env::new();
    let (_, v, _) = env.run(&["recs", "list", "--local", "--json"]);
    let victim = v["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "disabled_key_prompt")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (code, v, all) = env.run(&["recs", "get", &victim, "--local", "--json"]);
    assert_eq!(code, 1, "{all}");
    assert_eq!(
        v["error"]["message"],
        "key alias/agentcore-disabled is disabled: re-enable it to read this recommendation; listing and deleting still work"
    );
    assert_eq!(v["error"]["problem"]["kind"], "disabled");
    // Human output says the same on stderr.
    let (code, _, text) = env.run(&["recs", "get", &victim, "--local"]);
    assert_eq!(code, 1);
    assert!(
        text.contains("error [resource]: key alias/agentcore-disabled is disabled: re-enable it"),
        "{text}"
    );

    let (code, v, all) = env.run(&start_args("bad_key", "alias/agentcore-retiring"));
    assert_eq!(code, 1, "{all}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("key alias/agentcore-retiring is pending deletion")
    );

    let mut args = start_args("1bad", "alias/agentcore-recommendations");
    args.extend(["--since", "soon"]);
    let (code, v, _) = env.run(&args);
    assert_eq!(code, 1);
    assert_eq!(v["errors"][0]["field"], "since");
    let (code, v, _) = env.run(&start_args("1bad", "alias/agentcore-recommendations"));
    assert_eq!(code, 1);
    assert_eq!(v["errors"][0]["field"], "name");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("\"1bad\"")
    );
    let (code, v, _) = env.run(&["recs", "list", "--local", "--json", "--status", "DONE"]);
    assert_eq!(
        (code, v["errors"][0]["field"].as_str()),
        (1, Some("status"))
    );
}

#[test]
fn kms_activity_shows_the_recommendation_events() {
    let env = Env::new();
    let mut args = start_args("watched", "alias/agentcore-recommendations");
    args.extend(["--wait", "--timeout", "60"]);
    let (code, v, all) = env.run(&args);
    assert_eq!(code, 0, "{all}");
    let id = v["recommendation"]["id"].as_str().unwrap().to_owned();
    let (code, v, all) = env.run(&[
        "kms",
        "activity",
        "--recommendation",
        &id,
        "--local",
        "--json",
    ]);
    assert_eq!(code, 0, "{all}");
    let events = v["events"].as_array().unwrap();
    assert!(
        events.iter().any(|e| e["name"] == "GenerateDataKey"
            && e["principal"] == "bedrock-agentcore.amazonaws.com"),
        "{all}"
    );
    assert!(
        events
            .iter()
            .all(|e| e["recommendation_arn"].as_str().unwrap().ends_with(&id))
    );

    // The demo world's history is hours old; --since 1h keeps only what this test just did.
    let (code, v, all) = env.run(&[
        "kms", "activity", "--since", "1h", "--max", "200", "--local", "--json",
    ]);
    assert_eq!(code, 0, "{all}");
    let events = v["events"].as_array().unwrap();
    assert!(!events.is_empty());
    let hour_ago = chrono::Utc::now() - chrono::Duration::minutes(61);
    assert!(
        events.iter().all(|e| e["time"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
            > hour_ago),
        "{all}"
    );
    let (_, everything, _) = env.run(&["kms", "activity", "--max", "200", "--local", "--json"]);
    assert!(everything["events"].as_array().unwrap().len() > events.len());
    let (code, v, _) = env.run(&["kms", "activity", "--since", "soon", "--local", "--json"]);
    assert_eq!((code, v["error"]["field"].as_str()), (1, Some("since")));
}

/// Without --local, the SDK's own endpoint settings decide: AWS_ENDPOINT_URL pointing at an
/// emulator running elsewhere works like AWS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_endpoint_url_is_honoured() {
    let emu = agentcore_emulator::Emulator::start(agentcore_emulator::Config::default())
        .await
        .unwrap();
    let url = emu.endpoint_url();
    let (code, v, all) = tokio::task::spawn_blocking(move || {
        let env = Env::new();
        env.run_with(
            &["keys", "list", "--json"],
            &[
                ("AWS_ENDPOINT_URL", url.as_str()),
                ("AWS_REGION", "us-east-1"),
                ("AWS_ACCESS_KEY_ID", "local"),
                ("AWS_SECRET_ACCESS_KEY", "local"),
            ],
        )
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{all}");
    assert!(
        v["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["label"] == "alias/agentcore-recommendations")
    );
    emu.shutdown().await;
}

/// Input from a pack: the tools of the demo pack as a TOOL_DESCRIPTION recommendation, and a
/// prompt's system_template as a SYSTEM_PROMPT one.
#[test]
fn recs_start_from_a_pack() {
    let env = Env::new();
    let pack = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo/support-desk.pack.json"
    );
    let common = [
        "--local",
        "--json",
        "--pack",
        pack,
        "--log-group",
        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock-agentcore/sessions/desk",
        "--service-name",
        "desk.DEFAULT",
        "--wait",
        "--timeout",
        "60",
    ];
    let mut args = vec![
        "recs",
        "start",
        "--name",
        "desk_tools",
        "--type",
        "tool-description",
    ];
    args.extend(["--tool", "lookup_order", "--tool", "search_kb"]);
    args.extend(common);
    let (code, v, all) = env.run(&args);
    assert_eq!(code, 0, "{all}");
    let rec = &v["recommendation"];
    assert_eq!(rec["type"], "TOOL_DESCRIPTION_RECOMMENDATION");
    let tools: Vec<&str> = rec["config"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tools, ["lookup_order", "search_kb"]);
    assert_eq!(rec["result"]["kind"], "tool_description");
    assert_eq!(
        rec["kms_key_arn"],
        Value::Null,
        "no --kms-key: the AWS owned key"
    );

    // Several prompts and none chosen: told which ones exist.
    let mut args = vec!["recs", "start", "--name", "desk_prompt"];
    args.extend(common);
    let (code, v, _) = env.run(&args);
    assert_eq!(code, 1);
    assert_eq!(v["errors"][0]["field"], "prompt");
    assert!(v["errors"][0]["hint"].as_str().unwrap().contains("triage"));
    args.extend([
        "--prompt",
        "triage",
        "--kms-key",
        "alias/agentcore-recommendations",
    ]);
    let (code, v, all) = env.run(&args);
    assert_eq!(code, 0, "{all}");
    assert_eq!(v["recommendation"]["result"]["kind"], "system_prompt");
}

/// `recs start` runs `keys check`'s analysis: a key whose policy does not let the service
/// principal use it is refused with the fix and the diff, unless --force.
#[test]
fn recs_start_refuses_a_key_the_service_cannot_use() {
    let env = Env::new();
    let key = "alias/agentcore-no-service-principal";
    let (code, v, all) = env.run(&start_args("refused", key));
    assert_eq!(code, 1, "{all}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("does not let bedrock-agentcore.amazonaws.com use it"),
        "{all}"
    );
    assert!(message.contains("KMS_ACCESS_DENIED"), "{all}");
    assert_eq!(v["error"]["field"], "kms_key");
    let hint = v["error"]["hint"].as_str().unwrap();
    assert!(hint.contains("keys check alias/agentcore-no-service-principal --apply --yes"));
    assert!(hint.contains("--force"));
    assert!(
        v["error"]["diff"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.to_string().contains("AllowServicePrincipalAccess")),
        "{all}"
    );
    let (_, listed, _) = env.run(&["recs", "list", "--local", "--json"]);
    assert!(
        !listed.to_string().contains("\"refused\""),
        "nothing was started"
    );

    // Human output: the findings and the diff on stderr.
    let mut text_args = start_args("refused", key);
    text_args.retain(|a| *a != "--json");
    let (code, _, text) = env.run(&text_args);
    assert_eq!(code, 1);
    assert!(
        text.contains("recommended policy (diff from the current one)"),
        "{text}"
    );
    assert!(
        text.contains("+") && text.contains("bedrock-agentcore.amazonaws.com"),
        "{text}"
    );

    // --force starts it anyway (and the workflow fails later, as KMS would make it).
    let mut forced = start_args("forced", key);
    forced.push("--force");
    let (code, v, all) = env.run(&forced);
    assert_eq!(code, 0, "{all}");
    assert_eq!(v["recommendation"]["name"], "forced");

    // A key whose policy is right starts without a word.
    let (code, _, all) = env.run(&start_args("fine", "alias/agentcore-recommendations"));
    assert_eq!(code, 0, "{all}");
}

/// `recs start --runtime NAME --config FILE --pack FILE`: the log group and service name of a
/// runtime `apply` deployed, as the TUI's start form proposes them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recs_start_takes_the_traces_of_a_deployed_runtime() {
    let emu = agentcore_emulator::Emulator::start(agentcore_emulator::Config {
        timing: agentcore_emulator::Timing::instant(),
        ..Default::default()
    })
    .await
    .unwrap();
    let url = emu.endpoint_url();
    let out = tokio::task::spawn_blocking(move || {
        let env = Env::new();
        let vars = [
            ("AWS_ENDPOINT_URL", url.as_str()),
            ("AWS_ACCESS_KEY_ID", "local"),
            ("AWS_SECRET_ACCESS_KEY", "local"),
        ];
        let config = "assets/demo/support-desk.deploy.json";
        let pack = "assets/demo/support-desk.pack.json";
        let applied = env.run_with(
            &["apply", "--yes", "--config", config, "--pack", pack],
            &vars,
        );
        let status = env.run_with(
            &["status", "--json", "--config", config, "--pack", pack],
            &vars,
        );
        let with = |runtime: &str| {
            env.run_with(
                &[
                    "recs",
                    "start",
                    "--json",
                    "--name",
                    "from_runtime",
                    "--runtime",
                    runtime,
                    "--config",
                    config,
                    "--pack",
                    pack,
                    "--prompt",
                    "triage",
                    "-e",
                    "Builtin.Helpfulness",
                ],
                &vars,
            )
        };
        let runtime = status.1["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["type"] == "agent_runtime"))
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_owned(),
                    r["arn"].as_str().unwrap().to_owned(),
                )
            });
        let started = runtime.as_ref().map(|(name, _)| with(name));
        let got = started.as_ref().map(|(_, v, _)| {
            let id = v["recommendation"]["id"].as_str().unwrap_or_default();
            env.run_with(
                &["recs", "get", id, "--json", "--region", "us-east-1"],
                &vars,
            )
        });
        let unknown = with("nope");
        (applied, status, runtime, started, got, unknown)
    })
    .await
    .unwrap();
    let (applied, status, runtime, started, got, unknown) = out;
    assert_eq!(applied.0, 0, "{}", applied.2);
    let (name, arn) = runtime.unwrap_or_else(|| panic!("no runtime in {}", status.2));
    let (code, _, all) = started.unwrap();
    assert_eq!(code, 0, "{all}");
    let (code, v, all) = got.unwrap();
    assert_eq!(code, 0, "{all}");
    let id = arn.rsplit('/').next().unwrap();
    let text = v["recommendation"].to_string();
    assert!(
        text.contains(&format!(
            "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock-agentcore/runtimes/{id}-DEFAULT"
        )),
        "{all}"
    );
    assert!(text.contains(&format!("{name}.DEFAULT")), "{all}");

    let (code, v, all) = unknown;
    assert_eq!(code, 1, "{all}");
    assert_eq!(v["errors"][0]["field"], "runtime", "{all}");
    assert!(
        v["errors"][0]["hint"].as_str().unwrap().contains(&name),
        "the deployed runtimes are listed: {all}"
    );
    emu.shutdown().await;
}
