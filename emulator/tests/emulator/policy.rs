//! Policy engines and their association with gateways.

use agentcore_emulator::{Config, Timing, World};
use aws_sdk_bedrockagentcorecontrol::types as cp;

use crate::common::{client, role, start_with};

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
