//! Replaying journal rows into a fresh system: each row's operation, found by name among the
//! declared operations, carried out exactly as the server did, its outcome checked against
//! the recorded one.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;

use futures::FutureExt as _;
use futures::future::BoxFuture;

use super::store::Row;
use super::{JournalError, Outcome};
use crate::api::problem::redact_numbers;
use crate::api::{Operation, Visitor, operations};
use crate::sut::SystemUnderTest;

type Replay =
    for<'a> fn(&'a mut dyn SystemUnderTest, &'a str) -> BoxFuture<'a, Result<Outcome, String>>;

struct Replayers(BTreeMap<&'static str, Replay>);

impl Visitor for Replayers {
    fn visit<O: Operation>(&mut self) {
        self.0.insert(O::NAME, replay_one::<O>);
    }
}

fn replay_one<'a, O: Operation>(
    system: &'a mut dyn SystemUnderTest,
    body: &'a str,
) -> BoxFuture<'a, Result<Outcome, String>> {
    Box::pin(async move {
        // serde's message may quote the input; card numbers are redacted like in problems.
        let operation: O = serde_json::from_str(body).map_err(|e| {
            format!(
                "not a {} request: {}",
                O::NAME,
                redact_numbers(&e.to_string())
            )
        })?;
        let result = AssertUnwindSafe(operation.apply(system))
            .catch_unwind()
            .await;
        Ok(Outcome::of(&result))
    })
}

/// Carries `rows` out on `system` in order; fails at the first row that is unreadable or
/// comes out otherwise than it did when recorded.
pub async fn replay(
    path: &str,
    system: &mut dyn SystemUnderTest,
    rows: &[Row],
) -> Result<(), JournalError> {
    let mut replayers = Replayers(BTreeMap::new());
    operations::visit_all(&mut replayers);
    for row in rows {
        let fail = |problem: String| {
            JournalError::new(
                path,
                format!("operation {} ({}): {problem}", row.seq, row.name),
            )
        };
        let replay = replayers.0.get(row.name.as_str()).ok_or_else(|| {
            fail(
                "no such operation in this server (was the journal written by another version?)"
                    .into(),
            )
        })?;
        let outcome = replay(system, &row.body).await.map_err(fail)?;
        if outcome != row.outcome {
            return Err(fail(format!(
                "was {} when recorded but is {} on replay; this server does not reproduce \
                 the journal's state",
                row.outcome.as_str(),
                outcome.as_str()
            )));
        }
    }
    Ok(())
}
