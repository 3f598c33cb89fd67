//! Warnings: the adapter's `DiagnoseConfig` checks and what else a reviewer of an AgentCore
//! deployment would flag. None of these block a deploy; each says how to fix it.

use super::diagnostic::{CheckContext, Diagnostic, category};
use super::model::DeployConfig;
use super::{fields, tags};
use crate::pack::Pack;

pub fn diagnose(cfg: &DeployConfig, pack: Option<&Pack>, ctx: &CheckContext) -> Vec<Diagnostic> {
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
    if pack.is_none() {
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
    if let Some(pack) = pack {
        all.extend(with_pack(cfg, pack));
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

fn with_pack(cfg: &DeployConfig, pack: &Pack) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let multi = pack.is_multi_agent();
    match (&cfg.a2a_auth, multi) {
        (Some(_), false) => out.push(
            Diagnostic::warning(
                "a2a_auth",
                category::CONFIGURATION,
                "a2a_auth has no effect: the pack is single-agent, so no agent calls another",
            )
            .with_hint("remove a2a_auth, or keep it if you plan to add agents"),
        ),
        (None, true) => out.push(
            Diagnostic::warning(
                "a2a_auth",
                category::SECURITY,
                "the pack is multi-agent but a2a_auth is not set: the runtimes get no A2A auth mode",
            )
            .with_hint(r#"set "a2a_auth": {"mode": "iam"} (SigV4 with the runtime role) or jwt with an identity provider"#),
        ),
        _ => {}
    }
    let online_evals = pack.online_eval_defs().count();
    if online_evals > 0 && cfg.log_group().is_none() {
        // AWS takes one service name per online evaluation configuration: one per runtime.
        let runtimes = match pack.agents.as_ref().filter(|_| multi) {
            Some(a) => a.members.len(),
            None => 1,
        };
        out.push(
            Diagnostic::warning(
                "observability.cloudwatch_log_group",
                category::CONFIGURATION,
                format!(
                    "the pack has {online_evals} online eval(s) but observability.cloudwatch_log_group is not set: its {runtimes} online evaluation configuration(s), one per runtime, read the default aws/spans log group"
                ),
            )
            .with_hint("set observability.cloudwatch_log_group (and tracing_enabled) and give runtime_role_arn CloudWatch Logs access"),
        );
    }
    if pack.prompts.values().any(|p| {
        p.tool_policy
            .as_ref()
            .is_some_and(|tp| tp.blocklist.iter().any(|t| pack.tools.contains_key(t)))
    }) {
        out.push(
            Diagnostic::warning(
                "runtime_role_arn",
                category::PERMISSION,
                "the pack blocks tools with Cedar policies: runtime_role_arn needs bedrock-agentcore:GetPolicyEngine and bedrock-agentcore:ListPolicies",
            )
            .with_hint("add both actions to the role's policy, or policy creation fails when the engine is associated with the gateway"),
        );
    }
    for k in cfg.tool_targets.keys() {
        if !pack.tools.contains_key(k) {
            out.push(
                Diagnostic::warning(
                    format!("tool_targets.{k}"),
                    category::CONFIGURATION,
                    format!("tool_targets names tool {k:?}, which the pack does not define"),
                )
                .with_hint(format!(
                    "remove it or fix the name; the pack's tools are: {}",
                    pack.tools.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            );
        }
    }
    out
}
