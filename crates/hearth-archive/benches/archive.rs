//! Prints how long the archive's core takes: building the tree, signing, and verifying an
//! exported bundle of 100,000 entries (`cargo bench -p hearth-archive`).

use std::collections::BTreeMap;
use std::time::Instant;

use hearth_archive::bundle::{self, Bundle, FORMAT, Manifest};
use hearth_archive::{ArchiveSigner, Entry, EntryKind, Tree, TreeHead};

const FIRM: &str = "firm_bench";

fn main() {
    let n: u64 = std::env::var("ARCHIVE_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (signer, _) = ArchiveSigner::generate().expect("key");
    // Entries shaped like real ones: ~300 bytes of sealed change each, 50 households.
    let entries: Vec<Entry> = (0..n)
        .map(|seq| Entry {
            seq,
            time: 1_700_000_000_000 + seq as i64 * 1000,
            firm: FIRM.into(),
            advisor: format!("adv_{:022}", seq % 7),
            device: format!("dev_{:022}", seq % 11),
            document: format!("household{:020}", seq % 50),
            kind: EntryKind::Change,
            change_hash: [(seq % 251) as u8; 32],
            payload: vec![(seq % 256) as u8; 300],
        })
        .collect();

    let t = Instant::now();
    let leaves: Vec<_> = entries
        .iter()
        .map(|e| e.leaf_hash().expect("encode"))
        .collect();
    let hashing = t.elapsed();
    let t = Instant::now();
    let tree = Tree::new(leaves);
    let root = tree.root(n).expect("root");
    let building = t.elapsed();
    let t = Instant::now();
    let mut heads = Vec::new();
    for i in 1..=100u64 {
        let size = n * i / 100;
        heads.push(
            signer
                .sign(
                    FIRM,
                    TreeHead {
                        size,
                        time: i as i64,
                        root: tree.root(size).expect("root"),
                    },
                )
                .expect("sign"),
        );
    }
    let signing = t.elapsed() / 100;
    assert_eq!(heads.last().map(|h| h.head.root), Some(root));

    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = Bundle {
        manifest: Manifest {
            format: FORMAT.into(),
            firm: FIRM.into(),
            from: "2023-11-14".into(),
            to: "2023-12-31".into(),
            created_at: 0,
            entry_count: n,
            tree_size: n,
            files: BTreeMap::new(),
        },
        public_key: signer.public_key(),
        entries,
        leaves: tree.leaves().to_vec(),
        heads,
        proofs: vec![],
        households: BTreeMap::new(),
        admin_actions: serde_json::json!([]),
    };
    let t = Instant::now();
    b.add_proofs(&tree).expect("proofs");
    b.write(dir.path(), &signer).expect("write");
    let exporting = t.elapsed();
    let t = Instant::now();
    let report = bundle::verify(dir.path(), None).expect("the bundle verifies");
    let verifying = t.elapsed();
    assert_eq!(report.entries, n);

    println!("archive core, {n} entries:");
    println!(
        "  leaf hashes (encode + SHA-256):  {hashing:.2?} ({:.0} entries/s)",
        n as f64 / hashing.as_secs_f64()
    );
    println!("  tree build + root:               {building:.2?}");
    println!("  sign one tree head:              {signing:.2?}");
    println!("  write bundle (proofs + files):   {exporting:.2?}");
    println!(
        "  verify bundle ({} heads, {} proofs): {verifying:.2?}",
        report.tree_heads, report.proofs
    );
}
