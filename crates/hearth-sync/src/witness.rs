//! The desk as a witness of its firm's compliance archive (the certificate-transparency gossip
//! idea): every sync fetches the relay's latest signed tree head with a consistency proof
//! from the head this desk saw last, and checks that the new head is signed by the firm's
//! archive key (pinned at the first head seen) and extends the old one. A relay whose log was
//! rewritten, forked or rolled back fails the check on every desk that saw the old history;
//! the desk then stops syncing with it until an admin has looked (`hearth relay witness
//! --reset`).
//!
//! The check is pure (no I/O): [`check`] takes what the desk remembers and what the relay
//! answered and returns what to remember next, or why the relay is not to be trusted.

use hearth_archive::SignedTreeHead;
use serde::{Deserialize, Serialize};

/// What a desk remembers of its firm's archive (kept in the profile's encrypted database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessState {
    /// The firm's archive public key (hex), pinned at the first head seen.
    pub public_key: String,
    /// Entries covered by the last head seen.
    pub size: u64,
    /// That head's time (milliseconds since the epoch).
    pub time: i64,
    /// That head's Merkle root (hex).
    pub root: String,
    /// Why the relay stopped being trusted, once it has; while set, the desk does not sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm: Option<String>,
}

/// The relay's answer to `GET /v1/archive/witness?since=N`.
#[derive(Debug, Clone, Deserialize)]
pub struct WitnessAnswer {
    /// The latest signed head (none while the firm's log is empty).
    pub head: Option<SignedTreeHead>,
    /// The firm's archive public key (hex).
    pub public_key: String,
    /// Consistency proof from the tree of `since` entries to `head` (hex hashes).
    #[serde(default)]
    pub consistency: Vec<String>,
}

/// Checks the relay's answer against what the desk saw before (`None`: nothing yet). Returns
/// the state to keep, or why the relay's archive cannot be trusted.
pub fn check(
    firm_id: &str,
    before: Option<&WitnessState>,
    answer: &WitnessAnswer,
) -> Result<Option<WitnessState>, String> {
    if let Some(before) = before
        && before.public_key != answer.public_key
    {
        return Err(format!(
            "the relay now signs the firm's archive with another key ({} instead of {})",
            short(&answer.public_key),
            short(&before.public_key)
        ));
    }
    let Some(head) = &answer.head else {
        return match before {
            Some(b) if b.size > 0 => Err(format!(
                "the relay shows no signed archive head, but this desk saw one over {} entries",
                b.size
            )),
            _ => Ok(before.cloned()),
        };
    };
    let key = hex::decode(&answer.public_key)
        .map_err(|_| "the relay's archive key is not hex".to_string())?;
    head.verify(firm_id, &key).map_err(|_| {
        format!(
            "the archive head over {} entries does not carry the firm's signature",
            head.head.size
        )
    })?;
    let root = hex::encode(head.head.root);
    if let Some(b) = before {
        let old_root = hearth_archive::head::hex_hash::parse(&b.root)
            .map_err(|e| format!("this desk's remembered archive head is damaged: {e}"))?;
        if head.head.size < b.size {
            return Err(format!(
                "the relay's archive went back from {} to {} entries",
                b.size, head.head.size
            ));
        }
        if head.head.size == b.size {
            if root != b.root {
                return Err(format!(
                    "the relay's archive over {} entries has a different root than this desk saw (forked or rewritten)",
                    b.size
                ));
            }
        } else if b.size > 0 {
            let proof = answer
                .consistency
                .iter()
                .map(|h| hearth_archive::head::hex_hash::parse(h))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("the relay's consistency proof is not readable: {e}"))?;
            hearth_archive::merkle::verify_consistency(
                b.size,
                head.head.size,
                &old_root,
                &head.head.root,
                &proof,
            )
            .map_err(|_| {
                format!(
                    "the relay's archive of {} entries does not extend the {} this desk saw (rewritten or forked)",
                    head.head.size, b.size
                )
            })?;
        }
    }
    Ok(Some(WitnessState {
        public_key: answer.public_key.clone(),
        size: head.head.size,
        time: head.head.time,
        root,
        alarm: None,
    }))
}

fn short(hex_key: &str) -> &str {
    hex_key.get(..16).unwrap_or(hex_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_archive::{ArchiveSigner, Tree, TreeHead};

    fn leaf(n: u8) -> hearth_archive::Hash {
        [n; 32]
    }

    fn answer(signer: &ArchiveSigner, tree: &Tree, since: u64) -> WitnessAnswer {
        let size = tree.size();
        let head = signer
            .sign(
                "firm-a",
                TreeHead {
                    size,
                    time: size as i64,
                    root: tree.root(size).unwrap(),
                },
            )
            .unwrap();
        let consistency = if since > 0 && since < size {
            tree.consistency_proof(since, size)
                .unwrap()
                .iter()
                .map(hex::encode)
                .collect()
        } else {
            Vec::new()
        };
        WitnessAnswer {
            head: Some(head),
            public_key: hex::encode(signer.public_key()),
            consistency,
        }
    }

    #[test]
    fn a_growing_log_is_witnessed_and_a_rewritten_one_is_caught() {
        let (signer, _) = ArchiveSigner::generate().unwrap();
        let mut tree = Tree::default();
        for n in 0..5 {
            tree.push(leaf(n));
        }
        let first = check("firm-a", None, &answer(&signer, &tree, 0))
            .unwrap()
            .unwrap();
        assert_eq!(first.size, 5);
        for n in 5..9 {
            tree.push(leaf(n));
        }
        let second = check("firm-a", Some(&first), &answer(&signer, &tree, 5))
            .unwrap()
            .unwrap();
        assert_eq!(second.size, 9);
        // Unchanged: fine.
        assert_eq!(
            check("firm-a", Some(&second), &answer(&signer, &tree, 9)).unwrap(),
            Some(second.clone())
        );

        // The same key re-signs a history whose third entry was changed: caught, whether the
        // log then grew or not.
        let mut forged = Tree::default();
        for n in 0..12 {
            forged.push(if n == 2 { leaf(99) } else { leaf(n) });
        }
        let grown = check("firm-a", Some(&second), &answer(&signer, &forged, 9)).unwrap_err();
        assert!(grown.contains("does not extend"), "{grown}");
        let mut same_size = Tree::default();
        for n in 0..9 {
            same_size.push(if n == 2 { leaf(99) } else { leaf(n) });
        }
        let same = check("firm-a", Some(&second), &answer(&signer, &same_size, 9)).unwrap_err();
        assert!(same.contains("different root"), "{same}");

        // Rolled back, re-keyed, or signed by someone else: caught.
        let mut shorter = Tree::default();
        for n in 0..7 {
            shorter.push(leaf(n));
        }
        let back = check("firm-a", Some(&second), &answer(&signer, &shorter, 9)).unwrap_err();
        assert!(back.contains("went back"), "{back}");
        let (other, _) = ArchiveSigner::generate().unwrap();
        let rekeyed = check("firm-a", Some(&second), &answer(&other, &tree, 9)).unwrap_err();
        assert!(rekeyed.contains("another key"), "{rekeyed}");
        let mut impostor = answer(&other, &tree, 9);
        impostor.public_key = hex::encode(signer.public_key());
        let unsigned = check("firm-a", Some(&second), &impostor).unwrap_err();
        assert!(unsigned.contains("signature"), "{unsigned}");
        // A head signed for another firm does not verify as this firm's.
        let elsewhere = check("firm-b", None, &answer(&signer, &tree, 0)).unwrap_err();
        assert!(elsewhere.contains("signature"), "{elsewhere}");
    }
}
