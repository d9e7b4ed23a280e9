//! The OV-chipkaart general terms (TERM-01..16) as an account state machine per card: the
//! issuer's administration of every card, its usage right, blocks, refunds, loss and theft,
//! fraud, replacement, objections, disputes and missed check-out refunds — with the tariff
//! sheet's fees (FEE-01..04, [`crate::fees`]) booked on the same accounts.
//!
//! Every operation takes the rule set, the back office (for the taps it received, late ones
//! included) and `now`; business outcomes are [`Outcome`] values. Nothing here performs I/O:
//! the system around it (the SUT) puts ended cards on the deny list readers check
//! ([`CardAccounts::refused_at_readers`], [`deny_reason`]) and carries the card images.
//!
//! Account states (TERM-12):
//!
//! ```text
//! open ──(load, tap, refund, fees)──► open
//!   │ report lost/stolen (TERM-05) ─► ended: lost-or-stolen ─(00:00 next day)─► settle (TERM-07/08)
//!   │ block card for fraud (TERM-09) ► ended: fraud ─(fraud established)─► compensate / withhold (TERM-10/11)
//!   │ hand in, death, authority, defect, security, abuse ─► ended (refund right 12 months, TERM-04)
//!   │ objection to changed terms (TERM-13) ─(10 calendar days)─► ended
//!   └ expiry (CARD-04) ─► ended
//! ```

pub mod account;
pub mod calendar;
mod debts;
mod fraud;
mod holder;
mod loss;
pub mod missed;
pub mod outcome;
mod service_point;

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::backoffice::BackOffice;
use crate::card::{CardNumber, LogKind, ProductSlot, image};
use crate::deny::{DenyKey, DenyReason};
use crate::money::Cents;
use crate::rules::RuleSet;

pub use account::{
    Account, Closing, ClosingKind, Conduct, Debt, DebtKind, EndReason, LedgerEntry, LedgerKind,
    MachineTx, MachineTxKind, MissedClaim, OldCard, Paid, RefundKind, Statement, UsageEnd,
};
pub use calendar::HalfYear;
pub use outcome::*;

/// TERM-01: the issuer, who owns every OV-chipkaart (art. intro: "is en blijft ons
/// eigendom").
pub const ISSUER: &str = "Trans Link Systems B.V.";

/// The result of a card-holder operation: done, or refused with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Outcome<T> {
    Done(T),
    Refused { reason: TermsRefusal },
}

impl<T> Outcome<T> {
    pub fn done(&self) -> Option<&T> {
        match self {
            Outcome::Done(value) => Some(value),
            Outcome::Refused { .. } => None,
        }
    }

    pub fn refusal(&self) -> Option<TermsRefusal> {
        match self {
            Outcome::Done(_) => None,
            Outcome::Refused { reason } => Some(*reason),
        }
    }
}

impl<T> From<Result<T, TermsRefusal>> for Outcome<T> {
    fn from(result: Result<T, TermsRefusal>) -> Outcome<T> {
        match result {
            Ok(value) => Outcome::Done(value),
            Err(reason) => Outcome::Refused { reason },
        }
    }
}

/// Why the issuer (or a service point, or an operator) refuses a card-holder request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TermsRefusal {
    UnknownCard,
    Unreadable,
    /// TERM-01: business cards (and disposable cards) are not under the general terms.
    TermsDoNotApply,
    /// TERM-06: anonymous cards cannot be blocked for loss or theft nor replaced.
    AnonymousCard,
    /// TERM-03: a refund needs a balance above €0.
    NoBalance,
    /// TERM-03: above the service-point maximum only the refund form.
    AboveServicePointMaximum,
    /// TERM-09: the balance is blocked.
    BalanceBlocked,
    /// TERM-09: the card is blocked for suspected fraud; the investigation decides (TERM-10).
    FraudInvestigation,
    /// TERM-04: more than 12 months after the usage right ended.
    RefundPeriodOver,
    /// TERM-12: the usage right ended through the holder's own fault.
    OwnFault,
    /// The holder's money was already settled from the administration.
    AlreadySettled,
    AlreadyEnded,
    AlreadyReported,
    /// The card was reported lost, stolen or defect: its balance is settled from the
    /// administration (TERM-07, TERM-08).
    OldCardReported,
    NotReported,
    /// TERM-07: before 00:00 of the day after the report.
    NotYet,
    NotExpired,
    AlreadyReplaced,
    FraudNotEstablished,
    /// TERM-10: an anonymous card's holder is compensated only when their data are known.
    PersonalDataUnknown,
    NoSuchProduct,
    AlreadyBlocked,
    NotBlocked,
    /// A blocked card stays blocked (the reader wrote the block on the chip); a new card
    /// replaces it.
    CardBlockIsFinal,
    /// This end of the usage right has its own procedure (expiry, objection).
    NotByDeclaration,
    PersonalCardOnly,
    /// TERM-13: the objection came more than 30 days after the notice.
    ObjectionTooLate,
    /// TERM-02: more than 3 months after the registration or its discovery.
    ClaimTooLate,
    /// TERM-15: a dispute needs a complaint first...
    NoComplaint,
    /// ...that the issuer has handled.
    ComplaintNotAnswered,
    /// TERM-15: more than 3 months after the dispute arose.
    DisputeTooLate,
    /// TERM-16: no journey without check-out at that check-in.
    NoMissedCheckOut,
    /// TERM-16: "voor NS gelden andere voorwaarden".
    OperatorOwnConditions,
    /// TERM-16: within 14 days of the journey.
    TooEarly,
    /// TERM-16: more than 180 days (Qbuzz: 63) after the journey.
    JourneyTooOld,
    /// TERM-16: the operator's 3 refunds of the half-year are used.
    ClaimLimitReached,
    AlreadyRefunded,
    UnknownStation,
    NothingToRefund,
    /// FEE-01.
    ChannelNotOffered,
    NotSold,
    /// FEE-04: the debt is with the collection agency.
    WithCollectionAgency,
    NothingOwed,
    NotPositive,
    /// The card could not be written (issue or product load failed).
    CardNotWritten,
}

/// TERM-05 / TERM-09 / TERM-12: the deny-list reason readers get for an ended usage right.
/// The deny list (TAP-05, EMV-05) has no "usage ended" reason: loss and theft go as
/// `lost-or-stolen`, every other end as `fraud`, the list's general issuer block. Readers
/// refuse either way; the account keeps the real reason.
pub fn deny_reason(reason: EndReason) -> DenyReason {
    match reason {
        EndReason::LostOrStolen => DenyReason::LostOrStolen,
        EndReason::Fraud | EndReason::Abuse => DenyReason::Fraud,
        _ => DenyReason::UsageEnded,
    }
}

// ---------------------------------------------------------------------------------------------
// The accounts.

/// Every card-holder account the issuer keeps, and the complaints.
#[derive(Debug, Clone, Default)]
pub struct CardAccounts {
    accounts: BTreeMap<CardNumber, Account>,
    complaints: Vec<Complaint>,
}

type Res<T> = Result<T, TermsRefusal>;

impl CardAccounts {
    /// CARD-01: opens the account of a newly issued card.
    pub fn open(&mut self, card: &crate::card::Card, business: bool) {
        self.accounts
            .entry(card.number)
            .or_insert_with(|| Account::open(card, business));
    }

    /// Books what a machine just did to a card (a load or a product load at `now`), from the
    /// card image it wrote. Machines are online: the administration knows at once.
    pub fn record_machine(&mut self, image_after: &[u8], now: Timestamp) {
        let Ok(card) = image::decode(image_after) else {
            return;
        };
        self.open(&card, false);
        let account = self.accounts.get_mut(&card.number).expect("opened");
        account.products = card.products.clone();
        let Some(entry) = card.last_entry() else {
            return;
        };
        let kind = match entry.kind {
            LogKind::Load if entry.amount.is_negative() => return,
            LogKind::Load => MachineTxKind::Load,
            LogKind::ProductLoad => MachineTxKind::ProductLoad,
            _ => return,
        };
        let tx = MachineTx {
            at: entry.at,
            kind,
            amount: entry.amount,
            balance_after: entry.balance_after,
        };
        if entry.at.as_second() == now.as_second() && account.machine.last() != Some(&tx) {
            account.machine.push(tx);
        }
    }

    pub fn account(&self, number: CardNumber) -> Option<&Account> {
        self.accounts.get(&number)
    }

    pub fn numbers(&self) -> Vec<CardNumber> {
        self.accounts.keys().copied().collect()
    }

    /// Every account's invariants ([`Account::invariants`]).
    pub fn invariants(&self, rules: &RuleSet, back_office: &BackOffice) -> Result<(), String> {
        self.accounts
            .values()
            .try_for_each(|a| a.invariants(rules, back_office))
    }

    /// TERM-05 / TERM-09 / TERM-12 / TERM-13: the cards readers must refuse at `now` (every
    /// ended usage right except expiry, which readers see on the card itself).
    pub fn refused_at_readers(&self, now: Timestamp) -> Vec<(CardNumber, EndReason)> {
        self.accounts
            .values()
            .filter_map(|a| {
                a.ended
                    .filter(|e| e.at <= now)
                    .map(|e| (a.number, e.reason))
            })
            .collect()
    }

    /// TERM-05 / TERM-09 / TERM-12 / TERM-13: puts every card readers must refuse on the
    /// back office's deny list (TAP-05), with [`deny_reason`]; returns how many were added.
    pub fn distribute_blocks(&self, back_office: &mut BackOffice, now: Timestamp) -> usize {
        let mut added = 0;
        for (number, reason) in self.refused_at_readers(now) {
            let key = DenyKey::OvChipkaart { number };
            if back_office.deny_list().reason(&key).is_none() {
                back_office.deny(key, deny_reason(reason), now);
                added += 1;
            }
        }
        added
    }

    /// What the administration shows about a card.
    pub fn view(
        &self,
        rules: &RuleSet,
        back_office: &BackOffice,
        now: Timestamp,
        number: CardNumber,
    ) -> Option<AccountView> {
        let a = self.accounts.get(&number)?;
        let today = calendar::date_of(now);
        let usage = match a.usage_end(now) {
            None => Usage::Active,
            Some(end) => Usage::Ended {
                reason: end.reason,
                at: end.at,
                refund_until: (!a.own_fault(rules)).then(|| refund_until(rules, end)),
            },
        };
        let statement = a.statement(rules, back_office);
        Some(AccountView {
            number,
            kind: a.kind,
            business: a.business,
            terms_apply: a.terms_apply(),
            owner: ISSUER.to_string(),
            personal_data_known: a.personal_data_known,
            usage,
            pending_end: a.pending_end(now),
            refused_at_readers: a.ended.is_some_and(|e| e.at <= now),
            balance_blocked: a.blocks.balance,
            balance_blocked_by_debt: a.balance_blocked_by_debt(),
            blocked_products: a.blocks.products.iter().cloned().collect(),
            products: a.products.clone(),
            administrative_balance: match &a.closing {
                Some(_) => statement.balance,
                None => a.balance_now(back_office),
            },
            report: a.report,
            closing: a.closing.clone(),
            statement,
            owed: a.owed(rules, today),
            debits: a
                .debits
                .iter()
                .map(|d| DebitView {
                    purpose: d.purpose,
                    amount: d.amount_cents,
                    failed_on: d.failed_on,
                    stage: d.stage(rules, today),
                    admin_costs_due: d.admin_costs_due(rules, today),
                    owed: d.owed(rules, today),
                    debit_attempts: d.debit_attempts(),
                })
                .collect(),
            missed_claims: a.missed.clone(),
            replaced_by: a.replaced_by,
            replaces: a.replaces,
        })
    }

    /// The administrative balance of a card just before `at` (TERM-07, TERM-10).
    pub fn balance_before(
        &self,
        back_office: &BackOffice,
        number: CardNumber,
        at: Timestamp,
    ) -> Option<Cents> {
        Some(self.accounts.get(&number)?.balance_before(back_office, at))
    }

    fn under_terms(&mut self, number: CardNumber) -> Res<&mut Account> {
        let account = self
            .accounts
            .get_mut(&number)
            .ok_or(TermsRefusal::UnknownCard)?;
        if !account.terms_apply() {
            return Err(TermsRefusal::TermsDoNotApply);
        }
        Ok(account)
    }

    /// The products a card's fare may use: those per the administration, less blocked ones
    /// (TERM-09).
    pub fn usable_products(&self, number: CardNumber) -> Option<Vec<ProductSlot>> {
        let account = self.accounts.get(&number)?;
        Some(
            account
                .products
                .iter()
                .filter(|p| !account.blocks.products.contains(&p.code))
                .cloned()
                .collect(),
        )
    }
}

impl<T> From<TermsRefusal> for Outcome<T> {
    fn from(reason: TermsRefusal) -> Outcome<T> {
        Outcome::Refused { reason }
    }
}

/// TERM-04: refunds are possible until 12 months after the end (exclusive).
fn refund_until(rules: &RuleSet, end: UsageEnd) -> Timestamp {
    calendar::instant_plus_months(end.at, rules.terms.refund_after_end_months)
}

/// Books a fee the holder pays on the spot (in and out at once).
fn pay_fee(account: &mut Account, now: Timestamp, what: Paid, amount: Cents) {
    account.book(now, LedgerKind::CounterPayment(what), amount);
    account.book(now, LedgerKind::Fee(what), amount);
}
