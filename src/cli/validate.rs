use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::{exit, render};
use crate::config::{self, CheckContext, Diagnostic};
use crate::pack;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Deploy config: adapter JSON, or an arena YAML file (its spec.deploy.config is read)
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// PromptPack (*.pack.json) to check against the config: names, Cedar, evals
    #[arg(long, value_name = "FILE")]
    pub pack: Option<PathBuf>,
    /// Environment of the arena file to merge over spec.deploy.config
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct ValidateReport {
    pub valid: bool,
    pub config: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

/// Loads and checks; every problem, including unreadable files, ends up as a diagnostic.
pub fn report(args: &ValidateArgs) -> ValidateReport {
    let mut diags = Vec::new();
    let loaded = config::load_path(&args.config, args.env.as_deref());
    let pack = args.pack.as_deref().map(pack::load_path);
    let pack_ok = match &pack {
        Some(Err(e)) => {
            diags.push(e.to_diagnostic());
            None
        }
        Some(Ok(p)) => Some(p),
        None => None,
    };
    match loaded {
        Err(e) => diags.insert(0, e.to_diagnostic()),
        Ok(l) => {
            let ctx = CheckContext {
                check_local_files: true,
                ..Default::default()
            };
            diags.extend(crate::derive::check(&l.config, pack_ok, &ctx));
            diags.extend(l.notes);
        }
    }
    let (errors, warnings): (Vec<_>, Vec<_>) = diags.into_iter().partition(Diagnostic::is_error);
    ValidateReport {
        valid: errors.is_empty(),
        config: args.config.clone(),
        pack: args.pack.clone(),
        environment: args.env.clone(),
        errors,
        warnings,
    }
}

pub fn run(args: &ValidateArgs) -> ExitCode {
    let r = report(args);
    if args.json {
        render::emit_json(&r);
    } else {
        let all: Vec<Diagnostic> = r.errors.iter().chain(&r.warnings).cloned().collect();
        render::emit(&render::diagnostics(&all));
        if r.valid {
            render::emit(&format!(
                "{}: valid\n",
                render::shown(&r.config.display().to_string())
            ));
        } else {
            render::emit(&format!(
                "{}: invalid\n",
                render::shown(&r.config.display().to_string())
            ));
        }
    }
    ExitCode::from(if r.valid { exit::OK } else { exit::INVALID })
}
