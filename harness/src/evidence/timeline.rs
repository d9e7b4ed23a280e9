//! The journey timeline of a scenario: per card the taps, the journeys the back office built
//! from them with their fares, and the money that moved — captured from the system under
//! test after a scenario failed, and drawn as an inline SVG for the report.
//!
//! Capture asks the world's system through [`SystemUnderTest`] only, so the picture shows what
//! the participant's system says, whatever the target. A failing or panicking question
//! becomes a note in the timeline, never a panic: the scenario already failed and the report
//! must still be written.

mod svg;

pub use svg::{escape, render_svg};

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt as _;
use jiff::Timestamp;
use jiff::civil::Date;
use ovcert_reference::Cents;
use ovcert_reference::backoffice::journey::{Journey, Leg};
use ovcert_reference::backoffice::payments::{ChargeKind, PaymentStatus};
use ovcert_reference::backoffice::{CardJourneys, CardKey, PricedJourney, StoredTap};
use ovcert_reference::card::{Card, LogKind};
use ovcert_reference::tap::{CardIdentity, TapId, TapKind};
use serde::{Deserialize, Serialize};

use crate::sut::{PresentedCard, SutResult};
use crate::world::OvWorld;

/// At most this many cards get a lane; the rest are named in a note.
pub const CARDS_MAX: usize = 12;
/// At most this many taps, journeys and charges each per card.
pub const ITEMS_MAX: usize = 200;

/// Everything the scenario's cards did, as the system under test reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// Cards the scenario named, by name, then cards only the back office knows.
    pub cards: Vec<CardTimeline>,
    /// What could not be asked or shown: errors of the system under test, limits reached.
    pub notes: Vec<String>,
}

/// One card's lane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardTimeline {
    /// The scenario's name for the card ("V"), or how the back office knows a card the
    /// scenario did not name.
    pub name: String,
    pub kind: CardKind,
    /// What the chip says of an OV-chipkaart ("anonymous", "personal"); none for bank cards.
    pub detail: Option<String>,
    /// In tap-time order.
    pub taps: Vec<TapMark>,
    /// In order of first check-in; legs still open at the end.
    pub journeys: Vec<JourneyBar>,
    /// In time order.
    pub charges: Vec<Charge>,
    /// What could not be asked about this card.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CardKind {
    OvChipkaart,
    BankCard,
}

impl CardKind {
    pub fn label(self) -> &'static str {
        match self {
            CardKind::OvChipkaart => "OV-chipkaart",
            CardKind::BankCard => "bank card",
        }
    }
}

/// One tap the back office received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TapMark {
    pub at: Timestamp,
    pub action: TapAction,
    /// The scenario's name for the reader, when it named it.
    pub reader: Option<String>,
    /// Station id ("asd") and, when the rule set knows it, its name.
    pub station: String,
    pub station_name: Option<String>,
    pub operator: String,
    pub mode: String,
    /// OV-chipkaart taps: taken from the balance (a deposit or fare; negative when money
    /// went back). Bank-card taps move no money at the reader.
    pub charged: Option<Cents>,
    pub balance_after: Option<Cents>,
}

/// What a tap meant: the reader's decision for an OV-chipkaart, the back office's
/// qualification (EMV-06) for a bank card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TapAction {
    CheckIn,
    CheckOut,
    MissingCheckOut,
    Refused,
    SettleDebt,
    /// A bank-card tap that is part of no leg (an unmatched check-out).
    Unqualified,
}

impl TapAction {
    pub fn label(self) -> &'static str {
        match self {
            TapAction::CheckIn => "check-in",
            TapAction::CheckOut => "check-out",
            TapAction::MissingCheckOut => "missing check-out",
            TapAction::Refused => "refused",
            TapAction::SettleDebt => "settle-debt tap",
            TapAction::Unqualified => "unmatched tap",
        }
    }
}

/// A journey from its first check-in to its last check-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JourneyBar {
    pub start: Timestamp,
    /// The last check-out; the last check-in when the journey ends without one.
    pub end: Timestamp,
    pub legs: Vec<LegSpan>,
    /// What the journey costs; none for a leg still open.
    pub fare: Option<Cents>,
    /// A leg still open (its travel day has not ended).
    pub open: bool,
    pub travel_day: Option<Date>,
    /// "peak" or "off-peak".
    pub time_category: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegSpan {
    pub operator: String,
    pub mode: String,
    pub from: String,
    pub to: Option<String>,
    pub check_in: Timestamp,
    pub check_out: Option<Timestamp>,
    /// "completed", "missing-check-out", "cancelled", "station-visit".
    pub status: String,
}

/// Money that moved: a balance change on an OV-chipkaart, a payment or refund of a bank card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    pub at: Timestamp,
    /// For the traveller: negative takes (a deposit, a fare, a payment), positive gives (a
    /// load, money back, a refund).
    pub amount: Cents,
    /// "check-out", "load", "night charge", "refund", ...
    pub what: String,
    /// A payment's state ("paid", "open: debt", "cleared"); none for balance changes.
    pub status: Option<String>,
    pub balance_after: Option<Cents>,
}

// ---- capture -----------------------------------------------------------------------------

/// Asks the world's system under test what its cards did. Never panics: what cannot be
/// asked becomes a note, and the timeline holds what could.
pub async fn capture(world: &mut OvWorld) -> Timeline {
    let mut notes = Vec::new();
    let stored = ask("received taps", world.sut.received_taps(), &mut notes)
        .await
        .unwrap_or_default();
    let mut claimed: BTreeSet<TapId> = BTreeSet::new();
    let mut cards = Vec::new();
    let names: Vec<String> = world.cards.keys().cloned().collect();
    for name in names.iter().take(CARDS_MAX) {
        let lane = capture_named(world, name, &stored, &mut claimed).await;
        cards.push(lane);
    }
    if names.len() > CARDS_MAX {
        notes.push(format!(
            "{} more cards not shown: {}",
            names.len() - CARDS_MAX,
            names[CARDS_MAX..].join(", ")
        ));
    }
    // Taps of cards the scenario did not name (uploaded straight to the back office).
    let mut others: BTreeMap<CardKey, Vec<&StoredTap>> = BTreeMap::new();
    for tap in stored.iter().filter(|t| !claimed.contains(&t.tap_id)) {
        others.entry(tap.card.clone()).or_default().push(tap);
    }
    let unnamed = others.len();
    for (shown, (key, taps)) in others.into_iter().enumerate() {
        if cards.len() >= CARDS_MAX {
            notes.push(format!(
                "taps of {} more cards the scenario did not name are not shown",
                unnamed - shown
            ));
            break;
        }
        cards.push(capture_unnamed(world, &key, &taps).await);
    }
    Timeline { cards, notes }
}

/// One question to the system under test: an error or a panic becomes a note.
async fn ask<T>(
    what: &str,
    question: impl Future<Output = SutResult<T>>,
    notes: &mut Vec<String>,
) -> Option<T> {
    match AssertUnwindSafe(question).catch_unwind().await {
        Ok(Ok(answer)) => Some(answer),
        Ok(Err(error)) => {
            notes.push(format!("{what}: {error}"));
            None
        }
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            notes.push(format!("{what}: the system under test panicked: {text}"));
            None
        }
    }
}

async fn capture_named(
    world: &mut OvWorld,
    name: &str,
    stored: &[StoredTap],
    claimed: &mut BTreeSet<TapId>,
) -> CardTimeline {
    let mut notes = Vec::new();
    let presented = world.cards[name].card.clone();
    let (kind, detail, identity, mut key, mut charges) = match &presented {
        PresentedCard::OvChipkaart { image } => {
            let card = ask("reading the card", world.sut.read_card(image), &mut notes).await;
            let identity = card
                .as_ref()
                .map(|c| CardIdentity::OvChipkaart { number: c.number });
            let key = card.as_ref().map(|c| CardKey::OvChipkaart(c.number));
            let detail = card.as_ref().map(|c| kebab(&c.kind));
            let charges = card.as_ref().map(balance_changes).unwrap_or_default();
            (CardKind::OvChipkaart, detail, identity, key, charges)
        }
        PresentedCard::Emv { card } => {
            let identity = CardIdentity::Emv {
                pan: card.pan.clone(),
                pan_sequence: card.pan_sequence,
                expiry: card.expiry.clone(),
            };
            let account = ask(
                "payment account",
                world.sut.payment_account(card),
                &mut notes,
            )
            .await;
            let charges = account.map(|a| payments(&a)).unwrap_or_default();
            (CardKind::BankCard, None, Some(identity), None, charges)
        }
    };
    let journeys = match identity {
        Some(identity) => ask("journeys", world.sut.journeys(identity), &mut notes).await,
        None => None,
    };
    if let Some(j) = &journeys {
        key = Some(j.card.clone());
    }
    // A tap is this card's when the back office files it under the card, or when the
    // scenario saw this card make it (a bank card's token may be withheld over the wire).
    let taps: Vec<&StoredTap> = stored
        .iter()
        .filter(|t| {
            key.as_ref().is_some_and(|k| k == &t.card)
                || world.tap_cards.get(&t.tap_id).map(String::as_str) == Some(name)
        })
        .collect();
    claimed.extend(taps.iter().map(|t| t.tap_id.clone()));
    let mut lane = lane(
        world,
        name.to_owned(),
        kind,
        detail,
        &taps,
        journeys.as_ref(),
    );
    charges.sort_by(|a, b| (a.at, &a.what).cmp(&(b.at, &b.what)));
    lane.charges = limit(charges, "charges", &mut notes);
    lane.notes.extend(notes);
    lane
}

async fn capture_unnamed(world: &mut OvWorld, key: &CardKey, taps: &[&StoredTap]) -> CardTimeline {
    let mut notes = Vec::new();
    let (name, kind, journeys) = match key {
        CardKey::OvChipkaart(number) => {
            let identity = CardIdentity::OvChipkaart { number: *number };
            let journeys = ask("journeys", world.sut.journeys(identity), &mut notes).await;
            (format!("card {number}"), CardKind::OvChipkaart, journeys)
        }
        // Without the PAN the back office cannot be asked about a bank card's journeys.
        CardKey::Ovpay(token) => {
            let text = token.as_str();
            let short: String = text.chars().take(11).collect();
            let name = if short.len() < text.len() {
                format!("bank card {short}…")
            } else {
                format!("bank card {text}")
            };
            (name, CardKind::BankCard, None)
        }
    };
    let mut lane = lane(world, name, kind, None, taps, journeys.as_ref());
    lane.notes.extend(notes);
    lane.notes
        .push("a card the scenario did not name: taps as the back office received them".into());
    lane
}

fn lane(
    world: &OvWorld,
    name: String,
    kind: CardKind,
    detail: Option<String>,
    taps: &[&StoredTap],
    journeys: Option<&CardJourneys>,
) -> CardTimeline {
    let mut notes = Vec::new();
    let marks: Vec<TapMark> = taps.iter().map(|t| tap_mark(world, t, journeys)).collect();
    let bars = journeys.map(journey_bars).unwrap_or_default();
    CardTimeline {
        name,
        kind,
        detail,
        taps: limit(marks, "taps", &mut notes),
        journeys: limit(bars, "journeys", &mut notes),
        charges: Vec::new(),
        notes,
    }
}

fn limit<T>(mut items: Vec<T>, what: &str, notes: &mut Vec<String>) -> Vec<T> {
    if items.len() > ITEMS_MAX {
        notes.push(format!(
            "{} {what}: only the first {ITEMS_MAX} are shown",
            items.len()
        ));
        items.truncate(ITEMS_MAX);
    }
    items
}

fn tap_mark(world: &OvWorld, tap: &StoredTap, journeys: Option<&CardJourneys>) -> TapMark {
    let action = match tap.kind {
        TapKind::CheckIn => TapAction::CheckIn,
        TapKind::CheckOut => TapAction::CheckOut,
        TapKind::MissingCheckOut => TapAction::MissingCheckOut,
        TapKind::Refused => TapAction::Refused,
        TapKind::Emv => journeys
            .map(|j| qualified(j, &tap.tap_id))
            .unwrap_or(TapAction::Unqualified),
    };
    let reader = world
        .readers
        .iter()
        .find(|(_, r)| **r == *tap.reader)
        .map(|(name, _)| name.clone());
    let ov = matches!(tap.card, CardKey::OvChipkaart(_));
    TapMark {
        at: tap.at,
        action,
        reader,
        station: tap.reader.station.to_string(),
        station_name: world
            .rules
            .station(&tap.reader.station)
            .map(|s| s.name.clone()),
        operator: tap.reader.operator.to_string(),
        mode: kebab(&tap.reader.mode),
        charged: ov.then_some(tap.amounts.charged_cents),
        balance_after: tap.amounts.balance_after_cents,
    }
}

/// EMV-06 as the back office decided it: the tap starts or ends a leg, or settles a debt.
fn qualified(journeys: &CardJourneys, tap: &TapId) -> TapAction {
    if journeys.settle_debt.contains(tap) {
        return TapAction::SettleDebt;
    }
    let legs = journeys
        .built
        .journeys
        .iter()
        .flat_map(|j| &j.legs)
        .chain(&journeys.built.open);
    let mut action = TapAction::Unqualified;
    for leg in legs {
        if &leg.check_in.tap_id == tap {
            action = TapAction::CheckIn;
        } else if leg.check_out.as_ref().is_some_and(|s| &s.tap_id == tap) {
            action = TapAction::CheckOut;
        }
    }
    action
}

fn journey_bars(journeys: &CardJourneys) -> Vec<JourneyBar> {
    let priced = journeys.priced.iter().map(priced_bar);
    let open = journeys.built.open.iter().map(|leg| JourneyBar {
        start: leg.check_in.at,
        end: leg_end(leg),
        legs: vec![leg_span(leg)],
        fare: None,
        open: true,
        travel_day: None,
        time_category: None,
    });
    priced.chain(open).collect()
}

fn priced_bar(priced: &PricedJourney) -> JourneyBar {
    let Journey {
        legs, travel_day, ..
    } = &priced.journey;
    JourneyBar {
        start: priced.journey.first_check_in(),
        end: legs
            .iter()
            .map(leg_end)
            .max()
            .unwrap_or(priced.journey.first_check_in()),
        legs: legs.iter().map(leg_span).collect(),
        fare: Some(priced.fare.total),
        open: false,
        travel_day: Some(travel_day.0),
        time_category: Some(kebab(&priced.fare.time_category)),
    }
}

fn leg_end(leg: &Leg) -> Timestamp {
    leg.check_out.as_ref().map_or(leg.check_in.at, |s| s.at)
}

fn leg_span(leg: &Leg) -> LegSpan {
    LegSpan {
        operator: leg.operator.to_string(),
        mode: kebab(&leg.mode),
        from: leg.check_in.station.to_string(),
        to: leg.check_out.as_ref().map(|s| s.station.to_string()),
        check_in: leg.check_in.at,
        check_out: leg.check_out.as_ref().map(|s| s.at),
        status: kebab(&leg.status),
    }
}

/// The card's own log (CARD-08): every transaction that moved money, with the balance after.
fn balance_changes(card: &Card) -> Vec<Charge> {
    card.log
        .iter()
        .filter(|e| e.amount != Cents::ZERO)
        .map(|e| Charge {
            at: e.at,
            amount: e.amount,
            what: match e.kind {
                LogKind::CheckIn => "check-in deposit",
                LogKind::CheckOut => "check-out",
                LogKind::MissingCheckOut => "missing check-out",
                LogKind::Load => "load",
                LogKind::AutoReload => "auto-reload",
                LogKind::ProductLoad => "product",
                LogKind::Blocked => "blocked",
            }
            .to_owned(),
            status: None,
            balance_after: Some(e.balance_after),
        })
        .collect()
}

/// A bank card's payments and refunds: payments take, refunds give back.
fn payments(account: &crate::sut::payments::PaymentAccount) -> Vec<Charge> {
    let paid = account.payments.iter().map(|p| Charge {
        at: p.created_at,
        amount: Cents::ZERO
            .checked_sub(p.amount_cents)
            .unwrap_or(p.amount_cents),
        what: match &p.kind {
            ChargeKind::NightCharge => "night charge".to_owned(),
            ChargeKind::Threshold { operator } => format!("threshold charge {operator}"),
            ChargeKind::PerTrip => "per-trip charge".to_owned(),
            ChargeKind::Supplement => "supplement".to_owned(),
        },
        status: Some(match p.status {
            PaymentStatus::Paid { .. } => "paid".to_owned(),
            PaymentStatus::Open { .. } => format!("open: debt of {}", p.outstanding()),
            PaymentStatus::Cleared { .. } => "cleared".to_owned(),
        }),
        balance_after: None,
    });
    let refunds = account.refunds.iter().map(|r| Charge {
        at: r.at,
        amount: r.amount_cents,
        what: "refund".to_owned(),
        status: Some(format!(
            "set off {}, paid back {}",
            r.set_off_cents, r.paid_back_cents
        )),
        balance_after: None,
    });
    paid.chain(refunds).collect()
}

/// A value's kebab-case serde name ("off-peak", "missing-check-out").
fn kebab<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        ovcert_reference::time::parse_instant(text).expect("a local time")
    }

    fn tap(time: &str, action: TapAction, reader: &str) -> TapMark {
        TapMark {
            at: at(time),
            action,
            reader: Some(reader.to_owned()),
            station: reader.to_owned(),
            station_name: None,
            operator: "NS".to_owned(),
            mode: "train".to_owned(),
            charged: None,
            balance_after: None,
        }
    }

    /// A bank card's journey, its taps (one refused) and the night charge, with markup in
    /// its texts.
    pub(crate) fn sample() -> Timeline {
        let leg = LegSpan {
            operator: "NS".to_owned(),
            mode: "train".to_owned(),
            from: "asd".to_owned(),
            to: Some("ut".to_owned()),
            check_in: at("2024-06-12 09:20"),
            check_out: Some(at("2024-06-12 09:50")),
            status: "completed".to_owned(),
        };
        Timeline {
            cards: vec![CardTimeline {
                name: "V <&> \"x\"".to_owned(),
                kind: CardKind::BankCard,
                detail: None,
                taps: vec![
                    tap("2024-06-12 09:20", TapAction::CheckIn, "asd"),
                    tap("2024-06-12 09:50", TapAction::CheckOut, "ut"),
                    tap("2024-06-12 09:51", TapAction::Refused, "ut<script>"),
                ],
                journeys: vec![JourneyBar {
                    start: leg.check_in,
                    end: leg.check_out.expect("set"),
                    legs: vec![leg],
                    fare: Some(Cents::new(920)),
                    open: false,
                    travel_day: Some(jiff::civil::date(2024, 6, 12)),
                    time_category: Some("peak".to_owned()),
                }],
                charges: vec![Charge {
                    at: at("2024-06-13 03:05"),
                    amount: Cents::new(-920),
                    what: "night charge".to_owned(),
                    status: Some("paid".to_owned()),
                    balance_after: None,
                }],
                notes: vec!["payment account: refused <oops>".to_owned()],
            }],
            notes: vec![],
        }
    }

    #[test]
    fn a_timeline_serialises_and_reads_back() {
        let timeline = sample();
        let text = serde_json::to_string(&timeline).expect("serialises");
        let back: Timeline = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back, timeline);
    }

    /// Capture through the SUT trait against the reference: a bank card's two taps, its
    /// journey and night charge; a card whose chip cannot be read becomes a note.
    #[test]
    fn capture_asks_the_system_and_turns_errors_into_notes() {
        use std::sync::Arc;

        use ovcert_reference::reader::EmvCard;
        use ovcert_reference::rules::Mode;
        use ovcert_reference::tap::{DeviceKind, ReaderRef};

        use crate::runner::SutSource;
        use crate::world::{HeldCard, Suite, install_suite};

        let rules = Arc::new(ovcert_reference::rules::nl_2024());
        install_suite(Suite {
            factory: SutSource::in_process(&rules).factory,
            rules,
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let timeline = runtime.block_on(async {
            let mut world = <OvWorld as cucumber::World>::new().await.expect("a world");
            for (name, device) in [("asd", 1000), ("ut", 1001)] {
                let reader = ReaderRef {
                    operator: "NS".into(),
                    mode: Mode::Train,
                    station: name.into(),
                    device,
                    device_kind: DeviceKind::Pole,
                    vehicle: None,
                };
                world.readers.insert(name.to_owned(), reader);
            }
            let card = EmvCard {
                pan: "5413000000000001".to_owned(),
                pan_sequence: 1,
                expiry: "2912".to_owned(),
            };
            let held = |card: PresentedCard| HeldCard {
                card,
                expected_balance: Cents::ZERO,
            };
            world.cards.insert(
                "V".to_owned(),
                held(PresentedCard::Emv { card: card.clone() }),
            );
            world.cards.insert(
                "broken".to_owned(),
                held(PresentedCard::OvChipkaart { image: vec![0; 7] }),
            );
            for (time, reader) in [("2024-06-12 09:20", "asd"), ("2024-06-12 09:50", "ut")] {
                world.set_clock(at(time)).await;
                let reader = world.reader(reader);
                let presented = vec![PresentedCard::Emv { card: card.clone() }];
                let result = world.sut.tap(&reader, presented).await.expect("a tap");
                world.apply_tap(&["V"], result).await;
            }
            world.set_clock(at("2024-06-13 04:00")).await;
            capture(&mut world).await
        });

        let names: Vec<&str> = timeline.cards.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["V", "broken"]);
        let v = &timeline.cards[0];
        assert_eq!(v.kind, CardKind::BankCard);
        let taps: Vec<(TapAction, Option<&str>)> = v
            .taps
            .iter()
            .map(|t| (t.action, t.reader.as_deref()))
            .collect();
        assert_eq!(
            taps,
            [
                (TapAction::CheckIn, Some("asd")),
                (TapAction::CheckOut, Some("ut"))
            ]
        );
        assert_eq!(v.journeys.len(), 1);
        let fare = v.journeys[0].fare.expect("priced");
        assert_eq!(
            (v.journeys[0].start, v.journeys[0].end),
            (at("2024-06-12 09:20"), at("2024-06-12 09:50"))
        );
        let charged: Vec<(&str, Cents)> = v
            .charges
            .iter()
            .map(|c| (c.what.as_str(), c.amount))
            .collect();
        assert_eq!(
            charged,
            [(
                "night charge",
                Cents::ZERO.checked_sub(fare).expect("small")
            )]
        );
        assert!(v.notes.is_empty(), "{:?}", v.notes);
        let broken = &timeline.cards[1];
        assert!(
            broken
                .notes
                .iter()
                .any(|n| n.starts_with("reading the card: ")),
            "{:?}",
            broken.notes
        );
        assert!(broken.taps.is_empty() && broken.journeys.is_empty());
    }
}
