//! Hard errors, in the adapter's order (`Config.validate()` in promptarena-deploy-agentcore).

use std::collections::BTreeSet;

use super::model::{DeployConfig, PROVIDER_ROLES};
use super::{fields, tags};
use crate::diagnostic::{CheckContext, Diagnostic, category};
use crate::plan::naming;

pub fn validate(cfg: &DeployConfig, ctx: &CheckContext) -> Vec<Diagnostic> {
    let mut all = Vec::new();
    all.extend(fields::region(&cfg.region));
    all.extend(fields::runtime_role_arn(&cfg.runtime_role_arn, None));
    all.extend(fields::runtime_binary_path(
        cfg.runtime_binary_path.as_deref(),
        ctx.container_image_uri
            .as_deref()
            .is_some_and(|s| !s.is_empty()),
        false,
    ));
    if let Some(img) = &ctx.container_image_uri {
        all.extend(fields::container_image_uri(img, &cfg.region));
    }
    if let Some(p) = &cfg.protocol {
        all.extend(fields::protocol(p));
    }
    if let Some(o) = &cfg.observability {
        all.extend(fields::otlp_endpoint(
            o.otlp_endpoint.as_deref().unwrap_or(""),
        ));
    }
    if cfg.memory_store.is_configured() {
        for (i, s) in cfg.memory_store.strategies.iter().enumerate() {
            all.extend(fields::memory_strategy(i, s));
        }
        if let Some(d) = cfg.memory_store.event_expiry_days {
            all.extend(fields::event_expiry_days(d));
        }
        if let Some(k) = &cfg.memory_store.encryption_key_arn {
            all.extend(fields::encryption_key_arn(k, &cfg.region));
        }
    }
    if let Some(a) = &cfg.a2a_auth {
        let url_set = a.discovery_url.as_deref().is_some_and(|u| !u.is_empty());
        all.extend(fields::a2a_mode(&a.mode, url_set));
    }
    all.extend(tags::user_tag_diagnostics(&cfg.tags));
    all.extend(tool_target_names(cfg));
    all.extend(provider_bindings(cfg));
    all.retain(Diagnostic::is_error);
    all
}

fn tool_target_names(cfg: &DeployConfig) -> Vec<Diagnostic> {
    cfg.tool_targets
        .keys()
        .filter_map(|k| {
            let name = naming::gateway_target_name(k);
            (!naming::is_valid_gateway_target_name(&name)).then(|| {
                Diagnostic::error(
                    format!("tool_targets.{k}"),
                    category::NAMING,
                    format!(
                        "tool_targets: tool {k:?} produces invalid gateway target name {name:?}: must match {}",
                        naming::GATEWAY_TARGET_NAME_PATTERN
                    ),
                )
                .with_hint("tool names need at least one letter or digit and at most 100 characters")
            })
        })
        .collect()
}

fn provider_bindings(cfg: &DeployConfig) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, b) in cfg.providers.iter().enumerate() {
        let mut label = format!("providers[{i}]");
        let field = format!("providers[{i}]");
        if b.name.is_empty() {
            out.push(
                Diagnostic::error(
                    format!("{field}.name"),
                    category::CONFIGURATION,
                    format!("{label}: name is required"),
                )
                .with_hint(r#"name the binding; call the primary one "default""#),
            );
        } else if !seen.insert(b.name.as_str()) {
            out.push(
                Diagnostic::error(
                    format!("{field}.name"),
                    category::CONFIGURATION,
                    format!("{label}: duplicate binding name {:?}", b.name),
                )
                .with_hint("binding names must be unique; rename or remove one"),
            );
        } else {
            label = format!("providers[{:?}]", b.name);
        }
        if let Some(role) = b.role.as_deref().filter(|r| !r.is_empty())
            && !PROVIDER_ROLES.contains(&role)
        {
            out.push(
                Diagnostic::error(
                    format!("{field}.role"),
                    category::CONFIGURATION,
                    format!(
                        "{label}: role {role:?} must be one of {}",
                        PROVIDER_ROLES.join(", ")
                    ),
                )
                .with_hint("leave role out for llm"),
            );
        }
        let has_arena = b.arena_provider.as_deref().is_some_and(|s| !s.is_empty());
        let has_type = b.provider_type.as_deref().is_some_and(|s| !s.is_empty());
        if !has_arena && !has_type {
            out.push(
                Diagnostic::error(
                    format!("{field}.type"),
                    category::CONFIGURATION,
                    format!("{label}: type is required when arena_provider is not set"),
                )
                .with_hint(r#"set type (e.g. "bedrock") and model, or arena_provider to reuse a provider of the arena config"#),
            );
        }
    }
    out
}
