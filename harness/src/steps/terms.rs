//! Steps about the general terms (TERM-01..16): the issuer's account of a card, refunds at
//! service points and with the form, loss and theft, replacement, fraud, the end of the usage
//! right, objections, corrections, disputes and missed check-out refunds.
//!
//! After every operation the steps check the account's invariant through the SUT: the
//! holder's statement balances (money in = fares + fees + refunds + … + what is left).

use std::collections::BTreeMap;

use cucumber::{given, then, when};
use ovcert_reference::Cents;
use ovcert_reference::card::{CardKind, CardNumber, Holder};
use ovcert_reference::machine::{IssueRequest, MachineOutcome};
use ovcert_reference::terms::{
    AccountView, BalanceSettled, BlockScope, Conduct, CorrectionAssessed, DisputeDeadline,
    EndReason, FraudReport, FraudSettled, LossReported, MissedRefund, ObjectionAccepted, Outcome,
    RefundChannel, RefundRequest, Refunded, ReplaceReason, Replaced, TermsRefusal, Usage,
    UsageEnded,
};
use serde::Serialize;

use super::card::kebab;
use super::params::{Day, Instant, Money};
use crate::sut::PresentedCard;
use crate::world::{HeldCard, OvWorld};

/// What terms scenarios remember between steps.
#[derive(Debug, Default)]
pub struct TermsWorld {
    /// The last card-holder operation: what it answered (as JSON), or why it was refused.
    pub last: Option<Result<serde_json::Value, TermsRefusal>>,
    pub refund: Option<Refunded>,
    pub loss: Option<LossReported>,
    pub settled: Option<BalanceSettled>,
    pub replaced: Option<Replaced>,
    pub fraud: Option<FraudSettled>,
    pub ended: Option<UsageEnded>,
    pub objection: Option<ObjectionAccepted>,
    pub correction: Option<CorrectionAssessed>,
    pub deadline: Option<DisputeDeadline>,
    pub complaints: BTreeMap<String, u32>,
    pub missed: Option<MissedRefund>,
}

/// Remembers an operation's outcome for the generic "accepts"/"refuses" steps; returns what
/// was done.
pub fn note<T: Serialize>(world: &mut OvWorld, outcome: Outcome<T>) -> Option<T> {
    match outcome {
        Outcome::Done(value) => {
            world.terms.last = Some(Ok(serde_json::to_value(&value).unwrap_or_default()));
            Some(value)
        }
        Outcome::Refused { reason } => {
            world.terms.last = Some(Err(reason));
            None
        }
    }
}

/// The printed number of a card the scenario holds.
pub async fn number(world: &mut OvWorld, name: &str) -> CardNumber {
    world.read(name).await.number
}

/// The issuer's account of a card; checks the statement balances (an invariant after every
/// operation).
pub async fn account(world: &mut OvWorld, name: &str) -> AccountView {
    let number = number(world, name).await;
    let view = world
        .sut
        .card_account(number)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the issuer has no account of card \"{name}\""));
    let s = &view.statement;
    assert_eq!(
        s.money_in(),
        s.money_out_and_left(),
        "invariant: the statement of card \"{name}\" does not balance: {s:?}"
    );
    view
}

/// The invariants after an operation on a card: its statement balances and the chip holds
/// what the suite saw move.
pub async fn check(world: &mut OvWorld, name: &str) {
    account(world, name).await;
    world.check_card_invariants(name).await;
}

/// Puts a card the SUT wrote into the traveller's hand under `name`.
pub fn hold(world: &mut OvWorld, name: &str, image: Vec<u8>) {
    world.cards.insert(
        name.to_string(),
        HeldCard {
            card: PresentedCard::OvChipkaart { image },
            expected_balance: Cents::ZERO,
        },
    );
}

fn parse<T: serde::de::DeserializeOwned>(word: &str, what: &str) -> T {
    serde_json::from_value(serde_json::Value::String(word.to_string()))
        .unwrap_or_else(|_| panic!("`{word}` is no {what}"))
}

fn station(world: &OvWorld, name: &str) -> String {
    world
        .rules
        .station_by_name(name)
        .unwrap_or_else(|| panic!("no station \"{name}\" in the rule set"))
        .id
        .to_string()
}

// ---- TERM-01: whose card, which terms ----------------------------------------------------

#[given(expr = "a business card {string} issued by a business-card provider")]
async fn business_card(world: &mut OvWorld, name: String) {
    let (number, uid) = world.next_card_number();
    let request = IssueRequest {
        kind: CardKind::Personal,
        number,
        uid,
        holder: Some(Holder {
            birth_date: jiff::civil::date(1980, 1, 1),
            name: format!("Zakelijk {name}"),
        }),
        travel_right: None,
    };
    let image = world
        .sut
        .issue_business_card(request)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    hold(world, &name, image);
    world.check_card_invariants(&name).await;
}

#[then(expr = "the general terms apply to card {string}")]
async fn terms_apply(world: &mut OvWorld, name: String) {
    assert!(account(world, &name).await.terms_apply);
}

#[then(expr = "the general terms do not apply to card {string}")]
async fn terms_do_not_apply(world: &mut OvWorld, name: String) {
    assert!(!account(world, &name).await.terms_apply);
}

#[then(expr = "card {string} is the property of {string}")]
async fn owner_is(world: &mut OvWorld, name: String, owner: String) {
    assert_eq!(account(world, &name).await.owner, owner);
}

// ---- generic outcomes ----------------------------------------------------------------------

#[then("the issuer accepts")]
async fn accepts(world: &mut OvWorld) {
    match &world.terms.last {
        Some(Ok(_)) => {}
        other => panic!("expected the operation to be done, got {other:?}"),
    }
}

#[then(expr = "the issuer refuses: {word}")]
async fn refuses(world: &mut OvWorld, reason: String) {
    match &world.terms.last {
        Some(Err(got)) => assert_eq!(kebab(got), reason),
        other => panic!("expected a refusal ({reason}), got {other:?}"),
    }
}

// ---- TERM-02 / TERM-03 / TERM-04: refunds -------------------------------------------------

async fn refund(world: &mut OvWorld, name: &str, request: RefundRequest) {
    let image = world.image(name);
    let before = world.read(name).await.balance();
    let outcome = world
        .sut
        .refund(&image, request)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(done) = note(world, outcome) {
        // The service point took the chip's balance off the card.
        let credited = before.checked_neg().expect("small");
        let written = MachineOutcome::Done {
            image: done.image.clone(),
            balance: Cents::ZERO,
        };
        world.apply_machine(name, written, credited).await;
        world.terms.refund = Some(done);
    }
    check(world, name).await;
}

#[when(expr = "the holder asks a refund of card {string} at a service point")]
async fn refund_service_point(world: &mut OvWorld, name: String) {
    let request = RefundRequest {
        channel: RefundChannel::ServicePoint,
        counter_evidence: false,
        terminate: false,
    };
    refund(world, &name, request).await;
}

#[when(
    expr = "the holder asks a refund of card {string} at a service point, showing counter-evidence"
)]
async fn refund_with_evidence(world: &mut OvWorld, name: String) {
    let request = RefundRequest {
        channel: RefundChannel::ServicePoint,
        counter_evidence: true,
        terminate: false,
    };
    refund(world, &name, request).await;
}

#[when(expr = "the holder ends card {string} at a service point")]
#[given(expr = "the holder ends card {string} at a service point")]
async fn end_at_service_point(world: &mut OvWorld, name: String) {
    let request = RefundRequest {
        channel: RefundChannel::ServicePoint,
        counter_evidence: false,
        terminate: true,
    };
    refund(world, &name, request).await;
}

#[when(expr = "the holder sends card {string} in with the refund form")]
async fn refund_form(world: &mut OvWorld, name: String) {
    let request = RefundRequest {
        channel: RefundChannel::Form,
        counter_evidence: false,
        terminate: true,
    };
    refund(world, &name, request).await;
}

fn last_refund(world: &OvWorld) -> &Refunded {
    world
        .terms
        .refund
        .as_ref()
        .expect("a refund was made earlier in the scenario")
}

#[then(expr = "the service point pays {money} in cash")]
async fn paid_cash(world: &mut OvWorld, amount: Money) {
    accepts(world).await;
    let refund = last_refund(world);
    assert_eq!(
        (refund.paid, kebab(&refund.paid_to)),
        (amount.0, "cash".into())
    );
}

#[then(expr = "{money} is paid to the holder's bank account")]
async fn paid_bank(world: &mut OvWorld, amount: Money) {
    let Some(Ok(done)) = &world.terms.last else {
        panic!("expected a payment, got {:?}", world.terms.last);
    };
    let paid: Cents = serde_json::from_value(done["paid"].clone())
        .unwrap_or_else(|_| panic!("the last operation paid nothing: {done}"));
    assert_eq!(paid, amount.0);
    if let Some(to) = done.get("paid_to") {
        assert_eq!(to, "bank-account", "{done}");
    }
}

#[then(expr = "the refund's admin fee is {money}")]
async fn admin_fee(world: &mut OvWorld, amount: Money) {
    assert_eq!(last_refund(world).admin_fee, amount.0);
}

#[then(expr = "the refund sets off {money}")]
async fn refund_set_off(world: &mut OvWorld, amount: Money) {
    assert_eq!(last_refund(world).set_off, amount.0);
}

#[then(expr = "card {string} is kept by the issuer")]
async fn kept(world: &mut OvWorld, name: String) {
    assert!(last_refund(world).card_kept_by_issuer);
    let view = account(world, &name).await;
    assert!(
        matches!(view.usage, Usage::Ended { .. }),
        "the usage right of \"{name}\" should have ended: {:?}",
        view.usage
    );
}

#[when(expr = "card {string} is loaded with {money} but the chip keeps its previous state")]
async fn torn_load(world: &mut OvWorld, name: String, amount: Money) {
    let image = world.image(&name);
    let outcome = world
        .sut
        .load(
            &image,
            amount.0,
            ovcert_reference::machine::LoadChannel::Machine,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(outcome, MachineOutcome::Done { .. }),
        "the machine should have accepted the load: {outcome:?}"
    );
    // The machine reported the load; the chip (held by the traveller) did not take it.
    world.check_card_invariants(&name).await;
}

#[then(expr = "the administration shows a balance of {money} for card {string}")]
async fn administrative_balance(world: &mut OvWorld, amount: Money, name: String) {
    assert_eq!(account(world, &name).await.administrative_balance, amount.0);
}

#[then(expr = "the administration of card {string} holds {money} more than was refunded")]
async fn difference(world: &mut OvWorld, name: String, amount: Money) {
    assert_eq!(account(world, &name).await.statement.difference, amount.0);
}

// TERM-02: correction claims.

#[when(expr = "the holder of card {string} claims a correction of a registration on {date}")]
async fn correction(world: &mut OvWorld, name: String, registered: Day) {
    correction_claim(world, &name, registered, None).await;
}

#[when(
    expr = "the holder of card {string} claims a correction of a registration on {date}, discovered on {date}"
)]
async fn correction_discovered(world: &mut OvWorld, name: String, registered: Day, found: Day) {
    correction_claim(world, &name, registered, Some(found)).await;
}

async fn correction_claim(world: &mut OvWorld, name: &str, registered: Day, found: Option<Day>) {
    let number = number(world, name).await;
    let image = world.image(name);
    let outcome = world
        .sut
        .correction_claim(number, registered.0, found.map(|d| d.0), Some(&image))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.terms.correction = note(world, outcome);
}

#[then(expr = "the claim is admissible until {date}")]
async fn claim_deadline(world: &mut OvWorld, day: Day) {
    let assessed = world
        .terms
        .correction
        .expect("a correction claim was admitted");
    assert_eq!(assessed.deadline, day.0);
}

#[then(expr = "the issuer weighs the card's {money} against the administration's {money}")]
async fn claim_balances(world: &mut OvWorld, card: Money, administration: Money) {
    let assessed = world
        .terms
        .correction
        .expect("a correction claim was admitted");
    assert_eq!(
        (assessed.card_balance, assessed.administrative_balance),
        (Some(card.0), administration.0)
    );
}

// ---- TERM-05 / TERM-06 / TERM-07 / TERM-08: loss, theft, replacement ------------------------

#[when(regex = r#"^the holder reports card "([^"]+)" (?:lost|stolen)$"#)]
#[given(regex = r#"^the holder reports card "([^"]+)" (?:lost|stolen)$"#)]
async fn report(world: &mut OvWorld, name: String) {
    let number = number(world, &name).await;
    let outcome = world
        .sut
        .report_lost_or_stolen(number)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.terms.loss = note(world, outcome);
    check(world, &name).await;
}

fn loss(world: &OvWorld) -> LossReported {
    world
        .terms
        .loss
        .expect("a loss or theft report was accepted")
}

#[then(expr = "the card is blocked at {instant}, the block being due by {instant}")]
async fn blocked_by(world: &mut OvWorld, at: Instant, due: Instant) {
    let loss = loss(world);
    assert_eq!(loss.block_deadline, due.0, "TERM-05: the 24-hour deadline");
    assert_eq!(loss.blocked_at, at.0);
}

#[then(expr = "card {string} was blocked within 24 hours of its report")]
async fn blocked_in_time(world: &mut OvWorld, name: String) {
    let report = account(world, &name)
        .await
        .report
        .unwrap_or_else(|| panic!("card \"{name}\" was not reported"));
    let limit = jiff::SignedDuration::from_hours(i64::from(world.rules.terms.loss_block_within_h));
    let took = report.blocked_at.duration_since(report.reported_at);
    assert!(
        took >= jiff::SignedDuration::ZERO && took <= limit,
        "TERM-05: blocked {took:?} after the report"
    );
    assert!(report.blocked_at <= world.now, "the block is in force now");
}

#[then(expr = "the issuer bears the risk from {instant}")]
async fn risk_from(world: &mut OvWorld, at: Instant) {
    assert_eq!(loss(world).risk_transfer_at, at.0);
}

#[then(expr = "the old balance is due by {date}")]
async fn due_by(world: &mut OvWorld, day: Day) {
    assert_eq!(loss(world).balance_due_by, day.0);
}

#[then(expr = "the administrative balance of card {string} before {instant} is {money}")]
async fn balance_before(world: &mut OvWorld, name: String, at: Instant, amount: Money) {
    let number = number(world, &name).await;
    let got = world
        .sut
        .administrative_balance_before(number, at.0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got, Some(amount.0));
}

async fn settle(world: &mut OvWorld, name: &str, conduct: Conduct) {
    let number = number(world, name).await;
    let outcome = world
        .sut
        .settle_old_balance(number, conduct)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.terms.settled = note(world, outcome);
    check(world, name).await;
}

#[when(expr = "the issuer pays out the old balance of card {string}")]
#[given(expr = "the issuer pays out the old balance of card {string}")]
async fn settle_careful(world: &mut OvWorld, name: String) {
    settle(world, &name, Conduct::Careful).await;
}

#[when(expr = "the issuer settles the old balance of card {string}, finding {word}")]
async fn settle_with(world: &mut OvWorld, name: String, conduct: String) {
    let conduct: Conduct = parse(
        &conduct,
        "conduct (careful, lent-personal-card, gross-negligence, intent)",
    );
    settle(world, &name, conduct).await;
}

#[then(expr = "{money} of the old balance is withheld")]
async fn settled_withheld(world: &mut OvWorld, amount: Money) {
    let settled = world.terms.settled.expect("an old balance was settled");
    assert_eq!((settled.withheld, settled.paid), (amount.0, Cents::ZERO));
}

#[then(expr = "the old balance of card {string} was paid to the bank account: {money}")]
async fn old_balance_paid(world: &mut OvWorld, name: String, amount: Money) {
    let view = account(world, &name).await;
    let closing = view
        .closing
        .unwrap_or_else(|| panic!("the old balance of \"{name}\" was not paid"));
    assert_eq!(closing.paid, amount.0);
}

#[then(expr = "the old balance of card {string} is not settled")]
async fn old_balance_open(world: &mut OvWorld, name: String) {
    assert_eq!(account(world, &name).await.closing, None);
}

#[when(
    regex = r#"^the holder gets replacement card "([^"]+)" for card "([^"]+)" \((lost-or-stolen|defect|expired|fraud)\)$"#
)]
#[given(
    regex = r#"^the holder gets replacement card "([^"]+)" for card "([^"]+)" \((lost-or-stolen|defect|expired|fraud)\)$"#
)]
async fn replace(world: &mut OvWorld, new: String, old: String, reason: String) {
    let reason: ReplaceReason = parse(&reason, "replacement reason");
    let old_number = number(world, &old).await;
    let new_card = world.next_card_number();
    let outcome = world
        .sut
        .replace_card(old_number, reason, new_card)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(done) = note(world, outcome) {
        hold(world, &new, done.image.clone());
        check(world, &new).await;
        world.terms.replaced = Some(done);
    }
    check(world, &old).await;
}

#[then(expr = "the replacement costs {money}")]
async fn replacement_price(world: &mut OvWorld, amount: Money) {
    accepts(world).await;
    let replaced = world.terms.replaced.as_ref().expect("a replacement");
    assert_eq!(replaced.price, amount.0);
}

#[then(expr = "product {string} was not moved: {word}")]
async fn not_moved(world: &mut OvWorld, code: String, why: String) {
    let replaced = world.terms.replaced.as_ref().expect("a replacement");
    let found = replaced
        .not_moved
        .iter()
        .find(|(c, _)| *c == code)
        .unwrap_or_else(|| panic!("product {code} was moved: {replaced:?}"));
    assert_eq!(kebab(&found.1), why);
}

#[then(expr = "card {string} holds product {string}")]
async fn holds_product(world: &mut OvWorld, name: String, code: String) {
    let card = world.read(&name).await;
    assert!(
        card.products.iter().any(|p| p.code == code),
        "card \"{name}\" lacks {code}: {:?}",
        card.products
    );
}

#[then(expr = "card {string} does not hold product {string}")]
async fn lacks_product(world: &mut OvWorld, name: String, code: String) {
    let card = world.read(&name).await;
    assert!(!card.products.iter().any(|p| p.code == code));
}

#[then(expr = "card {string} replaces card {string}")]
async fn replaces(world: &mut OvWorld, new: String, old: String) {
    let old_number = number(world, &old).await;
    let new_number = number(world, &new).await;
    assert_eq!(account(world, &new).await.replaces, Some(old_number));
    assert_eq!(account(world, &old).await.replaced_by, Some(new_number));
}

// ---- TERM-09 / TERM-10 / TERM-11: fraud ------------------------------------------------------

fn scope(what: &str, product: Option<String>) -> BlockScope {
    match (what, product) {
        ("card", _) => BlockScope::Card,
        ("balance", _) => BlockScope::Balance,
        (_, Some(code)) => BlockScope::Product(code),
        (other, None) => panic!("`{other}` is no block scope"),
    }
}

#[when(regex = r#"^the issuer blocks the (card|balance) of card "([^"]+)" for suspected fraud$"#)]
#[given(regex = r#"^the issuer blocks the (card|balance) of card "([^"]+)" for suspected fraud$"#)]
async fn block(world: &mut OvWorld, what: String, name: String) {
    block_scope(world, &name, scope(&what, None), true).await;
}

#[when(expr = "the issuer blocks product {string} of card {string} for suspected fraud")]
#[given(expr = "the issuer blocks product {string} of card {string} for suspected fraud")]
async fn block_product(world: &mut OvWorld, code: String, name: String) {
    block_scope(world, &name, BlockScope::Product(code), true).await;
}

#[when(regex = r#"^the issuer lifts the (card|balance) block of card "([^"]+)"$"#)]
async fn lift(world: &mut OvWorld, what: String, name: String) {
    block_scope(world, &name, scope(&what, None), false).await;
}

#[when(expr = "the issuer lifts the block of product {string} of card {string}")]
async fn lift_product(world: &mut OvWorld, code: String, name: String) {
    block_scope(world, &name, BlockScope::Product(code), false).await;
}

async fn block_scope(world: &mut OvWorld, name: &str, scope: BlockScope, block: bool) {
    let number = number(world, name).await;
    let outcome = if block {
        world.sut.block(number, scope).await
    } else {
        world.sut.lift_block(number, scope).await
    }
    .unwrap_or_else(|e| panic!("{e}"));
    note(world, outcome);
    check(world, name).await;
}

#[then(regex = r#"^readers (must|need not) refuse card "([^"]+)"$"#)]
async fn refused_at_readers(world: &mut OvWorld, must: String, name: String) {
    assert_eq!(
        account(world, &name).await.refused_at_readers,
        must == "must"
    );
}

#[then(regex = r#"^the balance of card "([^"]+)" is (blocked|not blocked)$"#)]
async fn balance_blocked(world: &mut OvWorld, name: String, state: String) {
    assert_eq!(
        account(world, &name).await.balance_blocked,
        state == "blocked"
    );
}

#[then(
    regex = r#"^the administration shows (no blocked products|blocked products? (\S+)) for card "([^"]+)"$"#
)]
async fn blocked_products(world: &mut OvWorld, what: String, codes: String, name: String) {
    let expected: Vec<String> = if what == "no blocked products" {
        Vec::new()
    } else {
        codes.split(',').map(str::to_string).collect()
    };
    assert_eq!(account(world, &name).await.blocked_products, expected);
}

#[when(expr = "the holder of card {string} makes their personal data known")]
#[given(expr = "the holder of card {string} makes their personal data known")]
async fn personal_data(world: &mut OvWorld, name: String) {
    let number = number(world, &name).await;
    let outcome = world
        .sut
        .register_personal_data(number)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    note(world, outcome);
}

async fn fraud(world: &mut OvWorld, name: &str, report: FraudReport) {
    let number = number(world, name).await;
    let outcome = world
        .sut
        .establish_fraud(number, report)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.terms.fraud = note(world, outcome);
    check(world, name).await;
}

#[when(expr = "the issuer establishes fraud with card {string} from {instant}")]
#[given(expr = "the issuer establishes fraud with card {string} from {instant}")]
async fn fraud_careful(world: &mut OvWorld, name: String, from: Instant) {
    let report = FraudReport {
        started_at: from.0,
        conduct: Conduct::Careful,
        unjust_benefit: Cents::ZERO,
    };
    fraud(world, &name, report).await;
}

#[when(expr = "the issuer establishes fraud with card {string} from {instant}, finding {word}")]
async fn fraud_conduct(world: &mut OvWorld, name: String, from: Instant, conduct: String) {
    let report = FraudReport {
        started_at: from.0,
        conduct: parse(&conduct, "conduct"),
        unjust_benefit: Cents::ZERO,
    };
    fraud(world, &name, report).await;
}

#[when(
    expr = "the issuer establishes fraud with card {string} from {instant}, finding {word} and an unjust benefit of {money}"
)]
async fn fraud_benefit(
    world: &mut OvWorld,
    name: String,
    from: Instant,
    conduct: String,
    benefit: Money,
) {
    let report = FraudReport {
        started_at: from.0,
        conduct: parse(&conduct, "conduct"),
        unjust_benefit: benefit.0,
    };
    fraud(world, &name, report).await;
}

fn fraud_settled(world: &OvWorld) -> FraudSettled {
    world.terms.fraud.expect("a fraud was settled")
}

#[then(expr = "the balance directly before the fraud was {money}")]
async fn before_fraud(world: &mut OvWorld, amount: Money) {
    assert_eq!(fraud_settled(world).balance_before_fraud, amount.0);
}

#[then(expr = "the compensation paid is {money}, after setting off {money}")]
async fn compensation(world: &mut OvWorld, paid: Money, set_off: Money) {
    let settled = fraud_settled(world);
    assert_eq!((settled.paid, settled.set_off), (paid.0, set_off.0));
}

#[then(expr = "the compensation of {money} is withheld")]
async fn compensation_withheld(world: &mut OvWorld, amount: Money) {
    let settled = fraud_settled(world);
    assert_eq!((settled.withheld, settled.paid), (amount.0, Cents::ZERO));
}

#[then(regex = r"^a new card is (free|not free)$")]
async fn new_card_free(world: &mut OvWorld, free: String) {
    assert_eq!(fraud_settled(world).new_card_free, free == "free");
}

#[then(expr = "the holder of card {string} owes {money}")]
async fn owes(world: &mut OvWorld, name: String, amount: Money) {
    assert_eq!(account(world, &name).await.owed, amount.0);
}

// ---- TERM-12 / TERM-13: the end of the usage right ------------------------------------------

#[when(expr = "the usage right of card {string} ends: {word}")]
#[given(expr = "the usage right of card {string} ends: {word}")]
async fn end_usage(world: &mut OvWorld, name: String, reason: String) {
    let reason: EndReason = parse(&reason, "end reason");
    let number = number(world, &name).await;
    let outcome = world
        .sut
        .end_usage(number, reason)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.terms.ended = note(world, outcome);
    check(world, &name).await;
}

#[then(expr = "the usage right of card {string} has ended: {word}")]
async fn has_ended(world: &mut OvWorld, name: String, reason: String) {
    match account(world, &name).await.usage {
        Usage::Ended { reason: got, .. } => assert_eq!(kebab(&got), reason),
        Usage::Active => panic!("the usage right of \"{name}\" is still active"),
    }
}

#[then(expr = "the usage right of card {string} is active")]
async fn is_active(world: &mut OvWorld, name: String) {
    assert_eq!(account(world, &name).await.usage, Usage::Active);
}

#[then(expr = "card {string} can be refunded until {instant}")]
async fn refund_until(world: &mut OvWorld, name: String, until: Instant) {
    match account(world, &name).await.usage {
        Usage::Ended { refund_until, .. } => assert_eq!(refund_until, Some(until.0)),
        Usage::Active => panic!("the usage right of \"{name}\" is still active"),
    }
}

#[then(expr = "card {string} has no refund right left")]
async fn no_refund_right(world: &mut OvWorld, name: String) {
    match account(world, &name).await.usage {
        Usage::Ended { refund_until, .. } => assert_eq!(refund_until, None),
        Usage::Active => panic!("the usage right of \"{name}\" is still active"),
    }
}

#[then(expr = "the administration still shows card {string} with {money} and {int} product(s)")]
async fn data_kept(world: &mut OvWorld, name: String, amount: Money, products: usize) {
    let view = account(world, &name).await;
    assert_eq!(
        (view.administrative_balance, view.products.len()),
        (amount.0, products)
    );
}

#[when(expr = "the holder of card {string} objects to the change of terms announced on {date}")]
#[given(expr = "the holder of card {string} objects to the change of terms announced on {date}")]
async fn object(world: &mut OvWorld, name: String, notice: Day) {
    let number = number(world, &name).await;
    let outcome = world
        .sut
        .object_to_changed_terms(number, notice.0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.terms.objection = note(world, outcome);
    check(world, &name).await;
}

#[then(expr = "the usage right of card {string} ends at {instant}")]
async fn ends_at(world: &mut OvWorld, name: String, at: Instant) {
    let objection = world.terms.objection.expect("an accepted objection");
    assert_eq!(objection.usage_ends_at, at.0);
    let view = account(world, &name).await;
    let pending = view.pending_end.map(|e| e.at);
    let ended = match view.usage {
        Usage::Ended { at, .. } => Some(at),
        Usage::Active => None,
    };
    assert_eq!(pending.or(ended), Some(at.0));
}

// ---- TERM-14 / TERM-15 ----------------------------------------------------------------------

#[when(expr = "the holder of card {string} files complaint {string}")]
#[given(expr = "the holder of card {string} files complaint {string}")]
async fn file_complaint(world: &mut OvWorld, name: String, complaint: String) {
    let number = number(world, &name).await;
    let outcome = world
        .sut
        .file_complaint(number)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(filed) = note(world, outcome) {
        world.terms.complaints.insert(complaint, filed.id);
    }
}

#[when(expr = "the issuer answers complaint {string}")]
#[given(expr = "the issuer answers complaint {string}")]
async fn answer(world: &mut OvWorld, complaint: String) {
    let id = complaint_id(world, &complaint);
    let outcome = world
        .sut
        .answer_complaint(id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.terms.deadline = note(world, outcome);
}

fn complaint_id(world: &OvWorld, complaint: &str) -> u32 {
    *world
        .terms
        .complaints
        .get(complaint)
        .unwrap_or_else(|| panic!("no complaint \"{complaint}\" was filed"))
}

#[when(expr = "the holder of card {string} brings complaint {string} to the disputes committee")]
async fn dispute(world: &mut OvWorld, name: String, complaint: String) {
    let id = complaint_id(world, &complaint);
    submit(world, &name, Some(id)).await;
}

#[when(expr = "the holder of card {string} goes to the disputes committee without a complaint")]
async fn dispute_without(world: &mut OvWorld, name: String) {
    submit(world, &name, None).await;
}

async fn submit(world: &mut OvWorld, name: &str, complaint: Option<u32>) {
    let number = number(world, name).await;
    let outcome = world
        .sut
        .submit_dispute(number, complaint)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.terms.deadline = note(world, outcome);
}

#[then(expr = "the dispute can be brought until {date}")]
async fn dispute_until(world: &mut OvWorld, day: Day) {
    accepts(world).await;
    let deadline = world.terms.deadline.expect("a dispute deadline");
    assert_eq!(deadline.deadline, day.0);
}

// ---- TERM-16: missed check-out refunds ------------------------------------------------------

#[when(
    expr = "the holder of card {string} claims a refund for the journey checked in at {instant}, having left at {string}"
)]
#[given(
    expr = "the holder of card {string} claims a refund for the journey checked in at {instant}, having left at {string}"
)]
async fn claim_missed(world: &mut OvWorld, name: String, at: Instant, exit: String) {
    let exit = station(world, &exit);
    let number = number(world, &name).await;
    let outcome = world
        .sut
        .claim_missed_check_out(number, at.0, exit)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.terms.missed = note(world, outcome);
    check(world, &name).await;
}

#[given(
    expr = "card {string} checked in at {string} on each of these days at {word}, without checking out:"
)]
async fn missed_days(
    world: &mut OvWorld,
    name: String,
    reader: String,
    time: String,
    step: &cucumber::gherkin::Step,
) {
    let table = step.table.as_ref().expect("a table | date |");
    for row in table.rows.iter().skip(1) {
        let at: Instant = format!("{} {time}", row[0])
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        world.set_clock(at.0).await;
        let reader_ref = world.reader(&reader);
        let presented = vec![world.card(&name).card.clone()];
        let result = world
            .sut
            .tap(&reader_ref, presented)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(
                result.decision,
                ovcert_reference::reader::Decision::CheckedIn { .. }
            ),
            "the check-in of \"{name}\" at {} was not taken: {:?}",
            row[0],
            result.decision
        );
        world.apply_tap(&[&name], result).await;
    }
}

fn missed(world: &OvWorld) -> &MissedRefund {
    world
        .terms
        .missed
        .as_ref()
        .expect("a missed check-out refund")
}

#[then(expr = "the operator refunds {money} of the {money} charged")]
async fn missed_refund(world: &mut OvWorld, refund: Money, charged: Money) {
    accepts(world).await;
    let missed = missed(world);
    assert_eq!((missed.refund, missed.charged), (refund.0, charged.0));
}

#[then(expr = "it is refund {int} of {word} in {word}")]
async fn missed_count(world: &mut OvWorld, count: u32, operator: String, period: String) {
    let missed = missed(world);
    assert_eq!(
        (
            missed.claims_in_period,
            missed.operator.as_str(),
            missed.period.to_string()
        ),
        (count, operator.as_str(), period)
    );
}
