//! Plain-text output for narrow terminals, wrapped at 80 columns with hanging indents, and
//! the writers every line of output goes through. The human writers escape every control
//! character but the line breaks they were given (`sanitize::escape_lines`), so nothing from
//! outside can drive the terminal whatever a caller forgot; values that may hold a newline of
//! their own are escaped where they are formatted ([`shown`]) so they stay on their line.

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

/// An outside value (AWS message, id, pack or config text) for a human line: every control
/// character visible, its newlines included.
pub fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    crate::sanitize::escape(s)
}

pub fn diagnostic(d: &Diagnostic) -> String {
    let d = &Diagnostic {
        field: shown(&d.field).into_owned(),
        message: shown(&d.message).into_owned(),
        hint: d.hint.as_deref().map(|h| shown(h).into_owned()),
        ..d.clone()
    };
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

/// `eprintln!` through [`emit_err`]: errors and notes for a person, on stderr.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::cli::render::emit_err(&format!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {errln, out, outln};

fn write_to(mut w: impl std::io::Write, text: &str) {
    let _ = w.write_all(text.as_bytes()).and_then(|()| w.flush());
}

/// Human text to stdout, control characters escaped, ignoring a closed pipe (`… | head` must
/// not panic).
pub fn emit(text: &str) {
    write_to(
        std::io::stdout().lock(),
        &crate::sanitize::escape_lines(text),
    );
}

/// Text generated wholly by us from the clap definitions (completion scripts, the man page),
/// written as it is: it holds no outside value, and a script's tabs must stay tabs.
pub fn emit_generated(bytes: &[u8]) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes).and_then(|()| out.flush());
}

/// Human text to stderr, escaped as [`emit`] does.
pub fn emit_err(text: &str) {
    write_to(
        std::io::stderr().lock(),
        &crate::sanitize::escape_lines(text),
    );
}

/// One JSON document to stdout. serde_json escapes C0 but writes DEL and C1 (a CSI among them)
/// raw; they can only stand inside strings, so their `\u00XX` escape keeps the JSON valid.
pub fn emit_json<T: serde::Serialize + ?Sized>(v: &T) {
    write_json(serde_json::to_string_pretty(v).expect("plain data"));
}

/// One JSON document on one line (JSON Lines), escaped as [`emit_json`] does.
pub fn emit_json_line<T: serde::Serialize + ?Sized>(v: &T) {
    write_json(serde_json::to_string(v).expect("plain data"));
}

fn write_json(text: String) {
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    write_to(std::io::stdout().lock(), &out);
}

/// The one error shape of every command's `--json` output:
/// `{"ok": false, "error": {"category", "message", "hint", "operation", …}}`, with `extra`'s
/// fields (e.g. the AWS error `code`, `errors`/`warnings`) beside.
pub fn error_json(
    category: &str,
    message: &str,
    hint: Option<&str>,
    operation: Option<&str>,
    extra: serde_json::Value,
) -> serde_json::Value {
    let mut error = serde_json::json!({
        "category": category,
        "message": message,
        "hint": hint,
        "operation": operation,
    });
    if let serde_json::Value::Object(m) = extra {
        error.as_object_mut().expect("object").extend(m);
    }
    serde_json::json!({ "ok": false, "error": error })
}
