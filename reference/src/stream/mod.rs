//! Tap streams: the files `ovcert gen` writes and `ovcert replay` reads — a header, card
//! profiles and taps, as CSV for interchange ([`csv`]) or as a compact binary ([`bin`]).
//!
//! A stream is a sequence of [`Record`]s in upload order (the order the back office received
//! them), so taps of offline readers come late and out of tap-time order, and a tap may come
//! twice. A card-profile record (kind, birth date, products: what the fare depends on) comes
//! before the first tap of its card; cards without one are anonymous without products. The
//! header states the stream's maximum lateness: no tap comes after a tap more than
//! `max_lateness_s` younger than it, which is what lets a replay close travel days while
//! reading.
//!
//! Both decoders return a typed error with a line (CSV) or byte offset (binary) for any
//! input and never panic.

pub mod bin;
pub mod csv;

use crate::backoffice::CardProfile;
use crate::card::CardNumber;
use crate::tap::{DeviceKind, TapKind, TapMessage};

/// What a stream says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamHeader {
    /// The seed the stream was generated from (0 for streams from elsewhere).
    pub seed: u64,
    /// No tap follows a tap whose time is more than this later than its own.
    pub max_lateness_s: u32,
}

/// One record of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// What the back office knows of an OV-chipkaart (its registration).
    Card {
        number: CardNumber,
        profile: CardProfile,
    },
    /// A tap as the reader uploaded it (bank cards with their PAN data: EMV-01 tokenises at
    /// ingest).
    Tap(TapMessage),
}

/// A decoding error: where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    #[error("line {line}: {reason}")]
    Csv { line: u64, reason: String },
    #[error("byte {offset}: {reason}")]
    Bin { offset: u64, reason: String },
    #[error("record cannot be encoded: {reason}")]
    Encode { reason: String },
}

pub(crate) fn device_kind_str(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Pole => "pole",
        DeviceKind::Gate => "gate",
        DeviceKind::OnBoard => "on-board",
    }
}

pub(crate) const DEVICE_KINDS: [DeviceKind; 3] =
    [DeviceKind::Pole, DeviceKind::Gate, DeviceKind::OnBoard];

pub(crate) fn tap_kind_str(kind: TapKind) -> &'static str {
    match kind {
        TapKind::CheckIn => "check-in",
        TapKind::CheckOut => "check-out",
        TapKind::MissingCheckOut => "missing-check-out",
        TapKind::Refused => "refused",
        TapKind::Emv => "emv",
    }
}

pub(crate) const TAP_KINDS: [TapKind; 5] = [
    TapKind::CheckIn,
    TapKind::CheckOut,
    TapKind::MissingCheckOut,
    TapKind::Refused,
    TapKind::Emv,
];

pub(crate) fn card_kind_str(kind: crate::card::CardKind) -> &'static str {
    use crate::card::CardKind;
    match kind {
        CardKind::Anonymous => "anonymous",
        CardKind::Personal => "personal",
        CardKind::Disposable => "disposable",
        CardKind::Emv => "emv",
    }
}

pub(crate) const CARD_KINDS: [crate::card::CardKind; 4] = [
    crate::card::CardKind::Anonymous,
    crate::card::CardKind::Personal,
    crate::card::CardKind::Disposable,
    crate::card::CardKind::Emv,
];
