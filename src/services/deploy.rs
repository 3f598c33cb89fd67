//! Preparing a deployment, for the CLI's apply/plan and the TUI's plan/apply/destroy/status:
//! the pack read once (its model for derivation, its text for the pack artifact), the config
//! optionally checked against it, the resources derived, and the deployment's state store.

use std::path::Path;
use std::sync::Arc;

use crate::aws::Clients;
use crate::config::{CheckContext, DeployConfig, Diagnostic};
use crate::deploy::state::{StateError, StateStore, Target};
use crate::pack::{self, Pack, PackError};
use crate::plan::ResourcePlan;

/// Everything a deploy needs from its two input files.
#[derive(Debug)]
pub struct Prepared {
    pub config: DeployConfig,
    pub pack: Pack,
    /// The pack file as written: apply uploads it as is.
    pub pack_json: String,
    pub plan: ResourcePlan,
    /// The check's warnings and the config loader's notes (empty without a check).
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug)]
pub enum PrepareError {
    /// The pack file could not be read or parsed.
    Pack(PackError),
    /// The config check found errors, or the resources cannot be derived.
    Invalid(Vec<Diagnostic>),
}

impl PrepareError {
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        match self {
            Self::Pack(e) => vec![e.to_diagnostic()],
            Self::Invalid(d) => d,
        }
    }
}

/// The config check `prepare` runs before deriving, with the loader's notes to report beside
/// its warnings. The wizard leaves it out: its steps have checked the answers on the way.
pub struct Check<'a> {
    pub context: &'a CheckContext,
    pub notes: &'a [Diagnostic],
}

/// Reads the pack once, checks `config` against it (when asked) and derives the resources.
pub fn prepare(
    pack_path: &Path,
    config: DeployConfig,
    check: Option<Check<'_>>,
) -> Result<Prepared, PrepareError> {
    let pack_json = pack::read_path(pack_path).map_err(PrepareError::Pack)?;
    let pack = pack::parse_str(&pack_json).map_err(|mut e| {
        e.file = Some(pack_path.to_path_buf());
        PrepareError::Pack(e)
    })?;
    let mut warnings = Vec::new();
    if let Some(check) = check {
        warnings = crate::derive::check(&config, Some(&pack), check.context);
        warnings.extend(check.notes.iter().cloned());
        if warnings.iter().any(Diagnostic::is_error) {
            return Err(PrepareError::Invalid(warnings));
        }
    }
    let plan = crate::derive::derive(&pack, &config).map_err(|e| PrepareError::Invalid(e.0))?;
    Ok(Prepared {
        config,
        pack,
        pack_json,
        plan,
        warnings,
    })
}

/// The state store of one deployment (endpoint, account, region, pack), shared by the engine's
/// tasks.
pub fn open_store(
    clients: &Clients,
    account: &str,
    pack_id: &str,
) -> Result<Arc<StateStore>, StateError> {
    StateStore::open(&target(clients), account, &clients.region, pack_id).map(Arc::new)
}

/// Which endpoint the clients talk to, as the state store keys it.
pub fn target(clients: &Clients) -> Target {
    match (&clients.endpoint_url, clients.is_local()) {
        (_, true) => Target::Local,
        (Some(url), false) => Target::Endpoint(url.clone()),
        (None, false) => Target::Aws,
    }
}

/// What apply makes or checks for this plan, by step title in step order: the wizard's "Will
/// create N" and its names. The same list as plan's items and apply's gauge
/// ([`crate::deploy::apply::resources`]), so the three never disagree.
pub fn resources_by_step(plan: &ResourcePlan) -> Vec<(&'static str, Vec<String>)> {
    let mut out: Vec<(&'static str, Vec<String>)> = Vec::new();
    for n in crate::deploy::apply::resources(plan) {
        let title = n.step.title();
        // The engine and the Cedar resource holding its policies share the engine's name.
        let name = match n.kind.as_str() {
            crate::plan::POLICY_ENGINE_KIND => format!("{} (engine)", n.name),
            "cedar_policy" => format!("{} (policies)", n.name),
            _ => n.name,
        };
        match out.last_mut() {
            Some((t, names)) if *t == title => names.push(name),
            _ => out.push((title, vec![name])),
        }
    }
    out
}
