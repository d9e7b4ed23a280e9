//! The participant API's operations as a [`SystemUnderTest`]: every trait method becomes its
//! [`Operation`](crate::api::Operation), handed to a [`Transport`] — over HTTP
//! ([`super::http`]), straight to a system in this process ([`super::direct`]), or recorded on
//! the way ([`super::recorded`]).

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use ovcert_reference::Cents;
use ovcert_reference::backoffice::report::OperatorReport;
use ovcert_reference::backoffice::{CardJourneys, Ingested, StoredTap};
use ovcert_reference::card::{Card, CardNumber, ProductSlot, SpecialSetting};
use ovcert_reference::deny::DenyReason;
use ovcert_reference::fees::{DebitPurpose, PaymentMethod, SaleChannel};
use ovcert_reference::machine::{IssueRequest, LoadChannel, MachineOutcome};
use ovcert_reference::reader::EmvCard;
use ovcert_reference::tap::{CardIdentity, ReaderRef, TapMessage};
use ovcert_reference::terms::{
    AccountView, BalanceSettled, BlockChanged, BlockScope, ComplaintFiled, Conduct,
    CorrectionAssessed, DebitView, DebtPaid, DisputeDeadline, EndReason, FraudReport, FraudSettled,
    LossReported, MissedRefund, ObjectionAccepted, Outcome, PaidLoad, PersonalData, RefundRequest,
    Refunded, ReplaceReason, Replaced, Sale, UsageEnded,
};

use super::payments::{
    BankAnswer, BankBlock, BankRequest, CorrectionOutcome, CorrectionRequest, InspectionView,
    LiftOutcome, Lookup, PaymentAccount, PaymentsApi, Registration,
};
use super::terms::TermsApi;
use super::{PresentedCard, SettlementRun, SutResult, SystemUnderTest, TapResult, Upload};
use crate::api::Operation;
use crate::api::hex::CardImage;
use crate::api::operations as op;

/// Carries operations to a system and brings back its answers.
#[async_trait]
pub trait Transport: Send {
    /// Sends one operation; a refusal or a broken connection is a [`SutError`].
    async fn send<O: Operation>(&mut self, operation: O) -> SutResult<O::Answer>;
    /// What the system is, for reports.
    fn identity(&self) -> String;
    /// A note between calls (the scenario that starts), for transports that record.
    fn annotate(&mut self, _note: &str) {}
}

/// A system under test reached through operations.
#[derive(Clone)]
pub struct Client<T> {
    pub(super) transport: T,
}

impl<T: Transport> Client<T> {
    pub fn new(transport: T) -> Client<T> {
        Client { transport }
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }
}

#[async_trait]
impl<T: Transport> SystemUnderTest for Client<T> {
    fn identity(&self) -> String {
        self.transport.identity()
    }

    fn annotate(&mut self, note: &str) {
        self.transport.annotate(note);
    }

    async fn reset(&mut self) -> SutResult<()> {
        self.transport.send(op::Reset {}).await
    }

    async fn set_clock(&mut self, now: Timestamp) -> SutResult<()> {
        self.transport.send(op::SetClock { now }).await
    }

    async fn issue_card(&mut self, request: IssueRequest) -> SutResult<Vec<u8>> {
        self.transport
            .send(op::IssueCard { request })
            .await
            .map(CardImage::into_bytes)
    }

    async fn load(
        &mut self,
        image: &[u8],
        amount: Cents,
        channel: LoadChannel,
    ) -> SutResult<MachineOutcome> {
        let image = image.into();
        self.transport
            .send(op::Load {
                image,
                amount,
                channel,
            })
            .await
    }

    async fn revoke_load(&mut self, image: &[u8]) -> SutResult<MachineOutcome> {
        self.transport
            .send(op::RevokeLoad {
                image: image.into(),
            })
            .await
    }

    async fn load_product(
        &mut self,
        image: &[u8],
        product: ProductSlot,
    ) -> SutResult<MachineOutcome> {
        let image = image.into();
        self.transport
            .send(op::LoadProduct { image, product })
            .await
    }

    async fn set_auto_reload(
        &mut self,
        image: &[u8],
        amount: Option<Cents>,
    ) -> SutResult<MachineOutcome> {
        let image = image.into();
        self.transport
            .send(op::SetAutoReload { image, amount })
            .await
    }

    async fn read_card(&mut self, image: &[u8]) -> SutResult<Card> {
        self.transport
            .send(op::ReadCard {
                image: image.into(),
            })
            .await
    }

    async fn tap(
        &mut self,
        reader: &ReaderRef,
        presented: Vec<PresentedCard>,
    ) -> SutResult<TapResult> {
        let reader = reader.clone();
        self.transport.send(op::Tap { reader, presented }).await
    }

    async fn set_reader_online(&mut self, reader: &ReaderRef, online: bool) -> SutResult<Upload> {
        let reader = reader.clone();
        self.transport
            .send(op::SetReaderOnline { reader, online })
            .await
    }

    async fn resend_last_upload(&mut self, reader: &ReaderRef) -> SutResult<Upload> {
        let reader = reader.clone();
        self.transport.send(op::ResendLastUpload { reader }).await
    }

    async fn deny(&mut self, card: CardIdentity, reason: DenyReason) -> SutResult<()> {
        self.transport.send(op::Deny { card, reason }).await
    }

    async fn received_taps(&mut self) -> SutResult<Vec<StoredTap>> {
        self.transport.send(op::ReceivedTaps {}).await
    }

    async fn ingest(&mut self, taps: Vec<TapMessage>) -> SutResult<Vec<Ingested>> {
        self.transport.send(op::Ingest { taps }).await
    }

    async fn set_next_journey(
        &mut self,
        card: CardIdentity,
        setting: SpecialSetting,
    ) -> SutResult<()> {
        self.transport
            .send(op::SetNextJourney { card, setting })
            .await
    }

    async fn journeys(&mut self, card: CardIdentity) -> SutResult<CardJourneys> {
        self.transport.send(op::Journeys { card }).await
    }

    async fn operator_report(&mut self, operator: &str, day: Date) -> SutResult<OperatorReport> {
        let operator = operator.to_owned();
        self.transport
            .send(op::GetOperatorReport { operator, day })
            .await
    }

    async fn settle(&mut self, day: Date) -> SutResult<SettlementRun> {
        self.transport.send(op::Settle { day }).await
    }

    async fn pans_held(&mut self) -> SutResult<usize> {
        self.transport.send(op::PansHeld {}).await
    }
}

#[async_trait]
impl<T: Transport> PaymentsApi for Client<T> {
    async fn payment_account(&mut self, card: &EmvCard) -> SutResult<PaymentAccount> {
        let card = card.clone();
        self.transport.send(op::GetPaymentAccount { card }).await
    }

    async fn deny_list_version(&mut self) -> SutResult<u64> {
        self.transport.send(op::DenyListVersion {}).await
    }

    async fn reader_deny_list_version(&mut self, reader: &ReaderRef) -> SutResult<u64> {
        let reader = reader.clone();
        self.transport
            .send(op::ReaderDenyListVersion { reader })
            .await
    }

    async fn lift_bank_card_block(&mut self, card: CardIdentity) -> SutResult<LiftOutcome> {
        self.transport.send(op::LiftBankCardBlock { card }).await
    }

    async fn service_lookup(&mut self, reference: &str, amount: Cents) -> SutResult<Lookup> {
        let reference = reference.to_owned();
        self.transport
            .send(op::ServiceLookup { reference, amount })
            .await
    }

    async fn correct_missed_check_out(
        &mut self,
        request: CorrectionRequest,
    ) -> SutResult<CorrectionOutcome> {
        self.transport
            .send(op::CorrectMissedCheckOut { request })
            .await
    }

    async fn inspect(
        &mut self,
        device: &str,
        card: &EmvCard,
        consent: bool,
    ) -> SutResult<InspectionView> {
        let (device, card) = (device.to_owned(), card.clone());
        self.transport
            .send(op::Inspect {
                device,
                card,
                consent,
            })
            .await
    }

    async fn inspection_screen(&mut self, device: &str) -> SutResult<Option<InspectionView>> {
        let device = device.to_owned();
        self.transport.send(op::InspectionScreen { device }).await
    }

    async fn bank_register(&mut self, card: &EmvCard, registration: Registration) -> SutResult<()> {
        let card = card.clone();
        self.transport
            .send(op::BankRegister { card, registration })
            .await
    }

    async fn bank_script(&mut self, card: &EmvCard, answers: Vec<BankAnswer>) -> SutResult<()> {
        let card = card.clone();
        self.transport.send(op::BankScript { card, answers }).await
    }

    async fn bank_default(&mut self, card: &EmvCard, answer: BankAnswer) -> SutResult<()> {
        let card = card.clone();
        self.transport.send(op::BankDefault { card, answer }).await
    }

    async fn bank_block(&mut self, card: &EmvCard, block: Option<BankBlock>) -> SutResult<()> {
        let card = card.clone();
        self.transport.send(op::SetBankBlock { card, block }).await
    }

    async fn bank_requests(&mut self, card: &EmvCard) -> SutResult<Vec<BankRequest>> {
        let card = card.clone();
        self.transport.send(op::BankRequests { card }).await
    }
}

#[async_trait]
impl<T: Transport> TermsApi for Client<T> {
    async fn card_account(&mut self, card: CardNumber) -> SutResult<Option<AccountView>> {
        self.transport.send(op::CardAccount { card }).await
    }

    async fn administrative_balance_before(
        &mut self,
        card: CardNumber,
        at: Timestamp,
    ) -> SutResult<Option<Cents>> {
        self.transport
            .send(op::AdministrativeBalanceBefore { card, at })
            .await
    }

    async fn sell_card(
        &mut self,
        request: IssueRequest,
        channel: SaleChannel,
    ) -> SutResult<Outcome<Sale>> {
        self.transport.send(op::SellCard { request, channel }).await
    }

    async fn issue_business_card(&mut self, request: IssueRequest) -> SutResult<Vec<u8>> {
        self.transport
            .send(op::IssueBusinessCard { request })
            .await
            .map(CardImage::into_bytes)
    }

    async fn paid_load(
        &mut self,
        image: &[u8],
        amount: Cents,
        channel: LoadChannel,
        payment: PaymentMethod,
    ) -> SutResult<PaidLoad> {
        let image = image.into();
        self.transport
            .send(op::MakePaidLoad {
                image,
                amount,
                channel,
                payment,
            })
            .await
    }

    async fn refund(
        &mut self,
        image: &[u8],
        request: RefundRequest,
    ) -> SutResult<Outcome<Refunded>> {
        let image = image.into();
        self.transport
            .send(op::RefundBalance { image, request })
            .await
    }

    async fn replace_card(
        &mut self,
        old: CardNumber,
        reason: ReplaceReason,
        new_card: (CardNumber, u32),
    ) -> SutResult<Outcome<Replaced>> {
        let (new_number, new_serial) = new_card;
        self.transport
            .send(op::ReplaceCard {
                old,
                reason,
                new_number,
                new_serial,
            })
            .await
    }

    async fn report_lost_or_stolen(
        &mut self,
        card: CardNumber,
    ) -> SutResult<Outcome<LossReported>> {
        self.transport.send(op::ReportLostOrStolen { card }).await
    }

    async fn settle_old_balance(
        &mut self,
        card: CardNumber,
        conduct: Conduct,
    ) -> SutResult<Outcome<BalanceSettled>> {
        self.transport
            .send(op::SettleOldBalance { card, conduct })
            .await
    }

    async fn block(
        &mut self,
        card: CardNumber,
        scope: BlockScope,
    ) -> SutResult<Outcome<BlockChanged>> {
        self.transport.send(op::Block { card, scope }).await
    }

    async fn lift_block(
        &mut self,
        card: CardNumber,
        scope: BlockScope,
    ) -> SutResult<Outcome<BlockChanged>> {
        self.transport.send(op::LiftBlock { card, scope }).await
    }

    async fn register_personal_data(
        &mut self,
        card: CardNumber,
    ) -> SutResult<Outcome<PersonalData>> {
        self.transport.send(op::RegisterPersonalData { card }).await
    }

    async fn establish_fraud(
        &mut self,
        card: CardNumber,
        report: FraudReport,
    ) -> SutResult<Outcome<FraudSettled>> {
        self.transport
            .send(op::EstablishFraud { card, report })
            .await
    }

    async fn end_usage(
        &mut self,
        card: CardNumber,
        reason: EndReason,
    ) -> SutResult<Outcome<UsageEnded>> {
        self.transport.send(op::EndUsage { card, reason }).await
    }

    async fn object_to_changed_terms(
        &mut self,
        card: CardNumber,
        notice_on: Date,
    ) -> SutResult<Outcome<ObjectionAccepted>> {
        self.transport
            .send(op::ObjectToChangedTerms { card, notice_on })
            .await
    }

    async fn correction_claim(
        &mut self,
        card: CardNumber,
        registered_on: Date,
        discovered_on: Option<Date>,
        image: Option<&[u8]>,
    ) -> SutResult<Outcome<CorrectionAssessed>> {
        self.transport
            .send(op::CorrectionClaim {
                card,
                registered_on,
                discovered_on,
                image: image.map(CardImage::from),
            })
            .await
    }

    async fn file_complaint(&mut self, card: CardNumber) -> SutResult<Outcome<ComplaintFiled>> {
        self.transport.send(op::FileComplaint { card }).await
    }

    async fn answer_complaint(&mut self, id: u32) -> SutResult<Outcome<DisputeDeadline>> {
        self.transport.send(op::AnswerComplaint { id }).await
    }

    async fn submit_dispute(
        &mut self,
        card: CardNumber,
        complaint: Option<u32>,
    ) -> SutResult<Outcome<DisputeDeadline>> {
        self.transport
            .send(op::SubmitDispute { card, complaint })
            .await
    }

    async fn direct_debit_failed(
        &mut self,
        card: CardNumber,
        purpose: DebitPurpose,
        amount: Cents,
    ) -> SutResult<Outcome<DebitView>> {
        self.transport
            .send(op::DirectDebitFailed {
                card,
                purpose,
                amount,
            })
            .await
    }

    async fn pay_debt(&mut self, card: CardNumber, amount: Cents) -> SutResult<Outcome<DebtPaid>> {
        self.transport.send(op::PayDebt { card, amount }).await
    }

    async fn claim_missed_check_out(
        &mut self,
        card: CardNumber,
        checked_in_at: Timestamp,
        exit_station: String,
    ) -> SutResult<Outcome<MissedRefund>> {
        self.transport
            .send(op::ClaimMissedCheckOut {
                card,
                checked_in_at,
                exit_station,
            })
            .await
    }
}
