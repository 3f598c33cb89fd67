//! Gateways and their targets.

use aws_sdk_bedrockagentcorecontrol::types as cp;

use crate::common::{assert_code, assert_message, client, role, start_empty};

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
    assert_code(&dup, "ConflictException");

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
    assert_code(&blocked, "ValidationException");
    assert_message(&blocked, "targets");

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
    assert_code(&gone, "ResourceNotFoundException");

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
    assert_code(&nf, "ResourceNotFoundException");

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
