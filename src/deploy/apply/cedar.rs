//! The policy engine with its Cedar permit and forbids, and attaching it to the gateway.

use aws_sdk_bedrockagentcorecontrol::types::{GatewayPolicyEngineMode, Policy as PolicySummary};

use super::{GatewayRef, Lc, Located, Outcome, ResourceOutcome, Run};
use crate::aws::{self, Category};
use crate::deploy::cloud::{self, Found, call};
use crate::deploy::events::{ResourcePhase, Step};
use crate::deploy::poll;
use crate::deploy::sdk::{self, fingerprint, hash_map};
use crate::deploy::state::{RecordStatus, ResourceRecord};
use crate::plan::cedar::CedarError;
use crate::plan::{CedarPolicySpec, POLICY_ENGINE_KIND, ResourceKind};

impl<'a> Run<'a> {
    /// The pack's policy engine, made from the start: CreatePolicyEngine names no gateway.
    /// `true` when it is ACTIVE.
    pub(super) async fn ensure_engine(&self, s: &CedarPolicySpec) -> bool {
        let c = self.c();
        let lc = self.lc(Step::CedarPolicies, POLICY_ENGINE_KIND, &s.engine_name);
        let lc = &lc;
        lc.phase(ResourcePhase::Pending, None);
        self.adopt_recorded_engine(s);
        let hash = engine_hash(s);
        let res = self
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
            .await;
        let engine = match res {
            Ok(loc) => {
                let (result, arn) = self.finish(lc, &loc, &hash, &[]);
                lc.phase(
                    match result {
                        Outcome::Adopted => ResourcePhase::Adopted,
                        Outcome::Unchanged => ResourcePhase::Unchanged,
                        _ => ResourcePhase::Ready,
                    },
                    Some(&arn),
                );
                self.outcome(
                    Step::CedarPolicies,
                    ResourceOutcome {
                        kind: POLICY_ENGINE_KIND.to_owned(),
                        name: s.engine_name.clone(),
                        result,
                        arn: Some(arn),
                        error: None,
                        reason: None,
                    },
                );
                Ok((loc.found().clone(), matches!(loc, Located::New(_))))
            }
            Err(e) => {
                self.failed(lc, e.clone());
                Err(e)
            }
        };
        let ok = engine.is_ok();
        self.out.lock().unwrap().engine = Some(engine);
        ok
    }

    /// Versions before the engine was a node of its own recorded it only inside the Cedar
    /// resource: that record becomes the engine's, so the engine is checked, not created again.
    fn adopt_recorded_engine(&self, s: &CedarPolicySpec) {
        let st = self.dep.store.snapshot();
        if st.get(POLICY_ENGINE_KIND, &s.engine_name).is_some() {
            return;
        }
        let Some(old) = st.get(ResourceKind::CedarPolicy.as_str(), &s.engine_name) else {
            return;
        };
        let Some(id) = old.meta("policy_engine_id").filter(|i| !i.is_empty()) else {
            return;
        };
        let mut rec = ResourceRecord::new(POLICY_ENGINE_KIND, &s.engine_name);
        rec.arn = old.meta("policy_engine_arn").map(str::to_owned);
        rec.status = Some(RecordStatus::Created);
        rec.created_at = old.created_at;
        rec.metadata.insert("id".into(), id.to_owned());
        rec.metadata.insert("spec_hash".into(), engine_hash(s));
        if let Err(e) = self.dep.store.upsert(rec) {
            self.dep.events.warn(format!("state not saved: {e}"));
        }
    }

    fn engine(&self) -> Result<(Found, bool), aws::Error> {
        match &self.out.lock().unwrap().engine {
            Some(Ok(e)) => Ok(e.clone()),
            Some(Err(e)) => {
                let mut e = e.clone();
                e.message = format!("the policy engine could not be created: {}", e.message);
                Err(e)
            }
            None => Err(aws::Error::new(
                Category::Configuration,
                "UpdateGateway",
                "no policy engine to attach to the gateway",
            )),
        }
    }

    /// The engine's attachment to the gateway and its policies: attached in LOG_ONLY, the
    /// policies made, then ENFORCE.
    pub(super) async fn cedar(
        &self,
        lc: &Lc<'_>,
        s: &CedarPolicySpec,
    ) -> Result<(Outcome, String), aws::Error> {
        let c = self.c();
        let gw = self.gateway()?;
        let (ef, new_engine) = self.engine()?;
        let hash = cedar_hash(s, &gw.arn);
        let rec = self.dep.store.snapshot().get(&lc.kind, &lc.name).cloned();
        // Recorded before the attach, so a destroy after a crash from here on detaches the
        // engine and deletes its policies.
        let mut creating = rec
            .clone()
            .unwrap_or_else(|| ResourceRecord::new(&lc.kind, &lc.name));
        if creating.status.is_none() {
            creating.status = Some(RecordStatus::Creating);
        }
        creating.arn = Some(ef.arn.clone());
        creating.metadata.insert("id".into(), ef.id.clone());
        creating
            .metadata
            .insert("policy_engine_id".into(), ef.id.clone());
        creating
            .metadata
            .insert("policy_engine_arn".into(), ef.arn.clone());
        creating.metadata.insert("gateway_id".into(), gw.id.clone());
        self.dep
            .store
            .upsert(creating)
            .map_err(|e| aws::Error::new(Category::Configuration, "SaveState", e.to_string()))?;
        lc.phase(ResourcePhase::Pending, Some(&ef.arn));
        let engine = match &rec {
            Some(r)
                if r.meta("spec_hash") == Some(hash.as_str())
                    && matches!(
                        r.status,
                        Some(RecordStatus::Created) | Some(RecordStatus::Updated)
                    ) =>
            {
                Located::Current(ef.clone())
            }
            Some(r) if r.status != Some(RecordStatus::Creating) => Located::Stale(ef.clone()),
            _ => Located::New(ef.clone()),
        };
        let ef_id = ef.id.as_str();

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
        let waited = std::sync::atomic::AtomicBool::new(false);
        let waited = &waited;
        let results = self.timed(lc, async {
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
                    |_| waited.store(true, std::sync::atomic::Ordering::Relaxed),
                    || cloud::policy_probe(c, ef_id, &id),
                )
                .await?;
                Ok::<String, aws::Error>(id)
            }
        }))
        .await;
            (results, waited.load(std::sync::atomic::Ordering::Relaxed))
        })
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
        self.timed(lc, async {
            let mut waited = false;
            let r = poll::until_ready(
                "gateway",
                &gw.name,
                &self.dep.poll,
                &self.dep.cancel,
                |s| {
                    waited = true;
                    lc.phase(ResourcePhase::Waiting(format!("gateway {s}")), None)
                },
                || cloud::gateway_probe(c, &gw.id),
            )
            .await;
            (r, waited)
        })
        .await?;
        Ok(())
    }
}

/// Nothing of the engine is changed after its Create (its policies and its attachment are the
/// Cedar resource's), so only its name tells one engine from another.
pub(crate) fn engine_hash(s: &CedarPolicySpec) -> String {
    fingerprint(&s.engine_name)
}

pub(crate) fn cedar_hash(s: &CedarPolicySpec, gateway_arn: &str) -> String {
    fingerprint(&(s, gateway_arn))
}
