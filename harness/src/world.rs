//! The cucumber world: one system under test per scenario, the cards the traveller holds,
//! the readers the scenario names, and the invariants checked after every operation.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use jiff::Timestamp;
use ovcert_reference::Cents;
use ovcert_reference::card::{Card, CardNumber};
use ovcert_reference::machine::MachineOutcome;
use ovcert_reference::reader::{Decision, EmvCard, Refusal};
use ovcert_reference::rules::RuleSet;
use ovcert_reference::tap::{CardIdentity, ReaderRef, TapId};

use crate::sut::{PresentedCard, SettlementRun, SystemUnderTest, TapResult, Upload};
use ovcert_reference::backoffice::report::OperatorReport;

/// Builds a fresh system under test for each scenario.
pub type SutFactory = Arc<dyn Fn() -> Box<dyn SystemUnderTest> + Send + Sync>;

/// What a run's worlds are built from: the rule set both sides agree on and the target.
#[derive(Clone)]
pub struct Suite {
    pub rules: Arc<RuleSet>,
    pub factory: SutFactory,
}

static SUITE: RwLock<Option<Suite>> = RwLock::new(None);

/// Installs the suite every new world is built from (once per run).
pub fn install_suite(suite: Suite) {
    *SUITE.write().unwrap_or_else(|e| e.into_inner()) = Some(suite);
}

fn installed_suite() -> Suite {
    SUITE
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .expect("the runner installs the suite before any scenario starts")
}

/// A card in the traveller's hand, and the money the suite has seen move on it.
#[derive(Debug, Clone)]
pub struct HeldCard {
    pub card: PresentedCard,
    /// Conservation: loads + auto-reloads − deposits + settlements, from the SUT's answers.
    pub expected_balance: Cents,
}

#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct OvWorld {
    pub sut: Box<dyn SystemUnderTest>,
    pub rules: Arc<RuleSet>,
    pub now: Timestamp,
    pub cards: BTreeMap<String, HeldCard>,
    pub readers: BTreeMap<String, ReaderRef>,
    pub last_tap: Option<TapResult>,
    pub last_machine: Option<MachineOutcome>,
    pub last_upload: Option<Upload>,
    /// Which card made which recorded tap, to name the back office's taps.
    pub tap_cards: BTreeMap<TapId, String>,
    /// Printed card numbers of the scenario's OV-chipkaarten, by name.
    pub card_numbers: BTreeMap<String, String>,
    pub last_report: Option<Result<OperatorReport, String>>,
    /// The last report asked for, per operator.
    pub reports: BTreeMap<String, OperatorReport>,
    pub settlements: Vec<SettlementRun>,
    pub ovpay: crate::steps::ovpay::OvpayWorld,
    pub terms: crate::steps::terms::TermsWorld,
    pub fees: crate::steps::fees::FeesWorld,
    pub onboarding: crate::steps::onboarding::OnboardingWorld,
    next_serial: u64,
}

impl std::fmt::Debug for OvWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OvWorld")
            .field("sut", &self.sut.identity())
            .field("now", &self.now)
            .field("cards", &self.cards.keys().collect::<Vec<_>>())
            .field("readers", &self.readers)
            .field("last_tap", &self.last_tap)
            .finish()
    }
}

impl OvWorld {
    fn new() -> OvWorld {
        let suite = installed_suite();
        OvWorld {
            sut: (suite.factory)(),
            rules: suite.rules,
            now: Timestamp::UNIX_EPOCH,
            cards: BTreeMap::new(),
            readers: BTreeMap::new(),
            last_tap: None,
            last_machine: None,
            last_upload: None,
            tap_cards: BTreeMap::new(),
            card_numbers: BTreeMap::new(),
            last_report: None,
            reports: BTreeMap::new(),
            settlements: Vec::new(),
            ovpay: Default::default(),
            terms: Default::default(),
            fees: Default::default(),
            onboarding: Default::default(),
            next_serial: 0,
        }
    }

    /// A fresh, deterministic card number and chip serial for the scenario.
    pub fn next_card_number(&mut self) -> (CardNumber, u32) {
        self.next_serial += 1;
        let number = CardNumber::new(3528_0100_0000_0000 + self.next_serial).expect("16 digits");
        (number, 0x0A00_0000 + self.next_serial as u32)
    }

    pub fn card(&self, name: &str) -> &HeldCard {
        self.cards
            .get(name)
            .unwrap_or_else(|| panic!("no card named \"{name}\" in this scenario"))
    }

    pub fn reader(&self, name: &str) -> ReaderRef {
        self.readers
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no reader named \"{name}\" in this scenario"))
    }

    pub fn image(&self, name: &str) -> Vec<u8> {
        match &self.card(name).card {
            PresentedCard::OvChipkaart { image } => image.clone(),
            PresentedCard::Emv { .. } => {
                panic!("card \"{name}\" is a bank card: it has no chip image")
            }
        }
    }

    pub fn emv(&self, name: &str) -> EmvCard {
        match &self.card(name).card {
            PresentedCard::Emv { card } => card.clone(),
            PresentedCard::OvChipkaart { .. } => {
                panic!("card \"{name}\" is an OV-chipkaart, not a bank card")
            }
        }
    }

    /// The card as the back office knows it: number, or bank-card data.
    pub async fn identity(&mut self, name: &str) -> CardIdentity {
        match self.card(name).card.clone() {
            PresentedCard::Emv { card } => CardIdentity::Emv {
                pan: card.pan,
                pan_sequence: card.pan_sequence,
                expiry: card.expiry,
            },
            PresentedCard::OvChipkaart { .. } => CardIdentity::OvChipkaart {
                number: self.read(name).await.number,
            },
        }
    }

    pub async fn set_clock(&mut self, now: Timestamp) {
        self.sut
            .set_clock(now)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.now = now;
    }

    /// Reads a card at a machine through the SUT.
    pub async fn read(&mut self, name: &str) -> Card {
        let image = self.image(name);
        self.sut
            .read_card(&image)
            .await
            .unwrap_or_else(|e| panic!("card \"{name}\": {e}"))
    }

    /// Applies a machine outcome to the held card and checks the invariants. `credited` is
    /// what the operation should add to the balance when it succeeds (the load amount).
    pub async fn apply_machine(&mut self, name: &str, outcome: MachineOutcome, credited: Cents) {
        if let MachineOutcome::Done { image, balance } = &outcome {
            let held = self.cards.get_mut(name).expect("card exists");
            held.card = PresentedCard::OvChipkaart {
                image: image.clone(),
            };
            held.expected_balance = held.expected_balance.checked_add(credited).expect("small");
            // CARD-02: never above the maximum after a load.
            assert!(
                *balance <= self.rules.card.max_balance_cents,
                "invariant CARD-02: balance {balance} above the maximum after a machine operation"
            );
        }
        self.last_machine = Some(outcome);
        self.check_card_invariants(name).await;
    }

    /// Applies a tap result to the held cards and checks the invariants.
    pub async fn apply_tap(&mut self, names: &[&str], result: TapResult) {
        match (&result.decision, &result.new_image) {
            (Decision::Refused { reason }, new_image) if *reason != Refusal::DenyListed => {
                // A refused tap changes nothing on any card.
                assert!(
                    new_image.is_none(),
                    "invariant: a refused tap ({reason:?}) wrote to the card"
                );
            }
            (_, Some(image)) => {
                assert_eq!(
                    names.len(),
                    1,
                    "a reader writes only when exactly one card is presented"
                );
                let name = names[0];
                let money = money_moved(&result.decision);
                let held = self.cards.get_mut(name).expect("card exists");
                held.card = PresentedCard::OvChipkaart {
                    image: image.clone(),
                };
                held.expected_balance = held.expected_balance.checked_add(money).expect("small");
            }
            _ => {}
        }
        if let (Some(id), [name]) = (&result.tap_id, names) {
            self.tap_cards.insert(id.clone(), name.to_string());
        }
        self.last_tap = Some(result);
        for name in names {
            self.check_card_invariants(name).await;
        }
    }

    /// Conservation on one card: what the suite saw move equals what the card holds.
    pub async fn check_card_invariants(&mut self, name: &str) {
        if matches!(self.card(name).card, PresentedCard::Emv { .. }) {
            return;
        }
        let card = self.read(name).await;
        let expected = self.card(name).expected_balance;
        assert_eq!(
            card.balance(),
            expected,
            "invariant: card \"{name}\" holds {} but loads − deposits + settlements = {expected}",
            card.balance()
        );
        assert!(
            card.log.len() <= 28,
            "invariant CARD-08: the log has at most 28 slots"
        );
    }
}

/// Money a tap added to the balance: auto-reloads − deposits + settlements.
fn money_moved(decision: &Decision) -> Cents {
    let add = |a: Cents, b: Cents| a.checked_add(b).expect("small");
    let sub = |a: Cents, b: Cents| a.checked_sub(b).expect("small");
    match decision {
        Decision::CheckedIn {
            deposit,
            auto_reloaded,
            ..
        } => sub(auto_reloaded.unwrap_or_default(), *deposit),
        Decision::CheckedOut {
            fare,
            deposit,
            auto_reloaded,
        } => add(sub(*deposit, *fare), auto_reloaded.unwrap_or_default()),
        Decision::BankCardAccepted | Decision::Refused { .. } => Cents::ZERO,
    }
}
