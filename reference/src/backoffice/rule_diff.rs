//! What a rule change does to a fixed set of taps: the taps replayed under the old and the new
//! rule set ([`super::replay`]), compared per operator and travel day (report totals,
//! settlement credits), per journey (grouping, travel day, fare, shares) and per tap (what the
//! back office made of it), each difference explained by the changed parameters that can cause
//! it and the rule IDs they implement ([`crate::rules::diff`]).
//!
//! A journey difference is attributed by what changed: a split, merge or other change of legs
//! to the parameters that group taps into journeys, a move to another travel day to the
//! travel-day parameters, a changed fare or share to the pricing parameters — narrowed where it
//! is certain that a parameter cannot touch the journey (a base-fare row of another year or a
//! rail journey, another operator's service, a rail tariff for a bus journey). When several
//! parameters remain, all are listed; when none does, the difference is marked unexplained.
//!
//! Pure and deterministic: the same inputs give byte-identical text, markdown and JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::money::Cents;
use crate::rules::diff::{Effect, ParamChange, diff};
use crate::rules::{RuleSet, TransportClass};
use crate::tap::{CardIdentity, TapId};
use crate::time::{local, local_text};

use super::journey::LegStatus;
use super::replay::{Dataset, replay_in_order};
use super::report::TransactionKind;
use super::simulate::DayOutcome;
use super::{BackOfficeError, PricedJourney};

/// The whole comparison; serialised as the JSON `--out` writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleDiff {
    pub old_rules: String,
    pub new_rules: String,
    pub taps: usize,
    /// True when every report and settlement of every travel day is byte-identical.
    pub equal: bool,
    pub parameters: Vec<ParamChange>,
    /// Every operator and travel day with trips, transactions or a credit in either run.
    pub operator_days: Vec<OperatorDay>,
    pub journeys: Vec<JourneyChange>,
    pub taps_changed: Vec<TapChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperatorDay {
    pub travel_day: String,
    pub operator: String,
    pub old_total_cents: i64,
    pub new_total_cents: i64,
    pub delta_cents: i64,
    pub old_trips: usize,
    pub new_trips: usize,
    /// SET-01: what settlement credits the operator for the day.
    pub old_credit_cents: i64,
    pub new_credit_cents: i64,
    /// Changed journeys with a leg of this operator on this day, in either run.
    pub journeys_changed: usize,
    /// Whether the operator's report of the day is byte-identical.
    pub report_equal: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JourneyChangeKind {
    /// One journey became several (JRN-01..05).
    Split,
    /// Several journeys became one.
    Merged,
    /// Several journeys became several others.
    Regrouped,
    /// Same journey, but a leg's check-out or status changed.
    LegsChanged,
    /// Only in the new run.
    Appeared,
    /// Only in the old run.
    Disappeared,
    /// The journey belongs to another travel day (EMV-07).
    MovedDay,
    /// What the traveller pays changed.
    FareChanged,
    /// The same fare, shared differently between operators (GBO-02).
    SharesChanged,
}

impl JourneyChangeKind {
    fn needs(self) -> &'static [Effect] {
        match self {
            JourneyChangeKind::Split
            | JourneyChangeKind::Merged
            | JourneyChangeKind::Regrouped
            | JourneyChangeKind::LegsChanged
            | JourneyChangeKind::Appeared
            | JourneyChangeKind::Disappeared => &[Effect::Grouping],
            JourneyChangeKind::MovedDay => &[Effect::TravelDay],
            JourneyChangeKind::FareChanged | JourneyChangeKind::SharesChanged => &[Effect::Pricing],
        }
    }

    fn text(self) -> &'static str {
        match self {
            JourneyChangeKind::Split => "split",
            JourneyChangeKind::Merged => "merged",
            JourneyChangeKind::Regrouped => "regrouped",
            JourneyChangeKind::LegsChanged => "legs changed",
            JourneyChangeKind::Appeared => "appeared",
            JourneyChangeKind::Disappeared => "disappeared",
            JourneyChangeKind::MovedDay => "moved to another travel day",
            JourneyChangeKind::FareChanged => "fare changed",
            JourneyChangeKind::SharesChanged => "shares changed",
        }
    }
}

/// A changed journey: the old and new journeys that share taps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JourneyChange {
    /// The card number, or "bank card N" (numbered by first tap in the file; no PAN, no token).
    pub card: String,
    /// The first check-in tap of the journeys involved.
    pub first_tap: TapId,
    pub kinds: Vec<JourneyChangeKind>,
    pub old: Vec<JourneySide>,
    pub new: Vec<JourneySide>,
    /// The changed parameters that can cause this difference.
    pub explained_by: Vec<Cause>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JourneySide {
    pub travel_day: String,
    pub class: TransportClass,
    pub fare_cents: i64,
    pub legs: Vec<LegSide>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegSide {
    pub operator: String,
    pub mode: String,
    pub check_in_tap: TapId,
    pub check_in_at: String,
    pub from: String,
    pub check_out_tap: Option<TapId>,
    pub to: Option<String>,
    pub status: LegStatus,
    /// GBO-02: this leg's share of the fare.
    pub share_cents: i64,
}

/// A changed parameter named as a cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    pub path: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub rules: Vec<&'static str>,
}

/// A tap the back office files under another travel day or reads differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TapChange {
    pub tap_id: TapId,
    pub operator: String,
    pub old_day: Option<String>,
    pub new_day: Option<String>,
    pub old_kind: Option<TransactionKind>,
    pub new_kind: Option<TransactionKind>,
    pub explained_by: Vec<Cause>,
}

/// Replays `dataset` under both rule sets and compares. `old_name` and `new_name` say where
/// the rule sets came from (shown in the outputs).
pub fn compare(
    old: &RuleSet,
    old_name: &str,
    new: &RuleSet,
    new_name: &str,
    dataset: &Dataset,
) -> Result<RuleDiff, BackOfficeError> {
    let parameters = diff(old, new);
    let old_days = replay_in_order(old, dataset)?;
    let new_days = replay_in_order(new, dataset)?;
    let equal = files(&old_days) == files(&new_days);
    let labels = card_labels(dataset);
    let context = Context {
        old,
        new,
        parameters: &parameters,
    };
    let journeys = journey_changes(&context, &labels, &old_days, &new_days);
    let taps_changed = tap_changes(&context, &old_days, &new_days);
    let operator_days = operator_days(&old_days, &new_days, &journeys);
    Ok(RuleDiff {
        old_rules: old_name.to_string(),
        new_rules: new_name.to_string(),
        taps: dataset.taps.len(),
        equal,
        parameters,
        operator_days,
        journeys,
        taps_changed,
    })
}

struct Context<'a> {
    old: &'a RuleSet,
    new: &'a RuleSet,
    parameters: &'a [ParamChange],
}

fn files(days: &[DayOutcome]) -> BTreeMap<String, BTreeMap<String, String>> {
    days.iter()
        .map(|d| (d.day.0.to_string(), d.files()))
        .collect()
}

/// Card names for the outputs, from the dataset: card numbers as operators see them, bank
/// cards numbered in order of their first tap.
fn card_labels(dataset: &Dataset) -> BTreeMap<TapId, String> {
    let mut banks: Vec<(String, u8)> = Vec::new();
    dataset
        .taps
        .iter()
        .map(|tap| {
            let label = match &tap.card {
                CardIdentity::OvChipkaart { number } => number.to_string(),
                CardIdentity::Emv {
                    pan, pan_sequence, ..
                } => {
                    let key = (pan.clone(), *pan_sequence);
                    let n = match banks.iter().position(|b| *b == key) {
                        Some(i) => i + 1,
                        None => {
                            banks.push(key);
                            banks.len()
                        }
                    };
                    format!("bank card {n}")
                }
            };
            (tap.tap_id.clone(), label)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Journeys

/// Every priced journey of a run, with its travel day.
fn all_journeys(days: &[DayOutcome]) -> Vec<&PricedJourney> {
    days.iter()
        .flat_map(|d| d.view.cards.iter().flat_map(|c| &c.priced))
        .collect()
}

fn tap_ids(journey: &PricedJourney) -> impl Iterator<Item = &TapId> {
    journey.journey.legs.iter().flat_map(|leg| {
        std::iter::once(&leg.check_in.tap_id).chain(leg.check_out.as_ref().map(|s| &s.tap_id))
    })
}

fn journey_changes(
    context: &Context<'_>,
    labels: &BTreeMap<TapId, String>,
    old_days: &[DayOutcome],
    new_days: &[DayOutcome],
) -> Vec<JourneyChange> {
    let old = all_journeys(old_days);
    let new = all_journeys(new_days);
    // Old and new journeys that share a tap belong to one group (union-find over the journeys,
    // old ones first).
    let mut parent: Vec<usize> = (0..old.len() + new.len()).collect();
    let mut owner: BTreeMap<&TapId, usize> = BTreeMap::new();
    for (i, journey) in old.iter().chain(&new).enumerate() {
        for id in tap_ids(journey) {
            match owner.get(id) {
                Some(&j) => union(&mut parent, i, j),
                None => {
                    owner.insert(id, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, (Vec<&PricedJourney>, Vec<&PricedJourney>)> = BTreeMap::new();
    for i in 0..old.len() + new.len() {
        let root = find(&mut parent, i);
        let group = groups.entry(root).or_default();
        if i < old.len() {
            group.0.push(old[i]);
        } else {
            group.1.push(new[i - old.len()]);
        }
    }
    let mut changes: Vec<JourneyChange> = groups
        .into_values()
        .filter_map(|(a, b)| journey_change(context, labels, &a, &b))
        .collect();
    changes.sort_by(|a, b| {
        let first = |c: &JourneyChange| {
            c.old
                .iter()
                .chain(&c.new)
                .map(|s| s.legs[0].check_in_at.clone())
                .min()
        };
        (first(a), &a.card, &a.first_tap).cmp(&(first(b), &b.card, &b.first_tap))
    });
    changes
}

fn find(parent: &mut [usize], i: usize) -> usize {
    let mut root = i;
    while parent[root] != root {
        root = parent[root];
    }
    parent[i] = root;
    root
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (a, b) = (find(parent, a), find(parent, b));
    parent[a.max(b)] = a.min(b);
}

fn journey_change(
    context: &Context<'_>,
    labels: &BTreeMap<TapId, String>,
    old: &[&PricedJourney],
    new: &[&PricedJourney],
) -> Option<JourneyChange> {
    let old_sides: Vec<JourneySide> = old.iter().map(|j| side(j)).collect();
    let new_sides: Vec<JourneySide> = new.iter().map(|j| side(j)).collect();
    if old_sides == new_sides {
        return None;
    }
    let mut kinds = BTreeSet::new();
    match (old.len(), new.len()) {
        (0, _) => kinds.insert(JourneyChangeKind::Appeared),
        (_, 0) => kinds.insert(JourneyChangeKind::Disappeared),
        (1, 1) => {
            let shape = |s: &JourneySide| -> Vec<(TapId, Option<TapId>, LegStatus)> {
                s.legs
                    .iter()
                    .map(|l| (l.check_in_tap.clone(), l.check_out_tap.clone(), l.status))
                    .collect()
            };
            if shape(&old_sides[0]) != shape(&new_sides[0]) {
                kinds.insert(JourneyChangeKind::LegsChanged);
            }
            true
        }
        (1, _) => kinds.insert(JourneyChangeKind::Split),
        (_, 1) => kinds.insert(JourneyChangeKind::Merged),
        _ => kinds.insert(JourneyChangeKind::Regrouped),
    };
    let days = |s: &[JourneySide]| -> BTreeSet<String> {
        s.iter().map(|j| j.travel_day.clone()).collect()
    };
    if !old.is_empty() && !new.is_empty() && days(&old_sides) != days(&new_sides) {
        kinds.insert(JourneyChangeKind::MovedDay);
    }
    let total = |s: &[JourneySide]| s.iter().map(|j| j.fare_cents).sum::<i64>();
    let shares = |s: &[JourneySide]| -> BTreeMap<String, i64> {
        let mut by_operator = BTreeMap::new();
        for leg in s.iter().flat_map(|j| &j.legs) {
            *by_operator.entry(leg.operator.clone()).or_default() += leg.share_cents;
        }
        by_operator
    };
    if total(&old_sides) != total(&new_sides) {
        kinds.insert(JourneyChangeKind::FareChanged);
    } else if shares(&old_sides) != shares(&new_sides) {
        kinds.insert(JourneyChangeKind::SharesChanged);
    }
    let first = old
        .iter()
        .chain(new)
        .map(|j| &j.journey.legs[0].check_in)
        .min_by_key(|stop| (stop.at, stop.tap_id.clone()))
        .expect("a group has a journey");
    let journeys: Vec<&PricedJourney> = old.iter().chain(new).copied().collect();
    let explained_by = causes(context, &kinds, &journeys);
    Some(JourneyChange {
        card: labels.get(&first.tap_id).cloned().unwrap_or_default(),
        first_tap: first.tap_id.clone(),
        kinds: kinds.into_iter().collect(),
        old: old_sides,
        new: new_sides,
        explained_by,
    })
}

fn side(priced: &PricedJourney) -> JourneySide {
    let journey = &priced.journey;
    JourneySide {
        travel_day: journey.travel_day.0.to_string(),
        class: journey.class,
        fare_cents: priced.fare.total.get(),
        legs: journey
            .legs
            .iter()
            .zip(&priced.fare.legs)
            .map(|(leg, share)| LegSide {
                operator: leg.operator.to_string(),
                mode: leg.mode.as_str().to_string(),
                check_in_tap: leg.check_in.tap_id.clone(),
                check_in_at: local_text(leg.check_in.at),
                from: leg.check_in.station.to_string(),
                check_out_tap: leg.check_out.as_ref().map(|s| s.tap_id.clone()),
                to: leg.check_out.as_ref().map(|s| s.station.to_string()),
                status: leg.status,
                share_cents: share.fare.get(),
            })
            .collect(),
    }
}

/// The changed parameters whose effects include what `kinds` need and that can touch one of
/// `journeys`.
fn causes(
    context: &Context<'_>,
    kinds: &BTreeSet<JourneyChangeKind>,
    journeys: &[&PricedJourney],
) -> Vec<Cause> {
    let needed: BTreeSet<Effect> = kinds.iter().flat_map(|k| k.needs()).copied().collect();
    context
        .parameters
        .iter()
        .filter(|p| p.effects.iter().any(|e| needed.contains(e)))
        .filter(|p| {
            // Narrowing applies to pricing only: a grouping or travel-day parameter can move
            // any journey.
            let structural = p
                .effects
                .iter()
                .any(|e| matches!(e, Effect::Grouping | Effect::TravelDay) && needed.contains(e));
            structural || journeys.iter().any(|j| can_price(context, p, j))
        })
        .map(cause)
        .collect()
}

fn cause(p: &ParamChange) -> Cause {
    Cause {
        path: p.path.clone(),
        old: p.old.clone(),
        new: p.new.clone(),
        rules: p.rules.clone(),
    }
}

/// Whether a pricing parameter can change this journey's fare or shares, as far as is certain
/// from the path alone; `true` when in doubt.
fn can_price(context: &Context<'_>, p: &ParamChange, priced: &PricedJourney) -> bool {
    let journey = &priced.journey;
    let btm = journey.class == TransportClass::BusTramMetro;
    if let Some(year) = p.key_under("base_fares") {
        // FARE-02: only bus/tram/metro journeys pay a base fare, that of the row in force in
        // the year of their first check-in.
        let first_year = local(journey.first_check_in()).date().year();
        let row_year = |rules: &RuleSet| rules.base_fare(first_year).map(|b| b.year.to_string());
        return btm
            && (row_year(context.old).as_deref() == Some(year)
                || row_year(context.new).as_deref() == Some(year));
    }
    if p.is_under("base_fares") {
        return btm;
    }
    if p.is_under("rail_fare") {
        return !btm;
    }
    if p.is_under("lines") || p.is_under("route_fares") {
        return btm;
    }
    if let Some(operator) = p.key_under("operators") {
        return journey.legs.iter().any(|leg| leg.operator == operator);
    }
    if let Some(code) = p.key_under("products") {
        return priced.fare.product.as_deref() == Some(code);
    }
    true
}

// ---------------------------------------------------------------------------------------------
// Taps

fn tap_meanings(days: &[DayOutcome]) -> BTreeMap<TapId, (String, String, TransactionKind)> {
    let mut meanings = BTreeMap::new();
    for day in days {
        for output in &day.reports {
            for line in &output.report.transactions {
                meanings.insert(
                    line.tap_id.clone(),
                    (
                        output.report.operator.clone(),
                        day.day.0.to_string(),
                        line.kind,
                    ),
                );
            }
        }
    }
    meanings
}

fn tap_changes(
    context: &Context<'_>,
    old_days: &[DayOutcome],
    new_days: &[DayOutcome],
) -> Vec<TapChange> {
    let old = tap_meanings(old_days);
    let new = tap_meanings(new_days);
    let ids: BTreeSet<&TapId> = old.keys().chain(new.keys()).collect();
    ids.into_iter()
        .filter_map(|id| {
            let (a, b) = (old.get(id), new.get(id));
            if a == b {
                return None;
            }
            let day_changed = a.map(|x| &x.1) != b.map(|x| &x.1);
            let kind_changed = a.map(|x| x.2) != b.map(|x| x.2);
            let explained_by = context
                .parameters
                .iter()
                .filter(|p| {
                    p.effects.iter().any(|e| {
                        (day_changed && *e == Effect::TravelDay)
                            || (kind_changed && *e == Effect::Grouping)
                    })
                })
                .map(cause)
                .collect();
            Some(TapChange {
                tap_id: id.clone(),
                operator: a.or(b).map(|x| x.0.clone()).unwrap_or_default(),
                old_day: a.map(|x| x.1.clone()),
                new_day: b.map(|x| x.1.clone()),
                old_kind: a.map(|x| x.2),
                new_kind: b.map(|x| x.2),
                explained_by,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Operators × travel days

#[derive(Default)]
struct Figures {
    total: i64,
    trips: usize,
    credit: i64,
    json: Option<String>,
    active: bool,
}

fn figures(days: &[DayOutcome]) -> BTreeMap<(String, String), Figures> {
    let mut out: BTreeMap<(String, String), Figures> = BTreeMap::new();
    for day in days {
        let date = day.day.0.to_string();
        for output in &day.reports {
            let report = &output.report;
            let f = out
                .entry((date.clone(), report.operator.clone()))
                .or_default();
            f.total = report.total_cents.get();
            f.trips = report.trips.len();
            f.json = Some(output.json.clone());
            f.active |= !report.trips.is_empty() || !report.transactions.is_empty();
        }
        for credit in &day.settlement.operators {
            let f = out
                .entry((date.clone(), credit.operator.clone()))
                .or_default();
            f.credit = credit.credited_cents.get();
            f.active |= credit.credited_cents != Cents::ZERO || credit.trips > 0;
        }
    }
    out
}

fn operator_days(
    old_days: &[DayOutcome],
    new_days: &[DayOutcome],
    journeys: &[JourneyChange],
) -> Vec<OperatorDay> {
    let old = figures(old_days);
    let new = figures(new_days);
    let none = Figures::default();
    let keys: BTreeSet<&(String, String)> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let (a, b) = (old.get(key).unwrap_or(&none), new.get(key).unwrap_or(&none));
            if !a.active && !b.active {
                return None;
            }
            let (day, operator) = key;
            let journeys_changed = journeys
                .iter()
                .filter(|j| {
                    j.old.iter().chain(&j.new).any(|s| {
                        &s.travel_day == day && s.legs.iter().any(|l| &l.operator == operator)
                    })
                })
                .count();
            Some(OperatorDay {
                travel_day: day.clone(),
                operator: operator.clone(),
                old_total_cents: a.total,
                new_total_cents: b.total,
                delta_cents: b.total - a.total,
                old_trips: a.trips,
                new_trips: b.trips,
                old_credit_cents: a.credit,
                new_credit_cents: b.credit,
                journeys_changed,
                report_equal: a.json == b.json,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// Cents as euros with two decimals and a sign when asked: `1.08`, `-0.07`, `+0.40`.
fn euros(cents: i64, signed: bool) -> String {
    let sign = if cents < 0 {
        "-"
    } else if signed && cents > 0 {
        "+"
    } else {
        ""
    };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn value(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("(absent)")
}

fn cause_text(c: &Cause) -> String {
    let rules = if c.rules.is_empty() {
        "no rule".to_string()
    } else {
        c.rules.join(", ")
    };
    format!(
        "{}: {} → {} [{rules}]",
        c.path,
        value(&c.old),
        value(&c.new)
    )
}

impl RuleDiff {
    /// The operator-days whose figures or report changed.
    pub fn changed_operator_days(&self) -> impl Iterator<Item = &OperatorDay> {
        self.operator_days.iter().filter(|d| {
            !d.report_equal || d.old_credit_cents != d.new_credit_cents || d.journeys_changed > 0
        })
    }

    /// The verdict line: `EQUAL` or `DIFFERENT` with counts.
    pub fn verdict(&self) -> String {
        if self.equal {
            format!(
                "EQUAL: every report and settlement of the {} taps is the same under both rule sets",
                self.taps
            )
        } else {
            format!(
                "DIFFERENT: {} journey change(s), {} tap(s) read differently, {} operator-day(s) changed",
                self.journeys.len(),
                self.taps_changed.len(),
                self.changed_operator_days().count()
            )
        }
    }

    /// The text report `ovcert diff-rules` prints.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "ovcert diff-rules: {} → {}",
            self.old_rules, self.new_rules
        );
        let _ = writeln!(out, "taps replayed: {}", self.taps);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "rule-set parameters changed: {}",
            self.parameters.len()
        );
        for p in &self.parameters {
            let _ = writeln!(out, "  {}", cause_text(&cause(p)));
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "operators × travel days (euros):");
        let _ = writeln!(
            out,
            "  {:<10}  {:<6}  {:>9}  {:>9}  {:>8}  {:>10}  {:>10}  {:>8}",
            "day", "op", "old total", "new total", "delta", "old credit", "new credit", "journeys"
        );
        for d in &self.operator_days {
            let _ = writeln!(
                out,
                "  {:<10}  {:<6}  {:>9}  {:>9}  {:>8}  {:>10}  {:>10}  {:>8}",
                d.travel_day,
                d.operator,
                euros(d.old_total_cents, false),
                euros(d.new_total_cents, false),
                euros(d.delta_cents, true),
                euros(d.old_credit_cents, false),
                euros(d.new_credit_cents, false),
                d.journeys_changed
            );
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "journeys changed: {}", self.journeys.len());
        for j in &self.journeys {
            let kinds: Vec<&str> = j.kinds.iter().map(|k| k.text()).collect();
            let _ = writeln!(
                out,
                "- {}, first check-in {}: {}",
                j.card,
                j.first_tap.0,
                kinds.join(", ")
            );
            for (label, sides) in [("old", &j.old), ("new", &j.new)] {
                if sides.is_empty() {
                    let _ = writeln!(out, "    {label}: (none)");
                }
                for s in sides {
                    let _ = writeln!(
                        out,
                        "    {label}: travel day {}, fare {}",
                        s.travel_day,
                        euros(s.fare_cents, false)
                    );
                    for l in &s.legs {
                        let _ = writeln!(
                            out,
                            "      {} {} {} {} → {} {}, {}, share {}",
                            l.operator,
                            l.mode,
                            l.check_in_at,
                            l.from,
                            l.to.as_deref().unwrap_or("?"),
                            l.check_out_tap.as_ref().map_or("(no check-out)", |t| &t.0),
                            status_text(l.status),
                            euros(l.share_cents, false)
                        );
                    }
                }
            }
            explanation(&mut out, "    ", &j.explained_by);
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "taps read differently: {}", self.taps_changed.len());
        for t in &self.taps_changed {
            let _ = writeln!(
                out,
                "- {} ({}): {} {} → {} {}",
                t.tap_id.0,
                t.operator,
                t.old_day.as_deref().unwrap_or("-"),
                kind_text(t.old_kind),
                t.new_day.as_deref().unwrap_or("-"),
                kind_text(t.new_kind)
            );
            explanation(&mut out, "    ", &t.explained_by);
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", self.verdict());
        out
    }

    /// The markdown summary `--out` writes: parameters, the operators × days table and one
    /// line per changed journey.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Rule change: {} → {}\n",
            self.old_rules, self.new_rules
        );
        let _ = writeln!(out, "{}\n", self.verdict());
        let _ = writeln!(out, "## Parameters\n");
        let _ = writeln!(out, "| parameter | old | new | rules |\n|---|---|---|---|");
        for p in &self.parameters {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                p.path,
                md(value(&p.old)),
                md(value(&p.new)),
                p.rules.join(", ")
            );
        }
        let _ = writeln!(out, "\n## Operators × travel days (euros)\n");
        let _ = writeln!(
            out,
            "| travel day | operator | old total | new total | delta | old credit | new credit | journeys changed |\n|---|---|--:|--:|--:|--:|--:|--:|"
        );
        for d in &self.operator_days {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                d.travel_day,
                d.operator,
                euros(d.old_total_cents, false),
                euros(d.new_total_cents, false),
                euros(d.delta_cents, true),
                euros(d.old_credit_cents, false),
                euros(d.new_credit_cents, false),
                d.journeys_changed
            );
        }
        let _ = writeln!(out, "\n## Journeys changed ({})\n", self.journeys.len());
        for j in &self.journeys {
            let kinds: Vec<&str> = j.kinds.iter().map(|k| k.text()).collect();
            let fare = |s: &[JourneySide]| euros(s.iter().map(|x| x.fare_cents).sum(), false);
            let because: Vec<String> = j
                .explained_by
                .iter()
                .map(|c| format!("`{}` ({})", c.path, c.rules.join(", ")))
                .collect();
            let _ = writeln!(
                out,
                "- {} `{}`: {}; {} journey(s) {} → {} journey(s) {}; because {}",
                j.card,
                j.first_tap.0,
                kinds.join(", "),
                j.old.len(),
                fare(&j.old),
                j.new.len(),
                fare(&j.new),
                if because.is_empty() {
                    "UNEXPLAINED: no changed parameter can cause this".to_string()
                } else {
                    because.join(" or ")
                }
            );
        }
        out
    }

    /// The JSON `--out` writes: the whole comparison, two-space indent, trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("plain data serialises");
        text.push('\n');
        text
    }
}

fn md(text: &str) -> String {
    text.replace('|', "\\|")
}

fn explanation(out: &mut String, indent: &str, causes: &[Cause]) {
    match causes {
        [] => {
            let _ = writeln!(
                out,
                "{indent}UNEXPLAINED: no changed parameter can cause this"
            );
        }
        [one] => {
            let _ = writeln!(out, "{indent}because {}", cause_text(one));
        }
        many => {
            let _ = writeln!(
                out,
                "{indent}because one or more of ({} changed parameters can cause this):",
                many.len()
            );
            for c in many {
                let _ = writeln!(out, "{indent}  {}", cause_text(c));
            }
        }
    }
}

fn status_text(status: LegStatus) -> &'static str {
    match status {
        LegStatus::Completed => "completed",
        LegStatus::MissingCheckOut => "missing check-out",
        LegStatus::Cancelled => "cancelled",
        LegStatus::StationVisit => "station visit",
    }
}

fn kind_text(kind: Option<TransactionKind>) -> &'static str {
    match kind {
        None => "(absent)",
        Some(TransactionKind::CheckIn) => "check-in",
        Some(TransactionKind::CheckOut) => "check-out",
        Some(TransactionKind::Failed) => "failed",
        Some(TransactionKind::SettleDebt) => "settle-debt",
        Some(TransactionKind::Unmatched) => "unmatched check-out",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::nl_2024;

    #[test]
    fn no_taps_no_difference() {
        let rules = nl_2024();
        let mut new = rules.clone();
        new.journey.transfer_window_min = 40;
        let result = compare(&rules, "old", &new, "new", &Dataset::default()).unwrap();
        assert!(result.equal);
        assert_eq!(result.parameters.len(), 1);
        assert!(result.journeys.is_empty());
    }

    #[test]
    fn euros_are_signed_on_request() {
        assert_eq!(euros(-7, true), "-0.07");
        assert_eq!(euros(108, false), "1.08");
        assert_eq!(euros(40, true), "+0.40");
        assert_eq!(euros(0, true), "0.00");
    }
}
