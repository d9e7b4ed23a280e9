//! Properties of the back office over generated days of taps (`backoffice::simulate`):
//! arrival order and duplicate uploads change nothing (GBO-04, TAP-08), money is conserved
//! (SET-02), settling twice settles once (SET-03), fares stay within bounds and are split
//! exactly (FARE-11, GBO-02), and every tap lands in exactly one travel day and one leg
//! (EMV-07, GBO-01).
//!
//! Each property runs 1000 generated days. The seed is fixed (override with
//! OVCERT_PROPTEST_SEED) and printed with a failure, so a failure reproduces. A day is drawn as
//! bytes for `simulate::plan_from`, so proptest shrinks a failing day by shrinking its bytes.

mod support;

use std::sync::LazyLock;

use arbitrary::Unstructured;
use ovcert_reference::backoffice::simulate::{self, DayPlan, MAX_DUPLICATES};
use ovcert_reference::rules::{RuleSet, nl_2024};
use ovcert_reference::tap::TapMessage;
use ovcert_reference::tap::codec;
use ovcert_reference::time::TravelDay;
use proptest::collection::vec;
use proptest::prelude::*;

static RULES: LazyLock<RuleSet> = LazyLock::new(nl_2024);

/// Cases per property.
const CASES: u32 = 1000;
/// Bytes per generated day: enough for the largest days (12 cards × 10 taps).
const DAY_BYTES: std::ops::Range<usize> = 64..2048;

fn config() -> ProptestConfig {
    support::seeded(CASES, 20_241_027)
}

fn plan(bytes: &[u8]) -> DayPlan {
    simulate::plan_from(&RULES, &mut Unstructured::new(bytes))
        .expect("the generator accepts any bytes")
}

fn arrival(taps: &[TapMessage]) -> Vec<usize> {
    (0..taps.len()).collect()
}

/// A day's bytes with a shuffled upload order of its taps and some duplicate uploads.
fn shuffled_day() -> impl Strategy<Value = (Vec<u8>, Vec<usize>, Vec<usize>)> {
    vec(any::<u8>(), DAY_BYTES).prop_flat_map(|bytes| {
        let count = simulate::taps(&plan(&bytes)).len();
        let order = Just((0..count).collect::<Vec<usize>>()).prop_shuffle();
        let duplicates = vec(0..count.max(1), 0..=MAX_DUPLICATES)
            .prop_map(move |d| if count == 0 { Vec::new() } else { d });
        (Just(bytes), order, duplicates)
    })
}

#[test]
fn generated_taps_are_valid_messages_with_unique_ids() {
    // A sanity check of the generator itself, on a spread of fixed inputs.
    for seed in 0..200_u32 {
        let bytes: Vec<u8> = (0..1024_u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) ^ seed.wrapping_mul(40_503)).to_le_bytes()[1])
            .collect();
        let plan = plan(&bytes);
        let taps = simulate::taps(&plan);
        let mut ids: Vec<&str> = taps.iter().map(|t| t.tap_id.0.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), taps.len(), "tap ids are unique (seed {seed})");
        for tap in &taps {
            codec::validate(tap)
                .unwrap_or_else(|e| panic!("seed {seed}: generated tap is invalid: {e}\n{tap:#?}"));
        }
        assert!(plan.cards.len() <= simulate::MAX_CARDS);
        assert!(
            plan.cards
                .iter()
                .all(|c| c.taps.len() <= simulate::MAX_TAPS_PER_CARD)
        );
    }
}

proptest! {
    #![proptest_config(config())]

    /// GBO-04 / TAP-08: any upload order, with duplicates, gives byte-identical reports
    /// (JSON and CSV) and settlement.
    #[test]
    fn upload_order_and_duplicates_change_nothing((bytes, order, duplicates) in shuffled_day()) {
        let plan = plan(&bytes);
        let taps = simulate::taps(&plan);
        let online = simulate::run_day(&RULES, &plan, &arrival(&taps), &[]).unwrap();
        let offline = simulate::run_day(&RULES, &plan, &order, &duplicates).unwrap();
        prop_assert_eq!(online.uploads.new, taps.len());
        prop_assert_eq!(offline.uploads.new, taps.len());
        prop_assert_eq!(offline.uploads.duplicate, duplicates.len());
        prop_assert_eq!(online.files(), offline.files());
    }

    /// SET-02: every generated day balances: collected == Σ operator credits == Σ journey
    /// fares, and each operator's report reconciles with its credit.
    #[test]
    fn every_day_conserves_money(bytes in vec(any::<u8>(), DAY_BYTES)) {
        let plan = plan(&bytes);
        let taps = simulate::taps(&plan);
        let outcome = simulate::run_day(&RULES, &plan, &arrival(&taps), &[]).unwrap();
        prop_assert!(outcome.newly_settled);
        if let Err(e) = outcome.check_conservation() {
            return Err(TestCaseError::fail(e));
        }
    }

    /// SET-03: settling a day again — later, and after every tap was uploaded once more —
    /// returns the same statement, settles nothing new and credits nobody twice.
    #[test]
    fn settling_twice_settles_once((bytes, order, duplicates) in shuffled_day()) {
        let plan = plan(&bytes);
        let taps = simulate::taps(&plan);
        let (mut office, uploads) = simulate::load(&RULES, &plan, &order, &duplicates).unwrap();
        let now = simulate::closed_at(&RULES, plan.day);
        let first = simulate::outcome(&RULES, &mut office, plan.day, now, uploads).unwrap();
        prop_assert!(first.newly_settled);
        let later = now + jiff::SignedDuration::from_hours(30);
        let again = office.settle(&RULES, plan.day, later).unwrap();
        prop_assert!(!again.newly_settled);
        prop_assert!(again.credited_this_run.is_empty(), "a second run credits nobody");
        prop_assert_eq!(&again.statement, &first.settlement);
        let reupload = simulate::upload(&mut office, &taps, &arrival(&taps), &[]).unwrap();
        prop_assert_eq!(reupload.new, 0);
        let third = office.settle(&RULES, plan.day, later).unwrap();
        prop_assert!(!third.newly_settled);
        prop_assert_eq!(third.statement.to_json(), first.settlement_json.clone());
        prop_assert_eq!(office.settlements().len(), 1);
        let credited: i64 = office.settlements().values()
            .flat_map(|s| &s.operators)
            .map(|o| o.credited_cents.get())
            .sum();
        prop_assert_eq!(credited, first.settlement.conservation.credited_cents.get());
    }

    /// FARE-11 / GBO-02: 0 ≤ fare ≤ maximum for every journey, no negative share, and the
    /// shares (one per leg, to the leg's operator) sum to the total.
    #[test]
    fn fares_stay_within_bounds_and_split_exactly(bytes in vec(any::<u8>(), DAY_BYTES)) {
        let plan = plan(&bytes);
        let taps = simulate::taps(&plan);
        let outcome = simulate::run_day(&RULES, &plan, &arrival(&taps), &[]).unwrap();
        if let Err(e) = outcome.check_fares() {
            return Err(TestCaseError::fail(e));
        }
    }

    /// EMV-07 / GBO-01: each tap is in exactly one travel day — the one `travel_day_of`
    /// gives, the plan's — and in exactly one leg of it (a check-in as a check-in); a closed
    /// day looks the same however much later it is viewed.
    #[test]
    fn each_tap_lands_in_one_travel_day_and_one_leg(bytes in vec(any::<u8>(), DAY_BYTES)) {
        let plan = plan(&bytes);
        let taps = simulate::taps(&plan);
        let day_rule = RULES.travel_day_rule();
        let (mut office, uploads) = simulate::load(&RULES, &plan, &arrival(&taps), &[]).unwrap();
        let day = plan.day.0;
        let around = [day.yesterday().unwrap(), day, day.tomorrow().unwrap()].map(TravelDay);
        let much_later = simulate::closed_at(&RULES, around[2]);
        let views = around.map(|d| office.day(&RULES, d, much_later).unwrap());
        for tap in &taps {
            prop_assert_eq!(day_rule.travel_day_of(tap.at), plan.day, "tap {}", tap.tap_id.0);
            let holding: Vec<TravelDay> = views
                .iter()
                .filter(|v| v.taps.iter().any(|t| t.tap_id == tap.tap_id))
                .map(|v| v.day)
                .collect();
            prop_assert_eq!(holding, vec![plan.day], "tap {}", tap.tap_id.0);
        }
        let now = simulate::closed_at(&RULES, plan.day);
        let outcome = simulate::outcome(&RULES, &mut office, plan.day, now, uploads).unwrap();
        if let Err(e) = outcome.check_taps(&RULES, &taps) {
            return Err(TestCaseError::fail(e));
        }
        prop_assert_eq!(&views[1], &outcome.view);
    }
}
