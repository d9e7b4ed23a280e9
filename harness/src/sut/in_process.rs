//! The embedded reference as a system under test: direct calls, no I/O.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;
use ovcert_reference::Cents;
use ovcert_reference::card::{Card, ProductSlot, image};
use ovcert_reference::deny::{DenyKey, DenyList, DenyReason};
use ovcert_reference::ingest::{Ingested, TapStore};
use ovcert_reference::machine::{self, IssueRequest, LoadChannel, MachineOutcome};
use ovcert_reference::reader::{self, Presented};
use ovcert_reference::rules::RuleSet;
use ovcert_reference::tap::{ReaderRef, TapId, TapMessage};

use super::{PresentedCard, SutError, SutResult, SystemUnderTest, TapResult, Upload};

/// The reference, with the state a deployment keeps: clock, readers, deny list, back office.
pub struct InProcess {
    rules: Arc<RuleSet>,
    now: Timestamp,
    deny: DenyList,
    readers: BTreeMap<(String, u32), ReaderState>,
    back_office: TapStore,
}

/// What a physical reader remembers between taps.
#[derive(Debug, Default)]
struct ReaderState {
    sequence: u32,
    offline: bool,
    /// TAP-08: taps kept while off line, uploaded in order when back on line.
    buffer: Vec<TapMessage>,
    last_upload: Vec<TapMessage>,
}

impl InProcess {
    pub fn new(rules: Arc<RuleSet>) -> InProcess {
        InProcess {
            rules,
            now: Timestamp::UNIX_EPOCH,
            deny: DenyList::default(),
            readers: BTreeMap::new(),
            back_office: TapStore::default(),
        }
    }

    fn upload(&mut self, records: Vec<TapMessage>) -> Upload {
        let uploaded = records.len();
        let new = records
            .into_iter()
            .filter(|r| self.back_office.ingest(r.clone()) == Ingested::New)
            .count();
        Upload { uploaded, new }
    }

    fn reader_state(&mut self, reader: &ReaderRef) -> &mut ReaderState {
        self.readers
            .entry((reader.operator.clone(), reader.device))
            .or_default()
    }
}

#[async_trait]
impl SystemUnderTest for InProcess {
    fn identity(&self) -> String {
        format!("in-process reference ({})", self.rules.meta.id)
    }

    async fn set_clock(&mut self, now: Timestamp) -> SutResult<()> {
        self.now = now;
        Ok(())
    }

    async fn issue_card(&mut self, request: IssueRequest) -> SutResult<Vec<u8>> {
        machine::issue(&self.rules, self.now, &request)
            .map_err(|e| SutError::new("issue card", e.to_string()))
    }

    async fn load(
        &mut self,
        image: &[u8],
        amount: Cents,
        channel: LoadChannel,
    ) -> SutResult<MachineOutcome> {
        Ok(machine::load(&self.rules, self.now, image, amount, channel))
    }

    async fn revoke_load(&mut self, image: &[u8]) -> SutResult<MachineOutcome> {
        Ok(machine::revoke_load(image))
    }

    async fn load_product(
        &mut self,
        image: &[u8],
        product: ProductSlot,
    ) -> SutResult<MachineOutcome> {
        Ok(machine::load_product(&self.rules, self.now, image, product))
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
        let tap_id = TapId(format!(
            "{}-{}-{:06}",
            reader.operator, reader.device, state.sequence
        ));
        let cards: Vec<Presented<'_>> = presented
            .iter()
            .map(|p| match p {
                PresentedCard::OvChipkaart { image } => Presented::OvChipkaart(image),
                PresentedCard::Emv { card } => Presented::Emv(card),
            })
            .collect();
        let outcome = reader::tap(&self.rules, reader, &self.deny, now, tap_id, &cards);
        if let Some(record) = outcome.record {
            let state = self.reader_state(reader);
            if state.offline {
                state.buffer.push(record);
            } else {
                self.back_office.ingest(record);
            }
        }
        Ok(TapResult {
            decision: outcome.decision,
            display: outcome.display,
            new_image: outcome.new_image,
            balance_after: outcome.balance_after,
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
        Ok(self.upload(buffered))
    }

    async fn resend_last_upload(&mut self, reader: &ReaderRef) -> SutResult<Upload> {
        let again = self.reader_state(reader).last_upload.clone();
        Ok(self.upload(again))
    }

    async fn deny(&mut self, key: DenyKey, reason: DenyReason) -> SutResult<()> {
        self.deny.add(key, reason);
        Ok(())
    }

    async fn received_taps(&mut self) -> SutResult<Vec<TapMessage>> {
        Ok(self.back_office.ordered())
    }
}
