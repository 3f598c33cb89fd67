//! `recs list|get|start|delete`: AgentCore recommendations from scripts and CI.

use super::render::{errln, outln, shown};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use serde_json::json;

use super::aws_args::{AwsArgs, connect, fail, fail_aws, print_json};
use super::exit;
use crate::aws::Clients;
use crate::config::Diagnostic;
use crate::kms::keys::Keys;
use crate::kms::policy::{self, LineChange, Requirement};
use crate::recommend::diff::text_diff;
use crate::recommend::request::{self, tools_from_json};
use crate::recommend::{
    ConfigView, Detail, Input, RecError, RecType, Recommendations, ResultView, StartRequest,
    Status, Summary, Traces,
};
use crate::services::key_policy;

#[derive(Debug, Args)]
pub struct RecsArgs {
    #[command(subcommand)]
    pub command: RecsCommand,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Subcommand)]
pub enum RecsCommand {
    /// List recommendations, page by page as they arrive
    List {
        /// Only this status: PENDING, IN_PROGRESS, COMPLETED, FAILED or DELETING
        #[arg(long)]
        status: Option<String>,
        /// Only those whose name, id, status or type contain every word of this text
        #[arg(long)]
        filter: Option<String>,
    },
    /// One recommendation: its config, the key that encrypts it, and its result
    Get {
        /// The recommendation's id or ARN
        #[arg(value_parser = clap::builder::NonEmptyStringValueParser::new())]
        id: String,
        /// Wait until it is COMPLETED or FAILED, printing each status change
        #[arg(long)]
        wait: bool,
        /// With --wait: give up after this many seconds
        #[arg(long, default_value_t = 600)]
        timeout: u64,
    },
    /// Start a recommendation (checked locally first)
    Start(Box<StartArgs>),
    /// Delete recommendations (asks first unless --yes)
    Delete {
        /// Do not ask
        #[arg(long)]
        yes: bool,
        #[arg(required = true, value_name = "ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
        ids: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct StartArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub description: Option<String>,
    /// system-prompt or tool-description
    #[arg(long = "type", short = 't', default_value = "system-prompt")]
    pub rec_type: String,
    /// The system prompt text (system-prompt), or tools as JSON {"name": "description"} (tool-description)
    #[arg(long, conflicts_with_all = ["file", "pack"])]
    pub inline: Option<String>,
    /// File with the system prompt text, or tools as JSON
    #[arg(long, value_name = "PATH", conflicts_with = "pack")]
    pub file: Option<PathBuf>,
    /// Take the input from a pack: a prompt's system_template, or the pack's tools
    #[arg(long, value_name = "PACK")]
    pub pack: Option<PathBuf>,
    /// With --pack: which prompt (needed when the pack has several)
    #[arg(long, value_name = "KEY")]
    pub prompt: Option<String>,
    /// With --pack and tool-description: only these tools (repeatable; default all)
    #[arg(long = "tool", value_name = "NAME")]
    pub tools: Vec<String>,
    /// Take the log group and service name from this agent runtime of a deployment (found with
    /// --config and --pack, as `status` finds it)
    #[arg(long, value_name = "NAME", requires_all = ["config", "pack"])]
    pub runtime: Option<String>,
    /// With --runtime: the deploy config of the deployment (its region is the default region)
    #[arg(long, value_name = "FILE", requires = "runtime")]
    pub config: Option<PathBuf>,
    /// CloudWatch Logs log group ARN of the agent's traces (repeatable)
    #[arg(long = "log-group", value_name = "ARN")]
    pub log_groups: Vec<String>,
    /// Service name of the agent in its traces (repeatable)
    #[arg(long = "service-name", value_name = "NAME")]
    pub service_names: Vec<String>,
    /// Trace window: the last N minutes/hours/days, e.g. 30m, 24h, 7d
    #[arg(long, default_value = "24h", conflicts_with = "start")]
    pub since: String,
    /// Trace window start (RFC 3339, e.g. 2025-01-01T00:00:00Z); needs --end
    #[arg(long, requires = "end")]
    pub start: Option<String>,
    #[arg(long, requires = "start")]
    pub end: Option<String>,
    /// Evaluator: Builtin.NAME or an evaluator ARN (repeatable; system-prompt only)
    #[arg(long = "evaluator", short = 'e', value_name = "EVALUATOR")]
    pub evaluators: Vec<String>,
    /// Tag KEY=VALUE (repeatable)
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// Customer managed key: key id, key ARN, alias/NAME or alias ARN (default: AWS owned key)
    #[arg(long = "kms-key", value_name = "KEY")]
    pub kms_key: Option<String>,
    /// With --kms-key: check the key policy for this role instead of the caller's
    #[arg(long, value_name = "ARN", requires = "kms_key")]
    pub role: Option<String>,
    /// With --kms-key: start even when the key policy does not let the service use the key
    #[arg(long, requires = "kms_key")]
    pub force: bool,
    /// Wait until COMPLETED or FAILED, printing each status change
    #[arg(long)]
    pub wait: bool,
    /// With --wait: give up after this many seconds
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
}

fn rec_error(j: bool, e: &RecError) -> ExitCode {
    match e {
        RecError::Invalid(d) => diagnostics(j, d),
        RecError::Aws(a) => fail_aws(j, a),
        RecError::KeyUnavailable { .. } => {
            let extra = serde_json::to_value(e).unwrap_or_default();
            fail(j, "resource", &e.to_string(), None, extra)
        }
    }
}

fn diagnostics(j: bool, d: &[Diagnostic]) -> ExitCode {
    super::aws_args::fail_diags(j, "CheckInput", d)
}

fn bad(field: &str, message: String, fix: &str) -> Diagnostic {
    Diagnostic::error(field, crate::config::category::CONFIGURATION, message).with_hint(fix)
}

pub fn run(mut args: RecsArgs) -> ExitCode {
    let j = args.aws.json;
    // Local checks that need no AWS come first, so bad input never waits for a connection.
    let start_req = match &args.command {
        RecsCommand::Start(s) => match build_request(s) {
            Ok(r) => Some(r),
            Err(d) => return diagnostics(j, &d),
        },
        _ => None,
    };
    let deployment = match &args.command {
        RecsCommand::Start(s) => match deployment_of(s) {
            Ok(d) => d,
            Err(d) => return diagnostics(j, &[d]),
        },
        _ => None,
    };
    if let Some(d) = &deployment
        && args.aws.region.is_none()
        && !d.region.is_empty()
    {
        args.aws.region = Some(d.region.clone());
    }
    if let RecsCommand::List {
        status: Some(s), ..
    } = &args.command
        && !Status::ALL.contains(&s.as_str())
    {
        return diagnostics(
            j,
            &[bad(
                "status",
                format!("status {s:?} is not a recommendation status"),
                "use PENDING, IN_PROGRESS, COMPLETED, FAILED or DELETING",
            )],
        );
    }
    if let RecsCommand::Delete { yes: false, ids } = &args.command {
        match confirm(ids) {
            Ok(true) => {}
            Ok(false) => {
                errln!("nothing deleted");
                return ExitCode::from(exit::INVALID);
            }
            Err(msg) => {
                return super::aws_args::missing_yes(
                    j,
                    "recs delete",
                    &format!("{msg}; pass --yes to delete without asking"),
                );
            }
        }
    }
    super::runtime().block_on(async move {
        let clients = match connect(&args.aws).await {
            Ok(c) => c,
            Err(e) => return fail_aws(j, &e),
        };
        let recs = Recommendations::from_clients(&clients);
        match args.command {
            RecsCommand::List { status, filter } => {
                list(
                    j,
                    &recs,
                    status.as_deref().map(Status::parse),
                    filter.as_deref(),
                )
                .await
            }
            RecsCommand::Get { id, wait, timeout } => match if wait {
                recs.wait(&id, Duration::from_secs(timeout), |st| {
                    if !j {
                        outln!("  {st}");
                    }
                })
                .await
            } else {
                recs.get(&id).await
            } {
                Ok(d) => {
                    if j {
                        print_json(&json!({ "ok": true, "recommendation": d }));
                    } else {
                        print_detail(&d);
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => rec_error(j, &e),
            },
            RecsCommand::Start(s) => {
                let mut req = start_req.expect("built above");
                if let Some(d) = &deployment
                    && let Err(d) = runtime_traces(&clients, d, &mut req).await
                {
                    return diagnostics(j, &[d]);
                }
                let key = s.kms_key.as_deref().map(|k| KeyGate {
                    key: k,
                    role: s.role.as_deref(),
                    force: s.force,
                });
                start(j, &clients, &recs, &mut req, key, s.wait, s.timeout).await
            }
            RecsCommand::Delete { ids, .. } => delete(j, &recs, &ids).await,
        }
    })
}

fn confirm(ids: &[String]) -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "refusing to delete {} recommendation(s) without confirmation",
            ids.len()
        ));
    }
    super::render::emit_err(&format!(
        "Delete {} recommendation(s): {}? [y/N] ",
        ids.len(),
        shown(&ids.join(", "))
    ));
    std::io::stderr().flush().ok();
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}

async fn list(
    j: bool,
    recs: &Recommendations,
    status: Option<Status>,
    filter: Option<&str>,
) -> ExitCode {
    let mut pages = recs.list(status);
    let mut all: Vec<Summary> = Vec::new();
    if !j {
        outln!(
            "{:<18} {:<32} {:<12} {:<17} CREATED",
            "ID",
            "NAME",
            "STATUS",
            "TYPE"
        );
    }
    while let Some(page) = pages.next_page().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => return rec_error(j, &e),
        };
        let keep: Vec<usize> = crate::recommend::filter::filter(&page, filter.unwrap_or(""));
        for i in keep {
            let s = &page[i];
            if !j {
                outln!(
                    "{:<18} {:<32} {:<12} {:<17} {}",
                    s.id,
                    s.name,
                    s.status,
                    s.rec_type
                        .trim_end_matches("_RECOMMENDATION")
                        .to_lowercase()
                        .replace('_', "-"),
                    s.created_at.format("%Y-%m-%d %H:%M")
                );
            }
            all.push(s.clone());
        }
        std::io::stdout().flush().ok();
    }
    if j {
        print_json(&json!({ "ok": true, "recommendations": all }));
    }
    ExitCode::SUCCESS
}

fn print_detail(d: &Detail) {
    let s = &d.summary;
    outln!("{} ({})", s.name, s.id);
    outln!("  status:  {}", s.status);
    outln!("  type:    {}", s.rec_type);
    outln!(
        "  key:     {}",
        d.kms_key_arn.as_deref().unwrap_or("AWS owned key")
    );
    outln!(
        "  created: {}   updated: {}",
        s.created_at.to_rfc3339(),
        s.updated_at.to_rfc3339()
    );
    let original = match &d.config {
        ConfigView::SystemPrompt {
            text,
            traces,
            evaluators,
            ..
        } => {
            if let Some(t) = traces {
                outln!(
                    "  traces:  {} {} {}",
                    t.source,
                    t.log_group_arns.join(", "),
                    t.service_names.join(", ")
                );
            }
            if !evaluators.is_empty() {
                outln!("  evaluators: {}", evaluators.join(", "));
            }
            text.clone()
        }
        ConfigView::ToolDescription { tools, .. } => {
            for t in tools {
                outln!("  tool {}: {}", t.name, t.description);
            }
            None
        }
        ConfigView::Unknown => None,
    };
    match &d.result {
        None => outln!("  result:  not yet"),
        Some(ResultView::SystemPrompt {
            recommended,
            explanation,
            error_code,
            error_message,
        }) => {
            if let Some(code) = error_code {
                outln!(
                    "  failed:  {code}: {}",
                    error_message.as_deref().unwrap_or("")
                );
            }
            if let Some(r) = recommended {
                outln!("  recommended system prompt (diff from the original):");
                for l in text_diff(original.as_deref().unwrap_or(""), r) {
                    let p = match l.change {
                        LineChange::Same => ' ',
                        LineChange::Added => '+',
                        LineChange::Removed => '-',
                    };
                    outln!("    {p} {}", l.text);
                }
            }
            if let Some(e) = explanation {
                outln!("  why: {e}");
            }
        }
        Some(ResultView::ToolDescription {
            tools,
            error_code,
            error_message,
        }) => {
            if let Some(code) = error_code {
                outln!(
                    "  failed:  {code}: {}",
                    error_message.as_deref().unwrap_or("")
                );
            }
            for t in tools {
                outln!(
                    "  tool {} → {}",
                    t.name,
                    t.recommended.as_deref().unwrap_or("(no change)")
                );
                if let Some(e) = &t.explanation {
                    outln!("    why: {e}");
                }
            }
        }
        Some(ResultView::Unknown) => outln!("  result:  (a kind this version does not know)"),
    }
}

pub(crate) fn parse_since(s: &str) -> Option<chrono::Duration> {
    let (n, unit) = s.trim().split_at(s.trim().len().checked_sub(1)?);
    let n: i64 = n.parse().ok().filter(|n| *n > 0)?;
    match unit {
        "m" => Some(chrono::Duration::minutes(n)),
        "h" => Some(chrono::Duration::hours(n)),
        "d" => Some(chrono::Duration::days(n)),
        _ => None,
    }
}

fn parse_time(field: &str, v: &str) -> Result<DateTime<Utc>, Diagnostic> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            bad(
                field,
                format!("{field} {v:?} is not an RFC 3339 time"),
                "write e.g. 2025-01-01T00:00:00Z",
            )
        })
}

/// Everything from the command line that can be known without AWS.
fn build_request(a: &StartArgs) -> Result<StartRequest, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let Some(rec_type) = RecType::parse(&a.rec_type) else {
        return Err(vec![bad(
            "type",
            format!("type {:?} is not a recommendation type", a.rec_type),
            "use system-prompt or tool-description",
        )]);
    };
    let pack = match &a.pack {
        Some(p) => match crate::pack::load_path(p) {
            Ok(pack) => Some(pack),
            Err(e) => return Err(vec![e.to_diagnostic()]),
        },
        None => None,
    };
    let file_text = match &a.file {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => Some(t),
            Err(e) => {
                return Err(vec![bad(
                    "file",
                    format!("cannot read {}: {e}", p.display()),
                    "give a readable file",
                )]);
            }
        },
        None => None,
    };
    let source_name = a
        .file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "--inline".into());
    let input = match rec_type {
        RecType::SystemPrompt => match (&a.inline, file_text, &pack) {
            (Some(t), _, _) => Ok(Input::SystemPrompt(t.clone())),
            (None, Some(t), _) => Ok(Input::SystemPrompt(t)),
            (None, None, Some(p)) => {
                request::system_prompt_from_pack(p, a.prompt.as_deref()).map(Input::SystemPrompt)
            }
            (None, None, None) => Err(bad(
                "systemPrompt",
                "no system prompt given".into(),
                "use --inline TEXT, --file PATH or --pack PACK [--prompt KEY]",
            )),
        },
        RecType::ToolDescription => match (&a.inline, file_text, &pack) {
            (Some(t), _, _) => tools_from_json(t, &source_name).map(Input::Tools),
            (None, Some(t), _) => tools_from_json(&t, &source_name).map(Input::Tools),
            (None, None, Some(p)) => request::tools_from_pack(p, &a.tools).map(Input::Tools),
            (None, None, None) => Err(bad(
                "tools",
                "no tool descriptions given".into(),
                "use --pack PACK [--tool NAME…], --file tools.json or --inline JSON",
            )),
        },
    };
    let input = input.map_err(|d| vec![d])?;
    let now = Utc::now();
    let (start, end) = match (&a.start, &a.end) {
        (Some(s), Some(e)) => match (parse_time("startTime", s), parse_time("endTime", e)) {
            (Ok(s), Ok(e)) => (s, e),
            (s, e) => {
                errors.extend(s.err());
                errors.extend(e.err());
                (now, now)
            }
        },
        _ => match parse_since(&a.since) {
            Some(d) => (now - d, now),
            None => {
                errors.push(bad(
                    "since",
                    format!("--since {:?} is not a duration", a.since),
                    "write e.g. 30m, 24h or 7d",
                ));
                (now, now)
            }
        },
    };
    let mut tags = BTreeMap::new();
    for t in &a.tags {
        match t.split_once('=') {
            Some((k, v)) => {
                tags.insert(k.to_owned(), v.to_owned());
            }
            None => errors.push(bad(
                "tags",
                format!("tag {t:?} has no '='"),
                "write KEY=VALUE",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(StartRequest {
        name: a.name.clone(),
        description: a.description.clone(),
        input,
        traces: Traces {
            log_group_arns: a.log_groups.clone(),
            service_names: a.service_names.clone(),
            start,
            end,
        },
        evaluators: a.evaluators.clone(),
        tags,
        kms_key_arn: None,
    })
}

/// The deployment `recs start --runtime` reads: the runtime's name, the pack id and the
/// config's region, which with the account locate the state `apply` wrote.
struct Deployment {
    runtime: String,
    pack_id: String,
    region: String,
}

fn deployment_of(a: &StartArgs) -> Result<Option<Deployment>, Diagnostic> {
    let (Some(runtime), Some(config), Some(pack)) = (&a.runtime, &a.config, &a.pack) else {
        return Ok(None);
    };
    let loaded = crate::config::load_path(config, None).map_err(|e| e.to_diagnostic())?;
    let pack = crate::pack::load_path(pack).map_err(|e| e.to_diagnostic())?;
    Ok(Some(Deployment {
        runtime: runtime.clone(),
        pack_id: pack.id,
        region: loaded.config.region,
    }))
}

/// Fills the traces the user left out from the deployed runtime's record.
async fn runtime_traces(
    clients: &Clients,
    d: &Deployment,
    req: &mut StartRequest,
) -> Result<(), Diagnostic> {
    let account = clients
        .caller_identity()
        .await
        .map_err(|e| {
            Diagnostic::error("runtime", e.category.to_string(), e.message.clone())
                .with_hint(e.hint.clone().unwrap_or_default())
        })?
        .account;
    let store = crate::services::deploy::open_store(clients, &account, &d.pack_id)
        .map_err(|e| bad("runtime", e.to_string(), "check the data directory"))?;
    let state = store.snapshot();
    let runtimes: Vec<_> = state.live().filter(|r| r.kind == "agent_runtime").collect();
    let Some(record) = runtimes.iter().find(|r| r.name == d.runtime) else {
        let known: Vec<&str> = runtimes.iter().map(|r| r.name.as_str()).collect();
        let fix = if known.is_empty() {
            format!(
                "deploy pack {} with `agentcore-tui apply --config FILE --pack FILE --yes` first, or pass --log-group and --service-name",
                d.pack_id
            )
        } else {
            format!("use one of the deployed runtimes: {}", known.join(", "))
        };
        return Err(bad(
            "runtime",
            format!(
                "no agent runtime {} in the deployment of pack {} in {} (account {account})",
                shown(&d.runtime),
                d.pack_id,
                clients.region
            ),
            &fix,
        ));
    };
    let traces = record
        .arn
        .as_deref()
        .and_then(|arn| crate::recommend::runtime_traces::of_runtime(arn, &record.name))
        .ok_or_else(|| {
            bad(
                "runtime",
                format!(
                    "agent runtime {} has no runtime ARN recorded",
                    shown(&d.runtime)
                ),
                "run `agentcore-tui apply` again so the runtime is recorded, or pass --log-group and --service-name",
            )
        })?;
    if req.traces.log_group_arns.is_empty() {
        req.traces.log_group_arns.push(traces.log_group_arn);
    }
    if req.traces.service_names.is_empty() {
        req.traces.service_names.push(traces.service_name);
    }
    Ok(())
}

/// The customer managed key of `recs start`, and how its policy is checked.
struct KeyGate<'a> {
    key: &'a str,
    role: Option<&'a str>,
    force: bool,
}

const ASK_ROLE: &str = "pass the role ARN with its path as --role, or --force to start without checking the key policy";

/// The key policy analysis of `keys check`: a key the service principal cannot use would only
/// end the recommendation FAILED (KMS_ACCESS_DENIED) minutes later, so it is refused now.
async fn refuse_unusable_key(
    j: bool,
    clients: &Clients,
    keys: &Keys,
    key: &str,
    key_arn: &str,
    role: Option<&str>,
) -> Option<ExitCode> {
    let target = match key_policy::target_for(clients, role, ASK_ROLE).await {
        Ok(t) => t,
        Err(e) => return Some(super::keys::fail_target(j, e)),
    };
    let current = match keys.policy(key_arn).await {
        Ok(p) => p,
        Err(e) => return Some(fail_aws(j, &e)),
    };
    let checked = match key_policy::check(&current, &target) {
        Ok(c) => c,
        Err(e) => {
            let fix = format!("{}, or pass --force", key_policy::NOT_JSON_FIX);
            return Some(fail(
                j,
                "configuration",
                &e.to_string(),
                Some(&fix),
                json!({}),
            ));
        }
    };
    if checked.analysis.satisfies(Requirement::ServicePrincipal) {
        return None;
    }
    let message = format!(
        "the policy of key {} does not let {} use it, so the recommendation would end FAILED (KMS_ACCESS_DENIED)",
        shown(key),
        policy::SERVICE_PRINCIPAL
    );
    let hint = format!(
        "apply the recommended policy below with `agentcore-tui keys check {} --apply --yes`, or pass --force to start anyway",
        shown(key)
    );
    if !j {
        for f in &checked.analysis.findings {
            errln!("  warning: {}", shown(&f.message));
            errln!("    fix: {}", shown(&f.fix));
        }
        if let Ok(r) = &checked.recommended {
            errln!("recommended policy (diff from the current one):");
            super::render::emit_err(&policy::diff_text(&current, r));
        }
    }
    Some(fail(
        j,
        "configuration",
        &message,
        Some(&hint),
        json!({
            "field": "kms_key",
            "findings": checked.analysis.findings,
            "recommended_policy": checked.recommended.as_ref().ok(),
            "diff": checked.diff,
        }),
    ))
}

async fn start(
    j: bool,
    clients: &Clients,
    recs: &Recommendations,
    req: &mut StartRequest,
    key: Option<KeyGate<'_>>,
    wait: bool,
    timeout: u64,
) -> ExitCode {
    let keys = recs.keys();
    // An alias or key id is resolved to the key ARN StartRecommendation wants.
    if let Some(k) = &key {
        let arn = if crate::arn::Arn::kms_key(k.key).is_some() {
            k.key.to_owned()
        } else {
            match keys.describe(k.key).await {
                Ok(info) => info.arn,
                Err(e) => return fail_aws(j, &e),
            }
        };
        if !k.force
            && let Some(refused) = refuse_unusable_key(j, clients, keys, k.key, &arn, k.role).await
        {
            return refused;
        }
        req.kms_key_arn = Some(arn);
    }
    let started = match recs.start(req).await {
        Ok(s) => s,
        Err(e) => return rec_error(j, &e),
    };
    if !wait {
        if j {
            print_json(&json!({ "ok": true, "recommendation": started }));
        } else {
            outln!(
                "started {} ({}): {}",
                started.name,
                started.id,
                started.status
            );
        }
        return ExitCode::SUCCESS;
    }
    if !j {
        outln!("started {} ({})", started.name, started.id);
    }
    let result = recs
        .wait(&started.id, Duration::from_secs(timeout), |s| {
            if !j {
                outln!("  {s}");
            }
        })
        .await;
    match result {
        Ok(d) => {
            let ok = d.summary.status == Status::Completed;
            if j {
                print_json(&json!({ "ok": ok, "recommendation": d }));
            } else {
                print_detail(&d);
            }
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(exit::INVALID)
            }
        }
        Err(e) => rec_error(j, &e),
    }
}

async fn delete(j: bool, recs: &Recommendations, ids: &[String]) -> ExitCode {
    let mut results = Vec::new();
    let mut failed = 0;
    for id in ids {
        match recs.delete(id).await {
            Ok(status) => {
                if !j {
                    outln!("{id}: {status}");
                }
                results.push(json!({ "id": id, "ok": true, "status": status }));
            }
            Err(e) => {
                failed += 1;
                if !j {
                    errln!("{}: error: {}", shown(id), shown(&e.to_string()));
                    if let Some(h) = e.hint() {
                        errln!("  hint: {}", shown(&h));
                    }
                }
                results.push(
                    json!({ "id": id, "ok": false, "error": e.to_string(), "hint": e.hint() }),
                );
            }
        }
    }
    if j {
        print_json(&json!({ "ok": failed == 0, "deleted": results }));
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::INVALID)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_durations() {
        assert_eq!(parse_since("24h"), Some(chrono::Duration::hours(24)));
        assert_eq!(parse_since("30m"), Some(chrono::Duration::minutes(30)));
        assert_eq!(parse_since("7d"), Some(chrono::Duration::days(7)));
        assert_eq!(parse_since("7"), None);
        assert_eq!(parse_since("-1h"), None);
        assert_eq!(parse_since(""), None);
    }
}
