//! One card's account in the issuer's administration: what the card is, its usage right, its
//! blocks, and its money — the machine transactions the issuer recorded, the taps the back
//! office received (in any order, late ones included), and the ledger of what was paid in and
//! out around them.
//!
//! The administrative balance is the balance after the latest transaction (load, refund,
//! tap) before a moment, as the card reported it. The holder's [`Statement`] classifies every
//! change of that balance, so that what came in equals what went out plus what is left
//! (checked by [`Account::invariants`]).

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::backoffice::{BackOffice, CardKey};
use crate::card::{CardKind, CardNumber, Holder, ProductSlot};
use crate::fees::FailedDebit;
use crate::money::Cents;
use crate::rules::{ProductCode, RuleSet};

use super::calendar::{self, HalfYear};

/// One card's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Account {
    pub number: CardNumber,
    pub kind: CardKind,
    /// TERM-01: a card issued for business use; the general terms do not apply.
    pub business: bool,
    /// Personal cards: the holder on file.
    pub holder: Option<Holder>,
    /// TERM-10: for an anonymous card, whether the holder's personal data became known.
    pub personal_data_known: bool,
    pub issued_on: Date,
    /// CARD-04 / TERM-12: the last valid day.
    pub expires_on: Date,
    /// The products per the administration.
    pub products: Vec<ProductSlot>,
    /// Loads, product loads and refunds recorded by machines and service points.
    pub machine: Vec<MachineTx>,
    /// TERM-12: an explicit end of the usage right (expiry is derived from `expires_on`).
    pub ended: Option<UsageEnd>,
    /// TERM-09: balance and product blocks (the card block is the end of the usage right).
    pub blocks: Blocks,
    /// TERM-05 / TERM-08: a loss, theft or defect report.
    pub report: Option<OldCard>,
    /// TERM-07 / TERM-08 / TERM-10: the holder's money was settled from the administration
    /// at `at`; later transactions are the issuer's.
    pub closing: Option<Closing>,
    /// TERM-10 / TERM-11: an established fraud.
    pub fraud: Option<FraudFinding>,
    pub entries: Vec<LedgerEntry>,
    /// FEE-04.
    pub debits: Vec<FailedDebit>,
    /// TERM-11 / TERM-14: other amounts the holder owes.
    pub debts: Vec<Debt>,
    /// TERM-16.
    pub missed: Vec<MissedClaim>,
    pub replaced_by: Option<CardNumber>,
    pub replaces: Option<CardNumber>,
}

/// A transaction a machine or service point recorded (online, so known at once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MachineTx {
    pub at: Timestamp,
    pub kind: MachineTxKind,
    /// Money put on (positive) or taken off (negative) the card.
    pub amount: Cents,
    pub balance_after: Cents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MachineTxKind {
    Load,
    ProductLoad,
    /// TERM-03: the balance taken off for a refund; `settled` is the balance the refund paid
    /// out (the card's, or the administration's with counter-evidence: TERM-02).
    Unload {
        settled: Cents,
    },
}

/// TERM-12: why the usage right ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum EndReason {
    /// The card was handed in at a service point or sent in with the refund form.
    HandedIn,
    /// The death of a personal card's holder was reported.
    HolderDied,
    /// The card was blocked after a loss or theft report (TERM-05).
    LostOrStolen,
    /// The card was blocked for (suspected) fraud (TERM-09).
    Fraud,
    /// A directive of an authority (a supervisor, a bank).
    AuthorityDirective,
    /// The holder rejected changed terms in writing (TERM-13).
    ChangedTermsRejected,
    /// The card expired (CARD-04).
    Expired,
    /// A technical defect: weighty interest.
    Defect,
    /// Security of the system: weighty interest.
    Security,
    /// Abuse by the holder: weighty interest, own fault.
    Abuse,
}

impl EndReason {
    /// TERM-12: every reason of the catalogue (art. 56).
    pub const ALL: [EndReason; 10] = [
        EndReason::HandedIn,
        EndReason::HolderDied,
        EndReason::LostOrStolen,
        EndReason::Fraud,
        EndReason::AuthorityDirective,
        EndReason::ChangedTermsRejected,
        EndReason::Expired,
        EndReason::Defect,
        EndReason::Security,
        EndReason::Abuse,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UsageEnd {
    pub reason: EndReason,
    pub at: Timestamp,
}

/// TERM-09: what is blocked besides the card itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Blocks {
    pub balance: bool,
    pub products: BTreeSet<ProductCode>,
}

/// TERM-05 / TERM-07 / TERM-08: a personal card reported lost, stolen or defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OldCard {
    pub reason: EndReason,
    pub reported_at: Timestamp,
    /// TERM-05: when the card was blocked (the reference blocks at the report).
    pub blocked_at: Timestamp,
    /// TERM-05: the latest moment the block is due.
    pub block_deadline: Timestamp,
    /// TERM-07: from here on the issuer bears the risk; the balance at this moment is paid.
    pub closes_at: Timestamp,
    /// TERM-08: the balance is computed and paid at the latest on this day.
    pub balance_due_by: Date,
}

/// Why the holder's money was settled from the administration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ClosingKind {
    /// TERM-07 / TERM-08: the balance at the risk transfer (or at a defect report).
    OldCardBalance,
    /// TERM-10: the balance directly before the established fraud.
    FraudCompensation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Closing {
    pub kind: ClosingKind,
    /// The moment whose balance was settled; transactions from here on are the issuer's.
    pub at: Timestamp,
    /// When it was settled.
    pub settled_at: Timestamp,
    /// The administrative balance at `at` as known when settled.
    pub balance: Cents,
    pub set_off: Cents,
    pub paid: Cents,
    /// TERM-07 / TERM-11: withheld for intent, fault or gross negligence.
    pub withheld: Cents,
    /// Refunded from the card at service points after `at` and before the settlement: the
    /// holder already has it, so it is not paid twice (at most `balance`).
    pub already_refunded: Cents,
}

/// TERM-11: how the holder behaved (the issuer's finding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Conduct {
    Careful,
    /// Lending a personal card to someone else (art. 52).
    LentPersonalCard,
    GrossNegligence,
    Intent,
}

impl Conduct {
    pub fn is_fault(self) -> bool {
        self != Conduct::Careful
    }
}

/// TERM-10 / TERM-11: an established fraud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FraudFinding {
    pub started_at: Timestamp,
    pub established_at: Timestamp,
    pub conduct: Conduct,
    pub unjust_benefit: Cents,
}

/// A line of the holder's ledger besides the card's own transactions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LedgerEntry {
    pub at: Timestamp,
    pub kind: LedgerKind,
    pub amount: Cents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "line", content = "what", rename_all = "kebab-case")]
pub enum LedgerKind {
    /// In: paid by the holder at a counter, machine or by bank (card price, surcharges, debt).
    CounterPayment(Paid),
    /// In: money an operator gives back for a journey without check-out (TERM-16).
    FareCorrection,
    /// Out: a fee kept by the issuer or seller.
    Fee(Paid),
    /// Out: paid to the holder.
    Refund(RefundKind),
    /// Out: a debt paid off (at the counter or by set-off, TERM-14).
    DebtSettled,
    /// Out: kept from the holder for intent, fault or gross negligence (TERM-07, TERM-11).
    Withheld,
    /// A deficit left when the holder's money was settled, paid off (TERM-14): it brings
    /// what is left back towards zero.
    DeficitCovered,
}

/// What a payment or fee was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Paid {
    CardPrice,
    SaleSurcharge,
    LoadSurcharge,
    RefundAdmin,
    ReplacementCard,
    Debt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RefundKind {
    /// TERM-03: cash at a service point.
    ServicePointCash,
    /// TERM-03: the refund form, to a bank account.
    Form,
    /// TERM-07 / TERM-08: the old card's balance, to a bank account.
    OldCardBalance,
    /// TERM-10: fraud compensation, to a bank account.
    FraudCompensation,
    /// TERM-16: a missed check-out refund.
    MissedCheckOut,
}

/// TERM-11 / TERM-14: an amount the holder owes besides failed debits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Debt {
    pub kind: DebtKind,
    pub amount: Cents,
    pub paid: Cents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DebtKind {
    /// A negative balance when the holder's money was settled (TERM-14: "saldotekort").
    Deficit,
    /// TERM-11: an unjust benefit from fraud, reclaimed or set off.
    UnjustBenefit,
}

/// TERM-16: one refunded journey without check-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MissedClaim {
    pub checked_in_at: Timestamp,
    pub operator: String,
    pub claimed_on: Date,
    pub period: HalfYear,
    pub refund: Cents,
}

/// The holder's money: what came in equals what went out plus what is left.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Statement {
    /// In: loads at machines and service points.
    pub loaded: Cents,
    /// In: auto-reloads readers made (TAP-06).
    pub auto_reloaded: Cents,
    /// In: payments at counters (card price, surcharges, debts).
    pub counter_payments: Cents,
    /// In: operators' refunds for journeys without check-out (TERM-16).
    pub fare_corrections: Cents,
    /// In: what service points refunded from the card after the closing moment beyond the
    /// balance settled (money put on the card after that moment).
    pub after_closing: Cents,
    /// Out: what taps took from the balance (deposits less what check-outs gave back).
    pub fares: Cents,
    /// Out: fees kept by the issuer or seller.
    pub fees: Cents,
    /// Out: paid to the holder.
    pub refunds: Cents,
    /// Out: debts paid off.
    pub debts_settled: Cents,
    /// Out: withheld for the holder's fault.
    pub withheld: Cents,
    /// Out: what the administration holds beyond what a card-led refund paid (TERM-02), or
    /// beyond what a settlement paid because transactions arrived after it; 0 when card and
    /// administration agree.
    pub difference: Cents,
    /// Left: the administrative balance (0 once the holder's money is settled).
    pub balance: Cents,
}

impl Statement {
    pub fn money_in(&self) -> Cents {
        sum(&[
            self.loaded,
            self.auto_reloaded,
            self.counter_payments,
            self.fare_corrections,
            self.after_closing,
        ])
    }

    pub fn money_out_and_left(&self) -> Cents {
        sum(&[
            self.fares,
            self.fees,
            self.refunds,
            self.debts_settled,
            self.withheld,
            self.difference,
            self.balance,
        ])
    }
}

/// A transaction of the card as the administration orders it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChainTx {
    at: Timestamp,
    source: Source,
    balance_after: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Machine(MachineTxKind, Cents),
    Tap { charged: Cents },
}

impl Account {
    /// A new account for a card as issued.
    pub fn open(card: &crate::card::Card, business: bool) -> Account {
        Account {
            number: card.number,
            kind: card.kind,
            business,
            holder: card.holder.clone(),
            personal_data_known: card.holder.is_some(),
            issued_on: card.issued_on,
            expires_on: card.expires_on,
            products: card.products.clone(),
            machine: Vec::new(),
            ended: None,
            blocks: Blocks::default(),
            report: None,
            closing: None,
            fraud: None,
            entries: Vec::new(),
            debits: Vec::new(),
            debts: Vec::new(),
            missed: Vec::new(),
            replaced_by: None,
            replaces: None,
        }
    }

    /// TERM-01: the general terms apply to personal and anonymous cards, not to business
    /// cards (nor to disposable or bank cards, which the terms do not name).
    pub fn terms_apply(&self) -> bool {
        !self.business && matches!(self.kind, CardKind::Personal | CardKind::Anonymous)
    }

    /// TERM-12: the end of the usage right in force at `now`, if any (an explicit end, or
    /// the expiry at 00:00 after the last valid day).
    pub fn usage_end(&self, now: Timestamp) -> Option<UsageEnd> {
        let expiry = UsageEnd {
            reason: EndReason::Expired,
            at: calendar::midnight(calendar::add_days(self.expires_on, 1)),
        };
        let candidates = [self.ended, Some(expiry)];
        candidates
            .into_iter()
            .flatten()
            .filter(|e| e.at <= now)
            .min_by_key(|e| e.at)
    }

    /// A scheduled end not yet reached (TERM-13).
    pub fn pending_end(&self, now: Timestamp) -> Option<UsageEnd> {
        self.ended.filter(|e| e.at > now)
    }

    /// TERM-12: own fault (abuse, or established fraud with the holder's fault) forfeits the
    /// refund right when the rule set says so.
    pub fn own_fault(&self, rules: &RuleSet) -> bool {
        rules.terms.own_fault_forfeits_refund
            && (self.ended.is_some_and(|e| e.reason == EndReason::Abuse)
                || self.fraud.is_some_and(|f| f.conduct.is_fault()))
    }

    /// FEE-04: an unpaid failed auto-reload debit blocks the balance.
    pub fn balance_blocked_by_debt(&self) -> bool {
        self.debits.iter().any(FailedDebit::blocks_balance)
    }

    /// TERM-14: everything the holder owes on `today`.
    pub fn owed(&self, rules: &RuleSet, today: Date) -> Cents {
        let debits = self.debits.iter().map(|d| d.owed(rules, today));
        let debts = self
            .debts
            .iter()
            .map(|d| d.amount.checked_sub(d.paid).unwrap_or(Cents::ZERO));
        debits
            .chain(debts)
            .fold(Cents::ZERO, |acc, x| add(acc, x.max(Cents::ZERO)))
    }

    /// TERM-14: sets `available` off against what the holder owes, oldest first, and books
    /// it; returns the part taken. Failed debits in collection are the agency's and are not
    /// set off.
    pub fn set_off(&mut self, rules: &RuleSet, at: Timestamp, available: Cents) -> Cents {
        let today = calendar::date_of(at);
        let mut left = available.max(Cents::ZERO);
        let mut to_debts = Cents::ZERO;
        let mut to_deficit = Cents::ZERO;
        for debit in &mut self.debits {
            if matches!(
                debit.stage(rules, today),
                crate::fees::DebitStage::Collection { .. }
            ) {
                continue;
            }
            let part = debit.pay(rules, today, left);
            left = sub(left, part);
            to_debts = add(to_debts, part);
        }
        for debt in &mut self.debts {
            let open = sub(debt.amount, debt.paid).max(Cents::ZERO);
            let part = open.min(left);
            debt.paid = add(debt.paid, part);
            left = sub(left, part);
            match debt.kind {
                DebtKind::Deficit => to_deficit = add(to_deficit, part),
                DebtKind::UnjustBenefit => to_debts = add(to_debts, part),
            }
        }
        self.book(at, LedgerKind::DebtSettled, to_debts);
        self.book(at, LedgerKind::DeficitCovered, to_deficit);
        add(to_debts, to_deficit)
    }

    pub fn book(&mut self, at: Timestamp, kind: LedgerKind, amount: Cents) {
        if amount != Cents::ZERO {
            self.entries.push(LedgerEntry { at, kind, amount });
        }
    }

    /// The card's taps as the back office holds them (late arrivals included).
    fn taps(&self, back_office: &BackOffice) -> Vec<ChainTx> {
        let key = CardKey::OvChipkaart(self.number);
        back_office
            .taps()
            .into_iter()
            .filter(|t| t.card == key)
            .filter_map(|t| {
                Some(ChainTx {
                    at: t.at,
                    source: Source::Tap {
                        charged: t.amounts.charged_cents,
                    },
                    balance_after: t.amounts.balance_after_cents?,
                })
            })
            .collect()
    }

    /// Every transaction the administration knows, in time order (machine transactions
    /// before taps of the same second).
    fn chain(&self, back_office: &BackOffice) -> Vec<ChainTx> {
        let mut chain: Vec<ChainTx> = self
            .machine
            .iter()
            .map(|m| ChainTx {
                at: m.at,
                source: Source::Machine(m.kind, m.amount),
                balance_after: m.balance_after,
            })
            .collect();
        chain.extend(self.taps(back_office));
        chain.sort_by_key(|tx| (tx.at, matches!(tx.source, Source::Tap { .. })));
        chain
    }

    /// The balance per the administration just before `at`: the balance after the latest
    /// transaction before it, counting transactions that reached the system later (TERM-07,
    /// TERM-10).
    pub fn balance_before(&self, back_office: &BackOffice, at: Timestamp) -> Cents {
        self.chain(back_office)
            .iter()
            .rev()
            .find(|tx| tx.at < at)
            .map_or(Cents::ZERO, |tx| tx.balance_after)
    }

    /// The administrative balance now (after every known transaction).
    pub fn balance_now(&self, back_office: &BackOffice) -> Cents {
        self.chain(back_office)
            .last()
            .map_or(Cents::ZERO, |tx| tx.balance_after)
    }

    /// What service-point refunds took off the card from `at` on (their settled balances).
    pub fn refunded_since(&self, at: Timestamp) -> Cents {
        self.machine
            .iter()
            .filter(|m| m.at >= at)
            .filter_map(|m| match m.kind {
                MachineTxKind::Unload { settled } => Some(settled),
                _ => None,
            })
            .fold(Cents::ZERO, add)
    }

    /// The transactions of the card the administration knows, as (time, balance after).
    pub fn transactions(&self, back_office: &BackOffice) -> Vec<(Timestamp, Cents)> {
        self.chain(back_office)
            .into_iter()
            .map(|tx| (tx.at, tx.balance_after))
            .collect()
    }

    /// The holder's statement as the administration knows it now.
    pub fn statement(&self, rules: &RuleSet, back_office: &BackOffice) -> Statement {
        let mut s = Statement::default();
        let end = self.closing.as_ref().map(|c| c.at);
        let mut previous = Cents::ZERO;
        for tx in self.chain(back_office) {
            if end.is_some_and(|end| tx.at >= end) {
                break;
            }
            let delta = sub(tx.balance_after, previous);
            match tx.source {
                Source::Machine(MachineTxKind::Load, amount) => {
                    s.loaded = add(s.loaded, amount);
                    s.difference = add(s.difference, sub(amount, delta));
                }
                Source::Machine(MachineTxKind::ProductLoad, _) => {
                    s.difference = sub(s.difference, delta);
                }
                Source::Machine(MachineTxKind::Unload { settled }, _) => {
                    // The balance taken off was `previous`; the refund's ledger lines add up
                    // to `settled`.
                    s.difference = add(s.difference, sub(neg(delta), settled));
                }
                Source::Tap { charged } => {
                    s.fares = add(s.fares, charged);
                    let reloaded = add(delta, charged);
                    if rules.card.auto_reload_amounts_cents.contains(&reloaded) {
                        s.auto_reloaded = add(s.auto_reloaded, reloaded);
                    } else {
                        s.difference = sub(s.difference, reloaded);
                    }
                }
            }
            previous = tx.balance_after;
        }
        match &self.closing {
            Some(closing) => {
                s.difference = add(s.difference, sub(previous, closing.balance));
                // A deficit stays owed (and left) until paid off.
                s.balance = closing.balance.min(Cents::ZERO);
                let refunded_since = self.refunded_since(closing.at);
                s.after_closing = sub(refunded_since, closing.already_refunded);
            }
            None => s.balance = previous,
        }
        for entry in &self.entries {
            let line = match entry.kind {
                LedgerKind::CounterPayment(_) => &mut s.counter_payments,
                LedgerKind::FareCorrection => &mut s.fare_corrections,
                LedgerKind::Fee(_) => &mut s.fees,
                LedgerKind::Refund(_) => &mut s.refunds,
                LedgerKind::DebtSettled => &mut s.debts_settled,
                LedgerKind::Withheld => &mut s.withheld,
                LedgerKind::DeficitCovered => &mut s.balance,
            };
            *line = add(*line, entry.amount);
        }
        s
    }

    /// The account's invariants: the statement balances; no debt is paid beyond its amount;
    /// a closing pays, sets off and withholds exactly the balance it settled.
    pub fn invariants(&self, rules: &RuleSet, back_office: &BackOffice) -> Result<(), String> {
        let s = self.statement(rules, back_office);
        if s.money_in() != s.money_out_and_left() {
            return Err(format!(
                "card {}: money in {} ≠ out and left {} ({s:?})",
                self.number,
                s.money_in(),
                s.money_out_and_left()
            ));
        }
        for debt in &self.debts {
            if debt.paid > debt.amount || debt.paid.is_negative() {
                return Err(format!("card {}: debt paid beyond its amount", self.number));
            }
        }
        if let Some(c) = &self.closing {
            let settled = sum(&[c.paid, c.set_off, c.withheld, c.already_refunded]);
            if settled != c.balance.max(Cents::ZERO) {
                return Err(format!(
                    "card {}: closing settled {settled} of {}",
                    self.number, c.balance
                ));
            }
        }
        Ok(())
    }
}

pub(crate) fn add(a: Cents, b: Cents) -> Cents {
    a.checked_add(b).expect("card-holder amounts are small")
}

pub(crate) fn sub(a: Cents, b: Cents) -> Cents {
    a.checked_sub(b).expect("card-holder amounts are small")
}

fn neg(a: Cents) -> Cents {
    a.checked_neg().expect("card-holder amounts are small")
}

fn sum(values: &[Cents]) -> Cents {
    values.iter().fold(Cents::ZERO, |acc, v| add(acc, *v))
}
