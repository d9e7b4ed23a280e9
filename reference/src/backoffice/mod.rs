//! The central back office (GBO): taps from any reader, in any order, become journeys,
//! fares, travel days, operator reports and settlement.
//!
//! State is only what arrived (taps, card registrations, settings, the deny list, settled
//! days); everything else — qualification, journeys, fares, reports — is recomputed from it as
//! a pure function, so the arrival order of taps cannot change a result (GBO-04).

pub mod bank;
pub mod fare;
pub mod journey;
pub mod payments;
pub mod qualify;
pub mod replay;
pub mod report;
pub mod rule_diff;
pub mod settle;
pub mod simulate;
pub mod streaming;
pub mod tokens;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::card::{CardKind, CardNumber, ProductSlot};
use crate::deny::{DenyCheck, DenyKey, DenyList, DenyReason};
use crate::rules::RuleSet;
use crate::tap::{CardIdentity, ReaderRef, TapAmounts, TapId, TapKind, TapMessage};
use crate::time::TravelDay;

use self::fare::{FareContext, JourneyFare, PaymentMeans};
use self::journey::{Built, Journey, SettingChange};
use self::settle::Settlement;
use self::tokens::{CardToken, TokenVault};

/// The back office's identity of a card: the card number, or the token of a bank card. The
/// PAN itself never leaves the token vault.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "id", rename_all = "kebab-case")]
pub enum CardKey {
    OvChipkaart(CardNumber),
    Ovpay(CardToken),
}

/// A tap as stored: like the reader's message, with the card as a [`CardKey`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StoredTap {
    pub tap_id: TapId,
    // Shared: a day's taps come from far fewer readers, whose names are most of a tap.
    pub reader: Arc<ReaderRef>,
    pub at: Timestamp,
    pub card: CardKey,
    pub kind: TapKind,
    pub amounts: TapAmounts,
}

/// What the back office knows of a registered OV-chipkaart (from the card distributor and
/// the product sellers): what the fare depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CardProfile {
    pub kind: CardKind,
    pub birth_date: Option<Date>,
    pub products: Vec<ProductSlot>,
}

/// Whether an upload changed anything (GBO-04).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Ingested {
    New,
    Duplicate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackOfficeError {
    #[error("tap {tap_id}: {reason}")]
    BadTap { tap_id: String, reason: String },
    #[error(
        "travel day {day} is still running until {ends}: reports and settlement need a closed day"
    )]
    DayNotClosed { day: Date, ends: Timestamp },
    #[error(transparent)]
    Fare(#[from] fare::FareError),
    /// A bank card's PAN data were unusable (the message never repeats them).
    #[error("bank card: {reason}")]
    BadCard { reason: String },
}

/// EMV-01: the key a tap is stored under; a bank card's PAN becomes its token at once (the
/// vault keeps the PAN data for the retention period only).
pub(crate) fn card_key_of(
    vault: &mut TokenVault,
    card: &CardIdentity,
    at: Timestamp,
    tap_id: &TapId,
) -> Result<CardKey, BackOfficeError> {
    Ok(match card {
        CardIdentity::OvChipkaart { number } => CardKey::OvChipkaart(*number),
        CardIdentity::Emv {
            pan,
            pan_sequence,
            expiry,
        } => {
            let token = vault
                .tokenize(pan, *pan_sequence, expiry, at)
                .map_err(|e| BackOfficeError::BadTap {
                    tap_id: tap_id.0.to_string(),
                    reason: e.to_string(),
                })?;
            CardKey::Ovpay(token)
        }
    })
}

/// The back office.
#[derive(Debug, Clone)]
pub struct BackOffice {
    vault: TokenVault,
    /// Every stored tap by id (hashed: looked up for every tap of a card whose journeys are
    /// computed; listed only sorted). Boxed so that growing the table moves pointers, not
    /// taps: a server holding millions of taps would otherwise stall for a second.
    taps: FxHashMap<TapId, Box<StoredTap>>,
    /// Each card's taps in processing order (tap time, then tap id): a card's journeys and
    /// payment events are computed from its own taps, never from a scan of all.
    taps_by_card: BTreeMap<CardKey, BTreeSet<(Timestamp, TapId)>>,
    profiles: BTreeMap<CardNumber, CardProfile>,
    settings: BTreeMap<CardKey, Vec<SettingChange>>,
    deny: DenyList,
    settled: BTreeMap<TravelDay, Settlement>,
    /// EMV-03..05, EMV-08..16, EMV-18.
    payments: payments::Payments,
}

impl BackOffice {
    pub fn new(vault: TokenVault) -> BackOffice {
        BackOffice {
            vault,
            taps: FxHashMap::default(),
            taps_by_card: BTreeMap::new(),
            profiles: BTreeMap::new(),
            settings: BTreeMap::new(),
            deny: DenyList::default(),
            settled: BTreeMap::new(),
            payments: payments::Payments::default(),
        }
    }

    /// GBO-04 / TAP-08: stores a tap once; a known tap id changes nothing. EMV-01: a bank
    /// card's PAN is tokenised at once and only the token is stored with the tap.
    pub fn ingest(&mut self, message: TapMessage) -> Result<Ingested, BackOfficeError> {
        let card = card_key_of(&mut self.vault, &message.card, message.at, &message.tap_id)?;
        let stored = StoredTap {
            tap_id: message.tap_id,
            reader: Arc::new(message.reader),
            at: message.at,
            card,
            kind: message.kind,
            amounts: message.amounts,
        };
        // GBO-04: the same tap again changes nothing; another tap under a known id is refused,
        // since accepting either would make the result depend on arrival order.
        if let Some(known) = self.taps.get(&stored.tap_id) {
            if **known == stored {
                return Ok(Ingested::Duplicate);
            }
            return Err(BackOfficeError::BadTap {
                tap_id: stored.tap_id.0.to_string(),
                reason: "a different tap with this id was received before".into(),
            });
        }
        self.store_tap(stored);
        Ok(Ingested::New)
    }

    /// Stores a tap under its id, in its card's index too. Every stored tap goes through
    /// here (ingested, or made by the service for a correction, EMV-18).
    fn store_tap(&mut self, tap: StoredTap) {
        let index_entry = (tap.at, tap.tap_id.clone());
        match self.taps_by_card.get_mut(&tap.card) {
            Some(index) => {
                index.insert(index_entry);
            }
            None => {
                self.taps_by_card
                    .insert(tap.card.clone(), BTreeSet::from([index_entry]));
            }
        }
        self.payments.card_changed(&tap.card);
        self.taps.insert(tap.tap_id.clone(), Box::new(tap));
    }

    /// Takes a stored tap back (a correction that turned out not to apply).
    fn unstore_tap(&mut self, id: &TapId) {
        if let Some(tap) = self.taps.remove(id) {
            if let Some(index) = self.taps_by_card.get_mut(&tap.card) {
                index.remove(&(tap.at, tap.tap_id.clone()));
                if index.is_empty() {
                    self.taps_by_card.remove(&tap.card);
                }
            }
            self.payments.card_changed(&tap.card);
        }
    }

    /// EMV-17: PAN data older than the retention period are removed; returns how many.
    pub fn purge(&mut self, now: Timestamp) -> usize {
        self.vault.purge(now)
    }

    /// The vault, for EMV-01/17 observations (how many PANs are held).
    pub fn vault(&self) -> &TokenVault {
        &self.vault
    }

    /// A surrogate PAN standing for a card whose PAN a journal erased (EMV-17; see
    /// [`TokenVault::alias`]); `false` when the surrogate already stands for another card.
    pub fn alias_pan(&mut self, surrogate: &str, pan_sequence: u8, token: CardToken) -> bool {
        self.vault.alias(surrogate, pan_sequence, token)
    }

    /// Registers (or updates) an OV-chipkaart's fare profile.
    pub fn register_card(&mut self, number: CardNumber, profile: CardProfile) {
        self.payments.card_changed(&CardKey::OvChipkaart(number));
        self.profiles.insert(number, profile);
    }

    /// JRN-08: a special setting for the card's next journey.
    pub fn set_next_journey(&mut self, card: CardKey, change: SettingChange) {
        self.payments.card_changed(&card);
        self.settings.entry(card).or_default().push(change);
    }

    /// TAP-05 / EMV-05: lists a card from `since` on (a card already listed for this reason
    /// keeps its first `since`).
    pub fn deny(&mut self, key: DenyKey, reason: DenyReason, since: Timestamp) {
        self.payments.everything_changed();
        self.deny.add(key, reason, since);
    }

    pub fn deny_list(&self) -> &DenyList {
        &self.deny
    }

    /// The token of a bank card, computed without storing anything (for deny-listing a card
    /// the bank reported by PAN).
    pub fn token_of(&self, pan: &str, pan_sequence: u8) -> Option<CardToken> {
        self.vault.token_of(pan, pan_sequence).ok()
    }

    /// All stored taps in processing order: tap time, then tap id (TAP-08 `by-tap-time`).
    /// Reader clocks have one-second resolution; one card's taps within the same second (which
    /// no traveller can make at two readers) are ordered by tap id.
    pub fn taps(&self) -> Vec<&StoredTap> {
        let mut taps: Vec<&StoredTap> = self.taps.values().map(Box::as_ref).collect();
        taps.sort_by(|a, b| (a.at, &a.tap_id).cmp(&(b.at, &b.tap_id)));
        taps
    }

    /// The cards that have taps, in key order.
    pub fn cards(&self) -> Vec<CardKey> {
        self.taps_by_card.keys().cloned().collect()
    }

    /// When a card's latest stored tap was, without listing its taps.
    pub fn last_tap_at(&self, card: &CardKey) -> Option<Timestamp> {
        self.taps_by_card
            .get(card)
            .and_then(BTreeSet::last)
            .map(|(at, _)| *at)
    }

    /// One card's stored taps in processing order (tap time, then tap id).
    pub fn taps_of(&self, card: &CardKey) -> Vec<&StoredTap> {
        self.taps_by_card
            .get(card)
            .into_iter()
            .flatten()
            .filter_map(|(_, id)| self.tap(id))
            .collect()
    }

    /// The stored tap with this id.
    pub fn tap(&self, id: &TapId) -> Option<&StoredTap> {
        self.taps.get(id).map(Box::as_ref)
    }

    /// How many taps are stored.
    pub fn tap_count(&self) -> usize {
        self.taps.len()
    }

    /// GBO-01: one card's journeys, priced, as of `now`.
    pub fn journeys(
        &self,
        rules: &RuleSet,
        card: &CardKey,
        now: Timestamp,
    ) -> Result<CardJourneys, BackOfficeError> {
        let taps = self.taps_of(card);
        let debts = match card {
            CardKey::Ovpay(token) => self.payments.debt_periods(token),
            CardKey::OvChipkaart(_) => &[],
        };
        let settings = self
            .settings
            .get(card)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let profile = match card {
            CardKey::OvChipkaart(number) => self.profiles.get(number),
            CardKey::Ovpay(_) => None,
        };
        let history = CardHistory {
            taps: &taps,
            deny: &self.deny,
            debts,
            settings,
            profile,
        };
        card_journeys(rules, card, &history, now)
    }

    /// Every card's journeys of one closed travel day (EMV-07: by first check-in).
    pub fn day(
        &self,
        rules: &RuleSet,
        day: TravelDay,
        now: Timestamp,
    ) -> Result<DayView, BackOfficeError> {
        let ends = rules.travel_day_rule().end_of(day);
        if now < ends {
            return Err(BackOfficeError::DayNotClosed { day: day.0, ends });
        }
        let mut cards = Vec::new();
        for card in self.cards() {
            let mut journeys = self.journeys(rules, &card, now)?;
            journeys.priced.retain(|p| p.journey.travel_day == day);
            cards.push(journeys);
        }
        let taps = self
            .taps()
            .into_iter()
            .filter(|t| rules.travel_day_rule().travel_day_of(t.at) == day)
            .cloned()
            .collect();
        Ok(DayView { day, taps, cards })
    }

    /// SET-01..03: settles a closed travel day. A second run of an unchanged day settles
    /// nothing (same statement, no credits); when taps arrived late the new statement replaces
    /// the old one and only the difference is credited, so nobody is charged or credited twice.
    pub fn settle(
        &mut self,
        rules: &RuleSet,
        day: TravelDay,
        now: Timestamp,
    ) -> Result<SettlementRun, BackOfficeError> {
        self.payments.everything_changed();
        let view = self.day(rules, day, now)?;
        // SET-02: refunds and open debt of the day's OVpay payments (EMV-08..14, EMV-18).
        let statement = settle::settle_with(&view, &self.payments.day_totals(day));
        let previous = self.settled.get(&day);
        if previous == Some(&statement) {
            return Ok(SettlementRun {
                statement,
                credited_this_run: Vec::new(),
                newly_settled: false,
            });
        }
        let credited_this_run = settle::credits_delta(previous, &statement);
        self.settled.insert(day, statement.clone());
        Ok(SettlementRun {
            statement,
            credited_this_run,
            newly_settled: true,
        })
    }

    /// What has been settled so far, by day.
    pub fn settlements(&self) -> &BTreeMap<TravelDay, Settlement> {
        &self.settled
    }

    /// EMV-02: the token identifier `operator` sees for a bank card.
    pub fn operator_token(&self, card: &CardToken, operator: &str) -> tokens::OperatorToken {
        self.vault.operator_token(card, operator)
    }

    // ---- OVpay payments and risk (EMV-03..05, EMV-08..16, EMV-18) -----------------------

    /// The payment engine's state: payments, refunds, status checks, debt (observations).
    pub fn payments(&self) -> &payments::Payments {
        &self.payments
    }

    /// The bank simulator behind the payment engine (test controls).
    pub fn bank_mut(&mut self) -> &mut bank::BankSimulator {
        self.payments.everything_changed();
        self.payments.bank_mut()
    }

    /// EMV-03..05, EMV-08..14: runs the payment engine up to `now`: status checks of taps that
    /// arrived, night charges of ended travel days, intraday threshold and per-trip charges,
    /// refunds of fares that went down, retries, payments started by taps of cards in debt,
    /// lifted blocks, and the bank's block list. Call it whenever time passes or taps arrive;
    /// running it twice at the same `now` does nothing the second time.
    pub fn run_payments(&mut self, rules: &RuleSet, now: Timestamp) -> Result<(), BackOfficeError> {
        payments::run(self, rules, now)
    }

    /// EMV-03 / EMV-04: the on-line account status check of a bank card tapped at a reader at
    /// `now`, before the reader decides (first use, after the idle period, or while the card is
    /// listed for a bank decision). Nothing of the PAN is kept.
    pub fn check_at_tap(
        &mut self,
        rules: &RuleSet,
        pan: &str,
        pan_sequence: u8,
        now: Timestamp,
    ) -> Result<(), BackOfficeError> {
        let token = self.card_token(pan, pan_sequence)?;
        payments::check_at_tap(self, rules, &token, now);
        Ok(())
    }

    /// EMV-15: the service's lookup by payment reference and amount (the only way in).
    pub fn service_lookup(
        &self,
        rules: &RuleSet,
        reference: &str,
        amount: crate::Cents,
        now: Timestamp,
    ) -> Result<payments::service::Lookup, BackOfficeError> {
        payments::service::lookup(self, rules, reference, amount, now)
    }

    /// EMV-18: a missed check-out corrected through the service; the journey is re-priced
    /// and the difference refunded or charged at once.
    pub fn correct_missed_check_out(
        &mut self,
        rules: &RuleSet,
        request: &payments::service::CorrectionRequest,
        now: Timestamp,
    ) -> Result<payments::service::CorrectionOutcome, BackOfficeError> {
        self.payments.everything_changed();
        payments::service::correct(self, rules, request, now)
    }

    /// EMV-16: what an inspector's device shows for a bank card presented at `now`.
    pub fn inspect(
        &self,
        rules: &RuleSet,
        pan: &str,
        pan_sequence: u8,
        consent: bool,
        now: Timestamp,
    ) -> Result<(CardToken, payments::inspection::InspectionView), BackOfficeError> {
        let token = self.card_token(pan, pan_sequence)?;
        let view = payments::inspection::view(self, rules, &token, consent, now)?;
        Ok((token, view))
    }

    /// EMV-04 / EMV-05: an operator (or customer service) lifts a card's block. Reasons that
    /// are the bank's decision stay: only the bank's next answer lifts them.
    pub fn lift_block(&mut self, key: &DenyKey) -> LiftOutcome {
        self.payments.everything_changed();
        let entries = self.deny.entries_of(key);
        if entries.is_empty() {
            return LiftOutcome::NotListed;
        }
        for entry in entries.iter().filter(|e| !e.reason.is_bank_decision()) {
            self.deny.remove_reason(key, entry.reason);
        }
        match self.deny.reason(key) {
            Some(reason) => LiftOutcome::BankDecision { reason },
            None => LiftOutcome::Lifted,
        }
    }

    /// A bank card's token, for operations that name the card by its PAN data; the PAN is
    /// not stored and the error never repeats it.
    fn card_token(&self, pan: &str, pan_sequence: u8) -> Result<CardToken, BackOfficeError> {
        self.vault
            .token_of(pan, pan_sequence)
            .map_err(|e| BackOfficeError::BadCard {
                reason: e.to_string(),
            })
    }
}

/// What one card's journeys depend on: its taps in processing order (tap time, then tap id),
/// the deny list and debt periods (EMV-06), its special settings (JRN-08) and its profile.
#[derive(Debug, Clone, Copy)]
pub struct CardHistory<'a> {
    pub taps: &'a [&'a StoredTap],
    pub deny: &'a DenyList,
    pub debts: &'a [payments::DebtPeriod],
    pub settings: &'a [SettingChange],
    pub profile: Option<&'a CardProfile>,
}

/// GBO-01: one card's journeys, priced, as of `now`, from its history alone — what
/// [`BackOffice::journeys`] computes, and what a streaming replay computes per card.
pub fn card_journeys(
    rules: &RuleSet,
    card: &CardKey,
    history: &CardHistory<'_>,
    now: Timestamp,
) -> Result<CardJourneys, BackOfficeError> {
    let mut priced = Vec::new();
    let (built, settle_debt) = price_card(rules, card, history, now, |journey, fare| {
        priced.push(PricedJourney {
            journey: journey.clone(),
            fare,
        })
    })?;
    Ok(CardJourneys {
        card: card.clone(),
        built,
        priced,
        settle_debt,
    })
}

/// Qualifies, builds and prices one card's journeys ([`card_journeys`] collects them),
/// handing each journey and its fare to `priced` in order; returns what was built and the
/// taps that settled a debt. For a caller that needs the fares only (a replay's totals),
/// without a copy of every journey.
pub fn price_card(
    rules: &RuleSet,
    card: &CardKey,
    history: &CardHistory<'_>,
    now: Timestamp,
    mut priced: impl FnMut(&Journey, JourneyFare),
) -> Result<(Built, Vec<TapId>), BackOfficeError> {
    let qualified = qualify::qualify(rules, card, history.taps, history.deny, history.debts);
    let built = journey::build(
        rules,
        qualified.taps,
        history.settings,
        qualified.policy,
        now,
    );
    let profile = history.profile;
    let context = FareContext {
        means: match (card, profile) {
            (CardKey::Ovpay(_), _) => PaymentMeans::Ovpay,
            (CardKey::OvChipkaart(_), Some(p)) => PaymentMeans::OvChipkaart { kind: p.kind },
            (CardKey::OvChipkaart(_), None) => PaymentMeans::OvChipkaart {
                kind: CardKind::Anonymous,
            },
        },
        birth_date: profile.and_then(|p| p.birth_date),
        products: profile.map(|p| p.products.as_slice()).unwrap_or_default(),
    };
    for journey in &built.journeys {
        priced(journey, fare::journey_fare(rules, journey, &context)?);
    }
    Ok((built, qualified.settle_debt))
}

/// EMV-04: the answer to a request to lift a card's block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum LiftOutcome {
    /// Every reason was lifted; the card may travel again.
    Lifted,
    /// The card stays blocked for a reason only its bank can lift.
    BankDecision {
        reason: DenyReason,
    },
    NotListed,
}

/// TAP-05 / EMV-05: the deny list as readers consult it; bank cards are looked up by token.
impl DenyCheck for BackOffice {
    fn denied(&self, card: &CardIdentity) -> Option<DenyReason> {
        match card {
            CardIdentity::OvChipkaart { number } => {
                self.deny.reason(&DenyKey::OvChipkaart { number: *number })
            }
            CardIdentity::Emv {
                pan, pan_sequence, ..
            } => {
                let token = self.vault.token_of(pan, *pan_sequence).ok()?;
                self.deny.reason(&DenyKey::Token { token })
            }
        }
    }

    fn has_open_leg(&self, card: &CardIdentity, reader: &ReaderRef, at: Timestamp) -> bool {
        let CardIdentity::Emv {
            pan, pan_sequence, ..
        } = card
        else {
            return false;
        };
        let Ok(token) = self.vault.token_of(pan, *pan_sequence) else {
            return false;
        };
        let key = CardKey::Ovpay(token);
        let class = reader.mode.class();
        // As the qualifier does (EMV-06): per class, the operator of the open tap-in, if any.
        let mut open: Option<&str> = None;
        for tap in self.taps_of(&key) {
            if tap.at > at || tap.kind != TapKind::Emv || tap.reader.mode.class() != class {
                continue;
            }
            open = match open {
                Some(operator) if operator == tap.reader.operator => None,
                _ => Some(tap.reader.operator.as_str()),
            };
        }
        open == Some(reader.operator.as_str())
    }
}

/// The result of one settlement run of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SettlementRun {
    /// The day's complete statement after this run.
    pub statement: Settlement,
    /// What this run credits each operator: everything on the first run, the difference after
    /// late taps, nothing when the day did not change (SET-03).
    pub credited_this_run: Vec<settle::OperatorCredit>,
    pub newly_settled: bool,
}

/// A journey with its fare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PricedJourney {
    pub journey: Journey,
    pub fare: JourneyFare,
}

/// One card's journeys as of some moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CardJourneys {
    pub card: CardKey,
    pub built: Built,
    pub priced: Vec<PricedJourney>,
    /// EMV-06: taps qualified as tap-to-settle-outstanding-debt.
    pub settle_debt: Vec<TapId>,
}

/// Everything of one closed travel day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DayView {
    pub day: TravelDay,
    /// Taps of the day, in processing order.
    pub taps: Vec<StoredTap>,
    /// Per card, the journeys whose first check-in falls on the day.
    pub cards: Vec<CardJourneys>,
}
