//! The participant API as a client sees it: answers, problem details for every kind of bad
//! request (never a 5xx, never an echoed card number), test controls only when enabled, and
//! the served OpenAPI document.

use std::sync::Arc;

use ovcert::api::openapi;
use ovcert::server::clock::ClockSource;
use ovcert::server::{ServerConfig, router, serve};
use ovcert::sut::InProcess;
use ovcert_reference::stream::Record;
use ovcert_reference::synth::{Generator, SynthConfig};
use ovcert_reference::tap::TapMessage;
use serde_json::{Value, json};

const PAN: &str = "5412751234567890";

/// A server of the reference on a free loopback port; answers its base URL.
async fn start(test_controls: bool) -> String {
    start_with_clock(test_controls, ClockSource::Test).await
}

async fn start_with_clock(test_controls: bool, clock: ClockSource) -> String {
    let rules = Arc::new(ovcert_reference::rules::nl_2024());
    let app = router(ServerConfig {
        system: Box::new(InProcess::new(rules)),
        identity: "reference under test".into(),
        test_controls,
        without: vec![],
        access: ovcert::server::auth::Access::Open,
        journal: None,
        clock,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app));
    format!("http://{address}")
}

async fn post(
    base: &str,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, String, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    let value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}"));
    (status, media, value)
}

fn assert_problem(status: u16, media: &str, body: &Value, expected: u16, kind: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(media, "application/problem+json");
    assert_eq!(body["status"], expected);
    assert_eq!(body["type"], format!("urn:ovcert:problem:{kind}"));
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(!body.to_string().contains(PAN), "a PAN came back: {body}");
    assert!(
        !body.to_string().contains("5412 7512"),
        "a PAN came back: {body}"
    );
}

#[tokio::test]
async fn operations_answer_json_and_refusals_are_problems() {
    let base = start(true).await;
    let (status, _, body) = post(
        &base,
        "/test/v1/clock",
        "application/json",
        r#"{"now":"2024-06-12T08:00:00+02:00"}"#,
    )
    .await;
    assert_eq!((status, body), (200, Value::Null));

    let (status, _, body) = post(
        &base,
        "/v1/ovpay/deny-list-version",
        "application/json",
        "{}",
    )
    .await;
    assert_eq!((status, body), (200, json!(0)));

    // A report for a day still running is refused by the system: 422 with its reason.
    let (status, media, body) = post(
        &base,
        "/v1/backoffice/operator-report",
        "application/json",
        r#"{"operator":"NS","day":"2024-06-12"}"#,
    )
    .await;
    assert_problem(status, &media, &body, 422, "refused");
    assert!(
        body["detail"].as_str().unwrap().contains("still running"),
        "{body}"
    );
    assert_eq!(body["operation"], "GetOperatorReport");
    assert_eq!(body["instance"], "/v1/backoffice/operator-report");
}

#[tokio::test]
async fn malformed_requests_are_4xx_problems_that_do_not_echo_input() {
    let base = start(true).await;
    let card = |pan: Value, sequence: Value| json!({ "card": { "pan": pan, "pan_sequence": sequence, "expiry": "2812" } });
    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "not JSON",
            "{\"card\": 5412751234567890".into(),
            400,
            "malformed-request",
        ),
        (
            "wrong type",
            card(json!(5412751234567890u64), json!(0)).to_string(),
            400,
            "malformed-request",
        ),
        (
            "PAN in a number field",
            card(json!("x"), json!(PAN)).to_string(),
            400,
            "malformed-request",
        ),
        (
            "PAN out of range",
            card(json!("x"), json!(5412751234567890u64)).to_string(),
            400,
            "malformed-request",
        ),
        (
            "unknown field",
            json!({"card": {"pan": PAN, "pan_sequence": 0, "expiry": "2812"}, "cvc": PAN})
                .to_string(),
            400,
            "malformed-request",
        ),
        (
            "trailing data",
            format!("{} {PAN}", card(json!(PAN), json!(0))),
            400,
            "malformed-request",
        ),
        ("empty body", String::new(), 400, "malformed-request"),
        ("JSON array", "[]".into(), 400, "malformed-request"),
        // A well-formed request with a PAN the system cannot use is the system's refusal.
        (
            "not a PAN",
            card(json!("5412-7512-3456-7890"), json!(0)).to_string(),
            422,
            "refused",
        ),
    ];
    for (what, body, expected, kind) in cases {
        let (status, media, answer) =
            post(&base, "/v1/ovpay/payment-account", "application/json", body).await;
        assert_problem(status, &media, &answer, expected, kind);
        println!("{what}: {status} {}", answer["detail"]);
    }
    let (status, media, answer) = post(&base, "/v1/ovpay/payment-account", "text/plain", PAN).await;
    assert_problem(status, &media, &answer, 415, "unsupported-media-type");
    let big = vec![b' '; 17 * 1024 * 1024];
    let (status, media, answer) =
        post(&base, "/v1/backoffice/ingest", "application/json", big).await;
    assert_problem(status, &media, &answer, 413, "payload-too-large");
}

#[tokio::test]
async fn unknown_paths_and_methods_are_problems() {
    let base = start(true).await;
    let (status, media, body) =
        post(&base, &format!("/v1/cards/{PAN}"), "application/json", "{}").await;
    assert_problem(status, &media, &body, 404, "not-found");
    let response = reqwest::get(format!("{base}/v1/cards/load")).await.unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "urn:ovcert:problem:method-not-allowed");
}

#[tokio::test]
async fn test_controls_are_off_unless_asked_for() {
    let base = start(false).await;
    for path in ["/test/v1/reset", "/test/v1/clock", "/test/v1/bank/script"] {
        let (status, media, body) = post(&base, path, "application/json", "{}").await;
        assert_problem(status, &media, &body, 403, "test-controls-off");
    }
    let ready: Value = reqwest::get(format!("{base}/ready"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ready,
        json!({"status": "ready", "system": "reference under test", "test_controls": false})
    );
    // The HTTP target refuses such a server up front.
    let refused = ovcert::sut::Http::connect(&base)
        .await
        .err()
        .expect("refused");
    assert!(refused.reason.contains("test controls off"), "{refused}");
}

#[tokio::test]
async fn the_served_document_is_the_generated_one() {
    let base = start(false).await;
    let served = reqwest::get(format!("{base}/openapi.json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(served, openapi::document_text());
    let document: Value = serde_json::from_str(&served).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["paths"]["/v1/readers/tap"]["post"]["requestBody"].is_object());
}

#[tokio::test]
async fn an_unreachable_target_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let error = ovcert::sut::Http::connect_within(
        &format!("http://{address}"),
        std::time::Duration::from_millis(500),
        None,
    )
    .await
    .err()
    .expect("no server");
    assert!(
        error.reason.contains("no participant API answers"),
        "{error}"
    );
    assert!(
        error.reason.contains("ovcert serve --test-controls"),
        "{error}"
    );
}

/// With `--clock system` time passes for the system without test controls: a day of the
/// synthetic stream (October 2024) is closed and reported; the same request to a server
/// whose clock only the test control moves is refused, its clock still at the epoch.
#[tokio::test]
async fn the_system_clock_closes_past_days() {
    let rules = ovcert_reference::rules::nl_2024();
    let mut generator = Generator::new(&rules, SynthConfig::new(7, 200));
    let taps: Vec<TapMessage> = std::iter::from_fn(|| generator.next_batch())
        .flatten()
        .filter_map(|record| match record {
            Record::Tap(tap) => Some(tap),
            Record::Card { .. } => None,
        })
        .collect();
    let first = &taps[0];
    let day = rules.travel_day_rule().travel_day_of(first.at).0;
    let operator = first.reader.operator.clone();
    let ingest = serde_json::to_string(&json!({ "taps": taps })).unwrap();
    let report = json!({ "operator": operator, "day": day }).to_string();
    for (clock, expected) in [(ClockSource::System, 200), (ClockSource::Test, 422)] {
        let base = start_with_clock(false, clock).await;
        let (status, _, answer) = post(
            &base,
            "/v1/backoffice/ingest",
            "application/json",
            ingest.clone(),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        let (status, _, answer) = post(
            &base,
            "/v1/backoffice/operator-report",
            "application/json",
            report.clone(),
        )
        .await;
        assert_eq!(status, expected, "{clock:?}: {answer}");
        if clock == ClockSource::System {
            let transactions = answer["transactions"].as_array().expect("a report");
            assert!(!transactions.is_empty(), "{answer}");
        } else {
            assert!(
                answer["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("still running"),
                "{answer}"
            );
        }
    }
}
