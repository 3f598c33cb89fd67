//! The deploy config: model, loaders, validation (errors), diagnostics (warnings) and tags.
//!
//! It is the AgentCore adapter's `deploy_config`: validation keeps the adapter's order and wording,
//! and every warning says how to fix it. The checks that also need the pack are in
//! `derive/`.

pub mod diagnose;
pub mod fields;
pub mod load;
pub mod model;
pub mod paths;
pub mod tags;
pub mod validate;

pub use crate::diagnostic::{CheckContext, Diagnostic, Severity, category};
pub use load::{
    ConfigSource, LoadError, LoadedConfig, from_arena_yaml_str, from_json_str, load_path,
};
pub use model::*;
