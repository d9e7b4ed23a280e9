//! Steps about the tariff sheet (FEE-01..04): card prices and surcharges, load surcharges,
//! and the failed direct-debit timeline. Refund fees (FEE-02) use the refund steps of
//! [`super::terms`]; outcomes share its "the issuer accepts/refuses" steps.

use cucumber::{then, when};
use ovcert_reference::card::{CardKind, Holder};
use ovcert_reference::fees::{DebitPurpose, PaymentMethod, SaleChannel};
use ovcert_reference::machine::{IssueRequest, LoadChannel};
use ovcert_reference::terms::{DebitView, DebtPaid, PaidLoad, Sale};

use super::params::{Day, Money};
use super::terms::{account, check, hold, note, number};
use crate::world::OvWorld;

/// What fees scenarios remember between steps.
#[derive(Debug, Default)]
pub struct FeesWorld {
    pub sale: Option<Sale>,
    pub paid_load: Option<PaidLoad>,
    pub debit: Option<DebitView>,
    pub debt_paid: Option<DebtPaid>,
}

// ---- FEE-01: card prices ------------------------------------------------------------------

#[when(
    regex = r#"^the holder buys an? (anonymous|personal) card "([^"]+)" (at a machine|at a counter|online|with the paper form)$"#
)]
async fn buy(world: &mut OvWorld, kind: String, name: String, channel: String) {
    let kind = if kind == "personal" {
        CardKind::Personal
    } else {
        CardKind::Anonymous
    };
    let channel = match channel.as_str() {
        "at a machine" => SaleChannel::Machine,
        "at a counter" => SaleChannel::Counter,
        "online" => SaleChannel::Online,
        _ => SaleChannel::PaperForm,
    };
    let (number, uid) = world.next_card_number();
    let holder = (kind == CardKind::Personal).then(|| Holder {
        birth_date: jiff::civil::date(1990, 5, 1),
        name: format!("Reiziger {name}"),
    });
    let request = IssueRequest {
        kind,
        number,
        uid,
        holder,
        travel_right: None,
    };
    let outcome = world
        .sut
        .sell_card(request, channel)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(sale) = note(world, outcome) {
        hold(world, &name, sale.image.clone());
        check(world, &name).await;
        world.fees.sale = Some(sale);
    }
}

#[then(expr = "the card costs {money}, of which {money} surcharge")]
async fn card_costs(world: &mut OvWorld, total: Money, surcharge: Money) {
    let sale = world.fees.sale.as_ref().expect("a card was sold");
    assert_eq!(
        (sale.price.total_cents, sale.price.surcharge_cents),
        (total.0, surcharge.0)
    );
}

#[then(expr = "the statement of card {string} shows {money} in fees")]
async fn fees_in_statement(world: &mut OvWorld, name: String, amount: Money) {
    assert_eq!(account(world, &name).await.statement.fees, amount.0);
}

#[then(expr = "the statement of card {string} shows {money} auto-reloaded")]
async fn auto_reloaded(world: &mut OvWorld, name: String, amount: Money) {
    assert_eq!(
        account(world, &name).await.statement.auto_reloaded,
        amount.0
    );
}

// ---- FEE-03: loads -----------------------------------------------------------------------

#[when(
    regex = r#"^card "([^"]+)" is loaded with (€\d+[.,]\d{2}) at (a machine|an NS machine|a service point), paid (in cash|by debit card|by credit card)$"#
)]
async fn paid_load(world: &mut OvWorld, name: String, amount: String, place: String, paid: String) {
    let amount: Money = amount.parse().unwrap_or_else(|e| panic!("{e}"));
    let channel = match place.as_str() {
        "a machine" => LoadChannel::Machine,
        "an NS machine" => LoadChannel::NsMachine,
        _ => LoadChannel::ServicePoint,
    };
    let payment = match paid.as_str() {
        "in cash" => PaymentMethod::Cash,
        "by debit card" => PaymentMethod::DebitCard,
        _ => PaymentMethod::CreditCard,
    };
    let image = world.image(&name);
    let load = world
        .sut
        .paid_load(&image, amount.0, channel, payment)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world
        .apply_machine(&name, load.outcome.clone(), amount.0)
        .await;
    check(world, &name).await;
    world.fees.paid_load = Some(load);
}

#[then(expr = "the load surcharge is {money} and the holder paid {money}")]
async fn load_surcharge(world: &mut OvWorld, surcharge: Money, total: Money) {
    let load = world.fees.paid_load.as_ref().expect("a paid load");
    assert_eq!((load.surcharge, load.total_paid), (surcharge.0, total.0));
}

// ---- FEE-04: failed direct debits ----------------------------------------------------------

#[when(
    regex = r#"^the holder's bank refuses the direct debit of (€\d+[.,]\d{2}) for the (auto-reload|card cost) of card "([^"]+)"$"#
)]
async fn debit_fails(world: &mut OvWorld, amount: String, purpose: String, name: String) {
    let amount: Money = amount.parse().unwrap_or_else(|e| panic!("{e}"));
    let purpose = if purpose == "auto-reload" {
        DebitPurpose::AutoReload
    } else {
        DebitPurpose::CardCost
    };
    let number = number(world, &name).await;
    let outcome = world
        .sut
        .direct_debit_failed(number, purpose, amount.0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.fees.debit = note(world, outcome);
    check(world, &name).await;
}

async fn debit(world: &mut OvWorld, name: &str) -> DebitView {
    let view = account(world, name).await;
    *view
        .debits
        .last()
        .unwrap_or_else(|| panic!("card \"{name}\" has no failed debit"))
}

#[then(expr = "the debt of card {string} is at the {word} stage with {money} owed")]
async fn debt_stage(world: &mut OvWorld, name: String, stage: String, owed: Money) {
    let debit = debit(world, &name).await;
    let got = serde_json::to_value(debit.stage).expect("serialisable");
    assert_eq!(
        (got["stage"].as_str(), debit.owed),
        (Some(stage.as_str()), owed.0),
        "{debit:?}"
    );
}

#[then(expr = "the debt of card {string} must be paid by {date}")]
async fn debt_pay_by(world: &mut OvWorld, name: String, day: Day) {
    let debit = debit(world, &name).await;
    let got = serde_json::to_value(debit.stage).expect("serialisable");
    assert_eq!(
        got["pay_by"].as_str(),
        Some(day.0.to_string().as_str()),
        "{debit:?}"
    );
}

#[then(expr = "the admin costs of the debt of card {string} are {money}")]
async fn debt_admin(world: &mut OvWorld, name: String, amount: Money) {
    assert_eq!(debit(world, &name).await.admin_costs_due, amount.0);
}

#[then(expr = "the issuer made {int} debit attempt(s) for card {string}")]
async fn attempts(world: &mut OvWorld, count: u32, name: String) {
    assert_eq!(debit(world, &name).await.debit_attempts, count);
}

#[then(regex = r#"^the balance of card "([^"]+)" is (blocked|not blocked) for the debt$"#)]
async fn blocked_for_debt(world: &mut OvWorld, name: String, state: String) {
    assert_eq!(
        account(world, &name).await.balance_blocked_by_debt,
        state == "blocked"
    );
}

#[when(expr = "the holder of card {string} pays {money} of the debt")]
async fn pay(world: &mut OvWorld, name: String, amount: Money) {
    let number = number(world, &name).await;
    let outcome = world
        .sut
        .pay_debt(number, amount.0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.fees.debt_paid = note(world, outcome);
    check(world, &name).await;
}

#[then(expr = "the payment settles {money}, leaving {money} owed")]
async fn payment_settles(world: &mut OvWorld, paid: Money, owed: Money) {
    let debt = world.fees.debt_paid.expect("a debt payment was taken");
    assert_eq!((debt.paid, debt.still_owed), (paid.0, owed.0));
}
