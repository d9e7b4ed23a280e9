//! Readers (validators), TAP-01..09: `(now, reader, card) → (decision, display, new image,
//! tap record)`.
//!
//! A reader holds no per-card state: everything it needs is on the card (the open check-in,
//! the last transaction for anti-passback) or in its context (its operator, mode, station and
//! device, the rule set, the deny list). What it writes back is a new card image; what it
//! reports to the back office is a [`TapMessage`].

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::age;
use crate::backoffice::fare as engine;
use crate::backoffice::journey::{self, Direction, OpenLegPolicy, QualifiedTap};
use crate::card::image;
use crate::card::{Card, CardKind, LogEntry, LogKind};
use crate::deny::{DenyCheck, DenyReason};
use crate::money::Cents;
use crate::rules::{CardKindRule, Mode, RuleSet, Service, TransportClass};
use crate::tap::{CardIdentity, DeviceKind, ReaderRef, TapAmounts, TapId, TapKind, TapMessage};
use crate::time::local;
use smol_str::format_smolstr;

/// A bank card as the reader sees it (OVpay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmvCard {
    /// 12–19 digits.
    pub pan: String,
    pub pan_sequence: u8,
    /// "YYMM".
    pub expiry: String,
}

/// What is held against the reader.
#[derive(Debug, Clone, Copy)]
pub enum Presented<'a> {
    /// An OV-chipkaart: its chip image.
    OvChipkaart(&'a [u8]),
    Emv(&'a EmvCard),
}

/// The reader's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Decision {
    /// TAP-01: checked in; the boarding fee was taken as a deposit.
    CheckedIn {
        deposit: Cents,
        /// TAP-07: the check-in continues a journey ("overstap").
        transfer: bool,
        /// TAP-04: an open check-in at another operator was closed as missing first.
        closed_missing_check_out: bool,
        /// TAP-06: auto-reload amount loaded during this tap.
        auto_reloaded: Option<Cents>,
    },
    /// TAP-01: checked out; the deposit was settled against the fare.
    CheckedOut {
        fare: Cents,
        deposit: Cents,
        auto_reloaded: Option<Cents>,
    },
    /// A bank card was accepted; the back office qualifies the tap (EMV-06).
    BankCardAccepted,
    Refused {
        reason: Refusal,
    },
}

/// Why a tap was refused or not taken. A refused tap changes nothing on the card, except a
/// deny-list hit, which blocks the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Refusal {
    /// CARD-09: more than one card in the field.
    Collision,
    NoCard,
    /// The chip could not be read.
    Unreadable,
    /// TAP-03: anti-passback or the NS duplicate window; the tap is not taken.
    AlreadyCheckedIn,
    AlreadyCheckedOut,
    /// TAP-02: the balance is below the minimum to check in.
    InsufficientBalance,
    /// CARD-04 / TAP-05.
    Expired,
    /// TAP-05: blocked card.
    Blocked,
    /// TAP-05: on the deny list (the reader blocks the card).
    DenyListed,
    /// TAP-09: balance travel at NS not activated.
    NotActivated,
    /// A disposable card without a travel right valid here and now.
    NoValidTravelRight,
    /// The reader's own configuration names an operator/mode/station the rule set lacks.
    ReaderNotInRuleSet,
}

/// What the reader's screen shows: Dutch as on real readers, with an English gloss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DisplayText {
    pub nl: String,
    pub en: String,
}

/// The full result of one tap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TapOutcome {
    pub decision: Decision,
    pub display: DisplayText,
    /// The card image after the tap, when the reader wrote to the card.
    pub new_image: Option<Vec<u8>>,
    /// The record for the back office, when the tap is a transaction.
    pub record: Option<TapMessage>,
    /// The balance shown, for OV-chipkaart taps.
    pub balance_after: Option<Cents>,
}

/// One tap at a reader. `tap_id` is the id the record gets; `now` is the reader's clock.
pub fn tap(
    rules: &RuleSet,
    reader: &ReaderRef,
    deny: &dyn DenyCheck,
    now: Timestamp,
    tap_id: TapId,
    presented: &[Presented<'_>],
) -> TapOutcome {
    // Cards store whole seconds; so does the record.
    let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
    let ctx = Ctx {
        rules,
        reader,
        deny,
        now,
        tap_id,
    };
    let card = match presented {
        [] => return refused(Refusal::NoCard, None),
        [one] => one,
        _ => return refused(Refusal::Collision, None),
    };
    let Some(service) = ctx.service() else {
        return refused(Refusal::ReaderNotInRuleSet, None);
    };
    match card {
        Presented::Emv(emv) => ctx.emv_tap(emv),
        Presented::OvChipkaart(bytes) => match image::decode(bytes) {
            Err(_) => refused(Refusal::Unreadable, None),
            Ok(card) => ctx.ov_tap(service, bytes, card),
        },
    }
}

struct Ctx<'a> {
    rules: &'a RuleSet,
    reader: &'a ReaderRef,
    deny: &'a dyn DenyCheck,
    now: Timestamp,
    tap_id: TapId,
}

impl<'a> Ctx<'a> {
    fn service(&self) -> Option<&'a Service> {
        self.rules.station(&self.reader.station)?;
        self.rules.service(&self.reader.operator, self.reader.mode)
    }

    fn emv_tap(&self, emv: &EmvCard) -> TapOutcome {
        let identity = CardIdentity::Emv {
            pan: emv.pan.clone(),
            pan_sequence: emv.pan_sequence,
            expiry: emv.expiry.clone(),
        };
        // EMV-05 / TAP-05: every check-in is checked against the deny list (the reader's
        // copy). EMV-12: a denied card may still check out an open journey.
        let checking_out = || self.deny.has_open_leg(&identity, self.reader, self.now);
        if let Some(reason) = self.deny.denied(&identity)
            && !checking_out()
        {
            let record = self.record(identity, TapKind::Refused, Cents::ZERO, None);
            let mut outcome = refused(Refusal::DenyListed, Some(record));
            outcome.display = emv_denied_display(self.rules, reason);
            return outcome;
        }
        TapOutcome {
            decision: Decision::BankCardAccepted,
            display: text("Betaalpas geaccepteerd", "Bank card accepted"),
            new_image: None,
            record: Some(self.record(identity, TapKind::Emv, Cents::ZERO, None)),
            balance_after: None,
        }
    }

    fn ov_tap(&self, service: &Service, bytes: &[u8], card: Card) -> TapOutcome {
        if let Some(refusal) = self.not_taken(service, &card) {
            // TAP-03: not a transaction; the card and the back office see nothing.
            return refused(refusal, None);
        }
        match &card.purse.check_in {
            Some(open) if self.continues(open) => self.check_out(bytes, card.clone(), open.clone()),
            Some(_) => self.check_in(service, bytes, card, true),
            None => self.check_in(service, bytes, card, false),
        }
    }

    /// TAP-03: anti-passback and the NS duplicate window at the same reader.
    fn not_taken(&self, service: &Service, card: &Card) -> Option<Refusal> {
        let last = card.last_entry()?;
        let same_reader = last.operator == self.reader.operator
            && last.station == self.reader.station
            && last.device == self.reader.device;
        if !same_reader || !matches!(last.kind, LogKind::CheckIn | LogKind::CheckOut) {
            return None;
        }
        let elapsed_s = self.now.as_second() - last.at.as_second();
        let duplicate = self
            .rules
            .reader
            .duplicate_window_operators
            .contains(&self.reader.operator)
            && elapsed_s < i64::from(self.rules.reader.duplicate_window_s);
        let passback_applies = self.reader.device_kind != DeviceKind::Gate
            || self.rules.interpretations.anti_passback_at_gates;
        let passback = passback_applies && elapsed_s < i64::from(service.anti_passback_s);
        if !(duplicate || passback) {
            return None;
        }
        Some(if last.kind == LogKind::CheckIn {
            Refusal::AlreadyCheckedIn
        } else {
            Refusal::AlreadyCheckedOut
        })
    }

    /// TAP-04: a tap continues (checks out) an open check-in only at the same operator in the
    /// same transport class; elsewhere the traveller must check out first ("omchecken").
    /// JRN-07 / EMV-07: a check-in still open at the end of its travel day is a missing
    /// check-out, so the next day's tap is a new check-in.
    fn continues(&self, open: &LogEntry) -> bool {
        let day_rule = self.rules.travel_day_rule();
        let day_over = self.now >= day_rule.end_of(day_rule.travel_day_of(open.at));
        !day_over
            && open.operator == self.reader.operator
            && open.mode.map(Mode::class) == Some(self.reader.mode.class())
    }

    fn check_in(
        &self,
        service: &Service,
        bytes: &[u8],
        mut card: Card,
        open_elsewhere: bool,
    ) -> TapOutcome {
        let identity = identity(&card);
        let today = local(self.now).date();
        let refuse = |reason| {
            let record = self.record(
                identity.clone(),
                TapKind::Refused,
                Cents::ZERO,
                Some(card.balance()),
            );
            refused(reason, Some(record))
        };
        // TAP-05: blocked (already), deny list (block now), expired.
        if card.purse.blocked {
            return refuse(Refusal::Blocked);
        }
        if self.deny.denied(&identity).is_some() {
            return self.block_on_deny_list(bytes, card);
        }
        if !card.is_valid_on(today) {
            return refuse(Refusal::Expired);
        }
        if card.kind == CardKind::Disposable && !self.has_travel_right(&card, today) {
            return refuse(Refusal::NoValidTravelRight);
        }
        // TAP-09: balance travel at NS needs an activated card.
        let needs_activation = self.reader.mode == Mode::Train
            && card.kind != CardKind::Disposable
            && self
                .rules
                .reader
                .activation_required_operators
                .contains(&self.reader.operator);
        if needs_activation && !self.activated(&card, today) {
            return refuse(Refusal::NotActivated);
        }
        let deposit = if card.kind == CardKind::Disposable {
            Cents::ZERO
        } else {
            self.boarding_fee(service, &card, today)
        };
        // TAP-06 before TAP-02: an auto-reload may lift the balance over the minimum.
        let auto_reloaded = self.auto_reload_if_needed(&mut card, deposit);
        // TAP-02: minimum balance = boarding fee − €4.
        let minimum = deposit
            .checked_sub(self.rules.reader.min_balance_offset_cents)
            .unwrap_or(Cents::ZERO)
            .max(Cents::ZERO);
        if card.kind != CardKind::Disposable && card.balance() < minimum {
            let original = image::decode(bytes).unwrap_or(card);
            let record = self.record(
                identity,
                TapKind::Refused,
                Cents::ZERO,
                Some(original.balance()),
            );
            let mut outcome = refused(Refusal::InsufficientBalance, Some(record));
            outcome.display.nl = format!("Saldo te laag. Minimaal {} nodig", minimum.dutch());
            outcome.display.en = format!("Balance too low. At least {minimum} needed");
            return outcome;
        }
        if open_elsewhere {
            self.close_missing_check_out(&mut card);
        }
        let transfer = self.is_transfer(&card);
        let balance = card
            .balance()
            .checked_sub(deposit)
            .unwrap_or(card.balance());
        card.purse.balance = balance;
        let entry = self.entry(
            LogKind::CheckIn,
            deposit.checked_neg().unwrap_or(Cents::ZERO),
            balance,
        );
        card.record(entry.clone());
        card.purse.check_in = Some(entry);
        let (nl, en) = if transfer {
            ("Overstap", "Transfer")
        } else {
            ("Ingecheckt", "Checked in")
        };
        let display = text(
            &format!("{nl}. Saldo {}", balance.dutch()),
            &format!("{en}. Balance {balance}"),
        );
        let decision = Decision::CheckedIn {
            deposit,
            transfer,
            closed_missing_check_out: open_elsewhere,
            auto_reloaded,
        };
        self.written(
            bytes,
            card,
            Done {
                decision,
                display,
                kind: TapKind::CheckIn,
                charged: deposit,
            },
        )
    }

    fn check_out(&self, bytes: &[u8], mut card: Card, open: LogEntry) -> TapOutcome {
        let deposit = open.amount.checked_neg().unwrap_or(Cents::ZERO);
        let fare = if card.kind == CardKind::Disposable {
            // The fixed travel right is used up at check-out.
            card.products.clear();
            Cents::ZERO
        } else {
            self.fare_of(&card, &open)
        };
        let settle = deposit.checked_sub(fare).unwrap_or(Cents::ZERO);
        card.purse.balance = card.balance().checked_add(settle).unwrap_or(card.balance());
        card.purse.check_in = None;
        let balance = card.balance();
        card.record(self.entry(LogKind::CheckOut, settle, balance));
        // TAP-06: at check-out, reload when the settled balance went below zero.
        let auto_reloaded = self.auto_reload_if_needed(&mut card, Cents::ZERO);
        let balance = card.balance();
        let display = text(
            &format!(
                "Uitgecheckt. Reiskosten {}. Saldo {}",
                fare.dutch(),
                balance.dutch()
            ),
            &format!("Checked out. Fare {fare}. Balance {balance}"),
        );
        let decision = Decision::CheckedOut {
            fare,
            deposit,
            auto_reloaded,
        };
        let charged = settle.checked_neg().unwrap_or(Cents::ZERO);
        self.written(
            bytes,
            card,
            Done {
                decision,
                display,
                kind: TapKind::CheckOut,
                charged,
            },
        )
    }

    /// The fare this check-out charges: what the journey costs with this leg minus what it
    /// cost without it, by the back office's journey builder and fare engine over the card's
    /// own log. So a card pays, leg by leg, exactly the journey fare the back office settles
    /// (transfers without a new base fare, degressive rail fares, products, age, cancellation
    /// and station visits alike).
    fn fare_of(&self, card: &Card, open: &LogEntry) -> Cents {
        let deposit = open.amount.checked_neg().unwrap_or(Cents::ZERO);
        let mut taps: Vec<QualifiedTap> = card
            .log
            .iter()
            .enumerate()
            .filter_map(|(i, entry)| {
                let direction = match entry.kind {
                    LogKind::CheckIn => Direction::In,
                    LogKind::CheckOut => Direction::Out,
                    _ => return None,
                };
                Some(QualifiedTap {
                    tap_id: TapId(format_smolstr!("card-log-{i:02}")),
                    at: entry.at,
                    operator: entry.operator.as_str().into(),
                    mode: entry.mode?,
                    station: entry.station.as_str().into(),
                    device: entry.device,
                    vehicle: None,
                    direction,
                })
            })
            .collect();
        taps.push(QualifiedTap {
            tap_id: TapId("card-log-now".into()),
            at: self.now,
            operator: self.reader.operator.clone(),
            mode: self.reader.mode,
            station: self.reader.station.clone(),
            device: self.reader.device,
            vehicle: self.reader.vehicle.clone(),
            direction: Direction::Out,
        });
        let built = journey::build(self.rules, taps, &[], OpenLegPolicy::OneOpenLeg, self.now);
        let Some(current) = built
            .journeys
            .iter()
            .find(|j| j.legs.last().is_some_and(|l| l.check_in.at == open.at))
        else {
            // The log no longer shows the check-in: keep the deposit, the back office corrects.
            return deposit;
        };
        let context = engine::FareContext {
            means: engine::PaymentMeans::OvChipkaart { kind: card.kind },
            birth_date: card.holder.as_ref().map(|h| h.birth_date),
            products: &card.products,
        };
        let with_leg = engine::journey_fare(self.rules, current, &context).map(|f| f.total);
        let mut before = current.clone();
        before.legs.pop();
        let without_leg = if before.legs.is_empty() {
            Ok(Cents::ZERO)
        } else {
            engine::journey_fare(self.rules, &before, &context).map(|f| f.total)
        };
        match (with_leg, without_leg) {
            (Ok(with_leg), Ok(without_leg)) => with_leg.checked_sub(without_leg).unwrap_or(deposit),
            _ => deposit,
        }
    }

    /// TAP-01: the operator's boarding fee, or a lower one for the card kind or a product;
    /// none when a product makes this journey free whatever the destination (JRN-07).
    fn boarding_fee(&self, service: &Service, card: &Card, today: jiff::civil::Date) -> Cents {
        let kind = match card.kind {
            CardKind::Personal => Some(CardKindRule::Personal),
            CardKind::Anonymous => Some(CardKindRule::Anonymous),
            _ => None,
        };
        let personal = card.kind == CardKind::Personal;
        // CARD-06: children under 4 travel free, so nothing is held back from them either.
        let birth = card.holder.as_ref().map(|h| h.birth_date);
        if personal && age::age_band(self.rules, birth, today) == age::AgeBand::Infant {
            return Cents::ZERO;
        }
        if engine::free_at_check_in(
            self.rules,
            &card.products,
            personal,
            self.reader.mode,
            self.now,
        ) {
            return Cents::ZERO;
        }
        engine::boarding_fee(
            self.rules,
            service,
            &self.reader.operator,
            kind,
            &card.products,
            today,
        )
    }

    fn activated(&self, card: &Card, today: jiff::civil::Date) -> bool {
        card.purse.rail_activated
            || card.products.iter().any(|p| {
                p.valid_from <= today
                    && today <= p.valid_until
                    && self
                        .rules
                        .product(&p.code)
                        .is_some_and(|prod| prod.activates_balance_travel)
            })
    }

    fn has_travel_right(&self, card: &Card, today: jiff::civil::Date) -> bool {
        card.products.iter().any(|p| {
            p.valid_from <= today
                && today <= p.valid_until
                && p.route
                    .as_ref()
                    .is_none_or(|r| r.iter().any(|s| *s == self.reader.station))
        })
    }

    /// TAP-06: reload once when the balance would go below zero after taking `take`.
    fn auto_reload_if_needed(&self, card: &mut Card, take: Cents) -> Option<Cents> {
        let amount = card.purse.auto_reload?;
        if card.kind != CardKind::Personal {
            return None;
        }
        let after = card.balance().checked_sub(take)?;
        if !after.is_negative() {
            return None;
        }
        let reloaded = card.balance().checked_add(amount)?;
        if reloaded > self.rules.card.max_balance_cents {
            return None;
        }
        card.purse.balance = reloaded;
        card.record(self.entry(LogKind::AutoReload, amount, reloaded));
        Some(amount)
    }

    /// TAP-04 / JRN-07: the open check-in elsewhere becomes a missing check-out; its deposit
    /// stays charged.
    fn close_missing_check_out(&self, card: &mut Card) {
        if let Some(open) = card.purse.check_in.take() {
            let mut entry = self.entry(LogKind::MissingCheckOut, Cents::ZERO, card.balance());
            entry.operator = open.operator;
            entry.mode = open.mode;
            entry.station = open.station;
            entry.device = open.device;
            card.record(entry);
        }
    }

    /// TAP-07: "overstap" when this check-in follows a check-out within the transfer window in
    /// the same transport class (for rail at the same station).
    fn is_transfer(&self, card: &Card) -> bool {
        let Some(out) = card.log.iter().rev().find(|e| e.kind == LogKind::CheckOut) else {
            return false;
        };
        let window_s = i64::from(self.rules.journey.transfer_window_min) * 60;
        let within = self.now.as_second() - out.at.as_second() <= window_s;
        let same_class = out.mode.map(Mode::class) == Some(self.reader.mode.class());
        let rail_same_station =
            self.reader.mode.class() != TransportClass::Rail || out.station == self.reader.station;
        within && same_class && rail_same_station
    }

    /// TAP-05: a card on the deny list is blocked on the spot; the refusal is reported.
    fn block_on_deny_list(&self, bytes: &[u8], mut card: Card) -> TapOutcome {
        card.purse.blocked = true;
        let balance = card.balance();
        card.record(self.entry(LogKind::Blocked, Cents::ZERO, balance));
        let decision = Decision::Refused {
            reason: Refusal::DenyListed,
        };
        let display = display_for(Refusal::DenyListed);
        self.written(
            bytes,
            card,
            Done {
                decision,
                display,
                kind: TapKind::Refused,
                charged: Cents::ZERO,
            },
        )
    }

    /// Writes the changed card and reports the transaction; refuses when the chip cannot
    /// hold the new state rather than write a broken card.
    fn written(&self, bytes: &[u8], card: Card, done: Done) -> TapOutcome {
        let balance = card.balance();
        match image::write(Some(bytes), &card) {
            Ok(new_image) => TapOutcome {
                decision: done.decision,
                display: done.display,
                new_image: Some(new_image),
                record: Some(self.record(identity(&card), done.kind, done.charged, Some(balance))),
                balance_after: Some(balance),
            },
            Err(_) => refused(Refusal::Unreadable, None),
        }
    }

    fn entry(&self, kind: LogKind, amount: Cents, balance_after: Cents) -> LogEntry {
        LogEntry {
            kind,
            at: self.now,
            operator: self.reader.operator.to_string(),
            mode: Some(self.reader.mode),
            station: self.reader.station.to_string(),
            device: self.reader.device,
            amount,
            balance_after,
        }
    }

    fn record(
        &self,
        card: CardIdentity,
        kind: TapKind,
        charged: Cents,
        balance: Option<Cents>,
    ) -> TapMessage {
        TapMessage {
            tap_id: self.tap_id.clone(),
            reader: self.reader.clone(),
            at: self.now,
            card,
            kind,
            amounts: TapAmounts {
                charged_cents: charged,
                balance_after_cents: balance,
            },
        }
    }
}

/// What a written tap reports.
struct Done {
    decision: Decision,
    display: DisplayText,
    kind: TapKind,
    /// Net amount taken from the balance by this tap.
    charged: Cents,
}

fn identity(card: &Card) -> CardIdentity {
    CardIdentity::OvChipkaart {
        number: card.number,
    }
}

fn refused(reason: Refusal, record: Option<TapMessage>) -> TapOutcome {
    TapOutcome {
        decision: Decision::Refused { reason },
        display: display_for(reason),
        new_image: None,
        record,
        balance_after: None,
    }
}

fn text(nl: &str, en: &str) -> DisplayText {
    DisplayText {
        nl: nl.to_string(),
        en: en.to_string(),
    }
}

/// TAP-07: what a reader shows for a bank card on the deny list, by the reason it names.
/// EMV-14: a card blocked for a debt is told that a payment is attempted and when check-in is
/// possible again; EMV-04: a bank's block is the bank's business; EMV-03: a card without a
/// travel function cannot travel.
pub fn emv_denied_display(rules: &RuleSet, reason: DenyReason) -> DisplayText {
    match reason {
        DenyReason::SettlementFailed => {
            let minutes = rules.ovpay.unblock_after_payment_min;
            DisplayText {
                nl: format!(
                    "Openstaand bedrag. Inchecken niet mogelijk; de betaling wordt nu geprobeerd. \
                     Lukt die, dan kunt u na ongeveer {minutes} minuten weer inchecken"
                ),
                en: format!(
                    "Outstanding amount. Check-in refused; the payment is being attempted now. \
                     Once paid, you can check in again after about {minutes} minutes"
                ),
            }
        }
        DenyReason::LostOrStolen | DenyReason::BankBlocked => text(
            "Betaalpas geblokkeerd door uw bank. Neem contact op met uw bank",
            "Card blocked by your bank. Contact your bank",
        ),
        DenyReason::NoTravelFunction => text(
            "Met deze betaalpas kunt u niet reizen in het OV",
            "This bank card cannot be used for public transport",
        ),
        DenyReason::ProductConditions | DenyReason::Fraud | DenyReason::UsageEnded => {
            display_for(Refusal::DenyListed)
        }
    }
}

/// TAP-07: the texts real readers show for each refusal.
pub fn display_for(reason: Refusal) -> DisplayText {
    let (nl, en) = match reason {
        Refusal::Collision => (
            "Meerdere kaarten. Houd één kaart voor de lezer",
            "Several cards. Hold one card to the reader",
        ),
        Refusal::NoCard => ("Geen kaart", "No card"),
        Refusal::Unreadable => (
            "Kaart niet leesbaar. Probeer opnieuw",
            "Card unreadable. Try again",
        ),
        Refusal::AlreadyCheckedIn => ("U bent al ingecheckt", "You are already checked in"),
        Refusal::AlreadyCheckedOut => ("U bent al uitgecheckt", "You are already checked out"),
        Refusal::InsufficientBalance => ("Saldo te laag", "Balance too low"),
        Refusal::Expired => ("Kaart verlopen", "Card expired"),
        Refusal::Blocked => ("Kaart geblokkeerd", "Card blocked"),
        Refusal::DenyListed => (
            "Kaart geblokkeerd. Neem contact op met de klantenservice",
            "Card blocked. Contact customer service",
        ),
        Refusal::NotActivated => (
            "Kaart niet geactiveerd voor reizen op saldo bij NS",
            "Card not activated for travel on balance with NS",
        ),
        Refusal::NoValidTravelRight => ("Geen geldig reisproduct", "No valid travel product"),
        Refusal::ReaderNotInRuleSet => ("Lezer buiten gebruik", "Reader out of service"),
    };
    text(nl, en)
}
