//! The deployment graph and its scheduler, shared by apply (edges forwards) and destroy
//! (backwards): each node starts as soon as what it waits for is there, bounded by the
//! concurrency; a failure skips only its dependants; cancellation starts nothing new.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::plan::{Dependency, Needs, Step};

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: String,
    pub name: String,
    pub step: Step,
    pub deps: Vec<Dependency>,
}

#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
}

/// What became of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Done,
    Failed,
}

/// How a failure travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// Apply: the dependants of a failure are skipped, the rest goes on.
    SkipDependants,
    /// Destroy: everything is tried (a dependant's own call says whether it can go).
    Continue,
}

/// ARNs known before readiness (from a Create answer, or a lookup), for [`Needs::Arn`] edges.
#[derive(Default)]
pub struct Known {
    arns: Mutex<BTreeSet<(String, String)>>,
    changed: Notify,
}

impl Known {
    pub fn arn(&self, kind: &str, name: &str) {
        self.arns
            .lock()
            .unwrap()
            .insert((kind.to_owned(), name.to_owned()));
        // A stored permit: the scheduler may not be waiting at this very moment.
        self.changed.notify_one();
    }

    fn has(&self, kind: &str, name: &str) -> bool {
        self.arns
            .lock()
            .unwrap()
            .contains(&(kind.to_owned(), name.to_owned()))
    }
}

/// Where a node waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    Running,
    Settled(Settled),
}

impl Graph {
    pub fn index(&self, kind: &str, name: &str) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| n.kind == kind && n.name == name)
    }

    /// Edges to nodes of this graph, as indices (an edge to something outside it, e.g. a
    /// resource the plan does not have, is already satisfied).
    fn edges(&self, i: usize) -> impl Iterator<Item = (usize, &Dependency)> {
        self.nodes[i]
            .deps
            .iter()
            .filter_map(|d| self.index(&d.kind, &d.name).map(|j| (j, d)))
    }

    /// The same nodes with every edge turned around (destroy's order); the reasons are kept.
    pub fn reversed(&self) -> Graph {
        let mut nodes: Vec<Node> = self
            .nodes
            .iter()
            .map(|n| Node {
                deps: Vec::new(),
                ..n.clone()
            })
            .collect();
        for (i, n) in self.nodes.iter().enumerate() {
            for (j, d) in self.edges(i) {
                nodes[j].deps.push(Dependency::ready(
                    n.kind.clone(),
                    n.name.clone(),
                    &format!("deleted first: it is {}", d.reason),
                ));
            }
        }
        Graph { nodes }
    }

    /// The nodes, those heading the longest chain of dependants first: when more are ready than
    /// may run, the ones the rest waits on longest start first (ties keep the graph's order).
    fn longest_chains_first(&self) -> Vec<usize> {
        let n = self.nodes.len();
        let mut dependants = vec![Vec::new(); n];
        for i in 0..n {
            for (j, _) in self.edges(i) {
                dependants[j].push(i);
            }
        }
        let mut chain: Vec<Option<usize>> = vec![None; n];
        fn depth(
            i: usize,
            dependants: &[Vec<usize>],
            chain: &mut [Option<usize>],
            guard: usize,
        ) -> usize {
            if let Some(d) = chain[i] {
                return d;
            }
            // A cycle cannot come from derive; cut it rather than overflow the stack.
            if guard == 0 {
                return 0;
            }
            let d = 1 + dependants[i]
                .iter()
                .map(|&k| depth(k, dependants, chain, guard - 1))
                .max()
                .unwrap_or(0);
            chain[i] = Some(d);
            d
        }
        let mut order: Vec<usize> = (0..n).collect();
        let depths: Vec<usize> = (0..n)
            .map(|i| depth(i, &dependants, &mut chain, n + 1))
            .collect();
        order.sort_by_key(|&i| std::cmp::Reverse(depths[i]));
        order
    }

    /// The longest chain of `cost`s through the graph: the shortest wall time any schedule
    /// with unbounded concurrency can reach. An `Arn` edge costs its dependency's `arn_cost`.
    pub fn critical_path(
        &self,
        cost: impl Fn(usize) -> Duration,
        arn_cost: impl Fn(usize) -> Duration,
    ) -> Duration {
        let mut finish: BTreeMap<usize, Duration> = BTreeMap::new();
        (0..self.nodes.len())
            .map(|i| self.finish(i, &cost, &arn_cost, &mut finish, 0))
            .max()
            .unwrap_or_default()
    }

    fn finish(
        &self,
        i: usize,
        cost: &impl Fn(usize) -> Duration,
        arn_cost: &impl Fn(usize) -> Duration,
        memo: &mut BTreeMap<usize, Duration>,
        depth: usize,
    ) -> Duration {
        if let Some(d) = memo.get(&i) {
            return *d;
        }
        // A cycle cannot come from derive; cut it rather than overflow the stack.
        if depth > self.nodes.len() {
            return Duration::ZERO;
        }
        let edges: Vec<(usize, Needs)> = self.edges(i).map(|(j, d)| (j, d.needs)).collect();
        let start = edges
            .into_iter()
            .map(|(j, needs)| {
                let f = self.finish(j, cost, arn_cost, memo, depth + 1);
                match needs {
                    Needs::Ready => f,
                    Needs::Arn => f.saturating_sub(cost(j)) + arn_cost(j),
                }
            })
            .max()
            .unwrap_or_default();
        let f = start + cost(i);
        memo.insert(i, f);
        f
    }
}

/// What the scheduler tells its caller, besides running nodes.
pub trait Hooks {
    /// A dependency failed: `i` is not run.
    fn skipped(&self, i: usize, because: &Dependency);
    /// Cancelled before `i` started.
    fn not_started(&self, i: usize);
}

/// Runs every node once what it waits for is there, at most `concurrency` at once; returns
/// how each settled (in node order).
pub async fn schedule<R, RF>(
    graph: &Graph,
    concurrency: usize,
    on_failure: OnFailure,
    cancel: &CancellationToken,
    known: &Known,
    hooks: &impl Hooks,
    run: R,
) -> Vec<Settled>
where
    R: Fn(usize) -> RF,
    RF: Future<Output = Settled>,
{
    let n = graph.nodes.len();
    let order = graph.longest_chains_first();
    let mut state = vec![State::Waiting; n];
    let mut running = FuturesUnordered::new();
    loop {
        // Settle what can be settled without running, and start what may start; repeated,
        // since a skip can skip further dependants.
        let mut changed = true;
        while changed {
            changed = false;
            for &i in &order {
                if state[i] != State::Waiting {
                    continue;
                }
                if cancel.is_cancelled() {
                    hooks.not_started(i);
                    state[i] = State::Settled(Settled::Failed);
                    changed = true;
                    continue;
                }
                let mut ready = true;
                let mut blocked = None;
                for (j, d) in graph.edges(i) {
                    match (state[j], d.needs) {
                        (State::Settled(Settled::Done), _) => {}
                        (State::Settled(Settled::Failed), _) => {
                            if on_failure == OnFailure::SkipDependants {
                                blocked = Some(d);
                                break;
                            }
                        }
                        (_, Needs::Arn) if known.has(&d.kind, &d.name) => {}
                        _ => ready = false,
                    }
                }
                if let Some(d) = blocked {
                    hooks.skipped(i, d);
                    state[i] = State::Settled(Settled::Failed);
                    changed = true;
                } else if ready && running.len() < concurrency.max(1) {
                    state[i] = State::Running;
                    let fut = run(i);
                    running.push(async move { (i, fut.await) });
                    changed = true;
                }
            }
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            Some((i, s)) = running.next() => state[i] = State::Settled(s),
            _ = known.changed.notified() => {}
            _ = cancel.cancelled(), if !cancel.is_cancelled() => {}
        }
    }
    // Only a cycle leaves nodes waiting with nothing running; derive makes none, but a node
    // must never be left without an outcome.
    for (i, s) in state.iter_mut().enumerate() {
        if *s == State::Waiting {
            hooks.not_started(i);
            *s = State::Settled(Settled::Failed);
        }
    }
    state
        .into_iter()
        .map(|s| match s {
            State::Settled(s) => s,
            _ => Settled::Failed,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, deps: &[(&str, Needs)]) -> Node {
        Node {
            kind: "k".into(),
            name: name.into(),
            step: Step::Memory,
            deps: deps
                .iter()
                .map(|(d, needs)| Dependency {
                    kind: "k".into(),
                    name: (*d).into(),
                    needs: *needs,
                    reason: "test".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn critical_path_is_the_longest_chain_and_arn_edges_wait_only_for_the_arn() {
        let g = Graph {
            nodes: vec![
                node("a", &[]),
                node("b", &[("a", Needs::Ready)]),
                node("c", &[]),
                node("d", &[("c", Needs::Arn)]),
            ],
        };
        let secs = |i: usize| Duration::from_secs([3, 3, 5, 1][i]);
        let cp = g.critical_path(secs, |_| Duration::ZERO);
        assert_eq!(cp, Duration::from_secs(6));
        // Reversed: a waits for b (3 + 3), c waits for d (1 + 5).
        let r = g.reversed();
        assert_eq!(
            r.critical_path(secs, |_| Duration::ZERO),
            Duration::from_secs(6)
        );
        assert!(r.nodes[0].deps[0].is_on("k", "b"));
    }

    struct NoHooks(Mutex<Vec<String>>);
    impl Hooks for NoHooks {
        fn skipped(&self, i: usize, because: &Dependency) {
            self.0
                .lock()
                .unwrap()
                .push(format!("skip {i} {}", because.name));
        }
        fn not_started(&self, i: usize) {
            self.0.lock().unwrap().push(format!("not started {i}"));
        }
    }

    #[tokio::test]
    async fn with_one_slot_the_head_of_the_longest_chain_starts_first() {
        let g = Graph {
            nodes: vec![
                node("lone", &[]),
                node("head", &[]),
                node("mid", &[("head", Needs::Ready)]),
                node("tail", &[("mid", Needs::Ready)]),
            ],
        };
        let ran = Mutex::new(Vec::new());
        schedule(
            &g,
            1,
            OnFailure::SkipDependants,
            &CancellationToken::new(),
            &Known::default(),
            &NoHooks(Mutex::new(Vec::new())),
            |i| {
                ran.lock().unwrap().push(g.nodes[i].name.clone());
                async { Settled::Done }
            },
        )
        .await;
        // Without priorities "lone" would go first; it ties with "tail" once "mid" is done.
        assert_eq!(*ran.lock().unwrap(), ["head", "mid", "lone", "tail"]);
    }

    #[tokio::test]
    async fn a_failure_skips_its_dependants_and_nothing_else() {
        let g = Graph {
            nodes: vec![
                node("a", &[]),
                node("b", &[("a", Needs::Ready)]),
                node("c", &[("b", Needs::Ready)]),
                node("d", &[]),
            ],
        };
        let hooks = NoHooks(Mutex::new(Vec::new()));
        let ran = Mutex::new(Vec::new());
        let out = schedule(
            &g,
            1,
            OnFailure::SkipDependants,
            &CancellationToken::new(),
            &Known::default(),
            &hooks,
            |i| {
                ran.lock().unwrap().push(i);
                async move {
                    if i == 0 {
                        Settled::Failed
                    } else {
                        Settled::Done
                    }
                }
            },
        )
        .await;
        assert_eq!(
            out,
            [
                Settled::Failed,
                Settled::Failed,
                Settled::Failed,
                Settled::Done
            ]
        );
        assert_eq!(*ran.lock().unwrap(), [0, 3]);
        assert_eq!(*hooks.0.lock().unwrap(), ["skip 1 a", "skip 2 b"]);
    }
}
