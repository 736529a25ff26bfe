//! Edits to one household document.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value};
use autosurgeon::{Reconcile, hydrate, reconcile_prop};
use serde::Serialize;

use crate::model::*;
use crate::template::validate_custom_value;
use crate::{CoreError, DocumentId, new_item_id};

/// Who is making an edit, and when. Every change records it: the actor is mapped to the
/// advisor and device inside the document, the time goes into the change itself.
#[derive(Debug, Clone)]
pub struct EditContext {
    /// Advisor name.
    pub advisor: String,
    /// Device label.
    pub device: String,
    /// Wall-clock time of the edit, ms since the epoch.
    pub now_ms: i64,
    /// The device's offset from UTC at the time of the edit, in seconds, so that date
    /// defaults (an as-of date, a goal's start) are the advisor's local date.
    pub utc_offset_secs: i32,
}

impl EditContext {
    /// The edit's calendar date where the advisor is, for defaults such as an as-of date.
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::DateTime::from_timestamp_millis(
            self.now_ms
                .saturating_add(i64::from(self.utc_offset_secs) * 1000),
        )
        .map(|t| t.date_naive())
        .unwrap_or_default()
    }
}

/// One acknowledged change to a household: what the store must persist.
#[derive(Debug, Clone)]
pub struct Committed<T> {
    /// What the edit produced, e.g. the new item's id.
    pub value: T,
    /// The Automerge change, encoded; `None` when the edit changed nothing.
    pub change: Option<Vec<u8>>,
}

/// The fields of a household that its listing row shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdSummary {
    /// Household name.
    pub name: String,
    /// Prospect or client.
    pub status: HouseholdStatus,
    /// Service segment.
    pub segment: Option<String>,
}

/// One entry of a household's history, read from Automerge's change graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryEntry {
    /// Change hash, hex.
    pub hash: String,
    /// Automerge actor id, hex.
    pub actor: String,
    /// Advisor behind the actor, if the document knows it.
    pub advisor: Option<String>,
    /// Device behind the actor, if the document knows it.
    pub device: Option<String>,
    /// Seconds since the epoch, as recorded in the change.
    pub time: i64,
    /// What the change did, in words.
    pub summary: String,
    /// How many operations it holds.
    pub ops: usize,
}

/// A household: one Automerge document plus the edits an advisor can make to it.
#[derive(Debug, Clone)]
pub struct Household {
    doc: AutoCommit,
}

impl Household {
    /// Creates a new household document with every collection present and empty.
    pub fn create(
        id: DocumentId,
        name: &str,
        status: HouseholdStatus,
        actor: ActorId,
        ctx: &EditContext,
    ) -> Result<Committed<Self>, CoreError> {
        let name = non_empty("household name", name)?;
        let mut household = Household {
            doc: AutoCommit::new().with_actor(actor),
        };
        let data = HouseholdData {
            schema: SCHEMA_VERSION,
            id: id.to_string(),
            name: name.to_string(),
            status,
            segment: None,
            client_ref: None,
            tags: Vec::new(),
            address: None,
            created_at: ctx.now_ms,
            members: Default::default(),
            accounts: Default::default(),
            goals: Default::default(),
            notes: Default::default(),
            tasks: Default::default(),
            documents: Default::default(),
            meetings: Default::default(),
            facts: Default::default(),
            archived_at: None,
            template: None,
            custom: Default::default(),
            actors: Default::default(),
        };
        let committed = household.edit(ctx, format!("Created household {name}"), |doc| {
            autosurgeon::reconcile(doc, &data).map_err(CoreError::from)
        })?;
        Ok(Committed {
            value: household,
            change: committed.change,
        })
    }

    /// Loads a household from a saved document plus any incremental changes saved after it.
    /// Edits made through the returned value are written with `actor`.
    pub fn load(snapshot: &[u8], changes: &[Vec<u8>], actor: ActorId) -> Result<Self, CoreError> {
        let doc = AutoCommit::load(snapshot).map_err(|e| CoreError::Corrupt(e.to_string()))?;
        Self::with_changes(doc, changes, actor)
    }

    /// [`Household::load`] for a document this profile stored itself, skipping the check that
    /// the document's heads hash to what it says (recomputing every change hash is most of
    /// the cost of loading a large document). Only for bytes whose integrity is already
    /// guaranteed — the profile's SQLCipher pages are authenticated (HMAC) — never for
    /// documents that arrive from a relay, an import or another client.
    pub fn load_stored(
        snapshot: &[u8],
        changes: &[Vec<u8>],
        actor: ActorId,
    ) -> Result<Self, CoreError> {
        let options =
            automerge::LoadOptions::new().verification_mode(automerge::VerificationMode::DontCheck);
        let doc = AutoCommit::load_with_options(snapshot, options)
            .map_err(|e| CoreError::Corrupt(e.to_string()))?;
        Self::with_changes(doc, changes, actor)
    }

    fn with_changes(
        mut doc: AutoCommit,
        changes: &[Vec<u8>],
        actor: ActorId,
    ) -> Result<Self, CoreError> {
        for change in changes {
            doc.load_incremental(change)
                .map_err(|e| CoreError::Corrupt(e.to_string()))?;
        }
        doc.set_actor(actor);
        let household = Household { doc };
        // A document that is not a household is reported where it is loaded; the rest is
        // checked as it is read (hydrating everything here cost more than the load itself).
        household.id()?;
        household.summary()?;
        Ok(household)
    }

    /// Wraps an Automerge document that arrived from elsewhere (sync, import), checking that
    /// it is a household.
    pub fn from_doc(doc: AutoCommit) -> Result<Self, CoreError> {
        let household = Household { doc };
        household.data()?;
        Ok(household)
    }

    /// The household's id as recorded in the document.
    pub fn id(&self) -> Result<DocumentId, CoreError> {
        crate::model::lenient::string(&self.doc, &ROOT, "id".into())
            .map_err(|e| CoreError::Corrupt(format!("not a household document: {e}")))?
            .parse()
    }

    /// The typed view of the whole document.
    pub fn data(&self) -> Result<HouseholdData, CoreError> {
        let mut data: HouseholdData = hydrate(&self.doc)
            .map_err(|e| CoreError::Corrupt(format!("not a household document: {e}")))?;
        self.union_balances(&mut data.accounts)?;
        Ok(data)
    }

    /// The typed view without the meetings' transcripts (each meeting's `transcript` is
    /// empty): what the household page and the brief show. A household with years of
    /// recorded meetings holds tens of thousands of transcript segments, and materialising
    /// them was most of the time its page took.
    pub fn data_without_transcripts(&self) -> Result<HouseholdData, CoreError> {
        let mut data: HouseholdData = hydrate(&WithoutTranscripts(&self.doc))
            .map_err(|e| CoreError::Corrupt(format!("not a household document: {e}")))?;
        self.union_balances(&mut data.accounts)?;
        Ok(data)
    }

    /// Two replicas that each gave a legacy account (one from before balance histories) its
    /// first balance concurrently each created the account's `balances` map; Automerge keeps
    /// both objects as a conflict and hydration sees only the winner. Every entry of every
    /// one of them is a balance someone entered, so all are read.
    fn union_balances(
        &self,
        accounts: &mut std::collections::BTreeMap<String, Account>,
    ) -> Result<(), CoreError> {
        let Some((Value::Object(ObjType::Map), map)) = self.doc.get(ROOT, "accounts")? else {
            return Ok(());
        };
        for (id, account) in accounts.iter_mut() {
            let Some((Value::Object(ObjType::Map), item)) = self.doc.get(&map, id.as_str())? else {
                continue;
            };
            let versions = self.doc.get_all(&item, "balances")?;
            if versions.len() < 2 {
                continue;
            }
            for (value, balances) in versions {
                if let Value::Object(ObjType::Map) = value {
                    for key in self.doc.keys(&balances) {
                        if let Ok(b) = autosurgeon::hydrate_prop::<_, Balance, _, _>(
                            &self.doc,
                            &balances,
                            key.as_str(),
                        ) {
                            account.balances.entry(key).or_insert(b);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Name, status and segment, read without hydrating the whole document (listing rows
    /// are refreshed on every edit).
    pub fn summary(&self) -> Result<HouseholdSummary, CoreError> {
        let corrupt = |e: autosurgeon::HydrateError| {
            CoreError::Corrupt(format!("not a household document: {e}"))
        };
        Ok(HouseholdSummary {
            name: crate::model::lenient::string(&self.doc, &ROOT, "name".into())
                .map_err(corrupt)?,
            status: crate::model::lenient::string(&self.doc, &ROOT, "status".into())
                .map_err(corrupt)?
                .parse()?,
            segment: crate::model::lenient::opt_string(&self.doc, &ROOT, "segment".into())
                .map_err(corrupt)?,
        })
    }

    /// The Automerge document.
    pub fn doc(&self) -> &AutoCommit {
        &self.doc
    }

    /// The Automerge document, for sync and merges.
    pub fn doc_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// The document's compacted form.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Current heads of the change graph.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Merges another replica of the same household into this one; returns the changes
    /// that were new here.
    pub fn merge(&mut self, other: &mut Household) -> Result<Vec<ChangeHash>, CoreError> {
        // Automerge's merge returns the new heads, not what was applied: what is new is
        // everything not already in the past of the heads before.
        let before = self.doc.get_heads();
        self.doc
            .merge(&mut other.doc)
            .map_err(|e| CoreError::Corrupt(e.to_string()))?;
        Ok(self
            .doc
            .get_changes(&before)
            .iter()
            .map(|c| c.hash())
            .collect())
    }

    /// History entries for the given changes (those the document has), in the given order.
    pub fn describe_changes(&mut self, hashes: &[ChangeHash]) -> Vec<HistoryEntry> {
        let actors: std::collections::BTreeMap<String, ActorInfo> =
            autosurgeon::hydrate_prop(&self.doc, ROOT, "actors").unwrap_or_default();
        hashes
            .iter()
            .filter_map(|hash| self.doc.get_change_by_hash(hash))
            .map(|change| history_entry(&change, &actors))
            .collect()
    }

    /// Every change in the document, as hashes.
    pub fn all_changes(&mut self) -> Vec<ChangeHash> {
        self.doc.get_changes(&[]).iter().map(|c| c.hash()).collect()
    }

    /// Renames the household.
    pub fn rename(&mut self, name: &str, ctx: &EditContext) -> Result<Committed<()>, CoreError> {
        let name = non_empty("household name", name)?.to_string();
        self.edit(ctx, format!("Renamed household to {name}"), |doc| {
            doc.put(ROOT, "name", name.as_str())?;
            Ok(())
        })
    }

    /// Sets prospect/client status.
    pub fn set_status(
        &mut self,
        status: HouseholdStatus,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        self.edit(ctx, format!("Set status to {status}"), |doc| {
            doc.put(ROOT, "status", status.as_str())?;
            Ok(())
        })
    }

    /// Sets or clears the service segment.
    pub fn set_segment(
        &mut self,
        segment: Option<&str>,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let summary = match segment {
            Some(s) => format!("Set segment to {s}"),
            None => "Cleared segment".to_string(),
        };
        self.edit(ctx, summary, |doc| {
            reconcile_prop(doc, ROOT, "segment", segment.map(str::to_string))?;
            Ok(())
        })
    }

    /// Adds a tag (no-op if present).
    pub fn add_tag(&mut self, tag: &str, ctx: &EditContext) -> Result<Committed<()>, CoreError> {
        let tag = non_empty("tag", tag)?.to_string();
        let present = self.data()?.tags.contains(&tag);
        self.edit(ctx, format!("Tagged {tag}"), |doc| {
            if !present {
                let tags = obj(doc, &ROOT, "tags", ObjType::List)?;
                let len = doc.length(&tags);
                doc.insert(&tags, len, tag.as_str())?;
            }
            Ok(())
        })
    }

    /// Sets the mailing address.
    pub fn set_address(
        &mut self,
        address: &Address,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        self.edit(ctx, "Updated address".to_string(), |doc| {
            reconcile_prop(doc, ROOT, "address", Some(address))?;
            Ok(())
        })
    }

    /// Adds a member; returns their item id.
    pub fn add_member(
        &mut self,
        member: &Member,
        ctx: &EditContext,
    ) -> Result<Committed<String>, CoreError> {
        non_empty("member name", &member.name)?;
        let summary = format!("Added member {} ({})", member.name, member.role);
        self.insert_item(ctx, "members", member, summary)
    }

    /// Adds an account; `aum` and `fee_rate` must be exact decimals.
    pub fn add_account(
        &mut self,
        account: &Account,
        ctx: &EditContext,
    ) -> Result<Committed<String>, CoreError> {
        non_empty("account type", &account.kind)?;
        for (what, value) in [("AUM", &account.aum), ("fee rate", &account.fee_rate)] {
            if let Some(v) = value {
                check_decimal(what, v)?;
            }
        }
        if let Some(date) = &account.aum_as_of {
            check_named_date("as-of date", date)?;
        }
        if let Some(date) = &account.closed_on {
            check_named_date("closing date", date)?;
        }
        if let Some(owner) = &account.owner {
            self.item(owner, "members", "member")?;
        }
        // The opening balance is the first entry of the balance history.
        let mut account = account.clone();
        if let Some(aum) = account.aum.clone() {
            let as_of = account
                .aum_as_of
                .get_or_insert_with(|| ctx.today().to_string())
                .clone();
            if account.balances.is_empty() {
                account.balances.insert(
                    new_item_id(),
                    Balance {
                        amount: aum,
                        as_of,
                        recorded_at: ctx.now_ms,
                        recorded_by: ctx.advisor.clone(),
                    },
                );
            }
        }
        let summary = match &account.aum {
            Some(aum) => format!(
                "Added account {} with AUM {}",
                account.kind,
                crate::money::format_amount(aum)
            ),
            None => format!("Added account {}", account.kind),
        };
        self.insert_item(ctx, "accounts", &account, summary)
    }

    /// Adds a goal.
    pub fn add_goal(
        &mut self,
        goal: &Goal,
        ctx: &EditContext,
    ) -> Result<Committed<String>, CoreError> {
        non_empty("goal title", &goal.title)?;
        for (what, value) in [
            ("target amount", &goal.target_amount),
            ("funded amount", &goal.funded_amount),
        ] {
            if let Some(v) = value {
                check_decimal(what, v)?;
            }
        }
        for (what, value) in [
            ("target date", &goal.target_date),
            ("start date", &goal.started_on),
        ] {
            if let Some(v) = value {
                check_named_date(what, v)?;
            }
        }
        let mut goal = goal.clone();
        goal.started_on
            .get_or_insert_with(|| ctx.today().to_string());
        let summary = format!("Added goal {}", goal.title);
        self.insert_item(ctx, "goals", &goal, summary)
    }

    /// Adds a note in one of the five categories.
    pub fn add_note(
        &mut self,
        category: NoteCategory,
        text: &str,
        source_meeting: Option<&str>,
        ctx: &EditContext,
    ) -> Result<Committed<String>, CoreError> {
        non_empty("note text", text)?;
        let note = Note {
            category,
            body: autosurgeon::Text::with_value(text),
            author: ctx.advisor.clone(),
            created_at: ctx.now_ms,
            source_meeting: source_meeting.map(str::to_string),
        };
        let summary = format!("Added {category} note");
        self.insert_item(ctx, "notes", &note, summary)
    }

    /// Replaces a note's text. The change is recorded as character splices, so an edit made
    /// concurrently elsewhere in the same note survives the merge.
    pub fn edit_note(
        &mut self,
        note_id: &str,
        text: &str,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let note = self.item(note_id, "notes", "note")?;
        let body = match self.doc.get(&note, "body")? {
            Some((Value::Object(ObjType::Text), id)) => id,
            _ => {
                return Err(CoreError::Corrupt(format!(
                    "note {note_id} has no text body"
                )));
            }
        };
        self.edit(ctx, "Edited note".to_string(), |doc| {
            doc.update_text(&body, text)?;
            Ok(())
        })
    }

    /// Changes a note's category.
    pub fn set_note_category(
        &mut self,
        note_id: &str,
        category: NoteCategory,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let note = self.item(note_id, "notes", "note")?;
        self.edit(ctx, format!("Moved note to {category}"), |doc| {
            doc.put(&note, "category", category.as_str())?;
            Ok(())
        })
    }

    /// Opens a loop (task) owned by `owner`.
    pub fn add_task(
        &mut self,
        title: &str,
        owner: &str,
        due: Option<&str>,
        source_meeting: Option<&str>,
        ctx: &EditContext,
    ) -> Result<Committed<String>, CoreError> {
        let title = non_empty("task title", title)?;
        let owner = non_empty("task owner", owner)?;
        if let Some(due) = due {
            check_named_date("due date", due)?;
        }
        let task = Task {
            title: title.to_string(),
            owner: owner.to_string(),
            due: due.map(str::to_string),
            status: TaskStatus::Open,
            source_meeting: source_meeting.map(str::to_string),
            created_at: ctx.now_ms,
            snoozed_until: None,
            closed_at: None,
            source_item: None,
        };
        let summary = format!("Opened task {title}");
        self.insert_item(ctx, "tasks", &task, summary)
    }

    /// Completes, cancels or reopens a task (reopening clears its snooze).
    pub fn set_task_status(
        &mut self,
        task_id: &str,
        status: TaskStatus,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let task = self.item(task_id, "tasks", "task")?;
        let title = crate::model::lenient::opt_string(&self.doc, &task, "title".into())
            .ok()
            .flatten()
            .unwrap_or_default();
        let verb = match status {
            TaskStatus::Open => "Reopened",
            TaskStatus::Done => "Completed",
            TaskStatus::Cancelled => "Cancelled",
        };
        self.edit(ctx, format!("{verb} task {title}"), |doc| {
            doc.put(&task, "status", status.as_str())?;
            match status {
                TaskStatus::Open => {
                    for field in ["closed_at", "snoozed_until"] {
                        if doc.get(&task, field)?.is_some() {
                            doc.delete(&task, field)?;
                        }
                    }
                }
                TaskStatus::Done | TaskStatus::Cancelled => {
                    doc.put(&task, "closed_at", ctx.now_ms)?;
                }
            }
            Ok(())
        })
    }

    /// Records a client fact.
    pub fn add_fact(
        &mut self,
        fact: &ClientFact,
        ctx: &EditContext,
    ) -> Result<Committed<String>, CoreError> {
        non_empty("fact key", &fact.key)?;
        if !(0.0..=1.0).contains(&fact.confidence) {
            return Err(CoreError::InvalidValue {
                what: "confidence",
                given: fact.confidence.to_string(),
                expected: "a number between 0 and 1".to_string(),
            });
        }
        let mut fact = fact.clone();
        fact.recorded_at.get_or_insert(ctx.now_ms);
        let summary = format!("Recorded fact {}: {}", fact.key, fact.value);
        self.insert_item(ctx, "facts", &fact, summary)
    }

    /// Attaches a document reference.
    pub fn add_document_ref(
        &mut self,
        document: &DocumentRef,
        ctx: &EditContext,
    ) -> Result<Committed<String>, CoreError> {
        non_empty("document name", &document.name)?;
        let summary = format!("Attached document {}", document.name);
        self.insert_item(ctx, "documents", document, summary)
    }

    /// Records a meeting.
    pub fn add_meeting(
        &mut self,
        meeting: &Meeting,
        ctx: &EditContext,
    ) -> Result<Committed<String>, CoreError> {
        let summary = format!("Recorded meeting {}", meeting.title);
        self.insert_item(ctx, "meetings", meeting, summary)
    }

    /// Stores the latest analysis of a meeting (JSON text).
    pub fn set_meeting_analysis(
        &mut self,
        meeting_id: &str,
        analysis_json: &str,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let meeting = self.item(meeting_id, "meetings", "meeting")?;
        self.edit(ctx, "Analysed meeting".to_string(), |doc| {
            doc.put(&meeting, "analysis", analysis_json)?;
            Ok(())
        })
    }

    /// Records the audio retention state of a meeting (see [`Meeting::audio`]).
    pub fn set_meeting_audio(
        &mut self,
        meeting_id: &str,
        state: &str,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let meeting = self.item(meeting_id, "meetings", "meeting")?;
        self.edit_any(ctx, format!("Meeting audio {state}"), |doc| {
            doc.put(&meeting, "audio", state)?;
            Ok(())
        })
    }

    /// Completes a recorded or imported meeting in one change: its (already redacted)
    /// transcript, duration, redaction record and audio retention state; `recovered` marks a
    /// recording that was interrupted and transcribed afterwards from what was sealed.
    #[allow(clippy::too_many_arguments)] // one change, every part of a meeting's completion
    pub fn set_meeting_transcript(
        &mut self,
        meeting_id: &str,
        transcript: &[TranscriptSegment],
        duration_secs: Option<u64>,
        redactions: Option<&str>,
        audio_state: &str,
        recovered: bool,
        audio_notice: Option<&str>,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let meeting = self.item(meeting_id, "meetings", "meeting")?;
        let summary = if recovered {
            format!(
                "Recovered interrupted meeting ({} segments)",
                transcript.len()
            )
        } else {
            format!("Transcribed meeting ({} segments)", transcript.len())
        };
        self.edit_any(ctx, summary, |doc| {
            reconcile_prop(doc, &meeting, "transcript", transcript)?;
            reconcile_prop(doc, &meeting, "duration_secs", duration_secs)?;
            reconcile_prop(doc, &meeting, "redactions", redactions.map(str::to_string))?;
            doc.put(&meeting, "audio", audio_state)?;
            if recovered {
                doc.put(&meeting, "recovered", true)?;
            }
            if let Some(notice) = audio_notice {
                doc.put(&meeting, "audio_notice", notice)?;
            }
            Ok(())
        })
    }

    /// Replaces a meeting's transcript with the same segments relabelled (speaker names
    /// corrected by the advisor), as one change whose message says how many segments.
    pub fn relabel_transcript(
        &mut self,
        meeting_id: &str,
        transcript: &[TranscriptSegment],
        relabelled: usize,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let meeting = self.item(meeting_id, "meetings", "meeting")?;
        let summary = format!("Relabelled speakers of {relabelled} transcript segments");
        self.edit_any(ctx, summary, |doc| {
            reconcile_prop(doc, &meeting, "transcript", transcript)?;
            Ok(())
        })
    }

    /// Files reviewed meeting suggestions as one change: the tasks, facts and notes, plus the
    /// accepted item keys on the meeting record. The change's message names the meeting and
    /// what was accepted, so history shows who accepted what.
    pub fn file_meeting_items(
        &mut self,
        meeting_id: &str,
        accepted_keys: &[String],
        tasks: &[Task],
        facts: &[ClientFact],
        notes: &[(NoteCategory, String)],
        ctx: &EditContext,
    ) -> Result<Committed<Vec<String>>, CoreError> {
        let meeting = self.item(meeting_id, "meetings", "meeting")?;
        let title: String =
            autosurgeon::hydrate_prop(&self.doc, &meeting, "title").unwrap_or_default();
        let summary = filing_summary(accepted_keys, &title);
        self.edit(ctx, summary, |doc| {
            let mut created = Vec::new();
            let tasks_map = obj(doc, &ROOT, "tasks", ObjType::Map)?;
            for task in tasks {
                let id = new_item_id();
                reconcile_prop(doc, &tasks_map, id.as_str(), task)?;
                created.push(id);
            }
            let facts_map = obj(doc, &ROOT, "facts", ObjType::Map)?;
            for fact in facts {
                let id = new_item_id();
                let mut fact = fact.clone();
                fact.recorded_at.get_or_insert(ctx.now_ms);
                reconcile_prop(doc, &facts_map, id.as_str(), &fact)?;
                created.push(id);
            }
            let notes_map = obj(doc, &ROOT, "notes", ObjType::Map)?;
            for (category, text) in notes {
                let id = new_item_id();
                let note = Note {
                    category: *category,
                    body: autosurgeon::Text::with_value(text),
                    author: ctx.advisor.clone(),
                    created_at: ctx.now_ms,
                    source_meeting: Some(meeting_id.to_string()),
                };
                reconcile_prop(doc, &notes_map, id.as_str(), &note)?;
                created.push(id);
            }
            let accepted = match doc.get(&meeting, "accepted")? {
                Some((Value::Object(ObjType::List), id)) => id,
                _ => doc.put_object(&meeting, "accepted", ObjType::List)?,
            };
            for key in accepted_keys {
                let len = doc.length(&accepted);
                doc.insert(&accepted, len, key.as_str())?;
            }
            Ok(created)
        })
    }

    /// Applies a custom-field template; existing custom values are kept.
    pub fn apply_template(
        &mut self,
        template: &Template,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        crate::template::parse_schema(&template.schema)?;
        self.edit(ctx, format!("Applied template {}", template.name), |doc| {
            reconcile_prop(doc, ROOT, "template", Some(template))?;
            Ok(())
        })
    }

    /// Sets one custom field, validated against the household's template.
    pub fn set_custom(
        &mut self,
        field: &str,
        value: &serde_json::Value,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let template = self.data()?.template.ok_or(CoreError::NoTemplate)?;
        validate_custom_value(&template, field, value)?;
        let text = value.to_string();
        self.edit(ctx, format!("Set {field}"), |doc| {
            let custom = obj(doc, &ROOT, "custom", ObjType::Map)?;
            doc.put(&custom, field, text.as_str())?;
            Ok(())
        })
    }

    /// Who changed what and when, oldest first, straight from the change graph.
    ///
    /// The order is a topological order of the change graph (a change never comes before one
    /// it depends on) with concurrent changes ordered by time, then hash, so every replica
    /// with the same changes lists the same history.
    pub fn history(&mut self) -> Result<Vec<HistoryEntry>, CoreError> {
        use std::collections::{BTreeSet, HashMap};
        let actors: std::collections::BTreeMap<String, ActorInfo> =
            autosurgeon::hydrate_prop(&self.doc, ROOT, "actors")
                .map_err(|e| CoreError::Corrupt(format!("not a household document: {e}")))?;
        let changes = self.doc.get_changes(&[]);
        let mut waiting: HashMap<ChangeHash, usize> = HashMap::new();
        let mut dependents: HashMap<ChangeHash, Vec<usize>> = HashMap::new();
        let mut ready = BTreeSet::new();
        for (i, change) in changes.iter().enumerate() {
            waiting.insert(change.hash(), change.deps().len());
            for dep in change.deps() {
                dependents.entry(*dep).or_default().push(i);
            }
            if change.deps().is_empty() {
                ready.insert((change.timestamp(), change.hash(), i));
            }
        }
        let mut entries = Vec::with_capacity(changes.len());
        while let Some(next) = ready.pop_first() {
            let change = &changes[next.2];
            for &d in dependents.get(&change.hash()).into_iter().flatten() {
                let left = waiting.entry(changes[d].hash()).or_default();
                *left = left.saturating_sub(1);
                if *left == 0 {
                    ready.insert((changes[d].timestamp(), changes[d].hash(), d));
                }
            }
            entries.push(history_entry(change, &actors));
        }
        Ok(entries)
    }

    pub(crate) fn insert_item<R: Reconcile>(
        &mut self,
        ctx: &EditContext,
        collection: &'static str,
        item: &R,
        summary: String,
    ) -> Result<Committed<String>, CoreError> {
        let id = new_item_id();
        let committed = self.edit(ctx, summary, |doc| {
            let map = obj(doc, &ROOT, collection, ObjType::Map)?;
            reconcile_prop(doc, &map, id.as_str(), item)?;
            Ok(())
        })?;
        Ok(Committed {
            value: id,
            change: committed.change,
        })
    }

    /// Finds an item in a collection, or says which id was not found.
    pub(crate) fn item(
        &self,
        id: &str,
        collection: &str,
        what: &'static str,
    ) -> Result<ObjId, CoreError> {
        let map = obj(&self.doc, &ROOT, collection, ObjType::Map)?;
        match self.doc.get(&map, id)? {
            Some((Value::Object(ObjType::Map), obj)) => Ok(obj),
            _ => Err(CoreError::NotFound {
                what,
                id: id.to_string(),
            }),
        }
    }

    /// Runs `f` as one change, registering the actor → advisor/device mapping in the same
    /// change. On error nothing is committed. An archived household is read-only: the edit
    /// is refused with the reason (see [`Household::edit_any`] for the few that are not).
    pub(crate) fn edit<T>(
        &mut self,
        ctx: &EditContext,
        summary: String,
        f: impl FnOnce(&mut AutoCommit) -> Result<T, CoreError>,
    ) -> Result<Committed<T>, CoreError> {
        if self.archived_at().is_some() {
            let name = self.summary().map(|s| s.name).unwrap_or_default();
            return Err(CoreError::Archived { name });
        }
        self.edit_any(ctx, summary, f)
    }

    /// [`Household::edit`] without the archive check: for unarchiving, and for what must
    /// still happen to an archived household's records (a recording finishing, audio
    /// retention deleting a file).
    pub(crate) fn edit_any<T>(
        &mut self,
        ctx: &EditContext,
        summary: String,
        f: impl FnOnce(&mut AutoCommit) -> Result<T, CoreError>,
    ) -> Result<Committed<T>, CoreError> {
        let result = f(&mut self.doc).and_then(|value| {
            self.register_actor(ctx)?;
            Ok(value)
        });
        let value = match result {
            Ok(value) => value,
            Err(e) => {
                self.doc.rollback();
                return Err(e);
            }
        };
        let committed = self.doc.commit_with(
            CommitOptions::default()
                .with_message(summary)
                .with_time(ctx.now_ms.div_euclid(1000)),
        );
        let change = match committed {
            Some(_) => self
                .doc
                .get_last_local_change()
                .map(|mut c| c.bytes().into_owned()),
            None => None,
        };
        Ok(Committed { value, change })
    }

    fn register_actor(&mut self, ctx: &EditContext) -> Result<(), CoreError> {
        let actor = self.doc.get_actor().to_hex_string();
        let actors = obj(&self.doc, &ROOT, "actors", ObjType::Map)?;
        let info = ActorInfo {
            advisor: ctx.advisor.clone(),
            device: ctx.device.clone(),
        };
        let known: Option<ActorInfo> =
            autosurgeon::hydrate_prop(&self.doc, &actors, actor.as_str()).ok();
        if known.as_ref() != Some(&info) {
            reconcile_prop(&mut self.doc, &actors, actor.as_str(), &info)?;
        }
        Ok(())
    }
}

/// "Filed 2 action items, 1 fact and the notes from Annual review": what a review filed,
/// in words, from its item keys (`action:N`, `fact:N`, `notes`).
fn filing_summary(keys: &[String], meeting_title: &str) -> String {
    let count = |prefix: &str| keys.iter().filter(|k| k.starts_with(prefix)).count();
    let plural = |n: usize, one: &str, many: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    };
    let mut parts = Vec::new();
    let actions = count("action:");
    if actions > 0 {
        parts.push(plural(actions, "action item", "action items"));
    }
    let facts = count("fact:");
    if facts > 0 {
        parts.push(plural(facts, "fact", "facts"));
    }
    let notes = count("note:");
    if notes > 0 {
        parts.push(plural(notes, "note", "notes"));
    } else if keys.iter().any(|k| k == "notes") {
        parts.push("the notes".to_string());
    }
    let what = match parts.len() {
        0 => "nothing".to_string(),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    };
    let from = if meeting_title.trim().is_empty() {
        "a meeting".to_string()
    } else {
        meeting_title.trim().to_string()
    };
    format!("Filed {what} from {from}")
}

/// One change as a history entry: who (through the document's actor map), when, what.
fn history_entry(
    change: &automerge::Change,
    actors: &std::collections::BTreeMap<String, ActorInfo>,
) -> HistoryEntry {
    let actor = change.actor_id().to_hex_string();
    let who = actors.get(&actor);
    HistoryEntry {
        hash: change.hash().to_string(),
        advisor: who.map(|w| w.advisor.clone()),
        device: who.map(|w| w.device.clone()),
        actor,
        time: change.timestamp(),
        summary: change.message().unwrap_or("(no description)").to_string(),
        ops: change.len(),
    }
}

/// The object at `parent[key]`, which must exist with the given type.
pub(crate) fn obj<D: ReadDoc>(
    doc: &D,
    parent: &ObjId,
    key: &str,
    kind: ObjType,
) -> Result<ObjId, CoreError> {
    match doc.get(parent, key)? {
        Some((Value::Object(found), id)) if found == kind => Ok(id),
        _ => Err(CoreError::Corrupt(format!(
            "household document has no {key} {kind:?}"
        ))),
    }
}

pub(crate) fn non_empty<'a>(what: &'static str, value: &'a str) -> Result<&'a str, CoreError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(CoreError::Empty { what });
    }
    Ok(trimmed)
}

pub(crate) fn check_decimal(what: &'static str, value: &str) -> Result<(), CoreError> {
    // Plain notation only: "1.2e6" parses as a decimal but is not how money is written down.
    let plain = value
        .strip_prefix('-')
        .unwrap_or(value)
        .split_once('.')
        .map_or(
            value
                .strip_prefix('-')
                .unwrap_or(value)
                .chars()
                .all(|c| c.is_ascii_digit()),
            |(int, frac)| {
                int.chars().all(|c| c.is_ascii_digit()) && frac.chars().all(|c| c.is_ascii_digit())
            },
        );
    value
        .parse::<rust_decimal::Decimal>()
        .ok()
        .filter(|_| plain && !value.is_empty())
        .map(|_| ())
        .ok_or_else(|| CoreError::InvalidValue {
            what,
            given: value.to_string(),
            expected: "an exact decimal such as 1250000.00".to_string(),
        })
}

/// Checks a YYYY-MM-DD date.
pub fn check_date(value: &str) -> Result<(), CoreError> {
    check_named_date("date", value)
}

/// Checks a YYYY-MM-DD date, naming the field in the error ("due date", "as-of date").
pub fn check_named_date(what: &'static str, value: &str) -> Result<(), CoreError> {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(|_| ())
        .map_err(|_| CoreError::InvalidValue {
            what,
            given: value.to_string(),
            expected: "a date as YYYY-MM-DD, e.g. 2026-12-31".to_string(),
        })
}

/// Reads a collection (members, accounts, …) item by item, skipping an item that is not
/// whole — one written half by another client must not make the household unreadable.
pub(crate) fn hydrate_items<D: autosurgeon::ReadDoc, T: autosurgeon::Hydrate>(
    doc: &D,
    obj: &ObjId,
    prop: autosurgeon::Prop<'_>,
) -> Result<std::collections::BTreeMap<String, T>, autosurgeon::HydrateError> {
    let mut items = std::collections::BTreeMap::new();
    let map = match doc
        .get(obj, automerge::Prop::from(&prop))
        .map_err(|e| autosurgeon::HydrateError::unexpected("a map", e.to_string()))?
    {
        Some((Value::Object(ObjType::Map), id)) => id,
        None => return Ok(items),
        Some(_) => {
            return Err(autosurgeon::HydrateError::unexpected(
                "a map",
                "another value".to_string(),
            ));
        }
    };
    let keys: Vec<String> = doc
        .map_range(&map, ..)
        .map(|item| item.key.to_string())
        .collect();
    for key in keys {
        if let Ok(item) = autosurgeon::hydrate_prop::<_, T, _, _>(doc, &map, key.as_str()) {
            items.insert(key, item);
        }
    }
    Ok(items)
}

/// A read view of a household document in which meetings have no transcript; everything
/// else reads the same (see [`Household::data_without_transcripts`]).
struct WithoutTranscripts<'a>(&'a AutoCommit);

impl autosurgeon::ReadDoc for WithoutTranscripts<'_> {
    type Parents<'b>
        = automerge::Parents<'b>
    where
        Self: 'b;

    fn get_heads(&self) -> Vec<ChangeHash> {
        autosurgeon::ReadDoc::get_heads(self.0)
    }

    fn get<P: Into<automerge::Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Option<(Value<'_>, ObjId)>, automerge::AutomergeError> {
        let prop = prop.into();
        // Only meetings have a `transcript`.
        if matches!(&prop, automerge::Prop::Map(key) if key == "transcript") {
            return Ok(None);
        }
        autosurgeon::ReadDoc::get(self.0, obj, prop)
    }

    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<ObjType> {
        autosurgeon::ReadDoc::object_type(self.0, obj)
    }

    fn map_range<'b, O, R>(&'b self, obj: O, range: R) -> automerge::iter::MapRange<'b>
    where
        R: std::ops::RangeBounds<String> + 'b,
        O: AsRef<ObjId>,
    {
        autosurgeon::ReadDoc::map_range(self.0, obj, range)
    }

    fn list_range<O: AsRef<ObjId>, R: std::ops::RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> automerge::iter::ListRange<'_> {
        autosurgeon::ReadDoc::list_range(self.0, obj, range)
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        autosurgeon::ReadDoc::length(self.0, obj)
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, automerge::AutomergeError> {
        autosurgeon::ReadDoc::text(self.0, obj)
    }

    fn parents<O: AsRef<ObjId>>(
        &self,
        obj: O,
    ) -> Result<Self::Parents<'_>, automerge::AutomergeError> {
        autosurgeon::ReadDoc::parents(self.0, obj)
    }

    fn is_empty(&self) -> bool {
        autosurgeon::ReadDoc::is_empty(self.0)
    }
}
