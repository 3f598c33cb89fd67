//! CloudWatch Logs (awsJson1.1): FilterLogEvents and GetLogEvents over the world's log groups,
//! and `append`, through which the stand-in agent writes its lines.

use serde_json::{Map, Value, json};

use crate::wire::{ApiError, ApiResult, decode_token, encode_token};
use crate::world::{Ctx, LogEvent, LogGroup, WorldState};

/// What CloudWatch Logs answers at most per page when no `limit` is given.
const DEFAULT_LIMIT: usize = 10_000;

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "InvalidParameterException", message)
}

fn group_missing() -> ApiError {
    ApiError::new(
        400,
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
}

/// Adds lines to a stream at `timestamp` (ms), creating the group and stream as CloudWatch does
/// for a writer with `logs:CreateLogGroup`/`logs:CreateLogStream`.
pub fn append(
    world: &mut WorldState,
    ctx: &Ctx,
    group: &str,
    stream: &str,
    timestamp: i64,
    lines: &[String],
) {
    let now_ms = ctx.now.timestamp_millis();
    let mut seq = world.log_seq;
    let g = world
        .log_groups
        .entry(ctx.region.clone())
        .or_default()
        .entry(group.to_string())
        .or_insert_with(|| LogGroup {
            created_ms: now_ms,
            ..Default::default()
        });
    let events = g.streams.entry(stream.to_string()).or_default();
    for line in lines {
        seq += 1;
        events.push(LogEvent {
            timestamp,
            ingestion_time: now_ms,
            message: line.clone(),
            seq,
        });
    }
    g.trim();
    world.log_seq = seq;
}

/// `logGroupName` or `logGroupIdentifier` (a name or an ARN), exactly one of them.
fn group_name(body: &Map<String, Value>) -> ApiResult<String> {
    let name = body.get("logGroupName").and_then(Value::as_str);
    let ident = body.get("logGroupIdentifier").and_then(Value::as_str);
    match (name, ident) {
        (Some(_), Some(_)) => Err(invalid(
            "LogGroupName and LogGroupIdentifier are mutually exclusive parameters.",
        )),
        (Some(n), None) => Ok(n.to_string()),
        (None, Some(i)) => Ok(match i.split_once(":log-group:") {
            Some((_, rest)) => rest.trim_end_matches(":*").to_string(),
            None => i.to_string(),
        }),
        (None, None) => Err(invalid(
            "Either LogGroupName or LogGroupIdentifier must be specified.",
        )),
    }
}

fn group<'w>(world: &'w WorldState, ctx: &Ctx, name: &str) -> ApiResult<&'w LogGroup> {
    world
        .log_groups
        .get(&ctx.region)
        .and_then(|g| g.get(name))
        .ok_or_else(group_missing)
}

fn long(body: &Map<String, Value>, name: &str) -> Option<i64> {
    body.get(name).and_then(Value::as_i64)
}

/// A plain-text filter pattern: every term must occur (case-sensitive); a double-quoted term is
/// one phrase. JSON and space-delimited patterns are refused rather than misread.
enum Pattern {
    All,
    Terms(Vec<String>),
}

impl Pattern {
    fn parse(text: &str) -> ApiResult<Pattern> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Pattern::All);
        }
        if text.starts_with('{') || text.starts_with('[') || text.starts_with('%') {
            return Err(invalid(format!(
                "Invalid filter pattern '{text}': this emulator supports plain-text terms and quoted phrases only"
            )));
        }
        let mut terms = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            rest = rest.trim_start();
            if let Some(quoted) = rest.strip_prefix('"') {
                let Some(end) = quoted.find('"') else {
                    return Err(invalid(format!(
                        "Invalid filter pattern '{text}': a quote is not closed"
                    )));
                };
                terms.push(quoted[..end].to_string());
                rest = &quoted[end + 1..];
            } else {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                if end > 0 {
                    terms.push(rest[..end].to_string());
                }
                rest = &rest[end..];
            }
        }
        Ok(Pattern::Terms(terms))
    }

    fn matches(&self, message: &str) -> bool {
        match self {
            Pattern::All => true,
            Pattern::Terms(t) => t.iter().all(|term| message.contains(term.as_str())),
        }
    }
}

fn sort_key(timestamp: i64, seq: u64) -> String {
    format!("{timestamp:020}/{seq:020}")
}

pub fn filter_log_events(
    world: &WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Value> {
    let name = group_name(body)?;
    let pattern = Pattern::parse(
        body.get("filterPattern")
            .and_then(Value::as_str)
            .unwrap_or(""),
    )?;
    let (start, end) = (long(body, "startTime"), long(body, "endTime"));
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        return Err(invalid("startTime must be less than or equal to endTime."));
    }
    let names: Option<Vec<&str>> = body
        .get("logStreamNames")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect());
    let prefix = body.get("logStreamNamePrefix").and_then(Value::as_str);
    if names.is_some() && prefix.is_some() {
        return Err(invalid(
            "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.",
        ));
    }
    let after = body
        .get("nextToken")
        .and_then(Value::as_str)
        .map(|t| {
            decode_token(t).map_err(|_| invalid(format!("The specified nextToken is invalid: {t}")))
        })
        .transpose()?;
    let limit = long(body, "limit").map_or(DEFAULT_LIMIT, |n| n as usize);
    let g = group(world, ctx, &name)?;
    let streams: Vec<(&String, &Vec<LogEvent>)> = g
        .streams
        .iter()
        .filter(|(s, _)| names.as_ref().is_none_or(|n| n.contains(&s.as_str())))
        .filter(|(s, _)| prefix.is_none_or(|p| s.starts_with(p)))
        .collect();
    let mut hits: Vec<(&String, &LogEvent)> = streams
        .iter()
        .flat_map(|(s, evs)| evs.iter().map(move |e| (*s, e)))
        .filter(|(_, e)| start.is_none_or(|s| e.timestamp >= s))
        .filter(|(_, e)| end.is_none_or(|t| e.timestamp <= t))
        .filter(|(_, e)| pattern.matches(&e.message))
        .filter(|(_, e)| {
            after
                .as_ref()
                .is_none_or(|a| sort_key(e.timestamp, e.seq) > *a)
        })
        .collect();
    hits.sort_by_key(|(_, e)| (e.timestamp, e.seq));
    let page = &hits[..hits.len().min(limit)];
    let mut out = json!({
        "events": page.iter().map(|(s, e)| json!({
            "logStreamName": s,
            "timestamp": e.timestamp,
            "message": e.message,
            "ingestionTime": e.ingestion_time,
            "eventId": format!("{:056}", e.seq),
        })).collect::<Vec<_>>(),
        "searchedLogStreams": streams.iter().map(|(s, _)| json!({
            "logStreamName": s, "searchedCompletely": true,
        })).collect::<Vec<_>>(),
    });
    if hits.len() > page.len()
        && let Some((_, last)) = page.last()
    {
        out["nextToken"] = json!(encode_token(&sort_key(last.timestamp, last.seq)));
    }
    Ok(out)
}

/// Tokens are `f/<index>` and `b/<index>` into the stream, as CloudWatch's look; at either end
/// the same token comes back, which is how a reader knows it has caught up.
pub fn get_log_events(
    world: &WorldState,
    ctx: &Ctx,
    body: &Map<String, Value>,
) -> ApiResult<Value> {
    let name = group_name(body)?;
    let stream = body
        .get("logStreamName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let g = group(world, ctx, &name)?;
    let events = g.streams.get(stream).ok_or_else(|| {
        ApiError::new(
            400,
            "ResourceNotFoundException",
            "The specified log stream does not exist.",
        )
    })?;
    let (start, end) = (long(body, "startTime"), long(body, "endTime"));
    let window: Vec<&LogEvent> = events
        .iter()
        .filter(|e| start.is_none_or(|s| e.timestamp >= s))
        .filter(|e| end.is_none_or(|t| e.timestamp < t))
        .collect();
    let limit = long(body, "limit").map_or(DEFAULT_LIMIT, |n| n as usize);
    let parse = |t: &str| -> ApiResult<(bool, usize)> {
        let bad = || invalid(format!("The specified nextToken is invalid: {t}"));
        let (dir, n) = t.split_once('/').ok_or_else(bad)?;
        let n: usize = n.parse().map_err(|_| bad())?;
        match dir {
            "f" => Ok((true, n.min(window.len()))),
            "b" => Ok((false, n.min(window.len()))),
            _ => Err(bad()),
        }
    };
    let head = body
        .get("startFromHead")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    // [from, to) of the window this page covers.
    let (from, to) = match body.get("nextToken").and_then(Value::as_str) {
        Some(t) => match parse(t)? {
            (true, at) => (at, (at + limit).min(window.len())),
            (false, at) => (at.saturating_sub(limit), at),
        },
        None if head => (0, limit.min(window.len())),
        None => (window.len().saturating_sub(limit), window.len()),
    };
    Ok(json!({
        "events": window[from..to].iter().map(|e| json!({
            "timestamp": e.timestamp,
            "message": e.message,
            "ingestionTime": e.ingestion_time,
        })).collect::<Vec<_>>(),
        "nextForwardToken": format!("f/{to:020}"),
        "nextBackwardToken": format!("b/{from:020}"),
    }))
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    #[test]
    fn plain_text_terms_all_match_and_quotes_keep_phrases() {
        let p = Pattern::parse(r#"ERROR "order 42""#).unwrap_or(Pattern::All);
        assert!(p.matches("ERROR while looking up order 42"));
        assert!(!p.matches("ERROR while looking up order 43"));
        assert!(
            !p.matches("error while looking up order 42"),
            "case-sensitive"
        );
        assert!(Pattern::parse("{ $.level = \"ERROR\" }").is_err());
        assert!(Pattern::parse("\"open").is_err());
    }
}
