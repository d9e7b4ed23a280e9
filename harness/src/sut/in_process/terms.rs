//! Card-holder operations of the embedded reference: the issuer's accounts
//! ([`CardAccounts`](ovcert_reference::terms::CardAccounts)) next to the back office, plus what
//! a deployment does around them — putting ended cards on the deny list readers check
//! (TERM-05, TERM-09, TERM-12, TERM-13), paying old balances when their two weeks are over
//! (TERM-08), and telling the back office which products a card's fares may use (TERM-09).

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use ovcert_reference::Cents;
use ovcert_reference::backoffice::CardProfile;
use ovcert_reference::card::{CardNumber, image};
use ovcert_reference::fees::{DebitPurpose, PaymentMethod, SaleChannel};
use ovcert_reference::machine::{IssueRequest, LoadChannel, MachineOutcome};
use ovcert_reference::terms::{
    AccountView, BalanceSettled, BlockChanged, BlockScope, ComplaintFiled, Conduct,
    CorrectionAssessed, CorrectionClaim, DebitView, DebtPaid, DisputeDeadline, EndReason,
    FraudReport, FraudSettled, LossReported, MissedRefund, ObjectionAccepted, Outcome, PaidLoad,
    PersonalData, RefundRequest, Refunded, ReplaceReason, Replaced, Sale, UsageEnded,
};

use super::InProcess;
use crate::sut::terms::TermsApi;
use crate::sut::{SutError, SutResult};

impl InProcess {
    /// Hook: a card distributor issued a card; the issuer opens its account.
    pub(super) fn terms_card_issued(&mut self, image: &[u8]) {
        if let Ok(card) = image::decode(image) {
            self.terms.open(&card, false);
        }
    }

    /// Hook: a machine loaded balance or a product; the administration books it (machines
    /// are online).
    pub(super) fn terms_machine_done(&mut self, outcome: &MachineOutcome) {
        if let MachineOutcome::Done { image, .. } = outcome {
            self.terms.record_machine(image, self.now);
        }
    }

    /// Hook: the clock moved; what time alone does to the accounts happens now.
    pub(super) fn terms_clock(&mut self) {
        self.terms_sync();
    }

    /// TERM-08: old balances due are paid; TERM-05/09/12/13: every ended usage right reaches
    /// the deny list, so readers refuse the card (and block it on the chip, TAP-05).
    fn terms_sync(&mut self) {
        let now = self.now;
        self.terms.advance(&self.rules, &self.back_office, now);
        self.terms.distribute_blocks(&mut self.back_office, now);
    }

    /// TERM-09: the back office prices a card's journeys with its unblocked products only.
    fn terms_fare_profile(&mut self, number: CardNumber) {
        let Some(account) = self.terms.account(number) else {
            return;
        };
        let profile = CardProfile {
            kind: account.kind,
            birth_date: account.holder.as_ref().map(|h| h.birth_date),
            products: self.terms.usable_products(number).unwrap_or_default(),
        };
        self.back_office.register_card(number, profile);
    }

    fn after<T>(&mut self, outcome: T) -> SutResult<T> {
        self.terms_sync();
        Ok(outcome)
    }
}

#[async_trait]
impl TermsApi for InProcess {
    async fn card_account(&mut self, card: CardNumber) -> SutResult<Option<AccountView>> {
        Ok(self
            .terms
            .view(&self.rules, &self.back_office, self.now, card))
    }

    async fn administrative_balance_before(
        &mut self,
        card: CardNumber,
        at: Timestamp,
    ) -> SutResult<Option<Cents>> {
        Ok(self.terms.balance_before(&self.back_office, card, at))
    }

    async fn sell_card(
        &mut self,
        request: IssueRequest,
        channel: SaleChannel,
    ) -> SutResult<Outcome<Sale>> {
        let outcome = self.terms.sell(&self.rules, self.now, &request, channel);
        if let Outcome::Done(sale) = &outcome {
            self.register(&sale.image);
        }
        self.after(outcome)
    }

    async fn issue_business_card(&mut self, request: IssueRequest) -> SutResult<Vec<u8>> {
        let image = self
            .terms
            .issue_business(&self.rules, self.now, &request)
            .map_err(|e| SutError::new("issue business card", e.to_string()))?;
        self.register(&image);
        self.after(image)
    }

    async fn paid_load(
        &mut self,
        image: &[u8],
        amount: Cents,
        channel: LoadChannel,
        payment: PaymentMethod,
    ) -> SutResult<PaidLoad> {
        let load = self
            .terms
            .paid_load(&self.rules, self.now, image, amount, channel, payment);
        self.after(load)
    }

    async fn refund(
        &mut self,
        image: &[u8],
        request: RefundRequest,
    ) -> SutResult<Outcome<Refunded>> {
        let outcome = self
            .terms
            .refund(&self.rules, &self.back_office, self.now, image, request);
        self.after(outcome)
    }

    async fn replace_card(
        &mut self,
        old: CardNumber,
        reason: ReplaceReason,
        new_card: (CardNumber, u32),
    ) -> SutResult<Outcome<Replaced>> {
        let outcome = self
            .terms
            .replace(&self.rules, self.now, old, reason, new_card);
        if let Outcome::Done(replaced) = &outcome {
            self.register(&replaced.image);
        }
        self.after(outcome)
    }

    async fn report_lost_or_stolen(
        &mut self,
        card: CardNumber,
    ) -> SutResult<Outcome<LossReported>> {
        let outcome = self
            .terms
            .report_lost_or_stolen(&self.rules, self.now, card);
        self.after(outcome)
    }

    async fn settle_old_balance(
        &mut self,
        card: CardNumber,
        conduct: Conduct,
    ) -> SutResult<Outcome<BalanceSettled>> {
        let outcome =
            self.terms
                .settle_old_balance(&self.rules, &self.back_office, self.now, card, conduct);
        self.after(outcome)
    }

    async fn block(
        &mut self,
        card: CardNumber,
        scope: BlockScope,
    ) -> SutResult<Outcome<BlockChanged>> {
        let outcome = self.terms.block(self.now, card, scope);
        self.terms_fare_profile(card);
        self.after(outcome)
    }

    async fn lift_block(
        &mut self,
        card: CardNumber,
        scope: BlockScope,
    ) -> SutResult<Outcome<BlockChanged>> {
        let outcome = self.terms.lift(card, scope);
        self.terms_fare_profile(card);
        self.after(outcome)
    }

    async fn register_personal_data(
        &mut self,
        card: CardNumber,
    ) -> SutResult<Outcome<PersonalData>> {
        let outcome = self.terms.register_personal_data(card);
        self.after(outcome)
    }

    async fn establish_fraud(
        &mut self,
        card: CardNumber,
        report: FraudReport,
    ) -> SutResult<Outcome<FraudSettled>> {
        let outcome =
            self.terms
                .establish_fraud(&self.rules, &self.back_office, self.now, card, report);
        self.after(outcome)
    }

    async fn end_usage(
        &mut self,
        card: CardNumber,
        reason: EndReason,
    ) -> SutResult<Outcome<UsageEnded>> {
        let outcome = self.terms.end_usage(&self.rules, self.now, card, reason);
        self.after(outcome)
    }

    async fn object_to_changed_terms(
        &mut self,
        card: CardNumber,
        notice_on: Date,
    ) -> SutResult<Outcome<ObjectionAccepted>> {
        let outcome = self
            .terms
            .object_to_changed_terms(&self.rules, self.now, card, notice_on);
        self.after(outcome)
    }

    async fn correction_claim(
        &mut self,
        card: CardNumber,
        registered_on: Date,
        discovered_on: Option<Date>,
        image: Option<&[u8]>,
    ) -> SutResult<Outcome<CorrectionAssessed>> {
        let card_balance = match image {
            Some(bytes) => Some(
                image::decode(bytes)
                    .map_err(|e| SutError::new("correction claim", e.to_string()))?
                    .balance(),
            ),
            None => None,
        };
        let claim = CorrectionClaim {
            registered_on,
            discovered_on,
            card_balance,
        };
        Ok(self
            .terms
            .correction_claim(&self.rules, &self.back_office, self.now, card, claim))
    }

    async fn file_complaint(&mut self, card: CardNumber) -> SutResult<Outcome<ComplaintFiled>> {
        let outcome = self.terms.file_complaint(self.now, card);
        self.after(outcome)
    }

    async fn answer_complaint(&mut self, id: u32) -> SutResult<Outcome<DisputeDeadline>> {
        let outcome = self.terms.answer_complaint(&self.rules, self.now, id);
        self.after(outcome)
    }

    async fn submit_dispute(
        &mut self,
        card: CardNumber,
        complaint: Option<u32>,
    ) -> SutResult<Outcome<DisputeDeadline>> {
        Ok(self
            .terms
            .submit_dispute(&self.rules, self.now, card, complaint))
    }

    async fn direct_debit_failed(
        &mut self,
        card: CardNumber,
        purpose: DebitPurpose,
        amount: Cents,
    ) -> SutResult<Outcome<DebitView>> {
        let outcome = self
            .terms
            .direct_debit_failed(&self.rules, self.now, card, purpose, amount);
        self.after(outcome)
    }

    async fn pay_debt(&mut self, card: CardNumber, amount: Cents) -> SutResult<Outcome<DebtPaid>> {
        let outcome = self.terms.pay_debt(&self.rules, self.now, card, amount);
        self.after(outcome)
    }

    async fn claim_missed_check_out(
        &mut self,
        card: CardNumber,
        checked_in_at: Timestamp,
        exit_station: String,
    ) -> SutResult<Outcome<MissedRefund>> {
        let outcome = self.terms.claim_missed_check_out(
            &self.rules,
            &self.back_office,
            self.now,
            card,
            checked_in_at,
            &exit_station,
        );
        self.after(outcome)
    }
}
