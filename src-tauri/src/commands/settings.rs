//! Settings: the analysis engine and its key, the e-mail tone, recording consent and
//! retention, notifications, and what this build can do.

use std::collections::BTreeMap;

use hearth_intel::llm::{LlmSettings, key_account};
use hearth_intel::{ApiKey, FallbackEngine, Tone};
use hearth_profile::{ConsentMode, Profile, ProfileInfo, RetentionPolicy};
use serde::Serialize;
use tauri::State;

use crate::args::invalid;
use crate::commands::meetings::Disclosure;
use crate::error::CommandResult;
use crate::notify::{NOTIFICATIONS_SETTING, notifications_enabled};
use crate::state::AppState;

const TONE_SETTING: &str = "email_tone";

/// The optional LLM engine's settings (the same setting `hearth llm set` writes).
pub(crate) fn llm_settings(profile: &Profile) -> CommandResult<LlmSettings> {
    Ok(profile.llm_settings()?)
}

pub(crate) fn tone(profile: &Profile) -> CommandResult<Tone> {
    Ok(profile
        .setting(TONE_SETTING)?
        .and_then(|t| serde_json::from_value(serde_json::Value::String(t)).ok())
        .unwrap_or_default())
}

/// The analysis engine the profile's settings choose: the LLM when enabled (its key from the
/// OS keyring, as `hearth llm key` stores it), always with the offline engine as fallback.
pub(crate) fn engine(profile: &Profile) -> CommandResult<FallbackEngine> {
    let settings = llm_settings(profile)?;
    // Off, or not allowed by the firm's policy (sync turns it off; this covers the window
    // before it does): the offline rules.
    if !settings.enabled || profile.check_llm_provider(&settings.provider).is_err() {
        // The language model on this computer when one is installed and the firm allows it.
        let engine = FallbackEngine::local_only();
        if !profile.on_device_model_allowed()? {
            return Ok(engine);
        }
        let threads = std::thread::available_parallelism()
            .map(|n| n.get().min(4) as u32)
            .unwrap_or(2);
        return Ok(match hearth_llm::installed_engine(threads) {
            Ok(Some(on_device)) => engine.with_on_device(on_device),
            Ok(None) => engine,
            Err(e) => {
                tracing::warn!(error = %e, "the on-device model cannot be used; using the rules");
                engine
            }
        });
    }
    let key = hearth_secrets::keyring_load(&key_account(profile.profile_id()))
        .ok()
        .and_then(|k| String::from_utf8(k.to_vec()).ok())
        .map(ApiKey::new);
    Ok(FallbackEngine::from_config(settings.config(), key))
}

/// The settings screen's content.
#[derive(Debug, Serialize, ts_rs::TS)]
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
    /// Whose consent a recording needs: `one-party` or `all-party`.
    pub consent_mode: String,
    /// What happens to audio once transcribed: 0 = deleted at once, else kept this many days.
    pub audio_keep_days: u32,
    /// An API key for the LLM engine is in the OS keyring.
    pub llm_key_stored: bool,
    /// Morning notifications of what is due.
    pub notifications: bool,
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
            let audio_keep_days = match p.retention_policy()? {
                RetentionPolicy::DeleteAfterTranscription => 0,
                RetentionPolicy::KeepDays { days } => days,
            };
            Ok(Settings {
                profile: p.info()?,
                dir,
                relay,
                llm: llm_settings(p)?,
                tone,
                disclosure: Disclosure { version, text },
                consent_mode: p.consent_mode()?.to_string(),
                audio_keep_days,
                llm_key_stored: hearth_secrets::keyring_load(&key_account(p.profile_id())).is_ok(),
                notifications: notifications_enabled(p)?,
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
            p.set_llm_settings(&llm)?;
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
#[derive(Debug, Serialize, ts_rs::TS)]
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

/// Turns morning notifications on or off.
#[tauri::command]
pub async fn set_notifications(state: State<'_, AppState>, enabled: bool) -> CommandResult<()> {
    state
        .with_profile(move |p| {
            Ok(p.set_setting(NOTIFICATIONS_SETTING, if enabled { "on" } else { "off" })?)
        })
        .await
}

/// Saves the recording policy: whose consent is needed, how long audio is kept (0: deleted
/// once transcribed), and the disclosure read before recording (a new text needs a new
/// version, so each consent record names the words that were read).
#[tauri::command]
pub async fn save_recording_policy(
    state: State<'_, AppState>,
    consent_mode: String,
    audio_keep_days: u32,
    disclosure_version: String,
    disclosure_text: String,
) -> CommandResult<()> {
    let mode = match consent_mode.as_str() {
        "one-party" => ConsentMode::OneParty,
        "all-party" => ConsentMode::AllParty,
        other => {
            return Err(invalid(format!(
                "'{other}' is not a consent mode; choose one-party or all-party"
            )));
        }
    };
    let policy = match audio_keep_days {
        0 => RetentionPolicy::DeleteAfterTranscription,
        days => RetentionPolicy::KeepDays { days },
    };
    state
        .with_profile(move |p| {
            p.set_consent_mode(mode)?;
            p.set_retention_policy(policy)?;
            p.set_disclosure(&disclosure_version, &disclosure_text)?;
            Ok(())
        })
        .await
}

/// Stores (or, with an empty key, removes) the LLM engine's API key in the OS keyring.
#[tauri::command]
pub async fn set_llm_key(state: State<'_, AppState>, key: String) -> CommandResult<()> {
    state
        .with_profile(move |p| {
            let account = key_account(p.profile_id());
            let key = zeroize::Zeroizing::new(key);
            if key.trim().is_empty() {
                hearth_secrets::keyring_delete(&account)?;
            } else {
                hearth_secrets::keyring_store(&account, key.trim().as_bytes())?;
            }
            Ok(())
        })
        .await
}
