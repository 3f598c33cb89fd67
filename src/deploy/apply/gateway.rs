//! The pack's one MCP gateway and a target per tool: created, adopted or updated.

use super::{GATEWAY_KIND, GatewayRef, Lc, Located, Outcome, ResourceOutcome, Run};
use crate::aws::{self, Category};
use crate::deploy::cloud::{self, Found, call};
use crate::deploy::events::{ResourcePhase, Step};
use crate::deploy::sdk::built;
use crate::deploy::sdk::{fingerprint, hash_map};
use crate::plan::ToolGatewaySpec;
use aws_sdk_bedrockagentcorecontrol::types as t;
use serde_json::Value;

impl<'a> Run<'a> {
    /// The pack's one gateway; `true` when it is ready.
    pub(super) async fn ensure_gateway(&self, spec: &ToolGatewaySpec) -> bool {
        let c = self.c();
        let lc = self.lc(Step::ToolGateways, GATEWAY_KIND, &spec.gateway_name);
        let lc = &lc;
        lc.phase(ResourcePhase::Pending, None);
        let hash = gateway_hash(spec);
        let res = self
            .locate_or_create(
                lc,
                &hash,
                || cloud::find_gateway(c, &spec.gateway_name),
                move || async move {
                    lc.calling("CreateGateway");
                    let o = call(
                        c,
                        "CreateGateway",
                        c.control
                            .create_gateway()
                            .name(&spec.gateway_name)
                            .role_arn(&spec.role_arn)
                            .protocol_type(
                                aws_sdk_bedrockagentcorecontrol::types::GatewayProtocolType::Mcp,
                            )
                            .authorizer_type(
                                aws_sdk_bedrockagentcorecontrol::types::AuthorizerType::None,
                            )
                            .set_tags(Some(hash_map(&spec.tags)))
                            .send(),
                    )
                    .await?;
                    Ok(Found {
                        id: o.gateway_id().to_owned(),
                        arn: o.gateway_arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::gateway_probe(c, &id).await },
            )
            .await;
        let gw = match res {
            Ok(loc) => {
                let (result, arn) = self.finish(lc, &loc, &hash, &[]);
                lc.phase(
                    match result {
                        Outcome::Adopted => ResourcePhase::Adopted,
                        Outcome::Unchanged => ResourcePhase::Unchanged,
                        _ => ResourcePhase::Ready,
                    },
                    Some(&arn),
                );
                self.outcome(
                    Step::ToolGateways,
                    ResourceOutcome {
                        kind: GATEWAY_KIND.to_owned(),
                        name: spec.gateway_name.clone(),
                        result,
                        arn: Some(arn.clone()),
                        error: None,
                        reason: None,
                    },
                );
                Ok(GatewayRef {
                    id: loc.found().id.clone(),
                    arn,
                    name: spec.gateway_name.clone(),
                    role_arn: spec.role_arn.clone(),
                })
            }
            Err(e) => {
                self.failed(lc, e.clone());
                Err(e)
            }
        };
        let ok = gw.is_ok();
        self.out.lock().unwrap().gateway = Some(gw);
        ok
    }

    pub(super) fn gateway(&self) -> Result<GatewayRef, aws::Error> {
        match &self.out.lock().unwrap().gateway {
            Some(Ok(g)) => Ok(g.clone()),
            Some(Err(e)) => {
                let mut e = e.clone();
                e.message = format!("the tool gateway could not be created: {}", e.message);
                Err(e)
            }
            None => Err(aws::Error::new(
                Category::Configuration,
                "UpdateGateway",
                "no gateway to associate the policy engine with (the pack has no tools)",
            )),
        }
    }

    pub(super) async fn target(
        &self,
        lc: &Lc<'_>,
        s: &ToolGatewaySpec,
    ) -> Result<(Outcome, String), aws::Error> {
        let c = self.c();
        let gw = self.gateway()?;
        let hash = target_hash(s, &gw.id);
        let config = target_configuration(s)?;
        let creds = credential_providers(s)?;
        let (gw_ref, config_ref, creds_ref) = (&gw, &config, &creds);
        let loc = self
            .locate_or_create(
                lc,
                &hash,
                move || async move {
                    cloud::find_target(c, &gw_ref.id, &s.target_name)
                        .await
                        .map(|o| {
                            o.map(|id| Found {
                                id,
                                arn: gw_ref.arn.clone(),
                            })
                        })
                },
                move || async move {
                    lc.calling("CreateGatewayTarget");
                    let o = call(
                        c,
                        "CreateGatewayTarget",
                        c.control
                            .create_gateway_target()
                            .gateway_identifier(&gw_ref.id)
                            .name(&s.target_name)
                            .target_configuration(config_ref.clone())
                            .set_credential_provider_configurations(
                                Some(creds_ref.clone()).filter(|v| !v.is_empty()),
                            )
                            .send(),
                    )
                    .await?;
                    Ok(Found {
                        id: o.target_id().to_owned(),
                        arn: o.gateway_arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::target_probe(c, &gw_ref.id, &id).await },
            )
            .await?;
        if let Located::Stale(f) = &loc {
            lc.calling("UpdateGatewayTarget");
            call(
                c,
                "UpdateGatewayTarget",
                c.control
                    .update_gateway_target()
                    .gateway_identifier(&gw.id)
                    .target_id(&f.id)
                    .name(&s.target_name)
                    .target_configuration(config.clone())
                    .set_credential_provider_configurations(
                        Some(creds.clone()).filter(|v| !v.is_empty()),
                    )
                    .send(),
            )
            .await?;
            self.wait(lc, || cloud::target_probe(c, &gw.id, &f.id))
                .await?;
        }
        let extra = [
            ("gateway_id", gw.id.clone()),
            ("gateway_arn", gw.arn.clone()),
            ("gateway_name", gw.name.clone()),
        ];
        let mut loc = loc;
        let (Located::New(f) | Located::Adopted(f) | Located::Current(f) | Located::Stale(f)) =
            &mut loc;
        f.arn = gw.arn.clone();
        Ok(self.finish(lc, &loc, &hash, &extra))
    }
}

pub(crate) fn gateway_hash(s: &ToolGatewaySpec) -> String {
    fingerprint(&(&s.gateway_name, &s.role_arn))
}

pub(crate) fn target_hash(s: &ToolGatewaySpec, gateway_id: &str) -> String {
    fingerprint(&(s, gateway_id))
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
}
