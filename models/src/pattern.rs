//! Model patterns are Java regular expressions that AWS matches against the whole value.
//! Rust's engines differ in a few spellings; this translates them mechanically so the data
//! stays verbatim from botocore.

#[derive(Debug)]
pub(crate) enum Pattern {
    Plain(regex::Regex),
    // Only for the few patterns with look-around, which `regex` does not do.
    Fancy(Box<fancy_regex::Regex>),
}

impl Pattern {
    pub(crate) fn new(java: &str) -> Result<Pattern, String> {
        let rust = translate(java);
        let anchored = format!("^(?:{rust})$");
        if rust.contains("(?=") || rust.contains("(?!") || rust.contains("(?<") {
            fancy_regex::Regex::new(&anchored)
                .map(|r| Pattern::Fancy(Box::new(r)))
                .map_err(|e| format!("{java}: {e}"))
        } else {
            regex::Regex::new(&anchored)
                .map(Pattern::Plain)
                .map_err(|e| format!("{java}: {e}"))
        }
    }

    pub(crate) fn matches(&self, value: &str) -> bool {
        match self {
            Pattern::Plain(r) => r.is_match(value),
            // A pattern that runs out of backtracking budget is treated as a match: the
            // emulator must not invent a rejection AWS would not make.
            Pattern::Fancy(r) => r.is_match(value).unwrap_or(true),
        }
    }
}

/// Java's `\d \w \s` are ASCII, `\uXXXX` is a UTF-16 unit (so `\u10000` is meant as a code
/// point past the BMP), and surrogate halves have no meaning on Rust strings.
fn translate(java: &str) -> String {
    let chars: Vec<char> = java.chars().collect();
    let mut out = String::with_capacity(java.len() + 16);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            let n = chars[i + 1];
            match n {
                'd' | 'w' | 's' | 'D' | 'W' | 'S' => {
                    let body = match n.to_ascii_lowercase() {
                        'd' => "0-9",
                        'w' => "0-9A-Za-z_",
                        _ => "\\t\\n\\x0B\\x0C\\r ",
                    };
                    let negated = n.is_ascii_uppercase();
                    match (in_class, negated) {
                        (true, false) => out.push_str(body),
                        (true, true) => {
                            out.push_str("[^");
                            out.push_str(body);
                            out.push(']');
                        }
                        (false, false) => {
                            out.push('[');
                            out.push_str(body);
                            out.push(']');
                        }
                        (false, true) => {
                            out.push_str("[^");
                            out.push_str(body);
                            out.push(']');
                        }
                    }
                    i += 2;
                }
                'u' => {
                    let hex: String = chars[i + 2..]
                        .iter()
                        .take(6)
                        .take_while(|c| c.is_ascii_hexdigit())
                        .collect();
                    let (digits, code) = if hex.len() >= 5
                        && u32::from_str_radix(&hex, 16)
                            .is_ok_and(|v| (0x10000..=0x10FFFF).contains(&v))
                    {
                        (hex.len(), u32::from_str_radix(&hex, 16).unwrap_or_default())
                    } else {
                        let four: String = hex.chars().take(4).collect();
                        (
                            four.len(),
                            u32::from_str_radix(&four, 16).unwrap_or_default(),
                        )
                    };
                    // Surrogate halves: the nearest scalar value keeps a range's meaning.
                    let code = match code {
                        0xD800..=0xDBFF => 0xD7FF,
                        0xDC00..=0xDFFF => 0xE000,
                        c => c,
                    };
                    out.push_str(&format!("\\x{{{code:X}}}"));
                    i += 2 + digits;
                }
                _ => {
                    out.push(c);
                    out.push(n);
                    i += 2;
                }
            }
            continue;
        }
        if c == '[' && !in_class {
            in_class = true;
            out.push(c);
        } else if c == ']' && in_class {
            in_class = false;
            out.push(c);
        } else if in_class
            && (c == '[' || ((c == '&' || c == '-' || c == '~') && chars.get(i + 1) == Some(&c)))
        {
            // Literal in Java, but a nested class or a set operator in Rust.
            out.push('\\');
            out.push(c);
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_classes_are_ascii() {
        let p = Pattern::new("[\\w]+").unwrap();
        assert!(p.matches("abc_1"));
        assert!(!p.matches("é"));
        assert!(!Pattern::new("\\d+").unwrap().matches("٣"));
    }

    #[test]
    fn whole_value_must_match() {
        let p = Pattern::new("[a-zA-Z][a-zA-Z0-9_]{0,47}").unwrap();
        assert!(p.matches("support_desk"));
        assert!(!p.matches("support-desk"));
        assert!(!p.matches("_x"));
    }

    #[test]
    fn supplementary_planes_and_surrogates() {
        let p = Pattern::new(
            "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+",
        )
        .unwrap();
        assert!(p.matches("arn:aws:iam::1:role/x😀"));
        assert!(!p.matches("a\u{1}b"));
    }

    #[test]
    fn lookahead_patterns() {
        let p = Pattern::new("(?!memoryStrategyId$|actorId$|sessionId$)[a-z][a-z0-9]*").unwrap();
        assert!(p.matches("customer"));
        assert!(!p.matches("actorId"));
    }
}
