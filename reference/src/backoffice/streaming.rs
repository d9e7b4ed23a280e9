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
//! functions as [`BackOffice`] ([`super::card_journeys`], [`report::operator_report`],
//! [`settle::settle`]), so the files are byte-identical to the in-memory path's
//! (`tests/scale.rs` checks it).
//!
//! Card profiles (OV-chipkaart registrations) are kept for the whole stream: they are bounded
//! by the card population, not by the taps. So are the readers ([`SharedReaders`]), bounded by
//! the network.

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::HashTable;
use jiff::Timestamp;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

use crate::card::CardNumber;
use crate::deny::DenyList;
use crate::money::Cents;
use crate::rules::RuleSet;
use crate::stream::{DecodedRecord, DecodedTap, ReaderTable, Record};
use crate::tap::{CardIdentity, ReaderRef, TapAmounts, TapId, TapKind};
use crate::time::TravelDay;

use super::fare::JourneyFare;
use super::journey::Journey;
use super::report::{self, OperatorReport, ReportFile, TapMeanings, TransactionKind};
use super::settle::{self, Settlement};
use super::tokens::TokenVault;
use super::{
    BackOffice, BackOfficeError, CardHistory, CardJourneys, CardKey, CardProfile, DayView,
    PricedJourney, StoredTap, price_card,
};

mod store;

pub use store::{
    Admission, DayPart, StreamClock, TapStore, join_parts, part_of_card, part_of_number,
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

impl StreamCounts {
    /// Both counts added up: the clock's and the stores' ([`store`]).
    pub fn plus(self, other: StreamCounts) -> StreamCounts {
        // Every field named: a field added must be added up.
        let StreamCounts {
            taps,
            new,
            duplicates,
            refused_late,
            cards,
            days,
        } = other;
        StreamCounts {
            taps: self.taps + taps,
            new: self.new + new,
            duplicates: self.duplicates + duplicates,
            refused_late: self.refused_late + refused_late,
            cards: self.cards + cards,
            days: self.days + days,
        }
    }
}

/// A tap as an open day holds it: its card is the key it is filed under, by the card's slot,
/// and its reader is shared with the other taps at that reader ([`SharedReaders`]). Laid out
/// flat (72 bytes, not 88): a national day holds millions.
#[derive(Debug, Clone)]
struct HeldTap {
    tap_id: TapId,
    reader: Arc<ReaderRef>,
    at: Timestamp,
    charged_cents: Cents,
    /// [`TapAmounts::balance_after_cents`] when `has_balance`.
    balance_after_cents: Cents,
    /// The card's slot in its open day.
    slot: u32,
    kind: TapKind,
    has_balance: bool,
}

#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<HeldTap>() == 72);

impl HeldTap {
    /// A tap not yet filed under a card's slot.
    fn new(
        tap_id: TapId,
        reader: Arc<ReaderRef>,
        at: Timestamp,
        kind: TapKind,
        amounts: TapAmounts,
    ) -> HeldTap {
        let TapAmounts {
            charged_cents,
            balance_after_cents,
        } = amounts;
        HeldTap {
            tap_id,
            reader,
            at,
            charged_cents,
            balance_after_cents: balance_after_cents.unwrap_or(Cents::ZERO),
            slot: 0,
            kind,
            has_balance: balance_after_cents.is_some(),
        }
    }

    /// Whether `other` is this tap sent again: everything but the slot it is filed under.
    fn same_tap(&self, other: &HeldTap) -> bool {
        // Every field named: a field added must be compared, or left out here on purpose.
        let HeldTap {
            tap_id,
            reader,
            at,
            charged_cents,
            balance_after_cents,
            slot: _,
            kind,
            has_balance,
        } = other;
        self.tap_id == *tap_id
            && self.reader == *reader
            && self.at == *at
            && self.charged_cents == *charged_cents
            && self.balance_after() == has_balance.then_some(*balance_after_cents)
            && self.kind == *kind
    }

    fn balance_after(&self) -> Option<Cents> {
        self.has_balance.then_some(self.balance_after_cents)
    }

    fn into_stored(self, card: &CardKey) -> StoredTap {
        let balance_after_cents = self.balance_after();
        // Every field named, as in [`PreparedRecord::new`].
        let HeldTap {
            tap_id,
            reader,
            at,
            charged_cents,
            balance_after_cents: _,
            slot: _,
            kind,
            has_balance: _,
        } = self;
        StoredTap {
            tap_id,
            reader,
            at,
            card: card.clone(),
            kind,
            amounts: TapAmounts {
                charged_cents,
                balance_after_cents,
            },
        }
    }
}

/// The taps of one travel day still open, in arrival order, each with the card it is filed
/// under. Filing a tap appends it (a card's own list would be a cache miss and a reallocation
/// for most taps); grouping the taps by card, once the day has closed, takes one pass and
/// sorts each card's few taps.
#[derive(Debug)]
struct OpenDay {
    /// The taps in arrival order. Split in two by their card's slot (even, odd) when
    /// [`Self::split`]: each half holds all taps of its cards, so the halves of a closed day
    /// are grouped on two threads ([`ClosedDay::into_halves`]). Otherwise all are in the
    /// first half: the day is one part of a day whose cards were split by the stream's
    /// storing threads ([`TapStore::part`]).
    halves: [HeldTaps; 2],
    split: bool,
    /// Each card by its slot (the number a tap is filed under).
    cards: Vec<CardKey>,
    card_slots: FxHashMap<CardKey, u32>,
    /// Where each tap is, found by the hash of its id and compared with the held tap's id:
    /// the ids are not kept twice.
    by_id: HashTable<TapPlace>,
}

/// Taps in arrival order, each with its card's slot, in chunks of [`CHUNK`]: growing never
/// copies them, and grouping them frees each chunk once its taps are moved.
#[derive(Debug, Default)]
struct HeldTaps {
    chunks: Vec<Vec<HeldTap>>,
    len: usize,
}

/// Taps per chunk (about 5 MB). Every chunk but the last is full, so a tap's position names
/// its chunk.
const CHUNK: usize = 1 << 16;

impl HeldTaps {
    fn at(&self, position: usize) -> &HeldTap {
        &self.chunks[position / CHUNK][position % CHUNK]
    }

    fn push(&mut self, tap: HeldTap) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk.push(tap),
            _ => {
                // A day's first chunk grows as taps come: a week's stream opens days that
                // hold a few taps for hours (late uploads), each of which would take a full
                // chunk.
                let mut chunk = if self.chunks.is_empty() {
                    Vec::new()
                } else {
                    Vec::with_capacity(CHUNK)
                };
                chunk.push(tap);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }
}

/// A tap's place in its open day — its half in the lowest bit of `index`, its position in
/// the half above — with a short hash of its id: the table grows without hashing every id
/// again.
#[derive(Debug, Clone, Copy)]
struct TapPlace {
    index: u32,
    short_hash: u32,
}

fn short_hash(id: &TapId) -> u32 {
    // Fx hashes carry their best bits in the upper half.
    (FxBuildHasher.hash_one(id) >> 32) as u32
}

/// The table's hash of a short hash, spread over 64 bits (the table reads the top bits and
/// the bottom bits).
fn table_hash(short: u32) -> u64 {
    u64::from(short).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl OpenDay {
    fn new(split: bool) -> OpenDay {
        OpenDay {
            halves: Default::default(),
            split,
            cards: Vec::new(),
            card_slots: FxHashMap::default(),
            by_id: HashTable::new(),
        }
    }

    fn at(&self, index: u32) -> &HeldTap {
        self.halves[(index & 1) as usize].at((index >> 1) as usize)
    }

    /// The tap held under `id` (whose [`short_hash`] is `short`) and the card it is filed
    /// under.
    fn find(&self, id: &TapId, short: u32) -> Option<(&CardKey, &HeldTap)> {
        self.by_id
            .find(table_hash(short), |p| {
                p.short_hash == short && self.at(p.index).tap_id == *id
            })
            .map(|p| {
                let tap = self.at(p.index);
                (&self.cards[tap.slot as usize], tap)
            })
    }

    fn insert(&mut self, card: CardKey, mut tap: HeldTap, short: u32) {
        let slot = match self.card_slots.get(&card) {
            Some(&slot) => slot,
            None => {
                let slot = u32::try_from(self.cards.len()).expect("fewer than 2^32 cards a day");
                self.card_slots.insert(card.clone(), slot);
                self.cards.push(card);
                slot
            }
        };
        let half_of_slot = if self.split { slot & 1 } else { 0 };
        let half = &mut self.halves[half_of_slot as usize];
        let index = u32::try_from(half.len)
            .ok()
            .filter(|position| *position < 1 << 31)
            .expect("fewer than 2^31 taps a day in each half")
            << 1
            | half_of_slot;
        tap.slot = slot;
        half.push(tap);
        let place = TapPlace {
            index,
            short_hash: short,
        };
        self.by_id
            .insert_unique(table_hash(short), place, |p| table_hash(p.short_hash));
    }

    /// The closed day: its taps in two halves, each with its cards and their profiles.
    fn into_closed(
        self,
        day: TravelDay,
        profile: impl Fn(&CardKey) -> Option<CardProfile>,
    ) -> ClosedDay {
        // The indexes are not needed any more; free them before the taps are grouped.
        drop(self.by_id);
        drop(self.card_slots);
        let split = self.split;
        let mut cards: [Vec<(CardKey, Option<CardProfile>)>; 2] = Default::default();
        for (slot, card) in self.cards.into_iter().enumerate() {
            let profile = profile(&card);
            cards[if split { slot & 1 } else { 0 }].push((card, profile));
        }
        let [even, odd] = self.halves;
        let [even_cards, odd_cards] = cards;
        let slot_shift = u32::from(split);
        ClosedDay {
            day,
            halves: [
                DayHalf {
                    cards: even_cards,
                    taps: even,
                    slot_shift,
                },
                DayHalf {
                    cards: odd_cards,
                    taps: odd,
                    slot_shift,
                },
            ],
        }
    }
}

/// The readers of a stream, each kept once and shared by the taps at it: a national day has
/// millions of taps at some tens of thousands of readers, and a reader's names are most of a
/// tap. Bounded by the network, not by the stream.
#[derive(Debug, Default)]
pub struct SharedReaders {
    /// Each reader given by value ([`Self::share`]).
    readers: FxHashSet<Arc<ReaderRef>>,
    /// Each reader by the bytes a stream encodes it in ([`ReaderTable`]).
    by_encoding: FxHashMap<ReaderKey, Arc<ReaderRef>>,
}

impl SharedReaders {
    pub fn share(&mut self, reader: ReaderRef) -> Arc<ReaderRef> {
        if let Some(known) = self.readers.get(&reader) {
            return Arc::clone(known);
        }
        let shared = Arc::new(reader);
        self.readers.insert(Arc::clone(&shared));
        shared
    }
}

impl ReaderTable for SharedReaders {
    type Reader = Arc<ReaderRef>;

    fn reader<E>(
        &mut self,
        encoded: &[u8],
        decode: impl FnOnce() -> Result<ReaderRef, E>,
    ) -> Result<Arc<ReaderRef>, E> {
        if let Some(known) = self.by_encoding.get(encoded) {
            return Ok(Arc::clone(known));
        }
        // Not looked up by value as well: a fifth of a day's taps name a reader first (an
        // on-board reader at each stop is another reader), and two encodings of one reader
        // (a CSV device number with a leading zero) cost only a second copy.
        let shared = Arc::new(decode()?);
        self.by_encoding
            .insert(ReaderKey::new(encoded), Arc::clone(&shared));
        Ok(shared)
    }
}

/// A reader's encoding as the key of [`SharedReaders::by_encoding`]: kept in the table itself
/// up to [`ReaderKey::INLINE`] bytes (a binary stream's reader is about 20, a CSV stream's
/// about 40), so that finding a known reader compares bytes already loaded rather than
/// following a pointer to them — a cache miss for most taps of a national day.
#[derive(Debug, Clone)]
enum ReaderKey {
    Inline {
        len: u8,
        bytes: [u8; ReaderKey::INLINE],
    },
    Boxed(Box<[u8]>),
}

impl ReaderKey {
    const INLINE: usize = 46;

    fn new(encoded: &[u8]) -> ReaderKey {
        match u8::try_from(encoded.len()) {
            Ok(len) if encoded.len() <= Self::INLINE => {
                let mut bytes = [0; Self::INLINE];
                bytes[..encoded.len()].copy_from_slice(encoded);
                ReaderKey::Inline { len, bytes }
            }
            _ => ReaderKey::Boxed(encoded.into()),
        }
    }

    #[inline]
    fn bytes(&self) -> &[u8] {
        match self {
            ReaderKey::Inline { len, bytes } => &bytes[..usize::from(*len)],
            ReaderKey::Boxed(bytes) => bytes,
        }
    }
}

// Equal and hashed as the bytes they hold, so that the table is searched by `&[u8]`.
impl PartialEq for ReaderKey {
    fn eq(&self, other: &ReaderKey) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for ReaderKey {}

impl std::hash::Hash for ReaderKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes().hash(state);
    }
}

impl std::borrow::Borrow<[u8]> for ReaderKey {
    #[inline]
    fn borrow(&self) -> &[u8] {
        self.bytes()
    }
}

/// A record made ready for [`StreamingBackOffice::push_prepared`]: its reader shared.
/// Preparing needs no back-office state, so a decoding thread can do it while others store.
#[derive(Debug)]
pub enum PreparedRecord {
    Card {
        number: CardNumber,
        profile: CardProfile,
    },
    Tap(PreparedTap),
}

/// A tap message with its reader shared; the card is made a key when it is stored (EMV-01:
/// the token vault belongs to the back office).
#[derive(Debug)]
pub struct PreparedTap {
    held: HeldTap,
    card: CardIdentity,
}

impl PreparedTap {
    /// When the tap was made.
    pub fn at(&self) -> Timestamp {
        self.held.at
    }

    /// The card as the reader read it.
    pub fn card(&self) -> &CardIdentity {
        &self.card
    }
}

impl PreparedRecord {
    pub fn new(record: Record, readers: &mut SharedReaders) -> PreparedRecord {
        match record {
            Record::Card { number, profile } => PreparedRecord::Card { number, profile },
            Record::Tap(message) => PreparedRecord::decoded(DecodedRecord::Tap(
                DecodedTap::from(message).map_reader(|reader| readers.share(reader)),
            )),
        }
    }

    /// A record decoded with its reader from [`SharedReaders`].
    pub fn decoded(record: DecodedRecord<Arc<ReaderRef>>) -> PreparedRecord {
        match record {
            DecodedRecord::Card { number, profile } => PreparedRecord::Card { number, profile },
            // Every field named: a field added to the tap must be held (or left out here on
            // purpose), or the duplicate check would ignore it.
            DecodedRecord::Tap(DecodedTap {
                tap_id,
                reader,
                at,
                card,
                kind,
                amounts,
            }) => PreparedRecord::Tap(PreparedTap {
                held: HeldTap::new(tap_id, reader, at, kind, amounts),
                card,
            }),
        }
    }
}

/// A travel day no tap can come for any more: its taps in two halves, each with every tap
/// of its cards and what their fares depend on. Grouped by card when it is priced
/// ([`Self::into_cards`], or each half on its own thread: [`Self::into_halves`]).
#[derive(Debug)]
pub struct ClosedDay {
    pub day: TravelDay,
    halves: [DayHalf; 2],
}

/// Half of a closed day's cards (by the parity of the slot a card was filed under) with all
/// their taps, in arrival order.
#[derive(Debug)]
pub struct DayHalf {
    /// By slot within the half (the card's slot halved), with the registration of an
    /// OV-chipkaart when the stream carried one.
    cards: Vec<(CardKey, Option<CardProfile>)>,
    taps: HeldTaps,
    /// A tap's card is `cards[slot >> slot_shift]`: 1 when the day's cards were split in
    /// two halves by their slot, 0 when not.
    slot_shift: u32,
}

impl DayHalf {
    pub fn tap_count(&self) -> usize {
        self.taps.len
    }

    /// The half's cards in card key order, each with its taps in processing order.
    pub fn into_cards(self) -> Vec<ClosedCard> {
        let shift = self.slot_shift;
        let mut counts = vec![0_u32; self.cards.len()];
        for tap in self.taps.chunks.iter().flatten() {
            counts[(tap.slot >> shift) as usize] += 1;
        }
        // A card's list is made at its first tap: made all at once, they would double the
        // day's memory before the first chunk is freed.
        let mut taps: Vec<Vec<HeldTap>> = std::iter::repeat_with(Vec::new)
            .take(self.cards.len())
            .collect();
        for chunk in self.taps.chunks {
            for tap in chunk {
                let local = (tap.slot >> shift) as usize;
                let list = &mut taps[local];
                if list.capacity() == 0 {
                    list.reserve_exact(counts[local] as usize);
                }
                list.push(tap);
            }
        }
        let mut cards: Vec<ClosedCard> = self
            .cards
            .into_iter()
            .zip(taps)
            .map(|((card, profile), mut taps)| {
                // Processing order; tap ids are unique within the day.
                taps.sort_unstable_by(|a, b| (a.at, &a.tap_id).cmp(&(b.at, &b.tap_id)));
                ClosedCard {
                    card,
                    profile,
                    taps,
                }
            })
            .collect();
        cards.sort_unstable_by(|a, b| a.card.cmp(&b.card));
        cards
    }
}

/// The cards of a day's two halves (or what was made of each card), each in card key order,
/// in card key order: no card is in both halves.
pub fn merge_halves<T>(first: Vec<T>, second: Vec<T>, card: impl Fn(&T) -> &CardKey) -> Vec<T> {
    let mut merged = Vec::with_capacity(first.len() + second.len());
    let mut first = first.into_iter().peekable();
    let mut second = second.into_iter().peekable();
    loop {
        let next = match (first.peek(), second.peek()) {
            (Some(a), Some(b)) if card(b) < card(a) => second.next(),
            (Some(_), _) => first.next(),
            (None, _) => second.next(),
        };
        match next {
            Some(item) => merged.push(item),
            None => return merged,
        }
    }
}

/// One card's taps of a closed day.
#[derive(Debug)]
pub struct ClosedCard {
    pub card: CardKey,
    /// The registration (OV-chipkaart), when the stream carried one.
    pub profile: Option<CardProfile>,
    /// In processing order (tap time, then tap id).
    taps: Vec<HeldTap>,
}

impl ClosedCard {
    pub fn tap_count(&self) -> usize {
        self.taps.len()
    }

    /// The card's taps as the back office stores them, in processing order: made when the
    /// card is priced, so that a closed day waiting to be priced stays compact.
    pub fn stored_taps(&self) -> Vec<StoredTap> {
        self.taps
            .iter()
            .map(|t| t.clone().into_stored(&self.card))
            .collect()
    }
}

impl ClosedDay {
    pub fn tap_count(&self) -> usize {
        self.halves.iter().map(DayHalf::tap_count).sum()
    }

    /// Every card in card key order, each with its taps in processing order (on this
    /// thread).
    pub fn into_cards(self) -> Vec<ClosedCard> {
        let [first, second] = self.halves;
        merge_halves(first.into_cards(), second.into_cards(), |c| &c.card)
    }

    /// The two halves, to be grouped on two threads and merged ([`merge_halves`]).
    pub fn into_halves(self) -> [DayHalf; 2] {
        self.halves
    }
}

/// The streaming back office: a [`StreamClock`] and one [`TapStore`] holding every card, on
/// one thread.
#[derive(Debug)]
pub struct StreamingBackOffice {
    clock: StreamClock,
    store: TapStore,
    /// For [`Self::push`]; [`Self::push_prepared`] takes records whose readers are shared
    /// already.
    readers: SharedReaders,
}

impl StreamingBackOffice {
    /// `vault` as [`super::simulate::fresh_back_office`] makes it (EMV-01/17).
    pub fn new(rules: &RuleSet, vault: TokenVault, max_lateness_s: u32) -> StreamingBackOffice {
        StreamingBackOffice {
            clock: StreamClock::new(rules, max_lateness_s),
            store: TapStore::whole(vault),
            readers: SharedReaders::default(),
        }
    }

    pub fn counts(&self) -> StreamCounts {
        self.clock.counts().plus(self.store.counts())
    }

    /// Taps held for the open days.
    pub fn held_taps(&self) -> usize {
        self.store.held_taps()
    }

    /// Takes one record; returns the travel days it closed, oldest first.
    pub fn push(&mut self, record: Record) -> Result<Vec<ClosedDay>, BackOfficeError> {
        let prepared = PreparedRecord::new(record, &mut self.readers);
        self.push_prepared(prepared)
    }

    /// As [`Self::push`], for a record prepared elsewhere.
    pub fn push_prepared(
        &mut self,
        record: PreparedRecord,
    ) -> Result<Vec<ClosedDay>, BackOfficeError> {
        match record {
            PreparedRecord::Card { number, profile } => {
                self.store.card(number, profile);
                Ok(Vec::new())
            }
            PreparedRecord::Tap(tap) => match self.clock.admit(tap.at()) {
                Admission::Late => Ok(Vec::new()),
                Admission::Open(day) => {
                    self.store.file(day, tap)?;
                    Ok(self.close_ready())
                }
            },
        }
    }

    fn close_ready(&mut self) -> Vec<ClosedDay> {
        let days = self.clock.close_ready();
        if days.is_empty() {
            return Vec::new();
        }
        let closed = days.into_iter().map(|day| self.store.close(day)).collect();
        // EMV-17: PAN data go after their retention period.
        if let Some(watermark) = self.clock.watermark() {
            self.store.purge(watermark);
        }
        closed
    }

    /// The end of the stream: every open day closes.
    pub fn finish(self) -> (Vec<ClosedDay>, StreamCounts) {
        let StreamingBackOffice {
            clock, mut store, ..
        } = self;
        let (days, clock_counts) = clock.finish();
        let closed = days.into_iter().map(|day| store.close(day)).collect();
        (closed, clock_counts.plus(store.counts()))
    }
}

/// The journeys of some of a closed day's cards (a slice of [`ClosedDay::into_cards`]), priced at
/// the day's end.
pub fn day_journeys(
    rules: &RuleSet,
    day: TravelDay,
    cards: &[ClosedCard],
) -> Result<Vec<CardJourneys>, BackOfficeError> {
    let now = rules.travel_day_rule().end_of(day);
    let deny = DenyList::default();
    cards
        .iter()
        .map(|card| {
            let taps = card.stored_taps();
            one_card(rules, day, now, &deny, card, &taps)
        })
        .collect()
}

/// The journeys of `day` and their fares, card by card, handed to `fold` as they are priced
/// and dropped with the card's taps before the next card: what the day's totals need,
/// without holding, or copying, every journey of the day. The same journeys and fares as
/// [`day_journeys`] (`tests/scale.rs` checks the totals).
pub fn fold_day_fares<T>(
    rules: &RuleSet,
    day: TravelDay,
    cards: Vec<ClosedCard>,
    mut state: T,
    mut fold: impl FnMut(&mut T, &Journey, &JourneyFare),
) -> Result<T, BackOfficeError> {
    let now = rules.travel_day_rule().end_of(day);
    let deny = DenyList::default();
    for mut card in cards {
        let taps = std::mem::take(&mut card.taps);
        let stored: Vec<StoredTap> = taps
            .into_iter()
            .map(|t| t.into_stored(&card.card))
            .collect();
        let taps: Vec<&StoredTap> = stored.iter().collect();
        let history = history(&card, &deny, &taps);
        price_card(rules, &card.card, &history, now, |journey, fare| {
            // As [`one_card`]: the journeys of the day only.
            if journey.travel_day == day {
                fold(&mut state, journey, &fare);
            }
        })?;
    }
    Ok(state)
}

/// What a closed card's journeys depend on: its taps of the day and its registration (a
/// stream carries no deny list, debts or special settings).
fn history<'h>(
    closed: &'h ClosedCard,
    deny: &'h DenyList,
    taps: &'h [&'h StoredTap],
) -> CardHistory<'h> {
    CardHistory {
        taps,
        deny,
        debts: &[],
        settings: &[],
        profile: closed.profile.as_ref(),
    }
}

/// One card's journeys of `day` from its `stored` taps, priced at the day's end `now`.
///
/// Unlike [`super::card_journeys`], each journey is moved into `priced`, next to its fare, and not
/// also kept in `built.journeys` (left empty; `built` keeps the open legs and the unmatched
/// check-outs): journeys are the largest part of a national day held for its reports, and
/// the day's files read them from `priced` only.
fn one_card(
    rules: &RuleSet,
    day: TravelDay,
    now: Timestamp,
    deny: &DenyList,
    closed: &ClosedCard,
    stored: &[StoredTap],
) -> Result<CardJourneys, BackOfficeError> {
    let taps: Vec<&StoredTap> = stored.iter().collect();
    let history = history(closed, deny, &taps);
    let mut fares = Vec::new();
    let (mut built, settle_debt) = price_card(rules, &closed.card, &history, now, |_, fare| {
        fares.push(fare)
    })?;
    let journeys = std::mem::take(&mut built.journeys);
    let mut priced = Vec::with_capacity(journeys.len());
    priced.extend(
        journeys
            .into_iter()
            .zip(fares)
            .filter(|(journey, _)| journey.travel_day == day)
            .map(|(journey, fare)| PricedJourney { journey, fare }),
    );
    // A national day holds millions of these until its reports are written: no list keeps
    // spare room (most cards end their day with no open leg, most journeys have one leg).
    built.open.shrink_to_fit();
    for p in &mut priced {
        p.journey.legs.shrink_to_fit();
    }
    Ok(CardJourneys {
        card: closed.card.clone(),
        built,
        priced,
        settle_debt,
    })
}

/// The day as [`BackOffice::day`] shows it: its taps in processing order and every card's
/// journeys; with what each tap meant to its card's journeys, in the order of the day's taps
/// (for [`TapMeanings::in_day_order`]): found card by card among a few legs while the taps
/// are gathered, where a national day's reports would otherwise look each tap up by its id.
/// `cards` are `closed`'s cards priced, in their order ([`day_journeys`]).
pub fn day_view(
    day: TravelDay,
    closed: Vec<ClosedCard>,
    cards: Vec<CardJourneys>,
) -> (DayView, Vec<Option<TransactionKind>>) {
    assert_eq!(closed.len(), cards.len(), "every card priced");
    // The held taps are moved, card by card, so the day is never held twice.
    let mut taps: Vec<(StoredTap, Option<TransactionKind>)> =
        Vec::with_capacity(closed.iter().map(ClosedCard::tap_count).sum());
    let mut meant = Vec::new();
    for (card, journeys) in closed.into_iter().zip(&cards) {
        assert!(card.card == journeys.card, "cards priced in their order");
        meant.clear();
        report::each_tap_meaning(journeys, |id, kind| meant.push((id, kind)));
        let key = card.card;
        taps.extend(card.taps.into_iter().map(|t| {
            // The last meaning of a tap counts, as in [`TapMeanings::of`].
            let meaning = meant
                .iter()
                .rev()
                .find(|(id, _)| **id == t.tap_id)
                .map(|&(_, kind)| kind);
            (t.into_stored(&key), meaning)
        }));
    }
    // Tap ids are unique within the day: an unstable sort gives the same order, in place.
    taps.sort_unstable_by(|(a, _), (b, _)| (a.at, &a.tap_id).cmp(&(b.at, &b.tap_id)));
    let mut meanings = Vec::with_capacity(taps.len());
    // Collected in place: the list of pairs becomes the list of taps.
    let taps = taps
        .into_iter()
        .map(|(tap, meaning)| {
            meanings.push(meaning);
            tap
        })
        .collect();
    let view = DayView { day, taps, cards };
    (view, meanings)
}

/// One operator's report of the day (GBO-03). `tokens` is a back office with the stream's
/// token key (for EMV-02 operator tokens; it needs no taps).
pub fn operator_report(
    tokens: &BackOffice,
    view: &DayView,
    meanings: &TapMeanings<'_>,
    operator: &str,
) -> OperatorReport {
    report::operator_report_with(tokens, view, meanings, operator)
}

/// One operator's report files of the day in memory, by [`ReportFile::path`], and the
/// report's total.
pub fn operator_files(
    tokens: &BackOffice,
    view: &DayView,
    meanings: &TapMeanings<'_>,
    operator: &str,
) -> (Vec<(String, String)>, Cents) {
    let report = operator_report(tokens, view, meanings, operator);
    let files = ReportFile::ALL
        .into_iter()
        .map(|file| {
            let mut text = Vec::new();
            file.write(&report, &mut text)
                .expect("plain data renders into memory");
            let text = String::from_utf8(text).expect("reports are UTF-8");
            (file.path(operator), text)
        })
        .collect();
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
    let day = closed.day;
    let closed = closed.into_cards();
    let cards = day_journeys(rules, day, &closed)?;
    let (view, meanings) = day_view(day, closed, cards);
    let mut files = BTreeMap::new();
    let meanings = TapMeanings::in_day_order(&view, meanings);
    for operator in &rules.operators {
        files.extend(operator_files(tokens, &view, &meanings, &operator.id).0);
    }
    files.insert("settlement.json".to_string(), settlement_file(&view).0);
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Mode;
    use crate::tap::DeviceKind;

    /// A reader is found again by its encoding whether the key holds it inline or boxed, and
    /// encodings that differ only past a prefix, or only in length, are different readers.
    #[test]
    fn shared_readers_find_each_encoding_inline_or_boxed() {
        let reader = |device: u32| ReaderRef {
            operator: "GVB".into(),
            mode: Mode::Tram,
            station: "leidsepl".into(),
            device,
            device_kind: DeviceKind::OnBoard,
            vehicle: None,
        };
        let short = b"GVB,tram,leidsepl,1".to_vec();
        let mut long = vec![b'x'; ReaderKey::INLINE + 10];
        let at_the_limit = vec![b'y'; ReaderKey::INLINE];
        let mut past_the_limit = at_the_limit.clone();
        past_the_limit.push(b'y');
        long[ReaderKey::INLINE + 5] = b'z';
        let mut other_long = long.clone();
        other_long[ReaderKey::INLINE + 5] = b'w';
        let encodings = [
            short.clone(),
            long,
            other_long,
            at_the_limit,
            past_the_limit,
        ];
        let mut readers = SharedReaders::default();
        for (device, encoded) in (1..).zip(&encodings) {
            let shared = readers
                .reader(encoded, || Ok::<_, ()>(reader(device)))
                .expect("decodes");
            assert_eq!(shared.device, device);
        }
        for (device, encoded) in (1..).zip(&encodings) {
            let known = readers
                .reader(encoded, || Err(()))
                .expect("known, not decoded again");
            assert_eq!(known.device, device, "{encoded:?}");
        }
        assert!(
            readers
                .reader(&short[..short.len() - 1], || Err(()))
                .is_err()
        );
    }
}
