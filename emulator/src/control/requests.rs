//! What the control plane does with a request body: the checks AWS makes (every problem in one
//! ValidationException), what the service fills in at creation, how an update changes the spec,
//! and why provisioning fails.

use serde_json::{Map, Value, json};

use crate::validate::{Check, HYPHEN_PATTERN, UNDERSCORE_PATTERN, hyphen_name, underscore_name};
use crate::wire::{ApiError, ts_num};
use crate::world::{Ctx, Kind, Resource, WorldState};

const AUTHORIZER_TYPES: [&str; 4] = ["CUSTOM_JWT", "AWS_IAM", "NONE", "AUTHENTICATE_ONLY"];
const TRACES: [&str; 1] = ["cloudWatchLogs"];

fn check_authorizer(c: &mut Check, path: &str) {
    c.union(path, &["customJWTAuthorizer"]);
    c.required(&format!("{path}.customJWTAuthorizer.discoveryUrl"));
}

pub fn validate_create(
    world: &WorldState,
    ctx: &Ctx,
    kind: Kind,
    body: &Map<String, Value>,
) -> Result<(), ApiError> {
    let mut c = Check::new(body);
    c.tags("tags");
    match kind {
        Kind::Memory => {
            check_memory_key(world, ctx, &mut c, body);
            c.required("name")
                .required("eventExpiryDuration")
                .name("name", 48, UNDERSCORE_PATTERN, underscore_name)
                .int_range("eventExpiryDuration", 3, 365)
                .arn("encryptionKeyArn", "kms")
                .arn("memoryExecutionRoleArn", "iam");
            if let Some(Value::Array(strats)) = body.get("memoryStrategies") {
                for (i, s) in strats.iter().enumerate() {
                    let ok = s.as_object().is_some_and(|m| {
                        m.len() == 1 && m.keys().all(|k| STRATEGY_TYPES.iter().any(|(n, _)| n == k))
                    });
                    if !ok {
                        c.fail(
                            &format!("memoryStrategies.{i}"),
                            format!(
                                "Value at 'memoryStrategies.{i}' must have exactly one of [{}]",
                                STRATEGY_TYPES.map(|(n, _)| n).join(", ")
                            ),
                        );
                    }
                }
            }
        }
        Kind::Gateway => {
            c.required("name")
                .required("roleArn")
                .required("authorizerType")
                .name("name", 100, HYPHEN_PATTERN, hyphen_name)
                .arn("roleArn", "iam")
                .one_of("authorizerType", &AUTHORIZER_TYPES)
                .one_of("protocolType", &["MCP"])
                .one_of("exceptionLevel", &["DEBUG"])
                .union("protocolConfiguration", &["mcp"])
                .one_of("protocolConfiguration.mcp.searchType", &["SEMANTIC"])
                .one_of("policyEngineConfiguration.mode", &["LOG_ONLY", "ENFORCE"])
                .arn("kmsKeyArn", "kms");
            if body.contains_key("authorizerConfiguration") {
                check_authorizer(&mut c, "authorizerConfiguration");
            }
            if body.get("authorizerType").and_then(Value::as_str) == Some("CUSTOM_JWT")
                && body.get("authorizerConfiguration").is_none()
            {
                c.fail(
                    "authorizerConfiguration",
                    "authorizerConfiguration is required when authorizerType is CUSTOM_JWT".into(),
                );
            }
            check_policy_engine_ref(world, ctx, &mut c, body);
        }
        Kind::GatewayTarget => {
            c.required("targetConfiguration")
                .name("name", 100, HYPHEN_PATTERN, hyphen_name)
                .union("targetConfiguration", &["mcp", "http", "inference"]);
            c.union(
                "targetConfiguration.mcp",
                &[
                    "openApiSchema",
                    "smithyModel",
                    "lambda",
                    "mcpServer",
                    "apiGateway",
                    "connector",
                ],
            );
            c.union(
                "targetConfiguration.mcp.lambda.toolSchema",
                &["s3", "inlinePayload"],
            );
            if let Some(Value::Array(creds)) = body.get("credentialProviderConfigurations") {
                for (i, cred) in creds.iter().enumerate() {
                    let t = cred.get("credentialProviderType").and_then(Value::as_str);
                    if !t.is_some_and(|t| {
                        [
                            "GATEWAY_IAM_ROLE",
                            "OAUTH",
                            "API_KEY",
                            "JWT_PASSTHROUGH",
                            "CALLER_IAM_CREDENTIALS",
                        ]
                        .contains(&t)
                    }) {
                        c.fail(&format!("credentialProviderConfigurations.{i}.credentialProviderType"), format!("Value '{}' at 'credentialProviderConfigurations.{i}.credentialProviderType' failed to satisfy constraint: Member must satisfy enum value set: [GATEWAY_IAM_ROLE, OAUTH, API_KEY, JWT_PASSTHROUGH, CALLER_IAM_CREDENTIALS]", t.unwrap_or("null")));
                    }
                }
            }
        }
        Kind::PolicyEngine => {
            c.required("name")
                .name("name", 48, UNDERSCORE_PATTERN, underscore_name)
                .arn("encryptionKeyArn", "kms");
        }
        Kind::Policy => {
            c.required("name")
                .required("definition")
                .name("name", 48, UNDERSCORE_PATTERN, underscore_name)
                .union("definition", &["cedar", "policyGeneration", "policy"])
                .required_if_present("definition.cedar", "definition.cedar.statement")
                .one_of("enforcementMode", &["ACTIVE", "LOG_ONLY"])
                .one_of(
                    "validationMode",
                    &["FAIL_ON_ANY_FINDINGS", "IGNORE_ALL_FINDINGS"],
                );
        }
        Kind::AgentRuntime => {
            c.required("agentRuntimeName")
                .required("agentRuntimeArtifact")
                .required("roleArn");
            runtime_checks(&mut c, body);
            c.name("agentRuntimeName", 48, UNDERSCORE_PATTERN, underscore_name);
        }
        Kind::Evaluator => {
            c.required("evaluatorName")
                .required("evaluatorConfig")
                .required("level")
                .name("evaluatorName", 48, UNDERSCORE_PATTERN, underscore_name)
                .union("evaluatorConfig", &["llmAsAJudge", "codeBased", "derived"])
                .one_of("level", &["TOOL_CALL", "TRACE", "SESSION"])
                .arn("kmsKeyArn", "kms");
        }
        Kind::OnlineEvaluationConfig => {
            c.required("onlineEvaluationConfigName")
                .required("rule")
                .required("dataSourceConfig")
                .required("evaluationExecutionRoleArn")
                .required("enableOnCreate")
                .name(
                    "onlineEvaluationConfigName",
                    48,
                    UNDERSCORE_PATTERN,
                    underscore_name,
                )
                .required_if_present("rule", "rule.samplingConfig")
                .required_if_present(
                    "rule.samplingConfig",
                    "rule.samplingConfig.samplingPercentage",
                )
                .union("dataSourceConfig", &TRACES)
                .arn("evaluationExecutionRoleArn", "iam");
            check_service_names(&mut c);
            check_evaluator_refs(world, ctx, &mut c, body);
        }
    }
    c.finish()
}

/// CloudWatchLogsInputConfig: serviceNames is required and holds exactly one name (min 1, max 1).
fn check_service_names(c: &mut Check) {
    const LOGS: &str = "dataSourceConfig.cloudWatchLogs";
    c.required_if_present(LOGS, "dataSourceConfig.cloudWatchLogs.serviceNames")
        .list_len("dataSourceConfig.cloudWatchLogs.serviceNames", 1, 1);
}

/// `<12 digits>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]`, the pattern AWS enforces.
fn ecr_uri(uri: &str) -> bool {
    let Some((host, rest)) = uri.split_once('/') else {
        return false;
    };
    let host_ok = host
        .strip_suffix(".amazonaws.com")
        .and_then(|h| h.split_once(".dkr.ecr."))
        .is_some_and(|(acct, region)| {
            acct.len() == 12
                && acct.chars().all(|c| c.is_ascii_digit())
                && !region.is_empty()
                && region
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    let repo = rest.split(['@', ':']).next().unwrap_or_default();
    host_ok
        && !repo.is_empty()
        && repo.split('/').all(|seg| {
            !seg.is_empty()
                && seg.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && seg
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        })
}

fn runtime_checks(c: &mut Check, body: &Map<String, Value>) {
    c.name(
        "agentRuntimeArtifact.containerConfiguration.containerUri",
        1024,
        "([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)([:@]\\S+)?",
        ecr_uri,
    );
    for member in ["code", "runtime", "entryPoint"] {
        c.required_if_present(
            "agentRuntimeArtifact.codeConfiguration",
            &format!("agentRuntimeArtifact.codeConfiguration.{member}"),
        );
    }
    c.union("agentRuntimeArtifact.codeConfiguration.code", &["s3"]);
    c.required_if_present(
        "agentRuntimeArtifact.codeConfiguration.code.s3",
        "agentRuntimeArtifact.codeConfiguration.code.s3.bucket",
    );
    c.union(
        "agentRuntimeArtifact",
        &["containerConfiguration", "codeConfiguration"],
    )
    .required_if_present(
        "agentRuntimeArtifact.containerConfiguration",
        "agentRuntimeArtifact.containerConfiguration.containerUri",
    )
    .one_of(
        "agentRuntimeArtifact.codeConfiguration.runtime",
        &[
            "PYTHON_3_10",
            "PYTHON_3_11",
            "PYTHON_3_12",
            "PYTHON_3_13",
            "PYTHON_3_14",
            "NODE_22",
        ],
    )
    .arn("roleArn", "iam")
    .one_of("networkConfiguration.networkMode", &["PUBLIC", "VPC"])
    .one_of(
        "protocolConfiguration.serverProtocol",
        &["HTTP", "MCP", "A2A", "AGUI"],
    );
    if body.contains_key("authorizerConfiguration") {
        check_authorizer(c, "authorizerConfiguration");
    }
    if let Some(Value::Object(env)) = body.get("environmentVariables") {
        for (k, v) in env {
            if !v.is_string() {
                c.fail(
                    &format!("environmentVariables.{k}"),
                    format!("Value of environment variable {k} must be a string"),
                );
            }
        }
    }
}

/// Memory encrypts with the customer's key from the start, so the key must be usable now.
fn check_memory_key(world: &WorldState, ctx: &Ctx, c: &mut Check, body: &Map<String, Value>) {
    let Some(arn) = body.get("encryptionKeyArn").and_then(Value::as_str) else {
        return;
    };
    if !arn.starts_with("arn:aws:kms:") {
        return; // reported by the ARN check
    }
    let problem = match crate::kms::resolve(world, &ctx.region, arn) {
        Err(_) if arn.split(':').nth(3) != Some(ctx.region.as_str()) => Some(format!(
            "KMS key {arn} is not in {}; memory needs a key in its own region",
            ctx.region
        )),
        Err(_) => Some(format!("KMS key {arn} does not exist")),
        Ok(k) if k.key_state != "Enabled" => Some(format!(
            "KMS key {arn} is {}; enable it or choose another key",
            k.key_state
        )),
        Ok(k) if !k.is_symmetric() => Some(format!(
            "KMS key {arn} is {}; memory needs a symmetric encryption key",
            k.key_spec
        )),
        Ok(_) => None,
    };
    if let Some(p) = problem {
        c.fail("encryptionKeyArn", p);
    }
}

fn check_policy_engine_ref(
    world: &WorldState,
    ctx: &Ctx,
    c: &mut Check,
    body: &Map<String, Value>,
) {
    let Some(arn) = body
        .get("policyEngineConfiguration")
        .and_then(|p| p.get("arn"))
        .and_then(Value::as_str)
    else {
        return;
    };
    let engine = world
        .resources
        .values()
        .find(|r| r.kind == Kind::PolicyEngine && r.region == ctx.region && r.arn == arn);
    match engine {
        None => c.fail(
            "policyEngineConfiguration.arn",
            format!("Policy engine {arn} does not exist in {}", ctx.region),
        ),
        // A gateway can only be associated with an engine that has finished provisioning.
        Some(e) if e.status != "ACTIVE" => c.fail(
            "policyEngineConfiguration.arn",
            format!(
                "Policy engine {arn} is {}; wait until it is ACTIVE before associating it",
                e.status
            ),
        ),
        Some(_) => {}
    }
}

fn check_evaluator_refs(world: &WorldState, ctx: &Ctx, c: &mut Check, body: &Map<String, Value>) {
    if let Some(Value::Array(evs)) = body.get("evaluators") {
        for (i, e) in evs.iter().enumerate() {
            match e.get("evaluatorId").and_then(Value::as_str) {
                Some(id) if id.starts_with("Builtin.") => {}
                Some(id)
                    if world.resources.values().any(|r| {
                        r.kind == Kind::Evaluator && r.region == ctx.region && r.id == id
                    }) => {}
                Some(id) => c.fail(
                    &format!("evaluators.{i}.evaluatorId"),
                    format!("Evaluator {id} does not exist"),
                ),
                None => c.fail(
                    &format!("evaluators.{i}"),
                    format!("Value at 'evaluators.{i}' must have exactly one of [evaluatorId]"),
                ),
            }
        }
    }
}

pub fn validate_update(
    world: &WorldState,
    ctx: &Ctx,
    kind: Kind,
    body: &Map<String, Value>,
) -> Result<(), ApiError> {
    let mut c = Check::new(body);
    match kind {
        Kind::Gateway => {
            c.required("name")
                .required("roleArn")
                .required("authorizerType")
                .name("name", 100, HYPHEN_PATTERN, hyphen_name)
                .arn("roleArn", "iam")
                .one_of("authorizerType", &AUTHORIZER_TYPES)
                .one_of("policyEngineConfiguration.mode", &["LOG_ONLY", "ENFORCE"])
                .required_if_present("policyEngineConfiguration", "policyEngineConfiguration.arn")
                .required_if_present(
                    "policyEngineConfiguration",
                    "policyEngineConfiguration.mode",
                );
            check_policy_engine_ref(world, ctx, &mut c, body);
        }
        Kind::GatewayTarget => {
            c.required("targetConfiguration")
                .union("targetConfiguration", &["mcp", "http", "inference"]);
        }
        Kind::AgentRuntime => {
            c.required("agentRuntimeArtifact").required("roleArn");
            runtime_checks(&mut c, body);
        }
        Kind::Memory => {
            c.int_range("eventExpiryDuration", 3, 365);
        }
        Kind::Policy => {
            c.union("definition", &["cedar", "policyGeneration", "policy"])
                .one_of("enforcementMode", &["ACTIVE", "LOG_ONLY"]);
        }
        Kind::Evaluator => {
            c.union("evaluatorConfig", &["llmAsAJudge", "codeBased", "derived"])
                .one_of("level", &["TOOL_CALL", "TRACE", "SESSION"]);
        }
        Kind::OnlineEvaluationConfig => {
            c.one_of("executionStatus", &["ENABLED", "DISABLED"])
                .union("dataSourceConfig", &TRACES);
            check_service_names(&mut c);
            check_evaluator_refs(world, ctx, &mut c, body);
        }
        Kind::PolicyEngine => {}
    }
    c.finish()
}

const STRATEGY_TYPES: [(&str, &str); 5] = [
    ("semanticMemoryStrategy", "SEMANTIC"),
    ("summaryMemoryStrategy", "SUMMARIZATION"),
    ("userPreferenceMemoryStrategy", "USER_PREFERENCE"),
    ("customMemoryStrategy", "CUSTOM"),
    ("episodicMemoryStrategy", "EPISODIC"),
];

fn strategy(world: &mut WorldState, ctx: &Ctx, input: &Value) -> Option<Value> {
    let (variant, inner) = input.as_object()?.iter().next()?;
    let stype = STRATEGY_TYPES.iter().find(|(n, _)| n == variant)?.1;
    let name = inner.get("name").and_then(Value::as_str).unwrap_or(stype);
    let namespaces = inner.get("namespaces").cloned().unwrap_or(json!([]));
    let mut s = json!({
        "strategyId": format!("{name}-{}", world.next_suffix(10, false)),
        "name": name, "type": stype, "status": "ACTIVE",
        "namespaces": namespaces.clone(),
        "namespaceTemplates": inner.get("namespaceTemplates").cloned().unwrap_or(namespaces),
        "createdAt": ts_num(&ctx.now), "updatedAt": ts_num(&ctx.now),
    });
    if let Some(d) = inner.get("description") {
        s["description"] = d.clone();
    }
    Some(s)
}

/// Fills in what the service adds at creation (strategy ids, execution status).
pub fn complete_spec(
    world: &mut WorldState,
    ctx: &Ctx,
    kind: Kind,
    _id: &str,
    spec: &mut Map<String, Value>,
) {
    match kind {
        Kind::Memory => {
            let inputs = spec
                .remove("memoryStrategies")
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default();
            let strategies: Vec<Value> = inputs
                .iter()
                .filter_map(|i| strategy(world, ctx, i))
                .collect();
            spec.insert("strategies".into(), Value::Array(strategies));
        }
        Kind::OnlineEvaluationConfig => {
            let on = spec
                .get("enableOnCreate")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            spec.insert(
                "executionStatus".into(),
                json!(if on { "ENABLED" } else { "DISABLED" }),
            );
        }
        Kind::Gateway if !spec.contains_key("protocolType") => {
            spec.insert("protocolType".into(), json!("MCP"));
        }
        _ => {}
    }
}

pub fn apply_update(
    world: &mut WorldState,
    kind: Kind,
    r: &mut Resource,
    body: Map<String, Value>,
    ctx: &Ctx,
) {
    for (k, v) in body {
        match (kind, k.as_str()) {
            (_, "clientToken") => {}
            (Kind::PolicyEngine | Kind::Policy, "description") => match v.get("optionalValue") {
                Some(d) => {
                    r.spec.insert("description".into(), d.clone());
                }
                None => {
                    r.spec.remove("description");
                }
            },
            (Kind::Memory, "memoryStrategies") => {
                let mut strategies = r
                    .spec
                    .get("strategies")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if let Some(Value::Array(del)) = v.get("deleteMemoryStrategies") {
                    let ids: Vec<&str> = del
                        .iter()
                        .filter_map(|d| d.get("memoryStrategyId").and_then(Value::as_str))
                        .collect();
                    strategies.retain(|s| {
                        !ids.contains(
                            &s.get("strategyId")
                                .and_then(Value::as_str)
                                .unwrap_or_default(),
                        )
                    });
                }
                if let Some(Value::Array(add)) = v.get("addMemoryStrategies") {
                    strategies.extend(add.iter().filter_map(|a| strategy(world, ctx, a)));
                }
                r.spec.insert("strategies".into(), Value::Array(strategies));
            }
            (Kind::Gateway, "name") | (Kind::AgentRuntime, "agentRuntimeName") => {
                if let Some(n) = v.as_str() {
                    r.name = n.to_string();
                }
            }
            _ => {
                r.spec.insert(k, v);
            }
        }
    }
}

/// Why a create/update ends in a failed state: an injected fault, or a Cedar statement the
/// service would reject.
pub fn failure_reason(kind: Kind, spec: &Map<String, Value>, injected: bool) -> Option<String> {
    if injected {
        return Some(format!(
            "{} provisioning failed (injected fault)",
            kind.label()
        ));
    }
    if kind == Kind::Policy
        && let Some(stmt) = spec
            .get("definition")
            .and_then(|d| d.get("cedar"))
            .and_then(|c| c.get("statement"))
            .and_then(Value::as_str)
    {
        let t = stmt.trim();
        let effect_ok = t.starts_with("permit") || t.starts_with("forbid") || t.starts_with('@');
        let balanced = t.matches('(').count() == t.matches(')').count();
        if !effect_ok || !t.ends_with(';') || !balanced {
            return Some("Cedar parse error: a policy must look like permit(...) when {...}; or forbid(...) ...; and end with ';'".into());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::ecr_uri;

    #[test]
    fn container_uris_must_be_ecr() {
        assert!(ecr_uri(
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/agent:1"
        ));
        assert!(ecr_uri(
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/agent@sha256:abc"
        ));
        assert!(!ecr_uri("docker.io/library/agent:1"));
        assert!(!ecr_uri(
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/Agent:1"
        ));
        assert!(!ecr_uri("repo/agent:1"));
    }
}
