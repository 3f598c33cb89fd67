use super::*;

const ACCOUNT: &str = "111122223333";
const ROLE: &str = "arn:aws:iam::111122223333:role/MyRecommendationRole";

fn target() -> PolicyTarget {
    PolicyTarget::new(ACCOUNT, "us-east-1", ROLE).unwrap()
}

/// Seed 000's policy, verbatim.
const SEED: &str = r#"{
"Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowCallerAccess",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::111122223333:role/MyRecommendationRole" },
      "Action": "kms:DescribeKey",
      "Resource": "*"
    },
    {
      "Sid": "AllowCallerCryptoOps",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::111122223333:role/MyRecommendationRole" },
      "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
      "Resource": "*",
      "Condition": {
        "StringLike": {
          "kms:EncryptionContext:aws:bedrock-agentcore:recommendationArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/*"
        }
      }
    },
    {
      "Sid": "AllowServicePrincipalAccess",
      "Effect": "Allow",
      "Principal": { "Service": "bedrock-agentcore.amazonaws.com" },
      "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
      "Resource": "*",
      "Condition": {
        "StringEquals": { "aws:SourceAccount": "111122223333" },
        "ArnLike": { "aws:SourceArn": "arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/*" }
      }
    }
  ]
}"#;

fn doc() -> Value {
    serde_json::from_str(SEED).unwrap()
}

fn with_root(mut d: Value) -> Value {
    d["Statement"]
        .as_array_mut()
        .unwrap()
        .insert(0, root_statement("aws", ACCOUNT));
    d
}

fn edit(f: impl FnOnce(&mut Vec<Value>)) -> String {
    let mut d = with_root(doc());
    f(d["Statement"].as_array_mut().unwrap());
    d.to_string()
}

fn kinds(a: &Analysis) -> Vec<(FindingKind, Option<Requirement>)> {
    a.findings.iter().map(|f| (f.kind, f.requirement)).collect()
}

fn remove_sid(sid: &str) -> String {
    edit(|s| s.retain(|st| st["Sid"] != sid))
}

#[test]
fn seed_policy_is_compliant() {
    let a = analyse(SEED, &target()).unwrap();
    assert!(a.is_compliant(), "{a:#?}");
    assert!(Requirement::ALL.iter().all(|r| a.satisfies(*r)));
    // Seed 000 lists the minimum statements only; on its own it would leave nobody able to
    // administer the key, and we say so.
    assert_eq!(kinds(&a), vec![(FindingKind::LockoutRisk, None)]);

    let with_admin = with_root(doc()).to_string();
    let a = analyse(&with_admin, &target()).unwrap();
    assert!(a.findings.is_empty(), "{a:#?}");
}

#[test]
fn each_removed_statement_is_missing_with_its_fix() {
    for r in Requirement::ALL {
        let a = analyse(&remove_sid(r.sid()), &target()).unwrap();
        assert!(!a.is_compliant());
        assert!(!a.satisfies(r));
        assert_eq!(
            kinds(&a),
            vec![(FindingKind::Missing, Some(r))],
            "{r:?}: {a:#?}"
        );
        assert!(a.findings[0].fix.contains(r.sid()));
    }
    let a = analyse(&remove_sid("AllowCallerCryptoOps"), &target()).unwrap();
    assert_eq!(
        a.findings[0].message,
        "no statement allows arn:aws:iam::111122223333:role/MyRecommendationRole kms:GenerateDataKey and kms:Decrypt"
    );
}

#[test]
fn caller_crypto_without_encryption_context_is_unscoped() {
    let p = edit(|s| {
        s[2].as_object_mut().unwrap().remove("Condition");
    });
    let a = analyse(&p, &target()).unwrap();
    assert_eq!(
        kinds(&a),
        vec![(FindingKind::Unscoped, Some(Requirement::CallerCryptoOps))]
    );
    let f = &a.findings[0];
    assert_eq!(f.statement.as_deref(), Some("AllowCallerCryptoOps"));
    assert!(
        f.message.contains("no encryption-context condition"),
        "{}",
        f.message
    );
    assert!(f.fix.contains(CONTEXT_CONDITION_KEY) && f.fix.contains("recommendation/*"));
    let d = f.to_diagnostic();
    assert_eq!(d.field, "kms_key.policy.AllowCallerCryptoOps");
    assert_eq!(
        (d.severity, d.category.as_str()),
        (crate::diagnostic::Severity::Warning, "security")
    );
    assert_eq!(d.hint.as_deref(), Some(f.fix.as_str()));
}

#[test]
fn service_principal_without_source_conditions_is_a_confused_deputy() {
    for drop in [
        vec!["StringEquals"],
        vec!["ArnLike"],
        vec!["StringEquals", "ArnLike"],
    ] {
        let p = edit(|s| {
            let c = s[3]["Condition"].as_object_mut().unwrap();
            for d in &drop {
                c.remove(*d);
            }
        });
        let a = analyse(&p, &target()).unwrap();
        assert_eq!(
            kinds(&a),
            vec![(FindingKind::Unscoped, Some(Requirement::ServicePrincipal))],
            "{drop:?}"
        );
        assert!(a.findings[0].message.contains("confused-deputy"));
        assert!(
            a.findings[0].fix.contains("aws:SourceAccount")
                && a.findings[0].fix.contains("aws:SourceArn")
        );
    }
}

#[test]
fn wrong_account_or_region_in_the_scope_is_named() {
    let p = edit(|s| {
        s[3]["Condition"]["StringEquals"]["aws:SourceAccount"] = json!("444455556666");
    });
    let a = analyse(&p, &target()).unwrap();
    assert_eq!(
        kinds(&a),
        vec![(FindingKind::WrongScope, Some(Requirement::ServicePrincipal))]
    );
    assert!(
        a.findings[0]
            .message
            .contains("444455556666 instead of 111122223333")
    );

    let p = edit(|s| {
        s[2]["Condition"]["StringLike"][CONTEXT_CONDITION_KEY] =
            json!("arn:aws:bedrock-agentcore:us-west-2:111122223333:recommendation/*");
    });
    let a = analyse(&p, &target()).unwrap();
    assert_eq!(
        kinds(&a),
        vec![(FindingKind::WrongScope, Some(Requirement::CallerCryptoOps))]
    );
    assert!(
        a.findings[0]
            .message
            .contains("region us-west-2 instead of us-east-1"),
        "{}",
        a.findings[0].message
    );
    assert!(!a.satisfies(Requirement::CallerCryptoOps));

    // The same policy analysed for us-west-2 is fine for the caller but wrong for the service.
    let west = PolicyTarget::new(ACCOUNT, "us-west-2", ROLE).unwrap();
    let a = analyse(&p, &west).unwrap();
    assert!(a.satisfies(Requirement::CallerCryptoOps));
    assert!(!a.satisfies(Requirement::ServicePrincipal));
}

#[test]
fn wildcard_account_in_scope_is_too_loose() {
    let p = edit(|s| {
        s[3]["Condition"]["ArnLike"]["aws:SourceArn"] =
            json!("arn:aws:bedrock-agentcore:*:*:recommendation/*");
    });
    let a = analyse(&p, &target()).unwrap();
    assert_eq!(
        kinds(&a),
        vec![(FindingKind::Unscoped, Some(Requirement::ServicePrincipal))]
    );
    assert!(a.findings[0].message.contains("other accounts"));
}

#[test]
fn kms_star_and_principal_star_are_too_broad() {
    let p = edit(|s| {
        s.push(json!({"Sid": "Everything", "Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:*", "Resource": "*"}));
    });
    let a = analyse(&p, &target()).unwrap();
    assert_eq!(kinds(&a), vec![(FindingKind::TooBroad, None)]);
    assert_eq!(a.findings[0].statement.as_deref(), Some("Everything"));
    assert!(!a.is_compliant());

    let p = edit(|s| {
        s.push(
            json!({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}),
        );
    });
    let a = analyse(&p, &target()).unwrap();
    assert_eq!(kinds(&a), vec![(FindingKind::TooBroad, None)]);
    assert_eq!(a.findings[0].statement.as_deref(), Some("statement #5"));
    assert!(a.findings[0].message.contains("every AWS principal"));
}

#[test]
fn a_session_arn_is_refused_since_it_cannot_name_the_path() {
    let e = PolicyTarget::new(
        ACCOUNT,
        "us-east-1",
        "arn:aws:sts::111122223333:assumed-role/MyRecommendationRole/me",
    )
    .unwrap_err();
    assert_eq!(e.field, "role");
    assert!(e.problem.contains("leaves the role's path out"), "{e}");
    assert!(
        e.fix
            .contains("aws iam get-role --role-name MyRecommendationRole"),
        "{e}"
    );
    let t = PolicyTarget::new(ACCOUNT, "us-east-1", ROLE).unwrap();
    assert!(analyse(SEED, &t).unwrap().is_compliant());
    // A role with a path is another principal to KMS.
    let pathed = SEED.replace(
        "role/MyRecommendationRole",
        "role/service/MyRecommendationRole",
    );
    assert!(!analyse(&pathed, &t).unwrap().is_compliant());
    // Another role is not.
    let other =
        PolicyTarget::new(ACCOUNT, "us-east-1", "arn:aws:iam::111122223333:role/Other").unwrap();
    let a = analyse(SEED, &other).unwrap();
    assert!(!a.satisfies(Requirement::CallerDescribeKey));
    assert!(!a.satisfies(Requirement::CallerCryptoOps));
    assert!(a.satisfies(Requirement::ServicePrincipal));
}

#[test]
fn bad_target_input_names_field_value_and_fix() {
    let e = PolicyTarget::new("1234", "us-east-1", ROLE).unwrap_err();
    assert_eq!(e.field, "account");
    assert!(e.to_string().contains("\"1234\""));
    let e = PolicyTarget::new(ACCOUNT, "useast1", ROLE).unwrap_err();
    assert_eq!(e.field, "region");
    let e =
        PolicyTarget::new(ACCOUNT, "us-east-1", "arn:aws:iam::111122223333:policy/x").unwrap_err();
    assert_eq!(e.field, "role");
    assert!(e.fix.contains("arn:aws:iam::ACCOUNT:role/PATH/NAME"));
}

#[test]
fn bad_policy_json_reports_line_and_column() {
    let e = analyse("{\n  \"Statement\": [\n    {,\n", &target()).unwrap_err();
    assert!(matches!(e, PolicyError::NotJson { line: 3, .. }), "{e:?}");
    assert_eq!(
        analyse("{}", &target()).unwrap_err(),
        PolicyError::NoStatements
    );
}

fn sids(policy: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(policy).unwrap();
    v["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Sid"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn recommended_policy_from_default_key_policy_keeps_root_and_passes_analysis() {
    let default = json!({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [root_statement("aws", ACCOUNT)]}).to_string();
    let rec = recommended_policy(Some(&default), &target()).unwrap();
    assert_eq!(
        sids(&rec),
        vec![
            ROOT_SID,
            "AllowCallerAccess",
            "AllowCallerCryptoOps",
            "AllowServicePrincipalAccess"
        ]
    );
    let a = analyse(&rec, &target()).unwrap();
    assert!(a.findings.is_empty(), "{a:#?}");
    let v: Value = serde_json::from_str(&rec).unwrap();
    assert_eq!(v["Id"], "key-default-1");
    assert_eq!(v["Statement"][0], root_statement("aws", ACCOUNT));
    // The generated statements are seed 000's, for this account, region and role.
    let seed_stmts = doc()["Statement"].clone();
    assert_eq!(
        v["Statement"].as_array().unwrap()[1..].to_vec(),
        seed_stmts.as_array().unwrap().clone()
    );
}

#[test]
fn recommended_policy_repairs_in_place_and_keeps_other_statements() {
    let admin = json!({"Sid": "KeyAdmins", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"},
        "Action": ["kms:Create*", "kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion"], "Resource": "*"});
    let public =
        json!({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"});
    let unscoped_service = json!({"Sid": "AgentCore", "Effect": "Allow", "Principal": {"Service": SERVICE_PRINCIPAL},
        "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"});
    let current = json!({"Version": "2012-10-17", "Statement": [root_statement("aws", ACCOUNT), admin.clone(), public, unscoped_service]}).to_string();
    let before = analyse(&current, &target()).unwrap();
    assert!(
        before
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::TooBroad)
    );
    assert!(
        before
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::Unscoped)
    );

    let rec = recommended_policy(Some(&current), &target()).unwrap();
    // Root and admin statements kept, the public one dropped, the service statement repaired where it was.
    assert_eq!(
        sids(&rec),
        vec![
            ROOT_SID,
            "KeyAdmins",
            "AllowServicePrincipalAccess",
            "AllowCallerAccess",
            "AllowCallerCryptoOps"
        ]
    );
    let v: Value = serde_json::from_str(&rec).unwrap();
    assert_eq!(v["Statement"][1], admin);
    assert!(analyse(&rec, &target()).unwrap().findings.is_empty());

    // Applying it again changes nothing.
    assert_eq!(recommended_policy(Some(&rec), &target()).unwrap(), rec);
}

#[test]
fn recommended_policy_never_locks_the_account_out() {
    for current in [Some(SEED.to_owned()), Some(remove_sid(ROOT_SID)), None] {
        let rec = recommended_policy(current.as_deref(), &target()).unwrap();
        let a = analyse(&rec, &target()).unwrap();
        assert!(a.findings.is_empty(), "{current:?}: {a:#?}");
        assert_eq!(sids(&rec)[0], ROOT_SID);
    }
}

#[test]
fn recommended_policy_keeps_a_broad_role_grant_but_adds_scoped_statements() {
    let p = json!({"Statement": [root_statement("aws", ACCOUNT),
        {"Sid": "RoleUse", "Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:*", "Resource": "*"}]})
    .to_string();
    let rec = recommended_policy(Some(&p), &target()).unwrap();
    // kms:* already covers DescribeKey (no scope needed); the crypto grant needs its scoped twin.
    assert_eq!(
        sids(&rec),
        vec![
            ROOT_SID,
            "RoleUse",
            "AllowCallerCryptoOps",
            "AllowServicePrincipalAccess"
        ]
    );
    let a = analyse(&rec, &target()).unwrap();
    // Still told, because removing a role's rights could break other uses of the key.
    assert_eq!(kinds(&a), vec![(FindingKind::TooBroad, None)]);
    assert!(Requirement::ALL.iter().all(|r| a.satisfies(*r)));
}

#[test]
fn diff_shows_added_statements_only() {
    let current =
        json!({"Version": "2012-10-17", "Statement": [root_statement("aws", ACCOUNT)]}).to_string();
    let rec = recommended_policy(Some(&current), &target()).unwrap();
    let d = diff(&current, &rec);
    assert!(d.iter().all(|l| l.change != LineChange::Removed), "{d:#?}");
    assert!(d.iter().any(|l| l.change == LineChange::Added
        && l.text.contains("\"Sid\": \"AllowServicePrincipalAccess\"")));
    assert!(
        d.iter()
            .any(|l| l.change == LineChange::Same
                && l.text.contains("arn:aws:iam::111122223333:root"))
    );
    let text = diff_text(&current, &rec);
    assert!(
        text.lines()
            .any(|l| l.starts_with("+ ") && l.contains("AllowCallerCryptoOps"))
    );
    assert!(
        diff(&rec, &rec)
            .iter()
            .all(|l| l.change == LineChange::Same)
    );
}

mod generated {
    use super::*;
    use proptest::prelude::*;

    /// Each of seed 000's statements present, absent, unscoped or scoped to the wrong place.
    #[derive(Debug, Clone, Copy)]
    enum Variant {
        Good,
        Absent,
        Unscoped,
        WrongScope,
    }

    fn variant() -> impl Strategy<Value = Variant> {
        prop_oneof![
            Just(Variant::Good),
            Just(Variant::Absent),
            Just(Variant::Unscoped),
            Just(Variant::WrongScope)
        ]
    }

    fn statement(r: Requirement, v: Variant, sid: bool) -> Option<Value> {
        let mut s = r.statement(&target());
        if !sid {
            s.as_object_mut().unwrap().remove("Sid");
        }
        match v {
            Variant::Good => {}
            Variant::Absent => return None,
            Variant::Unscoped => {
                s.as_object_mut().unwrap().remove("Condition");
            }
            Variant::WrongScope => {
                let text = s
                    .to_string()
                    .replace("us-east-1", "eu-west-3")
                    .replace("\"111122223333\"", "\"444455556666\"");
                s = serde_json::from_str(&text).unwrap();
            }
        }
        Some(s)
    }

    proptest! {
        #[test]
        fn recommended_policy_always_passes_its_own_analysis(
            root in any::<bool>(),
            public in any::<bool>(),
            variants in [variant(), variant(), variant()],
            sids in [any::<bool>(), any::<bool>(), any::<bool>()],
            shuffle in any::<u64>(),
        ) {
            let mut stmts: Vec<Value> = Requirement::ALL
                .iter()
                .zip(variants)
                .zip(sids)
                .filter_map(|((r, v), sid)| statement(*r, v, sid))
                .collect();
            if root {
                stmts.push(root_statement("aws", ACCOUNT));
            }
            if public {
                stmts.push(json!({"Effect": "Allow", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*"}));
            }
            let n = stmts.len().max(1);
            stmts.rotate_left((shuffle as usize) % n);
            let current = json!({"Version": "2012-10-17", "Statement": stmts}).to_string();

            let rec = recommended_policy(Some(&current), &target()).unwrap();
            let a = analyse(&rec, &target()).unwrap();
            prop_assert!(a.findings.is_empty(), "{current}\n=> {rec}\n{a:#?}");
            // The administration statement, if there was one, is still there.
            if root {
                let v: Value = serde_json::from_str(&rec).unwrap();
                prop_assert!(v["Statement"].as_array().unwrap().contains(&root_statement("aws", ACCOUNT)));
            }
            // And applying it twice changes nothing.
            prop_assert_eq!(recommended_policy(Some(&rec), &target()).unwrap(), rec);
        }
    }
}

const SSO_ROLE: &str = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef";

#[test]
fn sso_role_is_compared_with_its_path() {
    let t = PolicyTarget::new(ACCOUNT, "us-east-1", SSO_ROLE).unwrap();
    assert_eq!(t.caller, SSO_ROLE);
    let pathless = SEED.replace(
        "role/MyRecommendationRole",
        "role/AWSReservedSSO_AdministratorAccess_0123456789abcdef",
    );
    let a = analyse(&pathless, &t).unwrap();
    assert!(!a.satisfies(Requirement::CallerDescribeKey));
    let pathed = SEED.replace(ROLE, SSO_ROLE);
    assert!(analyse(&pathed, &t).unwrap().is_compliant());
    let rec = recommended_policy(Some(&pathless), &t).unwrap();
    assert!(rec.contains("role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_"));
    assert!(analyse(&rec, &t).unwrap().is_compliant());
}

#[test]
fn other_partitions_build_their_own_arns() {
    let t =
        PolicyTarget::new(ACCOUNT, "cn-north-1", "arn:aws-cn:iam::111122223333:role/R").unwrap();
    assert_eq!(t.caller, "arn:aws-cn:iam::111122223333:role/R");
    assert_eq!(
        t.recommendation_arn_pattern(),
        "arn:aws-cn:bedrock-agentcore:cn-north-1:111122223333:recommendation/*"
    );
    let rec = recommended_policy(None, &t).unwrap();
    assert!(rec.contains("arn:aws-cn:iam::111122223333:root"), "{rec}");
    assert!(analyse(&rec, &t).unwrap().is_compliant());
    let gov = PolicyTarget::new(
        ACCOUNT,
        "us-gov-west-1",
        "arn:aws-us-gov:iam::111122223333:user/u",
    );
    assert_eq!(gov.unwrap().partition(), "aws-us-gov");
    assert!(PolicyTarget::new(ACCOUNT, "us-east-1", "arn:other:iam::111122223333:role/R").is_err());
}

fn with_statement(extra: Value) -> String {
    let mut d = with_root(doc());
    d["Statement"].as_array_mut().unwrap().push(extra);
    d.to_string()
}

#[test]
fn deny_wins_over_allow() {
    let t = target();
    let deny = with_statement(json!({
        "Sid": "NoDecryptForService", "Effect": "Deny",
        "Principal": { "Service": SERVICE_PRINCIPAL },
        "Action": "kms:Decrypt", "Resource": "*"
    }));
    let a = analyse(&deny, &t).unwrap();
    assert!(!a.satisfies(Requirement::ServicePrincipal));
    assert!(a.satisfies(Requirement::CallerCryptoOps));
    let f: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Denied)
        .collect();
    assert_eq!(f.len(), 1, "{:?}", a.findings);
    assert_eq!(f[0].statement.as_deref(), Some("NoDecryptForService"));
    assert!(f[0].message.contains("kms:Decrypt"), "{}", f[0].message);
    assert!(!a.is_compliant());

    // A Deny whose condition a recommendation request does not meet takes nothing away.
    let other_account = with_statement(json!({
        "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
        "Condition": { "StringNotEquals": { "aws:SourceAccount": ACCOUNT } }
    }));
    assert!(analyse(&other_account, &t).unwrap().is_compliant());
    // ... and one whose condition it meets does.
    let ours = with_statement(json!({
        "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
        "Condition": { "StringLike": { CONTEXT_CONDITION_KEY: "arn:aws:bedrock-agentcore:*" } }
    }));
    let a = analyse(&ours, &t).unwrap();
    assert!(!a.satisfies(Requirement::CallerCryptoOps));
    assert!(!a.satisfies(Requirement::ServicePrincipal));
}

#[test]
fn not_principal_is_everyone_but_those_named() {
    let t = target();
    // Deny everyone but the caller: the service principal is denied.
    let p = with_statement(json!({
        "Sid": "OnlyMe", "Effect": "Deny", "NotPrincipal": { "AWS": ROLE },
        "Action": "kms:*", "Resource": "*"
    }));
    let a = analyse(&p, &t).unwrap();
    assert!(a.satisfies(Requirement::CallerCryptoOps));
    assert!(!a.satisfies(Requirement::ServicePrincipal));
    // Allow with NotPrincipal and no condition opens the key to everyone else.
    let p = with_statement(json!({
        "Sid": "AllButX", "Effect": "Allow",
        "NotPrincipal": { "AWS": "arn:aws:iam::111122223333:role/X" },
        "Action": "kms:Decrypt", "Resource": "*"
    }));
    let a = analyse(&p, &t).unwrap();
    assert!(a.findings.iter().any(|f| f.kind == FindingKind::TooBroad
        && f.statement.as_deref() == Some("AllButX")
        && f.message.contains("NotPrincipal")));
    let rec = recommended_policy(Some(&p), &t).unwrap();
    assert!(!rec.contains("AllButX"));
}
