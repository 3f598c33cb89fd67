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

impl ToolGatewaySpec {
    /// The description of the tool in the target's inline schema; AWS requires one.
    pub fn tool_description(&self) -> String {
        if self.description.is_empty() {
            format!("Tool {}", self.tool_key)
        } else {
            self.description.clone()
        }
    }

    /// The endpoint of a tool with no Lambda (the adapter's fallback): its HTTP URL, else a
    /// placeholder MCP endpoint.
    pub fn mcp_endpoint(&self) -> String {
        self.target
            .as_ref()
            .and_then(|t| t.http.as_ref())
            .and_then(|h| h.url.clone())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| format!("https://{}.mcp.local", self.tool_key))
    }

    /// The credential provider type named in `tool_targets.<tool>.credential.type`, if any.
    pub fn credential_type(&self) -> Option<&str> {
        self.target
            .as_ref()
            .and_then(|t| t.credential.as_ref())
            .map(|c| c.credential_type.as_str())
            .filter(|s| !s.is_empty())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(target: Option<ToolTarget>) -> ToolGatewaySpec {
        ToolGatewaySpec {
            gateway_name: "pack-gw".into(),
            target_name: "lookup-order".into(),
            tool_key: "lookup_order".into(),
            tool_name: "lookup_order".into(),
            description: String::new(),
            input_schema: Value::Null,
            lambda_arn: None,
            target,
            role_arn: String::new(),
            tags: Tags::new(),
        }
    }

    /// An empty URL or credential type in the deploy config counts as not given.
    #[test]
    fn empty_config_values_fall_back_to_the_defaults_aws_accepts() {
        let blank = ToolTarget {
            http: Some(HttpTarget {
                url: Some(String::new()),
                method: None,
            }),
            credential: Some(CredentialConfig::default()),
            ..ToolTarget::default()
        };
        let s = spec(Some(blank));
        assert_eq!(s.mcp_endpoint(), "https://lookup_order.mcp.local");
        assert_eq!(s.credential_type(), None);
        assert_eq!(s.tool_description(), "Tool lookup_order");
        let given = ToolTarget {
            http: Some(HttpTarget {
                url: Some("https://orders.example.com/mcp".into()),
                method: None,
            }),
            ..ToolTarget::default()
        };
        assert_eq!(
            spec(Some(given)).mcp_endpoint(),
            "https://orders.example.com/mcp"
        );
    }
}
