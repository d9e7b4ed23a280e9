//! The system-under-test boundary: one trait, shaped by the domain (commands and
//! observations), that every target implements — the embedded reference now, a participant's
//! HTTP API or container later.
//!
//! Steps, property tests and the runner see only [`SystemUnderTest`]. Test controls (clock,
//! reset) are separate methods so a target can refuse them outside a test environment.

pub mod client;
pub mod container;
pub mod direct;
pub mod http;
mod in_process;
pub mod payments;
pub mod recorded;
pub mod terms;

pub use http::Http;
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum PresentedCard {
    /// An OV-chipkaart: the harness carries the chip image between operations, as a
    /// traveller carries the card.
    OvChipkaart {
        #[serde(with = "crate::api::hex::bytes")]
        #[schemars(with = "crate::api::hex::CardImage")]
        image: Vec<u8>,
    },
    Emv {
        card: EmvCard,
    },
}

/// What a reader did with a tap, as the traveller observes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TapResult {
    pub decision: Decision,
    pub display: DisplayText,
    /// The card after the tap, when the reader wrote to it.
    #[serde(with = "crate::api::hex::option")]
    #[schemars(with = "Option<crate::api::hex::CardImage>")]
    pub new_image: Option<Vec<u8>>,
    pub balance_after: Option<Cents>,
    /// The id of the transaction the reader recorded, if any.
    pub tap_id: Option<TapId>,
}

/// A settlement run (SET-03): the day's statement, and what this run credits.
pub use ovcert_reference::backoffice::SettlementRun;

/// What an offline reader sent when it came back online (TAP-08).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
    pub kind: SutErrorKind,
}

/// Why an operation did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SutErrorKind {
    /// The system could not carry it out (bad input, an unreachable target, a refused test
    /// control, …).
    Failed,
    /// The system does not offer it: a capability the participant declared absent.
    NotSupported,
}

impl SutError {
    pub fn new(operation: &'static str, reason: impl Into<String>) -> SutError {
        SutError {
            operation,
            reason: reason.into(),
            kind: SutErrorKind::Failed,
        }
    }

    /// The system does not offer `operation` at all.
    pub fn not_supported(operation: &'static str, reason: impl Into<String>) -> SutError {
        SutError {
            kind: SutErrorKind::NotSupported,
            ..SutError::new(operation, reason)
        }
    }
}

pub type SutResult<T> = Result<T, SutError>;

/// The operations a participant's system offers to the suite.
#[async_trait]
pub trait SystemUnderTest: PaymentsApi + TermsApi + Send {
    /// A human-readable identity for reports ("in-process reference (nl-2024)").
    fn identity(&self) -> String;

    /// A note for whoever records the calls (the scenario about to run); no effect on the
    /// system.
    fn annotate(&mut self, _note: &str) {}

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
    /// A participant API at this base URL (`http://HOST:PORT`).
    Http(String),
    /// A locally built image (`NAME:TAG`), started in a container for the run.
    Image(String),
}

impl Target {
    /// Parses `--target`: `in-process`, `http://HOST:PORT` or `image:NAME:TAG`.
    pub fn parse(text: &str) -> Result<Target, String> {
        if text == "in-process" {
            return Ok(Target::InProcess);
        }
        if let Some(rest) = text.strip_prefix("http://") {
            let authority = rest.trim_end_matches('/');
            if authority.is_empty() || authority.contains('/') {
                return Err(format!(
                    "`{text}` is not a participant API base URL: give http://HOST:PORT without a path"
                ));
            }
            return Ok(Target::Http(format!("http://{authority}")));
        }
        if text.starts_with("https://") {
            return Err(
                "https targets are not supported: the suite talks to its target over loopback \
                 (http://127.0.0.1:PORT)"
                    .to_owned(),
            );
        }
        if let Some(image) = container::parse_image_target(text) {
            return image.map(Target::Image);
        }
        Err(format!(
            "unknown target `{text}`: use `in-process`, `http://HOST:PORT` or `image:NAME:TAG`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::Target;

    #[test]
    fn targets_parse_with_reasons() {
        assert_eq!(Target::parse("in-process"), Ok(Target::InProcess));
        assert_eq!(
            Target::parse("http://127.0.0.1:8080/"),
            Ok(Target::Http("http://127.0.0.1:8080".into()))
        );
        assert_eq!(
            Target::parse("image:ovcert-reference:dev"),
            Ok(Target::Image("ovcert-reference:dev".into()))
        );
        assert!(
            Target::parse("image:ovcert-reference")
                .unwrap_err()
                .contains("no tag")
        );
        assert!(
            Target::parse("http://host:1/v1")
                .unwrap_err()
                .contains("without a path")
        );
        assert!(
            Target::parse("https://x")
                .unwrap_err()
                .contains("not supported")
        );
        assert!(
            Target::parse("local")
                .unwrap_err()
                .contains("unknown target")
        );
    }
}
