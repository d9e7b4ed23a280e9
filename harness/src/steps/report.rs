//! Steps about operator reports (GBO-03) and settlement (SET-01..03).

use cucumber::gherkin::Step;
use cucumber::{then, when};
use ovcert_reference::Cents;

use super::card::kebab;
use super::journey::assert_no_pan;
use super::params::{Day, Money};
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
    let table = step.table.as_ref().expect("table");
    let header = table.rows[0].clone();
    let r = report(world).clone();
    let got: Vec<Vec<String>> = r
        .transactions
        .iter()
        .map(|t| {
            header
                .iter()
                .map(|c| match c.as_str() {
                    "station" => t.station.clone(),
                    "kind" => kebab(&t.kind),
                    "card" => card_label(world, &t.card.0),
                    other => panic!("unknown column `{other}`"),
                })
                .collect()
        })
        .collect();
    assert_eq!(got, table.rows[1..].to_vec());
}

/// A table `| from | to | status | fare |`, one row per trip in order.
#[then("the report's trips are:")]
async fn trips_are(world: &mut OvWorld, step: &Step) {
    let table = step.table.as_ref().expect("table");
    let got: Vec<Vec<String>> = report(world)
        .trips
        .iter()
        .map(|t| {
            vec![
                t.from.clone(),
                t.to.clone().unwrap_or_else(|| "?".into()),
                kebab(&t.status),
                t.fare_cents.to_string(),
            ]
        })
        .collect();
    assert_eq!(got, table.rows[1..].to_vec());
}

#[then(expr = "the report's total is {money}")]
async fn report_total(world: &mut OvWorld, amount: Money) {
    assert_eq!(report(world).total_cents, amount.0);
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
