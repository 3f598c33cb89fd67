//! The runtime a monitor command talks to: named by its AWS name or by the pack's agent, and
//! found in the deploy state, which holds its ARN.

use crate::aws::{Category, Error};
use crate::deploy::state::{DeployState, RecordStatus};
use crate::plan::{ResourceKind, ResourcePlan, ResourceSpec};
use crate::sanitize::quote;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    /// The AWS runtime name, e.g. `support_desk_triage`.
    pub name: String,
    /// The pack member it serves, when the pack is multi-agent.
    pub agent: Option<String>,
    pub arn: String,
    pub id: String,
    /// The deploy config's `observability.cloudwatch_log_group`, which the agent writes to as
    /// well (its `PROMPTPACK_LOG_GROUP`), shared by every runtime of the pack.
    pub pack_log_group: Option<String>,
}

impl Runtime {
    /// Where AgentCore sends the runtime's stdout and stderr (its DEFAULT endpoint).
    pub fn log_group(&self) -> String {
        format!("/aws/bedrock-agentcore/runtimes/{}-DEFAULT", self.id)
    }

    /// Every group a tail of this runtime reads, labelled: its own first, then the pack's.
    pub fn log_groups(&self) -> Vec<(&'static str, String)> {
        let own = self.log_group();
        let mut groups = vec![(crate::monitor::logs::RUNTIME_LABEL, own.clone())];
        groups.extend(
            self.pack_log_group
                .clone()
                .filter(|g| *g != own)
                .map(|g| (crate::monitor::logs::PACK_LABEL, g)),
        );
        groups
    }
}

/// `wanted` is a runtime name or an agent of the pack; without it, the entry runtime (or the
/// only one).
pub fn find(
    plan: &ResourcePlan,
    state: &DeployState,
    wanted: Option<&str>,
) -> Result<Runtime, Error> {
    let specs: Vec<(&str, &crate::plan::RuntimeSpec)> = plan
        .resources()
        .filter(|r| r.kind == ResourceKind::AgentRuntime)
        .filter_map(|r| match &r.spec {
            ResourceSpec::AgentRuntime(s) => Some((r.name.as_str(), s)),
            _ => None,
        })
        .collect();
    let runtimes: Vec<(&str, Option<&str>, bool)> = specs
        .iter()
        .map(|(n, s)| (*n, s.agent.as_deref(), s.is_entry))
        .collect();
    let names = || {
        runtimes
            .iter()
            .map(|(n, a, _)| match a {
                Some(a) if a != n => format!("{a} ({n})"),
                _ => n.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen = match wanted {
        Some(w) => runtimes
            .iter()
            .find(|(n, a, _)| *n == w || *a == Some(w))
            .ok_or_else(|| {
                Error::new(
                    Category::Configuration,
                    "FindRuntime",
                    format!(
                        "--runtime {}: the pack has no such agent or runtime",
                        quote(w)
                    ),
                )
                .with_hint(format!("use one of: {}", names()))
            })?,
        None => runtimes
            .iter()
            .find(|(_, _, entry)| *entry)
            .or(runtimes.first())
            .ok_or_else(|| {
                Error::new(
                    Category::Configuration,
                    "FindRuntime",
                    "the pack defines no agent runtime",
                )
            })?,
    };
    let (name, agent, _) = *chosen;
    let record = state
        .get(ResourceKind::AgentRuntime.as_str(), name)
        .filter(|r| {
            !matches!(
                r.status,
                Some(RecordStatus::Deleted) | Some(RecordStatus::Planned)
            )
        })
        .and_then(|r| r.arn.as_deref().map(|arn| (r, arn)));
    let Some((record, arn)) = record else {
        return Err(Error::new(
            Category::Resource,
            "FindRuntime",
            format!("runtime {name} is not deployed: the deploy state has no ARN for it"),
        )
        .with_hint("run `agentcore-tui apply` with the same --config, --pack and target first"));
    };
    let id = record
        .meta("id")
        .map(str::to_owned)
        .unwrap_or_else(|| crate::arn::resource_id(arn).to_owned());
    let pack_log_group = specs
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, s)| s.env.get("PROMPTPACK_LOG_GROUP"))
        .filter(|g| !g.is_empty())
        .cloned();
    Ok(Runtime {
        name: name.to_owned(),
        agent: agent.map(str::to_owned),
        arn: arn.to_owned(),
        id,
        pack_log_group,
    })
}
