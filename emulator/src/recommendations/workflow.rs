//! The asynchronous side of a recommendation, as the service principal runs it: decrypt the
//! configuration, derive the result, seal it under a new data key — or fail and say why.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::cloudtrail;
use crate::keypolicy::{self, Who};
use crate::kms;
use crate::timing::Timing;
use crate::wire::ApiError;
use crate::world::{Actor, Ctx, Key, Recommendation, SERVICE_PRINCIPAL, Stored, WorldState};

use super::{CONTEXT_KEY, kms_call, open, seal};

fn service_request<'a>(
    action: &'a str,
    world: &WorldState,
    rec: &Recommendation,
) -> keypolicy::Request<'a> {
    let mut context: BTreeMap<String, String> = BTreeMap::from([
        ("aws:SourceAccount".to_string(), world.account.clone()),
        ("aws:SourceArn".to_string(), rec.arn.clone()),
    ]);
    context.insert(
        format!("kms:EncryptionContext:{CONTEXT_KEY}"),
        rec.arn.clone(),
    );
    keypolicy::Request {
        who: Who::Service(SERVICE_PRINCIPAL.to_string()),
        action,
        context,
    }
}

/// Runs the asynchronous workflow up to `now`, as the service principal would.
pub fn advance(world: &mut WorldState, now: DateTime<Utc>, timing: &Timing) -> bool {
    let mut moved = false;
    loop {
        let due = world.recommendations_due(now);
        if due.is_empty() {
            return moved;
        }
        moved = true;
        for (id, at) in due {
            step(world, &id, at, timing);
        }
    }
}

fn step(world: &mut WorldState, id: &str, at: DateTime<Utc>, timing: &Timing) {
    let Some(rec) = world.recommendations().get(id).cloned() else {
        return;
    };
    let ctx = Ctx {
        region: rec.region.clone(),
        now: at,
        access_key: String::new(),
        request_id: world.next_uuid(),
        user_agent: SERVICE_PRINCIPAL.into(),
        fail: false,
    };
    let outcome: Result<Option<Stored>, (String, String)> = match rec.status.as_str() {
        "DELETING" => {
            world.remove_recommendation(id);
            return;
        }
        "PENDING" => service_use(world, &ctx, &rec, "Decrypt").map(|_| None),
        "IN_PROGRESS" => {
            if rec.inject_failure {
                Err(("InternalFailure".into(), "The recommendation workflow failed (injected fault). Start the recommendation again.".into()))
            } else {
                service_use(world, &ctx, &rec, "Decrypt")
                    .and_then(|_| {
                        let ec = rec.encryption_context();
                        open(world, &rec.region, &ec, &rec.config).map_err(|e| (e.code, e.message))
                    })
                    .and_then(|config| {
                        let result = crate::advisor::recommend(&rec.rtype, &config);
                        match &rec.kms_key_arn {
                            Some(_) => {
                                service_use(world, &ctx, &rec, "GenerateDataKey").map(|key| {
                                    let key = key.expect("a CMK recommendation has a key");
                                    Some(seal(&key, &rec.encryption_context(), &result))
                                })
                            }
                            None => Ok(Some(Stored::plain(result))),
                        }
                    })
            }
        }
        _ => return,
    };
    let rec = world.recommendation_mut(id).expect("still there");
    rec.updated_at = at;
    match (rec.status.as_str(), outcome) {
        ("PENDING", Ok(_)) => {
            rec.status = "IN_PROGRESS".into();
            rec.next_at = Some(
                at + chrono::Duration::from_std(timing.recommendation_running).unwrap_or_default(),
            );
        }
        (_, Ok(result)) => {
            rec.status = "COMPLETED".into();
            rec.result = result;
            rec.next_at = None;
        }
        (_, Err((code, message))) => {
            rec.status = "FAILED".into();
            let member = if rec.rtype == "TOOL_DESCRIPTION_RECOMMENDATION" {
                "toolDescriptionRecommendationResult"
            } else {
                "systemPromptRecommendationResult"
            };
            rec.result = Some(Stored::plain(
                json!({ member: { "errorCode": code, "errorMessage": message } }),
            ));
            rec.next_at = None;
        }
    }
}

/// The service principal's own use of the key; Err carries the reason the workflow fails.
fn service_use(
    world: &mut WorldState,
    ctx: &Ctx,
    rec: &Recommendation,
    op: &'static str,
) -> Result<Option<Key>, (String, String)> {
    let Some(key_arn) = rec.kms_key_arn.clone() else {
        return Ok(None);
    };
    let ec = rec.encryption_context();
    let key = kms::resolve(world, &rec.region, &key_arn).cloned();
    let action = format!("kms:{op}");
    let err = match &key {
        Err(_) => Some(ApiError::kms("NotFoundException", format!("Key '{key_arn}' does not exist"))),
        Ok(k) => kms::usable_for_crypto(k).err().or_else(|| {
            (!keypolicy::evaluate(&k.policy, &service_request(&action, world, rec)).allowed()).then(|| {
                ApiError::access_denied(format!(
                    "The key policy of {key_arn} does not allow the service principal {SERVICE_PRINCIPAL} to call {action} \
                     (scoped by aws:SourceAccount and aws:SourceArn). Add the AllowServicePrincipalAccess statement."
                ))
            })
        }),
    };
    cloudtrail::record(
        world,
        ctx,
        kms_call(
            op,
            Actor::Service,
            &key_arn,
            &ec,
            err.as_ref(),
            Some(&rec.arn),
        ),
    );
    match err {
        Some(e) => Err((
            if e.code == "AccessDeniedException" {
                "KMS_ACCESS_DENIED".into()
            } else {
                format!("KMS_{}", e.code)
            },
            e.message,
        )),
        None => Ok(key.ok()),
    }
}
