use aws_models::{Constraint, HttpRequest, Service, model, validation_message};
use serde_json::{Value, json};

#[test]
fn every_model_loads_and_every_pattern_runs() {
    for s in Service::ALL {
        let m = model(s);
        assert!(!m.operations.is_empty(), "{}", s.name());
        assert_eq!(m.pattern_errors(), Vec::<String>::new(), "{}", s.name());
    }
}

#[test]
fn data_is_the_pinned_release() {
    let regen = include_str!("../regen.py");
    let pin = regen
        .lines()
        .find_map(|l| l.strip_prefix("BOTOCORE = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("regen.py pins BOTOCORE");
    let version = aws_models::version();
    assert!(
        version.starts_with(&format!("botocore {pin} ")),
        "models/data/VERSION says `{version}` but regen.py pins {pin}: {}",
        aws_models::REGENERATE
    );
    for s in Service::ALL {
        let src = &model(s).source;
        assert_eq!(
            src.botocore,
            pin,
            "models/data/{}.json is from botocore {}: {}",
            s.name(),
            src.botocore,
            aws_models::REGENERATE
        );
        assert!(version.ends_with(&src.wheel_sha256));
    }
}

fn control(op: &str, input: Value) -> Vec<String> {
    model(Service::Control)
        .validate_input(op, &input)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn online_eval(service_names: Value) -> Value {
    json!({
        "onlineEvaluationConfigName": "support_desk_eval",
        "rule": {"samplingConfig": {"samplingPercentage": 10.0}},
        "dataSourceConfig": {"cloudWatchLogs": {
            "logGroupNames": ["/aws/bedrock-agentcore/runtimes/x"],
            "serviceNames": service_names}},
        "evaluators": [{"evaluatorId": "Builtin.Helpfulness"}],
        "evaluationExecutionRoleArn": "arn:aws:iam::111122223333:role/Eval",
        "enableOnCreate": true
    })
}

#[test]
fn online_evaluation_takes_exactly_one_service_name() {
    assert_eq!(
        control(
            "CreateOnlineEvaluationConfig",
            online_eval(json!(["a.DEFAULT"]))
        ),
        Vec::<String>::new()
    );
    let three = control(
        "CreateOnlineEvaluationConfig",
        online_eval(json!(["a.DEFAULT", "b.DEFAULT", "c.DEFAULT"])),
    );
    assert_eq!(
        three,
        vec![
            "Value at 'dataSourceConfig.cloudWatchLogs.serviceNames' failed to satisfy constraint: Member must have length less than or equal to 1"
        ]
    );
}

#[test]
fn lengths_patterns_enums_and_required_in_aws_words() {
    let m = model(Service::Control);
    let v = m.validate_input(
        "CreateEvaluator",
        &json!({"evaluatorName": "bad-name", "description": "x".repeat(201), "level": "GALAXY",
                "evaluatorConfig": {"llmAsAJudge": {"instructions": "i", "ratingScale": {"numerical": []},
                 "modelConfig": {"bedrockEvaluatorModelConfig": {"modelId": "m"}}}}}),
    );
    let text = validation_message(&v);
    assert!(
        text.starts_with(&format!("{} validation errors detected: ", v.len())),
        "{text}"
    );
    assert!(text.contains("Value 'bad-name' at 'evaluatorName' failed to satisfy constraint: Member must satisfy regular expression pattern: "), "{text}");
    assert!(text.contains("at 'description' failed to satisfy constraint: Member must have length less than or equal to 200"), "{text}");
    assert!(text.contains("Value 'GALAXY' at 'level' failed to satisfy constraint: Member must satisfy enum value set: ["), "{text}");
    let missing = m.validate_input(
        "CreateMemory",
        &json!({"eventExpiryDuration": 30,
        "memoryStrategies": [{"semanticMemoryStrategy": {"description": "no name"}}]}),
    );
    let paths: Vec<(&str, &Constraint)> = missing
        .iter()
        .map(|v| (v.path.as_str(), &v.constraint))
        .collect();
    assert!(
        paths.contains(&("name", &Constraint::Required)),
        "{paths:?}"
    );
    assert!(
        paths.contains(&(
            "memoryStrategies.1.member.semanticMemoryStrategy.name",
            &Constraint::Required
        )),
        "{paths:?}"
    );
}

#[test]
fn unions_need_exactly_one_member() {
    let m = model(Service::Control);
    let both = m.validate_input("CreateMemory", &json!({"name": "m", "eventExpiryDuration": 30,
        "memoryStrategies": [{"semanticMemoryStrategy": {"name": "a"}, "summaryMemoryStrategy": {"name": "b"}}]}));
    assert!(
        both.iter().any(|v| v.path == "memoryStrategies.1.member"
            && matches!(v.constraint, Constraint::OneMember(_))),
        "{both:?}"
    );
    let range = m.validate_input(
        "CreateMemory",
        &json!({"name": "m", "eventExpiryDuration": 0}),
    );
    assert!(
        range
            .iter()
            .any(|v| v.path == "eventExpiryDuration" && matches!(v.constraint, Constraint::Min(_))),
        "{range:?}"
    );
}

#[test]
fn rest_requests_bind_labels_query_and_body() {
    let m = model(Service::Control);
    assert_eq!(
        m.route("GET", "/runtimes/abc-1234567890/"),
        Some("GetAgentRuntime")
    );
    assert_eq!(m.route("POST", "/memories/create"), Some("CreateMemory"));
    let header = |_: &str| None;
    let query = vec![("version".to_string(), "3".to_string())];
    let req = HttpRequest {
        method: "GET",
        path: "/runtimes/bad%20id/",
        query: &query,
        header: &header,
        body: b"",
    };
    let input = m.bind("GetAgentRuntime", &req).unwrap();
    assert_eq!(
        input,
        json!({"agentRuntimeId": "bad id", "agentRuntimeVersion": "3"})
    );
    let v = m.validate_input("GetAgentRuntime", &input);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].path, "agentRuntimeId");
    let s3 = model(Service::S3);
    let req = HttpRequest {
        method: "PUT",
        path: "/bucket/a/b%2Fc.zip",
        query: &[],
        header: &header,
        body: b"zip",
    };
    let input = s3.bind("PutObject", &req).unwrap();
    assert_eq!(input["Key"], "a/b/c.zip");
    assert_eq!(s3.validate_input("PutObject", &input), vec![]);
}

#[test]
fn sensitive_values_are_not_echoed() {
    let m = model(Service::Kms);
    let v = m.validate_input("Encrypt", &json!({"KeyId": "k", "Plaintext": ""}));
    let text = validation_message(&v);
    assert!(text.contains("at 'Plaintext'"), "{text}");
    assert!(!text.contains("Value ''"), "{text}");
}

/// The data holds exactly the operations regen.py asks for: an operation added to the list
/// but not regenerated (or data edited by hand) is caught here, not by a missing check later.
#[test]
fn data_holds_the_operations_regen_py_lists() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/regen.py");
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, runpy, sys; g = runpy.run_path(sys.argv[1], run_name='listing'); \
             print(json.dumps({k: sorted(v[1]) for k, v in g['SERVICES'].items()}))",
            script,
        ])
        .output();
    let Ok(out) = out else {
        eprintln!("skipped: python3 is not installed, so regen.py's lists cannot be read");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_slice(&out.stdout).expect("regen.py's SERVICES as JSON");
    for s in Service::ALL {
        let want = listed
            .get(s.name())
            .unwrap_or_else(|| panic!("regen.py does not list {}", s.name()));
        let have: Vec<String> = model(s).operations.keys().cloned().collect();
        assert_eq!(
            &have,
            want,
            "models/data/{}.json and regen.py disagree: {}",
            s.name(),
            aws_models::REGENERATE
        );
    }
    assert_eq!(listed.len(), Service::ALL.len(), "{listed:?}");
}
