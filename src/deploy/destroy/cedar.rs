//! Deleting the policy engine: its policies deleted (an engine with policies cannot go) and the
//! engine detached from the gateway (an engine a gateway enforces cannot go), then the engine.
//! The Cedar resource does the first two; the engine's own record, deleted after it, the last.

use super::*;

/// The Cedar resource: its policies and the attachment. The engine goes too when the state has
/// no record of it of its own (as versions before that recorded it).
pub(super) async fn delete_cedar(dep: &Deployment, r: &ResourceRecord) -> Result<(), aws::Error> {
    let engine_recorded = dep
        .store
        .snapshot()
        .live()
        .any(|e| e.kind == POLICY_ENGINE_KIND && e.name == r.name);
    clear_engine(dep, r, !engine_recorded).await
}

/// The engine's own record: whatever policies and attachment are left (none after the Cedar
/// resource's delete), then the engine.
pub(super) async fn delete_policy_engine(
    dep: &Deployment,
    r: &ResourceRecord,
) -> Result<(), aws::Error> {
    clear_engine(dep, r, true).await
}

async fn clear_engine(
    dep: &Deployment,
    r: &ResourceRecord,
    delete_engine: bool,
) -> Result<(), aws::Error> {
    let c = &dep.clients;
    let name = r.name.as_str();
    let recorded = r
        .meta("policy_engine_id")
        .map(str::to_owned)
        .or_else(|| id_of(r))
        .map(|id| Found {
            id,
            arn: r
                .meta("policy_engine_arn")
                .map(str::to_owned)
                .or_else(|| r.arn.clone())
                .unwrap_or_default(),
        });
    let engine = match recorded {
        Some(f) => Some(f),
        None => cloud::find_policy_engine(c, name).await?,
    };
    let Some(engine) = engine else { return Ok(()) };
    let policies = match cloud::list_policies(c, &engine.id).await {
        Ok(p) => p,
        Err(e) if is_not_found(&e) => return Ok(()),
        Err(e) => return Err(e),
    };
    // An engine recorded before its attach has no gateway_id yet; the pack has one gateway.
    let gateway = r.meta("gateway_id").map(str::to_owned).or_else(|| {
        let st = dep.store.snapshot();
        st.live().find(|g| g.kind == "gateway").and_then(id_of)
    });
    // The graph deleted the gateway's targets first, so the detach exposes no tool and need
    // not wait for the policies.
    let policies_gone = async {
        for p in &policies {
            gone_ok(
                call(
                    c,
                    "DeletePolicy",
                    c.control
                        .delete_policy()
                        .policy_engine_id(&engine.id)
                        .policy_id(p.policy_id())
                        .send(),
                )
                .await,
            )?;
        }
        for p in &policies {
            let pid = p.policy_id().to_owned();
            wait_gone(dep, "cedar policy", p.name(), || {
                cloud::policy_probe(c, &engine.id, &pid)
            })
            .await?;
        }
        Ok::<(), aws::Error>(())
    };
    let detached = async {
        match &gateway {
            Some(gw) => detach(dep, gw, &engine.arn).await,
            None => Ok(()),
        }
    };
    let (policies_gone, detached) = tokio::join!(policies_gone, detached);
    policies_gone?;
    detached?;
    if !delete_engine {
        return Ok(());
    }
    gone_ok(
        call(
            c,
            "DeletePolicyEngine",
            c.control
                .delete_policy_engine()
                .policy_engine_id(&engine.id)
                .send(),
        )
        .await,
    )?;
    wait_gone(dep, POLICY_ENGINE_KIND, name, || {
        cloud::policy_engine_probe(c, &engine.id)
    })
    .await
}

/// UpdateGateway replaces the gateway's settings: everything it has is sent back but the
/// engine. Nothing to do when the gateway is gone or enforces another engine.
async fn detach(dep: &Deployment, gateway_id: &str, engine_arn: &str) -> Result<(), aws::Error> {
    let c = &dep.clients;
    let g = match call(
        c,
        "GetGateway",
        c.control
            .get_gateway()
            .gateway_identifier(gateway_id)
            .send(),
    )
    .await
    {
        Ok(g) => g,
        Err(e) if is_not_found(&e) => return Ok(()),
        Err(e) => return Err(e),
    };
    let attached = g
        .policy_engine_configuration()
        .is_some_and(|p| engine_arn.is_empty() || p.arn() == engine_arn);
    if !attached {
        return Ok(());
    }
    dep.events.log(format!(
        "detaching the policy engine from gateway {}",
        g.name()
    ));
    call(
        c,
        "UpdateGateway",
        c.control
            .update_gateway()
            .gateway_identifier(gateway_id)
            .name(g.name())
            .set_description(g.description().map(str::to_owned))
            .set_role_arn(g.role_arn().map(str::to_owned))
            .protocol_type(g.protocol_type().clone())
            .set_protocol_configuration(g.protocol_configuration().cloned())
            .authorizer_type(g.authorizer_type().clone())
            .set_authorizer_configuration(g.authorizer_configuration().cloned())
            .set_kms_key_arn(g.kms_key_arn().map(str::to_owned))
            .send(),
    )
    .await?;
    let never = tokio_util::sync::CancellationToken::new();
    poll::until_ready(
        "gateway",
        g.name(),
        &dep.poll,
        &never,
        |_| {},
        || cloud::gateway_probe(c, gateway_id),
    )
    .await
    .map(|_| ())
}
