//! Diagnostics: one finding (error or warning) about a config, a pack or a request, naming the
//! field to change; shared by every check so the CLI, the TUI and the engine print them alike.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Categories follow the adapter's error taxonomy so the CLI, the TUI and the engine agree.
pub mod category {
    pub const CONFIGURATION: &str = "configuration";
    pub const PERMISSION: &str = "permission";
    pub const SECURITY: &str = "security";
    pub const NAMING: &str = "naming";
    pub const PACK: &str = "pack";
    pub const POLICY: &str = "policy";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Dotted path of the offending field, e.g. `runtime_role_arn`, `tags.aws:x`, `a2a_auth.discovery_url`.
    pub field: String,
    pub category: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// Every finding is built here, so this is where a value quoted in the message (`{:?}`)
    /// is cut to [`crate::sanitize::ECHO_MAX`] characters, however the message was made.
    pub fn error(
        field: impl Into<String>,
        category: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        Self {
            severity: Severity::Error,
            field: field.into(),
            category: category.into(),
            message: crate::sanitize::cut_quoted(&message).into_owned(),
            hint: None,
        }
    }

    pub fn warning(
        field: impl Into<String>,
        category: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(field, category, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        let hint = hint.into();
        self.hint = Some(crate::sanitize::cut_quoted(&hint).into_owned());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// The adapter's one-line form: `[category] message (hint: …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.category, self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

/// What is known about the environment beyond the config itself. Build it with
/// `CheckContext { caller_account: …, ..Default::default() }` so new fields do not break callers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckContext {
    /// Account of the caller (STS GetCallerIdentity), when known.
    pub caller_account: Option<String>,
    /// A container image chosen instead of `runtime_binary_path` (our extension: the adapter
    /// only deploys the PromptKit binary). When set, a missing binary path is not an error.
    pub container_image_uri: Option<String>,
    /// Check that `runtime_binary_path` exists on this machine (off for configs checked elsewhere).
    pub check_local_files: bool,
}

pub fn errors(diags: &[Diagnostic]) -> impl Iterator<Item = &Diagnostic> {
    diags.iter().filter(|d| d.is_error())
}

pub fn warnings(diags: &[Diagnostic]) -> impl Iterator<Item = &Diagnostic> {
    diags.iter().filter(|d| !d.is_error())
}

pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}

/// `file:line:col: at field: message` (or `line l, column c: …` without a file): how an error
/// in a pack or a deploy config points at what to edit.
pub(crate) fn write_located(
    f: &mut fmt::Formatter<'_>,
    file: Option<&std::path::Path>,
    at: Option<(u32, u32)>,
    field: &str,
    message: &str,
) -> fmt::Result {
    match (file, at) {
        (Some(p), Some((l, c))) => write!(f, "{}:{l}:{c}: ", p.display())?,
        (Some(p), None) => write!(f, "{}: ", p.display())?,
        (None, Some((l, c))) => write!(f, "line {l}, column {c}: ")?,
        (None, None) => {}
    }
    if !field.is_empty() {
        write!(f, "at {field}: ")?;
    }
    f.write_str(message)
}
