//! Status: every recorded resource checked against the cloud.

use serde::Serialize;

use super::cloud;
use super::context::Deployment;
use super::poll::Probe;
use super::state::{RecordStatus, ResourceRecord};
use crate::aws;
use crate::plan::ResourceKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Healthy,
    Unhealthy,
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Overall {
    Deployed,
    Degraded,
    NotDeployed,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResourceStatus {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub health: Health,
    /// The state AWS reports (`READY`, `CREATING`, `CREATE_FAILED`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub status: Overall,
    pub pack_id: String,
    pub version: String,
    pub resources: Vec<ResourceStatus>,
}

impl StatusReport {
    pub fn summary(&self) -> String {
        let n = |h| self.resources.iter().filter(|r| r.health == h).count();
        let word = match self.status {
            Overall::Deployed => "deployed",
            Overall::Degraded => "degraded",
            Overall::NotDeployed => "not deployed",
        };
        format!(
            "Status: {word} ({} healthy, {} unhealthy, {} missing)",
            n(Health::Healthy),
            n(Health::Unhealthy),
            n(Health::Missing)
        )
    }
}

pub async fn status(dep: &Deployment) -> Result<StatusReport, aws::Error> {
    let st = dep.store.snapshot();
    let live: Vec<_> = st.live().cloned().collect();
    let checks = futures_util::future::join_all(
        live.iter()
            .map(|r| cloud::probe_record(&dep.clients, r, &st)),
    )
    .await;
    let mut resources = Vec::new();
    for (rec, res) in live.into_iter().zip(checks) {
        let (health, state, mut detail) = match res {
            // An apply that failed or stopped before the Create answered leaves a record of
            // something that never existed.
            Ok(None)
                if matches!(
                    rec.status,
                    Some(RecordStatus::Failed) | Some(RecordStatus::Creating)
                ) && rec.meta("id").is_none_or(str::is_empty) =>
            {
                (
                    Health::Missing,
                    None,
                    Some(
                        "was never created: the apply that started it did not finish; apply again"
                            .to_owned(),
                    ),
                )
            }
            Ok(None) => (
                Health::Missing,
                None,
                Some("no longer exists in AWS".to_owned()),
            ),
            Ok(Some(Probe::Ready(s))) => (Health::Healthy, Some(s), None),
            Ok(Some(Probe::Pending(s))) => {
                (Health::Unhealthy, Some(s), Some("not ready yet".to_owned()))
            }
            Ok(Some(Probe::Failed { state, reason })) => (Health::Unhealthy, Some(state), reason),
            // Throttling, permissions…: an answer we cannot trust is not "healthy".
            Err(e)
                if e.category == aws::Category::Configuration && e.operation == "CheckResource" =>
            {
                (Health::Unhealthy, None, Some(e.message))
            }
            Err(e) => return Err(e),
        };
        if health != Health::Missing
            && let Some(n) = pack_wide_online_eval(dep, &rec).await?
        {
            detail = Some(format!(
                "one configuration for {n} runtimes, as older versions made it (AWS takes one service name per configuration); the next apply replaces it with one per runtime"
            ));
        }
        resources.push(ResourceStatus {
            kind: rec.kind,
            name: rec.name,
            health,
            state,
            arn: rec.arn,
            detail,
        });
    }
    let status = if resources.is_empty() {
        Overall::NotDeployed
    } else if resources.iter().all(|r| r.health == Health::Healthy) {
        Overall::Deployed
    } else {
        Overall::Degraded
    };
    Ok(StatusReport {
        status,
        pack_id: st.pack_id,
        version: st.version,
        resources,
    })
}

/// How many runtimes an online evaluation config evaluates, when it is more than one.
async fn pack_wide_online_eval(
    dep: &Deployment,
    rec: &ResourceRecord,
) -> Result<Option<usize>, aws::Error> {
    let Some(id) = rec.meta("id").filter(|i| !i.is_empty()) else {
        return Ok(None);
    };
    if rec.kind != ResourceKind::OnlineEvalConfig.as_str() {
        return Ok(None);
    }
    match cloud::online_eval_service_names(&dep.clients, id).await {
        Ok(names) => Ok((names.len() > 1).then_some(names.len())),
        Err(e) if cloud::is_not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}
