//! The validated rule-set model. Ids of operators, stations and products are strings as
//! written in the TOML file; validation guarantees every reference resolves.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::OnceLock;

use jiff::civil::{Date, Time, Weekday};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
pub use smol_str::SmolStr;

use crate::money::{Cents, Discount};
use crate::time::{TravelDayBoundary, TravelDayRule};

/// Operator code as on cards and tap messages: at most 6 ASCII letters ("NS", "GVB", "ARR").
/// Kept inline: every tap, leg and report line names one, and copying must not allocate.
pub type OperatorId = SmolStr;
/// Station or stop code: at most 8 ASCII letters, digits or '-' ("asd", "ut", "dam"); inline
/// like [`OperatorId`].
pub type StationId = SmolStr;
/// Product code: at most 15 ASCII letters, digits or '-' ("dal-voordeel").
pub type ProductCode = String;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub meta: Meta,
    pub interpretations: Interpretations,
    pub card: CardRules,
    pub reader: ReaderRules,
    pub journey: JourneyRules,
    pub travel_day: TravelDayRules,
    pub peak: PeakRules,
    /// FARE-02: base fare (opstaptarief) per year, normal and 34 % reduced.
    pub base_fares: Vec<BaseFare>,
    pub operators: Vec<Operator>,
    /// FARE-04: the rail tariff of a journey (degressive bands, base, maximum, JRN-08 settings).
    pub rail_fare: RailFareRules,
    /// FARE-01: bus/tram/metro lines with their own km rate ("per regio of verbinding").
    #[serde(default)]
    pub lines: Vec<Line>,
    /// FARE-01: fixed fares on some bus/tram/metro routes, per direction.
    #[serde(default)]
    pub route_fares: Vec<RouteFare>,
    /// TAP-01 / FARE-10: boarding fees that differ by card kind or product.
    #[serde(default)]
    pub boarding_fee_overrides: Vec<BoardingFeeOverride>,
    /// FARE-07 / FARE-08.
    pub products: Vec<Product>,
    pub ovpay: OvpayRules,
    pub fees: FeeRules,
    /// TERM-01..16: the general terms' deadlines and limits.
    pub terms: TermsRules,
    pub network: Network,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub id: String,
    /// FARE-02: a rule set applies to journeys whose first check-in is on or after this date.
    pub valid_from: Date,
    pub description: String,
}

/// Every place where RULES.md states an interpretation, as a named switch.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Interpretations {
    /// CARD-02: how the balance may go below zero.
    pub negative_balance: NegativeBalance,
    /// EMV-07: where the 03:05 boundary lies on DST nights.
    pub travel_day_boundary: TravelDayBoundary,
    /// EMV-07: which travel day a journey belongs to.
    pub journey_travel_day: JourneyTravelDay,
    /// JRN-05: what a stay of 35–60 minutes at a gated station costs.
    pub station_visit: StationVisit,
    /// TAP-03: whether the anti-passback window also applies at gates (a gate opens once per
    /// tap, so by default only the NS 15 s duplicate window applies there).
    pub anti_passback_at_gates: bool,
    /// TAP-08 / GBO-04: how the back office orders taps that arrive late or twice.
    pub tap_order: TapOrder,
    /// FARE-11: the rounding rule for percentage discounts and km fares.
    pub rounding: Rounding,
    /// TAP-06: when an auto-reload is triggered.
    pub auto_reload_trigger: AutoReloadTrigger,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum NegativeBalance {
    /// Only a boarding fee at check-in or a fare at check-out may take the balance below
    /// zero; a later load first clears the deficit.
    FaresOnly,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum JourneyTravelDay {
    /// A journey belongs to the travel day of its first check-in; a journey still open at the
    /// end of that day is closed as a missing check-out.
    FirstCheckIn,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum StationVisit {
    /// 35–60 minutes at a gated station is a free visit; beyond the visit window the
    /// operator's minimum fare is charged.
    FreeUpToVisitWindow,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TapOrder {
    /// Taps are ordered by their time on the reader, then tap id; arrival order is ignored.
    ByTapTime,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Rounding {
    /// Half away from zero to whole cents ([`Cents::after_discount`], [`Cents::per_km`]).
    HalfUp,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum AutoReloadTrigger {
    /// Reload once when the balance after the boarding fee (check-in) or after settling
    /// the fare (check-out) would be below zero.
    BalanceWouldGoNegative,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CardRules {
    /// CARD-02: the balance never exceeds this after a load.
    pub max_balance_cents: Cents,
    /// CARD-02: the lowest balance a load or refund may leave (€0).
    pub min_balance_cents: Cents,
    /// CARD-07: the most one load may add.
    pub max_load_cents: Cents,
    /// CARD-04: validity of a personal card.
    pub personal_validity_years: u8,
    /// CARD-04: validity of an anonymous card (4–5 years; default 5).
    pub anonymous_validity_years: u8,
    /// CARD-01: validity of a disposable card's travel right, in days from issue.
    pub disposable_validity_days: u16,
    /// TAP-06: the amounts an auto-reload may be set to.
    pub auto_reload_amounts_cents: Vec<Cents>,
    /// CARD-06: age discount and free travel by age.
    pub age: AgeRules,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AgeRules {
    /// CARD-06: children younger than this travel free and need no card.
    pub free_below_age: u8,
    /// CARD-06: the age discount (3400 = 34 %).
    pub discount_bp: u32,
    pub child_from_age: u8,
    pub child_to_age: u8,
    pub senior_from_age: u8,
    /// CARD-06: operators that give no age discount on balance (NS).
    pub excluded_operators: Vec<OperatorId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReaderRules {
    /// TAP-02: minimum balance to check in = boarding fee − this offset (€4).
    pub min_balance_offset_cents: Cents,
    /// TAP-03: at these operators the same card is not processed twice within
    /// `duplicate_window_s` at the same pole or gate.
    pub duplicate_window_operators: Vec<OperatorId>,
    pub duplicate_window_s: u32,
    /// TAP-09: operators at which balance travel needs an activated card.
    pub activation_required_operators: Vec<OperatorId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct JourneyRules {
    /// JRN-01: a check-in within this time after a check-out continues the journey.
    pub transfer_window_min: u32,
    /// JRN-02: no transfer after this time since the journey's first check-in.
    pub max_transfer_span_min: u32,
    /// JRN-04: check-out at the same station within this time cancels the check-in.
    pub cancel_window_min: u32,
    /// JRN-05: a visit to a gated station within this time is free.
    pub station_visit_free_min: u32,
    /// JRN-03: rail operator pairs between which a transfer starts a new journey.
    #[serde(default)]
    pub rail_new_journey_pairs: Vec<[OperatorId; 2]>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TravelDayRules {
    /// EMV-07: the travel day ends at this local time on the next date (03:05).
    pub end_local: Time,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PeakRules {
    /// FARE-05: weekday peak windows, local time, [from, until).
    pub weekday_windows: Vec<TimeWindow>,
    /// FARE-06: a check-in this many minutes before a peak window ends counts as off-peak.
    pub off_peak_grace_min: u32,
    /// FARE-05: public holidays (off-peak all day), 2024–2026.
    pub holidays: Vec<Holiday>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    pub from: Time,
    pub until: Time,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub date: Date,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BaseFare {
    pub year: i16,
    pub normal_cents: Cents,
    pub reduced_cents: Cents,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Train,
    Bus,
    Tram,
    Metro,
    Ferry,
}

/// JRN-03: train is one transport class, bus/tram/metro/ferry the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TransportClass {
    Rail,
    BusTramMetro,
}

impl Mode {
    pub const ALL: [Mode; 5] = [Mode::Train, Mode::Bus, Mode::Tram, Mode::Metro, Mode::Ferry];

    pub fn class(self) -> TransportClass {
        match self {
            Mode::Train => TransportClass::Rail,
            Mode::Bus | Mode::Tram | Mode::Metro | Mode::Ferry => TransportClass::BusTramMetro,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Train => "train",
            Mode::Bus => "bus",
            Mode::Tram => "tram",
            Mode::Metro => "metro",
            Mode::Ferry => "ferry",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Operator {
    pub id: OperatorId,
    pub name: String,
    pub services: Vec<Service>,
}

/// FARE-04: the rail tariff, applied to the total distance of a rail journey across rail
/// operators (seed 003: "Met de LAK wordt het degressief tarief ook toegepast op niet
/// NS-treinen").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RailFareRules {
    /// FARE-04: added once per rail journey, before the km bands.
    pub base_cents: Cents,
    /// FARE-04: the degressive km rate: ascending, contiguous bands from 0 km; only the last
    /// band is open-ended.
    pub bands: Vec<RailBand>,
    /// FARE-04 / FARE-11: the most one rail journey costs in second class; once reached,
    /// further legs of the journey are free.
    pub max_fare_cents: Cents,
    /// JRN-08: a first-class journey costs the second-class fare × this factor
    /// (10000 = the same, 17000 = 1.7 ×); the maximum scales with it.
    pub first_class_factor_bp: u32,
    /// JRN-08: the group discount (samenreiskorting) on the rail fare (4000 = 40 %).
    pub group_discount_bp: u32,
}

/// FARE-04: one band of the degressive rail tariff: the km of the journey's total distance
/// from `from_km` up to `to_km` cost `cents_per_km` each.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RailBand {
    pub from_km: u32,
    /// `None` for the last, open-ended band.
    #[serde(default)]
    pub to_km: Option<u32>,
    pub cents_per_km: u32,
}

/// FARE-01: a bus/tram/metro line with its own km rate. A leg whose check-in and check-out
/// stops both lie on the line is priced at this rate (first matching line in file order).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub operator: OperatorId,
    pub mode: Mode,
    pub name: String,
    /// FARE-01: cents per km on top of the base fare on this line.
    pub km_rate_cents: u32,
    /// The stops of the line, at least two, in line order.
    pub stops: Vec<StationId>,
}

/// FARE-01: a fixed fare (base fare plus km fare) from one stop to another with one
/// operator and mode. Directional: the way back is a separate row and may differ.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RouteFare {
    pub operator: OperatorId,
    pub mode: Mode,
    pub from: StationId,
    pub to: StationId,
    pub fare_cents: Cents,
}

/// One operator's service in one mode: what its readers charge and wait.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub mode: Mode,
    /// TAP-01: the deposit taken at check-in (bus/tram/metro €4–€10, train €10–€20).
    pub boarding_fee_cents: Cents,
    /// TAP-03: a second tap at the same reader within this window is not a check-out/in.
    pub anti_passback_s: u32,
    /// FARE-01: fare per km on top of the base fare, in cents, where no line rate
    /// ([`Line`]) or fixed route fare ([`RouteFare`]) applies. Rail: the reader's check-out
    /// rate; the back office prices rail journeys with [`RailFareRules`].
    pub km_rate_cents: u32,
    /// FARE-01 / FARE-11: the most one journey with this service costs (bus/tram/metro: the
    /// first leg's service caps the journey; rail: the reader's cap for one leg).
    pub max_fare_cents: Cents,
    /// JRN-05 / JRN-06: the minimum fare (for BTM: the base fare of the year applies instead
    /// when `None`).
    #[serde(default)]
    pub min_fare_cents: Option<Cents>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CardKindRule {
    Anonymous,
    Personal,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BoardingFeeOverride {
    pub operator: Option<OperatorId>,
    pub mode: Option<Mode>,
    /// Applies when the card carries this product...
    pub product: Option<ProductCode>,
    /// ...or is of this kind.
    pub card_kind: Option<CardKindRule>,
    pub boarding_fee_cents: Cents,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ProductScope {
    Rail,
    BusTramMetro,
    All,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub code: ProductCode,
    pub name: String,
    pub scope: ProductScope,
    /// CARD-05: subscriptions and personal discounts only on personal cards.
    pub personal_only: bool,
    /// FARE-08: when products conflict the higher priority applies.
    pub priority: u32,
    /// TAP-09: loading this product activates balance travel at NS.
    #[serde(default)]
    pub activates_balance_travel: bool,
    /// FARE-10: not combinable with other products.
    #[serde(default)]
    pub exclusive: bool,
    /// FARE-07: benefits by check-in time; the largest applicable discount wins.
    pub benefits: Vec<Benefit>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Benefit {
    pub when: BenefitTime,
    pub discount_bp: u32,
    /// For `when = "weekly-window"`: from (weekday, time) ...
    #[serde(default)]
    pub from: Option<WeeklyInstant>,
    /// ... until (weekday, time), wrapping over the week end.
    #[serde(default)]
    pub until: Option<WeeklyInstant>,
    /// Traject Vrij: the benefit applies only between these two stations.
    #[serde(default)]
    pub route: Option<[StationId; 2]>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum BenefitTime {
    Always,
    Peak,
    OffPeak,
    /// Weekends and public holidays.
    WeekendOrHoliday,
    Holiday,
    WeeklyWindow,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WeeklyInstant {
    pub weekday: WeekdayName,
    pub time: Time,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum WeekdayName {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl WeekdayName {
    pub fn weekday(self) -> Weekday {
        match self {
            WeekdayName::Mon => Weekday::Monday,
            WeekdayName::Tue => Weekday::Tuesday,
            WeekdayName::Wed => Weekday::Wednesday,
            WeekdayName::Thu => Weekday::Thursday,
            WeekdayName::Fri => Weekday::Friday,
            WeekdayName::Sat => Weekday::Saturday,
            WeekdayName::Sun => Weekday::Sunday,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OvpayRules {
    /// EMV-01 / EMV-02: the secret key of the token vault, 32 bytes as 64 hex digits. The
    /// value in `nl-2024.toml` is a published test key.
    pub token_key_hex: String,
    /// EMV-09: per-operator intraday charge threshold. Interpretation: the threshold of an
    /// operator applies to the card's fares of the travel day due to that operator and not yet
    /// charged; when they reach it (see `threshold_trigger`), all of the day's fares not yet
    /// charged are charged at once, in one payment.
    pub thresholds: Vec<OperatorAmount>,
    /// EMV-09: whether the intraday charge happens when the fares due *reach* the threshold
    /// (`reached`, ≥) or only when they *exceed* it (`exceeded`, >). Seed 001 says
    /// "overschrijdt" (exceeds); the conformance suite's brief says "reach" and tests the exact
    /// amount, so `nl-2024` uses `reached`.
    pub threshold_trigger: ThresholdTrigger,
    /// EMV-10: card schemes / form factors charged per trip.
    pub per_trip_schemes: Vec<String>,
    /// EMV-03: account status check after this many days without travel. Interpretation: the
    /// days without travel are the calendar days strictly between the travel day of the card's
    /// last travel (or last passed check) and the travel day of the new tap; the check happens
    /// when there are at least this many (last travel on the 1st: a tap on the 15th is 13 idle
    /// days, no check; on the 16th 14, a check).
    pub eligibility_recheck_days: u32,
    /// EMV-13: retry days after the failed payment (each ≤ `retry_horizon_days`).
    pub retry_schedule_days: Vec<u32>,
    /// EMV-13: no automatic retry after this many calendar days.
    pub retry_horizon_days: u32,
    /// EMV-14: check-in possible again this long after a successful debt payment.
    pub unblock_after_payment_min: u32,
    /// EMV-01 / EMV-17: PAN data are purged this long after the tap.
    pub pan_retention_h: u32,
    /// EMV-15 / EMV-17: processed transactions kept this many months.
    pub history_months: u32,
    /// EMV-16: inspection shows at most this many transactions, this many days back, this long.
    pub inspection_max_transactions: u32,
    pub inspection_max_age_days: u32,
    pub inspection_visible_min: u32,
}

/// EMV-09: when the fares due reach the intraday threshold.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ThresholdTrigger {
    /// Charged when the fares due are at least the threshold.
    Reached,
    /// Charged when the fares due are more than the threshold.
    Exceeded,
}

impl ThresholdTrigger {
    /// Whether `due` triggers the intraday charge at `threshold`.
    pub fn triggers(self, due: Cents, threshold: Cents) -> bool {
        match self {
            ThresholdTrigger::Reached => due >= threshold,
            ThresholdTrigger::Exceeded => due > threshold,
        }
    }
}

impl OvpayRules {
    /// EMV-01: the token key as bytes; `None` when `token_key_hex` is not 64 hex digits
    /// (validation rejects such a rule set).
    pub fn token_key(&self) -> Option<[u8; 32]> {
        decode_hex_32(&self.token_key_hex)
    }
}

/// 64 hex digits (either case) → 32 bytes.
pub(crate) fn decode_hex_32(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let nibble = |b: u8| char::from(b).to_digit(16);
    let mut key = [0_u8; 32];
    for (byte, pair) in key.iter_mut().zip(digits.chunks_exact(2)) {
        let value = nibble(pair[0])? * 16 + nibble(pair[1])?;
        *byte = u8::try_from(value).ok()?;
    }
    Some(key)
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OperatorAmount {
    pub operator: OperatorId,
    pub amount_cents: Cents,
}

/// FEE-01..04 and the refund limits of TERM-03 (from the tariff sheet, seed 004).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FeeRules {
    /// FEE-01: the price of an anonymous or personal card.
    pub card_price_cents: Cents,
    /// FEE-01: added when a personal card is applied for on a paper form.
    pub paper_application_surcharge_cents: Cents,
    /// FEE-01: a counter may add this to the sale of an anonymous card (the seed names no
    /// amount: suite parameter).
    pub counter_sale_surcharge_cents: Cents,
    /// FEE-02: replacing an expired card.
    pub replace_expired_card_cents: Cents,
    /// TERM-08 / TERM-11: a replacement card after loss, theft or a defect "may cost"; the
    /// card seller sets the price (suite parameter). Free after established fraud without
    /// the holder's fault (TERM-10).
    pub replacement_card_cents: Cents,
    /// FEE-03: loading at a machine.
    pub machine_load_fee_cents: Cents,
    /// FEE-03: auto-reload.
    pub auto_reload_fee_cents: Cents,
    /// FEE-03: card payments of loads below this amount may carry a surcharge.
    pub small_card_payment_below_cents: Cents,
    pub small_card_payment_surcharge_cents: Cents,
    /// FEE-03: paying a load by credit card.
    pub credit_card_load_surcharge_cents: Cents,
    /// FEE-03 interpretation: whether the small-payment and the credit-card surcharge add up
    /// for a small load paid by credit card (`false`: the larger one applies once).
    pub load_surcharges_stack: bool,
    /// TERM-03: the largest balance a service point refunds; above it only the form.
    pub service_point_refund_max_cents: Cents,
    /// TERM-03 / FEE-02: admin costs of a balance refund at a service point.
    pub refund_admin_fee_cents: Cents,
    /// FEE-02: a counter refund is free when the card has less than this validity left.
    pub free_counter_refund_validity_left_days: u32,
    /// FEE-04: admin costs after a failed direct debit of an auto-reload.
    pub failed_debit_admin_auto_reload_cents: Cents,
    /// FEE-04: admin costs after a failed direct debit of a card's cost.
    pub failed_debit_admin_card_cost_cents: Cents,
    /// FEE-04: days the first letter gives to pay (no admin costs yet).
    pub failed_debit_payment_days: u32,
    /// FEE-04: days the second letter gives to pay debt and admin costs; after them the debt
    /// goes to a collection agency.
    pub failed_debit_second_payment_days: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Network {
    pub stations: Vec<Station>,
    /// Track or road distances between neighbouring stations; the distance between any two
    /// stations is the shortest path over these links.
    pub links: Vec<Link>,
    /// Every station pair's distance per class, filled on first use (not part of the file).
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub distances: DistanceCache,
}

/// The shortest distance between every pair of stations in each transport class, computed
/// once on first use: every priced leg asks for one (FARE-01/04), and a graph search per leg
/// was a sixth of a replay's time. A rule set is read, never changed, after loading; a clone
/// starts with an empty cache, so a changed clone computes its own.
#[derive(Debug, Default)]
pub struct DistanceCache(OnceLock<DistanceTable>);

impl Clone for DistanceCache {
    fn clone(&self) -> DistanceCache {
        DistanceCache::default()
    }
}

impl PartialEq for DistanceCache {
    /// Derived data: two networks are equal by their stations and links alone.
    fn eq(&self, _: &DistanceCache) -> bool {
        true
    }
}

#[derive(Debug)]
struct DistanceTable {
    index: FxHashMap<StationId, usize>,
    stations: usize,
    /// `[class][from][to]`, class 0 rail, 1 bus/tram/metro.
    metres: Vec<Option<u32>>,
}

impl DistanceTable {
    /// The same distances as [`RuleSet::search_distance_in_class_m`] for every pair, by one
    /// search from each station per graph rather than one per pair (a pair search filters and
    /// searches the whole network again; a replay waited for all of them before its first fare).
    fn of(rules: &RuleSet) -> DistanceTable {
        let stations = &rules.network.stations;
        let n = stations.len();
        // A repeated id (the loader refuses one) names its first station, as `station` does.
        let mut index: FxHashMap<StationId, usize> = FxHashMap::default();
        for (i, s) in stations.iter().enumerate() {
            index.entry(s.id.clone()).or_insert(i);
        }
        let graph = Graph::of(rules);
        let over_all_links = graph.distances_from_stations(n, |_| true);
        let mut metres = Vec::with_capacity(2 * n * n);
        for class in [TransportClass::Rail, TransportClass::BusTramMetro] {
            // As the pair search: a node is served in the class when the first station of
            // its id is (a link end that is no station never is).
            let served: Vec<bool> = graph
                .ids
                .iter()
                .map(|id| {
                    rules
                        .station(id)
                        .is_some_and(|s| s.served_by.iter().any(|x| x.mode.class() == class))
                })
                .collect();
            let in_class = graph.distances_from_stations(n, |(a, b)| served[a] && served[b]);
            metres.extend(
                in_class
                    .iter()
                    .zip(&over_all_links)
                    .map(|(in_class, over_all)| in_class.or(*over_all)),
            );
        }
        DistanceTable {
            index,
            stations: n,
            metres,
        }
    }

    /// `None` when a station is not in the network (the caller searches then).
    fn get(&self, from: &str, to: &str, class: TransportClass) -> Option<Option<u32>> {
        let n = self.stations;
        let (&f, &t) = (self.index.get(from)?, self.index.get(to)?);
        let c = match class {
            TransportClass::Rail => 0,
            TransportClass::BusTramMetro => 1,
        };
        Some(self.metres[(c * n + f) * n + t])
    }
}

/// The network as a graph over node numbers: the stations first, in their order (a repeated
/// id is the node of its first station), then any link end that names no station; each link
/// in both directions with its length rounded to whole metres, as [`shortest_path_m`] counts
/// it.
struct Graph<'r> {
    ids: Vec<&'r str>,
    /// Per node, the links that leave it.
    edges: Vec<Vec<Edge>>,
}

/// A link as seen from one of its ends.
#[derive(Clone, Copy)]
struct Edge {
    to: usize,
    metres: u32,
}

impl<'r> Graph<'r> {
    fn of(rules: &'r RuleSet) -> Graph<'r> {
        let mut ids: Vec<&str> = rules.network.stations.iter().map(|s| &*s.id).collect();
        let mut node: FxHashMap<&str, usize> = FxHashMap::default();
        for (i, id) in ids.iter().enumerate() {
            node.entry(id).or_insert(i);
        }
        let mut edges: Vec<Vec<Edge>> = vec![Vec::new(); ids.len()];
        for link in &rules.network.links {
            let mut node_of = |id: &'r str| {
                *node.entry(id).or_insert_with(|| {
                    ids.push(id);
                    edges.push(Vec::new());
                    ids.len() - 1
                })
            };
            let (a, b) = (node_of(&link.from), node_of(&link.to));
            let metres = (link.km * 1000.0).round() as u32;
            edges[a].push(Edge { to: b, metres });
            edges[b].push(Edge { to: a, metres });
        }
        Graph { ids, edges }
    }

    /// `[from][to]` over the first `n` nodes (the stations): the shortest distance over the
    /// links `usable` keeps (asked with the link's two ends), `None` when not connected.
    /// Dijkstra from each station.
    fn distances_from_stations(
        &self,
        n: usize,
        usable: impl Fn((usize, usize)) -> bool,
    ) -> Vec<Option<u32>> {
        let mut table = Vec::with_capacity(n * n);
        let mut best: Vec<Option<u32>> = vec![None; self.ids.len()];
        let mut frontier = BinaryHeap::new();
        for from in 0..n {
            best.fill(None);
            best[from] = Some(0);
            frontier.push(Reverse((0_u32, from)));
            while let Some(Reverse((dist, node))) = frontier.pop() {
                if best[node].is_some_and(|b| b < dist) {
                    continue;
                }
                for edge in &self.edges[node] {
                    let candidate = dist + edge.metres;
                    if usable((node, edge.to)) && best[edge.to].is_none_or(|b| candidate < b) {
                        best[edge.to] = Some(candidate);
                        frontier.push(Reverse((candidate, edge.to)));
                    }
                }
            }
            table.extend_from_slice(&best[..n]);
        }
        table
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Station {
    pub id: StationId,
    pub name: String,
    /// JRN-05: the station has gates (toegangspoortjes).
    pub gates: bool,
    /// Which operators serve it in which mode.
    pub served_by: Vec<Served>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Served {
    pub operator: OperatorId,
    pub mode: Mode,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub from: StationId,
    pub to: StationId,
    pub km: f64,
}

impl Link {
    /// The station at the other end of this link from `station`, if the link touches it.
    pub fn other_end(&self, station: &str) -> Option<&str> {
        if self.from == station {
            Some(&self.to)
        } else if self.to == station {
            Some(&self.from)
        } else {
            None
        }
    }
}

impl RuleSet {
    pub fn travel_day_rule(&self) -> TravelDayRule {
        TravelDayRule {
            end_local: self.travel_day.end_local,
            boundary: self.interpretations.travel_day_boundary,
        }
    }

    pub fn operator(&self, id: &str) -> Option<&Operator> {
        self.operators.iter().find(|o| o.id == id)
    }

    pub fn service(&self, operator: &str, mode: Mode) -> Option<&Service> {
        self.operator(operator)?
            .services
            .iter()
            .find(|s| s.mode == mode)
    }

    pub fn station(&self, id: &str) -> Option<&Station> {
        self.network.stations.iter().find(|s| s.id == id)
    }

    /// Finds a station by id or by its full name ("Amsterdam Centraal").
    pub fn station_by_name(&self, name: &str) -> Option<&Station> {
        self.network
            .stations
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name) || s.id == name)
    }

    /// FARE-01: the fixed fare from `from` to `to` with this operator and mode, if any
    /// (directional).
    pub fn route_fare(&self, operator: &str, mode: Mode, from: &str, to: &str) -> Option<Cents> {
        self.route_fares
            .iter()
            .find(|r| r.operator == operator && r.mode == mode && r.from == from && r.to == to)
            .map(|r| r.fare_cents)
    }

    /// FARE-01: the first of the operator's lines in this mode on which both stops lie.
    pub fn line_between(&self, operator: &str, mode: Mode, from: &str, to: &str) -> Option<&Line> {
        self.lines.iter().find(|l| {
            l.operator == operator
                && l.mode == mode
                && l.stops.iter().any(|s| s == from)
                && l.stops.iter().any(|s| s == to)
        })
    }

    pub fn product(&self, code: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.code == code)
    }

    /// FARE-02: the base fare row of the year (the latest row at or before `year`).
    pub fn base_fare(&self, year: i16) -> Option<&BaseFare> {
        self.base_fares
            .iter()
            .filter(|b| b.year <= year)
            .max_by_key(|b| b.year)
    }

    pub fn is_holiday(&self, date: Date) -> bool {
        self.peak.holidays.iter().any(|h| h.date == date)
    }

    /// CARD-06: the age discount as a [`Discount`].
    pub fn age_discount(&self) -> Discount {
        Discount::from_basis_points(self.card.age.discount_bp)
    }

    /// The shortest distance in metres between two stations over the network's links, or
    /// `None` when they are not connected.
    pub fn distance_m(&self, from: &str, to: &str) -> Option<u32> {
        shortest_path_m(&self.network.links, from, to)
    }

    /// The distance a journey in `class` travels: the shortest path over links whose two
    /// stations are both served in that class, so a train is never priced over tram tracks;
    /// over all links when the class alone does not connect them.
    pub fn distance_in_class_m(&self, from: &str, to: &str, class: TransportClass) -> Option<u32> {
        let table = self
            .network
            .distances
            .0
            .get_or_init(|| DistanceTable::of(self));
        table
            .get(from, to, class)
            .unwrap_or_else(|| self.search_distance_in_class_m(from, to, class))
    }

    fn search_distance_in_class_m(
        &self,
        from: &str,
        to: &str,
        class: TransportClass,
    ) -> Option<u32> {
        let served = |id: &str| {
            self.station(id)
                .is_some_and(|s| s.served_by.iter().any(|x| x.mode.class() == class))
        };
        let links: Vec<Link> = self
            .network
            .links
            .iter()
            .filter(|l| served(&l.from) && served(&l.to))
            .cloned()
            .collect();
        shortest_path_m(&links, from, to).or_else(|| self.distance_m(from, to))
    }
}

/// Dijkstra over a small graph; distances are rounded to whole metres per link.
fn shortest_path_m(links: &[Link], from: &str, to: &str) -> Option<u32> {
    let mut best: BTreeMap<&str, u32> = BTreeMap::new();
    let mut frontier: Vec<(u32, &str)> = vec![(0, from)];
    best.insert(from, 0);
    while let Some(pos) = frontier
        .iter()
        .enumerate()
        .min_by_key(|(_, (d, _))| *d)
        .map(|(i, _)| i)
    {
        let (dist, node) = frontier.swap_remove(pos);
        if node == to {
            return Some(dist);
        }
        if best.get(node).is_some_and(|&b| b < dist) {
            continue;
        }
        for link in links {
            let Some(next) = link.other_end(node) else {
                continue;
            };
            let candidate = dist + (link.km * 1000.0).round() as u32;
            if best.get(next).is_none_or(|&b| candidate < b) {
                best.insert(next, candidate);
                frontier.push((candidate, next));
            }
        }
    }
    None
}

/// TERM-01..16: the general terms' deadlines and limits (seed 002, 003, 004).
///
/// "Within N months/days of X" is counted in calendar dates, Europe/Amsterdam: the last day
/// is the date of X plus N (jiff clamps to the month's end, 31 May + 3 months = 31 August).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TermsRules {
    /// TERM-02: a correction claim is admissible until this many months after the
    /// registration or after the holder discovered the error, whichever is later.
    pub correction_claim_months: u32,
    /// TERM-02 / TERM-03: which balance a refund of a presented card pays.
    pub refund_balance: RefundBalance,
    /// TERM-04: after the usage right ended the balance can be refunded until this many months
    /// later (the same local time; exclusive).
    pub refund_after_end_months: u32,
    /// TERM-12: the refund right stays after the usage right ended, "except own fault".
    pub own_fault_forfeits_refund: bool,
    /// TERM-05: a reported personal card is blocked within this many hours of the report.
    pub loss_block_within_h: u32,
    /// TERM-07: the issuer bears the risk from local 00:00 this many days after the day of
    /// the report ("vanaf de eerstvolgende dag, met ingang van 0:00 uur").
    pub risk_transfer_days: u32,
    /// TERM-08: the old card's balance is computed from the administration within this many
    /// days of the report; the reference pays it at the latest then.
    pub old_balance_within_days: u32,
    /// TERM-08: products whose product terms forbid moving them to a replacement card (suite
    /// parameter: the seeds name none).
    pub non_transferable_products: Vec<ProductCode>,
    /// TERM-13: an objection to changed terms must arrive within this many days of the notice.
    pub objection_window_days: u32,
    /// TERM-13: the usage right ends at local 00:00 of the date this many calendar days after
    /// the day the objection was received.
    pub objection_usage_end_days: u32,
    /// TERM-15: a dispute goes to the disputes committee within this many months of arising
    /// (the day the issuer answered the complaint).
    pub dispute_window_months: u32,
    /// TERM-16: refunds for journeys without check-out.
    pub missed_check_out: MissedCheckOutRules,
}

/// TERM-02 / TERM-03: the balance a refund of a presented card pays.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RefundBalance {
    /// The balance on the card leads; when the holder shows counter-evidence, the balance
    /// per the administration (which then includes what the card lacks) is paid.
    CardUnlessCounterEvidence,
}

/// TERM-16: missed check-out refunds (seed 003, "Reizen zonder uit te checken").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MissedCheckOutRules {
    /// At most this many refunded journeys per operator per period.
    pub max_claims_per_operator: u32,
    /// Which half-year (January–June, July–December) a claim counts in.
    pub period: ClaimPeriod,
    /// No refund for journeys more than this many days before the claim date.
    pub max_age_days: u32,
    /// Per-operator maximum age (Qbuzz: 63 days).
    #[serde(default)]
    pub max_age_overrides: Vec<OperatorDays>,
    /// A refund is available from this many days after the journey's date.
    pub available_after_days: u32,
    /// Operators with their own conditions ("Voor NS gelden andere voorwaarden").
    #[serde(default)]
    pub own_conditions_operators: Vec<OperatorId>,
}

/// TERM-16 interpretation: which half-year a missed check-out claim counts in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ClaimPeriod {
    /// The half-year of the claim date ("tussen januari en juni ... mag een kaarthouder ...
    /// terugvragen").
    HalfYearOfClaim,
    /// The half-year of the journey's date.
    HalfYearOfJourney,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OperatorDays {
    pub operator: OperatorId,
    pub days: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::nl_2024;

    /// Every pair and class from the table equals a search of that pair alone.
    fn assert_table_matches_search(rules: &RuleSet) {
        let ids: Vec<&str> = rules.network.stations.iter().map(|s| &*s.id).collect();
        let mut compared = 0;
        for class in [TransportClass::Rail, TransportClass::BusTramMetro] {
            for from in &ids {
                for to in &ids {
                    assert_eq!(
                        rules.distance_in_class_m(from, to, class),
                        rules.search_distance_in_class_m(from, to, class),
                        "{from} → {to} in {class:?}"
                    );
                    compared += 1;
                }
            }
        }
        assert_eq!(compared, 2 * ids.len() * ids.len());
    }

    #[test]
    fn the_distance_table_equals_a_search_per_pair() {
        assert_table_matches_search(&nl_2024());
    }

    #[test]
    fn the_distance_table_equals_a_search_per_pair_on_an_odd_network() {
        let mut rules = nl_2024();
        let network = &mut rules.network;
        let (a, b) = (
            network.stations[0].id.clone(),
            network.stations[5].id.clone(),
        );
        // A short cut through a point that is no station, a loop, and a station that no
        // link reaches: each a case the table builds differently from a pair search.
        network.links.push(Link {
            from: a.clone(),
            to: "nowhere".into(),
            km: 0.4,
        });
        network.links.push(Link {
            from: "nowhere".into(),
            to: b,
            km: 0.6,
        });
        network.links.push(Link {
            from: a.clone(),
            to: a,
            km: 3.0,
        });
        let mut lonely = network.stations[1].clone();
        lonely.id = "lonely".into();
        network.stations.push(lonely);
        assert_eq!(
            rules.distance_in_class_m("lonely", "lonely", TransportClass::Rail),
            Some(0)
        );
        assert_eq!(
            rules.distance_in_class_m(
                &rules.network.stations[0].id,
                "lonely",
                TransportClass::Rail
            ),
            None
        );
        assert_table_matches_search(&rules);
    }
}
