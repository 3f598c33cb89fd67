//! The deploy engine: plan (diff, drift), apply, destroy, status, the state store and polling.
//!
//! `apply/`, `destroy/` and `cloud/` each hold one file per resource kind, named as in `plan/`
//! and `derive/`.

pub mod apply;
pub mod artifact;
pub mod cloud;
mod context;
pub mod destroy;
pub mod eta;
pub mod events;
pub mod graph;
pub mod lock;
mod panes;
pub mod plan;
pub mod poll;
pub(crate) mod sdk;
pub mod state;
pub mod status;

pub use context::{DEFAULT_CONCURRENCY, Deployment};

// UIs run these in spawned tasks: keep their futures `Send`.
#[allow(dead_code)]
fn futures_are_send(
    dep: &Deployment,
    plan: &crate::plan::ResourcePlan,
    opts: &apply::ApplyOptions,
    prior: &state::DeployState,
) {
    fn send<T: Send>(_: T) {}
    send(apply::apply(dep, plan, opts));
    send(destroy::destroy(dep));
    send(status::status(dep));
    send(plan::plan(plan, prior, Some(&dep.clients), None));
}
