use std::fmt;

use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
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
/// messages name the profile to log in with and the role that was denied.
#[derive(Debug, Clone, Default)]
pub struct ErrorContext {
    pub profile: Option<String>,
    pub caller_arn: Option<String>,
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
    pub fn from_sdk<E, R>(
        service: &str,
        operation: &str,
        err: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
        ctx: &ErrorContext,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug,
    {
        use aws_smithy_runtime_api::client::result::SdkError;
        let text = DisplayErrorContext(err).to_string();
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
            SdkError::TimeoutError(_) => Error::new(
                Category::Timeout,
                operation,
                format!("{operation} timed out before AWS answered"),
            )
            .with_hint("check your network connection and retry; the call is safe to repeat"),
            _ if is_credentials_problem(&text) => credentials_error(operation, &text, ctx),
            SdkError::DispatchFailure(df) if df.is_timeout() => Error::new(
                Category::Timeout,
                operation,
                format!("{operation}: the connection timed out"),
            )
            .with_hint("check your network connection and retry"),
            SdkError::DispatchFailure(_) => Error::new(
                Category::Network,
                operation,
                format!("{operation}: could not reach the AWS endpoint ({})", short(&text)),
            )
            .with_hint(
                "verify the AWS region is correct, the endpoint URL (AWS_ENDPOINT_URL) if you set one, and network connectivity",
            ),
            SdkError::ConstructionFailure(_) => Error::new(
                Category::Configuration,
                operation,
                format!("{operation}: the request could not be built ({})", short(&text)),
            )
            .with_hint("check the region and the deploy config values"),
            _ => {
                // Response errors: the service answered with something we could not read.
                let code = err.code().map(str::to_owned);
                let mut e = classify_code(service, operation, code.as_deref(), &text, ctx);
                if code.is_none() {
                    e.message = format!("{operation}: unexpected response ({})", short(&text));
                }
                e
            }
        }
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
