//! The rows beside each household document that lists, Today and date alerts read.
//!
//! Every write to a household — an edit, a create, an import, a synced merge — rebuilds its
//! listing in the same SQLCipher transaction, so the rows are never older than the document.
//! Rows built by older rules are rebuilt when the profile opens.

use chrono::NaiveDate;
use hearth_core::{DocumentId, Household, HouseholdDigest};
use hearth_milestones::{AccountInput, Birth, FactInput, GoalInput, HouseholdInput, Person};
use hearth_store::{ActivityRow, CalendarRow, HouseholdRow, Listing, OpenLoopRow, WriteTx};

use crate::ProfileError;

/// Version of the rules below. Bump it when they change: listings built by an older version
/// are rebuilt when a profile opens.
pub(crate) const LISTING_VERSION: i64 = 1;

/// The calendar date of a time in ms since the epoch, where the advisor is.
pub(crate) fn local_date(ms: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&chrono::Local).date_naive())
}

/// What the date rules read about a household, or `None` when there is nothing to read.
pub(crate) fn dates_input(digest: &HouseholdDigest) -> Option<HouseholdInput> {
    let people: Vec<Person> = digest
        .people
        .iter()
        .map(|p| Person {
            id: p.id.clone(),
            name: p.name.clone(),
            role: p.role.clone(),
            birth: p
                .birth_date
                .as_deref()
                .and_then(|d| d.parse::<NaiveDate>().ok())
                .map(Birth::Date)
                .or_else(|| {
                    p.birth_year
                        .and_then(|y| i32::try_from(y).ok())
                        .map(Birth::Year)
                }),
        })
        .collect();
    let goals: Vec<GoalInput> = digest
        .goals
        .iter()
        .map(|g| GoalInput {
            id: g.id.clone(),
            title: g.title.clone(),
            target_amount: g.target_amount.as_deref().and_then(|a| a.parse().ok()),
            funded_amount: g.funded_amount.as_deref().and_then(|a| a.parse().ok()),
            started_on: g.started_on.as_deref().and_then(|d| d.parse().ok()),
            target_date: g.target_date.as_deref().and_then(|d| d.parse().ok()),
        })
        .collect();
    let input = HouseholdInput {
        people,
        accounts: digest
            .accounts
            .iter()
            .map(|a| AccountInput {
                id: a.id.clone(),
                kind: a.kind.clone(),
                owner: a.owner.clone(),
                closed: a.closed,
            })
            .collect(),
        facts: digest
            .facts
            .iter()
            .map(|f| FactInput {
                id: f.id.clone(),
                key: f.key.clone(),
                value: f.value.clone(),
                recorded_on: f.recorded_at.and_then(local_date),
            })
            .collect(),
        goals,
        annual_review_month: digest.annual_review_month,
        last_review: digest.last_meeting().and_then(|m| local_date(m.started_at)),
    };
    let has_dates = input.people.iter().any(|p| p.birth.is_some())
        || !input.goals.is_empty()
        || !input.facts.is_empty()
        || input.annual_review_month.is_some();
    has_dates.then_some(input)
}

/// A household's listing row and its listing, from its document.
pub(crate) fn listing_of(
    household: &Household,
    id: DocumentId,
    now_ms: i64,
) -> Result<(HouseholdRow, Listing), ProfileError> {
    let digest = household.digest()?;
    let key = id.to_string();
    let row = HouseholdRow {
        id: key.clone(),
        name: digest.name.clone(),
        status: digest.status.clone(),
        segment: digest.segment.clone(),
        updated_at: now_ms,
    };
    let dates_input = match dates_input(&digest) {
        Some(input) => Some(serde_json::to_string(&input).map_err(|e| {
            ProfileError::Core(hearth_core::CoreError::Corrupt(format!(
                "cannot encode the date inputs: {e}"
            )))
        })?),
        None => None,
    };
    let listing = Listing {
        archived: digest.archived,
        aum_total: digest.aum_total.clone(),
        last_contact: digest.last_meeting().map(|m| m.started_at),
        conflicts: i64::try_from(digest.conflicts).unwrap_or(i64::MAX),
        review_month: digest.annual_review_month,
        dates_input,
        open_loops: digest
            .open_tasks
            .iter()
            .map(|t| OpenLoopRow {
                household_id: key.clone(),
                task_id: t.id.clone(),
                title: t.title.clone(),
                owner: t.owner.clone(),
                due: t.due.clone(),
                snoozed_until: t.snoozed_until.clone(),
                source_meeting: t.source_meeting.clone(),
                created_at: t.created_at,
            })
            .collect(),
        calendar: digest
            .meetings
            .iter()
            .filter(|m| m.scheduled)
            .map(|m| CalendarRow {
                household_id: key.clone(),
                meeting_id: m.id.clone(),
                title: m.title.clone(),
                starts_at: m.started_at,
            })
            .collect(),
        version: LISTING_VERSION,
    };
    Ok((row, listing))
}

/// Rebuilds a household's listing inside the caller's transaction, keeping the time of its
/// last write.
pub(crate) fn refresh(
    tx: &WriteTx<'_>,
    household: &Household,
    id: DocumentId,
) -> Result<(), ProfileError> {
    let updated_at = tx
        .household_row(&id.to_string())?
        .map_or(0, |r| r.updated_at);
    let (row, listing) = listing_of(household, id, updated_at)?;
    tx.put_listing(&row, &listing)?;
    Ok(())
}

/// Records the changes that arrived from colleagues (through sync or an import) for
/// "since you last looked": changes written with this profile's own actor, or by the same
/// advisor on another device, are not a colleague's.
pub(crate) fn record_arrivals(
    tx: &WriteTx<'_>,
    household: &mut Household,
    id: DocumentId,
    arrived: &[automerge::ChangeHash],
    me: &str,
    my_actor: &automerge::ActorId,
) -> Result<(), ProfileError> {
    let mine = my_actor.to_hex_string();
    let rows: Vec<ActivityRow> = household
        .describe_changes(arrived)
        .into_iter()
        .filter(|e| e.actor != mine && e.advisor.as_deref() != Some(me))
        .map(|e| ActivityRow {
            seq: 0,
            household_id: id.to_string(),
            change_hash: e.hash,
            advisor: e.advisor,
            time: e.time.saturating_mul(1000),
            summary: e.summary,
        })
        .collect();
    tx.record_activity(&rows)?;
    Ok(())
}
