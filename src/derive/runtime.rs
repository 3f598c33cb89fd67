//! The runtimes, their environment (providers, observability, metrics, dashboard) and A2A wiring.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Ctx;
use crate::config::DeployConfig;
use crate::config::tags::effective_tags;
use crate::diagnostic::{Diagnostic, category};
use crate::pack::Pack;
use crate::plan::{
    A2aEndpointSpec, Dependency, DesiredResource, JwtAuthorizer, ResourceKind, ResourceSpec,
    RuntimeSpec,
};

pub const METRICS_NAMESPACE: &str = "PromptPack/Evals";

fn providers_env(cfg: &DeployConfig, env: &mut BTreeMap<String, String>) {
    if cfg.providers.is_empty() {
        return;
    }
    let primary_idx = cfg
        .providers
        .iter()
        .position(|b| b.name == "default")
        .or_else(|| {
            cfg.providers
                .iter()
                .position(|b| b.role_or_default() == "llm")
        });
    let list: Vec<Value> = cfg
        .providers
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut o = serde_json::Map::new();
            o.insert("name".into(), json!(b.name));
            o.insert("role".into(), json!(b.role_or_default()));
            o.insert(
                "type".into(),
                json!(b.provider_type.clone().unwrap_or_default()),
            );
            if let Some(m) = b.model.as_ref().filter(|m| !m.is_empty()) {
                o.insert("model".into(), json!(m));
            }
            if Some(i) == primary_idx {
                o.insert("primary".into(), json!(true));
            }
            Value::Object(o)
        })
        .collect();
    env.insert(
        "PROMPTPACK_PROVIDERS".into(),
        Value::Array(list).to_string(),
    );
    if let Some(p) = primary_idx.map(|i| &cfg.providers[i]) {
        if let Some(t) = p.provider_type.as_ref().filter(|s| !s.is_empty()) {
            env.insert("PROMPTPACK_PROVIDER_TYPE".into(), t.clone());
        }
        if let Some(m) = p.model.as_ref().filter(|s| !s.is_empty()) {
            env.insert("PROMPTPACK_PROVIDER_MODEL".into(), m.clone());
        }
    }
}

fn metric_unit(metric_type: &str) -> &'static str {
    match metric_type {
        "counter" => "Count",
        "histogram" => "Milliseconds",
        _ => "None",
    }
}

/// `PROMPTPACK_METRICS_CONFIG`, or `None` when no enabled eval has a metric.
pub fn metrics_config(pack: &Pack) -> Option<String> {
    let mut metrics = Vec::new();
    let mut alarms = Vec::new();
    for e in pack.evals.iter().filter(|e| e.is_enabled()) {
        let Some(m) = e.metric.as_ref().filter(|m| !m.name.is_empty()) else {
            continue;
        };
        metrics.push(json!({
            "eval_id": e.id,
            "metric_name": m.name,
            "metric_type": m.metric_type,
            "unit": metric_unit(&m.metric_type),
        }));
        if let Some(r) = &m.range {
            let mut a = serde_json::Map::new();
            a.insert("metric_name".into(), json!(m.name));
            if let Some(min) = r.min {
                a.insert("min".into(), json!(min));
            }
            if let Some(max) = r.max {
                a.insert("max".into(), json!(max));
            }
            alarms.push(Value::Object(a));
        }
    }
    if metrics.is_empty() {
        return None;
    }
    let mut dims = serde_json::Map::new();
    dims.insert("pack_id".into(), json!(pack.id));
    if pack.is_multi_agent() {
        dims.insert("agent".into(), json!("multi"));
    }
    let mut cfg = serde_json::Map::new();
    cfg.insert("namespace".into(), json!(METRICS_NAMESPACE));
    cfg.insert("dimensions".into(), Value::Object(dims));
    cfg.insert("metrics".into(), Value::Array(metrics));
    if !alarms.is_empty() {
        cfg.insert("alarms".into(), Value::Array(alarms));
    }
    Some(Value::Object(cfg).to_string())
}

/// The longest value CreateAgentRuntime takes for an environment variable (its model).
const ENV_VALUE_MAX: usize = 5000;

/// `PROMPTPACK_DASHBOARD_CONFIG`: a CloudWatch dashboard body with one widget per agent, an A2A
/// latency widget for multi-agent packs and one widget per eval metric (with its range as
/// threshold lines). Laid out two widgets per row. A pack with so many agents that this body
/// would not fit an environment variable gets one widget per agent metric instead, each a
/// SEARCH over every agent, so its size does not grow with the members.
pub fn dashboard_config(pack: &Pack, region: &str) -> Option<String> {
    let full = dashboard(pack, region, false);
    if full.len() <= ENV_VALUE_MAX {
        return Some(full);
    }
    Some(dashboard(pack, region, true))
}

fn dashboard(pack: &Pack, region: &str, by_search: bool) -> String {
    const W: u32 = 12;
    const H: u32 = 6;
    let widget = |title: String, x: u32, y: u32, width: u32, metrics: Vec<Value>| {
        json!({
            "type": "metric", "x": x, "y": y, "width": width, "height": H,
            "properties": {"title": title, "region": region, "period": 300, "metrics": metrics},
        })
    };
    let mut widgets = Vec::new();
    let agents: Vec<String> = match pack.agents.as_ref().filter(|_| pack.is_multi_agent()) {
        Some(a) => a.members.keys().cloned().collect(),
        None => vec![pack.id.clone()],
    };
    let mut row = 0;
    let search = |metric: &str, stat: &str| {
        vec![json!([{
            "expression": format!(
                "SEARCH('{{{METRICS_NAMESPACE},agent}} MetricName=\"{metric}\"', '{stat}', 300)"
            ),
            "label": metric,
        }])]
    };
    if by_search {
        for (i, (metric, stat)) in [
            ("Invocations", "Sum"),
            ("Errors", "Sum"),
            ("Duration", "Average"),
        ]
        .into_iter()
        .enumerate()
        {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            row = (i / 2) * H;
            widgets.push(widget(
                format!("Agents: {metric} ({} agents)", agents.len()),
                (i % 2) * W,
                row,
                W,
                search(metric, stat),
            ));
        }
    }
    for (i, name) in agents.iter().enumerate().filter(|_| !by_search) {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        row = (i / 2) * H;
        let metrics = ["Invocations", "Errors", "Duration"]
            .iter()
            .map(|m| json!([METRICS_NAMESPACE, m, "agent", name]))
            .collect();
        widgets.push(widget(
            format!("Agent: {name}"),
            (i % 2) * W,
            row,
            W,
            metrics,
        ));
    }
    row += H;
    if pack.is_multi_agent() {
        let metrics = if by_search {
            search("A2ALatency", "Average")
        } else {
            agents
                .iter()
                .map(|a| json!([METRICS_NAMESPACE, "A2ALatency", "agent", a]))
                .collect()
        };
        widgets.push(widget(
            "Inter-Agent A2A Call Latency".into(),
            0,
            row,
            2 * W,
            metrics,
        ));
        row += H;
    }
    let with_metric = pack
        .evals
        .iter()
        .filter(|e| e.is_enabled())
        .filter_map(|e| e.metric.as_ref().filter(|m| !m.name.is_empty()));
    for (i, m) in with_metric.enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        let mut w = widget(
            format!("Eval: {}", m.name),
            (i % 2) * W,
            row + (i / 2) * H,
            W,
            vec![json!([METRICS_NAMESPACE, m.name, "pack_id", pack.id])],
        );
        if let Some(r) = &m.range {
            let mut lines = Vec::new();
            if let Some(min) = r.min {
                lines.push(json!({"label": "min", "value": min, "color": "#2ca02c"}));
            }
            if let Some(max) = r.max {
                lines.push(json!({"label": "max", "value": max, "color": "#d62728"}));
            }
            if !lines.is_empty() {
                w["properties"]["annotations"] = json!({ "horizontal": lines });
            }
        }
        widgets.push(w);
    }
    json!({ "widgets": widgets }).to_string()
}

fn base_env(cx: &Ctx) -> BTreeMap<String, String> {
    let cfg = cx.cfg;
    let mut env = BTreeMap::new();
    if !cfg.region.is_empty() {
        env.insert("AWS_REGION".into(), cfg.region.clone());
    }
    if let Some(lg) = cfg.log_group() {
        env.insert("PROMPTPACK_LOG_GROUP".into(), lg.to_string());
    }
    if cfg
        .observability
        .as_ref()
        .is_some_and(|o| o.tracing_enabled)
    {
        env.insert("PROMPTPACK_TRACING_ENABLED".into(), "true".into());
        // The runtime reads OTEL_TRACING_ENABLED, not the variable the adapter sets.
        env.insert("OTEL_TRACING_ENABLED".into(), "true".into());
    }
    if let Some(ep) = cfg
        .observability
        .as_ref()
        .and_then(|o| o.otlp_endpoint.as_deref())
        .filter(|s| !s.is_empty())
    {
        env.insert("OTEL_EXPORTER_OTLP_ENDPOINT".into(), ep.to_string());
    }
    if cfg.memory_store.is_configured() {
        env.insert(
            "PROMPTPACK_MEMORY_STORE".into(),
            cfg.memory_store.canonical_strategies().join(","),
        );
    }
    if let Some(a) = cfg.a2a_auth.as_ref().filter(|a| !a.mode.is_empty()) {
        env.insert("PROMPTPACK_A2A_AUTH_MODE".into(), a.mode.clone());
        if a.mode == "iam" {
            env.insert(
                "PROMPTPACK_A2A_AUTH_ROLE".into(),
                cfg.runtime_role_arn.clone(),
            );
        }
    }
    if let Some(p) = cfg.protocol.as_ref().filter(|p| !p.is_empty()) {
        env.insert("PROMPTPACK_PROTOCOL".into(), p.clone());
    }
    providers_env(cfg, &mut env);
    if let Some(m) = metrics_config(cx.pack) {
        env.insert("PROMPTPACK_METRICS_CONFIG".into(), m);
    }
    if let Some(d) = dashboard_config(cx.pack, &cfg.region) {
        env.insert("PROMPTPACK_DASHBOARD_CONFIG".into(), d);
    }
    env
}

pub(super) fn runtimes(
    cx: &mut Ctx,
    memory: Option<&DesiredResource>,
    policies: &[DesiredResource],
) -> Vec<DesiredResource> {
    let pack = cx.pack;
    let cfg = cx.cfg;
    let env = base_env(cx);
    let server_protocol = match cfg.protocol.as_deref() {
        Some("http") | Some("both") => Some("HTTP".to_string()),
        Some("a2a") => Some("A2A".to_string()),
        _ => None,
    };
    let authorizer = cfg
        .a2a_auth
        .as_ref()
        .filter(|a| a.mode == "jwt")
        .map(|a| JwtAuthorizer {
            discovery_url: a.discovery_url.clone().unwrap_or_default(),
            allowed_audience: a.allowed_audience.clone(),
            allowed_clients: a.allowed_clients.clone(),
        });
    let mut depends_on = Vec::new();
    let mut after_apply = Vec::new();
    if let Some(m) = memory {
        // Its ARN is PROMPTPACK_MEMORY_ID, and an agent whose memory is still CREATING fails its
        // first session.
        depends_on.push(Dependency::ready(
            ResourceKind::Memory.as_str(),
            &m.name,
            "PROMPTPACK_MEMORY_ID is its ARN, and the agent's first session writes to it",
        ));
        after_apply.push("PROMPTPACK_MEMORY_ID".to_string());
    }
    if !policies.is_empty() {
        after_apply.push("PROMPTPACK_POLICY_ENGINE_ARN".to_string());
    }
    // Not for the engine's ARN alone (PROMPTPACK_POLICY_ENGINE_ARN is known from CreatePolicyEngine):
    // the Cedar resource is ready only once the gateway ENFORCEs it, and no agent may call the
    // gateway's tools before the blocked ones are blocked.
    depends_on.extend(policies.iter().map(|p| {
        Dependency::ready(
            ResourceKind::CedarPolicy.as_str(),
            &p.name,
            "for security: the agent starts only once its gateway enforces the Cedar engine (ENFORCE)",
        )
    }));

    // (runtime name, member, is entry)
    let mut members: Vec<(String, Option<String>, bool)> = Vec::new();
    match pack.agents.as_ref().filter(|_| pack.is_multi_agent()) {
        None => {
            if let Some(n) = cx.name(&pack.id, "", "id") {
                members.push((n, None, false));
            }
        }
        Some(agents) => {
            if !agents.members.contains_key(&agents.entry) {
                cx.errors.push(
                    Diagnostic::error(
                        "pack.agents.entry",
                        category::PACK,
                        format!(
                            "pack field agents.entry = {:?} is not one of agents.members ({})",
                            agents.entry,
                            agents
                                .members
                                .keys()
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .with_hint("set agents.entry to the member that receives requests first"),
                );
            }
            for m in agents.members.keys() {
                if !pack.prompts.contains_key(m) {
                    cx.errors.push(
                        Diagnostic::error(
                            format!("pack.agents.members.{m}"),
                            category::PACK,
                            format!("pack field agents.members.{m} names no prompt of the pack"),
                        )
                        .with_hint(
                            "every member must be a key of prompts; the runtime loads that prompt",
                        ),
                    );
                }
                if let Some(n) = cx.name(m, "", &format!("agents.members.{m}")) {
                    members.push((n, Some(m.clone()), *m == agents.entry));
                }
            }
        }
    }
    // CreateAgentRuntime answers the runtime's ARN at once, so the entry is created with its
    // peers' ARNs (PROMPTPACK_AGENTS) as soon as they exist, instead of an UpdateAgentRuntime
    // once they are READY. Calling a peer still CREATING is the entry's own retry, as it is when
    // a peer restarts.
    let peers: Vec<Dependency> = members
        .iter()
        .filter(|(_, member, is_entry)| member.is_some() && !is_entry)
        .map(|(name, _, _)| {
            Dependency::arn(
                ResourceKind::AgentRuntime.as_str(),
                name,
                "PROMPTPACK_AGENTS maps each member to its ARN",
            )
        })
        .collect();
    members
        .into_iter()
        .map(|(name, member, is_entry)| {
            let mut env = env.clone();
            let mut after = after_apply.clone();
            let mut depends_on = depends_on.clone();
            if is_entry {
                depends_on.extend(peers.iter().cloned());
            }
            if let Some(m) = &member {
                env.insert("PROMPTPACK_AGENT".into(), m.clone());
                if is_entry {
                    after.push("PROMPTPACK_AGENTS".into());
                }
            }
            DesiredResource {
                kind: ResourceKind::AgentRuntime,
                logical_id: member.clone().unwrap_or_else(|| pack.id.clone()),
                depends_on,
                spec: ResourceSpec::AgentRuntime(RuntimeSpec {
                    agent: member.clone(),
                    is_entry,
                    role_arn: cfg.runtime_role_arn.clone(),
                    server_protocol: server_protocol.clone(),
                    env,
                    env_after_apply: after,
                    authorizer: authorizer.clone(),
                    runtime_binary_path: cfg.runtime_binary_path.clone(),
                    tags: effective_tags(&pack.id, &pack.version, member.as_deref(), &cfg.tags),
                }),
                name,
            }
        })
        .collect()
}

pub(super) fn a2a_endpoints(cx: &mut Ctx, runtimes: &[DesiredResource]) -> Vec<DesiredResource> {
    if !cx.pack.is_multi_agent() {
        return vec![];
    }
    let Some(entry) = runtimes
        .iter()
        .find(|r| matches!(&r.spec, ResourceSpec::AgentRuntime(s) if s.is_entry))
    else {
        return vec![];
    };
    runtimes
        .iter()
        .map(|r| DesiredResource {
            kind: ResourceKind::A2aEndpoint,
            name: format!("{}_endpoint", r.name),
            logical_id: r.logical_id.clone(),
            // The endpoint is the member serving A2A: deployed when the member and the entry that
            // calls it are both READY.
            depends_on: vec![
                Dependency::ready(
                    ResourceKind::AgentRuntime.as_str(),
                    &r.name,
                    "the member runtime serves the endpoint",
                ),
                Dependency::ready(
                    ResourceKind::AgentRuntime.as_str(),
                    &entry.name,
                    "the entry runtime calls it",
                ),
            ],
            spec: ResourceSpec::A2aEndpoint(A2aEndpointSpec {
                member: r.logical_id.clone(),
                runtime_name: r.name.clone(),
                entry_runtime_name: entry.name.clone(),
            }),
        })
        .collect()
}
