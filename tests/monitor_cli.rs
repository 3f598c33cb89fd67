//! The headless `invoke` and `logs` commands with `--local`, as a script runs them after a
//! deploy: one process per command, the local world and deploy state kept in the data dir.

use std::process::{Command, Output, Stdio};

use serde_json::Value;

const CONFIG: &str = "assets/demo/support-desk.deploy.json";
const PACK: &str = "assets/demo/support-desk.pack.json";

struct Env {
    dir: tempfile::TempDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", self.stdout))
    }

    /// `logs --json`: every line of stdout one JSON object.
    fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"));
                assert!(v.is_object(), "{l}");
                v
            })
            .collect()
    }
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let out: Output = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .args(["--config", CONFIG, "--pack", PACK, "--local"])
            .env("AGENTCORE_TUI_DATA_DIR", self.dir.path())
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_PROFILE")
            .env_remove("AGENTCORE_EMULATOR_FAULTS")
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

#[test]
fn invoke_then_logs_json_finds_the_prompt_in_the_runtime_logs() {
    let env = Env::new();
    let before = env.run(&["logs", "--json"]);
    assert_eq!(before.code, 1, "{}{}", before.stdout, before.stderr);
    let err = &before.json_lines()[0];
    assert_eq!(err["ok"], false);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not deployed"),
        "{err}"
    );

    let apply = env.run(&["apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);

    let empty = env.run(&["logs", "--json"]);
    assert_eq!(empty.code, 0, "{}", empty.stderr);
    assert!(empty.stdout.is_empty(), "{}", empty.stdout);
    assert!(
        empty.stderr.contains("logs can take a minute to appear"),
        "{}",
        empty.stderr
    );

    let prompt = "my invoice 4711 was charged twice";
    let inv = env.run(&[
        "invoke",
        "--runtime",
        "triage",
        "--prompt",
        prompt,
        "--json",
    ]);
    assert_eq!(inv.code, 0, "{}{}", inv.stdout, inv.stderr);
    let answer = inv.json();
    assert_eq!(answer["ok"], true);
    assert_eq!(answer["runtime"], "triage");
    let text = answer["answer"].as_str().unwrap();
    assert!(text.contains("emulator's stand-in agent"), "{text}");
    assert!(text.contains(prompt), "{text}");
    let session = answer["session_id"].as_str().unwrap().to_owned();
    assert!(session.len() >= 33, "{session}");

    let logs = env.run(&["logs", "--runtime", "triage", "--json"]);
    assert_eq!(logs.code, 0, "{}", logs.stderr);
    let lines = logs.json_lines();
    // The runtime's own group and the deploy config's observability.cloudwatch_log_group, each
    // line naming the one it came from.
    let groups: std::collections::BTreeSet<&str> =
        lines.iter().map(|l| l["group"].as_str().unwrap()).collect();
    assert_eq!(groups.len(), 2, "{}", logs.stdout);
    assert!(
        groups.contains("/aws/bedrock-agentcore/support-desk"),
        "{groups:?}"
    );
    assert!(
        groups
            .iter()
            .any(|g| g.starts_with("/aws/bedrock-agentcore/runtimes/") && g.ends_with("-DEFAULT")),
        "{groups:?}"
    );
    let text = env.run(&["logs", "--runtime", "triage"]);
    assert!(
        text.stderr
            .contains("reading [runtime] /aws/bedrock-agentcore/runtimes/")
            && text
                .stderr
                .contains("[pack] /aws/bedrock-agentcore/support-desk"),
        "{}",
        text.stderr
    );
    let labelled = |label: &str| {
        text.stdout
            .lines()
            .any(|l| l.contains(&format!(" [{label}] ")) && l.contains(prompt))
    };
    assert!(labelled("runtime") && labelled("pack"), "{}", text.stdout);
    let with_prompt: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"].as_str().unwrap().contains(prompt))
        .collect();
    assert!(!with_prompt.is_empty(), "{}", logs.stdout);
    assert!(
        lines.iter().all(|l| l["level"] == "INFO"),
        "{}",
        logs.stdout
    );
    assert!(
        lines
            .iter()
            .all(|l| l["stream"].as_str().unwrap().ends_with(&session)),
        "{}",
        logs.stdout
    );

    // The follow-up keeps its session; filters narrow what is shown.
    let again = env.run(&[
        "invoke",
        "--runtime",
        "triage",
        "--prompt",
        "and the refund?",
        "--session",
        &session,
        "--json",
    ]);
    assert_eq!(again.json()["session_id"], session.as_str());
    let filtered = env.run(&["logs", "--json", "--filter", "and the refund?"]);
    let hits = filtered.json_lines();
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|l| l["message"].as_str().unwrap().contains("and the refund?")),
        "{}",
        filtered.stdout
    );
    let errors_only = env.run(&["logs", "--json", "--level", "error"]);
    assert_eq!(errors_only.code, 0);
    assert!(errors_only.stdout.is_empty(), "{}", errors_only.stdout);

    // Human output: the answer, then the session and latency.
    let human = env.run(&["invoke", "--runtime", "billing", "--prompt", "hello"]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(
        human.stdout.contains("[AgentCore emulator]"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("\nsession "), "{}", human.stdout);
}

/// A missing permission names the action, the resource to allow it on and whose policy needs
/// it; an empty tail says logs take a minute.
#[test]
fn denied_reads_and_invokes_name_the_action_the_resource_and_the_role() {
    let env = Env::new();
    let apply = env.run(&["apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    let logs = env.run_with(
        &["logs"],
        &[("AGENTCORE_EMULATOR_FAULTS", "op=FilterLogEvents:deny=1.0")],
    );
    assert_eq!(logs.code, 1, "{}", logs.stdout);
    assert!(
        logs.stderr
            .contains("logs:FilterLogEvents is not allowed for arn:"),
        "{}",
        logs.stderr
    );
    assert!(
        logs.stderr
            .contains("add logs:FilterLogEvents on arn:aws:logs:us-east-1:")
            && logs
                .stderr
                .contains(":log-group:/aws/bedrock-agentcore/runtimes/")
            && logs.stderr.contains("to the policy of IAM role "),
        "{}",
        logs.stderr
    );
    let json = env.run_with(
        &["logs", "--json"],
        &[("AGENTCORE_EMULATOR_FAULTS", "op=FilterLogEvents:deny=1.0")],
    );
    let err = &json.json_lines()[0];
    assert_eq!(err["error"]["category"], "permission", "{err}");
    assert!(
        err["error"]["hint"]
            .as_str()
            .unwrap()
            .starts_with("add logs:FilterLogEvents on "),
        "{err}"
    );

    let inv = env.run_with(
        &["invoke", "--runtime", "triage", "--prompt", "hi"],
        &[(
            "AGENTCORE_EMULATOR_FAULTS",
            "op=InvokeAgentRuntime:deny=1.0",
        )],
    );
    assert_eq!(inv.code, 1, "{}", inv.stdout);
    assert!(
        inv.stderr
            .contains("bedrock-agentcore:InvokeAgentRuntime is not allowed for arn:"),
        "{}",
        inv.stderr
    );
    assert!(
        inv.stderr.contains(
            "add bedrock-agentcore:InvokeAgentRuntime on arn:aws:bedrock-agentcore:us-east-1:"
        ) && inv
            .stderr
            .contains("/runtime-endpoint/* to the policy of IAM role "),
        "{}",
        inv.stderr
    );
    assert!(inv.stdout.is_empty(), "nothing answered: {}", inv.stdout);
}

/// In text mode the answer is printed piece by piece as the runtime streams it: stdout is read
/// as it comes, and the first piece arrives before the answer is whole.
#[test]
fn invoke_prints_the_answer_as_it_streams() {
    use std::io::Read;
    let env = Env::new();
    let apply = env.run(&["apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}{}", apply.stdout, apply.stderr);
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "invoke",
            "--runtime",
            "triage",
            "--prompt",
            "where is parcel 77?",
        ])
        .args(["--config", CONFIG, "--pack", PACK, "--local"])
        .env("AGENTCORE_TUI_DATA_DIR", env.dir.path())
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_PROFILE")
        .env_remove("AGENTCORE_EMULATOR_FAULTS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut reads = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stdout.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        reads.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    assert!(child.wait().unwrap().success());
    let all = reads.concat();
    assert!(all.contains("where is parcel 77?"), "{all}");
    assert!(all.contains("\nsession "), "{all}");
    assert!(
        reads.len() > 2,
        "the answer came in one piece, not as it streamed: {reads:?}"
    );
    assert!(
        reads[0].starts_with("[AgentCore emulator]") && !reads[0].contains("session "),
        "{reads:?}"
    );
}

#[test]
fn bad_flags_and_unknown_runtimes_say_what_to_change() {
    let env = Env::new();
    let since = env.run(&["logs", "--since", "ten"]);
    assert_eq!(since.code, 1);
    assert!(since.stderr.contains("--since 'ten'"), "{}", since.stderr);
    let since_json = env.run(&["logs", "--since", "ten", "--json"]);
    let lines = since_json.json_lines();
    assert_eq!(lines.len(), 1, "{}", since_json.stdout);
    assert_eq!(lines[0]["error"]["category"], "configuration");
    let level = env.run(&["logs", "--level", "loud"]);
    assert!(
        level
            .stderr
            .contains("use trace, debug, info, warn or error")
    );
    let session = env.run(&[
        "invoke",
        "--runtime",
        "triage",
        "--prompt",
        "x",
        "--session",
        "s1",
    ]);
    assert_eq!(session.code, 1);
    assert!(session.stderr.contains("33 to 256"), "{}", session.stderr);
    let unknown = env.run(&["invoke", "--runtime", "nobody", "--prompt", "x"]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown
            .stderr
            .contains("use one of: billing, technical, triage"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn a_runtime_that_failed_to_create_is_not_invoked() {
    let env = Env::new();
    let apply = env.run_with(
        &["apply", "--yes"],
        &[(
            "AGENTCORE_EMULATOR_FAULTS",
            "op=CreateAgentRuntime:fail=1.0",
        )],
    );
    assert_eq!(apply.code, 1, "{}", apply.stdout);
    let inv = env.run(&["invoke", "--runtime", "triage", "--prompt", "hi"]);
    assert_eq!(inv.code, 1);
    assert!(
        inv.stderr
            .contains("runtime triage is CREATE_FAILED, not READY"),
        "{}",
        inv.stderr
    );
}

/// `--follow` against one shared emulator (an embedded `--local` one lives only as long as its
/// process, so another process's invoke reaches it only through AWS_ENDPOINT_URL): the line of
/// a later invoke appears, and Ctrl-C ends the tail with exit 0.
#[tokio::test(flavor = "multi_thread")]
async fn follow_shows_a_later_invoke_and_stops_on_ctrl_c() {
    use std::io::{BufRead, BufReader};

    use agentcore_emulator::{Config, Emulator, Timing, World};

    let emulator = Emulator::start(Config {
        world: World::Demo,
        timing: Timing::instant(),
        ..Config::default()
    })
    .await
    .unwrap();
    let url = emulator.endpoint_url();
    let data = tempfile::tempdir().unwrap();
    let cmd = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"));
        c.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .args(["--config", CONFIG, "--pack", PACK])
            .env("AWS_ENDPOINT_URL", &url)
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("AGENTCORE_TUI_DATA_DIR", data.path())
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env("AWS_CONFIG_FILE", data.path().join("no-aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                data.path().join("no-aws-credentials"),
            )
            .stdin(Stdio::null());
        c
    };
    let apply = cmd(&["apply", "--yes"]).output().unwrap();
    assert!(
        apply.status.success(),
        "{}",
        String::from_utf8_lossy(&apply.stdout)
    );

    let mut tail = cmd(&["logs", "--follow", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = tail.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    // Give the tail its first (empty) read before the invoke.
    std::thread::sleep(std::time::Duration::from_millis(800));
    let prompt = "followed prompt 9931";
    let inv = cmd(&["invoke", "--runtime", "triage", "--prompt", prompt])
        .output()
        .unwrap();
    assert!(
        inv.status.success(),
        "{}",
        String::from_utf8_lossy(&inv.stderr)
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut seen = false;
    while std::time::Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
            let v: Value = serde_json::from_str(&line).unwrap();
            if v["message"].as_str().unwrap().contains(prompt) {
                seen = true;
                break;
            }
        }
    }
    assert!(seen, "the tail never showed the invoke's line");
    let pid = tail.id().to_string();
    let killed = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(killed.success());
    let status = tail.wait().unwrap();
    assert_eq!(status.code(), Some(0), "Ctrl-C ends the tail cleanly");
    emulator.shutdown().await;
}
