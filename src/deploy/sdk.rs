//! What every kind's SDK requests share: building a request shape, tags as the SDK's map, and
//! the fingerprint state keeps of each spec. Each kind builds its own shapes in `apply/<kind>.rs`.

use std::collections::{BTreeMap, HashMap};

use aws_smithy_types::error::operation::BuildError;

use crate::aws::{self, Category};

pub fn built<T>(r: Result<T, BuildError>, what: &str) -> Result<T, aws::Error> {
    r.map_err(|e| {
        aws::Error::new(
            Category::Configuration,
            "BuildRequest",
            format!("cannot build the {what} request: {e}"),
        )
        .with_hint("check the deploy config and pack values for this resource")
    })
}

pub fn hash_map(m: &BTreeMap<String, String>) -> HashMap<String, String> {
    m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// A stable fingerprint of a spec, stored in state so re-plan knows what changed.
pub fn fingerprint(v: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(v).unwrap_or_default();
    // FNV-1a: stable across Rust versions, unlike DefaultHasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprint_changes_with_content_only() {
        assert_eq!(fingerprint(&json!({"a":1})), fingerprint(&json!({"a":1})));
        assert_ne!(fingerprint(&json!({"a":1})), fingerprint(&json!({"a":2})));
    }
}
