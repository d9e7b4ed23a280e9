//! Steps about readers: install them by name, tap cards, observe decisions and displays.

use cucumber::{given, then, when};
use ovcert_reference::reader::{Decision, Refusal};
use ovcert_reference::rules::Mode;
use ovcert_reference::tap::{DeviceKind, ReaderRef};

use super::card::kebab;
use super::params::Money;
use crate::sut::TapResult;
use crate::world::OvWorld;

#[given(
    regex = r#"^an? ([A-Z]+) (train|bus|tram|metro|ferry) (pole|gate|on-board reader) "([^"]+)" at "([^"]+)"(?: in vehicle "([^"]+)")?$"#
)]
async fn reader_at(
    world: &mut OvWorld,
    operator: String,
    mode: String,
    kind: String,
    name: String,
    station: String,
    vehicle: String,
) {
    let station_id = world
        .rules
        .station_by_name(&station)
        .unwrap_or_else(|| panic!("no station \"{station}\" in the rule set"))
        .id
        .clone();
    let device_kind = match kind.as_str() {
        "pole" => DeviceKind::Pole,
        "gate" => DeviceKind::Gate,
        _ => DeviceKind::OnBoard,
    };
    let reader = ReaderRef {
        operator: operator.into(),
        mode: Mode::parse(&mode).expect("the regex admits only modes"),
        station: station_id,
        device: 1000 + world.readers.len() as u32,
        device_kind,
        vehicle: (!vehicle.is_empty()).then(|| vehicle.into()),
    };
    world.readers.insert(name, reader);
}

async fn tap(world: &mut OvWorld, names: &[&str], reader: &str) {
    let reader = world.reader(reader);
    let presented = names.iter().map(|n| world.card(n).card.clone()).collect();
    let result = world
        .sut
        .tap(&reader, presented)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.apply_tap(names, result).await;
}

#[when(expr = "card {string} taps at {string}")]
#[given(expr = "card {string} taps at {string}")]
async fn card_taps(world: &mut OvWorld, card: String, reader: String) {
    tap(world, &[&card], &reader).await;
}

#[when(expr = "bank card {string} taps at {string}")]
#[given(expr = "bank card {string} taps at {string}")]
async fn bank_card_taps(world: &mut OvWorld, card: String, reader: String) {
    tap(world, &[&card], &reader).await;
}

#[when(expr = "cards {string} and {string} are held together at {string}")]
async fn held_together(world: &mut OvWorld, a: String, b: String, reader: String) {
    tap(world, &[&a, &b], &reader).await;
}

/// `Given card "A" is checked in at "R"`: a tap that must succeed as a check-in.
#[given(expr = "card {string} is checked in at {string}")]
async fn checked_in_at(world: &mut OvWorld, card: String, reader: String) {
    tap(world, &[&card], &reader).await;
    checks_in(world).await;
}

fn last(world: &OvWorld) -> &TapResult {
    world
        .last_tap
        .as_ref()
        .expect("a tap happened earlier in the scenario")
}

#[then("the reader checks the card in")]
async fn checks_in(world: &mut OvWorld) {
    let result = last(world);
    assert!(
        matches!(result.decision, Decision::CheckedIn { .. }),
        "expected a check-in, got {result:?}"
    );
}

#[then("the reader checks the card out")]
async fn checks_out(world: &mut OvWorld) {
    let result = last(world);
    assert!(
        matches!(result.decision, Decision::CheckedOut { .. }),
        "expected a check-out, got {result:?}"
    );
}

#[then("the reader accepts the bank card")]
async fn accepts_bank_card(world: &mut OvWorld) {
    let result = last(world);
    assert_eq!(result.decision, Decision::BankCardAccepted, "{result:?}");
}

#[then(expr = "the reader refuses: {word}")]
async fn refuses(world: &mut OvWorld, reason: String) {
    let result = last(world);
    match &result.decision {
        Decision::Refused { reason: got } => {
            assert_eq!(kebab::<Refusal>(got), reason, "{result:?}")
        }
        other => panic!("expected a refusal ({reason}), got {other:?}"),
    }
}

#[then(expr = "the reader shows {string}")]
async fn shows(world: &mut OvWorld, text: String) {
    let display = &last(world).display;
    assert!(
        display.nl.contains(&text),
        "the reader shows \"{}\", not \"{text}\"",
        display.nl
    );
}

#[then(expr = "the reader shows in English {string}")]
async fn shows_english(world: &mut OvWorld, text: String) {
    let display = &last(world).display;
    assert!(
        display.en.contains(&text),
        "the reader shows \"{}\", not \"{text}\"",
        display.en
    );
}

#[then(expr = "the deposit taken is {money}")]
async fn deposit_is(world: &mut OvWorld, amount: Money) {
    match &last(world).decision {
        Decision::CheckedIn { deposit, .. } => assert_eq!(*deposit, amount.0),
        other => panic!("expected a check-in, got {other:?}"),
    }
}

#[then(expr = "the fare charged is {money}")]
async fn fare_is(world: &mut OvWorld, amount: Money) {
    match &last(world).decision {
        Decision::CheckedOut { fare, .. } => assert_eq!(*fare, amount.0),
        other => panic!("expected a check-out, got {other:?}"),
    }
}

#[then(expr = "the reader shows a balance of {money}")]
async fn shows_balance(world: &mut OvWorld, amount: Money) {
    let result = last(world);
    assert_eq!(result.balance_after, Some(amount.0), "{result:?}");
    assert!(
        result.display.nl.contains(&amount.0.dutch()),
        "display \"{}\" lacks {}",
        result.display.nl,
        amount.0.dutch()
    );
}

#[then("the check-in is a transfer")]
async fn is_transfer(world: &mut OvWorld) {
    match &last(world).decision {
        Decision::CheckedIn { transfer, .. } => assert!(*transfer, "expected \"overstap\""),
        other => panic!("expected a check-in, got {other:?}"),
    }
}

#[then("the check-in is not a transfer")]
async fn is_not_transfer(world: &mut OvWorld) {
    match &last(world).decision {
        Decision::CheckedIn { transfer, .. } => assert!(!*transfer, "expected a new journey"),
        other => panic!("expected a check-in, got {other:?}"),
    }
}

#[then("the reader first closed the open check-in as a missing check-out")]
async fn closed_missing(world: &mut OvWorld) {
    match &last(world).decision {
        Decision::CheckedIn {
            closed_missing_check_out,
            ..
        } => assert!(*closed_missing_check_out),
        other => panic!("expected a check-in, got {other:?}"),
    }
}

#[then(expr = "the reader auto-reloaded {money}")]
async fn auto_reloaded(world: &mut OvWorld, amount: Money) {
    let got = match &last(world).decision {
        Decision::CheckedIn { auto_reloaded, .. } | Decision::CheckedOut { auto_reloaded, .. } => {
            *auto_reloaded
        }
        other => panic!("expected a check-in or check-out, got {other:?}"),
    };
    assert_eq!(got, Some(amount.0));
}

#[then("the reader did not auto-reload")]
async fn no_auto_reload(world: &mut OvWorld) {
    let got = match &last(world).decision {
        Decision::CheckedIn { auto_reloaded, .. } | Decision::CheckedOut { auto_reloaded, .. } => {
            *auto_reloaded
        }
        _ => None,
    };
    assert_eq!(got, None);
}

#[then("the reader did not write to the card")]
async fn not_written(world: &mut OvWorld) {
    assert!(last(world).new_image.is_none());
}
