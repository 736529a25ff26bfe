//! The platform operator's page: create firms (with their first console admin) and see the
//! relay's health and per-firm counts. Counts only: the operator never sees a household, an
//! advisor's name, or any firm page.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::{self, PlatformOperator, Posted};
use super::views::{self, Frame};
use crate::service::{Relay, ServiceError};

pub(super) fn routes() -> Router<Arc<Relay>> {
    Router::new()
        .route("/admin/operator", get(overview))
        .route("/admin/operator/firms", post(create_firm))
}

/// Per-firm counts for the operator.
struct FirmRow {
    id: String,
    name: String,
    created_at: i64,
    advisors: usize,
    active_devices: usize,
    households: usize,
    admins: usize,
}

async fn firm_rows(relay: &Relay) -> Result<Vec<FirmRow>, ServiceError> {
    let mut rows = Vec::new();
    for firm in relay.store.list_firms().await? {
        let advisors = relay.store.list_advisors(&firm.id).await?;
        let devices = relay.store.list_devices(&firm.id, None).await?;
        let admins = relay.store.list_console_users(Some(&firm.id)).await?;
        rows.push(FirmRow {
            households: relay.firm_documents(&firm.id).len(),
            advisors: advisors.iter().filter(|a| !a.disabled).count(),
            active_devices: devices.iter().filter(|d| d.revoked_at.is_none()).count(),
            admins: admins.len(),
            id: firm.id,
            name: firm.name,
            created_at: firm.created_at,
        });
    }
    Ok(rows)
}

async fn page(
    relay: &Relay,
    operator: &PlatformOperator,
    top: Option<Markup>,
    status: StatusCode,
) -> Response {
    let rows = match firm_rows(relay).await {
        Ok(rows) => rows,
        Err(e) => return views::error_page(&e),
    };
    let store_ok = relay.ready().await;
    let households: usize = rows.iter().map(|r| r.households).sum();
    let s = &operator.0;
    let body = html! {
        @if let Some(top) = top { (top) }
        section aria-labelledby="health-title" {
            h2 #health-title { "Relay health" }
            ul.stats {
                li { span.stat-label { "Database" } span.stat-value data-health="database" {
                    @if store_ok { span.badge.on { "Answering" } } @else { span.badge.off { "Not answering" } }
                } }
                li { span.stat-label { "Open connections" } span.stat-value data-health="connections" { (relay.metrics.connections.get()) } }
                li { span.stat-label { "Changes accepted since start" } span.stat-value { (relay.metrics.changes.get()) } }
                li { span.stat-label { "Firms" } span.stat-value data-health="firms" { (rows.len()) } }
                li { span.stat-label { "Households" } span.stat-value data-health="households" { (households) } }
            }
        }
        section.card aria-labelledby="create-title" {
            h2 #create-title { "Create a firm" }
            form.row method="post" action="/admin/operator/firms" {
                (views::csrf(s))
                div.field {
                    label for="firm-name" { "Firm name" }
                    input #firm-name type="text" name="name" required maxlength="200" autocomplete="off";
                }
                div.field {
                    label for="admin-email" { "First admin's email" }
                    input #admin-email type="email" name="admin_email" required autocomplete="off";
                }
                button.primary type="submit" { "Create firm" }
            }
            p.hint { "The first admin gets a one-time link to set their own password." }
        }
        table {
            caption { "Firms on this relay" }
            thead { tr {
                th scope="col" { "Firm" } th scope="col" { "Created" } th scope="col" { "Advisors" }
                th scope="col" { "Active devices" } th scope="col" { "Households" } th scope="col" { "Console admins" }
            } }
            tbody {
                @for r in &rows {
                    tr data-firm=(r.id) {
                        td { (r.name) br; small.id { (r.id) } }
                        td { (views::time(r.created_at)) }
                        td.num { (r.advisors) }
                        td.num { (r.active_devices) }
                        td.num { (r.households) }
                        td.num { (r.admins) }
                    }
                }
                @if rows.is_empty() {
                    tr { td colspan="6" { "No firms yet." } }
                }
            }
        }
    };
    let frame = Frame {
        session: Some(s),
        firm_name: None,
        active: "/admin/operator",
    };
    (status, views::page("Firms & health", &frame, body)).into_response()
}

async fn overview(State(relay): State<Arc<Relay>>, operator: PlatformOperator) -> Response {
    page(&relay, &operator, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct CreateFirmForm {
    name: String,
    admin_email: String,
}

async fn create_firm(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    posted: Posted<CreateFirmForm>,
) -> Response {
    let Some(operator) = PlatformOperator::of(posted.session) else {
        return views::not_found();
    };
    let form = posted.form;
    let by = auth::actor(&operator.0.user);
    let problem = |why: &str| views::problem(why);
    // Check the email before creating anything, so a typo does not leave a firm behind.
    let email = match auth::normalize_email(&form.admin_email) {
        Ok(e) => e,
        Err(ServiceError::BadRequest(why)) => {
            return page(
                &relay,
                &operator,
                Some(problem(&why)),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        Err(e) => return views::error_page(&e),
    };
    match relay.store.console_user_by_email(&email).await {
        Ok(None) => {}
        Ok(Some(_)) => {
            let why = "a console user with this email already exists";
            return page(
                &relay,
                &operator,
                Some(problem(why)),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        Err(e) => return views::error_page(&e.into()),
    }
    let firm = match relay.create_firm(&form.name).await {
        Ok(f) => f,
        Err(ServiceError::BadRequest(why)) => {
            return page(
                &relay,
                &operator,
                Some(problem(&why)),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        Err(e) => return views::error_page(&e),
    };
    // The account starts with a random password nobody is told; the admin sets their own
    // through a one-time link, so the operator never knows it.
    let unknown = crate::tokens::new_secret("");
    let user = match auth::create_user(
        &relay,
        Some(&firm.id),
        hearth_relay_store::ConsoleRole::Admin,
        &email,
        &unknown,
        &by,
    )
    .await
    {
        Ok(u) => u,
        Err(e) => return views::error_page(&e),
    };
    let link = match auth::create_password_link(&relay, &user, &by).await {
        Ok(token) => format!(
            "{}/admin/set-password/{token}",
            views::relay_address(&relay, &headers)
        ),
        Err(e) => return views::error_page(&e),
    };
    let top = html! {
        section.code-box role="status" aria-labelledby="created-title" {
            h2 #created-title { "Created " (firm.name) }
            dl.facts {
                dt { "Firm id" } dd { code data-firm-id=(firm.id) { (firm.id) } }
                dt { "Admin sign-in" } dd { (user.email) }
                dt { "Set-password link" } dd { code.code data-password-link=(link) { (link) } }
            }
            p {
                "Shown once. Send it to the firm's admin; it works once, for "
                (relay.config.console.password_link_ttl_hours) " hours, and lets them choose their own password "
                "(you never learn it). If it expires: " code { "hearth-relay admin password-link --email " (user.email) } "."
            }
        }
    };
    page(&relay, &operator, Some(top), StatusCode::CREATED).await
}
