//! Pack specs → SDK request shapes.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_bedrockagentcorecontrol::types as t;
use aws_smithy_types::error::operation::BuildError;
use serde_json::Value;

use crate::aws::{self, Category};
use crate::plan::memory::strategy_name;
use crate::plan::{EvaluatorSpec, JwtAuthorizer, MemorySpec, ToolGatewaySpec};

pub fn built<T>(r: Result<T, BuildError>, what: &str) -> Result<T, aws::Error> {
    r.map_err(|e| {
        aws::Error::new(
            Category::Configuration,
            "BuildRequest",
            format!("cannot build the {what} request: {e}"),
        )
        .with_hint("check the deploy config and pack values for this resource")
    })
}

pub fn hash_map(m: &BTreeMap<String, String>) -> HashMap<String, String> {
    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

pub fn memory_strategies(spec: &MemorySpec) -> Result<Vec<t::MemoryStrategyInput>, aws::Error> {
    let mut out = Vec::new();
    for s in &spec.strategies {
        let name = strategy_name(s);
        let input = match s.as_str() {
            "episodic" => t::MemoryStrategyInput::EpisodicMemoryStrategy(built(
                t::EpisodicMemoryStrategyInput::builder().name(name).build(),
                "episodic memory strategy",
            )?),
            "semantic" => t::MemoryStrategyInput::SemanticMemoryStrategy(built(
                t::SemanticMemoryStrategyInput::builder().name(name).build(),
                "semantic memory strategy",
            )?),
            "summary" => t::MemoryStrategyInput::SummaryMemoryStrategy(built(
                t::SummaryMemoryStrategyInput::builder().name(name).build(),
                "summary memory strategy",
            )?),
            "user_preference" => t::MemoryStrategyInput::UserPreferenceMemoryStrategy(built(
                t::UserPreferenceMemoryStrategyInput::builder()
                    .name(name)
                    .build(),
                "user preference memory strategy",
            )?),
            other => {
                return Err(aws::Error::new(
                    Category::Configuration,
                    "CreateMemory",
                    format!(
                        "memory_store strategy \"{other}\" is not one of episodic, semantic, summary, user_preference"
                    ),
                ));
            }
        };
        out.push(input);
    }
    Ok(out)
}

fn schema_type(v: Option<&str>) -> t::SchemaType {
    match v {
        Some("string") => t::SchemaType::String,
        Some("number") => t::SchemaType::Number,
        Some("integer") => t::SchemaType::Integer,
        Some("boolean") => t::SchemaType::Boolean,
        Some("array") => t::SchemaType::Array,
        _ => t::SchemaType::Object,
    }
}

/// JSON Schema → SchemaDefinition (type, description, properties, required, items).
pub fn schema(v: &Value) -> Result<t::SchemaDefinition, aws::Error> {
    let mut b =
        t::SchemaDefinition::builder().r#type(schema_type(v.get("type").and_then(Value::as_str)));
    if let Some(d) = v.get("description").and_then(Value::as_str) {
        b = b.description(d);
    }
    if let Some(props) = v.get("properties").and_then(Value::as_object) {
        for (k, p) in props {
            b = b.properties(k, schema(p)?);
        }
    }
    if let Some(req) = v.get("required").and_then(Value::as_array) {
        for r in req.iter().filter_map(Value::as_str) {
            b = b.required(r);
        }
    }
    if let Some(items) = v.get("items").filter(|i| i.is_object()) {
        b = b.items(schema(items)?);
    }
    built(b.build(), "tool input schema")
}

pub fn target_configuration(spec: &ToolGatewaySpec) -> Result<t::TargetConfiguration, aws::Error> {
    let mcp = if let Some(arn) = &spec.lambda_arn {
        let def = built(
            t::ToolDefinition::builder()
                .name(&spec.tool_name)
                .description(spec.tool_description())
                .input_schema(schema(&spec.input_schema)?)
                .build(),
            "tool definition",
        )?;
        t::McpTargetConfiguration::Lambda(built(
            t::McpLambdaTargetConfiguration::builder()
                .lambda_arn(arn)
                .tool_schema(t::ToolSchema::InlinePayload(vec![def]))
                .build(),
            "lambda target",
        )?)
    } else {
        t::McpTargetConfiguration::McpServer(built(
            t::McpServerTargetConfiguration::builder()
                .endpoint(spec.mcp_endpoint())
                .build(),
            "MCP server target",
        )?)
    };
    Ok(t::TargetConfiguration::Mcp(mcp))
}

pub fn credential_providers(
    spec: &ToolGatewaySpec,
) -> Result<Vec<t::CredentialProviderConfiguration>, aws::Error> {
    if spec.lambda_arn.is_none() {
        return Ok(vec![]);
    }
    let kind = spec
        .credential_type()
        .map(t::CredentialProviderType::from)
        .unwrap_or(t::CredentialProviderType::GatewayIamRole);
    Ok(vec![built(
        t::CredentialProviderConfiguration::builder()
            .credential_provider_type(kind)
            .build(),
        "credential provider",
    )?])
}

pub fn jwt_authorizer(a: &JwtAuthorizer) -> Result<t::AuthorizerConfiguration, aws::Error> {
    let mut b = t::CustomJwtAuthorizerConfiguration::builder().discovery_url(&a.discovery_url);
    for aud in &a.allowed_audience {
        b = b.allowed_audience(aud);
    }
    for c in &a.allowed_clients {
        b = b.allowed_clients(c);
    }
    Ok(t::AuthorizerConfiguration::CustomJwtAuthorizer(built(
        b.build(),
        "JWT authorizer",
    )?))
}

pub fn evaluator_config(spec: &EvaluatorSpec) -> Result<t::EvaluatorConfig, aws::Error> {
    let mut scale = Vec::new();
    for l in &spec.rating_scale {
        scale.push(built(
            t::NumericalScaleDefinition::builder()
                .value(l.value)
                .label(&l.label)
                .definition(&l.definition)
                .build(),
            "rating scale",
        )?);
    }
    let model = t::EvaluatorModelConfig::BedrockEvaluatorModelConfig(built(
        t::BedrockEvaluatorModelConfig::builder()
            .model_id(&spec.model_id)
            .build(),
        "evaluator model",
    )?);
    Ok(t::EvaluatorConfig::LlmAsAJudge(built(
        t::LlmAsAJudgeEvaluatorConfig::builder()
            .instructions(&spec.instructions)
            .rating_scale(t::RatingScale::Numerical(scale))
            .model_config(model)
            .build(),
        "LLM-as-a-judge evaluator",
    )?))
}

pub fn network_public() -> Result<t::NetworkConfiguration, aws::Error> {
    built(
        t::NetworkConfiguration::builder()
            .network_mode(t::NetworkMode::Public)
            .build(),
        "network configuration",
    )
}

pub fn protocol(server_protocol: &str) -> Result<t::ProtocolConfiguration, aws::Error> {
    built(
        t::ProtocolConfiguration::builder()
            .server_protocol(t::ServerProtocol::from(server_protocol))
            .build(),
        "protocol configuration",
    )
}

/// A stable fingerprint of a spec, stored in state so re-plan knows what changed.
pub fn fingerprint(v: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(v).unwrap_or_default();
    // FNV-1a: stable across Rust versions, unlike DefaultHasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_schema_maps_nested_properties_and_required() {
        let s = schema(&json!({"type":"object","properties":{
            "city":{"type":"string","description":"City"},
            "days":{"type":"array","items":{"type":"integer"}}},"required":["city"]}))
        .unwrap();
        assert_eq!(s.r#type(), &t::SchemaType::Object);
        let props = s.properties().unwrap();
        assert_eq!(props["city"].description(), Some("City"));
        assert_eq!(
            props["days"].items().unwrap().r#type(),
            &t::SchemaType::Integer
        );
        assert_eq!(s.required(), ["city"]);
    }

    #[test]
    fn fingerprint_changes_with_content_only() {
        assert_eq!(fingerprint(&json!({"a":1})), fingerprint(&json!({"a":1})));
        assert_ne!(fingerprint(&json!({"a":1})), fingerprint(&json!({"a":2})));
    }
}
