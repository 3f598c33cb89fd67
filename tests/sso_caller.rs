//! A caller signed in through IAM Identity Center (SSO): its STS session ARN leaves out the
//! role's path, so the key policy must name the role as iam:GetRole has it. Against the emulator
//! with the SSO role as its caller, through the SDK and through the headless CLI.

use std::process::{Command, Stdio};

use agentcore_emulator::demo::keys;
use agentcore_emulator::{Caller, Config, Emulator, Faults, Timing};
use agentcore_tui::aws::Clients;
use agentcore_tui::kms::keys::Keys;
use agentcore_tui::kms::policy::{self, PolicyTarget};
use agentcore_tui::services::key_policy;
use serde_json::Value;

const SSO_ROLE_ARN: &str = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef";
const SSO_SESSION_ARN: &str = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com";

async fn sso_emulator(faults: &str) -> Emulator {
    Emulator::start(Config {
        caller: Caller::SsoAdministrator,
        timing: Timing::instant(),
        faults: Faults::parse(faults).unwrap(),
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_sdk_finds_the_sso_role_with_its_path_and_the_repaired_policy_passes() {
    let emu = sso_emulator("").await;
    let clients = Clients::for_endpoint(&emu.endpoint_url(), "us-east-1")
        .await
        .unwrap();
    let id = clients.caller_identity().await.unwrap();
    assert_eq!(id.arn, SSO_SESSION_ARN);
    let principal = clients.principal_arn(&id.arn, "--role").await.unwrap();
    assert_eq!(principal, SSO_ROLE_ARN);

    let target = PolicyTarget::new(&id.account, "us-east-1", &principal).unwrap();
    let keys = Keys::from_clients(&clients);
    let current = keys.policy(keys::CORRECT).await.unwrap();
    let before = key_policy::check(&current, &target).unwrap();
    assert!(!before.compliant(), "the demo key names only the deployer");
    let recommended = before.recommended.unwrap();
    assert!(recommended.contains(SSO_ROLE_ARN), "{recommended}");
    // KMS accepts it only because the principal exists, path included.
    keys.put_policy(keys::CORRECT, &recommended).await.unwrap();
    let after = keys.policy(keys::CORRECT).await.unwrap();
    assert!(key_policy::check(&after, &target).unwrap().compliant());

    // The path-less role the session ARN suggests is refused by KMS, as a non-existent role.
    let pathless = recommended.replace("role/aws-reserved/sso.amazonaws.com/eu-west-1/", "role/");
    let e = keys.put_policy(keys::CORRECT, &pathless).await.unwrap_err();
    assert_eq!(
        e.code.as_deref(),
        Some("MalformedPolicyDocumentException"),
        "{e}"
    );
    assert_ne!(policy::pretty(&pathless), policy::pretty(&after));
    emu.shutdown().await;
}

fn cli(url: &str, args: &[&str]) -> (i32, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
        .args(args)
        .env("AWS_ENDPOINT_URL", url)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("XDG_DATA_HOME", dir.path())
        .env("HOME", dir.path())
        .env("AWS_CONFIG_FILE", dir.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).to_string() + &stdout,
    )
}

async fn run(url: &str, args: &[&str]) -> (i32, Value, String) {
    let (url, args) = (
        url.to_owned(),
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    tokio::task::spawn_blocking(move || {
        cli(&url, &args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_check_names_the_sso_role_with_its_path_and_apply_makes_it_pass() {
    let emu = sso_emulator("").await;
    let url = emu.endpoint_url();
    let key = "alias/agentcore-recommendations";

    let (code, v, all) = run(&url, &["keys", "check", key, "--json"]).await;
    assert_eq!(code, 1, "{all}");
    assert_eq!(v["target"]["caller"], SSO_ROLE_ARN, "{all}");
    let recommended = v["recommended_policy"].as_str().unwrap();
    assert!(recommended.contains(SSO_ROLE_ARN), "{recommended}");

    let (code, v, all) = run(&url, &["keys", "check", key, "--apply", "--yes", "--json"]).await;
    assert_eq!(code, 0, "{all}");
    assert_eq!(v["policy"]["compliant"], true, "{all}");
    assert!(v["applied"].is_array(), "{all}");

    // `keys policy --key` resolves an STS session ARN given as --role the same way.
    let (code, v, all) = run(
        &url,
        &[
            "keys",
            "policy",
            "--account",
            "111122223333",
            "--role",
            SSO_SESSION_ARN,
            "--key",
            key,
            "--json",
        ],
    )
    .await;
    assert_eq!(code, 0, "{all}");
    assert_eq!(v["target"]["caller"], SSO_ROLE_ARN, "{all}");

    // Offline there is nobody to ask: the session ARN is refused with the command that tells the path.
    let (code, v, all) = run(
        &url,
        &[
            "keys",
            "policy",
            "--account",
            "111122223333",
            "--role",
            SSO_SESSION_ARN,
            "--region",
            "us-east-1",
            "--json",
        ],
    )
    .await;
    assert_eq!(code, 1, "{all}");
    assert_eq!(v["error"]["field"], "role", "{all}");
    assert!(
        all.contains(
            "aws iam get-role --role-name AWSReservedSSO_AdministratorAccess_0123456789abcdef"
        ),
        "{all}"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_get_role_asks_for_the_role_arn_and_role_then_works() {
    let emu = sso_emulator("op=GetRole:deny=1.0").await;
    let url = emu.endpoint_url();
    let key = "alias/agentcore-recommendations";

    let (code, v, all) = run(&url, &["keys", "check", key, "--json"]).await;
    assert_eq!(code, 1, "{all}");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(
            "iam:GetRole was denied for role AWSReservedSSO_AdministratorAccess_0123456789abcdef"
        ),
        "{all}"
    );
    let hint = v["error"]["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("--role"), "{all}");

    let (code, v, all) = run(
        &url,
        &["keys", "check", key, "--role", SSO_ROLE_ARN, "--json"],
    )
    .await;
    assert_eq!(code, 1, "not compliant yet, but analysed: {all}");
    assert_eq!(v["target"]["caller"], SSO_ROLE_ARN, "{all}");
    emu.shutdown().await;
}
