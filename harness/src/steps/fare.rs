//! Steps about how the back office priced a journey beyond its total: the discount that
//! priced it (FARE-07, FARE-08, CARD-06) and the journey's maximum (FARE-04, FARE-11).

use cucumber::then;
use ovcert_reference::backoffice::PricedJourney;

use super::params::Money;
use crate::world::OvWorld;

async fn journey(world: &mut OvWorld, number: usize, name: &str) -> PricedJourney {
    let card = world.identity(name).await;
    let all = world
        .sut
        .journeys(card)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let count = all.priced.len();
    all.priced
        .into_iter()
        .nth(number.wrapping_sub(1))
        .unwrap_or_else(|| panic!("card \"{name}\" has {count} journeys, not a journey {number}"))
}

/// The discount that priced the journey, in whole percent: the product's at the first
/// check-in, the age discount, or 0 % for the full fare.
#[then(expr = "journey {int} of card {string} has a discount of {int} %")]
async fn discount_is(world: &mut OvWorld, number: usize, name: String, percent: u32) {
    let j = journey(world, number, &name).await;
    assert_eq!(
        j.fare.discount.basis_points(),
        percent * 100,
        "discount of journey {number} of card \"{name}\" in basis points"
    );
}

/// FARE-11: the journey's maximum, and a total that does not exceed it.
#[then(expr = "journey {int} of card {string} has a maximum of {money}")]
async fn maximum_is(world: &mut OvWorld, number: usize, name: String, amount: Money) {
    let j = journey(world, number, &name).await;
    assert_eq!(
        j.fare.maximum, amount.0,
        "maximum of journey {number} of card \"{name}\""
    );
    assert!(
        j.fare.total <= j.fare.maximum,
        "journey {number} of card \"{name}\" costs {} above its maximum {}",
        j.fare.total,
        j.fare.maximum
    );
}
