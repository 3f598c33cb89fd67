//! Recommendations, with seed 000's behaviour table for customer managed keys.

use std::collections::HashSet;

use agentcore_emulator::demo::{self, keys};
use agentcore_emulator::{Config, Timing};
use aws_sdk_bedrockagentcore::types as dp;

use crate::common::{
    assert_code, assert_message, client, code, key_arn, prompt_config, start, start_rec, start_with,
};

#[tokio::test]
async fn seed_000_start_checks_the_key() {
    let emu = start().await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let ok = start_rec!(
        dpc,
        "enabled_key",
        Some(key_arn("us-east-1", keys::CORRECT))
    )
    .unwrap();
    assert_eq!(ok.status(), &dp::RecommendationStatus::Pending);
    assert!(
        ok.recommendation_arn()
            .starts_with("arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/")
    );
    for (name, key, why) in [
        (
            "disabled_key",
            key_arn("us-east-1", keys::DISABLED),
            "disabled",
        ),
        (
            "pending_key",
            key_arn("us-east-1", keys::PENDING_DELETION),
            "pending deletion",
        ),
        (
            "asymmetric_key",
            key_arn("us-east-1", keys::RSA_SIGNING),
            "symmetric",
        ),
        (
            "other_region_key",
            key_arn("us-west-2", keys::OTHER_REGION),
            "same AWS Region",
        ),
        (
            "missing_key",
            key_arn("us-east-1", "99999999-9999-9999-9999-999999999999"),
            "does not exist",
        ),
    ] {
        let e = start_rec!(dpc, name, Some(key)).unwrap_err();
        let se = e
            .as_service_error()
            .unwrap_or_else(|| panic!("{name}: {e:?}"));
        assert!(se.is_validation_exception(), "{name}: {se:?}");
        assert!(
            se.meta().message().unwrap().contains(why),
            "{name}: {:?}",
            se.meta().message()
        );
    }
    // Nothing was created for the refused requests.
    let names: Vec<String> = dpc
        .list_recommendations()
        .max_results(100)
        .send()
        .await
        .unwrap()
        .recommendation_summaries()
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    assert!(
        names.contains(&"enabled_key".to_string())
            && !names
                .iter()
                .any(|n| n.ends_with("_key") && n != "enabled_key")
    );
}

#[tokio::test]
async fn seed_000_workflow_encrypts_and_get_decrypts() {
    let emu = start().await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let trail = client!(aws_sdk_cloudtrail, emu);
    let started = start_rec!(dpc, "encrypted", Some(key_arn("us-east-1", keys::CORRECT))).unwrap();
    let rid = started.recommendation_id().to_string();
    let got = dpc
        .get_recommendation()
        .recommendation_id(&rid)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), &dp::RecommendationStatus::Completed);
    assert_eq!(
        got.kms_key_arn(),
        Some(key_arn("us-east-1", keys::CORRECT).as_str())
    );
    let Some(dp::RecommendationConfig::SystemPromptRecommendationConfig(cfg)) =
        got.recommendation_config()
    else {
        panic!("config")
    };
    assert_eq!(
        cfg.system_prompt(),
        Some(&dp::SystemPromptConfig::Text(
            "You are a helpful assistant.".into()
        ))
    );
    let Some(dp::RecommendationResult::SystemPromptRecommendationResult(res)) =
        got.recommendation_result()
    else {
        panic!("result")
    };
    let prompt = res.recommended_system_prompt().unwrap();
    assert!(
        prompt.starts_with("You are a helpful assistant.") && prompt.len() > 60,
        "{prompt}"
    );
    assert!(res.explanation().unwrap().contains("Helpfulness"));

    // CloudTrail: DescribeKey + GenerateDataKey by the caller, Decrypt + GenerateDataKey by the service.
    let events = trail.lookup_events().max_results(50).send().await.unwrap();
    let mine: Vec<serde_json::Value> = events
        .events()
        .iter()
        .map(|e| serde_json::from_str::<serde_json::Value>(e.cloud_trail_event().unwrap()).unwrap())
        .filter(|r| {
            r["requestParameters"]["encryptionContext"]["aws:bedrock-agentcore:recommendationArn"]
                == started.recommendation_arn()
                || (r["eventName"] == "DescribeKey"
                    && r["userIdentity"]["invokedBy"] == "bedrock-agentcore.amazonaws.com")
        })
        .collect();
    let by = |name: &str, service: bool| {
        mine.iter().any(|r| {
            r["eventName"] == name
                && (r["userIdentity"]["type"] == "AWSService") == service
                && r["errorCode"].is_null()
        })
    };
    assert!(
        by("DescribeKey", false)
            && by("GenerateDataKey", false)
            && by("Decrypt", true)
            && by("GenerateDataKey", true)
            && by("Decrypt", false),
        "{mine:#?}"
    );

    // Once the key is disabled: Get fails, List and Delete still work and log no KMS use.
    let kms = client!(aws_sdk_kms, emu);
    kms.disable_key()
        .key_id(keys::CORRECT)
        .send()
        .await
        .unwrap();
    let e = dpc
        .get_recommendation()
        .recommendation_id(&rid)
        .send()
        .await
        .unwrap_err();
    assert_code(&e, "ValidationException");
    assert_message(&e, "disabled");
    let rec_events = || {
        let trail = trail.clone();
        let arn = started.recommendation_arn().to_string();
        async move {
            let mut n = 0;
            let mut pages = trail
                .lookup_events()
                .max_results(50)
                .into_paginator()
                .send();
            while let Some(p) = pages.next().await {
                n += p
                    .unwrap()
                    .events()
                    .iter()
                    .filter(|e| e.cloud_trail_event().unwrap().contains(&arn))
                    .count();
            }
            n
        }
    };
    let before = rec_events().await;
    assert!(before >= 5);
    let listed = dpc
        .list_recommendations()
        .max_results(100)
        .send()
        .await
        .unwrap();
    assert!(
        listed
            .recommendation_summaries()
            .iter()
            .any(|s| s.recommendation_id() == rid)
    );
    let del = dpc
        .delete_recommendation()
        .recommendation_id(&rid)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), &dp::RecommendationStatus::Deleting);
    assert_eq!(rec_events().await, before, "List and Delete touch no key");
    let gone = dpc
        .get_recommendation()
        .recommendation_id(&rid)
        .send()
        .await
        .unwrap_err();
    assert_code(&gone, "ResourceNotFoundException");
}

#[tokio::test]
async fn seed_000_get_list_delete_by_key_state() {
    let emu = start().await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let kms = client!(aws_sdk_kms, emu);
    let policy =
        demo::recommendation_key_policy("111122223333", "us-east-1", "AgentCoreDeployer", true);
    let mut recs = Vec::new();
    for state in ["enabled", "disabled", "pending"] {
        let key = kms
            .create_key()
            .policy(&policy)
            .bypass_policy_lockout_safety_check(true)
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap();
        let rec = start_rec!(
            dpc,
            format!("rec_{state}"),
            Some(key.arn().unwrap().to_string())
        )
        .unwrap();
        dpc.get_recommendation()
            .recommendation_id(rec.recommendation_id())
            .send()
            .await
            .unwrap();
        match state {
            "disabled" => {
                kms.disable_key().key_id(key.key_id()).send().await.unwrap();
            }
            "pending" => {
                kms.schedule_key_deletion()
                    .key_id(key.key_id())
                    .pending_window_in_days(7)
                    .send()
                    .await
                    .unwrap();
            }
            _ => {}
        }
        recs.push((state, rec.recommendation_id().to_string()));
    }
    for (state, id) in &recs {
        let get = dpc.get_recommendation().recommendation_id(id).send().await;
        match *state {
            "enabled" => assert_eq!(get.unwrap().status(), &dp::RecommendationStatus::Completed),
            _ => {
                let e = get.unwrap_err();
                assert!(
                    e.as_service_error().unwrap().is_validation_exception(),
                    "{state}: {e:?}"
                );
            }
        }
    }
    let listed: HashSet<String> = dpc
        .list_recommendations()
        .max_results(100)
        .send()
        .await
        .unwrap()
        .recommendation_summaries()
        .iter()
        .map(|s| s.recommendation_id().to_string())
        .collect();
    for (state, id) in &recs {
        assert!(listed.contains(id), "{state} listed");
        let del = dpc
            .delete_recommendation()
            .recommendation_id(id)
            .send()
            .await
            .unwrap();
        assert_eq!(
            del.status(),
            &dp::RecommendationStatus::Deleting,
            "{state} deleted"
        );
    }
    // The demo recommendation sealed under the now-disabled demo key behaves the same way.
    let demo_rec = dpc
        .list_recommendations()
        .max_results(100)
        .send()
        .await
        .unwrap();
    let disabled = demo_rec
        .recommendation_summaries()
        .iter()
        .find(|s| s.name() == "disabled_key_prompt")
        .unwrap();
    let e = dpc
        .get_recommendation()
        .recommendation_id(disabled.recommendation_id())
        .send()
        .await
        .unwrap_err();
    assert_code(&e, "ValidationException");
}

#[tokio::test]
async fn seed_000_service_principal_and_caller_permissions() {
    let emu = start().await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    // The key policy lacks the service principal: Start passes its caller checks, the workflow fails.
    let rec = start_rec!(
        dpc,
        "no_service",
        Some(key_arn("us-east-1", keys::NO_SERVICE_PRINCIPAL))
    )
    .unwrap();
    let got = dpc
        .get_recommendation()
        .recommendation_id(rec.recommendation_id())
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), &dp::RecommendationStatus::Failed);
    let Some(dp::RecommendationResult::SystemPromptRecommendationResult(r)) =
        got.recommendation_result()
    else {
        panic!()
    };
    assert!(
        r.error_message()
            .unwrap()
            .contains("bedrock-agentcore.amazonaws.com"),
        "{r:?}"
    );

    // A key whose policy does not name the caller: AccessDeniedException at Start.
    let kms = client!(aws_sdk_kms, emu);
    let sso_role = format!(
        "{}{}",
        agentcore_emulator::SSO_ROLE_PATH.trim_start_matches('/'),
        agentcore_emulator::SSO_ROLE
    );
    let other = demo::recommendation_key_policy("111122223333", "us-east-1", &sso_role, true);
    let key = kms
        .create_key()
        .policy(other)
        .bypass_policy_lockout_safety_check(true)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    let e = start_rec!(dpc, "denied", Some(key.arn().unwrap().to_string())).unwrap_err();
    assert_code(&e, "AccessDeniedException");
}

#[tokio::test]
async fn recommendations_list_filters_and_pages_and_validate_input() {
    let emu = start().await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let all = dpc
        .list_recommendations()
        .max_results(100)
        .send()
        .await
        .unwrap();
    let statuses: HashSet<String> = all
        .recommendation_summaries()
        .iter()
        .map(|s| s.status().as_str().to_string())
        .collect();
    for s in ["PENDING", "IN_PROGRESS", "COMPLETED", "FAILED", "DELETING"] {
        assert!(
            statuses.contains(s),
            "demo world has a {s} recommendation: {statuses:?}"
        );
    }
    let completed = dpc
        .list_recommendations()
        .status_filter(dp::RecommendationStatus::Completed)
        .send()
        .await
        .unwrap();
    assert!(
        completed
            .recommendation_summaries()
            .iter()
            .all(|s| s.status() == &dp::RecommendationStatus::Completed)
    );
    let mut ids = Vec::new();
    let mut pages = dpc
        .list_recommendations()
        .max_results(2)
        .into_paginator()
        .send();
    while let Some(p) = pages.next().await {
        ids.extend(
            p.unwrap()
                .recommendation_summaries()
                .iter()
                .map(|s| s.recommendation_id().to_string()),
        );
    }
    assert_eq!(ids.len(), all.recommendation_summaries().len());
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());

    let bad = dpc
        .start_recommendation()
        .name("mismatch")
        .r#type(dp::RecommendationType::ToolDescriptionRecommendation)
        .recommendation_config(prompt_config("x"))
        .send()
        .await
        .unwrap_err();
    assert_code(&bad, "ValidationException");
    let no_key = start_rec!(dpc, "plain", None::<String>).unwrap();
    let again = dpc
        .get_recommendation()
        .recommendation_id(no_key.recommendation_id())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), &dp::RecommendationStatus::Completed);
    assert_eq!(again.kms_key_arn(), None);
    let dup = start_rec!(dpc, "plain", None::<String>).unwrap_err();
    assert_code(&dup, "ConflictException");
}

#[tokio::test]
async fn cmk_data_is_really_encrypted_at_rest() {
    let dir = std::env::temp_dir().join(format!("agentcore-emu-rest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let _ = std::fs::remove_file(&path);
    let emu = start_with(Config {
        timing: Timing::instant(),
        state_file: Some(path.clone()),
        ..Default::default()
    })
    .await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let marker_secret = "ZEBRA-MARKER-SEALED";
    let marker_plain = "OKAPI-MARKER-PLAIN";
    let mk = |text: &str| {
        dpc.start_recommendation()
            .r#type(dp::RecommendationType::SystemPromptRecommendation)
            .recommendation_config(prompt_config(text))
    };
    mk(marker_secret)
        .name("sealed")
        .kms_key_arn(key_arn("us-east-1", keys::CORRECT))
        .send()
        .await
        .unwrap();
    mk(marker_plain).name("clear").send().await.unwrap();
    emu.shutdown().await;
    let raw = std::fs::read(&path).unwrap();
    let holds = |m: &str| raw.windows(m.len()).any(|w| w == m.as_bytes());
    assert!(holds(marker_plain), "AWS-owned-key data is stored as is");
    assert!(!holds(marker_secret), "CMK data is envelope-encrypted");
    // The envelope is real: its data key is a KMS ciphertext that the emulator's KMS decrypts only
    // with the recommendation ARN as encryption context, and that key opens the AES-256-GCM payload.
    let state = agentcore_emulator::dump_state(&path).unwrap();
    let rec = state["recommendations"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["name"] == "sealed")
        .unwrap();
    let arn = rec["arn"].as_str().unwrap().to_string();
    let env = &rec["config"]["envelope"];
    use base64::Engine;
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap()
    };
    let (edk, sealed) = (b64(&env["encrypted_data_key"]), b64(&env["sealed"]));
    let emu = start_with(Config {
        timing: Timing::instant(),
        state_file: Some(path.clone()),
        ..Default::default()
    })
    .await;
    let kms = client!(aws_sdk_kms, emu);
    let wrong = kms
        .decrypt()
        .ciphertext_blob(aws_sdk_kms::primitives::Blob::new(edk.clone()))
        .encryption_context(
            "aws:bedrock-agentcore:recommendationArn",
            "arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/another",
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&wrong),
        "InvalidCiphertextException",
        "the policy allows it, the context does not match"
    );
    let unscoped = kms
        .decrypt()
        .ciphertext_blob(aws_sdk_kms::primitives::Blob::new(edk.clone()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&unscoped),
        "AccessDeniedException",
        "the seed policy scopes the caller by context"
    );
    let dk = kms
        .decrypt()
        .ciphertext_blob(aws_sdk_kms::primitives::Blob::new(edk))
        .encryption_context("aws:bedrock-agentcore:recommendationArn", &arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        dk.key_id(),
        Some(key_arn("us-east-1", keys::CORRECT).as_str())
    );
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(dk.plaintext().unwrap().as_ref()).unwrap();
    let aad =
        serde_json::to_vec(&serde_json::json!({"aws:bedrock-agentcore:recommendationArn": arn}))
            .unwrap();
    let nonce = aes_gcm::Nonce::try_from(&sealed[..12]).unwrap();
    let plain = cipher
        .decrypt(
            &nonce,
            Payload {
                msg: &sealed[12..],
                aad: &aad,
            },
        )
        .unwrap();
    assert!(String::from_utf8(plain).unwrap().contains(marker_secret));
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn get_needs_the_callers_decrypt_and_failed_kms_uses_are_logged() {
    let emu = start().await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let kms = client!(aws_sdk_kms, emu);
    let trail = client!(aws_sdk_cloudtrail, emu);
    // The caller may describe the key and generate data keys, but not decrypt.
    let full: serde_json::Value = serde_json::from_str(&demo::recommendation_key_policy(
        "111122223333",
        "us-east-1",
        "AgentCoreDeployer",
        true,
    ))
    .unwrap();
    let mut policy = full.clone();
    policy["Statement"][1]["Action"] = serde_json::json!("kms:GenerateDataKey");
    let key = kms
        .create_key()
        .policy(policy.to_string())
        .bypass_policy_lockout_safety_check(true)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    let rec = start_rec!(dpc, "write_only", Some(key.arn().unwrap().to_string())).unwrap();
    let e = dpc
        .get_recommendation()
        .recommendation_id(rec.recommendation_id())
        .send()
        .await
        .unwrap_err();
    assert_code(&e, "AccessDeniedException");
    // The workflow itself ran: the service principal is allowed.
    let listed = dpc
        .list_recommendations()
        .status_filter(dp::RecommendationStatus::Completed)
        .max_results(100)
        .send()
        .await
        .unwrap();
    assert!(
        listed
            .recommendation_summaries()
            .iter()
            .any(|s| s.recommendation_id() == rec.recommendation_id())
    );

    // A Get refused because the key is disabled shows up as a failed Decrypt.
    kms.put_key_policy()
        .key_id(key.key_id())
        .policy(full.to_string())
        .bypass_policy_lockout_safety_check(true)
        .send()
        .await
        .unwrap();
    kms.disable_key().key_id(key.key_id()).send().await.unwrap();
    dpc.get_recommendation()
        .recommendation_id(rec.recommendation_id())
        .send()
        .await
        .unwrap_err();
    use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
    let decrypts = trail
        .lookup_events()
        .lookup_attributes(
            LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::EventName)
                .attribute_value("Decrypt")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let newest: serde_json::Value =
        serde_json::from_str(decrypts.events()[0].cloud_trail_event().unwrap()).unwrap();
    assert_eq!(newest["errorCode"], "DisabledException");
    assert_eq!(
        newest["userIdentity"]["invokedBy"],
        "bedrock-agentcore.amazonaws.com"
    );
    assert_eq!(
        newest["requestParameters"]["encryptionContext"]["aws:bedrock-agentcore:recommendationArn"],
        rec.recommendation_arn()
    );
}

/// A seeded world listed page by page while another client deletes recommendations between
/// pages, some already listed and some not yet reached: every one still there is listed exactly
/// once, oldest first, and none deleted before it was reached shows up.
#[tokio::test]
async fn pagination_of_a_seeded_world_is_exact_under_concurrent_deletes() {
    let emu = start_with(Config {
        timing: Timing::instant(),
        recommendations: 2_000,
        ..Config::default()
    })
    .await;
    let dpc = client!(aws_sdk_bedrockagentcore, emu);
    let list_all = || async {
        let mut out = Vec::new();
        let mut pages = dpc
            .list_recommendations()
            .max_results(100)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            for s in page.unwrap().recommendation_summaries() {
                out.push(s.recommendation_id().to_string());
            }
        }
        out
    };
    let before = list_all().await;
    assert_eq!(before.len(), 2_000 + 7);

    let mut seen: Vec<(aws_sdk_bedrockagentcore::primitives::DateTime, String)> = Vec::new();
    let mut deleted_ahead: HashSet<String> = HashSet::new();
    let mut token: Option<String> = None;
    loop {
        let page = dpc
            .list_recommendations()
            .max_results(100)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        for s in page.recommendation_summaries() {
            seen.push((*s.created_at(), s.recommendation_id().to_string()));
        }
        let behind = seen[seen.len() / 2].1.clone();
        let ahead = before.get(seen.len() + 150).cloned();
        for id in [Some(behind), ahead.clone()].into_iter().flatten() {
            // Deleting twice is the service's business; only the first counts here.
            let _ = dpc
                .delete_recommendation()
                .recommendation_id(&id)
                .send()
                .await;
        }
        deleted_ahead.extend(ahead);
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let ids: Vec<&str> = seen.iter().map(|(_, id)| id.as_str()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "a recommendation was listed twice");
    assert!(
        seen.windows(2).all(|w| w[0].0 <= w[1].0),
        "not oldest first"
    );
    for id in &before {
        let listed = unique.contains(id.as_str());
        assert_eq!(
            listed,
            !deleted_ahead.contains(id),
            "{id}: listed {listed}, deleted before it was reached {}",
            deleted_ahead.contains(id)
        );
    }
    assert!(deleted_ahead.len() >= 15, "{}", deleted_ahead.len());
    emu.shutdown().await;
}
