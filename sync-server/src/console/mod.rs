//! The firm admin console at `/admin`: server-rendered HTML over the same tenancy operations
//! the CLI and REST API use.
//!
//! * Firm users sign in with an email and password (Argon2id, created with
//!   `hearth-relay admin create --firm F --email E --password-stdin [--role R]` or by a firm
//!   admin on the Settings page) and act only in their own firm. Admins manage advisors,
//!   devices, households and their sharing, console users, the policy and the archive;
//!   compliance officers work the review queue and set the policy; auditors read
//!   (`scope::console_may` is the one table). Every query takes the firm from the session, never from the URL; an
//!   id of another firm gets the same 404 page as an id that does not exist.
//! * Platform operators (`admin create --operator`) create firms and their first admin and see
//!   relay health and counts; they never see household content or a firm's pages.
//! * See [`auth`] for sessions, CSRF and sign-in limits. Every action is audited.

mod archive;
pub mod auth;
mod firm;
mod operator;
mod supervision;
pub mod views;

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use axum::{Extension, Form, Router};
use maud::html;
use serde::Deserialize;

use crate::http::ClientIp;
use crate::service::Relay;
use auth::{Posted, Session, SignInLimits};
use views::Frame;

/// The console's routes (merged into the relay's router).
pub fn router(relay: &Relay) -> Router<Arc<Relay>> {
    auth::warm_up();
    let limits = Arc::new(SignInLimits::new(
        relay.config.console.sign_in_attempts_per_minute,
    ));
    Router::new()
        .route("/admin", get(home))
        .route("/admin/", get(home))
        .route("/admin/login", get(sign_in_page).post(sign_in))
        .route("/admin/logout", post(sign_out))
        .route(
            "/admin/set-password/{token}",
            get(set_password_page).post(set_password),
        )
        .route("/admin/static/console.css", get(views::stylesheet))
        .route("/admin/static/console.js", get(views::script))
        .merge(firm::routes())
        .merge(archive::routes())
        .merge(supervision::routes())
        .merge(operator::routes())
        .route("/admin/{*rest}", any(|| async { views::not_found() }))
        .layer(Extension(limits))
        .layer(axum::middleware::map_response(security_headers))
}

/// Headers on every console response: no framing, no sniffing, no caching of pages, and a
/// content security policy that allows only the console's own files.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: header::HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::CACHE_CONTROL, "no-store");
    response
}

async fn home(session: Result<Session, Response>) -> Response {
    match session {
        Ok(s) if s.user.firm_id.is_none() => Redirect::to("/admin/operator").into_response(),
        Ok(s) => Redirect::to(views::firm_home(s.user.role)).into_response(),
        Err(to_sign_in) => to_sign_in,
    }
}

#[derive(Deserialize)]
struct SignInQuery {
    ended: Option<String>,
}

fn sign_in_form(relay: &Relay, status: u16, message: Option<maud::Markup>) -> Response {
    let nonce = crate::tokens::new_secret("");
    let frame = Frame::SIGNED_OUT;
    let body = html! {
        @if let Some(m) = message { (m) }
        form.card.signin method="post" action="/admin/login" {
            input type="hidden" name="nonce" value=(nonce);
            div.field {
                label for="email" { "Email" }
                input #email type="email" name="email" autocomplete="username" required autofocus;
            }
            div.field {
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
            }
            button.primary type="submit" { "Sign in" }
        }
        p.hint { "Console accounts are created by your relay operator (" code { "hearth-relay admin create" } ")." }
    };
    let status = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    (
        status,
        [(
            header::SET_COOKIE,
            auth::set_cookie(relay, auth::SIGN_IN_COOKIE, &nonce, 3600),
        )],
        views::page("Sign in", &frame, body),
    )
        .into_response()
}

async fn sign_in_page(State(relay): State<Arc<Relay>>, Query(q): Query<SignInQuery>) -> Response {
    let message = match q.ended.as_deref() {
        Some("signed-out") => Some(views::notice("You have signed out.")),
        Some("password") => Some(views::notice(
            "Your password was changed. Sign in with the new one.",
        )),
        _ => None,
    };
    sign_in_form(&relay, 200, message)
}

#[derive(Deserialize)]
struct SignInForm {
    email: String,
    password: String,
    #[serde(default)]
    nonce: String,
}

async fn sign_in(
    State(relay): State<Arc<Relay>>,
    Extension(limits): Extension<Arc<SignInLimits>>,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    // Double-submit: the nonce in the form must match the cookie set with the form, so
    // another site cannot sign a browser in to an account of its choosing.
    let nonce_ok = auth::cookie(&headers, auth::SIGN_IN_COOKIE)
        .is_some_and(|c| !form.nonce.is_empty() && auth::same_secret(&c, &form.nonce));
    if !nonce_ok {
        relay.metrics.deny("console_csrf");
        return sign_in_form(
            &relay,
            403,
            Some(views::problem(
                "The sign-in form expired. Enter your email and password again.",
            )),
        );
    }
    let email_key = form.email.trim().to_lowercase();
    if !limits.allow(ip, &email_key) {
        relay.metrics.deny("rate_limited");
        return sign_in_form(
            &relay,
            429,
            Some(views::problem(
                "Too many sign-in attempts. Wait a minute and try again.",
            )),
        );
    }
    let user = match auth::check_credentials(&relay, &form.email, &form.password).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            relay.metrics.deny("console_sign_in");
            return sign_in_form(
                &relay,
                401,
                Some(views::problem("The email or password is not correct.")),
            );
        }
        Err(e) => return views::error_page(&e),
    };
    signed_in(&relay, &headers, &user, "console.sign_in").await
}

/// Starts a session for `user` (ending one this browser held before), audits `action` and
/// sends them to their console home.
async fn signed_in(
    relay: &Relay,
    headers: &axum::http::HeaderMap,
    user: &hearth_relay_store::ConsoleUser,
    action: &str,
) -> Response {
    // A new sign-in always gets a new session; one this browser held before ends now.
    if let Err(e) = auth::end_session_of_cookie(relay, headers).await {
        return views::error_page(&e);
    }
    let token = match auth::start_session(relay, user).await {
        Ok(t) => t,
        Err(e) => return views::error_page(&e),
    };
    if let Err(e) = auth::audit(
        relay,
        user.firm_id.as_deref(),
        &auth::actor(user),
        action,
        &user.id,
    )
    .await
    {
        return views::error_page(&e);
    }
    let ttl = relay.config.console.session_ttl_secs.max(1);
    let mut response = Redirect::to("/admin").into_response();
    let cookies = response.headers_mut();
    for value in [
        auth::set_cookie(relay, auth::SESSION_COOKIE, &token, ttl),
        auth::set_cookie(relay, auth::SIGN_IN_COOKIE, "", 0),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            cookies.append(header::SET_COOKIE, v);
        }
    }
    response
}

/// The page a new firm admin's set-password link opens: who it is for and the form; a link
/// that is unknown, used or expired gets one page that says so (404).
async fn set_password_page(State(relay): State<Arc<Relay>>, Path(token): Path<String>) -> Response {
    match auth::password_link_user(&relay, &token).await {
        Ok(Some(user)) => set_password_form(&token, &user.email, 200, None),
        Ok(None) => dead_link(),
        Err(e) => views::error_page(&e),
    }
}

fn dead_link() -> Response {
    let frame = Frame::SIGNED_OUT;
    let body = html! {
        (views::problem("This link has expired or was already used."))
        p { "Set-password links work once and for a limited time. Ask your relay operator for a new one ("
            code { "hearth-relay admin password-link --email …" } ")." }
    };
    (
        axum::http::StatusCode::NOT_FOUND,
        views::page("Link expired", &frame, body),
    )
        .into_response()
}

fn set_password_form(
    token: &str,
    email: &str,
    status: u16,
    message: Option<maud::Markup>,
) -> Response {
    let frame = Frame::SIGNED_OUT;
    let body = html! {
        @if let Some(m) = message { (m) }
        form.card.signin method="post" action={ "/admin/set-password/" (token) } {
            p { "Choose the password for " strong data-link-email=(email) { (email) } ". This link works once." }
            div.field {
                label for="password" { "New password" }
                input #password type="password" name="password" autocomplete="new-password" minlength="12" required autofocus;
            }
            div.field {
                label for="confirm" { "Repeat it" }
                input #confirm type="password" name="confirm" autocomplete="new-password" minlength="12" required;
            }
            button.primary type="submit" { "Set password and sign in" }
        }
    };
    let status = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    (status, views::page("Set your password", &frame, body)).into_response()
}

#[derive(Deserialize)]
struct SetPasswordForm {
    password: String,
    confirm: String,
}

/// Sets the password through the link (using it up) and signs the admin in; their first
/// sign-in is audited as such.
async fn set_password(
    State(relay): State<Arc<Relay>>,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
    Form(form): Form<SetPasswordForm>,
) -> Response {
    let user = match auth::password_link_user(&relay, &token).await {
        Ok(Some(user)) => user,
        Ok(None) => return dead_link(),
        Err(e) => return views::error_page(&e),
    };
    if form.password != form.confirm {
        return set_password_form(
            &token,
            &user.email,
            400,
            Some(views::problem(
                "The two passwords differ. Type the same one twice.",
            )),
        );
    }
    match auth::set_password_by_link(&relay, &token, &user, &form.password).await {
        Ok(()) => signed_in(&relay, &headers, &user, "console.sign_in.first").await,
        Err(crate::service::ServiceError::BadRequest(why)) => {
            set_password_form(&token, &user.email, 400, Some(views::problem(&why)))
        }
        Err(crate::service::ServiceError::NotFound) => dead_link(),
        Err(e) => views::error_page(&e),
    }
}

async fn sign_out(State(relay): State<Arc<Relay>>, posted: Posted<auth::NoFields>) -> Response {
    let session = posted.session;
    let ended = async {
        session.end(&relay).await?;
        auth::audit(
            &relay,
            session.user.firm_id.as_deref(),
            &auth::actor(&session.user),
            "console.sign_out",
            &session.user.id,
        )
        .await
    };
    if let Err(e) = ended.await {
        return views::error_page(&e);
    }
    (
        [(
            header::SET_COOKIE,
            auth::set_cookie(&relay, auth::SESSION_COOKIE, "", 0),
        )],
        Redirect::to("/admin/login?ended=signed-out"),
    )
        .into_response()
}
