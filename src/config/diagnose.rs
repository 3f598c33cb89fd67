//! Warnings: the adapter's `DiagnoseConfig` checks and what else a reviewer of an AgentCore
//! deployment would flag. None of these block a deploy; each says how to fix it.

use super::model::DeployConfig;
use super::{fields, tags};
use crate::diagnostic::{CheckContext, Diagnostic, category};

/// `pack_given`: with a pack the exact tags of every resource are held against the model
/// instead (an error), and `derive::diagnose::with_pack` adds what concerns the pair.
pub fn diagnose(cfg: &DeployConfig, ctx: &CheckContext, pack_given: bool) -> Vec<Diagnostic> {
    let mut all = Vec::new();
    all.extend(fields::region(&cfg.region));
    all.extend(fields::runtime_role_arn(
        &cfg.runtime_role_arn,
        ctx.caller_account.as_deref(),
    ));
    if let Some(a) = &cfg.a2a_auth
        && a.mode == "jwt"
    {
        if a.allowed_audience.is_empty() {
            all.push(
                Diagnostic::warning(
                    "a2a_auth.allowed_audience",
                    category::CONFIGURATION,
                    "a2a_auth uses JWT mode but allowed_audience is empty",
                )
                .with_hint("specify allowed_audience to restrict JWT token validation"),
            );
        }
        all.extend(fields::discovery_url(
            a.discovery_url.as_deref().unwrap_or(""),
        ));
    }
    if cfg
        .memory_store
        .canonical_strategies()
        .iter()
        .any(|s| s == "episodic")
    {
        all.push(
            Diagnostic::warning(
                "memory_store.strategies",
                category::CONFIGURATION,
                "episodic memory strategy may be rejected by AWS Bedrock AgentCore",
            )
            .with_hint("consider using semantic, summary, or user_preference instead"),
        );
    }
    all.extend(providers(cfg));
    all.extend(fields::runtime_binary_path(
        cfg.runtime_binary_path.as_deref(),
        true,
        ctx.check_local_files,
    ));
    if let Some(img) = &ctx.container_image_uri {
        all.extend(fields::container_image_uri(img, &cfg.region));
    }
    if cfg.memory_store.is_configured()
        && let Some(k) = &cfg.memory_store.encryption_key_arn
    {
        all.extend(fields::encryption_key_arn(k, &cfg.region));
    }
    for (k, v) in &cfg.tags {
        all.extend(fields::tag_key(k));
        all.extend(fields::tag_value(k, v));
    }
    // With a pack the exact tags of every resource are held against the model, an error.
    if !pack_given {
        all.extend(tags::effective_count_diagnostic(&cfg.tags, false));
    }
    if cfg.dry_run {
        all.push(
            Diagnostic::warning(
                "dry_run",
                category::CONFIGURATION,
                "dry_run is true: apply will only record planned resources and create nothing",
            )
            .with_hint("remove dry_run (or set it to false) to deploy"),
        );
    }
    all.retain(|d| !d.is_error());
    all
}

fn providers(cfg: &DeployConfig) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, b) in cfg.providers.iter().enumerate() {
        let role = b.role_or_default();
        if role != "llm" {
            out.push(
                Diagnostic::warning(
                    format!("providers[{i}].role"),
                    category::CONFIGURATION,
                    format!(
                        "provider binding {:?} uses role {role:?}, which has no Bedrock-native provider in PromptKit",
                        b.name
                    ),
                )
                .with_hint(
                    "the runtime applies provider options when it opens a conversation, so if the type cannot be constructed every request fails; only direct-API types (e.g. \"openai\") construct today, and they need an API key the adapter does not inject",
                ),
            );
        }
    }
    if cfg.providers.is_empty() {
        out.push(
            Diagnostic::warning(
                "providers",
                category::CONFIGURATION,
                "providers is empty: the runtime gets no PROMPTPACK_PROVIDERS and has no LLM to call",
            )
            .with_hint(r#"declare one, e.g. "providers": [{"name": "default", "type": "bedrock", "model": "anthropic.claude-sonnet-4-20250514-v1:0"}]"#),
        );
    } else if !cfg.providers.iter().any(|b| b.name == "default") {
        let primary = cfg.providers.iter().find(|b| b.role_or_default() == "llm");
        let d = match primary {
            Some(p) => Diagnostic::warning(
                "providers",
                category::CONFIGURATION,
                format!(
                    "no provider binding named \"default\"; treating {:?} as the primary provider",
                    p.name
                ),
            )
            .with_hint(r#"name a binding "default" to make this explicit"#),
            None => Diagnostic::warning(
                "providers",
                category::CONFIGURATION,
                "no provider binding named \"default\" and no binding with role \"llm\"; the runtime will have no primary LLM provider",
            )
            .with_hint(r#"add an llm binding named "default""#),
        };
        out.push(d);
    }
    out
}
