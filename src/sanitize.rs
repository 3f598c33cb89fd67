//! Ground floor: how text from outside (AWS answers, pack and config files, ids typed by the
//! user) is shown. A terminal obeys control characters, so an AWS error message holding
//! `\e]0;…\a\e[2J` would retitle and clear it; every control character (C0, DEL, C1) is
//! written out visibly instead (`\e`, `\n`, `\u{7}`), and a value's own newline never splits
//! the line it is shown on. Echoed values are also cut, so a 1 MB id is not printed whole.

use std::borrow::Cow;
use std::fmt::Write as _;

/// How many characters of a value are echoed back in a message.
pub const ECHO_MAX: usize = 80;

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\u{1b}' => out.push_str("\\e"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

fn escape_where(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && !keep(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One value on one line: every control character, newlines included, made visible.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_where(s, |_| false)
}

/// Text laid out in lines by us: its newlines are kept, every other control character is made
/// visible. The last line of defence of the CLI's writer; values inside should already have
/// gone through [`escape`].
pub fn escape_lines(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| c == '\n')
}

/// `'value'` for a message, cut to [`ECHO_MAX`] characters plus its length: `'aaaa…' (1048576 chars)`.
pub fn quote(s: &str) -> String {
    let n = s.chars().count();
    if n <= ECHO_MAX {
        return format!("'{s}'");
    }
    let head: String = s.chars().take(ECHO_MAX).collect();
    format!("'{head}…' ({n} chars)")
}

/// Cuts every double-quoted value (Rust's `{:?}` form, which messages use to quote values)
/// longer than [`ECHO_MAX`] characters, so no message built anywhere echoes a value whole.
pub fn cut_quoted(message: &str) -> Cow<'_, str> {
    if message.len() <= ECHO_MAX + 2 {
        return Cow::Borrowed(message);
    }
    let mut out = String::new();
    let mut rest = message;
    let mut changed = false;
    while let Some(open) = rest.find('"') {
        let after = &rest[open + 1..];
        let mut close = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    close = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(close) = close else { break };
        let inner = &after[..close];
        let n = inner.chars().count();
        out.push_str(&rest[..=open]);
        if n > ECHO_MAX {
            changed = true;
            out.extend(inner.chars().take(ECHO_MAX));
            let _ = write!(out, "…\" ({n} chars)");
        } else {
            out.push_str(inner);
            out.push('"');
        }
        rest = &after[close + 1..];
    }
    if !changed {
        return Cow::Borrowed(message);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Text for the log file: credentials masked (header values and fields that name a secret, and
/// anything shaped like a secret access key: 40 characters of base64), control characters
/// escaped. For raw SDK errors, which carry responses and connector errors.
pub fn for_log(s: &str) -> String {
    use std::sync::LazyLock;
    static NAMED: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r#"(?i)(authorization|x-amz-security-token|secret_?access_?key|session_?token|signature|credential)(\\?"?\s*[:=]\s*\\?"?)[^\s",}\]]+"#,
        )
        .expect("a valid pattern")
    });
    static KEY_SHAPED: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(^|[^A-Za-z0-9/+])[A-Za-z0-9/+]{40}([^A-Za-z0-9/+=]|$)")
            .expect("a valid pattern")
    });
    let named = NAMED.replace_all(s, "$1$2[redacted]");
    let shaped = KEY_SHAPED.replace_all(&named, "$1[redacted]$2");
    escape(&shaped).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_escape_sequence_is_shown_not_obeyed() {
        assert_eq!(
            escape("evil\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nFAKE OK"),
            "evil\\e]0;pwned\\u{7}\\e[2J\\r\\nFAKE OK"
        );
        assert_eq!(escape("csi\u{9b}2J del\u{7f}"), "csi\\u{9b}2J del\\u{7f}");
        assert_eq!(escape_lines("a\u{1b}[31m\nb\r"), "a\\e[31m\nb\\r");
        assert!(matches!(escape("plain ünïcode ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        let id = "a".repeat(1_048_576);
        assert_eq!(quote(&id), format!("'{}…' (1048576 chars)", "a".repeat(80)));
        assert_eq!(quote("short"), "'short'");
        let msg = format!("pack field id = {id:?} is not a valid name");
        assert_eq!(
            cut_quoted(&msg),
            format!(
                "pack field id = \"{}…\" (1048576 chars) is not a valid name",
                "a".repeat(80)
            )
        );
        let fine = format!("name {:?} and {:?}", "x".repeat(80), "y\\\"z");
        assert_eq!(cut_quoted(&fine), fine);
    }

    proptest! {
        #[test]
        fn nothing_escaped_holds_a_control_character(s in any::<String>()) {
            prop_assert!(!escape(&s).chars().any(char::is_control));
            prop_assert!(!escape_lines(&s).chars().any(|c| c.is_control() && c != '\n'));
            prop_assert_eq!(escape_lines(&s).lines().count(), s.lines().count());
        }

        #[test]
        fn c0_c1_and_del_are_always_made_visible(
            codes in proptest::collection::vec(
                prop_oneof![0u32..0x20, Just(0x7fu32), 0x80u32..0xa0, 0x20u32..0x7f],
                0..64,
            )
        ) {
            let s: String = codes.into_iter().filter_map(char::from_u32).collect();
            let shown = escape(&s);
            prop_assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
            let controls = s.chars().filter(|c| c.is_control()).count();
            prop_assert_eq!(shown.matches('\\').count(), controls + s.matches('\\').count());
        }

        #[test]
        fn cutting_keeps_a_message_short(s in any::<String>(), pad in 81usize..400) {
            let long = format!("{s}{}", "x".repeat(pad));
            let msg = format!("value {long:?} rejected");
            prop_assert!(cut_quoted(&msg).chars().count() <= ECHO_MAX + 40);
            prop_assert!(quote(&long).chars().count() <= ECHO_MAX + 20);
        }
    }

    #[test]
    fn the_log_text_masks_credentials_and_escapes_control_characters() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let raw = format!(
            "Request {{ headers: {{\"authorization\": \"AWS4-HMAC-SHA256 Credential=AKID/x, Signature=abc\", \"x-amz-security-token\": \"tok\"}} }} secret_access_key={secret} body: \"{}\"",
            "\u{1b}]0;pwn\u{7}\u{1b}[2J"
        );
        let shown = for_log(&raw);
        for leaked in [secret, "tok\"", "Signature=abc", "\u{1b}", "\u{7}"] {
            assert!(!shown.contains(leaked), "{leaked} in {shown}");
        }
        assert!(shown.contains("[redacted]"), "{shown}");
        // A request id is not key-shaped and stays.
        let id = "Request id 3f1c2a9e-5b7d-4c1e-9a0f-2d6b8e4c7a11";
        assert_eq!(for_log(id), id);
    }
}
