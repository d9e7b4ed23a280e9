//! Machines and service points (the seller role): issue cards, load balance and products,
//! set auto-reload (CARD-01..07, TAP-06, TAP-09).
//!
//! Business outcomes are values ([`MachineOutcome`]); only a broken card image is an error.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::card::image;
use crate::card::{
    Card, CardKind, CardNumber, Holder, LogEntry, LogKind, ProductSlot, Purse, SpecialSetting,
};
use crate::money::Cents;
use crate::rules::RuleSet;
use crate::time::local;

/// What a card distributor is asked to issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IssueRequest {
    pub kind: CardKind,
    pub number: CardNumber,
    pub uid: u32,
    /// Personal cards: the holder's name and birth date (CARD-01, CARD-06).
    pub holder: Option<Holder>,
    /// Disposable cards: the one fixed travel right (CARD-01).
    pub travel_right: Option<ProductSlot>,
}

/// Where a load happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum LoadChannel {
    /// An OV-chipkaart machine of any operator.
    Machine,
    /// An NS ticket machine: loading there activates balance travel at NS (TAP-09).
    NsMachine,
    ServicePoint,
}

/// The outcome of a machine operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum MachineOutcome {
    Done { image: Vec<u8>, balance: Cents },
    Refused { reason: MachineRefusal },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum MachineRefusal {
    /// CARD-02: the load would take the balance above the maximum.
    AboveMaxBalance,
    /// CARD-07: above the per-load maximum.
    AboveMaxLoad,
    /// A load must be a positive amount.
    NotPositive,
    /// CARD-05: a personal product on a card that is not personal.
    PersonalCardOnly,
    /// CARD-01: disposable cards hold one fixed travel right and no balance.
    DisposableCard,
    /// FARE-10: Sentire cannot be combined with other products.
    NotCombinable,
    NoFreeProductSlot,
    UnknownProduct,
    /// TAP-06: auto-reload amounts from the rule set only.
    AmountNotOffered,
    Expired,
    Blocked,
    /// CARD-07: a completed load cannot be revoked, only refunded.
    LoadIsFinal,
    Unreadable,
    /// The card cannot hold the new state (e.g. a name too long for the chip).
    DoesNotFit,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    #[error("a {0:?} card has no chip image to issue")]
    NoImage(CardKind),
    #[error("a personal card needs a holder (name and birth date)")]
    HolderRequired,
    #[error("a disposable card needs its fixed travel right")]
    TravelRightRequired,
    #[error(transparent)]
    Image(#[from] image::EncodeError),
}

/// CARD-01 / CARD-04: a new card, valid for the rule set's years from today.
pub fn issue(
    rules: &RuleSet,
    now: Timestamp,
    request: &IssueRequest,
) -> Result<Vec<u8>, IssueError> {
    let today = local(now).date();
    let expires_on = match request.kind {
        CardKind::Personal => add_years(today, rules.card.personal_validity_years),
        CardKind::Anonymous => add_years(today, rules.card.anonymous_validity_years),
        CardKind::Disposable => today
            .checked_add(jiff::Span::new().days(i64::from(rules.card.disposable_validity_days)))
            .unwrap_or(today),
        CardKind::Emv => return Err(IssueError::NoImage(CardKind::Emv)),
    };
    let holder = match request.kind {
        CardKind::Personal => Some(request.holder.clone().ok_or(IssueError::HolderRequired)?),
        _ => None,
    };
    let products = match request.kind {
        CardKind::Disposable => vec![
            request
                .travel_right
                .clone()
                .ok_or(IssueError::TravelRightRequired)?,
        ],
        _ => Vec::new(),
    };
    let card = Card {
        uid: request.uid,
        number: request.number,
        kind: request.kind,
        issued_on: today,
        expires_on,
        holder,
        products,
        purse: Purse {
            counter: 0,
            balance: Cents::ZERO,
            auto_reload: None,
            rail_activated: false,
            travel_class: 2,
            blocked: false,
            special: SpecialSetting::None,
            check_in: None,
        },
        log: Vec::new(),
    };
    Ok(image::write(None, &card)?)
}

/// The last valid day of a card issued on `from` for `years` years.
fn add_years(from: Date, years: u8) -> Date {
    from.checked_add(jiff::Span::new().years(i64::from(years)))
        .and_then(|d| d.yesterday())
        .unwrap_or(from)
}

/// CARD-02 / CARD-07: load balance.
///
/// CARD-03: the balance earns no interest — nothing in the reference changes a balance except
/// loads, taps and refunds, whatever time passes. The balance rises by exactly `amount`; a deficit is
/// cleared first simply because the amount is added to it.
pub fn load(
    rules: &RuleSet,
    now: Timestamp,
    bytes: &[u8],
    amount: Cents,
    channel: LoadChannel,
) -> MachineOutcome {
    let mut card = match usable(bytes, now) {
        Ok(card) => card,
        Err(reason) => return refused(reason),
    };
    if card.kind == CardKind::Disposable {
        return refused(MachineRefusal::DisposableCard);
    }
    if amount <= Cents::ZERO {
        return refused(MachineRefusal::NotPositive);
    }
    if amount > rules.card.max_load_cents {
        return refused(MachineRefusal::AboveMaxLoad);
    }
    let Some(balance) = card.balance().checked_add(amount) else {
        return refused(MachineRefusal::AboveMaxBalance);
    };
    if balance > rules.card.max_balance_cents {
        return refused(MachineRefusal::AboveMaxBalance);
    }
    card.purse.balance = balance;
    if channel == LoadChannel::NsMachine {
        card.purse.rail_activated = true;
    }
    card.record(machine_entry(now, LogKind::Load, amount, balance));
    done(bytes, &card)
}

/// CARD-05 / FARE-10 / TAP-09: put a product on the card.
pub fn load_product(
    rules: &RuleSet,
    now: Timestamp,
    bytes: &[u8],
    product: ProductSlot,
) -> MachineOutcome {
    let mut card = match usable(bytes, now) {
        Ok(card) => card,
        Err(reason) => return refused(reason),
    };
    let Some(definition) = rules.product(&product.code) else {
        return refused(MachineRefusal::UnknownProduct);
    };
    if card.kind == CardKind::Disposable {
        return refused(MachineRefusal::DisposableCard);
    }
    if definition.personal_only && card.kind != CardKind::Personal {
        return refused(MachineRefusal::PersonalCardOnly);
    }
    let others: Vec<_> = card
        .products
        .iter()
        .filter(|p| p.code != product.code)
        .collect();
    let exclusive_present = others
        .iter()
        .any(|p| rules.product(&p.code).is_some_and(|d| d.exclusive));
    if (definition.exclusive && !others.is_empty()) || exclusive_present {
        return refused(MachineRefusal::NotCombinable);
    }
    card.products.retain(|p| p.code != product.code);
    if card.products.len() >= image::PRODUCT_SLOTS {
        return refused(MachineRefusal::NoFreeProductSlot);
    }
    card.products.push(product);
    if definition.activates_balance_travel {
        card.purse.rail_activated = true;
    }
    let balance = card.balance();
    card.record(machine_entry(
        now,
        LogKind::ProductLoad,
        Cents::ZERO,
        balance,
    ));
    done(bytes, &card)
}

/// TAP-06: set (or clear, with `None`) the auto-reload amount of a personal card.
pub fn set_auto_reload(
    rules: &RuleSet,
    now: Timestamp,
    bytes: &[u8],
    amount: Option<Cents>,
) -> MachineOutcome {
    let mut card = match usable(bytes, now) {
        Ok(card) => card,
        Err(reason) => return refused(reason),
    };
    if card.kind != CardKind::Personal {
        return refused(MachineRefusal::PersonalCardOnly);
    }
    if amount.is_some_and(|a| !rules.card.auto_reload_amounts_cents.contains(&a)) {
        return refused(MachineRefusal::AmountNotOffered);
    }
    card.purse.auto_reload = amount;
    card.purse.counter = card.purse.counter.wrapping_add(1);
    done(bytes, &card)
}

/// CARD-07: a completed load is final ("bevrijdend betaald"); it can only be refunded.
pub fn revoke_load(bytes: &[u8]) -> MachineOutcome {
    match image::decode(bytes) {
        Ok(_) => refused(MachineRefusal::LoadIsFinal),
        Err(_) => refused(MachineRefusal::Unreadable),
    }
}

/// TERM-03 / TERM-04 / TERM-12: a service point takes the whole balance off the card for a
/// refund (logged as a negative load). With `terminate` the card is also blocked: the issuer
/// keeps it (TERM-01). Works on expired and blocked cards, because the refund right outlives
/// the usage right (TERM-04).
pub fn unload(now: Timestamp, bytes: &[u8], terminate: bool) -> MachineOutcome {
    let mut card = match image::decode(bytes) {
        Ok(card) => card,
        Err(_) => return refused(MachineRefusal::Unreadable),
    };
    let balance = card.balance();
    if balance != Cents::ZERO {
        card.purse.balance = Cents::ZERO;
        let taken = balance.checked_neg().unwrap_or(Cents::ZERO);
        card.record(machine_entry(now, LogKind::Load, taken, Cents::ZERO));
    }
    if terminate && !card.purse.blocked {
        card.purse.blocked = true;
        card.record(machine_entry(
            now,
            LogKind::Blocked,
            Cents::ZERO,
            Cents::ZERO,
        ));
    }
    done(bytes, &card)
}

fn usable(bytes: &[u8], now: Timestamp) -> Result<Card, MachineRefusal> {
    let card = image::decode(bytes).map_err(|_| MachineRefusal::Unreadable)?;
    if card.purse.blocked {
        return Err(MachineRefusal::Blocked);
    }
    if !card.is_valid_on(local(now).date()) {
        return Err(MachineRefusal::Expired);
    }
    Ok(card)
}

fn machine_entry(now: Timestamp, kind: LogKind, amount: Cents, balance_after: Cents) -> LogEntry {
    LogEntry {
        kind,
        at: Timestamp::from_second(now.as_second()).unwrap_or(now),
        operator: String::new(),
        mode: None,
        station: String::new(),
        device: 0,
        amount,
        balance_after,
    }
}

fn done(previous: &[u8], card: &Card) -> MachineOutcome {
    match image::write(Some(previous), card) {
        Ok(image) => MachineOutcome::Done {
            image,
            balance: card.balance(),
        },
        Err(_) => refused(MachineRefusal::DoesNotFit),
    }
}

fn refused(reason: MachineRefusal) -> MachineOutcome {
    MachineOutcome::Refused { reason }
}
