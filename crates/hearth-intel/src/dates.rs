//! Resolving spoken due-date phrases against the meeting date.
//!
//! Conventions (weeks run Monday–Sunday; "by X" and "before X" both mean "due on X"):
//!
//! | phrase | resolves to |
//! |---|---|
//! | today, tonight, this afternoon, end of (the) day, EOD | the meeting date |
//! | tomorrow / day after tomorrow | +1 / +2 days |
//! | Friday, this Friday, on/by Friday | the next Friday strictly **after** the meeting date (1–7 days; said on a Friday it means a week later) |
//! | next Friday | Friday of the **following** Mon–Sun week (said on Monday 3 March 2025, "next Tuesday" is 11 March; said on Saturday 8 March, it is also 11 March) |
//! | this week, end of (the) week | Friday of the current week; on a Saturday or Sunday, the coming Friday |
//! | next week, by next week, end of next week | Friday of the following week |
//! | early next week | Monday of the following week |
//! | this weekend, over the weekend | Sunday of the current week |
//! | end of the month, this month, month end | last day of the meeting's month |
//! | next month, end of next month | last day of the following month |
//! | first of the month, beginning of next month | the 1st of the following month |
//! | end of the quarter, this quarter, quarter end | last day of the calendar quarter |
//! | next quarter, end of next quarter | last day of the following quarter |
//! | end of the year, year end, before year end | 31 December of the meeting year |
//! | end of February | last day of the next February on or after the meeting date |
//! | in/within N days, weeks, months (N a digit, a number word, "a", "a couple of", "a few" = 3) | meeting date + N (months clamp to month end) |
//! | March 15th, the 15th of March, 3/15 | that date in the meeting year, or the next year if already past |
//! | the 15th, by the fifteenth, on the twenty-sixth, before the 20th | that day this month, or next month if already past (spelled-out ordinals need by/before/on/until, or "of …": "the first" alone is too often not a date) |
//! | the 1st of next month, the fifteenth of next month | that day of the following month |
//! | tax day, the tax deadline | the next 15 April on or after the meeting date |
//!
//! Anything else (e.g. "soon", "before our next meeting", "in early April") resolves to
//! `None`: the action item keeps its phrase and gets no date.

use std::sync::LazyLock;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use regex::Regex;

const WEEKDAYS: &str = "monday|tuesday|wednesday|thursday|friday|saturday|sunday";
const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec";
/// Spelled-out days of the month ("twenty-sixth"), longest first so the regex prefers them.
const ORDINAL_WORDS: &str = r"(?:twenty|thirty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirty-first|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth";
const NUMBER_WORDS: &str = r"\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty-five|sixty|ninety|a couple(?: of)?|couple of|a few|few";

static PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    let alts = [
        r"(?:the )?day after tomorrow".to_string(),
        r"tomorrow(?: morning| afternoon| evening)?".to_string(),
        r"today|tonight|later today|this (?:morning|afternoon|evening)|(?:the )?end of (?:the )?day|eod".to_string(),
        format!(r"(?:this |next |coming |this coming )?(?:{WEEKDAYS})(?: morning| afternoon| evening)?"),
        r"(?:the )?end of next (?:week|month|quarter)".to_string(),
        r"(?:the )?end of (?:the |this )?(?:week|month|quarter|year)".to_string(),
        format!(r"(?:the )?end of (?:{MONTHS})"),
        r"early next week|(?:this|next) (?:week|month|quarter)|(?:this|over the) weekend".to_string(),
        r"(?:year|month|quarter)[- ]end".to_string(),
        r"(?:the )?(?:first|1st|beginning|start) of (?:the |next )?month".to_string(),
        format!(r"(?:in|within) (?:the next )?(?:{NUMBER_WORDS}) (?:business )?(?:days?|weeks?|months?)"),
        format!(r"(?:{MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?\b"),
        format!(r"the \d{{1,2}}(?:st|nd|rd|th) of (?:{MONTHS})"),
        format!(r"the (?:{ORDINAL_WORDS}|\d{{1,2}}(?:st|nd|rd|th)) of (?:next|the next|this|the) month"),
        format!(r"the (?:{ORDINAL_WORDS}) of (?:{MONTHS})"),
        format!(r"(?:by|before|on|until|no later than) the (?:{ORDINAL_WORDS})"),
        r"the \d{1,2}(?:st|nd|rd|th)\b".to_string(),
        r"\d{1,2}/\d{1,2}\b".to_string(),
        r"tax day|the tax (?:deadline|filing deadline)".to_string(),
    ];
    Regex::new(&format!(
        r"(?i)\b(?:(?:by|before|on|until|for|no later than)\s+)?(?:{})\b",
        alts.join("|")
    ))
    .expect("due phrase regex")
});

/// Finds the first due-date phrase in `text`; returns its byte range.
pub fn find_due_phrase(text: &str) -> Option<(usize, usize)> {
    // "this quarter's fee", "next year's contribution" name a thing, not a due date; so does
    // "year-end" before a noun ("the year-end tax documents").
    PHRASE
        .find_iter(text)
        .find(|m| {
            let after = &text[m.end()..];
            let names_a_thing = after.starts_with(['\'', '\u{2019}'])
                || m.as_str().ends_with("end") && noun_follows(after);
            // "no decision today", "not next week": the date is ruled out.
            let ruled_out = RULED_OUT.is_match(&text[..m.start()]);
            !(names_a_thing || ruled_out)
        })
        .map(|m| (m.start(), m.end()))
}

static RULED_OUT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:not|no [a-z]+)\s+$").expect("regex"));

/// Whether "year-end" / "month-end" is followed by the noun it describes.
fn noun_follows(after: &str) -> bool {
    const NOT_A_NOUN: &[&str] = &[
        "and", "or", "but", "so", "if", "when", "with", "to", "for", "at", "on", "by", "i", "we",
        "you", "then", "latest", "is", "please", "okay", "ok", "too", "anyway",
    ];
    let Some(rest) = after.strip_prefix(' ') else {
        return false;
    };
    rest.split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .is_some_and(|w| !w.is_empty() && !NOT_A_NOUN.contains(&w))
}

fn weekday_from(s: &str) -> Option<Weekday> {
    Some(match s {
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

fn month_from(s: &str) -> Option<u32> {
    let s = s.trim_end_matches('.');
    Some(match s {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

fn number_from(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse::<u32>() {
        return Some(n);
    }
    Some(match s {
        "a" | "an" | "one" => 1,
        "two" | "a couple" | "a couple of" | "couple of" => 2,
        "three" | "a few" | "few" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "fifteen" => 15,
        "twenty" => 20,
        "thirty" => 30,
        "forty-five" => 45,
        "sixty" => 60,
        "ninety" => 90,
        _ => return None,
    })
}

/// The day a spoken ordinal names: "15th", "fifteenth", "twenty-sixth", "twenty sixth".
fn ordinal_from(s: &str) -> Option<u32> {
    if let Some(digits) = s
        .strip_suffix("st")
        .or_else(|| s.strip_suffix("nd"))
        .or_else(|| s.strip_suffix("rd"))
        .or_else(|| s.strip_suffix("th"))
        && let Ok(n) = digits.parse::<u32>()
    {
        return (1..=31).contains(&n).then_some(n);
    }
    let unit = |w: &str| {
        Some(match w {
            "first" => 1,
            "second" => 2,
            "third" => 3,
            "fourth" => 4,
            "fifth" => 5,
            "sixth" => 6,
            "seventh" => 7,
            "eighth" => 8,
            "ninth" => 9,
            _ => return None,
        })
    };
    let teen = match s {
        "tenth" => Some(10),
        "eleventh" => Some(11),
        "twelfth" => Some(12),
        "thirteenth" => Some(13),
        "fourteenth" => Some(14),
        "fifteenth" => Some(15),
        "sixteenth" => Some(16),
        "seventeenth" => Some(17),
        "eighteenth" => Some(18),
        "nineteenth" => Some(19),
        "twentieth" => Some(20),
        "thirtieth" => Some(30),
        _ => None,
    };
    if teen.is_some() {
        return teen;
    }
    if let Some(rest) = s
        .strip_prefix("twenty-")
        .or_else(|| s.strip_prefix("twenty "))
    {
        return unit(rest).map(|u| 20 + u);
    }
    if let Some(rest) = s
        .strip_prefix("thirty-")
        .or_else(|| s.strip_prefix("thirty "))
    {
        return unit(rest).filter(|u| *u == 1).map(|u| 30 + u);
    }
    unit(s)
}

/// `day` of the meeting's month if not already past, else of the next month.
fn coming_day_of_month(d: NaiveDate, day: u32) -> Option<NaiveDate> {
    match d.with_day(day) {
        Some(x) if x >= d => Some(x),
        _ => d
            .with_day(1)?
            .checked_add_months(Months::new(1))?
            .with_day(day),
    }
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

fn monday_of_week(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

fn next_strictly_after(date: NaiveDate, wd: Weekday) -> NaiveDate {
    let today = date.weekday().num_days_from_monday();
    let want = wd.num_days_from_monday();
    let ahead = (want + 7 - today) % 7;
    let ahead = if ahead == 0 { 7 } else { ahead };
    date + Days::new(u64::from(ahead))
}

fn quarter_end(year: i32, quarter: u32) -> Option<NaiveDate> {
    // quarter is 0-based and may be 4 (= next year's first quarter).
    let (year, quarter) = (year + (quarter / 4) as i32, quarter % 4);
    last_day_of_month(year, quarter * 3 + 3)
}

fn this_week_friday(date: NaiveDate) -> NaiveDate {
    if date.weekday().num_days_from_monday() <= 4 {
        monday_of_week(date) + Days::new(4)
    } else {
        monday_of_week(date) + Days::new(11)
    }
}

/// The next occurrence (on or after `date`) of month/day; `None` for impossible dates.
fn next_month_day(date: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let this_year = NaiveDate::from_ymd_opt(date.year(), month, day);
    match this_year {
        Some(d) if d >= date => Some(d),
        _ => NaiveDate::from_ymd_opt(date.year() + 1, month, day),
    }
}

static IN_N: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:in|within) (?:the next )?({NUMBER_WORDS}) (?:business )?(day|week|month)s?$"
    ))
    .expect("regex")
});
static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^({MONTHS})\.? (\d{{1,2}})(?:st|nd|rd|th)?$")).expect("regex")
});
static DAY_OF_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^the (\d{{1,2}})(?:st|nd|rd|th) of ({MONTHS})$")).expect("regex")
});
static ORDINAL_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^the (\d{{1,2}}(?:st|nd|rd|th)|{ORDINAL_WORDS})$"
    ))
    .expect("regex")
});
static ORDINAL_OF_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^the (\d{{1,2}}(?:st|nd|rd|th)|{ORDINAL_WORDS}) of (next|the next|this|the) month$"
    ))
    .expect("regex")
});
static ORDINAL_OF_MONTH_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^the ({ORDINAL_WORDS}) of ({MONTHS})$")).expect("regex")
});
static SLASH_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2})/(\d{1,2})$").expect("regex"));
static END_OF_MONTH_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^(?:the )?end of ({MONTHS})$")).expect("regex"));

/// Resolves a due phrase ("by Friday", "end of the quarter", "in two weeks", "March 15th")
/// to a date, relative to `meeting_date`. See the module docs for the conventions.
/// Returns `None` for phrases it does not understand.
pub fn resolve_due(phrase: &str, meeting_date: NaiveDate) -> Option<NaiveDate> {
    let mut p = phrase
        .trim()
        .trim_end_matches(['.', ',', '?', '!'])
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for prefix in ["no later than ", "by ", "before ", "on ", "until ", "for "] {
        if let Some(rest) = p.strip_prefix(prefix) {
            p = rest.to_string();
            break;
        }
    }
    for suffix in [" morning", " afternoon", " evening"] {
        if p != "this morning"
            && p != "this afternoon"
            && p != "this evening"
            && let Some(rest) = p.strip_suffix(suffix)
        {
            p = rest.to_string();
        }
    }
    let d = meeting_date;
    let p = p.as_str();
    match p {
        "today" | "tonight" | "later today" | "this morning" | "this afternoon"
        | "this evening" | "end of day" | "the end of day" | "end of the day"
        | "the end of the day" | "eod" => return Some(d),
        "tomorrow" => return d.succ_opt(),
        "day after tomorrow" | "the day after tomorrow" => return d.checked_add_days(Days::new(2)),
        "this week"
        | "end of the week"
        | "the end of the week"
        | "end of this week"
        | "the end of this week"
        | "end of week" => return Some(this_week_friday(d)),
        "next week" | "end of next week" | "the end of next week" => {
            return Some(monday_of_week(d) + Days::new(11));
        }
        "early next week" => return Some(monday_of_week(d) + Days::new(7)),
        "this weekend" | "over the weekend" => return Some(monday_of_week(d) + Days::new(6)),
        "end of the month"
        | "the end of the month"
        | "end of this month"
        | "the end of this month"
        | "end of month"
        | "this month"
        | "month end"
        | "month-end" => {
            return last_day_of_month(d.year(), d.month());
        }
        "next month" | "end of next month" | "the end of next month" => {
            let next = d.with_day(1)?.checked_add_months(Months::new(1))?;
            return last_day_of_month(next.year(), next.month());
        }
        "first of the month"
        | "the first of the month"
        | "1st of the month"
        | "the 1st of the month"
        | "first of next month"
        | "the first of next month"
        | "beginning of next month"
        | "the beginning of next month"
        | "start of next month"
        | "the start of next month"
        | "beginning of the month"
        | "the beginning of the month" => {
            return d.with_day(1)?.checked_add_months(Months::new(1));
        }
        "end of the quarter"
        | "the end of the quarter"
        | "end of this quarter"
        | "the end of this quarter"
        | "end of quarter"
        | "this quarter"
        | "quarter end"
        | "quarter-end" => return quarter_end(d.year(), d.month0() / 3),
        "next quarter" | "end of next quarter" | "the end of next quarter" => {
            return quarter_end(d.year(), d.month0() / 3 + 1);
        }
        "end of the year"
        | "the end of the year"
        | "end of this year"
        | "the end of this year"
        | "end of year"
        | "year end"
        | "year-end" => {
            return NaiveDate::from_ymd_opt(d.year(), 12, 31);
        }
        "tax day" | "the tax deadline" | "the tax filing deadline" => {
            return next_month_day(d, 4, 15);
        }
        _ => {}
    }
    // Weekdays: "friday", "this friday", "coming friday", "next friday".
    let words: Vec<&str> = p.split(' ').collect();
    match words.as_slice() {
        [w] | ["this", w] | ["coming", w] | ["this", "coming", w] => {
            if let Some(wd) = weekday_from(w) {
                return Some(next_strictly_after(d, wd));
            }
        }
        ["next", w] => {
            if let Some(wd) = weekday_from(w) {
                return Some(
                    monday_of_week(d) + Days::new(7 + u64::from(wd.num_days_from_monday())),
                );
            }
        }
        _ => {}
    }
    if let Some(c) = IN_N.captures(p) {
        let n = number_from(c.get(1)?.as_str())?;
        return match c.get(2)?.as_str() {
            "day" => d.checked_add_days(Days::new(u64::from(n))),
            "week" => d.checked_add_days(Days::new(7 * u64::from(n))),
            _ => d.checked_add_months(Months::new(n)),
        };
    }
    if let Some(c) = MONTH_DAY.captures(p) {
        let month = month_from(c.get(1)?.as_str())?;
        let day: u32 = c.get(2)?.as_str().parse().ok()?;
        return next_month_day(d, month, day);
    }
    if let Some(c) = DAY_OF_MONTH.captures(p) {
        let day: u32 = c.get(1)?.as_str().parse().ok()?;
        let month = month_from(c.get(2)?.as_str())?;
        return next_month_day(d, month, day);
    }
    if let Some(c) = SLASH_DATE.captures(p) {
        let month: u32 = c.get(1)?.as_str().parse().ok()?;
        let day: u32 = c.get(2)?.as_str().parse().ok()?;
        return next_month_day(d, month, day);
    }
    if let Some(c) = ORDINAL_DAY.captures(p) {
        return coming_day_of_month(d, ordinal_from(c.get(1)?.as_str())?);
    }
    if let Some(c) = ORDINAL_OF_MONTH.captures(p) {
        let day = ordinal_from(c.get(1)?.as_str())?;
        return match c.get(2)?.as_str() {
            "next" | "the next" => d
                .with_day(1)?
                .checked_add_months(Months::new(1))?
                .with_day(day),
            _ => coming_day_of_month(d, day),
        };
    }
    if let Some(c) = ORDINAL_OF_MONTH_NAME.captures(p) {
        let day = ordinal_from(c.get(1)?.as_str())?;
        let month = month_from(c.get(2)?.as_str())?;
        return next_month_day(d, month, day);
    }
    if let Some(c) = END_OF_MONTH_NAME.captures(p) {
        let month = month_from(c.get(1)?.as_str())?;
        let this_year = last_day_of_month(d.year(), month)?;
        return if this_year >= d {
            Some(this_year)
        } else {
            last_day_of_month(d.year() + 1, month)
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn table() {
        // (meeting date, phrase, expected)
        let cases: &[(&str, &str, Option<&str>)] = &[
            // Ordinal days, spelled out or not (issue 15): this month if not past, else next.
            ("2025-05-16", "before your trip on the twentieth", None),
            ("2025-05-16", "on the twentieth", Some("2025-05-20")),
            ("2025-05-16", "by the fifteenth", Some("2025-06-15")),
            ("2025-08-19", "on the twenty-sixth", Some("2025-08-26")),
            ("2025-08-19", "on the twenty sixth", Some("2025-08-26")),
            ("2025-10-31", "by the 3rd", Some("2025-11-03")),
            ("2025-10-31", "by the third", Some("2025-11-03")),
            ("2025-12-10", "before the twentieth", Some("2025-12-20")),
            ("2026-01-30", "by the thirty-first", Some("2026-01-31")),
            ("2025-05-16", "the 1st of next month", Some("2025-06-01")),
            (
                "2025-05-16",
                "on the first of next month",
                Some("2025-06-01"),
            ),
            (
                "2025-05-16",
                "the fifteenth of next month",
                Some("2025-06-15"),
            ),
            ("2025-05-16", "the twentieth of June", Some("2025-06-20")),
            ("2025-05-16", "by the first", Some("2025-06-01")),
            // Weekdays. 2025-03-03 is a Monday.
            ("2025-03-03", "by Friday", Some("2025-03-07")),
            ("2025-03-03", "Friday", Some("2025-03-07")),
            ("2025-03-03", "this Friday", Some("2025-03-07")),
            ("2025-03-03", "on Monday", Some("2025-03-10")),
            ("2025-03-03", "next Tuesday", Some("2025-03-11")),
            ("2025-03-03", "Tuesday", Some("2025-03-04")),
            ("2025-03-07", "by Friday", Some("2025-03-14")),
            ("2025-03-07", "next Friday", Some("2025-03-14")),
            ("2025-03-08", "next Tuesday", Some("2025-03-11")),
            ("2025-03-05", "next Monday", Some("2025-03-10")),
            ("2025-03-05", "Monday morning", Some("2025-03-10")),
            // Across a month and a year boundary.
            ("2025-12-30", "by Friday", Some("2026-01-02")),
            ("2025-12-30", "next week", Some("2026-01-09")),
            ("2025-12-31", "next Wednesday", Some("2026-01-07")),
            ("2025-01-30", "next Wednesday", Some("2025-02-05")),
            // Today / tomorrow.
            ("2025-02-28", "tomorrow", Some("2025-03-01")),
            ("2024-02-28", "tomorrow", Some("2024-02-29")),
            ("2025-12-31", "tomorrow", Some("2026-01-01")),
            ("2025-05-14", "this afternoon", Some("2025-05-14")),
            ("2025-05-14", "tonight", Some("2025-05-14")),
            ("2025-05-14", "by end of day", Some("2025-05-14")),
            // Weeks.
            ("2025-05-14", "by the end of the week", Some("2025-05-16")),
            ("2025-05-17", "end of the week", Some("2025-05-23")),
            ("2025-05-16", "this week", Some("2025-05-16")),
            ("2025-05-14", "next week", Some("2025-05-23")),
            ("2025-05-14", "early next week", Some("2025-05-19")),
            ("2025-03-28", "this weekend", Some("2025-03-30")),
            ("2025-03-30", "over the weekend", Some("2025-03-30")),
            ("2025-05-14", "in two weeks", Some("2025-05-28")),
            ("2025-12-30", "in two weeks", Some("2026-01-13")),
            ("2025-10-06", "in the next two weeks", Some("2025-10-20")),
            (
                "2025-01-03",
                "in the next couple of weeks",
                Some("2025-01-17"),
            ),
            ("2025-07-31", "within a week", Some("2025-08-07")),
            ("2025-07-31", "in 10 days", Some("2025-08-10")),
            ("2025-07-31", "within 30 days", Some("2025-08-30")),
            ("2025-07-31", "in a few days", Some("2025-08-03")),
            // Months.
            ("2025-03-03", "by the end of the month", Some("2025-03-31")),
            ("2025-02-10", "end of the month", Some("2025-02-28")),
            ("2024-02-10", "end of the month", Some("2024-02-29")),
            ("2025-07-31", "end of the month", Some("2025-07-31")),
            ("2025-07-31", "by the end of next month", Some("2025-08-31")),
            ("2025-08-29", "next month", Some("2025-09-30")),
            ("2025-12-15", "next month", Some("2026-01-31")),
            ("2025-01-31", "in a month", Some("2025-02-28")),
            ("2025-12-15", "first of the month", Some("2026-01-01")),
            ("2025-12-30", "by the end of February", Some("2026-02-28")),
            ("2025-01-10", "end of February", Some("2025-02-28")),
            // Quarters and years.
            ("2025-09-29", "end of the quarter", Some("2025-09-30")),
            (
                "2025-02-01",
                "by the end of the quarter",
                Some("2025-03-31"),
            ),
            ("2025-11-18", "quarter end", Some("2025-12-31")),
            ("2025-11-18", "next quarter", Some("2026-03-31")),
            ("2025-05-14", "before year end", Some("2025-12-31")),
            ("2025-05-14", "by the end of the year", Some("2025-12-31")),
            ("2025-12-31", "year-end", Some("2025-12-31")),
            // Calendar dates.
            ("2025-02-24", "by March 15th", Some("2025-03-15")),
            ("2025-03-16", "by March 15th", Some("2026-03-15")),
            ("2025-03-15", "March 15", Some("2025-03-15")),
            ("2025-01-30", "February 13th", Some("2025-02-13")),
            ("2025-11-01", "by the 15th of January", Some("2026-01-15")),
            ("2025-11-01", "by 1/15", Some("2026-01-15")),
            ("2025-11-10", "by the 15th", Some("2025-11-15")),
            ("2025-11-20", "by the 15th", Some("2025-12-15")),
            ("2025-01-31", "the 31st", Some("2025-01-31")),
            // The 30th has passed and February has none: no date rather than a guess.
            ("2025-01-31", "by the 30th", None),
            ("2025-02-01", "February 30th", None),
            ("2025-02-24", "tax day", Some("2025-04-15")),
            ("2025-05-01", "by the tax deadline", Some("2026-04-15")),
            // Unknown.
            ("2025-05-14", "soon", None),
            ("2025-05-14", "before our next meeting", None),
            ("2025-05-14", "in early April", None),
        ];
        for (meeting, phrase, want) in cases {
            let got = resolve_due(phrase, date(meeting));
            assert_eq!(got, want.map(date), "phrase {phrase:?} at {meeting}");
        }
    }

    #[test]
    fn finds_phrases_in_sentences() {
        let s = "I'll run a projection and send it to you by Friday.";
        let (a, b) = find_due_phrase(s).expect("phrase");
        assert_eq!(&s[a..b], "by Friday");
        let s = "Can you get me the paperwork by the end of the month?";
        let (a, b) = find_due_phrase(s).expect("phrase");
        assert_eq!(&s[a..b], "by the end of the month");
        let s = "Ideally in the next two weeks.";
        let (a, b) = find_due_phrase(s).expect("phrase");
        assert_eq!(&s[a..b], "in the next two weeks");
        assert!(find_due_phrase("We want to buy a house in the next couple of years.").is_none());
        assert!(find_due_phrase("We have about 1,200 in savings.").is_none());
        let s = "Sign them before your trip on the twentieth, please.";
        let (a, b) = find_due_phrase(s).expect("phrase");
        assert_eq!(&s[a..b], "on the twentieth");
        let s = "We'll sell the first half now.";
        assert!(find_due_phrase(s).is_none(), "{s}");
        // A thing named after a date, and a date ruled out.
        for s in [
            "we'll send him the year-end tax documents when they're issued.",
            "so you can read it, no decision today.",
            "you file for unemployment, not next week.",
        ] {
            assert!(find_due_phrase(s).is_none(), "{s}");
        }
        let s = "have it done by year-end, please.";
        let (a, b) = find_due_phrase(s).expect("phrase");
        assert_eq!(&s[a..b], "by year-end");
        let s = "no later than friday.";
        assert!(find_due_phrase(s).is_some(), "{s}");
    }
}
