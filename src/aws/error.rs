use std::fmt;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::clients::{TIMEOUT_ENV, Timeouts};
use serde::Serialize;

/// The adapter's five failure categories (promptpack-format.md §7), so output
/// stays comparable with the Go adapter's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Permission,
    Network,
    Timeout,
    Configuration,
    Resource,
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Category::Permission => "permission",
            Category::Network => "network",
            Category::Timeout => "timeout",
            Category::Configuration => "configuration",
            Category::Resource => "resource",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Error {
    pub category: Category,
    /// The AWS operation, e.g. `CreateGateway`.
    pub operation: String,
    /// The AWS error code when the service answered, e.g. `AccessDeniedException`.
    pub code: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// What we know about the caller when an error is classified; it lets the
/// messages name the profile to log in with, the role that was denied, the
/// endpoint that did not answer and how long it was given.
#[derive(Debug, Clone, Default)]
pub struct ErrorContext {
    pub profile: Option<String>,
    pub caller_arn: Option<String>,
    /// The endpoint URL when it is not AWS's (emulator, `--endpoint-url`).
    pub endpoint: Option<String>,
    pub region: String,
    pub timeouts: Timeouts,
}

impl ErrorContext {
    fn endpoint_label(&self, service: &str) -> String {
        match (&self.endpoint, self.region.as_str()) {
            (Some(url), _) => url.clone(),
            (None, "") => format!("the AWS {service} endpoint"),
            (None, region) => format!("the AWS {service} endpoint in {region}"),
        }
    }
}

impl Error {
    pub fn new(
        category: Category,
        operation: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error {
            category,
            operation: operation.into(),
            code: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A resource that never left a transitional state.
    pub fn stuck(kind: &str, name: &str, state: &str, waited: std::time::Duration) -> Self {
        Error::new(
            Category::Timeout,
            "Wait",
            format!(
                "{kind} \"{name}\" is still {state} after {}s",
                waited.as_secs()
            ),
        )
        .with_hint(
            "the resource may still be provisioning; run apply again in a few minutes and it will be adopted, not duplicated",
        )
    }

    /// A resource that reached a failed state.
    pub fn failed_state(kind: &str, name: &str, state: &str, reason: Option<&str>) -> Self {
        let reason = reason
            .filter(|r| !r.is_empty())
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        Error::new(
            Category::Resource,
            "Wait",
            format!("{kind} \"{name}\" entered {state}{reason}"),
        )
        .with_hint("fix the cause above, then run destroy and apply again")
    }

    /// Classify any SDK error. `service` is the IAM prefix of the operation
    /// (`bedrock-agentcore`, `s3`, `sts`) so AccessDenied can name the action.
    /// The SDK's own Debug form goes to the log file only; the user reads the message.
    pub fn from_sdk<E, R>(
        service: &str,
        operation: &str,
        err: &SdkError<E, R>,
        ctx: &ErrorContext,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug + 'static,
    {
        let raw = crate::sanitize::for_log(&format!("{err:?}"));
        tracing::warn!(service, operation, error = %raw, "AWS call failed");
        let text = source_chain(err);
        let endpoint = ctx.endpoint_label(service);
        let raw = err
            .raw_response()
            .and_then(|r| (r as &dyn std::any::Any).downcast_ref::<HttpResponse>());
        if let Some(e) = raw.and_then(|r| not_aws(r, service, err.code())) {
            return e.into_error(operation, &endpoint, ctx.endpoint.is_some());
        }
        match err {
            SdkError::ServiceError(se) => {
                let e = se.err();
                classify_code(
                    service,
                    operation,
                    e.code(),
                    e.message().unwrap_or(&text),
                    ctx,
                )
            }
            SdkError::TimeoutError(_) => {
                let waited = if text.contains("operation timeout (all attempts") {
                    ctx.timeouts.deadline
                } else {
                    ctx.timeouts.attempt
                };
                Error::new(
                    Category::Timeout,
                    operation,
                    format!(
                        "{operation}: no answer from {endpoint} after {} s",
                        waited.as_secs()
                    ),
                )
                .with_hint(format!(
                    "check that {endpoint} is the right address and that the service there is up (a proxy or firewall can swallow requests); the call is safe to repeat, and --timeout SECS (or {TIMEOUT_ENV}) sets how long to wait"
                ))
            }
            _ if is_credentials_problem(&text) => credentials_error(operation, &text, ctx),
            SdkError::DispatchFailure(df) if df.is_timeout() => Error::new(
                Category::Timeout,
                operation,
                format!(
                    "{operation}: could not connect to {endpoint} within {} s",
                    ctx.timeouts.connect.as_secs()
                ),
            )
            .with_hint(
                "check the network: VPN, proxy (HTTPS_PROXY) and firewall; the call is safe to repeat",
            ),
            SdkError::DispatchFailure(_) if super::http::is_connection_refused(err) => {
                Error::new(
                    Category::Network,
                    operation,
                    format!("{operation}: nothing is listening at {endpoint} (connection refused)"),
                )
                .with_hint(match &ctx.endpoint {
                    Some(_) => "check the host and port of --endpoint-url / AWS_ENDPOINT_URL, or start the emulator there (`agentcore-tui emulator`); unset it to use AWS",
                    None => "check the network and any proxy (HTTPS_PROXY) between you and AWS",
                })
            }
            SdkError::DispatchFailure(_) => Error::new(
                Category::Network,
                operation,
                format!("{operation}: could not reach {endpoint} ({})", short(&text)),
            )
            .with_hint(
                "verify the AWS region is correct, the endpoint URL (AWS_ENDPOINT_URL) if you set one, and network connectivity",
            ),
            SdkError::ConstructionFailure(_) => Error::new(
                Category::Configuration,
                operation,
                format!("{operation}: the request could not be built: {}", short(&text)),
            )
            .with_hint("a required value is empty or malformed; check the values given and the region"),
            _ => {
                // Response errors: the service answered with something we could not read.
                let code = err.code().map(str::to_owned);
                let mut e = classify_code(service, operation, code.as_deref(), &text, ctx);
                if code.is_none() {
                    e.message = format!(
                        "{operation}: {endpoint} gave an answer that could not be read ({})",
                        short(&text)
                    );
                }
                e
            }
        }
    }
}

/// An error's message and those of its causes, Display only, each said once: the SDK repeats a
/// cause's text in its wrapper ("dispatch failure: io error: …").
fn source_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let t = e.to_string();
        if !t.is_empty() && !parts.last().is_some_and(|p| p.contains(&t)) {
            parts.push(t);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// A response that did not come from an AWS API: a web page, or nothing at all.
#[derive(Debug, PartialEq, Eq)]
enum NotAws {
    Html(u16),
    Empty(u16),
}

fn not_aws(resp: &HttpResponse, service: &str, code: Option<&str>) -> Option<NotAws> {
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let body = resp.body().bytes().unwrap_or_default();
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start();
    if content_type.contains("text/html")
        || head.starts_with("<!doctype html")
        || head.starts_with("<html")
    {
        return Some(NotAws::Html(status));
    }
    // S3 answers HEAD requests with no body by design; every other AWS error names its code.
    if body.iter().all(u8::is_ascii_whitespace) && code.is_none() && service != "s3" {
        return Some(NotAws::Empty(status));
    }
    None
}

impl NotAws {
    fn into_error(self, operation: &str, endpoint: &str, custom: bool) -> Error {
        let (what, status) = match self {
            NotAws::Html(s) => ("answered with an HTML page", s),
            NotAws::Empty(s) => ("answered with an empty body", s),
        };
        Error::new(
            Category::Network,
            operation,
            format!("{operation}: the endpoint at {endpoint} is not an AWS API ({what}, HTTP {status})"),
        )
        .with_hint(if custom {
            "--endpoint-url / AWS_ENDPOINT_URL points at a web server or proxy, not AWS or the emulator; check its host, port and path, or unset it to use AWS"
        } else {
            "something between you and AWS answered instead (a proxy or captive portal); check HTTPS_PROXY and the network"
        })
    }
}

fn short(text: &str) -> String {
    const MAX: usize = 300;
    if text.len() <= MAX {
        text.to_owned()
    } else {
        let mut end = MAX;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &text[..end])
    }
}

fn is_credentials_problem(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("credential") || t.contains("sso") || t.contains("expired") || t.contains("token")
}

/// The fix fits how the credentials are obtained: SSO, access keys, a role, a process.
fn login_fix(ctx: &ErrorContext) -> String {
    super::profiles::refresh_fix(ctx.profile.as_deref())
}

fn credentials_error(operation: &str, text: &str, ctx: &ErrorContext) -> Error {
    let t = text.to_ascii_lowercase();
    let what = if t.contains("expired") {
        "your AWS credentials have expired"
    } else {
        "no usable AWS credentials were found"
    };
    let profile = ctx
        .profile
        .as_deref()
        .map(|p| format!(" (profile {p})"))
        .unwrap_or_default();
    Error::new(
        Category::Configuration,
        operation,
        format!("{operation}: {what}{profile}"),
    )
    .with_hint(login_fix(ctx))
}

/// What to do about "not found" depends on what was looked for: a key or recommendation named
/// by the user, or a deployed resource that drifted.
fn not_found_fix(service: &str, operation: &str) -> &'static str {
    if service == "kms" {
        "check the key id, alias or ARN and the region: `agentcore-tui keys list` shows the region's keys"
    } else if operation.contains("Recommendation") {
        "check the recommendation id and the region: `agentcore-tui recs list` shows the region's recommendations"
    } else if service == "cloudtrail" {
        "check the region: CloudTrail keeps events in the region where they happened"
    } else {
        "the resource was deleted outside this tool; run plan to see the drift"
    }
}

/// Turns `CreateGateway` into the IAM action `bedrock-agentcore:CreateGateway`.
fn iam_action(service: &str, operation: &str) -> String {
    format!("{service}:{operation}")
}

pub(crate) fn classify_code(
    service: &str,
    operation: &str,
    code: Option<&str>,
    message: &str,
    ctx: &ErrorContext,
) -> Error {
    let code_s = code.unwrap_or("");
    let mut e = match code_s {
        "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation"
        | "UnauthorizedException" | "Forbidden" => {
            let who = ctx
                .caller_arn
                .as_deref()
                .map(|a| format!(" for {a}"))
                .unwrap_or_default();
            let action = iam_action(service, operation);
            Error::new(
                Category::Permission,
                operation,
                format!("access denied: {action} is not allowed{who} ({message})"),
            )
            .with_hint(format!(
                "add {action} to the policy of the role you deploy with{who}; the runtime_role_arn also needs Bedrock AgentCore permissions"
            ))
        }
        "ExpiredToken" | "ExpiredTokenException" | "InvalidClientTokenId"
        | "UnrecognizedClientException" | "InvalidSignatureException"
        | "SignatureDoesNotMatch" | "MissingAuthenticationToken" => {
            let mut e = credentials_error(operation, &format!("{code_s} {message}"), ctx);
            e.message = format!("{} ({code_s}: {message})", e.message);
            e
        }
        "ThrottlingException" | "ThrottledException" | "Throttling" | "TooManyRequestsException"
        | "RequestLimitExceeded" | "SlowDown" => Error::new(
            Category::Resource,
            operation,
            format!("{operation}: AWS kept throttling the requests after several retries"),
        )
        .with_hint("wait a minute and run the command again, or lower --concurrency"),
        "ServiceQuotaExceededException" | "LimitExceededException" => Error::new(
            Category::Resource,
            operation,
            format!("{operation}: a service quota is exhausted ({message})"),
        )
        .with_hint(
            "delete unused Bedrock AgentCore resources in this region or request a quota increase in the Service Quotas console",
        ),
        "ValidationException" | "InvalidParameterValue" | "InvalidRequest"
        | "MalformedPolicyDocumentException" | "InvalidBucketName" | "SerializationException" => {
            match super::validation::plain(message) {
                Some(plain) => Error::new(
                    Category::Configuration,
                    operation,
                    format!("{operation}: AWS rejected {plain}"),
                )
                .with_hint(
                    "validate and plan check these values against AWS's models before any call: run `agentcore-tui validate`, fix the field it names, and report a value it let through",
                ),
                None => Error::new(
                    Category::Configuration,
                    operation,
                    format!("{operation}: AWS rejected a value: {message}"),
                )
                .with_hint("check the deploy config values match AWS requirements"),
            }
        }
        "ResourceNotFoundException" | "NoSuchBucket" | "NotFound" | "NotFoundException" => {
            Error::new(
                Category::Resource,
                operation,
                format!("{operation}: not found: {message}"),
            )
            .with_hint(not_found_fix(service, operation))
        }
        "ConflictException" | "BucketAlreadyOwnedByYou" | "OperationAbortedException" => {
            Error::new(
                Category::Resource,
                operation,
                format!("{operation}: conflict: {message}"),
            )
            .with_hint("another change to this resource is in progress; retry after a short wait")
        }
        "InternalServerException" | "ServiceException" | "InternalError" | "InternalFailure"
        | "ServiceUnavailable" => Error::new(
            Category::Network,
            operation,
            format!("{operation}: AWS had an internal error after several retries ({message})"),
        )
        .with_hint("retry in a few minutes; apply resumes where it stopped"),
        _ => adapter_keywords(operation, code, message),
    };
    e.code = code.map(str::to_owned);
    e
}

/// The adapter's keyword fallback, in its order (promptpack-format.md §7).
fn adapter_keywords(operation: &str, code: Option<&str>, message: &str) -> Error {
    let text = format!("{} {}", code.unwrap_or(""), message).to_ascii_lowercase();
    let has = |ks: &[&str]| ks.iter().any(|k| text.contains(k));
    let msg = match code {
        Some(c) => format!("{operation}: {c}: {message}"),
        None => format!("{operation}: {message}"),
    };
    let (cat, hint) = if has(&[
        "accessdenied",
        "access denied",
        "unauthorized",
        "not authorized",
        "forbidden",
        "insufficientprivileges",
    ]) {
        (
            Category::Permission,
            Some("verify the runtime_role_arn has required permissions for Bedrock AgentCore"),
        )
    } else if has(&[
        "connection refused",
        "no such host",
        "dial tcp",
        "tls handshake",
        "endpoint",
    ]) {
        (
            Category::Network,
            Some("verify the AWS region is correct and network connectivity is available"),
        )
    } else if has(&[
        "timeout",
        "timed out",
        "deadline exceeded",
        "did not become ready",
    ]) {
        (
            Category::Timeout,
            Some("the resource may still be provisioning; retry after a short wait"),
        )
    } else if has(&["validation", "invalid", "malformed", "does not match"]) {
        (
            Category::Configuration,
            Some("check the deploy config values match AWS requirements"),
        )
    } else {
        (Category::Resource, None)
    };
    let mut e = Error::new(cat, operation, msg);
    e.hint = hint.map(str::to_owned);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ErrorContext {
        ErrorContext {
            profile: Some("dev".into()),
            caller_arn: Some("arn:aws:sts::111122223333:assumed-role/Deployer/s".into()),
            ..ErrorContext::default()
        }
    }

    #[test]
    fn access_denied_names_action_and_role() {
        let e = classify_code(
            "bedrock-agentcore",
            "CreateGateway",
            Some("AccessDeniedException"),
            "User is not authorized",
            &ctx(),
        );
        assert_eq!(e.category, Category::Permission);
        assert!(
            e.message.contains("bedrock-agentcore:CreateGateway"),
            "{}",
            e.message
        );
        assert!(e.message.contains("assumed-role/Deployer"), "{}", e.message);
    }

    #[test]
    fn expired_token_tells_the_exact_login_command() {
        let e = classify_code(
            "sts",
            "GetCallerIdentity",
            Some("ExpiredToken"),
            "expired",
            &ctx(),
        );
        assert_eq!(e.category, Category::Configuration);
        assert!(e.hint.unwrap().contains("aws sso login --profile dev"));
    }

    #[test]
    fn throttling_and_quota_are_explained() {
        let t = classify_code(
            "s",
            "CreateGateway",
            Some("ThrottlingException"),
            "slow",
            &ctx(),
        );
        assert!(t.message.contains("throttling"));
        let q = classify_code(
            "s",
            "CreateAgentRuntime",
            Some("ServiceQuotaExceededException"),
            "max 10",
            &ctx(),
        );
        assert!(q.message.contains("quota") && q.hint.unwrap().contains("Service Quotas"));
    }

    #[test]
    fn unknown_codes_fall_back_to_adapter_keyword_order() {
        let e = classify_code("s", "X", Some("Weird"), "request was invalid", &ctx());
        assert_eq!(e.category, Category::Configuration);
        let e = classify_code("s", "X", Some("Weird"), "something else", &ctx());
        assert_eq!(e.category, Category::Resource);
        assert!(e.hint.is_none());
    }

    #[test]
    fn stuck_resource_is_a_timeout_with_resume_hint() {
        let e = Error::stuck(
            "gateway",
            "gw",
            "CREATING",
            std::time::Duration::from_secs(300),
        );
        assert_eq!(e.category, Category::Timeout);
        assert!(e.message.contains("still CREATING after 300s"));
    }
}
