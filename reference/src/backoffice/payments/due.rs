//! The bank cards' own due events, kept between the engine's searches for the next event.
//!
//! A card's events (eligibility of its taps, self-payments, charges and refunds of its days)
//! depend on its taps, settings and payment state and on the run's `now` and watermark. The
//! engine recomputes them only for cards marked changed since the last search — a new tap, an
//! event applied to the card, a status check, a bank block — and for every card when the
//! run's instants changed or something that may concern any card did (the deny list, the
//! bank simulator, a correction, a settlement). Cards without due events are not kept.
//!
//! While the back office is small (as in every scenario and property test), builds with debug
//! assertions also search every card afresh and require the same events, so a change that
//! forgets to mark a card fails the tests instead of skipping a charge.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::{BackOffice, BackOfficeError, CardKey, CardToken, Event, RuleSet, card_events};

/// Up to this many stored taps, debug builds check the kept events against a full search.
#[cfg(debug_assertions)]
const CHECKED_UP_TO_TAPS: usize = 2_000;

#[derive(Debug, Clone, Default)]
pub(super) struct DueByCard {
    /// The run's `now` and watermark the events were computed for.
    computed_for: Option<(Timestamp, Timestamp)>,
    /// Per bank card in token order, its events due by `now` (never empty).
    due: BTreeMap<CardToken, Vec<(Timestamp, Event)>>,
    /// Cards to compute again before the next search.
    changed: BTreeSet<CardToken>,
}

impl DueByCard {
    pub(super) fn card_changed(&mut self, card: &CardToken) {
        if self.computed_for.is_some() {
            self.changed.insert(card.clone());
        }
    }

    pub(super) fn everything_changed(&mut self) {
        self.computed_for = None;
        self.changed.clear();
    }

    /// Every kept event, cards in token order.
    pub(super) fn events(&self) -> impl Iterator<Item = &(Timestamp, Event)> {
        self.due.values().flatten()
    }
}

/// Brings the kept events up to date for a search at `now` with `watermark`.
pub(super) fn refresh(
    office: &mut BackOffice,
    rules: &RuleSet,
    now: Timestamp,
    watermark: Timestamp,
) -> Result<(), BackOfficeError> {
    let kept = &office.payments.due;
    let cards: Vec<CardToken> = if kept.computed_for == Some((now, watermark)) {
        kept.changed.iter().cloned().collect()
    } else {
        office.payments.due.due.clear();
        bank_cards(office)
    };
    let mut computed = Vec::with_capacity(cards.len());
    for card in cards {
        let events = card_events(office, rules, now, watermark, &card)?;
        computed.push((card, events));
    }
    let kept = &mut office.payments.due;
    for (card, events) in computed {
        if events.is_empty() {
            kept.due.remove(&card);
        } else {
            kept.due.insert(card, events);
        }
    }
    kept.changed.clear();
    kept.computed_for = Some((now, watermark));
    #[cfg(debug_assertions)]
    if office.tap_count() <= CHECKED_UP_TO_TAPS {
        let mut fresh = BTreeMap::new();
        for card in bank_cards(office) {
            let events = card_events(office, rules, now, watermark, &card)?;
            if !events.is_empty() {
                fresh.insert(card, events);
            }
        }
        assert!(
            office.payments.indexes_agree(),
            "the payments' per-card ledgers or open set differ from a full scan"
        );
        assert_eq!(
            office.payments.due.due, fresh,
            "kept payment events differ from a full search: a change did not mark its card"
        );
    }
    Ok(())
}

fn bank_cards(office: &BackOffice) -> Vec<CardToken> {
    office
        .cards()
        .into_iter()
        .filter_map(|key| match key {
            CardKey::Ovpay(token) => Some(token),
            CardKey::OvChipkaart(_) => None,
        })
        .collect()
}
