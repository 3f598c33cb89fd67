use std::fmt;
use std::path::{Path, PathBuf};

use super::model::DeployConfig;
use crate::diagnostic::{Diagnostic, category};

/// Why a deploy config could not be read. `line`/`column` are set for JSON input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: Option<PathBuf>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// Dotted path of the field being read, empty at the top level.
    pub field: String,
    pub message: String,
    pub hint: Option<String>,
}

impl LoadError {
    fn plain(message: impl Into<String>) -> Self {
        Self {
            file: None,
            line: None,
            column: None,
            field: String::new(),
            message: message.into(),
            hint: None,
        }
    }

    fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        let d = Diagnostic::error(
            self.field.clone(),
            category::CONFIGURATION,
            self.to_string(),
        );
        match &self.hint {
            Some(h) => d.with_hint(h.clone()),
            None => d,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::diagnostic::write_located(
            f,
            self.file.as_deref(),
            self.line.zip(self.column),
            &self.field,
            &self.message,
        )
    }
}

impl std::error::Error for LoadError {}

/// Where a config came from, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    Json,
    /// `spec.deploy.config` of an arena file, with the named environment merged over it.
    ArenaYaml {
        provider: Option<String>,
        environment: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: DeployConfig,
    pub source: ConfigSource,
    /// Warnings about the file itself (e.g. an arena deploy block for another provider).
    pub notes: Vec<Diagnostic>,
}

fn unknown_field_hint(message: &str) -> Option<String> {
    message.starts_with("unknown field").then(|| {
        "remove the field or fix its spelling; the deploy config accepts only the adapter's fields".to_string()
    })
}

pub fn from_json_str(text: &str) -> Result<DeployConfig, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let result: Result<DeployConfig, _> = serde_path_to_error::deserialize(&mut de);
    let cfg = result.map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        let message = strip_position(&inner.to_string());
        let hint = unknown_field_hint(&message);
        LoadError {
            file: None,
            line: pos(inner.line()),
            column: pos(inner.column()),
            field: if field == "." || field == "?" {
                String::new()
            } else {
                field
            },
            message,
            hint,
        }
    })?;
    de.end().map_err(|e| LoadError {
        line: pos(e.line()),
        column: pos(e.column()),
        ..LoadError::plain(strip_position(&e.to_string()))
    })?;
    Ok(cfg)
}

/// serde_json appends " at line L column C"; we report the position separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Reads `spec.deploy.config` of an arena YAML file and, when `env` is given, shallow-merges
/// `spec.deploy.environments.<env>.config` over it (promptarena's rule: top-level keys replaced).
pub fn from_arena_yaml_str(text: &str, env: Option<&str>) -> Result<LoadedConfig, LoadError> {
    use serde_yaml_ng::Value;
    let doc: Value = serde_yaml_ng::from_str(text).map_err(|e| {
        let loc = e.location();
        LoadError {
            line: loc.as_ref().and_then(|l| pos(l.line())),
            column: loc.as_ref().and_then(|l| pos(l.column())),
            ..LoadError::plain(format!("not valid YAML: {e}"))
        }
    })?;
    let deploy = doc
        .get("spec")
        .and_then(|s| s.get("deploy"))
        .ok_or_else(|| {
            LoadError {
                field: "spec.deploy".into(),
                ..LoadError::plain("the arena file has no spec.deploy block")
            }
            .with_hint(
                "add spec.deploy: {provider: agentcore, config: {region: …, runtime_role_arn: …}}",
            )
        })?;
    let provider = deploy
        .get("provider")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut merged = match deploy.get("config") {
        Some(Value::Mapping(m)) => m.clone(),
        Some(Value::Null) | None => serde_yaml_ng::Mapping::new(),
        Some(_) => {
            return Err(LoadError {
                field: "spec.deploy.config".into(),
                ..LoadError::plain("spec.deploy.config must be a mapping")
            });
        }
    };
    if let Some(env) = env {
        let envs = deploy.get("environments").and_then(Value::as_mapping);
        let Some(env_block) = envs.and_then(|m| m.get(env)) else {
            let known: Vec<String> = envs
                .map(|m| {
                    m.keys()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            return Err(LoadError {
                field: format!("spec.deploy.environments.{env}"),
                ..LoadError::plain(format!("environment {env:?} is not defined"))
            }
            .with_hint(if known.is_empty() {
                "the file defines no environments; drop --env".to_string()
            } else {
                format!("defined environments: {}", known.join(", "))
            }));
        };
        match env_block.get("config") {
            Some(Value::Mapping(over)) => {
                for (k, v) in over {
                    merged.insert(k.clone(), v.clone());
                }
            }
            Some(Value::Null) | None => {}
            Some(_) => {
                return Err(LoadError {
                    field: format!("spec.deploy.environments.{env}.config"),
                    ..LoadError::plain("environment config must be a mapping")
                });
            }
        }
    }
    let result: Result<DeployConfig, _> = serde_path_to_error::deserialize(Value::Mapping(merged));
    let config = result.map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let hint = unknown_field_hint(&message);
        LoadError {
            field: if path == "." {
                "spec.deploy.config".into()
            } else {
                format!("spec.deploy.config.{path}")
            },
            hint,
            ..LoadError::plain(message)
        }
    })?;
    let mut notes = Vec::new();
    if let Some(p) = provider.as_deref().filter(|p| *p != "agentcore") {
        notes.push(
            Diagnostic::warning(
                "spec.deploy.provider",
                category::CONFIGURATION,
                format!("spec.deploy.provider is {p:?}, not \"agentcore\""),
            )
            .with_hint(
                "set provider: agentcore so promptarena hands this config to the AgentCore adapter",
            ),
        );
    }
    Ok(LoadedConfig {
        config,
        source: ConfigSource::ArenaYaml {
            provider,
            environment: env.map(str::to_string),
        },
        notes,
    })
}

/// Loads a deploy config file: `.yaml`/`.yml` as an arena file, anything else as deploy-config JSON.
/// `runtime_binary_path` comes back resolved from the file's folder.
pub fn load_path(path: &Path, env: Option<&str>) -> Result<LoadedConfig, LoadError> {
    let with_file = |mut e: LoadError| {
        e.file = Some(path.to_path_buf());
        e
    };
    let text = crate::input_file::read_text(path).map_err(|e| {
        let le = LoadError::plain(e.to_string());
        with_file(match e.hint() {
            Some(h) => le.with_hint(h),
            None => le,
        })
    })?;
    let is_yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    let mut loaded = if is_yaml {
        from_arena_yaml_str(&text, env).map_err(with_file)?
    } else {
        load_json(&text, env).map_err(with_file)?
    };
    if let Some(p) = &mut loaded.config.runtime_binary_path {
        *p = super::paths::resolve_beside(path, p);
    }
    Ok(loaded)
}

fn load_json(text: &str, env: Option<&str>) -> Result<LoadedConfig, LoadError> {
    if env.is_some() {
        return Err(
            LoadError::plain("--env applies only to arena YAML files").with_hint(
                "drop --env, or pass the arena file (*.arena.yaml) that defines the environment",
            ),
        );
    }
    let config = from_json_str(text)?;
    Ok(LoadedConfig {
        config,
        source: ConfigSource::Json,
        notes: vec![],
    })
}

/// Positions are 1-based and small; u32 keeps the error type compact.
fn pos(n: usize) -> Option<u32> {
    u32::try_from(n).ok()
}
