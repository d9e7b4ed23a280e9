//! The server's journal (`ovcert serve --journal FILE`): every operation that may change the
//! system, in the order the system carried it out, durable before it is answered; on start
//! the journal is replayed into a fresh system, which then has exactly the state the last
//! answered operation left.
//!
//! Why a journal of operations and not a snapshot of state: the reference is deterministic —
//! it reads no clock (the clock is an operation, `SetClock`) and draws no randomness — so
//! the operations are the whole input, and replaying them is exact by construction. Nothing
//! of the reference's state needs a storage format, and the same replay recovers every part
//! of it (back office, card-holder accounts, readers, bank simulator, payments).
//!
//! - **What is journaled**: every operation except the observations listed in
//!   [`crate::api::operations::OBSERVATIONS`], with its request as JSON and how it came out
//!   (answered, refused, not supported, failed). A refusal is journaled too: a refused
//!   ingest may have stored the taps before the bad one, and the replay refuses at the same
//!   tap. Requests the server turns away before the system sees them (bad JSON, test
//!   controls off, a missing capability) are not.
//! - **Order**: the handler applies the operation and queues its entry while holding the
//!   system's lock, so journal order is apply order.
//! - **Durability and group commit** ([`writer`]): an operation is answered only after its
//!   entry is committed (WAL, `synchronous=FULL`); entries that queue during one commit share
//!   the next. An observation waits until everything before it is committed, so nobody is
//!   shown state that a crash could still take back.
//! - **Idempotent ingest by tap id** survives restarts: the replay rebuilds the back office,
//!   and a tap sent again after a restart is a duplicate there as before.
//! - **Reset** empties the journal in the same commit order (a reset system is a fresh one).
//! - **PANs (EMV-17)** ([`pan`]): a PAN is erased from the journal at the clock change at which
//!   the system purges it, replaced by a surrogate that replays to the same card.
//! - **What a journal belongs to** ([`Fingerprint`]): the rule set (id and SHA-256 of its
//!   content) and the ovcert version; a journal of anything else is refused with both named,
//!   since replaying it would silently give other results.
//! - **Failure**: when a commit fails the system may be ahead of its journal; the server
//!   answers that request and every later one with a 500 problem naming the journal's error,
//!   until it is restarted (and recovers what was committed).

mod pan;
mod replay;
mod store;
mod writer;

#[cfg(test)]
mod tests;

use std::any::Any;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ovcert_reference::rules::RuleSet;
use sha2::{Digest as _, Sha256};

use crate::sut::{InProcess, SutErrorKind, SutResult};

pub use writer::{Stats, Ticket};

/// What `format` in the journal's meta table says; another value is another program's file.
const FORMAT: &str = "ovcert-journal/1";

/// Why the journal could not be opened, replayed or written: which file, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("journal {path}: {problem}")]
pub struct JournalError {
    pub path: String,
    pub problem: String,
}

impl JournalError {
    pub fn new(path: &str, problem: impl Into<String>) -> JournalError {
        JournalError {
            path: path.to_owned(),
            problem: problem.into(),
        }
    }
}

/// How the system came out of an operation; replaying it must come out the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Answered,
    Refused,
    NotSupported,
    /// It panicked (a defect; the server answered 500).
    Failed,
}

impl Outcome {
    /// The outcome of `apply`, caught for panics.
    pub fn of<A>(result: &Result<SutResult<A>, Box<dyn Any + Send>>) -> Outcome {
        match result {
            Ok(Ok(_)) => Outcome::Answered,
            Ok(Err(error)) if error.kind == SutErrorKind::NotSupported => Outcome::NotSupported,
            Ok(Err(_)) => Outcome::Refused,
            Err(_) => Outcome::Failed,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Refused => "refused",
            Outcome::NotSupported => "not-supported",
            Outcome::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<Outcome> {
        [
            Outcome::Answered,
            Outcome::Refused,
            Outcome::NotSupported,
            Outcome::Failed,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }
}

/// What the writer is asked to do.
pub enum Entry {
    /// Journal an operation (`name` as declared, `body` its request as JSON).
    Operation {
        name: &'static str,
        body: String,
        outcome: Outcome,
    },
    /// Nothing to write: resolves once everything queued before it is committed.
    Barrier,
}

/// What a journal belongs to: a replay is exact only under the same rule set and program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub rule_set_id: String,
    /// SHA-256 of the rule set's content (its canonical JSON), lowercase hex.
    pub rule_set_sha256: String,
    pub ovcert_version: String,
}

impl Fingerprint {
    pub fn of(rules: &RuleSet) -> Fingerprint {
        let canonical = serde_json::to_vec(rules).expect("a rule set serialises to JSON");
        let digest = Sha256::digest(&canonical);
        Fingerprint {
            rule_set_id: rules.meta.id.clone(),
            rule_set_sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
            ovcert_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// The meta-table entries a journal must match.
    fn entries(&self) -> [(&'static str, &str); 4] {
        [
            ("format", FORMAT),
            ("rule_set_id", &self.rule_set_id),
            ("rule_set_sha256", &self.rule_set_sha256),
            ("ovcert_version", &self.ovcert_version),
        ]
    }

    /// Why a journal whose `key` says `found` is refused.
    fn mismatch(&self, key: &str, found: &str) -> String {
        let short = |sha: &str| sha.get(..12).unwrap_or(sha).to_owned();
        let (theirs, ours) = match key {
            "ovcert_version" => (
                format!("ovcert {found}"),
                format!("ovcert {}", self.ovcert_version),
            ),
            "rule_set_sha256" => (
                format!(
                    "rule set {} with SHA-256 {}…",
                    self.rule_set_id,
                    short(found)
                ),
                format!(
                    "rule set {} with SHA-256 {}…",
                    self.rule_set_id,
                    short(&self.rule_set_sha256)
                ),
            ),
            "rule_set_id" => (
                format!("rule set {found}"),
                format!("rule set {}", self.rule_set_id),
            ),
            _ => (
                format!("{key} {found:?}"),
                format!("{key} {:?}", self.entries_value(key)),
            ),
        };
        format!(
            "was written by {theirs}, but this server runs {ours}; replaying it would give \
             other results. Start the server with what wrote it (--rules) or use a new \
             journal; it was left unchanged"
        )
    }

    fn entries_value(&self, key: &str) -> &str {
        self.entries()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v)
    }
}

/// An open journal: the server queues entries here.
pub struct Journal {
    path: String,
    writer: writer::Writer,
}

impl Journal {
    /// Queues an operation the system carried out.
    pub fn record(&self, name: &'static str, body: String, outcome: Outcome) -> Ticket {
        self.writer.submit(Entry::Operation {
            name,
            body,
            outcome,
        })
    }

    /// Resolves once everything queued so far is committed (for observations).
    pub fn barrier(&self) -> Ticket {
        self.writer.submit(Entry::Barrier)
    }

    /// Why the journal stopped taking entries, once it has.
    pub fn failure(&self) -> Option<JournalError> {
        self.writer.failure()
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn stats(&self) -> &Stats {
        self.writer.stats()
    }
}

/// A system recovered from its journal, and the journal, ready to serve.
pub struct Recovered {
    pub system: InProcess,
    pub journal: Journal,
    /// Operations replayed.
    pub operations: usize,
    /// The journal file was new.
    pub created: bool,
    pub took: Duration,
}

/// Opens the journal at `path` (creating it if missing) and replays it into a fresh
/// reference for `rules`.
pub async fn recover(path: &Path, rules: Arc<RuleSet>) -> Result<Recovered, JournalError> {
    let started = Instant::now();
    let shown = path.display().to_string();
    let scrubber = pan::PanScrubber::new(&rules).map_err(|e| JournalError::new(&shown, e))?;
    let opened = store::Store::open(path, &Fingerprint::of(&rules), scrubber)?;
    let mut system = InProcess::new(rules);
    for alias in &opened.aliases {
        if !system.alias_pan(&alias.surrogate, alias.pan_sequence, alias.token.clone()) {
            return Err(JournalError::new(
                &shown,
                format!(
                    "surrogate PAN {} is not usable; the journal is corrupt",
                    alias.surrogate
                ),
            ));
        }
    }
    replay::replay(&shown, &mut system, &opened.rows).await?;
    let writer = writer::Writer::start(opened.store, shown.clone())
        .map_err(|e| JournalError::new(&shown, format!("cannot start its writer: {e}")))?;
    Ok(Recovered {
        system,
        journal: Journal {
            path: shown,
            writer,
        },
        operations: opened.rows.len(),
        created: opened.created,
        took: started.elapsed(),
    })
}
