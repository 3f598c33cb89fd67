//! AgentCore recommendations: start (with a customer managed key), get, list, delete, wait, and
//! the type-to-filter used by the list screen.

pub mod diff;
pub mod error;
pub mod filter;
pub mod model;
pub mod request;
pub mod service;

pub use error::{KeyProblem, Operation, RecError};
pub use model::{ConfigView, Detail, ResultView, Status, Summary};
pub use request::{Input, RecType, StartRequest, ToolText, Traces};
pub use service::{RecPages, Recommendations};
