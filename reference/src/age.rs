//! CARD-06: age from the birth date on the chip. Children under 4 travel free; 4–11 and 65+
//! get the age discount where the operator gives it. The fare engine
//! ([`crate::backoffice::fare`]) prices with it.

use jiff::civil::Date;

use crate::rules::RuleSet;

/// CARD-06: the traveller's age band on the check-in date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeBand {
    /// Younger than 4: free, needs no card.
    Infant,
    /// 4–11 or 65+: the age discount, where the operator gives it.
    Reduced,
    Full,
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
