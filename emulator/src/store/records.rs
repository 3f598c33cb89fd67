//! The world as records, and what changed since the database last saw it.
//!
//! Each record's bytes are fingerprinted when written or loaded; a save encodes the small parts
//! (resources, keys, buckets, roles, log groups, the counters) and writes those whose
//! fingerprint moved. Recommendations, which can be tens of thousands, are looked at only when the
//! world handed them out for change. CloudTrail events and log events only ever arrive newest
//! last and leave oldest first, so they are kept as ranges of sequence numbers.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::world::{Alias, LogEvent, WorldState};

pub const FORMAT: u32 = 2;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Table {
    Meta,
    Resources,
    Keys,
    Buckets,
    Roles,
    LogGroups,
    Recommendations,
    LogEvents,
}

impl Table {
    pub const ALL: [Table; 8] = [
        Table::Meta,
        Table::Resources,
        Table::Keys,
        Table::Buckets,
        Table::Roles,
        Table::LogGroups,
        Table::Recommendations,
        Table::LogEvents,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Meta => "meta",
            Table::Resources => "resources",
            Table::Keys => "keys",
            Table::Buckets => "buckets",
            Table::Roles => "roles",
            Table::LogGroups => "log_groups",
            Table::Recommendations => "recommendations",
            Table::LogEvents => "log_events",
        }
    }
}

/// The one record of `Table::Meta`, under this key.
pub const META_KEY: &str = "world";

#[derive(Serialize)]
struct MetaOut<'a> {
    format: u32,
    account: &'a str,
    id_counter: u64,
    log_seq: u64,
    event_seq: u64,
    aliases: &'a [Alias],
}

#[derive(Deserialize)]
pub struct Meta {
    pub account: String,
    pub id_counter: u64,
    pub log_seq: u64,
    pub event_seq: u64,
    pub aliases: Vec<Alias>,
}

#[derive(Serialize, Deserialize)]
pub struct GroupRecord {
    pub created_ms: i64,
}

#[derive(Serialize, Deserialize)]
pub struct LogEventRecord {
    pub stream: String,
    pub event: LogEvent,
}

/// Region and group name: where a log group is kept. Group names cannot hold a newline.
pub fn group_key(region: &str, group: &str) -> String {
    format!("{region}\n{group}")
}

/// Zero-padded so the database's byte order is the sequence order within a group.
pub fn log_event_key(group_key: &str, seq: u64) -> String {
    format!("{group_key}\n{seq:020}")
}

pub fn split_group_key(key: &str) -> Option<(&str, &str)> {
    key.split_once('\n')
}

/// What one save writes: records put and removed, and ranges dropped.
#[derive(Default)]
pub struct Changes {
    /// Everything is rewritten: the database starts empty (a new world, or after a failed save).
    pub clear: bool,
    pub puts: Vec<(Table, String, Vec<u8>)>,
    pub deletes: Vec<(Table, String)>,
    pub event_puts: Vec<(u64, Vec<u8>)>,
    /// CloudTrail events below this sequence number have left the world.
    pub events_below: Option<u64>,
    /// Log event keys in `[from, to)` that have left the world.
    pub log_ranges: Vec<(String, String)>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        !self.clear
            && self.puts.is_empty()
            && self.deletes.is_empty()
            && self.event_puts.is_empty()
            && self.events_below.is_none()
            && self.log_ranges.is_empty()
    }

    /// Bytes of records written: what a save costs before the database's own pages.
    pub fn record_bytes(&self) -> usize {
        self.puts
            .iter()
            .map(|(_, k, v)| k.len() + v.len())
            .sum::<usize>()
            + self
                .event_puts
                .iter()
                .map(|(_, v)| 8 + v.len())
                .sum::<usize>()
    }
}

/// What the database holds, as fingerprints: enough to tell what a save must write.
#[derive(Default)]
pub struct Tracker {
    seen: HashMap<Table, HashMap<String, u64>>,
    /// Lowest and highest CloudTrail event sequence stored.
    events: Option<(u64, u64)>,
    /// Per log group key: lowest and highest event sequence stored.
    logs: HashMap<String, (u64, u64)>,
    full: bool,
}

fn fingerprint(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    serde_json::to_vec(value).map_err(|e| format!("cannot encode a record: {e}"))
}

fn encode_map<V: Serialize>(
    map: &std::collections::BTreeMap<String, V>,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    map.iter()
        .map(|(k, v)| Ok((k.clone(), encode(v)?)))
        .collect()
}

impl Tracker {
    /// A tracker for an empty database: the first save writes the whole world.
    pub fn fresh() -> Tracker {
        Tracker {
            full: true,
            ..Default::default()
        }
    }

    /// The database may not hold what the tracker thinks (a save failed): rewrite it all next time.
    pub fn lost(&mut self) {
        self.full = true;
    }

    pub fn loaded(&mut self, table: Table, key: &str, bytes: &[u8]) {
        self.seen
            .entry(table)
            .or_default()
            .insert(key.to_string(), fingerprint(bytes));
    }

    pub fn loaded_event(&mut self, seq: u64) {
        self.events = Some(match self.events {
            Some((lo, hi)) => (lo.min(seq), hi.max(seq)),
            None => (seq, seq),
        });
    }

    pub fn loaded_log_event(&mut self, group: &str, seq: u64) {
        let e = self.logs.entry(group.to_string()).or_insert((seq, seq));
        *e = (e.0.min(seq), e.1.max(seq));
    }

    /// What to write so the database holds `world`, looking at `max_recs` recommendations at
    /// most (the others stay handed out for the next call); the tracker assumes it will be written.
    pub fn changes(&mut self, world: &mut WorldState, max_recs: usize) -> Result<Changes, String> {
        let mut ch = Changes::default();
        let unsaved = world.take_unsaved_recommendations();
        let mut rec_ids: Vec<String> = if std::mem::take(&mut self.full) {
            *self = Tracker::default();
            ch.clear = true;
            world.recommendations().keys().cloned().collect()
        } else {
            unsaved.into_iter().collect()
        };
        if rec_ids.len() > max_recs {
            world.mark_unsaved(rec_ids.split_off(max_recs));
        }

        let meta = encode(&MetaOut {
            format: FORMAT,
            account: &world.account,
            id_counter: world.id_counter,
            log_seq: world.log_seq,
            event_seq: world.event_seq,
            aliases: &world.aliases,
        })?;
        self.diff_table(&mut ch, Table::Meta, [(META_KEY.to_string(), meta)]);
        self.diff_table(&mut ch, Table::Resources, encode_map(&world.resources)?);
        self.diff_table(&mut ch, Table::Keys, encode_map(&world.keys)?);
        self.diff_table(&mut ch, Table::Buckets, encode_map(&world.buckets)?);
        self.diff_table(&mut ch, Table::Roles, encode_map(&world.roles)?);
        let mut groups = Vec::new();
        for (region, named) in &world.log_groups {
            for (name, g) in named {
                let record = GroupRecord {
                    created_ms: g.created_ms,
                };
                groups.push((group_key(region, name), encode(&record)?));
            }
        }
        self.diff_table(&mut ch, Table::LogGroups, groups);

        let seen = self.seen.entry(Table::Recommendations).or_default();
        for id in rec_ids {
            match world.recommendations().get(&id) {
                Some(rec) => {
                    let bytes = encode(rec)?;
                    let f = fingerprint(&bytes);
                    if seen.get(&id) != Some(&f) {
                        seen.insert(id.clone(), f);
                        ch.puts.push((Table::Recommendations, id, bytes));
                    }
                }
                None => {
                    if seen.remove(&id).is_some() {
                        ch.deletes.push((Table::Recommendations, id));
                    }
                }
            }
        }

        self.diff_events(&mut ch, world)?;
        self.diff_logs(&mut ch, world)?;
        Ok(ch)
    }

    fn diff_table(
        &mut self,
        ch: &mut Changes,
        table: Table,
        current: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) {
        let seen = self.seen.entry(table).or_default();
        let mut present = HashSet::new();
        for (key, bytes) in current {
            let f = fingerprint(&bytes);
            if seen.get(&key) != Some(&f) {
                seen.insert(key.clone(), f);
                ch.puts.push((table, key.clone(), bytes));
            }
            present.insert(key);
        }
        seen.retain(|k, _| {
            let keep = present.contains(k);
            if !keep {
                ch.deletes.push((table, k.clone()));
            }
            keep
        });
    }

    fn diff_events(&mut self, ch: &mut Changes, world: &WorldState) -> Result<(), String> {
        let stored_hi = self.events.map_or(0, |(_, hi)| hi);
        let mut new: Vec<_> = world
            .events
            .iter()
            .rev()
            .take_while(|e| e.seq > stored_hi)
            .collect();
        new.reverse();
        for e in new {
            ch.event_puts.push((e.seq, encode(e)?));
        }
        let now = world
            .events
            .front()
            .zip(world.events.back())
            .map(|(a, b)| (a.seq, b.seq));
        if let Some((stored_lo, _)) = self.events {
            let lo_now = now.map_or(stored_hi + 1, |(lo, _)| lo);
            if stored_lo < lo_now {
                ch.events_below = Some(lo_now);
            }
        }
        self.events = now;
        Ok(())
    }

    fn diff_logs(&mut self, ch: &mut Changes, world: &WorldState) -> Result<(), String> {
        let mut present = HashSet::new();
        for (region, groups) in &world.log_groups {
            for (name, g) in groups {
                let key = group_key(region, name);
                let stored_hi = self.logs.get(&key).map_or(0, |(_, hi)| *hi);
                let mut range: Option<(u64, u64)> = None;
                for (stream, events) in &g.streams {
                    if let (Some(first), Some(last)) = (events.first(), events.last()) {
                        range = Some(match range {
                            Some((lo, hi)) => (lo.min(first.seq), hi.max(last.seq)),
                            None => (first.seq, last.seq),
                        });
                    }
                    for e in events.iter().rev().take_while(|e| e.seq > stored_hi) {
                        let rec = LogEventRecord {
                            stream: stream.clone(),
                            event: e.clone(),
                        };
                        ch.puts
                            .push((Table::LogEvents, log_event_key(&key, e.seq), encode(&rec)?));
                    }
                }
                if let Some((stored_lo, _)) = self.logs.get(&key) {
                    let lo_now = range.map_or(stored_hi + 1, |(lo, _)| lo);
                    if *stored_lo < lo_now {
                        ch.log_ranges
                            .push((log_event_key(&key, 0), log_event_key(&key, lo_now)));
                    }
                }
                match range {
                    Some(r) => {
                        self.logs.insert(key.clone(), r);
                    }
                    None => {
                        self.logs.remove(&key);
                    }
                }
                present.insert(key);
            }
        }
        self.logs.retain(|key, _| {
            let keep = present.contains(key);
            if !keep {
                ch.log_ranges
                    .push((log_event_key(key, 0), log_event_key(key, u64::MAX)));
            }
            keep
        });
        Ok(())
    }
}
