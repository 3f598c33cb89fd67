//! Policy engines and their Cedar policies: looked up by name, listed, and probed until ACTIVE.

use aws_sdk_bedrockagentcorecontrol::types as t;

use super::{Found, call, probe_of, reasons};
use crate::aws::{self, Clients};
use crate::deploy::poll::Probe;

pub async fn find_policy_engine(c: &Clients, name: &str) -> Result<Option<Found>, aws::Error> {
    let items = call(
        c,
        "ListPolicyEngines",
        c.control
            .list_policy_engines()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    )
    .await?;
    Ok(items
        .into_iter()
        .find(|e| e.name() == name && e.status().as_str() != "DELETING")
        .map(|e| Found {
            id: e.policy_engine_id().to_owned(),
            arn: e.policy_engine_arn().to_owned(),
        }))
}

pub async fn policy_engine_probe(c: &Clients, id: &str) -> Result<Probe, aws::Error> {
    let o = call(
        c,
        "GetPolicyEngine",
        c.control.get_policy_engine().policy_engine_id(id).send(),
    )
    .await?;
    Ok(probe_of(
        o.status().as_str(),
        &["ACTIVE"],
        &["CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED"],
        reasons(o.status_reasons()),
    ))
}

pub async fn list_policies(c: &Clients, engine_id: &str) -> Result<Vec<t::Policy>, aws::Error> {
    call(
        c,
        "ListPolicies",
        c.control
            .list_policies()
            .policy_engine_id(engine_id)
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    )
    .await
}

pub async fn policy_probe(
    c: &Clients,
    engine_id: &str,
    policy_id: &str,
) -> Result<Probe, aws::Error> {
    let o = call(
        c,
        "GetPolicy",
        c.control
            .get_policy()
            .policy_engine_id(engine_id)
            .policy_id(policy_id)
            .send(),
    )
    .await?;
    Ok(probe_of(
        o.status().as_str(),
        &["ACTIVE"],
        &["CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED"],
        reasons(o.status_reasons()),
    ))
}
