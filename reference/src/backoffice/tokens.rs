//! The token vault for OVpay bank cards (EMV-01, EMV-02, EMV-17): PANs become keyed-hash
//! tokens at once, each operator sees its own token per card, and the PAN itself is held
//! at most the retention period after the tap that brought it.
//!
//! # Which PAN data identify "a card" (EMV-01)
//!
//! A [`CardToken`] is HMAC-SHA256 over the **PAN and the PAN sequence number**; the expiry
//! date is not part of it. That is the identity EMV itself uses: the issuer derives a card's
//! own keys from PAN ‖ PAN sequence number (EMV Book 2, master-key derivation), so two chips
//! that share a PAN but differ in sequence number are different cards to the bank as well.
//! Consequences:
//! - a *renewed* card (same PAN, same sequence number, new expiry) keeps its token, so its
//!   journeys, open debt (EMV-12) and deny-list status (EMV-05) carry over;
//! - a *replacement* card (new sequence number, e.g. after loss or damage) is a new card,
//!   so a deny-list entry for the lost card does not block its successor;
//! - an issuer that renews with a new sequence number produces a new token, exactly as the
//!   bank would treat it as a new card.
//!
//! # Keys and domain separation
//!
//! One 32-byte vault key feeds two HMAC uses, each with its own NUL-terminated label, so a
//! card token can never equal an operator token by construction:
//! - card token: `HMAC(key, "ovcert/EMV-01/card-token/v1\0" ‖ PAN digits ‖ "\0" ‖ seq byte)`
//!   → `"ct-"` + first 16 bytes in lowercase hex. The PAN is digits only, so the NUL
//!   separator is unambiguous.
//! - operator token (EMV-02): `HMAC(key, "ovcert/EMV-02/operator-token/v1\0" ‖ len(operator)
//!   as u64 big-endian ‖ operator ‖ card token text)` → `"ot-"` + first 16 bytes hex. The
//!   length prefix keeps operator ids of any content apart.
//!
//! Both are deterministic for a given key, so a back office restarted with the same key
//! reproduces every token (same input → byte-identical reports).
//!
//! # Retention (EMV-17)
//!
//! "Tap data with PAN are kept at most 24 h." The vault keeps one PAN entry per card: the
//! copy from the card's latest tap. Each tap's copy is therefore kept at most the retention
//! period after that tap — an earlier tap's copy is replaced by a later one, never extended.
//! An entry is expired when `now − tapped_at ≥ retention` ("at most 24 h" means that at
//! exactly 24 h it is gone): [`TokenVault::pan_of`] stops returning it at that instant even
//! before [`TokenVault::purge`] removes it. Durations are real elapsed time, so across a DST
//! night 24 h is still 24 h, not "the same clock time tomorrow".
//!
//! # Surrogate PANs
//!
//! A server that journals its requests must erase PANs from the journal when the retention
//! period ends, yet replay the journal into exactly the same state. It replaces each PAN by
//! a *surrogate*: a digit string of the same length, starting with `0` (MII 0 is never given
//! to a card issuer, so no real PAN starts with it), registered with [`TokenVault::alias`]
//! as standing for the card's token. A replayed request that names the surrogate then
//! reaches the same card as the original did, and the PAN itself is nowhere.
//!
//! Nothing here reveals a PAN by accident: [`PanData`] has no `Serialize` and a masking
//! `Debug`, errors never echo the input, and [`TokenVault`]'s `Debug` shows neither the key
//! nor any PAN.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, KeyInit, Mac};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// EMV-17's figure, the value of `ovpay.pan_retention_h` in the `nl-2024` rule set. A vault
/// built from a rule set takes the rule set's value through [`TokenVault::with_retention`].
pub const DEFAULT_PAN_RETENTION: SignedDuration = SignedDuration::from_hours(24);

/// ISO/IEC 7812: a PAN has 12 to 19 digits.
pub const PAN_DIGITS_MIN: usize = 12;
pub const PAN_DIGITS_MAX: usize = 19;
/// EMV tag 5F34 is two BCD digits.
pub const PAN_SEQUENCE_MAX: u8 = 99;

/// Bytes of the HMAC output kept in a token's text (128 bits: collisions are negligible).
const TOKEN_BYTES: usize = 16;
const CARD_TOKEN_PREFIX: &str = "ct-";
const OPERATOR_TOKEN_PREFIX: &str = "ot-";
const CARD_TOKEN_LABEL: &[u8] = b"ovcert/EMV-01/card-token/v1\0";
const OPERATOR_TOKEN_LABEL: &[u8] = b"ovcert/EMV-02/operator-token/v1\0";

type HmacSha256 = Hmac<Sha256>;

/// EMV-01: the pseudonym of one bank card (PAN + PAN sequence number), e.g.
/// `ct-0123456789abcdef0123456789abcdef`. It never contains the PAN.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("pattern" = "^ct-[0-9a-f]{32}$")))]
#[serde(try_from = "String", into = "String")]
pub struct CardToken(String);

impl CardToken {
    /// The token of a payment or refund read back from its serialised form, which carries
    /// no card (so a payment shown to a traveller or the service links to nothing else).
    pub fn withheld() -> CardToken {
        CardToken("ct-withheld".to_owned())
    }
}

/// EMV-02: one operator's identifier for a card, e.g. `ot-…`; another operator gets another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("pattern" = "^ot-[0-9a-f]{32}$")))]
#[serde(try_from = "String", into = "String")]
pub struct OperatorToken(String);

macro_rules! token_text {
    ($token:ident, $prefix:expr, $what:literal) => {
        impl $token {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $token {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $token {
            type Err = TokenTextError;

            /// Accepts only the vault's own form, so a PAN (or anything else) cannot be
            /// passed off as a token.
            fn from_str(text: &str) -> Result<Self, TokenTextError> {
                if is_token_text(text, $prefix) {
                    Ok(Self(text.to_owned()))
                } else {
                    Err(TokenTextError {
                        what: $what,
                        prefix: $prefix,
                    })
                }
            }
        }

        impl TryFrom<String> for $token {
            type Error = TokenTextError;

            fn try_from(text: String) -> Result<Self, TokenTextError> {
                text.parse()
            }
        }

        impl From<$token> for String {
            fn from(token: $token) -> String {
                token.0
            }
        }
    };
}

token_text!(CardToken, CARD_TOKEN_PREFIX, "card token");
token_text!(OperatorToken, OPERATOR_TOKEN_PREFIX, "operator token");

fn is_token_text(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix).is_some_and(|hex| {
        hex.len() == 2 * TOKEN_BYTES && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// The PAN data of one card's latest tap, held for what needs them (a later bank
/// authorisation). Deliberately not `Serialize`, so they cannot end up in a report; `Debug`
/// masks the PAN.
#[derive(Clone, PartialEq, Eq)]
pub struct PanData {
    /// 12–19 ASCII digits.
    pub pan: String,
    /// EMV tag 5F34, 0–99.
    pub pan_sequence: u8,
    /// "YYMM".
    pub expiry: String,
    /// The tap that brought these data; they expire `retention` after it (EMV-17).
    pub tapped_at: Timestamp,
}

impl fmt::Debug for PanData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PanData")
            .field("pan", &mask_pan(&self.pan))
            .field("pan_sequence", &self.pan_sequence)
            .field("expiry", &self.expiry)
            .field("tapped_at", &self.tapped_at)
            .finish()
    }
}

/// A PAN masked for logs as PCI DSS allows at most: the first 6 and last 4 digits visible,
/// the rest `*` ("5413330000000001" → "541333******0001"). Anything shorter than a PAN
/// (fewer than 12 characters) is masked completely, since 6 + 4 would show nearly all of it.
pub fn mask_pan(pan: &str) -> String {
    const HEAD: usize = 6;
    const TAIL: usize = 4;
    let len = pan.chars().count();
    if len < PAN_DIGITS_MIN {
        return "*".repeat(len);
    }
    pan.chars()
        .enumerate()
        .map(|(i, c)| if i < HEAD || i >= len - TAIL { c } else { '*' })
        .collect()
}

/// Why a PAN, sequence number or expiry was refused. Messages never repeat the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PanError {
    #[error("PAN: byte offset {offset} is not a digit 0-9 (a PAN is 12 to 19 digits)")]
    PanNotDigits { offset: usize },
    #[error("PAN: {digits} digits, but a PAN has 12 to 19 digits (ISO/IEC 7812)")]
    PanLength { digits: usize },
    #[error("PAN sequence number: {value} is above 99 (EMV tag 5F34 has two digits)")]
    PanSequence { value: u8 },
    #[error("expiry: {len} bytes, but an expiry is 4 digits YYMM")]
    ExpiryLength { len: usize },
    #[error("expiry: byte offset {offset} is not a digit 0-9 (an expiry is 4 digits YYMM)")]
    ExpiryNotDigits { offset: usize },
    #[error("expiry: month {month:02} is not a month 01-12 (an expiry is YYMM)")]
    ExpiryMonth { month: u8 },
}

/// Why a vault key was refused. Messages never repeat the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenKeyError {
    #[error("vault key: {len} bytes, but the key is 64 hex digits (32 bytes)")]
    Length { len: usize },
    #[error("vault key: byte offset {offset} is not a hex digit 0-9/a-f/A-F")]
    NotHex { offset: usize },
}

/// A text that is not a token of the expected kind (the text itself is not repeated: it
/// might be a PAN).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {what}: expected \"{prefix}\" and 32 lowercase hex digits")]
pub struct TokenTextError {
    what: &'static str,
    prefix: &'static str,
}

/// The back office's token vault: tokenises PANs (EMV-01), derives per-operator tokens
/// (EMV-02) and holds each card's latest PAN data for at most the retention period (EMV-17).
#[derive(Clone)]
pub struct TokenVault {
    /// The keyed HMAC state; cloned per token so the raw key is not kept.
    mac: HmacSha256,
    retention: SignedDuration,
    pans: BTreeMap<CardToken, PanData>,
    /// Surrogate PANs by PAN sequence number, each standing for a card token (see the
    /// module doc); empty unless a journal was replayed.
    aliases: BTreeMap<u8, BTreeMap<String, CardToken>>,
}

impl fmt::Debug for TokenVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenVault")
            .field("key", &"<secret>")
            .field("retention", &self.retention)
            .field("pans_held", &self.pans.len())
            .finish()
    }
}

impl TokenVault {
    /// A vault with the given key and the [`DEFAULT_PAN_RETENTION`].
    pub fn new(key: [u8; 32]) -> Self {
        let mac = HmacSha256::new_from_slice(&key).expect("HMAC accepts a key of any length");
        TokenVault {
            mac,
            retention: DEFAULT_PAN_RETENTION,
            pans: BTreeMap::new(),
            aliases: BTreeMap::new(),
        }
    }

    /// A vault from a key written as 64 hex digits (either case).
    pub fn from_hex(key_hex: &str) -> Result<Self, TokenKeyError> {
        let bytes = key_hex.as_bytes();
        if bytes.len() != 64 {
            return Err(TokenKeyError::Length { len: bytes.len() });
        }
        let mut key = [0_u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let high = hex_value(pair[0]).ok_or(TokenKeyError::NotHex { offset: 2 * i })?;
            let low = hex_value(pair[1]).ok_or(TokenKeyError::NotHex { offset: 2 * i + 1 })?;
            key[i] = (high << 4) | low;
        }
        Ok(Self::new(key))
    }

    /// EMV-17: hold PAN data this long after their tap; from the rule set,
    /// `SignedDuration::from_hours(rules.ovpay.pan_retention_h.into())`.
    pub fn with_retention(mut self, retention: SignedDuration) -> Self {
        assert!(
            retention.is_positive(),
            "PAN retention must be positive: {retention:?}"
        );
        self.retention = retention;
        self
    }

    pub fn retention(&self) -> SignedDuration {
        self.retention
    }

    /// EMV-01: pseudonymise a tapped card at once and hold its PAN data (EMV-17). Of several
    /// taps of one card the latest one's data are kept, whatever order they arrive in
    /// (TAP-08); a tap older than the held one changes nothing.
    pub fn tokenize(
        &mut self,
        pan: &str,
        pan_sequence: u8,
        expiry: &str,
        tapped_at: Timestamp,
    ) -> Result<CardToken, PanError> {
        let token = self.token_of(pan, pan_sequence)?;
        validate_expiry(expiry)?;
        let data = PanData {
            pan: pan.to_owned(),
            pan_sequence,
            expiry: expiry.to_owned(),
            tapped_at,
        };
        match self.pans.get_mut(&token) {
            // Ties on the tap time are broken on the expiry, so arrival order never matters.
            Some(held) if (held.tapped_at, held.expiry.as_str()) >= (tapped_at, expiry) => {}
            Some(held) => *held = data,
            None => {
                self.pans.insert(token.clone(), data);
            }
        }
        Ok(token)
    }

    /// EMV-01: the token of a card, without holding its PAN.
    pub fn token_of(&self, pan: &str, pan_sequence: u8) -> Result<CardToken, PanError> {
        validate_pan(pan)?;
        if pan_sequence > PAN_SEQUENCE_MAX {
            return Err(PanError::PanSequence {
                value: pan_sequence,
            });
        }
        if let Some(token) = self.alias_of(pan, pan_sequence) {
            return Ok(token.clone());
        }
        let mut mac = self.mac.clone();
        mac.update(CARD_TOKEN_LABEL);
        mac.update(pan.as_bytes());
        mac.update(&[0, pan_sequence]);
        Ok(CardToken(token_text(CARD_TOKEN_PREFIX, mac)))
    }

    /// Registers `surrogate` (a well-formed PAN starting with `0`) as standing for the card
    /// `token` under `pan_sequence`: from now on it tokenises to `token` (see the module doc).
    /// A surrogate already standing for another card is refused (`false`).
    pub fn alias(&mut self, surrogate: &str, pan_sequence: u8, token: CardToken) -> bool {
        if validate_pan(surrogate).is_err()
            || !surrogate.starts_with('0')
            || pan_sequence > PAN_SEQUENCE_MAX
        {
            return false;
        }
        let by_pan = self.aliases.entry(pan_sequence).or_default();
        match by_pan.get(surrogate) {
            Some(known) => *known == token,
            None => {
                by_pan.insert(surrogate.to_owned(), token);
                true
            }
        }
    }

    /// The card a surrogate PAN stands for, if it is one.
    pub fn alias_of(&self, surrogate: &str, pan_sequence: u8) -> Option<&CardToken> {
        self.aliases.get(&pan_sequence)?.get(surrogate)
    }

    /// EMV-02: the operator's own identifier for a card; the same for the same operator and
    /// card, unrelated between operators.
    pub fn operator_token(&self, card: &CardToken, operator: &str) -> OperatorToken {
        let mut mac = self.mac.clone();
        mac.update(OPERATOR_TOKEN_LABEL);
        mac.update(&(operator.len() as u64).to_be_bytes());
        mac.update(operator.as_bytes());
        mac.update(card.as_str().as_bytes());
        OperatorToken(token_text(OPERATOR_TOKEN_PREFIX, mac))
    }

    /// EMV-17: remove every PAN entry whose tap is at least the retention period before
    /// `now`; returns how many were removed.
    pub fn purge(&mut self, now: Timestamp) -> usize {
        let before = self.pans.len();
        let retention = self.retention;
        self.pans
            .retain(|_, data| !is_expired(data, now, retention));
        before - self.pans.len()
    }

    /// The PAN data held for a card, or `None` if none are held or they have expired by
    /// `now` (even if [`purge`](Self::purge) has not run yet).
    pub fn pan_of(&self, card: &CardToken, now: Timestamp) -> Option<&PanData> {
        self.pans
            .get(card)
            .filter(|data| !is_expired(data, now, self.retention))
    }

    /// How many PAN entries are held, expired or not (until [`purge`](Self::purge)).
    pub fn pans_held(&self) -> usize {
        self.pans.len()
    }

    /// Checks the vault's invariants; panics on a violation (a programmer error): every
    /// held entry is valid and filed under its own card's token.
    pub fn invariants(&self) {
        for (token, data) in &self.pans {
            let recomputed = self.token_of(&data.pan, data.pan_sequence);
            assert_eq!(
                recomputed.as_ref(),
                Ok(token),
                "PAN entry filed under another token"
            );
            assert_eq!(
                validate_expiry(&data.expiry),
                Ok(()),
                "held expiry is invalid"
            );
        }
    }
}

/// EMV-17: "kept at most `retention`" ⇒ gone once `now − tapped_at ≥ retention`.
fn is_expired(data: &PanData, now: Timestamp, retention: SignedDuration) -> bool {
    now.duration_since(data.tapped_at) >= retention
}

fn validate_pan(pan: &str) -> Result<(), PanError> {
    if let Some(offset) = pan.bytes().position(|b| !b.is_ascii_digit()) {
        return Err(PanError::PanNotDigits { offset });
    }
    let digits = pan.len();
    if !(PAN_DIGITS_MIN..=PAN_DIGITS_MAX).contains(&digits) {
        return Err(PanError::PanLength { digits });
    }
    Ok(())
}

fn validate_expiry(expiry: &str) -> Result<(), PanError> {
    let bytes = expiry.as_bytes();
    if bytes.len() != 4 {
        return Err(PanError::ExpiryLength { len: bytes.len() });
    }
    if let Some(offset) = bytes.iter().position(|b| !b.is_ascii_digit()) {
        return Err(PanError::ExpiryNotDigits { offset });
    }
    let month = (bytes[2] - b'0') * 10 + (bytes[3] - b'0');
    if !(1..=12).contains(&month) {
        return Err(PanError::ExpiryMonth { month });
    }
    Ok(())
}

fn token_text(prefix: &str, mac: HmacSha256) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = mac.finalize().into_bytes();
    let mut text = String::with_capacity(prefix.len() + 2 * TOKEN_BYTES);
    text.push_str(prefix);
    for byte in &digest[..TOKEN_BYTES] {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}
