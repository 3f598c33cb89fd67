//! The real binary refuses, at `validate` and `plan`, what AWS's service models refuse, naming
//! the pack or config field, its value (cut short) and the fix, before any AWS call; and
//! every fixture pack that deploys still validates.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use agentcore_emulator::{Config, Emulator};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shared_packs() -> PathBuf {
    root().join("../shared/fixtures/packs")
}

fn complete_config() -> Value {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/configs/complete.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    // Absolute, so the config can live in a temp dir.
    v["runtime_binary_path"] = root()
        .join("tests/fixtures/configs/runtime.bin")
        .to_string_lossy()
        .into();
    v
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn write(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p.to_string_lossy().into_owned()
}

/// No AWS profile, endpoint or credentials from the environment: nothing can reach AWS.
fn cmd(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_agentcore-tui"));
    c.current_dir(root())
        .env("NO_COLOR", "1")
        .env("AGENTCORE_TUI_DATA_DIR", data)
        .env("XDG_DATA_HOME", data)
        .env("HOME", data)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", data.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            data.join("no-aws-credentials"),
        );
    c
}

fn run(data: &Path, args: &[&str]) -> (i32, Value, String) {
    let out: Output = cmd(data).args(args).output().expect("the binary runs");
    json_of(out)
}

fn json_of(out: Output) -> (i32, Value, String) {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    let all = String::from_utf8_lossy(&out.stderr).into_owned() + &stdout;
    (out.status.code().unwrap_or(-1), v, all)
}

fn error<'a>(v: &'a Value, field: &str) -> &'a Value {
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["field"] == field)
        .unwrap_or_else(|| panic!("no error on {field}: {v:#}"))
}

fn warning<'a>(v: &'a Value, field: &str) -> &'a Value {
    v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["field"] == field)
        .unwrap_or_else(|| panic!("no warning on {field}: {v:#}"))
}

fn text<'a>(d: &'a Value, key: &str) -> &'a str {
    d[key].as_str().unwrap_or("")
}

/// The k8s support pack with a judge description over CreateEvaluator's 200 and a system
/// prompt over StartRecommendation's 20000, and a config tag AWS's tag pattern refuses.
fn bad_inputs(dir: &Path) -> (String, String) {
    let mut pack = read_json(
        &shared_packs().join("k8s-extracted_customer-support_llm_judge-workflow-tools.pack.json"),
    );
    let judge = pack["evals"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["type"] == "llm_judge")
        .unwrap();
    judge["description"] =
        format!("Keeps the brand voice in every reply {}", "x".repeat(200)).into();
    pack["prompts"]["triage"]["system_template"] = "t".repeat(20_001).into();
    let mut cfg = complete_config();
    cfg["tags"]["team"] = "support équipe".into();
    (
        write(dir, "bad.pack.json", &pack),
        write(dir, "bad.json", &cfg),
    )
}

#[test]
fn validate_names_the_field_the_value_cut_short_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let (pack, cfg) = bad_inputs(dir.path());
    let (code, v, all) = run(
        dir.path(),
        &["validate", "--json", "--config", &cfg, "--pack", &pack],
    );
    assert_eq!(code, 1, "{all}");
    assert_eq!(v["valid"], false);

    let d = error(&v, "pack.evals[0].description");
    let m = text(d, "message");
    assert!(
        m.starts_with("pack field evals[0].description = \"Keeps the brand voice in every reply xxx…\" (237 characters)"),
        "{m}"
    );
    assert!(
        m.contains("CreateEvaluator") && m.ends_with("less than or equal to 200"),
        "{m}"
    );
    assert_eq!(
        text(d, "hint"),
        "in the pack, shorten it to at most 200 characters (it has 237)"
    );

    // A deploy never sends the prompt to StartRecommendation, so it warns; `recs start` refuses it.
    let d = warning(&v, "pack.prompts.triage.system_template");
    let m = text(d, "message");
    assert!(
        m.contains(&format!("\"{}…\" (20001 characters)", "t".repeat(40))),
        "{m}"
    );
    assert!(
        m.contains("StartRecommendation") && m.contains("20000"),
        "{m}"
    );
    assert!(text(d, "hint").contains("at most 20000 characters (it has 20001)"));

    let d = error(&v, "tags.team");
    let m = text(d, "message");
    assert!(
        m.starts_with("deploy config: tags.team = \"support équipe\""),
        "{m}"
    );
    assert!(
        m.contains("CreateAgentRuntime") && m.contains("regular expression pattern"),
        "{m}"
    );
    assert!(text(d, "hint").ends_with("(without 'é' it would)"), "{d}");

    // Without the pack the config's own values are still held to the model.
    let (code, v, _) = run(dir.path(), &["validate", "--json", "--config", &cfg]);
    assert_eq!(code, 1);
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["tags.team"]);

    // Human output says the same.
    let out = cmd(dir.path())
        .args(["validate", "--config", &cfg, "--pack", &pack])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("pack.evals[0].description"), "{human}");
    assert!(human.contains("2 error(s)"), "{human}");
}

/// Nothing in the data dir: no local world opened, no deployment state begun.
fn untouched(data: &Path) -> Vec<std::ffi::OsString> {
    std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect()
}

#[test]
fn plan_local_refuses_and_shows_no_plan() {
    let inputs = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let (pack, cfg) = bad_inputs(inputs.path());
    let (code, v, all) = run(
        data.path(),
        &[
            "plan", "--local", "--json", "--config", &cfg, "--pack", &pack,
        ],
    );
    assert_eq!(code, 1, "{all}");
    assert_eq!(v["valid"], false);
    assert!(v.get("plan").is_none() && v.get("live").is_none(), "{v:#}");
    error(&v, "pack.evals[0].description");
    assert_eq!(untouched(data.path()), Vec::<std::ffi::OsString>::new());
    // The same inputs made valid do reach the local world, so the check above can fail.
    let mut fixed = read_json(Path::new(&pack));
    let judge = fixed["evals"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["type"] == "llm_judge")
        .unwrap();
    judge["description"] = "Keeps the brand voice".into();
    fixed["prompts"]["triage"]["system_template"] = "You triage.".into();
    let fixed = write(inputs.path(), "fixed.pack.json", &fixed);
    let mut cfg_ok = read_json(Path::new(&cfg));
    cfg_ok["tags"]["team"] = "support".into();
    let cfg_ok = write(inputs.path(), "fixed.json", &cfg_ok);
    let (code, v, all) = run(
        data.path(),
        &[
            "plan", "--local", "--json", "--config", &cfg_ok, "--pack", &fixed,
        ],
    );
    assert_eq!(code, 0, "{all}");
    assert!(v.get("live").is_some(), "{v:#}");
    assert_ne!(untouched(data.path()), Vec::<std::ffi::OsString>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_and_plan_live_refuse_before_any_aws_call() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    let url = emulator.endpoint_url();
    // The world starts with KMS keys and recommendations of its own.
    let seeded = emulator.resource_counts();
    let inputs = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let (pack, cfg) = bad_inputs(inputs.path());
    for args in [
        vec![
            "apply", "--yes", "--json", "--config", &cfg, "--pack", &pack,
        ],
        vec![
            "plan", "--live", "--json", "--config", &cfg, "--pack", &pack,
        ],
    ] {
        let out = cmd(data.path())
            .env("AWS_ENDPOINT_URL", &url)
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .args(&args)
            .output()
            .unwrap();
        let (code, v, all) = json_of(out);
        assert_eq!(code, 1, "{args:?}: {all}");
        error(&v, "pack.evals[0].description");
        assert_eq!(
            untouched(data.path()),
            Vec::<std::ffi::OsString>::new(),
            "{args:?}"
        );
    }
    assert_eq!(emulator.resource_counts(), seeded, "something was created");
    // The emulator holds every request against the same models: none reached it off-model.
    assert_eq!(emulator.violations().len(), 0);
}

/// The adapter only warns about a discovery URL that is not a discovery document; AWS's
/// model refuses it at CreateAgentRuntime, so it is an error, the warnings kept.
#[test]
fn a_jwt_discovery_url_off_the_model_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = read_json(&root().join("tests/fixtures/configs/warn/jwt_loose.json"));
    cfg["runtime_binary_path"] = complete_config()["runtime_binary_path"].clone();
    let loose = write(dir.path(), "loose.json", &cfg);
    let (code, v, all) = run(dir.path(), &["validate", "--json", "--config", &loose]);
    assert_eq!(code, 0, "a loose but well-formed URL deploys: {all}");
    cfg["a2a_auth"]["discovery_url"] = "https://idp.example.com/oauth2".into();
    let bad = write(dir.path(), "bad.json", &cfg);
    let (code, v2, all) = run(dir.path(), &["validate", "--json", "--config", &bad]);
    assert_eq!(code, 1, "{all}");
    let d = error(&v2, "a2a_auth.discovery_url");
    assert!(
        text(d, "message").starts_with(
            "deploy config: a2a_auth.discovery_url = \"https://idp.example.com/oauth2\" is refused by AWS"
        ),
        "{d}"
    );
    assert!(
        text(d, "hint").contains(r"\.well-known/(openid-configuration"),
        "{d}"
    );
    let warned = |v: &Value| {
        v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["field"] == "a2a_auth.discovery_url")
            .count()
    };
    assert_eq!((warned(&v), warned(&v2)), (2, 1));
}

#[test]
fn recs_start_from_a_pack_refuses_a_prompt_over_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut pack = read_json(&shared_packs().join("single-agent_minimal_no-tools.pack.json"));
    let key = pack["prompts"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    pack["prompts"][&key]["system_template"] = "s".repeat(20_001).into();
    let pack = write(dir.path(), "long.pack.json", &pack);
    let (code, v, all) = run(
        dir.path(),
        &[
            "recs",
            "start",
            "--local",
            "--json",
            "--name",
            "long_prompt",
            "--pack",
            &pack,
            "--log-group",
            "arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock-agentcore/sessions/a",
            "--service-name",
            "a.DEFAULT",
        ],
    );
    assert_eq!(code, 1, "{all}");
    let d = error(&v, "systemPrompt");
    assert!(text(d, "message").contains("(20001 characters)"), "{d}");
    assert!(text(d, "hint").contains("at most 20000"), "{d}");
}

/// Every pack of the shared fixtures (and the test and demo packs) that deploys today still
/// validates and plans: the model check adds no false positives.
#[test]
fn fixture_packs_still_validate_and_plan() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(dir.path(), "complete.json", &complete_config());
    let mut packs: Vec<PathBuf> = std::fs::read_dir(shared_packs())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".pack.json"))
        .collect();
    packs.sort();
    assert!(packs.len() >= 10, "{packs:?}");
    packs.push(root().join("tests/fixtures/packs/judges.pack.json"));
    for p in &packs {
        let p = p.to_string_lossy();
        for cmd in ["validate", "plan"] {
            let (code, v, all) = run(dir.path(), &[cmd, "--json", "--config", &cfg, "--pack", &p]);
            assert_eq!(
                (code, &v["valid"]),
                (0, &Value::Bool(true)),
                "{cmd} {p}: {all}"
            );
        }
    }

    // The demo: one online evaluation configuration per pack reads the spans of its three
    // runtimes, and the model takes one service name per configuration. Until the plan makes
    // one configuration per runtime that is the one error, and nothing else is.
    let (code, v, all) = run(
        dir.path(),
        &[
            "validate",
            "--json",
            "--config",
            "assets/demo/support-desk.deploy.json",
            "--pack",
            "assets/demo/support-desk.pack.json",
        ],
    );
    let errors = v["errors"].as_array().unwrap();
    match code {
        0 => assert!(errors.is_empty(), "{all}"),
        _ => {
            assert_eq!(errors.len(), 1, "{all}");
            assert_eq!(errors[0]["field"], "pack.agents.members", "{all}");
            assert!(
                text(&errors[0], "message").contains("serviceNames"),
                "{all}"
            );
        }
    }
}
