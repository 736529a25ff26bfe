//! The compliance pages: the firm-wide review queue (filters, an item with its transcript
//! context and decision history, the decision form, complaint records), the examiner's report
//! (CSV and a printable page) and the firm's policy. What each role may do here is asked of
//! [`crate::scope::console_may`]; a page a role may not see is the same 404 as any other.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hearth_core::NoteCategory;
use hearth_core::policy::{FirmPolicy, PolicyConsent, PolicyLlm};
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::{FirmUser, Posted};
use super::views::{self, fail, render};
use crate::scope::FirmAction;
use crate::service::{Relay, ServiceError};
use crate::supervision::{ComplaintRecord, QueueFilter, ReviewItem, ReviewState};

pub(super) fn routes() -> Router<Arc<Relay>> {
    Router::new()
        .route("/admin/review", get(queue))
        .route("/admin/review/item", get(item_page))
        .route("/admin/review/decide", post(decide))
        .route("/admin/review/report.csv", get(report_csv))
        .route("/admin/review/report", get(report_page))
        .route("/admin/policy", get(policy_page).post(save_policy))
}

type PageResult = Result<Response, Response>;

/// Names for the ids the queue shows: advisors (by id, and as `advisor:<id>` API actors) and
/// the firm's console users (`console:<id>` → email).
async fn advisor_names(relay: &Relay, firm_id: &str) -> Result<HashMap<String, String>, Response> {
    let mut names = HashMap::new();
    for a in relay.store.list_advisors(firm_id).await.map_err(fail)? {
        names.insert(format!("advisor:{}", a.id), a.name.clone());
        names.insert(a.id, a.name);
    }
    for u in relay
        .store
        .list_console_users(Some(firm_id))
        .await
        .map_err(fail)?
    {
        names.insert(super::auth::actor(&u), u.email);
    }
    Ok(names)
}

fn name<'a>(names: &'a HashMap<String, String>, id: &'a str) -> &'a str {
    names.get(id).map(String::as_str).unwrap_or(id)
}

fn state_label(state: ReviewState) -> &'static str {
    match state {
        ReviewState::New => "New",
        ReviewState::Reviewed => "Reviewed",
        ReviewState::Escalated => "Escalated",
        ReviewState::Dismissed => "Dismissed",
        ReviewState::Complaint => "Complaint recorded",
    }
}

fn kind_label(kind: &str) -> String {
    match kind {
        "compliance_note" => "Compliance note".into(),
        "performance_claim" => "Performance claim".into(),
        "pii_ssn" => "SSN spoken".into(),
        "pii_account" => "Account number spoken".into(),
        "pii_card" => "Card number spoken".into(),
        other => {
            let mut s = other.replace('_', " ");
            if let Some(first) = s.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            s
        }
    }
}

const KINDS: &[&str] = &[
    "guarantee",
    "performance_claim",
    "unsuitable",
    "complaint",
    "pii_ssn",
    "pii_account",
    "pii_card",
    "compliance_note",
];
const STATES: &[ReviewState] = &[
    ReviewState::New,
    ReviewState::Reviewed,
    ReviewState::Escalated,
    ReviewState::Dismissed,
    ReviewState::Complaint,
];

fn filter_query(f: &QueueFilter) -> String {
    let pairs = [
        ("advisor", &f.advisor),
        ("kind", &f.kind),
        ("state", &f.state),
        ("from", &f.from),
        ("to", &f.to),
    ];
    serde_urlencoded::to_string(
        pairs
            .iter()
            .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (*k, v)))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The queue

async fn queue(
    State(relay): State<Arc<Relay>>,
    user: FirmUser,
    Query(filter): Query<QueueFilter>,
) -> PageResult {
    user.require(FirmAction::ReadReviews)?;
    let items = relay
        .review_queue(&user.firm.id, &filter)
        .await
        .map_err(fail)?;
    let names = advisor_names(&relay, &user.firm.id).await?;
    let mut advisors: Vec<(&String, &String)> =
        names.iter().filter(|(id, _)| !id.contains(':')).collect();
    advisors.sort_by_key(|(_, n)| n.to_lowercase());
    let query = filter_query(&filter);
    let selected = |v: &Option<String>, x: &str| v.as_deref() == Some(x);
    let body = html! {
        p.lead { "Every compliance flag from every advisor's analysed meetings, and every note filed under compliance, from the households this relay holds. Each decision is kept, with who made it and when, in the firm's archive." }
        form.row.filters method="get" action="/admin/review" {
            div.field {
                label for="f-advisor" { "Advisor" }
                select #f-advisor name="advisor" {
                    option value="" { "Everyone" }
                    @for (id, n) in &advisors {
                        option value=(id) selected[selected(&filter.advisor, id)] { (n) }
                    }
                }
            }
            div.field {
                label for="f-kind" { "Kind" }
                select #f-kind name="kind" {
                    option value="" { "All kinds" }
                    @for k in KINDS {
                        option value=(k) selected[selected(&filter.kind, k)] { (kind_label(k)) }
                    }
                }
            }
            div.field {
                label for="f-state" { "State" }
                select #f-state name="state" {
                    option value="" { "Any state" }
                    @for s in STATES {
                        option value=(s.as_str()) selected[selected(&filter.state, s.as_str())] { (state_label(*s)) }
                    }
                }
            }
            div.field {
                label for="f-from" { "From" }
                input #f-from type="date" name="from" value=[filter.from.as_deref()];
            }
            div.field {
                label for="f-to" { "To" }
                input #f-to type="date" name="to" value=[filter.to.as_deref()];
            }
            button type="submit" { "Filter" }
        }
        p {
            a href=(format!("/admin/review/report?{query}")) data-report="page" { "Examiner report (printable)" }
            " · "
            a href=(format!("/admin/review/report.csv?{query}")) data-report="csv" { "Examiner report (CSV)" }
        }
        table {
            caption { (items.len()) " items" }
            thead { tr {
                th scope="col" { "When" } th scope="col" { "Household" } th scope="col" { "Advisor" }
                th scope="col" { "Kind" } th scope="col" { "What was said" } th scope="col" { "State" }
            } }
            tbody {
                @for i in &items {
                    tr data-item=(i.item) data-state=(i.state.as_str()) data-kind=(i.kind) {
                        td { (user.time(i.at)) br; small.muted { (i.source) } }
                        td { (i.household_name) }
                        td { (name(&names, &i.advisor)) }
                        td { (kind_label(&i.kind)) }
                        td { a href=(format!("/admin/review/item?{}", serde_urlencoded::to_string([("id", &i.item)]).unwrap_or_default())) { (excerpt(&i.excerpt)) } }
                        td { span class=(format!("state state-{}", i.state.as_str())) { (state_label(i.state)) } }
                    }
                }
                @if items.is_empty() {
                    tr { td colspan="6" { "Nothing matches. New flags appear here once advisors' desks sync their analysed meetings." } }
                }
            }
        }
    };
    Ok(render(&user, "Review queue", "/admin/review", body))
}

fn excerpt(text: &str) -> String {
    const MAX: usize = 160;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}…")
}

#[derive(Deserialize)]
struct ItemQuery {
    id: String,
    notice: Option<String>,
}

async fn item_page(
    State(relay): State<Arc<Relay>>,
    user: FirmUser,
    Query(q): Query<ItemQuery>,
) -> PageResult {
    user.require(FirmAction::ReadReviews)?;
    let item = relay
        .review_item(&user.firm.id, &q.id)
        .await
        .map_err(fail)?;
    let names = advisor_names(&relay, &user.firm.id).await?;
    Ok(render_item(&user, &item, &names, q.notice.as_deref(), None))
}

fn render_item(
    user: &FirmUser,
    item: &ReviewItem,
    names: &HashMap<String, String>,
    notice: Option<&str>,
    problem: Option<&str>,
) -> Response {
    let s = &user.session;
    let body = html! {
        @if notice == Some("decided") { (views::notice("Your decision is recorded and archived.")) }
        @if let Some(p) = problem { (views::problem(p)) }
        dl.facts {
            dt { "Household" } dd { (item.household_name) }
            dt { "Advisor" } dd { (name(names, &item.advisor)) }
            dt { "Source" } dd { (item.source) ", " (user.time(item.at)) }
            dt { "Kind" } dd { (kind_label(&item.kind)) @if !item.rule.is_empty() { " " small.muted { "(rule " (item.rule) ")" } } }
            dt { "State" } dd data-current-state=(item.state.as_str()) { (state_label(item.state)) }
        }
        section.card aria-labelledby="said-title" {
            h2 #said-title { "What was said" }
            blockquote.excerpt data-excerpt { (item.excerpt) }
            @if !item.context.is_empty() {
                details open {
                    summary { "Around it in the transcript" }
                    ul.plain.context {
                        @for line in &item.context { li { (line) } }
                    }
                }
            }
        }
        section.card aria-labelledby="history-title" {
            h2 #history-title { "Decisions" }
            @if item.history.is_empty() {
                p.muted { "Nobody has reviewed this yet." }
            } @else {
                ol.history {
                    @for d in &item.history {
                        li data-decision=(d.state.as_str()) {
                            strong { (state_label(d.state)) } " — " (user.time(d.at)) " by " (name(names, &d.by))
                            p { (d.comment) }
                            @if let Some(c) = &d.complaint {
                                dl.facts {
                                    dt { "Received" } dd { (c.received) }
                                    dt { "Nature" } dd { (c.nature) }
                                    dt { "Action taken" } dd { (c.action_taken) }
                                    dt { "Resolution" } dd { @if c.resolution.is_empty() { span.muted { "Open" } } @else { (c.resolution) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if user.may(FirmAction::Review) {
            section.card aria-labelledby="decide-title" {
                h2 #decide-title { "Record a decision" }
                form method="post" action="/admin/review/decide" {
                    (views::csrf(s))
                    input type="hidden" name="id" value=(item.item);
                    div.field {
                        label for="decision" { "Decision" }
                        select #decision name="state" required {
                            @for st in &STATES[1..] {
                                option value=(st.as_str()) { (state_label(*st)) }
                            }
                        }
                    }
                    div.field {
                        label for="comment" { "Comment (why; examiners read it)" }
                        textarea #comment name="comment" rows="3" maxlength="4000" required {}
                    }
                    fieldset.complaint {
                        legend { "Complaint record (only for \"Complaint recorded\")" }
                        div.field {
                            label for="received" { "Received on" }
                            input #received type="date" name="received";
                        }
                        div.field {
                            label for="nature" { "Nature of the complaint" }
                            input #nature type="text" name="nature" maxlength="4000";
                        }
                        div.field {
                            label for="action-taken" { "Action taken" }
                            input #action-taken type="text" name="action_taken" maxlength="4000";
                        }
                        div.field {
                            label for="resolution" { "Resolution (leave empty while open)" }
                            input #resolution type="text" name="resolution" maxlength="4000";
                        }
                    }
                    button.primary type="submit" { "Record decision" }
                }
            }
        }
        p { a href="/admin/review" { "← Review queue" } }
    };
    render(user, "Review item", "/admin/review", body)
}

#[derive(Deserialize)]
struct DecideForm {
    id: String,
    state: String,
    comment: String,
    #[serde(default)]
    received: String,
    #[serde(default)]
    nature: String,
    #[serde(default)]
    action_taken: String,
    #[serde(default)]
    resolution: String,
}

async fn decide(State(relay): State<Arc<Relay>>, posted: Posted<DecideForm>) -> PageResult {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::Review)?;
    let f = posted.form;
    let Some(state) = ReviewState::parse(&f.state) else {
        return Err(fail(ServiceError::BadRequest(format!(
            "unknown decision {:?}",
            f.state
        ))));
    };
    let complaint = (state == ReviewState::Complaint).then(|| ComplaintRecord {
        received: f.received.trim().to_string(),
        nature: f.nature.trim().to_string(),
        action_taken: f.action_taken.trim().to_string(),
        resolution: f.resolution.trim().to_string(),
    });
    match relay
        .review(
            &user.firm.id,
            &f.id,
            state,
            &f.comment,
            complaint,
            &user.actor(),
        )
        .await
    {
        Ok(_) => {
            let q = serde_urlencoded::to_string([("id", f.id.as_str()), ("notice", "decided")])
                .unwrap_or_default();
            Ok(Redirect::to(&format!("/admin/review/item?{q}")).into_response())
        }
        Err(ServiceError::BadRequest(why)) => {
            let item = relay
                .review_item(&user.firm.id, &f.id)
                .await
                .map_err(fail)?;
            let names = advisor_names(&relay, &user.firm.id).await?;
            let mut page = render_item(&user, &item, &names, None, Some(&why));
            *page.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            Ok(page)
        }
        Err(e) => Err(fail(e)),
    }
}

// ---------------------------------------------------------------------------------------------
// The examiner's report

/// One CSV field, quoted when needed (RFC 4180), and defused against spreadsheet formula
/// injection (a cell starting with `=`, `+`, `-` or `@` gets a leading apostrophe).
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

async fn report_items(
    relay: &Relay,
    user: &FirmUser,
    filter: &QueueFilter,
) -> Result<(Vec<ReviewItem>, HashMap<String, String>), Response> {
    user.require(FirmAction::ReadReviews)?;
    let items = relay
        .review_queue(&user.firm.id, filter)
        .await
        .map_err(fail)?;
    Ok((items, advisor_names(relay, &user.firm.id).await?))
}

async fn report_csv(
    State(relay): State<Arc<Relay>>,
    user: FirmUser,
    Query(filter): Query<QueueFilter>,
) -> PageResult {
    let (items, names) = report_items(&relay, &user, &filter).await?;
    let mut out = String::from(
        "item,household,advisor,kind,rule,source,said_at,excerpt,state,decided_by,decided_at,comment,complaint_received,complaint_nature,complaint_action_taken,complaint_resolution\r\n",
    );
    for i in &items {
        let last = i.history.last();
        let complaint = last.and_then(|d| d.complaint.clone()).unwrap_or_default();
        let row = [
            i.item.clone(),
            i.household_name.clone(),
            name(&names, &i.advisor).to_string(),
            i.kind.clone(),
            i.rule.clone(),
            i.source.clone(),
            user.time(i.at),
            i.excerpt.clone(),
            i.state.as_str().to_string(),
            last.map(|d| name(&names, &d.by).to_string())
                .unwrap_or_default(),
            last.map(|d| user.time(d.at)).unwrap_or_default(),
            last.map(|d| d.comment.clone()).unwrap_or_default(),
            complaint.received,
            complaint.nature,
            complaint.action_taken,
            complaint.resolution,
        ];
        let line: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    let filename = format!(
        "attachment; filename=\"review-{}-{}.csv\"",
        user.firm.id,
        chrono::Utc::now().format("%Y%m%d")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        out,
    )
        .into_response())
}

async fn report_page(
    State(relay): State<Arc<Relay>>,
    user: FirmUser,
    Query(filter): Query<QueueFilter>,
) -> PageResult {
    let (items, names) = report_items(&relay, &user, &filter).await?;
    let policy = relay.firm_policy(&user.firm.id).await.map_err(fail)?;
    let body = html! {
        section.report {
            dl.facts {
                dt { "Firm" } dd { (user.firm.name) }
                dt { "Prepared" } dd { (user.time(crate::now_ms())) " by " (user.session.user.email) }
                dt { "Items" } dd { (items.len()) }
                dt { "Firm policy" } dd { @match &policy { Some(p) => { "version " (p.version) }, None => { "none set" } } }
            }
            @for i in &items {
                article.report-item data-item=(i.item) {
                    h2 { (kind_label(&i.kind)) " — " (i.household_name) }
                    p.muted { (user.time(i.at)) " · " (i.source) " · " (name(&names, &i.advisor)) " · " (state_label(i.state)) }
                    blockquote { (i.excerpt) }
                    @for d in &i.history {
                        p { strong { (state_label(d.state)) } " " (user.time(d.at)) " by " (name(&names, &d.by)) ": " (d.comment) }
                        @if let Some(c) = &d.complaint {
                            p { "Complaint received " (c.received) "; nature: " (c.nature) "; action taken: " (c.action_taken) "; resolution: " (if c.resolution.is_empty() { "open" } else { &c.resolution }) }
                        }
                    }
                }
            }
        }
    };
    Ok(render(
        &user,
        "Examiner report: compliance review",
        "/admin/review",
        body,
    ))
}

// ---------------------------------------------------------------------------------------------
// Policy

#[derive(Deserialize, Default)]
struct PolicyQuery {
    notice: Option<String>,
}

async fn policy_page(
    State(relay): State<Arc<Relay>>,
    user: FirmUser,
    Query(q): Query<PolicyQuery>,
) -> PageResult {
    let policy = relay.firm_policy(&user.firm.id).await.map_err(fail)?;
    let top = (q.notice.as_deref() == Some("saved")).then(|| {
        views::notice("The policy is saved and archived. Desks apply it on their next sync.")
    });
    Ok(render_policy(&user, policy.as_ref(), top, 200))
}

fn render_policy(
    user: &FirmUser,
    policy: Option<&FirmPolicy>,
    top: Option<Markup>,
    status: u16,
) -> Response {
    let default = FirmPolicy {
        version: 0,
        disclosure_version: String::new(),
        disclosure_text: String::new(),
        consent: PolicyConsent::OneParty,
        all_party_states: Vec::new(),
        max_audio_days: 0,
        llm: PolicyLlm::Off,
        required_note_categories: Vec::new(),
    };
    let p = policy.unwrap_or(&default);
    let providers = match &p.llm {
        PolicyLlm::Providers { allowed } => allowed.join(", "),
        _ => String::new(),
    };
    let llm_mode = match &p.llm {
        PolicyLlm::Off => "off",
        PolicyLlm::OnDeviceOnly => "on_device_only",
        PolicyLlm::Providers { .. } => "providers",
    };
    let editable = user.may(FirmAction::SetPolicy);
    let s = &user.session;
    let body = html! {
        @if let Some(t) = top { (t) }
        p.lead { "One policy for every desk of the firm. Desks apply it when they sync and refuse local settings looser than it, naming this policy. Every version is kept in the firm's archive." }
        p { "Current: " strong data-policy-version=(p.version) { @if policy.is_some() { "version " (p.version) } @else { "no policy set (each desk uses its own settings)" } } }
        form method="post" action="/admin/policy" {
            (views::csrf(s))
            input type="hidden" name="based_on" value=(p.version);
            fieldset disabled[!editable] {
                legend { "Recording" }
                div.field {
                    label for="disclosure-version" { "Disclosure version" }
                    input #disclosure-version type="text" name="disclosure_version" value=(p.disclosure_version) maxlength="64" required;
                }
                div.field {
                    label for="disclosure-text" { "Disclosure read before recording" }
                    textarea #disclosure-text name="disclosure_text" rows="3" maxlength="4000" required { (p.disclosure_text) }
                }
                div.field {
                    label for="consent" { "Consent" }
                    select #consent name="consent" {
                        option value="one-party" selected[p.consent == PolicyConsent::OneParty] { "One party (except the states below)" }
                        option value="all-party" selected[p.consent == PolicyConsent::AllParty] { "Every participant, everywhere" }
                    }
                }
                div.field {
                    label for="states" { "States where every participant must consent (e.g. CA, FL, WA)" }
                    input #states type="text" name="all_party_states" value=(p.all_party_states.join(", "));
                }
                div.field {
                    label for="audio-days" { "Keep audio after transcription at most (days; 0 = delete at once)" }
                    input #audio-days type="number" name="max_audio_days" min="0" max="3650" value=(p.max_audio_days) required;
                }
            }
            fieldset disabled[!editable] {
                legend { "Meeting analysis" }
                div.field {
                    label for="llm" { "Language models" }
                    select #llm name="llm" {
                        option value="off" selected[llm_mode == "off"] { "Off: the offline rules only" }
                        option value="on_device_only" selected[llm_mode == "on_device_only"] { "On this computer only" }
                        option value="providers" selected[llm_mode == "providers"] { "These providers (below)" }
                    }
                }
                div.field {
                    label for="providers" { "Providers (e.g. openai, anthropic)" }
                    input #providers type="text" name="providers" value=(providers);
                }
                div.field {
                    span.label { "Notes every analysed meeting needs" }
                    @for c in NoteCategory::ALL {
                        label.check {
                            input type="checkbox" name="required" value=(c.as_str()) checked[p.required_note_categories.contains(c)];
                            " " (c.as_str().replace('_', " "))
                        }
                    }
                }
            }
            @if editable {
                button.primary type="submit" { "Save as version " (p.version + 1) }
            } @else {
                p.hint { "Firm admins and compliance officers change the policy." }
            }
        }
    };
    let mut response = render(user, "Firm policy", "/admin/policy", body);
    *response.status_mut() =
        axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    response
}

async fn save_policy(
    State(relay): State<Arc<Relay>>,
    posted: Posted<Vec<(String, String)>>,
) -> PageResult {
    let user = FirmUser::of(&relay, posted.session).await?;
    user.require(FirmAction::SetPolicy)?;
    let fields = posted.form;
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let bad = |why: String| {
        let current = None;
        render_policy(&user, current, Some(views::problem(&why)), 400)
    };
    let based_on: i64 = one("based_on").parse().unwrap_or(-1);
    let consent = match one("consent").as_str() {
        "all-party" => PolicyConsent::AllParty,
        _ => PolicyConsent::OneParty,
    };
    let Ok(max_audio_days) = one("max_audio_days").parse::<u32>() else {
        return Ok(bad(
            "days to keep audio must be a whole number from 0 to 3650".into(),
        ));
    };
    let list = |text: String| -> Vec<String> {
        text.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let llm = match one("llm").as_str() {
        "on_device_only" => PolicyLlm::OnDeviceOnly,
        "providers" => PolicyLlm::Providers {
            allowed: list(one("providers").to_lowercase()),
        },
        _ => PolicyLlm::Off,
    };
    let mut required = Vec::new();
    for (_, v) in fields.iter().filter(|(k, _)| k == "required") {
        match v.parse::<NoteCategory>() {
            Ok(c) if !required.contains(&c) => required.push(c),
            Ok(_) => {}
            Err(_) => return Ok(bad(format!("unknown note category {v:?}"))),
        }
    }
    let policy = FirmPolicy {
        version: 0,
        disclosure_version: one("disclosure_version"),
        disclosure_text: one("disclosure_text"),
        consent,
        all_party_states: list(one("all_party_states")),
        max_audio_days,
        llm,
        required_note_categories: required,
    };
    match relay
        .set_firm_policy(&user.firm.id, policy.clone(), based_on, &user.actor())
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/policy?notice=saved").into_response()),
        Err(ServiceError::BadRequest(why)) => Ok(render_policy(
            &user,
            Some(&FirmPolicy {
                version: based_on,
                ..policy
            }),
            Some(views::problem(&why)),
            400,
        )),
        Err(e) => Err(fail(e)),
    }
}
