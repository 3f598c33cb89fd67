//! Looking resources up, probing their state and deleting them. Lookups by
//! name are what make resume safe: a resource recorded as `creating` is
//! found and adopted instead of created twice.

use std::future::Future;

use aws_sdk_bedrockagentcorecontrol::types as t;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::poll::Probe;
use crate::aws::{self, Clients};

const SERVICE: &str = "bedrock-agentcore";

/// Runs one control-plane call and classifies its error.
pub async fn call<T, E, R>(
    clients: &Clients,
    op: &str,
    fut: impl Future<Output = Result<T, SdkError<E, R>>>,
) -> Result<T, aws::Error>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    fut.await
        .map_err(|e| aws::Error::from_sdk(SERVICE, op, &e, &clients.error_context()))
}

/// Like [`call`] but `Ok(None)` when the resource does not exist.
pub async fn call_opt<T, E, R>(
    clients: &Clients,
    op: &str,
    fut: impl Future<Output = Result<T, SdkError<E, R>>>,
) -> Result<Option<T>, aws::Error>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match call(clients, op, fut).await {
        Ok(v) => Ok(Some(v)),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn is_not_found(e: &aws::Error) -> bool {
    matches!(
        e.code.as_deref(),
        Some("ResourceNotFoundException") | Some("NotFoundException")
    )
}

/// A create that clashed with an existing resource of the same name
/// (CreateMemory says so with a ValidationException).
pub fn is_conflict(e: &aws::Error) -> bool {
    match e.code.as_deref() {
        Some("ConflictException") => true,
        Some("ValidationException") => e.message.contains("already exists"),
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub id: String,
    pub arn: String,
}

fn probe_of(status: &str, ready: &[&str], failed: &[&str], reason: Option<String>) -> Probe {
    if ready.contains(&status) {
        Probe::Ready(status.to_owned())
    } else if failed.contains(&status) {
        Probe::Failed {
            state: status.to_owned(),
            reason,
        }
    } else {
        Probe::Pending(status.to_owned())
    }
}

fn reasons(r: &[String]) -> Option<String> {
    (!r.is_empty()).then(|| r.join("; "))
}

// ---- agent runtimes ----

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

// ---- gateways and targets ----

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

// ---- policy engines and policies ----

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

// ---- memory ----

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

// ---- evaluators and online evaluation ----

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

// ---- one recorded resource, whatever its kind ----

/// Where the recorded resource is now: `None` when it no longer exists.
/// Records without an id (an interrupted create) are looked up by name.
pub async fn probe_record(
    c: &Clients,
    rec: &super::state::ResourceRecord,
    state: &super::state::DeployState,
) -> Result<Option<Probe>, aws::Error> {
    let id = rec.meta("id").filter(|s| !s.is_empty()).map(str::to_owned);
    let name = rec.name.as_str();
    let or_find = |found: Option<Found>| Ok::<_, aws::Error>(found.map(|f| f.id));
    let res = match rec.kind.as_str() {
        "memory" => {
            let id = match id {
                Some(i) => Some(i),
                None => or_find(find_memory(c, name).await?)?,
            };
            match id {
                Some(i) => Some(memory_probe(c, &i).await),
                None => None,
            }
        }
        "gateway" => {
            let id = match id {
                Some(i) => Some(i),
                None => or_find(find_gateway(c, name).await?)?,
            };
            match id {
                Some(i) => Some(gateway_probe(c, &i).await),
                None => None,
            }
        }
        "tool_gateway" => {
            let gw = rec.meta("gateway_id").map(str::to_owned).or_else(|| {
                state
                    .resources
                    .iter()
                    .find(|r| r.kind == "gateway")
                    .and_then(|g| g.meta("id").map(str::to_owned))
            });
            let Some(gw) = gw else { return Ok(None) };
            let id = match id {
                Some(i) => Some(i),
                None => find_target(c, &gw, name).await?,
            };
            match id {
                Some(i) => Some(target_probe(c, &gw, &i).await),
                None => None,
            }
        }
        "cedar_policy" => {
            let id = match rec.meta("policy_engine_id").map(str::to_owned).or(id) {
                Some(i) => Some(i),
                None => or_find(find_policy_engine(c, name).await?)?,
            };
            match id {
                Some(i) => Some(policy_engine_probe(c, &i).await),
                None => None,
            }
        }
        "agent_runtime" => {
            let id = match id {
                Some(i) => Some(i),
                None => or_find(find_runtime(c, name).await?)?,
            };
            match id {
                Some(i) => Some(runtime_probe(c, &i).await),
                None => None,
            }
        }
        "a2a_endpoint" => {
            // Logical: healthy exactly when the member runtime is.
            let rt = rec
                .meta("runtime_name")
                .unwrap_or(name.trim_end_matches("_endpoint"));
            let rid = state
                .resources
                .iter()
                .find(|r| r.kind == "agent_runtime" && r.name == rt)
                .and_then(|r| r.meta("id").map(str::to_owned));
            match rid {
                Some(i) => Some(runtime_probe(c, &i).await),
                None => None,
            }
        }
        "evaluator" => {
            let id = match id {
                Some(i) => Some(i),
                None => or_find(find_evaluator(c, name).await?)?,
            };
            match id {
                Some(i) => Some(evaluator_probe(c, &i).await),
                None => None,
            }
        }
        "online_eval_config" => {
            let id = match id {
                Some(i) => Some(i),
                None => or_find(find_online_eval(c, name).await?)?,
            };
            match id {
                Some(i) => Some(online_eval_probe(c, &i).await),
                None => None,
            }
        }
        other => {
            return Err(aws::Error::new(
                aws::Category::Configuration,
                "CheckResource",
                format!(
                    "state has a resource of unknown type \"{other}\" ({name}); it is left alone"
                ),
            ));
        }
    };
    match res {
        None => Ok(None),
        Some(Ok(p)) => Ok(Some(p)),
        Some(Err(e)) if is_not_found(&e) => Ok(None),
        Some(Err(e)) => Err(e),
    }
}
