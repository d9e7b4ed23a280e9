//! EMV-17 in the journal: PANs are erased from journal rows once the system no longer holds
//! them, and replaced by surrogates that replay to the same cards.
//!
//! A PAN occurs in a request body as an object with a string `pan` and a number
//! `pan_sequence` (a bank card in a tap message, at a reader, in a deny-list entry or a bank
//! test control). Its time is the tap time `at` of the nearest enclosing object that has
//! one (a tap message), otherwise the system's clock when the request was made (a tap at a
//! reader happens at the clock). The system holds the PAN data of a tap until the first clock
//! change at or after that time plus the retention period (`TokenVault::purge`); the journal
//! erases the PAN at that same clock change ([`PanScrubber::scrub`]).
//!
//! Erasing must not change what the journal replays to. A well-formed PAN becomes its card's
//! surrogate (`TokenVault::alias`: same length, leading `0`, the rest derived from the card
//! token, one surrogate per card), and the surrogate → token pairs are journaled and
//! registered with the system before a replay, so every replayed request reaches the same
//! card token; the vault then holds the surrogate where it held the PAN, and expires it at
//! the same moment. A malformed PAN (which the system refused and never held) becomes zeros
//! in the same places, so the replay refuses it the same way (the refusal depends only on the
//! length and on where the non-digits are).

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use ovcert_reference::backoffice::tokens::{CardToken, TokenVault};
use ovcert_reference::rules::RuleSet;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

/// A surrogate PAN and the card it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub surrogate: String,
    pub pan_sequence: u8,
    pub token: CardToken,
}

/// What scrubbing did to one row.
#[derive(Debug, Default)]
pub struct Scrubbed {
    /// PANs replaced.
    pub erased: usize,
    /// When the next PAN left in the row is due, if any.
    pub next_due: Option<Timestamp>,
    /// Surrogates made for cards that had none yet.
    pub new_aliases: Vec<Alias>,
}

/// Finds PANs in journal rows, says when they are due, and replaces them.
#[derive(Clone)]
pub struct PanScrubber {
    /// The rule set's vault (same key as the system's), with every surrogate registered.
    vault: TokenVault,
    retention: SignedDuration,
    surrogates: BTreeMap<CardToken, String>,
}

impl PanScrubber {
    /// A scrubber for the system `rules` configure (the token key and EMV-17 retention).
    pub fn new(rules: &RuleSet) -> Result<PanScrubber, String> {
        let vault = TokenVault::from_hex(&rules.ovpay.token_key_hex)
            .map_err(|e| format!("rule set {}: {e}", rules.meta.id))?;
        Ok(PanScrubber {
            vault,
            retention: SignedDuration::from_hours(i64::from(rules.ovpay.pan_retention_h)),
            surrogates: BTreeMap::new(),
        })
    }

    /// Takes a surrogate read back from the journal; `false` if it clashes with another.
    pub fn restore(&mut self, alias: &Alias) -> bool {
        let fresh = self
            .vault
            .alias(&alias.surrogate, alias.pan_sequence, alias.token.clone());
        if fresh {
            self.surrogates
                .insert(alias.token.clone(), alias.surrogate.clone());
        }
        fresh
    }

    /// When the first PAN in `body` is due to be erased (`None`: it holds none); `clock` is
    /// the system's clock when the request was made.
    pub fn first_due(&self, body: &Value, clock: Timestamp) -> Option<Timestamp> {
        let mut first: Option<Timestamp> = None;
        visit_pans(body, clock, &mut |_, time| {
            let due = self.due(time);
            first = Some(first.map_or(due, |f| f.min(due)));
        });
        first
    }

    /// Replaces every PAN in `body` that is due at `now` (see the module doc).
    pub fn scrub(&mut self, body: &mut Value, clock: Timestamp, now: Timestamp) -> Scrubbed {
        let mut scrubbed = Scrubbed::default();
        visit_pans_mut(body, clock, &mut |object, time| {
            let due = self.due(time);
            if due > now {
                scrubbed.next_due = Some(scrubbed.next_due.map_or(due, |n| n.min(due)));
                return;
            }
            let Some(Value::String(pan)) = object.get("pan") else {
                return;
            };
            let sequence = object
                .get("pan_sequence")
                .and_then(Value::as_u64)
                .and_then(|s| u8::try_from(s).ok());
            let replacement =
                match sequence.and_then(|s| Some((s, self.vault.token_of(pan, s).ok()?))) {
                    Some((sequence, token)) => {
                        let (surrogate, alias) = self.surrogate_for(token, pan.len(), sequence);
                        scrubbed.new_aliases.extend(alias);
                        surrogate
                    }
                    None => zeroed(pan),
                };
            if *pan != replacement {
                scrubbed.erased += 1;
                object.insert("pan".into(), Value::String(replacement));
            }
        });
        scrubbed
    }

    /// The PAN data of a tap at `time` are held until this instant (EMV-17).
    fn due(&self, time: Timestamp) -> Timestamp {
        time.checked_add(self.retention).unwrap_or(Timestamp::MAX)
    }

    /// The card's surrogate, made (and registered) on first use: `0` and digits from the
    /// token's hash, another counter when that string already stands for another card.
    fn surrogate_for(
        &mut self,
        token: CardToken,
        len: usize,
        pan_sequence: u8,
    ) -> (String, Option<Alias>) {
        if let Some(known) = self.surrogates.get(&token) {
            return (known.clone(), None);
        }
        for counter in 0_u32.. {
            let digest = Sha256::new()
                .chain_update(token.as_str().as_bytes())
                .chain_update(counter.to_be_bytes())
                .finalize();
            let mut surrogate = String::with_capacity(len);
            surrogate.push('0');
            surrogate.extend(
                digest
                    .iter()
                    .take(len - 1)
                    .map(|byte| char::from(b'0' + byte % 10)),
            );
            if self.vault.alias(&surrogate, pan_sequence, token.clone()) {
                self.surrogates.insert(token.clone(), surrogate.clone());
                let alias = Alias {
                    surrogate: surrogate.clone(),
                    pan_sequence,
                    token,
                };
                return (surrogate, Some(alias));
            }
        }
        unreachable!("a free surrogate among 2^32 candidates")
    }
}

/// Digits become `0`, everything else stays: a malformed PAN's refusal is unchanged.
fn zeroed(pan: &str) -> String {
    pan.chars()
        .map(|c| if c.is_ascii_digit() { '0' } else { c })
        .collect()
}

fn is_pan_object(object: &Map<String, Value>) -> bool {
    matches!(object.get("pan"), Some(Value::String(_)))
        && matches!(object.get("pan_sequence"), Some(Value::Number(_)))
}

/// The tap time an object states, else the time around it.
fn time_of(object: &Map<String, Value>, around: Timestamp) -> Timestamp {
    object
        .get("at")
        .and_then(Value::as_str)
        .and_then(|text| text.parse().ok())
        .unwrap_or(around)
}

fn visit_pans(
    value: &Value,
    around: Timestamp,
    visit: &mut impl FnMut(&Map<String, Value>, Timestamp),
) {
    match value {
        Value::Object(object) => {
            let time = time_of(object, around);
            if is_pan_object(object) {
                visit(object, time);
            }
            for child in object.values() {
                visit_pans(child, time, visit);
            }
        }
        Value::Array(items) => {
            for item in items {
                visit_pans(item, around, visit);
            }
        }
        _ => {}
    }
}

fn visit_pans_mut(
    value: &mut Value,
    around: Timestamp,
    visit: &mut impl FnMut(&mut Map<String, Value>, Timestamp),
) {
    match value {
        Value::Object(object) => {
            let time = time_of(object, around);
            if is_pan_object(object) {
                visit(object, time);
            }
            for child in object.values_mut() {
                visit_pans_mut(child, time, visit);
            }
        }
        Value::Array(items) => {
            for item in items {
                visit_pans_mut(item, around, visit);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PAN: &str = "5412751234567890";

    fn scrubber() -> PanScrubber {
        PanScrubber::new(&ovcert_reference::rules::nl_2024()).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn ingest(tap_at: &str, pan: &str) -> Value {
        json!({"taps": [{"tap_id": "X-1", "at": tap_at,
            "card": {"type": "emv", "pan": pan, "pan_sequence": 1, "expiry": "2812"}}]})
    }

    #[test]
    fn a_tap_pan_is_due_24_hours_after_the_tap_not_after_the_request() {
        let scrubber = scrubber();
        let body = ingest("2024-06-12T06:00:00Z", PAN);
        assert_eq!(
            scrubber.first_due(&body, at("2024-06-13T00:00:00Z")),
            Some(at("2024-06-13T06:00:00Z"))
        );
        let reader_tap = json!({"presented": [{"type": "emv", "card": {"pan": PAN, "pan_sequence": 0, "expiry": "2812"}}]});
        assert_eq!(
            scrubber.first_due(&reader_tap, at("2024-06-12T08:00:00Z")),
            Some(at("2024-06-13T08:00:00Z"))
        );
        assert_eq!(
            scrubber.first_due(
                &json!({"now": "2024-06-12T08:00:00Z"}),
                Timestamp::UNIX_EPOCH
            ),
            None
        );
    }

    #[test]
    fn scrubbing_replaces_due_pans_by_the_cards_surrogate_and_keeps_the_rest() {
        let mut scrubber = scrubber();
        let mut body = json!({"taps": [
            {"at": "2024-06-12T06:00:00Z", "card": {"type": "emv", "pan": PAN, "pan_sequence": 1, "expiry": "2812"}},
            {"at": "2024-06-12T09:00:00Z", "card": {"type": "emv", "pan": PAN, "pan_sequence": 1, "expiry": "2812"}},
        ]});
        let scrubbed = scrubber.scrub(&mut body, Timestamp::UNIX_EPOCH, at("2024-06-13T06:00:00Z"));
        assert_eq!(
            scrubbed.erased, 1,
            "the tap at 06:00 is due at 06:00 the next day (EMV-17)"
        );
        assert_eq!(scrubbed.next_due, Some(at("2024-06-13T09:00:00Z")));
        let [alias] = scrubbed.new_aliases.as_slice() else {
            panic!("one new surrogate")
        };
        let surrogate = body["taps"][0]["card"]["pan"].as_str().unwrap().to_owned();
        assert_eq!(surrogate, alias.surrogate);
        assert_eq!(surrogate.len(), PAN.len());
        assert!(surrogate.starts_with('0'));
        assert_eq!(body["taps"][1]["card"]["pan"], PAN);

        let later = scrubber.scrub(&mut body, Timestamp::UNIX_EPOCH, at("2024-06-14T00:00:00Z"));
        assert_eq!(
            (later.erased, later.next_due, later.new_aliases.len()),
            (1, None, 0)
        );
        assert_eq!(
            body["taps"][1]["card"]["pan"],
            surrogate.as_str(),
            "one surrogate per card"
        );
        assert!(!body.to_string().contains(PAN));

        let again = scrubber.scrub(&mut body, Timestamp::UNIX_EPOCH, at("2024-06-15T00:00:00Z"));
        assert_eq!(again.erased, 0, "a surrogate stays as it is");

        // The system, told the surrogate, reaches the same card.
        let mut vault =
            TokenVault::from_hex(&ovcert_reference::rules::nl_2024().ovpay.token_key_hex).unwrap();
        let token = vault.token_of(PAN, 1).unwrap();
        assert_eq!(alias.token, token);
        assert!(vault.alias(&alias.surrogate, 1, alias.token.clone()));
        assert_eq!(vault.token_of(&surrogate, 1).unwrap(), token);
    }

    #[test]
    fn a_malformed_pan_keeps_its_shape_so_it_is_refused_alike() {
        let mut scrubber = scrubber();
        let mut body = ingest("2024-06-12T06:00:00Z", "5412 7512 3456 7890");
        let scrubbed = scrubber.scrub(&mut body, Timestamp::UNIX_EPOCH, at("2024-06-20T00:00:00Z"));
        assert_eq!(scrubbed.erased, 1);
        assert!(scrubbed.new_aliases.is_empty());
        assert_eq!(body["taps"][0]["card"]["pan"], "0000 0000 0000 0000");
    }

    #[test]
    fn a_restored_surrogate_is_reused_for_its_card() {
        let mut first = scrubber();
        let mut body = ingest("2024-06-12T06:00:00Z", PAN);
        let made = first.scrub(&mut body, Timestamp::UNIX_EPOCH, at("2024-06-20T00:00:00Z"));
        let mut second = scrubber();
        assert!(second.restore(&made.new_aliases[0]));
        let mut again = ingest("2024-06-12T07:00:00Z", PAN);
        let scrubbed = second.scrub(
            &mut again,
            Timestamp::UNIX_EPOCH,
            at("2024-06-20T00:00:00Z"),
        );
        assert!(scrubbed.new_aliases.is_empty());
        assert_eq!(again["taps"][0]["card"], body["taps"][0]["card"]);
    }
}
