//! The real binary in a pseudo-terminal, its screen read back through a vt100 emulator.

// Each test binary that includes this module uses only part of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub use portable_pty::CommandBuilder;
use portable_pty::{ExitStatus, PtySize, native_pty_system};

pub struct Session {
    parser: vt100::Parser,
    bytes: mpsc::Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
}

/// The app binary run from the crate root with its own data dir; callers add args and env.
pub fn binary(data_dir: &Path) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_agentcore-tui"));
    cmd.cwd(env!("CARGO_MANIFEST_DIR"));
    cmd.env("AGENTCORE_TUI_DATA_DIR", data_dir);
    cmd.env("TERM", "xterm-256color");
    cmd
}

impl Session {
    pub fn spawn(cmd: CommandBuilder, cols: u16, rows: u16) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let child = pair.slave.spawn_command(cmd).expect("the binary starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let (tx, bytes) = mpsc::channel();
        std::thread::spawn(move || {
            let _keep_master_open = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Self {
            parser: vt100::Parser::new(
                std::num::NonZeroU16::new(rows).expect("rows > 0"),
                std::num::NonZeroU16::new(cols).expect("cols > 0"),
                0,
            ),
            bytes,
            writer,
            child,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    pub fn wait_for(&mut self, text: &str, within: Duration) {
        let end = Instant::now() + within;
        while !self.screen().contains(text) {
            let left = end.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "waited {within:?} for {text:?}; the screen is:\n{}",
                self.screen()
            );
            if let Ok(b) = self
                .bytes
                .recv_timeout(left.min(Duration::from_millis(100)))
            {
                self.parser.process(&b);
            }
        }
    }

    /// Takes in what the app draws during `d` (the screen only changes while reading).
    pub fn settle(&mut self, d: Duration) {
        let end = Instant::now() + d;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            if let Ok(b) = self.bytes.recv_timeout(left.min(Duration::from_millis(50))) {
                self.parser.process(&b);
            }
        }
    }

    pub fn send(&mut self, keys: impl AsRef<[u8]>) {
        self.writer
            .write_all(keys.as_ref())
            .expect("write to the pty");
        self.writer.flush().expect("flush");
        // A lone Esc is told apart from an escape sequence by the pause after it.
        std::thread::sleep(Duration::from_millis(60));
    }

    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("the child's status")
    }

    /// The exit status, or a failure with the screen if the app is still running after `within`.
    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let end = Instant::now() + within;
        loop {
            if let Some(status) = self.try_wait() {
                return status;
            }
            assert!(
                Instant::now() < end,
                "the app did not exit within {within:?}; the screen is:\n{}",
                self.screen()
            );
            self.settle(Duration::from_millis(100));
        }
    }
}

impl Drop for Session {
    // A failed assertion must not leave the app running on the pseudo-terminal.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
    }
}
