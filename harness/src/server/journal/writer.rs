//! Group commit: one thread owns the journal file and commits whatever requests are queued
//! in one transaction (one fsync), then releases their handlers.
//!
//! Handlers queue their entry while they still hold the system's lock, so the queue's order
//! is the order the system applied them in; they wait for the commit after releasing the
//! lock, so the requests that arrive during one fsync share the next. A failed commit fails
//! its waiters and every later entry: the system may then be ahead of its journal, and only
//! a restart (which replays what was committed) makes them agree again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, mpsc};

use tokio::sync::oneshot;

use super::store::Store;
use super::{Entry, JournalError};

/// Entries committed together at most ("put a limit on everything").
const GROUP_MAX: usize = 1024;

type Done = oneshot::Sender<Result<(), JournalError>>;

/// The queue to the writer thread.
pub struct Writer {
    /// `None` only while dropping.
    jobs: Option<mpsc::Sender<(Entry, Done)>>,
    thread: Option<std::thread::JoinHandle<()>>,
    failure: Arc<OnceLock<JournalError>>,
    stats: Arc<Stats>,
    path: String,
}

/// How the writer has grouped its commits.
#[derive(Debug, Default)]
pub struct Stats {
    pub entries: AtomicU64,
    pub commits: AtomicU64,
}

/// An entry's place in the queue; resolves once the entry (and all before it) is durable.
pub struct Ticket(oneshot::Receiver<Result<(), JournalError>>, String);

impl Ticket {
    pub async fn committed(self) -> Result<(), JournalError> {
        let path = self.1;
        self.0
            .await
            .unwrap_or_else(|_| Err(JournalError::new(&path, "its writer stopped")))
    }
}

impl Writer {
    /// Starts the writer thread on `store`.
    pub fn start(store: Store, path: String) -> std::io::Result<Writer> {
        let (jobs, queue) = mpsc::channel();
        let failure = Arc::new(OnceLock::new());
        let stats = Arc::new(Stats::default());
        let thread_failure = Arc::clone(&failure);
        let thread_stats = Arc::clone(&stats);
        let thread = std::thread::Builder::new()
            .name("ovcert-journal".into())
            .spawn(move || run(store, &queue, &thread_failure, &thread_stats))?;
        Ok(Writer {
            jobs: Some(jobs),
            thread: Some(thread),
            failure,
            stats,
            path,
        })
    }

    /// Queues `entry`; the ticket resolves when it is committed.
    pub fn submit(&self, entry: Entry) -> Ticket {
        let (done, wait) = oneshot::channel();
        if let Some(failure) = self.failure.get() {
            let _ = done.send(Err(failure.clone()));
        } else if let Some(jobs) = &self.jobs
            && let Err(mpsc::SendError((_, done))) = jobs.send((entry, done))
        {
            let _ = done.send(Err(JournalError::new(&self.path, "its writer stopped")));
        }
        Ticket(wait, self.path.clone())
    }

    /// Why the journal stopped taking entries, once it has.
    pub fn failure(&self) -> Option<JournalError> {
        self.failure.get().cloned()
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}

impl Drop for Writer {
    /// Closes the journal: the writer finishes what is queued and closes the file (which
    /// checkpoints the log and releases the lock), so the journal can be opened again at once.
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    mut store: Store,
    queue: &mpsc::Receiver<(Entry, Done)>,
    failure: &OnceLock<JournalError>,
    stats: &Stats,
) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        group.extend(queue.try_iter().take(GROUP_MAX - 1));
        let entries: Vec<&Entry> = group.iter().map(|(entry, _)| entry).collect();
        let result = store.commit(&entries);
        stats.commits.fetch_add(1, Ordering::Relaxed);
        stats
            .entries
            .fetch_add(group.len() as u64, Ordering::Relaxed);
        if let Err(error) = &result {
            let _ = failure.set(error.clone());
        }
        for (_, done) in group {
            let _ = done.send(result.clone());
        }
        if let Err(error) = result {
            for (_, done) in queue.iter() {
                let _ = done.send(Err(error.clone()));
            }
            return;
        }
    }
}
