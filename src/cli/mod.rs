//! Command line: clap definitions and the headless commands. Each subcommand lives in its own
//! file; add a variant to [`Command`] and an arm to [`run`].

pub mod aws_args;
pub mod completions;
pub mod deploy;
pub mod emulator;
pub mod invoke;
pub mod keys;
pub mod logs;
pub mod man;
pub mod monitor_target;
pub mod plan;
pub mod recs;
pub mod render;
pub mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes shared by every headless command.
pub mod exit {
    pub const OK: u8 = 0;
    /// Invalid input or a failed operation.
    pub const INVALID: u8 = 1;
    /// Usage error (clap exits with 2 on its own).
    pub const USAGE: u8 = 2;
}

#[derive(Debug, Parser)]
#[command(
    name = "agentcore-tui",
    version,
    about = "From a PromptPack to a secure AWS Bedrock AgentCore deployment",
    args_conflicts_with_subcommands = true,
    long_about = "From a PromptPack to a secure AWS Bedrock AgentCore deployment.\n\nWith no subcommand it opens the terminal UI. The subcommands are the same engine for scripts and CI: exit code 0 = ok, 1 = invalid input or failed operation, 2 = usage error."
)]
pub struct Cli {
    /// Open the wizard on the embedded emulator's demo world: the demo pack
    /// (assets/demo/support-desk.pack.json) and the answers of support-desk.deploy.json preselected
    #[arg(long)]
    pub local: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a deploy config (and optionally a pack): errors, then warnings with hints
    Validate(validate::ValidateArgs),
    /// Show, offline, the resources a pack would create: steps, names, Cedar policies
    Plan(plan::PlanArgs),
    /// Deploy the pack: the pipeline's steps in order, one line per event (needs --yes)
    Apply(deploy::ApplyArgs),
    /// Delete everything the deployment recorded, in reverse order (needs --yes)
    Destroy(deploy::DestroyArgs),
    /// Health of every deployed resource: deployed / degraded / not deployed (exit 1 unless deployed)
    Status(deploy::StatusArgs),
    /// A deployed runtime's CloudWatch log lines, once or followed (--follow) until Ctrl-C
    Logs(logs::LogsArgs),
    /// Send one prompt to a deployed runtime and print its answer as it streams
    Invoke(invoke::InvokeArgs),
    /// KMS keys for recommendation encryption: list, check one (eligibility + key policy), recommended policy
    Keys(keys::KeysArgs),
    /// AgentCore recommendations: list, get, start (optionally with a customer managed key), delete
    Recs(recs::RecsArgs),
    /// KMS activity of recommendations from CloudTrail
    Kms(keys::KmsArgs),
    /// Run the local AWS emulator (AgentCore, KMS, STS, S3, CloudTrail, CloudWatch Logs) for any AWS client
    Emulator(emulator::EmulatorArgs),
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff): `agentcore-tui man | man -l -`
    Man(man::ManArgs),
}

/// The async runtime every headless command runs on. Building it fails only when the OS refuses
/// threads or an event fd, which leaves nothing sensible to do but stop.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime can be built")
}

pub fn run(command: Command) -> ExitCode {
    crate::services::logging::init_cli();
    match command {
        Command::Validate(args) => validate::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Apply(args) => deploy::run_apply(&args),
        Command::Destroy(args) => deploy::run_destroy(&args),
        Command::Status(args) => deploy::run_status(&args),
        Command::Logs(args) => logs::run(&args),
        Command::Invoke(args) => invoke::run(&args),
        Command::Keys(args) => keys::run(args),
        Command::Recs(args) => recs::run(args),
        Command::Kms(args) => keys::run_kms(args),
        Command::Emulator(args) => emulator::run(args),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => man::run(&args),
    }
}
