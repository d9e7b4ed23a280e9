//! The deny list (signaleringslijst) readers check at every check-in (TAP-05, EMV-05).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::backoffice::tokens::CardToken;
use crate::card::CardNumber;
use crate::tap::{CardIdentity, ReaderRef};

/// A card on the deny list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum DenyKey {
    OvChipkaart {
        number: CardNumber,
    },
    /// A bank card by its back-office token: the list never holds a PAN (EMV-01).
    Token {
        token: CardToken,
    },
}

/// What a reader asks at every check-in (TAP-05, EMV-05): is this card denied, and why? The
/// back office answers for bank cards by tokenising the PAN it is shown.
pub trait DenyCheck {
    fn denied(&self, card: &CardIdentity) -> Option<DenyReason>;

    /// EMV-12 / TAP-05: whether a bank card has an open journey at this reader's operator and
    /// transport class, so that a denied card may still check out. Only the back office,
    /// which qualifies bank-card taps, can tell; a bare list says no.
    fn has_open_leg(&self, card: &CardIdentity, reader: &ReaderRef, at: Timestamp) -> bool {
        let _ = (card, reader, at);
        false
    }
}

/// EMV-05 and TAP-05: why a card is on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DenyReason {
    /// The bank or the holder reported it lost or stolen.
    LostOrStolen,
    /// A settlement failed (insufficient funds).
    SettlementFailed,
    /// A discount product's conditions are not met.
    ProductConditions,
    /// Fraud is suspected (TERM-09).
    Fraud,
}

/// One listed card: why, and since when (a debt applies to taps after the listing only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DenyEntry {
    pub reason: DenyReason,
    pub since: Timestamp,
}

/// The deny list as distributed to readers, with a version that grows with every change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DenyList {
    pub version: u64,
    entries: BTreeMap<DenyKey, DenyEntry>,
}

impl DenyList {
    pub fn add(&mut self, key: DenyKey, reason: DenyReason, since: Timestamp) {
        self.entries.insert(key, DenyEntry { reason, since });
        self.version += 1;
    }

    pub fn remove(&mut self, key: &DenyKey) {
        if self.entries.remove(key).is_some() {
            self.version += 1;
        }
    }

    pub fn reason(&self, key: &DenyKey) -> Option<DenyReason> {
        self.entries.get(key).map(|e| e.reason)
    }

    pub fn entry(&self, key: &DenyKey) -> Option<DenyEntry> {
        self.entries.get(key).copied()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A bare list knows cards by number only; bank cards need the back office's tokens.
impl DenyCheck for DenyList {
    fn denied(&self, card: &CardIdentity) -> Option<DenyReason> {
        match card {
            CardIdentity::OvChipkaart { number } => {
                self.reason(&DenyKey::OvChipkaart { number: *number })
            }
            CardIdentity::Emv { .. } => None,
        }
    }
}
