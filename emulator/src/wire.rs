//! Protocol plumbing shared by every service: errors in each protocol's shape, timestamps, paths, queries.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// How a service puts errors on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    RestJson,
    AwsJson,
    AwsQuery,
    RestXml,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub extra: Box<Map<String, Value>>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            extra: Box::default(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "ResourceNotFoundException", message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "ConflictException", message)
    }
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(403, "AccessDeniedException", message)
    }
    /// A ValidationException naming every offending field, as AgentCore sends it.
    pub fn validation(fields: Vec<(String, String)>) -> Self {
        let n = fields.len();
        let detail: Vec<String> = fields.iter().map(|(_, m)| m.clone()).collect();
        let message = format!(
            "{n} validation error{} detected: {}",
            if n == 1 { "" } else { "s" },
            detail.join("; ")
        );
        let mut e = Self::new(400, "ValidationException", message);
        e.extra
            .insert("reason".into(), json!("FieldValidationFailed"));
        e.extra.insert(
            "fieldList".into(),
            Value::Array(
                fields
                    .into_iter()
                    .map(|(n, m)| json!({"name": n, "message": m}))
                    .collect(),
            ),
        );
        e
    }
    /// A ValidationException about the request as a whole (no single field to blame).
    pub fn validation_msg(message: impl Into<String>) -> Self {
        let mut e = Self::new(400, "ValidationException", message);
        e.extra
            .insert("reason".into(), json!("FieldValidationFailed"));
        e
    }
    pub fn with_reason(mut self, reason: &str) -> Self {
        self.extra.insert("reason".into(), json!(reason));
        self
    }
    pub fn kms(code: &str, message: impl Into<String>) -> Self {
        let status = if code == "KMSInternalException" {
            500
        } else {
            400
        };
        Self::new(status, code, message)
    }

    pub fn render(self, protocol: Protocol, request_id: &str) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        match protocol {
            Protocol::RestJson | Protocol::AwsJson => {
                let mut body = Map::new();
                body.insert("__type".into(), json!(self.code));
                body.insert("message".into(), json!(self.message));
                body.extend(*self.extra);
                let ct = if protocol == Protocol::AwsJson {
                    "application/x-amz-json-1.1"
                } else {
                    "application/json"
                };
                let mut resp = (status, Value::Object(body).to_string()).into_response();
                let h = resp.headers_mut();
                h.insert("content-type", HeaderValue::from_static(ct));
                if let Ok(v) = HeaderValue::from_str(&self.code) {
                    h.insert("x-amzn-errortype", v);
                }
                set_request_id(h, request_id);
                resp
            }
            Protocol::AwsQuery => {
                let body = format!(
                    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>{}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
                    if self.status >= 500 {
                        "Receiver"
                    } else {
                        "Sender"
                    },
                    xml_escape(&self.code),
                    xml_escape(&self.message),
                    request_id
                );
                xml_response(status, body, request_id)
            }
            Protocol::RestXml => {
                let mut extra = String::new();
                for (k, v) in self.extra.iter() {
                    if let Some(s) = v.as_str() {
                        extra.push_str(&format!("<{k}>{}</{k}>", xml_escape(s)));
                    }
                }
                let body = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message>{extra}<RequestId>{request_id}</RequestId><HostId>emulator</HostId></Error>",
                    xml_escape(&self.code),
                    xml_escape(&self.message)
                );
                let mut resp = xml_response(status, body, request_id);
                set_s3_request_id(resp.headers_mut(), request_id);
                resp
            }
        }
    }
}

pub type ApiResult<T = Response> = Result<T, ApiError>;

pub fn set_request_id(h: &mut HeaderMap, request_id: &str) {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-requestid", v);
    }
}

pub fn set_s3_request_id(h: &mut HeaderMap, request_id: &str) {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amz-request-id", v.clone());
        h.insert("x-amz-id-2", v);
    }
}

pub fn json_response(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    resp
}

pub fn amz_json_response(body: Value) -> Response {
    let mut resp = (StatusCode::OK, body.to_string()).into_response();
    resp.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    resp
}

pub fn empty_response(status: u16) -> Response {
    StatusCode::from_u16(status)
        .unwrap_or(StatusCode::OK)
        .into_response()
}

pub fn xml_response(status: StatusCode, body: String, request_id: &str) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static("text/xml"));
    set_request_id(resp.headers_mut(), request_id);
    resp
}

pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// RFC 3339 string, for `ts(str)` members.
pub fn ts_str(t: &DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// Epoch seconds as a JSON number, for `ts(num)` members.
pub fn ts_num(t: &DateTime<Utc>) -> Value {
    json!(t.timestamp_millis() as f64 / 1000.0)
}

/// Splits the raw path on `/` first and percent-decodes each segment after, so ARN labels survive.
pub fn path_segments(raw_path: &str) -> Vec<String> {
    raw_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

pub fn query_get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The region from the SigV4 credential scope (`Credential=AKID/DATE/REGION/SERVICE/aws4_request`).
/// AgentCore's `nextToken`s (control plane and recommendations): a resume point after the last
/// item returned, so deletions between pages neither repeat nor skip a survivor.
pub fn encode_token(sort_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{sort_key}"))
}

pub fn decode_token(token: &str) -> Result<String, ApiError> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("v1:").map(str::to_string))
        .ok_or_else(|| {
            ApiError::validation(vec![(
                "nextToken".into(),
                format!("Value '{token}' at 'nextToken' is not a token this service issued"),
            )])
        })
}

pub fn region_from_auth(headers: &HeaderMap) -> Option<String> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    let cred = auth.split("Credential=").nth(1)?;
    let scope = cred.split([',', ' ']).next()?;
    let parts: Vec<&str> = scope.split('/').collect();
    (parts.len() >= 5).then(|| parts[2].to_string())
}

pub fn access_key_from_auth(headers: &HeaderMap) -> Option<String> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    let cred = auth.split("Credential=").nth(1)?;
    cred.split('/').next().map(str::to_string)
}

/// Parses a JSON object body; an empty body counts as `{}`.
pub fn parse_json_object(body: &[u8]) -> ApiResult<Map<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(
            ApiError::validation_msg("Request body must be a JSON object")
                .with_reason("CannotParse"),
        ),
        Err(e) => Err(
            ApiError::validation_msg(format!("Could not parse request body: {e}"))
                .with_reason("CannotParse"),
        ),
    }
}

pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Keeps an access key id recognisable in CloudTrail events without storing a real one whole.
pub fn mask_access_key(akid: &str) -> String {
    if akid.len() >= 16 && akid.chars().all(|c| c.is_ascii_alphanumeric()) {
        format!("{}…{}", &akid[..4], &akid[akid.len() - 4..])
    } else {
        akid.chars().take(32).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_labels_survive_path_splitting() {
        let segs = path_segments(
            "/tags/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A111122223333%3Agateway%2Fgw-1",
        );
        assert_eq!(
            segs,
            [
                "tags",
                "arn:aws:bedrock-agentcore:us-east-1:111122223333:gateway/gw-1"
            ]
        );
    }

    #[test]
    fn region_and_key_come_from_the_sigv4_scope() {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEKEY123456/20260101/eu-west-1/kms/aws4_request, SignedHeaders=host, Signature=x"),
        );
        assert_eq!(region_from_auth(&h).as_deref(), Some("eu-west-1"));
        assert_eq!(
            mask_access_key(&access_key_from_auth(&h).unwrap()),
            "AKIA…3456"
        );
        assert_eq!(region_from_auth(&HeaderMap::new()), None);
    }

    #[test]
    fn validation_errors_list_every_field() {
        let e = ApiError::validation(vec![
            ("name".into(), "bad".into()),
            ("roleArn".into(), "missing".into()),
        ]);
        assert_eq!(e.message, "2 validation errors detected: bad; missing");
        assert_eq!(e.extra["fieldList"][1]["name"], "roleArn");
    }
}
