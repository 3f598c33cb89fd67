//! Agent runtimes (created, adopted or updated with the composed environment) and the A2A
//! wiring that gives the entry runtime its members' endpoints.

use super::*;

impl<'a> Run<'a> {
    pub(super) fn runtime_env(
        &self,
        s: &RuntimeSpec,
        with_agents: bool,
    ) -> BTreeMap<String, String> {
        let out = self.out.lock().unwrap();
        let mut env = compose_env(s, out.memory_arn.as_deref(), out.engine_arn.as_deref());
        if with_agents
            && s.is_entry
            && let Some(agents) = self.agents_json(&out)
        {
            env.insert("PROMPTPACK_AGENTS".into(), agents);
        }
        env
    }

    /// `{member: runtime ARN}` once every member runtime exists.
    pub(super) fn agents_json(&self, out: &Outputs) -> Option<String> {
        let mut m = serde_json::Map::new();
        for r in self
            .plan
            .resources()
            .filter(|r| r.kind == ResourceKind::AgentRuntime)
        {
            let ResourceSpec::AgentRuntime(s) = &r.spec else {
                continue;
            };
            let member = s.agent.clone()?;
            m.insert(
                member,
                serde_json::Value::String(out.runtimes.get(&r.name)?.arn.clone()),
            );
        }
        Some(serde_json::Value::Object(m).to_string())
    }

    pub(super) async fn artifact(&self) -> Result<RuntimeArtifact, aws::Error> {
        self.artifact
            .get_or_init(|| self.prepare_artifact())
            .await
            .clone()
    }

    pub(super) async fn update_runtime(
        &self,
        lc: &Lc<'_>,
        id: &str,
        s: &RuntimeSpec,
        art: &RuntimeArtifact,
        env: &BTreeMap<String, String>,
    ) -> Result<(), aws::Error> {
        let c = self.c();
        lc.calling("UpdateAgentRuntime");
        let mut req = c
            .control
            .update_agent_runtime()
            .agent_runtime_id(id)
            .agent_runtime_artifact(art.to_sdk())
            .role_arn(&s.role_arn)
            .network_configuration(sdk::network_public()?)
            .set_environment_variables(Some(hash_map(env)));
        if let Some(p) = &s.server_protocol {
            req = req.protocol_configuration(sdk::protocol(p)?);
        }
        if let Some(a) = &s.authorizer {
            req = req.authorizer_configuration(sdk::jwt_authorizer(a)?);
        }
        call(c, "UpdateAgentRuntime", req.send()).await?;
        self.wait(lc, || cloud::runtime_probe(c, id)).await?;
        Ok(())
    }

    pub(super) async fn runtime(
        &self,
        lc: &Lc<'_>,
        s: &RuntimeSpec,
    ) -> Result<(Outcome, String), aws::Error> {
        let c = self.c();
        let art = self.artifact().await?;
        let env = self.runtime_env(s, false);
        let hash = runtime_hash(s, &art, &env);
        let (art_ref, env_ref) = (&art, &env);
        let loc = self
            .locate_or_create(
                lc,
                &hash,
                || cloud::find_runtime(c, &lc.name),
                move || async move {
                    lc.calling("CreateAgentRuntime");
                    let mut req = c
                        .control
                        .create_agent_runtime()
                        .agent_runtime_name(&lc.name)
                        .agent_runtime_artifact(art_ref.to_sdk())
                        .role_arn(&s.role_arn)
                        .network_configuration(sdk::network_public()?)
                        .set_environment_variables(Some(hash_map(env_ref)))
                        .set_tags(Some(hash_map(&s.tags)));
                    if let Some(p) = &s.server_protocol {
                        req = req.protocol_configuration(sdk::protocol(p)?);
                    }
                    if let Some(a) = &s.authorizer {
                        req = req.authorizer_configuration(sdk::jwt_authorizer(a)?);
                    }
                    let o = call(c, "CreateAgentRuntime", req.send()).await?;
                    Ok(Found {
                        id: o.agent_runtime_id().to_owned(),
                        arn: o.agent_runtime_arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::runtime_probe(c, &id).await },
            )
            .await?;
        if let Located::Stale(f) | Located::Adopted(f) = &loc {
            // Existing runtimes are updated in place, never recreated.
            self.update_runtime(lc, &f.id, s, &art, &env).await?;
            call(
                c,
                "TagResource",
                c.control
                    .tag_resource()
                    .resource_arn(&f.arn)
                    .set_tags(Some(hash_map(&s.tags)))
                    .send(),
            )
            .await?;
        }
        {
            let mut out = self.out.lock().unwrap();
            out.runtimes.insert(lc.name.clone(), loc.found().clone());
            if !matches!(loc, Located::Current(_)) {
                out.changed_runtimes.insert(lc.name.clone());
            }
        }
        let loc = match loc {
            Located::Adopted(f) => Located::Stale(f),
            other => other,
        };
        Ok(self.finish(lc, &loc, &hash, &[]))
    }

    // ---- A2A ----

    /// The entry runtime learns its peers (`PROMPTPACK_AGENTS`), updated
    /// only when the map changed.
    pub(super) async fn wire_a2a(&self) {
        let res = self.wire_a2a_inner().await;
        if let Err(e) = &res {
            self.dep.events.send(Event::Error {
                step: Some(Step::A2aWiring),
                kind: ResourceKind::AgentRuntime.to_string(),
                name: "entry".into(),
                category: e.category,
                message: e.message.clone(),
                hint: e.hint.clone(),
            });
        }
        self.out.lock().unwrap().a2a = Some(res);
    }

    pub(super) async fn wire_a2a_inner(&self) -> Result<(), aws::Error> {
        let c = self.c();
        let Some((entry, spec)) = self.plan.resources().find_map(|r| match &r.spec {
            ResourceSpec::AgentRuntime(s) if s.is_entry => Some((r, s)),
            _ => None,
        }) else {
            return Ok(());
        };
        let (found, agents, changed) = {
            let out = self.out.lock().unwrap();
            (
                out.runtimes.get(&entry.name).cloned(),
                self.agents_json(&out),
                out.changed_runtimes.contains(&entry.name),
            )
        };
        let (Some(found), Some(agents)) = (found, agents) else {
            return Err(aws::Error::new(
                Category::Resource,
                "UpdateAgentRuntime",
                "not every member runtime deployed, so the entry agent cannot be told its peers",
            ));
        };
        // Just created or updated: its env certainly lacks the peers.
        if !changed {
            let cur = call(
                c,
                "GetAgentRuntime",
                c.control
                    .get_agent_runtime()
                    .agent_runtime_id(&found.id)
                    .send(),
            )
            .await?;
            let have = cur
                .environment_variables()
                .and_then(|e| e.get("PROMPTPACK_AGENTS"))
                .cloned();
            if have.as_deref() == Some(agents.as_str()) {
                return Ok(());
            }
        }
        // The entry runtime's own row (its step's): wiring updates that resource, it is not
        // one more, so the counts stay those of the plan.
        let lc = self.lc(
            Step::AgentRuntimes,
            ResourceKind::AgentRuntime.as_str(),
            &entry.name,
        );
        let art = self.artifact().await?;
        let env = self.runtime_env(spec, true);
        self.update_runtime(&lc, &found.id, spec, &art, &env)
            .await?;
        lc.phase(ResourcePhase::Ready, Some(&found.arn));
        self.dep.events.log(format!(
            "entry agent {} now knows its peers (PROMPTPACK_AGENTS)",
            entry.name
        ));
        Ok(())
    }

    pub(super) async fn endpoint(
        &self,
        lc: &Lc<'_>,
        runtime_name: &str,
    ) -> Result<(Outcome, String), aws::Error> {
        if let Some(Err(e)) = &self.out.lock().unwrap().a2a {
            return Err(e.clone());
        }
        let Some(rt) = self.out.lock().unwrap().runtimes.get(runtime_name).cloned() else {
            return Err(aws::Error::new(
                Category::Resource,
                "A2AWiring",
                format!("runtime {runtime_name} is not deployed"),
            ));
        };
        // Logical resource: the member runtime serves A2A itself.
        let prior = self.dep.store.snapshot().get(&lc.kind, &lc.name).cloned();
        let hash = a2a_hash(&rt.arn);
        let loc = if prior
            .as_ref()
            .is_some_and(|p| p.meta("spec_hash") == Some(hash.as_str()))
        {
            Located::Current(rt.clone())
        } else {
            Located::New(rt.clone())
        };
        Ok(self.finish(
            lc,
            &loc,
            &hash,
            &[("runtime_name", runtime_name.to_owned())],
        ))
    }
}

pub(crate) fn runtime_hash(
    s: &RuntimeSpec,
    art: &RuntimeArtifact,
    env: &BTreeMap<String, String>,
) -> String {
    fingerprint(&(s, art, env))
}

pub(crate) fn a2a_hash(runtime_arn: &str) -> String {
    fingerprint(&runtime_arn)
}

/// The runtime environment: the plan's variables plus those only known
/// after earlier steps (promptpack-format.md §5).
pub(crate) fn compose_env(
    s: &RuntimeSpec,
    memory_arn: Option<&str>,
    engine_arn: Option<&str>,
) -> BTreeMap<String, String> {
    let mut env = s.env.clone();
    if s.env_after_apply
        .iter()
        .any(|v| v == "PROMPTPACK_MEMORY_ID")
        && let Some(m) = memory_arn
    {
        env.insert("PROMPTPACK_MEMORY_ID".into(), m.to_owned());
    }
    if s.env_after_apply
        .iter()
        .any(|v| v == "PROMPTPACK_POLICY_ENGINE_ARN")
        && let Some(arn) = engine_arn
    {
        env.insert("PROMPTPACK_POLICY_ENGINE_ARN".into(), arn.to_owned());
    }
    env
}
