use std::path::PathBuf;
use std::sync::Arc;

use agentcore_emulator::{
    Config, Emulator, FAULTS_ENV, Faults, RECOMMENDATIONS_ENV, World, recommendations_from_env,
};

use super::clients::Clients;
use super::error::{Category, Error};

/// Starts the embedded emulator on a free 127.0.0.1 port and points every
/// client at it with static local credentials. `state_file` keeps its world
/// between runs so `apply --local` then `status --local` see the same resources;
/// the caller names it because the data dir is known only above this layer.
pub async fn start(region: &str, state_file: Option<PathBuf>) -> Result<(Clients, String), Error> {
    // Faults come from the environment so a demo or a test can make `--local` misbehave on purpose.
    let faults = Faults::from_env().map_err(|e| {
        Error::new(
            Category::Configuration,
            "StartEmulator",
            format!("{FAULTS_ENV}: {e}"),
        )
        .with_hint("fix or unset AGENTCORE_EMULATOR_FAULTS, e.g. \"latency=300ms,throttle=0.2\"")
    })?;
    let recommendations = recommendations_from_env().map_err(|e| {
        Error::new(Category::Configuration, "StartEmulator", e).with_hint(format!(
            "set {RECOMMENDATIONS_ENV} to a count, e.g. 10000, or unset it"
        ))
    })?;
    let emulator = Emulator::start(Config {
        world: World::Demo,
        state_file,
        faults,
        recommendations,
        ..Config::default()
    })
    .await
    .map_err(|e| {
        Error::new(Category::Configuration, "StartEmulator", e.to_string())
            .with_hint("delete the emulator state file to start from a fresh demo world")
    })?;
    let url = emulator.endpoint_url();
    let account = emulator.account_id().to_owned();
    let clients = Clients::for_endpoint(&url, region)
        .await?
        .keep_alive(Arc::new(emulator));
    Ok((clients, account))
}
