//! ListAgentRuntimeVersions and ListAgentRuntimeEndpoints: every version a runtime has had, and
//! its DEFAULT endpoint, which AgentCore creates with the runtime and moves to each new version.

use axum::response::Response;
use serde_json::{Value, json};

use crate::wire::{ApiResult, decode_token, encode_token, json_response, query_get, ts_str};
use crate::world::{Ctx, Kind, WorldState};

use super::Shape;
use super::lifecycle::find_id;

fn page(query: &[(String, String)]) -> ApiResult<(usize, usize)> {
    // The model bounds maxResults to 1–100.
    let max = query_get(query, "maxResults")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(50);
    let from = match query_get(query, "nextToken") {
        Some(t) => decode_token(t)?.parse::<usize>().unwrap_or(0),
        None => 0,
    };
    Ok((from, max))
}

fn paged(items: Vec<Value>, member: &str, from: usize, max: usize) -> Response {
    let end = (from + max).min(items.len());
    let mut out = json!({ member: items.get(from.min(end)..end).unwrap_or_default() });
    if end < items.len() {
        out["nextToken"] = json!(encode_token(&end.to_string()));
    }
    json_response(200, out)
}

/// Newest first, as the console lists them.
pub(super) fn list_versions(
    world: &WorldState,
    ctx: &Ctx,
    id: &str,
    query: &[(String, String)],
) -> ApiResult<Response> {
    let rid = find_id(world, ctx, Kind::AgentRuntime, id, None)?;
    let r = &world.resources[&rid];
    let (from, max) = page(query)?;
    let items = (1..=r.version)
        .rev()
        .map(|n| {
            let mut v = r.clone();
            if n < r.version {
                v.spec = r.history.get(n as usize - 1).cloned().unwrap_or_default();
                v.status = Kind::AgentRuntime.ready().to_string();
            }
            v.version = n;
            let mut out = Kind::AgentRuntime.render(&v, Shape::Summary);
            if out["description"].as_str().is_none_or(str::is_empty) {
                out["description"] = json!(format!("Version {n}"));
            }
            out
        })
        .collect();
    Ok(paged(items, "agentRuntimes", from, max))
}

pub(super) fn list_endpoints(
    world: &WorldState,
    ctx: &Ctx,
    id: &str,
    query: &[(String, String)],
) -> ApiResult<Response> {
    let rid = find_id(world, ctx, Kind::AgentRuntime, id, None)?;
    let r = &world.resources[&rid];
    let (from, max) = page(query)?;
    let suffix = r.id.rsplit('-').next().unwrap_or_default();
    let status = match r.status.as_str() {
        "READY" | "CREATING" | "UPDATING" | "DELETING" | "CREATE_FAILED" | "UPDATE_FAILED"
        | "DELETE_FAILED" => r.status.clone(),
        _ => "CREATE_FAILED".to_string(),
    };
    let version = r.version.to_string();
    let endpoint = json!({
        "name": "DEFAULT",
        "id": format!("DEFAULT-{suffix}"),
        "agentRuntimeArn": r.arn,
        "agentRuntimeEndpointArn": format!("{}/runtime-endpoint/DEFAULT", r.arn),
        "status": status,
        "liveVersion": version,
        "targetVersion": version,
        "createdAt": ts_str(&r.created_at),
        "lastUpdatedAt": ts_str(&r.updated_at),
    });
    Ok(paged(vec![endpoint], "runtimeEndpoints", from, max))
}
