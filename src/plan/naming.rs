//! AWS names for pack resources. The pack spec wants ids like `customer-support`; AgentCore
//! runtimes, memories, evaluators and policy engines want `^[a-zA-Z][a-zA-Z0-9_]{0,47}$`; gateways
//! and gateway targets want the opposite (`^([0-9a-zA-Z][-]?){1,48}$`, no underscores). One function
//! per rule, used by both plan and apply, so the two can never disagree.

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::{Diagnostic, category};

pub const AWS_NAME_PATTERN: &str = "^[a-zA-Z][a-zA-Z0-9_]{0,47}$";
pub const GATEWAY_NAME_PATTERN: &str = "^([0-9a-zA-Z][-]?){1,48}$";
pub const GATEWAY_TARGET_NAME_PATTERN: &str = "^([0-9a-zA-Z][-]?){1,100}$";
pub const AWS_NAME_MAX: usize = 48;
pub const GATEWAY_NAME_MAX: usize = 48;
pub const GATEWAY_TARGET_NAME_MAX: usize = 100;

static AWS_NAME_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(AWS_NAME_PATTERN).unwrap());

pub fn is_valid_aws_name(name: &str) -> bool {
    AWS_NAME_RE.is_match(name)
}

/// `raw` with hyphens turned into underscores, plus `suffix`, checked against the AWS pattern.
/// Anything else that is wrong is not guessed at: the error names the pack field to change.
pub fn aws_name(raw: &str, suffix: &str, pack_field: &str) -> Result<String, Diagnostic> {
    let name = format!("{}{suffix}", raw.replace('-', "_"));
    if is_valid_aws_name(&name) {
        return Ok(name);
    }
    let reason = if raw.is_empty() {
        "it is empty".to_string()
    } else if !raw.starts_with(|c: char| c.is_ascii_alphabetic()) {
        format!(
            "it starts with {:?}, and AWS names must start with a letter",
            raw.chars().next().unwrap_or(' ')
        )
    } else if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        format!("it contains {bad:?}; only letters, digits, '_' and '-' can be used")
    } else {
        format!(
            "{name:?} is {} characters, more than the {AWS_NAME_MAX} AWS allows",
            name.chars().count()
        )
    };
    let room = AWS_NAME_MAX.saturating_sub(suffix.len());
    Err(Diagnostic::error(
        format!("pack.{pack_field}"),
        category::NAMING,
        format!(
            "pack field {pack_field} = {raw:?} cannot be made a valid AWS resource name ({name:?} must match {AWS_NAME_PATTERN}): {reason}"
        ),
    )
    .with_hint(format!(
        "rename it in the pack: start with a letter, use letters, digits, '_' or '-', at most {room} characters"
    )))
}

/// Gateway-safe form: every run of characters outside `[0-9a-zA-Z]` becomes one hyphen, and
/// hyphens at either end are dropped.
fn gateway_ident(raw: &str, limit: usize) -> String {
    let mut out = String::new();
    let mut pending_hyphen = false;
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_hyphen && !out.is_empty() {
                out.push('-');
            }
            pending_hyphen = false;
            out.push(c);
        } else {
            pending_hyphen = true;
        }
    }
    if out.len() > limit {
        out.truncate(limit);
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

/// Target name for a pack tool key: `get_weather` → `get-weather`. AWS rejects `_` here.
pub fn gateway_target_name(tool_key: &str) -> String {
    gateway_ident(tool_key, GATEWAY_TARGET_NAME_MAX)
}

pub fn is_valid_gateway_target_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= GATEWAY_TARGET_NAME_MAX
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.contains("--")
}

/// The one MCP gateway that carries every tool target of the pack: `<pack-id>-gw`.
/// (The adapter names it after the first sorted tool, so adding a tool renamed the gateway.)
pub fn gateway_name(pack_id: &str) -> Option<String> {
    let stem = gateway_ident(pack_id, GATEWAY_NAME_MAX - 3);
    (!stem.is_empty()).then(|| format!("{stem}-gw"))
}

pub const ONLINE_EVAL_SUFFIX: &str = "_online_eval";
/// `_` and eight hex digits: what a shortened online evaluation name carries of the full one.
const DIGEST_LEN: usize = 9;

/// The online evaluation configuration of one runtime: `<runtime>_online_eval`.
///
/// AWS takes one service name per configuration, so there is one per runtime, named after it:
/// runtime names are already unique in the account, and a single-agent pack (whose runtime is
/// named after the pack) keeps the name it always had. A runtime name too long for the suffix
/// (`^[a-zA-Z][a-zA-Z0-9_]{0,47}$` leaves 36 characters) is cut and given a digest of the whole
/// name, so two long runtimes sharing a prefix still get distinct names, the same on every plan.
pub fn online_eval_name(runtime_name: &str) -> String {
    let full = format!("{runtime_name}{ONLINE_EVAL_SUFFIX}");
    if full.len() <= AWS_NAME_MAX {
        return full;
    }
    let keep = AWS_NAME_MAX - ONLINE_EVAL_SUFFIX.len() - DIGEST_LEN;
    let stem: String = runtime_name.chars().take(keep).collect();
    format!(
        "{stem}_{:08x}{ONLINE_EVAL_SUFFIX}",
        fnv1a32(runtime_name.as_bytes())
    )
}

/// The one configuration older versions made for the whole pack, whatever its runtimes:
/// `<pack id>_online_eval`. Apply deletes it once the per-runtime ones exist.
pub fn legacy_online_eval_name(pack_id: &str) -> String {
    format!("{}{ONLINE_EVAL_SUFFIX}", pack_id.replace('-', "_"))
}

/// FNV-1a: stable across Rust versions and platforms, unlike `DefaultHasher`; a name derived
/// from it must not change between two plans.
fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h: u32, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_runtime_keeps_the_plain_name() {
        assert_eq!(online_eval_name("triage"), "triage_online_eval");
        // A single-agent pack's runtime is the pack id: the name older versions gave it.
        assert_eq!(
            online_eval_name("customer_support"),
            legacy_online_eval_name("customer-support")
        );
    }

    #[test]
    fn long_runtimes_get_valid_distinct_stable_names() {
        let a = "a".repeat(40);
        let b = format!("{}b", "a".repeat(47));
        let at_limit = "r".repeat(AWS_NAME_MAX - ONLINE_EVAL_SUFFIX.len());
        assert_eq!(
            online_eval_name(&at_limit),
            format!("{at_limit}_online_eval")
        );
        let (na, nb) = (online_eval_name(&a), online_eval_name(&b));
        for n in [&na, &nb] {
            assert!(is_valid_aws_name(n), "{n}");
            assert_eq!(n.len(), AWS_NAME_MAX);
            assert!(n.ends_with(ONLINE_EVAL_SUFFIX) && n.starts_with("aaaa"));
        }
        assert_ne!(na, nb, "same prefix, different runtimes");
        assert_eq!(na, online_eval_name(&a), "stable");
        // Pinned: a different digest would rename (delete and recreate) deployed configs.
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
    }
}
