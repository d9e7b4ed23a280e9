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

use jiff::Timestamp;

use crate::backoffice::CardProfile;
use crate::card::CardNumber;
use crate::tap::{CardIdentity, DeviceKind, ReaderRef, TapAmounts, TapId, TapKind, TapMessage};

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

/// A record as a decoder reads it, with each tap's reader as a [`ReaderTable`] keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodedRecord<R> {
    Card {
        number: CardNumber,
        profile: CardProfile,
    },
    Tap(DecodedTap<R>),
}

/// A tap message whose reader is `R`: a [`ReaderRef`] of its own, or one shared with the
/// other taps at that reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedTap<R> {
    pub tap_id: TapId,
    pub reader: R,
    pub at: Timestamp,
    pub card: CardIdentity,
    pub kind: TapKind,
    pub amounts: TapAmounts,
}

/// Where a decoder gets each tap's reader. A national stream names some thousands of readers
/// millions of times, always in the same bytes, so a table that recognises a reader by its
/// encoded bytes spares decoding and allocating its names for every tap.
pub trait ReaderTable {
    type Reader;
    /// The reader encoded as `encoded` (its fields as the stream writes them); `decode` reads
    /// them, when the table needs it. Equal bytes must give an equal reader: a decoder passes
    /// every byte the reader is decoded from, and nothing else.
    fn reader<E>(
        &mut self,
        encoded: &[u8],
        decode: impl FnOnce() -> Result<ReaderRef, E>,
    ) -> Result<Self::Reader, E>;
}

/// Decodes every tap's reader anew, into a reader of its own: what [`Record`]s carry.
#[derive(Debug, Clone, Copy, Default)]
pub struct OwnReaders;

impl ReaderTable for OwnReaders {
    type Reader = ReaderRef;

    fn reader<E>(
        &mut self,
        _encoded: &[u8],
        decode: impl FnOnce() -> Result<ReaderRef, E>,
    ) -> Result<ReaderRef, E> {
        decode()
    }
}

impl<R> DecodedTap<R> {
    /// The same tap with its reader kept another way.
    pub fn map_reader<S>(self, keep: impl FnOnce(R) -> S) -> DecodedTap<S> {
        let DecodedTap {
            tap_id,
            reader,
            at,
            card,
            kind,
            amounts,
        } = self;
        DecodedTap {
            tap_id,
            reader: keep(reader),
            at,
            card,
            kind,
            amounts,
        }
    }
}

impl From<TapMessage> for DecodedTap<ReaderRef> {
    fn from(message: TapMessage) -> DecodedTap<ReaderRef> {
        // Every field named: a field added to the message must find its place here.
        let TapMessage {
            tap_id,
            reader,
            at,
            card,
            kind,
            amounts,
        } = message;
        DecodedTap {
            tap_id,
            reader,
            at,
            card,
            kind,
            amounts,
        }
    }
}

impl From<DecodedTap<ReaderRef>> for TapMessage {
    fn from(tap: DecodedTap<ReaderRef>) -> TapMessage {
        TapMessage {
            tap_id: tap.tap_id,
            reader: tap.reader,
            at: tap.at,
            card: tap.card,
            kind: tap.kind,
            amounts: tap.amounts,
        }
    }
}

impl From<DecodedRecord<ReaderRef>> for Record {
    fn from(decoded: DecodedRecord<ReaderRef>) -> Record {
        match decoded {
            DecodedRecord::Card { number, profile } => Record::Card { number, profile },
            DecodedRecord::Tap(tap) => Record::Tap(tap.into()),
        }
    }
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
