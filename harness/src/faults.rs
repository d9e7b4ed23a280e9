//! Injected faults: the reference with one realistic participant mistake (or several) built
//! in, so that a run of the suite against it shows that the suite notices — a self-test of the
//! harness ("sensitivity"), never part of a certification run.
//!
//! A suite that passes the reference proves the reference conforms to the suite; it does not
//! prove the suite would fail a system that breaks a rule. Each [`Fault`] is a mistake a
//! participant's system could plausibly ship with, and names the catalogue rules it breaks.
//! `tests/faults.rs` runs the whole suite against [`system`] with each fault and requires the
//! run to fail with at least one failed scenario tagged with one of those rule IDs: a fault
//! nothing catches is a gap in the suite.
//!
//! Faults are off by default: [`system`] with no faults is the plain reference, and nothing
//! but an explicit list of faults (this self-test; later `ovcert serve --fault NAME`) injects
//! one.
//!
//! How a fault is injected ([`Injection`]):
//! - most are a **misconfigured rule set**: the reference runs on a clone of the rule set with
//!   one parameter wrong, as a participant with a wrong configuration would. These survive
//!   `reset()`, which rebuilds the reference from its own rule set;
//! - the rest cannot be said in the rule set and are a **decorator** (`Faulty`, in
//!   `faults/faulty.rs`) around the reference that delegates everything and alters one
//!   behaviour; its `reset()` resets the reference and keeps the faults.
//!
//! The reference itself is untouched: it has no hooks for faults.
//!
//! What each fault, once caught, proves about the suite:
//! - `transfer-window-40`: the 35-minute transfer window is tested at its edge (35:01);
//! - `travel-day-ends-0300`: the travel day's end is tested between 03:00 and 03:05;
//! - `no-anti-passback`: a second tap inside the anti-passback and duplicate windows is tested;
//! - `btm-base-fare-again`: bus/tram/metro transfer journeys are priced to the cent;
//! - `block-kept-after-retry`: the deny list is checked after a paid retry, not only the debt;
//! - `counter-refund-without-fee`: service-point refunds are checked net of the admin fee;
//! - `shared-operator-token`: two operators' reports are compared for one bank card;
//! - `threshold-ignored`: an intraday threshold charge is expected before the night;
//! - `retries-after-day-62`: the bank's requests are counted after day 62;
//! - `peak-hours-ignored`: weekday peak journeys are expected at the peak fare;
//! - `no-minimum-balance`: a check-in one cent below the minimum balance is expected refused;
//! - `no-six-hour-limit`: a check-in just after six hours is expected to start a new journey;
//! - `pan-kept-48h`: PAN data are expected gone 24 hours after the tap;
//! - `missed-check-out-refunds-unlimited`: the fourth refund of an operator in a half-year is
//!   expected refused.

mod faulty;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use jiff::civil::Time;
use ovcert_reference::Cents;
use ovcert_reference::rules::RuleSet;

use crate::sut::{InProcess, SystemUnderTest};
use crate::world::SutFactory;

/// One realistic mistake of a participant's system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// The transfer window is 40 minutes instead of 35.
    TransferWindow40,
    /// The travel day ends at 03:00 instead of 03:05.
    TravelDayEnds0300,
    /// Readers take every tap: no anti-passback window, no NS 15 s duplicate window.
    NoAntiPassback,
    /// A bus/tram/metro transfer pays the base fare again.
    BtmBaseFareAgain,
    /// A successful retry of a failed payment leaves the card on the deny list.
    BlockKeptAfterRetry,
    /// A service-point refund costs no admin fee.
    CounterRefundWithoutFee,
    /// Every operator gets the same token for a bank card.
    SharedOperatorToken,
    /// No operator's intraday threshold is configured, so it never triggers.
    ThresholdIgnored,
    /// Failed payments are retried after day 62.
    RetriesAfterDay62,
    /// No weekday peak hours: every journey is off-peak.
    PeakHoursIgnored,
    /// Readers check only that the balance is not negative, not the minimum balance.
    NoMinimumBalance,
    /// Transfers continue a journey however long ago it started.
    NoSixHourLimit,
    /// PAN data are kept 48 hours.
    PanKept48h,
    /// Missed check-out refunds without the per-operator half-year limit.
    MissedCheckOutRefundsUnlimited,
}

/// Where a fault is injected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injection {
    /// A parameter of a clone of the rule set is wrong.
    RuleSet,
    /// A decorator around the reference alters one behaviour.
    Decorator,
}

impl Fault {
    const ALL: [Fault; 14] = [
        Fault::TransferWindow40,
        Fault::TravelDayEnds0300,
        Fault::NoAntiPassback,
        Fault::BtmBaseFareAgain,
        Fault::BlockKeptAfterRetry,
        Fault::CounterRefundWithoutFee,
        Fault::SharedOperatorToken,
        Fault::ThresholdIgnored,
        Fault::RetriesAfterDay62,
        Fault::PeakHoursIgnored,
        Fault::NoMinimumBalance,
        Fault::NoSixHourLimit,
        Fault::PanKept48h,
        Fault::MissedCheckOutRefundsUnlimited,
    ];

    /// Every fault, in a fixed order.
    pub fn all() -> &'static [Fault] {
        &Self::ALL
    }

    /// The kebab-case name `--fault` takes.
    pub fn name(self) -> &'static str {
        match self {
            Fault::TransferWindow40 => "transfer-window-40",
            Fault::TravelDayEnds0300 => "travel-day-ends-0300",
            Fault::NoAntiPassback => "no-anti-passback",
            Fault::BtmBaseFareAgain => "btm-base-fare-again",
            Fault::BlockKeptAfterRetry => "block-kept-after-retry",
            Fault::CounterRefundWithoutFee => "counter-refund-without-fee",
            Fault::SharedOperatorToken => "shared-operator-token",
            Fault::ThresholdIgnored => "threshold-ignored",
            Fault::RetriesAfterDay62 => "retries-after-day-62",
            Fault::PeakHoursIgnored => "peak-hours-ignored",
            Fault::NoMinimumBalance => "no-minimum-balance",
            Fault::NoSixHourLimit => "no-six-hour-limit",
            Fault::PanKept48h => "pan-kept-48h",
            Fault::MissedCheckOutRefundsUnlimited => "missed-check-out-refunds-unlimited",
        }
    }

    /// The catalogue rules (RULES.md IDs) the fault breaks; the suite must fail at least one
    /// scenario tagged with one of them.
    pub fn rule_ids(self) -> &'static [&'static str] {
        match self {
            // JRN-01 states the 35-minute transfer; FARE-03 the base fare not charged again
            // within it.
            Fault::TransferWindow40 => &["JRN-01", "FARE-03"],
            Fault::TravelDayEnds0300 => &["EMV-07"],
            Fault::NoAntiPassback => &["TAP-03"],
            Fault::BtmBaseFareAgain => &["FARE-03"],
            // EMV-13: "a successful retry lifts the block".
            Fault::BlockKeptAfterRetry => &["EMV-13"],
            // TERM-03 charges the €1 admin fee; FEE-02 says when a counter refund is free (and
            // so when it is not).
            Fault::CounterRefundWithoutFee => &["TERM-03", "FEE-02"],
            Fault::SharedOperatorToken => &["EMV-02"],
            Fault::ThresholdIgnored => &["EMV-09"],
            Fault::RetriesAfterDay62 => &["EMV-13"],
            // FARE-06's grace is the end of a peak window, so it goes with the windows.
            Fault::PeakHoursIgnored => &["FARE-05", "FARE-06"],
            Fault::NoMinimumBalance => &["TAP-02"],
            Fault::NoSixHourLimit => &["JRN-02"],
            // EMV-01 and EMV-17 both limit holding PAN data to 24 hours.
            Fault::PanKept48h => &["EMV-17", "EMV-01"],
            Fault::MissedCheckOutRefundsUnlimited => &["TERM-16"],
        }
    }

    /// What the faulty system does wrong, in one sentence.
    pub fn description(self) -> &'static str {
        match self {
            Fault::TransferWindow40 => {
                "A check-in up to 40 minutes after a check-out still continues the journey \
                 (the rule says 35)."
            }
            Fault::TravelDayEnds0300 => {
                "The travel day ends at 03:00 instead of 03:05, so late check-outs fall into \
                 the next day."
            }
            Fault::NoAntiPassback => {
                "Readers take a second tap of the same card at once: no anti-passback window \
                 and no NS 15-second duplicate window."
            }
            Fault::BtmBaseFareAgain => {
                "The back office charges the base fare again on every bus/tram/metro transfer \
                 within a journey."
            }
            Fault::BlockKeptAfterRetry => {
                "A card whose failed payment is paid by an automatic retry stays on the deny \
                 list."
            }
            Fault::CounterRefundWithoutFee => {
                "Service points refund the balance without deducting the admin fee."
            }
            Fault::SharedOperatorToken => {
                "Every operator's report shows a bank card under one and the same token, so \
                 operators can link journeys across operators."
            }
            Fault::ThresholdIgnored => {
                "No operator's intraday threshold is configured, so fares are only ever \
                 charged at night."
            }
            Fault::RetriesAfterDay62 => {
                "The back office keeps retrying a failed payment until day 90."
            }
            Fault::PeakHoursIgnored => {
                "No weekday peak windows are configured, so every journey is priced off-peak."
            }
            Fault::NoMinimumBalance => {
                "Readers let any card with a balance of at least zero check in, whatever the \
                 boarding fee."
            }
            Fault::NoSixHourLimit => {
                "A transfer continues a journey however long ago its first check-in was (no \
                 six-hour limit)."
            }
            Fault::PanKept48h => "The back office keeps PAN data 48 hours instead of 24.",
            Fault::MissedCheckOutRefundsUnlimited => {
                "Missed check-out refunds are granted without the limit of three per operator \
                 per half-year."
            }
        }
    }

    /// Where the fault is injected.
    pub fn injection(self) -> Injection {
        match self {
            Fault::BtmBaseFareAgain | Fault::BlockKeptAfterRetry | Fault::SharedOperatorToken => {
                Injection::Decorator
            }
            _ => Injection::RuleSet,
        }
    }

    /// Parses a fault's name; the error lists the valid names.
    pub fn parse(text: &str) -> Result<Fault, String> {
        Self::ALL
            .into_iter()
            .find(|f| f.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown fault `{text}`: valid faults are {}",
                    names.join(", ")
                )
            })
    }

    /// A rule-set fault: sets the wrong parameter in `rules` (a clone of the real rule set).
    /// Decorator faults leave the rule set alone.
    fn misconfigure(self, rules: &mut RuleSet) {
        match self {
            Fault::TransferWindow40 => rules.journey.transfer_window_min = 40,
            Fault::TravelDayEnds0300 => rules.travel_day.end_local = Time::constant(3, 0, 0, 0),
            Fault::NoAntiPassback => {
                for service in rules.operators.iter_mut().flat_map(|o| &mut o.services) {
                    service.anti_passback_s = 0;
                }
                rules.reader.duplicate_window_s = 0;
            }
            Fault::CounterRefundWithoutFee => rules.fees.refund_admin_fee_cents = Cents::ZERO,
            // An operator without a threshold is never charged intraday.
            Fault::ThresholdIgnored => rules.ovpay.thresholds.clear(),
            Fault::RetriesAfterDay62 => {
                rules.ovpay.retry_schedule_days.extend([76, 90]);
                rules.ovpay.retry_horizon_days = 90;
            }
            Fault::PeakHoursIgnored => rules.peak.weekday_windows.clear(),
            // Minimum = boarding fee − offset, never below zero: an offset above every
            // boarding fee leaves only "not negative".
            Fault::NoMinimumBalance => {
                rules.reader.min_balance_offset_cents = Cents::euros(1_000);
            }
            Fault::NoSixHourLimit => rules.journey.max_transfer_span_min = 7 * 24 * 60,
            Fault::PanKept48h => rules.ovpay.pan_retention_h = 48,
            Fault::MissedCheckOutRefundsUnlimited => {
                rules.terms.missed_check_out.max_claims_per_operator = u32::MAX;
            }
            Fault::BtmBaseFareAgain | Fault::BlockKeptAfterRetry | Fault::SharedOperatorToken => {}
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(text: &str) -> Result<Fault, String> {
        Fault::parse(text)
    }
}

/// The in-process reference for `rules` with `faults` injected; with no faults, the plain
/// reference.
pub fn system(rules: Arc<RuleSet>, faults: &[Fault]) -> Box<dyn SystemUnderTest> {
    if faults.is_empty() {
        return Box::new(InProcess::new(rules));
    }
    let mut misconfigured = RuleSet::clone(&rules);
    for fault in faults {
        fault.misconfigure(&mut misconfigured);
    }
    let misconfigured = Arc::new(misconfigured);
    let inner = Box::new(InProcess::new(Arc::clone(&misconfigured)));
    // Always wrapped, so the identity in reports says which faults the system carries.
    Box::new(faulty::Faulty::new(inner, misconfigured, faults))
}

/// A factory of fresh faulty systems, one per scenario (see [`crate::runner::SutSource`]).
pub fn factory(rules: Arc<RuleSet>, faults: Vec<Fault>) -> SutFactory {
    Arc::new(move || system(Arc::clone(&rules), &faults))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_are_unique() {
        for fault in Fault::all() {
            assert_eq!(Fault::parse(fault.name()), Ok(*fault));
            assert!(!fault.rule_ids().is_empty(), "{fault} names no rule");
            assert!(fault.description().ends_with('.'), "{fault}");
        }
        let mut names: Vec<&str> = Fault::all().iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Fault::all().len());
    }

    #[test]
    fn an_unknown_name_lists_the_valid_ones() {
        let error = Fault::parse("free-travel").unwrap_err();
        assert!(error.contains("free-travel"), "{error}");
        for fault in Fault::all() {
            assert!(error.contains(fault.name()), "{error}");
        }
    }

    #[test]
    fn every_rule_id_is_in_the_catalogue() {
        let catalogue = crate::catalogue::rules();
        for fault in Fault::all() {
            for id in fault.rule_ids() {
                assert!(
                    catalogue.iter().any(|r| r.id == *id),
                    "{fault}: {id} is not a catalogue rule"
                );
            }
        }
    }

    #[test]
    fn rule_set_faults_change_the_rule_set_and_decorator_faults_do_not() {
        let rules = ovcert_reference::rules::nl_2024();
        for fault in Fault::all() {
            let mut changed = rules.clone();
            fault.misconfigure(&mut changed);
            assert_eq!(
                changed != rules,
                fault.injection() == Injection::RuleSet,
                "{fault}"
            );
        }
    }
}
