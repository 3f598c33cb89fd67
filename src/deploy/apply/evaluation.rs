//! Evaluators and the online evaluation configuration of each runtime.

use super::{Lc, Located, Outcome, Run};
use crate::aws::{self, Category};
use crate::deploy::cloud::{self, Found, call};
use crate::deploy::sdk::built;
use crate::deploy::sdk::{self, fingerprint, hash_map};
use crate::deploy::state::{DeployState, ResourceRecord};
use crate::plan::{EvaluatorSpec, OnlineEvalSpec, ResourceKind, ResourcePlan};
use aws_sdk_bedrockagentcorecontrol::types as t;

impl<'a> Run<'a> {
    pub(super) async fn evaluator(
        &self,
        lc: &Lc<'_>,
        s: &EvaluatorSpec,
    ) -> Result<(Outcome, String), aws::Error> {
        let c = self.c();
        let hash = fingerprint(s);
        let config = evaluator_config(s)?;
        let level = t::EvaluatorLevel::from(s.level.as_str());
        let (config_ref, level_ref) = (&config, &level);
        let loc = self
            .locate_or_create(
                lc,
                &hash,
                || cloud::find_evaluator(c, &lc.name),
                move || async move {
                    lc.calling("CreateEvaluator");
                    let o = call(
                        c,
                        "CreateEvaluator",
                        c.control
                            .create_evaluator()
                            .evaluator_name(&lc.name)
                            .evaluator_config(config_ref.clone())
                            .level(level_ref.clone())
                            .set_description(s.description.clone())
                            .set_tags(Some(hash_map(&s.tags)))
                            .send(),
                    )
                    .await?;
                    Ok(Found {
                        id: o.evaluator_id().to_owned(),
                        arn: o.evaluator_arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::evaluator_probe(c, &id).await },
            )
            .await?;
        if let Located::Stale(f) = &loc {
            lc.calling("UpdateEvaluator");
            call(
                c,
                "UpdateEvaluator",
                c.control
                    .update_evaluator()
                    .evaluator_id(&f.id)
                    .evaluator_config(config.clone())
                    .level(level.clone())
                    .set_description(s.description.clone())
                    .send(),
            )
            .await?;
            self.wait(lc, || cloud::evaluator_probe(c, &f.id)).await?;
        }
        self.out
            .lock()
            .unwrap()
            .evaluators
            .insert(lc.name.clone(), loc.found().clone());
        Ok(self.finish(lc, &loc, &hash, &[]))
    }

    pub(super) async fn online_eval(
        &self,
        lc: &Lc<'_>,
        s: &OnlineEvalSpec,
    ) -> Result<(Outcome, String), aws::Error> {
        let c = self.c();
        let mut refs = Vec::new();
        {
            let out = self.out.lock().unwrap();
            for name in &s.evaluators {
                match out.evaluators.get(name) {
                    Some(f) => refs.push(f.id.clone()),
                    None => {
                        return Err(aws::Error::new(
                            Category::Resource,
                            "CreateOnlineEvaluationConfig",
                            format!("evaluator {name} is not deployed"),
                        ));
                    }
                }
            }
        }
        refs.extend(s.builtin_evaluator_ids.iter().cloned());
        if refs.is_empty() {
            return Err(aws::Error::new(
                Category::Configuration,
                "CreateOnlineEvaluationConfig",
                "no evaluator references available",
            ));
        }
        let hash = online_hash(s, &refs);
        let rule = t::Rule::builder()
            .sampling_config(sdk::built(
                t::SamplingConfig::builder()
                    .sampling_percentage(s.sampling_percentage)
                    .build(),
                "sampling",
            )?)
            .build();
        let source = t::DataSourceConfig::CloudWatchLogs(sdk::built(
            t::CloudWatchLogsInputConfig::builder()
                .set_log_group_names(Some(s.log_group_names.clone()))
                .set_service_names(Some(s.service_names.clone()))
                .build(),
            "data source",
        )?);
        let evaluators: Vec<t::EvaluatorReference> = refs
            .iter()
            .map(|id| t::EvaluatorReference::EvaluatorId(id.clone()))
            .collect();
        let (rule_ref, source_ref, evaluators_ref) = (&rule, &source, &evaluators);
        let loc = self
            .locate_or_create(
                lc,
                &hash,
                || cloud::find_online_eval(c, &lc.name),
                move || async move {
                    lc.calling("CreateOnlineEvaluationConfig");
                    let o = call(
                        c,
                        "CreateOnlineEvaluationConfig",
                        c.control
                            .create_online_evaluation_config()
                            .online_evaluation_config_name(&lc.name)
                            .rule(rule_ref.clone())
                            .data_source_config(source_ref.clone())
                            .set_evaluators(Some(evaluators_ref.clone()))
                            .evaluation_execution_role_arn(&s.execution_role_arn)
                            .enable_on_create(true)
                            .set_tags(Some(hash_map(&s.tags)))
                            .send(),
                    )
                    .await?;
                    Ok(Found {
                        id: o.online_evaluation_config_id().to_owned(),
                        arn: o.online_evaluation_config_arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::online_eval_probe(c, &id).await },
            )
            .await?;
        if let Located::Stale(f) = &loc {
            lc.calling("UpdateOnlineEvaluationConfig");
            call(
                c,
                "UpdateOnlineEvaluationConfig",
                c.control
                    .update_online_evaluation_config()
                    .online_evaluation_config_id(&f.id)
                    .rule(rule.clone())
                    .data_source_config(source.clone())
                    .set_evaluators(Some(evaluators.clone()))
                    .evaluation_execution_role_arn(&s.execution_role_arn)
                    .send(),
            )
            .await?;
            self.wait(lc, || cloud::online_eval_probe(c, &f.id)).await?;
        }
        Ok(self.finish(lc, &loc, &hash, &[]))
    }
}

/// Recorded online evaluation configs the plan does not have: the pack-wide one of older
/// versions, or those of runtimes or evals that left the pack. Apply deletes them (and plan
/// shows them as deletes of that step); the others a plan leaves out, apply leaves alone.
pub(crate) fn retired_online_evals<'s>(
    plan: &ResourcePlan,
    st: &'s DeployState,
) -> Vec<&'s ResourceRecord> {
    let kind = ResourceKind::OnlineEvalConfig;
    st.live()
        .filter(|r| r.kind == kind.as_str() && plan.find(kind, &r.name).is_none())
        .collect()
}

pub(crate) fn online_hash(s: &OnlineEvalSpec, refs: &[String]) -> String {
    fingerprint(&(s, refs))
}

pub fn evaluator_config(spec: &EvaluatorSpec) -> Result<t::EvaluatorConfig, aws::Error> {
    let mut scale = Vec::new();
    for l in &spec.rating_scale {
        scale.push(built(
            t::NumericalScaleDefinition::builder()
                .value(l.value)
                .label(&l.label)
                .definition(&l.definition)
                .build(),
            "rating scale",
        )?);
    }
    let model = t::EvaluatorModelConfig::BedrockEvaluatorModelConfig(built(
        t::BedrockEvaluatorModelConfig::builder()
            .model_id(&spec.model_id)
            .build(),
        "evaluator model",
    )?);
    Ok(t::EvaluatorConfig::LlmAsAJudge(built(
        t::LlmAsAJudgeEvaluatorConfig::builder()
            .instructions(&spec.instructions)
            .rating_scale(t::RatingScale::Numerical(scale))
            .model_config(model)
            .build(),
        "LLM-as-a-judge evaluator",
    )?))
}
