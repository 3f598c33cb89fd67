//! The boundary between the TUI and AWS. The TUI never imports an AWS SDK: it calls these
//! methods from effect tasks, and the deploy side implements them with the real clients
//! (pointed at AWS or at the local emulator). Futures are `'static` so a call can outlive the
//! borrow of the service.

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;

pub use crate::kms::eligibility::KeyInfo;
// Part of the answers (services' model); re-exported because every call here takes one.
pub use crate::services::answers::AwsTarget;

use crate::deploy::events::Events;
use crate::deploy::plan::PlanReport;
use crate::deploy::status::StatusReport;
use tokio_util::sync::CancellationToken;

/// What this machine offers to deploy with: the profiles of the AWS config files and the AWS
/// settings of the environment, read by the service since `update` does no I/O.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetsFound {
    pub profiles: Vec<ProfileEntry>,
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` are both set.
    pub env_credentials: bool,
    /// `AWS_PROFILE`: the profile to preselect.
    pub env_profile: Option<String>,
    /// `AWS_REGION` (or `AWS_DEFAULT_REGION`): the region to propose.
    pub env_region: Option<String>,
    /// `AWS_ENDPOINT_URL`: AWS calls go there instead of AWS.
    pub endpoint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileEntry {
    pub name: String,
    /// How it gets credentials (`SSO`, `role`, `credential_process`, …) when it says.
    pub kind: Option<String>,
    pub region: Option<String>,
}

impl ProfileEntry {
    pub fn named(name: &str) -> ProfileEntry {
        ProfileEntry {
            name: name.to_owned(),
            kind: None,
            region: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    /// As STS answers it: for a role, the session ARN.
    pub arn: String,
    /// The IAM role (path included) or user a key policy names for this caller, or why it
    /// cannot be known (iam:GetRole denied).
    pub principal: Result<String, ServiceError>,
}

/// A failed call, already classified (permission / network / timeout / configuration /
/// resource) with the fix to show, e.g. `aws sso login --profile X`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub category: String,
    pub message: String,
    pub hint: Option<String>,
}

/// What a key listing reports, in order: pages as they arrive, then `Done` (or `Failed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeysEvent {
    Page(Vec<KeyInfo>),
    Failed(ServiceError),
    Done,
}

pub trait AwsServices: Send + Sync + 'static {
    /// Profile names from the shared config and credentials files.
    fn profiles(&self) -> BoxFuture<'static, Result<TargetsFound, ServiceError>>;
    /// STS GetCallerIdentity.
    fn caller_identity(
        &self,
        target: AwsTarget,
        region: String,
    ) -> BoxFuture<'static, Result<CallerIdentity, ServiceError>>;
    /// The keys of the region, a page at a time (ListKeys, each described and named); the
    /// stream ends after the last page or the first error.
    fn kms_keys(
        &self,
        target: AwsTarget,
        region: String,
    ) -> BoxStream<'static, Result<Vec<KeyInfo>, ServiceError>>;
    /// What apply would do for the wizard's answers, drift included (the prior state is
    /// checked against the cloud).
    fn plan(
        &self,
        answers: crate::services::answers::Answers,
    ) -> BoxFuture<'static, Result<PlannedDeploy, ServiceError>>;
    /// Apply or destroy. Engine events go to `events` as they happen; `cancel` stops the run
    /// cleanly (nothing new starts, the state is saved).
    fn run(
        &self,
        answers: crate::services::answers::Answers,
        kind: RunKind,
        events: Events,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, Result<RunSummary, ServiceError>>;
    /// Resources the state store of the answers' account, region and pack still records as
    /// "creating": an apply was interrupted there (read from the state file, no AWS change).
    fn interrupted(
        &self,
        answers: crate::services::answers::Answers,
    ) -> BoxFuture<'static, Result<Vec<String>, ServiceError>>;
    /// Every recorded resource checked against the cloud.
    fn status(
        &self,
        answers: crate::services::answers::Answers,
    ) -> BoxFuture<'static, Result<StatusReport, ServiceError>>;
    /// Recommendation summaries a page at a time (ListRecommendations); ends after the last
    /// page or the first error.
    fn recommendations(
        &self,
        target: AwsTarget,
        region: String,
    ) -> BoxStream<'static, Result<Vec<crate::recommend::Summary>, ServiceError>>;
    /// GetRecommendation. A key that cannot decrypt it is a [`KEY_UNAVAILABLE`] error in
    /// plain words.
    fn recommendation(
        &self,
        target: AwsTarget,
        region: String,
        id: String,
    ) -> BoxFuture<'static, Result<crate::recommend::Detail, ServiceError>>;
    fn delete_recommendation(
        &self,
        target: AwsTarget,
        region: String,
        id: String,
    ) -> BoxFuture<'static, Result<crate::recommend::Status, ServiceError>>;
    /// StartRecommendation (the request is checked locally first).
    fn start_recommendation(
        &self,
        target: AwsTarget,
        region: String,
        request: crate::recommend::StartRequest,
    ) -> BoxFuture<'static, Result<crate::recommend::Summary, ServiceError>>;
    /// The key policy of `key_arn` checked against seed 000's three statements for the caller.
    fn key_policy_check(
        &self,
        target: AwsTarget,
        region: String,
        key_arn: String,
    ) -> BoxFuture<'static, Result<PolicyCheck, ServiceError>>;
    /// GetKeyPolicy: the key's (only) policy document, as text.
    fn key_policy(
        &self,
        target: AwsTarget,
        region: String,
        key_arn: String,
    ) -> BoxFuture<'static, Result<String, ServiceError>>;
    /// PutKeyPolicy: replaces the whole key policy.
    fn put_key_policy(
        &self,
        target: AwsTarget,
        region: String,
        key_arn: String,
        policy: String,
    ) -> BoxFuture<'static, Result<(), ServiceError>>;
    /// The CloudTrail KMS events of recommendations, newest first.
    fn kms_activity(
        &self,
        target: AwsTarget,
        region: String,
    ) -> BoxFuture<'static, Result<Vec<crate::kms::activity::KmsEvent>, ServiceError>>;
    /// A runtime's CloudWatch log lines (FilterLogEvents, every page, no filter: the view
    /// filters as the user types), of its own group and the pack's. The first read finds the
    /// runtime in the deploy state of the answers.
    fn runtime_logs(
        &self,
        answers: crate::services::answers::Answers,
        query: LogsQuery,
    ) -> BoxFuture<'static, Result<LogsRead, ServiceError>>;
    /// InvokeAgentRuntime with `prompt` (READY checked first), the runtime found in the deploy
    /// state of the answers; `session` continues an earlier conversation. The answer's text
    /// comes as it arrives, then the whole answer (or the failure) last.
    fn invoke(
        &self,
        answers: crate::services::answers::Answers,
        runtime: String,
        prompt: String,
        session: Option<String>,
    ) -> BoxStream<'static, InvokeEvent>;
    /// The runtime's online evaluation results of the last day (its config found in the deploy
    /// state, the destination from GetOnlineEvaluationConfig, FilterLogEvents pages, bounded).
    fn evaluations(
        &self,
        answers: crate::services::answers::Answers,
        runtime: String,
    ) -> BoxFuture<'static, Result<crate::monitor::evaluations::Results, ServiceError>>;
    /// The runtime's status, versions and endpoints, and the gateway's targets; each part
    /// carries its own error, so this fails only when the runtime cannot be found.
    fn health(
        &self,
        answers: crate::services::answers::Answers,
        runtime: String,
    ) -> BoxFuture<'static, Result<crate::monitor::health::Health, ServiceError>>;
}

#[derive(Debug, Clone, PartialEq)]
pub enum InvokeEvent {
    /// A piece of the answer, as it arrived.
    Text(String),
    /// The last event: the whole answer with its session and latency, or why it failed.
    Done(Result<crate::monitor::invoke::Answer, ServiceError>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsQuery {
    /// The runtime as the status screen names it (its plan name).
    pub runtime: String,
    /// How far back the first read starts.
    pub range: std::time::Duration,
    /// `None` for the first read, which finds the runtime's groups; then each group and the
    /// epoch millisecond to read on from.
    pub reads: Option<Vec<(String, i64)>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsRead {
    /// The first read's answer: the groups, labelled (the runtime's own, then the pack's).
    pub groups: Option<Vec<(&'static str, String)>>,
    /// Where the first read started, so the view's cursors start there too.
    pub start_ms: i64,
    /// Each group read, with its lines or `NoGroup` (AgentCore makes a runtime's group on its
    /// first output).
    pub fetched: Vec<(String, crate::monitor::logs::Fetched)>,
}

/// A key policy checked for recommendations: what is missing or too broad (as warnings with the
/// fix), and the current policy → the recommended one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyCheck {
    pub key_arn: String,
    pub compliant: bool,
    pub findings: Vec<crate::config::Diagnostic>,
    pub diff: Vec<crate::kms::policy::DiffLine>,
}

/// The [`ServiceError::category`] of seed 000's "the key of this recommendation is disabled or
/// deleted": reading fails, listing and deleting still work.
pub const KEY_UNAVAILABLE: &str = "key unavailable";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    Apply,
    Destroy,
}

/// A plan and where it applies.
#[derive(Debug, Clone)]
pub struct PlannedDeploy {
    pub report: PlanReport,
    pub pack_id: String,
    pub account: String,
    pub region: String,
    pub state_file: std::path::PathBuf,
    /// Resources a previous apply recorded as "creating" and never finished: that apply was
    /// interrupted, and applying again adopts them.
    pub interrupted: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub ok: bool,
    pub cancelled: bool,
    pub summary: String,
}
