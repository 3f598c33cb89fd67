//! CloudWatch Logs as the world keeps them: groups of streams of events, each group capped.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Oldest events go first past this, per group, so a long-running world keeps a flat size.
pub const MAX_EVENTS_PER_GROUP: usize = 10_000;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LogGroup {
    pub created_ms: i64,
    pub streams: BTreeMap<String, Vec<LogEvent>>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LogEvent {
    /// Milliseconds since the epoch, as CloudWatch Logs counts them.
    pub timestamp: i64,
    pub ingestion_time: i64,
    pub message: String,
    /// Unique in the world and increasing: the order of events with the same timestamp.
    pub seq: u64,
}

impl LogGroup {
    pub fn len(&self) -> usize {
        self.streams.values().map(Vec::len).sum()
    }

    /// Drops the oldest events (by sequence) until the group is within its cap.
    pub fn trim(&mut self) {
        let mut over = self.len().saturating_sub(MAX_EVENTS_PER_GROUP);
        while over > 0 {
            let Some(oldest) = self
                .streams
                .iter()
                .filter_map(|(name, evs)| evs.first().map(|e| (e.seq, name.clone())))
                .min()
                .map(|(_, name)| name)
            else {
                return;
            };
            if let Some(evs) = self.streams.get_mut(&oldest) {
                evs.remove(0);
            }
            over -= 1;
        }
    }
}
