//! The advisor's day: Today, the date alerts and the pre-meeting brief. All read the profile's
//! listing rows (the brief reads its one household), never every document.

use hearth_profile::{Brief, HouseholdAlert, Today};
use tauri::State;

use crate::args::day;
use crate::error::CommandResult;
use crate::state::AppState;

/// Today (or `date`, YYYY-MM-DD): open loops across households, dates that matter, upcoming
/// reviews and meetings, and colleagues' changes since the advisor last looked.
#[tauri::command]
pub async fn today(state: State<'_, AppState>, date: Option<String>) -> CommandResult<Today> {
    let date = day(date)?;
    state.with_profile(move |p| Ok(p.today_view(date)?)).await
}

/// Marks colleagues' changes up to `up_to` (Today's `latest_seq`) as seen.
#[tauri::command]
pub async fn mark_seen(state: State<'_, AppState>, up_to: i64) -> CommandResult<()> {
    state.with_profile(move |p| Ok(p.mark_seen(up_to)?)).await
}

/// The one-page brief of a household for a meeting on `date` (default today).
#[tauri::command]
pub async fn brief(
    state: State<'_, AppState>,
    id: String,
    date: Option<String>,
) -> CommandResult<Brief> {
    let date = day(date)?;
    state.with_profile(move |p| Ok(p.brief(&id, date)?)).await
}

/// The dates that matter in the next `days` days (default 90), of one household or all.
#[tauri::command]
pub async fn alerts(
    state: State<'_, AppState>,
    household_id: Option<String>,
    days: Option<i64>,
) -> CommandResult<Vec<HouseholdAlert>> {
    let date = day(None)?;
    state
        .with_profile(move |p| Ok(p.alerts(household_id.as_deref(), date, days.unwrap_or(90))?))
        .await
}
