//! Online evaluation: with a config enabled for a runtime, each InvokeAgentRuntime writes one
//! `gen_ai.evaluation.result` record per evaluator where AgentCore publishes them, read back
//! with the real CloudWatch Logs client.

use agentcore_emulator::{Config, Faults, Timing, World};
use aws_sdk_bedrockagentcore::primitives::Blob;
use aws_sdk_bedrockagentcorecontrol::types as cp;
use serde_json::Value;

use crate::common::{Checked, assert_code, client, container_artifact, role, start_with};

async fn start(faults: &str) -> Checked {
    start_with(Config {
        world: World::Empty,
        timing: Timing::instant(),
        faults: Faults::parse(faults).unwrap(),
        ..Default::default()
    })
    .await
}

/// A runtime, a five-level judge and a config over the runtime's log group and service name:
/// (runtime ARN, its log group, the config id).
async fn deployed(
    emu: &Checked,
    output: Option<cp::OutputConfig>,
) -> Result<(String, String, String), String> {
    let (arn, group, evaluator) = runtime_and_judge(emu).await;
    let oid = config(emu, &group, &evaluator, output).await?;
    Ok((arn, group, oid))
}

async fn runtime_and_judge(emu: &Checked) -> (String, String, String) {
    let ctl = client!(aws_sdk_bedrockagentcorecontrol, emu);
    let rt = ctl
        .create_agent_runtime()
        .agent_runtime_name("support_desk_triage")
        .agent_runtime_artifact(container_artifact(
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/agent:1",
        ))
        .role_arn(role())
        .network_configuration(
            cp::NetworkConfiguration::builder()
                .network_mode(cp::NetworkMode::Public)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let scale = (1..=5)
        .map(|v| {
            cp::NumericalScaleDefinition::builder()
                .value(f64::from(v))
                .label(format!("level {v}"))
                .definition(format!("level {v} of 5"))
                .build()
                .unwrap()
        })
        .collect();
    let judge = cp::LlmAsAJudgeEvaluatorConfig::builder()
        .instructions("Rate how helpful the answer is")
        .rating_scale(cp::RatingScale::Numerical(scale))
        .model_config(cp::EvaluatorModelConfig::BedrockEvaluatorModelConfig(
            cp::BedrockEvaluatorModelConfig::builder()
                .model_id("anthropic.claude")
                .build()
                .unwrap(),
        ))
        .build()
        .unwrap();
    let ev = ctl
        .create_evaluator()
        .evaluator_name("helpfulness")
        .evaluator_config(cp::EvaluatorConfig::LlmAsAJudge(judge))
        .level(cp::EvaluatorLevel::Trace)
        .send()
        .await
        .unwrap();
    let group = format!(
        "/aws/bedrock-agentcore/runtimes/{}-DEFAULT",
        rt.agent_runtime_id()
    );
    (
        rt.agent_runtime_arn().to_string(),
        group,
        ev.evaluator_id().to_string(),
    )
}

async fn config(
    emu: &Checked,
    group: &str,
    evaluator: &str,
    output: Option<cp::OutputConfig>,
) -> Result<String, String> {
    let oec = client!(aws_sdk_bedrockagentcorecontrol, emu)
        .create_online_evaluation_config()
        .online_evaluation_config_name("support_desk_triage_online")
        .rule(
            cp::Rule::builder()
                .sampling_config(
                    cp::SamplingConfig::builder()
                        .sampling_percentage(20.0)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .data_source_config(cp::DataSourceConfig::CloudWatchLogs(
            cp::CloudWatchLogsInputConfig::builder()
                .log_group_names(group)
                .service_names("support_desk_triage.DEFAULT")
                .build()
                .unwrap(),
        ))
        .evaluators(cp::EvaluatorReference::EvaluatorId(evaluator.into()))
        .evaluators(cp::EvaluatorReference::EvaluatorId(
            "Builtin.Correctness".into(),
        ))
        .set_output_config(output)
        .evaluation_execution_role_arn(role())
        .enable_on_create(true)
        .send()
        .await
        .map_err(|e| aws_sdk_bedrockagentcorecontrol::error::DisplayErrorContext(e).to_string())?;
    Ok(oec.online_evaluation_config_id().to_string())
}

async fn invoke(emu: &Checked, arn: &str, prompt: &str) {
    client!(aws_sdk_bedrockagentcore, emu)
        .invoke_agent_runtime()
        .agent_runtime_arn(arn)
        .payload(Blob::new(
            serde_json::json!({ "prompt": prompt }).to_string(),
        ))
        .send()
        .await
        .unwrap();
}

/// The records of `group` (every page), as JSON.
async fn records(emu: &Checked, group: &str, pattern: Option<&str>) -> Vec<Value> {
    let logs = client!(aws_sdk_cloudwatchlogs, emu);
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = logs
            .filter_log_events()
            .log_group_name(group)
            .set_filter_pattern(pattern.map(str::to_string))
            .limit(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        out.extend(
            page.events()
                .iter()
                .map(|e| serde_json::from_str::<Value>(e.message().unwrap()).unwrap()),
        );
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return out,
        }
    }
}

fn attr<'v>(r: &'v Value, k: &str) -> &'v Value {
    &r["attributes"][k]
}

#[tokio::test]
async fn each_invoke_publishes_one_result_per_evaluator_in_the_configs_result_group() {
    let emu = start("").await;
    let (arn, _, oid) = deployed(&emu, None).await.unwrap();
    let results = format!("/aws/bedrock-agentcore/evaluations/results/{oid}");
    let logs = client!(aws_sdk_cloudwatchlogs, emu);
    // Nothing invoked yet: AgentCore has not made the group.
    let e = logs
        .filter_log_events()
        .log_group_name(&results)
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );

    invoke(&emu, &arn, "where is my refund?").await;
    invoke(&emu, &arn, "reset my password").await;
    invoke(&emu, &arn, "where is my refund?").await;
    let got = records(&emu, &results, None).await;
    assert_eq!(got.len(), 6, "two evaluators, three invokes: {got:#?}");
    for r in &got {
        assert_eq!(r["name"], "gen_ai.evaluation.result");
        assert_eq!(
            attr(r, "aws.bedrock_agentcore.online_evaluation_config.name"),
            "support_desk_triage_online"
        );
        assert_eq!(
            r["resource"]["attributes"]["service.name"],
            "support_desk_triage.DEFAULT"
        );
        assert!(attr(r, "gen_ai.evaluation.score.value").is_f64(), "{r}");
        assert!(
            attr(r, "gen_ai.evaluation.explanation")
                .as_str()
                .unwrap()
                .contains("[AgentCore emulator] Not a model's judgement"),
            "{r}"
        );
        assert_eq!(
            r["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "Bedrock-AgentCore/Evaluations"
        );
    }
    let names: Vec<&str> = got
        .iter()
        .map(|r| attr(r, "gen_ai.evaluation.name").as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "helpfulness",
            "Builtin.Correctness",
            "helpfulness",
            "Builtin.Correctness",
            "helpfulness",
            "Builtin.Correctness"
        ]
    );
    // The judge scores on its own scale, labelled as the scale says.
    let score = attr(&got[0], "gen_ai.evaluation.score.value")
        .as_f64()
        .unwrap();
    assert!(
        (1.0..=5.0).contains(&score) && score.fract() == 0.0,
        "{score}"
    );
    assert_eq!(
        attr(&got[0], "gen_ai.evaluation.score.label"),
        &Value::String(format!("level {score}"))
    );
    // The built-in scores from 0 to 1.
    let builtin = attr(&got[1], "gen_ai.evaluation.score.value")
        .as_f64()
        .unwrap();
    assert!((0.0..=1.0).contains(&builtin), "{builtin}");
    // The same exchange gets the same score; each invoke is its own trace.
    for k in [
        "gen_ai.evaluation.score.value",
        "gen_ai.evaluation.score.label",
    ] {
        assert_eq!(attr(&got[0], k), attr(&got[4], k));
        assert_eq!(attr(&got[1], k), attr(&got[5], k));
    }
    assert_ne!(got[0]["traceId"], got[4]["traceId"]);
    assert!(
        attr(&got[2], "gen_ai.evaluation.explanation")
            .as_str()
            .unwrap()
            .contains("reset my password")
    );

    // Disabled, the config evaluates nothing more.
    client!(aws_sdk_bedrockagentcorecontrol, emu)
        .update_online_evaluation_config()
        .online_evaluation_config_id(&oid)
        .execution_status(cp::OnlineEvaluationExecutionStatus::Disabled)
        .send()
        .await
        .unwrap();
    invoke(&emu, &arn, "anyone there?").await;
    assert_eq!(records(&emu, &results, None).await.len(), 6);
    emu.shutdown().await;
}

#[tokio::test]
async fn output_config_chooses_the_source_group_or_a_custom_one_and_reads_take_faults() {
    let emu = start("op=FilterLogEvents:deny=1.0").await;
    let source = cp::OutputConfig::builder()
        .cloud_watch_config(
            cp::CloudWatchOutputConfig::builder()
                .result_destination(cp::ResultDestination::SourceLogGroup)
                .build(),
        )
        .build();
    let (arn, group, _) = deployed(&emu, Some(source)).await.unwrap();
    invoke(&emu, &arn, "hello").await;
    let logs = client!(aws_sdk_cloudwatchlogs, emu);
    let e = logs
        .filter_log_events()
        .log_group_name(&group)
        .send()
        .await
        .unwrap_err();
    assert_code(&e, "AccessDeniedException");
    emu.shutdown().await;

    let emu = start("").await;
    let source = cp::OutputConfig::builder()
        .cloud_watch_config(
            cp::CloudWatchOutputConfig::builder()
                .result_destination(cp::ResultDestination::SourceLogGroup)
                .build(),
        )
        .build();
    let (arn, group, _) = deployed(&emu, Some(source)).await.unwrap();
    invoke(&emu, &arn, "hello").await;
    let results = records(&emu, &group, Some("\"gen_ai.evaluation.result\"")).await;
    assert_eq!(results.len(), 2, "{results:#?}");
    assert_eq!(
        records(&emu, &group, None).await.len(),
        4,
        "request, response, two results"
    );
    emu.shutdown().await;

    let emu = start("").await;
    let custom = |g: &str, dest: cp::ResultDestination| {
        cp::OutputConfig::builder()
            .cloud_watch_config(
                cp::CloudWatchOutputConfig::builder()
                    .log_group_name(g)
                    .result_destination(dest)
                    .build(),
            )
            .build()
    };
    let (arn, group, judge) = runtime_and_judge(&emu).await;
    for (g, dest) in [
        ("/support/evals", cp::ResultDestination::SourceLogGroup),
        (
            "/aws/bedrock-agentcore/evaluations/results/mine",
            cp::ResultDestination::DedicatedLogGroup,
        ),
    ] {
        let e = config(&emu, &group, &judge, Some(custom(g, dest)))
            .await
            .unwrap_err();
        assert!(
            e.contains("ValidationException") && e.contains("logGroupName"),
            "{e}"
        );
    }
    config(
        &emu,
        &group,
        &judge,
        Some(custom(
            "/support/evals",
            cp::ResultDestination::DedicatedLogGroup,
        )),
    )
    .await
    .unwrap();
    invoke(&emu, &arn, "hello").await;
    assert_eq!(records(&emu, "/support/evals", None).await.len(), 2);
    emu.shutdown().await;
}
