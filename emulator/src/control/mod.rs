//! AgentCore control plane (restJson1): one generic lifecycle for every resource kind; the
//! per-kind request checks and response shapes live in `shapes`.

mod requests;
mod shapes;

use std::collections::BTreeMap;

use axum::http::Method;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use crate::timing::Timing;
use crate::validate::{self, Check};
use crate::wire::{ApiError, ApiResult, empty_response, json_response, query_get};
use crate::world::{Ctx, Kind, Pending, Resource, WorldState};

pub use shapes::Shape;

#[derive(Debug, Clone)]
pub enum Route {
    Create(Kind, Option<String>),
    Get(Kind, String, Option<String>),
    Update(Kind, String, Option<String>),
    Delete(Kind, String, Option<String>),
    List(Kind, Option<String>),
    Tag(String),
    Untag(String),
    ListTags(String),
}

/// Maps method + decoded path segments to the AWS operation name and what to do.
pub fn route(method: &Method, segs: &[String]) -> Option<(&'static str, Route)> {
    use Kind::*;
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let m = method.as_str();
    let r = match (m, s.as_slice()) {
        ("POST", ["memories", "create"]) => ("CreateMemory", Route::Create(Memory, None)),
        ("GET", ["memories", id, "details"]) => {
            ("GetMemory", Route::Get(Memory, id.to_string(), None))
        }
        ("PUT", ["memories", id, "update"]) => {
            ("UpdateMemory", Route::Update(Memory, id.to_string(), None))
        }
        ("DELETE", ["memories", id, "delete"]) => {
            ("DeleteMemory", Route::Delete(Memory, id.to_string(), None))
        }
        ("POST", ["memories"]) => ("ListMemories", Route::List(Memory, None)),

        ("POST", ["gateways"]) => ("CreateGateway", Route::Create(Gateway, None)),
        ("GET", ["gateways"]) => ("ListGateways", Route::List(Gateway, None)),
        ("GET", ["gateways", id]) => ("GetGateway", Route::Get(Gateway, id.to_string(), None)),
        ("PUT", ["gateways", id]) => (
            "UpdateGateway",
            Route::Update(Gateway, id.to_string(), None),
        ),
        ("DELETE", ["gateways", id]) => (
            "DeleteGateway",
            Route::Delete(Gateway, id.to_string(), None),
        ),
        ("POST", ["gateways", g, "targets"]) => (
            "CreateGatewayTarget",
            Route::Create(GatewayTarget, Some(g.to_string())),
        ),
        ("GET", ["gateways", g, "targets"]) => (
            "ListGatewayTargets",
            Route::List(GatewayTarget, Some(g.to_string())),
        ),
        ("GET", ["gateways", g, "targets", t]) => (
            "GetGatewayTarget",
            Route::Get(GatewayTarget, t.to_string(), Some(g.to_string())),
        ),
        ("PUT", ["gateways", g, "targets", t]) => (
            "UpdateGatewayTarget",
            Route::Update(GatewayTarget, t.to_string(), Some(g.to_string())),
        ),
        ("DELETE", ["gateways", g, "targets", t]) => (
            "DeleteGatewayTarget",
            Route::Delete(GatewayTarget, t.to_string(), Some(g.to_string())),
        ),

        ("POST", ["policy-engines"]) => ("CreatePolicyEngine", Route::Create(PolicyEngine, None)),
        ("GET", ["policy-engines"]) => ("ListPolicyEngines", Route::List(PolicyEngine, None)),
        ("GET", ["policy-engines", id]) => (
            "GetPolicyEngine",
            Route::Get(PolicyEngine, id.to_string(), None),
        ),
        ("PATCH", ["policy-engines", id]) => (
            "UpdatePolicyEngine",
            Route::Update(PolicyEngine, id.to_string(), None),
        ),
        ("DELETE", ["policy-engines", id]) => (
            "DeletePolicyEngine",
            Route::Delete(PolicyEngine, id.to_string(), None),
        ),
        ("POST", ["policy-engines", e, "policies"]) => {
            ("CreatePolicy", Route::Create(Policy, Some(e.to_string())))
        }
        ("GET", ["policy-engines", e, "policies"]) => {
            ("ListPolicies", Route::List(Policy, Some(e.to_string())))
        }
        ("GET", ["policy-engines", e, "policies", p]) => (
            "GetPolicy",
            Route::Get(Policy, p.to_string(), Some(e.to_string())),
        ),
        ("PATCH", ["policy-engines", e, "policies", p]) => (
            "UpdatePolicy",
            Route::Update(Policy, p.to_string(), Some(e.to_string())),
        ),
        ("DELETE", ["policy-engines", e, "policies", p]) => (
            "DeletePolicy",
            Route::Delete(Policy, p.to_string(), Some(e.to_string())),
        ),

        ("PUT", ["runtimes"]) => ("CreateAgentRuntime", Route::Create(AgentRuntime, None)),
        ("POST", ["runtimes"]) => ("ListAgentRuntimes", Route::List(AgentRuntime, None)),
        ("GET", ["runtimes", id]) => (
            "GetAgentRuntime",
            Route::Get(AgentRuntime, id.to_string(), None),
        ),
        ("PUT", ["runtimes", id]) => (
            "UpdateAgentRuntime",
            Route::Update(AgentRuntime, id.to_string(), None),
        ),
        ("DELETE", ["runtimes", id]) => (
            "DeleteAgentRuntime",
            Route::Delete(AgentRuntime, id.to_string(), None),
        ),

        ("POST", ["evaluators", "create"]) => ("CreateEvaluator", Route::Create(Evaluator, None)),
        ("POST", ["evaluators"]) => ("ListEvaluators", Route::List(Evaluator, None)),
        ("GET", ["evaluators", id]) => {
            ("GetEvaluator", Route::Get(Evaluator, id.to_string(), None))
        }
        ("PUT", ["evaluators", id]) => (
            "UpdateEvaluator",
            Route::Update(Evaluator, id.to_string(), None),
        ),
        ("DELETE", ["evaluators", id]) => (
            "DeleteEvaluator",
            Route::Delete(Evaluator, id.to_string(), None),
        ),

        ("POST", ["online-evaluation-configs", "create"]) => (
            "CreateOnlineEvaluationConfig",
            Route::Create(OnlineEvaluationConfig, None),
        ),
        ("POST", ["online-evaluation-configs"]) => (
            "ListOnlineEvaluationConfigs",
            Route::List(OnlineEvaluationConfig, None),
        ),
        ("GET", ["online-evaluation-configs", id]) => (
            "GetOnlineEvaluationConfig",
            Route::Get(OnlineEvaluationConfig, id.to_string(), None),
        ),
        ("PUT", ["online-evaluation-configs", id]) => (
            "UpdateOnlineEvaluationConfig",
            Route::Update(OnlineEvaluationConfig, id.to_string(), None),
        ),
        ("DELETE", ["online-evaluation-configs", id]) => (
            "DeleteOnlineEvaluationConfig",
            Route::Delete(OnlineEvaluationConfig, id.to_string(), None),
        ),

        ("POST", ["tags", arn]) => ("TagResource", Route::Tag(arn.to_string())),
        ("DELETE", ["tags", arn]) => ("UntagResource", Route::Untag(arn.to_string())),
        ("GET", ["tags", arn]) => ("ListTagsForResource", Route::ListTags(arn.to_string())),
        _ => return None,
    };
    Some(r)
}

pub fn encode_token(sort_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{sort_key}"))
}

pub fn decode_token(token: &str) -> Result<String, ApiError> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("v1:").map(str::to_string))
        .ok_or_else(|| {
            ApiError::validation(vec![(
                "nextToken".into(),
                format!("Value '{token}' at 'nextToken' is not a token this service issued"),
            )])
        })
}

fn due(ctx: &Ctx, d: std::time::Duration) -> chrono::DateTime<chrono::Utc> {
    ctx.now + chrono::Duration::from_std(d).unwrap_or_default()
}

fn find_id(
    world: &WorldState,
    ctx: &Ctx,
    kind: Kind,
    id: &str,
    parent: Option<&str>,
) -> Result<String, ApiError> {
    world
        .resources
        .values()
        .find(|r| {
            r.kind == kind
                && r.region == ctx.region
                && (r.id == id || r.arn == id)
                && parent.is_none_or(|p| r.parent.as_deref() == Some(p))
        })
        .map(|r| r.id.clone())
        .ok_or_else(|| ApiError::not_found(format!("{} {id} not found", kind.label())))
}

/// The parent of a target or policy must exist; `gatewayIdentifier` may be an id or an ARN.
fn parent_id(
    world: &WorldState,
    ctx: &Ctx,
    kind: Kind,
    parent: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let parent_kind = match kind {
        Kind::GatewayTarget => Kind::Gateway,
        Kind::Policy => Kind::PolicyEngine,
        _ => return Ok(None),
    };
    let p = parent.unwrap_or_default();
    find_id(world, ctx, parent_kind, p, None).map(Some)
}

pub fn handle(
    world: &mut WorldState,
    ctx: &Ctx,
    timing: &Timing,
    route: Route,
    query: &[(String, String)],
    body: Map<String, Value>,
) -> ApiResult<Response> {
    match route {
        Route::Create(kind, parent) => {
            let parent = parent_id(world, ctx, kind, parent.as_deref())?;
            requests::validate_create(world, ctx, kind, &body)?;
            let digest = validate::digest(&body);
            let token = body
                .get("clientToken")
                .and_then(Value::as_str)
                .map(str::to_string);
            if let Some(tok) = &token
                && let Some(existing) = world.resources.values().find(|r| {
                    r.kind == kind && r.client_token.as_ref() == Some(tok) && r.parent == parent
                })
            {
                if existing.request_digest == digest {
                    return Ok(json_response(202, kind.render(existing, Shape::Create)));
                }
                return Err(ApiError::validation_msg(format!(
                    "clientToken {tok} was already used with a different request"
                ))
                .with_reason("IdempotentParameterMismatchException"));
            }
            let name = kind
                .name_of(&body)
                .unwrap_or_else(|| format!("target-{}", world.id_counter + 1));
            if world.resources.values().any(|r| {
                r.kind == kind && r.region == ctx.region && r.parent == parent && r.name == name
            }) {
                return Err(ApiError::conflict(format!(
                    "{} with name {name} already exists",
                    kind.label()
                )));
            }
            let id = kind.new_id(world, &name);
            let arn = kind.arn(&ctx.region, &world.account, &id, parent.as_deref());
            let mut spec = body.clone();
            spec.remove("clientToken");
            let tags: BTreeMap<String, String> = spec
                .remove("tags")
                .and_then(|t| t.as_object().cloned())
                .map(|m| {
                    m.into_iter()
                        .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            requests::complete_spec(world, ctx, kind, &id, &mut spec);
            let reason = requests::failure_reason(kind, &spec, ctx.fail);
            let pending_to = if reason.is_some() {
                kind.create_failed()
            } else {
                kind.ready()
            }
            .to_string();
            let r = Resource {
                kind,
                id: id.clone(),
                parent,
                arn,
                name,
                region: ctx.region.clone(),
                created_at: ctx.now,
                updated_at: ctx.now,
                status: "CREATING".into(),
                pending: Some(Pending {
                    at: due(ctx, timing.provisioning),
                    to: Some(pending_to),
                    failure_reason: reason,
                }),
                spec,
                tags,
                client_token: token,
                request_digest: digest,
                version: 1,
                failure_reason: None,
                last_update: None,
                history: Vec::new(),
            };
            let out = kind.render(&r, Shape::Create);
            world.resources.insert(id, r);
            Ok(json_response(202, out))
        }
        Route::Get(kind, id, parent) => {
            let parent = parent_id(world, ctx, kind, parent.as_deref())?;
            let rid = find_id(world, ctx, kind, &id, parent.as_deref())?;
            let r = &world.resources[&rid];
            if kind == Kind::AgentRuntime
                && let Some(v) = query_get(query, "version")
            {
                // Older versions keep the configuration they were created with.
                let n = v.parse::<u32>().ok().filter(|n| *n >= 1 && *n <= r.version);
                let Some(n) = n else {
                    return Err(ApiError::not_found(format!(
                        "Agent runtime {id} version {v} not found"
                    )));
                };
                let mut old = r.clone();
                if n < r.version {
                    old.spec = r
                        .history
                        .get(n as usize - 1)
                        .cloned()
                        .unwrap_or_else(|| r.spec.clone());
                    old.version = n;
                    old.status = kind.ready().to_string();
                }
                return Ok(json_response(200, kind.render(&old, Shape::Get)));
            }
            Ok(json_response(200, kind.render(r, Shape::Get)))
        }
        Route::Update(kind, id, parent) => {
            let parent = parent_id(world, ctx, kind, parent.as_deref())?;
            let rid = find_id(world, ctx, kind, &id, parent.as_deref())?;
            requests::validate_update(world, ctx, kind, &body)?;
            let token = body
                .get("clientToken")
                .and_then(Value::as_str)
                .map(str::to_string);
            let update_digest = validate::digest(&body);
            if let Some(tok) = &token
                && let Some(r) = world.resources.get(&rid)
                && r.last_update.as_ref() == Some(&(tok.clone(), update_digest.clone()))
            {
                return Ok(json_response(202, kind.render(r, Shape::Update)));
            }
            let r = world.resources.get(&rid).expect("found");
            if matches!(r.status.as_str(), "CREATING" | "UPDATING" | "DELETING") {
                return Err(ApiError::conflict(format!(
                    "{} {id} is {} and cannot be updated now; wait until it is {}",
                    kind.label(),
                    r.status,
                    kind.ready()
                )));
            }
            if let Some(new_name) = kind.name_of(&body)
                && new_name != r.name
                && world.resources.values().any(|o| {
                    o.kind == kind
                        && o.region == ctx.region
                        && o.parent == parent
                        && o.name == new_name
                })
            {
                return Err(ApiError::conflict(format!(
                    "{} with name {new_name} already exists",
                    kind.label()
                )));
            }
            let mut taken = world.resources.remove(&rid).expect("found");
            let previous_spec = taken.spec.clone();
            requests::apply_update(world, kind, &mut taken, body, ctx);
            let r = world.resources.entry(rid).or_insert(taken);
            let reason = requests::failure_reason(kind, &r.spec, ctx.fail);
            let to = if reason.is_some() {
                kind.update_failed()
            } else {
                kind.ready()
            }
            .to_string();
            r.status = "UPDATING".into();
            r.updated_at = ctx.now;
            r.failure_reason = None;
            r.pending = Some(Pending {
                at: due(ctx, timing.provisioning),
                to: Some(to),
                failure_reason: reason,
            });
            if kind == Kind::AgentRuntime {
                r.history.push(previous_spec);
                r.version += 1;
            }
            r.last_update = token.map(|t| (t, update_digest));
            Ok(json_response(202, kind.render(r, Shape::Update)))
        }
        Route::Delete(kind, id, parent) => {
            let parent = parent_id(world, ctx, kind, parent.as_deref())?;
            let rid = find_id(world, ctx, kind, &id, parent.as_deref())?;
            let children = world
                .resources
                .values()
                .filter(|c| c.parent.as_deref() == Some(rid.as_str()))
                .count();
            if children > 0 {
                // AWS answers DeleteGateway on a gateway that still has targets (even DELETING ones)
                // with a ValidationException; policy engines with policies behave the same.
                let what = if kind == Kind::Gateway {
                    "targets"
                } else {
                    "policies"
                };
                return Err(ApiError::validation_msg(format!(
                    "{} {id} has {children} {what} associated with it. Delete all {what} before deleting the {}.",
                    kind.label(),
                    kind.label().to_lowercase()
                ))
                .with_reason("ResourceConflict"));
            }
            if kind == Kind::PolicyEngine {
                let arn = world.resources[&rid].arn.clone();
                if let Some(gw) = world.resources.values().find(|g| {
                    g.kind == Kind::Gateway
                        && g.spec
                            .get("policyEngineConfiguration")
                            .and_then(|p| p.get("arn"))
                            .and_then(Value::as_str)
                            == Some(arn.as_str())
                }) {
                    return Err(ApiError::conflict(format!(
                        "Policy engine {id} is associated with gateway {}; detach it first",
                        gw.id
                    )));
                }
            }
            let r = world.resources.get_mut(&rid).expect("found");
            if r.status != "DELETING" {
                r.status = "DELETING".into();
                r.updated_at = ctx.now;
                let failed = kind.delete_failed().filter(|_| ctx.fail);
                r.pending = Some(Pending {
                    at: due(ctx, timing.deletion),
                    to: failed.map(str::to_string),
                    failure_reason: failed.map(|_| {
                        format!(
                            "{} deletion failed (injected fault); delete it again",
                            kind.label()
                        )
                    }),
                });
            }
            Ok(json_response(202, kind.render(r, Shape::Delete)))
        }
        Route::List(kind, parent) => {
            let parent = parent_id(world, ctx, kind, parent.as_deref())?;
            // The model has bounded maxResults already (1–100, gateways and targets 1–1000).
            let (max, token) = if kind == Kind::Memory {
                (
                    body.get("maxResults")
                        .and_then(Value::as_f64)
                        .map(|n| n as usize),
                    body.get("nextToken")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                )
            } else {
                (
                    query_get(query, "maxResults").and_then(|m| m.parse::<usize>().ok()),
                    query_get(query, "nextToken").map(str::to_string),
                )
            };
            let max = max.filter(|n| *n >= 1).unwrap_or(50);
            let after = token.as_deref().map(decode_token).transpose()?;
            let mut items: Vec<&Resource> = world
                .resources
                .values()
                .filter(|r| r.kind == kind && r.region == ctx.region && r.parent == parent)
                .filter(|r| after.as_ref().is_none_or(|a| r.sort_key() > *a))
                .collect();
            items.sort_by_key(|r| r.sort_key());
            let page = &items[..items.len().min(max)];
            let mut out = json!({ kind.list_member(): page.iter().map(|r| kind.render(r, Shape::Summary)).collect::<Vec<_>>() });
            if items.len() > page.len()
                && let Some(last) = page.last()
            {
                out["nextToken"] = json!(encode_token(&last.sort_key()));
            }
            Ok(json_response(200, out))
        }
        Route::Tag(arn) | Route::Untag(arn) | Route::ListTags(arn)
            if !world.resources.values().any(|r| r.arn == arn) =>
        {
            Err(ApiError::not_found(format!("Resource {arn} not found")))
        }
        Route::Tag(arn) => {
            Check::new().reserved_tag_keys(&body, "tags").finish()?;
            let tags = body
                .get("tags")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let r = world
                .resources
                .values_mut()
                .find(|r| r.arn == arn)
                .expect("checked");
            let merged = r.tags.len() + tags.keys().filter(|k| !r.tags.contains_key(*k)).count();
            if merged > 50 {
                return Err(ApiError::new(
                    402,
                    "ServiceQuotaExceededException",
                    format!("{arn} would have {merged} tags; a resource can have at most 50"),
                ));
            }
            for (k, v) in tags {
                if let Some(s) = v.as_str() {
                    r.tags.insert(k, s.to_string());
                }
            }
            Ok(empty_response(204))
        }
        Route::Untag(arn) => {
            let keys: Vec<&str> = query
                .iter()
                .filter(|(k, _)| k == "tagKeys")
                .map(|(_, v)| v.as_str())
                .collect();
            let r = world
                .resources
                .values_mut()
                .find(|r| r.arn == arn)
                .expect("checked");
            for k in keys {
                r.tags.remove(k);
            }
            Ok(empty_response(204))
        }
        Route::ListTags(arn) => {
            let r = world
                .resources
                .values()
                .find(|r| r.arn == arn)
                .expect("checked");
            Ok(json_response(200, json!({ "tags": r.tags })))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx() -> Ctx {
        Ctx {
            region: "us-east-1".into(),
            now: chrono::Utc::now(),
            access_key: "local".into(),
            request_id: "r".into(),
            user_agent: "test".into(),
            fail: false,
        }
    }

    fn body_json(resp: Response) -> Value {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let bytes = rt
            .block_on(axum::body::to_bytes(resp.into_body(), usize::MAX))
            .expect("body");
        serde_json::from_slice(&bytes).expect("json")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn listing_visits_every_resource_once(n in 0usize..25, page in 1usize..8, deleted in proptest::collection::vec(any::<bool>(), 25)) {
            let mut world = WorldState::empty("111122223333");
            let timing = Timing::instant();
            let ctx = ctx();
            for i in 0..n {
                let body = json!({ "name": format!("engine_{i}") });
                handle(&mut world, &ctx, &timing, Route::Create(Kind::PolicyEngine, None), &[], body.as_object().unwrap().clone()).unwrap();
            }
            // Deletions between pages must not make the walk repeat or skip the survivors.
            let ids: Vec<String> = world.resources.keys().cloned().collect();
            let mut token: Option<String> = None;
            let mut seen = Vec::new();
            let mut tokens = std::collections::HashSet::new();
            for round in 0.. {
                let mut query = vec![("maxResults".to_string(), page.to_string())];
                if let Some(t) = &token {
                    query.push(("nextToken".to_string(), t.clone()));
                }
                let out = body_json(handle(&mut world, &ctx, &timing, Route::List(Kind::PolicyEngine, None), &query, Map::new()).unwrap());
                let items = out["policyEngines"].as_array().unwrap();
                prop_assert!(items.len() <= page);
                seen.extend(items.iter().map(|e| e["policyEngineId"].as_str().unwrap().to_string()));
                if round == 0 {
                    for (id, del) in ids.iter().zip(&deleted) {
                        if *del && !seen.contains(id) {
                            world.resources.remove(id);
                        }
                    }
                }
                match out.get("nextToken").and_then(Value::as_str) {
                    Some(t) => {
                        prop_assert!(tokens.insert(t.to_string()), "token {} came back twice", t);
                        token = Some(t.to_string());
                    }
                    None => break,
                }
            }
            let unique: std::collections::HashSet<&String> = seen.iter().collect();
            prop_assert_eq!(unique.len(), seen.len());
            let survivors: std::collections::HashSet<&String> = world.resources.keys().collect();
            prop_assert!(survivors.iter().all(|s| unique.contains(s)));
        }
    }
}
