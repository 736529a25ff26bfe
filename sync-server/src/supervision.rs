//! Firm supervision, as service functions (no HTTP here): the compliance review queue and the
//! firm's policy. The console, the admin API and the CLI call these; each takes the firm it
//! acts for, and nothing here reaches another firm's households.
//!
//! * **The review queue** is built from the households the relay already holds (it has the
//!   firm's data key): every compliance flag of every analysed meeting and every note filed
//!   under `compliance`, with the transcript excerpt and the segments around it. What a
//!   reviewer decides (reviewed / escalated / dismissed, a complaint record) is stored as an
//!   append-only history, each decision an archive entry in the same transaction.
//! * **The policy** is one JSON document per firm, versioned; every version is an archive
//!   entry. Desks read it over `GET /v1/policy` on every sync.
//!
//! Reading a household costs ~20 ms (docs/benchmarks-relay.md), so each one's digest (label,
//! flags, compliance notes) is kept until it changes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use hearth_core::policy::FirmPolicy;
use hearth_core::{HouseholdData, NoteCategory};
use hearth_relay_store::{PolicyRecord, ReviewRecord, StoreError};
use serde::{Deserialize, Serialize};

use crate::archive::admin_entry;
use crate::now_ms;
use crate::service::{Relay, Result, ServiceError};

/// Where a review item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Nobody has decided on it yet.
    New,
    /// Looked at; nothing further needed.
    Reviewed,
    /// Needs more: the chief compliance officer, the advisor's supervisor.
    Escalated,
    /// Not a problem (a false flag).
    Dismissed,
    /// Recorded as a written complaint (books-and-records).
    Complaint,
}

impl ReviewState {
    /// The name stored and used in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::New => "new",
            ReviewState::Reviewed => "reviewed",
            ReviewState::Escalated => "escalated",
            ReviewState::Dismissed => "dismissed",
            ReviewState::Complaint => "complaint",
        }
    }

    /// The state a name means.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::New,
            Self::Reviewed,
            Self::Escalated,
            Self::Dismissed,
            Self::Complaint,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// A complaint record: what the books-and-records rule asks a firm to keep about a written
/// complaint (SEC Rule 204-2 practice; FINRA Rule 4530 for dual registrants).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintRecord {
    /// When the firm received it (YYYY-MM-DD).
    pub received: String,
    /// What the client complained about.
    pub nature: String,
    /// What the firm did.
    pub action_taken: String,
    /// How it ended (empty while open).
    #[serde(default)]
    pub resolution: String,
}

/// One decision as the queue shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// The state it set.
    pub state: ReviewState,
    /// The reviewer's comment.
    pub comment: String,
    /// For complaints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complaint: Option<ComplaintRecord>,
    /// Console actor.
    pub by: String,
    /// When, ms since the epoch.
    pub at: i64,
}

/// One thing compliance must look at.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    /// Stable id: `<household>/meeting/<meeting>/flag/<n>` or `<household>/note/<note>`.
    pub item: String,
    /// Household document id.
    pub household: String,
    /// Household name (compliance roles read content; the name is how they know it).
    pub household_name: String,
    /// Advisor id (who recorded the meeting or wrote the note; else the household's owner).
    pub advisor: String,
    /// `guarantee`, `performance_claim`, … for flags; `compliance_note` for notes.
    pub kind: String,
    /// The rule that fired (flags).
    pub rule: String,
    /// Meeting title, or "Note".
    pub source: String,
    /// When it was said or written, ms since the epoch.
    pub at: i64,
    /// The sentence (redacted), or the note's text.
    pub excerpt: String,
    /// The transcript segments before and after the flagged one (redacted), for context.
    pub context: Vec<String>,
    /// Current state (the latest decision's, or `new`).
    pub state: ReviewState,
    /// Every decision, oldest first.
    pub history: Vec<Decision>,
}

/// Filters for the queue (all optional; `None` keeps everything).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueueFilter {
    /// Advisor id.
    pub advisor: Option<String>,
    /// Item kind.
    pub kind: Option<String>,
    /// Current state.
    pub state: Option<String>,
    /// Said or written on or after this date (YYYY-MM-DD, UTC).
    pub from: Option<String>,
    /// … up to and including this date.
    pub to: Option<String>,
}

impl QueueFilter {
    fn keeps(&self, item: &ReviewItem) -> std::result::Result<bool, String> {
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().filter(|s| !s.trim().is_empty())
        }
        if given(&self.advisor).is_some_and(|a| a != item.advisor)
            || given(&self.kind).is_some_and(|k| k != item.kind)
            || given(&self.state).is_some_and(|s| s != item.state.as_str())
        {
            return Ok(false);
        }
        if let Some(from) = given(&self.from)
            && item.at < crate::archive::parse_date(from)?
        {
            return Ok(false);
        }
        if let Some(to) = given(&self.to)
            && item.at >= crate::archive::parse_end_date(to)?
        {
            return Ok(false);
        }
        Ok(true)
    }
}

/// What the console needs of one household: its label and its review items.
#[derive(Debug, Clone)]
pub struct HouseholdDigest {
    /// The household's name.
    pub name: String,
    /// The firm's client reference, if set.
    pub client_ref: Option<String>,
    /// Its flags and compliance notes (decisions not applied).
    pub items: Vec<ReviewItem>,
}

/// Digests per (firm, household) with the `updated_at` and owner they were read at.
pub(crate) type ReviewCache =
    std::sync::Mutex<HashMap<(String, String), (i64, String, Arc<HouseholdDigest>)>>;

/// The firm setting holding its time zone.
const TIME_ZONE_SETTING: &str = "time_zone";

/// Segments shown on each side of a flagged one.
const CONTEXT_SEGMENTS: usize = 2;
/// Longest comment or complaint field accepted.
const MAX_TEXT: usize = 4000;

/// The firm's advisors, to attribute what a desk wrote: a desk records its advisor as the
/// relay's id or as the name its profile was created with.
#[derive(Debug, Default)]
pub struct Advisors {
    ids: std::collections::HashSet<String>,
    by_name: HashMap<String, String>,
}

impl Advisors {
    /// From (id, name) pairs.
    pub fn new(advisors: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut out = Advisors::default();
        for (id, name) in advisors {
            out.by_name.insert(name.trim().to_lowercase(), id.clone());
            out.ids.insert(id);
        }
        out
    }

    /// The advisor id `written` names, else the household's owner.
    fn resolve(&self, written: &str, owner: &str) -> String {
        if self.ids.contains(written) {
            return written.to_string();
        }
        self.by_name
            .get(&written.trim().to_lowercase())
            .cloned()
            .unwrap_or_else(|| owner.to_string())
    }
}

/// The review items of one household (pure: the household's typed data in, items out).
pub fn household_items(
    doc_id: &str,
    owner: &str,
    advisors: &Advisors,
    data: &HouseholdData,
) -> Vec<ReviewItem> {
    let mut items = Vec::new();
    for (meeting_id, meeting) in &data.meetings {
        let Some(analysis) = meeting
            .analysis
            .as_deref()
            .and_then(|a| serde_json::from_str::<hearth_intel::Analysis>(a).ok())
        else {
            continue;
        };
        let advisor = advisors.resolve(
            meeting
                .consent
                .as_ref()
                .map_or("", |c| c.recorded_by.as_str()),
            owner,
        );
        for (n, flag) in analysis.flags.iter().enumerate() {
            let segment = flag.span.segment;
            let context = meeting
                .transcript
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != segment && i.abs_diff(segment) <= CONTEXT_SEGMENTS)
                .map(|(_, s)| match &s.speaker {
                    Some(who) => format!("{who}: {}", s.text),
                    None => s.text.clone(),
                })
                .collect();
            items.push(ReviewItem {
                item: format!("{doc_id}/meeting/{meeting_id}/flag/{n}"),
                household: doc_id.to_string(),
                household_name: data.name.clone(),
                advisor: advisor.clone(),
                kind: flag.kind.as_str().to_string(),
                rule: flag.rule_id.clone(),
                source: meeting.title.clone(),
                at: meeting.started_at,
                excerpt: flag.excerpt.clone(),
                context,
                state: ReviewState::New,
                history: Vec::new(),
            });
        }
    }
    for (note_id, note) in &data.notes {
        if note.category != NoteCategory::Compliance {
            continue;
        }
        items.push(ReviewItem {
            item: format!("{doc_id}/note/{note_id}"),
            household: doc_id.to_string(),
            household_name: data.name.clone(),
            advisor: advisors.resolve(&note.author, owner),
            kind: "compliance_note".into(),
            rule: String::new(),
            source: "Note".into(),
            at: note.created_at,
            excerpt: note.body.as_str().to_string(),
            context: Vec::new(),
            state: ReviewState::New,
            history: Vec::new(),
        });
    }
    items
}

/// Applies the decisions (oldest first) to the items: each item's history and current state.
pub fn apply_decisions(items: &mut [ReviewItem], records: &[ReviewRecord]) {
    let mut by_item: HashMap<&str, Vec<&ReviewRecord>> = HashMap::new();
    for r in records {
        by_item.entry(r.item.as_str()).or_default().push(r);
    }
    for item in items {
        for r in by_item.get(item.item.as_str()).into_iter().flatten() {
            let Some(state) = ReviewState::parse(&r.state) else {
                continue;
            };
            item.state = state;
            item.history.push(Decision {
                state,
                comment: r.comment.clone(),
                complaint: serde_json::from_str(&r.detail).ok(),
                by: r.by.clone(),
                at: r.at,
            });
        }
    }
}

impl Relay {
    async fn firm_advisor_names(&self, firm_id: &str) -> Result<Advisors> {
        Ok(Advisors::new(
            self.store
                .list_advisors(firm_id)
                .await?
                .into_iter()
                .map(|a| (a.id, a.name)),
        ))
    }

    /// A household of the firm as typed data, read from the sealed chunks the relay holds.
    pub(crate) async fn household_data(
        &self,
        firm_id: &str,
        doc_id: &str,
    ) -> Result<HouseholdData> {
        let key = self.firm_key(firm_id).await?;
        let aad = hearth_seal::document_aad(firm_id, doc_id);
        let mut bytes = Vec::new();
        for chunk in self
            .store
            .load_chunks(&crate::scope::store_key(firm_id, doc_id))
            .await?
        {
            bytes.extend(key.open(&chunk.sealed, &aad)?);
        }
        let doc = hearth_core::automerge::AutoCommit::load(&bytes).map_err(|e| {
            ServiceError::BadRequest(format!("household {doc_id} cannot be read: {e}"))
        })?;
        hearth_core::Household::from_doc(doc)
            .and_then(|h| h.data())
            .map_err(|e| ServiceError::BadRequest(format!("household {doc_id}: {e}")))
    }

    /// Every household of the firm with what the console needs of it, read from the
    /// households the relay holds. A household's digest is kept while its last change is the
    /// same (any node's write moves `updated_at`, and writes through this or another node
    /// forget it): a view reads only the households that changed since. A document that is not
    /// (yet) a household (an empty create in flight) is left out.
    pub async fn household_digests(
        &self,
        firm_id: &str,
    ) -> Result<Vec<(String, Arc<HouseholdDigest>)>> {
        let advisors = self.firm_advisor_names(firm_id).await?;
        let owners: HashMap<String, String> = self
            .firm_documents(firm_id)
            .into_iter()
            .map(|(doc, owner, _)| (doc, owner))
            .collect();
        let mut digests = Vec::new();
        for meta in self.store.list_documents(firm_id).await? {
            let Some((_, doc_id)) = meta.doc_id.split_once('/') else {
                continue;
            };
            let owner = owners
                .get(doc_id)
                .cloned()
                .unwrap_or_else(|| meta.owner_id.clone());
            let cache_key = (firm_id.to_string(), doc_id.to_string());
            let cached = self
                .review_cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&cache_key)
                .filter(|(at, owner_then, _)| *at == meta.updated_at && *owner_then == owner)
                .map(|(_, _, digest)| digest.clone());
            let digest = match cached {
                Some(digest) => digest,
                None => match self.household_data(firm_id, doc_id).await {
                    Ok(data) => {
                        let digest = Arc::new(HouseholdDigest {
                            items: household_items(doc_id, &owner, &advisors, &data),
                            name: data.name,
                            client_ref: data.client_ref,
                        });
                        self.review_cache
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(cache_key, (meta.updated_at, owner, digest.clone()));
                        digest
                    }
                    Err(ServiceError::BadRequest(why)) => {
                        tracing::warn!(firm = firm_id, household = %doc_id, %why, "not a readable household yet");
                        continue;
                    }
                    Err(e) => return Err(e),
                },
            };
            digests.push((doc_id.to_string(), digest));
        }
        Ok(digests)
    }

    /// What the console calls each household of the firm: its name and the firm's client
    /// reference.
    pub async fn household_labels(
        &self,
        firm_id: &str,
    ) -> Result<HashMap<String, (String, Option<String>)>> {
        Ok(self
            .household_digests(firm_id)
            .await?
            .into_iter()
            .map(|(doc, d)| (doc, (d.name.clone(), d.client_ref.clone())))
            .collect())
    }

    /// The firm's review queue: every flag and compliance note of every household it holds,
    /// with its decisions, newest first, filtered.
    pub async fn review_queue(
        &self,
        firm_id: &str,
        filter: &QueueFilter,
    ) -> Result<Vec<ReviewItem>> {
        let mut items: Vec<ReviewItem> = self
            .household_digests(firm_id)
            .await?
            .into_iter()
            .flat_map(|(_, d)| d.items.clone())
            .collect();
        let records = self.store.review_records(firm_id).await?;
        apply_decisions(&mut items, &records);
        let mut kept = Vec::with_capacity(items.len());
        for item in items {
            if filter.keeps(&item).map_err(ServiceError::BadRequest)? {
                kept.push(item);
            }
        }
        kept.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.item.cmp(&b.item)));
        Ok(kept)
    }

    /// Forgets the review items kept for a household (it changed: through this process, or
    /// another on the same database).
    pub fn forget_review_items(&self, firm_id: &str, doc_id: &str) {
        self.review_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(firm_id.to_string(), doc_id.to_string()));
    }

    /// One item of the firm's queue; `NotFound` for an id the firm does not have.
    pub async fn review_item(&self, firm_id: &str, item: &str) -> Result<ReviewItem> {
        let household = item.split('/').next().unwrap_or_default();
        if !self.scope().exists(firm_id, household) {
            return Err(ServiceError::NotFound);
        }
        let owner = self
            .firm_documents(firm_id)
            .into_iter()
            .find(|(id, _, _)| id == household)
            .map(|(_, owner, _)| owner)
            .ok_or(ServiceError::NotFound)?;
        let data = self.household_data(firm_id, household).await?;
        let advisors = self.firm_advisor_names(firm_id).await?;
        let mut items: Vec<ReviewItem> = household_items(household, &owner, &advisors, &data)
            .into_iter()
            .filter(|i| i.item == item)
            .collect();
        let records = self.store.review_records(firm_id).await?;
        apply_decisions(&mut items, &records);
        items.pop().ok_or(ServiceError::NotFound)
    }

    /// Records a decision on an item of the firm's queue (an archive entry and an audit event).
    /// `complaint` is required for [`ReviewState::Complaint`] and refused otherwise.
    pub async fn review(
        &self,
        firm_id: &str,
        item: &str,
        state: ReviewState,
        comment: &str,
        complaint: Option<ComplaintRecord>,
        by: &str,
    ) -> Result<ReviewItem> {
        let comment = comment.trim();
        let found = self.review_item(firm_id, item).await?;
        if state == ReviewState::New {
            return Err(ServiceError::BadRequest(
                "an item cannot be set back to new; record another decision".into(),
            ));
        }
        if comment.is_empty() {
            return Err(ServiceError::BadRequest(
                "say why in a comment: examiners read it".into(),
            ));
        }
        let detail = match (state, complaint) {
            (ReviewState::Complaint, Some(c)) => {
                if c.received.trim().is_empty()
                    || c.nature.trim().is_empty()
                    || c.action_taken.trim().is_empty()
                {
                    return Err(ServiceError::BadRequest(
                        "a complaint record needs the date received, its nature and the action taken".into(),
                    ));
                }
                crate::archive::parse_date(c.received.trim()).map_err(ServiceError::BadRequest)?;
                let fields = [&c.nature, &c.action_taken, &c.resolution];
                if fields.iter().any(|f| f.len() > MAX_TEXT) {
                    return Err(ServiceError::BadRequest(format!(
                        "complaint fields are at most {MAX_TEXT} characters"
                    )));
                }
                serde_json::to_string(&c).unwrap_or_default()
            }
            (ReviewState::Complaint, None) => {
                return Err(ServiceError::BadRequest(
                    "a complaint needs its record: date received, nature, action taken".into(),
                ));
            }
            (_, Some(_)) => {
                return Err(ServiceError::BadRequest(
                    "complaint details go with the complaint state only".into(),
                ));
            }
            (_, None) => String::new(),
        };
        if comment.len() > MAX_TEXT {
            return Err(ServiceError::BadRequest(format!(
                "a comment is at most {MAX_TEXT} characters"
            )));
        }
        let record = ReviewRecord {
            firm_id: firm_id.to_string(),
            seq: 0,
            item: item.to_string(),
            household: found.household.clone(),
            state: state.as_str().to_string(),
            comment: comment.to_string(),
            detail: detail.clone(),
            by: by.to_string(),
            at: now_ms(),
        };
        let entry = admin_entry(
            firm_id,
            by,
            Some(&found.household),
            serde_json::json!({
                "action": format!("review.{}", state.as_str()),
                "item": item,
                "kind": found.kind,
                "rule": found.rule,
                "state": state.as_str(),
                "comment": comment,
                "complaint": serde_json::from_str::<serde_json::Value>(&detail).ok(),
            }),
        );
        self.store.append_review(&record, &entry).await?;
        self.audit(
            Some(firm_id),
            by,
            &format!("review.{}", state.as_str()),
            item,
        )
        .await?;
        self.review_item(firm_id, item).await
    }

    /// The firm's current policy, if one was ever set.
    pub async fn firm_policy(&self, firm_id: &str) -> Result<Option<FirmPolicy>> {
        let Some(record) = self.store.policy(firm_id).await? else {
            return Ok(None);
        };
        serde_json::from_str(&record.body)
            .map(Some)
            .map_err(|e| ServiceError::BadRequest(format!("the stored policy is damaged: {e}")))
    }

    /// Saves a new version of the firm's policy over `based_on` (the version the editor
    /// started from; another save since then is a conflict). The version is an archive entry.
    pub async fn set_firm_policy(
        &self,
        firm_id: &str,
        mut policy: FirmPolicy,
        based_on: i64,
        by: &str,
    ) -> Result<FirmPolicy> {
        policy.all_party_states = policy
            .all_party_states
            .iter()
            .map(|s| s.trim().to_uppercase())
            .filter(|s| !s.is_empty())
            .collect();
        policy.version = based_on + 1;
        policy
            .validate()
            .map_err(|e| ServiceError::BadRequest(e.0))?;
        let body = serde_json::to_string(&policy).unwrap_or_default();
        let entry = admin_entry(
            firm_id,
            by,
            None,
            serde_json::json!({ "action": "policy.set", "version": policy.version, "policy": policy }),
        );
        let record = PolicyRecord {
            firm_id: firm_id.to_string(),
            version: policy.version,
            body,
            set_by: by.to_string(),
            set_at: now_ms(),
        };
        match self.store.put_policy(&record, &entry).await {
            Ok(()) => {}
            Err(StoreError::Conflict(why)) => return Err(ServiceError::BadRequest(why)),
            Err(e) => return Err(e.into()),
        }
        self.audit(
            Some(firm_id),
            by,
            "policy.set",
            &format!("v{}", policy.version),
        )
        .await?;
        Ok(policy)
    }

    /// The firm's time zone (IANA name and zone) for the console's times; UTC until an admin
    /// sets one.
    pub async fn firm_time_zone(&self, firm_id: &str) -> Result<(String, jiff::tz::TimeZone)> {
        let name = self
            .store
            .firm_setting(firm_id, TIME_ZONE_SETTING)
            .await?
            .unwrap_or_else(|| "UTC".to_string());
        // A zone the host's database no longer knows shows times in UTC rather than failing.
        let zone = jiff::tz::TimeZone::get(&name).unwrap_or(jiff::tz::TimeZone::UTC);
        Ok((name, zone))
    }

    /// Sets the firm's time zone (an IANA name such as `America/Chicago`).
    pub async fn set_firm_time_zone(&self, firm_id: &str, name: &str, by: &str) -> Result<()> {
        let name = name.trim();
        if jiff::tz::TimeZone::get(name).is_err() {
            return Err(ServiceError::BadRequest(format!(
                "\"{name}\" is not a time zone: use a name such as America/New_York, America/Chicago, America/Denver, America/Los_Angeles or UTC"
            )));
        }
        self.store
            .set_firm_setting(firm_id, TIME_ZONE_SETTING, name)
            .await?;
        self.audit(Some(firm_id), by, "firm.time_zone", name).await
    }

    /// Counts of the firm's queue by state (for the console's header).
    pub async fn review_counts(&self, firm_id: &str) -> Result<BTreeMap<&'static str, usize>> {
        let mut counts = BTreeMap::new();
        for item in self.review_queue(firm_id, &QueueFilter::default()).await? {
            *counts.entry(item.state.as_str()).or_default() += 1;
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(item: &str, state: &str, at: i64) -> ReviewRecord {
        ReviewRecord {
            firm_id: "f".into(),
            seq: 0,
            item: item.into(),
            household: "h".into(),
            state: state.into(),
            comment: format!("{state}!"),
            detail: String::new(),
            by: "console:x".into(),
            at,
        }
    }

    fn item(id: &str, advisor: &str, kind: &str, at: i64) -> ReviewItem {
        ReviewItem {
            item: id.into(),
            household: "h".into(),
            household_name: "H".into(),
            advisor: advisor.into(),
            kind: kind.into(),
            rule: String::new(),
            source: "Review".into(),
            at,
            excerpt: String::new(),
            context: Vec::new(),
            state: ReviewState::New,
            history: Vec::new(),
        }
    }

    #[test]
    fn the_latest_decision_sets_the_state_and_all_are_kept() {
        let mut items = vec![
            item("a", "x", "guarantee", 0),
            item("b", "x", "guarantee", 0),
        ];
        apply_decisions(
            &mut items,
            &[record("a", "escalated", 1), record("a", "reviewed", 2)],
        );
        assert_eq!(items[0].state, ReviewState::Reviewed);
        assert_eq!(items[0].history.len(), 2);
        assert_eq!(items[1].state, ReviewState::New);
    }

    #[test]
    fn filters_by_advisor_kind_state_and_dates() {
        let day = 86_400_000;
        let at = crate::archive::parse_date("2026-12-01").unwrap();
        let it = item("a", "adv1", "guarantee", at + day / 2);
        let f =
            |advisor: Option<&str>, kind: Option<&str>, from: Option<&str>, to: Option<&str>| {
                QueueFilter {
                    advisor: advisor.map(Into::into),
                    kind: kind.map(Into::into),
                    state: Some("new".into()),
                    from: from.map(Into::into),
                    to: to.map(Into::into),
                }
                .keeps(&it)
                .unwrap()
            };
        assert!(f(
            Some("adv1"),
            Some("guarantee"),
            Some("2026-12-01"),
            Some("2026-12-01")
        ));
        assert!(!f(Some("adv2"), None, None, None));
        assert!(!f(None, Some("complaint"), None, None));
        assert!(!f(None, None, Some("2026-12-02"), None));
        assert!(!f(None, None, None, Some("2026-11-30")));
        assert!(
            QueueFilter {
                from: Some("yesterday".into()),
                ..Default::default()
            }
            .keeps(&it)
            .is_err()
        );
    }
}
