//! The system-under-test boundary: one trait, shaped by the domain (commands and
//! observations), that every target implements — the embedded reference now, a participant's
//! HTTP API or container later.
//!
//! Steps, property tests and the runner see only [`SystemUnderTest`]. Test controls (clock,
//! reset) are separate methods so a target can refuse them outside a test environment.

pub mod container;
mod in_process;
pub mod payments;
pub mod terms;

pub use in_process::InProcess;
pub use payments::PaymentsApi;
pub use terms::TermsApi;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use ovcert_reference::Cents;
use ovcert_reference::backoffice::report::OperatorReport;
use ovcert_reference::backoffice::{CardJourneys, Ingested, StoredTap};
use ovcert_reference::card::{Card, ProductSlot, SpecialSetting};
use ovcert_reference::deny::DenyReason;
use ovcert_reference::machine::{IssueRequest, LoadChannel, MachineOutcome};
use ovcert_reference::reader::{Decision, DisplayText, EmvCard};
use ovcert_reference::tap::{CardIdentity, ReaderRef, TapId, TapMessage};
use serde::{Deserialize, Serialize};

/// A card as the traveller holds it against a reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum PresentedCard {
    /// An OV-chipkaart: the harness carries the chip image between operations, as a
    /// traveller carries the card.
    OvChipkaart {
        image: Vec<u8>,
    },
    Emv {
        card: EmvCard,
    },
}

/// What a reader did with a tap, as the traveller observes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TapResult {
    pub decision: Decision,
    pub display: DisplayText,
    /// The card after the tap, when the reader wrote to it.
    pub new_image: Option<Vec<u8>>,
    pub balance_after: Option<Cents>,
    /// The id of the transaction the reader recorded, if any.
    pub tap_id: Option<TapId>,
}

/// A settlement run (SET-03): the day's statement, and what this run credits.
pub use ovcert_reference::backoffice::SettlementRun;

/// What an offline reader sent when it came back online (TAP-08).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    /// Taps sent.
    pub uploaded: usize,
    /// Taps the back office did not know yet (the rest were duplicates).
    pub new: usize,
}

/// A failure of the target itself (unreachable, malformed answer, refused test control) —
/// never a business outcome, which is a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation}: {reason}")]
pub struct SutError {
    pub operation: &'static str,
    pub reason: String,
}

impl SutError {
    pub fn new(operation: &'static str, reason: impl Into<String>) -> SutError {
        SutError {
            operation,
            reason: reason.into(),
        }
    }
}

pub type SutResult<T> = Result<T, SutError>;

/// The operations a participant's system offers to the suite.
#[async_trait]
pub trait SystemUnderTest: PaymentsApi + TermsApi + Send {
    /// A human-readable identity for reports ("in-process reference (nl-2024)").
    fn identity(&self) -> String;

    // ---- test controls -------------------------------------------------------------
    /// Forgets everything: no cards, taps, accounts or payments; the clock at the epoch.
    /// A shared target is reset before every scenario.
    async fn reset(&mut self) -> SutResult<()>;
    /// Sets the system's clock; all later operations happen at this instant.
    async fn set_clock(&mut self, now: Timestamp) -> SutResult<()>;

    // ---- seller: card distributor, load agent, product seller -----------------------
    /// CARD-01 / CARD-04: issue a new card at the current time.
    async fn issue_card(&mut self, request: IssueRequest) -> SutResult<Vec<u8>>;
    /// CARD-02 / CARD-07.
    async fn load(
        &mut self,
        image: &[u8],
        amount: Cents,
        channel: LoadChannel,
    ) -> SutResult<MachineOutcome>;
    /// CARD-07: try to take back a completed load.
    async fn revoke_load(&mut self, image: &[u8]) -> SutResult<MachineOutcome>;
    /// CARD-05 / FARE-10 / TAP-09.
    async fn load_product(
        &mut self,
        image: &[u8],
        product: ProductSlot,
    ) -> SutResult<MachineOutcome>;
    /// TAP-06.
    async fn set_auto_reload(
        &mut self,
        image: &[u8],
        amount: Option<Cents>,
    ) -> SutResult<MachineOutcome>;
    /// CARD-08: read a card at a machine (balance, products, recent transactions).
    async fn read_card(&mut self, image: &[u8]) -> SutResult<Card>;

    // ---- reader ---------------------------------------------------------------------
    /// One tap of one or more cards (CARD-09) at a reader.
    async fn tap(
        &mut self,
        reader: &ReaderRef,
        presented: Vec<PresentedCard>,
    ) -> SutResult<TapResult>;
    /// TAP-08: take a reader off line (it buffers taps) or back on line (it uploads them).
    async fn set_reader_online(&mut self, reader: &ReaderRef, online: bool) -> SutResult<Upload>;
    /// TAP-08 test control: the reader sends its last upload again, as after a lost
    /// acknowledgement.
    async fn resend_last_upload(&mut self, reader: &ReaderRef) -> SutResult<Upload>;

    // ---- back office ----------------------------------------------------------------
    /// TAP-05 / EMV-05: put a card on the deny list distributed to readers. A bank card is
    /// given as the bank reports it (PAN data); the back office keeps only its token.
    async fn deny(&mut self, card: CardIdentity, reason: DenyReason) -> SutResult<()>;
    /// TAP-08 / GBO-04: the taps the back office holds, in its processing order, bank cards
    /// by token only.
    async fn received_taps(&mut self) -> SutResult<Vec<StoredTap>>;
    /// GBO-04: taps uploaded straight to the back office (from readers of any operator).
    async fn ingest(&mut self, taps: Vec<TapMessage>) -> SutResult<Vec<Ingested>>;
    /// JRN-08: a special setting (first class, group discount) for the card's next journey.
    async fn set_next_journey(
        &mut self,
        card: CardIdentity,
        setting: SpecialSetting,
    ) -> SutResult<()>;
    /// GBO-01 test observation: one card's journeys and fares as of now.
    async fn journeys(&mut self, card: CardIdentity) -> SutResult<CardJourneys>;
    /// GBO-03: an operator's report for a closed travel day.
    async fn operator_report(&mut self, operator: &str, day: Date) -> SutResult<OperatorReport>;
    /// SET-01..03: settle a closed travel day.
    async fn settle(&mut self, day: Date) -> SutResult<SettlementRun>;
    /// EMV-17 test observation: how many cards' PAN data the back office still holds.
    async fn pans_held(&mut self) -> SutResult<usize>;
}

/// Which system the suite runs against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The embedded reference, called directly.
    InProcess,
}

impl Target {
    /// Parses `--target`: `in-process` (HTTP and container targets come with the
    /// participant API).
    pub fn parse(text: &str) -> Result<Target, String> {
        match text {
            "in-process" => Ok(Target::InProcess),
            other => Err(format!(
                "unknown target `{other}`: this version supports `in-process` (the embedded reference)"
            )),
        }
    }
}
