//! `ovcert certify`: a role's conformance profile run in certification mode, written as a
//! signed evidence folder a certification institute can check (`ovcert verify`) and audit
//! (`ovcert audit`).
//!
//! Certification mode differs from `ovcert run` in what it refuses: no tag filter, no list of
//! expected failures, no skipped scenario, and no scenario of the profile missing from the run
//! (the run is compared with the profile planned from the feature files). A capability the
//! participant declares absent leaves its scenarios out only after the system has answered
//! its operations with "not supported".

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use jiff::Timestamp;
use ovcert_reference::rules::RuleSet;
use serde::Serialize;

use crate::api::access::ApiKey;
use crate::capabilities::{Capability, Declaration, Probe};
use crate::evidence::manifest::{self, ManifestFacts, RunSummary, Verdict};
use crate::evidence::report::{self, ReportInput};
use crate::evidence::signing;
use crate::onboarding::{Phase, Role};
use crate::runner::{self, RunOptions, RunReport, SutSource};
use crate::sut::client::Client;
use crate::sut::container::Container;
use crate::sut::direct::Direct;
use crate::sut::recorded::{Recorded, Recorder};
use crate::sut::{Http, InProcess, SystemUnderTest, Target};

/// What to certify, against what, and where the evidence goes.
pub struct CertifyOptions {
    pub role: Role,
    pub phase: Phase,
    pub target: Target,
    /// `--target` as given, for the manifest.
    pub target_text: String,
    pub key: PathBuf,
    pub out: PathBuf,
    pub declaration: Option<PathBuf>,
    pub rules: Arc<RuleSet>,
    /// The rule set's TOML text (its hash goes into the manifest).
    pub rules_text: String,
    pub features: PathBuf,
    /// The key an HTTP or container target requires (`--api-key`), if any.
    pub api_key: Option<ApiKey>,
}

/// What a certification run concluded.
pub struct Certification {
    pub report: RunReport,
    pub probes: Vec<ProbeRecord>,
    pub planned: usize,
    pub verdict: Verdict,
    pub out: PathBuf,
}

/// A capability declared absent and what the system answered when it was used.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeRecord {
    pub capability: &'static str,
    pub description: &'static str,
    /// The scenarios left out because of it.
    pub scenarios_left_out: usize,
    pub answer: String,
    pub accepted: bool,
}

/// Runs the certification and writes the evidence folder.
pub async fn certify(options: &CertifyOptions) -> anyhow::Result<Certification> {
    refuse_existing_evidence(&options.out)?;
    // Fail on a bad key before the long run, not after it.
    let key = signing::load_signing_key(&options.key)?;
    let declaration = match &options.declaration {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading declaration {}", path.display()))?;
            Declaration::load_str(&path.display().to_string(), &text).map_err(anyhow::Error::msg)?
        }
        None => Declaration::everything("undeclared (every capability present)"),
    };
    let absent = declaration.absent();
    let exclusion = (!absent.is_empty()).then(|| {
        absent
            .iter()
            .map(|c| format!("not @{}", c.tag()))
            .collect::<Vec<_>>()
            .join(" and ")
    });
    let role = options.role.id();
    let profile = runner::planned_scenarios(&options.features, Some(role), None)?;
    let planned = runner::planned_scenarios(&options.features, Some(role), exclusion.as_deref())?;

    let started = Timestamp::now();
    let recorder = Recorder::default();
    // Held until the run is over: the container is removed when this goes out of scope.
    let (source, _container) = recorded_source(options, &recorder).await?;
    let mut probes = Vec::new();
    for capability in &absent {
        let left_out = runner::planned_scenarios(
            &options.features,
            Some(role),
            Some(&format!("@{}", capability.tag())),
        )?
        .len();
        probes.push(probe(*capability, &source, left_out).await);
    }
    let run_options = RunOptions {
        role: Some(role.to_owned()),
        tags: exclusion,
        features: options.features.clone(),
        formats_dir: Some(options.out.clone()),
        sequential: true,
        ..RunOptions::whole_suite(options.target.clone(), Arc::clone(&options.rules))
    };
    let report = runner::run_with(&run_options, source).await?;
    let finished = Timestamp::now();

    if report.scenarios.len() != planned.len() {
        bail!(
            "certification must run every scenario of the {role} profile: {} planned, {} ran",
            planned.len(),
            report.scenarios.len()
        );
    }
    let probes_hold = probes.iter().all(|p| p.accepted);
    let verdict = if report.passed() && probes_hold {
        Verdict::Passed
    } else {
        Verdict::Failed
    };

    write_file(
        &options.out,
        "traceability.json",
        &report.traceability().to_json(),
    )?;
    write_file(&options.out, "requests.log", &recorder.to_jsonl())?;
    let capabilities = serde_json::json!({
        "participant": declaration.participant,
        "declared": declaration
            .capabilities
            .iter()
            .map(|(c, present)| (c.name().to_owned(), serde_json::json!(present)))
            .collect::<serde_json::Map<_, _>>(),
        "profile_scenarios": profile.len(),
        "certified_scenarios": planned.len(),
        "absent_capabilities_checked": probes,
    });
    write_file(
        &options.out,
        "capabilities.json",
        &format!("{}\n", serde_json::to_string_pretty(&capabilities)?),
    )?;
    let cucumber_json = std::fs::read_to_string(options.out.join("cucumber.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    let started_text = started.round(jiff::Unit::Second)?.to_string();
    let finished_text = finished.round(jiff::Unit::Second)?.to_string();
    let phase = options.phase.id();
    let title = format!("Certification of the {role} role");
    let html = report::render_html(&ReportInput {
        title: Some(&title),
        role: Some(role),
        phase: Some(phase),
        started: Some(started_text),
        finished: Some(finished_text),
        cucumber_json: cucumber_json.as_ref(),
        ..ReportInput::new(&report)
    });
    write_file(&options.out, "report.html", &html)?;
    let mut summary = RunSummary::from_report(&report);
    summary.verdict = verdict;
    let facts = ManifestFacts {
        rule_set_id: report.rule_set.clone(),
        rule_set_toml: options.rules_text.clone(),
        role: role.to_owned(),
        phase: Some(options.phase),
        target: options.target_text.clone(),
        sut: report.sut.clone(),
        started,
        finished,
        run: summary,
    };
    manifest::write_manifest(&options.out, &facts, &key)?;
    Ok(Certification {
        report,
        probes,
        planned: planned.len(),
        verdict,
        out: options.out.clone(),
    })
}

/// Evidence is never overwritten or mixed: the folder must be new or empty.
fn refuse_existing_evidence(out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        let mut entries =
            std::fs::read_dir(out).with_context(|| format!("reading {}", out.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty: certification writes a new evidence folder (give a new --out)",
                out.display()
            );
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))
}

fn write_file(dir: &Path, name: &str, text: &str) -> anyhow::Result<()> {
    let path = dir.join(name);
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
}

/// The target with every call recorded; the container, when there is one, to keep alive.
async fn recorded_source(
    options: &CertifyOptions,
    recorder: &Recorder,
) -> anyhow::Result<(SutSource, Option<Container>)> {
    match &options.target {
        Target::InProcess => {
            let rules = Arc::clone(&options.rules);
            let recorder = recorder.clone();
            let source = SutSource {
                factory: Arc::new(move || {
                    let direct = Direct::new(Box::new(InProcess::new(Arc::clone(&rules))));
                    Box::new(Client::new(Recorded::new(direct, recorder.clone())))
                        as Box<dyn SystemUnderTest>
                }),
                shared: false,
            };
            Ok((source, None))
        }
        Target::Http(url) => {
            let http = Http::connect_as(url, options.api_key.as_ref()).await?;
            Ok((shared_recorded(http, recorder), None))
        }
        Target::Image(image) => {
            let container = Container::start(image, &["--test-controls".to_owned()]).await?;
            let http = Http::connect_as(container.base_url(), options.api_key.as_ref()).await?;
            let identity = format!("{}: {}", container.identity(), http.identity());
            let http = http.described_as(identity);
            Ok((shared_recorded(http, recorder), Some(container)))
        }
    }
}

fn shared_recorded(http: Http, recorder: &Recorder) -> SutSource {
    let transport = http.transport().clone();
    SutSource::shared(Client::new(Recorded::new(transport, recorder.clone())))
}

/// Uses a capability declared absent on a fresh (or freshly reset) system.
async fn probe(capability: Capability, source: &SutSource, left_out: usize) -> ProbeRecord {
    let mut system = (source.factory)();
    let reset = if source.shared {
        system.reset().await.map_err(|e| e.to_string())
    } else {
        Ok(())
    };
    let (answer, accepted) = match reset {
        Err(error) => (
            format!("the system could not be reset first: {error}"),
            false,
        ),
        Ok(()) => match capability.probe(&mut *system).await {
            Probe::NotSupported => ("answered not-supported, as declared".to_owned(), true),
            Probe::Performed => (
                "performed the operation: the system has the capability it declares absent"
                    .to_owned(),
                false,
            ),
            Probe::Failed(error) => (
                format!("failed without saying not-supported: {error}"),
                false,
            ),
        },
    };
    ProbeRecord {
        capability: capability.name(),
        description: capability.description(),
        scenarios_left_out: left_out,
        answer,
        accepted,
    }
}
