//! The "optimisation" a recommendation returns: deterministic, derived only from its input, and
//! shaped like what the service gives back (a rewritten prompt, sharper tool descriptions).

use serde_json::{Value, json};

pub fn recommend(rtype: &str, config: &Value) -> Value {
    if rtype == "TOOL_DESCRIPTION_RECOMMENDATION" {
        tools(
            config
                .get("toolDescriptionRecommendationConfig")
                .unwrap_or(&Value::Null),
        )
    } else {
        system_prompt(
            config
                .get("systemPromptRecommendationConfig")
                .unwrap_or(&Value::Null),
        )
    }
}

fn traces_summary(traces: &Value) -> String {
    if let Some(cw) = traces.get("cloudwatchLogs") {
        let groups = cw
            .get("logGroupArns")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let services: Vec<&str> = cw
            .get("serviceNames")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        format!(
            "traces from {groups} CloudWatch log group{} for {}",
            if groups == 1 { "" } else { "s" },
            if services.is_empty() {
                "the agent".to_string()
            } else {
                services.join(", ")
            }
        )
    } else if let Some(spans) = traces.get("sessionSpans").and_then(Value::as_array) {
        format!(
            "{} inline session span{}",
            spans.len(),
            if spans.len() == 1 { "" } else { "s" }
        )
    } else if traces.get("batchEvaluation").is_some() {
        "the results of a batch evaluation".into()
    } else {
        "the sessions of an online evaluation".into()
    }
}

fn evaluator_names(cfg: &Value) -> Vec<String> {
    cfg.pointer("/evaluationConfig/evaluators")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| e.get("evaluatorArn").and_then(Value::as_str))
                .map(|arn| {
                    arn.rsplit('/')
                        .next()
                        .unwrap_or(arn)
                        .trim_start_matches("Builtin.")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn sentence(s: &str) -> String {
    let t = s.trim();
    let mut out: String = t
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + &t[c.len_utf8()..])
        .unwrap_or_default();
    if !out.is_empty() && !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

fn system_prompt(cfg: &Value) -> Value {
    let evaluators = evaluator_names(cfg);
    let traces = traces_summary(cfg.get("agentTraces").unwrap_or(&Value::Null));
    let focus = if evaluators.is_empty() {
        "Correctness".to_string()
    } else {
        evaluators.join(", ")
    };
    let mut guidance = vec![
        "Answer the user's question directly first, then add only the detail that helps.",
        "When a request is ambiguous, ask one short clarifying question instead of guessing.",
        "Prefer your tools over recall for facts that can change, and say which tool you used.",
        "If you cannot complete a task, say what is missing and what the user can do next.",
    ];
    if evaluators
        .iter()
        .any(|e| e.eq_ignore_ascii_case("Helpfulness"))
    {
        guidance.push("End with the next concrete step the user can take.");
    }
    if evaluators
        .iter()
        .any(|e| e.eq_ignore_ascii_case("Correctness") || e.eq_ignore_ascii_case("Faithfulness"))
    {
        guidance.push(
            "Never state a figure or name you have not seen in the conversation or a tool result.",
        );
    }
    let rules: String = guidance.iter().map(|g| format!("\n- {g}")).collect();
    match cfg.pointer("/systemPrompt/configurationBundle") {
        Some(bundle) => {
            let version = bundle
                .get("versionId")
                .and_then(Value::as_str)
                .unwrap_or("1");
            let next = version
                .parse::<u64>()
                .map(|v| (v + 1).to_string())
                .unwrap_or_else(|_| format!("{version}-recommended"));
            json!({ "systemPromptRecommendationResult": {
                "configurationBundle": { "bundleArn": bundle.get("bundleArn").cloned().unwrap_or(Value::Null), "versionId": next },
                "explanation": format!("Wrote a new bundle version with a system prompt tuned for {focus}, based on {traces}. Added {} behavioural rules.", guidance.len()),
            }})
        }
        None => {
            let original = cfg
                .pointer("/systemPrompt/text")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let base = if original.trim().is_empty() {
                "You are a helpful assistant.".to_string()
            } else {
                sentence(original)
            };
            json!({ "systemPromptRecommendationResult": {
                "recommendedSystemPrompt": format!("{base}\n\nFollow these rules:{rules}"),
                "explanation": format!(
                    "Kept the original role ({} characters) and added {} rules aimed at {focus}, based on {traces}.",
                    original.trim().chars().count(), guidance.len()
                ),
            }})
        }
    }
}

/// `get_weather` / `getWeather` → "get weather".
fn words(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c == '_' || c == '-' || c == '.' {
            out.push(' ');
        } else if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn tools(cfg: &Value) -> Value {
    let traces = traces_summary(cfg.get("agentTraces").unwrap_or(&Value::Null));
    let source = cfg.get("toolDescription").unwrap_or(&Value::Null);
    if let Some(bundle) = source.get("configurationBundle") {
        let names: Vec<&str> = bundle
            .get("tools")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.get("toolName").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        return json!({ "toolDescriptionRecommendationResult": {
            "tools": names.iter().map(|n| json!({
                "toolName": n,
                "recommendedToolDescription": format!("Use {n} to {}. Pass every required argument explicitly; never guess a missing value.", words(n)),
                "explanation": format!("Named the task the tool performs, based on {traces}."),
            })).collect::<Vec<_>>(),
            "configurationBundle": { "bundleArn": bundle.get("bundleArn").cloned().unwrap_or(Value::Null), "versionId": format!("{}-recommended", bundle.get("versionId").and_then(Value::as_str).unwrap_or("1")) },
        }});
    }
    let list: Vec<(String, String)> = source
        .pointer("/toolDescriptionText/tools")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|t| {
                    (
                        t.get("toolName")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        t.pointer("/toolDescription/text")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    json!({ "toolDescriptionRecommendationResult": {
        "tools": list.iter().map(|(name, desc)| {
            let what = if desc.trim().is_empty() { sentence(&words(name)) } else { sentence(desc) };
            json!({
                "toolName": name,
                "recommendedToolDescription": format!(
                    "{what} Call {name} when the user needs to {}. Pass every required argument explicitly; if one is unknown, ask the user instead of guessing. On an error, report it rather than retrying silently.",
                    words(name)
                ),
                "explanation": format!(
                    "The original description ({} words) did not say when to call the tool or how to handle missing arguments; derived from {traces}.",
                    desc.split_whitespace().count()
                ),
            })
        }).collect::<Vec<_>>(),
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_result_is_derived_from_input_and_deterministic() {
        let cfg = json!({"systemPromptRecommendationConfig": {
            "systemPrompt": {"text": "you answer billing questions"},
            "agentTraces": {"cloudwatchLogs": {"logGroupArns": ["a"], "serviceNames": ["billing.DEFAULT"], "startTime": "x", "endTime": "y"}},
            "evaluationConfig": {"evaluators": [{"evaluatorArn": "arn:aws:bedrock-agentcore:::evaluator/Builtin.Helpfulness"}]}
        }});
        let a = recommend("SYSTEM_PROMPT_RECOMMENDATION", &cfg);
        assert_eq!(a, recommend("SYSTEM_PROMPT_RECOMMENDATION", &cfg));
        let prompt = a
            .pointer("/systemPromptRecommendationResult/recommendedSystemPrompt")
            .unwrap()
            .as_str()
            .unwrap();
        assert!(prompt.starts_with("You answer billing questions."));
        assert!(prompt.contains("next concrete step"));
        let expl = a
            .pointer("/systemPromptRecommendationResult/explanation")
            .unwrap()
            .as_str()
            .unwrap();
        assert!(expl.contains("billing.DEFAULT") && expl.contains("Helpfulness"));
    }

    #[test]
    fn tool_result_names_each_tool() {
        let cfg = json!({"toolDescriptionRecommendationConfig": {
            "toolDescription": {"toolDescriptionText": {"tools": [{"toolName": "getWeather", "toolDescription": {"text": "weather"}}]}},
            "agentTraces": {"sessionSpans": [{}]}
        }});
        let r = recommend("TOOL_DESCRIPTION_RECOMMENDATION", &cfg);
        let t = &r["toolDescriptionRecommendationResult"]["tools"][0];
        assert_eq!(t["toolName"], "getWeather");
        assert!(
            t["recommendedToolDescription"]
                .as_str()
                .unwrap()
                .contains("get weather")
        );
    }
}
