//! Agent runtimes: looked up by name, and probed until READY.

use super::{Found, call, probe_of};
use crate::aws::{self, Clients};
use crate::deploy::poll::Probe;

pub async fn find_runtime(c: &Clients, name: &str) -> Result<Option<Found>, aws::Error> {
    let items = call(
        c,
        "ListAgentRuntimes",
        c.control
            .list_agent_runtimes()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    )
    .await?;
    Ok(items
        .into_iter()
        .find(|r| r.agent_runtime_name() == name)
        .map(|r| Found {
            id: r.agent_runtime_id().to_owned(),
            arn: r.agent_runtime_arn().to_owned(),
        }))
}

pub async fn runtime_probe(c: &Clients, id: &str) -> Result<Probe, aws::Error> {
    let o = call(
        c,
        "GetAgentRuntime",
        c.control.get_agent_runtime().agent_runtime_id(id).send(),
    )
    .await?;
    Ok(probe_of(
        o.status().as_str(),
        &["READY"],
        &["CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED"],
        o.failure_reason().map(str::to_owned),
    ))
}
