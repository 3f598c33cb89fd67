//! The demo world: account 111122223333 in us-east-1, the six keys DESIGN.md lists, and
//! recommendations in every state (one sealed under a key that has since been disabled).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use sha2::Digest;

use crate::cloudtrail::{self, Call};
use crate::kms;
use crate::recommendations::{CONTEXT_KEY, seal};
use crate::world::{
    Actor, Alias, Ctx, DEFAULT_ACCOUNT, DEPLOYER_ROLE, Key, Recommendation, SERVICE_PRINCIPAL,
    Stored, WorldState,
};

pub const REGION: &str = "us-east-1";
pub const OTHER_REGION: &str = "us-west-2";

/// Key ids of the demo world, for tests and docs.
pub mod keys {
    pub const CORRECT: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
    pub const NO_SERVICE_PRINCIPAL: &str = "2b3c4d5e-23bc-45de-67f0-234567890abc";
    pub const DISABLED: &str = "3c4d5e6f-34cd-56ef-7801-345678901bcd";
    pub const PENDING_DELETION: &str = "4d5e6f70-45de-67f0-8912-456789012cde";
    pub const RSA_SIGNING: &str = "5e6f7081-56ef-7801-9a23-567890123def";
    pub const OTHER_REGION: &str = "6f708192-67f0-8912-ab34-678901234ef0";
}

/// Seed 000's key policy for `role`: AllowCallerAccess, AllowCallerCryptoOps and, when
/// `with_service`, AllowServicePrincipalAccess.
pub fn recommendation_key_policy(
    account: &str,
    region: &str,
    role: &str,
    with_service: bool,
) -> String {
    let role_arn = format!("arn:aws:iam::{account}:role/{role}");
    let recs = format!("arn:aws:bedrock-agentcore:{region}:{account}:recommendation/*");
    let mut statements = vec![
        json!({
            "Sid": "AllowCallerAccess",
            "Effect": "Allow",
            "Principal": {"AWS": role_arn},
            "Action": "kms:DescribeKey",
            "Resource": "*"
        }),
        json!({
            "Sid": "AllowCallerCryptoOps",
            "Effect": "Allow",
            "Principal": {"AWS": role_arn},
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": "*",
            "Condition": {"StringLike": {format!("kms:EncryptionContext:{CONTEXT_KEY}"): recs}}
        }),
    ];
    if with_service {
        statements.push(json!({
            "Sid": "AllowServicePrincipalAccess",
            "Effect": "Allow",
            "Principal": {"Service": SERVICE_PRINCIPAL},
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": recs}
            }
        }));
    }
    serde_json::to_string_pretty(&json!({"Version": "2012-10-17", "Statement": statements}))
        .expect("static JSON")
}

fn material(id: &str) -> Vec<u8> {
    sha2::Sha256::digest(format!("agentcore-emulator demo key {id}").as_bytes()).to_vec()
}

fn day(n: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z")
        .expect("literal date")
        .with_timezone(&Utc)
        + Duration::days(n)
}

pub fn build(now: DateTime<Utc>) -> WorldState {
    let account = DEFAULT_ACCOUNT;
    let mut w = WorldState::empty(account);
    let full = recommendation_key_policy(account, REGION, DEPLOYER_ROLE, true);
    let mut add = |id: &str,
                   region: &str,
                   alias: &str,
                   desc: &str,
                   spec: &str,
                   usage: &str,
                   policy: String,
                   created: DateTime<Utc>| {
        let mut k = Key::new(
            id.to_string(),
            region,
            account,
            created,
            spec,
            usage,
            policy,
            material(id),
        );
        k.description = desc.to_string();
        w.keys.insert(id.to_string(), k);
        w.aliases.push(Alias {
            name: alias.to_string(),
            region: region.to_string(),
            account: account.to_string(),
            target_key_id: id.to_string(),
            creation_date: created,
            last_updated: created,
        });
    };
    add(
        keys::CORRECT,
        REGION,
        "alias/agentcore-recommendations",
        "AgentCore recommendations (seed 000 policy)",
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        full.clone(),
        day(0),
    );
    add(
        keys::NO_SERVICE_PRINCIPAL,
        REGION,
        "alias/agentcore-no-service-principal",
        "Policy lacks AllowServicePrincipalAccess",
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        recommendation_key_policy(account, REGION, DEPLOYER_ROLE, false),
        day(1),
    );
    add(
        keys::DISABLED,
        REGION,
        "alias/agentcore-disabled",
        "Disabled after use",
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        full.clone(),
        day(2),
    );
    add(
        keys::PENDING_DELETION,
        REGION,
        "alias/agentcore-retiring",
        "Scheduled for deletion",
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        full.clone(),
        day(3),
    );
    add(
        keys::RSA_SIGNING,
        REGION,
        "alias/release-signing",
        "RSA signing key",
        "RSA_2048",
        "SIGN_VERIFY",
        kms::default_policy(account),
        day(4),
    );
    add(
        keys::OTHER_REGION,
        OTHER_REGION,
        "alias/agentcore-recommendations",
        "Same setup in us-west-2",
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        recommendation_key_policy(account, OTHER_REGION, DEPLOYER_ROLE, true),
        day(5),
    );

    let key_arn = |id: &str| format!("arn:aws:kms:{REGION}:{account}:key/{id}");
    let start = now - Duration::hours(6);
    let recs: [(&str, &str, &str, Option<&str>, Value); 7] = [
        (
            "support_agent_prompt",
            "SYSTEM_PROMPT_RECOMMENDATION",
            "COMPLETED",
            Some(keys::CORRECT),
            prompt_config(
                "You are a support agent for Example Corp. Help customers with orders and returns.",
            ),
        ),
        (
            "billing_tool_descriptions",
            "TOOL_DESCRIPTION_RECOMMENDATION",
            "COMPLETED",
            None,
            tool_config(),
        ),
        (
            "onboarding_prompt",
            "SYSTEM_PROMPT_RECOMMENDATION",
            "IN_PROGRESS",
            Some(keys::CORRECT),
            prompt_config("You guide new employees through their first week."),
        ),
        (
            "triage_prompt",
            "SYSTEM_PROMPT_RECOMMENDATION",
            "PENDING",
            None,
            prompt_config("You triage incoming tickets by urgency."),
        ),
        (
            "legacy_prompt",
            "SYSTEM_PROMPT_RECOMMENDATION",
            "FAILED",
            Some(keys::NO_SERVICE_PRINCIPAL),
            prompt_config("You answer questions about the legacy billing system."),
        ),
        (
            "archived_prompt",
            "SYSTEM_PROMPT_RECOMMENDATION",
            "DELETING",
            None,
            prompt_config("You summarise meeting notes."),
        ),
        (
            "disabled_key_prompt",
            "SYSTEM_PROMPT_RECOMMENDATION",
            "COMPLETED",
            Some(keys::DISABLED),
            prompt_config("You help analysts write SQL against the sales warehouse."),
        ),
    ];
    for (i, (name, rtype, status, key, config)) in recs.into_iter().enumerate() {
        let created = start + Duration::minutes(20 * i as i64);
        let id = format!("{name}-{}", w.next_suffix(10, true));
        let arn = format!("arn:aws:bedrock-agentcore:{REGION}:{account}:recommendation/{id}");
        let ec = BTreeMap::from([(CONTEXT_KEY.to_string(), arn.clone())]);
        let ctx = Ctx {
            region: REGION.into(),
            now: created,
            access_key: "local".into(),
            request_id: w.next_uuid(),
            user_agent: "agentcore-tui".into(),
            fail: false,
        };
        let finished = created + Duration::minutes(4);
        let result = match status {
            "COMPLETED" => Some(crate::advisor::recommend(rtype, &config)),
            "FAILED" => Some(json!({"systemPromptRecommendationResult": {
                "errorCode": "KMS_ACCESS_DENIED",
                "errorMessage": format!("The key policy of {} does not allow the service principal {SERVICE_PRINCIPAL} to call kms:Decrypt (scoped by aws:SourceAccount and aws:SourceArn). Add the AllowServicePrincipalAccess statement.", key_arn(keys::NO_SERVICE_PRINCIPAL)),
            }})),
            _ => None,
        };
        let (stored_config, stored_result) = match key {
            Some(kid) => {
                let k = w.keys[kid].clone();
                let call =
                    |name: &'static str, actor: Actor, error: Option<(String, String)>| Call {
                        event_name: name,
                        actor,
                        key_arn: Some(k.arn.clone()),
                        encryption_context: if name == "DescribeKey" {
                            BTreeMap::new()
                        } else {
                            ec.clone()
                        },
                        request_parameters: json!({"keyId": k.arn}),
                        error,
                        source_arn: (actor == Actor::Service).then(|| arn.clone()),
                    };
                cloudtrail::record_at(
                    &mut w,
                    &ctx,
                    created,
                    call("DescribeKey", Actor::CallerViaService, None),
                );
                cloudtrail::record_at(
                    &mut w,
                    &ctx,
                    created,
                    call("GenerateDataKey", Actor::CallerViaService, None),
                );
                let sealed_result = match status {
                    "COMPLETED" => {
                        cloudtrail::record_at(
                            &mut w,
                            &ctx,
                            created + Duration::minutes(1),
                            call("Decrypt", Actor::Service, None),
                        );
                        cloudtrail::record_at(
                            &mut w,
                            &ctx,
                            finished,
                            call("GenerateDataKey", Actor::Service, None),
                        );
                        result.as_ref().map(|r| seal(&k, &ec, r))
                    }
                    "IN_PROGRESS" => {
                        cloudtrail::record_at(
                            &mut w,
                            &ctx,
                            created + Duration::minutes(1),
                            call("Decrypt", Actor::Service, None),
                        );
                        None
                    }
                    "FAILED" => {
                        let denied = (
                            "AccessDeniedException".to_string(),
                            format!("{SERVICE_PRINCIPAL} is not authorized to perform kms:Decrypt"),
                        );
                        cloudtrail::record_at(
                            &mut w,
                            &ctx,
                            created + Duration::minutes(1),
                            call("Decrypt", Actor::Service, Some(denied)),
                        );
                        result.clone().map(Stored::plain)
                    }
                    _ => None,
                };
                (seal(&k, &ec, &config), sealed_result)
            }
            None => (
                Stored::plain(config.clone()),
                result.clone().map(Stored::plain),
            ),
        };
        // Demo recommendations that are still moving finish while someone watches the demo.
        let next_at = match status {
            "PENDING" => Some(now + Duration::minutes(2)),
            "IN_PROGRESS" => Some(now + Duration::minutes(5)),
            "DELETING" => Some(now + Duration::minutes(10)),
            _ => None,
        };
        w.insert_recommendation(Recommendation {
            id,
            arn,
            region: REGION.into(),
            name: name.into(),
            description: Some(format!("Demo recommendation ({})", status.to_lowercase())),
            rtype: rtype.into(),
            status: status.into(),
            created_at: created,
            updated_at: if matches!(status, "COMPLETED" | "FAILED") {
                finished
            } else {
                created
            },
            kms_key_arn: key.map(key_arn),
            config: stored_config,
            result: stored_result,
            client_token: None,
            request_digest: String::new(),
            tags: BTreeMap::new(),
            next_at,
            inject_failure: false,
        });
    }
    // Key states are set last: the disabled key sealed its recommendation while still enabled.
    if let Some(k) = w.keys.get_mut(keys::DISABLED) {
        k.key_state = "Disabled".into();
    }
    if let Some(k) = w.keys.get_mut(keys::PENDING_DELETION) {
        k.key_state = "PendingDeletion".into();
        k.deletion_date = Some(now + Duration::days(27));
        k.pending_window_days = Some(30);
    }
    w
}

fn prompt_config(text: &str) -> Value {
    json!({"systemPromptRecommendationConfig": {
        "systemPrompt": {"text": text},
        "agentTraces": {"cloudwatchLogs": {
            "logGroupArns": [format!("arn:aws:logs:{REGION}:{DEFAULT_ACCOUNT}:log-group:/aws/bedrock-agentcore/sessions/demo-agent")],
            "serviceNames": ["demo-agent.DEFAULT"],
            "startTime": "2026-01-01T00:00:00Z",
            "endTime": "2026-01-02T00:00:00Z"
        }},
        "evaluationConfig": {"evaluators": [{"evaluatorArn": "arn:aws:bedrock-agentcore:::evaluator/Builtin.Helpfulness"}]}
    }})
}

fn tool_config() -> Value {
    json!({"toolDescriptionRecommendationConfig": {
        "toolDescription": {"toolDescriptionText": {"tools": [
            {"toolName": "lookup_invoice", "toolDescription": {"text": "finds an invoice"}},
            {"toolName": "issueRefund", "toolDescription": {"text": "refund"}}
        ]}},
        "agentTraces": {"sessionSpans": [{"traceId": "demo-trace-1"}]}
    }})
}

/// How many recommendations `--local` (and `emulator` without `--recommendations`) seeds into a
/// new world.
pub const RECOMMENDATIONS_ENV: &str = "AGENTCORE_EMULATOR_RECOMMENDATIONS";

/// The seeding count from the environment; unset is none.
pub fn recommendations_from_env() -> Result<usize, String> {
    match std::env::var(RECOMMENDATIONS_ENV) {
        Ok(v) => v.trim().parse::<usize>().ok().filter(|n| *n <= MAX_SEEDED).ok_or_else(|| {
            format!(
                "{RECOMMENDATIONS_ENV}={:?} is not a number of recommendations from 0 to {MAX_SEEDED}",
                v.chars().take(40).collect::<String>()
            )
        }),
        Err(_) => Ok(0),
    }
}

/// Enough for any scale run, and a bound on what a typo can make the emulator hold.
pub const MAX_SEEDED: usize = 1_000_000;

/// `n` more recommendations, for scale runs: teams, types, statuses and dates spread as a busy
/// account's are, and the same for the same world and `n` (ids come from the world's counter).
/// They are not encrypted: what scale costs is their number, not their key.
pub fn seed_recommendations(w: &mut WorldState, n: usize, now: DateTime<Utc>) {
    const TEAMS: [&str; 8] = [
        "support",
        "billing",
        "sales",
        "onboarding",
        "search",
        "triage",
        "legal",
        "ops",
    ];
    let account = w.account.clone();
    for i in 0..n {
        let team = TEAMS[i % TEAMS.len()];
        let tools = i % 5 == 4;
        let (rtype, config, kind) = if tools {
            ("TOOL_DESCRIPTION_RECOMMENDATION", tool_config(), "tools")
        } else {
            (
                "SYSTEM_PROMPT_RECOMMENDATION",
                prompt_config(&format!(
                    "You are the {team} assistant (revision {i}). Answer briefly and cite the policy you used."
                )),
                "prompt",
            )
        };
        // Mostly finished, as in a real account; one in ten still moving or failed.
        let status = match i % 20 {
            0 => "FAILED",
            1 => "IN_PROGRESS",
            2 => "PENDING",
            _ => "COMPLETED",
        };
        let name = format!("{team}_{kind}_{i:05}");
        let id = format!("{name}-{}", w.next_suffix(10, true));
        let arn = format!("arn:aws:bedrock-agentcore:{REGION}:{account}:recommendation/{id}");
        // Oldest first, seven minutes apart, the newest a few minutes ago.
        let created = now - Duration::minutes(7 * (n - i) as i64);
        let result = match status {
            "COMPLETED" => Some(crate::advisor::recommend(rtype, &config)),
            "FAILED" => Some(json!({"systemPromptRecommendationResult": {
                "errorCode": "INSUFFICIENT_TRACES",
                "errorMessage": "Too few traces in the window to recommend a change; widen the time range.",
            }})),
            _ => None,
        };
        let next_at = match status {
            "PENDING" => Some(now + Duration::minutes(2)),
            "IN_PROGRESS" => Some(now + Duration::minutes(5)),
            _ => None,
        };
        w.insert_recommendation(Recommendation {
            id,
            arn,
            region: REGION.into(),
            name,
            description: Some(format!("{team} {kind} recommendation")),
            rtype: rtype.into(),
            status: status.into(),
            created_at: created,
            updated_at: if result.is_some() {
                created + Duration::minutes(4)
            } else {
                created
            },
            kms_key_arn: None,
            config: Stored::plain(config),
            result: result.map(Stored::plain),
            client_token: None,
            request_digest: String::new(),
            tags: BTreeMap::new(),
            next_at,
            inject_failure: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_world_is_deterministic_and_complete() {
        let now = Utc::now();
        let (a, b) = (build(now), build(now));
        let ids = |w: &WorldState| {
            w.recommendations()
                .values()
                .map(|r| (r.id.clone(), r.name.clone(), r.status.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(
            a.keys.keys().collect::<Vec<_>>(),
            b.keys.keys().collect::<Vec<_>>()
        );
        let statuses: std::collections::BTreeSet<&str> = a
            .recommendations()
            .values()
            .map(|r| r.status.as_str())
            .collect();
        assert_eq!(
            statuses.into_iter().collect::<Vec<_>>(),
            ["COMPLETED", "DELETING", "FAILED", "IN_PROGRESS", "PENDING"]
        );
        let states: Vec<(&str, &str, &str)> = a
            .keys
            .values()
            .map(|k| (k.region.as_str(), k.key_spec.as_str(), k.key_state.as_str()))
            .collect();
        assert_eq!(states.len(), 6);
        assert!(states.contains(&("us-west-2", "SYMMETRIC_DEFAULT", "Enabled")));
        assert!(states.contains(&("us-east-1", "RSA_2048", "Enabled")));
        assert!(states.contains(&("us-east-1", "SYMMETRIC_DEFAULT", "Disabled")));
        assert!(states.contains(&("us-east-1", "SYMMETRIC_DEFAULT", "PendingDeletion")));
        let sealed_under_disabled = a
            .recommendations()
            .values()
            .find(|r| r.name == "disabled_key_prompt")
            .unwrap();
        assert!(matches!(
            sealed_under_disabled.config,
            Stored::Envelope { .. }
        ));
        assert!(
            sealed_under_disabled
                .kms_key_arn
                .as_deref()
                .unwrap()
                .ends_with(keys::DISABLED)
        );
    }

    #[test]
    fn seeding_is_deterministic_spread_and_on_the_model() {
        let now = Utc::now();
        let seeded = |n| {
            let mut w = build(now);
            seed_recommendations(&mut w, n, now);
            w
        };
        let (a, b) = (seeded(200), seeded(200));
        let view = |w: &WorldState| -> Vec<(String, String, String, String)> {
            w.recommendations_after(None)
                .map(|r| {
                    (
                        r.id.clone(),
                        r.name.clone(),
                        r.rtype.clone(),
                        r.status.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(view(&a), view(&b));
        assert_eq!(a.recommendations().len(), 7 + 200);
        let statuses: std::collections::BTreeSet<&str> = a
            .recommendations()
            .values()
            .map(|r| r.status.as_str())
            .collect();
        assert!(statuses.len() >= 4, "{statuses:?}");
        let id = aws_models::model(aws_models::Service::Data)
            .shape("RecommendationId")
            .unwrap();
        for r in a.recommendations().values() {
            let v = aws_models::model(aws_models::Service::Data).validate(id, &json!(r.id), "id");
            assert!(v.is_empty(), "{}: {v:?}", r.id);
        }
        // List order: oldest first, so the seeded ones (older than the demo's) come first.
        let created: Vec<_> = a
            .recommendations_after(None)
            .map(|r| r.created_at)
            .collect();
        assert!(created.windows(2).all(|w| w[0] <= w[1]));
    }
}
