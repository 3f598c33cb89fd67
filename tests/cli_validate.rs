//! The real binary: `validate` and `plan`, their JSON, human output and exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/packs")
        .join(name)
}

/// Runs from tests/fixtures/configs so relative runtime_binary_path values resolve.
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agentcore-tui"))
        .args(args)
        .current_dir(fixtures().join("configs"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn validate_json(config: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["validate", "--json", "--config", config];
    args.extend_from_slice(extra);
    let out = run(&args);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{config}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().unwrap(), v)
}

fn messages(v: &Value, key: &str) -> Vec<(String, String)> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["field"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(list: &[(String, String)], field: &str, msg: &str) -> bool {
    list.iter().any(|(f, m)| f == field && m.contains(msg))
}

#[test]
fn seed_004_example_config() {
    let (code, v) = validate_json("seed004.json", &[]);
    assert_eq!(code, 1);
    assert_eq!(v["valid"], false);
    let errors = messages(&v, "errors");
    // The adapter's validate() requires the runtime binary even though its schema does not.
    assert_eq!(
        errors,
        [(
            "runtime_binary_path".to_string(),
            "runtime_binary_path is required (path to pre-compiled Go runtime binary)".to_string()
        )]
    );
    let warnings = messages(&v, "warnings");
    assert!(has(
        &warnings,
        "runtime_role_arn",
        "placeholder account ID 123456789012"
    ));
    for w in v["warnings"].as_array().unwrap() {
        assert!(w["hint"].is_string(), "{w}");
        assert_eq!(w["severity"], "warning");
    }
}

#[test]
fn complete_example_config_is_valid_and_clean() {
    let (code, v) = validate_json("complete.json", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["valid"], true);
    assert_eq!(v["errors"], Value::Array(vec![]));
    assert_eq!(v["warnings"], Value::Array(vec![]));
}

#[test]
fn bad_configs_give_the_documented_errors() {
    // (file, field, message fragment) — every row must be present among the errors.
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "bad/unknown_field.json",
            &[("api_endpoint", "unknown field `api_endpoint`")],
        ),
        (
            "bad/unknown_nested_field.json",
            &[(
                "a2a_auth.allowed_audiences",
                "unknown field `allowed_audiences`",
            )],
        ),
        (
            "bad/syntax_error.json",
            &[("", "syntax_error.json:4:1: trailing comma")],
        ),
        (
            "bad/wrong_type.json",
            &[(
                "dry_run",
                "invalid type: string \"yes\", expected a boolean",
            )],
        ),
        (
            "bad/memory_store_number.json",
            &[(
                "memory_store",
                "a strategy string, an array of strategies, or an object",
            )],
        ),
        (
            "bad/empty.json",
            &[
                ("region", "region is required"),
                ("runtime_role_arn", "runtime_role_arn is required"),
                ("runtime_binary_path", "runtime_binary_path is required"),
            ],
        ),
        (
            "bad/bad_region.json",
            &[(
                "region",
                "region \"US West 2\" does not match expected format (e.g. us-west-2)",
            )],
        ),
        (
            "bad/user_arn.json",
            &[("runtime_role_arn", "is not a valid IAM role ARN")],
        ),
        (
            "bad/root_arn.json",
            &[("runtime_role_arn", "is not a valid IAM role ARN")],
        ),
        (
            "bad/bad_protocol.json",
            &[(
                "protocol",
                "protocol \"grpc\" must be \"http\", \"a2a\", or \"both\"",
            )],
        ),
        (
            "bad/otlp_host_port.json",
            &[(
                "observability.otlp_endpoint",
                "must be a full URL including scheme",
            )],
        ),
        (
            "bad/memory_bad_strategy.json",
            &[(
                "memory_store.strategies[1]",
                "memory_store: invalid strategy \"longterm\"",
            )],
        ),
        (
            "bad/memory_expiry.json",
            &[(
                "memory_store.event_expiry_days",
                "event_expiry_days 4000 must be between 3 and 3650",
            )],
        ),
        (
            "bad/memory_bad_key.json",
            &[(
                "memory_store.encryption_key_arn",
                "encryption_key_arn \"my-key\" is not a valid ARN",
            )],
        ),
        (
            "bad/jwt_no_discovery_url.json",
            &[(
                "a2a_auth.discovery_url",
                "a2a_auth.discovery_url is required when mode is \"jwt\"",
            )],
        ),
        (
            "bad/a2a_bad_mode.json",
            &[(
                "a2a_auth.mode",
                "a2a_auth.mode \"oauth\" must be \"iam\" or \"jwt\"",
            )],
        ),
        (
            "bad/a2a_no_mode.json",
            &[("a2a_auth.mode", "a2a_auth.mode is required")],
        ),
        (
            "bad/tags_too_many.json",
            &[("tags", "tags: at most 50 tags allowed, got 51")],
        ),
        (
            "bad/tags_bad.json",
            &[
                ("tags.", "tags: key must not be empty"),
                ("tags.bad#chars", "contains characters AWS does not allow"),
                (
                    "tags.owner",
                    "tags: value for key \"owner\" exceeds max length 256",
                ),
            ],
        ),
        (
            "bad/providers_bad.json",
            &[
                ("providers[0].name", "providers[0]: name is required"),
                (
                    "providers[2].name",
                    "providers[2]: duplicate binding name \"a\"",
                ),
                (
                    "providers[2].role",
                    "role \"speech\" must be one of embedding, image, inference, llm, stt, tts",
                ),
                (
                    "providers[3].type",
                    "providers[\"b\"]: type is required when arena_provider is not set",
                ),
            ],
        ),
        (
            "bad/tags_duplicate_key.json",
            &[("tags", "duplicate tag key \"team\"")],
        ),
        (
            "bad/tool_target_name.json",
            &[("tool_targets.___", "produces invalid gateway target name")],
        ),
        (
            "bad/no_binary.json",
            &[("runtime_binary_path", "runtime_binary_path is required")],
        ),
        (
            "bad/arena_unknown_env.arena.yaml",
            &[(
                "spec.deploy.environments.production",
                "environment \"production\" is not defined",
            )],
        ),
    ];
    assert!(cases.len() >= 15);
    for (file, wanted) in cases {
        let env_args: &[&str] = if file.ends_with(".yaml") {
            &["--env", "production"]
        } else {
            &[]
        };
        let (code, v) = validate_json(file, env_args);
        assert_eq!(code, 1, "{file}: {v}");
        assert_eq!(v["valid"], false, "{file}");
        let errors = messages(&v, "errors");
        for (field, msg) in *wanted {
            assert!(
                has(&errors, field, msg),
                "{file}: no error {field:?} ~ {msg:?} in {errors:#?}"
            );
        }
    }
    // The adapter's order: region, then role, then the binary.
    let (_, v) = validate_json("bad/empty.json", &[]);
    let fields: Vec<String> = messages(&v, "errors").into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        ["region", "runtime_role_arn", "runtime_binary_path"]
    );
    // A user or root ARN is an error (not a role) and also gets the adapter's warning.
    let (_, v) = validate_json("bad/user_arn.json", &[]);
    assert!(has(
        &messages(&v, "warnings"),
        "runtime_role_arn",
        "appears to be an IAM user, not a role"
    ));
    let (_, v) = validate_json("bad/root_arn.json", &[]);
    assert!(has(
        &messages(&v, "warnings"),
        "runtime_role_arn",
        "references the root account"
    ));
}

#[test]
fn warning_configs_are_valid_and_say_how_to_fix() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "warn/arena_omnia.arena.yaml",
            &[(
                "spec.deploy.provider",
                "spec.deploy.provider is \"omnia\", not \"agentcore\"",
            )],
        ),
        (
            "warn/jwt_loose.json",
            &[
                (
                    "a2a_auth.allowed_audience",
                    "a2a_auth uses JWT mode but allowed_audience is empty",
                ),
                ("a2a_auth.discovery_url", "does not use https"),
                (
                    "a2a_auth.discovery_url",
                    "is not an OIDC discovery document URL",
                ),
            ],
        ),
        (
            "warn/tags_aws_prefix_and_defaults.json",
            &[
                ("tags.aws:cost-center", "reserved aws: prefix"),
                (
                    "tags",
                    "49 user tags plus 2 default promptpack:* tags make 51",
                ),
            ],
        ),
        (
            "warn/episodic_other_region_key.json",
            &[
                (
                    "memory_store.strategies",
                    "episodic memory strategy may be rejected",
                ),
                (
                    "memory_store.encryption_key_arn",
                    "encryption key is in eu-west-1 but the deployment is in us-west-2",
                ),
            ],
        ),
        (
            "warn/providers_roles.json",
            &[
                (
                    "providers[1].role",
                    "uses role \"embedding\", which has no Bedrock-native provider",
                ),
                (
                    "providers",
                    "no provider binding named \"default\"; treating \"primary\" as the primary provider",
                ),
            ],
        ),
        (
            "warn/region_placeholder.json",
            &[
                (
                    "region",
                    "region \"sa-east-1\" may not support Bedrock AgentCore",
                ),
                ("runtime_role_arn", "placeholder account ID 123456789012"),
                ("dry_run", "apply will only record planned resources"),
            ],
        ),
    ];
    for (file, wanted) in cases {
        let (code, v) = validate_json(file, &[]);
        assert_eq!(code, 0, "{file}: {v}");
        let warnings = messages(&v, "warnings");
        for (field, msg) in *wanted {
            assert!(
                has(&warnings, field, msg),
                "{file}: no warning {field:?} ~ {msg:?} in {warnings:#?}"
            );
        }
        for w in v["warnings"].as_array().unwrap() {
            assert!(!w["hint"].as_str().unwrap_or("").is_empty(), "{file}: {w}");
            assert!(!w["category"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn bad_packs_fail_validate_with_the_pack_field() {
    let packs = fixtures().join("packs");
    let cases: &[(&str, &str, &str)] = &[
        (
            "bad_syntax.pack.json",
            "pack",
            "EOF while parsing an object",
        ),
        (
            "bad_max_rounds_type.pack.json",
            "pack.prompts.chat.tool_policy.max_rounds",
            "invalid type",
        ),
        (
            "bad_workflow_version.pack.json",
            "pack.workflow.version",
            "invalid type",
        ),
        ("bad_no_prompts.pack.json", "pack.prompts", "no prompts"),
        (
            "bad_id_digit.pack.json",
            "pack.id",
            "cannot be made a valid AWS resource name",
        ),
        (
            "bad_eval_id.pack.json",
            "pack.evals[0].id",
            "cannot be made a valid AWS resource name",
        ),
        (
            "bad_entry_not_member.pack.json",
            "pack.agents.entry",
            "is not one of agents.members",
        ),
        (
            "bad_id_too_long.pack.json",
            "pack.id",
            "more than the 48 AWS allows",
        ),
    ];
    for (file, field, msg) in cases {
        let p = packs.join(file);
        let (code, v) = validate_json("complete.json", &["--pack", p.to_str().unwrap()]);
        assert_eq!(code, 1, "{file}: {v}");
        assert!(has(&messages(&v, "errors"), field, msg), "{file}: {v:#}");
    }
    // A YAML arena file given as a pack is refused with the reason.
    let a = shared("arena-config_agents-entry-members_workflow-source.arena.yaml");
    let (code, v) = validate_json("complete.json", &["--pack", a.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(has(
        &messages(&v, "errors"),
        "pack",
        "arena config (YAML), not a compiled pack"
    ));
}

#[test]
fn arena_yaml_env_is_merged_over_config() {
    let (code, v) = validate_json("arena_agentcore.arena.yaml", &["--env", "production"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["environment"], "production");
    // Not merged: the base region is us-west-2, production's is us-east-1 — both valid; check via plan.
    let pack = shared("single-agent_minimal_no-tools.pack.json");
    let out = run(&[
        "plan",
        "--json",
        "--config",
        "arena_agentcore.arena.yaml",
        "--env",
        "production",
        "--pack",
        pack.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["plan"]["region"], "us-east-1");
    let rt = &v["plan"]["steps"][3]["resources"][0];
    // Shallow merge: production's tags replace the base tags entirely.
    assert_eq!(rt["spec"]["tags"]["stage"], "prod");
    assert!(rt["spec"]["tags"].get("team").is_none());
    // The shared arena file is for the omnia provider and carries an omnia-only key.
    let shared_arena = shared("arena-config_spec-deploy-provider-config-environments.arena.yaml");
    let (code, v) = validate_json(shared_arena.to_str().unwrap(), &["--env", "production"]);
    assert_eq!(code, 1);
    assert!(has(
        &messages(&v, "errors"),
        "spec.deploy.config.api_endpoint",
        "unknown field `api_endpoint`"
    ));
}

#[test]
fn plan_json_lists_steps_names_and_cedar() {
    let pack = shared("multi-prompt_tool-policy-blocklist-registered-tool_validators.pack.json");
    let out = run(&[
        "plan",
        "--json",
        "--config",
        "complete.json",
        "--pack",
        pack.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps: Vec<&str> = v["plan"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "memory",
            "tool_gateways",
            "cedar_policies",
            "agent_runtimes",
            "a2a_wiring",
            "evaluators",
            "online_eval_config"
        ]
    );
    let all: Vec<(String, String)> = v["plan"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["resources"].as_array().unwrap().iter())
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_string(),
                r["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("memory", "customer_support_memory"),
        ("tool_gateway", "create-ticket"),
        ("tool_gateway", "dangerous-tool"),
        ("tool_gateway", "lookup-order"),
        ("cedar_policy", "customer_support_policy_engine"),
        ("agent_runtime", "customer_support"),
    ];
    assert_eq!(all, want.map(|(a, b)| (a.to_string(), b.to_string())));
    let permit = &v["plan"]["steps"][2]["resources"][0]["spec"]["permit"];
    assert_eq!(permit["policy_name"], "allow_gateway_tools");
    let permit_stmt = permit["plan_statement"].as_str().unwrap();
    assert!(
        permit_stmt
            .starts_with("permit (\n  principal,\n  action,\n  resource == AgentCore::Gateway::"),
        "{permit_stmt}"
    );
    let forbid = &v["plan"]["steps"][2]["resources"][0]["spec"]["forbids"][0];
    assert_eq!(forbid["policy_name"], "block_dangerous_tool");
    assert_eq!(forbid["prompts"], serde_json::json!(["support"]));
    let stmt = forbid["plan_statement"].as_str().unwrap();
    assert!(
        stmt.contains("AgentCore::Action::\"dangerous-tool___dangerous_tool\""),
        "{stmt}"
    );
    let rt = &v["plan"]["steps"][3]["resources"][0]["spec"];
    assert_eq!(rt["server_protocol"], "HTTP");
    assert_eq!(rt["authorizer"]["allowed_audience"][0], "my-agent-pool");
    assert_eq!(rt["env"]["PROMPTPACK_A2A_AUTH_MODE"], "jwt");
    assert_eq!(rt["env"]["OTEL_TRACING_ENABLED"], "true");
    let providers: Value =
        serde_json::from_str(rt["env"]["PROMPTPACK_PROVIDERS"].as_str().unwrap()).unwrap();
    assert_eq!(providers[0]["primary"], true);
    assert_eq!(rt["tags"]["promptpack:pack-id"], "customer-support");

    // The human plan shows the baseline permit beside the forbid it lets through.
    let out = run(&[
        "plan",
        "--config",
        "complete.json",
        "--pack",
        pack.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let permit = text
        .find("policy allow_gateway_tools allows every other tool of the gateway:")
        .unwrap_or_else(|| panic!("{text}"));
    let forbid = text
        .find("policy block_dangerous_tool blocks dangerous_tool:")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(permit < forbid, "{text}");
    let after = &text[permit..forbid];
    assert!(after.contains("permit (\n"), "{text}");
    assert!(after.contains("  action,\n"), "{text}");
}

#[test]
fn plan_shows_one_online_eval_config_per_runtime_each_with_its_service_name() {
    let pack = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo/support-desk.pack.json");
    let pack = pack.to_str().unwrap();
    let out = run(&[
        "plan",
        "--json",
        "--config",
        "complete.json",
        "--pack",
        pack,
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let step = v["plan"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "online_eval_config")
        .unwrap();
    let configs: Vec<(&str, &Value)> = step["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), &r["spec"]["service_names"]))
        .collect();
    assert_eq!(
        configs,
        [
            (
                "billing_online_eval",
                &serde_json::json!(["billing.DEFAULT"])
            ),
            (
                "technical_online_eval",
                &serde_json::json!(["technical.DEFAULT"])
            ),
            ("triage_online_eval", &serde_json::json!(["triage.DEFAULT"])),
        ]
    );

    let out = run(&["plan", "--config", "complete.json", "--pack", pack]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("7. Online evaluation (3)"), "{text}");
    for rt in ["billing", "technical", "triage"] {
        // The resource's block: its header, its "after …" edges, then what it evaluates.
        let header = format!("+ online_eval_config {rt}_online_eval (from {rt})\n");
        let start = text
            .find(&header)
            .unwrap_or_else(|| panic!("{header}: {text}"));
        let block = &text[start + header.len()..];
        let block = &block[..block.find("\n  + ").unwrap_or(block.len())];
        assert!(
            block.contains(&format!("after agent_runtime {rt}'s ARN")),
            "{block}"
        );
        assert!(
            block.contains(&format!("      evaluates {rt}.DEFAULT,")),
            "{block}"
        );
    }
}

#[test]
fn plan_refuses_an_invalid_config() {
    let pack = shared("single-agent_minimal_no-tools.pack.json");
    let out = run(&[
        "plan",
        "--json",
        "--config",
        "bad/bad_protocol.json",
        "--pack",
        pack.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.get("plan").is_none());
    assert!(has(&messages(&v, "errors"), "protocol", "must be"));
}

#[test]
fn human_output_fits_80_columns_errors_before_warnings() {
    let out = run(&["validate", "--config", "bad/user_arn.json"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line:?}");
    }
    let first_err = text.find("error [").unwrap();
    let first_warn = text.find("warning [").unwrap();
    assert!(first_err < first_warn, "{text}");
    assert!(text.contains("hint: use an IAM role ARN"), "{text}");
    let pack = shared("multi-agent_entry-members_state-backed-workflow.pack.json");
    let out = run(&[
        "plan",
        "--config",
        "complete.json",
        "--pack",
        pack.to_str().unwrap(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("agent_runtime research"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
}

#[test]
fn usage_errors_exit_2_unreadable_file_exits_1() {
    assert_eq!(run(&["validate"]).status.code(), Some(2));
    assert_eq!(
        run(&["plan", "--config", "complete.json"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&["validate", "--config", "x", "--bogus"]).status.code(),
        Some(2)
    );
    let missing = run(&["validate", "--config", "does-not-exist.json"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stdout).contains("cannot read the file"));
}
