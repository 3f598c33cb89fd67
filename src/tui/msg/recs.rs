//! The recommendation screens' requests and their answers.

use crate::kms::activity::KmsEvent;
use crate::recommend::{Detail, Status, Summary};
use crate::tui::services::{AwsTarget, KeysEvent, ServiceError};
use crate::tui::slot::Gen;

/// The account and region the screens talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub target: AwsTarget,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RecsEffect {
    /// ListRecommendations, page by page: every page is reported as it arrives.
    List {
        generation: Gen,
        place: Place,
    },
    Get {
        generation: Gen,
        place: Place,
        id: String,
    },
    /// Re-read the recommendations not finished yet (the list's auto-refresh).
    Refresh {
        generation: Gen,
        place: Place,
        ids: Vec<String>,
    },
    /// One DeleteRecommendation per id, in order, each reported.
    Delete {
        generation: Gen,
        place: Place,
        ids: Vec<String>,
    },
    Activity {
        generation: Gen,
        place: Place,
    },
    /// The KMS keys of the region for the start form's picker, page by page.
    Keys {
        generation: Gen,
        place: Place,
    },
    /// The chosen key's policy, checked for the caller (seed 000's three statements).
    CheckKeyPolicy {
        generation: Gen,
        place: Place,
        key_arn: String,
    },
    /// StartRecommendation; the input is read from `input_file` first when set.
    Start {
        generation: Gen,
        place: Place,
        request: Box<crate::recommend::StartRequest>,
        input_file: Option<std::path::PathBuf>,
    },
}

impl RecsEffect {
    pub fn generation(&self) -> Gen {
        match self {
            Self::List { generation, .. }
            | Self::Get { generation, .. }
            | Self::Refresh { generation, .. }
            | Self::Delete { generation, .. }
            | Self::Activity { generation, .. }
            | Self::Keys { generation, .. }
            | Self::CheckKeyPolicy { generation, .. }
            | Self::Start { generation, .. } => *generation,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::List { .. } => "list_recommendations",
            Self::Get { .. } => "get_recommendation",
            Self::Refresh { .. } => "refresh_recommendations",
            Self::Delete { .. } => "delete_recommendations",
            Self::Activity { .. } => "kms_activity",
            Self::Keys { .. } => "list_kms_keys_for_recommendation",
            Self::CheckKeyPolicy { .. } => "check_key_policy",
            Self::Start { .. } => "start_recommendation",
        }
    }
}

#[derive(Debug)]
pub struct RecsMsg {
    pub generation: Gen,
    pub outcome: RecsOutcome,
}

#[derive(Debug)]
pub enum RecsOutcome {
    Page(Vec<Summary>),
    ListDone,
    ListFailed(ServiceError),
    Detail(Result<Box<Detail>, ServiceError>),
    Refreshed(Vec<(String, Result<Detail, ServiceError>)>),
    Deleted {
        id: String,
        result: Result<Status, ServiceError>,
    },
    DeleteDone,
    Activity(Result<Vec<KmsEvent>, ServiceError>),
    Keys(KeysEvent),
    KeyPolicy(Result<crate::tui::services::PolicyCheck, ServiceError>),
    Started(Result<Summary, ServiceError>),
}
