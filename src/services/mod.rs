//! What the CLI and the TUI share, written once above the domain: preparing a deployment, the
//! key-policy check, the wizard's answers as a deploy config, and where files are kept.

pub mod answers;
pub mod deploy;
pub mod key_policy;
pub mod logging;
pub mod paths;
