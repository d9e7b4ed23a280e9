//! Calendar arithmetic of the general terms: "within three months", "from 00:00 of the next
//! day", "ten calendar days", half-years. Everything in Europe/Amsterdam local dates, so DST
//! changes never shift a deadline.

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::time::{local, local_midnight};

/// The local date of an instant.
pub fn date_of(at: Timestamp) -> Date {
    local(at).date()
}

/// `date` plus `days` calendar days.
pub fn add_days(date: Date, days: u32) -> Date {
    date.checked_add(Span::new().days(i64::from(days)))
        .expect("dates in use are far from jiff's limits")
}

/// `date` plus `months` calendar months; a day past the month's end is clamped to it
/// (31 May + 3 months = 31 August, 30 November + 3 months = 28 February).
pub fn add_months(date: Date, months: u32) -> Date {
    date.checked_add(Span::new().months(i64::from(months)))
        .expect("dates in use are far from jiff's limits")
}

/// The instant `months` calendar months after `at`, at the same local clock time.
pub fn instant_plus_months(at: Timestamp, months: u32) -> Timestamp {
    local(at)
        .checked_add(Span::new().months(i64::from(months)))
        .expect("dates in use are far from jiff's limits")
        .timestamp()
}

/// The instant `hours` hours after `at` (elapsed time, not wall-clock).
pub fn plus_hours(at: Timestamp, hours: u32) -> Timestamp {
    at.checked_add(jiff::SignedDuration::from_hours(i64::from(hours)))
        .expect("instants in use are far from jiff's limits")
}

/// Local 00:00 of the date `days` after the date of `at` (TERM-07: "vanaf de eerstvolgende
/// dag, met ingang van 0:00 uur").
pub fn midnight_days_after(at: Timestamp, days: u32) -> Timestamp {
    local_midnight(add_days(date_of(at), days))
}

/// Local 00:00 at the start of `date`.
pub fn midnight(date: Date) -> Timestamp {
    local_midnight(date)
}

/// Whole calendar days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    let span = to
        .since(from)
        .expect("dates in use are far from jiff's limits");
    i64::from(span.get_days())
}

/// TERM-16: January–June or July–December of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HalfYear {
    pub year: i16,
    /// 1 (January–June) or 2 (July–December).
    pub half: u8,
}

impl HalfYear {
    pub fn of(date: Date) -> HalfYear {
        HalfYear {
            year: date.year(),
            half: if date.month() <= 6 { 1 } else { 2 },
        }
    }
}

impl std::fmt::Display for HalfYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-H{}", self.year, self.half)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;
    use jiff::civil::date;

    #[test]
    fn months_clamp_to_the_month_end() {
        assert_eq!(add_months(date(2024, 5, 31), 3), date(2024, 8, 31));
        assert_eq!(add_months(date(2024, 11, 30), 3), date(2025, 2, 28));
    }

    #[test]
    fn next_midnight_across_dst() {
        // The spring night: the day after 30 March 2024 starts at 00:00 CET.
        let at = parse_instant("2024-03-30 23:59").unwrap();
        assert_eq!(
            midnight_days_after(at, 1),
            parse_instant("2024-03-31 00:00").unwrap()
        );
        let at = parse_instant("2024-10-27 00:00").unwrap();
        assert_eq!(
            midnight_days_after(at, 1),
            parse_instant("2024-10-28 00:00").unwrap()
        );
    }

    #[test]
    fn half_years() {
        assert_eq!(HalfYear::of(date(2024, 6, 30)).to_string(), "2024-H1");
        assert_eq!(HalfYear::of(date(2024, 7, 1)).to_string(), "2024-H2");
        assert_eq!(days_between(date(2024, 1, 1), date(2024, 6, 29)), 180);
    }
}
