//! Steps about operator reports (GBO-03) and settlement (SET-01..03).

use cucumber::gherkin::Step;
use cucumber::{then, when};
use ovcert_reference::Cents;

use super::card::kebab;
use super::journey::assert_no_pan;
use super::params::{Day, Money};
use super::table::assert_table;
use crate::sut::PresentedCard;
use crate::world::OvWorld;

#[when(expr = "operator {string} asks for its report of {date}")]
async fn ask_report(world: &mut OvWorld, operator: String, day: Day) {
    let result = world
        .sut
        .operator_report(&operator, day.0)
        .await
        .map_err(|e| e.to_string());
    if let Ok(report) = &result {
        world.reports.insert(operator.clone(), report.clone());
    }
    world.last_report = Some(result);
}

fn report(world: &OvWorld) -> &ovcert_reference::backoffice::report::OperatorReport {
    match &world.last_report {
        Some(Ok(report)) => report,
        Some(Err(e)) => panic!("the report was refused: {e}"),
        None => panic!("no report was asked for"),
    }
}

#[then("the report is refused because the travel day is still running")]
async fn refused_running(world: &mut OvWorld) {
    match &world.last_report {
        Some(Err(e)) => assert!(e.contains("still running"), "{e}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[then(expr = "the report lists {int} transaction(s), {int} trip(s) and {int} payment(s)")]
async fn report_counts(world: &mut OvWorld, transactions: usize, trips: usize, payments: usize) {
    let r = report(world);
    assert_eq!(
        (r.transactions.len(), r.trips.len(), r.payments.len()),
        (transactions, trips, payments),
        "{r:#?}"
    );
}

/// A table `| station | kind |` (optionally `| card |`), one row per transaction in order.
#[then("the report's transactions are:")]
async fn transactions_are(world: &mut OvWorld, step: &Step) {
    learn_card_numbers(world).await;
    let r = report(world).clone();
    assert_table(
        step,
        "the report's transactions",
        &r.transactions,
        "station, kind, card",
        |_, t, column| {
            Some(match column {
                "station" => t.station.to_string(),
                "kind" => kebab(&t.kind),
                "card" => card_label(world, &t.card.0),
                _ => return None,
            })
        },
    );
}

/// A table `| from | to | status | fare |` (optionally `| card |`), one row per trip in
/// order; `to` is "?" for a missing check-out.
#[then("the report's trips are:")]
async fn trips_are(world: &mut OvWorld, step: &Step) {
    learn_card_numbers(world).await;
    let r = report(world).clone();
    assert_table(
        step,
        "the report's trips",
        &r.trips,
        "from, to, status, fare, card",
        |_, t, column| {
            Some(match column {
                "from" => t.from.to_string(),
                "to" => t.to.as_deref().unwrap_or("?").to_string(),
                "status" => kebab(&t.status),
                "fare" => t.fare_cents.to_string(),
                "card" => card_label(world, &t.card.0),
                _ => return None,
            })
        },
    );
}

/// A table `| card | means | amount |`, one row per payment in order.
#[then("the report's payments are:")]
async fn payments_are(world: &mut OvWorld, step: &Step) {
    let table = step.table.as_ref().expect("table");
    learn_card_numbers(world).await;
    let r = report(world).clone();
    let got: Vec<Vec<String>> = r
        .payments
        .iter()
        .map(|p| {
            vec![
                card_label(world, &p.card.0),
                kebab(&p.means),
                p.amount_cents.to_string(),
            ]
        })
        .collect();
    assert_eq!(got, table.rows[1..].to_vec());
}

/// EMV-01 / EMV-02: how many different bank-card tokens the last report shows.
#[then(expr = "the report shows {int} different token(s)")]
async fn token_count(world: &mut OvWorld, count: usize) {
    let r = report(world);
    let mut tokens: Vec<&str> = r
        .transactions
        .iter()
        .map(|t| t.card.0.as_str())
        .chain(r.trips.iter().map(|t| t.card.0.as_str()))
        .chain(r.payments.iter().map(|p| p.card.0.as_str()))
        .filter(|c| c.starts_with("ot-"))
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    assert_eq!(tokens.len(), count, "{tokens:?}");
}

#[then(expr = "the report's total is {money}")]
async fn report_total(world: &mut OvWorld, amount: Money) {
    assert_eq!(report(world).total_cents, amount.0);
}

/// Learns the printed numbers of the scenario's OV-chipkaarten (read at a machine), so report
/// lines can name them.
async fn learn_card_numbers(world: &mut OvWorld) {
    let names: Vec<String> = world
        .cards
        .iter()
        .filter(|(name, held)| {
            matches!(held.card, PresentedCard::OvChipkaart { .. })
                && !world.card_numbers.contains_key(*name)
        })
        .map(|(name, _)| name.clone())
        .collect();
    for name in names {
        let number = world.read(&name).await.number.to_string();
        world.card_numbers.insert(name, number);
    }
}

/// How a report's card reference reads in a scenario: the card's name when it is an
/// OV-chipkaart number the scenario knows, else "token".
fn card_label(world: &OvWorld, reference: &str) -> String {
    if reference.starts_with("ot-") {
        return "token".into();
    }
    world
        .card_numbers
        .iter()
        .find(|(_, number)| number.as_str() == reference)
        .map(|(name, _)| name.clone())
        .unwrap_or_else(|| reference.to_string())
}

#[then(expr = "the reports of {string} and {string} show card {string} under different tokens")]
async fn different_tokens(world: &mut OvWorld, a: String, b: String, name: String) {
    let tokens = |operator: &str| -> Vec<String> {
        let r = world
            .reports
            .get(operator)
            .unwrap_or_else(|| panic!("no report of {operator} was asked for"));
        let mut t: Vec<String> = r
            .trips
            .iter()
            .map(|t| t.card.0.clone())
            .filter(|c| c.starts_with("ot-"))
            .collect();
        t.dedup();
        t
    };
    let (ta, tb) = (tokens(&a), tokens(&b));
    assert_eq!(
        (ta.len(), tb.len()),
        (1, 1),
        "card \"{name}\" should appear once in each: {ta:?} {tb:?}"
    );
    assert_ne!(ta, tb, "one token shared by {a} and {b}");
}

#[then(expr = "no report shows the card number of {string}")]
async fn no_pan_in_reports(world: &mut OvWorld, name: String) {
    for report in world.reports.values() {
        let mut text = report.to_json();
        for csv in report.to_csv().values() {
            text.push_str(csv);
        }
        assert_no_pan(world, &name, &text);
    }
}

#[then(expr = "the report of {string} mentions no station outside its own readers")]
async fn own_domain(world: &mut OvWorld, operator: String) {
    let r = world
        .reports
        .get(&operator)
        .unwrap_or_else(|| panic!("no report of {operator}"));
    let taps = world
        .sut
        .received_taps()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for t in &r.transactions {
        let tap = taps
            .iter()
            .find(|s| s.tap_id == t.tap_id)
            .expect("reported taps exist");
        assert_eq!(
            tap.reader.operator, operator,
            "{} reports a tap at {}",
            operator, tap.reader.operator
        );
    }
}

#[then(expr = "asking for the report of {string} for {date} again gives the same JSON and CSV")]
async fn report_stable(world: &mut OvWorld, operator: String, day: Day) {
    let again = world
        .sut
        .operator_report(&operator, day.0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let first = world.reports.get(&operator).expect("asked before");
    assert_eq!(again.to_json(), first.to_json());
    assert_eq!(again.to_csv(), first.to_csv());
}

#[when(expr = "travel day {date} is settled")]
#[when(expr = "travel day {date} is settled again")]
async fn settle(world: &mut OvWorld, day: Day) {
    let run = world
        .sut
        .settle(day.0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.settlements.push(run);
}

fn statement(world: &OvWorld) -> &ovcert_reference::backoffice::settle::Settlement {
    &world
        .settlements
        .last()
        .expect("a day was settled")
        .statement
}

#[then(expr = "operator {string} is credited {money}")]
async fn credited(world: &mut OvWorld, operator: String, amount: Money) {
    let got = statement(world)
        .operators
        .iter()
        .find(|o| o.operator == operator)
        .map(|o| o.credited_cents)
        .unwrap_or(Cents::ZERO);
    assert_eq!(got, amount.0, "{operator}'s credit");
}

#[then(expr = "operator {string} is credited {money} for {int} trip(s)")]
async fn credited_for_trips(world: &mut OvWorld, operator: String, amount: Money, trips: usize) {
    let got = statement(world)
        .operators
        .iter()
        .find(|o| o.operator == operator)
        .map(|o| (o.credited_cents, o.trips))
        .unwrap_or((Cents::ZERO, 0));
    assert_eq!(got, (amount.0, trips), "{operator}'s credit and trips");
}

#[then(expr = "the operators are credited {money} in total")]
async fn credited_total(world: &mut OvWorld, amount: Money) {
    let total = statement(world)
        .operators
        .iter()
        .fold(Cents::ZERO, |sum, o| {
            sum.checked_add(o.credited_cents).expect("small")
        });
    assert_eq!(total, amount.0, "{:#?}", statement(world).operators);
}

#[then(expr = "settling travel day {date} is refused because the travel day is still running")]
async fn settle_refused(world: &mut OvWorld, day: Day) {
    match world.sut.settle(day.0).await {
        Err(e) => assert!(e.to_string().contains("still running"), "{e}"),
        Ok(run) => panic!("expected a refusal, got {run:?}"),
    }
}

#[then(expr = "travellers were charged {money} on OV-chipkaart and {money} by OVpay")]
async fn charged(world: &mut OvWorld, ov: Money, ovpay: Money) {
    let t = &statement(world).travellers;
    assert_eq!((t.ov_chipkaart_cents, t.ovpay_cents), (ov.0, ovpay.0));
}

#[then("the settlement balances to the cent")]
async fn balanced(world: &mut OvWorld) {
    let c = &statement(world).conservation;
    assert!(c.balanced && c.collected_cents == c.credited_cents, "{c:?}");
}

#[then("the second run settled nothing new and repeats the first statement")]
async fn idempotent(world: &mut OvWorld) {
    let runs = &world.settlements;
    assert!(runs.len() >= 2, "settle twice first");
    let (first, second) = (&runs[runs.len() - 2], &runs[runs.len() - 1]);
    assert!(first.newly_settled && !second.newly_settled);
    assert_eq!(first.statement, second.statement);
}

#[then(expr = "this run credits operator {string} with {money}")]
async fn run_credits(world: &mut OvWorld, operator: String, amount: Money) {
    let run = world.settlements.last().expect("a day was settled");
    let got = run
        .credited_this_run
        .iter()
        .find(|o| o.operator == operator)
        .map(|o| o.credited_cents)
        .unwrap_or(Cents::ZERO);
    assert_eq!(
        got, amount.0,
        "{operator} in this run: {:?}",
        run.credited_this_run
    );
}
