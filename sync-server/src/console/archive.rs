//! The firm admin's archive page: browse the firm's archive log (by household, advisor and
//! date), check it, export an examiner's bundle (as a ZIP download), and manage retention and
//! legal holds. Everything goes through the archive service functions (`crate::archive`),
//! always with the admin's own firm.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hearth_relay_store::{ArchiveFilter, MAX_RETENTION_YEARS, MIN_RETENTION_YEARS};
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::{FirmUser, NoFields, Posted};
use super::views::{self, Frame};
use crate::archive::{LogCheck, parse_date, parse_end_date};
use crate::scope::FirmAction;
use crate::service::{Relay, ServiceError};

pub(super) fn routes() -> Router<Arc<Relay>> {
    Router::new()
        .route("/admin/archive", get(archive))
        .route("/admin/archive/verify", post(verify))
        .route("/admin/archive/export", post(export))
        .route("/admin/archive/retention", post(set_retention))
        .route("/admin/archive/holds", post(place_hold))
        .route("/admin/archive/holds/lift", post(lift_hold))
}

/// Entries shown per page.
const PAGE: i64 = 100;

/// `GET /admin/archive` filters (all optional; empty strings from the form mean "any").
#[derive(Deserialize, Default)]
struct Browse {
    household: Option<String>,
    advisor: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after: Option<i64>,
    notice: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "retention" => "The retention period is updated. The change is itself an archive entry.",
        "hold" => "The legal hold is in place: nothing it covers expires until it is lifted.",
        "lifted" => "The legal hold is lifted.",
        _ => return None,
    })
}

fn date_of(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn short_hex(bytes: &[u8]) -> String {
    let h = hex::encode(bytes);
    h.chars().take(16).collect()
}

/// Everything the page shows besides the top message.
async fn page(
    relay: &Relay,
    user: &FirmUser,
    browse: &Browse,
    top: Option<Markup>,
    status: StatusCode,
) -> Result<Response, Response> {
    let firm = &user.firm.id;
    let fail = |e: ServiceError| views::error_page(&e);
    let mut advisors = relay
        .store
        .list_advisors(firm)
        .await
        .map_err(|e| fail(e.into()))?;
    advisors.sort_by_key(|a| a.name.to_lowercase());
    let mut names: HashMap<String, String> = advisors
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    // Archive actions name the console user who took them ("console:<id>").
    for u in relay
        .store
        .list_console_users(Some(firm))
        .await
        .map_err(|e| fail(e.into()))?
    {
        names.insert(super::auth::actor(&u), u.email);
    }
    let households: Vec<String> = relay
        .firm_documents(firm)
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    let retention = relay.archive_retention(firm).await.map_err(fail)?;
    let head = relay.archive_latest_head(firm).await.map_err(fail)?;
    let fingerprint =
        hearth_archive::head::fingerprint(&relay.archive_public_key(firm).await.map_err(fail)?);

    // A bad date in the filter is shown, not fatal.
    let mut problems = Vec::new();
    let mut range = |v: &Option<String>, parse: fn(&str) -> Result<i64, String>| {
        non_empty(v).and_then(|t| parse(t).map_err(|e| problems.push(e)).ok())
    };
    let from = range(&browse.from, parse_date);
    let to = range(&browse.to, parse_end_date);
    let filter = ArchiveFilter {
        doc_id: non_empty(&browse.household).map(str::to_string),
        advisor_id: non_empty(&browse.advisor).map(str::to_string),
        from,
        to,
        after_seq: browse.after,
        limit: PAGE,
    };
    let entries = relay.archive_entries(firm, &filter).await.map_err(fail)?;
    let next = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let s = &user.session;
    let sel = |v: &Option<String>, x: &str| non_empty(v) == Some(x);
    let today = date_of(crate::now_ms());
    let created = date_of(user.firm.created_at);
    let mut next_query = Vec::new();
    for (k, v) in [
        ("household", &browse.household),
        ("advisor", &browse.advisor),
        ("from", &browse.from),
        ("to", &browse.to),
    ] {
        if let Some(v) = non_empty(v) {
            next_query.push((k.to_string(), v.to_string()));
        }
    }
    let next_href = next.map(|after| {
        next_query.push(("after".to_string(), after.to_string()));
        format!(
            "/admin/archive?{}",
            serde_urlencoded::to_string(&next_query).unwrap_or_default()
        )
    });
    let body = html! {
        @if let Some(top) = top { (top) }
        @if let Some(text) = browse.notice.as_deref().and_then(notice_text) { (views::notice(text)) }
        @for p in &problems { (views::problem(p)) }
        section.card.lead-card aria-labelledby="export-title" {
            h2 #export-title { "Export for an examiner" }
            form.row method="post" action="/admin/archive/export" {
                (views::csrf(s))
                div.field {
                    label for="export-from" { "From" }
                    input #export-from type="date" name="from" value=(created) required;
                }
                div.field {
                    label for="export-to" { "To (inclusive)" }
                    input #export-to type="date" name="to" value=(today) required;
                }
                button.primary type="submit" { "Export" }
            }
            p.hint { "A ZIP of the bundle: readable changes per household, review decisions, complaint records and policy versions, raw entries, signed tree heads, proofs and the public key. Give the examiner the fingerprint below by another channel." }
        }
        p.lead { "Every change the relay accepts for the firm, and every archive action, is an entry of an append-only log whose tree heads are signed with the firm's key. Give examiners the key's fingerprint below (by a channel other than the export) and they verify an export with " code { "hearth-relay archive verify EXPORT --fingerprint …" } "." }
        p { "Firm archive key fingerprint: " code data-archive="fingerprint" { (fingerprint) } }
        ul.stats {
            li { span.stat-label { "Latest signed tree head" } span.stat-value data-archive="size" {
                @if let Some(h) = &head { (h.head.size) " entries" } @else { "none yet" }
            } }
            li { span.stat-label { "Signed" } span.stat-value { @if let Some(h) = &head { (user.time(h.head.time)) } @else { "—" } } }
            li { span.stat-label { "Retention" } span.stat-value data-archive="retention" { (retention.years) " years" } }
            li { span.stat-label { "Legal holds" } span.stat-value { (retention.holds.len()) } }
        }
        div.columns {
            section.card aria-labelledby="verify-title" {
                h2 #verify-title { "Verify the log" }
                p.hint { "Checks every stored entry against its leaf hash, every tree head's signature and root, and the second copy." }
                form method="post" action="/admin/archive/verify" {
                    (views::csrf(s))
                    button.primary type="submit" { "Verify" }
                }
            }
        }
        @if user.may(FirmAction::ManageArchive) {
            section.card aria-labelledby="retention-title" {
                h2 #retention-title { "Retention" }
                p { "Entries are kept " strong { (retention.years) " years" } " after they are accepted (never less than " (retention.min_years) "). The period can be lengthened; it cannot be shortened while any entry is still within it." }
                form.row method="post" action="/admin/archive/retention" {
                    (views::csrf(s))
                    div.field {
                        label for="retention-years" { "Years" }
                        input #retention-years type="number" name="years" min=(MIN_RETENTION_YEARS) max=(MAX_RETENTION_YEARS) value=(retention.years) required;
                    }
                    button type="submit" { "Set retention" }
                }
            }
            section.card aria-labelledby="holds-title" {
                h2 #holds-title { "Legal holds" }
                @if retention.holds.is_empty() {
                    p.muted { "No legal holds." }
                } @else {
                    table {
                        caption { "Legal holds in force" }
                        thead { tr { th scope="col" { "Covers" } th scope="col" { "Reason" } th scope="col" { "Placed" } th scope="col" { span.sr { "Actions" } } } }
                        tbody {
                            @for h in &retention.holds {
                                tr {
                                    td { @if let Some(d) = &h.household { "Household " code { (d) } } @else { "The whole firm" } }
                                    td { (h.reason) }
                                    td { (user.time(h.placed_at)) }
                                    td.actions {
                                        form.inline method="post" action="/admin/archive/holds/lift" data-confirm="Lift this legal hold? Entries it covers may then expire." {
                                            (views::csrf(s))
                                            input type="hidden" name="household" value=(h.household.clone().unwrap_or_default());
                                            button.danger type="submit" { "Lift" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                form.row method="post" action="/admin/archive/holds" {
                    (views::csrf(s))
                    div.field {
                        label for="hold-scope" { "Hold covers" }
                        select #hold-scope name="household" {
                            option value="" { "The whole firm" }
                            @for d in &households { option value=(d) { "Household " (d) } }
                        }
                    }
                    div.field {
                        label for="hold-reason" { "Reason (matter or case)" }
                        input #hold-reason type="text" name="reason" required maxlength="500";
                    }
                    button type="submit" { "Place hold" }
                }
            }
        }
        section aria-labelledby="entries-title" {
            h2 #entries-title { "Entries" }
            form.row.filters method="get" action="/admin/archive" {
                div.field {
                    label for="f-household" { "Household" }
                    select #f-household name="household" {
                        option value="" { "Any" }
                        @for d in &households { option value=(d) selected[sel(&browse.household, d)] { (d) } }
                    }
                }
                div.field {
                    label for="f-advisor" { "Advisor" }
                    select #f-advisor name="advisor" {
                        option value="" { "Any" }
                        @for a in &advisors { option value=(a.id) selected[sel(&browse.advisor, &a.id)] { (a.name) } }
                    }
                }
                div.field {
                    label for="f-from" { "From" }
                    input #f-from type="date" name="from" value=(non_empty(&browse.from).unwrap_or_default());
                }
                div.field {
                    label for="f-to" { "To" }
                    input #f-to type="date" name="to" value=(non_empty(&browse.to).unwrap_or_default());
                }
                button type="submit" { "Show" }
            }
            table {
                caption { "Archive entries of " (user.firm.name) }
                thead { tr {
                    th scope="col" { "#" } th scope="col" { "Accepted" } th scope="col" { "Kind" } th scope="col" { "Advisor" }
                    th scope="col" { "Household" } th scope="col" { "Change hash" } th scope="col" { "Bytes" }
                } }
                tbody {
                    @for e in &entries {
                        tr data-entry=(e.seq) {
                            td.num { (e.seq) }
                            td { (user.time(e.at)) }
                            td { (format!("{:?}", e.kind).to_lowercase()) }
                            td { (names.get(&e.advisor_id).map(String::as_str).unwrap_or(&e.advisor_id)) }
                            td { @if e.doc_id.is_empty() { span.muted { "—" } } @else { code { (e.doc_id) } } }
                            td { small.id { (short_hex(&e.change_hash)) "…" } }
                            td { @if e.expired_at.is_some() { span.badge.off { "Expired" } } @else { span.badge.on { "Kept" } } }
                        }
                    }
                    @if entries.is_empty() {
                        tr { td colspan="7" { "No entries match." } }
                    }
                }
            }
            @if let Some(href) = &next_href {
                p { a href=(href) { "Next " (PAGE) " entries →" } }
            }
        }
    };
    let frame = Frame {
        session: Some(s),
        firm_name: Some(&user.firm.name),
        active: "/admin/archive",
    };
    Ok((status, views::page("Archive", &frame, body)).into_response())
}

async fn archive(
    State(relay): State<Arc<Relay>>,
    user: FirmUser,
    Query(browse): Query<Browse>,
) -> Result<Response, Response> {
    user.require(FirmAction::ReadArchive)?;
    page(&relay, &user, &browse, None, StatusCode::OK).await
}

fn check_result(check: &LogCheck) -> Markup {
    html! {
        section.card role="status" aria-labelledby="check-title" {
            h2 #check-title { "Verification" }
            @match &check.problem {
                None => p.verify-ok { "✔ Everything verifies." },
                Some(problem) => p.verify-bad { "✘ Does not verify: " (problem) },
            }
            dl.facts {
                dt { "Entries" } dd { (check.entries) }
                dt { "Expired (leaf hash kept)" } dd { (check.expired) }
                dt { "Tree heads checked" } dd { (check.tree_heads) }
                dt { "Entries in the second copy" } dd { (check.mirrored) }
                @if let Some(h) = &check.latest_head {
                    dt { "Latest root" } dd { code { (hex::encode(h.head.root)) } }
                }
            }
        }
    }
}

async fn verify(
    State(relay): State<Arc<Relay>>,
    posted: Posted<NoFields>,
) -> Result<Response, Response> {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::ReadArchive)?;
    // Sign a head over what has arrived since the last one, so the check covers it all.
    relay
        .archive_sign_head(&user.firm.id)
        .await
        .map_err(|e| views::error_page(&e))?;
    let check = relay
        .archive_check(&user.firm.id)
        .await
        .map_err(|e| views::error_page(&e))?;
    super::auth::audit(
        &relay,
        Some(&user.firm.id),
        &user.actor(),
        "archive.check",
        if check.problem.is_none() {
            "ok"
        } else {
            "problem"
        },
    )
    .await
    .map_err(|e| views::error_page(&e))?;
    let status = if check.problem.is_none() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    page(
        &relay,
        &user,
        &Browse::default(),
        Some(check_result(&check)),
        status,
    )
    .await
}

#[derive(Deserialize)]
struct ExportForm {
    from: String,
    to: String,
}

/// Zips a bundle directory (files under `prefix/`).
fn zip_dir(dir: &Path, prefix: &str) -> std::io::Result<Vec<u8>> {
    fn add(
        zip: &mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>,
        root: &Path,
        dir: &Path,
        prefix: &str,
    ) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            let path = entry.path();
            if path.is_dir() {
                add(zip, root, &path, prefix)?;
                continue;
            }
            let name = path
                .strip_prefix(root)
                .map_err(std::io::Error::other)?
                .to_string_lossy()
                .replace('\\', "/");
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file(format!("{prefix}/{name}"), options)
                .map_err(std::io::Error::other)?;
            zip.write_all(&std::fs::read(&path)?)?;
        }
        Ok(())
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    add(&mut zip, dir, dir, prefix)?;
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

async fn export(
    State(relay): State<Arc<Relay>>,
    posted: Posted<ExportForm>,
) -> Result<Response, Response> {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::ReadArchive)?;
    let form = posted.form;
    let bad = |why: String| views::error_page(&ServiceError::BadRequest(why));
    let from = parse_date(form.from.trim()).map_err(bad)?;
    let to = parse_end_date(form.to.trim()).map_err(bad)?;
    let scratch = crate::archive_http::private_scratch().map_err(|e| views::error_page(&e))?;
    let dir = scratch.path().join("bundle");
    let exported = relay
        .archive_export(
            &user.firm.id,
            (from, to),
            (form.from.trim(), form.to.trim()),
            &dir,
        )
        .await;
    let name = format!(
        "hearth-archive-{}-{}-{}",
        user.firm.id,
        form.from.trim(),
        form.to.trim()
    )
    .replace(
        |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_',
        "_",
    );
    let zipped = exported.and_then(|summary| {
        let dir = dir.clone();
        let name = name.clone();
        zip_dir(&dir, &name)
            .map(|bytes| (summary, bytes))
            .map_err(|e| ServiceError::BadRequest(format!("packing the bundle failed: {e}")))
    });
    if let Err(e) = scratch.close() {
        tracing::warn!(error = %e, "could not remove a console export's temporary directory");
    }
    let (summary, bytes) = zipped.map_err(|e| views::error_page(&e))?;
    super::auth::audit(
        &relay,
        Some(&user.firm.id),
        &user.actor(),
        "archive.export",
        &format!("{} entries", summary.entries),
    )
    .await
    .map_err(|e| views::error_page(&e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.zip\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct RetentionForm {
    years: String,
}

async fn set_retention(
    State(relay): State<Arc<Relay>>,
    posted: Posted<RetentionForm>,
) -> Result<Response, Response> {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::ManageArchive)?;
    let result = match posted.form.years.trim().parse::<i64>() {
        Ok(years) => {
            relay
                .archive_set_retention(&user.firm.id, years, &user.actor())
                .await
        }
        Err(_) => Err(ServiceError::BadRequest(
            "the retention period is a whole number of years".into(),
        )),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/archive?notice=retention").into_response()),
        Err(ServiceError::BadRequest(why)) => {
            let top = views::problem(&format!("Not changed: {why}"));
            page(
                &relay,
                &user,
                &Browse::default(),
                Some(top),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(views::error_page(&e)),
    }
}

#[derive(Deserialize)]
struct HoldForm {
    #[serde(default)]
    household: String,
    #[serde(default)]
    reason: String,
}

async fn place_hold(
    State(relay): State<Arc<Relay>>,
    posted: Posted<HoldForm>,
) -> Result<Response, Response> {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::ManageArchive)?;
    let household = Some(posted.form.household.trim()).filter(|h| !h.is_empty());
    match relay
        .archive_place_hold(&user.firm.id, household, &posted.form.reason, &user.actor())
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/archive?notice=hold").into_response()),
        Err(ServiceError::BadRequest(why)) => {
            let top = views::problem(&why);
            page(
                &relay,
                &user,
                &Browse::default(),
                Some(top),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(views::error_page(&e)),
    }
}

async fn lift_hold(
    State(relay): State<Arc<Relay>>,
    posted: Posted<HoldForm>,
) -> Result<Response, Response> {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::ManageArchive)?;
    let household = Some(posted.form.household.trim()).filter(|h| !h.is_empty());
    relay
        .archive_lift_hold(&user.firm.id, household, &user.actor())
        .await
        .map_err(|e| views::error_page(&e))?;
    Ok(Redirect::to("/admin/archive?notice=lifted").into_response())
}
