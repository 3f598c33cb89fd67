//! The domain model through its public API: shared fixture packs (read in place), resource
//! derivation and names, tags, Cedar generation (with a property test), per-field validators.

use std::path::PathBuf;

use agentcore_tui::config::{self, CheckContext, DeployConfig, Severity, fields, tags};
use agentcore_tui::derive::derive;
use agentcore_tui::pack::{self, Pack};
use agentcore_tui::plan::{ResourceKind, ResourcePlan, ResourceSpec, Step, cedar};
use proptest::prelude::*;

fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/packs")
        .join(name)
}

fn own(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/packs")
        .join(name)
}

fn cfg() -> DeployConfig {
    config::from_json_str(
        r#"{"region":"us-west-2","runtime_role_arn":"arn:aws:iam::111122223333:role/R","runtime_binary_path":"rt"}"#,
    )
    .unwrap()
}

fn plan_of(pack: &Pack) -> ResourcePlan {
    derive(pack, &cfg()).unwrap_or_else(|e| panic!("derive failed: {e}"))
}

fn names(plan: &ResourcePlan, kind: ResourceKind) -> Vec<String> {
    plan.names(kind).into_iter().map(str::to_string).collect()
}

#[test]
fn every_shared_fixture_parses_or_is_rejected_with_a_reason() {
    // (file, Ok(pack id) | Err(substring of the reason))
    let expected: &[(&str, Result<&str, &str>)] = &[
        (
            "arena-config_agents-entry-members_workflow-source.arena.yaml",
            Err("arena config (YAML), not a compiled pack"),
        ),
        (
            "arena-config_spec-deploy-provider-config-environments.arena.yaml",
            Err("arena config (YAML), not a compiled pack"),
        ),
        (
            "edge_validator-unknown-type.pack.json",
            Ok("guardrail-bad-type"),
        ),
        (
            "edge_validator-unusable-params.pack.json",
            Ok("guardrail-bad-params"),
        ),
        (
            "evals_custom-types_hyphenated-ids_with-tool.pack.json",
            Ok("runtime-config-example"),
        ),
        ("evals_pack-and-prompt-level.pack.json", Ok("eval-test")),
        (
            "evals_pack-level_deterministic-types_metric-labels.pack.json",
            Ok("sdk-evals-demo"),
        ),
        (
            "evals_pack-level_metrics-boolean-counter-gauge.pack.json",
            Ok("evaluate-example"),
        ),
        (
            "k8s-configmap_customer-support_llm_judge-workflow-tools.promptpack.yaml",
            Err("Kubernetes manifest"),
        ),
        (
            "k8s-configmap_edge_prompt-user_template-unknown-field.promptpack.yaml",
            Err("Kubernetes manifest"),
        ),
        (
            "k8s-extracted_customer-support_llm_judge-workflow-tools.pack.json",
            Ok("customer-support"),
        ),
        (
            "multi-agent_entry-members_state-backed-workflow.pack.json",
            Ok("workflow-agent-loops"),
        ),
        (
            "multi-prompt_tool-policy-blocklist-registered-tool_validators.pack.json",
            Ok("customer-support"),
        ),
        (
            "multi-prompt_tool-policy-limits_blocklist-and-empty-blocklists.pack.json",
            Ok("sales-assistant"),
        ),
        (
            "single-agent_minimal_no-tools.pack.json",
            Ok("hello-example"),
        ),
        (
            "single-agent_two-tools_no-tool-policy.pack.json",
            Ok("tools-example"),
        ),
    ];
    let dir = shared("");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "SOURCES.md")
        .collect();
    on_disk.sort();
    let listed: Vec<String> = expected.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(
        on_disk, listed,
        "a fixture was added or removed: decide its outcome here"
    );
    for (file, want) in expected {
        let got = pack::load_path(&shared(file));
        match (want, got) {
            (Ok(id), Ok(p)) => assert_eq!(&p.id, id, "{file}"),
            (Err(reason), Err(e)) => {
                let text = e.to_string();
                assert!(text.contains(reason), "{file}: {text}");
                assert!(e.hint.is_some(), "{file}: a rejection says what to do");
            }
            (want, got) => panic!("{file}: wanted {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn single_agent_hyphenated_ids_become_valid_names_and_tags_keep_the_id() {
    let p = pack::load_path(&shared("single-agent_minimal_no-tools.pack.json")).unwrap();
    let plan = plan_of(&p);
    assert_eq!(names(&plan, ResourceKind::AgentRuntime), ["hello_example"]);
    assert_eq!(plan.resources().count(), 1);
    let rt = plan
        .find(ResourceKind::AgentRuntime, "hello_example")
        .unwrap();
    assert_eq!(rt.logical_id, "hello-example");
    let ResourceSpec::AgentRuntime(spec) = &rt.spec else {
        panic!()
    };
    assert_eq!(spec.tags["promptpack:pack-id"], "hello-example");
    assert_eq!(spec.tags["promptpack:version"], "1.0.0");
    assert!(!spec.tags.contains_key("promptpack:agent"));
    assert_eq!(spec.env["AWS_REGION"], "us-west-2");
}

#[test]
fn tools_become_gateway_targets_on_one_gateway_named_after_the_pack() {
    let p = pack::load_path(&shared("single-agent_two-tools_no-tool-policy.pack.json")).unwrap();
    let plan = plan_of(&p);
    assert_eq!(
        names(&plan, ResourceKind::ToolGateway),
        ["get-time", "get-weather"]
    );
    for r in plan
        .resources()
        .filter(|r| r.kind == ResourceKind::ToolGateway)
    {
        let ResourceSpec::ToolGateway(g) = &r.spec else {
            panic!()
        };
        assert_eq!(g.gateway_name, "tools-example-gw");
        assert_eq!(g.tool_name, r.logical_id);
        assert_eq!(g.input_schema["type"], "object");
    }
    let ResourceSpec::ToolGateway(w) = &plan
        .find(ResourceKind::ToolGateway, "get-weather")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert_eq!(
        w.input_schema["required"],
        serde_json::json!(["city", "country"])
    );
    assert_eq!(
        w.input_schema["properties"]["city"],
        serde_json::json!({"type": "string", "description": "The city name"})
    );
    // Keywords the gateway's SchemaDefinition lacks are dropped.
    let p2 = pack::load_path(&shared(
        "multi-prompt_tool-policy-blocklist-registered-tool_validators.pack.json",
    ))
    .unwrap();
    let plan2 = plan_of(&p2);
    let ResourceSpec::ToolGateway(t) = &plan2
        .find(ResourceKind::ToolGateway, "create-ticket")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert_eq!(
        t.input_schema["properties"]["priority"],
        serde_json::json!({"type": "string", "description": "Ticket priority"})
    );
    let ResourceSpec::ToolGateway(d) = &plan2
        .find(ResourceKind::ToolGateway, "dangerous-tool")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert_eq!(
        d.input_schema,
        serde_json::json!({"type": "object", "properties": {}})
    );
    // No lambda_arn in the config: each target is flagged before apply.
    assert_eq!(
        plan.warnings
            .iter()
            .filter(|w| w.field.ends_with(".lambda_arn"))
            .count(),
        2
    );
}

#[test]
fn tool_targets_decide_what_a_gateway_target_calls() {
    let p = pack::load_path(&shared("single-agent_two-tools_no-tool-policy.pack.json")).unwrap();
    let mut c = cfg();
    c.tool_targets = serde_json::from_value(serde_json::json!({
        "get_weather": {"lambda_arn": "arn:aws:lambda:us-west-2:111122223333:function:weather"},
        "get_time": {"http": {"url": "https://time.example.com/mcp"}},
    }))
    .unwrap();
    let plan = derive(&p, &c).unwrap();
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    let ResourceSpec::ToolGateway(w) = &plan
        .find(ResourceKind::ToolGateway, "get-weather")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert_eq!(
        w.lambda_arn.as_deref(),
        Some("arn:aws:lambda:us-west-2:111122223333:function:weather")
    );
    c.tool_targets = serde_json::from_value(serde_json::json!({
        "get_time": {"openapi": {"s3_uri": "s3://b/time.yaml"}},
    }))
    .unwrap();
    let errs = derive(&p, &c).unwrap_err().0;
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].field, "tool_targets.get_time");
    assert!(errs[0].message.contains("openapi, smithy or api_gateway"));
}

#[test]
fn blocklist_of_a_registered_tool_gives_one_checked_forbid() {
    let p = pack::load_path(&shared(
        "multi-prompt_tool-policy-blocklist-registered-tool_validators.pack.json",
    ))
    .unwrap();
    let plan = plan_of(&p);
    // One engine per pack (the gateway enforces one), named after the pack.
    assert_eq!(
        names(&plan, ResourceKind::CedarPolicy),
        ["customer_support_policy_engine"]
    );
    assert_eq!(
        names(&plan, ResourceKind::AgentRuntime),
        ["customer_support"]
    );
    let c = plan
        .find(ResourceKind::CedarPolicy, "customer_support_policy_engine")
        .unwrap();
    let on: Vec<(&str, &str)> = c
        .depends_on
        .iter()
        .map(|d| (d.kind.as_str(), d.name.as_str()))
        .collect();
    // The engine it fills, the gateway it is attached to, and the target its forbid names.
    assert_eq!(
        on,
        [
            ("policy_engine", "customer_support_policy_engine"),
            ("gateway", "customer-support-gw"),
            ("tool_gateway", "dangerous-tool")
        ]
    );
    let ResourceSpec::CedarPolicy(spec) = &c.spec else {
        panic!()
    };
    assert_eq!(spec.forbids.len(), 1);
    assert_eq!(spec.prompts, ["support"]);
    let f = &spec.forbids[0];
    assert_eq!(f.action, "dangerous-tool___dangerous_tool");
    assert_eq!(f.policy_name, "block_dangerous_tool");
    assert_eq!(f.prompts, ["support"]);
    assert!(
        f.description().contains("prompt support"),
        "{}",
        f.description()
    );
    let arn = "arn:aws:bedrock-agentcore:us-west-2:111122223333:gateway/customer-support-gw-a1b2c3";
    let text = f.statement(arn).unwrap();
    assert!(text.starts_with("forbid ("), "{text}");
    assert!(text.contains(r#"action == AgentCore::Action::"dangerous-tool___dangerous_tool""#));
    assert!(text.contains(&format!(r#"resource == AgentCore::Gateway::"{arn}""#)));
    assert!(
        f.plan_statement
            .contains("gateway/customer-support-gw-PENDING")
    );
    // Default deny: the engine also carries one permit for the whole gateway, which the forbids
    // override; without it enforcing the engine would block every tool.
    assert_eq!(spec.permit.policy_name, "allow_gateway_tools");
    let permit = spec.permit.statement(arn).unwrap();
    assert_eq!(
        permit,
        format!(
            "permit (\n  principal,\n  action,\n  resource == AgentCore::Gateway::\"{arn}\"\n);"
        )
    );
    assert!(cedar::check_permit(&permit, arn).is_ok());
    assert!(
        spec.permit
            .plan_statement
            .contains("gateway/customer-support-gw-PENDING")
    );
    assert!(
        spec.permit
            .description()
            .contains("except those the forbids"),
        "{}",
        spec.permit.description()
    );
    // The runtime waits for the engine ARN.
    let ResourceSpec::AgentRuntime(rt) = &plan
        .find(ResourceKind::AgentRuntime, "customer_support")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert!(
        rt.env_after_apply
            .contains(&"PROMPTPACK_POLICY_ENGINE_ARN".to_string())
    );
}

#[test]
fn empty_blocklists_make_no_policy() {
    let p = pack::load_path(&shared(
        "multi-prompt_tool-policy-limits_blocklist-and-empty-blocklists.pack.json",
    ))
    .unwrap();
    let plan = plan_of(&p);
    assert_eq!(
        names(&plan, ResourceKind::CedarPolicy),
        ["sales_assistant_policy_engine"]
    );
    // One prompt blocks tools, the others list nothing: no "blocklists differ" warning.
    assert!(
        plan.warnings.iter().all(|w| w.category != "security"),
        "{:#?}",
        plan.warnings
    );
    assert_eq!(names(&plan, ResourceKind::ToolGateway).len(), 5);
    assert_eq!(
        names(&plan, ResourceKind::AgentRuntime),
        ["sales_assistant"]
    );
}

/// The demo pack with these blocklists (prompt → tools) instead of its own.
fn demo_with_blocklists(lists: &[(&str, &[&str])]) -> Pack {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo/support-desk.pack.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for (_, prompt) in v["prompts"].as_object_mut().unwrap().iter_mut() {
        prompt.as_object_mut().unwrap().remove("tool_policy");
    }
    for (prompt, tools) in lists {
        v["prompts"][*prompt]["tool_policy"] = serde_json::json!({ "blocklist": tools });
    }
    pack::parse_str(&v.to_string()).unwrap()
}

#[test]
fn two_blocklist_prompts_share_one_engine_with_the_union_of_their_forbids() {
    let p = demo_with_blocklists(&[
        ("billing", &["delete_account"]),
        (
            "technical",
            &[
                "refund_order",
                "delete_account",
                "no_such_tool",
                "refund_order",
            ],
        ),
    ]);
    let plan = plan_of(&p);
    assert_eq!(
        names(&plan, ResourceKind::CedarPolicy),
        ["support_desk_policy_engine"]
    );
    let r = plan
        .find(ResourceKind::CedarPolicy, "support_desk_policy_engine")
        .unwrap();
    assert_eq!(r.logical_id, "support-desk");
    let ResourceSpec::CedarPolicy(spec) = &r.spec else {
        panic!()
    };
    assert_eq!(spec.prompts, ["billing", "technical"]);
    assert_eq!(spec.gateway_name, "support-desk-gw");
    // The union, deduplicated, sorted by tool; each forbid knows who asked for it.
    let forbids: Vec<(&str, &str, Vec<&str>)> = spec
        .forbids
        .iter()
        .map(|f| {
            (
                f.tool.as_str(),
                f.policy_name.as_str(),
                f.prompts.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        forbids,
        [
            (
                "delete_account",
                "block_delete_account",
                vec!["billing", "technical"]
            ),
            ("refund_order", "block_refund_order", vec!["technical"]),
        ]
    );
    for f in &spec.forbids {
        let arn = "arn:aws:bedrock-agentcore:us-west-2:111122223333:gateway/support-desk-gw-x";
        assert!(cedar::check_forbid(&f.statement(arn).unwrap(), &f.action, arn).is_ok());
    }
    assert!(
        spec.forbids[0]
            .description()
            .contains("every agent of the pack (blocklist of prompts billing, technical)"),
        "{}",
        spec.forbids[0].description()
    );
    let on: Vec<(&str, &str)> = r
        .depends_on
        .iter()
        .map(|d| (d.kind.as_str(), d.name.as_str()))
        .collect();
    assert_eq!(
        on,
        [
            ("policy_engine", "support_desk_policy_engine"),
            ("gateway", "support-desk-gw"),
            ("tool_gateway", "delete-account"),
            ("tool_gateway", "refund-order"),
        ]
    );
    // Every runtime waits for that one engine.
    for rt in plan
        .resources()
        .filter(|r| r.kind == ResourceKind::AgentRuntime)
    {
        assert!(
            rt.depends_on
                .iter()
                .any(|d| d.is_on("cedar_policy", "support_desk_policy_engine")
                    && d.reason.contains("ENFORCE"))
        );
    }

    // The blocklists differ: the block is pack-wide, and the warning says so with the way out.
    let sec: Vec<_> = plan
        .warnings
        .iter()
        .filter(|w| w.category == "security")
        .collect();
    assert_eq!(sec.len(), 1, "{:#?}", plan.warnings);
    assert_eq!(sec[0].field, "pack.prompts");
    assert_eq!(sec[0].severity, Severity::Warning);
    assert!(
        sec[0].message.contains("billing: delete_account")
            && sec[0]
                .message
                .contains("technical: delete_account, refund_order")
            && sec[0].message.contains("every agent of the pack"),
        "{}",
        sec[0].message
    );
    let hint = sec[0].hint.as_deref().unwrap();
    assert!(
        hint.contains("separate pack") && hint.contains("accept the wider block"),
        "{hint}"
    );
    // The unregistered tool is still reported, once.
    let unregistered: Vec<_> = plan
        .warnings
        .iter()
        .filter(|w| w.message.contains("\"no_such_tool\""))
        .collect();
    assert_eq!(unregistered.len(), 1, "{:#?}", plan.warnings);
    assert_eq!(
        unregistered[0].field,
        "pack.prompts.technical.tool_policy.blocklist[2]"
    );
}

#[test]
fn equal_blocklists_merge_without_a_warning_and_unregistered_only_makes_no_engine() {
    let p = demo_with_blocklists(&[
        ("billing", &["delete_account", "refund_order"]),
        ("triage", &["refund_order", "delete_account"]),
    ]);
    let plan = plan_of(&p);
    let ResourceSpec::CedarPolicy(spec) = &plan
        .find(ResourceKind::CedarPolicy, "support_desk_policy_engine")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert_eq!(spec.forbids.len(), 2);
    assert!(
        spec.forbids
            .iter()
            .all(|f| f.prompts == ["billing", "triage"])
    );
    assert!(plan.warnings.iter().all(|w| w.category != "security"));

    let p = demo_with_blocklists(&[("billing", &["nope"]), ("triage", &["also_nope"])]);
    let plan = plan_of(&p);
    assert!(names(&plan, ResourceKind::CedarPolicy).is_empty());
    assert_eq!(
        plan.warnings
            .iter()
            .filter(|w| w.category == "policy")
            .count(),
        2
    );
}

#[test]
fn a_blocked_tool_too_long_for_a_policy_name_is_a_named_error() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo/support-desk.pack.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let long = "a".repeat(43);
    v["tools"][&long] = v["tools"]["delete_account"].clone();
    v["prompts"]["billing"]["tool_policy"]["blocklist"] = serde_json::json!([long]);
    let errs = derive(&pack::parse_str(&v.to_string()).unwrap(), &cfg())
        .unwrap_err()
        .0;
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].field, format!("pack.tools.{long}"));
    assert!(
        errs[0].message.contains("Cedar policy"),
        "{}",
        errs[0].message
    );
    assert!(errs[0].hint.as_deref().unwrap().contains("at most 42"));
}

#[test]
fn multi_agent_pack_gets_a_runtime_and_endpoint_per_member() {
    let p = pack::load_path(&shared(
        "multi-agent_entry-members_state-backed-workflow.pack.json",
    ))
    .unwrap();
    let plan = plan_of(&p);
    assert_eq!(
        names(&plan, ResourceKind::AgentRuntime),
        ["research", "summarize"]
    );
    assert_eq!(
        names(&plan, ResourceKind::A2aEndpoint),
        ["research_endpoint", "summarize_endpoint"]
    );
    let ResourceSpec::AgentRuntime(entry) = &plan
        .find(ResourceKind::AgentRuntime, "research")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert!(entry.is_entry);
    assert_eq!(entry.env["PROMPTPACK_AGENT"], "research");
    assert_eq!(entry.tags["promptpack:agent"], "research");
    assert_eq!(entry.tags["promptpack:version"], "v1.0.0");
    assert!(
        entry
            .env_after_apply
            .contains(&"PROMPTPACK_AGENTS".to_string())
    );
    let ResourceSpec::AgentRuntime(member) = &plan
        .find(ResourceKind::AgentRuntime, "summarize")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert!(
        !member
            .env_after_apply
            .contains(&"PROMPTPACK_AGENTS".to_string())
    );
    let steps: Vec<Step> = plan.steps.iter().map(|s| s.step).collect();
    assert_eq!(steps, Step::ALL);
}

#[test]
fn local_eval_types_create_no_resources_but_feed_the_metrics_config() {
    for f in [
        "evals_pack-level_metrics-boolean-counter-gauge.pack.json",
        "evals_pack-level_deterministic-types_metric-labels.pack.json",
        "evals_custom-types_hyphenated-ids_with-tool.pack.json",
        "evals_pack-and-prompt-level.pack.json",
        "edge_validator-unknown-type.pack.json",
        "edge_validator-unusable-params.pack.json",
    ] {
        let plan = plan_of(&pack::load_path(&shared(f)).unwrap());
        assert!(names(&plan, ResourceKind::Evaluator).is_empty(), "{f}");
        assert!(
            names(&plan, ResourceKind::OnlineEvalConfig).is_empty(),
            "{f}"
        );
    }
    let p = pack::load_path(&shared(
        "evals_pack-level_metrics-boolean-counter-gauge.pack.json",
    ))
    .unwrap();
    let m: serde_json::Value =
        serde_json::from_str(&agentcore_tui::derive::metrics_config(&p).unwrap()).unwrap();
    assert_eq!(m["namespace"], "PromptPack/Evals");
    assert_eq!(m["dimensions"]["pack_id"], "evaluate-example");
    let units: Vec<&str> = m["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["unit"].as_str().unwrap())
        .collect();
    assert_eq!(units, ["None", "Count", "None"]);
    let d: serde_json::Value =
        serde_json::from_str(&agentcore_tui::derive::dashboard_config(&p, "us-west-2").unwrap())
            .unwrap();
    let titles: Vec<&str> = d["widgets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["properties"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Agent: evaluate-example",
            "Eval: greeting_present",
            "Eval: politeness",
            "Eval: farewell_present"
        ]
    );
}

#[test]
fn llm_judge_evals_create_evaluators_where_the_adapter_created_none() {
    let p = pack::load_path(&shared(
        "k8s-extracted_customer-support_llm_judge-workflow-tools.pack.json",
    ))
    .unwrap();
    let plan = plan_of(&p);
    assert_eq!(names(&plan, ResourceKind::Evaluator), ["brand_consistency"]);
    assert_eq!(
        names(&plan, ResourceKind::OnlineEvalConfig),
        ["customer_support_online_eval"]
    );
    let ResourceSpec::Evaluator(e) = &plan
        .find(ResourceKind::Evaluator, "brand_consistency")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert!(
        e.instructions
            .starts_with("Does this response maintain a warm")
    );
    assert!(e.instructions.contains("{assistant_turn}"));
    assert_eq!(e.level, "TRACE");
    assert_eq!(e.rating_scale.len(), 5);
    let ResourceSpec::OnlineEvalConfig(o) = &plan
        .find(
            ResourceKind::OnlineEvalConfig,
            "customer_support_online_eval",
        )
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert_eq!(o.sampling_percentage, 10.0);
    assert_eq!(o.service_names, ["customer_support.DEFAULT"]);
    assert_eq!(o.log_group_names, ["aws/spans"]);
}

fn demo_pack_json() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo/support-desk.pack.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_runtime_gets_its_own_online_eval_config_with_one_service_name() {
    let plan = plan_of(&pack::parse_str(&demo_pack_json().to_string()).unwrap());
    let runtimes = names(&plan, ResourceKind::AgentRuntime);
    assert_eq!(runtimes, ["billing", "technical", "triage"]);
    assert_eq!(
        names(&plan, ResourceKind::OnlineEvalConfig),
        [
            "billing_online_eval",
            "technical_online_eval",
            "triage_online_eval"
        ]
    );
    for rt in &runtimes {
        let r = plan
            .find(ResourceKind::OnlineEvalConfig, &format!("{rt}_online_eval"))
            .unwrap();
        let ResourceSpec::OnlineEvalConfig(o) = &r.spec else {
            panic!()
        };
        assert_eq!(o.service_names, [format!("{rt}.DEFAULT")]);
        assert_eq!(o.tags["promptpack:agent"], *rt);
        assert_eq!(
            o.builtin_evaluator_ids,
            ["Builtin.Correctness"],
            "every config runs every online eval"
        );
        assert_eq!(o.evaluators, names(&plan, ResourceKind::Evaluator));
        // Its own runtime only: a failed runtime does not skip the others' evaluation.
        let on: Vec<&str> = r
            .depends_on
            .iter()
            .filter(|d| d.kind == "agent_runtime")
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(on, [rt.as_str()]);
    }
}

#[test]
fn long_member_names_still_give_valid_distinct_online_eval_names() {
    let mut v = demo_pack_json();
    // 45 characters each, the same first 40: too long for "_online_eval" as they are.
    let (a, b) = (
        format!("{}-first", "x".repeat(39)),
        format!("{}-other", "x".repeat(39)),
    );
    let prompts = v["prompts"].as_object_mut().unwrap();
    let triage = prompts.remove("triage").unwrap();
    let billing = prompts.remove("billing").unwrap();
    prompts.insert(a.clone(), triage);
    prompts.insert(b.clone(), billing);
    let members = v["agents"]["members"].as_object_mut().unwrap();
    let ta = members.remove("triage").unwrap();
    let tb = members.remove("billing").unwrap();
    members.insert(a.clone(), ta);
    members.insert(b.clone(), tb);
    v["agents"]["entry"] = serde_json::json!(a);
    let p = pack::parse_str(&v.to_string()).unwrap();
    let plan = plan_of(&p);
    let configs = names(&plan, ResourceKind::OnlineEvalConfig);
    assert_eq!(configs.len(), 3, "{configs:?}");
    for n in &configs {
        assert!(
            agentcore_tui::plan::naming::is_valid_aws_name(n),
            "{n} is not a valid EvaluationConfigName"
        );
    }
    let long: Vec<&String> = configs.iter().filter(|n| n.starts_with("xxx")).collect();
    assert_eq!(long.len(), 2);
    assert_ne!(long[0], long[1]);
    assert_eq!(plan_of(&p), plan, "the same names on every plan");
}

#[test]
fn both_judge_spellings_disabled_skipped_builtin_passed_through() {
    let p = pack::load_path(&own("judges.pack.json")).unwrap();
    let plan = plan_of(&p);
    assert_eq!(
        names(&plan, ResourceKind::Evaluator),
        ["brand_voice", "helpfulness"]
    );
    let ResourceSpec::Evaluator(h) = &plan
        .find(ResourceKind::Evaluator, "helpfulness")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert_eq!(h.level, "SESSION");
    assert_eq!(h.rating_scale.len(), 3);
    assert_eq!(h.instructions, "Rate {assistant_turn} for {user_input}");
    let ResourceSpec::Evaluator(b) = &plan
        .find(ResourceKind::Evaluator, "brand_voice")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert_eq!(b.model_id, "amazon.nova-pro-v1:0");
    let ResourceSpec::OnlineEvalConfig(o) = &plan
        .find(ResourceKind::OnlineEvalConfig, "judge_demo_online_eval")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert_eq!(o.builtin_evaluator_ids, ["Builtin.Helpfulness"]);
    assert_eq!(o.evaluators, ["brand_voice", "helpfulness"]);
    assert_eq!(
        o.sampling_percentage, 25.0,
        "params.sample_percentage wins, as in the adapter"
    );
    // The blocklist names one registered tool and one that is not a pack tool.
    assert_eq!(
        names(&plan, ResourceKind::CedarPolicy),
        ["judge_demo_policy_engine"]
    );
    let w = plan
        .warnings
        .iter()
        .find(|w| w.field == "pack.prompts.support-agent.tool_policy.blocklist[1]")
        .unwrap();
    assert!(w.message.contains("\"rm_rf\""), "{}", w.message);
    assert!(w.hint.is_some());
}

#[test]
fn plan_names_are_stable_and_memory_follows_the_config() {
    let p = pack::load_path(&own("judges.pack.json")).unwrap();
    let mut c = cfg();
    c.memory_store.strategies = vec!["session".into(), "semantic".into(), "episodic".into()];
    let a = derive(&p, &c).unwrap();
    let b = derive(&p, &c).unwrap();
    assert_eq!(a, b);
    assert_eq!(names(&a, ResourceKind::Memory), ["judge_demo_memory"]);
    let ResourceSpec::Memory(m) = &a
        .find(ResourceKind::Memory, "judge_demo_memory")
        .unwrap()
        .spec
    else {
        panic!()
    };
    assert_eq!(m.strategies, ["episodic", "semantic"]);
    assert_eq!(m.event_expiry_days, 30);
    let rt = a.find(ResourceKind::AgentRuntime, "judge_demo").unwrap();
    assert!(
        rt.depends_on
            .iter()
            .any(|d| d.is_on("memory", "judge_demo_memory"))
    );
    let ResourceSpec::AgentRuntime(s) = &rt.spec else {
        panic!()
    };
    assert_eq!(s.env["PROMPTPACK_MEMORY_STORE"], "episodic,semantic");
    let kinds = serde_json::to_value(a.resources().map(|r| r.kind).collect::<Vec<_>>()).unwrap();
    assert_eq!(kinds[0], "memory");
}

#[test]
fn bad_packs_are_rejected_naming_the_field() {
    let cases: &[(&str, &str, &str)] = &[
        // (file, field, substring of the message)
        ("bad_syntax.pack.json", "", "EOF while parsing an object"),
        (
            "bad_max_rounds_type.pack.json",
            "prompts.chat.tool_policy.max_rounds",
            "invalid type: string \"5\"",
        ),
        (
            "bad_workflow_version.pack.json",
            "workflow.version",
            "invalid type: string \"2\"",
        ),
        ("bad_no_prompts.pack.json", "prompts", "no prompts"),
    ];
    for (file, field, msg) in cases {
        let e = pack::load_path(&own(file)).unwrap_err();
        assert_eq!(&e.field, field, "{file}");
        assert!(e.to_string().contains(msg), "{file}: {e}");
    }
    let e = pack::load_path(&own("bad_max_rounds_type.pack.json")).unwrap_err();
    assert!(e.line.is_some() && e.column.is_some());

    let derive_cases: &[(&str, &str, &str)] = &[
        (
            "bad_id_digit.pack.json",
            "pack.id",
            "must start with a letter",
        ),
        ("bad_eval_id.pack.json", "pack.evals[0].id", "contains '.'"),
        (
            "bad_entry_not_member.pack.json",
            "pack.agents.entry",
            "is not one of agents.members",
        ),
        ("bad_id_too_long.pack.json", "pack.id", "more than the 48"),
        (
            "bad_rating_scale.pack.json",
            "pack.evals[0].params.rating_scale_size",
            "whole number from 2",
        ),
    ];
    for (file, field, msg) in derive_cases {
        let p = pack::load_path(&own(file)).unwrap();
        let errs = derive(&p, &cfg()).unwrap_err().0;
        let d = errs
            .iter()
            .find(|d| d.field == *field)
            .unwrap_or_else(|| panic!("{file}: {errs:?}"));
        assert!(d.message.contains(msg), "{file}: {}", d.message);
        assert_eq!(d.severity, Severity::Error);
        assert!(d.hint.is_some(), "{file}");
    }
}

#[test]
fn user_tags_override_defaults() {
    let mut user = tags::Tags::new();
    user.insert("promptpack:pack-id".into(), "custom".into());
    user.insert("team".into(), "a".into());
    let t = tags::effective_tags("my-pack", "1.0.0", Some("coordinator"), &user);
    assert_eq!(t["promptpack:pack-id"], "custom");
    assert_eq!(t["promptpack:version"], "1.0.0");
    assert_eq!(t["promptpack:agent"], "coordinator");
    assert_eq!(t.len(), 4);
}

#[test]
fn live_field_validators() {
    assert!(fields::region("us-west-2").is_empty());
    assert!(fields::region("us-west-2a")[0].is_error());
    assert_eq!(fields::region("sa-east-1")[0].severity, Severity::Warning);
    let d = fields::runtime_role_arn("arn:aws:iam::444455556666:role/R", Some("111122223333"));
    assert_eq!(d.len(), 1);
    assert!(d[0].message.contains("444455556666") && d[0].message.contains("111122223333"));
    assert!(
        fields::discovery_url("https://idp.example.com/.well-known/openid-configuration")
            .is_empty()
    );
    assert_eq!(
        fields::discovery_url("http://idp.example.com/oauth").len(),
        2
    );
    assert!(
        fields::tag_key("aws:owner")
            .iter()
            .any(|d| d.severity == Severity::Warning)
    );
    assert!(fields::tag_key("bad#key")[0].is_error());
    assert!(fields::tag_value("k", &"v".repeat(257))[0].is_error());
    let img = "111122223333.dkr.ecr.us-west-2.amazonaws.com/agents/support";
    assert!(fields::container_image_uri(&format!("{img}:1.2.0"), "us-west-2").is_empty());
    assert!(
        fields::container_image_uri(img, "us-west-2")[0]
            .message
            .contains("latest")
    );
    assert!(
        fields::container_image_uri(&format!("{img}:1"), "eu-west-1")[0]
            .message
            .contains("us-west-2")
    );
    assert!(fields::container_image_uri("docker.io/library/python:3", "us-west-2")[0].is_error());
    let k = fields::encryption_key_arn("arn:aws:kms:eu-west-1:111122223333:key/abc", "us-west-2");
    assert!(k[0].message.contains("eu-west-1") && !k[0].is_error());
}

#[test]
fn check_reports_caller_account_mismatch_and_pack_level_findings() {
    let p = pack::load_path(&own("judges.pack.json")).unwrap();
    let ctx = CheckContext {
        caller_account: Some("999988887777".into()),
        ..Default::default()
    };
    let diags = agentcore_tui::derive::check(&cfg(), Some(&p), &ctx);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let fields: Vec<&str> = diags.iter().map(|d| d.field.as_str()).collect();
    assert!(fields.contains(&"runtime_role_arn"));
    assert!(fields.contains(&"observability.cloudwatch_log_group"));
    assert!(
        diags.iter().all(|d| d.hint.is_some()),
        "every warning says how to fix it"
    );
}

#[test]
fn config_round_trips_through_json_and_container_image_replaces_the_binary() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/configs/complete.json"),
    )
    .unwrap();
    let c = config::from_json_str(&text).unwrap();
    let again = config::from_json_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(c, again);
    assert_eq!(c.memory_store.strategies.len(), 3);
    assert_eq!(
        c.providers[1].arena_provider.as_deref(),
        Some("claude-judge")
    );
    // The three forms of memory_store.
    for (form, want) in [
        (r#""session""#, vec!["episodic"]),
        (
            r#"["persistent", "semantic", "summary"]"#,
            vec!["semantic", "summary"],
        ),
        (
            r#"{"strategies": ["user_preference"], "event_expiry_days": 7}"#,
            vec!["user_preference"],
        ),
    ] {
        let c = config::from_json_str(&format!(r#"{{"memory_store": {form}}}"#)).unwrap();
        assert_eq!(c.memory_store.canonical_strategies(), want, "{form}");
    }
    let mut no_binary = cfg();
    no_binary.runtime_binary_path = None;
    let errs = config::validate::validate(&no_binary, &CheckContext::default());
    assert_eq!(errs[0].field, "runtime_binary_path");
    let ctx = CheckContext {
        container_image_uri: Some("111122223333.dkr.ecr.us-west-2.amazonaws.com/agent:1".into()),
        ..Default::default()
    };
    assert!(config::validate::validate(&no_binary, &ctx).is_empty());
    let bad_image = CheckContext {
        container_image_uri: Some("nginx".into()),
        ..Default::default()
    };
    let errs = config::validate::validate(&no_binary, &bad_image);
    assert_eq!(errs[0].field, "container_image_uri");
}

#[test]
fn the_permit_check_accepts_only_an_unconditional_gateway_wide_permit() {
    let arn = "arn:aws:bedrock-agentcore:us-west-2:111122223333:gateway/gw";
    let ok = cedar::render_permit(arn).unwrap();
    assert!(cedar::check_permit(&ok, arn).is_ok());
    let other_gw = "arn:aws:bedrock-agentcore:us-west-2:111122223333:gateway/other";
    assert!(cedar::check_permit(&ok, other_gw).is_err());
    let gw = format!("AgentCore::Gateway::\"{arn}\"");
    for bad in [
        format!("forbid (principal, action, resource == {gw});"),
        "permit (principal, action, resource);".to_string(),
        format!("permit (principal, action == AgentCore::Action::\"t___t\", resource == {gw});"),
        format!("permit (principal == AgentCore::OAuthUser::\"u\", action, resource == {gw});"),
        format!("permit (principal, action, resource == {gw}) when {{ false }};"),
        format!(
            "permit (principal, action, resource == {gw});\npermit (principal, action, resource);"
        ),
        "permit (principal, action, resource ==".to_string(),
    ] {
        assert!(cedar::check_permit(&bad, arn).is_err(), "accepted: {bad}");
    }
    // An injection through the ARN cannot widen the permit either.
    let evil = "gw\", action);\nforbid(principal, action, resource);\n// \\\"";
    let text = cedar::render_permit(evil).unwrap();
    assert!(cedar::check_permit(&text, evil).is_ok());
    assert_eq!(text.matches("permit").count(), 1);
}

#[test]
fn cedar_injection_attempt_stays_one_forbid() {
    let evil = "x___x\", resource);\npermit(principal, action, resource);\n// \\\"";
    let text = cedar::render_forbid(
        evil,
        "arn:aws:bedrock-agentcore:us-west-2:111122223333:gateway/gw",
    )
    .unwrap();
    assert_eq!(text.matches("forbid").count(), 1);
    assert!(!text.contains("\npermit"));
}

proptest! {
    #[test]
    fn any_tool_name_renders_to_exactly_the_intended_forbid(
        tool in any::<String>(),
        target in "[a-z0-9-]{1,20}",
        arn in prop_oneof![
            Just("arn:aws:bedrock-agentcore:us-west-2:111122223333:gateway/gw-1".to_string()),
            any::<String>(),
        ],
    ) {
        let action = cedar::action_id(&target, &tool);
        let arn = arn.as_str();
        // render_forbid parses the text back with cedar-policy and compares action and resource.
        let text = cedar::render_forbid(&action, arn).unwrap();
        prop_assert!(cedar::check_forbid(&text, &action, arn).is_ok());
        let other = format!("{}x", action);
        prop_assert!(cedar::check_forbid(&text, &other, arn).is_err());
    }

    #[test]
    fn policy_names_are_valid_and_distinct_per_tool(a in "[a-zA-Z0-9_-]{1,50}", b in "[a-zA-Z0-9_-]{1,50}") {
        let (ta, tb) = (
            agentcore_tui::plan::naming::gateway_target_name(&a),
            agentcore_tui::plan::naming::gateway_target_name(&b),
        );
        prop_assume!(!ta.is_empty() && !tb.is_empty());
        match (cedar::policy_name(&ta), cedar::policy_name(&tb)) {
            (Some(na), Some(nb)) => {
                prop_assert!(agentcore_tui::plan::naming::is_valid_aws_name(&na));
                // Distinct gateway targets (derive rejects clashes) never share a policy.
                prop_assert_eq!(na == nb, ta == tb);
                // No tool's forbid can take the baseline permit's name.
                prop_assert_ne!(na.as_str(), cedar::PERMIT_POLICY_NAME);
            }
            (na, _) => prop_assert!(na.is_some() || ta.len() > 42),
        }
    }

    #[test]
    fn hyphenated_ids_map_to_valid_names_or_a_named_error(id in "[a-z][a-z0-9-]{0,60}") {
        match agentcore_tui::plan::naming::aws_name(&id, "_memory", "id") {
            Ok(n) => {
                prop_assert!(agentcore_tui::plan::naming::is_valid_aws_name(&n));
                prop_assert_eq!(n.replace('_', "-"), format!("{id}-memory").replace('_', "-"));
            }
            Err(d) => prop_assert!(d.field == "pack.id" && id.len() + 7 > 48, "{:?}", d),
        }
    }
}
