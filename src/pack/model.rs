use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// A PromptPack as the adapter reads it: unknown keys are ignored (Go's `json.Unmarshal`), but a
/// value of the wrong type fails, as it does there. Maps are `BTreeMap` so iteration is sorted,
/// which is the order the adapter derives resources in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pack {
    #[serde(default, deserialize_with = "null_default")]
    pub id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub version: String,
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
    #[serde(default, deserialize_with = "null_default")]
    pub prompts: BTreeMap<String, PackPrompt>,
    #[serde(default, deserialize_with = "null_default")]
    pub tools: BTreeMap<String, PackTool>,
    #[serde(default, deserialize_with = "null_default")]
    pub evals: Vec<EvalDef>,
    #[serde(default)]
    pub agents: Option<Agents>,
    #[serde(default)]
    pub workflow: Option<Workflow>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PackPrompt {
    #[serde(default, deserialize_with = "null_default")]
    pub id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub version: String,
    #[serde(default, deserialize_with = "null_default")]
    pub system_template: String,
    #[serde(default, deserialize_with = "null_default")]
    pub tools: Vec<String>,
    #[serde(default)]
    pub tool_policy: Option<ToolPolicy>,
    #[serde(default, deserialize_with = "null_default")]
    pub validators: Vec<Validator>,
    #[serde(default, deserialize_with = "null_default")]
    pub evals: Vec<EvalDef>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolPolicy {
    #[serde(default)]
    pub tool_choice: Option<String>,
    #[serde(default)]
    pub max_rounds: Option<u32>,
    #[serde(default)]
    pub max_tool_calls_per_turn: Option<u32>,
    #[serde(default, deserialize_with = "null_default")]
    pub blocklist: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Validator {
    #[serde(rename = "type", default, deserialize_with = "null_default")]
    pub validator_type: String,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub fail_on_violation: Option<bool>,
    #[serde(default)]
    pub params: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PackTool {
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
    #[serde(default)]
    pub parameters: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EvalDef {
    #[serde(default, deserialize_with = "null_default")]
    pub id: String,
    #[serde(rename = "type", default, deserialize_with = "null_default")]
    pub eval_type: String,
    #[serde(default, deserialize_with = "null_default")]
    pub trigger: String,
    #[serde(default, deserialize_with = "null_default")]
    pub params: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub metric: Option<Metric>,
    #[serde(default)]
    pub sample_percentage: Option<f64>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub description: Option<String>,
}

impl EvalDef {
    pub fn is_enabled(&self) -> bool {
        self.enabled != Some(false)
    }

    /// PromptKit calls the judge type `llm_judge`; the adapter only knows `llm_as_judge`.
    pub fn is_llm_judge(&self) -> bool {
        matches!(self.eval_type.as_str(), "llm_judge" | "llm_as_judge")
    }

    pub fn is_builtin(&self) -> bool {
        self.eval_type == "builtin"
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(rename = "type", default, deserialize_with = "null_default")]
    pub metric_type: String,
    #[serde(default)]
    pub range: Option<MetricRange>,
    #[serde(default, deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricRange {
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Agents {
    #[serde(default, deserialize_with = "null_default")]
    pub entry: String,
    #[serde(default, deserialize_with = "null_default")]
    pub members: BTreeMap<String, AgentDef>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentDef {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub input_modes: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub output_modes: Vec<String>,
    #[serde(default)]
    pub state: Option<String>,
}

/// Only decoded so that a malformed workflow fails as it does in the adapter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Workflow {
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub entry: Option<String>,
}

/// Go decodes `null` into the zero value; serde would reject it for non-Option fields.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl Pack {
    /// The adapter's rule: `agents` present with at least one member.
    pub fn is_multi_agent(&self) -> bool {
        self.agents.as_ref().is_some_and(|a| !a.members.is_empty())
    }

    /// Pack-level evals that become online evaluation (judge or builtin, not disabled).
    pub fn online_eval_defs(&self) -> impl Iterator<Item = (usize, &EvalDef)> {
        self.evals
            .iter()
            .enumerate()
            .filter(|(_, e)| e.is_enabled() && (e.is_llm_judge() || e.is_builtin()))
    }
}
