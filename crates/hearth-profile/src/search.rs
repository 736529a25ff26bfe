//! The profile's search index: one encrypted tantivy index in `<profile>/index/`, kept up to
//! date from the store.
//!
//! Why a queue instead of indexing inside every edit: a tantivy commit costs milliseconds to
//! tens of milliseconds (segment files written and fsynced), far more than an edit (p99
//! 1.7 ms). So every write to a household — local edit, import, change merged from sync —
//! records a durable *search-dirty* mark for it **in the same transaction** as the write
//! (`meta` row `search.dirty.<id>`). Before a search runs (and at the end of `hearth sync`),
//! the dirty households are indexed in one commit and their marks removed — each only if it
//! was not re-marked meanwhile, so an edit made by another process while indexing ran is
//! indexed next time rather than lost. A crash between the two leaves the marks in place:
//! the household is simply indexed again.
//!
//! The index key is random, generated on first use and stored inside the SQLCipher database
//! (never on disk in plaintext). An index that is missing, damaged, or written under another
//! key is deleted and rebuilt from the store, which is the source of truth.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use hearth_core::HouseholdData;
use hearth_search::{Hit, Index, Query, SearchKey};
use hearth_store::WriteTx;
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use crate::{Profile, ProfileError};

/// Directory of the search index inside the profile.
pub const INDEX_DIR: &str = "index";
const KEY_META: &str = "search.key";
const DIRTY_PREFIX: &str = "search.dirty.";
/// How long to wait for another process (a `hearth sync --watch`, the app) that holds the
/// index for writing before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// What [`Profile::refresh_search_index`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct IndexReport {
    /// Households (re)indexed.
    pub indexed: usize,
    /// Whether the whole index was rebuilt (it was missing, damaged or under another key).
    pub rebuilt: bool,
}

/// Records, inside the caller's write transaction, that household `id` must be reindexed.
pub(crate) fn mark_dirty(tx: &WriteTx<'_>, id: &str) -> Result<(), ProfileError> {
    // A fresh random value per mark: clearing a mark only removes the value it saw.
    let mut token = [0u8; 8];
    SystemRandom::new()
        .fill(&mut token)
        .map_err(|_| ProfileError::Search("the system random generator failed".into()))?;
    tx.set_meta(&format!("{DIRTY_PREFIX}{id}"), &hex::encode(token))?;
    Ok(())
}

impl Profile {
    fn index_dir(&self) -> PathBuf {
        self.dir.join(INDEX_DIR)
    }

    /// The index key, created (and stored in the encrypted database) on first use.
    fn search_key(&mut self) -> Result<SearchKey, ProfileError> {
        let bytes = match self.store.meta(KEY_META)? {
            Some(hex_key) => Zeroizing::new(hex::decode(hex_key.as_bytes()).map_err(|_| {
                ProfileError::Search("the stored search index key is malformed".into())
            })?),
            None => {
                let mut fresh = Zeroizing::new(vec![0u8; 32]);
                SystemRandom::new().fill(&mut fresh).map_err(|_| {
                    ProfileError::Search("the system random generator failed".into())
                })?;
                let tx = self.store.write()?;
                tx.set_meta(KEY_META, &hex::encode(&*fresh))?;
                tx.commit()?;
                // An index left from an earlier key (a restored database) can never be read.
                remove_index_dir(&self.index_dir())?;
                fresh
            }
        };
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| ProfileError::Search("the stored search index key is malformed".into()))?;
        Ok(SearchKey::from_bytes(key))
    }

    /// Opens the index, rebuilding it when it is missing, damaged or under another key.
    /// Returns whether it was (re)built from the store.
    fn ensure_index(&mut self) -> Result<bool, ProfileError> {
        if self.search.is_some() {
            return Ok(false);
        }
        let key = self.search_key()?;
        let dir = self.index_dir();
        let mut existed = dir.join("meta.json").exists();
        let deadline = Instant::now() + LOCK_WAIT;
        let index = loop {
            match Index::open(&dir, &key) {
                Ok(index) => break index,
                Err(hearth_search::Error::Locked) if Instant::now() < deadline => {
                    // Another hearth process is writing the index; it releases it when done.
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(hearth_search::Error::Locked) => {
                    return Err(ProfileError::Search(
                        "the search index is in use by another Hearth process (a running `hearth sync --watch` or the app); try again when it is done".into(),
                    ));
                }
                Err(
                    e @ (hearth_search::Error::WrongKey(_)
                    | hearth_search::Error::Corrupt(_)
                    | hearth_search::Error::Index(_)),
                ) => {
                    tracing::warn!(error = %e, "search index unusable; rebuilding it from the store");
                    remove_index_dir(&dir)?;
                    existed = false;
                    break Index::open(&dir, &key).map_err(search_error)?;
                }
                Err(e) => return Err(search_error(e)),
            }
        };
        self.search = Some(index);
        if !existed {
            self.rebuild_search_index()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Indexes every household written since the index last saw it (local edits, imports,
    /// synced changes). Cheap when nothing changed: one indexed read of the queue.
    pub fn refresh_search_index(&mut self) -> Result<IndexReport, ProfileError> {
        let dirty = self.store.meta_with_prefix(DIRTY_PREFIX)?;
        if dirty.is_empty() && self.search.is_some() {
            return Ok(IndexReport::default());
        }
        if self.ensure_index()? {
            return Ok(IndexReport {
                indexed: self.store.household_count()? as usize,
                rebuilt: true,
            });
        }
        // Marks written between the rebuild check and here are picked up now.
        let dirty = self.store.meta_with_prefix(DIRTY_PREFIX)?;
        if dirty.is_empty() {
            return Ok(IndexReport::default());
        }
        let mut present = Vec::new();
        let mut gone = Vec::new();
        for (key, _) in &dirty {
            let id = &key[DIRTY_PREFIX.len()..];
            match self.household_data(id) {
                Ok(data) => present.push(data),
                Err(ProfileError::UnknownHousehold(_)) => gone.push(id.to_string()),
                // A household that no longer loads is left out of search, not fatal to it.
                Err(ProfileError::Core(e)) => {
                    tracing::warn!(household = %id, error = %e, "household not indexed");
                    gone.push(id.to_string());
                }
                Err(e) => return Err(e),
            }
        }
        self.write_to_index(&present, &gone)?;
        let tx = self.store.write()?;
        for (key, value) in &dirty {
            tx.delete_meta_if(key, value)?;
        }
        tx.commit()?;
        Ok(IndexReport {
            indexed: present.len(),
            rebuilt: false,
        })
    }

    fn write_to_index(
        &self,
        households: &[HouseholdData],
        gone: &[String],
    ) -> Result<(), ProfileError> {
        let index = self
            .search
            .as_ref()
            .ok_or_else(|| ProfileError::Search("the search index is not open".into()))?;
        for id in gone {
            index.remove_household(id).map_err(search_error)?;
        }
        let text = |_: &str, d: &hearth_core::DocumentRef| self.document_text(&d.sha256);
        index
            .index_households_with_text(households, &text)
            .map_err(search_error)
    }

    /// Rebuilds the whole index from the store. Returns how many households it holds.
    pub fn rebuild_search_index(&mut self) -> Result<usize, ProfileError> {
        if self.search.is_none() {
            // Opening may itself rebuild; that is the rebuild asked for.
            if self.ensure_index()? {
                return Ok(self.store.household_count()? as usize);
            }
        }
        let marks = self.store.meta_with_prefix(DIRTY_PREFIX)?;
        let mut households = Vec::new();
        for row in self.store.list_households()? {
            match self.household_data(&row.id) {
                Ok(data) => households.push(data),
                Err(ProfileError::Core(e)) => {
                    tracing::warn!(household = %row.id, error = %e, "household not indexed");
                }
                Err(e) => return Err(e),
            }
        }
        let index = self
            .search
            .as_ref()
            .ok_or_else(|| ProfileError::Search("the search index is not open".into()))?;
        let text = |_: &str, d: &hearth_core::DocumentRef| self.document_text(&d.sha256);
        index
            .rebuild_with_text(&households, &text)
            .map_err(search_error)?;
        let tx = self.store.write()?;
        for (key, value) in &marks {
            tx.delete_meta_if(key, value)?;
        }
        tx.commit()?;
        Ok(households.len())
    }

    /// Searches households, notes, tasks, facts, transcripts and document text. Indexes
    /// whatever changed since the last search first, so results are never stale.
    pub fn search(&mut self, query: &Query) -> Result<Vec<Hit>, ProfileError> {
        self.refresh_search_index()?;
        let result = self
            .search
            .as_ref()
            .ok_or_else(|| ProfileError::Search("the search index is not open".into()))?
            .search(query);
        match result {
            Ok(hits) => Ok(hits),
            // Files are authenticated as they are read; a damaged one is found here. The
            // store is the source of truth: rebuild and answer from the new index.
            Err(e @ hearth_search::Error::Corrupt(_)) => {
                tracing::warn!(error = %e, "search index damaged; rebuilding it from the store");
                self.search = None;
                remove_index_dir(&self.index_dir())?;
                self.ensure_index()?;
                self.search
                    .as_ref()
                    .ok_or_else(|| ProfileError::Search("the search index is not open".into()))?
                    .search(query)
                    .map_err(search_error)
            }
            Err(e) => Err(search_error(e)),
        }
    }

    /// Decrypts and authenticates every file of the index (for `hearth check`).
    pub fn verify_search_index(&mut self) -> Result<(), ProfileError> {
        self.ensure_index()?;
        self.search
            .as_ref()
            .ok_or_else(|| ProfileError::Search("the search index is not open".into()))?
            .verify()
            .map_err(search_error)
    }

    /// Releases the index (and its writer lock) so another process can update it.
    pub fn close_search_index(&mut self) {
        self.search = None;
    }

    /// Households waiting to be indexed.
    pub fn search_backlog(&self) -> Result<usize, ProfileError> {
        Ok(self.store.meta_with_prefix(DIRTY_PREFIX)?.len())
    }
}

fn search_error(e: hearth_search::Error) -> ProfileError {
    ProfileError::Search(e.to_string())
}

fn remove_index_dir(dir: &std::path::Path) -> Result<(), ProfileError> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(ProfileError::Io {
            action: "removing the old search index",
            path: dir.to_path_buf(),
            source,
        }),
    }
}
