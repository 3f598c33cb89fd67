//! Widgets shared by the screens: lists, fields, hints, overlays, the stepper, the diagnostics.
//!
//! Reusable pieces of screens. Widgets render from state they are given and never compute it.

pub mod diagnostics;
pub mod filter_list;
pub mod key_hints;
pub mod overlay;
pub mod stepper;
pub mod text_field;
pub mod type_confirm;
