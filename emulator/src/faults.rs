//! Injected faults: latency, throttling, 5xx, dropped connections and failed provisioning,
//! globally or per operation, drawn from a seeded generator so a run can be replayed.

use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultRule {
    pub latency: Option<Duration>,
    /// Probability (0..=1) of a throttling error.
    pub throttle: Option<f64>,
    /// Probability of a 500 error.
    pub server_error: Option<f64>,
    /// Probability of closing the connection without an answer.
    pub drop: Option<f64>,
    /// Probability that a create/update/recommendation ends in its *_FAILED state.
    pub fail: Option<f64>,
    /// Probability of AccessDenied, as if the caller's policies lacked the action.
    pub deny: Option<f64>,
}

impl FaultRule {
    fn overlay(&self, over: &FaultRule) -> FaultRule {
        FaultRule {
            latency: over.latency.or(self.latency),
            throttle: over.throttle.or(self.throttle),
            server_error: over.server_error.or(self.server_error),
            drop: over.drop.or(self.drop),
            fail: over.fail.or(self.fail),
            deny: over.deny.or(self.deny),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    pub global: FaultRule,
    /// Keyed by operation name as AWS spells it (`CreateGateway`, `GenerateDataKey`, `PutObject`).
    pub per_operation: BTreeMap<String, FaultRule>,
    pub seed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault spec item `{item}`: {message}")]
pub struct FaultSpecError {
    pub item: String,
    pub message: String,
}

pub const FAULTS_ENV: &str = "AGENTCORE_EMULATOR_FAULTS";

const SPEC_HELP: &str = "expected latency=300ms, throttle=0.2, 5xx=0.1, drop=0.05, fail=1.0, deny=1.0, seed=N or op=OperationName:key=value[:key=value]";

impl Faults {
    pub fn none() -> Self {
        Faults::default()
    }

    /// `latency=300ms,throttle=0.2,5xx=0.1,drop=0.05,fail=0.5,seed=7,op=CreateGateway:throttle=1.0:latency=1s`
    pub fn parse(spec: &str) -> Result<Self, FaultSpecError> {
        let mut faults = Faults::none();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let err = |message: String| FaultSpecError {
                item: item.to_string(),
                message,
            };
            if let Some(rest) = item.strip_prefix("op=") {
                let mut parts = rest.split(':');
                let op = parts.next().unwrap_or_default().trim();
                if op.is_empty() || !op.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return Err(err(format!(
                        "operation name `{op}` is not an AWS operation name like CreateGateway"
                    )));
                }
                let rule = faults.per_operation.entry(op.to_string()).or_default();
                let mut any = false;
                for kv in parts {
                    apply_setting(rule, kv).map_err(err)?;
                    any = true;
                }
                if !any {
                    return Err(err(format!(
                        "no setting for operation {op}; write op={op}:throttle=1.0"
                    )));
                }
            } else if let Some(seed) = item.strip_prefix("seed=") {
                faults.seed = seed
                    .trim()
                    .parse()
                    .map_err(|_| err(format!("seed `{seed}` is not a whole number")))?;
            } else {
                apply_setting(&mut faults.global, item).map_err(err)?;
            }
        }
        Ok(faults)
    }

    pub fn from_env() -> Result<Self, FaultSpecError> {
        match std::env::var(FAULTS_ENV) {
            Ok(spec) => Self::parse(&spec).map_err(|mut e| {
                e.message = format!("{} (from {FAULTS_ENV})", e.message);
                e
            }),
            Err(_) => Ok(Self::none()),
        }
    }

    pub fn rule_for(&self, operation: &str) -> FaultRule {
        match self.per_operation.get(operation) {
            Some(over) => self.global.overlay(over),
            None => self.global.clone(),
        }
    }

    pub fn is_none(&self) -> bool {
        self.global == FaultRule::default() && self.per_operation.is_empty()
    }
}

fn apply_setting(rule: &mut FaultRule, kv: &str) -> Result<(), String> {
    let (key, value) = kv
        .split_once('=')
        .ok_or_else(|| format!("`{kv}` has no `=`; {SPEC_HELP}"))?;
    let (key, value) = (key.trim(), value.trim());
    match key {
        "latency" => rule.latency = Some(parse_duration(value)?),
        "throttle" => rule.throttle = Some(parse_probability(key, value)?),
        "5xx" | "error" => rule.server_error = Some(parse_probability(key, value)?),
        "drop" => rule.drop = Some(parse_probability(key, value)?),
        "fail" => rule.fail = Some(parse_probability(key, value)?),
        "deny" => rule.deny = Some(parse_probability(key, value)?),
        other => return Err(format!("unknown fault `{other}`; {SPEC_HELP}")),
    }
    Ok(())
}

fn parse_probability(key: &str, value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "{key}={value} must be a probability between 0 and 1, e.g. {key}=0.2"
        )),
    }
}

fn parse_duration(value: &str) -> Result<Duration, String> {
    let bad = || format!("latency={value} must be a duration like 300ms or 1.5s");
    let (num, unit) = if let Some(n) = value.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = value.strip_suffix('s') {
        (n, 1.0)
    } else {
        return Err(bad());
    };
    let n: f64 = num.trim().parse().map_err(|_| bad())?;
    if !(0.0..=600.0).contains(&(n * unit)) {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(n * unit))
}

/// What the dice said for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Proceed,
    Throttle,
    ServerError,
    Drop,
    Denied,
}

pub struct FaultDice {
    pub faults: Faults,
    rng: fastrand::Rng,
}

impl FaultDice {
    pub fn new(faults: Faults) -> Self {
        let rng = fastrand::Rng::with_seed(faults.seed);
        FaultDice { faults, rng }
    }

    /// Returns the latency to add, the outcome, and whether provisioning should fail.
    pub fn roll(&mut self, operation: &str) -> (Option<Duration>, Outcome, bool) {
        let rule = self.faults.rule_for(operation);
        let mut hit = |p: Option<f64>| p.is_some_and(|p| p > 0.0 && self.rng.f64() < p);
        let outcome = if hit(rule.drop) {
            Outcome::Drop
        } else if hit(rule.throttle) {
            Outcome::Throttle
        } else if hit(rule.server_error) {
            Outcome::ServerError
        } else if hit(rule.deny) {
            Outcome::Denied
        } else {
            Outcome::Proceed
        };
        let fail = hit(rule.fail);
        (rule.latency, outcome, fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let f = Faults::parse(
            "latency=300ms,throttle=0.2,5xx=0.1,drop=0.05,op=CreateGateway:throttle=1.0",
        )
        .unwrap();
        assert_eq!(f.global.latency, Some(Duration::from_millis(300)));
        assert_eq!(f.global.server_error, Some(0.1));
        let r = f.rule_for("CreateGateway");
        assert_eq!(r.throttle, Some(1.0));
        assert_eq!(r.latency, Some(Duration::from_millis(300)));
        assert_eq!(f.rule_for("GetGateway").throttle, Some(0.2));
    }

    #[test]
    fn rejects_bad_items_naming_them() {
        let e = Faults::parse("throttle=2").unwrap_err();
        assert_eq!(e.item, "throttle=2");
        assert!(e.message.contains("between 0 and 1"));
        assert!(
            Faults::parse("latency=fast")
                .unwrap_err()
                .message
                .contains("300ms")
        );
        assert!(
            Faults::parse("explode=1")
                .unwrap_err()
                .message
                .contains("unknown fault")
        );
        assert!(Faults::parse("op=Create-Gateway:throttle=1").is_err());
        assert!(Faults::parse("op=CreateGateway").is_err());
    }

    #[test]
    fn same_seed_same_dice() {
        let f = Faults::parse("throttle=0.5,seed=42").unwrap();
        let (mut a, mut b) = (FaultDice::new(f.clone()), FaultDice::new(f));
        let ra: Vec<_> = (0..32).map(|_| a.roll("X").1).collect();
        let rb: Vec<_> = (0..32).map(|_| b.roll("X").1).collect();
        assert_eq!(ra, rb);
        assert!(ra.contains(&Outcome::Throttle) && ra.contains(&Outcome::Proceed));
    }
}
