//! The console's HTML: one layout, shared pieces, and the fixed error pages.
//!
//! Everything is rendered with `maud`, which escapes every interpolated value. Pages work
//! without JavaScript; `console.js` only adds confirmations to destructive buttons.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::auth::Session;
use crate::scope::{FirmAction, console_may};
use crate::service::ServiceError;

/// A navigation entry: (path, label).
type NavItem = (&'static str, &'static str);

/// The firm's sections and what a role must be allowed to see each (`None`: everyone).
const FIRM_NAV: &[(&str, &str, Option<FirmAction>)] = &[
    (
        "/admin/advisors",
        "Advisors",
        Some(FirmAction::ManageAdvisors),
    ),
    (
        "/admin/devices",
        "Devices",
        Some(FirmAction::ManageAdvisors),
    ),
    (
        "/admin/review",
        "Review queue",
        Some(FirmAction::ReadReviews),
    ),
    (
        "/admin/households",
        "Households",
        Some(FirmAction::SeeHouseholds),
    ),
    ("/admin/policy", "Policy", None),
    ("/admin/audit", "Audit log", Some(FirmAction::ReadAudit)),
    ("/admin/archive", "Archive", Some(FirmAction::ReadArchive)),
    ("/admin/settings", "Settings", None),
];

const OPERATOR_NAV: &[NavItem] = &[("/admin/operator", "Firms & health")];

/// The sections a firm user's role may open, in order.
fn firm_nav(role: hearth_relay_store::ConsoleRole) -> Vec<NavItem> {
    FIRM_NAV
        .iter()
        .filter(|(_, _, needs)| needs.is_none_or(|a| console_may(role, a)))
        .map(|(path, label, _)| (*path, *label))
        .collect()
}

/// Where a firm user lands after signing in: the first section their role may open.
pub fn firm_home(role: hearth_relay_store::ConsoleRole) -> &'static str {
    firm_nav(role)
        .first()
        .map_or("/admin/settings", |(path, _)| path)
}

/// Who the page is for, for the header.
pub struct Frame<'a> {
    /// The signed-in session (`None` on the sign-in page).
    pub session: Option<&'a Session>,
    /// The firm name, for firm admins.
    pub firm_name: Option<&'a str>,
    /// The current nav path.
    pub active: &'a str,
}

impl Frame<'static> {
    /// The frame of a page for someone not signed in (sign-in, set-password).
    pub const SIGNED_OUT: Self = Self {
        session: None,
        firm_name: None,
        active: "",
    };
}

/// A full page.
pub fn page(title: &str, frame: &Frame<'_>, body: Markup) -> Markup {
    let nav: Vec<NavItem> = match frame.session {
        Some(s) if s.user.firm_id.is_none() => OPERATOR_NAV.to_vec(),
        Some(s) => firm_nav(s.user.role),
        None => Vec::new(),
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Hearth console" }
                link rel="stylesheet" href="/admin/static/console.css";
                script src="/admin/static/console.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    div.brand {
                        span.logo aria-hidden="true" { "◆" }
                        span { "Hearth" }
                        @if let Some(name) = frame.firm_name {
                            span.firm { (name) }
                        } @else if frame.session.is_some() {
                            span.firm { "Platform operator" }
                        }
                    }
                    @if let Some(s) = frame.session {
                        div.who {
                            span.email { (s.user.email) }
                            form method="post" action="/admin/logout" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                button.link type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                div.shell {
                    @if !nav.is_empty() {
                        nav.side aria-label="Console sections" {
                            ul {
                                @for (path, label) in &nav {
                                    li {
                                        a href=(path) aria-current=[(frame.active == *path).then_some("page")] { (label) }
                                    }
                                }
                            }
                        }
                    }
                    main #main tabindex="-1" {
                        h1 { (title) }
                        (body)
                    }
                }
            }
        }
    }
}

/// A success or information notice.
pub fn notice(text: &str) -> Markup {
    html! { p.notice role="status" { (text) } }
}

/// An error notice.
pub fn problem(text: &str) -> Markup {
    html! { p.problem role="alert" { (text) } }
}

/// The hidden CSRF field every POST form carries.
pub fn csrf(session: &Session) -> Markup {
    html! { input type="hidden" name="csrf" value=(session.csrf); }
}

/// A one-button POST form (destructive ones ask for confirmation when JS is on).
pub fn action_button(
    session: &Session,
    action: &str,
    label: &str,
    confirm: Option<&str>,
    danger: bool,
) -> Markup {
    html! {
        form.inline method="post" action=(action) data-confirm=[confirm] {
            (csrf(session))
            @if danger {
                button.danger type="submit" { (label) }
            } @else {
                button type="submit" { (label) }
            }
        }
    }
}

/// Milliseconds since the epoch as a readable UTC time.
pub fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "—".into())
}

/// Milliseconds since the epoch as a readable time in `zone` ("2026-12-01 09:00 CST").
pub fn time_in(ms: i64, zone: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string()
        })
        .unwrap_or_else(|_| "—".into())
}

/// A service error as the page a handler returns.
pub fn fail(e: impl Into<ServiceError>) -> Response {
    error_page(&e.into())
}

/// A firm user's page: the layout with their session, firm name and the section `active`.
pub fn render(user: &super::auth::FirmUser, title: &str, active: &str, body: Markup) -> Response {
    let frame = Frame {
        session: Some(&user.session),
        firm_name: Some(&user.firm.name),
        active,
    };
    page(title, &frame, body).into_response()
}

/// A bare page with a status code (errors, refusals).
pub fn message_page(status: u16, title: &str, text: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let frame = Frame {
        session: None,
        firm_name: None,
        active: "",
    };
    let body = html! {
        p { (text) }
        p { a href="/admin" { "Back to the console" } }
    };
    (status, page(title, &frame, body)).into_response()
}

/// The one "not found" page: for unknown paths, unknown ids, and ids of other firms alike.
/// Its bytes do not depend on who asks or what the id was.
pub fn not_found() -> Response {
    message_page(
        404,
        "Not found",
        "There is nothing at this address. It may have been removed, or the link is wrong.",
    )
}

/// A service error as a page.
pub fn error_page(e: &ServiceError) -> Response {
    match e {
        ServiceError::NotFound => not_found(),
        ServiceError::BadRequest(why) => message_page(400, "Cannot do that", why),
        ServiceError::Forbidden(why) => message_page(403, "Not allowed", why),
        ServiceError::Unauthorized => super::auth::to_sign_in(),
        ServiceError::RateLimited => message_page(
            429,
            "Too many attempts",
            "Too many attempts from here. Wait a minute and try again.",
        ),
        other => {
            tracing::error!(error = %other, "console request failed");
            message_page(
                500,
                "Something went wrong",
                "The relay could not complete this request. Try again; if it keeps failing, check the relay's logs.",
            )
        }
    }
}

/// The console's stylesheet.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("assets/console.css"),
    )
        .into_response()
}

/// The console's small progressive-enhancement script.
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("assets/console.js"),
    )
        .into_response()
}

/// The address this relay was reached at, as people should type it (`https://host` under
/// TLS), for the enrollment commands and links the console shows.
pub fn relay_address(relay: &crate::service::Relay, headers: &axum::http::HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("RELAY-ADDRESS");
    let scheme = if relay.config.https() {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}
