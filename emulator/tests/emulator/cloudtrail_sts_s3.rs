//! CloudTrail, STS and S3, and errors in each protocol's own format.

use std::collections::HashSet;

use agentcore_emulator::demo::keys;
use agentcore_emulator::{Caller, Config, Timing};

use crate::common::{
    assert_code, assert_message, client, code, raw_request, s3, start, start_empty, start_with,
};

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
    let s3 = s3!(emu, "us-east-1");
    let head = s3
        .head_bucket()
        .bucket("artifacts-111122223333")
        .send()
        .await
        .unwrap_err();
    assert_code(&head, "NotFound");
    let put = s3
        .put_object()
        .bucket("artifacts-111122223333")
        .key("a/b.zip")
        .body(b"zip".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&put), "NoSuchBucket");
    assert_message(&put, "does not exist");

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
    assert_code(&missing, "NotFound");
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
    let west = s3!(emu, "us-west-2");
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

#[tokio::test]
async fn s3_refuses_another_expected_owner_and_deletes_objects() {
    let emu = start_empty().await;
    let s3 = s3!(emu, "us-east-1");
    let (bucket, key) = (
        "code-111122223333",
        "promptkit/p/1.0.0/deployment_package.zip",
    );
    let owner = emu.account_id().to_owned();
    let stranger = "999999999999";
    s3.create_bucket().bucket(bucket).send().await.unwrap();
    let put = |who: &str| {
        s3.put_object()
            .bucket(bucket)
            .key(key)
            .expected_bucket_owner(who)
            .body(b"zip".to_vec().into())
            .send()
    };
    let refused = put(stranger).await.unwrap_err();
    assert_eq!(code(&refused), "AccessDenied");
    assert_eq!(refused.raw_response().unwrap().status().as_u16(), 403);
    assert_eq!(emu.resource_counts()["s3_object"], 0);
    put(&owner).await.unwrap();
    let head = s3
        .head_bucket()
        .bucket(bucket)
        .expected_bucket_owner(stranger)
        .send()
        .await
        .unwrap_err();
    assert_eq!(head.raw_response().unwrap().status().as_u16(), 403);
    let delete = |who: &str, bucket: &str| {
        s3.delete_object()
            .bucket(bucket)
            .key(key)
            .expected_bucket_owner(who)
            .send()
    };
    let refused = delete(stranger, bucket).await.unwrap_err();
    assert_eq!(code(&refused), "AccessDenied");
    assert_eq!(
        emu.resource_counts()["s3_object"],
        1,
        "a refused delete deletes nothing"
    );
    delete(&owner, bucket).await.unwrap();
    assert_eq!(emu.resource_counts()["s3_object"], 0);
    // Deleting it again is no error, as in S3; a missing bucket is.
    delete(&owner, bucket).await.unwrap();
    let gone = delete(&owner, "no-such-bucket-here").await.unwrap_err();
    assert_eq!(code(&gone), "NoSuchBucket");
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
    let e = s3!(emu, "us-east-1")
        .list_buckets()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NotImplemented");
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
async fn iam_get_role_answers_with_the_path_sts_leaves_out() {
    let emu = start_with(Config {
        caller: Caller::SsoAdministrator,
        timing: Timing::instant(),
        ..Default::default()
    })
    .await;
    let sts = client!(aws_sdk_sts, emu);
    let who = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(
        who.arn(),
        Some(
            "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com"
        )
    );
    let iam = client!(aws_sdk_iam, emu);
    let role = iam
        .get_role()
        .role_name("AWSReservedSSO_AdministratorAccess_0123456789abcdef")
        .send()
        .await
        .unwrap();
    let role = role.role().unwrap();
    assert_eq!(role.path(), "/aws-reserved/sso.amazonaws.com/eu-west-1/");
    assert_eq!(
        role.arn(),
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef"
    );
    let deployer = iam
        .get_role()
        .role_name("AgentCoreDeployer")
        .send()
        .await
        .unwrap();
    assert_eq!(
        deployer.role().unwrap().arn(),
        "arn:aws:iam::111122223333:role/AgentCoreDeployer"
    );
    let missing = iam.get_role().role_name("Nobody").send().await.unwrap_err();
    assert_eq!(code(&missing), "NoSuchEntity");
    assert!(
        missing
            .as_service_error()
            .unwrap()
            .is_no_such_entity_exception()
    );
    // The model holds the request too: a role name IAM would never accept.
    let bad = iam
        .get_role()
        .role_name("has space")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad), "ValidationError");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_denied_fault_answers_access_denied_naming_the_session() {
    let emu = start_with(Config {
        caller: Caller::SsoAdministrator,
        timing: Timing::instant(),
        faults: agentcore_emulator::Faults::parse("op=GetRole:deny=1.0").unwrap(),
        ..Default::default()
    })
    .await;
    let iam = client!(aws_sdk_iam, emu);
    let e = iam
        .get_role()
        .role_name("AgentCoreDeployer")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "AccessDenied");
    assert_message(
        &e,
        "assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com is not authorized to perform: iam:GetRole",
    );
    // Other operations are unaffected.
    client!(aws_sdk_sts, emu)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn put_key_policy_refuses_a_role_that_does_not_exist() {
    let emu = start_with(Config {
        caller: Caller::SsoAdministrator,
        timing: Timing::instant(),
        ..Default::default()
    })
    .await;
    let kms = client!(aws_sdk_kms, emu);
    let policy = |principal: &str| {
        format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"kms:*","Resource":"*"}}]}}"#
        )
    };
    // The SSO role without its path is no role at all.
    let pathless = policy(
        "arn:aws:iam::111122223333:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef",
    );
    let e = kms
        .put_key_policy()
        .key_id(keys::CORRECT)
        .policy(&pathless)
        .send()
        .await
        .unwrap_err();
    assert_code(&e, "MalformedPolicyDocumentException");
    assert_message(&e, "invalid principals");
    let e = kms.create_key().policy(&pathless).send().await.unwrap_err();
    assert_code(&e, "MalformedPolicyDocumentException");
    // With the path it exists, and the SSO caller keeps the right to change the policy.
    kms.put_key_policy()
        .key_id(keys::CORRECT)
        .policy(policy(
            "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef",
        ))
        .send()
        .await
        .unwrap();
    emu.shutdown().await;
}
