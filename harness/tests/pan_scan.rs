//! No PAN leaves the server (EMV-01, EMV-17): bank cards travel through `ovcert serve` (with
//! API keys), a certification runs against it, and bad requests carrying PANs are sent; then
//! every output is scanned for the PANs used — the answers (reports, settlement, payment
//! accounts, observations), every problem document, the server's stdout and stderr, the
//! certification's output and every file of its evidence folder — with the digits in a row
//! and with separators. After 24 hours the server holds no PAN data.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{OVCERT, ovcert, scratch};

/// PANs this test presents itself: 13, 16 and 19 digits.
const OWN_PANS: [&str; 3] = ["4929000000006", "5555341244441115", "6011000990139424123"];

/// Every PAN the suite's steps can make: "5413" and the last 12 digits of the scenario's
/// card number (`steps/card.rs`, `world.rs`).
fn suite_pans() -> Vec<String> {
    (1..=999u64)
        .map(|serial| {
            format!(
                "5413{:012}",
                (3528_0100_0000_0000 + serial) % 1_000_000_000_000
            )
        })
        .collect()
}

/// The runs of at least 13 digits in `text`, also where single separators (space, hyphen,
/// dot, underscore, slash) split them: "5413 0100 …" and "5413-0100-…" read as one run.
fn digit_runs(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut runs = Vec::new();
    let mut run = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        let joins = matches!(c, ' ' | '-' | '.' | '_' | '/')
            && !run.is_empty()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if !joins {
            if run.len() >= 13 {
                runs.push(std::mem::take(&mut run));
            }
            run.clear();
        }
    }
    if run.len() >= 13 {
        runs.push(run);
    }
    runs
}

/// The PANs of `pans` that occur in `text`, in a row or with separators.
fn pans_in<'p>(text: &str, pans: &'p [String]) -> Vec<&'p str> {
    let runs = digit_runs(text);
    pans.iter()
        .filter(|pan| runs.iter().any(|run| run.contains(pan.as_str())))
        .map(String::as_str)
        .collect()
}

/// An `ovcert serve` whose stdout and stderr go to files.
struct LoggedServer {
    child: Child,
    base_url: String,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl LoggedServer {
    fn start(dir: &Path, args: &[&str]) -> LoggedServer {
        let stdout = dir.join("serve.stdout");
        let stderr = dir.join("serve.stderr");
        let child = Command::new(OVCERT)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("starting ovcert serve");
        let deadline = Instant::now() + Duration::from_secs(20);
        let base_url = loop {
            let text = std::fs::read_to_string(&stdout).unwrap_or_default();
            if let Some(url) = text
                .lines()
                .find_map(|line| line.strip_prefix("ovcert serve: listening on "))
            {
                break url.trim().to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "ovcert serve did not start: {}",
                std::fs::read_to_string(&stderr).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        LoggedServer {
            child,
            base_url,
            stdout,
            stderr,
        }
    }

    /// Stops the server with SIGTERM; its stdout and stderr.
    fn stop(mut self) -> (String, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        (
            std::fs::read_to_string(&self.stdout).unwrap(),
            std::fs::read_to_string(&self.stderr).unwrap(),
        )
    }
}

impl Drop for LoggedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Mints a key with `ovcert api-key`: (key file entry, key).
fn mint(participant: &str, role: &str, operator: Option<&str>) -> (String, String) {
    let mut args = vec!["api-key", "--participant", participant, "--role", role];
    if let Some(operator) = operator {
        args.extend(["--operator", operator]);
    }
    let minted = ovcert(&args);
    assert_eq!(minted.code, 0, "{}", minted.stderr);
    let key = minted.stderr.trim().rsplit(' ').next().unwrap().to_owned();
    (minted.stdout, key)
}

/// Every text a call produced, for the scan.
struct Outputs(Vec<(String, String)>);

impl Outputs {
    fn add(&mut self, source: impl Into<String>, text: impl Into<String>) {
        self.0.push((source.into(), text.into()));
    }

    fn add_files(&mut self, dir: &Path) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                self.add_files(&path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                self.add(path.display().to_string(), String::from_utf8_lossy(&bytes));
            }
        }
    }

    fn bytes(&self) -> usize {
        self.0.iter().map(|(_, text)| text.len()).sum()
    }
}

/// A raw call: (status, body).
async fn post(
    base: &str,
    path: &str,
    key: &str,
    content_type: &str,
    body: String,
) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", content_type)
        .bearer_auth(key)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn reader(operator: &str, station: &str) -> Value {
    let rules = ovcert_reference::rules::nl_2024();
    let station = rules.station_by_name(station).unwrap().id.clone();
    json!({ "operator": operator, "mode": "train", "station": station, "device": 3, "device_kind": "pole" })
}

fn card(pan: &str) -> Value {
    json!({ "pan": pan, "pan_sequence": 1, "expiry": "2912" })
}

/// Bank cards with `OWN_PANS` travel with NS, the day is reported and settled, and every
/// answer is kept; then bad requests carrying the PANs, each answer kept.
async fn travel_and_misuse(base: &str, lab: &str, ns: &str, outputs: &mut Outputs) {
    let ok = |name: &str, (status, body): (u16, String), outputs: &mut Outputs| {
        assert_eq!(status, 200, "{name}: {body}");
        outputs.add(name, body);
    };
    let json = "application/json";
    ok(
        "reset",
        post(base, "/test/v1/reset", lab, json, "{}".into()).await,
        outputs,
    );
    for (hour, station) in [("09", "Amsterdam Centraal"), ("10", "Utrecht Centraal")] {
        let now = json!({ "now": format!("2024-06-12T{hour}:00:00+02:00") }).to_string();
        ok(
            "clock",
            post(base, "/test/v1/clock", lab, json, now).await,
            outputs,
        );
        for pan in OWN_PANS {
            let tap = json!({ "reader": reader("NS", station), "presented": [{ "type": "emv", "card": card(pan) }] });
            ok(
                "tap",
                post(base, "/v1/readers/tap", ns, json, tap.to_string()).await,
                outputs,
            );
        }
    }
    // 23:59:59 after the last tap the PAN data are still held (EMV-17), the day is closed.
    let held = pans_held_at(base, lab, "2024-06-13T09:59:59+02:00", outputs).await;
    assert_eq!(held, "3", "three bank cards' PAN data held");
    let report = json!({ "operator": "NS", "day": "2024-06-12" }).to_string();
    ok(
        "operator report",
        post(base, "/v1/backoffice/operator-report", ns, json, report).await,
        outputs,
    );
    let day = json!({ "day": "2024-06-12" }).to_string();
    ok(
        "settlement",
        post(base, "/v1/backoffice/settle", lab, json, day).await,
        outputs,
    );
    ok(
        "received taps",
        post(
            base,
            "/test/v1/backoffice/received-taps",
            lab,
            json,
            "{}".into(),
        )
        .await,
        outputs,
    );
    for pan in OWN_PANS {
        let body = json!({ "card": card(pan) }).to_string();
        ok(
            "payment account",
            post(base, "/v1/ovpay/payment-account", lab, json, body.clone()).await,
            outputs,
        );
        ok(
            "bank requests",
            post(base, "/test/v1/bank/requests", lab, json, body).await,
            outputs,
        );
        let journeys =
            json!({ "card": { "type": "emv", "pan": pan, "pan_sequence": 1, "expiry": "2912" } });
        let (status, body) = post(
            base,
            "/test/v1/backoffice/journeys",
            lab,
            json,
            journeys.to_string(),
        )
        .await;
        outputs.add(format!("journeys ({status})"), body);
    }

    // Bad requests carrying the PANs: every answer is a problem that must not repeat them.
    for pan in OWN_PANS {
        let spaced: String = pan
            .chars()
            .enumerate()
            .flat_map(|(i, c)| (i > 0 && i % 4 == 0).then_some(' ').into_iter().chain([c]))
            .collect();
        let path = format!("/v1/cards/{pan}");
        let media = format!("text/{pan}");
        let cases: Vec<(&str, &str, &str, &str, String)> = vec![
            ("PAN as a number", "/v1/ovpay/payment-account", lab, json, format!("{{\"card\":{{\"pan\":{pan},\"pan_sequence\":1,\"expiry\":\"2912\"}}}}")),
            ("PAN in an unknown field", "/v1/ovpay/payment-account", lab, json, json!({ "card": card(pan), "cvc": pan }).to_string()),
            ("PAN with spaces", "/v1/ovpay/payment-account", lab, json, json!({ "card": card(&spaced) }).to_string()),
            ("PAN too long", "/v1/readers/tap", ns, json, json!({ "reader": reader("NS", "Dam"), "presented": [{ "type": "emv", "card": card(&format!("{pan}9999999")) }] }).to_string()),
            ("PAN as a reference", "/v1/ovpay/service-lookup", ns, json, json!({ "reference": pan, "amount": 856 }).to_string()),
            ("PAN as the amount", "/v1/ovpay/service-lookup", ns, json, format!("{{\"reference\":\"NLOV0000000000\",\"amount\":{pan}}}")),
            ("PAN as an operator", "/v1/backoffice/operator-report", ns, json, json!({ "operator": spaced, "day": "2024-06-12" }).to_string()),
            ("PAN as an operator (lab)", "/v1/backoffice/operator-report", lab, json, json!({ "operator": pan, "day": "2024-06-12" }).to_string()),
            ("PAN as the key", "/v1/ovpay/deny-list-version", pan, json, "{}".into()),
            ("PAN as the key, spaced", "/v1/ovpay/deny-list-version", &spaced, json, "{}".into()),
            ("PAN in the path", &path, lab, json, "{}".into()),
            ("PAN as the media type", "/v1/ovpay/payment-account", lab, &media, pan.into()),
            ("PAN in a truncated body", "/v1/ovpay/payment-account", lab, json, format!("{{\"card\":{{\"pan\":\"{pan}")),
        ];
        for (what, path, key, content_type, body) in cases {
            let (status, answer) = post(base, path, key, content_type, body).await;
            assert!(status < 500, "{what}: {status} {answer}");
            outputs.add(format!("{what} ({status})"), answer);
        }
    }

    // EMV-17: 24 hours after the last tap the server holds no PAN data.
    let held = pans_held_at(base, lab, "2024-06-13T10:00:00+02:00", outputs).await;
    assert_eq!(held, "0", "EMV-17: PAN data purged after 24 h");
}

/// Sets the clock to `now` and answers how many cards' PAN data the server holds then.
async fn pans_held_at(base: &str, lab: &str, now: &str, outputs: &mut Outputs) -> String {
    let json = "application/json";
    let clock = json!({ "now": now }).to_string();
    let (status, answer) = post(base, "/test/v1/clock", lab, json, clock).await;
    assert_eq!(status, 200, "clock: {answer}");
    outputs.add("clock", answer);
    let (status, held) = post(
        base,
        "/test/v1/backoffice/pans-held",
        lab,
        json,
        "{}".into(),
    )
    .await;
    assert_eq!(status, 200, "pans held: {held}");
    held
}

#[test]
fn no_output_contains_a_pan_the_server_was_given() {
    let dir = scratch("pan-scan");
    let (lab_entry, lab) = mint("lab", "test-lab", None);
    let (ns_entry, ns) = mint("ns-dev", "service-provider", Some("NS"));
    let keys = dir.join("keys.toml");
    std::fs::write(&keys, format!("{lab_entry}\n{ns_entry}")).unwrap();
    let server = LoggedServer::start(&dir, &["--test-controls", "--keys", keys.to_str().unwrap()]);

    let mut outputs = Outputs(Vec::new());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(travel_and_misuse(&server.base_url, &lab, &ns, &mut outputs));

    // A certification of the service provider's profile (bank cards, tokens, reports,
    // settlement, service lookups) through the same server, with the lab's key.
    let signing = dir.join("signing.key");
    assert_eq!(
        ovcert(&["keygen", "--out", signing.to_str().unwrap()]).code,
        0
    );
    let evidence = dir.join("evidence");
    let certify = Command::new(OVCERT)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .args([
            "certify",
            "--role",
            "service-provider",
            "--target",
            &server.base_url,
        ])
        .args([
            "--key",
            signing.to_str().unwrap(),
            "--out",
            evidence.to_str().unwrap(),
        ])
        .env("OVCERT_API_KEY", &lab)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let certify_stdout = String::from_utf8_lossy(&certify.stdout).into_owned();
    assert_eq!(
        certify.status.code(),
        Some(0),
        "{certify_stdout}\n{}",
        String::from_utf8_lossy(&certify.stderr)
    );
    outputs.add("certify stdout", certify_stdout);
    outputs.add("certify stderr", String::from_utf8_lossy(&certify.stderr));
    outputs.add_files(&evidence);

    let (stdout, stderr) = server.stop();
    assert!(stderr.contains("API keys required"), "{stderr}");
    outputs.add("serve stdout", stdout);
    outputs.add("serve stderr", stderr);

    // The scan sees what it should: the evidence is all there, bank cards were used (masked
    // to their last four digits in requests.log), and the scanner finds a PAN when there is one.
    for file in [
        "requests.log",
        "cucumber.json",
        "report.html",
        "junit.xml",
        "traceability.json",
        "manifest.json",
    ] {
        assert!(
            outputs
                .0
                .iter()
                .any(|(source, text)| source.ends_with(file) && !text.is_empty()),
            "no {file} to scan"
        );
    }
    let requests_log = &outputs
        .0
        .iter()
        .find(|(s, _)| s.ends_with("requests.log"))
        .unwrap()
        .1;
    let pans: Vec<String> = suite_pans()
        .into_iter()
        .chain(OWN_PANS.map(String::from))
        .collect();
    let used: Vec<&String> = pans
        .iter()
        .filter(|pan| {
            requests_log.contains(&format!(
                "{}{}",
                "*".repeat(pan.len() - 4),
                &pan[pan.len() - 4..]
            ))
        })
        .collect();
    assert!(
        !used.is_empty(),
        "requests.log shows no bank card: nothing to look for"
    );
    assert!(
        outputs.bytes() > 1_000_000,
        "only {} bytes scanned",
        outputs.bytes()
    );
    assert_eq!(
        pans_in("card 4929 0000 0000 6 refused", &pans),
        ["4929000000006"]
    );
    assert_eq!(
        pans_in("card 5413-0100-0000-0001", &pans),
        ["5413010000000001"]
    );

    let leaks: Vec<String> = outputs
        .0
        .iter()
        .flat_map(|(source, text)| {
            pans_in(text, &pans)
                .into_iter()
                .map(move |pan| format!("{source}: {pan}"))
        })
        .collect();
    println!(
        "scanned {} outputs, {} bytes, for {} PANs ({} seen masked in requests.log)",
        outputs.0.len(),
        outputs.bytes(),
        pans.len(),
        used.len()
    );
    assert!(
        leaks.is_empty(),
        "PANs in the outputs:\n{}",
        leaks.join("\n")
    );
}
