use std::process::ExitCode;

use clap::Parser;

use agentcore_tui::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(command) => cli::run(command),
        None => agentcore_tui::tui::main_entry(cli.local),
    }
}
