//! When a view that reads on its own (Evaluations, Health) reads again: a while after an answer
//! or a failure that may pass (network, timeout); after any other error only when the user
//! asks (`r`), since reading again cannot fix a denial.

use crate::tui::services::ServiceError;

pub struct Poll {
    pub loading: bool,
    /// Ticks left before the next read; 0 while a read is in flight or after an error.
    pub countdown: u32,
    every: u32,
}

impl Poll {
    /// The first read is in flight.
    pub fn started(every: u32) -> Self {
        Self {
            loading: true,
            countdown: 0,
            every,
        }
    }

    pub fn answered(&mut self, error: Option<&ServiceError>) {
        self.loading = false;
        let again = error.is_none_or(|e| matches!(e.category.as_str(), "network" | "timeout"));
        self.countdown = if again { self.every } else { 0 };
    }

    /// True when a read is due.
    pub fn tick(&mut self) -> bool {
        if self.loading || self.countdown == 0 {
            return false;
        }
        self.countdown -= 1;
        if self.countdown == 0 {
            self.loading = true;
            return true;
        }
        false
    }

    /// `r`: true when a read starts now (none is in flight).
    pub fn now(&mut self) -> bool {
        !std::mem::replace(&mut self.loading, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(category: &str) -> ServiceError {
        ServiceError {
            category: category.into(),
            message: String::new(),
            hint: None,
        }
    }

    #[test]
    fn reads_again_after_an_answer_or_a_passing_failure_but_not_after_a_denial() {
        let mut p = Poll::started(2);
        assert!(!p.tick(), "the first read is in flight");
        p.answered(None);
        assert!(!p.tick());
        assert!(p.tick(), "due after `every` ticks");
        p.answered(Some(&error("timeout")));
        assert!(!p.tick());
        assert!(p.tick());
        p.answered(Some(&error("permission")));
        assert!((0..10).all(|_| !p.tick()), "a denial waits for r");
        assert!(p.now());
        assert!(!p.now(), "one read at a time");
    }
}
