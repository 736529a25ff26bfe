//! What the UI receives for a household or a meeting: each built in one place, so every
//! command that changes one answers with the fresh view and the UI reloads nothing else.

use hearth_core::{FieldConflict, HouseholdData};
use hearth_intel::Analysis;
use hearth_profile::{FoundMeeting, Profile};
use serde::Serialize;

use crate::error::CommandResult;

/// A household as its page shows it: everything but the meetings' transcripts (the meeting
/// screen loads those), the fields set concurrently, and who may own its tasks.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct HouseholdView {
    /// The household; each meeting's `transcript` is empty here.
    pub data: HouseholdData,
    /// Fields two advisors set at the same time, waiting for someone to pick a value.
    pub conflicts: Vec<FieldConflict>,
    /// Advisors who can own its tasks (as far as this desk knows).
    pub advisors: Vec<String>,
}

/// The household page's view of `id`.
pub(crate) fn household_view(p: &Profile, id: &str) -> CommandResult<HouseholdView> {
    let household = p.household(id)?;
    Ok(HouseholdView {
        data: household
            .data_without_transcripts()
            .map_err(hearth_profile::ProfileError::from)?,
        conflicts: household
            .conflicts()
            .map_err(hearth_profile::ProfileError::from)?,
        advisors: p.advisors_of(id)?,
    })
}

/// A meeting with its stored analysis, if any.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct MeetingView {
    /// The meeting and its household.
    #[serde(flatten)]
    pub found: FoundMeeting,
    /// The stored analysis.
    pub analysis: Option<Analysis>,
}

/// A meeting and its stored analysis.
pub(crate) fn meeting_view(p: &mut Profile, meeting_id: &str) -> CommandResult<MeetingView> {
    let found = p.find_meeting(meeting_id)?;
    let analysis = match found.meeting.analysis {
        Some(_) => Some(p.meeting_analysis(meeting_id)?.1),
        None => None,
    };
    Ok(MeetingView { found, analysis })
}
