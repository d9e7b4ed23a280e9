//! Custom cucumber parameters that keep steps readable: `{money}`, `{instant}`, `{date}`.

use std::str::FromStr;

use cucumber::Parameter;
use jiff::Timestamp;
use jiff::civil::Date;
use ovcert_reference::Cents;
use ovcert_reference::time::parse_instant;

/// "€12.34", "€ 12,34", "-€2.00".
#[derive(Debug, Clone, Copy, Parameter)]
#[param(name = "money", regex = r"-?€ ?\d+(?:[.,]\d{2})?")]
pub struct Money(pub Cents);

impl FromStr for Money {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cents::parse_euros(s).map(Money).map_err(|e| e.to_string())
    }
}

/// Local Amsterdam time "2024-06-12 08:00[:ss]" or with an offset "2024-10-27T02:30+01:00".
#[derive(Debug, Clone, Copy, Parameter)]
#[param(
    name = "instant",
    regex = r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:\d{2})?"
)]
pub struct Instant(pub Timestamp);

impl FromStr for Instant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_instant(s).map(Instant).map_err(|e| e.to_string())
    }
}

/// A calendar date "2024-06-12".
#[derive(Debug, Clone, Copy, Parameter)]
#[param(name = "date", regex = r"\d{4}-\d{2}-\d{2}")]
pub struct Day(pub Date);

impl FromStr for Day {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse()
            .map(Day)
            .map_err(|e| format!("`{s}` is not a date: {e}"))
    }
}
