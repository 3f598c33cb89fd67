//! What the commands that talk to AWS directly (`keys`, `recs`, `kms`) share: the target flags,
//! connecting, and printing a failure the same way in text and `--json`.

use super::render::outln;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use serde_json::json;

use super::exit;
use crate::aws::{self, Clients, ConnectOptions};

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
        ..Default::default()
    })
    .await
}

/// Prints an error (JSON on stdout with `--json`, else text on stderr) and returns exit 1.
pub fn fail(
    json_out: bool,
    category: &str,
    message: &str,
    hint: Option<&str>,
    extra: serde_json::Value,
) -> ExitCode {
    if json_out {
        let mut v = json!({ "ok": false, "error": { "category": category, "message": message, "hint": hint } });
        if let serde_json::Value::Object(m) = extra {
            v["error"].as_object_mut().expect("object").extend(m);
        }
        outln!("{}", serde_json::to_string_pretty(&v).expect("JSON"));
    } else {
        eprintln!("error: {message}");
        if let Some(h) = hint {
            eprintln!("  hint: {h}");
        }
    }
    ExitCode::from(exit::INVALID)
}

pub fn fail_aws(json_out: bool, e: &aws::Error) -> ExitCode {
    fail(
        json_out,
        &e.category.to_string(),
        &e.message,
        e.hint.as_deref(),
        json!({ "operation": e.operation, "code": e.code }),
    )
}

pub fn print_json<T: Serialize>(v: &T) {
    outln!("{}", serde_json::to_string_pretty(v).expect("serialisable"));
}
