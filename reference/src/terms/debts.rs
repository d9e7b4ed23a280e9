//! What the holder owes (TERM-14, FEE-04): failed direct debits, their letters, admin costs
//! and collection, and paying debts.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::card::{CardKind, CardNumber};
use crate::fees::{self, DebitPurpose, DebitStage};
use crate::money::Cents;
use crate::rules::RuleSet;

use super::account::{Account, add, sub};
use super::*;

impl CardAccounts {
    /// FEE-04 test control: the holder's bank refused the direct debit of an auto-reload or
    /// of a card's cost. There is no second attempt; the letters' terms start today.
    pub fn direct_debit_failed(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        number: CardNumber,
        purpose: DebitPurpose,
        amount: Cents,
    ) -> Outcome<DebitView> {
        let today = calendar::date_of(now);
        self.under_terms(number)
            .and_then(|account| {
                if amount <= Cents::ZERO {
                    return Err(TermsRefusal::NotPositive);
                }
                if purpose == DebitPurpose::AutoReload && account.kind != CardKind::Personal {
                    return Err(TermsRefusal::PersonalCardOnly);
                }
                let debit = fees::FailedDebit::new(purpose, amount, today);
                let view = DebitView {
                    purpose,
                    amount,
                    failed_on: today,
                    stage: debit.stage(rules, today),
                    admin_costs_due: Cents::ZERO,
                    owed: debit.owed(rules, today),
                    debit_attempts: debit.debit_attempts(),
                };
                account.debits.push(debit);
                Ok(view)
            })
            .into()
    }

    /// FEE-04 / TERM-14: the holder pays (part of) what they owe to the issuer.
    pub fn pay_debt(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        number: CardNumber,
        amount: Cents,
    ) -> Outcome<DebtPaid> {
        let today = calendar::date_of(now);
        self.under_terms(number)
            .and_then(|account| {
                if amount <= Cents::ZERO {
                    return Err(TermsRefusal::NotPositive);
                }
                let payable = payable(account, rules, today);
                if payable == Cents::ZERO {
                    let in_collection = account
                        .debits
                        .iter()
                        .any(|d| matches!(d.stage(rules, today), DebitStage::Collection { .. }));
                    return Err(if in_collection {
                        TermsRefusal::WithCollectionAgency
                    } else {
                        TermsRefusal::NothingOwed
                    });
                }
                let taken = amount.min(payable);
                account.book(now, LedgerKind::CounterPayment(Paid::Debt), taken);
                let settled = account.set_off(rules, now, taken);
                debug_assert_eq!(settled, taken);
                Ok(DebtPaid {
                    paid: taken,
                    still_owed: account.owed(rules, today),
                })
            })
            .into()
    }
}

/// What the holder can pay the issuer now: everything owed except debts with the collection
/// agency (FEE-04).
fn payable(account: &Account, rules: &RuleSet, today: Date) -> Cents {
    let debits = account
        .debits
        .iter()
        .filter(|d| !matches!(d.stage(rules, today), DebitStage::Collection { .. }))
        .map(|d| d.owed(rules, today));
    let debts = account
        .debts
        .iter()
        .map(|d| sub(d.amount, d.paid).max(Cents::ZERO));
    debits.chain(debts).fold(Cents::ZERO, add)
}
