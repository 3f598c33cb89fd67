//! Time passing: every state change that has come due, in every service, applied before a
//! request is served (there is no clock thread).

use chrono::{DateTime, Utc};

use crate::timing::Timing;
use crate::world::{self, WorldState};

/// Returns whether anything changed, so the caller knows to save the world.
pub fn tick(world: &mut WorldState, now: DateTime<Utc>, timing: &Timing) -> bool {
    let before = (
        world.resources.len(),
        world.recommendations().len(),
        world.keys.len(),
        world.id_counter,
    );
    let changed = world::advance_resources(world, now);
    let recs_moved = crate::recommendations::advance(world, now, timing);
    crate::kms::advance(world, now);
    changed
        || recs_moved
        || before
            != (
                world.resources.len(),
                world.recommendations().len(),
                world.keys.len(),
                world.id_counter,
            )
}
