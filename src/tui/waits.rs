//! The AWS calls in flight, for the wait line: once a call has waited a second, the bottom line
//! says what it waits for (operation, endpoint, seconds so far, the deadline) and that Esc
//! cancels it. The clock is the runtime's: it reports each call's seconds, so `update` stays pure.

use std::collections::BTreeMap;

use super::msg::call::CallMsg;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Wait {
    operation: &'static str,
    endpoint: String,
    deadline_secs: u64,
    elapsed_secs: u64,
    cancelling: bool,
}

#[derive(Debug, Default)]
pub struct Waits {
    calls: BTreeMap<u64, Wait>,
}

impl Waits {
    /// `true` when the wait line may have changed.
    pub fn on(&mut self, msg: CallMsg) -> bool {
        match msg {
            CallMsg::Started {
                id,
                operation,
                endpoint,
                deadline_secs,
            } => {
                self.calls.insert(
                    id,
                    Wait {
                        operation,
                        endpoint,
                        deadline_secs,
                        elapsed_secs: 0,
                        cancelling: false,
                    },
                );
                false
            }
            CallMsg::Waiting { id, elapsed_secs } => match self.calls.get_mut(&id) {
                Some(w) => {
                    w.elapsed_secs = elapsed_secs;
                    true
                }
                None => false,
            },
            CallMsg::Ended { id } => self.calls.remove(&id).is_some_and(|w| w.elapsed_secs >= 1),
        }
    }

    /// The call the line shows: the oldest one that has waited a second and is not cancelled.
    fn shown(&self) -> Option<(u64, &Wait)> {
        self.calls
            .iter()
            .find(|(_, w)| w.elapsed_secs >= 1 && !w.cancelling)
            .map(|(id, w)| (*id, w))
    }

    /// Esc: the shown call is cancelled; its id for the runtime to abandon.
    pub fn cancel(&mut self) -> Option<u64> {
        let (id, _) = self.shown()?;
        if let Some(w) = self.calls.get_mut(&id) {
            w.cancelling = true;
        }
        Some(id)
    }

    pub fn line(&self) -> Option<String> {
        let (_, w) = self.shown()?;
        let more = self.calls.values().filter(|c| !c.cancelling).count() - 1;
        Some(format!(
            "Waiting for {} at {}: {} s of {} s{} · Esc cancels",
            w.operation,
            w.endpoint,
            w.elapsed_secs,
            w.deadline_secs,
            if more > 0 {
                format!(" (+{more} more)")
            } else {
                String::new()
            }
        ))
    }
}
