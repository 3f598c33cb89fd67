//! Every value the app will send, held against AWS's published models (`aws_models`) before
//! anything is called: a table from each pack or deploy config field, as the plan derives it,
//! to the operation and member it becomes. AWS answers a value outside its model with a
//! ValidationException, and in an apply that comes after earlier resources already exist; here
//! the same limits, read from the same data the emulator enforces, refuse it at `validate` and
//! `plan` time, naming the field to change.

use aws_models::{Constraint, Service, model};
use serde_json::{Value, json};

use crate::config::DeployConfig;
use crate::config::tags::{TAG_AGENT, TAG_PACK_ID, TAG_VERSION, Tags};
use crate::diagnostic::{CheckContext, Diagnostic, category};
use crate::pack::Pack;
use crate::plan::cedar;
use crate::plan::memory::strategy_name;
use crate::plan::runtime::code_key;
use crate::plan::{
    CedarPolicySpec, DesiredResource, EvaluatorSpec, MemorySpec, OnlineEvalSpec, ResourcePlan,
    ResourceSpec, RuntimeSpec, ToolGatewaySpec,
};

/// One member of one operation's input: where a value ends up on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    pub service: Service,
    pub operation: &'static str,
    /// Dotted member path as `aws_models::Model::member_shape` reads it.
    pub member: &'static str,
}

const fn control(operation: &'static str, member: &'static str) -> Site {
    Site {
        service: Service::Control,
        operation,
        member,
    }
}

const fn data(operation: &'static str, member: &'static str) -> Site {
    Site {
        service: Service::Data,
        operation,
        member,
    }
}

// ---- the table: every member a pack or config value becomes ----

const RT: &str = "CreateAgentRuntime";
pub const RT_NAME: Site = control(RT, "agentRuntimeName");
pub const RT_ROLE: Site = control(RT, "roleArn");
pub const RT_CONTAINER: Site = control(
    RT,
    "agentRuntimeArtifact.containerConfiguration.containerUri",
);
pub const RT_CODE_PREFIX: Site =
    control(RT, "agentRuntimeArtifact.codeConfiguration.code.s3.prefix");
pub const RT_PROTOCOL: Site = control(RT, "protocolConfiguration.serverProtocol");
pub const RT_DISCOVERY_URL: Site = control(
    RT,
    "authorizerConfiguration.customJWTAuthorizer.discoveryUrl",
);
pub const RT_AUDIENCE: Site = control(
    RT,
    "authorizerConfiguration.customJWTAuthorizer.allowedAudience",
);
pub const RT_CLIENTS: Site = control(
    RT,
    "authorizerConfiguration.customJWTAuthorizer.allowedClients",
);
pub const RT_ENV: Site = control(RT, "environmentVariables");
pub const RT_TAGS: Site = control(RT, "tags");

const MEM: &str = "CreateMemory";
pub const MEM_NAME: Site = control(MEM, "name");
pub const MEM_ROLE: Site = control(MEM, "memoryExecutionRoleArn");
pub const MEM_KEY: Site = control(MEM, "encryptionKeyArn");
pub const MEM_EXPIRY: Site = control(MEM, "eventExpiryDuration");
pub const MEM_EPISODIC: Site = control(MEM, "memoryStrategies.member.episodicMemoryStrategy.name");
pub const MEM_SEMANTIC: Site = control(MEM, "memoryStrategies.member.semanticMemoryStrategy.name");
pub const MEM_SUMMARY: Site = control(MEM, "memoryStrategies.member.summaryMemoryStrategy.name");
pub const MEM_USER_PREFERENCE: Site = control(
    MEM,
    "memoryStrategies.member.userPreferenceMemoryStrategy.name",
);
pub const MEM_TAGS: Site = control(MEM, "tags");

const GW: &str = "CreateGateway";
pub const GW_NAME: Site = control(GW, "name");
pub const GW_ROLE: Site = control(GW, "roleArn");
pub const GW_TAGS: Site = control(GW, "tags");

const TG: &str = "CreateGatewayTarget";
pub const TG_NAME: Site = control(TG, "name");
pub const TG_LAMBDA: Site = control(TG, "targetConfiguration.mcp.lambda.lambdaArn");
pub const TG_TOOL_NAME: Site = control(
    TG,
    "targetConfiguration.mcp.lambda.toolSchema.inlinePayload.member.name",
);
pub const TG_TOOL_DESCRIPTION: Site = control(
    TG,
    "targetConfiguration.mcp.lambda.toolSchema.inlinePayload.member.description",
);
pub const TG_TOOL_SCHEMA: Site = control(
    TG,
    "targetConfiguration.mcp.lambda.toolSchema.inlinePayload.member.inputSchema",
);
pub const TG_ENDPOINT: Site = control(TG, "targetConfiguration.mcp.mcpServer.endpoint");
pub const TG_CREDENTIAL: Site = control(
    TG,
    "credentialProviderConfigurations.member.credentialProviderType",
);

const PE: &str = "CreatePolicyEngine";
pub const PE_NAME: Site = control(PE, "name");
pub const PE_DESCRIPTION: Site = control(PE, "description");
pub const PE_TAGS: Site = control(PE, "tags");

const POL: &str = "CreatePolicy";
pub const POL_NAME: Site = control(POL, "name");
pub const POL_DESCRIPTION: Site = control(POL, "description");
pub const POL_STATEMENT: Site = control(POL, "definition.cedar.statement");

const EV: &str = "CreateEvaluator";
pub const EV_NAME: Site = control(EV, "evaluatorName");
pub const EV_DESCRIPTION: Site = control(EV, "description");
pub const EV_INSTRUCTIONS: Site = control(EV, "evaluatorConfig.llmAsAJudge.instructions");
pub const EV_RATING: Site = control(EV, "evaluatorConfig.llmAsAJudge.ratingScale.numerical");
pub const EV_MODEL: Site = control(
    EV,
    "evaluatorConfig.llmAsAJudge.modelConfig.bedrockEvaluatorModelConfig.modelId",
);
pub const EV_LEVEL: Site = control(EV, "level");
pub const EV_TAGS: Site = control(EV, "tags");

const OE: &str = "CreateOnlineEvaluationConfig";
pub const OE_NAME: Site = control(OE, "onlineEvaluationConfigName");
pub const OE_SAMPLING: Site = control(OE, "rule.samplingConfig.samplingPercentage");
pub const OE_EVALUATORS: Site = control(OE, "evaluators");
pub const OE_EVALUATOR_ID: Site = control(OE, "evaluators.member.evaluatorId");
pub const OE_LOG_GROUPS: Site = control(OE, "dataSourceConfig.cloudWatchLogs.logGroupNames");
pub const OE_SERVICES: Site = control(OE, "dataSourceConfig.cloudWatchLogs.serviceNames");
pub const OE_ROLE: Site = control(OE, "evaluationExecutionRoleArn");
pub const OE_TAGS: Site = control(OE, "tags");

const REC: &str = "StartRecommendation";
pub const REC_NAME: Site = data(REC, "name");
pub const REC_DESCRIPTION: Site = data(REC, "description");
pub const REC_PROMPT: Site = data(
    REC,
    "recommendationConfig.systemPromptRecommendationConfig.systemPrompt.text",
);
pub const REC_SP_LOG_GROUPS: Site = data(
    REC,
    "recommendationConfig.systemPromptRecommendationConfig.agentTraces.cloudwatchLogs.logGroupArns",
);
pub const REC_SP_SERVICES: Site = data(
    REC,
    "recommendationConfig.systemPromptRecommendationConfig.agentTraces.cloudwatchLogs.serviceNames",
);
pub const REC_EVALUATORS: Site = data(
    REC,
    "recommendationConfig.systemPromptRecommendationConfig.evaluationConfig.evaluators",
);
pub const REC_TOOL_NAME: Site = data(
    REC,
    "recommendationConfig.toolDescriptionRecommendationConfig.toolDescription.toolDescriptionText.tools.member.toolName",
);
pub const REC_TOOL_TEXT: Site = data(
    REC,
    "recommendationConfig.toolDescriptionRecommendationConfig.toolDescription.toolDescriptionText.tools.member.toolDescription.text",
);
pub const REC_TD_LOG_GROUPS: Site = data(
    REC,
    "recommendationConfig.toolDescriptionRecommendationConfig.agentTraces.cloudwatchLogs.logGroupArns",
);
pub const REC_TD_SERVICES: Site = data(
    REC,
    "recommendationConfig.toolDescriptionRecommendationConfig.agentTraces.cloudwatchLogs.serviceNames",
);
pub const REC_KMS_KEY: Site = data(REC, "kmsKeyArn");
pub const REC_TAGS: Site = data(REC, "tags");

/// Every row, so a test can hold each against the model data: a member renamed or dropped by
/// a model update fails there, not silently here.
pub const SITES: &[Site] = &[
    RT_NAME,
    RT_ROLE,
    RT_CONTAINER,
    RT_CODE_PREFIX,
    RT_PROTOCOL,
    RT_DISCOVERY_URL,
    RT_AUDIENCE,
    RT_CLIENTS,
    RT_ENV,
    RT_TAGS,
    MEM_NAME,
    MEM_ROLE,
    MEM_KEY,
    MEM_EXPIRY,
    MEM_EPISODIC,
    MEM_SEMANTIC,
    MEM_SUMMARY,
    MEM_USER_PREFERENCE,
    MEM_TAGS,
    GW_NAME,
    GW_ROLE,
    GW_TAGS,
    TG_NAME,
    TG_LAMBDA,
    TG_TOOL_NAME,
    TG_TOOL_DESCRIPTION,
    TG_TOOL_SCHEMA,
    TG_ENDPOINT,
    TG_CREDENTIAL,
    PE_NAME,
    PE_DESCRIPTION,
    PE_TAGS,
    POL_NAME,
    POL_DESCRIPTION,
    POL_STATEMENT,
    EV_NAME,
    EV_DESCRIPTION,
    EV_INSTRUCTIONS,
    EV_RATING,
    EV_MODEL,
    EV_LEVEL,
    EV_TAGS,
    OE_NAME,
    OE_SAMPLING,
    OE_EVALUATORS,
    OE_EVALUATOR_ID,
    OE_LOG_GROUPS,
    OE_SERVICES,
    OE_ROLE,
    OE_TAGS,
    REC_NAME,
    REC_DESCRIPTION,
    REC_PROMPT,
    REC_SP_LOG_GROUPS,
    REC_SP_SERVICES,
    REC_EVALUATORS,
    REC_TOOL_NAME,
    REC_TOOL_TEXT,
    REC_TD_LOG_GROUPS,
    REC_TD_SERVICES,
    REC_KMS_KEY,
    REC_TAGS,
];

/// Values shown in a message are cut to this many characters.
const SHOWN_MAX: usize = 40;

// ---- where a value came from ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Pack,
    Config,
    Request,
}

/// The field a user edits to fix a value, and how the message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    origin: Origin,
    /// The field as written, e.g. `evals[0].description`, `tags.team`, `systemPrompt`.
    path: String,
    /// How the message names it, when more than the field (e.g. "key of tags.x").
    label: Option<String>,
}

fn pack(path: impl Into<String>) -> Source {
    Source {
        origin: Origin::Pack,
        path: path.into(),
        label: None,
    }
}

fn config(path: impl Into<String>) -> Source {
    Source {
        origin: Origin::Config,
        path: path.into(),
        label: None,
    }
}

pub(crate) fn req(path: impl Into<String>) -> Source {
    Source {
        origin: Origin::Request,
        path: path.into(),
        label: None,
    }
}

impl Source {
    pub(crate) fn labelled(mut self, label: String) -> Self {
        self.label = Some(label);
        self
    }

    /// The diagnostic field, in the convention of the other checks: `pack.` for the pack.
    fn field(&self) -> String {
        match self.origin {
            Origin::Pack => format!("pack.{}", self.path),
            Origin::Config | Origin::Request => self.path.clone(),
        }
    }

    fn name(&self) -> String {
        let what = self.label.as_deref().unwrap_or(&self.path);
        match self.origin {
            Origin::Pack => format!("pack field {what}"),
            Origin::Config => format!("deploy config: {what}"),
            Origin::Request => what.to_string(),
        }
    }

    fn place(&self) -> &'static str {
        match self.origin {
            Origin::Pack => "in the pack",
            Origin::Config => "in the deploy config",
            Origin::Request => "in the request",
        }
    }

    /// A part of a structured value (a tool's schema): the model's path under the field.
    fn nested(&self, sub: &str) -> Source {
        Source {
            origin: self.origin,
            path: format!("{}.{sub}", self.path),
            label: None,
        }
    }
}

// ---- findings ----

#[derive(Debug, Clone)]
struct Finding {
    source: Source,
    shown: String,
    /// Characters of a string, entries of a list or map.
    len: Option<usize>,
    collection: bool,
    constraint: Constraint,
    /// (operation, member path) of every request the value goes to.
    sites: Vec<(&'static str, String)>,
    /// What exactly breaks a pattern, when one character does.
    culprit: Option<char>,
    note: Option<String>,
}

#[derive(Default)]
pub(crate) struct Checks {
    found: Vec<Finding>,
}

impl Checks {
    /// `value` as the member `site.member` + `sub` (e.g. `.key` of a map), every violation kept.
    pub(crate) fn value(&mut self, source: &Source, site: Site, sub: &str, value: &Value) {
        self.held(source, site, sub, value, None, false);
    }

    fn value_noted(&mut self, source: &Source, site: Site, sub: &str, value: &Value, note: &str) {
        self.held(source, site, sub, value, Some(note), false);
    }

    pub(crate) fn text(&mut self, source: &Source, site: Site, sub: &str, value: &str) {
        self.value(source, site, sub, &json!(value));
    }

    /// Only the number of entries of a list or map; its items are checked one by one, each
    /// with the field it came from.
    pub(crate) fn size(&mut self, source: &Source, site: Site, value: &Value, note: Option<&str>) {
        self.held(source, site, "", value, note, true);
    }

    fn held(
        &mut self,
        source: &Source,
        site: Site,
        sub: &str,
        value: &Value,
        note: Option<&str>,
        size_only: bool,
    ) {
        let path = format!("{}{sub}", site.member);
        let m = model(site.service);
        let Some(shape) = m.member_shape(site.operation, &path) else {
            // The `SITES` test holds every row against the data; a miss here is a table typo.
            debug_assert!(
                false,
                "{} has no member {path} in models/data",
                site.operation
            );
            return;
        };
        for v in m.validate(shape, value, "") {
            let rel = v.path.trim_start_matches('.');
            let root = rel.is_empty();
            let is_size = matches!(
                v.constraint,
                Constraint::MinLength(_) | Constraint::MaxLength(_)
            );
            if size_only && !(root && is_size) {
                continue;
            }
            let (src, shown, len, collection) = if root {
                let (shown, len, collection) = show(value);
                (source.clone(), shown, len, collection)
            } else {
                let len = v.value.as_deref().map(|s| s.chars().count());
                let shown = v
                    .value
                    .as_deref()
                    .map(quote)
                    .unwrap_or_else(|| "its value".to_string());
                (source.nested(rel), shown, len, false)
            };
            let at = if root {
                (site.operation, path.clone())
            } else {
                (site.operation, format!("{path}.{rel}"))
            };
            let culprit = match (&v.constraint, value.as_str()) {
                (Constraint::Pattern(_), Some(text)) if root => culprit(m, shape, text),
                _ => None,
            };
            self.add(Finding {
                source: src,
                shown,
                len,
                collection,
                constraint: v.constraint,
                sites: vec![at],
                culprit,
                note: note.map(str::to_string),
            });
        }
    }

    /// One finding per field, value and constraint, however many requests carry it (a tag
    /// goes to every Create).
    fn add(&mut self, f: Finding) {
        if let Some(same) = self
            .found
            .iter_mut()
            .find(|g| g.source == f.source && g.shown == f.shown && g.constraint == f.constraint)
        {
            for s in f.sites {
                if !same.sites.contains(&s) {
                    same.sites.push(s);
                }
            }
            return;
        }
        self.found.push(f);
    }

    pub(crate) fn diagnostics(self) -> Vec<Diagnostic> {
        self.found.into_iter().map(diagnostic).collect()
    }
}

/// The first character without which `text` would match its pattern, if there is one.
fn culprit(m: &aws_models::Model, shape: &aws_models::Shape, text: &str) -> Option<char> {
    let mut tried = Vec::new();
    text.chars().find(|ch| {
        if tried.contains(ch) {
            return false;
        }
        tried.push(*ch);
        let without: String = text.chars().filter(|c| c != ch).collect();
        !without.is_empty()
            && !m
                .validate(shape, &json!(without), "")
                .iter()
                .any(|v| matches!(v.constraint, Constraint::Pattern(_)))
    })
}

/// `Op1 a, Op2 a, Op3 b` as `a of Op1, Op2; b of Op3`.
fn sites(list: &[(&'static str, String)]) -> String {
    let mut by_member: Vec<(&str, Vec<&str>)> = Vec::new();
    for (op, member) in list {
        match by_member.iter_mut().find(|(m, _)| m == member) {
            Some((_, ops)) => ops.push(op),
            None => by_member.push((member, vec![op])),
        }
    }
    by_member
        .iter()
        .map(|(m, ops)| format!("{m} of {}", ops.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

fn quote(s: &str) -> String {
    let n = s.chars().count();
    if n <= SHOWN_MAX {
        return format!("\"{}\"", s.escape_debug());
    }
    let head: String = s.chars().take(SHOWN_MAX).collect();
    format!("\"{}…\" ({n} characters)", head.escape_debug())
}

/// The value as the message shows it, its length, and whether it is a collection.
fn show(v: &Value) -> (String, Option<usize>, bool) {
    match v {
        Value::String(s) => (quote(s), Some(s.chars().count()), false),
        Value::Array(a) => (format!("{} entries", a.len()), Some(a.len()), true),
        Value::Object(o) => (format!("{} entries", o.len()), Some(o.len()), true),
        other => (other.to_string(), None, false),
    }
}

fn fix(c: &Constraint, len: Option<usize>, collection: bool) -> String {
    let has = len.map(|l| format!(" (it has {l})")).unwrap_or_default();
    match c {
        Constraint::MaxLength(n) if collection => format!("at most {n} are allowed{has}"),
        Constraint::MaxLength(n) => format!("shorten it to at most {n} characters{has}"),
        Constraint::MinLength(n) if collection => format!("give at least {n}"),
        Constraint::MinLength(1) => "it must not be empty".to_string(),
        Constraint::MinLength(n) => format!("make it at least {n} characters long{has}"),
        Constraint::Pattern(p) => format!("change it so that the whole value matches {p}"),
        Constraint::Enum(v) => format!("use one of {}", v.join(", ")),
        Constraint::Min(x) => format!("use a value of at least {x}"),
        Constraint::Max(x) => format!("use a value of at most {x}"),
        Constraint::Required => "set it".to_string(),
        Constraint::OneMember(m) => format!("set exactly one of {}", m.join(", ")),
        Constraint::Type(t) => format!("make it {t}"),
        Constraint::MapKey(inner) => fix(inner, len, false),
    }
}

fn diagnostic(f: Finding) -> Diagnostic {
    let category = match f.source.origin {
        Origin::Pack => category::PACK,
        Origin::Config | Origin::Request => category::CONFIGURATION,
    };
    let mut hint = format!(
        "{}, {}",
        f.source.place(),
        fix(&f.constraint, f.len, f.collection)
    );
    if let Some(ch) = f.culprit {
        hint.push_str(&format!(" (without {ch:?} it would)"));
    }
    if let Some(n) = &f.note {
        hint.push_str("; ");
        hint.push_str(n);
    }
    Diagnostic::error(
        f.source.field(),
        category,
        format!(
            "{} = {} is refused by AWS ({}): {}",
            f.source.name(),
            f.shown,
            sites(&f.sites),
            f.constraint
        ),
    )
    .with_hint(hint)
}

// ---- the checks ----

/// Everything a derived plan will send (and what a recommendation from the pack would),
/// against the model.
pub fn plan(
    plan: &ResourcePlan,
    pack: &Pack,
    cfg: &DeployConfig,
    ctx: &CheckContext,
) -> Vec<Diagnostic> {
    let mut c = Checks::default();
    let mut gateway_done = false;
    for r in plan.resources() {
        match &r.spec {
            ResourceSpec::Memory(s) => memory(&mut c, r, s, cfg),
            ResourceSpec::ToolGateway(s) => {
                if !gateway_done {
                    gateway(&mut c, s, cfg);
                    gateway_done = true;
                }
                target(&mut c, s);
            }
            ResourceSpec::CedarPolicy(s) => policies(&mut c, s, cfg),
            ResourceSpec::AgentRuntime(s) => runtime(&mut c, r, s, plan, pack, cfg, ctx),
            ResourceSpec::A2aEndpoint(_) => {}
            ResourceSpec::Evaluator(s) => evaluator(&mut c, r, s, pack, cfg),
            ResourceSpec::OnlineEvalConfig(s) => online_eval(&mut c, r, s, pack, cfg),
        }
    }
    let mut out = c.diagnostics();
    // A deploy never sends these; only a later `recs start --pack` would, and that refuses
    // them itself. So here they warn instead of blocking the deploy.
    let mut rec = Checks::default();
    recommendable(&mut rec, pack);
    out.extend(rec.diagnostics().into_iter().map(|mut d| {
        d.severity = crate::diagnostic::Severity::Warning;
        d
    }));
    out
}

/// Without a plan (no pack, or one that does not derive): the config values that are sent
/// whatever the pack, i.e. to the runtime and, when configured, the memory.
pub fn config_only(cfg: &DeployConfig, ctx: &CheckContext) -> Vec<Diagnostic> {
    let mut c = Checks::default();
    let memory = cfg.memory_store.is_configured();
    if !cfg.runtime_role_arn.is_empty() {
        let role = config("runtime_role_arn");
        c.text(&role, RT_ROLE, "", &cfg.runtime_role_arn);
        if memory {
            c.text(&role, MEM_ROLE, "", &cfg.runtime_role_arn);
        }
    }
    for (k, v) in &cfg.tags {
        user_tag(&mut c, RT_TAGS, k, v);
        if memory {
            user_tag(&mut c, MEM_TAGS, k, v);
        }
    }
    if memory {
        let m = &cfg.memory_store;
        memory_settings(
            &mut c,
            m.event_expiry_days_or_default(),
            m.encryption_key_arn.as_deref().filter(|k| !k.is_empty()),
            &m.canonical_strategies(),
        );
    }
    if let Some(a) = cfg.a2a_auth.as_ref().filter(|a| a.mode == "jwt") {
        jwt(
            &mut c,
            a.discovery_url.as_deref().unwrap_or(""),
            &a.allowed_audience,
            &a.allowed_clients,
        );
    }
    if let Some(img) = ctx.container_image_uri.as_deref().filter(|s| !s.is_empty()) {
        c.text(&config("container_image_uri"), RT_CONTAINER, "", img);
    }
    c.diagnostics()
}

/// Adds the model's findings to diagnostics already made. A field that already has an error
/// keeps only that one: it is in the adapter's wording, and the value must change anyway.
pub fn merge(into: &mut Vec<Diagnostic>, found: Vec<Diagnostic>) {
    for d in found {
        if !into.iter().any(|e| e.is_error() && e.field == d.field) {
            into.push(d);
        }
    }
}

fn memory(c: &mut Checks, r: &DesiredResource, s: &MemorySpec, cfg: &DeployConfig) {
    c.text(&self::pack("id"), MEM_NAME, "", &r.name);
    c.text(
        &config("runtime_role_arn"),
        MEM_ROLE,
        "",
        &s.execution_role_arn,
    );
    memory_settings(
        c,
        s.event_expiry_days,
        s.encryption_key_arn.as_deref(),
        &s.strategies,
    );
    tags(c, MEM_TAGS, &s.tags, cfg);
}

fn memory_settings(c: &mut Checks, expiry_days: i64, key: Option<&str>, strategies: &[String]) {
    c.value(
        &config("memory_store.event_expiry_days"),
        MEM_EXPIRY,
        "",
        &json!(expiry_days),
    );
    if let Some(k) = key {
        c.text(&config("memory_store.encryption_key_arn"), MEM_KEY, "", k);
    }
    for s in strategies {
        let site = match s.as_str() {
            "episodic" => MEM_EPISODIC,
            "semantic" => MEM_SEMANTIC,
            "summary" => MEM_SUMMARY,
            "user_preference" => MEM_USER_PREFERENCE,
            // Not a strategy at all: config validation already refuses it.
            _ => continue,
        };
        c.text(
            &config("memory_store.strategies"),
            site,
            "",
            &strategy_name(s),
        );
    }
}

fn gateway(c: &mut Checks, s: &ToolGatewaySpec, cfg: &DeployConfig) {
    c.text(&self::pack("id"), GW_NAME, "", &s.gateway_name);
    c.text(&config("runtime_role_arn"), GW_ROLE, "", &s.role_arn);
    tags(c, GW_TAGS, &s.tags, cfg);
}

fn target(c: &mut Checks, s: &ToolGatewaySpec) {
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

fn policies(c: &mut Checks, s: &CedarPolicySpec, cfg: &DeployConfig) {
    c.text(&self::pack("id"), PE_NAME, "", &s.engine_name);
    c.text(
        &self::pack("prompts"),
        PE_DESCRIPTION,
        "",
        &cedar::engine_description(&s.prompts),
    );
    tags(c, PE_TAGS, &s.tags, cfg);
    let id = self::pack("id");
    c.text(&id, POL_NAME, "", &s.permit.policy_name);
    c.text(&id, POL_DESCRIPTION, "", &s.permit.description());
    c.text(&id, POL_STATEMENT, "", &s.permit.plan_statement);
    for f in &s.forbids {
        let tool = self::pack(format!("tools.{}", f.tool));
        c.text(&tool, POL_NAME, "", &f.policy_name);
        c.text(&tool, POL_DESCRIPTION, "", &f.description());
        c.text(&tool, POL_STATEMENT, "", &f.plan_statement);
    }
}

fn runtime_source(s: &RuntimeSpec) -> Source {
    match &s.agent {
        Some(m) => pack(format!("agents.members.{m}")),
        None => pack("id"),
    }
}

fn runtime(
    c: &mut Checks,
    r: &DesiredResource,
    s: &RuntimeSpec,
    plan: &ResourcePlan,
    pack: &Pack,
    cfg: &DeployConfig,
    ctx: &CheckContext,
) {
    c.text(&runtime_source(s), RT_NAME, "", &r.name);
    c.text(&config("runtime_role_arn"), RT_ROLE, "", &s.role_arn);
    match ctx.container_image_uri.as_deref().filter(|u| !u.is_empty()) {
        Some(img) => c.text(&config("container_image_uri"), RT_CONTAINER, "", img),
        None => c.text(
            &self::pack("version"),
            RT_CODE_PREFIX,
            "",
            &code_key(&pack.id, &pack.version),
        ),
    }
    if let Some(p) = &s.server_protocol {
        c.text(&config("protocol"), RT_PROTOCOL, "", p);
    }
    if let Some(a) = &s.authorizer {
        jwt(c, &a.discovery_url, &a.allowed_audience, &a.allowed_clients);
    }
    runtime_env(c, s, plan, cfg);
    tags(c, RT_TAGS, &s.tags, cfg);
}

fn jwt(c: &mut Checks, discovery_url: &str, audience: &[String], clients: &[String]) {
    c.text(
        &config("a2a_auth.discovery_url"),
        RT_DISCOVERY_URL,
        "",
        discovery_url,
    );
    // An empty list is left out of the request, so only a given one is held to the model.
    for (field, site, list) in [
        ("a2a_auth.allowed_audience", RT_AUDIENCE, audience),
        ("a2a_auth.allowed_clients", RT_CLIENTS, clients),
    ] {
        if list.is_empty() {
            continue;
        }
        c.size(&config(field), site, &json!(list), None);
        for (i, v) in list.iter().enumerate() {
            c.text(&config(format!("{field}[{i}]")), site, ".member", v);
        }
    }
}

/// The pack or config field an environment variable of the runtime is made from.
fn env_source(key: &str, value: &str, runtime: &Source) -> (Source, Option<&'static str>) {
    let from_evals = Some(
        "it is built from the enabled evals that have a metric: fewer metrics make it shorter",
    );
    let (source, note) = match key {
        "AWS_REGION" => (config("region"), None),
        "PROMPTPACK_LOG_GROUP" => (config("observability.cloudwatch_log_group"), None),
        "PROMPTPACK_TRACING_ENABLED" | "OTEL_TRACING_ENABLED" => {
            (config("observability.tracing_enabled"), None)
        }
        "OTEL_EXPORTER_OTLP_ENDPOINT" => (config("observability.otlp_endpoint"), None),
        "PROMPTPACK_MEMORY_STORE" => (config("memory_store.strategies"), None),
        "PROMPTPACK_A2A_AUTH_MODE" => (config("a2a_auth.mode"), None),
        "PROMPTPACK_A2A_AUTH_ROLE" => (config("runtime_role_arn"), None),
        "PROMPTPACK_PROTOCOL" => (config("protocol"), None),
        "PROMPTPACK_PROVIDERS" | "PROMPTPACK_PROVIDER_TYPE" | "PROMPTPACK_PROVIDER_MODEL" => (
            config("providers"),
            Some("it lists every provider binding: fewer or shorter bindings make it shorter"),
        ),
        "PROMPTPACK_METRICS_CONFIG" => (pack("evals"), from_evals),
        "PROMPTPACK_DASHBOARD_CONFIG" => (
            pack("evals"),
            Some("it has a widget per agent and per eval metric: fewer of them make it shorter"),
        ),
        "PROMPTPACK_AGENT" => (pack(format!("agents.members.{value}")), None),
        "PROMPTPACK_AGENTS" => (
            pack("agents.members"),
            Some(
                "it maps every member to its runtime ARN: fewer or shorter member names make it shorter",
            ),
        ),
        _ => (runtime.clone(), None),
    };
    let label = format!(
        "{} (environment variable {key})",
        source.label.as_deref().unwrap_or(&source.path)
    );
    (source.labelled(label), note)
}

fn runtime_env(c: &mut Checks, s: &RuntimeSpec, plan: &ResourcePlan, cfg: &DeployConfig) {
    let rt = runtime_source(s);
    let mut env = s.env.clone();
    // Set during apply; only the peer map can be long, so it is sized here with ARNs of the
    // length AWS will give (the ids are ten characters).
    for k in &s.env_after_apply {
        let v = match k.as_str() {
            "PROMPTPACK_AGENTS" => agents_estimate(plan, cfg),
            _ => String::new(),
        };
        env.entry(k.clone()).or_insert(v);
    }
    let size_note = "the runtime gets one variable per setting of the deploy config; drop optional ones (observability, providers)";
    c.size(&rt, RT_ENV, &json!(env), Some(size_note));
    for (k, v) in &env {
        let (source, note) = env_source(k, v, &rt);
        let key_source = source
            .clone()
            .labelled(format!("name of environment variable {k}"));
        c.text(&key_source, RT_ENV, ".key", k);
        match note {
            Some(n) => c.value_noted(&source, RT_ENV, ".value", &json!(v), n),
            None => c.text(&source, RT_ENV, ".value", v),
        }
    }
}

/// `PROMPTPACK_AGENTS` as apply will write it, with placeholder runtime ids.
fn agents_estimate(plan: &ResourcePlan, cfg: &DeployConfig) -> String {
    let region = if cfg.region.is_empty() {
        "us-east-1"
    } else {
        &cfg.region
    };
    let account = cfg.role_account().unwrap_or("000000000000");
    let mut m = serde_json::Map::new();
    for r in plan.resources() {
        if let ResourceSpec::AgentRuntime(RuntimeSpec {
            agent: Some(member),
            ..
        }) = &r.spec
        {
            m.insert(
                member.clone(),
                json!(crate::arn::regional(
                    "bedrock-agentcore",
                    region,
                    account,
                    &format!("runtime/{}-0000000000", r.name)
                )),
            );
        }
    }
    Value::Object(m).to_string()
}

fn eval_index(pack: &Pack, id: &str, builtin: bool) -> Option<usize> {
    pack.evals.iter().position(|e| {
        e.id == id
            && e.is_enabled()
            && if builtin {
                e.is_builtin()
            } else {
                e.is_llm_judge()
            }
    })
}

fn evaluator(
    c: &mut Checks,
    r: &DesiredResource,
    s: &EvaluatorSpec,
    pack: &Pack,
    cfg: &DeployConfig,
) {
    let Some(i) = eval_index(pack, &s.eval_id, false) else {
        return;
    };
    let e = &pack.evals[i];
    let at = |f: &str| self::pack(format!("evals[{i}].{f}"));
    c.text(&at("id"), EV_NAME, "", &r.name);
    if let Some(d) = &s.description {
        c.text(&at("description"), EV_DESCRIPTION, "", d);
    }
    let given = ["instructions", "judge_prompt"]
        .into_iter()
        .find(|k| e.params.contains_key(*k))
        .unwrap_or("instructions");
    c.text(
        &at(&format!("params.{given}")),
        EV_INSTRUCTIONS,
        "",
        &s.instructions,
    );
    let scale = at("params.rating_scale_size");
    let levels: Vec<Value> = s
        .rating_scale
        .iter()
        .map(|l| json!({"value": l.value, "label": l.label, "definition": l.definition}))
        .collect();
    c.size(&scale, EV_RATING, &json!(levels), None);
    for l in &levels {
        for m in ["value", "label", "definition"] {
            c.value(&scale, EV_RATING, &format!(".member.{m}"), &l[m]);
        }
    }
    c.text(&at("params.model"), EV_MODEL, "", &s.model_id);
    c.text(&at("trigger"), EV_LEVEL, "", &s.level);
    tags(c, EV_TAGS, &s.tags, cfg);
}

fn online_eval(
    c: &mut Checks,
    r: &DesiredResource,
    s: &OnlineEvalSpec,
    pack: &Pack,
    cfg: &DeployConfig,
) {
    let owner = if r.logical_id == pack.id {
        self::pack("id")
    } else {
        self::pack(format!("agents.members.{}", r.logical_id))
    };
    c.text(&owner, OE_NAME, "", &r.name);
    c.value(
        &sampling_source(pack, s.sampling_percentage),
        OE_SAMPLING,
        "",
        &json!(s.sampling_percentage),
    );
    let refs = s.evaluators.len() + s.builtin_evaluator_ids.len();
    c.size(
        &self::pack("evals"),
        OE_EVALUATORS,
        &json!(vec![json!({}); refs]),
        Some("every enabled judge and builtin eval is one evaluator of the configuration: disable some"),
    );
    for id in &s.builtin_evaluator_ids {
        let src = match eval_index(pack, id, true) {
            Some(i) => self::pack(format!("evals[{i}].id")),
            None => self::pack("evals"),
        };
        c.value_noted(
            &src,
            OE_EVALUATOR_ID,
            "",
            &json!(id),
            "a builtin eval's id is the AWS evaluator id, e.g. Builtin.Helpfulness",
        );
    }
    let lg = config("observability.cloudwatch_log_group");
    c.size(&lg, OE_LOG_GROUPS, &json!(s.log_group_names), None);
    for g in &s.log_group_names {
        c.text(&lg, OE_LOG_GROUPS, ".member", g);
    }
    let services = if pack.is_multi_agent() && s.service_names.len() > 1 {
        self::pack("agents.members")
    } else {
        owner.clone()
    };
    c.size(
        &services,
        OE_SERVICES,
        &json!(s.service_names),
        Some("one online evaluation configuration reads the spans of one runtime: disable the pack's online evals (enabled: false) to deploy this multi-agent pack"),
    );
    for n in &s.service_names {
        c.text(&owner, OE_SERVICES, ".member", n);
    }
    c.text(
        &config("runtime_role_arn"),
        OE_ROLE,
        "",
        &s.execution_role_arn,
    );
    tags(c, OE_TAGS, &s.tags, cfg);
}

/// Which eval's setting the sampling percentage came from (derive takes the first valid one).
fn sampling_source(pack: &Pack, pct: f64) -> Source {
    for (i, e) in pack.online_eval_defs() {
        if e.params.get("sample_percentage").and_then(Value::as_f64) == Some(pct) {
            return self::pack(format!("evals[{i}].params.sample_percentage"));
        }
        if e.sample_percentage == Some(pct) {
            return self::pack(format!("evals[{i}].sample_percentage"));
        }
    }
    self::pack("evals")
}

/// A resource's tags: every key and value where it came from, and their number.
fn tags(c: &mut Checks, site: Site, tags: &Tags, cfg: &DeployConfig) {
    for (k, v) in tags {
        if cfg.tags.get(k) == Some(v) {
            user_tag(c, site, k, v);
            continue;
        }
        let source = match k.as_str() {
            TAG_PACK_ID => self::pack("id"),
            TAG_VERSION => self::pack("version"),
            TAG_AGENT => self::pack(format!("agents.members.{v}")),
            _ => config(format!("tags.{k}")),
        };
        let label = format!("{} (tag {k})", source.path);
        c.text(&source.labelled(label), site, ".value", v);
    }
    let defaults = tags.keys().filter(|k| !cfg.tags.contains_key(*k)).count();
    let note = format!(
        "every resource also gets {defaults} promptpack:* tag(s), so at most {} of your own fit",
        tag_limit(site).saturating_sub(defaults)
    );
    c.size(&config("tags"), site, &json!(tags), Some(&note));
}

fn user_tag(c: &mut Checks, site: Site, k: &str, v: &str) {
    let field = format!("tags.{k}");
    c.text(
        &config(field.clone()).labelled(format!("key of {field}")),
        site,
        ".key",
        k,
    );
    c.text(&config(field), site, ".value", v);
}

/// The model's maximum number of tags at `site`.
fn tag_limit(site: Site) -> usize {
    model(site.service)
        .member_shape(site.operation, site.member)
        .and_then(|s| s.max)
        .map_or(usize::MAX, |m| m as usize)
}

/// What a recommendation started from the pack sends: each prompt's system template and each
/// tool's name and description (`recs start --pack`). Empty ones are left to the request's own
/// checks, which say there is nothing to improve.
fn recommendable(c: &mut Checks, pack: &Pack) {
    for (k, p) in &pack.prompts {
        if !p.system_template.is_empty() {
            c.value_noted(
                &self::pack(format!("prompts.{k}.system_template")),
                REC_PROMPT,
                "",
                &json!(p.system_template),
                "AgentCore recommendations take system prompts only up to this length",
            );
        }
    }
    for (k, t) in &pack.tools {
        if !t.description.is_empty() {
            c.value_noted(
                &self::pack(format!("tools.{k}.description")),
                REC_TOOL_TEXT,
                "",
                &json!(t.description),
                "AgentCore recommendations take tool descriptions only up to this length",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::from_json_str;
    use crate::derive::check;
    use aws_sdk_bedrockagentcorecontrol::types as t;

    const COMPLETE: &str = include_str!("../../tests/fixtures/configs/complete.json");
    const JUDGES: &str = include_str!("../../tests/fixtures/packs/judges.pack.json");

    fn cfg() -> DeployConfig {
        from_json_str(COMPLETE).unwrap()
    }

    fn judges() -> Pack {
        crate::pack::parse_str(JUDGES).unwrap()
    }

    fn found(pack: &Pack, cfg: &DeployConfig) -> Vec<Diagnostic> {
        let plan = crate::derive::derive(pack, cfg).unwrap();
        plan_check(&plan, pack, cfg)
    }

    fn plan_check(p: &ResourcePlan, pack: &Pack, cfg: &DeployConfig) -> Vec<Diagnostic> {
        plan(p, pack, cfg, &CheckContext::default())
    }

    fn fields(d: &[Diagnostic]) -> Vec<&str> {
        d.iter().map(|d| d.field.as_str()).collect()
    }

    #[test]
    fn every_row_is_a_member_of_its_model() {
        for s in SITES {
            assert!(
                model(s.service)
                    .member_shape(s.operation, s.member)
                    .is_some(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn what_apply_sends_unchanged_is_on_the_model() {
        let ok = |site: Site, sub: &str, v: &str| {
            let m = model(site.service);
            let shape = m
                .member_shape(site.operation, &format!("{}{sub}", site.member))
                .unwrap();
            assert_eq!(
                m.validate(shape, &json!(v), ""),
                vec![],
                "{site:?}{sub} {v}"
            );
        };
        ok(
            control(RT, "networkConfiguration.networkMode"),
            "",
            t::NetworkMode::Public.as_str(),
        );
        ok(
            control(RT, "agentRuntimeArtifact.codeConfiguration.runtime"),
            "",
            t::AgentManagedRuntimeType::Python313.as_str(),
        );
        ok(
            control(RT, "agentRuntimeArtifact.codeConfiguration.entryPoint"),
            ".member",
            crate::plan::runtime::ENTRY_POINT,
        );
        ok(
            control(GW, "protocolType"),
            "",
            t::GatewayProtocolType::Mcp.as_str(),
        );
        ok(
            control(GW, "authorizerType"),
            "",
            t::AuthorizerType::None.as_str(),
        );
        ok(
            TG_CREDENTIAL,
            "",
            t::CredentialProviderType::GatewayIamRole.as_str(),
        );
        for k in [TAG_PACK_ID, TAG_VERSION, TAG_AGENT] {
            ok(RT_TAGS, ".key", k);
        }
    }

    #[test]
    fn a_complete_config_and_pack_raise_nothing() {
        assert_eq!(found(&judges(), &cfg()), vec![]);
        assert_eq!(config_only(&cfg(), &CheckContext::default()), vec![]);
    }

    #[test]
    fn a_long_value_is_named_cut_short_and_given_its_limit() {
        let mut pack = judges();
        pack.evals[0].description = Some(format!("Brand voice: {}", "b".repeat(188)));
        let d = found(&pack, &cfg());
        assert_eq!(fields(&d), ["pack.evals[0].description"]);
        let m = &d[0].message;
        assert!(
            m.starts_with(&format!(
                "pack field evals[0].description = \"Brand voice: {}…\" (201 characters)",
                "b".repeat(27)
            )),
            "{m}"
        );
        assert!(m.contains("description of CreateEvaluator"), "{m}");
        assert!(m.ends_with("less than or equal to 200"), "{m}");
        assert_eq!(
            d[0].hint.as_deref(),
            Some("in the pack, shorten it to at most 200 characters (it has 201)")
        );
        assert!(d[0].is_error());
    }

    #[test]
    fn tags_count_with_the_default_tags() {
        let mut c = cfg();
        c.tags = (0..48).map(|i| (format!("k{i}"), "v".into())).collect();
        assert_eq!(found(&judges(), &c), vec![]);
        c.tags.insert("k48".into(), "v".into());
        let d = found(&judges(), &c);
        assert_eq!(fields(&d), ["tags"]);
        assert!(d[0].message.contains("51 entries"), "{}", d[0].message);
        assert!(
            d[0].message.contains("tags of CreateMemory, CreateGateway, CreatePolicyEngine, CreateAgentRuntime, CreateEvaluator, CreateOnlineEvaluationConfig"),
            "{}",
            d[0].message
        );
        let h = d[0].hint.as_deref().unwrap();
        assert!(
            h.contains("2 promptpack:* tag(s), so at most 48 of your own"),
            "{h}"
        );
    }

    #[test]
    fn a_tag_outside_the_models_characters_names_the_culprit() {
        let mut c = cfg();
        c.tags.insert("team".into(), "équipe".into());
        let d = config_only(&c, &CheckContext::default());
        assert_eq!(fields(&d), ["tags.team"]);
        assert!(
            d[0].message
                .starts_with("deploy config: tags.team = \"équipe\"")
        );
        assert!(
            d[0].hint
                .as_deref()
                .unwrap()
                .ends_with("(without 'é' it would)")
        );
        // The same in the whole check, once, though every Create takes the tags.
        let all = check(&c, Some(&judges()), &CheckContext::default());
        assert_eq!(all.iter().filter(|d| d.field == "tags.team").count(), 1);
    }

    #[test]
    fn builtin_ids_and_sampling_are_held_to_the_online_evaluation_config() {
        let mut pack = judges();
        let b = pack.evals.iter().position(|e| e.is_builtin()).unwrap();
        pack.evals[b].id = "Helpfulness".into();
        // The first params.sample_percentage wins (helpfulness, evals[1]).
        pack.evals[1]
            .params
            .insert("sample_percentage".into(), json!(0.001));
        let d = found(&pack, &cfg());
        assert_eq!(
            fields(&d),
            [
                "pack.evals[1].params.sample_percentage".to_string(),
                format!("pack.evals[{b}].id")
            ]
        );
        assert!(d[0].message.contains("greater than or equal to 0.01"));
        assert!(
            d[1].hint
                .as_deref()
                .unwrap()
                .contains("Builtin.Helpfulness")
        );
    }

    #[test]
    fn tool_targets_are_held_to_the_gateway_target() {
        let mut c = cfg();
        c.tool_targets.insert(
            "get_weather".into(),
            crate::config::ToolTarget {
                http: Some(crate::config::HttpTarget {
                    url: Some("http://weather.internal/mcp".into()),
                    method: None,
                }),
                ..Default::default()
            },
        );
        c.tool_targets.insert(
            "delete-account".into(),
            crate::config::ToolTarget {
                lambda_arn: Some("arn:aws:lambda:us-west-2:111122223333:function:del".into()),
                credential: Some(crate::config::CredentialConfig {
                    credential_type: "IAM".into(),
                }),
                ..Default::default()
            },
        );
        let d = found(&judges(), &c);
        assert_eq!(
            fields(&d),
            [
                "tool_targets.delete-account.credential.type",
                "tool_targets.get_weather.http.url"
            ]
        );
        assert!(d[0].hint.as_deref().unwrap().contains("GATEWAY_IAM_ROLE"));
        assert!(d[1].message.contains("https://.*"));
    }

    #[test]
    fn a_field_with_an_error_already_keeps_that_one() {
        let mut out = vec![Diagnostic::error(
            "runtime_role_arn",
            "configuration",
            "adapter",
        )];
        merge(
            &mut out,
            vec![
                Diagnostic::error("runtime_role_arn", "configuration", "model"),
                Diagnostic::error("tags.x", "configuration", "model"),
            ],
        );
        assert_eq!(fields(&out), ["runtime_role_arn", "tags.x"]);
        assert_eq!(out[0].message, "adapter");
    }
}
