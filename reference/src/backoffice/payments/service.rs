//! The OVpay service without an account (website, app, customer service): the traveller names a
//! payment by its reference and the amount debited, and sees that payment's journeys
//! (EMV-15) or corrects a missed check-out in them (EMV-18).
//!
//! There is no other way in: no search by PAN, token or IBAN exists, and a reference with the
//! wrong amount, a malformed reference and a payment older than `ovpay.history_months` all give
//! the same [`Lookup::NotFound`], so the answer tells nothing about references that exist.

use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::backoffice::journey::{Leg, LegStatus};
use crate::backoffice::{BackOffice, BackOfficeError, CardKey, PricedJourney, StoredTap};
use crate::deny::DenyKey;
use crate::money::Cents;
use crate::rules::{Mode, OperatorId, RuleSet, StationId};
use crate::tap::{ReaderRef, TapKind};
use crate::time::{TravelDay, local_text};

use super::{Payment, PaymentReference, Refund, within_history};

/// One leg as the traveller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LegView {
    pub operator: OperatorId,
    pub mode: Mode,
    pub from: String,
    pub check_in_at: String,
    pub to: Option<String>,
    pub check_out_at: Option<String>,
    pub status: LegStatus,
    pub fare_cents: Cents,
}

/// One journey as the traveller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JourneyView {
    pub travel_day: TravelDay,
    pub fare_cents: Cents,
    pub legs: Vec<LegView>,
}

/// EMV-15: what the service shows for a reference and amount: the payment, its journeys, the
/// refunds of its travel day, and the card's open debt and block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ServiceView {
    pub payment: Payment,
    pub journeys: Vec<JourneyView>,
    pub refunds: Vec<Refund>,
    pub open_debt_cents: Cents,
    pub blocked: bool,
}

/// EMV-15: the answer to a lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Lookup {
    Found(Box<ServiceView>),
    NotFound,
}

/// EMV-15: the payment named by `reference` and `amount`, if it is still kept at `now`.
fn find<'o>(
    office: &'o BackOffice,
    rules: &RuleSet,
    reference: &str,
    amount: Cents,
    now: Timestamp,
) -> Option<&'o Payment> {
    let reference = PaymentReference::parse(reference)?;
    office.payments.payments.iter().find(|p| {
        p.reference == reference
            && p.amount_cents == amount
            && p.created_at <= now
            && within_history(rules, p.created_at, now)
    })
}

/// EMV-15: looks a payment up by reference and amount, never otherwise.
pub fn lookup(
    office: &BackOffice,
    rules: &RuleSet,
    reference: &str,
    amount: Cents,
    now: Timestamp,
) -> Result<Lookup, BackOfficeError> {
    let Some(payment) = find(office, rules, reference, amount, now) else {
        return Ok(Lookup::NotFound);
    };
    let key = CardKey::Ovpay(payment.card.clone());
    let journeys = office.journeys(rules, &key, now)?;
    let views = journeys
        .priced
        .iter()
        .filter(|p| covers(payment, p))
        .map(|p| journey_view(rules, p))
        .collect();
    let refunds = office
        .payments
        .refunds
        .iter()
        .filter(|r| r.card == payment.card && r.travel_day == payment.travel_day)
        .cloned()
        .collect();
    let deny_key = DenyKey::Token {
        token: payment.card.clone(),
    };
    Ok(Lookup::Found(Box::new(ServiceView {
        payment: payment.clone(),
        journeys: views,
        refunds,
        open_debt_cents: office.payments.open_debt(&payment.card),
        blocked: office.deny.reason(&deny_key).is_some(),
    })))
}

/// Whether the payment charged (part of) this journey.
fn covers(payment: &Payment, priced: &PricedJourney) -> bool {
    priced.journey.legs.first().is_some_and(|first| {
        payment
            .lines
            .iter()
            .any(|l| l.journey == first.check_in.tap_id)
    })
}

fn journey_view(rules: &RuleSet, priced: &PricedJourney) -> JourneyView {
    JourneyView {
        travel_day: priced.journey.travel_day,
        fare_cents: priced.fare.total,
        legs: priced
            .journey
            .legs
            .iter()
            .zip(&priced.fare.legs)
            .map(|(leg, share)| leg_view(rules, leg, share.fare))
            .collect(),
    }
}

fn leg_view(rules: &RuleSet, leg: &Leg, fare: Cents) -> LegView {
    LegView {
        operator: leg.operator.clone(),
        mode: leg.mode,
        from: station_name(rules, &leg.check_in.station),
        check_in_at: local_text(leg.check_in.at),
        to: leg
            .check_out
            .as_ref()
            .map(|s| station_name(rules, &s.station)),
        check_out_at: leg.check_out.as_ref().map(|s| local_text(s.at)),
        status: leg.status,
        fare_cents: fare,
    }
}

pub(crate) fn station_name(rules: &RuleSet, id: &str) -> String {
    rules
        .station(id)
        .map_or_else(|| id.to_string(), |s| s.name.clone())
}

/// EMV-18: "I forgot to check out; I got off there, then."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CorrectionRequest {
    /// The payment that charged the journey, as on the bank statement.
    pub reference: String,
    pub amount_cents: Cents,
    /// The check-in of the leg without check-out.
    pub check_in_at: Timestamp,
    /// Where and when the traveller got off.
    pub check_out_station: StationId,
    pub check_out_at: Timestamp,
}

/// EMV-18: why a correction was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CorrectionRefusal {
    /// No payment with this reference and amount (or no longer kept).
    PaymentNotFound,
    /// The payment's journeys have no leg without check-out checked in at that time.
    NoMissingCheckOut,
    UnknownStation,
    /// The leg's operator does not serve the station in the leg's mode.
    StationNotServed,
    /// The check-out must lie after the check-in, before the card's next tap in that
    /// transport class and before the end of the travel day.
    CheckOutTimeOutOfRange,
    /// The corrected journey has no fare (e.g. no distance between the stations).
    NotPriceable,
}

/// EMV-18: the result of a correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum CorrectionOutcome {
    /// The journey was re-priced; the difference was refunded (set off against an open debt
    /// first) or charged.
    Corrected {
        fare_before_cents: Cents,
        fare_after_cents: Cents,
        refunded_cents: Cents,
        charged_cents: Cents,
    },
    Refused {
        reason: CorrectionRefusal,
    },
}

fn refused(reason: CorrectionRefusal) -> Result<CorrectionOutcome, BackOfficeError> {
    Ok(CorrectionOutcome::Refused { reason })
}

/// EMV-18: the service adds the check-out the traveller states (a service-made tap at the
/// leg's operator, in its mode, at the stated station and time), so the journey is rebuilt and
/// re-priced like any other; the payment engine then refunds or charges the difference.
pub fn correct(
    office: &mut BackOffice,
    rules: &RuleSet,
    request: &CorrectionRequest,
    now: Timestamp,
) -> Result<CorrectionOutcome, BackOfficeError> {
    use CorrectionRefusal::*;
    let Some(payment) = find(office, rules, &request.reference, request.amount_cents, now) else {
        return refused(PaymentNotFound);
    };
    let card = payment.card.clone();
    let key = CardKey::Ovpay(card.clone());
    let before = office.journeys(rules, &key, now)?;
    let found = before
        .priced
        .iter()
        .filter(|p| covers(payment, p))
        .find_map(|p| {
            p.journey
                .legs
                .iter()
                .find(|l| {
                    l.status == LegStatus::MissingCheckOut && l.check_in.at == request.check_in_at
                })
                .map(|leg| (p, leg.clone()))
        });
    let Some((journey, leg)) = found else {
        return refused(NoMissingCheckOut);
    };
    let fare_before = journey.fare.total;
    let travel_day = journey.journey.travel_day;
    let Some(station) = rules.station(&request.check_out_station) else {
        return refused(UnknownStation);
    };
    if !station
        .served_by
        .iter()
        .any(|s| s.operator == leg.operator && s.mode == leg.mode)
    {
        return refused(StationNotServed);
    }
    let Some(check_in) = office.tap(&leg.check_in.tap_id).cloned() else {
        return refused(NoMissingCheckOut);
    };
    if !in_range(office, rules, &check_in, travel_day, request.check_out_at) {
        return refused(CheckOutTimeOutOfRange);
    }
    let tap_id = office.next_correction_id();
    let tap = StoredTap {
        tap_id: tap_id.clone(),
        reader: Arc::new(ReaderRef {
            operator: leg.operator.clone(),
            mode: leg.mode,
            station: station.id.clone(),
            device: 0,
            device_kind: check_in.reader.device_kind,
            vehicle: check_in.reader.vehicle.clone(),
        }),
        at: request.check_out_at,
        card: key.clone(),
        kind: TapKind::Emv,
        amounts: Default::default(),
    };
    office.store_tap(tap);
    let after = match office.journeys(rules, &key, now) {
        Ok(after) => after,
        Err(_) => {
            office.unstore_tap(&tap_id);
            return refused(NotPriceable);
        }
    };
    let Some(corrected) = after.priced.iter().find(|p| {
        p.journey.legs.iter().any(|l| {
            l.check_in.tap_id == leg.check_in.tap_id
                && l.check_out.as_ref().is_some_and(|o| o.tap_id == tap_id)
        })
    }) else {
        office.unstore_tap(&tap_id);
        return refused(NoMissingCheckOut);
    };
    let fare_after = corrected.fare.total;
    let (payments_before, refunds_before) = (
        office.payments.payments.len(),
        office.payments.refunds.len(),
    );
    super::run(office, rules, now)?;
    let sum = |amounts: &mut dyn Iterator<Item = Cents>| {
        amounts.fold(Cents::ZERO, |s, c| s.checked_add(c).expect("small"))
    };
    let charged_cents = sum(&mut office.payments.payments[payments_before..]
        .iter()
        .filter(|p| p.card == card)
        .map(|p| p.amount_cents));
    let refunded_cents = sum(&mut office.payments.refunds[refunds_before..]
        .iter()
        .filter(|r| r.card == card)
        .map(|r| r.amount_cents));
    Ok(CorrectionOutcome::Corrected {
        fare_before_cents: fare_before,
        fare_after_cents: fare_after,
        refunded_cents,
        charged_cents,
    })
}

/// EMV-18: a stated check-out lies after the check-in, before the end of the travel day and
/// before the card's next tap in the same transport class (which closed the leg).
fn in_range(
    office: &BackOffice,
    rules: &RuleSet,
    check_in: &StoredTap,
    day: TravelDay,
    at: Timestamp,
) -> bool {
    let class = check_in.reader.mode.class();
    let next = office
        .taps
        .values()
        .filter(|t| {
            t.card == check_in.card
                && t.kind == TapKind::Emv
                && t.at > check_in.at
                && t.reader.mode.class() == class
        })
        .map(|t| t.at)
        .min();
    at > check_in.at
        && at < rules.travel_day_rule().end_of(day)
        && next.is_none_or(|next| at < next)
}
