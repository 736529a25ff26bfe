//! The advisor's day, as pure functions over what the profile reads: [`today`] gathers open
//! loops, date alerts, upcoming meetings and colleagues' changes across every household;
//! [`brief`] writes the one-page brief an advisor reads before a meeting.
//!
//! Nothing here reads a clock, a file or the network: the profile layer reads the listing
//! rows and documents and passes "today" in, so every function is tested with fixed inputs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod brief;
pub mod today;

pub use brief::Brief;
pub use today::Today;
