use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::events::Events;
use super::poll::PollPolicy;
use super::state::StateStore;
use crate::aws::Clients;

/// Everything an engine operation needs, shared by plan, apply, destroy and status.
#[derive(Clone)]
pub struct Deployment {
    pub clients: Clients,
    pub account: String,
    pub store: Arc<StateStore>,
    pub events: Events,
    pub cancel: CancellationToken,
    pub poll: PollPolicy,
    /// How many resources of one step run at once.
    pub concurrency: usize,
}

pub const DEFAULT_CONCURRENCY: usize = 8;

impl Deployment {
    pub fn new(clients: Clients, account: impl Into<String>, store: Arc<StateStore>) -> Self {
        Deployment {
            clients,
            account: account.into(),
            store,
            events: Events::discard(),
            cancel: CancellationToken::new(),
            poll: PollPolicy::default(),
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    pub fn with_events(mut self, events: Events) -> Self {
        self.events = events;
        self
    }

    pub fn with_cancel(mut self, cancel: CancellationToken) -> Self {
        self.cancel = cancel;
        self
    }

    pub fn with_poll(mut self, poll: PollPolicy) -> Self {
        self.poll = poll;
        self
    }

    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
}
