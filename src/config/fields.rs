//! Per-field checks, usable live while a user types. Each returns every diagnostic for that one
//! field (errors first, with the adapter's wording, then warnings).

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::{Diagnostic, category};

static REGION_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z]{2}-[a-z]+-\d+$").unwrap());
// IAM's rules: `role` then a path (`/` or `/…/`, printable ASCII) then a name of
// `[\w+=,.@-]` (ASCII word characters), at most 64 characters; the path at most 512.
static ROLE_ARN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^arn:aws(?:-[a-z-]+)?:iam::\d{12}:role(/(?:[\x21-\x7e]*/)?)([A-Za-z0-9_+=,.@-]+)$")
        .unwrap()
});
/// RoleArn's `max` in the AgentCore control model.
const ROLE_ARN_MAX: usize = 2048;
const ROLE_NAME_MAX: usize = 64;
const ROLE_PATH_MAX: usize = 512;
static ARN_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^arn:aws:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$").unwrap());
static KMS_KEY_ARN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^arn:aws[a-z-]*:kms:([a-z]{2}-[a-z]+-\d+):(\d{12}):(key|alias)/.+$").unwrap()
});
// AWS tag character set: letters, digits, whitespace and `_ . : / = + - @`.
static TAG_CHARS_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$").unwrap());

static ECR_URI_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{12})\.dkr\.ecr\.([a-z]{2}-[a-z]+-\d+)\.amazonaws\.com/([a-z0-9][a-z0-9._/-]*)(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})?$").unwrap()
});

pub const PLACEHOLDER_ACCOUNT: &str = "123456789012";
pub const OIDC_DISCOVERY_SUFFIX: &str = "/.well-known/openid-configuration";

/// Regions where Bedrock AgentCore is generally available. The adapter only knows the first
/// three (us-east-1, us-west-2, eu-west-1) and so warns wrongly about the others.
pub const AGENTCORE_REGIONS: [&str; 9] = [
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-central-1",
    "eu-west-1",
    "us-east-1",
    "us-east-2",
    "us-west-2",
];

pub const TAG_MAX_COUNT: usize = 50;
pub const TAG_KEY_MAX: usize = 128;
pub const TAG_VALUE_MAX: usize = 256;

pub fn region(value: &str) -> Vec<Diagnostic> {
    if value.is_empty() {
        return vec![
            Diagnostic::error("region", category::CONFIGURATION, "region is required")
                .with_hint("set region to an AgentCore region such as us-west-2"),
        ];
    }
    if !REGION_RE.is_match(value) {
        return vec![
            Diagnostic::error(
                "region",
                category::CONFIGURATION,
                format!("region {value:?} does not match expected format (e.g. us-west-2)"),
            )
            .with_hint("use a region code such as us-east-1, not a display name or an AZ"),
        ];
    }
    if !AGENTCORE_REGIONS.contains(&value) {
        return vec![
            Diagnostic::warning(
                "region",
                category::CONFIGURATION,
                format!("region {value:?} may not support Bedrock AgentCore"),
            )
            .with_hint(format!(
                "supported regions: {}",
                AGENTCORE_REGIONS.join(", ")
            )),
        ];
    }
    vec![]
}

/// What IAM would reject in a role ARN, if anything.
fn role_arn_problem(value: &str) -> Option<String> {
    let len = value.chars().count();
    if len > ROLE_ARN_MAX {
        return Some(format!("{len} characters, at most {ROLE_ARN_MAX} allowed"));
    }
    if value.chars().any(char::is_control) {
        return Some("it holds control characters".into());
    }
    let Some(c) = ROLE_ARN_RE.captures(value) else {
        return Some("not of the form arn:aws:iam::<account>:role/<path/><name>".into());
    };
    let (path, name) = (&c[1], &c[2]);
    if name.len() > ROLE_NAME_MAX {
        return Some(format!(
            "the role name is {} characters, at most {ROLE_NAME_MAX} allowed",
            name.len()
        ));
    }
    if path.len() > ROLE_PATH_MAX {
        return Some(format!(
            "the path is {} characters, at most {ROLE_PATH_MAX} allowed",
            path.len()
        ));
    }
    None
}

pub fn runtime_role_arn(value: &str, caller_account: Option<&str>) -> Vec<Diagnostic> {
    const F: &str = "runtime_role_arn";
    if value.is_empty() {
        return vec![
            Diagnostic::error(F, category::CONFIGURATION, "runtime_role_arn is required")
                .with_hint("set it to an IAM role ARN: arn:aws:iam::<account>:role/<name>"),
        ];
    }
    let mut out = Vec::new();
    if let Some(problem) = role_arn_problem(value) {
        out.push(
            Diagnostic::error(
                F,
                category::CONFIGURATION,
                format!("runtime_role_arn {value:?} is not a valid IAM role ARN: {problem}"),
            )
            .with_hint("expected arn:aws:iam::<12-digit account>:role/<name>, the name at most 64 letters, digits or +=,.@_-"),
        );
    }
    let account = crate::arn::account_id(value);
    if account == Some(PLACEHOLDER_ACCOUNT) {
        out.push(
            Diagnostic::warning(
                F,
                category::CONFIGURATION,
                "runtime_role_arn uses the placeholder account ID 123456789012",
            )
            .with_hint(
                "replace with your real AWS account ID (aws sts get-caller-identity shows it)",
            ),
        );
    }
    if value.contains(":user/") {
        out.push(
            Diagnostic::warning(
                F,
                category::PERMISSION,
                "runtime_role_arn appears to be an IAM user, not a role",
            )
            .with_hint("use an IAM role ARN (arn:aws:iam::<account>:role/<name>)"),
        );
    }
    if value.contains(":root") {
        out.push(
            Diagnostic::warning(
                F,
                category::PERMISSION,
                "runtime_role_arn references the root account",
            )
            .with_hint("create a dedicated IAM role with least-privilege permissions"),
        );
    }
    if let (Some(role_acct), Some(caller)) = (account, caller_account)
        && role_acct != caller
        && role_acct != PLACEHOLDER_ACCOUNT
    {
        out.push(
            Diagnostic::warning(
                F,
                category::PERMISSION,
                format!(
                    "runtime_role_arn is in account {role_acct} but you are signed in to account {caller}"
                ),
            )
            .with_hint(format!(
                "use a role from account {caller}, or switch to a profile for account {role_acct}; \
                 a cross-account role needs a trust policy that lets bedrock-agentcore.amazonaws.com assume it"
            )),
        );
    }
    out
}

pub fn protocol(value: &str) -> Vec<Diagnostic> {
    if value.is_empty() || matches!(value, "http" | "a2a" | "both") {
        return vec![];
    }
    vec![
        Diagnostic::error(
            "protocol",
            category::CONFIGURATION,
            format!(r#"protocol {value:?} must be "http", "a2a", or "both""#),
        )
        .with_hint("use http for a single agent, a2a or both for agents that call each other"),
    ]
}

pub fn otlp_endpoint(value: &str) -> Vec<Diagnostic> {
    if value.is_empty() || value.starts_with("http://") || value.starts_with("https://") {
        return vec![];
    }
    vec![
        Diagnostic::error(
            "observability.otlp_endpoint",
            category::CONFIGURATION,
            format!(
                "observability.otlp_endpoint {value:?} must be a full URL including scheme (for example http://collector:4318), not host:port"
            ),
        )
        .with_hint(format!("write it as http://{value}")),
    ]
}

pub fn memory_strategy(index: usize, value: &str) -> Vec<Diagnostic> {
    let canonical = super::model::MemoryStore::resolve_alias(value);
    if super::model::MEMORY_STRATEGIES.contains(&canonical) {
        return vec![];
    }
    vec![
        Diagnostic::error(
            format!("memory_store.strategies[{index}]"),
            category::CONFIGURATION,
            format!("memory_store: invalid strategy {value:?}"),
        )
        .with_hint(
            "valid strategies: episodic, semantic, summary, user_preference (aliases: session, persistent)",
        ),
    ]
}

/// The range is CreateMemory's `eventExpiryDuration` in AWS's model (the adapter's 3–365 is
/// stricter than AWS).
pub fn event_expiry_days(value: i64) -> Vec<Diagnostic> {
    let shape = aws_models::model(aws_models::Service::Control)
        .member_shape("CreateMemory", "eventExpiryDuration");
    let min = shape.and_then(|s| s.min).unwrap_or(3.0) as i64;
    let max = shape.and_then(|s| s.max).unwrap_or(365.0) as i64;
    if value == 0 || (min..=max).contains(&value) {
        return vec![];
    }
    vec![
        Diagnostic::error(
            "memory_store.event_expiry_days",
            category::CONFIGURATION,
            format!("memory_store: event_expiry_days {value} must be between {min} and {max}"),
        )
        .with_hint("leave it out for the default of 30 days"),
    ]
}

/// `memory_store.encryption_key_arn`: the adapter's generic ARN check, then ours: it must be a KMS
/// key in the deployment region.
pub fn encryption_key_arn(value: &str, region: &str) -> Vec<Diagnostic> {
    const F: &str = "memory_store.encryption_key_arn";
    if value.is_empty() {
        return vec![];
    }
    if !ARN_RE.is_match(value) {
        return vec![
            Diagnostic::error(
                F,
                category::CONFIGURATION,
                format!("memory_store: encryption_key_arn {value:?} is not a valid ARN"),
            )
            .with_hint("use a KMS key ARN: arn:aws:kms:<region>:<account>:key/<key-id>"),
        ];
    }
    let mut out = Vec::new();
    match KMS_KEY_ARN_RE.captures(value) {
        None => out.push(
            Diagnostic::warning(
                F,
                category::CONFIGURATION,
                format!("memory_store: encryption_key_arn {value:?} is not a KMS key ARN"),
            )
            .with_hint("memory encryption needs a symmetric KMS key: arn:aws:kms:<region>:<account>:key/<key-id>"),
        ),
        Some(c) => {
            let key_region = c.get(1).map_or("", |m| m.as_str());
            if !region.is_empty() && key_region != region {
                out.push(
                    Diagnostic::warning(
                        F,
                        category::CONFIGURATION,
                        format!(
                            "memory_store: encryption key is in {key_region} but the deployment is in {region}"
                        ),
                    )
                    .with_hint(format!(
                        "KMS keys are regional: create or pick a key in {region}"
                    )),
                );
            }
            if c.get(3).is_some_and(|m| m.as_str() == "alias") {
                out.push(
                    Diagnostic::warning(
                        F,
                        category::CONFIGURATION,
                        "memory_store: encryption_key_arn is an alias ARN",
                    )
                    .with_hint("use the key ARN (…:key/<key-id>); an alias can be repointed to another key later"),
                );
            }
        }
    }
    out
}

pub fn a2a_mode(mode: &str, discovery_url_set: bool) -> Vec<Diagnostic> {
    match mode {
        "iam" => vec![],
        "jwt" if discovery_url_set => vec![],
        "jwt" => vec![
            Diagnostic::error(
                "a2a_auth.discovery_url",
                category::CONFIGURATION,
                r#"a2a_auth.discovery_url is required when mode is "jwt""#,
            )
            .with_hint("set the OIDC discovery URL of your identity provider, e.g. https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/openid-configuration"),
        ],
        "" => vec![
            Diagnostic::error(
                "a2a_auth.mode",
                category::CONFIGURATION,
                r#"a2a_auth.mode is required ("iam" or "jwt")"#,
            )
            .with_hint("iam is the simplest: runtimes sign calls to each other with the runtime role"),
        ],
        other => vec![
            Diagnostic::error(
                "a2a_auth.mode",
                category::CONFIGURATION,
                format!(r#"a2a_auth.mode {other:?} must be "iam" or "jwt""#),
            )
            .with_hint("use iam (SigV4 with the runtime role) or jwt (an OIDC identity provider)"),
        ],
    }
}

pub fn discovery_url(value: &str) -> Vec<Diagnostic> {
    const F: &str = "a2a_auth.discovery_url";
    if value.is_empty() {
        return vec![];
    }
    let mut out = Vec::new();
    if !value.starts_with("https://") {
        out.push(
            Diagnostic::warning(
                F,
                category::SECURITY,
                format!("a2a_auth.discovery_url {value:?} does not use https"),
            )
            .with_hint("the signing keys are fetched from this URL; use the https:// URL of your identity provider"),
        );
    }
    if !value.trim_end_matches('/').ends_with(OIDC_DISCOVERY_SUFFIX) {
        out.push(
            Diagnostic::warning(
                F,
                category::CONFIGURATION,
                format!("a2a_auth.discovery_url {value:?} is not an OIDC discovery document URL"),
            )
            .with_hint(format!(
                "it must end in {OIDC_DISCOVERY_SUFFIX}, e.g. https://cognito-idp.<region>.amazonaws.com/<pool-id>{OIDC_DISCOVERY_SUFFIX}"
            )),
        );
    }
    out
}

/// Key checks: the adapter's length rules (errors), the AWS character set (error) and the
/// reserved `aws:` prefix (warning: AWS refuses it on create).
pub fn tag_key(key: &str) -> Vec<Diagnostic> {
    let field = format!("tags.{key}");
    let mut out = Vec::new();
    if key.is_empty() {
        out.push(
            Diagnostic::error(
                field.clone(),
                category::CONFIGURATION,
                "tags: key must not be empty",
            )
            .with_hint("give the tag a key, or remove it"),
        );
        return out;
    }
    let len = key.chars().count();
    if len > TAG_KEY_MAX {
        out.push(
            Diagnostic::error(
                field.clone(),
                category::CONFIGURATION,
                format!("tags: key {key:?} exceeds max length {TAG_KEY_MAX}"),
            )
            .with_hint(format!(
                "shorten the key to at most {TAG_KEY_MAX} characters (it has {len})"
            )),
        );
    }
    if !TAG_CHARS_RE.is_match(key) {
        out.push(
            Diagnostic::error(
                field.clone(),
                category::CONFIGURATION,
                format!("tags: key {key:?} contains characters AWS does not allow in tags"),
            )
            .with_hint("use letters, digits, spaces and _ . : / = + - @ only"),
        );
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        out.push(
            Diagnostic::warning(
                field,
                category::CONFIGURATION,
                format!("tags: key {key:?} uses the reserved aws: prefix"),
            )
            .with_hint(
                "AWS rejects user tags starting with aws:; rename the key, e.g. without the prefix",
            ),
        );
    }
    out
}

pub fn tag_value(key: &str, value: &str) -> Vec<Diagnostic> {
    let field = format!("tags.{key}");
    let mut out = Vec::new();
    let len = value.chars().count();
    if len > TAG_VALUE_MAX {
        out.push(
            Diagnostic::error(
                field.clone(),
                category::CONFIGURATION,
                format!("tags: value for key {key:?} exceeds max length {TAG_VALUE_MAX}"),
            )
            .with_hint(format!(
                "shorten the value to at most {TAG_VALUE_MAX} characters (it has {len})"
            )),
        );
    }
    if !TAG_CHARS_RE.is_match(value) {
        out.push(
            Diagnostic::error(
                field,
                category::CONFIGURATION,
                format!(
                    "tags: value for key {key:?} contains characters AWS does not allow in tags"
                ),
            )
            .with_hint("use letters, digits, spaces and _ . : / = + - @ only"),
        );
    }
    out
}

pub fn runtime_binary_path(
    value: Option<&str>,
    container_image: bool,
    check_file: bool,
) -> Vec<Diagnostic> {
    const F: &str = "runtime_binary_path";
    match value {
        None | Some("") if container_image => vec![],
        None | Some("") => vec![
            Diagnostic::error(
                F,
                category::CONFIGURATION,
                "runtime_binary_path is required (path to pre-compiled Go runtime binary)",
            )
            .with_hint("point it at the PromptKit AgentCore runtime binary (linux/arm64) from the promptarena-deploy-agentcore release"),
        ],
        Some(p) if check_file => match unreadable(std::path::Path::new(p)) {
            Some(why) => vec![
                Diagnostic::error(
                    F,
                    category::CONFIGURATION,
                    format!("runtime_binary_path {p:?} {why}"),
                )
                .with_hint("point it at the PromptKit runtime binary and check it can be read (in a deploy config file, a relative path is read from that file's folder)"),
            ],
            None => vec![],
        },
        Some(_) => vec![],
    }
}

/// Why the runtime binary cannot be packaged, if it cannot: apply would otherwise create every
/// resource before the runtimes and fail there.
fn unreadable(p: &std::path::Path) -> Option<String> {
    match std::fs::metadata(p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Some("does not exist on this machine".into())
        }
        Err(e) => Some(format!("cannot be read: {e}")),
        Ok(m) if !m.is_file() => Some("is not a file".into()),
        Ok(_) => std::fs::File::open(p)
            .err()
            .map(|e| format!("cannot be read: {e}")),
    }
}

/// Container image for the runtime (our extension to the adapter's config). AgentCore pulls only
/// from ECR, in the runtime's region.
pub fn container_image_uri(value: &str, region: &str) -> Vec<Diagnostic> {
    const F: &str = "container_image_uri";
    if value.is_empty() {
        return vec![];
    }
    let Some(c) = ECR_URI_RE.captures(value) else {
        return vec![
            Diagnostic::error(
                F,
                category::CONFIGURATION,
                format!("container image {value:?} is not an ECR image URI"),
            )
            .with_hint("AgentCore runs images from Amazon ECR: <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>"),
        ];
    };
    let mut out = Vec::new();
    let image_region = c.get(2).map_or("", |m| m.as_str());
    if !region.is_empty() && image_region != region {
        out.push(
            Diagnostic::warning(
                F,
                category::CONFIGURATION,
                format!("container image is in {image_region} but the runtime is in {region}"),
            )
            .with_hint(format!("push the image to an ECR repository in {region}")),
        );
    }
    match c.get(4).map(|m| m.as_str()) {
        None | Some(":latest") => out.push(
            Diagnostic::warning(
                F,
                category::CONFIGURATION,
                "container image has no fixed tag (latest)",
            )
            .with_hint(
                "pin a version tag or an @sha256 digest so a redeploy runs the image you tested",
            ),
        ),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role_errors(v: &str) -> Vec<String> {
        runtime_role_arn(v, None)
            .into_iter()
            .filter(Diagnostic::is_error)
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn role_arns_are_held_to_iams_rules() {
        assert!(role_errors("arn:aws:iam::111122223333:role/AgentCoreRuntime").is_empty());
        assert!(
            role_errors("arn:aws:iam::111122223333:role/service-role/app/R+=,.@_-1").is_empty()
        );
        assert!(role_errors("arn:aws-us-gov:iam::111122223333:role/R").is_empty());
        let long_name = format!("arn:aws:iam::111122223333:role/{}", "n".repeat(65));
        assert!(
            role_errors(&long_name)[0]
                .ends_with("the role name is 65 characters, at most 64 allowed")
        );
        let esc = "arn:aws:iam::111122223333:role/a\u{1b}[2Jb";
        let e = role_errors(esc);
        assert!(e[0].contains("control characters"), "{e:?}");
        assert!(!e[0].contains('\u{1b}'), "{e:?}");
        assert!(
            role_errors("arn:aws:iam::111122223333:role/has space")[0].contains("not of the form")
        );
        let huge = format!("arn:aws:iam::111122223333:role/{}", "r".repeat(1 << 20));
        let e = role_errors(&huge);
        assert!(e[0].contains("1048607 characters, at most 2048"), "{e:?}");
        assert!(e[0].len() < 300, "the value is echoed cut: {}", e[0].len());
    }
}
