//! What CreatePolicyEngine and CreatePolicy will carry.

use super::finding::Checks;
use super::sites::*;
use super::source::pack;
use super::tags::tags;
use crate::config::DeployConfig;
use crate::plan::CedarPolicySpec;
use crate::plan::cedar;

pub(super) fn policies(c: &mut Checks, s: &CedarPolicySpec, cfg: &DeployConfig) {
    c.text(&self::pack("id"), PE_NAME, "", &s.engine_name);
    c.text(
        &self::pack("prompts"),
        PE_DESCRIPTION,
        "",
        &cedar::engine_description(&s.prompts),
    );
    tags(c, PE_TAGS, &s.tags, cfg);
    let id = self::pack("id");
    c.text(&id, POL_NAME, "", &s.permit.policy_name);
    c.text(&id, POL_DESCRIPTION, "", &s.permit.description());
    c.text(&id, POL_STATEMENT, "", &s.permit.plan_statement);
    for f in &s.forbids {
        let tool = self::pack(format!("tools.{}", f.tool));
        c.text(&tool, POL_NAME, "", &f.policy_name);
        c.text(&tool, POL_DESCRIPTION, "", &f.description());
        c.text(&tool, POL_STATEMENT, "", &f.plan_statement);
    }
}
