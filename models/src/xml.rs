//! XML answers (awsQuery and restXml) read into the JSON value the validator holds against
//! the output shape. The reading follows the shape, so an element the shape does not name, a
//! wrong wrapper or a timestamp in the wrong format is itself a finding: the SDKs' XML parsers
//! skip unknown elements silently, which is how an answer off the model would go unnoticed.

use std::sync::LazyLock;

use aws_smithy_xml::decode::{Document, ScopedDecoder, try_data};
use regex::Regex;
use serde_json::{Map, Number, Value};

use crate::shape::{Model, Shape, ShapeType};
use crate::validate::{Options, join};

// awsQuery and restXml bodies carry timestamps as ISO 8601; restXml headers as HTTP dates.
static ISO_8601: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$").unwrap()
});
static HTTP_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$").unwrap()
});

impl Model {
    /// Every way an XML answer departs from the operation's output shape, as messages.
    /// `header` looks a response header up by name (case-insensitive).
    pub fn check_xml_output(
        &self,
        operation: &str,
        body: &[u8],
        header: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<String> {
        let Some(shape) = self.output(operation) else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        let mut value = Map::new();
        self.read_headers(shape, header, &mut value, &mut findings);
        match self.metadata.protocol.as_str() {
            "query" => self.read_query_body(operation, shape, body, &mut value, &mut findings),
            _ => self.read_rest_body(shape, body, &mut value, &mut findings),
        }
        let mut violations = Vec::new();
        self.check(
            shape,
            &Value::Object(value),
            "",
            Options {
                output: true,
                sensitive: false,
            },
            &mut violations,
        );
        findings.extend(violations.iter().map(ToString::to_string));
        findings
    }

    fn read_headers(
        &self,
        shape: &Shape,
        header: &dyn Fn(&str) -> Option<String>,
        into: &mut Map<String, Value>,
        findings: &mut Vec<String>,
    ) {
        for (name, member) in &shape.members {
            if member.location.as_deref() != Some("header") {
                continue;
            }
            let (Some(text), Some(s)) = (header(member.wire_name(name)), self.shape(&member.shape))
            else {
                continue;
            };
            if s.kind == ShapeType::Timestamp && !HTTP_DATE.is_match(&text) {
                findings.push(format!(
                    "{name}: header {} is {text:?}, not an HTTP date",
                    member.wire_name(name)
                ));
            }
            into.insert(name.clone(), scalar(s.kind, text));
        }
    }

    // botocore's query operations all wrap their members in <{Op}Response><{Op}Result>.
    fn read_query_body(
        &self,
        operation: &str,
        shape: &Shape,
        body: &[u8],
        into: &mut Map<String, Value>,
        findings: &mut Vec<String>,
    ) {
        let Some(mut doc) = document(body, findings) else {
            return;
        };
        let mut root = match doc.root_element() {
            Ok(root) => root,
            Err(e) => return findings.push(format!("the answer is not XML: {e}")),
        };
        let wrapper = format!("{operation}Response");
        if root.start_el().local() != wrapper {
            return findings.push(format!(
                "the root element is <{}>, not <{wrapper}>",
                root.start_el().local()
            ));
        }
        let result = format!("{operation}Result");
        let mut saw_result = false;
        while let Some(mut child) = root.next_tag() {
            let local = child.start_el().local().to_string();
            if local == result {
                saw_result = true;
                self.read_members(shape, &mut child, "", into, findings);
            } else if local != "ResponseMetadata" {
                findings.push(format!(
                    "<{wrapper}> holds <{local}>, which awsQuery never sends"
                ));
            }
        }
        if !saw_result && shape.members.values().any(|m| m.location.is_none()) {
            findings.push(format!("<{wrapper}> has no <{result}>"));
        }
    }

    fn read_rest_body(
        &self,
        shape: &Shape,
        body: &[u8],
        into: &mut Map<String, Value>,
        findings: &mut Vec<String>,
    ) {
        let has_body_members = shape.members.values().any(|m| m.location.is_none());
        if body.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        if !has_body_members {
            return findings.push(format!(
                "the output shape has no body members, yet the answer has a {}-byte body",
                body.len()
            ));
        }
        let Some(mut doc) = document(body, findings) else {
            return;
        };
        match doc.root_element() {
            Ok(mut root) => self.read_members(shape, &mut root, "", into, findings),
            Err(e) => findings.push(format!("the answer is not XML: {e}")),
        }
    }

    fn read_members(
        &self,
        shape: &Shape,
        el: &mut ScopedDecoder<'_, '_>,
        path: &str,
        into: &mut Map<String, Value>,
        findings: &mut Vec<String>,
    ) {
        while let Some(mut child) = el.next_tag() {
            let local = child.start_el().local().to_string();
            let member = shape
                .members
                .iter()
                .find(|(n, m)| m.location.is_none() && m.wire_name(n) == local);
            match member.and_then(|(n, m)| Some((n, self.shape(&m.shape)?))) {
                Some((name, s)) => {
                    let p = join(path, name);
                    let v = self.read_value(s, &mut child, &p, findings);
                    into.insert(name.clone(), v);
                }
                None => findings.push(format!(
                    "{}: <{local}> is not a member of the shape",
                    if path.is_empty() { "(answer)" } else { path }
                )),
            }
        }
    }

    fn read_value(
        &self,
        shape: &Shape,
        el: &mut ScopedDecoder<'_, '_>,
        path: &str,
        findings: &mut Vec<String>,
    ) -> Value {
        match shape.kind {
            ShapeType::Structure => {
                let mut obj = Map::new();
                self.read_members(shape, el, path, &mut obj, findings);
                Value::Object(obj)
            }
            ShapeType::List => {
                let Some(member) = &shape.member else {
                    return Value::Array(Vec::new());
                };
                let wire = member.location_name.as_deref().unwrap_or("member");
                let mut items = Vec::new();
                while let Some(mut child) = el.next_tag() {
                    let local = child.start_el().local().to_string();
                    let p = join(path, &items.len().to_string());
                    match self.shape(&member.shape) {
                        Some(s) if local == wire => {
                            items.push(self.read_value(s, &mut child, &p, findings));
                        }
                        _ => findings.push(format!("{path}: list item <{local}>, not <{wire}>")),
                    }
                }
                Value::Array(items)
            }
            ShapeType::Map => {
                let (Some(k), Some(v)) = (&shape.key, &shape.value) else {
                    return Value::Object(Map::new());
                };
                let mut obj = Map::new();
                while let Some(mut entry) = el.next_tag() {
                    let (mut key, mut value) = (None, Value::Null);
                    while let Some(mut part) = entry.next_tag() {
                        let local = part.start_el().local().to_string();
                        if local == k.wire_name("key") {
                            key = try_data(&mut part).ok().map(|t| t.into_owned());
                        } else if local == v.wire_name("value")
                            && let Some(s) = self.shape(&v.shape)
                        {
                            value = self.read_value(s, &mut part, path, findings);
                        } else {
                            findings.push(format!("{path}: map entry holds <{local}>"));
                        }
                    }
                    match key {
                        Some(key) => {
                            obj.insert(key, value);
                        }
                        None => findings.push(format!("{path}: a map entry has no key")),
                    }
                }
                Value::Object(obj)
            }
            kind => match try_data(el) {
                Ok(text) => {
                    if kind == ShapeType::Timestamp && !ISO_8601.is_match(&text) {
                        findings.push(format!("{path}: {text:?} is not an ISO 8601 timestamp"));
                    }
                    scalar(kind, text.into_owned())
                }
                Err(e) => {
                    findings.push(format!("{path}: not a scalar: {e}"));
                    Value::Null
                }
            },
        }
    }
}

fn document<'a>(body: &'a [u8], findings: &mut Vec<String>) -> Option<Document<'a>> {
    match std::str::from_utf8(body) {
        Ok(text) => Some(Document::new(text)),
        Err(e) => {
            findings.push(format!("the answer is not UTF-8: {e}"));
            None
        }
    }
}

// Text that does not parse as the member's type stays a string, so the validator names it.
fn scalar(kind: ShapeType, text: String) -> Value {
    match kind {
        ShapeType::Integer | ShapeType::Long => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or(Value::String(text)),
        ShapeType::Float | ShapeType::Double => text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::String(text)),
        ShapeType::Boolean => match text.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text),
        },
        _ => Value::String(text),
    }
}

#[cfg(test)]
mod tests {
    use crate::{Service, model};

    fn headers<'a>(h: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name: &str| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.to_string())
        }
    }

    fn get_role(role: &str) -> String {
        format!(
            "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetRoleResult>{role}</GetRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetRoleResponse>"
        )
    }

    const ROLE: &str = "<Path>/</Path><Arn>arn:aws:iam::123456789012:role/r</Arn><RoleName>r</RoleName><CreateDate>2026-01-02T03:04:05Z</CreateDate><RoleId>AROAEXAMPLEEXAMPLE123</RoleId><MaxSessionDuration>3600</MaxSessionDuration>";

    fn iam(body: &str) -> Vec<String> {
        model(Service::Iam).check_xml_output("GetRole", body.as_bytes(), &headers(&[]))
    }

    #[test]
    fn an_answer_as_iam_sends_it_has_no_findings() {
        let body = get_role(&format!("<Role>{ROLE}</Role>"));
        assert_eq!(iam(&body), Vec::<String>::new());
    }

    #[test]
    fn an_answer_off_the_shape_is_named() {
        let missing_name = ROLE.replace("<RoleName>r</RoleName>", "");
        assert!(
            iam(&get_role(&format!("<Role>{missing_name}</Role>")))
                .iter()
                .any(|f| f.contains("Role.RoleName")),
        );
        let text_number = ROLE.replace("3600", "an hour");
        assert!(
            iam(&get_role(&format!("<Role>{text_number}</Role>")))
                .iter()
                .any(|f| f.contains("MaxSessionDuration")),
        );
        let bad_date = ROLE.replace("2026-01-02T03:04:05Z", "1767323045");
        assert!(
            iam(&get_role(&format!("<Role>{bad_date}</Role>")))
                .iter()
                .any(|f| f.contains("ISO 8601")),
        );
        let extra = format!("<Role>{ROLE}<Owner>me</Owner></Role>");
        assert!(iam(&get_role(&extra)).iter().any(|f| f.contains("<Owner>")));
        let unwrapped = format!("<GetRoleResponse><Role>{ROLE}</Role></GetRoleResponse>");
        assert!(iam(&unwrapped).iter().any(|f| f.contains("GetRoleResult")));
        assert!(
            iam("<GetUserResponse/>")
                .iter()
                .any(|f| f.contains("root element"))
        );
    }

    #[test]
    fn rest_xml_members_in_headers_are_held_to_their_types() {
        let s3 = model(Service::S3);
        let ok = headers(&[
            ("Content-Length", "12"),
            ("Last-Modified", "Tue, 08 Dec 2026 01:02:03 GMT"),
            ("ETag", "\"abc\""),
        ]);
        assert_eq!(
            s3.check_xml_output("HeadObject", b"", &ok),
            Vec::<String>::new()
        );
        let bad = headers(&[
            ("Content-Length", "twelve"),
            ("Last-Modified", "2026-12-08T01:02:03Z"),
            ("x-amz-server-side-encryption", "rot13"),
        ]);
        let findings = s3.check_xml_output("HeadObject", b"", &bad);
        for member in ["ContentLength", "LastModified", "ServerSideEncryption"] {
            assert!(
                findings.iter().any(|f| f.contains(member)),
                "{member} in {findings:?}"
            );
        }
        assert!(
            s3.check_xml_output("PutObject", b"<PutObjectResult/>", &headers(&[]))
                .iter()
                .any(|f| f.contains("no body members"))
        );
    }
}
