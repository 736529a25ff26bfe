//! An advisor's Hearth profile: the service layer the CLI and the desktop shell both call.
//!
//! A profile is a directory holding `profile.json` (format version, profile id, and where the
//! database key comes from — nothing secret) and `hearth.db` (SQLCipher). Every edit goes
//! through [`Profile::edit`]: inside one write transaction it loads the household, applies the
//! edit as one Automerge change, appends the change and commits durably. When `edit` returns
//! `Ok`, the edit is on disk.
#![forbid(unsafe_code)]

mod agenda;
mod audio;
mod crm_import;
mod documents;
mod export;
mod listing;
mod meetings;
mod policy;
mod search;

use std::path::{Path, PathBuf};

use automerge::ActorId;
use hearth_core::{
    Committed, CoreError, DocumentId, EditContext, HistoryEntry, Household, HouseholdData,
    HouseholdStatus,
};
use hearth_secrets::{DbKey, KeyDescriptor, SecretError};
use hearth_store::{COMPACT_AFTER, Encryption, Store, StoreError};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use agenda::{HouseholdAlert, start_of_day_ms};
pub use audio::{
    AUDIO_DIR, ConsentMode, NewRecording, RetentionPolicy, SYSTEM_AUDIO_SUFFIX, UnfinishedRecording,
};
pub use crm_import::{
    CrmFormat, FIELDS as CRM_FIELDS, ImportPlan, ImportedHousehold, PlannedHousehold,
    plan_crm_import, plan_crm_import_bytes,
};
pub use documents::{BLOBS_DIR, DocumentEntry, MAX_BYTES_SETTING, sha256_hex};
pub use export::{EXPORT_FORMAT, ImportReport};
pub use hearth_agenda::{Brief, Today};
pub use hearth_docs::{DocError, Limits as DocumentLimits};
pub use hearth_search::{Hit as SearchHit, Kind as SearchKind, Query as SearchQuery};
pub use meetings::{
    DEFAULT_DISCLOSURE_TEXT, DEFAULT_DISCLOSURE_VERSION, Filed, FoundMeeting, Revision,
    SuggestionEdit, meeting_vtt, parse_transcript,
};
pub use policy::PolicyApplied;
pub use search::{INDEX_DIR, IndexReport};

/// File name of the profile descriptor.
pub const DESCRIPTOR_FILE: &str = "profile.json";
/// File name of the profile database.
pub const DATABASE_FILE: &str = "hearth.db";
const DESCRIPTOR_FORMAT: u32 = 1;

/// Errors from profile operations, phrased for the advisor.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// No profile in the directory.
    #[error("no Hearth profile at {0}; create one with `hearth --profile {0} init --advisor NAME`")]
    NoProfile(PathBuf),
    /// A profile already exists.
    #[error("a Hearth profile already exists at {0}")]
    AlreadyExists(PathBuf),
    /// `profile.json` is unreadable.
    #[error("the profile descriptor {path} is damaged: {reason}")]
    BadDescriptor {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A household id that is not in this profile (or not a valid id).
    #[error("no household with id '{0}' in this profile; `hearth household list` shows the ids")]
    UnknownHousehold(String),
    /// A task owner who is not an advisor known to see the household.
    #[error("no advisor named '{name}' can see this household; known: {known}")]
    UnknownAdvisor {
        /// The name given.
        name: String,
        /// The advisors this desk knows can see it.
        known: String,
    },
    /// No meeting with this id in the profile.
    #[error(
        "no meeting with id '{0}' in this profile; `hearth meeting list HOUSEHOLD` shows the ids"
    )]
    UnknownMeeting(String),
    /// Recording or importing needs recorded consent.
    #[error(
        "consent is required: say who consented (--consent-by NAME[,NAME]); two-party-consent states need every participant"
    )]
    ConsentRequired,
    /// All-party consent is on and these participants have not consented.
    #[error(
        "every participant must consent (all-party consent is on); missing consent from: {}",
        .0.join(", ")
    )]
    ConsentIncomplete(Vec<String>),
    /// Accepting before analysing.
    #[error("meeting {0} has not been analysed yet; run `hearth meeting analyze {0}` first")]
    NotAnalysed(String),
    /// An item key that is not `action:N`, `fact:N`, `notes` or `all`, or out of range.
    #[error(
        "cannot accept '{0}': use action:N, fact:N, notes or all, with N from `hearth meeting analyze`"
    )]
    BadItem(String),
    /// A request that cannot be carried out as given; the message says what to give instead.
    #[error("{0}")]
    BadInput(String),
    /// The firm's policy forbids a setting or an action; the message names the policy.
    #[error("{0}")]
    Policy(String),
    /// The household model refused the edit.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The profile's key is in the OS keyring, which is not reachable now.
    #[error(
        "this profile keeps its database key in the OS keyring, which is not available ({0}); \
         unlock the keyring (sign in to your desktop session) and try again"
    )]
    KeyringLocked(String),
    /// Key custody failed.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An import file is unusable; nothing was imported.
    #[error("cannot import {path}: {reason}; nothing was imported")]
    BadImport {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The search index failed.
    #[error("search: {0}")]
    Search(String),
    /// A document was refused (type, size, damage); nothing was attached.
    #[error(transparent)]
    Document(#[from] hearth_docs::DocError),
    /// No document with this id in the household.
    #[error(
        "no document with id '{0}' in this household; `hearth doc list HOUSEHOLD` shows the ids"
    )]
    UnknownDocument(String),
    /// The document blob store failed.
    #[error("{0}")]
    BlobStore(String),
    /// File system error.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Where a new profile keeps its database key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStorage {
    /// The OS keyring if one answers, else a passphrase.
    Auto,
    /// The OS keyring, or fail.
    Keyring,
    /// A passphrase stretched with Argon2id.
    Passphrase,
}

/// Supplies the passphrase when one is needed (env var, prompt, UI dialog).
pub type PassphraseSource<'a> = &'a mut dyn FnMut() -> Result<Zeroizing<String>, SecretError>;

/// Options for [`Profile::init`].
pub struct InitOptions<'a> {
    /// The advisor who owns the profile.
    pub advisor: String,
    /// A label for this device, shown in history.
    pub device: String,
    /// Where to keep the key.
    pub key_storage: KeyStorage,
    /// Asked for a passphrase if the key is to be derived from one.
    pub passphrase: PassphraseSource<'a>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Descriptor {
    format: u32,
    profile_id: String,
    key: KeyDescriptor,
}

/// The listing row of a household: what the household list shows and sorts by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdSummary {
    /// Household id.
    pub id: String,
    /// Name.
    pub name: String,
    /// prospect, client or former_client.
    pub status: String,
    /// Service segment.
    pub segment: Option<String>,
    /// Last local write, ms since the epoch.
    pub updated_at: i64,
    /// Archived: kept, read-only, out of lists and Today.
    pub archived: bool,
    /// Sum of the open accounts' AUM, exact decimal text.
    pub aum_total: Option<String>,
    /// When the last meeting was held, ms since the epoch.
    pub last_contact: Option<i64>,
    /// The next annual review or scheduled meeting, YYYY-MM-DD.
    pub next_review: Option<String>,
    /// Number of open loops.
    pub open_loops: i64,
    /// Fields two advisors set at the same time, waiting for someone to pick a value.
    pub conflicts: i64,
}

/// Who this profile is: shown in history and stamped on every change.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProfileInfo {
    /// Profile id.
    pub profile_id: String,
    /// Advisor name.
    pub advisor: String,
    /// Device label.
    pub device: String,
    /// Automerge actor id (hex) this device writes with.
    pub actor: String,
    /// "keyring" or "passphrase".
    pub key_source: String,
    /// Database schema version.
    pub schema_version: i64,
    /// Number of households.
    pub households: i64,
}

/// An open profile.
pub struct Profile {
    dir: PathBuf,
    store: Store,
    profile_id: String,
    key_source: &'static str,
    actor: ActorId,
    advisor: String,
    device: String,
    /// The search index, opened on first use (it holds a writer lock while open).
    search: Option<hearth_search::Index>,
}

impl Profile {
    /// Creates a profile in `dir` (created if missing; must not hold a profile already).
    pub fn init(dir: &Path, options: InitOptions<'_>) -> Result<Self, ProfileError> {
        let descriptor_path = dir.join(DESCRIPTOR_FILE);
        if descriptor_path.exists() || dir.join(DATABASE_FILE).exists() {
            return Err(ProfileError::AlreadyExists(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir).map_err(|source| ProfileError::Io {
            action: "creating",
            path: dir.to_path_buf(),
            source,
        })?;
        let profile_id = DocumentId::random().to_string();
        let account = format!("profile-{profile_id}");
        let (key, descriptor) = match options.key_storage {
            KeyStorage::Keyring => hearth_secrets::new_keyring_key(&account)?,
            KeyStorage::Passphrase => hearth_secrets::new_passphrase_key(&(options.passphrase)()?)?,
            KeyStorage::Auto => match hearth_secrets::new_keyring_key(&account) {
                Ok(found) => found,
                Err(SecretError::KeyringUnavailable(why)) => {
                    tracing::info!(%why, "no OS keyring; protecting the profile with a passphrase");
                    // The passphrase source tells the user how to give one if it cannot ask.
                    hearth_secrets::new_passphrase_key(&(options.passphrase)()?)?
                }
                Err(e) => return Err(e.into()),
            },
        };
        let store = create_store(
            &dir.join(DATABASE_FILE),
            Encryption::Key(&key),
            &profile_id,
            &options,
        )?;
        let descriptor = Descriptor {
            format: DESCRIPTOR_FORMAT,
            profile_id,
            key: descriptor,
        };
        write_atomically(
            &descriptor_path,
            serde_json::to_vec_pretty(&descriptor)
                .map_err(|e| bad_descriptor(&descriptor_path, e))?
                .as_slice(),
        )?;
        Self::from_store(dir, store, descriptor)
    }

    /// A profile whose database is **not** encrypted, for measuring SQLCipher's overhead
    /// against the same code path. No descriptor is written, so [`Profile::open`] cannot
    /// open it; the app never creates one.
    #[doc(hidden)]
    pub fn init_unencrypted_for_benchmark(
        dir: &Path,
        options: InitOptions<'_>,
    ) -> Result<Self, ProfileError> {
        std::fs::create_dir_all(dir).map_err(|source| ProfileError::Io {
            action: "creating",
            path: dir.to_path_buf(),
            source,
        })?;
        let profile_id = DocumentId::random().to_string();
        let store = create_store(
            &dir.join(DATABASE_FILE),
            Encryption::Plaintext,
            &profile_id,
            &options,
        )?;
        let descriptor = Descriptor {
            format: DESCRIPTOR_FORMAT,
            profile_id,
            key: KeyDescriptor::Keyring {
                account: "unencrypted-benchmark".to_string(),
            },
        };
        Self::from_store(dir, store, descriptor)
    }

    /// Opens the profile in `dir`; `passphrase` is asked only for passphrase profiles.
    pub fn open(dir: &Path, passphrase: PassphraseSource<'_>) -> Result<Self, ProfileError> {
        let descriptor_path = dir.join(DESCRIPTOR_FILE);
        let text = match std::fs::read(&descriptor_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ProfileError::NoProfile(dir.to_path_buf()));
            }
            Err(source) => {
                return Err(ProfileError::Io {
                    action: "reading",
                    path: descriptor_path,
                    source,
                });
            }
        };
        let descriptor: Descriptor =
            serde_json::from_slice(&text).map_err(|e| bad_descriptor(&descriptor_path, e))?;
        if descriptor.format != DESCRIPTOR_FORMAT {
            return Err(bad_descriptor(
                &descriptor_path,
                format!("format {} is not one this Hearth reads", descriptor.format),
            ));
        }
        let key: DbKey = descriptor.key.unlock(passphrase).map_err(|e| match e {
            SecretError::KeyringUnavailable(why) => ProfileError::KeyringLocked(why),
            other => other.into(),
        })?;
        let store = Store::open(&dir.join(DATABASE_FILE), Encryption::Key(&key))?;
        Self::from_store(dir, store, descriptor)
    }

    fn from_store(dir: &Path, store: Store, descriptor: Descriptor) -> Result<Self, ProfileError> {
        let meta = |key: &str| -> Result<String, ProfileError> {
            store.meta(key)?.ok_or_else(|| {
                bad_descriptor(
                    &dir.join(DATABASE_FILE),
                    format!("profile metadata '{key}' is missing"),
                )
            })
        };
        let actor_hex = meta("actor")?;
        let actor = hex::decode(&actor_hex)
            .map(ActorId::from)
            .map_err(|e| bad_descriptor(&dir.join(DATABASE_FILE), e))?;
        let mut profile = Self {
            dir: dir.to_path_buf(),
            advisor: meta("advisor")?,
            device: meta("device")?,
            key_source: match descriptor.key {
                KeyDescriptor::Keyring { .. } => "keyring",
                KeyDescriptor::Passphrase(_) => "passphrase",
            },
            profile_id: descriptor.profile_id,
            actor,
            store,
            search: None,
        };
        profile.refresh_stale_listings()?;
        Ok(profile)
    }

    /// The profile directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The advisor who owns the profile.
    pub fn advisor(&self) -> &str {
        &self.advisor
    }

    /// Who this profile is.
    pub fn info(&self) -> Result<ProfileInfo, ProfileError> {
        Ok(ProfileInfo {
            profile_id: self.profile_id.clone(),
            advisor: self.advisor.clone(),
            device: self.device.clone(),
            actor: self.actor.to_hex_string(),
            key_source: self.key_source.to_string(),
            schema_version: self.store.schema_version()?,
            households: self.store.household_count()?,
        })
    }

    /// The store, for integrity checks and tools.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The edit context for an edit made now on this device.
    pub fn context(&self) -> EditContext {
        EditContext {
            advisor: self.advisor.clone(),
            device: self.device.clone(),
            now_ms: chrono::Utc::now().timestamp_millis(),
            utc_offset_secs: chrono::Local::now().offset().local_minus_utc(),
        }
    }

    /// Creates a household; durable when this returns.
    pub fn create_household(
        &mut self,
        name: &str,
        status: HouseholdStatus,
    ) -> Result<DocumentId, ProfileError> {
        let id = DocumentId::random();
        let ctx = self.context();
        let mut created = Household::create(id, name, status, self.actor.clone(), &ctx)?.value;
        let (row, listing) = listing::listing_of(&created, id, ctx.now_ms)?;
        let tx = self.store.write()?;
        tx.put_snapshot(&row, &created.save())?;
        tx.put_listing(&row, &listing)?;
        search::mark_dirty(&tx, &row.id)?;
        tx.commit()?;
        Ok(id)
    }

    /// Every household, by name, archived ones included (see [`HouseholdSummary::archived`]).
    pub fn list_households(&self) -> Result<Vec<HouseholdSummary>, ProfileError> {
        let today = self.local_today();
        let next_meetings = self.next_reviews(today)?;
        Ok(self
            .store
            .listings()?
            .into_iter()
            .map(|r| {
                let next_review = agenda::next_review(
                    r.review_month,
                    r.last_contact,
                    next_meetings.get(&r.household.id).copied(),
                    today,
                );
                HouseholdSummary {
                    id: r.household.id,
                    name: r.household.name,
                    status: r.household.status,
                    segment: r.household.segment,
                    updated_at: r.household.updated_at,
                    archived: r.archived,
                    aum_total: r.aum_total,
                    last_contact: r.last_contact,
                    next_review,
                    open_loops: r.open_loops,
                    conflicts: r.conflicts,
                }
            })
            .collect())
    }

    /// Loads one household. Unknown and malformed ids are the same error.
    pub fn household(&self, id: &str) -> Result<Household, ProfileError> {
        let doc_id = parse_id(id)?;
        let stored = self
            .store
            .load(&doc_id.to_string())?
            .ok_or_else(|| ProfileError::UnknownHousehold(id.to_string()))?;
        Ok(Household::load_stored(
            &stored.snapshot,
            &stored.changes,
            self.actor.clone(),
        )?)
    }

    /// The typed view of one household.
    pub fn household_data(&self, id: &str) -> Result<HouseholdData, ProfileError> {
        Ok(self.household(id)?.data()?)
    }

    /// Who changed what and when in one household.
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>, ProfileError> {
        Ok(self.household(id)?.history()?)
    }

    /// A profile setting (relay enrollment, preferences), stored in the encrypted database.
    pub fn setting(&self, key: &str) -> Result<Option<String>, ProfileError> {
        Ok(self.store.meta(&format!("setting.{key}"))?)
    }

    /// Stores a profile setting durably.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), ProfileError> {
        let tx = self.store.write()?;
        tx.set_meta(&format!("setting.{key}"), value)?;
        tx.commit()?;
        Ok(())
    }

    /// The profile's id (stable; used as the automerge-repo storage id when syncing).
    pub fn profile_id(&self) -> &str {
        &self.profile_id
    }

    /// Merges a household document that arrived through sync into the profile, durably.
    /// A household that is new here is added. The document must be a valid household whose
    /// id matches `id`.
    pub fn merge_synced(&mut self, id: DocumentId, document: &[u8]) -> Result<(), ProfileError> {
        let incoming = Household::load(document, &[], self.actor.clone())?;
        let inner = incoming.id()?;
        if inner != id {
            return Err(
                CoreError::Corrupt(format!("document {id} says it is household {inner}")).into(),
            );
        }
        let tx = self.store.write()?;
        merge_in(&tx, &self.actor, &self.advisor, id, incoming)?;
        tx.commit()?;
        Ok(())
    }

    /// Applies one edit to a household and makes it durable. Load, edit and append run in one
    /// write transaction, so concurrent writers (another `hearth` process, sync) serialise.
    pub fn edit<T>(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut Household, &EditContext) -> Result<Committed<T>, CoreError>,
    ) -> Result<T, ProfileError> {
        let doc_id = parse_id(id)?;
        let key = doc_id.to_string();
        let ctx = self.context();
        let tx = self.store.write()?;
        let stored = tx
            .load(&key)?
            .ok_or_else(|| ProfileError::UnknownHousehold(id.to_string()))?;
        let mut household =
            Household::load_stored(&stored.snapshot, &stored.changes, self.actor.clone())?;
        let committed = edit(&mut household, &ctx)?;
        if let Some(change) = &committed.change {
            let (row, listing) = listing::listing_of(&household, doc_id, ctx.now_ms)?;
            let pending = tx.append_change(&row, change)?;
            if pending >= COMPACT_AFTER {
                tx.put_snapshot(&row, &household.save())?;
            }
            tx.put_listing(&row, &listing)?;
            search::mark_dirty(&tx, &key)?;
            tx.commit()?;
        }
        Ok(committed.value)
    }
}

fn create_store(
    path: &Path,
    encryption: Encryption<'_>,
    profile_id: &str,
    options: &InitOptions<'_>,
) -> Result<Store, ProfileError> {
    let mut store = Store::create(path, encryption)?;
    let tx = store.write()?;
    tx.set_meta("profile_id", profile_id)?;
    tx.set_meta("advisor", options.advisor.trim())?;
    tx.set_meta("device", options.device.trim())?;
    tx.set_meta("actor", &ActorId::random().to_hex_string())?;
    tx.commit()?;
    Ok(store)
}

/// Stores a whole household document that came from elsewhere (import, sync), merging it
/// with any local copy, and records which of its changes were colleagues' and new here.
/// Runs inside the caller's transaction.
fn merge_in(
    tx: &hearth_store::WriteTx<'_>,
    actor: &ActorId,
    advisor: &str,
    id: DocumentId,
    mut incoming: Household,
) -> Result<(), ProfileError> {
    let key = id.to_string();
    let (mut merged, arrived) = match tx.load(&key)? {
        Some(stored) => {
            let mut local =
                Household::load_stored(&stored.snapshot, &stored.changes, actor.clone())?;
            let arrived = local.merge(&mut incoming)?;
            (local, arrived)
        }
        None => {
            let arrived = incoming.all_changes();
            (incoming, arrived)
        }
    };
    let (row, listing) = listing::listing_of(&merged, id, chrono::Utc::now().timestamp_millis())?;
    tx.put_snapshot(&row, &merged.save())?;
    tx.put_listing(&row, &listing)?;
    listing::record_arrivals(tx, &mut merged, id, &arrived, advisor, actor)?;
    search::mark_dirty(tx, &key)?;
    Ok(())
}

impl Profile {
    /// Rebuilds the listing rows that older rules built (or none did), in one transaction:
    /// run when a profile opens, so upgrading Hearth never leaves Today half built.
    fn refresh_stale_listings(&mut self) -> Result<(), ProfileError> {
        let stale = self.store.stale_listings(listing::LISTING_VERSION)?;
        if stale.is_empty() {
            return Ok(());
        }
        tracing::info!(households = stale.len(), "building listing rows");
        let tx = self.store.write()?;
        for key in stale {
            let Some(stored) = tx.load(&key)? else {
                continue;
            };
            let id = parse_id(&key)?;
            let household =
                Household::load_stored(&stored.snapshot, &stored.changes, self.actor.clone())?;
            listing::refresh(&tx, &household, id)?;
        }
        tx.commit()?;
        Ok(())
    }
}

fn parse_id(id: &str) -> Result<DocumentId, ProfileError> {
    id.parse()
        .map_err(|_| ProfileError::UnknownHousehold(id.to_string()))
}

fn bad_descriptor(path: &Path, reason: impl ToString) -> ProfileError {
    ProfileError::BadDescriptor {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Writes a small file so that a crash leaves either the old or the new content.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ProfileError> {
    use std::io::Write;
    let io = |action, source| ProfileError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp).map_err(|e| io("creating", e))?;
    file.write_all(bytes).map_err(|e| io("writing", e))?;
    file.sync_all().map_err(|e| io("syncing", e))?;
    std::fs::rename(&tmp, path).map_err(|e| io("renaming", e))?;
    Ok(())
}
