//! The key-policy check of a KMS key for recommendations (seed 000's three statements for one
//! caller), as `keys check`, the TUI's policy check and its KMS step all run it: the analysis,
//! the recommended policy built on the current one, and the diff between them.

use crate::aws::{self, Clients};
use crate::config::Diagnostic;
use crate::kms::policy::{self, Analysis, DiffLine, PolicyError, PolicyTarget, TargetError};

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

/// Why there is no [`PolicyTarget`] for the caller.
#[derive(Debug)]
pub enum TargetFailure {
    /// STS or IAM failed (GetRole denied included: its hint is `ask`).
    Aws(aws::Error),
    /// The role given by hand is not a role ARN.
    Invalid(TargetError),
}

/// Who the key policy is checked for: `role` when given, else the caller, an STS session
/// resolved to its role with the path (iam:GetRole); `ask` tells how to pass the role by hand.
pub async fn target_for(
    clients: &Clients,
    role: Option<&str>,
    ask: &str,
) -> Result<PolicyTarget, TargetFailure> {
    let (account, caller) = match role {
        Some(r) => (
            crate::arn::account_id(r).unwrap_or_default().to_owned(),
            r.to_owned(),
        ),
        None => {
            let id = clients
                .caller_identity()
                .await
                .map_err(TargetFailure::Aws)?;
            (id.account, id.arn)
        }
    };
    let principal = clients
        .principal_arn(&caller, ask)
        .await
        .map_err(TargetFailure::Aws)?;
    PolicyTarget::new(&account, &clients.region, &principal).map_err(TargetFailure::Invalid)
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
