//! The memory, when the config gives it a strategy.

use super::Ctx;
use crate::plan::{DesiredResource, MemorySpec, ResourceKind, ResourceSpec};

pub(super) fn memory(cx: &mut Ctx) -> Option<DesiredResource> {
    let m = &cx.cfg.memory_store;
    if !m.is_configured() {
        return None;
    }
    let name = cx.name(&cx.pack.id, "_memory", "id")?;
    Some(DesiredResource {
        kind: ResourceKind::Memory,
        logical_id: cx.pack.id.clone(),
        depends_on: vec![],
        spec: ResourceSpec::Memory(MemorySpec {
            strategies: m.canonical_strategies(),
            event_expiry_days: m.event_expiry_days_or_default(),
            encryption_key_arn: m.encryption_key_arn.clone().filter(|s| !s.is_empty()),
            execution_role_arn: cx.cfg.runtime_role_arn.clone(),
            tags: cx.base_tags(),
        }),
        name,
    })
}
