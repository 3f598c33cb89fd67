//! What a user asks for when starting a recommendation, where its input comes from (inline, a
//! pack, a file), and the local checks that run before any AWS call.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::arn::Arn;
use crate::diagnostic::{Diagnostic, Severity, category};
use crate::pack::Pack;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum RecType {
    #[serde(rename = "SYSTEM_PROMPT_RECOMMENDATION")]
    SystemPrompt,
    #[serde(rename = "TOOL_DESCRIPTION_RECOMMENDATION")]
    ToolDescription,
}

impl RecType {
    pub fn as_str(self) -> &'static str {
        match self {
            RecType::SystemPrompt => "SYSTEM_PROMPT_RECOMMENDATION",
            RecType::ToolDescription => "TOOL_DESCRIPTION_RECOMMENDATION",
        }
    }

    /// Accepts the API names and the short forms of the `agentcore` CLI (`system-prompt`, `tool-description`).
    pub fn parse(s: &str) -> Option<RecType> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "system-prompt" | "system-prompt-recommendation" => Some(RecType::SystemPrompt),
            "tool-description" | "tool-description-recommendation" => {
                Some(RecType::ToolDescription)
            }
            _ => None,
        }
    }
}

impl fmt::Display for RecType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolText {
    pub name: String,
    pub description: String,
}

/// The text to improve; its variant decides the recommendation type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    SystemPrompt(String),
    Tools(Vec<ToolText>),
}

/// Agent traces read from CloudWatch Logs over a time window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Traces {
    pub log_group_arns: Vec<String>,
    pub service_names: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StartRequest {
    pub name: String,
    pub description: Option<String>,
    pub input: Input,
    pub traces: Traces,
    /// `Builtin.*` names or evaluator ARNs, as the user typed them.
    pub evaluators: Vec<String>,
    pub tags: BTreeMap<String, String>,
    /// `None`: the AWS owned key.
    pub kms_key_arn: Option<String>,
}

impl StartRequest {
    pub fn rec_type(&self) -> RecType {
        match self.input {
            Input::SystemPrompt(_) => RecType::SystemPrompt,
            Input::Tools(_) => RecType::ToolDescription,
        }
    }
}

const NAME_MAX: usize = 48;

fn err(field: &str, message: String, fix: impl Into<String>) -> Diagnostic {
    Diagnostic::error(field, category::CONFIGURATION, message).with_hint(fix)
}

pub fn name(value: &str) -> Vec<Diagnostic> {
    let ok_first = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic());
    let ok_rest = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if value.is_empty() {
        return vec![err(
            "name",
            "name is empty".into(),
            "give the recommendation a name, e.g. support_prompt_v2",
        )];
    }
    if !ok_first || !ok_rest || value.chars().count() > NAME_MAX {
        return vec![err(
            "name",
            format!("name {value:?} is not a valid recommendation name"),
            format!(
                "start with a letter, then letters, digits, _ or -, at most {NAME_MAX} characters"
            ),
        )];
    }
    vec![]
}

/// `Builtin.Helpfulness` → its ARN in `partition`; an evaluator ARN is kept as it is.
pub fn evaluator_arn(value: &str, partition: &str) -> Result<String, Diagnostic> {
    let v = value.trim();
    if let Some(rest) = v.strip_prefix("Builtin.")
        && !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        // Built-in evaluators have neither region nor account in their ARN.
        return Ok(Arn {
            partition,
            service: "bedrock-agentcore",
            region: "",
            account: "",
            resource: &format!("evaluator/{v}"),
        }
        .to_string());
    }
    if Arn::parse(v).is_some_and(|a| {
        a.known_partition()
            && a.service == "bedrock-agentcore"
            && a.resource.starts_with("evaluator/")
            && a.resource.len() > 10
    }) {
        return Ok(v.to_owned());
    }
    Err(err(
        "evaluators",
        format!("evaluator {value:?} is neither a Builtin.* name nor an evaluator ARN"),
        "use e.g. Builtin.Helpfulness or Builtin.Correctness, or arn:aws:bedrock-agentcore:REGION:ACCOUNT:evaluator/ID",
    ))
}

fn log_group_arn(value: &str) -> bool {
    Arn::parse(value).is_some_and(|a| {
        a.known_partition()
            && a.service == "logs"
            && !a.region.is_empty()
            && a.account_id().is_some()
            && a.resource
                .strip_prefix("log-group:")
                .is_some_and(|name| !name.is_empty())
    })
}

/// The KMS key for a recommendation: a key ARN in the recommendation's region.
pub fn kms_key_arn(value: &str, region: &str) -> Vec<Diagnostic> {
    let arn = Arn::kms_key(value);
    let Some(arn) = arn else {
        return vec![err(
            "kmsKeyArn",
            format!("kmsKeyArn {value:?} is not a KMS key ARN"),
            "use arn:aws:kms:REGION:ACCOUNT:key/KEY-ID (an alias or key id given on the command line is resolved to it first)",
        )];
    };
    if arn.region != region {
        return vec![err(
            "kmsKeyArn",
            format!(
                "kmsKeyArn {value:?} is in {}, but the recommendation is in {region}",
                arn.region
            ),
            format!(
                "the key must be in the same region as the recommendation: choose a key in {region}"
            ),
        )];
    }
    vec![]
}

/// The request's own checks of `req` for a recommendation in `region` (the model's are added by
/// [`super::model_check::validate`]). Nothing here calls AWS.
pub fn local_checks(req: &StartRequest, region: &str, now: DateTime<Utc>) -> Vec<Diagnostic> {
    let mut out = name(&req.name);
    match &req.input {
        Input::SystemPrompt(text) if text.trim().is_empty() => out.push(err(
            "systemPrompt",
            "the system prompt is empty".into(),
            "give the prompt inline, from a pack prompt's system_template, or from a file",
        )),
        Input::SystemPrompt(_) => {}
        Input::Tools(tools) => {
            if tools.is_empty() {
                out.push(err(
                    "tools",
                    "no tool descriptions to improve".into(),
                    "name the pack's tools, or give a file of {\"tool_name\": \"description\"}",
                ));
            }
            let mut seen = std::collections::BTreeSet::new();
            for t in tools {
                if t.name.trim().is_empty() {
                    out.push(err(
                        "tools",
                        "a tool has an empty name".into(),
                        "give every tool its name",
                    ));
                } else if !seen.insert(t.name.as_str()) {
                    out.push(err(
                        "tools",
                        format!("tool {:?} is listed twice", t.name),
                        "list each tool once",
                    ));
                }
                if t.description.trim().is_empty() {
                    out.push(err(
                        &format!("tools.{}", t.name),
                        format!("tool {:?} has an empty description", t.name),
                        "there is nothing to improve: write a first description for it",
                    ));
                }
            }
        }
    }
    let tr = &req.traces;
    if tr.log_group_arns.is_empty() {
        out.push(err(
            "logGroupArns",
            "no CloudWatch log group for the agent traces".into(),
            "give the runtime's log group ARN, e.g. arn:aws:logs:REGION:ACCOUNT:log-group:/aws/bedrock-agentcore/runtimes/AGENT-ID-DEFAULT",
        ));
    }
    for arn in &tr.log_group_arns {
        if !log_group_arn(arn) {
            out.push(err(
                "logGroupArns",
                format!("log group {arn:?} is not a CloudWatch Logs log group ARN"),
                "use arn:aws:logs:REGION:ACCOUNT:log-group:NAME",
            ));
        }
    }
    if tr.service_names.iter().all(|s| s.trim().is_empty()) {
        out.push(err(
            "serviceNames",
            "no service name for the agent traces".into(),
            "give the agent's service name as it appears in its traces, e.g. my_agent.DEFAULT",
        ));
    }
    if tr.start >= tr.end {
        out.push(err(
            "startTime",
            format!(
                "the trace window starts at {} but ends at {}",
                tr.start.to_rfc3339(),
                tr.end.to_rfc3339()
            ),
            "the start must be before the end",
        ));
    } else if tr.start > now {
        out.push(err(
            "startTime",
            format!(
                "the trace window starts in the future ({})",
                tr.start.to_rfc3339()
            ),
            "choose a window in the past where the agent has traces, e.g. the last 24 hours",
        ));
    }
    match req.rec_type() {
        RecType::SystemPrompt => {
            for e in &req.evaluators {
                if let Err(d) = evaluator_arn(e, crate::arn::partition_of_region(region)) {
                    out.push(d);
                }
            }
        }
        RecType::ToolDescription if !req.evaluators.is_empty() => out.push(err(
            "evaluators",
            format!(
                "evaluators {:?} were given for a tool-description recommendation",
                req.evaluators
            ),
            "evaluators apply to system-prompt recommendations only: remove them",
        )),
        RecType::ToolDescription => {}
    }
    if req.tags.len() > 50 {
        out.push(err(
            "tags",
            format!("{} tags given", req.tags.len()),
            "use at most 50 tags",
        ));
    }
    for (k, v) in &req.tags {
        out.extend(crate::config::fields::tag_key(k));
        out.extend(crate::config::fields::tag_value(k, v));
    }
    if let Some(k) = &req.kms_key_arn {
        out.extend(kms_key_arn(k, region));
    }
    out
}

pub fn has_errors(d: &[Diagnostic]) -> bool {
    d.iter().any(|d| d.severity == Severity::Error)
}

/// The system prompt of a pack prompt. With no `prompt` key, the pack must have exactly one prompt.
pub fn system_prompt_from_pack(pack: &Pack, prompt: Option<&str>) -> Result<String, Diagnostic> {
    let keys: Vec<&str> = pack.prompts.keys().map(String::as_str).collect();
    let chosen = match prompt {
        Some(k) => pack.prompts.get(k).ok_or_else(|| {
            err(
                "prompt",
                format!("pack {:?} has no prompt {k:?}", pack.id),
                format!("choose one of: {}", keys.join(", ")),
            )
        })?,
        None if pack.prompts.len() == 1 => pack.prompts.values().next().expect("one prompt"),
        None => {
            return Err(err(
                "prompt",
                format!("pack {:?} has {} prompts", pack.id, pack.prompts.len()),
                format!("say which one: {}", keys.join(", ")),
            ));
        }
    };
    Ok(chosen.system_template.clone())
}

/// Tool descriptions from the pack: the named tools, or all of them when `names` is empty.
pub fn tools_from_pack(pack: &Pack, names: &[String]) -> Result<Vec<ToolText>, Diagnostic> {
    let pick = |key: &str| {
        pack.tools
            .get(key)
            .or_else(|| pack.tools.values().find(|t| t.name == key))
            .map(|t| ToolText {
                name: if t.name.is_empty() {
                    key.to_owned()
                } else {
                    t.name.clone()
                },
                description: t.description.clone(),
            })
    };
    if names.is_empty() {
        return Ok(pack.tools.keys().filter_map(|k| pick(k)).collect());
    }
    names
        .iter()
        .map(|n| {
            pick(n).ok_or_else(|| {
                let keys: Vec<&str> = pack.tools.keys().map(String::as_str).collect();
                err(
                    "tools",
                    format!("pack {:?} has no tool {n:?}", pack.id),
                    format!("choose from: {}", keys.join(", ")),
                )
            })
        })
        .collect()
}

/// Tools from a JSON file: `{"name": "description", …}` or `[{"toolName"|"name": …, "toolDescription"|"description": …}]`.
pub fn tools_from_json(text: &str, source: &str) -> Result<Vec<ToolText>, Diagnostic> {
    let bad = |why: String| {
        err(
            "tools",
            format!("{source}: {why}"),
            "write {\"tool_name\": \"description\", …} or [{\"name\": \"tool_name\", \"description\": \"…\"}]",
        )
    };
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        bad(format!(
            "not JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    match v {
        serde_json::Value::Object(m) => m
            .into_iter()
            .map(|(name, d)| match d {
                serde_json::Value::String(description) => Ok(ToolText { name, description }),
                _ => Err(bad(format!("the description of {name:?} is not a string"))),
            })
            .collect(),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let s = |a: &str, b: &str| {
                    it.get(a)
                        .or_else(|| it.get(b))
                        .and_then(|v| v.as_str())
                        .map(str::to_owned)
                };
                match (s("toolName", "name"), s("toolDescription", "description")) {
                    (Some(name), Some(description)) => Ok(ToolText { name, description }),
                    _ => Err(bad(format!("item {i} needs a name and a description"))),
                }
            })
            .collect(),
        _ => Err(bad("expected an object or a list".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap()
    }

    fn req() -> StartRequest {
        StartRequest {
            name: "MyEncryptedRecommendation".into(),
            description: None,
            input: Input::SystemPrompt("You are a helpful assistant.".into()),
            traces: Traces {
                log_group_arns: vec!["arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock-agentcore/sessions/my-agent".into()],
                service_names: vec!["my-agent.DEFAULT".into()],
                start: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
                end: Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap(),
            },
            evaluators: vec!["Builtin.Helpfulness".into()],
            tags: BTreeMap::new(),
            kms_key_arn: Some("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab".into()),
        }
    }

    fn fields(d: &[Diagnostic]) -> Vec<&str> {
        d.iter().map(|d| d.field.as_str()).collect()
    }

    #[test]
    fn seed_example_is_valid() {
        assert_eq!(local_checks(&req(), "us-east-1", now()), vec![]);
        assert_eq!(
            evaluator_arn("Builtin.Helpfulness", "aws").unwrap(),
            "arn:aws:bedrock-agentcore:::evaluator/Builtin.Helpfulness"
        );
        assert_eq!(
            evaluator_arn("Builtin.Helpfulness", "aws-cn").unwrap(),
            "arn:aws-cn:bedrock-agentcore:::evaluator/Builtin.Helpfulness"
        );
    }

    #[test]
    fn each_bad_field_is_named_with_value_and_fix() {
        let mut r = req();
        r.name = "1bad name".into();
        r.kms_key_arn = Some("arn:aws:kms:us-west-2:111122223333:key/abc".into());
        r.evaluators = vec!["Helpfulness".into()];
        r.traces.log_group_arns = vec!["/aws/bedrock-agentcore/x".into()];
        let d = local_checks(&r, "us-east-1", now());
        assert_eq!(
            fields(&d),
            vec!["name", "logGroupArns", "evaluators", "kmsKeyArn"]
        );
        assert!(d[0].message.contains("\"1bad name\""));
        assert!(
            d[3].message.contains("us-west-2")
                && d[3].hint.as_deref().unwrap().contains("us-east-1")
        );
        assert!(
            d[2].hint
                .as_deref()
                .unwrap()
                .contains("Builtin.Helpfulness")
        );
        assert!(has_errors(&d));

        let mut r = req();
        r.kms_key_arn = Some("alias/recs".into());
        assert_eq!(
            fields(&local_checks(&r, "us-east-1", now())),
            vec!["kmsKeyArn"]
        );
    }

    #[test]
    fn window_and_type_rules() {
        let mut r = req();
        std::mem::swap(&mut r.traces.start, &mut r.traces.end);
        assert_eq!(
            fields(&local_checks(&r, "us-east-1", now())),
            vec!["startTime"]
        );

        let mut r = req();
        r.input = Input::Tools(vec![ToolText {
            name: "lookup".into(),
            description: "".into(),
        }]);
        let d = local_checks(&r, "us-east-1", now());
        assert_eq!(fields(&d), vec!["tools.lookup", "evaluators"]);
        r.evaluators.clear();
        r.input = Input::Tools(vec![ToolText {
            name: "lookup".into(),
            description: "Finds orders".into(),
        }]);
        assert_eq!(local_checks(&r, "us-east-1", now()), vec![]);
        assert_eq!(r.rec_type(), RecType::ToolDescription);
    }

    #[test]
    fn tags_use_the_config_rules() {
        let mut r = req();
        r.tags.insert("".into(), "x".into());
        r.tags.insert("team".into(), "a".repeat(300));
        let d = local_checks(&r, "us-east-1", now());
        assert_eq!(fields(&d), vec!["tags.", "tags.team"]);
    }

    #[test]
    fn tools_from_json_accepts_both_shapes() {
        let a = tools_from_json(r#"{"lookup": "Finds orders"}"#, "tools.json").unwrap();
        let b = tools_from_json(
            r#"[{"toolName": "lookup", "toolDescription": "Finds orders"}]"#,
            "tools.json",
        )
        .unwrap();
        assert_eq!(a, b);
        let e = tools_from_json("[1]", "tools.json").unwrap_err();
        assert!(e.message.starts_with("tools.json: item 0"));
        assert_eq!(RecType::parse("system-prompt"), Some(RecType::SystemPrompt));
        assert_eq!(
            RecType::parse("TOOL_DESCRIPTION_RECOMMENDATION"),
            Some(RecType::ToolDescription)
        );
    }

    #[test]
    fn pack_prompt_and_tools() {
        let pack = crate::pack::parse_str(
            r#"{"id": "desk", "name": "Desk", "version": "1.0.0",
                "prompts": {"triage": {"id": "triage", "name": "Triage", "version": "1.0.0", "system_template": "You triage tickets.", "tools": ["lookup"]},
                            "billing": {"id": "billing", "name": "Billing", "version": "1.0.0", "system_template": "You answer billing questions."}},
                "tools": {"lookup": {"name": "lookup", "description": "Finds an order"}}}"#,
        )
        .unwrap();
        assert_eq!(
            system_prompt_from_pack(&pack, Some("triage")).unwrap(),
            "You triage tickets."
        );
        let e = system_prompt_from_pack(&pack, None).unwrap_err();
        assert!(e.hint.unwrap().contains("billing, triage"));
        assert_eq!(
            tools_from_pack(&pack, &[]).unwrap(),
            vec![ToolText {
                name: "lookup".into(),
                description: "Finds an order".into()
            }]
        );
        assert!(tools_from_pack(&pack, &["nope".into()]).is_err());
    }
}
