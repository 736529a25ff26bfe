//! Tenant scope, in one place.
//!
//! Every firm has its **own document namespace**: a household is identified by (firm, document
//! id), and a document id means nothing outside its firm. An id that exists in firm A is, for
//! firm B, simply an id that does not exist — B may even create its own, unrelated document
//! under the same id — so nothing the relay answers B can depend on what A holds. Stored
//! documents are keyed by [`store_key`] (`<firm id>/<document id>`).
//!
//! Within a firm, [`ScopeIndex::check`] is the single function that decides whether an
//! identity may see a document; the WebSocket hub's policy, every REST endpoint that takes a
//! document id, and sharing all call it. A document the caller may not see is reported as
//! [`Visibility::Absent`], exactly like a document that does not exist.
//!
//! The console's firm users have roles; [`console_may`] is the one table of what each role
//! may do. Every console page and action asks it, and a refusal is the same 404 page as an
//! unknown page: a role that may not see something cannot tell it is there.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use hearth_core::DocumentId;
use hearth_relay_store::DocumentMeta;
use hearth_wire::relay::{Access, Policy};

/// Who is on the other end of a request or connection, as established by authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Firm (tenant).
    pub firm_id: String,
    /// Advisor.
    pub advisor_id: String,
    /// Device, for device credentials (`None` for API tokens).
    pub device_id: Option<String>,
    /// API token id, for API-token credentials (`None` for devices): rechecked on open
    /// connections, which close when the token is revoked.
    pub token_id: Option<String>,
    /// Firm admins may see and share every household of their firm.
    pub is_admin: bool,
}

/// What the scope check says about one (identity, document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// The document exists and the identity may read and write it.
    Visible,
    /// Nothing the identity may see: either no such document, or one outside its scope.
    /// Callers must treat both the same.
    Absent,
}

/// Why an id is absent, kept only for metrics (never for answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsentBecause {
    /// No document of the caller's firm has this id (whatever other firms hold).
    Unknown,
    /// The firm has the document, but it is neither owned by nor shared with the advisor.
    NotShared,
}

/// Something a firm's console user may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirmAction {
    /// Invite, disable and enable advisors; revoke devices.
    ManageAdvisors,
    /// List the firm's households with owners and shares.
    SeeHouseholds,
    /// Share and unshare households, move a departing advisor's households.
    ShareHouseholds,
    /// Add console users and change their roles.
    ManageConsoleUsers,
    /// Read the audit log.
    ReadAudit,
    /// Read the archive's state, verify it and export it for an examiner.
    ReadArchive,
    /// Change retention, place and lift legal holds.
    ManageArchive,
    /// Read the review queue (flags and compliance notes with their transcript excerpts:
    /// household content) and its report.
    ReadReviews,
    /// Decide on review items and record complaints.
    Review,
    /// Change the firm's policy.
    SetPolicy,
}

/// THE console permission table: whether a firm user with `role` may do `action`.
///
/// * Admins run the firm. They already reach every household (they may share any), and in a
///   small firm the admin is often the chief compliance officer too: they may review.
/// * Compliance officers read every household's flags and compliance notes (the firm's
///   supervision duty), decide on them and set the policy; they change no household, advisor
///   or share.
/// * Auditors read what compliance officers read, and change nothing.
pub fn console_may(role: hearth_relay_store::ConsoleRole, action: FirmAction) -> bool {
    use FirmAction::*;
    use hearth_relay_store::ConsoleRole::*;
    match role {
        Admin => true,
        ComplianceOfficer => matches!(
            action,
            SeeHouseholds
                | ReadAudit
                | ReadArchive
                | ManageArchive
                | ReadReviews
                | Review
                | SetPolicy
        ),
        Auditor => matches!(
            action,
            SeeHouseholds | ReadAudit | ReadArchive | ReadReviews
        ),
    }
}

/// The key a firm's document is stored under: the firm's namespace, then the document id.
pub fn store_key(firm_id: &str, doc_id: &str) -> String {
    format!("{firm_id}/{doc_id}")
}

impl AbsentBecause {
    /// The metrics label for this reason.
    pub fn label(&self) -> &'static str {
        match self {
            AbsentBecause::Unknown => "unknown",
            AbsentBecause::NotShared => "not_shared",
        }
    }
}

#[derive(Debug, Clone)]
struct DocScope {
    owner_id: String,
    shared_with: BTreeSet<String>,
}

/// Who owns which document and whom it is shared with; loaded from the store at start and
/// kept current as documents are created and shared.
#[derive(Debug, Default)]
pub struct ScopeIndex {
    /// (firm id, document id) → ownership.
    docs: HashMap<(String, String), DocScope>,
    /// Documents per firm (the `limits.firm_max_documents` quota's use).
    per_firm: HashMap<String, u64>,
}

fn key(firm_id: &str, doc_id: &str) -> (String, String) {
    (firm_id.to_string(), doc_id.to_string())
}

impl ScopeIndex {
    /// Builds the index from stored ownership and shares (keyed by [`store_key`]).
    pub fn new(documents: Vec<DocumentMeta>, shares: Vec<(String, String)>) -> Self {
        let mut index = ScopeIndex::default();
        for d in documents {
            if let Some((firm, doc)) = d.doc_id.split_once('/') {
                index.insert(doc, firm, &d.owner_id);
            }
        }
        for (stored, advisor) in shares {
            if let Some(scope) = stored
                .split_once('/')
                .and_then(|(firm, doc)| index.docs.get_mut(&key(firm, doc)))
            {
                scope.shared_with.insert(advisor);
            }
        }
        index
    }

    /// THE scope check. Everything that answers about a document asks this.
    pub fn check(&self, who: &Identity, doc_id: &str) -> Visibility {
        match self.explain(who, doc_id) {
            Ok(()) => Visibility::Visible,
            Err(_) => Visibility::Absent,
        }
    }

    /// The same decision, with the reason it is absent (for metrics only).
    pub fn explain(&self, who: &Identity, doc_id: &str) -> Result<(), AbsentBecause> {
        // Only the caller's own firm's namespace is ever consulted.
        let Some(scope) = self.docs.get(&key(&who.firm_id, doc_id)) else {
            return Err(AbsentBecause::Unknown);
        };
        if who.is_admin
            || scope.owner_id == who.advisor_id
            || scope.shared_with.contains(&who.advisor_id)
        {
            Ok(())
        } else {
            Err(AbsentBecause::NotShared)
        }
    }

    /// Replaces everything the index knows of one firm with what the store holds now (another
    /// relay process changed it). `documents` and `shares` are keyed by [`store_key`].
    pub fn replace_firm(
        &mut self,
        firm_id: &str,
        documents: Vec<DocumentMeta>,
        shares: Vec<(String, String)>,
    ) {
        self.docs.retain(|(firm, _), _| firm != firm_id);
        self.per_firm.remove(firm_id);
        let fresh = ScopeIndex::new(documents, shares);
        for ((firm, doc), scope) in fresh.docs {
            if firm == firm_id {
                *self.per_firm.entry(firm.clone()).or_default() += 1;
                self.docs.insert((firm, doc), scope);
            }
        }
    }

    /// Whether the firm has a document with this id (a new document may not reuse one).
    pub fn exists(&self, firm_id: &str, doc_id: &str) -> bool {
        self.docs.contains_key(&key(firm_id, doc_id))
    }

    /// Records a newly created document.
    pub fn insert(&mut self, doc_id: &str, firm_id: &str, owner_id: &str) {
        let replaced = self.docs.insert(
            key(firm_id, doc_id),
            DocScope {
                owner_id: owner_id.to_string(),
                shared_with: BTreeSet::new(),
            },
        );
        if replaced.is_none() {
            *self.per_firm.entry(firm_id.to_string()).or_default() += 1;
        }
    }

    /// How many documents the firm has.
    pub fn firm_document_count(&self, firm_id: &str) -> u64 {
        self.per_firm.get(firm_id).copied().unwrap_or(0)
    }

    /// Records a share (the caller has checked it is allowed).
    pub fn share(&mut self, firm_id: &str, doc_id: &str, advisor_id: &str) {
        if let Some(scope) = self.docs.get_mut(&key(firm_id, doc_id)) {
            scope.shared_with.insert(advisor_id.to_string());
        }
    }

    /// Records a change of owner (a departing advisor's households moved to a colleague): the
    /// new owner's share of it, now redundant, goes.
    pub fn set_owner(&mut self, firm_id: &str, doc_id: &str, owner_id: &str) {
        if let Some(scope) = self.docs.get_mut(&key(firm_id, doc_id)) {
            scope.owner_id = owner_id.to_string();
            scope.shared_with.remove(owner_id);
        }
    }

    /// Records an unshare.
    pub fn unshare(&mut self, firm_id: &str, doc_id: &str, advisor_id: &str) {
        if let Some(scope) = self.docs.get_mut(&key(firm_id, doc_id)) {
            scope.shared_with.remove(advisor_id);
        }
    }

    /// Documents an advisor syncs: those they own and those shared with them (admins reach
    /// the rest of the firm's households through the console, not by replicating them all).
    pub fn synced_by(&self, who: &Identity) -> Vec<(String, String, Vec<String>)> {
        let mut out: Vec<_> = self
            .docs
            .iter()
            .filter(|((firm, _), s)| {
                *firm == who.firm_id
                    && (s.owner_id == who.advisor_id || s.shared_with.contains(&who.advisor_id))
            })
            .map(|((_, id), s)| {
                (
                    id.clone(),
                    s.owner_id.clone(),
                    s.shared_with.iter().cloned().collect(),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Every document of a firm with owner and shares (the console's household list).
    pub fn firm_documents(&self, firm_id: &str) -> Vec<(String, String, Vec<String>)> {
        let mut out: Vec<_> = self
            .docs
            .iter()
            .filter(|((firm, _), _)| firm == firm_id)
            .map(|((_, id), s)| {
                (
                    id.clone(),
                    s.owner_id.clone(),
                    s.shared_with.iter().cloned().collect(),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Owner and shares of a document the caller may see.
    pub fn owner_and_shares(&self, who: &Identity, doc_id: &str) -> Option<(String, Vec<String>)> {
        if self.check(who, doc_id) != Visibility::Visible {
            return None;
        }
        let s = self.docs.get(&key(&who.firm_id, doc_id))?;
        Some((s.owner_id.clone(), s.shared_with.iter().cloned().collect()))
    }
}

/// The hub policy of one firm: asks the shared scope index.
pub struct FirmPolicy {
    /// The shared index.
    pub scope: Arc<RwLock<ScopeIndex>>,
    /// Where denials are counted.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Documents being created, not yet in the index: id → the advisor creating it. Until the
    /// index has it, it is that advisor's alone (and the firm admins').
    reserved: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// Most documents the firm may hold (`limits.firm_max_documents`).
    pub max_documents: u64,
}

impl FirmPolicy {
    /// The policy for a firm's hub, without a document quota.
    pub fn new(scope: Arc<RwLock<ScopeIndex>>, metrics: Arc<crate::metrics::Metrics>) -> Self {
        Self {
            scope,
            metrics,
            reserved: Default::default(),
            max_documents: u64::MAX,
        }
    }

    fn reserved(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, String>> {
        self.reserved.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, ScopeIndex> {
        // A panic while holding the lock poisons it; the index itself is still consistent
        // (every mutation is a single insert/remove), so keep serving.
        self.scope.read().unwrap_or_else(|p| p.into_inner())
    }
}

impl Policy for FirmPolicy {
    type Identity = Identity;

    fn may_access(&self, who: &Identity, doc: &DocumentId) -> Access {
        let id = doc.to_string();
        let explained = self.read().explain(who, &id);
        match explained {
            Ok(()) => Access::Allowed,
            // Unknown ids are allowed through to the edge's load, which answers "absent" from
            // the same index (so no store round trip distinguishes them) — or to creation —
            // unless another advisor is creating that very id right now.
            Err(AbsentBecause::Unknown) => match self.reserved().get(&id) {
                Some(creator) if *creator != who.advisor_id && !who.is_admin => {
                    self.metrics.deny("reserved");
                    Access::Denied
                }
                _ => Access::Allowed,
            },
            Err(reason) => {
                self.metrics.deny(reason.label());
                Access::Denied
            }
        }
    }

    fn may_create(&self, who: &Identity, doc: &DocumentId) -> bool {
        let id = doc.to_string();
        if self.read().exists(&who.firm_id, &id) {
            return false;
        }
        let mut reserved = self.reserved();
        // Reservations of ids the index now has are spent.
        let scope = self.read();
        reserved.retain(|doc, _| !scope.exists(&who.firm_id, doc));
        drop(scope);
        match reserved.get(&id) {
            Some(creator) => *creator == who.advisor_id,
            None => {
                reserved.insert(id, who.advisor_id.clone());
                true
            }
        }
    }

    fn creation_refused(&self, who: &Identity) -> Option<String> {
        // Counts stored documents only: creations still on their way to the disk can take a
        // firm past its quota by as many as are in flight at once (a handful), while counting
        // reservations would let ids announced and never written (an empty `sync` for a random
        // id reserves it) use the quota up.
        let stored = self.read().firm_document_count(&who.firm_id);
        let quota = self.max_documents;
        if stored < quota {
            return None;
        }
        self.metrics.deny("firm_document_quota");
        Some(format!(
            "your firm has reached its limit of {quota} households (limits.firm_max_documents); \
             nothing new was stored — ask the relay operator to raise it"
        ))
    }

    fn may_replace(&self, older: &Identity, newer: &Identity) -> bool {
        // The same credential reconnecting: same advisor, same device or API token.
        older.firm_id == newer.firm_id
            && older.advisor_id == newer.advisor_id
            && older.device_id == newer.device_id
            && older.token_id == newer.token_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(firm: &str, advisor: &str, admin: bool) -> Identity {
        Identity {
            token_id: None,
            firm_id: firm.into(),
            advisor_id: advisor.into(),
            device_id: None,
            is_admin: admin,
        }
    }

    #[test]
    fn what_each_console_role_may_do() {
        use FirmAction::*;
        use hearth_relay_store::ConsoleRole;
        let all = [
            ManageAdvisors,
            SeeHouseholds,
            ShareHouseholds,
            ManageConsoleUsers,
            ReadAudit,
            ReadArchive,
            ManageArchive,
            ReadReviews,
            Review,
            SetPolicy,
        ];
        let allowed = |role| {
            all.iter()
                .filter(|a| console_may(role, **a))
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            allowed(ConsoleRole::Auditor),
            vec![SeeHouseholds, ReadAudit, ReadArchive, ReadReviews],
            "an auditor only reads"
        );
        let officer = allowed(ConsoleRole::ComplianceOfficer);
        for never in [ManageAdvisors, ShareHouseholds, ManageConsoleUsers] {
            assert!(!officer.contains(&never), "{never:?}");
        }
        assert!(officer.contains(&Review) && officer.contains(&SetPolicy));
        assert_eq!(
            allowed(ConsoleRole::Admin),
            all,
            "an admin may do everything"
        );
    }

    #[test]
    fn the_document_quota_counts_the_firms_stored_documents_only() {
        let scope = Arc::new(RwLock::new(ScopeIndex::default()));
        let mut policy =
            FirmPolicy::new(scope.clone(), Arc::new(crate::metrics::Metrics::default()));
        policy.max_documents = 2;
        let alice = who("firm-a", "alice", false);
        // Ids announced but never written do not use the quota up.
        for _ in 0..5 {
            assert!(policy.may_create(&alice, &DocumentId::random()));
        }
        assert_eq!(policy.creation_refused(&alice), None);
        scope.write().unwrap().insert("doc-1", "firm-a", "alice");
        // The same id again (a re-insert) is still one document.
        scope.write().unwrap().insert("doc-1", "firm-a", "alice");
        assert_eq!(policy.creation_refused(&alice), None);
        scope.write().unwrap().insert("doc-2", "firm-a", "alice");
        let refused = policy.creation_refused(&alice).expect("at the quota");
        assert!(refused.contains("limits.firm_max_documents"), "{refused}");
        // Another firm's documents are not this firm's quota.
        assert_eq!(policy.creation_refused(&who("firm-b", "zed", false)), None);
    }

    #[test]
    fn an_id_being_created_is_its_creators_until_indexed() {
        let scope = Arc::new(RwLock::new(ScopeIndex::default()));
        let policy = FirmPolicy::new(scope.clone(), Arc::new(crate::metrics::Metrics::default()));
        let doc = DocumentId::random();
        let (alice, bob, admin) = (
            who("firm-a", "alice", false),
            who("firm-a", "bob", false),
            who("firm-a", "ada", true),
        );
        assert_eq!(policy.may_access(&alice, &doc), Access::Allowed);
        assert!(policy.may_create(&alice, &doc), "Alice creates it");
        // While it is written, the id is Alice's: Bob can neither read nor create it.
        assert_eq!(policy.may_access(&bob, &doc), Access::Denied);
        assert!(!policy.may_create(&bob, &doc));
        assert!(policy.may_create(&alice, &doc), "Alice's retry is hers");
        assert_eq!(
            policy.may_access(&admin, &doc),
            Access::Allowed,
            "a firm admin sees all"
        );
        // Indexed: the index decides (Bob: not shared).
        scope
            .write()
            .unwrap()
            .insert(&doc.to_string(), "firm-a", "alice");
        assert_eq!(policy.may_access(&bob, &doc), Access::Denied);
        assert_eq!(policy.may_access(&alice, &doc), Access::Allowed);
        assert!(!policy.may_create(&alice, &doc), "it exists now");
        // Another firm's advisor with the same id is in another namespace (another policy).
        let other = FirmPolicy::new(scope, Arc::new(crate::metrics::Metrics::default()));
        assert!(other.may_create(&who("firm-b", "zed", false), &doc));
    }

    #[test]
    fn scope_rules() {
        let mut index = ScopeIndex::default();
        index.insert("doc-a", "firm-a", "alice");
        index.share("firm-a", "doc-a", "bob");
        let visible = |i: &ScopeIndex, w: Identity| i.check(&w, "doc-a") == Visibility::Visible;
        assert!(visible(&index, who("firm-a", "alice", false)), "owner");
        assert!(visible(&index, who("firm-a", "bob", false)), "shared");
        assert!(
            !visible(&index, who("firm-a", "carol", false)),
            "not shared"
        );
        assert!(visible(&index, who("firm-a", "carol", true)), "firm admin");
        assert!(
            !visible(&index, who("firm-b", "alice", true)),
            "other firm, even admin"
        );
        assert!(
            !index.exists("firm-b", "doc-a"),
            "firm B's namespace does not hold A's id"
        );
        // B may create its own, unrelated doc-a; A's is untouched.
        index.insert("doc-a", "firm-b", "zed");
        assert!(visible(&index, who("firm-b", "zed", false)));
        assert!(!visible(&index, who("firm-a", "zed", false)));
        assert!(!visible(&index, who("firm-a", "carol", false)));
        index.unshare("firm-a", "doc-a", "bob");
        assert!(!visible(&index, who("firm-a", "bob", false)));
        assert_eq!(
            index.explain(&who("firm-c", "x", false), "doc-a"),
            Err(AbsentBecause::Unknown)
        );
        assert_eq!(
            index.explain(&who("firm-a", "bob", false), "doc-a"),
            Err(AbsentBecause::NotShared)
        );
        assert_eq!(index.synced_by(&who("firm-b", "zed", false)).len(), 1);
    }

    #[test]
    fn index_is_rebuilt_from_store_keys() {
        let meta = |firm: &str, doc: &str, owner: &str| DocumentMeta {
            doc_id: store_key(firm, doc),
            firm_id: firm.into(),
            owner_id: owner.into(),
            created_at: 0,
            updated_at: 0,
        };
        let index = ScopeIndex::new(
            vec![meta("f1", "d", "a1"), meta("f2", "d", "a2")],
            vec![(store_key("f1", "d"), "b1".into())],
        );
        assert_eq!(
            index.check(&who("f1", "b1", false), "d"),
            Visibility::Visible
        );
        assert_eq!(
            index.check(&who("f2", "b1", false), "d"),
            Visibility::Absent
        );
        assert_eq!(
            index.check(&who("f2", "a2", false), "d"),
            Visibility::Visible
        );
    }
}
