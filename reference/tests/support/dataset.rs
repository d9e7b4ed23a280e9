//! Building a tap dataset as committed under `golden/`: taps in the order written, the
//! OV-chipkaart profiles, and the two files they make (`taps.jsonl`, `cards.json`). Shared by
//! the golden report tests and the diff-rules examples so both write the same format.

use std::collections::BTreeMap;

use ovcert_reference::backoffice::CardProfile;
use ovcert_reference::card::CardNumber;
use ovcert_reference::rules::Mode;
use ovcert_reference::tap::codec;
use ovcert_reference::tap::{
    CardIdentity, DeviceKind, ReaderRef, TapAmounts, TapId, TapKind, TapMessage,
};
use ovcert_reference::time::parse_instant;

/// Taps and card profiles, in the order a dataset's builder adds them.
#[derive(Default)]
pub struct Dataset {
    pub taps: Vec<TapMessage>,
    pub cards: BTreeMap<CardNumber, CardProfile>,
}

impl Dataset {
    /// `taps.jsonl` (one participant-JSON tap per line) and `cards.json`.
    pub fn files(&self) -> [(&'static str, String); 2] {
        let mut taps: String = self
            .taps
            .iter()
            .map(|t| codec::encode_json(t) + "\n")
            .collect();
        if taps.is_empty() {
            taps.push('\n');
        }
        let mut cards = serde_json::to_string_pretty(&self.cards).unwrap();
        cards.push('\n');
        [("taps.jsonl", taps), ("cards.json", cards)]
    }

    /// An OV-chipkaart with its profile.
    pub fn ov_card(&mut self, number: &str, profile: CardProfile) -> CardIdentity {
        let number = CardNumber::parse(number).unwrap();
        self.cards.insert(number, profile);
        CardIdentity::OvChipkaart { number }
    }

    /// A tap of `kind` at `at` (local time text); its id is unique in the dataset.
    pub fn push(&mut self, card: &CardIdentity, at: &str, reader: ReaderRef, kind: TapKind) {
        let sequence = self.taps.len() + 1;
        self.taps.push(TapMessage {
            tap_id: TapId(smol_str::format_smolstr!(
                "{}-{}-{sequence:06}",
                reader.operator,
                reader.device
            )),
            reader,
            at: parse_instant(at).unwrap_or_else(|e| panic!("{at}: {e}")),
            card: card.clone(),
            kind,
            // The back office prices from the rule set, not from what readers charged.
            amounts: TapAmounts::default(),
        });
    }
}

/// An on-board reader (bus, tram, ferry) of vehicle `number`, at a stop.
pub fn on_board(operator: &str, mode: Mode, stop: &str, number: u32) -> ReaderRef {
    ReaderRef {
        operator: operator.into(),
        mode,
        station: stop.into(),
        device: 50_000 + number,
        device_kind: DeviceKind::OnBoard,
        vehicle: Some(smol_str::format_smolstr!("{}-{number}", mode.as_str())),
    }
}
