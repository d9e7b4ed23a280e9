//! The card-holder part of the system-under-test boundary: the OV-chipkaart general terms and
//! the tariff sheet (TERM-01..16, FEE-01..04): refunds, loss and theft, fraud, replacement,
//! end of the usage right, objections, disputes, missed check-out refunds and fees.
//!
//! Requests and answers are the reference's types (`ovcert_reference::terms`, `::fees`), so a
//! participant API speaks the same JSON. Business outcomes are [`Outcome`] values; a
//! [`SutError`](super::SutError) means the target itself failed.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use ovcert_reference::Cents;
use ovcert_reference::card::CardNumber;
use ovcert_reference::fees::{DebitPurpose, PaymentMethod, SaleChannel};
use ovcert_reference::machine::{IssueRequest, LoadChannel};
use ovcert_reference::terms::{
    AccountView, BalanceSettled, BlockChanged, BlockScope, ComplaintFiled, Conduct,
    CorrectionAssessed, DebitView, DebtPaid, DisputeDeadline, EndReason, FraudReport, FraudSettled,
    LossReported, MissedRefund, ObjectionAccepted, Outcome, PaidLoad, PersonalData, RefundRequest,
    Refunded, ReplaceReason, Replaced, Sale, UsageEnded,
};

use super::SutResult;

/// Card-holder operations a participant's system offers (service points, customer service,
/// the issuer's administration, operators' refund desks).
#[async_trait]
pub trait TermsApi: Send {
    // ---- observations ----------------------------------------------------------------
    /// The issuer's administration of a card: usage right, blocks, balance, statement, debts.
    async fn card_account(&mut self, card: CardNumber) -> SutResult<Option<AccountView>>;
    /// TERM-07 / TERM-10: the balance per the administration just before `at`, counting the
    /// transactions received so far.
    async fn administrative_balance_before(
        &mut self,
        card: CardNumber,
        at: Timestamp,
    ) -> SutResult<Option<Cents>>;

    // ---- seller: sales, loads, service points ------------------------------------------
    /// FEE-01: sell a card through a channel, at its price.
    async fn sell_card(
        &mut self,
        request: IssueRequest,
        channel: SaleChannel,
    ) -> SutResult<Outcome<Sale>>;
    /// TERM-01: a card issued for business use by a business-card provider.
    async fn issue_business_card(&mut self, request: IssueRequest) -> SutResult<Vec<u8>>;
    /// FEE-03: a load paid by cash, debit or credit card, with its surcharge.
    async fn paid_load(
        &mut self,
        image: &[u8],
        amount: Cents,
        channel: LoadChannel,
        payment: PaymentMethod,
    ) -> SutResult<PaidLoad>;
    /// TERM-02..04 / TERM-12 / TERM-14 / FEE-02: a balance refund of a presented card.
    async fn refund(
        &mut self,
        image: &[u8],
        request: RefundRequest,
    ) -> SutResult<Outcome<Refunded>>;
    /// TERM-08 / FEE-02: a replacement card (the new card's number and chip serial given).
    async fn replace_card(
        &mut self,
        old: CardNumber,
        reason: ReplaceReason,
        new_card: (CardNumber, u32),
    ) -> SutResult<Outcome<Replaced>>;

    // ---- back office: the issuer --------------------------------------------------------
    /// TERM-05 / TERM-06 / TERM-07.
    async fn report_lost_or_stolen(&mut self, card: CardNumber)
    -> SutResult<Outcome<LossReported>>;
    /// TERM-07 / TERM-08: pay the old card's balance (the issuer's finding on conduct).
    async fn settle_old_balance(
        &mut self,
        card: CardNumber,
        conduct: Conduct,
    ) -> SutResult<Outcome<BalanceSettled>>;
    /// TERM-09.
    async fn block(
        &mut self,
        card: CardNumber,
        scope: BlockScope,
    ) -> SutResult<Outcome<BlockChanged>>;
    /// TERM-09.
    async fn lift_block(
        &mut self,
        card: CardNumber,
        scope: BlockScope,
    ) -> SutResult<Outcome<BlockChanged>>;
    /// TERM-10: an anonymous card's holder made their personal data known.
    async fn register_personal_data(
        &mut self,
        card: CardNumber,
    ) -> SutResult<Outcome<PersonalData>>;
    /// TERM-10 / TERM-11.
    async fn establish_fraud(
        &mut self,
        card: CardNumber,
        report: FraudReport,
    ) -> SutResult<Outcome<FraudSettled>>;
    /// TERM-12.
    async fn end_usage(
        &mut self,
        card: CardNumber,
        reason: EndReason,
    ) -> SutResult<Outcome<UsageEnded>>;
    /// TERM-13: a written objection received now against the notice of `notice_on`.
    async fn object_to_changed_terms(
        &mut self,
        card: CardNumber,
        notice_on: Date,
    ) -> SutResult<Outcome<ObjectionAccepted>>;
    /// TERM-02.
    async fn correction_claim(
        &mut self,
        card: CardNumber,
        registered_on: Date,
        discovered_on: Option<Date>,
        image: Option<&[u8]>,
    ) -> SutResult<Outcome<CorrectionAssessed>>;
    /// TERM-15.
    async fn file_complaint(&mut self, card: CardNumber) -> SutResult<Outcome<ComplaintFiled>>;
    /// TERM-15: the issuer answers a complaint.
    async fn answer_complaint(&mut self, id: u32) -> SutResult<Outcome<DisputeDeadline>>;
    /// TERM-15.
    async fn submit_dispute(
        &mut self,
        card: CardNumber,
        complaint: Option<u32>,
    ) -> SutResult<Outcome<DisputeDeadline>>;
    /// FEE-04 test control: the holder's bank refused a direct debit.
    async fn direct_debit_failed(
        &mut self,
        card: CardNumber,
        purpose: DebitPurpose,
        amount: Cents,
    ) -> SutResult<Outcome<DebitView>>;
    /// FEE-04 / TERM-14.
    async fn pay_debt(&mut self, card: CardNumber, amount: Cents) -> SutResult<Outcome<DebtPaid>>;

    // ---- service provider --------------------------------------------------------------
    /// TERM-16: a refund for the journey without check-out checked in at `checked_in_at`.
    async fn claim_missed_check_out(
        &mut self,
        card: CardNumber,
        checked_in_at: Timestamp,
        exit_station: String,
    ) -> SutResult<Outcome<MissedRefund>>;
}
