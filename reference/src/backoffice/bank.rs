//! A scriptable bank simulator: what the back office's acquirer (EMS) and the card's bank
//! answer (EMV-03, EMV-04, EMV-08..14). Deterministic: every answer comes from a per-card
//! script or default, never from chance.
//!
//! Cards are known by their back-office [`CardToken`], as a network token would identify
//! them: the back office keeps PAN data only 24 hours (EMV-17), while payment retries run for
//! 62 days (EMV-13). Test controls reach a card by PAN through the vault's tokenisation, which
//! stores nothing.
//!
//! Per card the simulator holds
//! - a **registration** (EMV-03/EMV-10): the card scheme and form factor (e.g.
//!   `mastercard-virtual` for a card on a phone or watch) and whether the bank has connected a
//!   Dutch public-transport travel function; an unregistered card is a physical card of an
//!   unnamed scheme with a travel function;
//! - a **block** (EMV-04): lost, stolen or blocked for another reason, as the bank lists it;
//! - a **script** of payment answers, used in order, then a **default** (approve unless set).
//!
//! Every request is logged with its time, so tests can count status checks and retries.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::money::Cents;

use super::payments::PaymentReference;
use super::tokens::CardToken;

/// The most answers one card's script may hold (a limit on everything).
pub const SCRIPT_MAX: usize = 1000;

/// The bank's answer to a payment request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum BankAnswer {
    Approve,
    /// EMV-12: not enough balance or credit.
    DeclineInsufficientFunds,
    /// EMV-04: the card is reported lost.
    DeclineLost,
    /// EMV-04: the card is reported stolen.
    DeclineStolen,
    /// EMV-04: the bank blocked the card for another reason.
    DeclineBlocked,
    /// The request timed out; the payment did not happen.
    NoAnswer,
}

impl BankAnswer {
    pub fn approved(self) -> bool {
        self == BankAnswer::Approve
    }

    /// EMV-04: the block this answer reveals, if any.
    pub fn block(self) -> Option<BankBlock> {
        match self {
            BankAnswer::DeclineLost => Some(BankBlock::Lost),
            BankAnswer::DeclineStolen => Some(BankBlock::Stolen),
            BankAnswer::DeclineBlocked => Some(BankBlock::Other),
            _ => None,
        }
    }
}

/// EMV-04: why the bank blocked a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum BankBlock {
    Lost,
    Stolen,
    Other,
}

/// EMV-03 / EMV-10: what the bank registered for a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Registration {
    /// Card scheme and form factor, e.g. "mastercard-virtual", "visa-physical".
    pub scheme: String,
    /// EMV-03: the bank has connected a Dutch public-transport travel function.
    pub travel_function: bool,
}

impl Default for Registration {
    fn default() -> Self {
        Registration {
            scheme: "unregistered".into(),
            travel_function: true,
        }
    }
}

/// EMV-03: the answer to an account status check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "status", content = "block", rename_all = "kebab-case")]
pub enum AccountStatus {
    /// The card may travel.
    Active,
    /// The card has no Dutch public-transport travel function.
    NoTravelFunction,
    /// EMV-04: the bank blocked the card.
    Blocked(BankBlock),
}

/// What was asked of the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "request", rename_all = "kebab-case")]
pub enum BankRequestKind {
    /// EMV-03: an account status check.
    AccountStatus { answer: AccountStatus },
    /// EMV-08..14: a payment request with its reference (EMV-11).
    Payment {
        reference: PaymentReference,
        amount_cents: Cents,
        answer: BankAnswer,
    },
}

/// One logged request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BankRequest {
    pub at: Timestamp,
    #[serde(flatten)]
    pub kind: BankRequestKind,
}

/// A test control asked for more than the simulator holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a card's script holds at most {max} answers; {asked} asked")]
pub struct ScriptTooLong {
    pub max: usize,
    pub asked: usize,
}

#[derive(Debug, Clone, Default)]
struct SimCard {
    registration: Registration,
    block: Option<BankBlock>,
    script: VecDeque<BankAnswer>,
    default: Option<BankAnswer>,
    log: Vec<BankRequest>,
}

/// The bank simulator.
#[derive(Debug, Clone, Default)]
pub struct BankSimulator {
    cards: BTreeMap<CardToken, SimCard>,
    /// The cards with a block, so the engine's sync with the deny list reads only these.
    blocked: BTreeSet<CardToken>,
}

impl BankSimulator {
    // ---- test controls ---------------------------------------------------------------

    /// EMV-03 / EMV-10: registers a card's scheme and travel function.
    pub fn register(&mut self, card: &CardToken, registration: Registration) {
        self.card_mut(card).registration = registration;
    }

    /// Appends answers to a card's payment script.
    pub fn script(
        &mut self,
        card: &CardToken,
        answers: &[BankAnswer],
    ) -> Result<(), ScriptTooLong> {
        let sim = self.card_mut(card);
        let asked = sim.script.len() + answers.len();
        if asked > SCRIPT_MAX {
            return Err(ScriptTooLong {
                max: SCRIPT_MAX,
                asked,
            });
        }
        sim.script.extend(answers.iter().copied());
        Ok(())
    }

    /// The answer once the script is used up (approve when never set).
    pub fn set_default(&mut self, card: &CardToken, answer: BankAnswer) {
        self.card_mut(card).default = Some(answer);
    }

    /// EMV-04: the bank blocks a card (lost, stolen, other) or lifts its block.
    pub fn set_block(&mut self, card: &CardToken, block: Option<BankBlock>) {
        self.card_mut(card).block = block;
        if block.is_some() {
            self.blocked.insert(card.clone());
        } else {
            self.blocked.remove(card);
        }
    }

    // ---- what the back office asks ------------------------------------------------------

    /// EMV-03: the account status check.
    pub fn account_status(&mut self, card: &CardToken, at: Timestamp) -> AccountStatus {
        let sim = self.card_mut(card);
        let answer = match (sim.block, sim.registration.travel_function) {
            (Some(block), _) => AccountStatus::Blocked(block),
            (None, false) => AccountStatus::NoTravelFunction,
            (None, true) => AccountStatus::Active,
        };
        sim.log.push(BankRequest {
            at,
            kind: BankRequestKind::AccountStatus { answer },
        });
        answer
    }

    /// EMV-08..14: a payment request. A blocked card is declined with its block (its script
    /// is kept for later); a decline for loss, theft or another block blocks the card at the bank.
    pub fn authorise(
        &mut self,
        card: &CardToken,
        reference: &PaymentReference,
        amount: Cents,
        at: Timestamp,
    ) -> BankAnswer {
        let sim = self.card_mut(card);
        let answer = match sim.block {
            Some(BankBlock::Lost) => BankAnswer::DeclineLost,
            Some(BankBlock::Stolen) => BankAnswer::DeclineStolen,
            Some(BankBlock::Other) => BankAnswer::DeclineBlocked,
            None => sim
                .script
                .pop_front()
                .or(sim.default)
                .unwrap_or(BankAnswer::Approve),
        };
        let blocks = answer.block();
        if blocks.is_some() {
            sim.block = blocks;
        }
        sim.log.push(BankRequest {
            at,
            kind: BankRequestKind::Payment {
                reference: reference.clone(),
                amount_cents: amount,
                answer,
            },
        });
        if blocks.is_some() {
            self.blocked.insert(card.clone());
        }
        answer
    }

    // ---- observations -------------------------------------------------------------------

    /// EMV-10: the card's scheme and form factor.
    pub fn registration(&self, card: &CardToken) -> Registration {
        self.cards
            .get(card)
            .map(|c| c.registration.clone())
            .unwrap_or_default()
    }

    /// EMV-04: the bank's block of a card.
    pub fn block(&self, card: &CardToken) -> Option<BankBlock> {
        self.cards.get(card).and_then(|c| c.block)
    }

    /// Every request about a card, in order.
    pub fn requests(&self, card: &CardToken) -> &[BankRequest] {
        self.cards
            .get(card)
            .map(|c| c.log.as_slice())
            .unwrap_or(&[])
    }

    /// The cards the simulator knows, in token order.
    pub fn cards(&self) -> impl Iterator<Item = &CardToken> {
        self.cards.keys()
    }

    /// Whether the set of blocked cards says what the cards say.
    #[cfg(debug_assertions)]
    pub(crate) fn blocked_agrees(&self) -> bool {
        self.cards
            .iter()
            .filter(|(_, c)| c.block.is_some())
            .map(|(token, _)| token)
            .eq(self.blocked.iter())
    }

    /// EMV-04: the cards the bank blocks, in token order.
    pub fn blocked_cards(&self) -> impl Iterator<Item = &CardToken> {
        self.blocked.iter()
    }

    fn card_mut(&mut self, card: &CardToken) -> &mut SimCard {
        self.cards.entry(card.clone()).or_default()
    }
}
