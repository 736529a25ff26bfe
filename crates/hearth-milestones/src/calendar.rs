//! Small calendar helpers shared by the rules, and the date formats used in titles.

use chrono::{Datelike, Months, NaiveDate};

/// `date` moved forward by `months` calendar months, clamped to the end of the month
/// (August 31 + 6 months = February 28, or 29 in a leap year). `None` past chrono's range.
pub(crate) fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// `date` moved back by `months` calendar months, clamped to the end of the month.
pub(crate) fn sub_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_sub_months(Months::new(months))
}

/// The first day of `date`'s month.
pub(crate) fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The last day of `date`'s month.
pub(crate) fn last_of_month(date: NaiveDate) -> Option<NaiveDate> {
    add_months(first_of_month(date), 1)?.pred_opt()
}

/// `year`-`month`-`day`, or `None` if that day does not exist or is out of range.
pub(crate) fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

/// January 1 of `year`.
pub(crate) fn january_1(year: i32) -> Option<NaiveDate> {
    ymd(year, 1, 1)
}

/// December 31 of `year`.
pub(crate) fn december_31(year: i32) -> Option<NaiveDate> {
    ymd(year, 12, 31)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(date: NaiveDate) -> &'static str {
    MONTHS[date.month0() as usize]
}

/// "April 1, 2032". Written out by hand: chrono's `format` parses its pattern on every call,
/// and Today formats thousands of these.
pub(crate) fn long_date(date: NaiveDate) -> String {
    format!("{} {}, {}", month_name(date), date.day(), date.year())
}

/// "April 2032".
pub(crate) fn month_and_year(date: NaiveDate) -> String {
    format!("{} {}", month_name(date), date.year())
}
