//! The profiles of the AWS config and credentials files (`AWS_CONFIG_FILE`,
//! `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`): their names,
//! how each gets credentials, and its region. Read here so an unknown profile and an expired
//! session get a message that fits.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// How a profile gets its credentials, by the keys it sets (the SDK's own order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// `sso_session` or `sso_start_url`: IAM Identity Center.
    Sso,
    /// `role_arn` with a `source_profile` or `credential_source`.
    Role,
    /// `web_identity_token_file`.
    WebIdentity,
    /// `credential_process`.
    Process,
    /// `aws_access_key_id` / `aws_secret_access_key`.
    StaticKeys,
    /// Only settings such as the region: the credentials come from elsewhere.
    Other,
}

impl fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CredentialKind::Sso => "SSO",
            CredentialKind::Role => "role",
            CredentialKind::WebIdentity => "web identity",
            CredentialKind::Process => "credential_process",
            CredentialKind::StaticKeys => "access keys",
            CredentialKind::Other => "settings only",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub name: String,
    pub kind: CredentialKind,
    pub region: Option<String>,
}

/// Where the two files are, as the SDK and the AWS CLI look for them.
pub fn files() -> (Option<PathBuf>, Option<PathBuf>) {
    let home = directories::BaseDirs::new().map(|b| b.home_dir().join(".aws"));
    let file = |env: &str, name: &str| {
        std::env::var_os(env)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(name)))
    };
    (
        file("AWS_CONFIG_FILE", "config"),
        file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    )
}

/// Every profile of both files, sorted by name. Unreadable or absent files hold none.
pub fn load() -> Vec<Profile> {
    let (config, credentials) = files();
    let read = |p: Option<PathBuf>| p.and_then(|p| std::fs::read_to_string(p).ok());
    parse(
        read(config).as_deref().unwrap_or(""),
        read(credentials).as_deref().unwrap_or(""),
    )
}

pub fn find(name: &str) -> Option<Profile> {
    load().into_iter().find(|p| p.name == name)
}

/// The profiles of a config file's text and a credentials file's text. In the config file a
/// profile is `[profile NAME]` (or `[default]`); in the credentials file it is `[NAME]`.
/// `[sso-session …]` and `[services …]` sections are not profiles.
pub fn parse(config: &str, credentials: &str) -> Vec<Profile> {
    let mut settings: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (section, keys) in sections(config) {
        let name = if section == "default" {
            Some("default")
        } else {
            section.strip_prefix("profile ").map(str::trim)
        };
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            settings.entry(name.to_owned()).or_default().extend(keys);
        }
    }
    for (section, keys) in sections(credentials) {
        if !section.is_empty() {
            settings.entry(section.to_owned()).or_default().extend(keys);
        }
    }
    settings
        .into_iter()
        .map(|(name, keys)| {
            let has = |k: &str| keys.get(k).is_some_and(|v| !v.is_empty());
            let kind = if has("sso_session") || has("sso_start_url") {
                CredentialKind::Sso
            } else if has("role_arn") && has("web_identity_token_file") {
                CredentialKind::WebIdentity
            } else if has("role_arn") {
                CredentialKind::Role
            } else if has("credential_process") {
                CredentialKind::Process
            } else if has("aws_access_key_id") {
                CredentialKind::StaticKeys
            } else {
                CredentialKind::Other
            };
            Profile {
                region: keys.get("region").filter(|r| !r.is_empty()).cloned(),
                name,
                kind,
            }
        })
        .collect()
}

/// `[section]` headers with their `key = value` lines (lower-cased keys, comments skipped).
fn sections(text: &str) -> Vec<(&str, BTreeMap<String, String>)> {
    let mut out: Vec<(&str, BTreeMap<String, String>)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push((header.trim(), BTreeMap::new()));
        } else if let (Some((_, keys)), Some((k, v))) = (out.last_mut(), line.split_once('=')) {
            keys.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    out
}

/// The message for a profile that neither file has, listing those that exist.
pub fn not_found(name: &str) -> super::Error {
    let names: Vec<String> = load().into_iter().map(|p| p.name).collect();
    let (config, credentials) = files();
    let shown = |p: Option<PathBuf>, fallback: &str| {
        p.map_or(fallback.to_owned(), |p| p.display().to_string())
    };
    let message = format!(
        "profile {} not found in {} or {}",
        crate::sanitize::quote(name),
        shown(config, "~/.aws/config"),
        shown(credentials, "~/.aws/credentials"),
    );
    let hint = if names.is_empty() {
        "no profile exists yet: run `aws configure sso` or `aws configure --profile NAME`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".to_owned()
    } else {
        format!(
            "use one of the profiles that exist: {} (or `aws configure sso --profile {name}` to create it)",
            names.join(", ")
        )
    };
    super::Error::new(super::Category::Configuration, "LoadConfig", message).with_hint(hint)
}

/// What to do when the credentials of `profile` (or of the environment) are expired or
/// refused, by how they are obtained.
pub fn refresh_fix(profile: Option<&str>) -> String {
    let Some(name) = profile else {
        return if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
            "the keys in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are expired or revoked: export fresh ones (and AWS_SESSION_TOKEN for temporary keys), or pass --profile NAME".to_owned()
        } else {
            "pass --profile NAME (or set AWS_PROFILE) and sign in with `aws sso login --profile NAME`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".to_owned()
        };
    };
    match find(name).map(|p| p.kind) {
        Some(CredentialKind::Sso) => format!("run `aws sso login --profile {name}`"),
        Some(CredentialKind::StaticKeys) => format!(
            "the access keys of profile {name} are expired or revoked: rotate them (IAM console or `aws iam create-access-key`) and store them with `aws configure --profile {name}`"
        ),
        Some(CredentialKind::Role | CredentialKind::WebIdentity) => format!(
            "profile {name} assumes a role: check its source_profile (or credential_source / web_identity_token_file) has valid credentials, and that the role still trusts it"
        ),
        Some(CredentialKind::Process) => format!(
            "profile {name} runs a credential_process: run that command by hand to see why it gives no valid credentials"
        ),
        Some(CredentialKind::Other) => format!(
            "profile {name} has no credentials of its own: add them (`aws configure --profile {name}` or `aws configure sso --profile {name}`)"
        ),
        // Neither file has it (the SDK found it elsewhere): both usual fixes.
        None => format!(
            "run `aws sso login --profile {name}` (SSO) or refresh the keys of profile {name} in ~/.aws/credentials"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_and_region_is_read_from_either_file() {
        let config = "\
[default]
region = eu-west-1
[profile sso]
sso_session = corp
sso_account_id = 111122223333
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile role]
role_arn = arn:aws:iam::111122223333:role/Deployer
source_profile = keys
region = us-west-2
[profile process]
credential_process = /usr/local/bin/creds
[profile web]
role_arn = arn:aws:iam::111122223333:role/Ci
web_identity_token_file = /tmp/token
[ profile  spaced ]
# a comment
";
        let credentials = "[keys]\naws_access_key_id = AKIA\naws_secret_access_key = x\n";
        let got: Vec<(String, CredentialKind, Option<String>)> = parse(config, credentials)
            .into_iter()
            .map(|p| (p.name, p.kind, p.region))
            .collect();
        let expect = |n: &str, k, r: Option<&str>| (n.to_owned(), k, r.map(str::to_owned));
        assert_eq!(
            got,
            vec![
                expect("default", CredentialKind::Other, Some("eu-west-1")),
                expect("keys", CredentialKind::StaticKeys, None),
                expect("process", CredentialKind::Process, None),
                expect("role", CredentialKind::Role, Some("us-west-2")),
                expect("spaced", CredentialKind::Other, None),
                expect("sso", CredentialKind::Sso, None),
                expect("web", CredentialKind::WebIdentity, None),
            ]
        );
    }
}
