use std::time::Duration;

/// How long the emulated asynchronous work takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timing {
    /// CREATING → READY/ACTIVE, UPDATING → READY/ACTIVE.
    pub provisioning: Duration,
    /// DELETING → gone.
    pub deletion: Duration,
    /// Recommendation PENDING → IN_PROGRESS.
    pub recommendation_pending: Duration,
    /// Recommendation IN_PROGRESS → COMPLETED / FAILED.
    pub recommendation_running: Duration,
}

impl Timing {
    /// Every transition is due as soon as the next request arrives: the create call still answers
    /// CREATING, the first Get after it sees READY.
    pub fn instant() -> Self {
        Timing {
            provisioning: Duration::ZERO,
            deletion: Duration::ZERO,
            recommendation_pending: Duration::ZERO,
            recommendation_running: Duration::ZERO,
        }
    }

    /// Slow enough to watch spinners move, fast enough not to bore anyone.
    pub fn demo() -> Self {
        Timing {
            provisioning: Duration::from_secs(3),
            deletion: Duration::from_secs(2),
            recommendation_pending: Duration::from_secs(2),
            recommendation_running: Duration::from_secs(6),
        }
    }

    pub fn with_provisioning(d: Duration) -> Self {
        Timing {
            provisioning: d,
            deletion: d,
            recommendation_pending: d,
            recommendation_running: d,
        }
    }
}

impl Default for Timing {
    fn default() -> Self {
        Self::demo()
    }
}
