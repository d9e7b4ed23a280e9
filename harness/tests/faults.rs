//! Sensitivity of the suite: against the reference with an injected fault (`ovcert::faults`)
//! the whole suite must fail, and fail in at least one scenario tagged with a rule the fault
//! breaks; against the same system without faults it must pass. A fault nothing catches is a
//! gap in the suite.
//!
//! One process, one run after the other: the runner installs a global suite per run.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use ovcert::faults::{self, Fault};
use ovcert::runner::{self, RunOptions, RunReport, SutSource};
use ovcert::sut::Target;
use ovcert::traceability::Outcome;

fn main() {
    let options = RunOptions::whole_suite(
        Target::InProcess,
        Arc::new(ovcert_reference::rules::nl_2024()),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let run = |options: &RunOptions, faults: &[Fault], shared: bool| -> RunReport {
        let source = SutSource {
            factory: faults::factory(Arc::clone(&options.rules), faults.to_vec()),
            shared,
        };
        runtime
            .block_on(runner::run_with(options, source))
            .unwrap_or_else(|e| panic!("{e:#}"))
    };
    let catalogue = ovcert::catalogue::rules();
    let started = Instant::now();

    // Control: the decorator's way in, with nothing injected, is the reference.
    let control = run(&options, &[], false);
    assert!(
        control.passed(),
        "the suite fails the system without faults:\n{}",
        control.failures()
    );

    let mut missed = Vec::new();
    for &fault in Fault::all() {
        let report = run(&options, &[fault], false);
        let failed: Vec<_> = report
            .scenarios
            .iter()
            .filter(|s| s.outcome == Outcome::Failed)
            .collect();
        let failed_ids: BTreeSet<&str> =
            failed.iter().flat_map(|s| s.rule_ids(&catalogue)).collect();
        let under_fault_ids = failed
            .iter()
            .filter(|s| {
                s.tags
                    .iter()
                    .any(|t| fault.rule_ids().contains(&t.as_str()))
            })
            .count();
        println!(
            "{fault}: {} failed scenarios, {under_fault_ids} tagged {}; failing rule IDs: {}",
            failed.len(),
            fault.rule_ids().join("/"),
            failed_ids.into_iter().collect::<Vec<_>>().join(" ")
        );
        if report.passed() || failed.is_empty() {
            missed.push(format!(
                "{fault}: the suite passed ({})",
                fault.description()
            ));
        } else if under_fault_ids == 0 {
            missed.push(format!(
                "{fault}: no failed scenario is tagged {:?}; failures:\n{}",
                fault.rule_ids(),
                report.failures()
            ));
        }
    }

    // A shared target is reset before every scenario: faults of both injections must survive
    // the reset. Only the scenarios of their rules, to keep the one-at-a-time run short.
    let kept = [Fault::TransferWindow40, Fault::BlockKeptAfterRetry];
    let selected = RunOptions {
        tags: Some("@JRN-01 or @EMV-13".into()),
        ..options.clone()
    };
    let report = run(&selected, &kept, true);
    for fault in kept {
        let caught = report.scenarios.iter().any(|s| {
            s.outcome == Outcome::Failed
                && s.tags
                    .iter()
                    .any(|t| fault.rule_ids().contains(&t.as_str()))
        });
        if !caught {
            missed.push(format!("{fault}: lost when a shared system is reset"));
        }
    }

    println!(
        "{} faulty runs, the control run and the reset run in {:.1} s",
        Fault::all().len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        missed.is_empty(),
        "faults the suite does not catch under their rules:\n{}",
        missed.join("\n")
    );
}
