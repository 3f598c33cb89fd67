//! Readiness polling: fast first, then a wait that grows with the time
//! already waited (so a poll never overshoots readiness by more than a
//! small fraction of it), capped — not the adapter's fixed 5 s, which adds
//! up to a 5 s stall per resource.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::aws;

#[derive(Debug, Clone, Copy)]
pub struct PollPolicy {
    /// The shortest wait, and the first one.
    pub first: Duration,
    /// The wait as a fraction of the time waited so far.
    pub factor: f64,
    pub cap: Duration,
    /// Per resource.
    pub timeout: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            first: Duration::from_millis(100),
            factor: 0.1,
            cap: Duration::from_secs(5),
            timeout: Duration::from_secs(15 * 60),
        }
    }
}

impl PollPolicy {
    /// The adapter's strategy, kept for the benchmark comparison.
    pub fn fixed(every: Duration) -> Self {
        PollPolicy {
            first: every,
            factor: 0.0,
            cap: every,
            timeout: Duration::from_secs(15 * 60),
        }
    }

    /// The wait before the next look, after `waited` so far.
    pub fn delay(&self, waited: Duration) -> Duration {
        waited.mul_f64(self.factor).max(self.first).min(self.cap)
    }
}

/// The `code` of the error returned when waiting was cancelled.
pub const CANCELLED: &str = "Cancelled";

/// What one look at a resource found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    Pending(String),
    Ready(String),
    Failed {
        state: String,
        reason: Option<String>,
    },
}

/// Polls `probe` until ready, failed, timed out or cancelled. `on_state` sees
/// every distinct state so the UI can show CREATING → READY.
pub async fn until_ready<F, Fut>(
    kind: &str,
    name: &str,
    policy: &PollPolicy,
    cancel: &CancellationToken,
    mut on_state: impl FnMut(&str),
    mut probe: F,
) -> Result<String, aws::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Probe, aws::Error>>,
{
    let start = Instant::now();
    let mut last = String::new();
    loop {
        let delay = policy.delay(start.elapsed());
        if start.elapsed() + delay > policy.timeout {
            return Err(aws::Error::stuck(kind, name, &last, start.elapsed()));
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            // Waiting is not work in flight: a cancelled apply stops here and
            // the resource stays recorded, so resume picks it up.
            _ = cancel.cancelled() => {
                let mut e = aws::Error::new(aws::Category::Timeout, "Wait",
                    format!("{kind} \"{name}\": cancelled while waiting for it to become ready"))
                    .with_hint("run apply again to resume; the resource will be adopted");
                e.code = Some(CANCELLED.to_owned());
                return Err(e);
            }
        }
        match probe().await? {
            // The caller reports readiness itself, with the ARN.
            Probe::Ready(s) => return Ok(s),
            Probe::Pending(s) => {
                if s != last {
                    on_state(&s);
                    last = s;
                }
            }
            Probe::Failed { state, reason } => {
                on_state(&state);
                return Err(aws::Error::failed_state(
                    kind,
                    name,
                    &state,
                    reason.as_deref(),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn delays_start_fast_grow_with_the_wait_and_are_capped() {
        let p = PollPolicy::default();
        assert!(p.delay(Duration::ZERO) <= Duration::from_millis(500));
        let d: Vec<_> = (0..600).map(|s| p.delay(Duration::from_secs(s))).collect();
        assert!(d.windows(2).all(|w| w[1] >= w[0]));
        assert_eq!(d[20], Duration::from_secs(2));
        assert_eq!(*d.last().unwrap(), Duration::from_secs(5));
        assert_eq!(
            PollPolicy::fixed(Duration::from_secs(5)).delay(Duration::from_secs(1)),
            Duration::from_secs(5)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn reports_each_state_once_and_returns_ready() {
        let n = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let r = until_ready(
            "gateway",
            "g",
            &PollPolicy::default(),
            &CancellationToken::new(),
            |s| seen.push(s.to_owned()),
            || {
                let i = n.fetch_add(1, Ordering::SeqCst);
                async move {
                    Ok(if i < 3 {
                        Probe::Pending("CREATING".into())
                    } else {
                        Probe::Ready("READY".into())
                    })
                }
            },
        )
        .await
        .unwrap();
        assert_eq!(r, "READY");
        assert_eq!(seen, ["CREATING"]);
    }

    #[tokio::test(start_paused = true)]
    async fn stuck_resource_times_out_naming_its_state() {
        let policy = PollPolicy {
            timeout: Duration::from_secs(30),
            ..Default::default()
        };
        let e = until_ready(
            "agent_runtime",
            "r",
            &policy,
            &CancellationToken::new(),
            |_| {},
            || async { Ok(Probe::Pending("CREATING".into())) },
        )
        .await
        .unwrap_err();
        assert_eq!(e.category, aws::Category::Timeout);
        assert!(e.message.contains("still CREATING"), "{}", e.message);
    }

    #[tokio::test(start_paused = true)]
    async fn failed_state_carries_the_reason() {
        let e = until_ready(
            "memory",
            "m",
            &PollPolicy::default(),
            &CancellationToken::new(),
            |_| {},
            || async {
                Ok(Probe::Failed {
                    state: "FAILED".into(),
                    reason: Some("KMS key disabled".into()),
                })
            },
        )
        .await
        .unwrap_err();
        assert_eq!(e.category, aws::Category::Resource);
        assert!(e.message.contains("KMS key disabled"));
    }
}
