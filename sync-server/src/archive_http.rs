//! REST handlers for `/v1/admin/archive/*` (firm admins only; each acts on the caller's own
//! firm). The routes are listed in `http.rs` and documented in `openapi.yaml`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use hearth_relay_store::ArchiveFilter;
use serde::Deserialize;
use serde_json::json;

use crate::archive::{parse_date, parse_end_date};
use crate::http::{ApiError, Caller};
use crate::scope::Identity;
use crate::service::{Relay, ServiceError};

type ApiResult<T> = Result<T, ApiError>;

fn admin(who: &Identity) -> Result<String, ApiError> {
    if who.is_admin {
        Ok(format!("advisor:{}", who.advisor_id))
    } else {
        Err(ApiError(ServiceError::Forbidden("firm admins only")))
    }
}

fn bad(why: String) -> ApiError {
    ApiError(ServiceError::BadRequest(why))
}

/// Query of `GET /v1/admin/archive/entries`.
#[derive(Deserialize)]
pub struct EntriesQuery {
    household: Option<String>,
    advisor: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after: Option<i64>,
    limit: Option<i64>,
}

/// `GET /v1/admin/archive/entries`: entries by household, advisor, date range; paged.
pub async fn entries(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Query(q): Query<EntriesQuery>,
) -> ApiResult<impl IntoResponse> {
    admin(&who)?;
    let filter = ArchiveFilter {
        doc_id: q.household,
        advisor_id: q.advisor,
        from: q.from.as_deref().map(parse_date).transpose().map_err(bad)?,
        to: q
            .to
            .as_deref()
            .map(parse_end_date)
            .transpose()
            .map_err(bad)?,
        after_seq: q.after,
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
    };
    Ok(Json(relay.archive_entries(&who.firm_id, &filter).await?))
}

/// `GET /v1/admin/archive/head`: the latest signed tree head and the public key.
pub async fn head(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
) -> ApiResult<impl IntoResponse> {
    admin(&who)?;
    let head = relay.archive_latest_head(&who.firm_id).await?;
    let key = relay.archive_public_key(&who.firm_id).await?;
    Ok(Json(
        json!({ "firm": who.firm_id, "head": head, "public_key": hex::encode(key) }),
    ))
}

/// `POST /v1/admin/archive/head`: signs a head over everything archived now.
pub async fn sign_head(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
) -> ApiResult<impl IntoResponse> {
    admin(&who)?;
    let head = relay.archive_sign_head(&who.firm_id).await?;
    let key = relay.archive_public_key(&who.firm_id).await?;
    Ok(Json(
        json!({ "firm": who.firm_id, "head": head, "public_key": hex::encode(key) }),
    ))
}

/// Query of the inclusion-proof endpoint.
#[derive(Deserialize)]
pub struct InclusionQuery {
    seq: u64,
    size: u64,
}

/// `GET /v1/admin/archive/proofs/inclusion?seq=&size=`.
pub async fn inclusion(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Query(q): Query<InclusionQuery>,
) -> ApiResult<impl IntoResponse> {
    admin(&who)?;
    let proof = relay
        .archive_inclusion_proof(&who.firm_id, q.seq, q.size)
        .await?;
    Ok(Json(
        json!({ "seq": q.seq, "size": q.size, "hashes": proof.iter().map(hex::encode).collect::<Vec<_>>() }),
    ))
}

/// Query of the consistency-proof endpoint.
#[derive(Deserialize)]
pub struct ConsistencyQuery {
    old: u64,
    new: u64,
}

/// `GET /v1/admin/archive/proofs/consistency?old=&new=`.
pub async fn consistency(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Query(q): Query<ConsistencyQuery>,
) -> ApiResult<impl IntoResponse> {
    admin(&who)?;
    let proof = relay
        .archive_consistency_proof(&who.firm_id, q.old, q.new)
        .await?;
    Ok(Json(
        json!({ "old": q.old, "new": q.new, "hashes": proof.iter().map(hex::encode).collect::<Vec<_>>() }),
    ))
}

/// Query of the witness endpoint.
#[derive(Deserialize)]
pub struct WitnessQuery {
    /// The size of the last head the desk saw (0: none yet).
    #[serde(default)]
    since: u64,
}

/// `GET /v1/archive/witness?since=N`, for every desk of the firm (not only admins): the
/// firm's latest signed tree head, the archive's public key, and a consistency proof from
/// the tree of `since` entries to it. Each desk keeps the last head it saw and checks that
/// the next one extends it, so a relay whose log was rewritten or forked is caught by any
/// desk (certificate-transparency gossip). Heads hold sizes, times and hashes — nothing of
/// any household.
pub async fn witness(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Query(q): Query<WitnessQuery>,
) -> ApiResult<impl IntoResponse> {
    let key = relay.archive_public_key(&who.firm_id).await?;
    let head = relay.archive_latest_head(&who.firm_id).await?;
    let proof = match &head {
        Some(h) if q.since > 0 && q.since < h.head.size => {
            relay
                .archive_consistency_proof(&who.firm_id, q.since, h.head.size)
                .await?
        }
        _ => Vec::new(),
    };
    Ok(Json(json!({
        "head": head,
        "public_key": hex::encode(key),
        "consistency": proof.iter().map(hex::encode).collect::<Vec<_>>(),
    })))
}

/// `GET /v1/admin/archive/check`: the stored log and its second copy, verified.
pub async fn check(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
) -> ApiResult<impl IntoResponse> {
    admin(&who)?;
    relay.archive_mirror(&who.firm_id).await?;
    Ok(Json(relay.archive_check(&who.firm_id).await?))
}

/// Body of `POST /v1/admin/archive/export`.
#[derive(Deserialize)]
pub struct ExportBody {
    from: String,
    to: String,
}

/// `POST /v1/admin/archive/export`: the bundle as JSON `{ "files": { path: text } }`.
pub async fn export(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Json(body): Json<ExportBody>,
) -> ApiResult<impl IntoResponse> {
    admin(&who)?;
    let range = (
        parse_date(&body.from).map_err(bad)?,
        parse_end_date(&body.to).map_err(bad)?,
    );
    // A private (0700) directory, removed when this returns, whatever happened: the bundle
    // holds decrypted household records.
    let scratch = private_scratch()?;
    let dir = scratch.path().join("bundle");
    let result = relay
        .archive_export(&who.firm_id, range, (&body.from, &body.to), &dir)
        .await;
    let files = result.and_then(|summary| {
        let mut files = serde_json::Map::new();
        collect(&dir, &dir, &mut files)
            .map_err(|e| ServiceError::BadRequest(format!("reading the bundle back: {e}")))?;
        Ok(json!({ "summary": summary, "files": files }))
    });
    Ok(Json(files?))
}

/// A new private (0700) temporary directory, removed when dropped.
pub(crate) fn private_scratch() -> Result<tempfile::TempDir, ServiceError> {
    tempfile::Builder::new()
        .prefix("hearth-export-")
        .tempdir()
        .map_err(|e| {
            ServiceError::BadRequest(format!("cannot make a private export directory: {e}"))
        })
}

fn collect(
    root: &std::path::Path,
    dir: &std::path::Path,
    out: &mut serde_json::Map<String, serde_json::Value>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else {
            let name = path
                .strip_prefix(root)
                .map_err(std::io::Error::other)?
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(name, std::fs::read_to_string(&path)?.into());
        }
    }
    Ok(())
}

/// `GET /v1/admin/archive/retention`: period and holds.
pub async fn retention(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
) -> ApiResult<impl IntoResponse> {
    admin(&who)?;
    Ok(Json(relay.archive_retention(&who.firm_id).await?))
}

/// Body of `PUT /v1/admin/archive/retention`.
#[derive(Deserialize)]
pub struct RetentionBody {
    years: i64,
}

/// `PUT /v1/admin/archive/retention`: lengthen (never below 5 years; never shorten while
/// entries are kept under the longer period).
pub async fn set_retention(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Json(body): Json<RetentionBody>,
) -> ApiResult<impl IntoResponse> {
    let by = admin(&who)?;
    relay
        .archive_set_retention(&who.firm_id, body.years, &by)
        .await?;
    Ok(Json(relay.archive_retention(&who.firm_id).await?))
}

/// Body of `POST /v1/admin/archive/holds`.
#[derive(Deserialize)]
pub struct HoldBody {
    household: Option<String>,
    reason: String,
}

/// `POST /v1/admin/archive/holds`: a legal hold on a household, or the firm if none given.
pub async fn place_hold(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Json(body): Json<HoldBody>,
) -> ApiResult<impl IntoResponse> {
    let by = admin(&who)?;
    relay
        .archive_place_hold(&who.firm_id, body.household.as_deref(), &body.reason, &by)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(relay.archive_retention(&who.firm_id).await?),
    ))
}

/// Query of `DELETE /v1/admin/archive/holds`.
#[derive(Deserialize)]
pub struct HoldQuery {
    household: Option<String>,
}

/// `DELETE /v1/admin/archive/holds?household=`: lifts a hold (the firm's if none given).
pub async fn lift_hold(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Query(q): Query<HoldQuery>,
) -> ApiResult<impl IntoResponse> {
    let by = admin(&who)?;
    relay
        .archive_lift_hold(&who.firm_id, q.household.as_deref(), &by)
        .await?;
    Ok(Json(relay.archive_retention(&who.firm_id).await?))
}

/// Body of `POST /v1/admin/archive/expire`.
#[derive(Deserialize)]
pub struct ExpireBody {
    before: String,
}

/// `POST /v1/admin/archive/expire`: removes the bytes of entries older than `before`;
/// refused while any of them is within retention.
pub async fn expire(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Json(body): Json<ExpireBody>,
) -> ApiResult<impl IntoResponse> {
    let by = admin(&who)?;
    let before = parse_date(&body.before).map_err(bad)?;
    let expired = relay
        .archive_delete_before(&who.firm_id, before, &by)
        .await?;
    Ok(Json(json!({ "expired": expired })))
}
