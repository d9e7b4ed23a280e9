//! The back office's hot paths, on deterministic synthetic days (the same generator the
//! property tests and the fuzzer use): tap parsing (binary and JSON), journeys with their fares
//! per card, a whole travel day through ingest, journeys, fares, reports and settlement, and
//! the replay's two steps on a synthetic weekday (storing the stream, pricing a closed day).
//!
//! `cargo bench -p ovcert-reference --bench hot_paths`; numbers are per tap (or per card) so
//! they compare with the end-to-end taps/s of a replay.

use arbitrary::Unstructured;
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use ovcert_reference::backoffice::report::add_journey_shares;
use ovcert_reference::backoffice::simulate::{self, DayPlan};
use ovcert_reference::backoffice::streaming::{StreamingBackOffice, fold_day_fares};
use ovcert_reference::backoffice::{BackOffice, CardKey};
use ovcert_reference::rules::{self, RuleSet};
use ovcert_reference::stream::Record;
use ovcert_reference::synth::{Generator, SynthConfig};
use ovcert_reference::tap::{TapMessage, codec};

fn main() {
    divan::main();
}

/// Seeded bytes → day plans: the same days on every run.
fn days(count: usize) -> (RuleSet, Vec<DayPlan>) {
    let rules = rules::nl_2024();
    let mut state = 0x5EED_2024_u64;
    let mut plans = Vec::with_capacity(count);
    while plans.len() < count {
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                // SplitMix64: a fixed sequence, so the benchmark input never changes.
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                (z ^ (z >> 31)) as u8
            })
            .collect();
        if let Ok(plan) = simulate::plan_from(&rules, &mut Unstructured::new(&bytes)) {
            plans.push(plan);
        }
    }
    (rules, plans)
}

fn all_taps(plans: &[DayPlan]) -> Vec<TapMessage> {
    plans.iter().flat_map(simulate::taps).collect()
}

#[divan::bench]
fn tap_parse_binary(bencher: Bencher) {
    let (_, plans) = days(64);
    let encoded: Vec<Vec<u8>> = all_taps(&plans)
        .iter()
        .map(|t| codec::encode_binary(t).expect("generated taps encode"))
        .collect();
    bencher.counter(ItemsCount::new(encoded.len())).bench(|| {
        for bytes in &encoded {
            black_box(codec::decode_binary(black_box(bytes)).expect("decodes"));
        }
    });
}

#[divan::bench]
fn tap_parse_json(bencher: Bencher) {
    let (_, plans) = days(64);
    let encoded: Vec<String> = all_taps(&plans).iter().map(codec::encode_json).collect();
    bencher.counter(ItemsCount::new(encoded.len())).bench(|| {
        for text in &encoded {
            black_box(codec::decode_json(black_box(text)).expect("decodes"));
        }
    });
}

/// Qualification, the journey builder and the fare engine for every card of 64 days.
#[divan::bench]
fn journeys_and_fares_per_card(bencher: Bencher) {
    let (rules, plans) = days(64);
    let loaded: Vec<(BackOffice, Vec<CardKey>, jiff::Timestamp)> = plans
        .iter()
        .map(|plan| {
            let mut office = simulate::fresh_back_office(&rules);
            for tap in simulate::taps(plan) {
                office.ingest(tap).expect("generated taps are accepted");
            }
            // Every card once, as the back office keys it (bank cards by token).
            let mut cards: Vec<CardKey> = Vec::new();
            for tap in office.taps() {
                if !cards.contains(&tap.card) {
                    cards.push(tap.card.clone());
                }
            }
            (office, cards, simulate::closed_at(&rules, plan.day))
        })
        .collect();
    let cards: usize = loaded.iter().map(|(_, c, _)| c.len()).sum();
    bencher.counter(ItemsCount::new(cards)).bench(|| {
        for (office, keys, now) in &loaded {
            for key in keys {
                black_box(office.journeys(&rules, key, *now).expect("priced"));
            }
        }
    });
}

/// One synthetic weekday of 100 000 taps (the replay's stream) and a fresh streaming back
/// office for it.
fn stream_day() -> (RuleSet, Vec<Record>, usize) {
    let rules = rules::nl_2024();
    let config = SynthConfig {
        days: 1,
        ..SynthConfig::new(42, 100_000)
    };
    let mut generator = Generator::new(&rules, config);
    let mut records = Vec::new();
    while let Some(batch) = generator.next_batch() {
        records.extend(batch);
    }
    let taps = records
        .iter()
        .filter(|r| matches!(r, Record::Tap(_)))
        .count();
    (rules, records, taps)
}

fn stream_office(rules: &RuleSet) -> StreamingBackOffice {
    StreamingBackOffice::new(
        rules,
        simulate::fresh_back_office(rules).vault().clone(),
        4 * 3600,
    )
}

/// The replay's storing step: every record of a weekday into the streaming back office
/// (tokens, dedup by tap id, filing by travel day and card), per tap.
#[divan::bench(sample_count = 10)]
fn stream_store(bencher: Bencher) {
    let (rules, records, taps) = stream_day();
    bencher
        .counter(ItemsCount::new(taps))
        .with_inputs(|| (stream_office(&rules), records.clone()))
        .bench_values(|(mut office, records)| {
            for record in records {
                black_box(office.push(record).expect("generated taps are valid"));
            }
            office
        });
}

/// The replay's pricing step for `--totals-only`: a closed weekday's cards priced and added
/// up per operator, per tap.
#[divan::bench(sample_count = 10)]
fn stream_price_closed_day(bencher: Bencher) {
    let (rules, records, taps) = stream_day();
    bencher
        .counter(ItemsCount::new(taps))
        .with_inputs(|| {
            let mut office = stream_office(&rules);
            for record in records.clone() {
                office.push(record).expect("generated taps are valid");
            }
            let (mut days, _) = office.finish();
            days.pop().expect("one travel day")
        })
        .bench_values(|day| {
            fold_day_fares(
                &rules,
                day.day,
                day.into_cards(),
                0_i64,
                |total, journey, fare| {
                    add_journey_shares(journey, fare, |_, share| *total += share.get());
                },
            )
            .expect("the day prices")
        });
}

/// A whole travel day: ingest in tap order, journeys, fares, every operator's report and the
/// settlement, per tap.
#[divan::bench]
fn whole_day(bencher: Bencher) {
    let (rules, plans) = days(64);
    let taps: usize = plans.iter().map(|p| simulate::taps(p).len()).sum();
    let orders: Vec<Vec<usize>> = plans
        .iter()
        .map(|p| (0..simulate::taps(p).len()).collect())
        .collect();
    bencher.counter(ItemsCount::new(taps)).bench(|| {
        for (plan, order) in plans.iter().zip(&orders) {
            black_box(simulate::run_day(&rules, plan, order, &[]).expect("a day runs"));
        }
    });
}
