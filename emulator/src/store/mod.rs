//! `--state FILE`: the world in an embedded database (redb), one record per resource, key,
//! recommendation, event…, so a change writes what changed and nothing else. Each save is one
//! transaction committed with fsync before the request is answered, so a kill -9 at any moment
//! leaves the last acknowledged world. The file is 0600 (it holds key material); a folder made
//! for it is 0700. A state file of format 1 (one JSON document) is migrated in place, the old
//! file kept beside it.

mod legacy;
mod records;

use std::fs;
use std::path::{Path, PathBuf};

use redb::{Database, DatabaseError, ReadableDatabase, ReadableTable, TableDefinition};

use crate::world::{Bucket, Key, LogGroup, Recommendation, Resource, Role, TrailEvent, WorldState};
use records::{
    Changes, FORMAT, GroupRecord, LogEventRecord, META_KEY, Meta, Table, Tracker, split_group_key,
};

/// Pages the database keeps in memory: a save touches few, and the world itself is in memory.
const CACHE_BYTES: usize = 4 * 1024 * 1024;

const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");

/// What loading does with one row: its key and its bytes.
type RowFn<'a> = dyn FnMut(&str, &[u8]) -> Result<(), String> + 'a;

fn table(t: Table) -> TableDefinition<'static, &'static str, &'static [u8]> {
    TableDefinition::new(t.name())
}

pub struct Store {
    db: Database,
    tracker: Tracker,
}

pub struct Opened {
    pub store: Store,
    /// The world it held; `None` for a new database, which the first save fills.
    pub world: Option<WorldState>,
    /// Where a format-1 state file was kept after being moved into the database.
    pub migrated: Option<PathBuf>,
}

fn db_err(e: impl std::fmt::Display) -> String {
    format!("database error: {e}; move the file away or pass another --state path")
}

pub fn open(path: &Path) -> Result<Opened, String> {
    let dir = parent(path);
    if !dir.exists() {
        let mut b = fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir)
            .map_err(|e| format!("cannot create its folder {}: {e}", dir.display()))?;
    }
    let head = read_head(path)?;
    let mut migrated = None;
    if !head.is_empty() && legacy::looks_like(&head) {
        migrated = Some(migrate(path)?);
    } else if !head.is_empty() && !head.starts_with(b"redb") {
        return Err("it is neither an emulator state database nor a JSON state file of format 1; move it away or pass another --state path".into());
    }
    let db = create(path)?;
    let mut store = Store {
        db,
        tracker: Tracker::fresh(),
    };
    let world = store.load()?;
    Ok(Opened {
        store,
        world,
        migrated,
    })
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn read_head(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    match fs::File::open(path) {
        Ok(f) => {
            let mut head = Vec::with_capacity(16);
            f.take(16)
                .read_to_end(&mut head)
                .map_err(|e| format!("cannot read it: {e}"))?;
            Ok(head)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("cannot read it: {e}")),
    }
}

/// Opens (or makes, 0600) the database file.
fn create(path: &Path) -> Result<Database, String> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        drop(
            opts.open(path)
                .map_err(|e| format!("cannot open it: {e}"))?,
        );
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("cannot make it private (0600): {e}"))?;
    }
    #[cfg(not(unix))]
    drop(
        opts.open(path)
            .map_err(|e| format!("cannot open it: {e}"))?,
    );
    Database::builder()
        .set_cache_size(CACHE_BYTES)
        .create(path)
        .map_err(|e| match e {
            DatabaseError::DatabaseAlreadyOpen => "another emulator has it open (an `agentcore-tui --local` or `emulator --state` still running: one at a time); stop that one first, or pass another --state path".to_string(),
            other => format!("it cannot be opened as an emulator state database ({other}); move it away or pass another --state path"),
        })
}

/// A format-1 JSON file becomes a database at the same path; the JSON is kept as
/// `<file>.format1.json`.
fn migrate(path: &Path) -> Result<PathBuf, String> {
    let mut world = legacy::load(path)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("state")
        .to_string();
    let dir = parent(path);
    let tmp = dir.join(format!(".{name}.migrating"));
    let _ = fs::remove_file(&tmp);
    {
        let mut store = Store {
            db: create(&tmp)?,
            tracker: Tracker::fresh(),
        };
        store.save(&mut world)?;
    }
    let kept = dir.join(format!("{name}.format1.json"));
    fs::copy(path, &kept).map_err(|e| format!("cannot keep a copy as {}: {e}", kept.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(&kept, fs::Permissions::from_mode(0o600));
    }
    fs::rename(&tmp, path).map_err(|e| format!("cannot replace it with the database: {e}"))?;
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(kept)
}

impl Store {
    /// The world as the database holds it, and the tracker set to what is stored.
    fn load(&mut self) -> Result<Option<WorldState>, String> {
        let txn = self.db.begin_read().map_err(db_err)?;
        let meta_table = match txn.open_table(table(Table::Meta)) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(db_err(e)),
        };
        let Some(meta_bytes) = meta_table.get(META_KEY).map_err(db_err)? else {
            return Ok(None);
        };
        let meta_bytes = meta_bytes.value().to_vec();
        let format = serde_json::from_slice::<serde_json::Value>(&meta_bytes)
            .ok()
            .and_then(|v| v.get("format").and_then(serde_json::Value::as_u64));
        if format != Some(u64::from(FORMAT)) {
            return Err(format!(
                "it has format {} but this emulator reads format {FORMAT}; delete it to start fresh",
                format.map_or("unknown".to_string(), |f| f.to_string())
            ));
        }
        let meta: Meta = decode(Table::Meta, META_KEY, &meta_bytes)?;
        let mut tracker = Tracker::default();
        tracker.loaded(Table::Meta, META_KEY, &meta_bytes);
        let mut world = WorldState::empty(&meta.account);
        world.id_counter = meta.id_counter;
        world.log_seq = meta.log_seq;
        world.event_seq = meta.event_seq;
        world.aliases = meta.aliases;
        world.roles.clear();

        let mut each = |t: Table, f: &mut RowFn| {
            let tbl = txn.open_table(table(t)).map_err(db_err)?;
            for row in tbl.iter().map_err(db_err)? {
                let (k, v) = row.map_err(db_err)?;
                tracker.loaded(t, k.value(), v.value());
                f(k.value(), v.value())?;
            }
            Ok::<(), String>(())
        };
        each(Table::Resources, &mut |k, v| {
            world
                .resources
                .insert(k.into(), decode::<Resource>(Table::Resources, k, v)?);
            Ok(())
        })?;
        each(Table::Keys, &mut |k, v| {
            world
                .keys
                .insert(k.into(), decode::<Key>(Table::Keys, k, v)?);
            Ok(())
        })?;
        each(Table::Buckets, &mut |k, v| {
            world
                .buckets
                .insert(k.into(), decode::<Bucket>(Table::Buckets, k, v)?);
            Ok(())
        })?;
        each(Table::Roles, &mut |k, v| {
            world
                .roles
                .insert(k.into(), decode::<Role>(Table::Roles, k, v)?);
            Ok(())
        })?;
        each(Table::LogGroups, &mut |k, v| {
            let g: GroupRecord = decode(Table::LogGroups, k, v)?;
            let (region, name) = split_group_key(k).ok_or_else(|| {
                format!("log group record `{k}` has no region; delete the file to start fresh")
            })?;
            world.log_groups.entry(region.into()).or_default().insert(
                name.into(),
                LogGroup {
                    created_ms: g.created_ms,
                    ..Default::default()
                },
            );
            Ok(())
        })?;
        each(Table::Recommendations, &mut |k, v| {
            world.insert_recommendation(decode::<Recommendation>(Table::Recommendations, k, v)?);
            Ok(())
        })?;
        let logs = txn.open_table(table(Table::LogEvents)).map_err(db_err)?;
        for row in logs.iter().map_err(db_err)? {
            let (k, v) = row.map_err(db_err)?;
            let key = k.value();
            let rec: LogEventRecord = decode(Table::LogEvents, key, v.value())?;
            let group = key.rsplit_once('\n').map_or(key, |(g, _)| g);
            let Some((region, name)) = split_group_key(group) else {
                continue;
            };
            tracker.loaded_log_event(group, rec.event.seq);
            if let Some(g) = world
                .log_groups
                .get_mut(region)
                .and_then(|groups| groups.get_mut(name))
            {
                g.streams.entry(rec.stream).or_default().push(rec.event);
            }
        }
        let events = txn.open_table(EVENTS).map_err(db_err)?;
        for row in events.iter().map_err(db_err)? {
            let (k, v) = row.map_err(db_err)?;
            let seq = k.value();
            let e: TrailEvent = decode(Table::Meta, "events", v.value())?;
            tracker.loaded_event(seq);
            world.events.push_back(e);
        }
        world.reindex();
        self.tracker = tracker;
        Ok(Some(world))
    }

    /// Takes what changed in `world` since the last save; done under the world's lock.
    pub fn changes(&mut self, world: &mut WorldState) -> Result<Changes, String> {
        self.tracker
            .changes(world, usize::MAX)
            .inspect_err(|_| self.tracker.lost())
    }

    /// Writes and fsyncs `changes` in one transaction; nothing when nothing changed. Returns the
    /// bytes of records written.
    pub fn write(&mut self, changes: Changes) -> Result<usize, String> {
        if changes.is_empty() {
            return Ok(0);
        }
        let bytes = changes.record_bytes();
        self.commit(changes)
            .inspect_err(|_| self.tracker.lost())
            .map(|()| bytes)
    }

    /// Saves with the world at hand (a new or migrated world): in one transaction, but encoded
    /// a batch of recommendations at a time, so a world of tens of thousands is never in memory
    /// twice over.
    pub fn save(&mut self, world: &mut WorldState) -> Result<usize, String> {
        const BATCH: usize = 500;
        let mut save = || -> Result<usize, String> {
            let txn = self.db.begin_write().map_err(db_err)?;
            let mut bytes = 0;
            let mut any = false;
            loop {
                let ch = self.tracker.changes(world, BATCH)?;
                if ch.is_empty() {
                    break;
                }
                any = true;
                bytes += ch.record_bytes();
                apply(&txn, ch)?;
            }
            if any {
                txn.commit().map_err(db_err)?;
            } else {
                txn.abort().map_err(db_err)?;
            }
            Ok(bytes)
        };
        save().inspect_err(|_| self.tracker.lost())
    }

    fn commit(&self, ch: Changes) -> Result<(), String> {
        let txn = self.db.begin_write().map_err(db_err)?;
        apply(&txn, ch)?;
        txn.commit().map_err(db_err)
    }
}

fn apply(txn: &redb::WriteTransaction, ch: Changes) -> Result<(), String> {
    {
        if ch.clear {
            for t in Table::ALL {
                txn.delete_table(table(t)).map_err(db_err)?;
            }
            txn.delete_table(EVENTS).map_err(db_err)?;
        }
        for t in Table::ALL {
            let mut tbl = txn.open_table(table(t)).map_err(db_err)?;
            for (_, key, value) in ch.puts.iter().filter(|(pt, _, _)| *pt == t) {
                tbl.insert(key.as_str(), value.as_slice()).map_err(db_err)?;
            }
            for (_, key) in ch.deletes.iter().filter(|(dt, _)| *dt == t) {
                tbl.remove(key.as_str()).map_err(db_err)?;
            }
            if t == Table::LogEvents {
                for (from, to) in &ch.log_ranges {
                    tbl.retain_in(from.as_str()..to.as_str(), |_, _| false)
                        .map_err(db_err)?;
                }
            }
        }
        {
            let mut events = txn.open_table(EVENTS).map_err(db_err)?;
            for (seq, value) in &ch.event_puts {
                events.insert(*seq, value.as_slice()).map_err(db_err)?;
            }
            if let Some(below) = ch.events_below {
                events.retain_in(..below, |_, _| false).map_err(db_err)?;
            }
        }
    }
    Ok(())
}

fn decode<T: serde::de::DeserializeOwned>(t: Table, key: &str, bytes: &[u8]) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "its {} record `{}` cannot be read ({e}); delete the file to start fresh",
            t.name(),
            key.chars().take(80).collect::<String>()
        )
    })
}

/// What a state database holds, as one JSON document shaped like the world: for tests and for
/// a person looking at a saved world. The database must not be open in an emulator.
pub fn dump(path: &Path) -> Result<serde_json::Value, String> {
    if !path.exists() {
        return Err("there is no such file".into());
    }
    let db = create(path)?;
    let mut store = Store {
        db,
        tracker: Tracker::fresh(),
    };
    let world = store.load()?.ok_or("it holds no world yet")?;
    serde_json::to_value(&world).map_err(|e| e.to_string())
}
