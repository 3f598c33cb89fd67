//! Generation ids: every superseded request's answer is dropped. A [`Slot`] remembers the latest
//! [`Gen`] issued for one kind of request.

/// Identifies one request; a [`Slot`] remembers the latest one issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gen(pub u64);

/// One kind of request that can be superseded (e.g. "the caller identity for the chosen
/// profile"). Issuing a new request makes every earlier one stale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Slot {
    latest: Gen,
    pending: bool,
}

impl Slot {
    pub fn issue(&mut self) -> Gen {
        self.latest.0 += 1;
        self.pending = true;
        self.latest
    }

    /// True for the latest request's result, which also ends the pending state.
    pub fn accept(&mut self, g: Gen) -> bool {
        if g == self.latest && self.pending {
            self.pending = false;
            true
        } else {
            false
        }
    }

    /// For streamed results: true while `g` is the latest request and it has not finished.
    pub fn is_current(&self, g: Gen) -> bool {
        g == self.latest && self.pending
    }

    /// Forget the in-flight request: its result will be dropped.
    pub fn cancel(&mut self) {
        self.latest.0 += 1;
        self.pending = false;
    }

    pub fn is_pending(&self) -> bool {
        self.pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_request_is_accepted_once() {
        let mut slot = Slot::default();
        let first = slot.issue();
        let second = slot.issue();
        assert!(!slot.accept(first), "a superseded result must be dropped");
        assert!(slot.accept(second));
        assert!(!slot.accept(second), "a result is accepted once");
        assert!(!slot.is_pending());
    }

    #[test]
    fn cancelled_requests_are_dropped() {
        let mut slot = Slot::default();
        let g = slot.issue();
        slot.cancel();
        assert!(!slot.accept(g));
    }
}
