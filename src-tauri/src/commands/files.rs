//! Files in and out of the desk: the whole profile as JSON and back, a Wealthbox/Redtail
//! export (previewed, columns mapped, then imported), a client document and a meeting's
//! captions saved to the Downloads folder, and opening what was saved.
//!
//! Files come in as bytes (the UI's file input; see `args::file_request`), never as paths
//! the web view chose. Files go out only to the advisor's Downloads folder, under a name
//! that is never an existing file's, and only a file saved this way can be opened.

use std::path::{Path, PathBuf};

use hearth_profile::{CrmFormat, ImportPlan, ImportReport, ImportedHousehold};
use serde::{Deserialize, Serialize};
use tauri::ipc::Request;
use tauri::{AppHandle, Manager, State};

use crate::args::{file_request, invalid};
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// The Downloads folder (or the home directory where there is none).
fn downloads(app: &AppHandle) -> CommandResult<PathBuf> {
    app.path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|e| {
            CommandError::new(
                "io",
                format!("Hearth cannot find your Downloads folder ({e})."),
            )
        })
}

/// `dir/name`, or `dir/name (2)`, `(3)`… — never a file that exists. `name` is reduced to a
/// plain file name (a document's name comes from whoever attached it).
fn unique_path(dir: &Path, name: &str) -> PathBuf {
    let plain: String = name
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '\0') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let plain = plain.trim_start_matches('.').trim();
    let plain = if plain.is_empty() { "file" } else { plain };
    let (stem, ext) = match plain.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_string(), format!(".{e}")),
        _ => (plain.to_string(), String::new()),
    };
    let mut candidate = dir.join(plain);
    let mut n = 2;
    while candidate.exists() {
        candidate = dir.join(format!("{stem} ({n}){ext}"));
        n += 1;
    }
    candidate
}

/// Writes `bytes` to a new file in Downloads and remembers it as openable.
fn save(app: &AppHandle, state: &AppState, name: &str, bytes: &[u8]) -> CommandResult<String> {
    let dir = downloads(app)?;
    std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
    let path = unique_path(&dir, name);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| io_error(&path, e))?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| io_error(&path, e))?;
    file.sync_all().map_err(|e| io_error(&path, e))?;
    let shown = path.display().to_string();
    if let Ok(mut saved) = state.saved_files.lock() {
        saved.insert(path);
    }
    Ok(shown)
}

fn io_error(path: &Path, e: std::io::Error) -> CommandError {
    CommandError::new(
        "io",
        format!("Hearth could not write {}: {e}.", path.display()),
    )
}

/// Saves everything in the profile as one JSON file (the format `hearth export` writes and
/// `hearth import` reads); returns where.
#[tauri::command]
pub async fn export_profile(app: AppHandle, state: State<'_, AppState>) -> CommandResult<String> {
    let dir = downloads(&app)?;
    let name = format!(
        "hearth-export-{}.json",
        chrono::Local::now().format("%Y-%m-%d")
    );
    let path = unique_path(&dir, &name);
    let target = path.clone();
    state.with_profile(move |p| Ok(p.export(&target)?)).await?;
    if let Ok(mut saved) = state.saved_files.lock() {
        saved.insert(path.clone());
    }
    Ok(path.display().to_string())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileName {
    file_name: String,
}

/// Imports a file written by `hearth export` or Export profile (households already here are
/// merged; a bad file imports nothing).
#[tauri::command]
pub async fn import_profile(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> CommandResult<ImportReport> {
    let (args, bytes): (FileName, Vec<u8>) = file_request(&request)?;
    let report = state
        .with_profile(move |p| Ok(p.import_bytes(&bytes, Path::new(&args.file_name))?))
        .await?;
    state.sync.kick();
    Ok(report)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CsvArgs {
    file_name: String,
    format: String,
    /// Column → field overrides (`ignore` drops a column).
    #[serde(default)]
    mapping: Vec<(String, String)>,
    /// Import (true) or only preview (false).
    #[serde(default)]
    apply: bool,
}

/// What a CSV import did, or would do.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct CsvImport {
    /// The plan: households, members, columns used, warnings; `exists` marks households
    /// that are skipped because the profile has them.
    pub plan: ImportPlan,
    /// The households created (empty for a preview).
    pub created: Vec<ImportedHousehold>,
    /// The fields a column can be mapped to.
    pub fields: Vec<String>,
}

/// The fields a CSV column can be mapped to (the wizard offers them before any preview).
#[tauri::command]
pub async fn csv_fields() -> CommandResult<Vec<String>> {
    Ok(hearth_profile::CRM_FIELDS
        .iter()
        .map(|f| f.to_string())
        .collect())
}

/// Previews (or, with `apply`, runs) the import of a Wealthbox or Redtail contact export.
#[tauri::command]
pub async fn import_csv(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> CommandResult<CsvImport> {
    let (args, bytes): (CsvArgs, Vec<u8>) = file_request(&request)?;
    let format: CrmFormat = args.format.parse().map_err(invalid)?;
    let outcome = state
        .with_profile(move |p| {
            let mut plan = hearth_profile::plan_crm_import_bytes(
                bytes,
                Path::new(&args.file_name),
                format,
                &args.mapping,
            )?;
            p.check_crm_import(&mut plan)?;
            let created = if args.apply {
                p.apply_crm_import(&mut plan)?
            } else {
                Vec::new()
            };
            Ok(CsvImport {
                plan,
                created,
                fields: hearth_profile::CRM_FIELDS
                    .iter()
                    .map(|f| f.to_string())
                    .collect(),
            })
        })
        .await?;
    if !outcome.created.is_empty() {
        state.sync.kick();
    }
    Ok(outcome)
}

/// Saves a client document to Downloads; returns where.
#[tauri::command]
pub async fn save_document(
    app: AppHandle,
    state: State<'_, AppState>,
    household_id: String,
    document_id: String,
) -> CommandResult<String> {
    let (name, bytes) = state
        .with_profile(move |p| {
            let data = p.household_data(&household_id)?;
            let reference = data.documents.get(&document_id).cloned().ok_or_else(|| {
                CommandError::new("not_found", "That document is not in this household.")
            })?;
            let bytes = p.blob(&reference.sha256)?.ok_or_else(|| {
                CommandError::new(
                    "not_found",
                    format!(
                        "The file of '{}' is not on this laptop yet: it arrives with the next sync once its owner has synced.",
                        reference.name
                    ),
                )
            })?;
            Ok((reference.name, bytes))
        })
        .await?;
    save(&app, &state, &name, &bytes)
}

/// Saves a meeting's transcript as WebVTT captions to Downloads; returns where.
#[tauri::command]
pub async fn export_vtt(
    app: AppHandle,
    state: State<'_, AppState>,
    meeting_id: String,
) -> CommandResult<String> {
    let (title, vtt) = state
        .with_profile(move |p| {
            let found = p.find_meeting(&meeting_id)?;
            Ok((
                found.meeting.title.clone(),
                hearth_profile::meeting_vtt(&found.meeting),
            ))
        })
        .await?;
    save(&app, &state, &format!("{title}.vtt"), vtt.as_bytes())
}

/// Opens a file saved by Hearth this session with the system's default application.
#[tauri::command]
pub async fn open_saved(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<()> {
    let path = PathBuf::from(path);
    let known = state
        .saved_files
        .lock()
        .map(|saved| saved.contains(&path))
        .unwrap_or(false);
    if !known {
        return Err(CommandError::new(
            "not_found",
            "Hearth only opens files it saved itself.",
        ));
    }
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| CommandError::new("io", format!("No application could open the file ({e}).")))
}

#[cfg(test)]
mod tests {
    use super::unique_path;

    #[test]
    fn saved_names_are_plain_and_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let first = unique_path(dir.path(), "../../etc/passwd");
        assert_eq!(first, dir.path().join("_.._etc_passwd"));
        std::fs::write(dir.path().join("Trust.pdf"), b"x").unwrap();
        assert_eq!(
            unique_path(dir.path(), "Trust.pdf"),
            dir.path().join("Trust (2).pdf")
        );
        assert_eq!(unique_path(dir.path(), ".."), dir.path().join("file"));
    }
}
