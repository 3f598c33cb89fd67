//! Injected faults: each operation's error names, failed states, retries and dropped connections.

use agentcore_emulator::demo::keys;
use agentcore_emulator::{Config, Faults, Timing, World};
use aws_sdk_bedrockagentcorecontrol::types as cp;

use crate::common::{assert_code, client, code, role, s3, start_with};

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
    assert_code(&e, "InternalServerException");
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
    assert_code(&gone, "ResourceNotFoundException");
}

#[tokio::test]
async fn sdk_retries_absorb_injected_throttling() {
    let faults =
        Faults::parse("op=GetCallerIdentity:throttle=0.5,op=DescribeKey:throttle=0.5,seed=7")
            .unwrap();
    let emu = start_with(Config {
        timing: Timing::instant(),
        faults,
        ..Default::default()
    })
    .await;
    let sts_no_retry = client!(aws_sdk_sts, emu);
    let mut throttled = 0;
    for _ in 0..20 {
        if let Err(e) = sts_no_retry.get_caller_identity().send().await {
            assert_eq!(code(&e), "Throttling");
            throttled += 1;
        }
    }
    assert!(throttled > 0, "the fault was injected");
    let sts = client!(aws_sdk_sts, emu, "us-east-1", true);
    let kms = client!(aws_sdk_kms, emu, "us-east-1", true);
    for _ in 0..20 {
        sts.get_caller_identity()
            .send()
            .await
            .expect("retried until it went through");
        kms.describe_key()
            .key_id(keys::CORRECT)
            .send()
            .await
            .expect("retried until it went through");
    }
    emu.set_faults(Faults::parse("op=ListKeys:5xx=1.0").unwrap());
    let kms_no_retry = client!(aws_sdk_kms, emu);
    let e = kms_no_retry.list_keys().send().await.unwrap_err();
    assert_eq!(code(&e), "KMSInternalException");
    assert_eq!(e.raw_response().unwrap().status().as_u16(), 500);

    emu.set_faults(Faults::parse("op=GetCallerIdentity:drop=1.0").unwrap());
    let e = sts_no_retry.get_caller_identity().send().await.unwrap_err();
    assert!(
        e.as_service_error().is_none(),
        "a dropped connection is not a service error: {e:?}"
    );
    emu.set_faults(Faults::none());
    sts_no_retry.get_caller_identity().send().await.unwrap();
}

#[tokio::test]
async fn large_uploads_and_retried_dropped_connections() {
    let emu = start_with(Config {
        world: World::Empty,
        timing: Timing::instant(),
        faults: Faults::parse("op=HeadObject:drop=0.5,seed=3").unwrap(),
        ..Default::default()
    })
    .await;
    let s3 = s3!(emu, "us-east-1", true);
    s3.create_bucket()
        .bucket("big-artifacts")
        .send()
        .await
        .unwrap();
    let body: Vec<u8> = (0..6 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    s3.put_object()
        .bucket("big-artifacts")
        .key("runtime.zip")
        .body(body.into())
        .send()
        .await
        .unwrap();
    for _ in 0..10 {
        let head = s3
            .head_object()
            .bucket("big-artifacts")
            .key("runtime.zip")
            .send()
            .await
            .expect("retried past dropped connections");
        assert_eq!(head.content_length(), Some(6 * 1024 * 1024));
    }
}
