//! The emulator: a local stand-in for the AWS APIs agentcore-tui uses, one module per service.
//!
//! It speaks their real wire protocols on 127.0.0.1: AgentCore control plane and recommendations
//! (restJson1, InvokeAgentRuntime's stand-in agent included), KMS, CloudTrail and CloudWatch Logs
//! (awsJson1.1), STS and IAM (awsQuery) and S3 (restXml, path style).
//! Requests arrive in `server`, are held against AWS's models in `conformance`, then reach one
//! function per operation; `world` is the state they share and `clock` moves it on. It shares no
//! code with the app.

mod advisor;
mod clock;
mod cloudtrail;
mod conformance;
mod control;
mod crypto;
pub mod demo;
mod evaluations;
mod faults;
mod iam;
mod invoke;
mod keypolicy;
mod kms;
mod logs;
mod recommendations;
mod s3;
mod server;
mod store;
mod sts;
mod timing;
mod validate;
mod wire;
mod world;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

pub use conformance::{ModelCheck, Recorded};
pub use demo::{MAX_SEEDED, RECOMMENDATIONS_ENV, recommendations_from_env};
pub use faults::{FAULTS_ENV, FaultRule, FaultSpecError, Faults};
pub use server::Emulator;
pub use timing::Timing;
pub use world::{
    Caller, DEFAULT_ACCOUNT, DEPLOYER_ROLE, SERVICE_PRINCIPAL, SSO_ROLE, SSO_ROLE_PATH, SSO_SESSION,
};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum World {
    #[default]
    Demo,
    Empty,
}

impl FromStr for World {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "demo" => Ok(World::Demo),
            "empty" => Ok(World::Empty),
            other => Err(format!("unknown world `{other}`: use `demo` or `empty`")),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Config {
    pub world: World,
    /// 0 picks a free port; the emulator always binds 127.0.0.1.
    pub port: u16,
    pub state_file: Option<PathBuf>,
    pub timing: Timing,
    pub faults: Faults,
    pub models: ModelCheck,
    /// Whose session signs the requests (GetCallerIdentity, key-policy checks).
    pub caller: Caller,
    /// More recommendations seeded into a new world (not into one loaded from `state_file`),
    /// for scale runs: see `demo::seed_recommendations`.
    pub recommendations: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "cannot listen on 127.0.0.1:{port}: {source}; choose another --port, or 0 for any free port"
    )]
    Bind { port: u16, source: std::io::Error },
    #[error("state file {}: {message}", path.display())]
    StateFile { path: PathBuf, message: String },
}

/// Runs an emulator until Ctrl-C, printing where clients should point; for `agentcore-tui emulator`.
pub async fn serve(config: Config) -> Result<(), Error> {
    let world = config.world;
    let emulator = Emulator::start(config).await?;
    if let Some(kept) = emulator.migrated_state_file() {
        println!(
            "  state: moved the JSON state file (format 1) into a database at the same path; the old file is kept as {}",
            kept.display()
        );
    }
    println!(
        "agentcore emulator listening on {}",
        emulator.endpoint_url()
    );
    println!(
        "  world: {}, account {}, caller {}",
        if world == World::Demo {
            "demo"
        } else {
            "empty"
        },
        emulator.account_id(),
        emulator.caller_role_arn()
    );
    println!(
        "  use it with: AWS_ENDPOINT_URL={} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1",
        emulator.endpoint_url()
    );
    println!("  S3 clients need path-style addressing. Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    Ok(())
}

/// A state database (`Config::state_file`) as one JSON document shaped like the world, for tests
/// and for looking at a saved world; it must not be open in a running emulator.
pub fn dump_state(path: &std::path::Path) -> Result<serde_json::Value, Error> {
    store::dump(path).map_err(|message| Error::StateFile {
        path: path.to_path_buf(),
        message,
    })
}

/// Resource counts by kind (resources not yet deleted), as `Emulator::resource_counts` reports them.
pub type ResourceCounts = BTreeMap<String, usize>;
