//! What card-holder operations are asked and answer: requests, results and the
//! administration's view of a card. Refusals are [`TermsRefusal`](super::TermsRefusal) values.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::card::{CardKind, CardNumber, ProductSlot};
use crate::fees::{CardPrice, DebitPurpose, DebitStage};
use crate::machine::MachineOutcome;
use crate::money::Cents;
use crate::rules::ProductCode;

use super::Conduct;
use super::account::{Closing, EndReason, MissedClaim, OldCard, Statement, UsageEnd};
use super::calendar::HalfYear;

/// TERM-03: where a refund is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RefundChannel {
    /// Cash at a service point, up to the maximum.
    ServicePoint,
    /// The card handed in with the refund form; paid to a bank account.
    Form,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefundRequest {
    pub channel: RefundChannel,
    /// TERM-02: the holder shows counter-evidence against the card's balance.
    pub counter_evidence: bool,
    /// TERM-03: the holder ends the card (no admin fee); always so with the form.
    pub terminate: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum PaidTo {
    Cash,
    BankAccount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Refunded {
    /// The balance refunded (the card's, or the administration's with counter-evidence).
    pub balance: Cents,
    pub admin_fee: Cents,
    /// TERM-14: what the holder owed, set off.
    pub set_off: Cents,
    pub paid: Cents,
    pub paid_to: PaidTo,
    pub terminated: bool,
    /// TERM-01: a terminated card stays with the issuer.
    pub card_kept_by_issuer: bool,
    /// The card after the refund (balance €0; blocked when terminated).
    pub image: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LossReported {
    pub blocked_at: Timestamp,
    pub block_deadline: Timestamp,
    pub risk_transfer_at: Timestamp,
    pub balance_due_by: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BalanceSettled {
    /// The moment whose administrative balance was settled.
    pub at: Timestamp,
    pub balance: Cents,
    pub set_off: Cents,
    pub paid: Cents,
    pub withheld: Cents,
    pub paid_to: PaidTo,
}

/// TERM-08 / FEE-02: why a card is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ReplaceReason {
    LostOrStolen,
    Defect,
    Expired,
    Fraud,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum NotMovedWhy {
    /// The product's validity has ended.
    Expired,
    /// TERM-09: the product is blocked.
    Blocked,
    /// TERM-08: the product terms forbid moving it.
    ProductTerms,
    /// The new card refused it.
    Refused,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Replaced {
    pub number: CardNumber,
    pub image: Vec<u8>,
    pub price: Cents,
    pub moved: Vec<ProductCode>,
    pub not_moved: Vec<(ProductCode, NotMovedWhy)>,
}

/// TERM-09: what a fraud block covers; each separately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(
    tag = "scope",
    content = "product",
    rename_all = "kebab-case",
    deny_unknown_fields
)]
pub enum BlockScope {
    Card,
    Balance,
    Product(ProductCode),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BlockChanged {
    pub scope: BlockScope,
    pub blocked: bool,
}

/// TERM-10 / TERM-11: the issuer's finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FraudReport {
    /// When the established fraud started: the balance directly before it is compensated.
    pub started_at: Timestamp,
    pub conduct: Conduct,
    /// TERM-11: what the holder gained unjustly, reclaimed or set off.
    pub unjust_benefit: Cents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FraudSettled {
    pub balance_before_fraud: Cents,
    pub set_off: Cents,
    /// TERM-10: the compensation paid.
    pub paid: Cents,
    /// TERM-11: withheld for intent, fault or negligence.
    pub withheld: Cents,
    pub unjust_benefit: Cents,
    /// TERM-10 / TERM-11: whether a replacement card is free.
    pub new_card_free: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UsageEnded {
    pub reason: EndReason,
    pub at: Timestamp,
    /// TERM-04: refunds possible until this moment (exclusive); `None` when forfeited.
    pub refund_until: Option<Timestamp>,
}

/// TERM-10: whether the issuer knows the holder's personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PersonalData {
    pub known: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ObjectionAccepted {
    /// TERM-13: the last day an objection could arrive.
    pub deadline: Date,
    pub usage_ends_at: Timestamp,
}

/// TERM-02: what a correction claim is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CorrectionClaim {
    /// The day of the registration the holder disputes.
    pub registered_on: Date,
    /// The day the holder discovered the error, when later.
    pub discovered_on: Option<Date>,
    /// The balance on the card, when the holder presents it.
    pub card_balance: Option<Cents>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CorrectionAssessed {
    pub deadline: Date,
    /// TERM-02: the administration is the counter-evidence.
    pub administrative_balance: Cents,
    pub card_balance: Option<Cents>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ComplaintFiled {
    pub id: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DisputeDeadline {
    /// TERM-15: the last day the dispute can be brought to the committee.
    pub deadline: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MissedRefund {
    pub operator: String,
    pub period: HalfYear,
    /// Refunds of this operator in the period, this one included.
    pub claims_in_period: u32,
    pub charged: Cents,
    pub corrected_fare: Cents,
    pub refund: Cents,
    pub set_off: Cents,
    pub paid: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Sale {
    pub image: Vec<u8>,
    pub price: CardPrice,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaidLoad {
    pub outcome: MachineOutcome,
    /// FEE-03: paid on top of the amount loaded.
    pub surcharge: Cents,
    /// What the holder paid in total (nothing when the machine refused).
    pub total_paid: Cents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DebitView {
    pub purpose: DebitPurpose,
    pub amount: Cents,
    pub failed_on: Date,
    pub stage: DebitStage,
    pub admin_costs_due: Cents,
    pub owed: Cents,
    /// FEE-04: always 1 — there is no second debit attempt.
    pub debit_attempts: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DebtPaid {
    pub paid: Cents,
    pub still_owed: Cents,
}

/// TERM-12: the usage right as of now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Usage {
    Active,
    Ended {
        reason: EndReason,
        at: Timestamp,
        /// TERM-04: refunds possible until (exclusive); `None` when forfeited (own fault).
        refund_until: Option<Timestamp>,
    },
}

/// Everything the administration shows about a card (an observation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountView {
    pub number: CardNumber,
    pub kind: CardKind,
    pub business: bool,
    /// TERM-01.
    pub terms_apply: bool,
    /// TERM-01: the card's owner, whoever holds it.
    pub owner: String,
    pub personal_data_known: bool,
    pub usage: Usage,
    /// TERM-13: an end of the usage right already scheduled.
    pub pending_end: Option<UsageEnd>,
    /// TERM-05 / TERM-09 / TERM-12: whether readers must refuse the card.
    pub refused_at_readers: bool,
    /// TERM-09.
    pub balance_blocked: bool,
    /// FEE-04.
    pub balance_blocked_by_debt: bool,
    pub blocked_products: Vec<ProductCode>,
    pub products: Vec<ProductSlot>,
    pub administrative_balance: Cents,
    pub report: Option<OldCard>,
    pub closing: Option<Closing>,
    pub statement: Statement,
    pub owed: Cents,
    pub debits: Vec<DebitView>,
    pub missed_claims: Vec<MissedClaim>,
    pub replaced_by: Option<CardNumber>,
    pub replaces: Option<CardNumber>,
}

/// TERM-15: a complaint to the issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Complaint {
    pub id: u32,
    pub card: CardNumber,
    pub filed_at: Timestamp,
    pub answered_at: Option<Timestamp>,
}
