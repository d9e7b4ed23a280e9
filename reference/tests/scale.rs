//! The synthetic stream (`synth`), its formats (`stream`) and the streaming back office
//! (`backoffice::streaming`): determinism, round trips, decoders on any bytes, and the
//! streaming replay giving byte-identical files to the in-memory back office.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ovcert_reference::backoffice::simulate::{fresh_back_office, outcome};
use ovcert_reference::backoffice::streaming::{
    Admission, ClosedDay, PreparedRecord, SharedReaders, StreamClock, StreamCounts,
    StreamingBackOffice, TapStore, finish_day, join_parts, part_of_card, part_of_number,
};
use ovcert_reference::backoffice::{BackOffice, BackOfficeError, Ingested};
use ovcert_reference::rules::{RuleSet, nl_2024};
use ovcert_reference::stream::{DecodedRecord, Record, StreamHeader, bin, csv};
use ovcert_reference::synth::{Generator, SynthConfig};
use ovcert_reference::tap::{ReaderRef, TapMessage};
use proptest::prelude::*;

fn rules() -> RuleSet {
    nl_2024()
}

fn generate(rules: &RuleSet, config: SynthConfig) -> Vec<Record> {
    let mut generator = Generator::new(rules, config);
    let mut records = Vec::new();
    while let Some(batch) = generator.next_batch() {
        records.extend(batch);
    }
    records
}

/// The stream's taps, in stream order.
fn taps_of(records: &[Record]) -> Vec<&TapMessage> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Tap(t) => Some(t),
            Record::Card { .. } => None,
        })
        .collect()
}

fn to_csv(header: &StreamHeader, records: &[Record]) -> String {
    let mut out = csv::encode_header(header);
    for r in records {
        csv::encode(r, &mut out).expect("generated records encode");
    }
    out
}

fn bin_encoder(rules: &RuleSet) -> bin::Encoder {
    bin::Encoder::new(
        rules.operators.iter().map(|o| o.id.to_string()).collect(),
        rules
            .network
            .stations
            .iter()
            .map(|s| s.id.to_string())
            .collect(),
    )
    .expect("the rule set's tables fit")
}

fn to_bin(rules: &RuleSet, header: &StreamHeader, records: &[Record]) -> Vec<u8> {
    let encoder = bin_encoder(rules);
    let mut out = Vec::new();
    encoder.header(header, &mut out).expect("header encodes");
    for r in records {
        encoder
            .record(r, &mut out)
            .expect("generated records encode");
    }
    out
}

fn from_csv(text: &str) -> Vec<Record> {
    let mut decoder = csv::Decoder::new();
    text.lines()
        .filter_map(|line| decoder.line(line).expect("own output decodes"))
        .collect()
}

fn from_bin(bytes: &[u8]) -> Vec<Record> {
    let (decoder, mut at) = bin::Decoder::new(bytes).expect("header decodes");
    let mut records = Vec::new();
    while at < bytes.len() {
        match decoder
            .record(&bytes[at..], at as u64)
            .expect("own output decodes")
        {
            bin::Next::Record(r, used) => {
                records.push(r);
                at += used;
            }
            bin::Next::NeedMore => panic!("cut off at {at}"),
        }
    }
    records
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let rules = rules();
    let config = SynthConfig::new(7, 3_000);
    let a = generate(&rules, config);
    let b = generate(&rules, config);
    assert_eq!(to_csv(&config.header(), &a), to_csv(&config.header(), &b));
    assert_eq!(
        to_bin(&rules, &config.header(), &a),
        to_bin(&rules, &config.header(), &b)
    );
    let other = generate(&rules, SynthConfig::new(8, 3_000));
    assert_ne!(a, other);
}

#[test]
fn the_stream_has_what_it_promises() {
    let rules = rules();
    let config = SynthConfig::new(11, 20_000);
    let records = generate(&rules, config);
    let taps = taps_of(&records);
    assert_eq!(taps.len(), 20_000);
    let bank = taps
        .iter()
        .filter(|t| matches!(t.card, ovcert_reference::tap::CardIdentity::Emv { .. }))
        .count();
    let share = bank * 100 / taps.len();
    assert!((8..=25).contains(&share), "OVpay share {share} %");
    let operators: BTreeSet<&str> = taps.iter().map(|t| t.reader.operator.as_str()).collect();
    assert_eq!(operators.len(), rules.operators.len(), "{operators:?}");
    let ids: BTreeSet<&str> = taps.iter().map(|t| t.tap_id.0.as_str()).collect();
    assert!(ids.len() < taps.len(), "some taps come twice");
    // Out of tap-time order, but never by more than the stated lateness.
    let mut latest = taps[0].at;
    let mut late = 0;
    for t in &taps {
        if t.at < latest {
            late += 1;
            assert!(latest.as_second() - t.at.as_second() <= i64::from(config.max_lateness_s));
        }
        latest = latest.max(t.at);
    }
    assert!(late > 0, "some uploads are late");
    // The autumn DST night: taps in both 02:xx hours.
    let dst: BTreeSet<String> = taps
        .iter()
        .map(|t| csv::local_rfc3339(t.at))
        .filter(|s| s.starts_with("2024-10-27T02"))
        .map(|s| s[19..].to_string())
        .collect();
    assert_eq!(dst.len(), 2, "taps in both hours of the DST night: {dst:?}");
    assert!(records.iter().any(|r| matches!(r, Record::Card { .. })));
}

#[test]
fn both_formats_round_trip() {
    let rules = rules();
    let config = SynthConfig::new(3, 2_000);
    let records = generate(&rules, config);
    assert_eq!(from_csv(&to_csv(&config.header(), &records)), records);
    assert_eq!(
        from_bin(&to_bin(&rules, &config.header(), &records)),
        records
    );
}

/// The replay's decoding, which recognises a reader by its encoded bytes and decodes it once
/// (`SharedReaders`), gives every tap the reader it states, and one shared reader per
/// reader (the generator writes each reader in one way): in both formats.
#[test]
fn shared_readers_decode_what_each_tap_states() {
    let rules = rules();
    let config = SynthConfig::new(5, 3_000);
    let mut records = generate(&rules, config);
    // The generator gives each device one vehicle: taps that differ in the vehicle alone.
    let tap = records
        .iter()
        .find_map(|r| match r {
            Record::Tap(tap) => Some(tap.clone()),
            Record::Card { .. } => None,
        })
        .expect("the stream has taps");
    for (i, vehicle) in [Some("bus-1"), Some("bus-2"), None].into_iter().enumerate() {
        let mut other = tap.clone();
        other.tap_id.0 = smol_str::format_smolstr!("{}-v{i}", tap.tap_id.0);
        other.reader.vehicle = vehicle.map(Into::into);
        records.push(Record::Tap(other));
    }
    let owned = |decoded: Vec<DecodedRecord<Arc<ReaderRef>>>| -> Vec<Record> {
        decoded
            .into_iter()
            .map(|record| match record {
                DecodedRecord::Card { number, profile } => Record::Card { number, profile },
                DecodedRecord::Tap(tap) => {
                    Record::Tap(tap.map_reader(|reader| (*reader).clone()).into())
                }
            })
            .collect()
    };
    let shared_once = |decoded: &[DecodedRecord<Arc<ReaderRef>>]| {
        let mut by_value: BTreeMap<&ReaderRef, *const ReaderRef> = BTreeMap::new();
        for record in decoded {
            if let DecodedRecord::Tap(tap) = record {
                let first = *by_value
                    .entry(&tap.reader)
                    .or_insert(Arc::as_ptr(&tap.reader));
                assert_eq!(
                    first,
                    Arc::as_ptr(&tap.reader),
                    "{:?} decoded twice",
                    tap.reader
                );
            }
        }
        by_value.len()
    };

    let text = to_csv(&config.header(), &records);
    let mut readers = SharedReaders::default();
    let mut decoder = csv::Decoder::new();
    let from_csv: Vec<_> = text
        .lines()
        .filter_map(|line| {
            decoder
                .line_with(line, &mut readers)
                .expect("own output decodes")
        })
        .collect();
    let distinct = shared_once(&from_csv);
    assert!(
        distinct > 100,
        "only {distinct} readers: the test needs many"
    );
    assert_eq!(owned(from_csv), records);

    let bytes = to_bin(&rules, &config.header(), &records);
    let mut readers = SharedReaders::default();
    let (decoder, mut at) = bin::Decoder::new(&bytes).expect("header decodes");
    let mut from_bin = Vec::new();
    while at < bytes.len() {
        match decoder
            .record_with(&bytes[at..], at as u64, &mut readers)
            .expect("own output decodes")
        {
            bin::NextWith::Record(record, used) => {
                from_bin.push(record);
                at += used;
            }
            bin::NextWith::NeedMore => panic!("cut off at {at}"),
        }
    }
    assert_eq!(shared_once(&from_bin), distinct);
    assert_eq!(owned(from_bin), records);
}

/// GBO-04 in the streaming back office: a tap sent again is counted once; another tap
/// under a known id (another reader, time or card) is refused, as `BackOffice::ingest` does.
#[test]
fn the_stream_refuses_another_tap_under_a_known_id() {
    let rules = rules();
    let config = SynthConfig::new(3, 200);
    let records = generate(&rules, config);
    let taps = taps_of(&records);
    let first = taps[0].clone();
    let other = taps
        .iter()
        .find(|t| t.card != first.card)
        .expect("more than one card");
    let mut variants = Vec::new();
    let mut moved = first.clone();
    moved.reader.device += 1;
    variants.push(moved);
    let mut later = first.clone();
    later.at += jiff::SignedDuration::from_secs(1);
    variants.push(later);
    let mut card = first.clone();
    card.card = other.card.clone();
    variants.push(card);
    for variant in variants {
        let mut office = StreamingBackOffice::new(
            &rules,
            fresh_back_office(&rules).vault().clone(),
            config.max_lateness_s,
        );
        office
            .push(Record::Tap(first.clone()))
            .expect("first arrival");
        office
            .push(Record::Tap(first.clone()))
            .expect("the same tap again");
        assert_eq!(office.counts().duplicates, 1);
        let refused = office.push(Record::Tap(variant.clone()));
        assert!(
            refused.is_err(),
            "another tap under {:?} was taken: {variant:?}",
            first.tap_id
        );
        assert_eq!(office.counts().new, 1);
    }
}

/// The streaming replay and the in-memory back office (`ingest` + `day` +
/// `operator_report` + `settle`) deliver the same bytes for every travel day.
#[test]
fn streaming_replay_equals_the_in_memory_back_office() {
    let rules = rules();
    let config = SynthConfig::new(42, 4_000);
    let records = generate(&rules, config);

    let mut streaming = StreamingBackOffice::new(
        &rules,
        fresh_back_office(&rules).vault().clone(),
        config.max_lateness_s,
    );
    let tokens = fresh_back_office(&rules);
    let mut streamed: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut closed_days = Vec::new();
    for record in records.clone() {
        closed_days.extend(streaming.push(record).expect("generated taps are valid"));
    }
    let (rest, counts) = streaming.finish();
    closed_days.extend(rest);
    assert_eq!(counts.refused_late, 0);
    assert!(counts.duplicates > 0);
    for closed in closed_days {
        let day = closed.day.0.to_string();
        let files = finish_day(&rules, &tokens, closed).expect("days finish");
        assert!(
            streamed.insert(day, files).is_none(),
            "each day closes once"
        );
    }

    let mut office: BackOffice = fresh_back_office(&rules);
    let mut uploads = ovcert_reference::backoffice::simulate::Uploads::default();
    for record in records {
        match record {
            Record::Card { number, profile } => office.register_card(number, profile),
            Record::Tap(tap) => match office.ingest(tap).expect("valid") {
                Ingested::New => uploads.new += 1,
                Ingested::Duplicate => uploads.duplicate += 1,
            },
        }
    }
    let day_rule = rules.travel_day_rule();
    let days: BTreeSet<_> = office
        .taps()
        .iter()
        .map(|t| day_rule.travel_day_of(t.at))
        .collect();
    assert_eq!(days.len(), streamed.len());
    for day in days {
        let now = day_rule.end_of(day);
        let in_memory = outcome(&rules, &mut office, day, now, uploads)
            .expect("days settle")
            .files();
        let streamed_day = &streamed[&day.0.to_string()];
        assert_eq!(
            in_memory.keys().collect::<Vec<_>>(),
            streamed_day.keys().collect::<Vec<_>>()
        );
        for (name, text) in &in_memory {
            assert!(streamed_day[name] == *text, "{day:?} {name} differs");
        }
    }
}

/// A generated stream with its first tap moved to the end: it comes days late.
fn with_the_first_tap_last(rules: &RuleSet, config: SynthConfig) -> Vec<Record> {
    let mut records = generate(rules, config);
    let first = records
        .iter()
        .position(|r| matches!(r, Record::Tap(_)))
        .expect("taps");
    let tap = records.remove(first);
    records.push(tap);
    records
}

/// The records through one `StreamingBackOffice`: every closed day, oldest first.
fn replay_in_one_store(
    rules: &RuleSet,
    records: Vec<Record>,
    max_lateness_s: u32,
) -> (Vec<ClosedDay>, StreamCounts) {
    let mut office = StreamingBackOffice::new(
        rules,
        fresh_back_office(rules).vault().clone(),
        max_lateness_s,
    );
    let mut closed = Vec::new();
    for record in records {
        closed.extend(office.push(record).expect("generated taps are valid"));
    }
    let (rest, counts) = office.finish();
    closed.extend(rest);
    (closed, counts)
}

#[test]
fn a_tap_later_than_the_stated_lateness_is_counted_not_applied() {
    let rules = rules();
    let config = SynthConfig::new(5, 1_000);
    let records = with_the_first_tap_last(&rules, config);
    let (_, counts) = replay_in_one_store(&rules, records, config.max_lateness_s);
    assert_eq!(counts.refused_late, 1);
}

/// The records of a stream through a clock and two stores split by card, on one thread, as
/// `ovcert replay` runs them on three: every closed day joined from its two parts.
fn replay_in_two_parts(
    rules: &RuleSet,
    records: Vec<Record>,
    max_lateness_s: u32,
) -> Result<(Vec<ClosedDay>, StreamCounts, [usize; 2]), BackOfficeError> {
    let vault = fresh_back_office(rules).vault().clone();
    let mut clock = StreamClock::new(rules, max_lateness_s);
    let mut stores = [TapStore::part(vault.clone()), TapStore::part(vault)];
    let mut readers = SharedReaders::default();
    let mut closed = Vec::new();
    let mut filed = [0, 0];
    let close = |day, stores: &mut [TapStore; 2]| {
        let [first, second] = stores;
        join_parts(first.close_part(day), second.close_part(day))
    };
    for record in records {
        match PreparedRecord::new(record, &mut readers) {
            PreparedRecord::Card { number, profile } => {
                stores[part_of_number(number)].card(number, profile);
            }
            PreparedRecord::Tap(tap) => {
                let Admission::Open(day) = clock.admit(tap.at()) else {
                    continue;
                };
                let part = part_of_card(tap.card());
                filed[part] += 1;
                stores[part].file(day, tap)?;
                for day in clock.close_ready() {
                    closed.push(close(day, &mut stores)?);
                }
            }
        }
    }
    let (days, clock_counts) = clock.finish();
    for day in days {
        closed.push(close(day, &mut stores)?);
    }
    let counts = clock_counts
        .plus(stores[0].counts())
        .plus(stores[1].counts());
    Ok((closed, counts, filed))
}

/// Two stores, each filing the taps of the cards `part_of_card` gives it, close the same
/// days with the same files and counts as one store of every card: duplicates, bank cards,
/// card registrations and a tap refused as late included.
#[test]
fn two_stores_split_by_card_close_what_one_store_closes() {
    let rules = rules();
    let config = SynthConfig::new(11, 4_000);
    let records = with_the_first_tap_last(&rules, config);
    let (closed_by_one, counts_of_one) =
        replay_in_one_store(&rules, records.clone(), config.max_lateness_s);

    let (closed_by_two, counts_of_two, filed) =
        replay_in_two_parts(&rules, records, config.max_lateness_s).expect("valid");
    assert_eq!(counts_of_two, counts_of_one);
    assert_eq!(counts_of_one.refused_late, 1);
    assert!(counts_of_one.duplicates > 0 && counts_of_one.cards > 0);
    assert!(
        filed[0] > 1_000 && filed[1] > 1_000,
        "both parts file: {filed:?}"
    );
    assert!(closed_by_one.len() > 1, "several days");
    assert_eq!(closed_by_two.len(), closed_by_one.len());
    let tokens = fresh_back_office(&rules);
    for (two, one) in closed_by_two.into_iter().zip(closed_by_one) {
        assert_eq!(two.day, one.day);
        let day = one.day;
        assert_eq!(two.tap_count(), one.tap_count(), "{day:?}");
        assert!(
            finish_day(&rules, &tokens, two).expect("days finish")
                == finish_day(&rules, &tokens, one).expect("days finish"),
            "{day:?}: the files differ"
        );
    }
}

/// GBO-04 with two stores: another tap under a known id is refused on arrival when its card
/// is in the same part, and when the day closes when it is in the other part; the same tap
/// sent again is a duplicate either way.
#[test]
fn two_stores_refuse_another_tap_under_a_known_id() {
    let rules = rules();
    let config = SynthConfig::new(3, 200);
    let records = generate(&rules, config);
    let taps = taps_of(&records);
    let first = taps[0].clone();
    let part = part_of_card(&first.card);
    let card_in = |same_part: bool| {
        taps.iter()
            .map(|t| t.card.clone())
            .find(|c| *c != first.card && (part_of_card(c) == part) == same_part)
            .expect("cards in both parts")
    };
    let replay = |second: TapMessage| {
        replay_in_two_parts(
            &rules,
            vec![Record::Tap(first.clone()), Record::Tap(second)],
            config.max_lateness_s,
        )
        .map(|(_, counts, _)| counts)
    };

    let again = replay(first.clone()).expect("the same tap again");
    assert_eq!((again.new, again.duplicates), (1, 1));
    for same_part in [true, false] {
        let mut other = first.clone();
        other.card = card_in(same_part);
        let refused = replay(other).expect_err("another tap under a known id");
        assert!(
            refused.to_string().contains(first.tap_id.0.as_str())
                && refused.to_string().contains("different tap"),
            "{refused}"
        );
    }
}

proptest! {
    #[test]
    fn binary_decoding_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok((decoder, mut at)) = bin::Decoder::new(&bytes) {
            while at < bytes.len() {
                match decoder.record(&bytes[at..], at as u64) {
                    Ok(bin::Next::Record(_, used)) => at += used,
                    _ => break,
                }
            }
        }
    }

    #[test]
    fn binary_records_after_a_valid_header_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..256)) {
        let rules = rules();
        let mut bytes = Vec::new();
        bin_encoder(&rules).header(&SynthConfig::new(1, 1).header(), &mut bytes).unwrap();
        let start = bytes.len();
        bytes.extend(tail);
        let (decoder, _) = bin::Decoder::new(&bytes).unwrap();
        let mut at = start;
        while at < bytes.len() {
            match decoder.record(&bytes[at..], at as u64) {
                Ok(bin::Next::Record(_, used)) => at += used,
                _ => break,
            }
        }
    }

    #[test]
    fn csv_decoding_any_line_never_panics(lines in proptest::collection::vec(".{0,200}", 0..6)) {
        let mut decoder = csv::Decoder::new();
        let _ = decoder.line("#ovcert-taps,v1,seed=1,max_lateness_s=60");
        let _ = decoder.line(csv::COLUMNS);
        for line in &lines {
            let _ = decoder.line(line);
        }
    }
}

/// `report::operator_totals` (what `replay --totals-only` writes) is every operator report's
/// total, on national days with bank cards, products and age discounts.
#[test]
fn operator_totals_are_the_reports_totals() {
    use ovcert_reference::backoffice::report::{
        TapMeanings, operator_report_with, operator_totals,
    };
    use ovcert_reference::backoffice::streaming::{day_journeys, day_view};

    let rules = nl_2024();
    let config = SynthConfig {
        days: 2,
        ..SynthConfig::new(5, 6_000)
    };
    let tokens = fresh_back_office(&rules);
    let mut streaming =
        StreamingBackOffice::new(&rules, tokens.vault().clone(), config.max_lateness_s);
    let mut generator = Generator::new(&rules, config);
    let mut closed = Vec::new();
    while let Some(batch) = generator.next_batch() {
        for record in batch {
            closed.extend(streaming.push(record).expect("valid"));
        }
    }
    closed.extend(streaming.finish().0);
    assert_eq!(closed.len(), 2);
    for day in closed {
        let date = day.day;
        let held = day.tap_count();
        let closed = day.into_cards();
        // The two halves' cards merged: each card once, in card key order, with every tap.
        assert!(closed.windows(2).all(|w| w[0].card < w[1].card));
        assert_eq!(closed.iter().map(|c| c.tap_count()).sum::<usize>(), held);
        let cards = day_journeys(&rules, date, &closed).expect("priced");
        let (view, meanings) = day_view(date, closed, cards);
        let totals = operator_totals(&view);
        let meanings = TapMeanings::in_day_order(&view, meanings);
        let mut nonzero = 0;
        for operator in &rules.operators {
            let report = operator_report_with(&tokens, &view, &meanings, &operator.id);
            let total = totals
                .get(operator.id.as_str())
                .copied()
                .unwrap_or_default();
            assert_eq!(
                total, report.total_cents,
                "{} on {}",
                operator.id, view.day.0
            );
            nonzero += usize::from(total.get() != 0);
        }
        assert!(nonzero > 5, "most operators have fares");
    }
}
