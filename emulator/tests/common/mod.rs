#![allow(dead_code, unused_macros, unused_imports)]

use agentcore_emulator::{Config, Emulator, Timing, World};

/// An emulator whose every answer is held against its AWS output shape: a test that made
/// the emulator answer off-model fails when it ends. Requests the test broke on purpose are
/// the emulator's business (it rejects them), so only answers count here.
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
            .filter(|v| v.direction == "response")
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

/// A real SDK client of crate `$krate` pointed at the emulator; retries off unless asked.
macro_rules! client {
    ($krate:ident, $emu:expr) => {
        client!($krate, $emu, "us-east-1", false)
    };
    ($krate:ident, $emu:expr, $region:expr) => {
        client!($krate, $emu, $region, false)
    };
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
        let conf = $krate::Config::builder()
            .behavior_version($krate::config::BehaviorVersion::latest())
            .region($krate::config::Region::new($region))
            .credentials_provider($krate::config::Credentials::new(
                "local", "local", None, None, "test",
            ))
            .endpoint_url($emu.endpoint_url())
            .retry_config(retry)
            .build();
        $krate::Client::from_conf(conf)
    }};
}
pub(crate) use client;

/// The service error code of an SDK error, or the error's debug text when there is none.
pub fn code<E: aws_sdk_kms::error::ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    e: &aws_sdk_kms::error::SdkError<E, R>,
) -> String {
    match e.as_service_error() {
        Some(se) => se.code().unwrap_or("<no code>").to_string(),
        None => format!("{e:?}"),
    }
}
