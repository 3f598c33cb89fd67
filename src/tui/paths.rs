//! Where the TUI keeps its files. `AGENTCORE_TUI_DATA_DIR` overrides the platform data dir, for
//! tests and for people who want everything in one place; the deploy state store honours the
//! same variable.

use std::path::PathBuf;

pub const DATA_DIR_ENV: &str = "AGENTCORE_TUI_DATA_DIR";

pub fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "agentcore-tui").map(|d| d.data_dir().to_path_buf())
}

pub fn answers_file(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("wizard-answers.json")
}

pub fn log_file_name() -> &'static str {
    "agentcore-tui.log"
}
