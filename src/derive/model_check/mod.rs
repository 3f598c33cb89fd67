//! Every value the app will send, held against AWS's published models (`aws_models`) before
//! anything is called: a table from each pack or deploy config field, as the plan derives it,
//! to the operation and member it becomes. AWS answers a value outside its model with a
//! ValidationException, and in an apply that comes after earlier resources already exist; here
//! the same limits, read from the same data the emulator enforces, refuse it at `validate` and
//! `plan` time, naming the field to change.

mod cedar;
mod evaluation;
mod finding;
mod gateway;
mod memory;
mod recommendation;
mod runtime;
mod sites;
mod source;
mod tags;

use crate::config::DeployConfig;
use crate::diagnostic::{CheckContext, Diagnostic};
use crate::pack::Pack;
use crate::plan::{ResourcePlan, ResourceSpec};

pub(crate) use finding::Checks;
pub use sites::*;
use source::config;
pub(crate) use source::req;

use cedar::policies;
use evaluation::{evaluator, online_eval};
use gateway::{gateway, target};
use memory::{memory, memory_settings};
use recommendation::recommendable;
use runtime::{jwt, runtime};
use tags::user_tag;

/// Everything a derived plan will send (and what a recommendation from the pack would),
/// against the model.
pub fn plan(
    plan: &ResourcePlan,
    pack: &Pack,
    cfg: &DeployConfig,
    ctx: &CheckContext,
) -> Vec<Diagnostic> {
    let mut c = Checks::default();
    let mut gateway_done = false;
    for r in plan.resources() {
        match &r.spec {
            ResourceSpec::Memory(s) => memory(&mut c, r, s, cfg),
            ResourceSpec::ToolGateway(s) => {
                if !gateway_done {
                    gateway(&mut c, s, cfg);
                    gateway_done = true;
                }
                target(&mut c, s);
            }
            ResourceSpec::CedarPolicy(s) => policies(&mut c, s, cfg),
            ResourceSpec::AgentRuntime(s) => runtime(&mut c, r, s, plan, pack, cfg, ctx),
            ResourceSpec::A2aEndpoint(_) => {}
            ResourceSpec::Evaluator(s) => evaluator(&mut c, r, s, pack, cfg),
            ResourceSpec::OnlineEvalConfig(s) => online_eval(&mut c, r, s, pack, cfg),
        }
    }
    let mut out = c.diagnostics();
    // A deploy never sends these; only a later `recs start --pack` would, and that refuses
    // them itself. So here they warn instead of blocking the deploy.
    let mut rec = Checks::default();
    recommendable(&mut rec, pack);
    out.extend(rec.diagnostics().into_iter().map(|mut d| {
        d.severity = crate::diagnostic::Severity::Warning;
        d
    }));
    out
}

/// Without a plan (no pack, or one that does not derive): the config values that are sent
/// whatever the pack, i.e. to the runtime and, when configured, the memory.
pub fn config_only(cfg: &DeployConfig, ctx: &CheckContext) -> Vec<Diagnostic> {
    let mut c = Checks::default();
    let memory = cfg.memory_store.is_configured();
    if !cfg.runtime_role_arn.is_empty() {
        let role = config("runtime_role_arn");
        c.text(&role, RT_ROLE, "", &cfg.runtime_role_arn);
        if memory {
            c.text(&role, MEM_ROLE, "", &cfg.runtime_role_arn);
        }
    }
    for (k, v) in &cfg.tags {
        user_tag(&mut c, RT_TAGS, k, v);
        if memory {
            user_tag(&mut c, MEM_TAGS, k, v);
        }
    }
    if memory {
        let m = &cfg.memory_store;
        memory_settings(
            &mut c,
            m.event_expiry_days_or_default(),
            m.encryption_key_arn.as_deref().filter(|k| !k.is_empty()),
            &m.canonical_strategies(),
        );
    }
    if let Some(a) = cfg.a2a_auth.as_ref().filter(|a| a.mode == "jwt") {
        jwt(
            &mut c,
            a.discovery_url.as_deref().unwrap_or(""),
            &a.allowed_audience,
            &a.allowed_clients,
        );
    }
    if let Some(img) = ctx.container_image_uri.as_deref().filter(|s| !s.is_empty()) {
        c.text(&config("container_image_uri"), RT_CONTAINER, "", img);
    }
    c.diagnostics()
}

/// Adds the model's findings to diagnostics already made. A field that already has an error
/// keeps only that one: it is in the adapter's wording, and the value must change anyway.
pub fn merge(into: &mut Vec<Diagnostic>, found: Vec<Diagnostic>) {
    for d in found {
        if !into.iter().any(|e| e.is_error() && e.field == d.field) {
            into.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::from_json_str;
    use crate::config::tags::{TAG_AGENT, TAG_PACK_ID, TAG_VERSION};
    use crate::derive::check;
    use aws_models::model;
    use aws_sdk_bedrockagentcorecontrol::types as t;
    use serde_json::json;

    const COMPLETE: &str = include_str!("../../../tests/fixtures/configs/complete.json");
    const JUDGES: &str = include_str!("../../../tests/fixtures/packs/judges.pack.json");

    fn cfg() -> DeployConfig {
        from_json_str(COMPLETE).unwrap()
    }

    fn judges() -> Pack {
        crate::pack::parse_str(JUDGES).unwrap()
    }

    fn found(pack: &Pack, cfg: &DeployConfig) -> Vec<Diagnostic> {
        let plan = crate::derive::derive(pack, cfg).unwrap();
        plan_check(&plan, pack, cfg)
    }

    fn plan_check(p: &ResourcePlan, pack: &Pack, cfg: &DeployConfig) -> Vec<Diagnostic> {
        plan(p, pack, cfg, &CheckContext::default())
    }

    fn fields(d: &[Diagnostic]) -> Vec<&str> {
        d.iter().map(|d| d.field.as_str()).collect()
    }

    #[test]
    fn every_row_is_a_member_of_its_model() {
        for s in SITES {
            assert!(
                model(s.service)
                    .member_shape(s.operation, s.member)
                    .is_some(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn what_apply_sends_unchanged_is_on_the_model() {
        let ok = |site: Site, sub: &str, v: &str| {
            let m = model(site.service);
            let shape = m
                .member_shape(site.operation, &format!("{}{sub}", site.member))
                .unwrap();
            assert_eq!(
                m.validate(shape, &json!(v), ""),
                vec![],
                "{site:?}{sub} {v}"
            );
        };
        ok(
            control(RT, "networkConfiguration.networkMode"),
            "",
            t::NetworkMode::Public.as_str(),
        );
        ok(
            control(RT, "agentRuntimeArtifact.codeConfiguration.runtime"),
            "",
            t::AgentManagedRuntimeType::Python313.as_str(),
        );
        ok(
            control(RT, "agentRuntimeArtifact.codeConfiguration.entryPoint"),
            ".member",
            crate::plan::runtime::ENTRY_POINT,
        );
        ok(
            control(GW, "protocolType"),
            "",
            t::GatewayProtocolType::Mcp.as_str(),
        );
        ok(
            control(GW, "authorizerType"),
            "",
            t::AuthorizerType::None.as_str(),
        );
        ok(
            TG_CREDENTIAL,
            "",
            t::CredentialProviderType::GatewayIamRole.as_str(),
        );
        for k in [TAG_PACK_ID, TAG_VERSION, TAG_AGENT] {
            ok(RT_TAGS, ".key", k);
        }
    }

    #[test]
    fn a_complete_config_and_pack_raise_nothing() {
        assert_eq!(found(&judges(), &cfg()), vec![]);
        assert_eq!(config_only(&cfg(), &CheckContext::default()), vec![]);
    }

    #[test]
    fn a_long_value_is_named_cut_short_and_given_its_limit() {
        let mut pack = judges();
        pack.evals[0].description = Some(format!("Brand voice: {}", "b".repeat(188)));
        let d = found(&pack, &cfg());
        assert_eq!(fields(&d), ["pack.evals[0].description"]);
        let m = &d[0].message;
        assert!(
            m.starts_with(&format!(
                "pack field evals[0].description = \"Brand voice: {}…\" (201 characters)",
                "b".repeat(27)
            )),
            "{m}"
        );
        assert!(m.contains("description of CreateEvaluator"), "{m}");
        assert!(m.ends_with("less than or equal to 200"), "{m}");
        assert_eq!(
            d[0].hint.as_deref(),
            Some("in the pack, shorten it to at most 200 characters (it has 201)")
        );
        assert!(d[0].is_error());
    }

    #[test]
    fn tags_count_with_the_default_tags() {
        let mut c = cfg();
        c.tags = (0..48).map(|i| (format!("k{i}"), "v".into())).collect();
        assert_eq!(found(&judges(), &c), vec![]);
        c.tags.insert("k48".into(), "v".into());
        let d = found(&judges(), &c);
        assert_eq!(fields(&d), ["tags"]);
        assert!(d[0].message.contains("51 entries"), "{}", d[0].message);
        assert!(
            d[0].message.contains("tags of CreateMemory, CreateGateway, CreatePolicyEngine, CreateAgentRuntime, CreateEvaluator, CreateOnlineEvaluationConfig"),
            "{}",
            d[0].message
        );
        let h = d[0].hint.as_deref().unwrap();
        assert!(
            h.contains("2 promptpack:* tag(s), so at most 48 of your own"),
            "{h}"
        );
    }

    #[test]
    fn a_tag_outside_the_models_characters_names_the_culprit() {
        let mut c = cfg();
        c.tags.insert("team".into(), "équipe".into());
        let d = config_only(&c, &CheckContext::default());
        assert_eq!(fields(&d), ["tags.team"]);
        assert!(
            d[0].message
                .starts_with("deploy config: tags.team = \"équipe\"")
        );
        assert!(
            d[0].hint
                .as_deref()
                .unwrap()
                .ends_with("(without 'é' it would)")
        );
        // The same in the whole check, once, though every Create takes the tags.
        let all = check(&c, Some(&judges()), &CheckContext::default());
        assert_eq!(all.iter().filter(|d| d.field == "tags.team").count(), 1);
    }

    #[test]
    fn builtin_ids_and_sampling_are_held_to_the_online_evaluation_config() {
        let mut pack = judges();
        let b = pack.evals.iter().position(|e| e.is_builtin()).unwrap();
        pack.evals[b].id = "Helpfulness".into();
        // The first params.sample_percentage wins (helpfulness, evals[1]).
        pack.evals[1]
            .params
            .insert("sample_percentage".into(), json!(0.001));
        let d = found(&pack, &cfg());
        assert_eq!(
            fields(&d),
            [
                "pack.evals[1].params.sample_percentage".to_string(),
                format!("pack.evals[{b}].id")
            ]
        );
        assert!(d[0].message.contains("greater than or equal to 0.01"));
        assert!(
            d[1].hint
                .as_deref()
                .unwrap()
                .contains("Builtin.Helpfulness")
        );
    }

    #[test]
    fn tool_targets_are_held_to_the_gateway_target() {
        let mut c = cfg();
        c.tool_targets.insert(
            "get_weather".into(),
            crate::config::ToolTarget {
                http: Some(crate::config::HttpTarget {
                    url: Some("http://weather.internal/mcp".into()),
                    method: None,
                }),
                ..Default::default()
            },
        );
        c.tool_targets.insert(
            "delete-account".into(),
            crate::config::ToolTarget {
                lambda_arn: Some("arn:aws:lambda:us-west-2:111122223333:function:del".into()),
                credential: Some(crate::config::CredentialConfig {
                    credential_type: "IAM".into(),
                }),
                ..Default::default()
            },
        );
        let d = found(&judges(), &c);
        assert_eq!(
            fields(&d),
            [
                "tool_targets.delete-account.credential.type",
                "tool_targets.get_weather.http.url"
            ]
        );
        assert!(d[0].hint.as_deref().unwrap().contains("GATEWAY_IAM_ROLE"));
        assert!(d[1].message.contains("https://.*"));
    }

    #[test]
    fn a_field_with_an_error_already_keeps_that_one() {
        let mut out = vec![Diagnostic::error(
            "runtime_role_arn",
            "configuration",
            "adapter",
        )];
        merge(
            &mut out,
            vec![
                Diagnostic::error("runtime_role_arn", "configuration", "model"),
                Diagnostic::error("tags.x", "configuration", "model"),
            ],
        );
        assert_eq!(fields(&out), ["runtime_role_arn", "tags.x"]);
        assert_eq!(out[0].message, "adapter");
    }
}
