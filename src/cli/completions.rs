//! `agentcore-tui completions SHELL`: a completion script generated from the clap definitions,
//! so it never falls behind the commands.

use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, exit};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for (e.g. `agentcore-tui completions bash > /etc/bash_completion.d/agentcore-tui`)
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs) -> ExitCode {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "agentcore-tui", &mut out);
    super::render::emit_generated(&out);
    ExitCode::from(exit::OK)
}
