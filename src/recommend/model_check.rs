//! A recommendation request held against StartRecommendation's model, with the machinery of
//! [`crate::derive::model_check`], so a value AWS would refuse is named before any call.

use serde_json::{Value, json};

use super::request::{self, Input, StartRequest};
use crate::derive::model_check::{
    Checks, REC_DESCRIPTION, REC_EVALUATORS, REC_KMS_KEY, REC_NAME, REC_PROMPT, REC_SP_LOG_GROUPS,
    REC_SP_SERVICES, REC_TAGS, REC_TD_LOG_GROUPS, REC_TD_SERVICES, REC_TOOL_NAME, REC_TOOL_TEXT,
    req,
};
use crate::diagnostic::Diagnostic;

/// Every check of `req` for a recommendation in `region`, errors first: the request's own,
/// then what the model adds. Nothing here calls AWS.
pub fn validate(
    r: &StartRequest,
    region: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Diagnostic> {
    let mut out = request::local_checks(r, region, now);
    crate::derive::model_check::merge(&mut out, start_recommendation(r));
    out.sort_by_key(|d| d.severity);
    out
}

/// A recommendation request against StartRecommendation, fields named as the request's own
/// checks name them.
pub fn start_recommendation(r: &StartRequest) -> Vec<Diagnostic> {
    let mut c = Checks::default();
    c.text(&req("name"), REC_NAME, "", &r.name);
    if let Some(d) = &r.description {
        c.text(&req("description"), REC_DESCRIPTION, "", d);
    }
    let (groups, services) = match &r.input {
        Input::SystemPrompt(text) => {
            if !text.trim().is_empty() {
                c.text(&req("systemPrompt"), REC_PROMPT, "", text);
            }
            let arns: Vec<String> = r
                .evaluators
                .iter()
                .filter_map(|e| request::evaluator_arn(e, "aws").ok())
                .collect();
            if !arns.is_empty() {
                let refs: Vec<Value> = arns.iter().map(|a| json!({"evaluatorArn": a})).collect();
                c.value(&req("evaluators"), REC_EVALUATORS, "", &json!(refs));
            }
            (REC_SP_LOG_GROUPS, REC_SP_SERVICES)
        }
        Input::Tools(tools) => {
            for t in tools.iter().filter(|t| !t.name.trim().is_empty()) {
                c.text(
                    &req(format!("tools.{}", t.name)),
                    REC_TOOL_NAME,
                    "",
                    &t.name,
                );
                if !t.description.trim().is_empty() {
                    c.text(
                        &req(format!("tools.{}", t.name)),
                        REC_TOOL_TEXT,
                        "",
                        &t.description,
                    );
                }
            }
            (REC_TD_LOG_GROUPS, REC_TD_SERVICES)
        }
    };
    let tr = &r.traces;
    if !tr.log_group_arns.is_empty() {
        c.value(&req("logGroupArns"), groups, "", &json!(tr.log_group_arns));
    }
    let names: Vec<&String> = tr
        .service_names
        .iter()
        .filter(|s| !s.trim().is_empty())
        .collect();
    if !names.is_empty() {
        c.value(&req("serviceNames"), services, "", &json!(names));
    }
    if let Some(k) = &r.kms_key_arn {
        c.text(&req("kmsKeyArn"), REC_KMS_KEY, "", k);
    }
    if !r.tags.is_empty() {
        c.size(&req("tags"), REC_TAGS, &json!(r.tags), None);
        for (k, v) in &r.tags {
            let field = format!("tags.{k}");
            c.text(
                &req(field.clone()).labelled(format!("key of {field}")),
                REC_TAGS,
                ".key",
                k,
            );
            c.text(&req(field), REC_TAGS, ".value", v);
        }
    }
    c.diagnostics()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommend::request::Traces;

    fn fields(d: &[Diagnostic]) -> Vec<&str> {
        d.iter().map(|d| d.field.as_str()).collect()
    }

    #[test]
    fn both_recommendation_types_are_the_model_s_enum_values() {
        let m = aws_models::model(aws_models::Service::Data);
        let shape = m.member_shape("StartRecommendation", "type").unwrap();
        assert!(!shape.enum_values.is_empty());
        for t in [
            request::RecType::SystemPrompt,
            request::RecType::ToolDescription,
        ] {
            let v = m.validate(shape, &json!(t.as_str()), "type");
            assert!(v.is_empty(), "{}: {v:?}", t.as_str());
        }
    }

    #[test]
    fn a_recommendation_request_is_held_to_start_recommendation() {
        use chrono::TimeZone;
        let r = StartRequest {
            name: "support_prompt_v2".into(),
            description: None,
            input: Input::SystemPrompt("p".repeat(20_001)),
            traces: Traces {
                log_group_arns: vec!["arn:aws:logs:us-east-1:111122223333:log-group:/a".into()],
                service_names: vec!["agent.DEFAULT".into()],
                start: chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
                end: chrono::Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap(),
            },
            evaluators: vec!["Builtin.Helpfulness".into(), "Builtin.Correctness".into()],
            tags: Default::default(),
            kms_key_arn: Some("arn:aws:kms:us-east-1:111122223333:key/abc".into()),
        };
        let d = start_recommendation(&r);
        assert_eq!(fields(&d), ["systemPrompt", "evaluators", "kmsKeyArn"]);
        assert!(d[0].message.contains("(20001 characters)"));
        assert!(
            d[1].hint
                .as_deref()
                .unwrap()
                .contains("at most 1 are allowed (it has 2)")
        );
        // The request's own checks keep theirs and add the model's.
        let all = validate(&r, "us-east-1", chrono::Utc::now());
        assert_eq!(fields(&all), ["systemPrompt", "evaluators", "kmsKeyArn"]);
    }
}
