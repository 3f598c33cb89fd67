//! Every style the TUI uses, in one place. With `NO_COLOR` set (https://no-color.org) the theme
//! keeps only modifiers (bold, reverse, dim, underline) so states stay distinguishable.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub colored: bool,
    pub text: Style,
    pub dim: Style,
    pub title: Style,
    pub accent: Style,
    pub ok: Style,
    pub warning: Style,
    pub error: Style,
    pub selected: Style,
    pub focused_border: Style,
    pub border: Style,
    pub key: Style,
    pub cursor: Style,
}

impl Theme {
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color {
            Self::monochrome()
        } else {
            Self::color()
        }
    }

    pub fn color() -> Self {
        Self {
            colored: true,
            text: Style::new(),
            dim: Style::new().fg(Color::DarkGray),
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            accent: Style::new().fg(Color::Cyan),
            ok: Style::new().fg(Color::Green),
            warning: Style::new().fg(Color::Yellow),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            selected: Style::new().fg(Color::Black).bg(Color::Cyan),
            focused_border: Style::new().fg(Color::Cyan),
            border: Style::new().fg(Color::DarkGray),
            key: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            cursor: Style::new().add_modifier(Modifier::REVERSED),
        }
    }

    pub fn monochrome() -> Self {
        Self {
            colored: false,
            text: Style::new(),
            dim: Style::new().add_modifier(Modifier::DIM),
            title: Style::new().add_modifier(Modifier::BOLD),
            accent: Style::new().add_modifier(Modifier::BOLD),
            ok: Style::new(),
            warning: Style::new().add_modifier(Modifier::BOLD),
            error: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            focused_border: Style::new().add_modifier(Modifier::BOLD),
            border: Style::new(),
            key: Style::new().add_modifier(Modifier::BOLD),
            cursor: Style::new().add_modifier(Modifier::REVERSED),
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::color()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monochrome_sets_no_colour_anywhere() {
        let t = Theme::monochrome();
        for s in [
            t.text,
            t.dim,
            t.title,
            t.accent,
            t.ok,
            t.warning,
            t.error,
            t.selected,
            t.focused_border,
            t.border,
            t.key,
            t.cursor,
        ] {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
        assert_ne!(
            t.error, t.warning,
            "errors and warnings must stay distinguishable without colour"
        );
    }
}
