//! `agentcore-tui emulator`: the embedded AWS stand-in as a standalone server, for any AWS client
//! (`AWS_ENDPOINT_URL=http://127.0.0.1:N`), other tools, or a second terminal.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use agentcore_emulator::{
    Caller, Config, FAULTS_ENV, Faults, MAX_SEEDED, ModelCheck, Timing, World,
    recommendations_from_env,
};
use clap::Args;

use super::exit;

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 to listen on; 0 picks a free one (the endpoint is printed)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// `demo`: account 111122223333 with keys and recommendations in every state; `empty`: nothing
    #[arg(long, default_value = "demo", value_parser = parse_world)]
    pub world: World,
    /// Keep the world in this file between runs (written atomically, mode 0600)
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Injected faults, e.g. "latency=300ms,throttle=0.2,5xx=0.1,drop=0.05,op=CreateGateway:throttle=1.0";
    /// defaults to the AGENTCORE_EMULATOR_FAULTS environment variable
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<String>,
    /// How long resources stay CREATING / UPDATING / DELETING, in milliseconds
    #[arg(long, value_name = "MS")]
    pub provisioning_ms: Option<u64>,
    /// Serve requests that break their AWS service model instead of answering 400 as AWS does,
    /// and keep every violation (request or answer): GET /_emulator/violations lists them
    #[arg(long)]
    pub record_violations: bool,
    /// Seed this many more recommendations (teams, types, statuses and dates spread, the same
    /// every time) into a new world; defaults to AGENTCORE_EMULATOR_RECOMMENDATIONS
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=MAX_SEEDED as i64))]
    pub recommendations: Option<u32>,
    /// Whose session signs the calls: `deployer` (role AgentCoreDeployer) or `sso` (an IAM
    /// Identity Center role with a path, session alice@example.com)
    #[arg(long, default_value = "deployer", value_parser = parse_caller)]
    pub caller: Caller,
}

fn parse_caller(s: &str) -> Result<Caller, String> {
    s.parse()
}

fn parse_world(s: &str) -> Result<World, String> {
    s.parse()
}

pub fn run(args: EmulatorArgs) -> ExitCode {
    let faults = match &args.faults {
        Some(spec) => Faults::parse(spec).map_err(|e| format!("--faults {spec:?}: {e}")),
        None => Faults::from_env().map_err(|e| format!("{FAULTS_ENV}: {e}")),
    };
    let faults = match faults {
        Ok(f) => f,
        Err(message) => {
            super::render::errln!("error: {message}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let recommendations = match args.recommendations {
        Some(n) => n as usize,
        None => match recommendations_from_env() {
            Ok(n) => n,
            Err(message) => {
                super::render::errln!("error: {message}");
                return ExitCode::from(exit::USAGE);
            }
        },
    };
    let timing = args
        .provisioning_ms
        .map(|ms| Timing::with_provisioning(Duration::from_millis(ms)))
        .unwrap_or_default();
    let config = Config {
        world: args.world,
        port: args.port,
        state_file: args.state,
        timing,
        faults,
        models: if args.record_violations {
            ModelCheck::Record
        } else {
            ModelCheck::Enforce
        },
        caller: args.caller,
        recommendations,
    };
    match super::runtime().block_on(agentcore_emulator::serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            super::render::errln!("error: {e}");
            ExitCode::from(exit::INVALID)
        }
    }
}
