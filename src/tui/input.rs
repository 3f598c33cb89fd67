//! An input already resolved against the keymap, as screens and widgets receive it.

use ratatui::crossterm::event::KeyEvent;

use super::keymap::Command;

/// A command, or a raw key/paste for the focused text field, or a pointer event in coordinates
/// relative to the screen's body.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    Command(Command),
    Key(&'a KeyEvent),
    Paste(&'a str),
    /// `height` is the body's height, so lists can map a row to an entry.
    Click {
        column: u16,
        row: u16,
        height: u16,
    },
    Scroll(i8),
}
