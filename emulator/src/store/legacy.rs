//! State files of format 1: the whole world as one JSON document, rewritten on every change.
//! Read once, to move them into the database.

use std::path::Path;

use serde::Deserialize;

use crate::world::WorldState;

pub const FORMAT: u32 = 1;

#[derive(Deserialize)]
struct Head {
    format: u32,
}

#[derive(Deserialize)]
struct Envelope {
    world: WorldState,
}

/// Whether the file's first bytes look like a JSON document (a format-1 state file).
pub fn looks_like(head: &[u8]) -> bool {
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
}

pub fn load(path: &Path) -> Result<WorldState, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
    let not_state = |e: serde_json::Error| {
        format!(
            "it is not an emulator state file (line {}, column {}: {e}); move it away or pass another --state path",
            e.line(),
            e.column()
        )
    };
    let head: Head = serde_json::from_str(&text).map_err(not_state)?;
    if head.format != FORMAT {
        return Err(format!(
            "it is a JSON state file of format {} but this emulator migrates format {FORMAT} only; delete it to start fresh",
            head.format
        ));
    }
    let mut world = serde_json::from_str::<Envelope>(&text)
        .map_err(not_state)?
        .world;
    // Events had no sequence number: they are numbered in the order the file kept them.
    for (i, e) in world.events.iter_mut().enumerate() {
        e.seq = i as u64 + 1;
    }
    world.event_seq = world.events.len() as u64;
    world.reindex();
    Ok(world)
}
