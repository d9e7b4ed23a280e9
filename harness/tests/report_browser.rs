//! The HTML report in a real browser: the whole suite runs in process against the reference
//! with the `transfer-window-40` fault, the report of that failing run is written, and
//! headless Chromium (Debian's `chromium`, installed by `harness/tests/browser/install-chromium.sh`)
//! parses it (`--dump-dom`) and draws it (`--screenshot`). The DOM must show the verdict FAIL,
//! a row per catalogue rule, and failed scenarios with a timeline of taps and journeys; the
//! screenshot must be a picture of some size. Its path is printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ovcert::evidence::report::{ReportInput, render_html};
use ovcert::faults::{self, Fault};
use ovcert::runner::{self, RunOptions, RunReport, SutSource};
use ovcert::sut::Target;
use ovcert::traceability::Outcome;

/// How long one Chromium invocation may take before the test gives up on it.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(180);
/// A 1280×2400 screenshot of the report is well above this; a blank page is far below.
const SCREENSHOT_MIN_BYTES: u64 = 60 * 1024;

#[test]
fn the_report_of_a_faulty_run_reads_in_chromium() {
    let chromium = chromium();
    let dir = scratch("report_browser");

    let started = Instant::now();
    let report = faulty_run();
    let failed: Vec<_> = report
        .scenarios
        .iter()
        .filter(|s| s.outcome == Outcome::Failed)
        .collect();
    assert!(
        !failed.is_empty(),
        "the suite passed against the transfer-window-40 fault"
    );
    assert!(
        failed.iter().all(|s| s.timeline.is_some()),
        "a failed scenario has no timeline"
    );
    println!(
        "suite run with transfer-window-40: {} scenarios, {} failed, {:.1} s",
        report.scenarios.len(),
        failed.len(),
        started.elapsed().as_secs_f64()
    );

    let input = ReportInput {
        title: Some("ovcert report: the reference with the transfer-window-40 fault"),
        started: Some("2024-06-12 09:00:00 CEST".to_owned()),
        finished: Some("2024-06-12 09:01:00 CEST".to_owned()),
        ..ReportInput::new(&report)
    };
    let html = render_html(&input);
    assert_eq!(html, render_html(&input), "the report is not deterministic");
    // Works offline: nothing is fetched — no scripts, stylesheets, fonts or images elsewhere.
    for fetch in [
        "<script",
        "<link",
        "@import",
        "url(",
        "src=\"http",
        "src=\"//",
        "href=\"http",
        "href=\"//",
    ] {
        assert!(
            !html.contains(fetch),
            "the report fetches something: `{fetch}`"
        );
    }
    let page = dir.join("report.html");
    std::fs::write(&page, &html).expect("writing report.html");
    let url = format!("file://{}", page.display());

    // The DOM as Chromium parsed it.
    let dom = run_chromium(
        &chromium,
        &dir,
        "dump",
        &["--dump-dom".to_owned(), url.clone()],
    );
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    std::fs::write(dir.join("dom.html"), &dom).expect("writing dom.html");
    check_dom(&dom, &report);

    // The picture.
    let png = dir.join("report.png");
    let _ = std::fs::remove_file(&png);
    run_chromium(
        &chromium,
        &dir,
        "screenshot",
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2400".to_owned(),
            "--hide-scrollbars".to_owned(),
            url,
        ],
    );
    let bytes = std::fs::read(&png)
        .unwrap_or_else(|e| panic!("chromium wrote no screenshot {}: {e}", png.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        png.display()
    );
    assert!(
        bytes.len() as u64 > SCREENSHOT_MIN_BYTES,
        "the screenshot {} has only {} bytes: an empty page?",
        png.display(),
        bytes.len()
    );
    println!("report: {}", page.display());
    println!("screenshot: {} ({} bytes)", png.display(), bytes.len());
}

/// The whole suite in process against the reference with a 40-minute transfer window.
fn faulty_run() -> RunReport {
    let options = RunOptions::whole_suite(
        Target::InProcess,
        Arc::new(ovcert_reference::rules::nl_2024()),
    );
    let source = SutSource {
        factory: faults::factory(Arc::clone(&options.rules), vec![Fault::TransferWindow40]),
        shared: false,
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(runner::run_with(&options, source))
        .unwrap_or_else(|e| panic!("{e:#}"))
}

fn check_dom(dom: &str, report: &RunReport) {
    let verdict = element_text(dom, "id=\"verdict\"", "</div>").unwrap_or_else(|| {
        panic!("no element with id=\"verdict\" in the DOM Chromium built:\n{dom:.2000}")
    });
    assert_eq!(verdict.trim(), "FAIL", "the verdict");
    for id in ["summary", "matrix", "failures"] {
        assert!(dom.contains(&format!("id=\"{id}\"")), "no id=\"{id}\"");
    }
    let rows = dom.matches("<tr id=\"rule-").count();
    assert_eq!(
        rows,
        report.catalogue.len(),
        "one matrix row per catalogue rule"
    );
    let jrn01 = element_text(dom, "id=\"rule-JRN-01\"", "</tr>").expect("a row for JRN-01");
    assert!(jrn01.contains("FAIL"), "JRN-01's row: {jrn01:.500}");

    let failed = report
        .scenarios
        .iter()
        .filter(|s| s.outcome == Outcome::Failed)
        .count();
    let articles: Vec<&str> = dom.split("class=\"failed-scenario\"").skip(1).collect();
    assert_eq!(
        articles.len(),
        failed,
        "one failed-scenario per failed scenario"
    );
    // Every failed scenario shows a timeline; at least one of them has taps and journeys.
    for article in &articles {
        let article = article.split("</article>").next().unwrap_or_default();
        assert!(
            article.contains("<svg class=\"timeline\""),
            "a failed scenario without a timeline: {article:.600}"
        );
    }
    let drawn = articles.iter().any(|a| {
        let a = a.split("</article>").next().unwrap_or_default();
        a.contains("class=\"tap tap-check-in\"")
            && a.contains("class=\"tap tap-check-out\"")
            && a.contains("<g class=\"journey\"")
    });
    assert!(
        drawn,
        "no failed scenario's timeline shows check-ins, check-outs and journeys"
    );
    assert!(
        dom.contains("expected (right)") && dom.contains("observed (left)"),
        "no expected-versus-observed comparison"
    );
}

/// The text of the first element whose start tag contains `attribute`, up to `close` (its
/// end tag; the elements asked for hold no element of their own kind).
fn element_text(dom: &str, attribute: &str, close: &str) -> Option<String> {
    let at = dom.find(attribute)?;
    let start = at + dom[at..].find('>')? + 1;
    let end = start + dom[start..].find(close)?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in dom[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text)
}

/// Chromium on this machine: `OVCERT_CHROMIUM`, else `chromium` on the PATH.
fn chromium() -> PathBuf {
    let candidates: Vec<PathBuf> = match std::env::var_os("OVCERT_CHROMIUM") {
        Some(path) => vec![PathBuf::from(path)],
        None => std::env::var_os("PATH")
            .map(|paths| {
                std::env::split_paths(&paths)
                    .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
                    .collect()
            })
            .unwrap_or_default(),
    };
    candidates
        .into_iter()
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!(
                "chromium is not installed: this test opens the HTML report in headless \
                 Chromium. Install it with harness/tests/browser/install-chromium.sh (Debian's \
                 `apt-get install -y chromium`, as root), or point OVCERT_CHROMIUM at a \
                 Chromium binary"
            )
        })
}

/// Runs headless Chromium with a fresh profile; fails the test on an error exit or when it
/// takes longer than [`CHROMIUM_TIMEOUT`].
fn run_chromium(chromium: &Path, dir: &Path, what: &str, args: &[String]) -> std::process::Output {
    let profile = dir.join(format!("profile-{what}"));
    let _ = std::fs::remove_dir_all(&profile);
    let stdout_path = dir.join(format!("chromium-{what}.out"));
    let stderr_path = dir.join(format!("chromium-{what}.err"));
    let stdout = std::fs::File::create(&stdout_path).expect("creating chromium's stdout file");
    let stderr = std::fs::File::create(&stderr_path).expect("creating chromium's stderr file");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", chromium.display()));
    let deadline = Instant::now() + CHROMIUM_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for chromium") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium ({what}) did not finish within {} s; its log: {}",
                CHROMIUM_TIMEOUT.as_secs(),
                stderr_path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = std::process::Output {
        status,
        stdout: std::fs::read(&stdout_path).unwrap_or_default(),
        stderr: std::fs::read(&stderr_path).unwrap_or_default(),
    };
    assert!(
        status.success(),
        "chromium ({what}) failed with {status}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A fresh directory under cargo's temporary directory for integration tests.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a scratch directory");
    dir
}
