use super::fields::{self, TAG_MAX_COUNT};
use crate::diagnostic::{Diagnostic, category};

pub const TAG_PACK_ID: &str = "promptpack:pack-id";
pub const TAG_VERSION: &str = "promptpack:version";
pub const TAG_AGENT: &str = "promptpack:agent";

pub use crate::plan::Tags;

/// Default tags (pack id and version, and the agent for a runtime of a multi-agent pack) merged
/// with the user's tags; user tags win on the same key (seed 004). Tags keep the real pack id,
/// hyphens included, even where the AWS resource name had to change.
pub fn effective_tags(pack_id: &str, version: &str, agent: Option<&str>, user: &Tags) -> Tags {
    let mut tags = Tags::new();
    tags.insert(TAG_PACK_ID.into(), pack_id.into());
    tags.insert(TAG_VERSION.into(), version.into());
    if let Some(a) = agent.filter(|a| !a.is_empty()) {
        tags.insert(TAG_AGENT.into(), a.into());
    }
    for (k, v) in user {
        tags.insert(k.clone(), v.clone());
    }
    tags
}

/// The adapter's checks of the user's tags, in its order (count, then per key), plus the AWS
/// character set and the reserved prefix.
pub fn user_tag_diagnostics(user: &Tags) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if user.len() > TAG_MAX_COUNT {
        out.push(
            Diagnostic::error(
                "tags",
                category::CONFIGURATION,
                format!(
                    "tags: at most {TAG_MAX_COUNT} tags allowed, got {}",
                    user.len()
                ),
            )
            .with_hint(format!("remove {} tag(s)", user.len() - TAG_MAX_COUNT)),
        );
    }
    for (k, v) in user {
        out.extend(fields::tag_key(k));
        out.extend(fields::tag_value(k, v));
    }
    out
}

/// AWS refuses more than 50 tags on a resource: the adapter checks only the user's tags, so a
/// config with 48–50 user tags passes validation and fails at create once the defaults are added.
pub fn effective_count_diagnostic(user: &Tags, multi_agent: bool) -> Option<Diagnostic> {
    if user.len() > TAG_MAX_COUNT {
        return None; // already an error
    }
    let mut defaults = vec![TAG_PACK_ID, TAG_VERSION];
    if multi_agent {
        defaults.push(TAG_AGENT);
    }
    let added = defaults.iter().filter(|k| !user.contains_key(**k)).count();
    let total = user.len() + added;
    (total > TAG_MAX_COUNT).then(|| {
        Diagnostic::warning(
            "tags",
            category::CONFIGURATION,
            format!(
                "tags: {} user tags plus {added} default promptpack:* tags make {total}, more than the {TAG_MAX_COUNT} AWS allows on a resource",
                user.len()
            ),
        )
        .with_hint(format!("remove {} user tag(s)", total - TAG_MAX_COUNT))
    })
}
