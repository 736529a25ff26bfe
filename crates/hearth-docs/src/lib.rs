//! Client documents: what a file is and the text inside it.
//!
//! [`extract`] takes the bytes of a file an advisor attaches (PDF, DOCX, TXT, CSV or an image)
//! and returns its media type and, where there is one, its text for search. Every input is
//! treated as hostile: sizes are checked before anything is parsed, a DOCX is decompressed
//! through a hard byte limit (a zip bomb stops at the limit, it is never inflated), and a PDF
//! parser panic is caught and reported as a damaged file. Nothing here touches the disk.
#![forbid(unsafe_code)]

use std::io::Read;

pub mod fixtures;

/// Default largest document accepted: 25 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 25 * 1024 * 1024;
/// Default largest amount a DOCX may decompress to: 64 MiB.
pub const DEFAULT_MAX_DECOMPRESSED_BYTES: u64 = 64 * 1024 * 1024;
/// Default largest amount of extracted text kept for search: 4 MiB.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;
/// A DOCX with more entries than this is refused.
const MAX_ZIP_ENTRIES: usize = 10_000;

/// Limits applied while reading a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Largest total a compressed container (DOCX) may expand to.
    pub max_decompressed_bytes: u64,
    /// Extracted text beyond this many bytes is cut (at a character boundary).
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_decompressed_bytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
            max_text_bytes: DEFAULT_MAX_TEXT_BYTES,
        }
    }
}

/// Why a document was refused. Nothing is stored for a refused document.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocError {
    /// Larger than the limit.
    #[error(
        "the file is {size} bytes, over the {limit}-byte limit for documents; attach a smaller file (or raise the limit with `hearth doc limit BYTES`)"
    )]
    TooLarge {
        /// Size of the file.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is empty.
    #[error("the file is empty")]
    Empty,
    /// A PDF that cannot be parsed.
    #[error("the PDF is damaged or not really a PDF ({0}); nothing was attached")]
    CorruptPdf(String),
    /// A password-protected PDF.
    #[error("the PDF is encrypted (password-protected); save an unprotected copy and attach that")]
    EncryptedPdf,
    /// A DOCX that is not a valid Word document.
    #[error("the DOCX is damaged or not a Word document ({0}); nothing was attached")]
    CorruptDocx(String),
    /// A DOCX that expands past the decompression limit.
    #[error(
        "the DOCX expands to more than {limit} bytes when decompressed (a zip bomb or an unusually large document); nothing was attached"
    )]
    ZipBomb {
        /// The limit.
        limit: u64,
    },
    /// A type Hearth does not attach.
    #[error(
        "'{0}' is not a supported document type; attach PDF, DOCX, TXT, CSV or an image (PNG, JPEG, GIF, WebP, TIFF, HEIC)"
    )]
    Unsupported(String),
}

/// Whether a document carries text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextLayer {
    /// Text was extracted.
    Text,
    /// A PDF with pages but no text (a scan): stored, not searchable by content.
    NoTextLayer,
    /// An image: stored, no text.
    Image,
}

impl TextLayer {
    /// The name stored in the household's document reference.
    pub fn as_str(&self) -> &'static str {
        match self {
            TextLayer::Text => "text",
            TextLayer::NoTextLayer => "no_text_layer",
            TextLayer::Image => "image",
        }
    }
}

/// What [`extract`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// Media type, e.g. `application/pdf`.
    pub media_type: &'static str,
    /// Whether there is text.
    pub text_layer: TextLayer,
    /// The text, for search (`None` for images and scans).
    pub text: Option<String>,
}

/// Checks a file's size against the limit before it is read.
pub fn check_size(size: u64, limits: &Limits) -> Result<(), DocError> {
    if size > limits.max_file_bytes {
        return Err(DocError::TooLarge {
            size,
            limit: limits.max_file_bytes,
        });
    }
    if size == 0 {
        return Err(DocError::Empty);
    }
    Ok(())
}

const DOCX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Identifies the document by its content (and, for text formats, its name) and extracts its
/// text.
pub fn extract(name: &str, bytes: &[u8], limits: &Limits) -> Result<Extracted, DocError> {
    check_size(bytes.len() as u64, limits)?;
    let extension = std::path::Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if let Some(media_type) = image_type(bytes) {
        return Ok(Extracted {
            media_type,
            text_layer: TextLayer::Image,
            text: None,
        });
    }
    if bytes.starts_with(b"%PDF-") || extension == "pdf" {
        return pdf(bytes, limits);
    }
    if bytes.starts_with(b"PK\x03\x04") || extension == "docx" {
        if extension != "docx" && extension != "zip" && !extension.is_empty() {
            return Err(DocError::Unsupported(name.to_string()));
        }
        return docx(bytes, limits);
    }
    let media_type = match extension.as_str() {
        "txt" | "text" | "md" | "" => "text/plain",
        "csv" => "text/csv",
        _ => return Err(DocError::Unsupported(name.to_string())),
    };
    if bytes.contains(&0) {
        // NUL bytes: binary content under a text name.
        return Err(DocError::Unsupported(name.to_string()));
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok(with_text(media_type, text.to_string(), limits))
}

fn with_text(media_type: &'static str, text: String, limits: &Limits) -> Extracted {
    let text = truncate(text, limits.max_text_bytes);
    if text.trim().is_empty() {
        Extracted {
            media_type,
            text_layer: if media_type == "application/pdf" {
                TextLayer::NoTextLayer
            } else {
                TextLayer::Text
            },
            text: None,
        }
    } else {
        Extracted {
            media_type,
            text_layer: TextLayer::Text,
            text: Some(text),
        }
    }
}

fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

fn image_type(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("image/webp")
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Some("image/tiff")
    } else if bytes.get(4..8) == Some(b"ftyp")
        && matches!(
            bytes.get(8..12),
            Some(b"heic" | b"heix" | b"mif1" | b"msf1")
        )
    {
        Some("image/heic")
    } else {
        None
    }
}

/// Whether the PDF declares encryption. The trailer (or cross-reference stream dictionary,
/// which is never compressed) names `/Encrypt`; checking the raw bytes catches it before any
/// parser tries (and possibly fails obscurely) to decrypt.
fn declares_encryption(bytes: &[u8]) -> bool {
    const KEY: &[u8] = b"/Encrypt";
    bytes.windows(KEY.len() + 1).any(|w| {
        w.starts_with(KEY) && {
            let next = w[KEY.len()];
            // `/EncryptMetadata` is a different key; a delimiter or space ends the name.
            !next.is_ascii_alphanumeric()
        }
    })
}

fn pdf(bytes: &[u8], limits: &Limits) -> Result<Extracted, DocError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(DocError::CorruptPdf("it has no PDF header".into()));
    }
    if declares_encryption(bytes) {
        return Err(DocError::EncryptedPdf);
    }
    // lopdf is a maintained, pure-Rust parser, but a hostile file must never take the
    // process down: a panic inside it is a damaged file.
    let parsed = std::panic::catch_unwind(|| -> Result<String, DocError> {
        let doc =
            lopdf::Document::load_mem(bytes).map_err(|e| DocError::CorruptPdf(e.to_string()))?;
        if doc.is_encrypted() {
            return Err(DocError::EncryptedPdf);
        }
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        if pages.is_empty() {
            return Err(DocError::CorruptPdf("it has no pages".into()));
        }
        let mut text = String::new();
        for page in pages {
            // One unreadable page (an unusual font encoding) leaves the others searchable.
            match doc.extract_text(&[page]) {
                Ok(page_text) => {
                    text.push_str(&page_text);
                    text.push('\n');
                }
                Err(e) => tracing::debug!(page, error = %e, "PDF page text not extracted"),
            }
            if text.len() > limits.max_text_bytes {
                break;
            }
        }
        Ok(text)
    });
    let text = match parsed {
        Ok(result) => result?,
        Err(_) => return Err(DocError::CorruptPdf("the parser could not read it".into())),
    };
    Ok(with_text("application/pdf", text, limits))
}

fn docx(bytes: &[u8], limits: &Limits) -> Result<Extracted, DocError> {
    let corrupt = |e: &dyn std::fmt::Display| DocError::CorruptDocx(e.to_string());
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| corrupt(&e))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(DocError::CorruptDocx(format!(
            "it has {} entries, more than {MAX_ZIP_ENTRIES}",
            archive.len()
        )));
    }
    // Declared sizes can lie, so they are only a first check; the read below is bounded.
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| corrupt(&e))?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > limits.max_decompressed_bytes {
        return Err(DocError::ZipBomb {
            limit: limits.max_decompressed_bytes,
        });
    }
    let mut xml = Vec::new();
    {
        let entry = archive
            .by_name("word/document.xml")
            .map_err(|_| DocError::CorruptDocx("it has no word/document.xml".into()))?;
        entry
            .take(limits.max_decompressed_bytes + 1)
            .read_to_end(&mut xml)
            .map_err(|e| corrupt(&e))?;
    }
    if xml.len() as u64 > limits.max_decompressed_bytes {
        return Err(DocError::ZipBomb {
            limit: limits.max_decompressed_bytes,
        });
    }
    let text = docx_text(&xml).map_err(|e| corrupt(&e))?;
    Ok(with_text(DOCX_MEDIA_TYPE, text, limits))
}

/// The text of WordprocessingML: runs' `w:t`, with paragraph breaks, tabs and line breaks.
fn docx_text(xml: &[u8]) -> Result<String, quick_xml::Error> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut text = String::new();
    let mut in_text = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.local_name().as_ref() == b"t" => in_text = true,
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => text.push('\n'),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" => text.push('\t'),
                b"br" | b"cr" => text.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => text.push_str(&t.unescape()?),
            Event::CData(t) if in_text => text.push_str(&String::from_utf8_lossy(&t)),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_marker_is_not_confused_with_encrypt_metadata() {
        assert!(declares_encryption(b"trailer << /Encrypt 5 0 R >>"));
        assert!(declares_encryption(b"<</Encrypt<</Filter/Standard>>>>"));
        assert!(!declares_encryption(b"<< /EncryptMetadata false >>"));
    }

    #[test]
    fn text_is_cut_at_a_character_boundary() {
        assert_eq!(truncate("héllo".to_string(), 2), "h");
        assert_eq!(truncate("abc".to_string(), 10), "abc");
    }
}
