//! OVpay payments and risk: eligibility, charges, references, retries, debt and blocking
//! (EMV-03..05, EMV-08..14), with the service lookup and missed check-out correction
//! (EMV-15, EMV-18, [`service`]) and inspection (EMV-16, [`inspection`]).
//!
//! # A ledger per card and travel day
//!
//! The back office recomputes every card's journeys from its taps (GBO-04). What it has
//! charged is kept as *lines*: per journey (named by its first check-in tap) and operator, the
//! cents charged. For every card and travel day
//!
//! ```text
//! pending = current journey shares − (payment lines + refund lines)
//! ```
//!
//! and a run of the payment engine ([`run`]) turns pending lines into payments or refunds:
//! - **EMV-08** when the travel day has ended (03:05 the next day, EMV-07): everything pending
//!   in one payment (the night charge); later changes (late taps, corrections) in a supplement
//!   or a refund;
//! - **EMV-09** during the day, when the pending fares due to one operator reach that
//!   operator's threshold (`ovpay.thresholds`, `ovpay.threshold_trigger`): everything pending
//!   at once; trips after that wait for the night unless the threshold is reached again;
//! - **EMV-10** cards of a per-trip scheme (`ovpay.per_trip_schemes`): whatever is pending as
//!   soon as a trip is priced.
//!
//! So a card is charged exactly its fares, whatever the order in which taps arrived, and the
//! settlement reconciles (SET-02: charged − refunds − open debt = credited).
//!
//! # Failed payments and debt
//!
//! A payment the bank does not approve (EMV-12) stays open; the card is deny-listed
//! ([`DenyReason::SettlementFailed`]) from that moment, everywhere (EMV-05 deltas to the
//! readers). The engine retries open payments on `ovpay.retry_schedule_days` after the failure,
//! never after `ovpay.retry_horizon_days` (EMV-13); a successful retry lifts the block at once.
//! A refused tap of the card (a tap to settle the debt, EMV-06) makes the engine request every
//! open payment at once (EMV-14); when all are paid the block is lifted
//! `ovpay.unblock_after_payment_min` later.
//!
//! # Time
//!
//! Everything happens at an instant the engine derives, never at the wall clock: a night
//! charge at the end of its travel day, a retry N calendar days (local time) after the
//! failure, a self-payment at its tap. A run processes all events up to `now` in time order;
//! an event discovered late (a tap uploaded after the night) happens at the time of the
//! previous run (the *watermark*), the earliest moment the back office could have known.
//!
//! # Cost
//!
//! The next event is the earliest of the global ones (lifted blocks, retries) and of every
//! bank card's own (eligibility, self-payment, charges), which take the card's journeys to
//! find. The per-card events are kept between searches ([`due::DueByCard`]) and recomputed
//! only for the cards something happened to, so a run after a batch of taps costs what those
//! taps' cards cost, not what the whole back office holds.

mod due;
pub mod inspection;
pub mod reference;
pub mod service;

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::{SignedDuration, Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::deny::{DenyKey, DenyReason};
use crate::money::Cents;
use crate::rules::{OperatorId, RuleSet};
use crate::tap::{TapId, TapKind};
use crate::time::{TravelDay, local};
use smol_str::format_smolstr;

use super::bank::{AccountStatus, BankAnswer, BankBlock, BankSimulator};
use super::tokens::CardToken;
use super::{BackOffice, BackOfficeError, CardJourneys, CardKey};

pub use reference::PaymentReference;

/// The most events one run may process (a limit on everything; reaching it is a bug).
const EVENTS_PER_RUN_MAX: usize = 1_000_000;

/// One line of a charge or refund: an operator's part of one journey (GBO-02 share).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Line {
    /// The journey's first check-in tap.
    pub journey: TapId,
    pub operator: OperatorId,
    pub cents: Cents,
}

type Lines = BTreeMap<(TapId, OperatorId), Cents>;

/// Why a payment was made.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ChargeKind {
    /// EMV-08: the travel day's fares, in the night after it.
    NightCharge,
    /// EMV-09: the fares due to `operator` reached its threshold during the day.
    Threshold { operator: OperatorId },
    /// EMV-10: a per-trip scheme.
    PerTrip,
    /// A closed day's fares that grew after its night charge (a late tap, a correction).
    Supplement,
}

/// What made the engine ask the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "trigger", rename_all = "kebab-case")]
pub enum Trigger {
    /// The payment's first request.
    Initial,
    /// EMV-13: a scheduled retry, `day` calendar days after the failure.
    Retry { day: u32 },
    /// EMV-14: the traveller tapped to pay the debt.
    SelfPay { tap: TapId },
}

/// One request of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Attempt {
    pub at: Timestamp,
    #[serde(flatten)]
    pub trigger: Trigger,
    pub amount_cents: Cents,
    pub answer: BankAnswer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum PaymentStatus {
    Paid {
        at: Timestamp,
    },
    /// EMV-12: not (yet) paid since the failed first request: a debt.
    Open {
        since: Timestamp,
    },
    /// EMV-18: a correction reduced the open amount to nothing.
    Cleared {
        at: Timestamp,
    },
}

/// A payment (one reference, EMV-11). Serialised without the card's token: a payment shown
/// to a traveller or the service links to nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Payment {
    pub reference: PaymentReference,
    #[serde(skip, default = "CardToken::withheld")]
    pub card: CardToken,
    pub travel_day: TravelDay,
    #[serde(flatten)]
    pub kind: ChargeKind,
    pub amount_cents: Cents,
    pub lines: Vec<Line>,
    pub created_at: Timestamp,
    pub attempts: Vec<Attempt>,
    pub status: PaymentStatus,
    /// EMV-18: reductions of the open amount by corrections.
    pub set_off_cents: Cents,
    #[serde(skip)]
    retries_done: usize,
}

impl Payment {
    pub fn is_open(&self) -> bool {
        matches!(self.status, PaymentStatus::Open { .. })
    }

    /// What is still owed on the payment.
    pub fn outstanding(&self) -> Cents {
        if self.is_open() {
            sub(self.amount_cents, self.set_off_cents)
        } else {
            Cents::ZERO
        }
    }
}

/// Money given back for a travel day whose fares went down after they were charged (a late
/// tap, a correction, EMV-18): first set off against the day's open payments, the rest paid
/// back. An amount of zero moves charged lines between journeys or operators only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Refund {
    #[serde(skip, default = "CardToken::withheld")]
    pub card: CardToken,
    pub travel_day: TravelDay,
    pub at: Timestamp,
    pub amount_cents: Cents,
    pub set_off_cents: Cents,
    pub paid_back_cents: Cents,
    /// The lines given back (negative in total).
    pub lines: Vec<Line>,
}

/// EMV-03: one account status check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatusCheck {
    /// The tap the check was made for.
    pub for_at: Timestamp,
    /// When the bank was asked.
    pub at: Timestamp,
    pub status: AccountStatus,
}

/// EMV-12: a time during which a card was listed for a failed settlement; taps in it that are
/// no tap-out are taps to settle the debt (EMV-06).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DebtPeriod {
    pub since: Timestamp,
    /// When the block was lifted; `None` while it lasts.
    pub until: Option<Timestamp>,
}

impl DebtPeriod {
    pub fn contains(&self, at: Timestamp) -> bool {
        self.since <= at && self.until.is_none_or(|until| at < until)
    }
}

/// The back office's OVpay payment state.
#[derive(Debug, Clone, Default)]
pub struct Payments {
    bank: BankSimulator,
    payments: Vec<Payment>,
    refunds: Vec<Refund>,
    references_derived: u64,
    issued: BTreeSet<PaymentReference>,
    checks: BTreeMap<CardToken, Vec<StatusCheck>>,
    eligibility_done: BTreeSet<TapId>,
    self_pay_done: BTreeSet<TapId>,
    debts: BTreeMap<CardToken, Vec<DebtPeriod>>,
    /// EMV-14: when each card's block for a paid debt is lifted.
    unblocks: BTreeMap<CardToken, Timestamp>,
    /// EMV-04: the bank-decision reason each card is listed for because of the bank.
    bank_listed: BTreeMap<CardToken, DenyReason>,
    /// The `now` of the previous run.
    watermark: Option<Timestamp>,
    corrections: u64,
    /// The bank cards' own due events, kept between searches.
    due: due::DueByCard,
    /// Per card, where its payments and refunds are in `payments` and `refunds` (in order),
    /// so one card's ledger is found without reading every card's.
    ledgers: BTreeMap<CardToken, CardLedger>,
    /// The payments whose status is open: only these can have a retry due (EMV-13).
    open: BTreeSet<usize>,
}

/// Positions of one card's payments and refunds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct CardLedger {
    payments: Vec<usize>,
    refunds: Vec<usize>,
}

impl Payments {
    /// Something that concerns only `card` changed (a tap, a setting, its payments).
    pub(super) fn card_changed(&mut self, card: &CardKey) {
        if let CardKey::Ovpay(token) = card {
            self.due.card_changed(token);
        }
    }

    /// Something that may concern any card changed (the deny list, the bank simulator, a
    /// correction): every card's events are searched afresh.
    pub(super) fn everything_changed(&mut self) {
        self.due.everything_changed();
    }

    /// The bank simulator (test controls and observations).
    pub fn bank(&self) -> &BankSimulator {
        &self.bank
    }

    pub fn bank_mut(&mut self) -> &mut BankSimulator {
        &mut self.bank
    }

    /// Every payment, in the order they were made.
    pub fn all(&self) -> &[Payment] {
        &self.payments
    }

    /// Every refund, in the order they were made.
    pub fn all_refunds(&self) -> &[Refund] {
        &self.refunds
    }

    /// One card's payments, in order.
    pub fn of(&self, card: &CardToken) -> Vec<&Payment> {
        self.payment_indices(card)
            .iter()
            .map(|&i| &self.payments[i])
            .collect()
    }

    /// One card's refunds, in order.
    pub fn refunds_of(&self, card: &CardToken) -> Vec<&Refund> {
        self.ledgers
            .get(card)
            .map_or(&[][..], |l| &l.refunds)
            .iter()
            .map(|&i| &self.refunds[i])
            .collect()
    }

    fn payment_indices(&self, card: &CardToken) -> &[usize] {
        self.ledgers.get(card).map_or(&[], |l| &l.payments)
    }

    /// Adds a payment; every payment is added here, so the card's ledger and the open set
    /// stay complete.
    fn add_payment(&mut self, payment: Payment) {
        let index = self.payments.len();
        if payment.is_open() {
            self.open.insert(index);
        }
        self.ledgers
            .entry(payment.card.clone())
            .or_default()
            .payments
            .push(index);
        self.payments.push(payment);
    }

    /// Adds a refund (the only way refunds are added).
    fn add_refund(&mut self, refund: Refund) {
        let index = self.refunds.len();
        self.ledgers
            .entry(refund.card.clone())
            .or_default()
            .refunds
            .push(index);
        self.refunds.push(refund);
    }

    /// Whether the per-card ledgers and the open set say what a full scan says.
    #[cfg(debug_assertions)]
    pub(super) fn indexes_agree(&self) -> bool {
        let mut ledgers: BTreeMap<CardToken, CardLedger> = BTreeMap::new();
        for (i, p) in self.payments.iter().enumerate() {
            ledgers.entry(p.card.clone()).or_default().payments.push(i);
        }
        for (i, r) in self.refunds.iter().enumerate() {
            ledgers.entry(r.card.clone()).or_default().refunds.push(i);
        }
        let open: BTreeSet<usize> = (0..self.payments.len())
            .filter(|&i| self.payments[i].is_open())
            .collect();
        open == self.open && ledgers == self.ledgers && self.bank.blocked_agrees()
    }

    /// Changes a payment's status (the only way it changes after the payment was added).
    fn set_status(&mut self, index: usize, status: PaymentStatus) {
        self.payments[index].status = status;
        if self.payments[index].is_open() {
            self.open.insert(index);
        } else {
            self.open.remove(&index);
        }
    }

    /// EMV-12: what a card owes.
    pub fn open_debt(&self, card: &CardToken) -> Cents {
        self.of(card)
            .iter()
            .fold(Cents::ZERO, |sum, p| add(sum, p.outstanding()))
    }

    /// EMV-03: a card's account status checks.
    pub fn checks_of(&self, card: &CardToken) -> &[StatusCheck] {
        self.checks.get(card).map(Vec::as_slice).unwrap_or(&[])
    }

    /// EMV-12: a card's debt periods.
    pub fn debt_periods(&self, card: &CardToken) -> &[DebtPeriod] {
        self.debts.get(card).map(Vec::as_slice).unwrap_or(&[])
    }

    /// EMV-14: when a card's block for a paid debt will be lifted, if scheduled.
    pub fn unblock_at(&self, card: &CardToken) -> Option<Timestamp> {
        self.unblocks.get(card).copied()
    }

    /// SET-02: a travel day's refunds and, per card, its open debt.
    pub fn day_totals(&self, day: TravelDay) -> super::settle::OvpayDay {
        let mut totals = super::settle::OvpayDay::default();
        for refund in self.refunds.iter().filter(|r| r.travel_day == day) {
            totals.refunds_cents = add(totals.refunds_cents, refund.amount_cents);
        }
        for payment in self.payments.iter().filter(|p| p.travel_day == day) {
            let outstanding = payment.outstanding();
            if outstanding != Cents::ZERO {
                let debt = totals
                    .open_debt
                    .entry(CardKey::Ovpay(payment.card.clone()))
                    .or_default();
                *debt = add(*debt, outstanding);
            }
        }
        totals
    }

    /// EMV-11: the next unique reference.
    fn next_reference(&mut self, rules: &RuleSet) -> PaymentReference {
        let key = rules
            .ovpay
            .token_key()
            .expect("a validated rule set has a 32-byte token key");
        loop {
            self.references_derived += 1;
            let candidate = PaymentReference::derive(&key, self.references_derived);
            if self.issued.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    /// Checks the engine's invariants; panics on a violation (a programmer error).
    pub fn invariants(&self, rules: &RuleSet) {
        let mut references = BTreeSet::new();
        for p in &self.payments {
            assert!(
                reference::is_well_formed(p.reference.as_str()),
                "EMV-11: malformed {}",
                p.reference
            );
            assert!(
                references.insert(&p.reference),
                "EMV-11: {} twice",
                p.reference
            );
            assert!(p.amount_cents > Cents::ZERO, "a payment charges something");
            let lines = p.lines.iter().fold(Cents::ZERO, |s, l| add(s, l.cents));
            assert_eq!(lines, p.amount_cents, "a payment's lines sum to its amount");
            assert!(
                p.set_off_cents >= Cents::ZERO && p.set_off_cents <= p.amount_cents,
                "set-off within the amount"
            );
            if let Some(first) = p.attempts.iter().find(|a| !a.answer.approved()) {
                let failed = local(first.at).date();
                for attempt in &p.attempts {
                    if let Trigger::Retry { day } = attempt.trigger {
                        let days = days_between(failed, local(attempt.at).date());
                        assert!(
                            day <= rules.ovpay.retry_horizon_days
                                && days <= i64::from(rules.ovpay.retry_horizon_days),
                            "EMV-13: a retry {days} days after the failure"
                        );
                    }
                }
            }
        }
        for r in &self.refunds {
            assert_eq!(
                add(r.set_off_cents, r.paid_back_cents),
                r.amount_cents,
                "a refund is set off or paid back"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The engine.

/// What the engine does next.
#[derive(Debug, Clone, PartialEq)]
enum Event {
    /// EMV-14: lift the block of a card whose debt was paid at a reader.
    Unblock { card: CardToken },
    /// EMV-03: a tap that may need an account status check.
    Eligibility {
        card: CardToken,
        tap: TapId,
        tap_at: Timestamp,
    },
    /// EMV-14: a tap to settle the debt.
    SelfPay { card: CardToken, tap: TapId },
    /// EMV-13: the next scheduled retry of an open payment.
    Retry { payment: usize, day: u32 },
    /// EMV-08..10: charge or refund what is pending for a card's day.
    Charge {
        card: CardToken,
        day: TravelDay,
        kind: ChargeKind,
        pending: Lines,
    },
}

impl Event {
    /// Order among events at the same instant: older obligations first.
    fn rank(&self) -> u8 {
        match self {
            Event::Unblock { .. } => 0,
            Event::Eligibility { .. } => 1,
            Event::SelfPay { .. } => 2,
            Event::Retry { .. } => 3,
            Event::Charge { .. } => 4,
        }
    }
}

/// Runs the engine up to `now`: every event due, in time order (see the module doc), then the
/// bank's block list (EMV-04/05).
pub(super) fn run(
    office: &mut BackOffice,
    rules: &RuleSet,
    now: Timestamp,
) -> Result<(), BackOfficeError> {
    let watermark = office
        .payments
        .watermark
        .map_or(Timestamp::MIN, |w| w.min(now));
    for _ in 0..EVENTS_PER_RUN_MAX {
        due::refresh(office, rules, now, watermark)?;
        let Some((at, event)) = next_event(office, rules, now) else {
            sync_bank_blocks(office, now);
            office.payments.watermark = Some(now);
            return Ok(());
        };
        let card = match &event {
            Event::Retry { payment, .. } => office.payments.payments[*payment].card.clone(),
            Event::Unblock { card }
            | Event::Eligibility { card, .. }
            | Event::SelfPay { card, .. }
            | Event::Charge { card, .. } => card.clone(),
        };
        office.payments.due.card_changed(&card);
        apply(office, rules, at, event);
    }
    panic!("the payment engine did not settle within {EVENTS_PER_RUN_MAX} events");
}

/// EMV-03: the account status check a reader's tap triggers on line, before the reader
/// decides: at the card's first use, after `eligibility_recheck_days` idle days, and while the
/// card is listed for a bank decision (only the bank's next answer lifts that, EMV-04).
pub(super) fn check_at_tap(
    office: &mut BackOffice,
    rules: &RuleSet,
    card: &CardToken,
    now: Timestamp,
) {
    let key = DenyKey::Token {
        token: card.clone(),
    };
    let bank_listed = office
        .deny
        .entries_of(&key)
        .iter()
        .any(|e| e.reason.is_bank_decision());
    if bank_listed || needs_check(office, rules, card, now) {
        office.payments.due.card_changed(card);
        status_check(office, card, now, now);
    }
}

fn next_event(office: &BackOffice, rules: &RuleSet, now: Timestamp) -> Option<(Timestamp, Event)> {
    let state = &office.payments;
    let mut events: Vec<(Timestamp, Event)> = Vec::new();
    for (card, unblock_at) in &state.unblocks {
        events.push((*unblock_at, Event::Unblock { card: card.clone() }));
    }
    for &index in &state.open {
        if let Some((at, day)) = next_retry(rules, &state.payments[index]) {
            events.push((
                at,
                Event::Retry {
                    payment: index,
                    day,
                },
            ));
        }
    }
    // Among events at the same instant and rank the first found wins: global events, then
    // the cards in token order, each card's in the order `card_events` lists them.
    let global = events
        .iter()
        .filter(|(at, _)| *at <= now)
        .min_by(|(a, x), (b, y)| (a, x.rank()).cmp(&(b, y.rank())));
    match (global, state.due.next()) {
        (Some(g), Some(c)) if (c.0, c.1.rank()) < (g.0, g.1.rank()) => Some(c.clone()),
        (Some(g), _) => Some(g.clone()),
        (None, c) => c.cloned(),
    }
}

/// One bank card's own events due by `now`: eligibility of its taps, self-payments, and the
/// charges or refunds of its travel days.
fn card_events(
    office: &BackOffice,
    rules: &RuleSet,
    now: Timestamp,
    watermark: Timestamp,
    card: &CardToken,
) -> Result<Vec<(Timestamp, Event)>, BackOfficeError> {
    let day_rule = rules.travel_day_rule();
    let state = &office.payments;
    let mut events: Vec<(Timestamp, Event)> = Vec::new();
    let key = CardKey::Ovpay(card.clone());
    let taps = office.taps_of(&key);
    {
        for tap in &taps {
            if tap.kind == TapKind::Emv && !state.eligibility_done.contains(&tap.tap_id) {
                events.push((
                    tap.at.max(watermark),
                    Event::Eligibility {
                        card: card.clone(),
                        tap: tap.tap_id.clone(),
                        tap_at: tap.at,
                    },
                ));
            }
        }
        let journeys = office.journeys(rules, &key, now)?;
        for id in &journeys.settle_debt {
            if state.self_pay_done.contains(id) {
                continue;
            }
            let at = office.tap(id).map_or(now, |t| t.at);
            events.push((
                at.max(watermark),
                Event::SelfPay {
                    card: card.clone(),
                    tap: id.clone(),
                },
            ));
        }
        for (day, pending) in pending_by_day(state, card, &journeys) {
            let ends = day_rule.end_of(day);
            if now >= ends {
                // EMV-08: the night charge (or what changed after it).
                let kind = if state
                    .of(card)
                    .iter()
                    .any(|p| p.travel_day == day && !is_intraday(&p.kind))
                {
                    ChargeKind::Supplement
                } else {
                    ChargeKind::NightCharge
                };
                events.push((
                    ends.max(watermark),
                    Event::Charge {
                        card: card.clone(),
                        day,
                        kind,
                        pending,
                    },
                ));
            } else if let Some(kind) = intraday(rules, state, card, &pending) {
                events.push((
                    now,
                    Event::Charge {
                        card: card.clone(),
                        day,
                        kind,
                        pending,
                    },
                ));
            }
        }
    }
    Ok(events.into_iter().filter(|(at, _)| *at <= now).collect())
}

fn is_intraday(kind: &ChargeKind) -> bool {
    matches!(kind, ChargeKind::Threshold { .. } | ChargeKind::PerTrip)
}

/// EMV-09 / EMV-10: whether what is pending on an open day is charged now.
fn intraday(
    rules: &RuleSet,
    state: &Payments,
    card: &CardToken,
    pending: &Lines,
) -> Option<ChargeKind> {
    let total = total(pending);
    if total <= Cents::ZERO {
        return None;
    }
    // EMV-10: per-trip schemes are charged as soon as a trip is priced.
    let scheme = state.bank.registration(card).scheme;
    if rules.ovpay.per_trip_schemes.contains(&scheme) {
        return Some(ChargeKind::PerTrip);
    }
    // EMV-09: the fares due to one operator reach its threshold.
    let mut due: BTreeMap<&OperatorId, Cents> = BTreeMap::new();
    for ((_, operator), cents) in pending {
        let sum = due.entry(operator).or_default();
        *sum = add(*sum, *cents);
    }
    due.into_iter().find_map(|(operator, due)| {
        let threshold = rules
            .ovpay
            .thresholds
            .iter()
            .find(|t| &t.operator == operator)?;
        rules
            .ovpay
            .threshold_trigger
            .triggers(due, threshold.amount_cents)
            .then(|| ChargeKind::Threshold {
                operator: operator.clone(),
            })
    })
}

/// Per travel day, what is pending for a card (only days with something pending).
fn pending_by_day(
    state: &Payments,
    card: &CardToken,
    journeys: &CardJourneys,
) -> BTreeMap<TravelDay, Lines> {
    let mut days: BTreeMap<TravelDay, Lines> = BTreeMap::new();
    for priced in &journeys.priced {
        let Some(first) = priced.journey.legs.first() else {
            continue;
        };
        let lines = days.entry(priced.journey.travel_day).or_default();
        for share in &priced.fare.legs {
            let cents = lines
                .entry((first.check_in.tap_id.clone(), share.operator.clone()))
                .or_default();
            *cents = add(*cents, share.fare);
        }
    }
    let charged = state
        .of(card)
        .into_iter()
        .map(|p| (p.travel_day, &p.lines))
        .chain(
            state
                .refunds_of(card)
                .into_iter()
                .map(|r| (r.travel_day, &r.lines)),
        );
    for (day, lines) in charged {
        let current = days.entry(day).or_default();
        for line in lines {
            let cents = current
                .entry((line.journey.clone(), line.operator.clone()))
                .or_default();
            *cents = sub(*cents, line.cents);
        }
    }
    for lines in days.values_mut() {
        lines.retain(|_, cents| *cents != Cents::ZERO);
    }
    days.retain(|_, lines| !lines.is_empty());
    days
}

/// EMV-13: the next retry of an open payment: (when, which day of the schedule).
fn next_retry(rules: &RuleSet, payment: &Payment) -> Option<(Timestamp, u32)> {
    let PaymentStatus::Open { since } = payment.status else {
        return None;
    };
    let day = *rules.ovpay.retry_schedule_days.get(payment.retries_done)?;
    // EMV-13: no automatic retries after the horizon (day 62), whatever the schedule says.
    if day > rules.ovpay.retry_horizon_days {
        return None;
    }
    let at = local(since)
        .checked_add(Span::new().days(i64::from(day)))
        .ok()?
        .timestamp();
    Some((at, day))
}

fn apply(office: &mut BackOffice, rules: &RuleSet, at: Timestamp, event: Event) {
    match event {
        Event::Unblock { card } => {
            office.payments.unblocks.remove(&card);
            end_debt(office, &card, at);
        }
        Event::Eligibility { card, tap, tap_at } => {
            office.payments.eligibility_done.insert(tap);
            if needs_check(office, rules, &card, tap_at) {
                status_check(office, &card, tap_at, at);
            }
        }
        Event::SelfPay { card, tap } => {
            office.payments.self_pay_done.insert(tap.clone());
            self_pay(office, rules, &card, tap, at);
        }
        Event::Retry { payment, day } => retry(office, payment, day, at),
        Event::Charge {
            card,
            day,
            kind,
            pending,
        } => {
            let amount = total(&pending);
            if amount > Cents::ZERO {
                charge(office, rules, &card, day, kind, pending, at);
            } else {
                refund(office, &card, day, pending, at);
            }
        }
    }
}

/// EMV-08..11: a new payment with a new reference, requested at once.
fn charge(
    office: &mut BackOffice,
    rules: &RuleSet,
    card: &CardToken,
    day: TravelDay,
    kind: ChargeKind,
    pending: Lines,
    at: Timestamp,
) {
    let reference = office.payments.next_reference(rules);
    let amount = total(&pending);
    let answer = office.payments.bank.authorise(card, &reference, amount, at);
    let status = if answer.approved() {
        PaymentStatus::Paid { at }
    } else {
        PaymentStatus::Open { since: at }
    };
    office.payments.add_payment(Payment {
        reference,
        card: card.clone(),
        travel_day: day,
        kind,
        amount_cents: amount,
        lines: to_lines(pending),
        created_at: at,
        attempts: vec![Attempt {
            at,
            trigger: Trigger::Initial,
            amount_cents: amount,
            answer,
        }],
        status,
        set_off_cents: Cents::ZERO,
        retries_done: 0,
    });
    if !answer.approved() {
        failed(office, card, answer, at);
    }
}

/// A day's fares went down: set the difference off against the day's open payments, pay the
/// rest back (EMV-18).
fn refund(
    office: &mut BackOffice,
    card: &CardToken,
    day: TravelDay,
    pending: Lines,
    at: Timestamp,
) {
    let amount = total(&pending).checked_neg().expect("small amounts");
    let mut left = amount;
    let mut cleared = false;
    let state = &mut office.payments;
    let day_open: Vec<usize> = state
        .payment_indices(card)
        .iter()
        .copied()
        .filter(|&i| state.payments[i].travel_day == day && state.payments[i].is_open())
        .collect();
    for index in day_open {
        let payment = &mut state.payments[index];
        let take = left.min(payment.outstanding());
        payment.set_off_cents = add(payment.set_off_cents, take);
        left = sub(left, take);
        if payment.outstanding() == Cents::ZERO {
            state.set_status(index, PaymentStatus::Cleared { at });
            cleared = true;
        }
    }
    state.add_refund(Refund {
        card: card.clone(),
        travel_day: day,
        at,
        amount_cents: amount,
        set_off_cents: sub(amount, left),
        paid_back_cents: left,
        lines: to_lines(pending),
    });
    // A correction that clears the last open amount lifts the block at once.
    if cleared && office.payments.open_debt(card) == Cents::ZERO {
        office.payments.unblocks.remove(card);
        end_debt(office, card, at);
    }
}

/// EMV-13: a scheduled retry; success lifts the block at once.
fn retry(office: &mut BackOffice, index: usize, day: u32, at: Timestamp) {
    let payment = &office.payments.payments[index];
    let (card, reference, amount) = (
        payment.card.clone(),
        payment.reference.clone(),
        payment.outstanding(),
    );
    let answer = office
        .payments
        .bank
        .authorise(&card, &reference, amount, at);
    let payment = &mut office.payments.payments[index];
    payment.retries_done += 1;
    payment.attempts.push(Attempt {
        at,
        trigger: Trigger::Retry { day },
        amount_cents: amount,
        answer,
    });
    if answer.approved() {
        office
            .payments
            .set_status(index, PaymentStatus::Paid { at });
        if office.payments.open_debt(&card) == Cents::ZERO {
            office.payments.unblocks.remove(&card);
            end_debt(office, &card, at);
        }
    } else {
        bank_block(office, &card, answer, at);
    }
}

/// EMV-14: a tap to settle the debt requests every open payment of the card, oldest first;
/// when all are paid, check-in is possible again `unblock_after_payment_min` later.
fn self_pay(office: &mut BackOffice, rules: &RuleSet, card: &CardToken, tap: TapId, at: Timestamp) {
    let state = &office.payments;
    let open: Vec<usize> = state
        .payment_indices(card)
        .iter()
        .copied()
        .filter(|&i| state.payments[i].is_open())
        .collect();
    if open.is_empty() {
        return;
    }
    for index in open {
        let payment = &office.payments.payments[index];
        let (reference, amount) = (payment.reference.clone(), payment.outstanding());
        let answer = office.payments.bank.authorise(card, &reference, amount, at);
        let payment = &mut office.payments.payments[index];
        payment.attempts.push(Attempt {
            at,
            trigger: Trigger::SelfPay { tap: tap.clone() },
            amount_cents: amount,
            answer,
        });
        if !answer.approved() {
            bank_block(office, card, answer, at);
            return;
        }
        office
            .payments
            .set_status(index, PaymentStatus::Paid { at });
    }
    let delay = SignedDuration::from_mins(i64::from(rules.ovpay.unblock_after_payment_min));
    let unblock_at = at
        .checked_add(delay)
        .expect("instants in use are far from the end");
    office.payments.unblocks.insert(card.clone(), unblock_at);
}

/// EMV-12: a failed payment blocks the card everywhere from `at` (EMV-05: a deny-list entry,
/// distributed to the readers).
fn failed(office: &mut BackOffice, card: &CardToken, answer: BankAnswer, at: Timestamp) {
    let key = DenyKey::Token {
        token: card.clone(),
    };
    office.deny.add(key, DenyReason::SettlementFailed, at);
    // A new debt cancels a pending unblock: the block goes on.
    office.payments.unblocks.remove(card);
    let periods = office.payments.debts.entry(card.clone()).or_default();
    if periods.last().is_none_or(|p| p.until.is_some()) {
        periods.push(DebtPeriod {
            since: at,
            until: None,
        });
    }
    bank_block(office, card, answer, at);
}

/// EMV-04: a decline for loss, theft or another bank block lists the card for the bank's
/// reason.
fn bank_block(office: &mut BackOffice, card: &CardToken, answer: BankAnswer, at: Timestamp) {
    if let Some(block) = answer.block() {
        list_for_bank(office, card, block, at);
    }
}

fn list_for_bank(office: &mut BackOffice, card: &CardToken, block: BankBlock, at: Timestamp) {
    let key = DenyKey::Token {
        token: card.clone(),
    };
    let reason = bank_reason(block);
    if let Some(old) = office.payments.bank_listed.insert(card.clone(), reason)
        && old != reason
    {
        office.deny.remove_reason(&key, old);
    }
    office.deny.add(key, reason, at);
}

fn bank_reason(block: BankBlock) -> DenyReason {
    match block {
        BankBlock::Lost | BankBlock::Stolen => DenyReason::LostOrStolen,
        BankBlock::Other => DenyReason::BankBlocked,
    }
}

/// The debt is paid (or cleared): the block for it is lifted and its period ends.
fn end_debt(office: &mut BackOffice, card: &CardToken, at: Timestamp) {
    let key = DenyKey::Token {
        token: card.clone(),
    };
    let Some(period) = office
        .payments
        .debts
        .get_mut(card)
        .and_then(|p| p.last_mut())
        .filter(|p| p.until.is_none())
    else {
        return;
    };
    period.until = Some(at);
    office
        .deny
        .remove_reason(&key, DenyReason::SettlementFailed);
}

/// EMV-03: whether a tap at `at` needs an account status check: the card's first use, or
/// the first after at least `eligibility_recheck_days` days without travel (calendar days
/// strictly between the travel days, see the rule-set field), unless it was checked for this
/// very tap.
fn needs_check(office: &BackOffice, rules: &RuleSet, card: &CardToken, at: Timestamp) -> bool {
    let checks = office.payments.checks_of(card);
    if checks.iter().any(|c| c.for_at == at) {
        return false;
    }
    let key = CardKey::Ovpay(card.clone());
    let last_tap = office
        .taps_of(&key)
        .into_iter()
        .filter(|t| t.kind == TapKind::Emv && t.at < at)
        .map(|t| t.at)
        .max();
    let last_check = checks
        .iter()
        .filter(|c| c.status == AccountStatus::Active && c.for_at <= at)
        .map(|c| c.for_at)
        .max();
    let Some(last) = last_tap.max(last_check) else {
        return true;
    };
    let day_rule = rules.travel_day_rule();
    let idle = days_between(day_rule.travel_day_of(last).0, day_rule.travel_day_of(at).0) - 1;
    idle >= i64::from(rules.ovpay.eligibility_recheck_days)
}

/// EMV-03 / EMV-04: asks the bank and lists or lifts the card by its answer.
fn status_check(office: &mut BackOffice, card: &CardToken, for_at: Timestamp, at: Timestamp) {
    let status = office.payments.bank.account_status(card, at);
    office
        .payments
        .checks
        .entry(card.clone())
        .or_default()
        .push(StatusCheck { for_at, at, status });
    let key = DenyKey::Token {
        token: card.clone(),
    };
    match status {
        AccountStatus::Active => {
            office
                .deny
                .remove_reason(&key, DenyReason::NoTravelFunction);
            if let Some(reason) = office.payments.bank_listed.remove(card) {
                office.deny.remove_reason(&key, reason);
            }
        }
        AccountStatus::NoTravelFunction => {
            office.deny.add(key, DenyReason::NoTravelFunction, at);
        }
        AccountStatus::Blocked(block) => list_for_bank(office, card, block, at),
    }
}

/// EMV-04 / EMV-05: the bank's list of blocked cards, as the simulator holds it: a listed card
/// is deny-listed for the bank's reason; when the bank lifts its block, so does the back
/// office (nobody else can).
fn sync_bank_blocks(office: &mut BackOffice, now: Timestamp) {
    // Only a card the bank blocks or the deny list holds for the bank can change here.
    let state = &office.payments;
    let concerned: BTreeSet<&CardToken> = state
        .bank
        .blocked_cards()
        .chain(state.bank_listed.keys())
        .collect();
    let cards: Vec<(CardToken, Option<BankBlock>)> = concerned
        .into_iter()
        .map(|c| (c.clone(), state.bank.block(c)))
        .collect();
    for (card, block) in cards {
        match block {
            Some(block) => {
                office.payments.due.card_changed(&card);
                list_for_bank(office, &card, block, now);
            }
            None => {
                if let Some(reason) = office.payments.bank_listed.remove(&card) {
                    office.payments.due.card_changed(&card);
                    let key = DenyKey::Token { token: card };
                    office.deny.remove_reason(&key, reason);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

fn total(lines: &Lines) -> Cents {
    lines.values().fold(Cents::ZERO, |sum, c| add(sum, *c))
}

fn to_lines(lines: Lines) -> Vec<Line> {
    lines
        .into_iter()
        .map(|((journey, operator), cents)| Line {
            journey,
            operator,
            cents,
        })
        .collect()
}

fn add(a: Cents, b: Cents) -> Cents {
    a.checked_add(b).expect("amounts in use fit in i64")
}

fn sub(a: Cents, b: Cents) -> Cents {
    a.checked_sub(b).expect("amounts in use fit in i64")
}

/// Calendar days from `a` to `b` (negative when `b` is earlier).
pub(crate) fn days_between(a: Date, b: Date) -> i64 {
    a.until(b)
        .map(|span| i64::from(span.get_days()))
        .expect("dates in use are within range")
}

/// EMV-15 / EMV-17: whether something made at `at` is still kept at `now`
/// (`history_months` calendar months, local time).
pub(crate) fn within_history(rules: &RuleSet, at: Timestamp, now: Timestamp) -> bool {
    local(at)
        .checked_add(Span::new().months(i64::from(rules.ovpay.history_months)))
        .is_ok_and(|until| now < until.timestamp())
}

impl BackOffice {
    /// EMV-18 (service): a new id for a service-made tap.
    pub(super) fn next_correction_id(&mut self) -> TapId {
        self.payments.corrections += 1;
        TapId(format_smolstr!(
            "SVC-EMV18-{:06}",
            self.payments.corrections
        ))
    }
}
