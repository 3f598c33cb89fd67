//! The health of a deployed runtime and what it depends on: its status (GetAgentRuntime), its
//! versions (ListAgentRuntimeVersions) and endpoints (ListAgentRuntimeEndpoints), and the
//! pack's gateway with its targets' status (GetGateway, ListGatewayTargets). Each part is read
//! on its own, so one denied call leaves the others shown, its error in plain words.

use aws_smithy_types::DateTime;
use serde::Serialize;

use super::target::Runtime;
use crate::aws::{Clients, Error};
use crate::deploy::state::DeployState;
use crate::plan::gateway::GATEWAY_KIND;

/// Pages read per list at most: a runtime updated a thousand times still answers quickly.
const MAX_PAGES: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuntimeHealth {
    pub status: String,
    pub version: String,
    pub failure_reason: Option<String>,
    pub updated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    pub version: String,
    pub status: String,
    pub updated: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub name: String,
    pub status: String,
    pub live_version: Option<String>,
    pub target_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub name: String,
    pub id: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayHealth {
    pub name: String,
    pub id: String,
    pub status: Result<String, Error>,
    pub targets: Result<Vec<Target>, Error>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    pub runtime: String,
    pub status: Result<RuntimeHealth, Error>,
    /// Newest first.
    pub versions: Result<Vec<Version>, Error>,
    pub endpoints: Result<Vec<Endpoint>, Error>,
    /// The pack's gateways as the deploy state records them (none when it has no tools).
    pub gateways: Vec<GatewayHealth>,
    /// More versions than the pages read hold.
    pub more_versions: bool,
}

impl Health {
    /// Nothing looks wrong: the runtime READY, every endpoint and target READY, nothing failed
    /// to read.
    pub fn healthy(&self) -> bool {
        let ready = |s: &str| s == "READY";
        self.status.as_ref().is_ok_and(|s| ready(&s.status))
            && self
                .endpoints
                .as_ref()
                .is_ok_and(|e| e.iter().all(|e| ready(&e.status)))
            && self.versions.is_ok()
            && self.gateways.iter().all(|g| {
                g.status.as_ref().is_ok_and(|s| ready(s))
                    && g.targets
                        .as_ref()
                        .is_ok_and(|t| t.iter().all(|t| ready(&t.status)))
            })
    }
}

fn time(t: &DateTime) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(t.secs(), t.subsec_nanos())
        .map(|d| d.format("%Y-%m-%d %H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Reads every part; never fails as a whole.
pub async fn gather(clients: &Clients, state: &DeployState, runtime: &Runtime) -> Health {
    let ctx = clients.error_context();
    let c = &clients.control;
    macro_rules! sdk {
        ($op:literal) => {
            |e| Error::from_sdk("bedrock-agentcore", $op, &e, &ctx)
        };
    }
    let status = c
        .get_agent_runtime()
        .agent_runtime_id(&runtime.id)
        .send()
        .await
        .map(|o| RuntimeHealth {
            status: o.status().as_str().to_owned(),
            version: o.agent_runtime_version().to_owned(),
            failure_reason: o.failure_reason().map(str::to_owned),
            updated: Some(time(o.last_updated_at())),
        })
        .map_err(sdk!("GetAgentRuntime"));

    let mut more_versions = false;
    let versions = async {
        let mut out = Vec::new();
        let mut token = None;
        for page in 0.. {
            if page == MAX_PAGES {
                more_versions = true;
                break;
            }
            let o = c
                .list_agent_runtime_versions()
                .agent_runtime_id(&runtime.id)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(sdk!("ListAgentRuntimeVersions"))?;
            out.extend(o.agent_runtimes().iter().map(|v| Version {
                version: v.agent_runtime_version().to_owned(),
                status: v.status().as_str().to_owned(),
                updated: time(v.last_updated_at()),
            }));
            match o.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => break,
            }
        }
        // Newest first, whatever order the pages came in.
        out.sort_by_key(|v| std::cmp::Reverse(v.version.parse::<u64>().unwrap_or(0)));
        Ok(out)
    }
    .await;

    let endpoints = async {
        let mut out = Vec::new();
        let mut token = None;
        for _ in 0..MAX_PAGES {
            let o = c
                .list_agent_runtime_endpoints()
                .agent_runtime_id(&runtime.id)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(sdk!("ListAgentRuntimeEndpoints"))?;
            out.extend(o.runtime_endpoints().iter().map(|e| Endpoint {
                name: e.name().to_owned(),
                status: e.status().as_str().to_owned(),
                live_version: e.live_version().map(str::to_owned),
                target_version: e.target_version().map(str::to_owned),
            }));
            match o.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => break,
            }
        }
        Ok(out)
    }
    .await;

    let mut gateways = Vec::new();
    for g in state.live().filter(|r| r.kind == GATEWAY_KIND) {
        let Some(id) = g.meta("id").map(str::to_owned).or_else(|| {
            g.arn
                .as_deref()
                .map(|a| crate::arn::resource_id(a).to_owned())
        }) else {
            continue;
        };
        let status = c
            .get_gateway()
            .gateway_identifier(&id)
            .send()
            .await
            .map(|o| o.status().as_str().to_owned())
            .map_err(sdk!("GetGateway"));
        let targets = async {
            let mut out = Vec::new();
            let mut token = None;
            for _ in 0..MAX_PAGES {
                let o = c
                    .list_gateway_targets()
                    .gateway_identifier(&id)
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(sdk!("ListGatewayTargets"))?;
                out.extend(o.items().iter().map(|t| Target {
                    name: t.name().to_owned(),
                    id: t.target_id().to_owned(),
                    status: t.status().as_str().to_owned(),
                }));
                match o.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                    _ => break,
                }
            }
            out.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(out)
        }
        .await;
        gateways.push(GatewayHealth {
            name: g.name.clone(),
            id,
            status,
            targets,
        });
    }
    Health {
        runtime: runtime.name.clone(),
        status,
        versions,
        endpoints,
        gateways,
        more_versions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::Category;

    fn ready_health() -> Health {
        Health {
            runtime: "rt".into(),
            status: Ok(RuntimeHealth {
                status: "READY".into(),
                version: "2".into(),
                failure_reason: None,
                updated: None,
            }),
            versions: Ok(vec![]),
            endpoints: Ok(vec![Endpoint {
                name: "DEFAULT".into(),
                status: "READY".into(),
                live_version: Some("2".into()),
                target_version: Some("2".into()),
            }]),
            gateways: vec![GatewayHealth {
                name: "gw".into(),
                id: "gw-1".into(),
                status: Ok("READY".into()),
                targets: Ok(vec![Target {
                    name: "t".into(),
                    id: "T1".into(),
                    status: "READY".into(),
                }]),
            }],
            more_versions: false,
        }
    }

    #[test]
    fn one_failed_target_or_a_denied_read_is_not_healthy() {
        assert!(ready_health().healthy());
        let mut h = ready_health();
        h.gateways[0].targets.as_mut().unwrap()[0].status = "FAILED".into();
        assert!(!h.healthy());
        let mut h = ready_health();
        h.versions = Err(Error::new(
            Category::Permission,
            "ListAgentRuntimeVersions",
            "denied",
        ));
        assert!(!h.healthy());
    }
}
