//! What CreateAgentRuntime will carry, environment variables included.

use serde_json::{Value, json};

use super::finding::Checks;
use super::sites::*;
use super::source::{Source, config, pack};
use super::tags::tags;
use crate::config::DeployConfig;
use crate::diagnostic::CheckContext;
use crate::pack::Pack;
use crate::plan::runtime::code_key;
use crate::plan::{DesiredResource, ResourcePlan, ResourceSpec, RuntimeSpec};

pub(super) fn runtime_source(s: &RuntimeSpec) -> Source {
    match &s.agent {
        Some(m) => pack(format!("agents.members.{m}")),
        None => pack("id"),
    }
}

pub(super) fn runtime(
    c: &mut Checks,
    r: &DesiredResource,
    s: &RuntimeSpec,
    plan: &ResourcePlan,
    pack: &Pack,
    cfg: &DeployConfig,
    ctx: &CheckContext,
) {
    c.text(&runtime_source(s), RT_NAME, "", &r.name);
    c.text(&config("runtime_role_arn"), RT_ROLE, "", &s.role_arn);
    match ctx.container_image_uri.as_deref().filter(|u| !u.is_empty()) {
        Some(img) => c.text(&config("container_image_uri"), RT_CONTAINER, "", img),
        None => c.text(
            &self::pack("version"),
            RT_CODE_PREFIX,
            "",
            &code_key(&pack.id, &pack.version),
        ),
    }
    if let Some(p) = &s.server_protocol {
        c.text(&config("protocol"), RT_PROTOCOL, "", p);
    }
    if let Some(a) = &s.authorizer {
        jwt(c, &a.discovery_url, &a.allowed_audience, &a.allowed_clients);
    }
    runtime_env(c, s, plan, cfg);
    tags(c, RT_TAGS, &s.tags, cfg);
}

pub(super) fn jwt(c: &mut Checks, discovery_url: &str, audience: &[String], clients: &[String]) {
    c.text(
        &config("a2a_auth.discovery_url"),
        RT_DISCOVERY_URL,
        "",
        discovery_url,
    );
    // An empty list is left out of the request, so only a given one is held to the model.
    for (field, site, list) in [
        ("a2a_auth.allowed_audience", RT_AUDIENCE, audience),
        ("a2a_auth.allowed_clients", RT_CLIENTS, clients),
    ] {
        if list.is_empty() {
            continue;
        }
        c.size(&config(field), site, &json!(list), None);
        for (i, v) in list.iter().enumerate() {
            c.text(&config(format!("{field}[{i}]")), site, ".member", v);
        }
    }
}

/// The pack or config field an environment variable of the runtime is made from.
pub(super) fn env_source(
    key: &str,
    value: &str,
    runtime: &Source,
) -> (Source, Option<&'static str>) {
    let from_evals = Some(
        "it is built from the enabled evals that have a metric: fewer metrics make it shorter",
    );
    let (source, note) = match key {
        "AWS_REGION" => (config("region"), None),
        "PROMPTPACK_LOG_GROUP" => (config("observability.cloudwatch_log_group"), None),
        "PROMPTPACK_TRACING_ENABLED" | "OTEL_TRACING_ENABLED" => {
            (config("observability.tracing_enabled"), None)
        }
        "OTEL_EXPORTER_OTLP_ENDPOINT" => (config("observability.otlp_endpoint"), None),
        "PROMPTPACK_MEMORY_STORE" => (config("memory_store.strategies"), None),
        "PROMPTPACK_A2A_AUTH_MODE" => (config("a2a_auth.mode"), None),
        "PROMPTPACK_A2A_AUTH_ROLE" => (config("runtime_role_arn"), None),
        "PROMPTPACK_PROTOCOL" => (config("protocol"), None),
        "PROMPTPACK_PROVIDERS" | "PROMPTPACK_PROVIDER_TYPE" | "PROMPTPACK_PROVIDER_MODEL" => (
            config("providers"),
            Some("it lists every provider binding: fewer or shorter bindings make it shorter"),
        ),
        "PROMPTPACK_METRICS_CONFIG" => (pack("evals"), from_evals),
        "PROMPTPACK_DASHBOARD_CONFIG" => (
            pack("evals"),
            Some("it has a widget per agent and per eval metric: fewer of them make it shorter"),
        ),
        "PROMPTPACK_AGENT" => (pack(format!("agents.members.{value}")), None),
        "PROMPTPACK_AGENTS" => (
            pack("agents.members"),
            Some(
                "it maps every member to its runtime ARN: fewer or shorter member names make it shorter",
            ),
        ),
        _ => (runtime.clone(), None),
    };
    let label = format!(
        "{} (environment variable {key})",
        source.label.as_deref().unwrap_or(&source.path)
    );
    (source.labelled(label), note)
}

pub(super) fn runtime_env(
    c: &mut Checks,
    s: &RuntimeSpec,
    plan: &ResourcePlan,
    cfg: &DeployConfig,
) {
    let rt = runtime_source(s);
    let mut env = s.env.clone();
    // Set during apply; only the peer map can be long, so it is sized here with ARNs of the
    // length AWS will give (the ids are ten characters).
    for k in &s.env_after_apply {
        let v = match k.as_str() {
            "PROMPTPACK_AGENTS" => agents_estimate(plan, cfg),
            _ => String::new(),
        };
        env.entry(k.clone()).or_insert(v);
    }
    let size_note = "the runtime gets one variable per setting of the deploy config; drop optional ones (observability, providers)";
    c.size(&rt, RT_ENV, &json!(env), Some(size_note));
    for (k, v) in &env {
        let (source, note) = env_source(k, v, &rt);
        let key_source = source
            .clone()
            .labelled(format!("name of environment variable {k}"));
        c.text(&key_source, RT_ENV, ".key", k);
        match note {
            Some(n) => c.value_noted(&source, RT_ENV, ".value", &json!(v), n),
            None => c.text(&source, RT_ENV, ".value", v),
        }
    }
}

/// `PROMPTPACK_AGENTS` as apply will write it, with placeholder runtime ids.
pub(super) fn agents_estimate(plan: &ResourcePlan, cfg: &DeployConfig) -> String {
    let region = if cfg.region.is_empty() {
        "us-east-1"
    } else {
        &cfg.region
    };
    let account = cfg.role_account().unwrap_or("000000000000");
    let mut m = serde_json::Map::new();
    for r in plan.resources() {
        if let ResourceSpec::AgentRuntime(RuntimeSpec {
            agent: Some(member),
            ..
        }) = &r.spec
        {
            m.insert(
                member.clone(),
                json!(crate::arn::regional(
                    "bedrock-agentcore",
                    region,
                    account,
                    &format!("runtime/{}-0000000000", r.name)
                )),
            );
        }
    }
    Value::Object(m).to_string()
}
