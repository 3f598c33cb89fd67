//! Shared by several test binaries; not a test binary itself (cargo only builds `tests/*.rs`).

pub mod harness;
pub mod pty;
