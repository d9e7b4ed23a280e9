//! The back office's fare engine: the price of a [`Journey`] under the rule set in force
//! (FARE-01..09, FARE-11, the pricing side of JRN-04..08, CARD-06) and each operator's share
//! of it (GBO-02). Pure: no I/O, integer cents, every parameter from the [`RuleSet`].
//!
//! # How a journey is priced
//!
//! 1. **Decided once, by the first check-in** (FARE-05, FARE-07): the time category
//!    ([`time_category`]), the product (FARE-08: the valid, in-scope product with the highest
//!    priority) and its discount (the largest of its benefits that apply), the age band
//!    (CARD-06) and the special setting (JRN-08). So the discount is always the same for every
//!    leg of a journey, and FARE-03 ("no new base fare if both legs are at full fare or under
//!    the same discount") always holds within one journey: the only way to a second base fare
//!    is a new journey, which the journey builder decides (JRN-01..03).
//! 2. **Leg statuses** (JRN-04/05/07): `Cancelled` and `StationVisit` legs cost 0;
//!    `MissingCheckOut` legs cost the boarding fee the reader kept as deposit (TAP-01, with the
//!    boarding-fee overrides for the card's kind and products), or 0 when the journey's product
//!    discount is 100 % (JRN-07: free-travel holders are not charged) or the traveller is under
//!    the free age. `Completed` legs make up the journey's distance fare.
//! 3. **The distance fare** of the completed legs, by class:
//!    * bus/tram/metro (FARE-01/02/03): one base fare (FARE-02 row of the local calendar year of
//!      the first check-in) plus each leg's km part: a fixed route fare if the rule set has one
//!      for that operator, mode and direction, else km × the first matching line's rate, else km
//!      × the service's rate. A fixed fare includes a base fare, so its km part is the fixed fare
//!      minus the normal base fare (never below 0): a journey of one fixed-fare leg costs exactly
//!      the fixed fare, and a journey still pays one base fare however many fixed-fare legs it
//!      has. A same-stop leg (JRN-06) has km part 0. The fare is capped at the `max_fare_cents`
//!      of the first leg's service (and raised to its `min_fare_cents`, where set);
//!    * rail (FARE-04): `rail_fare.base_cents` plus the degressive bands over the total distance
//!      of all completed rail legs, across rail operators, at least the first leg's service's
//!      `min_fare_cents` (JRN-05: a same-station stay beyond the visit window adds 0 km, so alone
//!      it costs the minimum fare), at most `rail_fare.max_fare_cents` — once reached, further
//!      legs add nothing. First class (JRN-08) multiplies fare and maximum by
//!      `first_class_factor_bp`; the group discount takes `group_discount_bp` off.
//! 4. **Discounts** (FARE-07/08, CARD-06): the product discount applies to the journey's
//!    distance fare ([`Cents::after_discount`]). The age discount applies per leg at operators
//!    not in `card.age.excluded_operators`: bus/tram/metro take the reduced base-fare row and
//!    the discounted km parts (capped like the full fare, as the reader does); rail legs have
//!    their distance share discounted. Product and age discounts do not stack: the one giving
//!    the lower total applies (a tie goes to the product). Under the free age everything is 0.
//!    OVpay (FARE-09) gets none of this: full fare, second class, no setting.
//! 5. **Shares** (GBO-02): the distance fare is split over the completed legs in proportion to
//!    their weight — rail: the leg's distance; bus/tram/metro: the leg's undiscounted price
//!    (its km part, plus the base fare on the first completed leg) — in whole cents by largest
//!    remainder, ties to the earlier leg. Missing check-out fees go to their own leg. The
//!    shares sum exactly to the total.
//!
//! FARE-11: every amount is integer cents; discounts and the first-class factor round half
//! away from zero, km fares half up ([`Cents::per_km`]); 0 ≤ total ≤ maximum, where the
//! maximum is the journey cap plus the boarding fees kept for missing check-outs (JRN-07: the
//! deposit stays charged on top of whatever the rest of the journey costs).

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use serde::{Deserialize, Serialize};

use crate::age::{AgeBand, age_band};
use crate::card::{CardKind, ProductSlot, SpecialSetting};
use crate::money::{Cents, Discount};
use crate::rules::{
    BaseFare, Benefit, BenefitTime, CardKindRule, Mode, OperatorId, Product, ProductCode,
    ProductScope, RuleSet, Service, StationId, TransportClass, WeeklyInstant,
};
use crate::time::local_datetime;

use super::journey::{Journey, Leg, LegStatus};

/// How the traveller pays: the card the journey was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "means", rename_all = "kebab-case")]
pub enum PaymentMeans {
    /// An OV-chipkaart of this kind. [`CardKind::Emv`] here is priced like [`Self::Ovpay`].
    OvChipkaart { kind: CardKind },
    /// FARE-09: a bank card: full fare, second class, no products, no age discount.
    Ovpay,
}

/// What the fare depends on besides the journey: the card's means, holder and products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FareContext<'a> {
    pub means: PaymentMeans,
    /// CARD-06: the birth date on a personal card (ignored for other kinds).
    pub birth_date: Option<Date>,
    /// FARE-07: the products on the card (ignored for OVpay).
    pub products: &'a [ProductSlot],
}

/// FARE-05: the time category of a journey, decided by its first check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TimeCategory {
    Peak,
    OffPeak,
}

/// GBO-02: one leg's part of the journey fare, credited to its operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LegFare {
    pub operator: OperatorId,
    pub fare: Cents,
}

/// The price of a journey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JourneyFare {
    /// What the traveller pays for the journey (FARE-11: 0 ≤ total ≤ maximum).
    pub total: Cents,
    /// The most this journey could cost: the journey cap (FARE-01/04, first class scaled)
    /// plus the boarding fees kept for missing check-outs (JRN-07).
    pub maximum: Cents,
    pub time_category: TimeCategory,
    /// FARE-08: the product that priced the journey (its discount may be 0 when none of its
    /// benefits applies at the first check-in); `None` when the age discount gave the lower
    /// fare, for OVpay, and when the card has no valid in-scope product.
    pub product: Option<ProductCode>,
    /// The discount that priced the journey: the product's, the age discount (CARD-06),
    /// [`Discount::FREE`] under the free age, or none.
    pub discount: Discount,
    /// GBO-02: one per leg, in the order of `journey.legs`; they sum to `total`.
    pub legs: Vec<LegFare>,
}

/// Why a journey could not be priced: broken input, never a business outcome.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FareError {
    #[error("the journey has no legs")]
    NoLegs,
    #[error(
        "leg {leg} ({operator} {}): the mode is not of the journey's class {class:?}",
        .mode.as_str()
    )]
    ClassMismatch {
        leg: usize,
        operator: OperatorId,
        mode: Mode,
        class: TransportClass,
    },
    #[error("leg {leg}: operator `{operator}` runs no {} service in the rule set", .mode.as_str())]
    UnknownService {
        leg: usize,
        operator: OperatorId,
        mode: Mode,
    },
    #[error("leg {leg} ({operator}): status completed but no check-out")]
    CompletedWithoutCheckOut { leg: usize, operator: OperatorId },
    #[error(
        "leg {leg}: no distance between stations `{from}` and `{to}` in the rule set's network"
    )]
    NoDistance {
        leg: usize,
        from: StationId,
        to: StationId,
    },
    #[error(
        "the rule set has no base fare (base_fares) for {year}, the year of the first check-in"
    )]
    NoBaseFare { year: i16 },
    #[error("product `{code}` on the card is not in the rule set's products")]
    UnknownProduct { code: ProductCode },
    #[error("amount overflow while computing {what}")]
    Overflow { what: &'static str },
}

// ---------------------------------------------------------------------------------------------
// FARE-05 / FARE-06: time category.

/// FARE-05 / FARE-06: peak or off-peak, by the journey's first check-in, local Amsterdam
/// time. Weekends and public holidays are off-peak; on weekdays a check-in inside a peak
/// window is peak, except from `off_peak_grace_min` before the window ends (08:55 counts as
/// off-peak, 08:54:59 as peak).
pub fn time_category(rules: &RuleSet, first_check_in: Timestamp) -> TimeCategory {
    time_category_of_reading(rules, &local_datetime(first_check_in))
}

/// [`time_category`] of the first check-in's local reading, for a caller that has it already.
fn time_category_of_reading(rules: &RuleSet, at: &DateTime) -> TimeCategory {
    if is_weekend(at.date()) || rules.is_holiday(at.date()) {
        return TimeCategory::OffPeak;
    }
    let now_s = seconds_of_day(at.time());
    let grace_s = rules.peak.off_peak_grace_min.saturating_mul(60);
    let in_peak = rules.peak.weekday_windows.iter().any(|w| {
        let peak_until_s = seconds_of_day(w.until).saturating_sub(grace_s);
        seconds_of_day(w.from) <= now_s && now_s < peak_until_s
    });
    if in_peak {
        TimeCategory::Peak
    } else {
        TimeCategory::OffPeak
    }
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Whole seconds since local midnight (a check-in at 08:54:59.9 is before 08:55).
fn seconds_of_day(t: Time) -> u32 {
    let h = u32::try_from(t.hour()).unwrap_or(0);
    let m = u32::try_from(t.minute()).unwrap_or(0);
    let s = u32::try_from(t.second()).unwrap_or(0);
    h * 3600 + m * 60 + s
}

const WEEK_S: u32 = 7 * 24 * 3600;

/// Seconds since Monday 00:00 local time.
fn seconds_of_week(weekday: Weekday, t: Time) -> u32 {
    let day = u32::try_from(weekday.to_monday_zero_offset()).unwrap_or(0);
    day * 24 * 3600 + seconds_of_day(t)
}

/// FARE-07 `weekly-window`: [from, until) on the weekly clock, wrapping over the week end
/// (Fri 18:30 – Mon 04:00).
fn in_weekly_window(at: &DateTime, from: WeeklyInstant, until: WeeklyInstant) -> bool {
    let now = seconds_of_week(at.date().weekday(), at.time());
    let from = seconds_of_week(from.weekday.weekday(), from.time) % WEEK_S;
    let until = seconds_of_week(until.weekday.weekday(), until.time) % WEEK_S;
    if from < until {
        from <= now && now < until
    } else {
        now >= from || now < until
    }
}

// ---------------------------------------------------------------------------------------------
// Tariff helpers, shared with the reader's check-out fare (`crate::fare`).

/// FARE-02: the base-fare row of the local calendar year of `first_check_in_date`.
pub fn base_fare_row(rules: &RuleSet, first_check_in_date: Date) -> Result<&BaseFare, FareError> {
    let year = first_check_in_date.year();
    rules.base_fare(year).ok_or(FareError::NoBaseFare { year })
}

/// FARE-01: how one bus/tram/metro leg is priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum BtmTariff {
    /// A fixed route fare: the whole price of the leg, base fare included.
    Fixed { fare: Cents },
    /// The base fare plus `metres` × `cents_per_km` (the line's rate or the service's).
    Distance { metres: u32, cents_per_km: u32 },
}

impl BtmTariff {
    /// The leg's price on top of the journey's one base fare: for a fixed fare the part above
    /// the normal base fare (never below 0), else the km fare (FARE-11 half up).
    pub fn km_part(self, normal_base: Cents) -> Cents {
        match self {
            BtmTariff::Fixed { fare } => fare
                .checked_sub(normal_base)
                .unwrap_or(Cents::ZERO)
                .max(Cents::ZERO),
            BtmTariff::Distance {
                metres,
                cents_per_km,
            } => Cents::per_km(metres, cents_per_km),
        }
    }
}

/// FARE-01: the tariff of a bus/tram/metro leg from `from` to `to` with `service`: the fixed
/// route fare of that direction, else the first of the operator's lines in this mode with both
/// stops, else the service's km rate. `None` when the network has no path between the stops.
/// A same-stop leg (JRN-06) is 0 m at any rate.
pub fn btm_tariff(
    rules: &RuleSet,
    operator: &str,
    service: &Service,
    from: &str,
    to: &str,
) -> Option<BtmTariff> {
    if let Some(fare) = rules.route_fare(operator, service.mode, from, to) {
        return Some(BtmTariff::Fixed { fare });
    }
    let metres = rules.distance_in_class_m(from, to, service.mode.class())?;
    let cents_per_km = rules
        .line_between(operator, service.mode, from, to)
        .map_or(service.km_rate_cents, |line| line.km_rate_cents);
    Some(BtmTariff::Distance {
        metres,
        cents_per_km,
    })
}

/// FARE-04: `rail_fare.base_cents` plus the degressive bands over `metres`, each band's km
/// rounded half up ([`Cents::per_km`]); before minimum, maximum and settings.
pub fn rail_distance_fare(rules: &RuleSet, metres: u32) -> Option<Cents> {
    let rail = &rules.rail_fare;
    let mut fare = rail.base_cents;
    for band in &rail.bands {
        let from_m = band.from_km.saturating_mul(1000);
        let to_m = band.to_km.map_or(u32::MAX, |km| km.saturating_mul(1000));
        let in_band = metres.min(to_m).saturating_sub(from_m);
        fare = fare.checked_add(Cents::per_km(in_band, band.cents_per_km))?;
    }
    Some(fare)
}

/// TAP-01: the boarding fee a reader of `operator`/`mode` takes as deposit on `on`: the lowest
/// matching override for the card's kind or valid products, else the service's fee.
pub fn boarding_fee(
    rules: &RuleSet,
    service: &Service,
    operator: &str,
    kind: Option<CardKindRule>,
    products: &[ProductSlot],
    on: Date,
) -> Cents {
    let has_product = |code: &str| {
        products
            .iter()
            .any(|p| p.code == code && p.valid_from <= on && on <= p.valid_until)
    };
    rules
        .boarding_fee_overrides
        .iter()
        .filter(|o| o.operator.as_deref().is_none_or(|op| op == operator))
        .filter(|o| o.mode.is_none_or(|m| m == service.mode))
        .filter(|o| o.card_kind.is_none_or(|k| Some(k) == kind))
        .filter(|o| o.product.as_deref().is_none_or(has_product))
        .map(|o| o.boarding_fee_cents)
        .min()
        .unwrap_or(service.boarding_fee_cents)
}

/// JRN-08 / FARE-11: `amount` × `factor_bp` / 10000, rounded half away from zero like
/// [`Cents::after_discount`].
fn scale_bp(amount: Cents, factor_bp: u32) -> Option<Cents> {
    let scaled = i128::from(amount.get()) * i128::from(factor_bp);
    let rounded = (scaled.abs() + 5_000) / 10_000;
    let signed = if scaled < 0 { -rounded } else { rounded };
    i64::try_from(signed).ok().map(Cents::new)
}

/// GBO-02: `total` (≥ 0) split over `weights` in proportion, in whole cents: each part rounded
/// down, the cents left over one each to the largest remainders, ties to the earlier index.
/// All weights 0: everything to the first. The parts sum exactly to `total`.
fn split(total: Cents, weights: &[impl Copy + Into<u64>]) -> Vec<Cents> {
    if weights.is_empty() {
        return Vec::new();
    }
    let amount = u128::try_from(total.get()).unwrap_or(0);
    let weight = |i: usize| u128::from(weights[i].into());
    let sum: u128 = (0..weights.len()).map(weight).sum();
    if sum == 0 {
        let mut parts = vec![Cents::ZERO; weights.len()];
        parts[0] = total;
        return parts;
    }
    let rounded_down = |i: usize| amount * weight(i) / sum;
    let cents = |part: u128| Cents::new(i64::try_from(part).unwrap_or(i64::MAX));
    let mut parts: Vec<Cents> = Vec::with_capacity(weights.len());
    let mut given: u128 = 0;
    for i in 0..weights.len() {
        let part = rounded_down(i);
        given += part;
        parts.push(cents(part));
    }
    let left = usize::try_from(amount - given).unwrap_or(0);
    // Only an uneven split has cents left over (never one over a single leg): rank the
    // remainders then.
    if left > 0 {
        let mut remainders: Vec<(u128, usize)> = (0..weights.len())
            .map(|i| (amount * weight(i) % sum, i))
            .collect();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in remainders.iter().take(left) {
            parts[i] = cents(rounded_down(i) + 1);
        }
    }
    parts
}

fn overflow(what: &'static str) -> FareError {
    FareError::Overflow { what }
}

fn sum(amounts: impl IntoIterator<Item = Cents>, what: &'static str) -> Result<Cents, FareError> {
    amounts
        .into_iter()
        .try_fold(Cents::ZERO, |acc, c| acc.checked_add(c))
        .ok_or_else(|| overflow(what))
}

fn discounted(amount: Cents, discount: Discount, what: &'static str) -> Result<Cents, FareError> {
    amount
        .after_discount(discount)
        .ok_or_else(|| overflow(what))
}

/// FARE-11: `amount` raised to `min`, then lowered to `max` (the maximum wins).
fn clamp(amount: Cents, min: Cents, max: Cents) -> Cents {
    amount.max(min).min(max).max(Cents::ZERO)
}

// ---------------------------------------------------------------------------------------------
// What the first check-in decides.

/// FARE-07/08, CARD-06, JRN-08, FARE-09: everything the first check-in and the card decide
/// for the whole journey.
struct Terms<'r> {
    /// FARE-08: the product that applies, with its discount at the first check-in (FARE-07).
    product: Option<(&'r Product, Discount)>,
    /// CARD-06 (OV-chipkaart personal cards only).
    age: AgeBand,
    /// JRN-08 (OV-chipkaart only).
    setting: SpecialSetting,
    /// TAP-01: for the deposit kept on a missing check-out.
    card_kind: Option<CardKindRule>,
    /// FARE-09: OVpay carries no products for this purpose.
    products: &'r [ProductSlot],
}

impl<'r> Terms<'r> {
    fn of(
        rules: &'r RuleSet,
        journey: &Journey,
        ctx: &FareContext<'r>,
        first_check_in: &DateTime,
        category: TimeCategory,
    ) -> Result<Terms<'r>, FareError> {
        let kind = match ctx.means {
            PaymentMeans::OvChipkaart { kind } if kind != CardKind::Emv => kind,
            // FARE-09: OVpay travels at full fare, second class, no products, no age discount.
            _ => {
                return Ok(Terms {
                    product: None,
                    age: AgeBand::Full,
                    setting: SpecialSetting::None,
                    card_kind: None,
                    products: &[],
                });
            }
        };
        let date = first_check_in.date();
        let personal = kind == CardKind::Personal;
        let product = select_product(rules, ctx.products, personal, journey.class, date)?;
        let route_ends = route_ends(journey);
        let product = product.map(|p| {
            let discount = product_discount(rules, p, first_check_in, category, route_ends);
            (p, discount)
        });
        // CARD-06: the birth date is on personal cards only.
        let birth_date = ctx.birth_date.filter(|_| personal);
        let card_kind = match kind {
            CardKind::Personal => Some(CardKindRule::Personal),
            CardKind::Anonymous => Some(CardKindRule::Anonymous),
            CardKind::Disposable | CardKind::Emv => None,
        };
        Ok(Terms {
            product,
            age: age_band(rules, birth_date, date),
            setting: journey.setting,
            card_kind,
            products: ctx.products,
        })
    }

    fn product_discount(&self) -> Discount {
        self.product.map_or(Discount::NONE, |(_, d)| d)
    }

    /// JRN-07: free-travel holders (and children under the free age) are not charged for a
    /// missing check-out.
    fn waives_missing_check_out(&self) -> bool {
        self.age == AgeBand::Infant || self.product_discount() == Discount::FREE
    }
}

/// FARE-07 / FARE-08: among the card's products valid on the first check-in's local date and
/// in scope for the journey's class (personal-only products only on personal cards, CARD-05),
/// the one with the highest priority; on equal priority the first on the card.
fn select_product<'r>(
    rules: &'r RuleSet,
    slots: &[ProductSlot],
    personal: bool,
    class: TransportClass,
    date: Date,
) -> Result<Option<&'r Product>, FareError> {
    let mut best: Option<&Product> = None;
    for slot in slots {
        if !(slot.valid_from <= date && date <= slot.valid_until) {
            continue;
        }
        let product = rules
            .product(&slot.code)
            .ok_or_else(|| FareError::UnknownProduct {
                code: slot.code.clone(),
            })?;
        let in_scope = match product.scope {
            ProductScope::All => true,
            ProductScope::Rail => class == TransportClass::Rail,
            ProductScope::BusTramMetro => class == TransportClass::BusTramMetro,
        };
        if !in_scope || (product.personal_only && !personal) {
            continue;
        }
        if best.is_none_or(|b| product.priority > b.priority) {
            best = Some(product);
        }
    }
    Ok(best)
}

/// TAP-01 / JRN-07: whether the card travels free from this check-in on, whatever the
/// destination (a route-bound benefit needs the destination, so it does not count): then the
/// reader takes no deposit, and a missing check-out costs nothing.
pub fn free_at_check_in(
    rules: &RuleSet,
    products: &[ProductSlot],
    personal: bool,
    mode: Mode,
    at: Timestamp,
) -> bool {
    let local_at = local_datetime(at);
    let class = mode.class();
    let Ok(Some(product)) = select_product(rules, products, personal, class, local_at.date())
    else {
        return false;
    };
    let category = time_category_of_reading(rules, &local_at);
    product_discount(rules, product, &local_at, category, None) == Discount::FREE
}

/// FARE-07 `route`: the journey's first check-in station and its last check-out station (of a
/// completed leg); `None` when no leg was completed.
fn route_ends(journey: &Journey) -> Option<(&str, &str)> {
    let first = journey.legs.first()?.check_in.station.as_str();
    let last = journey
        .legs
        .iter()
        .rev()
        .filter(|l| l.status == LegStatus::Completed)
        .find_map(|l| l.check_out.as_ref())?;
    Some((first, last.station.as_str()))
}

/// FARE-07: the largest discount among the product's benefits that apply at the first
/// check-in; none when no benefit applies (Weekend Vrij at Friday 18:15: full fare).
fn product_discount(
    rules: &RuleSet,
    product: &Product,
    at: &DateTime,
    category: TimeCategory,
    route_ends: Option<(&str, &str)>,
) -> Discount {
    product
        .benefits
        .iter()
        .filter(|b| benefit_applies(rules, b, at, category, route_ends))
        .map(|b| b.discount_bp)
        .max()
        .map_or(Discount::NONE, Discount::from_basis_points)
}

fn benefit_applies(
    rules: &RuleSet,
    benefit: &Benefit,
    at: &DateTime,
    category: TimeCategory,
    route_ends: Option<(&str, &str)>,
) -> bool {
    let date = at.date();
    let in_time = match benefit.when {
        BenefitTime::Always => true,
        BenefitTime::Peak => category == TimeCategory::Peak,
        BenefitTime::OffPeak => category == TimeCategory::OffPeak,
        BenefitTime::WeekendOrHoliday => is_weekend(date) || rules.is_holiday(date),
        BenefitTime::Holiday => rules.is_holiday(date),
        BenefitTime::WeeklyWindow => match (benefit.from, benefit.until) {
            (Some(from), Some(until)) => in_weekly_window(at, from, until),
            _ => false,
        },
    };
    let on_route = match &benefit.route {
        None => true,
        Some([a, z]) => route_ends.is_some_and(|(from, to)| {
            (from == a.as_str() && to == z.as_str()) || (from == z.as_str() && to == a.as_str())
        }),
    };
    in_time && on_route
}

// ---------------------------------------------------------------------------------------------
// The journey fare.

/// The price of `journey` under `rules` for the card described by `ctx` (see the module
/// documentation for every step and its rule ID).
pub fn journey_fare(
    rules: &RuleSet,
    journey: &Journey,
    ctx: &FareContext<'_>,
) -> Result<JourneyFare, FareError> {
    let services = leg_services(rules, journey)?;
    // FARE-02, FARE-05, FARE-07: read once, the first check-in's local time decides for all.
    let first_check_in = local_datetime(journey.first_check_in());
    let category = time_category_of_reading(rules, &first_check_in);
    let terms = Terms::of(rules, journey, ctx, &first_check_in, category)?;
    let completed: Vec<usize> = (0..journey.legs.len())
        .filter(|&i| journey.legs[i].status == LegStatus::Completed)
        .collect();
    let priced = match journey.class {
        TransportClass::Rail => rail_fare(rules, journey, &services, &completed, &terms)?,
        TransportClass::BusTramMetro => {
            let first_date = first_check_in.date();
            btm_fare(rules, journey, &services, &completed, &terms, first_date)?
        }
    };
    let mut fares: Vec<LegFare> = journey
        .legs
        .iter()
        .map(|leg| LegFare {
            operator: leg.operator.clone(),
            fare: Cents::ZERO,
        })
        .collect();
    for (&i, &share) in completed.iter().zip(&priced.shares) {
        fares[i].fare = share;
    }
    // JRN-07: a missing check-out keeps the deposit; JRN-04/05: cancelled legs and station
    // visits cost nothing (their entries stay 0).
    let mut kept_deposits = Cents::ZERO;
    for (i, leg) in journey.legs.iter().enumerate() {
        if leg.status == LegStatus::MissingCheckOut && !terms.waives_missing_check_out() {
            let fee = boarding_fee(
                rules,
                services[i],
                &leg.operator,
                terms.card_kind,
                terms.products,
                local_datetime(leg.check_in.at).date(),
            );
            fares[i].fare = fee;
            kept_deposits = kept_deposits
                .checked_add(fee)
                .ok_or_else(|| overflow("kept deposits"))?;
        }
    }
    let total = sum(fares.iter().map(|leg| leg.fare), "the journey total")?;
    let maximum = priced
        .cap
        .checked_add(kept_deposits)
        .ok_or_else(|| overflow("the maximum"))?;
    Ok(JourneyFare {
        total,
        maximum,
        time_category: category,
        product: priced.product.map(|p| p.code.clone()),
        discount: priced.discount,
        legs: fares,
    })
}

/// Every leg's service, after checking the legs fit the journey (class, check-out).
fn leg_services<'r>(rules: &'r RuleSet, journey: &Journey) -> Result<Vec<&'r Service>, FareError> {
    if journey.legs.is_empty() {
        return Err(FareError::NoLegs);
    }
    journey
        .legs
        .iter()
        .enumerate()
        .map(|(i, leg)| {
            if leg.mode.class() != journey.class {
                return Err(FareError::ClassMismatch {
                    leg: i,
                    operator: leg.operator.clone(),
                    mode: leg.mode,
                    class: journey.class,
                });
            }
            if leg.status == LegStatus::Completed && leg.check_out.is_none() {
                return Err(FareError::CompletedWithoutCheckOut {
                    leg: i,
                    operator: leg.operator.clone(),
                });
            }
            rules
                .service(&leg.operator, leg.mode)
                .ok_or_else(|| FareError::UnknownService {
                    leg: i,
                    operator: leg.operator.clone(),
                    mode: leg.mode,
                })
        })
        .collect()
}

/// The distance fare of the completed legs, split over them.
struct Priced<'r> {
    /// One per completed leg, in order; they sum to the distance fare.
    shares: Vec<Cents>,
    /// The journey cap (first class scaled).
    cap: Cents,
    product: Option<&'r Product>,
    discount: Discount,
}

/// The two ways a journey may be discounted (they do not stack); the lower total applies.
struct Variant {
    shares: Vec<Cents>,
    total: Cents,
}

impl<'r> Priced<'r> {
    /// FARE-07/08 vs CARD-06: the age variant applies only when strictly cheaper.
    fn choose(
        rules: &RuleSet,
        terms: &Terms<'r>,
        cap: Cents,
        by_product: Variant,
        by_age: Option<Variant>,
    ) -> Priced<'r> {
        if terms.age == AgeBand::Infant {
            // CARD-06: under the free age everything is free.
            return Priced {
                shares: vec![Cents::ZERO; by_product.shares.len()],
                cap,
                product: None,
                discount: Discount::FREE,
            };
        }
        match by_age {
            Some(age) if age.total < by_product.total => Priced {
                shares: age.shares,
                cap,
                product: None,
                discount: rules.age_discount(),
            },
            _ => Priced {
                shares: by_product.shares,
                cap,
                product: terms.product.map(|(p, _)| p),
                discount: terms.product_discount(),
            },
        }
    }
}

fn leg_distance(rules: &RuleSet, i: usize, leg: &Leg) -> Result<u32, FareError> {
    let from = &leg.check_in.station;
    let to = leg.check_out.as_ref().map_or(from, |stop| &stop.station);
    rules
        .distance_in_class_m(from, to, leg.mode.class())
        .ok_or_else(|| FareError::NoDistance {
            leg: i,
            from: from.clone(),
            to: to.clone(),
        })
}

/// CARD-06: whether this operator gives the age discount (not NS).
fn gives_age_discount(rules: &RuleSet, operator: &str) -> bool {
    !rules
        .card
        .age
        .excluded_operators
        .iter()
        .any(|o| o == operator)
}

/// FARE-04 (+ JRN-05, JRN-08, CARD-06, FARE-07): the rail journey's distance fare.
fn rail_fare<'r>(
    rules: &RuleSet,
    journey: &Journey,
    services: &[&Service],
    completed: &[usize],
    terms: &Terms<'r>,
) -> Result<Priced<'r>, FareError> {
    let rail = &rules.rail_fare;
    let mut cap = rail.max_fare_cents;
    let distances: Vec<u32> = completed
        .iter()
        .map(|&i| leg_distance(rules, i, &journey.legs[i]))
        .collect::<Result<_, _>>()?;
    let mut full = Cents::ZERO;
    if !completed.is_empty() {
        let total_m = distances
            .iter()
            .try_fold(0_u32, |acc, &d| acc.checked_add(d))
            .ok_or_else(|| overflow("the rail distance"))?;
        let raw = rail_distance_fare(rules, total_m).ok_or_else(|| overflow("the rail km fare"))?;
        // JRN-05: the minimum fare of the first leg's service (a same-station stay alone).
        let min = services[0].min_fare_cents.unwrap_or(Cents::ZERO);
        full = clamp(raw, min, cap);
    }
    // JRN-08: the special setting of the first check-in holds for the whole journey.
    match terms.setting {
        SpecialSetting::FirstClass => {
            full = scale_bp(full, rail.first_class_factor_bp)
                .ok_or_else(|| overflow("first class"))?;
            cap =
                scale_bp(cap, rail.first_class_factor_bp).ok_or_else(|| overflow("first class"))?;
        }
        SpecialSetting::GroupDiscount => {
            let group = Discount::from_basis_points(rail.group_discount_bp);
            full = discounted(full, group, "the group discount")?;
        }
        SpecialSetting::None => {}
    }
    let product_total = discounted(full, terms.product_discount(), "the product discount")?;
    let by_product = Variant {
        shares: split(product_total, &distances),
        total: product_total,
    };
    let by_age = if terms.age == AgeBand::Reduced {
        let mut shares = split(full, &distances);
        for (share, &i) in shares.iter_mut().zip(completed) {
            if gives_age_discount(rules, &journey.legs[i].operator) {
                *share = discounted(*share, rules.age_discount(), "the age discount")?;
            }
        }
        let total = sum(shares.iter().copied(), "the age-discounted fare")?;
        Some(Variant { shares, total })
    } else {
        None
    };
    Ok(Priced::choose(rules, terms, cap, by_product, by_age))
}

/// FARE-01/02/03 (+ JRN-06, CARD-06, FARE-07): the bus/tram/metro journey's distance fare.
fn btm_fare<'r>(
    rules: &RuleSet,
    journey: &Journey,
    services: &[&Service],
    completed: &[usize],
    terms: &Terms<'r>,
    first_check_in_date: Date,
) -> Result<Priced<'r>, FareError> {
    // FARE-01 / FARE-11: the first leg's service caps the journey.
    let cap = services[0].max_fare_cents;
    let min = services[0].min_fare_cents;
    let row = base_fare_row(rules, first_check_in_date)?;
    let mut km_parts = Vec::with_capacity(completed.len());
    for &i in completed {
        let leg = &journey.legs[i];
        let to = leg
            .check_out
            .as_ref()
            .map_or(&leg.check_in.station, |stop| &stop.station);
        let tariff = btm_tariff(rules, &leg.operator, services[i], &leg.check_in.station, to)
            .ok_or_else(|| FareError::NoDistance {
                leg: i,
                from: leg.check_in.station.clone(),
                to: to.clone(),
            })?;
        km_parts.push(tariff.km_part(row.normal_cents));
    }
    // FARE-03: one base fare per journey, on the first completed leg.
    let with_base = |k: usize, base: Cents, km: Cents| {
        if k == 0 {
            km.checked_add(base)
                .ok_or_else(|| overflow("the base fare"))
        } else {
            Ok(km)
        }
    };
    let full_legs: Vec<Cents> = km_parts
        .iter()
        .enumerate()
        .map(|(k, &km)| with_base(k, row.normal_cents, km))
        .collect::<Result<_, _>>()?;
    let full = if completed.is_empty() {
        Cents::ZERO
    } else {
        let raw = sum(full_legs.iter().copied(), "the bus/tram/metro fare")?;
        clamp(raw, min.unwrap_or(Cents::ZERO), cap)
    };
    let product_total = discounted(full, terms.product_discount(), "the product discount")?;
    let by_product = Variant {
        shares: split(product_total, &weights_of(&full_legs)),
        total: product_total,
    };
    let by_age = if terms.age == AgeBand::Reduced && !completed.is_empty() {
        // CARD-06: the reduced base-fare row (data, FARE-02) and discounted km parts, at the
        // operators that give the age discount; capped like the full fare (as the reader does).
        let age = rules.age_discount();
        let mut age_legs = Vec::with_capacity(completed.len());
        for (k, (&i, &km)) in completed.iter().zip(&km_parts).enumerate() {
            let reduced = gives_age_discount(rules, &journey.legs[i].operator);
            let (base, km) = if reduced {
                (row.reduced_cents, discounted(km, age, "the age discount")?)
            } else {
                (row.normal_cents, km)
            };
            age_legs.push(with_base(k, base, km)?);
        }
        let raw = sum(age_legs.iter().copied(), "the age-discounted fare")?;
        let age_min = discounted(min.unwrap_or(Cents::ZERO), age, "the age discount")?;
        let total = clamp(raw, age_min, cap);
        Some(Variant {
            shares: split(total, &weights_of(&age_legs)),
            total,
        })
    } else {
        None
    };
    Ok(Priced::choose(rules, terms, cap, by_product, by_age))
}

fn weights_of(amounts: &[Cents]) -> Vec<u64> {
    amounts
        .iter()
        .map(|c| u64::try_from(c.get()).unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_exact_with_largest_remainders_and_ties_to_the_earlier_leg() {
        let parts = |total: i64, weights: &[u64]| -> Vec<i64> {
            split(Cents::new(total), weights)
                .into_iter()
                .map(Cents::get)
                .collect()
        };
        // 3000 over 113/73/73/66 km: 1043.08, 673.85, 673.85, 609.23 → +1 to both .85s.
        assert_eq!(parts(3000, &[113, 73, 73, 66]), [1043, 674, 674, 609]);
        // 10 over three equal legs: 3.33 each; the one cent left goes to the earliest.
        assert_eq!(parts(10, &[1, 1, 1]), [4, 3, 3]);
        assert_eq!(parts(7, &[0, 0]), [7, 0]);
        assert_eq!(parts(0, &[5, 0, 9]), [0, 0, 0]);
        assert_eq!(parts(5, &[]), Vec::<i64>::new());
    }

    #[test]
    fn scale_rounds_half_away_from_zero() {
        assert_eq!(scale_bp(Cents::new(315), 17_000), Some(Cents::new(536))); // 535.5
        assert_eq!(scale_bp(Cents::new(3000), 17_000), Some(Cents::new(5100)));
        assert_eq!(scale_bp(Cents::new(-315), 17_000), Some(Cents::new(-536)));
    }
}
