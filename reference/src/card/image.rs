//! Binary card image (CARD-02, CARD-08): the 4 KiB chip layout of an OV-chipkaart, encoded
//! and decoded so that a write torn off at any byte leaves either the previous or the new card.
//!
//! The layout follows the public MIFARE Classic 4K organisation of the OV-chipkaart: sectors
//! 0–31 have 4 blocks of 16 bytes, sectors 32–39 have 16 blocks; the last block of every
//! sector is its trailer (keys and access bits) and never holds data. All integers are
//! little-endian; CRC-32 is the IEEE polynomial (as in zip and Ethernet).
//!
//! | Offset                | Bytes | Sector / blocks | Content                                  |
//! |-----------------------|-------|-----------------|------------------------------------------|
//! | 0                     | 16    | 0 / 0           | manufacturer block                       |
//! | 16                    | 32    | 0 / 1–2         | header                                   |
//! | 64                    | 48    | 1 / 0–2         | holder (all zero when there is none)     |
//! | 128                   | 32    | 2 / 0–1         | purse copy A (block 2 zero)              |
//! | 192                   | 32    | 3 / 0–1         | purse copy B (block 2 zero)              |
//! | 256 + 64·i            | 48    | 4+i / 0–2       | product slot i = 0..8 (all zero: empty)  |
//! | 768..2048             |       | 12–31           | unused, zero                             |
//! | 2048 + 256·s + 32·j   | 32    | 32+s / 0–13     | log slot 7·s + j, s = 0..4, j = 0..7     |
//! | 2048 + 256·s + 224    | 16    | 32+s / 14       | unused, zero                             |
//! | 3072..4096            |       | 36–39           | unused, zero                             |
//! | last block of each    | 16    | trailer         | key A FF×6, access FF 07 80 69, key B FF×6 |
//!
//! Offsets inside each area, relative to its start:
//!
//! * **Manufacturer block**: 0..4 UID (u32), 4 BCC (XOR of the four UID bytes), 5 SAK 0x18,
//!   6..8 ATQA 02 00, 8..16 `ovcert\0\0`. Only the UID and BCC are checked on decode.
//! * **Header**: 0..4 magic `OVCK`, 4 format version (1), 5 card kind (1 anonymous,
//!   2 personal, 3 disposable), 6..8 reserved, 8..16 card number (u64), 16..18 issued on,
//!   18..20 expires on, 20..28 reserved, 28..32 CRC-32 over 0..28.
//! * **Holder**: 0 tag (1), 1 name length (≤ [`HOLDER_NAME_MAX`]), 2..4 birth date,
//!   4..36 UTF-8 name, zero-padded, 36..44 reserved, 44..48 CRC-32 over 0..44.
//! * **Product slot**: 0 tag (1 without route, 2 with route), 1..16 code (ASCII, NUL-padded),
//!   16..18 valid from, 18..20 valid until, 20..28 route from, 28..36 route to (station
//!   codes, zero without a route), 36..44 reserved, 44..48 CRC-32 over 0..44.
//! * **Purse copy**: 0 format version (1), 1 flags (bit 0 rail activated, bit 1 blocked),
//!   2 special setting (0 none, 1 first class, 2 group discount), 3 travel class (1 or 2),
//!   4..8 generation (u32), 8..12 counter (u32), 12..16 balance (i32 cents), 16..18 auto-reload
//!   (u16 cents, 0 = none), 18 log head (physical slot of the oldest entry, < [`LOG_SLOTS`]),
//!   19 log count (≤ [`LOG_CAPACITY`]), 20 open check-in (index into the visible log, oldest
//!   = 0; 0xFF = none), 21..24 reserved, 24..28 log digest (CRC-32 over the 32 raw bytes of
//!   every referenced log slot, oldest first), 28..32 CRC-32 over 0..28.
//! * **Log slot**: 0 kind (low nibble: 1 check-in, 2 check-out, 3 missing check-out, 4 load,
//!   5 auto-reload, 6 product load, 7 blocked) and mode (high nibble: 0 none, 1 train, 2 bus,
//!   3 tram, 4 metro, 5 ferry), 1..5 time (u32 seconds since [`TIMESTAMP_EPOCH`]), 5..11
//!   operator (ASCII, NUL-padded), 11..19 station (ASCII, NUL-padded), 19..23 device (u32),
//!   23..27 amount (i32 cents), 27..31 balance after (i32 cents), 31 CRC-8 (polynomial 0x07,
//!   initial value 0xFF) over 0..31.
//!
//! Dates are u16 day counts since [`DATE_EPOCH`] (1900-01-01, so birth dates fit), which
//! reach [`DATE_MAX`] (2079-06-06). Log times are whole seconds from [`TIMESTAMP_EPOCH`]
//! (2000-01-01T00:00:00Z) to [`TIMESTAMP_MAX`] (2136-02-07T06:28:15Z). Every stored value
//! decodes to a valid date or time, so decoding has no "out of range date" error; encoding
//! rejects what does not fit, including fractions of a second, so that a round trip is exact.
//!
//! # Torn writes
//!
//! The purse is kept twice. A copy is valid when it is not blank, its CRC matches and its
//! fields are sane; the current copy is the valid one whose generation is newer (wrapping
//! comparison; A wins a tie). A copy that was never written (all zero) is no candidate, so
//! when only one copy was written and it is invalid, its own error is reported; when both were
//! written and both are invalid, the error is [`DecodeErrorKind::NoValidPurse`] at copy A.
//! The referenced log slots are then checked one by one (CRC-8) and against the copy's log
//! digest; an error there is an error, not a reason to fall back to the older copy.
//!
//! The generation belongs to the codec: the purse `counter` is the card's own transaction
//! counter and is stored as data, so a caller need not advance it for the write to take.
//!
//! [`write()`] on top of a previous image writes, in this order (see [`torn_write`]):
//! 1. the new log entries, into the ring slots after the current window. The log is a ring of
//!    [`LOG_SLOTS`] physical slots of which at most [`LOG_CAPACITY`] are referenced, so at
//!    least [`MAX_ENTRIES_PER_WRITE`] slots are free; entries the new log shares with the end of the old one stay in
//!    place and are not rewritten;
//! 2. products, holder, header and the manufacturer block — these have a single copy, so a
//!    write that changes them is not atomic: change them in a transaction of their own;
//! 3. last, the purse, into the copy that is *not* current. This is the commit.
//!
//! A write torn before the commit leaves the current copy, whose log slots were not touched;
//! a torn purse copy fails its CRC and is ignored. So decoding a torn purse-and-log write
//! gives exactly the previous or exactly the new card.
//!
//! The guarantee needs the new entries to fit in the free slots: at most
//! `LOG_SLOTS - previous log length` entries per write, so every transaction of the reader
//! and the machines (at most [`MAX_ENTRIES_PER_WRITE`] entries) always fits.
//! A write that appends more still produces the right image, but must overwrite slots the
//! previous state refers to; the log digest in each purse copy then makes a torn write decode
//! to an error rather than to a mix of two states. The digest is also what stops an old copy,
//! whose slots a later write reused, from being decoded with someone else's log entries.

use std::fmt;

use jiff::civil::{Date, date};
use jiff::{Span, Timestamp};

use super::{
    Card, CardKind, CardNumber, Holder, LogEntry, LogKind, ProductSlot, Purse, SpecialSetting,
};
use crate::money::Cents;
use crate::rules::Mode;

pub const IMAGE_LEN: usize = 4096;
/// Physical transaction-log slots on the chip.
pub const LOG_SLOTS: usize = 28;
/// The most log entries one transaction adds: a tap may close a missing check-out,
/// auto-reload and check in at once.
pub const MAX_ENTRIES_PER_WRITE: usize = 3;
/// Entries visible in the log: [`MAX_ENTRIES_PER_WRITE`] physical slots are kept free so that
/// a torn write of new entries never damages an entry the previous state refers to.
pub const LOG_CAPACITY: usize = LOG_SLOTS - MAX_ENTRIES_PER_WRITE;
pub const PRODUCT_SLOTS: usize = 8;
pub const HOLDER_NAME_MAX: usize = 32;
pub const PRODUCT_CODE_MAX: usize = 15;
pub const OPERATOR_CODE_MAX: usize = 6;
pub const STATION_CODE_MAX: usize = 8;

/// Day 0 of every date on the chip.
pub const DATE_EPOCH: Date = date(1900, 1, 1);
/// The last date a u16 day count reaches: [`DATE_EPOCH`] + 65535 days.
pub const DATE_MAX: Date = date(2079, 6, 6);
/// Second 0 of every log time: 2000-01-01T00:00:00Z.
pub const TIMESTAMP_EPOCH: Timestamp = Timestamp::constant(TIMESTAMP_EPOCH_SECOND, 0);
/// The last log time a u32 second count reaches: 2136-02-07T06:28:15Z.
pub const TIMESTAMP_MAX: Timestamp =
    Timestamp::constant(TIMESTAMP_EPOCH_SECOND + u32::MAX as i64, 0);

const TIMESTAMP_EPOCH_SECOND: i64 = 946_684_800;
const FORMAT_VERSION: u8 = 1;
const MAGIC: [u8; 4] = *b"OVCK";

const SMALL_SECTORS: usize = 32;
const SMALL_SECTOR_LEN: usize = 64;
const BIG_SECTORS: usize = 8;
const BIG_SECTOR_LEN: usize = 256;
const BIG_SECTORS_START: usize = SMALL_SECTORS * SMALL_SECTOR_LEN;
const BLOCK_LEN: usize = 16;
/// Factory keys and the transport access bits: fixed, because the model has no key handling.
const TRAILER: [u8; BLOCK_LEN] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x80, 0x69, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
];

const BCC_AT: usize = 4;
/// SAK 0x18 and ATQA 02 00 identify a MIFARE Classic 4K.
const MANUFACTURER_TAIL: [u8; 11] = [0x18, 0x02, 0x00, b'o', b'v', b'c', b'e', b'r', b't', 0, 0];

const HEADER: usize = 16;
const HEADER_LEN: usize = 32;
const HOLDER: usize = 64;
const HOLDER_LEN: usize = 48;
const PURSE_A: usize = 128;
const PURSE_B: usize = 192;
const PURSE_LEN: usize = 32;
const PURSE_DIGEST_AT: usize = 24;
const PRODUCTS: usize = 256;
const PRODUCT_STRIDE: usize = SMALL_SECTOR_LEN;
const PRODUCT_LEN: usize = 48;
const LOG: usize = BIG_SECTORS_START;
const LOG_SECTORS: usize = 4;
const LOG_SLOT_LEN: usize = 32;
const LOG_SLOTS_PER_SECTOR: usize = 7;
const NO_CHECK_IN: u8 = 0xFF;
const FLAG_RAIL_ACTIVATED: u8 = 0b01;
const FLAG_BLOCKED: u8 = 0b10;

/// A named area of the image, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Header,
    Holder,
    PurseA,
    PurseB,
    /// Product slot 0..[`PRODUCT_SLOTS`].
    Product(usize),
    /// Physical log slot 0..[`LOG_SLOTS`].
    LogSlot(usize),
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Area::Header => f.write_str("header"),
            Area::Holder => f.write_str("holder"),
            Area::PurseA => f.write_str("purse copy A"),
            Area::PurseB => f.write_str("purse copy B"),
            Area::Product(slot) => write!(f, "product slot {slot}"),
            Area::LogSlot(slot) => write!(f, "log slot {slot}"),
        }
    }
}

/// A card that cannot be written: which field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("card image cannot be encoded: {field}: {reason}")]
pub struct EncodeError {
    /// The offending field, as a path into [`Card`]: `log[3].station`, `purse.balance`.
    pub field: String,
    pub reason: String,
}

impl EncodeError {
    fn new(field: impl Into<String>, reason: impl Into<String>) -> EncodeError {
        EncodeError {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Places a field of a nested value under its parent: `station` → `log[3].station`.
    fn within(self, parent: &str) -> EncodeError {
        EncodeError {
            field: format!("{parent}.{}", self.field),
            reason: self.reason,
        }
    }
}

/// An image that does not decode: the byte offset where the problem is and what it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("card image invalid at byte {offset}: {kind}")]
pub struct DecodeError {
    pub offset: usize,
    pub kind: DecodeErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeErrorKind {
    #[error("the image is {len} bytes long, a card image is exactly {IMAGE_LEN}")]
    Length { len: usize },
    #[error("the UID check byte (BCC) is {found:#04x} but the UID bytes XOR to {expected:#04x}")]
    Bcc { expected: u8, found: u8 },
    #[error("the header magic is {found:02x?}, expected \"OVCK\": not an ovcert card image")]
    Magic { found: [u8; 4] },
    #[error("{area} has format version {found}; this codec reads version {FORMAT_VERSION}")]
    Version { area: Area, found: u8 },
    #[error("{area} checksum is {stored:#x} but its content gives {computed:#x}: corrupt or torn")]
    Checksum {
        area: Area,
        stored: u32,
        computed: u32,
    },
    #[error("{area} is blank: it was never written")]
    Blank { area: Area },
    #[error("{area} reserved byte is {value:#04x}; it must be zero")]
    ReservedNotZero { area: Area, value: u8 },
    #[error("{field} byte {value:#04x} is not a known code")]
    InvalidCode { field: &'static str, value: u8 },
    #[error("{field} is {value}, above its maximum {max}")]
    OutOfRange {
        field: &'static str,
        value: u64,
        max: u64,
    },
    #[error("{field} contains byte {value:#04x}, which is not ASCII")]
    NotAscii { field: &'static str, value: u8 },
    #[error("{field} has text after its NUL padding")]
    TextAfterPadding { field: &'static str },
    #[error("{field} is not valid UTF-8")]
    NotUtf8 { field: &'static str },
    #[error("the open check-in refers to log entry {index}, but the log holds {count} entries")]
    CheckInNotInLog { index: u8, count: u8 },
    #[error("no purse copy is valid (A: {a}; B: {b})")]
    NoValidPurse {
        a: Box<DecodeError>,
        b: Box<DecodeError>,
    },
    #[error(
        "the log slots {area} refers to give digest {computed:#x}, not {stored:#x}: \
         a later write reused them"
    )]
    LogDigest {
        area: Area,
        stored: u32,
        computed: u32,
    },
}

impl DecodeErrorKind {
    fn at(self, offset: usize) -> DecodeError {
        DecodeError { offset, kind: self }
    }
}

/// Writes `card` as a new image on top of `previous` (or a blank chip).
///
/// With a previous image whose purse decodes, the write is torn-write safe as described in
/// the module documentation. A previous image whose purse does not decode holds no state worth
/// protecting: the card is written as on a blank chip, keeping only unused sectors.
pub fn write(previous: Option<&[u8]>, card: &Card) -> Result<Vec<u8>, EncodeError> {
    let encoded = EncodedCard::new(card)?;
    let (mut image, protected) = match previous {
        None => (blank_image(), None),
        Some(bytes) if bytes.len() != IMAGE_LEN => {
            return Err(EncodeError::new(
                "previous",
                format!(
                    "the image is {} bytes long, a card image is exactly {IMAGE_LEN}",
                    bytes.len()
                ),
            ));
        }
        Some(bytes) => (bytes.to_vec(), ProtectedState::read(bytes)),
    };

    let head = write_log(&mut image, protected.as_ref(), &encoded.log);
    for (slot, bytes) in encoded.products.iter().enumerate() {
        put(&mut image, PRODUCTS + slot * PRODUCT_STRIDE, bytes);
    }
    put(&mut image, HOLDER, &encoded.holder);
    put(&mut image, HEADER, &encoded.header);
    put(&mut image, 0, &encoded.manufacturer);
    for sector in 0..SMALL_SECTORS + BIG_SECTORS {
        put(&mut image, trailer_offset(sector), &TRAILER);
    }
    commit_purse(&mut image, protected.as_ref(), &encoded, head);

    debug_assert_eq!(
        decode(&image).as_ref(),
        Ok(card),
        "write must produce an image of the card"
    );
    Ok(image)
}

/// Decodes an image. Never panics: every problem is a [`DecodeError`] with its byte offset.
pub fn decode(bytes: &[u8]) -> Result<Card, DecodeError> {
    let image = Image::new(bytes)?;
    let uid = decode_uid(image)?;
    let header = decode_header(image)?;
    let holder = decode_holder(image)?;
    let products = decode_products(image)?;
    let copy = current_purse(image)?;
    let log = decode_log(image, &copy)?;
    let check_in = match copy.check_in {
        None => None,
        Some(index) => Some(log.get(usize::from(index)).cloned().ok_or_else(|| {
            DecodeErrorKind::CheckInNotInLog {
                index,
                count: copy.log_count,
            }
            .at(copy.base + 20)
        })?),
    };
    Ok(Card {
        uid,
        number: header.number,
        kind: header.kind,
        issued_on: header.issued_on,
        expires_on: header.expires_on,
        holder,
        products,
        purse: Purse {
            counter: copy.counter,
            balance: copy.balance,
            auto_reload: copy.auto_reload,
            rail_activated: copy.rail_activated,
            travel_class: copy.travel_class,
            blocked: copy.blocked,
            special: copy.special,
            check_in,
        },
        log,
    })
}

/// Simulates a write from `previous` to `next` that stops after `bytes_written` of the bytes
/// that differ, taken in the order [`write()`] writes them: log sectors, product sectors,
/// holder, sector 0, the other sectors, and the purse sectors last. For tests; images of
/// different lengths are combined over the common length.
pub fn torn_write(previous: &[u8], next: &[u8], bytes_written: usize) -> Vec<u8> {
    let mut torn = previous.to_vec();
    let changed = write_order().filter(|&at| match (previous.get(at), next.get(at)) {
        (Some(old), Some(new)) => old != new,
        _ => false,
    });
    for at in changed.take(bytes_written) {
        if let (Some(dst), Some(src)) = (torn.get_mut(at), next.get(at)) {
            *dst = *src;
        }
    }
    torn
}

/// Recomputes every checksum so that structure, not checksums, decides what decodes. A test
/// and fuzz aid: random or mutated bytes almost never carry the right checksums, so without
/// this a fuzzer stops at the first one and never reaches the decoded card.
///
/// Follows the decoder's rules for what is checked: the UID check byte, the header CRC, the
/// CRC of the holder and of every product slot unless the area is blank (all zero means
/// "none" and stays so), the CRC-8 of every log slot a purse copy refers to, and for each
/// purse copy that is not blank (never written) its log digest — only when its log head and
/// count are in range, for otherwise it refers to no slots — and then its CRC. Nothing else
/// changes: not the unreferenced log slots, trailers or unused sectors, which decoding never
/// checks.
///
/// An image whose checksums all hold already comes back unchanged, and resealing twice is
/// resealing once. Never panics; input of the wrong length is returned unchanged.
pub fn reseal(bytes: &[u8]) -> Vec<u8> {
    let (Ok(view), Ok(mut image)) = (Image::new(bytes), <[u8; IMAGE_LEN]>::try_from(bytes)) else {
        return bytes.to_vec();
    };
    // Read before anything is rewritten; resealing touches no byte these depend on.
    let copies: Vec<(usize, Option<LogWindow>)> = [Area::PurseA, Area::PurseB]
        .into_iter()
        .map(purse_offset)
        .filter(|&base| view.is_blank(base, PURSE_LEN) == Ok(false))
        .map(|base| (base, read_log_window(view, base).ok()))
        .collect();

    image[BCC_AT] = bcc(&image[..BCC_AT]);
    seal(&mut image[HEADER..HEADER + HEADER_LEN]);
    let optional_areas = (0..PRODUCT_SLOTS)
        .map(|slot| (PRODUCTS + slot * PRODUCT_STRIDE, PRODUCT_LEN))
        .chain([(HOLDER, HOLDER_LEN)]);
    for (offset, len) in optional_areas {
        if view.is_blank(offset, len) == Ok(false) {
            seal(&mut image[offset..offset + len]);
        }
    }
    for slot in copies
        .iter()
        .filter_map(|(_, window)| *window)
        .flat_map(LogWindow::slots)
    {
        let at = log_slot_offset(slot);
        seal_log_slot(&mut image[at..at + LOG_SLOT_LEN]);
    }
    for (base, window) in copies {
        if let Some(window) = window {
            let digest = window.digest(&image);
            put(&mut image, base + PURSE_DIGEST_AT, &digest.to_le_bytes());
        }
        seal(&mut image[base..base + PURSE_LEN]);
    }
    image.to_vec()
}

/// Every byte offset of the image once, in the order a write reaches it.
fn write_order() -> impl Iterator<Item = usize> {
    let log = LOG..LOG + LOG_SECTORS * BIG_SECTOR_LEN;
    let products = PRODUCTS..PRODUCTS + PRODUCT_SLOTS * PRODUCT_STRIDE;
    let holder = HOLDER..PURSE_A;
    let sector_0 = 0..HOLDER;
    let unused_small = PRODUCTS + PRODUCT_SLOTS * PRODUCT_STRIDE..BIG_SECTORS_START;
    let unused_big = LOG + LOG_SECTORS * BIG_SECTOR_LEN..IMAGE_LEN;
    let purse = PURSE_A..PRODUCTS;
    log.chain(products)
        .chain(holder)
        .chain(sector_0)
        .chain(unused_small)
        .chain(unused_big)
        .chain(purse)
}

// ---------------------------------------------------------------------------------------------
// Layout helpers

fn sector_start(sector: usize) -> usize {
    if sector < SMALL_SECTORS {
        sector * SMALL_SECTOR_LEN
    } else {
        BIG_SECTORS_START + (sector - SMALL_SECTORS) * BIG_SECTOR_LEN
    }
}

fn trailer_offset(sector: usize) -> usize {
    let len = if sector < SMALL_SECTORS {
        SMALL_SECTOR_LEN
    } else {
        BIG_SECTOR_LEN
    };
    sector_start(sector) + len - BLOCK_LEN
}

fn log_slot_offset(slot: usize) -> usize {
    LOG + (slot / LOG_SLOTS_PER_SECTOR) * BIG_SECTOR_LEN
        + (slot % LOG_SLOTS_PER_SECTOR) * LOG_SLOT_LEN
}

/// The log slots a purse copy refers to: `count` slots from physical slot `head` (the oldest
/// entry) round the ring of [`LOG_SLOTS`].
#[derive(Clone, Copy)]
struct LogWindow {
    head: usize,
    count: usize,
}

impl LogWindow {
    /// The physical slots, oldest entry first.
    fn slots(self) -> impl Iterator<Item = usize> {
        (0..self.count).map(move |index| (self.head + index) % LOG_SLOTS)
    }

    /// The purse copy's log digest: CRC-32 over the raw bytes of the slots, oldest first.
    /// `image` is a whole image, so every slot is in it.
    fn digest(self, image: &[u8]) -> u32 {
        let mut digest = crc32fast::Hasher::new();
        for slot in self.slots() {
            let at = log_slot_offset(slot);
            digest.update(image.get(at..at + LOG_SLOT_LEN).unwrap_or_default());
        }
        digest.finalize()
    }
}

fn purse_offset(area: Area) -> usize {
    if area == Area::PurseB {
        PURSE_B
    } else {
        PURSE_A
    }
}

fn other_copy(area: Area) -> Area {
    if area == Area::PurseA {
        Area::PurseB
    } else {
        Area::PurseA
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// The UID check byte: the XOR of the UID bytes.
fn bcc(uid_bytes: &[u8]) -> u8 {
    uid_bytes.iter().fold(0, |bcc, byte| bcc ^ byte)
}

/// CRC-8, polynomial 0x07; the initial value 0xFF keeps an all-zero slot from checking.
fn crc8(bytes: &[u8]) -> u8 {
    let mut crc = 0xFF_u8;
    for &byte in bytes {
        crc ^= byte;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// `candidate` is a later generation than `than`, allowing for wrap-around.
fn is_newer(candidate: u32, than: u32) -> bool {
    let ahead = candidate.wrapping_sub(than);
    ahead != 0 && ahead < 1 << 31
}

// ---------------------------------------------------------------------------------------------
// Encoding

/// Every area of a validated card, as bytes; the purse waits for its log placement.
struct EncodedCard {
    manufacturer: [u8; BLOCK_LEN],
    header: [u8; HEADER_LEN],
    holder: [u8; HOLDER_LEN],
    products: [[u8; PRODUCT_LEN]; PRODUCT_SLOTS],
    log: Vec<[u8; LOG_SLOT_LEN]>,
    purse: PurseBody,
}

/// The purse fields of a copy, validated; placement and generation are added at commit.
#[derive(Clone, Copy)]
struct PurseBody {
    flags: u8,
    special: u8,
    travel_class: u8,
    counter: u32,
    balance: i32,
    auto_reload: u16,
    check_in: u8,
}

/// Where the copy's log lives and which write it is.
struct Placement {
    generation: u32,
    head: usize,
    count: usize,
    digest: u32,
}

impl EncodedCard {
    fn new(card: &Card) -> Result<EncodedCard, EncodeError> {
        if card.log.len() > LOG_CAPACITY {
            return Err(EncodeError::new(
                "log",
                format!(
                    "{} entries, the chip shows at most {LOG_CAPACITY}",
                    card.log.len()
                ),
            ));
        }
        if card.products.len() > PRODUCT_SLOTS {
            return Err(EncodeError::new(
                "products",
                format!(
                    "{} products, the chip has {PRODUCT_SLOTS} slots",
                    card.products.len()
                ),
            ));
        }
        let mut products = [[0; PRODUCT_LEN]; PRODUCT_SLOTS];
        for ((index, product), slot) in card.products.iter().enumerate().zip(&mut products) {
            *slot = encode_product(product).map_err(|e| e.within(&format!("products[{index}]")))?;
        }
        let log = card
            .log
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                encode_log_entry(entry).map_err(|e| e.within(&format!("log[{index}]")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let holder = match &card.holder {
            None => [0; HOLDER_LEN],
            Some(holder) => encode_holder(holder).map_err(|e| e.within("holder"))?,
        };
        Ok(EncodedCard {
            manufacturer: encode_manufacturer(card.uid),
            header: encode_header(card)?,
            holder,
            products,
            log,
            purse: PurseBody::new(&card.purse, &card.log).map_err(|e| e.within("purse"))?,
        })
    }
}

fn blank_image() -> Vec<u8> {
    vec![0; IMAGE_LEN]
}

/// Copies `bytes` into the image. Offsets come from the layout constants, never from input.
fn put(image: &mut [u8], offset: usize, bytes: &[u8]) {
    image[offset..offset + bytes.len()].copy_from_slice(bytes);
}

fn encode_manufacturer(uid: u32) -> [u8; BLOCK_LEN] {
    let uid_bytes = uid.to_le_bytes();
    let mut block = [0; BLOCK_LEN];
    block[..4].copy_from_slice(&uid_bytes);
    block[BCC_AT] = bcc(&uid_bytes);
    block[BCC_AT + 1..].copy_from_slice(&MANUFACTURER_TAIL);
    block
}

fn encode_header(card: &Card) -> Result<[u8; HEADER_LEN], EncodeError> {
    let kind = match card.kind {
        CardKind::Anonymous => 1,
        CardKind::Personal => 2,
        CardKind::Disposable => 3,
        CardKind::Emv => {
            return Err(EncodeError::new(
                "kind",
                "a bank card (EMV) has no card image",
            ));
        }
    };
    let mut header = [0; HEADER_LEN];
    header[..4].copy_from_slice(&MAGIC);
    header[4] = FORMAT_VERSION;
    header[5] = kind;
    header[8..16].copy_from_slice(&card.number.get().to_le_bytes());
    header[16..18].copy_from_slice(&day_count(card.issued_on, "issued_on")?.to_le_bytes());
    header[18..20].copy_from_slice(&day_count(card.expires_on, "expires_on")?.to_le_bytes());
    seal(&mut header);
    Ok(header)
}

fn encode_holder(holder: &Holder) -> Result<[u8; HOLDER_LEN], EncodeError> {
    let name = holder.name.as_bytes();
    if name.len() > HOLDER_NAME_MAX {
        return Err(EncodeError::new(
            "name",
            format!(
                "{} bytes of UTF-8, the chip holds at most {HOLDER_NAME_MAX}",
                name.len()
            ),
        ));
    }
    let mut area = [0; HOLDER_LEN];
    area[0] = 1;
    // Cannot truncate: checked against HOLDER_NAME_MAX above.
    area[1] = name.len() as u8;
    area[2..4].copy_from_slice(&day_count(holder.birth_date, "birth_date")?.to_le_bytes());
    area[4..4 + name.len()].copy_from_slice(name);
    seal(&mut area);
    Ok(area)
}

fn encode_product(product: &ProductSlot) -> Result<[u8; PRODUCT_LEN], EncodeError> {
    let mut slot = [0; PRODUCT_LEN];
    slot[0] = if product.route.is_some() { 2 } else { 1 };
    put_ascii(&mut slot[1..16], &product.code, "code")?;
    slot[16..18].copy_from_slice(&day_count(product.valid_from, "valid_from")?.to_le_bytes());
    slot[18..20].copy_from_slice(&day_count(product.valid_until, "valid_until")?.to_le_bytes());
    if let Some([from, to]) = &product.route {
        put_ascii(&mut slot[20..28], from, "route[0]")?;
        put_ascii(&mut slot[28..36], to, "route[1]")?;
    }
    seal(&mut slot);
    Ok(slot)
}

fn encode_log_entry(entry: &LogEntry) -> Result<[u8; LOG_SLOT_LEN], EncodeError> {
    let mut slot = [0; LOG_SLOT_LEN];
    slot[0] = log_kind_code(entry.kind) | mode_code(entry.mode) << 4;
    slot[1..5].copy_from_slice(&log_second(entry.at)?.to_le_bytes());
    put_ascii(&mut slot[5..11], &entry.operator, "operator")?;
    put_ascii(&mut slot[11..19], &entry.station, "station")?;
    slot[19..23].copy_from_slice(&entry.device.to_le_bytes());
    slot[23..27].copy_from_slice(&cents_i32(entry.amount, "amount")?.to_le_bytes());
    slot[27..31].copy_from_slice(&cents_i32(entry.balance_after, "balance_after")?.to_le_bytes());
    seal_log_slot(&mut slot);
    Ok(slot)
}

impl PurseBody {
    fn new(purse: &Purse, log: &[LogEntry]) -> Result<PurseBody, EncodeError> {
        if !matches!(purse.travel_class, 1 | 2) {
            return Err(EncodeError::new(
                "travel_class",
                format!("{} is not a travel class (1 or 2)", purse.travel_class),
            ));
        }
        let auto_reload = match purse.auto_reload {
            None => 0,
            Some(amount) => u16::try_from(amount.get())
                .ok()
                .filter(|&cents| cents > 0)
                .ok_or_else(|| {
                    EncodeError::new(
                        "auto_reload",
                        format!("{} cents; the chip stores 1..=65535 cents", amount.get()),
                    )
                })?,
        };
        // The chip keeps the check-in as the index of its log entry; the latest equal entry
        // is taken, which decodes to an equal copy.
        let check_in = match &purse.check_in {
            None => NO_CHECK_IN,
            Some(entry) => log
                .iter()
                .rposition(|logged| logged == entry)
                .and_then(|index| u8::try_from(index).ok())
                .ok_or_else(|| EncodeError::new("check_in", "not one of the card's log entries"))?,
        };
        let mut flags = 0;
        if purse.rail_activated {
            flags |= FLAG_RAIL_ACTIVATED;
        }
        if purse.blocked {
            flags |= FLAG_BLOCKED;
        }
        Ok(PurseBody {
            flags,
            special: special_code(purse.special),
            travel_class: purse.travel_class,
            counter: purse.counter,
            balance: cents_i32(purse.balance, "balance")?,
            auto_reload,
            check_in,
        })
    }

    fn bytes(self, placement: &Placement) -> [u8; PURSE_LEN] {
        let mut copy = [0; PURSE_LEN];
        copy[0] = FORMAT_VERSION;
        copy[1] = self.flags;
        copy[2] = self.special;
        copy[3] = self.travel_class;
        copy[4..8].copy_from_slice(&placement.generation.to_le_bytes());
        copy[8..12].copy_from_slice(&self.counter.to_le_bytes());
        copy[12..16].copy_from_slice(&self.balance.to_le_bytes());
        copy[16..18].copy_from_slice(&self.auto_reload.to_le_bytes());
        // Both below LOG_SLOTS: the head is reduced modulo LOG_SLOTS, the count was validated.
        copy[18] = placement.head as u8;
        copy[19] = placement.count as u8;
        copy[20] = self.check_in;
        copy[PURSE_DIGEST_AT..PURSE_DIGEST_AT + 4].copy_from_slice(&placement.digest.to_le_bytes());
        seal(&mut copy);
        copy
    }
}

/// Stores the CRC-32 of everything before the last four bytes in the last four bytes.
fn seal(area: &mut [u8]) {
    let body = area.len() - 4;
    let crc = crc32(&area[..body]);
    area[body..].copy_from_slice(&crc.to_le_bytes());
}

/// Stores the CRC-8 of everything before a log slot's last byte in its last byte.
fn seal_log_slot(slot: &mut [u8]) {
    if let Some((check, body)) = slot.split_last_mut() {
        *check = crc8(body);
    }
}

fn put_ascii(dst: &mut [u8], text: &str, field: &str) -> Result<(), EncodeError> {
    if text.len() > dst.len() {
        return Err(EncodeError::new(
            field,
            format!(
                "`{text}` is {} bytes, the chip holds at most {}",
                text.len(),
                dst.len()
            ),
        ));
    }
    // NUL is the padding, so a NUL inside the text would cut it short on decode.
    if !text.bytes().all(|byte| byte.is_ascii() && byte != 0) {
        return Err(EncodeError::new(
            field,
            format!("`{text}` is not ASCII without NUL"),
        ));
    }
    dst[..text.len()].copy_from_slice(text.as_bytes());
    Ok(())
}

fn day_count(day: Date, field: &str) -> Result<u16, EncodeError> {
    let out_of_range = || {
        EncodeError::new(
            field,
            format!("{day} is outside the chip's dates {DATE_EPOCH}..={DATE_MAX}"),
        )
    };
    if day < DATE_EPOCH || day > DATE_MAX {
        return Err(out_of_range());
    }
    let span = DATE_EPOCH.until(day).map_err(|_| out_of_range())?;
    u16::try_from(span.get_days()).map_err(|_| out_of_range())
}

fn log_second(at: Timestamp) -> Result<u32, EncodeError> {
    if at.subsec_nanosecond() != 0 {
        return Err(EncodeError::new(
            "at",
            format!("{at} has a fraction of a second; the chip stores whole seconds"),
        ));
    }
    at.as_second()
        .checked_sub(TIMESTAMP_EPOCH_SECOND)
        .and_then(|second| u32::try_from(second).ok())
        .ok_or_else(|| {
            EncodeError::new(
                "at",
                format!("{at} is outside the chip's times {TIMESTAMP_EPOCH}..={TIMESTAMP_MAX}"),
            )
        })
}

fn cents_i32(amount: Cents, field: &str) -> Result<i32, EncodeError> {
    i32::try_from(amount.get()).map_err(|_| {
        EncodeError::new(
            field,
            format!(
                "{} cents does not fit the chip's 32-bit amount",
                amount.get()
            ),
        )
    })
}

fn log_kind_code(kind: LogKind) -> u8 {
    match kind {
        LogKind::CheckIn => 1,
        LogKind::CheckOut => 2,
        LogKind::MissingCheckOut => 3,
        LogKind::Load => 4,
        LogKind::AutoReload => 5,
        LogKind::ProductLoad => 6,
        LogKind::Blocked => 7,
    }
}

fn mode_code(mode: Option<Mode>) -> u8 {
    match mode {
        None => 0,
        Some(Mode::Train) => 1,
        Some(Mode::Bus) => 2,
        Some(Mode::Tram) => 3,
        Some(Mode::Metro) => 4,
        Some(Mode::Ferry) => 5,
    }
}

fn special_code(special: SpecialSetting) -> u8 {
    match special {
        SpecialSetting::None => 0,
        SpecialSetting::FirstClass => 1,
        SpecialSetting::GroupDiscount => 2,
    }
}

/// The current purse state of the previous image, which the write must not disturb.
struct ProtectedState {
    copy: PurseCopy,
    /// The raw bytes of the referenced log slots, oldest first.
    slots: Vec<[u8; LOG_SLOT_LEN]>,
}

impl ProtectedState {
    fn read(bytes: &[u8]) -> Option<ProtectedState> {
        let image = Image::new(bytes).ok()?;
        let copy = current_purse(image).ok()?;
        decode_log(image, &copy).ok()?;
        let slots = copy
            .log_window()
            .slots()
            .map(|slot| image.array(log_slot_offset(slot)))
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        Some(ProtectedState { copy, slots })
    }
}

/// Writes the log entries that are new relative to the protected state into the free slots
/// after its window and returns the physical slot of the new oldest entry.
fn write_log(
    image: &mut [u8],
    protected: Option<&ProtectedState>,
    log: &[[u8; LOG_SLOT_LEN]],
) -> usize {
    let (kept, end) = match protected {
        None => (0, 0),
        Some(state) => {
            let old = &state.slots;
            // The longest run at the end of the old log that starts the new one stays put.
            let kept = (0..=old.len().min(log.len()))
                .rev()
                .find(|&kept| old[old.len() - kept..] == log[..kept])
                .unwrap_or(0);
            (kept, state.copy.log_head + old.len())
        }
    };
    for (index, bytes) in log.iter().enumerate().skip(kept) {
        let slot = (end + index - kept) % LOG_SLOTS;
        put(image, log_slot_offset(slot), bytes);
    }
    (end + LOG_SLOTS - kept) % LOG_SLOTS
}

/// Writes the purse into the copy that is not current: the commit of the write.
fn commit_purse(
    image: &mut [u8],
    protected: Option<&ProtectedState>,
    encoded: &EncodedCard,
    head: usize,
) {
    let count = encoded.log.len();
    let mut placement = Placement {
        generation: 1,
        head,
        count,
        digest: LogWindow { head, count }.digest(image),
    };
    match protected {
        Some(state) => {
            placement.generation = state.copy.generation;
            let current = purse_offset(state.copy.area);
            // An unchanged purse needs no commit; rewriting it would only flip the copies.
            if image[current..current + PURSE_LEN] == encoded.purse.bytes(&placement) {
                return;
            }
            placement.generation = state.copy.generation.wrapping_add(1);
            let target = purse_offset(other_copy(state.copy.area));
            put(image, target, &encoded.purse.bytes(&placement));
        }
        None => {
            // Nothing to protect: a stale copy B must not outrank the new copy A.
            put(image, PURSE_B, &[0; PURSE_LEN]);
            put(image, PURSE_A, &encoded.purse.bytes(&placement));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/// A checked view of an image of exactly [`IMAGE_LEN`] bytes. Every read is bounds-checked, so
/// a layout mistake becomes an error, never a panic.
#[derive(Clone, Copy)]
struct Image<'a> {
    bytes: &'a [u8],
}

impl<'a> Image<'a> {
    fn new(bytes: &'a [u8]) -> Result<Image<'a>, DecodeError> {
        if bytes.len() != IMAGE_LEN {
            let len = bytes.len();
            return Err(DecodeErrorKind::Length { len }.at(len.min(IMAGE_LEN)));
        }
        Ok(Image { bytes })
    }

    fn slice(self, offset: usize, len: usize) -> Result<&'a [u8], DecodeError> {
        offset
            .checked_add(len)
            .and_then(|end| self.bytes.get(offset..end))
            .ok_or_else(|| {
                DecodeErrorKind::Length {
                    len: self.bytes.len(),
                }
                .at(offset)
            })
    }

    fn array<const N: usize>(self, offset: usize) -> Result<[u8; N], DecodeError> {
        let slice = self.slice(offset, N)?;
        <[u8; N]>::try_from(slice).map_err(|_| {
            DecodeErrorKind::Length {
                len: self.bytes.len(),
            }
            .at(offset)
        })
    }

    fn u8(self, offset: usize) -> Result<u8, DecodeError> {
        self.array::<1>(offset).map(|[byte]| byte)
    }

    fn u16(self, offset: usize) -> Result<u16, DecodeError> {
        self.array(offset).map(u16::from_le_bytes)
    }

    fn u32(self, offset: usize) -> Result<u32, DecodeError> {
        self.array(offset).map(u32::from_le_bytes)
    }

    fn i32(self, offset: usize) -> Result<i32, DecodeError> {
        self.array(offset).map(i32::from_le_bytes)
    }

    fn u64(self, offset: usize) -> Result<u64, DecodeError> {
        self.array(offset).map(u64::from_le_bytes)
    }

    fn is_blank(self, offset: usize, len: usize) -> Result<bool, DecodeError> {
        Ok(self.slice(offset, len)?.iter().all(|&byte| byte == 0))
    }

    /// The area's CRC-32 (its last four bytes) matches the rest.
    fn check_seal(self, offset: usize, len: usize, area: Area) -> Result<(), DecodeError> {
        let body_len = len.saturating_sub(4);
        let stored = self.u32(offset + body_len)?;
        let computed = crc32(self.slice(offset, body_len)?);
        if stored != computed {
            return Err(DecodeErrorKind::Checksum {
                area,
                stored,
                computed,
            }
            .at(offset));
        }
        Ok(())
    }

    fn check_reserved(self, offset: usize, len: usize, area: Area) -> Result<(), DecodeError> {
        let bytes = self.slice(offset, len)?;
        match bytes.iter().position(|&byte| byte != 0) {
            None => Ok(()),
            Some(index) => Err(DecodeErrorKind::ReservedNotZero {
                area,
                value: bytes.get(index).copied().unwrap_or(0),
            }
            .at(offset + index)),
        }
    }

    fn date(self, offset: usize, field: &'static str) -> Result<Date, DecodeError> {
        let days = self.u16(offset)?;
        Span::new()
            .try_days(i64::from(days))
            .and_then(|span| DATE_EPOCH.checked_add(span))
            .map_err(|_| {
                DecodeErrorKind::OutOfRange {
                    field,
                    value: u64::from(days),
                    max: u64::from(u16::MAX),
                }
                .at(offset)
            })
    }

    /// NUL-padded ASCII text filling `len` bytes.
    fn ascii(self, offset: usize, len: usize, field: &'static str) -> Result<String, DecodeError> {
        let bytes = self.slice(offset, len)?;
        let text_len = bytes
            .iter()
            .position(|&byte| byte == 0)
            .unwrap_or(bytes.len());
        let (text, padding) = bytes.split_at_checked(text_len).unwrap_or((bytes, &[]));
        if let Some(index) = text.iter().position(|byte| !byte.is_ascii()) {
            let value = text.get(index).copied().unwrap_or(0);
            return Err(DecodeErrorKind::NotAscii { field, value }.at(offset + index));
        }
        if let Some(index) = padding.iter().position(|&byte| byte != 0) {
            return Err(DecodeErrorKind::TextAfterPadding { field }.at(offset + text_len + index));
        }
        String::from_utf8(text.to_vec()).map_err(|_| DecodeErrorKind::NotUtf8 { field }.at(offset))
    }
}

fn decode_uid(image: Image) -> Result<u32, DecodeError> {
    let uid_bytes: [u8; 4] = image.array(0)?;
    let expected = bcc(&uid_bytes);
    let found = image.u8(BCC_AT)?;
    if found != expected {
        return Err(DecodeErrorKind::Bcc { expected, found }.at(BCC_AT));
    }
    Ok(u32::from_le_bytes(uid_bytes))
}

struct Header {
    kind: CardKind,
    number: CardNumber,
    issued_on: Date,
    expires_on: Date,
}

fn decode_header(image: Image) -> Result<Header, DecodeError> {
    let magic: [u8; 4] = image.array(HEADER)?;
    if magic != MAGIC {
        return Err(DecodeErrorKind::Magic { found: magic }.at(HEADER));
    }
    let version = image.u8(HEADER + 4)?;
    if version != FORMAT_VERSION {
        return Err(DecodeErrorKind::Version {
            area: Area::Header,
            found: version,
        }
        .at(HEADER + 4));
    }
    image.check_seal(HEADER, HEADER_LEN, Area::Header)?;
    let kind = match image.u8(HEADER + 5)? {
        1 => CardKind::Anonymous,
        2 => CardKind::Personal,
        3 => CardKind::Disposable,
        value => {
            return Err(DecodeErrorKind::InvalidCode {
                field: "card kind",
                value,
            }
            .at(HEADER + 5));
        }
    };
    image.check_reserved(HEADER + 6, 2, Area::Header)?;
    image.check_reserved(HEADER + 20, 8, Area::Header)?;
    let raw_number = image.u64(HEADER + 8)?;
    let number = CardNumber::new(raw_number).ok_or_else(|| {
        DecodeErrorKind::OutOfRange {
            field: "card number",
            value: raw_number,
            max: CardNumber::MAX,
        }
        .at(HEADER + 8)
    })?;
    Ok(Header {
        kind,
        number,
        issued_on: image.date(HEADER + 16, "issued on")?,
        expires_on: image.date(HEADER + 18, "expires on")?,
    })
}

fn decode_holder(image: Image) -> Result<Option<Holder>, DecodeError> {
    if image.is_blank(HOLDER, HOLDER_LEN)? {
        return Ok(None);
    }
    image.check_seal(HOLDER, HOLDER_LEN, Area::Holder)?;
    let tag = image.u8(HOLDER)?;
    if tag != 1 {
        return Err(DecodeErrorKind::InvalidCode {
            field: "holder tag",
            value: tag,
        }
        .at(HOLDER));
    }
    let name_len = image.u8(HOLDER + 1)?;
    if usize::from(name_len) > HOLDER_NAME_MAX {
        return Err(DecodeErrorKind::OutOfRange {
            field: "holder name length",
            value: u64::from(name_len),
            max: HOLDER_NAME_MAX as u64,
        }
        .at(HOLDER + 1));
    }
    let name_len = usize::from(name_len);
    let name_at = HOLDER + 4;
    let name = std::str::from_utf8(image.slice(name_at, name_len)?).map_err(|error| {
        DecodeErrorKind::NotUtf8 {
            field: "holder name",
        }
        .at(name_at + error.valid_up_to())
    })?;
    image.check_reserved(name_at + name_len, HOLDER_NAME_MAX - name_len, Area::Holder)?;
    image.check_reserved(HOLDER + 36, 8, Area::Holder)?;
    Ok(Some(Holder {
        birth_date: image.date(HOLDER + 2, "birth date")?,
        name: name.to_string(),
    }))
}

fn decode_products(image: Image) -> Result<Vec<ProductSlot>, DecodeError> {
    let mut products = Vec::new();
    for slot in 0..PRODUCT_SLOTS {
        let base = PRODUCTS + slot * PRODUCT_STRIDE;
        if !image.is_blank(base, PRODUCT_LEN)? {
            products.push(decode_product(image, base, Area::Product(slot))?);
        }
    }
    Ok(products)
}

fn decode_product(image: Image, base: usize, area: Area) -> Result<ProductSlot, DecodeError> {
    image.check_seal(base, PRODUCT_LEN, area)?;
    let route = match image.u8(base)? {
        1 => {
            image.check_reserved(base + 20, 2 * STATION_CODE_MAX, area)?;
            None
        }
        2 => Some([
            image.ascii(base + 20, STATION_CODE_MAX, "product route station")?,
            image.ascii(base + 28, STATION_CODE_MAX, "product route station")?,
        ]),
        value => {
            return Err(DecodeErrorKind::InvalidCode {
                field: "product tag",
                value,
            }
            .at(base));
        }
    };
    image.check_reserved(base + 36, 8, area)?;
    Ok(ProductSlot {
        code: image.ascii(base + 1, PRODUCT_CODE_MAX, "product code")?,
        valid_from: image.date(base + 16, "product valid from")?,
        valid_until: image.date(base + 18, "product valid until")?,
        route,
    })
}

/// One decoded, sane purse copy.
struct PurseCopy {
    area: Area,
    base: usize,
    generation: u32,
    counter: u32,
    balance: Cents,
    auto_reload: Option<Cents>,
    rail_activated: bool,
    blocked: bool,
    travel_class: u8,
    special: SpecialSetting,
    log_head: usize,
    log_count: u8,
    check_in: Option<u8>,
    log_digest: u32,
}

/// The current purse copy: the valid one with the newer generation. A copy that was never
/// written is no candidate, so when only one copy was written its own error is reported.
fn current_purse(image: Image) -> Result<PurseCopy, DecodeError> {
    let a = decode_purse_copy(image, Area::PurseA);
    let b = decode_purse_copy(image, Area::PurseB);
    match (a, b) {
        (Ok(a), Ok(b)) => Ok(if is_newer(b.generation, a.generation) {
            b
        } else {
            a
        }),
        (Ok(copy), Err(_)) | (Err(_), Ok(copy)) => Ok(copy),
        (Err(a), Err(b)) => Err(match (&a.kind, &b.kind) {
            (_, DecodeErrorKind::Blank { .. }) => a,
            (DecodeErrorKind::Blank { .. }, _) => b,
            _ => DecodeErrorKind::NoValidPurse {
                a: Box::new(a),
                b: Box::new(b),
            }
            .at(PURSE_A),
        }),
    }
}

impl PurseCopy {
    fn log_window(&self) -> LogWindow {
        LogWindow {
            head: self.log_head,
            count: usize::from(self.log_count),
        }
    }
}

fn decode_purse_copy(image: Image, area: Area) -> Result<PurseCopy, DecodeError> {
    let base = purse_offset(area);
    if image.is_blank(base, PURSE_LEN)? {
        return Err(DecodeErrorKind::Blank { area }.at(base));
    }
    let version = image.u8(base)?;
    if version != FORMAT_VERSION {
        return Err(DecodeErrorKind::Version {
            area,
            found: version,
        }
        .at(base));
    }
    image.check_seal(base, PURSE_LEN, area)?;
    let flags = image.u8(base + 1)?;
    if flags & !(FLAG_RAIL_ACTIVATED | FLAG_BLOCKED) != 0 {
        return Err(DecodeErrorKind::InvalidCode {
            field: "purse flags",
            value: flags,
        }
        .at(base + 1));
    }
    let special = match image.u8(base + 2)? {
        0 => SpecialSetting::None,
        1 => SpecialSetting::FirstClass,
        2 => SpecialSetting::GroupDiscount,
        value => {
            return Err(DecodeErrorKind::InvalidCode {
                field: "special setting",
                value,
            }
            .at(base + 2));
        }
    };
    let travel_class = image.u8(base + 3)?;
    if !matches!(travel_class, 1 | 2) {
        return Err(DecodeErrorKind::InvalidCode {
            field: "travel class",
            value: travel_class,
        }
        .at(base + 3));
    }
    let window = read_log_window(image, base)?;
    // At most LOG_CAPACITY: read_log_window checked it.
    let log_count = window.count as u8;
    let check_in = match image.u8(base + 20)? {
        NO_CHECK_IN => None,
        index if index < log_count => Some(index),
        index => {
            return Err(DecodeErrorKind::CheckInNotInLog {
                index,
                count: log_count,
            }
            .at(base + 20));
        }
    };
    image.check_reserved(base + 21, 3, area)?;
    let auto_reload = image.u16(base + 16)?;
    Ok(PurseCopy {
        area,
        base,
        generation: image.u32(base + 4)?,
        counter: image.u32(base + 8)?,
        balance: Cents::new(i64::from(image.i32(base + 12)?)),
        auto_reload: (auto_reload != 0).then(|| Cents::new(i64::from(auto_reload))),
        rail_activated: flags & FLAG_RAIL_ACTIVATED != 0,
        blocked: flags & FLAG_BLOCKED != 0,
        travel_class,
        special,
        log_head: window.head,
        log_count,
        check_in,
        log_digest: image.u32(base + PURSE_DIGEST_AT)?,
    })
}

/// A purse copy's log head and count, checked against the ring.
fn read_log_window(image: Image, base: usize) -> Result<LogWindow, DecodeError> {
    let head = image.u8(base + 18)?;
    if usize::from(head) >= LOG_SLOTS {
        return Err(DecodeErrorKind::OutOfRange {
            field: "log head",
            value: u64::from(head),
            max: LOG_SLOTS as u64 - 1,
        }
        .at(base + 18));
    }
    let count = image.u8(base + 19)?;
    if usize::from(count) > LOG_CAPACITY {
        return Err(DecodeErrorKind::OutOfRange {
            field: "log count",
            value: u64::from(count),
            max: LOG_CAPACITY as u64,
        }
        .at(base + 19));
    }
    Ok(LogWindow {
        head: usize::from(head),
        count: usize::from(count),
    })
}

/// The log entries `copy` refers to, oldest first, checked slot by slot and then as a whole
/// against the copy's digest.
fn decode_log(image: Image, copy: &PurseCopy) -> Result<Vec<LogEntry>, DecodeError> {
    let window = copy.log_window();
    let log = window
        .slots()
        .map(|slot| decode_log_entry(image, log_slot_offset(slot), Area::LogSlot(slot)))
        .collect::<Result<Vec<_>, _>>()?;
    let computed = window.digest(image.bytes);
    if computed != copy.log_digest {
        return Err(DecodeErrorKind::LogDigest {
            area: copy.area,
            stored: copy.log_digest,
            computed,
        }
        .at(copy.base + PURSE_DIGEST_AT));
    }
    Ok(log)
}

fn decode_log_entry(image: Image, base: usize, area: Area) -> Result<LogEntry, DecodeError> {
    let stored = image.u8(base + LOG_SLOT_LEN - 1)?;
    let computed = crc8(image.slice(base, LOG_SLOT_LEN - 1)?);
    if stored != computed {
        return Err(DecodeErrorKind::Checksum {
            area,
            stored: u32::from(stored),
            computed: u32::from(computed),
        }
        .at(base));
    }
    let codes = image.u8(base)?;
    let kind = match codes & 0x0F {
        1 => LogKind::CheckIn,
        2 => LogKind::CheckOut,
        3 => LogKind::MissingCheckOut,
        4 => LogKind::Load,
        5 => LogKind::AutoReload,
        6 => LogKind::ProductLoad,
        7 => LogKind::Blocked,
        value => {
            return Err(DecodeErrorKind::InvalidCode {
                field: "log kind",
                value,
            }
            .at(base));
        }
    };
    let mode = match codes >> 4 {
        0 => None,
        1 => Some(Mode::Train),
        2 => Some(Mode::Bus),
        3 => Some(Mode::Tram),
        4 => Some(Mode::Metro),
        5 => Some(Mode::Ferry),
        value => {
            return Err(DecodeErrorKind::InvalidCode {
                field: "log mode",
                value,
            }
            .at(base));
        }
    };
    let second = image.u32(base + 1)?;
    let at = Timestamp::from_second(TIMESTAMP_EPOCH_SECOND + i64::from(second)).map_err(|_| {
        DecodeErrorKind::OutOfRange {
            field: "log time",
            value: u64::from(second),
            max: u64::from(u32::MAX),
        }
        .at(base + 1)
    })?;
    Ok(LogEntry {
        kind,
        at,
        operator: image.ascii(base + 5, OPERATOR_CODE_MAX, "log operator")?,
        mode,
        station: image.ascii(base + 11, STATION_CODE_MAX, "log station")?,
        device: image.u32(base + 19)?,
        amount: Cents::new(i64::from(image.i32(base + 23)?)),
        balance_after: Cents::new(i64::from(image.i32(base + 27)?)),
    })
}
