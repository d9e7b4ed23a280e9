//! The seller's and service point's card-holder operations: card sales (FEE-01), paid loads
//! (FEE-03), balance refunds (TERM-02..04, TERM-12, TERM-14, FEE-02) and replacement cards
//! (TERM-06, TERM-08, TERM-10, TERM-11, FEE-02).

use jiff::Timestamp;

use crate::backoffice::BackOffice;
use crate::card::{CardKind, CardNumber, image};
use crate::fees::{self, PaymentMethod, SaleChannel};
use crate::machine::{self, IssueRequest, LoadChannel, MachineOutcome};
use crate::money::Cents;
use crate::rules::RuleSet;

use super::account::{Account, add, sub};
use super::loss::old_card_report;
use super::*;

impl CardAccounts {
    /// FEE-01: sells a new card through `channel`: issues it, opens its account and books
    /// the price paid.
    pub fn sell(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        request: &IssueRequest,
        channel: SaleChannel,
    ) -> Outcome<Sale> {
        self.sell_inner(rules, now, request, channel).into()
    }

    fn sell_inner(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        request: &IssueRequest,
        channel: SaleChannel,
    ) -> Res<Sale> {
        let price = fees::card_price(rules, request.kind, channel).map_err(|r| match r {
            fees::SaleRefusal::ChannelNotOffered => TermsRefusal::ChannelNotOffered,
            fees::SaleRefusal::NotSold => TermsRefusal::NotSold,
        })?;
        let image =
            machine::issue(rules, now, request).map_err(|_| TermsRefusal::CardNotWritten)?;
        let card = image::decode(&image).map_err(|_| TermsRefusal::CardNotWritten)?;
        self.open(&card, false);
        let account = self.accounts.get_mut(&card.number).expect("opened");
        pay_fee(account, now, Paid::CardPrice, price.card_cents);
        pay_fee(account, now, Paid::SaleSurcharge, price.surcharge_cents);
        Ok(Sale { image, price })
    }

    /// TERM-01: a card issued for business use (by a business-card provider): the general
    /// terms do not apply to it.
    pub fn issue_business(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        request: &IssueRequest,
    ) -> Result<Vec<u8>, machine::IssueError> {
        let image = machine::issue(rules, now, request)?;
        if let Ok(card) = image::decode(&image) {
            self.open(&card, true);
        }
        Ok(image)
    }

    /// FEE-03: a load paid by `payment`; the card gets exactly `amount` (CARD-07), the
    /// surcharge is paid on top.
    pub fn paid_load(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        image_before: &[u8],
        amount: Cents,
        channel: LoadChannel,
        payment: PaymentMethod,
    ) -> PaidLoad {
        let outcome = machine::load(rules, now, image_before, amount, channel);
        let MachineOutcome::Done { image, .. } = &outcome else {
            return PaidLoad {
                outcome,
                surcharge: Cents::ZERO,
                total_paid: Cents::ZERO,
            };
        };
        let surcharge = fees::load_surcharge(rules, channel, payment, amount);
        self.record_machine(image, now);
        if let Ok(card) = image::decode(image)
            && let Some(account) = self.accounts.get_mut(&card.number)
        {
            pay_fee(account, now, Paid::LoadSurcharge, surcharge);
        }
        PaidLoad {
            total_paid: add(amount, surcharge),
            outcome,
            surcharge,
        }
    }

    /// TERM-02 / TERM-03 / TERM-04 / TERM-12 / TERM-14 / FEE-02: a balance refund of a
    /// presented card, at a service point (cash, up to the maximum, admin fee unless the card
    /// is terminated, expired or within six weeks of expiry) or with the form (bank account,
    /// card handed in). Debts are set off.
    pub fn refund(
        &mut self,
        rules: &RuleSet,
        back_office: &BackOffice,
        now: Timestamp,
        image_before: &[u8],
        request: RefundRequest,
    ) -> Outcome<Refunded> {
        self.refund_inner(rules, back_office, now, image_before, request)
            .into()
    }

    fn refund_inner(
        &mut self,
        rules: &RuleSet,
        back_office: &BackOffice,
        now: Timestamp,
        image_before: &[u8],
        request: RefundRequest,
    ) -> Res<Refunded> {
        let card = image::decode(image_before).map_err(|_| TermsRefusal::Unreadable)?;
        let account = self.under_terms(card.number)?;
        if account.closing.is_some() {
            return Err(TermsRefusal::AlreadySettled);
        }
        if account.report.is_some() {
            return Err(TermsRefusal::OldCardReported);
        }
        let end = account.usage_end(now);
        if end.is_some_and(|e| e.reason == EndReason::Fraud) {
            return Err(TermsRefusal::FraudInvestigation);
        }
        if let Some(end) = end {
            // TERM-12: the refund right stays, except own fault; TERM-04: for 12 months.
            if account.own_fault(rules) {
                return Err(TermsRefusal::OwnFault);
            }
            if now >= refund_until(rules, end) {
                return Err(TermsRefusal::RefundPeriodOver);
            }
        }
        if account.blocks.balance {
            return Err(TermsRefusal::BalanceBlocked);
        }
        // TERM-02: the card's balance leads, unless the holder shows counter-evidence.
        let balance = if request.counter_evidence {
            account.balance_now(back_office)
        } else {
            card.balance()
        };
        // TERM-03: only a balance above €0.
        if balance <= Cents::ZERO {
            return Err(TermsRefusal::NoBalance);
        }
        let terminate = request.terminate || request.channel == RefundChannel::Form;
        let (fee, paid_to, kind) = match request.channel {
            RefundChannel::ServicePoint => {
                // TERM-03: above the maximum only via the form.
                if balance > rules.fees.service_point_refund_max_cents {
                    return Err(TermsRefusal::AboveServicePointMaximum);
                }
                // TERM-03: the admin costs are offset against the balance, never beyond it.
                let fee = fees::refund_admin_fee(
                    rules,
                    account.expires_on,
                    calendar::date_of(now),
                    terminate || end.is_some(),
                )
                .min(balance);
                (fee, PaidTo::Cash, RefundKind::ServicePointCash)
            }
            RefundChannel::Form => (Cents::ZERO, PaidTo::BankAccount, RefundKind::Form),
        };
        let MachineOutcome::Done { image, .. } = machine::unload(now, image_before, terminate)
        else {
            return Err(TermsRefusal::CardNotWritten);
        };
        let net = sub(balance, fee);
        let set_off = account.set_off(rules, now, net);
        let paid = sub(net, set_off);
        account.machine.push(MachineTx {
            at: Timestamp::from_second(now.as_second()).unwrap_or(now),
            kind: MachineTxKind::Unload { settled: balance },
            amount: card.balance().checked_neg().unwrap_or(Cents::ZERO),
            balance_after: Cents::ZERO,
        });
        account.book(now, LedgerKind::Fee(Paid::RefundAdmin), fee);
        account.book(now, LedgerKind::Refund(kind), paid);
        if terminate && end.is_none() {
            account.ended = Some(UsageEnd {
                reason: EndReason::HandedIn,
                at: now,
            });
        }
        Ok(Refunded {
            balance,
            admin_fee: fee,
            set_off,
            paid,
            paid_to,
            terminated: terminate,
            card_kept_by_issuer: terminate,
            image,
        })
    }

    /// TERM-08 / TERM-10 / TERM-11 / FEE-02: a replacement card with the old card's holder
    /// and its transferable products; the old card is (or stays) terminated. Its balance goes
    /// to the bank account through [`Self::settle_old_balance`] (lost, stolen, defect) or the
    /// fraud settlement, or stays refundable (expired, FEE-02).
    pub fn replace(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        old: CardNumber,
        reason: ReplaceReason,
        new_card: (CardNumber, u32),
    ) -> Outcome<Replaced> {
        self.replace_inner(rules, now, old, reason, new_card).into()
    }

    fn replace_inner(
        &mut self,
        rules: &RuleSet,
        now: Timestamp,
        old: CardNumber,
        reason: ReplaceReason,
        (number, uid): (CardNumber, u32),
    ) -> Res<Replaced> {
        let today = calendar::date_of(now);
        let account = self.under_terms(old)?;
        if account.replaced_by.is_some() {
            return Err(TermsRefusal::AlreadyReplaced);
        }
        let price = match reason {
            ReplaceReason::Expired => {
                if today <= account.expires_on {
                    return Err(TermsRefusal::NotExpired);
                }
                fees::ReplacementPrice::Expired
            }
            ReplaceReason::LostOrStolen | ReplaceReason::Defect => {
                // TERM-06: anonymous cards cannot be replaced: nobody's data are on file.
                if account.kind != CardKind::Personal {
                    return Err(TermsRefusal::AnonymousCard);
                }
                if reason == ReplaceReason::LostOrStolen
                    && account
                        .report
                        .is_none_or(|r| r.reason != EndReason::LostOrStolen)
                {
                    return Err(TermsRefusal::NotReported);
                }
                fees::ReplacementPrice::LossTheftOrDefect
            }
            ReplaceReason::Fraud => {
                let finding = account.fraud.ok_or(TermsRefusal::FraudNotEstablished)?;
                if account.kind == CardKind::Anonymous && !account.personal_data_known {
                    return Err(TermsRefusal::PersonalDataUnknown);
                }
                if finding.conduct.is_fault() {
                    fees::ReplacementPrice::FraudWithFault
                } else {
                    fees::ReplacementPrice::FraudWithoutFault
                }
            }
        };
        let request = IssueRequest {
            kind: account.kind,
            number,
            uid,
            holder: account.holder.clone(),
            travel_right: None,
        };
        let mut image =
            machine::issue(rules, now, &request).map_err(|_| TermsRefusal::CardNotWritten)?;
        let mut moved = Vec::new();
        let mut not_moved = Vec::new();
        for product in account.products.clone() {
            let why = if product.valid_until < today {
                Some(NotMovedWhy::Expired)
            } else if account.blocks.products.contains(&product.code) {
                Some(NotMovedWhy::Blocked)
            } else if rules
                .terms
                .non_transferable_products
                .contains(&product.code)
            {
                Some(NotMovedWhy::ProductTerms)
            } else {
                None
            };
            if let Some(why) = why {
                not_moved.push((product.code, why));
                continue;
            }
            match machine::load_product(rules, now, &image, product.clone()) {
                MachineOutcome::Done { image: next, .. } => {
                    image = next;
                    moved.push(product.code);
                }
                MachineOutcome::Refused { .. } => {
                    not_moved.push((product.code, NotMovedWhy::Refused));
                }
            }
        }
        // TERM-08: the old card is terminated.
        if reason == ReplaceReason::Defect && account.usage_end(now).is_none() {
            account.ended = Some(UsageEnd {
                reason: EndReason::Defect,
                at: now,
            });
            account.report = Some(old_card_report(rules, now, EndReason::Defect, now));
        }
        account.replaced_by = Some(number);
        let card = image::decode(&image).map_err(|_| TermsRefusal::CardNotWritten)?;
        let mut new_account = Account::open(&card, false);
        new_account.replaces = Some(old);
        let price = fees::replacement_price(rules, price);
        pay_fee(&mut new_account, now, Paid::ReplacementCard, price);
        self.accounts.insert(number, new_account);
        Ok(Replaced {
            number,
            image,
            price,
            moved,
            not_moved,
        })
    }
}
