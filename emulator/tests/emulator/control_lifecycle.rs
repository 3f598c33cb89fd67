//! Create/Get/Update/Delete/List, validation, conflicts, idempotency, paging and tags, common to every control-plane kind.

use std::collections::HashSet;

use agentcore_emulator::{Config, Faults, Timing, World};
use aws_sdk_bedrockagentcore::types as dp;
use aws_sdk_bedrockagentcorecontrol::types as cp;

use crate::common::{
    assert_code, assert_validation, client, code, container_artifact, role, start_empty, start_rec,
    start_with,
};

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
    let body = assert_validation(&bad, &["name", "roleArn", "authorizerType"]);
    assert_eq!(body["reason"], "FieldValidationFailed");

    let artifact = container_artifact("111122223333.dkr.ecr.us-east-1.amazonaws.com/agent:1");
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
    assert_code(&mismatch, "ValidationException");
    let dup = ctl
        .create_agent_runtime()
        .agent_runtime_name("support_agent")
        .agent_runtime_artifact(artifact)
        .role_arn(role())
        .send()
        .await
        .unwrap_err();
    assert_code(&dup, "ConflictException");
    let hyphen = ctl
        .create_agent_runtime()
        .agent_runtime_name("support-agent")
        .agent_runtime_artifact(container_artifact(
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/x",
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
        .agent_runtime_artifact(container_artifact("docker.io/library/agent:1"))
        .role_arn(role())
        .send()
        .await
        .unwrap_err();
    assert_validation(
        &docker_hub,
        &["agentRuntimeArtifact.containerConfiguration.containerUri"],
    );
    let nf = ctl
        .get_agent_runtime()
        .agent_runtime_id("missing-1234567890")
        .send()
        .await
        .unwrap_err();
    assert_code(&nf, "ResourceNotFoundException");
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
    assert_code(&bad, "ValidationException");
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
    let artifact = container_artifact("111122223333.dkr.ecr.us-east-1.amazonaws.com/agent:1");
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
    assert_validation(&e, &["tags.aws:reserved"]);
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
    assert_code(&long, "ValidationException");
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
    assert_code(&over, "ServiceQuotaExceededException");
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
