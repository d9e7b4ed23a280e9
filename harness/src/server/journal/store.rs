//! The journal file: an SQLite database in WAL mode holding the operations in apply order,
//! the surrogate PANs, and what the journal was written for.
//!
//! Settings, and why:
//! - `locking_mode=EXCLUSIVE`: the file stays locked while the server runs, so a second server
//!   on the same journal is refused at once instead of interleaving its operations (and WAL
//!   needs no shared-memory file);
//! - `journal_mode=WAL`: a commit appends to the log and fsyncs once, the cheapest durable
//!   commit SQLite has;
//! - `synchronous=FULL`: the log is fsynced at every commit, so an acknowledged operation
//!   survives a power loss or an OS crash, not only a killed process (`NORMAL` in WAL mode
//!   may lose the last commits on power loss);
//! - `secure_delete=ON`: a row rewritten without its PAN, or deleted by a reset, leaves zeros
//!   behind, not the old bytes; after such a change the log is checkpointed and truncated
//!   (`wal_checkpoint(TRUNCATE)`), so neither file keeps the PAN (EMV-17).

use std::path::Path;

use jiff::Timestamp;
use rusqlite::{Connection, ErrorCode, OptionalExtension as _, Transaction, params};
use serde_json::Value;

use super::pan::{Alias, PanScrubber};
use super::{Entry, FORMAT, Fingerprint, JournalError, Outcome};
use crate::api::Operation as _;
use crate::api::operations::{Reset, SetClock};

const SCHEMA: &str = "
CREATE TABLE journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE operations (
    seq INTEGER PRIMARY KEY,  -- apply order
    name TEXT NOT NULL,       -- the operation (api::operations)
    body TEXT NOT NULL,       -- its request as JSON
    outcome TEXT NOT NULL,    -- how the system answered: answered, refused, not-supported, failed
    clock TEXT NOT NULL,      -- the system's clock when it was made (RFC 3339)
    pan_due INTEGER           -- ns since the epoch when the first PAN in body is erased; NULL: none
);
CREATE INDEX operations_pan_due ON operations (pan_due) WHERE pan_due IS NOT NULL;
CREATE TABLE pan_aliases (
    surrogate TEXT NOT NULL,
    pan_sequence INTEGER NOT NULL,
    token TEXT NOT NULL,
    PRIMARY KEY (surrogate, pan_sequence)
) WITHOUT ROWID;
";

/// One journaled operation, read back for a replay.
#[derive(Debug, Clone)]
pub struct Row {
    pub seq: i64,
    pub name: String,
    pub body: String,
    pub outcome: Outcome,
}

/// What an opened journal holds.
pub struct Opened {
    pub store: Store,
    pub rows: Vec<Row>,
    pub aliases: Vec<Alias>,
    /// A new, empty journal was created.
    pub created: bool,
}

/// The open journal file, owned by the writer thread once the replay is done.
pub struct Store {
    conn: Connection,
    path: String,
    state: State,
}

/// What the journal tracks of the system while writing.
struct State {
    scrubber: PanScrubber,
    /// The scrubber as a reset leaves it (no surrogates).
    blank: PanScrubber,
    /// The system's clock as the journal's operations set it.
    clock: Timestamp,
}

impl Store {
    /// Opens (or creates) the journal at `path` for a system with `fingerprint`.
    pub fn open(
        path: &Path,
        fingerprint: &Fingerprint,
        scrubber: PanScrubber,
    ) -> Result<Opened, JournalError> {
        let shown = path.display().to_string();
        let fail = |problem: String| JournalError::new(&shown, problem);
        if path.is_dir() {
            return Err(fail(
                "is a directory; give the path of a journal file".into(),
            ));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.is_dir()
        {
            return Err(fail(format!(
                "directory {} does not exist; create it or choose another path",
                parent.display()
            )));
        }
        let conn = Connection::open(path).map_err(|e| fail(describe(&e, "cannot open it")))?;
        let mut store = Store {
            conn,
            path: shown.clone(),
            state: State {
                blank: scrubber.clone(),
                scrubber,
                clock: Timestamp::UNIX_EPOCH,
            },
        };
        store.configure()?;
        let created = store.check_or_create(fingerprint)?;
        let aliases = store.read_aliases()?;
        for alias in &aliases {
            if !store.state.scrubber.restore(alias) {
                return Err(fail(format!(
                    "surrogate PAN {} is registered for two cards; the journal is corrupt",
                    alias.surrogate
                )));
            }
        }
        let rows = store.read_rows()?;
        store.state.clock = clock_after(&rows);
        // Anything due by the recovered clock goes now (normally already done at commit).
        store.commit_with(|state, tx| {
            let now = state.clock;
            state.scrub_due(tx, now).map(|erased| erased > 0)
        })?;
        Ok(Opened {
            store,
            rows,
            aliases,
            created,
        })
    }

    fn fail(&self, problem: impl Into<String>) -> JournalError {
        JournalError::new(&self.path, problem)
    }

    fn configure(&mut self) -> Result<(), JournalError> {
        let sql = |e: rusqlite::Error| self.fail(describe(&e, "cannot read it"));
        self.conn
            .pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(sql)?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
            .map_err(sql)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(self.fail(format!("SQLite refused WAL mode (it stays in {mode} mode)")));
        }
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(sql)?;
        self.conn
            .pragma_update(None, "secure_delete", "ON")
            .map_err(sql)?;
        // Takes the exclusive lock now: a journal in use by another server is refused here.
        self.conn
            .execute_batch("BEGIN EXCLUSIVE; COMMIT;")
            .map_err(sql)?;
        if self.conn.is_readonly("main").unwrap_or(true) {
            return Err(self.fail("is not writable (check the file's permissions)"));
        }
        let check: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |row| row.get(0))
            .map_err(sql)?;
        if check != "ok" {
            return Err(self.fail(format!("is corrupt (SQLite quick_check: {check})")));
        }
        Ok(())
    }

    /// Checks what the journal was written for, or makes a new one; `true` when created.
    fn check_or_create(&mut self, fingerprint: &Fingerprint) -> Result<bool, JournalError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| JournalError::new(&path, describe(&e, "cannot read it"));
        let tables: Vec<String> = {
            let mut statement = self
                .conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .map_err(sql)?;
            statement
                .query_map([], |row| row.get(0))
                .and_then(Iterator::collect)
                .map_err(sql)?
        };
        if tables.is_empty() {
            let tx = self.conn.transaction().map_err(sql)?;
            tx.execute_batch(SCHEMA).map_err(sql)?;
            for (key, value) in fingerprint.entries() {
                tx.execute(
                    "INSERT INTO journal_meta (key, value) VALUES (?1, ?2)",
                    params![key, value],
                )
                .map_err(sql)?;
            }
            tx.commit().map_err(sql)?;
            return Ok(true);
        }
        if !tables.iter().any(|t| t == "journal_meta") {
            return Err(self.fail(format!(
                "is an SQLite database but not an ovcert journal (its tables: {}); \
                 it was left unchanged",
                tables.join(", ")
            )));
        }
        let meta = |key: &str| -> Result<Option<String>, JournalError> {
            self.conn
                .query_row(
                    "SELECT value FROM journal_meta WHERE key = ?1",
                    [key],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| self.fail(describe(&e, "cannot read it")))
        };
        let format = meta("format")?.unwrap_or_default();
        if format != FORMAT {
            return Err(self.fail(format!(
                "has format {format:?}, but this server reads {FORMAT:?}; it was left unchanged"
            )));
        }
        for (key, expected) in fingerprint.entries() {
            let found = meta(key)?.unwrap_or_default();
            if found != expected {
                return Err(self.fail(fingerprint.mismatch(key, &found)));
            }
        }
        Ok(false)
    }

    fn read_aliases(&self) -> Result<Vec<Alias>, JournalError> {
        let sql = |e: rusqlite::Error| self.fail(describe(&e, "cannot read its surrogate PANs"));
        let mut statement = self
            .conn
            .prepare("SELECT surrogate, pan_sequence, token FROM pan_aliases ORDER BY surrogate")
            .map_err(sql)?;
        let raw: Vec<(String, i64, String)> = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .and_then(Iterator::collect)
            .map_err(sql)?;
        raw.into_iter()
            .map(|(surrogate, sequence, token)| {
                let pan_sequence = u8::try_from(sequence).map_err(|_| {
                    self.fail(format!(
                        "surrogate PAN {surrogate}: sequence {sequence} is no PAN sequence number"
                    ))
                })?;
                let token = token
                    .parse()
                    .map_err(|e| self.fail(format!("surrogate PAN {surrogate}: {e}")))?;
                Ok(Alias {
                    surrogate,
                    pan_sequence,
                    token,
                })
            })
            .collect()
    }

    fn read_rows(&self) -> Result<Vec<Row>, JournalError> {
        let sql = |e: rusqlite::Error| self.fail(describe(&e, "cannot read its operations"));
        let mut statement = self
            .conn
            .prepare("SELECT seq, name, body, outcome FROM operations ORDER BY seq")
            .map_err(sql)?;
        let raw: Vec<(i64, String, String, String)> = statement
            .query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .and_then(Iterator::collect)
            .map_err(sql)?;
        raw.into_iter()
            .map(|(seq, name, body, outcome)| {
                let outcome = Outcome::parse(&outcome).ok_or_else(|| {
                    self.fail(format!(
                        "operation {seq} ({name}): unknown outcome {outcome:?}"
                    ))
                })?;
                Ok(Row {
                    seq,
                    name,
                    body,
                    outcome,
                })
            })
            .collect()
    }

    /// Writes `entries` in one transaction and one fsync (group commit). A reset empties the
    /// journal; a clock change erases the PANs due by then.
    pub fn commit(&mut self, entries: &[&Entry]) -> Result<(), JournalError> {
        self.commit_with(|state, tx| {
            let mut wiped = false;
            for entry in entries {
                let Entry::Operation {
                    name,
                    body,
                    outcome,
                } = entry
                else {
                    continue;
                };
                if *name == Reset::NAME {
                    tx.execute_batch("DELETE FROM operations; DELETE FROM pan_aliases;")?;
                    state.scrubber = state.blank.clone();
                    state.clock = Timestamp::UNIX_EPOCH;
                    wiped = true;
                    continue;
                }
                let made_at = state.clock;
                let value: Value = serde_json::from_str(body)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                let due = state.scrubber.first_due(&value, made_at);
                tx.execute(
                    "INSERT INTO operations (name, body, outcome, clock, pan_due) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        name,
                        body,
                        outcome.as_str(),
                        made_at.to_string(),
                        due.map(nanos)
                    ],
                )?;
                if *name == SetClock::NAME
                    && let Ok(set) = serde_json::from_value::<SetClock>(value)
                {
                    state.clock = set.now;
                    wiped |= state.scrub_due(tx, set.now)? > 0;
                }
            }
            Ok(wiped)
        })
    }

    /// Runs `work` in a transaction; when it says old bytes were overwritten, checkpoints and
    /// truncates the log so they are gone from it too.
    fn commit_with(
        &mut self,
        work: impl FnOnce(&mut State, &Transaction<'_>) -> rusqlite::Result<bool>,
    ) -> Result<(), JournalError> {
        let result = (|| {
            let tx = self.conn.transaction()?;
            let overwritten = work(&mut self.state, &tx)?;
            tx.commit()?;
            if overwritten {
                self.conn
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            }
            Ok(())
        })();
        result.map_err(|e: rusqlite::Error| self.fail(describe(&e, "cannot write it")))
    }
}

impl State {
    /// EMV-17: rewrites the rows whose PANs are due at `now`; how many PANs were erased.
    fn scrub_due(&mut self, tx: &Transaction<'_>, now: Timestamp) -> rusqlite::Result<usize> {
        let due: Vec<(i64, String, String)> = {
            let mut statement =
                tx.prepare("SELECT seq, clock, body FROM operations WHERE pan_due <= ?1")?;
            statement
                .query_map([nanos(now)], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut erased = 0;
        for (seq, clock, body) in due {
            let clock = clock.parse().unwrap_or(Timestamp::UNIX_EPOCH);
            let mut value: Value = serde_json::from_str(&body)
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            let scrubbed = self.scrubber.scrub(&mut value, clock, now);
            for alias in &scrubbed.new_aliases {
                tx.execute(
                    "INSERT INTO pan_aliases (surrogate, pan_sequence, token) VALUES (?1, ?2, ?3)",
                    params![alias.surrogate, alias.pan_sequence, alias.token.as_str()],
                )?;
            }
            tx.execute(
                "UPDATE operations SET body = ?1, pan_due = ?2 WHERE seq = ?3",
                params![value.to_string(), scrubbed.next_due.map(nanos), seq],
            )?;
            erased += scrubbed.erased;
        }
        Ok(erased)
    }
}

/// The clock the rows leave the system at: the last clock change, else the epoch (where a
/// fresh system starts).
fn clock_after(rows: &[Row]) -> Timestamp {
    rows.iter()
        .rev()
        .filter(|row| row.name == SetClock::NAME)
        .find_map(|row| serde_json::from_str::<SetClock>(&row.body).ok())
        .map_or(Timestamp::UNIX_EPOCH, |set| set.now)
}

/// An instant as an SQLite integer (nanoseconds since the epoch; saturating).
fn nanos(at: Timestamp) -> i64 {
    i64::try_from(at.as_nanosecond()).unwrap_or(if at > Timestamp::UNIX_EPOCH {
        i64::MAX
    } else {
        i64::MIN
    })
}

/// An SQLite error in words a user can act on.
fn describe(error: &rusqlite::Error, doing: &str) -> String {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            "is not an SQLite database (some other file?); it was left unchanged".into()
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "is in use by another process (another ovcert serve?); one server per journal".into()
        }
        Some(ErrorCode::DatabaseCorrupt) => format!("is corrupt ({error})"),
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
            format!("is not writable ({error}); check the file's permissions")
        }
        Some(ErrorCode::DiskFull) => format!("{doing}: the disk is full ({error})"),
        _ => format!("{doing}: {error}"),
    }
}
