//! An exported bundle verifies untouched, and one flipped byte in any part is named.

use std::collections::BTreeMap;
use std::path::Path;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use hearth_archive::bundle::{self, Bundle, FORMAT, KeyPin, Manifest};
use hearth_archive::readable::{ReadableChange, household_record};
use hearth_archive::{ArchiveSigner, Entry, EntryKind, Tree, TreeHead};

const FIRM: &str = "firm_test";

/// A bundle of `n` changes to one household, with tree heads at a third, two thirds and all,
/// signed with a new key; returns the key's public half.
fn make_bundle(dir: &Path, n: u64) -> Vec<u8> {
    let (signer, _) = ArchiveSigner::generate().unwrap();
    let mut doc = AutoCommit::new();
    let mut entries = Vec::new();
    let mut history = Vec::new();
    let mut listed = Vec::new();
    for seq in 0..n {
        doc.put(ROOT, "name", format!("The Johnsons {seq}"))
            .unwrap();
        doc.commit();
        let change = doc.get_last_local_change().unwrap().clone();
        let bytes = change.raw_bytes().to_vec();
        let entry = Entry {
            seq,
            time: 1_700_000_000_000 + seq as i64,
            firm: FIRM.into(),
            advisor: "adv_1".into(),
            device: "dev_1".into(),
            document: "hh1".into(),
            kind: EntryKind::Change,
            change_hash: change.hash().0,
            payload: [b"sealed:".as_slice(), &bytes].concat(),
        };
        history.push(bytes.clone());
        listed.push(ReadableChange {
            entry: entry.clone(),
            plaintext: Some(bytes),
        });
        entries.push(entry);
    }
    let tree = Tree::new(entries.iter().map(|e| e.leaf_hash().unwrap()).collect());
    let heads = [n / 3, 2 * n / 3, n]
        .iter()
        .enumerate()
        .map(|(i, size)| {
            signer
                .sign(
                    FIRM,
                    TreeHead {
                        size: *size,
                        time: 1_700_000_001_000 + i as i64,
                        root: tree.root(*size).unwrap(),
                    },
                )
                .unwrap()
        })
        .collect();
    let names = BTreeMap::from([("adv_1".to_string(), "Ada".to_string())]);
    let mut b = Bundle {
        manifest: Manifest {
            format: FORMAT.into(),
            firm: FIRM.into(),
            from: "2023-11-14".into(),
            to: "2023-11-15".into(),
            created_at: 1_700_000_002_000,
            entry_count: n,
            tree_size: n,
            files: BTreeMap::new(),
        },
        public_key: signer.public_key(),
        entries,
        leaves: tree.leaves().to_vec(),
        heads,
        proofs: vec![],
        households: BTreeMap::from([(
            "hh1".to_string(),
            household_record("hh1", &listed, &history, &names).unwrap(),
        )]),
        admin_actions: serde_json::json!([]),
    };
    b.add_proofs(&tree).unwrap();
    b.write(dir, &signer).unwrap();
    signer.public_key()
}

/// Flips one byte of `file` at the first occurrence of `needle` (after `skip` bytes of it).
fn flip(dir: &Path, file: &str, needle: &str, skip: usize) {
    let path = dir.join(file);
    let mut bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {file}"))
        + needle.len()
        + skip;
    // Swap one hex/base64 digit for another valid one so the damage is not a parse error.
    bytes[at] = match bytes[at] {
        b'0' => b'1',
        b'A' => b'B',
        _ => b'0',
    };
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn untouched_bundle_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let key = make_bundle(dir.path(), 20);
    let report = bundle::verify(dir.path(), None).unwrap();
    assert!(!report.key_pinned);
    assert_eq!(
        report.key_fingerprint,
        hearth_archive::head::fingerprint(&key)
    );
    let pinned = bundle::verify(dir.path(), Some(&KeyPin::PublicKey(key.clone()))).unwrap();
    assert!(pinned.key_pinned);
    let by_fingerprint = hearth_archive::head::fingerprint(&key).to_uppercase();
    assert!(bundle::verify(dir.path(), Some(&KeyPin::Fingerprint(by_fingerprint))).is_ok());
    assert_eq!(report.entries, 20);
    assert_eq!(report.tree_heads, 3);
    assert_eq!(report.readable_changes, 20);
    assert!(report.proofs >= 4);
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("households/hh1.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["state"]["name"], "The Johnsons 19");
    assert_eq!(record["changes"][3]["advisor"]["name"], "Ada");
}

#[test]
fn one_flipped_byte_in_each_part_is_named() {
    let cases: &[(&str, &str, usize, &str)] = &[
        // (file, where, offset, what the error must name)
        (
            "entries.jsonl",
            "{\"seq\":5,\"entry\":\"",
            250,
            "entry 5: leaf hash does not match",
        ),
        (
            "tree_heads.jsonl",
            "\"root\":\"",
            10,
            "tree head 0: bad signature",
        ),
        (
            "tree_heads.jsonl",
            "\"size\":",
            0,
            "tree head 0: bad signature",
        ),
        (
            "tree_heads.jsonl",
            "\"signature\":\"",
            7,
            "tree head 0: bad signature",
        ),
        ("public_key.txt", "", 3, "tree head 0: bad signature"),
        (
            "proofs.jsonl",
            "\"type\":\"consistency\",\"old_head\":0,\"new_head\":1,\"hashes\":[\"",
            5,
            "consistency proof between tree heads 0 and 1",
        ),
        (
            "proofs.jsonl",
            "\"type\":\"inclusion\",\"seq\":0,\"head\":2,\"hashes\":[\"",
            5,
            "inclusion proof for entry 0",
        ),
        ("leaves.txt", "", 70, "entry 1: leaf hash does not match"),
        (
            "households/hh1.json",
            "\"change\": \"",
            30,
            "households/hh1.json change 0",
        ),
        // Readable fields no entry proves: caught by the signed manifest.
        (
            "households/hh1.json",
            "\"state\": {",
            25,
            "households/hh1.json: changed since the export",
        ),
        (
            "admin_actions.json",
            "",
            0,
            "admin_actions.json: changed since the export",
        ),
        (
            "manifest.json",
            "\"from\": \"",
            3,
            "manifest.json: bad signature",
        ),
        ("manifest.sig", "", 10, "manifest.json: bad signature"),
    ];
    for (file, needle, skip, named) in cases {
        let dir = tempfile::tempdir().unwrap();
        make_bundle(dir.path(), 20);
        flip(dir.path(), file, needle, *skip);
        let err = bundle::verify(dir.path(), None)
            .expect_err(&format!("a flipped byte in {file} went unnoticed"));
        assert!(
            err.0.starts_with(named),
            "flipping {file} at {needle:?}+{skip}: expected '{named}…', got '{}'",
            err.0
        );
    }
}

#[test]
fn a_dropped_entry_or_leaf_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    make_bundle(dir.path(), 9);
    let path = dir.path().join("leaves.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let fewer: Vec<&str> = text.lines().skip(1).collect();
    std::fs::write(&path, fewer.join("\n") + "\n").unwrap();
    let err = bundle::verify(dir.path(), None).unwrap_err();
    assert!(err.0.starts_with("leaves.txt"), "{}", err.0);
}

#[test]
fn a_history_re_signed_with_another_key_fails_against_the_pinned_key() {
    let firm_dir = tempfile::tempdir().unwrap();
    let firm_key = make_bundle(firm_dir.path(), 9);
    // A forger rewrites the history and signs all of it with a key of their own: internally
    // consistent, so it verifies without a pin — and says it only checked that.
    let forged = tempfile::tempdir().unwrap();
    make_bundle(forged.path(), 9);
    let unpinned = bundle::verify(forged.path(), None).unwrap();
    assert!(!unpinned.key_pinned);
    let err =
        bundle::verify(forged.path(), Some(&KeyPin::PublicKey(firm_key.clone()))).unwrap_err();
    assert!(err.0.contains("not the firm's pinned key"), "{}", err.0);
    let fp = hearth_archive::head::fingerprint(&firm_key);
    let err = bundle::verify(forged.path(), Some(&KeyPin::Fingerprint(fp))).unwrap_err();
    assert!(err.0.starts_with("public_key.txt"), "{}", err.0);
}

#[test]
fn a_file_added_to_an_export_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    make_bundle(dir.path(), 6);
    std::fs::write(dir.path().join("households/hh2.json"), "{}").unwrap();
    let err = bundle::verify(dir.path(), None).unwrap_err();
    assert!(
        err.0
            .starts_with("households/hh2.json: not part of the export"),
        "{}",
        err.0
    );
    // README.txt is prose for people, outside what is signed.
    std::fs::remove_file(dir.path().join("households/hh2.json")).unwrap();
    std::fs::write(dir.path().join("README.txt"), "edited").unwrap();
    assert!(bundle::verify(dir.path(), None).is_ok());
}
