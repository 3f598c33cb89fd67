//! What the commands that talk to AWS directly (`keys`, `recs`, `kms`) share: the target flags,
//! connecting, and printing a failure the same way in text and `--json`.

use super::render::{self, errln, shown};
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use serde_json::json;

use super::exit;
use crate::aws::{self, Clients, ConnectOptions};
use crate::diagnostic::Diagnostic;

/// Where AWS calls go; shared by `keys`, `recs` and `kms`.
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// Use the embedded local emulator (demo world; its state is kept in the data dir between runs)
    #[arg(long, global = true)]
    pub local: bool,
    /// AWS profile (default: AWS_PROFILE, then the default profile)
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region (default: AWS_REGION or the profile's; us-east-1 with --local)
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Send every call to this endpoint (default: AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>)
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Seconds one AWS call may take, retries included (default 60; env AGENTCORE_TUI_TIMEOUT)
    #[arg(long, global = true, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: Option<u64>,
    /// Machine-readable output on stdout
    #[arg(long, global = true)]
    pub json: bool,
}

pub async fn connect(a: &AwsArgs) -> Result<Clients, aws::Error> {
    if a.local {
        let region = a.region.clone().unwrap_or_else(|| "us-east-1".into());
        return aws::local::start(&region, crate::services::paths::world_file())
            .await
            .map(|(c, _)| c);
    }
    Clients::connect(&ConnectOptions {
        profile: a.profile.clone(),
        region: a.region.clone(),
        endpoint_url: a.endpoint_url.clone(),
        timeout: a.timeout.map(std::time::Duration::from_secs),
        ..Default::default()
    })
    .await
}

/// Prints an error (the one JSON error shape on stdout with `--json`, else text on stderr)
/// and returns exit 1.
pub fn fail(
    json_out: bool,
    category: &str,
    message: &str,
    hint: Option<&str>,
    extra: serde_json::Value,
) -> ExitCode {
    fail_in(json_out, category, None, message, hint, extra)
}

fn fail_in(
    json_out: bool,
    category: &str,
    operation: Option<&str>,
    message: &str,
    hint: Option<&str>,
    extra: serde_json::Value,
) -> ExitCode {
    if json_out {
        render::emit_json(&render::error_json(
            category, message, hint, operation, extra,
        ));
    } else {
        errln!("error [{category}]: {}", shown(message));
        if let Some(h) = hint {
            errln!("  hint: {}", shown(h));
        }
    }
    ExitCode::from(exit::INVALID)
}

pub fn fail_aws(json_out: bool, e: &aws::Error) -> ExitCode {
    // The SDK's own account of a failed call went to the log: say where.
    let hint = match (crate::services::logging::cli_log(), e.hint.as_deref()) {
        (Some(log), Some(h)) => Some(format!("{h}; the raw error is in {}", log.display())),
        (Some(log), None) => Some(format!("the raw error is in {}", log.display())),
        (None, h) => h.map(str::to_owned),
    };
    fail_in(
        json_out,
        &e.category.to_string(),
        Some(&e.operation),
        &e.message,
        hint.as_deref(),
        json!({ "code": e.code }),
    )
}

/// Input that failed its checks: every diagnostic on stderr, or with `--json` the error shape
/// (its message the first error) with `errors` and `warnings` beside it. Exit 1.
pub fn fail_diags(json_out: bool, operation: &str, diags: &[Diagnostic]) -> ExitCode {
    if json_out {
        let (errors, warnings): (Vec<_>, Vec<_>) =
            diags.iter().cloned().partition(Diagnostic::is_error);
        let first = errors.first();
        let n = errors.len();
        let mut v = render::error_json(
            first.map_or("configuration", |d| d.category.as_str()),
            &first.map_or_else(
                || "the input is not valid".to_owned(),
                |d| match n {
                    1 => d.message.clone(),
                    _ => format!("{} (and {} more)", d.message, n - 1),
                },
            ),
            first.and_then(|d| d.hint.as_deref()),
            Some(operation),
            json!({}),
        );
        v["errors"] = json!(errors);
        v["warnings"] = json!(warnings);
        render::emit_json(&v);
    } else {
        render::emit_err(&render::diagnostics(diags));
    }
    ExitCode::from(exit::INVALID)
}

/// A command that changes AWS resources was run without `--yes`: a usage error (exit 2).
pub fn missing_yes(json_out: bool, what: &str, hint: &str) -> ExitCode {
    let message = format!("{what} changes AWS resources: pass --yes to confirm");
    if json_out {
        render::emit_json(&render::error_json(
            "usage",
            &message,
            Some(hint),
            None,
            json!({}),
        ));
    } else {
        errln!("error [usage]: {message}");
        errln!("  hint: {hint}");
    }
    ExitCode::from(exit::USAGE)
}

pub fn print_json<T: Serialize>(v: &T) {
    render::emit_json(v);
}
