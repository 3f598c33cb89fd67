//! The account's IAM roles (with the paths that are part of their ARNs) and which role's session
//! makes the calls: the demo deployer, or an IAM Identity Center (SSO) permission set's role.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

pub const DEPLOYER_ROLE: &str = "AgentCoreDeployer";
pub const SESSION_NAME: &str = "agentcore-tui";
pub const SSO_ROLE: &str = "AWSReservedSSO_AdministratorAccess_0123456789abcdef";
/// IAM Identity Center creates its roles under this path, in the region the instance lives in.
pub const SSO_ROLE_PATH: &str = "/aws-reserved/sso.amazonaws.com/eu-west-1/";
pub const SSO_SESSION: &str = "alice@example.com";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    /// `/` or `/a/b/`: what sits between `role` and the name in the role's ARN.
    pub path: String,
    pub id: String,
    pub created: DateTime<Utc>,
}

impl Role {
    pub fn arn(&self, account: &str) -> String {
        format!("arn:aws:iam::{account}:role{}{}", self.path, self.name)
    }
}

/// Whose session signs the requests. Not persisted: it belongs to the run, not to the world.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Caller {
    #[default]
    Deployer,
    /// `assumed-role/AWSReservedSSO_AdministratorAccess_…/alice@example.com`, a role with a path.
    SsoAdministrator,
}

impl std::str::FromStr for Caller {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "deployer" => Ok(Caller::Deployer),
            "sso" => Ok(Caller::SsoAdministrator),
            other => Err(format!("unknown caller `{other}`: use `deployer` or `sso`")),
        }
    }
}

impl Caller {
    pub fn role(self) -> &'static str {
        match self {
            Caller::Deployer => DEPLOYER_ROLE,
            Caller::SsoAdministrator => SSO_ROLE,
        }
    }

    pub fn session(self) -> &'static str {
        match self {
            Caller::Deployer => SESSION_NAME,
            Caller::SsoAdministrator => SSO_SESSION,
        }
    }

    /// The role's unique id, which CloudTrail and GetCallerIdentity show as `principalId`.
    pub fn role_id(self) -> &'static str {
        match self {
            Caller::Deployer => "AROAEMULATORDEPLOYER",
            Caller::SsoAdministrator => "AROAEMULATORSSOADMIN",
        }
    }
}

/// Every world has both callers' roles, so either can be chosen at start.
pub fn builtin() -> BTreeMap<String, Role> {
    let created = Utc
        .with_ymd_and_hms(2025, 1, 6, 9, 0, 0)
        .single()
        .unwrap_or_default();
    [
        (Caller::Deployer, "/"),
        (Caller::SsoAdministrator, SSO_ROLE_PATH),
    ]
    .into_iter()
    .map(|(c, path)| {
        let role = Role {
            name: c.role().to_string(),
            path: path.to_string(),
            id: c.role_id().to_string(),
            created,
        };
        (role.name.clone(), role)
    })
    .collect()
}
