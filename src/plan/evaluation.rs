//! LLM-judge evaluators and the online evaluation configuration of each runtime.

use serde::{Deserialize, Serialize};

use super::Tags;

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
