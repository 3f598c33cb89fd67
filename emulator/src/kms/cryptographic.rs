//! Cryptographic operations: GenerateDataKey, Encrypt, Decrypt, each checked against the key policy.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::crypto;
use crate::keypolicy;
use crate::wire::{ApiError, ApiResult};
use crate::world::{Ctx, Key, WorldState};

use super::keys::hex_id;
use super::{
    blob_key_id, caller_who, context_member, decrypt_blob, encrypt_raw, invalid_ciphertext, member,
    resolve, str_member, usable_for_crypto,
};

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
            "User: {} is not authorized to perform: {action} on resource: {} because no resource-based policy allows the {action} action",
            world.session_arn(),
            key.arn
        ),
    ))
}

pub(super) fn generate_data_key(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
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
    let (plain, blob) = super::generate_data_key(key, &ec, len);
    Ok(Some(json!({
        "KeyId": key.arn, "Plaintext": crypto::b64(&plain), "CiphertextBlob": crypto::b64(&blob),
        "KeyMaterialId": hex_id(&key.material),
    })))
}

pub(super) fn encrypt(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
    let key = resolve(world, region, member(body, "KeyId"))?;
    let ec = context_member(body);
    // The model counts the blob's length but does not decode it.
    let plain = crypto::unb64(member(body, "Plaintext"))
        .ok_or_else(|| ApiError::kms("ValidationException", "Plaintext is not valid base64"))?;
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

pub(super) fn decrypt(
    world: &mut WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Option<Value>> {
    let region = ctx.region.as_str();
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
