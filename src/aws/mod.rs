//! Building the SDK clients (AWS, an AWS-compatible endpoint, or the embedded
//! emulator) and turning SDK errors into messages a person can act on.

mod clients;
mod error;
mod http;
pub mod local;
mod principal;
pub mod profiles;
mod validation;

pub use clients::{CallerIdentity, Clients, ConnectOptions, TIMEOUT_ENV, Timeouts};
pub use error::{Category, Error, ErrorContext};
