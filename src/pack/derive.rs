//! Pack + deploy config → the ordered resources of the apply pipeline. Names come from
//! [`super::naming`] only, so plan, apply and state all use the same name for a resource.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::cedar::{self, CedarForbid, CedarPermit};
use super::naming;
use super::{EvalDef, Pack};
use crate::config::tags::{Tags, effective_tags};
use crate::config::{DeployConfig, Diagnostic, ToolTarget, category};

pub const DEFAULT_JUDGE_INSTRUCTIONS: &str = "Evaluate the agent response quality.";
pub const DEFAULT_JUDGE_MODEL: &str = "anthropic.claude-sonnet-4-20250514-v1:0";
pub const DEFAULT_RATING_SCALE: u32 = 5;
pub const DEFAULT_ONLINE_EVAL_LOG_GROUP: &str = "aws/spans";
pub const METRICS_NAMESPACE: &str = "PromptPack/Evals";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Memory,
    ToolGateways,
    CedarPolicies,
    AgentRuntimes,
    A2aWiring,
    Evaluators,
    OnlineEvalConfig,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Memory,
        Step::ToolGateways,
        Step::CedarPolicies,
        Step::AgentRuntimes,
        Step::A2aWiring,
        Step::Evaluators,
        Step::OnlineEvalConfig,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::Memory => "Memory",
            Step::ToolGateways => "Tool gateways",
            Step::CedarPolicies => "Cedar policies",
            Step::AgentRuntimes => "Agent runtimes",
            Step::A2aWiring => "A2A wiring",
            Step::Evaluators => "Evaluators",
            Step::OnlineEvalConfig => "Online evaluation",
        }
    }
}

/// Serialises to the adapter's state `type` strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ResourceKind {
    #[serde(rename = "memory")]
    Memory,
    #[serde(rename = "tool_gateway")]
    ToolGateway,
    #[serde(rename = "cedar_policy")]
    CedarPolicy,
    #[serde(rename = "agent_runtime")]
    AgentRuntime,
    #[serde(rename = "a2a_endpoint")]
    A2aEndpoint,
    #[serde(rename = "evaluator")]
    Evaluator,
    #[serde(rename = "online_eval_config")]
    OnlineEvalConfig,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Memory => "memory",
            ResourceKind::ToolGateway => "tool_gateway",
            ResourceKind::CedarPolicy => "cedar_policy",
            ResourceKind::AgentRuntime => "agent_runtime",
            ResourceKind::A2aEndpoint => "a2a_endpoint",
            ResourceKind::Evaluator => "evaluator",
            ResourceKind::OnlineEvalConfig => "online_eval_config",
        }
    }

    pub fn step(self) -> Step {
        match self {
            ResourceKind::Memory => Step::Memory,
            ResourceKind::ToolGateway => Step::ToolGateways,
            ResourceKind::CedarPolicy => Step::CedarPolicies,
            ResourceKind::AgentRuntime => Step::AgentRuntimes,
            ResourceKind::A2aEndpoint => Step::A2aWiring,
            ResourceKind::Evaluator => Step::Evaluators,
            ResourceKind::OnlineEvalConfig => Step::OnlineEvalConfig,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            ResourceKind::Memory,
            ResourceKind::ToolGateway,
            ResourceKind::CedarPolicy,
            ResourceKind::AgentRuntime,
            ResourceKind::A2aEndpoint,
            ResourceKind::Evaluator,
            ResourceKind::OnlineEvalConfig,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesiredResource {
    pub kind: ResourceKind,
    /// The AWS name: the same in plan, apply and state.
    pub name: String,
    /// The pack id or key it came from (hyphens and all).
    pub logical_id: String,
    pub depends_on: Vec<(ResourceKind, String)>,
    pub spec: ResourceSpec,
}

// A plan holds a few dozen of these, built once; boxing the big variants would only add noise
// to every match in the engine.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResourceSpec {
    Memory(MemorySpec),
    ToolGateway(ToolGatewaySpec),
    CedarPolicy(CedarPolicySpec),
    AgentRuntime(RuntimeSpec),
    A2aEndpoint(A2aEndpointSpec),
    Evaluator(EvaluatorSpec),
    OnlineEvalConfig(OnlineEvalSpec),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemorySpec {
    /// Canonical strategy names (aliases resolved): episodic, semantic, summary, user_preference.
    pub strategies: Vec<String>,
    pub event_expiry_days: i64,
    pub encryption_key_arn: Option<String>,
    pub execution_role_arn: String,
    pub tags: Tags,
}

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwtAuthorizer {
    pub discovery_url: String,
    pub allowed_audience: Vec<String>,
    pub allowed_clients: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuntimeSpec {
    /// The member this runtime serves (multi-agent), `None` for a single-agent pack.
    pub agent: Option<String>,
    pub is_entry: bool,
    pub role_arn: String,
    /// AWS ServerProtocol: `HTTP` or `A2A`; `None` lets AWS choose.
    pub server_protocol: Option<String>,
    /// Environment known at plan time (promptpack-format.md §5).
    pub env: BTreeMap<String, String>,
    /// Variables only known during apply: PROMPTPACK_MEMORY_ID, PROMPTPACK_POLICY_ENGINE_ARN,
    /// PROMPTPACK_AGENTS (entry runtime, set by the A2A wiring step).
    pub env_after_apply: Vec<String>,
    pub authorizer: Option<JwtAuthorizer>,
    pub runtime_binary_path: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct A2aEndpointSpec {
    pub member: String,
    pub runtime_name: String,
    pub entry_runtime_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingLevel {
    pub value: f64,
    pub label: String,
    pub definition: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluatorSpec {
    pub eval_id: String,
    pub description: Option<String>,
    pub instructions: String,
    pub model_id: String,
    pub rating_scale: Vec<RatingLevel>,
    /// AWS EvaluatorLevel: `TRACE` or `SESSION`.
    pub level: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnlineEvalSpec {
    pub sampling_percentage: f64,
    /// Names of the evaluators of this plan (their ids are known after the Evaluators step).
    pub evaluators: Vec<String>,
    /// Built-in evaluator ids (e.g. `Builtin.Helpfulness`), passed as they are.
    pub builtin_evaluator_ids: Vec<String>,
    pub log_group_names: Vec<String>,
    /// Exactly one: [`service_name`] of the runtime this configuration evaluates. A list because
    /// that is the wire shape, and because the fingerprint of a single-agent deployment made when
    /// there was one configuration per pack must stay the same.
    pub service_names: Vec<String>,
    pub execution_role_arn: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanStep {
    pub step: Step,
    pub resources: Vec<DesiredResource>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourcePlan {
    pub pack_id: String,
    pub pack_version: String,
    pub region: String,
    /// All seven steps, in pipeline order, empty ones included.
    pub steps: Vec<PlanStep>,
    pub warnings: Vec<Diagnostic>,
}

impl ResourcePlan {
    pub fn resources(&self) -> impl Iterator<Item = &DesiredResource> {
        self.steps.iter().flat_map(|s| s.resources.iter())
    }

    pub fn find(&self, kind: ResourceKind, name: &str) -> Option<&DesiredResource> {
        self.resources().find(|r| r.kind == kind && r.name == name)
    }

    pub fn names(&self, kind: ResourceKind) -> Vec<&str> {
        self.resources()
            .filter(|r| r.kind == kind)
            .map(|r| r.name.as_str())
            .collect()
    }
}

/// Why a pack cannot be planned; each diagnostic names the pack field to change.
#[derive(Debug, Clone, PartialEq)]
pub struct DeriveErrors(pub Vec<Diagnostic>);

impl fmt::Display for DeriveErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msgs: Vec<&str> = self.0.iter().map(|d| d.message.as_str()).collect();
        f.write_str(&msgs.join("; "))
    }
}

impl std::error::Error for DeriveErrors {}

struct Ctx<'a> {
    pack: &'a Pack,
    cfg: &'a DeployConfig,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn name(&mut self, raw: &str, suffix: &str, field: &str) -> Option<String> {
        match naming::aws_name(raw, suffix, field) {
            Ok(n) => Some(n),
            Err(d) => {
                if !self.errors.contains(&d) {
                    self.errors.push(d);
                }
                None
            }
        }
    }

    fn base_tags(&self) -> Tags {
        effective_tags(&self.pack.id, &self.pack.version, None, &self.cfg.tags)
    }
}

pub fn derive(pack: &Pack, cfg: &DeployConfig) -> Result<ResourcePlan, DeriveErrors> {
    let mut cx = Ctx {
        pack,
        cfg,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut steps: BTreeMap<Step, Vec<DesiredResource>> =
        Step::ALL.iter().map(|s| (*s, Vec::new())).collect();

    let memory = memory(&mut cx);
    let gateways = tool_gateways(&mut cx);
    let policies = cedar_policies(&mut cx, &gateways);
    let runtimes = runtimes(&mut cx, memory.as_ref(), &policies);
    let endpoints = a2a_endpoints(&mut cx, &runtimes);
    let evaluators = evaluators(&mut cx);
    let online = online_eval(&mut cx, &evaluators, &runtimes);

    for r in memory
        .into_iter()
        .chain(gateways)
        .chain(policies)
        .chain(runtimes)
        .chain(endpoints)
        .chain(evaluators)
        .chain(online)
    {
        steps.entry(r.kind.step()).or_default().push(r);
    }

    if !cx.errors.is_empty() {
        return Err(DeriveErrors(cx.errors));
    }
    Ok(ResourcePlan {
        pack_id: pack.id.clone(),
        pack_version: pack.version.clone(),
        region: cfg.region.clone(),
        steps: steps
            .into_iter()
            .map(|(step, resources)| PlanStep { step, resources })
            .collect(),
        warnings: cx.warnings,
    })
}

fn memory(cx: &mut Ctx) -> Option<DesiredResource> {
    let m = &cx.cfg.memory_store;
    if !m.is_configured() {
        return None;
    }
    let name = cx.name(&cx.pack.id, "_memory", "id")?;
    Some(DesiredResource {
        kind: ResourceKind::Memory,
        logical_id: cx.pack.id.clone(),
        depends_on: vec![],
        spec: ResourceSpec::Memory(MemorySpec {
            strategies: m.canonical_strategies(),
            event_expiry_days: m.event_expiry_days_or_default(),
            encryption_key_arn: m.encryption_key_arn.clone().filter(|s| !s.is_empty()),
            execution_role_arn: cx.cfg.runtime_role_arn.clone(),
            tags: cx.base_tags(),
        }),
        name,
    })
}

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

fn tool_gateways(cx: &mut Ctx) -> Vec<DesiredResource> {
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
            depends_on: vec![],
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

/// One policy engine per pack: the gateway enforces exactly one engine, so every prompt's
/// blocked tools are merged into it, one forbid per tool.
fn cedar_policies(cx: &mut Ctx, gateways: &[DesiredResource]) -> Vec<DesiredResource> {
    let pack = cx.pack;
    // tool key → (its gateway resource, the prompts blocking it, the first blocklist field)
    let mut blocked: BTreeMap<&str, (&DesiredResource, BTreeSet<&str>, String)> = BTreeMap::new();
    // Each blocklist prompt's registered blocked tools, to tell whether they differ.
    let mut per_prompt: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (prompt_key, prompt) in &pack.prompts {
        let Some(tp) = prompt
            .tool_policy
            .as_ref()
            .filter(|tp| !tp.blocklist.is_empty())
        else {
            continue;
        };
        let mut seen = BTreeSet::new();
        for (i, tool) in tp.blocklist.iter().enumerate() {
            if !seen.insert(tool.as_str()) {
                continue;
            }
            let field = format!("pack.prompts.{prompt_key}.tool_policy.blocklist[{i}]");
            match gateways.iter().find(|g| &g.logical_id == tool) {
                Some(g) => {
                    per_prompt
                        .entry(prompt_key.as_str())
                        .or_default()
                        .insert(tool.as_str());
                    blocked
                        .entry(tool.as_str())
                        .or_insert_with(|| (g, BTreeSet::new(), field))
                        .1
                        .insert(prompt_key.as_str());
                }
                None => {
                    let w = Diagnostic::warning(
                        field,
                        category::POLICY,
                        format!(
                            "blocked tool {tool:?} of prompt {prompt_key:?} is not a tool of the pack, so no Cedar policy is created for it"
                        ),
                    )
                    .with_hint(
                        "a tool that is not registered on the gateway cannot be called through it; fix the name if you meant a pack tool, or remove it from the blocklist",
                    );
                    cx.warnings.push(w);
                }
            }
        }
    }
    if blocked.is_empty() {
        return vec![];
    }
    let sets: BTreeSet<&BTreeSet<&str>> = per_prompt.values().collect();
    if sets.len() > 1 {
        let listed: Vec<String> = per_prompt
            .iter()
            .map(|(p, tools)| {
                format!(
                    "{p}: {}",
                    tools.iter().copied().collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        cx.warnings.push(
            Diagnostic::warning(
                "pack.prompts",
                category::SECURITY,
                format!(
                    "the prompts block different tools ({}), but every tool sits behind one gateway with one policy engine: each Cedar forbid blocks its tool for every agent of the pack, not only for the prompt that listed it",
                    listed.join("; ")
                ),
            )
            .with_hint(
                "the runtimes share one role, so a policy cannot tell the agents apart: move the agents that need such a tool to a separate pack, or accept the wider block",
            ),
        );
    }
    let Some(engine_name) = cx.name(&pack.id, "_policy_engine", "id") else {
        return vec![];
    };
    let first = blocked.values().next().map(|(g, _, _)| *g);
    let Some(ResourceSpec::ToolGateway(first)) = first.map(|g| &g.spec) else {
        return vec![];
    };
    let gateway_name = first.gateway_name.clone();
    let placeholder = cedar::placeholder_gateway_arn(
        &cx.cfg.region,
        cx.cfg.role_account().unwrap_or(""),
        &gateway_name,
    );
    let permit = match CedarPermit::planned(&placeholder) {
        Ok(p) => p,
        Err(e) => {
            cx.errors.push(Diagnostic::error(
                "pack.prompts",
                category::POLICY,
                e.to_string(),
            ));
            return vec![];
        }
    };
    let mut forbids = Vec::new();
    for (g, prompts, field) in blocked.values() {
        let ResourceSpec::ToolGateway(gs) = &g.spec else {
            continue;
        };
        let Some(policy_name) = cedar::policy_name(&gs.target_name) else {
            cx.errors.push(
                Diagnostic::error(
                    format!("pack.tools.{}", gs.tool_key),
                    category::NAMING,
                    format!(
                        "blocked tool {:?} cannot be named as a Cedar policy ({:?} must match {})",
                        gs.tool_key,
                        format!(
                            "{}{}",
                            cedar::POLICY_NAME_PREFIX,
                            gs.target_name.replace('-', "_")
                        ),
                        naming::AWS_NAME_PATTERN
                    ),
                )
                .with_hint(format!(
                    "rename the tool: at most {} letters, digits or '_'",
                    naming::AWS_NAME_MAX - cedar::POLICY_NAME_PREFIX.len()
                )),
            );
            continue;
        };
        let action = cedar::action_id(&gs.target_name, &gs.tool_name);
        match cedar::render_forbid(&action, &placeholder) {
            Ok(plan_statement) => forbids.push(CedarForbid {
                policy_name,
                tool: gs.tool_key.clone(),
                prompts: prompts.iter().map(|p| p.to_string()).collect(),
                action,
                plan_statement,
            }),
            Err(e) => cx.errors.push(Diagnostic::error(
                field.clone(),
                category::POLICY,
                e.to_string(),
            )),
        }
    }
    vec![DesiredResource {
        kind: ResourceKind::CedarPolicy,
        name: engine_name.clone(),
        logical_id: pack.id.clone(),
        depends_on: blocked
            .values()
            .map(|(g, _, _)| (ResourceKind::ToolGateway, g.name.clone()))
            .collect(),
        spec: ResourceSpec::CedarPolicy(CedarPolicySpec {
            prompts: per_prompt.keys().map(|p| p.to_string()).collect(),
            engine_name,
            gateway_name,
            permit,
            forbids,
            tags: cx.base_tags(),
        }),
    }]
}

fn providers_env(cfg: &DeployConfig, env: &mut BTreeMap<String, String>) {
    if cfg.providers.is_empty() {
        return;
    }
    let primary_idx = cfg
        .providers
        .iter()
        .position(|b| b.name == "default")
        .or_else(|| {
            cfg.providers
                .iter()
                .position(|b| b.role_or_default() == "llm")
        });
    let list: Vec<Value> = cfg
        .providers
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut o = serde_json::Map::new();
            o.insert("name".into(), json!(b.name));
            o.insert("role".into(), json!(b.role_or_default()));
            o.insert(
                "type".into(),
                json!(b.provider_type.clone().unwrap_or_default()),
            );
            if let Some(m) = b.model.as_ref().filter(|m| !m.is_empty()) {
                o.insert("model".into(), json!(m));
            }
            if Some(i) == primary_idx {
                o.insert("primary".into(), json!(true));
            }
            Value::Object(o)
        })
        .collect();
    env.insert(
        "PROMPTPACK_PROVIDERS".into(),
        Value::Array(list).to_string(),
    );
    if let Some(p) = primary_idx.map(|i| &cfg.providers[i]) {
        if let Some(t) = p.provider_type.as_ref().filter(|s| !s.is_empty()) {
            env.insert("PROMPTPACK_PROVIDER_TYPE".into(), t.clone());
        }
        if let Some(m) = p.model.as_ref().filter(|s| !s.is_empty()) {
            env.insert("PROMPTPACK_PROVIDER_MODEL".into(), m.clone());
        }
    }
}

fn metric_unit(metric_type: &str) -> &'static str {
    match metric_type {
        "counter" => "Count",
        "histogram" => "Milliseconds",
        _ => "None",
    }
}

/// `PROMPTPACK_METRICS_CONFIG`, or `None` when no enabled eval has a metric.
pub fn metrics_config(pack: &Pack) -> Option<String> {
    let mut metrics = Vec::new();
    let mut alarms = Vec::new();
    for e in pack.evals.iter().filter(|e| e.is_enabled()) {
        let Some(m) = e.metric.as_ref().filter(|m| !m.name.is_empty()) else {
            continue;
        };
        metrics.push(json!({
            "eval_id": e.id,
            "metric_name": m.name,
            "metric_type": m.metric_type,
            "unit": metric_unit(&m.metric_type),
        }));
        if let Some(r) = &m.range {
            let mut a = serde_json::Map::new();
            a.insert("metric_name".into(), json!(m.name));
            if let Some(min) = r.min {
                a.insert("min".into(), json!(min));
            }
            if let Some(max) = r.max {
                a.insert("max".into(), json!(max));
            }
            alarms.push(Value::Object(a));
        }
    }
    if metrics.is_empty() {
        return None;
    }
    let mut dims = serde_json::Map::new();
    dims.insert("pack_id".into(), json!(pack.id));
    if pack.is_multi_agent() {
        dims.insert("agent".into(), json!("multi"));
    }
    let mut cfg = serde_json::Map::new();
    cfg.insert("namespace".into(), json!(METRICS_NAMESPACE));
    cfg.insert("dimensions".into(), Value::Object(dims));
    cfg.insert("metrics".into(), Value::Array(metrics));
    if !alarms.is_empty() {
        cfg.insert("alarms".into(), Value::Array(alarms));
    }
    Some(Value::Object(cfg).to_string())
}

/// `PROMPTPACK_DASHBOARD_CONFIG`: a CloudWatch dashboard body with one widget per agent, an A2A
/// latency widget for multi-agent packs and one widget per eval metric (with its range as
/// threshold lines). Laid out two widgets per row.
pub fn dashboard_config(pack: &Pack, region: &str) -> Option<String> {
    const W: u32 = 12;
    const H: u32 = 6;
    let widget = |title: String, x: u32, y: u32, width: u32, metrics: Vec<Value>| {
        json!({
            "type": "metric", "x": x, "y": y, "width": width, "height": H,
            "properties": {"title": title, "region": region, "period": 300, "metrics": metrics},
        })
    };
    let mut widgets = Vec::new();
    let agents: Vec<String> = match pack.agents.as_ref().filter(|_| pack.is_multi_agent()) {
        Some(a) => a.members.keys().cloned().collect(),
        None => vec![pack.id.clone()],
    };
    let mut row = 0;
    for (i, name) in agents.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        row = (i / 2) * H;
        let metrics = ["Invocations", "Errors", "Duration"]
            .iter()
            .map(|m| json!([METRICS_NAMESPACE, m, "agent", name]))
            .collect();
        widgets.push(widget(
            format!("Agent: {name}"),
            (i % 2) * W,
            row,
            W,
            metrics,
        ));
    }
    row += H;
    if pack.is_multi_agent() {
        let metrics = agents
            .iter()
            .map(|a| json!([METRICS_NAMESPACE, "A2ALatency", "agent", a]))
            .collect();
        widgets.push(widget(
            "Inter-Agent A2A Call Latency".into(),
            0,
            row,
            2 * W,
            metrics,
        ));
        row += H;
    }
    let with_metric = pack
        .evals
        .iter()
        .filter(|e| e.is_enabled())
        .filter_map(|e| e.metric.as_ref().filter(|m| !m.name.is_empty()));
    for (i, m) in with_metric.enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        let mut w = widget(
            format!("Eval: {}", m.name),
            (i % 2) * W,
            row + (i / 2) * H,
            W,
            vec![json!([METRICS_NAMESPACE, m.name, "pack_id", pack.id])],
        );
        if let Some(r) = &m.range {
            let mut lines = Vec::new();
            if let Some(min) = r.min {
                lines.push(json!({"label": "min", "value": min, "color": "#2ca02c"}));
            }
            if let Some(max) = r.max {
                lines.push(json!({"label": "max", "value": max, "color": "#d62728"}));
            }
            if !lines.is_empty() {
                w["properties"]["annotations"] = json!({ "horizontal": lines });
            }
        }
        widgets.push(w);
    }
    Some(json!({ "widgets": widgets }).to_string())
}

fn base_env(cx: &Ctx) -> BTreeMap<String, String> {
    let cfg = cx.cfg;
    let mut env = BTreeMap::new();
    if !cfg.region.is_empty() {
        env.insert("AWS_REGION".into(), cfg.region.clone());
    }
    if let Some(lg) = cfg.log_group() {
        env.insert("PROMPTPACK_LOG_GROUP".into(), lg.to_string());
    }
    if cfg
        .observability
        .as_ref()
        .is_some_and(|o| o.tracing_enabled)
    {
        env.insert("PROMPTPACK_TRACING_ENABLED".into(), "true".into());
        // The runtime reads OTEL_TRACING_ENABLED, not the variable the adapter sets.
        env.insert("OTEL_TRACING_ENABLED".into(), "true".into());
    }
    if let Some(ep) = cfg
        .observability
        .as_ref()
        .and_then(|o| o.otlp_endpoint.as_deref())
        .filter(|s| !s.is_empty())
    {
        env.insert("OTEL_EXPORTER_OTLP_ENDPOINT".into(), ep.to_string());
    }
    if cfg.memory_store.is_configured() {
        env.insert(
            "PROMPTPACK_MEMORY_STORE".into(),
            cfg.memory_store.canonical_strategies().join(","),
        );
    }
    if let Some(a) = cfg.a2a_auth.as_ref().filter(|a| !a.mode.is_empty()) {
        env.insert("PROMPTPACK_A2A_AUTH_MODE".into(), a.mode.clone());
        if a.mode == "iam" {
            env.insert(
                "PROMPTPACK_A2A_AUTH_ROLE".into(),
                cfg.runtime_role_arn.clone(),
            );
        }
    }
    if let Some(p) = cfg.protocol.as_ref().filter(|p| !p.is_empty()) {
        env.insert("PROMPTPACK_PROTOCOL".into(), p.clone());
    }
    providers_env(cfg, &mut env);
    if let Some(m) = metrics_config(cx.pack) {
        env.insert("PROMPTPACK_METRICS_CONFIG".into(), m);
    }
    if let Some(d) = dashboard_config(cx.pack, &cfg.region) {
        env.insert("PROMPTPACK_DASHBOARD_CONFIG".into(), d);
    }
    env
}

fn runtimes(
    cx: &mut Ctx,
    memory: Option<&DesiredResource>,
    policies: &[DesiredResource],
) -> Vec<DesiredResource> {
    let pack = cx.pack;
    let cfg = cx.cfg;
    let env = base_env(cx);
    let server_protocol = match cfg.protocol.as_deref() {
        Some("http") | Some("both") => Some("HTTP".to_string()),
        Some("a2a") => Some("A2A".to_string()),
        _ => None,
    };
    let authorizer = cfg
        .a2a_auth
        .as_ref()
        .filter(|a| a.mode == "jwt")
        .map(|a| JwtAuthorizer {
            discovery_url: a.discovery_url.clone().unwrap_or_default(),
            allowed_audience: a.allowed_audience.clone(),
            allowed_clients: a.allowed_clients.clone(),
        });
    let mut depends_on = Vec::new();
    let mut after_apply = Vec::new();
    if let Some(m) = memory {
        depends_on.push((ResourceKind::Memory, m.name.clone()));
        after_apply.push("PROMPTPACK_MEMORY_ID".to_string());
    }
    if !policies.is_empty() {
        after_apply.push("PROMPTPACK_POLICY_ENGINE_ARN".to_string());
    }
    depends_on.extend(
        policies
            .iter()
            .map(|p| (ResourceKind::CedarPolicy, p.name.clone())),
    );

    // (runtime name, member, is entry)
    let mut members: Vec<(String, Option<String>, bool)> = Vec::new();
    match pack.agents.as_ref().filter(|_| pack.is_multi_agent()) {
        None => {
            if let Some(n) = cx.name(&pack.id, "", "id") {
                members.push((n, None, false));
            }
        }
        Some(agents) => {
            if !agents.members.contains_key(&agents.entry) {
                cx.errors.push(
                    Diagnostic::error(
                        "pack.agents.entry",
                        category::PACK,
                        format!(
                            "pack field agents.entry = {:?} is not one of agents.members ({})",
                            agents.entry,
                            agents
                                .members
                                .keys()
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .with_hint("set agents.entry to the member that receives requests first"),
                );
            }
            for m in agents.members.keys() {
                if !pack.prompts.contains_key(m) {
                    cx.errors.push(
                        Diagnostic::error(
                            format!("pack.agents.members.{m}"),
                            category::PACK,
                            format!("pack field agents.members.{m} names no prompt of the pack"),
                        )
                        .with_hint(
                            "every member must be a key of prompts; the runtime loads that prompt",
                        ),
                    );
                }
                if let Some(n) = cx.name(m, "", &format!("agents.members.{m}")) {
                    members.push((n, Some(m.clone()), *m == agents.entry));
                }
            }
        }
    }
    members
        .into_iter()
        .map(|(name, member, is_entry)| {
            let mut env = env.clone();
            let mut after = after_apply.clone();
            if let Some(m) = &member {
                env.insert("PROMPTPACK_AGENT".into(), m.clone());
                if is_entry {
                    after.push("PROMPTPACK_AGENTS".into());
                }
            }
            DesiredResource {
                kind: ResourceKind::AgentRuntime,
                logical_id: member.clone().unwrap_or_else(|| pack.id.clone()),
                depends_on: depends_on.clone(),
                spec: ResourceSpec::AgentRuntime(RuntimeSpec {
                    agent: member.clone(),
                    is_entry,
                    role_arn: cfg.runtime_role_arn.clone(),
                    server_protocol: server_protocol.clone(),
                    env,
                    env_after_apply: after,
                    authorizer: authorizer.clone(),
                    runtime_binary_path: cfg.runtime_binary_path.clone(),
                    tags: effective_tags(&pack.id, &pack.version, member.as_deref(), &cfg.tags),
                }),
                name,
            }
        })
        .collect()
}

fn a2a_endpoints(cx: &mut Ctx, runtimes: &[DesiredResource]) -> Vec<DesiredResource> {
    if !cx.pack.is_multi_agent() {
        return vec![];
    }
    let Some(entry) = runtimes
        .iter()
        .find(|r| matches!(&r.spec, ResourceSpec::AgentRuntime(s) if s.is_entry))
    else {
        return vec![];
    };
    runtimes
        .iter()
        .map(|r| DesiredResource {
            kind: ResourceKind::A2aEndpoint,
            name: format!("{}_endpoint", r.name),
            logical_id: r.logical_id.clone(),
            depends_on: vec![
                (ResourceKind::AgentRuntime, r.name.clone()),
                (ResourceKind::AgentRuntime, entry.name.clone()),
            ],
            spec: ResourceSpec::A2aEndpoint(A2aEndpointSpec {
                member: r.logical_id.clone(),
                runtime_name: r.name.clone(),
                entry_runtime_name: entry.name.clone(),
            }),
        })
        .collect()
}

fn judge_instructions(e: &EvalDef) -> String {
    let given = ["instructions", "judge_prompt"]
        .iter()
        .find_map(|k| e.params.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty());
    let mut text = given.unwrap_or(DEFAULT_JUDGE_INSTRUCTIONS).to_string();
    if !["{context}", "{assistant_turn}", "{user_input}"]
        .iter()
        .any(|p| text.contains(p))
    {
        text.push_str("\n\nContext: {context}\nAssistant response: {assistant_turn}");
    }
    text
}

pub fn eval_level(trigger: &str) -> &'static str {
    match trigger {
        "on_session_complete" | "sample_sessions" | "on_conversation_complete" => "SESSION",
        _ => "TRACE",
    }
}

fn evaluators(cx: &mut Ctx) -> Vec<DesiredResource> {
    let pack = cx.pack;
    let mut out: Vec<DesiredResource> = Vec::new();
    for (i, e) in pack.evals.iter().enumerate() {
        if !e.is_llm_judge() || !e.is_enabled() {
            continue;
        }
        let field = format!("evals[{i}].id");
        let Some(name) = cx.name(&e.id, "", &field) else {
            continue;
        };
        if let Some(other) = out.iter().find(|r| r.name == name) {
            cx.errors.push(
                Diagnostic::error(
                    format!("pack.{field}"),
                    category::NAMING,
                    format!(
                        "evals {:?} and {:?} both become evaluator {name:?}",
                        other.logical_id, e.id
                    ),
                )
                .with_hint("give the evals distinct ids"),
            );
            continue;
        }
        let size = match e.params.get("rating_scale_size") {
            None => DEFAULT_RATING_SCALE,
            Some(v) => match v.as_f64() {
                Some(n) if n >= 2.0 && n.fract() == 0.0 && n <= 100.0 => n as u32,
                _ => {
                    cx.errors.push(
                        Diagnostic::error(
                            format!("pack.evals[{i}].params.rating_scale_size"),
                            category::PACK,
                            format!("pack field evals[{i}].params.rating_scale_size = {v} must be a whole number from 2 to 100"),
                        )
                        .with_hint("leave it out for a 1–5 scale"),
                    );
                    continue;
                }
            },
        };
        let model_id = e
            .params
            .get("model")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_JUDGE_MODEL)
            .to_string();
        out.push(DesiredResource {
            kind: ResourceKind::Evaluator,
            name,
            logical_id: e.id.clone(),
            depends_on: vec![],
            spec: ResourceSpec::Evaluator(EvaluatorSpec {
                eval_id: e.id.clone(),
                description: e.description.clone(),
                instructions: judge_instructions(e),
                model_id,
                rating_scale: (1..=size)
                    .map(|v| RatingLevel {
                        value: f64::from(v),
                        label: format!("Score {v}"),
                        definition: format!("Score {v}"),
                    })
                    .collect(),
                level: eval_level(&e.trigger).to_string(),
                tags: cx.base_tags(),
            }),
        });
    }
    out
}

fn sampling_percentage(pack: &Pack) -> f64 {
    let valid = |v: f64| v > 0.0 && v <= 100.0;
    let defs: Vec<&EvalDef> = pack.online_eval_defs().map(|(_, e)| e).collect();
    defs.iter()
        .find_map(|e| {
            e.params
                .get("sample_percentage")
                .and_then(Value::as_f64)
                .filter(|v| valid(*v))
        })
        .or_else(|| {
            defs.iter()
                .find_map(|e| e.sample_percentage.filter(|v| valid(*v)))
        })
        .unwrap_or(100.0)
}

/// One configuration per runtime: AWS takes exactly one service name per configuration
/// (`CloudWatchLogsInputConfig.serviceNames`, 1..1), so a pack-wide one is rejected as soon as
/// the pack has two agents.
fn online_eval(
    cx: &mut Ctx,
    evaluators: &[DesiredResource],
    runtimes: &[DesiredResource],
) -> Vec<DesiredResource> {
    let pack = cx.pack;
    let builtin: Vec<String> = pack
        .online_eval_defs()
        .filter(|(_, e)| e.is_builtin() && !e.id.is_empty())
        .map(|(_, e)| e.id.clone())
        .collect();
    if evaluators.is_empty() && builtin.is_empty() {
        return vec![];
    }
    let log_group = cx
        .cfg
        .log_group()
        .unwrap_or(DEFAULT_ONLINE_EVAL_LOG_GROUP)
        .to_string();
    let mut out: Vec<DesiredResource> = Vec::new();
    for r in runtimes {
        let ResourceSpec::AgentRuntime(rs) = &r.spec else {
            continue;
        };
        let name = naming::online_eval_name(&r.name);
        if let Some(other) = out.iter().find(|o| o.name == name) {
            cx.errors.push(
                Diagnostic::error(
                    format!("pack.agents.members.{}", r.logical_id),
                    category::NAMING,
                    format!(
                        "agents {:?} and {:?} both get online evaluation configuration {name:?}",
                        other.logical_id, r.logical_id
                    ),
                )
                .with_hint("rename one of the two members"),
            );
            continue;
        }
        let mut depends_on: Vec<(ResourceKind, String)> = evaluators
            .iter()
            .map(|e| (ResourceKind::Evaluator, e.name.clone()))
            .collect();
        // Only its own runtime: one runtime failing does not stop the others being evaluated.
        depends_on.push((ResourceKind::AgentRuntime, r.name.clone()));
        out.push(DesiredResource {
            kind: ResourceKind::OnlineEvalConfig,
            logical_id: r.logical_id.clone(),
            depends_on,
            spec: ResourceSpec::OnlineEvalConfig(OnlineEvalSpec {
                sampling_percentage: sampling_percentage(pack),
                evaluators: evaluators.iter().map(|e| e.name.clone()).collect(),
                builtin_evaluator_ids: builtin.clone(),
                log_group_names: vec![log_group.clone()],
                service_names: vec![service_name(&r.name)],
                execution_role_arn: cx.cfg.runtime_role_arn.clone(),
                tags: rs.tags.clone(),
            }),
            name,
        });
    }
    out
}

/// The service name AgentCore gives a runtime's spans: `<runtime name>.DEFAULT` (the adapter
/// used the pack id even for multi-agent packs, whose runtimes are named after members).
pub fn service_name(runtime_name: &str) -> String {
    format!("{runtime_name}.DEFAULT")
}
