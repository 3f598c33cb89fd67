//! Request checks that collect every problem into one ValidationException with `fieldList`.

use serde_json::{Map, Value};

use crate::wire::ApiError;

pub struct Check<'a> {
    body: &'a Map<String, Value>,
    problems: Vec<(String, String)>,
}

impl<'a> Check<'a> {
    pub fn new(body: &'a Map<String, Value>) -> Self {
        Check {
            body,
            problems: Vec::new(),
        }
    }

    pub fn fail(&mut self, field: &str, message: String) {
        self.problems.push((field.to_string(), message));
    }

    fn get(&self, path: &str) -> Option<&'a Value> {
        let mut cur: Option<&'a Value> = None;
        for (i, part) in path.split('.').enumerate() {
            cur = if i == 0 {
                self.body.get(part)
            } else {
                cur?.get(part)
            };
        }
        cur.filter(|v| !v.is_null())
    }

    pub fn has(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    pub fn required(&mut self, path: &str) -> &mut Self {
        if self.get(path).is_none() {
            self.fail(
                path,
                format!(
                    "Value null at '{path}' failed to satisfy constraint: Member must not be null"
                ),
            );
        }
        self
    }

    /// `inner` is required only when `outer` was given.
    pub fn required_if_present(&mut self, outer: &str, inner: &str) -> &mut Self {
        if self.has(outer) {
            self.required(inner);
        }
        self
    }

    /// Checks a string member's length and characters; `allowed` describes the pattern in the message.
    pub fn name(
        &mut self,
        path: &str,
        max: usize,
        pattern: &str,
        ok: impl Fn(&str) -> bool,
    ) -> &mut Self {
        if let Some(v) = self.get(path) {
            match v.as_str() {
                Some(s) if s.is_empty() || s.chars().count() > max => self.fail(
                    path,
                    format!("Value '{s}' at '{path}' failed to satisfy constraint: Member must have length between 1 and {max}"),
                ),
                Some(s) if !ok(s) => self.fail(
                    path,
                    format!("Value '{s}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"),
                ),
                Some(_) => {}
                None => self.fail(path, format!("Value at '{path}' must be a string")),
            }
        }
        self
    }

    pub fn one_of(&mut self, path: &str, values: &[&str]) -> &mut Self {
        if let Some(v) = self.get(path) {
            match v.as_str() {
                Some(s) if values.contains(&s) => {}
                _ => self.fail(
                    path,
                    format!(
                        "Value '{}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                        v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()),
                        values.join(", ")
                    ),
                ),
            }
        }
        self
    }

    /// A union member must be an object with exactly one of the known variants.
    pub fn union(&mut self, path: &str, variants: &[&str]) -> &mut Self {
        if let Some(v) = self.get(path) {
            let keys: Vec<&String> = v
                .as_object()
                .map(|m| m.keys().collect())
                .unwrap_or_default();
            if keys.len() != 1 || !variants.contains(&keys[0].as_str()) {
                self.fail(
                    path,
                    format!("Value at '{path}' failed to satisfy constraint: Member must have exactly one of [{}]", variants.join(", ")),
                );
            }
        }
        self
    }

    pub fn int_range(&mut self, path: &str, min: i64, max: i64) -> &mut Self {
        if let Some(v) = self.get(path) {
            match v.as_f64() {
                Some(n) if n.fract() == 0.0 && (min as f64..=max as f64).contains(&n) => {}
                _ => self.fail(
                    path,
                    format!("Value '{v}' at '{path}' failed to satisfy constraint: Member must have value between {min} and {max}"),
                ),
            }
        }
        self
    }

    /// A list member's length, as AWS words it for a `min`/`max` on a list shape.
    pub fn list_len(&mut self, path: &str, min: usize, max: usize) -> &mut Self {
        if let Some(v) = self.get(path) {
            match v.as_array() {
                Some(items) if (min..=max).contains(&items.len()) => {}
                Some(_) => self.fail(
                    path,
                    format!("Value '{v}' at '{path}' failed to satisfy constraint: Member must have length between {min} and {max}"),
                ),
                None => self.fail(path, format!("Value at '{path}' must be a list")),
            }
        }
        self
    }

    pub fn arn(&mut self, path: &str, service: &str) -> &mut Self {
        if let Some(v) = self.get(path) {
            let s = v.as_str().unwrap_or_default();
            let parts: Vec<&str> = s.splitn(6, ':').collect();
            let ok = parts.len() == 6
                && parts[0] == "arn"
                && parts[1].starts_with("aws")
                && parts[2] == service;
            if !ok {
                self.fail(
                    path,
                    format!("Value '{s}' at '{path}' failed to satisfy constraint: Member must be an ARN of service {service} (arn:aws:{service}:…)"),
                );
            }
        }
        self
    }

    /// AWS tag rules: at most 50, keys 1–128 and values up to 256 characters from the tag
    /// character set, no key starting with the reserved `aws:`.
    pub fn tags(&mut self, path: &str) -> &mut Self {
        let Some(v) = self.get(path) else { return self };
        let Some(map) = v.as_object() else {
            self.fail(path, format!("Value at '{path}' must be a map of strings"));
            return self;
        };
        if map.len() > 50 {
            self.fail(
                path,
                format!(
                    "Value at '{path}' has {} tags; a resource can have at most 50",
                    map.len()
                ),
            );
        }
        let charset = |t: &str| {
            t.chars()
                .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
        };
        for (k, val) in map {
            let field = format!("{path}.{k}");
            if k.is_empty() || k.chars().count() > 128 || !charset(k) {
                self.fail(&field, format!("Tag key '{k}' must be 1-128 characters of letters, digits, spaces and _ . : / = + - @"));
            } else if k.to_ascii_lowercase().starts_with("aws:") {
                self.fail(
                    &field,
                    format!("Tag key '{k}' uses the reserved prefix aws:"),
                );
            }
            match val.as_str() {
                Some(t) if t.chars().count() <= 256 && charset(t) => {}
                _ => self.fail(&field, format!("Tag value for '{k}' must be a string of at most 256 characters from the tag character set")),
            }
        }
        self
    }

    pub fn finish(&mut self) -> Result<(), ApiError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(std::mem::take(&mut self.problems)))
        }
    }
}

/// `[a-zA-Z][a-zA-Z0-9_]{0,47}`: runtimes, memories, evaluators, policy engines, policies.
pub fn underscore_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic())
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// `([0-9a-zA-Z][-]?){1,100}`: gateways and targets (hyphens, no underscores).
pub fn hyphen_name(s: &str) -> bool {
    !s.starts_with('-')
        && !s.contains("--")
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

pub const UNDERSCORE_PATTERN: &str = "[a-zA-Z][a-zA-Z0-9_]{0,47}";
pub const HYPHEN_PATTERN: &str = "([0-9a-zA-Z][-]?){1,100}";

/// Stable fingerprint of a request body without its client token, for idempotency.
pub fn digest(body: &Map<String, Value>) -> String {
    use sha2::Digest;
    let mut m = body.clone();
    m.remove("clientToken");
    let text = serde_json::to_string(&sort(Value::Object(m))).unwrap_or_default();
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sort(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> =
                m.into_iter().map(|(k, v)| (k, sort(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sort).collect()),
        other => other,
    }
}
