//! Status: every recorded resource checked against the cloud.

use serde::Serialize;

use super::cloud;
use super::context::Deployment;
use super::poll::Probe;
use crate::aws;

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
        let (health, state, detail) = match res {
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
