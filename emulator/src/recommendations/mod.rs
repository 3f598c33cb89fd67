//! Data-plane recommendations: Start, Get, List and Delete, and the workflow behind them.
//!
//! As seed 000 describes them: key checks at Start, envelope encryption of config and result under
//! the customer's key, the asynchronous workflow (`workflow`) run by the service principal, and Get
//! failing once the key is disabled or going away.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::cloudtrail::{self, Call};
use crate::crypto::{self};
use crate::keypolicy::{self, Who};
use crate::kms;
use crate::timing::Timing;
use crate::validate::{self, Check};
use crate::wire::{ApiError, ApiResult, query_get, ts_str};
use crate::world::{Actor, Ctx, Key, Recommendation, Stored, WorldState};

mod workflow;

pub use workflow::advance;

pub const CONTEXT_KEY: &str = "aws:bedrock-agentcore:recommendationArn";

/// A page token's position back as an order key; a token this emulator did not issue is
/// AWS's ValidationException on nextToken.
fn order_key_of(sort_key: &str) -> ApiResult<(i64, String)> {
    sort_key
        .split_once('/')
        .and_then(|(micros, id)| Some((micros.parse().ok()?, id.to_string())))
        .ok_or_else(|| {
            ApiError::validation(vec![(
                "nextToken".into(),
                format!("Value '{sort_key}' at 'nextToken' is not a token this service issued"),
            )])
        })
}

impl Recommendation {
    fn sort_key(&self) -> String {
        format!("{:020}/{}", self.created_at.timestamp_micros(), self.id)
    }

    fn encryption_context(&self) -> BTreeMap<String, String> {
        BTreeMap::from([(CONTEXT_KEY.to_string(), self.arn.clone())])
    }

    fn summary(&self) -> Value {
        let mut v = json!({
            "recommendationId": self.id,
            "recommendationArn": self.arn,
            "name": self.name,
            "type": self.rtype,
            "status": self.status,
            "createdAt": ts_str(&self.created_at),
            "updatedAt": ts_str(&self.updated_at),
        });
        if let Some(d) = &self.description {
            v["description"] = json!(d);
        }
        v
    }
}

pub fn seal(key: &Key, ec: &BTreeMap<String, String>, value: &Value) -> Stored {
    let (data_key, encrypted_data_key) = kms::generate_data_key(key, ec, 32);
    let sealed = crypto::seal(
        &data_key,
        &kms::context_aad(ec),
        value.to_string().as_bytes(),
    );
    Stored::Envelope {
        encrypted_data_key,
        sealed,
    }
}

fn open(
    world: &WorldState,
    region: &str,
    ec: &BTreeMap<String, String>,
    stored: &Stored,
) -> Result<Value, ApiError> {
    match stored {
        Stored::Plain(v) => Ok(v.value()),
        Stored::Envelope {
            encrypted_data_key,
            sealed,
        } => {
            let (_, data_key) = kms::decrypt_blob(world, region, encrypted_data_key, ec)?;
            let plain = crypto::open(&data_key, &kms::context_aad(ec), sealed)
                .ok_or_else(kms::invalid_ciphertext)?;
            serde_json::from_slice(&plain).map_err(|_| kms::invalid_ciphertext())
        }
    }
}

fn caller_request<'a>(
    action: &'a str,
    world: &WorldState,
    region: &str,
    rec_arn: Option<&str>,
) -> keypolicy::Request<'a> {
    let mut context = BTreeMap::from([
        ("kms:CallerAccount".to_string(), world.account.clone()),
        (
            "kms:ViaService".to_string(),
            format!("bedrock-agentcore.{region}.amazonaws.com"),
        ),
    ]);
    if let Some(arn) = rec_arn {
        context.insert(
            format!("kms:EncryptionContext:{CONTEXT_KEY}"),
            arn.to_string(),
        );
    }
    keypolicy::Request {
        who: Who::Aws {
            arn: world.caller_role_arn(),
            account: world.account.clone(),
        },
        action,
        context,
    }
}

fn kms_call(
    name: &'static str,
    actor: Actor,
    key: &str,
    ec: &BTreeMap<String, String>,
    error: Option<&ApiError>,
    source_arn: Option<&str>,
) -> Call<'static> {
    let mut params = json!({ "keyId": key });
    if name == "GenerateDataKey" {
        params["keySpec"] = json!("AES_256");
    }
    if name == "Decrypt" {
        params["encryptionAlgorithm"] = json!("SYMMETRIC_DEFAULT");
    }
    Call {
        event_name: name,
        actor,
        key_arn: Some(key.to_string()),
        encryption_context: ec.clone(),
        request_parameters: params,
        error: error.map(|e| (e.code.clone(), e.message.clone())),
        source_arn: source_arn.map(str::to_string),
    }
}

fn kms_access_denied(action: &str, principal: &str, key_arn: &str, rec_arn: &str) -> ApiError {
    ApiError::access_denied(format!(
        "{principal} is not authorized to perform: {action} on resource: {key_arn} because no key policy statement allows it \
         with encryption context {CONTEXT_KEY}={rec_arn}. Add the AllowCallerAccess and AllowCallerCryptoOps statements to the key policy."
    ))
}

/// What the model cannot say about Start: the config variant must be the one `type` names.
fn validate_start(body: &Map<String, Value>) -> Result<(), ApiError> {
    let mut c = Check::new();
    c.reserved_tag_keys(body, "tags");
    let (variant, rtype) = match body.get("type").and_then(Value::as_str) {
        Some("TOOL_DESCRIPTION_RECOMMENDATION") => (
            "toolDescriptionRecommendationConfig",
            "TOOL_DESCRIPTION_RECOMMENDATION",
        ),
        _ => (
            "systemPromptRecommendationConfig",
            "SYSTEM_PROMPT_RECOMMENDATION",
        ),
    };
    if body
        .get("recommendationConfig")
        .and_then(|cfg| cfg.get(variant))
        .is_none_or(Value::is_null)
    {
        c.fail(
            "recommendationConfig",
            format!("type {rtype} needs recommendationConfig.{variant}"),
        );
    }
    c.finish()
}

/// The checks StartRecommendation makes on `kmsKeyArn` before it accepts the request
/// (seed 000: existence, state, symmetric, same region, caller's DescribeKey and GenerateDataKey;
/// that it names a key, not an alias, is the model's pattern).
fn check_key(
    world: &mut WorldState,
    ctx: &Ctx,
    key_arn: &str,
    rec_arn: &str,
) -> Result<String, ApiError> {
    let key_region = key_arn.split(':').nth(3).unwrap_or_default();
    if key_region != ctx.region {
        return Err(ApiError::validation_msg(format!(
            "The KMS key {key_arn} is in {key_region}, but the recommendation is in {}. Use a symmetric customer managed key in the same AWS Region.",
            ctx.region
        )));
    }
    let Ok(key) = kms::resolve(world, &ctx.region, key_arn) else {
        return Err(ApiError::validation_msg(format!(
            "The KMS key {key_arn} does not exist or is not accessible."
        )));
    };
    let key = key.clone();
    let describe = caller_request("kms:DescribeKey", world, &ctx.region, None);
    let denied = (!keypolicy::evaluate(&key.policy, &describe).allowed())
        .then(|| kms_access_denied("kms:DescribeKey", &world.session_arn(), &key.arn, rec_arn));
    let no_ec = BTreeMap::new();
    cloudtrail::record(
        world,
        ctx,
        kms_call(
            "DescribeKey",
            Actor::CallerViaService,
            &key.arn,
            &no_ec,
            denied.as_ref(),
            None,
        ),
    );
    if let Some(e) = denied {
        return Err(e);
    }
    match key.key_state.as_str() {
        "Enabled" => {}
        "Disabled" => {
            return Err(ApiError::validation_msg(format!(
                "The KMS key {} is disabled. Enable it or choose another key.",
                key.arn
            )));
        }
        "PendingDeletion" => {
            return Err(ApiError::validation_msg(format!(
                "The KMS key {} is pending deletion. Cancel the deletion or choose another key.",
                key.arn
            )));
        }
        other => {
            return Err(ApiError::validation_msg(format!(
                "The KMS key {} is in state {other}.",
                key.arn
            )));
        }
    }
    if !key.is_symmetric() {
        return Err(ApiError::validation_msg(format!(
            "The KMS key {} has key spec {} and usage {}; recommendations support only symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT).",
            key.arn, key.key_spec, key.key_usage
        )));
    }
    Ok(key.key_id)
}

pub fn start(
    world: &mut WorldState,
    ctx: &Ctx,
    timing: &Timing,
    body: Map<String, Value>,
) -> ApiResult<Value> {
    validate_start(&body)?;
    let config = body
        .get("recommendationConfig")
        .cloned()
        .unwrap_or_default();
    let digest = validate::digest(&body);
    let token = body
        .get("clientToken")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(tok) = &token
        && let Some(existing) = world
            .recommendations()
            .values()
            .find(|r| r.client_token.as_ref() == Some(tok))
    {
        if existing.request_digest == digest {
            return Ok(start_output(existing, &config));
        }
        return Err(ApiError::conflict(format!(
            "clientToken {tok} was already used with different parameters"
        )));
    }
    let name = str_of(&body, "name");
    if world
        .recommendations()
        .values()
        .any(|r| r.region == ctx.region && r.name == name && r.status != "DELETING")
    {
        return Err(ApiError::conflict(format!(
            "A recommendation named {name} already exists"
        )));
    }
    let id = format!("{name}-{}", world.next_suffix(10, true));
    let arn = format!(
        "arn:aws:bedrock-agentcore:{}:{}:recommendation/{id}",
        ctx.region, world.account
    );
    let kms_key_arn = body
        .get("kmsKeyArn")
        .and_then(Value::as_str)
        .map(str::to_string);
    let ec = BTreeMap::from([(CONTEXT_KEY.to_string(), arn.clone())]);
    let stored = match &kms_key_arn {
        Some(key_arn) => {
            let key_id = check_key(world, ctx, key_arn, &arn)?;
            let key = world.keys[&key_id].clone();
            let gdk = caller_request("kms:GenerateDataKey", world, &ctx.region, Some(&arn));
            let denied = (!keypolicy::evaluate(&key.policy, &gdk).allowed()).then(|| {
                kms_access_denied("kms:GenerateDataKey", &world.session_arn(), &key.arn, &arn)
            });
            cloudtrail::record(
                world,
                ctx,
                kms_call(
                    "GenerateDataKey",
                    Actor::CallerViaService,
                    &key.arn,
                    &ec,
                    denied.as_ref(),
                    None,
                ),
            );
            if let Some(e) = denied {
                return Err(e);
            }
            seal(&key, &ec, &config)
        }
        None => Stored::plain(config.clone()),
    };
    let tags = body
        .get("tags")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let rec = Recommendation {
        id: id.clone(),
        arn,
        region: ctx.region.clone(),
        name,
        description: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        rtype: str_of(&body, "type"),
        status: "PENDING".into(),
        created_at: ctx.now,
        updated_at: ctx.now,
        kms_key_arn,
        config: stored,
        result: None,
        client_token: token,
        request_digest: digest,
        tags,
        next_at: Some(
            ctx.now + chrono::Duration::from_std(timing.recommendation_pending).unwrap_or_default(),
        ),
        inject_failure: ctx.fail,
    };
    let out = start_output(&rec, &config);
    world.insert_recommendation(rec);
    Ok(out)
}

fn str_of(body: &Map<String, Value>, member: &str) -> String {
    body.get(member)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn start_output(rec: &Recommendation, config: &Value) -> Value {
    let mut v = rec.summary();
    v["recommendationConfig"] = config.clone();
    v
}

fn find<'a>(world: &'a WorldState, ctx: &Ctx, id: &str) -> Result<&'a Recommendation, ApiError> {
    world
        .recommendations()
        .get(id)
        .or_else(|| world.recommendations().values().find(|r| r.arn == id))
        .filter(|r| r.region == ctx.region)
        .ok_or_else(|| ApiError::not_found(format!("Recommendation {id} not found")))
}

pub fn get(world: &mut WorldState, ctx: &Ctx, id: &str) -> ApiResult<Value> {
    let rec = find(world, ctx, id)?.clone();
    let ec = rec.encryption_context();
    if let Some(key_arn) = &rec.kms_key_arn {
        let key_problem = match kms::resolve(world, &rec.region, key_arn) {
            Err(_) => Some((
                "NotFoundException",
                format!(
                    "The KMS key {key_arn} that encrypts recommendation {} has been deleted; its data cannot be decrypted.",
                    rec.id
                ),
            )),
            Ok(k) if k.key_state == "Disabled" => Some((
                "DisabledException",
                format!(
                    "The KMS key {key_arn} that encrypts recommendation {} is disabled. Enable the key to read it.",
                    rec.id
                ),
            )),
            Ok(k) if k.key_state == "PendingDeletion" => Some((
                "KMSInvalidStateException",
                format!(
                    "The KMS key {key_arn} that encrypts recommendation {} is pending deletion. Cancel the key deletion to read it.",
                    rec.id
                ),
            )),
            Ok(_) => None,
        };
        if let Some((kms_code, message)) = key_problem {
            let kms_err = ApiError::kms(kms_code, message.clone());
            cloudtrail::record(
                world,
                ctx,
                kms_call(
                    "Decrypt",
                    Actor::CallerViaService,
                    key_arn,
                    &ec,
                    Some(&kms_err),
                    None,
                ),
            );
            return Err(ApiError::validation_msg(message));
        }
        let key_policy = kms::resolve(world, &rec.region, key_arn)
            .map(|k| k.policy.clone())
            .unwrap_or_default();
        let req = caller_request("kms:Decrypt", world, &rec.region, Some(&rec.arn));
        let denied = (!keypolicy::evaluate(&key_policy, &req).allowed())
            .then(|| kms_access_denied("kms:Decrypt", &world.session_arn(), key_arn, &rec.arn));
        let envelopes = [Some(&rec.config), rec.result.as_ref()]
            .into_iter()
            .flatten()
            .filter(|s| matches!(s, Stored::Envelope { .. }))
            .count();
        for _ in 0..envelopes.max(1) {
            cloudtrail::record(
                world,
                ctx,
                kms_call(
                    "Decrypt",
                    Actor::CallerViaService,
                    key_arn,
                    &ec,
                    denied.as_ref(),
                    None,
                ),
            );
            if denied.is_some() {
                break;
            }
        }
        if let Some(e) = denied {
            return Err(e);
        }
    }
    let config = open(world, &rec.region, &ec, &rec.config).map_err(|e| {
        ApiError::validation_msg(format!(
            "Could not decrypt the recommendation configuration: {} {}",
            e.code, e.message
        ))
    })?;
    let mut v = start_output(&rec, &config);
    if let Some(k) = &rec.kms_key_arn {
        v["kmsKeyArn"] = json!(k);
    }
    if let Some(result) = &rec.result {
        let result = open(world, &rec.region, &ec, result).map_err(|e| {
            ApiError::validation_msg(format!(
                "Could not decrypt the recommendation result: {} {}",
                e.code, e.message
            ))
        })?;
        v["recommendationResult"] = result;
    }
    Ok(v)
}

pub fn list(world: &WorldState, ctx: &Ctx, query: &[(String, String)]) -> ApiResult<Value> {
    // The model has held `status` to RecommendationStatus and maxResults to 1–100.
    let status = query_get(query, "status");
    let max = query_get(query, "maxResults")
        .and_then(|m| m.parse::<usize>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(20);
    let after = match query_get(query, "nextToken") {
        Some(tok) => Some(order_key_of(&crate::wire::decode_token(tok)?)?),
        None => None,
    };
    // One item past the page tells whether there is a next one; nothing else is visited.
    let mut page: Vec<&Recommendation> = world
        .recommendations_after(after.as_ref())
        .filter(|r| r.region == ctx.region && status.is_none_or(|s| r.status == s))
        .take(max + 1)
        .collect();
    let more = page.len() > max;
    page.truncate(max);
    let mut out =
        json!({ "recommendationSummaries": page.iter().map(|r| r.summary()).collect::<Vec<_>>() });
    if more && let Some(last) = page.last() {
        out["nextToken"] = json!(crate::wire::encode_token(&last.sort_key()));
    }
    Ok(out)
}

pub fn delete(world: &mut WorldState, ctx: &Ctx, timing: &Timing, id: &str) -> ApiResult<Value> {
    let rec_id = find(world, ctx, id)?.id.clone();
    let rec = world.recommendation_mut(&rec_id).expect("found above");
    if rec.status != "DELETING" {
        rec.status = "DELETING".into();
        rec.updated_at = ctx.now;
        rec.next_at =
            Some(ctx.now + chrono::Duration::from_std(timing.deletion).unwrap_or_default());
    }
    Ok(json!({ "recommendationId": rec.id, "status": "DELETING" }))
}
