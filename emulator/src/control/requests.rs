//! What the control plane does with a request body: the checks AWS makes that its model does
//! not express (state and cross-resource rules; the model has already been held to the request),
//! what the service fills in at creation, how an update changes the spec, and why provisioning
//! fails.

use serde_json::{Map, Value, json};

use crate::validate::Check;
use crate::wire::{ApiError, ts_num};
use crate::world::{Ctx, Kind, Resource, WorldState};

pub fn validate_create(
    world: &WorldState,
    ctx: &Ctx,
    kind: Kind,
    body: &Map<String, Value>,
) -> Result<(), ApiError> {
    let mut c = Check::new();
    c.reserved_tag_keys(body, "tags");
    match kind {
        Kind::Memory => check_memory_key(world, ctx, &mut c, body),
        Kind::Gateway => {
            // The model cannot tie one member to another's value; the API reference does.
            if body.get("authorizerType").and_then(Value::as_str) == Some("CUSTOM_JWT")
                && body
                    .get("authorizerConfiguration")
                    .is_none_or(Value::is_null)
            {
                c.fail(
                    "authorizerConfiguration",
                    "authorizerConfiguration is required when authorizerType is CUSTOM_JWT".into(),
                );
            }
            check_policy_engine_ref(world, ctx, &mut c, body);
        }
        Kind::OnlineEvaluationConfig => {
            check_evaluator_refs(world, ctx, &mut c, body);
            check_output_config(&mut c, body);
        }
        Kind::GatewayTarget
        | Kind::PolicyEngine
        | Kind::Policy
        | Kind::AgentRuntime
        | Kind::Evaluator => {}
    }
    c.finish()
}

/// Memory encrypts with the customer's key from the start, so the key must be usable now.
fn check_memory_key(world: &WorldState, ctx: &Ctx, c: &mut Check, body: &Map<String, Value>) {
    let Some(arn) = body.get("encryptionKeyArn").and_then(Value::as_str) else {
        return;
    };
    // The model's pattern for this member is any ARN; only a KMS key can encrypt.
    let problem = if arn.split(':').nth(2) != Some("kms") {
        Some(format!(
            "{arn} is not a KMS key ARN; memory needs a KMS key"
        ))
    } else {
        match crate::kms::resolve(world, &ctx.region, arn) {
            Err(_) if arn.split(':').nth(3) != Some(ctx.region.as_str()) => Some(format!(
                "KMS key {arn} is not in {}; memory needs a key in its own region",
                ctx.region
            )),
            Err(_) => Some(format!("KMS key {arn} does not exist")),
            Ok(k) if k.key_state != "Enabled" => Some(format!(
                "KMS key {arn} is {}; enable it or choose another key",
                k.key_state
            )),
            Ok(k) if !k.is_symmetric() => Some(format!(
                "KMS key {arn} is {}; memory needs a symmetric encryption key",
                k.key_spec
            )),
            Ok(_) => None,
        }
    };
    if let Some(p) = problem {
        c.fail("encryptionKeyArn", p);
    }
}

fn check_policy_engine_ref(
    world: &WorldState,
    ctx: &Ctx,
    c: &mut Check,
    body: &Map<String, Value>,
) {
    let Some(arn) = body
        .get("policyEngineConfiguration")
        .and_then(|p| p.get("arn"))
        .and_then(Value::as_str)
    else {
        return;
    };
    let engine = world
        .resources
        .values()
        .find(|r| r.kind == Kind::PolicyEngine && r.region == ctx.region && r.arn == arn);
    match engine {
        None => c.fail(
            "policyEngineConfiguration.arn",
            format!("Policy engine {arn} does not exist in {}", ctx.region),
        ),
        // A gateway can only be associated with an engine that has finished provisioning.
        Some(e) if e.status != "ACTIVE" => c.fail(
            "policyEngineConfiguration.arn",
            format!(
                "Policy engine {arn} is {}; wait until it is ACTIVE before associating it",
                e.status
            ),
        ),
        Some(_) => {}
    }
}

/// Built-in and third-party evaluators are AWS's, not resources of the account.
fn check_evaluator_refs(world: &WorldState, ctx: &Ctx, c: &mut Check, body: &Map<String, Value>) {
    let Some(Value::Array(evs)) = body.get("evaluators") else {
        return;
    };
    for (i, e) in evs.iter().enumerate() {
        let Some(id) = e.get("evaluatorId").and_then(Value::as_str) else {
            continue;
        };
        let known = id.starts_with("Builtin.")
            || id.starts_with("ThirdParty.")
            || world
                .resources
                .values()
                .any(|r| r.kind == Kind::Evaluator && r.region == ctx.region && r.id == id);
        if !known {
            c.fail(
                &format!("evaluators.{i}.evaluatorId"),
                format!("Evaluator {id} does not exist"),
            );
        }
    }
}

/// `outputConfig.cloudWatchConfig`: no `logGroupName` with `SOURCE_LOG_GROUP`, no group under
/// the service's reserved prefix, no metrics namespace under `AWS/`.
fn check_output_config(c: &mut Check, body: &Map<String, Value>) {
    let Some(cw) = body
        .get("outputConfig")
        .and_then(|o| o.get("cloudWatchConfig"))
    else {
        return;
    };
    let field = |k: &str| cw.get(k).and_then(Value::as_str);
    let group = field("logGroupName").filter(|g| !g.is_empty());
    if let Some(g) = group {
        if field("resultDestination") == Some("SOURCE_LOG_GROUP") {
            c.fail(
                "outputConfig.cloudWatchConfig.logGroupName",
                "logGroupName must not be set when resultDestination is SOURCE_LOG_GROUP".into(),
            );
        } else if g.starts_with("/aws/bedrock-agentcore/evaluations/") {
            c.fail(
                "outputConfig.cloudWatchConfig.logGroupName",
                format!("Log group {g} is under the reserved /aws/bedrock-agentcore/evaluations/ namespace"),
            );
        }
    }
    if field("metricsNamespace").is_some_and(|n| n.starts_with("AWS/")) {
        c.fail(
            "outputConfig.cloudWatchConfig.metricsNamespace",
            "metricsNamespace must not begin with AWS/".into(),
        );
    }
}

pub fn validate_update(
    world: &WorldState,
    ctx: &Ctx,
    kind: Kind,
    body: &Map<String, Value>,
) -> Result<(), ApiError> {
    let mut c = Check::new();
    match kind {
        Kind::Gateway => check_policy_engine_ref(world, ctx, &mut c, body),
        Kind::OnlineEvaluationConfig => {
            check_evaluator_refs(world, ctx, &mut c, body);
            check_output_config(&mut c, body);
        }
        Kind::Memory
        | Kind::GatewayTarget
        | Kind::PolicyEngine
        | Kind::Policy
        | Kind::AgentRuntime
        | Kind::Evaluator => {}
    }
    c.finish()
}

const STRATEGY_TYPES: [(&str, &str); 5] = [
    ("semanticMemoryStrategy", "SEMANTIC"),
    ("summaryMemoryStrategy", "SUMMARIZATION"),
    ("userPreferenceMemoryStrategy", "USER_PREFERENCE"),
    ("customMemoryStrategy", "CUSTOM"),
    ("episodicMemoryStrategy", "EPISODIC"),
];

fn strategy(world: &mut WorldState, ctx: &Ctx, input: &Value) -> Option<Value> {
    let (variant, inner) = input.as_object()?.iter().next()?;
    let stype = STRATEGY_TYPES.iter().find(|(n, _)| n == variant)?.1;
    let name = inner.get("name").and_then(Value::as_str).unwrap_or(stype);
    // AgentCore fills in its default namespace when none is given (the answer's
    // `namespaces` is required and holds exactly one).
    let default_ns = if stype == "SUMMARIZATION" {
        "/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}"
    } else {
        "/strategies/{memoryStrategyId}/actors/{actorId}"
    };
    let namespaces = inner
        .get("namespaces")
        .cloned()
        .unwrap_or(json!([default_ns]));
    let mut s = json!({
        "strategyId": format!("{name}-{}", world.next_suffix(10, false)),
        "name": name, "type": stype, "status": "ACTIVE",
        "namespaces": namespaces.clone(),
        "namespaceTemplates": inner.get("namespaceTemplates").cloned().unwrap_or(namespaces),
        "createdAt": ts_num(&ctx.now), "updatedAt": ts_num(&ctx.now),
    });
    if let Some(d) = inner.get("description") {
        s["description"] = d.clone();
    }
    Some(s)
}

/// Fills in what the service adds at creation (strategy ids, execution status).
pub fn complete_spec(
    world: &mut WorldState,
    ctx: &Ctx,
    kind: Kind,
    _id: &str,
    spec: &mut Map<String, Value>,
) {
    match kind {
        Kind::Memory => {
            let inputs = spec
                .remove("memoryStrategies")
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default();
            let strategies: Vec<Value> = inputs
                .iter()
                .filter_map(|i| strategy(world, ctx, i))
                .collect();
            spec.insert("strategies".into(), Value::Array(strategies));
        }
        Kind::OnlineEvaluationConfig => {
            let on = spec
                .get("enableOnCreate")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            spec.insert(
                "executionStatus".into(),
                json!(if on { "ENABLED" } else { "DISABLED" }),
            );
        }
        Kind::Gateway if !spec.contains_key("protocolType") => {
            spec.insert("protocolType".into(), json!("MCP"));
        }
        _ => {}
    }
}

pub fn apply_update(
    world: &mut WorldState,
    kind: Kind,
    r: &mut Resource,
    body: Map<String, Value>,
    ctx: &Ctx,
) {
    // UpdateGateway replaces the gateway's settings: an engine not sent again is detached.
    if kind == Kind::Gateway && !body.contains_key("policyEngineConfiguration") {
        r.spec.remove("policyEngineConfiguration");
    }
    for (k, v) in body {
        match (kind, k.as_str()) {
            (_, "clientToken") => {}
            (Kind::PolicyEngine | Kind::Policy, "description") => match v.get("optionalValue") {
                Some(d) => {
                    r.spec.insert("description".into(), d.clone());
                }
                None => {
                    r.spec.remove("description");
                }
            },
            (Kind::Memory, "memoryStrategies") => {
                let mut strategies = r
                    .spec
                    .get("strategies")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if let Some(Value::Array(del)) = v.get("deleteMemoryStrategies") {
                    let ids: Vec<&str> = del
                        .iter()
                        .filter_map(|d| d.get("memoryStrategyId").and_then(Value::as_str))
                        .collect();
                    strategies.retain(|s| {
                        !ids.contains(
                            &s.get("strategyId")
                                .and_then(Value::as_str)
                                .unwrap_or_default(),
                        )
                    });
                }
                if let Some(Value::Array(add)) = v.get("addMemoryStrategies") {
                    strategies.extend(add.iter().filter_map(|a| strategy(world, ctx, a)));
                }
                r.spec.insert("strategies".into(), Value::Array(strategies));
            }
            (Kind::Gateway, "name") | (Kind::AgentRuntime, "agentRuntimeName") => {
                if let Some(n) = v.as_str() {
                    r.name = n.to_string();
                }
            }
            _ => {
                r.spec.insert(k, v);
            }
        }
    }
}

/// Why a create/update ends in a failed state: an injected fault, or a Cedar statement the
/// service would reject.
pub fn failure_reason(kind: Kind, spec: &Map<String, Value>, injected: bool) -> Option<String> {
    if injected {
        return Some(format!(
            "{} provisioning failed (injected fault)",
            kind.label()
        ));
    }
    if kind == Kind::Policy
        && let Some(stmt) = spec
            .get("definition")
            .and_then(|d| d.get("cedar"))
            .and_then(|c| c.get("statement"))
            .and_then(Value::as_str)
    {
        let t = stmt.trim();
        let effect_ok = t.starts_with("permit") || t.starts_with("forbid") || t.starts_with('@');
        let balanced = t.matches('(').count() == t.matches(')').count();
        if !effect_ok || !t.ends_with(';') || !balanced {
            return Some("Cedar parse error: a policy must look like permit(...) when {...}; or forbid(...) ...; and end with ';'".into());
        }
    }
    None
}
