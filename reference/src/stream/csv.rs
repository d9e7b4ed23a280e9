//! The CSV form of a tap stream: for interchange (spreadsheets, SQL engines).
//!
//! ```text
//! #ovcert-taps,v1,seed=42,max_lateness_s=14400
//! tap_id,at,operator,mode,station,device,device_kind,vehicle,card_type,card,pan_sequence,expiry,kind,charged_cents,balance_after_cents
//! #card,3528010000000007,personal,1960-03-01,65PLUS@2024-09-24@2025-09-24
//! NS-10012-00000001,2024-10-24T07:31:05+02:00,NS,train,ASD,10012,gate,,ov-chipkaart,3528010000000007,,,check-in,0,
//! GVB-501234-00000002,2024-10-24T07:40:00+02:00,GVB,tram,ASDCS,501234,on-board,tram-1234,emv,5413330000000123,0,2812,emv,0,
//! ```
//!
//! - Line 1 is the header (format version, seed, maximum lateness in seconds); line 2 names
//!   the columns. Every later line is a tap, or a card profile starting with `#card` (a
//!   comment to CSV tools, so they read the taps as one table).
//! - `at` is RFC 3339 with the offset in force in Amsterdam (`+01:00` or `+02:00`, or `Z`),
//!   so the DST night's repeated hour stays unambiguous; one-second resolution.
//! - `card` is the 16-digit OV-chipkaart number (`card_type` `ov-chipkaart`) or the bank
//!   card's PAN (`emv`, with `pan_sequence` and `expiry` YYMM): PAN data in the clear, as
//!   readers deliver them; the back office tokenises them at ingest (EMV-01).
//! - `device_kind`: `pole`, `gate`, `on-board`; `kind`: `check-in`, `check-out`,
//!   `missing-check-out`, `refused`, `emv`; `vehicle` and `balance_after_cents` may be empty.
//! - A card profile: number, kind (`anonymous`, `personal`, `disposable`), birth date
//!   (YYYY-MM-DD or empty), products separated by `;`, each `CODE@VALID_FROM@VALID_UNTIL`
//!   with `@FROM>TO` for a fixed route.
//!
//! No field may contain a comma, a quote or a line break (the encoder refuses them), so no
//! quoting is needed.

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::civil::Date;

use super::{
    CARD_KINDS, DEVICE_KINDS, DecodedRecord, DecodedTap, OwnReaders, ReaderTable, Record,
    StreamError, StreamHeader, TAP_KINDS, card_kind_str, device_kind_str, tap_kind_str,
};
use crate::backoffice::CardProfile;
use crate::card::{CardNumber, ProductSlot};
use crate::money::Cents;
use crate::rules::Mode;
use crate::tap::{CardIdentity, ReaderRef, TapAmounts, TapId, TapMessage};

/// The column header (line 2).
pub const COLUMNS: &str = "tap_id,at,operator,mode,station,device,device_kind,vehicle,card_type,card,pan_sequence,expiry,kind,charged_cents,balance_after_cents";

const HEADER_PREFIX: &str = "#ovcert-taps,v1,";
const CARD_PREFIX: &str = "#card,";

/// The first two lines, each with its line break.
pub fn encode_header(header: &StreamHeader) -> String {
    format!(
        "{HEADER_PREFIX}seed={},max_lateness_s={}\n{COLUMNS}\n",
        header.seed, header.max_lateness_s
    )
}

/// Appends one record as a line (with its line break).
pub fn encode(record: &Record, out: &mut String) -> Result<(), StreamError> {
    let start = out.len();
    match record {
        Record::Card { number, profile } => encode_card(*number, profile, out),
        Record::Tap(tap) => encode_tap(tap, out),
    }
    let line = &out[start..];
    if line.contains(['"', '\n', '\r']) || field_count(record, line) {
        let reason = format!("a field contains a comma, quote or line break: {line:?}");
        out.truncate(start);
        return Err(StreamError::Encode { reason });
    }
    out.push('\n');
    Ok(())
}

/// Whether a line has more fields than its record type (a comma inside a field).
fn field_count(record: &Record, line: &str) -> bool {
    let expected = match record {
        Record::Card { .. } => 5,
        Record::Tap(_) => 15,
    };
    line.split(',').count() != expected
}

fn encode_card(number: CardNumber, profile: &CardProfile, out: &mut String) {
    let birth = profile
        .birth_date
        .map(|d| d.to_string())
        .unwrap_or_default();
    let _ = write!(
        out,
        "{CARD_PREFIX}{:016},{},{birth},",
        number.get(),
        card_kind_str(profile.kind)
    );
    for (i, p) in profile.products.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let _ = write!(out, "{}@{}@{}", p.code, p.valid_from, p.valid_until);
        if let Some([from, to]) = &p.route {
            let _ = write!(out, "@{from}>{to}");
        }
    }
}

fn encode_tap(tap: &TapMessage, out: &mut String) {
    let r = &tap.reader;
    let _ = write!(
        out,
        "{},{},{},{},{},{},{},{},",
        tap.tap_id.0,
        local_rfc3339(tap.at),
        r.operator,
        r.mode.as_str(),
        r.station,
        r.device,
        device_kind_str(r.device_kind),
        r.vehicle.as_deref().unwrap_or("")
    );
    match &tap.card {
        CardIdentity::OvChipkaart { number } => {
            let _ = write!(out, "ov-chipkaart,{:016},,,", number.get());
        }
        CardIdentity::Emv {
            pan,
            pan_sequence,
            expiry,
        } => {
            let _ = write!(out, "emv,{pan},{pan_sequence},{expiry},");
        }
    }
    let _ = write!(
        out,
        "{},{},",
        tap_kind_str(tap.kind),
        tap.amounts.charged_cents.get()
    );
    if let Some(balance) = tap.amounts.balance_after_cents {
        let _ = write!(out, "{}", balance.get());
    }
}

/// RFC 3339 with Amsterdam's offset at that instant.
pub fn local_rfc3339(at: Timestamp) -> String {
    crate::time::local(at)
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Reads a stream line by line. Line numbers count from 1.
#[derive(Debug, Default)]
pub struct Decoder {
    line: u64,
    header: Option<StreamHeader>,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// The header, once line 1 was read.
    pub fn header(&self) -> Option<StreamHeader> {
        self.header
    }

    /// `bytes`, the lines that come next, as text: all of them, or those before the first
    /// line that is not UTF-8 with the error that names it (the line [`Self::line`] would
    /// be given next is line 1 of `bytes`). Checking a block of lines at once spares a copy
    /// of every line.
    pub fn text<'b>(&self, bytes: &'b [u8]) -> (&'b str, Result<(), StreamError>) {
        match std::str::from_utf8(bytes) {
            Ok(text) => (text, Ok(())),
            Err(e) => {
                let valid = &bytes[..e.valid_up_to()];
                let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
                let breaks = valid[..line_start].iter().filter(|b| **b == b'\n').count();
                let error = StreamError::Csv {
                    line: self.line + breaks as u64 + 1,
                    reason: format!(
                        "not UTF-8 text (byte {} of the line)",
                        e.valid_up_to() - line_start + 1
                    ),
                };
                // Checked as UTF-8 up to `valid_up_to`, and a line break ends a character.
                let lines = std::str::from_utf8(&bytes[..line_start]).unwrap_or_default();
                (lines, Err(error))
            }
        }
    }

    /// Decodes the next line (without its line break; a trailing `\r` is ignored). Lines 1
    /// and 2 give no record; nor does an empty last line.
    pub fn line(&mut self, text: &str) -> Result<Option<Record>, StreamError> {
        Ok(self.line_with(text, &mut OwnReaders)?.map(Record::from))
    }

    /// As [`Self::line`], with each tap's reader from `readers`.
    pub fn line_with<T: ReaderTable>(
        &mut self,
        text: &str,
        readers: &mut T,
    ) -> Result<Option<DecodedRecord<T::Reader>>, StreamError> {
        self.line += 1;
        let text = text.strip_suffix('\r').unwrap_or(text);
        let fail = |reason: String| StreamError::Csv {
            line: self.line,
            reason,
        };
        match self.line {
            1 => {
                self.header = Some(parse_header(text).map_err(fail)?);
                Ok(None)
            }
            2 if text == COLUMNS => Ok(None),
            2 => Err(fail(format!("expected the column header `{COLUMNS}`"))),
            _ if text.is_empty() => Ok(None),
            _ => match text.strip_prefix(CARD_PREFIX) {
                Some(card) => parse_card(card).map(Some).map_err(fail),
                None => parse_tap(text, readers)
                    .map(|t| Some(DecodedRecord::Tap(t)))
                    .map_err(fail),
            },
        }
    }
}

fn parse_header(text: &str) -> Result<StreamHeader, String> {
    let rest = text
        .strip_prefix(HEADER_PREFIX)
        .ok_or_else(|| format!("expected a header starting `{HEADER_PREFIX}`"))?;
    let mut seed = None;
    let mut lateness = None;
    for field in rest.split(',') {
        match field.split_once('=') {
            Some(("seed", v)) => seed = v.parse::<u64>().ok(),
            Some(("max_lateness_s", v)) => lateness = v.parse::<u32>().ok(),
            _ => return Err(format!("unknown header field `{field}`")),
        }
    }
    Ok(StreamHeader {
        seed: seed.ok_or("header: seed missing or not a number")?,
        max_lateness_s: lateness.ok_or("header: max_lateness_s missing or not a number")?,
    })
}

fn parse_card<R>(text: &str) -> Result<DecodedRecord<R>, String> {
    let fields: Vec<&str> = text.split(',').collect();
    let [number, kind, birth, products] = fields[..] else {
        return Err(format!(
            "a card profile has 4 fields after `#card`, found {}",
            fields.len()
        ));
    };
    let number = CardNumber::parse(number).ok_or("card: not a 16-digit card number")?;
    let kind = CARD_KINDS
        .into_iter()
        .find(|k| card_kind_str(*k) == kind)
        .ok_or_else(|| format!("card: unknown kind `{kind}`"))?;
    let birth_date = match birth {
        "" => None,
        text => Some(parse_date(text)?),
    };
    let mut slots = Vec::new();
    for product in products.split(';').filter(|p| !p.is_empty()) {
        let parts: Vec<&str> = product.split('@').collect();
        let (code, from, until, route) = match parts[..] {
            [code, from, until] => (code, from, until, None),
            [code, from, until, route] => {
                let (a, b) = route
                    .split_once('>')
                    .ok_or("product route: expected FROM>TO")?;
                (code, from, until, Some([a.to_string(), b.to_string()]))
            }
            _ => return Err(format!("product `{product}`: expected CODE@FROM@UNTIL")),
        };
        slots.push(ProductSlot {
            code: code.to_string(),
            valid_from: parse_date(from)?,
            valid_until: parse_date(until)?,
            route,
        });
    }
    Ok(DecodedRecord::Card {
        number,
        profile: CardProfile {
            kind,
            birth_date,
            products: slots,
        },
    })
}

fn parse_date(text: &str) -> Result<Date, String> {
    text.parse::<Date>()
        .map_err(|_| format!("`{text}` is not a date YYYY-MM-DD"))
}

/// The column names, in order.
const NAMES: [&str; 15] = [
    "tap_id",
    "at",
    "operator",
    "mode",
    "station",
    "device",
    "device_kind",
    "vehicle",
    "card_type",
    "card",
    "pan_sequence",
    "expiry",
    "kind",
    "charged_cents",
    "balance_after_cents",
];

/// The columns that name the reader: `operator` up to `vehicle`, next to each other.
const READER_COLUMNS: std::ops::RangeInclusive<usize> = 2..=7;

fn parse_tap<T: ReaderTable>(text: &str, readers: &mut T) -> Result<DecodedTap<T::Reader>, String> {
    // Where each field starts, and one past the end of the last (as if a comma followed).
    let mut starts = [0_usize; 16];
    let mut found = 1;
    for (i, byte) in text.bytes().enumerate() {
        if byte == b',' {
            if found == NAMES.len() {
                return Err("too many fields (expected 15)".into());
            }
            starts[found] = i + 1;
            found += 1;
        }
    }
    if let Some(name) = NAMES.get(found) {
        return Err(format!("too few fields: `{name}` missing"));
    }
    starts[NAMES.len()] = text.len() + 1;
    let field = |i: usize| &text[starts[i]..starts[i + 1] - 1];
    let [
        tap_id,
        at,
        operator,
        _,
        station,
        _,
        _,
        _,
        card_type,
        card,
        pan_sequence,
        expiry,
        kind,
        charged,
        balance,
    ] = std::array::from_fn(field);
    if tap_id.is_empty() || operator.is_empty() || station.is_empty() {
        return Err("tap_id, operator and station must not be empty".into());
    }
    let card = match card_type {
        "ov-chipkaart" => CardIdentity::OvChipkaart {
            number: CardNumber::parse(card).ok_or("card: not a 16-digit card number")?,
        },
        // The PAN is not repeated in errors.
        "emv" => CardIdentity::Emv {
            pan: card.to_string(),
            pan_sequence: pan_sequence
                .parse()
                .map_err(|_| "pan_sequence: not a number 0..=255")?,
            expiry: expiry.to_string(),
        },
        other => return Err(format!("card_type `{other}`: expected ov-chipkaart or emv")),
    };
    let encoded_reader =
        &text.as_bytes()[starts[*READER_COLUMNS.start()]..starts[READER_COLUMNS.end() + 1] - 1];
    let reader = readers.reader(encoded_reader, || {
        parse_reader(std::array::from_fn(|i| field(READER_COLUMNS.start() + i)))
    })?;
    Ok(DecodedTap {
        tap_id: TapId(tap_id.into()),
        reader,
        at: parse_rfc3339(at).ok_or_else(|| format!("at `{at}`: expected RFC 3339 with offset"))?,
        card,
        kind: TAP_KINDS
            .into_iter()
            .find(|k| tap_kind_str(*k) == kind)
            .ok_or_else(|| format!("kind `{kind}` unknown"))?,
        amounts: TapAmounts {
            charged_cents: Cents::new(
                charged
                    .parse()
                    .map_err(|_| format!("charged_cents `{charged}`: not a number"))?,
            ),
            balance_after_cents: match balance {
                "" => None,
                b => Some(Cents::new(b.parse().map_err(|_| {
                    format!("balance_after_cents `{b}`: not a number")
                })?)),
            },
        },
    })
}

/// The reader columns (`operator` up to `vehicle`).
fn parse_reader(
    [operator, mode, station, device, device_kind, vehicle]: [&str; 6],
) -> Result<ReaderRef, String> {
    Ok(ReaderRef {
        operator: operator.into(),
        mode: Mode::parse(mode).ok_or_else(|| format!("mode `{mode}` unknown"))?,
        station: station.into(),
        device: device
            .parse()
            .map_err(|_| format!("device `{device}`: not a number"))?,
        device_kind: DEVICE_KINDS
            .into_iter()
            .find(|k| device_kind_str(*k) == device_kind)
            .ok_or_else(|| format!("device_kind `{device_kind}` unknown"))?,
        vehicle: (!vehicle.is_empty()).then(|| vehicle.into()),
    })
}

/// `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `±HH:MM`, without a time-zone database: the
/// hot path of reading CSV streams.
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        digits.iter().try_fold(0_i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let offset_s = match &b[19..] {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (num(20..22)?, num(23..25)?);
            if h > 23 || m > 59 {
                return None;
            }
            let s = h * 3600 + m * 60;
            if *sign == b'-' { -s } else { s }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let local_s = days * 86_400 + hour * 3600 + minute * 60 + second;
    Timestamp::from_second(local_s - offset_s).ok()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_names_the_first_line_that_is_not_utf8() {
        let mut decoder = Decoder::new();
        let (text, checked) = decoder.text(b"#a\nb\n");
        assert_eq!((text, checked.is_ok()), ("#a\nb\n", true));
        decoder.line = 2;
        let (text, checked) = decoder.text(b"first\nsecond\nthi\xC3rd\n\xFF\n");
        assert_eq!(text, "first\nsecond\n");
        assert_eq!(
            checked.map_err(|e| e.to_string()),
            Err("line 5: not UTF-8 text (byte 4 of the line)".into())
        );
        let (text, checked) = decoder.text(b"\xFFx\n");
        assert_eq!(text, "");
        assert_eq!(
            checked.map_err(|e| e.to_string()),
            Err("line 3: not UTF-8 text (byte 1 of the line)".into())
        );
    }

    #[test]
    fn rfc3339_agrees_with_jiff_across_the_dst_night() {
        for text in [
            "2024-10-27T02:30:00+02:00",
            "2024-10-27T02:30:00+01:00",
            "2024-03-31T03:00:00+02:00",
            "2000-02-29T23:59:59Z",
            "1970-01-01T00:00:00Z",
        ] {
            let expected: Timestamp = text.parse().unwrap();
            assert_eq!(parse_rfc3339(text), Some(expected), "{text}");
        }
        for bad in [
            "2024-02-30T00:00:00Z",
            "2024-10-27T24:00:00Z",
            "2024-10-27 02:30:00Z",
            "2024-10-27T02:30:00",
            "2024-10-27T02:30:00+0200",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
