//! Fuzz oracles: the properties the codecs and the back office promise, checked on arbitrary
//! bytes.
//!
//! The fuzz targets in `fuzz/` are one-line wrappers around these functions, and
//! `tests/fuzz_corpus.rs` replays every committed seed and artifact through them, so a
//! finding is reproduced by an ordinary `cargo test`. Each oracle accepts any input, returns
//! nothing, and panics only when a property is broken; the panic message names the property.
//! A panic inside a codec (rather than in an assertion here) is a finding too.

use std::sync::OnceLock;

use arbitrary::Unstructured;

use crate::backoffice::simulate;
use crate::card::image;
use crate::rules::{RuleSet, nl_2024};
use crate::tap::TapMessage;
use crate::tap::codec::{self, BinaryError};

/// The card image codec, on any bytes.
///
/// - `image::decode` returns a value or an error, never panics.
/// - A decoded card can be written on a blank chip; the result is [`image::IMAGE_LEN`] bytes
///   long, decodes to the same card, and is left unchanged by `image::reseal` (its checksums
///   all hold).
/// - The decoded card written on top of the input it came from (`image::write(Some(data),
///   ..)`, as a reader rewrites a card) decodes to the same card.
/// - All of the above also holds for `image::reseal(data)`, the input with every checksum
///   recomputed, and resealing that again changes nothing. Random mutations almost never
///   carry the right CRCs, log digests and check bytes, so without this the fuzzer would stop
///   at the first checksum and the properties of a decoded card would run mostly on seeds.
pub fn card_image(data: &[u8]) {
    check_card_image(data);
    let resealed = image::reseal(data);
    if resealed != data {
        assert!(
            image::reseal(&resealed) == resealed,
            "card_image: resealing a resealed image changed it"
        );
        check_card_image(&resealed);
    }
}

fn check_card_image(data: &[u8]) {
    let Ok(card) = image::decode(data) else {
        return;
    };
    let fresh = image::write(None, &card).unwrap_or_else(|e| {
        panic!("card_image: a decoded card cannot be written on a blank chip: {e}\ncard: {card:#?}")
    });
    assert_eq!(
        fresh.len(),
        image::IMAGE_LEN,
        "card_image: writing on a blank chip gave {} bytes, not {}",
        fresh.len(),
        image::IMAGE_LEN
    );
    match image::decode(&fresh) {
        Ok(again) => assert_eq!(
            again, card,
            "card_image: blank-chip write does not decode to the card"
        ),
        Err(e) => panic!("card_image: blank-chip write does not decode: {e}\ncard: {card:#?}"),
    }
    assert!(
        image::reseal(&fresh) == fresh,
        "card_image: resealing a blank-chip write changed it\ncard: {card:#?}"
    );
    let rewritten = image::write(Some(data), &card).unwrap_or_else(|e| {
        panic!(
            "card_image: a decoded card cannot be written over its own image: {e}\ncard: {card:#?}"
        )
    });
    match image::decode(&rewritten) {
        Ok(again) => assert_eq!(
            again, card,
            "card_image: write over the input does not decode to the card"
        ),
        Err(e) => panic!("card_image: write over the input does not decode: {e}\ncard: {card:#?}"),
    }
}

/// The tap message codecs, on any bytes, read both as a binary message and as JSON text.
///
/// - `decode_binary` never panics; an error's offset lies within the input (or at its end).
/// - A decoded message passes `validate`, re-encodes to exactly the input bytes (the binary
///   form is canonical), and its JSON form decodes back to it.
/// - If the bytes are UTF-8 and `decode_json` accepts them, the message passes `validate`,
///   its binary form decodes back to it and its JSON form decodes back to it: JSON and binary
///   accept the same messages.
/// - All of the above also holds for the input with its last four bytes replaced by the right
///   CRC. Random mutations almost never carry one, so without this the fuzzer would stop at
///   the CRC check and never reach the decoded-message properties.
pub fn tap_message(data: &[u8]) {
    check_tap_message(data);
    let repaired = with_crc_repaired(data);
    if repaired != data {
        check_tap_message(&repaired);
    }
}

fn check_tap_message(data: &[u8]) {
    match codec::decode_binary(data) {
        Ok(message) => {
            round_trips(&message, "binary input");
            let bytes = codec::encode_binary(&message).unwrap_or_default();
            assert_eq!(
                bytes, data,
                "tap_message: re-encoding a decoded message changed the bytes"
            );
        }
        Err(e) => offset_within(&e, data, "decode_binary"),
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(message) = codec::decode_json(text)
    {
        round_trips(&message, "JSON input");
    }
}

/// The upload-buffer framing, on any bytes.
///
/// - `decode_frames` never panics and stops; every error offset lies within the buffer.
/// - Every decoded message has the [`tap_message`] round-trip properties.
/// - A buffer that decodes without any error is exactly the frames of its messages, in order:
///   appending them to an empty buffer rebuilds the input.
/// - All of the above also holds for the buffer with each frame's CRC repaired (see
///   [`tap_message`] for why).
pub fn tap_frames(data: &[u8]) {
    check_tap_frames(data);
    let repaired = with_frame_crcs_repaired(data);
    if repaired != data {
        check_tap_frames(&repaired);
    }
}

fn check_tap_frames(data: &[u8]) {
    let mut rebuilt = Vec::with_capacity(data.len());
    let mut clean = true;
    for item in codec::decode_frames(data) {
        match item {
            Ok(message) => {
                round_trips(&message, "a frame");
                if let Err(e) = codec::append_frame(&mut rebuilt, &message) {
                    panic!(
                        "tap_frames: a decoded message cannot be framed again: {e}\n{message:#?}"
                    );
                }
            }
            Err(e) => {
                offset_within(&e, data, "decode_frames");
                clean = false;
            }
        }
    }
    if clean {
        assert_eq!(
            rebuilt, data,
            "tap_frames: re-framing an error-free buffer changed the bytes"
        );
    }
}

/// `data` with its last four bytes replaced by the CRC-32 of the bytes before them.
fn with_crc_repaired(data: &[u8]) -> Vec<u8> {
    let mut repaired = data.to_vec();
    repair_crc(&mut repaired);
    repaired
}

fn repair_crc(message: &mut [u8]) {
    let Some(body_len) = message.len().checked_sub(4) else {
        return;
    };
    let (body, crc) = message.split_at_mut(body_len);
    crc.copy_from_slice(&crc32fast::hash(body).to_le_bytes());
}

/// `data` with the CRC of every frame the length prefixes delimit repaired; stops where a
/// prefix points past the end, as the decoder does.
fn with_frame_crcs_repaired(data: &[u8]) -> Vec<u8> {
    let mut repaired = data.to_vec();
    let mut rest = repaired.as_mut_slice();
    while let Some((prefix, after)) = rest.split_first_chunk_mut::<4>() {
        let len = usize::try_from(u32::from_le_bytes(*prefix)).unwrap_or(usize::MAX);
        if len > after.len() {
            break;
        }
        let (frame, next) = after.split_at_mut(len);
        repair_crc(frame);
        rest = next;
    }
    repaired
}

/// A message some decoder accepted is valid and survives both encodings unchanged.
fn round_trips(message: &TapMessage, origin: &str) {
    if let Err(e) = codec::validate(message) {
        panic!("tap_message: a message decoded from {origin} fails validate: {e}\n{message:#?}");
    }
    let bytes = codec::encode_binary(message).unwrap_or_else(|e| {
        panic!("tap_message: a valid message from {origin} cannot be encoded: {e}")
    });
    match codec::decode_binary(&bytes) {
        Ok(back) => assert_eq!(
            &back, message,
            "tap_message: binary round trip of {origin} changed the message"
        ),
        Err(e) => panic!(
            "tap_message: the binary encoding of {origin} does not decode: {e}\n{message:#?}"
        ),
    }
    let json = codec::encode_json(message);
    match codec::decode_json(&json) {
        Ok(back) => assert_eq!(
            &back, message,
            "tap_message: JSON round trip of {origin} changed the message"
        ),
        Err(e) => panic!("tap_message: the JSON encoding of {origin} does not decode: {e}\n{json}"),
    }
}

fn offset_within(e: &BinaryError, data: &[u8], decoder: &str) {
    assert!(
        e.offset <= data.len(),
        "{decoder}: error offset {} is past the end ({} bytes): {e}",
        e.offset,
        data.len()
    );
}

/// The back office over one generated day of taps, on any bytes.
///
/// - The bytes become a day ([`simulate::plan_from`]: every input is a valid day) and what is
///   left of them a shuffled upload order with duplicate uploads ([`simulate::upload_order`]).
/// - The day runs twice through a fresh back office: taps in arrival (tap-time) order, and in
///   the shuffled order with the duplicates. The back office accepts every tap and prices
///   every journey (an error on taps made from the rule set's own network is a finding).
/// - GBO-04: every tap is new once and each duplicate is recognised as one; both runs deliver
///   byte-identical operator reports (JSON and CSV) and settlement.
/// - SET-02: the settlement balances and reconciles with every operator's report.
/// - FARE-11 / GBO-02: 0 ≤ fare ≤ maximum for every journey, shares sum to the total.
/// - EMV-07 / GBO-01: the day holds exactly the uploaded taps, each check-in in exactly one
///   leg, every other travel tap used once, refused taps never.
///
/// The same properties, with proptest's shrinking, are in `tests/backoffice_properties.rs`.
pub fn backoffice_day(data: &[u8]) {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(nl_2024);
    let mut u = Unstructured::new(data);
    let Ok(plan) = simulate::plan_from(rules, &mut u) else {
        return;
    };
    let taps = simulate::taps(&plan);
    let Ok((order, duplicates)) = simulate::upload_order(&mut u, taps.len()) else {
        return;
    };
    let arrival: Vec<usize> = (0..taps.len()).collect();
    let run = |order: &[usize], duplicates: &[usize]| {
        simulate::run_day(rules, &plan, order, duplicates).unwrap_or_else(|e| {
            panic!("backoffice_day: the back office failed on a generated day: {e}\n{plan:#?}")
        })
    };
    let online = run(&arrival, &[]);
    let offline = run(&order, &duplicates);
    let counts = |o: &simulate::DayOutcome| (o.uploads.new, o.uploads.duplicate);
    assert_eq!(
        (counts(&online), counts(&offline)),
        ((taps.len(), 0), (taps.len(), duplicates.len())),
        "backoffice_day: GBO-04: (new, duplicate) uploads are wrong"
    );
    let (expected, got) = (online.files(), offline.files());
    if expected != got {
        let changed: Vec<&String> = expected
            .keys()
            .chain(got.keys())
            .filter(|name| expected.get(*name) != got.get(*name))
            .collect();
        panic!(
            "backoffice_day: GBO-04: upload order {order:?} with duplicates {duplicates:?} \
             changed {changed:?}\n{plan:#?}"
        );
    }
    if let Err(e) = online.check(rules, &taps) {
        panic!("backoffice_day: {e}\n{plan:#?}");
    }
}
