//! Every operation of the participant API, declared once: request fields, path, answer, and
//! the [`SystemUnderTest`] method it stands for.

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use ovcert_reference::Cents;
use ovcert_reference::card::{CardNumber, ProductSlot, SpecialSetting};
use ovcert_reference::deny::DenyReason;
use ovcert_reference::fees::{DebitPurpose, PaymentMethod, SaleChannel};
use ovcert_reference::machine::{IssueRequest, LoadChannel};
use ovcert_reference::reader::EmvCard;
use ovcert_reference::tap::{CardIdentity, ReaderRef, TapMessage};
use ovcert_reference::terms::{
    BlockScope, Conduct, EndReason, FraudReport, Outcome, RefundRequest, ReplaceReason,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::hex::CardImage;
use super::{Operation, Visitor};
use crate::sut::payments::{
    BankAnswer, BankBlock, BankRequest, CorrectionOutcome, CorrectionRequest, InspectionView,
    LiftOutcome, Lookup, PaymentAccount, Registration,
};
use crate::sut::{PresentedCard, SutResult, SystemUnderTest, TapResult, Upload};

/// Declares operations: `Name "path" { field: Type, … } -> Answer = |sut, op| expression;`
/// with the operation's doc comment as its description.
macro_rules! operations {
    ($(
        $(#[doc = $doc:literal])+
        $name:ident $path:literal { $($field:ident : $type:ty),* $(,)? } -> $answer:ty
            = |$sut:ident, $op:ident| $body:expr;
    )*) => {
        $(
            $(#[doc = $doc])+
            #[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
            #[serde(deny_unknown_fields)]
            pub struct $name { $(pub $field: $type),* }

            #[async_trait]
            impl Operation for $name {
                const NAME: &'static str = stringify!($name);
                const PATH: &'static str = $path;
                const DESCRIPTION: &'static str = concat!($($doc, "\n"),+);
                type Answer = $answer;

                #[allow(unused_variables)]
                async fn apply(self, $sut: &mut dyn SystemUnderTest) -> SutResult<$answer> {
                    let $op = self;
                    $body
                }
            }
        )*

        /// Visits every operation, in declaration order.
        pub fn visit_all(visitor: &mut impl Visitor) {
            $( visitor.visit::<$name>(); )*
        }
    };
}

operations! {
    // ---- cards: card distributor, load agent, product seller --------------------------
    /// CARD-01 / CARD-04: issue a new card at the current time; answers its chip image.
    IssueCard "/v1/cards/issue" { request: IssueRequest } -> CardImage
        = |sut, op| sut.issue_card(op.request).await.map(CardImage);
    /// CARD-02 / CARD-07: load value onto a card at a machine or a load agent.
    Load "/v1/cards/load" { image: CardImage, amount: Cents, channel: LoadChannel }
        -> ovcert_reference::machine::MachineOutcome
        = |sut, op| sut.load(&op.image.0, op.amount, op.channel).await;
    /// CARD-07: try to take back a completed load.
    RevokeLoad "/v1/cards/revoke-load" { image: CardImage }
        -> ovcert_reference::machine::MachineOutcome
        = |sut, op| sut.revoke_load(&op.image.0).await;
    /// CARD-05 / FARE-10 / TAP-09: put a product (season ticket, discount) on a card.
    LoadProduct "/v1/cards/load-product" { image: CardImage, product: ProductSlot }
        -> ovcert_reference::machine::MachineOutcome
        = |sut, op| sut.load_product(&op.image.0, op.product).await;
    /// TAP-06: switch automatic reloading on (with its amount) or off.
    SetAutoReload "/v1/cards/auto-reload" { image: CardImage, amount: Option<Cents> }
        -> ovcert_reference::machine::MachineOutcome
        = |sut, op| sut.set_auto_reload(&op.image.0, op.amount).await;
    /// CARD-08: read a card at a machine (balance, products, recent transactions).
    ReadCard "/v1/cards/read" { image: CardImage } -> ovcert_reference::card::Card
        = |sut, op| sut.read_card(&op.image.0).await;

    // ---- readers ------------------------------------------------------------------------
    /// TAP-01..09 / CARD-09 / EMV-01: one tap of one or more cards at a reader.
    Tap "/v1/readers/tap" { reader: ReaderRef, presented: Vec<PresentedCard> } -> TapResult
        = |sut, op| sut.tap(&op.reader, op.presented).await;

    // ---- back office ----------------------------------------------------------------------
    /// TAP-05 / EMV-05: put a card on the deny list distributed to readers (a bank card as
    /// the bank reports it; only its token is kept).
    Deny "/v1/backoffice/deny" { card: CardIdentity, reason: DenyReason } -> ()
        = |sut, op| sut.deny(op.card, op.reason).await;
    /// GBO-04: taps uploaded straight to the back office, from readers of any operator.
    Ingest "/v1/backoffice/ingest" { taps: Vec<TapMessage> }
        -> Vec<ovcert_reference::backoffice::Ingested>
        = |sut, op| sut.ingest(op.taps).await;
    /// JRN-08: a special setting (first class, group discount) for the card's next journey.
    SetNextJourney "/v1/backoffice/next-journey" { card: CardIdentity, setting: SpecialSetting }
        -> ()
        = |sut, op| sut.set_next_journey(op.card, op.setting).await;
    /// GBO-03: an operator's report for a closed travel day.
    GetOperatorReport "/v1/backoffice/operator-report" { operator: String, day: Date }
        -> ovcert_reference::backoffice::report::OperatorReport
        = |sut, op| sut.operator_report(&op.operator, op.day).await;
    /// SET-01..03: settle a closed travel day.
    Settle "/v1/backoffice/settle" { day: Date } -> crate::sut::SettlementRun
        = |sut, op| sut.settle(op.day).await;

    // ---- OVpay: payments and risk ---------------------------------------------------------
    /// EMV-03, EMV-08..14: a bank card's payments, refunds, debt, listing and status checks.
    GetPaymentAccount "/v1/ovpay/payment-account" { card: EmvCard } -> PaymentAccount
        = |sut, op| sut.payment_account(&op.card).await;
    /// EMV-05: the version of the deny list the back office distributes.
    DenyListVersion "/v1/ovpay/deny-list-version" {} -> u64
        = |sut, op| sut.deny_list_version().await;
    /// EMV-05: the version of a reader's copy of the deny list.
    ReaderDenyListVersion "/v1/ovpay/reader-deny-list-version" { reader: ReaderRef } -> u64
        = |sut, op| sut.reader_deny_list_version(&op.reader).await;
    /// EMV-04: an operator or customer service asks to lift a card's block; a bank's
    /// decision stays.
    LiftBankCardBlock "/v1/ovpay/lift-block" { card: CardIdentity } -> LiftOutcome
        = |sut, op| sut.lift_bank_card_block(op.card).await;
    /// EMV-15: journeys and payment by payment reference and amount — the only lookup.
    ServiceLookup "/v1/ovpay/service-lookup" { reference: String, amount: Cents } -> Lookup
        = |sut, op| sut.service_lookup(&op.reference, op.amount).await;
    /// EMV-18: correct a missed check-out; the journey is re-priced.
    CorrectMissedCheckOut "/v1/ovpay/correct-missed-check-out" { request: CorrectionRequest }
        -> CorrectionOutcome
        = |sut, op| sut.correct_missed_check_out(op.request).await;
    /// EMV-16: an inspector presents a bank card to a device, with or without the
    /// traveller's consent to show the transactions.
    Inspect "/v1/ovpay/inspect" { device: String, card: EmvCard, consent: bool }
        -> InspectionView
        = |sut, op| sut.inspect(&op.device, &op.card, op.consent).await;
    /// EMV-16: what an inspection device shows now (nothing after the visible time).
    InspectionScreen "/v1/ovpay/inspection-screen" { device: String }
        -> Option<InspectionView>
        = |sut, op| sut.inspection_screen(&op.device).await;

    // ---- card-holder terms and fees -------------------------------------------------------
    /// The issuer's administration of a card: usage right, blocks, balance, statement, debts.
    CardAccount "/v1/terms/card-account" { card: CardNumber }
        -> Option<ovcert_reference::terms::AccountView>
        = |sut, op| sut.card_account(op.card).await;
    /// TERM-07 / TERM-10: the balance per the administration just before `at`.
    AdministrativeBalanceBefore "/v1/terms/administrative-balance" { card: CardNumber, at: Timestamp }
        -> Option<Cents>
        = |sut, op| sut.administrative_balance_before(op.card, op.at).await;
    /// FEE-01: sell a card through a channel, at its price.
    SellCard "/v1/terms/sell-card" { request: IssueRequest, channel: SaleChannel }
        -> Outcome<ovcert_reference::terms::Sale>
        = |sut, op| sut.sell_card(op.request, op.channel).await;
    /// TERM-01: a card issued for business use by a business-card provider.
    IssueBusinessCard "/v1/terms/issue-business-card" { request: IssueRequest } -> CardImage
        = |sut, op| sut.issue_business_card(op.request).await.map(CardImage);
    /// FEE-03: a load paid by cash, debit or credit card, with its surcharge.
    MakePaidLoad "/v1/terms/paid-load"
        { image: CardImage, amount: Cents, channel: LoadChannel, payment: PaymentMethod }
        -> ovcert_reference::terms::PaidLoad
        = |sut, op| sut.paid_load(&op.image.0, op.amount, op.channel, op.payment).await;
    /// TERM-02..04 / TERM-12 / TERM-14 / FEE-02: a balance refund of a presented card.
    RefundBalance "/v1/terms/refund" { image: CardImage, request: RefundRequest }
        -> Outcome<ovcert_reference::terms::Refunded>
        = |sut, op| sut.refund(&op.image.0, op.request).await;
    /// TERM-08 / FEE-02: a replacement card, with the new card's number and chip serial.
    ReplaceCard "/v1/terms/replace-card"
        { old: CardNumber, reason: ReplaceReason, new_number: CardNumber, new_serial: u32 }
        -> Outcome<ovcert_reference::terms::Replaced>
        = |sut, op| sut.replace_card(op.old, op.reason, (op.new_number, op.new_serial)).await;
    /// TERM-05 / TERM-06 / TERM-07: report a card lost or stolen.
    ReportLostOrStolen "/v1/terms/report-lost-or-stolen" { card: CardNumber }
        -> Outcome<ovcert_reference::terms::LossReported>
        = |sut, op| sut.report_lost_or_stolen(op.card).await;
    /// TERM-07 / TERM-08: pay the old card's balance (the issuer's finding on conduct).
    SettleOldBalance "/v1/terms/settle-old-balance" { card: CardNumber, conduct: Conduct }
        -> Outcome<ovcert_reference::terms::BalanceSettled>
        = |sut, op| sut.settle_old_balance(op.card, op.conduct).await;
    /// TERM-09: block a card, its balance or a product.
    Block "/v1/terms/block" { card: CardNumber, scope: BlockScope }
        -> Outcome<ovcert_reference::terms::BlockChanged>
        = |sut, op| sut.block(op.card, op.scope).await;
    /// TERM-09: lift a block.
    LiftBlock "/v1/terms/lift-block" { card: CardNumber, scope: BlockScope }
        -> Outcome<ovcert_reference::terms::BlockChanged>
        = |sut, op| sut.lift_block(op.card, op.scope).await;
    /// TERM-10: an anonymous card's holder made their personal data known.
    RegisterPersonalData "/v1/terms/register-personal-data" { card: CardNumber }
        -> Outcome<ovcert_reference::terms::PersonalData>
        = |sut, op| sut.register_personal_data(op.card).await;
    /// TERM-10 / TERM-11: the issuer establishes fraud with a card.
    EstablishFraud "/v1/terms/establish-fraud" { card: CardNumber, report: FraudReport }
        -> Outcome<ovcert_reference::terms::FraudSettled>
        = |sut, op| sut.establish_fraud(op.card, op.report).await;
    /// TERM-12: end a card's usage right.
    EndUsage "/v1/terms/end-usage" { card: CardNumber, reason: EndReason }
        -> Outcome<ovcert_reference::terms::UsageEnded>
        = |sut, op| sut.end_usage(op.card, op.reason).await;
    /// TERM-13: a written objection, received now, against the notice of `notice_on`.
    ObjectToChangedTerms "/v1/terms/object-to-changed-terms" { card: CardNumber, notice_on: Date }
        -> Outcome<ovcert_reference::terms::ObjectionAccepted>
        = |sut, op| sut.object_to_changed_terms(op.card, op.notice_on).await;
    /// TERM-02: a correction claim for a transaction registered on `registered_on`.
    CorrectionClaim "/v1/terms/correction-claim"
        { card: CardNumber, registered_on: Date, discovered_on: Option<Date>, image: Option<CardImage> }
        -> Outcome<ovcert_reference::terms::CorrectionAssessed>
        = |sut, op| sut
            .correction_claim(op.card, op.registered_on, op.discovered_on, op.image.as_ref().map(|i| i.0.as_slice()))
            .await;
    /// TERM-15: file a complaint.
    FileComplaint "/v1/terms/file-complaint" { card: CardNumber }
        -> Outcome<ovcert_reference::terms::ComplaintFiled>
        = |sut, op| sut.file_complaint(op.card).await;
    /// TERM-15: the issuer answers a complaint.
    AnswerComplaint "/v1/terms/answer-complaint" { id: u32 }
        -> Outcome<ovcert_reference::terms::DisputeDeadline>
        = |sut, op| sut.answer_complaint(op.id).await;
    /// TERM-15: submit a dispute to the disputes committee.
    SubmitDispute "/v1/terms/submit-dispute" { card: CardNumber, complaint: Option<u32> }
        -> Outcome<ovcert_reference::terms::DisputeDeadline>
        = |sut, op| sut.submit_dispute(op.card, op.complaint).await;
    /// FEE-04 / TERM-14: pay (part of) a card holder's debt.
    PayDebt "/v1/terms/pay-debt" { card: CardNumber, amount: Cents }
        -> Outcome<ovcert_reference::terms::DebtPaid>
        = |sut, op| sut.pay_debt(op.card, op.amount).await;
    /// TERM-16: a refund for the journey without check-out checked in at `checked_in_at`.
    ClaimMissedCheckOut "/v1/terms/claim-missed-check-out"
        { card: CardNumber, checked_in_at: Timestamp, exit_station: String }
        -> Outcome<ovcert_reference::terms::MissedRefund>
        = |sut, op| sut.claim_missed_check_out(op.card, op.checked_in_at, op.exit_station).await;

    // ---- test controls ----------------------------------------------------------------------
    /// Forget everything: no cards, taps, accounts or payments; the clock at the epoch.
    Reset "/test/v1/reset" {} -> ()
        = |sut, op| sut.reset().await;
    /// Set the system's clock; all later operations happen at this instant.
    SetClock "/test/v1/clock" { now: Timestamp } -> ()
        = |sut, op| sut.set_clock(op.now).await;
    /// TAP-08: take a reader off line (it buffers taps) or back on line (it uploads them).
    SetReaderOnline "/test/v1/readers/online" { reader: ReaderRef, online: bool } -> Upload
        = |sut, op| sut.set_reader_online(&op.reader, op.online).await;
    /// TAP-08: the reader sends its last upload again, as after a lost acknowledgement.
    ResendLastUpload "/test/v1/readers/resend-last-upload" { reader: ReaderRef } -> Upload
        = |sut, op| sut.resend_last_upload(&op.reader).await;
    /// TAP-08 / GBO-04 observation: the taps the back office holds, in processing order,
    /// bank cards by token only.
    ReceivedTaps "/test/v1/backoffice/received-taps" {}
        -> Vec<ovcert_reference::backoffice::StoredTap>
        = |sut, op| sut.received_taps().await;
    /// GBO-01 observation: one card's journeys and fares as of now.
    Journeys "/test/v1/backoffice/journeys" { card: CardIdentity }
        -> ovcert_reference::backoffice::CardJourneys
        = |sut, op| sut.journeys(op.card).await;
    /// EMV-17 observation: how many cards' PAN data the back office still holds.
    PansHeld "/test/v1/backoffice/pans-held" {} -> usize
        = |sut, op| sut.pans_held().await;
    /// EMV-03 / EMV-10: the bank registers a card's scheme and form factor and whether it
    /// has a Dutch public-transport travel function.
    BankRegister "/test/v1/bank/register" { card: EmvCard, registration: Registration } -> ()
        = |sut, op| sut.bank_register(&op.card, op.registration).await;
    /// The bank's next answers to payment requests for the card, in order.
    BankScript "/test/v1/bank/script" { card: EmvCard, answers: Vec<BankAnswer> } -> ()
        = |sut, op| sut.bank_script(&op.card, op.answers).await;
    /// The bank's answer once the script is used up (approve by default).
    BankDefault "/test/v1/bank/default" { card: EmvCard, answer: BankAnswer } -> ()
        = |sut, op| sut.bank_default(&op.card, op.answer).await;
    /// EMV-04: the bank blocks the card (lost, stolen, other), or lifts its block (null).
    SetBankBlock "/test/v1/bank/block" { card: EmvCard, block: Option<BankBlock> } -> ()
        = |sut, op| sut.bank_block(&op.card, op.block).await;
    /// Every request the bank received about the card, in order.
    BankRequests "/test/v1/bank/requests" { card: EmvCard } -> Vec<BankRequest>
        = |sut, op| sut.bank_requests(&op.card).await;
    /// FEE-04: the holder's bank refused a direct debit.
    DirectDebitFailed "/test/v1/terms/direct-debit-failed"
        { card: CardNumber, purpose: DebitPurpose, amount: Cents }
        -> Outcome<ovcert_reference::terms::DebitView>
        = |sut, op| sut.direct_debit_failed(op.card, op.purpose, op.amount).await;
}

/// The operations that only observe: they change nothing in the system, so a journal of the
/// system's state need not record them (`ovcert serve --journal`). Every other operation is
/// taken to change state; an operation wrongly listed here would be lost on a restart.
pub const OBSERVATIONS: &[&str] = &[
    "ReadCard",
    "GetOperatorReport",
    "GetPaymentAccount",
    "DenyListVersion",
    "ReaderDenyListVersion",
    "CardAccount",
    "AdministrativeBalanceBefore",
    "ReceivedTaps",
    "Journeys",
    "PansHeld",
    "BankRequests",
];

#[cfg(test)]
mod tests {
    use super::*;

    struct Names(Vec<(&'static str, &'static str)>);

    impl Visitor for Names {
        fn visit<O: Operation>(&mut self) {
            self.0.push((O::NAME, O::PATH));
        }
    }

    #[test]
    fn every_observation_names_an_operation() {
        let mut names = Names(Vec::new());
        visit_all(&mut names);
        for observation in OBSERVATIONS {
            assert!(
                names.0.iter().any(|(name, _)| name == observation),
                "OBSERVATIONS lists {observation}, which is no operation"
            );
        }
    }

    #[test]
    fn names_and_paths_are_unique_and_prefixed() {
        let mut names = Names(Vec::new());
        visit_all(&mut names);
        let mut seen_names = std::collections::BTreeSet::new();
        let mut seen_paths = std::collections::BTreeSet::new();
        for (name, path) in &names.0 {
            assert!(seen_names.insert(*name), "operation {name} declared twice");
            assert!(seen_paths.insert(*path), "path {path} used twice");
            assert!(
                path.starts_with(super::super::API_PREFIX)
                    || path.starts_with(super::super::TEST_PREFIX),
                "{path} is neither an operation nor a test control"
            );
        }
    }
}
