//! What CreateEvaluator and CreateOnlineEvaluationConfig will carry.

use serde_json::{Value, json};

use super::finding::Checks;
use super::sites::*;
use super::source::{Source, config, pack};
use super::tags::tags;
use crate::config::DeployConfig;
use crate::pack::Pack;
use crate::plan::{DesiredResource, EvaluatorSpec, OnlineEvalSpec};

pub(super) fn eval_index(pack: &Pack, id: &str, builtin: bool) -> Option<usize> {
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

pub(super) fn evaluator(
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

pub(super) fn online_eval(
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
pub(super) fn sampling_source(pack: &Pack, pct: f64) -> Source {
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
