//! Authorization of the participant API: API keys (401), roles and operator scoping (403),
//! test controls behind both the lab role and `--test-controls`, the rate limit of failed
//! service lookups (429), header limits (431), and the refusal to serve open by accident.

mod support;

use std::sync::Arc;

use ovcert::api::access::ApiKey;
use ovcert::server::auth::{Access, KeyRing, entry_toml};
use ovcert::server::{ServerConfig, router, serve};
use ovcert::sut::payments::Lookup;
use ovcert::sut::{Http, InProcess, PaymentsApi as _, PresentedCard, SystemUnderTest};
use ovcert_reference::reader::EmvCard;
use ovcert_reference::rules::Mode;
use ovcert_reference::tap::{DeviceKind, ReaderRef};
use serde_json::{Value, json};

/// The participants of the servers in these tests, one key each.
struct Keys {
    lab: ApiKey,
    ns: ApiKey,
    gvb: ApiKey,
    seller: ApiKey,
}

impl Keys {
    fn mint() -> Keys {
        Keys {
            lab: ApiKey::mint().unwrap(),
            ns: ApiKey::mint().unwrap(),
            gvb: ApiKey::mint().unwrap(),
            seller: ApiKey::mint().unwrap(),
        }
    }

    fn file(&self) -> String {
        [
            entry_toml("lab", "test-lab".parse().unwrap(), None, &self.lab),
            entry_toml(
                "ns-dev",
                "service-provider".parse().unwrap(),
                Some("NS"),
                &self.ns,
            ),
            entry_toml(
                "gvb-dev",
                "service-provider".parse().unwrap(),
                Some("GVB"),
                &self.gvb,
            ),
            entry_toml("kiosk", "seller".parse().unwrap(), None, &self.seller),
        ]
        .join("\n")
    }
}

/// A server of the reference with `keys` on a free loopback port; its base URL.
async fn start(keys: &Keys, test_controls: bool) -> String {
    let rules = Arc::new(ovcert_reference::rules::nl_2024());
    let operators: Vec<&str> = rules.operators.iter().map(|o| o.id.as_str()).collect();
    let ring = KeyRing::load_str("keys.toml", &keys.file(), &operators).unwrap();
    let app = router(ServerConfig {
        system: Box::new(InProcess::new(Arc::clone(&rules))),
        identity: "reference with keys".into(),
        test_controls,
        without: vec![],
        access: Access::Keys(ring),
        journal: None,
        clock: ovcert::server::clock::ClockSource::Test,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app));
    format!("http://{address}")
}

/// What a call answered: status, headers, body as JSON.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
    text: String,
}

async fn call(base: &str, path: &str, key: Option<&ApiKey>, body: Value) -> Answer {
    let mut request = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(key) = key {
        request = request.bearer_auth(key.expose());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        text,
    }
}

fn assert_problem(answer: &Answer, status: u16, kind: &str) {
    assert_eq!(answer.status, status, "{}", answer.text);
    assert_eq!(
        answer.headers["content-type"], "application/problem+json",
        "{}",
        answer.text
    );
    assert_eq!(answer.body["type"], format!("urn:ovcert:problem:{kind}"));
}

fn reader(operator: &str, mode: Mode, station: &str, kind: DeviceKind) -> ReaderRef {
    let rules = ovcert_reference::rules::nl_2024();
    ReaderRef {
        operator: operator.into(),
        mode,
        station: rules.station_by_name(station).unwrap().id.clone(),
        device: 7,
        device_kind: kind,
        vehicle: (kind == DeviceKind::OnBoard).then(|| "tram-2041".into()),
    }
}

fn ns(station: &str) -> ReaderRef {
    reader("NS", Mode::Train, station, DeviceKind::Pole)
}

fn gvb(station: &str) -> ReaderRef {
    reader("GVB", Mode::Tram, station, DeviceKind::OnBoard)
}

fn bank_card(pan: &str) -> EmvCard {
    EmvCard {
        pan: pan.into(),
        pan_sequence: 1,
        expiry: "2912".into(),
    }
}

fn instant(text: &str) -> jiff::Timestamp {
    jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", text)
        .unwrap()
        .in_tz("Europe/Amsterdam")
        .unwrap()
        .timestamp()
}

/// Through the lab's key: a bank card travels with NS and with GVB on 2024-06-12, and the
/// clock moves to the 14th, past the night charge.
async fn a_day_of_travel(base: &str, keys: &Keys, pan: &str) -> Http {
    let mut lab = Http::connect_as(base, Some(&keys.lab)).await.unwrap();
    let card = || {
        vec![PresentedCard::Emv {
            card: bank_card(pan),
        }]
    };
    let taps = [
        ("2024-06-12 09:00", ns("Amsterdam Centraal")),
        ("2024-06-12 09:30", ns("Utrecht Centraal")),
        ("2024-06-12 17:00", gvb("Amsterdam Centraal")),
        ("2024-06-12 17:06", gvb("Dam")),
    ];
    for (at, reader) in taps {
        lab.set_clock(instant(at)).await.unwrap();
        lab.tap(&reader, card()).await.unwrap();
    }
    lab.set_clock(instant("2024-06-14 10:00")).await.unwrap();
    lab
}

#[tokio::test]
async fn no_key_a_wrong_key_or_another_scheme_is_401_without_echo() {
    let keys = Keys::mint();
    let base = start(&keys, true).await;
    let path = "/v1/ovpay/deny-list-version";
    let unknown = ApiKey::mint().unwrap();
    for key in [None, Some(&unknown)] {
        let answer = call(&base, path, key, json!({})).await;
        assert_problem(&answer, 401, "unauthorized");
        assert_eq!(
            answer.headers["www-authenticate"],
            "Bearer realm=\"ovcert\""
        );
        assert!(!answer.text.contains(unknown.expose()), "{}", answer.text);
    }
    let basic = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .header("authorization", format!("Basic {}", keys.lab.expose()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status().as_u16(), 401);
    assert!(!basic.text().await.unwrap().contains(keys.lab.expose()));
    // The stored hash is no key.
    let hash = ApiKey::new(&keys.lab.digest_hex()).unwrap();
    assert_problem(
        &call(&base, path, Some(&hash), json!({})).await,
        401,
        "unauthorized",
    );
    // The right key: the answer.
    let answer = call(&base, path, Some(&keys.ns), json!({})).await;
    assert_eq!((answer.status, answer.body), (200, json!(0)));
    // Readiness and the document stay public: the harness polls /ready before it has a key.
    let ready = reqwest::get(format!("{base}/ready")).await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
}

#[tokio::test]
async fn an_operator_reads_its_own_report_and_tokens_and_not_anothers() {
    let keys = Keys::mint();
    let base = start(&keys, true).await;
    let _lab = a_day_of_travel(&base, &keys, "4929000000006").await;
    let report = |operator: &str| json!({ "operator": operator, "day": "2024-06-12" });
    let path = "/v1/backoffice/operator-report";

    let own = call(&base, path, Some(&keys.ns), report("NS")).await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(own.body["operator"], "NS");
    let gvb_own = call(&base, path, Some(&keys.gvb), report("GVB")).await;
    assert_eq!(gvb_own.status, 200, "{}", gvb_own.text);
    // EMV-02: the same card under two different operator tokens, each in its own report.
    let token = |answer: &Answer| {
        let start = answer
            .text
            .find("\"ot-")
            .expect("an operator token in the report");
        answer.text[start + 1..]
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_ne!(
        token(&own),
        token(&gvb_own),
        "operators see different tokens"
    );

    for (key, other) in [(&keys.ns, "GVB"), (&keys.gvb, "NS")] {
        let answer = call(&base, path, Some(key), report(other)).await;
        assert_problem(&answer, 403, "forbidden");
        let detail = answer.body["detail"].as_str().unwrap();
        assert!(detail.contains("another operator"), "{detail}");
        assert!(!answer.text.contains(&token(&own)) && !answer.text.contains(&token(&gvb_own)));
    }
    // Acting through another operator's reader, or uploading its taps, is refused too.
    let tap = json!({ "reader": gvb("Dam"), "presented": [{ "type": "emv", "card": bank_card("4929000000006") }] });
    let answer = call(&base, "/v1/readers/tap", Some(&keys.ns), tap).await;
    assert_problem(&answer, 403, "forbidden");
    let version = json!({ "reader": gvb("Dam") });
    let answer = call(
        &base,
        "/v1/ovpay/reader-deny-list-version",
        Some(&keys.ns),
        version.clone(),
    )
    .await;
    assert_problem(&answer, 403, "forbidden");
    let answer = call(
        &base,
        "/v1/ovpay/reader-deny-list-version",
        Some(&keys.gvb),
        version,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    // The lab reads every operator's report.
    let answer = call(&base, path, Some(&keys.lab), report("GVB")).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

#[tokio::test]
async fn a_role_without_the_right_is_403_naming_what_is_missing() {
    let keys = Keys::mint();
    let base = start(&keys, true).await;
    let cases = [
        (
            &keys.seller,
            "/v1/backoffice/operator-report",
            json!({ "operator": "NS", "day": "2024-06-12" }),
            "only service-provider may call it",
        ),
        (
            &keys.seller,
            "/v1/readers/tap",
            json!({ "reader": ns("Dam"), "presented": [] }),
            "only service-provider may call it",
        ),
        (
            &keys.ns,
            "/v1/backoffice/settle",
            json!({ "day": "2024-06-12" }),
            "central system's own act",
        ),
        (
            &keys.ns,
            "/v1/ovpay/payment-account",
            json!({ "card": bank_card("4929000000006") }),
            "central system's own act",
        ),
        (
            &keys.ns,
            "/v1/cards/load",
            json!({}),
            "only seller may call it",
        ),
    ];
    for (key, path, body, expected) in cases {
        let answer = call(&base, path, Some(key), body).await;
        assert_problem(&answer, 403, "forbidden");
        let detail = answer.body["detail"].as_str().unwrap();
        assert!(detail.contains(expected), "{path}: {detail}");
        assert!(
            !answer.text.contains(key.expose()),
            "the key never comes back"
        );
        assert!(!answer.text.contains("4929000000006"));
    }
    // The seller's own operations answer.
    let answer = call(
        &base,
        "/v1/cards/read",
        Some(&keys.seller),
        json!({ "image": "00" }),
    )
    .await;
    assert_ne!(answer.status, 403, "{}", answer.text);
    assert_ne!(answer.status, 401, "{}", answer.text);
}

#[tokio::test]
async fn the_http_target_needs_a_lab_key_for_a_server_with_keys() {
    let keys = Keys::mint();
    let base = start(&keys, true).await;
    let without = Http::connect(&base).await.err().expect("refused");
    assert!(without.reason.contains("requires an API key"), "{without}");
    let wrong = ApiKey::mint().unwrap();
    let unknown = Http::connect_as(&base, Some(&wrong))
        .await
        .err()
        .expect("refused");
    assert!(unknown.reason.contains("refused the API key"), "{unknown}");
    assert!(!unknown.reason.contains(wrong.expose()));
    let participant = Http::connect_as(&base, Some(&keys.ns))
        .await
        .err()
        .expect("refused");
    assert!(participant.reason.contains("test-lab key"), "{participant}");
    assert!(Http::connect_as(&base, Some(&keys.lab)).await.is_ok());
}

#[tokio::test]
async fn test_controls_need_the_lab_role_and_the_switch() {
    let keys = Keys::mint();
    let off = start(&keys, false).await;
    let on = start(&keys, true).await;
    let reset = "/test/v1/reset";
    assert_problem(
        &call(&off, reset, Some(&keys.lab), json!({})).await,
        403,
        "test-controls-off",
    );
    assert_problem(
        &call(&off, reset, Some(&keys.ns), json!({})).await,
        403,
        "forbidden",
    );
    assert_problem(
        &call(&off, reset, None, json!({})).await,
        401,
        "unauthorized",
    );
    assert_problem(
        &call(&on, reset, Some(&keys.ns), json!({})).await,
        403,
        "forbidden",
    );
    let answer = call(&on, reset, Some(&keys.lab), json!({})).await;
    assert_eq!((answer.status, answer.body), (200, Value::Null));
}

#[tokio::test]
async fn failed_lookups_are_rate_limited_and_right_ones_answer_before() {
    let keys = Keys::mint();
    let base = start(&keys, true).await;
    let pan = "4929000000014";
    let mut lab = a_day_of_travel(&base, &keys, pan).await;
    let account = lab.payment_account(&bank_card(pan)).await.unwrap();
    let payment = account.payments.first().expect("the night charge");
    let reference = payment.reference.to_string();
    let amount = payment.amount_cents;
    let path = "/v1/ovpay/service-lookup";
    let lookup = |amount: i64| json!({ "reference": reference, "amount": amount });

    // EMV-15: both are required.
    let answer = call(
        &base,
        path,
        Some(&keys.ns),
        json!({ "reference": reference }),
    )
    .await;
    assert_problem(&answer, 400, "malformed-request");
    // The right reference and amount find the payment, as often as asked: finds cost nothing.
    for _ in 0..15 {
        let answer = call(&base, path, Some(&keys.ns), lookup(amount.get())).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.body["result"], "found");
    }
    // Wrong amounts: the same not-found as an unknown reference, until the bucket is empty.
    let burst = ovcert::server::rate_limit::LOOKUP_POLICY.burst;
    for wrong in 1..=i64::from(burst) {
        let answer = call(&base, path, Some(&keys.ns), lookup(amount.get() + wrong)).await;
        assert_eq!(
            (answer.status, answer.body),
            (200, json!({ "result": "not-found" }))
        );
    }
    let answer = call(&base, path, Some(&keys.ns), lookup(amount.get() + 99)).await;
    assert_problem(&answer, 429, "too-many-requests");
    let retry: u64 = answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=6).contains(&retry), "Retry-After {retry}");
    // Now even the right guess is refused: the answer must not tell.
    let answer = call(&base, path, Some(&keys.ns), lookup(amount.get())).await;
    assert_problem(&answer, 429, "too-many-requests");
    // Another participant has its own bucket; the lab has none.
    let answer = call(&base, path, Some(&keys.gvb), lookup(amount.get())).await;
    assert_eq!(answer.body["result"], "found", "{}", answer.text);
    for _ in 0..=burst {
        let found = lab.service_lookup(&reference, amount).await.unwrap();
        assert!(matches!(found, Lookup::Found(_)));
        let missed = lab.service_lookup("NLOV0000000000", amount).await.unwrap();
        assert_eq!(missed, Lookup::NotFound);
    }
}

#[tokio::test]
async fn oversized_headers_are_refused_and_the_server_stays_up() {
    let keys = Keys::mint();
    let base = start(&keys, true).await;
    let path = format!("{base}/v1/ovpay/deny-list-version");
    let client = reqwest::Client::new();
    let post = || {
        client
            .post(&path)
            .header("content-type", "application/json")
            .bearer_auth(keys.ns.expose())
            .body("{}")
    };
    // Over the per-request limits: a 431 problem document.
    let large = post()
        .header("x-large", "a".repeat(20 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(large.status().as_u16(), 431);
    let body: Value = large.json().await.unwrap();
    assert_eq!(body["type"], "urn:ovcert:problem:header-fields-too-large");
    let mut many = post();
    for i in 0..80 {
        many = many.header(format!("x-h{i}"), "1");
    }
    let many = many.send().await.unwrap();
    assert_eq!(many.status().as_u16(), 431);
    // Over the connection's limits: hyper answers a bare 431 or closes; either way no 2xx.
    let huge = post().header("x-huge", "a".repeat(200 * 1024)).send().await;
    if let Ok(response) = &huge {
        assert_eq!(response.status().as_u16(), 431);
    }
    let mut flood = post();
    for i in 0..150 {
        flood = flood.header(format!("x-f{i}"), "1");
    }
    if let Ok(response) = flood.send().await {
        assert_eq!(response.status().as_u16(), 431);
    }
    // And the server still answers.
    let answer = post().send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
}

#[test]
fn serve_refuses_to_be_open_by_accident() {
    for args in [
        vec!["serve", "--listen", "0.0.0.0:0", "--test-controls"],
        vec!["serve", "--listen", "127.0.0.1:0"],
    ] {
        let outcome = support::ovcert(&args);
        assert_eq!(outcome.code, 2, "{args:?}: {}", outcome.stderr);
        assert!(outcome.stderr.contains("no --keys"), "{}", outcome.stderr);
    }
}

#[test]
fn a_minted_key_opens_a_server_started_with_its_entry() {
    let dir = support::scratch("auth-minted-key");
    let minted = support::ovcert(&[
        "api-key",
        "--participant",
        "ns-dev",
        "--role",
        "service-provider",
        "--operator",
        "NS",
    ]);
    assert_eq!(minted.code, 0, "{}", minted.stderr);
    let key = minted.stderr.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(key.starts_with("ovk_"), "{}", minted.stderr);
    assert!(
        !minted.stdout.contains(&key),
        "the entry holds the hash only"
    );
    let keys = dir.join("keys.toml");
    std::fs::write(&keys, &minted.stdout).unwrap();
    let refused = support::ovcert(&[
        "api-key",
        "--participant",
        "x",
        "--role",
        "service-provider",
    ]);
    assert_eq!(refused.code, 2, "a service provider needs its operator");

    // Without --test-controls, on loopback, with keys: a participant-facing server.
    let server = support::Server::start_with(&["--keys", keys.to_str().unwrap()]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let key = ApiKey::new(&key).unwrap();
        let answer = call(
            &server.base_url,
            "/v1/ovpay/deny-list-version",
            Some(&key),
            json!({}),
        )
        .await;
        assert_eq!((answer.status, answer.body), (200, json!(0)));
        let answer = call(
            &server.base_url,
            "/v1/ovpay/deny-list-version",
            None,
            json!({}),
        )
        .await;
        assert_eq!(answer.status, 401);
    });
}
