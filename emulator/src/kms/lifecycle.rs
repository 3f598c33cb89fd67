//! Key lifecycle: CreateKey, DescribeKey, ListKeys, EnableKey/DisableKey, Schedule/CancelKeyDeletion.

use chrono::Duration;
use serde_json::{Map, Value, json};

use crate::crypto;
use crate::wire::{ApiError, ApiResult, ts_num};
use crate::world::{Ctx, Key, WorldState};

use super::policy::{lockout_check, principals_exist, validate_policy};
use super::{default_policy, member, page_args, resolve, str_member};

/// The key usages KMS allows for each key spec (AWS KMS Developer Guide, "Key spec reference").
fn usage_fits(spec: &str, usage: &str) -> bool {
    match spec {
        "SYMMETRIC_DEFAULT" => usage == "ENCRYPT_DECRYPT",
        s if s.starts_with("RSA_") => matches!(usage, "ENCRYPT_DECRYPT" | "SIGN_VERIFY"),
        "ECC_NIST_P256" | "ECC_NIST_P384" | "ECC_NIST_P521" => {
            matches!(usage, "SIGN_VERIFY" | "KEY_AGREEMENT")
        }
        "ECC_SECG_P256K1" | "ECC_NIST_EDWARDS25519" => usage == "SIGN_VERIFY",
        s if s.starts_with("ML_DSA_") => usage == "SIGN_VERIFY",
        s if s.starts_with("ML_KEM_") => usage == "ENCAPSULATE_DECAPSULATE",
        "SM2" => matches!(usage, "ENCRYPT_DECRYPT" | "SIGN_VERIFY" | "KEY_AGREEMENT"),
        s if s.starts_with("HMAC_") => usage == "GENERATE_VERIFY_MAC",
        _ => false,
    }
}

pub(super) fn create_key(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    let spec = str_member(body, "KeySpec")
        .or(str_member(body, "CustomerMasterKeySpec"))
        .unwrap_or("SYMMETRIC_DEFAULT");
    let usage = str_member(body, "KeyUsage").unwrap_or("ENCRYPT_DECRYPT");
    if !usage_fits(spec, usage) {
        return Err(ApiError::kms(
            "ValidationException",
            format!("KeyUsage {usage} is not compatible with KeySpec {spec}"),
        ));
    }
    if spec == "SM2" && !region.starts_with("cn-") {
        return Err(ApiError::kms(
            "ValidationException",
            format!("KeySpec SM2 is only available in the China Regions, not in {region}"),
        ));
    }
    let policy = match str_member(body, "Policy") {
        Some(p) => {
            let doc = validate_policy(p)?;
            principals_exist(world, &doc)?;
            lockout_check(
                world,
                p,
                body.get("BypassPolicyLockoutSafetyCheck")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            )?;
            p.to_string()
        }
        None => default_policy(&world.account),
    };
    let id = world.next_uuid();
    let material = crypto::random_bytes(32);
    let mut key = Key::new(
        id.clone(),
        region,
        &world.account.clone(),
        ctx.now,
        spec,
        usage,
        policy,
        material,
    );
    key.description = str_member(body, "Description")
        .unwrap_or_default()
        .to_string();
    key.multi_region = body
        .get("MultiRegion")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(Value::Array(tags)) = body.get("Tags") {
        key.tags.extend(tags.iter().filter_map(|t| {
            Some((
                t.get("TagKey")?.as_str()?.to_string(),
                t.get("TagValue")?.as_str()?.to_string(),
            ))
        }));
    }
    let md = key.metadata();
    world.keys.insert(id, key);
    Ok(Some(json!({ "KeyMetadata": md })))
}

pub(super) fn describe_key(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    let key = resolve(world, region, member(body, "KeyId"))?;
    Ok(Some(json!({ "KeyMetadata": key.metadata() })))
}

pub(super) fn list_keys(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    let (limit, marker) = page_args(body);
    let mut keys: Vec<&Key> = world.keys.values().filter(|k| k.region == region).collect();
    keys.sort_by(|a, b| a.key_id.cmp(&b.key_id));
    let start = match &marker {
        Some(m) => keys
            .iter()
            .position(|k| k.key_id.as_str() > m.as_str())
            .unwrap_or(keys.len()),
        None => 0,
    };
    let page: Vec<&Key> = keys.iter().skip(start).take(limit).copied().collect();
    let truncated = start + page.len() < keys.len();
    let mut out = json!({
        "Keys": page.iter().map(|k| json!({"KeyId": k.key_id, "KeyArn": k.arn})).collect::<Vec<_>>(),
        "Truncated": truncated,
    });
    if truncated && let Some(last) = page.last() {
        out["NextMarker"] = json!(last.key_id);
    }
    Ok(Some(out))
}

pub(super) fn enable_key(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    set_enabled(world, ctx, body, true)
}

pub(super) fn disable_key(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    set_enabled(world, ctx, body, false)
}

fn set_enabled(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
    enable: bool,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    let key = resolve(world, region, member(body, "KeyId"))?;
    if key.key_state == "PendingDeletion" {
        return Err(ApiError::kms(
            "KMSInvalidStateException",
            format!("{} is pending deletion.", key.arn),
        ));
    }
    let id = key.key_id.clone();
    if let Some(k) = world.keys.get_mut(&id) {
        k.key_state = if enable { "Enabled" } else { "Disabled" }.into();
    }
    Ok(None)
}

pub(super) fn schedule_key_deletion(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    let key = resolve(world, region, member(body, "KeyId"))?;
    // The model allows 1–365; the API reference allows 7–30.
    let days = match body.get("PendingWindowInDays") {
        None | Some(Value::Null) => 30,
        Some(v) => match v.as_i64() {
            Some(d) if (7..=30).contains(&d) => d,
            _ => {
                return Err(ApiError::kms(
                    "ValidationException",
                    format!(
                        "1 validation error detected: Value '{v}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30"
                    ),
                ));
            }
        },
    };
    if key.key_state == "PendingDeletion" {
        return Err(ApiError::kms(
            "KMSInvalidStateException",
            format!("{} is pending deletion.", key.arn),
        ));
    }
    let id = key.key_id.clone();
    let k = world.keys.get_mut(&id).expect("resolved above");
    let when = ctx.now + Duration::days(days);
    k.key_state = "PendingDeletion".into();
    k.deletion_date = Some(when);
    k.pending_window_days = Some(days);
    Ok(Some(json!({
        "KeyId": k.arn, "DeletionDate": ts_num(&when), "KeyState": "PendingDeletion", "PendingWindowInDays": days,
    })))
}

pub(super) fn cancel_key_deletion(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    let key = resolve(world, region, member(body, "KeyId"))?;
    if key.key_state != "PendingDeletion" {
        return Err(ApiError::kms(
            "KMSInvalidStateException",
            format!("{} is not pending deletion.", key.arn),
        ));
    }
    let id = key.key_id.clone();
    let k = world.keys.get_mut(&id).expect("resolved above");
    k.key_state = "Disabled".into();
    k.deletion_date = None;
    k.pending_window_days = None;
    Ok(Some(json!({ "KeyId": k.arn })))
}
