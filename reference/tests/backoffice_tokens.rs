//! The token vault (EMV-01, EMV-02, EMV-17): which PAN data make a card, per-operator
//! tokens, the 24-hour PAN retention boundary (also across the DST night) and that no PAN
//! leaks through a token, a `Debug` or an error message.

use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use ovcert_reference::backoffice::tokens::{
    CardToken, DEFAULT_PAN_RETENTION, OperatorToken, PanData, PanError, TokenKeyError, TokenVault,
    mask_pan,
};
use ovcert_reference::rules::nl_2024;
use ovcert_reference::time::instant_of_local;
use proptest::prelude::*;

/// A fixed test key; never a production key.
const KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const OTHER_KEY: [u8; 32] = [0x5a; 32];
const PAN: &str = "5413330089010434";

fn vault() -> TokenVault {
    let rules = nl_2024();
    TokenVault::from_hex(KEY_HEX)
        .unwrap()
        .with_retention(SignedDuration::from_hours(
            rules.ovpay.pan_retention_h.into(),
        ))
}

/// An Amsterdam wall-clock reading (never in a DST gap or overlap here).
fn local(y: i16, m: i8, d: i8, h: i8, min: i8, s: i8) -> Timestamp {
    instant_of_local(date(y, m, d).at(h, min, s, 0)).unwrap()
}

// ---------------------------------------------------------------------------------------------
// EMV-01: which PAN data identify a card

#[test]
fn renewed_card_with_a_new_expiry_keeps_its_token() {
    let mut vault = vault();
    let at = local(2024, 3, 4, 8, 0, 0);
    let old = vault.tokenize(PAN, 1, "2412", at).unwrap();
    let renewed = vault
        .tokenize(PAN, 1, "2812", at + SignedDuration::from_hours(1))
        .unwrap();
    assert_eq!(old, renewed);
    assert_eq!(vault.token_of(PAN, 1).unwrap(), old);
    assert_eq!(vault.pans_held(), 1);
    vault.invariants();
}

#[test]
fn replacement_card_with_a_new_sequence_number_is_a_new_card() {
    let vault = vault();
    assert_ne!(
        vault.token_of(PAN, 1).unwrap(),
        vault.token_of(PAN, 2).unwrap()
    );
    assert_ne!(
        vault.token_of(PAN, 0).unwrap(),
        vault.token_of(PAN, 10).unwrap()
    );
}

#[test]
fn another_key_gives_another_token() {
    let other = TokenVault::new(OTHER_KEY);
    assert_ne!(
        vault().token_of(PAN, 1).unwrap(),
        other.token_of(PAN, 1).unwrap()
    );
}

#[test]
fn tokens_are_deterministic_and_in_text_form() {
    let a = vault().token_of(PAN, 1).unwrap();
    let b = TokenVault::from_hex(&KEY_HEX.to_uppercase())
        .unwrap()
        .token_of(PAN, 1)
        .unwrap();
    assert_eq!(a, b, "the key's hex case does not matter");
    let text = a.to_string();
    assert!(text.starts_with("ct-") && text.len() == 3 + 32, "{text}");
    assert_eq!(text.parse::<CardToken>().unwrap(), a);
}

#[test]
fn token_of_holds_no_pan() {
    let vault = vault();
    vault.token_of(PAN, 1).unwrap();
    assert_eq!(vault.pans_held(), 0);
}

#[test]
fn tokens_serialize_as_plain_strings_and_refuse_a_pan() {
    let vault = vault();
    let card = vault.token_of(PAN, 1).unwrap();
    let json = serde_json::to_string(&card).unwrap();
    assert_eq!(json, format!("\"{card}\""));
    assert_eq!(serde_json::from_str::<CardToken>(&json).unwrap(), card);

    let operator = vault.operator_token(&card, "NS");
    let json = serde_json::to_string(&operator).unwrap();
    assert_eq!(
        serde_json::from_str::<OperatorToken>(&json).unwrap(),
        operator
    );

    let err = serde_json::from_str::<CardToken>(&format!("\"{PAN}\"")).unwrap_err();
    assert!(!err.to_string().contains(PAN), "{err}");
    assert!(serde_json::from_str::<CardToken>(&format!("\"{operator}\"")).is_err());
    assert!(serde_json::from_str::<OperatorToken>(&format!("\"{card}\"")).is_err());
}

// ---------------------------------------------------------------------------------------------
// EMV-02: per-operator tokens

#[test]
fn operator_tokens_differ_per_operator_and_are_stable() {
    let vault = vault();
    let card = vault.token_of(PAN, 1).unwrap();
    let ns = vault.operator_token(&card, "NS");
    let gvb = vault.operator_token(&card, "GVB");
    assert_ne!(ns, gvb);
    assert_eq!(ns, vault.operator_token(&card, "NS"));
    assert_eq!(
        ns,
        TokenVault::from_hex(KEY_HEX)
            .unwrap()
            .operator_token(&card, "NS")
    );
    assert!(ns.to_string().starts_with("ot-"));
    let other_card = vault.token_of(PAN, 2).unwrap();
    assert_ne!(ns, vault.operator_token(&other_card, "NS"));
}

fn arb_pan() -> impl Strategy<Value = String> {
    "[0-9]{12,19}"
}

proptest! {
    /// No operator token equals the card token or another operator's token, and no token
    /// text contains the PAN or its last 8 digits.
    #[test]
    fn operator_tokens_are_separate_and_reveal_no_pan(
        pan in arb_pan(),
        pan_sequence in 0_u8..=99,
        operators in proptest::collection::btree_set("[A-Za-z0-9 _-]{0,12}", 2..6),
    ) {
        let vault = vault();
        let card = vault.token_of(&pan, pan_sequence).unwrap();
        let tail = &pan[pan.len() - 8..];
        prop_assert!(!card.as_str().contains(&pan) && !card.as_str().contains(tail));
        let tokens: Vec<OperatorToken> =
            operators.iter().map(|operator| vault.operator_token(&card, operator)).collect();
        for (i, token) in tokens.iter().enumerate() {
            prop_assert_ne!(token.as_str(), card.as_str());
            prop_assert!(!token.as_str().contains(&pan) && !token.as_str().contains(tail));
            for other in &tokens[i + 1..] {
                prop_assert_ne!(token, other);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// EMV-17: retention boundaries

/// One retention check: after a tap at `tapped_at`, is the PAN still there at `now`?
fn check_retention(tapped_at: Timestamp, now: Timestamp, kept: bool) {
    let mut vault = vault();
    let card = vault.tokenize(PAN, 1, "2712", tapped_at).unwrap();
    assert_eq!(vault.pan_of(&card, now).is_some(), kept, "pan_of at {now}");
    assert_eq!(vault.pans_held(), 1, "pan_of purges nothing");
    assert_eq!(vault.purge(now), usize::from(!kept), "purge at {now}");
    assert_eq!(vault.pans_held(), usize::from(kept));
    vault.invariants();
}

#[test]
fn pan_is_kept_until_just_before_24_hours() {
    let tap = local(2024, 3, 4, 8, 0, 0);
    check_retention(tap, tap, true);
    check_retention(tap, local(2024, 3, 5, 7, 59, 59), true);
    check_retention(
        tap,
        tap + SignedDuration::from_hours(24) - SignedDuration::from_nanos(1),
        true,
    );
}

#[test]
fn pan_is_gone_at_24_hours() {
    let tap = local(2024, 3, 4, 8, 0, 0);
    check_retention(tap, local(2024, 3, 5, 8, 0, 0), false);
    check_retention(tap, local(2024, 3, 9, 8, 0, 0), false);
}

#[test]
fn retention_counts_real_hours_across_the_dst_night() {
    let tap = local(2024, 10, 26, 12, 0, 0); // +02:00
    let day_later = local(2024, 10, 27, 11, 0, 0); // +01:00: exactly 24 h later
    assert_eq!(
        day_later.duration_since(tap),
        SignedDuration::from_hours(24)
    );
    check_retention(tap, local(2024, 10, 27, 10, 59, 59), true);
    check_retention(tap, day_later, false);
    // Same wall-clock time next day is 25 h later: long gone.
    check_retention(tap, local(2024, 10, 27, 12, 0, 0), false);
}

#[test]
fn retention_counts_real_hours_across_the_spring_night() {
    let tap = local(2024, 3, 30, 12, 0, 0); // +01:00
    let day_later = local(2024, 3, 31, 13, 0, 0); // +02:00: exactly 24 h later
    assert_eq!(
        day_later.duration_since(tap),
        SignedDuration::from_hours(24)
    );
    check_retention(tap, local(2024, 3, 31, 12, 59, 59), true);
    check_retention(tap, day_later, false);
}

#[test]
fn pan_of_is_none_after_24_hours_without_purge() {
    let mut vault = vault();
    let tap = local(2024, 3, 4, 8, 0, 0);
    let card = vault.tokenize(PAN, 1, "2712", tap).unwrap();
    assert_eq!(vault.pan_of(&card, tap).unwrap().pan, PAN);
    assert!(
        vault
            .pan_of(&card, tap + SignedDuration::from_hours(24))
            .is_none()
    );
    assert_eq!(vault.pans_held(), 1);
}

#[test]
fn purge_removes_only_expired_cards() {
    let mut vault = vault();
    let early = vault
        .tokenize(PAN, 1, "2712", local(2024, 3, 4, 8, 0, 0))
        .unwrap();
    let late = vault
        .tokenize(PAN, 2, "2712", local(2024, 3, 4, 20, 0, 0))
        .unwrap();
    let now = local(2024, 3, 5, 9, 0, 0);
    assert_eq!(vault.purge(now), 1);
    assert!(vault.pan_of(&early, now).is_none());
    assert_eq!(vault.pan_of(&late, now).unwrap().pan_sequence, 2);
    assert_eq!(vault.purge(now), 0);
    vault.invariants();
}

#[test]
fn a_later_tap_replaces_the_held_copy_in_either_arrival_order() {
    let first = local(2024, 3, 4, 8, 0, 0);
    let second = local(2024, 3, 4, 20, 0, 0);
    for order in [
        [(first, "2412"), (second, "2812")],
        [(second, "2812"), (first, "2412")],
    ] {
        let mut vault = vault();
        for (at, expiry) in order {
            vault.tokenize(PAN, 1, expiry, at).unwrap();
            vault.invariants();
        }
        let card = vault.token_of(PAN, 1).unwrap();
        let held = vault.pan_of(&card, second).unwrap();
        assert_eq!((held.tapped_at, held.expiry.as_str()), (second, "2812"));
        // Each copy lives at most 24 h after its own tap: the second's until 20:00 next day.
        assert!(vault.pan_of(&card, local(2024, 3, 5, 19, 59, 59)).is_some());
        assert!(vault.pan_of(&card, local(2024, 3, 5, 20, 0, 0)).is_none());
    }
}

#[test]
fn default_retention_is_the_rule_sets() {
    let rules = nl_2024();
    let hours = i64::from(rules.ovpay.pan_retention_h);
    assert_eq!(DEFAULT_PAN_RETENTION, SignedDuration::from_hours(hours));
    assert_eq!(
        TokenVault::new(OTHER_KEY).retention(),
        DEFAULT_PAN_RETENTION
    );
}

// ---------------------------------------------------------------------------------------------
// No PAN leaks

#[test]
fn pan_data_debug_masks_the_pan() {
    let data = PanData {
        pan: "5413330000000001".to_owned(),
        pan_sequence: 1,
        expiry: "2712".to_owned(),
        tapped_at: local(2024, 3, 4, 8, 0, 0),
    };
    let debug = format!("{data:?}");
    assert!(debug.contains("541333******0001"), "{debug}");
    assert!(!debug.contains("5413330000000001"), "{debug}");
}

#[test]
fn vault_debug_shows_neither_key_nor_pan() {
    let mut vault = vault();
    vault
        .tokenize(PAN, 1, "2712", local(2024, 3, 4, 8, 0, 0))
        .unwrap();
    let debug = format!("{vault:?}");
    assert!(
        !debug.contains(&PAN[PAN.len() - 4..]) && !debug.contains("0a0b0c"),
        "{debug}"
    );
    assert!(debug.contains("pans_held: 1"), "{debug}");
}

/// `PanData` must not implement `Serialize` (so it cannot slip into a report): this only
/// compiles while it does not, because otherwise `assert_not_serialize` is ambiguous.
#[test]
fn pan_data_is_not_serialize() {
    trait AmbiguousIfSerialize<A> {
        fn assert_not_serialize() {}
    }
    impl<T: ?Sized> AmbiguousIfSerialize<()> for T {}
    struct IsSerialize;
    impl<T: ?Sized + serde::Serialize> AmbiguousIfSerialize<IsSerialize> for T {}
    <PanData as AmbiguousIfSerialize<_>>::assert_not_serialize();
}

#[test]
fn mask_pan_keeps_first_six_and_last_four() {
    for (pan, masked) in [
        ("5413330000000001", "541333******0001"),
        ("541333000001", "541333**0001"),
        ("5413330000000000001", "541333*********0001"),
        ("12345678901", "***********"),
        ("", ""),
    ] {
        assert_eq!(mask_pan(pan), masked, "{pan}");
    }
}

// ---------------------------------------------------------------------------------------------
// Invalid input is refused, and the message says what without repeating the PAN

/// One refused tap: the error and what its message contains.
fn check_refused(pan: &str, pan_sequence: u8, expiry: &str, error: PanError, message: &str) {
    let mut vault = vault();
    let got = vault.tokenize(pan, pan_sequence, expiry, local(2024, 3, 4, 8, 0, 0));
    assert_eq!(got, Err(error.clone()), "{pan} {pan_sequence} {expiry}");
    let text = error.to_string();
    assert!(text.contains(message), "{text:?} lacks {message:?}");
    if pan.len() >= 8 {
        assert!(!text.contains(pan), "{text:?} repeats the PAN");
    }
    assert_eq!(vault.pans_held(), 0);
}

#[test]
fn invalid_pans_and_expiries_are_refused() {
    use PanError::*;
    check_refused(
        "5413abcd89010434",
        1,
        "2712",
        PanNotDigits { offset: 4 },
        "byte offset 4",
    );
    check_refused(
        "5413 3300 8901",
        1,
        "2712",
        PanNotDigits { offset: 4 },
        "not a digit",
    );
    check_refused(
        "54133300890",
        1,
        "2712",
        PanLength { digits: 11 },
        "11 digits",
    );
    check_refused(
        "54133300890104340001",
        1,
        "2712",
        PanLength { digits: 20 },
        "20 digits",
    );
    check_refused("", 1, "2712", PanLength { digits: 0 }, "12 to 19");
    check_refused(PAN, 100, "2712", PanSequence { value: 100 }, "above 99");
    check_refused(PAN, 1, "2713", ExpiryMonth { month: 13 }, "month 13");
    check_refused(PAN, 1, "2700", ExpiryMonth { month: 0 }, "month 00");
    check_refused(
        PAN,
        1,
        "27-1",
        ExpiryNotDigits { offset: 2 },
        "byte offset 2",
    );
    check_refused(PAN, 1, "202712", ExpiryLength { len: 6 }, "YYMM");
    assert_eq!(
        vault().token_of("54133300890", 1),
        Err(PanLength { digits: 11 })
    );
}

#[test]
fn invalid_keys_are_refused() {
    let short = &KEY_HEX[..62];
    assert_eq!(
        TokenVault::from_hex(short).unwrap_err(),
        TokenKeyError::Length { len: 62 }
    );
    let bad = format!("{}g{}", &KEY_HEX[..10], &KEY_HEX[11..]);
    let err = TokenVault::from_hex(&bad).unwrap_err();
    assert_eq!(err, TokenKeyError::NotHex { offset: 10 });
    assert!(err.to_string().contains("byte offset 10"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Surrogate PANs: a journal replayed after its PANs were erased reaches the same cards

#[test]
fn a_surrogate_pan_tokenises_to_the_card_it_stands_for() {
    let mut vault = vault();
    let token = vault.token_of(PAN, 1).unwrap();
    let surrogate = "0123456789012345";
    assert_ne!(vault.token_of(surrogate, 1).unwrap(), token);
    assert!(vault.alias(surrogate, 1, token.clone()));
    assert_eq!(vault.token_of(surrogate, 1).unwrap(), token);
    assert_eq!(vault.alias_of(surrogate, 1), Some(&token));
    // Another sequence number is another card: the surrogate stands only for its own.
    assert_eq!(vault.alias_of(surrogate, 2), None);
    let at = local(2024, 3, 4, 8, 0, 0);
    assert_eq!(vault.tokenize(surrogate, 1, "2812", at).unwrap(), token);
    assert_eq!(vault.pans_held(), 1);
    vault.invariants();
}

#[test]
fn a_surrogate_is_refused_when_taken_or_not_a_surrogate() {
    let mut vault = vault();
    let token = vault.token_of(PAN, 1).unwrap();
    let other = vault.token_of("5413330089010442", 1).unwrap();
    assert!(vault.alias("0123456789012345", 1, token.clone()));
    assert!(
        vault.alias("0123456789012345", 1, token.clone()),
        "same again is fine"
    );
    assert!(
        !vault.alias("0123456789012345", 1, other),
        "taken by another card"
    );
    assert!(
        !vault.alias(PAN, 1, token.clone()),
        "a real PAN (MII 5) is no surrogate"
    );
    assert!(
        !vault.alias("0123", 1, token.clone()),
        "too short for a PAN"
    );
    assert!(
        !vault.alias("0123456789012345", 100, token),
        "sequence above 99"
    );
}
