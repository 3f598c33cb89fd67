//! Where the app keeps its files: all in the deploy state store's data dir
//! (`AGENTCORE_TUI_DATA_DIR` overrides the platform one, for tests and for people who want
//! everything in one place), so the answers, the log, the emulator's world and the deploy state
//! sit together.

use std::path::{Path, PathBuf};

/// `None` when the platform has no data dir and the override is unset.
pub fn data_dir() -> Option<PathBuf> {
    crate::deploy::state::data_dir().ok()
}

/// The TUI's saved wizard answers.
pub fn answers_file(data_dir: &Path) -> PathBuf {
    data_dir.join("wizard-answers.json")
}

/// The TUI's log, in `<data dir>/logs/`.
pub fn log_file_name() -> &'static str {
    "agentcore-tui.log"
}

/// Where `--local` keeps the emulator's world, so every command and the TUI (apply, status,
/// recs start, recs get, …) see the same resources: `<data dir>/emulator/world.db` (the
/// emulator's state database), in a directory only the user can read. A `world.json` that earlier
/// versions wrote there is moved to that name, and the emulator migrates it on open. `None`
/// when there is no data dir to keep it in.
pub fn world_file() -> Option<PathBuf> {
    let dir = data_dir()?.join("emulator");
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir).ok()?;
    let db = dir.join("world.db");
    let legacy = dir.join("world.json");
    if !db.exists() && legacy.exists() {
        let _ = std::fs::rename(&legacy, &db);
    }
    Some(db)
}
