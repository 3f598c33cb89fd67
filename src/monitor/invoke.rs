//! A prompt sent to a deployed runtime with the data plane's InvokeAgentRuntime: the runtime
//! checked READY first (so "not ready" is said plainly), the answer read as it streams
//! (Server-Sent Events or one JSON document), the session id kept for a follow-up.

use std::time::Instant;

use aws_sdk_bedrockagentcore::primitives::Blob;
use aws_sdk_bedrockagentcorecontrol::types::AgentRuntimeStatus;
use serde::Serialize;
use serde_json::Value;

use super::target::Runtime;
use crate::aws::{Category, Clients, Error, ErrorContext};
use crate::sanitize::quote;

/// InvokeAgentRuntime's session ids are 33 to 256 characters (the model's SessionType).
pub const SESSION_LEN: std::ops::RangeInclusive<usize> = 33..=256;

pub fn check_session(id: &str) -> Result<(), Error> {
    let n = id.chars().count();
    if SESSION_LEN.contains(&n) {
        return Ok(());
    }
    Err(Error::new(
        Category::Configuration,
        "InvokeAgentRuntime",
        format!(
            "--session {}: a runtime session id has 33 to 256 characters, this one {n}",
            quote(id)
        ),
    )
    .with_hint("pass the session id an earlier invoke printed, or leave --session out to start a new session"))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub runtime: String,
    pub session_id: String,
    pub content_type: String,
    pub answer: String,
    pub first_byte_ms: u64,
    pub latency_ms: u64,
}

/// Reads an answer as it arrives. Server-Sent Events give text per `data:` event (a JSON string
/// or an object's text member is unwrapped); anything else is the whole body.
#[derive(Debug, Default)]
pub struct Decoder {
    sse: bool,
    buf: String,
}

impl Decoder {
    pub fn new(content_type: &str) -> Self {
        Decoder {
            sse: content_type.starts_with("text/event-stream"),
            buf: String::new(),
        }
    }

    /// The text of the events completed by `chunk` (nothing until the body ends unless SSE).
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        self.buf.push_str(&String::from_utf8_lossy(chunk));
        if !self.sse {
            return Vec::new();
        }
        self.buf = self.buf.replace("\r\n", "\n");
        let mut out = Vec::new();
        while let Some(end) = self.buf.find("\n\n") {
            let event: String = self.buf.drain(..end + 2).collect();
            out.extend(event_text(&event));
        }
        out
    }

    pub fn finish(mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buf);
        if self.sse {
            return event_text(&rest);
        }
        let rest = rest.trim();
        (!rest.is_empty()).then(|| unwrap_text(rest))
    }
}

fn event_text(event: &str) -> Option<String> {
    let data: Vec<&str> = event
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(|d| d.strip_prefix(' ').unwrap_or(d))
        .collect();
    (!data.is_empty()).then(|| unwrap_text(&data.join("\n")))
}

fn unwrap_text(data: &str) -> String {
    match serde_json::from_str::<Value>(data) {
        Ok(Value::String(s)) => s,
        Ok(Value::Object(o)) => ["response", "result", "output", "text", "content"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str))
            .map_or_else(|| data.to_owned(), str::to_owned),
        _ => data.to_owned(),
    }
}

async fn ensure_ready(clients: &Clients, rt: &Runtime) -> Result<(), Error> {
    let got = clients
        .control
        .get_agent_runtime()
        .agent_runtime_id(&rt.id)
        .send()
        .await
        .map_err(|e| {
            Error::from_sdk(
                "bedrock-agentcore",
                "GetAgentRuntime",
                &e,
                &clients.error_context(),
            )
        })?;
    let status = got.status();
    if *status == AgentRuntimeStatus::Ready {
        return Ok(());
    }
    Err(not_ready(&rt.name, status.as_str(), got.failure_reason()))
}

fn not_ready(name: &str, status: &str, reason: Option<&str>) -> Error {
    let hint = match status {
        "CREATING" | "UPDATING" => {
            "wait until it is READY (`agentcore-tui status` shows it), then invoke again".to_owned()
        }
        _ => format!(
            "{}fix the cause and run `agentcore-tui apply` again",
            reason
                .map(|r| format!("AWS says: {r}; "))
                .unwrap_or_default()
        ),
    };
    Error::new(
        Category::Resource,
        "InvokeAgentRuntime",
        format!("runtime {name} is {status}, not READY: it cannot be invoked"),
    )
    .with_hint(hint)
}

type InvokeError = aws_sdk_bedrockagentcore::error::SdkError<
    aws_sdk_bedrockagentcore::operation::invoke_agent_runtime::InvokeAgentRuntimeError,
    aws_smithy_runtime_api::client::orchestrator::HttpResponse,
>;

/// A runtime that went out of READY between the check and the call is said so; a denial names
/// `bedrock-agentcore:InvokeAgentRuntime` and the principal.
fn invoke_failed(e: &InvokeError, rt: &Runtime, ctx: &ErrorContext) -> Error {
    if e.as_service_error()
        .is_some_and(|s| s.is_retryable_conflict_exception())
    {
        return not_ready(&rt.name, "not yet READY", None);
    }
    super::denied::explain(
        Error::from_sdk("bedrock-agentcore", "InvokeAgentRuntime", e, ctx),
        "bedrock-agentcore:InvokeAgentRuntime",
        &format!("{0} and {0}/runtime-endpoint/*", rt.arn),
        ctx,
    )
}

/// Sends `prompt` as `{"prompt": …}` and hands each piece of the answer to `on_text` as it
/// arrives.
pub async fn invoke(
    clients: &Clients,
    rt: &Runtime,
    prompt: &str,
    session: Option<&str>,
    mut on_text: impl FnMut(&str),
) -> Result<Answer, Error> {
    if let Some(s) = session {
        check_session(s)?;
    }
    ensure_ready(clients, rt).await?;
    let dp = aws_sdk_bedrockagentcore::Client::new(clients.sdk_config());
    let payload = serde_json::json!({ "prompt": prompt }).to_string();
    let started = Instant::now();
    let out = dp
        .invoke_agent_runtime()
        .agent_runtime_arn(&rt.arn)
        .content_type("application/json")
        .accept("application/json, text/event-stream")
        .set_runtime_session_id(session.map(str::to_owned))
        .payload(Blob::new(payload))
        .send()
        .await
        .map_err(|e| invoke_failed(&e, rt, &clients.error_context()))?;
    let content_type = out.content_type().to_owned();
    let session_id = out
        .runtime_session_id()
        .or(session)
        .unwrap_or_default()
        .to_owned();
    let mut body = out.response;
    let mut decoder = Decoder::new(&content_type);
    let mut answer = String::new();
    let mut first_byte = None;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            Error::new(
                Category::Network,
                "InvokeAgentRuntime",
                format!("the answer stopped part-way: {e}"),
            )
            .with_hint("invoke again with --session to continue the same session")
        })?;
        first_byte.get_or_insert_with(|| started.elapsed());
        for text in decoder.push(&chunk) {
            on_text(&text);
            answer.push_str(&text);
        }
    }
    if let Some(text) = decoder.finish() {
        on_text(&text);
        answer.push_str(&text);
    }
    let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let total = started.elapsed();
    Ok(Answer {
        runtime: rt.name.clone(),
        session_id,
        content_type,
        answer,
        first_byte_ms: ms(first_byte.unwrap_or(total)),
        latency_ms: ms(total),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_sent_events_are_read_across_chunk_boundaries() {
        let mut d = Decoder::new("text/event-stream");
        assert!(d.push(b"data: \"Hel").is_empty());
        assert_eq!(
            d.push(b"lo. \"\n\ndata: {\"text\": \"Bye\"}\n"),
            ["Hello. "]
        );
        assert_eq!(d.push(b"\n"), ["Bye"]);
        assert_eq!(d.finish(), None);
    }

    #[test]
    fn a_json_answer_is_unwrapped_and_other_bodies_are_kept_whole() {
        let mut d = Decoder::new("application/json");
        assert!(d.push(br#"{"response": "hi"}"#).is_empty());
        assert_eq!(d.finish().as_deref(), Some("hi"));
        let mut raw = Decoder::new("text/plain");
        raw.push(b"plain words");
        assert_eq!(raw.finish().as_deref(), Some("plain words"));
    }

    fn service_error(code: &str) -> InvokeError {
        use aws_sdk_bedrockagentcore::operation::invoke_agent_runtime::InvokeAgentRuntimeError;
        use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
        use aws_smithy_types::body::SdkBody;
        use aws_smithy_types::error::ErrorMetadata;
        let meta = ErrorMetadata::builder().code(code).message("no").build();
        let err = match code {
            "RetryableConflictException" => InvokeAgentRuntimeError::RetryableConflictException(
                aws_sdk_bedrockagentcore::types::error::RetryableConflictException::builder()
                    .message("busy")
                    .meta(meta)
                    .build()
                    .unwrap(),
            ),
            _ => InvokeAgentRuntimeError::generic(meta),
        };
        let raw = HttpResponse::new(403.try_into().unwrap(), SdkBody::empty());
        aws_sdk_bedrockagentcore::error::SdkError::service_error(err, raw)
    }

    #[test]
    fn a_denied_invoke_names_the_action_and_the_principal() {
        let ctx = ErrorContext {
            profile: None,
            caller_arn: Some("arn:aws:sts::111122223333:assumed-role/Dev/me".into()),
            ..Default::default()
        };
        let rt = Runtime {
            name: "triage".into(),
            agent: None,
            arn: "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/triage-a1".into(),
            id: "triage-a1".into(),
            pack_log_group: None,
        };
        let e = invoke_failed(&service_error("AccessDeniedException"), &rt, &ctx);
        assert_eq!(
            e.hint.as_deref(),
            Some(
                "add bedrock-agentcore:InvokeAgentRuntime on arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/triage-a1 and arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/triage-a1/runtime-endpoint/* to the policy of IAM role Dev (you call as arn:aws:sts::111122223333:assumed-role/Dev/me)"
            )
        );
        assert!(
            e.message.contains("bedrock-agentcore:InvokeAgentRuntime"),
            "{}",
            e.message
        );
        assert!(e.message.contains("assumed-role/Dev/me"), "{}", e.message);
        let busy = invoke_failed(&service_error("RetryableConflictException"), &rt, &ctx);
        assert!(
            busy.message.contains("runtime triage is not yet READY"),
            "{}",
            busy.message
        );
    }

    #[test]
    fn a_short_session_id_names_the_flag_and_the_fix() {
        let e = check_session("abc").unwrap_err();
        assert!(e.message.contains("--session 'abc'"), "{}", e.message);
        assert!(e.message.contains("33 to 256"), "{}", e.message);
        assert!(check_session(&"s".repeat(40)).is_ok());
    }
}
