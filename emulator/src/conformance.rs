//! Every request held against AWS's published model of its operation before anything else
//! (no lookup, conflict or state check comes first), and every JSON answer against the
//! output shape. Violations are kept so a test can ask for a report of all of them.

use std::sync::Mutex;

use aws_models::{BindError, HttpRequest, Service, Violation, model, validation_message};
use axum::http::{HeaderMap, Method, Uri};
use serde_json::{Value, json};

use crate::wire::{self, ApiError};

/// What the emulator does with a request the model rejects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ModelCheck {
    /// Answer AWS's 400, as AWS does.
    #[default]
    Enforce,
    /// Serve it anyway and keep the violation: a conformance run sees all of them at once.
    Record,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Recorded {
    pub service: &'static str,
    pub operation: String,
    /// `request`, `response` or `error`.
    pub direction: &'static str,
    pub messages: Vec<String>,
}

#[derive(Default)]
pub(crate) struct Log(Mutex<Vec<Recorded>>);

impl Log {
    fn push(&self, r: Recorded) {
        tracing::warn!(
            service = r.service,
            operation = r.operation.as_str(),
            direction = r.direction,
            "model violation: {}",
            r.messages.join("; ")
        );
        self.0.lock().expect("violations lock").push(r);
    }

    pub(crate) fn all(&self) -> Vec<Recorded> {
        self.0.lock().expect("violations lock").clone()
    }
}

/// Checks one request; Err is the answer to send instead of serving it.
#[allow(clippy::too_many_arguments)] // the parts of one HTTP request, as dispatch has them
pub(crate) fn check_request(
    log: &Log,
    mode: ModelCheck,
    service: Service,
    operation: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    let m = model(service);
    if m.operation(operation).is_none() {
        // The handler answers it (NotImplemented, usually), but a client that needs it, or a
        // route the data lacks, must show in the report: nothing is served unchecked silently.
        log.push(Recorded {
            service: service.name(),
            operation: operation.to_string(),
            direction: "request",
            messages: vec![format!(
                "{operation} is not in the pinned model of {}: add it to models/regen.py",
                service.name()
            )],
        });
        return Ok(());
    }
    let query = wire::query_pairs(uri.query());
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let req = HttpRequest {
        method: method.as_str(),
        path: uri.path(),
        query: &query,
        header: &header,
        body,
    };
    let input = match m.bind(operation, &req) {
        Ok(v) => v,
        Err(BindError::Body(message)) => {
            log.push(Recorded {
                service: service.name(),
                operation: operation.to_string(),
                direction: "request",
                messages: vec![message.clone()],
            });
            return match mode {
                ModelCheck::Enforce => Err(serialization(service, message)),
                ModelCheck::Record => Ok(()),
            };
        }
        Err(BindError::UnknownOperation(_)) => return Ok(()),
    };
    let violations = m.validate_input(operation, &input);
    if violations.is_empty() {
        return Ok(());
    }
    log.push(Recorded {
        service: service.name(),
        operation: operation.to_string(),
        direction: "request",
        messages: violations.iter().map(ToString::to_string).collect(),
    });
    match mode {
        ModelCheck::Enforce => Err(rejection(service, &violations)),
        ModelCheck::Record => Ok(()),
    }
}

/// Checks a JSON answer against the operation's output shape; never changes the answer.
pub(crate) fn check_response(log: &Log, service: Service, operation: &str, body: &[u8]) {
    let m = model(service);
    if m.operation(operation).is_none() || body.is_empty() {
        return;
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            log.push(Recorded {
                service: service.name(),
                operation: operation.to_string(),
                direction: "response",
                messages: vec![format!("the answer is not JSON: {e}")],
            });
            return;
        }
    };
    let violations = m.validate_output(operation, &value);
    if !violations.is_empty() {
        log.push(Recorded {
            service: service.name(),
            operation: operation.to_string(),
            direction: "response",
            messages: violations.iter().map(ToString::to_string).collect(),
        });
    }
}

/// Checks an XML answer (awsQuery, restXml), headers included, against the operation's
/// output shape; never changes the answer.
pub(crate) fn check_xml_response(
    log: &Log,
    service: Service,
    operation: &str,
    body: &[u8],
    headers: &HeaderMap,
) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let messages = model(service).check_xml_output(operation, body, &header);
    if !messages.is_empty() {
        log.push(Recorded {
            service: service.name(),
            operation: operation.to_string(),
            direction: "response",
            messages,
        });
    }
}

/// The errors every action of a service may answer without its model listing them ("Common
/// Errors" in each API reference, e.g. docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html):
/// a key policy's denial is KMS's AccessDeniedException, and KMS's own checks beyond the model
/// (a key spec that does not fit its usage, a deletion window outside 7–30 days) are its
/// ValidationException.
const COMMON_ERRORS: &[&str] = &[
    "AccessDeniedException",
    "IncompleteSignature",
    "InternalFailure",
    "InvalidAction",
    "InvalidClientTokenId",
    "NotAuthorized",
    "RequestExpired",
    "ServiceUnavailable",
    "ThrottlingException",
    "UnrecognizedClientException",
    "ValidationException",
];

/// Checks an error a handler answered with: AWS answers an operation only with the errors its
/// model lists (the JSON protocols' error shapes), and their bodies have the shape's members.
pub(crate) fn check_error(log: &Log, service: Service, operation: &str, e: &ApiError) {
    let m = model(service);
    let Some(op) = m.operation(operation) else {
        return;
    };
    let mut messages = Vec::new();
    let modelled = op.errors.iter().any(|r| r.shape == e.code);
    if !op.errors.is_empty() && !modelled && !COMMON_ERRORS.contains(&e.code.as_str()) {
        messages.push(format!(
            "{operation} answered {} ({}), which is not one of its modelled errors: {}",
            e.code,
            e.status,
            op.errors
                .iter()
                .map(|r| r.shape.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(shape) = m.shape(&e.code).filter(|s| s.exception) {
        let mut body = serde_json::Map::new();
        body.insert("message".into(), Value::String(e.message.clone()));
        body.extend(e.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        messages.extend(
            m.validate(shape, &Value::Object(body), "")
                .iter()
                .map(|v| format!("{} body: {v}", e.code)),
        );
    }
    if !messages.is_empty() {
        log.push(Recorded {
            service: service.name(),
            operation: operation.to_string(),
            direction: "error",
            messages,
        });
    }
}

/// AWS's answer to an input that breaks its model: a type problem is a serialization
/// error, anything else a ValidationException (with `fieldList` where the service has it).
fn rejection(service: Service, violations: &[Violation]) -> ApiError {
    if let Some(t) = violations.iter().find(|v| v.is_type_error()) {
        return serialization(service, t.to_string());
    }
    let message = validation_message(violations);
    match service {
        Service::Sts | Service::Iam => ApiError::new(400, "ValidationError", message),
        Service::S3 => ApiError::new(400, "InvalidArgument", message),
        _ => {
            let mut e = ApiError::new(400, "ValidationException", message);
            let shape = model(service).shape("ValidationException");
            let has = |member: &str| shape.is_some_and(|s| s.members.contains_key(member));
            if has("reason") {
                e.extra
                    .insert("reason".into(), json!("FieldValidationFailed"));
            }
            if has("fieldList") {
                e.extra.insert(
                    "fieldList".into(),
                    Value::Array(
                        violations
                            .iter()
                            .map(|v| json!({"name": v.path, "message": v.to_string()}))
                            .collect(),
                    ),
                );
            }
            e
        }
    }
}

fn serialization(service: Service, message: String) -> ApiError {
    match service {
        Service::Sts | Service::Iam => ApiError::new(400, "MalformedInput", message),
        Service::S3 => ApiError::new(400, "MalformedXML", message),
        _ => ApiError::new(400, "SerializationException", message),
    }
}
