//! The real effects runtime against an endpoint that accepts connections and never answers: the
//! call is reported in flight, Esc cancels it long before its deadline, and the screen gets a
//! "cancelled" error it can retry from; a run of recommendation deletes stops at the one in flight.

use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use agentcore_tui::tui::action::Action;
use agentcore_tui::tui::effect::Effect;
use agentcore_tui::tui::msg::call::CallMsg;
use agentcore_tui::tui::msg::recs::{Place, RecsEffect, RecsOutcome};
use agentcore_tui::tui::msg::wizard::Outcome;
use agentcore_tui::tui::runtime::Runtime;
use agentcore_tui::tui::services::AwsTarget;
use agentcore_tui::tui::slot::Gen;

fn silent_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_cancels_a_call_to_an_endpoint_that_never_answers() {
    let url = silent_endpoint();
    let data = tempfile::tempdir().unwrap();
    // SAFETY: the only test of this binary; set before any thread reads the environment.
    unsafe {
        std::env::set_var("AWS_ENDPOINT_URL", &url);
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "secret");
        std::env::set_var("AGENTCORE_TUI_DATA_DIR", data.path());
        std::env::remove_var("AWS_PROFILE");
        std::env::remove_var("AGENTCORE_TUI_TIMEOUT");
    }
    let services = std::sync::Arc::new(agentcore_tui::tui::sdk_services::SdkServices::new(None));
    let (rt, mut rx) = Runtime::start(services, None);
    let started = tokio::time::Instant::now();
    rt.execute(Effect::FetchCallerIdentity {
        generation: Gen::default(),
        target: AwsTarget::Environment,
        region: "us-east-1".into(),
    });
    let id = match next(&mut rx).await {
        Action::Call(CallMsg::Started {
            id,
            operation,
            endpoint,
            deadline_secs,
        }) => {
            assert_eq!(operation, "GetCallerIdentity");
            assert_eq!(endpoint, url);
            assert_eq!(deadline_secs, 60);
            id
        }
        other => panic!("{other:?}"),
    };
    match next(&mut rx).await {
        Action::Call(CallMsg::Waiting {
            id: w,
            elapsed_secs,
        }) => {
            assert_eq!((w, elapsed_secs), (id, 1));
        }
        other => panic!("{other:?}"),
    }
    rt.execute(Effect::CancelCall { id });
    let mut ended = false;
    loop {
        match next(&mut rx).await {
            Action::Call(CallMsg::Ended { id: e }) if e == id => ended = true,
            Action::Call(CallMsg::Waiting { .. }) => {}
            Action::Task(t) => {
                let Outcome::CallerIdentity(Err(e)) = t.outcome else {
                    panic!("{:?}", t.outcome)
                };
                assert_eq!(e.category, "cancelled");
                assert!(e.message.contains("cancelled"), "{}", e.message);
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(ended, "the wait line is told the call ended");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "Esc did not end the wait: {:?}",
        started.elapsed()
    );

    // A run of deletes is one call for Esc: the one in flight is reported cancelled, the rest
    // never start, and the list is told the run is over.
    rt.execute(Effect::Recs(RecsEffect::Delete {
        generation: Gen::default(),
        place: Place {
            target: AwsTarget::Environment,
            region: "us-east-1".into(),
        },
        ids: vec!["rec-aaaaaaaaaa".into(), "rec-bbbbbbbbbb".into()],
    }));
    let id = match next(&mut rx).await {
        Action::Call(CallMsg::Started { id, operation, .. }) => {
            assert_eq!(operation, "DeleteRecommendation");
            id
        }
        other => panic!("{other:?}"),
    };
    rt.execute(Effect::CancelCall { id });
    let mut deleted = Vec::new();
    loop {
        match next(&mut rx).await {
            Action::Call(_) => {}
            Action::Recs(m) => match m.outcome {
                RecsOutcome::Deleted { id, result } => {
                    let e = result.expect_err("nothing answers, so nothing is deleted");
                    assert_eq!(e.category, "cancelled");
                    deleted.push(id);
                }
                RecsOutcome::DeleteDone => break,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(deleted, ["rec-aaaaaaaaaa"]);
}

async fn next(rx: &mut tokio::sync::mpsc::Receiver<Action>) -> Action {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("the runtime went quiet")
        .expect("the runtime's channel closed")
}
