//! The stand-in agent (InvokeAgentRuntime), the log lines it writes (CloudWatch Logs
//! FilterLogEvents and GetLogEvents), and runtime versions and endpoints.

use agentcore_emulator::{Config, Faults, Timing, World};
use aws_sdk_bedrockagentcore::primitives::Blob;
use aws_sdk_bedrockagentcorecontrol::types as cp;

use crate::common::{Checked, assert_code, client, container_artifact, role, start_with};

const SESSION: &str = "session-0123456789-0123456789-0123456789";

async fn runtime(emu: &Checked, env: &[(&str, &str)]) -> (String, String) {
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    let mut req = ctl
        .create_agent_runtime()
        .agent_runtime_name("support_desk_triage")
        .agent_runtime_artifact(container_artifact(
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/agent:1",
        ))
        .role_arn(role())
        .network_configuration(
            cp::NetworkConfiguration::builder()
                .network_mode(cp::NetworkMode::Public)
                .build()
                .unwrap(),
        );
    for (k, v) in env {
        req = req.environment_variables(*k, *v);
    }
    let rt = req.send().await.unwrap();
    (
        rt.agent_runtime_arn().to_string(),
        rt.agent_runtime_id().to_string(),
    )
}

async fn start(faults: &str) -> Checked {
    start_with(Config {
        world: World::Empty,
        timing: Timing::instant(),
        faults: Faults::parse(faults).unwrap(),
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn invoke_answers_as_the_emulator_and_its_lines_reach_the_runtime_log_group() {
    let emu = start("").await;
    let (arn, id) = runtime(
        &emu,
        &[
            ("PROMPTPACK_AGENT", "triage"),
            ("PROMPTPACK_PROVIDER_MODEL", "anthropic.claude-sonnet-4"),
            (
                "PROMPTPACK_AGENTS",
                r#"{"billing":"arn:billing","technical":"arn:technical"}"#,
            ),
        ],
    )
    .await;
    let data = client!(aws_sdk_bedrockagentcore, emu);
    let out = data
        .invoke_agent_runtime()
        .agent_runtime_arn(&arn)
        .runtime_session_id(SESSION)
        .content_type("application/json")
        .accept("text/event-stream")
        .payload(Blob::new(
            r#"{"prompt":"my billing invoice is wrong"}"#.as_bytes(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(out.content_type(), "text/event-stream");
    assert_eq!(out.runtime_session_id(), Some(SESSION));
    // Read as a client streams it: each piece of the body as it arrives.
    let mut body = out.response;
    let mut frames = Vec::new();
    while let Some(frame) = body.next().await {
        frames.push(String::from_utf8(frame.unwrap().to_vec()).unwrap());
    }
    assert!(
        frames.len() > 3,
        "the answer arrives in several pieces: {frames:?}"
    );
    assert!(
        frames[0].starts_with("data: ") && frames[0].matches("\n\n").count() == 1,
        "the first piece is one event, sent before the rest: {frames:?}"
    );
    let text = frames.concat();
    let events: Vec<&str> = text.split("\n\n").filter(|e| !e.is_empty()).collect();
    assert!(events.len() > 1, "the answer arrives in parts: {text}");
    assert!(events.iter().all(|e| e.starts_with("data: ")), "{text}");
    // Each event's data is a JSON string; together they are the answer.
    let text: String = events
        .iter()
        .map(|e| serde_json::from_str::<String>(&e["data: ".len()..]).unwrap())
        .collect();
    assert!(text.contains("emulator's stand-in agent"), "{text}");
    assert!(text.contains("my billing invoice is wrong"), "{text}");
    assert!(text.contains("a2a.send(agent=billing)"), "{text}");
    assert!(!text.contains("agent=technical"), "{text}");

    // Without an SSE accept the answer is one JSON document.
    let plain = data
        .invoke_agent_runtime()
        .agent_runtime_arn(&arn)
        .payload(Blob::new("hello there".as_bytes()))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.content_type(), "application/json");
    let doc: serde_json::Value =
        serde_json::from_slice(&plain.response.collect().await.unwrap().into_bytes()).unwrap();
    assert!(doc["response"].as_str().unwrap().contains("hello there"));

    let logs = client!(aws_sdk_cloudwatchlogs, emu);
    let group = format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT");
    let all = logs
        .filter_log_events()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    let lines: Vec<&str> = all.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(
        lines.len(),
        6,
        "request, one tool call, response, twice: {lines:?}"
    );
    assert!(lines[0].contains(r#""event":"request""#) && lines[0].contains("invoice"));
    assert!(lines[1].contains("a2a.send(agent=billing)"), "{lines:?}");
    assert!(lines[2].contains(r#""event":"response""#), "{lines:?}");

    let hits = logs
        .filter_log_events()
        .log_group_name(&group)
        .filter_pattern("\"invoice is wrong\" request")
        .send()
        .await
        .unwrap();
    assert_eq!(hits.events().len(), 1);
    let stream = hits.events()[0].log_stream_name().unwrap().to_string();
    assert!(stream.ends_with(SESSION), "{stream}");

    // Pagination: a limit of 2 walks all six lines in order, each once.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = logs
            .filter_log_events()
            .log_group_name(&group)
            .limit(2)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        assert!(page.events().len() <= 2);
        seen.extend(
            page.events()
                .iter()
                .map(|e| e.message().unwrap().to_string()),
        );
        match page.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, lines);

    // A time window after the lines finds nothing.
    let last = all.events().last().unwrap().timestamp().unwrap();
    let later = logs
        .filter_log_events()
        .log_group_name(&group)
        .start_time(last + 1)
        .send()
        .await
        .unwrap();
    assert!(later.events().is_empty());

    let got = logs
        .get_log_events()
        .log_group_name(&group)
        .log_stream_name(&stream)
        .start_from_head(true)
        .send()
        .await
        .unwrap();
    assert_eq!(got.events().len(), 3);
    let again = logs
        .get_log_events()
        .log_group_name(&group)
        .log_stream_name(&stream)
        .next_token(got.next_forward_token().unwrap())
        .send()
        .await
        .unwrap();
    assert!(again.events().is_empty(), "caught up");
    assert_eq!(again.next_forward_token(), got.next_forward_token());
    emu.shutdown().await;
}

#[tokio::test]
async fn logs_of_a_group_nobody_wrote_to_and_bad_patterns_are_refused_in_aws_terms() {
    let emu = start("").await;
    let logs = client!(aws_sdk_cloudwatchlogs, emu);
    let e = logs
        .filter_log_events()
        .log_group_name("/aws/bedrock-agentcore/runtimes/nobody-0123456789-DEFAULT")
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
    let e = logs.filter_log_events().send().await.unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception(),
        "{e:?}"
    );
    // The model's limit range (1–10000) is checked before the handler.
    let e = logs
        .filter_log_events()
        .log_group_name("/x")
        .limit(0)
        .send()
        .await
        .unwrap_err();
    assert_code(&e, "ValidationException");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_runtime_that_is_not_ready_refuses_invoke_and_faults_apply() {
    let emu = start_with(Config {
        world: World::Empty,
        timing: Timing::with_provisioning(std::time::Duration::from_secs(600)),
        ..Default::default()
    })
    .await;
    let (arn, _) = runtime(&emu, &[]).await;
    let data = client!(aws_sdk_bedrockagentcore, emu);
    let e = data
        .invoke_agent_runtime()
        .agent_runtime_arn(&arn)
        .payload(Blob::new("hi".as_bytes()))
        .send()
        .await
        .unwrap_err();
    let se = e.as_service_error().unwrap();
    assert!(se.is_retryable_conflict_exception(), "{e:?}");
    assert!(
        se.to_string().contains("CREATING, not READY"),
        "{}",
        se.to_string()
    );
    let e = data
        .invoke_agent_runtime()
        .agent_runtime_arn(arn.replace("support_desk_triage", "missing_runtime"))
        .payload(Blob::new("hi".as_bytes()))
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );
    emu.shutdown().await;

    let emu = start("op=InvokeAgentRuntime:throttle=1.0,op=FilterLogEvents:5xx=1.0").await;
    let (arn, id) = runtime(&emu, &[]).await;
    let data = client!(aws_sdk_bedrockagentcore, emu);
    let e = data
        .invoke_agent_runtime()
        .agent_runtime_arn(&arn)
        .payload(Blob::new("hi".as_bytes()))
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error().unwrap().is_throttling_exception(),
        "{e:?}"
    );
    let logs = client!(aws_sdk_cloudwatchlogs, emu);
    let e = logs
        .filter_log_events()
        .log_group_name(format!("/aws/bedrock-agentcore/runtimes/{id}-DEFAULT"))
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_service_unavailable_exception(),
        "{e:?}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn versions_and_the_default_endpoint_follow_updates() {
    let emu = start("").await;
    let (arn, id) = runtime(&emu, &[]).await;
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    ctl.update_agent_runtime()
        .agent_runtime_id(&id)
        .agent_runtime_artifact(container_artifact(
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/agent:2",
        ))
        .role_arn(role())
        .network_configuration(
            cp::NetworkConfiguration::builder()
                .network_mode(cp::NetworkMode::Public)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let versions = ctl
        .list_agent_runtime_versions()
        .agent_runtime_id(&id)
        .send()
        .await
        .unwrap();
    let listed: Vec<&str> = versions
        .agent_runtimes()
        .iter()
        .map(|r| r.agent_runtime_version())
        .collect();
    assert_eq!(listed, ["2", "1"]);
    let first = ctl
        .list_agent_runtime_versions()
        .agent_runtime_id(&id)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first.agent_runtimes().len(), 1);
    let second = ctl
        .list_agent_runtime_versions()
        .agent_runtime_id(&id)
        .max_results(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.agent_runtimes()[0].agent_runtime_version(), "1");
    assert!(second.next_token().is_none());

    let endpoints = ctl
        .list_agent_runtime_endpoints()
        .agent_runtime_id(&id)
        .send()
        .await
        .unwrap();
    let ep = &endpoints.runtime_endpoints()[0];
    assert_eq!(ep.name(), "DEFAULT");
    assert_eq!(ep.agent_runtime_arn(), arn);
    assert_eq!(ep.live_version(), Some("2"));
    emu.shutdown().await;
}
