//! The checks a handler makes beyond the AWS models (which have already held the request to
//! every required member, type, length, pattern, range, enum and union before it gets here),
//! collected into one ValidationException with `fieldList`; and the idempotency fingerprint.

use serde_json::{Map, Value};

use crate::wire::ApiError;

#[derive(Default)]
pub struct Check {
    problems: Vec<(String, String)>,
}

impl Check {
    pub fn new() -> Self {
        Check::default()
    }

    pub fn fail(&mut self, field: &str, message: String) {
        self.problems.push((field.to_string(), message));
    }

    /// The tag pattern in the models lets `aws:` through, but AWS keeps that prefix for itself.
    pub fn reserved_tag_keys(&mut self, body: &Map<String, Value>, path: &str) -> &mut Self {
        if let Some(Value::Object(tags)) = body.get(path) {
            for k in tags.keys() {
                if k.to_ascii_lowercase().starts_with("aws:") {
                    self.fail(
                        &format!("{path}.{k}"),
                        format!("Tag key '{k}' uses the reserved prefix aws:"),
                    );
                }
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
