//! EMV-11: payment reference numbers ("Referentienummer"): exactly 14 characters, "NLOV"
//! followed by 10 capital letters or digits, unique per payment.
//!
//! A reference is derived, not drawn: `HMAC-SHA256(key, "ovcert/EMV-11/payment-reference/v1\0"
//! ‖ counter as u64 big-endian)`, the first 8 bytes as a number modulo 36¹⁰, written as 10
//! base-36 digits (0-9, A-Z). The key is the rule set's token key, the counter counts issued
//! references; so a back office replaying the same events issues the same references, and a
//! reference reveals nothing about the card or the amount. The (negligible) chance that two
//! counters give the same text is handled by the issuer, which skips a text already issued.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// EMV-11: what every reference starts with.
pub const PREFIX: &str = "NLOV";
/// EMV-11: letters and digits in total.
pub const LENGTH: usize = 14;
const LABEL: &[u8] = b"ovcert/EMV-11/payment-reference/v1\0";
const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// 36¹⁰: the number of distinct 10-character tails.
const TAILS: u64 = 3_656_158_440_062_976;

/// EMV-11: a payment reference, e.g. `NLOV0K3ZQ81M2A`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("pattern" = "^NLOV[0-9A-Z]{10}$")))]
#[serde(try_from = "String", into = "String")]
pub struct PaymentReference(String);

impl PaymentReference {
    /// The reference for the `counter`-th payment under `key`.
    pub fn derive(key: &[u8; 32], counter: u64) -> PaymentReference {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
        mac.update(LABEL);
        mac.update(&counter.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let mut head = [0_u8; 8];
        head.copy_from_slice(&digest[..8]);
        let mut value = u64::from_be_bytes(head) % TAILS;
        let mut tail = [b'0'; LENGTH - PREFIX.len()];
        for digit in tail.iter_mut().rev() {
            *digit = DIGITS[(value % 36) as usize];
            value /= 36;
        }
        let tail = std::str::from_utf8(&tail).expect("base-36 digits are ASCII");
        PaymentReference(format!("{PREFIX}{tail}"))
    }

    /// Accepts exactly the EMV-11 form; anything else (a PAN, an IBAN, a typo) is `None`.
    pub fn parse(text: &str) -> Option<PaymentReference> {
        is_well_formed(text).then(|| PaymentReference(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// EMV-11: 14 characters, "NLOV", then 10 of 0-9 and A-Z.
pub fn is_well_formed(text: &str) -> bool {
    text.len() == LENGTH
        && text.starts_with(PREFIX)
        && text.as_bytes()[PREFIX.len()..]
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

impl fmt::Display for PaymentReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A text that is not a payment reference (the text itself is not repeated: it might be a
/// PAN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a payment reference: expected \"NLOV\" and 10 capital letters or digits")]
pub struct NotAReference;

impl TryFrom<String> for PaymentReference {
    type Error = NotAReference;

    fn try_from(text: String) -> Result<Self, NotAReference> {
        PaymentReference::parse(&text).ok_or(NotAReference)
    }
}

impl From<PaymentReference> for String {
    fn from(reference: PaymentReference) -> String {
        reference.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_references_are_well_formed_deterministic_and_distinct() {
        let key = [7_u8; 32];
        let first = PaymentReference::derive(&key, 1);
        assert_eq!(first, PaymentReference::derive(&key, 1));
        assert_ne!(first, PaymentReference::derive(&key, 2));
        assert_ne!(first, PaymentReference::derive(&[8_u8; 32], 1));
        let mut seen = std::collections::BTreeSet::new();
        for counter in 0..2000 {
            let r = PaymentReference::derive(&key, counter);
            assert!(is_well_formed(r.as_str()), "{r}");
            assert!(seen.insert(r));
        }
    }

    #[test]
    fn parse_accepts_only_the_emv_11_form() {
        assert!(PaymentReference::parse("NLOV0123456789").is_some());
        assert!(PaymentReference::parse("NLOVABCDEFGHIJ").is_some());
        for bad in [
            "NLOV012345678",
            "NLOV01234567890",
            "nlov0123456789",
            "NLOV01234567a9",
            "XLOV0123456789",
            "5413330000000001",
            "NL91ABNA0417164300",
            "",
        ] {
            assert!(PaymentReference::parse(bad).is_none(), "{bad}");
        }
        let error = serde_json::from_str::<PaymentReference>("\"5413330000000001\"")
            .unwrap_err()
            .to_string();
        assert!(!error.contains("5413330000000001"), "{error}");
    }
}
