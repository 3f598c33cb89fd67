//! The MCP gateway and its targets: looked up by name, listed, and probed until READY.

use aws_sdk_bedrockagentcorecontrol::types as t;

use super::{Found, call, call_opt, is_not_found, probe_of, reasons};
use crate::aws::{self, Clients};
use crate::deploy::poll::Probe;

pub async fn find_gateway(c: &Clients, name: &str) -> Result<Option<Found>, aws::Error> {
    let items = call(
        c,
        "ListGateways",
        c.control
            .list_gateways()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    )
    .await?;
    let Some(g) = items
        .into_iter()
        .find(|g| g.name() == name && g.status().as_str() != "DELETING")
    else {
        return Ok(None);
    };
    // The summary has no ARN.
    let o = call_opt(
        c,
        "GetGateway",
        c.control
            .get_gateway()
            .gateway_identifier(g.gateway_id())
            .send(),
    )
    .await?;
    Ok(o.map(|o| Found {
        id: o.gateway_id().to_owned(),
        arn: o.gateway_arn().to_owned(),
    }))
}

pub async fn gateway_probe(c: &Clients, id: &str) -> Result<Probe, aws::Error> {
    let o = call(
        c,
        "GetGateway",
        c.control.get_gateway().gateway_identifier(id).send(),
    )
    .await?;
    Ok(probe_of(
        o.status().as_str(),
        &["READY"],
        &["FAILED", "UPDATE_UNSUCCESSFUL"],
        reasons(o.status_reasons()),
    ))
}

pub async fn list_targets(
    c: &Clients,
    gateway_id: &str,
) -> Result<Vec<t::TargetSummary>, aws::Error> {
    call(
        c,
        "ListGatewayTargets",
        c.control
            .list_gateway_targets()
            .gateway_identifier(gateway_id)
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    )
    .await
}

pub async fn find_target(
    c: &Clients,
    gateway_id: &str,
    name: &str,
) -> Result<Option<String>, aws::Error> {
    match list_targets(c, gateway_id).await {
        Ok(items) => Ok(items
            .into_iter()
            .find(|t| t.name() == name && t.status().as_str() != "DELETING")
            .map(|t| t.target_id().to_owned())),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn target_probe(
    c: &Clients,
    gateway_id: &str,
    target_id: &str,
) -> Result<Probe, aws::Error> {
    let o = call(
        c,
        "GetGatewayTarget",
        c.control
            .get_gateway_target()
            .gateway_identifier(gateway_id)
            .target_id(target_id)
            .send(),
    )
    .await?;
    Ok(probe_of(
        o.status().as_str(),
        &["READY"],
        &["FAILED", "UPDATE_UNSUCCESSFUL", "SYNCHRONIZE_UNSUCCESSFUL"],
        reasons(o.status_reasons()),
    ))
}
