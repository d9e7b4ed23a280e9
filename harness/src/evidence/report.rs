//! The human report of a run: one self-contained HTML file (inline CSS, no scripts, nothing
//! fetched) that a certification institute can open offline, print or archive.
//!
//! It shows the verdict, the counts, the clause-by-clause matrix of the rule catalogue and,
//! for every failed scenario, where it is, its steps, what was expected against what was
//! observed and the journey timeline. Stable element ids (`verdict`, `summary`, `matrix`,
//! `rule-<ID>`, `failures`) let tests and tools find their way. The same input gives the same
//! bytes: nothing here reads a clock or iterates a hash map.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::catalogue::{self, Rule};
use crate::runner::RunReport;
use crate::traceability::{Outcome, RuleCounts, ScenarioRecord, Traceability, family_summary};

use super::timeline::{escape, render_svg};

/// What the report is made of. Times are given as text by the caller: the report never reads
/// a clock.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    pub report: &'a RunReport,
    /// The heading; "ovcert conformance report" when none.
    pub title: Option<&'a str>,
    /// The participant role whose profile ran (ONB-01), when one was selected.
    pub role: Option<&'a str>,
    /// The onboarding phase the run is evidence for (ONB-02).
    pub phase: Option<&'a str>,
    /// The system under test as it identified itself.
    pub sut: &'a str,
    /// The rule set's id.
    pub rule_set: &'a str,
    pub started: Option<String>,
    pub finished: Option<String>,
    /// The run's cucumber JSON (an array of features → elements → steps), for the steps of
    /// failed scenarios.
    pub cucumber_json: Option<&'a Value>,
}

impl<'a> ReportInput<'a> {
    /// The report of `report` with the identity and rule set it recorded, nothing else.
    pub fn new(report: &'a RunReport) -> ReportInput<'a> {
        ReportInput {
            report,
            title: None,
            role: None,
            phase: None,
            sut: &report.sut,
            rule_set: &report.rule_set,
            started: None,
            finished: None,
            cucumber_json: None,
        }
    }
}

/// The report as one HTML document.
pub fn render_html(input: &ReportInput) -> String {
    let report = input.report;
    let title = input.title.unwrap_or("ovcert conformance report");
    let failed: Vec<&ScenarioRecord> = report
        .scenarios
        .iter()
        .filter(|s| s.outcome == Outcome::Failed)
        .collect();
    // Anchors of the failed scenarios, in report order, for the matrix to link to.
    let anchors: BTreeMap<(&str, usize, &str), String> = failed
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                (s.feature.as_str(), s.line, s.scenario.as_str()),
                format!("failure-{}", i + 1),
            )
        })
        .collect();

    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"ovcert\">\n<title>{} — {}</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n",
        escape(title),
        if report.passed() { "PASS" } else { "FAIL" }
    );
    header(&mut html, input, title);
    summary(&mut html, input);
    // What needs attention first; the matrix is the long reference after it.
    failures(&mut html, input, &failed);
    skipped(&mut html, report);
    matrix(&mut html, report, &anchors);
    let _ = writeln!(
        html,
        "<footer>Written by ovcert for rule set {}. Local times are Europe/Amsterdam.</footer>\n\
         </body>\n</html>",
        escape(input.rule_set)
    );
    html
}

const STYLE: &str = "\
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;\
color:#1d1f23;margin:0 auto;max-width:1240px;padding:24px}\
h1{font-size:26px;margin:0 0 12px}h2{font-size:21px;margin:36px 0 10px;border-bottom:2px solid #d8dce2}\
h3{font-size:17px;margin:22px 0 8px}h4{font-size:14px;margin:16px 0 6px;text-transform:uppercase;\
letter-spacing:.04em;color:#4a4f57}\
header{display:flex;gap:24px;align-items:center;flex-wrap:wrap}\
.verdict{font-size:44px;font-weight:800;padding:6px 28px;border-radius:8px;border:4px solid}\
.verdict.pass{color:#0f5d2a;background:#e4f5e9;border-color:#1b7f3b}\
.verdict.fail{color:#8a1116;background:#fbe5e6;border-color:#c0262d}\
.why{font-size:16px}\
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d8dce2;padding:4px 8px;\
text-align:left;vertical-align:top}th{background:#f2f4f7}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dl.facts dt{font-weight:600}\
dl.facts dd{margin:0}\
table.matrix{table-layout:fixed;width:100%}table.matrix th:nth-child(1){width:84px}\
table.matrix th:nth-child(3){width:130px}table.matrix th:nth-child(4){width:120px}\
table.matrix th:nth-child(5){width:26%}\
.matrix td.id{font-weight:700;white-space:nowrap}.matrix td.src{font-size:13px}\
.status{font-weight:700;white-space:nowrap;padding:1px 6px;border-radius:4px}\
.st-pass .status,.status.st-pass{color:#0f5d2a;background:#e4f5e9}\
.st-fail .status,.status.st-fail{color:#8a1116;background:#fbe5e6}\
.st-skip .status,.status.st-skip{color:#6b4a00;background:#fff2cc}\
.st-none .status,.status.st-none{color:#444;background:#eceef1}\
tr.rule.st-fail{background:#fff6f6}\
ul.scen{margin:4px 0;padding-left:18px;font-size:13px}\
.failed-scenario{border:2px solid #c0262d;border-radius:8px;padding:4px 16px 16px;margin:18px 0;\
background:#fffdfd}\
.where code{font-size:13px}ol.steps{padding-left:22px}ol.steps li{margin:2px 0}\
pre{white-space:pre-wrap;word-break:break-word;background:#f5f6f8;border:1px solid #e1e4e8;\
padding:8px;font-size:13px}\
table.eo:not(.rows) th{width:150px}td.diff{background:#fde2e3;font-weight:700}\
td.mark{text-align:center;font-weight:700}table.rows td.n,table.rows th.n,td.mark{width:3em}\
.timeline{max-width:100%;height:auto;border:1px solid #d8dce2;background:#fff}\
.src-docs{font-size:13px;color:#4a4f57}\
footer{margin-top:40px;font-size:12px;color:#666}\
@media print{body{max-width:none}details{display:block}.failed-scenario{break-inside:avoid}}";

fn header(html: &mut String, input: &ReportInput, title: &str) {
    let report = input.report;
    let passed = report.passed();
    let total = report.scenarios.len();
    let count = |o: Outcome| report.scenarios.iter().filter(|s| s.outcome == o).count();
    let why = if total == 0 {
        "no scenario was run".to_owned()
    } else if passed {
        format!("all {total} scenarios passed")
    } else {
        let mut parts = Vec::new();
        if count(Outcome::Failed) > 0 {
            parts.push(format!("{} failed", count(Outcome::Failed)));
        }
        if count(Outcome::Skipped) > 0 {
            parts.push(format!("{} skipped", count(Outcome::Skipped)));
        }
        if parts.is_empty() {
            parts.push("the run itself failed (a parse or hook error)".to_owned());
        }
        format!("{} of {total} scenarios", parts.join(", "))
    };
    let _ = writeln!(
        html,
        "<header>\n<div>\n<h1>{}</h1>\n<div class=\"why\">Target: <b>{}</b> · rule set <b>{}</b></div>\n</div>\n\
         <div id=\"verdict\" class=\"verdict {}\" role=\"status\">{}</div>\n<div class=\"why\">{}</div>\n</header>",
        escape(title),
        escape(input.sut),
        escape(input.rule_set),
        if passed { "pass" } else { "fail" },
        if passed { "PASS" } else { "FAIL" },
        escape(&why)
    );
}

fn summary(html: &mut String, input: &ReportInput) {
    let report = input.report;
    html.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"facts\">\n");
    let facts: [(&str, Option<&str>); 6] = [
        ("Target", Some(input.sut)),
        ("Rule set", Some(input.rule_set)),
        ("Role", input.role),
        ("Phase", input.phase),
        ("Started", input.started.as_deref()),
        ("Finished", input.finished.as_deref()),
    ];
    for (name, value) in facts {
        if let Some(value) = value {
            let _ = writeln!(html, "<dt>{name}</dt><dd>{}</dd>", escape(value));
        }
    }
    html.push_str("</dl>\n");
    let trace = report.traceability();
    let rules = report.catalogue.len();
    let covered = trace.rules.values().filter(|c| c.is_covered()).count();
    let mut total = RuleCounts::default();
    for s in &report.scenarios {
        match s.outcome {
            Outcome::Passed => total.passed += 1,
            Outcome::Failed => total.failed += 1,
            Outcome::Skipped => total.skipped += 1,
        }
        total.scenarios += 1;
    }
    html.push_str(
        "<table class=\"families\">\n<thead><tr><th>family</th><th class=\"n\">rules</th>\
         <th class=\"n\">covered</th><th class=\"n\">scenarios</th><th class=\"n\">passed</th>\
         <th class=\"n\">failed</th><th class=\"n\">skipped</th><th>status</th></tr></thead>\n<tbody>\n",
    );
    for line in family_summary(&report.catalogue, &report.scenarios) {
        let status = Status::of(&line.counts);
        let _ = writeln!(
            html,
            "<tr class=\"{}\"><td><a href=\"#family-{f}\">{f}</a></td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td>{}</td></tr>",
            status.class(),
            line.rules,
            line.covered,
            line.counts.scenarios,
            line.counts.passed,
            line.counts.failed,
            line.counts.skipped,
            status.badge(),
            f = escape(&line.family),
        );
    }
    let status = if report.passed() {
        Status::Pass
    } else {
        Status::Fail
    };
    let _ = writeln!(
        html,
        "<tr class=\"total {}\"><th>total</th><th class=\"n\">{rules}</th><th class=\"n\">{covered}</th>\
         <th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th>\
         <th>{}</th></tr>\n</tbody>\n</table>",
        status.class(),
        total.scenarios,
        total.passed,
        total.failed,
        total.skipped,
        status.badge()
    );
    let _ = writeln!(
        html,
        "<p>{covered} of {rules} rules covered (at least one scenario, all passed); {} of {} \
         scenarios passed. A scenario tagged with several families counts in each; the total \
         counts it once.</p>\n</section>",
        total.passed, total.scenarios
    );
}

/// A rule's or a family's state, shown as text and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Pass,
    NotCovered,
    Skipped,
    Fail,
}

impl Status {
    fn of(counts: &RuleCounts) -> Status {
        if counts.failed > 0 {
            Status::Fail
        } else if counts.skipped > 0 {
            Status::Skipped
        } else if counts.scenarios == 0 {
            Status::NotCovered
        } else {
            Status::Pass
        }
    }

    fn class(self) -> &'static str {
        match self {
            Status::Pass => "st-pass",
            Status::Fail => "st-fail",
            Status::Skipped => "st-skip",
            Status::NotCovered => "st-none",
        }
    }

    fn badge(self) -> &'static str {
        match self {
            Status::Pass => "<span class=\"status st-pass\">✔ PASS</span>",
            Status::Fail => "<span class=\"status st-fail\">✘ FAIL</span>",
            Status::Skipped => "<span class=\"status st-skip\">⚠ SKIPPED</span>",
            Status::NotCovered => "<span class=\"status st-none\">— NOT COVERED</span>",
        }
    }
}

fn outcome_badge(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => Status::Pass.badge(),
        Outcome::Failed => Status::Fail.badge(),
        Outcome::Skipped => Status::Skipped.badge(),
    }
}

fn matrix(html: &mut String, report: &RunReport, anchors: &BTreeMap<(&str, usize, &str), String>) {
    let headings = family_headings(catalogue::RULES_MD);
    let documents = source_documents(catalogue::RULES_MD);
    let trace = Traceability::build(&report.catalogue, &report.scenarios);
    html.push_str(
        "<section id=\"matrix\">\n<h2>Rules, clause by clause</h2>\n<p>Every rule of the \
         catalogue with the scenarios that state it. A rule passes when it has at least one \
         scenario and all of them passed.</p>\n",
    );
    if !documents.is_empty() {
        html.push_str("<p class=\"src-docs\">Sources: ");
        let list: Vec<String> = documents
            .iter()
            .map(|(number, name)| format!("<b>{}</b> {}", escape(number), escape(name)))
            .collect();
        html.push_str(&list.join("; "));
        html.push_str(".</p>\n");
    }
    for family in catalogue::families(&report.catalogue) {
        let heading = headings
            .get(&family)
            .map_or(family.clone(), |h| h.title.clone());
        let _ = writeln!(
            html,
            "<h3 id=\"family-{}\">{}</h3>\n<table class=\"matrix\">\n<thead><tr><th>rule</th><th>text</th>\
             <th>source</th><th>status</th><th>scenarios</th></tr></thead>\n<tbody>",
            escape(&family),
            escape(&heading)
        );
        for rule in report.catalogue.iter().filter(|r| r.family == family) {
            let counts = trace.rules.get(&rule.id).copied().unwrap_or_default();
            let default_doc = headings.get(&family).and_then(|h| h.document.as_deref());
            rule_row(html, report, rule, &counts, default_doc, anchors);
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str("</section>\n");
}

fn rule_row(
    html: &mut String,
    report: &RunReport,
    rule: &Rule,
    counts: &RuleCounts,
    default_doc: Option<&str>,
    anchors: &BTreeMap<(&str, usize, &str), String>,
) {
    let status = Status::of(counts);
    let scenarios: Vec<&ScenarioRecord> = report
        .scenarios
        .iter()
        .filter(|s| s.tags.iter().any(|t| t == &rule.id))
        .collect();
    let _ = write!(
        html,
        "<tr id=\"rule-{id}\" class=\"rule {}\"><td class=\"id\">{id}</td><td class=\"text\">{}</td>\
         <td class=\"src\">{}</td><td>{}<br><span class=\"counts\">{} of {} passed",
        status.class(),
        escape(&rule.text),
        escape(&source_of(rule, default_doc)),
        status.badge(),
        counts.passed,
        counts.scenarios,
        id = escape(&rule.id),
    );
    if counts.failed > 0 {
        let _ = write!(html, ", {} failed", counts.failed);
    }
    if counts.skipped > 0 {
        let _ = write!(html, ", {} skipped", counts.skipped);
    }
    html.push_str("</span></td><td>");
    if scenarios.is_empty() {
        html.push_str("no scenario");
    } else {
        let open = if counts.failed > 0 || counts.skipped > 0 {
            " open"
        } else {
            ""
        };
        let _ = write!(
            html,
            "<details{open}><summary>{} scenario{}</summary><ul class=\"scen\">",
            scenarios.len(),
            if scenarios.len() == 1 { "" } else { "s" }
        );
        for s in scenarios {
            let name = escape(&s.scenario);
            let name = match anchors.get(&(s.feature.as_str(), s.line, s.scenario.as_str())) {
                Some(anchor) => format!("<a href=\"#{anchor}\">{name}</a>"),
                None => name,
            };
            let _ = write!(
                html,
                "<li class=\"{}\">{} {name} <small>{}:{}</small></li>",
                outcome_class(s.outcome),
                outcome_badge(s.outcome),
                escape(&s.feature),
                s.line
            );
        }
        html.push_str("</ul></details>");
    }
    html.push_str("</td></tr>\n");
}

fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "st-pass",
        Outcome::Failed => "st-fail",
        Outcome::Skipped => "st-skip",
    }
}

fn failures(html: &mut String, input: &ReportInput, failed: &[&ScenarioRecord]) {
    let _ = writeln!(
        html,
        "<section id=\"failures\">\n<h2>Failed scenarios ({})</h2>",
        failed.len()
    );
    if failed.is_empty() {
        html.push_str("<p>None: no scenario failed.</p>\n");
    }
    let rules = &input.report.catalogue;
    for (i, scenario) in failed.iter().enumerate() {
        let ids: Vec<&str> = scenario.rule_ids(rules).collect();
        let _ = writeln!(
            html,
            "<article class=\"failed-scenario\" id=\"failure-{}\">\n<h3>{} {}</h3>\n\
             <p class=\"where\"><code>features/{}:{}</code> · rules: {}</p>",
            i + 1,
            Status::Fail.badge(),
            escape(&scenario.scenario),
            escape(&scenario.feature),
            scenario.line,
            if ids.is_empty() {
                "none".to_owned()
            } else {
                ids.iter()
                    .map(|id| format!("<a href=\"#rule-{id}\">{id}</a>", id = escape(id)))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
        let failure = scenario.failure.as_deref().unwrap_or("no reason recorded");
        if let Some(steps) = input
            .cucumber_json
            .and_then(|json| scenario_steps(json, scenario))
        {
            steps_list(html, &steps);
        }
        html.push_str("<h4>Expected vs observed</h4>\n");
        comparison(html, failure);
        html.push_str("<h4>Timeline</h4>\n");
        match &scenario.timeline {
            Some(timeline) => {
                html.push_str("<figure>\n");
                html.push_str(&render_svg(timeline));
                html.push_str(
                    "<figcaption>What the system under test reported after the failure: \
                     taps, journeys with their fares, and money moved, per card. Hover a \
                     mark for its details.</figcaption>\n</figure>\n",
                );
            }
            None => html.push_str("<p>No timeline was captured for this scenario.</p>\n"),
        }
        html.push_str("</article>\n");
    }
    html.push_str("</section>\n");
}

fn skipped(html: &mut String, report: &RunReport) {
    let skipped: Vec<&ScenarioRecord> = report
        .scenarios
        .iter()
        .filter(|s| s.outcome == Outcome::Skipped)
        .collect();
    if skipped.is_empty() {
        return;
    }
    let _ = writeln!(
        html,
        "<section id=\"skipped\">\n<h2>Skipped scenarios ({})</h2>\n<p>A skipped scenario fails \
         the run: one of its steps matches no step definition.</p>\n<ul>",
        skipped.len()
    );
    for s in skipped {
        let _ = writeln!(
            html,
            "<li class=\"skipped-scenario\">{} {} <code>features/{}:{}</code></li>",
            Status::Skipped.badge(),
            escape(&s.scenario),
            escape(&s.feature),
            s.line
        );
    }
    html.push_str("</ul>\n</section>\n");
}

// ---- steps from the cucumber JSON ---------------------------------------------------------

/// One step as the cucumber JSON reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StepLine {
    keyword: String,
    name: String,
    status: String,
    error: Option<String>,
}

/// The steps of `scenario` (its background first) from the standard cucumber JSON: the
/// feature by its path, the elements by the scenario's line.
fn scenario_steps(json: &Value, scenario: &ScenarioRecord) -> Option<Vec<StepLine>> {
    let feature = json.as_array()?.iter().find(|f| {
        f.get("uri")
            .and_then(Value::as_str)
            .is_some_and(|uri| same_feature(uri, &scenario.feature))
    })?;
    let mut steps = Vec::new();
    let mut found = false;
    let mut elements: Vec<&Value> = feature
        .get("elements")?
        .as_array()?
        .iter()
        .filter(|e| e.get("line").and_then(Value::as_u64) == Some(scenario.line as u64))
        .collect();
    // Cucumber-rs writes a scenario's background element after the scenario (with the
    // scenario's line); the background's steps ran first.
    elements.sort_by_key(|e| e.get("type").and_then(Value::as_str) != Some("background"));
    for element in elements {
        found = true;
        for hook in ["before", "after"] {
            for result in element
                .get(hook)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let status = text_at(result, &["result", "status"]);
                if status != "passed" {
                    steps.push(StepLine {
                        keyword: format!("{hook} hook"),
                        name: String::new(),
                        status,
                        error: result
                            .pointer("/result/error_message")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    });
                }
            }
        }
        for step in element
            .get("steps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            steps.push(StepLine {
                keyword: text_at(step, &["keyword"]),
                name: text_at(step, &["name"]),
                status: text_at(step, &["result", "status"]),
                error: step
                    .pointer("/result/error_message")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
    }
    found.then_some(steps)
}

fn text_at(value: &Value, path: &[&str]) -> String {
    let mut at = value;
    for key in path {
        match at.get(key) {
            Some(next) => at = next,
            None => return String::new(),
        }
    }
    at.as_str().unwrap_or_default().to_owned()
}

/// Whether a cucumber JSON `uri` (absolute, or relative to wherever the run started) names
/// the feature the record names relative to the features directory.
fn same_feature(uri: &str, feature: &str) -> bool {
    let uri = uri.replace('\\', "/");
    let relative = match uri.rfind("features/") {
        Some(i) => &uri[i + "features/".len()..],
        None => uri.as_str(),
    };
    relative == feature || uri.ends_with(&format!("/{feature}"))
}

fn steps_list(html: &mut String, steps: &[StepLine]) {
    html.push_str("<h4>Steps</h4>\n<ol class=\"steps\">\n");
    for step in steps {
        let (class, badge) = match step.status.as_str() {
            "passed" => ("st-pass", "✔ passed"),
            "failed" => ("st-fail", "✘ failed"),
            "skipped" => ("st-skip", "⚠ skipped"),
            "undefined" => ("st-skip", "⚠ undefined"),
            "ambiguous" => ("st-fail", "✘ ambiguous"),
            _ => ("st-none", "— not run"),
        };
        let _ = write!(
            html,
            "<li class=\"step {class}\"><span class=\"status {class}\">{badge}</span> <b>{}</b> {}",
            escape(step.keyword.trim()),
            escape(&step.name)
        );
        if let Some(error) = &step.error {
            let _ = write!(html, "<pre>{}</pre>", escape(&clean_failure(error)));
        }
        html.push_str("</li>\n");
    }
    if steps.last().is_some_and(|s| s.status == "failed") {
        html.push_str(
            "<li class=\"step st-none\"><span class=\"status st-none\">— not run</span> the \
             steps after the failed one</li>\n",
        );
    }
    html.push_str("</ol>\n");
}

// ---- expected vs observed -----------------------------------------------------------------

/// A failure message without cucumber's framing ("Matched: file:line", "Step panicked.").
fn clean_failure(text: &str) -> String {
    let mut text = text.trim();
    if text.starts_with("Matched: ")
        && let Some((_, rest)) = text.split_once('\n')
    {
        text = rest.trim_start();
    }
    text.strip_prefix("Step panicked. Captured output: ")
        .unwrap_or(text)
        .to_owned()
}

/// What an `assert_eq!`/`assert_ne!` of a step said. The steps assert
/// `assert_eq!(observed, expected, context)`: left is what the system under test answered,
/// right what the feature states.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Comparison {
    /// `==` or `!=`.
    operator: &'static str,
    context: Option<String>,
    observed: String,
    expected: String,
}

fn parse_comparison(failure: &str) -> Option<Comparison> {
    let text = clean_failure(failure);
    let (operator, marker) = [
        ("==", "assertion `left == right` failed"),
        ("!=", "assertion `left != right` failed"),
    ]
    .into_iter()
    .find(|(_, m)| text.contains(m))?;
    let rest = &text[text.find(marker)? + marker.len()..];
    let left_at = rest.find("\n  left: ")?;
    let context = rest[..left_at]
        .strip_prefix(':')
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let values = &rest[left_at + "\n  left: ".len()..];
    let right_at = values.find("\n right: ")?;
    Some(Comparison {
        operator,
        context,
        observed: values[..right_at].to_owned(),
        expected: values[right_at + "\n right: ".len()..]
            .trim_end()
            .to_owned(),
    })
}

fn comparison(html: &mut String, failure: &str) {
    let Some(cmp) = parse_comparison(failure) else {
        let _ = writeln!(
            html,
            "<table class=\"eo\"><tr><th>assertion</th><td><pre>{}</pre></td></tr></table>",
            escape(&clean_failure(failure))
        );
        return;
    };
    if let Some(context) = &cmp.context {
        let _ = writeln!(html, "<p class=\"context\"><b>{}</b></p>", escape(context));
    }
    let expected_label = if cmp.operator == "==" {
        "expected (right)"
    } else {
        "must differ from (right)"
    };
    let expected = DebugValue::parse(&cmp.expected);
    let observed = DebugValue::parse(&cmp.observed);
    if let (Some(want), Some(got)) = (
        expected.as_ref().and_then(DebugValue::rows),
        observed.as_ref().and_then(DebugValue::rows),
    ) && cmp.operator == "=="
    {
        rows_table(html, &want, &got);
    } else {
        let show = |raw: &str, parsed: Option<&DebugValue>| match parsed {
            Some(DebugValue::Str(s)) => s.clone(),
            _ => raw.to_owned(),
        };
        let _ = writeln!(
            html,
            "<table class=\"eo\"><tr><th>{expected_label}</th><td><pre>{}</pre></td></tr>\
             <tr><th>observed (left)</th><td class=\"diff\"><pre>{}</pre></td></tr></table>",
            escape(&show(&cmp.expected, expected.as_ref())),
            escape(&show(&cmp.observed, observed.as_ref()))
        );
    }
    let _ = writeln!(
        html,
        "<details><summary>The assertion as reported</summary><pre>{}</pre></details>",
        escape(&clean_failure(failure))
    );
}

/// Expected and observed rows side by side, each row marked equal (=) or different (≠), and
/// differing cells highlighted.
fn rows_table(html: &mut String, want: &[Vec<String>], got: &[Vec<String>]) {
    let columns = want
        .iter()
        .chain(got)
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(1);
    let _ = writeln!(
        html,
        "<table class=\"eo rows\"><thead><tr><th class=\"n\">row</th><th>=/≠</th>\
         <th colspan=\"{columns}\">expected (right)</th><th colspan=\"{columns}\">observed (left)</th>\
         </tr></thead><tbody>"
    );
    for i in 0..want.len().max(got.len()) {
        let w = want.get(i);
        let g = got.get(i);
        let same = w == g;
        let _ = write!(
            html,
            "<tr class=\"{}\"><td class=\"n\">{}</td><td class=\"mark\">{}</td>",
            if same { "same" } else { "diff" },
            i + 1,
            if same { "=" } else { "≠" }
        );
        for (row, other) in [(w, g), (g, w)] {
            for c in 0..columns {
                let cell = row.and_then(|r| r.get(c));
                let differs = cell != other.and_then(|r| r.get(c));
                let text = match (row, cell) {
                    (None, _) if c == 0 => "(no row)".to_owned(),
                    (_, Some(cell)) => cell.clone(),
                    _ => String::new(),
                };
                let _ = write!(
                    html,
                    "<td{}>{}</td>",
                    if differs { " class=\"diff\"" } else { "" },
                    escape(&text)
                );
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody></table>\n");
}

/// A value as `{:?}` prints it, as far as the report needs: strings and lists of them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DebugValue {
    Str(String),
    List(Vec<DebugValue>),
}

impl DebugValue {
    /// The whole text as one value, or none.
    fn parse(text: &str) -> Option<DebugValue> {
        let chars: Vec<char> = text.trim().chars().collect();
        let mut at = 0;
        let value = Self::value(&chars, &mut at, 0)?;
        (at == chars.len()).then_some(value)
    }

    fn value(chars: &[char], at: &mut usize, depth: usize) -> Option<DebugValue> {
        // A limit on nesting: the report needs tables, not arbitrary structures.
        if depth > 4 {
            return None;
        }
        match chars.get(*at)? {
            '"' => Self::string(chars, at).map(DebugValue::Str),
            '[' => {
                *at += 1;
                let mut items = Vec::new();
                if chars.get(*at) == Some(&']') {
                    *at += 1;
                    return Some(DebugValue::List(items));
                }
                loop {
                    items.push(Self::value(chars, at, depth + 1)?);
                    match chars.get(*at)? {
                        ',' if chars.get(*at + 1) == Some(&' ') => *at += 2,
                        ']' => {
                            *at += 1;
                            return Some(DebugValue::List(items));
                        }
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }

    fn string(chars: &[char], at: &mut usize) -> Option<String> {
        *at += 1;
        let mut out = String::new();
        loop {
            match *chars.get(*at)? {
                '"' => {
                    *at += 1;
                    return Some(out);
                }
                '\\' => {
                    let escaped = *chars.get(*at + 1)?;
                    *at += 2;
                    match escaped {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        '0' => out.push('\0'),
                        'u' => {
                            // \u{XXXX}
                            if chars.get(*at) != Some(&'{') {
                                return None;
                            }
                            let close = chars[*at..].iter().position(|c| *c == '}')? + *at;
                            let hex: String = chars[*at + 1..close].iter().collect();
                            out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                            *at = close + 1;
                        }
                        other => out.push(other),
                    }
                }
                c => {
                    out.push(c);
                    *at += 1;
                }
            }
        }
    }

    /// A list of rows of strings (a Gherkin table), or a list of strings (one per row).
    fn rows(&self) -> Option<Vec<Vec<String>>> {
        let DebugValue::List(items) = self else {
            return None;
        };
        items
            .iter()
            .map(|item| match item {
                DebugValue::Str(s) => Some(vec![s.clone()]),
                DebugValue::List(cells) => cells
                    .iter()
                    .map(|c| match c {
                        DebugValue::Str(s) => Some(s.clone()),
                        DebugValue::List(_) => None,
                    })
                    .collect(),
            })
            .collect()
    }
}

// ---- the catalogue's headings and sources -------------------------------------------------

/// A family's heading in the catalogue: "JRN — journey composition", and the source document
/// it names for all its rules ("## TERM — general terms OV-chipkaart (002)").
#[derive(Debug, Clone, PartialEq, Eq)]
struct FamilyHeading {
    title: String,
    document: Option<String>,
}

fn family_headings(markdown: &str) -> BTreeMap<String, FamilyHeading> {
    markdown
        .lines()
        .filter_map(|line| line.strip_prefix("## "))
        .filter_map(|title| {
            let family = title.split_whitespace().next()?;
            let document = last_group(title)
                .filter(|g| is_document(g))
                .map(str::to_owned);
            Some((
                family.to_owned(),
                FamilyHeading {
                    title: title.trim().to_owned(),
                    document,
                },
            ))
        })
        .collect()
}

/// The catalogue's list of source documents: ("003", "encyclopedia article on ...").
fn source_documents(markdown: &str) -> Vec<(String, String)> {
    markdown
        .lines()
        .filter_map(|line| line.strip_prefix("- `"))
        .filter_map(|rest| {
            let (file, name) = rest.split_once('`')?;
            let number: String = file.chars().take_while(char::is_ascii_digit).collect();
            (number.len() == 3).then(|| (number, name.trim().to_owned()))
        })
        .collect()
}

/// Where a rule comes from: the last parenthesised source reference of its text ("003",
/// "002, 004", "art. 38", "interpretation"), an article completed with its family's
/// document; else the family's document; else "—".
fn source_of(rule: &Rule, family_document: Option<&str>) -> String {
    let reference = groups(&rule.text)
        .into_iter()
        .rfind(|g| is_document(g) || g.starts_with("art.") || g.starts_with("interpretation"));
    match (reference, family_document) {
        (Some(r), Some(doc)) if r.starts_with("art.") => format!("{doc} {r}"),
        (Some(r), _) => r.to_owned(),
        (None, Some(doc)) => doc.to_owned(),
        (None, None) => "—".to_owned(),
    }
}

fn is_document(text: &str) -> bool {
    text.len() >= 3 && text.as_bytes()[..3].iter().all(u8::is_ascii_digit)
}

fn last_group(text: &str) -> Option<&str> {
    groups(text).pop()
}

/// The top-level parenthesised groups of a text, trimmed.
fn groups(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => {
                if depth == 0 {
                    start = i + 1;
                }
                depth += 1;
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(text[start..i].trim());
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::timeline::{CardKind, CardTimeline, Timeline};

    fn record(
        feature: &str,
        line: usize,
        tags: &[&str],
        outcome: Outcome,
        failure: Option<&str>,
    ) -> ScenarioRecord {
        ScenarioRecord {
            feature: feature.to_owned(),
            scenario: format!("scenario <{line}> & more"),
            line,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            outcome,
            failure: failure.map(str::to_owned),
            timeline: None,
        }
    }

    const TABLE_FAILURE: &str = "Step panicked. Captured output: assertion `left == right` \
        failed: journeys of card \"V\"\n  left: [[\"1\", \"asd>ut, ut>amf\"]]\n right: \
        [[\"1\", \"asd>ut\"], [\"2\", \"ut>amf\"]]";

    fn sample() -> RunReport {
        let mut failed = record(
            "journey/transfers.feature",
            35,
            &["role:backoffice", "JRN-01"],
            Outcome::Failed,
            Some(TABLE_FAILURE),
        );
        failed.timeline = Some(Timeline {
            cards: vec![CardTimeline {
                name: "V".to_owned(),
                kind: CardKind::BankCard,
                detail: None,
                taps: vec![],
                journeys: vec![],
                charges: vec![],
                notes: vec![],
            }],
            notes: vec![],
        });
        RunReport {
            sut: "in-process reference <nl-2024>".to_owned(),
            rule_set: "nl-2024".to_owned(),
            scenarios: vec![
                record("card/kinds.feature", 5, &["CARD-01"], Outcome::Passed, None),
                record(
                    "card/kinds.feature",
                    9,
                    &["CARD-02"],
                    Outcome::Failed,
                    Some("Step panicked. Captured output: card \"A\": <refused>"),
                ),
                failed,
            ],
            catalogue: catalogue::rules(),
            execution_failed: true,
            expected: None,
        }
    }

    #[test]
    fn the_report_has_its_landmarks_and_is_deterministic() {
        let report = sample();
        let input = ReportInput {
            role: Some("reader"),
            started: Some("2024-06-12T09:00:00Z".to_owned()),
            ..ReportInput::new(&report)
        };
        let html = render_html(&input);
        assert_eq!(html, render_html(&input), "same input, same bytes");
        assert!(html.starts_with("<!DOCTYPE html>"));
        for id in [
            "verdict",
            "summary",
            "matrix",
            "failures",
            "rule-CARD-01",
            "rule-ONB-03",
        ] {
            assert!(html.contains(&format!("id=\"{id}\"")), "no id {id}");
        }
        for rule in &report.catalogue {
            assert!(
                html.contains(&format!("<tr id=\"rule-{}\"", rule.id)),
                "{}",
                rule.id
            );
        }
        assert!(
            html.contains("<div id=\"verdict\" class=\"verdict fail\" role=\"status\">FAIL</div>")
        );
        assert_eq!(html.matches("class=\"failed-scenario\"").count(), 2);
        assert_eq!(html.matches("<svg class=\"timeline\"").count(), 1);
        assert!(html.contains("No timeline was captured"));
        // Escaped everywhere: names, identity, failure texts.
        assert!(html.contains("in-process reference &lt;nl-2024&gt;"));
        assert!(html.contains("scenario &lt;9&gt; &amp; more"));
        assert!(html.contains("card &quot;A&quot;: &lt;refused&gt;"));
        assert!(!html.contains("<refused>"));
        // Offline: nothing fetched, nothing run.
        for forbidden in ["http://", "https://", "<script", "<link", "@import", "url("] {
            let allowed = forbidden == "http://"
                && html.matches(forbidden).count()
                    == html.matches("http://www.w3.org/2000/svg").count();
            assert!(allowed || !html.contains(forbidden), "{forbidden}");
        }
        // Status in words, not colour only.
        assert!(html.contains("✘ FAIL") && html.contains("✔ PASS") && html.contains("NOT COVERED"));
        assert!(html.contains("<dt>Role</dt><dd>reader</dd>"));
    }

    #[test]
    fn a_passing_run_says_pass() {
        let mut report = sample();
        report.scenarios.retain(|s| s.outcome == Outcome::Passed);
        report.execution_failed = false;
        let html = render_html(&ReportInput::new(&report));
        assert!(html.contains("class=\"verdict pass\" role=\"status\">PASS</div>"));
        assert!(html.contains("None: no scenario failed."));
        assert!(!html.contains("class=\"failed-scenario\""));
    }

    #[test]
    fn table_assertions_show_expected_and_observed_rows() {
        let cmp = parse_comparison(TABLE_FAILURE).expect("an assert_eq");
        assert_eq!(cmp.context.as_deref(), Some("journeys of card \"V\""));
        assert_eq!(cmp.observed, "[[\"1\", \"asd>ut, ut>amf\"]]");
        let want = DebugValue::parse(&cmp.expected).and_then(|v| v.rows());
        assert_eq!(
            want,
            Some(vec![
                vec!["1".to_owned(), "asd>ut".to_owned()],
                vec!["2".to_owned(), "ut>amf".to_owned()]
            ])
        );
        let mut html = String::new();
        comparison(&mut html, TABLE_FAILURE);
        assert!(html.contains("expected (right)") && html.contains("observed (left)"));
        assert!(
            html.contains("<td class=\"diff\">asd&gt;ut, ut&gt;amf</td>"),
            "{html}"
        );
        assert!(html.contains("(no row)"), "{html}");
        assert_eq!(
            html.matches("<td class=\"mark\">≠</td>").count(),
            2,
            "{html}"
        );
    }

    #[test]
    fn scalar_assertions_and_plain_panics_read_plainly() {
        let money = "Matched: harness/src/steps/journey.rs:140:1\nStep panicked. Captured \
                     output: assertion `left == right` failed: journey 1 (asd>ut)\n  left: \
                     Cents(920)\n right: Cents(460)";
        let mut html = String::new();
        comparison(&mut html, money);
        assert!(html.contains("<b>journey 1 (asd&gt;ut)</b>"), "{html}");
        assert!(html.contains("<pre>Cents(460)</pre>") && html.contains("<pre>Cents(920)</pre>"));
        let plain = "Step panicked. Captured output: tap of \"V\" was refused";
        let mut html = String::new();
        comparison(&mut html, plain);
        assert!(
            html.contains("<pre>tap of &quot;V&quot; was refused</pre>"),
            "{html}"
        );
        assert_eq!(
            DebugValue::parse(r#""a\"b\u{e9}""#),
            Some(DebugValue::Str("a\"bé".to_owned()))
        );
        assert_eq!(DebugValue::parse("[\"a\", 1]"), None);
    }

    #[test]
    fn steps_come_from_the_cucumber_json() {
        let report = sample();
        let json = serde_json::json!([{
            "uri": "/work/repo/features/journey/transfers.feature",
            "keyword": "Feature", "name": "Journeys", "tags": [],
            "elements": [
                // As cucumber-rs writes them: the scenario, then its background.
                {"keyword": "Scenario", "type": "scenario", "id": "s", "line": 35,
                 "name": "x", "tags": [], "steps": [
                    {"keyword": "Then ", "line": 40, "name": "the journeys of card \"V\" are:",
                     "result": {"status": "failed", "duration": 1,
                                "error_message": TABLE_FAILURE}}]},
                {"keyword": "Background", "type": "background", "id": "b", "line": 35,
                 "name": "", "tags": [], "steps": [
                    {"keyword": "Given ", "line": 10, "name": "a bank card \"V\"",
                     "result": {"status": "passed", "duration": 1}}]},
                {"keyword": "Scenario", "type": "scenario", "id": "t", "line": 50,
                 "name": "other", "tags": [], "steps": []}
            ]
        }]);
        let steps = scenario_steps(&json, &report.scenarios[2]).expect("found");
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].status, "passed");
        assert_eq!(steps[1].status, "failed");
        let html = render_html(&ReportInput {
            cucumber_json: Some(&json),
            ..ReportInput::new(&report)
        });
        assert!(
            html.contains("✘ failed</span> <b>Then</b> the journeys of card &quot;V&quot; are:")
        );
        assert!(html.contains("<b>Given</b> a bank card &quot;V&quot;"));
        assert!(scenario_steps(&json, &report.scenarios[1]).is_none());
    }

    #[test]
    fn sources_come_from_the_rule_and_its_family() {
        let headings = family_headings(catalogue::RULES_MD);
        assert_eq!(headings["TERM"].document.as_deref(), Some("002"));
        assert_eq!(headings["CARD"].document, None);
        let rules = catalogue::rules();
        let source = |id: &str| {
            let rule = rules.iter().find(|r| r.id == id).expect("in the catalogue");
            let family = headings
                .get(&rule.family)
                .and_then(|h| h.document.as_deref());
            source_of(rule, family)
        };
        assert_eq!(source("CARD-01"), "003");
        assert_eq!(source("CARD-03"), "002, 004");
        assert_eq!(source("TERM-05"), "002 art. 38");
        assert_eq!(source("FEE-01"), "004");
        assert_eq!(source("GBO-04"), "interpretation");
        let documents = source_documents(catalogue::RULES_MD);
        assert_eq!(documents.len(), 5);
        assert_eq!(documents[0].0, "000");
    }
}
