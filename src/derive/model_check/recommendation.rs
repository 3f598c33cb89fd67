//! What a recommendation started from the pack would send.

use serde_json::json;

use super::finding::Checks;
use super::sites::*;
use super::source::pack;
use crate::pack::Pack;

/// What a recommendation started from the pack sends: each prompt's system template and each
/// tool's name and description (`recs start --pack`). Empty ones are left to the request's own
/// checks, which say there is nothing to improve.
pub(super) fn recommendable(c: &mut Checks, pack: &Pack) {
    for (k, p) in &pack.prompts {
        if !p.system_template.is_empty() {
            c.value_noted(
                &self::pack(format!("prompts.{k}.system_template")),
                REC_PROMPT,
                "",
                &json!(p.system_template),
                "AgentCore recommendations take system prompts only up to this length",
            );
        }
    }
    for (k, t) in &pack.tools {
        if !t.description.is_empty() {
            c.value_noted(
                &self::pack(format!("tools.{k}.description")),
                REC_TOOL_TEXT,
                "",
                &json!(t.description),
                "AgentCore recommendations take tool descriptions only up to this length",
            );
        }
    }
}
