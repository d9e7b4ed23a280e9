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

use super::journey::{Direction, OpenLegPolicy, QualifiedTap};
use super::{CardKey, StoredTap};

/// One card's taps, qualified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualified {
    pub taps: Vec<QualifiedTap>,
    pub policy: OpenLegPolicy,
    /// Taps that were attempts to pay a debt, not travel.
    pub settle_debt: Vec<TapId>,
}

/// Qualifies one card's taps, given in processing order.
pub fn qualify(rules: &RuleSet, card: &CardKey, taps: &[&StoredTap], deny: &DenyList) -> Qualified {
    match card {
        CardKey::OvChipkaart(_) => Qualified {
            taps: taps.iter().filter_map(|t| reader_qualified(t)).collect(),
            policy: OpenLegPolicy::OneOpenLeg,
            settle_debt: Vec::new(),
        },
        CardKey::Ovpay(token) => {
            let debt_since = deny
                .entry(&DenyKey::Token {
                    token: token.clone(),
                })
                .filter(|e| e.reason == DenyReason::SettlementFailed)
                .map(|e| e.since);
            qualify_bank_card(rules, taps, debt_since)
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
/// this transport class on the same travel day, otherwise a tap-in. From the moment the card
/// is deny-listed for a failed settlement, a tap that is no tap-out is a tap to settle the
/// debt (EMV-12: check-out stays possible, check-in does not); so is the reader's refused tap.
fn qualify_bank_card(
    rules: &RuleSet,
    taps: &[&StoredTap],
    debt_since: Option<Timestamp>,
) -> Qualified {
    let day_rule = rules.travel_day_rule();
    let mut open: Vec<(TransportClass, &StoredTap)> = Vec::new();
    let mut qualified = Vec::new();
    let mut settle_debt = Vec::new();
    for tap in taps
        .iter()
        .filter(|t| matches!(t.kind, TapKind::Emv | TapKind::Refused))
    {
        let in_debt = debt_since.is_some_and(|since| tap.at >= since);
        let class = tap.reader.mode.class();
        let day = day_rule.travel_day_of(tap.at);
        let position = open.iter().position(|(c, t)| {
            *c == class
                && t.reader.operator == tap.reader.operator
                && day_rule.travel_day_of(t.at) == day
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
                open.retain(|(c, _)| *c != class);
                open.push((class, tap));
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
