//! EMV-16: inspection of a bank card. The inspector's device shows whether the card is checked
//! in; with the traveller's consent also the card's last `ovpay.inspection_max_transactions`
//! transactions of at most `ovpay.inspection_max_age_days` days back. The device shows them at
//! most `ovpay.inspection_visible_min` minutes, or until another card is presented.
//!
//! The view carries no PAN and no token: station names, times, operators and what each tap
//! meant.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::backoffice::report::TransactionKind;
use crate::backoffice::tokens::CardToken;
use crate::backoffice::{BackOffice, BackOfficeError, CardKey};
use crate::rules::{Mode, OperatorId, RuleSet};
use crate::tap::{TapId, TapKind};
use crate::time::local;

use super::service::station_name;
use crate::time::local_text;

/// An open check-in the inspector sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OpenTrip {
    pub operator: OperatorId,
    pub mode: Mode,
    pub station: String,
    pub since: String,
}

/// One transaction the inspector sees (with consent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TransactionView {
    pub at: String,
    pub operator: OperatorId,
    pub mode: Mode,
    pub station: String,
    pub kind: TransactionKind,
}

/// EMV-16: what an inspection shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InspectionView {
    /// The card's open check-ins (one per transport class at most, JRN-09); empty when the
    /// card is not checked in.
    pub checked_in: Vec<OpenTrip>,
    /// Whether the traveller consented to showing the transactions.
    pub consent: bool,
    /// Newest first; empty without consent.
    pub transactions: Vec<TransactionView>,
}

/// EMV-16: the inspection view of a card at `now`.
pub fn view(
    office: &BackOffice,
    rules: &RuleSet,
    card: &CardToken,
    consent: bool,
    now: Timestamp,
) -> Result<InspectionView, BackOfficeError> {
    let key = CardKey::Ovpay(card.clone());
    let journeys = office.journeys(rules, &key, now)?;
    let checked_in = journeys
        .built
        .open
        .iter()
        .map(|leg| OpenTrip {
            operator: leg.operator.clone(),
            mode: leg.mode,
            station: station_name(rules, &leg.check_in.station),
            since: local_text(leg.check_in.at),
        })
        .collect();
    if !consent {
        return Ok(InspectionView {
            checked_in,
            consent,
            transactions: Vec::new(),
        });
    }
    let mut meaning: BTreeMap<&TapId, TransactionKind> = BTreeMap::new();
    for leg in journeys
        .built
        .journeys
        .iter()
        .flat_map(|j| &j.legs)
        .chain(&journeys.built.open)
    {
        meaning.insert(&leg.check_in.tap_id, TransactionKind::CheckIn);
        if let Some(out) = &leg.check_out {
            meaning.insert(&out.tap_id, TransactionKind::CheckOut);
        }
    }
    for id in &journeys.settle_debt {
        meaning.insert(id, TransactionKind::SettleDebt);
    }
    // EMV-16: at most 62 calendar days back: taps on or after today − 62 days.
    let oldest = local(now)
        .date()
        .checked_sub(Span::new().days(i64::from(rules.ovpay.inspection_max_age_days)))
        .expect("dates in use are within range");
    let mut taps: Vec<_> = office
        .taps()
        .into_iter()
        .filter(|t| t.card == key && t.at <= now && local(t.at).date() >= oldest)
        .collect();
    taps.reverse();
    let transactions = taps
        .into_iter()
        .take(rules.ovpay.inspection_max_transactions as usize)
        .map(|t| TransactionView {
            at: local_text(t.at),
            operator: t.reader.operator.clone(),
            mode: t.reader.mode,
            station: station_name(rules, &t.reader.station),
            kind: match t.kind {
                TapKind::Refused if !meaning.contains_key(&t.tap_id) => TransactionKind::Failed,
                _ => meaning
                    .get(&t.tap_id)
                    .copied()
                    .unwrap_or(TransactionKind::Unmatched),
            },
        })
        .collect();
    Ok(InspectionView {
        checked_in,
        consent,
        transactions,
    })
}

/// EMV-16: an inspector's device: it shows one card's view, for at most the visible time,
/// and forgets it when another card is presented.
#[derive(Debug, Clone, Default)]
pub struct InspectionDevice {
    shown: Option<Shown>,
}

#[derive(Debug, Clone)]
struct Shown {
    card: CardToken,
    at: Timestamp,
    view: InspectionView,
}

impl InspectionDevice {
    /// A card is presented: its view replaces whatever was shown.
    pub fn present(&mut self, card: CardToken, view: InspectionView, now: Timestamp) {
        self.shown = Some(Shown {
            card,
            at: now,
            view,
        });
    }

    /// What the screen shows at `now`: nothing once `inspection_visible_min` minutes have
    /// passed since the card was presented (at 5:00 it is gone, at 4:59 still there).
    pub fn screen(&self, rules: &RuleSet, now: Timestamp) -> Option<&InspectionView> {
        let shown = self.shown.as_ref()?;
        let visible = SignedDuration::from_mins(i64::from(rules.ovpay.inspection_visible_min));
        (now.duration_since(shown.at) < visible).then_some(&shown.view)
    }

    /// Whether the screen shows this card's view at `now`.
    pub fn shows(&self, rules: &RuleSet, card: &CardToken, now: Timestamp) -> bool {
        self.screen(rules, now).is_some() && self.shown.as_ref().is_some_and(|s| &s.card == card)
    }

    /// Forgets what was shown once it may no longer be shown (EMV-16: the data are deleted).
    pub fn expire(&mut self, rules: &RuleSet, now: Timestamp) {
        if self.screen(rules, now).is_none() {
            self.shown = None;
        }
    }
}
