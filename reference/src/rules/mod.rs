//! Rule sets as data: every parameter RULES.md names, loaded from a dated TOML file.
//!
//! The model here is what the rest of the reference reads; [`load`] parses and validates a
//! file into it. Field names carry their unit (`_cents`, `_s`, `_min`, `_m`). Each field's doc
//! names the rule ID it implements, so `grep TAP-03` finds the parameter too.

pub mod diff;
mod load;
mod model;
pub mod overlay;
pub mod tables;

pub use load::{RuleSetError, load_str};
pub use model::*;

/// The rule set in force from 1 January 2024, compiled into the binary.
pub const NL_2024_TOML: &str = include_str!("../../rules/nl-2024.toml");

/// The embedded `nl-2024` rule set, already validated.
pub fn nl_2024() -> RuleSet {
    load_str("reference/rules/nl-2024.toml", NL_2024_TOML)
        .expect("the embedded nl-2024 rule set is valid (tested)")
}
