//! agentcore-tui: a PromptPack to a secure AgentCore deployment, as a TUI and headless; the layers
//! are described in README.md (Architecture).

pub mod arn;
pub mod aws;
pub mod cli;
pub mod config;
pub mod deploy;
pub mod derive;
pub mod diagnostic;
pub mod input_file;
pub mod kms;
pub mod monitor;
pub mod pack;
pub mod plan;
pub mod recommend;
pub mod sanitize;
pub mod services;
pub mod tui;
