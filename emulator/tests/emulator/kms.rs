//! KMS: demo keys, key lifecycle, aliases, key policies and the cryptographic calls.

use std::collections::HashSet;

use agentcore_emulator::demo::keys;
use aws_sdk_kms::primitives::Blob;

use crate::common::{assert_code, client, code, start, start_empty};

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
    assert_code(&disabled, "DisabledException");
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
    assert_code(&pending, "KMSInvalidStateException");
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
    assert_code(&nf, "NotFoundException");

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
    assert_code(&bad_create, "MalformedPolicyDocumentException");
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
    assert_code(&other_name, "NotFoundException");

    let malformed = kms
        .put_key_policy()
        .key_id(&id)
        .policy("{\"Statement\": [")
        .send()
        .await
        .unwrap_err();
    assert_code(&malformed, "MalformedPolicyDocumentException");
    // A policy that no longer lets the caller change it is refused, as KMS's lockout check does…
    let lockout = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef"},"Action":"kms:*","Resource":"*"}]}"#;
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
    assert_code(&e, "NotFoundException");
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
