//! `agentcore-tui man`: the man page (roff), generated from the clap definitions.

use std::process::ExitCode;

use clap::{Args, CommandFactory};

use super::{Cli, exit};

#[derive(Debug, Args)]
pub struct ManArgs {}

pub fn run(_: &ManArgs) -> ExitCode {
    let mut out = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut out) {
        Ok(()) => {
            super::render::emit_generated(&out);
            ExitCode::from(exit::OK)
        }
        Err(e) => {
            super::render::errln!("error: cannot render the man page: {e}");
            ExitCode::from(exit::INVALID)
        }
    }
}
