//! `agentcore-tui emulator` as a user runs it: a standalone server that the app's own headless
//! commands (or any AWS client) reach through AWS_ENDPOINT_URL.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

struct Server {
    child: Child,
    endpoint: String,
    // Kept open: the server prints more lines, and a closed pipe would end it with SIGPIPE.
    _stdout: BufReader<ChildStdout>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
        .arg("emulator")
        .args(args)
        .env_remove("AGENTCORE_EMULATOR_FAULTS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("emulator starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout piped"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    let endpoint = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no endpoint in {first:?}"))
        .to_owned();
    Server {
        child,
        endpoint,
        _stdout: stdout,
    }
}

fn app(endpoint: &str, data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_REGION", "us-east-1")
        .env("AGENTCORE_TUI_DATA_DIR", data)
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", data.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", data.join("none"))
        .output()
        .expect("binary runs")
}

fn describe(out: &std::process::Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn listens_on_loopback_and_serves_the_demo_world_to_the_app() {
    let server = start(&["--port", "0", "--world", "demo"]);
    assert!(
        server.endpoint.starts_with("http://127.0.0.1:"),
        "must listen on 127.0.0.1 only, got {}",
        server.endpoint
    );
    let data = tempfile::tempdir().unwrap();
    let out = app(&server.endpoint, data.path(), &["keys", "list", "--json"]);
    assert!(out.status.success(), "{}", describe(&out));
    let listing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys = listing["keys"].as_array().unwrap();
    let eligible: Vec<&str> = keys
        .iter()
        .filter(|k| k["eligible"] == true)
        .map(|k| k["label"].as_str().unwrap())
        .collect();
    assert!(
        eligible.contains(&"alias/agentcore-recommendations"),
        "demo world's correct CMK is offered: {eligible:?}"
    );
    assert!(
        keys.iter()
            .any(|k| k["key_state"] == "Disabled" && k["eligible"] == false),
        "the disabled demo key is listed as ineligible"
    );
}

#[test]
fn empty_world_has_no_recommendations() {
    let server = start(&["--world", "empty"]);
    let data = tempfile::tempdir().unwrap();
    let out = app(&server.endpoint, data.path(), &["recs", "list", "--json"]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let listing: serde_json::Value = serde_json::from_str(&text).unwrap();
    let items = listing
        .as_object()
        .and_then(|o| o.values().find_map(|v| v.as_array()))
        .unwrap_or_else(|| panic!("a list in {text}"));
    assert!(items.is_empty(), "empty world, got {text}");
}

#[test]
fn bad_flags_are_usage_errors_that_name_the_value() {
    for (args, needle) in [
        (vec!["emulator", "--world", "mars"], "mars"),
        (
            vec!["emulator", "--faults", "throttle=lots"],
            "throttle=lots",
        ),
        (vec!["emulator", "--caller", "root"], "root"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn the_sso_caller_is_an_identity_center_role_with_its_path() {
    let server = start(&["--caller", "sso"]);
    let data = tempfile::tempdir().unwrap();
    let out = app(
        &server.endpoint,
        data.path(),
        &["keys", "check", "alias/agentcore-recommendations", "--json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["target"]["caller"],
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef",
        "{}",
        describe(&out)
    );
}

fn kms_client(endpoint: &str) -> aws_sdk_kms::Client {
    let conf = aws_sdk_kms::Config::builder()
        .behavior_version(aws_sdk_kms::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_kms::config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "local", "local", None, None, "test",
        ))
        .build();
    aws_sdk_kms::Client::from_conf(conf)
}

/// Keys whose CreateKey was answered, with a ciphertext under each whose Encrypt was answered.
type Acked = Vec<(String, String, Option<Vec<u8>>)>;

async fn burst(kms: aws_sdk_kms::Client, trial: usize, writer: usize) -> Acked {
    let mut acked = Vec::new();
    for i in 0.. {
        let description = format!("trial {trial} writer {writer} key {i}");
        let Ok(made) = kms.create_key().description(&description).send().await else {
            return acked;
        };
        let id = made.key_metadata.unwrap().key_id().to_owned();
        acked.push((id.clone(), description.clone(), None));
        let Ok(sealed) = kms
            .encrypt()
            .key_id(&id)
            .plaintext(aws_sdk_kms::primitives::Blob::new(description.as_bytes()))
            .send()
            .await
        else {
            return acked;
        };
        acked.last_mut().unwrap().2 = sealed.ciphertext_blob.map(|b| b.into_inner());
    }
    acked
}

#[test]
fn the_state_database_keeps_every_answered_write_through_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("world.db");
    let state_arg = state.to_str().unwrap().to_owned();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut acked: Acked = Vec::new();
    let trials = 12;
    for trial in 0..=trials {
        // The first start seeds recommendations, so every commit lands in a database of some size.
        let server = start(&[
            "--port",
            "0",
            "--world",
            "empty",
            "--recommendations",
            "500",
            "--state",
            &state_arg,
        ]);
        let kms = kms_client(&server.endpoint);
        rt.block_on(async {
            for (id, description, sealed) in &acked {
                let md = kms
                    .describe_key()
                    .key_id(id)
                    .send()
                    .await
                    .unwrap_or_else(|e| {
                        panic!("trial {trial}: key {id} ({description}) lost: {e:?}")
                    })
                    .key_metadata
                    .unwrap();
                assert_eq!(
                    md.description(),
                    Some(description.as_str()),
                    "trial {trial}"
                );
                if let Some(blob) = sealed {
                    let plain = kms
                        .decrypt()
                        .ciphertext_blob(aws_sdk_kms::primitives::Blob::new(blob.clone()))
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("trial {trial}: ciphertext under {id}: {e:?}"));
                    assert_eq!(plain.plaintext().unwrap().as_ref(), description.as_bytes());
                }
            }
        });
        let out = app(&server.endpoint, dir.path(), &["recs", "list", "--json"]);
        assert!(out.status.success(), "{}", describe(&out));
        let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            listed["recommendations"].as_array().map(Vec::len),
            Some(500),
            "trial {trial}: the seeded recommendations are all there"
        );
        if trial == trials {
            break;
        }
        let writers: Vec<_> = (0..3)
            .map(|w| rt.spawn(burst(kms.clone(), trial, w)))
            .collect();
        // A different moment in the burst each trial, some early in a commit, some late.
        std::thread::sleep(std::time::Duration::from_millis(
            40 + (trial as u64 * 37) % 260,
        ));
        let mut server = server;
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        let before = acked.len();
        for w in writers {
            acked.extend(rt.block_on(w).unwrap());
        }
        assert!(
            acked.len() > before,
            "trial {trial}: no write was answered before the kill"
        );
    }
}
