//! Memories: looked up by name, and probed until ACTIVE.

use super::{Found, call, call_opt, probe_of};
use crate::aws::{self, Clients};
use crate::deploy::poll::Probe;

pub async fn find_memory(c: &Clients, name: &str) -> Result<Option<Found>, aws::Error> {
    let items = call(
        c,
        "ListMemories",
        c.control
            .list_memories()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    )
    .await?;
    // Summaries carry no name; AWS ids start with the name, and GetMemory
    // settles any doubt.
    let mut candidates: Vec<_> = items
        .iter()
        .filter(|m| m.status().map(|s| s.as_str()) != Some("DELETING"))
        .filter_map(|m| m.id().map(str::to_owned))
        .collect();
    candidates.sort_by_key(|id| !id.starts_with(name));
    for id in candidates {
        if let Some(o) =
            call_opt(c, "GetMemory", c.control.get_memory().memory_id(&id).send()).await?
            && let Some(m) = o.memory()
            && m.name() == name
        {
            return Ok(Some(Found {
                id: m.id().to_owned(),
                arn: m.arn().to_owned(),
            }));
        }
    }
    Ok(None)
}

pub async fn memory_probe(c: &Clients, id: &str) -> Result<Probe, aws::Error> {
    let o = call(c, "GetMemory", c.control.get_memory().memory_id(id).send()).await?;
    let Some(m) = o.memory() else {
        return Ok(Probe::Pending("UNKNOWN".into()));
    };
    Ok(probe_of(
        m.status().as_str(),
        &["ACTIVE"],
        &["FAILED"],
        m.failure_reason().map(str::to_owned),
    ))
}
