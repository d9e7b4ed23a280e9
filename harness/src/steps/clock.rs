//! Steps about time: the scenario's clock is the SUT's test clock.

use cucumber::{given, when};
use jiff::SignedDuration;

use super::params::Instant;
use crate::world::OvWorld;

#[given(expr = "it is {instant}")]
#[when(expr = "it is {instant}")]
async fn it_is(world: &mut OvWorld, at: Instant) {
    world.set_clock(at.0).await;
}

#[when(regex = r"^(\d+) (second|minute|hour|day)s? pass(?:es)?$")]
#[given(regex = r"^(\d+) (second|minute|hour|day)s? pass(?:es)?$")]
async fn time_passes(world: &mut OvWorld, amount: i64, unit: String) {
    let seconds = match unit.as_str() {
        "second" => 1,
        "minute" => 60,
        "hour" => 3600,
        _ => 86_400,
    };
    let now = world.now + SignedDuration::from_secs(amount * seconds);
    world.set_clock(now).await;
}
