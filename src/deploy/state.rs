//! Deploy state: the adapter's JSON shape (promptpack-format.md §6) plus
//! timestamps and our `creating` status, one file per account/region/pack.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Overrides the platform data dir (tests, CI, portable installs).
pub const DATA_DIR_ENV: &str = "AGENTCORE_TUI_DATA_DIR";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Written before the Create call: the resource may or may not exist.
    Creating,
    Created,
    Updated,
    Failed,
    Planned,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceRecord {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RecordStatus>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

impl ResourceRecord {
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceRecord {
            kind: kind.into(),
            name: name.into(),
            arn: None,
            status: None,
            metadata: BTreeMap::new(),
            created_at: None,
            updated_at: None,
        }
    }

    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }

    pub fn key(&self) -> (String, String) {
        (self.kind.clone(), self.name.clone())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeployState {
    #[serde(default)]
    pub resources: Vec<ResourceRecord>,
    #[serde(default)]
    pub pack_id: String,
    #[serde(default)]
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl DeployState {
    pub fn get(&self, kind: &str, name: &str) -> Option<&ResourceRecord> {
        self.resources
            .iter()
            .find(|r| r.kind == kind && r.name == name)
    }

    /// Resources that may exist in the cloud (everything but deleted/planned).
    pub fn live(&self) -> impl Iterator<Item = &ResourceRecord> {
        self.resources.iter().filter(|r| {
            !matches!(
                r.status,
                Some(RecordStatus::Deleted) | Some(RecordStatus::Planned)
            )
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("no data directory: set {DATA_DIR_ENV} to a writable directory")]
    NoDataDir,
    #[error("cannot read state file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "state file {path} is not valid JSON at line {line}, column {column}: {message} (fix it or move it away to start over)"
    )]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("cannot write state file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub fn data_dir() -> Result<PathBuf, StateError> {
    if let Some(d) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    directories::ProjectDirs::from("dev", "agentcore-tui", "agentcore-tui")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or(StateError::NoDataDir)
}

/// Keeps path components to a safe character set; ids come from user files.
fn component(s: &str) -> String {
    let c: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if c.is_empty() || c.chars().all(|c| c == '.') {
        "_".to_owned()
    } else {
        c
    }
}

/// Where a deployment lives. The emulator and a custom endpoint can report the same account as
/// AWS, so each keeps its own states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Aws,
    Local,
    Endpoint(String),
}

impl Target {
    /// The folder under `state/` that holds the target's accounts; AWS keeps the layout of
    /// earlier versions (no folder of its own), so their state is found where it was written.
    fn folder(&self) -> Option<String> {
        match self {
            Target::Aws => None,
            Target::Local => Some("local".into()),
            Target::Endpoint(url) => {
                let bare = url
                    .split_once("://")
                    .map_or(url.as_str(), |(_, rest)| rest)
                    .trim_end_matches('/');
                let short: String = bare.chars().take(100).collect();
                Some(format!("endpoint-{}", component(&short)))
            }
        }
    }
}

pub fn state_path(
    target: &Target,
    account: &str,
    region: &str,
    pack_id: &str,
) -> Result<PathBuf, StateError> {
    let mut dir = data_dir()?.join("state");
    if let Some(f) = target.folder() {
        dir.push(f);
    }
    Ok(dir
        .join(component(account))
        .join(component(region))
        .join(format!("{}.json", component(pack_id))))
}

/// The state of one deployment, saved after every change.
#[derive(Debug)]
pub struct StateStore {
    path: PathBuf,
    state: Mutex<DeployState>,
}

impl StateStore {
    pub fn open(
        target: &Target,
        account: &str,
        region: &str,
        pack_id: &str,
    ) -> Result<StateStore, StateError> {
        let path = state_path(target, account, region, pack_id)?;
        let mut store = StateStore::open_path(path)?;
        let st = store.state.get_mut().expect("fresh mutex");
        st.account.get_or_insert_with(|| account.to_owned());
        st.region.get_or_insert_with(|| region.to_owned());
        if st.pack_id.is_empty() {
            st.pack_id = pack_id.to_owned();
        }
        Ok(store)
    }

    pub fn open_path(path: PathBuf) -> Result<StateStore, StateError> {
        let state = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| StateError::Parse {
                path: path.clone(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => DeployState::default(),
            Err(source) => return Err(StateError::Read { path, source }),
        };
        Ok(StateStore {
            path,
            state: Mutex::new(state),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    pub fn snapshot(&self) -> DeployState {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DeployState> {
        // A panic while holding the lock leaves valid data behind (every
        // mutation is a whole-record replace), so poisoning is ignored.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies `f` to the state and saves it before returning.
    pub fn update(&self, f: impl FnOnce(&mut DeployState)) -> Result<(), StateError> {
        let mut st = self.lock();
        f(&mut st);
        st.updated_at = Some(Utc::now());
        write_atomic(
            &self.path,
            &serde_json::to_vec_pretty(&*st).expect("state serialises"),
        )
    }

    /// Inserts or replaces the record with the same type and name.
    pub fn upsert(&self, mut rec: ResourceRecord) -> Result<(), StateError> {
        let now = Utc::now();
        self.update(|st| {
            match st
                .resources
                .iter_mut()
                .find(|r| r.kind == rec.kind && r.name == rec.name)
            {
                Some(existing) => {
                    rec.created_at = rec.created_at.or(existing.created_at).or(Some(now));
                    rec.updated_at = Some(now);
                    *existing = rec;
                }
                None => {
                    rec.created_at = rec.created_at.or(Some(now));
                    rec.updated_at = Some(now);
                    st.resources.push(rec);
                }
            }
        })
    }

    pub fn remove(&self, kind: &str, name: &str) -> Result<(), StateError> {
        self.update(|st| st.resources.retain(|r| !(r.kind == kind && r.name == name)))
    }
}

/// Temp file in the same directory, fsync, rename, fsync the directory:
/// a reader sees the old file or the new one, never a torn one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let err = |source| StateError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir).map_err(err)?;
    // NamedTempFile is created 0600 on Unix.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Creates `dir` and any missing parents 0700: what the data dir holds (state, logs, the
/// emulator's world) is the user's alone.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_adapters_state_json() {
        let text = r#"{"resources":[
          {"type":"tool_gateway","name":"get_weather","arn":"arn:aws:bedrock-agentcore:us-west-2:1:gateway/x","status":"created"},
          {"type":"cedar_policy","name":"support","arn":"a","status":"created",
           "metadata":{"policy_engine_id":"e","policy_engine_arn":"ea","policy_id":"p","policy_count":"1"}},
          {"type":"agent_runtime","name":"mypack","status":"failed"}],
         "pack_id":"mypack","version":"1.0.0"}"#;
        let st: DeployState = serde_json::from_str(text).unwrap();
        assert_eq!(st.resources.len(), 3);
        assert_eq!(
            st.get("cedar_policy", "support")
                .unwrap()
                .meta("policy_count"),
            Some("1")
        );
        assert_eq!(st.resources[2].status, Some(RecordStatus::Failed));
    }

    #[test]
    fn upsert_writes_0600_atomically_and_keeps_created_at() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/p.json");
        let store = StateStore::open_path(path.clone()).unwrap();
        let mut r = ResourceRecord::new("memory", "p_memory");
        r.status = Some(RecordStatus::Creating);
        store.upsert(r.clone()).unwrap();
        let first = store.snapshot().resources[0].created_at;
        r.status = Some(RecordStatus::Created);
        r.arn = Some("arn:x".into());
        store.upsert(r).unwrap();

        let reread = StateStore::open_path(path.clone()).unwrap().snapshot();
        assert_eq!(reread.resources.len(), 1);
        assert_eq!(reread.resources[0].status, Some(RecordStatus::Created));
        assert_eq!(reread.resources[0].created_at, first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temp files left behind.
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[test]
    fn corrupt_state_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, "{\n  \"resources\": [,]\n}").unwrap();
        let e = StateStore::open_path(path).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn path_components_are_sanitised() {
        assert_eq!(component("../etc"), ".._etc");
        assert_eq!(component(".."), "_");
        assert_eq!(component("my-pack"), "my-pack");
    }
}
