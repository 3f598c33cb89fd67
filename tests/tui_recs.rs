//! Recommendation screens driven headlessly: keys and task results go through `App::update`,
//! effects are inspected, screens are rendered on a `TestBackend` and snapshotted. The last test
//! runs the real runtime and services against the emulator: seed 000's table through the UI.

use std::time::Duration;

use agentcore_tui::kms::activity::KmsEvent;
use agentcore_tui::recommend::model::{ConfigView, ResultView, ToolResult, TracesView};
use agentcore_tui::recommend::{Detail, Status, Summary, ToolText};
use agentcore_tui::tui::action::Action;
use agentcore_tui::tui::app::{App, Overlay};
use agentcore_tui::tui::effect::Effect;
use agentcore_tui::tui::keymap::{self, Context};
use agentcore_tui::tui::msg::recs::{Place, RecsEffect, RecsOutcome};
use agentcore_tui::tui::persist::Answers;
use agentcore_tui::tui::screens::recs::Screen;
use agentcore_tui::tui::services::{AwsTarget, KEY_UNAVAILABLE, ServiceError};
use agentcore_tui::tui::slot::Gen;
use agentcore_tui::tui::theme::Theme;
use agentcore_tui::tui::ui;
use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

mod common;
use common::harness::{ACCOUNT, Harness};

const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn arn(id: &str) -> String {
    format!("arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:recommendation/{id}")
}

fn summary(id: &str, name: &str, status: Status, tools: bool, minute: u32) -> Summary {
    let at = Utc.with_ymd_and_hms(2026, 1, 5, 9, minute, 0).unwrap();
    Summary {
        id: id.into(),
        arn: arn(id),
        name: name.into(),
        description: None,
        rec_type: if tools {
            "TOOL_DESCRIPTION_RECOMMENDATION"
        } else {
            "SYSTEM_PROMPT_RECOMMENDATION"
        }
        .into(),
        status,
        created_at: at,
        updated_at: at,
    }
}

fn page_one() -> Vec<Summary> {
    vec![
        summary(
            "rec-a1b2c3d4e5f6",
            "support_prompt_v2",
            Status::Completed,
            false,
            1,
        ),
        summary(
            "rec-b2c3d4e5f6a1",
            "billing_tools",
            Status::InProgress,
            true,
            2,
        ),
        summary(
            "rec-c3d4e5f6a1b2",
            "triage_prompt",
            Status::Failed,
            false,
            3,
        ),
    ]
}

fn page_two() -> Vec<Summary> {
    vec![
        summary(
            "rec-d4e5f6a1b2c3",
            "support_tools",
            Status::Pending,
            true,
            4,
        ),
        summary(
            "rec-e5f6a1b2c3d4",
            "returns_agent_prompt",
            Status::Completed,
            false,
            5,
        ),
    ]
}

fn traces() -> Option<TracesView> {
    Some(TracesView {
        source: "cloudwatchLogs".into(),
        log_group_arns: vec![format!(
            "arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/bedrock-agentcore/runtimes/support-DEFAULT"
        )],
        service_names: vec!["support.DEFAULT".into()],
        start: Some(Utc.with_ymd_and_hms(2026, 1, 4, 9, 0, 0).unwrap()),
        end: Some(Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap()),
    })
}

fn prompt_detail() -> Detail {
    Detail {
        summary: page_one()[0].clone(),
        kms_key_arn: Some(KEY_ARN.into()),
        config: ConfigView::SystemPrompt {
            text: Some("You are a support agent.\nBe brief.".into()),
            bundle_arn: None,
            traces: traces(),
            evaluators: vec!["arn:aws:bedrock-agentcore:::evaluator/Builtin.Helpfulness".into()],
        },
        result: Some(ResultView::SystemPrompt {
            recommended: Some(
                "You are a support agent.\nBe brief, and cite the order id you looked up.".into(),
            ),
            explanation: Some("Traces show answers without the order they refer to.".into()),
            error_code: None,
            error_message: None,
        }),
    }
}

fn tools_detail() -> Detail {
    Detail {
        summary: Summary {
            status: Status::Completed,
            ..page_one()[1].clone()
        },
        kms_key_arn: None,
        config: ConfigView::ToolDescription {
            tools: vec![
                ToolText {
                    name: "lookup_order".into(),
                    description: "Finds an order".into(),
                },
                ToolText {
                    name: "refund".into(),
                    description: "Refunds".into(),
                },
            ],
            bundle_arn: None,
            traces: traces(),
        },
        result: Some(ResultView::ToolDescription {
            tools: vec![
                ToolResult {
                    name: "lookup_order".into(),
                    recommended: Some(
                        "Finds one order by its id (ORD-123) and returns its status and items."
                            .into(),
                    ),
                    explanation: Some("Callers passed names instead of ids.".into()),
                },
                ToolResult {
                    name: "refund".into(),
                    recommended: Some("Refunds an order that has been delivered.".into()),
                    explanation: None,
                },
            ],
            error_code: None,
            error_message: None,
        }),
    }
}

fn failed_detail() -> Detail {
    Detail {
        summary: page_one()[2].clone(),
        kms_key_arn: None,
        config: ConfigView::SystemPrompt {
            text: Some("You triage tickets.".into()),
            bundle_arn: None,
            traces: traces(),
            evaluators: vec![],
        },
        result: Some(ResultView::SystemPrompt {
            recommended: None,
            explanation: None,
            error_code: Some("InsufficientTraces".into()),
            error_message: Some("No agent traces were found in the time window.".into()),
        }),
    }
}

fn key_disabled() -> ServiceError {
    ServiceError {
        category: KEY_UNAVAILABLE.into(),
        message: "key alias/agentcore-recommendations is disabled: re-enable it to read this recommendation; listing and deleting still work".into(),
        hint: None,
    }
}

fn events() -> Vec<KmsEvent> {
    let ev = |minute: u32, name: &str, principal: &str, rec: &str| {
        let rec_arn = arn(rec);
        KmsEvent {
            time: Utc.with_ymd_and_hms(2026, 1, 5, 10, minute, 0).unwrap(),
            name: name.into(),
            principal: principal.into(),
            invoked_by: None,
            key_arn: Some(KEY_ARN.into()),
            encryption_context: [(
                "aws:bedrock-agentcore:recommendationArn".to_string(),
                rec_arn.clone(),
            )]
            .into(),
            recommendation_arn: Some(rec_arn),
            error_code: None,
            error_message: None,
        }
    };
    let role = format!("arn:aws:sts::{ACCOUNT}:assumed-role/AgentCoreDeployer/demo");
    vec![
        ev(9, "Decrypt", &role, "rec-a1b2c3d4e5f6"),
        ev(
            8,
            "GenerateDataKey",
            "bedrock-agentcore.amazonaws.com",
            "rec-a1b2c3d4e5f6",
        ),
        ev(
            7,
            "Decrypt",
            "bedrock-agentcore.amazonaws.com",
            "rec-e5f6a1b2c3d4",
        ),
        ev(6, "GenerateDataKey", &role, "rec-e5f6a1b2c3d4"),
    ]
}

impl Harness {
    /// Nothing started, the local emulator and a region chosen.
    fn local() -> Self {
        Self::unstarted(Answers {
            target: Some(AwsTarget::Local),
            region: "us-east-1".into(),
            ..Answers::default()
        })
    }

    /// F2, then the two pages and the end of the listing.
    fn loaded() -> Self {
        let mut h = Self::local();
        h.press(KeyCode::F(2));
        let g = list_generation(&h.take_recs());
        h.answer_recs(g, RecsOutcome::Page(page_one()));
        h.answer_recs(g, RecsOutcome::Page(page_two()));
        h.answer_recs(g, RecsOutcome::ListDone);
        h
    }

    /// The list, then Enter on the row named `name`, answered with `detail`.
    fn detail(name: &str, detail: Result<Detail, ServiceError>) -> Self {
        let mut h = Self::loaded();
        h.select(name);
        h.press(KeyCode::Enter);
        let effects = h.take_recs();
        let g = match effects.as_slice() {
            [RecsEffect::Get { generation, id, .. }] => {
                assert_eq!(
                    Some(id.as_str()),
                    h.app
                        .recs
                        .list
                        .items()
                        .iter()
                        .find(|s| s.name == name)
                        .map(|s| s.id.as_str())
                );
                *generation
            }
            other => panic!("expected one GetRecommendation, got {other:?}"),
        };
        h.answer_recs(g, RecsOutcome::Detail(detail.map(Box::new)));
        h
    }

    fn select(&mut self, name: &str) {
        for _ in 0..20 {
            self.press(KeyCode::Up);
        }
        for _ in 0..20 {
            if self.app.recs.list.selected().map(|s| s.name.as_str()) == Some(name) {
                return;
            }
            self.press(KeyCode::Down);
        }
        panic!("{name} is not in the list");
    }

    fn snap(&mut self, name: &str) {
        for (w, h) in [(100, 30), (80, 24)] {
            let screen = self.resized_screen(w, h);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
        }
    }

    fn names(&self) -> Vec<String> {
        self.app
            .recs
            .list
            .visible()
            .map(|s| s.name.clone())
            .collect()
    }
}

fn list_generation(effects: &[RecsEffect]) -> Gen {
    match effects {
        [RecsEffect::List { generation, place }] => {
            assert_eq!(
                place,
                &Place {
                    target: AwsTarget::Local,
                    region: "us-east-1".into()
                }
            );
            *generation
        }
        other => panic!("expected one ListRecommendations, got {other:?}"),
    }
}

#[test]
fn list_loading_then_pages_stream_in() {
    let mut h = Harness::local();
    h.press(KeyCode::F(2));
    assert!(h.app.recs.is_open());
    assert_eq!(h.app.context(), Context::RecList);
    let g = list_generation(&h.take_recs());
    h.snap("list_loading");
    // The first page is on screen before the listing ends.
    h.answer_recs(g, RecsOutcome::Page(page_one()));
    assert_eq!(h.names().len(), 3);
    assert!(h.resized_screen(100, 30).contains("support_prompt_v2"));
    h.answer_recs(g, RecsOutcome::Page(page_two()));
    h.answer_recs(g, RecsOutcome::ListDone);
    // Newest first.
    assert_eq!(
        h.names(),
        [
            "returns_agent_prompt",
            "support_tools",
            "triage_prompt",
            "billing_tools",
            "support_prompt_v2"
        ]
    );
    h.snap("list_loaded");
}

#[test]
fn stale_pages_are_dropped() {
    let mut h = Harness::local();
    h.press(KeyCode::F(2));
    let first = list_generation(&h.take_recs());
    h.ch('r');
    let second = list_generation(&h.take_recs());
    assert_ne!(first, second);
    h.answer_recs(first, RecsOutcome::Page(page_one()));
    assert!(
        h.names().is_empty(),
        "a page of a superseded listing was shown"
    );
    h.answer_recs(second, RecsOutcome::Page(page_two()));
    h.answer_recs(first, RecsOutcome::ListDone);
    assert!(
        h.app.recs.list.loading(),
        "the old listing's end ended the new one"
    );
    h.answer_recs(second, RecsOutcome::ListDone);
    assert!(!h.app.recs.list.loading());
    assert_eq!(h.names(), ["returns_agent_prompt", "support_tools"]);
}

#[test]
fn filter_as_you_type_and_sort() {
    let mut h = Harness::loaded();
    h.ch('/');
    assert_eq!(h.app.context(), Context::RecFilter);
    h.type_text("supp");
    assert_eq!(h.names(), ["support_tools", "support_prompt_v2"]);
    // Letters bound in the list (d, s, q) type while filtering.
    h.type_text(" tools");
    assert_eq!(h.names(), ["support_tools"]);
    h.snap("list_filtered");
    h.press(KeyCode::Backspace);
    h.press(KeyCode::Backspace);
    h.press(KeyCode::Backspace);
    h.press(KeyCode::Backspace);
    h.press(KeyCode::Backspace);
    h.press(KeyCode::Backspace);
    assert_eq!(h.names().len(), 2);
    h.type_text("zzz");
    assert!(h.names().is_empty());
    h.snap("list_filtered_empty");
    h.press(KeyCode::Esc);
    assert_eq!(h.app.context(), Context::RecList);
    assert_eq!(h.names().len(), 5, "Esc in the filter clears it");
    h.ch('s');
    assert_eq!(
        h.names(),
        [
            "billing_tools",
            "returns_agent_prompt",
            "support_prompt_v2",
            "support_tools",
            "triage_prompt"
        ]
    );
    h.ch('s');
    assert_eq!(
        h.names()[..2],
        ["returns_agent_prompt", "support_prompt_v2"],
        "COMPLETED sorts first, newest first among them"
    );
    // A status word filters too.
    h.ch('/');
    h.type_text("failed");
    assert_eq!(h.names(), ["triage_prompt"]);
}

#[test]
fn empty_and_failed_lists() {
    let mut h = Harness::local();
    h.press(KeyCode::F(2));
    let g = list_generation(&h.take_recs());
    h.answer_recs(g, RecsOutcome::ListDone);
    assert!(
        h.resized_screen(100, 30)
            .contains("No recommendations in this region yet")
    );
    h.snap("list_empty");

    let mut h = Harness::local();
    h.press(KeyCode::F(2));
    let g = list_generation(&h.take_recs());
    h.answer_recs(
        g,
        RecsOutcome::ListFailed(ServiceError {
            category: "permission".into(),
            message: "AccessDeniedException: not authorized to perform bedrock-agentcore:ListRecommendations".into(),
            hint: Some("add bedrock-agentcore:ListRecommendations to the role".into()),
        }),
    );
    h.snap("list_error");
    h.ch('r');
    list_generation(&h.take_recs());

    // No account chosen yet: nothing is asked, the list says what is missing.
    let mut h = Harness::unstarted(Answers::default());
    h.press(KeyCode::F(2));
    assert!(h.take_recs().is_empty());
    assert!(
        h.resized_screen(100, 30)
            .contains("choose an AWS profile or the local emulator first")
    );
}

#[test]
fn multi_select_and_delete_confirmation_defaults_to_cancel() {
    let mut h = Harness::loaded();
    // Mark two rows with Space (each moves down one).
    h.select("support_tools");
    h.ch(' ');
    h.select("billing_tools");
    h.ch(' ');
    assert_eq!(h.app.recs.list.marked.len(), 2);
    // Unmark and re-mark toggles.
    h.select("billing_tools");
    h.ch(' ');
    assert_eq!(h.app.recs.list.marked.len(), 1);
    h.select("billing_tools");
    h.ch(' ');
    h.ch('d');
    assert_eq!(h.app.context(), Context::RecDelete);
    h.snap("delete_confirm");
    // Enter with nothing moved presses Cancel.
    h.press(KeyCode::Enter);
    assert!(h.app.recs.confirm.is_none());
    assert!(h.take_recs().is_empty(), "Cancel must not delete");
    h.ch('d');
    h.press(KeyCode::Right);
    h.press(KeyCode::Enter);
    let effects = h.take_recs();
    let (g, ids) = match effects.as_slice() {
        [
            RecsEffect::Delete {
                generation, ids, ..
            },
        ] => (*generation, ids.clone()),
        other => panic!("expected one delete, got {other:?}"),
    };
    assert_eq!(ids, ["rec-d4e5f6a1b2c3", "rec-b2c3d4e5f6a1"], "list order");
    h.answer_recs(
        g,
        RecsOutcome::Deleted {
            id: ids[0].clone(),
            result: Ok(Status::Deleting),
        },
    );
    h.answer_recs(
        g,
        RecsOutcome::Deleted {
            id: ids[1].clone(),
            result: Err(ServiceError {
                category: "resource".into(),
                message: "ConflictException: it is being updated".into(),
                hint: None,
            }),
        },
    );
    h.answer_recs(g, RecsOutcome::DeleteDone);
    assert!(!h.names().contains(&"support_tools".to_string()));
    assert!(h.names().contains(&"billing_tools".to_string()));
    assert!(
        h.resized_screen(100, 30)
            .contains("could not delete billing_tools: ConflictException")
    );
    // The one that failed stays marked, to retry; y deletes directly from the dialog.
    assert_eq!(h.app.recs.list.marked.len(), 1);
    h.select("triage_prompt");
    h.ch('d');
    h.press(KeyCode::Esc);
    assert!(h.take_recs().is_empty(), "Esc keeps them");
    h.ch('d');
    h.ch('y');
    assert!(matches!(
        h.take_recs().as_slice(),
        [RecsEffect::Delete { ids, .. }] if ids == &["rec-b2c3d4e5f6a1"]
    ));
    // With nothing marked, the highlighted one is deleted.
    h.select("billing_tools");
    h.ch(' ');
    h.select("triage_prompt");
    h.ch('d');
    h.ch('y');
    assert!(matches!(
        h.take_recs().as_slice(),
        [RecsEffect::Delete { ids, .. }] if ids == &["rec-c3d4e5f6a1b2"]
    ));
}

#[test]
fn detail_completed_prompt_is_a_diff() {
    let mut h = Harness::detail("support_prompt_v2", Ok(prompt_detail()));
    assert_eq!(h.app.context(), Context::RecDetail);
    let screen = h.resized_screen(100, 30);
    assert!(screen.contains("- Be brief."), "{screen}");
    assert!(screen.contains("+ Be brief, and cite the order id you looked up."));
    assert!(screen.contains(KEY_ARN));
    h.snap("detail_completed");
    // The key column learned the CMK.
    h.press(KeyCode::Esc);
    assert_eq!(h.app.context(), Context::RecList);
    assert!(h.resized_screen(100, 30).contains("CMK"));
}

#[test]
fn detail_copies_with_osc52_effect() {
    let mut h = Harness::detail("support_prompt_v2", Ok(prompt_detail()));
    h.ch('c');
    assert!(
        h.pending
            .iter()
            .any(|e| matches!(e, Effect::CopyToClipboard(t) if t.contains("cite the order id")))
    );
    h.ch('a');
    assert!(
        h.pending
            .iter()
            .any(|e| matches!(e, Effect::CopyToClipboard(t) if t == &arn("rec-a1b2c3d4e5f6")))
    );
}

#[test]
fn detail_tools_side_by_side() {
    let mut h = Harness::detail("billing_tools", Ok(tools_detail()));
    let screen = h.resized_screen(100, 30);
    assert!(screen.contains("Original"), "{screen}");
    assert!(screen.contains("│ Finds one order by its id"));
    h.snap("detail_tools");
}

#[test]
fn detail_failed() {
    let mut h = Harness::detail("triage_prompt", Ok(failed_detail()));
    assert!(h.resized_screen(100, 30).contains("InsufficientTraces"));
    h.snap("detail_failed");
}

#[test]
fn detail_key_disabled_says_what_still_works() {
    let mut h = Harness::detail("support_prompt_v2", Err(key_disabled()));
    let screen = h.resized_screen(100, 30);
    assert!(screen.contains("is disabled: re-enable it to read this recommendation"));
    assert!(screen.contains("What still works"));
    h.snap("detail_key_disabled");
    h.press(KeyCode::Esc);
    assert!(h.resized_screen(100, 30).contains("CMK✗"));
    // Delete from the detail still asks first.
    h.select("support_prompt_v2");
    h.press(KeyCode::Enter);
    h.take_recs();
    h.ch('d');
    assert_eq!(h.app.context(), Context::RecDelete);
}

#[test]
fn stale_detail_is_dropped() {
    let mut h = Harness::loaded();
    h.select("support_prompt_v2");
    h.press(KeyCode::Enter);
    let old = match h.take_recs().as_slice() {
        [RecsEffect::Get { generation, .. }] => *generation,
        other => panic!("{other:?}"),
    };
    h.press(KeyCode::Esc);
    h.select("triage_prompt");
    h.press(KeyCode::Enter);
    h.answer_recs(old, RecsOutcome::Detail(Ok(Box::new(prompt_detail()))));
    match &h.app.recs.screen {
        Screen::Detail(d) => {
            assert!(
                d.loading && d.detail.is_none(),
                "an answer for another detail was shown"
            )
        }
        _ => panic!("not on the detail"),
    }
}

#[test]
fn unfinished_rows_are_re_read_on_a_timer() {
    let mut h = Harness::loaded();
    assert!(h.app.animating());
    let screen = h.resized_screen(100, 30);
    assert!(
        screen.contains("2 running, re-read every 5s (next in 5s)"),
        "{screen}"
    );
    let mut refresh = None;
    for _ in 0..60 {
        h.apply(Action::Tick);
        if let Some(r) = h.take_recs().into_iter().next() {
            refresh = Some(r);
            break;
        }
    }
    let (g, ids) = match refresh {
        Some(RecsEffect::Refresh {
            generation, ids, ..
        }) => (generation, ids),
        other => panic!("no refresh: {other:?}"),
    };
    assert_eq!(ids, ["rec-d4e5f6a1b2c3", "rec-b2c3d4e5f6a1"]);
    let done = tools_detail();
    h.answer_recs(
        g,
        RecsOutcome::Refreshed(vec![
            (ids[1].clone(), Ok(done)),
            (ids[0].clone(), Err(key_disabled())),
        ]),
    );
    let billing = h
        .app
        .recs
        .list
        .items()
        .iter()
        .find(|s| s.name == "billing_tools")
        .unwrap();
    assert_eq!(billing.status, Status::Completed);
    assert!(h.resized_screen(100, 30).contains("1 running"));
}

#[test]
fn kms_activity_filtered_by_recommendation() {
    let mut h = Harness::loaded();
    h.select("support_prompt_v2");
    h.ch('K');
    assert_eq!(h.app.context(), Context::RecActivity);
    let g = match h.take_recs().as_slice() {
        [RecsEffect::Activity { generation, .. }] => *generation,
        other => panic!("{other:?}"),
    };
    h.answer_recs(g, RecsOutcome::Activity(Ok(events())));
    let screen = h.resized_screen(100, 30);
    assert!(screen.contains("2 of 4 KMS event(s)"), "{screen}");
    assert!(
        screen.contains("aws:bedrock-agentcore:recommendationArn"),
        "{screen}"
    );
    assert!(screen.contains(
        "= arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/rec-a1b2c3d4e5f6"
    ));
    h.snap("kms_activity_one");
    // Clearing the filter shows all, named from the list.
    h.ch('/');
    h.press(KeyCode::Esc);
    let screen = h.resized_screen(100, 30);
    assert!(screen.contains("4 of 4"));
    assert!(screen.contains("returns_agent_prompt"));
    h.snap("kms_activity_all");
    h.ch('/');
    h.type_text("returns");
    assert!(h.resized_screen(100, 30).contains("2 of 4"));
    // Back to the list, then back to where the recommendations were opened from.
    h.press(KeyCode::Enter);
    h.press(KeyCode::Esc);
    assert_eq!(h.app.context(), Context::RecList);
    h.press(KeyCode::Esc);
    assert!(!h.app.recs.is_open());
    assert_ne!(h.app.context(), Context::RecList);
}

#[test]
fn reachable_from_anywhere_and_listed_in_help() {
    let mut h = Harness::local();
    // F3 opens the KMS activity directly, F2 the list; both are in the wizard's help.
    let rows = keymap::help_rows(h.app.context());
    assert!(
        rows.iter()
            .any(|(k, d)| k == "F2" && d.starts_with("recommendations"))
    );
    assert!(
        rows.iter()
            .any(|(k, d)| k == "F3" && d.starts_with("KMS activity"))
    );
    h.press(KeyCode::F(3));
    assert_eq!(h.app.context(), Context::RecActivity);
    assert_eq!(h.take_recs().len(), 2, "the list and the activity load");
    h.ch('?');
    assert!(matches!(
        h.app.overlay,
        Some(Overlay::Help(Context::RecActivity))
    ));
    h.snap("help_activity");
    h.press(KeyCode::Esc);
    h.ch('b');
    assert_eq!(h.app.context(), Context::RecList);
    h.ch('q');
    assert_eq!(h.app.overlay, Some(Overlay::ConfirmQuit));
    // The deploy screens list them too.
    for ctx in [
        Context::Plan,
        Context::Run,
        Context::Status,
        Context::Review,
    ] {
        assert!(
            keymap::help_rows(ctx).iter().any(|(k, _)| k == "F2"),
            "{ctx:?}"
        );
    }
}

#[test]
fn every_recs_key_is_in_its_help() {
    for ctx in [
        Context::RecList,
        Context::RecFilter,
        Context::RecDetail,
        Context::RecActivity,
        Context::RecDelete,
        Context::RecStart,
    ] {
        let rows = keymap::help_rows(ctx);
        assert!(!rows.is_empty(), "{ctx:?}");
        for b in keymap::bindings(ctx) {
            assert!(
                rows.iter().any(|(_, d)| *d == b.help),
                "{ctx:?}: {} missing from help",
                b.help
            );
        }
    }
}

/// Seed 000's table through the UI against the emulator, with the real runtime and services:
/// a recommendation encrypted with a CMK reads fine; the key is disabled; reading it fails with
/// the plain message; listing and deleting it still work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_000_through_the_ui_against_the_emulator() {
    use agentcore_emulator::{Config, Emulator, Timing};
    use agentcore_tui::aws::Clients;
    use agentcore_tui::recommend::{Input, Recommendations, StartRequest, Traces};
    use agentcore_tui::tui::runtime::Runtime;
    use agentcore_tui::tui::sdk_services::SdkServices;
    use std::sync::Arc;

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
    let key = recs
        .keys()
        .describe("alias/agentcore-recommendations")
        .await
        .unwrap();
    let now = Utc::now();
    let started = recs
        .start(&StartRequest {
            name: "seed_000_ui".into(),
            description: None,
            input: Input::SystemPrompt("You are a helpful assistant.".into()),
            traces: Traces {
                log_group_arns: vec![format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/bedrock-agentcore/sessions/my-agent")],
                service_names: vec!["my-agent.DEFAULT".into()],
                start: now - chrono::Duration::hours(24),
                end: now,
            },
            evaluators: vec!["Builtin.Helpfulness".into()],
            tags: Default::default(),
            kms_key_arn: Some(key.arn.clone()),
        })
        .await
        .unwrap();
    recs.wait(&started.id, Duration::from_secs(10), |_| {})
        .await
        .unwrap();

    let services = SdkServices::new(None);
    services
        .preload(AwsTarget::Local, "us-east-1", clients.clone())
        .await;
    let (runtime, mut rx) = Runtime::start(Arc::new(services), None);
    let mut h = Harness::local();
    // Runs what the app asked for and feeds the answers back until `done` holds.
    async fn settle(
        h: &mut Harness,
        runtime: &Runtime,
        rx: &mut tokio::sync::mpsc::Receiver<Action>,
        done: impl Fn(&App) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            runtime.execute_all(std::mem::take(&mut h.pending));
            if done(&h.app) {
                return;
            }
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(a)) => h.apply(a),
                _ => panic!("the UI never got there"),
            }
        }
    }

    h.press(KeyCode::F(2));
    settle(&mut h, &runtime, &mut rx, |a| {
        !a.recs.list.loading() && !a.recs.list.items().is_empty()
    })
    .await;
    let listed = h.app.recs.list.items().len();
    assert!(listed > 1, "the demo world's recommendations and ours");
    h.select("seed_000_ui");
    h.press(KeyCode::Enter);
    settle(
        &mut h,
        &runtime,
        &mut rx,
        |a| matches!(&a.recs.screen, Screen::Detail(d) if !d.loading),
    )
    .await;
    let screen = h.resized_screen(100, 30);
    assert!(screen.contains(&key.arn[..40]), "{screen}");
    assert!(screen.contains("System prompt"), "{screen}");

    // Disable the key: reading fails in plain words.
    recs.keys()
        .client()
        .disable_key()
        .key_id(&key.arn)
        .send()
        .await
        .unwrap();
    h.ch('r');
    settle(
        &mut h,
        &runtime,
        &mut rx,
        |a| matches!(&a.recs.screen, Screen::Detail(d) if !d.loading),
    )
    .await;
    let Screen::Detail(d) = &h.app.recs.screen else {
        panic!()
    };
    let err = d
        .error
        .clone()
        .expect("reading must fail with the key disabled");
    assert_eq!(err.category, KEY_UNAVAILABLE);
    assert!(
        err.message.contains("alias/agentcore-recommendations is disabled: re-enable it to read this recommendation; listing and deleting still work"),
        "{}",
        err.message
    );
    assert!(h.resized_screen(100, 30).contains("What still works"));

    // Listing still works.
    h.press(KeyCode::Esc);
    h.ch('r');
    settle(&mut h, &runtime, &mut rx, |a| {
        !a.recs.list.loading() && !a.recs.list.items().is_empty()
    })
    .await;
    assert_eq!(h.app.recs.list.items().len(), listed);

    // Deleting still works: the row goes, and so does the recommendation.
    let before = emu.resource_counts()["recommendation"];
    h.select("seed_000_ui");
    h.ch('d');
    h.press(KeyCode::Right);
    h.press(KeyCode::Enter);
    settle(&mut h, &runtime, &mut rx, |a| !a.recs.list.deleting()).await;
    assert!(
        h.app.recs.list.notice().is_none(),
        "{:?}",
        h.app.recs.list.notice()
    );
    assert!(!h.names().contains(&"seed_000_ui".to_string()));
    assert!(
        recs.get(&started.id).await.is_err(),
        "the recommendation is still there"
    );
    assert!(emu.resource_counts()["recommendation"] < before || before == 0);

    // Its KMS activity shows the Decrypt that failed on the disabled key among the others.
    h.ch('K');
    settle(
        &mut h,
        &runtime,
        &mut rx,
        |a| matches!(&a.recs.screen, Screen::Activity(x) if !x.loading),
    )
    .await;
    let Screen::Activity(a) = &h.app.recs.screen else {
        panic!()
    };
    assert!(a.failed.is_none(), "{:?}", a.failed);
    emu.shutdown().await;
}

fn key_info(alias: &str, id: &str, state: &str) -> agentcore_tui::tui::services::KeyInfo {
    agentcore_tui::tui::services::KeyInfo {
        key_id: id.into(),
        arn: format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{id}"),
        aliases: vec![alias.into()],
        description: String::new(),
        key_spec: "SYMMETRIC_DEFAULT".into(),
        key_usage: "ENCRYPT_DECRYPT".into(),
        key_state: state.into(),
        key_manager: "CUSTOMER".into(),
    }
}

impl Harness {
    fn tab_to(&mut self, n: usize) {
        for _ in 0..n {
            self.press(KeyCode::Tab);
        }
    }

    /// The start form open from the list, its key picker answered with two keys.
    fn form() -> Self {
        let mut h = Self::loaded();
        h.ch('n');
        assert_eq!(h.app.context(), Context::RecStart);
        let g = match h.take_recs().as_slice() {
            [RecsEffect::Keys { generation, place }] => {
                assert_eq!(place.region, "us-east-1");
                *generation
            }
            other => panic!("the picker must list the keys: {other:?}"),
        };
        h.answer_recs(
            g,
            RecsOutcome::Keys(agentcore_tui::tui::services::KeysEvent::Page(vec![
                key_info(
                    "alias/agentcore-recommendations",
                    "1234abcd-12ab-34cd-56ef-1234567890ab",
                    "Enabled",
                ),
                key_info(
                    "alias/agentcore-disabled",
                    "2234abcd-12ab-34cd-56ef-1234567890ab",
                    "Disabled",
                ),
            ])),
        );
        h.answer_recs(
            g,
            RecsOutcome::Keys(agentcore_tui::tui::services::KeysEvent::Done),
        );
        h
    }

    fn form_errors(&self) -> Vec<String> {
        self.app
            .recs
            .form
            .as_ref()
            .unwrap()
            .diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.field.clone())
            .collect()
    }
}

#[test]
fn start_form_checks_locally_and_sends_nothing_while_in_error() {
    let mut h = Harness::form();
    // Name, prompt, log group, service name and key are missing.
    let errors = h.form_errors();
    for f in [
        "name",
        "systemPrompt",
        "logGroupArns",
        "serviceNames",
        "kms_key",
    ] {
        assert!(errors.iter().any(|e| e == f), "{f} not flagged: {errors:?}");
    }
    h.ctrl('s');
    assert!(
        h.take_recs().is_empty(),
        "an invalid request must not be sent"
    );
    let screen = h.resized_screen(100, 30);
    assert!(
        screen.contains("✗ not started: 5 error(s) below"),
        "{screen}"
    );
    h.type_text("1 bad name");
    h.tab_to(3);
    h.type_text("/aws/not-an-arn");
    // The disabled key is refused by the picker with its reason.
    h.tab_to(5);
    h.type_text("disabled");
    h.press(KeyCode::Enter);
    let screen = h.resized_screen(100, 30);
    assert!(
        screen.contains("alias/agentcore-disabled: disabled — enable it"),
        "{screen}"
    );
    h.snap("start_invalid");
    let errors = h.form_errors();
    assert!(errors.contains(&"name".to_string()) && errors.contains(&"logGroupArns".to_string()));
}

/// Each key the footer of the list, a detail and the start form shows does something: the
/// screen changes, or the app asks for something (a copy, a request).
#[test]
fn every_key_a_recs_footer_shows_does_something() {
    type Open = fn() -> Harness;
    let screens: [(&str, Open); 3] = [
        ("list", Harness::loaded),
        ("detail", || {
            Harness::detail("support_prompt_v2", Ok(prompt_detail()))
        }),
        ("start form", Harness::form),
    ];
    for (name, open) in screens {
        let h = open();
        let before = h.buffer(100, 30);
        let keys = common::harness::footer_keys(&h.screen(100, 30));
        assert!(keys.len() >= 3, "{name}: {keys:?}");
        for (hint, ev) in keys {
            let mut h = open();
            let asked = h.pending.len();
            h.apply(Action::Key(ev));
            // Copying shows nothing; its effect (OSC 52) is what it does.
            assert!(
                h.buffer(100, 30) != before || h.pending.len() > asked,
                "{name}: the footer offers \"{hint}\" but pressing it changes nothing"
            );
        }
    }
}

/// The footer offers help; `?` cannot be it here, since the fields take it as text.
#[test]
fn start_form_help_opens_with_f1_while_a_question_mark_is_typed() {
    let mut h = Harness::form();
    h.type_text("why?");
    assert!(h.app.overlay.is_none());
    assert!(h.resized_screen(100, 30).contains("why?"));
    assert!(h.resized_screen(100, 30).contains("F1 help"));
    h.press(KeyCode::F(1));
    assert!(matches!(
        h.app.overlay,
        Some(Overlay::Help(Context::RecStart))
    ));
    let screen = h.resized_screen(100, 30);
    assert!(
        screen.contains("start it (only once nothing is in error)"),
        "{screen}"
    );
    h.press(KeyCode::Esc);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.context(), Context::RecStart);
}

#[test]
fn start_form_sends_a_valid_request_and_the_new_one_is_watched() {
    let mut h = Harness::form();
    h.type_text("support_prompt_v3");
    h.tab_to(2);
    h.type_text("You are a support agent.");
    h.press(KeyCode::Tab);
    h.type_text(&format!(
        "arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/bedrock-agentcore/runtimes/support-DEFAULT"
    ));
    h.press(KeyCode::Tab);
    h.type_text("support.DEFAULT");
    h.tab_to(3);
    h.type_text("team=support");
    h.press(KeyCode::Tab);
    h.type_text("agentcore-rec");
    h.press(KeyCode::Enter);
    assert!(h.form_errors().is_empty(), "{:?}", h.form_errors());
    // Choosing a customer managed key checks its policy; findings warn but do not block.
    let g = match h.take_recs().as_slice() {
        [
            RecsEffect::CheckKeyPolicy {
                generation,
                key_arn,
                ..
            },
        ] => {
            assert_eq!(key_arn, KEY_ARN);
            *generation
        }
        other => panic!("expected a policy check, got {other:?}"),
    };
    h.answer_recs(
        g,
        RecsOutcome::KeyPolicy(Ok(agentcore_tui::tui::services::PolicyCheck {
            key_arn: KEY_ARN.into(),
            compliant: false,
            findings: vec![
                agentcore_tui::config::Diagnostic::warning(
                    "kms_key.policy",
                    "permission",
                    "no statement lets bedrock-agentcore.amazonaws.com use the key",
                )
                .with_hint(
                    "add AllowServicePrincipalAccess scoped by aws:SourceAccount and aws:SourceArn",
                ),
            ],
            diff: vec![],
        })),
    );
    let screen = h.resized_screen(100, 30);
    assert!(screen.contains("⚠ key policy: 1 finding(s)"), "{screen}");
    assert!(screen.contains("no statement lets bedrock-agentcore.amazonaws.com use the key"));
    assert!(h.form_errors().is_empty());
    h.snap("start_valid");
    h.ctrl('s');
    let effects = h.take_recs();
    let (g, req, file) = match effects.as_slice() {
        [
            RecsEffect::Start {
                generation,
                request,
                input_file,
                ..
            },
        ] => (*generation, request.clone(), input_file.clone()),
        other => panic!("expected a start, got {other:?}"),
    };
    assert!(file.is_none());
    assert_eq!(req.name, "support_prompt_v3");
    assert_eq!(req.kms_key_arn.as_deref(), Some(KEY_ARN));
    assert_eq!(req.evaluators, ["Builtin.Helpfulness"]);
    assert_eq!(req.tags.get("team").map(String::as_str), Some("support"));
    assert_eq!((req.traces.end - req.traces.start).num_hours(), 24);
    // Sending twice is refused while the first is in flight.
    h.ctrl('s');
    assert!(h.take_recs().is_empty());
    let started = summary(
        "rec-f6a1b2c3d4e5",
        "support_prompt_v3",
        Status::Pending,
        false,
        30,
    );
    h.answer_recs(g, RecsOutcome::Started(Ok(started)));
    assert_eq!(h.app.context(), Context::RecList);
    assert_eq!(
        h.app.recs.list.selected().map(|s| s.name.as_str()),
        Some("support_prompt_v3")
    );
    assert!(h.app.recs.form.is_none());
}

#[test]
fn start_form_from_a_file_reads_it_when_sending() {
    let mut h = Harness::form();
    h.type_text("from_file");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Right);
    h.press(KeyCode::Right);
    h.press(KeyCode::Tab);
    h.type_text("prompt.txt");
    h.press(KeyCode::Tab);
    h.type_text(&format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/x"));
    h.press(KeyCode::Tab);
    h.type_text("x.DEFAULT");
    h.tab_to(4);
    h.type_text("AWS owned");
    h.press(KeyCode::Enter);
    assert!(h.form_errors().is_empty(), "{:?}", h.form_errors());
    h.ctrl('s');
    match h.take_recs().as_slice() {
        [
            RecsEffect::Start {
                request,
                input_file,
                ..
            },
        ] => {
            assert_eq!(
                input_file.as_deref(),
                Some(std::path::Path::new("prompt.txt"))
            );
            assert_eq!(request.kms_key_arn, None);
        }
        other => panic!("{other:?}"),
    }
}

/// Start → watch to COMPLETED → detail → delete, all through the UI, the real runtime and
/// services, against the emulator (its recommendations take about a second to finish).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_watch_detail_delete_against_the_emulator() {
    use agentcore_emulator::{Config, Emulator, Timing};
    use agentcore_tui::aws::Clients;
    use agentcore_tui::tui::runtime::Runtime;
    use agentcore_tui::tui::sdk_services::SdkServices;
    use std::sync::Arc;

    let emu = Emulator::start(Config {
        timing: Timing {
            recommendation_pending: Duration::from_millis(300),
            recommendation_running: Duration::from_millis(700),
            ..Timing::instant()
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let clients = Clients::for_endpoint(&emu.endpoint_url(), "us-east-1")
        .await
        .unwrap();
    let services = SdkServices::new(None);
    services
        .preload(AwsTarget::Local, "us-east-1", clients.clone())
        .await;
    let (runtime, mut rx) = Runtime::start(Arc::new(services), None);
    let mut h = Harness::local();
    // Runs the app's effects and feeds back answers, ticking while idle, until `done` holds.
    async fn run_until(
        h: &mut Harness,
        runtime: &Runtime,
        rx: &mut tokio::sync::mpsc::Receiver<Action>,
        what: &str,
        done: impl Fn(&App) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            runtime.execute_all(std::mem::take(&mut h.pending));
            if done(&h.app) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "never got to: {what}"
            );
            match tokio::time::timeout(Duration::from_millis(20), rx.recv()).await {
                Ok(Some(a)) => h.apply(a),
                Ok(None) => panic!("runtime gone"),
                Err(_) => h.apply(Action::Tick),
            }
        }
    }

    h.press(KeyCode::F(2));
    run_until(&mut h, &runtime, &mut rx, "the list", |a| {
        !a.recs.list.loading()
    })
    .await;
    h.ch('n');
    run_until(&mut h, &runtime, &mut rx, "the keys", |a| {
        a.recs.form.as_ref().is_some_and(|f| !f.picker.busy())
    })
    .await;
    h.type_text("watched_in_the_ui");
    h.tab_to(2);
    h.type_text("You are a helpful assistant.");
    h.press(KeyCode::Tab);
    h.type_text(&format!(
        "arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/bedrock-agentcore/sessions/my-agent"
    ));
    h.press(KeyCode::Tab);
    h.type_text("my-agent.DEFAULT");
    h.tab_to(4);
    h.type_text("agentcore-recommendations");
    h.press(KeyCode::Enter);
    assert!(h.form_errors().is_empty(), "{:?}", h.form_errors());
    run_until(&mut h, &runtime, &mut rx, "the policy check", |a| {
        a.recs.form.as_ref().is_some_and(|f| f.policy.is_some())
    })
    .await;
    let policy = h.app.recs.form.as_ref().unwrap().policy.clone().unwrap();
    assert!(
        policy.as_ref().is_ok_and(|p| p.compliant),
        "the demo world's correct key: {policy:?}"
    );
    h.ctrl('s');
    run_until(&mut h, &runtime, &mut rx, "started", |a| {
        a.recs.form.is_none()
    })
    .await;
    assert_eq!(h.app.context(), Context::RecList);
    // The list re-reads it until it is finished.
    run_until(&mut h, &runtime, &mut rx, "COMPLETED", |a| {
        a.recs
            .list
            .items()
            .iter()
            .any(|s| s.name == "watched_in_the_ui" && s.status == Status::Completed)
    })
    .await;
    h.select("watched_in_the_ui");
    assert!(
        h.resized_screen(100, 30).contains("CMK"),
        "the refresh learned its key"
    );
    h.press(KeyCode::Enter);
    run_until(
        &mut h,
        &runtime,
        &mut rx,
        "the detail",
        |a| matches!(&a.recs.screen, Screen::Detail(d) if !d.loading),
    )
    .await;
    let screen = h.resized_screen(100, 30);
    assert!(
        screen.contains("+ "),
        "a recommended prompt as a diff: {screen}"
    );
    h.ch('d');
    h.ch('y');
    run_until(&mut h, &runtime, &mut rx, "deleted", |a| {
        !a.recs.list.deleting()
            && !a
                .recs
                .list
                .items()
                .iter()
                .any(|s| s.name == "watched_in_the_ui")
    })
    .await;
    assert_eq!(h.app.context(), Context::RecList);
    emu.shutdown().await;
}

#[test]
fn statuses_are_coloured_unless_no_color() {
    use ratatui::style::Color;
    let mut h = Harness::loaded();
    h.app.theme = Theme::color();
    // Highlight a row that is not checked, so the selection colours do not hide the others.
    h.select("returns_agent_prompt");
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| ui::render(&h.app, f)).unwrap();
    let buf = terminal.backend().buffer().clone();
    let fg_of = |word: &str, row_name: &str| {
        let y = (0..30u16)
            .find(|&y| {
                let line: String = (0..100u16).map(|x| buf[(x, y)].symbol()).collect();
                line.contains(row_name)
            })
            .expect("row on screen");
        let line: String = (0..100u16).map(|x| buf[(x, y)].symbol()).collect();
        let x = line.find(word).expect("word in row");
        let x = u16::try_from(line[..x].chars().count()).unwrap();
        buf[(x, y)].fg
    };
    assert_eq!(fg_of("FAILED", "triage_prompt"), Color::Red);
    assert_eq!(fg_of("COMPLETED", "support_prompt_v2"), Color::Green);
    assert_eq!(fg_of("IN_PROGRESS", "billing_tools"), Color::Yellow);
    assert_eq!(fg_of("PENDING", "support_tools"), Color::Yellow);
    // NO_COLOR: the monochrome theme sets no colour at all.
    h.app.theme = Theme::monochrome();
    terminal.draw(|f| ui::render(&h.app, f)).unwrap();
    let buf = terminal.backend().buffer();
    for y in 0..30u16 {
        for x in 0..100u16 {
            assert_eq!(buf[(x, y)].fg, Color::Reset, "colour at {x},{y}");
        }
    }
}

const EVIL: &str = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nFAKE OK";

fn assert_no_control_in(buf: &ratatui::buffer::Buffer) {
    for cell in &buf.content {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "a control character reached the screen: {:?}",
            cell.symbol()
        );
    }
}

#[test]
fn escape_sequences_from_aws_are_shown_not_obeyed() {
    // An id, a name and an error message holding ESC, BEL, CR and a newline.
    let mut h = Harness::local();
    h.press(KeyCode::F(2));
    let g = list_generation(&h.take_recs());
    let mut evil = summary(
        "r\u{1b}[2J\u{7}",
        &format!("n{EVIL}"),
        Status::Completed,
        false,
        1,
    );
    evil.arn = arn(EVIL);
    h.answer_recs(g, RecsOutcome::Page(vec![evil]));
    h.answer_recs(g, RecsOutcome::ListDone);
    let buf = h.buffer(200, 30);
    assert_no_control_in(&buf);
    let screen = h.resized_screen(200, 30);
    assert!(
        screen.contains("nevil\\e]0;pwned\\u{7}\\e[2J\\r\\nFAKE OK"),
        "{screen}"
    );
    assert!(screen.contains(" r\\e[2J"), "the id: {screen}");
    assert!(
        !screen.lines().any(|l| l.starts_with("FAKE OK")),
        "{screen}"
    );

    let mut h = Harness::local();
    h.press(KeyCode::F(2));
    let g = list_generation(&h.take_recs());
    h.answer_recs(
        g,
        RecsOutcome::ListFailed(ServiceError {
            category: "permission".into(),
            message: format!("AccessDeniedException: {EVIL}"),
            hint: None,
        }),
    );
    assert_no_control_in(&h.buffer(120, 30));
    let screen = h.resized_screen(120, 30);
    assert!(
        screen.contains("AccessDeniedException: evil\\e]0;pwned"),
        "{screen}"
    );

    let h = Harness::detail(
        "support_prompt_v2",
        Err(ServiceError {
            category: "resource".into(),
            message: format!("GetRecommendation: {EVIL}"),
            hint: Some(format!("hint {EVIL}")),
        }),
    );
    assert_no_control_in(&h.buffer(120, 30));
    let screen = h.screen(120, 30);
    assert!(
        screen.contains("GetRecommendation: evil\\e]0;pwned\\u{7}\\e[2J"),
        "{screen}"
    );
}
