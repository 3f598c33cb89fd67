//! Agent runtimes, created, adopted or updated with the composed environment; the entry one
//! with its peers' ARNs (`PROMPTPACK_AGENTS`) from their Create answers, so it needs no second
//! update once they are READY.

use std::collections::BTreeMap;

use super::{Lc, Located, Outcome, Run};
use crate::aws::{self, Category};
use crate::deploy::artifact::RuntimeArtifact;
use crate::deploy::cloud::{self, Found, call};
use crate::deploy::destroy;
use crate::deploy::sdk::built;
use crate::deploy::sdk::{fingerprint, hash_map};
use crate::plan::JwtAuthorizer;
use crate::plan::{ResourceKind, ResourcePlan, ResourceSpec, RuntimeSpec};
use aws_sdk_bedrockagentcorecontrol::types as t;

impl<'a> Run<'a> {
    pub(super) fn runtime_env(
        &self,
        s: &RuntimeSpec,
    ) -> Result<BTreeMap<String, String>, aws::Error> {
        let out = self.out.lock().unwrap();
        let agents = if s.is_entry {
            let arn = |name: &str| {
                out.known
                    .get(&(
                        ResourceKind::AgentRuntime.as_str().to_owned(),
                        name.to_owned(),
                    ))
                    .map(|f| f.arn.clone())
            };
            Some(agents_env(self.plan, arn).ok_or_else(|| {
                aws::Error::new(
                    Category::Resource,
                    "CreateAgentRuntime",
                    "not every member runtime exists, so the entry agent cannot be told its peers",
                )
            })?)
        } else {
            None
        };
        Ok(compose_env(
            s,
            out.memory_arn.as_deref(),
            out.engine_arn.as_deref(),
            agents.as_deref(),
        ))
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
            .network_configuration(network_public()?)
            .set_environment_variables(Some(hash_map(env)));
        if let Some(p) = &s.server_protocol {
            req = req.protocol_configuration(protocol(p)?);
        }
        if let Some(a) = &s.authorizer {
            req = req.authorizer_configuration(jwt_authorizer(a)?);
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
        let env = self.runtime_env(s)?;
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
                        .network_configuration(network_public()?)
                        .set_environment_variables(Some(hash_map(env_ref)))
                        .set_tags(Some(hash_map(&s.tags)));
                    if let Some(p) = &s.server_protocol {
                        req = req.protocol_configuration(protocol(p)?);
                    }
                    if let Some(a) = &s.authorizer {
                        req = req.authorizer_configuration(jwt_authorizer(a)?);
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
        self.out
            .lock()
            .unwrap()
            .runtimes
            .insert(lc.name.clone(), loc.found().clone());
        let loc = match loc {
            Located::Adopted(f) => Located::Stale(f),
            other => other,
        };
        // Destroy deletes the code package once every runtime naming it is gone.
        let extra = match &art {
            RuntimeArtifact::Code { bucket, key } => vec![
                (destroy::ARTIFACT_BUCKET, bucket.clone()),
                (destroy::ARTIFACT_KEY, key.clone()),
            ],
            RuntimeArtifact::Container { .. } => Vec::new(),
        };
        Ok(self.finish(lc, &loc, &hash, &extra))
    }

    pub(super) async fn endpoint(
        &self,
        lc: &Lc<'_>,
        runtime_name: &str,
    ) -> Result<(Outcome, String), aws::Error> {
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

/// `PROMPTPACK_AGENTS` of the entry runtime: `{member: runtime ARN}` of every other member (the
/// entry's own ARN is AWS's answer to its Create, so it cannot be in its own Create), once each
/// is known; `None` while one is not.
pub(crate) fn agents_env(
    plan: &ResourcePlan,
    arn: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    let mut m = serde_json::Map::new();
    for r in plan.resources() {
        if let ResourceSpec::AgentRuntime(RuntimeSpec {
            agent: Some(member),
            is_entry: false,
            ..
        }) = &r.spec
        {
            m.insert(member.clone(), serde_json::Value::String(arn(&r.name)?));
        }
    }
    Some(serde_json::Value::Object(m).to_string())
}

/// The runtime environment: the plan's variables plus those only known during apply
/// (promptpack-format.md §5).
pub(crate) fn compose_env(
    s: &RuntimeSpec,
    memory_arn: Option<&str>,
    engine_arn: Option<&str>,
    agents: Option<&str>,
) -> BTreeMap<String, String> {
    let mut env = s.env.clone();
    if s.is_entry
        && s.env_after_apply.iter().any(|v| v == "PROMPTPACK_AGENTS")
        && let Some(a) = agents
    {
        env.insert("PROMPTPACK_AGENTS".into(), a.to_owned());
    }
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

pub fn jwt_authorizer(a: &JwtAuthorizer) -> Result<t::AuthorizerConfiguration, aws::Error> {
    let mut b = t::CustomJwtAuthorizerConfiguration::builder().discovery_url(&a.discovery_url);
    for aud in &a.allowed_audience {
        b = b.allowed_audience(aud);
    }
    for c in &a.allowed_clients {
        b = b.allowed_clients(c);
    }
    Ok(t::AuthorizerConfiguration::CustomJwtAuthorizer(built(
        b.build(),
        "JWT authorizer",
    )?))
}

pub fn network_public() -> Result<t::NetworkConfiguration, aws::Error> {
    built(
        t::NetworkConfiguration::builder()
            .network_mode(t::NetworkMode::Public)
            .build(),
        "network configuration",
    )
}

pub fn protocol(server_protocol: &str) -> Result<t::ProtocolConfiguration, aws::Error> {
    built(
        t::ProtocolConfiguration::builder()
            .server_protocol(t::ServerProtocol::from(server_protocol))
            .build(),
        "protocol configuration",
    )
}
