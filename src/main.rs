use std::process::ExitCode;

use clap::Parser;

use agentcore_tui::cli::{self, Cli};

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = Cli::parse();
    match cli.command {
        Some(command) => cli::run(command),
        None => agentcore_tui::tui::main_entry(cli.local),
    }
}

/// Rust ignores SIGPIPE, so `agentcore-tui recs list --json | head` would panic in `println!` once
/// `head` exits. Like every other Unix filter, we want to stop quietly instead.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
