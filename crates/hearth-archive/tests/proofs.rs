//! The efficient tree and proofs against a naive, literal transcription of RFC 6962 §2.1.

use hearth_archive::Hash;
use hearth_archive::merkle::{
    ProofError, Tree, empty_root, leaf_hash, node_hash, verify_consistency, verify_inclusion,
};
use proptest::prelude::*;

fn k(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => empty_root(),
        1 => d[0],
        n => node_hash(&mth(&d[..k(n)]), &mth(&d[k(n)..])),
    }
}

fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
    let n = d.len();
    if n <= 1 {
        return vec![];
    }
    let k = k(n);
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = k(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

fn leaves(n: usize) -> Vec<Hash> {
    (0..n as u32).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

#[test]
fn known_small_trees() {
    let l = leaves(3);
    let tree = Tree::new(l.clone());
    assert_eq!(tree.root(0).unwrap(), empty_root());
    assert_eq!(tree.root(1).unwrap(), l[0]);
    assert_eq!(tree.root(2).unwrap(), node_hash(&l[0], &l[1]));
    assert_eq!(
        tree.root(3).unwrap(),
        node_hash(&node_hash(&l[0], &l[1]), &l[2])
    );
    assert!(tree.root(4).is_err());
    // The RFC 6962 empty-tree root.
    assert_eq!(
        hex::encode(empty_root()),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn roots_match_the_naive_definition(n in 0usize..300) {
        let l = leaves(n);
        let tree = Tree::new(l.clone());
        let mut pushed = Tree::default();
        for leaf in &l {
            pushed.push(*leaf);
        }
        for size in 0..=n {
            prop_assert_eq!(tree.root(size as u64).unwrap(), mth(&l[..size]));
            prop_assert_eq!(pushed.root(size as u64).unwrap(), mth(&l[..size]));
        }
    }

    #[test]
    fn inclusion_proofs_match_and_verify(n in 1usize..200, pick in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>()) {
        let l = leaves(n);
        let tree = Tree::new(l.clone());
        for size in [n, (n / 2).max(1)] {
            let m = pick.index(size);
            let proof = tree.inclusion_proof(m as u64, size as u64).unwrap();
            prop_assert_eq!(&proof, &path(m, &l[..size]));
            let root = mth(&l[..size]);
            prop_assert!(verify_inclusion(&l[m], m as u64, size as u64, &proof, &root).is_ok());
            // Another leaf, index or size does not verify.
            let other = leaf_hash(b"not in the log");
            prop_assert!(verify_inclusion(&other, m as u64, size as u64, &proof, &root).is_err());
            if size > 1 {
                let wrong = (m + 1) % size;
                prop_assert!(verify_inclusion(&l[m], wrong as u64, size as u64, &proof, &root).is_err());
                // The root of another tree size does not verify.
                if size < n {
                    let bigger = mth(&l[..size + 1]);
                    prop_assert!(verify_inclusion(&l[m], m as u64, size as u64, &proof, &bigger).is_err());
                }
                // Any flipped bit in the proof is caught.
                let mut bad = proof.clone();
                let i = flip.index(bad.len());
                bad[i][0] ^= 1;
                prop_assert!(verify_inclusion(&l[m], m as u64, size as u64, &bad, &root).is_err());
                // A truncated proof is caught.
                prop_assert!(verify_inclusion(&l[m], m as u64, size as u64, &proof[..proof.len() - 1], &root).is_err());
            }
        }
    }

    #[test]
    fn consistency_proofs_match_and_verify(n in 1usize..200, a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>()) {
        let l = leaves(n);
        let tree = Tree::new(l.clone());
        let (x, y) = (a.index(n + 1), b.index(n + 1));
        let (old, new) = (x.min(y), x.max(y));
        let proof = tree.consistency_proof(old as u64, new as u64).unwrap();
        if old > 0 && old < new {
            prop_assert_eq!(&proof, &subproof(old, &l[..new], true));
        } else {
            prop_assert!(proof.is_empty());
        }
        let (old_root, new_root) = (mth(&l[..old]), mth(&l[..new]));
        prop_assert!(verify_consistency(old as u64, new as u64, &old_root, &new_root, &proof).is_ok());
        if old > 0 && old < new {
            // A rewritten history: the same old size with a different old root.
            let mut forged = l.clone();
            forged[old - 1] = leaf_hash(b"rewritten");
            let forged_old = mth(&forged[..old]);
            prop_assert!(verify_consistency(old as u64, new as u64, &forged_old, &new_root, &proof).is_err());
            // A new tree that rewrote an old entry.
            let forged_new = mth(&forged[..new]);
            let forged_proof = Tree::new(forged.clone()).consistency_proof(old as u64, new as u64).unwrap();
            prop_assert!(verify_consistency(old as u64, new as u64, &old_root, &forged_new, &forged_proof).is_err());
            if !proof.is_empty() {
                let mut bad = proof.clone();
                let i = flip.index(bad.len());
                bad[i][31] ^= 0x80;
                prop_assert!(verify_consistency(old as u64, new as u64, &old_root, &new_root, &bad).is_err());
            }
        }
    }
}

#[test]
fn out_of_range_requests_are_refused() {
    let tree = Tree::new(leaves(5));
    assert!(matches!(
        tree.inclusion_proof(5, 5),
        Err(ProofError::OutOfRange(_))
    ));
    assert!(matches!(
        tree.inclusion_proof(0, 6),
        Err(ProofError::OutOfRange(_))
    ));
    assert!(matches!(
        tree.consistency_proof(3, 2),
        Err(ProofError::OutOfRange(_))
    ));
    assert!(matches!(
        tree.consistency_proof(1, 6),
        Err(ProofError::OutOfRange(_))
    ));
}
