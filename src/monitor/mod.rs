//! What a deployed agent does: its runtime found in the deploy state (`target`), its
//! CloudWatch log lines (`logs`), a prompt sent to it (`invoke`), its online evaluation results
//! (`evaluations`) and the health of it and its gateway (`health`). Shared by the headless
//! commands and the TUI; no terminal code here.

pub mod denied;
pub mod evaluations;
pub mod health;
pub mod invoke;
pub mod logs;
pub mod target;
