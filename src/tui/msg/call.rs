//! AWS calls in flight, as the runtime reports them: so the screen can say what it waits for
//! and Esc can cancel it.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallMsg {
    Started {
        id: u64,
        operation: &'static str,
        endpoint: String,
        deadline_secs: u64,
    },
    /// Sent every second while the call is in flight.
    Waiting {
        id: u64,
        elapsed_secs: u64,
    },
    Ended {
        id: u64,
    },
}
