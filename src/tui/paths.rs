//! Where the TUI keeps its files: in the deploy state store's data dir (`AGENTCORE_TUI_DATA_DIR`
//! overrides the platform one, for tests and for people who want everything in one place).

use std::path::PathBuf;

/// The deploy state store's data dir (`AGENTCORE_TUI_DATA_DIR` or the platform one), so the
/// answers, the log and the deploy state sit together.
pub fn data_dir() -> Option<PathBuf> {
    crate::deploy::state::data_dir().ok()
}

pub fn answers_file(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("wizard-answers.json")
}

pub fn log_file_name() -> &'static str {
    "agentcore-tui.log"
}
