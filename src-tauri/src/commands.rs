//! The commands the UI invokes. Each one is a thin call into the library crates: parse what
//! the UI sent, call `hearth-profile` / `hearth-sync`, return serialisable data or a
//! [`CommandError`]. No business rules live here.

use std::collections::BTreeMap;

use hearth_core::{
    Account, Contact, Goal, HistoryEntry, HouseholdData, HouseholdStatus, Member, NoteCategory,
    Role, TaskStatus,
};
use hearth_intel::llm::{LLM_SETTING, LlmSettings, key_account};
use hearth_intel::{Analysis, ApiKey, EngineUsed, FallbackEngine, Tone};
use hearth_profile::{
    DESCRIPTOR_FILE, Filed, FoundMeeting, HouseholdSummary, InitOptions, KeyStorage, Profile,
    ProfileInfo,
};
use serde::Serialize;
use tauri::{AppHandle, State};
use zeroize::Zeroizing;

use crate::error::{CommandError, CommandResult};
use crate::state::{AppState, passphrase_source};
use crate::sync::SyncStatus;

fn invalid(message: impl Into<String>) -> CommandError {
    CommandError::new("invalid", message)
}

fn parse<T: std::str::FromStr<Err = hearth_core::CoreError>>(value: &str) -> CommandResult<T> {
    value
        .parse()
        .map_err(|e: hearth_core::CoreError| invalid(e.to_string()))
}

/// Empty strings from form fields mean "not given".
pub(crate) fn given(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Whether a profile exists and whether it is open.
#[derive(Debug, Serialize)]
pub struct ProfileStatus {
    /// The profile directory.
    pub dir: String,
    /// A profile exists there.
    pub exists: bool,
    /// Who the open profile belongs to, once unlocked.
    pub info: Option<ProfileInfo>,
}

/// Whether a profile exists and is unlocked.
#[tauri::command]
pub async fn profile_status(state: State<'_, AppState>) -> CommandResult<ProfileStatus> {
    let info = match state.profile.lock().await.as_ref() {
        Some(profile) => Some(profile.info()?),
        None => None,
    };
    Ok(ProfileStatus {
        dir: state.dir.display().to_string(),
        exists: state.dir.join(DESCRIPTOR_FILE).exists(),
        info,
    })
}

async fn install_profile(
    app: &AppHandle,
    state: &AppState,
    profile: Profile,
    passphrase: Option<Zeroizing<String>>,
) -> CommandResult<ProfileInfo> {
    let info = profile.info()?;
    let enrolled = hearth_sync::credentials(&profile)?.is_some();
    *state.profile.lock().await = Some(profile);
    if let Ok(mut kept) = state.passphrase.lock() {
        *kept = passphrase;
    }
    if enrolled {
        state
            .sync
            .start(app.clone(), state.dir.clone(), state.passphrase());
    }
    Ok(info)
}

/// Creates the profile: `key_storage` is `keyring` or `passphrase`.
#[tauri::command]
pub async fn create_profile(
    app: AppHandle,
    state: State<'_, AppState>,
    advisor: String,
    device: String,
    key_storage: String,
    passphrase: Option<String>,
) -> CommandResult<ProfileInfo> {
    if advisor.trim().is_empty() {
        return Err(invalid(
            "Enter your name: it is shown on every change you make.",
        ));
    }
    let key_storage = match key_storage.as_str() {
        "keyring" => KeyStorage::Keyring,
        "passphrase" => KeyStorage::Passphrase,
        other => return Err(invalid(format!("unknown key storage '{other}'"))),
    };
    let passphrase = given(passphrase).map(Zeroizing::new);
    if key_storage == KeyStorage::Passphrase && passphrase.as_ref().is_none_or(|p| p.len() < 8) {
        return Err(invalid("Choose a passphrase of at least 8 characters."));
    }
    let dir = state.dir.clone();
    let source = passphrase.clone();
    let device = given(Some(device)).unwrap_or_else(|| "Desktop".to_string());
    let profile = tauri::async_runtime::spawn_blocking(move || {
        Profile::init(
            &dir,
            InitOptions {
                advisor,
                device,
                key_storage,
                passphrase: &mut passphrase_source(source),
            },
        )
    })
    .await
    .map_err(CommandError::internal)??;
    let kept = (key_storage == KeyStorage::Passphrase)
        .then_some(passphrase)
        .flatten();
    install_profile(&app, &state, profile, kept).await
}

/// Unlocks the existing profile; `passphrase` only for passphrase profiles (without it, a
/// passphrase profile answers `passphrase_required`).
#[tauri::command]
pub async fn unlock_profile(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: Option<String>,
) -> CommandResult<ProfileInfo> {
    if let Some(open) = state.profile.lock().await.as_ref() {
        return Ok(open.info()?);
    }
    let dir = state.dir.clone();
    let passphrase = given(passphrase).map(Zeroizing::new);
    let source = passphrase.clone();
    let profile = tauri::async_runtime::spawn_blocking(move || {
        Profile::open(&dir, &mut passphrase_source(source))
    })
    .await
    .map_err(CommandError::internal)??;
    install_profile(&app, &state, profile, passphrase).await
}

/// Enrolls the profile with the firm's relay using a one-time code, then starts syncing.
#[tauri::command]
pub async fn enroll(
    app: AppHandle,
    state: State<'_, AppState>,
    relay: String,
    code: String,
) -> CommandResult<SyncStatus> {
    let relay = relay.trim().to_string();
    if !(relay.starts_with("http://") || relay.starts_with("https://")) {
        return Err(invalid(
            "The relay address starts with https:// (ask your firm admin for it).",
        ));
    }
    {
        let mut guard = state.profile.lock().await;
        let profile = guard.as_mut().ok_or_else(CommandError::locked)?;
        let label = profile.info()?.device;
        hearth_sync::enroll(profile, &relay, code.trim(), &label).await?;
    }
    state
        .sync
        .start(app.clone(), state.dir.clone(), state.passphrase());
    state.sync.kick();
    Ok(state.sync.status())
}

/// Every household's listing row, by name.
#[tauri::command]
pub async fn list_households(state: State<'_, AppState>) -> CommandResult<Vec<HouseholdSummary>> {
    state.with_profile(|p| Ok(p.list_households()?)).await
}

/// Creates a household; returns its id.
#[tauri::command]
pub async fn create_household(
    state: State<'_, AppState>,
    name: String,
    status: String,
    segment: Option<String>,
) -> CommandResult<String> {
    let status: HouseholdStatus = parse(&status)?;
    let segment = given(segment);
    let id = state
        .with_profile(move |p| {
            let id = p.create_household(&name, status)?.to_string();
            if let Some(segment) = segment {
                p.edit(&id, |h, ctx| h.set_segment(Some(&segment), ctx))?;
            }
            Ok(id)
        })
        .await?;
    state.sync.kick();
    Ok(id)
}

/// A household as the household page shows it.
#[derive(Debug, Serialize)]
pub struct HouseholdView {
    /// Everything in the household.
    pub data: HouseholdData,
    /// Who changed what, oldest first.
    pub history: Vec<HistoryEntry>,
}

/// One household with its history.
#[tauri::command]
pub async fn household(state: State<'_, AppState>, id: String) -> CommandResult<HouseholdView> {
    state
        .with_profile(move |p| {
            let mut household = p.household(&id)?;
            let data = household
                .data()
                .map_err(hearth_profile::ProfileError::from)?;
            let history = household
                .history()
                .map_err(hearth_profile::ProfileError::from)?;
            Ok(HouseholdView { data, history })
        })
        .await
}

/// Runs one edit on a household and asks sync to push it.
async fn edit_household<T: Send + 'static>(
    state: &AppState,
    id: String,
    edit: impl FnOnce(
        &mut hearth_core::Household,
        &hearth_core::EditContext,
    ) -> Result<hearth_core::Committed<T>, hearth_core::CoreError>
    + Send
    + 'static,
) -> CommandResult<T> {
    let value = state.with_profile(move |p| Ok(p.edit(&id, edit)?)).await?;
    state.sync.kick();
    Ok(value)
}

/// Sets or clears the service segment.
#[tauri::command]
pub async fn set_segment(
    state: State<'_, AppState>,
    id: String,
    segment: Option<String>,
) -> CommandResult<()> {
    let segment = given(segment);
    edit_household(&state, id, move |h, ctx| {
        h.set_segment(segment.as_deref(), ctx)
    })
    .await
}

/// Adds a member; returns the member id.
#[tauri::command]
pub async fn add_member(
    state: State<'_, AppState>,
    id: String,
    name: String,
    role: String,
    birth_year: Option<i64>,
    email: Option<String>,
    phone: Option<String>,
) -> CommandResult<String> {
    let member = Member {
        name,
        role: parse::<Role>(&role)?,
        birth_year,
        birth_date: None,
        contact: Contact {
            email: given(email),
            phone: given(phone),
        },
    };
    edit_household(&state, id, move |h, ctx| h.add_member(&member, ctx)).await
}

/// Adds an account (money as exact decimal text); returns the account id.
#[tauri::command]
pub async fn add_account(
    state: State<'_, AppState>,
    id: String,
    kind: String,
    custodian: Option<String>,
    aum: Option<String>,
    fee_rate: Option<String>,
) -> CommandResult<String> {
    let account = Account {
        kind,
        custodian: given(custodian),
        registration: None,
        aum: given(aum),
        fee_rate: given(fee_rate),
        ..Default::default()
    };
    edit_household(&state, id, move |h, ctx| h.add_account(&account, ctx)).await
}

/// Adds a goal; returns the goal id.
#[tauri::command]
pub async fn add_goal(
    state: State<'_, AppState>,
    id: String,
    title: String,
    target_amount: Option<String>,
    target_date: Option<String>,
) -> CommandResult<String> {
    let goal = Goal {
        title,
        target_amount: given(target_amount),
        target_date: given(target_date),
        ..Default::default()
    };
    edit_household(&state, id, move |h, ctx| h.add_goal(&goal, ctx)).await
}

/// Adds a note in one of the five categories; returns the note id.
#[tauri::command]
pub async fn add_note(
    state: State<'_, AppState>,
    id: String,
    category: String,
    text: String,
) -> CommandResult<String> {
    let category: NoteCategory = parse(&category)?;
    edit_household(&state, id, move |h, ctx| {
        h.add_note(category, &text, None, ctx)
    })
    .await
}

/// Replaces a note's text (applied as character edits, so concurrent edits merge).
#[tauri::command]
pub async fn edit_note(
    state: State<'_, AppState>,
    id: String,
    note_id: String,
    text: String,
) -> CommandResult<()> {
    edit_household(&state, id, move |h, ctx| h.edit_note(&note_id, &text, ctx)).await
}

/// Adds an open loop owned by this advisor; returns the task id.
#[tauri::command]
pub async fn add_task(
    state: State<'_, AppState>,
    id: String,
    title: String,
    due: Option<String>,
) -> CommandResult<String> {
    let due = given(due);
    edit_household(&state, id, move |h, ctx| {
        let owner = ctx.advisor.clone();
        h.add_task(&title, &owner, due.as_deref(), None, ctx)
    })
    .await
}

/// Marks an open loop open, done or cancelled.
#[tauri::command]
pub async fn set_task_status(
    state: State<'_, AppState>,
    id: String,
    task_id: String,
    status: String,
) -> CommandResult<()> {
    let status: TaskStatus = parse(&status)?;
    edit_household(&state, id, move |h, ctx| {
        h.set_task_status(&task_id, status, ctx)
    })
    .await
}

/// The firm's recording disclosure.
#[derive(Debug, Serialize)]
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

/// A meeting's start from the form's date (noon that day), or now.
pub(crate) fn meeting_start(date: Option<String>) -> CommandResult<i64> {
    Ok(match given(date) {
        Some(day) => chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .map_err(|_| invalid(format!("'{day}' is not a date (YYYY-MM-DD)")))?
            .and_hms_opt(12, 0, 0)
            .map(|t| t.and_utc().timestamp_millis())
            .unwrap_or_default(),
        None => chrono::Utc::now().timestamp_millis(),
    })
}

/// A meeting with its stored analysis, if any.
#[derive(Debug, Serialize)]
pub struct MeetingView {
    /// The meeting and its household.
    #[serde(flatten)]
    pub found: FoundMeeting,
    /// The stored analysis.
    pub analysis: Option<Analysis>,
}

/// One meeting.
#[tauri::command]
pub async fn meeting(state: State<'_, AppState>, meeting_id: String) -> CommandResult<MeetingView> {
    state
        .with_profile(move |p| meeting_view(p, &meeting_id))
        .await
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

const TONE_SETTING: &str = "email_tone";

/// The optional LLM engine's settings (the same setting `hearth llm set` writes).
fn llm_settings(profile: &Profile) -> CommandResult<LlmSettings> {
    Ok(profile
        .setting(LLM_SETTING)?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

fn tone(profile: &Profile) -> CommandResult<Tone> {
    Ok(profile
        .setting(TONE_SETTING)?
        .and_then(|t| serde_json::from_value(serde_json::Value::String(t)).ok())
        .unwrap_or_default())
}

/// The analysis engine the profile's settings choose: the LLM when enabled (its key from the
/// OS keyring, as `hearth llm key` stores it), always with the offline engine as fallback.
fn engine(profile: &Profile) -> CommandResult<FallbackEngine> {
    let settings = llm_settings(profile)?;
    if !settings.enabled {
        return Ok(FallbackEngine::local_only());
    }
    let key = hearth_secrets::keyring_load(&key_account(profile.profile_id()))
        .ok()
        .and_then(|k| String::from_utf8(k.to_vec()).ok())
        .map(ApiKey::new);
    Ok(FallbackEngine::from_config(settings.config(), key))
}

/// What an analysis produced and which engine produced it.
#[derive(Debug, Serialize)]
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

/// Files accepted suggestions (`action:N`, `fact:N`, `notes`, `all`) into the household.
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

/// Where sync stands.
#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> CommandResult<SyncStatus> {
    Ok(state.sync.status())
}

/// Asks for a sync now; progress arrives as `sync-status` events.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> CommandResult<SyncStatus> {
    state.sync.kick();
    Ok(state.sync.status())
}

/// The settings screen's content.
#[derive(Debug, Serialize)]
pub struct Settings {
    /// Who this profile is.
    pub profile: ProfileInfo,
    /// Profile directory.
    pub dir: String,
    /// Relay enrollment (never the tokens).
    pub relay: Option<BTreeMap<&'static str, String>>,
    /// Optional LLM engine.
    pub llm: LlmSettings,
    /// Follow-up e-mail tone: `professional_warm`, `formal` or `conversational`.
    pub tone: String,
    /// The firm's disclosure.
    pub disclosure: Disclosure,
}

/// Everything the settings screen shows.
#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> CommandResult<Settings> {
    let dir = state.dir.display().to_string();
    state
        .with_profile(move |p| {
            let relay = hearth_sync::credentials(p)?.map(|c| {
                BTreeMap::from([
                    ("relay_url", c.relay_url),
                    ("firm_name", c.firm_name),
                    ("advisor_name", c.advisor_name),
                    ("device_id", c.device_id),
                ])
            });
            let tone = serde_json::to_value(tone(p)?)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let (version, text) = p.disclosure()?;
            Ok(Settings {
                profile: p.info()?,
                dir,
                relay,
                llm: llm_settings(p)?,
                tone,
                disclosure: Disclosure { version, text },
            })
        })
        .await
}

/// Saves the LLM engine settings and the e-mail tone.
#[tauri::command]
pub async fn save_settings(
    state: State<'_, AppState>,
    llm: LlmSettings,
    tone: String,
) -> CommandResult<()> {
    let parsed: Tone = serde_json::from_value(serde_json::Value::String(tone.clone()))
        .map_err(|_| invalid(format!("unknown e-mail tone '{tone}'")))?;
    if llm.enabled && !(llm.base_url.starts_with("http://") || llm.base_url.starts_with("https://"))
    {
        return Err(invalid(
            "The LLM's base URL starts with http:// or https://.",
        ));
    }
    state
        .with_profile(move |p| {
            let text = serde_json::to_string(&llm).map_err(CommandError::internal)?;
            p.set_setting(LLM_SETTING, &text)?;
            let tone = serde_json::to_value(parsed)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            p.set_setting(TONE_SETTING, &tone)?;
            Ok(())
        })
        .await
}

/// Which optional capabilities this build has, so the UI can show disabled states for the
/// rest instead of failing.
#[derive(Debug, Serialize)]
pub struct Capabilities {
    /// Global full-text search.
    pub search: bool,
    /// Importing audio files and transcribing them on this device.
    pub audio_import: bool,
    /// Recording from a microphone.
    pub recording: bool,
    /// Attaching documents.
    pub documents: bool,
}

/// What this build can do.
#[tauri::command]
pub async fn capabilities() -> CommandResult<Capabilities> {
    Ok(Capabilities {
        search: true,
        audio_import: true,
        recording: true,
        documents: true,
    })
}

/// Runs a relay call on a blocking thread with its own runtime: `hearth-sync`'s futures
/// borrow the profile across awaits, and a SQLite connection is not `Sync`.
async fn with_session<T: Send + 'static>(
    state: &AppState,
    work: impl AsyncFnOnce(&hearth_sync::Session) -> hearth_sync::Result<T> + Send + 'static,
) -> CommandResult<T> {
    state
        .with_profile(move |p| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(CommandError::internal)?;
            runtime.block_on(async move {
                let session = hearth_sync::Session::start(p).await?;
                Ok(work(&session).await?)
            })
        })
        .await
}

/// Who a household is shared with, among the firm's advisors.
#[derive(Debug, Serialize)]
pub struct Sharing {
    /// Whether the relay holds the household yet (it must sync once before sharing).
    pub on_relay: bool,
    /// The owner's advisor id on the relay.
    pub owner_id: Option<String>,
    /// This advisor's id on the relay.
    pub me: String,
    /// The firm's advisors.
    pub advisors: Vec<hearth_sync::RemoteAdvisor>,
    /// Advisor ids it is shared with.
    pub shared_with: Vec<String>,
}

/// The household's sharing within the firm.
#[tauri::command]
pub async fn household_sharing(state: State<'_, AppState>, id: String) -> CommandResult<Sharing> {
    with_session(&state, async move |session| {
        let advisors = session.advisors().await?;
        let doc = session
            .documents()
            .await?
            .into_iter()
            .find(|d| d.doc_id == id);
        Ok(Sharing {
            on_relay: doc.is_some(),
            owner_id: doc.as_ref().map(|d| d.owner_id.clone()),
            me: session.creds.advisor_id.clone(),
            shared_with: doc.map(|d| d.shared_with).unwrap_or_default(),
            advisors,
        })
    })
    .await
}

/// Shares a household with a colleague (or stops sharing it).
#[tauri::command]
pub async fn set_share(
    state: State<'_, AppState>,
    id: String,
    advisor_id: String,
    share: bool,
) -> CommandResult<()> {
    with_session(&state, async move |session| {
        session.set_share(&id, &advisor_id, share).await?;
        Ok(())
    })
    .await?;
    state.sync.kick();
    Ok(())
}

/// A run of a search snippet, marked when it matched the query.
#[derive(Debug, Serialize)]
pub struct SnippetPart {
    /// The text.
    pub text: String,
    /// Whether it matched.
    pub hit: bool,
}

/// One search result, as the palette shows it.
#[derive(Debug, Serialize)]
pub struct SearchResult {
    /// `household`, `note`, `task`, `fact`, `meeting`, `document`, ...
    pub kind: &'static str,
    /// Its household.
    pub household_id: String,
    /// Its id in the household.
    pub item_id: String,
    /// Title.
    pub title: String,
    /// The snippet around the best match, split at the matches.
    pub snippet: Vec<SnippetPart>,
    /// Date, ms since the epoch.
    pub date: i64,
}

/// Splits `text` at the matched byte ranges (ranges off a character boundary are skipped).
fn snippet_parts(text: &str, ranges: &[std::ops::Range<usize>]) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    let mut at = 0;
    for range in ranges {
        let (Some(before), Some(matched)) = (text.get(at..range.start), text.get(range.clone()))
        else {
            continue;
        };
        if !before.is_empty() {
            parts.push(SnippetPart {
                text: before.to_string(),
                hit: false,
            });
        }
        parts.push(SnippetPart {
            text: matched.to_string(),
            hit: true,
        });
        at = range.end;
    }
    if let Some(rest) = text.get(at..).filter(|r| !r.is_empty()) {
        parts.push(SnippetPart {
            text: rest.to_string(),
            hit: false,
        });
    }
    parts
}

/// Full-text search over households, notes, open loops, facts, transcripts and documents.
#[tauri::command]
pub async fn search(state: State<'_, AppState>, text: String) -> CommandResult<Vec<SearchResult>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    state
        .with_profile(move |p| {
            let hits = p.search(&hearth_profile::SearchQuery::text(text))?;
            Ok(hits
                .into_iter()
                .take(50)
                .map(|h| SearchResult {
                    kind: h.kind.as_str(),
                    snippet: snippet_parts(&h.snippet, &h.highlights),
                    household_id: h.household_id,
                    item_id: h.item_id,
                    title: h.title,
                    date: h.date,
                })
                .collect())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::snippet_parts;

    #[test]
    fn snippets_split_at_matches_and_survive_bad_ranges() {
        let parts = snippet_parts("Reviewed the RMD schedule", &[(13..16), (30..40)]);
        let shown: Vec<(&str, bool)> = parts.iter().map(|p| (p.text.as_str(), p.hit)).collect();
        assert_eq!(
            shown,
            [
                ("Reviewed the ", false),
                ("RMD", true),
                (" schedule", false)
            ]
        );
        // A range inside a multi-byte character is skipped, not a panic.
        let inside_e_acute = std::ops::Range { start: 3, end: 4 };
        let parts = snippet_parts("José", std::slice::from_ref(&inside_e_acute));
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].text, "José");
    }
}
