//! One gateway target per pack tool, on the pack's one MCP gateway, with its inline schema.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Ctx;
use crate::diagnostic::{Diagnostic, category};
use crate::plan::{
    Dependency, DesiredResource, GATEWAY_KIND, ResourceKind, ResourceSpec, ToolGatewaySpec, naming,
};

fn input_schema(parameters: Option<&Value>) -> Value {
    match parameters {
        Some(v @ Value::Object(o)) if !o.is_empty() => schema_definition(v),
        _ => json!({"type": "object", "properties": {}}),
    }
}

/// JSON Schema → the gateway's `SchemaDefinition` (type, properties, required, items,
/// description only). Keywords AWS does not model (`enum`, `default`, `format`, …) are dropped and
/// unknown types become `object`, as the adapter does.
pub fn schema_definition(schema: &Value) -> Value {
    let Value::Object(m) = schema else {
        return json!({"type": "object"});
    };
    let ty = m
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| {
            matches!(
                *t,
                "string" | "number" | "integer" | "boolean" | "array" | "object"
            )
        })
        .unwrap_or("object");
    let mut out = serde_json::Map::new();
    out.insert("type".into(), json!(ty));
    if let Some(d) = m.get("description").and_then(Value::as_str) {
        out.insert("description".into(), json!(d));
    }
    if let Some(Value::Object(props)) = m.get("properties") {
        let props: serde_json::Map<String, Value> = props
            .iter()
            .map(|(k, v)| (k.clone(), schema_definition(v)))
            .collect();
        out.insert("properties".into(), Value::Object(props));
    }
    if let Some(Value::Array(req)) = m.get("required") {
        let req: Vec<Value> = req.iter().filter(|v| v.is_string()).cloned().collect();
        out.insert("required".into(), Value::Array(req));
    }
    if let Some(items) = m.get("items") {
        out.insert("items".into(), schema_definition(items));
    }
    Value::Object(out)
}

pub(super) fn tool_gateways(cx: &mut Ctx) -> Vec<DesiredResource> {
    let pack = cx.pack;
    if pack.tools.is_empty() {
        return vec![];
    }
    let Some(gateway_name) = naming::gateway_name(&pack.id) else {
        cx.errors.push(
            Diagnostic::error(
                "pack.id",
                category::NAMING,
                format!(
                    "pack field id = {:?} cannot be made a valid gateway name (must match {})",
                    pack.id,
                    naming::GATEWAY_NAME_PATTERN
                ),
            )
            .with_hint("give the pack an id with letters or digits"),
        );
        return vec![];
    };
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for (key, tool) in &pack.tools {
        let target_name = naming::gateway_target_name(key);
        if !naming::is_valid_gateway_target_name(&target_name) {
            cx.errors.push(
                Diagnostic::error(
                    format!("pack.tools.{key}"),
                    category::NAMING,
                    format!(
                        "pack field tools.{key} cannot be made a valid gateway target name ({target_name:?} must match {})",
                        naming::GATEWAY_TARGET_NAME_PATTERN
                    ),
                )
                .with_hint("rename the tool: use letters and digits, at most 100 characters"),
            );
            continue;
        }
        if let Some(other) = seen.insert(target_name.clone(), key.clone()) {
            cx.errors.push(
                Diagnostic::error(
                    format!("pack.tools.{key}"),
                    category::NAMING,
                    format!(
                        "pack tools {other:?} and {key:?} both become gateway target {target_name:?}"
                    ),
                )
                .with_hint("rename one of the two tools"),
            );
            continue;
        }
        let target = cx.cfg.tool_targets.get(key).cloned();
        let lambda_arn = target
            .as_ref()
            .and_then(|t| t.lambda_arn.clone())
            .filter(|s| !s.is_empty());
        let schema_target = target
            .as_ref()
            .is_some_and(|t| t.api_gateway.is_some() || t.openapi.is_some() || t.smithy.is_some());
        let http_url = target
            .as_ref()
            .and_then(|t| t.http.as_ref())
            .and_then(|h| h.url.as_deref())
            .is_some_and(|u| !u.is_empty());
        if lambda_arn.is_none() && schema_target {
            // The gateway names such tools from the schema, not from the pack, so the runtime's
            // calls by pack tool name would never match (the adapter learnt this in production).
            cx.errors.push(
                Diagnostic::error(
                    format!("tool_targets.{key}"),
                    category::CONFIGURATION,
                    format!(
                        "tool {key:?} uses an openapi, smithy or api_gateway target, which is not supported: the gateway names those tools from the schema, so the runtime cannot call {key:?}"
                    ),
                )
                .with_hint("use lambda_arn for this tool, or an http url"),
            );
            continue;
        }
        if lambda_arn.is_none() && !http_url {
            cx.warnings.push(
                Diagnostic::warning(
                    format!("tool_targets.{key}.lambda_arn"),
                    category::CONFIGURATION,
                    format!("tool {key:?} has no lambda_arn or http url: its gateway target has nothing to call"),
                )
                .with_hint(format!(
                    "add \"tool_targets\": {{\"{key}\": {{\"lambda_arn\": \"arn:aws:lambda:<region>:<account>:function:<name>\"}}}}"
                )),
            );
        }
        let tool_name = if tool.name.is_empty() {
            key.clone()
        } else {
            tool.name.clone()
        };
        out.push(DesiredResource {
            kind: ResourceKind::ToolGateway,
            name: target_name.clone(),
            logical_id: key.clone(),
            depends_on: vec![Dependency::ready(
                GATEWAY_KIND,
                &gateway_name,
                "a target hangs on the gateway: CreateGatewayTarget takes the gateway's id",
            )],
            spec: ResourceSpec::ToolGateway(ToolGatewaySpec {
                gateway_name: gateway_name.clone(),
                target_name,
                tool_key: key.clone(),
                tool_name,
                description: tool.description.clone(),
                input_schema: input_schema(tool.parameters.as_ref()),
                lambda_arn,
                target,
                role_arn: cx.cfg.runtime_role_arn.clone(),
                tags: cx.base_tags(),
            }),
        });
    }
    out
}
