//! What the engine tells its UIs. The TUI and the headless CLI only consume
//! these; neither looks at the SDK.

use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc;

use crate::aws::Category;
pub use crate::plan::Step;

/// Where a resource is in its life, as shown in a pane row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "phase", content = "detail")]
pub enum ResourcePhase {
    Pending,
    /// A call is in flight (`CreateGateway`, `UpdateAgentRuntime`, …).
    Calling(String),
    /// A state reported by AWS while waiting (`CREATING`, `UPDATING`, …).
    Waiting(String),
    Ready,
    Adopted,
    Unchanged,
    Deleted,
    Failed,
    Skipped(String),
}

impl ResourcePhase {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ResourcePhase::Ready
                | ResourcePhase::Adopted
                | ResourcePhase::Unchanged
                | ResourcePhase::Deleted
                | ResourcePhase::Failed
                | ResourcePhase::Skipped(_)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Info,
    Warn,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    StepStarted {
        step: Step,
        resources: usize,
    },
    StepFinished {
        step: Step,
        succeeded: usize,
        failed: usize,
        skipped: usize,
        #[serde(serialize_with = "secs")]
        elapsed: Duration,
    },
    Resource {
        step: Step,
        kind: String,
        name: String,
        phase: ResourcePhase,
        #[serde(serialize_with = "secs")]
        elapsed: Duration,
        #[serde(skip_serializing_if = "Option::is_none")]
        arn: Option<String>,
    },
    Log {
        level: LogLevel,
        message: String,
    },
    Error {
        #[serde(skip_serializing_if = "Option::is_none")]
        step: Option<Step>,
        kind: String,
        name: String,
        category: Category,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        hint: Option<String>,
    },
    /// `done` counts only resources that finished (created, updated, adopted, unchanged);
    /// failed and skipped ones (cancelled included) are counted apart, so a cancelled or
    /// failed apply never shows a full gauge.
    Progress {
        done: usize,
        failed: usize,
        skipped: usize,
        total: usize,
        #[serde(serialize_with = "secs")]
        elapsed: Duration,
        #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_secs")]
        eta: Option<Duration>,
    },
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

fn opt_secs<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => secs(d, s),
        None => s.serialize_none(),
    }
}

/// The sending half given to the engine. A UI that went away must not stop a
/// deploy, so send errors are ignored.
#[derive(Debug, Clone)]
pub struct Events {
    tx: Option<mpsc::UnboundedSender<Event>>,
}

pub fn channel() -> (Events, mpsc::UnboundedReceiver<Event>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Events { tx: Some(tx) }, rx)
}

impl Events {
    /// For callers that do not watch (tests, benches).
    pub fn discard() -> Events {
        Events { tx: None }
    }

    pub fn send(&self, e: Event) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(e);
        }
    }

    pub fn log(&self, message: impl Into<String>) {
        self.send(Event::Log {
            level: LogLevel::Info,
            message: message.into(),
        });
    }

    pub fn warn(&self, message: impl Into<String>) {
        self.send(Event::Log {
            level: LogLevel::Warn,
            message: message.into(),
        });
    }
}

/// One human line per event, for the headless CLI.
pub fn human_line(e: &Event) -> String {
    match e {
        Event::StepStarted { step, resources } => {
            format!(
                "▶ {} ({resources} resource{})",
                step.title(),
                plural(*resources)
            )
        }
        Event::StepFinished {
            step,
            succeeded,
            failed,
            skipped,
            elapsed,
        } => {
            let mut s = format!(
                "■ {} done in {:.1}s: {succeeded} ok",
                step.title(),
                elapsed.as_secs_f64()
            );
            if *failed > 0 {
                s.push_str(&format!(", {failed} failed"));
            }
            if *skipped > 0 {
                s.push_str(&format!(", {skipped} skipped"));
            }
            s
        }
        Event::Resource {
            kind,
            name,
            phase,
            elapsed,
            arn,
            ..
        } => {
            let phase = match phase {
                ResourcePhase::Pending => "pending".to_owned(),
                ResourcePhase::Calling(op) => format!("{op}…"),
                ResourcePhase::Waiting(state) => state.clone(),
                ResourcePhase::Ready => "ready".to_owned(),
                ResourcePhase::Adopted => "adopted (already existed)".to_owned(),
                ResourcePhase::Unchanged => "unchanged".to_owned(),
                ResourcePhase::Deleted => "deleted".to_owned(),
                ResourcePhase::Failed => "failed".to_owned(),
                ResourcePhase::Skipped(why) => format!("skipped: {why}"),
            };
            let arn = arn.as_deref().map(|a| format!("  {a}")).unwrap_or_default();
            format!(
                "  {kind} {name}: {phase} [{:.1}s]{arn}",
                elapsed.as_secs_f64()
            )
        }
        Event::Log { level, message } => match level {
            LogLevel::Info => format!("  · {message}"),
            LogLevel::Warn => format!("  ⚠ {message}"),
        },
        Event::Error {
            kind,
            name,
            category,
            message,
            hint,
            ..
        } => {
            let hint = hint
                .as_deref()
                .map(|h| format!("\n    hint: {h}"))
                .unwrap_or_default();
            format!("  ✗ [{category}] {kind} {name}: {message}{hint}")
        }
        Event::Progress {
            done,
            failed,
            skipped,
            total,
            elapsed,
            eta,
        } => {
            let eta = eta
                .map(|e| format!(", about {:.0}s left", e.as_secs_f64()))
                .unwrap_or_default();
            let mut apart = String::new();
            if *failed > 0 {
                apart.push_str(&format!(", {failed} failed"));
            }
            if *skipped > 0 {
                apart.push_str(&format!(", {skipped} skipped"));
            }
            format!(
                "  {done}/{total} resources{apart}, {:.1}s{eta}",
                elapsed.as_secs_f64()
            )
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialise_with_a_tag_and_seconds() {
        let e = Event::Resource {
            step: Step::ToolGateways,
            kind: "tool_gateway".into(),
            name: "lookup".into(),
            phase: ResourcePhase::Waiting("CREATING".into()),
            elapsed: Duration::from_millis(1500),
            arn: None,
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["event"], "resource");
        assert_eq!(v["step"], "tool_gateways");
        assert_eq!(v["phase"]["detail"], "CREATING");
        assert_eq!(v["elapsed"], 1.5);
    }

    #[test]
    fn error_line_shows_category_and_hint() {
        let line = human_line(&Event::Error {
            step: Some(Step::AgentRuntimes),
            kind: "agent_runtime".into(),
            name: "triage".into(),
            category: Category::Permission,
            message: "access denied".into(),
            hint: Some("add the action".into()),
        });
        assert!(line.contains("[permission]") && line.contains("hint: add the action"));
    }
}
