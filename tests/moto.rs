//! The SSO role path, a key without KeyUsage, an HMAC key and a key of another region against
//! moto, an AWS stand-in nobody here wrote, through the headless CLI. Skipped (with a message)
//! when `moto_server` is not installed: `pip install 'moto[server]'`.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use serde_json::Value;

const SSO_ROLE: &str = "AWSReservedSSO_AdministratorAccess_0123456789abcdef";
const SSO_PATH: &str = "/aws-reserved/sso.amazonaws.com/eu-west-1/";

struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_server() -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| PathBuf::from(d).join("moto_server"))
        .find(|p| p.is_file())
}

/// A moto server on a free port, or `None` (after saying so) when moto is not installed.
fn start(test: &str) -> Option<Moto> {
    let Some(bin) = moto_server() else {
        eprintln!("skipped {test}: moto_server is not installed (pip install 'moto[server]')");
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto_server did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(moto)
}

async fn sdk(url: &str, region: &str, creds: Credentials) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new(region.to_owned()))
        .credentials_provider(creds)
        .load()
        .await
}

fn testing() -> Credentials {
    Credentials::new("testing", "testing", None, None, "moto")
}

/// The CLI against moto with the given credentials.
fn cli(url: &str, creds: &Credentials, args: &[&str]) -> (i32, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"));
    cmd.args(args)
        .env("AWS_ENDPOINT_URL", url)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", creds.access_key_id())
        .env("AWS_SECRET_ACCESS_KEY", creds.secret_access_key())
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env("AWS_CONFIG_FILE", dir.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .stdin(Stdio::null());
    if let Some(token) = creds.session_token() {
        cmd.env("AWS_SESSION_TOKEN", token);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).to_string() + &stdout,
    )
}

async fn blocking(url: &str, creds: &Credentials, args: &[&str]) -> (i32, Value, String) {
    let (url, creds) = (url.to_owned(), creds.clone());
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        cli(
            &url,
            &creds,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sso_session_gets_its_role_with_the_path_from_moto_iam() {
    let Some(moto) = start("an_sso_session_gets_its_role_with_the_path_from_moto_iam") else {
        return;
    };
    let admin = sdk(&moto.url, "us-east-1", testing()).await;
    let role = aws_sdk_iam::Client::new(&admin)
        .create_role()
        .role_name(SSO_ROLE)
        .path(SSO_PATH)
        .assume_role_policy_document("{}")
        .send()
        .await
        .unwrap();
    let role_arn = role.role().unwrap().arn().to_owned();
    assert!(role_arn.contains(SSO_PATH), "{role_arn}");
    let session = aws_sdk_sts::Client::new(&admin)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("alice@example.com")
        .send()
        .await
        .unwrap();
    let c = session.credentials().unwrap();
    let alice = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "moto-sso",
    );
    let key = aws_sdk_kms::Client::new(&admin)
        .create_key()
        .send()
        .await
        .unwrap();
    let key_id = key.key_metadata().unwrap().key_id().to_owned();

    let (code, v, all) = blocking(&moto.url, &alice, &["keys", "check", &key_id, "--json"]).await;
    assert_eq!(code, 1, "moto's default policy lacks the statements: {all}");
    assert_eq!(v["target"]["caller"], role_arn.as_str(), "{all}");
    assert!(
        v["recommended_policy"]
            .as_str()
            .unwrap()
            .contains(&role_arn),
        "{all}"
    );
    let (code, v, all) = blocking(
        &moto.url,
        &alice,
        &["keys", "check", &key_id, "--apply", "--yes", "--json"],
    )
    .await;
    assert_eq!(code, 0, "{all}");
    assert_eq!(v["policy"]["compliant"], true, "{all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moto_keys_without_key_usage_hmac_keys_and_other_regions() {
    let Some(moto) = start("moto_keys_without_key_usage_hmac_keys_and_other_regions") else {
        return;
    };
    let admin = sdk(&moto.url, "us-east-1", testing()).await;
    let kms = aws_sdk_kms::Client::new(&admin);
    let plain = kms.create_key().send().await.unwrap();
    let plain_id = plain.key_metadata().unwrap().key_id().to_owned();
    let described = kms.describe_key().key_id(&plain_id).send().await.unwrap();
    let missing_usage = described.key_metadata().unwrap().key_usage().is_none();
    let hmac = kms
        .create_key()
        .key_spec(aws_sdk_kms::types::KeySpec::Hmac256)
        .key_usage(aws_sdk_kms::types::KeyUsageType::GenerateVerifyMac)
        .send()
        .await
        .unwrap();
    let hmac_id = hmac.key_metadata().unwrap().key_id().to_owned();
    let west = aws_sdk_kms::Client::new(&sdk(&moto.url, "eu-west-1", testing()).await)
        .create_key()
        .send()
        .await
        .unwrap();
    let west_arn = west.key_metadata().unwrap().arn().unwrap().to_owned();

    let (code, v, all) = blocking(&moto.url, &testing(), &["keys", "list", "--json"]).await;
    assert_eq!(code, 0, "{all}");
    let keys = v["keys"].as_array().unwrap();
    let by_id = |id: &str| keys.iter().find(|k| k["key_id"] == id).unwrap().clone();
    let plain = by_id(&plain_id);
    eprintln!("moto left KeyUsage out of DescribeKey: {missing_usage}");
    assert_eq!(plain["key_usage"], "ENCRYPT_DECRYPT", "{all}");
    assert_eq!(plain["eligible"], true, "a usable key is usable: {all}");
    let hmac = by_id(&hmac_id);
    assert_eq!(hmac["eligible"], false);
    let reason = hmac["reasons"][0]["message"].as_str().unwrap();
    assert!(reason.starts_with("HMAC key (HMAC_256)"), "{all}");
    for k in keys {
        for r in k["reasons"].as_array().unwrap() {
            let m = r["message"].as_str().unwrap();
            assert!(
                !m.contains("is ,") && !m.contains("()"),
                "empty value in {m}"
            );
        }
    }

    let (code, v, all) = blocking(
        &moto.url,
        &testing(),
        &["keys", "check", &west_arn, "--json"],
    )
    .await;
    assert_eq!(code, 1, "{all}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is in eu-west-1, not us-east-1"),
        "{all}"
    );
}
