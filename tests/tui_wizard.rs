//! The wizard driven headlessly: keys and task results go through `App::update`, effects are
//! inspected (and the local ones really run), and screens are rendered on a `TestBackend`.

use agentcore_tui::kms::eligibility::KeyInfo;
use agentcore_tui::tui::action::Action;
use agentcore_tui::tui::app::{App, AppOptions, Overlay};
use agentcore_tui::tui::effect::Effect;
use agentcore_tui::tui::keymap::Context;
use agentcore_tui::tui::msg::wizard::{Outcome, TaskResult};
use agentcore_tui::tui::persist::{A2aMode, Answers, ArtifactKind, KmsChoice};
use agentcore_tui::tui::runtime;
use agentcore_tui::tui::screens::wizard::StepId;
use agentcore_tui::tui::services::{
    AwsTarget, CallerIdentity, KeysEvent, ProfileEntry, ServiceError, TargetsFound,
};
use agentcore_tui::tui::slot::Gen;
use agentcore_tui::tui::theme::Theme;
use agentcore_tui::tui::ui;
use agentcore_tui::tui::widgets::stepper::StepStatus;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

mod common;
use common::harness::{ACCOUNT, Harness, World, demo_answers, key};

fn kms_key(
    alias: &str,
    spec: &str,
    usage: &str,
    state: &str,
    manager: &str,
    region: &str,
) -> KeyInfo {
    let id = format!("{:0>8}-0000-0000-0000-000000000000", alias.len());
    KeyInfo {
        key_id: id.clone(),
        arn: format!("arn:aws:kms:{region}:{ACCOUNT}:key/{id}"),
        aliases: vec![format!("alias/{alias}")],
        description: String::new(),
        key_spec: spec.into(),
        key_usage: usage.into(),
        key_state: state.into(),
        key_manager: manager.into(),
    }
}

/// A key of the emulator's demo world, under its real id so its real policy can be read.
fn emulator_key(alias: &str, id: &str) -> KeyInfo {
    KeyInfo {
        key_id: id.into(),
        arn: format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{id}"),
        ..kms_key(
            alias,
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "Enabled",
            "CUSTOMER",
            "us-east-1",
        )
    }
}

fn demo_keys() -> Vec<KeyInfo> {
    use agentcore_emulator::demo::keys;
    vec![
        emulator_key("agentcore-recommendations", keys::CORRECT),
        kms_key(
            "old-recs",
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "Disabled",
            "CUSTOMER",
            "us-east-1",
        ),
        kms_key(
            "signing",
            "RSA_2048",
            "SIGN_VERIFY",
            "Enabled",
            "CUSTOMER",
            "us-east-1",
        ),
        emulator_key("agentcore-no-service-principal", keys::NO_SERVICE_PRINCIPAL),
    ]
}

/// The wizard's demo world: two profiles and the demo keys.
fn world() -> World {
    World {
        profiles: vec!["dev".into(), "prod".into()],
        keys: demo_keys(),
        ..World::demo()
    }
}

impl Harness {
    /// The app after start-up in the wizard's world, the pack read and the caller identified.
    fn wizard(initial: Answers) -> Self {
        let mut h = Self::wizard_bare(initial);
        h.settle();
        h
    }

    /// The app after start-up in the wizard's world, nothing answered yet.
    fn wizard_bare(initial: Answers) -> Self {
        Self::bare(initial).with_world(world())
    }

    fn snapshot(&self, name: &str) {
        insta::assert_snapshot!(format!("{name}_100x30"), self.screen(100, 30));
        insta::assert_snapshot!(format!("{name}_80x24"), self.screen(80, 24));
    }
}

// ---- transitions ---------------------------------------------------------------------------

#[test]
fn errors_block_next_and_say_why() {
    let mut h = Harness::wizard(Answers {
        region: String::new(),
        ..demo_answers()
    });
    h.goto(StepId::Region);
    assert!(h.errors() > 0);
    h.ctrl('n');
    assert_eq!(h.app.wizard.current(), StepId::Region);
    assert!(
        h.app
            .wizard
            .blocked
            .as_deref()
            .unwrap()
            .contains("block Next")
    );
    assert_eq!(h.app.wizard.status(StepId::Region), StepStatus::Errors);
    assert!(h.screen(100, 30).contains("block Next"));
}

#[test]
fn warnings_do_not_block_next() {
    let mut h = Harness::wizard(Answers {
        region: "ca-central-1".into(),
        ..demo_answers()
    });
    h.goto(StepId::Region);
    assert_eq!((h.errors(), h.warnings()), (0, 1));
    assert_eq!(h.app.wizard.status(StepId::Region), StepStatus::Warnings);
    h.ctrl('n');
    assert_eq!(h.app.wizard.current(), StepId::Role);
}

#[test]
fn region_list_filters_as_you_type_and_enter_chooses() {
    let mut h = Harness::wizard(Answers {
        region: String::new(),
        ..demo_answers()
    });
    h.goto(StepId::Region);
    h.type_text("frankfurt");
    h.press(KeyCode::Enter);
    assert_eq!(h.app.wizard.answers().region, "eu-central-1");
    assert_eq!(h.app.wizard.current(), StepId::Role, "choosing advances");
}

#[test]
fn an_unlisted_region_is_taken_as_typed_and_judged() {
    let mut h = Harness::wizard(Answers {
        region: String::new(),
        ..demo_answers()
    });
    h.goto(StepId::Region);
    h.type_text("Oregon-West");
    h.press(KeyCode::Enter);
    assert_eq!(h.app.wizard.answers().region, "Oregon-West");
    assert_eq!(h.app.wizard.current(), StepId::Region);
    assert!(
        h.app.wizard.diagnostics()[0]
            .message
            .contains("does not match expected format")
    );
}

#[test]
fn back_never_loses_input() {
    let mut h = Harness::wizard(Answers {
        runtime_role_arn: String::new(),
        ..demo_answers()
    });
    h.goto(StepId::Role);
    h.type_text("arn:aws:iam::111122223333:role/Mine");
    h.goto(StepId::Pack);
    h.goto(StepId::Tags);
    h.goto(StepId::Role);
    assert_eq!(
        h.app.wizard.answers().runtime_role_arn,
        "arn:aws:iam::111122223333:role/Mine"
    );
    assert!(h.screen(100, 30).contains("role/Mine"));
}

#[test]
fn role_in_another_account_than_the_caller_warns() {
    let mut h = Harness::wizard(Answers {
        runtime_role_arn: "arn:aws:iam::444455556666:role/Other".into(),
        ..demo_answers()
    });
    h.goto(StepId::Role);
    assert_eq!(h.errors(), 0);
    assert!(
        h.app
            .wizard
            .diagnostics()
            .iter()
            .any(|d| d.message.contains(ACCOUNT) || d.message.contains("444455556666")),
        "{:?}",
        h.app.wizard.diagnostics()
    );
}

#[test]
fn stale_identity_results_are_dropped() {
    let mut h = Harness::wizard_bare(demo_answers());
    let first = h
        .take(|e| matches!(e, Effect::FetchCallerIdentity { .. }))
        .unwrap();
    // Pick the "dev" profile: a second request supersedes the first.
    h.settle_except_identity();
    h.press(KeyCode::Tab);
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    let Effect::FetchCallerIdentity {
        generation: second,
        target,
        ..
    } = h
        .take(|e| matches!(e, Effect::FetchCallerIdentity { .. }))
        .unwrap()
    else {
        unreachable!()
    };
    assert_eq!(target, AwsTarget::Profile("dev".into()));
    let Effect::FetchCallerIdentity {
        generation: first, ..
    } = first
    else {
        unreachable!()
    };
    h.answer(
        first,
        Outcome::CallerIdentity(Ok(CallerIdentity {
            account: "999999999999".into(),
            arn: "old".into(),
            principal: Ok("old".into()),
        })),
    );
    assert_eq!(
        h.app.wizard.shared().caller_account,
        None,
        "a superseded answer must not land"
    );
    h.answer(
        second,
        Outcome::CallerIdentity(Err(ServiceError {
            category: "permission".into(),
            message: "the SSO session for profile dev has expired".into(),
            hint: Some("aws sso login --profile dev".into()),
        })),
    );
    let d = &h.app.wizard.diagnostics()[0];
    assert!(
        d.is_error() && d.hint.as_deref() == Some("aws sso login --profile dev"),
        "{d:?}"
    );
    assert!(h.screen(100, 30).contains("aws sso login --profile dev"));
}

impl Harness {
    fn settle_except_identity(&mut self) {
        let identity: Vec<_> = self
            .pending
            .iter()
            .filter(|e| matches!(e, Effect::FetchCallerIdentity { .. }))
            .cloned()
            .collect();
        self.pending
            .retain(|e| !matches!(e, Effect::FetchCallerIdentity { .. }));
        self.settle();
        self.pending.extend(identity);
    }
}

#[test]
fn a_broken_pack_is_an_error_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.pack.json");
    std::fs::write(&path, "{\n  \"id\": \"x\",\n  \"prompts\": [1,\n}").unwrap();
    let h = Harness::wizard(Answers {
        pack_path: path.display().to_string(),
        ..demo_answers()
    });
    let d = &h.app.wizard.diagnostics()[0];
    assert!(
        d.is_error() && d.message.contains("broken.pack.json:"),
        "{d:?}"
    );
    assert_eq!(h.app.wizard.status(StepId::Pack), StepStatus::Errors);
}

#[test]
fn kms_keys_stream_in_and_ineligible_ones_cannot_be_chosen() {
    let mut h = Harness::wizard(Answers {
        kms: KmsChoice::Undecided,
        ..demo_answers()
    });
    h.goto(StepId::Artifact);
    h.ctrl('n'); // A2A
    h.settle();
    h.ctrl('n'); // Tags
    h.ctrl('n'); // KMS: starts listing
    let Effect::ListKmsKeys {
        generation, region, ..
    } = h.take(|e| matches!(e, Effect::ListKmsKeys { .. })).unwrap()
    else {
        unreachable!()
    };
    assert_eq!(region, "us-east-1");
    assert!(h.app.animating(), "the spinner turns while keys load");
    h.answer(
        generation,
        Outcome::KmsKeys(KeysEvent::Page(demo_keys()[..1].to_vec())),
    );
    assert!(
        h.screen(100, 30)
            .contains("alias/agentcore-recommendations"),
        "the first page shows before the listing ends"
    );
    h.answer(
        generation,
        Outcome::KmsKeys(KeysEvent::Page(demo_keys()[1..].to_vec())),
    );
    h.answer(generation, Outcome::KmsKeys(KeysEvent::Done));
    assert!(!h.app.animating());
    h.type_text("old");
    h.press(KeyCode::Enter);
    assert_eq!(
        h.app.wizard.answers().kms,
        KmsChoice::Undecided,
        "a disabled key is refused"
    );
    assert!(h.screen(100, 30).contains("enable it"));
    h.clear_field();
    h.type_text("alias/agentcore-recommendations");
    h.press(KeyCode::Enter);
    assert!(
        matches!(&h.app.wizard.answers().kms, KmsChoice::Customer { arn } if arn.contains(":key/"))
    );
    assert!(
        h.take(|e| matches!(e, Effect::FetchKeyPolicy { .. }))
            .is_some(),
        "choosing a customer key reads its policy"
    );
    assert_eq!(
        h.app.wizard.current(),
        StepId::Kms,
        "the step stays so the policy analysis can be read"
    );
    h.ctrl('n');
    assert_eq!(h.app.wizard.current(), StepId::Review);
}

/// The KMS step with the emulator's key `alias` chosen and its real policy read.
fn kms_with(alias: &str) -> Harness {
    let mut h = Harness::wizard(Answers {
        kms: KmsChoice::Undecided,
        ..demo_answers()
    });
    h.goto(StepId::Kms);
    h.type_text(alias);
    h.press(KeyCode::Enter);
    h.settle();
    assert_eq!(h.app.wizard.current(), StepId::Kms);
    h
}

fn put_key_policy_effects(h: &Harness) -> usize {
    h.pending
        .iter()
        .filter(|e| matches!(e, Effect::PutKeyPolicy { .. }))
        .count()
}

#[test]
fn a_compliant_key_policy_says_so_and_warns_only_about_key_administration() {
    let h = kms_with("alias/agentcore-recommendations");
    assert!(h.screen(100, 30).contains("three statements are there"));
    // The demo key has seed 000's statements but no administration statement: the analysis
    // says the key could become unmanageable, and nothing else.
    let diags = h.app.wizard.diagnostics();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0].message.contains("change this key policy"),
        "{diags:?}"
    );
    assert_eq!(
        put_key_policy_effects(&h),
        0,
        "reading a policy never puts one"
    );
}

#[test]
fn put_key_policy_only_after_confirmation_then_the_key_is_checked_again() {
    let mut h = kms_with("alias/agentcore-no-service-principal");
    let diags = h.app.wizard.diagnostics().to_vec();
    assert!(
        diags
            .iter()
            .any(|d| d.message.contains("bedrock-agentcore.amazonaws.com")
                && d.hint.as_deref().is_some_and(|x| !x.is_empty())),
        "the missing service principal is a finding with its fix: {diags:?}"
    );
    assert!(
        diags.iter().all(|d| !d.is_error()),
        "findings warn, never block"
    );
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("+ "),
        "the recommended policy shows as a diff:\n{screen}"
    );
    h.apply(Action::Key(KeyEvent::new(
        KeyCode::Down,
        KeyModifiers::SHIFT,
    )));
    assert_ne!(screen, h.screen(100, 30), "Shift-↓ scrolls the diff");
    assert!(
        agentcore_tui::tui::keymap::help_rows(h.app.context())
            .iter()
            .any(|(k, d)| k.to_lowercase() == "ctrl-k" && d.contains("recommended key policy")),
        "the help lists the key that puts the policy"
    );

    // Every way out of the dialog but `y` leaves the key alone; Enter is Cancel.
    for cancel in [KeyCode::Enter, KeyCode::Esc, KeyCode::Char('n')] {
        h.ctrl('k');
        assert_eq!(h.app.context(), Context::KeyPolicyConfirm);
        h.press(cancel);
        assert_eq!(h.app.context(), Context::KmsKeys, "{cancel:?} closes it");
        assert!(
            h.app.overlay.is_none(),
            "Esc in the dialog does not ask to quit"
        );
        assert_eq!(put_key_policy_effects(&h), 0, "{cancel:?} must not put");
    }
    h.type_text("y");
    assert_eq!(
        put_key_policy_effects(&h),
        0,
        "y outside the dialog only filters"
    );
    h.clear_field();
    h.ctrl('k');
    h.press(KeyCode::Char('y'));
    assert_eq!(put_key_policy_effects(&h), 1);
    let Some(Effect::PutKeyPolicy {
        policy, key_arn, ..
    }) = h
        .pending
        .iter()
        .find(|e| matches!(e, Effect::PutKeyPolicy { .. }))
    else {
        unreachable!()
    };
    assert!(key_arn.ends_with(agentcore_emulator::demo::keys::NO_SERVICE_PRINCIPAL));
    assert!(policy.contains("bedrock-agentcore.amazonaws.com"));
    h.settle();
    assert_eq!(
        h.warnings(),
        0,
        "re-read after the put: {:?}",
        h.app.wizard.diagnostics()
    );
    let screen = h.screen(100, 30);
    assert!(screen.contains("PutKeyPolicy done"), "{screen}");
    assert!(screen.contains("three statements are there"), "{screen}");
}

#[test]
fn a_refused_put_is_shown_in_plain_words_and_the_key_is_left_as_it_was() {
    let mut h = kms_with("alias/agentcore-no-service-principal");
    h.ctrl('k');
    h.press(KeyCode::Char('y'));
    let Some(Effect::PutKeyPolicy { generation, .. }) =
        h.take(|e| matches!(e, Effect::PutKeyPolicy { .. }))
    else {
        unreachable!()
    };
    h.answer(
        generation,
        Outcome::KeyPolicyPut(Err(ServiceError {
            category: "permission".into(),
            message: "AgentCoreDeployer may not call kms:PutKeyPolicy on this key".into(),
            hint: Some("ask a key administrator to apply the recommended policy".into()),
        })),
    );
    h.settle();
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("PutKeyPolicy failed (permission)"),
        "{screen}"
    );
    assert!(h.warnings() > 0, "the findings are still there");
}

#[test]
fn aws_owned_key_needs_no_policy_and_moves_on() {
    let mut h = kms_with("alias/agentcore-no-service-principal");
    h.clear_field();
    h.type_text("aws owned");
    h.press(KeyCode::Enter);
    assert_eq!(h.app.wizard.answers().kms, KmsChoice::AwsOwned);
    assert_eq!(h.app.wizard.current(), StepId::Review);
    h.ctrl('p');
    assert_eq!(h.warnings(), 0, "the other key's findings are gone");
}

#[test]
fn snapshot_kms_key_policy() {
    kms_with("alias/agentcore-recommendations").snapshot("kms_policy_compliant");
    let mut h = kms_with("alias/agentcore-no-service-principal");
    h.snapshot("kms_policy_missing_service_principal");
    h.ctrl('k');
    h.snapshot("kms_policy_confirm");
    h.press(KeyCode::Char('y'));
    h.settle();
    h.snapshot("kms_policy_applied");
}

#[test]
fn a_failed_key_listing_can_be_retried_and_aws_owned_still_chosen() {
    let mut h = Harness::wizard(Answers {
        kms: KmsChoice::Undecided,
        ..demo_answers()
    });
    h.goto(StepId::Tags);
    h.ctrl('n');
    let Effect::ListKmsKeys { generation, .. } =
        h.take(|e| matches!(e, Effect::ListKmsKeys { .. })).unwrap()
    else {
        unreachable!()
    };
    h.answer(
        generation,
        Outcome::KmsKeys(KeysEvent::Failed(ServiceError {
            category: "network".into(),
            message: "connection refused".into(),
            hint: None,
        })),
    );
    assert!(h.screen(100, 30).contains("listing keys failed (network)"));
    h.ctrl('r');
    assert!(
        h.take(|e| matches!(e, Effect::ListKmsKeys { .. }))
            .is_some(),
        "Ctrl-R retries"
    );
    h.type_text("aws owned");
    h.press(KeyCode::Enter);
    assert_eq!(h.app.wizard.answers().kms, KmsChoice::AwsOwned);
}

#[test]
fn tags_table_adds_edits_and_flags_duplicates() {
    let mut h = Harness::wizard(demo_answers());
    h.goto(StepId::Tags);
    h.press(KeyCode::Enter); // new row under "team"
    h.type_text("team");
    h.press(KeyCode::Tab);
    h.type_text("other");
    assert!(h.errors() > 0, "a duplicate key is an error");
    assert!(
        h.app
            .wizard
            .diagnostics()
            .iter()
            .any(|d| d.message.contains("more than once"))
    );
    h.ctrl('d');
    assert_eq!(h.errors(), 0);
    assert_eq!(
        h.app.wizard.answers().tags,
        vec![("team".to_string(), "support-platform".to_string())]
    );
    h.press(KeyCode::Enter);
    h.press(KeyCode::Enter); // a blank row is ignored, never an error
    assert_eq!(h.errors(), 0);
}

#[test]
fn jwt_without_discovery_url_is_an_error_and_without_audience_a_warning() {
    let mut h = Harness::wizard(Answers {
        a2a_mode: A2aMode::Jwt,
        ..demo_answers()
    });
    h.goto(StepId::A2a);
    assert!(
        h.app
            .wizard
            .diagnostics()
            .iter()
            .any(|d| d.is_error() && d.field == "a2a_auth.discovery_url")
    );
    h.press(KeyCode::Tab);
    h.type_text(
        "https://cognito-idp.us-east-1.amazonaws.com/pool/.well-known/openid-configuration",
    );
    assert_eq!(h.errors(), 0);
    assert!(
        h.app
            .wizard
            .diagnostics()
            .iter()
            .any(|d| d.field == "a2a_auth.allowed_audience")
    );
    h.press(KeyCode::Enter);
    h.type_text("agents, support");
    assert_eq!(
        h.app.wizard.answers().allowed_audience,
        vec!["agents".to_string(), "support".to_string()]
    );
    assert_eq!((h.errors(), h.warnings()), (0, 0));
}

#[test]
fn next_on_a_valid_review_opens_the_plan() {
    let mut h = at(StepId::Review, demo_answers());
    assert!(
        h.screen(100, 30)
            .contains("Next (Ctrl-N) plans the deployment")
    );
    h.ctrl('n');
    let Some(Effect::Plan { answers, .. }) = h.take(|e| matches!(e, Effect::Plan { .. })) else {
        panic!("Next on a valid review plans: {:?}", h.pending)
    };
    assert_eq!(*answers, *h.app.wizard.answers());
    assert!(!h.app.deploy.is_wizard(), "the plan screen shows");
}

#[test]
fn review_writes_the_config_0600_and_it_loads_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.deploy.json");
    let mut h = Harness::wizard(demo_answers());
    h.goto(StepId::Review);
    h.type_text(&out.display().to_string());
    h.press(KeyCode::Enter);
    let effect = h.take(|e| matches!(e, Effect::WriteConfig { .. })).unwrap();
    let result = runtime::run_local(&effect, None).unwrap();
    h.apply(Action::Task(result));
    assert!(h.screen(100, 30).contains("✓ written to"));
    let text = std::fs::read_to_string(&out).unwrap();
    let cfg = agentcore_tui::config::from_json_str(&text).unwrap();
    assert_eq!(cfg.region, "us-east-1");
    assert_eq!(cfg.a2a_auth.unwrap().mode, "iam");
    assert_eq!(
        cfg.tags.get("team").map(String::as_str),
        Some("support-platform")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn jumping_forward_over_errors_is_refused() {
    let mut h = Harness::wizard(Answers {
        runtime_role_arn: "nope".into(),
        ..demo_answers()
    });
    h.goto(StepId::Role);
    h.goto(StepId::Pack);
    h.app.wizard.jump_to(StepId::Review);
    // Jumping over a step with errors is refused too.
    assert_eq!(h.app.wizard.current(), StepId::Pack);
}

#[test]
fn answers_are_saved_as_you_go() {
    let mut h = Harness::wizard(Answers {
        runtime_role_arn: String::new(),
        ..demo_answers()
    });
    h.goto(StepId::Role);
    h.type_text("arn:aws:iam::111122223333:role/X");
    let last = h.saved.last().unwrap();
    assert_eq!(last.runtime_role_arn, "arn:aws:iam::111122223333:role/X");
}

#[test]
fn saved_answers_are_offered_and_not_overwritten_before_the_answer() {
    let saved = Answers {
        region: "eu-west-1".into(),
        ..demo_answers()
    };
    let mut app = App::new(
        AppOptions {
            initial: Answers::default(),
            offer_saved: true,
        },
        Theme::monochrome(),
        (100, 30),
    );
    let effects = app.init();
    assert!(effects.contains(&Effect::LoadSavedAnswers));
    let typed = app.update(Action::Paste("x".into()));
    assert!(
        !typed.iter().any(|e| matches!(e, Effect::SaveAnswers(_))),
        "nothing saved before the question is settled"
    );
    app.update(Action::Task(TaskResult {
        generation: Gen::default(),
        outcome: Outcome::SavedAnswers(Some(Box::new(saved.clone()))),
    }));
    assert!(matches!(app.overlay, Some(Overlay::Resume(_))));
    let effects = app.update(Action::Key(key(KeyCode::Char('y'))));
    assert_eq!(app.wizard.answers().region, "eu-west-1");
    assert!(
        effects.iter().any(|e| matches!(e, Effect::LoadPack { .. })),
        "the resumed pack is read"
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SaveAnswers(a) if a.region == "eu-west-1"))
    );
}

#[test]
fn help_lists_the_keys_of_the_focused_context_and_closes() {
    let mut h = Harness::wizard(demo_answers());
    h.goto(StepId::Region);
    h.press(KeyCode::F(1));
    assert_eq!(h.app.overlay, Some(Overlay::Help(Context::FilterList)));
    let screen = h.screen(100, 30);
    assert!(
        screen.contains("choose the highlighted entry") && screen.contains("Ctrl-n"),
        "{screen}"
    );
    h.press(KeyCode::Esc);
    assert_eq!(h.app.overlay, None);
    // In a text context `?` types; outside it opens the help.
    h.goto(StepId::A2a);
    h.press(KeyCode::Char('?'));
    assert_eq!(h.app.overlay, Some(Overlay::Help(Context::Choice)));
}

#[test]
fn quitting_asks_first() {
    let mut h = Harness::wizard(demo_answers());
    h.press(KeyCode::Esc);
    assert_eq!(h.app.overlay, Some(Overlay::ConfirmQuit));
    h.press(KeyCode::Char('n'));
    assert!(!h.app.should_quit());
    h.ctrl('c');
    h.press(KeyCode::Char('y'));
    assert!(h.app.should_quit());
}

#[test]
fn a_too_small_terminal_shows_what_is_needed_and_ignores_keys() {
    let mut h = Harness::wizard(demo_answers());
    h.apply(Action::Resize {
        width: 79,
        height: 24,
    });
    h.ctrl('n');
    assert_eq!(h.app.wizard.current(), StepId::Pack);
    let screen = h.screen(79, 24);
    assert!(
        screen.contains("make the terminal bigger") && screen.contains("need 80×24, have 79×24")
    );
    insta::assert_snapshot!("too_small_79x24", screen);
    h.apply(Action::Resize {
        width: 80,
        height: 24,
    });
    h.ctrl('n');
    assert_eq!(h.app.wizard.current(), StepId::Region);
}

#[test]
fn clicking_the_stepper_goes_back_and_scrolling_moves_lists() {
    let mut h = Harness::wizard(demo_answers());
    h.goto(StepId::Role);
    let click = |row| {
        Action::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 3,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // Header row 0, stepper border row 1, step 0 on row 2, step 1 on row 3.
    h.apply(click(3));
    assert_eq!(h.app.wizard.current(), StepId::Region);
    h.apply(click(9)); // Review: not visited yet, so refused
    assert_eq!(h.app.wizard.current(), StepId::Region);
    assert!(h.app.wizard.blocked.is_some());
}

#[test]
fn ticks_redraw_only_while_something_animates() {
    let mut h = Harness::wizard(demo_answers());
    h.app.take_changed();
    h.apply(Action::Tick);
    assert!(
        !h.app.take_changed(),
        "an idle tick must not cause a redraw"
    );
    h.goto(StepId::Artifact);
    h.press(KeyCode::Tab);
    h.clear_field();
    h.type_text("assets/demo/nope");
    assert!(h.app.animating(), "the file check is pending");
    h.app.take_changed();
    h.apply(Action::Tick);
    assert!(h.app.take_changed());
}

#[test]
fn no_color_theme_keeps_errors_distinguishable() {
    let h = Harness::wizard(Answers {
        region: "nope".into(),
        ..demo_answers()
    });
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| ui::render(&h.app, f)).unwrap();
    let buf = terminal.backend().buffer();
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset)
    );
}

// ---- snapshots -----------------------------------------------------------------------------

fn at(step: StepId, answers: Answers) -> Harness {
    let mut h = Harness::wizard(answers);
    h.goto(step);
    h
}

/// A demanding user presses what the footer offers: on every step, each key it shows must do
/// something visible (the step, a field, an overlay or the screen changes).
#[test]
fn every_key_the_wizard_footer_shows_does_something() {
    for step in StepId::ALL {
        let mut h = Harness::new(demo_answers());
        h.goto(step);
        let before = h.buffer(100, 30);
        let keys = common::harness::footer_keys(&h.screen(100, 30));
        assert!(keys.len() >= 3, "{step:?}: {keys:?}");
        for (hint, ev) in keys {
            let mut h = Harness::new(demo_answers());
            h.goto(step);
            h.apply(Action::Key(ev));
            assert!(
                h.buffer(100, 30) != before,
                "{step:?}: the footer offers \"{hint}\" but pressing it changes nothing"
            );
        }
    }
}

#[test]
fn snapshot_pack_step() {
    at(StepId::Pack, demo_answers()).snapshot("pack_valid");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.pack.json");
    std::fs::write(&path, "{\n  \"id\": \"x\",\n  \"prompts\": [1,\n}").unwrap();
    let mut h = Harness::wizard_bare(Answers {
        pack_path: "broken.pack.json".into(),
        ..demo_answers()
    });
    // Read it from the temp dir but keep the displayed path stable for the snapshot.
    let effect = h.take(|e| matches!(e, Effect::LoadPack { .. })).unwrap();
    let Effect::LoadPack { generation, .. } = effect else {
        unreachable!()
    };
    let result = runtime::load_pack(path.clone()).map_err(|mut d| {
        for x in &mut d {
            x.message = x.message.replace(&dir.path().display().to_string(), ".");
        }
        d
    });
    h.answer(generation, Outcome::Pack(result));
    h.settle();
    h.snapshot("pack_error");
    // Loading: nothing answered yet.
    Harness::wizard_bare(demo_answers()).snapshot("pack_loading");
}

#[test]
fn snapshot_region_step() {
    at(StepId::Region, demo_answers()).snapshot("region_valid");
    at(
        StepId::Region,
        Answers {
            region: "ca-central-1".into(),
            ..demo_answers()
        },
    )
    .snapshot("region_warning");
    let mut h = at(
        StepId::Region,
        Answers {
            region: String::new(),
            ..demo_answers()
        },
    );
    h.type_text("oregon-1");
    h.press(KeyCode::Enter);
    h.snapshot("region_error");
}

#[test]
fn snapshot_role_step() {
    at(StepId::Role, demo_answers()).snapshot("role_valid");
    at(
        StepId::Role,
        Answers {
            runtime_role_arn: "arn:aws:iam::123456789012:role/AgentCoreRuntime".into(),
            ..demo_answers()
        },
    )
    .snapshot("role_warning");
    at(
        StepId::Role,
        Answers {
            runtime_role_arn: "AgentCoreRuntime".into(),
            ..demo_answers()
        },
    )
    .snapshot("role_error");
}

#[test]
fn snapshot_artifact_step() {
    at(StepId::Artifact, demo_answers()).snapshot("artifact_valid");
    at(
        StepId::Artifact,
        Answers {
            runtime_binary_path: "assets/demo/missing-binary".into(),
            ..demo_answers()
        },
    )
    .snapshot("artifact_warning");
    at(
        StepId::Artifact,
        Answers {
            artifact_kind: ArtifactKind::ContainerImage,
            container_image_uri: "nginx:latest".into(),
            ..demo_answers()
        },
    )
    .snapshot("artifact_error");
}

#[test]
fn snapshot_a2a_step() {
    at(StepId::A2a, demo_answers()).snapshot("a2a_valid");
    at(
        StepId::A2a,
        Answers {
            a2a_mode: A2aMode::Jwt,
            discovery_url: "http://idp.example.com/.well-known/openid-configuration".into(),
            ..demo_answers()
        },
    )
    .snapshot("a2a_warning");
    at(
        StepId::A2a,
        Answers {
            a2a_mode: A2aMode::Jwt,
            ..demo_answers()
        },
    )
    .snapshot("a2a_error");
}

#[test]
fn snapshot_tags_step() {
    at(StepId::Tags, demo_answers()).snapshot("tags_valid");
    let mut tags = demo_answers().tags;
    tags.push(("aws:owner".into(), "me".into()));
    tags.push(("promptpack:version".into(), "pinned".into()));
    at(
        StepId::Tags,
        Answers {
            tags,
            ..demo_answers()
        },
    )
    .snapshot("tags_warning");
    let tags = vec![
        ("team".into(), "a".into()),
        ("team".into(), "b".into()),
        ("bad{key}".into(), "x".into()),
    ];
    at(
        StepId::Tags,
        Answers {
            tags,
            ..demo_answers()
        },
    )
    .snapshot("tags_error");
}

#[test]
fn snapshot_kms_step() {
    let arn = demo_keys()[0].arn.clone();
    at(
        StepId::Kms,
        Answers {
            kms: KmsChoice::Customer { arn },
            ..demo_answers()
        },
    )
    .snapshot("kms_valid");
    // Warning: a key of the wrong region chosen earlier (e.g. before the region changed).
    let eu = kms_key(
        "eu-recs",
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        "Enabled",
        "CUSTOMER",
        "eu-west-1",
    );
    at(
        StepId::Kms,
        Answers {
            kms: KmsChoice::Customer { arn: eu.arn },
            ..demo_answers()
        },
    )
    .snapshot("kms_warning");
    at(
        StepId::Kms,
        Answers {
            kms: KmsChoice::Undecided,
            ..demo_answers()
        },
    )
    .snapshot("kms_error");
}

#[test]
fn snapshot_review_step() {
    at(StepId::Review, demo_answers()).snapshot("review_valid");
    at(
        StepId::Review,
        Answers {
            runtime_role_arn: "arn:aws:iam::123456789012:role/AgentCoreRuntime".into(),
            ..demo_answers()
        },
    )
    .snapshot("review_warning");
    // Errors block every earlier step, so what can still fail here is the write itself.
    let mut h = at(StepId::Review, demo_answers());
    h.type_text("/proc/no-such-dir/out.json");
    h.press(KeyCode::Enter);
    let effect = h.take(|e| matches!(e, Effect::WriteConfig { .. })).unwrap();
    let result = runtime::run_local(&effect, None).unwrap();
    h.apply(Action::Task(result));
    h.snapshot("review_error");
}

#[test]
fn snapshot_overlays() {
    let mut h = at(StepId::Tags, demo_answers());
    h.press(KeyCode::F(1));
    h.snapshot("help_tags");
    let mut h = at(StepId::Region, demo_answers());
    h.press(KeyCode::Esc);
    h.snapshot("confirm_quit");
}

#[test]
fn a_long_diagnostics_list_scrolls_and_says_what_is_hidden() {
    let mut h = at(StepId::Review, demo_answers());
    h.apply(Action::Resize {
        width: 80,
        height: 24,
    });
    let first = h.screen(80, 24);
    assert!(first.contains("more Ctrl-↓"), "{first}");
    let last = h.app.wizard.diagnostics().last().unwrap().message.clone();
    let tail: String = last.chars().take(20).collect();
    assert!(!first.contains(&tail));
    for _ in 0..40 {
        h.apply(Action::Key(KeyEvent::new(
            KeyCode::Down,
            KeyModifiers::CONTROL,
        )));
    }
    let scrolled = h.screen(80, 24);
    assert!(
        scrolled.contains("Ctrl-↑") && !scrolled.contains("more Ctrl-↓"),
        "{scrolled}"
    );
    h.apply(Action::Key(KeyEvent::new(
        KeyCode::Up,
        KeyModifiers::CONTROL,
    )));
    assert!(
        h.screen(80, 24).contains("more Ctrl-↓"),
        "one step back up shows a hidden line again"
    );
    h.ctrl('p');
    assert_eq!(
        h.app.wizard.diag_scroll, 0,
        "another step starts at the top"
    );
}

#[test]
fn every_help_fits_the_smallest_terminal() {
    let mut h = Harness::wizard(demo_answers());
    for step in StepId::ALL {
        h.goto(step);
        h.press(KeyCode::F(1));
        let screen = h.screen(80, 24);
        assert!(
            screen.contains("closes this help"),
            "help of {step:?} is cut at 80x24:\n{screen}"
        );
        h.press(KeyCode::Esc);
    }
}

// ---- targets from the machine's AWS settings --------------------------------------------

fn fresh() -> Answers {
    Answers {
        target: None,
        region: String::new(),
        ..demo_answers()
    }
}

fn with_environment(environment: TargetsFound) -> Harness {
    let mut h = Harness::bare(fresh()).with_world(World {
        environment,
        ..world()
    });
    h.settle();
    h
}

#[test]
fn exported_keys_are_a_target_and_aws_region_is_proposed() {
    let mut h = with_environment(TargetsFound {
        env_credentials: true,
        env_region: Some("eu-west-1".into()),
        ..TargetsFound::default()
    });
    let screen = h.screen(100, 30);
    assert!(screen.contains("○ environment credentials"), "{screen}");
    assert_eq!(
        h.app.wizard.shared().target,
        None,
        "nothing chosen by itself"
    );
    // Local emulator, then the environment: choose it.
    h.press(KeyCode::Tab);
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    h.settle();
    assert_eq!(h.app.wizard.shared().target, Some(AwsTarget::Environment));
    assert_eq!(h.app.wizard.shared().region(), "eu-west-1");
    assert!(
        h.screen(100, 30)
            .contains("environment credentials · account 111122223333"),
        "{}",
        h.screen(100, 30)
    );
}

#[test]
fn aws_profile_is_preselected_labelled_and_its_region_proposed() {
    let h = with_environment(TargetsFound {
        profiles: vec![
            ProfileEntry {
                name: "corp".into(),
                kind: Some("SSO".into()),
                region: Some("eu-central-1".into()),
            },
            ProfileEntry {
                name: "ci".into(),
                kind: Some("credential_process".into()),
                region: None,
            },
        ],
        env_profile: Some("corp".into()),
        endpoint: Some("http://localhost:4566".into()),
        ..TargetsFound::default()
    });
    let shared = h.app.wizard.shared();
    assert_eq!(shared.target, Some(AwsTarget::Profile("corp".into())));
    assert_eq!(shared.region(), "eu-central-1");
    assert_eq!(shared.caller_account.as_deref(), Some("111122223333"));
    let screen = h.screen(120, 30);
    assert!(
        screen.contains("● profile corp (SSO, eu-central-1)"),
        "{screen}"
    );
    assert!(
        screen.contains("○ profile ci (credential_process)"),
        "{screen}"
    );
    assert!(
        screen.contains("endpoint http://localhost:4566"),
        "{screen}"
    );
}

#[test]
fn a_saved_target_is_not_overridden_by_aws_profile() {
    let mut h = Harness::bare(demo_answers()).with_world(World {
        environment: TargetsFound {
            profiles: vec![ProfileEntry::named("corp")],
            env_profile: Some("corp".into()),
            env_region: Some("eu-west-1".into()),
            ..TargetsFound::default()
        },
        ..world()
    });
    h.settle();
    let shared = h.app.wizard.shared();
    assert_eq!(shared.target, demo_answers().target);
    assert_eq!(shared.region(), demo_answers().region);
}

#[test]
fn a_denied_get_role_says_so_and_names_the_flag_that_takes_the_role() {
    let mut world = world();
    world.caller.principal = Err(ServiceError {
        category: "permission".into(),
        message:
            "iam:GetRole was denied for role AWSReservedSSO_Admin_0123, so its path is unknown"
                .into(),
        hint: Some(
            "check the key from a shell with `agentcore-tui keys check KEY --role ROLE_ARN`".into(),
        ),
    });
    let mut h = Harness::bare(Answers {
        kms: KmsChoice::Undecided,
        ..demo_answers()
    })
    .with_world(world);
    h.settle();
    h.goto(StepId::Kms);
    h.type_text("alias/agentcore-recommendations");
    h.press(KeyCode::Enter);
    h.settle();
    let policy = h
        .app
        .wizard
        .diagnostics()
        .iter()
        .find(|d| d.field == "kms_key.policy")
        .expect("a key-policy warning");
    assert!(
        policy
            .message
            .contains("the key policy cannot be checked: iam:GetRole was denied"),
        "{policy:?}"
    );
    assert!(
        policy.hint.as_deref().unwrap().contains("--role ROLE_ARN"),
        "{policy:?}"
    );
}

/// The pack step's "Will create N" and the plan of the same pack and answers count the same
/// resources (the shared gateway and policy engine included).
#[test]
fn the_pack_step_counts_what_the_plan_creates() {
    let screen = at(StepId::Pack, demo_answers()).screen(100, 30);
    let shown: usize = screen
        .split("Will create ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count on the pack step:\n{screen}"));
    let answers = demo_answers();
    let pack = agentcore_tui::pack::load_path(std::path::Path::new(&answers.pack_path)).unwrap();
    let cfg = agentcore_tui::services::answers::deploy_config(&answers);
    let plan = agentcore_tui::derive::derive(&pack, &cfg).unwrap();
    let report = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(agentcore_tui::deploy::plan::plan(
            &plan,
            &agentcore_tui::deploy::state::DeployState::default(),
            None,
            None,
        ))
        .unwrap();
    let creates = report.count(agentcore_tui::deploy::plan::Action::Create);
    assert_eq!(shown, creates, "{screen}");
    assert_eq!(creates, report.items.len());
}

/// An AWS call that has waited a second says what it waits for, over the footer; Esc then
/// asks the runtime to cancel that call (it does not go back a step), and the line goes.
#[test]
fn a_call_in_flight_shows_its_wait_and_esc_cancels_it() {
    use agentcore_tui::tui::msg::call::CallMsg;
    let mut h = at(StepId::Region, demo_answers());
    h.apply(Action::Call(CallMsg::Started {
        id: 7,
        operation: "GetCallerIdentity",
        endpoint: "http://127.0.0.1:9".into(),
        deadline_secs: 60,
    }));
    assert!(!h.screen(100, 30).contains("Waiting for"), "not before 1 s");
    h.apply(Action::Call(CallMsg::Waiting {
        id: 7,
        elapsed_secs: 3,
    }));
    let screen = h.screen(100, 30);
    assert!(
        screen.contains(
            "Waiting for GetCallerIdentity at http://127.0.0.1:9: 3 s of 60 s · Esc cancels"
        ),
        "{screen}"
    );
    h.snapshot("wait_line");
    h.press(KeyCode::Esc);
    assert!(
        h.take(|e| matches!(e, Effect::CancelCall { id: 7 }))
            .is_some(),
        "{:?}",
        h.pending
    );
    assert_eq!(
        h.app.wizard.current(),
        StepId::Region,
        "Esc went back a step"
    );
    assert!(!h.screen(100, 30).contains("Waiting for"));
    // Once the call has ended, Esc is the screen's again.
    h.apply(Action::Call(CallMsg::Ended { id: 7 }));
    h.press(KeyCode::Esc);
    assert!(h.take(|e| matches!(e, Effect::CancelCall { .. })).is_none());
}
