use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::render::shown;
use super::{exit, render};
use crate::config::{self, CheckContext, Diagnostic};
use crate::pack::{self, PackSummary};
use crate::plan::{ResourcePlan, ResourceSpec};

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Deploy config: adapter JSON, or an arena YAML file (its spec.deploy.config is read)
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// PromptPack (*.pack.json)
    #[arg(long, value_name = "FILE")]
    pub pack: PathBuf,
    /// Environment of the arena file to merge over spec.deploy.config
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub live: super::deploy::LivePlanArgs,
}

#[derive(Debug, Serialize)]
struct PlanReport<'a> {
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pack: Option<PackSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<&'a ResourcePlan>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// With --live: the diff against the deployment (create/update/delete/unchanged, drift).
    #[serde(skip_serializing_if = "Option::is_none")]
    live: Option<serde_json::Value>,
}

pub fn run(args: &PlanArgs) -> ExitCode {
    let mut diags = Vec::new();
    let loaded = config::load_path(&args.config, args.env.as_deref());
    let pack = pack::load_path(&args.pack);
    let mut plan = None;
    match (&loaded, &pack) {
        (Err(e), _) => diags.push(e.to_diagnostic()),
        (_, Err(e)) => diags.push(e.to_diagnostic()),
        _ => {}
    }
    if let (Ok(l), Ok(p)) = (&loaded, &pack) {
        // Everything validate reports; the plan itself is only shown for a valid config.
        diags.extend(crate::derive::check(
            &l.config,
            Some(p),
            &CheckContext::default(),
        ));
        diags.extend(l.notes.iter().cloned());
        if !diags.iter().any(Diagnostic::is_error) {
            plan = crate::derive::derive(p, &l.config).ok();
        }
    }
    let (errors, warnings): (Vec<_>, Vec<_>) = diags.into_iter().partition(Diagnostic::is_error);
    let mut valid = errors.is_empty() && plan.is_some();
    let live = match (&plan, &loaded) {
        (Some(p), Ok(l)) if args.live.wanted() => {
            Some(super::deploy::plan_live_section(&args.live, p, &l.config))
        }
        _ => None,
    };
    valid &= !matches!(live, Some(Err(_)));
    let report = PlanReport {
        valid,
        pack: pack.as_ref().ok().map(pack::Pack::summary),
        plan: plan.as_ref(),
        errors,
        warnings,
        live: live.as_ref().map(|r| match r {
            Ok((v, _)) | Err((v, _)) => v.clone(),
        }),
    };
    if args.json {
        render::emit_json(&report);
    } else {
        if let Some(p) = &plan {
            render::emit(&human(p));
        }
        let all: Vec<Diagnostic> = report
            .errors
            .iter()
            .chain(&report.warnings)
            .cloned()
            .collect();
        // Warnings beside a plan are part of the result; errors that stop it go to stderr.
        if plan.is_some() {
            render::emit(&render::diagnostics(&all));
        } else {
            render::emit_err(&render::diagnostics(&all));
        }
        match &live {
            Some(Ok((_, text))) => render::emit(text),
            Some(Err((_, text))) => render::emit_err(text),
            None => {}
        }
    }
    ExitCode::from(if valid { exit::OK } else { exit::INVALID })
}

pub fn human(plan: &ResourcePlan) -> String {
    let mut out = String::new();
    // Apply's count: the shared gateway and policy engine are resources too.
    let total = crate::deploy::apply::resources(plan).len();
    // The nodes apply makes that are no plan resource of their own: the pack's gateway and
    // policy engine, listed by the steps below only through their targets and policies.
    let shared: Vec<String> = crate::deploy::apply::resources(plan)
        .into_iter()
        .filter(|n| {
            !plan
                .resources()
                .any(|r| r.kind.as_str() == n.kind && r.name == n.name)
        })
        .map(|n| format!("{} {}", n.kind.replace('_', " "), shown(&n.name)))
        .collect();
    let header = format!(
        "Plan for pack {} {} in {}: {total} resource(s){}",
        shown(&plan.pack_id),
        shown(&plan.pack_version),
        plan.region,
        if shared.is_empty() {
            String::new()
        } else {
            format!(", with {}", shared.join(" and "))
        }
    );
    out.push_str(&render::wrap(&header, "", "  ", render::WIDTH));
    for (i, step) in plan.steps.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n{}. {} ({})",
            i + 1,
            step.step.title(),
            step.resources.len()
        );
        for r in &step.resources {
            let mut line = format!("+ {} {}", r.kind, shown(&r.name));
            if r.logical_id != r.name {
                let _ = write!(line, " (from {})", shown(&r.logical_id));
            }
            out.push_str(&render::wrap(&line, "  ", "      ", render::WIDTH));
            // The graph's edges: apply starts it once these are there, destroy deletes it first.
            for d in &r.depends_on {
                out.push_str(&render::wrap(
                    &d.describe(),
                    "      ",
                    "        ",
                    render::WIDTH,
                ));
            }
            match &r.spec {
                ResourceSpec::ToolGateway(g) => {
                    let _ = writeln!(
                        out,
                        "      gateway {}, tool {}",
                        shown(&g.gateway_name),
                        shown(&g.tool_name)
                    );
                }
                ResourceSpec::CedarPolicy(c) => {
                    let _ = writeln!(
                        out,
                        "      policy {} allows every other tool of the gateway:",
                        shown(&c.permit.policy_name)
                    );
                    for l in c.permit.plan_statement.lines() {
                        let _ = writeln!(out, "        {}", shown(l));
                    }
                    for f in &c.forbids {
                        let _ = writeln!(
                            out,
                            "      policy {} blocks {}:",
                            shown(&f.policy_name),
                            shown(&f.tool)
                        );
                        for l in f.plan_statement.lines() {
                            let _ = writeln!(out, "        {}", shown(l));
                        }
                    }
                }
                ResourceSpec::Evaluator(e) => {
                    let _ = writeln!(
                        out,
                        "      {} level, {}-point scale, model {}",
                        e.level,
                        e.rating_scale.len(),
                        shown(&e.model_id)
                    );
                }
                ResourceSpec::OnlineEvalConfig(o) => {
                    let _ = writeln!(
                        out,
                        "      evaluates {}, sampling {}%, log group {}",
                        shown(&o.service_names.join(", ")),
                        o.sampling_percentage,
                        shown(&o.log_group_names.join(", "))
                    );
                }
                _ => {}
            }
        }
    }
    out.push('\n');
    out
}
