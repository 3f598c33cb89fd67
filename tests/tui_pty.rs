//! The real binary in a pseudo-terminal (portable-pty, vt100): what a user sees and types,
//! end to end against the embedded emulator. The wizard, recommendations and deploy screens'
//! own tests drive `App::update` and snapshots; these drive the program.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use agentcore_tui::tui::persist::Answers;
use agentcore_tui::tui::services::AwsTarget;
use common::harness::{DEMO_BINARY, DEMO_PACK, demo_answers};
use common::pty;

// ---- the wizard ------------------------------------------------------------------------------

/// The app in a 100x30 pseudo-terminal, in colour.
fn session(data_dir: &std::path::Path, args: &[&str]) -> pty::Session {
    let mut cmd = pty::binary(data_dir);
    cmd.args(args);
    cmd.env_remove("NO_COLOR");
    pty::Session::spawn(cmd, 100, 30)
}

#[test]
fn the_binary_completes_the_wizard_on_the_local_emulator_and_writes_the_config() {
    use std::time::Duration;
    let data = tempfile::tempdir().unwrap();
    let out = data.path().join("support-desk.deploy.json");
    let long = Duration::from_secs(30);
    let mut s = session(data.path(), &[]);
    s.wait_for("Pack file", long);
    s.send("assets/demo/support-desk.pack.json\r");
    s.wait_for("Support Desk (support-desk)", long);
    s.send("\r"); // the local emulator, first in the list
    s.wait_for("Account: 111122223333", long);
    s.send("\x0e");
    s.wait_for("1 · Region", long);
    s.send("us-east-1\r");
    s.wait_for("2 · Runtime role", long);
    s.send("arn:aws:iam::111122223333:role/AgentCoreRuntime\r");
    s.wait_for("3 · Runtime artifact", long);
    s.send("\tassets/demo/promptkit-agentcore-runtime");
    s.wait_for("file found", long);
    s.send("\r");
    s.wait_for("4 · A2A auth", long);
    s.send("\x1b[B\r"); // IAM
    s.wait_for("5 · Tags", long);
    s.send("\x0e");
    s.wait_for("6 · KMS key", long);
    s.wait_for("key(s) in us-east-1", long); // listed by the emulator's KMS
    s.send("aws owned\r");
    s.wait_for("7 · Review", long);
    s.send(format!("{}\r", out.display()));
    s.wait_for("written to", long);
    s.send("\x1b");
    s.wait_for("Quit?", long);
    s.send("y");
    let status = s.child.wait().unwrap();
    assert!(status.success(), "{status:?}");

    let cfg =
        agentcore_tui::config::from_json_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(cfg.region, "us-east-1");
    assert_eq!(
        cfg.runtime_role_arn,
        "arn:aws:iam::111122223333:role/AgentCoreRuntime"
    );
    // Typed relative to where the TUI ran, written so the file finds it from its own folder
    // (which shares only the root with the checkout here, so the path is absolute).
    let binary = std::path::PathBuf::from(cfg.runtime_binary_path.as_deref().unwrap());
    assert!(binary.is_absolute(), "{binary:?}");
    assert_eq!(
        binary.canonicalize().unwrap(),
        std::path::Path::new("assets/demo/promptkit-agentcore-runtime")
            .canonicalize()
            .unwrap()
    );
    assert_eq!(cfg.a2a_auth.unwrap().mode, "iam");
    // A headless command run from another folder reads the same binary: validate checks it.
    let pack = std::path::Path::new("assets/demo/support-desk.pack.json")
        .canonicalize()
        .unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
        .args(["validate", "--config"])
        .arg(&out)
        .arg("--pack")
        .arg(&pack)
        .current_dir(elsewhere.path())
        .env("AGENTCORE_TUI_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let saved = std::fs::read_to_string(data.path().join("wizard-answers.json")).unwrap();
    assert!(
        saved.contains("\"region\": \"us-east-1\""),
        "answers are saved as you go: {saved}"
    );
}

#[test]
fn local_opens_the_demo_world_preselected_and_keeps_what_the_wizard_does_not_ask() {
    use std::time::Duration;
    let data = tempfile::tempdir().unwrap();
    let out = data.path().join("demo.deploy.json");
    let long = Duration::from_secs(30);
    let mut s = session(data.path(), &["--local"]);
    s.wait_for("Support Desk (support-desk)", long);
    s.wait_for("Account: 111122223333", long);
    assert!(s.screen().contains("assets/demo/support-desk.pack.json"));
    s.send("\x0e");
    s.wait_for("1 · Region", long);
    s.wait_for("us-east-1", long);
    s.send("\x0e");
    s.wait_for("arn:aws:iam::111122223333:role/AgentCoreRuntime", long);
    s.send("\x0e");
    s.wait_for("file found", long);
    s.send("\x0e");
    s.wait_for("4 · A2A auth", long);
    s.send("\x0e");
    s.wait_for("support-platform", long);
    s.wait_for("cc-4410", long);
    s.send("\x0e");
    s.wait_for("key(s) in us-east-1", long);
    // The demo key without the service principal: analysed, then fixed through the dialog.
    s.send("no-service\r");
    s.wait_for("2 finding(s)", long);
    s.send("\x0b"); // Ctrl-K
    s.wait_for("Put the recommended key policy?", long);
    s.send("y");
    s.wait_for("PutKeyPolicy done", long);
    s.wait_for("three statements are there", long);
    s.send("\x7f".repeat(10));
    s.send("aws owned\r");
    s.wait_for("7 · Review", long);
    // The same single warning `validate` gives for the demo config and pack.
    s.wait_for("Diagnostics 0 error(s) 1 warning(s)", long);
    s.wait_for("GetPolicyEngine", long);
    s.send(format!("{}\r", out.display()));
    s.wait_for("written to", long);
    s.send("\x1b");
    s.wait_for("Quit?", long);
    s.send("y");
    assert!(s.child.wait().unwrap().success());

    // Each file names the binary from its own folder; read back, both mean the same file.
    let read = |p: &std::path::Path| {
        let mut c = agentcore_tui::config::load_path(p, None).unwrap().config;
        c.runtime_binary_path = c
            .runtime_binary_path
            .map(|b| std::fs::canonicalize(b).unwrap().display().to_string());
        c
    };
    let written = read(&out);
    let demo = read(std::path::Path::new("assets/demo/support-desk.deploy.json"));
    assert_eq!(
        written, demo,
        "every field of the demo config is written back"
    );
}

// ---- recommendations -------------------------------------------------------------------------

/// The real binary in a pseudo-terminal against its embedded emulator (demo world and timing):
/// F2 → n → the form → Ctrl-S → watched until COMPLETED → detail with the diff → delete.
#[test]
fn real_binary_start_watch_detail_delete() {
    let data = tempfile::tempdir().unwrap();
    let answers = Answers {
        target: Some(AwsTarget::Local),
        region: "us-east-1".into(),
        ..Answers::default()
    };
    agentcore_tui::tui::persist::save_answers(
        &agentcore_tui::services::paths::answers_file(data.path()),
        &answers,
    )
    .unwrap();
    let long = Duration::from_secs(30);
    let mut cmd = pty::binary(data.path());
    cmd.env("NO_COLOR", "1");
    cmd.env_remove("AWS_ENDPOINT_URL");
    cmd.env_remove("AWS_PROFILE");
    let mut s = pty::Session::spawn(cmd, 100, 30);
    s.wait_for("Resume?", long);
    s.send("y");
    s.wait_for("account 111122223333", long);
    s.send("\x1bOQ");
    s.wait_for("recommendation(s)", long);
    let count = |s: &pty::Session| -> usize {
        let screen = s.screen();
        let i = screen
            .find(" recommendation(s)")
            .expect("a count on screen");
        screen[..i]
            .rsplit(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a number before it")
    };
    let before = count(&s);
    s.send("n");
    s.wait_for("Start a recommendation", long);
    s.wait_for("key(s) in us-east-1", long);
    s.send("pty_watched");
    s.send("\t\tYou are a helpful assistant.");
    s.send(
        "\tarn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock-agentcore/sessions/my-agent",
    );
    s.send("\tmy-agent.DEFAULT");
    s.send("\t\t\t\tagentcore-recommendations\r");
    s.wait_for("key policy", long);
    s.send("\x13");
    s.wait_for(&format!(" {} recommendation(s)", before + 1), long);
    s.wait_for("pty_watched", long);
    // The list re-reads it every 5 s; once COMPLETED its detail shows the diff.
    s.wait_for("running, re-read every 5s", long);
    s.send("\r");
    s.wait_for("System prompt", long);
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        s.settle(Duration::from_secs(2));
        if s.screen().contains("+ recommended") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never COMPLETED:\n{}",
            s.screen()
        );
        s.send("r");
    }
    s.send("d");
    s.wait_for("Delete this recommendation?", long);
    s.send("y");
    s.wait_for(&format!(" {before} recommendation(s)"), long);
    s.send("q");
    s.wait_for("Quit?", long);
    s.send("y");
    let status = s.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

// ---- plan, apply, status, destroy ------------------------------------------------------------

/// The real binary, in a pseudo-terminal: the saved demo answers (local emulator) are resumed,
/// the wizard walked with Ctrl-N, then plan → apply → status → destroy by keys alone.
#[test]
fn real_binary_local_wizard_plan_apply_status_destroy() {
    let log = real_binary_local_round_trip(None);
    assert!(
        log.contains("beginning attempt #1") && !log.contains("beginning attempt #2"),
        "without faults every call succeeds at once"
    );
}

/// The same round trip with the embedded emulator throttling and failing some calls: the
/// clients' retries absorb them, so the user still sees apply, a healthy status and destroy.
#[test]
fn real_binary_local_round_trip_with_emulator_faults() {
    let log = real_binary_local_round_trip(Some("latency=20ms,throttle=0.15,5xx=0.1,seed=7"));
    // The SDK only makes a second attempt at a call after a retryable error, i.e. a fault.
    assert!(
        log.contains("beginning attempt #2"),
        "no call was retried, so no fault reached the app; the log ends:\n{}",
        &log[log.char_indices().rev().nth(2000).map_or(0, |(i, _)| i)..]
    );
}

/// Returns the app's log file.
fn real_binary_local_round_trip(faults: Option<&str>) -> String {
    let data = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let answers = Answers {
        pack_path: root.join(DEMO_PACK).display().to_string(),
        runtime_binary_path: root.join(DEMO_BINARY).display().to_string(),
        ..demo_answers()
    };
    agentcore_tui::tui::persist::save_answers(
        &agentcore_tui::services::paths::answers_file(data.path()),
        &answers,
    )
    .unwrap();
    let mut cmd = pty::binary(data.path());
    cmd.env("NO_COLOR", "1");
    cmd.env_remove("AWS_ENDPOINT_URL");
    cmd.env_remove("AWS_PROFILE");
    match faults {
        Some(spec) => cmd.env(agentcore_emulator::FAULTS_ENV, spec),
        None => cmd.env_remove(agentcore_emulator::FAULTS_ENV),
    }
    // The SDK logs each attempt at a call at debug level.
    cmd.env(
        "AGENTCORE_TUI_LOG",
        "info,aws_smithy_runtime::client::orchestrator=debug",
    );
    let mut t = pty::Session::spawn(cmd, 100, 30);
    t.wait_for("Resume?", Duration::from_secs(30));
    t.send(b"y");
    t.wait_for("AgentCoreDeployer", Duration::from_secs(60));
    for _ in 0..7 {
        t.send(b"\x0e");
    }
    t.wait_for("deploy config (JSON)", Duration::from_secs(20));
    t.send(b"\x0e");
    t.wait_for("to create", Duration::from_secs(60));
    t.send(b"a");
    t.wait_for("Apply?", Duration::from_secs(10));
    t.send(b"y");
    t.wait_for("complete", Duration::from_secs(180));
    t.send(b"s");
    t.wait_for("Status: deployed", Duration::from_secs(60));
    assert!(
        t.screen().contains("0 unhealthy, 0 missing"),
        "{}",
        t.screen()
    );
    t.send(b"D");
    t.wait_for("to confirm", Duration::from_secs(10));
    t.send(b"support-desk\r");
    t.wait_for("Destroy", Duration::from_secs(10));
    t.wait_for("complete", Duration::from_secs(180));
    t.send(b"q");
    t.wait_for("Quit?", Duration::from_secs(10));
    t.send(b"y");
    let status = t.wait_exit(Duration::from_secs(20));
    assert!(status.success(), "{status:?}");
    let log = data
        .path()
        .join("logs")
        .join(agentcore_tui::services::paths::log_file_name());
    std::fs::read_to_string(&log).unwrap_or_default()
}

// ---- the monitor -----------------------------------------------------------------------------

/// The real binary on `--local`'s emulator: apply the demo, open the monitor of `triage` from
/// Status, invoke it and see its answer stream in, then its request line arrive in its Logs
/// (the runtime's group and the deploy config's `observability.cloudwatch_log_group`).
#[test]
fn real_binary_local_apply_then_invoke_triage_and_see_its_log_line() {
    let data = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let answers = Answers {
        pack_path: root.join(DEMO_PACK).display().to_string(),
        runtime_binary_path: root.join(DEMO_BINARY).display().to_string(),
        base_config: agentcore_tui::tui::demo::local_answers().base_config,
        ..demo_answers()
    };
    agentcore_tui::tui::persist::save_answers(
        &agentcore_tui::services::paths::answers_file(data.path()),
        &answers,
    )
    .unwrap();
    let mut cmd = pty::binary(data.path());
    cmd.env("NO_COLOR", "1");
    cmd.env_remove("AWS_ENDPOINT_URL");
    cmd.env_remove("AWS_PROFILE");
    cmd.env_remove(agentcore_emulator::FAULTS_ENV);
    let mut t = pty::Session::spawn(cmd, 100, 30);
    t.wait_for("Resume?", Duration::from_secs(30));
    t.send(b"y");
    t.wait_for("AgentCoreDeployer", Duration::from_secs(60));
    for _ in 0..7 {
        t.send(b"\x0e");
    }
    t.wait_for("deploy config (JSON)", Duration::from_secs(20));
    t.send(b"\x0e");
    t.wait_for("to create", Duration::from_secs(60));
    t.send(b"a");
    t.wait_for("Apply?", Duration::from_secs(10));
    t.send(b"y");
    t.wait_for("complete", Duration::from_secs(180));
    t.send(b"s");
    t.wait_for("Status: deployed", Duration::from_secs(60));

    // Down to triage's row, then `i`.
    t.wait_for("agent_runtime", Duration::from_secs(30));
    t.settle(Duration::from_millis(500));
    let screen = t.screen();
    let rows: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("Deployed resources"))
        .skip(1)
        .collect();
    let row = rows
        .iter()
        .position(|l| l.contains("agent_runtime") && l.contains("triage"))
        .unwrap_or_else(|| panic!("no triage row:\n{screen}"));
    for _ in 0..row {
        t.send(b"\x1b[B");
    }
    t.send(b"i");
    t.wait_for("new session", Duration::from_secs(10));
    let prompt = "where is parcel 8086?";
    t.send(prompt);
    t.send(b"\r");
    t.wait_for("[AgentCore emulator]", Duration::from_secs(30));
    t.wait_for("answered in", Duration::from_secs(30));
    assert!(
        t.screen().contains("8086"),
        "the answer names the prompt: {}",
        t.screen()
    );

    // Back to Status (the cursor stays on triage), Enter: its Logs.
    t.send(b"\x1b");
    t.wait_for("Status: deployed", Duration::from_secs(10));
    t.send(b"\r");
    t.wait_for(
        "and pack group /aws/bedrock-agentcore/support-desk",
        Duration::from_secs(30),
    );
    t.wait_for("\"event\":\"request\"", Duration::from_secs(60));
    // The prompt is past the right edge: the text filter finds the lines that hold it.
    t.send("/8086\r");
    t.wait_for("text \"8086\"", Duration::from_secs(10));
    t.settle(Duration::from_millis(300));
    let screen = t.screen();
    assert!(
        !screen.contains("\"event\":\"tool_call\""),
        "only lines holding the prompt:\n{screen}"
    );
    assert!(
        screen
            .lines()
            .any(|l| l.contains("runtime") && l.contains("\"event\":\"request\""))
            && screen
                .lines()
                .any(|l| l.contains("pack") && l.contains("\"event\":\"request\"")),
        "the request line from both groups, each labelled:\n{screen}"
    );
    t.send(b"c");
    t.wait_for("✓ copied the line of", Duration::from_secs(10));
    t.send(b"q");
    t.wait_for("Quit?", Duration::from_secs(10));
    t.send(b"y");
    let status = t.wait_exit(Duration::from_secs(20));
    assert!(status.success(), "{status:?}");
}
