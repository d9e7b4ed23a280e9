//! Properties of OVpay payments and risk (EMV-03..05, EMV-08..16, EMV-18) over generated
//! scripts: bank cards tap at on-line and off-line readers, the bank answers as scripted, time
//! passes (minutes to months), the service looks payments up and corrects missed check-outs,
//! inspectors check cards. After every step:
//! - no automatic retry after day 62, and retries only on the schedule's days (EMV-13);
//! - a card the back office lists is never checked in at an on-line reader (EMV-05, EMV-12);
//! - payment references are well formed and unique (EMV-11);
//! - no PAN appears in any report, settlement, payment, refund, bank log, lookup result,
//!   correction, inspection view, deny list, debug output or error message (EMV-01, EMV-15);
//! - the payment engine's and the deny list's own invariants hold;
//!
//! and at the end of a script, when everything has been processed: every settled day balances
//! (SET-02) and what each card paid less refunds equals its fares, per travel day (EMV-08).
//!
//! 256 scripts per property run; the seed is fixed (override with OVCERT_PROPTEST_SEED) and
//! printed, so a failure reproduces.

mod support;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::{SignedDuration, Timestamp};
use ovcert_reference::Cents;
use ovcert_reference::backoffice::bank::{BankAnswer, BankBlock, Registration};
use ovcert_reference::backoffice::payments::reference::is_well_formed;
use ovcert_reference::backoffice::payments::service::CorrectionRequest;
use ovcert_reference::backoffice::payments::{PaymentStatus, Trigger};
use ovcert_reference::backoffice::report::operator_report;
use ovcert_reference::backoffice::tokens::TokenVault;
use ovcert_reference::backoffice::{BackOffice, CardKey};
use ovcert_reference::deny::{DenyCheck, DenyCopy, DenyKey, DenyReason, ReaderCheck};
use ovcert_reference::reader::{self, Decision, EmvCard, Presented};
use ovcert_reference::rules::{Mode, RuleSet, nl_2024};
use ovcert_reference::tap::{CardIdentity, DeviceKind, ReaderRef, TapId, TapMessage};
use ovcert_reference::time::{TravelDay, local, parse_instant};
use proptest::collection::vec;
use proptest::prelude::*;

static RULES: LazyLock<RuleSet> = LazyLock::new(nl_2024);

/// Scripts per property.
const CASES: u32 = 256;

fn config() -> ProptestConfig {
    support::seeded(CASES, 20_240_613)
}

/// The bank cards of every script: distinctive PANs that occur nowhere else.
const PANS: [&str; 3] = ["5413330057004012", "4761739001010119", "6703449876512345"];

fn emv(card: usize) -> EmvCard {
    EmvCard {
        pan: PANS[card].to_string(),
        pan_sequence: 1,
        expiry: "2912".into(),
    }
}

/// (operator, mode, station, device kind).
const READERS: [(&str, Mode, &str, DeviceKind); 7] = [
    ("NS", Mode::Train, "asd", DeviceKind::Gate),
    ("NS", Mode::Train, "ut", DeviceKind::Pole),
    ("NS", Mode::Train, "hvs", DeviceKind::Pole),
    ("GVB", Mode::Tram, "asd", DeviceKind::OnBoard),
    ("GVB", Mode::Tram, "dam", DeviceKind::OnBoard),
    ("EBS", Mode::Bus, "asd", DeviceKind::OnBoard),
    ("EBS", Mode::Bus, "purm-tp", DeviceKind::OnBoard),
];

fn reader(index: usize) -> ReaderRef {
    let (operator, mode, station, device_kind) = READERS[index];
    ReaderRef {
        operator: operator.into(),
        mode,
        station: station.into(),
        device: 200 + index as u32,
        device_kind,
        vehicle: (device_kind == DeviceKind::OnBoard)
            .then(|| smol_str::format_smolstr!("v-{operator}")),
    }
}

const ANSWERS: [BankAnswer; 6] = [
    BankAnswer::Approve,
    BankAnswer::DeclineInsufficientFunds,
    BankAnswer::DeclineLost,
    BankAnswer::DeclineStolen,
    BankAnswer::DeclineBlocked,
    BankAnswer::NoAnswer,
];

const SCHEMES: [&str; 3] = ["mastercard-virtual", "visa-physical", "maestro-physical"];

/// One step of a script.
#[derive(Debug, Clone)]
enum Step {
    Tap {
        card: usize,
        reader: usize,
    },
    Wait {
        seconds: i64,
    },
    Script {
        card: usize,
        answers: Vec<usize>,
    },
    Block {
        card: usize,
        block: Option<usize>,
    },
    Register {
        card: usize,
        scheme: usize,
        travel: bool,
    },
    Offline {
        reader: usize,
        offline: bool,
    },
    Lookup {
        card: usize,
        payment: usize,
        cents_off: i64,
    },
    LookupPan {
        card: usize,
    },
    Correct {
        card: usize,
        payment: usize,
        station: usize,
        minutes: i64,
    },
    Inspect {
        card: usize,
        consent: bool,
    },
    ListProduct {
        card: usize,
    },
    Lift {
        card: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        10 => (0..3usize, 0..READERS.len()).prop_map(|(card, reader)| Step::Tap { card, reader }),
        6 => prop_oneof![
            0..3_600i64,
            0..40_000i64,
            0..200_000i64,
            // Weeks to months: retries, the 62-day horizon, the 14-day recheck.
            86_400i64..(80 * 86_400),
        ]
        .prop_map(|seconds| Step::Wait { seconds }),
        3 => (0..3usize, vec(0..ANSWERS.len(), 1..4))
            .prop_map(|(card, answers)| Step::Script { card, answers }),
        1 => (0..3usize, prop::option::of(0..3usize))
            .prop_map(|(card, block)| Step::Block { card, block }),
        1 => (0..3usize, 0..SCHEMES.len(), prop::bool::weighted(0.8))
            .prop_map(|(card, scheme, travel)| Step::Register { card, scheme, travel }),
        1 => (0..READERS.len(), any::<bool>())
            .prop_map(|(reader, offline)| Step::Offline { reader, offline }),
        1 => (0..3usize, 0..4usize, -1..=1i64)
            .prop_map(|(card, payment, cents_off)| Step::Lookup { card, payment, cents_off }),
        1 => (0..3usize).prop_map(|card| Step::LookupPan { card }),
        1 => (0..3usize, 0..4usize, 0..READERS.len(), 1..600i64)
            .prop_map(|(card, payment, station, minutes)| Step::Correct { card, payment, station, minutes }),
        1 => (0..3usize, any::<bool>()).prop_map(|(card, consent)| Step::Inspect { card, consent }),
        1 => (0..3usize).prop_map(|card| Step::ListProduct { card }),
        1 => (0..3usize).prop_map(|card| Step::Lift { card }),
    ]
}

fn script() -> impl Strategy<Value = Vec<Step>> {
    vec(step(), 1..40)
}

/// A deployment of the reference, as the in-process SUT runs it: readers with their own
/// deny-list copies and off-line buffers, the back office with its payment engine.
struct Deployment {
    office: BackOffice,
    now: Timestamp,
    copies: Vec<DenyCopy>,
    offline: Vec<bool>,
    buffers: Vec<Vec<TapMessage>>,
    sequence: u32,
    /// Everything the system said, to search for PANs.
    said: Vec<String>,
}

impl Deployment {
    fn new() -> Deployment {
        let vault = TokenVault::from_hex(&RULES.ovpay.token_key_hex)
            .unwrap()
            .with_retention(SignedDuration::from_hours(i64::from(
                RULES.ovpay.pan_retention_h,
            )));
        Deployment {
            office: BackOffice::new(vault),
            now: parse_instant("2024-06-10 06:00").unwrap(),
            copies: vec![DenyCopy::default(); READERS.len()],
            offline: vec![false; READERS.len()],
            buffers: vec![Vec::new(); READERS.len()],
            sequence: 0,
            said: Vec::new(),
        }
    }

    fn run(&mut self) {
        self.office.purge(self.now);
        self.office
            .run_payments(&RULES, self.now)
            .unwrap_or_else(|e| panic!("the payment engine failed: {e}"));
    }

    fn token(&self, card: usize) -> ovcert_reference::backoffice::tokens::CardToken {
        self.office.token_of(PANS[card], 1).unwrap()
    }

    fn key(&self, card: usize) -> DenyKey {
        DenyKey::Token {
            token: self.token(card),
        }
    }

    /// A tap, as the in-process SUT makes it; returns an error text when a listed card was
    /// checked in at an on-line reader.
    fn tap(&mut self, card: usize, index: usize) -> Result<(), String> {
        self.run();
        let reader = reader(index);
        let card_data = emv(card);
        let online = !self.offline[index];
        if online {
            self.office
                .check_at_tap(&RULES, &card_data.pan, 1, self.now)
                .unwrap();
            self.copies[index].sync(self.office.deny_list());
        }
        self.sequence += 1;
        let tap_id = TapId(smol_str::format_smolstr!(
            "{}-{}-{:06}",
            reader.operator,
            reader.device,
            self.sequence
        ));
        let identity = CardIdentity::Emv {
            pan: card_data.pan.clone(),
            pan_sequence: 1,
            expiry: card_data.expiry.clone(),
        };
        let listed = self.office.deny_list().reason(&self.key(card));
        let checking_out = self.office.has_open_leg(&identity, &reader, self.now);
        let office = &self.office;
        let token_of = |pan: &str, seq: u8| office.token_of(pan, seq);
        let check = ReaderCheck {
            copy: &self.copies[index],
            token_of: &token_of,
            online: office,
        };
        let outcome = reader::tap(
            &RULES,
            &reader,
            &check,
            self.now,
            tap_id,
            &[Presented::Emv(&card_data)],
        );
        // What the reader shows (its record to the back office carries the PAN by design,
        // EMV-01: the back office tokenises it at once).
        self.said
            .push(serde_json::to_string(&(&outcome.decision, &outcome.display)).unwrap());
        // EMV-05 / EMV-12: at an on-line reader a listed card is refused unless it checks out.
        if online
            && let Some(reason) = listed
            && outcome.decision == Decision::BankCardAccepted
            && !checking_out
        {
            return Err(format!(
                "card {card} listed for {reason:?} was checked in at {index} at {}",
                self.now
            ));
        }
        if let Some(record) = outcome.record {
            if online {
                self.office.ingest(record).unwrap();
            } else {
                self.buffers[index].push(record);
            }
        }
        self.run();
        Ok(())
    }

    fn set_offline(&mut self, index: usize, offline: bool) {
        self.offline[index] = offline;
        if !offline {
            for record in std::mem::take(&mut self.buffers[index]) {
                self.office.ingest(record).unwrap();
            }
            self.run();
            self.copies[index].sync(self.office.deny_list());
        }
    }

    fn apply(&mut self, step: &Step) -> Result<(), String> {
        match *step {
            Step::Tap { card, reader } => return self.tap(card, reader),
            Step::Wait { seconds } => {
                self.now += SignedDuration::from_secs(seconds);
                self.run();
            }
            Step::Script { card, ref answers } => {
                let answers: Vec<BankAnswer> = answers.iter().map(|&a| ANSWERS[a]).collect();
                let token = self.token(card);
                self.office.bank_mut().script(&token, &answers).unwrap();
            }
            Step::Block { card, block } => {
                let token = self.token(card);
                let block =
                    block.map(|b| [BankBlock::Lost, BankBlock::Stolen, BankBlock::Other][b]);
                self.office.bank_mut().set_block(&token, block);
                self.run();
            }
            Step::Register {
                card,
                scheme,
                travel,
            } => {
                let token = self.token(card);
                self.office.bank_mut().register(
                    &token,
                    Registration {
                        scheme: SCHEMES[scheme].into(),
                        travel_function: travel,
                    },
                );
            }
            Step::Offline { reader, offline } => self.set_offline(reader, offline),
            Step::Lookup {
                card,
                payment,
                cents_off,
            } => {
                let found = self
                    .office
                    .payments()
                    .of(&self.token(card))
                    .get(payment)
                    .map(|p| (p.reference.to_string(), p.amount_cents));
                if let Some((reference, amount)) = found {
                    let amount = Cents::new(amount.get() + cents_off);
                    let answer = self
                        .office
                        .service_lookup(&RULES, &reference, amount, self.now)
                        .unwrap();
                    self.said.push(serde_json::to_string(&answer).unwrap());
                }
            }
            Step::LookupPan { card } => {
                // EMV-15: there is no way in by card number.
                for amount in [0, 856, 1712] {
                    let answer = self
                        .office
                        .service_lookup(&RULES, PANS[card], Cents::new(amount), self.now)
                        .unwrap();
                    self.said.push(serde_json::to_string(&answer).unwrap());
                }
                // A malformed PAN yields an error that does not repeat it.
                let broken = format!("{}X", PANS[card]);
                if let Err(e) = self.office.inspect(&RULES, &broken, 1, true, self.now) {
                    self.said.push(e.to_string());
                }
                let mut vault_error = self.office.clone();
                let bad = TapMessage {
                    tap_id: TapId("BAD-1".into()),
                    reader: reader(0),
                    at: self.now,
                    card: CardIdentity::Emv {
                        pan: broken,
                        pan_sequence: 1,
                        expiry: "2912".into(),
                    },
                    kind: ovcert_reference::tap::TapKind::Emv,
                    amounts: Default::default(),
                };
                if let Err(e) = vault_error.ingest(bad) {
                    self.said.push(e.to_string());
                }
            }
            Step::Correct {
                card,
                payment,
                station,
                minutes,
            } => {
                let token = self.token(card);
                let Some(payment) = self.office.payments().of(&token).get(payment).cloned() else {
                    return Ok(());
                };
                let key = CardKey::Ovpay(token);
                let journeys = self.office.journeys(&RULES, &key, self.now).unwrap();
                let missing = journeys
                    .priced
                    .iter()
                    .flat_map(|p| &p.journey.legs)
                    .find(|l| l.check_out.is_none())
                    .map(|l| l.check_in.at);
                let check_in_at = missing.unwrap_or(self.now);
                let request = CorrectionRequest {
                    reference: payment.reference.to_string(),
                    amount_cents: payment.amount_cents,
                    check_in_at,
                    check_out_station: READERS[station].2.into(),
                    check_out_at: check_in_at + SignedDuration::from_mins(minutes),
                };
                let outcome = self
                    .office
                    .correct_missed_check_out(&RULES, &request, self.now)
                    .unwrap();
                self.said.push(serde_json::to_string(&outcome).unwrap());
            }
            Step::Inspect { card, consent } => {
                let (_, view) = self
                    .office
                    .inspect(&RULES, PANS[card], 1, consent, self.now)
                    .unwrap();
                assert!(
                    view.transactions.len() <= RULES.ovpay.inspection_max_transactions as usize
                );
                self.said.push(serde_json::to_string(&view).unwrap());
            }
            Step::ListProduct { card } => {
                let key = self.key(card);
                self.office
                    .deny(key, DenyReason::ProductConditions, self.now);
            }
            Step::Lift { card } => {
                let key = self.key(card);
                let outcome = self.office.lift_block(&key);
                // EMV-04: a bank decision survives any lift.
                let bank = self
                    .office
                    .deny_list()
                    .entries_of(&key)
                    .iter()
                    .all(|e| e.reason.is_bank_decision());
                assert!(bank, "only bank decisions survive a lift: {outcome:?}");
            }
        }
        Ok(())
    }

    /// What the system says about the state: reports, payments, bank logs, debug output.
    fn state_texts(&self) -> Vec<String> {
        let mut texts = Vec::new();
        let payments = self.office.payments();
        texts.push(serde_json::to_string(payments.all()).unwrap());
        texts.push(serde_json::to_string(payments.all_refunds()).unwrap());
        for card in 0..PANS.len() {
            let token = self.token(card);
            texts.push(serde_json::to_string(payments.bank().requests(&token)).unwrap());
            texts.push(serde_json::to_string(payments.checks_of(&token)).unwrap());
        }
        texts.push(serde_json::to_string(self.office.deny_list()).unwrap());
        texts.push(serde_json::to_string(&self.office.taps()).unwrap());
        texts.push(format!("{:?}", self.office));
        texts
    }

    fn check(&self) -> Result<(), String> {
        let payments = self.office.payments();
        payments.invariants(&RULES);
        self.office.deny_list().invariants();
        // EMV-13: retries only on the schedule's days, never after the horizon.
        for p in payments.all() {
            let Some(failed) = p.attempts.first().filter(|a| !a.answer.approved()) else {
                continue;
            };
            let failed_date = local(failed.at).date();
            for attempt in &p.attempts {
                if let Trigger::Retry { day } = attempt.trigger {
                    let days = failed_date
                        .until(local(attempt.at).date())
                        .unwrap()
                        .get_days();
                    if !RULES.ovpay.retry_schedule_days.contains(&day)
                        || i64::from(days) != i64::from(day)
                        || day > RULES.ovpay.retry_horizon_days
                    {
                        return Err(format!(
                            "EMV-13: retry on day {day} ({days} days after the failure) of {}",
                            p.reference
                        ));
                    }
                }
            }
        }
        // EMV-11: well-formed and unique.
        let mut references: Vec<&str> = payments
            .all()
            .iter()
            .map(|p| p.reference.as_str())
            .collect();
        if let Some(bad) = references.iter().find(|r| !is_well_formed(r)) {
            return Err(format!("EMV-11: malformed reference {bad}"));
        }
        references.sort_unstable();
        let count = references.len();
        references.dedup();
        if references.len() != count {
            return Err("EMV-11: a reference was issued twice".into());
        }
        // No PAN anywhere.
        for text in self.said.iter().chain(&self.state_texts()) {
            for pan in PANS {
                if text.contains(pan) || text.contains(&pan[4..]) {
                    return Err(format!("a PAN appears in: {text}"));
                }
            }
        }
        Ok(())
    }

    /// At the end: everything processed, every touched day settled.
    fn finish(&mut self) -> Result<(), String> {
        for index in 0..READERS.len() {
            self.set_offline(index, false);
        }
        // Past the last retry horizon and every travel day's end.
        self.now += SignedDuration::from_hours(24 * 70);
        self.run();
        self.check()?;
        let day_rule = RULES.travel_day_rule();
        let mut days: Vec<TravelDay> = self
            .office
            .taps()
            .iter()
            .map(|t| day_rule.travel_day_of(t.at))
            .collect();
        days.sort();
        days.dedup();
        for day in days {
            let run = self.office.settle(&RULES, day, self.now).unwrap();
            self.said.push(run.statement.to_json());
            if !run.statement.conservation.balanced {
                return Err(format!(
                    "SET-02: {day:?} does not balance: {:#?}",
                    run.statement
                ));
            }
            let view = self.office.day(&RULES, day, self.now).unwrap();
            for operator in ["NS", "GVB", "EBS"] {
                let report = operator_report(&self.office, &view, operator);
                self.said.push(report.to_json());
                self.said.extend(report.to_csv().into_values());
            }
        }
        // EMV-08: per card and day, payments − refunds = fares (nothing left pending).
        for card in 0..PANS.len() {
            let token = self.token(card);
            let key = CardKey::Ovpay(token.clone());
            let journeys = self.office.journeys(&RULES, &key, self.now).unwrap();
            let mut due: BTreeMap<TravelDay, i64> = BTreeMap::new();
            for p in &journeys.priced {
                *due.entry(p.journey.travel_day).or_default() += p.fare.total.get();
            }
            for p in self.office.payments().of(&token) {
                *due.entry(p.travel_day).or_default() -= p.amount_cents.get();
                if matches!(p.status, PaymentStatus::Cleared { .. }) {
                    assert_eq!(p.outstanding(), Cents::ZERO);
                }
            }
            for r in self.office.payments().refunds_of(&token) {
                *due.entry(r.travel_day).or_default() += r.amount_cents.get();
            }
            if let Some((day, left)) = due.iter().find(|(_, left)| **left != 0) {
                return Err(format!(
                    "EMV-08: card {card} day {day:?}: {left} cents not charged"
                ));
            }
        }
        self.check()
    }
}

fn run_script(steps: &[Step]) -> Result<(), String> {
    let mut deployment = Deployment::new();
    for (i, step) in steps.iter().enumerate() {
        deployment
            .apply(step)
            .and_then(|()| deployment.check())
            .map_err(|e| format!("after step {i} {step:?}: {e}"))?;
    }
    deployment.finish()
}

proptest! {
    #![proptest_config(config())]

    /// EMV-13, EMV-05/12, EMV-11, EMV-01/15, SET-02, EMV-08 over generated scripts.
    #[test]
    fn payments_retries_blocks_references_and_privacy_hold(steps in script()) {
        if let Err(e) = run_script(&steps) {
            prop_assert!(false, "{e}");
        }
    }
}

/// A regression pin for the property's core: a day-62 horizon with every answer declined
/// gives exactly the nine requests of the schedule, however long the card waits.
#[test]
fn no_retry_after_day_62_even_after_a_year() {
    let mut d = Deployment::new();
    let token = d.token(0);
    d.office
        .bank_mut()
        .set_default(&token, BankAnswer::DeclineInsufficientFunds);
    d.tap(0, 0).unwrap();
    d.now += SignedDuration::from_mins(30);
    d.tap(0, 1).unwrap();
    d.now += SignedDuration::from_hours(24 * 365);
    d.run();
    d.check().unwrap();
    let payments = d.office.payments().of(&token);
    assert_eq!(payments.len(), 1);
    assert_eq!(
        payments[0].attempts.len(),
        1 + RULES.ovpay.retry_schedule_days.len()
    );
    assert!(payments[0].is_open());
}

/// The reader-side check (EMV-05) never asks the back office's list directly: a copy that
/// missed a version still accepts, a synced one refuses.
#[test]
fn a_stale_reader_copy_decides_on_what_it_has() {
    let mut d = Deployment::new();
    d.set_offline(2, true);
    let key = d.key(1);
    d.office.deny(key, DenyReason::ProductConditions, d.now);
    d.tap(1, 2).unwrap();
    assert!(
        d.office
            .denied(&CardIdentity::Emv {
                pan: PANS[1].into(),
                pan_sequence: 1,
                expiry: "2912".into()
            })
            .is_some()
    );
    assert_eq!(d.copies[2].version, 0);
    d.set_offline(2, false);
    assert_eq!(d.copies[2].version, d.office.deny_list().version);
}
