//! The log file in the data dir (`<data dir>/logs/agentcore-tui.log`; folder 0700, file 0600),
//! for the TUI and the CLI alike: what the user reads is plain words, the raw error of a failed
//! AWS call goes here.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

pub fn log_file(data_dir: &Path) -> PathBuf {
    data_dir.join("logs").join(super::paths::log_file_name())
}

/// The log file opened for appending, its folder and the file made private first.
pub fn open_private(data_dir: &Path) -> io::Result<File> {
    crate::deploy::state::create_private_dir(&data_dir.join("logs"))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(log_file(data_dir))
}

/// `AGENTCORE_TUI_LOG` if set, else `default`.
pub fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_env("AGENTCORE_TUI_LOG").unwrap_or_else(|_| EnvFilter::new(default))
}

static CLI_LOG: OnceLock<PathBuf> = OnceLock::new();

/// Opened at the first line written, so a command that logs nothing makes no file.
struct Lazy {
    data_dir: PathBuf,
    file: Mutex<Option<File>>,
}

struct Line<'a>(&'a Lazy);

impl Write for Line<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut file = self.0.file.lock().unwrap_or_else(|p| p.into_inner());
        if file.is_none() {
            *file = Some(open_private(&self.0.data_dir)?);
            let _ = CLI_LOG.set(log_file(&self.0.data_dir));
        }
        file.as_mut().map_or(Ok(buf.len()), |f| f.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut file = self.0.file.lock().unwrap_or_else(|p| p.into_inner());
        file.as_mut().map_or(Ok(()), |f| f.flush())
    }
}

impl<'a> MakeWriter<'a> for Lazy {
    type Writer = Line<'a>;
    fn make_writer(&'a self) -> Self::Writer {
        Line(self)
    }
}

/// The headless commands' log: warnings and up (the raw error of every failed AWS call),
/// written as they happen, so an exit at any point loses nothing.
pub fn init_cli() {
    let Some(data_dir) = super::paths::data_dir() else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(Lazy {
            data_dir,
            file: Mutex::new(None),
        })
        .with_ansi(false)
        .with_env_filter(filter("warn"))
        .try_init();
}

/// Where this process wrote its log, once it has written to it.
pub fn cli_log() -> Option<&'static Path> {
    CLI_LOG.get().map(PathBuf::as_path)
}
