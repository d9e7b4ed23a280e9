//! Loss, theft and defect (TERM-05..08): the report and its block, the risk transfer, and
//! settling the old card's balance from the administration — also used for fraud
//! compensation (TERM-10, TERM-11).

use jiff::Timestamp;

use crate::backoffice::BackOffice;
use crate::card::{CardKind, CardNumber};
use crate::money::Cents;
use crate::rules::RuleSet;

use super::account::{Account, sub};
use super::*;

impl CardAccounts {
    /// TERM-05 / TERM-06 / TERM-07: a personal card reported lost or stolen is blocked (the
    /// reference blocks at once, within the 24 hours allowed); the issuer bears the risk from
    /// 00:00 of the next day.
    pub fn report_lost_or_stolen(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        number: CardNumber,
    ) -> Outcome<LossReported> {
        self.report_inner(rules, now, number).into()
    }

    fn report_inner(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        number: CardNumber,
    ) -> Res<LossReported> {
        let account = self.under_terms(number)?;
        if account.kind == CardKind::Anonymous {
            return Err(TermsRefusal::AnonymousCard);
        }
        if account.report.is_some() {
            return Err(TermsRefusal::AlreadyReported);
        }
        if account.usage_end(now).is_some() {
            return Err(TermsRefusal::AlreadyEnded);
        }
        let report = old_card_report(
            rules,
            now,
            EndReason::LostOrStolen,
            calendar::midnight_days_after(now, rules.terms.risk_transfer_days),
        );
        account.report = Some(report);
        account.ended = Some(UsageEnd {
            reason: EndReason::LostOrStolen,
            at: report.blocked_at,
        });
        Ok(LossReported {
            blocked_at: report.blocked_at,
            block_deadline: report.block_deadline,
            risk_transfer_at: report.closes_at,
            balance_due_by: report.balance_due_by,
        })
    }

    /// TERM-07 / TERM-08: pays the old card's balance per the administration at the risk
    /// transfer (counting transactions before it that reached the system later), to the bank
    /// account, less what the holder owes (TERM-14); withheld for intent or gross negligence.
    pub fn settle_old_balance(
        &mut self,
        rules: &RuleSet,
        back_office: &BackOffice,
        now: Timestamp,
        number: CardNumber,
        conduct: Conduct,
    ) -> Outcome<BalanceSettled> {
        self.settle_inner(rules, back_office, now, number, conduct)
            .into()
    }

    fn settle_inner(
        &mut self,
        rules: &RuleSet,
        back_office: &BackOffice,
        now: Timestamp,
        number: CardNumber,
        conduct: Conduct,
    ) -> Res<BalanceSettled> {
        let account = self.under_terms(number)?;
        let report = account.report.ok_or(TermsRefusal::NotReported)?;
        if account.closing.is_some() {
            return Err(TermsRefusal::AlreadySettled);
        }
        if now < report.closes_at {
            return Err(TermsRefusal::NotYet);
        }
        if account.blocks.balance {
            return Err(TermsRefusal::BalanceBlocked);
        }
        let balance = account.balance_before(back_office, report.closes_at);
        Ok(close(
            account,
            rules,
            now,
            ClosingKind::OldCardBalance,
            report.closes_at,
            balance,
            conduct,
        ))
    }

    /// TERM-08: what time alone does: an old card's balance not yet paid is paid once the
    /// two weeks after the report are over. Returns the settlements made.
    pub fn advance(
        &mut self,
        rules: &RuleSet,
        back_office: &BackOffice,
        now: Timestamp,
    ) -> Vec<(CardNumber, BalanceSettled)> {
        let due: Vec<CardNumber> = self
            .accounts
            .values()
            .filter(|a| a.closing.is_none() && !a.blocks.balance)
            .filter(|a| {
                a.report.is_some_and(|r| {
                    now >= r.closes_at
                        && now >= calendar::midnight(calendar::add_days(r.balance_due_by, 1))
                })
            })
            .map(|a| a.number)
            .collect();
        due.into_iter()
            .filter_map(|number| {
                let settled = self
                    .settle_inner(rules, back_office, now, number, Conduct::Careful)
                    .ok()?;
                Some((number, settled))
            })
            .collect()
    }
}

/// TERM-05 / TERM-08: the report of a lost, stolen or defect card; its balance is the one at
/// `closes_at`.
pub(super) fn old_card_report(
    rules: &RuleSet,
    now: Timestamp,
    reason: EndReason,
    closes_at: Timestamp,
) -> OldCard {
    OldCard {
        reason,
        reported_at: now,
        blocked_at: now,
        block_deadline: calendar::plus_hours(now, rules.terms.loss_block_within_h),
        closes_at,
        balance_due_by: calendar::add_days(
            calendar::date_of(now),
            rules.terms.old_balance_within_days,
        ),
    }
}

/// Settles the holder's money from the administration's balance at `at`: paid to the bank
/// account less set-off, or withheld for the holder's fault; a deficit becomes a debt.
pub(super) fn close(
    account: &mut Account,
    rules: &RuleSet,
    now: Timestamp,
    kind: ClosingKind,
    at: Timestamp,
    balance: Cents,
    conduct: Conduct,
) -> BalanceSettled {
    let refund_kind = match kind {
        ClosingKind::OldCardBalance => RefundKind::OldCardBalance,
        ClosingKind::FraudCompensation => RefundKind::FraudCompensation,
    };
    let (mut set_off, mut paid, mut withheld) = (Cents::ZERO, Cents::ZERO, Cents::ZERO);
    // What a service point refunded from the card since `at` the holder already has.
    let already_refunded = account.refunded_since(at).min(balance.max(Cents::ZERO));
    let due = sub(balance, already_refunded);
    if balance < Cents::ZERO {
        account.debts.push(Debt {
            kind: DebtKind::Deficit,
            amount: balance.checked_neg().unwrap_or(Cents::ZERO),
            paid: Cents::ZERO,
        });
    } else if conduct.is_fault() {
        withheld = due;
        account.book(now, LedgerKind::Withheld, withheld);
    } else {
        set_off = account.set_off(rules, now, due);
        paid = sub(due, set_off);
        account.book(now, LedgerKind::Refund(refund_kind), paid);
    }
    account.closing = Some(Closing {
        kind,
        at,
        settled_at: now,
        balance,
        set_off,
        paid,
        withheld,
        already_refunded,
    });
    BalanceSettled {
        at,
        balance,
        set_off,
        paid,
        withheld,
        paid_to: PaidTo::BankAccount,
    }
}
