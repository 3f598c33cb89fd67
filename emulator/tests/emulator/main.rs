//! The emulator through the real SDK clients, one module per service or area, linked once;
//! setup and assertions they share are in `tests/common`.

#[path = "../common/mod.rs"]
mod common;

mod cloudtrail_sts_s3;
mod control_lifecycle;
mod evaluations;
mod faults;
mod gateway;
mod kms;
mod logs_invoke;
mod policy;
mod recommendations;
mod runtime_memory_eval;
mod state_file;
