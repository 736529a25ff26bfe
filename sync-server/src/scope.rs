//! Tenant scope, in one place.
//!
//! Every document belongs to exactly one firm, fixed when it is created. [`ScopeIndex::check`]
//! is the single function that decides whether an identity may see a document; the WebSocket
//! hub's policy, every REST endpoint that takes a document id, and sharing all call it. A
//! document outside the caller's scope is reported as [`Visibility::Absent`], exactly like a
//! document that does not exist, so no caller can even tell the two apart.

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
    /// No document has this id.
    Unknown,
    /// The document belongs to another firm.
    OtherFirm,
    /// Same firm, but neither owned by nor shared with the advisor.
    NotShared,
}

#[derive(Debug, Clone)]
struct DocScope {
    firm_id: String,
    owner_id: String,
    shared_with: BTreeSet<String>,
}

/// Who owns which document and whom it is shared with; loaded from the store at start and
/// kept current as documents are created and shared.
#[derive(Debug, Default)]
pub struct ScopeIndex {
    docs: HashMap<String, DocScope>,
}

impl ScopeIndex {
    /// Builds the index from stored ownership and shares.
    pub fn new(documents: Vec<DocumentMeta>, shares: Vec<(String, String)>) -> Self {
        let mut index = ScopeIndex::default();
        for d in documents {
            index.insert(&d.doc_id, &d.firm_id, &d.owner_id);
        }
        for (doc, advisor) in shares {
            if let Some(scope) = index.docs.get_mut(&doc) {
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
        let Some(scope) = self.docs.get(doc_id) else {
            return Err(AbsentBecause::Unknown);
        };
        if scope.firm_id != who.firm_id {
            return Err(AbsentBecause::OtherFirm);
        }
        if who.is_admin
            || scope.owner_id == who.advisor_id
            || scope.shared_with.contains(&who.advisor_id)
        {
            Ok(())
        } else {
            Err(AbsentBecause::NotShared)
        }
    }

    /// Whether any firm has a document with this id (a new document may not reuse one).
    pub fn exists(&self, doc_id: &str) -> bool {
        self.docs.contains_key(doc_id)
    }

    /// Records a newly created document.
    pub fn insert(&mut self, doc_id: &str, firm_id: &str, owner_id: &str) {
        self.docs.insert(
            doc_id.to_string(),
            DocScope {
                firm_id: firm_id.to_string(),
                owner_id: owner_id.to_string(),
                shared_with: BTreeSet::new(),
            },
        );
    }

    /// Records a share (the caller has checked it is allowed).
    pub fn share(&mut self, doc_id: &str, advisor_id: &str) {
        if let Some(scope) = self.docs.get_mut(doc_id) {
            scope.shared_with.insert(advisor_id.to_string());
        }
    }

    /// Records an unshare.
    pub fn unshare(&mut self, doc_id: &str, advisor_id: &str) {
        if let Some(scope) = self.docs.get_mut(doc_id) {
            scope.shared_with.remove(advisor_id);
        }
    }

    /// Documents an advisor syncs: those they own and those shared with them (admins reach
    /// the rest of the firm's households through the console, not by replicating them all).
    pub fn synced_by(&self, who: &Identity) -> Vec<(String, String, Vec<String>)> {
        let mut out: Vec<_> = self
            .docs
            .iter()
            .filter(|(_, s)| {
                s.firm_id == who.firm_id
                    && (s.owner_id == who.advisor_id || s.shared_with.contains(&who.advisor_id))
            })
            .map(|(id, s)| {
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
        (self.check(who, doc_id) == Visibility::Visible).then(|| {
            let s = &self.docs[doc_id];
            (s.owner_id.clone(), s.shared_with.iter().cloned().collect())
        })
    }
}

/// Denial counters by reason, for metrics.
#[derive(Debug, Default)]
pub struct DenialCounters {
    /// Absent because the id belongs to another firm.
    pub other_firm: std::sync::atomic::AtomicU64,
    /// Absent because the document is not shared with the advisor.
    pub not_shared: std::sync::atomic::AtomicU64,
}

/// The hub policy of one firm: asks the shared scope index.
#[derive(Clone)]
pub struct FirmPolicy {
    /// The shared index.
    pub scope: Arc<RwLock<ScopeIndex>>,
    /// Where denials are counted.
    pub denials: Arc<DenialCounters>,
}

impl FirmPolicy {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, ScopeIndex> {
        // A panic while holding the lock poisons it; the index itself is still consistent
        // (every mutation is a single insert/remove), so keep serving.
        self.scope.read().unwrap_or_else(|p| p.into_inner())
    }
}

impl Policy for FirmPolicy {
    type Identity = Identity;

    fn may_access(&self, who: &Identity, doc: &DocumentId) -> Access {
        use std::sync::atomic::Ordering::Relaxed;
        match self.read().explain(who, &doc.to_string()) {
            Ok(()) => Access::Allowed,
            // Unknown ids are allowed through to the edge's load, which answers "absent" from
            // the same index (so no store round trip distinguishes them) — or to creation.
            Err(AbsentBecause::Unknown) => Access::Allowed,
            Err(AbsentBecause::OtherFirm) => {
                self.denials.other_firm.fetch_add(1, Relaxed);
                Access::Denied
            }
            Err(AbsentBecause::NotShared) => {
                self.denials.not_shared.fetch_add(1, Relaxed);
                Access::Denied
            }
        }
    }

    fn may_create(&self, _who: &Identity, doc: &DocumentId) -> bool {
        !self.read().exists(&doc.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(firm: &str, advisor: &str, admin: bool) -> Identity {
        Identity {
            firm_id: firm.into(),
            advisor_id: advisor.into(),
            device_id: None,
            is_admin: admin,
        }
    }

    #[test]
    fn scope_rules() {
        let mut index = ScopeIndex::default();
        index.insert("doc-a", "firm-a", "alice");
        index.share("doc-a", "bob");
        assert_eq!(
            index.check(&who("firm-a", "alice", false), "doc-a"),
            Visibility::Visible
        );
        assert_eq!(
            index.check(&who("firm-a", "bob", false), "doc-a"),
            Visibility::Visible
        );
        assert_eq!(
            index.check(&who("firm-a", "carol", false), "doc-a"),
            Visibility::Absent
        );
        assert_eq!(
            index.check(&who("firm-a", "carol", true), "doc-a"),
            Visibility::Visible,
            "firm admin"
        );
        assert_eq!(
            index.check(&who("firm-b", "alice", true), "doc-a"),
            Visibility::Absent,
            "other firm, even admin"
        );
        assert_eq!(
            index.check(&who("firm-a", "alice", false), "nope"),
            Visibility::Absent
        );
        index.unshare("doc-a", "bob");
        assert_eq!(
            index.check(&who("firm-a", "bob", false), "doc-a"),
            Visibility::Absent
        );
        assert_eq!(
            index.explain(&who("firm-b", "x", false), "doc-a"),
            Err(AbsentBecause::OtherFirm)
        );
    }
}
