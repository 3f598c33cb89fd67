//! The key-policy check of a KMS key for recommendations (seed 000's three statements for one
//! caller), as `keys check`, the TUI's policy check and its KMS step all run it: the analysis,
//! the recommended policy built on the current one, and the diff between them.

use crate::config::Diagnostic;
use crate::kms::policy::{self, Analysis, DiffLine, PolicyError, PolicyTarget};

/// Shown with a policy that cannot be analysed: nothing here can repair unreadable JSON.
pub const NOT_JSON_FIX: &str = "fix the key policy JSON in KMS first";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub analysis: Analysis,
    /// The current policy with seed 000's statements added or repaired, its others kept.
    pub recommended: Result<String, PolicyError>,
    /// Current → recommended; empty when there is no recommended policy.
    pub diff: Vec<DiffLine>,
}

impl Checked {
    pub fn compliant(&self) -> bool {
        self.analysis.is_compliant()
    }

    /// The findings as warnings with their fix.
    pub fn findings(&self) -> Vec<Diagnostic> {
        self.analysis
            .findings
            .iter()
            .map(|f| f.to_diagnostic())
            .collect()
    }
}

/// `Err` when the current policy cannot be analysed at all (not JSON, no statements).
pub fn check(current: &str, target: &PolicyTarget) -> Result<Checked, PolicyError> {
    let analysis = policy::analyse(current, target)?;
    let recommended = policy::recommended_policy(Some(current), target);
    let diff = recommended
        .as_deref()
        .map(|r| policy::diff(current, r))
        .unwrap_or_default();
    Ok(Checked {
        analysis,
        recommended,
        diff,
    })
}
