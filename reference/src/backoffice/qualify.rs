//! Tap qualification (EMV-06): each tap becomes a tap-in, a tap-out or a tap to settle an
//! outstanding debt.
//!
//! An OV-chipkaart reader already decided (check-in / check-out) and the chip enforces one
//! open check-in; a bank card carries no state, so the back office qualifies its taps itself,
//! from the card's earlier taps, with one open leg per transport class (JRN-09).

use jiff::Timestamp;

use crate::deny::{DenyKey, DenyList, DenyReason};
use crate::rules::{RuleSet, TransportClass};
use crate::tap::{TapId, TapKind};
use crate::time::TravelDay;

use super::journey::{Direction, OpenLegPolicy, QualifiedTap};
use super::payments::DebtPeriod;
use super::{CardKey, StoredTap};

/// One card's taps, qualified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualified {
    pub taps: Vec<QualifiedTap>,
    pub policy: OpenLegPolicy,
    /// Taps that were attempts to pay a debt, not travel.
    pub settle_debt: Vec<TapId>,
}

/// Qualifies one card's taps, given in processing order. `debts` are the card's debt periods
/// kept by the payment engine (EMV-12): a tap inside one was made while the card was blocked
/// for a failed settlement, even if the block has been lifted since.
pub fn qualify(
    rules: &RuleSet,
    card: &CardKey,
    taps: &[&StoredTap],
    deny: &DenyList,
    debts: &[DebtPeriod],
) -> Qualified {
    match card {
        CardKey::OvChipkaart(_) => Qualified {
            taps: taps.iter().filter_map(|t| reader_qualified(t)).collect(),
            policy: OpenLegPolicy::OneOpenLeg,
            settle_debt: Vec::new(),
        },
        CardKey::Ovpay(token) => {
            // A listing for a failed settlement made directly on the list (not by the payment
            // engine) counts from its `since` as well.
            let listed_since = deny
                .entry_for(
                    &DenyKey::Token {
                        token: token.clone(),
                    },
                    DenyReason::SettlementFailed,
                )
                .map(|e| e.since);
            let in_debt = |at: Timestamp| {
                listed_since.is_some_and(|since| at >= since)
                    || debts.iter().any(|d| d.contains(at))
            };
            qualify_bank_card(rules, taps, in_debt)
        }
    }
}

fn reader_qualified(tap: &StoredTap) -> Option<QualifiedTap> {
    let direction = match tap.kind {
        TapKind::CheckIn => Direction::In,
        TapKind::CheckOut => Direction::Out,
        TapKind::MissingCheckOut | TapKind::Refused | TapKind::Emv => return None,
    };
    Some(to_qualified(tap, direction))
}

/// EMV-06: a bank-card tap is a tap-out when the card has an open leg at this operator in
/// this transport class on the same travel day, otherwise a tap-in. While the card is
/// deny-listed for a failed settlement, a tap that is no tap-out is a tap to settle the debt
/// (EMV-12: check-out stays possible, check-in does not; EMV-14: the tap starts a payment); so
/// is the reader's refused tap.
fn qualify_bank_card(
    rules: &RuleSet,
    taps: &[&StoredTap],
    in_debt: impl Fn(Timestamp) -> bool,
) -> Qualified {
    let day_rule = rules.travel_day_rule();
    // Each open tap-in with its class and its travel day, placed once when it opens.
    let mut open: Vec<(TransportClass, &StoredTap, TravelDay)> = Vec::new();
    let mut qualified = Vec::new();
    let mut settle_debt = Vec::new();
    for tap in taps
        .iter()
        .filter(|t| matches!(t.kind, TapKind::Emv | TapKind::Refused))
    {
        let in_debt = in_debt(tap.at);
        let class = tap.reader.mode.class();
        let day = day_rule.travel_day_of(tap.at);
        let position = open.iter().position(|(c, t, open_day)| {
            *c == class && t.reader.operator == tap.reader.operator && *open_day == day
        });
        match (tap.kind, position) {
            (TapKind::Emv, Some(index)) => {
                open.remove(index);
                qualified.push(to_qualified(tap, Direction::Out));
            }
            _ if in_debt => settle_debt.push(tap.tap_id.clone()),
            // A refused tap outside a debt (e.g. a card blocked by its bank) is a failed tap.
            (TapKind::Refused, _) => {}
            _ => {
                open.retain(|(c, ..)| *c != class);
                open.push((class, tap, day));
                qualified.push(to_qualified(tap, Direction::In));
            }
        }
    }
    Qualified {
        taps: qualified,
        policy: OpenLegPolicy::OnePerClass,
        settle_debt,
    }
}

fn to_qualified(tap: &StoredTap, direction: Direction) -> QualifiedTap {
    QualifiedTap {
        tap_id: tap.tap_id.clone(),
        at: tap.at,
        operator: tap.reader.operator.clone(),
        mode: tap.reader.mode,
        station: tap.reader.station.clone(),
        device: tap.reader.device,
        vehicle: tap.reader.vehicle.clone(),
        direction,
    }
}
