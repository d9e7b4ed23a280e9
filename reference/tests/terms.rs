//! The card-holder accounts (TERM-01..16, FEE-01..04) under generated scripts of loads, taps at
//! on-line and off-line readers, refunds, loss reports, settlements, fraud, ends of the usage
//! right, objections, failed debits, debt payments and missed check-out claims, with time
//! passing in between.
//!
//! Properties (256 cases each, fixed seed; override with OVCERT_PROPTEST_SEED):
//! - conservation: for every card, what came in equals the balance plus fares, fees, refunds
//!   and the rest — and each of those lines equals what the script itself saw happen (loads,
//!   reader decisions, refund and settlement outcomes), so the statement is checked against an
//!   independent book, not against itself;
//! - a card readers must refuse (its usage right ended, or blocked on the chip) never checks in;
//! - the account invariants hold after every step.
//!
//! Below them, example tests of single rules and interpretation switches.

mod support;

use std::sync::LazyLock;

use jiff::{SignedDuration, Timestamp};
use ovcert_reference::Cents;
use ovcert_reference::backoffice::BackOffice;
use ovcert_reference::backoffice::CardKey;
use ovcert_reference::backoffice::journey::LegStatus;
use ovcert_reference::backoffice::tokens::TokenVault;
use ovcert_reference::card::{CardKind, CardNumber, Holder, image};
use ovcert_reference::fees::{DebitPurpose, PaymentMethod};
use ovcert_reference::machine::{self, IssueRequest, LoadChannel, MachineOutcome};
use ovcert_reference::reader::{self, Decision, Presented};
use ovcert_reference::rules::{ClaimPeriod, Mode, RuleSet, nl_2024};
use ovcert_reference::tap::{DeviceKind, ReaderRef, TapId, TapMessage};
use ovcert_reference::terms::{
    BlockScope, CardAccounts, Conduct, EndReason, FraudReport, Outcome, RefundChannel,
    RefundRequest, TermsRefusal,
};
use ovcert_reference::time::parse_instant;
use proptest::prelude::*;

static RULES: LazyLock<RuleSet> = LazyLock::new(nl_2024);

const CASES: u32 = 256;

fn config() -> ProptestConfig {
    support::seeded(CASES, 20_240_612)
}

/// One step of a card holder's (or the issuer's) script.
#[derive(Debug, Clone)]
enum Op {
    Load {
        card: usize,
        cents: i64,
        ns: bool,
        payment: u8,
    },
    AutoReload {
        card: usize,
        choice: usize,
    },
    Tap {
        card: usize,
        reader: usize,
        offline: bool,
    },
    Upload,
    Refund {
        card: usize,
        form: bool,
        terminate: bool,
    },
    Report {
        card: usize,
    },
    Settle {
        card: usize,
        fault: bool,
    },
    Block {
        card: usize,
        balance: bool,
    },
    Lift {
        card: usize,
    },
    Fraud {
        card: usize,
        back_s: i64,
        fault: bool,
        benefit: i64,
    },
    End {
        card: usize,
        reason: usize,
    },
    Object {
        card: usize,
    },
    DebitFails {
        card: usize,
        card_cost: bool,
        cents: i64,
    },
    PayDebt {
        card: usize,
        cents: i64,
    },
    Claim {
        card: usize,
    },
    Wait {
        seconds: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let card = || 0..2usize;
    // Ends of the usage right are rare, so most scripts live long enough to travel, load,
    // refund and claim.
    let ending = prop_oneof![
        3 => card().prop_map(|card| Op::Report { card }),
        1 => (card(), any::<bool>()).prop_map(|(card, balance)| Op::Block { card, balance }),
        1 => (card(), 0..172_800i64, any::<bool>(), 0..800i64)
            .prop_map(|(card, back_s, fault, benefit)| Op::Fraud { card, back_s, fault, benefit }),
        1 => (card(), 0..ENDS.len()).prop_map(|(card, reason)| Op::End { card, reason }),
        1 => card().prop_map(|card| Op::Object { card }),
    ];
    prop_oneof![
        6 => (card(), 1..5_000i64, any::<bool>(), 0..3u8)
            .prop_map(|(card, cents, ns, payment)| Op::Load { card, cents, ns, payment }),
        2 => (card(), 0..4usize).prop_map(|(card, choice)| Op::AutoReload { card, choice }),
        12 => (card(), 0..READERS.len(), any::<bool>())
            .prop_map(|(card, reader, offline)| Op::Tap { card, reader, offline }),
        2 => Just(Op::Upload),
        2 => (card(), any::<bool>(), any::<bool>())
            .prop_map(|(card, form, terminate)| Op::Refund { card, form, terminate }),
        2 => ending,
        2 => (card(), any::<bool>()).prop_map(|(card, fault)| Op::Settle { card, fault }),
        1 => card().prop_map(|card| Op::Lift { card }),
        1 => (card(), any::<bool>(), 1..3_000i64)
            .prop_map(|(card, card_cost, cents)| Op::DebitFails { card, card_cost, cents }),
        1 => (card(), 1..3_000i64).prop_map(|(card, cents)| Op::PayDebt { card, cents }),
        3 => card().prop_map(|card| Op::Claim { card }),
        5 => prop_oneof![0..600i64, 0..20_000i64, 0..2_000_000i64]
            .prop_map(|seconds| Op::Wait { seconds }),
    ]
}

const ENDS: [EndReason; 6] = [
    EndReason::HandedIn,
    EndReason::HolderDied,
    EndReason::AuthorityDirective,
    EndReason::Defect,
    EndReason::Security,
    EndReason::Abuse,
];

/// (operator, mode, station, device kind).
const READERS: [(&str, Mode, &str, DeviceKind); 4] = [
    ("GVB", Mode::Tram, "asd", DeviceKind::OnBoard),
    ("GVB", Mode::Tram, "dam", DeviceKind::OnBoard),
    ("NS", Mode::Train, "asd", DeviceKind::Pole),
    ("NS", Mode::Train, "ut", DeviceKind::Pole),
];

fn reader_ref(index: usize) -> ReaderRef {
    let (operator, mode, station, device_kind) = READERS[index];
    ReaderRef {
        operator: operator.into(),
        mode,
        station: station.into(),
        device: 500 + index as u32,
        device_kind,
        vehicle: (mode == Mode::Tram).then(|| "tram-1".into()),
    }
}

/// What the script saw happen to one card: its own book, independent of the accounts.
#[derive(Debug, Default)]
struct Book {
    /// Chip balance after every operation that touched the card.
    history: Vec<(Timestamp, Cents)>,
    loads: Vec<(Timestamp, Cents)>,
    auto_reloads: Vec<(Timestamp, Cents)>,
    /// Deposits less what check-outs gave back.
    fares: Vec<(Timestamp, Cents)>,
    fees: Cents,
    counter_payments: Cents,
    refunds: Cents,
    withheld: Cents,
    fare_corrections: Cents,
}

impl Book {
    fn balance_before(&self, at: Timestamp) -> Cents {
        self.history
            .iter()
            .rev()
            .find(|(t, _)| *t < at)
            .map_or(Cents::ZERO, |(_, b)| *b)
    }
}

fn sum_before(lines: &[(Timestamp, Cents)], end: Option<Timestamp>) -> Cents {
    lines
        .iter()
        .filter(|(t, _)| end.is_none_or(|e| *t < e))
        .fold(Cents::ZERO, |acc, (_, c)| acc.checked_add(*c).unwrap())
}

fn add(a: &mut Cents, b: Cents) {
    *a = a.checked_add(b).unwrap();
}

struct World {
    now: Timestamp,
    back_office: BackOffice,
    accounts: CardAccounts,
    images: Vec<Vec<u8>>,
    numbers: Vec<CardNumber>,
    books: Vec<Book>,
    offline: Vec<TapMessage>,
    taps: u32,
}

impl World {
    fn new() -> World {
        let now = parse_instant("2024-06-12 07:00").unwrap();
        let vault = TokenVault::from_hex(&RULES.ovpay.token_key_hex).unwrap();
        let mut world = World {
            now,
            back_office: BackOffice::new(vault),
            accounts: CardAccounts::default(),
            images: Vec::new(),
            numbers: Vec::new(),
            books: Vec::new(),
            offline: Vec::new(),
            taps: 0,
        };
        for (i, kind) in [CardKind::Personal, CardKind::Anonymous]
            .into_iter()
            .enumerate()
        {
            let number = CardNumber::new(3528_0200_0000_0001 + i as u64).unwrap();
            let request = IssueRequest {
                kind,
                number,
                uid: i as u32,
                holder: (kind == CardKind::Personal).then(|| Holder {
                    birth_date: jiff::civil::date(1990, 5, 1),
                    name: "P".into(),
                }),
                travel_right: None,
            };
            let image = machine::issue(&RULES, now, &request).unwrap();
            world.accounts.open(&image::decode(&image).unwrap(), false);
            world.images.push(image);
            world.numbers.push(number);
            world.books.push(Book::default());
        }
        world
    }

    fn chip_balance(&self, card: usize) -> Cents {
        image::decode(&self.images[card]).unwrap().balance()
    }

    fn set_image(&mut self, card: usize, image: Vec<u8>) {
        self.images[card] = image;
        let balance = self.chip_balance(card);
        self.books[card].history.push((self.now, balance));
    }

    /// What the system around the accounts does after every step (as the SUT does):
    /// settle what is due, and put ended cards on the deny list.
    fn sync(&mut self) {
        for (number, settled) in self.accounts.advance(&RULES, &self.back_office, self.now) {
            let card = self.numbers.iter().position(|n| *n == number).unwrap();
            add(&mut self.books[card].refunds, settled.paid);
            add(&mut self.books[card].withheld, settled.withheld);
        }
        self.accounts
            .distribute_blocks(&mut self.back_office, self.now);
    }

    fn upload(&mut self) {
        for tap in std::mem::take(&mut self.offline) {
            self.back_office.ingest(tap).unwrap();
        }
    }

    fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        // Every operation happens at its own second, as on a real card.
        self.now += SignedDuration::from_secs(7);
        match *op {
            Op::Load {
                card,
                cents,
                ns,
                payment,
            } => {
                let channel = if ns {
                    LoadChannel::NsMachine
                } else {
                    LoadChannel::Machine
                };
                let payment = [
                    PaymentMethod::Cash,
                    PaymentMethod::DebitCard,
                    PaymentMethod::CreditCard,
                ][payment as usize];
                let amount = Cents::new(cents);
                let load = self.accounts.paid_load(
                    &RULES,
                    self.now,
                    &self.images[card],
                    amount,
                    channel,
                    payment,
                );
                if let MachineOutcome::Done { image, .. } = load.outcome {
                    self.set_image(card, image);
                    let book = &mut self.books[card];
                    book.loads.push((self.now, amount));
                    add(&mut book.fees, load.surcharge);
                    add(&mut book.counter_payments, load.surcharge);
                }
            }
            Op::AutoReload { card, choice } => {
                let amount = RULES.card.auto_reload_amounts_cents.get(choice).copied();
                let outcome =
                    machine::set_auto_reload(&RULES, self.now, &self.images[card], amount);
                if let MachineOutcome::Done { image, .. } = outcome {
                    self.set_image(card, image);
                }
            }
            Op::Tap {
                card,
                reader,
                offline,
            } => self.tap(card, reader, offline)?,
            Op::Upload => self.upload(),
            Op::Refund {
                card,
                form,
                terminate,
            } => {
                let request = RefundRequest {
                    channel: if form {
                        RefundChannel::Form
                    } else {
                        RefundChannel::ServicePoint
                    },
                    counter_evidence: false,
                    terminate,
                };
                let outcome = self.accounts.refund(
                    &RULES,
                    &self.back_office,
                    self.now,
                    &self.images[card],
                    request,
                );
                if let Outcome::Done(done) = outcome {
                    prop_assert!(
                        done.balance > Cents::ZERO,
                        "TERM-03: only a positive balance"
                    );
                    if !form {
                        prop_assert!(done.balance <= RULES.fees.service_point_refund_max_cents);
                    }
                    self.set_image(card, done.image);
                    let book = &mut self.books[card];
                    add(&mut book.refunds, done.paid);
                    add(&mut book.fees, done.admin_fee);
                }
            }
            Op::Report { card } => {
                let _ = self
                    .accounts
                    .report_lost_or_stolen(&RULES, self.now, self.numbers[card]);
            }
            Op::Settle { card, fault } => {
                let conduct = if fault {
                    Conduct::GrossNegligence
                } else {
                    Conduct::Careful
                };
                let outcome = self.accounts.settle_old_balance(
                    &RULES,
                    &self.back_office,
                    self.now,
                    self.numbers[card],
                    conduct,
                );
                if let Outcome::Done(settled) = outcome {
                    add(&mut self.books[card].refunds, settled.paid);
                    add(&mut self.books[card].withheld, settled.withheld);
                }
            }
            Op::Block { card, balance } => {
                let scope = if balance {
                    BlockScope::Balance
                } else {
                    BlockScope::Card
                };
                let _ = self.accounts.block(self.now, self.numbers[card], scope);
            }
            Op::Lift { card } => {
                let _ = self.accounts.lift(self.numbers[card], BlockScope::Balance);
            }
            Op::Fraud {
                card,
                back_s,
                fault,
                benefit,
            } => {
                let report = FraudReport {
                    started_at: self.now - SignedDuration::from_secs(back_s),
                    conduct: if fault {
                        Conduct::LentPersonalCard
                    } else {
                        Conduct::Careful
                    },
                    unjust_benefit: Cents::new(benefit),
                };
                let outcome = self.accounts.establish_fraud(
                    &RULES,
                    &self.back_office,
                    self.now,
                    self.numbers[card],
                    report,
                );
                if let Outcome::Done(settled) = outcome {
                    add(&mut self.books[card].refunds, settled.paid);
                    add(&mut self.books[card].withheld, settled.withheld);
                }
            }
            Op::End { card, reason } => {
                let _ = self
                    .accounts
                    .end_usage(&RULES, self.now, self.numbers[card], ENDS[reason]);
            }
            Op::Object { card } => {
                let notice = jiff::civil::date(2024, 6, 1);
                let _ = self.accounts.object_to_changed_terms(
                    &RULES,
                    self.now,
                    self.numbers[card],
                    notice,
                );
            }
            Op::DebitFails {
                card,
                card_cost,
                cents,
            } => {
                let purpose = if card_cost {
                    DebitPurpose::CardCost
                } else {
                    DebitPurpose::AutoReload
                };
                let _ = self.accounts.direct_debit_failed(
                    &RULES,
                    self.now,
                    self.numbers[card],
                    purpose,
                    Cents::new(cents),
                );
            }
            Op::PayDebt { card, cents } => {
                let outcome =
                    self.accounts
                        .pay_debt(&RULES, self.now, self.numbers[card], Cents::new(cents));
                if let Outcome::Done(paid) = outcome {
                    add(&mut self.books[card].counter_payments, paid.paid);
                }
            }
            Op::Claim { card } => self.claim(card),
            Op::Wait { seconds } => self.now += SignedDuration::from_secs(seconds),
        }
        self.sync();
        self.accounts
            .invariants(&RULES, &self.back_office)
            .map_err(TestCaseError::fail)?;
        Ok(())
    }

    fn tap(&mut self, card: usize, reader: usize, offline: bool) -> Result<(), TestCaseError> {
        let number = self.numbers[card];
        let chip = image::decode(&self.images[card]).unwrap();
        let refused = self
            .accounts
            .view(&RULES, &self.back_office, self.now, number)
            .unwrap()
            .refused_at_readers;
        self.taps += 1;
        let tap_id = TapId(smol_str::format_smolstr!("T-{:06}", self.taps));
        let reader = reader_ref(reader);
        let outcome = reader::tap(
            &RULES,
            &reader,
            &self.back_office,
            self.now,
            tap_id,
            &[Presented::OvChipkaart(&self.images[card])],
        );
        // Property: a card readers must refuse never checks in.
        if refused || chip.purse.blocked {
            prop_assert!(
                !matches!(outcome.decision, Decision::CheckedIn { .. }),
                "a blocked card checked in: {:?}",
                outcome.decision
            );
        }
        let book = &mut self.books[card];
        match outcome.decision {
            Decision::CheckedIn {
                deposit,
                auto_reloaded,
                ..
            } => {
                book.fares.push((self.now, deposit));
                if let Some(amount) = auto_reloaded {
                    book.auto_reloads.push((self.now, amount));
                }
            }
            Decision::CheckedOut {
                fare,
                deposit,
                auto_reloaded,
            } => {
                book.fares
                    .push((self.now, fare.checked_sub(deposit).unwrap()));
                if let Some(amount) = auto_reloaded {
                    book.auto_reloads.push((self.now, amount));
                }
            }
            _ => {}
        }
        if let Some(image) = outcome.new_image {
            self.set_image(card, image);
        }
        if let Some(record) = outcome.record {
            if offline {
                self.offline.push(record);
            } else {
                self.back_office.ingest(record).unwrap();
            }
        }
        Ok(())
    }

    /// TERM-16: a claim for the card's first journey without check-out, leaving at the
    /// operator's other station.
    fn claim(&mut self, card: usize) {
        let key = CardKey::OvChipkaart(self.numbers[card]);
        let Ok(journeys) = self.back_office.journeys(&RULES, &key, self.now) else {
            return;
        };
        let Some(leg) = journeys
            .priced
            .iter()
            .filter_map(|p| p.journey.legs.last())
            .find(|leg| leg.status == LegStatus::MissingCheckOut)
        else {
            return;
        };
        let exit = if leg.check_in.station == "asd" {
            if leg.operator == "GVB" { "dam" } else { "ut" }
        } else {
            "asd"
        };
        let outcome = self.accounts.claim_missed_check_out(
            &RULES,
            &self.back_office,
            self.now,
            self.numbers[card],
            leg.check_in.at,
            exit,
        );
        if let Outcome::Done(refund) = outcome {
            let book = &mut self.books[card];
            add(&mut book.fare_corrections, refund.refund);
            add(&mut book.refunds, refund.paid);
        }
    }

    /// After the script: every tap reaches the back office; then every card's statement
    /// must match the script's own book.
    fn check_books(&mut self) -> Result<(), TestCaseError> {
        self.upload();
        self.sync();
        for card in 0..self.numbers.len() {
            let account = self.accounts.account(self.numbers[card]).unwrap();
            let s = account.statement(&RULES, &self.back_office);
            let book = &self.books[card];
            let end = account.closing.as_ref().map(|c| c.at);
            prop_assert_eq!(s.money_in(), s.money_out_and_left(), "conservation {:?}", s);
            prop_assert_eq!(s.loaded, sum_before(&book.loads, end), "loads");
            prop_assert_eq!(
                s.auto_reloaded,
                sum_before(&book.auto_reloads, end),
                "auto-reloads"
            );
            prop_assert_eq!(s.fares, sum_before(&book.fares, end), "fares");
            prop_assert_eq!(s.fees, book.fees, "fees");
            prop_assert_eq!(s.refunds, book.refunds, "refunds");
            prop_assert_eq!(s.withheld, book.withheld, "withheld");
            prop_assert_eq!(
                s.fare_corrections,
                book.fare_corrections,
                "fare corrections"
            );
            match &account.closing {
                None => {
                    // Card and administration agree once every tap has arrived.
                    prop_assert_eq!(s.balance, self.chip_balance(card), "balance");
                    prop_assert_eq!(s.difference, Cents::ZERO, "difference");
                }
                Some(closing) => {
                    // TERM-07 / TERM-10: the settled balance is the card's balance just before
                    // the closing moment, less what arrived only after the settlement.
                    let truth = book.balance_before(closing.at);
                    prop_assert_eq!(
                        s.difference,
                        truth.checked_sub(closing.balance).unwrap(),
                        "difference after settlement"
                    );
                }
            }
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(config())]

    /// Conservation and "a blocked card never checks in" over generated scripts.
    #[test]
    fn holders_money_is_conserved_and_blocked_cards_never_check_in(
        ops in proptest::collection::vec(op(), 1..60)
    ) {
        let mut world = World::new();
        for op in &ops {
            world.apply(op)?;
        }
        world.check_books()?;
    }
}

// ---------------------------------------------------------------------------------------------
// Examples: single rules and interpretation switches.

fn at(text: &str) -> Timestamp {
    parse_instant(text).unwrap()
}

/// A personal card with `cents` loaded at 2024-06-01 08:00, its accounts and back office.
fn personal_with(cents: i64) -> World {
    let mut world = World::new();
    world.now = at("2024-06-01 08:00");
    if cents == 0 {
        return world;
    }
    let load = world.accounts.paid_load(
        &RULES,
        world.now,
        &world.images[0],
        Cents::new(cents),
        LoadChannel::Machine,
        PaymentMethod::Cash,
    );
    let MachineOutcome::Done { image, .. } = load.outcome else {
        panic!("load refused: {load:?}");
    };
    world.set_image(0, image);
    world
}

fn check_in_at(world: &mut World, when: &str, reader: usize) {
    world.now = at(when);
    world.tap(0, reader, false).unwrap();
}

#[test]
fn missed_check_out_period_switch_counts_the_journeys_half_year() {
    // Three GVB journeys without check-out in June, a fourth on 1 July; all claimed in July.
    let mut world = personal_with(5000);
    for day in [
        "2024-06-16 10:00",
        "2024-06-17 10:00",
        "2024-06-18 10:00",
        "2024-07-01 10:00",
    ] {
        check_in_at(&mut world, day, 0);
    }
    let claim = |rules: &RuleSet, world: &mut World, journey: &str, on: &str| {
        world
            .accounts
            .claim_missed_check_out(
                rules,
                &world.back_office,
                at(on),
                world.numbers[0],
                at(journey),
                "dam",
            )
            .refusal()
    };
    // Claim-date half-year (default): the June journeys claimed in July count in 2024-H2, so
    // the fourth claim of July is refused.
    let mut by_claim = personal_with(0);
    by_claim.back_office = world.back_office.clone();
    by_claim.accounts = world.accounts.clone();
    for journey in ["2024-06-16 10:00", "2024-06-17 10:00", "2024-06-18 10:00"] {
        assert_eq!(
            claim(&RULES, &mut by_claim, journey, "2024-07-20 12:00"),
            None
        );
    }
    assert_eq!(
        claim(
            &RULES,
            &mut by_claim,
            "2024-07-01 10:00",
            "2024-07-20 12:00"
        ),
        Some(TermsRefusal::ClaimLimitReached)
    );
    // Journey-date half-year: the July journey is the first of 2024-H2.
    let mut rules = RULES.clone();
    rules.terms.missed_check_out.period = ClaimPeriod::HalfYearOfJourney;
    for journey in ["2024-06-16 10:00", "2024-06-17 10:00", "2024-06-18 10:00"] {
        assert_eq!(claim(&rules, &mut world, journey, "2024-07-20 12:00"), None);
    }
    assert_eq!(
        claim(&rules, &mut world, "2024-07-01 10:00", "2024-07-20 12:00"),
        None
    );
}

#[test]
fn a_deficit_at_the_risk_transfer_becomes_a_debt_set_off_later() {
    let mut world = personal_with(2000);
    // NS: activated by the NS machine load below; a long journey leaves a deficit.
    let load = machine::load(
        &RULES,
        at("2024-06-01 08:01"),
        &world.images[0],
        Cents::new(100),
        LoadChannel::NsMachine,
    );
    let MachineOutcome::Done { image, .. } = load else {
        panic!("{load:?}")
    };
    world.now = at("2024-06-01 08:01");
    world.accounts.record_machine(&image, world.now);
    world.set_image(0, image);
    check_in_at(&mut world, "2024-06-01 09:00", 2);
    world.now = at("2024-06-01 09:20");
    world.tap(0, 3, false).unwrap();
    let balance = world.chip_balance(0);
    world.now = at("2024-06-01 10:00");
    let number = world.numbers[0];
    assert!(
        world
            .accounts
            .report_lost_or_stolen(&RULES, world.now, number)
            .done()
            .is_some()
    );
    let settled = world.accounts.settle_old_balance(
        &RULES,
        &world.back_office,
        at("2024-06-02 09:00"),
        number,
        Conduct::Careful,
    );
    let settled = settled.done().copied().expect("settled");
    assert_eq!(settled.balance, balance);
    if balance.is_negative() {
        let owed = world
            .accounts
            .view(&RULES, &world.back_office, at("2024-06-02 09:00"), number)
            .unwrap()
            .owed;
        assert_eq!(owed, balance.checked_neg().unwrap());
    }
    world
        .accounts
        .invariants(&RULES, &world.back_office)
        .unwrap();
}

#[test]
fn refund_admin_costs_never_exceed_the_balance() {
    let mut world = personal_with(50);
    world.now = at("2024-06-02 10:00");
    let request = RefundRequest {
        channel: RefundChannel::ServicePoint,
        counter_evidence: false,
        terminate: false,
    };
    let outcome = world.accounts.refund(
        &RULES,
        &world.back_office,
        world.now,
        &world.images[0],
        request,
    );
    let done = outcome.done().expect("refunded");
    assert_eq!((done.admin_fee, done.paid), (Cents::new(50), Cents::ZERO));
}

#[test]
fn every_end_of_the_usage_right_but_expiry_reaches_the_deny_list() {
    for reason in EndReason::ALL {
        let mut world = personal_with(1000);
        world.now = at("2024-06-02 10:00");
        let number = world.numbers[0];
        let outcome = world.accounts.end_usage(&RULES, world.now, number, reason);
        let expected_refusal =
            matches!(reason, EndReason::Expired | EndReason::ChangedTermsRejected);
        assert_eq!(outcome.refusal().is_some(), expected_refusal, "{reason:?}");
        world.sync();
        let listed = world
            .back_office
            .deny_list()
            .reason(&ovcert_reference::deny::DenyKey::OvChipkaart { number })
            .is_some();
        assert_eq!(listed, !expected_refusal, "{reason:?}");
    }
}
