//! Cloud lookups: the call wrapper here, and one file per resource kind with its lookup and probe.
//!
//! Lookups by name are what make resume safe: a resource recorded as `creating` is found and
//! adopted instead of created twice.

use std::future::Future;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::{self, Clients};
use crate::deploy::poll::Probe;

mod cedar;
mod evaluation;
mod gateway;
mod memory;
mod runtime;

pub use cedar::{find_policy_engine, list_policies, policy_engine_probe, policy_probe};
pub use evaluation::{
    evaluator_probe, find_evaluator, find_online_eval, online_eval_probe, online_eval_service_names,
};
pub use gateway::{find_gateway, find_target, gateway_probe, list_targets, target_probe};
pub use memory::{find_memory, memory_probe};
pub use runtime::{find_runtime, runtime_probe};

const SERVICE: &str = "bedrock-agentcore";

/// Runs one control-plane call and classifies its error.
pub async fn call<T, E, R>(
    clients: &Clients,
    op: &str,
    fut: impl Future<Output = Result<T, SdkError<E, R>>>,
) -> Result<T, aws::Error>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
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
    R: std::fmt::Debug + 'static,
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

// ---- one recorded resource, whatever its kind ----

/// Where the recorded resource is now: `None` when it no longer exists.
/// Records without an id (an interrupted create) are looked up by name.
pub async fn probe_record(
    c: &Clients,
    rec: &crate::deploy::state::ResourceRecord,
    state: &crate::deploy::state::DeployState,
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
        "cedar_policy" | crate::plan::POLICY_ENGINE_KIND => {
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
        // Recorded only when a destroy stopped after its runtimes went; the next one deletes it.
        crate::deploy::destroy::CODE_ARTIFACT_KIND => {
            let (Some(bucket), Some(key), Some(account)) = (
                rec.meta(crate::deploy::destroy::ARTIFACT_BUCKET),
                rec.meta(crate::deploy::destroy::ARTIFACT_KEY),
                state.account.as_deref(),
            ) else {
                return Ok(None);
            };
            return Ok(crate::deploy::artifact::exists(c, account, bucket, key)
                .await?
                .then(|| Probe::Ready("PRESENT".into())));
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
