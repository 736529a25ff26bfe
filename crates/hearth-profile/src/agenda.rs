//! The advisor's day from the profile: Today, date alerts, the pre-meeting brief, and the
//! household list's review dates. Everything here reads the listing rows (see `listing`),
//! except the brief, which reads the one household it is about.

use chrono::{Local, NaiveDate, TimeZone};
use hearth_agenda::today::{
    self, ActivityLine, HouseholdAlerts, LoopInput, MeetingInput, TodayInput,
};
use hearth_agenda::{Brief, Today};
use hearth_core::{EditContext, Meeting};
use hearth_milestones::{Alert, HouseholdInput};
use serde::Serialize;

use crate::listing::{dates_input, local_date};
use crate::{Profile, ProfileError};

/// Meta key: the last colleague change (activity number) the advisor marked as seen.
const SEEN_SEQ: &str = "today.seen_seq";
/// "Since you last looked" never reaches further back than this.
const LOOKBACK_MS: i64 = 30 * 86_400_000;
/// At most this many lines of colleagues' changes.
const ACTIVITY_LINES: i64 = 50;

/// One household's date alert.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdAlert {
    /// Household id.
    pub household_id: String,
    /// Household name.
    pub household: String,
    /// The alert.
    #[serde(flatten)]
    pub alert: Alert,
}

/// Midnight at the start of `date` where the advisor is, ms since the epoch.
pub fn start_of_day_ms(date: NaiveDate) -> i64 {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    Local.from_local_datetime(&midnight).earliest().map_or_else(
        || midnight.and_utc().timestamp_millis(),
        |t| t.timestamp_millis(),
    )
}

fn parse_date(text: Option<&str>) -> Option<NaiveDate> {
    text.and_then(|d| d.parse().ok())
}

impl Profile {
    /// Today's date where the advisor is.
    pub fn local_today(&self) -> NaiveDate {
        Local::now().date_naive()
    }

    /// The date alerts of every household that is not archived (or of one), for the
    /// `horizon_days` after `date`.
    pub fn alerts(
        &self,
        household: Option<&str>,
        date: NaiveDate,
        horizon_days: i64,
    ) -> Result<Vec<HouseholdAlert>, ProfileError> {
        if let Some(id) = household {
            // Unknown ids are an error, not an empty list.
            self.household(id)?;
        }
        let listings = self.store.listings()?;
        let mut out = Vec::new();
        for found in household_alerts(&listings, date, horizon_days) {
            if household.is_some_and(|h| h != found.household_id) {
                continue;
            }
            out.extend(found.alerts.into_iter().map(|alert| HouseholdAlert {
                household_id: found.household_id.clone(),
                household: found.household.clone(),
                alert,
            }));
        }
        out.sort_by(|a, b| {
            (a.alert.date, &a.household, a.alert.kind).cmp(&(
                b.alert.date,
                &b.household,
                b.alert.kind,
            ))
        });
        Ok(out)
    }

    /// Today on `date` (where the advisor is): open loops across every household that is
    /// not archived, date alerts, upcoming meetings and reviews, and colleagues' changes
    /// since the advisor last looked. Reads listing rows only.
    pub fn today_view(&self, date: NaiveDate) -> Result<Today, ProfileError> {
        let listings = self.store.listings()?;
        let names: std::collections::HashMap<&str, &str> = listings
            .iter()
            .map(|r| (r.household.id.as_str(), r.household.name.as_str()))
            .collect();
        let week_end = (date + chrono::Days::new(today::WEEK_DAYS.unsigned_abs())).to_string();
        let mut rows = self.store.open_loops_due_by(&week_end)?;
        rows.extend(
            self.store
                .open_loops_later(&week_end, i64::try_from(today::LATER_SHOWN).unwrap_or(50))?,
        );
        let (later_total, snoozed) = self.store.open_loop_counts(&week_end, &date.to_string())?;
        let loops = rows
            .into_iter()
            .filter_map(|l| {
                let household = names.get(l.household_id.as_str())?.to_string();
                Some(LoopInput {
                    household_id: l.household_id,
                    household,
                    task_id: l.task_id,
                    title: l.title,
                    owner: l.owner,
                    due: parse_date(l.due.as_deref()),
                    snoozed_until: parse_date(l.snoozed_until.as_deref()),
                    source_meeting: l.source_meeting,
                })
            })
            .collect();
        let alerts = household_alerts(&listings, date, today::ALERT_HORIZON_DAYS);
        let from = start_of_day_ms(date);
        let to =
            start_of_day_ms(date + chrono::Days::new((today::UPCOMING_DAYS + 1).unsigned_abs()));
        let meetings = self
            .store
            .calendar(from, to)?
            .into_iter()
            .filter_map(|(c, household)| {
                Some(MeetingInput {
                    date: local_date(c.starts_at)?,
                    household_id: c.household_id,
                    household,
                    meeting_id: c.meeting_id,
                    title: c.title,
                    starts_at: c.starts_at,
                })
            })
            .collect();
        let seen = self.seen_seq()?;
        let since = chrono::Utc::now().timestamp_millis() - LOOKBACK_MS;
        let activity = self
            .store
            .activity(seen, since, ACTIVITY_LINES)?
            .into_iter()
            .map(|(a, household)| ActivityLine {
                seq: a.seq,
                household_id: a.household_id,
                household,
                advisor: a.advisor,
                time: a.time,
                summary: a.summary,
            })
            .collect();
        Ok(today::build(TodayInput {
            today: date,
            me: self.advisor.clone(),
            loops,
            later_total: usize::try_from(later_total).unwrap_or(0),
            snoozed: usize::try_from(snoozed).unwrap_or(0),
            alerts,
            meetings,
            activity,
        }))
    }

    /// The last colleague change marked as seen (0: none).
    fn seen_seq(&self) -> Result<i64, ProfileError> {
        Ok(self
            .store
            .meta(SEEN_SEQ)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Marks colleagues' changes up to activity number `up_to` (Today's `latest_seq`) as
    /// seen: only what was on screen, never what arrived after.
    pub fn mark_seen(&mut self, up_to: i64) -> Result<(), ProfileError> {
        let tx = self.store.write()?;
        let current: i64 = tx.meta(SEEN_SEQ)?.and_then(|v| v.parse().ok()).unwrap_or(0);
        if up_to > current {
            tx.set_meta(SEEN_SEQ, &up_to.to_string())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The pre-meeting brief of one household on `date`.
    pub fn brief(&self, id: &str, date: NaiveDate) -> Result<Brief, ProfileError> {
        let household = self.household(id)?;
        let data = household.data_without_transcripts()?;
        let digest = household.digest()?;
        let input = dates_input(&digest);
        let now_ms = if date == self.local_today() {
            chrono::Utc::now().timestamp_millis()
        } else {
            start_of_day_ms(date + chrono::Days::new(1)) - 1
        };
        Ok(hearth_agenda::brief::build(
            &data.id,
            &data,
            input.as_ref(),
            digest.conflicts,
            date,
            now_ms,
        ))
    }

    /// The advisors who can own a household's tasks, as far as this desk knows: this
    /// profile's advisor and everyone who has written to the household.
    pub fn advisors_of(&self, id: &str) -> Result<Vec<String>, ProfileError> {
        let mut names: Vec<String> = self
            .household_data(id)?
            .actors
            .into_values()
            .map(|a| a.advisor)
            .collect();
        names.push(self.advisor.clone());
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Checks that `owner` is an advisor who can see the household; returns the name as the
    /// household knows it (case-insensitive match).
    pub fn check_task_owner(&self, id: &str, owner: &str) -> Result<String, ProfileError> {
        let advisors = self.advisors_of(id)?;
        advisors
            .iter()
            .find(|a| a.eq_ignore_ascii_case(owner.trim()))
            .cloned()
            .ok_or_else(|| ProfileError::UnknownAdvisor {
                name: owner.trim().to_string(),
                known: advisors.join(", "),
            })
    }

    /// Puts a meeting on the household's calendar; returns its id.
    pub fn schedule_meeting(
        &mut self,
        id: &str,
        title: &str,
        starts_at_ms: i64,
    ) -> Result<String, ProfileError> {
        let title = title.trim().to_string();
        if title.is_empty() {
            return Err(hearth_core::CoreError::Empty {
                what: "meeting title",
            }
            .into());
        }
        let meeting = Meeting {
            title,
            started_at: starts_at_ms,
            duration_secs: None,
            participants: Vec::new(),
            consent: None,
            transcript: Vec::new(),
            audio: None,
            analysis: None,
            redactions: None,
            accepted: Vec::new(),
            scheduled: true,
            recovered: false,
            audio_notice: None,
        };
        self.edit(id, |h, ctx: &EditContext| h.add_meeting(&meeting, ctx))
    }

    /// The next review date per household row: the next scheduled meeting or the next
    /// annual review month, whichever comes first.
    pub(crate) fn next_reviews(
        &self,
        today: NaiveDate,
    ) -> Result<std::collections::HashMap<String, i64>, ProfileError> {
        Ok(self.store.next_meetings(start_of_day_ms(today))?)
    }
}

/// Each household's date alerts for the `horizon_days` after `date`, from its listing row's
/// date-rule input; archived households and those with nothing to compute are left out.
fn household_alerts(
    listings: &[hearth_store::ListingRow],
    date: NaiveDate,
    horizon_days: i64,
) -> Vec<HouseholdAlerts> {
    listings
        .iter()
        .filter(|row| !row.archived)
        .filter_map(|row| {
            let input: HouseholdInput = serde_json::from_str(row.dates_input.as_deref()?).ok()?;
            let alerts = hearth_milestones::alerts(&input, date, horizon_days);
            (!alerts.is_empty()).then(|| HouseholdAlerts {
                household_id: row.household.id.clone(),
                household: row.household.name.clone(),
                alerts,
            })
        })
        .collect()
}

/// The next review of a household: its next scheduled meeting's date or its next annual
/// review month, whichever comes first.
pub(crate) fn next_review(
    review_month: Option<u32>,
    last_contact: Option<i64>,
    next_meeting: Option<i64>,
    today: NaiveDate,
) -> Option<String> {
    let annual = hearth_milestones::next_annual_review(
        review_month,
        last_contact.and_then(local_date),
        today,
    );
    let meeting = next_meeting.and_then(local_date);
    match (annual, meeting) {
        (Some(a), Some(m)) => Some(a.min(m)),
        (a, m) => a.or(m),
    }
    .map(|d| d.to_string())
}
