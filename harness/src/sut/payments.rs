//! The OVpay part of the system-under-test boundary: bank simulator controls, charges,
//! retries, debt, service lookup and inspection (EMV-03..05, EMV-08..16, EMV-18).
//!
//! A bank card is named by its PAN data ([`EmvCard`]), as the traveller and the bank know it;
//! no answer carries a PAN (nor a token where a traveller or the service sees it). Payments
//! happen by themselves as time passes and taps arrive (the night charge, thresholds, retries,
//! a tap to pay a debt); the suite observes them. Requests and answers are the reference's
//! types, so a participant API speaks the same JSON.

use async_trait::async_trait;
use ovcert_reference::Cents;
use ovcert_reference::reader::EmvCard;
use ovcert_reference::tap::{CardIdentity, ReaderRef};
use serde::{Deserialize, Serialize};

pub use ovcert_reference::backoffice::LiftOutcome;
pub use ovcert_reference::backoffice::bank::{BankAnswer, BankBlock, BankRequest, Registration};
pub use ovcert_reference::backoffice::payments::inspection::InspectionView;
pub use ovcert_reference::backoffice::payments::service::{
    CorrectionOutcome, CorrectionRequest, Lookup,
};
pub use ovcert_reference::backoffice::payments::{Payment, Refund, StatusCheck};
pub use ovcert_reference::deny::DenyReason;

use super::SutResult;

/// A bank card's payment situation as the back office holds it (EMV-03, EMV-08..14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PaymentAccount {
    /// In the order they were made.
    pub payments: Vec<Payment>,
    pub refunds: Vec<Refund>,
    /// EMV-12: what the card owes.
    pub open_debt_cents: Cents,
    /// EMV-05: every reason the card is on the deny list for.
    pub deny_reasons: Vec<DenyReason>,
    /// EMV-03: the account status checks made for the card.
    pub status_checks: Vec<StatusCheck>,
}

/// OVpay operations a participant's system offers (and test controls for the bank simulator).
#[async_trait]
pub trait PaymentsApi: Send {
    // ---- back office: payments and risk ---------------------------------------------
    /// EMV-03, EMV-08..14: a bank card's payments, refunds, debt, listing and status checks.
    async fn payment_account(&mut self, card: &EmvCard) -> SutResult<PaymentAccount>;
    /// EMV-05: the version of the deny list the back office distributes.
    async fn deny_list_version(&mut self) -> SutResult<u64>;
    /// EMV-05: the version of a reader's copy of the deny list.
    async fn reader_deny_list_version(&mut self, reader: &ReaderRef) -> SutResult<u64>;
    /// EMV-04: an operator or customer service asks to lift a card's block; a bank's
    /// decision stays.
    async fn lift_bank_card_block(&mut self, card: CardIdentity) -> SutResult<LiftOutcome>;

    // ---- service (website, app, customer service) -------------------------------------
    /// EMV-15: journeys and payment by payment reference and amount — the only lookup there
    /// is (never by PAN or IBAN).
    async fn service_lookup(&mut self, reference: &str, amount: Cents) -> SutResult<Lookup>;
    /// EMV-18: correct a missed check-out; the journey is re-priced.
    async fn correct_missed_check_out(
        &mut self,
        request: CorrectionRequest,
    ) -> SutResult<CorrectionOutcome>;

    // ---- inspection --------------------------------------------------------------------
    /// EMV-16: an inspector presents a bank card to device `device`, with or without the
    /// traveller's consent to show the transactions.
    async fn inspect(
        &mut self,
        device: &str,
        card: &EmvCard,
        consent: bool,
    ) -> SutResult<InspectionView>;
    /// EMV-16: what device `device` shows now (nothing after the visible time).
    async fn inspection_screen(&mut self, device: &str) -> SutResult<Option<InspectionView>>;

    // ---- test controls: the bank simulator ----------------------------------------------
    /// EMV-03 / EMV-10 test control: the bank registers a card's scheme and form factor
    /// (e.g. "mastercard-virtual") and whether it has a Dutch public-transport travel function.
    async fn bank_register(&mut self, card: &EmvCard, registration: Registration) -> SutResult<()>;
    /// Test control: the bank's next answers to payment requests for the card, in order.
    async fn bank_script(&mut self, card: &EmvCard, answers: Vec<BankAnswer>) -> SutResult<()>;
    /// Test control: the bank's answer once the script is used up (approve by default).
    async fn bank_default(&mut self, card: &EmvCard, answer: BankAnswer) -> SutResult<()>;
    /// EMV-04 test control: the bank blocks the card (lost, stolen, other) or lifts its block.
    async fn bank_block(&mut self, card: &EmvCard, block: Option<BankBlock>) -> SutResult<()>;
    /// Test observation: every request the bank received about the card, in order.
    async fn bank_requests(&mut self, card: &EmvCard) -> SutResult<Vec<BankRequest>>;
}
