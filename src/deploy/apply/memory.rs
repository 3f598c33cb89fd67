//! Creating (or adopting) the pack's memory.

use super::{Lc, Located, Outcome, Run};
use crate::aws::{self, Category};
use crate::deploy::cloud::{self, Found, call};
use crate::deploy::sdk::built;
use crate::deploy::sdk::{fingerprint, hash_map};
use crate::plan::MemorySpec;
use crate::plan::memory::strategy_name;
use aws_sdk_bedrockagentcorecontrol::types as t;

impl<'a> Run<'a> {
    pub(super) async fn memory(
        &self,
        lc: &Lc<'_>,
        s: &MemorySpec,
    ) -> Result<(Outcome, String), aws::Error> {
        let c = self.c();
        let hash = fingerprint(s);
        let loc = self
            .locate_or_create(
                lc,
                &hash,
                || cloud::find_memory(c, &lc.name),
                move || async move {
                    lc.calling("CreateMemory");
                    let mut req = c
                        .control
                        .create_memory()
                        .name(&lc.name)
                        .event_expiry_duration(s.event_expiry_days.clamp(3, 365) as i32)
                        .memory_execution_role_arn(&s.execution_role_arn)
                        .set_memory_strategies(Some(memory_strategies(s)?))
                        .set_tags(Some(hash_map(&s.tags)));
                    if let Some(k) = &s.encryption_key_arn {
                        req = req.encryption_key_arn(k);
                    }
                    let o = call(c, "CreateMemory", req.send()).await?;
                    let m = o.memory().ok_or_else(|| {
                        aws::Error::new(
                            Category::Resource,
                            "CreateMemory",
                            "CreateMemory returned no memory",
                        )
                    })?;
                    Ok(Found {
                        id: m.id().to_owned(),
                        arn: m.arn().to_owned(),
                    })
                },
                |id: String| async move { cloud::memory_probe(c, &id).await },
            )
            .await?;
        if let Located::Stale(_) = loc {
            self.dep.events.warn(format!(
                "memory {} settings changed; memory is not modified in place (destroy and apply to change strategies or the key)",
                lc.name
            ));
        }
        self.out.lock().unwrap().memory_arn = Some(loc.found().arn.clone());
        Ok(self.finish(lc, &loc, &hash, &[]))
    }
}

pub fn memory_strategies(spec: &MemorySpec) -> Result<Vec<t::MemoryStrategyInput>, aws::Error> {
    let mut out = Vec::new();
    for s in &spec.strategies {
        let name = strategy_name(s);
        let input = match s.as_str() {
            "episodic" => t::MemoryStrategyInput::EpisodicMemoryStrategy(built(
                t::EpisodicMemoryStrategyInput::builder().name(name).build(),
                "episodic memory strategy",
            )?),
            "semantic" => t::MemoryStrategyInput::SemanticMemoryStrategy(built(
                t::SemanticMemoryStrategyInput::builder().name(name).build(),
                "semantic memory strategy",
            )?),
            "summary" => t::MemoryStrategyInput::SummaryMemoryStrategy(built(
                t::SummaryMemoryStrategyInput::builder().name(name).build(),
                "summary memory strategy",
            )?),
            "user_preference" => t::MemoryStrategyInput::UserPreferenceMemoryStrategy(built(
                t::UserPreferenceMemoryStrategyInput::builder()
                    .name(name)
                    .build(),
                "user preference memory strategy",
            )?),
            other => {
                return Err(aws::Error::new(
                    Category::Configuration,
                    "CreateMemory",
                    format!(
                        "memory_store strategy \"{other}\" is not one of episodic, semantic, summary, user_preference"
                    ),
                ));
            }
        };
        out.push(input);
    }
    Ok(out)
}
