//! Where the served system's clock comes from (`ovcert serve --clock`).
//!
//! The reference never reads a clock: everything happens at the system's `now`, which only
//! the `SetClock` operation moves. In a test lab the suite moves it with that test control.
//! A server that participants develop against for months follows this machine's clock
//! instead, so night charges, retries, lifted blocks and the 24-hour PAN purge (EMV-08..14,
//! EMV-17) happen as time passes. The machine's time is told to the system as the `SetClock`
//! operation it is — in whole seconds, never backwards, journaled like every other operation,
//! so a restart replays the same instants — before each operation and once a second while
//! the server is idle.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicI64, Ordering};

use futures::FutureExt as _;
use jiff::Timestamp;

use super::journal::{Journal, Outcome};
use crate::api::Operation;
use crate::api::operations::SetClock;
use crate::sut::SystemUnderTest;

/// What moves the system's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockSource {
    /// Only the `SetClock` test control (`--test-controls`); without it the clock stays where
    /// it is.
    Test,
    /// This machine's clock.
    System,
}

/// The machine's clock as the server tells it to the system.
#[derive(Debug, Default)]
pub struct SystemClock {
    /// The last second told (Unix seconds); 0 before the first.
    told: AtomicI64,
}

impl SystemClock {
    /// Tells `system` the machine's time when a new second has begun since it was last told
    /// (never an earlier one), journaled when there is a journal. Call with the system's lock
    /// held, before the operation it precedes.
    pub async fn tell(&self, system: &mut dyn SystemUnderTest, journal: Option<&Journal>) {
        self.tell_at(Timestamp::now(), system, journal).await;
    }

    async fn tell_at(
        &self,
        now: Timestamp,
        system: &mut dyn SystemUnderTest,
        journal: Option<&Journal>,
    ) {
        let second = now.as_second();
        if second <= self.told.load(Ordering::Relaxed) {
            return;
        }
        self.told.store(second, Ordering::Relaxed);
        let operation = SetClock {
            now: Timestamp::from_second(second).expect("a second of a valid instant"),
        };
        let body = serde_json::to_string(&operation).expect("an instant serialises");
        let outcome = AssertUnwindSafe(operation.apply(system))
            .catch_unwind()
            .await;
        // Not awaited: the operation that follows is answered only once everything queued
        // before it is durable, and an idle second lost in a crash is told again.
        if let Some(journal) = journal {
            drop(journal.record(SetClock::NAME, body, Outcome::of(&outcome)));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::sut::InProcess;

    #[tokio::test]
    async fn whole_seconds_never_backwards() {
        let mut system = InProcess::new(Arc::new(ovcert_reference::rules::nl_2024()));
        let clock = SystemClock::default();
        let at = |text: &str| text.parse::<Timestamp>().unwrap();
        clock
            .tell_at(at("2026-11-21T10:00:00.900Z"), &mut system, None)
            .await;
        assert_eq!(system.now(), at("2026-11-21T10:00:00Z"));
        clock
            .tell_at(at("2026-11-21T09:59:00Z"), &mut system, None)
            .await;
        assert_eq!(system.now(), at("2026-11-21T10:00:00Z"), "never backwards");
        clock
            .tell_at(at("2026-11-21T10:00:01.2Z"), &mut system, None)
            .await;
        assert_eq!(system.now(), at("2026-11-21T10:00:01Z"));
    }

    /// The told time is journaled: a restart comes back at the last second told.
    #[tokio::test]
    async fn a_restart_replays_the_told_time() {
        let dir = std::env::temp_dir().join(format!("ovcert-clock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("journal.sqlite");
        let rules = Arc::new(ovcert_reference::rules::nl_2024());
        let told = "2026-11-21T10:00:05Z".parse::<Timestamp>().unwrap();
        {
            let recovered = crate::server::journal::recover(&path, Arc::clone(&rules))
                .await
                .unwrap();
            let mut system = recovered.system;
            SystemClock::default()
                .tell_at(told, &mut system, Some(&recovered.journal))
                .await;
            recovered.journal.barrier().committed().await.unwrap();
        }
        let recovered = crate::server::journal::recover(&path, rules).await.unwrap();
        assert_eq!(recovered.operations, 1);
        assert_eq!(recovered.system.now(), told);
        drop(recovered);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
