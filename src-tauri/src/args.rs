//! Reading what the UI sent: empty form fields, enum names, dates. Shared by every command
//! module, below all of them.

use serde::de::DeserializeOwned;
use tauri::ipc::{InvokeBody, Request};

use crate::error::{CommandError, CommandResult};

/// An `invalid` error with a message for the advisor.
pub(crate) fn invalid(message: impl Into<String>) -> CommandError {
    CommandError::new("invalid", message)
}

/// A value of one of the household model's named enums (role, status, category…).
pub(crate) fn parse<T: std::str::FromStr<Err = hearth_core::CoreError>>(
    value: &str,
) -> CommandResult<T> {
    value
        .parse()
        .map_err(|e: hearth_core::CoreError| invalid(e.to_string()))
}

/// Empty strings from form fields mean "not given".
pub(crate) fn given(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A date from a form (YYYY-MM-DD), or today where the advisor is.
pub(crate) fn day(date: Option<String>) -> CommandResult<chrono::NaiveDate> {
    match given(date) {
        Some(text) => text
            .parse()
            .map_err(|_| invalid(format!("'{text}' is not a date; use YYYY-MM-DD"))),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

/// A meeting's start from the form's date (`YYYY-MM-DD`) and optional local time
/// (`YYYY-MM-DDTHH:MM`), or now. A date without a time: today means now (a meeting being
/// recorded or imported today has happened, and the brief's "since the last meeting" must see
/// it); another day means noon of that day in local time.
pub(crate) fn meeting_start(date: Option<String>) -> CommandResult<i64> {
    meeting_start_at(date, chrono::Local::now())
}

fn meeting_start_at(
    date: Option<String>,
    now: chrono::DateTime<chrono::Local>,
) -> CommandResult<i64> {
    let Some(text) = given(date) else {
        return Ok(now.timestamp_millis());
    };
    let (day, time) = match text.split_once(['T', ' ']) {
        Some((day, time)) => (day.trim(), Some(time.trim())),
        None => (text.as_str(), None),
    };
    let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
        invalid(format!(
            "'{text}' is not a date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM)"
        ))
    })?;
    let at = match time {
        Some(time) => {
            let time = chrono::NaiveTime::parse_from_str(time, "%H:%M")
                .map_err(|_| invalid(format!("'{time}' is not a time of day (HH:MM)")))?;
            day.and_time(time)
        }
        None if day == now.date_naive() => return Ok(now.timestamp_millis()),
        None => day.and_hms_opt(12, 0, 0).unwrap_or_default(),
    };
    Ok(at
        .and_local_timezone(chrono::Local)
        .earliest()
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(|| at.and_utc().timestamp_millis()))
}

/// The header that carries a file command's other arguments.
const ARGS_HEADER: &str = "hearth-args";

/// The file in the request's body and the arguments in its header.
pub(crate) fn file_request<T: DeserializeOwned>(
    request: &Request<'_>,
) -> CommandResult<(T, Vec<u8>)> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(invalid("No file was received. Choose the file again."));
    };
    let header = request
        .headers()
        .get(ARGS_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| CommandError::internal("the file arrived without its details"))?;
    let json = percent_encoding::percent_decode_str(header)
        .decode_utf8()
        .map_err(CommandError::internal)?;
    let args = serde_json::from_str(&json).map_err(CommandError::internal)?;
    Ok((args, bytes.clone()))
}

#[cfg(test)]
mod meeting_start_tests {
    use super::*;
    use chrono::TimeZone;

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> chrono::DateTime<chrono::Local> {
        chrono::Local
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .earliest()
            .unwrap()
    }

    #[test]
    fn a_date_and_a_time_are_that_local_moment() {
        let now = local(2026, 12, 7, 15, 10);
        let cases: [(Option<&str>, Option<chrono::DateTime<chrono::Local>>); 6] = [
            (None, Some(now)),
            (Some("2026-12-07"), Some(now)),
            (Some("2026-12-03"), Some(local(2026, 12, 3, 12, 0))),
            (Some("2026-12-07T09:30"), Some(local(2026, 12, 7, 9, 30))),
            (Some("2026-12-08 16:45"), Some(local(2026, 12, 8, 16, 45))),
            (Some("2026-12-08T25:00"), None),
        ];
        for (input, expected) in cases {
            let got = meeting_start_at(input.map(str::to_string), now).ok();
            assert_eq!(got, expected.map(|t| t.timestamp_millis()), "{input:?}");
        }
        assert!(meeting_start_at(Some("next tuesday".into()), now).is_err());
    }
}
