//! Shared by the property tests: every random choice comes from a fixed seed that a run
//! prints and `OVCERT_PROPTEST_SEED` overrides, so any failure reproduces.

use proptest::prelude::ProptestConfig;
use proptest::test_runner::RngSeed;

/// A proptest configuration with `cases` cases from `default_seed` (or the environment's).
pub fn seeded(cases: u32, default_seed: u64) -> ProptestConfig {
    let seed = std::env::var("OVCERT_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_seed);
    println!("proptest seed {seed} (set OVCERT_PROPTEST_SEED to change)");
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
