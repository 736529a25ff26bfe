//! The commands the UI invokes, by area. Each is a thin adapter: read what the UI sent (see
//! `args`), call the library crates (`hearth-profile`, `hearth-sync`, `hearth-intel`), answer
//! with serialisable data (see `views`) or a [`CommandError`](crate::error::CommandError).
//! No business rules live here.

pub mod day;
pub mod files;
pub mod households;
pub mod meetings;
pub mod profile;
pub mod search;
pub mod settings;
pub mod sharing;
pub mod updates;
