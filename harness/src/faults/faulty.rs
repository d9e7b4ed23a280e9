//! The decorator for faults the rule set cannot express: it wraps a system under test,
//! delegates every operation and alters one behaviour per fault:
//!
//! - `btm-base-fare-again`: the back office's journeys show the year's base fare added to
//!   every completed bus/tram/metro leg after the first of a journey (FARE-03);
//! - `block-kept-after-retry`: after a retry paid a card's failed payment (which lifts the
//!   block), the card is put on the deny list for `settlement-failed` again (EMV-13);
//! - `shared-operator-token`: operator reports show a bank card under a token derived without
//!   the operator, the same in every operator's report (EMV-02).
//!
//! To find a bank card's tokens and payments the decorator remembers the bank cards it has
//! seen (taps, uploads, bank controls), as the back office would know them.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use ovcert_reference::Cents;
use ovcert_reference::backoffice::fare::base_fare_row;
use ovcert_reference::backoffice::journey::LegStatus;
use ovcert_reference::backoffice::payments::{PaymentStatus, Trigger};
use ovcert_reference::backoffice::report::{CardRef, OperatorReport};
use ovcert_reference::backoffice::tokens::TokenVault;
use ovcert_reference::backoffice::{CardJourneys, Ingested, StoredTap};
use ovcert_reference::card::{Card, CardNumber, ProductSlot, SpecialSetting};
use ovcert_reference::fees::{DebitPurpose, PaymentMethod, SaleChannel};
use ovcert_reference::machine::{IssueRequest, LoadChannel, MachineOutcome};
use ovcert_reference::reader::EmvCard;
use ovcert_reference::rules::{RuleSet, TransportClass};
use ovcert_reference::tap::{CardIdentity, ReaderRef, TapMessage};
use ovcert_reference::terms::{
    AccountView, BalanceSettled, BlockChanged, BlockScope, ComplaintFiled, Conduct,
    CorrectionAssessed, DebitView, DebtPaid, DisputeDeadline, EndReason, FraudReport, FraudSettled,
    LossReported, MissedRefund, ObjectionAccepted, Outcome, PaidLoad, PersonalData, RefundRequest,
    Refunded, ReplaceReason, Replaced, Sale, UsageEnded,
};
use ovcert_reference::time::local;

use super::Fault;
use crate::sut::payments::{
    BankAnswer, BankBlock, BankRequest, CorrectionOutcome, CorrectionRequest, DenyReason,
    InspectionView, LiftOutcome, Lookup, PaymentAccount, PaymentsApi, Registration,
};
use crate::sut::terms::TermsApi;
use crate::sut::{PresentedCard, SettlementRun, SutResult, SystemUnderTest, TapResult, Upload};

/// The label `shared-operator-token` derives every operator's token with, instead of the
/// operator's id.
const SHARED_TOKEN_LABEL: &str = "ALL";

/// A system under test with behaviour faults.
pub(super) struct Faulty {
    inner: Box<dyn SystemUnderTest>,
    faults: Vec<Fault>,
    /// The rule set the inner system runs on (the base fare of the year).
    rules: Arc<RuleSet>,
    /// The inner system's token derivation, to recognise a bank card's operator tokens.
    vault: TokenVault,
    /// Bank cards seen since the last reset, in order.
    bank_cards: Vec<EmvCard>,
    /// `block-kept-after-retry`: payments whose paid retry was already answered with a block.
    blocked_again: BTreeSet<String>,
}

impl Faulty {
    pub(super) fn new(
        inner: Box<dyn SystemUnderTest>,
        rules: Arc<RuleSet>,
        faults: &[Fault],
    ) -> Faulty {
        let vault = TokenVault::from_hex(&rules.ovpay.token_key_hex)
            .expect("a validated rule set has a 32-byte hex token key");
        Faulty {
            inner,
            faults: faults.to_vec(),
            rules,
            vault,
            bank_cards: Vec::new(),
            blocked_again: BTreeSet::new(),
        }
    }

    fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }

    fn saw(&mut self, card: &EmvCard) {
        if !self.bank_cards.contains(card) {
            self.bank_cards.push(card.clone());
        }
    }

    fn saw_identity(&mut self, card: &CardIdentity) {
        if let CardIdentity::Emv {
            pan,
            pan_sequence,
            expiry,
        } = card
        {
            self.saw(&EmvCard {
                pan: pan.clone(),
                pan_sequence: *pan_sequence,
                expiry: expiry.clone(),
            });
        }
    }

    /// `btm-base-fare-again`: every completed bus/tram/metro leg after a journey's first pays
    /// the base fare again, on its own share and on the journey's total.
    fn charge_base_fare_again(&self, journeys: &mut CardJourneys) {
        for priced in &mut journeys.priced {
            if priced.journey.class != TransportClass::BusTramMetro {
                continue;
            }
            let date = local(priced.journey.first_check_in()).date();
            let Ok(row) = base_fare_row(&self.rules, date) else {
                continue;
            };
            let base = row.normal_cents;
            let later_legs = priced
                .journey
                .legs
                .iter()
                .zip(&mut priced.fare.legs)
                .filter(|(leg, _)| leg.status == LegStatus::Completed)
                .skip(1);
            for (_, share) in later_legs {
                share.fare = add(share.fare, base);
                priced.fare.total = add(priced.fare.total, base);
            }
        }
    }

    /// `shared-operator-token`: the report shows each known bank card under the token derived
    /// without the operator.
    fn share_operator_tokens(&self, report: &mut OperatorReport) {
        let mut shared: BTreeMap<String, CardRef> = BTreeMap::new();
        for card in &self.bank_cards {
            let Ok(token) = self.vault.token_of(&card.pan, card.pan_sequence) else {
                continue;
            };
            let own = self.vault.operator_token(&token, &report.operator);
            let one = self.vault.operator_token(&token, SHARED_TOKEN_LABEL);
            shared.insert(own.to_string(), CardRef(one.to_string()));
        }
        let refs = report
            .transactions
            .iter_mut()
            .map(|t| &mut t.card)
            .chain(report.trips.iter_mut().map(|t| &mut t.card))
            .chain(report.payments.iter_mut().map(|p| &mut p.card));
        for card in refs {
            if let Some(one) = shared.get(&card.0) {
                *card = one.clone();
            }
        }
    }

    /// `block-kept-after-retry`: after time passed or taps arrived, a card whose payment a
    /// retry just paid goes back on the deny list, once per such payment.
    async fn block_again_after_retries(&mut self) -> SutResult<()> {
        if !self.has(Fault::BlockKeptAfterRetry) {
            return Ok(());
        }
        for card in self.bank_cards.clone() {
            // A card the back office cannot tokenise has no payments.
            let Ok(account) = self.inner.payment_account(&card).await else {
                continue;
            };
            for payment in &account.payments {
                let paid_by_retry = matches!(payment.status, PaymentStatus::Paid { .. })
                    && payment.attempts.last().is_some_and(|a| {
                        matches!(a.trigger, Trigger::Retry { .. }) && a.answer.approved()
                    });
                if paid_by_retry && self.blocked_again.insert(payment.reference.to_string()) {
                    let identity = CardIdentity::Emv {
                        pan: card.pan.clone(),
                        pan_sequence: card.pan_sequence,
                        expiry: card.expiry.clone(),
                    };
                    self.inner
                        .deny(identity, DenyReason::SettlementFailed)
                        .await?;
                }
            }
        }
        Ok(())
    }
}

/// Fares here are a few euros: an overflow is a broken journey, not a fault to inject.
fn add(a: Cents, b: Cents) -> Cents {
    a.checked_add(b)
        .expect("a fare plus a base fare fits in i64")
}

#[async_trait]
impl SystemUnderTest for Faulty {
    fn identity(&self) -> String {
        let names: Vec<&str> = self.faults.iter().map(|f| f.name()).collect();
        format!(
            "{} with injected faults: {}",
            self.inner.identity(),
            names.join(", ")
        )
    }

    async fn reset(&mut self) -> SutResult<()> {
        // The faults stay; what the decorator learnt goes with the system's state.
        self.bank_cards.clear();
        self.blocked_again.clear();
        self.inner.reset().await
    }

    async fn set_clock(&mut self, now: Timestamp) -> SutResult<()> {
        self.inner.set_clock(now).await?;
        self.block_again_after_retries().await
    }

    async fn issue_card(&mut self, request: IssueRequest) -> SutResult<Vec<u8>> {
        self.inner.issue_card(request).await
    }

    async fn load(
        &mut self,
        image: &[u8],
        amount: Cents,
        channel: LoadChannel,
    ) -> SutResult<MachineOutcome> {
        self.inner.load(image, amount, channel).await
    }

    async fn revoke_load(&mut self, image: &[u8]) -> SutResult<MachineOutcome> {
        self.inner.revoke_load(image).await
    }

    async fn load_product(
        &mut self,
        image: &[u8],
        product: ProductSlot,
    ) -> SutResult<MachineOutcome> {
        self.inner.load_product(image, product).await
    }

    async fn set_auto_reload(
        &mut self,
        image: &[u8],
        amount: Option<Cents>,
    ) -> SutResult<MachineOutcome> {
        self.inner.set_auto_reload(image, amount).await
    }

    async fn read_card(&mut self, image: &[u8]) -> SutResult<Card> {
        self.inner.read_card(image).await
    }

    async fn tap(
        &mut self,
        reader: &ReaderRef,
        presented: Vec<PresentedCard>,
    ) -> SutResult<TapResult> {
        for card in &presented {
            if let PresentedCard::Emv { card } = card {
                self.saw(card);
            }
        }
        let result = self.inner.tap(reader, presented).await?;
        self.block_again_after_retries().await?;
        Ok(result)
    }

    async fn set_reader_online(&mut self, reader: &ReaderRef, online: bool) -> SutResult<Upload> {
        let upload = self.inner.set_reader_online(reader, online).await?;
        self.block_again_after_retries().await?;
        Ok(upload)
    }

    async fn resend_last_upload(&mut self, reader: &ReaderRef) -> SutResult<Upload> {
        let upload = self.inner.resend_last_upload(reader).await?;
        self.block_again_after_retries().await?;
        Ok(upload)
    }

    async fn deny(&mut self, card: CardIdentity, reason: DenyReason) -> SutResult<()> {
        self.saw_identity(&card);
        self.inner.deny(card, reason).await
    }

    async fn received_taps(&mut self) -> SutResult<Vec<StoredTap>> {
        self.inner.received_taps().await
    }

    async fn ingest(&mut self, taps: Vec<TapMessage>) -> SutResult<Vec<Ingested>> {
        for tap in &taps {
            self.saw_identity(&tap.card);
        }
        let ingested = self.inner.ingest(taps).await?;
        self.block_again_after_retries().await?;
        Ok(ingested)
    }

    async fn set_next_journey(
        &mut self,
        card: CardIdentity,
        setting: SpecialSetting,
    ) -> SutResult<()> {
        self.saw_identity(&card);
        self.inner.set_next_journey(card, setting).await
    }

    async fn journeys(&mut self, card: CardIdentity) -> SutResult<CardJourneys> {
        let mut journeys = self.inner.journeys(card).await?;
        if self.has(Fault::BtmBaseFareAgain) {
            self.charge_base_fare_again(&mut journeys);
        }
        Ok(journeys)
    }

    async fn operator_report(&mut self, operator: &str, day: Date) -> SutResult<OperatorReport> {
        let mut report = self.inner.operator_report(operator, day).await?;
        if self.has(Fault::SharedOperatorToken) {
            self.share_operator_tokens(&mut report);
        }
        Ok(report)
    }

    async fn settle(&mut self, day: Date) -> SutResult<SettlementRun> {
        let run = self.inner.settle(day).await?;
        self.block_again_after_retries().await?;
        Ok(run)
    }

    async fn pans_held(&mut self) -> SutResult<usize> {
        self.inner.pans_held().await
    }
}

#[async_trait]
impl PaymentsApi for Faulty {
    async fn payment_account(&mut self, card: &EmvCard) -> SutResult<PaymentAccount> {
        self.saw(card);
        self.inner.payment_account(card).await
    }

    async fn deny_list_version(&mut self) -> SutResult<u64> {
        self.inner.deny_list_version().await
    }

    async fn reader_deny_list_version(&mut self, reader: &ReaderRef) -> SutResult<u64> {
        self.inner.reader_deny_list_version(reader).await
    }

    async fn lift_bank_card_block(&mut self, card: CardIdentity) -> SutResult<LiftOutcome> {
        self.saw_identity(&card);
        self.inner.lift_bank_card_block(card).await
    }

    async fn service_lookup(&mut self, reference: &str, amount: Cents) -> SutResult<Lookup> {
        self.inner.service_lookup(reference, amount).await
    }

    async fn correct_missed_check_out(
        &mut self,
        request: CorrectionRequest,
    ) -> SutResult<CorrectionOutcome> {
        self.inner.correct_missed_check_out(request).await
    }

    async fn inspect(
        &mut self,
        device: &str,
        card: &EmvCard,
        consent: bool,
    ) -> SutResult<InspectionView> {
        self.saw(card);
        self.inner.inspect(device, card, consent).await
    }

    async fn inspection_screen(&mut self, device: &str) -> SutResult<Option<InspectionView>> {
        self.inner.inspection_screen(device).await
    }

    async fn bank_register(&mut self, card: &EmvCard, registration: Registration) -> SutResult<()> {
        self.saw(card);
        self.inner.bank_register(card, registration).await
    }

    async fn bank_script(&mut self, card: &EmvCard, answers: Vec<BankAnswer>) -> SutResult<()> {
        self.saw(card);
        self.inner.bank_script(card, answers).await
    }

    async fn bank_default(&mut self, card: &EmvCard, answer: BankAnswer) -> SutResult<()> {
        self.saw(card);
        self.inner.bank_default(card, answer).await
    }

    async fn bank_block(&mut self, card: &EmvCard, block: Option<BankBlock>) -> SutResult<()> {
        self.saw(card);
        self.inner.bank_block(card, block).await?;
        self.block_again_after_retries().await
    }

    async fn bank_requests(&mut self, card: &EmvCard) -> SutResult<Vec<BankRequest>> {
        self.saw(card);
        self.inner.bank_requests(card).await
    }
}

#[async_trait]
impl TermsApi for Faulty {
    async fn card_account(&mut self, card: CardNumber) -> SutResult<Option<AccountView>> {
        self.inner.card_account(card).await
    }

    async fn administrative_balance_before(
        &mut self,
        card: CardNumber,
        at: Timestamp,
    ) -> SutResult<Option<Cents>> {
        self.inner.administrative_balance_before(card, at).await
    }

    async fn sell_card(
        &mut self,
        request: IssueRequest,
        channel: SaleChannel,
    ) -> SutResult<Outcome<Sale>> {
        self.inner.sell_card(request, channel).await
    }

    async fn issue_business_card(&mut self, request: IssueRequest) -> SutResult<Vec<u8>> {
        self.inner.issue_business_card(request).await
    }

    async fn paid_load(
        &mut self,
        image: &[u8],
        amount: Cents,
        channel: LoadChannel,
        payment: PaymentMethod,
    ) -> SutResult<PaidLoad> {
        self.inner.paid_load(image, amount, channel, payment).await
    }

    async fn refund(
        &mut self,
        image: &[u8],
        request: RefundRequest,
    ) -> SutResult<Outcome<Refunded>> {
        self.inner.refund(image, request).await
    }

    async fn replace_card(
        &mut self,
        old: CardNumber,
        reason: ReplaceReason,
        new_card: (CardNumber, u32),
    ) -> SutResult<Outcome<Replaced>> {
        self.inner.replace_card(old, reason, new_card).await
    }

    async fn report_lost_or_stolen(
        &mut self,
        card: CardNumber,
    ) -> SutResult<Outcome<LossReported>> {
        self.inner.report_lost_or_stolen(card).await
    }

    async fn settle_old_balance(
        &mut self,
        card: CardNumber,
        conduct: Conduct,
    ) -> SutResult<Outcome<BalanceSettled>> {
        self.inner.settle_old_balance(card, conduct).await
    }

    async fn block(
        &mut self,
        card: CardNumber,
        scope: BlockScope,
    ) -> SutResult<Outcome<BlockChanged>> {
        self.inner.block(card, scope).await
    }

    async fn lift_block(
        &mut self,
        card: CardNumber,
        scope: BlockScope,
    ) -> SutResult<Outcome<BlockChanged>> {
        self.inner.lift_block(card, scope).await
    }

    async fn register_personal_data(
        &mut self,
        card: CardNumber,
    ) -> SutResult<Outcome<PersonalData>> {
        self.inner.register_personal_data(card).await
    }

    async fn establish_fraud(
        &mut self,
        card: CardNumber,
        report: FraudReport,
    ) -> SutResult<Outcome<FraudSettled>> {
        self.inner.establish_fraud(card, report).await
    }

    async fn end_usage(
        &mut self,
        card: CardNumber,
        reason: EndReason,
    ) -> SutResult<Outcome<UsageEnded>> {
        self.inner.end_usage(card, reason).await
    }

    async fn object_to_changed_terms(
        &mut self,
        card: CardNumber,
        notice_on: Date,
    ) -> SutResult<Outcome<ObjectionAccepted>> {
        self.inner.object_to_changed_terms(card, notice_on).await
    }

    async fn correction_claim(
        &mut self,
        card: CardNumber,
        registered_on: Date,
        discovered_on: Option<Date>,
        image: Option<&[u8]>,
    ) -> SutResult<Outcome<CorrectionAssessed>> {
        self.inner
            .correction_claim(card, registered_on, discovered_on, image)
            .await
    }

    async fn file_complaint(&mut self, card: CardNumber) -> SutResult<Outcome<ComplaintFiled>> {
        self.inner.file_complaint(card).await
    }

    async fn answer_complaint(&mut self, id: u32) -> SutResult<Outcome<DisputeDeadline>> {
        self.inner.answer_complaint(id).await
    }

    async fn submit_dispute(
        &mut self,
        card: CardNumber,
        complaint: Option<u32>,
    ) -> SutResult<Outcome<DisputeDeadline>> {
        self.inner.submit_dispute(card, complaint).await
    }

    async fn direct_debit_failed(
        &mut self,
        card: CardNumber,
        purpose: DebitPurpose,
        amount: Cents,
    ) -> SutResult<Outcome<DebitView>> {
        self.inner.direct_debit_failed(card, purpose, amount).await
    }

    async fn pay_debt(&mut self, card: CardNumber, amount: Cents) -> SutResult<Outcome<DebtPaid>> {
        self.inner.pay_debt(card, amount).await
    }

    async fn claim_missed_check_out(
        &mut self,
        card: CardNumber,
        checked_in_at: Timestamp,
        exit_station: String,
    ) -> SutResult<Outcome<MissedRefund>> {
        self.inner
            .claim_missed_check_out(card, checked_in_at, exit_station)
            .await
    }
}
