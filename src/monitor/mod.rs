//! What a deployed agent does: its runtime found in the deploy state (`target`), its
//! CloudWatch log lines (`logs`), and a prompt sent to it (`invoke`). Shared by the headless
//! `logs` and `invoke` commands; no terminal code here.

pub mod denied;
pub mod invoke;
pub mod logs;
pub mod target;
