//! `keys list|check|policy` and `kms activity`: KMS keys for recommendation encryption, their
//! key policy against seed 000, and the CloudTrail KMS events of recommendations.

use super::render::{out, outln};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde::Serialize;
use serde_json::json;

use super::aws_args::{AwsArgs, connect, fail, fail_aws, print_json};
use super::exit;
use crate::aws::Clients;
use crate::kms::activity::{self, ActivityFilter, KmsEvent};
use crate::kms::eligibility::{self, Ineligibility, KeyInfo};
use crate::kms::keys::Keys;
use crate::kms::policy::{self, Analysis, PolicyTarget};
use crate::services::key_policy;

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// The region's KMS keys, each marked usable for recommendations or not, with the reason
    List,
    /// Eligibility and key-policy analysis of one key (id, ARN or alias/NAME) for the caller's role
    Check {
        key: String,
        /// Analyse for this role instead of the caller's (STS GetCallerIdentity)
        #[arg(long, value_name = "ARN")]
        role: Option<String>,
        /// Write the recommended policy to the key (PutKeyPolicy); needs --yes
        #[arg(long)]
        apply: bool,
        /// Confirm --apply
        #[arg(long, requires = "apply")]
        yes: bool,
    },
    /// Print the recommended key policy for an account, region and role (offline unless --key)
    Policy {
        /// The account of the recommendations (the region is --region)
        #[arg(long, value_name = "ACCOUNT")]
        account: String,
        /// The IAM role (or user) that starts recommendations
        #[arg(long, value_name = "ARN")]
        role: String,
        /// Start from this key's current policy (keeps its statements) and show the diff
        #[arg(long, value_name = "KEY")]
        key: Option<String>,
    },
}

#[derive(Serialize)]
struct ReasonOut {
    #[serde(flatten)]
    reason: Ineligibility,
    message: String,
    fix: String,
}

#[derive(Serialize)]
struct KeyOut {
    #[serde(flatten)]
    key: KeyInfo,
    label: String,
    eligible: bool,
    reasons: Vec<ReasonOut>,
}

fn key_out(key: KeyInfo, region: &str) -> KeyOut {
    let reasons = eligibility::check(&key, region)
        .into_iter()
        .map(|r| ReasonOut {
            message: r.to_string(),
            fix: r.fix(),
            reason: r,
        })
        .collect::<Vec<_>>();
    KeyOut {
        label: key.label().to_owned(),
        eligible: reasons.is_empty(),
        reasons,
        key,
    }
}

pub fn run(args: KeysArgs) -> ExitCode {
    let j = args.aws.json;
    // `keys policy` without --key needs no AWS at all.
    if let KeysCommand::Policy {
        account,
        role,
        key: None,
    } = &args.command
    {
        let Some(region) = args.aws.region.clone() else {
            return fail(
                j,
                "configuration",
                "no region for the policy",
                Some("pass --region REGION (e.g. us-east-1)"),
                json!({"field": "region"}),
            );
        };
        return policy_offline(j, account, &region, role);
    }
    super::runtime().block_on(async move {
        let clients = match connect(&args.aws).await {
            Ok(c) => c,
            Err(e) => return fail_aws(j, &e),
        };
        let keys = Keys::from_clients(&clients);
        match args.command {
            KeysCommand::List => list(j, &keys).await,
            KeysCommand::Check {
                key,
                role,
                apply,
                yes,
            } => {
                if apply && !yes {
                    return super::aws_args::missing_yes(
                        j,
                        "keys check --apply (PutKeyPolicy)",
                        "review the diff from `keys check KEY`, then pass --apply --yes",
                    );
                }
                check(j, &clients, &keys, &key, role.as_deref(), apply).await
            }
            KeysCommand::Policy {
                account,
                role,
                key: Some(key),
            } => {
                let role = match clients.principal_arn(&role, ASK_ROLE).await {
                    Ok(r) => r,
                    Err(e) => return fail_aws(j, &e),
                };
                policy_for_key(j, &keys, &account, &clients.region, &role, &key).await
            }
            KeysCommand::Policy { .. } => unreachable!("handled above"),
        }
    })
}

async fn list(j: bool, keys: &Keys) -> ExitCode {
    let mut pages = keys.list();
    let mut all = Vec::new();
    if !j {
        outln!(
            "{:<40} {:<10} {:<18} SPEC / REASON",
            "KEY",
            "USABLE",
            "STATE"
        );
    }
    while let Some(page) = pages.next_page().await {
        match page {
            Ok(p) => {
                for k in p {
                    let out = key_out(k, &keys.region);
                    if !j {
                        let why = match out.reasons.first() {
                            None => out.key.key_spec.clone(),
                            Some(r) => format!(
                                "{} — {}",
                                out.reasons
                                    .iter()
                                    .map(|r| r.message.as_str())
                                    .collect::<Vec<_>>()
                                    .join("; "),
                                r.fix
                            ),
                        };
                        outln!(
                            "{:<40} {:<10} {:<18} {}",
                            out.label,
                            if out.eligible { "yes" } else { "no" },
                            out.key.key_state,
                            why
                        );
                    }
                    all.push(out);
                }
            }
            Err(e) => return fail_aws(j, &e),
        }
    }
    if j {
        print_json(&json!({ "ok": true, "region": keys.region, "keys": all }));
    }
    ExitCode::SUCCESS
}

fn print_analysis(a: &Analysis) {
    for (r, ok) in &a.satisfied {
        outln!("  {} {r}", if *ok { "✓" } else { "✗" });
    }
    for f in &a.findings {
        let which = f
            .statement
            .as_deref()
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        outln!("  warning ({:?}){which}: {}", f.kind, f.message);
        outln!("    fix: {}", f.fix);
    }
}

async fn check(
    j: bool,
    clients: &Clients,
    keys: &Keys,
    key: &str,
    role: Option<&str>,
    apply: bool,
) -> ExitCode {
    let info = match keys.describe(key).await {
        Ok(i) => i,
        Err(e) => return fail_aws(j, &e),
    };
    let target = match key_policy::target_for(clients, role, ASK_ROLE).await {
        Ok(t) => t,
        Err(e) => return fail_target(j, e),
    };
    let mut current = match keys.policy(&info.arn).await {
        Ok(p) => p,
        Err(e) => return fail_aws(j, &e),
    };
    let not_json = |e: policy::PolicyError| {
        fail(
            j,
            "configuration",
            &e.to_string(),
            Some(key_policy::NOT_JSON_FIX),
            json!({}),
        )
    };
    let mut checked = match key_policy::check(&current, &target) {
        Ok(c) => c,
        Err(e) => return not_json(e),
    };
    let mut applied = None;
    if apply {
        let recommended = match &checked.recommended {
            Ok(r) => r.clone(),
            Err(e) => return fail(j, "configuration", &e.to_string(), None, json!({})),
        };
        if policy::pretty(&current) != recommended {
            if let Err(e) = keys.put_policy(&info.arn, &recommended).await {
                return fail_aws(j, &e);
            }
            applied = Some(std::mem::take(&mut checked.diff));
            current = match keys.policy(&info.arn).await {
                Ok(p) => p,
                Err(e) => return fail_aws(j, &e),
            };
            checked = match key_policy::check(&current, &target) {
                Ok(c) => c,
                Err(e) => return not_json(e),
            };
        }
    }
    let out = key_out(info, &clients.region);
    let analysis = &checked.analysis;
    let recommended = checked.recommended.as_ref().ok();
    let ok = out.eligible && analysis.is_compliant();
    if j {
        print_json(&json!({
            "ok": ok,
            "key": out,
            "target": target,
            "policy": { "compliant": analysis.is_compliant(), "satisfied": analysis.satisfied, "findings": analysis.findings },
            "current_policy": policy::pretty(&current),
            "recommended_policy": recommended,
            "diff": recommended.map(|_| &checked.diff),
            "applied": applied,
        }));
    } else {
        outln!("{} ({})", out.label, out.key.arn);
        match out.reasons.first() {
            None => outln!("  usable for recommendations in {}", clients.region),
            Some(r) => {
                for r in &out.reasons {
                    outln!("  not usable: {}", r.message);
                }
                outln!("    fix: {}", r.fix);
            }
        }
        if applied.is_some() {
            outln!("applied the recommended key policy (PutKeyPolicy)");
        }
        outln!("key policy for {}:", target.caller);
        print_analysis(analysis);
        if let Some(r) = recommended
            && policy::pretty(&current) != *r
        {
            outln!("recommended policy (diff from the current one):");
            out!("{}", policy::diff_text(&current, r));
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::INVALID)
    }
}

/// How a user gives the role ARN when IAM will not say it.
const ASK_ROLE: &str = "pass the role ARN with its path as --role";

pub(super) fn fail_target(j: bool, e: key_policy::TargetFailure) -> ExitCode {
    match e {
        key_policy::TargetFailure::Aws(e) => fail_aws(j, &e),
        key_policy::TargetFailure::Invalid(e) => fail(
            j,
            "configuration",
            &e.to_string(),
            Some(&e.fix),
            json!({"field": e.field}),
        ),
    }
}

fn policy_offline(j: bool, account: &str, region: &str, role: &str) -> ExitCode {
    let target = match PolicyTarget::new(account, region, role) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                j,
                "configuration",
                &e.to_string(),
                Some(&e.fix),
                json!({"field": e.field}),
            );
        }
    };
    let p = policy::recommended_policy(None, &target).expect("a generated policy is valid");
    if j {
        print_json(
            &json!({ "ok": true, "target": target, "policy": serde_json::from_str::<serde_json::Value>(&p).expect("JSON") }),
        );
    } else {
        outln!("{p}");
    }
    ExitCode::SUCCESS
}

async fn policy_for_key(
    j: bool,
    keys: &Keys,
    account: &str,
    region: &str,
    role: &str,
    key: &str,
) -> ExitCode {
    let target = match PolicyTarget::new(account, region, role) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                j,
                "configuration",
                &e.to_string(),
                Some(&e.fix),
                json!({"field": e.field}),
            );
        }
    };
    let current = match keys.policy(key).await {
        Ok(p) => p,
        Err(e) => return fail_aws(j, &e),
    };
    let checked = match key_policy::check(&current, &target) {
        Ok(c) => c,
        Err(e) => return fail(j, "configuration", &e.to_string(), None, json!({})),
    };
    let p = match &checked.recommended {
        Ok(p) => p.clone(),
        Err(e) => return fail(j, "configuration", &e.to_string(), None, json!({})),
    };
    if j {
        print_json(&json!({
            "ok": true,
            "target": target,
            "policy": serde_json::from_str::<serde_json::Value>(&p).expect("JSON"),
            "diff": checked.diff,
        }));
    } else {
        outln!("{p}");
        super::render::emit_err(&policy::diff_text(&current, &p));
    }
    ExitCode::SUCCESS
}

#[derive(Debug, Args)]
pub struct KmsArgs {
    #[command(subcommand)]
    pub command: KmsCommand,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Subcommand)]
pub enum KmsCommand {
    /// CloudTrail KMS events of recommendations (GenerateDataKey, Decrypt, DescribeKey), newest first
    Activity {
        /// Only the events of this recommendation (id or ARN)
        #[arg(long, value_name = "ID")]
        recommendation: Option<String>,
        /// At most this many events
        #[arg(long, default_value_t = 50)]
        max: usize,
        /// Only events of the last N minutes/hours/days, e.g. 30m, 24h, 7d
        #[arg(long)]
        since: Option<String>,
    },
}

pub fn run_kms(args: KmsArgs) -> ExitCode {
    let j = args.aws.json;
    let KmsCommand::Activity { since, .. } = &args.command;
    let since = match since.as_deref().map(|s| (s, super::recs::parse_since(s))) {
        None => None,
        Some((_, Some(d))) => Some(chrono::Utc::now() - d),
        Some((s, None)) => {
            return fail(
                j,
                "configuration",
                &format!("--since {s:?} is not a duration"),
                Some("write e.g. 30m, 24h or 7d"),
                json!({"field": "since"}),
            );
        }
    };
    super::runtime().block_on(async move {
        let clients = match connect(&args.aws).await {
            Ok(c) => c,
            Err(e) => return fail_aws(j, &e),
        };
        let KmsCommand::Activity {
            recommendation,
            max,
            ..
        } = args.command;
        let filter = ActivityFilter {
            recommendation,
            since,
            max,
        };
        match activity::lookup_with(&clients, &filter).await {
            Ok(events) => {
                if j {
                    print_json(&json!({ "ok": true, "events": events }));
                } else {
                    print_events(&events);
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail_aws(j, &e),
        }
    })
}

fn print_events(events: &[KmsEvent]) {
    outln!(
        "{:<20} {:<16} {:<45} RECOMMENDATION / ERROR",
        "TIME",
        "EVENT",
        "PRINCIPAL"
    );
    for e in events {
        let what = match (&e.error_code, &e.recommendation_arn) {
            (Some(code), _) => format!("{code}: {}", e.error_message.as_deref().unwrap_or("")),
            (None, Some(r)) => crate::arn::resource_id(r).to_owned(),
            (None, None) => String::new(),
        };
        let principal = match &e.invoked_by {
            Some(by) => format!("{} via {by}", e.principal),
            None => e.principal.clone(),
        };
        outln!(
            "{:<20} {:<16} {:<45} {}",
            e.time.format("%Y-%m-%d %H:%M:%S"),
            e.name,
            principal,
            what
        );
    }
}
