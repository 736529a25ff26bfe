use hearth_docs::{DocError, Limits, TextLayer, extract, fixtures};

#[test]
fn a_pdf_built_here_yields_its_text() {
    let pdf = fixtures::pdf(&[
        "Trust amendment for the Wexford family",
        "Successor trustee: Marguerite Oyelaran",
    ]);
    let found = extract("amendment.pdf", &pdf, &Limits::default()).unwrap();
    assert_eq!(found.media_type, "application/pdf");
    assert_eq!(found.text_layer, TextLayer::Text);
    let text = found.text.unwrap();
    assert!(text.contains("Wexford family"), "{text}");
    assert!(text.contains("Marguerite Oyelaran"), "{text}");
}

#[test]
fn a_scanned_pdf_is_noted_as_having_no_text_layer() {
    let found = extract("scan.pdf", &fixtures::scanned_pdf(), &Limits::default()).unwrap();
    assert_eq!(found.media_type, "application/pdf");
    assert_eq!(found.text_layer, TextLayer::NoTextLayer);
    assert_eq!(found.text, None);
}

#[test]
fn a_docx_built_here_yields_its_paragraphs() {
    let docx = fixtures::docx(&[
        "Beneficiary change form",
        "Primary: Ines & Tomas Castellano",
    ]);
    let found = extract("form.docx", &docx, &Limits::default()).unwrap();
    assert!(found.media_type.contains("wordprocessingml"));
    let text = found.text.unwrap();
    assert!(text.contains("Beneficiary change form\n"), "{text:?}");
    assert!(text.contains("Ines & Tomas Castellano"), "{text:?}");
}

#[test]
fn text_csv_and_images() {
    let txt = extract(
        "memo.txt",
        "\u{feff}Call about the RMD".as_bytes(),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(txt.media_type, "text/plain");
    assert_eq!(txt.text.as_deref(), Some("Call about the RMD"));
    let csv = extract(
        "holdings.csv",
        b"symbol,shares\nVTI,120\n",
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(csv.media_type, "text/csv");
    assert!(csv.text.unwrap().contains("VTI"));
    let png = extract("id-card.png", &fixtures::png(), &Limits::default()).unwrap();
    assert_eq!(png.media_type, "image/png");
    assert_eq!(png.text_layer, TextLayer::Image);
    assert_eq!(png.text, None);
}

#[test]
fn a_corrupt_pdf_is_a_clear_error() {
    let mut pdf = fixtures::pdf(&["Statement"]);
    // Keep the header, destroy everything after it.
    for b in pdf.iter_mut().skip(16) {
        *b = b'#';
    }
    let err = extract("statement.pdf", &pdf, &Limits::default()).unwrap_err();
    assert!(matches!(err, DocError::CorruptPdf(_)), "{err:?}");
    assert!(err.to_string().contains("damaged"), "{err}");
    let err = extract("fake.pdf", b"this is not a pdf at all", &Limits::default()).unwrap_err();
    assert!(matches!(err, DocError::CorruptPdf(_)), "{err:?}");
}

#[test]
fn an_encrypted_pdf_is_refused_with_a_clear_error() {
    let err = extract("locked.pdf", &fixtures::encrypted_pdf(), &Limits::default()).unwrap_err();
    assert_eq!(err, DocError::EncryptedPdf);
    assert!(err.to_string().contains("password-protected"), "{err}");
}

#[test]
fn a_zip_bomb_docx_stops_at_the_limit() {
    let bomb = fixtures::zip_bomb_docx(80 * 1024 * 1024);
    assert!(
        bomb.len() < 1024 * 1024,
        "the bomb itself is small: {}",
        bomb.len()
    );
    let err = extract("bomb.docx", &bomb, &Limits::default()).unwrap_err();
    assert!(matches!(err, DocError::ZipBomb { .. }), "{err:?}");
    assert!(err.to_string().contains("zip bomb"), "{err}");

    // The limit is configurable.
    let limits = Limits {
        max_decompressed_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let err = extract(
        "bomb.docx",
        &fixtures::zip_bomb_docx(4 * 1024 * 1024),
        &limits,
    )
    .unwrap_err();
    assert!(matches!(err, DocError::ZipBomb { .. }), "{err:?}");
}

#[test]
fn a_corrupt_docx_and_an_unknown_type_are_clear_errors() {
    let err = extract(
        "form.docx",
        b"PK\x03\x04 not really a zip",
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(err, DocError::CorruptDocx(_)), "{err:?}");
    let err = extract("tool.exe", b"MZ\x90\x00", &Limits::default()).unwrap_err();
    assert!(matches!(err, DocError::Unsupported(_)), "{err:?}");
}

#[test]
fn an_oversized_file_is_refused_before_it_is_parsed() {
    let limits = Limits {
        max_file_bytes: 1024,
        ..Limits::default()
    };
    let big = vec![b'a'; 2048];
    let err = extract("big.txt", &big, &limits).unwrap_err();
    assert_eq!(
        err,
        DocError::TooLarge {
            size: 2048,
            limit: 1024
        }
    );
    assert!(
        err.to_string().contains("over the 1024-byte limit"),
        "{err}"
    );
    assert!(matches!(
        hearth_docs::check_size(26 * 1024 * 1024, &Limits::default()),
        Err(DocError::TooLarge { .. })
    ));
}
