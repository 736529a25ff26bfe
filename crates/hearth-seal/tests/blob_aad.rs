//! A sealed blob opens only as the file it was stored as, in its household and firm.

use hearth_seal::{FirmKey, blob_aad, document_aad};

#[test]
fn a_blob_opens_only_under_its_firm_household_and_hash() {
    let key = FirmKey::generate().unwrap();
    let h1 = "a".repeat(64);
    let h2 = "b".repeat(64);
    let sealed = key
        .seal(b"%PDF statement", &blob_aad("firm-a", "doc-1", &h1))
        .unwrap();
    assert_eq!(
        key.open(&sealed, &blob_aad("firm-a", "doc-1", &h1))
            .unwrap(),
        b"%PDF statement"
    );
    for wrong in [
        blob_aad("firm-a", "doc-1", &h2),
        blob_aad("firm-a", "doc-2", &h1),
        blob_aad("firm-b", "doc-1", &h1),
        document_aad("firm-a", "doc-1"),
    ] {
        assert!(key.open(&sealed, &wrong).is_err());
    }
    // The separators keep the parts apart.
    assert_ne!(blob_aad("ab", "c", &h1), blob_aad("a", "bc", &h1));
}
