//! The deny list (signaleringslijst) readers check at every check-in (TAP-05, EMV-05), and the
//! copies readers keep of it.
//!
//! The back office keeps the list; every change (a reason added to or removed from a card) gets
//! the next version number and is kept as a [`DenyDelta`]. A reader holds a [`DenyCopy`] with
//! the version it has seen and applies the deltas after it strictly in order, so a reader that
//! was off line and missed versions gets exactly the missing ones, in order (EMV-05:
//! "distributed to operators").
//!
//! A card may be listed for several reasons at once (a debt and a bank block); it stays denied
//! until the last reason is lifted, and each reason is lifted by whoever owns it (EMV-04: a bank
//! decision only by the bank).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::backoffice::tokens::CardToken;
use crate::card::CardNumber;
use crate::tap::{CardIdentity, ReaderRef};

/// A card on the deny list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

/// EMV-05 and TAP-05: why a card is on the list. EMV-05 names three reasons for bank cards:
/// the bank lists the card ([`LostOrStolen`](Self::LostOrStolen),
/// [`BankBlocked`](Self::BankBlocked), and — found by the EMV-03 account status check —
/// [`NoTravelFunction`](Self::NoTravelFunction)), a failed settlement
/// ([`SettlementFailed`](Self::SettlementFailed)) and unmet discount-product conditions
/// ([`ProductConditions`](Self::ProductConditions)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DenyReason {
    /// The bank or the holder reported it lost or stolen (EMV-04, EMV-05).
    LostOrStolen,
    /// A settlement failed (insufficient funds) (EMV-05, EMV-12).
    SettlementFailed,
    /// A discount product's conditions are not met (EMV-05).
    ProductConditions,
    /// Fraud is suspected (TERM-09).
    Fraud,
    /// EMV-04: the bank blocked the card for another reason than loss or theft.
    BankBlocked,
    /// EMV-03: the account status check found no Dutch public-transport travel function.
    NoTravelFunction,
    /// TERM-12: the card's usage right ended (handed in, holder died, authority directive,
    /// changed terms rejected, expiry, weighty interest).
    UsageEnded,
}

impl DenyReason {
    /// EMV-04: the bank's decision; operators and the back office cannot lift it, only the
    /// bank's next answer can.
    pub fn is_bank_decision(self) -> bool {
        matches!(
            self,
            DenyReason::LostOrStolen | DenyReason::BankBlocked | DenyReason::NoTravelFunction
        )
    }

    /// Which reason a reader names when a card is listed for several: the bank's decisions
    /// first (nothing the traveller can do at a reader), a debt last (EMV-14: payable by
    /// tapping).
    fn rank(self) -> u8 {
        match self {
            DenyReason::LostOrStolen => 0,
            DenyReason::BankBlocked => 1,
            DenyReason::NoTravelFunction => 2,
            DenyReason::Fraud => 3,
            DenyReason::UsageEnded => 3,
            DenyReason::ProductConditions => 4,
            DenyReason::SettlementFailed => 5,
        }
    }
}

/// One reason a card is listed for: why, and since when (a debt applies to taps after the
/// listing only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DenyEntry {
    pub reason: DenyReason,
    pub since: Timestamp,
}

/// EMV-05: one change of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum DenyChange {
    Added {
        key: DenyKey,
        reason: DenyReason,
        since: Timestamp,
    },
    Removed {
        key: DenyKey,
        reason: DenyReason,
    },
}

/// EMV-05: a change with the version it creates. Deltas are applied in version order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DenyDelta {
    pub version: u64,
    pub change: DenyChange,
}

/// The reasons of every listed card.
type Entries = BTreeMap<DenyKey, BTreeMap<DenyReason, Timestamp>>;

/// JSON maps need string keys: the entries travel as a list of `[key, reasons]` pairs.
mod entries_as_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{DenyKey, DenyReason, Entries};

    type Pair = (
        DenyKey,
        std::collections::BTreeMap<DenyReason, jiff::Timestamp>,
    );

    pub fn serialize<S: Serializer>(entries: &Entries, serializer: S) -> Result<S::Ok, S::Error> {
        let pairs: Vec<(&DenyKey, _)> = entries.iter().collect();
        pairs.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Entries, D::Error> {
        Ok(Vec::<Pair>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

/// The deny list as the back office keeps it, with a version that grows with every change and
/// the log of changes readers catch up from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DenyList {
    pub version: u64,
    #[serde(with = "entries_as_list")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Vec<(DenyKey, std::collections::BTreeMap<DenyReason, jiff::Timestamp>)>")
    )]
    entries: Entries,
    /// `log[i].version == i + 1`: every change since version 0.
    log: Vec<DenyDelta>,
}

impl DenyList {
    /// Lists `key` for `reason` from `since` on. Listing a card again for a reason it is
    /// already listed for changes nothing (the first `since` stays).
    pub fn add(&mut self, key: DenyKey, reason: DenyReason, since: Timestamp) -> bool {
        let reasons = self.entries.entry(key.clone()).or_default();
        if reasons.contains_key(&reason) {
            return false;
        }
        reasons.insert(reason, since);
        self.record(DenyChange::Added { key, reason, since });
        true
    }

    /// Lifts one reason; the card stays listed for its other reasons.
    pub fn remove_reason(&mut self, key: &DenyKey, reason: DenyReason) -> bool {
        let Some(reasons) = self.entries.get_mut(key) else {
            return false;
        };
        if reasons.remove(&reason).is_none() {
            return false;
        }
        if reasons.is_empty() {
            self.entries.remove(key);
        }
        self.record(DenyChange::Removed {
            key: key.clone(),
            reason,
        });
        true
    }

    /// Lifts every reason of a card.
    pub fn remove(&mut self, key: &DenyKey) {
        let reasons: Vec<DenyReason> = self
            .entries
            .get(key)
            .map(|r| r.keys().copied().collect())
            .unwrap_or_default();
        for reason in reasons {
            self.remove_reason(key, reason);
        }
    }

    fn record(&mut self, change: DenyChange) {
        self.version += 1;
        self.log.push(DenyDelta {
            version: self.version,
            change,
        });
    }

    /// The reason a reader names for a listed card (see [`DenyReason`]'s ranking).
    pub fn reason(&self, key: &DenyKey) -> Option<DenyReason> {
        self.entry(key).map(|e| e.reason)
    }

    /// The entry of the reason a reader names.
    pub fn entry(&self, key: &DenyKey) -> Option<DenyEntry> {
        top(self.entries.get(key)?)
    }

    /// The entry for one reason, if the card is listed for it.
    pub fn entry_for(&self, key: &DenyKey, reason: DenyReason) -> Option<DenyEntry> {
        let since = *self.entries.get(key)?.get(&reason)?;
        Some(DenyEntry { reason, since })
    }

    /// Every reason a card is listed for, in reason order.
    pub fn entries_of(&self, key: &DenyKey) -> Vec<DenyEntry> {
        self.entries
            .get(key)
            .map(|r| {
                r.iter()
                    .map(|(&reason, &since)| DenyEntry { reason, since })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// EMV-05: the changes after `version`, in order (all of them for a new reader).
    pub fn deltas_since(&self, version: u64) -> &[DenyDelta] {
        let from = usize::try_from(version)
            .unwrap_or(usize::MAX)
            .min(self.log.len());
        &self.log[from..]
    }

    /// How many cards are listed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Checks the list's invariants; panics on a violation (a programmer error): the log is
    /// contiguous from version 1, and replaying it gives the entries.
    pub fn invariants(&self) {
        let mut replay = DenyCopy::default();
        for delta in &self.log {
            replay
                .apply(delta)
                .expect("the log is contiguous and in order");
        }
        assert_eq!(replay.version, self.version, "log and version disagree");
        assert_eq!(replay.entries, self.entries, "log and entries disagree");
    }
}

fn top(reasons: &BTreeMap<DenyReason, Timestamp>) -> Option<DenyEntry> {
    reasons
        .iter()
        .min_by_key(|(reason, _)| reason.rank())
        .map(|(&reason, &since)| DenyEntry { reason, since })
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

/// EMV-05: a delta that does not follow the copy's version (a gap or a repeat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("deny-list delta {got} does not follow the copy's version {have}: deltas apply in order")]
pub struct DeltaOutOfOrder {
    pub have: u64,
    pub got: u64,
}

/// EMV-05: a reader's copy of the deny list, at some version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DenyCopy {
    pub version: u64,
    #[serde(with = "entries_as_list")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Vec<(DenyKey, std::collections::BTreeMap<DenyReason, jiff::Timestamp>)>")
    )]
    entries: Entries,
}

impl DenyCopy {
    /// Applies the next delta; refuses any other (the copy is unchanged then).
    pub fn apply(&mut self, delta: &DenyDelta) -> Result<(), DeltaOutOfOrder> {
        if delta.version != self.version + 1 {
            return Err(DeltaOutOfOrder {
                have: self.version,
                got: delta.version,
            });
        }
        match &delta.change {
            DenyChange::Added { key, reason, since } => {
                self.entries
                    .entry(key.clone())
                    .or_default()
                    .insert(*reason, *since);
            }
            DenyChange::Removed { key, reason } => {
                if let Some(reasons) = self.entries.get_mut(key) {
                    reasons.remove(reason);
                    if reasons.is_empty() {
                        self.entries.remove(key);
                    }
                }
            }
        }
        self.version = delta.version;
        Ok(())
    }

    /// Catches up with the back office's list: applies the missed deltas in order and returns
    /// how many.
    pub fn sync(&mut self, list: &DenyList) -> usize {
        let deltas = list.deltas_since(self.version);
        for delta in deltas {
            self.apply(delta)
                .expect("the back office's log is contiguous");
        }
        deltas.len()
    }

    pub fn reason(&self, key: &DenyKey) -> Option<DenyReason> {
        Some(top(self.entries.get(key)?)?.reason)
    }
}

/// What a reader consults at a tap (EMV-05): its own copy of the list. A bank card's PAN is
/// turned into its token with the back office's tokenisation (the reader keeps no PAN and no
/// token list of its own); whether a denied bank card has an open journey to tap out of
/// (EMV-12) is asked on line.
pub struct ReaderCheck<'a> {
    pub copy: &'a DenyCopy,
    pub token_of: &'a dyn Fn(&str, u8) -> Option<CardToken>,
    pub online: &'a dyn DenyCheck,
}

impl DenyCheck for ReaderCheck<'_> {
    fn denied(&self, card: &CardIdentity) -> Option<DenyReason> {
        match card {
            CardIdentity::OvChipkaart { number } => {
                self.copy.reason(&DenyKey::OvChipkaart { number: *number })
            }
            CardIdentity::Emv {
                pan, pan_sequence, ..
            } => {
                let token = (self.token_of)(pan, *pan_sequence)?;
                self.copy.reason(&DenyKey::Token { token })
            }
        }
    }

    fn has_open_leg(&self, card: &CardIdentity, reader: &ReaderRef, at: Timestamp) -> bool {
        self.online.has_open_leg(card, reader, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> DenyKey {
        DenyKey::OvChipkaart {
            number: CardNumber::new(3528_0100_0000_0000 + n).unwrap(),
        }
    }

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_718_000_000 + s).unwrap()
    }

    #[test]
    fn a_copy_catches_up_in_order_and_refuses_gaps() {
        let mut list = DenyList::default();
        list.add(key(1), DenyReason::Fraud, at(0));
        list.add(key(2), DenyReason::SettlementFailed, at(1));
        list.add(key(2), DenyReason::LostOrStolen, at(2));
        list.remove_reason(&key(2), DenyReason::LostOrStolen);
        assert_eq!(list.version, 4);
        list.invariants();

        let mut copy = DenyCopy::default();
        // A gap is refused and changes nothing.
        assert_eq!(
            copy.apply(&list.deltas_since(0)[2]),
            Err(DeltaOutOfOrder { have: 0, got: 3 })
        );
        assert_eq!(copy.version, 0);
        assert_eq!(copy.sync(&list), 4);
        assert_eq!(copy.version, 4);
        assert_eq!(copy.reason(&key(2)), Some(DenyReason::SettlementFailed));
        assert_eq!(copy.sync(&list), 0);
        // A repeated delta is refused as well.
        assert!(copy.apply(&list.deltas_since(3)[0]).is_err());
    }

    #[test]
    fn a_bank_decision_is_named_before_a_debt() {
        let mut list = DenyList::default();
        list.add(key(1), DenyReason::SettlementFailed, at(0));
        list.add(key(1), DenyReason::LostOrStolen, at(5));
        assert_eq!(list.reason(&key(1)), Some(DenyReason::LostOrStolen));
        assert!(
            !list.add(key(1), DenyReason::LostOrStolen, at(9)),
            "no change"
        );
        list.remove_reason(&key(1), DenyReason::LostOrStolen);
        assert_eq!(
            list.entry(&key(1)),
            Some(DenyEntry {
                reason: DenyReason::SettlementFailed,
                since: at(0)
            })
        );
        list.remove(&key(1));
        assert!(list.is_empty());
        list.invariants();
    }

    #[test]
    fn the_list_and_a_copy_travel_as_json() {
        let mut list = DenyList::default();
        list.add(key(1), DenyReason::Fraud, at(0));
        let text = serde_json::to_string(&list).unwrap();
        assert_eq!(serde_json::from_str::<DenyList>(&text).unwrap(), list);
        let mut copy = DenyCopy::default();
        copy.sync(&list);
        let text = serde_json::to_string(&copy).unwrap();
        assert_eq!(serde_json::from_str::<DenyCopy>(&text).unwrap(), copy);
    }
}
