//! The pack's one MCP gateway and its targets, and the `tool_targets` entries of the deploy
//! config that say what each target calls (here so the plan can carry them).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Tags;

/// The state `type` of the one MCP gateway that carries every tool target
/// (the adapter's dry-run state uses the same word).
pub const GATEWAY_KIND: &str = "gateway";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolGatewaySpec {
    /// The one MCP gateway shared by every tool of the pack (created with the first target).
    pub gateway_name: String,
    pub target_name: String,
    pub tool_key: String,
    /// The tool name in the inline schema (the pack tool's `name`, else its key).
    pub tool_name: String,
    pub description: String,
    /// The target's `inputSchema` in AWS `SchemaDefinition` form, from the pack tool's `parameters`.
    pub input_schema: Value,
    pub lambda_arn: Option<String>,
    /// The `tool_targets` entry for this tool, if any.
    pub target: Option<ToolTarget>,
    pub role_arn: String,
    pub tags: Tags,
}

/// One entry of `tool_targets` (the adapter's `ArenaToolSpec`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolTarget {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_schema: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_gateway: Option<ApiGatewayTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openapi: Option<SchemaSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smithy: Option<SchemaSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<CredentialConfig>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpTarget {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiGatewayTarget {
    #[serde(default)]
    pub rest_api_id: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<ApiGatewayFilter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<ApiGatewayOverride>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiGatewayFilter {
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub methods: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiGatewayOverride {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_uri: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialConfig {
    #[serde(default, rename = "type")]
    pub credential_type: String,
}
