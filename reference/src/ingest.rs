//! Back-office tap ingestion (TAP-08, GBO-04): idempotent by tap id, ordered by tap time.
//!
//! Offline readers upload late and sometimes twice; the store's view does not depend on the
//! arrival order or on duplicates, because it is keyed by tap id and ordered by the reader's
//! clock (the `by-tap-time` interpretation).

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::tap::{TapId, TapMessage};

/// Whether an upload added something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    New,
    /// The tap id was known; nothing changed.
    Duplicate,
}

#[derive(Debug, Clone, Default)]
pub struct TapStore {
    by_id: BTreeMap<TapId, TapMessage>,
    by_time: BTreeMap<(Timestamp, TapId), ()>,
}

impl TapStore {
    pub fn ingest(&mut self, message: TapMessage) -> Ingested {
        if self.by_id.contains_key(&message.tap_id) {
            return Ingested::Duplicate;
        }
        self.by_time
            .insert((message.at, message.tap_id.clone()), ());
        self.by_id.insert(message.tap_id.clone(), message);
        Ingested::New
    }

    /// All taps, ordered by tap time, then tap id.
    pub fn ordered(&self) -> Vec<TapMessage> {
        self.by_time
            .keys()
            .filter_map(|(_, id)| self.by_id.get(id).cloned())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}
