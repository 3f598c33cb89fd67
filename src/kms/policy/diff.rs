//! Showing a policy change: both sides pretty-printed, then compared line by line.

use serde::Serialize;
use serde_json::Value;

/// A policy as pretty JSON (2-space indent, key order kept) so diffs compare content, not layout.
/// Text that is not JSON is returned unchanged.
pub fn pretty(policy: &str) -> String {
    match serde_json::from_str::<Value>(policy) {
        Ok(v) => serde_json::to_string_pretty(&v).expect("JSON values always serialise"),
        Err(_) => policy.to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineChange {
    Same,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    pub change: LineChange,
    pub text: String,
}

/// Line diff of current → recommended, both normalised with [`pretty`].
pub fn diff(current: &str, recommended: &str) -> Vec<DiffLine> {
    line_diff(&pretty(current), &pretty(recommended))
}

/// Line diff of `a` → `b`, line texts without their newline; also serves recommendation texts.
pub fn line_diff(a: &str, b: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(a, b)
        .iter_all_changes()
        .map(|c| DiffLine {
            change: match c.tag() {
                similar::ChangeTag::Equal => LineChange::Same,
                similar::ChangeTag::Insert => LineChange::Added,
                similar::ChangeTag::Delete => LineChange::Removed,
            },
            text: c.value().trim_end_matches('\n').to_owned(),
        })
        .collect()
}

/// `diff` as text with `+`/`-`/` ` prefixes, for the CLI.
pub fn diff_text(current: &str, recommended: &str) -> String {
    diff(current, recommended)
        .iter()
        .map(|l| {
            let p = match l.change {
                LineChange::Same => ' ',
                LineChange::Added => '+',
                LineChange::Removed => '-',
            };
            format!("{p} {}\n", l.text)
        })
        .collect()
}
