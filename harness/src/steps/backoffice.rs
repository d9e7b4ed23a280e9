//! Steps about what reaches the back office: uploads, ordering, deny list.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use ovcert_reference::backoffice::Ingested;
use ovcert_reference::deny::DenyReason;
use ovcert_reference::tap::{TapAmounts, TapId, TapKind, TapMessage};

use super::card::kebab;
use super::params::Instant;
use crate::sut::Upload;
use crate::world::OvWorld;

#[given(expr = "reader {string} is offline")]
#[when(expr = "reader {string} goes offline")]
async fn offline(world: &mut OvWorld, name: String) {
    let reader = world.reader(&name);
    world
        .sut
        .set_reader_online(&reader, false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[when(expr = "reader {string} comes back online")]
#[given(expr = "reader {string} comes back online")]
async fn online(world: &mut OvWorld, name: String) {
    let reader = world.reader(&name);
    let upload = world
        .sut
        .set_reader_online(&reader, true)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.last_upload = Some(upload);
}

#[when(expr = "reader {string} sends its last upload again")]
async fn resend(world: &mut OvWorld, name: String) {
    let reader = world.reader(&name);
    let upload = world
        .sut
        .resend_last_upload(&reader)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.last_upload = Some(upload);
}

#[then(expr = "the upload held {int} tap(s), of which {int} new")]
async fn upload_counts(world: &mut OvWorld, uploaded: usize, new: usize) {
    assert_eq!(world.last_upload, Some(Upload { uploaded, new }));
}

#[given(expr = "card {string} is on the deny list as {word}")]
#[when(expr = "card {string} is on the deny list as {word}")]
async fn deny(world: &mut OvWorld, name: String, reason: String) {
    let card = world.identity(&name).await;
    let reason: DenyReason = serde_json::from_value(serde_json::Value::String(reason.clone())).unwrap_or_else(|_| {
        panic!("`{reason}` is no deny reason (lost-or-stolen, settlement-failed, product-conditions, fraud)")
    });
    world
        .sut
        .deny(card, reason)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[then(expr = "the back office has received {int} tap(s)")]
async fn received_count(world: &mut OvWorld, count: usize) {
    let taps = world
        .sut
        .received_taps()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(taps.len(), count, "{taps:#?}");
}

/// A table `| reader | card | kind |`, one row per tap in the back office's order.
#[then("the back office holds these taps in order:")]
async fn received_in_order(world: &mut OvWorld, step: &Step) {
    let table = step.table.as_ref().expect("the step has a table");
    let taps = world
        .sut
        .received_taps()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let expected: Vec<Vec<String>> = table.rows.iter().skip(1).cloned().collect();
    let mut got = Vec::new();
    for tap in &taps {
        let reader = world
            .readers
            .iter()
            .find(|(_, r)| r.operator == tap.reader.operator && r.device == tap.reader.device)
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| format!("{}-{}", tap.reader.operator, tap.reader.device));
        let card = world
            .tap_cards
            .get(&tap.tap_id)
            .cloned()
            .unwrap_or_else(|| format!("{:?}", tap.card));
        got.push(vec![reader, card, kebab(&tap.kind)]);
    }
    assert_eq!(got, expected, "back office order");
}

/// GBO-04: taps sent straight to the back office, in the table's order, as one upload from
/// readers of any operator. A table `| tap | at | card | reader | kind |`: the tap id, the
/// reader's local time, the card's name, the reader's name and the reader's verdict
/// (check-in, check-out, missing-check-out, refused, or emv for a bank-card tap). Amounts are
/// zero. A tap id seen before is a duplicate upload of the same tap.
#[when("the back office receives these taps:")]
#[given("the back office receives these taps:")]
async fn receives_taps(world: &mut OvWorld, step: &Step) {
    let table = step
        .table
        .as_ref()
        .expect("the step has a table | tap | at | card | reader | kind |");
    let header = &table.rows[0];
    let column = |name: &str| {
        header
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("the table has no column `{name}`"))
    };
    let (tap, at, card, reader, kind) = (
        column("tap"),
        column("at"),
        column("card"),
        column("reader"),
        column("kind"),
    );
    let mut messages = Vec::new();
    for row in table.rows.iter().skip(1) {
        let instant: Instant = row[at].parse().unwrap_or_else(|e| panic!("{e}"));
        let verdict: TapKind = serde_json::from_value(serde_json::Value::String(row[kind].clone()))
            .unwrap_or_else(|_| {
                panic!(
                    "`{}` is no tap kind (check-in, check-out, missing-check-out, refused, emv)",
                    row[kind]
                )
            });
        let tap_id = TapId(row[tap].as_str().into());
        world.tap_cards.insert(tap_id.clone(), row[card].clone());
        messages.push(TapMessage {
            tap_id,
            reader: world.reader(&row[reader]),
            at: instant.0,
            card: world.identity(&row[card]).await,
            kind: verdict,
            amounts: TapAmounts::default(),
        });
    }
    let results = world
        .sut
        .ingest(messages)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    world.last_upload = Some(Upload {
        uploaded: results.len(),
        new: results.iter().filter(|r| **r == Ingested::New).count(),
    });
}
