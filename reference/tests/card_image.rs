//! Card image codec: round trips, torn writes, corrupt images and the documented layout.
//!
//! The byte offsets used here are written out from the layout table in the module
//! documentation of `card::image`, not taken from the codec, so these tests also check that
//! the table tells the truth.

use jiff::civil::{Date, date};
use jiff::{Span, Timestamp};
use ovcert_reference::Cents;
use ovcert_reference::card::image::{
    self, Area, DATE_EPOCH, DATE_MAX, DecodeError, DecodeErrorKind, EncodeError, HOLDER_NAME_MAX,
    IMAGE_LEN, LOG_CAPACITY, LOG_SLOTS, MAX_ENTRIES_PER_WRITE, OPERATOR_CODE_MAX, PRODUCT_CODE_MAX,
    PRODUCT_SLOTS, STATION_CODE_MAX, TIMESTAMP_EPOCH, TIMESTAMP_MAX,
};
use ovcert_reference::card::{
    Card, CardKind, CardNumber, Holder, LogEntry, LogKind, ProductSlot, Purse, SpecialSetting,
};
use ovcert_reference::rules::Mode;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

// ---------------------------------------------------------------------------------------------
// The documented layout

const HEADER: usize = 16;
const HOLDER: usize = 64;
const PURSE_A: usize = 128;
const PURSE_B: usize = 192;
const PURSE_LEN: usize = 32;
const PRODUCTS: usize = 256;
const LOG: usize = 2048;
const TRAILER: [u8; 16] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x80, 0x69, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
];

fn product_at(slot: usize) -> usize {
    PRODUCTS + 64 * slot
}

fn log_slot_at(slot: usize) -> usize {
    LOG + 256 * (slot / 7) + 32 * (slot % 7)
}

/// (start, length) of every sector.
fn sectors() -> impl Iterator<Item = (usize, usize)> {
    (0..32)
        .map(|s| (64 * s, 64))
        .chain((0..8).map(|s| (2048 + 256 * s, 256)))
}

/// Recomputes the CRC-32 in the last four bytes of an area after a test edits it.
fn reseal(image: &mut [u8], start: usize, len: usize) {
    let body = len - 4;
    let crc = crc32fast::hash(&image[start..start + body]);
    image[start + body..start + len].copy_from_slice(&crc.to_le_bytes());
}

/// The log slot check byte: CRC-8, polynomial 0x07, initial value 0xFF.
fn crc8(bytes: &[u8]) -> u8 {
    let mut crc = 0xFF_u8;
    for &byte in bytes {
        crc ^= byte;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
    }
    crc
}

fn reseal_log_slot(image: &mut [u8], slot: usize) {
    let at = log_slot_at(slot);
    image[at + 31] = crc8(&image[at..at + 31]);
}

// ---------------------------------------------------------------------------------------------
// Strategies

fn day(days: u16) -> Date {
    DATE_EPOCH
        .checked_add(Span::new().days(i64::from(days)))
        .unwrap()
}

fn arb_date() -> impl Strategy<Value = Date> {
    prop_oneof![
        1 => Just(DATE_EPOCH),
        1 => Just(DATE_MAX),
        8 => any::<u16>().prop_map(day),
    ]
}

fn arb_timestamp() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        1 => Just(TIMESTAMP_EPOCH),
        1 => Just(TIMESTAMP_MAX),
        8 => any::<u32>().prop_map(|second| {
            Timestamp::from_second(TIMESTAMP_EPOCH.as_second() + i64::from(second)).unwrap()
        }),
    ]
}

/// ASCII without NUL (NUL is the padding), up to `max` bytes.
fn arb_ascii(max: usize) -> impl Strategy<Value = String> {
    vec(1_u8..=0x7F, 0..=max).prop_map(|bytes| String::from_utf8(bytes).unwrap())
}

/// Any UTF-8 that fits the holder name field.
fn arb_name() -> impl Strategy<Value = String> {
    vec(any::<char>(), 0..=12).prop_map(|chars| {
        let mut name = String::new();
        for c in chars {
            if name.len() + c.len_utf8() > HOLDER_NAME_MAX {
                break;
            }
            name.push(c);
        }
        name
    })
}

fn arb_cents() -> impl Strategy<Value = Cents> {
    prop_oneof![
        1 => Just(Cents::new(i64::from(i32::MIN))),
        1 => Just(Cents::new(i64::from(i32::MAX))),
        8 => any::<i32>().prop_map(|cents| Cents::new(i64::from(cents))),
    ]
}

fn arb_entry() -> impl Strategy<Value = LogEntry> {
    let kinds = vec![
        LogKind::CheckIn,
        LogKind::CheckOut,
        LogKind::MissingCheckOut,
        LogKind::Load,
        LogKind::AutoReload,
        LogKind::ProductLoad,
        LogKind::Blocked,
    ];
    (
        select(kinds),
        arb_timestamp(),
        arb_ascii(OPERATOR_CODE_MAX),
        proptest::option::of(select(Mode::ALL.to_vec())),
        arb_ascii(STATION_CODE_MAX),
        any::<u32>(),
        arb_cents(),
        arb_cents(),
    )
        .prop_map(
            |(kind, at, operator, mode, station, device, amount, balance_after)| LogEntry {
                kind,
                at,
                operator,
                mode,
                station,
                device,
                amount,
                balance_after,
            },
        )
}

fn arb_product() -> impl Strategy<Value = ProductSlot> {
    (
        arb_ascii(PRODUCT_CODE_MAX),
        arb_date(),
        arb_date(),
        proptest::option::of((arb_ascii(STATION_CODE_MAX), arb_ascii(STATION_CODE_MAX))),
    )
        .prop_map(|(code, valid_from, valid_until, route)| ProductSlot {
            code,
            valid_from,
            valid_until,
            route: route.map(|(from, to)| [from, to]),
        })
}

fn arb_holder() -> impl Strategy<Value = Holder> {
    (arb_date(), arb_name()).prop_map(|(birth_date, name)| Holder { birth_date, name })
}

/// Purse fields; the open check-in is picked from the log the purse ends up with.
#[derive(Debug, Clone)]
struct PurseFields {
    counter: u32,
    balance: Cents,
    auto_reload: Option<Cents>,
    rail_activated: bool,
    travel_class: u8,
    blocked: bool,
    special: SpecialSetting,
    check_in: Option<Index>,
}

impl PurseFields {
    fn purse(self, log: &[LogEntry]) -> Purse {
        let check_in = match self.check_in {
            Some(index) if !log.is_empty() => Some(log[index.index(log.len())].clone()),
            _ => None,
        };
        Purse {
            counter: self.counter,
            balance: self.balance,
            auto_reload: self.auto_reload,
            rail_activated: self.rail_activated,
            travel_class: self.travel_class,
            blocked: self.blocked,
            special: self.special,
            check_in,
        }
    }
}

fn arb_purse_fields() -> impl Strategy<Value = PurseFields> {
    let specials = vec![
        SpecialSetting::None,
        SpecialSetting::FirstClass,
        SpecialSetting::GroupDiscount,
    ];
    (
        any::<u32>(),
        arb_cents(),
        proptest::option::of((1_i64..=65_535).prop_map(Cents::new)),
        any::<bool>(),
        1_u8..=2,
        any::<bool>(),
        select(specials),
        any::<Option<Index>>(),
    )
        .prop_map(
            |(
                counter,
                balance,
                auto_reload,
                rail_activated,
                travel_class,
                blocked,
                special,
                check_in,
            )| PurseFields {
                counter,
                balance,
                auto_reload,
                rail_activated,
                travel_class,
                blocked,
                special,
                check_in,
            },
        )
}

/// Any card the codec must accept.
fn arb_card() -> impl Strategy<Value = Card> {
    let kinds = vec![
        CardKind::Anonymous,
        CardKind::Personal,
        CardKind::Disposable,
    ];
    (
        any::<u32>(),
        (0..=CardNumber::MAX).prop_map(|number| CardNumber::new(number).unwrap()),
        select(kinds),
        (arb_date(), arb_date()),
        proptest::option::of(arb_holder()),
        vec(arb_product(), 0..=PRODUCT_SLOTS),
        vec(arb_entry(), 0..=LOG_CAPACITY),
        arb_purse_fields(),
    )
        .prop_map(
            |(uid, number, kind, (issued_on, expires_on), holder, products, log, purse)| Card {
                uid,
                number,
                kind,
                issued_on,
                expires_on,
                holder,
                products,
                purse: purse.purse(&log),
                log,
            },
        )
}

/// One purse-and-log transaction on `card`, appending at most `max_entries` entries through
/// `Card::record` (which drops the oldest at capacity) and maybe changing the purse.
fn arb_step(card: Card, max_entries: usize) -> impl Strategy<Value = Card> {
    (
        vec(arb_entry(), 0..=max_entries),
        proptest::option::of(arb_purse_fields()),
    )
        .prop_map(move |(entries, fields)| {
            let mut next = card.clone();
            for entry in entries {
                next.record(entry);
            }
            match fields {
                Some(fields) => next.purse = fields.purse(&next.log),
                None => {
                    // A check-in that fell off the log can no longer be stored.
                    if next
                        .purse
                        .check_in
                        .as_ref()
                        .is_some_and(|e| !next.log.contains(e))
                    {
                        next.purse.check_in = None;
                    }
                }
            }
            next
        })
}

/// A step whose new entries fit the slots the previous state leaves free: the torn-write
/// guarantee holds for it.
fn arb_atomic_step(card: Card) -> impl Strategy<Value = Card> {
    // Every reader or machine transaction adds at most MAX_ENTRIES_PER_WRITE entries, and
    // the log keeps that many slots free, so even a full log takes them atomically.
    assert!(LOG_SLOTS - card.log.len() >= MAX_ENTRIES_PER_WRITE);
    arb_step(card, MAX_ENTRIES_PER_WRITE)
}

/// Three successive card states, each the previous one after an atomic transaction.
fn arb_history() -> impl Strategy<Value = [Card; 3]> {
    arb_card()
        .prop_flat_map(|first| (Just(first.clone()), arb_atomic_step(first)))
        .prop_flat_map(|(first, second)| {
            (Just(first), Just(second.clone()), arb_atomic_step(second))
        })
        .prop_map(|(first, second, third)| [first, second, third])
}

/// The images of successive writes of `cards`, starting from a blank chip.
fn write_history(cards: &[Card]) -> Vec<Vec<u8>> {
    let mut images: Vec<Vec<u8>> = Vec::new();
    for card in cards {
        let image = image::write(images.last().map(Vec::as_slice), card).unwrap();
        images.push(image);
    }
    images
}

/// `len` pseudo-random bytes from `seed` (SplitMix64): far cheaper to generate than a
/// proptest vector of thousands of bytes, and as reproducible.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        bytes.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

fn changed_bytes(previous: &[u8], next: &[u8]) -> usize {
    previous
        .iter()
        .zip(next)
        .filter(|(old, new)| old != new)
        .count()
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #[test]
    fn round_trip_on_a_blank_chip(card in arb_card()) {
        let bytes = image::write(None, &card).unwrap();
        prop_assert_eq!(bytes.len(), IMAGE_LEN);
        prop_assert_eq!(image::decode(&bytes), Ok(card));
    }

    #[test]
    fn round_trip_over_a_previous_image(previous in arb_card(), next in arb_card()) {
        let old = image::write(None, &previous).unwrap();
        let new = image::write(Some(&old), &next).unwrap();
        prop_assert_eq!(image::decode(&new), Ok(next.clone()));
        // Once more, so that the copy written is the other one.
        let again = image::write(Some(&new), &previous).unwrap();
        prop_assert_eq!(image::decode(&again), Ok(previous));
    }

    #[test]
    fn round_trip_over_garbage(card in arb_card(), seed in any::<u64>()) {
        let bytes = image::write(Some(&noise(seed, IMAGE_LEN)), &card).unwrap();
        prop_assert_eq!(image::decode(&bytes), Ok(card));
    }

    #[test]
    fn decode_of_any_bytes_returns(seed in any::<u64>(), len in 0_usize..5000) {
        let _ = image::decode(&noise(seed, len));
    }

    #[test]
    fn decode_of_any_image_sized_bytes_returns(seed in any::<u64>()) {
        let _ = image::decode(&noise(seed, IMAGE_LEN));
    }

    #[test]
    fn decode_of_a_damaged_image_returns(
        card in arb_card(),
        damage in vec((0..IMAGE_LEN, 1_u8..=255), 1..16),
    ) {
        let mut bytes = image::write(None, &card).unwrap();
        for (at, flip) in damage {
            bytes[at] ^= flip;
        }
        let _ = image::decode(&bytes);
    }
}

proptest! {
    // Each case writes three images and decodes every torn prefix: 128 cases keep the run
    // to a few seconds in a debug build.
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Damage in the purse sectors can cost the newest state, but never mixes two.
    #[test]
    fn damaged_purse_copies_give_a_whole_state_or_an_error(
        history in arb_history(),
        damage in vec((PURSE_A..PRODUCTS, 1_u8..=255), 1..8),
    ) {
        let images = write_history(&history);
        let mut bytes = images[2].clone();
        for (at, flip) in damage {
            bytes[at] ^= flip;
        }
        if let Ok(card) = image::decode(&bytes) {
            prop_assert!(history.contains(&card), "decoded a state never written: {card:?}");
        }
    }

    /// The key property: a purse-and-log write torn off after any number of bytes decodes to
    /// exactly the previous card until the last byte, and to exactly the new card after it.
    #[test]
    fn torn_purse_and_log_write_gives_previous_or_next(history in arb_history()) {
        let images = write_history(&history);
        let (previous, next) = (&images[1], &images[2]);
        let changed = changed_bytes(previous, next);
        for written in 0..changed {
            let torn = image::torn_write(previous, next, written);
            prop_assert_eq!(image::decode(&torn), Ok(history[1].clone()), "{} of {} bytes", written, changed);
        }
        prop_assert_eq!(&image::torn_write(previous, next, changed), next);
        prop_assert_eq!(image::decode(next), Ok(history[2].clone()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// More new entries than free slots: the write must reuse slots the previous state refers
    /// to, so a torn write may fail to decode — but it still never decodes to a mix.
    #[test]
    fn torn_overflowing_write_gives_previous_next_or_an_error(
        (previous, next) in vec(arb_entry(), LOG_CAPACITY)
            .prop_flat_map(|log| {
                let mut card = sample_card();
                card.log = log;
                card.purse.check_in = None;
                (Just(card.clone()), arb_step(card, 6))
            }),
    ) {
        let images = write_history(&[previous.clone(), next.clone()]);
        let changed = changed_bytes(&images[0], &images[1]);
        for written in 0..=changed {
            let torn = image::torn_write(&images[0], &images[1], written);
            if let Ok(card) = image::decode(&torn) {
                prop_assert!(card == previous || card == next, "mixed state after {written} bytes");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A fixed card for the plain tests

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn entry(kind: LogKind, when: &str, station: &str, amount: i64, balance_after: i64) -> LogEntry {
    LogEntry {
        kind,
        at: at(when),
        operator: "NS".into(),
        mode: Some(Mode::Train),
        station: station.into(),
        device: 4711,
        amount: Cents::new(amount),
        balance_after: Cents::new(balance_after),
    }
}

fn sample_card() -> Card {
    let log = vec![
        entry(LogKind::Load, "2024-03-01T08:00:00Z", "asd", 2000, 2000),
        entry(LogKind::CheckIn, "2024-03-01T08:10:00Z", "asd", -2000, 0),
        entry(LogKind::CheckOut, "2024-03-01T08:50:00Z", "ut", 1320, 1320),
        entry(LogKind::CheckIn, "2024-03-02T07:15:00Z", "ut", -2000, -680),
    ];
    Card {
        uid: 0x1234_5678,
        number: CardNumber::parse("3528 0100 1234 5678").unwrap(),
        kind: CardKind::Personal,
        issued_on: date(2023, 5, 1),
        expires_on: date(2028, 5, 1),
        holder: Some(Holder {
            birth_date: date(1961, 2, 28),
            name: "Jan Jánssen".into(),
        }),
        products: vec![
            ProductSlot {
                code: "dal-voordeel".into(),
                valid_from: date(2024, 1, 1),
                valid_until: date(2024, 12, 31),
                route: None,
            },
            ProductSlot {
                code: "traject-vrij".into(),
                valid_from: date(2024, 1, 1),
                valid_until: date(2024, 12, 31),
                route: Some(["asd".into(), "ut".into()]),
            },
        ],
        purse: Purse {
            counter: 17,
            balance: Cents::new(-680),
            auto_reload: Some(Cents::euros(20)),
            rail_activated: true,
            travel_class: 2,
            blocked: false,
            special: SpecialSetting::None,
            check_in: Some(log[3].clone()),
        },
        log,
    }
}

/// The sample card after one more transaction: the check-out of its open check-in.
fn sample_checked_out() -> Card {
    let mut card = sample_card();
    card.record(entry(
        LogKind::CheckOut,
        "2024-03-02T07:55:00Z",
        "asd",
        2000,
        1320,
    ));
    card.purse.balance = Cents::new(1320);
    card.purse.check_in = None;
    card
}

fn sample_image() -> Vec<u8> {
    image::write(None, &sample_card()).unwrap()
}

/// Decodes an image the test has damaged; it must fail.
fn decode_err(bytes: &[u8]) -> DecodeError {
    match image::decode(bytes) {
        Ok(card) => panic!("damaged image decoded to {card:?}"),
        Err(error) => error,
    }
}

fn damaged(edit: impl FnOnce(&mut Vec<u8>)) -> DecodeError {
    let mut bytes = sample_image();
    edit(&mut bytes);
    decode_err(&bytes)
}

fn encode_err(edit: impl FnOnce(&mut Card)) -> EncodeError {
    let mut card = sample_card();
    edit(&mut card);
    match image::write(None, &card) {
        Ok(_) => panic!("card should not encode: {card:?}"),
        Err(error) => error,
    }
}

// ---------------------------------------------------------------------------------------------
// Layout

#[test]
fn image_is_4096_bytes_with_fixed_trailers_and_zero_unused_sectors() {
    let bytes = sample_image();
    assert_eq!(bytes.len(), IMAGE_LEN);
    for (start, len) in sectors() {
        assert_eq!(
            bytes[start + len - 16..start + len],
            TRAILER,
            "trailer of sector at {start}"
        );
    }
    let unused = (12..32)
        .map(|s| (64 * s, 48))
        .chain((36..40).map(|s| (2048 + 256 * (s - 32), 240)));
    for (start, len) in unused {
        assert!(
            bytes[start..start + len].iter().all(|&b| b == 0),
            "unused sector at {start}"
        );
    }
    for sector in 0..4 {
        let spare = LOG + 256 * sector + 224;
        assert!(
            bytes[spare..spare + 16].iter().all(|&b| b == 0),
            "log sector {sector} block 14"
        );
    }
}

#[test]
fn manufacturer_block_and_header_sit_where_documented() {
    let bytes = sample_image();
    assert_eq!(bytes[0..4], 0x1234_5678_u32.to_le_bytes());
    assert_eq!(bytes[4], 0x12 ^ 0x34 ^ 0x56 ^ 0x78);
    assert_eq!(
        bytes[5..16],
        [0x18, 0x02, 0x00, b'o', b'v', b'c', b'e', b'r', b't', 0, 0]
    );
    assert_eq!(&bytes[HEADER..HEADER + 4], b"OVCK");
    assert_eq!(bytes[HEADER + 4], 1, "format version");
    assert_eq!(bytes[HEADER + 5], 2, "personal");
    assert_eq!(
        bytes[HEADER + 8..HEADER + 16],
        3_528_010_012_345_678_u64.to_le_bytes()
    );
    assert_eq!(bytes[HOLDER], 1, "holder present");
    assert_eq!(usize::from(bytes[HOLDER + 1]), "Jan Jánssen".len());
    assert_eq!(
        &bytes[product_at(1) + 1..product_at(1) + 13],
        b"traject-vrij"
    );
    assert_eq!(bytes[product_at(1)], 2, "product with route");
    assert!(
        bytes[product_at(2)..product_at(2) + 48]
            .iter()
            .all(|&b| b == 0),
        "empty slot"
    );
}

#[test]
fn first_write_uses_copy_a_and_log_slots_from_zero() {
    let bytes = sample_image();
    assert_eq!(bytes[PURSE_A], 1, "copy A format version");
    assert_eq!(bytes[PURSE_A + 1], 0b01, "rail activated, not blocked");
    assert_eq!(bytes[PURSE_A + 3], 2, "travel class");
    assert_eq!(
        bytes[PURSE_A + 4..PURSE_A + 8],
        1_u32.to_le_bytes(),
        "generation"
    );
    assert_eq!(
        bytes[PURSE_A + 8..PURSE_A + 12],
        17_u32.to_le_bytes(),
        "counter"
    );
    assert_eq!(
        bytes[PURSE_A + 12..PURSE_A + 16],
        (-680_i32).to_le_bytes(),
        "balance"
    );
    assert_eq!(
        bytes[PURSE_A + 16..PURSE_A + 18],
        2000_u16.to_le_bytes(),
        "auto-reload"
    );
    assert_eq!(
        bytes[PURSE_A + 18..PURSE_A + 21],
        [0, 4, 3],
        "log head, count, check-in"
    );
    assert!(
        bytes[PURSE_B..PURSE_B + PURSE_LEN].iter().all(|&b| b == 0),
        "copy B blank"
    );
    let slot = log_slot_at(3);
    assert_eq!(bytes[slot], 1 | 1 << 4, "check-in by train");
    let second = (at("2024-03-02T07:15:00Z").as_second() - 946_684_800) as u32;
    assert_eq!(bytes[slot + 1..slot + 5], second.to_le_bytes());
    assert_eq!(&bytes[slot + 11..slot + 14], b"ut\0");
}

#[test]
fn second_write_commits_into_copy_b_and_appends_after_the_window() {
    let first = sample_image();
    let second = image::write(Some(&first), &sample_checked_out()).unwrap();
    assert_eq!(
        first[PURSE_A..PURSE_A + PURSE_LEN],
        second[PURSE_A..PURSE_A + PURSE_LEN]
    );
    assert_eq!(
        second[PURSE_B + 4..PURSE_B + 8],
        2_u32.to_le_bytes(),
        "generation"
    );
    assert_eq!(
        second[PURSE_B + 18..PURSE_B + 21],
        [0, 5, 0xFF],
        "log head, count, no check-in"
    );
    for slot in 0..4 {
        let at = log_slot_at(slot);
        assert_eq!(
            first[at..at + 32],
            second[at..at + 32],
            "kept slot {slot} not rewritten"
        );
    }
}

#[test]
fn rewriting_the_same_card_changes_nothing() {
    let first = sample_image();
    assert_eq!(image::write(Some(&first), &sample_card()).unwrap(), first);
}

#[test]
fn full_log_wraps_round_the_ring() {
    let mut card = sample_card();
    let mut bytes = image::write(None, &card).unwrap();
    for minute in 0..3 * LOG_SLOTS {
        let when = at("2024-04-01T06:00:00Z")
            .checked_add(Span::new().minutes(i64::try_from(minute).unwrap()))
            .unwrap();
        card.record(LogEntry {
            at: when,
            ..card.log[0].clone()
        });
        card.purse.check_in = None;
        bytes = image::write(Some(&bytes), &card).unwrap();
        assert_eq!(
            image::decode(&bytes),
            Ok(card.clone()),
            "after {minute} more entries"
        );
    }
    assert_eq!(card.log.len(), LOG_CAPACITY);
}

#[test]
fn date_and_time_limits_are_as_documented() {
    assert_eq!(DATE_EPOCH, date(1900, 1, 1));
    assert_eq!(DATE_MAX, day(u16::MAX));
    assert_eq!(DATE_MAX, date(2079, 6, 6));
    assert_eq!(TIMESTAMP_EPOCH, at("2000-01-01T00:00:00Z"));
    assert_eq!(TIMESTAMP_MAX, at("2136-02-07T06:28:15Z"));
    let mut card = sample_card();
    card.expires_on = DATE_MAX;
    card.holder.as_mut().unwrap().birth_date = DATE_EPOCH;
    card.log[0].at = TIMESTAMP_MAX;
    card.log[1].at = TIMESTAMP_EPOCH;
    let bytes = image::write(None, &card).unwrap();
    assert_eq!(image::decode(&bytes), Ok(card));
}

// ---------------------------------------------------------------------------------------------
// Torn writes and damage, with the fixed card

#[test]
fn check_out_torn_at_every_byte_gives_previous_until_the_last() {
    let previous = sample_image();
    let next = image::write(Some(&previous), &sample_checked_out()).unwrap();
    let changed = changed_bytes(&previous, &next);
    assert!(
        changed > 32,
        "a log slot and a purse copy change, {changed} bytes"
    );
    for written in 0..changed {
        let torn = image::torn_write(&previous, &next, written);
        assert_eq!(
            image::decode(&torn),
            Ok(sample_card()),
            "{written} of {changed} bytes"
        );
    }
    assert_eq!(image::torn_write(&previous, &next, changed), next);
    assert_eq!(image::torn_write(&previous, &next, usize::MAX), next);
}

#[test]
fn damaged_current_copy_falls_back_to_the_previous_state() {
    let previous = sample_image();
    let mut bytes = image::write(Some(&previous), &sample_checked_out()).unwrap();
    bytes[PURSE_B + 12] ^= 0x40;
    assert_eq!(image::decode(&bytes), Ok(sample_card()));
}

#[test]
fn garbage_in_a_free_log_slot_is_ignored() {
    let mut bytes = sample_image();
    bytes[log_slot_at(20)..log_slot_at(20) + 32].fill(0xAB);
    assert_eq!(image::decode(&bytes), Ok(sample_card()));
}

#[test]
fn newer_generation_wins_across_wrap_around() {
    // Copy A at generation u32::MAX, copy B at 0: B is one write later.
    let mut bytes = image::write(Some(&sample_image()), &sample_checked_out()).unwrap();
    bytes[PURSE_A + 4..PURSE_A + 8].copy_from_slice(&u32::MAX.to_le_bytes());
    reseal(&mut bytes, PURSE_A, PURSE_LEN);
    bytes[PURSE_B + 4..PURSE_B + 8].copy_from_slice(&0_u32.to_le_bytes());
    reseal(&mut bytes, PURSE_B, PURSE_LEN);
    assert_eq!(image::decode(&bytes), Ok(sample_checked_out()));
}

// ---------------------------------------------------------------------------------------------
// Decode errors: one per kind, each at its byte

#[test]
fn wrong_length_is_reported_at_the_end_of_the_input() {
    let short = decode_err(&[0; 100]);
    assert_eq!(short.offset, 100);
    assert_eq!(short.kind, DecodeErrorKind::Length { len: 100 });
    let long = decode_err(&[0; 5000]);
    assert_eq!(long.offset, IMAGE_LEN);
    assert_eq!(long.kind, DecodeErrorKind::Length { len: 5000 });
    assert_eq!(decode_err(&[]).offset, 0);
}

#[test]
fn blank_chip_has_no_magic() {
    let error = decode_err(&[0; IMAGE_LEN]);
    assert_eq!(error.offset, HEADER);
    assert_eq!(error.kind, DecodeErrorKind::Magic { found: [0; 4] });
}

#[test]
fn uid_check_byte_mismatch() {
    let error = damaged(|b| b[4] ^= 1);
    assert_eq!(error.offset, 4);
    assert!(matches!(error.kind, DecodeErrorKind::Bcc { .. }), "{error}");
}

#[test]
fn bad_magic() {
    let error = damaged(|b| b[HEADER + 2] = b'X');
    assert_eq!(error.offset, HEADER);
    assert_eq!(error.kind, DecodeErrorKind::Magic { found: *b"OVXK" });
}

#[test]
fn unknown_format_version() {
    let error = damaged(|b| b[HEADER + 4] = 9);
    assert_eq!(error.offset, HEADER + 4);
    assert_eq!(
        error.kind,
        DecodeErrorKind::Version {
            area: Area::Header,
            found: 9
        }
    );
}

#[test]
fn header_checksum() {
    let error = damaged(|b| b[HEADER + 9] ^= 0x10);
    assert_eq!(error.offset, HEADER);
    assert!(
        matches!(
            error.kind,
            DecodeErrorKind::Checksum {
                area: Area::Header,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn unknown_card_kind() {
    let error = damaged(|b| {
        b[HEADER + 5] = 4;
        reseal(b, HEADER, 32);
    });
    assert_eq!(error.offset, HEADER + 5);
    assert_eq!(
        error.kind,
        DecodeErrorKind::InvalidCode {
            field: "card kind",
            value: 4
        }
    );
}

#[test]
fn card_number_above_sixteen_digits() {
    let error = damaged(|b| {
        b[HEADER + 8..HEADER + 16].copy_from_slice(&u64::MAX.to_le_bytes());
        reseal(b, HEADER, 32);
    });
    assert_eq!(error.offset, HEADER + 8);
    assert!(matches!(
        error.kind,
        DecodeErrorKind::OutOfRange {
            field: "card number",
            ..
        }
    ));
}

#[test]
fn reserved_header_byte_set() {
    let error = damaged(|b| {
        b[HEADER + 22] = 7;
        reseal(b, HEADER, 32);
    });
    assert_eq!(error.offset, HEADER + 22);
    assert_eq!(
        error.kind,
        DecodeErrorKind::ReservedNotZero {
            area: Area::Header,
            value: 7
        }
    );
}

#[test]
fn holder_checksum() {
    let error = damaged(|b| b[HOLDER + 5] ^= 1);
    assert_eq!(error.offset, HOLDER);
    assert!(
        matches!(
            error.kind,
            DecodeErrorKind::Checksum {
                area: Area::Holder,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn holder_name_not_utf8() {
    // "Jan Jánssen": the 'á' is bytes 5 and 6 of the name; a lone continuation byte at 6.
    let error = damaged(|b| {
        b[HOLDER + 4 + 5] = b'a';
        reseal(b, HOLDER, 48);
    });
    assert_eq!(error.offset, HOLDER + 4 + 6);
    assert_eq!(
        error.kind,
        DecodeErrorKind::NotUtf8 {
            field: "holder name"
        }
    );
}

#[test]
fn holder_name_too_long() {
    let error = damaged(|b| {
        b[HOLDER + 1] = 33;
        reseal(b, HOLDER, 48);
    });
    assert_eq!(error.offset, HOLDER + 1);
    assert!(matches!(
        error.kind,
        DecodeErrorKind::OutOfRange {
            value: 33,
            max: 32,
            ..
        }
    ));
}

#[test]
fn product_checksum() {
    let error = damaged(|b| b[product_at(1) + 3] ^= 1);
    assert_eq!(error.offset, product_at(1));
    assert!(matches!(
        error.kind,
        DecodeErrorKind::Checksum {
            area: Area::Product(1),
            ..
        }
    ));
}

#[test]
fn unknown_product_tag() {
    let error = damaged(|b| {
        b[product_at(0)] = 3;
        reseal(b, product_at(0), 48);
    });
    assert_eq!(error.offset, product_at(0));
    assert_eq!(
        error.kind,
        DecodeErrorKind::InvalidCode {
            field: "product tag",
            value: 3
        }
    );
}

#[test]
fn product_code_not_ascii() {
    let error = damaged(|b| {
        b[product_at(0) + 3] = 0xC3;
        reseal(b, product_at(0), 48);
    });
    assert_eq!(error.offset, product_at(0) + 3);
    assert_eq!(
        error.kind,
        DecodeErrorKind::NotAscii {
            field: "product code",
            value: 0xC3
        }
    );
}

#[test]
fn product_code_after_its_padding() {
    // "dal-voordeel" is 12 bytes; byte 14 of the code field is padding.
    let error = damaged(|b| {
        b[product_at(0) + 1 + 14] = b'x';
        reseal(b, product_at(0), 48);
    });
    assert_eq!(error.offset, product_at(0) + 1 + 14);
    assert_eq!(
        error.kind,
        DecodeErrorKind::TextAfterPadding {
            field: "product code"
        }
    );
}

#[test]
fn only_written_purse_copy_damaged() {
    let error = damaged(|b| b[PURSE_A + 13] ^= 1);
    assert_eq!(error.offset, PURSE_A);
    assert!(
        matches!(
            error.kind,
            DecodeErrorKind::Checksum {
                area: Area::PurseA,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn both_purse_copies_damaged() {
    let mut bytes = image::write(Some(&sample_image()), &sample_checked_out()).unwrap();
    bytes[PURSE_A + 13] ^= 1;
    bytes[PURSE_B + 13] ^= 1;
    let error = decode_err(&bytes);
    assert_eq!(error.offset, PURSE_A);
    let DecodeErrorKind::NoValidPurse { a, b } = &error.kind else {
        panic!("expected no valid purse, got {error}");
    };
    assert_eq!(a.offset, PURSE_A);
    assert_eq!(b.offset, PURSE_B);
    assert!(matches!(
        b.kind,
        DecodeErrorKind::Checksum {
            area: Area::PurseB,
            ..
        }
    ));
}

#[test]
fn both_purse_copies_blank() {
    let error = damaged(|b| b[PURSE_A..PURSE_A + PURSE_LEN].fill(0));
    assert_eq!(error.offset, PURSE_A);
    assert_eq!(error.kind, DecodeErrorKind::Blank { area: Area::PurseA });
}

#[test]
fn unknown_travel_class() {
    let error = damaged(|b| {
        b[PURSE_A + 3] = 3;
        reseal(b, PURSE_A, PURSE_LEN);
    });
    assert_eq!(error.offset, PURSE_A + 3);
    assert_eq!(
        error.kind,
        DecodeErrorKind::InvalidCode {
            field: "travel class",
            value: 3
        }
    );
}

#[test]
fn unknown_purse_flag() {
    let error = damaged(|b| {
        b[PURSE_A + 1] |= 0x80;
        reseal(b, PURSE_A, PURSE_LEN);
    });
    assert_eq!(error.offset, PURSE_A + 1);
    assert!(matches!(
        error.kind,
        DecodeErrorKind::InvalidCode {
            field: "purse flags",
            ..
        }
    ));
}

#[test]
fn log_head_out_of_range() {
    let error = damaged(|b| {
        b[PURSE_A + 18] = 28;
        reseal(b, PURSE_A, PURSE_LEN);
    });
    assert_eq!(error.offset, PURSE_A + 18);
    assert_eq!(
        error.kind,
        DecodeErrorKind::OutOfRange {
            field: "log head",
            value: 28,
            max: 27
        }
    );
}

#[test]
fn log_count_out_of_range() {
    let error = damaged(|b| {
        b[PURSE_A + 19] = LOG_CAPACITY as u8 + 1;
        reseal(b, PURSE_A, PURSE_LEN);
    });
    assert_eq!(error.offset, PURSE_A + 19);
    assert_eq!(
        error.kind,
        DecodeErrorKind::OutOfRange {
            field: "log count",
            value: LOG_CAPACITY as u64 + 1,
            max: LOG_CAPACITY as u64
        }
    );
}

#[test]
fn check_in_beyond_the_log() {
    let error = damaged(|b| {
        b[PURSE_A + 20] = 4;
        reseal(b, PURSE_A, PURSE_LEN);
    });
    assert_eq!(error.offset, PURSE_A + 20);
    assert_eq!(
        error.kind,
        DecodeErrorKind::CheckInNotInLog { index: 4, count: 4 }
    );
}

#[test]
fn log_slot_checksum() {
    let error = damaged(|b| b[log_slot_at(2) + 20] ^= 1);
    assert_eq!(error.offset, log_slot_at(2));
    assert!(matches!(
        error.kind,
        DecodeErrorKind::Checksum {
            area: Area::LogSlot(2),
            ..
        }
    ));
}

#[test]
fn unknown_log_kind() {
    let error = damaged(|b| {
        b[log_slot_at(1)] = 0x18;
        reseal_log_slot(b, 1);
    });
    assert_eq!(error.offset, log_slot_at(1));
    assert_eq!(
        error.kind,
        DecodeErrorKind::InvalidCode {
            field: "log kind",
            value: 8
        }
    );
}

#[test]
fn unknown_log_mode() {
    let error = damaged(|b| {
        b[log_slot_at(1)] = 0x61;
        reseal_log_slot(b, 1);
    });
    assert_eq!(error.offset, log_slot_at(1));
    assert_eq!(
        error.kind,
        DecodeErrorKind::InvalidCode {
            field: "log mode",
            value: 6
        }
    );
}

#[test]
fn log_station_not_ascii() {
    let error = damaged(|b| {
        b[log_slot_at(0) + 11] = 0xFF;
        reseal_log_slot(b, 0);
    });
    assert_eq!(error.offset, log_slot_at(0) + 11);
    assert_eq!(
        error.kind,
        DecodeErrorKind::NotAscii {
            field: "log station",
            value: 0xFF
        }
    );
}

#[test]
fn log_slot_replaced_by_another_valid_entry() {
    // Each slot checks, but they are not the entries the purse copy committed to.
    let error = damaged(|b| b.copy_within(log_slot_at(1)..log_slot_at(1) + 32, log_slot_at(0)));
    assert_eq!(error.offset, PURSE_A + 24);
    assert!(matches!(
        error.kind,
        DecodeErrorKind::LogDigest {
            area: Area::PurseA,
            ..
        }
    ));
}

#[test]
fn error_messages_say_what_and_where() {
    let error = damaged(|b| b[log_slot_at(2) + 20] ^= 1);
    let message = error.to_string();
    assert!(
        message.starts_with("card image invalid at byte 2112: log slot 2 checksum"),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------------
// Encode errors: the field and why

fn check_encode(edit: impl FnOnce(&mut Card), field: &str, reason_part: &str) {
    let error = encode_err(edit);
    assert_eq!(error.field, field, "{error}");
    assert!(
        error.reason.contains(reason_part),
        "`{}` lacks `{reason_part}`",
        error.reason
    );
}

#[test]
fn bank_card_has_no_image() {
    check_encode(|c| c.kind = CardKind::Emv, "kind", "EMV");
}

#[test]
fn holder_name_longer_than_the_field() {
    check_encode(
        |c| c.holder.as_mut().unwrap().name = "é".repeat(17),
        "holder.name",
        "34 bytes",
    );
}

#[test]
fn too_many_products() {
    check_encode(
        |c| c.products = vec![c.products[0].clone(); 9],
        "products",
        "9 products",
    );
}

#[test]
fn log_longer_than_its_capacity() {
    check_encode(|c| c.log = vec![c.log[0].clone(); 28], "log", "28 entries");
}

#[test]
fn log_time_before_2000() {
    check_encode(
        |c| c.log[2].at = at("1999-12-31T23:59:59Z"),
        "log[2].at",
        "outside",
    );
}

#[test]
fn log_time_after_the_u32_range() {
    check_encode(
        |c| c.log[2].at = at("2136-02-07T06:28:16Z"),
        "log[2].at",
        "outside",
    );
}

#[test]
fn log_time_with_a_fraction_of_a_second() {
    check_encode(
        |c| c.log[0].at = at("2024-03-01T08:00:00.5Z"),
        "log[0].at",
        "whole seconds",
    );
}

#[test]
fn balance_beyond_32_bits() {
    check_encode(
        |c| c.purse.balance = Cents::new(1 << 31),
        "purse.balance",
        "32-bit",
    );
}

#[test]
fn log_amount_beyond_32_bits() {
    check_encode(
        |c| c.log[1].amount = Cents::new(-(1 << 40)),
        "log[1].amount",
        "32-bit",
    );
}

#[test]
fn travel_class_three() {
    check_encode(|c| c.purse.travel_class = 3, "purse.travel_class", "1 or 2");
}

#[test]
fn auto_reload_of_zero_or_too_much() {
    check_encode(
        |c| c.purse.auto_reload = Some(Cents::ZERO),
        "purse.auto_reload",
        "1..=65535",
    );
    check_encode(
        |c| c.purse.auto_reload = Some(Cents::new(65_536)),
        "purse.auto_reload",
        "1..=65535",
    );
}

#[test]
fn check_in_missing_from_the_log() {
    check_encode(
        |c| c.purse.check_in = Some(entry(LogKind::CheckIn, "2024-05-05T05:05:05Z", "gn", 0, 0)),
        "purse.check_in",
        "log",
    );
}

#[test]
fn dates_outside_the_chip_range() {
    check_encode(|c| c.issued_on = date(1899, 12, 31), "issued_on", "outside");
    check_encode(|c| c.expires_on = date(2079, 6, 7), "expires_on", "outside");
    check_encode(
        |c| c.products[1].valid_until = date(2100, 1, 1),
        "products[1].valid_until",
        "outside",
    );
}

#[test]
fn codes_that_do_not_fit() {
    check_encode(
        |c| c.products[0].code = "a".repeat(16),
        "products[0].code",
        "at most 15",
    );
    check_encode(
        |c| c.products[0].code = "dal\0x".into(),
        "products[0].code",
        "NUL",
    );
    check_encode(
        |c| c.products[1].route = Some(["ü".into(), "ut".into()]),
        "products[1].route[0]",
        "ASCII",
    );
    check_encode(
        |c| c.log[3].operator = "QBUZZ-X".into(),
        "log[3].operator",
        "at most 6",
    );
    check_encode(
        |c| c.log[3].station = "amsterdam".into(),
        "log[3].station",
        "at most 8",
    );
}

#[test]
fn previous_image_of_the_wrong_length() {
    let error = image::write(Some(&[0; 10]), &sample_card()).unwrap_err();
    assert_eq!(error.field, "previous");
    assert!(error.reason.contains("10 bytes"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// Resealing: every checksum recomputed, for tests and fuzzing

/// Every byte `image::reseal` may change, from the layout table: the UID check byte, the
/// CRC-32 of each area, the log digest of each purse copy and the CRC-8 of each log slot.
fn checksum_bytes() -> Vec<usize> {
    let mut at = vec![4];
    at.extend(HEADER + 28..HEADER + 32);
    at.extend(HOLDER + 44..HOLDER + 48);
    for slot in 0..PRODUCT_SLOTS {
        at.extend(product_at(slot) + 44..product_at(slot) + 48);
    }
    for base in [PURSE_A, PURSE_B] {
        at.extend(base + 24..base + 32);
    }
    at.extend((0..LOG_SLOTS).map(|slot| log_slot_at(slot) + 31));
    at
}

/// Reseals `bytes` and checks what holds for any input: the length is kept, only checksum
/// bytes change, and a second reseal changes nothing.
fn resealed(bytes: &[u8]) -> Vec<u8> {
    let once = image::reseal(bytes);
    assert_eq!(once.len(), bytes.len());
    let checksums = checksum_bytes();
    for (at, (old, new)) in bytes.iter().zip(&once).enumerate() {
        assert!(
            old == new || checksums.contains(&at),
            "reseal changed byte {at}, which is no checksum"
        );
    }
    assert!(
        image::reseal(&once) == once,
        "resealing twice differs from once"
    );
    once
}

proptest! {
    #[test]
    fn reseal_leaves_a_blank_chip_write_unchanged(card in arb_card()) {
        let bytes = image::write(None, &card).unwrap();
        prop_assert!(image::reseal(&bytes) == bytes);
    }

    /// Garbage in unreferenced log slots and unused sectors is never checked, so it stays.
    #[test]
    fn reseal_leaves_a_write_over_garbage_unchanged(card in arb_card(), seed in any::<u64>()) {
        let bytes = image::write(Some(&noise(seed, IMAGE_LEN)), &card).unwrap();
        prop_assert!(image::reseal(&bytes) == bytes);
    }

    /// Both purse copies in use, the older one still referring to its own, untouched slots.
    #[test]
    fn reseal_leaves_every_image_of_a_write_history_unchanged(history in arb_history()) {
        for (index, bytes) in write_history(&history).iter().enumerate() {
            prop_assert!(&image::reseal(bytes) == bytes, "image {}", index);
        }
    }

    #[test]
    fn reseal_of_any_image_sized_bytes_changes_only_checksums(seed in any::<u64>()) {
        let _ = image::decode(&resealed(&noise(seed, IMAGE_LEN)));
    }

    /// Damage to a real image keeps most fields in range, so the log windows of the purse
    /// copies are mostly in range too and their slots and digests are resealed.
    #[test]
    fn reseal_of_a_damaged_image_changes_only_checksums(
        card in arb_card(),
        damage in vec((0..IMAGE_LEN, 1_u8..=255), 1..16),
    ) {
        let mut bytes = image::write(None, &card).unwrap();
        for (at, flip) in damage {
            bytes[at] ^= flip;
        }
        let _ = image::decode(&resealed(&bytes));
    }

    #[test]
    fn reseal_returns_input_of_the_wrong_length_unchanged(
        seed in any::<u64>(),
        len in (0_usize..5000).prop_filter("not an image", |&len| len != IMAGE_LEN),
    ) {
        let bytes = noise(seed, len);
        prop_assert_eq!(image::reseal(&bytes), bytes);
    }
}

#[test]
fn reseal_keeps_a_changed_balance_in_the_only_purse_copy() {
    let mut bytes = sample_image();
    // -680 is 58 FD FF FF; 0x58 ^ 0x40 = 0x18 makes it FFFF_FD18, -744.
    bytes[PURSE_A + 12] ^= 0x40;
    assert!(matches!(
        decode_err(&bytes).kind,
        DecodeErrorKind::Checksum {
            area: Area::PurseA,
            ..
        }
    ));
    let mut expected = sample_card();
    expected.purse.balance = Cents::new(-744);
    assert_eq!(image::decode(&resealed(&bytes)), Ok(expected));
}

#[test]
fn reseal_makes_a_changed_current_copy_current_again() {
    let previous = sample_image();
    let mut bytes = image::write(Some(&previous), &sample_checked_out()).unwrap();
    // 1320 is 28 05 00 00; 0x28 ^ 0x40 = 0x68 makes it 0x568, 1384.
    bytes[PURSE_B + 12] ^= 0x40;
    assert_eq!(
        image::decode(&bytes),
        Ok(sample_card()),
        "falls back to copy A"
    );
    let mut expected = sample_checked_out();
    expected.purse.balance = Cents::new(1384);
    assert_eq!(image::decode(&resealed(&bytes)), Ok(expected));
}

#[test]
fn reseal_keeps_a_changed_log_entry() {
    let mut bytes = sample_image();
    // Log slot 0 holds the oldest entry; its station "asd" becomes "asx".
    bytes[log_slot_at(0) + 13] = b'x';
    assert!(matches!(
        decode_err(&bytes).kind,
        DecodeErrorKind::Checksum {
            area: Area::LogSlot(0),
            ..
        }
    ));
    let mut expected = sample_card();
    expected.log[0].station = "asx".into();
    assert_eq!(image::decode(&resealed(&bytes)), Ok(expected));
}

#[test]
fn reseal_leaves_structural_errors_to_the_decoder() {
    let mut bytes = sample_image();
    bytes[PURSE_A + 3] = 3;
    bytes[HOLDER] = 7;
    let error = decode_err(&resealed(&bytes));
    assert_eq!(error.offset, HOLDER);
    assert_eq!(
        error.kind,
        DecodeErrorKind::InvalidCode {
            field: "holder tag",
            value: 7
        }
    );
    bytes[HOLDER] = 1;
    let error = decode_err(&resealed(&bytes));
    assert_eq!(error.offset, PURSE_A + 3);
    assert_eq!(
        error.kind,
        DecodeErrorKind::InvalidCode {
            field: "travel class",
            value: 3
        }
    );
}

#[test]
fn reseal_skips_the_digest_of_a_copy_whose_log_is_out_of_range() {
    let mut bytes = sample_image();
    bytes[PURSE_A + 19] = LOG_CAPACITY as u8 + 1;
    let once = resealed(&bytes);
    assert_eq!(
        once[PURSE_A + 24..PURSE_A + 28],
        bytes[PURSE_A + 24..PURSE_A + 28],
        "the digest of a copy with no valid window stays"
    );
    let error = decode_err(&once);
    assert_eq!(error.offset, PURSE_A + 19);
    assert!(matches!(
        error.kind,
        DecodeErrorKind::OutOfRange {
            field: "log count",
            ..
        }
    ));
}

#[test]
fn reseal_leaves_blank_areas_blank() {
    let mut bytes = sample_image();
    // Without a holder, with product slot 1 emptied and copy B never written.
    bytes[HOLDER..HOLDER + 48].fill(0);
    bytes[product_at(1)..product_at(1) + 48].fill(0);
    let once = resealed(&bytes);
    assert_eq!(once, bytes);
    let mut expected = sample_card();
    expected.holder = None;
    expected.products.truncate(1);
    assert_eq!(image::decode(&once), Ok(expected));
}
