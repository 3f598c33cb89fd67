//! KMS over awsJson1.1 (`X-Amz-Target: TrentService.<Op>`): a table of one function per operation.
//!
//! `lifecycle`, `aliases`, `policy` and `cryptographic` hold the operations, `keys` the lookups and
//! the answers about a key, `ciphertext` real AES-256-GCM under each key's own material. Every
//! call leaves a CloudTrail event.

mod aliases;
mod ciphertext;
mod cryptographic;
mod keys;
mod lifecycle;
mod policy;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::cloudtrail;
use crate::crypto;
use crate::keypolicy::Who;
use crate::wire::{ApiError, ApiResult};
use crate::world::{Actor, Ctx, WorldState};

pub use ciphertext::{
    blob_key_id, context_aad, decrypt_blob, encrypt_raw, generate_data_key, invalid_ciphertext,
};
pub use keys::{advance, default_policy, resolve, usable_for_crypto};

type Operation = fn(&mut WorldState, &Ctx, &Map<String, Value>) -> ApiResult<Option<Value>>;

pub(crate) const OPERATIONS: &[(&str, Operation)] = &[
    ("CreateKey", lifecycle::create_key),
    ("DescribeKey", lifecycle::describe_key),
    ("ListKeys", lifecycle::list_keys),
    ("EnableKey", lifecycle::enable_key),
    ("DisableKey", lifecycle::disable_key),
    ("ScheduleKeyDeletion", lifecycle::schedule_key_deletion),
    ("CancelKeyDeletion", lifecycle::cancel_key_deletion),
    ("ListAliases", aliases::list_aliases),
    ("CreateAlias", aliases::create_alias),
    ("DeleteAlias", aliases::delete_alias),
    ("GetKeyPolicy", policy::get_key_policy),
    ("PutKeyPolicy", policy::put_key_policy),
    ("GenerateDataKey", cryptographic::generate_data_key),
    ("Encrypt", cryptographic::encrypt),
    ("Decrypt", cryptographic::decrypt),
];

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
    let result = match OPERATIONS.iter().find(|(name, _)| *name == op) {
        Some((_, run)) => run(world, ctx, body),
        None => Err(ApiError::new(
            400,
            "UnknownOperationException",
            format!("Operation {op} is not supported by this emulator"),
        )),
    };
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

pub(super) fn caller_who(world: &WorldState) -> Who {
    Who::Aws {
        arn: world.caller_role_arn(),
        account: world.account.clone(),
    }
}

pub(super) fn str_member<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

/// The model has already required the member and held it to its length; a handler reached
/// without the model check (a recording run) sees "" and answers as for an unknown key.
pub(super) fn member<'a>(body: &'a Map<String, Value>, name: &str) -> &'a str {
    str_member(body, name).unwrap_or_default()
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The model has already held every value of the context to a string.
pub(super) fn context_member(body: &Map<String, Value>) -> BTreeMap<String, String> {
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
pub(super) fn page_args(body: &Map<String, Value>) -> (usize, Option<String>) {
    let limit = body
        .get("Limit")
        .and_then(Value::as_f64)
        .map_or(100, |n| n as usize);
    (limit, str_member(body, "Marker").map(str::to_string))
}
