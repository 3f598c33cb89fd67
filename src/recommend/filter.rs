//! Type-to-filter and sorting over recommendation summaries; pure, so the TUI list and the
//! benchmark use the same code.

use super::model::Summary;

/// ASCII case-insensitive substring test without allocating; `needle` must be lower case.
fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return true;
    }
    if n.len() > h.len() {
        return false;
    }
    h.windows(n.len())
        .any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

/// Indices of the summaries matching every whitespace-separated term of `query` in their name,
/// id, status or type (case-insensitive), in their original order. An empty query matches all.
pub fn filter(items: &[Summary], query: &str) -> Vec<usize> {
    let terms: Vec<String> = query
        .split_whitespace()
        .map(|t| t.to_ascii_lowercase())
        .collect();
    items
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            terms.iter().all(|t| {
                contains_ci(&s.name, t)
                    || contains_ci(&s.id, t)
                    || contains_ci(s.status.as_str(), t)
                    || contains_ci(&s.rec_type, t)
            })
        })
        .map(|(i, _)| i)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    NewestFirst,
    Name,
    Status,
}

/// Sorts `indices` (into `items`) by `key`; ties keep the newest first.
pub fn sort(items: &[Summary], indices: &mut [usize], key: SortKey) {
    indices.sort_by(|&a, &b| {
        let (x, y) = (&items[a], &items[b]);
        let newest = y
            .created_at
            .cmp(&x.created_at)
            .then_with(|| x.id.cmp(&y.id));
        match key {
            SortKey::NewestFirst => newest,
            // Case-folded byte by byte: no allocation per comparison.
            SortKey::Name => x
                .name
                .bytes()
                .map(|b| b.to_ascii_lowercase())
                .cmp(y.name.bytes().map(|b| b.to_ascii_lowercase()))
                .then(newest),
            SortKey::Status => x.status.as_str().cmp(y.status.as_str()).then(newest),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommend::model::Status;
    use chrono::{TimeZone, Utc};

    fn s(id: &str, name: &str, status: Status, minute: u32) -> Summary {
        Summary {
            id: id.into(),
            arn: format!("arn:aws:bedrock-agentcore:us-east-1:111122223333:recommendation/{id}"),
            name: name.into(),
            description: None,
            rec_type: "SYSTEM_PROMPT_RECOMMENDATION".into(),
            status,
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, minute, 0).unwrap(),
            updated_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, minute, 0).unwrap(),
        }
    }

    #[test]
    fn filters_on_every_term_case_insensitively() {
        let items = vec![
            s("rec-aaa", "Support_Prompt", Status::Completed, 1),
            s("rec-bbb", "billing-tools", Status::Failed, 2),
            s("rec-ccc", "support-tools", Status::InProgress, 3),
        ];
        assert_eq!(filter(&items, ""), vec![0, 1, 2]);
        assert_eq!(filter(&items, "SUPPORT"), vec![0, 2]);
        assert_eq!(filter(&items, "support progress"), vec![2]);
        assert_eq!(filter(&items, "rec-bb"), vec![1]);
        assert_eq!(filter(&items, "failed"), vec![1]);
        assert_eq!(filter(&items, "nothing"), Vec::<usize>::new());

        let mut idx = filter(&items, "");
        sort(&items, &mut idx, SortKey::NewestFirst);
        assert_eq!(idx, vec![2, 1, 0]);
        sort(&items, &mut idx, SortKey::Name);
        // '-' sorts before '_'
        assert_eq!(idx, vec![1, 2, 0]);
        sort(&items, &mut idx, SortKey::Status);
        assert_eq!(idx, vec![0, 1, 2]);
    }
}
