//! Time in Europe/Amsterdam: instants, local clock readings and the travel day (EMV-07).
//!
//! Instants are [`jiff::Timestamp`]s; every rule that speaks of a clock time ("03:05",
//! "08:55", "Friday 18:30") means local Amsterdam time, so DST nights are handled here once.
//! The time-zone data are compiled in (jiff's bundled tzdb): no file is read at run time.

use std::cell::Cell;
use std::sync::OnceLock;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, Disambiguation, Offset, TimeZone};
use jiff::{SignedDuration, Timestamp, Zoned};
use serde::{Deserialize, Serialize};

pub const ZONE_NAME: &str = "Europe/Amsterdam";

/// The Europe/Amsterdam time zone from the compiled-in database.
pub fn amsterdam() -> &'static TimeZone {
    static ZONE: OnceLock<TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| {
        TimeZone::get(ZONE_NAME).expect("the bundled tz database contains Europe/Amsterdam")
    })
}

/// The local Amsterdam reading of an instant.
pub fn local(at: Timestamp) -> Zoned {
    at.to_zoned(amsterdam().clone())
}

/// The local Amsterdam clock reading of an instant, without building a [`Zoned`]: what the
/// rules read per tap (the date, the time of day). Same result as `local(at).datetime()`.
pub fn local_datetime(at: Timestamp) -> DateTime {
    offset_at(at).to_datetime(at)
}

/// An instant as the Amsterdam clock shows it, with the offset: "2024-10-27T02:30:00+01:00",
/// the form reports and answers carry (`%Y-%m-%dT%H:%M:%S%:z`). A national day's reports
/// hold millions of them, so four-digit years in whole-minute offsets are written digit by
/// digit; other instants go through jiff's formatter.
pub fn local_text(at: Timestamp) -> String {
    let offset = offset_at(at);
    let reading = offset.to_datetime(at);
    let offset_s = offset.seconds();
    let year = reading.year();
    if !(1000..=9999).contains(&year) || offset_s % 60 != 0 {
        return local(at).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    }
    let offset_min = offset_s.unsigned_abs() / 60;
    let mut text = String::with_capacity(25);
    push_digits(&mut text, year.unsigned_abs().into(), 4);
    text.push('-');
    push_digits(&mut text, reading.month().unsigned_abs().into(), 2);
    text.push('-');
    push_digits(&mut text, reading.day().unsigned_abs().into(), 2);
    text.push('T');
    push_digits(&mut text, reading.hour().unsigned_abs().into(), 2);
    text.push(':');
    push_digits(&mut text, reading.minute().unsigned_abs().into(), 2);
    text.push(':');
    push_digits(&mut text, reading.second().unsigned_abs().into(), 2);
    text.push(if offset_s < 0 { '-' } else { '+' });
    push_digits(&mut text, offset_min / 60, 2);
    text.push(':');
    push_digits(&mut text, offset_min % 60, 2);
    text
}

/// `value`'s last `digits` decimal digits, zero-padded.
fn push_digits(text: &mut String, value: u32, digits: u32) {
    for place in (0..digits).rev() {
        let digit = (value / 10_u32.pow(place)) % 10;
        text.push(char::from_digit(digit, 10).expect("a decimal digit"));
    }
}

/// Amsterdam's UTC offset at `at`. The zone's rules repeat every year, so finding the offset
/// through them costs more than the rest of pricing a tap; the offsets between 1970 and 2100
/// are read from them once into a table of transitions and looked up by binary search.
fn offset_at(at: Timestamp) -> Offset {
    // (first second, offset from it on), in time order.
    static TABLE: OnceLock<Vec<(i64, Offset)>> = OnceLock::new();
    const FIRST: i64 = 0; // 1970-01-01T00:00:00Z
    const END: i64 = 4_102_444_800; // 2100-01-01T00:00:00Z
    let second = at.as_second();
    if !(FIRST..END).contains(&second) {
        return amsterdam().to_offset(at);
    }
    let table = TABLE.get_or_init(|| {
        let start = Timestamp::UNIX_EPOCH;
        let mut table = vec![(FIRST, amsterdam().to_offset(start))];
        table.extend(
            amsterdam()
                .following(start)
                .map(|t| (t.timestamp().as_second(), t.offset()))
                .take_while(|&(s, _)| s < END),
        );
        table
    });
    // Pricing asks about instants close together: the last interval found answers most.
    thread_local! {
        static LAST: Cell<(i64, i64, Option<Offset>)> = const { Cell::new((0, 0, None)) };
    }
    if let (from, until, Some(offset)) = LAST.get()
        && (from..until).contains(&second)
    {
        return offset;
    }
    let after = table.partition_point(|&(s, _)| s <= second);
    let until = table.get(after).map_or(END, |&(s, _)| s);
    let (from, offset) = table[after - 1];
    LAST.set((from, until, Some(offset)));
    offset
}

/// The instant of a local Amsterdam wall-clock reading. In the autumn hour that occurs twice
/// the earlier instant is taken; a reading in the spring gap is an error, because it names no
/// instant.
pub fn instant_of_local(datetime: DateTime) -> Result<Timestamp, LocalTimeError> {
    let ambiguous = amsterdam().to_ambiguous_timestamp(datetime);
    if matches!(ambiguous.offset(), AmbiguousOffset::Gap { .. }) {
        return Err(LocalTimeError::Gap(datetime));
    }
    ambiguous
        .disambiguate(Disambiguation::Earlier)
        .map_err(|_| LocalTimeError::Gap(datetime))
}

/// Parses "2024-03-31 03:04:59", "2024-03-31T03:05" (local) or a full RFC 3339 instant with an
/// offset such as "2024-10-27T02:30:00+01:00" (which settles the repeated autumn hour).
pub fn parse_instant(text: &str) -> Result<Timestamp, LocalTimeError> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts);
    }
    let datetime: DateTime = text
        .replacen(' ', "T", 1)
        .parse()
        .map_err(|_| LocalTimeError::Unparsable(text.to_string()))?;
    instant_of_local(datetime)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    #[error("{0} does not exist in Europe/Amsterdam (the clocks skip that hour)")]
    Gap(DateTime),
    #[error(
        "`{0}` is not a time: write local time as YYYY-MM-DD HH:MM[:SS] or an RFC 3339 instant"
    )]
    Unparsable(String),
}

/// How the end of a travel day is placed on the DST nights (EMV-07 interpretation switch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TravelDayBoundary {
    /// The travel day ends when the Amsterdam clock next shows the end time (03:05). On the
    /// spring night the day is an hour shorter, on the autumn night an hour longer.
    WallClock,
    /// The travel day ends a fixed span (00:00 → 03:05 = 3 h 05 min) after the local midnight
    /// that starts the calendar day, so on DST nights the clock shows 04:05 or 02:05.
    ElapsedSinceMidnight,
}

/// The travel-day rule of a rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TravelDayRule {
    /// Local time at which the travel day of the previous date ends (03:05).
    pub end_local: Time,
    pub boundary: TravelDayBoundary,
}

/// EMV-07: a travel day runs from 00:00 of its date until 03:05 of the next day, local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct TravelDay(pub Date);

impl TravelDayRule {
    /// The travel day an instant belongs to (EMV-07).
    pub fn travel_day_of(&self, at: Timestamp) -> TravelDay {
        let reading = local_datetime(at);
        let date = reading.date();
        if !self.surely_after_end_of_previous_day(reading.time())
            && at < self.end_of_previous_day(date)
        {
            TravelDay(
                date.yesterday()
                    .expect("dates in use are far from the minimum"),
            )
        } else {
            TravelDay(date)
        }
    }

    /// Whether a clock reading of `time` on some date is surely past that date's
    /// [`Self::end_of_previous_day`], without placing the boundary: the boundary reads at
    /// most an hour after the end time (a spring night under either interpretation), and
    /// from 03:00 on the readings of a date run in time order (the clocks change before).
    fn surely_after_end_of_previous_day(&self, time: Time) -> bool {
        let latest_boundary_s = seconds_of_day(self.end_local) + 3600;
        let reading_s = seconds_of_day(time);
        reading_s >= latest_boundary_s && reading_s >= 3 * 3600
    }

    /// The instant at which the travel day of `day` ends (EMV-07, DST-aware).
    pub fn end_of(&self, day: TravelDay) -> Timestamp {
        let next = day
            .0
            .tomorrow()
            .expect("dates in use are far from the maximum");
        self.end_of_previous_day(next)
    }

    /// The boundary between the travel day of `date - 1` and that of `date`.
    fn end_of_previous_day(&self, date: Date) -> Timestamp {
        // Pricing asks for the same day's end once per leg; placing it takes the zone's
        // rules, so each thread remembers the last answer.
        thread_local! {
            static LAST: Cell<Option<(TravelDayRule, Date, Timestamp)>> = const { Cell::new(None) };
        }
        if let Some((rule, known, end)) = LAST.get()
            && rule == *self
            && known == date
        {
            return end;
        }
        let end = self.place_end_of_previous_day(date);
        LAST.set(Some((*self, date, end)));
        end
    }

    fn place_end_of_previous_day(&self, date: Date) -> Timestamp {
        match self.boundary {
            TravelDayBoundary::WallClock => {
                // 03:05 exists on every Amsterdam date (the clock jumps 02:00 → 03:00 and
                // 03:00 → 02:00), so the compatible instant is the only one.
                let ambiguous =
                    amsterdam().to_ambiguous_timestamp(date.to_datetime(self.end_local));
                ambiguous
                    .compatible()
                    .expect("every Amsterdam date has the travel-day end time")
            }
            TravelDayBoundary::ElapsedSinceMidnight => {
                let midnight = local_midnight(date);
                let span = SignedDuration::from_secs(
                    i64::from(self.end_local.hour()) * 3600
                        + i64::from(self.end_local.minute()) * 60
                        + i64::from(self.end_local.second()),
                );
                midnight
                    .checked_add(span)
                    .expect("dates in use are far from the maximum")
            }
        }
    }
}

fn seconds_of_day(time: Time) -> i32 {
    i32::from(time.hour()) * 3600 + i32::from(time.minute()) * 60 + i32::from(time.second())
}

/// The instant of local midnight at the start of `date`.
pub fn local_midnight(date: Date) -> Timestamp {
    date.to_zoned(amsterdam().clone())
        .expect("dates in use are within jiff's range")
        .start_of_day()
        .expect("every Amsterdam date has a start")
        .timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// The table and the shortcut agree with the zone's rules every 5 minutes of 2024–2025,
    /// under both interpretations and with end times around the DST hours.
    #[test]
    fn fast_local_readings_and_travel_days_agree_with_the_zone() {
        let slow_day = |rule: &TravelDayRule, at: Timestamp| {
            let date = local(at).date();
            if at < rule.end_of_previous_day(date) {
                TravelDay(date.yesterday().unwrap())
            } else {
                TravelDay(date)
            }
        };
        let rules: Vec<TravelDayRule> = [(3, 5), (4, 0), (2, 30), (1, 0), (0, 0)]
            .into_iter()
            .flat_map(|(h, m)| {
                [
                    TravelDayBoundary::WallClock,
                    TravelDayBoundary::ElapsedSinceMidnight,
                ]
                .map(|boundary| TravelDayRule {
                    end_local: Time::constant(h, m, 0, 0),
                    boundary,
                })
            })
            .collect();
        let start = at("2024-01-01 00:00").as_second();
        let end = at("2026-01-01 00:00").as_second();
        let mut checked = 0;
        for second in (start..end).step_by(300) {
            let ts = Timestamp::from_second(second).unwrap();
            assert_eq!(local_datetime(ts), local(ts).datetime(), "{ts}");
            for rule in &rules {
                assert_eq!(rule.travel_day_of(ts), slow_day(rule, ts), "{ts} {rule:?}");
            }
            checked += 1;
        }
        assert!(checked > 200_000);
        let far = Timestamp::from_second(5_000_000_000).unwrap();
        assert_eq!(local_datetime(far), local(far).datetime());
    }

    #[test]
    fn report_times_are_written_as_the_zone_formats_them() {
        let slow = |at: Timestamp| local(at).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
        let start = at("2024-01-01 00:00").as_second();
        let end = at("2026-01-01 00:00").as_second();
        // Every 7 minutes 13 seconds: each second of the minute and both DST nights.
        let mut checked = 0;
        for second in (start..end).step_by(433) {
            let ts = Timestamp::from_second(second).unwrap();
            assert_eq!(local_text(ts), slow(ts), "{ts}");
            checked += 1;
        }
        assert!(checked > 100_000);
        // Before the table (local mean time, an offset in seconds), after it, and far out.
        for text in [
            "1900-06-01T12:00:00Z",
            "1937-06-30T22:00:00Z",
            "1969-12-31T23:59:59Z",
            "2100-06-01T12:00:00Z",
            "0999-01-01T00:00:00Z",
        ] {
            let ts: Timestamp = text.parse().unwrap();
            assert_eq!(local_text(ts), slow(ts), "{ts}");
        }
        assert_eq!(
            local_text(at("2024-10-27T02:30:00+01:00")),
            "2024-10-27T02:30:00+01:00"
        );
    }

    fn rule(boundary: TravelDayBoundary) -> TravelDayRule {
        TravelDayRule {
            end_local: Time::constant(3, 5, 0, 0),
            boundary,
        }
    }

    fn at(text: &str) -> Timestamp {
        parse_instant(text).unwrap()
    }

    /// One row: an instant and the travel day each interpretation puts it in.
    fn check(rows: &[(&str, Date, Date)]) {
        for &(text, wall, elapsed) in rows {
            let ts = at(text);
            assert_eq!(
                rule(TravelDayBoundary::WallClock).travel_day_of(ts),
                TravelDay(wall),
                "wall-clock {text}"
            );
            assert_eq!(
                rule(TravelDayBoundary::ElapsedSinceMidnight).travel_day_of(ts),
                TravelDay(elapsed),
                "elapsed {text}"
            );
        }
    }

    #[test]
    fn ordinary_night_boundary_at_0305() {
        check(&[
            ("2024-06-12 03:04:59", date(2024, 6, 11), date(2024, 6, 11)),
            ("2024-06-12 03:05:00", date(2024, 6, 12), date(2024, 6, 12)),
            ("2024-06-12 00:00:00", date(2024, 6, 11), date(2024, 6, 11)),
            ("2024-06-11 23:59:59", date(2024, 6, 11), date(2024, 6, 11)),
        ]);
    }

    #[test]
    fn spring_nights_2024_and_2025() {
        // Clocks jump 02:00 CET → 03:00 CEST. Wall clock: the day ends at 03:05 CEST.
        // Elapsed: 3 h 05 after midnight CET is 04:05 CEST.
        for day in [date(2024, 3, 31), date(2025, 3, 30)] {
            let prev = day.yesterday().unwrap();
            let s = |t: &str| format!("{day} {t}");
            check(&[
                (&s("01:59:59"), prev, prev),
                (&s("03:04:59"), prev, prev),
                (&s("03:05:00"), day, prev),
                (&s("04:04:59"), day, prev),
                (&s("04:05:00"), day, day),
            ]);
            assert!(
                parse_instant(&s("02:30:00")).is_err(),
                "02:30 does not exist on {day}"
            );
        }
    }

    #[test]
    fn autumn_nights_2024_and_2025() {
        // Clocks fall back 03:00 CEST → 02:00 CET, so 02:xx happens twice.
        // Wall clock: ends at 03:05 CET. Elapsed: 3 h 05 after midnight CEST = 02:05 CET.
        for (day, cest, cet) in [
            (date(2024, 10, 27), "+02:00", "+01:00"),
            (date(2025, 10, 26), "+02:00", "+01:00"),
        ] {
            let prev = day.yesterday().unwrap();
            let first = |t: &str| format!("{day}T{t}{cest}");
            let second = |t: &str| format!("{day}T{t}{cet}");
            check(&[
                (&first("02:30:00"), prev, prev),
                (&second("02:04:59"), prev, prev),
                (&second("02:05:00"), prev, day),
                (&second("03:04:59"), prev, day),
                (&second("03:05:00"), day, day),
            ]);
        }
    }

    #[test]
    fn end_of_day_is_consistent_with_membership() {
        for boundary in [
            TravelDayBoundary::WallClock,
            TravelDayBoundary::ElapsedSinceMidnight,
        ] {
            let r = rule(boundary);
            for day in [
                date(2024, 3, 30),
                date(2024, 10, 26),
                date(2025, 3, 29),
                date(2025, 10, 25),
            ] {
                let end = r.end_of(TravelDay(day));
                assert_eq!(
                    r.travel_day_of(end - SignedDuration::from_secs(1)),
                    TravelDay(day)
                );
                assert_eq!(r.travel_day_of(end), TravelDay(day.tomorrow().unwrap()));
            }
        }
    }

    #[test]
    fn ambiguous_local_time_takes_the_earlier_instant() {
        let first = at("2024-10-27 02:30:00");
        assert_eq!(first, at("2024-10-27T02:30:00+02:00"));
    }
}
