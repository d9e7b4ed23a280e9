//! A synthetic national tap stream (`ovcert gen`): many travellers over several travel days
//! of the rule set's network, in the order the back office receives the taps.
//!
//! Pure and deterministic: every choice comes from [`SplitMix64`] seeded with the stream's
//! seed and the card and day it is for, so the same configuration always gives the same
//! records (and the same bytes in either format), and card `i`'s day does not depend on how
//! many taps were asked for.
//!
//! # What the stream contains
//!
//! - Travel days from `start` on (default: Thursday 24 October 2024 for a week, so the
//!   25-hour travel day of the autumn DST night, 26 October, is in it), each with about an
//!   equal share of the taps.
//! - A population of cards, numbered in order; card `i` is a bank card (OVpay) with
//!   probability [`OVPAY_PERCENT`], else an OV-chipkaart whose profile (anonymous, personal
//!   with a birth date near an age limit, disposable; products valid, expired or not yet
//!   valid) comes as a [`Record::Card`] before its first tap. A card is a commuter
//!   ([`COMMUTER_PERCENT`]: travels on most weekdays, some weekend days) or an occasional
//!   traveller. Each day takes cards in order until its share of taps is reached.
//! - A travelling card's day is the traveller model of [`simulate::Traveller`]: rides with
//!   every operator and mode, transfers within and just outside the window, missing
//!   check-outs, cancellations and station visits, same-stop taps, two journeys at once,
//!   refused taps; OV-chipkaart taps carry what the reader recorded (TAP-04), bank-card taps
//!   are `emv` with the PAN data (EMV-01: the back office tokenises them).
//! - Upload order: online readers deliver within [`ONLINE_DELAY_MAX_S`]; [`OFFLINE_PERCENT`]
//!   of on-board taps come from readers that upload later, up to `max_lateness_s`; about
//!   [`DUPLICATE_PER_MILLE`] ‰ of taps are uploaded twice (GBO-04). Records are ordered by
//!   upload time, so no tap comes after one more than `max_lateness_s` younger than itself.

use std::collections::HashSet;

use arbitrary::Unstructured;
use jiff::civil::{Date, Weekday};

use crate::backoffice::CardProfile;
use crate::backoffice::simulate::{self, PlannedTap, Traveller};
use crate::card::{CardKind, CardNumber};
use crate::rules::RuleSet;
use crate::stream::{Record, StreamHeader};
use crate::tap::{CardIdentity, DeviceKind, TapAmounts, TapId, TapKind, TapMessage};
use crate::time::TravelDay;
use smol_str::format_smolstr;

/// Share of bank cards among the cards (EMV: OVpay).
pub const OVPAY_PERCENT: u64 = 15;
/// Share of commuters among the cards.
pub const COMMUTER_PERCENT: u64 = 40;
/// Online readers deliver a tap within this many seconds.
pub const ONLINE_DELAY_MAX_S: i64 = 2;
/// Share of on-board taps from readers that upload later (offline buffers).
pub const OFFLINE_PERCENT: u64 = 20;
/// Taps uploaded a second time, per thousand.
pub const DUPLICATE_PER_MILLE: u64 = 5;
/// Bytes of randomness one card's day may draw (the traveller model takes far fewer).
const DAY_ENTROPY_BYTES: usize = 512;
/// Synthetic OV-chipkaart numbers: card `i` is this plus `i`.
const OV_NUMBER_BASE: u64 = 3528_0200_0000_0000;
const PAN_PREFIXES: [&str; 3] = ["541333", "476173", "670300"];
const EXPIRIES: [&str; 3] = ["2612", "2812", "3001"];

/// A small, fast, seedable generator (Steele, Lea & Flood's SplitMix64): good enough for
/// synthetic data, and simple enough to be written down here rather than depended on.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant for n far below 2^64).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn fill(&mut self, bytes: &mut [u8]) {
        for chunk in bytes.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

/// SplitMix64's output function: a strong 64-bit mixer.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A generator seeded for one purpose: independent streams for every (card, day, purpose).
fn rng_for(seed: u64, card: u64, day: u64, purpose: u64) -> SplitMix64 {
    SplitMix64::new(mix(mix(mix(seed ^ purpose) ^ card) ^ day))
}

/// Which cards the stream has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CardMix {
    /// The national mix: OVpay bank cards, OV-chipkaarten with profiles and products.
    #[default]
    National,
    /// Anonymous OV-chipkaarten without products only: full fare throughout (the peer
    /// benchmark's comparison dataset).
    FullFare,
}

impl std::str::FromStr for CardMix {
    type Err = String;

    fn from_str(text: &str) -> Result<CardMix, String> {
        match text {
            "national" => Ok(CardMix::National),
            "full-fare" => Ok(CardMix::FullFare),
            other => Err(format!(
                "unknown card mix `{other}` (national or full-fare)"
            )),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthConfig {
    pub seed: u64,
    /// Tap records in the stream (duplicates included; card records come on top).
    pub taps: u64,
    /// The first travel day.
    pub start: Date,
    pub days: u32,
    pub max_lateness_s: u32,
    pub cards: CardMix,
}

impl SynthConfig {
    /// A week from Thursday 24 October 2024 (with the autumn DST night), offline uploads up
    /// to four hours late.
    pub fn new(seed: u64, taps: u64) -> SynthConfig {
        SynthConfig {
            seed,
            taps,
            start: jiff::civil::date(2024, 10, 24),
            days: 7,
            max_lateness_s: 4 * 3600,
            cards: CardMix::National,
        }
    }

    pub fn header(&self) -> StreamHeader {
        StreamHeader {
            seed: self.seed,
            max_lateness_s: self.max_lateness_s,
        }
    }
}

/// The stream, a travel day at a time: [`Generator::next_batch`] gives the records uploaded
/// before the end of the next travel day (the last batch also what came later).
pub struct Generator<'r> {
    rules: &'r RuleSet,
    config: SynthConfig,
    day: u32,
    taps_out: u64,
    sequence: u64,
    profiled: HashSet<u64>,
    /// Generated but not yet delivered: (upload second, order key, record).
    pending: Vec<(i64, u64, Record)>,
}

impl<'r> Generator<'r> {
    pub fn new(rules: &'r RuleSet, config: SynthConfig) -> Generator<'r> {
        Generator {
            rules,
            config,
            day: 0,
            taps_out: 0,
            sequence: 0,
            profiled: HashSet::new(),
            pending: Vec::new(),
        }
    }

    /// The next records in upload order; `None` when the stream is complete.
    pub fn next_batch(&mut self) -> Option<Vec<Record>> {
        if self.taps_out >= self.config.taps || self.config.days == 0 {
            return None;
        }
        let last = self.day + 1 >= self.config.days;
        let day = self.travel_day(self.day);
        let generated: u64 = self.pending.iter().filter(|p| p.1 & 1 == 1).count() as u64;
        let days_left = u64::from(self.config.days - self.day);
        let share = (self.config.taps - self.taps_out).saturating_sub(generated) / days_left;
        self.generate_day(day, share.max(1));
        self.day += 1;
        let cut = self.rules.travel_day_rule().end_of(day).as_second();
        self.pending.sort_by_key(|p| (p.0, p.1));
        let split = if last {
            self.pending.len()
        } else {
            self.pending.partition_point(|p| p.0 < cut)
        };
        let mut batch = Vec::with_capacity(split);
        for (_, key, record) in self.pending.drain(..split) {
            if key & 1 == 1 {
                if self.taps_out >= self.config.taps {
                    break;
                }
                self.taps_out += 1;
            }
            batch.push(record);
        }
        if last {
            self.taps_out = self.config.taps;
            self.pending.clear();
        }
        Some(batch)
    }

    fn travel_day(&self, index: u32) -> TravelDay {
        let date = self
            .config
            .start
            .checked_add(jiff::Span::new().days(i64::from(index)))
            .expect("generated days are near the start date");
        TravelDay(date)
    }

    /// Cards in order until the day has `share` taps.
    fn generate_day(&mut self, day: TravelDay, share: u64) {
        let traveller = Traveller::for_day(self.rules, day);
        let weekend = matches!(day.0.weekday(), Weekday::Saturday | Weekday::Sunday);
        // Keyed by the date, not by its place in the stream.
        let day_key = (i64::from(day.0.year()) * 10_000
            + i64::from(day.0.month()) * 100
            + i64::from(day.0.day())) as u64;
        let mut made = 0_u64;
        let mut card = 0_u64;
        let mut entropy = vec![0_u8; DAY_ENTROPY_BYTES];
        while made < share {
            let traits = rng_for(self.config.seed, card, 0, 1).next_u64();
            let full_fare = self.config.cards == CardMix::FullFare;
            let bank = !full_fare && traits % 100 < OVPAY_PERCENT;
            let commuter = (traits >> 16) % 100 < COMMUTER_PERCENT;
            let per_mille = match (commuter, weekend) {
                (true, false) => 900,
                (true, true) => 250,
                (false, _) => 120,
            };
            let mut rng = rng_for(self.config.seed, card, day_key, 2);
            if rng.below(1000) < per_mille {
                rng.fill(&mut entropy);
                let mut u = Unstructured::new(&entropy);
                if let Ok(taps) = traveller.walk(bank, &mut u) {
                    made += self.deliver(card, bank, &traveller, &taps, &mut rng);
                }
            }
            card += 1;
        }
    }

    /// Adds one card's taps of a day to the pending uploads; returns how many tap records.
    fn deliver(
        &mut self,
        card: u64,
        bank: bool,
        traveller: &Traveller<'_>,
        taps: &[PlannedTap],
        rng: &mut SplitMix64,
    ) -> u64 {
        let Some(first) = taps.first() else {
            return 0;
        };
        let identity = if bank {
            let mut r = rng_for(self.config.seed, card, 0, 3);
            CardIdentity::Emv {
                pan: format!("{}{:010}", PAN_PREFIXES[(card % 3) as usize], card),
                pan_sequence: r.below(3) as u8,
                expiry: EXPIRIES[r.below(3) as usize].to_string(),
            }
        } else {
            let number = CardNumber::new(OV_NUMBER_BASE + card)
                .expect("synthetic card numbers have 16 digits");
            if self.config.cards == CardMix::National && self.profiled.insert(card) {
                let profile = self.profile(card, traveller);
                if profile.kind != CardKind::Anonymous || !profile.products.is_empty() {
                    // Delivered with the first tap, ahead of it (even key = before taps).
                    self.sequence += 1;
                    self.pending.push((
                        first.at.as_second(),
                        self.sequence << 1,
                        Record::Card { number, profile },
                    ));
                }
            }
            CardIdentity::OvChipkaart { number }
        };
        let kinds = if bank {
            vec![TapKind::Emv; taps.len()]
        } else {
            simulate::reader_kinds(taps)
        };
        let lateness = i64::from(self.config.max_lateness_s);
        let mut count = 0;
        for (tap, kind) in taps.iter().zip(kinds) {
            self.sequence += 1;
            let message = TapMessage {
                tap_id: TapId(format_smolstr!(
                    "{}-{}-{:08}",
                    tap.reader.operator,
                    tap.reader.device,
                    self.sequence
                )),
                reader: tap.reader.clone(),
                at: tap.at,
                card: identity.clone(),
                kind,
                amounts: TapAmounts::default(),
            };
            let offline =
                tap.reader.device_kind == DeviceKind::OnBoard && rng.below(100) < OFFLINE_PERCENT;
            let delay = if offline {
                60 + rng.below(lateness.saturating_sub(60).max(1) as u64) as i64
            } else {
                rng.below(ONLINE_DELAY_MAX_S as u64 + 1) as i64
            };
            let at = tap.at.as_second();
            if rng.below(1000) < DUPLICATE_PER_MILLE {
                let again = delay + rng.below((lateness - delay).max(1) as u64) as i64;
                self.sequence += 1;
                self.pending.push((
                    at + again,
                    self.sequence << 1 | 1,
                    Record::Tap(message.clone()),
                ));
                count += 1;
            }
            self.pending
                .push((at + delay, self.sequence << 1 | 1, Record::Tap(message)));
            count += 1;
        }
        count
    }

    fn profile(&self, card: u64, traveller: &Traveller<'_>) -> CardProfile {
        let mut bytes = [0_u8; 64];
        rng_for(self.config.seed, card, 0, 4).fill(&mut bytes);
        traveller
            .ov_profile(&mut Unstructured::new(&bytes))
            .unwrap_or(CardProfile {
                kind: CardKind::Anonymous,
                birth_date: None,
                products: Vec::new(),
            })
    }
}
