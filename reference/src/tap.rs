//! The tap message a reader sends to the back office, with a binary and a JSON encoding.
//!
//! The binary form is what offline readers buffer and upload; the JSON form is what the
//! participant API speaks. Both decode any input to a value or a typed error with the byte
//! offset (binary) or the JSON path (JSON); they never panic.

pub mod codec;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::card::CardNumber;
use crate::money::Cents;
use crate::rules::{Mode, OperatorId, SmolStr, StationId};

/// A reader's record of one tap (TAP-04: always at one operator's reader).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TapMessage {
    /// Unique per tap: the back office deduplicates by it (GBO-04).
    pub tap_id: TapId,
    pub reader: ReaderRef,
    /// The reader's clock at the tap, one-second resolution.
    pub at: Timestamp,
    pub card: CardIdentity,
    pub kind: TapKind,
    pub amounts: TapAmounts,
}

/// "{operator}-{device}-{sequence}", e.g. "NS-4711-000123": at most [`codec::TAP_ID_MAX`]
/// ASCII bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct TapId(pub SmolStr);

/// Where a tap happened.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReaderRef {
    pub operator: OperatorId,
    pub mode: Mode,
    pub station: StationId,
    pub device: u32,
    pub device_kind: DeviceKind,
    /// The vehicle for on-board readers (bus/tram), e.g. "tram-2041".
    #[serde(default)]
    pub vehicle: Option<SmolStr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DeviceKind {
    /// A stand-alone pole (chippaal) on a platform.
    Pole,
    /// A gate (toegangspoortje).
    Gate,
    /// A reader on board a vehicle.
    OnBoard,
}

/// Which card tapped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum CardIdentity {
    OvChipkaart {
        number: CardNumber,
    },
    /// EMV-01: PAN data as read from the bank card; the back office tokenises it at once.
    Emv {
        pan: String,
        pan_sequence: u8,
        expiry: String,
    },
}

/// What the reader decided (EMV taps are qualified by the back office, EMV-06).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TapKind {
    CheckIn,
    CheckOut,
    /// TAP-04 / JRN-07: the reader closed an open check-in of another operator as missing.
    MissingCheckOut,
    /// A refused tap (GBO-03 "failed taps").
    Refused,
    /// A bank-card tap, not yet qualified.
    Emv,
}

/// Money the tap moved on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TapAmounts {
    /// Taken from the balance (a deposit or fare); negative when money went back.
    pub charged_cents: Cents,
    /// The balance after the tap, for OV-chipkaart taps.
    #[serde(default)]
    pub balance_after_cents: Option<Cents>,
}
