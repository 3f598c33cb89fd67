//! Keys as real accounts have them: a caller signed in through IAM Identity Center (SSO), whose
//! STS session ARN leaves out the role's path, keys of another region, HMAC keys, and "not found"
//! hints that fit the command. Against the emulator, through the SDK and the headless CLI.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_of_another_region_hmac_keys_and_not_found_say_what_they_are() {
    let emu = Emulator::start(Config {
        timing: Timing::instant(),
        ..Default::default()
    })
    .await
    .unwrap();
    let url = emu.endpoint_url();

    // An ARN of another region: named as such before KMS is asked (it would say "not found").
    let west = format!("arn:aws:kms:eu-west-1:111122223333:key/{}", keys::CORRECT);
    let (code, v, all) = run(&url, &["keys", "check", &west, "--json"]).await;
    assert_eq!(code, 1, "{all}");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("is in eu-west-1, not us-east-1"), "{all}");
    assert!(!all.contains("drift"), "{all}");
    let alias = "arn:aws:kms:eu-west-1:111122223333:alias/agentcore-recommendations";
    let (code, v, all) = run(&url, &["keys", "check", alias, "--json"]).await;
    assert_eq!(code, 1, "{all}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("in eu-west-1, not us-east-1"),
        "{all}"
    );

    // Not found: a hint about keys, not about deployments.
    let (code, v, all) = run(&url, &["keys", "check", "alias/nope", "--json"]).await;
    assert_eq!(code, 1, "{all}");
    let hint = v["error"]["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("keys list"), "{all}");
    assert!(!all.contains("drift"), "{all}");
    let (code, v, all) = run(&url, &["recs", "get", "nothere-ABCDE12345", "--json"]).await;
    assert_eq!(code, 1, "{all}");
    let hint = v["error"]["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("recs list"), "{all}");
    assert!(!all.contains("drift"), "{all}");

    // An HMAC key is called one, not "asymmetric".
    let kms = aws_sdk_kms::Client::new(
        Clients::for_endpoint(&url, "us-east-1")
            .await
            .unwrap()
            .sdk_config(),
    );
    let hmac = kms
        .create_key()
        .key_spec(aws_sdk_kms::types::KeySpec::Hmac256)
        .key_usage(aws_sdk_kms::types::KeyUsageType::GenerateVerifyMac)
        .send()
        .await
        .unwrap();
    let id = hmac.key_metadata().unwrap().key_id().to_owned();
    let (code, v, all) = run(&url, &["keys", "check", &id, "--json"]).await;
    assert_eq!(code, 1, "{all}");
    let reasons = v["key"]["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{all}");
    let message = reasons[0]["message"].as_str().unwrap();
    assert!(message.starts_with("HMAC key (HMAC_256)"), "{all}");
    emu.shutdown().await;
}
