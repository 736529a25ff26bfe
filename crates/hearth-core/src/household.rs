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
        let mut doc = AutoCommit::load(snapshot).map_err(|e| CoreError::Corrupt(e.to_string()))?;
        for change in changes {
            doc.load_incremental(change)
                .map_err(|e| CoreError::Corrupt(e.to_string()))?;
        }
        doc.set_actor(actor);
        let household = Household { doc };
        // Validate now so that a broken document is reported where it is loaded.
        household.data()?;
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
        self.data()?.id.parse()
    }

    /// The typed view of the whole document.
    pub fn data(&self) -> Result<HouseholdData, CoreError> {
        hydrate(&self.doc).map_err(|e| CoreError::Corrupt(format!("not a household document: {e}")))
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

    /// Merges another replica of the same household into this one.
    pub fn merge(&mut self, other: &mut Household) -> Result<(), CoreError> {
        self.doc
            .merge(&mut other.doc)
            .map(|_| ())
            .map_err(|e| CoreError::Corrupt(e.to_string()))
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
        let summary = format!("Added account {}", account.kind);
        self.insert_item(ctx, "accounts", account, summary)
    }

    /// Adds a goal.
    pub fn add_goal(
        &mut self,
        goal: &Goal,
        ctx: &EditContext,
    ) -> Result<Committed<String>, CoreError> {
        non_empty("goal title", &goal.title)?;
        if let Some(amount) = &goal.target_amount {
            check_decimal("target amount", amount)?;
        }
        if let Some(date) = &goal.target_date {
            check_date(date)?;
        }
        let summary = format!("Added goal {}", goal.title);
        self.insert_item(ctx, "goals", goal, summary)
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
        if let Some(due) = due {
            check_date(due)?;
        }
        let task = Task {
            title: title.to_string(),
            owner: owner.to_string(),
            due: due.map(str::to_string),
            status: TaskStatus::Open,
            source_meeting: source_meeting.map(str::to_string),
            created_at: ctx.now_ms,
        };
        let summary = format!("Opened task {title}");
        self.insert_item(ctx, "tasks", &task, summary)
    }

    /// Sets a task's status (e.g. done).
    pub fn set_task_status(
        &mut self,
        task_id: &str,
        status: TaskStatus,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let task = self.item(task_id, "tasks", "task")?;
        let title = match self.doc.get(&task, "title")? {
            Some((Value::Scalar(s), _)) => s.as_str().unwrap_or_default().to_string(),
            _ => String::new(),
        };
        self.edit(ctx, format!("Marked task {title} {status}"), |doc| {
            doc.put(&task, "status", status.as_str())?;
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
        let summary = format!("Recorded fact {}", fact.key);
        self.insert_item(ctx, "facts", fact, summary)
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
        self.edit(ctx, format!("Meeting audio {state}"), |doc| {
            doc.put(&meeting, "audio", state)?;
            Ok(())
        })
    }

    /// Completes a recorded or imported meeting in one change: its (already redacted)
    /// transcript, duration, redaction record and audio retention state.
    pub fn set_meeting_transcript(
        &mut self,
        meeting_id: &str,
        transcript: &[TranscriptSegment],
        duration_secs: Option<u64>,
        redactions: Option<&str>,
        audio_state: &str,
        ctx: &EditContext,
    ) -> Result<Committed<()>, CoreError> {
        let meeting = self.item(meeting_id, "meetings", "meeting")?;
        let summary = format!("Transcribed meeting ({} segments)", transcript.len());
        self.edit(ctx, summary, |doc| {
            reconcile_prop(doc, &meeting, "transcript", transcript)?;
            reconcile_prop(doc, &meeting, "duration_secs", duration_secs)?;
            reconcile_prop(doc, &meeting, "redactions", redactions.map(str::to_string))?;
            doc.put(&meeting, "audio", audio_state)?;
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
        let summary = format!("Accepted {} from meeting {title}", accepted_keys.join(", "));
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
                reconcile_prop(doc, &facts_map, id.as_str(), fact)?;
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
        let actors = self.data()?.actors;
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
            let actor = change.actor_id().to_hex_string();
            let who = actors.get(&actor);
            entries.push(HistoryEntry {
                hash: change.hash().to_string(),
                advisor: who.map(|w| w.advisor.clone()),
                device: who.map(|w| w.device.clone()),
                actor,
                time: change.timestamp(),
                summary: change.message().unwrap_or("(no description)").to_string(),
                ops: change.len(),
            });
        }
        Ok(entries)
    }

    fn insert_item<R: Reconcile>(
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
    fn item(&self, id: &str, collection: &str, what: &'static str) -> Result<ObjId, CoreError> {
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
    /// change. On error nothing is committed.
    fn edit<T>(
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

/// The object at `parent[key]`, which must exist with the given type.
fn obj<D: ReadDoc>(doc: &D, parent: &ObjId, key: &str, kind: ObjType) -> Result<ObjId, CoreError> {
    match doc.get(parent, key)? {
        Some((Value::Object(found), id)) if found == kind => Ok(id),
        _ => Err(CoreError::Corrupt(format!(
            "household document has no {key} {kind:?}"
        ))),
    }
}

fn non_empty<'a>(what: &'static str, value: &'a str) -> Result<&'a str, CoreError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(CoreError::Empty { what });
    }
    Ok(trimmed)
}

fn check_decimal(what: &'static str, value: &str) -> Result<(), CoreError> {
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
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(|_| ())
        .map_err(|_| CoreError::InvalidValue {
            what: "date",
            given: value.to_string(),
            expected: "a date as YYYY-MM-DD".to_string(),
        })
}
