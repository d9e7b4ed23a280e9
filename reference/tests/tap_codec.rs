//! Tap message codecs: round trips, one test per error with its byte offset or JSON position,
//! and the promise that binary, JSON and `validate` accept the same messages.

use jiff::Timestamp;
use ovcert_reference::Cents;
use ovcert_reference::card::CardNumber;
use ovcert_reference::oracles;
use ovcert_reference::rules::Mode;
use ovcert_reference::tap::codec::{
    self, BinaryError, BinaryErrorKind, FieldProblem, JsonError, MESSAGE_MAX, TapError,
};
use ovcert_reference::tap::{
    CardIdentity, DeviceKind, ReaderRef, TapAmounts, TapId, TapKind, TapMessage,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Fixtures

/// An NS gate check-in; its binary layout is spelled out in `check_in_layout_is_pinned`.
fn check_in() -> TapMessage {
    TapMessage {
        tap_id: TapId("NS-4711-000123".into()),
        reader: ReaderRef {
            operator: "NS".into(),
            mode: Mode::Train,
            station: "ASD".into(),
            device: 4711,
            device_kind: DeviceKind::Gate,
            vehicle: None,
        },
        at: "2024-03-01T08:00:00Z".parse().expect("fixture timestamp"),
        card: CardIdentity::OvChipkaart {
            number: CardNumber::parse("3528 0100 1234 5678").expect("fixture number"),
        },
        kind: TapKind::CheckIn,
        amounts: TapAmounts {
            charged_cents: Cents::new(2000),
            balance_after_cents: Some(Cents::new(1000)),
        },
    }
}

/// A bank card tapped on board a tram.
fn emv_on_tram() -> TapMessage {
    TapMessage {
        tap_id: TapId("GVB-88-000001".into()),
        reader: ReaderRef {
            operator: "GVB".into(),
            mode: Mode::Tram,
            station: "ASDCS".into(),
            device: 88,
            device_kind: DeviceKind::OnBoard,
            vehicle: Some("tram-2041".into()),
        },
        at: "2024-03-01T08:15:00Z".parse().expect("fixture timestamp"),
        card: CardIdentity::Emv {
            pan: "5413330089020011".into(),
            pan_sequence: 1,
            expiry: "2712".into(),
        },
        kind: TapKind::Emv,
        amounts: TapAmounts::default(),
    }
}

fn encoded(message: &TapMessage) -> Vec<u8> {
    codec::encode_binary(message).expect("fixture is valid")
}

/// Where `needle` first occurs in `bytes`: finds fields of the variable-length fixtures.
fn position_of(bytes: &[u8], needle: &[u8]) -> usize {
    bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle is in the encoding")
}

fn patched(mut bytes: Vec<u8>, at: usize, with: &[u8]) -> Vec<u8> {
    bytes.splice(at..at + with.len(), with.iter().copied());
    bytes
}

fn field(field: &'static str, problem: FieldProblem) -> BinaryErrorKind {
    BinaryErrorKind::InvalidField(TapError { field, problem })
}

/// The one assertion of the binary error tests: the error, its offset, and that the message
/// names the offset.
#[track_caller]
fn check_binary_error(bytes: &[u8], offset: usize, kind: BinaryErrorKind) {
    let expected = BinaryError { offset, kind };
    let actual = codec::decode_binary(bytes);
    assert_eq!(actual, Err(expected.clone()));
    assert!(
        expected.to_string().contains(&format!("at byte {offset}:")),
        "{expected}"
    );
}

#[track_caller]
fn check_json_error(text: &str, line: usize, column: usize, message_contains: &str) {
    match codec::decode_json(text) {
        Ok(message) => panic!("accepted {text}\nas {message:?}"),
        Err(JsonError {
            line: l,
            column: c,
            message,
        }) => {
            assert_eq!((l, c), (line, column), "position of `{message}`");
            assert!(
                message.contains(message_contains),
                "`{message}` lacks `{message_contains}`"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies

fn arb_timestamp() -> impl Strategy<Value = Timestamp> {
    (Timestamp::MIN.as_second()..=Timestamp::MAX.as_second())
        .prop_map(|s| Timestamp::from_second(s).expect("in range"))
}

fn arb_card() -> impl Strategy<Value = CardIdentity> {
    prop_oneof![
        (0..=CardNumber::MAX).prop_map(|n| CardIdentity::OvChipkaart {
            number: CardNumber::new(n).expect("in range")
        }),
        ("[0-9]{12,19}", any::<u8>(), 0..100_u8, 1..=12_u8).prop_map(
            |(pan, pan_sequence, yy, mm)| {
                CardIdentity::Emv {
                    pan,
                    pan_sequence,
                    expiry: format!("{yy:02}{mm:02}"),
                }
            }
        ),
    ]
}

fn arb_reader() -> impl Strategy<Value = ReaderRef> {
    let vehicle =
        prop::option::of(prop::collection::vec(any::<char>(), 1..=8).prop_map(String::from_iter));
    (
        "[!-~]{1,6}",
        prop::sample::select(Mode::ALL.to_vec()),
        "[!-~]{1,8}",
        any::<u32>(),
        prop::sample::select(vec![
            DeviceKind::Pole,
            DeviceKind::Gate,
            DeviceKind::OnBoard,
        ]),
        vehicle,
    )
        .prop_map(
            |(operator, mode, station, device, device_kind, vehicle)| ReaderRef {
                operator: operator.into(),
                mode,
                station: station.into(),
                device,
                device_kind,
                vehicle: vehicle.map(Into::into),
            },
        )
}

fn arb_kind() -> impl Strategy<Value = TapKind> {
    prop::sample::select(vec![
        TapKind::CheckIn,
        TapKind::CheckOut,
        TapKind::MissingCheckOut,
        TapKind::Refused,
        TapKind::Emv,
    ])
}

/// Every valid message: each field ranges over all the values `validate` accepts.
fn arb_tap_message() -> impl Strategy<Value = TapMessage> {
    let amounts =
        (any::<i64>(), prop::option::of(any::<i64>())).prop_map(|(charged, balance)| TapAmounts {
            charged_cents: Cents::new(charged),
            balance_after_cents: balance.map(Cents::new),
        });
    (
        "[!-~]{1,40}",
        arb_reader(),
        arb_timestamp(),
        arb_card(),
        arb_kind(),
        amounts,
    )
        .prop_map(|(tap_id, reader, at, card, kind, amounts)| TapMessage {
            tap_id: TapId(tap_id.into()),
            reader,
            at,
            card,
            kind,
            amounts,
        })
}

/// Messages near and over the edges of validity, to compare who accepts what.
fn arb_edgy_message() -> impl Strategy<Value = TapMessage> {
    let text = |max: usize| {
        prop::collection::vec(
            prop_oneof![Just('A'), Just(' '), Just('é'), Just('\n')],
            0..=max,
        )
        .prop_map(String::from_iter)
    };
    let card =
        ("[0-9x]{10,21}", "[0-9]{2}[0-9x]{1,3}").prop_map(|(pan, expiry)| CardIdentity::Emv {
            pan,
            pan_sequence: 0,
            expiry,
        });
    let at = prop_oneof![Just(0), Just(1), Just(999_999_999)]
        .prop_map(|ns| Timestamp::new(0, ns).expect("in range"));
    (
        text(42),
        text(8),
        text(10),
        prop::option::of(text(34)),
        at,
        prop_oneof![arb_card(), card],
    )
        .prop_map(|(tap_id, operator, station, vehicle, at, card)| {
            let mut m = check_in();
            m.tap_id = TapId(tap_id.into());
            m.reader.operator = operator.into();
            m.reader.station = station.into();
            m.reader.vehicle = vehicle.map(Into::into);
            m.at = at;
            m.card = card;
            m
        })
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #[test]
    fn binary_round_trips(message in arb_tap_message()) {
        let bytes = codec::encode_binary(&message).expect("generated messages are valid");
        prop_assert!(bytes.len() <= MESSAGE_MAX, "{} > MESSAGE_MAX", bytes.len());
        prop_assert_eq!(codec::decode_binary(&bytes), Ok(message));
    }

    #[test]
    fn json_round_trips(message in arb_tap_message()) {
        let json = codec::encode_json(&message);
        prop_assert_eq!(codec::decode_json(&json), Ok(message));
    }

    #[test]
    fn frames_round_trip(messages in prop::collection::vec(arb_tap_message(), 0..5)) {
        let mut buffer = Vec::new();
        for message in &messages {
            codec::append_frame(&mut buffer, message).expect("generated messages are valid");
        }
        let decoded: Result<Vec<_>, _> = codec::decode_frames(&buffer).collect();
        prop_assert_eq!(decoded, Ok(messages));
    }

    #[test]
    fn validate_binary_and_json_accept_the_same_messages(message in arb_edgy_message()) {
        let valid = codec::validate(&message);
        prop_assert_eq!(codec::encode_binary(&message).map(|_| ()), valid.clone());
        let from_json = codec::decode_json(&codec::encode_json(&message));
        prop_assert_eq!(from_json.is_ok(), valid.is_ok(), "{:?} / {:?}", from_json, valid);
        oracles::tap_message(&codec::encode_binary(&message).unwrap_or_default());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        oracles::tap_message(&bytes);
        oracles::tap_frames(&bytes);
    }

    #[test]
    fn corrupted_encodings_never_panic(
        message in arb_tap_message(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        keep in any::<prop::sample::Index>(),
    ) {
        let bytes = encoded(&message);
        let mut flipped = bytes.clone();
        if let Some(b) = flipped.get_mut(at.index(bytes.len())) {
            *b = byte;
        }
        oracles::tap_message(&flipped);
        oracles::tap_message(&bytes[..keep.index(bytes.len())]);
        let mut frames = Vec::new();
        codec::append_frame(&mut frames, &message).expect("valid");
        frames.extend_from_slice(&flipped);
        oracles::tap_frames(&frames);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        oracles::tap_message(text.as_bytes());
    }
}

// ---------------------------------------------------------------------------------------------
// Binary layout and errors

#[test]
fn check_in_layout_is_pinned() {
    let bytes = encoded(&check_in());
    let mut expected = Vec::new();
    expected.extend_from_slice(b"OVTP\x01"); // 0: magic, version
    expected.extend_from_slice(b"\x0eNS-4711-000123"); // 5: tap_id
    expected.extend_from_slice(b"\x02NS\x01\x03ASD"); // 20: operator, mode train, station
    expected.extend_from_slice(&4711_u32.to_le_bytes()); // 28: device
    expected.extend_from_slice(b"\x02\x00"); // 32: gate, no vehicle
    expected.extend_from_slice(&1_709_280_000_i64.to_le_bytes()); // 34: at
    expected.push(1); // 42: OV-chipkaart
    expected.extend_from_slice(&3_528_010_012_345_678_u64.to_le_bytes()); // 43: number
    expected.push(1); // 51: check-in
    expected.extend_from_slice(&2000_i64.to_le_bytes()); // 52: charged
    expected.push(1); // 60: balance present
    expected.extend_from_slice(&1000_i64.to_le_bytes()); // 61: balance
    expected.extend_from_slice(&crc32fast::hash(&expected).to_le_bytes()); // 69: crc
    assert_eq!(bytes, expected);
    assert_eq!(bytes.len(), 73);
}

#[test]
fn truncated_reports_the_field_that_does_not_fit() {
    let bytes = encoded(&check_in());
    check_binary_error(
        &[],
        0,
        BinaryErrorKind::Truncated {
            field: "magic",
            needed: 4,
            available: 0,
        },
    );
    check_binary_error(
        &bytes[..40],
        34,
        BinaryErrorKind::Truncated {
            field: "at",
            needed: 8,
            available: 6,
        },
    );
    check_binary_error(
        &bytes[..72],
        69,
        BinaryErrorKind::Truncated {
            field: "crc",
            needed: 4,
            available: 3,
        },
    );
    // A length byte promising more than there is.
    check_binary_error(
        &bytes[..10],
        6,
        BinaryErrorKind::Truncated {
            field: "tap_id",
            needed: 14,
            available: 4,
        },
    );
}

#[test]
fn bad_magic_is_reported_at_0() {
    let bytes = patched(encoded(&check_in()), 0, b"OVCK");
    check_binary_error(&bytes, 0, BinaryErrorKind::BadMagic { found: *b"OVCK" });
}

#[test]
fn unsupported_version_is_reported_at_4() {
    let bytes = patched(encoded(&check_in()), 4, &[2]);
    check_binary_error(&bytes, 4, BinaryErrorKind::UnsupportedVersion(2));
}

#[test]
fn invalid_enum_is_reported_at_its_byte() {
    let cases: [(usize, u8, &str); 5] = [
        (23, 6, "reader.mode"),
        (32, 0, "reader.device_kind"),
        (42, 3, "card.type"),
        (51, 9, "kind"),
        (60, 2, "amounts.balance_after_cents"),
    ];
    for (offset, value, field) in cases {
        let bytes = patched(encoded(&check_in()), offset, &[value]);
        check_binary_error(
            &bytes,
            offset,
            BinaryErrorKind::InvalidEnum { field, value },
        );
    }
}

#[test]
fn bad_length_is_reported_at_the_length_byte() {
    let bytes = patched(encoded(&check_in()), 5, &[0]);
    check_binary_error(
        &bytes,
        5,
        field(
            "tap_id",
            FieldProblem::BadLength {
                len: 0,
                min: 1,
                max: 40,
            },
        ),
    );
    let bytes = patched(encoded(&check_in()), 20, &[7]);
    check_binary_error(
        &bytes,
        20,
        field(
            "reader.operator",
            FieldProblem::BadLength {
                len: 7,
                min: 1,
                max: 6,
            },
        ),
    );
    let bytes = patched(encoded(&check_in()), 33, &[33]);
    check_binary_error(
        &bytes,
        33,
        field(
            "reader.vehicle",
            FieldProblem::BadLength {
                len: 33,
                min: 0,
                max: 32,
            },
        ),
    );
    let emv = encoded(&emv_on_tram());
    let pan_len_at = position_of(&emv, b"5413") - 1;
    let bytes = patched(emv, pan_len_at, &[11]);
    check_binary_error(
        &bytes,
        pan_len_at,
        field(
            "card.pan",
            FieldProblem::BadLength {
                len: 11,
                min: 12,
                max: 19,
            },
        ),
    );
}

#[test]
fn not_printable_ascii_is_reported_at_the_byte() {
    let bytes = patched(encoded(&check_in()), 8, b" ");
    check_binary_error(
        &bytes,
        8,
        field(
            "tap_id",
            FieldProblem::NotPrintableAscii {
                index: 2,
                byte: b' ',
            },
        ),
    );
    let bytes = patched(encoded(&check_in()), 26, &[0xc3]);
    check_binary_error(
        &bytes,
        26,
        field(
            "reader.station",
            FieldProblem::NotPrintableAscii {
                index: 1,
                byte: 0xc3,
            },
        ),
    );
}

#[test]
fn vehicle_not_utf8_is_reported_at_the_byte() {
    let bytes = encoded(&emv_on_tram());
    let at = position_of(&bytes, b"tram-2041") + 4;
    let bytes = patched(bytes, at, &[0xff]);
    check_binary_error(
        &bytes,
        at,
        field("reader.vehicle", FieldProblem::NotUtf8 { index: 4 }),
    );
}

#[test]
fn invalid_pan_is_reported_at_the_non_digit() {
    let bytes = encoded(&emv_on_tram());
    let at = position_of(&bytes, b"5413") + 3;
    let bytes = patched(bytes, at, b"x");
    check_binary_error(
        &bytes,
        at,
        field(
            "card.pan",
            FieldProblem::NotDigit {
                index: 3,
                byte: b'x',
            },
        ),
    );
}

#[test]
fn invalid_expiry_is_reported_at_the_month() {
    let bytes = encoded(&emv_on_tram());
    let expiry_at = position_of(&bytes, b"2712");
    let bytes = patched(bytes, expiry_at, b"2713");
    check_binary_error(
        &bytes,
        expiry_at + 2,
        field("card.expiry", FieldProblem::BadMonth { month: 13 }),
    );
    let bytes = patched(encoded(&emv_on_tram()), expiry_at, b"27-2");
    check_binary_error(
        &bytes,
        expiry_at + 2,
        field(
            "card.expiry",
            FieldProblem::NotDigit {
                index: 2,
                byte: b'-',
            },
        ),
    );
}

#[test]
fn invalid_timestamp_is_reported_at_34() {
    let bytes = patched(encoded(&check_in()), 34, &i64::MAX.to_le_bytes());
    check_binary_error(
        &bytes,
        34,
        BinaryErrorKind::InvalidTimestamp { seconds: i64::MAX },
    );
}

#[test]
fn card_number_over_16_digits_is_reported_at_43() {
    let value = CardNumber::MAX + 1;
    let bytes = patched(encoded(&check_in()), 43, &value.to_le_bytes());
    check_binary_error(&bytes, 43, BinaryErrorKind::InvalidCardNumber { value });
}

#[test]
fn bad_crc_is_reported_at_the_crc() {
    let bytes = encoded(&check_in());
    let stored = u32::from_le_bytes(bytes[69..73].try_into().expect("4 bytes"));
    // A flipped balance bit parses fine; only the CRC notices.
    let corrupt = patched(bytes, 61, &[0xe9]);
    let computed = crc32fast::hash(&corrupt[..69]);
    check_binary_error(&corrupt, 69, BinaryErrorKind::BadCrc { stored, computed });
}

#[test]
fn trailing_bytes_are_reported_after_the_crc() {
    let mut bytes = encoded(&check_in());
    bytes.extend_from_slice(b"xy");
    check_binary_error(&bytes, 73, BinaryErrorKind::TrailingBytes { count: 2 });
}

#[test]
fn encoders_refuse_what_validate_refuses() {
    let cases: Vec<(TapMessage, TapError)> = vec![
        (
            TapMessage {
                tap_id: TapId("N".repeat(41).into()),
                ..check_in()
            },
            TapError {
                field: "tap_id",
                problem: FieldProblem::BadLength {
                    len: 41,
                    min: 1,
                    max: 40,
                },
            },
        ),
        (
            TapMessage {
                at: Timestamp::new(1_709_280_000, 500).expect("in range"),
                ..check_in()
            },
            TapError {
                field: "at",
                problem: FieldProblem::SubSecond { nanos: 500 },
            },
        ),
        (
            TapMessage {
                reader: ReaderRef {
                    vehicle: Some("".into()),
                    ..check_in().reader
                },
                ..check_in()
            },
            TapError {
                field: "reader.vehicle",
                problem: FieldProblem::BadLength {
                    len: 0,
                    min: 1,
                    max: 32,
                },
            },
        ),
        (
            TapMessage {
                card: CardIdentity::Emv {
                    pan: "1234".into(),
                    pan_sequence: 0,
                    expiry: "2712".into(),
                },
                ..check_in()
            },
            TapError {
                field: "card.pan",
                problem: FieldProblem::BadLength {
                    len: 4,
                    min: 12,
                    max: 19,
                },
            },
        ),
    ];
    for (message, error) in cases {
        assert_eq!(codec::validate(&message), Err(error.clone()));
        assert_eq!(codec::encode_binary(&message), Err(error.clone()));
        let mut buffer = b"kept".to_vec();
        assert_eq!(codec::append_frame(&mut buffer, &message), Err(error));
        assert_eq!(buffer, b"kept", "a refused frame leaves the buffer alone");
    }
}

// ---------------------------------------------------------------------------------------------
// Frames

#[test]
fn a_bad_message_costs_only_its_frame_and_offsets_are_absolute() {
    let mut buffer = Vec::new();
    codec::append_frame(&mut buffer, &check_in()).expect("valid");
    let second_at = buffer.len() + 4;
    codec::append_frame(&mut buffer, &check_in()).expect("valid");
    codec::append_frame(&mut buffer, &emv_on_tram()).expect("valid");
    buffer[second_at + 23] = 6; // the second message's mode
    let decoded: Vec<_> = codec::decode_frames(&buffer).collect();
    assert_eq!(
        decoded,
        vec![
            Ok(check_in()),
            Err(BinaryError {
                offset: second_at + 23,
                kind: BinaryErrorKind::InvalidEnum {
                    field: "reader.mode",
                    value: 6
                }
            }),
            Ok(emv_on_tram()),
        ]
    );
}

#[test]
fn a_bad_frame_length_ends_the_buffer() {
    let mut buffer = Vec::new();
    codec::append_frame(&mut buffer, &check_in()).expect("valid");
    let end = buffer.len();
    buffer.extend_from_slice(&0_u32.to_le_bytes());
    codec::append_frame(&mut buffer, &check_in()).expect("valid");
    let decoded: Vec<_> = codec::decode_frames(&buffer).collect();
    let error = BinaryError {
        offset: end,
        kind: BinaryErrorKind::BadFrameLength {
            len: 0,
            max: MESSAGE_MAX,
        },
    };
    assert_eq!(decoded, vec![Ok(check_in()), Err(error)]);
}

#[test]
fn a_truncated_frame_is_reported_where_it_starts() {
    let mut buffer = Vec::new();
    codec::append_frame(&mut buffer, &check_in()).expect("valid");
    let cut = &buffer[..50];
    let decoded: Vec<_> = codec::decode_frames(cut).collect();
    let kind = BinaryErrorKind::Truncated {
        field: "frame",
        needed: 73,
        available: 46,
    };
    assert_eq!(decoded, vec![Err(BinaryError { offset: 4, kind })]);
    let decoded: Vec<_> = codec::decode_frames(&buffer[..3]).collect();
    let kind = BinaryErrorKind::Truncated {
        field: "frame length",
        needed: 4,
        available: 3,
    };
    assert_eq!(decoded, vec![Err(BinaryError { offset: 0, kind })]);
    assert_eq!(codec::decode_frames(&[]).count(), 0);
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_form_is_pinned() {
    let expected = concat!(
        r#"{"tap_id":"NS-4711-000123","#,
        r#""reader":{"operator":"NS","mode":"train","station":"ASD","device":4711,"device_kind":"gate","vehicle":null},"#,
        r#""at":"2024-03-01T08:00:00Z","#,
        r#""card":{"type":"ov-chipkaart","number":"3528 0100 1234 5678"},"#,
        r#""kind":"check-in","#,
        r#""amounts":{"charged_cents":2000,"balance_after_cents":1000}}"#,
    );
    assert_eq!(codec::encode_json(&check_in()), expected);
    assert_eq!(codec::decode_json(expected), Ok(check_in()));
}

#[test]
fn json_rejects_unknown_fields_with_position() {
    let json = codec::encode_json(&check_in());
    let top = json.replacen(r#"{"tap_id""#, r#"{"colour":1,"tap_id""#, 1);
    check_json_error(&top, 1, 9, "unknown field `colour`");
    let nested = json.replacen(r#""device":4711"#, r#""device":4711,"floor":2"#, 1);
    let column = nested.find(r#""floor""#).expect("inserted") + r#""floor""#.len();
    check_json_error(&nested, 1, column, "unknown field `floor`");
}

#[test]
fn json_rejects_invalid_pans_with_position() {
    let short = TapMessage {
        card: CardIdentity::Emv {
            pan: "54133300".into(),
            pan_sequence: 1,
            expiry: "2712".into(),
        },
        ..emv_on_tram()
    };
    let pretty = serde_json::to_string_pretty(&short).expect("serialisable");
    // The card object is read whole (its "type" may come last), so the position is its end.
    let (line, column) = line_and_column_after(&pretty, "\"expiry\": \"2712\"\n  }");
    check_json_error(
        &pretty,
        line,
        column,
        "`card.pan` is 8 bytes long, allowed are 12..=19",
    );

    let letters = TapMessage {
        card: CardIdentity::Emv {
            pan: "54133300890200AB".into(),
            pan_sequence: 1,
            expiry: "2712".into(),
        },
        ..emv_on_tram()
    };
    let json = codec::encode_json(&letters);
    let (line, column) = line_and_column_after(&json, r#""expiry":"2712"}"#);
    check_json_error(&json, line, column, "`card.pan` has byte 0x41 at index 14");
}

#[test]
fn json_rejects_other_invalid_fields_with_position() {
    let json = codec::encode_json(&check_in());
    let sub_second = json.replacen("08:00:00Z", "08:00:00.25Z", 1);
    let (line, column) = line_and_column_after(&sub_second, r#""at":"2024-03-01T08:00:00.25Z""#);
    check_json_error(
        &sub_second,
        line,
        column,
        "`at` has 250000000 ns past the second",
    );

    let spaced = json.replacen("NS-4711-000123", "NS 4711", 1);
    check_json_error(&spaced, 1, 19, "`tap_id` has byte 0x20 at index 2");

    let expired = codec::encode_json(&emv_on_tram()).replacen("2712", "2700", 1);
    let (line, column) = line_and_column_after(&expired, r#""expiry":"2700"}"#);
    check_json_error(&expired, line, column, "`card.expiry` has month 00");

    check_json_error(
        "{\n  \"tap_id\": 7",
        2,
        13,
        "invalid type: integer `7`, expected a string",
    );
    check_json_error(
        &format!("{json} x"),
        1,
        json.len() + 2,
        "trailing characters",
    );
}

/// 1-based line and column of the last character of the first `needle` in `text`, which is
/// where serde_json reports an error in the value that ends there.
fn line_and_column_after(text: &str, needle: &str) -> (usize, usize) {
    let end = text.find(needle).expect("needle in text") + needle.len();
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = end - before.rfind('\n').map_or(0, |i| i + 1);
    (line, column)
}
