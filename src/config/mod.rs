//! The deploy config (`deploy_config` of the AgentCore adapter): model, loaders, validation
//! (hard errors, the adapter's order and wording) and diagnostics (warnings with a fix).

pub mod diagnose;
pub mod diagnostic;
pub mod fields;
pub mod load;
pub mod model;
pub mod model_check;
pub mod tags;
pub mod validate;

pub use diagnostic::{CheckContext, Diagnostic, Severity, category};
pub use load::{
    ConfigSource, LoadError, LoadedConfig, from_arena_yaml_str, from_json_str, load_path,
};
pub use model::*;

use crate::pack::{Pack, derive};

/// Everything wrong with a config (and, given a pack, with deploying that pack): errors first in
/// the adapter's order, then pack derivation errors, then what the AWS models refuse, then
/// warnings.
pub fn check(cfg: &DeployConfig, pack: Option<&Pack>, ctx: &CheckContext) -> Vec<Diagnostic> {
    let mut out = validate::validate(cfg, ctx);
    let mut plan_warnings = Vec::new();
    let mut conformance = None;
    if let Some(pack) = pack {
        match derive::derive(pack, cfg) {
            Ok(plan) => {
                conformance = Some(model_check::plan(&plan, pack, cfg, ctx));
                plan_warnings = plan.warnings;
            }
            Err(e) => out.extend(e.0),
        }
    }
    let conformance = conformance.unwrap_or_else(|| model_check::config_only(cfg, ctx));
    model_check::merge(&mut out, conformance);
    out.extend(diagnose::diagnose(cfg, pack, ctx));
    out.extend(plan_warnings);
    out
}
