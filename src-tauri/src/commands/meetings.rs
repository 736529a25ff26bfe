//! Meetings: the disclosure, a transcript made elsewhere, a meeting's view, its analysis and
//! filing what the advisor accepted.

use hearth_intel::{Analysis, EngineUsed};
use hearth_profile::Filed;
use serde::Serialize;
use tauri::State;

use crate::args::{given, invalid, meeting_start};
use crate::commands::settings::{engine, tone};
use crate::error::CommandResult;
use crate::state::AppState;
use crate::views::{MeetingView, meeting_view};

/// The firm's recording disclosure.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Disclosure {
    /// Version, stored with each consent.
    pub version: String,
    /// The words the advisor reads out.
    pub text: String,
}

/// The disclosure to read before recording.
#[tauri::command]
pub async fn disclosure(state: State<'_, AppState>) -> CommandResult<Disclosure> {
    state
        .with_profile(|p| {
            let (version, text) = p.disclosure()?;
            Ok(Disclosure { version, text })
        })
        .await
}

/// Adds a meeting from a transcript made elsewhere (Hearth JSON or `Speaker: words` lines),
/// with the consent the advisor attests; returns the meeting id.
#[tauri::command]
pub async fn import_transcript(
    state: State<'_, AppState>,
    household_id: String,
    title: String,
    date: Option<String>,
    transcript: String,
    consented_by: Vec<String>,
) -> CommandResult<String> {
    let parsed = hearth_profile::parse_transcript(&transcript)
        .map_err(|why| invalid(format!("Hearth cannot read this transcript: {why}")))?;
    let started_at = meeting_start(date)?;
    let title = given(Some(title)).unwrap_or_else(|| "Meeting".to_string());
    let id = state
        .with_profile(move |p| {
            Ok(p.import_transcript(&household_id, &title, started_at, &parsed, &consented_by)?)
        })
        .await?;
    state.sync.kick();
    Ok(id)
}

/// One meeting.
#[tauri::command]
pub async fn meeting(state: State<'_, AppState>, meeting_id: String) -> CommandResult<MeetingView> {
    state
        .with_profile(move |p| meeting_view(p, &meeting_id))
        .await
}

/// What an analysis produced and which engine produced it.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct AnalysisOutcome {
    /// The suggestions to review.
    pub analysis: Analysis,
    /// `local` or `llm`.
    pub engine: EngineUsed,
    /// Why the LLM's result was not used, if one was configured.
    pub fallback_reason: Option<String>,
}

/// Analyses a meeting (notes, action items, facts, compliance flags, follow-up draft) and
/// stores the analysis on the meeting.
#[tauri::command]
pub async fn analyze_meeting(
    state: State<'_, AppState>,
    meeting_id: String,
) -> CommandResult<AnalysisOutcome> {
    let outcome = state
        .with_profile(move |p| {
            let engine = engine(p)?;
            let tone = tone(p)?;
            Ok(p.analyze_meeting(&meeting_id, &engine, tone)?)
        })
        .await?;
    state.sync.kick();
    Ok(AnalysisOutcome {
        analysis: outcome.analysis,
        engine: outcome.engine,
        fallback_reason: outcome.fallback_reason,
    })
}

/// Corrects who spoke: the segments labelled `old` (`?` for unlabelled ones) — all of them,
/// or only segments `from`..=`to` — become `to_speaker`; an analysed meeting is analysed
/// again so the owners of action items follow the speakers. Answers with the meeting.
#[tauri::command]
pub async fn relabel_speaker(
    state: State<'_, AppState>,
    meeting_id: String,
    old: String,
    new: String,
    from: Option<usize>,
    to: Option<usize>,
) -> CommandResult<MeetingView> {
    let segments = match (from, to) {
        (Some(a), Some(b)) if a <= b => Some(a..=b),
        (Some(a), None) => Some(a..=a),
        (None, None) => None,
        _ => return Err(invalid("the segments to relabel run backwards")),
    };
    let view = state
        .with_profile(move |p| {
            let changed = p.relabel_speakers(&meeting_id, &old, &new, segments)?;
            if changed > 0 && p.find_meeting(&meeting_id)?.meeting.analysis.is_some() {
                let engine = engine(p)?;
                let tone = tone(p)?;
                p.analyze_meeting(&meeting_id, &engine, tone)?;
            }
            meeting_view(p, &meeting_id)
        })
        .await?;
    state.sync.kick();
    Ok(view)
}

/// Changes a suggestion before it is filed (`action:N`: `text`, `owner`, `due`; `note:N`,
/// `fact:N`: `text`; `email`: `subject`, `text`); answers with the meeting and its analysis.
#[tauri::command]
#[allow(clippy::too_many_arguments)] // each is one named IPC argument the UI sends
pub async fn revise_suggestion(
    state: State<'_, AppState>,
    meeting_id: String,
    item: String,
    text: Option<String>,
    owner: Option<String>,
    due: Option<String>,
    subject: Option<String>,
) -> CommandResult<MeetingView> {
    let view = state
        .with_profile(move |p| {
            p.revise_item(
                &meeting_id,
                &item,
                hearth_profile::SuggestionEdit {
                    text,
                    owner,
                    due,
                    subject,
                },
            )?;
            meeting_view(p, &meeting_id)
        })
        .await?;
    state.sync.kick();
    Ok(view)
}

/// Files accepted suggestions (`action:N`, `fact:N`, `note:N`, `notes`, `all`) into the
/// household.
#[tauri::command]
pub async fn accept_meeting_items(
    state: State<'_, AppState>,
    meeting_id: String,
    items: Vec<String>,
) -> CommandResult<Filed> {
    let filed = state
        .with_profile(move |p| Ok(p.accept_meeting_items(&meeting_id, &items)?))
        .await?;
    state.sync.kick();
    Ok(filed)
}
