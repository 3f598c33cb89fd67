//! Per-kind identity (ids, ARNs) and response shapes: member names and timestamp JSON types from the SDK.

use serde_json::{Map, Value, json};

use crate::wire::{ts_num, ts_str};
use crate::world::{Kind, Resource, WorldState};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Create,
    Get,
    Update,
    Delete,
    Summary,
}

impl Kind {
    fn name_member(self) -> &'static str {
        match self {
            Kind::AgentRuntime => "agentRuntimeName",
            Kind::Evaluator => "evaluatorName",
            Kind::OnlineEvaluationConfig => "onlineEvaluationConfigName",
            _ => "name",
        }
    }

    pub fn name_of(self, body: &Map<String, Value>) -> Option<String> {
        body.get(self.name_member())
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    pub fn new_id(self, world: &mut WorldState, name: &str) -> String {
        match self {
            Kind::GatewayTarget => world.next_suffix(10, true),
            Kind::Gateway => format!(
                "{}-{}",
                name.to_lowercase(),
                world.next_suffix(10, false).to_lowercase()
            ),
            // The model's ResourceId: `[A-Za-z][A-Za-z0-9_]*-[a-z0-9_]{10}`.
            Kind::PolicyEngine | Kind::Policy => {
                format!("{name}-{}", world.next_suffix(10, false).to_lowercase())
            }
            _ => format!("{name}-{}", world.next_suffix(10, false)),
        }
    }

    pub fn arn(self, region: &str, account: &str, id: &str, parent: Option<&str>) -> String {
        let res = match self {
            Kind::Memory => format!("memory/{id}"),
            Kind::Gateway => format!("gateway/{id}"),
            Kind::GatewayTarget => format!("gateway/{}/target/{id}", parent.unwrap_or_default()),
            Kind::PolicyEngine => format!("policy-engine/{id}"),
            Kind::Policy => format!("policy-engine/{}/policy/{id}", parent.unwrap_or_default()),
            Kind::AgentRuntime => format!("runtime/{id}"),
            Kind::Evaluator => format!("evaluator/{id}"),
            Kind::OnlineEvaluationConfig => format!("online-evaluation-config/{id}"),
        };
        format!("arn:aws:bedrock-agentcore:{region}:{account}:{res}")
    }

    pub fn list_member(self) -> &'static str {
        match self {
            Kind::Memory => "memories",
            Kind::Gateway | Kind::GatewayTarget => "items",
            Kind::PolicyEngine => "policyEngines",
            Kind::Policy => "policies",
            Kind::AgentRuntime => "agentRuntimes",
            Kind::Evaluator => "evaluators",
            Kind::OnlineEvaluationConfig => "onlineEvaluationConfigs",
        }
    }

    pub fn render(self, r: &Resource, shape: Shape) -> Value {
        match self {
            Kind::Memory => memory(r, shape),
            Kind::Gateway => gateway(r, shape),
            Kind::GatewayTarget => target(r, shape),
            Kind::PolicyEngine => policy_engine(r),
            Kind::Policy => policy(r),
            Kind::AgentRuntime => runtime(r, shape),
            Kind::Evaluator => evaluator(r, shape),
            Kind::OnlineEvaluationConfig => online_eval(r, shape),
        }
    }
}

fn copy(out: &mut Value, spec: &Map<String, Value>, members: &[&str]) {
    for m in members {
        if let Some(v) = spec.get(*m).filter(|v| !v.is_null()) {
            out[*m] = v.clone();
        }
    }
}

fn reasons(r: &Resource) -> Vec<String> {
    r.failure_reason.iter().cloned().collect()
}

fn memory(r: &Resource, shape: Shape) -> Value {
    match shape {
        Shape::Delete => json!({ "memoryId": r.id, "status": r.status }),
        Shape::Summary => {
            json!({ "arn": r.arn, "id": r.id, "status": r.status, "createdAt": ts_num(&r.created_at), "updatedAt": ts_num(&r.updated_at) })
        }
        _ => {
            let mut m = json!({
                "arn": r.arn, "id": r.id, "name": r.name, "status": r.status,
                "createdAt": ts_num(&r.created_at), "updatedAt": ts_num(&r.updated_at),
                "strategies": r.spec.get("strategies").cloned().unwrap_or(json!([])),
            });
            copy(
                &mut m,
                &r.spec,
                &[
                    "description",
                    "encryptionKeyArn",
                    "memoryExecutionRoleArn",
                    "eventExpiryDuration",
                    "indexedKeys",
                    "namespaceKeys",
                    "streamDeliveryResources",
                ],
            );
            if let Some(f) = &r.failure_reason {
                m["failureReason"] = json!(f);
            }
            json!({ "memory": m })
        }
    }
}

fn gateway(r: &Resource, shape: Shape) -> Value {
    match shape {
        Shape::Delete => {
            json!({ "gatewayId": r.id, "status": r.status, "statusReasons": reasons(r) })
        }
        Shape::Summary => {
            let mut v = json!({
                "gatewayId": r.id, "name": r.name, "status": r.status,
                "createdAt": ts_str(&r.created_at), "updatedAt": ts_str(&r.updated_at),
                "authorizerType": r.spec.get("authorizerType").cloned().unwrap_or(json!("NONE")),
                "protocolType": r.spec.get("protocolType").cloned().unwrap_or(json!("MCP")),
            });
            copy(&mut v, &r.spec, &["description"]);
            v
        }
        _ => {
            let mut v = json!({
                "gatewayArn": r.arn, "gatewayId": r.id,
                "gatewayUrl": format!("https://{}.gateway.bedrock-agentcore.{}.amazonaws.com/mcp", r.id, r.region),
                "createdAt": ts_str(&r.created_at), "updatedAt": ts_str(&r.updated_at),
                "status": r.status, "statusReasons": reasons(r), "name": r.name,
                "protocolType": r.spec.get("protocolType").cloned().unwrap_or(json!("MCP")),
                "workloadIdentityDetails": { "workloadIdentityArn": workload_identity(r) },
            });
            copy(
                &mut v,
                &r.spec,
                &[
                    "description",
                    "roleArn",
                    "protocolConfiguration",
                    "authorizerType",
                    "authorizerConfiguration",
                    "kmsKeyArn",
                    "customTransformConfiguration",
                    "interceptorConfigurations",
                    "policyEngineConfiguration",
                    "exceptionLevel",
                    "wafConfiguration",
                ],
            );
            v
        }
    }
}

fn workload_identity(r: &Resource) -> String {
    let acct = r.arn.split(':').nth(4).unwrap_or_default();
    format!(
        "arn:aws:bedrock-agentcore:{}:{acct}:workload-identity-directory/default/workload-identity/{}",
        r.region, r.name
    )
}

fn gateway_arn_of(r: &Resource) -> String {
    r.arn
        .split("/target/")
        .next()
        .unwrap_or_default()
        .to_string()
}

fn target_type(spec: &Map<String, Value>) -> Option<&'static str> {
    let cfg = spec.get("targetConfiguration")?;
    let (outer, inner) = cfg.as_object()?.iter().next()?;
    let variant = inner
        .as_object()
        .and_then(|m| m.keys().next())
        .map(String::as_str)
        .unwrap_or_default();
    Some(match (outer.as_str(), variant) {
        ("mcp", "openApiSchema") => "OPEN_API_SCHEMA",
        ("mcp", "smithyModel") => "SMITHY_MODEL",
        ("mcp", "lambda") => "LAMBDA",
        ("mcp", "mcpServer") => "MCP_SERVER",
        ("mcp", "apiGateway") => "API_GATEWAY",
        ("mcp", "connector") | ("http", "connector") => "CONNECTOR",
        ("http", "agentcoreRuntime") => "AGENTCORE_RUNTIME",
        ("http", "passthrough") => "PASSTHROUGH",
        ("inference", "provider") => "PROVIDER",
        _ => return None,
    })
}

fn target(r: &Resource, shape: Shape) -> Value {
    match shape {
        Shape::Delete => {
            json!({ "gatewayArn": gateway_arn_of(r), "targetId": r.id, "status": r.status, "statusReasons": reasons(r) })
        }
        Shape::Summary => {
            let mut v = json!({
                "targetId": r.id, "name": r.name, "status": r.status,
                "createdAt": ts_str(&r.created_at), "updatedAt": ts_str(&r.updated_at),
            });
            copy(&mut v, &r.spec, &["description"]);
            if let Some(t) = target_type(&r.spec) {
                v["targetType"] = json!(t);
            }
            v
        }
        _ => {
            let mut v = json!({
                "gatewayArn": gateway_arn_of(r), "targetId": r.id,
                "createdAt": ts_str(&r.created_at), "updatedAt": ts_str(&r.updated_at),
                "status": r.status, "statusReasons": reasons(r), "name": r.name,
                // A target created without credentials uses the gateway's role; the answer
                // always carries exactly one configuration.
                "credentialProviderConfigurations": r.spec.get("credentialProviderConfigurations").cloned()
                    .unwrap_or(json!([{"credentialProviderType": "GATEWAY_IAM_ROLE"}])),
                "protocolType": if r.spec.get("targetConfiguration").and_then(|c| c.get("http")).is_some() { "HTTP" } else { "MCP" },
            });
            copy(
                &mut v,
                &r.spec,
                &[
                    "description",
                    "targetConfiguration",
                    "metadataConfiguration",
                    "privateEndpoint",
                    "certificateConfigurations",
                ],
            );
            v
        }
    }
}

fn policy_engine(r: &Resource) -> Value {
    let mut v = json!({
        "policyEngineId": r.id, "policyEngineArn": r.arn, "name": r.name,
        "createdAt": ts_str(&r.created_at), "updatedAt": ts_str(&r.updated_at),
        "status": r.status, "statusReasons": reasons(r),
    });
    copy(&mut v, &r.spec, &["description", "encryptionKeyArn"]);
    v
}

fn policy(r: &Resource) -> Value {
    let mut v = json!({
        "policyId": r.id, "policyArn": r.arn, "policyEngineId": r.parent, "name": r.name,
        "createdAt": ts_str(&r.created_at), "updatedAt": ts_str(&r.updated_at),
        "status": r.status, "statusReasons": reasons(r),
    });
    copy(
        &mut v,
        &r.spec,
        &["description", "definition", "enforcementMode"],
    );
    v
}

fn runtime(r: &Resource, shape: Shape) -> Value {
    let version = r.version.to_string();
    let wid = json!({ "workloadIdentityArn": workload_identity(r) });
    match shape {
        Shape::Create => json!({
            "agentRuntimeArn": r.arn, "agentRuntimeId": r.id, "agentRuntimeVersion": version,
            "createdAt": ts_str(&r.created_at), "status": r.status, "workloadIdentityDetails": wid,
        }),
        Shape::Update => json!({
            "agentRuntimeArn": r.arn, "agentRuntimeId": r.id, "agentRuntimeVersion": version,
            "createdAt": ts_str(&r.created_at), "lastUpdatedAt": ts_str(&r.updated_at), "status": r.status, "workloadIdentityDetails": wid,
        }),
        Shape::Delete => {
            json!({ "agentRuntimeId": r.id, "agentRuntimeVersion": version, "status": r.status })
        }
        Shape::Summary => json!({
            "agentRuntimeArn": r.arn, "agentRuntimeId": r.id, "agentRuntimeVersion": version, "agentRuntimeName": r.name,
            "description": r.spec.get("description").cloned().unwrap_or(json!("")),
            "lastUpdatedAt": ts_str(&r.updated_at), "status": r.status,
        }),
        Shape::Get => {
            let mut v = json!({
                "agentRuntimeArn": r.arn, "agentRuntimeId": r.id, "agentRuntimeName": r.name, "agentRuntimeVersion": version,
                "createdAt": ts_str(&r.created_at), "lastUpdatedAt": ts_str(&r.updated_at), "status": r.status,
                "workloadIdentityDetails": wid,
                "lifecycleConfiguration": r.spec.get("lifecycleConfiguration").cloned().unwrap_or(json!({"idleRuntimeSessionTimeout": 900, "maxLifetime": 28800})),
                "networkConfiguration": r.spec.get("networkConfiguration").cloned().unwrap_or(json!({"networkMode": "PUBLIC"})),
            });
            copy(
                &mut v,
                &r.spec,
                &[
                    "description",
                    "roleArn",
                    "agentRuntimeArtifact",
                    "authorizerConfiguration",
                    "requestHeaderConfiguration",
                    "protocolConfiguration",
                    "environmentVariables",
                    "filesystemConfigurations",
                    "capacityProviderConfiguration",
                    "metadataConfiguration",
                    "platformVersion",
                    "allowedPorts",
                ],
            );
            if let Some(f) = &r.failure_reason {
                v["failureReason"] = json!(f);
            }
            v
        }
    }
}

fn evaluator(r: &Resource, shape: Shape) -> Value {
    match shape {
        Shape::Create => {
            json!({ "evaluatorArn": r.arn, "evaluatorId": r.id, "createdAt": ts_num(&r.created_at), "status": r.status })
        }
        Shape::Update => {
            json!({ "evaluatorArn": r.arn, "evaluatorId": r.id, "updatedAt": ts_num(&r.updated_at), "status": r.status })
        }
        Shape::Delete => json!({ "evaluatorArn": r.arn, "evaluatorId": r.id, "status": r.status }),
        Shape::Summary | Shape::Get => {
            let mut v = json!({
                "evaluatorArn": r.arn, "evaluatorId": r.id, "evaluatorName": r.name, "status": r.status,
                "createdAt": ts_num(&r.created_at), "updatedAt": ts_num(&r.updated_at),
                "evaluatorType": if r.spec.get("evaluatorConfig").and_then(|c| c.get("codeBased")).is_some() { "CustomCode" } else { "Custom" },
                "lockedForModification": false,
            });
            copy(&mut v, &r.spec, &["description", "level", "kmsKeyArn"]);
            if shape == Shape::Get {
                copy(&mut v, &r.spec, &["evaluatorConfig"]);
            }
            v
        }
    }
}

fn online_eval(r: &Resource, shape: Shape) -> Value {
    let exec = r
        .spec
        .get("executionStatus")
        .cloned()
        .unwrap_or(json!("DISABLED"));
    let mut v = match shape {
        Shape::Create => {
            let mut v = json!({ "onlineEvaluationConfigArn": r.arn, "onlineEvaluationConfigId": r.id, "createdAt": ts_num(&r.created_at), "status": r.status, "executionStatus": exec });
            copy(&mut v, &r.spec, &["outputConfig"]);
            v
        }
        Shape::Update => {
            json!({ "onlineEvaluationConfigArn": r.arn, "onlineEvaluationConfigId": r.id, "updatedAt": ts_num(&r.updated_at), "status": r.status, "executionStatus": exec })
        }
        Shape::Delete => {
            return json!({ "onlineEvaluationConfigArn": r.arn, "onlineEvaluationConfigId": r.id, "status": r.status });
        }
        Shape::Summary => {
            let mut v = json!({
                "onlineEvaluationConfigArn": r.arn, "onlineEvaluationConfigId": r.id, "onlineEvaluationConfigName": r.name,
                "status": r.status, "executionStatus": exec, "createdAt": ts_num(&r.created_at), "updatedAt": ts_num(&r.updated_at),
            });
            copy(
                &mut v,
                &r.spec,
                &["description", "insights", "clusteringConfig"],
            );
            v
        }
        Shape::Get => {
            let mut v = json!({
                "onlineEvaluationConfigArn": r.arn, "onlineEvaluationConfigId": r.id, "onlineEvaluationConfigName": r.name,
                "status": r.status, "executionStatus": exec, "createdAt": ts_num(&r.created_at), "updatedAt": ts_num(&r.updated_at),
            });
            copy(
                &mut v,
                &r.spec,
                &[
                    "description",
                    "rule",
                    "dataSourceConfig",
                    "evaluators",
                    "outputConfig",
                    "evaluationExecutionRoleArn",
                    "insights",
                    "clusteringConfig",
                ],
            );
            v
        }
    };
    if let Some(f) = &r.failure_reason {
        v["failureReason"] = json!(f);
    }
    v
}
