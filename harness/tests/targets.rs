//! The whole suite three ways — in-process, over HTTP against `ovcert serve`, and against the
//! reference image in a container — with the same verdict and the same scenario count.

mod support;

use support::{Server, run_suite, scratch};

#[test]
fn the_suite_passes_in_process_and_over_http_with_the_same_count() {
    let in_process = run_suite("in-process", &scratch("target-in-process"));
    let server = Server::start(&[]);
    let http = run_suite(&server.target(), &scratch("target-http"));
    for (name, run) in [("in-process", &in_process), ("http", &http)] {
        let (passed, total) = run.scenario_counts();
        println!(
            "{name}: {passed} of {total} scenarios passed in {:.1} s",
            run.wall.as_secs_f64()
        );
        assert_eq!(run.exit_code, 0, "{name} run failed:\n{}", run.stdout);
        assert_eq!(passed, total);
    }
    assert_eq!(in_process.scenario_counts(), http.scenario_counts());
    assert_eq!(
        in_process.traceability, http.traceability,
        "both targets must pass the same scenarios for every rule"
    );
}
