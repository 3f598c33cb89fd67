//! Tracing to a file in the data dir; nothing ever goes to the terminal, which the TUI owns.
//! `AGENTCORE_TUI_LOG` sets the filter (default `info`).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;

/// Keep the guard alive for the whole run: dropping it flushes and stops the writer.
pub fn init(data_dir: &Path) -> std::io::Result<WorkerGuard> {
    // Created private before the appender opens it for appending.
    crate::services::logging::open_private(data_dir)?;
    let dir = data_dir.join("logs");
    let appender = tracing_appender::rolling::never(&dir, crate::services::paths::log_file_name());
    let (writer, guard) = tracing_appender::non_blocking(appender);
    // Warnings are the raw errors of failed AWS calls: kept whatever the level.
    let filter = crate::services::logging::filter("info");
    let installed = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    if installed.is_err() {
        // Someone (a test, the CLI) installed a subscriber already; theirs stays.
    }
    Ok(guard)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_log_folder_and_file_are_private() {
        let data = tempfile::tempdir().unwrap();
        let data_dir = data.path().join("fresh");
        let _guard = super::init(&data_dir).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data_dir), 0o700);
        assert_eq!(mode(&data_dir.join("logs")), 0o700);
        let file = data_dir
            .join("logs")
            .join(crate::services::paths::log_file_name());
        assert_eq!(mode(&file), 0o600);
    }
}
