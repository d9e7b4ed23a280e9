//! Replays every committed fuzz seed and artifact through the library's oracles, so a fuzz
//! finding stays fixed under a plain `cargo test`.
//!
//! The seeds in `fuzz/seeds/<target>/` are generated here. They are compared with what the
//! generators produce, so a format change cannot silently turn them into junk input; to
//! rewrite them, run `OVCERT_WRITE_SEEDS=1 cargo test -p ovcert-reference --test fuzz_corpus`.
//! Files in `fuzz/artifacts/<target>/` are crash inputs kept as regression tests.

use std::fs;
use std::path::{Path, PathBuf};

use arbitrary::Unstructured;
use jiff::Timestamp;
use jiff::civil::{Date, date};
use ovcert_reference::Cents;
use ovcert_reference::backoffice::simulate::{self, DayPlan, PlannedIdentity};
use ovcert_reference::card::{
    Card, CardKind, CardNumber, Holder, LogEntry, LogKind, ProductSlot, Purse, SpecialSetting,
    image,
};
use ovcert_reference::oracles;
use ovcert_reference::rules::{Mode, TransportClass, nl_2024};
use ovcert_reference::tap::codec;
use ovcert_reference::tap::{
    CardIdentity, DeviceKind, ReaderRef, TapAmounts, TapId, TapKind, TapMessage,
};
use ovcert_reference::time::local_midnight;

/// One fuzz target: its name (the directory names under `fuzz/`), its oracle and the seeds
/// it starts from.
struct Target {
    name: &'static str,
    oracle: fn(&[u8]),
    seeds: fn() -> Vec<Seed>,
}

/// A seed file's name and content.
type Seed = (&'static str, Vec<u8>);

#[test]
fn card_image_corpus_replays() {
    replay(&Target {
        name: "card_image",
        oracle: oracles::card_image,
        seeds: card_image_seeds,
    });
}

#[test]
fn tap_message_corpus_replays() {
    replay(&Target {
        name: "tap_message",
        oracle: oracles::tap_message,
        seeds: tap_message_seeds,
    });
}

#[test]
fn tap_frames_corpus_replays() {
    replay(&Target {
        name: "tap_frames",
        oracle: oracles::tap_frames,
        seeds: tap_frames_seeds,
    });
}

#[test]
fn backoffice_day_corpus_replays() {
    replay(&Target {
        name: "backoffice_day",
        oracle: oracles::backoffice_day,
        seeds: backoffice_day_seeds,
    });
}

fn replay(target: &Target) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let seeds_dir = fuzz.join("seeds").join(target.name);
    let generated = (target.seeds)();
    if std::env::var_os("OVCERT_WRITE_SEEDS").is_some_and(|v| v == "1") {
        write_seeds(&seeds_dir, &generated);
    }
    check_seeds_are_current(&seeds_dir, &generated);

    let seeds = files_in(&seeds_dir);
    assert!(
        !seeds.is_empty(),
        "no seeds in {}: run `OVCERT_WRITE_SEEDS=1 cargo test -p ovcert-reference --test fuzz_corpus`",
        seeds_dir.display()
    );
    let artifacts = files_in(&fuzz.join("artifacts").join(target.name));
    let broken: Vec<&PathBuf> = seeds
        .iter()
        .chain(&artifacts)
        .filter(|path| {
            let data =
                fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            // Keep going after a failure so one run lists every broken file; the panic hook
            // has already printed what broke.
            std::panic::catch_unwind(|| (target.oracle)(&data)).is_err()
        })
        .collect();
    assert!(
        broken.is_empty(),
        "{}: the oracle fails on {broken:#?}",
        target.name
    );
    println!(
        "{}: replayed {} seeds and {} artifacts",
        target.name,
        seeds.len(),
        artifacts.len()
    );
}

fn write_seeds(dir: &Path, seeds: &[Seed]) {
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    for (name, bytes) in seeds {
        let path = dir.join(name);
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
}

fn check_seeds_are_current(dir: &Path, seeds: &[Seed]) {
    let stale: Vec<&str> = seeds
        .iter()
        .filter(|(name, bytes)| fs::read(dir.join(name)).ok().as_ref() != Some(bytes))
        .map(|(name, _)| *name)
        .collect();
    assert!(
        stale.is_empty(),
        "seeds {stale:?} in {} differ from what the generators write: if the format changed on \
         purpose, run `OVCERT_WRITE_SEEDS=1 cargo test -p ovcert-reference --test fuzz_corpus`",
        dir.display()
    );
}

/// Regular files, sorted so the replay order (and its output) is deterministic. A missing
/// directory has none: `fuzz/artifacts/<target>/` exists only once something was found.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
                .path()
        })
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

// ---------------------------------------------------------------------------------------------
// Tap message seeds

fn tap_message_seeds() -> Vec<Seed> {
    let binary = |m: &TapMessage| codec::encode_binary(m).expect("seed messages are valid");
    let json = |m: &TapMessage| codec::encode_json(m).into_bytes();
    let check_in = ov_check_in();
    let mut truncated = binary(&check_in);
    truncated.truncate(40);
    let mut bad_crc = binary(&check_in);
    if let Some(last) = bad_crc.last_mut() {
        *last ^= 0x01;
    }
    let mut json_unknown_field = json(&check_in);
    json_unknown_field.splice(1..1, br#""colour":1,"#.iter().copied());
    vec![
        ("ov-check-in.bin", binary(&check_in)),
        ("ov-check-out.bin", binary(&ov_check_out())),
        ("ov-missing-check-out.bin", binary(&ov_missing_check_out())),
        ("ov-refused.bin", binary(&ov_refused())),
        ("emv-tap-on-tram.bin", binary(&emv_on_tram())),
        ("ov-check-in.json", json(&check_in)),
        ("emv-tap-on-tram.json", json(&emv_on_tram())),
        ("invalid-truncated.bin", truncated),
        ("invalid-bad-crc.bin", bad_crc),
        ("invalid-unknown-field.json", json_unknown_field),
    ]
}

fn tap_frames_seeds() -> Vec<Seed> {
    let frames = |messages: &[TapMessage]| {
        let mut buffer = Vec::new();
        for message in messages {
            codec::append_frame(&mut buffer, message).expect("seed messages are valid");
        }
        buffer
    };
    let day = [ov_check_in(), emv_on_tram(), ov_check_out(), ov_refused()];
    let mut corrupt_middle = frames(&day);
    let second_mode_at = 4 + codec::encode_binary(&ov_check_in()).map_or(0, |m| m.len()) + 4 + 23;
    if let Some(mode) = corrupt_middle.get_mut(second_mode_at) {
        *mode = 0;
    }
    let mut bad_length = frames(&day[..1]);
    bad_length.extend_from_slice(&u32::MAX.to_le_bytes());
    vec![
        ("one-day-of-taps.bin", frames(&day)),
        ("single-frame.bin", frames(&day[..1])),
        ("invalid-corrupt-middle-frame.bin", corrupt_middle),
        ("invalid-bad-frame-length.bin", bad_length),
    ]
}

fn at(text: &str) -> Timestamp {
    text.parse().expect("seed timestamp")
}

fn ov_number() -> CardNumber {
    CardNumber::parse("3528 0100 1234 5678").expect("seed card number")
}

fn ns_gate(station: &str, device: u32) -> ReaderRef {
    ReaderRef {
        operator: "NS".into(),
        mode: Mode::Train,
        station: station.into(),
        device,
        device_kind: DeviceKind::Gate,
        vehicle: None,
    }
}

fn ov_check_in() -> TapMessage {
    TapMessage {
        tap_id: TapId("NS-4711-000123".into()),
        reader: ns_gate("ASD", 4711),
        at: at("2024-03-01T08:00:00Z"),
        card: CardIdentity::OvChipkaart {
            number: ov_number(),
        },
        kind: TapKind::CheckIn,
        amounts: TapAmounts {
            charged_cents: Cents::new(2000),
            balance_after_cents: Some(Cents::new(1000)),
        },
    }
}

fn ov_check_out() -> TapMessage {
    TapMessage {
        tap_id: TapId("NS-812-004410".into()),
        reader: ns_gate("UT", 812),
        at: at("2024-03-01T08:31:00Z"),
        kind: TapKind::CheckOut,
        // The deposit comes back minus the fare.
        amounts: TapAmounts {
            charged_cents: Cents::new(-1120),
            balance_after_cents: Some(Cents::new(2120)),
        },
        ..ov_check_in()
    }
}

fn ov_missing_check_out() -> TapMessage {
    TapMessage {
        tap_id: TapId("RET-31-000007".into()),
        reader: ReaderRef {
            operator: "RET".into(),
            mode: Mode::Metro,
            station: "RTD".into(),
            device: 31,
            device_kind: DeviceKind::Pole,
            vehicle: None,
        },
        at: at("2024-03-02T07:10:00Z"),
        kind: TapKind::MissingCheckOut,
        amounts: TapAmounts {
            charged_cents: Cents::ZERO,
            balance_after_cents: Some(Cents::new(1000)),
        },
        ..ov_check_in()
    }
}

fn ov_refused() -> TapMessage {
    TapMessage {
        tap_id: TapId("NS-4711-000124".into()),
        at: at("2024-03-01T08:00:02Z"),
        kind: TapKind::Refused,
        amounts: TapAmounts {
            charged_cents: Cents::ZERO,
            balance_after_cents: Some(Cents::new(1000)),
        },
        ..ov_check_in()
    }
}

fn emv_on_tram() -> TapMessage {
    TapMessage {
        tap_id: TapId("GVB-88-000001".into()),
        reader: ReaderRef {
            operator: "GVB".into(),
            mode: Mode::Tram,
            station: "ASDCS".into(),
            device: 88,
            device_kind: DeviceKind::OnBoard,
            vehicle: Some("tram-2041".into()),
        },
        at: at("2024-03-01T08:15:00Z"),
        card: CardIdentity::Emv {
            pan: "5413330089020011".into(),
            pan_sequence: 1,
            expiry: "2712".into(),
        },
        kind: TapKind::Emv,
        amounts: TapAmounts::default(),
    }
}

// ---------------------------------------------------------------------------------------------
// Card image seeds

fn card_image_seeds() -> Vec<Seed> {
    // A seed that does not decode would only exercise the error paths.
    let write = |previous: Option<&[u8]>, card: &Card| {
        let bytes = image::write(previous, card)
            .unwrap_or_else(|e| panic!("seed card cannot be written: {e}\n{card:#?}"));
        assert_eq!(
            image::decode(&bytes).as_ref(),
            Ok(card),
            "seed card does not decode to itself"
        );
        bytes
    };
    let anonymous = write(None, &anonymous_card());
    let mut truncated = anonymous.clone();
    truncated.truncate(100);
    let mut flipped = anonymous.clone();
    // One flipped bit every 512 bytes, whichever areas that hits: the decoder must refuse the
    // image or decode something the oracle still holds for.
    for byte in flipped.iter_mut().skip(64).step_by(512) {
        *byte ^= 0x10;
    }
    let personal = personal_card();
    let personal_v1 = write(None, &personal);
    let mut personal_v2_card = personal.clone();
    personal_v2_card.record(load(at("2024-03-05T12:00:00Z"), 1000, 5250));
    personal_v2_card.purse.balance = Cents::new(5250);
    vec![
        ("anonymous.bin", anonymous),
        ("personal-with-products.bin", personal_v1.clone()),
        // A second write on top of the first, as a reader does: both purse copies in use.
        (
            "personal-rewritten.bin",
            write(Some(&personal_v1), &personal_v2_card),
        ),
        ("full-log.bin", write(None, &full_log_card())),
        ("checked-in.bin", write(None, &checked_in_card())),
        ("blocked.bin", write(None, &blocked_card())),
        ("disposable.bin", write(None, &disposable_card())),
        ("invalid-truncated.bin", truncated),
        ("invalid-flipped-bits.bin", flipped),
    ]
}

fn day(year: i16, month: i8, day: i8) -> Date {
    date(year, month, day)
}

fn empty_purse(balance_cents: i64) -> Purse {
    Purse {
        counter: 1,
        balance: Cents::new(balance_cents),
        auto_reload: None,
        rail_activated: false,
        travel_class: 2,
        blocked: false,
        special: SpecialSetting::None,
        check_in: None,
    }
}

fn load(at: Timestamp, amount_cents: i64, balance_after_cents: i64) -> LogEntry {
    LogEntry {
        kind: LogKind::Load,
        at,
        // Loads at non-operator machines carry no operator.
        operator: String::new(),
        mode: None,
        station: "AH-1203".into(),
        device: 90_001,
        amount: Cents::new(amount_cents),
        balance_after: Cents::new(balance_after_cents),
    }
}

fn tap_entry(
    kind: LogKind,
    at: Timestamp,
    station: &str,
    amount_cents: i64,
    balance_after_cents: i64,
) -> LogEntry {
    LogEntry {
        kind,
        at,
        operator: "NS".into(),
        mode: Some(Mode::Train),
        station: station.into(),
        device: 4711,
        amount: Cents::new(amount_cents),
        balance_after: Cents::new(balance_after_cents),
    }
}

fn anonymous_card() -> Card {
    Card {
        uid: 0x0a1b_2c3d,
        number: CardNumber::parse("3528 0100 0000 0001").expect("seed card number"),
        kind: CardKind::Anonymous,
        issued_on: day(2023, 5, 1),
        expires_on: day(2028, 5, 1),
        holder: None,
        products: Vec::new(),
        purse: empty_purse(1250),
        log: vec![load(at("2023-05-01T10:00:00Z"), 1250, 1250)],
    }
}

fn personal_card() -> Card {
    Card {
        uid: 0x7e57_0001,
        number: ov_number(),
        kind: CardKind::Personal,
        issued_on: day(2022, 1, 10),
        expires_on: day(2027, 1, 10),
        holder: Some(Holder {
            birth_date: day(1950, 6, 15),
            name: "Joke de Vries-van Ærssen".into(),
        }),
        products: vec![
            ProductSlot {
                code: "DAL-VOORDEEL".into(),
                valid_from: day(2024, 1, 1),
                valid_until: day(2024, 12, 31),
                route: None,
            },
            ProductSlot {
                code: "TRAJECT-VRIJ".into(),
                valid_from: day(2024, 2, 1),
                valid_until: day(2024, 2, 29),
                route: Some(["UT".into(), "ASD".into()]),
            },
        ],
        purse: Purse {
            counter: 41,
            balance: Cents::new(4250),
            auto_reload: Some(Cents::new(2000)),
            rail_activated: true,
            travel_class: 1,
            special: SpecialSetting::FirstClass,
            ..empty_purse(0)
        },
        log: vec![
            load(at("2024-02-28T18:00:00Z"), 5000, 5000),
            tap_entry(
                LogKind::CheckIn,
                at("2024-03-01T08:00:00Z"),
                "ASD",
                -2000,
                3000,
            ),
            tap_entry(
                LogKind::CheckOut,
                at("2024-03-01T08:31:00Z"),
                "UT",
                1250,
                4250,
            ),
        ],
    }
}

fn full_log_card() -> Card {
    let mut card = personal_card();
    card.log.clear();
    let mut balance = 20_000;
    let start = at("2024-03-01T07:00:00Z").as_second();
    for i in (0_i64..).take(image::LOG_CAPACITY) {
        let at = Timestamp::from_second(start + 3600 * i).expect("in range");
        let (kind, amount, station) = if i % 2 == 0 {
            (LogKind::CheckIn, -2000, "ASD")
        } else {
            (LogKind::CheckOut, 1120, "UT")
        };
        balance += amount;
        card.log.push(tap_entry(kind, at, station, amount, balance));
    }
    card.purse.balance = Cents::new(balance);
    card.purse.counter = 1000;
    card
}

fn checked_in_card() -> Card {
    let mut card = anonymous_card();
    let entry = LogEntry {
        operator: "GVB".into(),
        mode: Some(Mode::Tram),
        station: "ASDCS".into(),
        device: 88,
        ..tap_entry(
            LogKind::CheckIn,
            at("2024-03-01T08:15:00Z"),
            "ASDCS",
            -400,
            850,
        )
    };
    card.record(entry.clone());
    card.purse.balance = Cents::new(850);
    card.purse.check_in = Some(entry);
    card
}

fn blocked_card() -> Card {
    let mut card = anonymous_card();
    card.record(LogEntry {
        kind: LogKind::Blocked,
        amount: Cents::ZERO,
        ..load(at("2024-03-03T09:00:00Z"), 0, 1250)
    });
    card.purse.blocked = true;
    card
}

fn disposable_card() -> Card {
    Card {
        uid: 0xd15_0001,
        number: CardNumber::parse("3528 0900 0000 0042").expect("seed card number"),
        kind: CardKind::Disposable,
        issued_on: day(2024, 3, 1),
        expires_on: day(2024, 3, 1),
        holder: None,
        products: vec![ProductSlot {
            code: "ENKELE-REIS".into(),
            valid_from: day(2024, 3, 1),
            valid_until: day(2024, 3, 1),
            route: Some(["ASD".into(), "UT".into()]),
        }],
        purse: empty_purse(0),
        log: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Back-office day seeds

/// Byte strings that make varied days. Each named seed is the first pseudo-random string
/// (xorshift from a counter, so the search is deterministic) whose day has the named trait;
/// the bytes are opaque, the trait is what the seed is for.
fn backoffice_day_seeds() -> Vec<Seed> {
    let rules = nl_2024();
    let plan = |bytes: &[u8]| {
        simulate::plan_from(&rules, &mut Unstructured::new(bytes)).expect("any bytes make a day")
    };
    let pick = |name: &'static str, wanted: &dyn Fn(&DayPlan) -> bool| -> Seed {
        (1..100_000_u64)
            .map(|counter| pseudo_random_bytes(counter, 1536))
            .find(|bytes| wanted(&plan(bytes)))
            .map(|bytes| (name, bytes))
            .unwrap_or_else(|| panic!("no bytes make a day for seed {name}"))
    };
    let on = |p: &DayPlan, y: i16, m: i8, d: i8| p.day.0 == date(y, m, d);
    let taps_between = |p: &DayPlan, from: &str, until: &str| {
        let (from, until) = (at(from), at(until));
        p.cards
            .iter()
            .flat_map(|c| &c.taps)
            .any(|t| from <= t.at && t.at < until)
    };
    vec![
        // No bytes: every choice takes its first option (one card, one tap).
        ("empty.bin", Vec::new()),
        pick("weekday-many-cards-mixed.bin", &|p| {
            on(p, 2024, 3, 4)
                && p.cards.len() >= 8
                && p.cards.iter().any(is_bank)
                && !p.cards.iter().all(is_bank)
        }),
        // Taps in the hour the clocks repeat (02:00-03:00 CEST and CET).
        pick("autumn-dst-night.bin", &|p| {
            on(p, 2024, 10, 26) && taps_between(p, "2024-10-27T00:00:00Z", "2024-10-27T02:00:00Z")
        }),
        // Taps after the clocks jumped from 02:00 to 03:00.
        pick("spring-dst-night.bin", &|p| {
            on(p, 2024, 3, 30) && taps_between(p, "2024-03-31T01:00:00Z", "2024-03-31T01:05:00Z")
        }),
        pick("new-years-eve-tail.bin", &|p| {
            on(p, 2024, 12, 31)
                && taps_between(
                    p,
                    &local_midnight(date(2025, 1, 1)).to_string(),
                    "2025-01-01T02:05:00Z",
                )
        }),
        // Only bank cards, one of them with rail and bus/tram/metro taps interleaved (JRN-09).
        pick("all-ovpay-interleaved-classes.bin", &|p| {
            p.cards.len() >= 6
                && p.cards.iter().all(is_bank)
                && p.cards.iter().any(|c| interleaves_classes(&c.taps))
        }),
        pick("ov-chipkaart-personal-products.bin", &|p| {
            let personal_with_products = p
                .cards
                .iter()
                .filter(|c| matches!(&c.card, PlannedIdentity::OvChipkaart { profile, .. } if !profile.products.is_empty() && profile.birth_date.is_some()))
                .count();
            p.cards.len() >= 6 && !p.cards.iter().any(is_bank) && personal_with_products >= 2
        }),
        pick("holiday-long-itineraries.bin", &|p| {
            on(p, 2024, 4, 27)
                && p.cards
                    .iter()
                    .filter(|c| c.taps.len() == simulate::MAX_TAPS_PER_CARD)
                    .count()
                    >= 3
        }),
    ]
}

fn is_bank(card: &simulate::PlannedCard) -> bool {
    matches!(card.card, PlannedIdentity::Bank { .. })
}

/// A rail tap, then a bus/tram/metro tap, then a rail tap again.
fn interleaves_classes(taps: &[simulate::PlannedTap]) -> bool {
    let classes: Vec<TransportClass> = taps.iter().map(|t| t.reader.mode.class()).collect();
    classes.windows(3).any(|w| {
        w[0] == TransportClass::Rail
            && w[1] == TransportClass::BusTramMetro
            && w[2] == TransportClass::Rail
    })
}

/// `len` bytes of xorshift64 output from `counter`.
fn pseudo_random_bytes(counter: u64, len: usize) -> Vec<u8> {
    let mut state = counter.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[3]
        })
        .collect()
}
