//! The back office for a stream of taps too large to keep (`ovcert replay`): memory bounded
//! by the travel days still open, not by the length of the stream.
//!
//! [`BackOffice`] keeps every tap and recomputes from all of them, which is what GBO-04 asks
//! and what a few days of taps afford. A national stream comes roughly in time order, with a
//! stated maximum lateness `L` (offline readers upload late): once the latest tap time seen
//! minus `L` has passed the end of a travel day (EMV-07), no tap for that day can still come,
//! so the day is closed, handed out as a [`ClosedDay`] and its state dropped. A tap that
//! breaks the promise — its travel day already closed — is not applied but counted
//! ([`StreamCounts::refused_late`]), never silently lost.
//!
//! Why a day can be computed alone: a journey belongs to the travel day of its first check-in
//! and never crosses the day's end (JRN, EMV-07): open legs are closed as missing at the end,
//! a check-in after it starts a new journey, and a bank-card tap-out matches only a tap-in of
//! the same day (EMV-06). So a card's journeys of day D depend on its taps of day D only —
//! given what a stream does not carry: special settings (JRN-08), deny-list entries and debt
//! periods (EMV-06/12), which a streaming replay does not have (the payment engine does not
//! run; settlement has no refunds or open debt). [`finish_day`] computes with the same
//! functions as [`BackOffice`] ([`card_journeys`], [`report::operator_report`],
//! [`settle::settle`]), so the files are byte-identical to the in-memory path's
//! (`tests/scale.rs` checks it).
//!
//! Card profiles (OV-chipkaart registrations) are kept for the whole stream: they are bounded
//! by the card population, not by the taps.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use rustc_hash::FxHashMap;

use crate::card::CardNumber;
use crate::deny::DenyList;
use crate::money::Cents;
use crate::rules::RuleSet;
use crate::stream::Record;
use crate::tap::{TapId, TapMessage};
use crate::time::{TravelDay, TravelDayRule};

use super::report::{self, OperatorReport, TapMeanings};
use super::settle::{self, Settlement};
use super::tokens::TokenVault;
use super::{
    BackOffice, BackOfficeError, CardHistory, CardJourneys, CardKey, CardProfile, DayView,
    StoredTap, card_journeys,
};

/// What happened to the records of a stream so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamCounts {
    /// Tap records read.
    pub taps: u64,
    /// Taps stored (first arrival of a tap id).
    pub new: u64,
    /// Taps seen before under the same id (GBO-04).
    pub duplicates: u64,
    /// Taps whose travel day had been closed when they came: later than the stated maximum
    /// lateness; not applied.
    pub refused_late: u64,
    /// Card-profile records read.
    pub cards: u64,
    /// Travel days closed.
    pub days: u64,
}

/// The taps of one travel day still open, filed by card as they come: closing the day then
/// sorts each card's few taps instead of moving every tap of the day through one sort.
#[derive(Debug, Default)]
struct OpenDay {
    /// Each card's taps in arrival order.
    cards: Vec<(CardKey, Vec<StoredTap>)>,
    /// Where each card's taps are in `cards`.
    card_slots: FxHashMap<CardKey, u32>,
    /// Where each tap is: its card's slot and its place in the card's taps. Fx-hashed:
    /// looked up for every tap of the stream.
    by_id: FxHashMap<TapId, (u32, u32)>,
    held: usize,
}

impl OpenDay {
    fn get(&self, (slot, index): (u32, u32)) -> &StoredTap {
        &self.cards[slot as usize].1[index as usize]
    }

    fn insert(&mut self, tap: StoredTap) {
        let slot = match self.card_slots.get(&tap.card) {
            Some(&slot) => slot,
            None => {
                let slot = u32::try_from(self.cards.len()).expect("fewer than 2^32 cards a day");
                self.card_slots.insert(tap.card.clone(), slot);
                self.cards.push((tap.card.clone(), Vec::new()));
                slot
            }
        };
        let taps = &mut self.cards[slot as usize].1;
        let index = u32::try_from(taps.len()).expect("fewer than 2^32 taps a card");
        self.by_id.insert(tap.tap_id.clone(), (slot, index));
        taps.push(tap);
        self.held += 1;
    }
}

/// The instants a travel day runs between, remembered for the day of the last tap: a
/// stream's taps mostly fall on the same day, and finding an instant's day takes time-zone
/// arithmetic.
#[derive(Debug, Clone, Copy)]
struct DaySpan {
    day: TravelDay,
    start: Timestamp,
    end: Timestamp,
}

/// A travel day no tap can come for any more: its taps grouped by card, with what the fare
/// depends on.
#[derive(Debug)]
pub struct ClosedDay {
    pub day: TravelDay,
    /// Per card in key order: its profile (OV-chipkaart) and its taps in processing order
    /// (tap time, then tap id).
    pub cards: Vec<(CardKey, Option<CardProfile>, Vec<StoredTap>)>,
}

/// The streaming back office.
#[derive(Debug)]
pub struct StreamingBackOffice {
    day_rule: TravelDayRule,
    max_lateness_s: i64,
    vault: TokenVault,
    profiles: HashMap<CardNumber, CardProfile>,
    open: BTreeMap<TravelDay, OpenDay>,
    last_span: Option<DaySpan>,
    latest: Option<Timestamp>,
    counts: StreamCounts,
}

impl StreamingBackOffice {
    /// `vault` as [`super::simulate::fresh_back_office`] makes it (EMV-01/17).
    pub fn new(rules: &RuleSet, vault: TokenVault, max_lateness_s: u32) -> StreamingBackOffice {
        StreamingBackOffice {
            day_rule: rules.travel_day_rule(),
            max_lateness_s: i64::from(max_lateness_s),
            vault,
            profiles: HashMap::new(),
            open: BTreeMap::new(),
            last_span: None,
            latest: None,
            counts: StreamCounts::default(),
        }
    }

    pub fn counts(&self) -> StreamCounts {
        self.counts
    }

    /// Taps held for the open days.
    pub fn held_taps(&self) -> usize {
        self.open.values().map(|d| d.held).sum()
    }

    /// The travel day of `at` and the instant it ends (EMV-07).
    fn span_of(&mut self, at: Timestamp) -> DaySpan {
        if let Some(span) = self.last_span
            && span.start <= at
            && at < span.end
        {
            return span;
        }
        let day = self.day_rule.travel_day_of(at);
        let previous = TravelDay(
            day.0
                .yesterday()
                .expect("dates in use are far from the minimum"),
        );
        let span = DaySpan {
            day,
            start: self.day_rule.end_of(previous),
            end: self.day_rule.end_of(day),
        };
        self.last_span = Some(span);
        span
    }

    /// Before this instant no tap can come any more.
    fn watermark(&self) -> Option<Timestamp> {
        let latest = self.latest?;
        Timestamp::from_second(latest.as_second() - self.max_lateness_s).ok()
    }

    /// Takes one record; returns the travel days it closed, oldest first.
    pub fn push(&mut self, record: Record) -> Result<Vec<ClosedDay>, BackOfficeError> {
        match record {
            Record::Card { number, profile } => {
                self.counts.cards += 1;
                self.profiles.insert(number, profile);
                Ok(Vec::new())
            }
            Record::Tap(message) => self.tap(message),
        }
    }

    fn tap(&mut self, message: TapMessage) -> Result<Vec<ClosedDay>, BackOfficeError> {
        self.counts.taps += 1;
        let DaySpan { day, end, .. } = self.span_of(message.at);
        if self.watermark().is_some_and(|w| end <= w) {
            self.counts.refused_late += 1;
            return Ok(Vec::new());
        }
        let stored = self.store(message)?;
        let open = self.open.entry(day).or_default();
        match open.by_id.get(&stored.tap_id) {
            Some(&place) if *open.get(place) == stored => self.counts.duplicates += 1,
            // GBO-04: as BackOffice::ingest.
            Some(_) => {
                return Err(BackOfficeError::BadTap {
                    tap_id: stored.tap_id.0.clone(),
                    reason: "a different tap with this id was received before".into(),
                });
            }
            None => {
                open.insert(stored);
                self.counts.new += 1;
            }
        }
        Ok(self.close_ready())
    }

    /// EMV-01: as [`BackOffice::ingest`], the PAN becomes a token at once.
    fn store(&mut self, message: TapMessage) -> Result<StoredTap, BackOfficeError> {
        let card = super::card_key_of(&mut self.vault, &message)?;
        let at = message.at;
        let stored = StoredTap {
            tap_id: message.tap_id,
            reader: message.reader,
            at,
            card,
            kind: message.kind,
            amounts: message.amounts,
        };
        self.latest = Some(self.latest.map_or(at, |l| l.max(at)));
        Ok(stored)
    }

    fn close_ready(&mut self) -> Vec<ClosedDay> {
        let Some(watermark) = self.watermark() else {
            return Vec::new();
        };
        let mut closed = Vec::new();
        while let Some((&day, _)) = self.open.first_key_value() {
            if self.day_rule.end_of(day) > watermark {
                break;
            }
            closed.push(self.close(day));
        }
        if !closed.is_empty() {
            // EMV-17: PAN data go after their retention period.
            self.vault.purge(watermark);
        }
        closed
    }

    fn close(&mut self, day: TravelDay) -> ClosedDay {
        let open = self.open.remove(&day).unwrap_or_default();
        self.counts.days += 1;
        // The indexes are not needed any more; free them before the cards are sorted.
        drop(open.by_id);
        drop(open.card_slots);
        let mut by_card = open.cards;
        by_card.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let cards = by_card
            .into_iter()
            .map(|(card, mut taps)| {
                // Processing order; tap ids are unique within the day.
                taps.sort_unstable_by(|a, b| (a.at, &a.tap_id).cmp(&(b.at, &b.tap_id)));
                let profile = match &card {
                    CardKey::OvChipkaart(number) => self.profiles.get(number).cloned(),
                    CardKey::Ovpay(_) => None,
                };
                (card, profile, taps)
            })
            .collect();
        ClosedDay { day, cards }
    }

    /// The end of the stream: every open day closes.
    pub fn finish(mut self) -> (Vec<ClosedDay>, StreamCounts) {
        let days: Vec<TravelDay> = self.open.keys().copied().collect();
        let closed = days.into_iter().map(|d| self.close(d)).collect();
        (closed, self.counts)
    }
}

/// The journeys of some of a closed day's cards (a slice of [`ClosedDay::cards`]), priced at
/// the day's end.
pub fn day_journeys(
    rules: &RuleSet,
    day: TravelDay,
    cards: &[(CardKey, Option<CardProfile>, Vec<StoredTap>)],
) -> Result<Vec<CardJourneys>, BackOfficeError> {
    let now = rules.travel_day_rule().end_of(day);
    let deny = DenyList::default();
    cards
        .iter()
        .map(|(card, profile, taps)| one_card(rules, day, now, &deny, card, profile, taps))
        .collect()
}

/// As [`day_journeys`], but each card's journeys are handed to `fold` and dropped with the
/// card's taps before the next card is priced: what the day's totals need, without holding
/// every journey of the day.
pub fn fold_day_journeys<T>(
    rules: &RuleSet,
    day: TravelDay,
    cards: Vec<(CardKey, Option<CardProfile>, Vec<StoredTap>)>,
    mut state: T,
    mut fold: impl FnMut(&mut T, CardJourneys),
) -> Result<T, BackOfficeError> {
    let now = rules.travel_day_rule().end_of(day);
    let deny = DenyList::default();
    for (card, profile, taps) in cards {
        fold(
            &mut state,
            one_card(rules, day, now, &deny, &card, &profile, &taps)?,
        );
    }
    Ok(state)
}

/// One card's journeys of `day`, priced at the day's end `now`.
fn one_card(
    rules: &RuleSet,
    day: TravelDay,
    now: Timestamp,
    deny: &DenyList,
    card: &CardKey,
    profile: &Option<CardProfile>,
    taps: &[StoredTap],
) -> Result<CardJourneys, BackOfficeError> {
    let taps: Vec<&StoredTap> = taps.iter().collect();
    let history = CardHistory {
        taps: &taps,
        deny,
        debts: &[],
        settings: &[],
        profile: profile.as_ref(),
    };
    let mut journeys = card_journeys(rules, card, &history, now)?;
    journeys.priced.retain(|p| p.journey.travel_day == day);
    Ok(journeys)
}

/// The day as [`BackOffice::day`] shows it: its taps in processing order and every card's
/// journeys.
pub fn day_view(closed: ClosedDay, cards: Vec<CardJourneys>) -> DayView {
    let mut taps: Vec<StoredTap> = closed.cards.into_iter().flat_map(|c| c.2).collect();
    taps.sort_by(|a, b| (a.at, &a.tap_id).cmp(&(b.at, &b.tap_id)));
    DayView {
        day: closed.day,
        taps,
        cards,
    }
}

/// One operator's report files of the day (`OP/report.json`, `OP/transactions.csv`, …), as
/// [`super::simulate::DayOutcome::files`] names them, and the report's total (GBO-03).
/// `tokens` is a back office with the stream's token key (for EMV-02 operator tokens; it
/// needs no taps).
pub fn operator_files(
    tokens: &BackOffice,
    view: &DayView,
    meanings: &TapMeanings<'_>,
    operator: &str,
) -> (Vec<(String, String)>, Cents) {
    let report: OperatorReport = report::operator_report_with(tokens, view, meanings, operator);
    let mut files = vec![(format!("{operator}/report.json"), report.to_json())];
    for (name, text) in report.to_csv() {
        files.push((format!("{operator}/{name}"), text));
    }
    (files, report.total_cents)
}

/// The day's settlement (SET-01/02) as `settlement.json`.
pub fn settlement_file(view: &DayView) -> (String, Settlement) {
    let statement = settle::settle(view);
    (statement.to_json(), statement)
}

/// Every file of a closed day, on one thread (the replay command spreads the same steps
/// over cores).
pub fn finish_day(
    rules: &RuleSet,
    tokens: &BackOffice,
    closed: ClosedDay,
) -> Result<BTreeMap<String, String>, BackOfficeError> {
    let cards = day_journeys(rules, closed.day, &closed.cards)?;
    let view = day_view(closed, cards);
    let mut files = BTreeMap::new();
    let meanings = TapMeanings::of(&view);
    for operator in &rules.operators {
        files.extend(operator_files(tokens, &view, &meanings, &operator.id).0);
    }
    files.insert("settlement.json".to_string(), settlement_file(&view).0);
    Ok(files)
}
