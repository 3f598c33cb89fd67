//! Plain-text output for narrow terminals: wrapped at 80 columns with hanging indents.

use std::fmt::Write;

use crate::config::Diagnostic;

pub const WIDTH: usize = 80;

/// Greedy word wrap; words longer than the line are split rather than overflowing.
pub fn wrap(text: &str, first_indent: &str, rest_indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::from(first_indent);
    let mut line_has_word = false;
    let push_line = |line: &mut String, out: &mut String| {
        out.push_str(line.trim_end());
        out.push('\n');
        line.clear();
        line.push_str(rest_indent);
    };
    for word in text.split_whitespace() {
        let mut word = word;
        loop {
            let room = width.saturating_sub(line.chars().count() + usize::from(line_has_word));
            let wlen = word.chars().count();
            if wlen <= room {
                if line_has_word {
                    line.push(' ');
                }
                line.push_str(word);
                line_has_word = true;
                break;
            }
            if line_has_word {
                push_line(&mut line, &mut out);
                line_has_word = false;
                continue;
            }
            let full = width.saturating_sub(line.chars().count()).max(1);
            let split = word.char_indices().nth(full).map_or(word.len(), |(i, _)| i);
            line.push_str(&word[..split]);
            push_line(&mut line, &mut out);
            word = &word[split..];
            if word.is_empty() {
                break;
            }
        }
    }
    if line_has_word {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn diagnostic(d: &Diagnostic) -> String {
    let label = if d.is_error() { "error" } else { "warning" };
    // The adapter's messages usually name the field already; don't say it twice.
    let head = if d.field.is_empty() || d.message.contains(&d.field) {
        format!("{label} [{}] {}", d.category, d.message)
    } else {
        format!("{label} [{}] {}: {}", d.category, d.field, d.message)
    };
    let mut out = wrap(&head, "", "    ", WIDTH);
    if let Some(h) = &d.hint {
        out.push_str(&wrap(&format!("hint: {h}"), "  ", "        ", WIDTH));
    }
    out
}

pub fn diagnostics(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags.iter().filter(|d| d.is_error()) {
        out.push_str(&diagnostic(d));
    }
    for d in diags.iter().filter(|d| !d.is_error()) {
        out.push_str(&diagnostic(d));
    }
    let e = diags.iter().filter(|d| d.is_error()).count();
    let w = diags.len() - e;
    let _ = writeln!(out, "{e} error(s), {w} warning(s)");
    out
}

/// `print!` for headless output. Rust ignores SIGPIPE, so `print!` panics once `… | head` has
/// exited; these write through [`emit`] instead, and the command carries on quietly (an apply
/// must not be abandoned half-way because its reader went away).
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::render::emit(&format!($($arg)*)) };
}

/// `println!` through [`emit`]; see [`out!`].
macro_rules! outln {
    () => { $crate::cli::render::emit("\n") };
    ($($arg:tt)*) => { $crate::cli::render::emit(&format!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {out, outln};

/// Writes to stdout, ignoring a closed pipe (`… | head` must not panic).
pub fn emit(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
