//! Meetings in a profile: import a transcript with attested consent, analyse it, and file what
//! the advisor accepts. The engines live in `hearth-intel`; this is the workflow around them.

use hearth_core::{Consent, Meeting, TranscriptSegment};
use hearth_intel::{Analysis, FallbackEngine, MeetingContext, Outcome, Review, Tone, Transcript};
use serde::Serialize;

use crate::{Profile, ProfileError};

/// The firm's recording disclosure (version and text). Editable per firm through the
/// `disclosure` setting; this is what a profile starts with.
pub const DEFAULT_DISCLOSURE_VERSION: &str = "2026-1";
/// Default disclosure text.
pub const DEFAULT_DISCLOSURE_TEXT: &str = "This meeting will be recorded and transcribed on this computer to help us \
keep accurate notes. The recording never leaves this device and audio is deleted after \
transcription. Do we have your consent to record?";

/// A meeting and the household it belongs to.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FoundMeeting {
    /// Household id.
    pub household_id: String,
    /// Meeting id.
    pub meeting_id: String,
    /// The record.
    pub meeting: Meeting,
    /// Note categories the firm's policy requires after an analysed meeting that have no note
    /// from this meeting yet (empty when complete, not analysed, or no policy requires any).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        feature = "ts",
        ts(as = "Option<Vec<hearth_core::NoteCategory>>", optional)
    )]
    pub required_notes_missing: Vec<hearth_core::NoteCategory>,
}

/// What filing accepted items did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Filed {
    /// Item keys accepted now.
    pub accepted: Vec<String>,
    /// Ids of the tasks, facts and notes created.
    pub created: Vec<String>,
}

impl Profile {
    /// The disclosure (version, text) this profile's firm uses: the firm policy's when the
    /// firm has one.
    pub fn disclosure(&self) -> Result<(String, String), ProfileError> {
        if let Some(p) = self.firm_policy()? {
            return Ok((p.disclosure_version, p.disclosure_text));
        }
        match self.setting("disclosure")? {
            Some(text) => {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                Ok((
                    v["version"]
                        .as_str()
                        .unwrap_or(DEFAULT_DISCLOSURE_VERSION)
                        .to_string(),
                    v["text"]
                        .as_str()
                        .unwrap_or(DEFAULT_DISCLOSURE_TEXT)
                        .to_string(),
                ))
            }
            None => Ok((
                DEFAULT_DISCLOSURE_VERSION.to_string(),
                DEFAULT_DISCLOSURE_TEXT.to_string(),
            )),
        }
    }

    /// Adds a meeting from a transcript made elsewhere; the advisor attests who consented.
    /// The transcript is stored redacted (SSNs, account and card numbers masked): the raw
    /// values are never written, so they never sync.
    pub fn import_transcript(
        &mut self,
        household_id: &str,
        title: &str,
        started_at_ms: i64,
        transcript: &Transcript,
        consented_by: &[String],
    ) -> Result<String, ProfileError> {
        let consented_by: Vec<String> = consented_by
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if consented_by.is_empty() {
            return Err(ProfileError::ConsentRequired);
        }
        if transcript.segments.iter().all(|s| s.text.trim().is_empty()) {
            return Err(ProfileError::Core(hearth_core::CoreError::Empty {
                what: "transcript",
            }));
        }
        let (version, text) = self.disclosure()?;
        let (redacted, found) = hearth_intel::redact_transcript(transcript);
        let redactions =
            (!found.is_empty()).then(|| serde_json::to_string(&found).unwrap_or_default());
        let advisor = self.advisor.clone();
        let meeting = Meeting {
            title: title.trim().to_string(),
            started_at: started_at_ms,
            duration_secs: transcript.segments.last().map(|s| s.end_ms.div_ceil(1000)),
            participants: consented_by.clone(),
            consent: Some(Consent {
                consented_by,
                recorded_at: chrono::Utc::now().timestamp_millis(),
                recorded_by: advisor,
                disclosure_version: version,
                disclosure_text: text,
                method: "attested".to_string(),
            }),
            transcript: redacted
                .segments
                .iter()
                .map(|s| TranscriptSegment {
                    start_ms: s.start_ms,
                    end_ms: s.end_ms,
                    speaker: s.speaker.clone(),
                    text: s.text.clone(),
                })
                .collect(),
            audio: Some("none".to_string()),
            analysis: None,
            redactions,
            accepted: Vec::new(),
            scheduled: false,
            recovered: false,
            audio_notice: None,
        };
        self.edit(household_id, |h, ctx| h.add_meeting(&meeting, ctx))
    }

    /// Finds a meeting by id across the profile's households.
    pub fn find_meeting(&self, meeting_id: &str) -> Result<FoundMeeting, ProfileError> {
        for row in self.list_households()? {
            let Ok(data) = self.household_data(&row.id) else {
                continue;
            };
            if let Some(meeting) = data.meetings.get(meeting_id) {
                let required_notes_missing = match (&meeting.analysis, self.firm_policy()?) {
                    (Some(_), Some(policy)) => {
                        crate::policy::required_notes_missing(&policy, &data, meeting_id)
                    }
                    _ => Vec::new(),
                };
                return Ok(FoundMeeting {
                    household_id: row.id,
                    meeting_id: meeting_id.to_string(),
                    meeting: meeting.clone(),
                    required_notes_missing,
                });
            }
        }
        Err(ProfileError::UnknownMeeting(meeting_id.to_string()))
    }

    fn meeting_context(
        &self,
        found: &FoundMeeting,
        tone: Tone,
    ) -> Result<MeetingContext, ProfileError> {
        let data = self.household_data(&found.household_id)?;
        let meeting_date = chrono::DateTime::from_timestamp_millis(found.meeting.started_at)
            .map(|t| t.date_naive())
            .unwrap_or_else(|| chrono::Utc::now().date_naive());
        let mut client_names: Vec<String> = data.members.values().map(|m| m.name.clone()).collect();
        client_names.sort();
        let members: Vec<hearth_intel::Member> = data
            .members
            .values()
            .map(|m| hearth_intel::Member {
                name: m.name.clone(),
                birth_date: m
                    .birth_date
                    .as_deref()
                    .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
                birth_year: m.birth_year.and_then(|y| i32::try_from(y).ok()),
            })
            .collect();
        // The follow-up greets those who took part (the consent record names them), never a
        // member who stayed home or a minor.
        let greeted =
            hearth_intel::greeting_names(&members, &found.meeting.participants, meeting_date);
        Ok(MeetingContext {
            meeting_date,
            household_name: data.name,
            advisor_name: self.advisor.clone(),
            client_names,
            greeted: Some(greeted),
            tone,
        })
    }

    /// Analyses a meeting and stores the analysis on the meeting record (so that accepting
    /// refers to exactly the items shown).
    pub fn analyze_meeting(
        &mut self,
        meeting_id: &str,
        engine: &FallbackEngine,
        tone: Tone,
    ) -> Result<Outcome, ProfileError> {
        let found = self.find_meeting(meeting_id)?;
        let transcript = Transcript {
            segments: found
                .meeting
                .transcript
                .iter()
                .map(|s| hearth_intel::Segment {
                    start_ms: s.start_ms,
                    end_ms: s.end_ms,
                    speaker: s.speaker.clone(),
                    text: s.text.clone(),
                })
                .collect(),
        };
        let ctx = self.meeting_context(&found, tone)?;
        let mut outcome = engine.analyze_with_fallback(&transcript, &ctx);
        // The stored transcript is already masked, so the engines cannot see the numbers; the
        // redaction record made at import supplies their flags.
        let masked: Vec<(usize, hearth_intel::Redaction)> = found
            .meeting
            .redactions
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default();
        for flag in hearth_intel::redaction_flags(&transcript, &masked) {
            let known = outcome
                .analysis
                .flags
                .iter()
                .any(|f| f.kind == flag.kind && f.span.overlaps(&flag.span));
            if !known {
                outcome.analysis.flags.push(flag);
            }
        }
        self.store_analysis(&found.household_id, meeting_id, &outcome.analysis)?;
        Ok(outcome)
    }

    /// Stores a meeting's analysis (JSON) on the meeting record, as one change.
    fn store_analysis(
        &mut self,
        household_id: &str,
        meeting_id: &str,
        analysis: &Analysis,
    ) -> Result<(), ProfileError> {
        let json = serde_json::to_string(analysis)
            .map_err(|e| ProfileError::Core(hearth_core::CoreError::Corrupt(e.to_string())))?;
        self.edit(household_id, |h, ctx| {
            h.set_meeting_analysis(meeting_id, &json, ctx)
        })?;
        Ok(())
    }

    /// The stored analysis of a meeting.
    pub fn meeting_analysis(
        &self,
        meeting_id: &str,
    ) -> Result<(FoundMeeting, Analysis), ProfileError> {
        let found = self.find_meeting(meeting_id)?;
        let text = found
            .meeting
            .analysis
            .clone()
            .ok_or_else(|| ProfileError::NotAnalysed(meeting_id.to_string()))?;
        let analysis: Analysis = serde_json::from_str(&text).map_err(|e| {
            ProfileError::Core(hearth_core::CoreError::Corrupt(format!(
                "stored analysis: {e}"
            )))
        })?;
        Ok((found, analysis))
    }

    /// Changes a suggestion before it is filed: an action item's wording, owner and due date,
    /// a note's text, a fact's value, or the follow-up e-mail. The advisor's text is redacted
    /// like the analysis (an account number typed in is masked). A suggestion already filed
    /// is refused: it is changed where it was filed. Returns the revised analysis.
    pub fn revise_suggestion(
        &mut self,
        meeting_id: &str,
        revision: Revision,
    ) -> Result<Analysis, ProfileError> {
        let (found, mut analysis) = self.meeting_analysis(meeting_id)?;
        let accepted = |key: &str| is_filed(&found.meeting.accepted, key);
        let filed = |key: &str| {
            ProfileError::BadInput(format!(
                "{key} is already filed; change it where it was filed (the task, fact or note)"
            ))
        };
        let text = |t: &str, what: &str| -> Result<String, ProfileError> {
            let t = t.trim();
            if t.is_empty() {
                return Err(ProfileError::BadInput(format!(
                    "the {what} is empty; leave the suggestion unticked instead of emptying it"
                )));
            }
            Ok(hearth_intel::redact_text(t))
        };
        match revision {
            Revision::Action {
                index,
                what,
                owner,
                due,
            } => {
                let key = format!("action:{index}");
                if accepted(&key) {
                    return Err(filed(&key));
                }
                let what = text(&what, "action item")?;
                let item = analysis
                    .action_items
                    .get_mut(index)
                    .ok_or_else(|| ProfileError::BadItem(key.clone()))?;
                item.what = what;
                item.owner = owner;
                // The advisor has looked at who does it: no longer a guess.
                item.owner_guessed = false;
                if item.due != due {
                    item.due = due;
                    item.due_phrase = None;
                }
            }
            Revision::Note { index, text: t } => {
                let key = format!("note:{index}");
                if accepted(&key) {
                    return Err(filed(&key));
                }
                let t = text(&t, "note")?;
                let note = analysis
                    .notes
                    .get_mut(index)
                    .ok_or_else(|| ProfileError::BadItem(key.clone()))?;
                note.text = t;
            }
            Revision::Fact { index, value } => {
                let key = format!("fact:{index}");
                if accepted(&key) {
                    return Err(filed(&key));
                }
                let value = text(&value, "fact")?;
                let fact = analysis
                    .facts
                    .get_mut(index)
                    .ok_or_else(|| ProfileError::BadItem(key.clone()))?;
                fact.value = value;
            }
            Revision::Email { subject, body } => {
                analysis.email.subject = text(&subject, "subject")?;
                analysis.email.body = text(&body, "e-mail")?;
            }
        }
        self.store_analysis(&found.household_id, meeting_id, &analysis)?;
        Ok(analysis)
    }

    /// [`Profile::revise_suggestion`] for a suggestion named as in review (`action:N`,
    /// `note:N`, `fact:N`, `email`) with only the fields given changed: `text` (an action
    /// item's wording, a note's text, a fact's value, the e-mail's body), `owner` (`advisor`
    /// or `client`), `due` (`YYYY-MM-DD`, or `none`), `subject` (the e-mail's).
    pub fn revise_item(
        &mut self,
        meeting_id: &str,
        item: &str,
        edit: SuggestionEdit,
    ) -> Result<Analysis, ProfileError> {
        let (_, analysis) = self.meeting_analysis(meeting_id)?;
        let bad_item = || ProfileError::BadItem(item.to_string());
        let index = |n: &str| n.trim().parse::<usize>().map_err(|_| bad_item());
        let revision = match item.trim().split_once(':') {
            Some(("action", n)) => {
                let index = index(n)?;
                let current = analysis.action_items.get(index).ok_or_else(bad_item)?;
                let owner = match edit.owner.as_deref().map(str::trim) {
                    None => current.owner,
                    Some("advisor") => hearth_intel::Owner::Advisor,
                    Some("client") => hearth_intel::Owner::Client,
                    Some(other) => {
                        return Err(ProfileError::BadInput(format!(
                            "owner '{other}': use advisor or client"
                        )));
                    }
                };
                let due = match edit.due.as_deref().map(str::trim) {
                    None => current.due,
                    Some("" | "none") => None,
                    Some(day) => Some(chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(
                        |_| {
                            ProfileError::BadInput(format!(
                                "due date '{day}': use YYYY-MM-DD, or none"
                            ))
                        },
                    )?),
                };
                Revision::Action {
                    index,
                    what: edit.text.unwrap_or_else(|| current.what.clone()),
                    owner,
                    due,
                }
            }
            Some(("note", n)) => Revision::Note {
                index: index(n)?,
                text: edit
                    .text
                    .ok_or_else(|| ProfileError::BadInput("give the note's new text".into()))?,
            },
            Some(("fact", n)) => Revision::Fact {
                index: index(n)?,
                value: edit
                    .text
                    .ok_or_else(|| ProfileError::BadInput("give the fact's new value".into()))?,
            },
            None if item.trim() == "email" => Revision::Email {
                subject: edit
                    .subject
                    .unwrap_or_else(|| analysis.email.subject.clone()),
                body: edit.text.unwrap_or_else(|| analysis.email.body.clone()),
            },
            _ => return Err(bad_item()),
        };
        self.revise_suggestion(meeting_id, revision)
    }

    /// Files accepted suggestions: `action:N` (a task), `fact:N` (a client fact, with the meeting
    /// as provenance), `note:N` (the advisor certifies that suggested note and it is filed),
    /// `notes` (every note), or `all`. Items already accepted are not filed twice. One change, so history shows who
    /// accepted what, when.
    pub fn accept_meeting_items(
        &mut self,
        meeting_id: &str,
        items: &[String],
    ) -> Result<Filed, ProfileError> {
        let (found, analysis) = self.meeting_analysis(meeting_id)?;
        let mut keys: Vec<String> = Vec::new();
        for item in items {
            let item = item.trim();
            if item == "all" || item == "notes" {
                if item == "all" {
                    keys.extend((0..analysis.action_items.len()).map(|i| format!("action:{i}")));
                    keys.extend((0..analysis.facts.len()).map(|i| format!("fact:{i}")));
                }
                keys.extend((0..analysis.notes.len()).map(|i| format!("note:{i}")));
            } else {
                keys.push(item.to_string());
            }
        }
        keys.retain(|k| !is_filed(&found.meeting.accepted, k));
        let mut seen = std::collections::HashSet::new();
        keys.retain(|k| seen.insert(k.clone()));
        let mut review = Review::default();
        for key in &keys {
            let bad = || ProfileError::BadItem(key.clone());
            match key.split_once(':') {
                Some(("action", n)) => review
                    .accepted_action_items
                    .push(n.parse().map_err(|_| bad())?),
                Some(("fact", n)) => review.accepted_facts.push(n.parse().map_err(|_| bad())?),
                Some(("note", n)) => {
                    let note = n
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| analysis.notes.get(i))
                        .ok_or_else(bad)?;
                    review
                        .certified_notes
                        .get_or_insert_with(Vec::new)
                        .push(note.clone());
                }
                _ => return Err(bad()),
            }
        }
        if keys.is_empty() {
            return Ok(Filed {
                accepted: Vec::new(),
                created: Vec::new(),
            });
        }
        let ctx = self.meeting_context(&found, Tone::default())?;
        let plan = hearth_intel::plan_filing(
            &analysis,
            &review,
            &ctx,
            meeting_id,
            chrono::Utc::now().timestamp_millis(),
        )
        .map_err(|e| ProfileError::BadItem(e.to_string()))?;
        let created = self.edit(&found.household_id, |h, ctx| {
            h.file_meeting_items(
                meeting_id,
                &keys,
                &plan.tasks,
                &plan.facts,
                &plan.notes,
                ctx,
            )
        })?;
        Ok(Filed {
            accepted: keys,
            created,
        })
    }

    /// Renames a speaker in a meeting's transcript: every segment labelled `old` (`?` for
    /// segments without a label) within `segments` (indices, inclusive; all when `None`)
    /// becomes `new`. One change; returns how many segments changed (0: nothing written). A
    /// room recording with one microphone, or a call whose other side was named wrong, is
    /// corrected this way before the analysis is run again.
    pub fn relabel_speakers(
        &mut self,
        meeting_id: &str,
        old: &str,
        new: &str,
        segments: Option<std::ops::RangeInclusive<usize>>,
    ) -> Result<usize, ProfileError> {
        let new = new.trim();
        if new.is_empty() || new == "?" {
            return Err(ProfileError::BadInput(
                "the new speaker name is empty; give a name, e.g. --speaker ?=Ada".into(),
            ));
        }
        let found = self.find_meeting(meeting_id)?;
        let mut transcript = found.meeting.transcript.clone();
        if let Some(range) = &segments
            && *range.end() >= transcript.len()
        {
            return Err(ProfileError::BadInput(format!(
                "the transcript has segments 0-{}; {}-{} is outside it",
                transcript.len().saturating_sub(1),
                range.start(),
                range.end()
            )));
        }
        let mut changed = 0;
        for (i, seg) in transcript.iter_mut().enumerate() {
            let in_range = segments.as_ref().is_none_or(|r| r.contains(&i));
            let label = seg.speaker.as_deref().unwrap_or("?");
            if in_range && label.eq_ignore_ascii_case(old.trim()) && label != new {
                seg.speaker = Some(new.to_string());
                changed += 1;
            }
        }
        if changed > 0 {
            self.edit(&found.household_id, |h, ctx| {
                h.relabel_transcript(meeting_id, &transcript, changed, ctx)
            })?;
        }
        Ok(changed)
    }

    /// Meetings of a household, newest first.
    pub fn meetings(&self, household_id: &str) -> Result<Vec<(String, Meeting)>, ProfileError> {
        let data = self.household_data(household_id)?;
        let mut list: Vec<(String, Meeting)> = data.meetings.into_iter().collect();
        list.sort_by_key(|(_, m)| std::cmp::Reverse(m.started_at));
        Ok(list)
    }
}

/// WebVTT for a meeting's transcript.
pub fn meeting_vtt(meeting: &Meeting) -> String {
    fn ts(ms: u64) -> String {
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            ms / 3_600_000,
            (ms / 60_000) % 60,
            (ms / 1000) % 60,
            ms % 1000
        )
    }
    let mut out = String::from("WEBVTT\n");
    for (i, s) in meeting.transcript.iter().enumerate() {
        let text = match &s.speaker {
            Some(who) => format!("<v {who}>{}", s.text),
            None => s.text.clone(),
        };
        out.push_str(&format!(
            "\n{}\n{} --> {}\n{}\n",
            i + 1,
            ts(s.start_ms),
            ts(s.end_ms),
            text
        ));
    }
    out
}

/// "Speaker 1", "SPEAKER_00", "Spk 2": the anonymous labels diarizing tools write (other
/// labels with digits, like "Note 10" or a time, are not speakers).
fn numbered_speaker(who: &str) -> bool {
    let w = who.trim().to_ascii_lowercase();
    ["speaker", "spk"].iter().any(|p| {
        w.strip_prefix(p)
            .map(|rest| rest.trim_start_matches([' ', '_', '-']))
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    })
}

/// Parses a transcript file: hearth's JSON (`{"segments":[{start_ms,end_ms,speaker,text}]}`,
/// optionally inside `{"transcript": ...}`), or plain text with one `Speaker: words` line per
/// segment.
pub fn parse_transcript(text: &str) -> Result<Transcript, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        let value: serde_json::Value =
            serde_json::from_str(trimmed).map_err(|e| format!("not valid JSON: {e}"))?;
        let inner = value.get("transcript").cloned().unwrap_or(value);
        return serde_json::from_value(inner)
            .map_err(|e| format!("not a transcript ({{\"segments\": [...]}}): {e}"));
    }
    let mut segments = Vec::new();
    let mut t = 0u64;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (speaker, words) = match line.split_once(':') {
            Some((who, rest))
                if !who.is_empty()
                    && who.len() <= 40
                    && (!who.chars().any(|c| c.is_ascii_digit()) || numbered_speaker(who)) =>
            {
                (Some(who.trim().to_string()), rest.trim())
            }
            _ => (None, line),
        };
        // Without timings, estimate ~150 words a minute.
        let dur = (words.split_whitespace().count() as u64 * 400).max(1000);
        segments.push(hearth_intel::Segment {
            start_ms: t,
            end_ms: t + dur,
            speaker,
            text: words.to_string(),
        });
        t += dur;
    }
    if segments.is_empty() {
        return Err("the transcript is empty".to_string());
    }
    Ok(Transcript { segments })
}

/// A change the advisor makes to a suggestion before filing it
/// ([`Profile::revise_suggestion`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Revision {
    /// An action item's wording, owner and due date (`None`: no due date).
    Action {
        /// Which action item.
        index: usize,
        /// What has to be done.
        what: String,
        /// Who does it.
        owner: hearth_intel::Owner,
        /// When it is due.
        due: Option<chrono::NaiveDate>,
    },
    /// A suggested note's text.
    Note {
        /// Which note.
        index: usize,
        /// Its text.
        text: String,
    },
    /// A fact's value.
    Fact {
        /// Which fact.
        index: usize,
        /// Its value.
        value: String,
    },
    /// The follow-up e-mail.
    Email {
        /// Subject line.
        subject: String,
        /// Body.
        body: String,
    },
}

/// The fields of a suggestion to change ([`Profile::revise_item`]); `None` keeps the value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SuggestionEdit {
    /// An action item's wording, a note's text, a fact's value, or the e-mail's body.
    pub text: Option<String>,
    /// `advisor` or `client` (action items).
    pub owner: Option<String>,
    /// `YYYY-MM-DD` or `none` (action items).
    pub due: Option<String>,
    /// The e-mail's subject.
    pub subject: Option<String>,
}

/// Whether the suggestion `key` of a meeting was filed: its key was accepted, or — for a
/// note — `notes` was (meetings reviewed before notes were accepted one by one).
fn is_filed(accepted: &[String], key: &str) -> bool {
    accepted.iter().any(|k| k == key)
        || (key.starts_with("note:") && accepted.iter().any(|k| k == "notes"))
}
