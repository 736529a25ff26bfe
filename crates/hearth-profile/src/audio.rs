//! Meeting audio in a profile: the audio encryption key, where recordings live, the firm's
//! consent and retention settings, and the meeting lifecycle around a recording
//! (consent first → audio → transcript → retention). The audio bytes themselves are handled
//! by `hearth-audio`; they are files under `<profile>/audio/` and never enter a household
//! document, so they never sync.

use std::path::PathBuf;

use hearth_core::{Consent, Meeting, TranscriptSegment};
use hearth_intel::Transcript;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{Profile, ProfileError};

/// Directory (inside the profile) holding encrypted recordings.
pub const AUDIO_DIR: &str = "audio";
const AUDIO_KEY_SETTING: &str = "audio_key";
const RETENTION_SETTING: &str = "audio_retention";
const CONSENT_MODE_SETTING: &str = "consent_mode";
const DAY_MS: i64 = 86_400_000;

/// What happens to a recording once it is transcribed (a firm policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum RetentionPolicy {
    /// Keep the transcript, delete the audio as soon as it is transcribed (the default).
    DeleteAfterTranscription,
    /// Keep the encrypted audio this many days, then delete it.
    KeepDays {
        /// Days to keep.
        days: u32,
    },
}

impl std::fmt::Display for RetentionPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::DeleteAfterTranscription => f.write_str("delete audio after transcription"),
            Self::KeepDays { days } => write!(f, "keep audio {days} days"),
        }
    }
}

/// Whose consent a recording needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsentMode {
    /// At least one named participant consented (one-party-consent states).
    OneParty,
    /// Every participant consented (two-party/all-party-consent states).
    AllParty,
}

impl std::fmt::Display for ConsentMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::OneParty => "one-party",
            Self::AllParty => "all-party",
        })
    }
}

/// A new meeting whose recording is about to start (or whose recording is being imported).
#[derive(Debug, Clone)]
pub struct NewRecording<'a> {
    /// Household it belongs to.
    pub household_id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Start time, ms since the epoch.
    pub started_at_ms: i64,
    /// Everyone taking part (defaults to the consenting people when empty).
    pub participants: &'a [String],
    /// Everyone who consented.
    pub consented_by: &'a [String],
    /// `in_app` (captured before recording) or `attested` (a recording made elsewhere).
    pub method: &'a str,
}

fn clean(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(n)) {
            out.push(n.to_string());
        }
    }
    out
}

impl Profile {
    /// The key that encrypts this profile's recordings, created on first use and kept in the
    /// profile's encrypted database (never in a file of its own).
    pub fn audio_key(&mut self) -> Result<Zeroizing<[u8; 32]>, ProfileError> {
        let bad = |reason: String| {
            ProfileError::Core(hearth_core::CoreError::Corrupt(format!(
                "stored audio key: {reason}"
            )))
        };
        if let Some(text) = self.setting(AUDIO_KEY_SETTING)? {
            let bytes = Zeroizing::new(hex::decode(text.trim()).map_err(|e| bad(e.to_string()))?);
            let mut key = Zeroizing::new([0u8; 32]);
            if bytes.len() != 32 {
                return Err(bad(format!("{} bytes instead of 32", bytes.len())));
            }
            key.copy_from_slice(&bytes);
            return Ok(key);
        }
        let mut key = Zeroizing::new([0u8; 32]);
        SystemRandom::new()
            .fill(key.as_mut())
            .map_err(|_| bad("the system random generator failed".into()))?;
        let hex_key = Zeroizing::new(hex::encode(key.as_ref()));
        self.set_setting(AUDIO_KEY_SETTING, &hex_key)?;
        Ok(key)
    }

    /// Directory of the encrypted recordings.
    pub fn audio_dir(&self) -> PathBuf {
        self.dir().join(AUDIO_DIR)
    }

    /// Where a meeting's encrypted recording lives (the microphone, or an imported file).
    pub fn audio_path(&self, meeting_id: &str) -> PathBuf {
        self.audio_dir().join(format!("{meeting_id}.hca"))
    }

    /// Where the other side of a recorded call (system audio) lives, beside
    /// [`Profile::audio_path`]; retention treats both as the meeting's audio.
    pub fn system_audio_path(&self, meeting_id: &str) -> PathBuf {
        self.audio_dir()
            .join(format!("{meeting_id}{SYSTEM_AUDIO_SUFFIX}.hca"))
    }

    /// Deletes a meeting's audio files (either may be absent).
    pub fn remove_meeting_audio(&self, meeting_id: &str) -> Result<(), ProfileError> {
        remove_audio(&self.audio_path(meeting_id))?;
        remove_audio(&self.system_audio_path(meeting_id))
    }

    /// The retention recordings get: the local setting, or the firm policy's limit when the
    /// local setting keeps audio longer.
    pub fn retention_policy(&self) -> Result<RetentionPolicy, ProfileError> {
        Ok(crate::policy::effective_retention(
            self.local_retention_policy()?,
            self.firm_policy()?.as_ref(),
        ))
    }

    /// The retention set on this desk.
    pub(crate) fn local_retention_policy(&self) -> Result<RetentionPolicy, ProfileError> {
        Ok(self
            .setting(RETENTION_SETTING)?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(RetentionPolicy::DeleteAfterTranscription))
    }

    /// Sets the retention policy (applies to recordings transcribed from now on; kept
    /// recordings keep the deadline they were given). Keeping audio longer than the firm's
    /// policy allows is refused.
    pub fn set_retention_policy(&mut self, policy: RetentionPolicy) -> Result<(), ProfileError> {
        if let RetentionPolicy::KeepDays { days } = policy {
            self.policy_refuses(|p| {
                (!p.allows_audio_days(days)).then(|| match p.max_audio_days {
                    0 => format!("requires audio to be deleted once transcribed; keeping it {days} days is not allowed"),
                    max => format!("allows keeping audio at most {max} days; {days} is longer"),
                })
            })?;
        }
        self.store_retention_policy(policy)
    }

    pub(crate) fn store_retention_policy(
        &mut self,
        policy: RetentionPolicy,
    ) -> Result<(), ProfileError> {
        let text = serde_json::to_string(&policy)
            .map_err(|e| ProfileError::Core(hearth_core::CoreError::Corrupt(e.to_string())))?;
        self.set_setting(RETENTION_SETTING, &text)
    }

    /// Whose consent recordings need: all-party when this desk or the firm's policy says so.
    pub fn consent_mode(&self) -> Result<ConsentMode, ProfileError> {
        let firm_all_party = self
            .firm_policy()?
            .is_some_and(|p| p.consent == hearth_core::policy::PolicyConsent::AllParty);
        Ok(if firm_all_party {
            ConsentMode::AllParty
        } else {
            self.local_consent_mode()?
        })
    }

    pub(crate) fn local_consent_mode(&self) -> Result<ConsentMode, ProfileError> {
        Ok(match self.setting(CONSENT_MODE_SETTING)?.as_deref() {
            Some("all-party") => ConsentMode::AllParty,
            _ => ConsentMode::OneParty,
        })
    }

    /// Sets the consent mode; one-party is refused when the firm's policy requires all-party.
    pub fn set_consent_mode(&mut self, mode: ConsentMode) -> Result<(), ProfileError> {
        if mode == ConsentMode::OneParty {
            self.policy_refuses(|p| {
                (p.consent == hearth_core::policy::PolicyConsent::AllParty)
                    .then(|| "requires every participant's consent (all-party)".to_string())
            })?;
        }
        self.store_consent_mode(mode)
    }

    pub(crate) fn store_consent_mode(&mut self, mode: ConsentMode) -> Result<(), ProfileError> {
        self.set_setting(CONSENT_MODE_SETTING, &mode.to_string())
    }

    /// Replaces the firm's disclosure text; the version must change with the text, so every
    /// consent record names exactly the words that were read.
    /// Under a firm policy the disclosure is the firm's: saving it again is fine, another is
    /// refused.
    pub fn set_disclosure(&mut self, version: &str, text: &str) -> Result<(), ProfileError> {
        let (version, text) = (version.trim(), text.trim());
        self.policy_refuses(|p| {
            (p.disclosure_version != version || p.disclosure_text.trim() != text).then(|| {
                format!(
                    "sets the recording disclosure (version {}); change it in the console",
                    p.disclosure_version
                )
            })
        })?;
        if version.is_empty() || text.is_empty() {
            return Err(ProfileError::Core(hearth_core::CoreError::Empty {
                what: "disclosure version and text",
            }));
        }
        let (current_version, current_text) = self.disclosure()?;
        if version == current_version && text != current_text {
            return Err(ProfileError::BadItem(format!(
                "disclosure version {version} already has a different text; give the new text a new version"
            )));
        }
        let value = serde_json::json!({ "version": version, "text": text });
        self.set_setting("disclosure", &value.to_string())
    }

    /// Checks consent for a recording of a household against the consent mode (this desk's,
    /// or the firm policy's, which also names states whose households always need everyone's
    /// consent); returns (participants, consented). With all-party, everyone listed as a
    /// participant must be among those who consented.
    pub fn check_consent(
        &self,
        household_id: &str,
        participants: &[String],
        consented_by: &[String],
    ) -> Result<(Vec<String>, Vec<String>), ProfileError> {
        let consented = clean(consented_by);
        if consented.is_empty() {
            return Err(ProfileError::ConsentRequired);
        }
        let mut all = clean(participants);
        let state_requires_all = match self.firm_policy()? {
            Some(p) if !p.all_party_states.is_empty() => {
                let data = self.household_data(household_id)?;
                p.requires_all_party(data.address.as_ref().and_then(|a| a.region.as_deref()))
            }
            _ => false,
        };
        if state_requires_all || self.consent_mode()? == ConsentMode::AllParty {
            let missing: Vec<String> = all
                .iter()
                .filter(|p| !consented.iter().any(|c| c.eq_ignore_ascii_case(p)))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(ProfileError::ConsentIncomplete(missing));
            }
        }
        for c in &consented {
            if !all.iter().any(|p| p.eq_ignore_ascii_case(c)) {
                all.push(c.clone());
            }
        }
        Ok((all, consented))
    }

    /// Records consent as a new meeting in the household **before** any audio is captured
    /// or imported: the meeting (with who consented, when, to which disclosure text) is in
    /// the household document first, with audio state `recording`.
    pub fn begin_recorded_meeting(
        &mut self,
        new: &NewRecording<'_>,
    ) -> Result<String, ProfileError> {
        let (participants, consented_by) =
            self.check_consent(new.household_id, new.participants, new.consented_by)?;
        // The household must exist before anything is written.
        self.household_data(new.household_id)?;
        let (version, text) = self.disclosure()?;
        let meeting = Meeting {
            title: new.title.trim().to_string(),
            started_at: new.started_at_ms,
            duration_secs: None,
            participants,
            consent: Some(Consent {
                consented_by,
                recorded_at: chrono::Utc::now().timestamp_millis(),
                recorded_by: self.advisor().to_string(),
                disclosure_version: version,
                disclosure_text: text,
                method: new.method.to_string(),
            }),
            transcript: Vec::new(),
            audio: Some("recording".to_string()),
            analysis: None,
            redactions: None,
            accepted: Vec::new(),
            scheduled: false,
            recovered: false,
            audio_notice: None,
        };
        self.edit(new.household_id, |h, ctx| h.add_meeting(&meeting, ctx))
    }

    /// Stores a recorded meeting's transcript (redacted first: masked numbers never reach the
    /// document) and applies the retention policy to its audio file. Returns the audio state.
    /// `audio_notice` says what the advisor must know before taking the transcript as
    /// complete (a silent other side, only the microphone recorded).
    pub fn complete_recorded_meeting(
        &mut self,
        meeting_id: &str,
        transcript: &Transcript,
        duration_secs: u64,
        audio_notice: Option<&str>,
    ) -> Result<String, ProfileError> {
        self.store_transcript(meeting_id, transcript, duration_secs, false, audio_notice)
    }

    /// [`Profile::complete_recorded_meeting`] for a recording that was interrupted (its
    /// process died while the audio state was `recording`): the meeting is marked recovered.
    pub fn complete_recovered_meeting(
        &mut self,
        meeting_id: &str,
        transcript: &Transcript,
        duration_secs: u64,
        audio_notice: Option<&str>,
    ) -> Result<String, ProfileError> {
        self.store_transcript(meeting_id, transcript, duration_secs, true, audio_notice)
    }

    /// Of the meetings `candidates`, those whose audio state is still `recording` (being
    /// captured or imported now, or left so by a process that died). Oldest first. Households
    /// are read only when there are candidates, and only until all are found.
    pub fn unfinished_recordings(
        &self,
        candidates: &[String],
    ) -> Result<Vec<UnfinishedRecording>, ProfileError> {
        let mut found = Vec::new();
        let mut left = candidates.len();
        for row in self.list_households()? {
            if left == 0 {
                break;
            }
            let Ok(data) = self.household_data(&row.id) else {
                continue;
            };
            for (id, m) in data.meetings {
                if !candidates.contains(&id) {
                    continue;
                }
                left -= 1;
                if m.audio.as_deref() == Some("recording") {
                    found.push(UnfinishedRecording {
                        household_id: row.id.clone(),
                        household_name: data.name.clone(),
                        meeting_id: id,
                        title: m.title,
                        started_at: m.started_at,
                    });
                }
            }
        }
        found.sort_by_key(|r| r.started_at);
        Ok(found)
    }

    fn store_transcript(
        &mut self,
        meeting_id: &str,
        transcript: &Transcript,
        duration_secs: u64,
        recovered: bool,
        audio_notice: Option<&str>,
    ) -> Result<String, ProfileError> {
        let found = self.find_meeting(meeting_id)?;
        let (redacted, found_pii) = hearth_intel::redact_transcript(transcript);
        let redactions =
            (!found_pii.is_empty()).then(|| serde_json::to_string(&found_pii).unwrap_or_default());
        let segments: Vec<TranscriptSegment> = redacted
            .segments
            .iter()
            .map(|s| TranscriptSegment {
                start_ms: s.start_ms,
                end_ms: s.end_ms,
                speaker: s.speaker.clone(),
                text: s.text.clone(),
            })
            .collect();
        let has_audio =
            self.audio_path(meeting_id).exists() || self.system_audio_path(meeting_id).exists();
        let state = if !has_audio {
            "none".to_string()
        } else {
            match self.retention_policy()? {
                RetentionPolicy::DeleteAfterTranscription
                | RetentionPolicy::KeepDays { days: 0 } => {
                    self.remove_meeting_audio(meeting_id)?;
                    "deleted".to_string()
                }
                RetentionPolicy::KeepDays { days } => format!(
                    "kept-until:{}",
                    chrono::Utc::now().timestamp_millis() + i64::from(days) * DAY_MS
                ),
            }
        };
        self.edit(&found.household_id, |h, ctx| {
            h.set_meeting_transcript(
                meeting_id,
                &segments,
                Some(duration_secs),
                redactions.as_deref(),
                &state,
                recovered,
                audio_notice,
                ctx,
            )
        })?;
        Ok(state)
    }

    /// Deletes kept recordings whose retention deadline is at or before `now_ms` and marks
    /// their meetings `deleted` (the transcripts stay). Returns the meetings affected.
    pub fn apply_audio_retention(&mut self, now_ms: i64) -> Result<Vec<String>, ProfileError> {
        let mut expired = Vec::new();
        for row in self.list_households()? {
            let Ok(data) = self.household_data(&row.id) else {
                continue;
            };
            for (id, m) in data.meetings {
                let due = m
                    .audio
                    .as_deref()
                    .and_then(|a| a.strip_prefix("kept-until:"))
                    .and_then(|t| t.parse::<i64>().ok())
                    .is_some_and(|until| until <= now_ms);
                if due {
                    expired.push((row.id.clone(), id));
                }
            }
        }
        let mut done = Vec::new();
        for (household, meeting) in expired {
            self.remove_meeting_audio(&meeting)?;
            self.edit(&household, |h, ctx| {
                h.set_meeting_audio(&meeting, "deleted", ctx)
            })?;
            done.push(meeting);
        }
        Ok(done)
    }
}

/// A meeting whose audio state is still `recording` ([`Profile::unfinished_recordings`]).
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnfinishedRecording {
    /// The household.
    pub household_id: String,
    /// The household's name.
    pub household_name: String,
    /// The meeting.
    pub meeting_id: String,
    /// The meeting's title.
    pub title: String,
    /// When it started, ms since the epoch.
    pub started_at: i64,
}

/// What [`Profile::system_audio_path`] adds to a meeting id.
pub const SYSTEM_AUDIO_SUFFIX: &str = ".system";

fn remove_audio(path: &std::path::Path) -> Result<(), ProfileError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(ProfileError::Io {
            action: "deleting audio",
            path: path.to_path_buf(),
            source,
        }),
    }
}
