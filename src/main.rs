use std::process::ExitCode;

use clap::Parser;

use agentcore_tui::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(command) => cli::run(command),
        None => {
            println!(
                "agentcore-tui: the interactive TUI is not built yet. For now use `agentcore-tui validate --config FILE [--pack FILE]` or `agentcore-tui plan --config FILE --pack FILE` (see --help)."
            );
            ExitCode::SUCCESS
        }
    }
}
