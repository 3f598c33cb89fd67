//! The pack's memory: its strategies, event expiry and encryption key.

use serde::{Deserialize, Serialize};

use super::Tags;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemorySpec {
    /// Canonical strategy names (aliases resolved): episodic, semantic, summary, user_preference.
    pub strategies: Vec<String>,
    pub event_expiry_days: i64,
    pub encryption_key_arn: Option<String>,
    pub execution_role_arn: String,
    pub tags: Tags,
}

/// The name a memory strategy is created with: `semantic` → `semantic_memory`.
pub fn strategy_name(strategy: &str) -> String {
    format!("{strategy}_memory")
}
