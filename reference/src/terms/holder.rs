//! The holder's rights around the usage right (TERM-02, TERM-12, TERM-13, TERM-15): its end
//! by declaration, objections to changed terms, correction claims, complaints and disputes.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::backoffice::BackOffice;
use crate::card::{CardKind, CardNumber};
use crate::rules::RuleSet;

use super::*;

impl CardAccounts {
    /// TERM-12: an end of the usage right declared to the issuer (death, an authority's
    /// directive, a weighty interest, a card handed in; loss/theft and fraud go through their
    /// own procedures). Expiry and objections have their own timing.
    pub fn end_usage(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        number: CardNumber,
        reason: EndReason,
    ) -> Outcome<UsageEnded> {
        match reason {
            EndReason::Expired | EndReason::ChangedTermsRejected => {
                return Outcome::Refused {
                    reason: TermsRefusal::NotByDeclaration,
                };
            }
            EndReason::LostOrStolen => {
                if let Outcome::Refused { reason } = self.report_lost_or_stolen(rules, now, number)
                {
                    return Outcome::Refused { reason };
                }
            }
            EndReason::Fraud => {
                if let Outcome::Refused { reason } = self.block(now, number, BlockScope::Card) {
                    return Outcome::Refused { reason };
                }
            }
            _ => {
                let declared = self.under_terms(number).and_then(|account| {
                    if reason == EndReason::HolderDied && account.kind != CardKind::Personal {
                        return Err(TermsRefusal::PersonalCardOnly);
                    }
                    if account.usage_end(now).is_some() {
                        return Err(TermsRefusal::AlreadyEnded);
                    }
                    account.ended = Some(UsageEnd { reason, at: now });
                    Ok(())
                });
                if let Err(reason) = declared {
                    return Outcome::Refused { reason };
                }
            }
        }
        let account = self.accounts.get(&number).expect("checked above");
        let end = account.ended.expect("just ended");
        Outcome::Done(UsageEnded {
            reason: end.reason,
            at: end.at,
            refund_until: (!account.own_fault(rules)).then(|| refund_until(rules, end)),
        })
    }

    /// TERM-13: a written objection to changed terms, received now, against the notice of
    /// `notice_on`: within 30 days, and the usage right ends 10 calendar days later.
    pub fn object_to_changed_terms(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        number: CardNumber,
        notice_on: Date,
    ) -> Outcome<ObjectionAccepted> {
        let terms = &rules.terms;
        let received_on = calendar::date_of(now);
        let deadline = calendar::add_days(notice_on, terms.objection_window_days);
        self.under_terms(number)
            .and_then(|account| {
                if account.usage_end(now).is_some() || account.pending_end(now).is_some() {
                    return Err(TermsRefusal::AlreadyEnded);
                }
                if received_on > deadline {
                    return Err(TermsRefusal::ObjectionTooLate);
                }
                let ends_at = calendar::midnight(calendar::add_days(
                    received_on,
                    terms.objection_usage_end_days,
                ));
                account.ended = Some(UsageEnd {
                    reason: EndReason::ChangedTermsRejected,
                    at: ends_at,
                });
                Ok(ObjectionAccepted {
                    deadline,
                    usage_ends_at: ends_at,
                })
            })
            .into()
    }

    /// TERM-02: a claim that the issuer registered a balance or transaction wrongly, within 3
    /// months of the registration or of the discovery (the later); the administration is the
    /// counter-evidence.
    pub fn correction_claim(
        &self,
        rules: &RuleSet,
        back_office: &BackOffice,
        now: Timestamp,
        number: CardNumber,
        claim: CorrectionClaim,
    ) -> Outcome<CorrectionAssessed> {
        let Some(account) = self.accounts.get(&number) else {
            return TermsRefusal::UnknownCard.into();
        };
        if !account.terms_apply() {
            return TermsRefusal::TermsDoNotApply.into();
        }
        let CorrectionClaim {
            registered_on,
            discovered_on,
            card_balance,
        } = claim;
        let from = discovered_on.map_or(registered_on, |d| d.max(registered_on));
        let deadline = calendar::add_months(from, rules.terms.correction_claim_months);
        if calendar::date_of(now) > deadline {
            return TermsRefusal::ClaimTooLate.into();
        }
        Outcome::Done(CorrectionAssessed {
            deadline,
            administrative_balance: account.balance_now(back_office),
            card_balance,
        })
    }

    /// TERM-15: a complaint to the issuer.
    pub fn file_complaint(
        &mut self,
        now: Timestamp,
        number: CardNumber,
    ) -> Outcome<ComplaintFiled> {
        if let Err(reason) = self.under_terms(number) {
            return reason.into();
        }
        let id = u32::try_from(self.complaints.len() + 1).unwrap_or(u32::MAX);
        self.complaints.push(Complaint {
            id,
            card: number,
            filed_at: now,
            answered_at: None,
        });
        Outcome::Done(ComplaintFiled { id })
    }

    /// TERM-15: the issuer handles a complaint; a holder who disagrees has a dispute from now.
    pub fn answer_complaint(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        id: u32,
    ) -> Outcome<DisputeDeadline> {
        let Some(complaint) = self.complaints.iter_mut().find(|c| c.id == id) else {
            return TermsRefusal::NoComplaint.into();
        };
        complaint.answered_at = Some(now);
        Outcome::Done(DisputeDeadline {
            deadline: calendar::add_months(
                calendar::date_of(now),
                rules.terms.dispute_window_months,
            ),
        })
    }

    /// TERM-15: a dispute brought to the disputes committee: only after a complaint the issuer
    /// handled, within 3 months of that answer.
    pub fn submit_dispute(
        &self,
        rules: &RuleSet,
        now: Timestamp,
        number: CardNumber,
        complaint: Option<u32>,
    ) -> Outcome<DisputeDeadline> {
        let Some(account) = self.accounts.get(&number) else {
            return TermsRefusal::UnknownCard.into();
        };
        if !account.terms_apply() {
            return TermsRefusal::TermsDoNotApply.into();
        }
        let Some(complaint) = complaint.and_then(|id| {
            self.complaints
                .iter()
                .find(|c| c.id == id && c.card == number)
        }) else {
            return TermsRefusal::NoComplaint.into();
        };
        let Some(answered) = complaint.answered_at else {
            return TermsRefusal::ComplaintNotAnswered.into();
        };
        let deadline = calendar::add_months(
            calendar::date_of(answered),
            rules.terms.dispute_window_months,
        );
        if calendar::date_of(now) > deadline {
            return TermsRefusal::DisputeTooLate.into();
        }
        Outcome::Done(DisputeDeadline { deadline })
    }
}
