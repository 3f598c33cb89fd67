//! A runtime's log lines from CloudWatch Logs: a time window, a text filter (sent to
//! FilterLogEvents as a quoted phrase) and a level (read from each line), every page read;
//! for a tail, one cursor per log group (the runtime's own and the pack's) that never shows a
//! line twice, and a backoff between polls.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::aws::{Error, ErrorContext};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "trace" => Some(Level::Trace),
            "debug" => Some(Level::Debug),
            "info" => Some(Level::Info),
            "warn" | "warning" => Some(Level::Warn),
            "error" | "fatal" | "critical" => Some(Level::Error),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

/// The level a line states: a JSON line's `level`/`levelname`/`severity`, else its first word
/// (`ERROR …`, `[WARN] …`). A line stating none (a traceback, say) has none.
pub fn level_of(message: &str) -> Option<Level> {
    let t = message.trim_start();
    if t.starts_with('{')
        && let Ok(serde_json::Value::Object(o)) = serde_json::from_str(t)
    {
        return ["level", "levelname", "severity"]
            .iter()
            .find_map(|k| o.get(*k).and_then(|v| v.as_str()))
            .and_then(Level::parse);
    }
    let word = t.split_whitespace().next().unwrap_or_default();
    Level::parse(word.trim_matches(|c: char| !c.is_ascii_alphabetic()))
}

/// The runtime's own group (`/aws/bedrock-agentcore/runtimes/{id}-DEFAULT`).
pub const RUNTIME_LABEL: &str = "runtime";
/// The deploy config's `observability.cloudwatch_log_group`.
pub const PACK_LABEL: &str = "pack";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    #[serde(serialize_with = "rfc3339")]
    pub timestamp: i64,
    /// The log group it came from (shared by every line of that group, so a 100k-line tail
    /// does not hold 100k copies of the name).
    #[serde(serialize_with = "shared_str")]
    pub group: Arc<str>,
    pub stream: String,
    pub level: Option<Level>,
    pub message: String,
    #[serde(skip)]
    pub event_id: String,
}

fn rfc3339<S: serde::Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&time_text(*ms))
}

fn shared_str<S: serde::Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

pub fn time_text(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// What is shown: lines at or above `level` (lines stating no level are kept, so a traceback
/// under an ERROR is not lost) that contain `text`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub level: Option<Level>,
    pub text: Option<String>,
}

impl Filter {
    /// CloudWatch's filter pattern for `text`: a quoted phrase, matched exactly. Text holding a
    /// quote cannot be one, so it is matched here only.
    pub fn pattern(&self) -> Option<String> {
        self.text
            .as_deref()
            .filter(|t| !t.is_empty() && !t.contains('"'))
            .map(|t| format!("\"{t}\""))
    }

    pub fn keeps(&self, line: &Line) -> bool {
        self.level
            .is_none_or(|min| line.level.is_none_or(|l| l >= min))
            && self
                .text
                .as_deref()
                .is_none_or(|t| line.message.contains(t))
    }
}

/// `--since`: a number and a unit, `s`, `m`, `h` or `d` (`10m`, `2h`).
pub fn parse_since(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n.parse().map_err(|_| since_error(s))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(since_error(s)),
    };
    Ok(Duration::from_secs(secs))
}

fn since_error(s: &str) -> String {
    format!(
        "--since {}: not a duration; use a number and s, m, h or d, e.g. 10m or 2h",
        crate::sanitize::quote(s)
    )
}

/// What a read found: lines, or no log group yet (AgentCore makes it on the runtime's first
/// output, so right after a deploy that is normal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    Lines(Vec<Line>),
    NoGroup,
}

/// Pages read per fetch at most, so a huge window cannot keep a tail from showing anything.
const MAX_PAGES: usize = 50;

/// Every line of `group` from `start_ms` on, oldest first, filtered.
pub async fn fetch(
    client: &aws_sdk_cloudwatchlogs::Client,
    ctx: &ErrorContext,
    group: &str,
    filter: &Filter,
    start_ms: i64,
) -> Result<Fetched, Error> {
    let mut lines = Vec::new();
    let shared: Arc<str> = Arc::from(group);
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = client
            .filter_log_events()
            .log_group_name(group)
            .start_time(start_ms)
            .set_filter_pattern(filter.pattern())
            .set_next_token(token.take())
            .send()
            .await;
        let out = match out {
            Ok(o) => o,
            Err(e) => return failed(&e, group, ctx),
        };
        lines.extend(out.events().iter().map(|e| {
            let message = e.message().unwrap_or_default().trim_end().to_owned();
            Line {
                timestamp: e.timestamp().unwrap_or_default(),
                group: shared.clone(),
                stream: e.log_stream_name().unwrap_or_default().to_owned(),
                level: level_of(&message),
                message,
                event_id: e.event_id().unwrap_or_default().to_owned(),
            }
        }));
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => break,
        }
    }
    lines.retain(|l| filter.keeps(l));
    Ok(Fetched::Lines(lines))
}

/// Every group of `reads` (a group and where to start in it) at once, each answer beside its
/// group.
pub async fn fetch_all(
    client: &aws_sdk_cloudwatchlogs::Client,
    ctx: &ErrorContext,
    reads: &[(String, i64)],
    filter: &Filter,
) -> Result<Vec<(String, Fetched)>, Error> {
    let got = futures_util::future::try_join_all(
        reads
            .iter()
            .map(|(group, start)| fetch(client, ctx, group, filter, *start)),
    )
    .await?;
    Ok(reads.iter().map(|(g, _)| g.clone()).zip(got).collect())
}

type FilterError = aws_sdk_cloudwatchlogs::error::SdkError<
    aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsError,
    aws_smithy_runtime_api::client::orchestrator::HttpResponse,
>;

/// A missing group is an answer (nothing written yet); anything else an error in plain words,
/// a denial naming `logs:FilterLogEvents` and the principal.
fn failed(e: &FilterError, group: &str, ctx: &ErrorContext) -> Result<Fetched, Error> {
    if e.as_service_error()
        .is_some_and(|s| s.is_resource_not_found_exception())
    {
        return Ok(Fetched::NoGroup);
    }
    let group_arn = format!(
        "arn:{}:logs:{}:{}:log-group:{group}:*",
        crate::arn::partition_of_region(&ctx.region),
        if ctx.region.is_empty() {
            "*"
        } else {
            &ctx.region
        },
        super::denied::account(ctx)
    );
    Err(super::denied::explain(
        Error::from_sdk("logs", "FilterLogEvents", e, ctx),
        "logs:FilterLogEvents",
        &group_arn,
        ctx,
    ))
}

/// Where a tail has got to: the newest timestamp shown and the events shown at it, since the
/// next poll starts at that timestamp again (later lines may share it).
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    pub newest: i64,
    at_newest: HashSet<String>,
}

impl Cursor {
    pub fn new(start_ms: i64) -> Self {
        Cursor {
            newest: start_ms,
            at_newest: HashSet::new(),
        }
    }

    /// The lines not shown yet, and moves the cursor past them.
    pub fn fresh(&mut self, lines: Vec<Line>) -> Vec<Line> {
        let mut out = Vec::new();
        for l in lines {
            if l.timestamp < self.newest
                || (l.timestamp == self.newest && self.at_newest.contains(&l.event_id))
            {
                continue;
            }
            if l.timestamp > self.newest {
                self.newest = l.timestamp;
                self.at_newest.clear();
            }
            self.at_newest.insert(l.event_id.clone());
            out.push(l);
        }
        out
    }
}

/// One group a tail reads: its label (`runtime` or `pack`), its cursor, and whether it exists.
#[derive(Debug, Clone)]
pub struct Source {
    pub label: &'static str,
    pub group: String,
    pub cursor: Cursor,
    pub missing: bool,
}

/// The groups a tail reads, each with its own cursor: event ids and late lines are per group,
/// so one cursor across them would drop a line of the slower group.
#[derive(Debug, Clone)]
pub struct Tail {
    pub sources: Vec<Source>,
}

impl Tail {
    pub fn new(groups: Vec<(&'static str, String)>, start_ms: i64) -> Self {
        Tail {
            sources: groups
                .into_iter()
                .map(|(label, group)| Source {
                    label,
                    group,
                    cursor: Cursor::new(start_ms),
                    missing: false,
                })
                .collect(),
        }
    }

    /// What the next read asks for: each group from its newest line shown.
    pub fn reads(&self) -> Vec<(String, i64)> {
        self.sources
            .iter()
            .map(|s| (s.group.clone(), s.cursor.newest))
            .collect()
    }

    /// The lines not shown yet of every group, oldest first.
    pub fn take(&mut self, got: Vec<(String, Fetched)>) -> Vec<Line> {
        let mut fresh = Vec::new();
        for (group, fetched) in got {
            let Some(source) = self.sources.iter_mut().find(|s| s.group == group) else {
                continue;
            };
            match fetched {
                Fetched::Lines(lines) => {
                    source.missing = false;
                    fresh.extend(source.cursor.fresh(lines));
                }
                Fetched::NoGroup => source.missing = true,
            }
        }
        // Stable, so a group's lines at one timestamp keep their order.
        fresh.sort_by_key(|l| l.timestamp);
        fresh
    }

    /// No group exists yet.
    pub fn all_missing(&self) -> bool {
        self.sources.iter().all(|s| s.missing)
    }

    /// The label of the group a line came from.
    pub fn label_of(&self, group: &str) -> &'static str {
        self.sources
            .iter()
            .find(|s| s.group == group)
            .map_or("", |s| s.label)
    }
}

/// Poll spacing of a tail: quick while lines arrive, doubling to 5 s while nothing does.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    pub const FIRST: Duration = Duration::from_millis(500);
    pub const MAX: Duration = Duration::from_secs(5);

    pub fn new() -> Self {
        Backoff { next: Self::FIRST }
    }

    pub fn after(&mut self, got_lines: bool) -> Duration {
        if got_lines {
            self.next = Self::FIRST;
        }
        let wait = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        wait
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(ts: i64, id: &str, message: &str) -> Line {
        in_group("g", ts, id, message)
    }

    fn in_group(group: &str, ts: i64, id: &str, message: &str) -> Line {
        Line {
            timestamp: ts,
            group: Arc::from(group),
            stream: "s".into(),
            level: level_of(message),
            message: message.into(),
            event_id: id.into(),
        }
    }

    fn service_error(code: &str) -> FilterError {
        use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsError;
        use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
        use aws_smithy_types::body::SdkBody;
        use aws_smithy_types::error::ErrorMetadata;
        let meta = ErrorMetadata::builder()
            .code(code)
            .message("not authorized")
            .build();
        let err = match code {
            "ResourceNotFoundException" => FilterLogEventsError::ResourceNotFoundException(
                aws_sdk_cloudwatchlogs::types::error::ResourceNotFoundException::builder()
                    .meta(meta)
                    .build(),
            ),
            _ => FilterLogEventsError::generic(meta),
        };
        let raw = HttpResponse::new(400.try_into().unwrap(), SdkBody::empty());
        aws_sdk_cloudwatchlogs::error::SdkError::service_error(err, raw)
    }

    #[test]
    fn a_denied_read_names_the_action_and_the_principal_and_a_missing_group_is_no_error() {
        let ctx = ErrorContext {
            profile: None,
            caller_arn: Some("arn:aws:sts::111122223333:assumed-role/Dev/me".into()),
            ..Default::default()
        };
        let ctx = ErrorContext {
            region: "us-east-1".into(),
            ..ctx
        };
        let e = failed(&service_error("AccessDeniedException"), "/g", &ctx).unwrap_err();
        assert_eq!(e.category, crate::aws::Category::Permission);
        assert_eq!(
            e.hint.as_deref(),
            Some(
                "add logs:FilterLogEvents on arn:aws:logs:us-east-1:111122223333:log-group:/g:* to the policy of IAM role Dev (you call as arn:aws:sts::111122223333:assumed-role/Dev/me)"
            )
        );
        assert!(e.message.contains("logs:FilterLogEvents"), "{}", e.message);
        assert!(
            e.message
                .contains("arn:aws:sts::111122223333:assumed-role/Dev/me"),
            "{}",
            e.message
        );
        assert_eq!(
            failed(&service_error("ResourceNotFoundException"), "/g", &ctx),
            Ok(Fetched::NoGroup)
        );
    }

    #[test]
    fn levels_come_from_json_lines_or_the_first_word() {
        assert_eq!(level_of(r#"{"level":"WARN","x":1}"#), Some(Level::Warn));
        assert_eq!(level_of("[ERROR] boom"), Some(Level::Error));
        assert_eq!(level_of("  File \"main.py\", line 3"), None);
    }

    #[test]
    fn the_level_filter_keeps_higher_levels_and_lines_without_one() {
        let f = Filter {
            level: Some(Level::Warn),
            text: None,
        };
        assert!(!f.keeps(&line(1, "a", "INFO started")));
        assert!(f.keeps(&line(1, "a", "ERROR failed")));
        assert!(f.keeps(&line(1, "a", "Traceback (most recent call last):")));
    }

    #[test]
    fn text_with_a_quote_is_not_sent_as_a_pattern_but_still_filters() {
        let f = Filter {
            level: None,
            text: Some("say \"hi\"".into()),
        };
        assert_eq!(f.pattern(), None);
        assert!(f.keeps(&line(1, "a", "they say \"hi\" here")));
        assert!(!f.keeps(&line(1, "a", "they say hi here")));
        let plain = Filter {
            level: None,
            text: Some("order 42".into()),
        };
        assert_eq!(plain.pattern().as_deref(), Some("\"order 42\""));
    }

    #[test]
    fn since_takes_a_number_and_a_unit() {
        assert_eq!(parse_since("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_since("2h"), Ok(Duration::from_secs(7200)));
        assert!(parse_since("10").unwrap_err().contains("e.g. 10m"));
        assert!(parse_since("ten minutes").is_err());
    }

    #[test]
    fn the_cursor_shows_each_line_once_even_at_a_shared_timestamp() {
        let mut c = Cursor::new(0);
        let first = c.fresh(vec![line(5, "a", "x"), line(5, "b", "y")]);
        assert_eq!(first.len(), 2);
        // The next poll starts at 5 again and sees a, b and a new c at 5, and d at 6.
        let next = c.fresh(vec![
            line(5, "a", "x"),
            line(5, "b", "y"),
            line(5, "c", "z"),
            line(6, "d", "w"),
        ]);
        let ids: Vec<&str> = next.iter().map(|l| l.event_id.as_str()).collect();
        assert_eq!(ids, ["c", "d"]);
        assert_eq!(c.newest, 6);
    }

    #[test]
    fn a_tail_of_two_groups_keeps_a_cursor_each_and_merges_by_time() {
        let mut t = Tail::new(
            vec![(RUNTIME_LABEL, "rt".into()), (PACK_LABEL, "pack".into())],
            0,
        );
        let got = t.take(vec![
            (
                "rt".into(),
                Fetched::Lines(vec![in_group("rt", 9, "a", "x")]),
            ),
            ("pack".into(), Fetched::NoGroup),
        ]);
        assert_eq!(got.len(), 1);
        assert!(!t.all_missing());
        assert_eq!(t.reads(), [("rt".to_string(), 9), ("pack".to_string(), 0)]);
        // The pack group's line at 5 arrives after the runtime's at 9: it is still shown, and
        // the merge puts it first.
        let got = t.take(vec![
            (
                "rt".into(),
                Fetched::Lines(vec![
                    in_group("rt", 9, "a", "x"),
                    in_group("rt", 12, "b", "y"),
                ]),
            ),
            (
                "pack".into(),
                Fetched::Lines(vec![in_group("pack", 5, "a", "x")]),
            ),
        ]);
        let order: Vec<(&str, i64)> = got.iter().map(|l| (&*l.group, l.timestamp)).collect();
        assert_eq!(order, [("pack", 5), ("rt", 12)]);
        assert_eq!(t.label_of("pack"), PACK_LABEL);
        let json = serde_json::to_value(&got[0]).unwrap();
        assert_eq!(json["group"], "pack");
    }

    #[test]
    fn backoff_doubles_while_idle_and_resets_on_lines() {
        let mut b = Backoff::new();
        assert_eq!(b.after(false), Duration::from_millis(500));
        assert_eq!(b.after(false), Duration::from_secs(1));
        for _ in 0..10 {
            b.after(false);
        }
        assert_eq!(b.after(false), Backoff::MAX);
        assert_eq!(b.after(true), Backoff::FIRST);
    }
}
