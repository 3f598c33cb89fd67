use std::sync::Arc;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use serde::Serialize;

use super::error::{Category, Error, ErrorContext};

/// How to reach AWS. Empty fields fall back to the SDK's own chain
/// (`AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL*`, `~/.aws/config`).
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Static credentials, used for the local emulator only.
    pub static_credentials: bool,
    /// Attempts per call (throttling and 5xx are retried with backoff).
    pub max_attempts: Option<u32>,
    /// The deadline of one call, retries included (`--timeout`); else `AGENTCORE_TUI_TIMEOUT`,
    /// else [`Timeouts::DEFAULT_DEADLINE`].
    pub timeout: Option<Duration>,
}

/// The environment variable that sets the call deadline in seconds where no `--timeout` is given
/// (the TUI, scripts).
pub const TIMEOUT_ENV: &str = "AGENTCORE_TUI_TIMEOUT";

/// How long a call may wait. Every wait ends: connecting, one attempt, and the whole call with
/// its retries each have a bound, so a silent endpoint costs the deadline and no more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    /// One attempt: half the deadline, so a timed-out attempt still leaves room for one retry.
    pub attempt: Duration,
    /// The call including its retries.
    pub deadline: Duration,
}

impl Timeouts {
    pub const CONNECT: Duration = Duration::from_secs(3);
    pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
    /// S3 uploads carry the runtime's code; without an explicit `--timeout` they get this long.
    pub const DEFAULT_UPLOAD_DEADLINE: Duration = Duration::from_secs(600);

    pub fn with_deadline(deadline: Duration) -> Timeouts {
        Timeouts {
            connect: Timeouts::CONNECT.min(deadline),
            attempt: (deadline / 2).max(Duration::from_secs(1)).min(deadline),
            deadline,
        }
    }

    fn config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.deadline)
            .build()
    }
}

impl Timeouts {
    /// The call deadline the clients of a process without `--timeout` get.
    pub fn from_env_or_default() -> Duration {
        requested_deadline(&ConnectOptions::default())
            .ok()
            .flatten()
            .unwrap_or(Timeouts::DEFAULT_DEADLINE)
    }
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts::with_deadline(Timeouts::DEFAULT_DEADLINE)
    }
}

/// The deadline asked for: the option, else the environment, else none (the defaults apply).
fn requested_deadline(opts: &ConnectOptions) -> Result<Option<Duration>, Error> {
    if opts.timeout.is_some() {
        return Ok(opts.timeout);
    }
    let Some(raw) = std::env::var(TIMEOUT_ENV).ok().filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    match raw.trim().parse::<u64>() {
        Ok(secs) if (1..=3600).contains(&secs) => Ok(Some(Duration::from_secs(secs))),
        _ => Err(Error::new(
            Category::Configuration,
            "LoadConfig",
            format!(
                "{TIMEOUT_ENV}: {} is not a number of seconds from 1 to 3600",
                crate::sanitize::quote(&raw)
            ),
        )
        .with_hint(format!("set {TIMEOUT_ENV} to e.g. 60, or unset it"))),
    }
}

/// The SDK clients the deploy engine needs, all built from one `SdkConfig`
/// so local and AWS use the same code path.
#[derive(Clone)]
pub struct Clients {
    pub control: aws_sdk_bedrockagentcorecontrol::Client,
    pub sts: aws_sdk_sts::Client,
    /// Global: the SDK signs for the partition's IAM region (us-east-1 in `aws`) on its own.
    pub iam: aws_sdk_iam::Client,
    pub s3: aws_sdk_s3::Client,
    pub region: String,
    pub profile: Option<String>,
    /// Set when the endpoint is not AWS (emulator or `AWS_ENDPOINT_URL`).
    pub endpoint_url: Option<String>,
    pub timeouts: Timeouts,
    sdk: SdkConfig,
    // The caller ARN once known, so AccessDenied can name the principal.
    caller: Arc<std::sync::OnceLock<String>>,
    // Keeps an embedded emulator alive as long as any clone of the clients.
    local: Option<Arc<dyn std::any::Any + Send + Sync>>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clients")
            .field("region", &self.region)
            .field("profile", &self.profile)
            .field("endpoint_url", &self.endpoint_url)
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

const DEFAULT_ATTEMPTS: u32 = 8;

impl Clients {
    pub async fn connect(opts: &ConnectOptions) -> Result<Clients, Error> {
        // The SDK would go on without it and fail later with a misleading region or credentials
        // error; `default` may legitimately exist nowhere (environment credentials).
        let named = opts
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|s| !s.is_empty()));
        if !opts.static_credentials
            && let Some(p) = named.filter(|p| p != "default")
            && super::profiles::find(&p).is_none()
        {
            return Err(super::profiles::not_found(&p));
        }
        let requested = requested_deadline(opts)?;
        let timeouts = Timeouts::with_deadline(requested.unwrap_or(Timeouts::DEFAULT_DEADLINE));
        let upload = requested.map_or_else(
            || Timeouts::with_deadline(Timeouts::DEFAULT_UPLOAD_DEADLINE),
            Timeouts::with_deadline,
        );
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(opts.max_attempts.unwrap_or(DEFAULT_ATTEMPTS))
                    .with_initial_backoff(Duration::from_millis(100))
                    .with_max_backoff(Duration::from_secs(5)),
            )
            .timeout_config(timeouts.config());
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &opts.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(u) = &opts.endpoint_url {
            loader = loader.endpoint_url(u);
        }
        if opts.static_credentials {
            // The emulator accepts any key; these are not secrets.
            loader = loader.credentials_provider(Credentials::new(
                "local",
                "local",
                None,
                None,
                "local-emulator",
            ));
        }
        let sdk = loader.load().await;
        // The service clients get the fail-fast HTTP client; the credential providers above keep
        // the SDK's own.
        let sdk = sdk
            .into_builder()
            .http_client(super::http::client())
            .build();
        let region = sdk.region().map(|r| r.to_string()).ok_or_else(|| {
            Error::new(
                Category::Configuration,
                "LoadConfig",
                "no AWS region: none in the deploy config, --region, AWS_REGION or the profile",
            )
            .with_hint(
                "set \"region\" in the deploy config (e.g. \"us-west-2\") or export AWS_REGION",
            )
        })?;
        let endpoint_url = opts.endpoint_url.clone().or_else(|| {
            std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|s| !s.is_empty())
        });
        let profile = opts
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|s| !s.is_empty()));
        let mut clients = Self::from_sdk_config(sdk, region, profile, endpoint_url, upload);
        clients.timeouts = timeouts;
        Ok(clients)
    }

    fn from_sdk_config(
        sdk: SdkConfig,
        region: String,
        profile: Option<String>,
        endpoint_url: Option<String>,
        upload: Timeouts,
    ) -> Clients {
        // Path-style so a bucket name never has to resolve as a host (emulator,
        // S3-compatible endpoints); AWS accepts both.
        let s3_conf = aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .timeout_config(upload.config())
            .build();
        Clients {
            control: aws_sdk_bedrockagentcorecontrol::Client::new(&sdk),
            sts: aws_sdk_sts::Client::new(&sdk),
            iam: aws_sdk_iam::Client::new(&sdk),
            s3: aws_sdk_s3::Client::from_conf(s3_conf),
            region,
            profile,
            endpoint_url,
            timeouts: Timeouts::default(),
            sdk,
            caller: Arc::default(),
            local: None,
        }
    }

    /// Clients for an AWS-compatible endpoint with static local credentials,
    /// e.g. an emulator started elsewhere.
    pub async fn for_endpoint(endpoint_url: &str, region: &str) -> Result<Clients, Error> {
        Clients::connect(&ConnectOptions {
            region: Some(region.to_owned()),
            endpoint_url: Some(endpoint_url.to_owned()),
            static_credentials: true,
            ..Default::default()
        })
        .await
    }

    /// Ties the lifetime of something (an embedded emulator) to these clients.
    pub fn keep_alive(mut self, guard: Arc<dyn std::any::Any + Send + Sync>) -> Clients {
        self.local = Some(guard);
        self
    }

    /// True for the embedded emulator (`--local`).
    pub fn is_local(&self) -> bool {
        self.local.is_some()
    }

    pub fn sdk_config(&self) -> &SdkConfig {
        &self.sdk
    }

    /// CloudWatch Logs, where the runtimes' log groups are read.
    pub fn logs(&self) -> aws_sdk_cloudwatchlogs::Client {
        aws_sdk_cloudwatchlogs::Client::new(&self.sdk)
    }

    pub fn error_context(&self) -> ErrorContext {
        ErrorContext {
            profile: self.profile.clone(),
            caller_arn: self.caller.get().cloned(),
            endpoint: self.endpoint_url.clone(),
            region: self.region.clone(),
            timeouts: self.timeouts,
        }
    }

    pub async fn caller_identity(&self) -> Result<CallerIdentity, Error> {
        let out =
            self.sts.get_caller_identity().send().await.map_err(|e| {
                Error::from_sdk("sts", "GetCallerIdentity", &e, &self.error_context())
            })?;
        let _ = self.caller.set(out.arn().unwrap_or_default().to_owned());
        Ok(CallerIdentity {
            account: out.account().unwrap_or_default().to_owned(),
            arn: out.arn().unwrap_or_default().to_owned(),
            user_id: out.user_id().unwrap_or_default().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unreachable_endpoint_is_a_network_error_with_hint() {
        // Port 9 (discard) on localhost is closed on test machines.
        let c = Clients::connect(&ConnectOptions {
            region: Some("us-west-2".into()),
            endpoint_url: Some("http://127.0.0.1:9".into()),
            static_credentials: true,
            max_attempts: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
        let err = c.caller_identity().await.unwrap_err();
        assert_eq!(err.category, Category::Network, "{err:?}");
        assert!(err.hint.unwrap().contains("AWS_ENDPOINT_URL"));
    }

    #[tokio::test]
    async fn explicit_region_and_endpoint_are_used() {
        let c = Clients::for_endpoint("http://127.0.0.1:9", "eu-west-1")
            .await
            .unwrap();
        assert_eq!(c.region, "eu-west-1");
        assert_eq!(c.endpoint_url.as_deref(), Some("http://127.0.0.1:9"));
        assert!(format!("{c:?}").contains("eu-west-1"));
    }
}
