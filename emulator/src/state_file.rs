//! `--state FILE`: the world as JSON, written atomically (temp file in the same directory, fsync,
//! rename) with mode 0600, since it holds the emulator's key material.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::world::WorldState;

const FORMAT: u32 = 1;

#[derive(Deserialize)]
struct Envelope {
    format: u32,
    world: WorldState,
}

/// What is written: the world borrowed, so a save never copies it.
#[derive(Serialize)]
struct Written<'a> {
    format: u32,
    world: &'a WorldState,
}

pub fn load(path: &Path) -> Result<Option<WorldState>, String> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    let env: Envelope = serde_json::from_str(&text).map_err(|e| {
        format!("it is not an emulator state file (line {}, column {}: {e}); move it away or pass another --state path", e.line(), e.column())
    })?;
    if env.format != FORMAT {
        return Err(format!(
            "it has format {} but this emulator reads format {FORMAT}; delete it to start fresh",
            env.format
        ));
    }
    let mut world = env.world;
    world.reindex();
    Ok(Some(world))
}

pub fn save(path: &Path, world: &WorldState) -> Result<(), String> {
    write(path, &encode(world)?)
}

/// The world as the file's bytes: done under the world's lock, which is far cheaper than
/// copying the world to write it after.
pub fn encode(world: &WorldState) -> Result<Vec<u8>, String> {
    serde_json::to_vec(&Written {
        format: FORMAT,
        world,
    })
    .map_err(|e| e.to_string())
}

pub fn write(path: &Path, json: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("state");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(json)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}
