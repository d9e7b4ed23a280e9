//! Cards (CARD-01..09): the kinds, the decoded card state and its binary image.
//!
//! A physical OV-chipkaart is a 4 KiB chip; [`image`] encodes and decodes it. The reader and
//! the machines work on the decoded [`Card`] and write a new image back.

pub mod image;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::money::Cents;
use crate::rules::{Mode, ProductCode};

/// CARD-01: the kinds of card a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CardKind {
    /// Not in anyone's name; balance and a limited set of products without personal discount.
    Anonymous,
    /// Name, photo and birth date on the chip; all products.
    Personal,
    /// Single-use chip card with one fixed travel right; no balance.
    Disposable,
    /// A contactless bank card (OVpay): no image, the back office does the rest.
    Emv,
}

/// The OV-chipkaart number printed on the card: 16 digits, "3528 0100 1234 5678".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(extend("pattern" = "^( *[0-9]){16} *$"))
)]
#[serde(try_from = "String", into = "String")]
pub struct CardNumber(u64);

impl CardNumber {
    pub const MAX: u64 = 9_999_999_999_999_999;

    pub fn new(value: u64) -> Option<CardNumber> {
        (value <= Self::MAX).then_some(CardNumber(value))
    }

    pub fn get(self) -> u64 {
        self.0
    }

    /// Parses 16 digits, with or without spaces.
    /// Read digit by digit, without a copy: every tap of a CSV stream carries one.
    pub fn parse(text: &str) -> Option<CardNumber> {
        let mut value: u64 = 0;
        let mut digits = 0;
        for byte in text.bytes() {
            match byte {
                b' ' => {}
                b'0'..=b'9' if digits < 16 => {
                    digits += 1;
                    value = value * 10 + u64::from(byte - b'0');
                }
                _ => return None,
            }
        }
        (digits == 16).then_some(value).and_then(CardNumber::new)
    }

    /// The 16 digits, leading zeros included.
    fn digits(self) -> [u8; 16] {
        let mut digits = [b'0'; 16];
        let mut rest = self.0;
        for digit in digits.iter_mut().rev() {
            *digit = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        digits
    }
}

impl std::fmt::Display for CardNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Written without an intermediate string: every line of a report names a card.
        let digits = self.digits();
        let s = std::str::from_utf8(&digits).expect("ASCII digits");
        write!(f, "{} {} {} {}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
    }
}

impl TryFrom<String> for CardNumber {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        CardNumber::parse(&value).ok_or_else(|| format!("`{value}` is not a 16-digit card number"))
    }
}

impl From<CardNumber> for String {
    fn from(value: CardNumber) -> String {
        value.to_string()
    }
}

/// The decoded content of an OV-chipkaart image (anonymous, personal or disposable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Card {
    /// The chip's 4-byte serial (MIFARE UID).
    pub uid: u32,
    pub number: CardNumber,
    /// Never [`CardKind::Emv`]: bank cards have no image.
    pub kind: CardKind,
    pub issued_on: Date,
    /// CARD-04: the last day the card may be used.
    pub expires_on: Date,
    /// CARD-01 / CARD-06: personal cards only.
    pub holder: Option<Holder>,
    /// CARD-05: at most [`image::PRODUCT_SLOTS`] products.
    pub products: Vec<ProductSlot>,
    pub purse: Purse,
    /// CARD-08: the most recent transactions, oldest first, at most [`image::LOG_CAPACITY`].
    pub log: Vec<LogEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Holder {
    /// CARD-06: the birth date on the chip decides the age discount.
    pub birth_date: Date,
    /// At most [`image::HOLDER_NAME_MAX`] bytes of UTF-8.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductSlot {
    /// At most [`image::PRODUCT_CODE_MAX`] ASCII bytes.
    pub code: ProductCode,
    pub valid_from: Date,
    pub valid_until: Date,
    /// A fixed route (disposable single journeys, Traject Vrij): station codes.
    pub route: Option<[String; 2]>,
}

/// The balance and state area, kept twice on the chip (A/B) so a torn write leaves the
/// previous valid state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Purse {
    /// Incremented by every write; the copy with the higher valid counter is current.
    pub counter: u32,
    pub balance: Cents,
    /// TAP-06: the auto-reload amount, when set (personal cards only).
    pub auto_reload: Option<Cents>,
    /// TAP-09: balance travel at NS is activated (class chosen).
    pub rail_activated: bool,
    /// TAP-09 / JRN-08: 1 or 2.
    pub travel_class: u8,
    /// TAP-05: the card was blocked by a reader (deny list hit) or by the issuer.
    pub blocked: bool,
    /// JRN-08: a special setting for the next journey.
    pub special: SpecialSetting,
    /// The open check-in, if any, as a copy of its log entry.
    pub check_in: Option<LogEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SpecialSetting {
    None,
    FirstClass,
    GroupDiscount,
}

/// One transaction in the card's log (CARD-08).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LogEntry {
    pub kind: LogKind,
    /// Stored with one-second resolution.
    pub at: Timestamp,
    /// Operator code, at most [`image::OPERATOR_CODE_MAX`] ASCII bytes; empty for loads at
    /// non-operator machines.
    pub operator: String,
    pub mode: Option<Mode>,
    /// Station code, at most [`image::STATION_CODE_MAX`] ASCII bytes.
    pub station: String,
    pub device: u32,
    /// Money moved by this transaction: positive adds to the balance, negative takes from it.
    pub amount: Cents,
    /// The balance right after this transaction.
    pub balance_after: Cents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum LogKind {
    CheckIn,
    CheckOut,
    /// TAP-04 / JRN-07: a check-in closed without check-out (deposit kept).
    MissingCheckOut,
    Load,
    AutoReload,
    ProductLoad,
    Blocked,
}

impl Card {
    /// The card's balance.
    pub fn balance(&self) -> Cents {
        self.purse.balance
    }

    /// CARD-04: whether the card may still be used on `date`.
    pub fn is_valid_on(&self, date: Date) -> bool {
        date <= self.expires_on
    }

    /// The most recent log entry.
    pub fn last_entry(&self) -> Option<&LogEntry> {
        self.log.last()
    }

    /// Appends a transaction, keeping only the most recent [`image::LOG_CAPACITY`] (CARD-08),
    /// and bumps the purse counter.
    pub fn record(&mut self, entry: LogEntry) {
        if self.log.len() == image::LOG_CAPACITY {
            self.log.remove(0);
        }
        self.log.push(entry);
        self.purse.counter = self.purse.counter.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::CardNumber;

    /// The plain statement of the format: spaces dropped, then exactly 16 ASCII digits.
    fn parse_by_copy(text: &str) -> Option<CardNumber> {
        let digits: String = text.chars().filter(|c| *c != ' ').collect();
        if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().and_then(CardNumber::new)
    }

    proptest! {
        #[test]
        fn parsing_digit_by_digit_accepts_what_the_format_states(
            text in "[0-9 ]{0,24}|[0-9 a\u{e9}+-]{0,20}"
        ) {
            prop_assert_eq!(CardNumber::parse(&text), parse_by_copy(&text));
        }

        #[test]
        fn a_number_prints_as_four_groups_and_parses_back(value in 0..=CardNumber::MAX) {
            let number = CardNumber::new(value).expect("at most MAX");
            let printed = number.to_string();
            let plain = format!("{value:016}");
            prop_assert_eq!(
                &printed,
                &format!("{} {} {} {}", &plain[0..4], &plain[4..8], &plain[8..12], &plain[12..16])
            );
            prop_assert_eq!(CardNumber::parse(&printed), Some(number));
        }
    }

    #[test]
    fn sixteen_digits_with_or_without_spaces() {
        let number = CardNumber::parse("3528 0100 1234 5678").expect("valid");
        assert_eq!(number.get(), 3_528_010_012_345_678);
        assert_eq!(CardNumber::parse("3528010012345678"), Some(number));
        assert_eq!(CardNumber::parse("3528 0100 1234 567"), None);
        assert_eq!(CardNumber::parse("3528 0100 1234 56789"), None);
        assert_eq!(CardNumber::parse("3528-0100-1234-5678"), None);
        assert_eq!(
            CardNumber::new(1).expect("valid").to_string(),
            "0000 0000 0000 0001"
        );
    }
}
