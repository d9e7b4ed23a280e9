//! OVpay operations of the embedded reference, and what a deployment does around the payment
//! engine: it runs whenever time passes or taps arrive (EMV-08..14); an on-line reader asks for
//! a bank card's account status and catches up with the deny list before it decides (EMV-03,
//! EMV-05); an off-line reader decides on the copy it has.

use async_trait::async_trait;
use jiff::Timestamp;
use ovcert_reference::Cents;
use ovcert_reference::backoffice::tokens::CardToken;
use ovcert_reference::deny::{DenyKey, ReaderCheck};
use ovcert_reference::reader::{self, EmvCard, Presented, TapOutcome};
use ovcert_reference::tap::{CardIdentity, ReaderRef, TapId};

use super::InProcess;
use crate::sut::payments::{
    BankAnswer, BankBlock, BankRequest, CorrectionOutcome, CorrectionRequest, InspectionView,
    LiftOutcome, Lookup, PaymentAccount, PaymentsApi, Registration,
};
use crate::sut::{SutError, SutResult};

impl InProcess {
    /// EMV-03..14: runs the back office's payment engine up to the current time.
    pub(super) fn payments_run(&mut self) -> SutResult<()> {
        self.back_office
            .run_payments(&self.rules, self.now)
            .map_err(|e| SutError::new("payments", e.to_string()))
    }

    /// EMV-05: the reader applies the deny-list deltas it has not seen, in order.
    pub(super) fn sync_deny_copy(&mut self, reader: &ReaderRef) {
        let list = self.back_office.deny_list();
        self.readers
            .entry((reader.operator.to_string(), reader.device))
            .or_default()
            .deny
            .sync(list);
    }

    /// What happens at a reader before and while it decides on a tap: due payment events, the
    /// on-line account status check of a bank card (EMV-03/04), the deny-list catch-up
    /// (EMV-05), then the reader's decision on its own copy of the list.
    pub(super) fn reader_decides(
        &mut self,
        reader: &ReaderRef,
        now: Timestamp,
        tap_id: TapId,
        cards: &[Presented<'_>],
    ) -> SutResult<TapOutcome> {
        self.payments_run()?;
        let online = !self.reader_state(reader).offline;
        if online {
            if let [Presented::Emv(card)] = cards {
                self.back_office
                    .check_at_tap(&self.rules, &card.pan, card.pan_sequence, now)
                    .map_err(|e| SutError::new("tap", e.to_string()))?;
            }
            self.sync_deny_copy(reader);
        }
        let state = self.reader_state(reader);
        let copy = std::mem::take(&mut state.deny);
        let back_office = &self.back_office;
        let token_of = |pan: &str, sequence: u8| back_office.token_of(pan, sequence);
        let check = ReaderCheck {
            copy: &copy,
            token_of: &token_of,
            online: back_office,
        };
        let outcome = reader::tap(&self.rules, reader, &check, now, tap_id, cards);
        self.reader_state(reader).deny = copy;
        Ok(outcome)
    }

    fn token(&self, card: &EmvCard) -> SutResult<CardToken> {
        self.back_office
            .token_of(&card.pan, card.pan_sequence)
            .ok_or_else(|| SutError::new("bank card", "not a valid bank card number"))
    }
}

#[async_trait]
impl PaymentsApi for InProcess {
    async fn payment_account(&mut self, card: &EmvCard) -> SutResult<PaymentAccount> {
        let token = self.token(card)?;
        let payments = self.back_office.payments();
        let key = DenyKey::Token {
            token: token.clone(),
        };
        Ok(PaymentAccount {
            payments: payments.of(&token).into_iter().cloned().collect(),
            refunds: payments.refunds_of(&token).into_iter().cloned().collect(),
            open_debt_cents: payments.open_debt(&token),
            deny_reasons: self
                .back_office
                .deny_list()
                .entries_of(&key)
                .into_iter()
                .map(|e| e.reason)
                .collect(),
            status_checks: payments.checks_of(&token).to_vec(),
        })
    }

    async fn deny_list_version(&mut self) -> SutResult<u64> {
        Ok(self.back_office.deny_list().version)
    }

    async fn reader_deny_list_version(&mut self, reader: &ReaderRef) -> SutResult<u64> {
        Ok(self
            .readers
            .get(&(reader.operator.to_string(), reader.device))
            .map_or(0, |state| state.deny.version))
    }

    async fn lift_bank_card_block(&mut self, card: CardIdentity) -> SutResult<LiftOutcome> {
        let key = match self.card_key(&card)? {
            ovcert_reference::backoffice::CardKey::OvChipkaart(number) => {
                DenyKey::OvChipkaart { number }
            }
            ovcert_reference::backoffice::CardKey::Ovpay(token) => DenyKey::Token { token },
        };
        Ok(self.back_office.lift_block(&key))
    }

    async fn service_lookup(&mut self, reference: &str, amount: Cents) -> SutResult<Lookup> {
        self.back_office
            .service_lookup(&self.rules, reference, amount, self.now)
            .map_err(|e| SutError::new("service lookup", e.to_string()))
    }

    async fn correct_missed_check_out(
        &mut self,
        request: CorrectionRequest,
    ) -> SutResult<CorrectionOutcome> {
        self.back_office
            .correct_missed_check_out(&self.rules, &request, self.now)
            .map_err(|e| SutError::new("correct missed check-out", e.to_string()))
    }

    async fn inspect(
        &mut self,
        device: &str,
        card: &EmvCard,
        consent: bool,
    ) -> SutResult<InspectionView> {
        let (token, view) = self
            .back_office
            .inspect(&self.rules, &card.pan, card.pan_sequence, consent, self.now)
            .map_err(|e| SutError::new("inspect", e.to_string()))?;
        self.inspection_devices
            .entry(device.to_string())
            .or_default()
            .present(token, view.clone(), self.now);
        Ok(view)
    }

    async fn inspection_screen(&mut self, device: &str) -> SutResult<Option<InspectionView>> {
        let Some(screen) = self.inspection_devices.get_mut(device) else {
            return Ok(None);
        };
        screen.expire(&self.rules, self.now);
        Ok(screen.screen(&self.rules, self.now).cloned())
    }

    async fn bank_register(&mut self, card: &EmvCard, registration: Registration) -> SutResult<()> {
        let token = self.token(card)?;
        self.back_office.bank_mut().register(&token, registration);
        Ok(())
    }

    async fn bank_script(&mut self, card: &EmvCard, answers: Vec<BankAnswer>) -> SutResult<()> {
        let token = self.token(card)?;
        self.back_office
            .bank_mut()
            .script(&token, &answers)
            .map_err(|e| SutError::new("bank script", e.to_string()))
    }

    async fn bank_default(&mut self, card: &EmvCard, answer: BankAnswer) -> SutResult<()> {
        let token = self.token(card)?;
        self.back_office.bank_mut().set_default(&token, answer);
        Ok(())
    }

    async fn bank_block(&mut self, card: &EmvCard, block: Option<BankBlock>) -> SutResult<()> {
        let token = self.token(card)?;
        self.back_office.bank_mut().set_block(&token, block);
        // EMV-04 / EMV-05: the back office follows the bank's list at once.
        self.payments_run()
    }

    async fn bank_requests(&mut self, card: &EmvCard) -> SutResult<Vec<BankRequest>> {
        let token = self.token(card)?;
        Ok(self.back_office.payments().bank().requests(&token).to_vec())
    }
}
