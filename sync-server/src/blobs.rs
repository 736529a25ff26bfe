//! Document blobs over HTTP: the bytes of files attached to a household (`PUT`/`GET
//! /v1/documents/{doc_id}/blobs/{sha256}`), so every advisor who syncs the household gets its
//! documents too.
//!
//! A blob lives under its household: the one scope check for the household decides, and a
//! household the caller may not see answers with the same `404` as a blob that is not there.
//! The relay checks that the bytes hash to the path's SHA-256, refuses uploads above
//! `limits.max_blob_bytes` (and those past the firm's `limits.firm_max_blob_bytes`) with
//! `413`, and stores them sealed with the firm's data key, bound
//! to (firm, household, hash).

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_relay_store::AuditEvent;
use serde_json::json;

use crate::http::{ApiError, Caller};
use crate::service::{Relay, ServiceError};

/// Whether `s` is a SHA-256 written as 64 lower-case hex digits (the form the desk uses).
fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn too_large(relay: &Relay) -> Response {
    relay.metrics.deny("blob_too_large");
    let limit = relay.config.limits.max_blob_bytes;
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        Json(json!({
            "error": format!(
                "document too large: this relay accepts attached documents up to {limit} bytes \
                 (limits.max_blob_bytes); ask the relay operator to raise it"
            )
        })),
    )
        .into_response()
}

/// `PUT /v1/documents/{doc_id}/blobs/{sha256}`: stores the request body as the household's
/// document with this SHA-256 (idempotent).
pub async fn put_blob(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Path((doc_id, sha256)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if !relay.visible(&who, &doc_id) {
        return Err(ServiceError::NotFound.into());
    }
    let limit = relay.config.limits.max_blob_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Ok(too_large(&relay));
    }
    // Without a Content-Length (chunked), stop reading at the limit.
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return Ok(too_large(&relay));
    };
    if !is_sha256_hex(&sha256) {
        return Err(ServiceError::BadRequest(
            "the blob's path must end with its SHA-256 as 64 lower-case hex digits".into(),
        )
        .into());
    }
    let actual = hex::encode(ring::digest::digest(&ring::digest::SHA256, &bytes));
    if actual != sha256 {
        return Err(ServiceError::BadRequest(format!(
            "the uploaded bytes hash to {actual}, not {sha256}; nothing was stored (re-send the file)"
        ))
        .into());
    }
    // The firm's quota: checked before storing. Two uploads racing past it overshoot by at
    // most one blob each (`limits.max_blob_bytes`), which is what a quota of this kind allows.
    let quota = relay.config.limits.firm_max_blob_bytes;
    let used = relay
        .store
        .firm_blob_bytes(&who.firm_id)
        .await
        .map_err(ServiceError::from)?;
    // Past the quota only a re-upload of a stored document (idempotent) still goes through;
    // the household's list is read only then.
    let over_quota = used.saturating_add(bytes.len() as u64) > quota
        && !relay
            .store
            .list_blobs(&crate::scope::store_key(&who.firm_id, &doc_id))
            .await
            .map_err(ServiceError::from)?
            .contains(&sha256);
    if over_quota {
        relay.metrics.deny("firm_blob_quota");
        return Ok((
            StatusCode::PAYLOAD_TOO_LARGE,
            Json(json!({
                "error": format!(
                    "your firm's storage for attached documents is full: {used} of {quota} bytes \
                     used (limits.firm_max_blob_bytes); remove documents or ask the relay \
                     operator to raise the quota"
                )
            })),
        )
            .into_response());
    }
    let key = relay.firm_key(&who.firm_id).await?;
    let sealed = key
        .seal(
            &bytes,
            &hearth_seal::blob_aad(&who.firm_id, &doc_id, &sha256),
        )
        .map_err(ServiceError::from)?;
    let stored = crate::scope::store_key(&who.firm_id, &doc_id);
    let now = crate::now_ms();
    let plaintext_len = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    relay
        .store
        .put_blob(&who.firm_id, &stored, &sha256, plaintext_len, &sealed, now)
        .await
        .map_err(ServiceError::from)?;
    relay
        .store
        .append_audit(&AuditEvent {
            seq: 0,
            firm_id: Some(who.firm_id.clone()),
            actor: format!("advisor:{}", who.advisor_id),
            action: "document.blob.put".into(),
            target: format!("{doc_id}/{sha256}"),
            at: now,
        })
        .await
        .map_err(ServiceError::from)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The response header of [`list_blobs`] that carries `limits.max_blob_bytes`.
pub const MAX_BLOB_BYTES_HEADER: &str = "x-hearth-max-blob-bytes";

/// `GET /v1/documents/{doc_id}/blobs`: the SHA-256 of every attached document the relay holds
/// for the household, so a desk uploads only what is missing with one request per household.
/// The [`MAX_BLOB_BYTES_HEADER`] header tells the desk the size limit before it uploads: a
/// desk that sent megabytes over the limit would have the connection closed under it while
/// still writing, and might never read the `413` that says why.
pub async fn list_blobs(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Path(doc_id): Path<String>,
) -> Result<Response, ApiError> {
    if !relay.visible(&who, &doc_id) {
        return Err(ServiceError::NotFound.into());
    }
    let stored = crate::scope::store_key(&who.firm_id, &doc_id);
    let hashes = relay
        .store
        .list_blobs(&stored)
        .await
        .map_err(ServiceError::from)?;
    let limit = relay.config.limits.max_blob_bytes;
    Ok(([(MAX_BLOB_BYTES_HEADER, limit.to_string())], Json(hashes)).into_response())
}

/// `GET /v1/documents/{doc_id}/blobs/{sha256}`: the household's document with this SHA-256.
pub async fn get_blob(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Path((doc_id, sha256)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    if !relay.visible(&who, &doc_id) || !is_sha256_hex(&sha256) {
        return Err(ServiceError::NotFound.into());
    }
    let stored = crate::scope::store_key(&who.firm_id, &doc_id);
    let sealed = relay
        .store
        .get_blob(&stored, &sha256)
        .await
        .map_err(ServiceError::from)?
        .ok_or(ServiceError::NotFound)?;
    let key = relay.firm_key(&who.firm_id).await?;
    let bytes = key
        .open(
            &sealed,
            &hearth_seal::blob_aad(&who.firm_id, &doc_id, &sha256),
        )
        .map_err(ServiceError::from)?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

#[cfg(test)]
mod tests {
    use super::is_sha256_hex;

    #[test]
    fn hashes_must_be_lower_case_sha256_hex() {
        let good = "ab".repeat(32);
        assert!(is_sha256_hex(&good));
        assert!(!is_sha256_hex(&good.to_uppercase()));
        assert!(!is_sha256_hex(&good[..62]));
        assert!(!is_sha256_hex(&format!("{}zz", &good[..62])));
    }
}
