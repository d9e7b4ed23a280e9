//! Runs the whole Gherkin suite against the embedded reference as a cargo test; fails on any
//! failed or skipped scenario and when any rule of the catalogue lacks a passing scenario.

use std::sync::Arc;

use ovcert::runner::{self, RunOptions};
use ovcert::sut::Target;

fn main() {
    let options = RunOptions::whole_suite(
        Target::InProcess,
        Arc::new(ovcert_reference::rules::nl_2024()),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let report = runtime
        .block_on(runner::run(&options))
        .unwrap_or_else(|e| panic!("{e:#}"));
    print!("{}{}", report.failures(), report.summary());
    assert!(
        report.passed(),
        "the suite failed against the reference: {} scenarios",
        report.scenarios.len()
    );
    let trace = report.traceability();
    let uncovered: Vec<&String> = trace
        .rules
        .iter()
        .filter(|(_, counts)| !counts.is_covered())
        .map(|(id, _)| id)
        .collect();
    assert!(
        uncovered.is_empty(),
        "rules without a passing scenario: {uncovered:?}"
    );
}
