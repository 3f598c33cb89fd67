//! What CreateMemory will carry.

use serde_json::json;

use super::finding::Checks;
use super::sites::*;
use super::source::{config, pack};
use super::tags::tags;
use crate::config::DeployConfig;
use crate::plan::memory::strategy_name;
use crate::plan::{DesiredResource, MemorySpec};

pub(super) fn memory(c: &mut Checks, r: &DesiredResource, s: &MemorySpec, cfg: &DeployConfig) {
    c.text(&self::pack("id"), MEM_NAME, "", &r.name);
    c.text(
        &config("runtime_role_arn"),
        MEM_ROLE,
        "",
        &s.execution_role_arn,
    );
    memory_settings(
        c,
        s.event_expiry_days,
        s.encryption_key_arn.as_deref(),
        &s.strategies,
    );
    tags(c, MEM_TAGS, &s.tags, cfg);
}

pub(super) fn memory_settings(
    c: &mut Checks,
    expiry_days: i64,
    key: Option<&str>,
    strategies: &[String],
) {
    c.value(
        &config("memory_store.event_expiry_days"),
        MEM_EXPIRY,
        "",
        &json!(expiry_days),
    );
    if let Some(k) = key {
        c.text(&config("memory_store.encryption_key_arn"), MEM_KEY, "", k);
    }
    for s in strategies {
        let site = match s.as_str() {
            "episodic" => MEM_EPISODIC,
            "semantic" => MEM_SEMANTIC,
            "summary" => MEM_SUMMARY,
            "user_preference" => MEM_USER_PREFERENCE,
            // Not a strategy at all: config validation already refuses it.
            _ => continue,
        };
        c.text(
            &config("memory_store.strategies"),
            site,
            "",
            &strategy_name(s),
        );
    }
}
