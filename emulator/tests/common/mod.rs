#![allow(dead_code, unused_macros, unused_imports)]

use std::io::{Read, Write};

use agentcore_emulator::{Config, Emulator, Timing, World};
use aws_sdk_bedrockagentcorecontrol::types as cp;

/// An emulator whose every answer is held against its AWS output shape: a test that made
/// the emulator answer off-model fails when it ends. Requests the test broke on purpose are
/// the emulator's business (it rejects them), so only answers count here: successful ones and
/// errors, which must be errors the operation's model lists, with the error shape's members.
pub struct Checked(Option<Emulator>);

impl std::ops::Deref for Checked {
    type Target = Emulator;
    fn deref(&self) -> &Emulator {
        self.0.as_ref().expect("emulator running")
    }
}

impl Checked {
    pub async fn shutdown(mut self) {
        self.assert_answers_conform();
        if let Some(emu) = self.0.take() {
            emu.shutdown().await;
        }
    }

    fn assert_answers_conform(&self) {
        let Some(emu) = &self.0 else { return };
        let bad: Vec<_> = emu
            .violations()
            .into_iter()
            .filter(|v| v.direction == "response" || v.direction == "error")
            .collect();
        assert!(
            bad.is_empty(),
            "answers off their AWS output shape: {bad:#?}"
        );
    }
}

impl Drop for Checked {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.assert_answers_conform();
        }
    }
}

pub async fn start() -> Checked {
    start_with(Config {
        timing: Timing::instant(),
        ..Default::default()
    })
    .await
}

pub async fn start_empty() -> Checked {
    start_with(Config {
        world: World::Empty,
        timing: Timing::instant(),
        ..Default::default()
    })
    .await
}

pub async fn start_with(config: Config) -> Checked {
    Checked(Some(
        Emulator::start(config).await.expect("emulator starts"),
    ))
}

/// The config of a real SDK client of crate `$krate` pointed at the emulator, to build.
macro_rules! config {
    ($krate:ident, $emu:expr, $region:expr, $retries:expr) => {{
        use $krate::config::retry::RetryConfig;
        let retry = if $retries {
            RetryConfig::standard()
                .with_max_attempts(10)
                .with_initial_backoff(std::time::Duration::from_millis(2))
                .with_max_backoff(std::time::Duration::from_millis(20))
        } else {
            RetryConfig::disabled()
        };
        $krate::Config::builder()
            .behavior_version($krate::config::BehaviorVersion::latest())
            .region($krate::config::Region::new($region))
            .credentials_provider($krate::config::Credentials::new(
                "local", "local", None, None, "test",
            ))
            .endpoint_url($emu.endpoint_url())
            .retry_config(retry)
    }};
}
pub(crate) use config;

/// A real SDK client of crate `$krate` pointed at the emulator; retries off unless asked.
macro_rules! client {
    ($krate:ident, $emu:expr) => {
        client!($krate, $emu, "us-east-1", false)
    };
    ($krate:ident, $emu:expr, $region:expr) => {
        client!($krate, $emu, $region, false)
    };
    ($krate:ident, $emu:expr, $region:expr, $retries:expr) => {
        $krate::Client::from_conf($crate::common::config!($krate, $emu, $region, $retries).build())
    };
}
pub(crate) use client;

/// S3 as the emulator serves it: path style, the bucket in the path rather than the host.
macro_rules! s3 {
    ($emu:expr) => {
        s3!($emu, "us-east-1", false)
    };
    ($emu:expr, $region:expr) => {
        s3!($emu, $region, false)
    };
    ($emu:expr, $region:expr, $retries:expr) => {
        aws_sdk_s3::Client::from_conf(
            $crate::common::config!(aws_sdk_s3, $emu, $region, $retries)
                .force_path_style(true)
                .build(),
        )
    };
}
pub(crate) use s3;

/// The service error code of an SDK error, or the error's debug text when there is none.
pub fn code<E: aws_sdk_kms::error::ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    e: &aws_sdk_kms::error::SdkError<E, R>,
) -> String {
    match e.as_service_error() {
        Some(se) => se.code().unwrap_or("<no code>").to_string(),
        None => format!("{e:?}"),
    }
}

type SdkError<E> = aws_sdk_kms::error::SdkError<E, aws_sdk_kms::config::http::HttpResponse>;

/// Fails with the whole error in view unless the service answered with `expected`.
#[track_caller]
pub fn assert_code<E: aws_sdk_kms::error::ProvideErrorMetadata + std::fmt::Debug>(
    e: &SdkError<E>,
    expected: &str,
) {
    assert_eq!(code(e), expected, "{e:?}");
}

/// Fails unless the service's error message contains `part`.
#[track_caller]
pub fn assert_message<E: aws_sdk_kms::error::ProvideErrorMetadata + std::fmt::Debug>(
    e: &SdkError<E>,
    part: &str,
) {
    let message = e.as_service_error().and_then(|se| se.message());
    assert!(message.is_some_and(|m| m.contains(part)), "{e:?}");
}

/// A ValidationException whose `fieldList` names exactly `fields`, in order; returns the error
/// body so a test can look at `reason` or `message` too. Read from the wire, as the SDKs' typed
/// ValidationExceptions differ per operation.
#[track_caller]
pub fn assert_validation<E: aws_sdk_kms::error::ProvideErrorMetadata + std::fmt::Debug>(
    e: &SdkError<E>,
    fields: &[&str],
) -> serde_json::Value {
    assert_code(e, "ValidationException");
    let body: serde_json::Value = e
        .raw_response()
        .and_then(|r| r.body().bytes())
        .and_then(|b| serde_json::from_slice(b).ok())
        .unwrap_or_else(|| panic!("no JSON error body: {e:?}"));
    let names: Vec<&str> = body["fieldList"]
        .as_array()
        .map(|l| l.iter().filter_map(|f| f["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, fields, "{body}");
    body
}

pub fn role() -> &'static str {
    "arn:aws:iam::111122223333:role/AgentCoreRuntime"
}

pub fn container_artifact(uri: &str) -> cp::AgentRuntimeArtifact {
    cp::AgentRuntimeArtifact::ContainerConfiguration(
        cp::ContainerConfiguration::builder()
            .container_uri(uri)
            .build()
            .unwrap(),
    )
}

pub fn prompt_config(text: &str) -> aws_sdk_bedrockagentcore::types::RecommendationConfig {
    let traces = aws_sdk_bedrockagentcore::types::AgentTracesConfig::CloudwatchLogs(
        aws_sdk_bedrockagentcore::types::CloudWatchLogsTraceConfig::builder()
            .log_group_arns("arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock-agentcore/sessions/my-agent")
            .service_names("my-agent.DEFAULT")
            .start_time(aws_sdk_bedrockagentcore::primitives::DateTime::from_secs(1_735_689_600))
            .end_time(aws_sdk_bedrockagentcore::primitives::DateTime::from_secs(1_735_776_000))
            .build()
            .unwrap(),
    );
    aws_sdk_bedrockagentcore::types::RecommendationConfig::SystemPromptRecommendationConfig(
        aws_sdk_bedrockagentcore::types::SystemPromptRecommendationConfig::builder()
            .system_prompt(aws_sdk_bedrockagentcore::types::SystemPromptConfig::Text(
                text.to_string(),
            ))
            .agent_traces(traces)
            .evaluation_config(
                aws_sdk_bedrockagentcore::types::RecommendationEvaluationConfig::builder()
                    .evaluators(
                        aws_sdk_bedrockagentcore::types::RecommendationEvaluatorReference::builder(
                        )
                        .evaluator_arn("arn:aws:bedrock-agentcore:::evaluator/Builtin.Helpfulness")
                        .build()
                        .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build(),
    )
}

pub fn key_arn(region: &str, id: &str) -> String {
    format!("arn:aws:kms:{region}:111122223333:key/{id}")
}

/// Starts a system-prompt recommendation named `$name`, under key `$key` (an `Option`).
macro_rules! start_rec {
    ($dp:expr, $name:expr, $key:expr) => {{
        let mut req = $dp
            .start_recommendation()
            .name($name)
            .r#type(aws_sdk_bedrockagentcore::types::RecommendationType::SystemPromptRecommendation)
            .recommendation_config($crate::common::prompt_config(
                "You are a helpful assistant.",
            ));
        if let Some(k) = $key {
            req = req.kms_key_arn(k);
        }
        req.send().await
    }};
}
pub(crate) use start_rec;

/// One HTTP/1.1 exchange on a bare socket, for what the SDKs will not send.
pub fn raw_request(port: u16, request: &str) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}
