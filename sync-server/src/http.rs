//! The relay's HTTP surface: the sync WebSocket, enrollment and tokens, and the REST API a
//! device (and later the console) uses. Every handler that takes a document id asks the one
//! scope check; anything outside the caller's scope gets the same `404 {"error":"not found"}`
//! bytes as an id that does not exist, and every credential failure the same `401`.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::scope::Identity;
use crate::service::{Relay, ServiceError};

/// Per-client-IP limiter for enrollment and token refresh (guessing codes, hammering refresh).
pub type AuthLimiter = governor::DefaultKeyedRateLimiter<IpAddr>;

/// Per-device limiter for token refreshes.
pub type RefreshLimiter = governor::DefaultKeyedRateLimiter<String>;

/// A limiter allowing `per_minute` refreshes per device per minute.
pub fn refresh_limiter(per_minute: u32) -> RefreshLimiter {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute))
}

/// A limiter allowing `per_minute` requests per IP per minute.
pub fn auth_limiter(per_minute: u32) -> AuthLimiter {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute))
}

/// The relay's router. `listener::serve` (or `into_make_service_with_connect_info`) gives
/// each request its `ConnectInfo<SocketAddr>`, so the per-address limits see the client.
pub fn router(relay: Arc<Relay>) -> Router {
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    use tower_http::trace::TraceLayer;
    let x_request_id = header::HeaderName::from_static("x-request-id");
    // Log method, route and status with the request id; never query strings (tokens) or bodies.
    let trace = TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
        let id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
    });
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/sync", get(sync_socket))
        .route("/v1/enroll", post(enroll))
        .route("/v1/token", post(refresh))
        .route("/v1/me", get(me))
        .route("/v1/advisors", get(advisors))
        .route("/v1/documents", get(documents))
        .route("/v1/documents/{doc_id}", get(document))
        .route(
            "/v1/documents/{doc_id}/shares/{advisor_id}",
            put(share).delete(unshare),
        )
        .route("/v1/admin/advisors", get(admin_advisors).post(admin_invite))
        .route(
            "/v1/admin/advisors/{advisor_id}/invite",
            post(admin_reinvite),
        )
        .route(
            "/v1/admin/advisors/{advisor_id}/disable",
            post(admin_disable),
        )
        .route("/v1/admin/advisors/{advisor_id}/enable", post(admin_enable))
        .route("/v1/admin/documents", get(admin_documents))
        .route(
            "/v1/admin/tokens",
            get(admin_tokens).post(admin_issue_token),
        )
        .route(
            "/v1/admin/tokens/{token_id}/revoke",
            post(admin_revoke_token),
        )
        .route("/v1/admin/audit", get(admin_audit))
        .route(
            "/v1/operator/firms",
            get(operator_firms).post(operator_create_firm),
        )
        .route("/v1/admin/devices", get(admin_devices))
        .route(
            "/v1/admin/devices/{device_id}/revoke",
            post(admin_revoke_device),
        )
        .route(
            "/v1/admin/archive/entries",
            get(crate::archive_http::entries),
        )
        .route(
            "/v1/admin/archive/head",
            get(crate::archive_http::head).post(crate::archive_http::sign_head),
        )
        .route(
            "/v1/admin/archive/proofs/inclusion",
            get(crate::archive_http::inclusion),
        )
        .route(
            "/v1/admin/archive/proofs/consistency",
            get(crate::archive_http::consistency),
        )
        .route("/v1/admin/archive/check", get(crate::archive_http::check))
        .route("/v1/archive/witness", get(crate::archive_http::witness))
        .route("/v1/policy", get(crate::supervision_http::policy))
        .route("/v1/admin/policy", put(crate::supervision_http::set_policy))
        .route(
            "/v1/admin/review",
            get(crate::supervision_http::queue).post(crate::supervision_http::decide),
        )
        .route(
            "/v1/admin/archive/export",
            post(crate::archive_http::export),
        )
        .route(
            "/v1/admin/archive/retention",
            get(crate::archive_http::retention).put(crate::archive_http::set_retention),
        )
        .route(
            "/v1/admin/archive/holds",
            post(crate::archive_http::place_hold).delete(crate::archive_http::lift_hold),
        )
        .route(
            "/v1/admin/archive/expire",
            post(crate::archive_http::expire),
        )
        .route(
            "/v1/documents/{doc_id}/blobs",
            get(crate::blobs::list_blobs),
        )
        .route(
            "/v1/documents/{doc_id}/blobs/{sha256}",
            put(crate::blobs::put_blob).get(crate::blobs::get_blob),
        )
        .merge(crate::console::router(&relay))
        .fallback(|| async { ApiError(ServiceError::NotFound) })
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(trace)
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(relay)
}

async fn readyz(State(relay): State<Arc<Relay>>) -> Response {
    if relay.ready().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the relay database does not answer",
        )
            .into_response()
    }
}

async fn metrics(
    State(relay): State<Arc<Relay>>,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
) -> Response {
    // Denial counts by reason are for the operator: a scraper with the token, or a local one.
    let allowed = match (&relay.config.metrics_token_sha256, bearer(&headers)) {
        (Some(_), Some(token)) => relay.is_metrics_scraper(token),
        (Some(_), None) => false,
        (None, _) => {
            ip.is_some_and(|ip| ip.is_loopback()) && !headers.contains_key("x-forwarded-for")
        }
    };
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        relay.metrics.render(),
    )
        .into_response()
}

/// The token of an `Authorization: Bearer …` header.
fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The client's IP address: the socket's peer, or — when that peer is one of the configured
/// `trusted_proxies` — the nearest address in `X-Forwarded-For` that is not a trusted proxy.
/// A forwarded address from anyone else is ignored (it would let a client pick its own
/// rate-limit bucket).
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<Arc<Relay>> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        relay: &Arc<Relay>,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp(peer.map(|peer| {
            client_address(peer, &parts.headers, &relay.config.trusted_proxies)
        })))
    }
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy, else the right-most
/// `X-Forwarded-For` entry that is not (proxies append the address they saw).
pub fn client_address(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

/// The rate-limit bucket of an address: IPv4 addresses one by one, IPv6 by /64 (one
/// household or office network; a client could otherwise use a new address per request).
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(bits))
        }
    }
}

fn rate_limited(relay: &Relay, ip: Option<IpAddr>) -> Result<(), ApiError> {
    let ip = limit_key(ip.unwrap_or(IpAddr::from([0, 0, 0, 0])));
    if relay.auth_limiter.check_key(&ip).is_err() {
        relay.metrics.deny("rate_limited");
        return Err(ApiError(ServiceError::RateLimited));
    }
    Ok(())
}

/// A service error as an HTTP response with a fixed, non-revealing body.
pub struct ApiError(pub ServiceError);

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match &self.0 {
            ServiceError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized".to_string()),
            ServiceError::NotFound => (StatusCode::NOT_FOUND, "not found".to_string()),
            ServiceError::Forbidden(why) => (StatusCode::FORBIDDEN, (*why).to_string()),
            ServiceError::BadRequest(why) => (StatusCode::BAD_REQUEST, why.clone()),
            ServiceError::RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                "too many requests; retry in a minute".to_string(),
            ),
            ServiceError::TooManyConnections => (
                StatusCode::SERVICE_UNAVAILABLE,
                "too many connections for this firm (limits.firm_max_connections); retry later"
                    .to_string(),
            ),
            ServiceError::Store(hearth_relay_store::StoreError::Unavailable(_)) => {
                tracing::error!(error = %self.0, "store unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "relay storage unavailable; retry".to_string(),
                )
            }
            other => {
                tracing::error!(error = %other, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error".to_string(),
                )
            }
        };
        let mut response = (status, Json(json!({ "error": message }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// An authenticated caller: `Authorization: Bearer <token>`, or `?token=<token>` for browsers,
/// which cannot set headers on a WebSocket upgrade.
pub struct Caller(pub Identity);

impl FromRequestParts<Arc<Relay>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        relay: &Arc<Relay>,
    ) -> Result<Self, Self::Rejection> {
        let from_header = bearer(&parts.headers).map(str::to_string);
        let from_query = || {
            let query = parts.uri.query()?;
            url_query_value(query, "token")
        };
        let Some(token) = from_header.or_else(from_query) else {
            relay.metrics.deny("unauthorized");
            return Err(ApiError(ServiceError::Unauthorized));
        };
        match relay.authenticate(&token).await {
            Ok(who) => Ok(Caller(who)),
            Err(e) => {
                if matches!(e, ServiceError::Unauthorized) {
                    relay.metrics.deny("unauthorized");
                }
                Err(ApiError(e))
            }
        }
    }
}

/// The value of `key` in a URL query string (percent-decoding `%XX` and `+`).
fn url_query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn sync_socket(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !relay
        .edge
        .may_connect(&who.firm_id, relay.config.limits.firm_max_connections)
    {
        relay.metrics.deny("firm_connections");
        return ApiError(ServiceError::TooManyConnections).into_response();
    }
    // The socket layer's own cap sits above the relay's, so an oversized message reaches the
    // relay and gets a clear `error` instead of a bare protocol close.
    let cap = relay
        .config
        .limits
        .max_frame_bytes
        .saturating_mul(2)
        .max(1024 * 1024);
    upgrade
        .max_message_size(cap)
        .max_frame_size(cap)
        .on_upgrade(move |socket| crate::edge::serve_socket(relay, who, socket))
}

#[derive(Deserialize)]
struct EnrollRequest {
    code: String,
    #[serde(default)]
    label: String,
}

async fn enroll(
    State(relay): State<Arc<Relay>>,
    ClientIp(ip): ClientIp,
    Json(req): Json<EnrollRequest>,
) -> ApiResult<impl IntoResponse> {
    rate_limited(&relay, ip)?;
    Ok(Json(relay.enroll(&req.code, &req.label).await?))
}

#[derive(Deserialize)]
struct RefreshRequest {
    refresh_token: String,
}

async fn refresh(
    State(relay): State<Arc<Relay>>,
    ClientIp(ip): ClientIp,
    Json(req): Json<RefreshRequest>,
) -> ApiResult<impl IntoResponse> {
    // Refreshes are limited per device (an office behind one address refreshes many devices);
    // a token that names no device counts against its address, as guesses do.
    match relay.refresh_device(&req.refresh_token).await? {
        Some(device) => {
            if relay.refresh_limiter.check_key(&device).is_err() {
                relay.metrics.deny("rate_limited");
                return Err(ApiError(ServiceError::RateLimited));
            }
        }
        None => rate_limited(&relay, ip)?,
    }
    Ok(Json(relay.refresh(&req.refresh_token).await?))
}

async fn me(State(relay): State<Arc<Relay>>, Caller(who): Caller) -> ApiResult<impl IntoResponse> {
    let advisor = relay
        .store
        .advisor(&who.advisor_id)
        .await
        .map_err(ServiceError::from)?;
    let firm = relay
        .store
        .firm(&who.firm_id)
        .await
        .map_err(ServiceError::from)?;
    Ok(Json(json!({
        "firm_id": who.firm_id,
        "firm_name": firm.map(|f| f.name),
        "advisor_id": who.advisor_id,
        "advisor_name": advisor.map(|a| a.name),
        "device_id": who.device_id,
        "is_admin": who.is_admin,
    })))
}

async fn advisors(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
) -> ApiResult<impl IntoResponse> {
    let advisors = relay
        .store
        .list_advisors(&who.firm_id)
        .await
        .map_err(ServiceError::from)?;
    let listed: Vec<_> = advisors
        .into_iter()
        .filter(|a| !a.disabled)
        .map(|a| json!({ "id": a.id, "name": a.name, "is_admin": a.is_admin }))
        .collect();
    Ok(Json(listed))
}

async fn documents(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
) -> ApiResult<impl IntoResponse> {
    let docs: Vec<_> = relay
        .scope()
        .synced_by(&who)
        .into_iter()
        .map(|(doc_id, owner_id, shared_with)| json!({ "doc_id": doc_id, "owner_id": owner_id, "shared_with": shared_with }))
        .collect();
    Ok(Json(docs))
}

async fn document(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Path(doc_id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    if !relay.visible(&who, &doc_id) {
        return Err(ServiceError::NotFound.into());
    }
    let (owner_id, shared_with) = relay
        .scope()
        .owner_and_shares(&who, &doc_id)
        .ok_or(ServiceError::NotFound)?;
    Ok(Json(
        json!({ "doc_id": doc_id, "owner_id": owner_id, "shared_with": shared_with }),
    ))
}

async fn share(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Path((doc_id, advisor_id)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    relay.share(&who, &doc_id, &advisor_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unshare(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Path((doc_id, advisor_id)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    relay.unshare(&who, &doc_id, &advisor_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct DeviceFilter {
    advisor: Option<String>,
}

fn require_admin(who: &Identity) -> Result<(), ServiceError> {
    if who.is_admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("firm admins only"))
    }
}

async fn admin_devices(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Query(filter): Query<DeviceFilter>,
) -> ApiResult<impl IntoResponse> {
    require_admin(&who)?;
    let devices = relay
        .store
        .list_devices(&who.firm_id, filter.advisor.as_deref())
        .await
        .map_err(ServiceError::from)?;
    Ok(Json(devices))
}

async fn admin_revoke_device(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Path(device_id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    require_admin(&who)?;
    if relay
        .revoke_device(
            &who.firm_id,
            &device_id,
            &format!("advisor:{}", who.advisor_id),
        )
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ServiceError::NotFound.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_decoded() {
        assert_eq!(
            url_query_value("a=1&token=hat1.abc%2Bd", "token").as_deref(),
            Some("hat1.abc+d")
        );
        assert_eq!(url_query_value("token=x%", "token").as_deref(), Some("x%"));
        assert_eq!(
            url_query_value("token=%zz", "token").as_deref(),
            Some("%zz")
        );
        assert_eq!(url_query_value("nottoken=1", "token"), None);
    }
}

fn by(who: &Identity) -> String {
    format!("advisor:{}", who.advisor_id)
}

async fn admin_advisors(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
) -> ApiResult<impl IntoResponse> {
    require_admin(&who)?;
    let advisors = relay
        .store
        .list_advisors(&who.firm_id)
        .await
        .map_err(ServiceError::from)?;
    Ok(Json(advisors))
}

#[derive(Deserialize)]
struct InviteRequest {
    name: String,
    #[serde(default)]
    admin: bool,
}

async fn admin_invite(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Json(req): Json<InviteRequest>,
) -> ApiResult<impl IntoResponse> {
    require_admin(&who)?;
    let (advisor, code) = relay
        .invite_advisor(&who.firm_id, &req.name, req.admin, &by(&who))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "advisor": advisor, "enrollment_code": code })),
    ))
}

async fn admin_reinvite(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Path(advisor_id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    require_admin(&who)?;
    let code = relay.reinvite(&who.firm_id, &advisor_id, &by(&who)).await?;
    Ok(Json(json!({ "enrollment_code": code })))
}

async fn set_disabled(
    relay: &Relay,
    who: &Identity,
    advisor_id: &str,
    disabled: bool,
) -> ApiResult<StatusCode> {
    require_admin(who)?;
    if relay
        .set_advisor_disabled(&who.firm_id, advisor_id, disabled, &by(who))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ServiceError::NotFound.into())
    }
}

async fn admin_disable(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Path(advisor_id): Path<String>,
) -> ApiResult<StatusCode> {
    set_disabled(&relay, &who, &advisor_id, true).await
}

async fn admin_enable(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Path(advisor_id): Path<String>,
) -> ApiResult<StatusCode> {
    set_disabled(&relay, &who, &advisor_id, false).await
}

async fn admin_documents(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
) -> ApiResult<impl IntoResponse> {
    require_admin(&who)?;
    let docs: Vec<_> = relay
        .firm_documents(&who.firm_id)
        .into_iter()
        .map(|(doc_id, owner_id, shared_with)| json!({ "doc_id": doc_id, "owner_id": owner_id, "shared_with": shared_with }))
        .collect();
    Ok(Json(docs))
}

async fn admin_tokens(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
) -> ApiResult<impl IntoResponse> {
    require_admin(&who)?;
    Ok(Json(
        relay
            .store
            .list_api_tokens(&who.firm_id)
            .await
            .map_err(ServiceError::from)?,
    ))
}

#[derive(Deserialize)]
struct IssueTokenRequest {
    advisor_id: String,
    #[serde(default)]
    label: String,
}

async fn admin_issue_token(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Json(req): Json<IssueTokenRequest>,
) -> ApiResult<impl IntoResponse> {
    require_admin(&who)?;
    // The advisor must be of the admin's own firm; others do not exist for the caller.
    relay
        .store
        .advisor(&req.advisor_id)
        .await
        .map_err(ServiceError::from)?
        .filter(|a| a.firm_id == who.firm_id)
        .ok_or(ServiceError::NotFound)?;
    // A token acts as its advisor, and the archive attributes its changes to them: an admin
    // mints tokens for themselves only (the relay operator's CLI can mint for anyone).
    if req.advisor_id != who.advisor_id {
        return Err(ServiceError::Forbidden(
            "an API token acts as the advisor it is issued to, so admins issue tokens for themselves only; the advisor issues their own",
        )
        .into());
    }
    let (token, secret) = relay
        .issue_api_token(&req.advisor_id, &req.label, &by(&who))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": token.id, "token": secret, "advisor_id": token.advisor_id })),
    ))
}

async fn admin_revoke_token(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Path(token_id): Path<String>,
) -> ApiResult<StatusCode> {
    require_admin(&who)?;
    if relay
        .revoke_api_token(&who.firm_id, &token_id, &by(&who))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ServiceError::NotFound.into())
    }
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<i64>,
}

async fn admin_audit(
    State(relay): State<Arc<Relay>>,
    Caller(who): Caller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<impl IntoResponse> {
    require_admin(&who)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    Ok(Json(
        relay
            .store
            .list_audit(&who.firm_id, limit)
            .await
            .map_err(ServiceError::from)?,
    ))
}

/// The platform operator: creates firms and sees health, never household content.
pub struct Operator;

impl FromRequestParts<Arc<Relay>> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        relay: &Arc<Relay>,
    ) -> Result<Self, Self::Rejection> {
        match bearer(&parts.headers) {
            Some(token) if relay.is_operator(token) => Ok(Operator),
            _ => {
                relay.metrics.deny("unauthorized");
                Err(ApiError(ServiceError::Unauthorized))
            }
        }
    }
}

async fn operator_firms(
    State(relay): State<Arc<Relay>>,
    _: Operator,
) -> ApiResult<impl IntoResponse> {
    let firms = relay.store.list_firms().await.map_err(ServiceError::from)?;
    let listed: Vec<_> = firms
        .into_iter()
        .map(|f| {
            let households = relay.firm_documents(&f.id).len();
            json!({ "id": f.id, "name": f.name, "created_at": f.created_at, "households": households })
        })
        .collect();
    Ok(Json(listed))
}

#[derive(Deserialize)]
struct CreateFirmRequest {
    name: String,
}

async fn operator_create_firm(
    State(relay): State<Arc<Relay>>,
    _: Operator,
    Json(req): Json<CreateFirmRequest>,
) -> ApiResult<impl IntoResponse> {
    let firm = relay.create_firm(&req.name).await?;
    Ok((StatusCode::CREATED, Json(firm)))
}
