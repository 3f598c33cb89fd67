//! CloudTrail: every KMS use becomes an event; LookupEvents (awsJson1.1) reads them back.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::wire::{ApiError, ApiResult, ts_num};
use crate::world::{Actor, Ctx, SERVICE_PRINCIPAL, TrailEvent, WorldState};

pub struct Call<'a> {
    pub event_name: &'a str,
    pub actor: Actor,
    pub key_arn: Option<String>,
    pub encryption_context: BTreeMap<String, String>,
    pub request_parameters: Value,
    pub error: Option<(String, String)>,
    pub source_arn: Option<String>,
}

const MAX_EVENTS: usize = 5000;

pub fn record(world: &mut WorldState, ctx: &Ctx, call: Call) {
    record_at(world, ctx, ctx.now, call);
}

pub fn record_at(world: &mut WorldState, ctx: &Ctx, time: DateTime<Utc>, call: Call) {
    let id = world.next_uuid();
    let mut params = call.request_parameters;
    if !call.encryption_context.is_empty()
        && let Value::Object(m) = &mut params
    {
        m.insert("encryptionContext".into(), json!(call.encryption_context));
    }
    world.event_seq += 1;
    world.events.push_back(TrailEvent {
        seq: world.event_seq,
        id,
        time,
        name: call.event_name.to_string(),
        region: ctx.region.clone(),
        actor: call.actor,
        access_key: ctx.access_key.clone(),
        key_arn: call.key_arn,
        encryption_context: call.encryption_context,
        request_parameters: params,
        error: call.error,
        source_arn: call.source_arn,
        request_id: ctx.request_id.clone(),
        user_agent: ctx.user_agent.clone(),
    });
    while world.events.len() > MAX_EVENTS {
        world.events.pop_front();
    }
}

fn read_only(name: &str) -> bool {
    matches!(
        name,
        "DescribeKey"
            | "ListKeys"
            | "ListAliases"
            | "GetKeyPolicy"
            | "Decrypt"
            | "Encrypt"
            | "GenerateDataKey"
    )
}

fn username(e: &TrailEvent, world: &WorldState) -> Option<String> {
    match e.actor {
        Actor::Service => None,
        _ => Some(world.caller.session().to_string()),
    }
}

/// Events are told as the caller of this run made them (the world does not record who).
fn record_json(e: &TrailEvent, world: &WorldState) -> Value {
    let account = world.account.as_str();
    let caller = world.caller;
    let identity = match e.actor {
        Actor::Service => json!({"type": "AWSService", "invokedBy": SERVICE_PRINCIPAL}),
        actor => {
            let mut id = json!({
                "type": "AssumedRole",
                "principalId": format!("{}:{}", caller.role_id(), caller.session()),
                "arn": world.session_arn(),
                "accountId": account,
                "accessKeyId": e.access_key,
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": caller.role_id(),
                        "arn": world.caller_role_arn(),
                        "accountId": account,
                        "userName": caller.role(),
                    },
                },
            });
            if actor == Actor::CallerViaService {
                id["invokedBy"] = json!(SERVICE_PRINCIPAL);
            }
            id
        }
    };
    let mut rec = json!({
        "eventVersion": "1.11",
        "userIdentity": identity,
        "eventTime": e.time.to_rfc3339_opts(SecondsFormat::Secs, true),
        "eventSource": "kms.amazonaws.com",
        "eventName": e.name,
        "awsRegion": e.region,
        "sourceIPAddress": if e.actor == Actor::Caller { "127.0.0.1" } else { SERVICE_PRINCIPAL },
        "userAgent": if e.actor == Actor::Caller { e.user_agent.as_str() } else { SERVICE_PRINCIPAL },
        "requestParameters": e.request_parameters,
        "responseElements": Value::Null,
        "requestID": e.request_id,
        "eventID": e.id,
        "readOnly": read_only(&e.name),
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management",
    });
    if let Some(arn) = &e.key_arn {
        rec["resources"] = json!([{"accountId": account, "type": "AWS::KMS::Key", "ARN": arn}]);
    }
    if let Some((code, msg)) = &e.error {
        rec["errorCode"] = json!(code);
        rec["errorMessage"] = json!(msg);
    }
    if let Some(src) = &e.source_arn {
        rec["additionalEventData"] = json!({"sourceArn": src});
    }
    rec
}

fn invalid(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(400, code, message)
}

pub fn lookup_events(world: &WorldState, ctx: &Ctx, body: &Map<String, Value>) -> ApiResult<Value> {
    // The model has held each attribute to its key enum and a 1–2000 character value.
    let attrs = body
        .get("LookupAttributes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if attrs.len() > 1 {
        return Err(invalid(
            "InvalidLookupAttributesException",
            "You can only specify one lookup attribute.",
        ));
    }
    let filters: Vec<(String, String)> = attrs
        .iter()
        .map(|a| {
            let text = |m: &str| {
                a.get(m)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            (text("AttributeKey"), text("AttributeValue"))
        })
        .collect();
    let ts = |name: &str| -> ApiResult<Option<DateTime<Utc>>> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => {
                let secs = v.as_f64().ok_or_else(|| {
                    invalid(
                        "InvalidTimeRangeException",
                        format!("{name} must be a timestamp"),
                    )
                })?;
                Ok(DateTime::from_timestamp_millis((secs * 1000.0) as i64))
            }
        }
    };
    let (start, end) = (ts("StartTime")?, ts("EndTime")?);
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        return Err(invalid(
            "InvalidTimeRangeException",
            "StartTime must be before EndTime",
        ));
    }
    // MaxResults is 1–50 by the model.
    let max = body
        .get("MaxResults")
        .and_then(Value::as_f64)
        .map_or(50, |n| n as usize);
    let matches = |e: &TrailEvent| {
        e.region == ctx.region
            && start.is_none_or(|s| e.time >= s)
            && end.is_none_or(|t| e.time <= t)
            && filters.iter().all(|(k, v)| match k.as_str() {
                "EventId" => e.id == *v,
                "EventName" => e.name == *v,
                "ReadOnly" => read_only(&e.name).to_string() == *v,
                "Username" => username(e, world).as_deref() == Some(v.as_str()),
                "ResourceType" => e.key_arn.is_some() && v == "AWS::KMS::Key",
                "ResourceName" => e.key_arn.as_deref() == Some(v.as_str()),
                "EventSource" => v == "kms.amazonaws.com",
                "AccessKeyId" => e.actor != Actor::Service && e.access_key == *v,
                _ => false,
            })
    };
    // Newest first, as CloudTrail answers; the token is the id of the last event returned.
    let all: Vec<&TrailEvent> = world.events.iter().rev().filter(|e| matches(e)).collect();
    let start_at = match body.get("NextToken").and_then(Value::as_str) {
        Some(tok) => all
            .iter()
            .position(|e| e.id == tok)
            .map(|p| p + 1)
            .ok_or_else(|| invalid("InvalidNextTokenException", "The NextToken is not valid."))?,
        None => 0,
    };
    let page: Vec<&TrailEvent> = all.iter().skip(start_at).take(max).copied().collect();
    let mut out = json!({
        "Events": page.iter().map(|e| {
            let mut ev = json!({
                "EventId": e.id,
                "EventName": e.name,
                "ReadOnly": read_only(&e.name).to_string(),
                "EventTime": ts_num(&e.time),
                "EventSource": "kms.amazonaws.com",
                "CloudTrailEvent": record_json(e, world).to_string(),
                "Resources": e.key_arn.iter().map(|a| json!({"ResourceType": "AWS::KMS::Key", "ResourceName": a})).collect::<Vec<_>>(),
            });
            if let Some(u) = username(e, world) {
                ev["Username"] = json!(u);
            }
            if e.actor != Actor::Service {
                ev["AccessKeyId"] = json!(e.access_key);
            }
            ev
        }).collect::<Vec<_>>(),
    });
    if start_at + page.len() < all.len()
        && let Some(last) = page.last()
    {
        out["NextToken"] = json!(last.id);
    }
    Ok(out)
}
