//! Deleting the pack's memory.

use super::*;

pub(super) async fn delete_memory(dep: &Deployment, r: &ResourceRecord) -> Result<(), aws::Error> {
    let c = &dep.clients;
    let name = r.name.as_str();
    let Some(id) = resolve(r, || cloud::find_memory(c, name)).await? else {
        return Ok(());
    };
    gone_ok(
        call(
            c,
            "DeleteMemory",
            c.control.delete_memory().memory_id(&id).send(),
        )
        .await,
    )?;
    wait_gone(dep, &r.kind, name, || cloud::memory_probe(c, &id)).await
}
