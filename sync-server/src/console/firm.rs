//! The firm admin's pages. Every handler takes its firm from [`FirmUser`] (the session),
//! never from the URL; ids in the URL are looked up inside that firm only, so another firm's
//! id gets the same 404 page as an id that does not exist.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hearth_relay_store::{Advisor, ConsoleRole, ConsoleUser};
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::{self, FirmUser, Posted};
use super::views::{self, Frame};
use crate::scope::FirmAction;
use crate::service::{Relay, ServiceError};

pub(super) fn routes() -> Router<Arc<Relay>> {
    Router::new()
        .route("/admin/advisors", get(advisors).post(invite))
        .route("/admin/advisors/{advisor_id}/reinvite", post(reinvite))
        .route("/admin/advisors/{advisor_id}/disable", post(disable))
        .route("/admin/advisors/{advisor_id}/enable", post(enable))
        .route("/admin/devices", get(devices))
        .route("/admin/devices/{device_id}/revoke", post(revoke))
        .route("/admin/households", get(households))
        .route("/admin/households/{doc_id}", get(household))
        .route("/admin/households/{doc_id}/share", post(share))
        .route("/admin/households/{doc_id}/unshare", post(unshare))
        .route("/admin/audit", get(audit))
        .route("/admin/settings", get(settings))
        .route("/admin/settings/password", post(change_password))
        .route("/admin/settings/users", post(add_console_user))
        .route(
            "/admin/settings/users/{user_id}/role",
            post(set_console_role),
        )
}

type PageResult = Result<Response, Response>;

fn fail(e: impl Into<ServiceError>) -> Response {
    views::error_page(&e.into())
}

fn render(user: &FirmUser, title: &str, active: &str, body: Markup) -> Response {
    let frame = Frame {
        session: Some(&user.session),
        firm_name: Some(&user.firm.name),
        active,
    };
    views::page(title, &frame, body).into_response()
}

/// Fixed texts for `?notice=` after an action (never echoing the query itself).
#[derive(Deserialize, Default)]
struct Notice {
    notice: Option<String>,
}

impl Notice {
    fn markup(&self) -> Option<Markup> {
        let text = match self.notice.as_deref()? {
            "disabled" => "The advisor is disabled; their devices were disconnected.",
            "enabled" => "The advisor is enabled again.",
            "revoked" => "The device is revoked and disconnected. It can never reconnect.",
            "shared" => "The household is now shared.",
            "unshared" => "The household is no longer shared with that advisor.",
            _ => return None,
        };
        Some(views::notice(text))
    }
}

async fn firm_advisors(relay: &Relay, user: &FirmUser) -> Result<Vec<Advisor>, Response> {
    let mut advisors = relay
        .store
        .list_advisors(&user.firm.id)
        .await
        .map_err(fail)?;
    advisors.sort_by_key(|a| a.name.to_lowercase());
    Ok(advisors)
}

fn names(advisors: &[Advisor]) -> HashMap<String, String> {
    advisors
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect()
}

fn name_of<'a>(names: &'a HashMap<String, String>, id: &'a str) -> &'a str {
    names.get(id).map(String::as_str).unwrap_or(id)
}

// ---------------------------------------------------------------------------------------------
// Advisors

async fn advisors_page(
    relay: &Relay,
    user: &FirmUser,
    top: Option<Markup>,
    status: u16,
) -> PageResult {
    let advisors = firm_advisors(relay, user).await?;
    let devices = relay
        .store
        .list_devices(&user.firm.id, None)
        .await
        .map_err(fail)?;
    let active_devices = |id: &str| {
        devices
            .iter()
            .filter(|d| d.advisor_id == id && d.revoked_at.is_none())
            .count()
    };
    let s = &user.session;
    let body = html! {
        @if let Some(top) = top { (top) }
        section.card aria-labelledby="invite-title" {
            h2 #invite-title { "Invite an advisor" }
            form.row method="post" action="/admin/advisors" {
                (views::csrf(s))
                div.field {
                    label for="advisor-name" { "Name" }
                    input #advisor-name type="text" name="name" required maxlength="100" autocomplete="off";
                }
                div.field.check {
                    input #advisor-admin type="checkbox" name="admin" value="on";
                    label for="advisor-admin" { "Firm admin (may share any household)" }
                }
                button.primary type="submit" { "Invite" }
            }
        }
        table {
            caption { "Advisors of " (user.firm.name) }
            thead { tr {
                th scope="col" { "Name" } th scope="col" { "Role" } th scope="col" { "Status" }
                th scope="col" { "Active devices" } th scope="col" { "Added" } th scope="col" { span.sr { "Actions" } }
            } }
            tbody {
                @for a in &advisors {
                    tr data-advisor=(a.id) {
                        td { (a.name) br; small.id { (a.id) } }
                        td { @if a.is_admin { "Admin" } @else { "Advisor" } }
                        td { @if a.disabled { span.badge.off { "Disabled" } } @else { span.badge.on { "Active" } } }
                        td.num { (active_devices(&a.id)) }
                        td { (views::time(a.created_at)) }
                        td.actions {
                            @if a.disabled {
                                (views::action_button(s, &format!("/admin/advisors/{}/enable", a.id), "Enable", None, false))
                            } @else {
                                (views::action_button(s, &format!("/admin/advisors/{}/reinvite", a.id), "New enrollment code", None, false))
                                (views::action_button(s, &format!("/admin/advisors/{}/disable", a.id), "Disable", Some("Disable this advisor? Their devices are disconnected at once."), true))
                            }
                        }
                    }
                }
                @if advisors.is_empty() {
                    tr { td colspan="6" { "No advisors yet. Invite the first one above." } }
                }
            }
        }
    };
    let mut response = render(user, "Advisors", "/admin/advisors", body);
    *response.status_mut() =
        axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    Ok(response)
}

async fn advisors(
    State(relay): State<Arc<Relay>>,
    user: FirmUser,
    Query(n): Query<Notice>,
) -> PageResult {
    user.require(FirmAction::ManageAdvisors)?;
    advisors_page(&relay, &user, n.markup(), 200).await
}

fn code_box(relay: &Relay, headers: &HeaderMap, name: &str, code: &str) -> Markup {
    let address = views::relay_address(relay, headers);
    html! {
        section.code-box role="status" aria-labelledby="code-title" {
            h2 #code-title { "Enrollment code for " (name) }
            p.code data-enrollment-code=(code) { (code) }
            p {
                "Shown once. It works for one device and expires in "
                (relay.config.invite_ttl_hours) " hours. Give it to the advisor over a trusted channel; on their laptop:"
            }
            pre { code { "hearth enroll --relay " (address) " --code " (code) } }
        }
    }
}

#[derive(Deserialize)]
struct InviteForm {
    name: String,
    admin: Option<String>,
}

async fn invite(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    posted: Posted<InviteForm>,
) -> PageResult {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::ManageAdvisors)?;
    let form = posted.form;
    match relay
        .invite_advisor(
            &user.firm.id,
            &form.name,
            form.admin.is_some(),
            &user.actor(),
        )
        .await
    {
        Ok((advisor, code)) => {
            let top = code_box(&relay, &headers, &advisor.name, &code);
            advisors_page(&relay, &user, Some(top), 201).await
        }
        Err(ServiceError::BadRequest(why)) => {
            advisors_page(&relay, &user, Some(views::problem(&why)), 400).await
        }
        Err(e) => Err(fail(e)),
    }
}

async fn reinvite(
    State(relay): State<Arc<Relay>>,
    Path(advisor_id): Path<String>,
    headers: HeaderMap,
    posted: Posted<auth::NoFields>,
) -> PageResult {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::ManageAdvisors)?;
    let code = relay
        .reinvite(&user.firm.id, &advisor_id, &user.actor())
        .await
        .map_err(fail)?;
    let advisors = firm_advisors(&relay, &user).await?;
    let name = names(&advisors)
        .get(&advisor_id)
        .cloned()
        .unwrap_or_default();
    let top = code_box(&relay, &headers, &name, &code);
    advisors_page(&relay, &user, Some(top), 200).await
}

async fn set_disabled(
    relay: &Relay,
    posted: Posted<auth::NoFields>,
    id: &str,
    disabled: bool,
) -> PageResult {
    let user = FirmUser::of(relay, posted.session).await?;
    user.require(FirmAction::ManageAdvisors)?;
    if relay
        .set_advisor_disabled(&user.firm.id, id, disabled, &user.actor())
        .await
        .map_err(fail)?
    {
        let notice = if disabled { "disabled" } else { "enabled" };
        Ok(Redirect::to(&format!("/admin/advisors?notice={notice}")).into_response())
    } else {
        Err(views::not_found())
    }
}

async fn disable(
    State(relay): State<Arc<Relay>>,
    Path(advisor_id): Path<String>,
    posted: Posted<auth::NoFields>,
) -> PageResult {
    set_disabled(&relay, posted, &advisor_id, true).await
}

async fn enable(
    State(relay): State<Arc<Relay>>,
    Path(advisor_id): Path<String>,
    posted: Posted<auth::NoFields>,
) -> PageResult {
    set_disabled(&relay, posted, &advisor_id, false).await
}

// ---------------------------------------------------------------------------------------------
// Devices

async fn devices(
    State(relay): State<Arc<Relay>>,
    user: FirmUser,
    Query(n): Query<Notice>,
) -> PageResult {
    user.require(FirmAction::ManageAdvisors)?;
    let advisors = firm_advisors(&relay, &user).await?;
    let names = names(&advisors);
    let mut devices = relay
        .store
        .list_devices(&user.firm.id, None)
        .await
        .map_err(fail)?;
    devices.sort_by(|a, b| {
        (a.revoked_at.is_some(), b.created_at).cmp(&(b.revoked_at.is_some(), a.created_at))
    });
    let s = &user.session;
    let body = html! {
        @if let Some(m) = n.markup() { (m) }
        p.lead { "Laptops enrolled with an enrollment code. Revoking one disconnects it at once; it can never reconnect (the advisor can enroll again with a new code)." }
        table {
            caption { "Devices of " (user.firm.name) }
            thead { tr {
                th scope="col" { "Device" } th scope="col" { "Advisor" } th scope="col" { "Enrolled" }
                th scope="col" { "Status" } th scope="col" { span.sr { "Actions" } }
            } }
            tbody {
                @for d in &devices {
                    tr data-device=(d.id) {
                        td { (d.label) br; small.id { (d.id) } }
                        td { (name_of(&names, &d.advisor_id)) }
                        td { (views::time(d.created_at)) }
                        td {
                            @if let Some(at) = d.revoked_at { span.badge.off { "Revoked " (views::time(at)) } }
                            @else { span.badge.on { "Active" } }
                        }
                        td.actions {
                            @if d.revoked_at.is_none() {
                                (views::action_button(s, &format!("/admin/devices/{}/revoke", d.id), "Revoke", Some("Revoke this device? It is disconnected and can never reconnect."), true))
                            }
                        }
                    }
                }
                @if devices.is_empty() {
                    tr { td colspan="5" { "No devices have enrolled yet." } }
                }
            }
        }
    };
    Ok(render(&user, "Devices", "/admin/devices", body))
}

async fn revoke(
    State(relay): State<Arc<Relay>>,
    Path(device_id): Path<String>,
    posted: Posted<auth::NoFields>,
) -> PageResult {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::ManageAdvisors)?;
    if relay
        .revoke_device(&user.firm.id, &device_id, &user.actor())
        .await
        .map_err(fail)?
    {
        Ok(Redirect::to("/admin/devices?notice=revoked").into_response())
    } else {
        Err(views::not_found())
    }
}

// ---------------------------------------------------------------------------------------------
// Households

async fn households(State(relay): State<Arc<Relay>>, user: FirmUser) -> PageResult {
    user.require(FirmAction::SeeHouseholds)?;
    let advisors = firm_advisors(&relay, &user).await?;
    let names = names(&advisors);
    let docs = relay.firm_documents(&user.firm.id);
    let body = html! {
        p.lead { "Every household document of the firm, who owns it and whom it is shared with. The console shows who may see a household, never what is in it." }
        table {
            caption { "Households of " (user.firm.name) }
            thead { tr {
                th scope="col" { "Household" } th scope="col" { "Owner" } th scope="col" { "Shared with" }
            } }
            tbody {
                @for (doc_id, owner, shared) in &docs {
                    tr data-household=(doc_id) {
                        td { a href=(format!("/admin/households/{doc_id}")) { code { (doc_id) } } }
                        td { (name_of(&names, owner)) }
                        td {
                            @if shared.is_empty() { span.muted { "Nobody" } }
                            @else {
                                @for (i, a) in shared.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    (name_of(&names, a))
                                }
                            }
                        }
                    }
                }
                @if docs.is_empty() {
                    tr { td colspan="3" { "No households have been synced to the relay yet." } }
                }
            }
        }
    };
    Ok(render(&user, "Households", "/admin/households", body))
}

/// Owner and shares of a household of the admin's firm; `None` for any other id.
fn firm_household(relay: &Relay, firm_id: &str, doc_id: &str) -> Option<(String, Vec<String>)> {
    relay
        .firm_documents(firm_id)
        .into_iter()
        .find(|(id, _, _)| id == doc_id)
        .map(|(_, owner, shared)| (owner, shared))
}

async fn household(
    State(relay): State<Arc<Relay>>,
    user: FirmUser,
    Path(doc_id): Path<String>,
    Query(n): Query<Notice>,
) -> PageResult {
    user.require(FirmAction::SeeHouseholds)?;
    let (owner, shared) =
        firm_household(&relay, &user.firm.id, &doc_id).ok_or_else(views::not_found)?;
    let meta = relay
        .store
        .document(&crate::scope::store_key(&user.firm.id, &doc_id))
        .await
        .map_err(fail)?;
    let advisors = firm_advisors(&relay, &user).await?;
    let names = names(&advisors);
    let candidates: Vec<&Advisor> = advisors
        .iter()
        .filter(|a| !a.disabled && a.id != owner && !shared.contains(&a.id))
        .collect();
    let s = &user.session;
    let body = html! {
        @if let Some(m) = n.markup() { (m) }
        dl.facts {
            dt { "Document" } dd { code { (doc_id) } }
            dt { "Owner" } dd { (name_of(&names, &owner)) }
            @if let Some(meta) = &meta {
                dt { "Created" } dd { (views::time(meta.created_at)) }
                dt { "Last change" } dd { (views::time(meta.updated_at)) }
            }
        }
        section.card aria-labelledby="shared-title" {
            h2 #shared-title { "Shared with" }
            @if shared.is_empty() {
                p.muted { "Only the owner (and firm admins) can see this household." }
            } @else {
                ul.plain {
                    @for a in &shared {
                        li data-shared=(a) {
                            (name_of(&names, a)) " "
                            form.inline method="post" action=(format!("/admin/households/{doc_id}/unshare")) data-confirm="Stop sharing this household with this advisor?" {
                                (views::csrf(s))
                                input type="hidden" name="advisor" value=(a);
                                button.danger type="submit" { "Stop sharing" }
                            }
                        }
                    }
                }
            }
            @if !candidates.is_empty() {
                form.row method="post" action=(format!("/admin/households/{doc_id}/share")) {
                    (views::csrf(s))
                    div.field {
                        label for="share-with" { "Share with" }
                        select #share-with name="advisor" required {
                            @for a in &candidates {
                                option value=(a.id) { (a.name) }
                            }
                        }
                    }
                    button.primary type="submit" { "Share" }
                }
            }
        }
        p { a href="/admin/households" { "← All households" } }
    };
    Ok(render(&user, "Household", "/admin/households", body))
}

#[derive(Deserialize)]
struct ShareForm {
    advisor: String,
}

async fn set_shared(
    relay: &Relay,
    posted: Posted<ShareForm>,
    doc_id: &str,
    shared: bool,
) -> PageResult {
    let user = FirmUser::of(relay, posted.session).await?;
    user.require(FirmAction::ShareHouseholds)?;
    relay
        .admin_set_shared(
            &user.firm.id,
            doc_id,
            &posted.form.advisor,
            shared,
            &user.actor(),
        )
        .await
        .map_err(fail)?;
    let notice = if shared { "shared" } else { "unshared" };
    Ok(Redirect::to(&format!("/admin/households/{doc_id}?notice={notice}")).into_response())
}

async fn share(
    State(relay): State<Arc<Relay>>,
    Path(doc_id): Path<String>,
    posted: Posted<ShareForm>,
) -> PageResult {
    set_shared(&relay, posted, &doc_id, true).await
}

async fn unshare(
    State(relay): State<Arc<Relay>>,
    Path(doc_id): Path<String>,
    posted: Posted<ShareForm>,
) -> PageResult {
    set_shared(&relay, posted, &doc_id, false).await
}

// ---------------------------------------------------------------------------------------------
// Audit

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<i64>,
}

async fn audit(
    State(relay): State<Arc<Relay>>,
    user: FirmUser,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    user.require(FirmAction::ReadAudit)?;
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    let events = relay
        .store
        .list_audit(&user.firm.id, limit)
        .await
        .map_err(fail)?;
    let advisors = firm_advisors(&relay, &user).await?;
    let users = relay
        .store
        .list_console_users(Some(&user.firm.id))
        .await
        .map_err(fail)?;
    let mut who = names(&advisors);
    for u in &users {
        who.insert(u.id.clone(), u.email.clone());
    }
    let actor = |a: &str| -> String {
        match a.split_once(':') {
            Some(("advisor", id)) => format!("advisor {}", name_of(&who, id)),
            Some(("console", id)) => format!("console {}", name_of(&who, id)),
            Some(("device", id)) => format!("device {id}"),
            _ => a.to_string(),
        }
    };
    let body = html! {
        p.lead { "The most recent " (events.len()) " administrative events of the firm, newest first." }
        table {
            caption { "Audit log of " (user.firm.name) }
            thead { tr {
                th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "Action" } th scope="col" { "Target" }
            } }
            tbody {
                @for e in &events {
                    tr {
                        td { (views::time(e.at)) }
                        td { (actor(&e.actor)) }
                        td { code { (e.action) } }
                        td { small.id { (e.target) } }
                    }
                }
            }
        }
    };
    Ok(render(&user, "Audit log", "/admin/audit", body))
}

// ---------------------------------------------------------------------------------------------
// Settings

async fn settings_page(
    relay: &Relay,
    user: &FirmUser,
    top: Option<Markup>,
    status: u16,
) -> PageResult {
    let users: Vec<ConsoleUser> = relay
        .store
        .list_console_users(Some(&user.firm.id))
        .await
        .map_err(fail)?;
    let hours = relay.config.console.session_ttl_secs as f64 / 3600.0;
    let s = &user.session;
    let manage = user.may(FirmAction::ManageConsoleUsers);
    let body = html! {
        @if let Some(top) = top { (top) }
        section.card aria-labelledby="firm-title" {
            h2 #firm-title { "Firm" }
            dl.facts {
                dt { "Name" } dd { (user.firm.name) }
                dt { "Firm id" } dd { code { (user.firm.id) } }
                dt { "On this relay since" } dd { (views::time(user.firm.created_at)) }
                dt { "Enrollment codes expire after" } dd { (relay.config.invite_ttl_hours) " hours" }
                dt { "Console sign-ins last" } dd { (format!("{hours:.1}")) " hours" }
            }
            p.hint { "The firm's name and limits are set by the platform operator." }
        }
        section.card aria-labelledby="users-title" {
            h2 #users-title { "Console users" }
            table {
                thead { tr { th scope="col" { "Email" } th scope="col" { "Role" } th scope="col" { "Since" } } }
                tbody {
                    @for u in &users {
                        tr data-console-user=(u.email) data-role=(u.role.as_str()) {
                            td { (u.email) }
                            td {
                                @if manage && u.id != s.user.id {
                                    form.inline method="post" action=(format!("/admin/settings/users/{}/role", u.id)) {
                                        (views::csrf(s))
                                        label.visually-hidden for=(format!("role-{}", u.id)) { "Role of " (u.email) }
                                        select id=(format!("role-{}", u.id)) name="role" {
                                            @for r in ConsoleRole::ALL {
                                                option value=(r.as_str()) selected[r == u.role] { (r.label()) }
                                            }
                                        }
                                        " " button type="submit" { "Change" }
                                    }
                                } @else {
                                    (u.role.label())
                                }
                            }
                            td { (views::time(u.created_at)) }
                        }
                    }
                }
            }
            @if manage {
                form.row method="post" action="/admin/settings/users" {
                    (views::csrf(s))
                    div.field {
                        label for="new-user-email" { "Email" }
                        input #new-user-email type="email" name="email" required autocomplete="off";
                    }
                    div.field {
                        label for="new-user-role" { "Role" }
                        select #new-user-role name="role" {
                            @for r in ConsoleRole::ALL { option value=(r.as_str()) { (r.label()) } }
                        }
                    }
                    button.primary type="submit" { "Add console user" }
                }
                p.hint { "Compliance officers read every household's flags and compliance notes, review them and set the firm's policy; they change no household. Auditors read and change nothing. The new user gets a one-time link to choose their password." }
            }
        }
        section.card aria-labelledby="password-title" {
            h2 #password-title { "Change your password" }
            form method="post" action="/admin/settings/password" {
                (views::csrf(s))
                div.field {
                    label for="current" { "Current password" }
                    input #current type="password" name="current" autocomplete="current-password" required;
                }
                div.field {
                    label for="new" { "New password (at least " (auth::MIN_PASSWORD_CHARS) " characters)" }
                    input #new type="password" name="new" autocomplete="new-password" required minlength=(auth::MIN_PASSWORD_CHARS);
                }
                button.primary type="submit" { "Change password" }
            }
            p.hint { "Changing it signs you out everywhere." }
        }
    };
    let mut response = render(user, "Settings", "/admin/settings", body);
    *response.status_mut() =
        axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    Ok(response)
}

async fn settings(State(relay): State<Arc<Relay>>, user: FirmUser) -> PageResult {
    settings_page(&relay, &user, None, 200).await
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
}

async fn change_password(
    State(relay): State<Arc<Relay>>,
    posted: Posted<PasswordForm>,
) -> PageResult {
    let user = FirmUser::of(&relay, posted.session).await?;
    match auth::change_password(
        &relay,
        &user.session.user,
        &posted.form.current,
        &posted.form.new,
    )
    .await
    {
        Ok(()) => Ok((
            [(
                header::SET_COOKIE,
                auth::set_cookie(&relay, auth::SESSION_COOKIE, "", 0),
            )],
            Redirect::to("/admin/login?ended=password"),
        )
            .into_response()),
        Err(ServiceError::BadRequest(why)) => {
            settings_page(&relay, &user, Some(views::problem(&why)), 400).await
        }
        Err(e) => Err(fail(e)),
    }
}

#[derive(Deserialize)]
struct NewConsoleUserForm {
    email: String,
    role: String,
}

#[allow(clippy::result_large_err)] // the error is the page the handler returns
fn parse_role(name: &str) -> Result<ConsoleRole, Response> {
    ConsoleRole::parse(name)
        .ok_or_else(|| fail(ServiceError::BadRequest(format!("unknown role {name:?}"))))
}

/// A firm admin adds a console user of their firm: the account starts with a password nobody
/// knows and a one-time link to set it (shown once, like the operator's for a new firm).
async fn add_console_user(
    State(relay): State<Arc<Relay>>,
    headers: HeaderMap,
    posted: Posted<NewConsoleUserForm>,
) -> PageResult {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::ManageConsoleUsers)?;
    let role = parse_role(&posted.form.role)?;
    let unknown = crate::tokens::new_secret("");
    let created = match auth::create_user(
        &relay,
        Some(&user.firm.id),
        role,
        &posted.form.email,
        &unknown,
        &user.actor(),
    )
    .await
    {
        Ok(u) => u,
        Err(ServiceError::BadRequest(why)) => {
            return settings_page(&relay, &user, Some(views::problem(&why)), 400).await;
        }
        Err(e) => return Err(fail(e)),
    };
    let token = auth::create_password_link(&relay, &created, &user.actor())
        .await
        .map_err(fail)?;
    let link = format!(
        "{}/admin/set-password/{token}",
        views::relay_address(&relay, &headers)
    );
    let top = html! {
        section.code-box role="status" aria-labelledby="link-title" {
            h2 #link-title { "Added " (created.email) " as " (role.label()) }
            p { "Send them this link; it works once, for " (relay.config.console.password_link_ttl_hours) " hours, and lets them choose their own password." }
            div.copy-row {
                code.code #new-user-link data-password-link=(link) { (link) }
                button type="button" data-copy="#new-user-link" { "Copy" }
            }
        }
    };
    settings_page(&relay, &user, Some(top), 200).await
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
}

/// A firm admin changes another console user's role (never their own: a firm keeps an admin).
async fn set_console_role(
    State(relay): State<Arc<Relay>>,
    Path(user_id): Path<String>,
    posted: Posted<RoleForm>,
) -> PageResult {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::ManageConsoleUsers)?;
    let role = parse_role(&posted.form.role)?;
    if user_id == user.session.user.id {
        return settings_page(
            &relay,
            &user,
            Some(views::problem(
                "You cannot change your own role; another admin can.",
            )),
            400,
        )
        .await;
    }
    let changed = relay
        .store
        .set_console_role(&user.firm.id, &user_id, role)
        .await
        .map_err(fail)?;
    if !changed {
        return Err(views::not_found());
    }
    // A changed role takes effect on the user's next request: sessions read the user anew.
    auth::audit(
        &relay,
        Some(&user.firm.id),
        &user.actor(),
        "console.user.role",
        &format!("{user_id} {}", role.as_str()),
    )
    .await
    .map_err(fail)?;
    settings_page(
        &relay,
        &user,
        Some(views::notice(
            "The role is changed; it applies from their next click.",
        )),
        200,
    )
    .await
}
