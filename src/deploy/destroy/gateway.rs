//! Deleting the gateway's targets, and then the gateway with any target made outside this tool.

use super::*;

pub(super) async fn delete_target(
    dep: &Deployment,
    gw: &str,
    id: &str,
    name: &str,
) -> Result<(), aws::Error> {
    let c = &dep.clients;
    match call(
        c,
        "DeleteGatewayTarget",
        c.control
            .delete_gateway_target()
            .gateway_identifier(gw)
            .target_id(id)
            .send(),
    )
    .await
    {
        Err(e) if !is_not_found(&e) => return Err(e),
        _ => {}
    }
    wait_gone(dep, "tool_gateway", name, || cloud::target_probe(c, gw, id)).await
}

pub(super) async fn delete_tool_target(
    dep: &Deployment,
    r: &ResourceRecord,
) -> Result<(), aws::Error> {
    let c = &dep.clients;
    let name = r.name.as_str();
    let st = dep.store.snapshot();
    let gw = r.meta("gateway_id").map(str::to_owned).or_else(|| {
        st.resources
            .iter()
            .find(|g| g.kind == "gateway")
            .and_then(|g| g.meta("id").map(str::to_owned))
    });
    let Some(gw) = gw else { return Ok(()) };
    let id = match id_of(r) {
        Some(i) => Some(i),
        None => cloud::find_target(c, &gw, name).await?,
    };
    match id {
        Some(id) => delete_target(dep, &gw, &id, name).await,
        None => Ok(()),
    }
}

pub(super) async fn delete_gateway(dep: &Deployment, r: &ResourceRecord) -> Result<(), aws::Error> {
    let c = &dep.clients;
    let name = r.name.as_str();
    let Some(id) = resolve(r, || cloud::find_gateway(c, name)).await? else {
        return Ok(());
    };
    // Targets made after the last apply would block the delete.
    if let Ok(items) = cloud::list_targets(c, &id).await {
        for t in items {
            delete_target(dep, &id, t.target_id(), t.name()).await?;
        }
    }
    gone_ok(
        call(
            c,
            "DeleteGateway",
            c.control.delete_gateway().gateway_identifier(&id).send(),
        )
        .await,
    )?;
    wait_gone(dep, &r.kind, name, || cloud::gateway_probe(c, &id)).await
}
