//! TERM-16: refunds for journeys without check-out. The back office's journey with the missing
//! check-out is priced again as if the traveller had checked out where they say they left;
//! the refund is what the kept deposit exceeds that fare.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::backoffice::fare::{self, FareContext, PaymentMeans};
use crate::backoffice::journey::{LegStatus, Stop};
use crate::backoffice::{BackOffice, CardKey};
use crate::money::Cents;
use crate::rules::{ClaimPeriod, RuleSet};
use crate::tap::TapId;

use super::account::{Account, LedgerKind, MissedClaim, RefundKind, sub};
use super::calendar::{self, HalfYear};
use super::{CardAccounts, MissedRefund, Outcome, TermsRefusal};
use crate::card::CardNumber;

/// The journey a claim is about, priced twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Repriced {
    pub operator: String,
    /// What the journey cost with the deposit kept (JRN-07).
    pub charged: Cents,
    /// What it costs with the check-out the holder states.
    pub corrected: Cents,
}

/// TERM-16: the checks of a claim made at `now` for the journey checked in at
/// `checked_in_at`, in the order a service desk makes them.
pub fn assess(
    rules: &RuleSet,
    back_office: &BackOffice,
    account: &Account,
    now: Timestamp,
    checked_in_at: Timestamp,
    exit_station: &str,
) -> Result<(Repriced, HalfYear), TermsRefusal> {
    let limits = &rules.terms.missed_check_out;
    let key = CardKey::OvChipkaart(account.number);
    let journeys = back_office
        .journeys(rules, &key, now)
        .map_err(|_| TermsRefusal::NoMissedCheckOut)?;
    let priced = journeys
        .priced
        .iter()
        .find(|p| {
            p.journey.legs.last().is_some_and(|leg| {
                leg.status == LegStatus::MissingCheckOut
                    && leg.check_in.at.as_second() == checked_in_at.as_second()
            })
        })
        .ok_or(TermsRefusal::NoMissedCheckOut)?;
    let leg = priced.journey.legs.last().expect("found by its last leg");
    let operator = leg.operator.clone();
    if limits.own_conditions_operators.contains(&operator) {
        return Err(TermsRefusal::OperatorOwnConditions);
    }
    let journey_date = calendar::date_of(leg.check_in.at);
    let today = calendar::date_of(now);
    let age_days = calendar::days_between(journey_date, today);
    if age_days < i64::from(limits.available_after_days) {
        return Err(TermsRefusal::TooEarly);
    }
    let max_age = limits
        .max_age_overrides
        .iter()
        .find(|o| o.operator == operator)
        .map_or(limits.max_age_days, |o| o.days);
    if age_days > i64::from(max_age) {
        return Err(TermsRefusal::JourneyTooOld);
    }
    if account
        .missed
        .iter()
        .any(|c| c.checked_in_at.as_second() == checked_in_at.as_second())
    {
        return Err(TermsRefusal::AlreadyRefunded);
    }
    let period = HalfYear::of(match limits.period {
        ClaimPeriod::HalfYearOfClaim => today,
        ClaimPeriod::HalfYearOfJourney => journey_date,
    });
    let used = account
        .missed
        .iter()
        .filter(|c| c.operator == operator && c.period == period)
        .count();
    if used >= limits.max_claims_per_operator as usize {
        return Err(TermsRefusal::ClaimLimitReached);
    }
    if rules.station(exit_station).is_none() {
        return Err(TermsRefusal::UnknownStation);
    }
    let mut corrected_journey = priced.journey.clone();
    let last = corrected_journey.legs.last_mut().expect("non-empty");
    last.status = LegStatus::Completed;
    last.check_out = Some(Stop {
        tap_id: TapId("missed-check-out-claim".into()),
        at: last.check_in.at,
        station: exit_station.into(),
        device: 0,
        vehicle: last.check_in.vehicle.clone(),
    });
    let products: Vec<_> = account
        .products
        .iter()
        .filter(|p| !account.blocks.products.contains(&p.code))
        .cloned()
        .collect();
    let context = FareContext {
        means: PaymentMeans::OvChipkaart { kind: account.kind },
        birth_date: account.holder.as_ref().map(|h| h.birth_date),
        products: &products,
    };
    let corrected = fare::journey_fare(rules, &corrected_journey, &context)
        .map_err(|_| TermsRefusal::UnknownStation)?
        .total;
    let charged = priced.fare.total;
    if corrected >= charged {
        return Err(TermsRefusal::NothingToRefund);
    }
    Ok((
        Repriced {
            operator: operator.to_string(),
            charged,
            corrected,
        },
        period,
    ))
}

impl CardAccounts {
    /// TERM-16: a refund for a journey without check-out, checked in at `checked_in_at`,
    /// where the holder says they left at `exit_station`.
    pub fn claim_missed_check_out(
        &mut self,
        rules: &RuleSet,
        back_office: &BackOffice,
        now: Timestamp,
        number: CardNumber,
        checked_in_at: Timestamp,
        exit_station: &str,
    ) -> Outcome<MissedRefund> {
        let account = match self.under_terms(number) {
            Ok(account) => account,
            Err(reason) => return reason.into(),
        };
        let (repriced, period) = match assess(
            rules,
            back_office,
            account,
            now,
            checked_in_at,
            exit_station,
        ) {
            Ok(assessed) => assessed,
            Err(reason) => return reason.into(),
        };
        let refund = sub(repriced.charged, repriced.corrected);
        account.book(now, LedgerKind::FareCorrection, refund);
        let set_off = account.set_off(rules, now, refund);
        let paid = sub(refund, set_off);
        account.book(now, LedgerKind::Refund(RefundKind::MissedCheckOut), paid);
        account.missed.push(MissedClaim {
            checked_in_at,
            operator: repriced.operator.clone(),
            claimed_on: calendar::date_of(now),
            period,
            refund,
        });
        let claims_in_period = account
            .missed
            .iter()
            .filter(|c| c.operator == repriced.operator && c.period == period)
            .count();
        Outcome::Done(MissedRefund {
            operator: repriced.operator,
            period,
            claims_in_period: u32::try_from(claims_in_period).unwrap_or(u32::MAX),
            charged: repriced.charged,
            corrected_fare: repriced.corrected,
            refund,
            set_off,
            paid,
        })
    }
}
