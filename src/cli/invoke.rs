//! `agentcore-tui invoke`: one prompt to a deployed runtime, its answer printed as it streams.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::aws_args::{fail_aws, fail_diags};
use super::exit;
use super::monitor_target::{self, Failure, MonitorArgs};
use super::render::{self, out, outln};
use crate::monitor::invoke;

#[derive(Debug, Args)]
pub struct InvokeArgs {
    #[command(flatten)]
    pub common: MonitorArgs,
    /// The runtime: an agent of the pack (e.g. triage) or its AWS runtime name
    #[arg(long, value_name = "NAME")]
    pub runtime: String,
    /// What to send; the agent receives {"prompt": TEXT}
    #[arg(long, value_name = "TEXT")]
    pub prompt: String,
    /// Continue a session (33–256 characters; an earlier invoke prints its id)
    #[arg(long, value_name = "ID")]
    pub session: Option<String>,
}

pub fn run(args: &InvokeArgs) -> ExitCode {
    let json = args.common.input.json;
    if let Some(Err(e)) = args.session.as_deref().map(invoke::check_session) {
        return fail_aws(json, &e);
    }
    super::runtime().block_on(async {
        let (clients, rt) = match monitor_target::find(&args.common, Some(&args.runtime)).await {
            Ok(v) => v,
            Err(Failure::Input(d)) => return fail_diags(json, "invoke", &d),
            Err(Failure::Aws(e)) => return fail_aws(json, &e),
        };
        let streamed = |text: &str| {
            if !json {
                out!("{text}");
            }
        };
        match invoke::invoke(
            &clients,
            &rt,
            &args.prompt,
            args.session.as_deref(),
            streamed,
        )
        .await
        {
            Ok(a) => {
                if json {
                    let mut v = json!({ "ok": true });
                    v.as_object_mut()
                        .expect("object")
                        .extend(json!(a).as_object().cloned().unwrap_or_default());
                    render::emit_json(&v);
                } else {
                    outln!();
                    outln!(
                        "session {} · first byte {} ms · total {} ms",
                        render::shown(&a.session_id),
                        a.first_byte_ms,
                        a.latency_ms
                    );
                }
                ExitCode::from(exit::OK)
            }
            Err(e) => fail_aws(json, &e),
        }
    })
}
