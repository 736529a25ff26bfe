//! Households and their records: list, create, read, and every correction — each edit is
//! one attributed change and answers with the household's fresh view, so the UI reloads
//! nothing else.

use hearth_core::{
    Account, AccountPatch, ClientFact, Committed, Contact, CoreError, EditContext, FactPatch, Goal,
    GoalPatch, HistoryEntry, Household, HouseholdPatch, HouseholdStatus, Member, MemberPatch,
    NoteCategory, TaskPatch, TaskStatus, Template, parse_birth, template,
};
use hearth_profile::HouseholdSummary;
use serde::Deserialize;
use tauri::State;

use crate::args::{given, invalid, parse};
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::views::{HouseholdView, household_view};

/// Every household's listing row, by name (archived ones flagged).
#[tauri::command]
pub async fn list_households(state: State<'_, AppState>) -> CommandResult<Vec<HouseholdSummary>> {
    state.with_profile(|p| Ok(p.list_households()?)).await
}

/// Creates a household; returns its id.
#[tauri::command]
pub async fn create_household(
    state: State<'_, AppState>,
    name: String,
    status: String,
    segment: Option<String>,
) -> CommandResult<String> {
    let status: HouseholdStatus = parse(&status)?;
    let segment = given(segment);
    let id = state
        .with_profile(move |p| {
            let id = p.create_household(&name, status)?.to_string();
            if let Some(segment) = segment {
                let patch = HouseholdPatch {
                    segment: Some(Some(segment)),
                    ..Default::default()
                };
                p.edit(&id, |h, ctx| h.update_household(&patch, ctx))?;
            }
            Ok(id)
        })
        .await?;
    state.sync.kick();
    Ok(id)
}

/// One household as its page shows it.
#[tauri::command]
pub async fn household(state: State<'_, AppState>, id: String) -> CommandResult<HouseholdView> {
    state.with_profile(move |p| household_view(p, &id)).await
}

/// Who changed what in a household, oldest first (loaded only when the History tab is open).
#[tauri::command]
pub async fn household_history(
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<Vec<HistoryEntry>> {
    state.with_profile(move |p| Ok(p.history(&id)?)).await
}

/// Runs one edit on a household, asks sync to push it, and answers with the household's
/// fresh view.
async fn edit<T: Send + 'static>(
    state: &AppState,
    id: String,
    edit: impl FnOnce(&mut Household, &EditContext) -> Result<Committed<T>, CoreError> + Send + 'static,
) -> CommandResult<HouseholdView> {
    let view = state
        .with_profile(move |p| {
            p.edit(&id, edit)?;
            household_view(p, &id)
        })
        .await?;
    state.sync.kick();
    Ok(view)
}

/// Changes the household's name, status, segment, tags or address (one change).
#[tauri::command]
pub async fn update_household(
    state: State<'_, AppState>,
    id: String,
    patch: HouseholdPatch,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| h.update_household(&patch, ctx)).await
}

/// Archives a household (kept, read-only, out of lists and Today) or brings it back.
#[tauri::command]
pub async fn set_archived(
    state: State<'_, AppState>,
    id: String,
    archived: bool,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| h.set_archived(archived, ctx)).await
}

/// A new member, as the form sends it.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NewMember {
    /// Full name.
    pub name: String,
    /// Head, Spouse, Partner, Child, Dependent or Other.
    pub role: String,
    /// A birth date (YYYY-MM-DD) or a year.
    #[ts(optional = nullable)]
    pub birth: Option<String>,
    /// E-mail.
    #[ts(optional = nullable)]
    pub email: Option<String>,
    /// Phone.
    #[ts(optional = nullable)]
    pub phone: Option<String>,
}

/// Adds a member.
#[tauri::command]
pub async fn add_member(
    state: State<'_, AppState>,
    id: String,
    member: NewMember,
) -> CommandResult<HouseholdView> {
    let (birth_year, birth_date) = match given(member.birth) {
        Some(text) => {
            let (year, date) = parse_birth(&text).map_err(|e| invalid(e.to_string()))?;
            (Some(year), date)
        }
        None => (None, None),
    };
    let member = Member {
        name: member.name,
        role: parse(&member.role)?,
        birth_year,
        birth_date,
        contact: Contact {
            email: given(member.email),
            phone: given(member.phone),
        },
    };
    edit(&state, id, move |h, ctx| h.add_member(&member, ctx)).await
}

/// Corrects a member.
#[tauri::command]
pub async fn update_member(
    state: State<'_, AppState>,
    id: String,
    member_id: String,
    patch: MemberPatch,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| {
        h.update_member(&member_id, &patch, ctx)
    })
    .await
}

/// Removes a member.
#[tauri::command]
pub async fn remove_member(
    state: State<'_, AppState>,
    id: String,
    member_id: String,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| h.remove_member(&member_id, ctx)).await
}

/// A new account, as the form sends it (money as exact decimal text).
#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NewAccount {
    /// Account type, e.g. "Rollover IRA".
    pub kind: String,
    /// Custodian.
    #[ts(optional = nullable)]
    pub custodian: Option<String>,
    /// Registration.
    #[ts(optional = nullable)]
    pub registration: Option<String>,
    /// AUM.
    #[ts(optional = nullable)]
    pub aum: Option<String>,
    /// The date the AUM is as of (default today).
    #[ts(optional = nullable)]
    pub as_of: Option<String>,
    /// Annual fee rate.
    #[ts(optional = nullable)]
    pub fee_rate: Option<String>,
    /// Owning member's id.
    #[ts(optional = nullable)]
    pub owner: Option<String>,
}

/// Adds an account.
#[tauri::command]
pub async fn add_account(
    state: State<'_, AppState>,
    id: String,
    account: NewAccount,
) -> CommandResult<HouseholdView> {
    let account = Account {
        kind: account.kind,
        custodian: given(account.custodian),
        registration: given(account.registration),
        aum: given(account.aum),
        aum_as_of: given(account.as_of),
        fee_rate: given(account.fee_rate),
        owner: given(account.owner),
        ..Default::default()
    };
    edit(&state, id, move |h, ctx| h.add_account(&account, ctx)).await
}

/// Corrects an account, closes or reopens it, or records a new balance.
#[tauri::command]
pub async fn update_account(
    state: State<'_, AppState>,
    id: String,
    account_id: String,
    patch: AccountPatch,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| {
        h.update_account(&account_id, &patch, ctx)
    })
    .await
}

/// Removes an account and its balance history.
#[tauri::command]
pub async fn remove_account(
    state: State<'_, AppState>,
    id: String,
    account_id: String,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| h.remove_account(&account_id, ctx)).await
}

/// A new goal, as the form sends it.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NewGoal {
    /// What the goal is.
    pub title: String,
    /// Target amount.
    #[ts(optional = nullable)]
    pub target_amount: Option<String>,
    /// Target date.
    #[ts(optional = nullable)]
    pub target_date: Option<String>,
    /// Funded so far.
    #[ts(optional = nullable)]
    pub funded_amount: Option<String>,
}

/// Adds a goal.
#[tauri::command]
pub async fn add_goal(
    state: State<'_, AppState>,
    id: String,
    goal: NewGoal,
) -> CommandResult<HouseholdView> {
    let goal = Goal {
        title: goal.title,
        target_amount: given(goal.target_amount),
        target_date: given(goal.target_date),
        funded_amount: given(goal.funded_amount),
        started_on: None,
    };
    edit(&state, id, move |h, ctx| h.add_goal(&goal, ctx)).await
}

/// Corrects a goal or updates its progress.
#[tauri::command]
pub async fn update_goal(
    state: State<'_, AppState>,
    id: String,
    goal_id: String,
    patch: GoalPatch,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| {
        h.update_goal(&goal_id, &patch, ctx)
    })
    .await
}

/// Removes a goal.
#[tauri::command]
pub async fn remove_goal(
    state: State<'_, AppState>,
    id: String,
    goal_id: String,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| h.remove_goal(&goal_id, ctx)).await
}

/// Records a client fact the advisor learned.
#[tauri::command]
pub async fn add_fact(
    state: State<'_, AppState>,
    id: String,
    key: String,
    value: String,
) -> CommandResult<HouseholdView> {
    let fact = ClientFact {
        key,
        value,
        source: "advisor".into(),
        confidence: 1.0,
        accepted: true,
        recorded_at: None,
        retired_at: None,
    };
    edit(&state, id, move |h, ctx| h.add_fact(&fact, ctx)).await
}

/// Corrects a client fact.
#[tauri::command]
pub async fn update_fact(
    state: State<'_, AppState>,
    id: String,
    fact_id: String,
    patch: FactPatch,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| {
        h.update_fact(&fact_id, &patch, ctx)
    })
    .await
}

/// Retires a client fact that is no longer true (kept in the record).
#[tauri::command]
pub async fn retire_fact(
    state: State<'_, AppState>,
    id: String,
    fact_id: String,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| h.retire_fact(&fact_id, ctx)).await
}

/// Adds a note in one of the five categories.
#[tauri::command]
pub async fn add_note(
    state: State<'_, AppState>,
    id: String,
    category: String,
    text: String,
) -> CommandResult<HouseholdView> {
    let category: NoteCategory = parse(&category)?;
    edit(&state, id, move |h, ctx| {
        h.add_note(category, &text, None, ctx)
    })
    .await
}

/// Replaces a note's text (applied as character edits, so concurrent edits merge).
#[tauri::command]
pub async fn edit_note(
    state: State<'_, AppState>,
    id: String,
    note_id: String,
    text: String,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| h.edit_note(&note_id, &text, ctx)).await
}

/// Deletes a note (history keeps who deleted it).
#[tauri::command]
pub async fn remove_note(
    state: State<'_, AppState>,
    id: String,
    note_id: String,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| h.remove_note(&note_id, ctx)).await
}

/// Opens a loop; the owner (default: this advisor) must be an advisor who can see the
/// household.
#[tauri::command]
pub async fn add_task(
    state: State<'_, AppState>,
    id: String,
    title: String,
    due: Option<String>,
    owner: Option<String>,
) -> CommandResult<HouseholdView> {
    let due = given(due);
    let owner = given(owner);
    let view = state
        .with_profile(move |p| {
            let owner = match owner {
                Some(name) => p.check_task_owner(&id, &name)?,
                None => p.advisor().to_string(),
            };
            p.edit(&id, |h, ctx| {
                h.add_task(&title, &owner, due.as_deref(), None, ctx)
            })?;
            household_view(p, &id)
        })
        .await?;
    state.sync.kick();
    Ok(view)
}

/// Changes a loop's title, due date (reschedule), owner or snooze.
#[tauri::command]
pub async fn update_task(
    state: State<'_, AppState>,
    id: String,
    task_id: String,
    patch: TaskPatch,
) -> CommandResult<HouseholdView> {
    let view = state
        .with_profile(move |p| {
            let mut patch = patch;
            if let Some(owner) = patch.owner.take() {
                patch.owner = Some(p.check_task_owner(&id, &owner)?);
            }
            p.edit(&id, |h, ctx| h.update_task(&task_id, &patch, ctx))?;
            household_view(p, &id)
        })
        .await?;
    state.sync.kick();
    Ok(view)
}

/// Marks a loop open (reopen), done or cancelled.
#[tauri::command]
pub async fn set_task_status(
    state: State<'_, AppState>,
    id: String,
    task_id: String,
    status: String,
) -> CommandResult<HouseholdView> {
    let status: TaskStatus = parse(&status)?;
    edit(&state, id, move |h, ctx| {
        h.set_task_status(&task_id, status, ctx)
    })
    .await
}

/// Settles a field two advisors set at the same time by keeping one of its values.
#[tauri::command]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    id: String,
    path: Vec<String>,
    keep: String,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| {
        h.resolve_conflict(&path, &keep, ctx)
    })
    .await
}

/// The built-in custom-field templates.
#[tauri::command]
pub async fn templates() -> CommandResult<Vec<Template>> {
    Ok(template::builtin_templates())
}

/// Applies a built-in template to a household (existing custom values are kept).
#[tauri::command]
pub async fn apply_template(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> CommandResult<HouseholdView> {
    let template = template::builtin_templates()
        .into_iter()
        .find(|t| t.name == name)
        .ok_or_else(|| {
            CommandError::new("not_found", format!("There is no template named '{name}'."))
        })?;
    edit(&state, id, move |h, ctx| h.apply_template(&template, ctx)).await
}

/// Sets one custom field (validated against the household's template).
#[tauri::command]
pub async fn set_custom(
    state: State<'_, AppState>,
    id: String,
    field: String,
    value: serde_json::Value,
) -> CommandResult<HouseholdView> {
    edit(&state, id, move |h, ctx| h.set_custom(&field, &value, ctx)).await
}

/// Puts a meeting on the household's calendar (`starts_at`: ms since the epoch).
#[tauri::command]
pub async fn schedule_meeting(
    state: State<'_, AppState>,
    id: String,
    title: String,
    starts_at: i64,
) -> CommandResult<HouseholdView> {
    let view = state
        .with_profile(move |p| {
            p.schedule_meeting(&id, &title, starts_at)?;
            household_view(p, &id)
        })
        .await?;
    state.sync.kick();
    Ok(view)
}
