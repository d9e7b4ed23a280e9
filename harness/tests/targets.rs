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

/// Sensitivity over the wire: the suite against `ovcert serve --fault NAME` fails for every
/// fault, with a failed scenario tagged with one of the fault's rule IDs.
#[test]
fn every_fault_served_over_http_is_caught_under_its_rule_ids() {
    use ovcert::faults::Fault;
    use std::sync::Mutex;

    let pending = Mutex::new(Fault::all().to_vec());
    let caught = Mutex::new(Vec::new());
    // Two at a time: a run is a client and a server process, mostly waiting on each other.
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some(fault) = pending.lock().unwrap().pop() {
                    let server = Server::start(&["--fault", fault.name()]);
                    let run = run_suite(&server.target(), &scratch(&format!("fault-{fault}")));
                    drop(server);
                    caught.lock().unwrap().push((fault, run));
                }
            });
        }
    });
    let mut caught = caught.into_inner().unwrap();
    caught.sort_by_key(|(fault, _)| fault.name());
    let mut missed = Vec::new();
    for (fault, run) in &caught {
        let (passed, total) = run.scenario_counts();
        let failed = run.failed_rules();
        let own: Vec<&str> = fault
            .rule_ids()
            .iter()
            .copied()
            .filter(|id| failed.iter().any(|f| f == id))
            .collect();
        println!(
            "{fault}: exit {}, {} of {total} scenarios failed in {:.1} s; failing rules {failed:?}; the fault's own: {own:?}",
            run.exit_code,
            total - passed,
            run.wall.as_secs_f64()
        );
        if run.exit_code != 1 || own.is_empty() {
            missed.push(fault.name());
        }
    }
    assert_eq!(caught.len(), Fault::all().len());
    assert!(
        missed.is_empty(),
        "faults not caught under their rule IDs: {missed:?}"
    );
}
