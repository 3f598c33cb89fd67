//! Agent runtimes (one per agent of the pack) and the A2A endpoints that wire members to the entry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Tags;

/// The launcher at the root of a code package, which AgentCore runs.
pub const ENTRY_POINT: &str = "main.py";

/// Where a pack version's code package is put in the code bucket.
pub fn code_key(pack_id: &str, version: &str) -> String {
    format!("promptkit/{pack_id}/{version}/deployment_package.zip")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwtAuthorizer {
    pub discovery_url: String,
    pub allowed_audience: Vec<String>,
    pub allowed_clients: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuntimeSpec {
    /// The member this runtime serves (multi-agent), `None` for a single-agent pack.
    pub agent: Option<String>,
    pub is_entry: bool,
    pub role_arn: String,
    /// AWS ServerProtocol: `HTTP` or `A2A`; `None` lets AWS choose.
    pub server_protocol: Option<String>,
    /// Environment known at plan time (promptpack-format.md §5).
    pub env: BTreeMap<String, String>,
    /// Variables only known during apply: PROMPTPACK_MEMORY_ID, PROMPTPACK_POLICY_ENGINE_ARN,
    /// PROMPTPACK_AGENTS (entry runtime: its peers' ARNs, from their Create answers).
    pub env_after_apply: Vec<String>,
    pub authorizer: Option<JwtAuthorizer>,
    pub runtime_binary_path: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct A2aEndpointSpec {
    pub member: String,
    pub runtime_name: String,
    pub entry_runtime_name: String,
}
