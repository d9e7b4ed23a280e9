//! Steps about cards and machines: issue, load, products, auto-reload, reading the card.

use cucumber::{given, then, when};
use jiff::Span;
use ovcert_reference::Cents;
use ovcert_reference::card::{CardKind, Holder, ProductSlot};
use ovcert_reference::machine::{IssueRequest, LoadChannel, MachineOutcome};
use ovcert_reference::reader::EmvCard;
use ovcert_reference::time::local;

use super::params::{Day, Money};
use crate::sut::PresentedCard;
use crate::world::{HeldCard, OvWorld};

async fn issue(
    world: &mut OvWorld,
    name: &str,
    kind: CardKind,
    holder: Option<Holder>,
    right: Option<ProductSlot>,
) {
    let (number, uid) = world.next_card_number();
    let request = IssueRequest {
        kind,
        number,
        uid,
        holder,
        travel_right: right,
    };
    let image = world
        .sut
        .issue_card(request)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let card = PresentedCard::OvChipkaart { image };
    world.cards.insert(
        name.to_string(),
        HeldCard {
            card,
            expected_balance: Cents::ZERO,
        },
    );
    world.check_card_invariants(name).await;
}

#[given(expr = "an anonymous card {string}")]
async fn anonymous_card(world: &mut OvWorld, name: String) {
    issue(world, &name, CardKind::Anonymous, None, None).await;
}

#[given(expr = "a personal card {string} of a traveller born on {date}")]
async fn personal_card(world: &mut OvWorld, name: String, born: Day) {
    let holder = Holder {
        birth_date: born.0,
        name: format!("Reiziger {name}"),
    };
    issue(world, &name, CardKind::Personal, Some(holder), None).await;
}

#[given(expr = "a disposable card {string} for a single journey from {string} to {string}")]
async fn disposable_card(world: &mut OvWorld, name: String, from: String, to: String) {
    let today = local(world.now).date();
    let station = |n: &str| {
        world
            .rules
            .station_by_name(n)
            .unwrap_or_else(|| panic!("unknown station {n}"))
            .id
            .clone()
    };
    let right = ProductSlot {
        code: "enkele-reis".into(),
        valid_from: today,
        valid_until: today,
        route: Some([station(&from).to_string(), station(&to).to_string()]),
    };
    issue(world, &name, CardKind::Disposable, None, Some(right)).await;
}

#[given(expr = "a bank card {string}")]
async fn bank_card(world: &mut OvWorld, name: String) {
    let (number, _) = world.next_card_number();
    let card = EmvCard {
        pan: format!("5413{:012}", number.get() % 1_000_000_000_000),
        pan_sequence: 1,
        expiry: "2912".into(),
    };
    world.cards.insert(
        name,
        HeldCard {
            card: PresentedCard::Emv { card },
            expected_balance: Cents::ZERO,
        },
    );
}

#[given(expr = "card {string} has a balance of {money}")]
async fn has_balance(world: &mut OvWorld, name: String, amount: Money) {
    let mut left = amount.0;
    while left > Cents::ZERO {
        let chunk = left.min(world.rules.card.max_load_cents);
        load(world, &name, chunk, LoadChannel::Machine).await;
        assert!(
            matches!(world.last_machine, Some(MachineOutcome::Done { .. })),
            "loading {chunk} failed: {:?}",
            world.last_machine
        );
        left = left.checked_sub(chunk).expect("small");
    }
}

async fn load(world: &mut OvWorld, name: &str, amount: Cents, channel: LoadChannel) {
    let image = world.image(name);
    let outcome = world
        .sut
        .load(&image, amount, channel)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.apply_machine(name, outcome, amount).await;
}

#[when(expr = "card {string} is loaded with {money}")]
#[given(expr = "card {string} is loaded with {money}")]
async fn loaded(world: &mut OvWorld, name: String, amount: Money) {
    load(world, &name, amount.0, LoadChannel::Machine).await;
}

#[when(expr = "card {string} is loaded with {money} at an NS machine")]
#[given(expr = "card {string} is loaded with {money} at an NS machine")]
async fn loaded_at_ns(world: &mut OvWorld, name: String, amount: Money) {
    load(world, &name, amount.0, LoadChannel::NsMachine).await;
}

#[when(expr = "the last load of card {string} is revoked")]
async fn revoke(world: &mut OvWorld, name: String) {
    let image = world.image(&name);
    let outcome = world
        .sut
        .revoke_load(&image)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.apply_machine(&name, outcome, Cents::ZERO).await;
}

#[when(expr = "product {string} is loaded on card {string}")]
async fn product_loaded(world: &mut OvWorld, code: String, name: String) {
    load_product(world, &name, code).await;
}

#[given(expr = "card {string} carries product {string}")]
async fn carries_product(world: &mut OvWorld, name: String, code: String) {
    load_product(world, &name, code).await;
    machine_accepts(world).await;
}

/// Loads a product valid from today for a year.
async fn load_product(world: &mut OvWorld, name: &str, code: String) {
    let today = local(world.now).date();
    let slot = ProductSlot {
        code,
        valid_from: today,
        valid_until: today
            .checked_add(Span::new().years(1))
            .expect("dates in range"),
        route: None,
    };
    let image = world.image(name);
    let outcome = world
        .sut
        .load_product(&image, slot)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.apply_machine(name, outcome, Cents::ZERO).await;
}

#[when(expr = "auto-reload of {money} is set on card {string}")]
#[given(expr = "auto-reload of {money} is set on card {string}")]
async fn auto_reload(world: &mut OvWorld, amount: Money, name: String) {
    let image = world.image(&name);
    let outcome = world
        .sut
        .set_auto_reload(&image, Some(amount.0))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.apply_machine(&name, outcome, Cents::ZERO).await;
}

#[then("the machine accepts")]
async fn machine_accepts(world: &mut OvWorld) {
    match &world.last_machine {
        Some(MachineOutcome::Done { .. }) => {}
        other => panic!("expected the machine to accept, got {other:?}"),
    }
}

#[then(expr = "the machine refuses: {word}")]
async fn machine_refuses(world: &mut OvWorld, reason: String) {
    match &world.last_machine {
        Some(MachineOutcome::Refused { reason: got }) => assert_eq!(kebab(got), reason),
        other => panic!("expected the machine to refuse with {reason}, got {other:?}"),
    }
}

#[then(expr = "card {string} has a balance of {money}")]
async fn balance_is(world: &mut OvWorld, name: String, amount: Money) {
    let card = world.read(&name).await;
    assert_eq!(card.balance(), amount.0, "balance of card \"{name}\"");
}

#[then(expr = "card {string} is checked in")]
async fn is_checked_in(world: &mut OvWorld, name: String) {
    assert!(
        world.read(&name).await.purse.check_in.is_some(),
        "card \"{name}\" should be checked in"
    );
}

#[then(expr = "card {string} is not checked in")]
async fn is_not_checked_in(world: &mut OvWorld, name: String) {
    assert!(
        world.read(&name).await.purse.check_in.is_none(),
        "card \"{name}\" should not be checked in"
    );
}

#[then(expr = "card {string} is blocked")]
async fn is_blocked(world: &mut OvWorld, name: String) {
    assert!(
        world.read(&name).await.purse.blocked,
        "card \"{name}\" should be blocked"
    );
}

#[then(expr = "card {string} is valid until {date}")]
async fn valid_until(world: &mut OvWorld, name: String, day: Day) {
    assert_eq!(world.read(&name).await.expires_on, day.0);
}

#[then(expr = "card {string} is a(n) {word} card")]
async fn kind_is(world: &mut OvWorld, name: String, kind: String) {
    assert_eq!(kebab(&world.read(&name).await.kind), kind);
}

#[then(expr = "card {string} carries the birth date {date}")]
async fn birth_date(world: &mut OvWorld, name: String, day: Day) {
    let card = world.read(&name).await;
    assert_eq!(card.holder.map(|h| h.birth_date), Some(day.0));
}

#[then(expr = "card {string} carries no holder data")]
async fn no_holder(world: &mut OvWorld, name: String) {
    assert_eq!(world.read(&name).await.holder, None);
}

#[then(expr = "card {string} carries {int} product(s)")]
async fn product_count(world: &mut OvWorld, name: String, count: usize) {
    assert_eq!(world.read(&name).await.products.len(), count);
}

#[then(expr = "the log of card {string} holds {int} transaction(s)")]
async fn log_len(world: &mut OvWorld, name: String, count: usize) {
    assert_eq!(world.read(&name).await.log.len(), count);
}

#[then(expr = "the newest transaction of card {string} is a(n) {word} of {money}")]
async fn newest(world: &mut OvWorld, name: String, kind: String, amount: Money) {
    let card = world.read(&name).await;
    let last = card
        .log
        .last()
        .unwrap_or_else(|| panic!("card \"{name}\" has an empty log"));
    assert_eq!((kebab(&last.kind), last.amount), (kind, amount.0));
}

#[then(expr = "the oldest transaction of card {string} is a(n) {word} of {money}")]
async fn oldest(world: &mut OvWorld, name: String, kind: String, amount: Money) {
    let card = world.read(&name).await;
    let first = card
        .log
        .first()
        .unwrap_or_else(|| panic!("card \"{name}\" has an empty log"));
    assert_eq!((kebab(&first.kind), first.amount), (kind, amount.0));
}

#[then(expr = "the log of card {string} shows, oldest first: {word}")]
async fn log_kinds(world: &mut OvWorld, name: String, kinds: String) {
    let card = world.read(&name).await;
    let got: Vec<String> = card.log.iter().map(|e| kebab(&e.kind)).collect();
    assert_eq!(got.join(","), kinds);
}

/// Serde's kebab-case name of an enum value, as features write it.
pub fn kebab<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{:?}", serde_json::to_value(value)))
}
