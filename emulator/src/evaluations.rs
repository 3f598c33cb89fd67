//! Online evaluation of an invocation: every enabled online evaluation config whose data source
//! is the invoked runtime scores the exchange once per evaluator, and the results go where
//! AgentCore publishes them: one CloudWatch Logs event per result, a JSON OpenTelemetry log
//! record named `gen_ai.evaluation.result` with an embedded metric (EMF), in
//! `/aws/bedrock-agentcore/evaluations/results/{configId}` unless the config's `outputConfig`
//! says otherwise. The score is the emulator's, never a model's judgement, and its explanation
//! says so: a hash of the evaluator, the prompt and the answer picks a level of the evaluator's
//! rating scale, so the same exchange always gets the same score.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::logs;
use crate::world::{Ctx, Kind, Resource, WorldState};

/// AgentCore's reserved prefix of result log groups; a config's default group is this plus its id.
pub const RESULTS_PREFIX: &str = "/aws/bedrock-agentcore/evaluations/results/";
/// Where AgentCore sends every runtime's spans (CloudWatch Transaction Search); the emulator
/// writes no spans there, but a config reading it evaluates every runtime of its service name.
pub const SPANS_GROUP: &str = "aws/spans";
/// Where the evaluation scores' metrics go unless `outputConfig` names a namespace.
const DEFAULT_NAMESPACE: &str = "Bedrock-AgentCore/Evaluations";

/// What was invoked and answered.
pub struct Exchange<'a> {
    pub runtime_id: &'a str,
    pub runtime_name: &'a str,
    /// The log groups the invocation's telemetry reaches: the runtime's own, the pack's
    /// observability group when the runtime has one, and [`SPANS_GROUP`].
    pub log_groups: &'a [String],
    pub session: &'a str,
    pub prompt: &'a str,
    pub answer: &'a str,
}

/// The service name AgentCore gives the spans of a runtime's DEFAULT endpoint.
pub fn service_name(runtime_name: &str) -> String {
    format!("{runtime_name}.DEFAULT")
}

/// Where a config writes its results: the source log group, its own `logGroupName`, or the
/// default dedicated group.
pub fn destination(config: &Resource, source_group: &str) -> String {
    let cw = config
        .spec
        .get("outputConfig")
        .and_then(|o| o.get("cloudWatchConfig"));
    let field = |k: &str| cw.and_then(|c| c.get(k)).and_then(Value::as_str);
    if field("resultDestination") == Some("SOURCE_LOG_GROUP") {
        return source_group.to_string();
    }
    match field("logGroupName").filter(|g| !g.is_empty()) {
        Some(g) => g.to_string(),
        None => format!("{RESULTS_PREFIX}{}", config.id),
    }
}

/// The source group a config reads this invocation from, when it evaluates it: the config is
/// ACTIVE and ENABLED, its service name is the runtime's, and one of the groups the invocation
/// reached is among its groups or under one of its prefixes.
fn source_of(config: &Resource, ctx: &Ctx, ex: &Exchange<'_>) -> Option<String> {
    let enabled = config.spec.get("executionStatus").and_then(Value::as_str) == Some("ENABLED");
    let source = config
        .spec
        .get("dataSourceConfig")
        .and_then(|d| d.get("cloudWatchLogs"))?;
    let strings = |k: &str| -> Vec<&str> {
        source
            .get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    };
    let service = service_name(ex.runtime_name);
    let ours = config.region == ctx.region
        && config.status == "ACTIVE"
        && enabled
        && strings("serviceNames").contains(&service.as_str());
    if !ours {
        return None;
    }
    let (names, prefixes) = (strings("logGroupNames"), strings("logGroupNamePrefixes"));
    ex.log_groups
        .iter()
        .find(|g| names.contains(&g.as_str()) || prefixes.iter().any(|p| g.starts_with(p)))
        .cloned()
}

struct Evaluator {
    id: String,
    name: String,
    arn: String,
    /// As the result attribute spells it: `Trace`, `Session` or `ToolCall`.
    level: String,
    /// (value, label) from worst to best.
    scale: Vec<(f64, String)>,
}

/// The scale of a built-in evaluator: AgentCore's built-ins score from 0 to 1.
fn builtin_scale() -> Vec<(f64, String)> {
    [
        (0.0, "Very Poor"),
        (0.25, "Poor"),
        (0.5, "Fair"),
        (0.75, "Good"),
        (1.0, "Very Good"),
    ]
    .into_iter()
    .map(|(v, l)| (v, l.to_string()))
    .collect()
}

fn level_word(level: &str) -> String {
    match level {
        "SESSION" => "Session",
        "TOOL_CALL" => "ToolCall",
        _ => "Trace",
    }
    .to_string()
}

fn evaluator(world: &WorldState, ctx: &Ctx, id: &str) -> Option<Evaluator> {
    if id.starts_with("Builtin.") || id.starts_with("ThirdParty.") {
        return Some(Evaluator {
            id: id.to_string(),
            name: id.to_string(),
            arn: format!("arn:aws:bedrock-agentcore:::evaluator/{id}"),
            level: "Trace".into(),
            scale: builtin_scale(),
        });
    }
    let r = world
        .resources
        .values()
        .find(|r| r.kind == Kind::Evaluator && r.region == ctx.region && r.id == id)?;
    let mut scale: Vec<(f64, String)> = r
        .spec
        .get("evaluatorConfig")
        .and_then(|c| c.get("llmAsAJudge"))
        .and_then(|j| j.get("ratingScale"))
        .and_then(|s| s.get("numerical"))
        .and_then(Value::as_array)
        .map(|levels| {
            levels
                .iter()
                .filter_map(|l| {
                    Some((
                        l.get("value")?.as_f64()?,
                        l.get("label")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    scale.sort_by(|a, b| a.0.total_cmp(&b.0));
    if scale.is_empty() {
        scale = builtin_scale();
    }
    Some(Evaluator {
        id: r.id.clone(),
        name: r.name.clone(),
        arn: r.arn.clone(),
        level: level_word(r.spec.get("level").and_then(Value::as_str).unwrap_or("")),
        scale,
    })
}

fn digest(parts: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    h.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// Scores the exchange with every config that evaluates the runtime, and writes the results.
/// Returns how many results were written.
pub fn evaluate(world: &mut WorldState, ctx: &Ctx, ex: &Exchange<'_>) -> usize {
    let configs: Vec<(Resource, String)> = world
        .resources
        .values()
        .filter(|r| r.kind == Kind::OnlineEvaluationConfig)
        .filter_map(|r| source_of(r, ctx, ex).map(|g| (r.clone(), g)))
        .collect();
    let trace = hex(&digest(&[ex.session, ex.prompt, &ctx.request_id])[..16]);
    let span = hex(&digest(&[&trace, "span"])[..8]);
    let service = service_name(ex.runtime_name);
    let now_ms = ctx.now.timestamp_millis();
    let now_ns = i128::from(now_ms) * 1_000_000;
    let mut written = 0;
    for (config, source) in configs {
        let evaluators: Vec<Evaluator> = config
            .spec
            .get("evaluators")
            .and_then(Value::as_array)
            .map(|refs| {
                refs.iter()
                    .filter_map(|r| r.get("evaluatorId").and_then(Value::as_str))
                    .filter_map(|id| evaluator(world, ctx, id))
                    .collect()
            })
            .unwrap_or_default();
        let namespace = config
            .spec
            .get("outputConfig")
            .and_then(|o| o.get("cloudWatchConfig"))
            .and_then(|c| c.get("metricsNamespace"))
            .and_then(Value::as_str)
            .unwrap_or(DEFAULT_NAMESPACE)
            .to_string();
        let lines: Vec<String> = evaluators
            .iter()
            .map(|e| {
                let d = digest(&[&e.id, ex.prompt, ex.answer]);
                let (score, label) = &e.scale[usize::from(d[0]) % e.scale.len()];
                let explanation = format!(
                    "[AgentCore emulator] Not a model's judgement: the emulator's stand-in \
                     evaluator gave {label} ({score}) by a hash of the evaluator {}, the prompt \
                     \"{}\" and the answer, so the same exchange always gets the same score.",
                    e.name,
                    cut(ex.prompt, 80)
                );
                let mut record = json!({
                    "resource": { "attributes": {
                        "service.name": service,
                        "aws.service.type": "gen_ai_agent",
                        "aws.local.service": service,
                    }},
                    "traceId": trace,
                    "spanId": span,
                    "timeUnixNano": now_ns.to_string(),
                    "observedTimeUnixNano": now_ns.to_string(),
                    "severityNumber": 9,
                    "severityText": "INFO",
                    "name": "gen_ai.evaluation.result",
                    "attributes": {
                        "event.name": "gen_ai.evaluation.result",
                        "gen_ai.evaluation.name": e.name,
                        "gen_ai.evaluation.score.value": score,
                        "gen_ai.evaluation.score.label": label,
                        "gen_ai.evaluation.explanation": explanation,
                        "gen_ai.response.id": trace,
                        "session.id": ex.session,
                        "aws.bedrock_agentcore.evaluator.arn": e.arn,
                        "aws.bedrock_agentcore.evaluator.rating_scale": "Numerical",
                        "aws.bedrock_agentcore.evaluation_level": e.level,
                        "aws.bedrock_agentcore.online_evaluation_config.arn": config.arn,
                        "aws.bedrock_agentcore.online_evaluation_config.name": config.name,
                    },
                    "onlineEvaluationConfigId": config.id,
                    "label": label,
                    "service.name": service,
                    "_aws": {
                        "Timestamp": now_ms,
                        "CloudWatchMetrics": [{
                            "Namespace": namespace,
                            "Dimensions": [
                                ["service.name"],
                                ["label", "service.name"],
                                ["service.name", "onlineEvaluationConfigId"],
                                ["label", "service.name", "onlineEvaluationConfigId"],
                            ],
                            "Metrics": [{ "Name": e.name, "Unit": "None" }],
                        }],
                    },
                });
                // The EMF metric's value, under the evaluator's name.
                record[e.name.as_str()] = json!(score);
                record.to_string()
            })
            .collect();
        if lines.is_empty() {
            continue;
        }
        let group = destination(&config, &source);
        let stream = format!(
            "{}/[evaluation-results]{}",
            ctx.now.format("%Y/%m/%d"),
            ex.runtime_id
        );
        logs::append(world, ctx, &group, &stream, now_ms, &lines);
        written += lines.len();
    }
    written
}
