//! Profiles as the AWS config files hold them (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE):
//! an unknown profile is named with those that exist, and a refused credential gets the fix of
//! its kind (SSO, access keys, role).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

const CONFIG: &str = "\
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = AdministratorAccess
region = eu-west-1
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile deployer]
role_arn = arn:aws:iam::111122223333:role/Deployer
source_profile = keys
region = us-east-1
";
const CREDENTIALS: &str = "\
[keys]
aws_access_key_id = AKIAEXAMPLEEXAMPLE00
aws_secret_access_key = secretsecretsecretsecretsecretsecret0000
region = us-east-1
";

fn run(dir: &Path, endpoint: Option<&str>, args: &[&str]) -> (i32, Value, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"));
    cmd.args(args)
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null());
    if let Some(url) = endpoint {
        cmd.env("AWS_ENDPOINT_URL", url);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).to_string() + &stdout,
    )
}

fn files() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config"), CONFIG).unwrap();
    std::fs::write(dir.path().join("credentials"), CREDENTIALS).unwrap();
    dir
}

#[test]
fn an_unknown_profile_is_named_with_the_profiles_that_exist() {
    let dir = files();
    for extra in [&[][..], &["--region", "us-east-1"][..]] {
        let mut args = vec!["keys", "list", "--profile", "nope", "--json"];
        args.extend(extra);
        let (code, v, all) = run(dir.path(), None, &args);
        assert_eq!(code, 1, "{all}");
        let message = v["error"]["message"].as_str().unwrap();
        let config = dir.path().join("config");
        assert_eq!(
            message,
            format!(
                "profile 'nope' not found in {} or {}",
                config.display(),
                dir.path().join("credentials").display()
            ),
            "{all}"
        );
        let hint = v["error"]["hint"].as_str().unwrap();
        assert!(hint.contains("deployer, dev, keys"), "{all}");
        assert!(!all.contains("sso login"), "{all}");
    }
}

/// A stand-in endpoint that refuses every request as AWS does for expired credentials.
fn expired_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let (mut length, mut json) = (0, false);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let line = line.to_ascii_lowercase();
                if let Some(v) = line.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                json |= line.starts_with("x-amz-target:");
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            // KMS speaks JSON, STS (AssumeRole, GetCallerIdentity) XML.
            let (kind, text) = if json {
                (
                    "application/x-amz-json-1.1",
                    r#"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#,
                )
            } else {
                (
                    "text/xml",
                    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>1</RequestId></ErrorResponse>",
                )
            };
            let answer = format!(
                "HTTP/1.1 400 Bad Request\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                text.len()
            );
            let _ = reader.get_mut().write_all(answer.as_bytes());
        }
    });
    url
}

#[test]
fn expired_credentials_get_the_fix_of_their_kind() {
    let dir = files();
    let url = expired_endpoint();
    let hint = |profile: &str| {
        let (code, v, all) = run(
            dir.path(),
            Some(&url),
            &["keys", "check", "alias/x", "--profile", profile, "--json"],
        );
        assert_eq!(code, 1, "{all}");
        v["error"]["hint"].as_str().unwrap_or_default().to_owned() + " // " + &all
    };
    let keys = hint("keys");
    assert!(keys.contains("rotate them"), "{keys}");
    assert!(!keys.contains("sso login"), "{keys}");
    let role = hint("deployer");
    assert!(role.contains("source_profile"), "{role}");
    assert!(!role.contains("sso login"), "{role}");
    let sso = hint("dev");
    assert!(sso.contains("aws sso login --profile dev"), "{sso}");
}
