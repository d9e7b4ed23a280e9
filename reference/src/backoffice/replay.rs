//! Replaying a fixed set of taps: the golden datasets' input format (`taps.jsonl`, one tap
//! message per line in the participant JSON form, and `cards.json`, the OV-chipkaart profiles
//! by card number) and a run of every travel day through a fresh back office, reported and
//! settled once the last day has closed.
//!
//! Shared by the golden tests and `ovcert diff-rules`, so both see the same back office. Pure:
//! the caller reads the files and passes their texts.

use std::collections::{BTreeMap, BTreeSet};

use crate::card::CardNumber;
use crate::rules::RuleSet;
use crate::tap::TapMessage;
use crate::tap::codec;
use crate::time::TravelDay;

use super::simulate::{self, DayOutcome};
use super::{BackOfficeError, CardProfile};

/// Taps and the card profiles the card distributor registered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dataset {
    pub taps: Vec<TapMessage>,
    pub cards: BTreeMap<CardNumber, CardProfile>,
}

/// A line of a taps file or the cards file that does not parse. The reason never quotes the
/// input, which may hold a PAN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatasetError {
    #[error("line {line}: {reason}")]
    Tap { line: usize, reason: String },
    #[error("{reason}")]
    Cards { reason: String },
}

/// One tap message per line (JSON); blank lines are skipped.
pub fn parse_taps(text: &str) -> Result<Vec<TapMessage>, DatasetError> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            codec::decode_json(line).map_err(|e| DatasetError::Tap {
                line: i + 1,
                reason: e.to_string(),
            })
        })
        .collect()
}

/// The OV-chipkaart profiles, keyed by card number (`cards.json`).
pub fn parse_cards(text: &str) -> Result<BTreeMap<CardNumber, CardProfile>, DatasetError> {
    serde_json::from_str(text).map_err(|e| DatasetError::Cards {
        reason: e.to_string(),
    })
}

/// Every travel day of the dataset's taps (under `rules`), in order.
pub fn travel_days(rules: &RuleSet, taps: &[TapMessage]) -> BTreeSet<TravelDay> {
    let day_rule = rules.travel_day_rule();
    taps.iter().map(|t| day_rule.travel_day_of(t.at)).collect()
}

/// Every travel day of `dataset` under `rules`: the taps uploaded in `order` (a permutation of
/// their indices) then `duplicates`, each day reported and settled once the last day has
/// closed. No taps, no days.
pub fn replay(
    rules: &RuleSet,
    dataset: &Dataset,
    order: &[usize],
    duplicates: &[usize],
) -> Result<Vec<DayOutcome>, BackOfficeError> {
    let mut office = simulate::fresh_back_office(rules);
    for (number, profile) in &dataset.cards {
        office.register_card(*number, profile.clone());
    }
    let uploads = simulate::upload(&mut office, &dataset.taps, order, duplicates)?;
    let days = travel_days(rules, &dataset.taps);
    let Some(&last) = days.last() else {
        return Ok(Vec::new());
    };
    let now = simulate::closed_at(rules, last);
    days.into_iter()
        .map(|day| simulate::outcome(rules, &mut office, day, now, uploads))
        .collect()
}

/// [`replay`] in file order without duplicates.
pub fn replay_in_order(
    rules: &RuleSet,
    dataset: &Dataset,
) -> Result<Vec<DayOutcome>, BackOfficeError> {
    let order: Vec<usize> = (0..dataset.taps.len()).collect();
    replay(rules, dataset, &order, &[])
}
