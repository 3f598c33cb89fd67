//! Deleting evaluators and online evaluation configurations.

use super::*;

pub(super) async fn delete_online_eval(
    dep: &Deployment,
    r: &ResourceRecord,
) -> Result<(), aws::Error> {
    let c = &dep.clients;
    let name = r.name.as_str();
    let Some(id) = resolve(r, || cloud::find_online_eval(c, name)).await? else {
        return Ok(());
    };
    gone_ok(
        call(
            c,
            "DeleteOnlineEvaluationConfig",
            c.control
                .delete_online_evaluation_config()
                .online_evaluation_config_id(&id)
                .send(),
        )
        .await,
    )?;
    wait_gone(dep, &r.kind, name, || cloud::online_eval_probe(c, &id)).await
}

pub(super) async fn delete_evaluator(
    dep: &Deployment,
    r: &ResourceRecord,
) -> Result<(), aws::Error> {
    let c = &dep.clients;
    let name = r.name.as_str();
    let Some(id) = resolve(r, || cloud::find_evaluator(c, name)).await? else {
        return Ok(());
    };
    gone_ok(
        call(
            c,
            "DeleteEvaluator",
            c.control.delete_evaluator().evaluator_id(&id).send(),
        )
        .await,
    )?;
    wait_gone(dep, &r.kind, name, || cloud::evaluator_probe(c, &id)).await
}
