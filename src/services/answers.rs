//! The wizard's answers: what the TUI asks, saves between runs and prepares a deployment from,
//! and their conversion to the adapter's deploy config. Only names and paths are kept (a
//! profile name, never a credential).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::config::{A2aAuth, DeployConfig};
use crate::deploy::apply::ArtifactSource;

/// Where AWS calls go.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwsTarget {
    /// The embedded emulator (`--local`).
    Local,
    /// A named profile from `~/.aws/config` / `~/.aws/credentials` (SSO included).
    Profile(String),
    /// The SDK's default chain with the exported `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
    Environment,
}

impl AwsTarget {
    /// Where this target's calls go, for "waiting for … at …".
    pub fn endpoint_label(&self, region: &str) -> String {
        match self {
            Self::Local => "the local emulator".into(),
            _ => match std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|u| !u.is_empty())
            {
                Some(url) => url,
                None => format!("AWS {region} ({})", self.label()),
            },
        }
    }

    pub fn label(&self) -> String {
        match self {
            Self::Local => "local emulator".into(),
            Self::Profile(p) => format!("profile {p}"),
            Self::Environment => "environment credentials".into(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactKind {
    #[default]
    RuntimeBinary,
    ContainerImage,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum A2aMode {
    #[default]
    None,
    Iam,
    Jwt,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KmsChoice {
    #[default]
    Undecided,
    AwsOwned,
    Customer {
        arn: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Answers {
    pub pack_path: String,
    pub target: Option<AwsTarget>,
    pub region: String,
    pub runtime_role_arn: String,
    pub artifact_kind: ArtifactKind,
    pub runtime_binary_path: String,
    pub container_image_uri: String,
    pub a2a_mode: A2aMode,
    pub discovery_url: String,
    pub allowed_audience: Vec<String>,
    pub allowed_clients: Vec<String>,
    /// In the user's order; duplicates are kept while editing so the table can point at them.
    pub tags: Vec<(String, String)>,
    pub kms: KmsChoice,
    pub output_path: String,
    /// A deploy config the answers started from (`--local`: the demo's). The fields the wizard
    /// does not ask about (memory, providers, observability, tool targets…) are carried from it
    /// into the written config; a JSON value so the answers stay comparable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_config: Option<serde_json::Value>,
}

impl Answers {
    pub fn is_blank(&self) -> bool {
        *self == Self::default()
    }
}

/// The adapter-compatible config the answers describe, on top of the base config they started
/// from (so what the wizard does not ask about is kept). The container image is not an adapter
/// field: it travels with the answers. A chosen customer managed key encrypts the memory store
/// when the base config has one.
pub fn deploy_config(a: &Answers) -> DeployConfig {
    let mut base: DeployConfig = a
        .base_config
        .clone()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let a2a_auth = match a.a2a_mode {
        A2aMode::None => None,
        A2aMode::Iam => Some(A2aAuth {
            mode: "iam".into(),
            ..A2aAuth::default()
        }),
        A2aMode::Jwt => Some(A2aAuth {
            mode: "jwt".into(),
            discovery_url: (!a.discovery_url.is_empty()).then(|| a.discovery_url.clone()),
            allowed_audience: a.allowed_audience.clone(),
            allowed_clients: a.allowed_clients.clone(),
        }),
    };
    if let KmsChoice::Customer { arn } = &a.kms
        && !base.memory_store.is_empty()
    {
        base.memory_store.encryption_key_arn = Some(arn.clone());
    }
    DeployConfig {
        region: a.region.clone(),
        runtime_role_arn: a.runtime_role_arn.clone(),
        runtime_binary_path: (a.artifact_kind == ArtifactKind::RuntimeBinary
            && !a.runtime_binary_path.is_empty())
        .then(|| a.runtime_binary_path.clone()),
        a2a_auth,
        tags: a.tags.iter().cloned().collect(),
        ..base
    }
}

/// What the runtimes run, as the answers chose it; a choice left empty deploys nothing to run
/// (apply reports it as missing).
pub fn artifact_source(a: &Answers) -> ArtifactSource {
    match a.artifact_kind {
        ArtifactKind::ContainerImage if !a.container_image_uri.is_empty() => {
            ArtifactSource::Container(a.container_image_uri.clone())
        }
        ArtifactKind::RuntimeBinary if !a.runtime_binary_path.is_empty() => {
            ArtifactSource::Code(PathBuf::from(&a.runtime_binary_path))
        }
        _ => ArtifactSource::Missing,
    }
}

/// The deadline of one AWS call in seconds: `AGENTCORE_TUI_TIMEOUT` when valid, else the
/// default the clients use.
pub fn call_deadline_secs() -> u64 {
    crate::aws::Timeouts::from_env_or_default().as_secs()
}
