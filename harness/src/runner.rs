//! Runs the Gherkin suite against a target and collects what the reports need.
//!
//! The runner is a library so that `ovcert run`, the cargo test target and later the
//! certification command share it. It fails the run on any failed or skipped scenario
//! (cucumber's own `run` would exit 0 on failures).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, bail};
use cucumber::WriterExt as _;
use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::tag::Ext as _;
use cucumber::writer::{self, Stats as _};
use cucumber::{World as _, event::ScenarioFinished};
use futures::FutureExt as _;
use ovcert_reference::rules::RuleSet;

use crate::api::access::ApiKey;
use crate::catalogue::{self, Rule};
use crate::expected::{Assessment, ExpectedFailures};
use crate::onboarding::{self, Profile};
use crate::sut::container::Container;
use crate::sut::{Http, InProcess, SystemUnderTest, Target};
use crate::traceability::{Outcome, ScenarioRecord, Traceability, family_summary, render_summary};
use crate::world::{OvWorld, Suite, SutFactory, install_suite};

/// What to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub target: Target,
    /// `--role reader` selects scenarios tagged `@role:reader`.
    pub role: Option<String>,
    /// A cucumber tag expression, e.g. `@CARD-02 or @TAP-03`.
    pub tags: Option<String>,
    /// The features directory.
    pub features: PathBuf,
    pub rules: Arc<RuleSet>,
    /// Print every scenario and step as cucumber does; otherwise one progress mark per
    /// scenario on stderr and the failures afterwards.
    pub verbose: bool,
    /// Write `cucumber.json` (the standard cucumber JSON report) and `junit.xml` here.
    pub formats_dir: Option<PathBuf>,
    /// Known non-conformances; the run passes when they and the failures agree exactly.
    pub expected_failures: Option<ExpectedFailures>,
    /// One scenario at a time even on a fresh system per scenario (certification: the
    /// request log then reads scenario by scenario).
    pub sequential: bool,
    /// The key an HTTP or container target requires (`--api-key`), if any.
    pub api_key: Option<ApiKey>,
}

impl RunOptions {
    /// Every scenario of the repository's features against `target`, quietly.
    pub fn whole_suite(target: Target, rules: Arc<RuleSet>) -> RunOptions {
        RunOptions {
            target,
            role: None,
            tags: None,
            features: Path::new(env!("CARGO_MANIFEST_DIR")).join("../features"),
            verbose: false,
            rules,
            formats_dir: None,
            expected_failures: None,
            sequential: false,
            api_key: None,
        }
    }
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub sut: String,
    pub rule_set: String,
    pub scenarios: Vec<ScenarioRecord>,
    pub catalogue: Vec<Rule>,
    /// Cucumber's verdict: failed or skipped steps, parse errors or hook errors.
    pub execution_failed: bool,
    /// How the failures meet the known non-conformances, when a list was given.
    pub expected: Option<Assessment>,
}

impl RunReport {
    /// A run passes when something ran and nothing failed or was skipped.
    pub fn passed(&self) -> bool {
        if self.scenarios.is_empty() || self.scenarios.iter().any(|s| s.outcome == Outcome::Skipped)
        {
            return false;
        }
        match &self.expected {
            // Failed scenarios fail cucumber's verdict; the list decides instead.
            Some(assessment) => assessment.holds(),
            None => {
                !self.execution_failed
                    && self.scenarios.iter().all(|s| s.outcome == Outcome::Passed)
            }
        }
    }

    pub fn traceability(&self) -> Traceability {
        Traceability::build(&self.catalogue, &self.scenarios)
    }

    /// Every failed or skipped scenario with where it is and why, for the end of a run.
    pub fn failures(&self) -> String {
        let mut out = String::new();
        for s in self
            .scenarios
            .iter()
            .filter(|s| s.outcome != Outcome::Passed)
        {
            let why = s.failure.as_deref().unwrap_or("no reason recorded");
            out.push_str(&format!(
                "{:?}: {}:{} {}\n    {}\n",
                s.outcome,
                s.feature,
                s.line,
                s.scenario,
                why.replace('\n', "\n    ")
            ));
        }
        out
    }

    pub fn summary(&self) -> String {
        render_summary(
            &family_summary(&self.catalogue, &self.scenarios),
            &self.scenarios,
        )
    }

    /// Writes `traceability.json` into `dir`, creating it.
    pub fn write_outputs(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating output directory {}", dir.display()))?;
        let path = dir.join("traceability.json");
        std::fs::write(&path, self.traceability().to_json())
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

/// The default features directory: `./features` when run from a checkout, else the one this
/// binary was built from.
pub fn default_features_dir() -> PathBuf {
    let local = PathBuf::from("features");
    if local.join("card").is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../features")
}

/// Where each scenario's system under test comes from.
#[derive(Clone)]
pub struct SutSource {
    pub factory: SutFactory,
    /// One system shared by all scenarios (a server, a container): scenarios then run one
    /// at a time, each after a reset. Otherwise every scenario gets its own system and
    /// scenarios run concurrently.
    pub shared: bool,
}

impl SutSource {
    /// A fresh embedded reference per scenario.
    pub fn in_process(rules: &Arc<RuleSet>) -> SutSource {
        let rules = Arc::clone(rules);
        SutSource {
            factory: Arc::new(move || {
                Box::new(InProcess::new(Arc::clone(&rules))) as Box<dyn SystemUnderTest>
            }),
            shared: false,
        }
    }
}

impl SutSource {
    /// One system all scenarios share, reset before each.
    pub fn shared<S: SystemUnderTest + Clone + Sync + 'static>(system: S) -> SutSource {
        SutSource {
            factory: Arc::new(move || Box::new(system.clone()) as Box<dyn SystemUnderTest>),
            shared: true,
        }
    }
}

/// Runs the selected scenarios against `options.target` and returns what happened.
pub async fn run(options: &RunOptions) -> anyhow::Result<RunReport> {
    match &options.target {
        Target::InProcess => run_with(options, SutSource::in_process(&options.rules)).await,
        Target::Http(url) => {
            let http = Http::connect_as(url, options.api_key.as_ref()).await?;
            run_with(options, SutSource::shared(http)).await
        }
        Target::Image(image) => {
            // The container lives until the end of this arm: removed after the run, also
            // when it failed.
            let container = Container::start(image, &["--test-controls".to_owned()]).await?;
            let http = Http::connect_as(container.base_url(), options.api_key.as_ref()).await?;
            let identity = format!("{}: {}", container.identity(), http.identity());
            let http = http.described_as(identity);
            run_with(options, SutSource::shared(http)).await
        }
    }
}

/// Runs the selected scenarios against the systems `source` provides.
pub async fn run_with(options: &RunOptions, source: SutSource) -> anyhow::Result<RunReport> {
    if !options.features.is_dir() {
        bail!(
            "features directory {} not found: run from the repository root or pass --features DIR",
            options.features.display()
        );
    }
    if !contains_features(&options.features) {
        bail!(
            "no .feature files under {}: pass the suite's features directory",
            options.features.display()
        );
    }
    let filter = Filter::new(options.role.as_deref(), options.tags.as_deref())?;
    let SutSource { factory, shared } = source;
    let one_at_a_time = shared || options.sequential;
    let (json_out, junit_out) = format_outputs(options.formats_dir.as_deref())?;
    let sut = factory().identity();
    install_suite(Suite {
        rules: Arc::clone(&options.rules),
        factory,
    });

    let records: Arc<Mutex<Vec<ScenarioRecord>>> = Arc::default();
    let sink = Arc::clone(&records);
    let output: Box<dyn std::io::Write> = if options.verbose {
        Box::new(std::io::stdout())
    } else {
        Box::new(std::io::sink())
    };
    let verbose = options.verbose;
    let writer = OvWorld::cucumber()
        .with_writer(
            writer::Basic::raw(output, writer::Coloring::Auto, writer::Verbosity::Default)
                .summarized()
                .tee::<OvWorld, _>(writer::Json::for_tee(json_out))
                .tee::<OvWorld, _>(writer::JUnit::for_tee(
                    junit_out,
                    writer::Verbosity::Default,
                ))
                .normalized(),
        )
        .with_default_cli()
        .max_concurrent_scenarios(if one_at_a_time { Some(1) } else { None })
        .fail_on_skipped()
        .before(move |feature, _rule, scenario, world| {
            let note = format!(
                "{}:{} {}",
                feature_path(feature),
                scenario.position.line,
                scenario.name
            );
            async move {
                world.sut.annotate(&note);
                if shared {
                    // A shared system starts every scenario from nothing, as a fresh
                    // in-process reference does.
                    if let Err(error) = world.sut.reset().await {
                        panic!("the system under test could not be reset: {error}");
                    }
                }
            }
            .boxed_local()
        })
        .after(move |feature, _rule, scenario, finished, world| {
            let (outcome, failure) = match finished {
                ScenarioFinished::StepPassed => (Outcome::Passed, None),
                ScenarioFinished::StepSkipped => (
                    Outcome::Skipped,
                    Some("a step matches no step definition".into()),
                ),
                ScenarioFinished::StepFailed(_, _, error) => {
                    (Outcome::Failed, Some(error.to_string()))
                }
                ScenarioFinished::BeforeHookFailed(_) => {
                    (Outcome::Failed, Some("the before hook failed".into()))
                }
            };
            if !verbose {
                // Progress on a long run: one mark per finished scenario.
                let mark = match outcome {
                    Outcome::Passed => ".",
                    Outcome::Failed => "F",
                    Outcome::Skipped => "S",
                };
                eprint!("{mark}");
            }
            let record = ScenarioRecord {
                feature: feature_path(feature),
                scenario: scenario.name.clone(),
                line: scenario.position.line,
                tags: feature.tags.iter().chain(&scenario.tags).cloned().collect(),
                outcome,
                failure,
                timeline: None,
            };
            let sink = Arc::clone(&sink);
            async move {
                let mut record = record;
                // The report draws what the system says the cards did; only failures need it,
                // and capture asks the system, so passing scenarios are spared the questions.
                if let (Outcome::Failed, Some(world)) = (record.outcome, world) {
                    record.timeline = Some(crate::evidence::timeline::capture(world).await);
                }
                sink.lock().unwrap_or_else(|e| e.into_inner()).push(record);
            }
            .boxed_local()
        })
        .filter_run(&options.features, move |feature, rule, scenario| {
            let tags: Vec<&String> = feature
                .tags
                .iter()
                .chain(rule.map(|r| r.tags.as_slice()).unwrap_or_default())
                .chain(&scenario.tags)
                .collect();
            filter.selects(&tags)
        })
        .await;

    if !verbose {
        eprintln!();
    }
    let mut scenarios = std::mem::take(&mut *records.lock().unwrap_or_else(|e| e.into_inner()));
    // Concurrent scenarios finish in any order; reports must not.
    scenarios
        .sort_by(|a, b| (&a.feature, a.line, &a.scenario).cmp(&(&b.feature, b.line, &b.scenario)));
    let expected = options
        .expected_failures
        .as_ref()
        .map(|list| list.assess(&scenarios));
    Ok(RunReport {
        sut,
        rule_set: options.rules.meta.id.clone(),
        scenarios,
        catalogue: catalogue::rules(),
        execution_failed: writer.execution_has_failed(),
        expected,
    })
}

type Output = Box<dyn std::io::Write>;

/// Where cucumber's JSON and JUnit writers go: files in `dir`, or nowhere.
fn format_outputs(dir: Option<&Path>) -> anyhow::Result<(Output, Output)> {
    let Some(dir) = dir else {
        return Ok((Box::new(std::io::sink()), Box::new(std::io::sink())));
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let open = |name: &str| -> anyhow::Result<Output> {
        let path = dir.join(name);
        let file =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Box::new(std::io::BufWriter::new(file)))
    };
    Ok((open("cucumber.json")?, open("junit.xml")?))
}

/// The scenarios of `features` that `role` and `tags` select, as `path:line name`, without
/// running anything (an outline counts once per example row, as a run does): certification
/// compares what ran against it, so nothing can drop out unnoticed.
pub fn planned_scenarios(
    features: &Path,
    role: Option<&str>,
    tags: Option<&str>,
) -> anyhow::Result<Vec<String>> {
    let filter = Filter::new(role, tags)?;
    let mut files = Vec::new();
    collect_feature_files(features, &mut files)?;
    files.sort();
    let mut planned = Vec::new();
    for file in files {
        let feature = cucumber::gherkin::Feature::parse_path(&file, Default::default())
            .map_err(|e| anyhow::anyhow!("parsing {}: {e}", file.display()))?;
        let path = feature_path(&feature);
        let mut consider = |rule_tags: &[String], scenario: &cucumber::gherkin::Scenario| {
            let base: Vec<&String> = feature
                .tags
                .iter()
                .chain(rule_tags)
                .chain(&scenario.tags)
                .collect();
            if scenario.examples.is_empty() {
                if filter.selects(&base) {
                    planned.push(format!(
                        "{path}:{} {}",
                        scenario.position.line, scenario.name
                    ));
                }
                return;
            }
            for examples in &scenario.examples {
                let tags: Vec<&String> = base.iter().copied().chain(&examples.tags).collect();
                let rows = examples
                    .table
                    .as_ref()
                    .map_or(0, |t| t.rows.len().saturating_sub(1));
                if filter.selects(&tags) {
                    for row in 0..rows {
                        planned.push(format!(
                            "{path}:{} {} (example {})",
                            scenario.position.line,
                            scenario.name,
                            row + 1
                        ));
                    }
                }
            }
        };
        for scenario in &feature.scenarios {
            consider(&[], scenario);
        }
        for rule in &feature.rules {
            for scenario in &rule.scenarios {
                consider(&rule.tags, scenario);
            }
        }
    }
    Ok(planned)
}

fn collect_feature_files(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_feature_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
    Ok(())
}

fn contains_features(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            contains_features(&path)
        } else {
            path.extension().is_some_and(|e| e == "feature")
        }
    })
}

/// The feature's path relative to the features directory, with '/' separators.
fn feature_path(feature: &cucumber::gherkin::Feature) -> String {
    let Some(path) = &feature.path else {
        return feature.name.clone();
    };
    let text = path.to_string_lossy().replace('\\', "/");
    match text.rfind("features/") {
        Some(i) => text[i + "features/".len()..].to_string(),
        None => text,
    }
}

/// Role and tag-expression selection.
struct Filter {
    /// ONB-01: a role selects its conformance profile (possibly several `@role:` tags).
    role: Option<&'static Profile>,
    tags: Option<TagOperation>,
}

impl Filter {
    fn new(role: Option<&str>, tags: Option<&str>) -> anyhow::Result<Filter> {
        let tags = tags
            .map(|t| {
                t.parse::<TagOperation>()
                    .map_err(|e| anyhow::anyhow!("--tags `{t}` is not a tag expression: {e}"))
            })
            .transpose()?;
        let role = role
            .map(|r| onboarding::profile(r.trim_start_matches("role:")))
            .transpose()
            .map_err(|e| anyhow::anyhow!("--role: {e}"))?;
        Ok(Filter { role, tags })
    }

    fn selects(&self, tags: &[&String]) -> bool {
        let role_ok = self.role.is_none_or(|profile| profile.selects(tags));
        let tags_ok = self
            .tags
            .as_ref()
            .is_none_or(|expr| expr.eval(tags.iter().map(|t| t.as_str())));
        role_ok && tags_ok
    }
}
