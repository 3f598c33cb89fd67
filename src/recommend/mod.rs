//! AgentCore recommendations: start, get, list, delete and wait, and the list screen's filter.
//!
//! A recommendation is started with a customer managed key; its errors are explained in plain
//! words about that key.

pub mod diff;
pub mod error;
pub mod filter;
pub mod model;
pub mod model_check;
pub mod request;
pub mod runtime_traces;
pub mod service;

pub use error::{KeyProblem, Operation, RecError};
pub use model::{ConfigView, Detail, ResultView, Status, Summary};
pub use request::{Input, RecType, StartRequest, ToolText, Traces};
pub use service::{RecPages, Recommendations};
