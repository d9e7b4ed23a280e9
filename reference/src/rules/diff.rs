//! Structural differences between two rule sets: every changed parameter by its field path
//! (`journey.transfer_window_min`, `base_fares[2023].normal_cents`,
//! `operators[GVB].services[tram].km_rate_cents`), with the rule IDs it implements and what it
//! can change in a replay of taps.
//!
//! The mapping from field path to rule IDs is data ([`RULE_MAP`]), kept next to the model's
//! field docs; a test holds every top-level section of the model to an entry, so a new section
//! cannot be diffed without saying which rules it implements.

use serde::Serialize;
use serde_json::Value;

use super::model::RuleSet;

/// What a rule-set parameter can change when the same taps are replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// How taps become legs and journeys: transfers, cancellations, visits, missing check-outs.
    Grouping,
    /// Which travel day a tap or journey belongs to.
    TravelDay,
    /// What a journey costs and how its fare is shared between operators.
    Pricing,
    /// How bank cards appear in operator reports (per-operator tokens).
    Identity,
}

/// One row of [`RULE_MAP`]: the parameters under `prefix` implement `rules` and can change
/// what `effects` name (none: nothing a back-office replay of taps shows, e.g. card limits
/// that readers enforce, fees, terms).
#[derive(Debug, Clone, Copy)]
pub struct RuleMapping {
    /// A field path with array keys left out: `operators[].services[].km_rate_cents`.
    pub prefix: &'static str,
    pub rules: &'static [&'static str],
    pub effects: &'static [Effect],
}

const fn row(
    prefix: &'static str,
    rules: &'static [&'static str],
    effects: &'static [Effect],
) -> RuleMapping {
    RuleMapping {
        prefix,
        rules,
        effects,
    }
}

use Effect::{Grouping, Identity, Pricing, TravelDay};

/// Field path prefix → rule IDs, as documented on the fields of `model.rs`. The longest
/// matching prefix wins, so a section's row is the fallback for fields without a row of their
/// own.
pub const RULE_MAP: &[RuleMapping] = &[
    // FARE-02: a rule set is dated; the id and description only name it.
    row("meta", &["FARE-02"], &[]),
    row(
        "interpretations",
        &[
            "CARD-02", "EMV-07", "JRN-05", "TAP-03", "TAP-08", "FARE-11", "TAP-06",
        ],
        &[Grouping, TravelDay, Pricing],
    ),
    row("interpretations.negative-balance", &["CARD-02"], &[]),
    row(
        "interpretations.travel-day-boundary",
        &["EMV-07"],
        &[TravelDay, Grouping],
    ),
    row(
        "interpretations.journey-travel-day",
        &["EMV-07"],
        &[TravelDay, Grouping],
    ),
    row(
        "interpretations.station-visit",
        &["JRN-05"],
        &[Grouping, Pricing],
    ),
    row("interpretations.anti-passback-at-gates", &["TAP-03"], &[]),
    row(
        "interpretations.tap-order",
        &["TAP-08", "GBO-04"],
        &[Grouping],
    ),
    row("interpretations.rounding", &["FARE-11"], &[Pricing]),
    row("interpretations.auto-reload-trigger", &["TAP-06"], &[]),
    // Card limits and validity are enforced by readers and machines, not by the back office.
    row(
        "card",
        &[
            "CARD-01", "CARD-02", "CARD-04", "CARD-06", "CARD-07", "TAP-06",
        ],
        &[],
    ),
    row("card.age", &["CARD-06"], &[Pricing]),
    row("reader", &["TAP-02", "TAP-03", "TAP-09"], &[]),
    row(
        "journey",
        &["JRN-01", "JRN-02", "JRN-03", "JRN-04", "JRN-05"],
        &[Grouping],
    ),
    row("journey.transfer_window_min", &["JRN-01"], &[Grouping]),
    row("journey.max_transfer_span_min", &["JRN-02"], &[Grouping]),
    row("journey.cancel_window_min", &["JRN-04"], &[Grouping]),
    // A visit's status decides whether the minimum fare is charged.
    row(
        "journey.station_visit_free_min",
        &["JRN-05"],
        &[Grouping, Pricing],
    ),
    row("journey.rail_new_journey_pairs", &["JRN-03"], &[Grouping]),
    // EMV-07: the end of the travel day also closes open check-ins as missing (JRN-07).
    row("travel_day", &["EMV-07"], &[TravelDay, Grouping]),
    row("peak", &["FARE-05", "FARE-06"], &[Pricing]),
    row("peak.weekday_windows", &["FARE-05"], &[Pricing]),
    row("peak.off_peak_grace_min", &["FARE-06"], &[Pricing]),
    row("peak.holidays", &["FARE-05"], &[Pricing]),
    row("base_fares", &["FARE-02"], &[Pricing]),
    row("operators", &["TAP-01", "TAP-03", "FARE-01"], &[Pricing]),
    row("operators[].name", &[], &[]),
    // JRN-07: a missing check-out costs the boarding fee.
    row(
        "operators[].services[].boarding_fee_cents",
        &["TAP-01", "JRN-07"],
        &[Pricing],
    ),
    row("operators[].services[].anti_passback_s", &["TAP-03"], &[]),
    row(
        "operators[].services[].km_rate_cents",
        &["FARE-01"],
        &[Pricing],
    ),
    row(
        "operators[].services[].max_fare_cents",
        &["FARE-01", "FARE-11"],
        &[Pricing],
    ),
    row(
        "operators[].services[].min_fare_cents",
        &["JRN-05", "JRN-06"],
        &[Pricing],
    ),
    row("rail_fare", &["FARE-04"], &[Pricing]),
    row("rail_fare.first_class_factor_bp", &["JRN-08"], &[Pricing]),
    row("rail_fare.group_discount_bp", &["JRN-08"], &[Pricing]),
    row("lines", &["FARE-01"], &[Pricing]),
    row("route_fares", &["FARE-01"], &[Pricing]),
    row("boarding_fee_overrides", &["TAP-01", "FARE-10"], &[Pricing]),
    row("products", &["FARE-07", "FARE-08"], &[Pricing]),
    row("products[].name", &[], &[]),
    row("products[].personal_only", &["CARD-05"], &[]),
    row("products[].activates_balance_travel", &["TAP-09"], &[]),
    row("products[].exclusive", &["FARE-10"], &[]),
    // The payment engine (EMV-03..16) runs on its own clock; a replay reports and settles
    // fares, which these parameters do not change.
    row(
        "ovpay",
        &[
            "EMV-03", "EMV-09", "EMV-10", "EMV-13", "EMV-14", "EMV-15", "EMV-16", "EMV-17",
        ],
        &[],
    ),
    row("ovpay.token_key_hex", &["EMV-01", "EMV-02"], &[Identity]),
    row("ovpay.pan_retention_h", &["EMV-01", "EMV-17"], &[]),
    row(
        "fees",
        &["FEE-01", "FEE-02", "FEE-03", "FEE-04", "TERM-03"],
        &[],
    ),
    row(
        "terms",
        &[
            "TERM-02", "TERM-03", "TERM-04", "TERM-05", "TERM-07", "TERM-08", "TERM-12", "TERM-13",
            "TERM-15", "TERM-16",
        ],
        &[],
    ),
    // Distances price km fares and rail bands and share fares by distance (GBO-02).
    row("network", &["FARE-01", "FARE-04", "GBO-02"], &[Pricing]),
    row("network.stations[].name", &[], &[]),
    row(
        "network.stations[].gates",
        &["JRN-05"],
        &[Grouping, Pricing],
    ),
    row(
        "network.stations[].served_by",
        &["TAP-04", "FARE-04"],
        &[Pricing],
    ),
];

/// Arrays whose elements are addressed by a key field instead of their index, so that a
/// row added in the middle does not show as every later row changed.
pub(crate) const KEYED_ARRAYS: &[(&str, &str)] = &[
    ("base_fares", "year"),
    ("operators", "id"),
    ("operators[].services", "mode"),
    ("products", "code"),
    ("peak.holidays", "date"),
    ("network.stations", "id"),
    ("ovpay.thresholds", "operator"),
    ("terms.missed_check_out.max_age_overrides", "operator"),
];

/// One changed parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamChange {
    /// `journey.transfer_window_min`, `base_fares[2023].normal_cents`, `operators[GVB]`.
    pub path: String,
    /// The old value as compact JSON; `None` when the field or row is new.
    pub old: Option<String>,
    /// The new value as compact JSON; `None` when the field or row was removed.
    pub new: Option<String>,
    pub rules: Vec<&'static str>,
    pub effects: Vec<Effect>,
}

impl ParamChange {
    /// The key of the path's first array element (`2023` of `base_fares[2023].normal_cents`)
    /// when the path lies under `section`.
    pub fn key_under(&self, section: &str) -> Option<&str> {
        let rest = self.path.strip_prefix(section)?.strip_prefix('[')?;
        rest.split(']').next()
    }

    pub fn is_under(&self, section: &str) -> bool {
        self.path == section
            || self
                .path
                .strip_prefix(section)
                .is_some_and(|rest| rest.starts_with(['.', '[']))
    }
}

/// Every changed parameter of `new` against `old`, sorted by path (deterministic whatever
/// order serde_json keeps object keys in).
pub fn diff(old: &RuleSet, new: &RuleSet) -> Vec<ParamChange> {
    let old = serde_json::to_value(old).expect("a rule set serialises");
    let new = serde_json::to_value(new).expect("a rule set serialises");
    let mut changes = Vec::new();
    walk(&old, &new, &mut Path::default(), &mut changes);
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    changes
}

/// A field path twice: as shown (`operators[GVB].km`) and with array keys left out
/// (`operators[].km`) for [`RULE_MAP`] and [`KEYED_ARRAYS`].
#[derive(Default, Clone)]
struct Path {
    shown: String,
    pattern: String,
}

impl Path {
    fn field(&self, name: &str) -> Path {
        let dot = if self.shown.is_empty() { "" } else { "." };
        Path {
            shown: format!("{}{dot}{name}", self.shown),
            pattern: format!("{}{dot}{name}", self.pattern),
        }
    }

    fn element(&self, key: &str) -> Path {
        Path {
            shown: format!("{}[{key}]", self.shown),
            pattern: format!("{}[]", self.pattern),
        }
    }
}

fn walk(old: &Value, new: &Value, path: &mut Path, out: &mut Vec<ParamChange>) {
    match (old, new) {
        _ if old == new => {}
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let child = path.field(key);
                match b.get(key) {
                    Some(other) => walk(value, other, &mut child.clone(), out),
                    None => out.push(change(&child, Some(value), None)),
                }
            }
            for (key, value) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                out.push(change(&path.field(key), None, Some(value)));
            }
        }
        (Value::Array(a), Value::Array(b)) => match keyed(path, a, b) {
            Some((a, b)) => {
                for (key, value) in &a {
                    let child = path.element(key);
                    match b.iter().find(|(k, _)| k == key) {
                        Some((_, other)) => walk(value, other, &mut child.clone(), out),
                        None => out.push(change(&child, Some(value), None)),
                    }
                }
                for (key, value) in b.iter().filter(|(k, _)| a.iter().all(|(x, _)| x != k)) {
                    out.push(change(&path.element(key), None, Some(value)));
                }
            }
            None if a.len() == b.len() => {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    walk(x, y, &mut path.element(&i.to_string()), out);
                }
            }
            // Lists of plain values of another length change as a whole.
            None => out.push(change(path, Some(old), Some(new))),
        },
        _ => out.push(change(path, Some(old), Some(new))),
    }
}

/// An array's elements with their keys, in array order.
type Keyed<'v> = Vec<(String, &'v Value)>;

/// The elements of both arrays by their key field, when `path` is a keyed array and the keys
/// are unique in both.
fn keyed<'v>(path: &Path, a: &'v [Value], b: &'v [Value]) -> Option<(Keyed<'v>, Keyed<'v>)> {
    let field = KEYED_ARRAYS
        .iter()
        .find(|(p, _)| *p == path.pattern)
        .map(|(_, f)| *f)?;
    let keys = |items: &'v [Value]| -> Option<Keyed<'v>> {
        let keyed: Vec<(String, &Value)> = items
            .iter()
            .map(|v| match v.get(field)? {
                Value::String(s) => Some((s.clone(), v)),
                other => Some((other.to_string(), v)),
            })
            .collect::<Option<_>>()?;
        let mut names: Vec<&String> = keyed.iter().map(|(k, _)| k).collect();
        names.sort();
        names.dedup();
        (names.len() == keyed.len()).then_some(keyed)
    };
    Some((keys(a)?, keys(b)?))
}

fn change(path: &Path, old: Option<&Value>, new: Option<&Value>) -> ParamChange {
    let mapping = mapping_of(&path.pattern);
    ParamChange {
        path: path.shown.clone(),
        old: old.map(Value::to_string),
        new: new.map(Value::to_string),
        rules: mapping.map(|m| m.rules.to_vec()).unwrap_or_default(),
        effects: mapping.map(|m| m.effects.to_vec()).unwrap_or_default(),
    }
}

/// The [`RULE_MAP`] row of a path pattern (array keys left out): the longest prefix that ends
/// at a field or element boundary.
pub fn mapping_of(pattern: &str) -> Option<&'static RuleMapping> {
    RULE_MAP
        .iter()
        .filter(|m| {
            pattern == m.prefix
                || pattern
                    .strip_prefix(m.prefix)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        })
        .max_by_key(|m| m.prefix.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::nl_2024;

    #[test]
    fn every_top_level_section_has_a_rule_mapping() {
        let Value::Object(sections) = serde_json::to_value(nl_2024()).unwrap() else {
            panic!("a rule set serialises to a table");
        };
        for section in sections.keys() {
            assert!(
                RULE_MAP.iter().any(|m| m.prefix == section.as_str()),
                "section `{section}` has no row in RULE_MAP"
            );
        }
    }

    /// A row whose prefix names no field of the model would never match (a typo).
    #[test]
    fn every_rule_mapping_names_a_field() {
        let mut patterns = Vec::new();
        collect_patterns(&serde_json::to_value(nl_2024()).unwrap(), "", &mut patterns);
        for m in RULE_MAP {
            assert!(
                patterns.iter().any(|p| p == m.prefix),
                "RULE_MAP prefix `{}` is no field of the model",
                m.prefix
            );
        }
    }

    fn collect_patterns(value: &Value, at: &str, out: &mut Vec<String>) {
        out.push(at.to_string());
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let dot = if at.is_empty() { "" } else { "." };
                    collect_patterns(v, &format!("{at}{dot}{k}"), out);
                }
            }
            Value::Array(items) => {
                for v in items {
                    collect_patterns(v, &format!("{at}[]"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn a_rule_set_equals_itself() {
        assert_eq!(diff(&nl_2024(), &nl_2024()), Vec::new());
    }

    #[test]
    fn changes_are_named_by_path_and_rule() {
        let old = nl_2024();
        let mut new = old.clone();
        new.journey.transfer_window_min = 40;
        new.base_fares
            .iter_mut()
            .find(|b| b.year == 2023)
            .unwrap()
            .normal_cents = crate::money::Cents::new(101);
        new.operators[0].services[0].km_rate_cents += 1;
        let changes = diff(&old, &new);
        type Shown<'c> = (
            &'c str,
            Option<&'c str>,
            Option<&'c str>,
            &'c [&'static str],
        );
        let shown: Vec<Shown<'_>> = changes
            .iter()
            .map(|c| {
                (
                    c.path.as_str(),
                    c.old.as_deref(),
                    c.new.as_deref(),
                    c.rules.as_slice(),
                )
            })
            .collect();
        let operator = &old.operators[0];
        let km_path = format!(
            "operators[{}].services[{}].km_rate_cents",
            operator.id,
            operator.services[0].mode.as_str()
        );
        let km_old = operator.services[0].km_rate_cents.to_string();
        let km_new = (operator.services[0].km_rate_cents + 1).to_string();
        assert_eq!(
            shown,
            vec![
                (
                    "base_fares[2023].normal_cents",
                    Some("108"),
                    Some("101"),
                    &["FARE-02"][..]
                ),
                (
                    "journey.transfer_window_min",
                    Some("35"),
                    Some("40"),
                    &["JRN-01"][..]
                ),
                (
                    km_path.as_str(),
                    Some(km_old.as_str()),
                    Some(km_new.as_str()),
                    &["FARE-01"][..]
                ),
            ]
        );
        assert_eq!(changes[0].key_under("base_fares"), Some("2023"));
    }

    #[test]
    fn a_new_keyed_row_is_one_change() {
        let old = nl_2024();
        let mut new = old.clone();
        new.base_fares.push(crate::rules::BaseFare {
            year: 2025,
            normal_cents: crate::money::Cents::new(115),
            reduced_cents: crate::money::Cents::new(76),
        });
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, "base_fares[2025]");
        assert_eq!(changes[0].old, None);
    }
}
