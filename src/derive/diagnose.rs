//! Warnings about a deploy config given the pack it deploys: settings the pack makes useless or
//! needed. Like the config's own warnings, none blocks a deploy.

use crate::config::DeployConfig;
use crate::diagnostic::{Diagnostic, category};
use crate::pack::Pack;

pub fn with_pack(cfg: &DeployConfig, pack: &Pack) -> Vec<Diagnostic> {
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
