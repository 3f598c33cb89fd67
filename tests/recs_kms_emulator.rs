//! Seed 000 end to end through the app's engine and the real SDK clients, against the emulator:
//! key eligibility and policy, start/get/list/delete for every key state, a key disabled after
//! the fact, the repaired key policy, and the CloudTrail KMS events.

use std::time::Duration;

use agentcore_emulator::{Config, Emulator, Timing};
use agentcore_tui::aws::Clients;
use agentcore_tui::kms::activity::{self, ActivityFilter};
use agentcore_tui::kms::eligibility::{self, Ineligibility};
use agentcore_tui::kms::policy::{self, FindingKind, PolicyTarget, Requirement};
use agentcore_tui::recommend::{
    Input, KeyProblem, Operation, RecError, Recommendations, ResultView, StartRequest, Status,
    Traces,
};
use chrono::Utc;

const ACCOUNT: &str = "111122223333";
const ROLE: &str = "arn:aws:iam::111122223333:role/AgentCoreDeployer";
const CORRECT: &str = "alias/agentcore-recommendations";
const NO_SERVICE: &str = "alias/agentcore-no-service-principal";
const DISABLED: &str = "alias/agentcore-disabled";
const RETIRING: &str = "alias/agentcore-retiring";
const RSA: &str = "alias/release-signing";
const OTHER_REGION_KEY: &str =
    "arn:aws:kms:us-west-2:111122223333:key/6f708192-67f0-8912-ab34-678901234ef0";

async fn setup() -> (Emulator, Clients, Recommendations) {
    let emu = Emulator::start(Config {
        timing: Timing::instant(),
        ..Default::default()
    })
    .await
    .unwrap();
    let clients = Clients::for_endpoint(&emu.endpoint_url(), "us-east-1")
        .await
        .unwrap();
    let recs = Recommendations::from_clients(&clients);
    (emu, clients, recs)
}

fn request(name: &str, key_arn: Option<String>) -> StartRequest {
    let now = Utc::now();
    StartRequest {
        name: name.into(),
        description: Some("seed 000".into()),
        input: Input::SystemPrompt("You are a helpful assistant.".into()),
        traces: Traces {
            log_group_arns: vec!["arn:aws:logs:us-east-1:111122223333:log-group:/aws/bedrock-agentcore/sessions/my-agent".into()],
            service_names: vec!["my-agent.DEFAULT".into()],
            start: now - chrono::Duration::hours(24),
            end: now,
        },
        evaluators: vec!["Builtin.Helpfulness".into()],
        tags: [("team".to_string(), "support".to_string())].into(),
        kms_key_arn: key_arn,
    }
}

async fn arn_of(recs: &Recommendations, key: &str) -> String {
    recs.keys().describe(key).await.unwrap().arn
}

fn key_problem(e: &RecError) -> (Operation, &KeyProblem, String) {
    match e {
        RecError::KeyUnavailable {
            operation, problem, ..
        } => (*operation, problem, e.to_string()),
        other => panic!("expected a key problem, got {other:?}"),
    }
}

#[tokio::test]
async fn demo_keys_are_marked_eligible_or_not_with_the_reason() {
    let (_emu, _c, recs) = setup().await;
    let keys = recs.keys().list_all().await.unwrap();
    let by_alias = |a: &str| {
        keys.iter()
            .find(|k| k.aliases.iter().any(|x| x == a))
            .unwrap_or_else(|| panic!("{a} listed"))
    };
    assert_eq!(eligibility::check(by_alias(CORRECT), "us-east-1"), vec![]);
    assert_eq!(
        eligibility::check(by_alias(NO_SERVICE), "us-east-1"),
        vec![]
    );
    assert_eq!(
        eligibility::check(by_alias(DISABLED), "us-east-1"),
        vec![Ineligibility::NotEnabled {
            key_state: "Disabled".into()
        }]
    );
    assert_eq!(
        eligibility::check(by_alias(RETIRING), "us-east-1"),
        vec![Ineligibility::NotEnabled {
            key_state: "PendingDeletion".into()
        }]
    );
    assert!(matches!(
        eligibility::check(by_alias(RSA), "us-east-1")[0],
        Ineligibility::NotSymmetric { .. }
    ));
    // The us-west-2 key is not in this region's listing, and as a choice it is the wrong region.
    assert!(keys.iter().all(|k| k.region() == "us-east-1"));

    // Streaming: small pages arrive one by one and add up to the full list.
    let mut pages = recs.keys().list();
    let mut n = 0;
    while let Some(p) = pages.next_page().await {
        n += p.unwrap().len();
    }
    assert_eq!(n, keys.len());
}

#[tokio::test]
async fn start_with_each_key_state_follows_seed_000() {
    let (_emu, _c, recs) = setup().await;

    // Correct key: accepted, the workflow completes, the result decrypts.
    let ok = recs
        .start(&request("with_cmk", Some(arn_of(&recs, CORRECT).await)))
        .await
        .unwrap();
    let done = recs
        .wait(&ok.id, Duration::from_secs(20), |_| {})
        .await
        .unwrap();
    assert_eq!(done.summary.status, Status::Completed);
    assert_eq!(
        done.kms_key_arn.as_deref(),
        Some(arn_of(&recs, CORRECT).await.as_str())
    );
    assert!(
        matches!(&done.result, Some(ResultView::SystemPrompt { recommended: Some(p), .. }) if p.contains("You are a helpful assistant."))
    );

    // AWS owned key: no kmsKeyArn at all.
    let plain = recs.start(&request("aws_owned", None)).await.unwrap();
    let d = recs
        .wait(&plain.id, Duration::from_secs(20), |_| {})
        .await
        .unwrap();
    assert_eq!((d.summary.status, d.kms_key_arn), (Status::Completed, None));

    // Disabled / pending deletion / asymmetric: ValidationException, said plainly.
    let e = recs
        .start(&request("disabled", Some(arn_of(&recs, DISABLED).await)))
        .await
        .unwrap_err();
    let (op, problem, text) = key_problem(&e);
    assert_eq!((op, problem), (Operation::Start, &KeyProblem::Disabled));
    assert_eq!(
        text,
        "key alias/agentcore-disabled is disabled: enable it or choose another key"
    );

    let e = recs
        .start(&request("retiring", Some(arn_of(&recs, RETIRING).await)))
        .await
        .unwrap_err();
    assert_eq!(key_problem(&e).1, &KeyProblem::PendingDeletion);
    assert!(
        e.to_string()
            .starts_with("key alias/agentcore-retiring is pending deletion")
    );

    let e = recs
        .start(&request("rsa", Some(arn_of(&recs, RSA).await)))
        .await
        .unwrap_err();
    assert_eq!(key_problem(&e).1, &KeyProblem::NotSymmetric);

    // Another region: caught locally, before any call, naming the field.
    let e = recs
        .start(&request("west", Some(OTHER_REGION_KEY.into())))
        .await
        .unwrap_err();
    match e {
        RecError::Invalid(d) => {
            assert_eq!(d[0].field, "kmsKeyArn");
            assert!(
                d[0].message.contains("us-west-2")
                    && d[0].hint.as_deref().unwrap().contains("us-east-1")
            );
        }
        other => panic!("{other:?}"),
    }

    // None of the refused ones exist.
    let names: Vec<String> = recs
        .list_all(None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    for refused in ["disabled", "retiring", "rsa", "west"] {
        assert!(
            !names.contains(&refused.to_string()),
            "{refused} must not have been created"
        );
    }
    assert!(names.contains(&"with_cmk".to_string()) && names.contains(&"aws_owned".to_string()));
}

#[tokio::test]
async fn disabling_the_key_breaks_get_but_list_and_delete_still_work() {
    let (_emu, _c, recs) = setup().await;
    let key_arn = arn_of(&recs, CORRECT).await;
    let rec = recs
        .start(&request("soon_unreadable", Some(key_arn.clone())))
        .await
        .unwrap();
    recs.wait(&rec.id, Duration::from_secs(20), |_| {})
        .await
        .unwrap();

    let kms = recs.keys().client().clone();
    kms.disable_key().key_id(&key_arn).send().await.unwrap();

    let e = recs.get(&rec.id).await.unwrap_err();
    assert_eq!(key_problem(&e).0, Operation::Get);
    assert_eq!(
        e.to_string(),
        "key alias/agentcore-recommendations is disabled: re-enable it to read this recommendation; listing and deleting still work"
    );
    let listed = recs.list_all(None).await.unwrap();
    assert!(
        listed
            .iter()
            .any(|s| s.id == rec.id && s.status == Status::Completed)
    );

    // Re-enabling makes it readable again.
    kms.enable_key().key_id(&key_arn).send().await.unwrap();
    assert!(recs.get(&rec.id).await.is_ok());

    // Pending deletion: same story, with its own fix.
    kms.schedule_key_deletion()
        .key_id(&key_arn)
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();
    let e = recs.get(&rec.id).await.unwrap_err();
    assert_eq!(key_problem(&e).1, &KeyProblem::PendingDeletion);
    assert!(e.to_string().contains("cancel the deletion"));

    assert_eq!(recs.delete(&rec.id).await.unwrap(), Status::Deleting);
    // Deletion completes (instant timing): it leaves the list.
    let gone = recs.list_all(None).await.unwrap();
    assert!(gone.iter().all(|s| s.id != rec.id), "{gone:?}");
    // Deleting it again is a plain not-found error, not a key error.
    assert!(matches!(
        recs.delete(&rec.id).await.unwrap_err(),
        RecError::Aws(_)
    ));
}

#[tokio::test]
async fn demo_recommendation_under_a_disabled_key() {
    let (_emu, _c, recs) = setup().await;
    let all = recs.list_all(None).await.unwrap();
    let victim = all
        .iter()
        .find(|s| s.name == "disabled_key_prompt")
        .expect("demo world has it");
    let e = recs.get(&victim.id).await.unwrap_err();
    assert_eq!(key_problem(&e).1, &KeyProblem::Disabled);
    assert!(
        e.to_string()
            .ends_with("re-enable it to read this recommendation; listing and deleting still work")
    );
    assert_eq!(recs.delete(&victim.id).await.unwrap(), Status::Deleting);
}

#[tokio::test]
async fn key_without_service_principal_fails_the_workflow_until_the_policy_is_repaired() {
    let (_emu, clients, recs) = setup().await;
    let caller = clients.caller_identity().await.unwrap();
    let principal = clients.principal_arn(&caller.arn, "--role").await.unwrap();
    let target = PolicyTarget::new(&caller.account, "us-east-1", &principal).unwrap();
    assert_eq!(target.caller, ROLE);
    let key = recs.keys().describe(NO_SERVICE).await.unwrap();

    let current = recs.keys().policy(&key.arn).await.unwrap();
    let a = policy::analyse(&current, &target).unwrap();
    assert!(!a.satisfies(Requirement::ServicePrincipal));
    assert!(
        a.findings.iter().any(|f| f.kind == FindingKind::Missing
            && f.requirement == Some(Requirement::ServicePrincipal))
    );

    // Accepted at Start (the caller may use the key), but the service principal may not.
    let r = recs
        .start(&request("no_service", Some(key.arn.clone())))
        .await
        .unwrap();
    let d = recs
        .wait(&r.id, Duration::from_secs(20), |_| {})
        .await
        .unwrap();
    assert_eq!(d.summary.status, Status::Failed);
    match &d.result {
        Some(ResultView::SystemPrompt {
            error_message: Some(m),
            ..
        }) => assert!(m.contains("AllowServicePrincipalAccess"), "{m}"),
        other => panic!("{other:?}"),
    }

    // Apply the recommended policy: the analysis is clean and a new recommendation completes.
    let recommended = policy::recommended_policy(Some(&current), &target).unwrap();
    recs.keys()
        .put_policy(&key.arn, &recommended)
        .await
        .unwrap();
    let now = recs.keys().policy(&key.arn).await.unwrap();
    assert!(policy::analyse(&now, &target).unwrap().findings.is_empty());
    let r = recs
        .start(&request("repaired", Some(key.arn.clone())))
        .await
        .unwrap();
    let d = recs
        .wait(&r.id, Duration::from_secs(20), |_| {})
        .await
        .unwrap();
    assert_eq!(d.summary.status, Status::Completed);
    let _ = ACCOUNT;
}

#[tokio::test]
async fn list_pages_status_filter_and_kms_activity() {
    let (_emu, clients, recs) = setup().await;
    let key_arn = arn_of(&recs, CORRECT).await;
    let r = recs
        .start(&request("watched", Some(key_arn.clone())))
        .await
        .unwrap();
    recs.wait(&r.id, Duration::from_secs(20), |_| {})
        .await
        .unwrap();

    let all = recs.list_all(None).await.unwrap();
    let mut pages = recs.list(None).page_size(2);
    let mut seen = Vec::new();
    let mut count = 0;
    while let Some(p) = pages.next_page().await {
        let p = p.unwrap();
        assert!(p.len() <= 2);
        count += 1;
        seen.extend(p.into_iter().map(|s| s.id));
    }
    assert!(count > 1);
    assert_eq!(seen, all.iter().map(|s| s.id.clone()).collect::<Vec<_>>());
    let failed = recs.list_all(Some(Status::Failed)).await.unwrap();
    assert!(!failed.is_empty() && failed.iter().all(|s| s.status == Status::Failed));

    let events = activity::lookup_with(
        &clients,
        &ActivityFilter {
            recommendation: Some(r.id.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert!(
        names.contains(&"GenerateDataKey") && names.contains(&"Decrypt"),
        "{names:?}"
    );
    assert!(events.iter().all(|e| e.concerns(&r.id)));
    assert!(events.iter().all(|e| {
        e.encryption_context
            .get("aws:bedrock-agentcore:recommendationArn")
            == Some(&r.arn)
    }));
    // Both the caller (through AgentCore) and the service principal itself appear.
    assert!(
        events
            .iter()
            .any(|e| e.principal == "bedrock-agentcore.amazonaws.com")
    );
    assert!(
        events
            .iter()
            .any(|e| e.principal.contains("assumed-role/AgentCoreDeployer"))
    );

    let everything = activity::lookup_with(&clients, &ActivityFilter::default())
        .await
        .unwrap();
    assert!(everything.iter().any(|e| e.name == "DescribeKey"));
    assert!(everything.len() > events.len());
}
