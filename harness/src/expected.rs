//! Known non-conformances (`--expected-failures FILE`): a participant on its way to
//! certification lists what it knows still fails, with a reason, so a run shows what changed.
//!
//! The list is strict both ways: a listed failure that now passes fails the run (the list must
//! shrink with the system), and so does an entry that matches nothing. Certification accepts
//! no list at all.

use serde::Deserialize;

use crate::catalogue::Rule;
use crate::traceability::{Outcome, ScenarioRecord};

/// One known non-conformance: a rule ID (every scenario tagged with it) or one scenario
/// (`features/path.feature:LINE`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    #[serde(default)]
    pub rule: Option<String>,
    #[serde(default)]
    pub scenario: Option<String>,
    pub reason: String,
}

impl Entry {
    fn label(&self) -> String {
        match (&self.rule, &self.scenario) {
            (Some(rule), _) => format!("rule {rule}"),
            (None, Some(scenario)) => format!("scenario {scenario}"),
            (None, None) => "an entry without rule or scenario".into(),
        }
    }

    fn matches(&self, record: &ScenarioRecord) -> bool {
        match (&self.rule, &self.scenario) {
            (Some(rule), _) => record.tags.iter().any(|t| t == rule),
            (None, Some(scenario)) => format!("{}:{}", record.feature, record.line) == *scenario,
            (None, None) => false,
        }
    }
}

/// The list, as read from its file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpectedFailures {
    pub entries: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    expected: Vec<Entry>,
}

impl ExpectedFailures {
    /// Parses `[[expected]]` entries, each with `rule` or `scenario` and a `reason`.
    pub fn load_str(
        file: &str,
        text: &str,
        catalogue: &[Rule],
    ) -> Result<ExpectedFailures, String> {
        let parsed: File = toml::from_str(text)
            .map_err(|e| format!("{file}: not an expected-failures list: {e}"))?;
        for (index, entry) in parsed.expected.iter().enumerate() {
            let at = format!("{file}: [[expected]] #{}", index + 1);
            match (&entry.rule, &entry.scenario) {
                (Some(_), Some(_)) | (None, None) => {
                    return Err(format!("{at}: give exactly one of `rule` and `scenario`"));
                }
                (Some(rule), None) if !catalogue.iter().any(|r| &r.id == rule) => {
                    return Err(format!("{at}: `{rule}` is not a rule ID of the catalogue"));
                }
                (None, Some(scenario)) if !scenario.contains(".feature:") => {
                    return Err(format!(
                        "{at}: a scenario is named `features/PATH.feature:LINE`, not `{scenario}`"
                    ));
                }
                _ => {}
            }
            if entry.reason.trim().is_empty() {
                return Err(format!("{at}: every known non-conformance needs a reason"));
            }
        }
        Ok(ExpectedFailures {
            entries: parsed.expected,
        })
    }

    /// How the run's scenarios meet the list.
    pub fn assess(&self, scenarios: &[ScenarioRecord]) -> Assessment {
        let mut assessment = Assessment::default();
        for entry in &self.entries {
            let matched: Vec<&ScenarioRecord> =
                scenarios.iter().filter(|s| entry.matches(s)).collect();
            if matched.is_empty() {
                assessment
                    .unused
                    .push(format!("{} matches no scenario of this run", entry.label()));
            } else if matched.iter().all(|s| s.outcome == Outcome::Passed) {
                assessment.unexpected_passes.push(format!(
                    "{} is listed as failing ({}) but all its {} scenario(s) passed: remove it",
                    entry.label(),
                    entry.reason,
                    matched.len()
                ));
            }
        }
        for scenario in scenarios.iter().filter(|s| s.outcome == Outcome::Failed) {
            match self.entries.iter().find(|e| e.matches(scenario)) {
                Some(entry) => assessment.expected.push(format!(
                    "{}:{} {} — {}: {}",
                    scenario.feature,
                    scenario.line,
                    scenario.scenario,
                    entry.label(),
                    entry.reason
                )),
                None => assessment.unexpected_failures += 1,
            }
        }
        assessment
    }
}

/// What a run did against the list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assessment {
    /// Failed scenarios the list accounts for.
    pub expected: Vec<String>,
    /// Failed scenarios no entry accounts for.
    pub unexpected_failures: usize,
    /// Entries whose scenarios all passed.
    pub unexpected_passes: Vec<String>,
    /// Entries that match no scenario of the run.
    pub unused: Vec<String>,
}

impl Assessment {
    /// The list and the run agree: every failure listed, every entry still failing.
    pub fn holds(&self) -> bool {
        self.unexpected_failures == 0 && self.unexpected_passes.is_empty() && self.unused.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(feature: &str, line: usize, tags: &[&str], outcome: Outcome) -> ScenarioRecord {
        ScenarioRecord {
            feature: feature.into(),
            scenario: format!("scenario at {line}"),
            line,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            outcome,
            failure: None,
            timeline: None,
        }
    }

    #[test]
    fn listed_failures_pass_and_stale_entries_fail() {
        let catalogue = crate::catalogue::rules();
        let text = r#"
            [[expected]]
            rule = "TAP-03"
            reason = "anti-passback not built yet"
            [[expected]]
            scenario = "features/fare/peak.feature:12"
            reason = "holiday calendar pending"
        "#;
        let list = ExpectedFailures::load_str("x.toml", text, &catalogue).unwrap();
        let run = [
            record(
                "features/reader/ap.feature",
                5,
                &["TAP-03"],
                Outcome::Failed,
            ),
            record(
                "features/fare/peak.feature",
                12,
                &["FARE-05"],
                Outcome::Failed,
            ),
            record(
                "features/fare/peak.feature",
                20,
                &["FARE-05"],
                Outcome::Passed,
            ),
        ];
        let assessment = list.assess(&run);
        assert!(assessment.holds(), "{assessment:?}");
        assert_eq!(assessment.expected.len(), 2);

        let healed = [
            record(
                "features/reader/ap.feature",
                5,
                &["TAP-03"],
                Outcome::Passed,
            ),
            record(
                "features/fare/peak.feature",
                12,
                &["FARE-05"],
                Outcome::Failed,
            ),
        ];
        let assessment = list.assess(&healed);
        assert!(!assessment.holds());
        assert_eq!(assessment.unexpected_passes.len(), 1, "{assessment:?}");

        let elsewhere = [record(
            "features/x.feature",
            1,
            &["JRN-01"],
            Outcome::Failed,
        )];
        let assessment = list.assess(&elsewhere);
        assert_eq!(assessment.unused.len(), 2);
        assert_eq!(assessment.unexpected_failures, 1);
    }

    #[test]
    fn entries_are_checked() {
        let catalogue = crate::catalogue::rules();
        let no_reason = "[[expected]]\nrule = \"TAP-03\"\nreason = \" \"\n";
        assert!(
            ExpectedFailures::load_str("x", no_reason, &catalogue)
                .unwrap_err()
                .contains("reason")
        );
        let unknown = "[[expected]]\nrule = \"TAP-99\"\nreason = \"r\"\n";
        assert!(
            ExpectedFailures::load_str("x", unknown, &catalogue)
                .unwrap_err()
                .contains("not a rule ID")
        );
        let both = "[[expected]]\nrule = \"TAP-03\"\nscenario = \"features/a.feature:1\"\nreason = \"r\"\n";
        assert!(
            ExpectedFailures::load_str("x", both, &catalogue)
                .unwrap_err()
                .contains("exactly one")
        );
    }
}
