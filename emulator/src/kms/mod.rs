//! KMS over awsJson1.1 (`X-Amz-Target: TrentService.<Op>`): keys, aliases, key policies, and real
//! AES-256-GCM under each key's own material. Every call leaves a CloudTrail event.

mod ciphertext;
mod keys;

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::{Map, Value, json};

use crate::cloudtrail::{self, Actor};
use crate::crypto;
use crate::keypolicy::{self, Who};
use crate::wire::{ApiError, ApiResult, ts_num};
use crate::world::{Ctx, WorldState};

pub use ciphertext::{
    blob_key_id, context_aad, decrypt_blob, encrypt_raw, generate_data_key, invalid_ciphertext,
};
pub use keys::{Alias, Key, advance, default_policy, resolve, usable_for_crypto};
use keys::{alias_arn, hex_id};

fn validate_policy(policy: &str) -> Result<Value, ApiError> {
    let malformed = |why: String| ApiError::kms("MalformedPolicyDocumentException", why);
    if policy.len() > 32768 {
        return Err(malformed(
            "The key policy is longer than 32768 characters.".into(),
        ));
    }
    let doc: Value = serde_json::from_str(policy)
        .map_err(|e| malformed(format!("The key policy is not valid JSON: {e}")))?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(a)) if !a.is_empty() => a.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => return Err(malformed("The key policy has no Statement.".into())),
    };
    for (i, st) in statements.iter().enumerate() {
        match st.get("Effect").and_then(Value::as_str) {
            Some("Allow" | "Deny") => {}
            _ => {
                return Err(malformed(format!(
                    "Statement {i} needs an Effect of Allow or Deny."
                )));
            }
        }
        if st.get("Principal").is_none() && st.get("NotPrincipal").is_none() {
            return Err(malformed(format!("Statement {i} has no Principal.")));
        }
        if st.get("Action").is_none() && st.get("NotAction").is_none() {
            return Err(malformed(format!("Statement {i} has no Action.")));
        }
    }
    Ok(doc)
}

/// Cryptographic calls are checked against the key policy, as KMS does (with the request's
/// encryption context as `kms:EncryptionContext:*` condition keys). Management calls are not: the
/// demo deployer is treated as a key administrator through IAM.
fn authorize(
    world: &WorldState,
    key: &Key,
    action: &str,
    ec: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    let mut context: BTreeMap<String, String> = ec
        .iter()
        .map(|(k, v)| (format!("kms:EncryptionContext:{k}"), v.clone()))
        .collect();
    context.insert("kms:CallerAccount".into(), world.account.clone());
    let req = keypolicy::Request {
        who: caller_who(world),
        action,
        context,
    };
    if keypolicy::evaluate(&key.policy, &req).allowed() {
        return Ok(());
    }
    Err(ApiError::new(
        400,
        "AccessDeniedException",
        format!(
            "User: arn:aws:sts::{}:assumed-role/{}/{} is not authorized to perform: {action} on resource: {} because no resource-based policy allows the {action} action",
            world.account,
            crate::world::DEPLOYER_ROLE,
            crate::world::SESSION_NAME,
            key.arn
        ),
    ))
}

fn caller_who(world: &WorldState) -> Who {
    Who::Aws {
        arn: world.caller_role_arn(),
        account: world.account.clone(),
    }
}

/// KMS refuses a policy that would lock the caller out of changing it again.
fn lockout_check(world: &WorldState, policy: &str, bypass: bool) -> Result<(), ApiError> {
    if bypass {
        return Ok(());
    }
    let req = keypolicy::Request {
        who: caller_who(world),
        action: "kms:PutKeyPolicy",
        context: BTreeMap::new(),
    };
    if keypolicy::evaluate(policy, &req).allowed() {
        Ok(())
    } else {
        Err(ApiError::kms(
            "MalformedPolicyDocumentException",
            "The new key policy will not allow you to update the key policy in the future.",
        ))
    }
}

fn str_member<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

/// The model has already required the member and held it to its length; a handler reached
/// without the model check (a recording run) sees "" and answers as for an unknown key.
fn member<'a>(body: &'a Map<String, Value>, name: &str) -> &'a str {
    str_member(body, name).unwrap_or_default()
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The model has already held every value of the context to a string.
fn context_member(body: &Map<String, Value>) -> BTreeMap<String, String> {
    body.get("EncryptionContext")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Limit is 1–1000 by the model.
fn page_args(body: &Map<String, Value>) -> (usize, Option<String>) {
    let limit = body
        .get("Limit")
        .and_then(Value::as_f64)
        .map_or(100, |n| n as usize);
    (limit, str_member(body, "Marker").map(str::to_string))
}

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

pub fn handle(
    world: &mut WorldState,
    ctx: &Ctx,
    op: &str,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let key_ref = str_member(body, "KeyId")
        .or(str_member(body, "TargetKeyId"))
        .map(str::to_string);
    let ec = context_member(body);
    let result = dispatch(world, ctx, op, body);
    let key_arn = key_ref
        .as_deref()
        .and_then(|r| resolve(world, &ctx.region, r).ok().map(|k| k.arn.clone()))
        .or_else(|| match (&result, op) {
            (Ok(Some(v)), "CreateKey") => v
                .pointer("/KeyMetadata/Arn")
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        })
        .or_else(|| {
            (op == "Decrypt")
                .then(|| {
                    str_member(body, "CiphertextBlob")
                        .and_then(crypto::unb64)
                        .and_then(|b| blob_key_id(&b))
                })
                .flatten()
                .and_then(|id| world.keys.get(&id).map(|k| k.arn.clone()))
        });
    let mut params = Map::new();
    for (k, v) in body {
        if !matches!(k.as_str(), "Plaintext" | "CiphertextBlob" | "Policy") {
            params.insert(lower_first(k), v.clone());
        }
    }
    cloudtrail::record(
        world,
        ctx,
        cloudtrail::Call {
            event_name: op,
            actor: Actor::Caller,
            key_arn,
            encryption_context: ec,
            request_parameters: Value::Object(params),
            error: result
                .as_ref()
                .err()
                .map(|e| (e.code.clone(), e.message.clone())),
            source_arn: None,
        },
    );
    result
}

fn dispatch(
    world: &mut WorldState,
    ctx: &Ctx,
    op: &str,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    match op {
        "CreateKey" => {
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
                    validate_policy(p)?;
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
        "DescribeKey" => {
            let key = resolve(world, region, member(body, "KeyId"))?;
            Ok(Some(json!({ "KeyMetadata": key.metadata() })))
        }
        "ListKeys" => {
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
        "ListAliases" => {
            let (limit, marker) = page_args(body);
            let filter = match str_member(body, "KeyId") {
                Some(r) => Some(resolve(world, region, r)?.key_id.clone()),
                None => None,
            };
            let mut aliases: Vec<&Alias> = world
                .aliases
                .iter()
                .filter(|a| {
                    a.region == region && filter.as_ref().is_none_or(|f| *f == a.target_key_id)
                })
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
        "CreateAlias" => {
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
        "DeleteAlias" => {
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
        "GetKeyPolicy" => {
            let key = resolve(world, region, member(body, "KeyId"))?;
            let name = str_member(body, "PolicyName").unwrap_or("default");
            if name != "default" {
                return Err(ApiError::kms("NotFoundException", "No such policy exists"));
            }
            Ok(Some(
                json!({ "Policy": key.policy, "PolicyName": "default" }),
            ))
        }
        "PutKeyPolicy" => {
            let key_id = resolve(world, region, member(body, "KeyId"))?
                .key_id
                .clone();
            let policy = member(body, "Policy");
            if str_member(body, "PolicyName").is_some_and(|n| n != "default") {
                return Err(ApiError::kms("NotFoundException", "No such policy exists"));
            }
            validate_policy(policy)?;
            lockout_check(
                world,
                policy,
                body.get("BypassPolicyLockoutSafetyCheck")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            )?;
            if let Some(k) = world.keys.get_mut(&key_id) {
                k.policy = policy.to_string();
            }
            Ok(None)
        }
        "EnableKey" | "DisableKey" => {
            let key = resolve(world, region, member(body, "KeyId"))?;
            if key.key_state == "PendingDeletion" {
                return Err(ApiError::kms(
                    "KMSInvalidStateException",
                    format!("{} is pending deletion.", key.arn),
                ));
            }
            let id = key.key_id.clone();
            if let Some(k) = world.keys.get_mut(&id) {
                k.key_state = if op == "EnableKey" {
                    "Enabled"
                } else {
                    "Disabled"
                }
                .into();
            }
            Ok(None)
        }
        "ScheduleKeyDeletion" => {
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
        "CancelKeyDeletion" => {
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
        "GenerateDataKey" => {
            let key = resolve(world, region, member(body, "KeyId"))?;
            let ec = context_member(body);
            // KeySpec is AES_256/AES_128 and NumberOfBytes 1–1024 by the model.
            let len = match (
                str_member(body, "KeySpec"),
                body.get("NumberOfBytes").and_then(Value::as_f64),
            ) {
                (Some(_), Some(_)) => {
                    return Err(ApiError::kms(
                        "ValidationException",
                        "Please specify either number of bytes or key spec.",
                    ));
                }
                (Some("AES_128"), None) => 16,
                (None, Some(n)) => n as usize,
                _ => 32,
            };
            authorize(world, key, "kms:GenerateDataKey", &ec)?;
            usable_for_crypto(key)?;
            if body.get("DryRun").and_then(Value::as_bool) == Some(true) {
                return Err(ApiError::kms(
                    "DryRunOperationException",
                    "The request would have succeeded, but the DryRun flag is set.",
                ));
            }
            let (plain, blob) = generate_data_key(key, &ec, len);
            Ok(Some(json!({
                "KeyId": key.arn, "Plaintext": crypto::b64(&plain), "CiphertextBlob": crypto::b64(&blob),
                "KeyMaterialId": hex_id(&key.material),
            })))
        }
        "Encrypt" => {
            let key = resolve(world, region, member(body, "KeyId"))?;
            let ec = context_member(body);
            // The model counts the blob's length but does not decode it.
            let plain = crypto::unb64(member(body, "Plaintext")).ok_or_else(|| {
                ApiError::kms("ValidationException", "Plaintext is not valid base64")
            })?;
            authorize(world, key, "kms:Encrypt", &ec)?;
            usable_for_crypto(key)?;
            if body.get("DryRun").and_then(Value::as_bool) == Some(true) {
                return Err(ApiError::kms(
                    "DryRunOperationException",
                    "The request would have succeeded, but the DryRun flag is set.",
                ));
            }
            let blob = encrypt_raw(key, &plain, &ec);
            Ok(Some(
                json!({ "KeyId": key.arn, "CiphertextBlob": crypto::b64(&blob), "EncryptionAlgorithm": "SYMMETRIC_DEFAULT" }),
            ))
        }
        "Decrypt" => {
            let ec = context_member(body);
            let blob = str_member(body, "CiphertextBlob")
                .and_then(crypto::unb64)
                .ok_or_else(invalid_ciphertext)?;
            let named = blob_key_id(&blob).ok_or_else(invalid_ciphertext)?;
            if let Some(r) = str_member(body, "KeyId") {
                let wanted = resolve(world, region, r)?;
                if wanted.key_id != named {
                    return Err(ApiError::kms(
                        "IncorrectKeyException",
                        "The key ID in the request does not identify a KMS key that can perform this operation.",
                    ));
                }
            }
            if let Ok(key) = resolve(world, region, &named) {
                authorize(world, key, "kms:Decrypt", &ec)?;
            }
            let (key, plain) = decrypt_blob(world, region, &blob, &ec)?;
            Ok(Some(json!({
                "KeyId": key.arn, "Plaintext": crypto::b64(&plain), "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                "KeyMaterialId": hex_id(&key.material),
            })))
        }
        other => Err(ApiError::new(
            400,
            "UnknownOperationException",
            format!("Operation {other} is not supported by this emulator"),
        )),
    }
}
