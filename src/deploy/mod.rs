//! The deploy engine: plan (diff + drift), apply (steps, events), destroy,
//! status, the state store and readiness polling.

pub mod apply;
pub mod artifact;
pub mod cloud;
mod context;
pub mod destroy;
pub mod events;
pub mod plan;
pub mod poll;
mod sdk;
pub mod state;
pub mod status;

pub use context::{DEFAULT_CONCURRENCY, Deployment};
