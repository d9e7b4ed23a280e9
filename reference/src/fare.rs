//! Fares as the reader computes them at check-out (TAP-01, CARD-06, FARE-01/02 basics).
//!
//! This is the distance fare the card is debited with: base fare of the check-in year plus
//! km × the operator's rate for bus/tram/metro (or the line's rate, or a fixed route fare:
//! [`crate::backoffice::fare::btm_tariff`]), km × rate with a minimum for rail, capped by
//! the service's maximum; age discount and free travel from the card's birth date.

use jiff::civil::Date;

use crate::backoffice::fare::btm_tariff;
use crate::money::Cents;
use crate::rules::{Mode, RuleSet, TransportClass};

/// Everything the fare depends on.
#[derive(Debug, Clone)]
pub struct FareQuery<'a> {
    pub operator: &'a str,
    pub mode: Mode,
    pub from_station: &'a str,
    pub to_station: &'a str,
    pub check_in_date: Date,
    pub birth_date: Option<Date>,
}

/// The fare and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fare {
    pub amount: Cents,
    pub age_band: AgeBand,
}

/// CARD-06: the traveller's age band on the check-in date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeBand {
    /// Younger than 4: free, needs no card.
    Infant,
    /// 4–11 or 65+: the age discount, where the operator gives it.
    Reduced,
    Full,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FareError {
    #[error("operator `{operator}` runs no {mode:?} service in the rule set")]
    UnknownService { operator: String, mode: Mode },
    #[error("no distance between stations `{from}` and `{to}` in the rule set's network")]
    NoDistance { from: String, to: String },
    #[error("the rule set has no base fare for {0}")]
    NoBaseFare(i16),
}

/// CARD-06: the age band of someone born on `birth_date` on `on`.
pub fn age_band(rules: &RuleSet, birth_date: Option<Date>, on: Date) -> AgeBand {
    let Some(birth) = birth_date else {
        return AgeBand::Full;
    };
    let age = age_on(birth, on);
    let a = &rules.card.age;
    if age < i32::from(a.free_below_age) {
        AgeBand::Infant
    } else if (i32::from(a.child_from_age)..=i32::from(a.child_to_age)).contains(&age)
        || age >= i32::from(a.senior_from_age)
    {
        AgeBand::Reduced
    } else {
        AgeBand::Full
    }
}

/// Whole years completed on `on` (a birthday counts from its first day).
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut years = i32::from(on.year()) - i32::from(birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// The fare of a completed journey leg with one operator.
pub fn fare(rules: &RuleSet, q: &FareQuery<'_>) -> Result<Fare, FareError> {
    let service = rules
        .service(q.operator, q.mode)
        .ok_or_else(|| FareError::UnknownService {
            operator: q.operator.to_string(),
            mode: q.mode,
        })?;
    let metres = rules
        .distance_m(q.from_station, q.to_station)
        .ok_or_else(|| FareError::NoDistance {
            from: q.from_station.to_string(),
            to: q.to_station.to_string(),
        })?;
    let band = age_band(rules, q.birth_date, q.check_in_date);
    if band == AgeBand::Infant {
        return Ok(Fare {
            amount: Cents::ZERO,
            age_band: band,
        });
    }
    // CARD-06: the age discount is given on balance except by the excluded operators (NS).
    let reduced = band == AgeBand::Reduced
        && !rules
            .card
            .age
            .excluded_operators
            .iter()
            .any(|o| o == q.operator);
    // FARE-01: a bus/tram/metro leg takes the fixed route fare or the line's km rate where
    // the rule set has one — the back office's tariff, so reader and back office agree.
    let btm_row = match q.mode.class() {
        TransportClass::BusTramMetro => rules.base_fare(q.check_in_date.year()),
        TransportClass::Rail => None,
    };
    let km_part = btm_row
        .and_then(|row| {
            btm_tariff(rules, q.operator, service, q.from_station, q.to_station)
                .map(|tariff| tariff.km_part(row.normal_cents))
        })
        .unwrap_or_else(|| Cents::per_km(metres, service.km_rate_cents));
    let km_part = if reduced {
        km_part
            .after_discount(rules.age_discount())
            .unwrap_or(km_part)
    } else {
        km_part
    };
    let raw = match q.mode.class() {
        TransportClass::BusTramMetro => {
            // FARE-01 / FARE-02: base fare of the check-in year (reduced row for age discount).
            let year = q.check_in_date.year();
            let row = rules.base_fare(year).ok_or(FareError::NoBaseFare(year))?;
            let base = if reduced {
                row.reduced_cents
            } else {
                row.normal_cents
            };
            base.checked_add(km_part).unwrap_or(service.max_fare_cents)
        }
        TransportClass::Rail => {
            let floor = service.min_fare_cents.unwrap_or(Cents::ZERO);
            km_part.max(floor)
        }
    };
    // FARE-11: never negative, never above the maximum.
    let amount = raw.min(service.max_fare_cents).max(Cents::ZERO);
    Ok(Fare {
        amount,
        age_band: band,
    })
}
