//! The examiner's export bundle (a directory) and its stand-alone verifier.
//!
//! ```text
//! README.txt          what the files are and how to verify them
//! manifest.json       format, firm, date range, sizes, and the SHA-256 of every file below
//! manifest.sig        the firm's Ed25519 signature over manifest.json (hex)
//! public_key.txt      the firm's Ed25519 public key (hex)
//! entries.jsonl       the exported entries, raw: {"seq": N, "entry": "<base64 canonical bytes>"}
//! leaves.txt          the leaf hash of every entry 0..tree_size (hex, one per line; line N = seq N)
//! tree_heads.jsonl    signed tree heads, oldest first: {"size","time","root","signature"}
//! proofs.jsonl        consistency proofs between consecutive heads, and inclusion proofs of
//!                     each household's first and last exported entry in the last head
//! households/ID.json  per household: every change as readable JSON and the rebuilt state
//! admin_actions.json  retention and legal-hold actions, review decisions and complaint
//!                     records, policy versions in the range
//! ```
//!
//! [`verify`] checks, in order: the public key against the examiner's pin (when given), every
//! tree head's signature, every exported entry against its leaf hash, every tree head's root
//! against the leaves (the tree is built once, O(n)), every proof, that every readable change
//! is the change its entry names, and last the manifest's signature and that every file (all
//! but README.txt) is byte for byte the one the manifest lists. It stops at the first failure
//! and names it ("entry 17: leaf hash does not match").
//!
//! Without a pinned key a bundle can only prove it is internally consistent: anyone can
//! rewrite a history and sign it with a key of their own. The firm publishes its key's
//! [`fingerprint`](crate::head::fingerprint) (console, `hearth-relay archive head`), and the
//! examiner verifies with it.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::entry::Entry;
use crate::head::{SignedTreeHead, hex_hash};
use crate::merkle::{Hash, Tree, leaf_hash, verify_consistency, verify_inclusion};

/// The format name written to the manifest.
pub const FORMAT: &str = "hearth-archive-bundle/2";

/// What the manifest says about a bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// Firm id (bound into every tree head signature).
    pub firm: String,
    /// Start of the exported range (as given).
    pub from: String,
    /// End of the exported range (as given).
    pub to: String,
    /// When the bundle was written, ms since the epoch.
    pub created_at: i64,
    /// Entries in `entries.jsonl`.
    pub entry_count: u64,
    /// Size of the last tree head (lines in `leaves.txt`).
    pub tree_size: u64,
    /// Every file of the bundle but README.txt, manifest.json and manifest.sig: path → SHA-256
    /// (hex). Filled in by [`Bundle::write`].
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

/// A proof in `proofs.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Proof {
    /// Tree head `old_head` is a prefix of tree head `new_head` (indexes into the heads).
    Consistency {
        /// Index of the older head.
        old_head: usize,
        /// Index of the newer head.
        new_head: usize,
        /// The proof's hashes (hex).
        hashes: Vec<String>,
    },
    /// Entry `seq` is in tree head `head`.
    Inclusion {
        /// The entry.
        seq: u64,
        /// Index of the head.
        head: usize,
        /// The audit path (hex).
        hashes: Vec<String>,
    },
}

/// Everything a bundle holds, in memory.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The manifest.
    pub manifest: Manifest,
    /// The firm's Ed25519 public key.
    pub public_key: Vec<u8>,
    /// Exported entries, in log order.
    pub entries: Vec<Entry>,
    /// Leaf hashes of the whole log up to the last head.
    pub leaves: Vec<Hash>,
    /// Signed tree heads, oldest first.
    pub heads: Vec<SignedTreeHead>,
    /// Proofs.
    pub proofs: Vec<Proof>,
    /// Readable records: household id → JSON.
    pub households: BTreeMap<String, Value>,
    /// Administrative actions in the range (readable).
    pub admin_actions: Value,
}

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file system refused.
    #[error("writing {path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// An entry could not be encoded.
    #[error("entry {0}: {1}")]
    Encode(u64, crate::entry::EncodeError),
    /// A proof could not be made (the heads and leaves disagree).
    #[error("{0}")]
    Proof(String),
}

impl Bundle {
    /// Adds the proofs: consistency between consecutive heads, and inclusion of each
    /// household's first and last exported entry (and every admin action) in the last head.
    pub fn add_proofs(&mut self, tree: &Tree) -> Result<(), WriteError> {
        let proof_err = |e: crate::merkle::ProofError| WriteError::Proof(e.to_string());
        let hexes = |v: Vec<Hash>| v.iter().map(hex::encode).collect::<Vec<_>>();
        for i in 1..self.heads.len() {
            let (old, new) = (self.heads[i - 1].head.size, self.heads[i].head.size);
            self.proofs.push(Proof::Consistency {
                old_head: i - 1,
                new_head: i,
                hashes: hexes(tree.consistency_proof(old, new).map_err(proof_err)?),
            });
        }
        let Some(last) = self.heads.len().checked_sub(1) else {
            return Ok(());
        };
        let size = self.heads[last].head.size;
        let mut anchors: BTreeMap<u64, ()> = BTreeMap::new();
        let mut seen: HashMap<&str, (u64, u64)> = HashMap::new();
        for e in &self.entries {
            if e.document.is_empty() {
                anchors.insert(e.seq, ());
                continue;
            }
            seen.entry(e.document.as_str())
                .and_modify(|r| r.1 = e.seq)
                .or_insert((e.seq, e.seq));
        }
        for (first, last_seq) in seen.values() {
            anchors.insert(*first, ());
            anchors.insert(*last_seq, ());
        }
        for seq in anchors.keys() {
            self.proofs.push(Proof::Inclusion {
                seq: *seq,
                head: last,
                hashes: hexes(tree.inclusion_proof(*seq, size).map_err(proof_err)?),
            });
        }
        Ok(())
    }

    /// Writes the bundle into `dir` (created; must be empty or absent), signing its manifest
    /// (which lists every file's SHA-256) with the firm's key.
    pub fn write(&self, dir: &Path, signer: &crate::ArchiveSigner) -> Result<(), WriteError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| WriteError::Io {
                path: path.clone(),
                source,
            }
        };
        std::fs::create_dir_all(dir.join("households")).map_err(io(dir))?;
        let mut files: BTreeMap<String, String> = BTreeMap::new();
        let mut put = |name: &str, text: String| -> Result<(), WriteError> {
            let path = dir.join(name);
            std::fs::write(&path, &text).map_err(io(&path))?;
            files.insert(name.to_string(), sha256_hex(text.as_bytes()));
            Ok(())
        };
        put("public_key.txt", hex::encode(&self.public_key) + "\n")?;
        let mut text = String::new();
        for e in &self.entries {
            let bytes = e.encode().map_err(|err| WriteError::Encode(e.seq, err))?;
            let _ = writeln!(
                text,
                "{{\"seq\":{},\"entry\":\"{}\"}}",
                e.seq,
                B64.encode(bytes)
            );
        }
        put("entries.jsonl", text)?;
        let mut text = String::with_capacity(self.leaves.len() * 65);
        for l in &self.leaves {
            text.push_str(&hex::encode(l));
            text.push('\n');
        }
        put("leaves.txt", text)?;
        put("tree_heads.jsonl", jsonl(&self.heads))?;
        put("proofs.jsonl", jsonl(&self.proofs))?;
        for (household, record) in &self.households {
            put(
                &format!("households/{household}.json"),
                pretty(record) + "\n",
            )?;
        }
        put("admin_actions.json", pretty(&self.admin_actions) + "\n")?;
        let manifest = Manifest {
            files,
            ..self.manifest.clone()
        };
        let manifest_text = pretty(&manifest) + "\n";
        let signature = signer
            .sign_manifest(&manifest.firm, manifest_text.as_bytes())
            .map_err(|e| WriteError::Proof(format!("signing the manifest: {e}")))?;
        let write = |name: &str, text: String| -> Result<(), WriteError> {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(io(&path))
        };
        write("manifest.json", manifest_text)?;
        write("manifest.sig", hex::encode(signature) + "\n")?;
        write("README.txt", README.to_string())?;
        Ok(())
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

fn pretty<T: Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn jsonl<T: Serialize>(items: &[T]) -> String {
    let mut out = String::new();
    for item in items {
        out.push_str(&serde_json::to_string(item).unwrap_or_default());
        out.push('\n');
    }
    out
}

const README: &str = "\
Hearth compliance archive export
================================

households/ID.json  every change to the household in the exported range, with who made it
                    and when, and the household as it stood after the last of them.
admin_actions.json  retention and legal-hold actions, compliance review decisions and
                    complaint records, and firm policy versions in the range.

Everything below lets anyone check, without the relay or its database, that these records
are exactly what the firm's append-only log holds:

entries.jsonl       the raw log entries (base64 of the canonical bytes; the change itself is
                    sealed with the firm's key, its Automerge hash is in the clear)
leaves.txt          SHA-256(0x00 || entry) for every entry of the log (RFC 6962 leaves)
tree_heads.jsonl    tree heads (size, time, Merkle root) signed with the firm's Ed25519 key
proofs.jsonl        RFC 9162 consistency proofs between the heads; inclusion proofs
public_key.txt      the firm's Ed25519 public key
manifest.json       what the bundle holds, with the SHA-256 of every file above
manifest.sig        the firm's signature over manifest.json

Verify with the firm's published key fingerprint (the firm's console, Archive page, or
`hearth-relay archive head`); without it the check proves only that the bundle agrees with
itself, not that it is the firm's:

    hearth-relay archive verify THIS_DIRECTORY --fingerprint FINGERPRINT
";

/// What a successful verification checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Firm.
    pub firm: String,
    /// Entries checked against their leaf hashes.
    pub entries: u64,
    /// Size of the last tree head.
    pub tree_size: u64,
    /// Tree heads whose signature and root verified.
    pub tree_heads: u64,
    /// Proofs verified.
    pub proofs: u64,
    /// Readable changes matched to their entries.
    pub readable_changes: u64,
    /// The last head (what the bundle proves).
    pub last_head: Option<SignedTreeHead>,
    /// Fingerprint of the key the bundle is signed with ([`crate::head::fingerprint`]).
    pub key_fingerprint: String,
    /// Whether that key was checked against the examiner's pin; `false` means the bundle was
    /// only checked for internal consistency.
    pub key_pinned: bool,
    /// Files checked against the signed manifest.
    pub files: u64,
}

/// The firm key an examiner expects, from the firm's publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPin {
    /// The 32-byte Ed25519 public key.
    PublicKey(Vec<u8>),
    /// Its fingerprint (SHA-256, hex; colons and spaces ignored, any case).
    Fingerprint(String),
}

impl KeyPin {
    /// Whether `public_key` is the pinned key.
    pub fn matches(&self, public_key: &[u8]) -> bool {
        match self {
            KeyPin::PublicKey(key) => key == public_key,
            KeyPin::Fingerprint(fp) => {
                let wanted: String = fp
                    .chars()
                    .filter(|c| c.is_ascii_hexdigit())
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                wanted == crate::head::fingerprint(public_key)
            }
        }
    }
}

/// The first thing in a bundle that does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VerifyError(pub String);

fn fail<T>(msg: impl Into<String>) -> Result<T, VerifyError> {
    Err(VerifyError(msg.into()))
}

fn read(dir: &Path, name: &str) -> Result<String, VerifyError> {
    std::fs::read_to_string(dir.join(name))
        .map_err(|e| VerifyError(format!("{name}: cannot be read: {e}")))
}

#[derive(Deserialize)]
struct EntryLine {
    seq: u64,
    entry: String,
}

/// Verifies the bundle in `dir`; the error names the first thing that does not verify.
/// With `pin`, the bundle must be signed with the pinned firm key.
pub fn verify(dir: &Path, pin: Option<&KeyPin>) -> Result<Report, VerifyError> {
    let manifest_text = read(dir, "manifest.json")?;
    let manifest: Manifest = serde_json::from_str(&manifest_text)
        .map_err(|e| VerifyError(format!("manifest.json: not a bundle manifest: {e}")))?;
    if manifest.format != FORMAT {
        return fail(format!(
            "manifest.json: unknown format '{}' (this verifier reads {FORMAT}; export the bundle again with this relay)",
            manifest.format
        ));
    }
    let firm = manifest.firm.as_str();
    let public_key = hex::decode(read(dir, "public_key.txt")?.trim())
        .ok()
        .filter(|k| k.len() == 32)
        .ok_or_else(|| VerifyError("public key: not a 32-byte Ed25519 key in hex".into()))?;
    let key_fingerprint = crate::head::fingerprint(&public_key);
    if let Some(pin) = pin
        && !pin.matches(&public_key)
    {
        return fail(format!(
            "public_key.txt: the bundle is signed with key {key_fingerprint}, not the firm's pinned key; \
             this export does not come from the firm's archive (or the pin is wrong)"
        ));
    }

    // Tree heads: each signature, and sizes and times never going backwards.
    let mut heads: Vec<SignedTreeHead> = Vec::new();
    for (i, line) in read(dir, "tree_heads.jsonl")?.lines().enumerate() {
        let sth: SignedTreeHead = serde_json::from_str(line)
            .map_err(|e| VerifyError(format!("tree head {i}: unreadable: {e}")))?;
        if sth.verify(firm, &public_key).is_err() {
            return fail(format!("tree head {i}: bad signature"));
        }
        if let Some(prev) = heads.last()
            && (sth.head.size < prev.head.size || sth.head.time < prev.head.time)
        {
            return fail(format!(
                "tree head {i}: goes backwards from tree head {}",
                i - 1
            ));
        }
        heads.push(sth);
    }
    let Some(last) = heads.last().cloned() else {
        return fail("tree_heads.jsonl: the bundle has no tree head");
    };

    // Leaves.
    let mut leaves: Vec<Hash> = Vec::with_capacity(last.head.size as usize);
    for (i, line) in read(dir, "leaves.txt")?.lines().enumerate() {
        leaves.push(
            hex_hash::parse(line.trim()).map_err(|e| VerifyError(format!("leaf hash {i}: {e}")))?,
        );
    }
    if leaves.len() as u64 != last.head.size {
        return fail(format!(
            "leaves.txt: {} leaf hashes, but the last tree head has size {}",
            leaves.len(),
            last.head.size
        ));
    }

    // Entries: decode, belong to this firm, in order, and hash to their leaf.
    let mut entries: BTreeMap<u64, Entry> = BTreeMap::new();
    for (i, line) in read(dir, "entries.jsonl")?.lines().enumerate() {
        let parsed: EntryLine = serde_json::from_str(line)
            .map_err(|e| VerifyError(format!("entries.jsonl line {}: unreadable: {e}", i + 1)))?;
        let seq = parsed.seq;
        let bytes = B64
            .decode(parsed.entry.as_bytes())
            .map_err(|e| VerifyError(format!("entry {seq}: not base64: {e}")))?;
        let entry = Entry::decode(&bytes)
            .map_err(|e| VerifyError(format!("entry {seq}: malformed: {e}")))?;
        if entry.seq != seq {
            return fail(format!(
                "entry {seq}: its bytes say it is entry {}",
                entry.seq
            ));
        }
        if entry.firm != firm {
            return fail(format!("entry {seq}: belongs to another firm"));
        }
        let Some(expected) = leaves.get(seq as usize) else {
            return fail(format!(
                "entry {seq}: beyond the last tree head (size {})",
                last.head.size
            ));
        };
        if leaf_hash(&bytes) != *expected {
            return fail(format!("entry {seq}: leaf hash does not match"));
        }
        if entries
            .last_key_value()
            .is_some_and(|(prev, _)| *prev >= seq)
        {
            return fail(format!("entry {seq}: out of order"));
        }
        entries.insert(seq, entry);
    }
    if entries.len() as u64 != manifest.entry_count {
        return fail(format!(
            "manifest.json: says {} entries, entries.jsonl has {}",
            manifest.entry_count,
            entries.len()
        ));
    }

    // Roots: the tree is built once; every head's root must match its prefix.
    let tree = Tree::new(leaves);
    for (i, sth) in heads.iter().enumerate() {
        let root = tree
            .root(sth.head.size)
            .map_err(|e| VerifyError(format!("tree head {i}: {e}")))?;
        if root != sth.head.root {
            return fail(format!(
                "tree head {i}: root does not match the leaf hashes"
            ));
        }
    }

    // Proofs, checked with the RFC 9162 algorithms (independently of the tree above).
    let mut proofs = 0u64;
    for (i, line) in read(dir, "proofs.jsonl")?.lines().enumerate() {
        let proof: Proof = serde_json::from_str(line)
            .map_err(|e| VerifyError(format!("proof {i}: unreadable: {e}")))?;
        match proof {
            Proof::Consistency {
                old_head,
                new_head,
                hashes,
            } => {
                let name =
                    format!("consistency proof between tree heads {old_head} and {new_head}");
                let (Some(old), Some(new)) = (heads.get(old_head), heads.get(new_head)) else {
                    return fail(format!("{name}: no such tree head"));
                };
                let path =
                    parse_hashes(&hashes).map_err(|e| VerifyError(format!("{name}: {e}")))?;
                verify_consistency(
                    old.head.size,
                    new.head.size,
                    &old.head.root,
                    &new.head.root,
                    &path,
                )
                .map_err(|e| VerifyError(format!("{name}: {e}")))?;
            }
            Proof::Inclusion { seq, head, hashes } => {
                let name = format!("inclusion proof for entry {seq}");
                let Some(sth) = heads.get(head) else {
                    return fail(format!("{name}: no tree head {head}"));
                };
                let Some(entry) = entries.get(&seq) else {
                    return fail(format!("{name}: the entry is not in the bundle"));
                };
                let leaf = entry
                    .leaf_hash()
                    .map_err(|e| VerifyError(format!("{name}: {e}")))?;
                let path =
                    parse_hashes(&hashes).map_err(|e| VerifyError(format!("{name}: {e}")))?;
                verify_inclusion(&leaf, seq, sth.head.size, &path, &sth.head.root)
                    .map_err(|e| VerifyError(format!("{name}: {e}")))?;
            }
        }
        proofs += 1;
    }

    // Readable records: each listed change is the change its (verified) entry names.
    let mut readable_changes = 0u64;
    let households = dir.join("households");
    let mut files: Vec<_> = match std::fs::read_dir(&households) {
        Ok(list) => list.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    for path in files {
        let name = format!(
            "households/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let record: Value = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .ok_or_else(|| VerifyError(format!("{name}: not readable JSON")))?;
        let household = record["household"].as_str().unwrap_or_default();
        for (i, change) in record["changes"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let Some(seq) = change["seq"].as_u64() else {
                return fail(format!("{name} change {i}: no entry number"));
            };
            let Some(entry) = entries.get(&seq) else {
                return fail(format!(
                    "{name} change {i}: entry {seq} is not in the bundle"
                ));
            };
            if entry.document != household {
                return fail(format!(
                    "{name} change {i}: entry {seq} is a change to another household"
                ));
            }
            let Some(b64) = change["change"].as_str() else {
                continue; // expired: only its entry remains
            };
            let hash = B64
                .decode(b64.as_bytes())
                .ok()
                .and_then(|bytes| automerge::Change::from_bytes(bytes).ok())
                .map(|c| c.hash().0);
            if hash != Some(entry.change_hash) {
                return fail(format!(
                    "{name} change {i}: does not match the change hash of entry {seq}"
                ));
            }
            readable_changes += 1;
        }
    }

    if manifest.tree_size != last.head.size {
        return fail(format!(
            "manifest.json: says tree size {}, the last tree head has {}",
            manifest.tree_size, last.head.size
        ));
    }

    // The manifest is the firm's, and every file is the one it lists.
    let signature = hex::decode(read(dir, "manifest.sig")?.trim())
        .map_err(|e| VerifyError(format!("manifest.sig: not hex: {e}")))?;
    if crate::head::verify_manifest(firm, manifest_text.as_bytes(), &signature, &public_key)
        .is_err()
    {
        return fail("manifest.json: bad signature (the manifest or manifest.sig was changed)");
    }
    let mut present: Vec<String> = Vec::new();
    for sub in ["", "households/"] {
        let Ok(list) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for item in list.filter_map(|e| e.ok()) {
            if item.path().is_file() {
                present.push(format!("{sub}{}", item.file_name().to_string_lossy()));
            }
        }
    }
    for name in &present {
        if ["README.txt", "manifest.json", "manifest.sig"].contains(&name.as_str()) {
            continue;
        }
        if !manifest.files.contains_key(name) {
            return fail(format!(
                "{name}: not part of the export (the signed manifest does not list it)"
            ));
        }
    }
    for (name, expected) in &manifest.files {
        let bytes = std::fs::read(dir.join(name)).map_err(|e| {
            VerifyError(format!(
                "{name}: listed in the manifest but cannot be read: {e}"
            ))
        })?;
        if sha256_hex(&bytes) != *expected {
            return fail(format!(
                "{name}: changed since the export (its SHA-256 is not the one in the signed manifest)"
            ));
        }
    }

    Ok(Report {
        firm: firm.to_string(),
        entries: entries.len() as u64,
        tree_size: last.head.size,
        tree_heads: heads.len() as u64,
        proofs,
        readable_changes,
        last_head: Some(last),
        key_fingerprint,
        key_pinned: pin.is_some(),
        files: manifest.files.len() as u64,
    })
}

fn parse_hashes(hexes: &[String]) -> Result<Vec<Hash>, String> {
    hexes.iter().map(|h| hex_hash::parse(h)).collect()
}
