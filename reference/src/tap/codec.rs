//! Binary and JSON codecs for [`TapMessage`], the framing of an offline reader's upload
//! buffer, and the one [`validate`] that decides which messages exist at all.
//!
//! Architecture invariant: [`decode_binary`], [`decode_json`] and [`validate`] accept exactly
//! the same set of messages. All three call the same per-field checks, so a message that one
//! encoding carries can always be carried by the other. The fuzz oracles in
//! [`crate::oracles`] check this on arbitrary input.
//!
//! # Binary layout, version 1
//!
//! All integers are little-endian. A string is a `u8` byte length followed by that many
//! bytes. Enumerations are coded from 1, so a zero-filled buffer never decodes.
//!
//! | field                       | encoding                                                |
//! |-----------------------------|---------------------------------------------------------|
//! | magic                       | `b"OVTP"`                                               |
//! | version                     | `u8`, [`VERSION`]                                       |
//! | `tap_id`                    | string, 1..=[`TAP_ID_MAX`] printable ASCII              |
//! | `reader.operator`           | string, 1..=[`OPERATOR_MAX`] printable ASCII            |
//! | `reader.mode`               | `u8`: 1 train, 2 bus, 3 tram, 4 metro, 5 ferry          |
//! | `reader.station`            | string, 1..=[`STATION_MAX`] printable ASCII             |
//! | `reader.device`             | `u32`                                                   |
//! | `reader.device_kind`        | `u8`: 1 pole, 2 gate, 3 on-board                        |
//! | `reader.vehicle`            | string, 0..=[`VEHICLE_MAX`] UTF-8; length 0 means none  |
//! | `at`                        | `i64` seconds since the Unix epoch                      |
//! | `card.type`                 | `u8`: 1 OV-chipkaart, 2 EMV                             |
//! | OV-chipkaart: `card.number` | `u64`, at most [`CardNumber::MAX`]                      |
//! | EMV: `card.pan`             | string, [`PAN_MIN`]..=[`PAN_MAX`] ASCII digits          |
//! | EMV: `card.pan_sequence`    | `u8`                                                    |
//! | EMV: `card.expiry`          | 4 ASCII digits "YYMM", month 01..=12 (no length byte)   |
//! | `kind`                      | `u8`: 1 check-in, 2 check-out, 3 missing check-out, 4 refused, 5 EMV |
//! | `amounts.charged_cents`     | `i64`                                                   |
//! | `amounts.balance_after_cents` | `u8` flag (0 none, 1 some), then `i64` only if 1      |
//! | CRC                         | `u32`, CRC-32 (IEEE) of every byte before it            |
//!
//! The encoding is canonical: every accepted byte string is exactly the encoding of the
//! message it decodes to, so re-encoding a decoded message reproduces the input.
//!
//! The decoder checks the fields before the CRC, so a malformed message is reported at the
//! offending field's byte; `BadCrc` means every field parsed but some value was altered.
//!
//! # Framing
//!
//! An offline reader buffers taps as frames: a `u32` byte length, then one binary message.
//! [`append_frame`] adds one; [`decode_frames`] reads them back. Because each frame carries
//! its length, a corrupt message costs only that message, not the rest of the upload.

use std::iter::FusedIterator;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer};

use super::{CardIdentity, DeviceKind, ReaderRef, TapAmounts, TapId, TapKind, TapMessage};
use crate::card::CardNumber;
use crate::money::Cents;
use crate::rules::{Mode, SmolStr};

/// The first four bytes of every binary tap message.
pub const MAGIC: [u8; 4] = *b"OVTP";
/// The binary format version this module writes and reads.
pub const VERSION: u8 = 1;
/// The longest tap id, in bytes.
pub const TAP_ID_MAX: usize = 40;
/// The longest operator code, in bytes; the same as the card log stores.
pub const OPERATOR_MAX: usize = 6;
/// The longest station code, in bytes; the same as the card log stores.
pub const STATION_MAX: usize = 8;
/// The longest vehicle name, in bytes of UTF-8.
pub const VEHICLE_MAX: usize = 32;
/// The shortest primary account number an EMV card carries (ISO/IEC 7812).
pub const PAN_MIN: usize = 12;
/// The longest primary account number (ISO/IEC 7812).
pub const PAN_MAX: usize = 19;
/// "YYMM".
pub const EXPIRY_LEN: usize = 4;

/// The longest binary message: every string at its maximum, the larger (EMV) card identity
/// and a balance. The frame decoder refuses longer frames without reading them.
pub const MESSAGE_MAX: usize = MAGIC.len()
    + 1 // version
    + 1 + TAP_ID_MAX
    + 1 + OPERATOR_MAX
    + 1 // mode
    + 1 + STATION_MAX
    + 4 // device
    + 1 // device kind
    + 1 + VEHICLE_MAX
    + 8 // at
    + 1 + (1 + PAN_MAX + 1 + EXPIRY_LEN) // card tag and the larger variant
    + 1 // kind
    + 8 // charged
    + 1 + 8 // balance flag and value
    + 4; // crc

// The EMV identity must be the larger variant for MESSAGE_MAX to be an upper bound.
const _: () = assert!(1 + PAN_MAX + 1 + EXPIRY_LEN >= 8);
// A frame length always fits the u32 prefix.
const _: () = assert!(MESSAGE_MAX <= u32::MAX as usize);

/// A message field that no encoding may carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` {problem}")]
pub struct TapError {
    /// The field's path in the JSON form, e.g. `card.pan`.
    pub field: &'static str,
    pub problem: FieldProblem,
}

/// Why a field value is not allowed. Indexes count bytes from the start of the field's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldProblem {
    #[error("is {len} bytes long, allowed are {min}..={max}")]
    BadLength { len: usize, min: usize, max: usize },
    #[error(
        "has byte 0x{byte:02x} at index {index}: only printable ASCII (0x21..=0x7e) is allowed"
    )]
    NotPrintableAscii { index: usize, byte: u8 },
    #[error("is not UTF-8 from index {index}")]
    NotUtf8 { index: usize },
    #[error("has byte 0x{byte:02x} at index {index}: only ASCII digits are allowed")]
    NotDigit { index: usize, byte: u8 },
    #[error("has month {month:02}: \"YYMM\" needs a month 01..=12")]
    BadMonth { month: u8 },
    #[error("has {nanos} ns past the second: taps have one-second resolution")]
    SubSecond { nanos: i32 },
}

impl FieldProblem {
    /// Where in the field's value the problem starts, so binary errors can point at the byte.
    fn index(&self) -> usize {
        match *self {
            FieldProblem::BadLength { .. } | FieldProblem::SubSecond { .. } => 0,
            FieldProblem::NotPrintableAscii { index, .. }
            | FieldProblem::NotUtf8 { index }
            | FieldProblem::NotDigit { index, .. } => index,
            // "YYMM": the month starts at the third byte.
            FieldProblem::BadMonth { .. } => 2,
        }
    }
}

/// A binary message or frame that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tap message invalid at byte {offset}: {kind}")]
pub struct BinaryError {
    /// From the start of the input given to the decoder (for frames: of the whole buffer).
    pub offset: usize,
    pub kind: BinaryErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BinaryErrorKind {
    #[error("`{field}` needs {needed} bytes but only {available} remain")]
    Truncated {
        field: &'static str,
        needed: usize,
        available: usize,
    },
    #[error("magic is {found:02x?}, expected \"OVTP\": not a tap message")]
    BadMagic { found: [u8; 4] },
    #[error("version {0} is not supported, only version {VERSION} is")]
    UnsupportedVersion(u8),
    #[error("`{field}` has no value {value}")]
    InvalidEnum { field: &'static str, value: u8 },
    #[error("`at` is {seconds} s from the epoch, outside the representable years -9999..=9999")]
    InvalidTimestamp { seconds: i64 },
    #[error("`card.number` {value} has more than 16 digits")]
    InvalidCardNumber { value: u64 },
    #[error(transparent)]
    InvalidField(TapError),
    #[error("CRC is {stored:#010x} but the bytes before it give {computed:#010x}: corrupted")]
    BadCrc { stored: u32, computed: u32 },
    #[error("{count} bytes follow the CRC")]
    TrailingBytes { count: usize },
    #[error("frame length {len} is not 1..={max}: the buffer is corrupt from here on")]
    BadFrameLength { len: u32, max: usize },
}

/// JSON that does not decode to a valid tap message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tap message JSON invalid at line {line}, column {column}: {message}")]
pub struct JsonError {
    /// 1-based; the position is just after the offending token or value.
    pub line: usize,
    /// 1-based.
    pub column: usize,
    pub message: String,
}

/// Checks every field the type system leaves open: lengths, character sets, PAN and expiry
/// syntax, whole seconds. Both encoders and both decoders apply exactly these checks.
pub fn validate(message: &TapMessage) -> Result<(), TapError> {
    check_tap_id(&message.tap_id)?;
    check_reader(&message.reader)?;
    check_at(&message.at)?;
    check_card(&message.card)
}

fn check_tap_id(tap_id: &TapId) -> Result<(), TapError> {
    printable(tap_id.0.as_bytes(), TAP_ID_MAX).map_err(|p| TapError::new("tap_id", p))
}

fn check_reader(reader: &ReaderRef) -> Result<(), TapError> {
    printable(reader.operator.as_bytes(), OPERATOR_MAX)
        .map_err(|p| TapError::new("reader.operator", p))?;
    printable(reader.station.as_bytes(), STATION_MAX)
        .map_err(|p| TapError::new("reader.station", p))?;
    match &reader.vehicle {
        // An empty name would encode as "no vehicle", so it is not a name.
        Some(vehicle) => {
            check_len(vehicle.len(), 1, VEHICLE_MAX).map_err(|p| TapError::new("reader.vehicle", p))
        }
        None => Ok(()),
    }
}

fn check_at(at: &Timestamp) -> Result<(), TapError> {
    match at.subsec_nanosecond() {
        0 => Ok(()),
        nanos => Err(TapError::new("at", FieldProblem::SubSecond { nanos })),
    }
}

fn check_card(card: &CardIdentity) -> Result<(), TapError> {
    match card {
        // CardNumber cannot hold an invalid number.
        CardIdentity::OvChipkaart { .. } => Ok(()),
        CardIdentity::Emv { pan, expiry, .. } => {
            digits(pan.as_bytes(), PAN_MIN, PAN_MAX).map_err(|p| TapError::new("card.pan", p))?;
            check_expiry(expiry.as_bytes()).map_err(|p| TapError::new("card.expiry", p))
        }
    }
}

impl TapError {
    fn new(field: &'static str, problem: FieldProblem) -> TapError {
        TapError { field, problem }
    }
}

fn check_len(len: usize, min: usize, max: usize) -> Result<(), FieldProblem> {
    if (min..=max).contains(&len) {
        Ok(())
    } else {
        Err(FieldProblem::BadLength { len, min, max })
    }
}

/// Identifiers: non-empty printable ASCII without spaces, so they read unambiguously in logs
/// and reports.
fn printable(bytes: &[u8], max: usize) -> Result<(), FieldProblem> {
    check_len(bytes.len(), 1, max)?;
    match bytes.iter().position(|b| !b.is_ascii_graphic()) {
        Some(index) => Err(FieldProblem::NotPrintableAscii {
            index,
            byte: bytes.get(index).copied().unwrap_or(0),
        }),
        None => Ok(()),
    }
}

fn digits(bytes: &[u8], min: usize, max: usize) -> Result<(), FieldProblem> {
    check_len(bytes.len(), min, max)?;
    match bytes.iter().position(|b| !b.is_ascii_digit()) {
        Some(index) => Err(FieldProblem::NotDigit {
            index,
            byte: bytes.get(index).copied().unwrap_or(0),
        }),
        None => Ok(()),
    }
}

fn check_expiry(bytes: &[u8]) -> Result<(), FieldProblem> {
    digits(bytes, EXPIRY_LEN, EXPIRY_LEN)?;
    let [_, _, tens, ones] = *bytes else {
        return Err(FieldProblem::BadLength {
            len: bytes.len(),
            min: EXPIRY_LEN,
            max: EXPIRY_LEN,
        });
    };
    let month = (tens - b'0') * 10 + (ones - b'0');
    if (1..=12).contains(&month) {
        Ok(())
    } else {
        Err(FieldProblem::BadMonth { month })
    }
}

// ---------------------------------------------------------------------------------------------
// Binary

/// Encodes one message; fails only for a message [`validate`] rejects.
pub fn encode_binary(message: &TapMessage) -> Result<Vec<u8>, TapError> {
    validate(message)?;
    let mut out = Vec::with_capacity(MESSAGE_MAX);
    out.extend_from_slice(&MAGIC);
    out.push(VERSION);
    put_str(&mut out, &message.tap_id.0);
    put_reader(&mut out, &message.reader);
    out.extend_from_slice(&message.at.as_second().to_le_bytes());
    put_card(&mut out, &message.card);
    out.push(tap_kind_code(message.kind));
    out.extend_from_slice(&message.amounts.charged_cents.get().to_le_bytes());
    match message.amounts.balance_after_cents {
        Some(balance) => {
            out.push(1);
            out.extend_from_slice(&balance.get().to_le_bytes());
        }
        None => out.push(0),
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

fn put_reader(out: &mut Vec<u8>, reader: &ReaderRef) {
    put_str(out, &reader.operator);
    out.push(mode_code(reader.mode));
    put_str(out, &reader.station);
    out.extend_from_slice(&reader.device.to_le_bytes());
    out.push(device_kind_code(reader.device_kind));
    put_str(out, reader.vehicle.as_deref().unwrap_or(""));
}

fn put_card(out: &mut Vec<u8>, card: &CardIdentity) {
    match card {
        CardIdentity::OvChipkaart { number } => {
            out.push(CARD_OV);
            out.extend_from_slice(&number.get().to_le_bytes());
        }
        CardIdentity::Emv {
            pan,
            pan_sequence,
            expiry,
        } => {
            out.push(CARD_EMV);
            put_str(out, pan);
            out.push(*pan_sequence);
            // Fixed length: validate checked it is exactly EXPIRY_LEN digits.
            out.extend_from_slice(expiry.as_bytes());
        }
    }
}

fn put_str(out: &mut Vec<u8>, value: &str) {
    let len =
        u8::try_from(value.len()).expect("validate bounds every string field below 256 bytes");
    out.push(len);
    out.extend_from_slice(value.as_bytes());
}

/// Decodes one message that must fill `bytes` exactly.
pub fn decode_binary(bytes: &[u8]) -> Result<TapMessage, BinaryError> {
    decode_at(bytes, 0)
}

/// Decodes a message whose first byte sits at `base` in a larger buffer, so errors carry
/// offsets into that buffer.
fn decode_at(bytes: &[u8], base: usize) -> Result<TapMessage, BinaryError> {
    let mut cursor = Cursor {
        bytes,
        pos: 0,
        base,
    };
    let message = read_message(&mut cursor)?;
    cursor.crc()?;
    cursor.finish()?;
    Ok(message)
}

fn read_message(cur: &mut Cursor<'_>) -> Result<TapMessage, BinaryError> {
    let found: [u8; 4] = cur.array("magic")?;
    if found != MAGIC {
        return Err(cur.error(0, BinaryErrorKind::BadMagic { found }));
    }
    let version = cur.u8("version")?;
    if version != VERSION {
        return Err(cur.error(MAGIC.len(), BinaryErrorKind::UnsupportedVersion(version)));
    }
    let tap_id = TapId(cur.printable("tap_id", TAP_ID_MAX)?);
    let reader = read_reader(cur)?;
    let at = read_at(cur)?;
    let card = read_card(cur)?;
    let kind = cur.enumeration("kind", tap_kind_from)?;
    let charged_cents = Cents::new(cur.i64("amounts.charged_cents")?);
    let balance_after_cents = match cur.enumeration("amounts.balance_after_cents", flag_from)? {
        true => Some(Cents::new(cur.i64("amounts.balance_after_cents")?)),
        false => None,
    };
    Ok(TapMessage {
        tap_id,
        reader,
        at,
        card,
        kind,
        amounts: TapAmounts {
            charged_cents,
            balance_after_cents,
        },
    })
}

fn read_reader(cur: &mut Cursor<'_>) -> Result<ReaderRef, BinaryError> {
    Ok(ReaderRef {
        operator: cur.printable("reader.operator", OPERATOR_MAX)?,
        mode: cur.enumeration("reader.mode", mode_from)?,
        station: cur.printable("reader.station", STATION_MAX)?,
        device: u32::from_le_bytes(cur.array("reader.device")?),
        device_kind: cur.enumeration("reader.device_kind", device_kind_from)?,
        vehicle: cur.vehicle()?,
    })
}

fn read_at(cur: &mut Cursor<'_>) -> Result<Timestamp, BinaryError> {
    let start = cur.pos;
    let seconds = cur.i64("at")?;
    Timestamp::from_second(seconds)
        .map_err(|_| cur.error(start, BinaryErrorKind::InvalidTimestamp { seconds }))
}

fn read_card(cur: &mut Cursor<'_>) -> Result<CardIdentity, BinaryError> {
    let tag_at = cur.pos;
    match cur.u8("card.type")? {
        CARD_OV => {
            let start = cur.pos;
            let value = u64::from_le_bytes(cur.array("card.number")?);
            let number = CardNumber::new(value)
                .ok_or_else(|| cur.error(start, BinaryErrorKind::InvalidCardNumber { value }))?;
            Ok(CardIdentity::OvChipkaart { number })
        }
        CARD_EMV => {
            let pan = cur.digits("card.pan", PAN_MIN, PAN_MAX)?;
            let pan_sequence = cur.u8("card.pan_sequence")?;
            let start = cur.pos;
            let expiry: [u8; EXPIRY_LEN] = cur.array("card.expiry")?;
            check_expiry(&expiry).map_err(|p| cur.field_error(start, "card.expiry", p))?;
            let expiry = ascii_string(&expiry);
            Ok(CardIdentity::Emv {
                pan,
                pan_sequence,
                expiry,
            })
        }
        value => Err(cur.error(
            tag_at,
            BinaryErrorKind::InvalidEnum {
                field: "card.type",
                value,
            },
        )),
    }
}

/// Reads input without ever indexing past its end: every read goes through [`Cursor::take`].
struct Cursor<'a> {
    bytes: &'a [u8],
    /// Relative to `bytes`; never beyond `bytes.len()`.
    pos: usize,
    /// Where `bytes` starts in the buffer the caller sees.
    base: usize,
}

impl<'a> Cursor<'a> {
    fn error(&self, at: usize, kind: BinaryErrorKind) -> BinaryError {
        BinaryError {
            offset: self.base.saturating_add(at),
            kind,
        }
    }

    fn field_error(
        &self,
        value_at: usize,
        field: &'static str,
        problem: FieldProblem,
    ) -> BinaryError {
        let at = value_at.saturating_add(problem.index());
        self.error(
            at,
            BinaryErrorKind::InvalidField(TapError::new(field, problem)),
        )
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    fn take(&mut self, field: &'static str, needed: usize) -> Result<&'a [u8], BinaryError> {
        let rest = self.rest();
        match rest.get(..needed) {
            Some(taken) => {
                self.pos += needed;
                Ok(taken)
            }
            None => Err(self.error(
                self.pos,
                BinaryErrorKind::Truncated {
                    field,
                    needed,
                    available: rest.len(),
                },
            )),
        }
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], BinaryError> {
        let rest = self.rest();
        match rest.first_chunk::<N>() {
            Some(chunk) => {
                self.pos += N;
                Ok(*chunk)
            }
            None => Err(self.error(
                self.pos,
                BinaryErrorKind::Truncated {
                    field,
                    needed: N,
                    available: rest.len(),
                },
            )),
        }
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, BinaryError> {
        self.array::<1>(field).map(|[byte]| byte)
    }

    fn i64(&mut self, field: &'static str) -> Result<i64, BinaryError> {
        self.array(field).map(i64::from_le_bytes)
    }

    fn enumeration<T>(
        &mut self,
        field: &'static str,
        from: fn(u8) -> Option<T>,
    ) -> Result<T, BinaryError> {
        let start = self.pos;
        let value = self.u8(field)?;
        from(value).ok_or_else(|| self.error(start, BinaryErrorKind::InvalidEnum { field, value }))
    }

    /// A length byte and the bytes it counts; a bad length is reported at the length byte.
    fn string(
        &mut self,
        field: &'static str,
        min: usize,
        max: usize,
    ) -> Result<(usize, &'a [u8]), BinaryError> {
        let len_at = self.pos;
        let len = usize::from(self.u8(field)?);
        check_len(len, min, max).map_err(|p| self.field_error(len_at, field, p))?;
        let value_at = self.pos;
        Ok((value_at, self.take(field, len)?))
    }

    fn printable(&mut self, field: &'static str, max: usize) -> Result<SmolStr, BinaryError> {
        let (value_at, value) = self.string(field, 1, max)?;
        printable(value, max).map_err(|p| self.field_error(value_at, field, p))?;
        // Printable ASCII: read in place, no intermediate `String`.
        Ok(SmolStr::new(String::from_utf8_lossy(value)))
    }

    fn digits(
        &mut self,
        field: &'static str,
        min: usize,
        max: usize,
    ) -> Result<String, BinaryError> {
        let (value_at, value) = self.string(field, min, max)?;
        digits(value, min, max).map_err(|p| self.field_error(value_at, field, p))?;
        Ok(ascii_string(value))
    }

    fn vehicle(&mut self) -> Result<Option<SmolStr>, BinaryError> {
        let field = "reader.vehicle";
        let (value_at, value) = self.string(field, 0, VEHICLE_MAX)?;
        if value.is_empty() {
            return Ok(None);
        }
        match std::str::from_utf8(value) {
            Ok(text) => Ok(Some(text.into())),
            Err(e) => Err(self.field_error(
                value_at,
                field,
                FieldProblem::NotUtf8 {
                    index: e.valid_up_to(),
                },
            )),
        }
    }

    fn crc(&mut self) -> Result<(), BinaryError> {
        let computed = crc32fast::hash(self.bytes.get(..self.pos).unwrap_or_default());
        let start = self.pos;
        let stored = u32::from_le_bytes(self.array("crc")?);
        if stored == computed {
            Ok(())
        } else {
            Err(self.error(start, BinaryErrorKind::BadCrc { stored, computed }))
        }
    }

    fn finish(&self) -> Result<(), BinaryError> {
        match self.rest().len() {
            0 => Ok(()),
            count => Err(self.error(self.pos, BinaryErrorKind::TrailingBytes { count })),
        }
    }
}

/// Only called on bytes already checked to be ASCII, so nothing is ever replaced.
fn ascii_string(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const CARD_OV: u8 = 1;
const CARD_EMV: u8 = 2;

/// Each enumeration's codes in one table, so encoding and decoding cannot disagree.
const MODES: [(Mode, u8); 5] = [
    (Mode::Train, 1),
    (Mode::Bus, 2),
    (Mode::Tram, 3),
    (Mode::Metro, 4),
    (Mode::Ferry, 5),
];
const DEVICE_KINDS: [(DeviceKind, u8); 3] = [
    (DeviceKind::Pole, 1),
    (DeviceKind::Gate, 2),
    (DeviceKind::OnBoard, 3),
];
const TAP_KINDS: [(TapKind, u8); 5] = [
    (TapKind::CheckIn, 1),
    (TapKind::CheckOut, 2),
    (TapKind::MissingCheckOut, 3),
    (TapKind::Refused, 4),
    (TapKind::Emv, 5),
];

fn code_of<T: PartialEq + Copy>(table: &[(T, u8)], value: T) -> u8 {
    // Tables list every variant (tested); 0 is never a valid code, so a gap would show.
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map_or(0, |(_, code)| *code)
}

fn value_of<T: Copy>(table: &[(T, u8)], code: u8) -> Option<T> {
    table
        .iter()
        .find(|(_, c)| *c == code)
        .map(|(value, _)| *value)
}

fn mode_code(mode: Mode) -> u8 {
    code_of(&MODES, mode)
}

fn mode_from(code: u8) -> Option<Mode> {
    value_of(&MODES, code)
}

fn device_kind_code(kind: DeviceKind) -> u8 {
    code_of(&DEVICE_KINDS, kind)
}

fn device_kind_from(code: u8) -> Option<DeviceKind> {
    value_of(&DEVICE_KINDS, code)
}

fn tap_kind_code(kind: TapKind) -> u8 {
    code_of(&TAP_KINDS, kind)
}

fn tap_kind_from(code: u8) -> Option<TapKind> {
    value_of(&TAP_KINDS, code)
}

fn flag_from(code: u8) -> Option<bool> {
    match code {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Framing

/// Appends `message` to an upload buffer as one frame; on error the buffer is unchanged.
pub fn append_frame(buffer: &mut Vec<u8>, message: &TapMessage) -> Result<(), TapError> {
    let encoded = encode_binary(message)?;
    let len =
        u32::try_from(encoded.len()).expect("MESSAGE_MAX fits a u32 (asserted at compile time)");
    buffer.extend_from_slice(&len.to_le_bytes());
    buffer.extend_from_slice(&encoded);
    Ok(())
}

/// Reads the frames of an upload buffer in order. A frame whose message is invalid yields
/// its error and decoding goes on with the next frame; a bad or truncated length prefix
/// yields an error and ends the iteration, since nothing after it can be trusted.
pub fn decode_frames(bytes: &[u8]) -> Frames<'_> {
    Frames {
        bytes,
        pos: 0,
        done: false,
    }
}

/// The iterator [`decode_frames`] returns. Error offsets count from the start of the buffer.
#[derive(Debug, Clone)]
pub struct Frames<'a> {
    bytes: &'a [u8],
    pos: usize,
    done: bool,
}

impl Iterator for Frames<'_> {
    type Item = Result<TapMessage, BinaryError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.next_frame()
    }
}

impl Frames<'_> {
    fn next_frame(&mut self) -> Option<Result<TapMessage, BinaryError>> {
        let start = self.pos;
        let rest = self.bytes.get(start..).unwrap_or_default();
        if rest.is_empty() {
            self.done = true;
            return None;
        }
        let stop = |this: &mut Self, offset: usize, kind| {
            this.done = true;
            Some(Err(BinaryError { offset, kind }))
        };
        let Some((prefix, body)) = rest.split_first_chunk::<4>() else {
            let kind = BinaryErrorKind::Truncated {
                field: "frame length",
                needed: 4,
                available: rest.len(),
            };
            return stop(self, start, kind);
        };
        let len = u32::from_le_bytes(*prefix);
        let frame_len = usize::try_from(len).unwrap_or(usize::MAX);
        if frame_len == 0 || frame_len > MESSAGE_MAX {
            return stop(
                self,
                start,
                BinaryErrorKind::BadFrameLength {
                    len,
                    max: MESSAGE_MAX,
                },
            );
        }
        let body_at = start + prefix.len();
        let Some(frame) = body.get(..frame_len) else {
            let kind = BinaryErrorKind::Truncated {
                field: "frame",
                needed: frame_len,
                available: body.len(),
            };
            return stop(self, body_at, kind);
        };
        self.pos = body_at + frame_len;
        Some(decode_at(frame, body_at))
    }
}

impl FusedIterator for Frames<'_> {}

// ---------------------------------------------------------------------------------------------
// JSON

/// The JSON form, fields in declaration order. Any [`TapMessage`] has one, even an invalid
/// message (which [`decode_json`] then rejects): that is how tests build negative examples.
pub fn encode_json(message: &TapMessage) -> String {
    serde_json::to_string(message)
        .expect("a TapMessage always serialises: it has no maps and no floats")
}

/// Decodes the JSON form and applies [`validate`]'s checks while decoding, so a rejected
/// value is reported at its line and column.
pub fn decode_json(text: &str) -> Result<TapMessage, JsonError> {
    serde_json::from_str::<JsonMessage>(text)
        .map(TapMessage::from)
        .map_err(JsonError::from)
}

/// [`TapMessage`] with each field's check run as soon as the field is read.
///
/// It mirrors [`TapMessage`]'s fields and reuses the field types' own `Deserialize`, so only
/// the field list can drift; the JSON round-trip property tests catch that.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct JsonMessage {
    #[serde(deserialize_with = "json_tap_id")]
    tap_id: TapId,
    #[serde(deserialize_with = "json_reader")]
    reader: ReaderRef,
    #[serde(deserialize_with = "json_at")]
    at: Timestamp,
    #[serde(deserialize_with = "json_card")]
    card: CardIdentity,
    kind: TapKind,
    amounts: TapAmounts,
}

impl From<JsonMessage> for TapMessage {
    fn from(m: JsonMessage) -> TapMessage {
        TapMessage {
            tap_id: m.tap_id,
            reader: m.reader,
            at: m.at,
            card: m.card,
            kind: m.kind,
            amounts: m.amounts,
        }
    }
}

/// Deserialises a field and runs its check; serde_json then reports the error just after
/// the field's value.
fn checked<'de, D, T>(de: D, check: fn(&T) -> Result<(), TapError>) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let value = T::deserialize(de)?;
    check(&value).map_err(serde::de::Error::custom)?;
    Ok(value)
}

fn json_tap_id<'de, D: Deserializer<'de>>(de: D) -> Result<TapId, D::Error> {
    checked(de, check_tap_id)
}

fn json_reader<'de, D: Deserializer<'de>>(de: D) -> Result<ReaderRef, D::Error> {
    checked(de, check_reader)
}

fn json_at<'de, D: Deserializer<'de>>(de: D) -> Result<Timestamp, D::Error> {
    checked(de, check_at)
}

fn json_card<'de, D: Deserializer<'de>>(de: D) -> Result<CardIdentity, D::Error> {
    checked(de, check_card)
}

impl From<serde_json::Error> for JsonError {
    fn from(e: serde_json::Error) -> JsonError {
        let (line, column) = (e.line(), e.column());
        let full = e.to_string();
        // serde_json appends the position to its message; it lives in its own fields here.
        let suffix = format!(" at line {line} column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        JsonError {
            line,
            column,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumeration_tables_cover_every_variant_once() {
        // A new variant breaks these matches, a reminder to give it a code in the tables.
        let _ = |kind: TapKind| match kind {
            TapKind::CheckIn
            | TapKind::CheckOut
            | TapKind::MissingCheckOut
            | TapKind::Refused
            | TapKind::Emv => {}
        };
        let _ = |kind: DeviceKind| match kind {
            DeviceKind::Pole | DeviceKind::Gate | DeviceKind::OnBoard => {}
        };
        for mode in Mode::ALL {
            assert_eq!(mode_from(mode_code(mode)), Some(mode));
        }
        for kind in [DeviceKind::Pole, DeviceKind::Gate, DeviceKind::OnBoard] {
            assert_eq!(device_kind_from(device_kind_code(kind)), Some(kind));
        }
        for kind in TAP_KINDS.map(|(kind, _)| kind) {
            assert_eq!(tap_kind_from(tap_kind_code(kind)), Some(kind));
        }
        assert_eq!(
            (mode_from(0), device_kind_from(0), tap_kind_from(0)),
            (None, None, None)
        );
    }

    #[test]
    fn problems_point_at_the_offending_byte() {
        assert_eq!(
            printable(b"NS 1", 8),
            Err(FieldProblem::NotPrintableAscii {
                index: 2,
                byte: b' '
            })
        );
        assert_eq!(
            check_expiry(b"2713"),
            Err(FieldProblem::BadMonth { month: 13 })
        );
        assert_eq!(
            check_expiry(b"2700"),
            Err(FieldProblem::BadMonth { month: 0 })
        );
        assert_eq!(
            check_expiry(b"27x1"),
            Err(FieldProblem::NotDigit {
                index: 2,
                byte: b'x'
            })
        );
        assert_eq!(check_expiry(b"2712"), Ok(()));
    }
}
