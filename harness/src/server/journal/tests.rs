//! The journal on its own: recovery, idempotency across restarts, refusals, PAN erasure and
//! group commit. A `Node` plays the server: it applies an operation and journals it exactly
//! as the handler does; dropping it closes the journal.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures::FutureExt as _;
use jiff::Timestamp;
use ovcert_reference::reader::EmvCard;
use ovcert_reference::rules::{RuleSet, nl_2024};
use ovcert_reference::tap::{CardIdentity, TapMessage};

use super::{Journal, Outcome, recover};
use crate::api::Operation;
use crate::api::operations::{
    Ingest, Journeys, PansHeld, ReceivedTaps, Reset, SetClock, SetReaderOnline, Tap,
};
use crate::sut::{InProcess, PresentedCard, SutResult};

/// The golden commuter week: OV-chipkaart and bank-card taps with one PAN.
const TAPS: &str = include_str!("../../../../golden/commuter-week/taps.jsonl");
const GOLDEN_PAN: &str = "5413339000001234";
/// A bank card tapped at a reader in these tests.
const READER_PAN: &str = "5412751234567890";

fn rules() -> Arc<RuleSet> {
    Arc::new(nl_2024())
}

fn taps() -> Vec<TapMessage> {
    TAPS.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ovcert-journal-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("journal.sqlite")
}

struct Node {
    system: InProcess,
    journal: Journal,
}

impl Node {
    async fn open(path: &Path) -> Node {
        Node::open_with(path, rules()).await
    }

    async fn open_with(path: &Path, rules: Arc<RuleSet>) -> Node {
        let recovered = recover(path, rules).await.unwrap();
        Node {
            system: recovered.system,
            journal: recovered.journal,
        }
    }

    async fn call<O: Operation>(&mut self, operation: O) -> SutResult<O::Answer> {
        let body = serde_json::to_string(&operation).unwrap();
        let result = AssertUnwindSafe(operation.apply(&mut self.system))
            .catch_unwind()
            .await;
        let ticket = if O::changes_state() {
            self.journal.record(O::NAME, body, Outcome::of(&result))
        } else {
            self.journal.barrier()
        };
        ticket.committed().await.unwrap();
        result.unwrap_or_else(|_| panic!("{} panicked", O::NAME))
    }

    /// What the back office holds, as JSON: every tap, every card's journeys, PANs held.
    async fn state(&mut self) -> String {
        let taps = self.call(ReceivedTaps {}).await.unwrap();
        let mut cards: Vec<CardIdentity> = taps_cards();
        cards.push(emv(READER_PAN));
        let mut journeys = Vec::new();
        for card in cards {
            journeys.push(self.call(Journeys { card }).await.unwrap());
        }
        let pans = self.call(PansHeld {}).await.unwrap();
        serde_json::to_string(&(taps, journeys, pans)).unwrap()
    }
}

fn taps_cards() -> Vec<CardIdentity> {
    let mut cards: Vec<CardIdentity> = taps().into_iter().map(|t| t.card).collect();
    cards.sort();
    cards.dedup();
    cards
}

fn emv(pan: &str) -> CardIdentity {
    CardIdentity::Emv {
        pan: pan.into(),
        pan_sequence: 0,
        expiry: "2812".into(),
    }
}

/// A bank card tapped at a reader, on line or (buffering) off line.
async fn reader_tap(node: &mut Node, online: bool) {
    // A reader of its own: its tap ids must not collide with the golden ones.
    let mut reader = taps()[0].reader.clone();
    reader.device = 77_001;
    node.call(SetReaderOnline {
        reader: reader.clone(),
        online,
    })
    .await
    .unwrap();
    let presented = vec![PresentedCard::Emv {
        card: EmvCard {
            pan: READER_PAN.into(),
            pan_sequence: 0,
            expiry: "2812".into(),
        },
    }];
    node.call(Tap { reader, presented }).await.unwrap();
}

/// A week of taps and a tap at a reader, the clock moved on a few times.
async fn week(node: &mut Node) {
    node.call(SetClock {
        now: at("2024-03-04T05:00:00Z"),
    })
    .await
    .unwrap();
    let taps = taps();
    let (first, rest) = taps.split_at(20);
    node.call(Ingest {
        taps: first.to_vec(),
    })
    .await
    .unwrap();
    reader_tap(node, true).await;
    node.call(SetClock {
        now: at("2024-03-06T12:00:00Z"),
    })
    .await
    .unwrap();
    node.call(Ingest {
        taps: rest.to_vec(),
    })
    .await
    .unwrap();
}

fn file_holds(path: &Path, needle: &str) -> Vec<String> {
    ["", "-wal", "-shm"]
        .into_iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", path.display())))
        .filter(|file| {
            std::fs::read(file)
                .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        })
        .map(|file| file.display().to_string())
        .collect()
}

#[tokio::test]
async fn a_restart_recovers_exactly_the_state() {
    let path = scratch("recover");
    let mut node = Node::open(&path).await;
    week(&mut node).await;
    let before = node.state().await;
    drop(node);
    let mut again = Node::open(&path).await;
    assert_eq!(again.state().await, before);
    // And once more, after more traffic on the recovered system.
    reader_tap(&mut again, false).await;
    let later = again.state().await;
    drop(again);
    assert_eq!(Node::open(&path).await.state().await, later);
}

#[tokio::test]
async fn ingest_stays_idempotent_by_tap_id_across_restarts() {
    let path = scratch("idempotent");
    let mut node = Node::open(&path).await;
    let first = node.call(Ingest { taps: taps() }).await.unwrap();
    assert!(first.contains(&ovcert_reference::backoffice::Ingested::New));
    let held = node.call(ReceivedTaps {}).await.unwrap().len();
    drop(node);
    let mut node = Node::open(&path).await;
    let again = node.call(Ingest { taps: taps() }).await.unwrap();
    assert!(
        again
            .iter()
            .all(|i| *i == ovcert_reference::backoffice::Ingested::Duplicate),
        "{again:?}"
    );
    assert_eq!(node.call(ReceivedTaps {}).await.unwrap().len(), held);
}

#[tokio::test]
async fn a_refused_ingest_replays_to_the_same_partial_state() {
    let path = scratch("refused");
    let mut node = Node::open(&path).await;
    let mut taps = taps();
    taps[5].card = emv("5412 7512 3456 7890");
    assert!(node.call(Ingest { taps }).await.is_err());
    let before = node.state().await;
    drop(node);
    assert_eq!(Node::open(&path).await.state().await, before);
}

#[tokio::test]
async fn reset_empties_the_journal() {
    let path = scratch("reset");
    let mut node = Node::open(&path).await;
    week(&mut node).await;
    node.call(Reset {}).await.unwrap();
    node.call(Ingest {
        taps: taps()[..3].to_vec(),
    })
    .await
    .unwrap();
    let before = node.state().await;
    drop(node);
    let recovered = recover(&path, rules()).await.unwrap();
    assert_eq!(recovered.operations, 1, "only what came after the reset");
    drop(recovered);
    assert_eq!(Node::open(&path).await.state().await, before);
    assert!(file_holds(&path, GOLDEN_PAN).is_empty());
}

#[tokio::test]
async fn pans_are_erased_when_due_and_the_replay_is_unchanged() {
    let path = scratch("pans");
    let mut node = Node::open(&path).await;
    week(&mut node).await;
    reader_tap(&mut node, false).await;
    drop(node);
    assert!(
        !file_holds(&path, GOLDEN_PAN).is_empty(),
        "held while the system holds it"
    );
    let mut node = Node::open(&path).await;
    // EMV-17: a day after the last tap, the system holds no PAN, nor does the journal.
    node.call(SetClock {
        now: at("2024-03-12T12:00:00Z"),
    })
    .await
    .unwrap();
    assert_eq!(node.call(PansHeld {}).await.unwrap(), 0);
    let before = node.state().await;
    for pan in [GOLDEN_PAN, READER_PAN] {
        assert_eq!(file_holds(&path, pan), Vec::<String>::new(), "{pan} left");
    }
    drop(node);
    for pan in [GOLDEN_PAN, READER_PAN] {
        assert_eq!(
            file_holds(&path, pan),
            Vec::<String>::new(),
            "{pan} left after close"
        );
    }
    let mut node = Node::open(&path).await;
    assert_eq!(node.state().await, before, "replayed through surrogates");
    // The recovered system still knows the cards by their real PANs.
    reader_tap(&mut node, true).await;
    let journeys = node
        .call(Journeys {
            card: emv(READER_PAN),
        })
        .await
        .unwrap();
    assert!(
        !serde_json::to_string(&journeys)
            .unwrap()
            .contains(READER_PAN)
    );
    assert_eq!(node.call(PansHeld {}).await.unwrap(), 1);
}

#[tokio::test]
async fn a_journal_of_another_rule_set_or_program_is_refused() {
    let path = scratch("mismatch");
    drop(Node::open(&path).await);
    let mut other = nl_2024();
    other.ovpay.pan_retention_h = 48;
    let error = recover(&path, Arc::new(other)).await.err().unwrap();
    assert!(
        error.problem.contains("another") || error.problem.contains("SHA-256"),
        "{error}"
    );
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );

    let mut renamed = nl_2024();
    renamed.meta.id = "nl-2025".into();
    let error = recover(&path, Arc::new(renamed)).await.err().unwrap();
    assert!(
        error.problem.contains("rule set nl-2024") && error.problem.contains("rule set nl-2025"),
        "{error}"
    );

    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE journal_meta SET value = '0.0.1' WHERE key = 'ovcert_version'",
        [],
    )
    .unwrap();
    drop(conn);
    let error = recover(&path, rules()).await.err().unwrap();
    assert!(error.problem.contains("ovcert 0.0.1"), "{error}");
}

#[tokio::test]
async fn a_file_that_is_no_journal_is_refused_and_left_unchanged() {
    let path = scratch("foreign");
    std::fs::write(&path, b"id,name\n1,not a database at all, just some text\n").unwrap();
    let error = recover(&path, rules()).await.err().unwrap();
    assert!(error.problem.contains("not an SQLite database"), "{error}");
    assert!(std::fs::read(&path).unwrap().starts_with(b"id,name"));

    let other = scratch("other-db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE customers (id INTEGER);")
        .unwrap();
    drop(conn);
    let error = recover(&other, rules()).await.err().unwrap();
    assert!(
        error
            .problem
            .contains("not an ovcert journal (its tables: customers)"),
        "{error}"
    );

    let dir = scratch("missing-dir");
    let error = recover(&dir.join("nowhere/journal.sqlite"), rules())
        .await
        .err()
        .unwrap();
    assert!(error.problem.contains("does not exist"), "{error}");
}

#[tokio::test]
async fn a_corrupt_journal_is_refused() {
    let path = scratch("corrupt");
    let mut node = Node::open(&path).await;
    week(&mut node).await;
    drop(node);
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    for byte in &mut bytes[page..2 * page] {
        *byte = 0xa5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let error = recover(&path, rules()).await.err().unwrap();
    assert!(
        error.problem.contains("corrupt") || error.problem.contains("malformed"),
        "{error}"
    );
}

#[tokio::test]
async fn a_second_server_on_the_same_journal_is_refused() {
    let path = scratch("in-use");
    let node = Node::open(&path).await;
    let error = recover(&path, rules()).await.err().unwrap();
    assert!(
        error.problem.contains("in use by another process"),
        "{error}"
    );
    drop(node);
    drop(Node::open(&path).await);
}

#[tokio::test]
async fn operations_queued_together_share_one_commit() {
    let path = scratch("group");
    let node = Node::open(&path).await;
    let tickets: Vec<_> = (0..200)
        .map(|i| {
            let body = serde_json::to_string(&SetClock {
                now: Timestamp::from_second(1_700_000_000 + i).unwrap(),
            })
            .unwrap();
            node.journal.record(SetClock::NAME, body, Outcome::Answered)
        })
        .collect();
    for ticket in tickets {
        ticket.committed().await.unwrap();
    }
    let stats = node.journal.stats();
    let (entries, commits) = (
        stats.entries.load(Ordering::Relaxed),
        stats.commits.load(Ordering::Relaxed),
    );
    assert_eq!(entries, 200);
    assert!(commits < 20, "{commits} commits for 200 entries");
}
