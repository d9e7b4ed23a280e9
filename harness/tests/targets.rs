//! The whole suite three ways — in-process, over HTTP against `ovcert serve`, and against the
//! reference image in a container — with the same verdict and the same scenario count.

mod support;

use support::{Server, run_suite, scratch};

/// The reference image (`docker/build-image.sh`; `OVCERT_IMAGE` names another).
fn image() -> String {
    std::env::var("OVCERT_IMAGE").unwrap_or_else(|_| "ovcert-reference:dev".to_owned())
}

#[test]
fn the_suite_passes_the_same_in_process_over_http_and_in_a_container() {
    let in_process = run_suite("in-process", &scratch("target-in-process"));
    let server = Server::start(&[]);
    let http = run_suite(&server.target(), &scratch("target-http"));
    drop(server);
    let container = run_suite(&format!("image:{}", image()), &scratch("target-image"));
    for (name, run) in [
        ("in-process", &in_process),
        ("http", &http),
        ("container", &container),
    ] {
        let (passed, total) = run.scenario_counts();
        println!(
            "{name}: {passed} of {total} scenarios passed in {:.1} s ({})",
            run.wall.as_secs_f64(),
            run.target_line()
        );
        assert_eq!(run.exit_code, 0, "{name} run failed:\n{}", run.stdout);
        assert_eq!(passed, total);
    }
    for other in [&http, &container] {
        assert_eq!(in_process.scenario_counts(), other.scenario_counts());
        assert_eq!(
            in_process.traceability, other.traceability,
            "every target must pass the same scenarios for every rule"
        );
    }
    assert!(
        container.target_line().contains("sha256:"),
        "a container run names the image it ran: {}",
        container.target_line()
    );
}

/// Sensitivity inside a container: the image started with a fault is caught like the server.
#[test]
fn a_fault_inside_the_container_is_caught_under_its_rule_id() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let args: Vec<String> = ["--test-controls", "--fault", "no-anti-passback"]
        .map(String::from)
        .to_vec();
    let container = runtime
        .block_on(ovcert::sut::container::Container::start(&image(), &args))
        .unwrap_or_else(|e| panic!("{e} (needs docker/engine.sh and docker/build-image.sh)"));
    let run = run_suite(container.base_url(), &scratch("fault-in-container"));
    drop(container);
    let (passed, total) = run.scenario_counts();
    println!(
        "no-anti-passback in a container: {} of {total} failed; failing rules {:?}",
        total - passed,
        run.failed_rules()
    );
    assert_eq!(run.exit_code, 1, "{}", run.stdout);
    assert!(
        run.target_line()
            .contains("injected faults: no-anti-passback")
    );
    assert!(run.failed_rules().contains(&"TAP-03".to_owned()));
}

#[test]
fn the_server_stops_gracefully_on_sigterm() {
    let server = Server::start(&[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let ready = runtime.block_on(async {
        reqwest::get(format!("{}/ready", server.base_url))
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(
        ready.ok(),
        Some(200),
        "the server answers before it is stopped"
    );
    let status = server.terminate();
    assert!(status.success(), "SIGTERM ended ovcert serve with {status}");
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

#[test]
fn without_a_docker_engine_the_image_target_says_so() {
    let output = std::process::Command::new(support::OVCERT)
        .args(["run", "--target", "image:ovcert-reference:dev"])
        .env("DOCKER_HOST", "unix:///nonexistent/ovcert-no-engine.sock")
        .output()
        .expect("running ovcert");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no Docker engine reachable"), "{stderr}");
    assert!(stderr.contains("docker/engine.sh"), "{stderr}");
}
