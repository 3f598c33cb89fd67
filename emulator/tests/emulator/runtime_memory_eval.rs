//! Agent runtimes, memories, policies, evaluators and online evaluation configs.

use agentcore_emulator::demo::keys;
use aws_sdk_bedrockagentcorecontrol::types as cp;

use crate::common::{
    assert_code, client, container_artifact, key_arn, role, start, start_empty, start_rec,
};

#[tokio::test]
async fn runtime_memory_policy_and_evaluation_resources() {
    let emu = start_empty().await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    // Runtime: create, get (string timestamps), update (new version), list, delete.
    let artifact = container_artifact("111122223333.dkr.ecr.us-east-1.amazonaws.com/agent:1");
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
    assert_code(&v3, "ResourceNotFoundException");
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
    assert_code(&bad, "ValidationException");
    ctl.delete_memory().memory_id(m.id()).send().await.unwrap();
    let gone = ctl.get_memory().memory_id(m.id()).send().await.unwrap_err();
    assert_code(&gone, "ResourceNotFoundException");

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
    assert_code(&engine_busy, "ValidationException");
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
    assert_code(&alias, "ValidationException");
}
