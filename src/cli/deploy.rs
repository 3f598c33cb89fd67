//! Headless `apply --yes`, `destroy --yes`, `status`, and the live part of
//! `plan` (prior state + drift). One line per engine event on stdout; with `--json`, apply and
//! destroy stream JSON Lines (one object per event, the report last) and the others print one
//! JSON document; exit 0 ok, 1 failed or invalid, 2 usage.

use super::render::{errln, out, outln, shown};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::{exit, render};
use crate::aws::{self, Clients, ConnectOptions};
use crate::config::{self, CheckContext, DeployConfig, Diagnostic};
use crate::deploy::apply::{self, ApplyOptions, ArtifactSource};
use crate::deploy::events::{self, Event};
use crate::deploy::state::StateStore;
use crate::deploy::{Deployment, destroy, lock, plan as dplan, status};
use crate::pack;
use crate::plan::ResourcePlan;
use crate::services::{
    self,
    deploy::{Check, PrepareError, Prepared},
};

/// Where to deploy: AWS (profile/region/endpoint from flags or the SDK's
/// usual env vars and files) or the embedded emulator.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Run against the embedded local emulator (no AWS account needed)
    #[arg(long)]
    pub local: bool,
    /// AWS profile (default: AWS_PROFILE, then the default profile)
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Send every AWS call to this endpoint (default: AWS_ENDPOINT_URL*)
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Seconds one AWS call may take, retries included (default 60; env AGENTCORE_TUI_TIMEOUT)
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: Option<u64>,
}

#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Deploy config: adapter JSON, or an arena YAML file (its spec.deploy.config is read)
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// PromptPack (*.pack.json)
    #[arg(long, value_name = "FILE")]
    pub pack: PathBuf,
    /// Environment of the arena file to merge over spec.deploy.config
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Machine-readable output (apply and destroy: JSON Lines, one event per line, the report last)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Apply without asking (required: headless apply never prompts)
    #[arg(long)]
    pub yes: bool,
    /// Container image URI for the runtimes instead of runtime_binary_path
    #[arg(long, value_name = "URI")]
    pub image: Option<String>,
    /// Resources created at once (each starts as soon as what it depends on is ready)
    #[arg(long, default_value_t = crate::deploy::DEFAULT_CONCURRENCY, value_name = "N")]
    pub concurrency: usize,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Destroy without asking (required: headless destroy never prompts)
    #[arg(long)]
    pub yes: bool,
    /// Resources deleted at once (each goes as soon as everything using it is gone)
    #[arg(long, default_value_t = crate::deploy::DEFAULT_CONCURRENCY, value_name = "N")]
    pub concurrency: usize,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// The options `plan` gains for comparing with what is deployed.
#[derive(Debug, Clone, Args)]
pub struct LivePlanArgs {
    /// Compare with the recorded state, checked against AWS (drift); implied by --local, --profile, --endpoint-url
    #[arg(long)]
    pub live: bool,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Container image URI for the runtimes instead of runtime_binary_path
    #[arg(long, value_name = "URI")]
    pub image: Option<String>,
}

impl LivePlanArgs {
    pub fn wanted(&self) -> bool {
        self.live
            || self.target.local
            || self.target.profile.is_some()
            || self.target.endpoint_url.is_some()
    }
}

/// Loads the config and prepares the deployment (the pack read once); `Err` carries the
/// diagnostics to print.
fn load(input: &InputArgs, image: Option<&str>) -> Result<Prepared, Vec<Diagnostic>> {
    let loaded = config::load_path(&input.config, input.env.as_deref())
        .map_err(|e| vec![e.to_diagnostic()])?;
    // The binary is read before anything is created, so an unreadable one fails here with
    // every other problem rather than after the first resources exist.
    let context = CheckContext {
        container_image_uri: image.map(str::to_owned),
        check_local_files: image.is_none(),
        ..Default::default()
    };
    services::deploy::prepare(
        &input.pack,
        loaded.config,
        Some(Check {
            context: &context,
            notes: &loaded.notes,
        }),
    )
    .map_err(PrepareError::into_diagnostics)
}

pub(super) async fn connect(
    target: &TargetArgs,
    region: &str,
) -> Result<(Clients, String), aws::Error> {
    if target.local {
        return aws::local::start(region, crate::services::paths::world_file()).await;
    }
    let clients = Clients::connect(&ConnectOptions {
        profile: target.profile.clone(),
        region: Some(region.to_owned()).filter(|r| !r.is_empty()),
        endpoint_url: target.endpoint_url.clone(),
        timeout: target.timeout.map(std::time::Duration::from_secs),
        ..Default::default()
    })
    .await?;
    let who = clients.caller_identity().await?;
    Ok((clients, who.account))
}

/// The deployment's state store; failing to open it is a configuration error of the data dir.
fn open_store(
    clients: &Clients,
    account: &str,
    pack_id: &str,
) -> Result<Arc<StateStore>, aws::Error> {
    services::deploy::open_store(clients, account, pack_id)
        .map_err(|e| aws::Error::new(aws::Category::Configuration, "OpenState", e.to_string()))
}

/// What the runtimes run: `--image`, else `runtime_binary_path` (the loader resolved it from the
/// config file's folder).
fn artifact_source(cfg: &DeployConfig, image: Option<&str>) -> ArtifactSource {
    match (image, cfg.runtime_binary_path.as_deref()) {
        (Some(uri), _) => ArtifactSource::Container(uri.to_owned()),
        (None, Some(p)) if !p.is_empty() => ArtifactSource::Code(PathBuf::from(p)),
        (None, _) => ArtifactSource::Missing,
    }
}

fn fail_diags(json: bool, diags: &[Diagnostic]) -> ExitCode {
    super::aws_args::fail_diags(json, "LoadInputs", diags)
}

fn fail_aws(json: bool, e: &aws::Error) -> ExitCode {
    super::aws_args::fail_aws(json, e)
}

fn refuse(json: bool, what: &str) -> ExitCode {
    super::aws_args::missing_yes(json, what, &format!("headless {what} never prompts"))
}

/// Prints engine events as they come until the sender is gone: a line of text each (progress
/// left out), or with `--json` every event as one JSON object per line.
fn spawn_printer(json: bool) -> (events::Events, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = events::channel();
    let handle = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            if json {
                render::emit_json_line(&e);
            } else if !matches!(e, Event::Progress { .. }) {
                outln!("{}", shown(&events::human_line(&e)));
            }
        }
    });
    (tx, handle)
}

/// The last line of a JSON Lines run.
fn emit_report(ok: bool, report: &impl Serialize) {
    render::emit_json_line(&serde_json::json!({"event": "report", "ok": ok, "report": report}));
}

/// First Ctrl-C cancels cleanly (nothing new starts, state is saved); a
/// second one exits at once.
fn cancel_on_ctrl_c(token: CancellationToken) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            errln!(
                "\ncancelling: no new resources start; waiting for calls in flight (Ctrl-C again to quit now)"
            );
            token.cancel();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
}

pub fn run_apply(args: &ApplyArgs) -> ExitCode {
    if !args.yes {
        return refuse(args.input.json, "apply");
    }
    let inputs = match load(&args.input, args.image.as_deref()) {
        Ok(i) => i,
        Err(d) => return fail_diags(args.input.json, &d),
    };
    let json = args.input.json;
    super::runtime().block_on(async {
        let (clients, account) = match connect(&args.target, &inputs.config.region).await {
            Ok(c) => c,
            Err(e) => return fail_aws(json, &e),
        };
        let store = match open_store(&clients, &account, &inputs.plan.pack_id) {
            Ok(s) => s,
            Err(e) => return fail_aws(json, &e),
        };
        // Held until the end: two applies of one deployment would conflict halfway.
        let _lock = match lock::acquire(store.path(), "apply") {
            Ok(l) => l,
            Err(e) => return fail_aws(json, &e.to_aws()),
        };
        if !json {
            out!("{}", render::diagnostics(&inputs.warnings));
            outln!(
                "Applying pack {} {} to account {account}, region {}{}",
                inputs.plan.pack_id,
                inputs.plan.pack_version,
                clients.region,
                if args.target.local {
                    " (local emulator)"
                } else {
                    ""
                }
            );
            outln!("State: {}", store.path().display());
        }
        let (events, printer) = spawn_printer(json);
        let cancel = CancellationToken::new();
        cancel_on_ctrl_c(cancel.clone());
        let dep = Deployment::new(clients, account, store)
            .with_events(events)
            .with_cancel(cancel)
            .with_concurrency(args.concurrency);
        let opts = ApplyOptions {
            artifact: artifact_source(&inputs.config, args.image.as_deref()),
            pack_json: inputs.pack_json.clone(),
        };
        let report = apply::apply(&dep, &inputs.plan, &opts).await;
        drop(dep);
        let _ = printer.await;
        if json {
            emit_report(report.ok(), &report);
        } else {
            outln!("{}", report.summary());
        }
        ExitCode::from(if report.ok() { exit::OK } else { exit::INVALID })
    })
}

/// Destroy needs only the config (region) and the pack (id): the state file
/// says what exists.
pub fn run_destroy(args: &DestroyArgs) -> ExitCode {
    if !args.yes {
        return refuse(args.input.json, "destroy");
    }
    let json = args.input.json;
    let (region, pack_id) = match light_inputs(&args.input) {
        Ok(v) => v,
        Err(d) => return fail_diags(json, &d),
    };
    super::runtime().block_on(async {
        let (clients, account) = match connect(&args.target, &region).await {
            Ok(c) => c,
            Err(e) => return fail_aws(json, &e),
        };
        let store = match open_store(&clients, &account, &pack_id) {
            Ok(s) => s,
            Err(e) => return fail_aws(json, &e),
        };
        let _lock = match lock::acquire(store.path(), "destroy") {
            Ok(l) => l,
            Err(e) => return fail_aws(json, &e.to_aws()),
        };
        let (events, printer) = spawn_printer(json);
        let cancel = CancellationToken::new();
        cancel_on_ctrl_c(cancel.clone());
        let dep = Deployment::new(clients, account, store)
            .with_events(events)
            .with_cancel(cancel)
            .with_concurrency(args.concurrency);
        let report = destroy::destroy(&dep).await;
        drop(dep);
        let _ = printer.await;
        if json {
            emit_report(report.ok(), &report);
        } else {
            outln!("{}", report.summary());
        }
        ExitCode::from(if report.ok() { exit::OK } else { exit::INVALID })
    })
}

fn light_inputs(input: &InputArgs) -> Result<(String, String), Vec<Diagnostic>> {
    let loaded = config::load_path(&input.config, input.env.as_deref())
        .map_err(|e| vec![e.to_diagnostic()])?;
    let pack = pack::load_path(&input.pack).map_err(|e| vec![e.to_diagnostic()])?;
    if loaded.config.region.is_empty() {
        return Err(vec![
            Diagnostic::error(
                "region",
                "configuration",
                "region is required to find the deployment",
            )
            .with_hint("set \"region\" in the deploy config, e.g. \"us-west-2\""),
        ]);
    }
    Ok((loaded.config.region, pack.id))
}

pub fn run_status(args: &StatusArgs) -> ExitCode {
    let json = args.input.json;
    let (region, pack_id) = match light_inputs(&args.input) {
        Ok(v) => v,
        Err(d) => return fail_diags(json, &d),
    };
    super::runtime().block_on(async {
        let (clients, account) = match connect(&args.target, &region).await {
            Ok(c) => c,
            Err(e) => return fail_aws(json, &e),
        };
        let store = match open_store(&clients, &account, &pack_id) {
            Ok(s) => s,
            Err(e) => return fail_aws(json, &e),
        };
        let dep = Deployment::new(clients, account, store);
        match status::status(&dep).await {
            Ok(report) => {
                if json {
                    render::emit_json(&report);
                } else {
                    for r in &report.resources {
                        let health = match r.health {
                            status::Health::Healthy => "healthy",
                            status::Health::Unhealthy => "UNHEALTHY",
                            status::Health::Missing => "MISSING",
                        };
                        let state = r
                            .state
                            .as_deref()
                            .map(|s| format!(" ({s})"))
                            .unwrap_or_default();
                        let detail = r
                            .detail
                            .as_deref()
                            .map(|d| format!(": {}", shown(d)))
                            .unwrap_or_default();
                        outln!(
                            "  {health:<9} {} {}{}{detail}",
                            r.kind,
                            shown(&r.name),
                            shown(&state)
                        );
                    }
                    outln!("{}", report.summary());
                }
                ExitCode::from(match report.status {
                    status::Overall::Deployed => exit::OK,
                    _ => exit::INVALID,
                })
            }
            Err(e) => fail_aws(json, &e),
        }
    })
}

#[derive(Debug, Serialize)]
pub struct LivePlan {
    pub account: String,
    pub region: String,
    pub state_file: PathBuf,
    #[serde(flatten)]
    pub report: dplan::PlanReport,
}

/// The diff against what is deployed, for `plan --live`: prior state from
/// the data dir, each recorded resource checked in the cloud. `plan` was derived by the
/// caller, so the pack is not read again.
pub fn live_plan(
    args: &LivePlanArgs,
    plan: &ResourcePlan,
    cfg: &DeployConfig,
) -> Result<LivePlan, aws::Error> {
    super::runtime().block_on(async {
        let (clients, account) = connect(&args.target, &cfg.region).await?;
        let store = open_store(&clients, &account, &plan.pack_id)?;
        let src = artifact_source(cfg, args.image.as_deref());
        let art = src.planned(&account, &clients.region, &plan.pack_id, &plan.pack_version);
        let report = dplan::plan(plan, &store.snapshot(), Some(&clients), art.as_ref()).await?;
        Ok(LivePlan {
            account,
            region: clients.region.clone(),
            state_file: store.path().to_path_buf(),
            report,
        })
    })
}

pub fn live_plan_human(p: &LivePlan) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Compared with the deployment in account {}, region {} (state {}):",
        p.account,
        p.region,
        p.state_file.display()
    );
    for d in &p.report.drift {
        let _ = writeln!(
            out,
            "  ! drift: {} {}: {}",
            d.kind,
            shown(&d.name),
            shown(&d.reason)
        );
    }
    for i in &p.report.items {
        let sym = match i.action {
            dplan::Action::Create => "+",
            dplan::Action::Update => "~",
            dplan::Action::Delete => "-",
            dplan::Action::Unchanged => "=",
        };
        out.push_str(&render::wrap(
            &format!("{sym} {} {}: {}", i.kind, shown(&i.name), shown(&i.reason)),
            "  ",
            "      ",
            render::WIDTH,
        ));
    }
    let _ = writeln!(out, "{}", p.report.summary());
    out
}

/// `plan --live`: the diff against the deployment, as JSON for the report
/// and as text; `Err` when the deployment could not be read.
pub fn plan_live_section(
    args: &LivePlanArgs,
    plan: &ResourcePlan,
    cfg: &DeployConfig,
) -> Result<(serde_json::Value, String), (serde_json::Value, String)> {
    match live_plan(args, plan, cfg) {
        Ok(p) => Ok((
            serde_json::to_value(&p).expect("plain data"),
            live_plan_human(&p),
        )),
        Err(e) => {
            let mut text = format!("error [{}]: {}\n", e.category, shown(&e.message));
            if let Some(h) = &e.hint {
                text.push_str(&format!("  hint: {}\n", shown(h)));
            }
            let v = render::error_json(
                &e.category.to_string(),
                &e.message,
                e.hint.as_deref(),
                Some(&e.operation),
                serde_json::json!({ "code": e.code }),
            );
            Err((v, text))
        }
    }
}
