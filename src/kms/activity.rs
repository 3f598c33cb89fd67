//! KMS activity for recommendations (seed 000's CloudTrail events): GenerateDataKey, Decrypt and
//! DescribeKey, with principal and encryption context, optionally for one recommendation.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::aws::{self, ErrorContext};

pub const EVENT_NAMES: [&str; 3] = ["GenerateDataKey", "Decrypt", "DescribeKey"];
const CONTEXT_KEY: &str = "aws:bedrock-agentcore:recommendationArn";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KmsEvent {
    pub time: DateTime<Utc>,
    pub name: String,
    /// The caller's ARN, or the service (`bedrock-agentcore.amazonaws.com`) for service calls.
    pub principal: String,
    /// Set when the call was made through a service on the caller's behalf.
    pub invoked_by: Option<String>,
    pub key_arn: Option<String>,
    pub encryption_context: BTreeMap<String, String>,
    /// The recommendation concerned, from the encryption context or the source ARN.
    pub recommendation_arn: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

impl KmsEvent {
    /// `id_or_arn` is a recommendation id (`rec-…`) or ARN.
    pub fn concerns(&self, id_or_arn: &str) -> bool {
        self.recommendation_arn
            .as_deref()
            .is_some_and(|a| a == id_or_arn || crate::arn::resource_id(a) == id_or_arn)
    }
}

/// One CloudTrail record (the `CloudTrailEvent` JSON) as a [`KmsEvent`]; `None` if it is not one
/// of the three KMS events.
pub fn parse_record(record: &str) -> Option<KmsEvent> {
    let v: Value = serde_json::from_str(record).ok()?;
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let name = s("/eventName")?;
    if !EVENT_NAMES.contains(&name.as_str())
        || s("/eventSource").as_deref() != Some("kms.amazonaws.com")
    {
        return None;
    }
    let time = s("/eventTime")
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())?
        .with_timezone(&Utc);
    let encryption_context: BTreeMap<String, String> = v
        .pointer("/requestParameters/encryptionContext")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let invoked_by = s("/userIdentity/invokedBy");
    let principal = s("/userIdentity/arn")
        .or_else(|| invoked_by.clone())
        .unwrap_or_else(|| "unknown".into());
    let invoked_by = invoked_by.filter(|i| *i != principal);
    let key_arn = v
        .pointer("/resources")
        .and_then(Value::as_array)
        .and_then(|r| r.iter().find_map(|r| r.get("ARN").and_then(Value::as_str)))
        .map(str::to_owned)
        .or_else(|| s("/requestParameters/keyId"));
    let recommendation_arn = encryption_context
        .get(CONTEXT_KEY)
        .cloned()
        .or_else(|| s("/additionalEventData/sourceArn"));
    Some(KmsEvent {
        time,
        name,
        principal,
        invoked_by,
        key_arn,
        encryption_context,
        recommendation_arn,
        error_code: s("/errorCode"),
        error_message: s("/errorMessage"),
    })
}

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub recommendation: Option<String>,
    pub since: Option<DateTime<Utc>>,
    /// Stop after this many matching events (newest first). 0 = 200.
    pub max: usize,
}

/// Newest first, as CloudTrail answers.
pub async fn lookup(
    ct: &aws_sdk_cloudtrail::Client,
    filter: &ActivityFilter,
    ctx: &ErrorContext,
) -> Result<Vec<KmsEvent>, aws::Error> {
    use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
    let max = if filter.max == 0 { 200 } else { filter.max };
    let attr = LookupAttribute::builder()
        .attribute_key(LookupAttributeKey::EventSource)
        .attribute_value("kms.amazonaws.com")
        .build()
        .expect("key and value are set");
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    // CloudTrail pages hold at most 50 events; bound the scan so a busy account stays responsive.
    for _ in 0..40 {
        let resp = ct
            .lookup_events()
            .lookup_attributes(attr.clone())
            .set_start_time(
                filter
                    .since
                    .map(|t| aws_smithy_types::DateTime::from_millis(t.timestamp_millis())),
            )
            .max_results(50)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| aws::Error::from_sdk("cloudtrail", "LookupEvents", &e, ctx))?;
        for e in resp.events() {
            let Some(ev) = e.cloud_trail_event().and_then(parse_record) else {
                continue;
            };
            if filter
                .recommendation
                .as_deref()
                .is_none_or(|r| ev.concerns(r))
            {
                out.push(ev);
                if out.len() >= max {
                    return Ok(out);
                }
            }
        }
        token = resp
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

pub async fn lookup_with(
    clients: &aws::Clients,
    filter: &ActivityFilter,
) -> Result<Vec<KmsEvent>, aws::Error> {
    let ct = aws_sdk_cloudtrail::Client::new(clients.sdk_config());
    lookup(&ct, filter, &clients.error_context()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_generate_data_key_record() {
        let rec = r#"{"eventVersion":"1.11","userIdentity":{"type":"AWSService","invokedBy":"bedrock-agentcore.amazonaws.com"},
          "eventTime":"2026-01-01T10:00:00Z","eventSource":"kms.amazonaws.com","eventName":"GenerateDataKey","awsRegion":"us-east-1",
          "requestParameters":{"keyId":"arn:aws:kms:us-east-1:111122223333:key/k1","keySpec":"AES_256",
            "encryptionContext":{"aws:bedrock-agentcore:recommendationArn":"arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/rec-1"}},
          "resources":[{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:111122223333:key/k1"}]}"#;
        let e = parse_record(rec).unwrap();
        assert_eq!(e.name, "GenerateDataKey");
        assert_eq!(e.principal, "bedrock-agentcore.amazonaws.com");
        assert_eq!(e.invoked_by, None);
        assert_eq!(
            e.key_arn.as_deref(),
            Some("arn:aws:kms:us-east-1:111122223333:key/k1")
        );
        assert!(
            e.concerns("rec-1")
                && e.concerns(
                    "arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/rec-1"
                )
        );
        assert!(!e.concerns("rec-2"));
    }

    #[test]
    fn caller_decrypt_failure_and_other_events() {
        let rec = r#"{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/R/s","invokedBy":"bedrock-agentcore.amazonaws.com"},
          "eventTime":"2026-01-01T10:00:00Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt","requestParameters":{},
          "errorCode":"DisabledException","errorMessage":"key is disabled"}"#;
        let e = parse_record(rec).unwrap();
        assert_eq!(e.principal, "arn:aws:sts::111122223333:assumed-role/R/s");
        assert_eq!(
            e.invoked_by.as_deref(),
            Some("bedrock-agentcore.amazonaws.com")
        );
        assert_eq!(e.error_code.as_deref(), Some("DisabledException"));
        assert!(e.recommendation_arn.is_none());
        let other = rec.replace("\"Decrypt\"", "\"CreateKey\"");
        assert!(parse_record(&other).is_none());
    }
}
