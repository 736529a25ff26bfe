//! Documents through the real `hearth` binary: attach real PDF/DOCX files built here, list and
//! get them back, clear errors for bad files, and a byte search of the whole profile directory
//! (database, WAL, search index, blobs) for phrases written into a note, a transcript and a
//! document.

use hearth_docs::fixtures;
use hearth_e2e::{Hearth, all_files, contains};

#[test]
fn attach_list_get_and_search_documents() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Avery Advisor", "pw");
    let id = h.ok(&["household", "create", "--name", "Walsh"]);
    let pdf = dir.path().join("ira-statement.pdf");
    std::fs::write(
        &pdf,
        fixtures::pdf(&["Inherited IRA statement", "Beneficiary Siobhan Walsh"]),
    )
    .unwrap();
    let docx = dir.path().join("letter.docx");
    std::fs::write(
        &docx,
        fixtures::docx(&["Engagement letter", "Fee schedule attached"]),
    )
    .unwrap();
    let scan = dir.path().join("scan.pdf");
    std::fs::write(&scan, fixtures::scanned_pdf()).unwrap();
    let photo = dir.path().join("id.png");
    std::fs::write(&photo, fixtures::png()).unwrap();

    let pdf_id = h.ok(&["doc", "add", &id, pdf.to_str().unwrap()]);
    h.ok(&["doc", "add", &id, docx.to_str().unwrap()]);
    let out = h.run(&["doc", "add", &id, scan.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no text layer"));
    h.ok(&["doc", "add", &id, photo.to_str().unwrap()]);

    let list = h.json(&["doc", "list", &id]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    let first = list.iter().find(|d| d["id"] == pdf_id.as_str()).unwrap();
    assert_eq!(first["name"], "ira-statement.pdf");
    assert_eq!(first["media_type"], "application/pdf");
    assert_eq!(first["text_layer"], "text");
    assert_eq!(first["stored_here"], true);
    assert_eq!(first["size"], std::fs::metadata(&pdf).unwrap().len());
    let layers: Vec<&str> = list
        .iter()
        .map(|d| d["text_layer"].as_str().unwrap())
        .collect();
    assert!(
        layers.contains(&"no_text_layer") && layers.contains(&"image"),
        "{layers:?}"
    );

    let hits = h.json(&["search", "siobhan", "--kind", "document"]);
    assert_eq!(hits[0]["item_id"], pdf_id.as_str());
    assert_eq!(
        h.json(&["search", "fee schedule"])[0]["title"],
        "letter.docx"
    );

    let back = dir.path().join("back.pdf");
    h.ok(&["doc", "get", &id, &pdf_id, back.to_str().unwrap()]);
    assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&pdf).unwrap());
    assert!(
        h.fails(&["doc", "get", &id, &pdf_id, back.to_str().unwrap()])
            .contains("must not exist")
    );
    assert!(
        h.fails(&["doc", "get", &id, "nope", "x"])
            .contains("no document with id")
    );
}

#[test]
fn bad_files_get_clear_errors_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let h = Hearth::init(&dir.path().join("p"), "Avery Advisor", "pw");
    let id = h.ok(&["household", "create", "--name", "Nolan"]);
    let history = h.json(&["history", &id]);

    let mut corrupt = fixtures::pdf(&["Statement"]);
    for b in corrupt.iter_mut().skip(16) {
        *b = b'#';
    }
    let big = vec![b'x'; 26 * 1024 * 1024];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("corrupt.pdf", corrupt, "PDF is damaged"),
        (
            "locked.pdf",
            fixtures::encrypted_pdf(),
            "encrypted (password-protected)",
        ),
        (
            "bomb.docx",
            fixtures::zip_bomb_docx(100 * 1024 * 1024),
            "zip bomb",
        ),
        ("huge.txt", big, "over the 26214400-byte limit"),
        (
            "tool.exe",
            b"MZ\x90\x00binary".to_vec(),
            "not a supported document type",
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let err = h.fails(&["doc", "add", &id, path.to_str().unwrap()]);
        assert!(err.contains(expected), "{name}: {err}");
    }
    assert!(h.json(&["doc", "list", &id]).as_array().unwrap().is_empty());
    assert_eq!(h.json(&["history", &id]), history, "nothing was written");
    let blobs = dir.path().join("p").join("blobs");
    assert!(!blobs.exists() || std::fs::read_dir(&blobs).unwrap().count() == 0);
}

#[test]
fn no_plaintext_anywhere_in_the_profile_directory() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p");
    let h = Hearth::init(&profile, "Avery Advisor", "pw");
    let id = h.ok(&["household", "create", "--name", "Quillfeather Household"]);
    let note_phrase = "periwinkle xylophone trustee";
    let transcript_phrase = "gossamer rhubarb annuity";
    let document_phrase = "obsidian marzipan endowment";
    h.ok(&[
        "note",
        "add",
        &id,
        "--category",
        "planning",
        "--text",
        &format!("Discussed the {note_phrase} question."),
    ]);
    let transcript = dir.path().join("call.txt");
    std::fs::write(
        &transcript,
        format!("Advisor: Shall we review the {transcript_phrase}?\nClient: Yes please.\n"),
    )
    .unwrap();
    h.ok(&[
        "meeting",
        "import-transcript",
        &id,
        transcript.to_str().unwrap(),
        "--consent-by",
        "Client",
    ]);
    let pdf = dir.path().join("plan.pdf");
    std::fs::write(
        &pdf,
        fixtures::pdf(&[&format!("The {document_phrase} schedule")]),
    )
    .unwrap();
    h.ok(&["doc", "add", &id, pdf.to_str().unwrap()]);

    // Every phrase is findable (so the index and text store really hold them)...
    for phrase in [note_phrase, transcript_phrase, document_phrase] {
        let hits = h.json(&["search", &format!("\"{phrase}\"")]);
        assert_eq!(hits.as_array().unwrap().len(), 1, "{phrase}: {hits}");
    }
    // ...and no file of the profile holds any of them, nor a distinctive part of them.
    let files = all_files(&profile);
    let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    assert!(names.iter().any(|n| n.ends_with("hearth.db")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("/index/")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("/blobs/")), "{names:?}");
    for (path, bytes) in &files {
        for needle in [
            note_phrase,
            "periwinkle",
            transcript_phrase,
            "gossamer",
            document_phrase,
            "marzipan",
            "Quillfeather",
        ] {
            assert!(
                !contains(bytes, needle.as_bytes()),
                "{needle} in plaintext in {}",
                path.display()
            );
        }
        // The PDF's own bytes (and its hash) are not on disk either.
        let sha = hearth_e2e_sha256(&std::fs::read(&pdf).unwrap());
        assert!(
            !contains(bytes, sha.as_bytes()),
            "document hash in {}",
            path.display()
        );
        assert!(!path.display().to_string().contains(&sha));
    }
}

fn hearth_e2e_sha256(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
