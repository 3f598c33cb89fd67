//! The policy engine: a forbid per blocked tool, over the baseline permit.

use std::collections::{BTreeMap, BTreeSet};

use super::Ctx;
use crate::diagnostic::{Diagnostic, category};
use crate::plan::cedar::{self, CedarForbid, CedarPermit};
use crate::plan::{
    CedarPolicySpec, Dependency, DesiredResource, GATEWAY_KIND, POLICY_ENGINE_KIND, ResourceKind,
    ResourceSpec, naming,
};

/// One policy engine per pack: the gateway enforces exactly one engine, so every prompt's
/// blocked tools are merged into it, one forbid per tool.
pub(super) fn cedar_policies(cx: &mut Ctx, gateways: &[DesiredResource]) -> Vec<DesiredResource> {
    let pack = cx.pack;
    // tool key → (its gateway resource, the prompts blocking it, the first blocklist field)
    let mut blocked: BTreeMap<&str, (&DesiredResource, BTreeSet<&str>, String)> = BTreeMap::new();
    // Each blocklist prompt's registered blocked tools, to tell whether they differ.
    let mut per_prompt: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (prompt_key, prompt) in &pack.prompts {
        let Some(tp) = prompt
            .tool_policy
            .as_ref()
            .filter(|tp| !tp.blocklist.is_empty())
        else {
            continue;
        };
        let mut seen = BTreeSet::new();
        for (i, tool) in tp.blocklist.iter().enumerate() {
            if !seen.insert(tool.as_str()) {
                continue;
            }
            let field = format!("pack.prompts.{prompt_key}.tool_policy.blocklist[{i}]");
            match gateways.iter().find(|g| &g.logical_id == tool) {
                Some(g) => {
                    per_prompt
                        .entry(prompt_key.as_str())
                        .or_default()
                        .insert(tool.as_str());
                    blocked
                        .entry(tool.as_str())
                        .or_insert_with(|| (g, BTreeSet::new(), field))
                        .1
                        .insert(prompt_key.as_str());
                }
                None => {
                    let w = Diagnostic::warning(
                        field,
                        category::POLICY,
                        format!(
                            "blocked tool {tool:?} of prompt {prompt_key:?} is not a tool of the pack, so no Cedar policy is created for it"
                        ),
                    )
                    .with_hint(
                        "a tool that is not registered on the gateway cannot be called through it; fix the name if you meant a pack tool, or remove it from the blocklist",
                    );
                    cx.warnings.push(w);
                }
            }
        }
    }
    if blocked.is_empty() {
        return vec![];
    }
    let sets: BTreeSet<&BTreeSet<&str>> = per_prompt.values().collect();
    if sets.len() > 1 {
        let listed: Vec<String> = per_prompt
            .iter()
            .map(|(p, tools)| {
                format!(
                    "{p}: {}",
                    tools.iter().copied().collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        cx.warnings.push(
            Diagnostic::warning(
                "pack.prompts",
                category::SECURITY,
                format!(
                    "the prompts block different tools ({}), but every tool sits behind one gateway with one policy engine: each Cedar forbid blocks its tool for every agent of the pack, not only for the prompt that listed it",
                    listed.join("; ")
                ),
            )
            .with_hint(
                "the runtimes share one role, so a policy cannot tell the agents apart: move the agents that need such a tool to a separate pack, or accept the wider block",
            ),
        );
    }
    let Some(engine_name) = cx.name(&pack.id, "_policy_engine", "id") else {
        return vec![];
    };
    let first = blocked.values().next().map(|(g, _, _)| *g);
    let Some(ResourceSpec::ToolGateway(first)) = first.map(|g| &g.spec) else {
        return vec![];
    };
    let gateway_name = first.gateway_name.clone();
    let placeholder = cedar::placeholder_gateway_arn(
        &cx.cfg.region,
        cx.cfg.role_account().unwrap_or(""),
        &gateway_name,
    );
    let permit = match CedarPermit::planned(&placeholder) {
        Ok(p) => p,
        Err(e) => {
            cx.errors.push(Diagnostic::error(
                "pack.prompts",
                category::POLICY,
                e.to_string(),
            ));
            return vec![];
        }
    };
    let mut forbids = Vec::new();
    for (g, prompts, field) in blocked.values() {
        let ResourceSpec::ToolGateway(gs) = &g.spec else {
            continue;
        };
        let Some(policy_name) = cedar::policy_name(&gs.target_name) else {
            cx.errors.push(
                Diagnostic::error(
                    format!("pack.tools.{}", gs.tool_key),
                    category::NAMING,
                    format!(
                        "blocked tool {:?} cannot be named as a Cedar policy ({:?} must match {})",
                        gs.tool_key,
                        format!(
                            "{}{}",
                            cedar::POLICY_NAME_PREFIX,
                            gs.target_name.replace('-', "_")
                        ),
                        naming::AWS_NAME_PATTERN
                    ),
                )
                .with_hint(format!(
                    "rename the tool: at most {} letters, digits or '_'",
                    naming::AWS_NAME_MAX - cedar::POLICY_NAME_PREFIX.len()
                )),
            );
            continue;
        };
        let action = cedar::action_id(&gs.target_name, &gs.tool_name);
        match cedar::render_forbid(&action, &placeholder) {
            Ok(plan_statement) => forbids.push(CedarForbid {
                policy_name,
                tool: gs.tool_key.clone(),
                prompts: prompts.iter().map(|p| p.to_string()).collect(),
                action,
                plan_statement,
            }),
            Err(e) => cx.errors.push(Diagnostic::error(
                field.clone(),
                category::POLICY,
                e.to_string(),
            )),
        }
    }
    vec![DesiredResource {
        kind: ResourceKind::CedarPolicy,
        name: engine_name.clone(),
        logical_id: pack.id.clone(),
        // CreatePolicyEngine names no gateway, so the engine is made from the start, beside the
        // gateway. It is attached to the gateway (UpdateGateway) once both are ready, and a forbid
        // names its target's tool action, which the engine learns from the gateway once the
        // target is READY.
        depends_on: vec![
            Dependency::ready(
                POLICY_ENGINE_KIND,
                &engine_name,
                "the policies go in the engine, and a gateway takes only an ACTIVE engine",
            ),
            Dependency::ready(
                GATEWAY_KIND,
                &gateway_name,
                "the engine is attached to the gateway (UpdateGateway)",
            ),
        ]
        .into_iter()
        .chain(blocked.values().map(|(g, _, _)| {
            Dependency::ready(
                ResourceKind::ToolGateway.as_str(),
                &g.name,
                "a forbid names this target's tool action",
            )
        }))
        .collect(),
        spec: ResourceSpec::CedarPolicy(CedarPolicySpec {
            prompts: per_prompt.keys().map(|p| p.to_string()).collect(),
            engine_name,
            gateway_name,
            permit,
            forbids,
            tags: cx.base_tags(),
        }),
    }]
}
