//! A participant's system over the wire: a client of the participant API ([`crate::api`]).
//!
//! Every trait method sends its [`Operation`]; a problem answer becomes a [`SutError`] with
//! the problem's detail, so a step fails with the participant's own explanation.

use std::time::Duration;

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
use serde::Deserialize;

use super::payments::{
    BankAnswer, BankBlock, BankRequest, CorrectionOutcome, CorrectionRequest, InspectionView,
    LiftOutcome, Lookup, PaymentAccount, PaymentsApi, Registration,
};
use super::terms::TermsApi;
use super::{
    PresentedCard, SettlementRun, SutError, SutResult, SystemUnderTest, TapResult, Upload,
};
use crate::api::hex::CardImage;
use crate::api::operations as op;
use crate::api::{Operation, Problem, READY_PATH};

/// How long one call may take before the target counts as not answering.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `connect` waits for the readiness endpoint.
const READY_WAIT: Duration = Duration::from_secs(10);

/// A system under test reached through its participant API.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
    system: String,
}

/// What the readiness endpoint answers.
#[derive(Debug, Deserialize)]
struct Ready {
    status: String,
    system: String,
    #[serde(default)]
    test_controls: bool,
}

impl Http {
    /// Connects to the participant API at `base_url` (`http://HOST:PORT`), waiting briefly
    /// for it to be ready. The suite needs the test controls, so a server without them is
    /// refused here rather than in every scenario.
    pub async fn connect(base_url: &str) -> SutResult<Http> {
        Http::connect_within(base_url, READY_WAIT).await
    }

    /// [`Http::connect`], waiting at most `wait` for the readiness endpoint.
    pub async fn connect_within(base_url: &str, wait: Duration) -> SutResult<Http> {
        let base = base_url.trim_end_matches('/').to_owned();
        let client = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .no_proxy()
            .build()
            .map_err(|e| SutError::new("connect", format!("building the HTTP client: {e}")))?;
        let ready_url = format!("{base}{READY_PATH}");
        let deadline = tokio::time::Instant::now() + wait;
        let ready = loop {
            let attempt = async {
                let response = client.get(&ready_url).send().await?.error_for_status()?;
                response.json::<Ready>().await
            };
            match attempt.await {
                Ok(ready) if ready.status == "ready" => break ready,
                Ok(ready) => {
                    return Err(SutError::new(
                        "connect",
                        format!(
                            "{ready_url} answered status `{}`, not `ready`",
                            ready.status
                        ),
                    ));
                }
                Err(error) if tokio::time::Instant::now() >= deadline => {
                    return Err(SutError::new(
                        "connect",
                        format!(
                            "no participant API answers at {ready_url} within {:.1}s ({error}); \
                             start one, e.g. `ovcert serve --test-controls --listen {}`",
                            wait.as_secs_f64(),
                            base.trim_start_matches("http://")
                        ),
                    ));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        if !ready.test_controls {
            return Err(SutError::new(
                "connect",
                format!(
                    "the system at {base} has its test controls off; the suite sets the clock, \
                     scripts the bank and resets between scenarios (start it with --test-controls)"
                ),
            ));
        }
        Ok(Http {
            client,
            system: format!("{} at {base}", ready.system),
            base,
        })
    }

    /// The same target, named `identity` in reports (e.g. with the image it runs in).
    pub fn described_as(mut self, identity: String) -> Http {
        self.system = identity;
        self
    }

    /// The target's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    async fn call<O: Operation>(&self, operation: O) -> SutResult<O::Answer> {
        let url = format!("{}{}", self.base, O::PATH);
        let response = self
            .client
            .post(&url)
            .json(&operation)
            .send()
            .await
            .map_err(|e| SutError::new(O::NAME, format!("no answer from {url}: {e}")))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| SutError::new(O::NAME, format!("reading the answer of {url}: {e}")))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| {
                SutError::new(
                    O::NAME,
                    format!("the answer of {url} is not the documented {}: {e}", O::NAME),
                )
            });
        }
        Err(match serde_json::from_slice::<Problem>(&body) {
            Ok(problem) => SutError::new(O::NAME, problem.detail),
            Err(_) => SutError::new(
                O::NAME,
                format!(
                    "{url} answered {status} without a problem document: {}",
                    String::from_utf8_lossy(&body[..body.len().min(300)])
                ),
            ),
        })
    }
}

#[async_trait]
impl SystemUnderTest for Http {
    fn identity(&self) -> String {
        self.system.clone()
    }

    async fn reset(&mut self) -> SutResult<()> {
        self.call(op::Reset {}).await
    }

    async fn set_clock(&mut self, now: Timestamp) -> SutResult<()> {
        self.call(op::SetClock { now }).await
    }

    async fn issue_card(&mut self, request: IssueRequest) -> SutResult<Vec<u8>> {
        self.call(op::IssueCard { request })
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
        self.call(op::Load {
            image,
            amount,
            channel,
        })
        .await
    }

    async fn revoke_load(&mut self, image: &[u8]) -> SutResult<MachineOutcome> {
        self.call(op::RevokeLoad {
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
        self.call(op::LoadProduct { image, product }).await
    }

    async fn set_auto_reload(
        &mut self,
        image: &[u8],
        amount: Option<Cents>,
    ) -> SutResult<MachineOutcome> {
        let image = image.into();
        self.call(op::SetAutoReload { image, amount }).await
    }

    async fn read_card(&mut self, image: &[u8]) -> SutResult<Card> {
        self.call(op::ReadCard {
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
        self.call(op::Tap { reader, presented }).await
    }

    async fn set_reader_online(&mut self, reader: &ReaderRef, online: bool) -> SutResult<Upload> {
        let reader = reader.clone();
        self.call(op::SetReaderOnline { reader, online }).await
    }

    async fn resend_last_upload(&mut self, reader: &ReaderRef) -> SutResult<Upload> {
        let reader = reader.clone();
        self.call(op::ResendLastUpload { reader }).await
    }

    async fn deny(&mut self, card: CardIdentity, reason: DenyReason) -> SutResult<()> {
        self.call(op::Deny { card, reason }).await
    }

    async fn received_taps(&mut self) -> SutResult<Vec<StoredTap>> {
        self.call(op::ReceivedTaps {}).await
    }

    async fn ingest(&mut self, taps: Vec<TapMessage>) -> SutResult<Vec<Ingested>> {
        self.call(op::Ingest { taps }).await
    }

    async fn set_next_journey(
        &mut self,
        card: CardIdentity,
        setting: SpecialSetting,
    ) -> SutResult<()> {
        self.call(op::SetNextJourney { card, setting }).await
    }

    async fn journeys(&mut self, card: CardIdentity) -> SutResult<CardJourneys> {
        self.call(op::Journeys { card }).await
    }

    async fn operator_report(&mut self, operator: &str, day: Date) -> SutResult<OperatorReport> {
        let operator = operator.to_owned();
        self.call(op::GetOperatorReport { operator, day }).await
    }

    async fn settle(&mut self, day: Date) -> SutResult<SettlementRun> {
        self.call(op::Settle { day }).await
    }

    async fn pans_held(&mut self) -> SutResult<usize> {
        self.call(op::PansHeld {}).await
    }
}

#[async_trait]
impl PaymentsApi for Http {
    async fn payment_account(&mut self, card: &EmvCard) -> SutResult<PaymentAccount> {
        let card = card.clone();
        self.call(op::GetPaymentAccount { card }).await
    }

    async fn deny_list_version(&mut self) -> SutResult<u64> {
        self.call(op::DenyListVersion {}).await
    }

    async fn reader_deny_list_version(&mut self, reader: &ReaderRef) -> SutResult<u64> {
        let reader = reader.clone();
        self.call(op::ReaderDenyListVersion { reader }).await
    }

    async fn lift_bank_card_block(&mut self, card: CardIdentity) -> SutResult<LiftOutcome> {
        self.call(op::LiftBankCardBlock { card }).await
    }

    async fn service_lookup(&mut self, reference: &str, amount: Cents) -> SutResult<Lookup> {
        let reference = reference.to_owned();
        self.call(op::ServiceLookup { reference, amount }).await
    }

    async fn correct_missed_check_out(
        &mut self,
        request: CorrectionRequest,
    ) -> SutResult<CorrectionOutcome> {
        self.call(op::CorrectMissedCheckOut { request }).await
    }

    async fn inspect(
        &mut self,
        device: &str,
        card: &EmvCard,
        consent: bool,
    ) -> SutResult<InspectionView> {
        let (device, card) = (device.to_owned(), card.clone());
        self.call(op::Inspect {
            device,
            card,
            consent,
        })
        .await
    }

    async fn inspection_screen(&mut self, device: &str) -> SutResult<Option<InspectionView>> {
        let device = device.to_owned();
        self.call(op::InspectionScreen { device }).await
    }

    async fn bank_register(&mut self, card: &EmvCard, registration: Registration) -> SutResult<()> {
        let card = card.clone();
        self.call(op::BankRegister { card, registration }).await
    }

    async fn bank_script(&mut self, card: &EmvCard, answers: Vec<BankAnswer>) -> SutResult<()> {
        let card = card.clone();
        self.call(op::BankScript { card, answers }).await
    }

    async fn bank_default(&mut self, card: &EmvCard, answer: BankAnswer) -> SutResult<()> {
        let card = card.clone();
        self.call(op::BankDefault { card, answer }).await
    }

    async fn bank_block(&mut self, card: &EmvCard, block: Option<BankBlock>) -> SutResult<()> {
        let card = card.clone();
        self.call(op::SetBankBlock { card, block }).await
    }

    async fn bank_requests(&mut self, card: &EmvCard) -> SutResult<Vec<BankRequest>> {
        let card = card.clone();
        self.call(op::BankRequests { card }).await
    }
}

#[async_trait]
impl TermsApi for Http {
    async fn card_account(&mut self, card: CardNumber) -> SutResult<Option<AccountView>> {
        self.call(op::CardAccount { card }).await
    }

    async fn administrative_balance_before(
        &mut self,
        card: CardNumber,
        at: Timestamp,
    ) -> SutResult<Option<Cents>> {
        self.call(op::AdministrativeBalanceBefore { card, at })
            .await
    }

    async fn sell_card(
        &mut self,
        request: IssueRequest,
        channel: SaleChannel,
    ) -> SutResult<Outcome<Sale>> {
        self.call(op::SellCard { request, channel }).await
    }

    async fn issue_business_card(&mut self, request: IssueRequest) -> SutResult<Vec<u8>> {
        self.call(op::IssueBusinessCard { request })
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
        self.call(op::MakePaidLoad {
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
        self.call(op::RefundBalance { image, request }).await
    }

    async fn replace_card(
        &mut self,
        old: CardNumber,
        reason: ReplaceReason,
        new_card: (CardNumber, u32),
    ) -> SutResult<Outcome<Replaced>> {
        let (new_number, new_serial) = new_card;
        self.call(op::ReplaceCard {
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
        self.call(op::ReportLostOrStolen { card }).await
    }

    async fn settle_old_balance(
        &mut self,
        card: CardNumber,
        conduct: Conduct,
    ) -> SutResult<Outcome<BalanceSettled>> {
        self.call(op::SettleOldBalance { card, conduct }).await
    }

    async fn block(
        &mut self,
        card: CardNumber,
        scope: BlockScope,
    ) -> SutResult<Outcome<BlockChanged>> {
        self.call(op::Block { card, scope }).await
    }

    async fn lift_block(
        &mut self,
        card: CardNumber,
        scope: BlockScope,
    ) -> SutResult<Outcome<BlockChanged>> {
        self.call(op::LiftBlock { card, scope }).await
    }

    async fn register_personal_data(
        &mut self,
        card: CardNumber,
    ) -> SutResult<Outcome<PersonalData>> {
        self.call(op::RegisterPersonalData { card }).await
    }

    async fn establish_fraud(
        &mut self,
        card: CardNumber,
        report: FraudReport,
    ) -> SutResult<Outcome<FraudSettled>> {
        self.call(op::EstablishFraud { card, report }).await
    }

    async fn end_usage(
        &mut self,
        card: CardNumber,
        reason: EndReason,
    ) -> SutResult<Outcome<UsageEnded>> {
        self.call(op::EndUsage { card, reason }).await
    }

    async fn object_to_changed_terms(
        &mut self,
        card: CardNumber,
        notice_on: Date,
    ) -> SutResult<Outcome<ObjectionAccepted>> {
        self.call(op::ObjectToChangedTerms { card, notice_on })
            .await
    }

    async fn correction_claim(
        &mut self,
        card: CardNumber,
        registered_on: Date,
        discovered_on: Option<Date>,
        image: Option<&[u8]>,
    ) -> SutResult<Outcome<CorrectionAssessed>> {
        self.call(op::CorrectionClaim {
            card,
            registered_on,
            discovered_on,
            image: image.map(CardImage::from),
        })
        .await
    }

    async fn file_complaint(&mut self, card: CardNumber) -> SutResult<Outcome<ComplaintFiled>> {
        self.call(op::FileComplaint { card }).await
    }

    async fn answer_complaint(&mut self, id: u32) -> SutResult<Outcome<DisputeDeadline>> {
        self.call(op::AnswerComplaint { id }).await
    }

    async fn submit_dispute(
        &mut self,
        card: CardNumber,
        complaint: Option<u32>,
    ) -> SutResult<Outcome<DisputeDeadline>> {
        self.call(op::SubmitDispute { card, complaint }).await
    }

    async fn direct_debit_failed(
        &mut self,
        card: CardNumber,
        purpose: DebitPurpose,
        amount: Cents,
    ) -> SutResult<Outcome<DebitView>> {
        self.call(op::DirectDebitFailed {
            card,
            purpose,
            amount,
        })
        .await
    }

    async fn pay_debt(&mut self, card: CardNumber, amount: Cents) -> SutResult<Outcome<DebtPaid>> {
        self.call(op::PayDebt { card, amount }).await
    }

    async fn claim_missed_check_out(
        &mut self,
        card: CardNumber,
        checked_in_at: Timestamp,
        exit_station: String,
    ) -> SutResult<Outcome<MissedRefund>> {
        self.call(op::ClaimMissedCheckOut {
            card,
            checked_in_at,
            exit_station,
        })
        .await
    }
}
