//! Every call to the system under test, recorded for the evidence (`requests.log`): the
//! operation, its request and what came back, one JSON line each, with scenario markers.
//!
//! What a log must not hold is taken out on the way in: a PAN shows only its last four
//! digits, and a card image only its length and digest (a 4096-byte chip per call would make
//! the log the largest file of the evidence and say nothing a reader can check by eye).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::client::Transport;
use super::{SutErrorKind, SutResult};
use crate::api::Operation;
use crate::api::problem::map_digit_runs;

/// The shared log a run's transports write to.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    lines: Arc<Mutex<Vec<Value>>>,
}

impl Recorder {
    fn push(&self, mut entry: Value) {
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        if let Value::Object(map) = &mut entry {
            map.insert("seq".into(), json!(lines.len() + 1));
        }
        lines.push(entry);
    }

    /// The log as JSON lines.
    pub fn to_jsonl(&self) -> String {
        let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        for line in lines.iter() {
            out.push_str(&serde_json::to_string(line).expect("JSON values serialize"));
            out.push('\n');
        }
        out
    }

    pub fn len(&self) -> usize {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A transport that records what passes through it.
pub struct Recorded<T> {
    inner: T,
    recorder: Recorder,
}

impl<T> Recorded<T> {
    pub fn new(inner: T, recorder: Recorder) -> Recorded<T> {
        Recorded { inner, recorder }
    }
}

impl<T: Clone> Clone for Recorded<T> {
    fn clone(&self) -> Recorded<T> {
        Recorded {
            inner: self.inner.clone(),
            recorder: self.recorder.clone(),
        }
    }
}

#[async_trait]
impl<T: Transport> Transport for Recorded<T> {
    fn identity(&self) -> String {
        self.inner.identity()
    }

    fn annotate(&mut self, note: &str) {
        self.recorder.push(json!({ "scenario": note }));
    }

    async fn send<O: Operation>(&mut self, operation: O) -> SutResult<O::Answer> {
        let request = redact(serde_json::to_value(&operation).unwrap_or(Value::Null));
        let result = self.inner.send(operation).await;
        let mut entry = Map::new();
        entry.insert("operation".into(), json!(O::NAME));
        entry.insert("path".into(), json!(O::PATH));
        entry.insert("request".into(), request);
        match &result {
            Ok(answer) => {
                entry.insert("outcome".into(), json!("ok"));
                let answer = serde_json::to_value(answer).unwrap_or(Value::Null);
                entry.insert("answer".into(), redact(answer));
            }
            Err(error) => {
                let outcome = match error.kind {
                    SutErrorKind::Failed => "failed",
                    SutErrorKind::NotSupported => "not-supported",
                };
                entry.insert("outcome".into(), json!(outcome));
                entry.insert("detail".into(), redact(json!(error.reason)));
            }
        }
        self.recorder.push(Value::Object(entry));
        result
    }
}

/// The fields holding an OV-chipkaart's number (`CardNumber`) in requests and answers.
const OV_CARD_NUMBER_FIELDS: [&str; 4] = ["number", "card", "old", "new_number"];

/// `value` with PANs masked and card images summarised.
pub fn redact(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("pan", Value::String(pan)) => Value::String(mask(&pan)),
                        // An OV-chipkaart's printed number identifies the card in the
                        // issuer's administration; it is no payment card number.
                        (field, Value::String(number))
                            if OV_CARD_NUMBER_FIELDS.contains(&field)
                                && number.bytes().all(|b| b.is_ascii_digit()) =>
                        {
                            Value::String(number)
                        }
                        ("image" | "new_image", Value::String(hex)) if hex.len() > 64 => {
                            Value::String(summarise_image(&hex))
                        }
                        (_, other) => redact(other),
                    };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        Value::String(text) if is_image(&text) => Value::String(summarise_image(&text)),
        Value::String(text) => Value::String(mask_pans_in(&text)),
        other => other,
    }
}

/// A card image on the wire: a long string of hex digits (an answer may be one bare).
fn is_image(text: &str) -> bool {
    text.len() >= 256 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// All but the last four digits hidden.
fn mask(pan: &str) -> String {
    let digits: Vec<char> = pan.chars().filter(char::is_ascii_digit).collect();
    let keep = digits.len().saturating_sub(4);
    let tail: String = digits[keep..].iter().collect();
    format!("{}{tail}", "*".repeat(keep))
}

/// Masks every run of 13–19 digits (the length of a PAN) anywhere else, such as a PAN typed
/// where a payment reference belongs, or quoted in an error message. Test PANs need not pass
/// the Luhn check, so none is asked for.
fn mask_pans_in(text: &str) -> String {
    map_digit_runs(text, |digits| {
        (13..=19).contains(&digits.len()).then(|| mask(digits))
    })
}

fn summarise_image(hex: &str) -> String {
    let digest = Sha256::digest(hex.as_bytes());
    let short: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("card image, {} bytes, sha256(hex) {short}…", hex.len() / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pans_are_masked_and_images_summarised() {
        let value = json!({
            "card": { "pan": "5412751234567890", "pan_sequence": 0 },
            "image": "00".repeat(4096),
            "detail": "card 4111111111111111 refused",
            "number": "3528010000000001",
            "reference": "5413010000000001",
            "answers": ["ab".repeat(2048)]
        });
        let redacted = redact(value).to_string();
        assert!(!redacted.contains("5412751234567890"), "{redacted}");
        assert!(redacted.contains("************7890"), "{redacted}");
        assert!(!redacted.contains("4111111111111111"), "{redacted}");
        assert!(
            !redacted.contains("5413010000000001"),
            "a PAN typed as a reference"
        );
        assert!(redacted.contains("3528010000000001"), "card numbers stay");
        assert!(redacted.contains("card image, 4096 bytes"), "{redacted}");
        assert!(!redacted.contains(&"00".repeat(100)));
        assert!(
            !redacted.contains(&"ab".repeat(100)),
            "a bare image answer too"
        );
    }
}
