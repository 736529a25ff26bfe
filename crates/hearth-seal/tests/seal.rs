use hearth_seal::{FirmKey, MasterKey, SEAL_OVERHEAD, SealError, document_aad};

fn master(byte: u8) -> MasterKey {
    MasterKey::from_bytes([byte; 32])
}

#[test]
fn seal_round_trip_and_fresh_nonces() {
    let key = FirmKey::generate().unwrap();
    let aad = document_aad("firm-a", "doc-1");
    let a = key.seal(b"household", &aad).unwrap();
    let b = key.seal(b"household", &aad).unwrap();
    assert_eq!(a.len(), b"household".len() + SEAL_OVERHEAD);
    assert_ne!(a, b, "each seal uses a fresh nonce");
    assert_eq!(key.open(&a, &aad).unwrap(), b"household");
    assert_eq!(key.open(&b, &aad).unwrap(), b"household");
    // Empty plaintext works too.
    let e = key.seal(b"", &aad).unwrap();
    assert_eq!(key.open(&e, &aad).unwrap(), b"");
}

#[test]
fn tampering_any_byte_fails() {
    let key = FirmKey::generate().unwrap();
    let aad = document_aad("firm-a", "doc-1");
    let sealed = key.seal(b"some sealed change", &aad).unwrap();
    for i in 0..sealed.len() {
        let mut t = sealed.clone();
        t[i] ^= 0x01;
        assert_eq!(key.open(&t, &aad), Err(SealError::Tampered), "byte {i}");
    }
}

#[test]
fn wrong_aad_or_key_fails() {
    let key = FirmKey::generate().unwrap();
    let other = FirmKey::generate().unwrap();
    let sealed = key.seal(b"x", &document_aad("firm-a", "doc-1")).unwrap();
    assert_eq!(
        key.open(&sealed, &document_aad("firm-b", "doc-1")),
        Err(SealError::Tampered)
    );
    assert_eq!(
        key.open(&sealed, &document_aad("firm-a", "doc-2")),
        Err(SealError::Tampered)
    );
    assert_eq!(
        key.open(&sealed, &document_aad("firm-a", "doc-")),
        Err(SealError::Tampered)
    );
    assert_eq!(
        other.open(&sealed, &document_aad("firm-a", "doc-1")),
        Err(SealError::Tampered)
    );
}

#[test]
fn truncated_input_is_an_error_not_a_panic() {
    let key = FirmKey::generate().unwrap();
    let sealed = key.seal(b"abc", b"aad").unwrap();
    for len in 0..sealed.len() {
        let r = key.open(&sealed[..len], b"aad");
        assert!(
            matches!(
                r,
                Err(SealError::Truncated { .. }) | Err(SealError::Tampered)
            ),
            "{len}: {r:?}"
        );
    }
    assert!(matches!(
        key.open(&[], b"aad"),
        Err(SealError::Truncated { .. })
    ));
    let m = master(1);
    let wrapped = m.wrap(&key, "firm-a").unwrap();
    for len in 0..wrapped.len() {
        assert!(m.unwrap(&wrapped[..len], "firm-a").is_err(), "{len}");
    }
}

#[test]
fn wrap_unwrap_binds_firm_and_master() {
    let m = master(7);
    let key = FirmKey::generate().unwrap();
    let aad = document_aad("firm-a", "doc");
    let sealed = key.seal(b"payload", &aad).unwrap();

    let wrapped = m.wrap(&key, "firm-a").unwrap();
    let back = m.unwrap(&wrapped, "firm-a").unwrap();
    assert_eq!(back.open(&sealed, &aad).unwrap(), b"payload");

    // Wrapped key moved to another firm.
    assert_eq!(
        m.unwrap(&wrapped, "firm-b").unwrap_err(),
        SealError::Tampered
    );
    // Wrong master key.
    let err = master(8).unwrap(&wrapped, "firm-a").unwrap_err();
    assert!(matches!(err, SealError::WrongMasterKey { .. }), "{err:?}");
    // Tampered wrapped key, header or body.
    for i in 0..wrapped.len() {
        let mut t = wrapped.clone();
        t[i] ^= 0x80;
        assert!(m.unwrap(&t, "firm-a").is_err(), "byte {i}");
    }
    // Not a wrapped key at all.
    assert_eq!(
        m.unwrap(&[0u8; 80], "firm-a").unwrap_err(),
        SealError::UnknownFormat
    );
}

#[test]
fn rotation_rewraps_without_reencrypting() {
    let old = master(1);
    let new = master(2);
    assert_ne!(old.id(), new.id());
    let key = FirmKey::generate().unwrap();
    let aad = document_aad("firm-a", "doc");
    let sealed = key.seal(b"history", &aad).unwrap();
    let wrapped_old = old.wrap(&key, "firm-a").unwrap();

    let rewrapped = new
        .wrap(&old.unwrap(&wrapped_old, "firm-a").unwrap(), "firm-a")
        .unwrap();
    let k2 = new.unwrap(&rewrapped, "firm-a").unwrap();
    assert_eq!(k2.open(&sealed, &aad).unwrap(), b"history");
    // The old wrapped blob no longer opens under the new master, and vice versa.
    assert!(new.unwrap(&wrapped_old, "firm-a").is_err());
    assert!(old.unwrap(&rewrapped, "firm-a").is_err());
}

#[test]
fn master_key_from_config_and_id() {
    let bytes: Vec<u8> = (0u8..32).collect();
    let hex = hex::encode(&bytes);
    let from_hex = MasterKey::from_config(&format!("  {hex}\n")).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let from_b64 = MasterKey::from_config(&b64).unwrap();
    let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
    let from_b64url = MasterKey::from_config(&b64url).unwrap();
    assert_eq!(from_hex.id(), from_b64.id());
    assert_eq!(from_hex.id(), from_b64url.id());
    assert_eq!(from_hex.id().len(), 8);
    assert_eq!(*from_hex.to_hex(), hex);
    // Known answer: SHA-256(00 01 .. 1f) starts with 630dcd29.
    assert_eq!(from_hex.id(), "630dcd29");
    // A key wrapped by one parse unwraps under another parse of the same key.
    let k = FirmKey::generate().unwrap();
    let w = from_hex.wrap(&k, "f").unwrap();
    assert!(from_b64.unwrap(&w, "f").is_ok());

    for bad in [
        "",
        "zz",
        &hex[..62],
        &format!("{hex}00"),
        "not base64 !!",
        &base64::engine::general_purpose::STANDARD.encode([0u8; 31]),
    ] {
        assert!(
            matches!(MasterKey::from_config(bad), Err(SealError::InvalidKey(_))),
            "{bad:?}"
        );
    }
    let g = MasterKey::generate().unwrap();
    assert_eq!(MasterKey::from_config(&g.to_hex()).unwrap().id(), g.id());
    assert!(!format!("{g:?}").contains(&*g.to_hex()));
}

#[test]
fn a_rotated_firm_key_seals_with_the_new_generation_and_opens_the_old() {
    let m = master(3);
    let key = FirmKey::generate().unwrap();
    assert_eq!(key.generations(), 1);
    let aad = document_aad("firm-a", "doc");
    let before = key.seal(b"before rotation", &aad).unwrap();

    let rotated = key.rotated().unwrap();
    assert_eq!(rotated.generations(), 2);
    let after = rotated.seal(b"after rotation", &aad).unwrap();
    assert_eq!(
        rotated.open_generation(&before, &aad).unwrap(),
        (b"before rotation".to_vec(), 1)
    );
    assert_eq!(
        rotated.open_generation(&after, &aad).unwrap(),
        (b"after rotation".to_vec(), 0)
    );
    // The old key alone cannot read what the new generation sealed.
    assert_eq!(key.open(&after, &aad).unwrap_err(), SealError::Tampered);

    // Wrapped, the generations travel together (HWK2), bound to the firm like HWK1.
    let wrapped = m.wrap(&rotated, "firm-a").unwrap();
    assert_eq!(&wrapped[..4], b"HWK2");
    let back = m.unwrap(&wrapped, "firm-a").unwrap();
    assert_eq!(back.generations(), 2);
    assert_eq!(back.open(&before, &aad).unwrap(), b"before rotation");
    assert_eq!(back.open(&after, &aad).unwrap(), b"after rotation");
    assert_eq!(
        m.unwrap(&wrapped, "firm-b").unwrap_err(),
        SealError::Tampered
    );
    for i in 0..wrapped.len() {
        let mut t = wrapped.clone();
        t[i] ^= 0x80;
        assert!(m.unwrap(&t, "firm-a").is_err(), "byte {i}");
    }
    // A single-generation key keeps the HWK1 format older relays wrote.
    assert_eq!(&m.wrap(&key, "firm-a").unwrap()[..4], b"HWK1");
    // Rotating again keeps every generation.
    let twice = back.rotated().unwrap();
    assert_eq!(twice.generations(), 3);
    assert_eq!(twice.open(&before, &aad).unwrap(), b"before rotation");
}
