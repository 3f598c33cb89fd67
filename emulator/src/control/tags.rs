//! TagResource, UntagResource and ListTagsForResource, on any control-plane resource by its ARN.

use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::validate::Check;
use crate::wire::{ApiError, ApiResult, empty_response, json_response};
use crate::world::{Resource, WorldState};

/// An unknown ARN is refused before the request's own members are looked at.
fn tagged<'a>(world: &'a mut WorldState, arn: &str) -> ApiResult<&'a mut Resource> {
    world
        .resources
        .values_mut()
        .find(|r| r.arn == arn)
        .ok_or_else(|| ApiError::not_found(format!("Resource {arn} not found")))
}

pub(super) fn tag_resource(
    world: &mut WorldState,
    arn: &str,
    body: &Map<String, Value>,
) -> ApiResult<Response> {
    let r = tagged(world, arn)?;
    Check::new().reserved_tag_keys(body, "tags").finish()?;
    let tags = body
        .get("tags")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
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

pub(super) fn untag_resource(
    world: &mut WorldState,
    arn: &str,
    query: &[(String, String)],
) -> ApiResult<Response> {
    let r = tagged(world, arn)?;
    for (_, k) in query.iter().filter(|(k, _)| k == "tagKeys") {
        r.tags.remove(k);
    }
    Ok(empty_response(204))
}

pub(super) fn list_tags_for_resource(world: &mut WorldState, arn: &str) -> ApiResult<Response> {
    let r = tagged(world, arn)?;
    Ok(json_response(200, json!({ "tags": r.tags })))
}
