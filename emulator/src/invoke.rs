//! InvokeAgentRuntime (data plane, restJson1 with a blob payload and a streamed blob answer):
//! a deterministic stand-in agent built from the runtime's configuration and the input. It
//! says plainly that it is the emulator's, and writes its request, the tool calls it would
//! make and its response to the runtime's log group, as a deployed agent's logs would show.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use crate::wire::{ApiError, ApiResult, query_get};
use crate::world::{Ctx, Kind, Resource, WorldState};
use crate::{evaluations, logs};

pub const SESSION_HEADER: &str = "x-amzn-bedrock-agentcore-runtime-session-id";
const ENDPOINT: &str = "DEFAULT";
/// Words per Server-Sent Event of the stand-in agent's answer, and the time between events.
const WORDS_PER_EVENT: usize = 6;
const EVENT_GAP: std::time::Duration = std::time::Duration::from_millis(40);

/// `/aws/bedrock-agentcore/runtimes/{runtimeId}-{endpoint}`, where AgentCore sends an agent's
/// stdout and stderr.
pub fn log_group(runtime_id: &str) -> String {
    format!("/aws/bedrock-agentcore/runtimes/{runtime_id}-{ENDPOINT}")
}

fn runtime<'w>(world: &'w WorldState, ctx: &Ctx, arn: &str) -> ApiResult<&'w Resource> {
    world
        .resources
        .values()
        .find(|r| r.kind == Kind::AgentRuntime && r.region == ctx.region && r.arn == arn)
        .ok_or_else(|| ApiError::not_found(format!("Agent runtime {arn} not found")))
}

/// The prompt out of the payload: `{"prompt": …}` (or `input`, `message`, `text`), a JSON
/// string, or the bytes as text.
fn prompt_of(payload: &[u8]) -> String {
    match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Object(o)) => ["prompt", "input", "message", "text"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str))
            .map(str::to_string)
            .unwrap_or_else(|| Value::Object(o).to_string()),
        Ok(Value::String(s)) => s,
        _ => String::from_utf8_lossy(payload).into_owned(),
    }
}

fn env(r: &Resource) -> BTreeMap<String, String> {
    r.spec
        .get("environmentVariables")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The calls a PromptKit agent with this configuration would make for this prompt: memory
/// first when it has one, then a hand-off to each peer the prompt names (or to the first peer).
fn tool_calls(env: &BTreeMap<String, String>, prompt: &str, session: &str) -> Vec<String> {
    let mut calls = Vec::new();
    if let Some(m) = env.get("PROMPTPACK_MEMORY_ID") {
        calls.push(format!("memory.retrieve(memory={m}, session={session})"));
    }
    let peers: Vec<String> = env
        .get("PROMPTPACK_AGENTS")
        .and_then(|a| serde_json::from_str::<BTreeMap<String, Value>>(a).ok())
        .map(|m| m.into_keys().collect())
        .unwrap_or_default();
    let lower = prompt.to_lowercase();
    let named: Vec<&String> = peers
        .iter()
        .filter(|p| lower.contains(&p.to_lowercase()))
        .collect();
    let chosen = if named.is_empty() {
        peers.first().into_iter().collect()
    } else {
        named
    };
    calls.extend(chosen.into_iter().map(|p| format!("a2a.send(agent={p})")));
    calls
}

fn answer(r: &Resource, env: &BTreeMap<String, String>, prompt: &str, calls: &[String]) -> String {
    let agent = env
        .get("PROMPTPACK_AGENT")
        .cloned()
        .unwrap_or_else(|| r.name.clone());
    let model = env
        .get("PROMPTPACK_PROVIDER_MODEL")
        .map_or("no model configured", String::as_str);
    let tools = if calls.is_empty() {
        "no tools".to_string()
    } else {
        calls.join(", ")
    };
    format!(
        "[AgentCore emulator] This answer comes from the emulator's stand-in agent, not from a model. \
         Runtime {} version {} (agent {agent}, {model}) received: \"{prompt}\". \
         A deployed agent would call: {tools}.",
        r.name, r.version
    )
}

pub fn invoke(
    world: &mut WorldState,
    ctx: &Ctx,
    arn: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    payload: &[u8],
) -> ApiResult<Response> {
    let r = runtime(world, ctx, arn)?;
    if let Some(q) = query_get(query, "qualifier").filter(|q| *q != ENDPOINT) {
        return Err(ApiError::not_found(format!(
            "Endpoint {q} of agent runtime {} not found",
            r.id
        )));
    }
    match r.status.as_str() {
        "READY" => {}
        s @ ("CREATING" | "UPDATING") => {
            return Err(ApiError::new(
                409,
                "RetryableConflictException",
                format!(
                    "Agent runtime {} is {s}, not READY: it accepts invocations once it is READY",
                    r.id
                ),
            ));
        }
        s => {
            return Err(ApiError::validation_msg(format!(
                "Agent runtime {} is {s}, not READY, and cannot be invoked",
                r.id
            )));
        }
    }
    let session = headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (id, env) = (r.id.clone(), env(r));
    let session = session.unwrap_or_else(|| world.next_uuid());
    let r = &world.resources[&id];
    let (name, group) = (r.name.clone(), log_group(&id));
    let prompt = prompt_of(payload);
    let calls = tool_calls(&env, &prompt, &session);
    let text = answer(r, &env, &prompt, &calls);
    let line = |v: Value| v.to_string();
    let mut lines = vec![line(json!({
        "level": "INFO", "event": "request", "sessionId": session,
        "runtime": r.name, "version": r.version.to_string(), "prompt": prompt,
    }))];
    lines.extend(calls.iter().map(|c| {
        line(json!({
            "level": "INFO", "event": "tool_call", "sessionId": session, "call": c,
            "note": "not executed: the emulator's stand-in agent calls nothing",
        }))
    }));
    lines.push(line(json!({
        "level": "INFO", "event": "response", "sessionId": session, "answer": text,
    })));
    let stream = format!("{}/[runtime-logs]{session}", ctx.now.format("%Y/%m/%d"));
    let ts = ctx.now.timestamp_millis();
    logs::append(world, ctx, &group, &stream, ts, &lines);
    let mut reached = vec![group.clone()];
    if let Some(pack_group) = env.get("PROMPTPACK_LOG_GROUP") {
        logs::append(world, ctx, pack_group, &stream, ts, &lines);
        reached.push(pack_group.clone());
    }
    reached.push(evaluations::SPANS_GROUP.to_string());
    evaluations::evaluate(
        world,
        ctx,
        &evaluations::Exchange {
            runtime_id: &id,
            runtime_name: &name,
            log_groups: &reached,
            session: &session,
            prompt: &prompt,
            answer: &text,
        },
    );
    let sse = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/event-stream"));
    let (content_type, chunks): (&str, Vec<String>) = if sse {
        // An event every few words, spaced out as a model's tokens are, so a client sees the
        // answer arrive in parts.
        let words: Vec<&str> = text.split_inclusive(' ').collect();
        let parts = words
            .chunks(WORDS_PER_EVENT)
            .map(|w| format!("data: {}\n\n", Value::String(w.concat())));
        ("text/event-stream", parts.collect())
    } else {
        (
            "application/json",
            vec![json!({ "response": text }).to_string()],
        )
    };
    let body = Body::from_stream(futures_util::stream::unfold(
        (chunks.into_iter(), true),
        |(mut rest, first)| async move {
            let chunk = rest.next()?;
            if !first {
                tokio::time::sleep(EVENT_GAP).await;
            }
            Some((
                Ok::<_, std::convert::Infallible>(bytes::Bytes::from(chunk)),
                (rest, false),
            ))
        },
    ));
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::OK;
    let h = resp.headers_mut();
    h.insert("content-type", HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&session) {
        h.insert(SESSION_HEADER, v);
    }
    Ok(resp)
}
