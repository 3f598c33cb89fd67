//! Widgets shared by the screens: lists, fields, hints, overlays, the stepper, the diagnostics,
//! the KMS key picker.
//!
//! Reusable pieces of screens, importing no screen. A widget renders from its own state or what
//! it is given; one that needs data (the key picker) hands its owner a request to send.

pub mod diagnostics;
pub mod filter_list;
pub mod key_hints;
pub mod key_picker;
pub mod overlay;
pub mod stepper;
pub mod text_field;
pub mod type_confirm;
pub mod visible;
