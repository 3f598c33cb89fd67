//! Deleting the policy engine: its policies first, since an engine with policies cannot go.

use super::*;

pub(super) async fn delete_policy_engine(
    dep: &Deployment,
    r: &ResourceRecord,
) -> Result<(), aws::Error> {
    let c = &dep.clients;
    let name = r.name.as_str();
    let engine = match r
        .meta("policy_engine_id")
        .map(str::to_owned)
        .or_else(|| id_of(r))
    {
        Some(i) => Some(i),
        None => cloud::find_policy_engine(c, name).await?.map(|f| f.id),
    };
    let Some(engine) = engine else { return Ok(()) };
    // Policies first: an engine with policies cannot be deleted.
    let policies = match cloud::list_policies(c, &engine).await {
        Ok(p) => p,
        Err(e) if is_not_found(&e) => return Ok(()),
        Err(e) => return Err(e),
    };
    for p in &policies {
        gone_ok(
            call(
                c,
                "DeletePolicy",
                c.control
                    .delete_policy()
                    .policy_engine_id(&engine)
                    .policy_id(p.policy_id())
                    .send(),
            )
            .await,
        )?;
    }
    for p in &policies {
        let pid = p.policy_id().to_owned();
        wait_gone(dep, "cedar policy", p.name(), || {
            cloud::policy_probe(c, &engine, &pid)
        })
        .await?;
    }
    gone_ok(
        call(
            c,
            "DeletePolicyEngine",
            c.control
                .delete_policy_engine()
                .policy_engine_id(&engine)
                .send(),
        )
        .await,
    )?;
    wait_gone(dep, &r.kind, name, || {
        cloud::policy_engine_probe(c, &engine)
    })
    .await
}
