//! Aliases: ListAliases, CreateAlias, DeleteAlias.

use serde_json::{Map, Value, json};

use crate::wire::{ApiError, ApiResult, ts_num};
use crate::world::{Alias, Ctx, WorldState};

use super::keys::alias_arn;
use super::{member, page_args, resolve, str_member};

pub(super) fn list_aliases(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    let (limit, marker) = page_args(body);
    let filter = match str_member(body, "KeyId") {
        Some(r) => Some(resolve(world, region, r)?.key_id.clone()),
        None => None,
    };
    let mut aliases: Vec<&Alias> = world
        .aliases
        .iter()
        .filter(|a| a.region == region && filter.as_ref().is_none_or(|f| *f == a.target_key_id))
        .collect();
    aliases.sort_by(|a, b| a.name.cmp(&b.name));
    let start = match &marker {
        Some(m) => aliases
            .iter()
            .position(|a| a.name.as_str() > m.as_str())
            .unwrap_or(aliases.len()),
        None => 0,
    };
    let page: Vec<&Alias> = aliases.iter().skip(start).take(limit).copied().collect();
    let truncated = start + page.len() < aliases.len();
    let mut out = json!({
        "Aliases": page.iter().map(|a| json!({
            "AliasName": a.name, "AliasArn": a.arn(), "TargetKeyId": a.target_key_id,
            "CreationDate": ts_num(&a.creation_date), "LastUpdatedDate": ts_num(&a.last_updated),
        })).collect::<Vec<_>>(),
        "Truncated": truncated,
    });
    if truncated && let Some(last) = page.last() {
        out["NextMarker"] = json!(last.name);
    }
    Ok(Some(out))
}

pub(super) fn create_alias(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    let name = member(body, "AliasName");
    let target = member(body, "TargetKeyId");
    // The model's pattern also allows ':' and any prefix; the API reference does not.
    let valid = name.len() > 6
        && name.starts_with("alias/")
        && name[6..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c));
    if !valid {
        return Err(ApiError::kms(
            "ValidationException",
            format!(
                "1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$"
            ),
        ));
    }
    if name.starts_with("alias/aws/") {
        return Err(ApiError::kms(
            "InvalidAliasNameException",
            "Alias must not begin with 'alias/aws/'. The 'alias/aws/' prefix is reserved for AWS managed keys.",
        ));
    }
    if target.starts_with("alias/") || target.contains(":alias/") {
        return Err(ApiError::kms(
            "ValidationException",
            "TargetKeyId must be a key ID or key ARN, not an alias",
        ));
    }
    let key = resolve(world, region, target)?;
    if key.key_state == "PendingDeletion" {
        return Err(ApiError::kms(
            "KMSInvalidStateException",
            format!("{} is pending deletion.", key.arn),
        ));
    }
    let target_id = key.key_id.clone();
    if world
        .aliases
        .iter()
        .any(|a| a.region == region && a.name == name)
    {
        return Err(ApiError::kms(
            "AlreadyExistsException",
            format!(
                "An alias with the name {} already exists",
                alias_arn(world, region, name)
            ),
        ));
    }
    let account = world.account.clone();
    world.aliases.push(Alias {
        name: name.to_string(),
        region: region.to_string(),
        account,
        target_key_id: target_id,
        creation_date: ctx.now,
        last_updated: ctx.now,
    });
    Ok(None)
}

pub(super) fn delete_alias(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    let name = member(body, "AliasName");
    let before = world.aliases.len();
    world
        .aliases
        .retain(|a| !(a.region == region && a.name == name));
    if world.aliases.len() == before {
        return Err(ApiError::kms(
            "NotFoundException",
            format!("Alias {} is not found.", alias_arn(world, region, name)),
        ));
    }
    Ok(None)
}
