use std::path::PathBuf;
use std::sync::Arc;

use agentcore_emulator::{Config, Emulator, FAULTS_ENV, Faults, World};

use super::clients::Clients;
use super::error::{Category, Error};
use crate::deploy::state;

/// Starts the embedded emulator on a free 127.0.0.1 port and points every
/// client at it with static local credentials. `state_file` keeps its world
/// between runs so `apply --local` then `status --local` see the same resources.
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
    let emulator = Emulator::start(Config {
        world: World::Demo,
        state_file,
        faults,
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

/// Where `--local` keeps the emulator's world, so every command and the TUI (apply, status,
/// recs start, recs get, …) see the same resources: `<data dir>/emulator/world.json`, in a
/// directory only the user can read. `None` when there is no data dir to keep it in.
pub fn world_file() -> Option<PathBuf> {
    let dir = state::data_dir().ok()?.join("emulator");
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir).ok()?;
    Some(dir.join("world.json"))
}
