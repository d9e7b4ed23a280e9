//! Ingestion is idempotent for the same tap and refuses a different tap under a known id
//! (GBO-04): either choice would otherwise depend on arrival order.

use jiff::Timestamp;
use ovcert_reference::backoffice::tokens::TokenVault;
use ovcert_reference::backoffice::{BackOffice, Ingested};
use ovcert_reference::card::CardNumber;
use ovcert_reference::rules::{Mode, nl_2024};
use ovcert_reference::tap::{
    CardIdentity, DeviceKind, ReaderRef, TapAmounts, TapId, TapKind, TapMessage,
};

fn tap(id: &str, station: &str, kind: TapKind) -> TapMessage {
    TapMessage {
        tap_id: TapId(id.into()),
        reader: ReaderRef {
            operator: "GVB".into(),
            mode: Mode::Tram,
            station: station.into(),
            device: 7,
            device_kind: DeviceKind::OnBoard,
            vehicle: None,
        },
        at: "2024-06-12T08:00:00Z".parse::<Timestamp>().unwrap(),
        card: CardIdentity::OvChipkaart {
            number: CardNumber::new(3528_0100_0000_0001).unwrap(),
        },
        kind,
        amounts: TapAmounts::default(),
    }
}

fn office() -> BackOffice {
    BackOffice::new(TokenVault::from_hex(&nl_2024().ovpay.token_key_hex).unwrap())
}

#[test]
fn the_same_tap_twice_is_a_duplicate() {
    let mut office = office();
    assert_eq!(
        office.ingest(tap("t1", "asd", TapKind::CheckIn)),
        Ok(Ingested::New)
    );
    assert_eq!(
        office.ingest(tap("t1", "asd", TapKind::CheckIn)),
        Ok(Ingested::Duplicate)
    );
    assert_eq!(office.taps().len(), 1);
}

#[test]
fn another_tap_under_a_known_id_is_refused_and_changes_nothing() {
    let mut office = office();
    office.ingest(tap("t2", "dam", TapKind::CheckOut)).unwrap();
    let error = office
        .ingest(tap("t2", "museumpl", TapKind::CheckOut))
        .unwrap_err();
    assert!(
        error.to_string().contains("t2") && error.to_string().contains("different tap"),
        "{error}"
    );
    assert_eq!(office.taps()[0].reader.station, "dam");
}
