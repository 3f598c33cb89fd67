use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

pub use crate::plan::gateway::{
    ApiGatewayFilter, ApiGatewayOverride, ApiGatewayTarget, CredentialConfig, HttpTarget,
    SchemaSource, ToolTarget,
};

/// The adapter's `deploy_config` (`spec.deploy.config` in an arena file).
///
/// Required-by-the-adapter fields default to empty here so that a missing one is reported by
/// validation with the adapter's message instead of failing the parse.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub runtime_role_arn: String,
    #[serde(default, skip_serializing_if = "MemoryStore::is_empty")]
    pub memory_store: MemoryStore,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_binary_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_tags"
    )]
    pub tags: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub dry_run: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<ToolsConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observability: Option<ObservabilityConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a2a_auth: Option<A2aAuth>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<ProviderBinding>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tool_targets: BTreeMap<String, ToolTarget>,
}

/// A JSON object may repeat a key and serde keeps the last one; a repeated tag key is almost
/// always a copy-paste slip, so it is refused by name.
fn unique_tags<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = BTreeMap<String, String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object of tag keys to string values")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = map.next_entry::<String, String>()? {
                if out.contains_key(&k) {
                    return Err(de::Error::custom(format!("duplicate tag key {k:?}")));
                }
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `memory_store` in any of its three forms; strategies are kept as written (aliases are
/// resolved by [`MemoryStore::canonical_strategies`]) so validation can name a bad one.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MemoryStore {
    pub strategies: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_expiry_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_key_arn: Option<String>,
}

pub const DEFAULT_EVENT_EXPIRY_DAYS: i64 = 30;
pub const MEMORY_STRATEGIES: [&str; 4] = ["episodic", "semantic", "summary", "user_preference"];

impl MemoryStore {
    pub fn is_empty(&self) -> bool {
        self.strategies.is_empty()
            && self.event_expiry_days.is_none()
            && self.encryption_key_arn.is_none()
    }

    /// Memory is created only when at least one strategy is configured (the adapter's rule).
    pub fn is_configured(&self) -> bool {
        !self.strategies.is_empty()
    }

    pub fn resolve_alias(s: &str) -> &str {
        match s {
            "session" => "episodic",
            "persistent" => "semantic",
            other => other,
        }
    }

    /// Aliases resolved, duplicates dropped, order kept (what `PROMPTPACK_MEMORY_STORE` carries).
    pub fn canonical_strategies(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.strategies {
            let c = Self::resolve_alias(s).to_string();
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    pub fn event_expiry_days_or_default(&self) -> i64 {
        match self.event_expiry_days {
            Some(0) | None => DEFAULT_EVENT_EXPIRY_DAYS,
            Some(d) => d,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemoryStoreObject {
    #[serde(default)]
    strategies: Vec<String>,
    #[serde(default)]
    event_expiry_days: Option<i64>,
    #[serde(default)]
    encryption_key_arn: Option<String>,
}

impl<'de> Deserialize<'de> for MemoryStore {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MemoryStore;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a strategy string, an array of strategies, or an object {strategies, event_expiry_days, encryption_key_arn}")
            }
            fn visit_unit<E: de::Error>(self) -> Result<MemoryStore, E> {
                Ok(MemoryStore::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<MemoryStore, E> {
                Ok(MemoryStore::default())
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<MemoryStore, E> {
                let strategies = if s.is_empty() {
                    vec![]
                } else {
                    vec![s.to_string()]
                };
                Ok(MemoryStore {
                    strategies,
                    ..Default::default()
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MemoryStore, A::Error> {
                let mut strategies = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    strategies.push(s);
                }
                Ok(MemoryStore {
                    strategies,
                    ..Default::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MemoryStore, A::Error> {
                let o = MemoryStoreObject::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(MemoryStore {
                    strategies: o.strategies,
                    event_expiry_days: o.event_expiry_days,
                    encryption_key_arn: o.encryption_key_arn,
                })
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolsConfig {
    #[serde(default)]
    pub code_interpreter: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservabilityConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudwatch_log_group: Option<String>,
    #[serde(default)]
    pub tracing_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otlp_endpoint: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct A2aAuth {
    #[serde(default)]
    pub mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_audience: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_clients: Vec<String>,
}

pub const PROVIDER_ROLES: [&str; 6] = ["embedding", "image", "inference", "llm", "stt", "tts"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderBinding {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arena_provider: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub provider_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

impl ProviderBinding {
    pub fn role_or_default(&self) -> &str {
        match self.role.as_deref() {
            None | Some("") => "llm",
            Some(r) => r,
        }
    }
}

impl DeployConfig {
    /// The 12-digit account of `runtime_role_arn`, if the ARN has one.
    pub fn role_account(&self) -> Option<&str> {
        crate::arn::account_id(&self.runtime_role_arn)
    }

    pub fn a2a_mode(&self) -> Option<&str> {
        self.a2a_auth.as_ref().map(|a| a.mode.as_str())
    }

    pub fn log_group(&self) -> Option<&str> {
        self.observability
            .as_ref()
            .and_then(|o| o.cloudwatch_log_group.as_deref())
            .filter(|s| !s.is_empty())
    }
}
