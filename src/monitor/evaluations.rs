//! The online evaluation results of a runtime, read where AgentCore publishes them: its online
//! evaluation config (found in the deploy state) names the destination in `outputConfig`, by
//! default `/aws/bedrock-agentcore/evaluations/results/{configId}`, where each result is one
//! CloudWatch Logs event holding a JSON OpenTelemetry `gen_ai.evaluation.result` record.
//! Reads are bounded (pages and results), so a busy config cannot stall a view.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::target::Runtime;
use crate::aws::{Clients, Error, ErrorContext};
use crate::deploy::state::DeployState;
use crate::plan::{ResourceKind, naming};

/// AgentCore's default result group of a config: this and the config's id.
pub const RESULTS_PREFIX: &str = "/aws/bedrock-agentcore/evaluations/results/";
/// The record name every result carries (OpenTelemetry GenAI semantic conventions).
pub const RECORD_NAME: &str = "gen_ai.evaluation.result";
/// Pages read per fetch at most.
const MAX_PAGES: usize = 20;
/// Results kept per fetch at most (the newest).
pub const MAX_RESULTS: usize = 5_000;

/// The advice AgentCore's delay calls for: no result right after a deploy is normal.
pub const EMPTY_NOTE: &str = "evaluation results can take minutes to appear after an invoke (AgentCore samples sessions and scores them once they end)";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalResult {
    /// Epoch milliseconds of the log event.
    pub timestamp: i64,
    pub evaluator: String,
    pub score: Option<f64>,
    pub label: Option<String>,
    pub explanation: Option<String>,
    pub session: Option<String>,
    pub trace: Option<String>,
}

/// A record's score may be a JSON number or a number written as a string.
fn number(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// One event's message as a result, or `None` when it is not a `gen_ai.evaluation.result`
/// record (a runtime's own lines share the group with `SOURCE_LOG_GROUP`).
pub fn parse(timestamp: i64, message: &str) -> Option<EvalResult> {
    let v: Value = serde_json::from_str(message.trim()).ok()?;
    let attrs = v.get("attributes")?;
    let named = v.get("name").and_then(Value::as_str) == Some(RECORD_NAME)
        || attrs.get("event.name").and_then(Value::as_str) == Some(RECORD_NAME);
    if !named {
        return None;
    }
    let text = |k: &str| {
        attrs
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Some(EvalResult {
        timestamp,
        evaluator: text("gen_ai.evaluation.name")?,
        score: attrs.get("gen_ai.evaluation.score.value").and_then(number),
        label: text("gen_ai.evaluation.score.label"),
        explanation: text("gen_ai.evaluation.explanation"),
        session: text("session.id"),
        trace: v
            .get("traceId")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| text("gen_ai.response.id")),
    })
}

/// The online evaluation config that evaluates `runtime`, as the deploy state records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigRef {
    pub name: String,
    pub id: String,
}

/// `None` when the pack evaluates nothing online (or the config is not deployed).
pub fn config_of(state: &DeployState, runtime: &Runtime) -> Option<ConfigRef> {
    let name = naming::online_eval_name(&runtime.name);
    let r = state
        .live()
        .find(|r| r.kind == ResourceKind::OnlineEvalConfig.as_str() && r.name == name)?;
    let id = r.meta("id").map(str::to_owned).or_else(|| {
        r.arn
            .as_deref()
            .map(|a| crate::arn::resource_id(a).to_owned())
    })?;
    Some(ConfigRef { name, id })
}

/// Where a config's results are: the group, and the filter pattern when they share it with the
/// runtime's own lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub group: String,
    pub pattern: Option<String>,
}

/// From the config's `outputConfig.cloudWatchConfig`: `SOURCE_LOG_GROUP` → the group it reads
/// traces from (`source`; the runtime's own group when it names none); a `logGroupName` → that
/// group; otherwise the config's default dedicated group.
pub fn destination(
    config_id: &str,
    result_destination: Option<&str>,
    log_group_name: Option<&str>,
    source: Option<&str>,
    runtime: &Runtime,
) -> Destination {
    if result_destination == Some("SOURCE_LOG_GROUP") {
        return Destination {
            group: source.map_or_else(|| runtime.log_group(), str::to_owned),
            pattern: Some(format!("\"{RECORD_NAME}\"")),
        };
    }
    Destination {
        group: log_group_name
            .filter(|g| !g.is_empty())
            .map_or_else(|| format!("{RESULTS_PREFIX}{config_id}"), str::to_owned),
        pattern: None,
    }
}

/// What a read found.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub config: Option<ConfigRef>,
    pub group: Option<String>,
    /// Oldest first.
    pub results: Vec<EvalResult>,
    /// The group does not exist yet: nothing was evaluated.
    pub no_group: bool,
    /// More results than [`MAX_RESULTS`] (or pages) were there; the oldest were left out.
    pub truncated: bool,
}

impl Results {
    /// Scores per evaluator, oldest first (results without a score are left out).
    pub fn series(&self) -> BTreeMap<&str, Vec<f64>> {
        let mut out: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for r in &self.results {
            if let Some(s) = r.score {
                out.entry(r.evaluator.as_str()).or_default().push(s);
            }
        }
        out
    }

    /// The newest result of each evaluator.
    pub fn latest(&self) -> Vec<&EvalResult> {
        let mut seen: BTreeMap<&str, &EvalResult> = BTreeMap::new();
        for r in &self.results {
            seen.insert(r.evaluator.as_str(), r);
        }
        seen.into_values().collect()
    }
}

/// The results of `runtime` from `start_ms` on. Without a config the answer is empty, not an
/// error: the pack may evaluate nothing online.
pub async fn fetch(
    clients: &Clients,
    state: &DeployState,
    runtime: &Runtime,
    start_ms: i64,
) -> Result<Results, Error> {
    let Some(config) = config_of(state, runtime) else {
        return Ok(Results {
            config: None,
            group: None,
            results: Vec::new(),
            no_group: false,
            truncated: false,
        });
    };
    let ctx = clients.error_context();
    let got = clients
        .control
        .get_online_evaluation_config()
        .online_evaluation_config_id(&config.id)
        .send()
        .await
        .map_err(|e| Error::from_sdk("bedrock-agentcore", "GetOnlineEvaluationConfig", &e, &ctx))?;
    let cw = got.output_config().and_then(|o| o.cloud_watch_config());
    let source = got
        .data_source_config()
        .and_then(|d| d.as_cloud_watch_logs().ok())
        .and_then(|c| c.log_group_names().first())
        .map(String::as_str);
    let dest = destination(
        &config.id,
        cw.map(|c| c.result_destination().as_str()),
        cw.map(|c| c.log_group_name()),
        source,
        runtime,
    );
    let read = read(&clients.logs(), &ctx, &dest, start_ms).await?;
    Ok(Results {
        config: Some(config),
        group: Some(dest.group),
        ..read
    })
}

/// Every result in `dest` from `start_ms` on, at most [`MAX_PAGES`] pages and the newest
/// [`MAX_RESULTS`] results.
pub async fn read(
    client: &aws_sdk_cloudwatchlogs::Client,
    ctx: &ErrorContext,
    dest: &Destination,
    start_ms: i64,
) -> Result<Results, Error> {
    let mut results = Vec::new();
    let mut token: Option<String> = None;
    let mut truncated = false;
    for page in 0.. {
        if page == MAX_PAGES {
            truncated = true;
            break;
        }
        let out = client
            .filter_log_events()
            .log_group_name(&dest.group)
            .start_time(start_ms)
            .set_filter_pattern(dest.pattern.clone())
            .set_next_token(token.take())
            .send()
            .await;
        let out = match out {
            Ok(o) => o,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                return Ok(Results {
                    config: None,
                    group: None,
                    results: Vec::new(),
                    no_group: true,
                    truncated: false,
                });
            }
            Err(e) => return Err(Error::from_sdk("logs", "FilterLogEvents", &e, ctx)),
        };
        results.extend(
            out.events()
                .iter()
                .filter_map(|e| parse(e.timestamp().unwrap_or_default(), e.message()?)),
        );
        if results.len() > MAX_RESULTS {
            results.drain(..results.len() - MAX_RESULTS);
            truncated = true;
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => break,
        }
    }
    Ok(Results {
        config: None,
        group: None,
        results,
        no_group: false,
        truncated,
    })
}

/// A read with no config says why in words (the TUI and a script both show it).
pub fn no_config_note(runtime: &Runtime) -> String {
    format!(
        "runtime {} has no online evaluation config: the pack's evals with a judge or a built-in \
         evaluator create one on apply",
        runtime.name
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> Runtime {
        Runtime {
            name: "support_desk_triage".into(),
            agent: Some("triage".into()),
            arn: "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/support_desk_triage-abcdefghij".into(),
            id: "support_desk_triage-abcdefghij".into(),
            pack_log_group: None,
        }
    }

    #[test]
    fn a_record_is_read_with_a_number_or_a_string_score_and_other_lines_are_not() {
        let rec = r#"{"name":"gen_ai.evaluation.result","traceId":"t1","attributes":{
            "gen_ai.evaluation.name":"Builtin.Helpfulness","gen_ai.evaluation.score.value":0.75,
            "gen_ai.evaluation.score.label":"Good","gen_ai.evaluation.explanation":"fine",
            "session.id":"s1"}}"#;
        let r = parse(5, rec).unwrap();
        assert_eq!(r.evaluator, "Builtin.Helpfulness");
        assert_eq!(r.score, Some(0.75));
        assert_eq!(r.label.as_deref(), Some("Good"));
        assert_eq!(r.trace.as_deref(), Some("t1"));
        let stringy = rec.replace("0.75", "\"3\"");
        assert_eq!(parse(5, &stringy).unwrap().score, Some(3.0));
        assert_eq!(parse(5, r#"{"level":"INFO","event":"request"}"#), None);
        assert_eq!(parse(5, "plain text"), None);
    }

    #[test]
    fn results_go_to_the_default_group_a_named_one_or_the_runtime_group() {
        let rt = runtime();
        assert_eq!(
            destination("cfg-0123456789", None, None, None, &rt).group,
            "/aws/bedrock-agentcore/evaluations/results/cfg-0123456789"
        );
        assert_eq!(
            destination(
                "cfg",
                Some("DEDICATED_LOG_GROUP"),
                Some("/my/evals"),
                None,
                &rt
            )
            .group,
            "/my/evals"
        );
        let src = destination(
            "cfg",
            Some("SOURCE_LOG_GROUP"),
            None,
            Some("/pack/traces"),
            &rt,
        );
        assert_eq!(src.group, "/pack/traces");
        let own = destination("cfg", Some("SOURCE_LOG_GROUP"), None, None, &rt);
        assert_eq!(own.group, rt.log_group());
        assert_eq!(src.pattern.as_deref(), Some("\"gen_ai.evaluation.result\""));
    }

    #[test]
    fn series_and_latest_are_per_evaluator() {
        let r = |ts, ev: &str, s| EvalResult {
            timestamp: ts,
            evaluator: ev.into(),
            score: s,
            label: None,
            explanation: Some(format!("{ev} at {ts}")),
            session: None,
            trace: None,
        };
        let res = Results {
            config: None,
            group: None,
            results: vec![
                r(1, "a", Some(1.0)),
                r(2, "b", Some(0.5)),
                r(3, "a", None),
                r(4, "a", Some(3.0)),
            ],
            no_group: false,
            truncated: false,
        };
        let s = res.series();
        assert_eq!(s["a"], vec![1.0, 3.0]);
        assert_eq!(s["b"], vec![0.5]);
        let latest: Vec<i64> = res.latest().iter().map(|r| r.timestamp).collect();
        assert_eq!(latest, [4, 2]);
    }
}
