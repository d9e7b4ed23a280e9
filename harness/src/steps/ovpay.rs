//! Steps about OVpay payments and risk (EMV-03..05, EMV-08..16, EMV-18): the bank simulator's
//! test controls, payments, debt and blocks, the deny list's versions at readers, the service
//! lookup and correction, and inspection. Thin: every step is one call of the SUT's
//! [`PaymentsApi`](crate::sut::PaymentsApi) and an assertion on its answer.

use std::collections::BTreeSet;

use cucumber::gherkin::Step;

use super::table::assert_table;
use cucumber::{given, then, when};
use ovcert_reference::Cents;
use ovcert_reference::backoffice::bank::BankRequestKind;
use ovcert_reference::backoffice::payments::reference::is_well_formed;
use ovcert_reference::backoffice::payments::service::CorrectionRefusal;
use ovcert_reference::backoffice::payments::{ChargeKind, PaymentStatus};
use ovcert_reference::time::local;

use super::card::kebab;
use super::journey::assert_no_pan;
use super::params::{Instant, Money};
use crate::sut::payments::{
    BankAnswer, BankBlock, CorrectionOutcome, CorrectionRequest, DenyReason, InspectionView,
    LiftOutcome, Lookup, PaymentAccount, Registration,
};
use crate::world::OvWorld;

/// What OVpay scenarios remember between steps.
#[derive(Debug, Default)]
pub struct OvpayWorld {
    /// EMV-15: the service's last answer.
    pub lookup: Option<Lookup>,
    /// EMV-18: the last correction's outcome.
    pub correction: Option<CorrectionOutcome>,
    /// EMV-16: the last inspection's view.
    pub inspection: Option<InspectionView>,
    /// EMV-04: the last answer to a request to lift a block.
    pub lift: Option<LiftOutcome>,
}

fn fail<E: std::fmt::Display>(e: E) -> ! {
    panic!("{e}")
}

fn parse<T: serde::de::DeserializeOwned>(word: &str, what: &str) -> T {
    serde_json::from_value(serde_json::Value::String(word.to_string()))
        .unwrap_or_else(|_| panic!("`{word}` is no {what}"))
}

/// "2024-06-13 03:05" (seconds only when not zero), local time.
fn local_minute(at: jiff::Timestamp) -> String {
    let zoned = local(at);
    if zoned.second() == 0 {
        zoned.strftime("%Y-%m-%d %H:%M").to_string()
    } else {
        zoned.strftime("%Y-%m-%d %H:%M:%S").to_string()
    }
}

async fn account(world: &mut OvWorld, name: &str) -> PaymentAccount {
    let card = world.emv(name);
    world
        .sut
        .payment_account(&card)
        .await
        .unwrap_or_else(|e| fail(e))
}

// ---- the bank simulator (test controls) --------------------------------------------------

#[given(
    regex = r#"^the bank registers bank card "([^"]+)" as ([a-z0-9-]+) (with|without) a travel function$"#
)]
async fn bank_registers(world: &mut OvWorld, name: String, scheme: String, with: String) {
    let card = world.emv(&name);
    let registration = Registration {
        scheme,
        travel_function: with == "with",
    };
    world
        .sut
        .bank_register(&card, registration)
        .await
        .unwrap_or_else(|e| fail(e));
}

/// A comma-separated list: approve, decline-insufficient-funds, decline-lost, decline-stolen,
/// decline-blocked, no-answer.
#[given(expr = "the bank answers the next payments of bank card {string} with: {word}")]
#[when(expr = "the bank answers the next payments of bank card {string} with: {word}")]
async fn bank_script(world: &mut OvWorld, name: String, answers: String) {
    let card = world.emv(&name);
    let answers: Vec<BankAnswer> = answers
        .split(',')
        .map(|a| parse(a.trim(), "bank answer"))
        .collect();
    world
        .sut
        .bank_script(&card, answers)
        .await
        .unwrap_or_else(|e| fail(e));
}

#[given(expr = "the bank answers every further payment of bank card {string} with {word}")]
async fn bank_default(world: &mut OvWorld, name: String, answer: String) {
    let card = world.emv(&name);
    world
        .sut
        .bank_default(&card, parse(&answer, "bank answer"))
        .await
        .unwrap_or_else(|e| fail(e));
}

#[given(regex = r#"^the bank reports bank card "([^"]+)" as (lost|stolen|blocked)$"#)]
#[when(regex = r#"^the bank reports bank card "([^"]+)" as (lost|stolen|blocked)$"#)]
async fn bank_reports(world: &mut OvWorld, name: String, block: String) {
    let card = world.emv(&name);
    let block = match block.as_str() {
        "lost" => BankBlock::Lost,
        "stolen" => BankBlock::Stolen,
        _ => BankBlock::Other,
    };
    world
        .sut
        .bank_block(&card, Some(block))
        .await
        .unwrap_or_else(|e| fail(e));
}

#[when(expr = "the bank lifts its block of bank card {string}")]
async fn bank_lifts(world: &mut OvWorld, name: String) {
    let card = world.emv(&name);
    world
        .sut
        .bank_block(&card, None)
        .await
        .unwrap_or_else(|e| fail(e));
}

#[then(expr = "the bank received {int} account status check(s) for bank card {string}")]
async fn status_checks(world: &mut OvWorld, count: usize, name: String) {
    let card = world.emv(&name);
    let requests = world
        .sut
        .bank_requests(&card)
        .await
        .unwrap_or_else(|e| fail(e));
    let checks = requests
        .iter()
        .filter(|r| matches!(r.kind, BankRequestKind::AccountStatus { .. }))
        .count();
    assert_eq!(checks, count, "{requests:#?}");
}

/// A table `| at | amount | answer |`, one row per payment request in order.
#[then(expr = "the bank received these payment requests for bank card {string}:")]
async fn payment_requests(world: &mut OvWorld, name: String, step: &Step) {
    let table = step
        .table
        .as_ref()
        .expect("a table | at | amount | answer |");
    let card = world.emv(&name);
    let requests = world
        .sut
        .bank_requests(&card)
        .await
        .unwrap_or_else(|e| fail(e));
    let got: Vec<Vec<String>> = requests
        .iter()
        .filter_map(|r| match &r.kind {
            BankRequestKind::Payment {
                amount_cents,
                answer,
                ..
            } => Some(vec![
                local_minute(r.at),
                amount_cents.to_string(),
                kebab(answer),
            ]),
            BankRequestKind::AccountStatus { .. } => None,
        })
        .collect();
    let expected: Vec<Vec<String>> = table.rows.iter().skip(1).cloned().collect();
    assert_eq!(got, expected, "payment requests for \"{name}\"");
}

#[then(expr = "the bank received {int} payment request(s) for bank card {string}")]
async fn payment_request_count(world: &mut OvWorld, count: usize, name: String) {
    let card = world.emv(&name);
    let requests = world
        .sut
        .bank_requests(&card)
        .await
        .unwrap_or_else(|e| fail(e));
    let payments: Vec<String> = requests
        .iter()
        .filter(|r| matches!(r.kind, BankRequestKind::Payment { .. }))
        .map(|r| local_minute(r.at))
        .collect();
    assert_eq!(payments.len(), count, "requests at {payments:?}");
}

// ---- payments, debt and blocks -------------------------------------------------------------

#[then(expr = "bank card {string} has {int} payment(s)")]
async fn payment_count(world: &mut OvWorld, name: String, count: usize) {
    let account = account(world, &name).await;
    assert_eq!(account.payments.len(), count, "{:#?}", account.payments);
}

fn kind_text(kind: &ChargeKind) -> String {
    match kind {
        ChargeKind::NightCharge => "night-charge".into(),
        ChargeKind::Threshold { operator } => format!("threshold {operator}"),
        ChargeKind::PerTrip => "per-trip".into(),
        ChargeKind::Supplement => "supplement".into(),
    }
}

fn status_text(status: &PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Paid { .. } => "paid",
        PaymentStatus::Open { .. } => "open",
        PaymentStatus::Cleared { .. } => "cleared",
    }
}

/// A table with any of the columns `| payment | day | kind | amount | status | at | attempts |`,
/// one row per payment in order (`at`: when it was made, local time).
#[then(expr = "the payments of bank card {string} are:")]
async fn payments_are(world: &mut OvWorld, name: String, step: &Step) {
    let account = account(world, &name).await;
    let what = format!("payments of \"{name}\"");
    assert_table(
        step,
        &what,
        &account.payments,
        "payment, day, kind, amount, status, at, attempts",
        |i, p, column| {
            Some(match column {
                "payment" => (i + 1).to_string(),
                "day" => p.travel_day.0.to_string(),
                "kind" => kind_text(&p.kind),
                "amount" => p.amount_cents.to_string(),
                "status" => status_text(&p.status).to_string(),
                "at" => local_minute(p.created_at),
                "attempts" => p.attempts.len().to_string(),
                _ => return None,
            })
        },
    );
}

/// EMV-11: 14 characters, "NLOV" + 10 letters or digits, each payment its own.
#[then(
    expr = "every payment of bank card {string} has its own reference of 14 letters and digits starting with {string}"
)]
async fn references_well_formed(world: &mut OvWorld, name: String, prefix: String) {
    let account = account(world, &name).await;
    assert!(!account.payments.is_empty(), "no payments");
    let mut seen = BTreeSet::new();
    for p in &account.payments {
        let text = p.reference.as_str();
        assert_eq!(text.len(), 14, "{text}");
        assert!(text.starts_with(&prefix), "{text}");
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric()), "{text}");
        assert!(is_well_formed(text), "{text}");
        assert!(seen.insert(text.to_string()), "{text} twice");
    }
}

#[then(expr = "the open debt of bank card {string} is {money}")]
async fn open_debt(world: &mut OvWorld, name: String, amount: Money) {
    assert_eq!(account(world, &name).await.open_debt_cents, amount.0);
}

#[then(expr = "bank card {string} is on the deny list for {word}")]
async fn listed_for(world: &mut OvWorld, name: String, reason: String) {
    let reason: DenyReason = parse(&reason, "deny reason");
    let account = account(world, &name).await;
    assert!(
        account.deny_reasons.contains(&reason),
        "\"{name}\" is listed for {:?}",
        account.deny_reasons
    );
}

#[then(expr = "bank card {string} is not on the deny list")]
async fn not_listed(world: &mut OvWorld, name: String) {
    let account = account(world, &name).await;
    assert!(
        account.deny_reasons.is_empty(),
        "\"{name}\" is listed for {:?}",
        account.deny_reasons
    );
}

/// A table `| day | amount | set off | paid back |`, one row per refund in order.
#[then(expr = "the refunds of bank card {string} are:")]
async fn refunds_are(world: &mut OvWorld, name: String, step: &Step) {
    let table = step
        .table
        .as_ref()
        .expect("a table | day | amount | set off | paid back |");
    let account = account(world, &name).await;
    let got: Vec<Vec<String>> = account
        .refunds
        .iter()
        .map(|r| {
            vec![
                r.travel_day.0.to_string(),
                r.amount_cents.to_string(),
                r.set_off_cents.to_string(),
                r.paid_back_cents.to_string(),
            ]
        })
        .collect();
    let expected: Vec<Vec<String>> = table.rows.iter().skip(1).cloned().collect();
    assert_eq!(got, expected, "refunds of \"{name}\"");
}

/// SET-02 with OVpay payments.
#[then(expr = "the settlement shows OVpay refunds of {money} and open debt of {money}")]
async fn settlement_refunds_debt(world: &mut OvWorld, refunds: Money, debt: Money) {
    let statement = &world
        .settlements
        .last()
        .expect("a day was settled")
        .statement;
    assert_eq!(
        (
            statement.travellers.refunds_cents,
            statement.travellers.open_debt_cents
        ),
        (refunds.0, debt.0),
        "{:#?}",
        statement.travellers
    );
}

// ---- EMV-04: lifting a block -----------------------------------------------------------------

#[when(expr = "an operator asks to lift the block of bank card {string}")]
async fn lift(world: &mut OvWorld, name: String) {
    let card = world.identity(&name).await;
    let outcome = world
        .sut
        .lift_bank_card_block(card)
        .await
        .unwrap_or_else(|e| fail(e));
    world.ovpay.lift = Some(outcome);
}

#[then("the block is lifted")]
async fn lifted(world: &mut OvWorld) {
    assert_eq!(world.ovpay.lift, Some(LiftOutcome::Lifted));
}

#[then(expr = "the block stays: the bank's decision {word}")]
async fn lift_refused(world: &mut OvWorld, reason: String) {
    let reason: DenyReason = parse(&reason, "deny reason");
    assert_eq!(world.ovpay.lift, Some(LiftOutcome::BankDecision { reason }));
}

// ---- EMV-05: the deny list at readers ----------------------------------------------------

#[then(expr = "the back office's deny list is at version {int}")]
async fn back_office_version(world: &mut OvWorld, version: u64) {
    let got = world
        .sut
        .deny_list_version()
        .await
        .unwrap_or_else(|e| fail(e));
    assert_eq!(got, version);
}

#[then(expr = "reader {string} holds deny-list version {int}")]
async fn reader_version(world: &mut OvWorld, name: String, version: u64) {
    let reader = world.reader(&name);
    let got = world
        .sut
        .reader_deny_list_version(&reader)
        .await
        .unwrap_or_else(|e| fail(e));
    assert_eq!(got, version, "reader \"{name}\"");
}

// ---- EMV-15: the service -----------------------------------------------------------------

async fn reference_of(world: &mut OvWorld, number: usize, name: &str) -> (String, Cents) {
    let account = account(world, name).await;
    let payment = account
        .payments
        .get(number.wrapping_sub(1))
        .unwrap_or_else(|| panic!("\"{name}\" has no payment {number}"));
    (payment.reference.to_string(), payment.amount_cents)
}

async fn look_up(world: &mut OvWorld, reference: &str, amount: Cents) {
    let answer = world
        .sut
        .service_lookup(reference, amount)
        .await
        .unwrap_or_else(|e| fail(e));
    world.ovpay.lookup = Some(answer);
}

/// The traveller gives the reference and amount from the bank statement.
#[when(expr = "the service is asked for payment {int} of bank card {string} with its amount")]
async fn lookup_payment(world: &mut OvWorld, number: usize, name: String) {
    let (reference, amount) = reference_of(world, number, &name).await;
    look_up(world, &reference, amount).await;
}

#[when(expr = "the service is asked for payment {int} of bank card {string} with amount {money}")]
async fn lookup_payment_amount(world: &mut OvWorld, number: usize, name: String, amount: Money) {
    let (reference, _) = reference_of(world, number, &name).await;
    look_up(world, &reference, amount.0).await;
}

#[when(expr = "the service is asked for reference {string} with amount {money}")]
async fn lookup_text(world: &mut OvWorld, reference: String, amount: Money) {
    look_up(world, &reference, amount.0).await;
}

#[when(expr = "the service is asked for the card number of bank card {string} with amount {money}")]
async fn lookup_by_pan(world: &mut OvWorld, name: String, amount: Money) {
    let pan = world.emv(&name).pan;
    look_up(world, &pan, amount.0).await;
}

fn found(world: &OvWorld) -> &ovcert_reference::backoffice::payments::service::ServiceView {
    match &world.ovpay.lookup {
        Some(Lookup::Found(view)) => view,
        other => panic!("the service found nothing: {other:?}"),
    }
}

#[then("the service finds nothing")]
async fn finds_nothing(world: &mut OvWorld) {
    assert_eq!(world.ovpay.lookup, Some(Lookup::NotFound));
}

#[then(expr = "the service shows a {word} payment of {money} for travel day {word}")]
async fn shows_payment(world: &mut OvWorld, status: String, amount: Money, day: String) {
    let view = found(world);
    assert_eq!(
        (
            status_text(&view.payment.status).to_string(),
            view.payment.amount_cents,
            view.payment.travel_day.0.to_string()
        ),
        (status, amount.0, day)
    );
}

/// A table `| legs | fare |`: "from > to" per leg by station name, "?" for a missing check-out.
#[then("the service shows these journeys:")]
async fn shows_journeys(world: &mut OvWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table | legs | fare |");
    let got: Vec<Vec<String>> = found(world)
        .journeys
        .iter()
        .map(|j| {
            let legs = j
                .legs
                .iter()
                .map(|l| format!("{} > {}", l.from, l.to.as_deref().unwrap_or("?")))
                .collect::<Vec<_>>()
                .join(", ");
            vec![legs, j.fare_cents.to_string()]
        })
        .collect();
    let expected: Vec<Vec<String>> = table.rows.iter().skip(1).cloned().collect();
    assert_eq!(got, expected);
}

#[then(expr = "the service shows an open debt of {money}")]
async fn shows_debt(world: &mut OvWorld, amount: Money) {
    assert_eq!(found(world).open_debt_cents, amount.0);
}

#[then(expr = "the service's answer shows no card number of {string}")]
async fn lookup_no_pan(world: &mut OvWorld, name: String) {
    let text = serde_json::to_string(&world.ovpay.lookup).expect("serialises");
    assert_no_pan(world, &name, &text);
}

// ---- EMV-18: correction of a missed check-out ----------------------------------------------

/// The traveller names the journey by its check-in and states where and when they got off.
#[when(
    expr = "the traveller corrects the missed check-out of the check-in at {instant} with payment {int} of bank card {string}: checked out at {string} at {instant}"
)]
async fn correct(
    world: &mut OvWorld,
    check_in: Instant,
    number: usize,
    name: String,
    station: String,
    at: Instant,
) {
    let (reference, amount) = reference_of(world, number, &name).await;
    let station = world
        .rules
        .station_by_name(&station)
        .map_or(station.clone(), |s| s.id.to_string());
    let request = CorrectionRequest {
        reference,
        amount_cents: amount,
        check_in_at: check_in.0,
        check_out_station: station.into(),
        check_out_at: at.0,
    };
    let outcome = world
        .sut
        .correct_missed_check_out(request)
        .await
        .unwrap_or_else(|e| fail(e));
    world.ovpay.correction = Some(outcome);
}

#[then(expr = "the correction re-priced the journey from {money} to {money}")]
async fn repriced(world: &mut OvWorld, before: Money, after: Money) {
    match &world.ovpay.correction {
        Some(CorrectionOutcome::Corrected {
            fare_before_cents,
            fare_after_cents,
            ..
        }) => assert_eq!((*fare_before_cents, *fare_after_cents), (before.0, after.0)),
        other => panic!("expected a correction, got {other:?}"),
    }
}

#[then(expr = "the correction refunded {money} and charged {money}")]
async fn correction_money(world: &mut OvWorld, refunded: Money, charged: Money) {
    match &world.ovpay.correction {
        Some(CorrectionOutcome::Corrected {
            refunded_cents,
            charged_cents,
            ..
        }) => assert_eq!((*refunded_cents, *charged_cents), (refunded.0, charged.0)),
        other => panic!("expected a correction, got {other:?}"),
    }
}

#[then(expr = "the correction is refused: {word}")]
async fn correction_refused(world: &mut OvWorld, reason: String) {
    let reason: CorrectionRefusal = parse(&reason, "correction refusal");
    assert_eq!(
        world.ovpay.correction,
        Some(CorrectionOutcome::Refused { reason })
    );
}

// ---- EMV-16: inspection --------------------------------------------------------------------

#[when(regex = r#"^inspector device "([^"]+)" checks bank card "([^"]+)" (with|without) consent$"#)]
async fn inspect(world: &mut OvWorld, device: String, name: String, consent: String) {
    let card = world.emv(&name);
    let view = world
        .sut
        .inspect(&device, &card, consent == "with")
        .await
        .unwrap_or_else(|e| fail(e));
    world.ovpay.inspection = Some(view);
}

fn inspection(world: &OvWorld) -> &InspectionView {
    world
        .ovpay
        .inspection
        .as_ref()
        .expect("an inspection happened earlier in the scenario")
}

fn checked_in_text(view: &InspectionView) -> String {
    if view.checked_in.is_empty() {
        return "not checked in".into();
    }
    view.checked_in
        .iter()
        .map(|t| format!("checked in at {} with {}", t.station, t.operator))
        .collect::<Vec<_>>()
        .join("; ")
}

#[then(expr = "the inspection shows the card {string}")]
async fn inspection_status(world: &mut OvWorld, expected: String) {
    assert_eq!(checked_in_text(inspection(world)), expected);
}

#[then(expr = "the inspection shows {int} transaction(s)")]
async fn inspection_count(world: &mut OvWorld, count: usize) {
    let view = inspection(world);
    assert_eq!(view.transactions.len(), count, "{:#?}", view.transactions);
}

/// A table `| at | station | kind |`, newest first.
#[then("the inspection shows these transactions:")]
async fn inspection_transactions(world: &mut OvWorld, step: &Step) {
    let table = step
        .table
        .as_ref()
        .expect("a table | at | station | kind |");
    let got: Vec<Vec<String>> = inspection(world)
        .transactions
        .iter()
        .map(|t| {
            // "2024-06-12T09:00:00+02:00" → "2024-06-12 09:00"
            let at = t.at.get(..16).unwrap_or(&t.at).replace('T', " ");
            vec![at, t.station.clone(), kebab(&t.kind)]
        })
        .collect();
    let expected: Vec<Vec<String>> = table.rows.iter().skip(1).cloned().collect();
    assert_eq!(got, expected);
}

#[then(expr = "the inspection shows no card number of {string}")]
async fn inspection_no_pan(world: &mut OvWorld, name: String) {
    let text = serde_json::to_string(inspection(world)).expect("serialises");
    assert_no_pan(world, &name, &text);
}

#[then(expr = "inspector device {string} shows nothing")]
async fn device_empty(world: &mut OvWorld, device: String) {
    let screen = world
        .sut
        .inspection_screen(&device)
        .await
        .unwrap_or_else(|e| fail(e));
    assert_eq!(screen, None);
}

#[then(expr = "inspector device {string} shows the card {string}")]
async fn device_shows(world: &mut OvWorld, device: String, expected: String) {
    let screen = world
        .sut
        .inspection_screen(&device)
        .await
        .unwrap_or_else(|e| fail(e));
    let screen = screen.unwrap_or_else(|| panic!("device \"{device}\" shows nothing"));
    assert_eq!(checked_in_text(&screen), expected);
}

#[then(expr = "inspector device {string} shows {int} transaction(s)")]
async fn device_transactions(world: &mut OvWorld, device: String, count: usize) {
    let screen = world
        .sut
        .inspection_screen(&device)
        .await
        .unwrap_or_else(|e| fail(e))
        .unwrap_or_else(|| panic!("device \"{device}\" shows nothing"));
    assert_eq!(screen.transactions.len(), count);
}
