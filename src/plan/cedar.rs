//! Cedar `forbid` statements for blocked tools, in the AgentCore action format
//! (`AgentCore::Action::"<target>___<tool>"`, resource pinned to the gateway ARN), and the one
//! baseline `permit` they carve holes in: AgentCore evaluates Cedar with default deny, so an
//! enforcing engine holding only forbids would block every tool of the gateway. Every statement
//! is rendered through [`render_forbid`] or [`render_permit`], which parse it back with the
//! `cedar-policy` crate and check it says exactly what was meant, so a tool name cannot inject
//! anything.

use std::fmt;
use std::str::FromStr;

use cedar_policy::{
    ActionConstraint, Effect, EntityUid, PolicySet, PrincipalConstraint, ResourceConstraint,
};
use serde::{Deserialize, Serialize};

use super::Tags;

/// The pack's policy engine: not a plan resource of its own (the Cedar resource holds its
/// policies and its attachment) but made, recorded and deleted as one, since CreatePolicyEngine
/// names no gateway and can start at once.
pub const POLICY_ENGINE_KIND: &str = "policy_engine";

pub const ACTION_TYPE: &str = "AgentCore::Action";
pub const GATEWAY_TYPE: &str = "AgentCore::Gateway";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CedarError {
    pub statement: String,
    pub message: String,
}

impl fmt::Display for CedarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "generated Cedar policy is invalid: {}", self.message)
    }
}

impl std::error::Error for CedarError {}

/// One `forbid` to create with CreatePolicy once the gateway exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CedarForbid {
    /// The AWS policy name, from the tool alone ([`policy_name`]): the same on every apply,
    /// whatever else the blocklists hold.
    pub policy_name: String,
    /// The pack tool key being blocked.
    pub tool: String,
    /// The prompts whose blocklist names the tool, sorted. The forbid still applies to every
    /// agent behind the gateway.
    pub prompts: Vec<String>,
    /// Action id as the gateway's Cedar schema names it: `<target name>___<tool name>`.
    pub action: String,
    /// The statement rendered with a placeholder gateway ARN, for plan output. Apply must call
    /// [`CedarForbid::statement`] with the real ARN instead of editing this text.
    pub plan_statement: String,
}

impl CedarForbid {
    pub fn statement(&self, gateway_arn: &str) -> Result<String, CedarError> {
        render_forbid(&self.action, gateway_arn)
    }

    /// The policy's AWS description: who asked for the block, and that it is pack-wide.
    pub fn description(&self) -> String {
        format!(
            "Blocks tool {} for every agent of the pack (blocklist of prompt{} {})",
            self.tool,
            if self.prompts.len() == 1 { "" } else { "s" },
            self.prompts.join(", ")
        )
    }
}

/// The policy engine's AWS description: which prompts' blocklists it holds.
pub fn engine_description(prompts: &[String]) -> String {
    format!(
        "Tools blocked by prompt{} {}, for every agent behind the gateway",
        if prompts.len() == 1 { "" } else { "s" },
        prompts.join(", ")
    )
}

pub const POLICY_NAME_PREFIX: &str = "block_";

/// The baseline permit's AWS policy name. It does not start with [`POLICY_NAME_PREFIX`], so no
/// tool's forbid can take it.
pub const PERMIT_POLICY_NAME: &str = "allow_gateway_tools";

/// The permit every tool call of the gateway needs under default deny; the forbids override it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CedarPermit {
    pub policy_name: String,
    /// The statement rendered with a placeholder gateway ARN, for plan output. Apply must call
    /// [`CedarPermit::statement`] with the real ARN instead of editing this text.
    pub plan_statement: String,
}

impl CedarPermit {
    /// The permit for plan output, checked against the placeholder ARN.
    pub fn planned(placeholder_gateway_arn: &str) -> Result<Self, CedarError> {
        Ok(CedarPermit {
            policy_name: PERMIT_POLICY_NAME.to_string(),
            plan_statement: render_permit(placeholder_gateway_arn)?,
        })
    }

    pub fn statement(&self, gateway_arn: &str) -> Result<String, CedarError> {
        render_permit(gateway_arn)
    }

    pub fn description(&self) -> String {
        "Lets every agent of the pack call the gateway's tools, except those the forbids of this engine block (AgentCore denies whatever no permit allows)".to_string()
    }
}

/// The policy for a tool, from its gateway target name (unique per pack, `[0-9a-zA-Z-]`):
/// `get-weather` → `block_get_weather`. `None` when the result is not a valid AWS name.
pub fn policy_name(target_name: &str) -> Option<String> {
    let name = format!("{POLICY_NAME_PREFIX}{}", target_name.replace('-', "_"));
    super::naming::is_valid_aws_name(&name).then_some(name)
}

/// The gateway exposes a Lambda target's tools as `<target>___<tool>` (three underscores).
pub fn action_id(target_name: &str, tool_name: &str) -> String {
    format!("{target_name}___{tool_name}")
}

/// A placeholder ARN in the real format, used only to show and check plan-time statements.
pub fn placeholder_gateway_arn(region: &str, account: &str, gateway_name: &str) -> String {
    let region = if region.is_empty() { "REGION" } else { region };
    let account = if account.is_empty() {
        "ACCOUNT"
    } else {
        account
    };
    crate::arn::regional(
        "bedrock-agentcore",
        region,
        account,
        &format!("gateway/{gateway_name}-PENDING"),
    )
}

/// Cedar string literal escaping: Cedar's unescaper accepts exactly the escapes Rust's
/// `escape_default` produces (`\\`, `\"`, `\'`, `\n`, `\r`, `\t`, `\u{…}`).
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.escape_default())
}

pub fn render_forbid(action: &str, gateway_arn: &str) -> Result<String, CedarError> {
    let text = format!(
        "forbid (\n  principal,\n  action == {ACTION_TYPE}::{},\n  resource == {GATEWAY_TYPE}::{}\n);",
        quote(action),
        quote(gateway_arn)
    );
    check_forbid(&text, action, gateway_arn)?;
    Ok(text)
}

pub fn render_permit(gateway_arn: &str) -> Result<String, CedarError> {
    let text = format!(
        "permit (\n  principal,\n  action,\n  resource == {GATEWAY_TYPE}::{}\n);",
        quote(gateway_arn)
    );
    check_permit(&text, gateway_arn)?;
    Ok(text)
}

/// Parses `text` with cedar-policy and checks it is one static `forbid` of exactly this action on
/// exactly this gateway.
pub fn check_forbid(text: &str, action: &str, gateway_arn: &str) -> Result<(), CedarError> {
    let want_action = uid(ACTION_TYPE, action).map_err(|message| CedarError {
        statement: text.to_string(),
        message,
    })?;
    check_one(
        text,
        Effect::Forbid,
        ActionConstraint::Eq(want_action),
        &format!("{ACTION_TYPE}::{}", quote(action)),
        gateway_arn,
    )
}

/// Parses `text` with cedar-policy and checks it is one static `permit` of any principal and any
/// action on exactly this gateway.
pub fn check_permit(text: &str, gateway_arn: &str) -> Result<(), CedarError> {
    check_one(
        text,
        Effect::Permit,
        ActionConstraint::Any,
        "unconstrained",
        gateway_arn,
    )
}

fn check_one(
    text: &str,
    effect: Effect,
    want_action: ActionConstraint,
    action_label: &str,
    gateway_arn: &str,
) -> Result<(), CedarError> {
    let err = |message: String| CedarError {
        statement: text.to_string(),
        message,
    };
    let set = PolicySet::from_str(text).map_err(|e| err(e.to_string()))?;
    let policies: Vec<_> = set.policies().collect();
    if policies.len() != 1 || set.templates().count() != 0 {
        return Err(err(format!(
            "expected one policy, found {} policies and {} templates",
            policies.len(),
            set.templates().count()
        )));
    }
    let p = policies[0];
    if p.effect() != effect {
        return Err(err(format!(
            "the policy is not a {}",
            match effect {
                Effect::Permit => "permit",
                Effect::Forbid => "forbid",
            }
        )));
    }
    if p.principal_constraint() != PrincipalConstraint::Any {
        return Err(err("the policy constrains the principal".into()));
    }
    if p.action_constraint() != want_action {
        return Err(err(format!("the action is not {action_label}")));
    }
    let want_resource = uid(GATEWAY_TYPE, gateway_arn).map_err(err)?;
    if p.resource_constraint() != ResourceConstraint::Eq(want_resource) {
        return Err(err(format!(
            "the resource is not {GATEWAY_TYPE}::{}",
            quote(gateway_arn)
        )));
    }
    if p.has_non_scope_constraint() {
        return Err(err("the policy has a when/unless condition".into()));
    }
    Ok(())
}

fn uid(type_name: &str, id: &str) -> Result<EntityUid, String> {
    let ty = cedar_policy::EntityTypeName::from_str(type_name).map_err(|e| e.to_string())?;
    Ok(EntityUid::from_type_name_and_id(
        ty,
        cedar_policy::EntityId::new(id),
    ))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CedarPolicySpec {
    /// Every prompt with a registered tool in its blocklist, sorted.
    pub prompts: Vec<String>,
    pub engine_name: String,
    pub gateway_name: String,
    /// The baseline permit the forbids override: without it the engine denies every tool.
    pub permit: CedarPermit,
    pub forbids: Vec<CedarForbid>,
    pub tags: Tags,
}
