//! The messages of each area (wizard, deploy, recommendations): the requests a screen sends and
//! the answers it gets. A leaf: nothing here imports a screen, the app or the runtime.

pub mod call;
pub mod deploy;
pub mod recs;
pub mod wizard;
