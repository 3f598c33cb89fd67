//! The emulator is as strict as AWS's models, and strict first: a request with any one
//! constraint broken gets AWS's 400 naming that member, even where the unbroken request
//! would have met a conflict (same name) or a lookup (unknown parent).

mod common;

use std::io::{Read, Write};

use aws_models::{Model, Service, Shape, ShapeType, model};
use proptest::prelude::*;
use serde_json::{Value, json};

struct Case {
    service: Service,
    operation: &'static str,
    labels: &'static [(&'static str, &'static str)],
    body: Value,
}

const TOKEN: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const ROLE: &str = "arn:aws:iam::111122223333:role/AgentCoreRuntime";

fn cases() -> Vec<Case> {
    let control = |operation, labels, body| Case {
        service: Service::Control,
        operation,
        labels,
        body,
    };
    vec![
        control(
            "CreateAgentRuntime",
            &[],
            json!({
            "agentRuntimeName": "prop_runtime",
            "description": "A runtime",
            "agentRuntimeArtifact": {"containerConfiguration": {
                "containerUri": "111122223333.dkr.ecr.us-east-1.amazonaws.com/agent:latest"}},
            "roleArn": ROLE,
            "networkConfiguration": {"networkMode": "PUBLIC"},
            "protocolConfiguration": {"serverProtocol": "A2A"},
            "environmentVariables": {"LOG_LEVEL": "info"},
            "clientToken": TOKEN,
            "tags": {"team": "support"}}),
        ),
        control(
            "CreateMemory",
            &[],
            json!({
            "name": "prop_memory", "description": "Memory", "eventExpiryDuration": 30,
            "memoryStrategies": [{"semanticMemoryStrategy": {"name": "facts", "namespaces": ["/facts/{actorId}"]}}],
            "clientToken": TOKEN}),
        ),
        control(
            "CreateGateway",
            &[],
            json!({
            "name": "prop-gw", "description": "Gateway", "roleArn": ROLE,
            "protocolType": "MCP", "authorizerType": "AWS_IAM", "clientToken": TOKEN}),
        ),
        control(
            "CreateGatewayTarget",
            &[("gatewayIdentifier", "prop-gw-0123456789")],
            json!({
            "name": "lookup-order", "description": "Orders",
            "targetConfiguration": {"mcp": {"lambda": {
                "lambdaArn": "arn:aws:lambda:us-east-1:111122223333:function:lookup",
                "toolSchema": {"inlinePayload": [{"name": "lookup_order", "description": "Look up an order",
                    "inputSchema": {"type": "object"}}]}}}},
            "credentialProviderConfigurations": [{"credentialProviderType": "GATEWAY_IAM_ROLE"}]}),
        ),
        control(
            "CreatePolicyEngine",
            &[],
            json!({"name": "prop_engine", "description": "Engine", "clientToken": TOKEN}),
        ),
        control(
            "CreatePolicy",
            &[("policyEngineId", "prop_engine-abcdefghij")],
            json!({
            "name": "block_refund", "description": "Blocks refunds",
            "definition": {"cedar": {"statement": "forbid(principal, action, resource);"}},
            "clientToken": TOKEN}),
        ),
        control(
            "CreateEvaluator",
            &[],
            json!({
            "evaluatorName": "prop_eval", "description": "Judge", "level": "SESSION",
            "evaluatorConfig": {"llmAsAJudge": {"instructions": "Rate the answer",
                "ratingScale": {"numerical": [{"value": 1.0, "label": "bad", "definition": "Bad"}]},
                "modelConfig": {"bedrockEvaluatorModelConfig": {"modelId": "anthropic.claude-sonnet-4"}}}},
            "clientToken": TOKEN}),
        ),
        control(
            "CreateOnlineEvaluationConfig",
            &[],
            json!({
            "onlineEvaluationConfigName": "prop_online", "description": "Online",
            "rule": {"samplingConfig": {"samplingPercentage": 10.0}},
            "dataSourceConfig": {"cloudWatchLogs": {
                "logGroupNames": ["/aws/bedrock-agentcore/runtimes/prop"],
                "serviceNames": ["prop_runtime.DEFAULT"]}},
            "evaluators": [{"evaluatorId": "Builtin.Helpfulness"}],
            "evaluationExecutionRoleArn": ROLE, "enableOnCreate": true, "clientToken": TOKEN}),
        ),
        Case {
            service: Service::Data,
            operation: "StartRecommendation",
            labels: &[],
            body: json!({
            "name": "prop_rec", "description": "Prompt", "type": "SYSTEM_PROMPT_RECOMMENDATION",
            "recommendationConfig": {"systemPromptRecommendationConfig": {
                "systemPrompt": {"text": "You are a helpful agent."},
                "agentTraces": {"cloudwatchLogs": {
                    "logGroupArns": ["arn:aws:logs:us-east-1:111122223333:log-group:/aws/x"],
                    "serviceNames": ["prop_runtime.DEFAULT"],
                    "startTime": "2026-01-01T00:00:00Z", "endTime": "2026-01-02T00:00:00Z"}},
                "evaluationConfig": {"evaluators": [{"evaluatorArn": "arn:aws:bedrock-agentcore:::evaluator/Builtin.Helpfulness"}]}}},
            "clientToken": TOKEN, "tags": {"team": "support"}}),
        },
        Case {
            service: Service::Kms,
            operation: "CreateKey",
            labels: &[],
            body: json!({
            "Description": "Key", "KeyUsage": "ENCRYPT_DECRYPT", "KeySpec": "SYMMETRIC_DEFAULT",
            "Tags": [{"TagKey": "team", "TagValue": "support"}]}),
        },
        Case {
            service: Service::Kms,
            operation: "Encrypt",
            labels: &[],
            body: json!({
            "KeyId": "alias/agentcore-recommendations", "Plaintext": "aGVsbG8=",
            "EncryptionContext": {"purpose": "test"}}),
        },
        Case {
            service: Service::Kms,
            operation: "PutKeyPolicy",
            labels: &[],
            body: json!({
            "KeyId": "alias/agentcore-recommendations", "PolicyName": "default",
            "Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}),
        },
        Case {
            service: Service::CloudTrail,
            operation: "LookupEvents",
            labels: &[],
            body: json!({
            "LookupAttributes": [{"AttributeKey": "EventSource", "AttributeValue": "kms.amazonaws.com"}],
            "MaxResults": 10}),
        },
    ]
}

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone)]
struct Mutation {
    at: Vec<Seg>,
    /// None removes the member.
    value: Option<Value>,
    /// The member the answer must name, as AWS writes paths.
    names: String,
    what: String,
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn with(at: &[Seg], s: Seg) -> Vec<Seg> {
    let mut v = at.to_vec();
    v.push(s);
    v
}

/// Some value of the member's type, to set a second member of a union.
fn placeholder(shape: Option<&Shape>) -> Value {
    match shape.map(|s| s.kind) {
        Some(ShapeType::List) => json!([]),
        Some(ShapeType::String) | Some(ShapeType::Blob) | Some(ShapeType::Timestamp) => json!("x"),
        Some(ShapeType::Boolean) => json!(true),
        Some(ShapeType::Integer | ShapeType::Long | ShapeType::Double | ShapeType::Float) => {
            json!(1)
        }
        _ => json!({}),
    }
}

/// A value of `shape` that fails its pattern, if one of a few does.
fn off_pattern(m: &Model, shape: &Shape) -> Option<Value> {
    shape.pattern.as_ref()?;
    ["!", "-", " x", "\u{7}", "a!b", "0", "Z"]
        .into_iter()
        .map(|s| Value::String(s.to_string()))
        .find(|v| {
            m.validate(shape, v, "x")
                .iter()
                .any(|v| matches!(v.constraint, aws_models::Constraint::Pattern(_)))
        })
}

/// Every way to break one constraint of the members present in `value`.
fn mutations(
    m: &Model,
    shape: &Shape,
    value: &Value,
    at: &[Seg],
    path: &str,
    extra: usize,
    out: &mut Vec<Mutation>,
) {
    let mut push = |at: Vec<Seg>, value: Option<Value>, names: &str, what: &str| {
        out.push(Mutation {
            at,
            value,
            names: names.to_string(),
            what: what.to_string(),
        })
    };
    match shape.kind {
        ShapeType::Structure => {
            let Some(obj) = value.as_object() else { return };
            if shape.union
                && !path.is_empty()
                && let Some((other, member)) =
                    shape.members.iter().find(|(k, _)| !obj.contains_key(*k))
            {
                let mut both = obj.clone();
                both.insert(other.clone(), placeholder(m.shape(&member.shape)));
                push(
                    at.to_vec(),
                    Some(Value::Object(both)),
                    path,
                    "two union members",
                );
            }
            for name in &shape.required {
                if obj.contains_key(name) {
                    push(
                        with(at, Seg::Key(name.clone())),
                        None,
                        &join(path, name),
                        "required dropped",
                    );
                }
            }
            for (name, member) in &shape.members {
                if let (Some(v), Some(s)) = (obj.get(name), m.shape(&member.shape)) {
                    mutations(
                        m,
                        s,
                        v,
                        &with(at, Seg::Key(name.clone())),
                        &join(path, name),
                        extra,
                        out,
                    );
                }
            }
        }
        ShapeType::List => {
            let Some(items) = value.as_array() else {
                return;
            };
            if let Some(max) = shape.max.filter(|n| *n < 200.0)
                && let Some(first) = items.first()
            {
                push(
                    at.to_vec(),
                    Some(Value::Array(vec![first.clone(); max as usize + extra])),
                    path,
                    "too many items",
                );
            }
            if shape.min.is_some_and(|n| n >= 1.0) {
                push(at.to_vec(), Some(json!([])), path, "no items");
            }
            if let (Some(first), Some(s)) = (
                items.first(),
                shape.member.as_ref().and_then(|r| m.shape(&r.shape)),
            ) {
                mutations(
                    m,
                    s,
                    first,
                    &with(at, Seg::Index(0)),
                    &format!("{path}.1.member"),
                    extra,
                    out,
                );
            }
        }
        ShapeType::Map => {
            let Some(obj) = value.as_object() else { return };
            if let Some(max) = shape.max.filter(|n| *n < 200.0) {
                let mut big = obj.clone();
                let v = obj.values().next().cloned().unwrap_or(json!("v"));
                for i in 0..max as usize + extra {
                    big.insert(format!("k{i}"), v.clone());
                }
                push(
                    at.to_vec(),
                    Some(Value::Object(big)),
                    path,
                    "too many entries",
                );
            }
            if let Some(ks) = shape.key.as_ref().and_then(|r| m.shape(&r.shape))
                && let Some(max) = ks.max
            {
                let mut bad = obj.clone();
                bad.insert(
                    "k".repeat(max as usize + extra),
                    obj.values().next().cloned().unwrap_or(json!("v")),
                );
                push(at.to_vec(), Some(Value::Object(bad)), path, "key too long");
            }
            if let (Some((k, v)), Some(s)) = (
                obj.iter().next(),
                shape.value.as_ref().and_then(|r| m.shape(&r.shape)),
            ) {
                mutations(
                    m,
                    s,
                    v,
                    &with(at, Seg::Key(k.clone())),
                    &format!("{path}.{k}"),
                    extra,
                    out,
                );
            }
        }
        ShapeType::String => {
            if !shape.enum_values.is_empty() {
                push(
                    at.to_vec(),
                    Some(json!("NOT_A_MODEL_VALUE")),
                    path,
                    "not an enum value",
                );
                return;
            }
            if let Some(max) = shape.max.filter(|n| *n < 30_000.0) {
                push(
                    at.to_vec(),
                    Some(Value::String("a".repeat(max as usize + extra))),
                    path,
                    "too long",
                );
            }
            if shape.min.is_some_and(|n| n >= 1.0) {
                push(at.to_vec(), Some(json!("")), path, "empty");
            }
            if let Some(v) = off_pattern(m, shape) {
                push(at.to_vec(), Some(v), path, "off pattern");
            }
        }
        ShapeType::Integer | ShapeType::Long | ShapeType::Double | ShapeType::Float => {
            if let Some(max) = shape.max {
                push(
                    at.to_vec(),
                    Some(json!(max + extra as f64)),
                    path,
                    "above range",
                );
            }
            if let Some(min) = shape.min {
                push(
                    at.to_vec(),
                    Some(json!(min - extra as f64)),
                    path,
                    "below range",
                );
            }
        }
        _ => {}
    }
}

fn apply(body: &Value, mu: &Mutation) -> Value {
    let mut out = body.clone();
    let (last, parents) = mu.at.split_last().expect("a member path");
    let mut cur = &mut out;
    for s in parents {
        cur = match s {
            Seg::Key(k) => &mut cur[k.as_str()],
            Seg::Index(i) => &mut cur[*i],
        };
    }
    match (last, &mu.value) {
        (Seg::Key(k), None) => {
            cur.as_object_mut().unwrap().remove(k);
        }
        (Seg::Key(k), Some(v)) => cur[k.as_str()] = v.clone(),
        (Seg::Index(i), Some(v)) => cur[*i] = v.clone(),
        (Seg::Index(i), None) => {
            cur.as_array_mut().unwrap().remove(*i);
        }
    }
    out
}

fn raw(port: u16, case: &Case, body: &Value) -> (u16, Value) {
    raw_at(port, case.service, case.operation, case.labels, body)
}

fn raw_at(
    port: u16,
    service: Service,
    operation: &str,
    labels: &[(&str, &str)],
    body: &Value,
) -> (u16, Value) {
    let op = model(service).operation(operation).unwrap();
    let text = body.to_string();
    let (target, path, ctype) = match service {
        Service::Kms => (
            Some(format!("TrentService.{operation}")),
            "/".to_string(),
            "application/x-amz-json-1.1",
        ),
        Service::CloudTrail => (
            Some(format!(
                "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.{operation}"
            )),
            "/".to_string(),
            "application/x-amz-json-1.1",
        ),
        _ => {
            let mut p = op.http.request_uri.split('?').next().unwrap().to_string();
            for (k, v) in labels {
                p = p.replace(&format!("{{{k}}}"), v);
            }
            (None, p, "application/json")
        }
    };
    let mut req = format!(
        "{} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n",
        op.http.method,
        text.len()
    );
    if let Some(t) = target {
        req.push_str(&format!("X-Amz-Target: {t}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(&text);
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let json = resp
        .split("\r\n\r\n")
        .nth(1)
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (status, json)
}

fn all_mutations(extra: usize) -> Vec<(usize, Mutation)> {
    let mut all = Vec::new();
    for (i, case) in cases().iter().enumerate() {
        let m = model(case.service);
        let shape = m.input(case.operation).unwrap();
        let mut out = Vec::new();
        mutations(m, shape, &case.body, &[], "", extra, &mut out);
        all.extend(out.into_iter().map(|mu| (i, mu)));
    }
    all
}

#[test]
fn the_unbroken_requests_satisfy_their_models() {
    for case in cases() {
        let mut input = case.body.clone();
        for (k, v) in case.labels {
            input[*k] = json!(v);
        }
        let v = model(case.service).validate_input(case.operation, &input);
        assert!(v.is_empty(), "{}: {v:#?}", case.operation);
    }
    assert!(all_mutations(1).len() > 150, "{}", all_mutations(1).len());
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// Each unbroken request is sent once first, so a broken one with the same name would meet
/// a ConflictException if validation came second.
fn seeded(rt: &tokio::runtime::Runtime) -> common::Checked {
    let emu = rt.block_on(common::start());
    for case in cases() {
        raw(emu.port(), &case, &case.body);
    }
    emu
}

fn assert_rejected(port: u16, case: &Case, mu: &Mutation) -> Result<(), TestCaseError> {
    let (status, body) = raw(port, case, &apply(&case.body, mu));
    let ty = body["__type"].as_str().unwrap_or_default();
    let message = body["message"].as_str().unwrap_or_default();
    prop_assert_eq!(
        status,
        400,
        "{} {} at {}: {}",
        case.operation,
        mu.what,
        mu.names,
        body
    );
    prop_assert_eq!(
        ty,
        "ValidationException",
        "{} {} at {}: {}",
        case.operation,
        mu.what,
        mu.names,
        body
    );
    prop_assert!(
        message.contains(&format!("at '{}'", mu.names)),
        "{} {} at {}: {}",
        case.operation,
        mu.what,
        mu.names,
        message
    );
    if case.service == Service::Control || case.service == Service::Data {
        let fields: Vec<&str> = body["fieldList"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["name"].as_str())
            .collect();
        prop_assert!(
            fields.contains(&mu.names.as_str()),
            "{} fieldList {:?} lacks {}",
            case.operation,
            fields,
            mu.names
        );
    }
    Ok(())
}

#[test]
fn every_single_broken_constraint_is_a_400_naming_its_member() {
    let rt = runtime();
    let emu = seeded(&rt);
    let cases = cases();
    for (i, mu) in all_mutations(1) {
        if let Err(e) = assert_rejected(emu.port(), &cases[i], &mu) {
            panic!("{e}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn any_overflow_of_any_constraint_is_rejected_first(pick in any::<prop::sample::Index>(), extra in 1usize..40) {
        let rt = runtime();
        let emu = seeded(&rt);
        let all = all_mutations(extra);
        let (i, mu) = &all[pick.index(all.len())];
        assert_rejected(emu.port(), &cases()[*i], mu)?;
    }
}

/// A value for a path label that its model rejects and that still travels in a request line
/// unescaped (so the test sends exactly what a client would).
fn off_model_label(m: &Model, shape: &Shape) -> Option<String> {
    let too_long = shape.max.map(|max| "a".repeat(max as usize + 1));
    ["a!b", "-", "0", "Z", "a.b"]
        .into_iter()
        .map(str::to_string)
        .chain(too_long)
        .find(|v| !m.validate(shape, &json!(v), "x").is_empty())
}

/// Ids travel in the path of every Get, Update and Delete: an off-model id is AWS's 400
/// naming the label, never the 404 of a lookup that should not have happened.
#[test]
fn an_off_model_id_in_the_path_is_a_400_before_any_lookup() {
    let rt = runtime();
    let emu = rt.block_on(common::start());
    let mut checked = 0;
    for service in [Service::Control, Service::Data] {
        let m = model(service);
        for name in m.operations.keys() {
            let Some(input) = m.input(name) else { continue };
            for (member, spec) in &input.members {
                if spec.location.as_deref() != Some("uri") {
                    continue;
                }
                let shape = m.shape(&spec.shape).unwrap();
                let Some(bad) = off_model_label(m, shape) else {
                    continue;
                };
                let label = spec.wire_name(member);
                let labels: Vec<(&str, String)> = input
                    .members
                    .iter()
                    .filter(|(_, s)| s.location.as_deref() == Some("uri"))
                    .map(|(k, s)| {
                        let l = s.wire_name(k);
                        let ok = if l == label { bad.clone() } else { "x".into() };
                        (l, ok)
                    })
                    .collect();
                let labels: Vec<(&str, &str)> =
                    labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let (status, body) = raw_at(emu.port(), service, name, &labels, &json!({}));
                assert_eq!(status, 400, "{name} with {label}={bad}: {body}");
                assert_eq!(
                    body["__type"], "ValidationException",
                    "{name} with {label}={bad}: {body}"
                );
                let message = body["message"].as_str().unwrap_or_default();
                assert!(
                    message.contains(&format!("at '{member}'")),
                    "{name} with {label}={bad}: {message}"
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 20,
        "only {checked} path labels have a constraint"
    );
}
