//! An HTTP request turned back into the operation's input value, by the model's own
//! bindings (path labels, query string, headers, body), so one validator serves every
//! protocol.

use base64::Engine;
use std::fmt;

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::shape::{Model, Shape, ShapeType};

pub struct HttpRequest<'a> {
    pub method: &'a str,
    /// The raw path, still percent-encoded.
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub header: &'a dyn Fn(&str) -> Option<String>,
    pub body: &'a [u8],
}

#[derive(Debug, Clone, PartialEq)]
pub enum BindError {
    UnknownOperation(String),
    /// The body is not what the protocol carries (AWS: SerializationException).
    Body(String),
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindError::UnknownOperation(op) => write!(f, "{op} is not in the service model"),
            BindError::Body(m) => write!(f, "{m}"),
        }
    }
}

impl Model {
    /// Which operation a REST request is, by method and the path template of each.
    pub fn route(&self, method: &str, path: &str) -> Option<&str> {
        let segs = segments(path);
        self.operations
            .iter()
            .filter(|(_, op)| op.http.method.eq_ignore_ascii_case(method))
            .filter_map(|(name, op)| {
                let (tpl, _) = split_uri(&op.http.request_uri);
                match_template(&segments(tpl), &segs).map(|labels| (name, labels.len()))
            })
            // The template with the fewest labels is the most specific one.
            .min_by_key(|(_, n)| *n)
            .map(|(name, _)| name.as_str())
    }

    pub fn bind(&self, operation: &str, req: &HttpRequest<'_>) -> Result<Value, BindError> {
        let op = self
            .operation(operation)
            .ok_or_else(|| BindError::UnknownOperation(operation.to_string()))?;
        let Some(shape) = self.input(operation) else {
            return Ok(Value::Object(Map::new()));
        };
        match self.metadata.protocol.as_str() {
            "json" => parse_object(req.body).map(Value::Object),
            "query" => Ok(Value::Object(query_input(self, shape, req))),
            protocol => {
                let (tpl, _) = split_uri(&op.http.request_uri);
                let labels =
                    match_template(&segments(tpl), &segments(req.path)).unwrap_or_default();
                let mut input = if protocol == "rest-json" && shape.payload.is_none() {
                    parse_object(req.body)?
                } else {
                    Map::new()
                };
                for (name, member) in &shape.members {
                    let wire = member.wire_name(name);
                    let Some(ms) = self.shape(&member.shape) else {
                        continue;
                    };
                    let raw: Option<Value> = match member.location.as_deref() {
                        Some("uri") => labels
                            .iter()
                            .find(|(l, _)| l == wire)
                            .map(|(_, v)| Value::String(v.clone())),
                        Some("querystring") if ms.kind == ShapeType::Map => {
                            let m: Map<String, Value> = req
                                .query
                                .iter()
                                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                                .collect();
                            (!m.is_empty()).then_some(Value::Object(m))
                        }
                        Some("querystring") if ms.kind == ShapeType::List => {
                            let v: Vec<Value> = req
                                .query
                                .iter()
                                .filter(|(k, _)| k == wire)
                                .map(|(_, v)| Value::String(v.clone()))
                                .collect();
                            (!v.is_empty()).then_some(Value::Array(v))
                        }
                        Some("querystring") => req
                            .query
                            .iter()
                            .find(|(k, _)| k == wire)
                            .map(|(_, v)| Value::String(v.clone())),
                        Some("header") => (req.header)(wire).map(Value::String),
                        Some("headers") | Some("statusCode") => None,
                        _ if shape.payload.as_deref() == Some(name.as_str()) => {
                            payload(protocol, ms, req.body)?
                        }
                        _ => continue,
                    };
                    match raw {
                        Some(v) => {
                            input.insert(name.clone(), coerce(ms, v));
                        }
                        None => {
                            input.remove(name);
                        }
                    }
                }
                Ok(Value::Object(input))
            }
        }
    }
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, BindError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(BindError::Body(
            "the request body must be a JSON object".into(),
        )),
        Err(e) => Err(BindError::Body(format!(
            "the request body is not valid JSON: {e}"
        ))),
    }
}

fn payload(protocol: &str, shape: &Shape, body: &[u8]) -> Result<Option<Value>, BindError> {
    if body.is_empty() {
        return Ok(None);
    }
    match (protocol, shape.kind) {
        ("rest-json", ShapeType::Structure) => parse_object(body).map(|m| Some(Value::Object(m))),
        // A blob is bytes, held as base64 the way the validator measures blobs (a required
        // blob payload, e.g. InvokeAgentRuntime's, must be seen as present).
        (_, ShapeType::Blob) => Ok(Some(Value::String(
            base64::engine::general_purpose::STANDARD.encode(body),
        ))),
        // XML payloads are present; their content is not constrained here.
        _ => Ok(Some(Value::Null)),
    }
}

fn query_input(model: &Model, shape: &Shape, req: &HttpRequest<'_>) -> Map<String, Value> {
    let form: Vec<(String, String)> = form_pairs(req.body)
        .into_iter()
        .chain(req.query.iter().cloned())
        .collect();
    shape
        .members
        .iter()
        .filter_map(|(name, m)| {
            let ms = model.shape(&m.shape)?;
            let (_, v) = form.iter().find(|(k, _)| k == m.wire_name(name))?;
            Some((name.clone(), coerce(ms, Value::String(v.clone()))))
        })
        .collect()
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode_form(k), decode_form(v))
        })
        .collect()
}

fn decode_form(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Strings from the URI or headers become the member's type when they parse as it; a value
/// that does not parse stays a string, so the validator reports the type.
fn coerce(shape: &Shape, v: Value) -> Value {
    let Value::String(s) = &v else { return v };
    match shape.kind {
        ShapeType::Integer | ShapeType::Long => s.parse::<i64>().map(Value::from).unwrap_or(v),
        ShapeType::Float | ShapeType::Double => s.parse::<f64>().map(Value::from).unwrap_or(v),
        ShapeType::Boolean => match s.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => v,
        },
        _ => v,
    }
}

fn split_uri(uri: &str) -> (&str, &str) {
    uri.split_once('?').unwrap_or((uri, ""))
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Labels of `tpl` taken from `path` (decoded), or None when the path is another template's.
fn match_template(tpl: &[&str], path: &[&str]) -> Option<Vec<(String, String)>> {
    let mut labels = Vec::new();
    for (i, t) in tpl.iter().enumerate() {
        if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            if let Some(greedy) = name.strip_suffix('+') {
                let rest = path.get(i..).filter(|r| !r.is_empty())?;
                let joined: Vec<String> = rest.iter().map(|s| decode(s)).collect();
                labels.push((greedy.to_string(), joined.join("/")));
                return Some(labels);
            }
            labels.push((name.to_string(), decode(path.get(i)?)));
        } else if path.get(i) != Some(t) {
            return None;
        }
    }
    (tpl.len() == path.len()).then_some(labels)
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}
