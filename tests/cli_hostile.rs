//! The real binary against a hostile world: an endpoint answering escape sequences, ids and
//! pack or config text holding control characters, endless and huge files. Nothing but a line
//! break of our own reaches the terminal; long values are echoed cut; a missing `--yes` is a
//! usage error; errors go to stderr; completions and the man page are generated.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use proptest::prelude::*;
use serde_json::Value;

fn demo(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo")
        .join(name)
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
        .args(args)
        .env("AGENTCORE_TUI_DATA_DIR", dir)
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// Every byte the terminal would see is printable or a line break.
fn assert_terminal_safe(out: &Output) {
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        let bad: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(bad.is_empty(), "{name} holds {bad:?}:\n{text}");
    }
}

/// An HTTP endpoint that answers every request with a 400 AWS JSON error carrying `message`.
fn hostile_endpoint(message: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_millis(300)));
            let mut buf = [0u8; 65536];
            let _ = s.read(&mut buf);
            let body = serde_json::json!({
                "__type": "AccessDeniedException",
                "message": message,
                "Message": message,
            })
            .to_string();
            let _ = write!(
                s,
                "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.1\r\nx-amzn-errortype: AccessDeniedException\r\nx-amzn-requestid: 1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

const EVIL: &str = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nFAKE OK";

#[test]
fn an_aws_error_message_is_shown_escaped_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = hostile_endpoint(EVIL.into());
    let out = run(dir.path(), &["keys", "list", "--endpoint-url", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert_terminal_safe(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("evil\\e]0;pwned\\u{7}\\e[2J\\r\\nFAKE OK"),
        "{err}"
    );
    assert!(!err.lines().any(|l| l.starts_with("FAKE OK")), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("evil"),
        "errors go to stderr only: {stdout}"
    );

    let out = run(
        dir.path(),
        &["keys", "list", "--endpoint-url", &url, "--json"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(EVIL),
        "JSON keeps the message exact: {message:?}"
    );
    for k in ["category", "message", "hint", "operation"] {
        assert!(v["error"].get(k).is_some(), "{k} in {v}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn any_aws_message_or_echoed_id_is_terminal_safe(
        message in "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}a-z ]{1,40}",
    ) {
        let dir = tempfile::tempdir().unwrap();
        let url = hostile_endpoint(message.clone());
        // An argument cannot hold NUL; every other control character can.
        let id = message.replace('\0', "");
        assert_terminal_safe(&run(dir.path(), &["keys", "list", "--endpoint-url", &url]));
        assert_terminal_safe(&run(dir.path(), &["recs", "get", &id, "--endpoint-url", &url]));
        assert_terminal_safe(&run(dir.path(), &["keys", "check", &id, "--endpoint-url", &url]));
        assert_terminal_safe(&run(dir.path(), &["recs", "get", &id, "--local"]));
    }
}

#[test]
fn hostile_pack_and_config_text_is_escaped_in_plan_and_validate() {
    let dir = tempfile::tempdir().unwrap();
    let mut pack: Value =
        serde_json::from_str(&std::fs::read_to_string(demo("support-desk.pack.json")).unwrap())
            .unwrap();
    let tools = pack["tools"].as_object_mut().unwrap();
    let t = tools.remove("search_kb").unwrap();
    tools.insert("search\nkb\u{1b}[31m".into(), t);
    let pack_path = dir.path().join("evil.pack.json");
    std::fs::write(&pack_path, pack.to_string()).unwrap();
    let mut cfg: Value =
        serde_json::from_str(&std::fs::read_to_string(demo("support-desk.deploy.json")).unwrap())
            .unwrap();
    cfg["tags"]["team\u{1b}[31m\u{9b}2J"] = "x\u{7}".into();
    let cfg_path = dir.path().join("evil.deploy.json");
    std::fs::write(&cfg_path, cfg.to_string()).unwrap();
    let (p, c) = (pack_path.to_str().unwrap(), cfg_path.to_str().unwrap());
    for args in [
        vec!["plan", "--config", c, "--pack", p],
        vec!["validate", "--config", c, "--pack", p],
        vec!["plan", "--config", c, "--pack", p, "--json"],
    ] {
        let out = run(dir.path(), &args);
        assert_terminal_safe(&out);
        let all = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            !all.lines().any(|l| l.starts_with("kb")),
            "{args:?}: a tool key split a line:\n{all}"
        );
        if args.contains(&"--json") {
            serde_json::from_slice::<Value>(&out.stdout).expect("still valid JSON");
        }
    }
}

#[test]
fn endless_huge_and_bom_files() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, pack) = (
        demo("support-desk.deploy.json"),
        demo("support-desk.pack.json"),
    );
    let (c, p) = (cfg.to_str().unwrap(), pack.to_str().unwrap());
    for args in [
        vec!["plan", "--config", c, "--pack", "/dev/zero"],
        vec!["plan", "--config", "/dev/zero", "--pack", p],
        vec![
            "apply",
            "--config",
            "/dev/zero",
            "--pack",
            p,
            "--yes",
            "--local",
        ],
    ] {
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("16 MB limit"), "{args:?}: {err}");
    }

    let mut big: Value = serde_json::from_str(&std::fs::read_to_string(&pack).unwrap()).unwrap();
    big["id"] = "a".repeat(1 << 20).into();
    let big_path = dir.path().join("big.pack.json");
    std::fs::write(&big_path, big.to_string()).unwrap();
    let out = run(
        dir.path(),
        &["plan", "--config", c, "--pack", big_path.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let all = out.stdout.len() + out.stderr.len();
    assert!(
        all < 4096,
        "a 1 MB id is echoed cut, not whole: {all} bytes"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("(1048576 chars)"));

    let bom = dir.path().join("bom.deploy.json");
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(std::fs::read(&cfg).unwrap());
    std::fs::write(&bom, bytes).unwrap();
    let out = run(
        dir.path(),
        &["plan", "--config", bom.to_str().unwrap(), "--pack", p],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_missing_yes_is_a_usage_error_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, pack) = (
        demo("support-desk.deploy.json"),
        demo("support-desk.pack.json"),
    );
    let (c, p) = (cfg.to_str().unwrap(), pack.to_str().unwrap());
    for args in [
        vec!["apply", "--config", c, "--pack", p, "--local"],
        vec!["destroy", "--config", c, "--pack", p, "--local"],
        vec!["recs", "delete", "some-id", "--local"],
        vec!["keys", "check", "alias/x", "--apply", "--local"],
    ] {
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--yes"),
            "{args:?}"
        );
    }
    let out = run(
        dir.path(),
        &["apply", "--config", c, "--pack", p, "--local", "--json"],
    );
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["category"], "usage");
}

#[test]
fn an_empty_recommendation_id_is_a_usage_error_naming_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["recs", "get", "", "--local"],
        vec!["recs", "delete", "--yes", "", "--local"],
    ] {
        let out = run(dir.path(), &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("ID") || err.contains("<id>"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("ConstructionFailure"), "{err}");
    }
}

#[test]
fn a_failed_text_command_says_so_on_stderr_only() {
    let dir = tempfile::tempdir().unwrap();
    let pack = demo("support-desk.pack.json");
    let out = run(
        dir.path(),
        &[
            "status",
            "--config",
            "/nonexistent.json",
            "--pack",
            pack.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the file"));
    let out = run(
        dir.path(),
        &[
            "status",
            "--config",
            "/nonexistent.json",
            "--pack",
            pack.to_str().unwrap(),
            "--json",
        ],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["category"], "configuration");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot read")
    );
}

#[test]
fn completions_and_man_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    let bash = String::from_utf8_lossy(&out.stdout);
    for sub in [
        "validate",
        "plan",
        "apply",
        "destroy",
        "status",
        "logs",
        "invoke",
        "keys",
        "recs",
        "completions",
    ] {
        assert!(bash.contains(sub), "bash completion lacks {sub}");
    }
    for shell in ["zsh", "fish"] {
        let out = run(dir.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("apply"),
            "{shell}"
        );
    }
    assert_eq!(
        run(dir.path(), &["completions", "tcsh"]).status.code(),
        Some(2)
    );
    let man = run(dir.path(), &["man"]);
    assert_eq!(man.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&man.stdout).starts_with(".ie"));
    assert!(String::from_utf8_lossy(&man.stdout).contains(".TH agentcore-tui 1"));
}
