//! `agentcore-tui logs`: a runtime's CloudWatch log lines, once or followed until Ctrl-C.

use std::process::ExitCode;

use clap::Args;

use super::aws_args::{fail, fail_aws, fail_diags};
use super::exit;
use super::monitor_target::{self, Failure, MonitorArgs};
use super::render::{self, errln, outln, shown};
use crate::aws::{self, Category};
use crate::config::Diagnostic;
use crate::monitor::logs::{self, Backoff, Filter, Level, Line, Tail};

#[derive(Debug, Args)]
pub struct LogsArgs {
    #[command(flatten)]
    pub common: MonitorArgs,
    /// The runtime: an agent of the pack or its AWS runtime name (default: the entry runtime)
    #[arg(long, value_name = "NAME")]
    pub runtime: Option<String>,
    /// How far back to start: a number and s, m, h or d
    #[arg(long, value_name = "DURATION", default_value = "10m")]
    pub since: String,
    /// Keep printing new lines until Ctrl-C
    #[arg(long)]
    pub follow: bool,
    /// Hide lines below this level: trace, debug, info, warn or error (lines stating no level stay)
    #[arg(long, value_name = "L")]
    pub level: Option<String>,
    /// Only lines containing this text (case-sensitive)
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
}

/// Text lines name their group by label (`runtime`, `pack`) when there are two; `--json` lines
/// always carry the group's full name.
fn print(json: bool, tail: &Tail, line: &Line) {
    if json {
        render::emit_json_line(line);
    } else if tail.sources.len() > 1 {
        outln!(
            "{} {:<5} [{}] {}",
            logs::time_text(line.timestamp),
            line.level.map_or("-", Level::as_str),
            tail.label_of(&line.group),
            shown(&line.message)
        );
    } else {
        outln!(
            "{} {:<5} {}",
            logs::time_text(line.timestamp),
            line.level.map_or("-", Level::as_str),
            shown(&line.message)
        );
    }
}

/// With `--json` every line of stdout is one JSON object, failures included (the one error
/// shape, on one line).
fn failed(json: bool, e: &aws::Error) -> ExitCode {
    if !json {
        return fail_aws(json, e);
    }
    render::emit_json_line(&render::error_json(
        &e.category.to_string(),
        &e.message,
        e.hint.as_deref(),
        Some(&e.operation),
        serde_json::json!({ "code": e.code }),
    ));
    ExitCode::from(exit::INVALID)
}

fn bad_flag(json: bool, message: &str, hint: &str) -> ExitCode {
    if !json {
        return fail(
            json,
            "configuration",
            message,
            Some(hint),
            serde_json::json!({}),
        );
    }
    render::emit_json_line(&render::error_json(
        "configuration",
        message,
        Some(hint),
        Some("logs"),
        serde_json::json!({}),
    ));
    ExitCode::from(exit::INVALID)
}

fn bad_input(json: bool, diags: &[Diagnostic]) -> ExitCode {
    let Some(first) = diags.iter().find(|d| d.is_error()).filter(|_| json) else {
        return fail_diags(json, "logs", diags);
    };
    let mut v = render::error_json(
        &first.category,
        &first.message,
        first.hint.as_deref(),
        Some("logs"),
        serde_json::json!({}),
    );
    v["errors"] = serde_json::json!(diags.iter().filter(|d| d.is_error()).collect::<Vec<_>>());
    render::emit_json_line(&v);
    ExitCode::from(exit::INVALID)
}

fn empty_note(tail: &Tail, since: &str) {
    let groups = tail
        .sources
        .iter()
        .map(|s| shown(&s.group).into_owned())
        .collect::<Vec<_>>()
        .join(" or ");
    let what = if tail.all_missing() {
        let n = if tail.sources.len() > 1 {
            "log groups"
        } else {
            "log group"
        };
        format!(
            "{n} {groups} {} not exist yet",
            if tail.sources.len() > 1 { "do" } else { "does" }
        )
    } else {
        format!("no log lines in {groups} in the last {}", shown(since))
    };
    errln!("{what}: logs can take a minute to appear after the runtime's first invoke");
}

pub fn run(args: &LogsArgs) -> ExitCode {
    let json = args.common.input.json;
    let since = match logs::parse_since(&args.since) {
        Ok(d) => d,
        Err(m) => return bad_flag(json, &m, "e.g. --since 30s, 10m, 2h or 1d"),
    };
    let level = match args.level.as_deref().map(|l| (l, Level::parse(l))) {
        None => None,
        Some((_, Some(l))) => Some(l),
        Some((raw, None)) => {
            return bad_flag(
                json,
                &format!("--level {}: not a level", crate::sanitize::quote(raw)),
                "use trace, debug, info, warn or error",
            );
        }
    };
    let filter = Filter {
        level,
        text: args.filter.clone().filter(|t| !t.is_empty()),
    };
    super::runtime().block_on(async {
        let (clients, rt) = match monitor_target::find(&args.common, args.runtime.as_deref()).await
        {
            Ok(v) => v,
            Err(Failure::Input(d)) => return bad_input(json, &d),
            Err(Failure::Aws(e)) => return failed(json, &e),
        };
        let client = clients.logs();
        let ctx = clients.error_context();
        let start = chrono::Utc::now().timestamp_millis()
            - i64::try_from(since.as_millis()).unwrap_or(i64::MAX);
        let mut tail = Tail::new(rt.log_groups(), start);
        if !json && tail.sources.len() > 1 {
            let legend: Vec<String> = tail
                .sources
                .iter()
                .map(|s| format!("[{}] {}", s.label, shown(&s.group)))
                .collect();
            errln!("reading {}", legend.join(", "));
        }
        let mut backoff = Backoff::new();
        let mut shown_before = false;
        let mut noted = false;
        loop {
            let got = match logs::fetch_all(&client, &ctx, &tail.reads(), &filter).await {
                Ok(fetched) => tail.take(fetched),
                // A tail rides out a network blip; anything else is for the user to fix.
                Err(e)
                    if args.follow
                        && matches!(e.category, Category::Network | Category::Timeout) =>
                {
                    errln!("{} (retrying)", shown(&e.message));
                    Vec::new()
                }
                Err(e) => return failed(json, &e),
            };
            let shown_any = !got.is_empty();
            for line in &got {
                print(json, &tail, line);
            }
            shown_before |= shown_any;
            if !shown_before && !noted {
                empty_note(&tail, &args.since);
                noted = true;
            }
            if !args.follow {
                return ExitCode::from(exit::OK);
            }
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return ExitCode::from(exit::OK),
                _ = tokio::time::sleep(backoff.after(shown_any)) => {}
            }
        }
    })
}
