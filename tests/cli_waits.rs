//! The real binary against endpoints that are not there, never answer, or are not AWS: every
//! wait ends within its stated bound and the message names the endpoint and what to check,
//! never the SDK's Debug dump.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn keys_list(endpoint: &str, extra: &[&str]) -> (Output, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
        .args(["keys", "list"])
        .args(extra)
        .env("AGENTCORE_TUI_DATA_DIR", dir.path())
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", endpoint)
        // The SDK's full retry budget, as a user gets it.
        .env_remove("AWS_MAX_ATTEMPTS")
        .env_remove("AWS_PROFILE")
        .env_remove("AGENTCORE_TUI_TIMEOUT")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    (out, started.elapsed())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_no_debug_dump(text: &str) {
    for dump in [
        "DispatchFailure(",
        "ConnectorError",
        "TimeoutError(",
        "ServiceError(",
        "SdkBody",
        "hyper",
    ] {
        assert!(
            !text.contains(dump),
            "a Debug dump ({dump}) reached the user:\n{text}"
        );
    }
}

/// Accepts connections and never answers; keeps them open until the test ends.
fn silent_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    url
}

/// A port that was just free: nothing listens there.
fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// Answers every request with `head` and `body`, like a web server or proxy would.
fn answering(status: &'static str, content_type: &'static str, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let _ = s.set_read_timeout(Some(Duration::from_millis(300)));
            let mut buf = [0u8; 65536];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn a_silent_endpoint_fails_at_the_deadline_naming_it() {
    let url = silent_endpoint();
    let (out, took) = keys_list(&url, &["--timeout", "2"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("no answer from {url} after 2 s")),
        "{err}"
    );
    assert!(
        err.contains("--timeout"),
        "the hint says how to wait longer: {err}"
    );
    // The deadline covers the retries: 8 attempts would otherwise take 8 × the attempt timeout.
    assert!(
        took >= Duration::from_secs(2),
        "gave up before the deadline: {took:?}"
    );
    assert!(
        took < Duration::from_secs(12),
        "the deadline did not hold: {took:?}"
    );
    assert_no_debug_dump(&err);
}

#[test]
fn the_deadline_can_come_from_the_environment() {
    let url = silent_endpoint();
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
        .args(["keys", "list", "--json"])
        .env("AGENTCORE_TUI_DATA_DIR", dir.path())
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &url)
        .env("AGENTCORE_TUI_TIMEOUT", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(11));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["category"], "timeout", "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("after 1 s"), "{message}");

    let bad = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
        .args(["keys", "list"])
        .env("AGENTCORE_TUI_DATA_DIR", dir.path())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &url)
        .env("AGENTCORE_TUI_TIMEOUT", "soon")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = stderr(&bad);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        err.contains("AGENTCORE_TUI_TIMEOUT: 'soon' is not a number of seconds"),
        "{err}"
    );
}

#[test]
fn nothing_listening_fails_at_once_without_retrying() {
    let url = closed_port();
    let (out, took) = keys_list(&url, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "nothing is listening at {url} (connection refused)"
        )),
        "{err}"
    );
    assert!(err.contains("AWS_ENDPOINT_URL"), "{err}");
    // Eight attempts with backoff take seconds; one refused connection takes milliseconds.
    assert!(
        took < Duration::from_secs(3),
        "refused connections were retried: {took:?}"
    );
    assert_no_debug_dump(&err);
}

#[test]
fn a_web_server_is_named_as_not_aws() {
    let url = answering(
        "502 Bad Gateway",
        "text/html; charset=utf-8",
        "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
    );
    let (out, _) = keys_list(&url, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "the endpoint at {url} is not an AWS API (answered with an HTML page, HTTP 502)"
        )),
        "{err}"
    );
    assert!(
        err.contains("hint: --endpoint-url / AWS_ENDPOINT_URL points at a web server"),
        "{err}"
    );
    assert!(!err.contains("<h1>"), "the page is not echoed: {err}");
    assert_no_debug_dump(&err);

    // A 200 page (a login portal) is the same, though the SDK cannot even parse it.
    let url = answering("200 OK", "text/html", "<html><body>Sign in</body></html>");
    let (out, _) = keys_list(&url, &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["category"], "network", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not an AWS API (answered with an HTML page, HTTP 200)"),
        "{v}"
    );
}

#[test]
fn an_empty_error_answer_is_named_as_not_aws() {
    let url = answering("503 Service Unavailable", "text/plain", "");
    let (out, took) = keys_list(&url, &["--timeout", "20"]);
    let err = stderr(&out);
    assert!(
        err.contains("is not an AWS API (answered with an empty body, HTTP 503)"),
        "{err}"
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert_no_debug_dump(&err);
}

/// Runs `keys list` against `endpoint` with a data dir the caller keeps, and a secret key the
/// log must never hold.
fn keys_list_in(dir: &std::path::Path, endpoint: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
        .args(["keys", "list"])
        .env("AGENTCORE_TUI_DATA_DIR", dir)
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env_remove("AWS_PROFILE")
        .env_remove("AGENTCORE_TUI_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

#[cfg(unix)]
#[test]
fn a_failed_call_leaves_its_raw_error_in_the_log_and_its_path_in_the_hint() {
    use std::os::unix::fs::PermissionsExt;
    for (endpoint, raw) in [
        (closed_port(), "DispatchFailure"),
        (
            answering(
                "502 Bad Gateway",
                "text/html",
                "<html><body>upstream down</body></html>",
            ),
            "upstream down",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = keys_list_in(dir.path(), &endpoint);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_no_debug_dump(&err);
        assert_no_debug_dump(&String::from_utf8_lossy(&out.stdout));
        let log = dir.path().join("logs").join("agentcore-tui.log");
        assert!(
            err.contains(&format!("the raw error is in {}", log.display())),
            "the hint names the log: {err}"
        );
        let text = std::fs::read_to_string(&log).expect("the log was written");
        assert!(text.contains("AWS call failed"), "{text}");
        assert!(text.contains(raw), "the SDK's account is kept: {text}");
        assert!(!text.contains(SECRET), "the secret key reached the log");
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&log), 0o600);
        assert_eq!(mode(log.parent().unwrap()), 0o700);
    }
}
