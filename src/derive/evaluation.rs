//! Evaluators from the pack's LLM-judge evals, and one online evaluation config per runtime.

use serde_json::Value;

use super::Ctx;
use crate::diagnostic::{Diagnostic, category};
use crate::pack::{EvalDef, Pack};
use crate::plan::{
    Dependency, DesiredResource, EvaluatorSpec, OnlineEvalSpec, RatingLevel, ResourceKind,
    ResourceSpec, naming,
};

pub const DEFAULT_JUDGE_INSTRUCTIONS: &str = "Evaluate the agent response quality.";
pub const DEFAULT_JUDGE_MODEL: &str = "anthropic.claude-sonnet-4-20250514-v1:0";
pub const DEFAULT_RATING_SCALE: u32 = 5;
pub const DEFAULT_ONLINE_EVAL_LOG_GROUP: &str = "aws/spans";

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

pub(super) fn evaluators(cx: &mut Ctx) -> Vec<DesiredResource> {
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
pub(super) fn online_eval(
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
        let mut depends_on: Vec<Dependency> = evaluators
            .iter()
            .map(|e| {
                Dependency::ready(
                    ResourceKind::Evaluator.as_str(),
                    &e.name,
                    "CreateOnlineEvaluationConfig references the evaluator's id",
                )
            })
            .collect();
        // Only its own runtime, and only that it exists: the service name and log group are known
        // from the plan, so nothing waits for READY; one runtime failing does not stop the others
        // being evaluated.
        depends_on.push(Dependency::arn(
            ResourceKind::AgentRuntime.as_str(),
            &r.name,
            "it evaluates that runtime's sessions",
        ));
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
