//! Steps about journeys and fares as the back office builds them: tap sequences, journey
//! shapes, fares, time categories, products, settings and qualification.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use ovcert_reference::backoffice::journey::LegStatus;
use ovcert_reference::backoffice::{CardJourneys, PricedJourney};
use ovcert_reference::card::SpecialSetting;
use ovcert_reference::reader::Decision;

use super::card::kebab;
use super::params::{Day, Instant, Money};
use super::table::assert_table;
use crate::sut::PresentedCard;
use crate::world::OvWorld;

/// A table `| at | reader |`: the card taps at each reader at that local time. Every tap
/// must be accepted (a check-in, a check-out or a bank-card tap).
#[when(expr = "card {string} taps at these readers:")]
#[given(expr = "card {string} taps at these readers:")]
#[when(expr = "bank card {string} taps at these readers:")]
#[given(expr = "bank card {string} taps at these readers:")]
async fn taps_at_readers(world: &mut OvWorld, name: String, step: &Step) {
    let table = step
        .table
        .as_ref()
        .expect("the step has a table | at | reader |");
    for row in table.rows.iter().skip(1) {
        let at: Instant = row[0].parse().unwrap_or_else(|e| panic!("{e}"));
        world.set_clock(at.0).await;
        let reader = world.reader(&row[1]);
        let presented = vec![world.card(&name).card.clone()];
        let result = world
            .sut
            .tap(&reader, presented)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !matches!(result.decision, Decision::Refused { .. }),
            "tap of \"{name}\" at \"{}\" at {} was refused: {:?}",
            row[1],
            row[0],
            result.decision
        );
        world.apply_tap(&[&name], result).await;
    }
}

#[given(expr = "card {string} is set to {word} for the next journey")]
#[when(expr = "card {string} is set to {word} for the next journey")]
async fn next_journey(world: &mut OvWorld, name: String, setting: String) {
    let setting: SpecialSetting =
        serde_json::from_value(serde_json::Value::String(setting.clone()))
            .unwrap_or_else(|_| panic!("`{setting}` is no setting (first-class, group-discount)"));
    let card = world.identity(&name).await;
    world
        .sut
        .set_next_journey(card, setting)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn journeys(world: &mut OvWorld, name: &str) -> CardJourneys {
    let card = world.identity(name).await;
    world
        .sut
        .journeys(card)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn journey(world: &mut OvWorld, number: usize, name: &str) -> PricedJourney {
    let all = journeys(world, name).await;
    all.priced
        .get(number.wrapping_sub(1))
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "card \"{name}\" has {} journeys, not a journey {number}",
                all.priced.len()
            )
        })
}

/// "asd>ut" per leg; "asd>?" for a missing check-out; cancelled and visit legs marked.
fn leg_text(priced: &PricedJourney) -> String {
    priced
        .journey
        .legs
        .iter()
        .map(|leg| {
            let to = leg
                .check_out
                .as_ref()
                .map(|s| s.station.as_str())
                .unwrap_or("?");
            let mark = match leg.status {
                LegStatus::Cancelled => " (cancelled)",
                LegStatus::StationVisit => " (visit)",
                _ => "",
            };
            format!("{}>{}{}", leg.check_in.station, to, mark)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[then(expr = "card {string} made {int} journey(s)")]
async fn journey_count(world: &mut OvWorld, name: String, count: usize) {
    let all = journeys(world, &name).await;
    let shapes: Vec<String> = all.priced.iter().map(leg_text).collect();
    assert_eq!(
        all.priced.len(),
        count,
        "journeys of \"{name}\": {shapes:?}"
    );
}

/// A table `| journey | legs | fare |` (optionally `| category |`), one row per journey.
#[then(expr = "the journeys of card {string} are:")]
async fn journeys_are(world: &mut OvWorld, name: String, step: &Step) {
    let all = journeys(world, &name).await;
    let what = format!("journeys of card \"{name}\"");
    assert_table(
        step,
        &what,
        &all.priced,
        "journey, legs, fare, category, day, product",
        |i, p, column| {
            Some(match column {
                "journey" => (i + 1).to_string(),
                "legs" => leg_text(p),
                "fare" => p.fare.total.to_string(),
                "category" => kebab(&p.fare.time_category),
                "day" => p.journey.travel_day.0.to_string(),
                "product" => p.fare.product.clone().unwrap_or_else(|| "-".into()),
                _ => return None,
            })
        },
    );
}

#[then(expr = "journey {int} of card {string} costs {money}")]
async fn costs(world: &mut OvWorld, number: usize, name: String, amount: Money) {
    let j = journey(world, number, &name).await;
    assert_eq!(
        j.fare.total,
        amount.0,
        "journey {number} ({})",
        leg_text(&j)
    );
}

#[then(expr = "journey {int} of card {string} is {word}")]
async fn time_category_is(world: &mut OvWorld, number: usize, name: String, category: String) {
    let j = journey(world, number, &name).await;
    assert_eq!(kebab(&j.fare.time_category), category);
}

#[then(expr = "journey {int} of card {string} belongs to travel day {date}")]
async fn travel_day(world: &mut OvWorld, number: usize, name: String, day: Day) {
    assert_eq!(
        journey(world, number, &name).await.journey.travel_day.0,
        day.0
    );
}

#[then(expr = "leg {int} of journey {int} of card {string} is {word}")]
async fn leg_status(world: &mut OvWorld, leg: usize, number: usize, name: String, status: String) {
    let j = journey(world, number, &name).await;
    let got = j
        .journey
        .legs
        .get(leg.wrapping_sub(1))
        .unwrap_or_else(|| panic!("no leg {leg}: {}", leg_text(&j)));
    assert_eq!(kebab(&got.status), status);
}

#[then(expr = "journey {int} of card {string} credits {string} with {money}")]
async fn share(world: &mut OvWorld, number: usize, name: String, operator: String, amount: Money) {
    let j = journey(world, number, &name).await;
    let total = j
        .fare
        .legs
        .iter()
        .filter(|l| l.operator == operator)
        .fold(ovcert_reference::Cents::ZERO, |sum, l| {
            sum.checked_add(l.fare).expect("small")
        });
    assert_eq!(
        total,
        amount.0,
        "{operator}'s share of journey {number} ({})",
        leg_text(&j)
    );
}

#[then(expr = "journey {int} of card {string} applies product {string}")]
async fn applies_product(world: &mut OvWorld, number: usize, name: String, product: String) {
    assert_eq!(
        journey(world, number, &name).await.fare.product,
        Some(product)
    );
}

#[then(expr = "journey {int} of card {string} applies no product")]
async fn applies_no_product(world: &mut OvWorld, number: usize, name: String) {
    assert_eq!(journey(world, number, &name).await.fare.product, None);
}

#[then(expr = "journey {int} of card {string} travels with setting {word}")]
async fn setting_is(world: &mut OvWorld, number: usize, name: String, setting: String) {
    assert_eq!(
        kebab(&journey(world, number, &name).await.journey.setting),
        setting
    );
}

#[then(expr = "card {string} has {int} open leg(s)")]
async fn open_legs(world: &mut OvWorld, name: String, count: usize) {
    assert_eq!(journeys(world, &name).await.built.open.len(), count);
}

/// EMV-06: the back office's reading of each of the card's taps, in tap order.
#[then(expr = "the back office qualified the taps of card {string} as: {word}")]
async fn qualified(world: &mut OvWorld, name: String, kinds: String) {
    let all = journeys(world, &name).await;
    let taps = world
        .sut
        .received_taps()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut got = Vec::new();
    for tap in taps
        .iter()
        .filter(|t| world.tap_cards.get(&t.tap_id) == Some(&name))
    {
        let legs = all
            .built
            .journeys
            .iter()
            .flat_map(|j| &j.legs)
            .chain(&all.built.open);
        let mut meaning = "unmatched";
        for leg in legs {
            if leg.check_in.tap_id == tap.tap_id {
                meaning = "tap-in";
            } else if leg
                .check_out
                .as_ref()
                .is_some_and(|s| s.tap_id == tap.tap_id)
            {
                meaning = "tap-out";
            }
        }
        if all.settle_debt.contains(&tap.tap_id) {
            meaning = "settle-debt";
        }
        got.push(meaning);
    }
    assert_eq!(got.join(","), kinds);
}

/// EMV-01: what the back office stores of a bank card's taps shows no PAN.
#[then(expr = "no tap held by the back office shows the card number of {string}")]
async fn no_pan_in_taps(world: &mut OvWorld, name: String) {
    let taps = world
        .sut
        .received_taps()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let text = serde_json::to_string(&taps).expect("taps serialise");
    assert_no_pan(world, &name, &text);
}

#[then(expr = "the back office holds the PAN data of {int} card(s)")]
async fn pans_held(world: &mut OvWorld, count: usize) {
    assert_eq!(
        world
            .sut
            .pans_held()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        count
    );
}

/// Fails when `text` contains the bank card's PAN or its last eight digits.
pub fn assert_no_pan(world: &OvWorld, name: &str, text: &str) {
    let PresentedCard::Emv { card } = &world.card(name).card else {
        panic!("card \"{name}\" is no bank card");
    };
    assert!(!text.contains(&card.pan), "the PAN of \"{name}\" appears");
    assert!(
        !text.contains(&card.pan[card.pan.len() - 8..]),
        "the PAN's last eight digits appear"
    );
}
