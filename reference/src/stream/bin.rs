//! The binary form of a tap stream: compact and fast to read.
//!
//! All integers little-endian. A string is a length byte and that many bytes (UTF-8).
//!
//! ```text
//! header   "OVTS" | version u8 = 1 | seed u64 | max_lateness_s u32
//!          | operator count u8 | operators: string each
//!          | station count u16 | stations: string each
//! records  one after another until the end of the input, each starting with a tag byte:
//!   1 tap  at i64 (Unix seconds) | tap_id string | operator u8 (index) | mode u8
//!          | station u16 (index) | device u32 | device_kind u8 | vehicle string (empty: none)
//!          | card u8: 0 → number u64 ; 1 → pan string, pan_sequence u8, expiry 4 bytes
//!          | kind u8 | charged_cents i64 | balance u8 (0 none, 1 → i64)
//!   2 card number u64 | kind u8 | birth u8 (0 none, 1 → date) | product count u8
//!          | products: code string, valid_from date, valid_until date,
//!            route u8 (0 none, 1 → from string, to string)
//!          where a date is year i16, month u8, day u8
//! ```
//!
//! Enumerations are indexes into their declaration order: mode `Mode::ALL`; device kind pole,
//! gate, on-board; tap kind check-in, check-out, missing-check-out, refused, emv; card kind
//! anonymous, personal, disposable, emv. Operators and stations are named once in the header,
//! so a tap takes about 60 bytes (about 130 in CSV).

use jiff::Timestamp;
use jiff::civil::Date;

use super::{
    CARD_KINDS, DEVICE_KINDS, DecodedRecord, DecodedTap, OwnReaders, ReaderTable, Record,
    StreamError, StreamHeader, TAP_KINDS,
};
use crate::backoffice::CardProfile;
use crate::card::{CardNumber, ProductSlot};
use crate::money::Cents;
use crate::rules::{Mode, SmolStr};
use crate::tap::{CardIdentity, ReaderRef, TapAmounts, TapId, TapMessage};

pub const MAGIC: [u8; 4] = *b"OVTS";
pub const VERSION: u8 = 1;
const TAG_TAP: u8 = 1;
const TAG_CARD: u8 = 2;

/// Writes records against the header's operator and station tables.
#[derive(Debug, Clone)]
pub struct Encoder {
    operators: Vec<String>,
    stations: Vec<String>,
}

impl Encoder {
    /// An encoder for taps at these operators and stations (at most 255 and 65535).
    pub fn new(operators: Vec<String>, stations: Vec<String>) -> Result<Encoder, StreamError> {
        if operators.len() > usize::from(u8::MAX) || stations.len() > usize::from(u16::MAX) {
            return Err(encode_error(
                "too many operators or stations for the tables",
            ));
        }
        Ok(Encoder {
            operators,
            stations,
        })
    }

    pub fn header(&self, header: &StreamHeader, out: &mut Vec<u8>) -> Result<(), StreamError> {
        out.extend_from_slice(&MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&header.seed.to_le_bytes());
        out.extend_from_slice(&header.max_lateness_s.to_le_bytes());
        out.push(self.operators.len() as u8);
        for o in &self.operators {
            put_str(out, o)?;
        }
        out.extend_from_slice(&(self.stations.len() as u16).to_le_bytes());
        for s in &self.stations {
            put_str(out, s)?;
        }
        Ok(())
    }

    pub fn record(&self, record: &Record, out: &mut Vec<u8>) -> Result<(), StreamError> {
        match record {
            Record::Tap(tap) => self.tap(tap, out),
            Record::Card { number, profile } => card(*number, profile, out),
        }
    }

    fn tap(&self, tap: &TapMessage, out: &mut Vec<u8>) -> Result<(), StreamError> {
        let r = &tap.reader;
        let operator = index_of(&self.operators, &r.operator)?;
        let station = index_of(&self.stations, &r.station)?;
        out.push(TAG_TAP);
        out.extend_from_slice(&tap.at.as_second().to_le_bytes());
        put_str(out, &tap.tap_id.0)?;
        out.push(operator as u8);
        out.push(Mode::ALL.iter().position(|m| *m == r.mode).unwrap_or(0) as u8);
        out.extend_from_slice(&(station as u16).to_le_bytes());
        out.extend_from_slice(&r.device.to_le_bytes());
        out.push(position(&DEVICE_KINDS, |k| *k == r.device_kind));
        match r.vehicle.as_deref() {
            Some("") => return Err(encode_error("an empty vehicle name")),
            vehicle => put_str(out, vehicle.unwrap_or(""))?,
        }
        match &tap.card {
            CardIdentity::OvChipkaart { number } => {
                out.push(0);
                out.extend_from_slice(&number.get().to_le_bytes());
            }
            CardIdentity::Emv {
                pan,
                pan_sequence,
                expiry,
            } => {
                out.push(1);
                put_str(out, pan)?;
                out.push(*pan_sequence);
                let expiry: [u8; 4] = expiry
                    .as_bytes()
                    .try_into()
                    .map_err(|_| encode_error("an expiry of other than 4 bytes"))?;
                out.extend_from_slice(&expiry);
            }
        }
        out.push(position(&TAP_KINDS, |k| *k == tap.kind));
        out.extend_from_slice(&tap.amounts.charged_cents.get().to_le_bytes());
        match tap.amounts.balance_after_cents {
            None => out.push(0),
            Some(b) => {
                out.push(1);
                out.extend_from_slice(&b.get().to_le_bytes());
            }
        }
        Ok(())
    }
}

fn card(number: CardNumber, profile: &CardProfile, out: &mut Vec<u8>) -> Result<(), StreamError> {
    out.push(TAG_CARD);
    out.extend_from_slice(&number.get().to_le_bytes());
    out.push(position(&CARD_KINDS, |k| *k == profile.kind));
    match profile.birth_date {
        None => out.push(0),
        Some(d) => {
            out.push(1);
            put_date(out, d);
        }
    }
    let count =
        u8::try_from(profile.products.len()).map_err(|_| encode_error("more than 255 products"))?;
    out.push(count);
    for p in &profile.products {
        put_str(out, &p.code)?;
        put_date(out, p.valid_from);
        put_date(out, p.valid_until);
        match &p.route {
            None => out.push(0),
            Some([from, to]) => {
                out.push(1);
                put_str(out, from)?;
                put_str(out, to)?;
            }
        }
    }
    Ok(())
}

fn position<T>(all: &[T], pred: impl Fn(&T) -> bool) -> u8 {
    all.iter().position(pred).unwrap_or(0) as u8
}

fn index_of(table: &[String], name: &str) -> Result<usize, StreamError> {
    table
        .iter()
        .position(|t| t == name)
        .ok_or_else(|| encode_error(&format!("`{name}` is not in the header's table")))
}

fn put_str(out: &mut Vec<u8>, text: &str) -> Result<(), StreamError> {
    let len = u8::try_from(text.len()).map_err(|_| encode_error("a string over 255 bytes"))?;
    out.push(len);
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

fn put_date(out: &mut Vec<u8>, date: Date) {
    out.extend_from_slice(&date.year().to_le_bytes());
    out.push(date.month() as u8);
    out.push(date.day() as u8);
}

fn encode_error(reason: &str) -> StreamError {
    StreamError::Encode {
        reason: reason.to_string(),
    }
}

/// Reads a binary stream from a byte slice (a whole file, or a buffer refilled by the caller:
/// [`Decoder::record`] reports [`Next::NeedMore`] when a record is cut off at the end).
#[derive(Debug, Clone)]
pub struct Decoder {
    header: StreamHeader,
    operators: Vec<SmolStr>,
    stations: Vec<SmolStr>,
}

/// The outcome of decoding at some position. (Returned once per record and moved at once,
/// so its size does not matter.)
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Next {
    /// A record and how many bytes it took.
    Record(Record, usize),
    /// The input ends inside a record (or is empty): more bytes are needed.
    NeedMore,
}

/// [`Next`], for [`Decoder::record_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextWith<R> {
    Record(DecodedRecord<R>, usize),
    NeedMore,
}

impl Decoder {
    /// Decodes the header at the start of `bytes`; returns the decoder and the header's length.
    pub fn new(bytes: &[u8]) -> Result<(Decoder, usize), StreamError> {
        let mut c = Cursor { bytes, at: 0 };
        if c.take(4)? != MAGIC {
            return Err(c
                .error_at(0, "not a tap stream (magic `OVTS` missing)")
                .into());
        }
        let version = c.u8()?;
        if version != VERSION {
            return Err(c
                .error_at(4, &format!("version {version}, expected {VERSION}"))
                .into());
        }
        let seed = c.u64()?;
        let max_lateness_s = c.u32()?;
        let operators = (0..c.u8()?)
            .map(|_| c.string().map(SmolStr::new))
            .collect::<Result<Vec<_>, _>>()?;
        let station_count = c.u16()?;
        let stations = (0..station_count)
            .map(|_| c.string().map(SmolStr::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((
            Decoder {
                header: StreamHeader {
                    seed,
                    max_lateness_s,
                },
                operators,
                stations,
            },
            c.at,
        ))
    }

    pub fn header(&self) -> StreamHeader {
        self.header
    }

    /// Decodes the record at the start of `bytes`; `offset` is where `bytes` starts in the
    /// stream (for error messages).
    pub fn record(&self, bytes: &[u8], offset: u64) -> Result<Next, StreamError> {
        Ok(match self.record_with(bytes, offset, &mut OwnReaders)? {
            NextWith::Record(record, used) => Next::Record(record.into(), used),
            NextWith::NeedMore => Next::NeedMore,
        })
    }

    /// As [`Self::record`], with each tap's reader from `readers`.
    pub fn record_with<T: ReaderTable>(
        &self,
        bytes: &[u8],
        offset: u64,
        readers: &mut T,
    ) -> Result<NextWith<T::Reader>, StreamError> {
        if bytes.is_empty() {
            return Ok(NextWith::NeedMore);
        }
        let mut c = Cursor { bytes, at: 0 };
        let decoded = match c.u8()? {
            TAG_TAP => self.tap(&mut c, readers).map(DecodedRecord::Tap),
            TAG_CARD => card_record(&mut c),
            tag => Err(c.error_at(0, &format!("unknown record tag {tag}"))),
        };
        match decoded {
            Ok(record) => Ok(NextWith::Record(record, c.at)),
            Err(Short) => Ok(NextWith::NeedMore),
            Err(Bad { at, reason }) => Err(StreamError::Bin {
                offset: offset + at as u64,
                reason,
            }),
        }
    }

    fn tap<T: ReaderTable>(
        &self,
        c: &mut Cursor<'_>,
        readers: &mut T,
    ) -> Result<DecodedTap<T::Reader>, Fail> {
        let at = c.i64()?;
        let at_pos = c.at - 8;
        let at = Timestamp::from_second(at).map_err(|_| c.fail(at_pos, "time out of range"))?;
        let tap_id = SmolStr::new(c.string()?);
        // The reader: operator u8, mode u8, station u16, device u32, device kind u8, then
        // the vehicle string: its bytes are known before any of it is decoded.
        let reader_at = c.at;
        c.take(READER_FIXED)?;
        let vehicle_length = usize::from(c.u8()?);
        c.take(vehicle_length)?;
        let encoded = &c.bytes[reader_at..c.at];
        let reader = readers.reader(encoded, || {
            self.reader(&mut Cursor {
                bytes: c.bytes,
                at: reader_at,
            })
        })?;
        let card = match c.u8()? {
            0 => {
                let pos = c.at;
                CardIdentity::OvChipkaart {
                    number: CardNumber::new(c.u64()?)
                        .ok_or_else(|| c.fail(pos, "card number over 16 digits"))?,
                }
            }
            1 => {
                let pan = c.string()?.to_owned();
                let pan_sequence = c.u8()?;
                let pos = c.at;
                let expiry = std::str::from_utf8(c.take(4)?)
                    .map_err(|_| c.fail(pos, "expiry is not UTF-8"))?
                    .to_string();
                CardIdentity::Emv {
                    pan,
                    pan_sequence,
                    expiry,
                }
            }
            _ => return Err(c.fail(c.at - 1, "unknown card type")),
        };
        let kind = *TAP_KINDS
            .get(usize::from(c.u8()?))
            .ok_or_else(|| c.fail(c.at - 1, "unknown tap kind"))?;
        let charged_cents = Cents::new(c.i64()?);
        let balance_after_cents = match c.u8()? {
            0 => None,
            1 => Some(Cents::new(c.i64()?)),
            _ => return Err(c.fail(c.at - 1, "balance flag is neither 0 nor 1")),
        };
        Ok(DecodedTap {
            tap_id: TapId(tap_id),
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

    /// A tap's reader, whose bytes are all there.
    fn reader(&self, c: &mut Cursor<'_>) -> Result<ReaderRef, Fail> {
        let operator = lookup(c, &self.operators, usize::from(c.peek_u8()?), "operator")?;
        c.at += 1;
        let mode = *Mode::ALL
            .get(usize::from(c.u8()?))
            .ok_or_else(|| c.fail(c.at - 1, "unknown mode"))?;
        let station_index = c.u16()?;
        let station = lookup(c, &self.stations, usize::from(station_index), "station")?;
        let device = c.u32()?;
        let device_kind = *DEVICE_KINDS
            .get(usize::from(c.u8()?))
            .ok_or_else(|| c.fail(c.at - 1, "unknown device kind"))?;
        let vehicle = c.string()?;
        Ok(ReaderRef {
            operator,
            mode,
            station,
            device,
            device_kind,
            vehicle: (!vehicle.is_empty()).then(|| SmolStr::new(vehicle)),
        })
    }
}

/// The reader's bytes before its vehicle string.
const READER_FIXED: usize = 1 + 1 + 2 + 4 + 1;

fn lookup(c: &Cursor<'_>, table: &[SmolStr], index: usize, what: &str) -> Result<SmolStr, Fail> {
    table
        .get(index)
        .cloned()
        .ok_or_else(|| c.fail(c.at, &format!("{what} index {index} not in the header")))
}

fn card_record<R>(c: &mut Cursor<'_>) -> Result<DecodedRecord<R>, Fail> {
    let pos = c.at;
    let number =
        CardNumber::new(c.u64()?).ok_or_else(|| c.fail(pos, "card number over 16 digits"))?;
    let kind = *CARD_KINDS
        .get(usize::from(c.u8()?))
        .ok_or_else(|| c.fail(c.at - 1, "unknown card kind"))?;
    let birth_date = match c.u8()? {
        0 => None,
        1 => Some(date(c)?),
        _ => return Err(c.fail(c.at - 1, "birth flag is neither 0 nor 1")),
    };
    let mut products = Vec::new();
    for _ in 0..c.u8()? {
        let code = c.string()?.to_owned();
        let valid_from = date(c)?;
        let valid_until = date(c)?;
        let route = match c.u8()? {
            0 => None,
            1 => Some([c.string()?.to_owned(), c.string()?.to_owned()]),
            _ => return Err(c.fail(c.at - 1, "route flag is neither 0 nor 1")),
        };
        products.push(ProductSlot {
            code,
            valid_from,
            valid_until,
            route,
        });
    }
    Ok(DecodedRecord::Card {
        number,
        profile: CardProfile {
            kind,
            birth_date,
            products,
        },
    })
}

fn date(c: &mut Cursor<'_>) -> Result<Date, Fail> {
    let pos = c.at;
    let year = c.u16()? as i16;
    let month = c.u8()? as i8;
    let day = c.u8()? as i8;
    Date::new(year, month, day).map_err(|_| c.fail(pos, "not a valid date"))
}

/// Why a record could not be read: cut off at the end, or wrong at a position.
enum Fail {
    Short,
    Bad { at: usize, reason: String },
}
use Fail::{Bad, Short};

impl From<Fail> for StreamError {
    fn from(fail: Fail) -> StreamError {
        match fail {
            Short => StreamError::Bin {
                offset: 0,
                reason: "the input ends inside the header".into(),
            },
            Bad { at, reason } => StreamError::Bin {
                offset: at as u64,
                reason,
            },
        }
    }
}

struct Cursor<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Cursor<'b> {
    fn take(&mut self, n: usize) -> Result<&'b [u8], Fail> {
        let end = self.at.checked_add(n).ok_or(Short)?;
        let slice = self.bytes.get(self.at..end).ok_or(Short)?;
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Fail> {
        let slice = self.take(N)?;
        let mut out = [0; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    fn peek_u8(&self) -> Result<u8, Fail> {
        self.bytes.get(self.at).copied().ok_or(Short)
    }

    fn u8(&mut self) -> Result<u8, Fail> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, Fail> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, Fail> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, Fail> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn i64(&mut self) -> Result<i64, Fail> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A string borrowed from the input: each caller makes the kind of string it keeps.
    fn string(&mut self) -> Result<&'b str, Fail> {
        let len = usize::from(self.u8()?);
        let pos = self.at;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map_err(|_| self.fail(pos, "string is not UTF-8"))
    }

    fn fail(&self, at: usize, reason: &str) -> Fail {
        Bad {
            at,
            reason: reason.to_string(),
        }
    }

    fn error_at(&self, at: usize, reason: &str) -> Fail {
        self.fail(at, reason)
    }
}
