//! Small, real documents built in memory, for tests (here and end-to-end): a PDF with a text
//! layer, a scanned-style PDF without one, an encrypted PDF, a DOCX, and a zip-bomb DOCX.

use std::io::Write;

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

fn pdf_with_operations(operations: Vec<Operation>, encrypted: bool) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let content = Content { operations };
    // Encoding a content stream built from literal operations cannot fail; an empty stream
    // is still a valid page if it somehow did.
    let bytes = content.encode().unwrap_or_default();
    let content_id = doc.add_object(Stream::new(dictionary! {}, bytes));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    doc.trailer.set("Root", catalog_id);
    if encrypted {
        // The standard security handler's dictionary, as a password-protected file has it.
        let encrypt_id = doc.add_object(dictionary! {
            "Filter" => "Standard",
            "V" => 2,
            "R" => 3,
            "Length" => 128,
            "P" => -3904,
            "O" => Object::string_literal(vec![0x11u8; 32]),
            "U" => Object::string_literal(vec![0x22u8; 32]),
        });
        doc.trailer.set("Encrypt", encrypt_id);
    }
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = doc.save_to(&mut out);
    out
}

/// A one-page PDF whose text layer holds `lines`.
pub fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut ops = vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), 12.into()]),
        Operation::new("TL", vec![16.into()]),
        Operation::new("Td", vec![72.into(), 700.into()]),
    ];
    for line in lines {
        ops.push(Operation::new("Tj", vec![Object::string_literal(*line)]));
        ops.push(Operation::new("T*", vec![]));
    }
    ops.push(Operation::new("ET", vec![]));
    pdf_with_operations(ops, false)
}

/// A one-page PDF with only drawing on it, as a scanner produces (no text layer).
pub fn scanned_pdf() -> Vec<u8> {
    pdf_with_operations(
        vec![
            Operation::new("re", vec![72.into(), 72.into(), 400.into(), 600.into()]),
            Operation::new("f", vec![]),
        ],
        false,
    )
}

/// A PDF that declares password protection.
pub fn encrypted_pdf() -> Vec<u8> {
    pdf_with_operations(
        vec![
            Operation::new("re", vec![72.into(), 72.into(), 100.into(), 100.into()]),
            Operation::new("f", vec![]),
        ],
        true,
    )
}

fn docx_with_document_xml(document_xml: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(document_xml.len() > u32::MAX as usize / 2);
    let content_types = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    // Writing to memory cannot fail.
    let _ = zip.start_file("[Content_Types].xml", options);
    let _ = zip.write_all(content_types);
    let _ = zip.start_file("_rels/.rels", options);
    let _ = zip.write_all(rels);
    let _ = zip.start_file("word/document.xml", options);
    let _ = zip.write_all(document_xml);
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A DOCX whose body has one paragraph per entry of `paragraphs`.
pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#,
    );
    for p in paragraphs {
        xml.push_str(&format!(
            r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
            escape(p)
        ));
    }
    xml.push_str("</w:body></w:document>");
    docx_with_document_xml(xml.as_bytes())
}

/// A small DOCX whose `word/document.xml` inflates to `inflated_bytes` (spaces compress
/// about 1000:1).
pub fn zip_bomb_docx(inflated_bytes: usize) -> Vec<u8> {
    let mut xml = Vec::with_capacity(inflated_bytes + 200);
    xml.extend_from_slice(
        br#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>"#,
    );
    xml.resize(inflated_bytes, b' ');
    xml.extend_from_slice(b"</w:t></w:r></w:p></w:body></w:document>");
    docx_with_document_xml(&xml)
}

/// A minimal valid PNG (1×1 pixel).
pub fn png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
        0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
        0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ]
}
