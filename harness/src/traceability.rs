//! Traceability: which scenarios cover which rule IDs, and how they ended.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalogue::Rule;
use crate::evidence::timeline::Timeline;

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Passed,
    Failed,
    Skipped,
}

/// One executed scenario (an outline's example row counts as one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioRecord {
    pub feature: String,
    pub scenario: String,
    pub line: usize,
    /// Tags without '@', feature tags included.
    pub tags: Vec<String>,
    pub outcome: Outcome,
    /// Why it failed: the failing step's assertion or error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// What the system under test reported about the scenario's cards after it failed, for
    /// the human report; never part of `traceability.json`.
    #[serde(skip)]
    pub timeline: Option<Timeline>,
}

impl ScenarioRecord {
    /// The rule IDs this scenario is tagged with.
    pub fn rule_ids<'a>(&'a self, rules: &'a [Rule]) -> impl Iterator<Item = &'a str> {
        self.tags
            .iter()
            .filter(|t| rules.iter().any(|r| &r.id == *t))
            .map(String::as_str)
    }
}

/// Counts for one rule ID.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RuleCounts {
    pub scenarios: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl RuleCounts {
    fn add(&mut self, outcome: Outcome) {
        self.scenarios += 1;
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Skipped => self.skipped += 1,
        }
    }

    /// Covered = at least one scenario, and every one of them passed.
    pub fn is_covered(&self) -> bool {
        self.scenarios > 0 && self.passed == self.scenarios
    }
}

/// `traceability.json`: an entry for every rule ID of the catalogue, zeros where none covers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Traceability {
    pub rules: BTreeMap<String, RuleCounts>,
}

impl Traceability {
    pub fn build(rules: &[Rule], scenarios: &[ScenarioRecord]) -> Traceability {
        let mut map: BTreeMap<String, RuleCounts> = rules
            .iter()
            .map(|r| (r.id.clone(), RuleCounts::default()))
            .collect();
        for scenario in scenarios {
            for id in scenario.rule_ids(rules) {
                if let Some(counts) = map.get_mut(id) {
                    counts.add(scenario.outcome);
                }
            }
        }
        Traceability { rules: map }
    }

    /// Deterministic JSON: sorted keys, two-space indent, trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("plain data serialises");
        text.push('\n');
        text
    }
}

/// One line of the per-family summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyLine {
    pub family: String,
    pub rules: usize,
    pub covered: usize,
    pub counts: RuleCounts,
}

/// The per-family summary: rules, rules covered, and distinct scenarios per family.
pub fn family_summary(rules: &[Rule], scenarios: &[ScenarioRecord]) -> Vec<FamilyLine> {
    let trace = Traceability::build(rules, scenarios);
    crate::catalogue::families(rules)
        .into_iter()
        .map(|family| {
            let ids: Vec<&Rule> = rules.iter().filter(|r| r.family == family).collect();
            let covered = ids
                .iter()
                .filter(|r| trace.rules[&r.id].is_covered())
                .count();
            let mut counts = RuleCounts::default();
            for s in scenarios {
                if s.rule_ids(rules)
                    .any(|id| id.starts_with(&format!("{family}-")))
                {
                    counts.add(s.outcome);
                }
            }
            FamilyLine {
                family,
                rules: ids.len(),
                covered,
                counts,
            }
        })
        .collect()
}

/// Renders the summary table printed at the end of a run.
pub fn render_summary(lines: &[FamilyLine], scenarios: &[ScenarioRecord]) -> String {
    let mut out = String::from("family  rules  covered  scenarios  passed  failed  skipped\n");
    for l in lines {
        out.push_str(&format!(
            "{:<6} {:>6} {:>8} {:>10} {:>7} {:>7} {:>8}\n",
            l.family,
            l.rules,
            l.covered,
            l.counts.scenarios,
            l.counts.passed,
            l.counts.failed,
            l.counts.skipped
        ));
    }
    let mut total = RuleCounts::default();
    for s in scenarios {
        total.add(s.outcome);
    }
    let rules: usize = lines.iter().map(|l| l.rules).sum();
    let covered: usize = lines.iter().map(|l| l.covered).sum();
    out.push_str(&format!(
        "{:<6} {:>6} {:>8} {:>10} {:>7} {:>7} {:>8}\n",
        "total", rules, covered, total.scenarios, total.passed, total.failed, total.skipped
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::parse;

    fn scenario(tags: &[&str], outcome: Outcome) -> ScenarioRecord {
        ScenarioRecord {
            feature: "f".into(),
            scenario: "s".into(),
            line: 1,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            outcome,
            failure: None,
            timeline: None,
        }
    }

    #[test]
    fn counts_per_rule_with_zeros_for_uncovered() {
        let rules = parse("- CARD-01 a\n- CARD-02 b\n- TAP-01 c\n");
        let runs = [
            scenario(&["CARD-01", "role:seller"], Outcome::Passed),
            scenario(&["CARD-01", "TAP-01"], Outcome::Failed),
            scenario(&["TAP-01"], Outcome::Skipped),
        ];
        let t = Traceability::build(&rules, &runs);
        assert_eq!(
            t.rules["CARD-01"],
            RuleCounts {
                scenarios: 2,
                passed: 1,
                failed: 1,
                skipped: 0
            }
        );
        assert_eq!(t.rules["CARD-02"], RuleCounts::default());
        assert_eq!(
            t.rules["TAP-01"],
            RuleCounts {
                scenarios: 2,
                passed: 0,
                failed: 1,
                skipped: 1
            }
        );
        assert!(
            t.to_json()
                .starts_with("{\n  \"rules\": {\n    \"CARD-01\": {")
        );
        let summary = family_summary(&rules, &runs);
        assert_eq!(summary[0].covered, 0);
        assert_eq!(summary[0].counts.scenarios, 2);
        assert_eq!(
            summary[1].counts,
            RuleCounts {
                scenarios: 2,
                passed: 0,
                failed: 1,
                skipped: 1
            }
        );
    }
}
