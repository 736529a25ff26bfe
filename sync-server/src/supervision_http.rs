//! REST handlers for firm supervision: `GET /v1/policy` (every advisor's desk reads the firm's
//! policy on sync) and `/v1/admin/review`, `/v1/admin/policy` (firm admins' API tokens; what
//! they may do is asked of [`crate::scope::console_may`] as the console's admin role). The
//! routes are listed in `http.rs` and documented in `openapi.yaml`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use hearth_core::policy::FirmPolicy;
use hearth_relay_store::ConsoleRole;
use serde::Deserialize;
use serde_json::json;

use crate::http::{ApiError, Caller};
use crate::scope::{FirmAction, Identity, console_may};
use crate::service::{Relay, ServiceError};
use crate::supervision::{ComplaintRecord, QueueFilter, ReviewState};

type ApiResult<T> = Result<T, ApiError>;

/// The actor name of an API caller allowed `action` (firm admins, as the console's admin role).
fn allowed(who: &Identity, action: FirmAction) -> Result<String, ApiError> {
    if who.is_admin && console_may(ConsoleRole::Admin, action) {
        Ok(format!("advisor:{}", who.advisor_id))
    } else {
        Err(ApiError(ServiceError::Forbidden("firm admins only")))
    }
}

/// `GET /v1/policy`: the caller's firm's policy (`null` when none was ever set).
pub async fn policy(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
) -> ApiResult<impl IntoResponse> {
    let policy = relay.firm_policy(&who.firm_id).await?;
    Ok(Json(json!({ "policy": policy })))
}

/// Body of `PUT /v1/admin/policy`.
#[derive(Deserialize)]
pub struct PolicyBody {
    /// The version the change was made from (0 for the firm's first policy).
    based_on: i64,
    /// The new policy (its `version` is set by the relay).
    policy: FirmPolicy,
}

/// `PUT /v1/admin/policy`: saves a new version (400 when invalid or when `based_on` is stale).
pub async fn set_policy(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Json(body): Json<PolicyBody>,
) -> ApiResult<impl IntoResponse> {
    let by = allowed(&who, FirmAction::SetPolicy)?;
    let saved = relay
        .set_firm_policy(&who.firm_id, body.policy, body.based_on, &by)
        .await?;
    Ok(Json(json!({ "policy": saved })))
}

/// `GET /v1/admin/review`: the firm's review queue, filtered.
pub async fn queue(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Query(filter): Query<QueueFilter>,
) -> ApiResult<impl IntoResponse> {
    allowed(&who, FirmAction::ReadReviews)?;
    let items = relay.review_queue(&who.firm_id, &filter).await?;
    Ok(Json(json!({ "items": items })))
}

/// Body of `POST /v1/admin/review`.
#[derive(Deserialize)]
pub struct DecisionBody {
    item: String,
    state: String,
    comment: String,
    complaint: Option<ComplaintRecord>,
}

/// `POST /v1/admin/review`: records a decision (an archive entry); returns the item.
pub async fn decide(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Json(body): Json<DecisionBody>,
) -> ApiResult<impl IntoResponse> {
    let by = allowed(&who, FirmAction::Review)?;
    let state = ReviewState::parse(&body.state).ok_or_else(|| {
        ApiError(ServiceError::BadRequest(format!(
            "unknown state {:?}: use reviewed, escalated, dismissed or complaint",
            body.state
        )))
    })?;
    let item = relay
        .review(
            &who.firm_id,
            &body.item,
            state,
            &body.comment,
            body.complaint,
            &by,
        )
        .await?;
    Ok(Json(item))
}
