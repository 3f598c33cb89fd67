//! AgentCore control plane and recommendations through the real SDK clients, including seed 000's
//! behaviour table for customer managed keys.

mod common;

use std::collections::HashSet;

use agentcore_emulator::demo::{self, keys};
use agentcore_emulator::{Config, Faults, Timing, World};
use aws_sdk_bedrockagentcore::types as dp;
use aws_sdk_bedrockagentcorecontrol::types as cp;
use common::{client, code, start, start_empty, start_with};

fn role() -> &'static str {
    "arn:aws:iam::111122223333:role/AgentCoreRuntime"
}

#[tokio::test]
async fn gateway_and_targets_lifecycle() {
    let emu = start_empty().await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    let gw = ctl
        .create_gateway()
        .name("tools-gw")
        .role_arn(role())
        .authorizer_type(cp::AuthorizerType::AwsIam)
        .protocol_type(cp::GatewayProtocolType::Mcp)
        .tags("promptpack:pack-id", "demo")
        .send()
        .await
        .unwrap();
    assert_eq!(gw.status(), &cp::GatewayStatus::Creating);
    let gid = gw.gateway_id().to_string();
    assert!(gw.gateway_arn().ends_with(&format!(":gateway/{gid}")));
    let got = ctl
        .get_gateway()
        .gateway_identifier(&gid)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.status(),
        &cp::GatewayStatus::Ready,
        "CREATING → READY once provisioning time passed"
    );
    assert_eq!(got.authorizer_type(), &cp::AuthorizerType::AwsIam);

    let dup = ctl
        .create_gateway()
        .name("tools-gw")
        .role_arn(role())
        .authorizer_type(cp::AuthorizerType::AwsIam)
        .send()
        .await
        .unwrap_err();
    assert!(dup.as_service_error().unwrap().is_conflict_exception());

    let schema = cp::SchemaDefinition::builder()
        .r#type(cp::SchemaType::Object)
        .build()
        .unwrap();
    let tool = cp::ToolDefinition::builder()
        .name("lookup")
        .description("finds things")
        .input_schema(schema)
        .build()
        .unwrap();
    let lambda = cp::McpLambdaTargetConfiguration::builder()
        .lambda_arn("arn:aws:lambda:us-east-1:111122223333:function:lookup")
        .tool_schema(cp::ToolSchema::InlinePayload(vec![tool]))
        .build()
        .unwrap();
    let target = ctl
        .create_gateway_target()
        .gateway_identifier(&gid)
        .name("lookup-target")
        .target_configuration(cp::TargetConfiguration::Mcp(
            cp::McpTargetConfiguration::Lambda(lambda),
        ))
        .credential_provider_configurations(
            cp::CredentialProviderConfiguration::builder()
                .credential_provider_type(cp::CredentialProviderType::GatewayIamRole)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let tid = target.target_id().to_string();
    let t = ctl
        .get_gateway_target()
        .gateway_identifier(&gid)
        .target_id(&tid)
        .send()
        .await
        .unwrap();
    assert_eq!(t.status(), &cp::TargetStatus::Ready);
    assert!(matches!(
        t.target_configuration(),
        Some(cp::TargetConfiguration::Mcp(
            cp::McpTargetConfiguration::Lambda(_)
        ))
    ));
    let listed = ctl
        .list_gateway_targets()
        .gateway_identifier(&gid)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.items().len(), 1);
    assert_eq!(listed.items()[0].target_id(), tid);

    // AWS refuses to delete a gateway that still has targets, with a ValidationException.
    let blocked = ctl
        .delete_gateway()
        .gateway_identifier(&gid)
        .send()
        .await
        .unwrap_err();
    assert!(
        blocked
            .as_service_error()
            .unwrap()
            .is_validation_exception(),
        "{blocked:?}"
    );
    assert!(
        blocked
            .as_service_error()
            .unwrap()
            .meta()
            .message()
            .unwrap()
            .contains("targets")
    );

    let upd = ctl
        .update_gateway_target()
        .gateway_identifier(&gid)
        .target_id(&tid)
        .name("lookup-target")
        .target_configuration(t.target_configuration().unwrap().clone())
        .send()
        .await
        .unwrap();
    assert_eq!(upd.status(), &cp::TargetStatus::Updating);
    let del = ctl
        .delete_gateway_target()
        .gateway_identifier(&gid)
        .target_id(&tid)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), &cp::TargetStatus::Deleting);
    let gone = ctl
        .get_gateway_target()
        .gateway_identifier(&gid)
        .target_id(&tid)
        .send()
        .await
        .unwrap_err();
    assert!(
        gone.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );

    let upd = ctl
        .update_gateway()
        .gateway_identifier(&gid)
        .name("tools-gw")
        .role_arn(role())
        .authorizer_type(cp::AuthorizerType::AwsIam)
        .description("now described")
        .send()
        .await
        .unwrap();
    assert_eq!(upd.status(), &cp::GatewayStatus::Updating);
    let got = ctl
        .get_gateway()
        .gateway_identifier(&gid)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (got.status(), got.description()),
        (&cp::GatewayStatus::Ready, Some("now described"))
    );
    let tags = ctl
        .list_tags_for_resource()
        .resource_arn(got.gateway_arn())
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags.tags()
            .unwrap()
            .get("promptpack:pack-id")
            .map(String::as_str),
        Some("demo")
    );
    ctl.tag_resource()
        .resource_arn(got.gateway_arn())
        .tags("team", "a")
        .send()
        .await
        .unwrap();
    ctl.untag_resource()
        .resource_arn(got.gateway_arn())
        .tag_keys("promptpack:pack-id")
        .send()
        .await
        .unwrap();
    let tags = ctl
        .list_tags_for_resource()
        .resource_arn(got.gateway_arn())
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().unwrap().len(), 1);
    let nf = ctl
        .list_tags_for_resource()
        .resource_arn("arn:aws:bedrock-agentcore:us-east-1:111122223333:gateway/nope")
        .send()
        .await
        .unwrap_err();
    assert!(
        nf.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );

    let del = ctl
        .delete_gateway()
        .gateway_identifier(&gid)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), &cp::GatewayStatus::Deleting);
    assert_eq!(emu.resource_counts()["gateway"], 0);
}

#[tokio::test]
async fn validation_conflicts_and_idempotency() {
    let emu = start_empty().await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    let bad = ctl
        .create_gateway()
        .name("bad_name")
        .role_arn("not-an-arn")
        .authorizer_type(cp::AuthorizerType::from("SOMETIMES"))
        .send()
        .await
        .unwrap_err();
    let v = bad.as_service_error().unwrap();
    assert!(v.is_validation_exception());
    let aws_sdk_bedrockagentcorecontrol::operation::create_gateway::CreateGatewayError::ValidationException(v) = v else { unreachable!() };
    let names: Vec<&str> = v.field_list().iter().map(|f| f.name()).collect();
    assert_eq!(names, ["name", "roleArn", "authorizerType"]);
    assert_eq!(
        v.reason(),
        &cp::ValidationExceptionReason::FieldValidationFailed
    );

    let artifact = cp::AgentRuntimeArtifact::ContainerConfiguration(
        cp::ContainerConfiguration::builder()
            .container_uri("111122223333.dkr.ecr.us-east-1.amazonaws.com/agent:1")
            .build()
            .unwrap(),
    );
    let first = ctl
        .create_agent_runtime()
        .agent_runtime_name("support_agent")
        .agent_runtime_artifact(artifact.clone())
        .role_arn(role())
        .client_token("token-0000000000000000000000000000001")
        .send()
        .await
        .unwrap();
    let again = ctl
        .create_agent_runtime()
        .agent_runtime_name("support_agent")
        .agent_runtime_artifact(artifact.clone())
        .role_arn(role())
        .client_token("token-0000000000000000000000000000001")
        .send()
        .await
        .unwrap();
    assert_eq!(
        first.agent_runtime_id(),
        again.agent_runtime_id(),
        "same token, same request → same runtime"
    );
    let mismatch = ctl
        .create_agent_runtime()
        .agent_runtime_name("other_agent")
        .agent_runtime_artifact(artifact.clone())
        .role_arn(role())
        .client_token("token-0000000000000000000000000000001")
        .send()
        .await
        .unwrap_err();
    assert!(
        mismatch
            .as_service_error()
            .unwrap()
            .is_validation_exception()
    );
    let dup = ctl
        .create_agent_runtime()
        .agent_runtime_name("support_agent")
        .agent_runtime_artifact(artifact)
        .role_arn(role())
        .send()
        .await
        .unwrap_err();
    assert!(dup.as_service_error().unwrap().is_conflict_exception());
    let hyphen = ctl
        .create_agent_runtime()
        .agent_runtime_name("support-agent")
        .agent_runtime_artifact(cp::AgentRuntimeArtifact::ContainerConfiguration(
            cp::ContainerConfiguration::builder()
                .container_uri("111122223333.dkr.ecr.us-east-1.amazonaws.com/x")
                .build()
                .unwrap(),
        ))
        .role_arn(role())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&hyphen),
        "ValidationException",
        "runtime names take no hyphens"
    );
    let docker_hub = ctl
        .create_agent_runtime()
        .agent_runtime_name("hub_agent")
        .agent_runtime_artifact(cp::AgentRuntimeArtifact::ContainerConfiguration(
            cp::ContainerConfiguration::builder()
                .container_uri("docker.io/library/agent:1")
                .build()
                .unwrap(),
        ))
        .role_arn(role())
        .send()
        .await
        .unwrap_err();
    let aws_sdk_bedrockagentcorecontrol::operation::create_agent_runtime::CreateAgentRuntimeError::ValidationException(v) =
        docker_hub.as_service_error().unwrap()
    else {
        panic!("{docker_hub:?}")
    };
    assert_eq!(
        v.field_list()[0].name(),
        "agentRuntimeArtifact.containerConfiguration.containerUri"
    );
    let nf = ctl
        .get_agent_runtime()
        .agent_runtime_id("missing-1234567890")
        .send()
        .await
        .unwrap_err();
    assert!(
        nf.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
}

#[tokio::test]
async fn runtime_memory_policy_and_evaluation_resources() {
    let emu = start_empty().await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    // Runtime: create, get (string timestamps), update (new version), list, delete.
    let artifact = cp::AgentRuntimeArtifact::ContainerConfiguration(
        cp::ContainerConfiguration::builder()
            .container_uri("111122223333.dkr.ecr.us-east-1.amazonaws.com/agent:1")
            .build()
            .unwrap(),
    );
    let rt = ctl
        .create_agent_runtime()
        .agent_runtime_name("entry_agent")
        .agent_runtime_artifact(artifact.clone())
        .role_arn(role())
        .network_configuration(
            cp::NetworkConfiguration::builder()
                .network_mode(cp::NetworkMode::Public)
                .build()
                .unwrap(),
        )
        .protocol_configuration(
            cp::ProtocolConfiguration::builder()
                .server_protocol(cp::ServerProtocol::A2A)
                .build()
                .unwrap(),
        )
        .environment_variables("PROMPTPACK_AGENTS", "{}")
        .send()
        .await
        .unwrap();
    assert_eq!(rt.agent_runtime_version(), "1");
    let id = rt.agent_runtime_id().to_string();
    let got = ctl
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), &cp::AgentRuntimeStatus::Ready);
    assert_eq!(
        got.environment_variables().unwrap()["PROMPTPACK_AGENTS"],
        "{}"
    );
    let upd = ctl
        .update_agent_runtime()
        .agent_runtime_id(&id)
        .agent_runtime_artifact(artifact)
        .role_arn(role())
        .environment_variables("A", "b")
        .send()
        .await
        .unwrap();
    assert_eq!(upd.agent_runtime_version(), "2");
    assert_eq!(upd.status(), &cp::AgentRuntimeStatus::Updating);
    let v1 = ctl
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .agent_runtime_version("1")
        .send()
        .await
        .unwrap();
    assert_eq!(v1.agent_runtime_version(), "1");
    assert!(
        !v1.environment_variables().unwrap().contains_key("A"),
        "version 1 keeps its own configuration"
    );
    let v2 = ctl
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .agent_runtime_version("2")
        .send()
        .await
        .unwrap();
    assert_eq!(v2.environment_variables().unwrap()["A"], "b");
    let v3 = ctl
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .agent_runtime_version("3")
        .send()
        .await
        .unwrap_err();
    assert!(
        v3.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
    let listed = ctl.list_agent_runtimes().send().await.unwrap();
    assert_eq!(
        listed.agent_runtimes()[0].status(),
        &cp::AgentRuntimeStatus::Ready
    );
    ctl.delete_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .unwrap();

    // Memory: numeric timestamps, strategies, its own error names.
    let mem = ctl
        .create_memory()
        .name("pack_memory")
        .event_expiry_duration(30)
        .memory_strategies(cp::MemoryStrategyInput::SemanticMemoryStrategy(
            cp::SemanticMemoryStrategyInput::builder()
                .name("facts")
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .unwrap();
    let m = mem.memory().unwrap();
    assert_eq!(m.status(), &cp::MemoryStatus::Creating);
    let got = ctl.get_memory().memory_id(m.id()).send().await.unwrap();
    let got = got.memory().unwrap();
    assert_eq!(got.status(), &cp::MemoryStatus::Active);
    assert_eq!(
        got.strategies()[0].r#type(),
        &cp::MemoryStrategyType::Semantic
    );
    assert!(got.created_at().secs() > 1_700_000_000);
    ctl.update_memory()
        .memory_id(m.id())
        .description("updated")
        .send()
        .await
        .unwrap();
    let all = ctl.list_memories().send().await.unwrap();
    assert_eq!(all.memories().len(), 1);
    let bad = ctl
        .create_memory()
        .name("x")
        .event_expiry_duration(3651)
        .send()
        .await
        .unwrap_err();
    assert!(bad.as_service_error().unwrap().is_validation_exception());
    ctl.delete_memory().memory_id(m.id()).send().await.unwrap();
    let gone = ctl.get_memory().memory_id(m.id()).send().await.unwrap_err();
    assert!(
        gone.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );

    // Policy engine + Cedar policies; a malformed statement ends CREATE_FAILED with a reason.
    let pe = ctl
        .create_policy_engine()
        .name("pack_policies")
        .send()
        .await
        .unwrap();
    let peid = pe.policy_engine_id().to_string();
    let pe = ctl
        .get_policy_engine()
        .policy_engine_id(&peid)
        .send()
        .await
        .unwrap();
    assert_eq!(pe.status(), &cp::PolicyEngineStatus::Active);
    ctl.update_policy_engine()
        .policy_engine_id(&peid)
        .description(
            cp::UpdatedDescription::builder()
                .optional_value("d")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let cedar = |s: &str| {
        cp::PolicyDefinition::Cedar(cp::CedarPolicy::builder().statement(s).build().unwrap())
    };
    let ok = ctl
        .create_policy()
        .policy_engine_id(&peid)
        .name("block_delete")
        .definition(cedar("forbid(principal, action, resource);"))
        .send()
        .await
        .unwrap();
    let broken = ctl
        .create_policy()
        .policy_engine_id(&peid)
        .name("broken")
        .definition(cedar("allow everything to everyone, always and forever"))
        .send()
        .await
        .unwrap();
    let ok = ctl
        .get_policy()
        .policy_engine_id(&peid)
        .policy_id(ok.policy_id())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), &cp::PolicyStatus::Active);
    let broken = ctl
        .get_policy()
        .policy_engine_id(&peid)
        .policy_id(broken.policy_id())
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), &cp::PolicyStatus::CreateFailed);
    assert!(broken.status_reasons()[0].contains("Cedar"));
    ctl.update_policy()
        .policy_engine_id(&peid)
        .policy_id(ok.policy_id())
        .definition(cedar("forbid(principal, action, resource) when { true };"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        ctl.list_policies()
            .policy_engine_id(&peid)
            .send()
            .await
            .unwrap()
            .policies()
            .len(),
        2
    );
    let engine_busy = ctl
        .delete_policy_engine()
        .policy_engine_id(&peid)
        .send()
        .await
        .unwrap_err();
    assert!(
        engine_busy
            .as_service_error()
            .unwrap()
            .is_validation_exception()
    );
    ctl.delete_policy()
        .policy_engine_id(&peid)
        .policy_id(ok.policy_id())
        .send()
        .await
        .unwrap();
    ctl.delete_policy()
        .policy_engine_id(&peid)
        .policy_id(broken.policy_id())
        .send()
        .await
        .unwrap();
    assert_eq!(
        ctl.list_policy_engines()
            .send()
            .await
            .unwrap()
            .policy_engines()
            .len(),
        1
    );
    let del = ctl
        .delete_policy_engine()
        .policy_engine_id(&peid)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), &cp::PolicyEngineStatus::Deleting);

    // Evaluator + online evaluation config (numeric timestamps).
    let judge = cp::LlmAsAJudgeEvaluatorConfig::builder()
        .instructions("Rate helpfulness")
        .rating_scale(cp::RatingScale::Numerical(vec![
            cp::NumericalScaleDefinition::builder()
                .definition("good")
                .value(1.0)
                .label("good")
                .build()
                .unwrap(),
        ]))
        .model_config(cp::EvaluatorModelConfig::BedrockEvaluatorModelConfig(
            cp::BedrockEvaluatorModelConfig::builder()
                .model_id("anthropic.claude")
                .build()
                .unwrap(),
        ))
        .build()
        .unwrap();
    let ev = ctl
        .create_evaluator()
        .evaluator_name("helpful")
        .evaluator_config(cp::EvaluatorConfig::LlmAsAJudge(judge.clone()))
        .level(cp::EvaluatorLevel::Session)
        .send()
        .await
        .unwrap();
    let evid = ev.evaluator_id().to_string();
    let got = ctl
        .get_evaluator()
        .evaluator_id(&evid)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), &cp::EvaluatorStatus::Active);
    assert_eq!(got.level(), &cp::EvaluatorLevel::Session);
    ctl.update_evaluator()
        .evaluator_id(&evid)
        .description("d")
        .send()
        .await
        .unwrap();
    assert_eq!(
        ctl.list_evaluators()
            .send()
            .await
            .unwrap()
            .evaluators()
            .len(),
        1
    );
    let oec = ctl
        .create_online_evaluation_config()
        .online_evaluation_config_name("pack_online_eval")
        .rule(
            cp::Rule::builder()
                .sampling_config(
                    cp::SamplingConfig::builder()
                        .sampling_percentage(10.0)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .data_source_config(cp::DataSourceConfig::CloudWatchLogs(
            cp::CloudWatchLogsInputConfig::builder()
                .log_group_names("/aws/agent")
                .service_names("agent.DEFAULT")
                .build()
                .unwrap(),
        ))
        .evaluators(cp::EvaluatorReference::EvaluatorId(evid.clone()))
        .evaluation_execution_role_arn(role())
        .enable_on_create(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        oec.execution_status(),
        &cp::OnlineEvaluationExecutionStatus::Enabled
    );
    let oid = oec.online_evaluation_config_id().to_string();
    let got = ctl
        .get_online_evaluation_config()
        .online_evaluation_config_id(&oid)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), &cp::OnlineEvaluationConfigStatus::Active);
    let upd = ctl
        .update_online_evaluation_config()
        .online_evaluation_config_id(&oid)
        .execution_status(cp::OnlineEvaluationExecutionStatus::Disabled)
        .send()
        .await
        .unwrap();
    assert_eq!(
        upd.execution_status(),
        &cp::OnlineEvaluationExecutionStatus::Disabled
    );
    assert_eq!(
        ctl.list_online_evaluation_configs()
            .send()
            .await
            .unwrap()
            .online_evaluation_configs()
            .len(),
        1
    );
    ctl.delete_online_evaluation_config()
        .online_evaluation_config_id(&oid)
        .send()
        .await
        .unwrap();
    ctl.delete_evaluator()
        .evaluator_id(&evid)
        .send()
        .await
        .unwrap();
    let counts = emu.resource_counts();
    assert!(
        counts
            .iter()
            .filter(|(k, _)| !k.starts_with("kms") && !k.starts_with("s3"))
            .all(|(_, n)| *n == 0),
        "{counts:?}"
    );
}

#[tokio::test]
async fn pagination_never_repeats_a_token_and_states_take_time() {
    let emu = start_with(Config {
        world: World::Empty,
        timing: Timing::with_provisioning(std::time::Duration::from_secs(3600)),
        ..Default::default()
    })
    .await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    for i in 0..7 {
        ctl.create_policy_engine()
            .name(format!("engine_{i}"))
            .send()
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut pages = ctl
        .list_policy_engines()
        .max_results(3)
        .into_paginator()
        .send();
    while let Some(p) = pages.next().await {
        for e in p.unwrap().policy_engines() {
            assert_eq!(
                e.status(),
                &cp::PolicyEngineStatus::Creating,
                "still provisioning an hour later"
            );
            names.push(e.name().to_string());
        }
    }
    assert_eq!(names.len(), 7);
    assert_eq!(names.iter().collect::<HashSet<_>>().len(), 7);
    let bad = ctl
        .list_policy_engines()
        .next_token("garbage")
        .send()
        .await
        .unwrap_err();
    assert!(bad.as_service_error().unwrap().is_validation_exception());
}

#[tokio::test]
async fn injected_faults_use_each_operations_error_names() {
    let faults = Faults::parse(
        "op=GetMemory:throttle=1.0,op=ListMemories:5xx=1.0,op=ListGateways:5xx=1.0,op=CreateGateway:fail=1.0",
    )
    .unwrap();
    let emu = start_with(Config {
        world: World::Empty,
        timing: Timing::instant(),
        faults,
        ..Default::default()
    })
    .await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    let e = ctl
        .get_memory()
        .memory_id("memory_one-0123456789")
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error().unwrap().is_throttled_exception(),
        "memory throttles with ThrottledException: {e:?}"
    );
    let e = ctl.list_memories().send().await.unwrap_err();
    assert!(
        e.as_service_error().unwrap().is_service_exception(),
        "memory fails with ServiceException: {e:?}"
    );
    let e = ctl.list_gateways().send().await.unwrap_err();
    assert!(e.as_service_error().unwrap().is_internal_server_exception());
    let gw = ctl
        .create_gateway()
        .name("doomed")
        .role_arn(role())
        .authorizer_type(cp::AuthorizerType::None)
        .send()
        .await
        .unwrap();
    emu.set_faults(Faults::none());
    let got = ctl
        .get_gateway()
        .gateway_identifier(gw.gateway_id())
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), &cp::GatewayStatus::Failed);
    assert!(!got.status_reasons().is_empty());
}

// ---------------------------------------------------------------- recommendations (seed 000)

fn prompt_config(text: &str) -> dp::RecommendationConfig {
    let traces = dp::AgentTracesConfig::CloudwatchLogs(
        dp::CloudWatchLogsTraceConfig::builder()
            .log_group_arns("arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock-agentcore/sessions/my-agent")
            .service_names("my-agent.DEFAULT")
            .start_time(aws_sdk_bedrockagentcore::primitives::DateTime::from_secs(1_735_689_600))
            .end_time(aws_sdk_bedrockagentcore::primitives::DateTime::from_secs(1_735_776_000))
            .build()
            .unwrap(),
    );
    dp::RecommendationConfig::SystemPromptRecommendationConfig(
        dp::SystemPromptRecommendationConfig::builder()
            .system_prompt(dp::SystemPromptConfig::Text(text.to_string()))
            .agent_traces(traces)
            .evaluation_config(
                dp::RecommendationEvaluationConfig::builder()
                    .evaluators(
                        dp::RecommendationEvaluatorReference::builder()
                            .evaluator_arn(
                                "arn:aws:bedrock-agentcore:::evaluator/Builtin.Helpfulness",
                            )
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build(),
    )
}

fn key_arn(region: &str, id: &str) -> String {
    format!("arn:aws:kms:{region}:111122223333:key/{id}")
}

macro_rules! start_rec {
    ($dp:expr, $name:expr, $key:expr) => {{
        let mut req = $dp
            .start_recommendation()
            .name($name)
            .r#type(dp::RecommendationType::SystemPromptRecommendation)
            .recommendation_config(prompt_config("You are a helpful assistant."));
        if let Some(k) = $key {
            req = req.kms_key_arn(k);
        }
        req.send().await
    }};
}

#[tokio::test]
async fn seed_000_start_checks_the_key() {
    let emu = start().await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let ok = start_rec!(
        dpc,
        "enabled_key",
        Some(key_arn("us-east-1", keys::CORRECT))
    )
    .unwrap();
    assert_eq!(ok.status(), &dp::RecommendationStatus::Pending);
    assert!(
        ok.recommendation_arn()
            .starts_with("arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/")
    );
    for (name, key, why) in [
        (
            "disabled_key",
            key_arn("us-east-1", keys::DISABLED),
            "disabled",
        ),
        (
            "pending_key",
            key_arn("us-east-1", keys::PENDING_DELETION),
            "pending deletion",
        ),
        (
            "asymmetric_key",
            key_arn("us-east-1", keys::RSA_SIGNING),
            "symmetric",
        ),
        (
            "other_region_key",
            key_arn("us-west-2", keys::OTHER_REGION),
            "same AWS Region",
        ),
        (
            "missing_key",
            key_arn("us-east-1", "99999999-9999-9999-9999-999999999999"),
            "does not exist",
        ),
    ] {
        let e = start_rec!(dpc, name, Some(key)).unwrap_err();
        let se = e
            .as_service_error()
            .unwrap_or_else(|| panic!("{name}: {e:?}"));
        assert!(se.is_validation_exception(), "{name}: {se:?}");
        assert!(
            se.meta().message().unwrap().contains(why),
            "{name}: {:?}",
            se.meta().message()
        );
    }
    // Nothing was created for the refused requests.
    let names: Vec<String> = dpc
        .list_recommendations()
        .max_results(100)
        .send()
        .await
        .unwrap()
        .recommendation_summaries()
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    assert!(
        names.contains(&"enabled_key".to_string())
            && !names
                .iter()
                .any(|n| n.ends_with("_key") && n != "enabled_key")
    );
}

#[tokio::test]
async fn seed_000_workflow_encrypts_and_get_decrypts() {
    let emu = start().await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let trail = client!(aws_sdk_cloudtrail, emu);
    let started = start_rec!(dpc, "encrypted", Some(key_arn("us-east-1", keys::CORRECT))).unwrap();
    let rid = started.recommendation_id().to_string();
    let got = dpc
        .get_recommendation()
        .recommendation_id(&rid)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), &dp::RecommendationStatus::Completed);
    assert_eq!(
        got.kms_key_arn(),
        Some(key_arn("us-east-1", keys::CORRECT).as_str())
    );
    let Some(dp::RecommendationConfig::SystemPromptRecommendationConfig(cfg)) =
        got.recommendation_config()
    else {
        panic!("config")
    };
    assert_eq!(
        cfg.system_prompt(),
        Some(&dp::SystemPromptConfig::Text(
            "You are a helpful assistant.".into()
        ))
    );
    let Some(dp::RecommendationResult::SystemPromptRecommendationResult(res)) =
        got.recommendation_result()
    else {
        panic!("result")
    };
    let prompt = res.recommended_system_prompt().unwrap();
    assert!(
        prompt.starts_with("You are a helpful assistant.") && prompt.len() > 60,
        "{prompt}"
    );
    assert!(res.explanation().unwrap().contains("Helpfulness"));

    // CloudTrail: DescribeKey + GenerateDataKey by the caller, Decrypt + GenerateDataKey by the service.
    let events = trail.lookup_events().max_results(50).send().await.unwrap();
    let mine: Vec<serde_json::Value> = events
        .events()
        .iter()
        .map(|e| serde_json::from_str::<serde_json::Value>(e.cloud_trail_event().unwrap()).unwrap())
        .filter(|r| {
            r["requestParameters"]["encryptionContext"]["aws:bedrock-agentcore:recommendationArn"]
                == started.recommendation_arn()
                || (r["eventName"] == "DescribeKey"
                    && r["userIdentity"]["invokedBy"] == "bedrock-agentcore.amazonaws.com")
        })
        .collect();
    let by = |name: &str, service: bool| {
        mine.iter().any(|r| {
            r["eventName"] == name
                && (r["userIdentity"]["type"] == "AWSService") == service
                && r["errorCode"].is_null()
        })
    };
    assert!(
        by("DescribeKey", false)
            && by("GenerateDataKey", false)
            && by("Decrypt", true)
            && by("GenerateDataKey", true)
            && by("Decrypt", false),
        "{mine:#?}"
    );

    // Once the key is disabled: Get fails, List and Delete still work and log no KMS use.
    let kms = client!(aws_sdk_kms, emu);
    kms.disable_key()
        .key_id(keys::CORRECT)
        .send()
        .await
        .unwrap();
    let e = dpc
        .get_recommendation()
        .recommendation_id(&rid)
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_validation_exception());
    assert!(
        e.as_service_error()
            .unwrap()
            .meta()
            .message()
            .unwrap()
            .contains("disabled")
    );
    let rec_events = || {
        let trail = trail.clone();
        let arn = started.recommendation_arn().to_string();
        async move {
            let mut n = 0;
            let mut pages = trail
                .lookup_events()
                .max_results(50)
                .into_paginator()
                .send();
            while let Some(p) = pages.next().await {
                n += p
                    .unwrap()
                    .events()
                    .iter()
                    .filter(|e| e.cloud_trail_event().unwrap().contains(&arn))
                    .count();
            }
            n
        }
    };
    let before = rec_events().await;
    assert!(before >= 5);
    let listed = dpc
        .list_recommendations()
        .max_results(100)
        .send()
        .await
        .unwrap();
    assert!(
        listed
            .recommendation_summaries()
            .iter()
            .any(|s| s.recommendation_id() == rid)
    );
    let del = dpc
        .delete_recommendation()
        .recommendation_id(&rid)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), &dp::RecommendationStatus::Deleting);
    assert_eq!(rec_events().await, before, "List and Delete touch no key");
    let gone = dpc
        .get_recommendation()
        .recommendation_id(&rid)
        .send()
        .await
        .unwrap_err();
    assert!(
        gone.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
}

#[tokio::test]
async fn seed_000_get_list_delete_by_key_state() {
    let emu = start().await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let kms = client!(aws_sdk_kms, emu);
    let policy =
        demo::recommendation_key_policy("111122223333", "us-east-1", "AgentCoreDeployer", true);
    let mut recs = Vec::new();
    for state in ["enabled", "disabled", "pending"] {
        let key = kms
            .create_key()
            .policy(&policy)
            .bypass_policy_lockout_safety_check(true)
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap();
        let rec = start_rec!(
            dpc,
            format!("rec_{state}"),
            Some(key.arn().unwrap().to_string())
        )
        .unwrap();
        dpc.get_recommendation()
            .recommendation_id(rec.recommendation_id())
            .send()
            .await
            .unwrap();
        match state {
            "disabled" => {
                kms.disable_key().key_id(key.key_id()).send().await.unwrap();
            }
            "pending" => {
                kms.schedule_key_deletion()
                    .key_id(key.key_id())
                    .pending_window_in_days(7)
                    .send()
                    .await
                    .unwrap();
            }
            _ => {}
        }
        recs.push((state, rec.recommendation_id().to_string()));
    }
    for (state, id) in &recs {
        let get = dpc.get_recommendation().recommendation_id(id).send().await;
        match *state {
            "enabled" => assert_eq!(get.unwrap().status(), &dp::RecommendationStatus::Completed),
            _ => {
                let e = get.unwrap_err();
                assert!(
                    e.as_service_error().unwrap().is_validation_exception(),
                    "{state}: {e:?}"
                );
            }
        }
    }
    let listed: HashSet<String> = dpc
        .list_recommendations()
        .max_results(100)
        .send()
        .await
        .unwrap()
        .recommendation_summaries()
        .iter()
        .map(|s| s.recommendation_id().to_string())
        .collect();
    for (state, id) in &recs {
        assert!(listed.contains(id), "{state} listed");
        let del = dpc
            .delete_recommendation()
            .recommendation_id(id)
            .send()
            .await
            .unwrap();
        assert_eq!(
            del.status(),
            &dp::RecommendationStatus::Deleting,
            "{state} deleted"
        );
    }
    // The demo recommendation sealed under the now-disabled demo key behaves the same way.
    let demo_rec = dpc
        .list_recommendations()
        .max_results(100)
        .send()
        .await
        .unwrap();
    let disabled = demo_rec
        .recommendation_summaries()
        .iter()
        .find(|s| s.name() == "disabled_key_prompt")
        .unwrap();
    let e = dpc
        .get_recommendation()
        .recommendation_id(disabled.recommendation_id())
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_validation_exception());
}

#[tokio::test]
async fn seed_000_service_principal_and_caller_permissions() {
    let emu = start().await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    // The key policy lacks the service principal: Start passes its caller checks, the workflow fails.
    let rec = start_rec!(
        dpc,
        "no_service",
        Some(key_arn("us-east-1", keys::NO_SERVICE_PRINCIPAL))
    )
    .unwrap();
    let got = dpc
        .get_recommendation()
        .recommendation_id(rec.recommendation_id())
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), &dp::RecommendationStatus::Failed);
    let Some(dp::RecommendationResult::SystemPromptRecommendationResult(r)) =
        got.recommendation_result()
    else {
        panic!()
    };
    assert!(
        r.error_message()
            .unwrap()
            .contains("bedrock-agentcore.amazonaws.com"),
        "{r:?}"
    );

    // A key whose policy does not name the caller: AccessDeniedException at Start.
    let kms = client!(aws_sdk_kms, emu);
    let other = demo::recommendation_key_policy("111122223333", "us-east-1", "SomeoneElse", true);
    let key = kms
        .create_key()
        .policy(other)
        .bypass_policy_lockout_safety_check(true)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    let e = start_rec!(dpc, "denied", Some(key.arn().unwrap().to_string())).unwrap_err();
    assert!(
        e.as_service_error().unwrap().is_access_denied_exception(),
        "{e:?}"
    );
}

#[tokio::test]
async fn recommendations_list_filters_and_pages_and_validate_input() {
    let emu = start().await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let all = dpc
        .list_recommendations()
        .max_results(100)
        .send()
        .await
        .unwrap();
    let statuses: HashSet<String> = all
        .recommendation_summaries()
        .iter()
        .map(|s| s.status().as_str().to_string())
        .collect();
    for s in ["PENDING", "IN_PROGRESS", "COMPLETED", "FAILED", "DELETING"] {
        assert!(
            statuses.contains(s),
            "demo world has a {s} recommendation: {statuses:?}"
        );
    }
    let completed = dpc
        .list_recommendations()
        .status_filter(dp::RecommendationStatus::Completed)
        .send()
        .await
        .unwrap();
    assert!(
        completed
            .recommendation_summaries()
            .iter()
            .all(|s| s.status() == &dp::RecommendationStatus::Completed)
    );
    let mut ids = Vec::new();
    let mut pages = dpc
        .list_recommendations()
        .max_results(2)
        .into_paginator()
        .send();
    while let Some(p) = pages.next().await {
        ids.extend(
            p.unwrap()
                .recommendation_summaries()
                .iter()
                .map(|s| s.recommendation_id().to_string()),
        );
    }
    assert_eq!(ids.len(), all.recommendation_summaries().len());
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());

    let bad = dpc
        .start_recommendation()
        .name("mismatch")
        .r#type(dp::RecommendationType::ToolDescriptionRecommendation)
        .recommendation_config(prompt_config("x"))
        .send()
        .await
        .unwrap_err();
    assert!(bad.as_service_error().unwrap().is_validation_exception());
    let no_key = start_rec!(dpc, "plain", None::<String>).unwrap();
    let again = dpc
        .get_recommendation()
        .recommendation_id(no_key.recommendation_id())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), &dp::RecommendationStatus::Completed);
    assert_eq!(again.kms_key_arn(), None);
    let dup = start_rec!(dpc, "plain", None::<String>).unwrap_err();
    assert!(dup.as_service_error().unwrap().is_conflict_exception());
}

#[tokio::test]
async fn cmk_data_is_really_encrypted_at_rest() {
    let dir = std::env::temp_dir().join(format!("agentcore-emu-rest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let _ = std::fs::remove_file(&path);
    let emu = start_with(Config {
        timing: Timing::instant(),
        state_file: Some(path.clone()),
        ..Default::default()
    })
    .await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let marker_secret = "ZEBRA-MARKER-SEALED";
    let marker_plain = "OKAPI-MARKER-PLAIN";
    let mk = |text: &str| {
        dpc.start_recommendation()
            .r#type(dp::RecommendationType::SystemPromptRecommendation)
            .recommendation_config(prompt_config(text))
    };
    mk(marker_secret)
        .name("sealed")
        .kms_key_arn(key_arn("us-east-1", keys::CORRECT))
        .send()
        .await
        .unwrap();
    mk(marker_plain).name("clear").send().await.unwrap();
    emu.shutdown().await;
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(marker_plain),
        "AWS-owned-key data is stored as is"
    );
    assert!(
        !text.contains(marker_secret),
        "CMK data is envelope-encrypted"
    );
    // The envelope is real: its data key is a KMS ciphertext that the emulator's KMS decrypts only
    // with the recommendation ARN as encryption context, and that key opens the AES-256-GCM payload.
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rec = state["world"]["recommendations"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["name"] == "sealed")
        .unwrap();
    let arn = rec["arn"].as_str().unwrap().to_string();
    let env = &rec["config"]["envelope"];
    use base64::Engine;
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap()
    };
    let (edk, sealed) = (b64(&env["encrypted_data_key"]), b64(&env["sealed"]));
    let emu = start_with(Config {
        timing: Timing::instant(),
        state_file: Some(path.clone()),
        ..Default::default()
    })
    .await;
    let kms = client!(aws_sdk_kms, emu);
    let wrong = kms
        .decrypt()
        .ciphertext_blob(aws_sdk_kms::primitives::Blob::new(edk.clone()))
        .encryption_context(
            "aws:bedrock-agentcore:recommendationArn",
            "arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/another",
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&wrong),
        "InvalidCiphertextException",
        "the policy allows it, the context does not match"
    );
    let unscoped = kms
        .decrypt()
        .ciphertext_blob(aws_sdk_kms::primitives::Blob::new(edk.clone()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&unscoped),
        "AccessDeniedException",
        "the seed policy scopes the caller by context"
    );
    let dk = kms
        .decrypt()
        .ciphertext_blob(aws_sdk_kms::primitives::Blob::new(edk))
        .encryption_context("aws:bedrock-agentcore:recommendationArn", &arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        dk.key_id(),
        Some(key_arn("us-east-1", keys::CORRECT).as_str())
    );
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(dk.plaintext().unwrap().as_ref()).unwrap();
    let aad =
        serde_json::to_vec(&serde_json::json!({"aws:bedrock-agentcore:recommendationArn": arn}))
            .unwrap();
    let nonce = aes_gcm::Nonce::try_from(&sealed[..12]).unwrap();
    let plain = cipher
        .decrypt(
            &nonce,
            Payload {
                msg: &sealed[12..],
                aad: &aad,
            },
        )
        .unwrap();
    assert!(String::from_utf8(plain).unwrap().contains(marker_secret));
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn retried_updates_apply_once_and_failed_workflows_say_why() {
    let faults = Faults::parse("op=StartRecommendation:fail=1.0").unwrap();
    let emu = start_with(Config {
        world: World::Empty,
        timing: Timing::instant(),
        faults,
        ..Default::default()
    })
    .await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    let artifact = cp::AgentRuntimeArtifact::ContainerConfiguration(
        cp::ContainerConfiguration::builder()
            .container_uri("111122223333.dkr.ecr.us-east-1.amazonaws.com/agent:1")
            .build()
            .unwrap(),
    );
    let rt = ctl
        .create_agent_runtime()
        .agent_runtime_name("agent")
        .agent_runtime_artifact(artifact.clone())
        .role_arn(role())
        .send()
        .await
        .unwrap();
    ctl.get_agent_runtime()
        .agent_runtime_id(rt.agent_runtime_id())
        .send()
        .await
        .unwrap();
    for _ in 0..2 {
        let upd = ctl
            .update_agent_runtime()
            .agent_runtime_id(rt.agent_runtime_id())
            .agent_runtime_artifact(artifact.clone())
            .role_arn(role())
            .client_token("update-token-000000000000000000000001")
            .send()
            .await
            .unwrap();
        assert_eq!(
            upd.agent_runtime_version(),
            "2",
            "the retry returns the first answer"
        );
    }
    let got = ctl
        .get_agent_runtime()
        .agent_runtime_id(rt.agent_runtime_id())
        .send()
        .await
        .unwrap();
    assert_eq!(got.agent_runtime_version(), "2");

    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let rec = start_rec!(dpc, "doomed", None::<String>).unwrap();
    let got = dpc
        .get_recommendation()
        .recommendation_id(rec.recommendation_id())
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), &dp::RecommendationStatus::Failed);
    let Some(dp::RecommendationResult::SystemPromptRecommendationResult(r)) =
        got.recommendation_result()
    else {
        panic!()
    };
    assert!(r.error_code().is_some() && r.error_message().is_some());
}

#[tokio::test]
async fn gateways_list_across_pages() {
    let emu = start_empty().await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    for i in 0..5 {
        ctl.create_gateway()
            .name(format!("gw-{i}"))
            .role_arn(role())
            .authorizer_type(cp::AuthorizerType::None)
            .send()
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut pages = ctl.list_gateways().max_results(2).into_paginator().send();
    while let Some(p) = pages.next().await {
        names.extend(
            p.unwrap()
                .items()
                .iter()
                .map(|g| (g.name().to_string(), g.status().clone())),
        );
    }
    let expected: Vec<(String, cp::GatewayStatus)> = (0..5)
        .map(|i| (format!("gw-{i}"), cp::GatewayStatus::Ready))
        .collect();
    assert_eq!(
        names, expected,
        "every gateway once, in creation order, READY by now"
    );
}

#[tokio::test]
async fn memory_with_a_customer_key_needs_a_usable_one() {
    let emu = start().await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    let ok = ctl
        .create_memory()
        .name("sealed_memory")
        .event_expiry_duration(30)
        .encryption_key_arn(key_arn("us-east-1", keys::CORRECT))
        .send()
        .await
        .unwrap();
    assert_eq!(
        ok.memory().unwrap().encryption_key_arn(),
        Some(key_arn("us-east-1", keys::CORRECT).as_str())
    );
    for (i, key) in [
        key_arn("us-east-1", keys::DISABLED),
        key_arn("us-east-1", keys::RSA_SIGNING),
        key_arn("us-west-2", keys::OTHER_REGION),
    ]
    .into_iter()
    .enumerate()
    {
        let e = ctl
            .create_memory()
            .name(format!("m{i}"))
            .event_expiry_duration(30)
            .encryption_key_arn(&key)
            .send()
            .await
            .unwrap_err();
        assert!(
            e.as_service_error().unwrap().is_validation_exception(),
            "{key}: {e:?}"
        );
    }
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let alias = start_rec!(
        dpc,
        "by_alias",
        Some("arn:aws:kms:us-east-1:111122223333:alias/agentcore-recommendations".to_string())
    )
    .unwrap_err();
    assert!(alias.as_service_error().unwrap().is_validation_exception());
}

#[tokio::test]
async fn gateways_attach_only_active_policy_engines() {
    for (timing, attachable) in [
        (
            Timing::with_provisioning(std::time::Duration::from_secs(3600)),
            false,
        ),
        (Timing::instant(), true),
    ] {
        let emu = start_with(Config {
            world: World::Empty,
            timing,
            ..Default::default()
        })
        .await;
        let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
        let engine = ctl
            .create_policy_engine()
            .name("pack_policies")
            .send()
            .await
            .unwrap();
        let attach = cp::GatewayPolicyEngineConfiguration::builder()
            .arn(engine.policy_engine_arn())
            .mode(cp::GatewayPolicyEngineMode::Enforce)
            .build()
            .unwrap();
        let gw = ctl
            .create_gateway()
            .name("guarded")
            .role_arn(role())
            .authorizer_type(cp::AuthorizerType::AwsIam)
            .policy_engine_configuration(attach)
            .send()
            .await;
        match (attachable, gw) {
            (true, Ok(gw)) => {
                let got = ctl
                    .get_gateway()
                    .gateway_identifier(gw.gateway_id())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    got.policy_engine_configuration().unwrap().mode(),
                    &cp::GatewayPolicyEngineMode::Enforce
                );
                let busy = ctl
                    .delete_policy_engine()
                    .policy_engine_id(engine.policy_engine_id())
                    .send()
                    .await
                    .unwrap_err();
                assert!(
                    busy.as_service_error().unwrap().is_conflict_exception(),
                    "engine still attached: {busy:?}"
                );
            }
            (false, Err(e)) => {
                let msg = e
                    .as_service_error()
                    .unwrap()
                    .meta()
                    .message()
                    .unwrap()
                    .to_string();
                assert!(msg.contains("ACTIVE"), "{msg}");
            }
            (want, got) => panic!("attachable={want}: {got:?}"),
        }
    }
}

#[tokio::test]
async fn a_failed_deletion_leaves_the_resource_in_its_failed_state() {
    let emu = start_with(Config {
        world: World::Empty,
        timing: Timing::instant(),
        faults: Faults::parse("op=DeletePolicyEngine:fail=1.0").unwrap(),
        ..Default::default()
    })
    .await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    let pe = ctl
        .create_policy_engine()
        .name("sticky")
        .send()
        .await
        .unwrap();
    ctl.get_policy_engine()
        .policy_engine_id(pe.policy_engine_id())
        .send()
        .await
        .unwrap();
    let del = ctl
        .delete_policy_engine()
        .policy_engine_id(pe.policy_engine_id())
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), &cp::PolicyEngineStatus::Deleting);
    let got = ctl
        .get_policy_engine()
        .policy_engine_id(pe.policy_engine_id())
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), &cp::PolicyEngineStatus::DeleteFailed);
    assert!(got.status_reasons()[0].contains("deletion failed"));
    emu.set_faults(Faults::none());
    ctl.delete_policy_engine()
        .policy_engine_id(pe.policy_engine_id())
        .send()
        .await
        .unwrap();
    let gone = ctl
        .get_policy_engine()
        .policy_engine_id(pe.policy_engine_id())
        .send()
        .await
        .unwrap_err();
    assert!(
        gone.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
}

#[tokio::test]
async fn get_needs_the_callers_decrypt_and_failed_kms_uses_are_logged() {
    let emu = start().await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let kms = client!(aws_sdk_kms, emu);
    let trail = client!(aws_sdk_cloudtrail, emu);
    // The caller may describe the key and generate data keys, but not decrypt.
    let full: serde_json::Value = serde_json::from_str(&demo::recommendation_key_policy(
        "111122223333",
        "us-east-1",
        "AgentCoreDeployer",
        true,
    ))
    .unwrap();
    let mut policy = full.clone();
    policy["Statement"][1]["Action"] = serde_json::json!("kms:GenerateDataKey");
    let key = kms
        .create_key()
        .policy(policy.to_string())
        .bypass_policy_lockout_safety_check(true)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    let rec = start_rec!(dpc, "write_only", Some(key.arn().unwrap().to_string())).unwrap();
    let e = dpc
        .get_recommendation()
        .recommendation_id(rec.recommendation_id())
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error().unwrap().is_access_denied_exception(),
        "{e:?}"
    );
    // The workflow itself ran: the service principal is allowed.
    let listed = dpc
        .list_recommendations()
        .status_filter(dp::RecommendationStatus::Completed)
        .max_results(100)
        .send()
        .await
        .unwrap();
    assert!(
        listed
            .recommendation_summaries()
            .iter()
            .any(|s| s.recommendation_id() == rec.recommendation_id())
    );

    // A Get refused because the key is disabled shows up as a failed Decrypt.
    kms.put_key_policy()
        .key_id(key.key_id())
        .policy(full.to_string())
        .bypass_policy_lockout_safety_check(true)
        .send()
        .await
        .unwrap();
    kms.disable_key().key_id(key.key_id()).send().await.unwrap();
    dpc.get_recommendation()
        .recommendation_id(rec.recommendation_id())
        .send()
        .await
        .unwrap_err();
    use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
    let decrypts = trail
        .lookup_events()
        .lookup_attributes(
            LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::EventName)
                .attribute_value("Decrypt")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let newest: serde_json::Value =
        serde_json::from_str(decrypts.events()[0].cloud_trail_event().unwrap()).unwrap();
    assert_eq!(newest["errorCode"], "DisabledException");
    assert_eq!(
        newest["userIdentity"]["invokedBy"],
        "bedrock-agentcore.amazonaws.com"
    );
    assert_eq!(
        newest["requestParameters"]["encryptionContext"]["aws:bedrock-agentcore:recommendationArn"],
        rec.recommendation_arn()
    );
}

#[tokio::test]
async fn tags_follow_aws_rules() {
    let emu = start_empty().await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    let e = ctl
        .create_gateway()
        .name("tagged")
        .role_arn(role())
        .authorizer_type(cp::AuthorizerType::None)
        .tags("aws:reserved", "x")
        .tags("ok", "fine")
        .send()
        .await
        .unwrap_err();
    let aws_sdk_bedrockagentcorecontrol::operation::create_gateway::CreateGatewayError::ValidationException(v) = e.as_service_error().unwrap() else {
        panic!("{e:?}")
    };
    assert_eq!(
        v.field_list().iter().map(|f| f.name()).collect::<Vec<_>>(),
        ["tags.aws:reserved"]
    );
    let gw = ctl
        .create_gateway()
        .name("tagged")
        .role_arn(role())
        .authorizer_type(cp::AuthorizerType::None)
        .send()
        .await
        .unwrap();
    let long = ctl
        .tag_resource()
        .resource_arn(gw.gateway_arn())
        .tags("k", "v".repeat(257))
        .send()
        .await
        .unwrap_err();
    assert!(long.as_service_error().unwrap().is_validation_exception());
    let mut many = ctl.tag_resource().resource_arn(gw.gateway_arn());
    for i in 0..50 {
        many = many.tags(format!("k{i}"), "v");
    }
    many.send().await.unwrap();
    let over = ctl
        .tag_resource()
        .resource_arn(gw.gateway_arn())
        .tags("one-more", "v")
        .send()
        .await
        .unwrap_err();
    assert!(
        over.as_service_error()
            .unwrap()
            .is_service_quota_exceeded_exception()
    );
    let tags = ctl
        .list_tags_for_resource()
        .resource_arn(gw.gateway_arn())
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags.tags().unwrap().len(),
        50,
        "a refused TagResource changes nothing"
    );
}

/// Requests the AWS models accept that hand-written checks used to refuse.
#[tokio::test]
async fn requests_aws_accepts_are_accepted() {
    let emu = start_empty().await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);

    // eventExpiryDuration is 3–3650 days, not 3–365.
    let mem = ctl
        .create_memory()
        .name("long_memory")
        .event_expiry_duration(3650)
        .send()
        .await
        .unwrap();
    let mem_id = mem.memory().unwrap().id().to_string();
    ctl.get_memory().memory_id(&mem_id).send().await.unwrap();
    ctl.update_memory()
        .memory_id(&mem_id)
        .event_expiry_duration(3650)
        .send()
        .await
        .unwrap();

    // RuntimeContainerUri admits ECR Public and the China partition's ECR.
    let container = |uri: &str| {
        cp::AgentRuntimeArtifact::ContainerConfiguration(
            cp::ContainerConfiguration::builder()
                .container_uri(uri)
                .build()
                .unwrap(),
        )
    };
    let rt = ctl
        .create_agent_runtime()
        .agent_runtime_name("public_agent")
        .agent_runtime_artifact(container("public.ecr.aws/team/agent:1"))
        .role_arn(role())
        .send()
        .await
        .unwrap();
    ctl.get_agent_runtime()
        .agent_runtime_id(rt.agent_runtime_id())
        .send()
        .await
        .unwrap();
    ctl.update_agent_runtime()
        .agent_runtime_id(rt.agent_runtime_id())
        .agent_runtime_artifact(container(
            "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/agent:2",
        ))
        .role_arn(role())
        .send()
        .await
        .unwrap();
    ctl.create_agent_runtime()
        .agent_runtime_name("digest_agent")
        .agent_runtime_artifact(container(
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/agent@sha256:abc",
        ))
        .role_arn(role())
        .send()
        .await
        .unwrap();
    // Still refused, now by the model's pattern: other registries, upper case, no registry.
    for (i, uri) in [
        "docker.io/library/agent:1",
        "111122223333.dkr.ecr.us-east-1.amazonaws.com/Agent:1",
        "repo/agent:1",
    ]
    .into_iter()
    .enumerate()
    {
        let e = ctl
            .create_agent_runtime()
            .agent_runtime_name(format!("refused_{i}"))
            .agent_runtime_artifact(container(uri))
            .role_arn(role())
            .send()
            .await
            .unwrap_err();
        let aws_sdk_bedrockagentcorecontrol::operation::create_agent_runtime::CreateAgentRuntimeError::ValidationException(v) =
            e.as_service_error().unwrap()
        else {
            panic!("{uri}: {e:?}")
        };
        assert!(
            v.message()
                .contains("Member must satisfy regular expression pattern"),
            "{uri}: {v:?}"
        );
    }

    // Gateways and their targets list up to 1000 a page.
    let gw = ctl
        .create_gateway()
        .name("big-page")
        .role_arn(role())
        .authorizer_type(cp::AuthorizerType::None)
        .send()
        .await
        .unwrap();
    let page = ctl.list_gateways().max_results(1000).send().await.unwrap();
    assert_eq!(page.items().len(), 1);
    ctl.list_gateway_targets()
        .gateway_identifier(gw.gateway_id())
        .max_results(1000)
        .send()
        .await
        .unwrap();

    // Third-party evaluators are AWS's, like built-in ones, not resources of the account.
    ctl.create_online_evaluation_config()
        .online_evaluation_config_name("third_party_eval")
        .rule(
            cp::Rule::builder()
                .sampling_config(
                    cp::SamplingConfig::builder()
                        .sampling_percentage(10.0)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .data_source_config(cp::DataSourceConfig::CloudWatchLogs(
            cp::CloudWatchLogsInputConfig::builder()
                .log_group_names("/aws/agent")
                .service_names("agent.DEFAULT")
                .build()
                .unwrap(),
        ))
        .evaluators(cp::EvaluatorReference::EvaluatorId(
            "ThirdParty.vendor.toxicity".into(),
        ))
        .evaluation_execution_role_arn(role())
        .enable_on_create(false)
        .send()
        .await
        .unwrap();
    emu.shutdown().await;
}
