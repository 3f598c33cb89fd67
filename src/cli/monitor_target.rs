//! What `logs` and `invoke` share: their input flags, and the deployed runtime they name,
//! found through the pack's plan and the deploy state of the target account and region.

use clap::Args;

use super::deploy::{InputArgs, TargetArgs, connect};
use crate::aws::{self, Category, Clients};
use crate::config::{self, Diagnostic};
use crate::monitor::target::{self, Runtime};
use crate::services;

#[derive(Debug, Clone, Args)]
pub struct MonitorArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub target: TargetArgs,
}

pub enum Failure {
    Input(Vec<Diagnostic>),
    Aws(aws::Error),
}

/// Reads the two files, connects, and finds `runtime` (an agent of the pack or a runtime name;
/// the entry runtime when `None`) among what the deploy state records.
pub async fn find(
    args: &MonitorArgs,
    runtime: Option<&str>,
) -> Result<(Clients, Runtime), Failure> {
    let loaded = config::load_path(&args.input.config, args.input.env.as_deref())
        .map_err(|e| Failure::Input(vec![e.to_diagnostic()]))?;
    if loaded.config.region.is_empty() {
        return Err(Failure::Input(vec![
            Diagnostic::error(
                "region",
                "configuration",
                "region is required to find the deployment",
            )
            .with_hint("set \"region\" in the deploy config, e.g. \"us-west-2\""),
        ]));
    }
    let region = loaded.config.region.clone();
    let prepared = services::deploy::prepare(&args.input.pack, loaded.config, None)
        .map_err(|e| Failure::Input(e.into_diagnostics()))?;
    let (clients, account) = connect(&args.target, &region).await.map_err(Failure::Aws)?;
    if args.target.local {
        // So a permission error can name the principal, as it does against AWS.
        clients.caller_identity().await.map_err(Failure::Aws)?;
    }
    let store =
        services::deploy::open_store(&clients, &account, &prepared.pack.id).map_err(|e| {
            Failure::Aws(aws::Error::new(
                Category::Configuration,
                "OpenState",
                e.to_string(),
            ))
        })?;
    let rt = target::find(&prepared.plan, &store.snapshot(), runtime).map_err(Failure::Aws)?;
    Ok((clients, rt))
}
