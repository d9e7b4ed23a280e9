//! Settlement and clearing (SET-01..03): per travel day, what travellers were charged and what
//! each operator is credited for the trips made with it, with a conservation check to the
//! cent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::money::Cents;

use super::{CardKey, DayView};

/// One operator's credit for a day (SET-01).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OperatorCredit {
    pub operator: String,
    pub trips: usize,
    pub credited_cents: Cents,
}

/// What travellers owe for the day, by means of payment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TravellerTotals {
    pub ov_chipkaart_cents: Cents,
    pub ovpay_cents: Cents,
    /// Refunds granted against the day's fares.
    pub refunds_cents: Cents,
    /// OVpay fares not (yet) collected.
    pub open_debt_cents: Cents,
}

/// SET-02: charged − refunds − open debt must equal what operators are credited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Conservation {
    pub collected_cents: Cents,
    pub credited_cents: Cents,
    pub balanced: bool,
}

/// The settlement statement of one travel day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Settlement {
    pub travel_day: String,
    pub operators: Vec<OperatorCredit>,
    pub travellers: TravellerTotals,
    pub conservation: Conservation,
}

/// What the OVpay payment engine adds to a day's statement (EMV-08..14, EMV-18).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OvpayDay {
    /// Refunds of the day's fares (paid back or set off against a debt).
    pub refunds_cents: Cents,
    /// Per bank card, what its payments for the day still owe.
    pub open_debt: BTreeMap<CardKey, Cents>,
}

/// Computes a day's statement without OVpay payments (nothing refunded, nothing owed).
pub fn settle(view: &DayView) -> Settlement {
    settle_with(view, &OvpayDay::default())
}

/// Computes a day's statement.
///
/// SET-02 with payments: `ovpay_cents` is what bank cards were charged or are due to be
/// charged — the day's fares plus what was refunded of earlier charges; refunds and open debt
/// are subtracted, and operators are credited only what was collected: a card's open debt is
/// taken from the operators' shares of that card's journeys in proportion to them (largest
/// remainder, ties to the operator first in name order). So charged − refunds − open debt =
/// credited, to the cent.
pub fn settle_with(view: &DayView, ovpay: &OvpayDay) -> Settlement {
    let add = |a: Cents, b: Cents| a.checked_add(b).expect("a day's fares fit in i64");
    let mut credits: BTreeMap<String, (usize, Cents)> = BTreeMap::new();
    let mut travellers = TravellerTotals {
        refunds_cents: ovpay.refunds_cents,
        ..TravellerTotals::default()
    };
    for card in &view.cards {
        if let Some(&debt) = ovpay.open_debt.get(&card.card) {
            travellers.open_debt_cents = add(travellers.open_debt_cents, debt);
            for (operator, cents) in apportion(debt, &card_shares(card)) {
                let entry = credits.entry(operator).or_default();
                entry.1 = entry.1.checked_sub(cents).expect("fits");
            }
        }
        for priced in &card.priced {
            match card.card {
                CardKey::OvChipkaart(_) => {
                    travellers.ov_chipkaart_cents =
                        add(travellers.ov_chipkaart_cents, priced.fare.total)
                }
                CardKey::Ovpay(_) => {
                    travellers.ovpay_cents = add(travellers.ovpay_cents, priced.fare.total)
                }
            }
            for share in &priced.fare.legs {
                let entry = credits.entry(share.operator.to_string()).or_default();
                entry.0 += 1;
                entry.1 = add(entry.1, share.fare);
            }
        }
    }
    let operators: Vec<OperatorCredit> = credits
        .into_iter()
        .map(|(operator, (trips, credited_cents))| OperatorCredit {
            operator,
            trips,
            credited_cents,
        })
        .collect();
    let credited_cents = operators
        .iter()
        .fold(Cents::ZERO, |sum, o| add(sum, o.credited_cents));
    // Charged before refunds: the refunded amounts were charged first.
    travellers.ovpay_cents = add(travellers.ovpay_cents, travellers.refunds_cents);
    let charged = add(travellers.ov_chipkaart_cents, travellers.ovpay_cents);
    let collected_cents = charged
        .checked_sub(travellers.refunds_cents)
        .and_then(|c| c.checked_sub(travellers.open_debt_cents))
        .expect("fits");
    Settlement {
        travel_day: view.day.0.to_string(),
        operators,
        travellers,
        conservation: Conservation {
            collected_cents,
            credited_cents,
            balanced: collected_cents == credited_cents,
        },
    }
}

/// One card's shares of the day's fares, per operator.
fn card_shares(card: &super::CardJourneys) -> BTreeMap<String, Cents> {
    let mut shares: BTreeMap<String, Cents> = BTreeMap::new();
    for share in card.priced.iter().flat_map(|p| &p.fare.legs) {
        let sum = shares.entry(share.operator.to_string()).or_default();
        *sum = sum.checked_add(share.fare).expect("fits");
    }
    shares
}

/// Splits `amount` over `weights` in proportion (largest remainder, ties to the first key).
/// Without any weight the whole amount goes to the first key (or nowhere).
fn apportion(amount: Cents, weights: &BTreeMap<String, Cents>) -> Vec<(String, Cents)> {
    let total: i128 = weights.values().map(|c| i128::from(c.get().max(0))).sum();
    if total == 0 {
        return weights
            .keys()
            .next()
            .map(|k| vec![(k.clone(), amount)])
            .unwrap_or_default();
    }
    let amount_i = i128::from(amount.get());
    let mut parts: Vec<(String, i128, i128)> = weights
        .iter()
        .map(|(k, w)| {
            let product = amount_i * i128::from(w.get().max(0));
            (
                k.clone(),
                product.div_euclid(total),
                product.rem_euclid(total),
            )
        })
        .collect();
    let mut left = amount_i - parts.iter().map(|p| p.1).sum::<i128>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| parts[b].2.cmp(&parts[a].2).then(a.cmp(&b)));
    for index in order {
        if left <= 0 {
            break;
        }
        parts[index].1 += 1;
        left -= 1;
    }
    parts
        .into_iter()
        .map(|(k, cents, _)| {
            let cents = i64::try_from(cents).expect("a share of an i64 amount fits");
            (k, Cents::new(cents))
        })
        .collect()
}

impl Settlement {
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("plain data serialises");
        text.push('\n');
        text
    }
}

/// SET-03: what a run credits on top of the previous statement of the same day (operators
/// whose credit did not change are left out).
pub fn credits_delta(previous: Option<&Settlement>, next: &Settlement) -> Vec<OperatorCredit> {
    let before = |operator: &str| {
        previous
            .and_then(|p| p.operators.iter().find(|o| o.operator == operator))
            .map_or((0, Cents::ZERO), |o| (o.trips, o.credited_cents))
    };
    let mut names: Vec<&str> = next.operators.iter().map(|o| o.operator.as_str()).collect();
    if let Some(p) = previous {
        names.extend(p.operators.iter().map(|o| o.operator.as_str()));
    }
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter_map(|operator| {
            let (trips_now, now) = next
                .operators
                .iter()
                .find(|o| o.operator == operator)
                .map_or((0, Cents::ZERO), |o| (o.trips, o.credited_cents));
            let (trips_before, then) = before(operator);
            let delta = now.checked_sub(then).expect("fits");
            (delta != Cents::ZERO || trips_now != trips_before).then(|| OperatorCredit {
                operator: operator.to_string(),
                trips: trips_now.saturating_sub(trips_before),
                credited_cents: delta,
            })
        })
        .collect()
}
