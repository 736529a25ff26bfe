//! Encrypted full-text search over household content.
//!
//! One tantivy document per searchable item (household, member, account, note, task, fact,
//! transcript, document; see [`household_items`]). The index lives in an
//! [`EncryptedDirectory`]: every file tantivy writes is sealed with AES-256-GCM in 64 KiB chunks
//! under a key from the advisor's profile, so no client data is ever on disk in plaintext.
//!
//! ```no_run
//! # fn demo(households: &[hearth_core::HouseholdData]) -> Result<(), hearth_search::Error> {
//! use hearth_search::{Index, Query, SearchKey};
//! let key = SearchKey::from_bytes([7u8; 32]); // from the profile
//! let index = Index::open(std::path::Path::new("/profile/search"), &key)?;
//! index.rebuild(households)?;
//! let hits = index.search(&Query::text("jonson rollover"))?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod crypto_dir;
mod items;
mod query;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use hearth_core::HouseholdData;
use tantivy::collector::TopDocs;
use tantivy::directory::error::OpenReadError;
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
    Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term, doc};

pub use crypto_dir::{CHUNK_SIZE, CryptoError, EncryptedDirectory, SearchKey};
pub use items::{DocumentText, ItemDoc, Kind, household_items, household_items_with_text};

const TEXT_TOKENIZER: &str = "hearth_text";
const LOWER_TOKENIZER: &str = "hearth_lower";
const KEY_CHECK_FILE: &str = "hearth-search.check";
const KEY_CHECK_CONTENT: &[u8] = b"hearth-search index v1";
const WRITER_MEMORY: usize = 64 * 1024 * 1024;
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 10_000;
const SNIPPET_CHARS: usize = 160;

/// Errors from the search index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The index on disk was encrypted with a different key.
    #[error("the search index at {0} was encrypted with a different key")]
    WrongKey(PathBuf),
    /// An index file is corrupt, truncated or was tampered with.
    #[error("the search index is corrupt: {0}")]
    Corrupt(String),
    /// Another process (or another `Index` in this one) holds the index for writing.
    #[error("the search index is in use by another process")]
    Locked,
    /// A kind name that is not one of the item kinds.
    #[error(
        "unknown item kind '{0}' (expected one of: household, member, account, note, task, fact, transcript, document)"
    )]
    InvalidKind(String),
    /// Filesystem error.
    #[error("search index I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Any other error from the search engine.
    #[error("search index error: {0}")]
    Index(String),
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        use tantivy::TantivyError as T;
        let io = match &e {
            T::OpenReadError(OpenReadError::IoError { io_error, .. }) => Some(io_error.clone()),
            T::IoError(io_error) => Some(io_error.clone()),
            _ => None,
        };
        if let Some(crypto) = io
            .as_deref()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<CryptoError>())
        {
            return match crypto {
                CryptoError::WrongKey { file } => Error::Corrupt(format!(
                    "file '{file}' was encrypted with a different key than the rest of the index"
                )),
                CryptoError::Corrupt { .. } => Error::Corrupt(crypto.to_string()),
            };
        }
        if let T::LockFailure(tantivy::directory::error::LockError::LockBusy, _) = &e {
            return Error::Locked;
        }
        if let T::DataCorruption(_) = &e {
            return Error::Corrupt(e.to_string());
        }
        Error::Index(e.to_string())
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A search request. Empty `text` lists items matching the filters, newest first.
///
/// Text syntax: words are AND-ed; each word matches exactly, with typos (edit distance 1 for
/// words of 4+ characters, 2 for 8+), and the last word also as a prefix ("joh" finds
/// Johnson). `"quoted words"` match as a phrase. Anything else (unbalanced quotes, operators)
/// is treated as plain text; the query never fails on syntax.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// What the advisor typed.
    pub text: String,
    /// Only items of this kind.
    pub kind: Option<Kind>,
    /// Only items of this household (its id).
    pub household: Option<String>,
    /// Only items dated at or after this time (ms since the epoch).
    pub from: Option<i64>,
    /// Only items dated at or before this time (ms since the epoch).
    pub to: Option<i64>,
    /// Only items written or owned by this advisor (case-insensitive exact name).
    pub advisor: Option<String>,
    /// Maximum number of hits; 0 means the default of 20.
    pub limit: usize,
}

impl Query {
    /// A query for `text` with no filters.
    pub fn text(text: impl Into<String>) -> Self {
        Query {
            text: text.into(),
            ..Query::default()
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// What the item is.
    pub kind: Kind,
    /// Its household.
    pub household_id: String,
    /// Its id within the household.
    pub item_id: String,
    /// Its title.
    pub title: String,
    /// Byte ranges of `title` that matched the query.
    pub title_highlights: Vec<Range<usize>>,
    /// A fragment of the item's text around the best match (plain text).
    pub snippet: String,
    /// Byte ranges of `snippet` that matched the query.
    pub highlights: Vec<Range<usize>>,
    /// `snippet`, HTML-escaped, with matches wrapped in `<b>…</b>`.
    pub snippet_html: String,
    /// Advisor of the item (empty when none).
    pub advisor: String,
    /// Date of the item, ms since the epoch.
    pub date: i64,
    /// Relevance (BM25 plus boosts; higher is better; 0 for text-less listings).
    pub score: f32,
}

#[derive(Clone, Copy)]
struct Fields {
    kind: Field,
    household_id: Field,
    item_id: Field,
    title: Field,
    body: Field,
    advisor: Field,
    date: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TEXT_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let lower = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(LOWER_TOKENIZER)
                .set_index_option(IndexRecordOption::Basic),
        )
        .set_stored();
    let fields = Fields {
        kind: b.add_text_field("kind", STRING | STORED),
        household_id: b.add_text_field("household_id", STRING | STORED),
        item_id: b.add_text_field("item_id", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        advisor: b.add_text_field("advisor", lower),
        date: b.add_i64_field("date", INDEXED | STORED | tantivy::schema::FAST),
    };
    (b.build(), fields)
}

fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn lower_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build()
}

/// The encrypted search index of one advisor profile.
pub struct Index {
    dir: EncryptedDirectory,
    index: tantivy::Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    analyzer: TextAnalyzer,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("dir", &self.dir.root())
            .finish_non_exhaustive()
    }
}

impl Index {
    /// Opens the index in `dir`, creating an empty one if the directory holds none.
    ///
    /// Fails with [`Error::WrongKey`] if the index was written with another key, and with
    /// [`Error::Corrupt`] if its files do not authenticate. Takes the writer lock; a second
    /// `Index` on the same directory fails with [`Error::Locked`].
    pub fn open(dir: &Path, key: &SearchKey) -> Result<Index> {
        let edir = EncryptedDirectory::open(dir, key)?;
        let check = Path::new(KEY_CHECK_FILE);
        let existing = dir.join("meta.json").exists();
        if dir.join(KEY_CHECK_FILE).exists() {
            match tantivy::directory::Directory::atomic_read(&edir, check) {
                Ok(content) if content == KEY_CHECK_CONTENT => {}
                Ok(_) => return Err(Error::Corrupt(format!("{KEY_CHECK_FILE} has bad content"))),
                Err(OpenReadError::IoError { io_error, .. }) => {
                    return Err(
                        match io_error
                            .get_ref()
                            .and_then(|e| e.downcast_ref::<CryptoError>())
                        {
                            Some(CryptoError::WrongKey { .. }) => {
                                Error::WrongKey(dir.to_path_buf())
                            }
                            Some(c) => Error::Corrupt(c.to_string()),
                            None => Error::Io(std::io::Error::new(
                                io_error.kind(),
                                io_error.to_string(),
                            )),
                        },
                    );
                }
                Err(e) => return Err(Error::Index(e.to_string())),
            }
        } else if existing {
            return Err(Error::Corrupt(format!("{KEY_CHECK_FILE} is missing")));
        } else {
            tantivy::directory::Directory::atomic_write(&edir, check, KEY_CHECK_CONTENT)?;
        }

        let (schema, fields) = schema();
        let index = if existing {
            tantivy::Index::open(edir.clone())?
        } else {
            tantivy::Index::create(edir.clone(), schema.clone(), Default::default())?
        };
        if index.schema() != schema {
            return Err(Error::Index(
                "the index on disk has a different layout; rebuild it".into(),
            ));
        }
        index.tokenizers().register(TEXT_TOKENIZER, text_analyzer());
        index
            .tokenizers()
            .register(LOWER_TOKENIZER, lower_analyzer());
        let writer: IndexWriter = index.writer(WRITER_MEMORY)?;
        // We hold the writer lock, so no atomic write is in flight: leftovers of one that
        // crashed (encrypted, but useless) can go.
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(".tmp-") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Index {
            dir: edir,
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            analyzer: text_analyzer(),
        })
    }

    fn lock_writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>> {
        self.writer
            .lock()
            .map_err(|_| Error::Index("index writer poisoned by an earlier panic".into()))
    }

    fn add_item(&self, writer: &IndexWriter, item: &ItemDoc) -> Result<()> {
        let f = &self.fields;
        writer.add_document(doc!(
            f.kind => item.kind.as_str(),
            f.household_id => item.household_id.as_str(),
            f.item_id => item.item_id.as_str(),
            f.title => item.title.as_str(),
            f.body => item.body.as_str(),
            f.advisor => item.advisor.as_str(),
            f.date => item.date,
        ))?;
        Ok(())
    }

    fn commit(&self, writer: &mut IndexWriter) -> Result<()> {
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Replaces everything indexed for this household with its current content and commits.
    pub fn index_household(&self, household: &HouseholdData) -> Result<()> {
        self.index_households(std::iter::once(household))
    }

    /// Replaces several households' content in one commit (cheaper than one call each).
    pub fn index_households<'a>(
        &self,
        households: impl IntoIterator<Item = &'a HouseholdData>,
    ) -> Result<()> {
        self.index_households_with_text(households, &|_, _| None)
    }

    /// Like [`Index::index_households`], with the extracted text of attached documents.
    pub fn index_households_with_text<'a>(
        &self,
        households: impl IntoIterator<Item = &'a HouseholdData>,
        document_text: DocumentText<'_>,
    ) -> Result<()> {
        let mut writer = self.lock_writer()?;
        let result = (|| {
            for h in households {
                writer.delete_term(Term::from_field_text(self.fields.household_id, &h.id));
                for item in household_items_with_text(h, document_text) {
                    self.add_item(&writer, &item)?;
                }
            }
            self.commit(&mut writer)
        })();
        if result.is_err() {
            let _ = writer.rollback();
        }
        result
    }

    /// Removes everything indexed for the household `id` and commits.
    pub fn remove_household(&self, id: &str) -> Result<()> {
        let mut writer = self.lock_writer()?;
        writer.delete_term(Term::from_field_text(self.fields.household_id, id));
        self.commit(&mut writer)
    }

    /// Replaces the whole index with these households, in one commit.
    pub fn rebuild<'a>(
        &self,
        households: impl IntoIterator<Item = &'a HouseholdData>,
    ) -> Result<()> {
        self.rebuild_with_text(households, &|_, _| None)
    }

    /// Like [`Index::rebuild`], with the extracted text of attached documents.
    pub fn rebuild_with_text<'a>(
        &self,
        households: impl IntoIterator<Item = &'a HouseholdData>,
        document_text: DocumentText<'_>,
    ) -> Result<()> {
        let mut writer = self.lock_writer()?;
        let result = (|| {
            writer.delete_all_documents()?;
            for h in households {
                for item in household_items_with_text(h, document_text) {
                    self.add_item(&writer, &item)?;
                }
            }
            self.commit(&mut writer)
        })();
        if result.is_err() {
            let _ = writer.rollback();
        }
        result
    }

    /// Number of indexed items.
    pub fn num_items(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Decrypts and authenticates every file of the index; reports the first bad one.
    pub fn verify(&self) -> Result<()> {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.root())?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
            .map(|e| e.file_name())
            .collect();
        names.sort();
        for name in names {
            let name = Path::new(&name);
            let s = name.to_string_lossy();
            if s.ends_with(".lock") || s.starts_with(".tmp-") {
                continue;
            }
            self.dir.verify_file(name).map_err(|e| {
                match e.get_ref().and_then(|i| i.downcast_ref::<CryptoError>()) {
                    Some(c) => Error::Corrupt(c.to_string()),
                    None => Error::Io(e),
                }
            })?;
        }
        Ok(())
    }

    /// Runs a search.
    pub fn search(&self, q: &Query) -> Result<Vec<Hit>> {
        let limit = match q.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let parsed = query::parse(&q.text, &mut self.analyzer.clone());
        let filters = self.filters(q);
        let searcher = self.reader.searcher();
        let scored: Vec<(f32, tantivy::DocAddress)> = if parsed.is_empty() {
            if !q.text.trim().is_empty() {
                // Only punctuation or overlong words: nothing can match.
                return Ok(Vec::new());
            }
            let all = query::with_filters(Box::new(tantivy::query::AllQuery), filters);
            searcher
                .search(
                    &*all,
                    &TopDocs::with_limit(limit).order_by_fast_field::<i64>("date", Order::Desc),
                )?
                .into_iter()
                .map(|(_, addr)| (0.0, addr))
                .collect()
        } else {
            let text_query = parsed.to_query(self.fields.title, self.fields.body);
            let full = query::with_filters(text_query, filters);
            searcher.search(&*full, &TopDocs::with_limit(limit).order_by_score())?
        };

        let mut hits = Vec::with_capacity(scored.len());
        for (score, addr) in scored {
            let d: TantivyDocument = searcher.doc(addr)?;
            let text = |field: Field| {
                d.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let kind: Kind = text(self.fields.kind).parse()?;
            let title = text(self.fields.title);
            let body = text(self.fields.body);
            let date = d
                .get_first(self.fields.date)
                .and_then(|v| v.as_i64())
                .unwrap_or_default();
            let mut analyzer = self.analyzer.clone();
            let snippet = parsed.snippet(&mut analyzer, self.fields.body, &body, SNIPPET_CHARS);
            let title_highlights = parsed.highlight_ranges(&mut analyzer, &title);
            hits.push(Hit {
                kind,
                household_id: text(self.fields.household_id),
                item_id: text(self.fields.item_id),
                title,
                title_highlights,
                snippet: snippet.text,
                highlights: snippet.highlights,
                snippet_html: snippet.html,
                advisor: text(self.fields.advisor),
                date,
                score,
            });
        }
        Ok(hits)
    }

    fn filters(&self, q: &Query) -> Vec<Box<dyn tantivy::query::Query>> {
        use std::ops::Bound;
        use tantivy::query::{RangeQuery, TermQuery};
        let f = &self.fields;
        let term = |field, value: &str| -> Box<dyn tantivy::query::Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        let mut filters = Vec::new();
        if let Some(kind) = q.kind {
            filters.push(term(f.kind, kind.as_str()));
        }
        if let Some(h) = &q.household {
            filters.push(term(f.household_id, h));
        }
        if let Some(a) = &q.advisor {
            filters.push(term(f.advisor, &a.trim().to_lowercase()));
        }
        if q.from.is_some() || q.to.is_some() {
            let bound = |v: Option<i64>| match v {
                Some(v) => Bound::Included(Term::from_field_i64(f.date, v)),
                None => Bound::Unbounded,
            };
            filters.push(Box::new(RangeQuery::new(bound(q.from), bound(q.to))));
        }
        filters
    }

    /// The tantivy index, for diagnostics.
    pub fn tantivy(&self) -> &tantivy::Index {
        &self.index
    }
}
