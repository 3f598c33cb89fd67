//! Each step's pane in the event stream: the first of its resources to start opens it
//! (StepStarted), the last to settle closes it with its counts (StepFinished). Apply and
//! destroy both run by the graph, so several panes are open at once.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use super::events::{Event, Events, Step};

/// How one resource of a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    Ok,
    Failed,
    Skipped,
}

#[derive(Default)]
struct Tally {
    total: usize,
    settled: usize,
    ok: usize,
    failed: usize,
    skipped: usize,
    started: Option<Instant>,
}

pub(crate) struct Panes(Mutex<BTreeMap<Step, Tally>>);

impl Panes {
    /// One pane per step, sized by how many of `steps` (one entry per resource) it holds.
    pub(crate) fn new(steps: impl IntoIterator<Item = Step>) -> Panes {
        let mut tallies: BTreeMap<Step, Tally> = BTreeMap::new();
        for step in steps {
            tallies.entry(step).or_default().total += 1;
        }
        Panes(Mutex::new(tallies))
    }

    pub(crate) fn touch(&self, step: Step, events: &Events) {
        let mut panes = self.0.lock().unwrap();
        let t = panes.entry(step).or_default();
        if t.started.is_none() {
            t.started = Some(Instant::now());
            events.send(Event::StepStarted {
                step,
                resources: t.total,
            });
        }
    }

    pub(crate) fn settle(&self, step: Step, how: Ended, events: &Events) {
        let mut panes = self.0.lock().unwrap();
        let t = panes.entry(step).or_default();
        t.settled += 1;
        match how {
            Ended::Ok => t.ok += 1,
            Ended::Failed => t.failed += 1,
            Ended::Skipped => t.skipped += 1,
        }
        if t.settled == t.total {
            events.send(Event::StepFinished {
                step,
                succeeded: t.ok,
                failed: t.failed,
                skipped: t.skipped,
                elapsed: t.started.map(|s| s.elapsed()).unwrap_or_default(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pane_opens_once_and_closes_with_its_counts_when_its_last_resource_settles() {
        let (events, mut rx) = crate::deploy::events::channel();
        let panes = Panes::new([Step::Memory, Step::AgentRuntimes, Step::AgentRuntimes]);
        panes.touch(Step::AgentRuntimes, &events);
        panes.touch(Step::AgentRuntimes, &events);
        panes.settle(Step::AgentRuntimes, Ended::Ok, &events);
        panes.settle(Step::AgentRuntimes, Ended::Failed, &events);
        let got: Vec<Event> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(matches!(
            got[0],
            Event::StepStarted {
                step: Step::AgentRuntimes,
                resources: 2
            }
        ));
        assert!(matches!(
            got[1],
            Event::StepFinished {
                step: Step::AgentRuntimes,
                succeeded: 1,
                failed: 1,
                skipped: 0,
                ..
            }
        ));
    }
}
