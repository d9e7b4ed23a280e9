//! The journey builder (JRN-01..09): one card's taps, in tap-time order, become legs and
//! journeys.
//!
//! A *leg* is a check-in with its check-out (or none) at one operator in one mode. A
//! *journey* is a chain of legs in one transport class where every check-in follows the
//! previous check-out within the transfer window (JRN-01), inside the six-hour span of the
//! journey (JRN-02), without a change of class or of a rail operator pair that starts anew
//! (JRN-03). The builder is a pure function of the taps, so arrival order cannot matter.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::card::SpecialSetting;
use crate::rules::{Mode, OperatorId, RuleSet, SmolStr, StationId, TransportClass};
use crate::tap::TapId;
use crate::time::TravelDay;

/// A tap as the journey builder sees it: already qualified (EMV-06) and reduced to where
/// and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct QualifiedTap {
    pub tap_id: TapId,
    pub at: Timestamp,
    pub operator: OperatorId,
    pub mode: Mode,
    pub station: StationId,
    pub device: u32,
    pub vehicle: Option<SmolStr>,
    pub direction: Direction,
}

/// EMV-06: what a tap means for the journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    In,
    Out,
}

/// Where and when a leg started or ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Stop {
    pub tap_id: TapId,
    pub at: Timestamp,
    pub station: StationId,
    pub device: u32,
    pub vehicle: Option<SmolStr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum LegStatus {
    /// Checked in and out.
    Completed,
    /// JRN-07: no check-out; closed at the next check-in elsewhere or at the end of the
    /// travel day. The boarding fee stays charged.
    MissingCheckOut,
    /// JRN-04: checked out at the check-in station within the cancel window: no fare, and the
    /// leg is no part of any journey.
    Cancelled,
    /// JRN-05: a visit to a gated station within the visit window: free.
    StationVisit,
}

/// One check-in with its check-out at one operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Leg {
    pub operator: OperatorId,
    pub mode: Mode,
    pub check_in: Stop,
    pub check_out: Option<Stop>,
    pub status: LegStatus,
}

/// A chain of legs priced as one (JRN-01..03, FARE-03..05).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Journey {
    pub class: TransportClass,
    /// EMV-07: the travel day of the first check-in.
    pub travel_day: TravelDay,
    /// JRN-08: the special setting in force at the first check-in (kept for transfers).
    pub setting: SpecialSetting,
    pub legs: Vec<Leg>,
}

impl Journey {
    pub fn first_check_in(&self) -> Timestamp {
        self.legs[0].check_in.at
    }
}

/// How a check-in treats a leg that is still open (TAP-04 versus JRN-09).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum OpenLegPolicy {
    /// OV-chipkaart: the chip holds one check-in, so any check-in closes an open leg as a
    /// missing check-out (TAP-04).
    OneOpenLeg,
    /// Taps the back office qualifies itself (OVpay): one open leg per transport class, so a
    /// rail journey left open while a bus journey is made stays one rail journey (JRN-09).
    OnePerClass,
}

/// A change of special setting made at a machine before travel (JRN-08).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SettingChange {
    pub at: Timestamp,
    pub setting: SpecialSetting,
}

/// What the builder made of one card's taps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Built {
    /// Journeys in order of first check-in. Cancelled legs and station visits are journeys of
    /// their own with one leg; they never chain.
    pub journeys: Vec<Journey>,
    /// Legs still open at `now` whose travel day has not ended.
    pub open: Vec<Leg>,
    /// Check-outs that match no open leg (ignored for fares, reported as transactions).
    pub unmatched: Vec<TapId>,
}

/// Builds the journeys of one card. `taps` must be in tap-time order (then tap id); `now`
/// decides which open legs are closed as missing check-outs (EMV-07: at the end of their
/// travel day). Each tap becomes part of a leg, so they are taken, not copied.
pub fn build(
    rules: &RuleSet,
    taps: Vec<QualifiedTap>,
    settings: &[SettingChange],
    policy: OpenLegPolicy,
    now: Timestamp,
) -> Built {
    let (legs, open, unmatched) = pair_legs(rules, taps, policy, now);
    let mut journeys = chain(rules, legs);
    apply_settings(&mut journeys, settings);
    Built {
        journeys,
        open,
        unmatched,
    }
}

/// A leg with the travel day of its check-in (EMV-07), placed once when the leg opens: the
/// builder asks for the end of that day at every later tap and again when it chains.
struct DatedLeg {
    leg: Leg,
    travel_day: TravelDay,
    day_ends: Timestamp,
}

/// Pairs check-ins with check-outs into legs (JRN-04, JRN-05, JRN-07, EMV-07). Returns the
/// legs that are done in order of check-in, the legs still open and the unmatched check-outs.
fn pair_legs(
    rules: &RuleSet,
    taps: Vec<QualifiedTap>,
    policy: OpenLegPolicy,
    now: Timestamp,
) -> (Vec<DatedLeg>, Vec<Leg>, Vec<TapId>) {
    let day_rule = rules.travel_day_rule();
    // Every check-in opens a leg that ends up here (or among the open ones).
    let mut done: Vec<DatedLeg> = Vec::with_capacity(taps.len());
    let mut open: Vec<DatedLeg> = Vec::new();
    let mut unmatched = Vec::new();
    for tap in taps {
        // EMV-07: a leg still open at the end of its travel day is closed as missing.
        done.extend(
            open.extract_if(.., |open_leg| tap.at >= open_leg.day_ends)
                .map(missing),
        );
        match tap.direction {
            Direction::In => {
                let closes = |open_leg: &DatedLeg| match policy {
                    OpenLegPolicy::OneOpenLeg => true,
                    OpenLegPolicy::OnePerClass => open_leg.leg.mode.class() == tap.mode.class(),
                };
                // TAP-04 / JRN-07: the open leg becomes a missing check-out.
                done.extend(
                    open.extract_if(.., |open_leg| closes(open_leg))
                        .map(missing),
                );
                let travel_day = day_rule.travel_day_of(tap.at);
                let (operator, mode, check_in) = stop(tap);
                open.push(DatedLeg {
                    leg: Leg {
                        operator,
                        mode,
                        check_in,
                        check_out: None,
                        status: LegStatus::MissingCheckOut,
                    },
                    travel_day,
                    day_ends: day_rule.end_of(travel_day),
                });
            }
            Direction::Out => {
                let matching = open.iter().position(|open_leg| {
                    open_leg.leg.operator == tap.operator
                        && open_leg.leg.mode.class() == tap.mode.class()
                });
                match matching {
                    Some(index) => {
                        let mut closed = open.remove(index);
                        closed.leg.status = out_status(rules, &closed.leg, &tap);
                        closed.leg.check_out = Some(stop(tap).2);
                        done.push(closed);
                    }
                    None => unmatched.push(tap.tap_id),
                }
            }
        }
    }
    done.extend(
        open.extract_if(.., |open_leg| now >= open_leg.day_ends)
            .map(missing),
    );
    done.sort_by(|a, b| {
        (a.leg.check_in.at, &a.leg.check_in.tap_id)
            .cmp(&(b.leg.check_in.at, &b.leg.check_in.tap_id))
    });
    let open = open.into_iter().map(|open_leg| open_leg.leg).collect();
    (done, open, unmatched)
}

fn missing(dated: DatedLeg) -> DatedLeg {
    DatedLeg {
        leg: Leg {
            status: LegStatus::MissingCheckOut,
            check_out: None,
            ..dated.leg
        },
        ..dated
    }
}

/// A tap's operator and mode, and the stop it makes.
fn stop(tap: QualifiedTap) -> (OperatorId, Mode, Stop) {
    // Every field named: a field added to the tap must find its place (or be left out here
    // on purpose).
    let QualifiedTap {
        tap_id,
        at,
        operator,
        mode,
        station,
        device,
        vehicle,
        direction: _,
    } = tap;
    let stop = Stop {
        tap_id,
        at,
        station,
        device,
        vehicle,
    };
    (operator, mode, stop)
}

/// JRN-04 / JRN-05: what a check-out at the check-in station means. Cancellation and the free
/// visit are about stations (rail); on bus/tram/metro the same stop costs the minimum fare
/// (JRN-06), which the fare engine prices.
fn out_status(rules: &RuleSet, leg: &Leg, out: &QualifiedTap) -> LegStatus {
    if out.station != leg.check_in.station || leg.mode.class() != TransportClass::Rail {
        return LegStatus::Completed;
    }
    let stay_s = out.at.as_second() - leg.check_in.at.as_second();
    let cancel_s = i64::from(rules.journey.cancel_window_min) * 60;
    let visit_s = i64::from(rules.journey.station_visit_free_min) * 60;
    let gated = rules.station(&out.station).is_some_and(|s| s.gates);
    if stay_s <= cancel_s {
        LegStatus::Cancelled
    } else if gated && stay_s <= visit_s {
        LegStatus::StationVisit
    } else {
        LegStatus::Completed
    }
}

/// Chains legs into journeys (JRN-01, JRN-02, JRN-03, JRN-07, JRN-09). Legs are chained per
/// transport class, so legs of the other class in between do not break a journey.
fn chain(rules: &RuleSet, legs: Vec<DatedLeg>) -> Vec<Journey> {
    let mut journeys: Vec<Journey> = Vec::with_capacity(legs.len());
    // The journey each class may still continue: its index and the end of its travel day.
    let mut current: Vec<(TransportClass, usize, Timestamp)> = Vec::new();
    for DatedLeg {
        leg,
        travel_day,
        day_ends,
    } in legs
    {
        let class = leg.mode.class();
        let chainable = matches!(
            leg.status,
            LegStatus::Completed | LegStatus::MissingCheckOut
        );
        let continued = current
            .iter()
            .find(|(c, ..)| *c == class)
            .map(|&(_, index, journey_day_ends)| (index, journey_day_ends))
            .filter(|&(index, journey_day_ends)| {
                chainable && continues(rules, &journeys[index], journey_day_ends, &leg)
            });
        match continued {
            Some((index, _)) => journeys[index].legs.push(leg),
            None => {
                journeys.push(Journey {
                    class,
                    travel_day,
                    setting: SpecialSetting::None,
                    legs: vec![leg],
                });
                current.retain(|(c, ..)| *c != class);
                if chainable {
                    current.push((class, journeys.len() - 1, day_ends));
                }
            }
        }
    }
    journeys
}

/// Whether `leg` continues `journey`, whose travel day ends at `journey_day_ends`.
fn continues(rules: &RuleSet, journey: &Journey, journey_day_ends: Timestamp, leg: &Leg) -> bool {
    let Some(previous) = journey.legs.last() else {
        return false;
    };
    // JRN-07: a missing check-out closes the journey.
    let Some(out) = (previous.status == LegStatus::Completed)
        .then_some(previous.check_out.as_ref())
        .flatten()
    else {
        return false;
    };
    let gap_s = leg.check_in.at.as_second() - out.at.as_second();
    let span_s = leg.check_in.at.as_second() - journey.first_check_in().as_second();
    let j = &rules.journey;
    // JRN-01: within the transfer window after the check-out (35:00 continues, 35:01 not).
    let in_window = (0..=i64::from(j.transfer_window_min) * 60).contains(&gap_s);
    // JRN-02: no transfer after six hours since the first check-in (exactly 6 h still is).
    let in_span = span_s <= i64::from(j.max_transfer_span_min) * 60;
    let rail = leg.mode.class() == TransportClass::Rail;
    // JRN-01: for rail the next check-in must be at the check-out station.
    let same_station = !rail || leg.check_in.station == out.station;
    // JRN-03: some rail operator pairs start a new journey.
    let pair_breaks = rail
        && j.rail_new_journey_pairs.iter().any(|[a, b]| {
            (a == &previous.operator && b == &leg.operator)
                || (b == &previous.operator && a == &leg.operator)
        });
    // EMV-07: a journey belongs to one travel day; after its end (03:05) a check-in starts anew.
    let same_day = leg.check_in.at < journey_day_ends;
    in_window && in_span && same_station && !pair_breaks && same_day
}

/// JRN-08: a setting made before travel applies to the next journey (and its transfers).
fn apply_settings(journeys: &mut [Journey], settings: &[SettingChange]) {
    // Most cards have no setting: then there is nothing to order.
    if settings.is_empty() {
        return;
    }
    let mut pending: Vec<SettingChange> = settings.to_vec();
    pending.sort_by_key(|s| s.at);
    let mut order: Vec<usize> = (0..journeys.len()).collect();
    order.sort_by_key(|&i| journeys[i].first_check_in());
    for index in order {
        let first = journeys[index].first_check_in();
        // The latest setting made before this journey wins; earlier ones are superseded.
        let applicable = pending.iter().rposition(|s| s.at <= first);
        if let Some(at) = applicable {
            journeys[index].setting = pending[at].setting;
            pending.drain(..=at);
        }
    }
}
