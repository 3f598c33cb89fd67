//! Deleting agent runtimes (their A2A endpoints are logical and go with them).

use super::*;

pub(super) async fn delete_runtime(dep: &Deployment, r: &ResourceRecord) -> Result<(), aws::Error> {
    let c = &dep.clients;
    let name = r.name.as_str();
    let Some(id) = resolve(r, || cloud::find_runtime(c, name)).await? else {
        return Ok(());
    };
    gone_ok(
        call(
            c,
            "DeleteAgentRuntime",
            c.control
                .delete_agent_runtime()
                .agent_runtime_id(&id)
                .send(),
        )
        .await,
    )?;
    wait_gone(dep, &r.kind, name, || cloud::runtime_probe(c, &id)).await
}
