//! A day of taps for the back office: realistic travel days generated from arbitrary bytes,
//! the messages the readers would upload for them, and a runner that uploads them in any
//! order, with duplicates, and returns what the back office reports and settles.
//!
//! It drives the back office's day-level properties: the same result for any arrival order
//! and duplicate uploads (GBO-04, TAP-08), conservation (SET-02), idempotent settlement
//! (SET-03), fares within bounds (FARE-11) and the travel day (EMV-07). Users:
//! `tests/backoffice_properties.rs` (proptest), the fuzz oracle
//! [`crate::oracles::backoffice_day`], and `tests/golden.rs` (through [`fresh_back_office`],
//! [`upload`] and [`outcome`]).
//!
//! Pure like the rest of the reference: no I/O, no clock, no random numbers. Every choice is
//! drawn from the [`Unstructured`] bytes, so the same bytes always give the same day. When the
//! bytes run out, every further choice takes its first option (that is how `Unstructured`
//! answers), so any input, even an empty one, is a valid day.
//!
//! # What a generated day contains
//!
//! - One travel day (EMV-07) from [`DATES`]: weekdays with peaks, a Friday evening, a Sunday, a
//!   holiday, New Year's Eve and three DST nights (23- and 25-hour travel days). Every tap lies
//!   in `[end of the previous travel day, end of this one)`, so the 00:00–03:05 tail of the
//!   next date is part of it.
//! - At most [`MAX_CARDS`] cards: OV-chipkaarten (anonymous, personal with a birth date around
//!   the age limits of CARD-06, disposable) with products of the rule set, valid, expired or
//!   not yet valid; and bank cards (OVpay), in a share drawn per day.
//! - Per card at most [`MAX_TAPS_PER_CARD`] taps: rides between stations one service
//!   (operator and mode) serves (per the rule set's `served_by`), with or without check-out
//!   (JRN-07); transfers within the transfer window, exactly at it and one second after it
//!   (JRN-01); new journeys later in the day, sometimes elsewhere; cancellations and station
//!   stays at a rail station around the cancel and visit windows (JRN-04/05); a bus, tram or
//!   metro check-in and check-out at the same stop in one vehicle (JRN-06); a rail journey
//!   left open while a bus, tram or metro journey is made (JRN-09); refused OV-chipkaart taps
//!   (GBO-03 failed taps). Start times favour the peak windows, the off-peak grace edge
//!   (FARE-06), the night tail and the last minute of the travel day.
//!
//! Every boundary the generator aims at comes from the rule set (windows, peaks, ages), not
//! from numbers here; the constants below only shape the simulated travellers.

use std::collections::BTreeMap;

use arbitrary::{Result, Unstructured};
use jiff::civil::{Date, Time, date};
use jiff::{Span, Timestamp};
use serde::Serialize;

use crate::card::{CardKind, CardNumber, ProductSlot};
use crate::rules::{Mode, RuleSet, TransportClass};
use crate::tap::{CardIdentity, DeviceKind, ReaderRef, TapAmounts, TapId, TapKind, TapMessage};
use crate::time::{TravelDay, instant_of_local, local_midnight};
use smol_str::format_smolstr;

use super::report::{CsvTable, OperatorReport, ReportFile, operator_report};
use super::settle::Settlement;
use super::tokens::TokenVault;
use super::{BackOffice, BackOfficeError, CardProfile, DayView, Ingested};

/// The most cards one generated day has.
pub const MAX_CARDS: usize = 12;
/// The most taps one card makes in a generated day.
pub const MAX_TAPS_PER_CARD: usize = 10;
/// The most duplicate uploads [`upload_order`] adds.
pub const MAX_DUPLICATES: usize = 8;

/// The travel days a plan is drawn from, each with what it exercises.
pub const DATES: [(Date, &str); 9] = [
    (date(2024, 3, 4), "Monday: weekday peaks"),
    (
        date(2024, 3, 8),
        "Friday: peak until 18:30, then Weekend Vrij",
    ),
    (date(2024, 3, 10), "Sunday: off-peak all day"),
    (
        date(2024, 3, 30),
        "spring DST night in the tail: a 23-hour travel day",
    ),
    (date(2024, 4, 27), "Koningsdag: a public holiday"),
    (
        date(2024, 10, 26),
        "autumn DST night in the tail: a 25-hour travel day",
    ),
    (date(2024, 10, 28), "Monday after the DST night"),
    (
        date(2024, 12, 31),
        "New Year's Eve: the tail falls on a holiday in 2025",
    ),
    (date(2025, 3, 29), "the spring DST night of 2025"),
];

/// Shape of the simulated travellers (not rules): travel speed, dwell and waiting times.
const RAIL_S_PER_KM: i64 = 45;
const BTM_S_PER_KM: i64 = 150;
const RIDE_EXTRA_MAX_S: i64 = 600;
const SAME_STOP_MAX_S: i64 = 900;
const BTM_RIDE_MAX_M: u32 = 25_000;
const LATER_MAX_S: i64 = 4 * 3600;
const MUCH_LATER_MAX_S: i64 = 10 * 3600;
const LONG_STAY_MAX_S: i64 = 3 * 3600;
/// First OV-chipkaart number; card `i` gets a number in its own block of [`NUMBER_BLOCK`].
const OV_NUMBER_BASE: u64 = 3528_0100_0000_0000;
const NUMBER_BLOCK: u64 = 1_000_003;
/// Issuer prefixes of test ranges (Mastercard, Visa, Maestro); PANs are 16 digits.
const PAN_PREFIXES: [&str; 3] = ["541333", "476173", "670300"];
const EXPIRIES: [&str; 3] = ["2612", "2812", "3001"];
const VEHICLE_DEVICE_BASE: u32 = 500_000;

/// A day of travel: who tapped where and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DayPlan {
    pub day: TravelDay,
    pub cards: Vec<PlannedCard>,
}

/// One card and its taps, in time order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PlannedCard {
    pub card: PlannedIdentity,
    pub taps: Vec<PlannedTap>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum PlannedIdentity {
    /// With the profile the card distributor and product sellers register.
    OvChipkaart {
        number: CardNumber,
        profile: CardProfile,
    },
    /// OVpay (EMV-01: the back office tokenises the PAN at once).
    Bank {
        pan: String,
        pan_sequence: u8,
        expiry: String,
    },
}

/// One tap as the traveller meant it. What an OV-chipkaart reader records follows from the
/// card's state ([`taps`]); a bank-card tap is qualified by the back office (EMV-06).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PlannedTap {
    pub at: Timestamp,
    pub reader: ReaderRef,
    pub intent: Intent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Intent {
    CheckIn,
    CheckOut,
    /// The reader refuses the check-in (e.g. balance too low); nothing changes on the card.
    Refused,
}

/// Builds a day from bytes (see the module documentation for what it contains).
pub fn plan_from(rules: &RuleSet, u: &mut Unstructured<'_>) -> Result<DayPlan> {
    let (day, _) = *u.choose(&DATES)?;
    let world = World::new(rules, TravelDay(day));
    let ovpay_percent = *u.choose(&[0_u8, 25, 50, 75, 100])?;
    let count = u.int_in_range(1..=MAX_CARDS)?;
    let mut cards = Vec::with_capacity(count);
    for index in 0..count {
        let bank = u.int_in_range(0..=99_u8)? < ovpay_percent;
        let card = if bank {
            bank_card(u, index)?
        } else {
            ov_card(u, &world, index)?
        };
        let taps = Walk::new(&world, bank).run(u)?;
        cards.push(PlannedCard { card, taps });
    }
    Ok(DayPlan {
        day: TravelDay(day),
        cards,
    })
}

/// The messages the readers upload for a plan, in tap-time order (then tap id): the order
/// in which online readers deliver them. Tap ids are unique. OV-chipkaart taps carry what
/// the reader decides from the single check-in the chip holds: a tap at the operator and
/// transport class of the open check-in is a check-out, any other a check-in (closing the
/// open one as missing, TAP-04); a refused tap changes nothing. Bank-card taps are
/// [`TapKind::Emv`]. Amounts are zero: the back office prices journeys from the rule set.
pub fn taps(plan: &DayPlan) -> Vec<TapMessage> {
    let mut messages = Vec::new();
    let mut sequence = 0_u32;
    for card in &plan.cards {
        let identity = match &card.card {
            PlannedIdentity::OvChipkaart { number, .. } => {
                CardIdentity::OvChipkaart { number: *number }
            }
            PlannedIdentity::Bank {
                pan,
                pan_sequence,
                expiry,
            } => CardIdentity::Emv {
                pan: pan.clone(),
                pan_sequence: *pan_sequence,
                expiry: expiry.clone(),
            },
        };
        let mut open: Option<(&str, TransportClass)> = None;
        for tap in &card.taps {
            sequence += 1;
            let kind = match identity {
                CardIdentity::Emv { .. } => TapKind::Emv,
                CardIdentity::OvChipkaart { .. } => reader_kind(&mut open, tap),
            };
            messages.push(TapMessage {
                tap_id: TapId(format_smolstr!(
                    "{}-{}-{sequence:06}",
                    tap.reader.operator,
                    tap.reader.device
                )),
                reader: tap.reader.clone(),
                at: tap.at,
                card: identity.clone(),
                kind,
                amounts: TapAmounts::default(),
            });
        }
    }
    messages.sort_by(|a, b| (a.at, &a.tap_id).cmp(&(b.at, &b.tap_id)));
    messages
}

/// TAP-04: what an OV-chipkaart reader records, given the check-in open on the chip. (The
/// reader also drops a check-in left open past the end of its travel day; a plan's taps all
/// lie in one travel day, so that never happens here.)
fn reader_kind<'p>(open: &mut Option<(&'p str, TransportClass)>, tap: &'p PlannedTap) -> TapKind {
    let here = (tap.reader.operator.as_str(), tap.reader.mode.class());
    if *open == Some(here) {
        *open = None;
        TapKind::CheckOut
    } else if tap.intent == Intent::Refused {
        TapKind::Refused
    } else {
        *open = Some(here);
        TapKind::CheckIn
    }
}

/// A shuffled upload order of `count` taps and some duplicate uploads, drawn from the bytes
/// (Fisher–Yates; exhausted bytes still give a permutation).
pub fn upload_order(u: &mut Unstructured<'_>, count: usize) -> Result<(Vec<usize>, Vec<usize>)> {
    let mut order: Vec<usize> = (0..count).collect();
    for i in (1..count).rev() {
        order.swap(i, u.int_in_range(0..=i)?);
    }
    let mut duplicates = Vec::new();
    if count > 0 {
        for _ in 0..u.int_in_range(0..=MAX_DUPLICATES)? {
            duplicates.push(u.int_in_range(0..=count - 1)?);
        }
    }
    Ok((order, duplicates))
}

// ---------------------------------------------------------------------------------------------
// Running a day through the back office.

/// How the uploads were taken (GBO-04: a known tap id changes nothing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Uploads {
    pub new: usize,
    pub duplicate: usize,
}

/// One operator's report of the day, as data and as the files it is delivered in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorOutput {
    pub report: OperatorReport,
    pub json: String,
    pub csv: BTreeMap<CsvTable, String>,
}

/// What the back office made of a day, computed once the day had closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOutcome {
    pub day: TravelDay,
    pub now: Timestamp,
    pub uploads: Uploads,
    pub view: DayView,
    /// Every operator of the rule set, in rule-set order.
    pub reports: Vec<OperatorOutput>,
    pub settlement: Settlement,
    pub settlement_json: String,
    /// Whether this run settled the day (false when it had been settled before).
    pub newly_settled: bool,
}

/// A back office with the rule set's token vault (EMV-01/02) and PAN retention (EMV-17).
pub fn fresh_back_office(rules: &RuleSet) -> BackOffice {
    let vault = TokenVault::from_hex(&rules.ovpay.token_key_hex)
        .expect("a validated rule set has a 64-hex-digit token key")
        .with_retention(jiff::SignedDuration::from_hours(
            rules.ovpay.pan_retention_h.into(),
        ));
    BackOffice::new(vault)
}

/// The first instant at which `day` is closed (EMV-07): reports and settlement are computed
/// at this edge, the strictest moment.
pub fn closed_at(rules: &RuleSet, day: TravelDay) -> Timestamp {
    rules.travel_day_rule().end_of(day)
}

/// Uploads `taps` in `order` (a permutation of their indices), then the `duplicates` (indices
/// uploaded once more).
pub fn upload(
    office: &mut BackOffice,
    taps: &[TapMessage],
    order: &[usize],
    duplicates: &[usize],
) -> std::result::Result<Uploads, BackOfficeError> {
    let mut seen = vec![false; taps.len()];
    for &i in order {
        assert!(
            i < taps.len() && !seen[i],
            "order must be a permutation of 0..{}: {order:?}",
            taps.len()
        );
        seen[i] = true;
    }
    assert!(
        seen.iter().all(|&s| s),
        "order must be a permutation of 0..{}: {order:?}",
        taps.len()
    );
    let mut uploads = Uploads::default();
    for &i in order.iter().chain(duplicates) {
        let message = taps
            .get(i)
            .unwrap_or_else(|| panic!("duplicate index {i} is not a tap (of {})", taps.len()));
        match office.ingest(message.clone())? {
            Ingested::New => uploads.new += 1,
            Ingested::Duplicate => uploads.duplicate += 1,
        }
    }
    Ok(uploads)
}

/// Every operator's report and the settlement of a closed `day`, at `now`.
pub fn outcome(
    rules: &RuleSet,
    office: &mut BackOffice,
    day: TravelDay,
    now: Timestamp,
    uploads: Uploads,
) -> std::result::Result<DayOutcome, BackOfficeError> {
    let view = office.day(rules, day, now)?;
    let reports = rules
        .operators
        .iter()
        .map(|operator| {
            let report = operator_report(office, &view, &operator.id);
            OperatorOutput {
                json: report.to_json(),
                csv: report.to_csv(),
                report,
            }
        })
        .collect();
    let run = office.settle(rules, day, now)?;
    let (settlement, newly_settled) = (run.statement, run.newly_settled);
    Ok(DayOutcome {
        day,
        now,
        uploads,
        view,
        reports,
        settlement_json: settlement.to_json(),
        settlement,
        newly_settled,
    })
}

/// The back office of a plan's day: the OV-chipkaart profiles registered and the taps
/// uploaded in `order` plus `duplicates` (see [`upload`]).
pub fn load(
    rules: &RuleSet,
    plan: &DayPlan,
    order: &[usize],
    duplicates: &[usize],
) -> std::result::Result<(BackOffice, Uploads), BackOfficeError> {
    let mut office = fresh_back_office(rules);
    for card in &plan.cards {
        if let PlannedIdentity::OvChipkaart { number, profile } = &card.card {
            office.register_card(*number, profile.clone());
        }
    }
    let uploads = upload(&mut office, &taps(plan), order, duplicates)?;
    Ok((office, uploads))
}

/// Runs a plan's day: a fresh back office, the taps uploaded in `order` plus `duplicates`,
/// and every operator's report and the settlement at [`closed_at`]. An error means the back
/// office could not process taps the generator made from the rule set's own network: a bug.
pub fn run_day(
    rules: &RuleSet,
    plan: &DayPlan,
    order: &[usize],
    duplicates: &[usize],
) -> std::result::Result<DayOutcome, BackOfficeError> {
    let (mut office, uploads) = load(rules, plan, order, duplicates)?;
    outcome(
        rules,
        &mut office,
        plan.day,
        closed_at(rules, plan.day),
        uploads,
    )
}

impl DayOutcome {
    /// Every delivered file by name (`GVB/report.json`, `GVB/trips.csv`, …,
    /// `settlement.json`): what must be byte-identical whatever the upload order (GBO-04).
    pub fn files(&self) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        for output in &self.reports {
            let operator = &output.report.operator;
            files.insert(ReportFile::Json.path(operator), output.json.clone());
            for (table, text) in &output.csv {
                files.insert(ReportFile::Csv(*table).path(operator), text.clone());
            }
        }
        files.insert("settlement.json".to_string(), self.settlement_json.clone());
        files
    }

    /// SET-02: the settlement balances, and every figure reconciles to the cent: collected ==
    /// Σ operator credits == Σ journey fares; each operator's report total equals its credit
    /// and its payments.
    pub fn check_conservation(&self) -> std::result::Result<(), String> {
        let conservation = &self.settlement.conservation;
        if !conservation.balanced || conservation.collected_cents != conservation.credited_cents {
            return Err(format!("SET-02: settlement not balanced: {conservation:?}"));
        }
        let credits: i64 = self
            .settlement
            .operators
            .iter()
            .map(|o| o.credited_cents.get())
            .sum();
        let fares: i64 = self.priced().map(|(_, p)| p.fare.total.get()).sum();
        let travellers = &self.settlement.travellers;
        let charged = travellers.ov_chipkaart_cents.get() + travellers.ovpay_cents.get();
        if credits != conservation.credited_cents.get()
            || fares != conservation.collected_cents.get()
            || charged != fares
        {
            return Err(format!(
                "SET-02: Σ operator credits {credits}, Σ journey fares {fares}, travellers charged {charged}, \
                 settlement {conservation:?}"
            ));
        }
        for output in &self.reports {
            let report = &output.report;
            let credit = self
                .settlement
                .operators
                .iter()
                .find(|o| o.operator == report.operator)
                .map_or(0, |o| o.credited_cents.get());
            let trips: i64 = report.trips.iter().map(|t| t.fare_cents.get()).sum();
            let payments: i64 = report.payments.iter().map(|p| p.amount_cents.get()).sum();
            if report.total_cents.get() != credit || trips != credit || payments != credit {
                return Err(format!(
                    "SET-02: {} report total {}, trips {trips}, payments {payments}, but credited {credit}",
                    report.operator,
                    report.total_cents.get()
                ));
            }
        }
        Ok(())
    }

    /// FARE-11 / GBO-02: 0 ≤ each leg's fare, 0 ≤ total ≤ maximum, one share per leg, credited
    /// to the leg's operator, and the shares sum to the total.
    pub fn check_fares(&self) -> std::result::Result<(), String> {
        for (card, priced) in self.priced() {
            let fare = &priced.fare;
            let shares: Vec<i64> = fare.legs.iter().map(|l| l.fare.get()).collect();
            let ok = fare.total.get() >= 0
                && fare.total <= fare.maximum
                && shares.iter().all(|&s| s >= 0)
                && shares.iter().sum::<i64>() == fare.total.get()
                && fare.legs.len() == priced.journey.legs.len()
                && fare
                    .legs
                    .iter()
                    .zip(&priced.journey.legs)
                    .all(|(f, l)| f.operator == l.operator);
            if !ok {
                return Err(format!(
                    "FARE-11: card {card:?}: fare {fare:?} out of bounds or not split over the legs of {:?}",
                    priced.journey
                ));
            }
        }
        Ok(())
    }

    /// EMV-07 / GBO-01: the day holds exactly the taps that were uploaded, each in the day
    /// [`crate::time::TravelDayRule::travel_day_of`] gives it. Every check-in is the check-in
    /// of exactly one leg of the day (a journey's or a still open one); every OV-chipkaart
    /// check-out closes the leg of the check-in the chip held when the reader recorded it
    /// (TAP-04; when that check-in was on an earlier day, it is used once in some role); every
    /// bank-card tap is a leg's check-in or check-out, or a debt payment (EMV-06), never an
    /// unmatched check-out; a refused tap is used never.
    pub fn check_taps(
        &self,
        rules: &RuleSet,
        taps: &[TapMessage],
    ) -> std::result::Result<(), String> {
        let day_rule = rules.travel_day_rule();
        let mut expected: Vec<&TapId> = taps.iter().map(|t| &t.tap_id).collect();
        let mut got: Vec<&TapId> = self.view.taps.iter().map(|t| &t.tap_id).collect();
        expected.sort();
        got.sort();
        if expected != got {
            return Err(format!(
                "EMV-07: the day holds taps {got:?}, but {expected:?} were uploaded"
            ));
        }
        if let Some(t) = self
            .view
            .taps
            .iter()
            .find(|t| day_rule.travel_day_of(t.at) != self.day)
        {
            return Err(format!(
                "EMV-07: tap {} at {} is in day {:?}",
                t.tap_id.0, t.at, self.day
            ));
        }
        let uses = self.tap_uses();
        // TAP-04: the check-in the chip held when the reader recorded each check-out.
        let mut on_chip: BTreeMap<&super::CardKey, &TapId> = BTreeMap::new();
        for tap in &self.view.taps {
            let used = uses.get(&tap.tap_id).map_or(&[][..], Vec::as_slice);
            let ok = match tap.kind {
                TapKind::CheckIn => {
                    on_chip.insert(&tap.card, &tap.tap_id);
                    used == [Use::CheckIn]
                }
                TapKind::CheckOut => match on_chip.remove(&tap.card) {
                    Some(check_in) => used == [Use::CheckOut { check_in }],
                    // Checked in on an earlier travel day.
                    None => used.len() == 1,
                },
                TapKind::Emv => matches!(
                    used,
                    [Use::CheckIn | Use::CheckOut { .. } | Use::SettleDebt]
                ),
                TapKind::Refused | TapKind::MissingCheckOut => used.is_empty(),
            };
            if !ok {
                return Err(format!(
                    "GBO-01: {:?} tap {} is used as {used:?}",
                    tap.kind, tap.tap_id.0
                ));
            }
        }
        Ok(())
    }

    /// Every check of the day: conservation, fares, taps.
    pub fn check(&self, rules: &RuleSet, taps: &[TapMessage]) -> std::result::Result<(), String> {
        self.check_conservation()?;
        self.check_fares()?;
        self.check_taps(rules, taps)
    }

    fn priced(&self) -> impl Iterator<Item = (&super::CardKey, &super::PricedJourney)> {
        self.view
            .cards
            .iter()
            .flat_map(|c| c.priced.iter().map(move |p| (&c.card, p)))
    }

    /// How the day's journeys, open legs, unmatched check-outs and debt payments use each tap.
    fn tap_uses(&self) -> BTreeMap<&TapId, Vec<Use<'_>>> {
        let mut uses: BTreeMap<&TapId, Vec<Use<'_>>> = BTreeMap::new();
        for card in &self.view.cards {
            let legs = card
                .priced
                .iter()
                .flat_map(|p| &p.journey.legs)
                .chain(&card.built.open);
            for leg in legs {
                let check_in = &leg.check_in.tap_id;
                uses.entry(check_in).or_default().push(Use::CheckIn);
                if let Some(out) = &leg.check_out {
                    uses.entry(&out.tap_id)
                        .or_default()
                        .push(Use::CheckOut { check_in });
                }
            }
            for id in &card.built.unmatched {
                uses.entry(id).or_default().push(Use::Unmatched);
            }
            for id in &card.settle_debt {
                uses.entry(id).or_default().push(Use::SettleDebt);
            }
        }
        uses
    }
}

/// What the back office made of a tap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use<'a> {
    CheckIn,
    CheckOut { check_in: &'a TapId },
    Unmatched,
    SettleDebt,
}

// ---------------------------------------------------------------------------------------------
// The generator.

/// What the generator knows of the day and the network.
struct World<'r> {
    rules: &'r RuleSet,
    day: TravelDay,
    /// The first instant of the travel day (the end of the previous one).
    start: Timestamp,
    /// The travel day's length in seconds (23, 24 or 25 hours, EMV-07).
    span_s: i64,
    /// Every (operator, mode) with the stations it serves, in (operator, mode) order.
    services: Vec<Served<'r>>,
    /// Windows (seconds into the day) a card's first tap is drawn from.
    start_windows: Vec<(i64, i64)>,
    /// Shortest gap between two taps of a card: longer than any anti-passback or duplicate
    /// window (TAP-03), so every planned tap is one a reader would record.
    min_gap_s: i64,
    transfer_s: i64,
    cancel_s: i64,
    visit_s: i64,
}

struct Served<'r> {
    operator: &'r str,
    mode: Mode,
    stations: Vec<&'r str>,
}

impl<'r> World<'r> {
    fn new(rules: &'r RuleSet, day: TravelDay) -> World<'r> {
        let day_rule = rules.travel_day_rule();
        let yesterday = TravelDay(
            day.0
                .yesterday()
                .expect("generator dates are far from the minimum"),
        );
        let start = day_rule.end_of(yesterday);
        let span_s = day_rule.end_of(day).as_second() - start.as_second();
        let mut by_service: BTreeMap<(&str, Mode), Vec<&str>> = BTreeMap::new();
        for station in &rules.network.stations {
            for served in &station.served_by {
                if rules.service(&served.operator, served.mode).is_some() {
                    by_service
                        .entry((&served.operator, served.mode))
                        .or_default()
                        .push(&station.id);
                }
            }
        }
        let services = by_service
            .into_iter()
            .map(|((operator, mode), stations)| Served {
                operator,
                mode,
                stations,
            })
            .collect();
        let anti_passback_s = rules
            .operators
            .iter()
            .flat_map(|o| &o.services)
            .map(|s| s.anti_passback_s)
            .max();
        let min_gap_s = i64::from(
            anti_passback_s
                .unwrap_or(0)
                .max(rules.reader.duplicate_window_s),
        ) + 1;
        let minutes = |m: u32| i64::from(m) * 60;
        World {
            rules,
            day,
            start,
            span_s,
            services,
            start_windows: start_windows(rules, day, start, span_s),
            min_gap_s,
            transfer_s: minutes(rules.journey.transfer_window_min),
            cancel_s: minutes(rules.journey.cancel_window_min),
            visit_s: minutes(rules.journey.station_visit_free_min),
        }
    }

    fn at(&self, offset_s: i64) -> Timestamp {
        Timestamp::from_second(self.start.as_second() + offset_s)
            .expect("generator instants are in range")
    }

    /// The services at `station`, optionally of one class.
    fn services_at(&self, station: &str, class: Option<TransportClass>) -> Vec<&Served<'r>> {
        self.services
            .iter()
            .filter(|s| class.is_none_or(|c| s.mode.class() == c) && s.stations.contains(&station))
            .collect()
    }

    fn stations(&self) -> Vec<&'r str> {
        self.rules
            .network
            .stations
            .iter()
            .map(|s| s.id.as_str())
            .collect()
    }

    fn station_index(&self, id: &str) -> u32 {
        let index = self
            .rules
            .network
            .stations
            .iter()
            .position(|s| s.id == id)
            .unwrap_or(0);
        u32::try_from(index).unwrap_or(0)
    }

    fn gated(&self, id: &str) -> bool {
        self.rules.station(id).is_some_and(|s| s.gates)
    }
}

/// Where first taps start (seconds into the travel day): anywhere; each peak window
/// (FARE-05); a minute either side of each off-peak grace edge (FARE-06); the night tail after
/// local midnight (EMV-07); the last minute of the travel day.
fn start_windows(
    rules: &RuleSet,
    day: TravelDay,
    start: Timestamp,
    span_s: i64,
) -> Vec<(i64, i64)> {
    let offset = |time: Time| {
        instant_of_local(day.0.to_datetime(time))
            .ok()
            .map(|at| at.as_second() - start.as_second())
    };
    let grace_s = i64::from(rules.peak.off_peak_grace_min) * 60;
    let mut windows = vec![(0, span_s)];
    for window in &rules.peak.weekday_windows {
        if let (Some(from), Some(until)) = (offset(window.from), offset(window.until)) {
            windows.push((from, until));
            windows.push((until - grace_s - 60, until - grace_s + 60));
        }
    }
    let tomorrow = day
        .0
        .tomorrow()
        .expect("generator dates are far from the maximum");
    windows.push((
        local_midnight(tomorrow).as_second() - start.as_second(),
        span_s,
    ));
    windows.push((span_s - 60, span_s));
    windows.retain(|&(from, until)| 0 <= from && from < until && until <= span_s);
    windows
}

fn bank_card(u: &mut Unstructured<'_>, index: usize) -> Result<PlannedIdentity> {
    let prefix = u.choose(&PAN_PREFIXES)?;
    let serial = index as u64 * NUMBER_BLOCK + u.int_in_range(0..=NUMBER_BLOCK - 1)?;
    Ok(PlannedIdentity::Bank {
        pan: format!("{prefix}{serial:010}"),
        pan_sequence: u.int_in_range(0..=2)?,
        expiry: (*u.choose(&EXPIRIES)?).to_string(),
    })
}

fn ov_card(u: &mut Unstructured<'_>, world: &World<'_>, index: usize) -> Result<PlannedIdentity> {
    let serial = index as u64 * NUMBER_BLOCK + u.int_in_range(0..=NUMBER_BLOCK - 1)?;
    let number =
        CardNumber::new(OV_NUMBER_BASE + serial).expect("generated card numbers have 16 digits");
    Ok(PlannedIdentity::OvChipkaart {
        number,
        profile: ov_profile(u, world)?,
    })
}

/// An OV-chipkaart's kind, birth date and products, relative to the world's day.
fn ov_profile(u: &mut Unstructured<'_>, world: &World<'_>) -> Result<CardProfile> {
    let kind = match u.int_in_range(0..=9)? {
        0..=3 => CardKind::Anonymous,
        4..=8 => CardKind::Personal,
        _ => CardKind::Disposable,
    };
    let birth_date = match kind {
        CardKind::Personal => Some(birth_date(u, world)?),
        _ => None,
    };
    let products = products(u, world, kind)?;
    Ok(CardProfile {
        kind,
        birth_date,
        products,
    })
}

/// CARD-06: a birth date at or near an age limit of the rule set (a birthday on the day, the
/// day after, or months ago), or a plain adult.
fn birth_date(u: &mut Unstructured<'_>, world: &World<'_>) -> Result<Date> {
    let age = &world.rules.card.age;
    let ages = [
        age.free_below_age.saturating_sub(1),
        age.free_below_age,
        age.child_to_age,
        age.child_to_age.saturating_add(1),
        age.senior_from_age.saturating_sub(1),
        age.senior_from_age,
        age.child_to_age.saturating_add(age.senior_from_age) / 2,
    ];
    let years = *u.choose(&ages)?;
    let shift_days = *u.choose(&[0_i64, 1, -100])?;
    let birth = world
        .day
        .0
        .checked_sub(Span::new().years(i64::from(years)))
        .and_then(|d| d.checked_add(Span::new().days(shift_days)))
        .expect("birth dates near 2024 are in range");
    Ok(birth)
}

/// FARE-07/08, CARD-05, FARE-10: products of the rule set the card may carry — personal
/// products only on a personal card, an exclusive product alone — valid on the day, expired
/// the day before, valid until the day (so not in the night tail) or valid only from tomorrow.
fn products(
    u: &mut Unstructured<'_>,
    world: &World<'_>,
    kind: CardKind,
) -> Result<Vec<ProductSlot>> {
    let allowed: Vec<_> = world
        .rules
        .products
        .iter()
        .filter(|p| kind == CardKind::Personal || !p.personal_only)
        .collect();
    let most = match kind {
        CardKind::Personal => 2,
        CardKind::Disposable => 1,
        _ => usize::from(u.ratio(1, 3)?),
    };
    let count = if allowed.is_empty() {
        0
    } else {
        u.int_in_range(usize::from(kind == CardKind::Disposable)..=most)?
    };
    let day = world.day.0;
    let shift = |days: i64| {
        day.checked_add(Span::new().days(days))
            .expect("dates near 2024 are in range")
    };
    let mut slots: Vec<ProductSlot> = Vec::new();
    for _ in 0..count {
        let product = *u.choose(&allowed)?;
        if slots.iter().any(|s| s.code == product.code) || (product.exclusive && !slots.is_empty())
        {
            continue;
        }
        let (valid_from, valid_until) = match (kind, u.int_in_range(0..=5)?) {
            (CardKind::Disposable, _) => (day, day),
            (_, 0) => (shift(-90), shift(-1)),
            (_, 1) => (shift(-30), day),
            (_, 2) => (shift(1), shift(90)),
            _ => (shift(-30), shift(335)),
        };
        let route = product
            .benefits
            .iter()
            .find_map(|b| b.route.as_ref())
            .map(|[from, to]| [from.to_string(), to.to_string()]);
        slots.push(ProductSlot {
            code: product.code.clone(),
            valid_from,
            valid_until,
            route,
        });
        if product.exclusive {
            break;
        }
    }
    Ok(slots)
}

/// One card's day: steps (rides and the rest) separated by pauses.
struct Walk<'w, 'r> {
    world: &'w World<'r>,
    bank: bool,
    max_taps: usize,
    /// Seconds into the travel day.
    clock_s: i64,
    station: &'r str,
    taps: Vec<PlannedTap>,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Ride,
    RideWithoutCheckOut,
    Cancel,
    StationStay,
    SameStop,
    TwoAtOnce,
    Refused,
}

impl<'w, 'r> Walk<'w, 'r> {
    fn new(world: &'w World<'r>, bank: bool) -> Self {
        Walk {
            world,
            bank,
            max_taps: 0,
            clock_s: 0,
            station: "",
            taps: Vec::new(),
        }
    }

    fn run(mut self, u: &mut Unstructured<'_>) -> Result<Vec<PlannedTap>> {
        self.max_taps = u.int_in_range(1..=MAX_TAPS_PER_CARD)?;
        let (from, until) = *u.choose(&self.world.start_windows)?;
        self.clock_s = u.int_in_range(from..=until - 1)?;
        self.station = *u.choose(&self.world.stations())?;
        while !self.done() {
            self.step(u)?;
            self.pause(u)?;
        }
        Ok(self.taps)
    }

    fn done(&self) -> bool {
        self.taps.len() >= self.max_taps || self.clock_s >= self.world.span_s
    }

    fn step(&mut self, u: &mut Unstructured<'_>) -> Result<()> {
        let step = match u.int_in_range(0..=99)? {
            0..=44 => Step::Ride,
            45..=54 => Step::RideWithoutCheckOut,
            55..=64 => Step::Cancel,
            65..=71 => Step::StationStay,
            72..=80 => Step::SameStop,
            81..=91 => Step::TwoAtOnce,
            _ if self.bank => Step::Ride,
            _ => Step::Refused,
        };
        match step {
            Step::Ride => self.ride(u, None, true),
            Step::RideWithoutCheckOut => self.ride(u, None, false),
            Step::Cancel => {
                let (cancel_s, gap_s) = (self.world.cancel_s, self.world.min_gap_s);
                let stay = *u.choose(&[
                    (gap_s, cancel_s - 1),
                    (cancel_s, cancel_s),
                    (cancel_s + 1, cancel_s + 1),
                ])?;
                self.stay(u, stay)
            }
            Step::StationStay => {
                let (cancel_s, visit_s) = (self.world.cancel_s, self.world.visit_s);
                let stay = *u.choose(&[
                    (cancel_s + 1, visit_s - 1),
                    (visit_s, visit_s),
                    (visit_s + 1, visit_s + 1),
                    (visit_s + 1, LONG_STAY_MAX_S),
                ])?;
                self.stay(u, stay)
            }
            Step::SameStop => self.same_stop(u),
            Step::TwoAtOnce => self.two_at_once(u),
            Step::Refused => {
                let service = self.service_here(u, None)?;
                let vehicle = self.vehicle(u, service)?;
                let reader = self.reader(u, service, self.station, vehicle)?;
                self.tap(reader, Intent::Refused);
                Ok(())
            }
        }
    }

    /// A pause before the next step: a transfer (JRN-01: within the window, exactly at it or
    /// one second after it), a new journey later, or much later; after a long pause the
    /// traveller may be somewhere else.
    fn pause(&mut self, u: &mut Unstructured<'_>) -> Result<()> {
        let (gap_s, window_s) = (self.world.min_gap_s, self.world.transfer_s);
        let pause_s = match u.int_in_range(0..=19)? {
            0..=9 => u.int_in_range(gap_s..=window_s - 1)?,
            10 => window_s,
            11 => window_s + 1,
            12..=17 => u.int_in_range(window_s + 2..=LATER_MAX_S)?,
            _ => u.int_in_range(LATER_MAX_S..=MUCH_LATER_MAX_S)?,
        };
        self.clock_s += pause_s;
        if pause_s > window_s && u.ratio(1, 2)? {
            self.station = *u.choose(&self.world.stations())?;
        }
        Ok(())
    }

    /// A ride with one service from here to another of its stations (or here, for a service
    /// with one stop); `class` limits the service.
    fn ride(
        &mut self,
        u: &mut Unstructured<'_>,
        class: Option<TransportClass>,
        check_out: bool,
    ) -> Result<()> {
        let service = self.service_here(u, class)?;
        let from = self.station;
        let to = self.destination(u, service, from)?;
        let vehicle = self.vehicle(u, service)?;
        let reader = self.reader(u, service, from, vehicle)?;
        self.tap(reader, Intent::CheckIn);
        self.clock_s += self.ride_s(u, service.mode, from, to)?;
        self.station = to;
        if check_out {
            let reader = self.reader(u, service, to, vehicle)?;
            self.tap(reader, Intent::CheckOut);
        }
        Ok(())
    }

    /// Another station of `service`: for bus, tram and metro one within
    /// [`BTM_RIDE_MAX_M`] (or the same stop when there is none, JRN-06).
    fn destination(
        &self,
        u: &mut Unstructured<'_>,
        service: &Served<'r>,
        from: &'r str,
    ) -> Result<&'r str> {
        let rail = service.mode.class() == TransportClass::Rail;
        let near = |to: &&'r str| {
            *to != from
                && (rail
                    || self
                        .world
                        .rules
                        .distance_m(from, to)
                        .is_some_and(|m| m <= BTM_RIDE_MAX_M))
        };
        let others: Vec<&'r str> = service.stations.iter().copied().filter(near).collect();
        Ok(if others.is_empty() {
            from
        } else {
            *u.choose(&others)?
        })
    }

    /// JRN-04 / JRN-05: check-in and check-out at the same rail station, `stay` seconds apart
    /// (drawn from the inclusive range).
    fn stay(&mut self, u: &mut Unstructured<'_>, (shortest, longest): (i64, i64)) -> Result<()> {
        let service = self.service_here(u, Some(TransportClass::Rail))?;
        let station = self.station;
        let reader = self.reader(u, service, station, None)?;
        self.tap(reader, Intent::CheckIn);
        self.clock_s += u.int_in_range(shortest..=longest.max(shortest))?;
        let reader = self.reader(u, service, station, None)?;
        self.tap(reader, Intent::CheckOut);
        Ok(())
    }

    /// JRN-06: bus/tram/metro check-in and check-out at the same stop in the same vehicle.
    fn same_stop(&mut self, u: &mut Unstructured<'_>) -> Result<()> {
        let service = self.service_here(u, Some(TransportClass::BusTramMetro))?;
        let vehicle = self.vehicle(u, service)?;
        let reader = self.reader(u, service, self.station, vehicle)?;
        self.tap(reader.clone(), Intent::CheckIn);
        self.clock_s += u.int_in_range(self.world.min_gap_s..=SAME_STOP_MAX_S)?;
        self.tap(reader, Intent::CheckOut);
        Ok(())
    }

    /// JRN-09: a rail check-in, then a bus/tram/metro journey from the station (and back),
    /// then the rail ride. An OV-chipkaart reader closes the open rail check-in at the first
    /// bus tap (TAP-04); the back office keeps a bank card's rail leg open.
    fn two_at_once(&mut self, u: &mut Unstructured<'_>) -> Result<()> {
        let both: Vec<&'r str> = self
            .world
            .stations()
            .into_iter()
            .filter(|s| {
                [TransportClass::Rail, TransportClass::BusTramMetro]
                    .into_iter()
                    .all(|c| !self.world.services_at(s, Some(c)).is_empty())
            })
            .collect();
        if both.is_empty() {
            return self.ride(u, None, true);
        }
        if !both.contains(&self.station) {
            self.station = *u.choose(&both)?;
        }
        let rail = self.service_here(u, Some(TransportClass::Rail))?;
        let station = self.station;
        let reader = self.reader(u, rail, station, None)?;
        self.tap(reader, Intent::CheckIn);
        self.clock_s += u.int_in_range(self.world.min_gap_s..=self.world.transfer_s)?;
        self.ride(u, Some(TransportClass::BusTramMetro), true)?;
        if u.ratio(1, 2)? {
            self.clock_s += u.int_in_range(self.world.min_gap_s..=self.world.transfer_s)?;
            self.ride(u, Some(TransportClass::BusTramMetro), true)?;
        }
        self.station = station;
        self.clock_s += u.int_in_range(self.world.min_gap_s..=self.world.transfer_s)?;
        let to = self.destination(u, rail, station)?;
        self.clock_s += self.ride_s(u, rail.mode, station, to)?;
        self.station = to;
        let reader = self.reader(u, rail, to, None)?;
        self.tap(reader, Intent::CheckOut);
        Ok(())
    }

    /// A service at the current station (of `class`, if given); when there is none, the
    /// traveller first goes to a station that has one.
    fn service_here(
        &mut self,
        u: &mut Unstructured<'_>,
        class: Option<TransportClass>,
    ) -> Result<&'w Served<'r>> {
        let mut here = self.world.services_at(self.station, class);
        if here.is_empty() {
            let candidates: Vec<&'r str> = self
                .world
                .stations()
                .into_iter()
                .filter(|s| !self.world.services_at(s, class).is_empty())
                .collect();
            self.station = *u.choose(&candidates)?;
            here = self.world.services_at(self.station, class);
        }
        u.choose(&here).copied()
    }

    /// The vehicle of an on-board reader (bus, tram, ferry); trains and metros have station
    /// readers.
    fn vehicle(&self, u: &mut Unstructured<'_>, service: &Served<'_>) -> Result<Option<u32>> {
        Ok(match service.mode {
            Mode::Bus | Mode::Tram | Mode::Ferry => Some(u.int_in_range(1000..=9999)?),
            Mode::Train | Mode::Metro => None,
        })
    }

    fn reader(
        &self,
        u: &mut Unstructured<'_>,
        service: &Served<'_>,
        station: &str,
        vehicle: Option<u32>,
    ) -> Result<ReaderRef> {
        let (device, device_kind, vehicle) = match vehicle {
            Some(number) => (
                VEHICLE_DEVICE_BASE + number,
                DeviceKind::OnBoard,
                Some(format_smolstr!("{}-{number}", service.mode.as_str())),
            ),
            None => {
                let service_index = self
                    .world
                    .services
                    .iter()
                    .position(|s| std::ptr::eq(s, service))
                    .unwrap_or(0);
                let base = 10_000 * (self.world.station_index(station) + 1)
                    + 10 * u32::try_from(service_index).unwrap_or(0);
                let kind = if self.world.gated(station) {
                    DeviceKind::Gate
                } else {
                    DeviceKind::Pole
                };
                (base + u.int_in_range(1..=4)?, kind, None)
            }
        };
        Ok(ReaderRef {
            operator: service.operator.into(),
            mode: service.mode,
            station: station.into(),
            device,
            device_kind,
            vehicle,
        })
    }

    /// How long a ride takes: distance at the mode's speed plus dwell.
    fn ride_s(&self, u: &mut Unstructured<'_>, mode: Mode, from: &str, to: &str) -> Result<i64> {
        let km = i64::from(self.world.rules.distance_m(from, to).unwrap_or(0)) / 1000;
        let per_km = if mode == Mode::Train {
            RAIL_S_PER_KM
        } else {
            BTM_S_PER_KM
        };
        Ok(self.world.min_gap_s + km * per_km + u.int_in_range(0..=RIDE_EXTRA_MAX_S)?)
    }

    /// Records a tap if the card still may tap and the day has not ended.
    fn tap(&mut self, reader: ReaderRef, intent: Intent) {
        if !self.done() {
            self.taps.push(PlannedTap {
                at: self.world.at(self.clock_s),
                reader,
                intent,
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The traveller model for other generators.

/// The traveller model of [`plan_from`] for one travel day, for generators that choose the
/// cards themselves (the national-scale stream of [`crate::synth`]): one model of travel, so
/// the boundaries the day-level properties aim at also appear at scale.
pub struct Traveller<'r> {
    world: World<'r>,
}

impl<'r> Traveller<'r> {
    pub fn for_day(rules: &'r RuleSet, day: TravelDay) -> Traveller<'r> {
        Traveller {
            world: World::new(rules, day),
        }
    }

    /// One card's taps of the day, in time order (see the module documentation).
    pub fn walk(&self, bank: bool, u: &mut Unstructured<'_>) -> Result<Vec<PlannedTap>> {
        Walk::new(&self.world, bank).run(u)
    }

    /// An OV-chipkaart profile: kind, a birth date near an age limit, products valid around
    /// this day.
    pub fn ov_profile(&self, u: &mut Unstructured<'_>) -> Result<CardProfile> {
        ov_profile(u, &self.world)
    }
}

/// TAP-04: what an OV-chipkaart's readers record for one day of its taps, given in time order
/// (the chip's open check-in does not outlive its travel day).
pub fn reader_kinds(taps: &[PlannedTap]) -> Vec<TapKind> {
    let mut open: Option<(&str, TransportClass)> = None;
    taps.iter().map(|tap| reader_kind(&mut open, tap)).collect()
}
