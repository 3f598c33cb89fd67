//! One apply, destroy or TUI deploy per deployment at a time: an OS file lock beside the state
//! file. The kernel drops it when the holder exits, killed included, so a dead process never
//! leaves the deployment stuck; the file only says who holds it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::aws::{self, Category};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    pub command: String,
    pub since: DateTime<Utc>,
}

/// Held until dropped.
#[derive(Debug)]
pub struct DeployLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}", held_message(.holder.as_ref()))]
    Held {
        path: PathBuf,
        holder: Option<Holder>,
    },
    #[error("cannot take the deployment lock {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn held_message(holder: Option<&Holder>) -> String {
    match holder {
        Some(h) => {
            let ago = (Utc::now() - h.since).num_seconds().max(0);
            format!(
                "another {} (pid {}) is running on this deployment, since {} ({ago}s ago)",
                h.command,
                h.pid,
                h.since.format("%Y-%m-%d %H:%M:%S UTC")
            )
        }
        None => "another apply, destroy or TUI deploy is running on this deployment".to_owned(),
    }
}

impl LockError {
    pub fn to_aws(&self) -> aws::Error {
        let e = aws::Error::new(Category::Configuration, "Lock", self.to_string());
        match self {
            LockError::Held { path, .. } => e.with_hint(format!(
                "wait for it to finish, or stop it (Ctrl-C cancels cleanly); the lock ({}) is released when that process ends",
                path.display()
            )),
            LockError::Io { .. } => e.with_hint("check that the data dir is writable (AGENTCORE_TUI_DATA_DIR moves it)"),
        }
    }
}

/// The lock file of the deployment whose state is at `state_path`.
pub fn lock_path(state_path: &Path) -> PathBuf {
    let mut p = state_path.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

/// Takes the deployment's lock for `command` (`apply`, `destroy`, `TUI deploy`), or says who
/// holds it.
pub fn acquire(state_path: &Path, command: &str) -> Result<DeployLock, LockError> {
    let path = lock_path(state_path);
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    if let Some(dir) = path.parent() {
        super::state::create_private_dir(dir).map_err(io)?;
    }
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts.open(&path).map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            return Err(LockError::Held {
                path,
                holder: serde_json::from_str(&text).ok(),
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    let holder = Holder {
        pid: std::process::id(),
        command: command.to_owned(),
        since: Utc::now(),
    };
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    file.write_all(
        serde_json::to_string(&holder)
            .expect("plain data")
            .as_bytes(),
    )
    .map_err(io)?;
    file.flush().map_err(io)?;
    Ok(DeployLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_is_told_who_holds_it_and_gets_it_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let held = acquire(&state, "apply").unwrap();
        let err = acquire(&state, "destroy").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("another apply"), "{msg}");
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        assert!(err.to_aws().hint.unwrap().contains("state.json.lock"));
        drop(held);
        assert!(acquire(&state, "destroy").is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(lock_path(&state))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
