//! The recommendation calls (data plane): start, get, list page by page, delete, wait. SDK types
//! stay in here; callers see the model and plain-language errors.

use std::time::Duration;

use aws_sdk_bedrockagentcore::types as t;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use chrono::{DateTime, Utc};

use super::error::{KeyProblem, Operation, RecError, key_arn_in, problem_in};
use super::model::{ConfigView, Detail, ResultView, Status, Summary, ToolResult, TracesView};
use super::model_check::validate;
use super::request::{Input, StartRequest, ToolText, evaluator_arn, has_errors};
use crate::aws::{self, Category, ErrorContext};
use crate::kms::eligibility::{Ineligibility, check};
use crate::kms::keys::Keys;

#[derive(Clone, Debug)]
pub struct Recommendations {
    dp: aws_sdk_bedrockagentcore::Client,
    keys: Keys,
    pub region: String,
    ctx: ErrorContext,
}

fn chrono(ts: &aws_smithy_types::DateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(ts.secs(), ts.subsec_nanos()).unwrap_or_default()
}

fn smithy(ts: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(ts.timestamp_millis())
}

fn build_error(e: aws_smithy_types::error::operation::BuildError) -> RecError {
    RecError::Aws(aws::Error::new(
        Category::Configuration,
        "StartRecommendation",
        format!("could not build the request: {e}"),
    ))
}

fn to_config(req: &StartRequest, partition: &str) -> Result<t::RecommendationConfig, RecError> {
    let traces = t::AgentTracesConfig::CloudwatchLogs(
        t::CloudWatchLogsTraceConfig::builder()
            .set_log_group_arns(Some(req.traces.log_group_arns.clone()))
            .set_service_names(Some(
                req.traces
                    .service_names
                    .iter()
                    .filter(|s| !s.trim().is_empty())
                    .cloned()
                    .collect(),
            ))
            .start_time(smithy(req.traces.start))
            .end_time(smithy(req.traces.end))
            .build()
            .map_err(build_error)?,
    );
    Ok(match &req.input {
        Input::SystemPrompt(text) => {
            let evaluation = if req.evaluators.is_empty() {
                None
            } else {
                let mut refs = Vec::new();
                for e in &req.evaluators {
                    let arn =
                        evaluator_arn(e, partition).map_err(|d| RecError::Invalid(vec![d]))?;
                    refs.push(
                        t::RecommendationEvaluatorReference::builder()
                            .evaluator_arn(arn)
                            .build()
                            .map_err(build_error)?,
                    );
                }
                Some(
                    t::RecommendationEvaluationConfig::builder()
                        .set_evaluators(Some(refs))
                        .build()
                        .map_err(build_error)?,
                )
            };
            t::RecommendationConfig::SystemPromptRecommendationConfig(
                t::SystemPromptRecommendationConfig::builder()
                    .system_prompt(t::SystemPromptConfig::Text(text.clone()))
                    .agent_traces(traces)
                    .set_evaluation_config(evaluation)
                    .build(),
            )
        }
        Input::Tools(tools) => {
            let mut inputs = Vec::new();
            for tool in tools {
                inputs.push(
                    t::ToolDescriptionInput::builder()
                        .tool_name(&tool.name)
                        .tool_description(t::ToolDescriptionConfig::Text(tool.description.clone()))
                        .build()
                        .map_err(build_error)?,
                );
            }
            let text = t::ToolDescriptionTextInput::builder()
                .set_tools(Some(inputs))
                .build()
                .map_err(build_error)?;
            t::RecommendationConfig::ToolDescriptionRecommendationConfig(
                t::ToolDescriptionRecommendationConfig::builder()
                    .tool_description(t::ToolDescriptionSource::ToolDescriptionText(text))
                    .agent_traces(traces)
                    .build(),
            )
        }
    })
}

fn traces_view(a: Option<&t::AgentTracesConfig>) -> Option<TracesView> {
    let view = |source: &str| TracesView {
        source: source.into(),
        log_group_arns: vec![],
        service_names: vec![],
        start: None,
        end: None,
    };
    Some(match a? {
        t::AgentTracesConfig::CloudwatchLogs(c) => TracesView {
            log_group_arns: c.log_group_arns().to_vec(),
            service_names: c.service_names().to_vec(),
            start: Some(chrono(c.start_time())),
            end: Some(chrono(c.end_time())),
            ..view("cloudwatchLogs")
        },
        t::AgentTracesConfig::OnlineEvaluation(o) => TracesView {
            start: Some(chrono(o.start_time())),
            end: Some(chrono(o.end_time())),
            ..view("onlineEvaluation")
        },
        t::AgentTracesConfig::BatchEvaluation(_) => view("batchEvaluation"),
        t::AgentTracesConfig::SessionSpans(_) => view("sessionSpans"),
        _ => view("unknown"),
    })
}

fn config_view(c: Option<&t::RecommendationConfig>) -> ConfigView {
    match c {
        Some(t::RecommendationConfig::SystemPromptRecommendationConfig(s)) => {
            ConfigView::SystemPrompt {
                text: s.system_prompt().and_then(|p| p.as_text().ok()).cloned(),
                bundle_arn: s
                    .system_prompt()
                    .and_then(|p| p.as_configuration_bundle().ok())
                    .map(|b| b.bundle_arn().to_owned()),
                traces: traces_view(s.agent_traces()),
                evaluators: s
                    .evaluation_config()
                    .map(|e| {
                        e.evaluators()
                            .iter()
                            .map(|r| r.evaluator_arn().to_owned())
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        }
        Some(t::RecommendationConfig::ToolDescriptionRecommendationConfig(d)) => {
            ConfigView::ToolDescription {
                tools: d
                    .tool_description()
                    .and_then(|s| s.as_tool_description_text().ok())
                    .map(|x| {
                        x.tools()
                            .iter()
                            .map(|i| ToolText {
                                name: i.tool_name().to_owned(),
                                description: i
                                    .tool_description()
                                    .and_then(|d| d.as_text().ok())
                                    .cloned()
                                    .unwrap_or_default(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                bundle_arn: d
                    .tool_description()
                    .and_then(|s| s.as_configuration_bundle().ok())
                    .map(|b| b.bundle_arn().to_owned()),
                traces: traces_view(d.agent_traces()),
            }
        }
        _ => ConfigView::Unknown,
    }
}

fn result_view(r: &t::RecommendationResult) -> ResultView {
    let s = |o: Option<&str>| o.map(str::to_owned);
    match r {
        t::RecommendationResult::SystemPromptRecommendationResult(p) => ResultView::SystemPrompt {
            recommended: s(p.recommended_system_prompt()),
            explanation: s(p.explanation()),
            error_code: s(p.error_code()),
            error_message: s(p.error_message()),
        },
        t::RecommendationResult::ToolDescriptionRecommendationResult(d) => {
            ResultView::ToolDescription {
                tools: d
                    .tools()
                    .iter()
                    .map(|o| ToolResult {
                        name: o.tool_name().to_owned(),
                        recommended: s(o.recommended_tool_description()),
                        explanation: s(o.explanation()),
                    })
                    .collect(),
                error_code: s(d.error_code()),
                error_message: s(d.error_message()),
            }
        }
        _ => ResultView::Unknown,
    }
}

fn summary(s: &t::RecommendationSummary) -> Summary {
    Summary {
        id: s.recommendation_id().to_owned(),
        arn: s.recommendation_arn().to_owned(),
        name: s.name().to_owned(),
        description: s.description().map(str::to_owned),
        rec_type: s.r#type().as_str().to_owned(),
        status: Status::parse(s.status().as_str()),
        created_at: chrono(s.created_at()),
        updated_at: chrono(s.updated_at()),
    }
}

/// Recommendations a page at a time (newest pages as the service orders them).
pub struct RecPages {
    recs: Recommendations,
    status: Option<Status>,
    token: Option<String>,
    done: bool,
    page_size: i32,
}

impl RecPages {
    pub fn page_size(mut self, n: i32) -> Self {
        self.page_size = n.clamp(1, 100);
        self
    }

    pub async fn next_page(&mut self) -> Option<Result<Vec<Summary>, RecError>> {
        if self.done {
            return None;
        }
        let out = self
            .recs
            .dp
            .list_recommendations()
            .max_results(self.page_size)
            .set_status_filter(
                self.status
                    .as_ref()
                    .map(|s| t::RecommendationStatus::from(s.as_str())),
            )
            .set_next_token(self.token.take())
            .send()
            .await;
        Some(match out {
            Ok(o) => {
                self.token = o.next_token().filter(|t| !t.is_empty()).map(str::to_owned);
                self.done = self.token.is_none();
                Ok(o.recommendation_summaries().iter().map(summary).collect())
            }
            Err(e) => {
                self.done = true;
                Err(RecError::Aws(aws::Error::from_sdk(
                    "bedrock-agentcore",
                    "ListRecommendations",
                    &e,
                    &self.recs.ctx,
                )))
            }
        })
    }
}

impl Recommendations {
    pub fn new(
        dp: aws_sdk_bedrockagentcore::Client,
        keys: Keys,
        region: impl Into<String>,
        ctx: ErrorContext,
    ) -> Self {
        Recommendations {
            dp,
            keys,
            region: region.into(),
            ctx,
        }
    }

    pub fn from_clients(c: &aws::Clients) -> Self {
        Recommendations::new(
            aws_sdk_bedrockagentcore::Client::new(c.sdk_config()),
            Keys::from_clients(c),
            c.region.clone(),
            c.error_context(),
        )
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Checks `req` locally, then starts it. Nothing is sent when a check fails.
    pub async fn start(&self, req: &StartRequest) -> Result<Summary, RecError> {
        let diags = validate(req, &self.region, Utc::now());
        if has_errors(&diags) {
            return Err(RecError::Invalid(
                diags
                    .into_iter()
                    .filter(|d| d.severity == crate::diagnostic::Severity::Error)
                    .collect(),
            ));
        }
        let config = to_config(req, crate::arn::partition_of_region(&self.region))?;
        let out = self
            .dp
            .start_recommendation()
            .name(&req.name)
            .set_description(req.description.clone())
            .r#type(t::RecommendationType::from(req.rec_type().as_str()))
            .recommendation_config(config)
            .set_kms_key_arn(req.kms_key_arn.clone())
            .set_tags((!req.tags.is_empty()).then(|| req.tags.clone().into_iter().collect()))
            .send()
            .await;
        match out {
            Ok(o) => Ok(Summary {
                id: o.recommendation_id().to_owned(),
                arn: o.recommendation_arn().to_owned(),
                name: o.name().to_owned(),
                description: o.description().map(str::to_owned),
                rec_type: o.r#type().as_str().to_owned(),
                status: Status::parse(o.status().as_str()),
                created_at: chrono(o.created_at()),
                updated_at: chrono(o.updated_at()),
            }),
            Err(e) => Err(self
                .explain(
                    Operation::Start,
                    "StartRecommendation",
                    &e,
                    req.kms_key_arn.as_deref(),
                )
                .await),
        }
    }

    pub async fn get(&self, id: &str) -> Result<Detail, RecError> {
        match self
            .dp
            .get_recommendation()
            .recommendation_id(id)
            .send()
            .await
        {
            Ok(o) => Ok(Detail {
                summary: Summary {
                    id: o.recommendation_id().to_owned(),
                    arn: o.recommendation_arn().to_owned(),
                    name: o.name().to_owned(),
                    description: o.description().map(str::to_owned),
                    rec_type: o.r#type().as_str().to_owned(),
                    status: Status::parse(o.status().as_str()),
                    created_at: chrono(o.created_at()),
                    updated_at: chrono(o.updated_at()),
                },
                kms_key_arn: o.kms_key_arn().map(str::to_owned),
                config: config_view(o.recommendation_config()),
                result: o.recommendation_result().map(result_view),
            }),
            Err(e) => Err(self
                .explain(Operation::Get, "GetRecommendation", &e, None)
                .await),
        }
    }

    pub fn list(&self, status: Option<Status>) -> RecPages {
        RecPages {
            recs: self.clone(),
            status,
            token: None,
            done: false,
            page_size: 100,
        }
    }

    pub async fn list_all(&self, status: Option<Status>) -> Result<Vec<Summary>, RecError> {
        let mut pages = self.list(status);
        let mut all = Vec::new();
        while let Some(p) = pages.next_page().await {
            all.extend(p?);
        }
        Ok(all)
    }

    pub async fn delete(&self, id: &str) -> Result<Status, RecError> {
        match self
            .dp
            .delete_recommendation()
            .recommendation_id(id)
            .send()
            .await
        {
            Ok(o) => Ok(Status::parse(o.status().as_str())),
            Err(e) => Err(self
                .explain(Operation::Delete, "DeleteRecommendation", &e, None)
                .await),
        }
    }

    /// Polls until the recommendation is COMPLETED or FAILED, fast at first, then every 5 s at
    /// most; `on_status` sees every change. Gives up after `timeout`.
    pub async fn wait(
        &self,
        id: &str,
        timeout: Duration,
        mut on_status: impl FnMut(&Status),
    ) -> Result<Detail, RecError> {
        let started = std::time::Instant::now();
        let mut delay = Duration::from_millis(200);
        let mut last: Option<Status> = None;
        loop {
            let d = self.get(id).await?;
            if last.as_ref() != Some(&d.summary.status) {
                on_status(&d.summary.status);
                last = Some(d.summary.status.clone());
            }
            if d.summary.status.is_final() {
                return Ok(d);
            }
            if started.elapsed() + delay > timeout {
                return Err(RecError::Aws(
                    aws::Error::stuck(
                        "Recommendation",
                        id,
                        d.summary.status.as_str(),
                        started.elapsed(),
                    )
                    .with_hint(
                        "it is still running; check again later with `agentcore-tui recs get ID`",
                    ),
                ));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 8 / 5).min(Duration::from_secs(5));
        }
    }

    /// Turns an SDK error into plain words; key problems are confirmed with KMS when possible.
    async fn explain<E, R>(
        &self,
        op: Operation,
        name: &str,
        err: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
        known_key: Option<&str>,
    ) -> RecError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        let classified = aws::Error::from_sdk("bedrock-agentcore", name, err, &self.ctx);
        let code = err.code().unwrap_or_default();
        let message = err.message().unwrap_or_default().to_owned();
        let about_key =
            message.contains("KMS") || message.contains("kms") || message.contains("key policy");
        if !about_key || !matches!(code, "ValidationException" | "AccessDeniedException") {
            return RecError::Aws(classified);
        }
        let key_arn = key_arn_in(&message).or_else(|| known_key.map(str::to_owned));
        let mut label = key_arn.clone();
        let mut problem = if code == "AccessDeniedException" {
            Some(KeyProblem::PolicyDenied)
        } else {
            None
        };
        if let Some(arn) = &key_arn {
            let key_region = crate::arn::region(arn);
            if problem.is_none() && arn.starts_with("arn:") && key_region != self.region {
                problem = Some(KeyProblem::OtherRegion {
                    key_region: key_region.to_owned(),
                    region: self.region.clone(),
                });
            } else {
                match self.keys.describe(arn).await {
                    Ok(info) => {
                        label = Some(info.label().to_owned());
                        if problem.is_none() {
                            problem =
                                check(&info, &self.region)
                                    .into_iter()
                                    .find_map(|r| match r {
                                        Ineligibility::NotEnabled { key_state }
                                            if key_state == "Disabled" =>
                                        {
                                            Some(KeyProblem::Disabled)
                                        }
                                        Ineligibility::NotEnabled { key_state }
                                            if key_state == "PendingDeletion" =>
                                        {
                                            Some(KeyProblem::PendingDeletion)
                                        }
                                        Ineligibility::NotSymmetric { .. }
                                        | Ineligibility::WrongUsage { .. } => {
                                            Some(KeyProblem::NotSymmetric)
                                        }
                                        _ => None,
                                    });
                        }
                    }
                    Err(e)
                        if e.code.as_deref() == Some("NotFoundException") && problem.is_none() =>
                    {
                        problem = Some(KeyProblem::Deleted);
                    }
                    Err(_) => {}
                }
            }
        }
        let problem = problem.or_else(|| problem_in(&message, &self.region));
        match problem {
            Some(problem) => RecError::KeyUnavailable {
                operation: op,
                key: label.unwrap_or_else(|| "of this recommendation".into()),
                key_arn,
                problem,
                aws_message: message,
            },
            None => RecError::Aws(classified),
        }
    }
}
