//! The deploy screens' task results: plan, engine events, run end, status, interrupted runs,
//! log reads, invoke answers, evaluation results, health.

use crate::tui::services::ServiceError;
use crate::tui::slot::Gen;

#[derive(Debug)]
pub struct DeployMsg {
    /// The plan request, run or status refresh this answers; a superseded one is dropped.
    pub generation: Gen,
    pub outcome: DeployOutcome,
}

#[derive(Debug)]
pub enum DeployOutcome {
    Planned(Result<Box<crate::tui::services::PlannedDeploy>, ServiceError>),
    /// One engine event of a running apply or destroy.
    Event(crate::deploy::events::Event),
    /// The run ended (or could not start).
    Finished(Result<crate::tui::services::RunSummary, ServiceError>),
    Status(Result<Box<crate::deploy::status::StatusReport>, ServiceError>),
    /// Resources an interrupted apply left "creating" (the startup check).
    Interrupted(Result<Vec<String>, ServiceError>),
    /// One read of a runtime's log group for the Logs view.
    Logs(Result<crate::tui::services::LogsRead, ServiceError>),
    /// A piece of the runtime's answer, as it arrived.
    InvokeText(String),
    /// The runtime's whole answer to a prompt of the Invoke view (last).
    Invoked(Result<Box<crate::monitor::invoke::Answer>, ServiceError>),
    /// One read of a runtime's online evaluation results for the Evaluations view.
    Evaluations(Result<Box<crate::monitor::evaluations::Results>, ServiceError>),
    /// One read of a runtime's health for the Health view.
    Health(Result<Box<crate::monitor::health::Health>, ServiceError>),
}
