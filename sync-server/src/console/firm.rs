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
use super::views::{self, fail, render};
use crate::scope::FirmAction;
use crate::service::{Relay, ServiceError};

pub(super) fn routes() -> Router<Arc<Relay>> {
    Router::new()
        .route("/admin/advisors", get(advisors).post(invite))
        .route("/admin/advisors/{advisor_id}/reinvite", post(reinvite))
        .route("/admin/advisors/{advisor_id}/disable", post(disable))
        .route("/admin/advisors/{advisor_id}/enable", post(enable))
        .route("/admin/advisors/{advisor_id}/promote", post(promote))
        .route("/admin/advisors/{advisor_id}/demote", post(demote))
        .route("/admin/advisors/{advisor_id}/transfer", post(transfer))
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
        .route("/admin/settings/time-zone", post(set_time_zone))
        .route(
            "/admin/settings/users/{user_id}/role",
            post(set_console_role),
        )
}

type PageResult = Result<Response, Response>;

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
            "promoted" => {
                "The advisor is a firm admin now; their devices reconnect with admin rights."
            }
            "demoted" => {
                "The advisor is no longer a firm admin; their devices reconnect without admin rights."
            }
            "transferred" => {
                "The households are moved; the colleague owns them now and their desk fetches them on its next sync."
            }
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
    let mut owned_by: HashMap<String, usize> = HashMap::new();
    for (_, owner, _) in relay.firm_documents(&user.firm.id) {
        *owned_by.entry(owner).or_default() += 1;
    }
    let owned = |id: &str| owned_by.get(id).copied().unwrap_or(0);
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
                th scope="col" { "Active devices" } th scope="col" { "Households" } th scope="col" { "Added" } th scope="col" { span.sr { "Actions" } }
            } }
            tbody {
                @for a in &advisors {
                    tr data-advisor=(a.id) {
                        td { (a.name) br; small.id { (a.id) } }
                        td { @if a.is_admin { "Admin" } @else { "Advisor" } }
                        td { @if a.disabled { span.badge.off { "Disabled" } } @else { span.badge.on { "Active" } } }
                        td.num { (active_devices(&a.id)) }
                        td.num data-owned=(owned(&a.id)) { (owned(&a.id)) }
                        td { (user.time(a.created_at)) }
                        td.actions {
                            @if a.disabled {
                                (views::action_button(s, &format!("/admin/advisors/{}/enable", a.id), "Enable", None, false))
                            } @else {
                                (views::action_button(s, &format!("/admin/advisors/{}/reinvite", a.id), "New enrollment code", None, false))
                                (views::action_button(s, &format!("/admin/advisors/{}/disable", a.id), "Disable", Some("Disable this advisor? Their devices are disconnected at once."), true))
                            }
                            @if a.is_admin {
                                (views::action_button(s, &format!("/admin/advisors/{}/demote", a.id), "Remove admin", Some("Remove this advisor's firm admin rights?"), false))
                            } @else if !a.disabled {
                                (views::action_button(s, &format!("/admin/advisors/{}/promote", a.id), "Make admin", Some("Make this advisor a firm admin? Admins may share any household of the firm."), false))
                            }
                            @if owned(&a.id) > 0 {
                                form.inline method="post" action=(format!("/admin/advisors/{}/transfer", a.id)) data-confirm="Move all of this advisor's households to the colleague chosen? They become the owner." {
                                    (views::csrf(s))
                                    label.visually-hidden for=(format!("transfer-{}", a.id)) { "Move " (a.name) "'s households to" }
                                    select id=(format!("transfer-{}", a.id)) name="to" required {
                                        @for other in advisors.iter().filter(|o| o.id != a.id && !o.disabled) {
                                            option value=(other.id) { (other.name) }
                                        }
                                    }
                                    " " button type="submit" { "Move households" }
                                }
                            }
                        }
                    }
                }
                @if advisors.is_empty() {
                    tr { td colspan="7" { "No advisors yet. Invite the first one above." } }
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
            p { "In Hearth on their laptop: the first-run screen, or " strong { "Settings → Firm relay" } ". It asks for these two:" }
            dl.facts {
                dt { "Relay address" }
                dd { div.copy-row {
                    code #relay-address data-relay-address=(address) { (address) }
                    button type="button" data-copy="#relay-address" { "Copy" }
                } }
                dt { "Enrollment code" }
                dd { div.copy-row {
                    code.code #enrollment-code data-enrollment-code=(code) { (code) }
                    button type="button" data-copy="#enrollment-code" { "Copy" }
                } }
            }
            p.hint {
                "Shown once. It works for one device and expires in "
                (relay.config.invite_ttl_hours) " hours. Give it to the advisor over a trusted channel (in person or by phone, not in the same e-mail as the address)."
            }
            details {
                summary { "From a terminal instead" }
                pre { code { "hearth enroll --relay " (address) " --code " (code) } }
            }
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

async fn set_admin(
    relay: &Relay,
    posted: Posted<auth::NoFields>,
    id: &str,
    admin: bool,
) -> PageResult {
    let user = FirmUser::of(relay, posted.session).await?;
    user.require(FirmAction::ManageAdvisors)?;
    if relay
        .set_advisor_admin(&user.firm.id, id, admin, &user.actor())
        .await
        .map_err(fail)?
    {
        let notice = if admin { "promoted" } else { "demoted" };
        Ok(Redirect::to(&format!("/admin/advisors?notice={notice}")).into_response())
    } else {
        Err(views::not_found())
    }
}

async fn promote(
    State(relay): State<Arc<Relay>>,
    Path(advisor_id): Path<String>,
    posted: Posted<auth::NoFields>,
) -> PageResult {
    set_admin(&relay, posted, &advisor_id, true).await
}

async fn demote(
    State(relay): State<Arc<Relay>>,
    Path(advisor_id): Path<String>,
    posted: Posted<auth::NoFields>,
) -> PageResult {
    set_admin(&relay, posted, &advisor_id, false).await
}

#[derive(Deserialize)]
struct TransferForm {
    to: String,
}

/// Moves a departing advisor's households to a colleague in one action.
async fn transfer(
    State(relay): State<Arc<Relay>>,
    Path(advisor_id): Path<String>,
    posted: Posted<TransferForm>,
) -> PageResult {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::ShareHouseholds)?;
    relay
        .transfer_households(&user.firm.id, &advisor_id, &posted.form.to, &user.actor())
        .await
        .map_err(fail)?;
    Ok(Redirect::to("/admin/advisors?notice=transferred").into_response())
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
                        td { (user.time(d.created_at)) }
                        td {
                            @if let Some(at) = d.revoked_at { span.badge.off { "Revoked " (user.time(at)) } }
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
    let labels = relay.household_labels(&user.firm.id).await.map_err(fail)?;
    let body = html! {
        p.lead { "Every household of the firm, who owns it and whom it is shared with. The client reference is the firm's own number, set by the advisor in Hearth." }
        table {
            caption { "Households of " (user.firm.name) }
            thead { tr {
                th scope="col" { "Household" } th scope="col" { "Client reference" } th scope="col" { "Owner" } th scope="col" { "Shared with" }
            } }
            tbody {
                @for (doc_id, owner, shared) in &docs {
                    tr data-household=(doc_id) {
                        td {
                            a href=(format!("/admin/households/{doc_id}")) {
                                @match labels.get(doc_id) { Some((name, _)) => (name), None => { "(not yet readable)" } }
                            }
                            br; small.id { (doc_id) }
                        }
                        td data-client-ref { @if let Some((_, Some(r))) = labels.get(doc_id) { (r) } @else { span.muted { "—" } } }
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
                    tr { td colspan="4" { "No households have been synced to the relay yet." } }
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
    let label = match relay.household_data(&user.firm.id, &doc_id).await {
        Ok(data) => Some((data.name, data.client_ref)),
        // Not (yet) a readable household: shown by id only.
        Err(ServiceError::BadRequest(_)) => None,
        Err(e) => return Err(fail(e)),
    };
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
            @if let Some((name, client_ref)) = &label {
                dt { "Household" } dd { (name) }
                @if let Some(r) = client_ref { dt { "Client reference" } dd { (r) } }
            }
            dt { "Document" } dd { code { (doc_id) } }
            dt { "Owner" } dd { (name_of(&names, &owner)) }
            @if let Some(meta) = &meta {
                dt { "Created" } dd { (user.time(meta.created_at)) }
                dt { "Last change" } dd { (user.time(meta.updated_at)) }
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

#[derive(Deserialize, Default)]
struct AuditQuery {
    limit: Option<i64>,
    /// Area: advisors, devices, households, console, archive, review, policy.
    area: Option<String>,
    /// Who: an actor as stored (`console:<id>`, `advisor:<id>`, `operator`).
    who: Option<String>,
    /// From / to (YYYY-MM-DD, in the firm's time zone).
    from: Option<String>,
    to: Option<String>,
}

/// The areas the audit log filters by, and the action prefixes each covers.
const AUDIT_AREAS: &[(&str, &str, &[&str])] = &[
    ("advisors", "Advisors", &["advisor."]),
    ("devices", "Devices and tokens", &["device.", "token."]),
    ("households", "Households and sharing", &["document."]),
    ("console", "Console sign-ins and users", &["console."]),
    ("review", "Compliance review", &["review."]),
    ("policy", "Firm policy and settings", &["policy.", "firm."]),
    ("archive", "Archive", &["archive."]),
];

/// An audit event as a sentence an admin reads ("Disabled advisor Nina Colleague").
fn audit_sentence(action: &str, target: &str, name: &dyn Fn(&str) -> String) -> String {
    let (first, rest) = target.split_once(' ').unwrap_or((target, ""));
    match action {
        "advisor.invite" => format!("Invited advisor {}", name(target)),
        "advisor.reinvite" => format!("Made a new enrollment code for {}", name(target)),
        "advisor.disable" => format!("Disabled advisor {}", name(target)),
        "advisor.enable" => format!("Enabled advisor {}", name(target)),
        "advisor.promote" => format!("Made {} a firm admin", name(target)),
        "advisor.demote" => format!("Removed {}'s firm admin rights", name(target)),
        "device.enroll" => format!("Enrolled device {target}"),
        "device.revoke" => format!("Revoked device {target}"),
        "token.issue" => format!("Issued API token {target}"),
        "token.revoke" => format!("Revoked API token {target}"),
        "document.share" | "document.unshare" => {
            let (doc, advisor) = target.split_once('→').unwrap_or((target, ""));
            let verb = if action == "document.share" {
                "Shared"
            } else {
                "Stopped sharing"
            };
            format!("{verb} household {doc} with {}", name(advisor))
        }
        "document.transfer" => {
            let (count, moved) = (first, rest.trim_start_matches("households ").trim());
            let (from, to) = moved.split_once('→').unwrap_or((moved, ""));
            format!("Moved {count} households of {} to {}", name(from), name(to))
        }
        "document.blob.put" => format!("Stored a document for household {target}"),
        "console.sign_in" => "Signed in to the console".to_string(),
        "console.sign_in.first" => {
            "Set their password and signed in for the first time".to_string()
        }
        "console.sign_out" => "Signed out".to_string(),
        "console.user.create" => format!(
            "Added console user {} ({})",
            name(first),
            rest.replace('_', " ")
        ),
        "console.user.role" => format!(
            "Changed {}'s role to {}",
            name(first),
            rest.replace('_', " ")
        ),
        "console.password.change" => "Changed their password".to_string(),
        "console.password.reset" => format!("Reset the password of {}", name(target)),
        "console.password.set_by_link" => {
            format!("{} set their password through a link", name(target))
        }
        "console.password_link.create" => format!("Made a set-password link for {}", name(target)),
        "review.reviewed" => format!("Marked {target} reviewed"),
        "review.escalated" => format!("Escalated {target}"),
        "review.dismissed" => format!("Dismissed {target}"),
        "review.complaint" => format!("Recorded a complaint for {target}"),
        "policy.set" => format!("Saved the firm policy ({target})"),
        "firm.time_zone" => format!("Set the firm's time zone to {target}"),
        "firm.create" => "Created the firm".to_string(),
        "archive.retention.set" => format!("Set archive retention to {target} years"),
        "archive.hold.place" => format!(
            "Placed a legal hold on {}",
            if target.is_empty() {
                "the whole firm"
            } else {
                target
            }
        ),
        "archive.hold.lift" => format!(
            "Lifted the legal hold on {}",
            if target.is_empty() {
                "the whole firm"
            } else {
                target
            }
        ),
        "archive.expire" => format!("Removed {target} expired archive entries"),
        "archive.export" => format!("Exported the archive for an examiner ({target})"),
        "archive.check" => "Verified the archive".to_string(),
        other => format!("{other} {target}"),
    }
}

async fn audit(
    State(relay): State<Arc<Relay>>,
    user: FirmUser,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    user.require(FirmAction::ReadAudit)?;
    let limit = q.limit.unwrap_or(500).clamp(1, 1000);
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
            Some(("advisor", id)) => name_of(&who, id).to_string(),
            Some(("console", id)) => name_of(&who, id).to_string(),
            Some(("device", id)) => format!("device {id}"),
            _ if a == "operator" => "the relay operator".to_string(),
            _ => a.to_string(),
        }
    };
    let name = |id: &str| name_of(&who, id).to_string();
    // Dates are the firm's days: midnight in its time zone.
    // Dates are the firm's days: midnight in its time zone.
    let day_start = |text: &str| -> Result<i64, String> {
        jiff::civil::Date::strptime("%Y-%m-%d", text.trim())
            .and_then(|d| d.to_zoned(user.time_zone.clone()))
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|_| format!("'{text}' is not a date (YYYY-MM-DD)"))
    };
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let bad = |why: String| fail(ServiceError::BadRequest(why));
    let from = given(&q.from)
        .map(|d| day_start(&d))
        .transpose()
        .map_err(bad)?;
    let to = given(&q.to)
        .map(|d| day_start(&d).map(|t| t + 86_400_000))
        .transpose()
        .map_err(bad)?;
    let area = given(&q.area);
    let by = given(&q.who);
    let prefixes: &[&str] = area
        .as_deref()
        .and_then(|a| AUDIT_AREAS.iter().find(|(key, _, _)| *key == a))
        .map_or(&[], |(_, _, p)| *p);
    let shown: Vec<_> = events
        .iter()
        .filter(|e| prefixes.is_empty() || prefixes.iter().any(|p| e.action.starts_with(p)))
        .filter(|e| by.as_deref().is_none_or(|b| e.actor == b))
        .filter(|e| from.is_none_or(|f| e.at >= f) && to.is_none_or(|t| e.at < t))
        .collect();
    let mut actors: Vec<(String, String)> = events
        .iter()
        .map(|e| (e.actor.clone(), actor(&e.actor)))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect();
    actors.sort_by_key(|(_, n)| n.to_lowercase());
    let body = html! {
        p.lead { "What was done in the firm's console, API and relay, newest first, in the firm's time zone." }
        form.row.filters method="get" action="/admin/audit" {
            div.field {
                label for="a-area" { "Area" }
                select #a-area name="area" {
                    option value="" { "Everything" }
                    @for (key, label, _) in AUDIT_AREAS {
                        option value=(key) selected[area.as_deref() == Some(*key)] { (label) }
                    }
                }
            }
            div.field {
                label for="a-who" { "Who" }
                select #a-who name="who" {
                    option value="" { "Anyone" }
                    @for (key, label) in &actors {
                        option value=(key) selected[by.as_deref() == Some(key.as_str())] { (label) }
                    }
                }
            }
            div.field { label for="a-from" { "From" } input #a-from type="date" name="from" value=[given(&q.from)]; }
            div.field { label for="a-to" { "To" } input #a-to type="date" name="to" value=[given(&q.to)]; }
            button type="submit" { "Filter" }
        }
        table {
            caption { (shown.len()) " events" }
            thead { tr {
                th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" }
            } }
            tbody {
                @for e in &shown {
                    tr data-action=(e.action) {
                        td { (user.time(e.at)) }
                        td { (actor(&e.actor)) }
                        td { (audit_sentence(&e.action, &e.target, &name)) }
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
    let (time_zone, _) = relay.firm_time_zone(&user.firm.id).await.map_err(fail)?;
    let s = &user.session;
    let manage = user.may(FirmAction::ManageConsoleUsers);
    let body = html! {
        @if let Some(top) = top { (top) }
        section.card aria-labelledby="firm-title" {
            h2 #firm-title { "Firm" }
            dl.facts {
                dt { "Name" } dd { (user.firm.name) }
                dt { "Firm id" } dd { code { (user.firm.id) } }
                dt { "On this relay since" } dd { (user.time(user.firm.created_at)) }
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
                            td { (user.time(u.created_at)) }
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
        section.card aria-labelledby="tz-title" {
            h2 #tz-title { "Time zone" }
            p { "The console shows times in " strong data-time-zone=(time_zone) { (time_zone) } "." }
            @if manage {
                form.row method="post" action="/admin/settings/time-zone" {
                    (views::csrf(s))
                    div.field {
                        label for="time-zone" { "Firm time zone (e.g. America/Chicago)" }
                        input #time-zone type="text" name="time_zone" value=(time_zone) list="time-zones" required;
                        datalist #time-zones {
                            @for z in ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "UTC"] {
                                option value=(z) {}
                            }
                        }
                    }
                    button type="submit" { "Save" }
                }
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

#[derive(Deserialize)]
struct TimeZoneForm {
    time_zone: String,
}

/// An admin sets the firm's time zone (the console's times, the audit log).
async fn set_time_zone(
    State(relay): State<Arc<Relay>>,
    posted: Posted<TimeZoneForm>,
) -> PageResult {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::ManageConsoleUsers)?;
    match relay
        .set_firm_time_zone(&user.firm.id, &posted.form.time_zone, &user.actor())
        .await
    {
        Ok(()) => {
            // Re-read the user so this page already shows the new zone.
            let user = FirmUser::of(&relay, user.session).await?;
            settings_page(
                &relay,
                &user,
                Some(views::notice("The time zone is saved.")),
                200,
            )
            .await
        }
        Err(ServiceError::BadRequest(why)) => {
            settings_page(&relay, &user, Some(views::problem(&why)), 400).await
        }
        Err(e) => Err(fail(e)),
    }
}
