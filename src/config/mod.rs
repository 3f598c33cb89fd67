//! The deploy config (`deploy_config` of the AgentCore adapter): model, loaders, validation
//! (hard errors, the adapter's order and wording) and diagnostics (warnings with a fix).

pub mod diagnose;
pub mod fields;
pub mod load;
pub mod model;
pub mod tags;
pub mod validate;

pub use crate::diagnostic::{CheckContext, Diagnostic, Severity, category};
pub use load::{
    ConfigSource, LoadError, LoadedConfig, from_arena_yaml_str, from_json_str, load_path,
};
pub use model::*;
