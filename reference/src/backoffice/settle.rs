//! Settlement and clearing (SET-01..03): per travel day, what travellers were charged and what
//! each operator is credited for the trips made with it, with a conservation check to the
//! cent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::money::Cents;

use super::{CardKey, DayView};

/// One operator's credit for a day (SET-01).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorCredit {
    pub operator: String,
    pub trips: usize,
    pub credited_cents: Cents,
}

/// What travellers owe for the day, by means of payment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct Conservation {
    pub collected_cents: Cents,
    pub credited_cents: Cents,
    pub balanced: bool,
}

/// The settlement statement of one travel day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub travel_day: String,
    pub operators: Vec<OperatorCredit>,
    pub travellers: TravellerTotals,
    pub conservation: Conservation,
}

/// Computes a day's statement. Refunds and open debt are zero until payments exist; the
/// fields are there so the conservation rule is stated in full.
pub fn settle(view: &DayView) -> Settlement {
    let add = |a: Cents, b: Cents| a.checked_add(b).expect("a day's fares fit in i64");
    let mut credits: BTreeMap<String, (usize, Cents)> = BTreeMap::new();
    let mut travellers = TravellerTotals::default();
    for card in &view.cards {
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
                let entry = credits.entry(share.operator.clone()).or_default();
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
