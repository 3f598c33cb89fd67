//! The policy engine with its Cedar permit and forbids, and attaching it to the gateway.

use aws_sdk_bedrockagentcorecontrol::types::{GatewayPolicyEngineMode, Policy as PolicySummary};

use super::{GatewayRef, Lc, Located, Outcome, Run};
use crate::aws::{self, Category};
use crate::deploy::cloud::{self, Found, call};
use crate::deploy::events::ResourcePhase;
use crate::deploy::poll;
use crate::deploy::sdk::{self, fingerprint, hash_map};
use crate::plan::CedarPolicySpec;
use crate::plan::cedar::CedarError;

impl<'a> Run<'a> {
    pub(super) async fn cedar(
        &self,
        lc: &Lc<'_>,
        s: &CedarPolicySpec,
    ) -> Result<(Outcome, String), aws::Error> {
        let c = self.c();
        let gw = self.gateway()?;
        let hash = cedar_hash(s, &gw.arn);
        let engine = self
            .locate_or_create(
                lc,
                &hash,
                || cloud::find_policy_engine(c, &s.engine_name),
                move || async move {
                    lc.calling("CreatePolicyEngine");
                    let o = call(
                        c,
                        "CreatePolicyEngine",
                        c.control
                            .create_policy_engine()
                            .name(&s.engine_name)
                            .description(crate::plan::cedar::engine_description(&s.prompts))
                            .set_tags(Some(hash_map(&s.tags)))
                            .send(),
                    )
                    .await?;
                    Ok(Found {
                        id: o.policy_engine_id().to_owned(),
                        arn: o.policy_engine_arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::policy_engine_probe(c, &id).await },
            )
            .await?;
        let ef = engine.found().clone();
        let ef_id = ef.id.as_str();
        let new_engine = matches!(engine, Located::New(_));

        // AgentCore denies every call no permit allows, so the gateway must never enforce this
        // engine before its baseline permit is ACTIVE: it is attached in LOG_ONLY (the engine
        // learns the gateway's tool actions from the association), the policies are made, and
        // only then does the gateway enforce.
        // A brand-new engine has no policies and no gateway yet: skip the lookups.
        let (attached, existing) = if new_engine {
            (None, Vec::new())
        } else {
            let attached = self.attached_mode(&gw, &ef.arn).await?;
            lc.calling("ListPolicies");
            (attached, cloud::list_policies(c, &ef.id).await?)
        };
        let cfg_err =
            |e: CedarError| aws::Error::new(Category::Configuration, "CreatePolicy", e.to_string());
        let mut wanted = vec![(
            s.permit.policy_name.clone(),
            s.permit.statement(&gw.arn).map_err(cfg_err)?,
            s.permit.description(),
        )];
        for f in &s.forbids {
            let stmt = f.statement(&gw.arn).map_err(cfg_err)?;
            wanted.push((f.policy_name.clone(), stmt, f.description()));
        }
        let same_policy = |p: &PolicySummary, stmt: &str, desc: &str| {
            p.description() == Some(desc)
                && p.definition().is_some_and(|d| match d {
                    aws_sdk_bedrockagentcorecontrol::types::PolicyDefinition::Cedar(cp) => {
                        cp.statement() == stmt
                    }
                    _ => false,
                })
        };
        let permit_ready = existing.iter().any(|p| {
            p.name() == wanted[0].0
                && *p.status() == aws_sdk_bedrockagentcorecontrol::types::PolicyStatus::Active
                && same_policy(p, &wanted[0].1, &wanted[0].2)
        });
        let keep_enforcing = attached == Some(GatewayPolicyEngineMode::Enforce) && permit_ready;
        if !keep_enforcing && attached != Some(GatewayPolicyEngineMode::LogOnly) {
            self.attach(lc, &gw, &ef.arn, GatewayPolicyEngineMode::LogOnly)
                .await?;
        }

        // One policy per blocked tool, named after the tool, made concurrently; a policy whose
        // tool no longer appears in any blocklist is deleted.
        let results = futures_util::future::join_all(wanted.iter().map(|(name, stmt, desc)| {
            let existing = &existing;
            let same_policy = &same_policy;
            async move {
                let have = existing.iter().find(|p| p.name() == name);
                let same = have.is_some_and(|p| same_policy(p, stmt, desc));
                let definition =
                    aws_sdk_bedrockagentcorecontrol::types::PolicyDefinition::Cedar(sdk::built(
                        aws_sdk_bedrockagentcorecontrol::types::CedarPolicy::builder()
                            .statement(stmt)
                            .build(),
                        "Cedar policy",
                    )?);
                let id = match have {
                    Some(p) if same => p.policy_id().to_owned(),
                    Some(p) => {
                        call(
                            c,
                            "UpdatePolicy",
                            c.control
                                .update_policy()
                                .policy_engine_id(ef_id)
                                .policy_id(p.policy_id())
                                .definition(definition)
                                .description(
                                    aws_sdk_bedrockagentcorecontrol::types::UpdatedDescription::builder()
                                        .optional_value(desc)
                                        .build(),
                                )
                                .send(),
                        )
                        .await?;
                        p.policy_id().to_owned()
                    }
                    None => call(
                        c,
                        "CreatePolicy",
                        c.control
                            .create_policy()
                            .policy_engine_id(ef_id)
                            .name(name)
                            .description(desc)
                            .definition(definition)
                            .send(),
                    )
                    .await?
                    .policy_id()
                    .to_owned(),
                };
                poll::until_ready(
                    "cedar policy",
                    name,
                    &self.dep.poll,
                    &self.dep.cancel,
                    |_| {},
                    || cloud::policy_probe(c, ef_id, &id),
                )
                .await?;
                Ok::<String, aws::Error>(id)
            }
        }))
        .await;
        let mut ids = Vec::new();
        for r in results {
            ids.push(r?);
        }
        for p in existing
            .iter()
            .filter(|p| !wanted.iter().any(|(n, _, _)| n == p.name()))
        {
            call(
                c,
                "DeletePolicy",
                c.control
                    .delete_policy()
                    .policy_engine_id(&ef.id)
                    .policy_id(p.policy_id())
                    .send(),
            )
            .await?;
        }
        if !keep_enforcing {
            self.attach(lc, &gw, &ef.arn, GatewayPolicyEngineMode::Enforce)
                .await?;
        }
        self.out.lock().unwrap().engine_arn = Some(ef.arn.clone());
        let extra = [
            ("policy_engine_id", ef.id.clone()),
            ("policy_engine_arn", ef.arn.clone()),
            ("policy_id", ids.last().cloned().unwrap_or_default()),
            ("policy_count", ids.len().to_string()),
            ("gateway_id", gw.id.clone()),
        ];
        Ok(self.finish(lc, &engine, &hash, &extra))
    }

    /// The mode in which the gateway runs this engine, `None` when it runs no engine or another.
    pub(super) async fn attached_mode(
        &self,
        gw: &GatewayRef,
        engine_arn: &str,
    ) -> Result<Option<GatewayPolicyEngineMode>, aws::Error> {
        let c = self.c();
        let current = call(
            c,
            "GetGateway",
            c.control.get_gateway().gateway_identifier(&gw.id).send(),
        )
        .await?;
        Ok(current
            .policy_engine_configuration()
            .filter(|p| p.arn() == engine_arn)
            .map(|p| p.mode().clone()))
    }

    /// UpdateGateway re-sends name, roleArn and authorizerType (all required)
    /// with the engine. The pack has one engine, so whatever else the gateway
    /// enforces (an engine of an older apply) is replaced.
    pub(super) async fn attach(
        &self,
        lc: &Lc<'_>,
        gw: &GatewayRef,
        engine_arn: &str,
        mode: GatewayPolicyEngineMode,
    ) -> Result<(), aws::Error> {
        use aws_sdk_bedrockagentcorecontrol::types as t;
        let c = self.c();
        lc.calling(&format!("UpdateGateway ({})", mode.as_str()));
        call(
            c,
            "UpdateGateway",
            c.control
                .update_gateway()
                .gateway_identifier(&gw.id)
                .name(&gw.name)
                .role_arn(&gw.role_arn)
                .protocol_type(t::GatewayProtocolType::Mcp)
                .authorizer_type(t::AuthorizerType::None)
                .policy_engine_configuration(sdk::built(
                    t::GatewayPolicyEngineConfiguration::builder()
                        .arn(engine_arn)
                        .mode(mode)
                        .build(),
                    "policy engine configuration",
                )?)
                .send(),
        )
        .await?;
        poll::until_ready(
            "gateway",
            &gw.name,
            &self.dep.poll,
            &self.dep.cancel,
            |s| lc.phase(ResourcePhase::Waiting(format!("gateway {s}")), None),
            || cloud::gateway_probe(c, &gw.id),
        )
        .await?;
        Ok(())
    }
}

pub(crate) fn cedar_hash(s: &CedarPolicySpec, gateway_arn: &str) -> String {
    fingerprint(&(s, gateway_arn))
}
