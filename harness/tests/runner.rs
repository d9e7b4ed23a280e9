//! The runner must fail a run on a failed or skipped (undefined) scenario, count both in the
//! traceability, and select by role and tag expression.

use std::path::PathBuf;
use std::sync::Arc;

use ovcert::runner::{self, RunOptions, RunReport};
use ovcert::sut::Target;
use ovcert::traceability::RuleCounts;

/// Writes `files` into a fresh features directory under the target dir.
fn features(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

fn run(dir: PathBuf, role: Option<&str>, tags: Option<&str>) -> RunReport {
    let options = RunOptions {
        target: Target::InProcess,
        role: role.map(str::to_string),
        tags: tags.map(str::to_string),
        features: dir,
        ..RunOptions::whole_suite(
            Target::InProcess,
            Arc::new(ovcert_reference::rules::nl_2024()),
        )
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(runner::run(&options))
        .unwrap()
}

const PASSING: &str = r#"Feature: passing
  @CARD-03 @role:seller
  Scenario: balance stays
    Given it is 2024-06-12 08:00
    And an anonymous card "A"
    And card "A" has a balance of €10.00
    Then card "A" has a balance of €10.00
"#;

#[test]
fn a_wrong_expectation_fails_the_run_and_is_counted() {
    let failing = PASSING.replace(
        "Then card \"A\" has a balance of €10.00",
        "Then card \"A\" has a balance of €10.01",
    );
    let report = run(features("failing", &[("f.feature", &failing)]), None, None);
    // The failure says where and why.
    let failures = report.failures();
    assert!(
        failures.contains("f.feature:") && failures.contains("1001"),
        "{failures}"
    );
    assert!(!report.passed());
    assert_eq!(
        report.traceability().rules["CARD-03"],
        RuleCounts {
            scenarios: 1,
            passed: 0,
            failed: 1,
            skipped: 0
        }
    );
}

#[test]
fn an_undefined_step_is_skipped_and_fails_the_run() {
    let undefined = PASSING.replace("Then card \"A\" has", "Then card \"A\" mysteriously has");
    let report = run(
        features("undefined", &[("f.feature", &undefined)]),
        None,
        None,
    );
    assert!(report.execution_failed, "fail_on_skipped must fail the run");
    assert!(!report.passed());
    assert_eq!(
        report.traceability().rules["CARD-03"],
        RuleCounts {
            scenarios: 1,
            passed: 0,
            failed: 0,
            skipped: 1
        }
    );
}

#[test]
fn role_and_tags_select_and_an_empty_selection_does_not_pass() {
    let dir = features("selection", &[("f.feature", PASSING)]);
    assert!(run(dir.clone(), None, None).passed());
    assert!(run(dir.clone(), Some("seller"), Some("@CARD-03")).passed());
    let none = run(dir.clone(), Some("reader"), None);
    assert!(
        none.scenarios.is_empty() && !none.passed(),
        "nothing selected is not a pass"
    );
    let none = run(dir, None, Some("not @CARD-03"));
    assert!(none.scenarios.is_empty() && !none.passed());
}

/// What certification plans equals what a run executes, outlines and roles included.
#[test]
fn planned_scenarios_match_an_executed_run() {
    let features = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../features");
    for role in [None, Some("seller"), Some("service-provider")] {
        let planned = runner::planned_scenarios(&features, role, None).unwrap();
        let report = run(features.clone(), role, None);
        assert_eq!(
            planned.len(),
            report.scenarios.len(),
            "role {role:?}: planned and executed differ"
        );
    }
    let without =
        runner::planned_scenarios(&features, None, Some("not @capability:auto-reload")).unwrap();
    let all = runner::planned_scenarios(&features, None, None).unwrap();
    assert!(without.len() < all.len());
}
