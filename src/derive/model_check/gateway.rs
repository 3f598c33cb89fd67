//! What CreateGateway and CreateGatewayTarget will carry.

use super::finding::Checks;
use super::sites::*;
use super::source::{config, pack};
use super::tags::tags;
use crate::config::DeployConfig;
use crate::plan::ToolGatewaySpec;

pub(super) fn gateway(c: &mut Checks, s: &ToolGatewaySpec, cfg: &DeployConfig) {
    c.text(&self::pack("id"), GW_NAME, "", &s.gateway_name);
    c.text(&config("runtime_role_arn"), GW_ROLE, "", &s.role_arn);
    tags(c, GW_TAGS, &s.tags, cfg);
}

pub(super) fn target(c: &mut Checks, s: &ToolGatewaySpec) {
    let key = &s.tool_key;
    c.text(&pack(format!("tools.{key}")), TG_NAME, "", &s.target_name);
    match &s.lambda_arn {
        Some(arn) => {
            c.text(
                &config(format!("tool_targets.{key}.lambda_arn")),
                TG_LAMBDA,
                "",
                arn,
            );
            c.text(
                &pack(format!("tools.{key}.name")),
                TG_TOOL_NAME,
                "",
                &s.tool_name,
            );
            c.text(
                &pack(format!("tools.{key}.description")),
                TG_TOOL_DESCRIPTION,
                "",
                &s.tool_description(),
            );
            c.value(
                &pack(format!("tools.{key}.parameters")),
                TG_TOOL_SCHEMA,
                "",
                &s.input_schema,
            );
            if let Some(t) = s.credential_type() {
                c.text(
                    &config(format!("tool_targets.{key}.credential.type")),
                    TG_CREDENTIAL,
                    "",
                    t,
                );
            }
        }
        None => {
            let url_given = s
                .target
                .as_ref()
                .and_then(|t| t.http.as_ref())
                .and_then(|h| h.url.as_deref())
                .is_some_and(|u| !u.is_empty());
            let source = if url_given {
                config(format!("tool_targets.{key}.http.url"))
            } else {
                pack(format!("tools.{key}"))
            };
            c.text(&source, TG_ENDPOINT, "", &s.mcp_endpoint());
        }
    }
}
