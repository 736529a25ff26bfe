//! Search wired into the profile, and documents: real SQCipher profiles on disk.

use std::path::Path;

use hearth_core::{HouseholdStatus, NoteCategory};
use hearth_profile::{
    BLOBS_DIR, DocError, INDEX_DIR, InitOptions, KeyStorage, Profile, ProfileError, SearchKind,
    SearchQuery,
};
use zeroize::Zeroizing;

fn init(dir: &Path) -> Profile {
    let mut pass = || Ok(Zeroizing::new("correct horse battery".to_string()));
    Profile::init(
        dir,
        InitOptions {
            advisor: "Avery Advisor".into(),
            device: "test".into(),
            key_storage: KeyStorage::Passphrase,
            passphrase: &mut pass,
        },
    )
    .unwrap()
}

fn reopen(dir: &Path) -> Profile {
    let mut pass = || Ok(Zeroizing::new("correct horse battery".to_string()));
    Profile::open(dir, &mut pass).unwrap()
}

fn note(profile: &mut Profile, id: &str, text: &str) -> String {
    profile
        .edit(id, |h, ctx| {
            h.add_note(NoteCategory::Planning, text, None, ctx)
        })
        .unwrap()
}

fn search(profile: &mut Profile, text: &str) -> Vec<hearth_profile::SearchHit> {
    profile.search(&SearchQuery::text(text)).unwrap()
}

#[test]
fn edits_are_searchable_without_reindexing_and_the_index_rebuilds_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let mut profile = init(&dir);
    let id = profile
        .create_household("The Johnson Family", HouseholdStatus::Client)
        .unwrap()
        .to_string();
    let first = note(&mut profile, &id, "Discussed the backdoor Roth conversion");
    // Edits only queue the household; nothing is indexed until a search needs it.
    assert_eq!(profile.search_backlog().unwrap(), 1);

    let hits = search(&mut profile, "joh");
    assert!(
        hits.iter()
            .any(|h| h.kind == SearchKind::Household && h.household_id == id)
    );
    let hits = search(&mut profile, "\"backdoor roth\"");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].item_id, first);
    assert!(
        hits[0].snippet_html.contains("<b>"),
        "{}",
        hits[0].snippet_html
    );
    assert_eq!(profile.search_backlog().unwrap(), 0);

    // A later edit in another process (here: another Profile on the same directory).
    profile.close_search_index();
    let mut other = reopen(&dir);
    let second = note(
        &mut other,
        &id,
        "Client asked about a qualified charitable distribution",
    );
    drop(other);
    let hits = search(&mut profile, "charitible distribution");
    assert_eq!(
        hits.iter().map(|h| h.item_id.as_str()).collect::<Vec<_>>(),
        [second.as_str()]
    );

    // Index gone: rebuilt from the store on the next search.
    profile.close_search_index();
    std::fs::remove_dir_all(dir.join(INDEX_DIR)).unwrap();
    assert_eq!(search(&mut profile, "backdoor").len(), 1);

    // Index damaged (every file overwritten): rebuilt, same answers.
    profile.close_search_index();
    for entry in std::fs::read_dir(dir.join(INDEX_DIR)).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && !path.to_string_lossy().ends_with(".lock") {
            let len = std::fs::metadata(&path).unwrap().len() as usize;
            std::fs::write(&path, vec![0x5a; len.max(1)]).unwrap();
        }
    }
    assert_eq!(search(&mut profile, "backdoor").len(), 1);
    assert_eq!(profile.rebuild_search_index().unwrap(), 1);
    assert_eq!(search(&mut profile, "charitable").len(), 1);
}

#[test]
fn imports_are_indexed_too() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = init(&tmp.path().join("a"));
    let id = a
        .create_household("Okafor Household", HouseholdStatus::Client)
        .unwrap()
        .to_string();
    note(&mut a, &id, "529 plan for the grandchildren");
    let export = tmp.path().join("export.json");
    a.export(&export).unwrap();
    let mut b = init(&tmp.path().join("b"));
    assert!(search(&mut b, "grandchildren").is_empty());
    b.import(&export).unwrap();
    assert_eq!(search(&mut b, "grandchildren").len(), 1);
}

#[test]
fn documents_are_stored_encrypted_extracted_and_searchable() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let mut profile = init(&dir);
    let id = profile
        .create_household("Castellano", HouseholdStatus::Client)
        .unwrap()
        .to_string();
    let pdf = tmp.path().join("trust.pdf");
    std::fs::write(
        &pdf,
        hearth_docs::fixtures::pdf(&["Irrevocable trust zanzibarquokka clause"]),
    )
    .unwrap();
    let docx = tmp.path().join("letter.docx");
    std::fs::write(
        &docx,
        hearth_docs::fixtures::docx(&["Engagement letter marmalade"]),
    )
    .unwrap();
    let scan = tmp.path().join("scan.pdf");
    std::fs::write(&scan, hearth_docs::fixtures::scanned_pdf()).unwrap();

    let added = profile.add_document(&id, &pdf).unwrap();
    assert_eq!(added.reference.media_type, "application/pdf");
    assert_eq!(added.reference.text_layer.as_deref(), Some("text"));
    profile.add_document(&id, &docx).unwrap();
    let scanned = profile.add_document(&id, &scan).unwrap();
    assert_eq!(
        scanned.reference.text_layer.as_deref(),
        Some("no_text_layer")
    );

    let hits = search(&mut profile, "zanzibarquokka");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].kind, SearchKind::Document);
    assert_eq!(hits[0].item_id, added.id);
    assert_eq!(search(&mut profile, "marmalade").len(), 1);

    let list = profile.documents(&id).unwrap();
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|d| d.stored_here));

    let out = tmp.path().join("out.pdf");
    profile.save_document(&id, &added.id, &out).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&pdf).unwrap());
    // Never overwrites.
    assert!(profile.save_document(&id, &added.id, &out).is_err());
    assert!(matches!(
        profile.save_document(&id, "nope", &tmp.path().join("x")),
        Err(ProfileError::UnknownDocument(_))
    ));

    // Blob files reveal neither content nor its hash.
    let blob_names: Vec<String> = std::fs::read_dir(dir.join(BLOBS_DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(blob_names.len(), 5, "3 contents + 2 texts: {blob_names:?}");
    assert!(!blob_names.contains(&added.reference.sha256));
}

#[test]
fn refused_documents_leave_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let mut profile = init(&dir);
    let id = profile
        .create_household("Nolan", HouseholdStatus::Client)
        .unwrap()
        .to_string();
    profile
        .set_setting(hearth_profile::MAX_BYTES_SETTING, "4096")
        .unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("locked.pdf", hearth_docs::fixtures::encrypted_pdf()),
        ("broken.pdf", b"%PDF-1.7\n%%%% garbage garbage".to_vec()),
        ("big.txt", vec![b'a'; 5000]),
    ];
    for (name, bytes) in cases {
        let path = tmp.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let err = profile.add_document(&id, &path).unwrap_err();
        assert!(matches!(err, ProfileError::Document(_)), "{name}: {err}");
    }
    profile
        .set_setting(hearth_profile::MAX_BYTES_SETTING, "26214400")
        .unwrap();
    let bomb = tmp.path().join("bomb.docx");
    std::fs::write(
        &bomb,
        hearth_docs::fixtures::zip_bomb_docx(70 * 1024 * 1024),
    )
    .unwrap();
    assert!(matches!(
        profile.add_document(&id, &bomb).unwrap_err(),
        ProfileError::Document(DocError::ZipBomb { .. })
    ));
    assert!(profile.documents(&id).unwrap().is_empty());
    assert!(
        !dir.join(BLOBS_DIR).exists()
            || std::fs::read_dir(dir.join(BLOBS_DIR)).unwrap().count() == 0
    );
}

#[test]
fn a_colleagues_document_arrives_as_a_reference_then_its_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = init(&tmp.path().join("a"));
    let id = a
        .create_household("Lindqvist", HouseholdStatus::Client)
        .unwrap()
        .to_string();
    let pdf_bytes = hearth_docs::fixtures::pdf(&["Beneficiary designation lingonberry"]);
    let pdf = tmp.path().join("beneficiary.pdf");
    std::fs::write(&pdf, &pdf_bytes).unwrap();
    let added = a.add_document(&id, &pdf).unwrap();
    let export = tmp.path().join("export.json");
    a.export(&export).unwrap();

    // The household (with the reference) reaches B; the bytes have not.
    let mut b = init(&tmp.path().join("b"));
    b.import(&export).unwrap();
    let listed = b.documents(&id).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].stored_here);
    assert_eq!(b.missing_blobs().unwrap().len(), 1);
    assert_eq!(search(&mut b, "beneficiary").len(), 1, "found by name");
    assert!(
        search(&mut b, "lingonberry").is_empty(),
        "content not here yet"
    );
    assert!(matches!(
        b.save_document(&id, &added.id, &tmp.path().join("x.pdf")),
        Err(ProfileError::BlobStore(_))
    ));

    // Bytes that do not match the hash are refused; the right ones are stored, extracted
    // and indexed.
    let sha = added.reference.sha256.clone();
    assert!(b.put_blob(&sha, b"something else").is_err());
    b.put_blob(&sha, &pdf_bytes).unwrap();
    assert!(b.documents(&id).unwrap()[0].stored_here);
    assert!(b.missing_blobs().unwrap().is_empty());
    assert_eq!(search(&mut b, "lingonberry").len(), 1);
    assert_eq!(b.blob(&sha).unwrap().unwrap(), pdf_bytes);
}
