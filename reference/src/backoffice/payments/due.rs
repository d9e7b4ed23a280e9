//! The bank cards' own due events, kept between the engine's searches for the next event.
//!
//! A card's events (eligibility of its taps, self-payments, charges and refunds of its days)
//! depend on its taps, settings and payment state and on the run's `now` and watermark. The
//! engine recomputes them only for cards marked changed since the last search — a new tap, an
//! event applied to the card, a status check, a bank block — and for every card when the
//! run's instants changed or something that may concern any card did (the deny list, the
//! bank simulator, a correction, a settlement). Cards without due events are not kept. When
//! only time moved, cards "at rest" (nothing due and every travel day ended) are skipped:
//! time alone gives them nothing. The next event is read from an index of each card's first
//! event, so applying many events (a night's charges) does not read every card per event.
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
    /// Each kept card's first event by (instant, rank), ordered so that the first entry is
    /// the next of all cards' events: a search reads one entry, not every card's events.
    firsts: BTreeSet<(Timestamp, u8, CardToken)>,
    /// Cards to compute again before the next search.
    changed: BTreeSet<CardToken>,
    /// Cards with nothing due whose every travel day had ended when they were computed:
    /// time passing alone gives them no event (their days are charged, their taps checked),
    /// so a search at a later instant skips them until they change.
    at_rest: BTreeSet<CardToken>,
}

impl DueByCard {
    pub(super) fn card_changed(&mut self, card: &CardToken) {
        self.at_rest.remove(card);
        if self.computed_for.is_some() {
            self.changed.insert(card.clone());
        }
    }

    pub(super) fn everything_changed(&mut self) {
        self.computed_for = None;
        self.changed.clear();
        self.at_rest.clear();
    }

    /// The next of the kept events: the earliest by (instant, rank); among equals the card
    /// first in token order, and within a card the first in the order its events were listed.
    pub(super) fn next(&self) -> Option<&(Timestamp, Event)> {
        let (_, _, card) = self.firsts.first()?;
        first_of(self.due.get(card)?)
    }

    fn keep(&mut self, card: CardToken, events: Vec<(Timestamp, Event)>) {
        self.forget(&card);
        if let Some((at, event)) = first_of(&events) {
            self.firsts.insert((*at, event.rank(), card.clone()));
            self.due.insert(card, events);
        }
    }

    fn forget(&mut self, card: &CardToken) {
        if let Some(events) = self.due.remove(card)
            && let Some((at, event)) = first_of(&events)
        {
            self.firsts.remove(&(*at, event.rank(), card.clone()));
        }
    }

    fn clear(&mut self) {
        self.due.clear();
        self.firsts.clear();
    }
}

/// A card's first event by (instant, rank), the earliest listed among equals.
fn first_of(events: &[(Timestamp, Event)]) -> Option<&(Timestamp, Event)> {
    events
        .iter()
        .min_by(|(a, x), (b, y)| (a, x.rank()).cmp(&(b, y.rank())))
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
        office.payments.due.clear();
        let at_rest = &office.payments.due.at_rest;
        bank_cards(office)
            .into_iter()
            .filter(|card| !at_rest.contains(card))
            .collect()
    };
    let day_rule = rules.travel_day_rule();
    let mut computed = Vec::with_capacity(cards.len());
    for card in cards {
        let events = card_events(office, rules, now, watermark, &card)?;
        let rests = events.is_empty()
            && office
                .last_tap_at(&CardKey::Ovpay(card.clone()))
                .is_none_or(|last| day_rule.end_of(day_rule.travel_day_of(last)) <= now);
        computed.push((card, events, rests));
    }
    let kept = &mut office.payments.due;
    for (card, events, rests) in computed {
        if rests {
            kept.at_rest.insert(card.clone());
        }
        kept.keep(card, events);
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
        let firsts: BTreeSet<(Timestamp, u8, CardToken)> = fresh
            .iter()
            .filter_map(|(card, events)| {
                first_of(events).map(|(at, event)| (*at, event.rank(), card.clone()))
            })
            .collect();
        assert_eq!(
            office.payments.due.firsts, firsts,
            "the index of each card's first event differs from its events"
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
