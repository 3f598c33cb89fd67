//! Recommendations as the app shows them: summaries for lists, details with config and result.
//! Free of SDK types so the TUI can hold and render them.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::request::ToolText;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub enum Status {
    Pending,
    InProgress,
    Completed,
    Failed,
    Deleting,
    Other(String),
}

impl Status {
    pub const ALL: [&'static str; 5] =
        ["PENDING", "IN_PROGRESS", "COMPLETED", "FAILED", "DELETING"];

    pub fn parse(s: &str) -> Status {
        match s {
            "PENDING" => Status::Pending,
            "IN_PROGRESS" => Status::InProgress,
            "COMPLETED" => Status::Completed,
            "FAILED" => Status::Failed,
            "DELETING" => Status::Deleting,
            other => Status::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Status::Pending => "PENDING",
            Status::InProgress => "IN_PROGRESS",
            Status::Completed => "COMPLETED",
            Status::Failed => "FAILED",
            Status::Deleting => "DELETING",
            Status::Other(s) => s,
        }
    }

    /// No further change is coming (a UI stops refreshing it).
    pub fn is_final(&self) -> bool {
        matches!(self, Status::Completed | Status::Failed)
    }
}

impl From<Status> for String {
    fn from(s: Status) -> String {
        s.as_str().to_owned()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub id: String,
    pub arn: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub rec_type: String,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TracesView {
    /// `cloudwatchLogs`, `sessionSpans`, `batchEvaluation` or `onlineEvaluation`.
    pub source: String,
    pub log_group_arns: Vec<String>,
    pub service_names: Vec<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConfigView {
    SystemPrompt {
        /// The prompt text, or `None` when it comes from a configuration bundle.
        text: Option<String>,
        bundle_arn: Option<String>,
        traces: Option<TracesView>,
        evaluators: Vec<String>,
    },
    ToolDescription {
        tools: Vec<ToolText>,
        bundle_arn: Option<String>,
        traces: Option<TracesView>,
    },
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolResult {
    pub name: String,
    pub recommended: Option<String>,
    pub explanation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResultView {
    SystemPrompt {
        recommended: Option<String>,
        explanation: Option<String>,
        error_code: Option<String>,
        error_message: Option<String>,
    },
    ToolDescription {
        tools: Vec<ToolResult>,
        error_code: Option<String>,
        error_message: Option<String>,
    },
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detail {
    #[serde(flatten)]
    pub summary: Summary,
    /// `None`: encrypted with the AWS owned key.
    pub kms_key_arn: Option<String>,
    pub config: ConfigView,
    pub result: Option<ResultView>,
}
