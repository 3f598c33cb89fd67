//! Terminal setup and restore. Order matters: color-eyre's hooks are installed first (by
//! `run`), then ratatui's init adds a panic hook that restores the terminal before chaining to
//! them, then ours turns mouse capture and bracketed paste off before that. Normal exits and
//! errors restore through the guard's `Drop`.

use std::io::stdout;

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;

pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

fn restore() {
    // Best effort: on the way out there is nobody left to report a failure to.
    let _ = execute!(stdout(), DisableMouseCapture, DisableBracketedPaste);
    ratatui::restore();
}

pub fn init() -> std::io::Result<(DefaultTerminal, TerminalGuard)> {
    let terminal = ratatui::try_init()?;
    let guard = TerminalGuard;
    execute!(stdout(), EnableMouseCapture, EnableBracketedPaste)?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableMouseCapture, DisableBracketedPaste);
        previous(info);
    }));
    Ok((terminal, guard))
}
