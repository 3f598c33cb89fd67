//! STS, KMS, CloudTrail and S3 through the real SDK clients; the raw error format; faults; state file.

mod common;

use std::collections::HashSet;
use std::io::{Read, Write};

use agentcore_emulator::demo::keys;
use agentcore_emulator::{Config, Faults, Timing, World};
use aws_sdk_kms::primitives::Blob;
use common::{client, code, start, start_empty, start_with};

#[tokio::test]
async fn sts_reports_the_deployer_role() {
    let emu = start().await;
    let sts = client!(aws_sdk_sts, emu);
    let who = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(who.account(), Some("111122223333"));
    assert_eq!(
        who.arn(),
        Some("arn:aws:sts::111122223333:assumed-role/AgentCoreDeployer/agentcore-tui")
    );
    assert!(who.user_id().unwrap().starts_with("AROA"));
    assert_eq!(emu.account_id(), "111122223333");
}

#[tokio::test]
async fn demo_keys_are_listed_per_region_with_their_states() {
    let emu = start().await;
    let kms = client!(aws_sdk_kms, emu);
    let mut ids = Vec::new();
    let mut pages = kms.list_keys().limit(2).into_paginator().send();
    while let Some(page) = pages.next().await {
        ids.extend(
            page.unwrap()
                .keys()
                .iter()
                .map(|k| k.key_id().unwrap().to_string()),
        );
    }
    assert_eq!(ids.len(), 5, "five demo keys live in us-east-1: {ids:?}");
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        5,
        "pagination never repeats"
    );
    assert!(!ids.contains(&keys::OTHER_REGION.to_string()));

    let west = client!(aws_sdk_kms, emu, "us-west-2");
    let west_keys = west.list_keys().send().await.unwrap();
    assert_eq!(west_keys.keys().len(), 1);
    assert_eq!(west_keys.keys()[0].key_id(), Some(keys::OTHER_REGION));

    let aliases = kms.list_aliases().send().await.unwrap();
    let names: Vec<&str> = aliases
        .aliases()
        .iter()
        .filter_map(|a| a.alias_name())
        .collect();
    assert!(names.contains(&"alias/agentcore-recommendations"));
    assert_eq!(names.len(), 5);

    use aws_sdk_kms::types::{KeySpec, KeyState, KeyUsageType};
    let state = |id: &'static str| {
        let kms = kms.clone();
        async move {
            kms.describe_key()
                .key_id(id)
                .send()
                .await
                .unwrap()
                .key_metadata
                .unwrap()
        }
    };
    let correct = state(keys::CORRECT).await;
    assert_eq!(correct.key_state(), Some(&KeyState::Enabled));
    assert!(correct.enabled());
    assert_eq!(correct.key_spec(), Some(&KeySpec::SymmetricDefault));
    assert_eq!(
        state(keys::DISABLED).await.key_state(),
        Some(&KeyState::Disabled)
    );
    let pending = state(keys::PENDING_DELETION).await;
    assert_eq!(pending.key_state(), Some(&KeyState::PendingDeletion));
    assert!(pending.deletion_date().is_some());
    let rsa = state(keys::RSA_SIGNING).await;
    assert_eq!(rsa.key_usage(), Some(&KeyUsageType::SignVerify));
    assert_eq!(rsa.key_spec(), Some(&KeySpec::Rsa2048));

    let by_alias = kms
        .describe_key()
        .key_id("alias/agentcore-recommendations")
        .send()
        .await
        .unwrap();
    assert_eq!(by_alias.key_metadata().unwrap().key_id(), keys::CORRECT);
    let policy = kms
        .get_key_policy()
        .key_id(keys::CORRECT)
        .send()
        .await
        .unwrap();
    let text = policy.policy().unwrap();
    for sid in [
        "AllowCallerAccess",
        "AllowCallerCryptoOps",
        "AllowServicePrincipalAccess",
    ] {
        assert!(text.contains(sid), "{sid} missing from {text}");
    }
    let no_svc = kms
        .get_key_policy()
        .key_id(keys::NO_SERVICE_PRINCIPAL)
        .send()
        .await
        .unwrap();
    assert!(
        !no_svc
            .policy()
            .unwrap()
            .contains("bedrock-agentcore.amazonaws.com")
    );
}

#[tokio::test]
async fn kms_key_lifecycle_and_crypto() {
    let emu = start_empty().await;
    let kms = client!(aws_sdk_kms, emu);
    let md = kms
        .create_key()
        .description("test key")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    let id = md.key_id().to_string();
    assert_eq!(
        md.arn().unwrap(),
        format!("arn:aws:kms:us-east-1:111122223333:key/{id}")
    );
    kms.create_alias()
        .alias_name("alias/test")
        .target_key_id(&id)
        .send()
        .await
        .unwrap();
    let dup = kms
        .create_alias()
        .alias_name("alias/test")
        .target_key_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&dup), "AlreadyExistsException");
    let reserved = kms
        .create_alias()
        .alias_name("alias/aws/mine")
        .target_key_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&reserved), "InvalidAliasNameException");

    let enc = kms
        .encrypt()
        .key_id("alias/test")
        .plaintext(Blob::new("hello"))
        .encryption_context("purpose", "test")
        .send()
        .await
        .unwrap();
    let blob = enc.ciphertext_blob().unwrap().clone();
    assert_ne!(blob.as_ref(), b"hello");
    let dec = kms
        .decrypt()
        .ciphertext_blob(blob.clone())
        .encryption_context("purpose", "test")
        .send()
        .await
        .unwrap();
    assert_eq!(dec.plaintext().unwrap().as_ref(), b"hello");
    assert_eq!(dec.key_id(), md.arn());
    let wrong = kms
        .decrypt()
        .ciphertext_blob(blob.clone())
        .encryption_context("purpose", "other")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&wrong), "InvalidCiphertextException");
    let missing_ctx = kms
        .decrypt()
        .ciphertext_blob(blob.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing_ctx), "InvalidCiphertextException");

    let dk = kms
        .generate_data_key()
        .key_id(&id)
        .key_spec(aws_sdk_kms::types::DataKeySpec::Aes256)
        .send()
        .await
        .unwrap();
    assert_eq!(dk.plaintext().unwrap().as_ref().len(), 32);
    let back = kms
        .decrypt()
        .ciphertext_blob(dk.ciphertext_blob().unwrap().clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        back.plaintext().unwrap().as_ref(),
        dk.plaintext().unwrap().as_ref()
    );

    kms.disable_key().key_id(&id).send().await.unwrap();
    let disabled = kms
        .encrypt()
        .key_id(&id)
        .plaintext(Blob::new("x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&disabled), "DisabledException");
    assert!(disabled.as_service_error().unwrap().is_disabled_exception());
    kms.enable_key().key_id(&id).send().await.unwrap();
    let sched = kms
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(7)
        .send()
        .await
        .unwrap();
    assert_eq!(sched.pending_window_in_days(), Some(7));
    assert_eq!(
        sched.key_state(),
        Some(&aws_sdk_kms::types::KeyState::PendingDeletion)
    );
    let pending = kms
        .generate_data_key()
        .key_id(&id)
        .number_of_bytes(32)
        .send()
        .await
        .unwrap_err();
    assert!(
        pending
            .as_service_error()
            .unwrap()
            .is_kms_invalid_state_exception()
    );
    let enable = kms.enable_key().key_id(&id).send().await.unwrap_err();
    assert_eq!(code(&enable), "KMSInvalidStateException");
    let bad_window = kms
        .schedule_key_deletion()
        .key_id(&id)
        .pending_window_in_days(3)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_window), "ValidationException");
    kms.cancel_key_deletion().key_id(&id).send().await.unwrap();
    let after = kms.describe_key().key_id(&id).send().await.unwrap();
    assert_eq!(
        after.key_metadata().unwrap().key_state(),
        Some(&aws_sdk_kms::types::KeyState::Disabled)
    );
    let again = kms
        .cancel_key_deletion()
        .key_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "KMSInvalidStateException");

    let nf = kms
        .describe_key()
        .key_id("00000000-0000-0000-0000-000000000000")
        .send()
        .await
        .unwrap_err();
    assert!(nf.as_service_error().unwrap().is_not_found_exception());

    let rsa = kms
        .create_key()
        .key_spec(aws_sdk_kms::types::KeySpec::Rsa2048)
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .send()
        .await
        .unwrap();
    let rsa_id = rsa.key_metadata().unwrap().key_id().to_string();
    let usage = kms
        .generate_data_key()
        .key_id(&rsa_id)
        .number_of_bytes(16)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&usage), "InvalidKeyUsageException");
}

#[tokio::test]
async fn key_policies_are_stored_verbatim_and_checked() {
    let emu = start_empty().await;
    let kms = client!(aws_sdk_kms, emu);
    let bad_create = kms
        .create_key()
        .policy("not json")
        .send()
        .await
        .unwrap_err();
    assert!(
        bad_create
            .as_service_error()
            .unwrap()
            .is_malformed_policy_document_exception()
    );
    let bad_combo = kms
        .create_key()
        .key_spec(aws_sdk_kms::types::KeySpec::SymmetricDefault)
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_combo), "ValidationException");
    let id = kms
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id()
        .to_string();
    let policy = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"Admin\", \"Effect\": \"Allow\",\n    \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:role/AgentCoreDeployer\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}]\n}";
    kms.put_key_policy()
        .key_id(&id)
        .policy(policy)
        .send()
        .await
        .unwrap();
    let got = kms.get_key_policy().key_id(&id).send().await.unwrap();
    assert_eq!(got.policy(), Some(policy), "returned exactly as written");
    assert_eq!(got.policy_name(), Some("default"));
    let other_name = kms
        .get_key_policy()
        .key_id(&id)
        .policy_name("custom")
        .send()
        .await
        .unwrap_err();
    assert!(
        other_name
            .as_service_error()
            .unwrap()
            .is_not_found_exception()
    );

    let malformed = kms
        .put_key_policy()
        .key_id(&id)
        .policy("{\"Statement\": [")
        .send()
        .await
        .unwrap_err();
    assert!(
        malformed
            .as_service_error()
            .unwrap()
            .is_malformed_policy_document_exception()
    );
    // A policy that no longer lets the caller change it is refused, as KMS's lockout check does…
    let lockout = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Other"},"Action":"kms:*","Resource":"*"}]}"#;
    let refused = kms
        .put_key_policy()
        .key_id(&id)
        .policy(lockout)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "MalformedPolicyDocumentException");
    // …unless the caller bypasses it.
    kms.put_key_policy()
        .key_id(&id)
        .policy(lockout)
        .bypass_policy_lockout_safety_check(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        kms.get_key_policy()
            .key_id(&id)
            .send()
            .await
            .unwrap()
            .policy(),
        Some(lockout)
    );
}

#[tokio::test]
async fn cloudtrail_records_kms_use_with_encryption_context() {
    let emu = start().await;
    let kms = client!(aws_sdk_kms, emu);
    let trail = client!(aws_sdk_cloudtrail, emu);
    kms.generate_data_key()
        .key_id(keys::CORRECT)
        .number_of_bytes(32)
        .encryption_context(
            "aws:bedrock-agentcore:recommendationArn",
            "arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/x",
        )
        .send()
        .await
        .unwrap();
    use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
    let events = trail
        .lookup_events()
        .lookup_attributes(
            LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::EventName)
                .attribute_value("GenerateDataKey")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let newest = &events.events()[0];
    assert_eq!(newest.event_name(), Some("GenerateDataKey"));
    assert_eq!(newest.event_source(), Some("kms.amazonaws.com"));
    assert!(newest.event_time().is_some());
    let record: serde_json::Value =
        serde_json::from_str(newest.cloud_trail_event().unwrap()).unwrap();
    assert_eq!(
        record["requestParameters"]["encryptionContext"]["aws:bedrock-agentcore:recommendationArn"],
        "arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/x"
    );
    assert_eq!(
        record["userIdentity"]["arn"],
        "arn:aws:sts::111122223333:assumed-role/AgentCoreDeployer/agentcore-tui"
    );
    assert_eq!(
        newest.resources()[0].resource_name(),
        Some(format!("arn:aws:kms:us-east-1:111122223333:key/{}", keys::CORRECT).as_str())
    );

    // The demo history includes the service principal's own calls.
    let all = trail.lookup_events().max_results(50).send().await.unwrap();
    let service = all.events().iter().any(|e| {
        let r: serde_json::Value = serde_json::from_str(e.cloud_trail_event().unwrap()).unwrap();
        r["userIdentity"]["invokedBy"] == "bedrock-agentcore.amazonaws.com"
            && r["userIdentity"]["type"] == "AWSService"
    });
    assert!(service);
    let mut seen = HashSet::new();
    let mut pages = trail.lookup_events().max_results(3).into_paginator().send();
    while let Some(p) = pages.next().await {
        for e in p.unwrap().events() {
            assert!(
                seen.insert(e.event_id().unwrap().to_string()),
                "an event came back twice"
            );
        }
    }
    assert!(seen.len() > 10);
}

#[tokio::test]
async fn s3_path_style_buckets_and_objects() {
    let emu = start_empty().await;
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "local", "local", None, None, "test",
        ))
        .endpoint_url(emu.endpoint_url())
        .force_path_style(true)
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(conf);
    let head = s3
        .head_bucket()
        .bucket("artifacts-111122223333")
        .send()
        .await
        .unwrap_err();
    assert!(head.as_service_error().unwrap().is_not_found());
    let put = s3
        .put_object()
        .bucket("artifacts-111122223333")
        .key("a/b.zip")
        .body(b"zip".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&put), "NoSuchBucket");
    assert!(
        put.as_service_error()
            .unwrap()
            .meta()
            .message()
            .unwrap()
            .contains("does not exist")
    );

    s3.create_bucket()
        .bucket("artifacts-111122223333")
        .send()
        .await
        .unwrap();
    s3.head_bucket()
        .bucket("artifacts-111122223333")
        .send()
        .await
        .unwrap();
    let body = vec![7u8; 100_000];
    let out = s3
        .put_object()
        .bucket("artifacts-111122223333")
        .key("runtimes/agent/code.zip")
        .body(body.into())
        .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
        .ssekms_key_id("arn:aws:kms:us-east-1:111122223333:key/abc")
        .send()
        .await
        .unwrap();
    assert!(out.e_tag().unwrap().starts_with('"'));
    let head = s3
        .head_object()
        .bucket("artifacts-111122223333")
        .key("runtimes/agent/code.zip")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(100_000));
    assert_eq!(head.e_tag(), out.e_tag());
    assert_eq!(
        head.server_side_encryption(),
        Some(&aws_sdk_s3::types::ServerSideEncryption::AwsKms)
    );
    let missing = s3
        .head_object()
        .bucket("artifacts-111122223333")
        .key("nope")
        .send()
        .await
        .unwrap_err();
    assert!(missing.as_service_error().unwrap().is_not_found());
    let bad = s3
        .create_bucket()
        .bucket("Bad_Name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad), "InvalidBucketName");
    let counts = emu.resource_counts();
    assert_eq!(counts["s3_bucket"], 1);
    assert_eq!(counts["s3_object"], 1);
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let explicit_east = s3
        .create_bucket()
        .bucket("east-explicit")
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from("us-east-1"))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&explicit_east), "InvalidLocationConstraint");
    let west_conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-west-2"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "local", "local", None, None, "test",
        ))
        .endpoint_url(emu.endpoint_url())
        .force_path_style(true)
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
        .build();
    let west = aws_sdk_s3::Client::from_conf(west_conf);
    let unconstrained = west
        .create_bucket()
        .bucket("west-bucket")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unconstrained), "IllegalLocationConstraintException");
    west.create_bucket()
        .bucket("west-bucket")
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::UsWest2)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let region = west
        .head_bucket()
        .bucket("west-bucket")
        .send()
        .await
        .unwrap();
    assert_eq!(region.bucket_region(), Some("us-west-2"));
    let unsupported = s3
        .get_object()
        .bucket("artifacts-111122223333")
        .key("runtimes/agent/code.zip")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unsupported), "NotImplemented");
}

fn raw_request(port: u16, request: &str) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[tokio::test]
async fn raw_error_format_has_header_and_type() {
    let emu = start().await;
    let port = emu.port();
    let body = r#"{"KeyId":"alias/does-not-exist"}"#;
    let req = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: TrentService.DescribeKey\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let resp = tokio::task::spawn_blocking(move || raw_request(port, &req))
        .await
        .unwrap();
    assert!(resp.starts_with("HTTP/1.1 400"), "{resp}");
    assert!(
        resp.to_lowercase()
            .contains("x-amzn-errortype: notfoundexception"),
        "{resp}"
    );
    let json: serde_json::Value =
        serde_json::from_str(resp.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(json["__type"], "NotFoundException");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("alias/does-not-exist")
    );

    let req =
        "GET /gateways/nope-0123456789 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            .to_string();
    let resp = tokio::task::spawn_blocking(move || raw_request(port, &req))
        .await
        .unwrap();
    assert!(resp.starts_with("HTTP/1.1 404"), "{resp}");
    assert!(
        resp.to_lowercase()
            .contains("x-amzn-errortype: resourcenotfoundexception")
    );
    assert!(resp.contains("\"__type\":\"ResourceNotFoundException\""));

    let body = r#"{"name":"bad name!"}"#;
    let req = format!(
        "POST /gateways HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let resp = tokio::task::spawn_blocking(move || raw_request(port, &req))
        .await
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(resp.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(json["__type"], "ValidationException");
    let fields: Vec<&str> = json["fieldList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"roleArn")
            && fields.contains(&"authorizerType")
            && fields.contains(&"name"),
        "{fields:?}"
    );
}

#[tokio::test]
async fn sdk_retries_absorb_injected_throttling() {
    let faults =
        Faults::parse("op=GetCallerIdentity:throttle=0.5,op=DescribeKey:throttle=0.5,seed=7")
            .unwrap();
    let emu = start_with(Config {
        timing: Timing::instant(),
        faults,
        ..Default::default()
    })
    .await;
    let sts_no_retry = client!(aws_sdk_sts, emu);
    let mut throttled = 0;
    for _ in 0..20 {
        if let Err(e) = sts_no_retry.get_caller_identity().send().await {
            assert_eq!(code(&e), "Throttling");
            throttled += 1;
        }
    }
    assert!(throttled > 0, "the fault was injected");
    let sts = client!(aws_sdk_sts, emu, "us-east-1", true);
    let kms = client!(aws_sdk_kms, emu, "us-east-1", true);
    for _ in 0..20 {
        sts.get_caller_identity()
            .send()
            .await
            .expect("retried until it went through");
        kms.describe_key()
            .key_id(keys::CORRECT)
            .send()
            .await
            .expect("retried until it went through");
    }
    emu.set_faults(Faults::parse("op=ListKeys:5xx=1.0").unwrap());
    let kms_no_retry = client!(aws_sdk_kms, emu);
    let e = kms_no_retry.list_keys().send().await.unwrap_err();
    assert_eq!(code(&e), "KMSInternalException");
    assert_eq!(e.raw_response().unwrap().status().as_u16(), 500);

    emu.set_faults(Faults::parse("op=GetCallerIdentity:drop=1.0").unwrap());
    let e = sts_no_retry.get_caller_identity().send().await.unwrap_err();
    assert!(
        e.as_service_error().is_none(),
        "a dropped connection is not a service error: {e:?}"
    );
    emu.set_faults(Faults::none());
    sts_no_retry.get_caller_identity().send().await.unwrap();
}

#[tokio::test]
async fn state_file_persists_the_world() {
    let dir = std::env::temp_dir().join(format!("agentcore-emu-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("world.json");
    let _ = std::fs::remove_file(&path);
    let config = || Config {
        world: World::Empty,
        timing: Timing::instant(),
        state_file: Some(path.clone()),
        ..Default::default()
    };
    let emu = start_with(config()).await;
    let kms = client!(aws_sdk_kms, emu);
    let id = kms
        .create_key()
        .description("kept")
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id()
        .to_string();
    let blob = kms
        .encrypt()
        .key_id(&id)
        .plaintext(Blob::new("persist me"))
        .send()
        .await
        .unwrap()
        .ciphertext_blob
        .unwrap();
    emu.shutdown().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let emu = start_with(config()).await;
    let kms = client!(aws_sdk_kms, emu);
    let md = kms
        .describe_key()
        .key_id(&id)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap();
    assert_eq!(md.description(), Some("kept"));
    let plain = kms.decrypt().ciphertext_blob(blob).send().await.unwrap();
    assert_eq!(plain.plaintext().unwrap().as_ref(), b"persist me");
    emu.shutdown().await;

    std::fs::write(&path, "not json").unwrap();
    let err = agentcore_emulator::Emulator::start(config())
        .await
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("not an emulator state file"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn aliases_can_be_deleted_and_then_resolve_nowhere() {
    let emu = start_empty().await;
    let kms = client!(aws_sdk_kms, emu);
    let id = kms
        .create_key()
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id()
        .to_string();
    kms.create_alias()
        .alias_name("alias/short-lived")
        .target_key_id(&id)
        .send()
        .await
        .unwrap();
    let listed = kms.list_aliases().key_id(&id).send().await.unwrap();
    assert_eq!(listed.aliases()[0].target_key_id(), Some(id.as_str()));
    kms.delete_alias()
        .alias_name("alias/short-lived")
        .send()
        .await
        .unwrap();
    let e = kms
        .describe_key()
        .key_id("alias/short-lived")
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_not_found_exception());
    let e = kms
        .delete_alias()
        .alias_name("alias/short-lived")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NotFoundException");
    assert!(
        kms.list_aliases()
            .send()
            .await
            .unwrap()
            .aliases()
            .is_empty()
    );
}

#[tokio::test]
async fn large_uploads_and_retried_dropped_connections() {
    let emu = start_with(Config {
        world: World::Empty,
        timing: Timing::instant(),
        faults: Faults::parse("op=HeadObject:drop=0.5,seed=3").unwrap(),
        ..Default::default()
    })
    .await;
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "local", "local", None, None, "test",
        ))
        .endpoint_url(emu.endpoint_url())
        .force_path_style(true)
        .retry_config(
            aws_sdk_s3::config::retry::RetryConfig::standard()
                .with_max_attempts(10)
                .with_initial_backoff(std::time::Duration::from_millis(2))
                .with_max_backoff(std::time::Duration::from_millis(20)),
        )
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(conf);
    s3.create_bucket()
        .bucket("big-artifacts")
        .send()
        .await
        .unwrap();
    let body: Vec<u8> = (0..6 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    s3.put_object()
        .bucket("big-artifacts")
        .key("runtime.zip")
        .body(body.into())
        .send()
        .await
        .unwrap();
    for _ in 0..10 {
        let head = s3
            .head_object()
            .bucket("big-artifacts")
            .key("runtime.zip")
            .send()
            .await
            .expect("retried past dropped connections");
        assert_eq!(head.content_length(), Some(6 * 1024 * 1024));
    }
}

#[tokio::test]
async fn direct_crypto_calls_obey_the_key_policy() {
    let emu = start().await;
    let kms = client!(aws_sdk_kms, emu);
    let ec_key = "aws:bedrock-agentcore:recommendationArn";
    let rec = "arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/abc";
    // The seed 000 policy lets the deployer generate data keys only with the recommendation context.
    let denied = kms
        .generate_data_key()
        .key_id(keys::CORRECT)
        .number_of_bytes(32)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&denied), "AccessDeniedException");
    let dk = kms
        .generate_data_key()
        .key_id(keys::CORRECT)
        .number_of_bytes(32)
        .encryption_context(ec_key, rec)
        .send()
        .await
        .unwrap();
    let blob = dk.ciphertext_blob().unwrap().clone();
    kms.decrypt()
        .ciphertext_blob(blob)
        .encryption_context(ec_key, rec)
        .send()
        .await
        .unwrap();
    let encrypt = kms
        .encrypt()
        .key_id(keys::CORRECT)
        .plaintext(Blob::new("x"))
        .encryption_context(ec_key, rec)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&encrypt),
        "AccessDeniedException",
        "the seed policy grants no kms:Encrypt"
    );
}

#[tokio::test]
async fn sts_query_in_url_and_s3_list_buckets_answer_in_their_protocols() {
    let emu = start().await;
    let port = emu.port();
    let req = "GET /?Action=GetCallerIdentity&Version=2011-06-15 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_string();
    let resp = tokio::task::spawn_blocking(move || raw_request(port, &req))
        .await
        .unwrap();
    assert!(
        resp.starts_with("HTTP/1.1 200") && resp.contains("<Account>111122223333</Account>"),
        "{resp}"
    );
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "local", "local", None, None, "test",
        ))
        .endpoint_url(emu.endpoint_url())
        .force_path_style(true)
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
        .build();
    let e = aws_sdk_s3::Client::from_conf(conf)
        .list_buckets()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NotImplemented");
}

/// Key specs the KMS model has that the emulator used to refuse, each with the usages KMS
/// allows for it; a usage the spec does not support is still refused.
#[tokio::test]
async fn every_key_spec_of_the_model_can_be_created() {
    use aws_sdk_kms::types::{KeySpec, KeyUsageType};
    let emu = start_empty().await;
    let kms = client!(aws_sdk_kms, emu);
    for (spec, usage) in [
        (KeySpec::MlDsa44, KeyUsageType::SignVerify),
        (KeySpec::MlDsa87, KeyUsageType::SignVerify),
        (KeySpec::EccNistEdwards25519, KeyUsageType::SignVerify),
        (KeySpec::EccNistP256, KeyUsageType::KeyAgreement),
        (KeySpec::MlKem768, KeyUsageType::EncapsulateDecapsulate),
    ] {
        let md = kms
            .create_key()
            .key_spec(spec.clone())
            .key_usage(usage.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{spec:?}/{usage:?}: {e:?}"))
            .key_metadata
            .unwrap();
        assert_eq!(md.key_spec(), Some(&spec));
    }
    let wrong = kms
        .create_key()
        .key_spec(KeySpec::MlDsa44)
        .key_usage(KeyUsageType::EncryptDecrypt)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&wrong), "ValidationException");
    // SM2 exists only in the China Regions.
    let sm2 = |kms: aws_sdk_kms::Client| async move {
        kms.create_key()
            .key_spec(KeySpec::Sm2)
            .key_usage(KeyUsageType::SignVerify)
            .send()
            .await
    };
    sm2(client!(aws_sdk_kms, emu, "cn-north-1")).await.unwrap();
    let outside = sm2(kms).await.unwrap_err();
    assert_eq!(code(&outside), "ValidationException");
    emu.shutdown().await;
}
