//! Everything the emulator remembers, as plain data, one file per part of `WorldState`.
//!
//! Every service reads and writes it; it is serialisable so `--state FILE` can keep it between
//! runs. It imports no service: behaviour lives in the services, and `clock` moves time on.

mod buckets;
mod events;
mod keys;
mod logs;
mod recommendations;
mod resources;
mod roles;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use buckets::{Bucket, Object};
pub use events::{Actor, TrailEvent};
pub use keys::{Alias, Key};
pub use logs::{LogEvent, LogGroup};
pub use recommendations::{Recommendation, Stored};
pub use resources::{Kind, Pending, Resource, advance as advance_resources};
pub use roles::{Caller, DEPLOYER_ROLE, Role, SSO_ROLE, SSO_ROLE_PATH, SSO_SESSION};

pub const DEFAULT_ACCOUNT: &str = "111122223333";
pub const SERVICE_PRINCIPAL: &str = "bedrock-agentcore.amazonaws.com";

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WorldState {
    pub account: String,
    pub id_counter: u64,
    pub resources: BTreeMap<String, Resource>,
    pub keys: BTreeMap<String, Key>,
    pub aliases: Vec<Alias>,
    recommendations: BTreeMap<String, Recommendation>,
    pub events: std::collections::VecDeque<TrailEvent>,
    pub buckets: BTreeMap<String, Bucket>,
    #[serde(default = "roles::builtin")]
    pub roles: BTreeMap<String, Role>,
    #[serde(skip)]
    pub caller: Caller,
    /// CloudWatch Logs groups by region, then name; absent from state files written before them.
    #[serde(default)]
    pub log_groups: BTreeMap<String, BTreeMap<String, LogGroup>>,
    #[serde(default)]
    pub log_seq: u64,
    /// The last CloudTrail event's `seq`.
    #[serde(default)]
    pub event_seq: u64,
    /// ListRecommendations' order (oldest first, then id), kept beside the map so a page costs
    /// its own length, not a sort of every recommendation; rebuilt on load.
    #[serde(skip)]
    rec_order: BTreeSet<(i64, String)>,
    /// Recommendations with a state change coming, by when (`next_at`), so time passing
    /// looks at what is due and nothing else; rebuilt on load.
    #[serde(skip)]
    rec_due: BTreeSet<(DateTime<Utc>, String)>,
    #[serde(skip)]
    rec_due_at: HashMap<String, DateTime<Utc>>,
    /// Handed out for change since the due index was last brought up to date.
    #[serde(skip)]
    rec_dirty: Vec<String>,
    /// Handed out for change since the state database last took them: a save looks at these
    /// recommendations only, not at every one.
    #[serde(skip)]
    rec_unsaved: HashSet<String>,
}

impl WorldState {
    pub fn empty(account: &str) -> Self {
        WorldState {
            account: account.to_string(),
            roles: roles::builtin(),
            ..Default::default()
        }
    }

    pub fn recommendations(&self) -> &BTreeMap<String, Recommendation> {
        &self.recommendations
    }

    pub fn recommendation_mut(&mut self, id: &str) -> Option<&mut Recommendation> {
        let rec = self.recommendations.get_mut(id)?;
        self.rec_dirty.push(id.to_string());
        self.rec_unsaved.insert(id.to_string());
        Some(rec)
    }

    fn index_due(&mut self, id: &str) {
        if let Some(at) = self.rec_due_at.remove(id) {
            self.rec_due.remove(&(at, id.to_string()));
        }
        if let Some(at) = self.recommendations.get(id).and_then(|r| r.next_at) {
            self.rec_due.insert((at, id.to_string()));
            self.rec_due_at.insert(id.to_string(), at);
        }
    }

    /// The recommendations whose next state change is due at `now`, with when it was due;
    /// those with none coming are forgotten until they are changed again.
    pub fn recommendations_due(&mut self, now: DateTime<Utc>) -> Vec<(String, DateTime<Utc>)> {
        for id in std::mem::take(&mut self.rec_dirty) {
            self.index_due(&id);
        }
        self.rec_due
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(at, id)| (id.clone(), *at))
            .collect()
    }

    pub fn insert_recommendation(&mut self, rec: Recommendation) {
        if let Some(old) = self.recommendations.get(&rec.id) {
            self.rec_order.remove(&old.order_key());
        }
        self.rec_order.insert(rec.order_key());
        let id = rec.id.clone();
        self.rec_unsaved.insert(id.clone());
        self.recommendations.insert(id.clone(), rec);
        self.index_due(&id);
    }

    pub fn remove_recommendation(&mut self, id: &str) -> Option<Recommendation> {
        let rec = self.recommendations.remove(id)?;
        self.rec_unsaved.insert(id.to_string());
        self.rec_order.remove(&rec.order_key());
        self.index_due(id);
        Some(rec)
    }

    /// Recommendations in list order, starting after `after` (an order key from a page token).
    pub fn recommendations_after<'a>(
        &'a self,
        after: Option<&(i64, String)>,
    ) -> impl Iterator<Item = &'a Recommendation> + 'a {
        let start = match after {
            Some(a) => std::ops::Bound::Excluded(a.clone()),
            None => std::ops::Bound::Unbounded,
        };
        self.rec_order
            .range((start, std::ops::Bound::Unbounded))
            .filter_map(|(_, id)| self.recommendations.get(id))
    }

    /// The ids of recommendations inserted, changed or removed since the last call.
    pub fn take_unsaved_recommendations(&mut self) -> HashSet<String> {
        std::mem::take(&mut self.rec_unsaved)
    }

    /// Hands ids back for a later save (one that took too many at once).
    pub fn mark_unsaved(&mut self, ids: impl IntoIterator<Item = String>) {
        self.rec_unsaved.extend(ids);
    }

    /// After loading a saved world: the order is not saved, it is derived, and what was just
    /// loaded is saved already.
    pub fn reindex(&mut self) {
        self.rec_due.clear();
        self.rec_due_at.clear();
        self.rec_dirty.clear();
        self.rec_unsaved.clear();
        let ids: Vec<String> = self.recommendations.keys().cloned().collect();
        for id in ids {
            self.index_due(&id);
        }
        self.rec_order = self
            .recommendations
            .values()
            .map(|r| r.order_key())
            .collect();
    }

    /// The caller's role ARN as IAM has it, path included: what a key policy must name.
    pub fn caller_role_arn(&self) -> String {
        match self.roles.get(self.caller.role()) {
            Some(role) => role.arn(&self.account),
            None => format!("arn:aws:iam::{}:role/{}", self.account, self.caller.role()),
        }
    }

    /// The caller's STS session ARN: no path, as STS writes it.
    pub fn session_arn(&self) -> String {
        format!(
            "arn:aws:sts::{}:assumed-role/{}/{}",
            self.account,
            self.caller.role(),
            self.caller.session()
        )
    }

    /// Deterministic ids: the n-th id of a world is always the same, so demo runs and tests repeat.
    pub fn next_suffix(&mut self, len: usize, upper: bool) -> String {
        self.id_counter += 1;
        let mut rng = fastrand::Rng::with_seed(self.id_counter.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        (0..len)
            .map(|_| {
                let c = rng.alphanumeric();
                if upper { c.to_ascii_uppercase() } else { c }
            })
            .collect()
    }

    pub fn next_uuid(&mut self) -> String {
        self.id_counter += 1;
        let mut rng = fastrand::Rng::with_seed(self.id_counter.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let b: [u8; 16] = std::array::from_fn(|_| rng.u8(..));
        uuid::Builder::from_random_bytes(b).into_uuid().to_string()
    }

    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut out: BTreeMap<String, usize> =
            Kind::ALL.iter().map(|k| (k.key().to_string(), 0)).collect();
        for r in self.resources.values() {
            *out.entry(r.kind.key().to_string()).or_default() += 1;
        }
        out.insert("recommendation".into(), self.recommendations.len());
        out.insert(
            "kms_key".into(),
            self.keys
                .values()
                .filter(|k| k.key_state != "Deleted")
                .count(),
        );
        out.insert("s3_bucket".into(), self.buckets.len());
        out.insert(
            "s3_object".into(),
            self.buckets.values().map(|b| b.objects.len()).sum(),
        );
        out
    }
}

/// What a handler knows about the request it serves.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub region: String,
    pub now: DateTime<Utc>,
    pub access_key: String,
    pub request_id: String,
    pub user_agent: String,
    /// The fault dice said this create/update/recommendation must end in a failed state.
    pub fail: bool,
}
