//! Pack + deploy config → the resource plan (one file per resource kind), and the checks of both.
//!
//! The checks are the warnings about the pair and the AWS model check of every value the plan
//! will send. Names come from [`crate::plan::naming`] only, so plan, apply and state all use the
//! same name for a resource.

use std::collections::BTreeMap;
use std::fmt;

use crate::config::tags::{Tags, effective_tags};
use crate::config::{self, DeployConfig};
use crate::diagnostic::{CheckContext, Diagnostic};
use crate::pack::Pack;
use crate::plan::{DesiredResource, PlanStep, ResourcePlan, Step, naming};

mod cedar;
pub mod diagnose;
mod evaluation;
mod gateway;
mod memory;
pub mod model_check;
mod runtime;

pub use evaluation::{
    DEFAULT_JUDGE_INSTRUCTIONS, DEFAULT_JUDGE_MODEL, DEFAULT_ONLINE_EVAL_LOG_GROUP,
    DEFAULT_RATING_SCALE, eval_level, service_name,
};
pub use gateway::schema_definition;
pub use runtime::{METRICS_NAMESPACE, dashboard_config, metrics_config};

/// Why a pack cannot be planned; each diagnostic names the pack field to change.
#[derive(Debug, Clone, PartialEq)]
pub struct DeriveErrors(pub Vec<Diagnostic>);

impl fmt::Display for DeriveErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msgs: Vec<&str> = self.0.iter().map(|d| d.message.as_str()).collect();
        f.write_str(&msgs.join("; "))
    }
}

impl std::error::Error for DeriveErrors {}

struct Ctx<'a> {
    pack: &'a Pack,
    cfg: &'a DeployConfig,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn name(&mut self, raw: &str, suffix: &str, field: &str) -> Option<String> {
        match naming::aws_name(raw, suffix, field) {
            Ok(n) => Some(n),
            Err(d) => {
                if !self.errors.contains(&d) {
                    self.errors.push(d);
                }
                None
            }
        }
    }

    fn base_tags(&self) -> Tags {
        effective_tags(&self.pack.id, &self.pack.version, None, &self.cfg.tags)
    }
}

pub fn derive(pack: &Pack, cfg: &DeployConfig) -> Result<ResourcePlan, DeriveErrors> {
    let mut cx = Ctx {
        pack,
        cfg,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut steps: BTreeMap<Step, Vec<DesiredResource>> =
        Step::ALL.iter().map(|s| (*s, Vec::new())).collect();

    let memory = memory::memory(&mut cx);
    let gateways = gateway::tool_gateways(&mut cx);
    let policies = cedar::cedar_policies(&mut cx, &gateways);
    let runtimes = runtime::runtimes(&mut cx, memory.as_ref(), &policies);
    let endpoints = runtime::a2a_endpoints(&mut cx, &runtimes);
    let evaluators = evaluation::evaluators(&mut cx);
    let online = evaluation::online_eval(&mut cx, &evaluators, &runtimes);

    for r in memory
        .into_iter()
        .chain(gateways)
        .chain(policies)
        .chain(runtimes)
        .chain(endpoints)
        .chain(evaluators)
        .chain(online)
    {
        steps.entry(r.kind.step()).or_default().push(r);
    }

    if !cx.errors.is_empty() {
        return Err(DeriveErrors(cx.errors));
    }
    Ok(ResourcePlan {
        pack_id: pack.id.clone(),
        pack_version: pack.version.clone(),
        region: cfg.region.clone(),
        steps: steps
            .into_iter()
            .map(|(step, resources)| PlanStep { step, resources })
            .collect(),
        warnings: cx.warnings,
    })
}

/// Everything wrong with a config (and, given a pack, with deploying that pack): errors first in
/// the adapter's order, then pack derivation errors, then what the AWS models refuse, then
/// warnings.
pub fn check(cfg: &DeployConfig, pack: Option<&Pack>, ctx: &CheckContext) -> Vec<Diagnostic> {
    let mut out = config::validate::validate(cfg, ctx);
    let mut plan_warnings = Vec::new();
    let mut conformance = None;
    if let Some(pack) = pack {
        match derive(pack, cfg) {
            Ok(plan) => {
                conformance = Some(model_check::plan(&plan, pack, cfg, ctx));
                plan_warnings = plan.warnings;
            }
            Err(e) => out.extend(e.0),
        }
    }
    let conformance = conformance.unwrap_or_else(|| model_check::config_only(cfg, ctx));
    model_check::merge(&mut out, conformance);
    out.extend(config::diagnose::diagnose(cfg, ctx, pack.is_some()));
    if let Some(pack) = pack {
        out.extend(diagnose::with_pack(cfg, pack));
    }
    out.extend(plan_warnings);
    out
}
