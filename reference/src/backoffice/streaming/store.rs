//! The order of a stream and the storing of its taps, apart.
//!
//! [`StreamClock`] makes every decision that depends on the order of the records: a tap's
//! travel day, its refusal as later than the stated lateness, which days close when.
//! [`TapStore`] files the taps the clock admits, by travel day and card (EMV-01 tokens,
//! GBO-04 duplicates), and hands a day out when the clock closes it.
//!
//! [`StreamingBackOffice`](super::StreamingBackOffice) runs a clock and one store holding
//! every card on one thread. A national replay runs the clock on its decoding thread and two
//! stores on two more, each holding the cards [`part_of_card`] gives it; a day's two parts
//! are joined ([`join_parts`]) before it is priced. Filing a tap is memory-bound work on
//! hash tables as large as the day, and the two stores do it side by side. Both ways give
//! the same closed days and counts (`tests/scale.rs` checks it).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use jiff::Timestamp;
use rustc_hash::FxBuildHasher;

use crate::card::CardNumber;
use crate::rules::RuleSet;
use crate::tap::{CardIdentity, TapId};
use crate::time::{TravelDay, TravelDayRule};

use super::super::tokens::TokenVault;
use super::super::{BackOfficeError, CardKey, CardProfile};
use super::{ClosedDay, OpenDay, PreparedTap, StreamCounts};

/// The instants a travel day runs between, remembered for the day of the last tap: a
/// stream's taps mostly fall on the same day, and finding an instant's day takes time-zone
/// arithmetic.
#[derive(Debug, Clone, Copy)]
struct DaySpan {
    day: TravelDay,
    start: Timestamp,
    end: Timestamp,
}

/// What the clock made of a tap's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Its travel day had closed: later than the stated maximum lateness; not applied.
    Late,
    /// To be filed under this travel day (open until the clock closes it).
    Open(TravelDay),
}

/// The stream-order decisions: a national stream comes roughly in time order, with a stated
/// maximum lateness `L`. Once the latest tap time seen minus `L` (the watermark) has passed
/// the end of a travel day (EMV-07), no tap for that day can still come, and it closes.
#[derive(Debug)]
pub struct StreamClock {
    day_rule: TravelDayRule,
    max_lateness_s: i64,
    /// The end of each open travel day: compared with the watermark after every tap.
    open: BTreeMap<TravelDay, Timestamp>,
    last_span: Option<DaySpan>,
    latest: Option<Timestamp>,
    /// The latest tap time (whole seconds) at which the oldest open day closes: asked after
    /// every tap, so kept as a number rather than found in `open`.
    oldest_closes_at_s: i64,
    /// Taps, refused taps and closed days (the rest is the stores').
    counts: StreamCounts,
}

impl StreamClock {
    pub fn new(rules: &RuleSet, max_lateness_s: u32) -> StreamClock {
        StreamClock {
            day_rule: rules.travel_day_rule(),
            max_lateness_s: i64::from(max_lateness_s),
            open: BTreeMap::new(),
            last_span: None,
            latest: None,
            oldest_closes_at_s: i64::MAX,
            counts: StreamCounts::default(),
        }
    }

    pub fn counts(&self) -> StreamCounts {
        self.counts
    }

    /// Day ends are whole seconds, and so is the watermark: the oldest day closes once the
    /// latest tap time, in whole seconds, reaches its end plus the lateness.
    fn note_oldest(&mut self) {
        self.oldest_closes_at_s = self.open.first_key_value().map_or(i64::MAX, |(_, end)| {
            end.as_second().saturating_add(self.max_lateness_s)
        });
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
    pub fn watermark(&self) -> Option<Timestamp> {
        let latest = self.latest?;
        Timestamp::from_second(latest.as_second() - self.max_lateness_s).ok()
    }

    /// A tap made at `at`: refused when its travel day has closed; otherwise its day (opened
    /// if it is new) and the stream's latest time moved on.
    pub fn admit(&mut self, at: Timestamp) -> Admission {
        self.counts.taps += 1;
        let DaySpan { day, end, .. } = self.span_of(at);
        if self.watermark().is_some_and(|w| end <= w) {
            self.counts.refused_late += 1;
            return Admission::Late;
        }
        self.latest = Some(self.latest.map_or(at, |l| l.max(at)));
        if self.open.insert(day, end).is_none() {
            self.note_oldest();
        }
        Admission::Open(day)
    }

    /// The days the watermark has passed the end of, oldest first: each is closed now.
    pub fn close_ready(&mut self) -> Vec<TravelDay> {
        if self
            .latest
            .is_none_or(|l| l.as_second() < self.oldest_closes_at_s)
        {
            return Vec::new();
        }
        let Some(watermark) = self.watermark() else {
            return Vec::new();
        };
        let mut closed = Vec::new();
        while let Some(entry) = self.open.first_entry() {
            if *entry.get() > watermark {
                break;
            }
            closed.push(entry.remove_entry().0);
        }
        self.note_oldest();
        self.counts.days += closed.len() as u64;
        closed
    }

    /// The end of the stream: every open day closes, oldest first.
    pub fn finish(mut self) -> (Vec<TravelDay>, StreamCounts) {
        let days: Vec<TravelDay> = std::mem::take(&mut self.open).into_keys().collect();
        self.counts.days += days.len() as u64;
        (days, self.counts)
    }
}

/// The part (0 or 1) of two stores that files a card's taps: a function of what makes the
/// card's key ([`super::super::card_key_of`]: the OV-chipkaart number; the PAN and its
/// sequence number), so that a card is in one part only, whatever its expiry.
pub fn part_of_card(card: &CardIdentity) -> usize {
    match card {
        CardIdentity::OvChipkaart { number } => part_of_number(*number),
        CardIdentity::Emv {
            pan, pan_sequence, ..
        } => part_of_hash(FxBuildHasher.hash_one((pan.as_str(), *pan_sequence))),
    }
}

/// The part of an OV-chipkaart: where its registration is kept, beside its taps.
pub fn part_of_number(number: CardNumber) -> usize {
    part_of_hash(FxBuildHasher.hash_one(number))
}

fn part_of_hash(hash: u64) -> usize {
    // Fx hashes carry their best bits in the upper half.
    (hash >> 63) as usize
}

/// The taps of the open days by day and card, with the card registrations and the token
/// vault: every card of the stream ([`Self::whole`]), or one part of them ([`Self::part`]).
#[derive(Debug)]
pub struct TapStore {
    vault: TokenVault,
    profiles: HashMap<CardNumber, CardProfile>,
    open: BTreeMap<TravelDay, OpenDay>,
    /// Whether each closed day's cards are split in two halves, to be priced on two threads.
    split: bool,
    /// New taps, duplicates and card registrations (the rest is the clock's).
    counts: StreamCounts,
}

impl TapStore {
    /// A store of every card: a closed day comes in two halves by card, for two pricing
    /// threads ([`ClosedDay::into_halves`]). `vault` as
    /// [`super::super::simulate::fresh_back_office`] makes it (EMV-01/17).
    pub fn whole(vault: TokenVault) -> TapStore {
        TapStore::new(vault, true)
    }

    /// A store of the cards of one part ([`part_of_card`]): its days are closed with
    /// [`Self::close_part`] and joined with the other part's.
    pub fn part(vault: TokenVault) -> TapStore {
        TapStore::new(vault, false)
    }

    fn new(vault: TokenVault, split: bool) -> TapStore {
        TapStore {
            vault,
            profiles: HashMap::new(),
            open: BTreeMap::new(),
            split,
            counts: StreamCounts::default(),
        }
    }

    pub fn counts(&self) -> StreamCounts {
        self.counts
    }

    /// Taps held for the open days.
    pub fn held_taps(&self) -> usize {
        self.open
            .values()
            .flat_map(|d| &d.halves)
            .map(|h| h.len)
            .sum()
    }

    /// An OV-chipkaart's registration, for its journeys of every day closed from now on.
    pub fn card(&mut self, number: CardNumber, profile: CardProfile) {
        self.counts.cards += 1;
        self.profiles.insert(number, profile);
    }

    /// Files a tap the clock admitted for `day`: once per tap id (GBO-04).
    pub fn file(&mut self, day: TravelDay, tap: PreparedTap) -> Result<(), BackOfficeError> {
        let PreparedTap { held, card } = tap;
        // Hashed here, not where the tap was decoded: a replay's storing threads are two.
        let short_hash = super::short_hash(&held.tap_id);
        // EMV-01: as [`BackOffice::ingest`], the PAN becomes a token at once.
        let card = super::super::card_key_of(&mut self.vault, &card, held.at, &held.tap_id)?;
        let split = self.split;
        let open = self.open.entry(day).or_insert_with(|| OpenDay::new(split));
        match open.find(&held.tap_id, short_hash) {
            Some((known_card, known)) if *known_card == card && known.same_tap(&held) => {
                self.counts.duplicates += 1;
                Ok(())
            }
            // GBO-04: as BackOffice::ingest.
            Some(_) => Err(different_tap(&held.tap_id)),
            None => {
                open.insert(card, held, short_hash);
                self.counts.new += 1;
                Ok(())
            }
        }
    }

    /// Hands `day` out, its taps dropped from the store (none when it filed none).
    pub fn close(&mut self, day: TravelDay) -> ClosedDay {
        let open = self
            .open
            .remove(&day)
            .unwrap_or_else(|| OpenDay::new(self.split));
        let profiles = &self.profiles;
        open.into_closed(day, |card| match card {
            CardKey::OvChipkaart(number) => profiles.get(number).cloned(),
            CardKey::Ovpay(_) => None,
        })
    }

    /// As [`Self::close`], for a store of one part: the day's taps with their ids, to be
    /// joined with the other part's.
    pub fn close_part(&mut self, day: TravelDay) -> DayPart {
        let ids = self
            .open
            .get(&day)
            .map(|open| {
                let mut ids: Vec<u64> = open
                    .by_id
                    .iter()
                    .map(|p| u64::from(p.short_hash) << 32 | u64::from(p.index >> 1))
                    .collect();
                sort_by_upper_half(&mut ids);
                ids
            })
            .unwrap_or_default();
        DayPart {
            closed: self.close(day),
            ids,
        }
    }

    /// EMV-17: PAN data go after their retention period.
    pub fn purge(&mut self, watermark: Timestamp) {
        self.vault.purge(watermark);
    }
}

/// `entries` in order of their upper 32 bits, stable: four counting passes of a byte each, a
/// few instructions per entry where a comparison sort of a national day's ids takes about
/// twenty comparisons each, while the day waits to be priced.
fn sort_by_upper_half(entries: &mut Vec<u64>) {
    let mut sorted = vec![0; entries.len()];
    for shift in [32, 40, 48, 56] {
        let digit = |entry: u64| (entry >> shift & 0xFF) as usize;
        let mut starts = [0_usize; 256];
        for &entry in entries.iter() {
            starts[digit(entry)] += 1;
        }
        let mut start = 0;
        for slot in &mut starts {
            (*slot, start) = (start, start + *slot);
        }
        for &entry in entries.iter() {
            let slot = &mut starts[digit(entry)];
            sorted[*slot] = entry;
            *slot += 1;
        }
        std::mem::swap(entries, &mut sorted);
    }
}

fn different_tap(tap_id: &TapId) -> BackOfficeError {
    BackOfficeError::BadTap {
        tap_id: tap_id.0.to_string(),
        reason: "a different tap with this id was received before".into(),
    }
}

/// One part's taps of a closed day ([`TapStore::close_part`]).
#[derive(Debug)]
pub struct DayPart {
    /// All taps in the first half.
    closed: ClosedDay,
    /// Each tap's short id hash (upper 32 bits) and position (lower), in order.
    ids: Vec<u64>,
}

impl DayPart {
    pub fn day(&self) -> TravelDay {
        self.closed.day
    }

    pub fn tap_count(&self) -> usize {
        self.closed.tap_count()
    }

    fn tap_id(&self, entry: u64) -> &TapId {
        &self.closed.halves[0].taps.at(entry as u32 as usize).tap_id
    }
}

/// A day's two parts as one closed day, each part a half. GBO-04: a tap id in both parts is
/// two different taps (a card is in one part only), so the stream is refused as
/// [`TapStore::file`] refuses it, found here rather than on arrival; of several such ids,
/// the smallest is named.
pub fn join_parts(first: DayPart, second: DayPart) -> Result<ClosedDay, BackOfficeError> {
    assert_eq!(first.day(), second.day(), "parts of one day");
    let (a, b) = (&first.ids, &second.ids);
    let run_end = |ids: &[u64], from: usize| {
        let hash = ids[from] >> 32;
        from + ids[from..].iter().take_while(|e| **e >> 32 == hash).count()
    };
    let mut in_both: Option<&TapId> = None;
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (hash_a, hash_b) = (a[i] >> 32, b[j] >> 32);
        if hash_a < hash_b {
            i += 1;
        } else if hash_b < hash_a {
            j += 1;
        } else {
            // Equal short hashes are mostly different ids: compared in full.
            let (end_a, end_b) = (run_end(a, i), run_end(b, j));
            for &x in &a[i..end_a] {
                let id = first.tap_id(x);
                if b[j..end_b].iter().any(|&y| second.tap_id(y) == id)
                    && in_both.is_none_or(|known| id < known)
                {
                    in_both = Some(id);
                }
            }
            (i, j) = (end_a, end_b);
        }
    }
    if let Some(id) = in_both {
        return Err(different_tap(id));
    }
    let DayPart {
        closed: ClosedDay {
            day,
            halves: [first, _],
        },
        ..
    } = first;
    let DayPart {
        closed: ClosedDay {
            halves: [second, _],
            ..
        },
        ..
    } = second;
    Ok(ClosedDay {
        day,
        halves: [first, second],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counting sort orders as a stable sort by the upper half does, on entries whose
    /// halves repeat and whose bytes differ in every position.
    #[test]
    fn sort_by_upper_half_is_a_stable_sort_by_the_upper_half() {
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut entries: Vec<u64> = (0..5_000_u64)
            .map(|position| {
                // xorshift: deterministic, every byte of the upper half varied.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let upper = if position % 7 == 0 {
                    0xDEAD_BEEF
                } else {
                    state >> 32
                };
                upper << 32 | position
            })
            .collect();
        let mut expected = entries.clone();
        expected.sort_by_key(|e| e >> 32);
        sort_by_upper_half(&mut entries);
        assert_eq!(entries, expected);
        let mut empty = Vec::new();
        sort_by_upper_half(&mut empty);
        assert!(empty.is_empty());
    }
}
