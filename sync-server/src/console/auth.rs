//! Console authentication: Argon2id passwords, cookie sessions bound to CSRF tokens, and
//! sign-in rate limits.
//!
//! * A session is a random token in an `HttpOnly`, `SameSite=Strict` cookie (`Secure` when
//!   `console.secure_cookies` is set), stored as its SHA-256 with an expiry.
//! * Every POST carries a hidden `csrf` field: the SHA-256 of a domain tag and the session
//!   token, so it is bound to the session, cannot be computed without the cookie, and needs no
//!   storage. The sign-in form, which has no session yet, uses a double-submit nonce cookie.
//! * A failed sign-in says the same thing, and costs the same Argon2 work, whether or not the
//!   email exists.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_relay_store::{AuditEvent, ConsoleSession, ConsoleUser, Firm, PasswordLink, StoreError};
use ring::rand::SecureRandom;
use serde::de::DeserializeOwned;

use super::views;
use crate::now_ms;
use crate::service::{Relay, ServiceError};
use crate::tokens;

/// The session cookie.
pub const SESSION_COOKIE: &str = "hearth_console";
/// The sign-in form's double-submit nonce cookie.
pub const SIGN_IN_COOKIE: &str = "hearth_console_signin";
/// Shortest password a console user may have.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Per-IP and per-email sign-in limiters.
pub struct SignInLimits {
    by_ip: governor::DefaultKeyedRateLimiter<IpAddr>,
    by_email: governor::DefaultKeyedRateLimiter<String>,
}

impl SignInLimits {
    /// `per_minute` attempts per client IP and, separately, per email address.
    pub fn new(per_minute: u32) -> Self {
        let quota =
            governor::Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        Self {
            by_ip: governor::RateLimiter::keyed(quota),
            by_email: governor::RateLimiter::keyed(quota),
        }
    }

    /// Counts one attempt; false when either the address or the email is over its limit.
    pub fn allow(&self, ip: Option<IpAddr>, email: &str) -> bool {
        let ip = crate::http::limit_key(ip.unwrap_or(IpAddr::from([0, 0, 0, 0])));
        // Both are counted, so guessing one account from many addresses is limited too.
        let ip_ok = self.by_ip.check_key(&ip).is_ok();
        let email_ok = self.by_email.check_key(&email.to_string()).is_ok();
        ip_ok && email_ok
    }
}

fn random_bytes<const N: usize>() -> Result<[u8; N], ServiceError> {
    let mut bytes = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| ServiceError::BadRequest("the system random generator failed".into()))?;
    Ok(bytes)
}

/// Hashes a password with Argon2id (the `argon2` crate's defaults: m=19 MiB, t=2, p=1) into
/// a PHC string. CPU-heavy: call it off the async executor.
pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| ServiceError::BadRequest(format!("cannot make a password salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::BadRequest(format!("cannot hash the password: {e}")))
}

/// Whether `password` matches the stored PHC hash (a malformed hash never matches).
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash no password matches, verified against when an email is unknown so that a miss
/// costs the same time as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let secret = tokens::new_secret("decoy-");
        hash_password(&secret).unwrap_or_default()
    })
}

/// An email as stored and compared: trimmed and lower-case; refuses what is not an address.
pub fn normalize_email(email: &str) -> Result<String, ServiceError> {
    let email = email.trim().to_lowercase();
    let plausible = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if plausible {
        Ok(email)
    } else {
        Err(ServiceError::BadRequest(
            "enter an email address such as admin@example.com".into(),
        ))
    }
}

fn check_password_rules(password: &str) -> Result<(), ServiceError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServiceError::BadRequest(format!(
            "the password must be at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

/// Appends an audit event for a console action.
pub async fn audit(
    relay: &Relay,
    firm_id: Option<&str>,
    actor: &str,
    action: &str,
    target: &str,
) -> Result<(), ServiceError> {
    relay
        .store
        .append_audit(&AuditEvent {
            seq: 0,
            firm_id: firm_id.map(str::to_string),
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            at: now_ms(),
        })
        .await?;
    Ok(())
}

/// Creates a console user: a firm admin of `firm_id`, or a platform operator for `None`.
/// Used by `hearth-relay admin create` and the operator's "create firm" page.
pub async fn create_user(
    relay: &Relay,
    firm_id: Option<&str>,
    role: hearth_relay_store::ConsoleRole,
    email: &str,
    password: &str,
    by: &str,
) -> Result<ConsoleUser, ServiceError> {
    let email = normalize_email(email)?;
    check_password_rules(password)?;
    if let Some(firm_id) = firm_id {
        relay
            .store
            .firm(firm_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
    }
    let password = password.to_string();
    let password_hash = argon2_work(move || hash_password(&password)).await??;
    let user = ConsoleUser {
        id: tokens::new_id("cu"),
        firm_id: firm_id.map(str::to_string),
        email,
        password_hash,
        role,
        created_at: now_ms(),
    };
    match relay.store.create_console_user(&user).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ServiceError::BadRequest(
                "a console user with this email already exists".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    audit(
        relay,
        firm_id,
        by,
        "console.user.create",
        &format!("{} {}", user.id, role.as_str()),
    )
    .await?;
    Ok(user)
}

/// Replaces a console user's password and ends all their sessions.
pub async fn change_password(
    relay: &Relay,
    user: &ConsoleUser,
    current: &str,
    new: &str,
) -> Result<(), ServiceError> {
    check_password_rules(new)?;
    let (current, stored, new) = (
        current.to_string(),
        user.password_hash.clone(),
        new.to_string(),
    );
    let new_hash = argon2_work(move || {
        if verify_password(&current, &stored) {
            hash_password(&new).map(Some)
        } else {
            Ok(None)
        }
    })
    .await??
    .ok_or(ServiceError::BadRequest(
        "the current password is not correct".into(),
    ))?;
    relay
        .store
        .set_console_password(&user.id, &new_hash)
        .await?;
    relay.store.delete_console_sessions_of(&user.id).await?;
    audit(
        relay,
        user.firm_id.as_deref(),
        &actor(user),
        "console.password.change",
        &user.id,
    )
    .await
}

/// Sets a console user's password without the old one (the relay host's CLI, for a
/// forgotten password) and ends all their sessions.
pub async fn reset_password(
    relay: &Relay,
    email: &str,
    password: &str,
    by: &str,
) -> Result<ConsoleUser, ServiceError> {
    check_password_rules(password)?;
    let email = normalize_email(email)?;
    let user = relay
        .store
        .console_user_by_email(&email)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let password = password.to_string();
    let hash = argon2_work(move || hash_password(&password)).await??;
    relay.store.set_console_password(&user.id, &hash).await?;
    relay.store.delete_console_sessions_of(&user.id).await?;
    audit(
        relay,
        user.firm_id.as_deref(),
        by,
        "console.password.reset",
        &user.id,
    )
    .await?;
    Ok(user)
}

/// Makes a one-time link that sets `user`'s password (valid
/// `console.password_link_ttl_hours`); returns its token. How a new firm's first admin gets in:
/// the operator hands over a link, never a password, and a link used by anyone else leaves the
/// admin unable to use it — noticed, not silent.
pub async fn create_password_link(
    relay: &Relay,
    user: &ConsoleUser,
    by: &str,
) -> Result<String, ServiceError> {
    let token = tokens::new_secret("hpl_");
    let now = now_ms();
    let ttl_ms = i64::from(relay.config.console.password_link_ttl_hours.max(1)) * 3_600_000;
    relay
        .store
        .create_password_link(&PasswordLink {
            token_hash: tokens::hash_secret(&token),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now + ttl_ms,
        })
        .await?;
    audit(
        relay,
        user.firm_id.as_deref(),
        by,
        "console.password_link.create",
        &user.id,
    )
    .await?;
    Ok(token)
}

/// The user whose password a link sets; `None` when the link is unknown, used or expired.
pub async fn password_link_user(
    relay: &Relay,
    token: &str,
) -> Result<Option<ConsoleUser>, ServiceError> {
    match relay
        .store
        .password_link_user(&tokens::hash_secret(token), now_ms())
        .await?
    {
        Some(id) => Ok(relay.store.console_user(&id).await?),
        None => Ok(None),
    }
}

/// Sets `user`'s password through their link (as found by [`password_link_user`]) and uses the
/// link up; ends the user's sessions. A password the rules refuse leaves the link usable; a
/// link already used or expired meanwhile → `NotFound`.
pub async fn set_password_by_link(
    relay: &Relay,
    token: &str,
    user: &ConsoleUser,
    password: &str,
) -> Result<(), ServiceError> {
    check_password_rules(password)?;
    let password = password.to_string();
    let hash = argon2_work(move || hash_password(&password)).await??;
    let taken = relay
        .store
        .take_password_link(&tokens::hash_secret(token), now_ms())
        .await?;
    if taken.as_deref() != Some(user.id.as_str()) {
        return Err(ServiceError::NotFound);
    }
    relay.store.set_console_password(&user.id, &hash).await?;
    relay.store.delete_console_sessions_of(&user.id).await?;
    audit(
        relay,
        user.firm_id.as_deref(),
        &actor(user),
        "console.password.set_by_link",
        &user.id,
    )
    .await
}

/// Runs Argon2 work (19 MiB and tens of milliseconds of one core each) on the blocking pool,
/// at most one per CPU at a time: a burst of sign-ins queues here instead of taking every
/// core and `N x 19 MiB` of memory from the relay's sync traffic.
async fn argon2_work<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServiceError> {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let slots = SLOTS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    });
    let _permit = slots
        .acquire()
        .await
        .map_err(|e| ServiceError::BadRequest(format!("password hashing failed: {e}")))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ServiceError::BadRequest(format!("password hashing failed: {e}")))
}

/// Computes the decoy hash ahead of the first sign-in, off the async executor, so the first
/// miss is not slower than later ones.
pub fn warm_up() {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn_blocking(decoy_hash);
    }
}

/// Checks an email and password; the same `None` (and about the same time) whether the
/// email is unknown or the password wrong.
pub async fn check_credentials(
    relay: &Relay,
    email: &str,
    password: &str,
) -> Result<Option<ConsoleUser>, ServiceError> {
    let user = match normalize_email(email) {
        Ok(email) => relay.store.console_user_by_email(&email).await?,
        Err(_) => None,
    };
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| decoy_hash().to_string());
    let password = password.to_string();
    let ok = argon2_work(move || verify_password(&password, &stored))
        .await
        .unwrap_or(false);
    Ok(user.filter(|_| ok))
}

/// Starts a session for `user`; returns the cookie token.
pub async fn start_session(relay: &Relay, user: &ConsoleUser) -> Result<String, ServiceError> {
    let token = tokens::new_secret("hcs_");
    let now = now_ms();
    relay
        .store
        .create_console_session(&ConsoleSession {
            token_hash: tokens::hash_secret(&token),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now + relay.config.console.session_ttl_secs.max(1) * 1000,
        })
        .await?;
    Ok(token)
}

/// Ends the session named by the request's cookie, if any (before a new sign-in).
pub async fn end_session_of_cookie(relay: &Relay, headers: &HeaderMap) -> Result<(), ServiceError> {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        relay
            .store
            .delete_console_session(&tokens::hash_secret(&token))
            .await?;
    }
    Ok(())
}

/// The CSRF token bound to a session token.
pub fn csrf_for(session_token: &str) -> String {
    hex::encode(tokens::hash_secret(&format!(
        "hearth-console-csrf\0{session_token}"
    )))
}

/// Compares two secrets' digests, so timing says nothing about the secrets.
pub fn same_secret(a: &str, b: &str) -> bool {
    tokens::hash_secret(a) == tokens::hash_secret(b)
}

/// How an action is attributed in the audit trail.
pub fn actor(user: &ConsoleUser) -> String {
    format!("console:{}", user.id)
}

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// A `Set-Cookie` value for the console (path `/admin`, HttpOnly, SameSite=Strict).
pub fn set_cookie(relay: &Relay, name: &str, value: &str, max_age_secs: i64) -> String {
    let secure = if relay.config.https() { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    )
}

/// A signed-in console user. (No `Debug`: it holds the session token.)
#[derive(Clone)]
pub struct Session {
    /// Who.
    pub user: ConsoleUser,
    /// The CSRF token every form of this session carries.
    pub csrf: String,
    token: String,
}

impl Session {
    /// Ends this session.
    pub async fn end(&self, relay: &Relay) -> Result<(), ServiceError> {
        relay
            .store
            .delete_console_session(&tokens::hash_secret(&self.token))
            .await?;
        Ok(())
    }
}

async fn session_from(parts: &Parts, relay: &Relay) -> Result<Option<Session>, ServiceError> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = relay
        .store
        .console_session(&tokens::hash_secret(&token), now_ms())
        .await?
    else {
        return Ok(None);
    };
    let Some(user) = relay.store.console_user(&session.user_id).await? else {
        return Ok(None);
    };
    Ok(Some(Session {
        user,
        csrf: csrf_for(&token),
        token,
    }))
}

/// Where an unauthenticated request is sent.
pub fn to_sign_in() -> Response {
    Redirect::to("/admin/login").into_response()
}

impl FromRequestParts<Arc<Relay>> for Session {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        relay: &Arc<Relay>,
    ) -> Result<Self, Self::Rejection> {
        match session_from(parts, relay).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(to_sign_in()),
            Err(e) => Err(views::error_page(&e)),
        }
    }
}

/// A signed-in user of a firm (admin, compliance officer or auditor) and their firm. Platform
/// operators get the same 404 as any unknown page; so does a page the user's role may not see
/// ([`FirmUser::require`]).
pub struct FirmUser {
    /// The session.
    pub session: Session,
    /// Their firm.
    pub firm: Firm,
    /// The firm's time zone, for the times pages show.
    pub time_zone: jiff::tz::TimeZone,
}

impl FirmUser {
    /// The firm user behind a session, or the 404 page.
    pub async fn of(relay: &Relay, session: Session) -> Result<Self, Response> {
        let Some(firm_id) = session.user.firm_id.clone() else {
            return Err(views::not_found());
        };
        let firm = match relay.store.firm(&firm_id).await {
            Ok(Some(firm)) => firm,
            Ok(None) => return Err(views::not_found()),
            Err(e) => return Err(views::error_page(&e.into())),
        };
        let (_, time_zone) = relay
            .firm_time_zone(&firm_id)
            .await
            .map_err(|e| views::error_page(&e))?;
        Ok(FirmUser {
            session,
            firm,
            time_zone,
        })
    }

    /// The audit actor.
    pub fn actor(&self) -> String {
        actor(&self.session.user)
    }

    /// A time as the firm reads it: in its time zone, with the zone's abbreviation.
    pub fn time(&self, ms: i64) -> String {
        views::time_in(ms, &self.time_zone)
    }

    /// Their role in the firm.
    pub fn role(&self) -> hearth_relay_store::ConsoleRole {
        self.session.user.role
    }

    /// Whether their role may do `action` (asks [`crate::scope::console_may`]).
    pub fn may(&self, action: crate::scope::FirmAction) -> bool {
        crate::scope::console_may(self.role(), action)
    }

    /// `Ok` if their role may do `action`, else the 404 page (a page a role may not use looks
    /// like one that does not exist).
    // The error is the page a handler returns; boxing it would only be unboxed at every `?`.
    #[allow(clippy::result_large_err)]
    pub fn require(&self, action: crate::scope::FirmAction) -> Result<(), Response> {
        if self.may(action) {
            Ok(())
        } else {
            Err(views::not_found())
        }
    }
}

impl FromRequestParts<Arc<Relay>> for FirmUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        relay: &Arc<Relay>,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, relay).await?;
        FirmUser::of(relay, session).await
    }
}

/// A signed-in platform operator. Firm admins get the same 404 as any unknown page.
pub struct PlatformOperator(pub Session);

impl PlatformOperator {
    /// The operator behind a session; `None` for a firm admin.
    pub fn of(session: Session) -> Option<Self> {
        session
            .user
            .firm_id
            .is_none()
            .then_some(PlatformOperator(session))
    }
}

impl FromRequestParts<Arc<Relay>> for PlatformOperator {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        relay: &Arc<Relay>,
    ) -> Result<Self, Self::Rejection> {
        PlatformOperator::of(Session::from_request_parts(parts, relay).await?)
            .ok_or_else(views::not_found)
    }
}

/// A form POSTed by a signed-in user whose `csrf` field matches their session. Anything
/// else is refused before the handler runs: no session → sign-in page; a missing or wrong
/// CSRF token → 403.
pub struct Posted<T> {
    /// Who posted it.
    pub session: Session,
    /// The form fields.
    pub form: T,
}

/// A form with no fields of its own (only the CSRF token): one-button actions.
#[derive(Debug, serde::Deserialize)]
pub struct NoFields {}

/// The largest console form accepted.
const MAX_FORM_BYTES: usize = 64 * 1024;

impl<T: DeserializeOwned> FromRequest<Arc<Relay>> for Posted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, relay: &Arc<Relay>) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, relay).await?;
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| {
                views::message_page(
                    413,
                    "Form too large",
                    "That form is larger than the console accepts.",
                )
            })?;
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let csrf_ok = fields
            .iter()
            .find(|(k, _)| k == "csrf")
            .is_some_and(|(_, v)| same_secret(v, &session.csrf));
        if !csrf_ok {
            relay.metrics.deny("console_csrf");
            return Err(views::message_page(
                403,
                "Form expired",
                "This form did not come from your current console session. Go back, reload the page and try again.",
            ));
        }
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            views::error_page(&ServiceError::BadRequest(format!(
                "the form is incomplete: {e}"
            )))
        })?;
        Ok(Posted { session, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterx", &hash));
        assert!(!verify_password("anything", "not a phc string"));
        assert_ne!(
            hash,
            hash_password("correct horse battery").unwrap(),
            "salted"
        );
        assert!(!verify_password("", decoy_hash()));
    }

    #[test]
    fn csrf_tokens_are_bound_to_the_session() {
        assert_eq!(csrf_for("hcs_a"), csrf_for("hcs_a"));
        assert_ne!(csrf_for("hcs_a"), csrf_for("hcs_b"));
        assert!(!csrf_for("hcs_a").contains("hcs_a"));
        assert!(same_secret(&csrf_for("x"), &csrf_for("x")));
        assert!(!same_secret(&csrf_for("x"), ""));
    }

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@localhost",
            "a da@example.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, "a=1; hearth_console=hcs_x".parse().unwrap());
        headers.append(header::COOKIE, "b=2".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("hcs_x"));
        assert_eq!(cookie(&headers, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&headers, "c"), None);
    }

    #[test]
    fn sign_in_is_limited_per_ip_and_per_email() {
        let limits = SignInLimits::new(2);
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        assert!(limits.allow(ip, "a@x.example"));
        assert!(limits.allow(ip, "b@x.example"));
        assert!(!limits.allow(ip, "c@x.example"), "third from one IP");
        let other = Some(IpAddr::from([10, 0, 0, 2]));
        assert!(limits.allow(other, "a@x.example"));
        assert!(
            !limits.allow(Some(IpAddr::from([10, 0, 0, 3])), "a@x.example"),
            "third for one email from anywhere"
        );
    }
}
