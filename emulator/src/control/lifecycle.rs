//! The lifecycle every control-plane kind shares, one function per verb: CreateX, GetX, UpdateX,
//! DeleteX and ListXs for each of the eight kinds.

use std::collections::BTreeMap;

use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::timing::Timing;
use crate::validate;
use crate::wire::{ApiError, ApiResult, decode_token, encode_token, json_response, query_get};
use crate::world::{Ctx, Kind, Pending, Resource, WorldState};

use super::{Shape, requests};

fn due(ctx: &Ctx, d: std::time::Duration) -> chrono::DateTime<chrono::Utc> {
    ctx.now + chrono::Duration::from_std(d).unwrap_or_default()
}

pub(super) fn find_id(
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

pub(super) fn create(
    world: &mut WorldState,
    ctx: &Ctx,
    timing: &Timing,
    kind: Kind,
    parent: Option<&str>,
    body: Map<String, Value>,
) -> ApiResult<Response> {
    let parent = parent_id(world, ctx, kind, parent)?;
    requests::validate_create(world, ctx, kind, &body)?;
    let digest = validate::digest(&body);
    let token = body
        .get("clientToken")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(tok) = &token
        && let Some(existing) = world
            .resources
            .values()
            .find(|r| r.kind == kind && r.client_token.as_ref() == Some(tok) && r.parent == parent)
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
    if world
        .resources
        .values()
        .any(|r| r.kind == kind && r.region == ctx.region && r.parent == parent && r.name == name)
    {
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

pub(super) fn get(
    world: &WorldState,
    ctx: &Ctx,
    kind: Kind,
    id: &str,
    parent: Option<&str>,
    query: &[(String, String)],
) -> ApiResult<Response> {
    let parent = parent_id(world, ctx, kind, parent)?;
    let rid = find_id(world, ctx, kind, id, parent.as_deref())?;
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

pub(super) fn update(
    world: &mut WorldState,
    ctx: &Ctx,
    timing: &Timing,
    kind: Kind,
    id: &str,
    parent: Option<&str>,
    body: Map<String, Value>,
) -> ApiResult<Response> {
    let parent = parent_id(world, ctx, kind, parent)?;
    let rid = find_id(world, ctx, kind, id, parent.as_deref())?;
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
            o.kind == kind && o.region == ctx.region && o.parent == parent && o.name == new_name
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

pub(super) fn delete(
    world: &mut WorldState,
    ctx: &Ctx,
    timing: &Timing,
    kind: Kind,
    id: &str,
    parent: Option<&str>,
) -> ApiResult<Response> {
    let parent = parent_id(world, ctx, kind, parent)?;
    let rid = find_id(world, ctx, kind, id, parent.as_deref())?;
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

pub(super) fn list(
    world: &WorldState,
    ctx: &Ctx,
    kind: Kind,
    parent: Option<&str>,
    query: &[(String, String)],
    body: &Map<String, Value>,
) -> ApiResult<Response> {
    let parent = parent_id(world, ctx, kind, parent)?;
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
