//! A JSON value held against a shape: required members, types, lengths, patterns, ranges,
//! list and map sizes, enums and unions, depth first, every problem collected.

use serde_json::Value;

use crate::shape::{Model, Shape, ShapeType};
use crate::violation::{Constraint, Violation};

/// Members that are carried outside the JSON value (in headers or the status line) are
/// checked only for what is present; `skip_located` leaves them out of `required` too.
#[derive(Clone, Copy, Default)]
pub(crate) struct Options {
    /// Checking an answer: members carried in headers or the status line are not in the
    /// body, and AWS answers "" for a required string that was never set (a runtime's
    /// description), so an empty string is not held to a minimum length there.
    pub output: bool,
    /// Inside a sensitive shape, no value is echoed (AWS keeps them out of its messages).
    pub sensitive: bool,
}

impl Model {
    pub fn validate_input(&self, operation: &str, input: &Value) -> Vec<Violation> {
        match self.input(operation) {
            Some(shape) => self.validate(shape, input, ""),
            None => Vec::new(),
        }
    }

    /// A response body (restJson/awsJson) against the output shape; members the protocol
    /// puts in headers or the status code are not required to be in the body.
    pub fn validate_output(&self, operation: &str, output: &Value) -> Vec<Violation> {
        let Some(shape) = self.output(operation) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        self.check(
            shape,
            output,
            "",
            Options {
                output: true,
                sensitive: false,
            },
            &mut out,
        );
        out
    }

    /// One value against one shape, e.g. a field of a pack against the member it becomes.
    pub fn validate(&self, shape: &Shape, value: &Value, path: &str) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check(shape, value, path, Options::default(), &mut out);
        out
    }

    pub(crate) fn check(
        &self,
        shape: &Shape,
        value: &Value,
        path: &str,
        opts: Options,
        out: &mut Vec<Violation>,
    ) {
        if value.is_null() {
            return;
        }
        let sensitive = opts.sensitive || shape.sensitive;
        let opts = Options { sensitive, ..opts };
        let echo = |v: &str| (!sensitive).then(|| v.to_string());
        match shape.kind {
            ShapeType::Structure => {
                let Some(obj) = value.as_object() else {
                    if !shape.document {
                        out.push(type_error(path, "a structure"));
                    }
                    return;
                };
                if shape.document {
                    return;
                }
                if shape.union {
                    let set: Vec<&String> = shape
                        .members
                        .keys()
                        .filter(|k| obj.get(*k).is_some_and(|v| !v.is_null()))
                        .collect();
                    if set.len() != 1 {
                        out.push(Violation {
                            path: path.to_string(),
                            value: None,
                            constraint: Constraint::OneMember(
                                shape.members.keys().cloned().collect(),
                            ),
                        });
                    }
                }
                for name in &shape.required {
                    let located = shape
                        .members
                        .get(name)
                        .is_some_and(|m| m.location.is_some());
                    if opts.output && located {
                        continue;
                    }
                    if obj.get(name).is_none_or(Value::is_null) {
                        out.push(Violation {
                            path: join(path, name),
                            value: None,
                            constraint: Constraint::Required,
                        });
                    }
                }
                for (name, member) in &shape.members {
                    let (Some(v), Some(s)) = (obj.get(name), self.shape(&member.shape)) else {
                        continue;
                    };
                    self.check(s, v, &join(path, name), opts, out);
                }
            }
            ShapeType::List => {
                let Some(items) = value.as_array() else {
                    out.push(type_error(path, "a list"));
                    return;
                };
                self.sizes(shape, items.len(), None, path, out);
                if let Some(s) = shape.member.as_ref().and_then(|m| self.shape(&m.shape)) {
                    for (i, item) in items.iter().enumerate() {
                        if item.is_null() {
                            out.push(Violation {
                                path: format!("{path}.{}.member", i + 1),
                                value: None,
                                constraint: Constraint::Required,
                            });
                        } else {
                            self.check(s, item, &format!("{path}.{}.member", i + 1), opts, out);
                        }
                    }
                }
            }
            ShapeType::Map => {
                let Some(obj) = value.as_object() else {
                    out.push(type_error(path, "a map"));
                    return;
                };
                self.sizes(shape, obj.len(), None, path, out);
                let key = shape.key.as_ref().and_then(|m| self.shape(&m.shape));
                let val = shape.value.as_ref().and_then(|m| self.shape(&m.shape));
                for (k, v) in obj {
                    if let Some(ks) = key {
                        let mut key_problems = Vec::new();
                        self.check(ks, &Value::String(k.clone()), path, opts, &mut key_problems);
                        for p in key_problems {
                            out.push(Violation {
                                path: path.to_string(),
                                value: None,
                                constraint: Constraint::MapKey(Box::new(p.constraint)),
                            });
                        }
                    }
                    if let Some(vs) = val {
                        self.check(vs, v, &format!("{path}.{k}"), opts, out);
                    }
                }
            }
            ShapeType::String => {
                let Some(s) = value.as_str() else {
                    out.push(type_error(path, "a string"));
                    return;
                };
                if !shape.enum_values.is_empty() && !shape.enum_values.iter().any(|e| e == s) {
                    out.push(Violation {
                        path: path.to_string(),
                        value: echo(s),
                        constraint: Constraint::Enum(shape.enum_values.clone()),
                    });
                    return;
                }
                if opts.output && s.is_empty() {
                    return;
                }
                self.sizes(shape, s.chars().count(), echo(s), path, out);
                if let Some(p) = shape.compiled()
                    && !p.matches(s)
                {
                    out.push(Violation {
                        path: path.to_string(),
                        value: echo(s),
                        constraint: Constraint::Pattern(shape.pattern.clone().unwrap_or_default()),
                    });
                }
            }
            ShapeType::Integer | ShapeType::Long | ShapeType::Float | ShapeType::Double => {
                let Some(n) = value.as_f64() else {
                    out.push(type_error(path, "a number"));
                    return;
                };
                if matches!(shape.kind, ShapeType::Integer | ShapeType::Long) && n.fract() != 0.0 {
                    out.push(type_error(path, "an integer"));
                    return;
                }
                if let Some(min) = shape.min
                    && n < min
                {
                    out.push(Violation {
                        path: path.to_string(),
                        value: Some(number(value)),
                        constraint: Constraint::Min(min),
                    });
                }
                if let Some(max) = shape.max
                    && n > max
                {
                    out.push(Violation {
                        path: path.to_string(),
                        value: Some(number(value)),
                        constraint: Constraint::Max(max),
                    });
                }
            }
            ShapeType::Boolean => {
                if !value.is_boolean() {
                    out.push(type_error(path, "a boolean"));
                }
            }
            ShapeType::Timestamp => {
                if !(value.is_number() || value.is_string()) {
                    out.push(type_error(path, "a timestamp"));
                }
            }
            ShapeType::Blob => {
                let Some(s) = value.as_str() else {
                    out.push(type_error(path, "base64-encoded bytes"));
                    return;
                };
                // Lengths of blobs count bytes, i.e. the decoded base64.
                let bytes = s.trim_end_matches('=').len() * 3 / 4;
                self.sizes(shape, bytes, None, path, out);
            }
        }
    }

    fn sizes(
        &self,
        shape: &Shape,
        len: usize,
        value: Option<String>,
        path: &str,
        out: &mut Vec<Violation>,
    ) {
        let len = len as f64;
        if let Some(min) = shape.min
            && len < min
        {
            out.push(Violation {
                path: path.to_string(),
                value: value.clone(),
                constraint: Constraint::MinLength(min as u64),
            });
        }
        if let Some(max) = shape.max
            && len > max
        {
            out.push(Violation {
                path: path.to_string(),
                value,
                constraint: Constraint::MaxLength(max as u64),
            });
        }
    }
}

pub(crate) fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn number(v: &Value) -> String {
    v.to_string()
}

fn type_error(path: &str, what: &'static str) -> Violation {
    Violation {
        path: path.to_string(),
        value: None,
        constraint: Constraint::Type(what),
    }
}
