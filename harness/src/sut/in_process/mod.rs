//! The embedded reference as a system under test: direct calls, no I/O.

mod payments;
mod terms;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use ovcert_reference::Cents;
use ovcert_reference::backoffice::journey::SettingChange;
use ovcert_reference::backoffice::report::{self, OperatorReport};
use ovcert_reference::backoffice::tokens::{CardToken, TokenVault};
use ovcert_reference::backoffice::{
    BackOffice, CardJourneys, CardKey, CardProfile, Ingested, StoredTap,
};
use ovcert_reference::card::{Card, ProductSlot, SpecialSetting, image};
use ovcert_reference::deny::{DenyKey, DenyReason};
use ovcert_reference::machine::{self, IssueRequest, LoadChannel, MachineOutcome};
use ovcert_reference::reader::Presented;
use ovcert_reference::rules::RuleSet;
use ovcert_reference::tap::{CardIdentity, ReaderRef, TapId, TapMessage};
use ovcert_reference::time::TravelDay;

use super::{
    PresentedCard, SettlementRun, SutError, SutResult, SystemUnderTest, TapResult, Upload,
};

/// The reference, with the state a deployment keeps: clock, readers, back office.
pub struct InProcess {
    rules: Arc<RuleSet>,
    now: Timestamp,
    readers: BTreeMap<(String, u32), ReaderState>,
    back_office: BackOffice,
    /// TERM-01..16, FEE-01..04: the issuer's card-holder accounts.
    terms: ovcert_reference::terms::CardAccounts,
    /// EMV-16: inspectors' devices by name.
    inspection_devices:
        BTreeMap<String, ovcert_reference::backoffice::payments::inspection::InspectionDevice>,
}

/// What a physical reader remembers between taps.
#[derive(Debug, Default)]
struct ReaderState {
    sequence: u32,
    offline: bool,
    /// TAP-08: taps kept while off line, uploaded in order when back on line.
    buffer: Vec<TapMessage>,
    last_upload: Vec<TapMessage>,
    /// EMV-05: the reader's copy of the deny list, kept current by deltas while on line.
    deny: ovcert_reference::deny::DenyCopy,
}

impl InProcess {
    /// A fresh deployment of the reference for `rules`; fails when the rule set's token key is
    /// unusable.
    pub fn new(rules: Arc<RuleSet>) -> InProcess {
        let vault = TokenVault::from_hex(&rules.ovpay.token_key_hex)
            .expect("a validated rule set has a 32-byte hex token key")
            .with_retention(jiff::SignedDuration::from_hours(i64::from(
                rules.ovpay.pan_retention_h,
            )));
        InProcess {
            rules,
            now: Timestamp::UNIX_EPOCH,
            readers: BTreeMap::new(),
            back_office: BackOffice::new(vault),
            terms: ovcert_reference::terms::CardAccounts::default(),
            inspection_devices: BTreeMap::new(),
        }
    }

    /// The system's clock: the instant every operation happens at.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// A surrogate PAN standing for a card whose PAN the server's journal erased (EMV-17),
    /// registered before the journal is replayed; `false` when it stands for another card.
    pub fn alias_pan(&mut self, surrogate: &str, pan_sequence: u8, token: CardToken) -> bool {
        self.back_office.alias_pan(surrogate, pan_sequence, token)
    }

    fn upload(&mut self, records: Vec<TapMessage>) -> SutResult<Upload> {
        let uploaded = records.len();
        let mut new = 0;
        for record in records {
            if self.ingest_one(record)? == Ingested::New {
                new += 1;
            }
        }
        // EMV-03..14: what the arrived taps set off (status checks, charges, debt payments).
        self.payments_run()?;
        Ok(Upload { uploaded, new })
    }

    /// EMV-17: a reader's copy of its last upload (kept to send it again) keeps no bank-card
    /// tap past the retention period either; such a tap's PAN is gone from the back office, so
    /// sending it again could only bring the PAN back. (A buffer not uploaded yet is the
    /// reader's own and is kept: dropping it would lose taps.)
    fn forget_uploaded_pans(&mut self, now: Timestamp) {
        let retention = self.back_office.vault().retention();
        for state in self.readers.values_mut() {
            state.last_upload.retain(|tap| {
                !matches!(tap.card, CardIdentity::Emv { .. })
                    || now.duration_since(tap.at) < retention
            });
        }
    }

    fn ingest_one(&mut self, record: TapMessage) -> SutResult<Ingested> {
        self.back_office
            .ingest(record)
            .map_err(|e| SutError::new("ingest", e.to_string()))
    }

    fn reader_state(&mut self, reader: &ReaderRef) -> &mut ReaderState {
        self.readers
            .entry((reader.operator.to_string(), reader.device))
            .or_default()
    }

    fn card_key(&self, card: &CardIdentity) -> SutResult<CardKey> {
        match card {
            CardIdentity::OvChipkaart { number } => Ok(CardKey::OvChipkaart(*number)),
            CardIdentity::Emv {
                pan, pan_sequence, ..
            } => self
                .back_office
                .token_of(pan, *pan_sequence)
                .map(CardKey::Ovpay)
                .ok_or_else(|| SutError::new("card", "not a valid bank card number")),
        }
    }

    /// The back office learns a card's fare profile from the card distributor and the
    /// product sellers.
    fn register(&mut self, image: &[u8]) {
        if let Ok(card) = image::decode(image) {
            let profile = CardProfile {
                kind: card.kind,
                birth_date: card.holder.as_ref().map(|h| h.birth_date),
                products: card.products.clone(),
            };
            self.back_office.register_card(card.number, profile);
        }
    }
}

#[async_trait]
impl SystemUnderTest for InProcess {
    fn identity(&self) -> String {
        format!("in-process reference ({})", self.rules.meta.id)
    }

    async fn reset(&mut self) -> SutResult<()> {
        *self = InProcess::new(Arc::clone(&self.rules));
        Ok(())
    }

    async fn set_clock(&mut self, now: Timestamp) -> SutResult<()> {
        self.now = now;
        // EMV-17: PAN data go as time passes, whether or not anything else happens.
        self.back_office.purge(now);
        self.forget_uploaded_pans(now);
        // EMV-08..14: night charges, retries and lifted blocks happen as time passes.
        self.payments_run()?;
        // TERM-08 / TERM-13: what time alone does to card-holder accounts.
        self.terms_clock();
        Ok(())
    }

    async fn issue_card(&mut self, request: IssueRequest) -> SutResult<Vec<u8>> {
        let image = machine::issue(&self.rules, self.now, &request)
            .map_err(|e| SutError::new("issue card", e.to_string()))?;
        self.register(&image);
        self.terms_card_issued(&image);
        Ok(image)
    }

    async fn load(
        &mut self,
        image: &[u8],
        amount: Cents,
        channel: LoadChannel,
    ) -> SutResult<MachineOutcome> {
        let outcome = machine::load(&self.rules, self.now, image, amount, channel);
        self.terms_machine_done(&outcome);
        Ok(outcome)
    }

    async fn revoke_load(&mut self, image: &[u8]) -> SutResult<MachineOutcome> {
        Ok(machine::revoke_load(image))
    }

    async fn load_product(
        &mut self,
        image: &[u8],
        product: ProductSlot,
    ) -> SutResult<MachineOutcome> {
        let outcome = machine::load_product(&self.rules, self.now, image, product);
        if let MachineOutcome::Done { image, .. } = &outcome {
            self.register(image);
        }
        self.terms_machine_done(&outcome);
        Ok(outcome)
    }

    async fn set_auto_reload(
        &mut self,
        image: &[u8],
        amount: Option<Cents>,
    ) -> SutResult<MachineOutcome> {
        Ok(machine::set_auto_reload(
            &self.rules,
            self.now,
            image,
            amount,
        ))
    }

    async fn read_card(&mut self, bytes: &[u8]) -> SutResult<Card> {
        image::decode(bytes).map_err(|e| SutError::new("read card", e.to_string()))
    }

    async fn tap(
        &mut self,
        reader: &ReaderRef,
        presented: Vec<PresentedCard>,
    ) -> SutResult<TapResult> {
        let now = self.now;
        let state = self.reader_state(reader);
        state.sequence += 1;
        let tap_id = TapId(smol_str::format_smolstr!(
            "{}-{}-{:06}",
            reader.operator,
            reader.device,
            state.sequence
        ));
        let cards: Vec<Presented<'_>> = presented
            .iter()
            .map(|p| match p {
                PresentedCard::OvChipkaart { image } => Presented::OvChipkaart(image),
                PresentedCard::Emv { card } => Presented::Emv(card),
            })
            .collect();
        // EMV-03 / EMV-05: the reader decides on its own copy of the deny list.
        let outcome = self.reader_decides(reader, now, tap_id, &cards)?;
        let tap_id = outcome.record.as_ref().map(|r| r.tap_id.clone());
        if let Some(record) = outcome.record {
            let state = self.reader_state(reader);
            if state.offline {
                state.buffer.push(record);
            } else {
                self.ingest_one(record)?;
                // EMV-09/10/14: a tap may complete a charge or start a debt payment.
                self.payments_run()?;
            }
        }
        Ok(TapResult {
            decision: outcome.decision,
            display: outcome.display,
            new_image: outcome.new_image,
            balance_after: outcome.balance_after,
            tap_id,
        })
    }

    async fn set_reader_online(&mut self, reader: &ReaderRef, online: bool) -> SutResult<Upload> {
        let state = self.reader_state(reader);
        state.offline = !online;
        if !online {
            return Ok(Upload {
                uploaded: 0,
                new: 0,
            });
        }
        let buffered = std::mem::take(&mut state.buffer);
        state.last_upload = buffered.clone();
        let upload = self.upload(buffered)?;
        // EMV-05: back on line, the reader catches up with the deny-list versions it missed.
        self.sync_deny_copy(reader);
        Ok(upload)
    }

    async fn resend_last_upload(&mut self, reader: &ReaderRef) -> SutResult<Upload> {
        let again = self.reader_state(reader).last_upload.clone();
        self.upload(again)
    }

    async fn deny(&mut self, card: CardIdentity, reason: DenyReason) -> SutResult<()> {
        let key = match self.card_key(&card)? {
            CardKey::OvChipkaart(number) => DenyKey::OvChipkaart { number },
            CardKey::Ovpay(token) => DenyKey::Token { token },
        };
        self.back_office.deny(key, reason, self.now);
        Ok(())
    }

    async fn received_taps(&mut self) -> SutResult<Vec<StoredTap>> {
        Ok(self.back_office.taps().into_iter().cloned().collect())
    }

    async fn ingest(&mut self, taps: Vec<TapMessage>) -> SutResult<Vec<Ingested>> {
        let ingested = taps
            .into_iter()
            .map(|t| self.ingest_one(t))
            .collect::<SutResult<Vec<_>>>()?;
        self.payments_run()?;
        Ok(ingested)
    }

    async fn set_next_journey(
        &mut self,
        card: CardIdentity,
        setting: SpecialSetting,
    ) -> SutResult<()> {
        let key = self.card_key(&card)?;
        self.back_office.set_next_journey(
            key,
            SettingChange {
                at: self.now,
                setting,
            },
        );
        Ok(())
    }

    async fn journeys(&mut self, card: CardIdentity) -> SutResult<CardJourneys> {
        let key = self.card_key(&card)?;
        self.back_office
            .journeys(&self.rules, &key, self.now)
            .map_err(|e| SutError::new("journeys", e.to_string()))
    }

    async fn operator_report(&mut self, operator: &str, day: Date) -> SutResult<OperatorReport> {
        // GBO-03: reports exist for the rule set's operators; another name (anything a caller
        // typed, a card number even) is refused without being repeated.
        if !self
            .rules
            .operators
            .iter()
            .any(|known| known.id == operator)
        {
            let known: Vec<&str> = self.rules.operators.iter().map(|o| o.id.as_str()).collect();
            return Err(SutError::new(
                "operator report",
                format!(
                    "the rule set has no such operator; its operators are {}",
                    known.join(", ")
                ),
            ));
        }
        let view = self
            .back_office
            .day(&self.rules, TravelDay(day), self.now)
            .map_err(|e| SutError::new("operator report", e.to_string()))?;
        Ok(report::operator_report(&self.back_office, &view, operator))
    }

    async fn settle(&mut self, day: Date) -> SutResult<SettlementRun> {
        self.payments_run()?;
        self.back_office
            .settle(&self.rules, TravelDay(day), self.now)
            .map_err(|e| SutError::new("settle", e.to_string()))
    }

    async fn pans_held(&mut self) -> SutResult<usize> {
        Ok(self.back_office.vault().pans_held())
    }
}
