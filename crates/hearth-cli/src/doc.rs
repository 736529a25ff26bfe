//! `hearth doc ...`: attach client documents to households, list them, get them back.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use hearth_profile::Profile;

use crate::{JsonFlag, print_json};

#[derive(Subcommand)]
pub enum DocCmd {
    /// Attach a file (PDF, DOCX, TXT, CSV or an image) to a household; prints the document id.
    /// The bytes are stored encrypted in the profile; text is extracted for search.
    Add {
        /// Household id.
        id: String,
        /// The file.
        file: PathBuf,
    },
    /// List a household's documents.
    List {
        /// Household id.
        id: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Write a document's bytes to a new file.
    Get {
        /// Household id.
        id: String,
        /// Document id (from `hearth doc list`).
        doc: String,
        /// Output file (must not exist).
        out: PathBuf,
    },
    /// Show or set the largest document this profile accepts, in bytes (default 25 MiB).
    Limit {
        /// New limit in bytes.
        bytes: Option<u64>,
    },
}

/// Runs `hearth doc ...`.
pub fn run(profile: &mut Profile, cmd: DocCmd) -> Result<()> {
    match cmd {
        DocCmd::Add { id, file } => {
            let entry = profile.add_document(&id, &file)?;
            if entry.reference.text_layer.as_deref() == Some("no_text_layer") {
                eprintln!(
                    "note: {} has no text layer (a scan); it is stored, but its content is not searchable",
                    entry.reference.name
                );
            }
            println!("{}", entry.id);
        }
        DocCmd::List { id, json } => {
            let docs = profile.documents(&id)?;
            if json.json {
                return print_json(&docs);
            }
            if docs.is_empty() {
                println!("No documents. Attach one with `hearth doc add {id} FILE`.");
            }
            for d in docs {
                let r = &d.reference;
                println!(
                    "{}  {}  {}  {} bytes  {}{}",
                    d.id,
                    r.name,
                    r.media_type,
                    r.size,
                    r.text_layer.as_deref().unwrap_or("unknown"),
                    if d.stored_here {
                        ""
                    } else {
                        "  (not on this laptop yet: run `hearth sync`)"
                    }
                );
            }
        }
        DocCmd::Limit { bytes } => {
            if let Some(bytes) = bytes {
                if bytes == 0 {
                    anyhow::bail!("the limit must be at least 1 byte");
                }
                profile.set_setting(hearth_profile::MAX_BYTES_SETTING, &bytes.to_string())?;
            }
            println!("{}", profile.document_limits()?.max_file_bytes);
        }
        DocCmd::Get { id, doc, out } => {
            let reference = profile.save_document(&id, &doc, &out)?;
            println!(
                "Wrote {} ({} bytes) to {}",
                reference.name,
                reference.size,
                out.display()
            );
        }
    }
    Ok(())
}
