//! Fraud (TERM-09..11): separate blocks of card, balance and products; the established fraud
//! with its compensation, withholding and unjust benefit.

use jiff::Timestamp;

use crate::backoffice::BackOffice;
use crate::card::{CardKind, CardNumber};
use crate::money::Cents;
use crate::rules::RuleSet;

use super::account;
use super::loss::close;
use super::*;

impl CardAccounts {
    /// TERM-09: on a fraud report or suspicion: block the card, the balance or a product,
    /// each separately. Blocking the card ends its usage right (TERM-12).
    pub fn block(
        &mut self,
        now: Timestamp,
        number: CardNumber,
        scope: BlockScope,
    ) -> Outcome<BlockChanged> {
        self.block_inner(now, number, scope).into()
    }

    fn block_inner(
        &mut self,
        now: Timestamp,
        number: CardNumber,
        scope: BlockScope,
    ) -> Res<BlockChanged> {
        let account = self.under_terms(number)?;
        match &scope {
            BlockScope::Card => {
                if account.ended.is_some_and(|e| e.at <= now) {
                    return Err(TermsRefusal::AlreadyBlocked);
                }
                account.ended = Some(UsageEnd {
                    reason: EndReason::Fraud,
                    at: now,
                });
            }
            BlockScope::Balance => {
                if account.blocks.balance {
                    return Err(TermsRefusal::AlreadyBlocked);
                }
                account.blocks.balance = true;
            }
            BlockScope::Product(code) => {
                if !account.products.iter().any(|p| &p.code == code) {
                    return Err(TermsRefusal::NoSuchProduct);
                }
                if !account.blocks.products.insert(code.clone()) {
                    return Err(TermsRefusal::AlreadyBlocked);
                }
            }
        }
        Ok(BlockChanged {
            scope,
            blocked: true,
        })
    }

    /// TERM-09: lifts a balance or product block (a card block is final).
    pub fn lift(&mut self, number: CardNumber, scope: BlockScope) -> Outcome<BlockChanged> {
        self.lift_inner(number, scope).into()
    }

    fn lift_inner(&mut self, number: CardNumber, scope: BlockScope) -> Res<BlockChanged> {
        let account = self.under_terms(number)?;
        match &scope {
            BlockScope::Card => return Err(TermsRefusal::CardBlockIsFinal),
            BlockScope::Balance => {
                if !account.blocks.balance {
                    return Err(TermsRefusal::NotBlocked);
                }
                account.blocks.balance = false;
            }
            BlockScope::Product(code) => {
                if !account.blocks.products.remove(code) {
                    return Err(TermsRefusal::NotBlocked);
                }
            }
        }
        Ok(BlockChanged {
            scope,
            blocked: false,
        })
    }

    /// TERM-10: the holder of an anonymous card made their personal data known (art. 62).
    pub fn register_personal_data(&mut self, number: CardNumber) -> Outcome<PersonalData> {
        self.under_terms(number)
            .map(|a| {
                a.personal_data_known = true;
                PersonalData { known: true }
            })
            .into()
    }

    /// TERM-10 / TERM-11 / TERM-14: established fraud. The card is blocked; without the
    /// holder's fault the balance per the administration directly before the fraud is paid
    /// (anonymous cards only when the holder's data are known), with fault it is withheld;
    /// an unjust benefit is reclaimed or set off.
    pub fn establish_fraud(
        &mut self,
        rules: &RuleSet,
        back_office: &BackOffice,
        now: Timestamp,
        number: CardNumber,
        report: FraudReport,
    ) -> Outcome<FraudSettled> {
        self.fraud_inner(rules, back_office, now, number, report)
            .into()
    }

    fn fraud_inner(
        &mut self,
        rules: &RuleSet,
        back_office: &BackOffice,
        now: Timestamp,
        number: CardNumber,
        report: FraudReport,
    ) -> Res<FraudSettled> {
        let account = self.under_terms(number)?;
        if account.closing.is_some() {
            return Err(TermsRefusal::AlreadySettled);
        }
        if account.usage_end(now).is_none() {
            account.ended = Some(UsageEnd {
                reason: EndReason::Fraud,
                at: now,
            });
        }
        if account.fraud.is_none() && report.unjust_benefit > Cents::ZERO {
            account.debts.push(Debt {
                kind: DebtKind::UnjustBenefit,
                amount: report.unjust_benefit,
                paid: Cents::ZERO,
            });
        }
        account.fraud = Some(account::FraudFinding {
            started_at: report.started_at,
            established_at: now,
            conduct: report.conduct,
            unjust_benefit: report.unjust_benefit,
        });
        // TERM-10: anonymous cards only when the holder's personal data are known.
        if account.kind == CardKind::Anonymous && !account.personal_data_known {
            return Err(TermsRefusal::PersonalDataUnknown);
        }
        account.blocks.balance = false;
        let balance = account.balance_before(back_office, report.started_at);
        let settled = close(
            account,
            rules,
            now,
            ClosingKind::FraudCompensation,
            report.started_at,
            balance,
            report.conduct,
        );
        Ok(FraudSettled {
            balance_before_fraud: balance,
            set_off: settled.set_off,
            paid: settled.paid,
            withheld: settled.withheld,
            unjust_benefit: report.unjust_benefit,
            new_card_free: !report.conduct.is_fault(),
        })
    }
}
