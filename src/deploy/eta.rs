//! How long an apply has left: the graph's critical path over what is left of each node.
//!
//! Nearly all of a resource's time is spent waiting for AWS to make it ready, and a node may wait
//! more than once (the Cedar resource waits for the gateway in LOG_ONLY, for its policies, then
//! for the gateway in ENFORCE). So a node's cost is its waits still to come, each at the mean
//! measured wait, less what the current wait has run: a node three waits long is not estimated
//! as one.

use std::time::{Duration, Instant};

use super::graph::Graph;

#[derive(Debug, Clone, Copy, Default)]
struct Clock {
    planned: u32,
    done: u32,
    waiting_since: Option<Instant>,
    settled: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Eta {
    nodes: Vec<Clock>,
    measured: Duration,
    waits: u32,
}

impl Eta {
    /// `planned[i]`: how many times node `i` waits for AWS when it has everything to make.
    pub fn new(planned: impl IntoIterator<Item = u32>) -> Eta {
        Eta {
            nodes: planned
                .into_iter()
                .map(|planned| Clock {
                    planned,
                    ..Clock::default()
                })
                .collect(),
            ..Eta::default()
        }
    }

    pub fn wait_started(&mut self, i: usize, now: Instant) {
        if let Some(c) = self.nodes.get_mut(i) {
            c.waiting_since = Some(now);
        }
    }

    /// `waited`: AWS reported the resource not ready at least once. A wait that found it ready
    /// at the first look (a resource already there) neither measures a wait nor uses one up.
    pub fn wait_ended(&mut self, i: usize, now: Instant, waited: bool) {
        let Some(c) = self.nodes.get_mut(i) else {
            return;
        };
        if let Some(since) = c.waiting_since.take()
            && waited
        {
            c.done += 1;
            self.measured += now.saturating_duration_since(since);
            self.waits += 1;
        }
    }

    pub fn settled(&mut self, i: usize) {
        if let Some(c) = self.nodes.get_mut(i) {
            c.settled = true;
            c.waiting_since = None;
        }
    }

    /// What node `i` has left, at `per_wait` a wait.
    fn left(&self, i: usize, now: Instant, per_wait: Duration) -> Duration {
        let c = self.nodes[i];
        if c.settled {
            return Duration::ZERO;
        }
        let mut waits = c.planned.saturating_sub(c.done);
        // Waiting once more than planned (an update after a check) still waits.
        if c.waiting_since.is_some() {
            waits = waits.max(1);
        }
        let running = c
            .waiting_since
            .map(|s| now.saturating_duration_since(s))
            .unwrap_or_default();
        (per_wait * waits).saturating_sub(running)
    }

    /// The critical path of what is left; `None` until a wait has been measured.
    pub fn remaining(&self, graph: &Graph, now: Instant) -> Option<Duration> {
        if self.waits == 0 || graph.nodes.len() != self.nodes.len() {
            return None;
        }
        let per_wait = self.measured / self.waits;
        Some(graph.critical_path(|i| self.left(i, now, per_wait), |_| Duration::ZERO))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::graph::Node;
    use crate::plan::{Dependency, Step};

    fn node(name: &str, after: &[&str]) -> Node {
        Node {
            kind: "k".into(),
            name: name.into(),
            step: Step::Memory,
            deps: after
                .iter()
                .map(|d| Dependency::ready("k", *d, "test"))
                .collect(),
        }
    }

    /// gateway (1 wait) → cedar (3 waits) → runtime (1 wait), each wait 3 s.
    fn chain() -> (Graph, Eta) {
        let g = Graph {
            nodes: vec![
                node("gateway", &[]),
                node("cedar", &["gateway"]),
                node("runtime", &["cedar"]),
            ],
        };
        (g, Eta::new([1, 3, 1]))
    }

    #[test]
    fn nothing_measured_yet_gives_no_estimate() {
        let (g, eta) = chain();
        assert_eq!(eta.remaining(&g, Instant::now()), None);
    }

    #[test]
    fn a_node_of_three_waits_costs_three_waits_and_counts_down_as_they_pass() {
        let (g, mut eta) = chain();
        let t0 = Instant::now();
        let s = Duration::from_secs;
        eta.wait_started(0, t0);
        eta.wait_ended(0, t0 + s(3), true);
        eta.settled(0);
        // Cedar three waits and the runtime one, at the 3 s measured.
        assert_eq!(eta.remaining(&g, t0 + s(3)), Some(s(12)));
        // One second into Cedar's first wait.
        eta.wait_started(1, t0 + s(3));
        assert_eq!(eta.remaining(&g, t0 + s(4)), Some(s(11)));
        // Its first wait over (3 s), one second into the second: two left of Cedar's, less 1 s.
        eta.wait_ended(1, t0 + s(6), true);
        eta.wait_started(1, t0 + s(6));
        assert_eq!(eta.remaining(&g, t0 + s(7)), Some(s(8)));
        eta.wait_ended(1, t0 + s(9), true);
        eta.wait_started(1, t0 + s(9));
        eta.wait_ended(1, t0 + s(12), true);
        eta.settled(1);
        assert_eq!(eta.remaining(&g, t0 + s(12)), Some(s(3)));
    }

    #[test]
    fn a_resource_found_ready_at_once_measures_nothing_and_uses_no_wait() {
        let (g, mut eta) = chain();
        let t0 = Instant::now();
        let s = Duration::from_secs;
        eta.wait_started(0, t0);
        eta.wait_ended(0, t0 + s(3), true);
        eta.settled(0);
        // Cedar's first look found the gateway as it should be: still three waits of 3 s.
        eta.wait_started(1, t0 + s(3));
        eta.wait_ended(1, t0 + s(3), false);
        assert_eq!(eta.remaining(&g, t0 + s(3)), Some(s(12)));
    }

    #[test]
    fn a_wait_beyond_the_planned_ones_still_counts_until_it_ends() {
        let g = Graph {
            nodes: vec![node("runtime", &[])],
        };
        let mut eta = Eta::new([1]);
        let t0 = Instant::now();
        let s = Duration::from_secs;
        eta.wait_started(0, t0);
        eta.wait_ended(0, t0 + s(2), true);
        // Updated after the check: a second wait, 1 s in.
        eta.wait_started(0, t0 + s(2));
        assert_eq!(eta.remaining(&g, t0 + s(3)), Some(s(1)));
    }
}
