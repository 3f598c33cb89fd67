//! Evaluators and online evaluation configurations: looked up by name, and probed.

use aws_sdk_bedrockagentcorecontrol::types as t;

use super::{Found, call, probe_of};
use crate::aws::{self, Clients};
use crate::deploy::poll::Probe;

pub async fn find_evaluator(c: &Clients, name: &str) -> Result<Option<Found>, aws::Error> {
    let items = call(
        c,
        "ListEvaluators",
        c.control
            .list_evaluators()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    )
    .await?;
    Ok(items
        .into_iter()
        .find(|e| e.evaluator_name() == name && e.status().as_str() != "DELETING")
        .map(|e| Found {
            id: e.evaluator_id().to_owned(),
            arn: e.evaluator_arn().to_owned(),
        }))
}

pub async fn evaluator_probe(c: &Clients, id: &str) -> Result<Probe, aws::Error> {
    let o = call(
        c,
        "GetEvaluator",
        c.control.get_evaluator().evaluator_id(id).send(),
    )
    .await?;
    Ok(probe_of(
        o.status().as_str(),
        &["ACTIVE"],
        &["CREATE_FAILED", "UPDATE_FAILED"],
        None,
    ))
}

pub async fn find_online_eval(c: &Clients, name: &str) -> Result<Option<Found>, aws::Error> {
    let items = call(
        c,
        "ListOnlineEvaluationConfigs",
        c.control
            .list_online_evaluation_configs()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    )
    .await?;
    Ok(items
        .into_iter()
        .find(|e| e.online_evaluation_config_name() == name && e.status().as_str() != "DELETING")
        .map(|e| Found {
            id: e.online_evaluation_config_id().to_owned(),
            arn: e.online_evaluation_config_arn().to_owned(),
        }))
}

pub async fn online_eval_probe(c: &Clients, id: &str) -> Result<Probe, aws::Error> {
    let o = call(
        c,
        "GetOnlineEvaluationConfig",
        c.control
            .get_online_evaluation_config()
            .online_evaluation_config_id(id)
            .send(),
    )
    .await?;
    Ok(probe_of(
        o.status().as_str(),
        &["ACTIVE"],
        &["CREATE_FAILED", "UPDATE_FAILED", "ERROR"],
        o.failure_reason().map(str::to_owned),
    ))
}

/// The service names a configuration evaluates: more than one only in the pack-wide config
/// older versions made (and only the emulator accepted).
pub async fn online_eval_service_names(c: &Clients, id: &str) -> Result<Vec<String>, aws::Error> {
    let o = call(
        c,
        "GetOnlineEvaluationConfig",
        c.control
            .get_online_evaluation_config()
            .online_evaluation_config_id(id)
            .send(),
    )
    .await?;
    Ok(match o.data_source_config() {
        Some(t::DataSourceConfig::CloudWatchLogs(l)) => l.service_names().to_vec(),
        _ => Vec::new(),
    })
}
