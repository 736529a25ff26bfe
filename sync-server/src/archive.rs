//! The compliance archive on the relay: every accepted change is an entry of its firm's
//! append-only log (written in the same transaction as the change, see `edge.rs`), tree heads
//! signed with the firm's Ed25519 key, proofs, retention and legal holds, the examiner's
//! export, and a second, independent copy in append-only segment files.
//!
//! These are the service functions the REST API (`/v1/admin/archive/*`), the CLI
//! (`hearth-relay archive ...`) and the console all call; every one takes the firm it acts
//! for, and nothing here reaches another firm's log.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth_archive::bundle::{self, Bundle, FORMAT, Manifest};
use hearth_archive::readable::{ReadableChange, household_record};
use hearth_archive::{ArchiveSigner, Entry, EntryKind, Hash, SignedTreeHead, Tree, TreeHead};
use hearth_relay_store::{
    ArchiveFilter, ArchiveKey, ArchiveRecord, LegalHold, MIN_RETENTION_YEARS, RETENTION_YEAR_MS,
    StoreError,
};
use serde::{Deserialize, Serialize};

use crate::now_ms;
use crate::service::{Relay, Result, ServiceError};

/// AAD binding a sealed archive signing key to its firm.
fn key_aad(firm_id: &str) -> Vec<u8> {
    hearth_seal::document_aad(firm_id, "archive-signing-key")
}

/// How often the background task looks for new entries (a head is signed at least this often
/// while entries arrive: well within the one-minute bound).
pub const HEAD_EVERY: Duration = Duration::from_secs(20);
/// How long the signing lease lasts: three rounds, so a node that died is replaced within a
/// minute and a live one renews it every round.
const SIGNING_LEASE_MS: i64 = 3 * HEAD_EVERY.as_millis() as i64;
/// How often expiry runs.
const EXPIRE_EVERY: Duration = Duration::from_secs(3600);
/// Entries per segment file of the second copy.
const SEGMENT_ENTRIES: u64 = 65_536;
/// Length marker of a mirrored entry whose bytes had already expired.
const EXPIRED_MARK: u32 = u32::MAX;

/// `[archive]` in `relay.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArchiveConfig {
    /// Archive accepted changes (turn off only to measure its cost).
    pub enabled: bool,
    /// Directory of the second copy (append-only segment files); default: `archive/` next to
    /// the SQLite database, or `./hearth-relay-archive` for PostgreSQL.
    pub mirror_dir: Option<PathBuf>,
}

impl Default for ArchiveConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            mirror_dir: None,
        }
    }
}

impl ArchiveConfig {
    /// Where the segment files go for a relay on `database`.
    pub fn mirror_dir(&self, database: &str) -> PathBuf {
        if let Some(dir) = &self.mirror_dir {
            return dir.clone();
        }
        match crate::config::sqlite_file(database)
            .as_deref()
            .and_then(Path::parent)
        {
            Some(parent) => parent.join("archive"),
            None => PathBuf::from("hearth-relay-archive"),
        }
    }
}

/// Per-firm caches: signing keys and Merkle trees (leaf hashes), so signing a head or making a
/// proof reads only the entries added since.
#[derive(Default)]
pub struct ArchiveState {
    signers: Mutex<HashMap<String, Arc<ArchiveSigner>>>,
    trees: tokio::sync::Mutex<HashMap<String, Tree>>,
    mirror: tokio::sync::Mutex<HashMap<String, u64>>,
}

/// Retention policy and holds, as the console and API show them.
#[derive(Debug, Clone, Serialize)]
pub struct Retention {
    /// Years each entry is kept.
    pub years: i64,
    /// The floor.
    pub min_years: i64,
    /// Legal holds in force.
    pub holds: Vec<LegalHold>,
}

/// What the stored log's self-check found.
#[derive(Debug, Clone, Serialize)]
pub struct LogCheck {
    /// Entries in the database.
    pub entries: u64,
    /// Entries whose bytes expired (their leaf hashes were checked against the tree only).
    pub expired: u64,
    /// Tree heads checked (signature, root, consistency with the previous one).
    pub tree_heads: u64,
    /// Entries in the second copy.
    pub mirrored: u64,
    /// The latest head.
    pub latest_head: Option<SignedTreeHead>,
    /// `None` when everything verified; else the first problem.
    pub problem: Option<String>,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    /// Directory written.
    pub path: String,
    /// Entries exported.
    pub entries: u64,
    /// Households with a readable record.
    pub households: u64,
    /// The head the bundle proves against.
    pub head: SignedTreeHead,
}

fn store_err(e: StoreError) -> ServiceError {
    match e {
        // The store's own refusals (retention rules) are the caller's to fix.
        StoreError::Conflict(why) => ServiceError::BadRequest(why),
        other => ServiceError::Store(other),
    }
}

fn sha256(bytes: &[u8]) -> Hash {
    let mut out = [0u8; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref());
    out
}

/// The archive entry for one accepted change (its `seq` is assigned by the store).
pub fn change_entry(
    firm_id: &str,
    advisor_id: &str,
    device_id: Option<&str>,
    doc_id: &str,
    change_hash: Hash,
    sealed: Vec<u8>,
    at: i64,
) -> Entry {
    Entry {
        seq: 0,
        time: at,
        firm: firm_id.to_string(),
        advisor: advisor_id.to_string(),
        device: device_id.unwrap_or_default().to_string(),
        document: doc_id.to_string(),
        kind: EntryKind::Change,
        change_hash,
        payload: sealed,
    }
}

pub(crate) fn admin_entry(
    firm_id: &str,
    by: &str,
    household: Option<&str>,
    action: serde_json::Value,
) -> Entry {
    let payload = serde_json::to_vec(&action).unwrap_or_default();
    Entry {
        seq: 0,
        time: now_ms(),
        firm: firm_id.to_string(),
        advisor: by.to_string(),
        device: String::new(),
        document: household.unwrap_or_default().to_string(),
        kind: EntryKind::Admin,
        change_hash: sha256(&payload),
        payload,
    }
}

impl Relay {
    async fn archive_firm_exists(&self, firm_id: &str) -> Result<()> {
        self.store
            .firm(firm_id)
            .await?
            .map(|_| ())
            .ok_or(ServiceError::NotFound)
    }

    /// The firm's archive signing key, created (and stored sealed) on first use.
    pub async fn archive_signer(&self, firm_id: &str) -> Result<Arc<ArchiveSigner>> {
        if let Some(s) = self
            .archive
            .signers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(firm_id)
        {
            return Ok(s.clone());
        }
        let firm_key = self.firm_key(firm_id).await?;
        let stored = match self.store.archive_key(firm_id).await? {
            Some(k) => k,
            None => {
                let (signer, pkcs8) = ArchiveSigner::generate()
                    .map_err(|e| ServiceError::BadRequest(e.to_string()))?;
                let key = ArchiveKey {
                    sealed_key: firm_key.seal(&pkcs8, &key_aad(firm_id))?,
                    public_key: signer.public_key(),
                    created_at: now_ms(),
                };
                match self.store.archive_put_key(firm_id, &key).await {
                    Ok(()) => key,
                    // Another process created it first: use theirs.
                    Err(StoreError::Conflict(_)) => self
                        .store
                        .archive_key(firm_id)
                        .await?
                        .ok_or(ServiceError::NotFound)?,
                    Err(e) => return Err(e.into()),
                }
            }
        };
        let pkcs8 = zeroize::Zeroizing::new(firm_key.open(&stored.sealed_key, &key_aad(firm_id))?);
        let signer = Arc::new(
            ArchiveSigner::from_pkcs8(&pkcs8)
                .map_err(|e| ServiceError::BadRequest(format!("firm {firm_id}: {e}")))?,
        );
        self.archive
            .signers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(firm_id.to_string(), signer.clone());
        Ok(signer)
    }

    /// The firm's Ed25519 public key (32 bytes) that examiners verify tree heads with.
    pub async fn archive_public_key(&self, firm_id: &str) -> Result<Vec<u8>> {
        Ok(self.archive_signer(firm_id).await?.public_key())
    }

    /// Runs `f` on the firm's Merkle tree, brought up to date with the store first.
    async fn with_tree<T>(&self, firm_id: &str, f: impl FnOnce(&Tree) -> T) -> Result<T> {
        let mut trees = self.archive.trees.lock().await;
        let tree = trees.entry(firm_id.to_string()).or_default();
        let known = i64::try_from(tree.size()).unwrap_or(i64::MAX);
        for leaf in self.store.archive_leaves(firm_id, known).await? {
            tree.push(leaf);
        }
        Ok(f(tree))
    }

    /// Entries of the firm's log matching `filter` (by household, advisor, date range, page).
    pub async fn archive_entries(
        &self,
        firm_id: &str,
        filter: &ArchiveFilter,
    ) -> Result<Vec<ArchiveRecord>> {
        Ok(self.store.archive_entries(firm_id, filter).await?)
    }

    /// The latest signed tree head (`None` before the first one).
    pub async fn archive_latest_head(&self, firm_id: &str) -> Result<Option<SignedTreeHead>> {
        self.archive_firm_exists(firm_id).await?;
        Ok(self.store.archive_latest_head(firm_id).await?)
    }

    /// Signs a tree head over everything archived so far, unless the latest head already
    /// covers it (then returns that one). `None` while the log is empty.
    pub async fn archive_sign_head(&self, firm_id: &str) -> Result<Option<SignedTreeHead>> {
        self.archive_firm_exists(firm_id).await?;
        let signer = self.archive_signer(firm_id).await?;
        let (size, root) = self
            .with_tree(firm_id, |t| (t.size(), t.root(t.size())))
            .await?;
        let root = root.map_err(|e| ServiceError::BadRequest(e.to_string()))?;
        let latest = self.store.archive_latest_head(firm_id).await?;
        if size == 0 || latest.as_ref().is_some_and(|h| h.head.size >= size) {
            return Ok(latest);
        }
        let time = now_ms().max(latest.as_ref().map_or(0, |h| h.head.time));
        let sth = signer
            .sign(firm_id, TreeHead { size, time, root })
            .map_err(|e| ServiceError::BadRequest(e.to_string()))?;
        match self.store.archive_put_head(firm_id, &sth).await {
            Ok(()) => Ok(Some(sth)),
            // Signed concurrently (another task or process): theirs is as good.
            Err(StoreError::Conflict(_)) => Ok(self.store.archive_latest_head(firm_id).await?),
            Err(e) => Err(e.into()),
        }
    }

    /// Proof that entry `seq` is in the tree of the first `size` entries.
    pub async fn archive_inclusion_proof(
        &self,
        firm_id: &str,
        seq: u64,
        size: u64,
    ) -> Result<Vec<Hash>> {
        self.with_tree(firm_id, |t| t.inclusion_proof(seq, size))
            .await?
            .map_err(|e| ServiceError::BadRequest(e.to_string()))
    }

    /// Proof that the tree of `old` entries is a prefix of the tree of `new` entries.
    pub async fn archive_consistency_proof(
        &self,
        firm_id: &str,
        old: u64,
        new: u64,
    ) -> Result<Vec<Hash>> {
        self.with_tree(firm_id, |t| t.consistency_proof(old, new))
            .await?
            .map_err(|e| ServiceError::BadRequest(e.to_string()))
    }

    /// The retention period and the legal holds.
    pub async fn archive_retention(&self, firm_id: &str) -> Result<Retention> {
        self.archive_firm_exists(firm_id).await?;
        Ok(Retention {
            years: self.store.archive_retention(firm_id).await?,
            min_years: MIN_RETENTION_YEARS,
            holds: self.store.archive_holds(firm_id).await?,
        })
    }

    /// Sets the retention period. Refused (`BadRequest`, nothing changed) below the 5-year
    /// floor, or shorter than today while any archived entry has not expired. The change is
    /// itself an archive entry.
    pub async fn archive_set_retention(&self, firm_id: &str, years: i64, by: &str) -> Result<()> {
        let current = self.archive_retention(firm_id).await?.years;
        if years < MIN_RETENTION_YEARS {
            return Err(ServiceError::BadRequest(format!(
                "retention cannot be set below {MIN_RETENTION_YEARS} years (SEC Rule 204-2); it stays {current} years"
            )));
        }
        let action = admin_entry(
            firm_id,
            by,
            None,
            serde_json::json!({ "action": "retention.set", "years": years, "previous_years": current }),
        );
        self.store
            .archive_set_retention(firm_id, years, &action)
            .await
            .map_err(store_err)?;
        self.audit_archive(firm_id, by, "archive.retention.set", &years.to_string())
            .await
    }

    /// Places a legal hold on a household (`Some`) or the whole firm (`None`). The action is
    /// itself an archive entry.
    pub async fn archive_place_hold(
        &self,
        firm_id: &str,
        household: Option<&str>,
        reason: &str,
        by: &str,
    ) -> Result<()> {
        self.archive_firm_exists(firm_id).await?;
        if let Some(h) = household
            && !self.scope().exists(firm_id, h)
        {
            return Err(ServiceError::NotFound);
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::BadRequest(
                "say why the hold is placed (a matter or case reference)".into(),
            ));
        }
        let hold = LegalHold {
            household: household.map(str::to_string),
            reason: reason.to_string(),
            placed_by: by.to_string(),
            placed_at: now_ms(),
        };
        let action = admin_entry(
            firm_id,
            by,
            household,
            serde_json::json!({ "action": "hold.place", "household": household, "reason": reason }),
        );
        self.store
            .archive_place_hold(firm_id, &hold, &action)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    ServiceError::BadRequest("that legal hold is already in place".into())
                }
                other => other.into(),
            })?;
        self.audit_archive(
            firm_id,
            by,
            "archive.hold.place",
            household.unwrap_or("firm"),
        )
        .await
    }

    /// Lifts a legal hold; `NotFound` if there is no such hold. The action is itself an
    /// archive entry.
    pub async fn archive_lift_hold(
        &self,
        firm_id: &str,
        household: Option<&str>,
        by: &str,
    ) -> Result<()> {
        self.archive_firm_exists(firm_id).await?;
        let action = admin_entry(
            firm_id,
            by,
            household,
            serde_json::json!({ "action": "hold.lift", "household": household }),
        );
        self.store
            .archive_lift_hold(firm_id, household, &action)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.audit_archive(
            firm_id,
            by,
            "archive.hold.lift",
            household.unwrap_or("firm"),
        )
        .await
    }

    /// Removes the bytes of entries accepted before `before` — refused if any of them is
    /// still within the retention period. Held entries are kept. Returns how many expired.
    pub async fn archive_delete_before(&self, firm_id: &str, before: i64, by: &str) -> Result<u64> {
        let years = self.archive_retention(firm_id).await?.years;
        let now = now_ms();
        let cutoff = now - years * RETENTION_YEAR_MS;
        if before > cutoff {
            return Err(ServiceError::BadRequest(format!(
                "refused: entries accepted before {} are still within the firm's {years}-year retention period; only entries older than {} may be removed",
                hearth_archive::readable::rfc3339(before),
                hearth_archive::readable::rfc3339(cutoff)
            )));
        }
        let expired = self.store.archive_expire(firm_id, now).await?;
        self.audit_archive(firm_id, by, "archive.expire", &expired.to_string())
            .await?;
        Ok(expired)
    }

    async fn audit_archive(
        &self,
        firm_id: &str,
        by: &str,
        action: &str,
        target: &str,
    ) -> Result<()> {
        self.store
            .append_audit(&hearth_relay_store::AuditEvent {
                seq: 0,
                firm_id: Some(firm_id.to_string()),
                actor: by.to_string(),
                action: action.to_string(),
                target: target.to_string(),
                at: now_ms(),
            })
            .await?;
        Ok(())
    }

    /// Checks the stored log: every entry's bytes hash to its leaf, every stored head is
    /// signed and matches the tree, and the second copy agrees with the database.
    pub async fn archive_check(&self, firm_id: &str) -> Result<LogCheck> {
        self.archive_firm_exists(firm_id).await?;
        let public_key = self.archive_public_key(firm_id).await?;
        let records = self
            .store
            .archive_entries(firm_id, &ArchiveFilter::default())
            .await?;
        let mut problem = None;
        let mut leaves = Vec::with_capacity(records.len());
        let mut expired = 0;
        for (i, r) in records.iter().enumerate() {
            let leaf: Hash = r.leaf_hash.clone().try_into().unwrap_or([0; 32]);
            if problem.is_none() && r.seq != i as i64 {
                problem = Some(format!("entry {i}: missing (the log jumps to {})", r.seq));
            }
            match &r.body {
                Some(body)
                    if problem.is_none() && hearth_archive::merkle::leaf_hash(body) != leaf =>
                {
                    problem = Some(format!("entry {}: leaf hash does not match", r.seq));
                }
                Some(_) => {}
                None => expired += 1,
            }
            leaves.push(leaf);
        }
        let tree = Tree::new(leaves);
        let heads = self
            .store
            .archive_heads(firm_id, i64::MIN, i64::MAX)
            .await?;
        for (i, h) in heads.iter().enumerate() {
            if problem.is_some() {
                break;
            }
            if h.verify(firm_id, &public_key).is_err() {
                problem = Some(format!(
                    "tree head {i} (size {}): bad signature",
                    h.head.size
                ));
            } else if tree.root(h.head.size).ok() != Some(h.head.root) {
                problem = Some(format!(
                    "tree head {i} (size {}): the log no longer has that root — history was rewritten",
                    h.head.size
                ));
            }
        }
        let mirrored = match self.archive_mirror_compare(firm_id, &records).await {
            Ok(n) => n,
            Err(why) => {
                problem.get_or_insert(why);
                0
            }
        };
        Ok(LogCheck {
            entries: records.len() as u64,
            expired,
            tree_heads: heads.len() as u64,
            mirrored,
            latest_head: heads.last().cloned(),
            problem,
        })
    }

    /// Writes an examiner's bundle of entries accepted in `[from, to)` into `out` (which must
    /// not exist or be empty). A fresh tree head is signed first, so the bundle proves the
    /// log as of now.
    pub async fn archive_export(
        &self,
        firm_id: &str,
        (from, to): (i64, i64),
        (from_label, to_label): (&str, &str),
        out: &Path,
    ) -> Result<ExportSummary> {
        if out.exists()
            && std::fs::read_dir(out)
                .map(|mut d| d.next().is_some())
                .unwrap_or(true)
        {
            return Err(ServiceError::BadRequest(format!(
                "{} exists and is not empty; give a new directory",
                out.display()
            )));
        }
        let Some(last) = self.archive_sign_head(firm_id).await? else {
            return Err(ServiceError::BadRequest(
                "the firm's archive is empty: nothing to export".into(),
            ));
        };
        let size = last.head.size;
        let mut heads: Vec<SignedTreeHead> = self
            .store
            .archive_heads(firm_id, from, to)
            .await?
            .into_iter()
            .filter(|h| h.head.size < size)
            .collect();
        heads.push(last.clone());
        let mut leaves = self.store.archive_leaves(firm_id, 0).await?;
        leaves.truncate(size as usize);
        let tree = Tree::new(leaves);
        let records = self
            .store
            .archive_entries(
                firm_id,
                &ArchiveFilter {
                    from: Some(from),
                    to: Some(to),
                    ..Default::default()
                },
            )
            .await?;
        let records: Vec<_> = records
            .into_iter()
            .filter(|r| (r.seq as u64) < size)
            .collect();
        let key = self.firm_key(firm_id).await?;
        let names: BTreeMap<String, String> = self
            .store
            .list_advisors(firm_id)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let mut entries = Vec::new();
        let mut by_household: BTreeMap<String, Vec<ReadableChange>> = BTreeMap::new();
        let mut admin_actions = Vec::new();
        for r in &records {
            let Some(body) = &r.body else { continue };
            let entry = Entry::decode(body).map_err(|e| {
                ServiceError::BadRequest(format!("entry {}: stored bytes are damaged: {e}", r.seq))
            })?;
            match entry.kind {
                EntryKind::Change => {
                    let plain = key
                        .open(&entry.payload, &hearth_seal::document_aad(firm_id, &entry.document))
                        .ok();
                    by_household
                        .entry(entry.document.clone())
                        .or_default()
                        .push(ReadableChange {
                            entry: entry.clone(),
                            plaintext: plain,
                        });
                }
                EntryKind::Admin => admin_actions.push(serde_json::json!({
                    "seq": entry.seq,
                    "time": hearth_archive::readable::rfc3339(entry.time),
                    "by": entry.advisor,
                    "household": (!entry.document.is_empty()).then_some(&entry.document),
                    "action": serde_json::from_slice::<serde_json::Value>(&entry.payload).unwrap_or_default(),
                })),
            }
            entries.push(entry);
        }
        let mut households = BTreeMap::new();
        for (doc, listed) in &by_household {
            let last_seq = listed.last().map_or(0, |c| c.entry.seq as i64);
            let history: Vec<Vec<u8>> = self
                .store
                .archive_entries(
                    firm_id,
                    &ArchiveFilter {
                        doc_id: Some(doc.clone()),
                        ..Default::default()
                    },
                )
                .await?
                .into_iter()
                .filter(|r| r.seq <= last_seq && r.kind == EntryKind::Change)
                .filter_map(|r| Entry::decode(r.body.as_deref()?).ok())
                .filter_map(|e| {
                    key.open(&e.payload, &hearth_seal::document_aad(firm_id, doc))
                        .ok()
                })
                .collect();
            let record = household_record(doc, listed, &history, &names)
                .map_err(|e| ServiceError::BadRequest(e.to_string()))?;
            households.insert(doc.clone(), record);
        }
        let mut b = Bundle {
            manifest: Manifest {
                format: FORMAT.into(),
                firm: firm_id.to_string(),
                from: from_label.to_string(),
                to: to_label.to_string(),
                created_at: now_ms(),
                entry_count: entries.len() as u64,
                tree_size: size,
                files: Default::default(),
            },
            public_key: self.archive_public_key(firm_id).await?,
            entries,
            leaves: tree.leaves().to_vec(),
            heads,
            proofs: Vec::new(),
            households,
            admin_actions: serde_json::Value::Array(admin_actions),
        };
        b.add_proofs(&tree)
            .map_err(|e| ServiceError::BadRequest(e.to_string()))?;
        let signer = self.archive_signer(firm_id).await?;
        b.write(out, &signer)
            .map_err(|e| ServiceError::BadRequest(format!("could not write the bundle: {e}")))?;
        Ok(ExportSummary {
            path: out.display().to_string(),
            entries: b.manifest.entry_count,
            households: b.households.len() as u64,
            head: last,
        })
    }

    fn mirror_dir(&self, firm_id: &str) -> PathBuf {
        self.config
            .archive
            .mirror_dir(&self.config.database)
            .join(firm_id)
    }

    /// Copies entries not yet in the second copy into the firm's segment files (fsynced).
    /// Returns how many entries the copy holds.
    pub async fn archive_mirror(&self, firm_id: &str) -> Result<u64> {
        let mut done = self.archive.mirror.lock().await;
        let dir = self.mirror_dir(firm_id);
        let have = match done.get(firm_id) {
            Some(n) => *n,
            None => read_segments(&dir)
                .map_err(|e| ServiceError::BadRequest(format!("second copy: {e}")))?
                .len() as u64,
        };
        let new = self
            .store
            .archive_entries(
                firm_id,
                &ArchiveFilter {
                    after_seq: have.checked_sub(1).map(|s| s as i64),
                    ..Default::default()
                },
            )
            .await?;
        let mut count = have;
        let written = (|| -> std::io::Result<u64> {
            std::fs::create_dir_all(&dir)?;
            let mut open: Option<(u64, std::fs::File)> = None;
            for r in &new {
                let seq = r.seq as u64;
                if seq != count {
                    return Err(std::io::Error::other(format!(
                        "entry {seq} follows {count} entries: the log has a gap"
                    )));
                }
                let segment = seq / SEGMENT_ENTRIES;
                if open.as_ref().is_none_or(|(s, _)| *s != segment) {
                    if let Some((_, f)) = open.take() {
                        f.sync_all()?;
                    }
                    let file = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(dir.join(format!("segment-{segment:08}.log")))?;
                    open = Some((segment, file));
                }
                if let Some((_, f)) = open.as_mut() {
                    let mut rec = Vec::with_capacity(44 + r.body.as_ref().map_or(0, Vec::len));
                    rec.extend_from_slice(&seq.to_be_bytes());
                    rec.extend_from_slice(&r.leaf_hash);
                    match &r.body {
                        Some(body) => {
                            rec.extend_from_slice(&(body.len() as u32).to_be_bytes());
                            rec.extend_from_slice(body);
                        }
                        None => rec.extend_from_slice(&EXPIRED_MARK.to_be_bytes()),
                    }
                    f.write_all(&rec)?;
                }
                count += 1;
            }
            if let Some((_, f)) = open {
                f.sync_all()?;
            }
            Ok(count)
        })();
        match written {
            Ok(n) => {
                done.insert(firm_id.to_string(), n);
                Ok(n)
            }
            Err(e) => {
                // Re-read the files next time rather than trust a half-written state.
                done.remove(firm_id);
                Err(ServiceError::BadRequest(format!(
                    "could not write the archive's second copy in {}: {e}",
                    dir.display()
                )))
            }
        }
    }

    /// Compares the second copy with the database records; the number mirrored, or the first
    /// disagreement.
    async fn archive_mirror_compare(
        &self,
        firm_id: &str,
        records: &[ArchiveRecord],
    ) -> std::result::Result<u64, String> {
        let mirrored =
            read_segments(&self.mirror_dir(firm_id)).map_err(|e| format!("second copy: {e}"))?;
        for (seq, (leaf, body)) in mirrored.iter().enumerate() {
            let Some(r) = records.get(seq) else {
                return Err(format!("second copy: entry {seq} is not in the database"));
            };
            if r.leaf_hash != leaf.as_slice() {
                return Err(format!(
                    "second copy: entry {seq} differs from the database (leaf hash)"
                ));
            }
            if let Some(body) = body
                && hearth_archive::merkle::leaf_hash(body) != *leaf
            {
                return Err(format!(
                    "second copy: entry {seq}: bytes do not match its leaf hash"
                ));
            }
        }
        Ok(mirrored.len() as u64)
    }
}

/// Reads every record of a firm's segment files, in order: (leaf hash, bytes if not expired).
fn read_segments(dir: &Path) -> std::io::Result<Vec<(Hash, Option<Vec<u8>>)>> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(list) => list
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "log"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let mut bytes = Vec::new();
        std::fs::File::open(&path)?.read_to_end(&mut bytes)?;
        let mut at = 0usize;
        while at < bytes.len() {
            let start = at;
            let bad =
                || std::io::Error::other(format!("{} is damaged at byte {start}", path.display()));
            let head = bytes.get(at..at + 44).ok_or_else(bad)?;
            let seq = u64::from_be_bytes(head[..8].try_into().map_err(|_| bad())?);
            if seq != out.len() as u64 {
                return Err(std::io::Error::other(format!(
                    "{}: entry {seq} where entry {} was expected",
                    path.display(),
                    out.len()
                )));
            }
            let leaf: Hash = head[8..40].try_into().map_err(|_| bad())?;
            let len = u32::from_be_bytes(head[40..44].try_into().map_err(|_| bad())?);
            at += 44;
            if len == EXPIRED_MARK {
                out.push((leaf, None));
            } else {
                let body = bytes.get(at..at + len as usize).ok_or_else(bad)?;
                out.push((leaf, Some(body.to_vec())));
                at += len as usize;
            }
        }
    }
    Ok(out)
}

/// The background task of a serving relay: for every firm, signs a tree head when entries
/// arrived since the last one (every [`HEAD_EVERY`]), keeps the second copy up to date, and
/// runs expiry hourly.
pub fn spawn_background(relay: Arc<Relay>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if !relay.config.archive.enabled {
            return;
        }
        let mut every = tokio::time::interval(HEAD_EVERY);
        let mut last_expiry = tokio::time::Instant::now();
        loop {
            every.tick().await;
            let expire = last_expiry.elapsed() >= EXPIRE_EVERY;
            if expire {
                last_expiry = tokio::time::Instant::now();
            }
            let firms = match relay.store.list_firms().await {
                Ok(f) => f,
                Err(e) => {
                    tracing::warn!(error = %e, "archive: could not list firms");
                    continue;
                }
            };
            // Relays sharing a database sign one at a time: the holder of the lease signs,
            // the others keep their second copies.
            let signer = match relay
                .store
                .archive_take_signing_lease(&relay.node_id, now_ms(), SIGNING_LEASE_MS)
                .await
            {
                Ok(held) => held,
                Err(e) => {
                    tracing::warn!(error = %e, "archive: could not take the signing lease");
                    false
                }
            };
            for firm in firms {
                if signer && let Err(e) = relay.archive_sign_head(&firm.id).await {
                    tracing::warn!(firm = %firm.id, error = %e, "archive: could not sign a tree head");
                }
                if let Err(e) = relay.archive_mirror(&firm.id).await {
                    tracing::error!(firm = %firm.id, error = %e, "archive: second copy is behind");
                }
                if expire && let Err(e) = relay.store.archive_expire(&firm.id, now_ms()).await {
                    tracing::warn!(firm = %firm.id, error = %e, "archive: expiry failed");
                }
            }
        }
    })
}

/// Parses `YYYY-MM-DD` (UTC midnight) or an RFC 3339 time into ms since the epoch.
pub fn parse_date(text: &str) -> std::result::Result<i64, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp_millis());
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp_millis())
        .ok_or_else(|| format!("'{text}' is not a date: use YYYY-MM-DD or an RFC 3339 time"))
}

/// The exclusive end of a `--to` date: the day after a plain date (so `--to 2026-11-23`
/// includes that whole day), or the time itself.
pub fn parse_end_date(text: &str) -> std::result::Result<i64, String> {
    let start = parse_date(text)?;
    Ok(if text.len() == 10 {
        start + 86_400_000
    } else {
        start
    })
}

/// Verifies a bundle directory (for the CLI; no database).
pub fn verify_bundle(
    dir: &Path,
    pin: Option<&bundle::KeyPin>,
) -> std::result::Result<bundle::Report, bundle::VerifyError> {
    bundle::verify(dir, pin)
}
