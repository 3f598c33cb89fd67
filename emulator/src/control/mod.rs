//! AgentCore control plane (restJson1): its router, and one function per operation verb.
//!
//! `lifecycle` has Create/Get/Update/Delete/List for every kind, `tags` the tagging operations,
//! `requests` the per-kind checks the models cannot make, `shapes` the answers.

mod lifecycle;
mod requests;
mod shapes;
mod tags;
mod versions;

use axum::http::Method;
use axum::response::Response;
use serde_json::{Map, Value};

use crate::timing::Timing;
use crate::wire::ApiResult;
use crate::world::{Ctx, Kind, WorldState};

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
    Versions(String),
    Endpoints(String),
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
        ("POST", ["runtimes", id, "versions"]) => {
            ("ListAgentRuntimeVersions", Route::Versions(id.to_string()))
        }
        ("POST", ["runtimes", id, "runtime-endpoints"]) => (
            "ListAgentRuntimeEndpoints",
            Route::Endpoints(id.to_string()),
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
            lifecycle::create(world, ctx, timing, kind, parent.as_deref(), body)
        }
        Route::Get(kind, id, parent) => {
            lifecycle::get(world, ctx, kind, &id, parent.as_deref(), query)
        }
        Route::Update(kind, id, parent) => {
            lifecycle::update(world, ctx, timing, kind, &id, parent.as_deref(), body)
        }
        Route::Delete(kind, id, parent) => {
            lifecycle::delete(world, ctx, timing, kind, &id, parent.as_deref())
        }
        Route::List(kind, parent) => {
            lifecycle::list(world, ctx, kind, parent.as_deref(), query, &body)
        }
        Route::Tag(arn) => tags::tag_resource(world, &arn, &body),
        Route::Untag(arn) => tags::untag_resource(world, &arn, query),
        Route::ListTags(arn) => tags::list_tags_for_resource(world, &arn),
        Route::Versions(id) => versions::list_versions(world, ctx, &id, query),
        Route::Endpoints(id) => versions::list_endpoints(world, ctx, &id, query),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

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
