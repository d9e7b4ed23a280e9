//! The `ovcert` command line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use ovcert::runner::{self, RunOptions};
use ovcert::sut::Target;
use ovcert_reference::rules;

/// See the workspace manifest: replays free many small allocations across threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Conformance and certification harness for the Dutch public-transport fare system
/// (OV-chipkaart and OVpay). Runs the Gherkin rule suite against a system under test and
/// reports, per rule ID, which scenarios passed.
#[derive(Debug, Parser)]
#[command(name = "ovcert", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the conformance suite and print a summary per rule family.
    ///
    /// Exits 0 only when every selected scenario passed; a failed or skipped scenario, or
    /// none selected, exits 1. Usage errors exit 2.
    Run(RunArgs),
    /// Serve the embedded reference through the participant API (JSON over HTTP).
    ///
    /// This is the integration platform participants develop against, and what the
    /// container image runs. Prints `ovcert serve: listening on http://ADDR` once it takes
    /// requests; stops gracefully on Ctrl-C or SIGTERM. The API is described at
    /// /openapi.json; GET /ready answers 200 when ready.
    ///
    /// With --keys FILE every operation needs `Authorization: Bearer <key>` of a participant
    /// in FILE, and the participant's role (and operator) decides what it may call (401
    /// without a known key, 403 without the right). Without --keys the server is an open
    /// local test lab where every request may do everything: allowed only together with
    /// --test-controls on a loopback address, and announced on stderr; otherwise it refuses
    /// to start.
    Serve(ServeArgs),
    /// Mint an API key for `ovcert serve --keys FILE`: prints the participant's entry for
    /// FILE (with the key's SHA-256, never the key) on stdout, and the key itself, once, on
    /// stderr. `ovcert api-key ... >> keys.toml` adds the entry.
    ApiKey(ApiKeyArgs),
    /// Print the participant API's OpenAPI 3.1 document (the committed harness/openapi.json).
    Openapi,
    /// Certify a participant role: run its whole profile in certification mode and write a
    /// signed evidence folder.
    ///
    /// Certification mode runs every scenario of the role's profile (no tag filter, no
    /// expected failures; a skipped or missing scenario fails). Capabilities declared absent
    /// (--declaration) leave their scenarios out only after the system answers their
    /// operations with "not supported". DIR gets junit.xml, cucumber.json,
    /// traceability.json, report.html, requests.log (PANs masked), capabilities.json,
    /// manifest.json and manifest.sig. Exits 0 when certified, 1 when not, 2 on usage
    /// errors.
    Certify(CertifyArgs),
    /// Show what a rule change does to a set of taps: replay them under the old and the new
    /// rule set through the reference back office and compare per operator, travel day and
    /// journey.
    ///
    /// Every difference (a journey split or merged, moved to another travel day, its fare or
    /// shares changed, a tap read differently) is explained by the changed rule-set
    /// parameters that can cause it, with the rule IDs they implement; when several can,
    /// all are listed. A rule set is a full TOML file or an overlay of changed keys
    /// (`[overlay] base = "nl-2024"`, see README). Text on stdout; with --out, DIR gets
    /// diff.json and summary.md. Exits 0 when every report and settlement is equal, 1 when
    /// not, 2 on usage errors.
    DiffRules(DiffRulesArgs),
    /// Create an ed25519 key pair for signing evidence: FILE (private, mode 0600) and
    /// FILE.pub.
    Keygen {
        /// Where to write the private key; the public key goes next to it as FILE.pub.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Check an evidence folder: its signature, and that no file was changed, added or
    /// removed. Exits 0 when intact, 1 when not.
    Verify {
        /// The evidence folder written by `ovcert certify`.
        dir: PathBuf,
        /// The public key the folder must be signed with (without it the signature is checked
        /// against the key in the manifest, which proves integrity but not who signed).
        #[arg(long, value_name = "FILE")]
        pubkey: Option<PathBuf>,
    },
    /// Decide on a participant's onboarding from the evidence of its phases (ONB-02/03): the
    /// next phase allowed, permission to connect, or why not. Exits 0 when the participant may
    /// go on, 1 when not, 2 on usage errors.
    Audit {
        /// Evidence folders of the participant's certification runs, any order.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The certification institute's trusted public key.
        #[arg(long, value_name = "FILE")]
        pubkey: Option<PathBuf>,
    },

    /// Write a synthetic national tap stream over the rule set's network: commuters and
    /// occasional travellers, every operator and mode, about 15 % OVpay, card profiles, late
    /// offline uploads, duplicates, the autumn DST night. The same seed gives the same bytes.
    Gen(GenArgs),
    /// Stream a tap file (CSV or binary, detected) through the reference back office and write
    /// every travel day's operator reports and settlement into DIR/<date>/; ends with a line
    /// giving taps/s and peak memory.
    Replay(ReplayArgs),
    /// Offer taps to a participant API's ingest operation at a fixed rate for a fixed time
    /// and report the rate acknowledged, latency percentiles (from each batch's due time and
    /// from sending) and, with --server-pid, the server's memory. Exits 1 when any request
    /// failed or the acknowledged rate fell short of the offered one by more than 1 %.
    Load(LoadArgs),
    /// Write the rule set's full-fare tariff as CSV tables into DIR (services, base fares,
    /// route fares, line rates, rail bands, journey windows, travel-day end, station
    /// distances): what `bench/duckdb-peer.sh` prices a `gen --cards full-fare` stream with.
    RuleTables {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The rule set [default: the embedded nl-2024].
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
struct ApiKeyArgs {
    /// The participant's id, named in refusals and logs (e.g. `ns-integration`).
    #[arg(long, value_name = "ID")]
    participant: String,
    /// seller, service-provider, business-card, product-director, or test-lab (every
    /// operation, test controls included).
    #[arg(long, value_name = "ROLE")]
    role: ovcert::api::access::ApiRole,
    /// The operator a service provider acts for (a rule-set operator id such as NS); it may
    /// read only this operator's reports and use only its readers.
    #[arg(long, value_name = "OPERATOR")]
    operator: Option<String>,
}

#[derive(Debug, clap::Args)]
struct GenArgs {
    #[arg(long)]
    seed: u64,
    /// Tap records to write (duplicates included; card profiles come on top).
    #[arg(long, value_name = "N")]
    taps: u64,
    /// `csv` for interchange (one record per line, a header line first); `bin` for speed
    /// (about half the size, faster to decode).
    #[arg(long, value_enum, default_value = "csv")]
    format: ovcert::scale::Format,
    /// The stream file to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The first travel day (YYYY-MM-DD).
    #[arg(long, default_value = "2024-10-24")]
    start: jiff::civil::Date,
    /// Travel days the taps are spread over.
    #[arg(long, default_value_t = 7)]
    days: u32,
    /// Offline readers upload at most this many seconds after the tap.
    #[arg(long, value_name = "SECONDS", default_value_t = 4 * 3600)]
    max_lateness: u32,
    /// `national`: bank cards, card profiles and products; `full-fare`: anonymous
    /// OV-chipkaarten without products only, the dataset `bench/duckdb-peer.sh` prices
    /// exactly.
    #[arg(long, value_name = "MIX", default_value = "national")]
    cards: ovcert_reference::synth::CardMix,
    /// The rule set whose network is used [default: the embedded nl-2024].
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ReplayArgs {
    /// The tap stream (`ovcert gen`), CSV or binary.
    #[arg(long, value_name = "FILE")]
    taps: PathBuf,
    /// The rule set [default: the embedded nl-2024].
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Where the files go: DIR/<date>/<operator>/{report.json,transactions.csv,trips.csv,
    /// payments.csv} and DIR/<date>/settlement.json per travel day, DIR/totals.csv and
    /// DIR/summary.json for the whole stream (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// How late a tap may come after a younger one, in seconds [default: the stream header's];
    /// a tap whose travel day was closed is counted as refused, not applied.
    #[arg(long, value_name = "SECONDS")]
    max_lateness: Option<u32>,
    /// Write only DIR/totals.csv (every operator's report total per travel day) and
    /// DIR/summary.json: every journey is built and priced, no report is rendered.
    #[arg(long)]
    totals_only: bool,
}

#[derive(Debug, clap::Args)]
struct LoadArgs {
    /// The server: http://HOST:PORT (e.g. `ovcert serve --listen 127.0.0.1:8080`).
    #[arg(long, value_name = "URL")]
    target: String,
    /// Offered taps per second.
    #[arg(long, default_value_t = 50_000)]
    rate: u64,
    /// Seconds to offer them for.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    duration: u64,
    /// Taps per ingest request.
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// Requests in flight at most, one connection each.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Seed of the synthetic tap stream.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Sent as `Authorization: Bearer KEY`.
    #[arg(
        long,
        env = "OVCERT_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    api_key: Option<String>,
    /// The server's process id, to sample its resident memory every second.
    #[arg(long, value_name = "PID")]
    server_pid: Option<u32>,
}

#[derive(Debug, clap::Args)]
struct CertifyArgs {
    /// The participant role to certify (ONB-01): seller, service-provider, business-card,
    /// product-director.
    #[arg(long, value_name = "ROLE")]
    role: ovcert::onboarding::Role,
    /// The onboarding phase the evidence is for (ONB-02): set-up, integration, pilot.
    #[arg(long, value_name = "PHASE", default_value = "set-up")]
    phase: ovcert::onboarding::Phase,
    /// The system under test: in-process, http://HOST:PORT or image:NAME:TAG.
    #[arg(long, default_value = "in-process")]
    target: String,
    /// The private key that signs the evidence (`ovcert keygen`).
    #[arg(long, value_name = "KEYFILE")]
    key: PathBuf,
    /// The evidence folder to create (must not exist or be empty).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The participant's declaration of optional capabilities (TOML; see README).
    #[arg(long, value_name = "FILE")]
    declaration: Option<PathBuf>,
    /// The rule set [default: the embedded nl-2024].
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// The Gherkin features directory [default: ./features].
    #[arg(long, value_name = "DIR")]
    features: Option<PathBuf>,
    /// The API key the target requires, sent as `Authorization: Bearer`.
    #[arg(long, value_name = "KEY", env = "OVCERT_API_KEY", hide_env_values = true, value_parser = api_key_parser)]
    api_key: Option<ovcert::api::access::ApiKey>,
    /// Not accepted here: certification admits no known non-conformances.
    #[arg(long, value_name = "FILE", hide = true)]
    expected_failures: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct DiffRulesArgs {
    /// The rule set before the change: a TOML file or overlay [default: the embedded nl-2024].
    #[arg(long, value_name = "FILE")]
    old: Option<PathBuf>,
    /// The rule set after the change: a TOML file or overlay.
    #[arg(long, value_name = "FILE")]
    new: PathBuf,
    /// The taps: one tap message per line in the participant JSON form (golden/*/taps.jsonl).
    #[arg(long, value_name = "FILE")]
    taps: PathBuf,
    /// The OV-chipkaart profiles by card number (golden/*/cards.json) [default: none].
    #[arg(long, value_name = "FILE")]
    cards: Option<PathBuf>,
    /// Also write diff.json and summary.md into DIR.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// The address to listen on; port 0 picks a free one (printed on start).
    #[arg(
        long,
        value_name = "ADDR",
        env = "OVCERT_LISTEN",
        default_value = "127.0.0.1:8080"
    )]
    listen: std::net::SocketAddr,
    /// The rule set to serve [default: the embedded nl-2024].
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Offer the test controls under /test/v1/ (set the clock, script the bank simulator,
    /// reset, observe the back office). Off by default: a conformance run needs them, a
    /// system used for anything else must not offer them.
    #[arg(long, env = "OVCERT_TEST_CONTROLS")]
    test_controls: bool,
    /// Participants and their API keys (TOML `[[participants]]` with id, role, operator for
    /// a service provider, and key_sha256; `ovcert api-key` mints entries). Without it the
    /// server is an open local test lab: only with --test-controls on a loopback address.
    #[arg(long, value_name = "FILE", env = "OVCERT_KEYS")]
    keys: Option<PathBuf>,
    /// Harness self-test: serve the reference with this fault injected (repeatable). A suite
    /// run against such a server must fail on the fault's rule IDs; never use it for
    /// anything else.
    #[arg(long = "fault", value_name = "NAME", value_parser = fault_parser())]
    faults: Vec<ovcert::faults::Fault>,
    /// Serve without this optional capability (repeatable): its operations answer 501
    /// not-supported, as a participant's system without it must: offline-readers,
    /// auto-reload, business-cards.
    #[arg(long, value_name = "CAPABILITY", value_parser = ovcert::capabilities::Capability::parse)]
    without: Vec<ovcert::capabilities::Capability>,
    /// Keep the server's state in this SQLite file (created if missing): every operation that
    /// changes the system is written there before it is answered, and a restart replays it,
    /// so nothing answered is lost. Without it the state lives in memory only and is gone
    /// when the server stops. A journal is refused when it was written under another rule
    /// set or ovcert version, or is in use by another server.
    #[arg(long, value_name = "FILE", env = "OVCERT_JOURNAL")]
    journal: Option<PathBuf>,
    /// What moves the system's clock. `test`: only the SetClock test control of a suite run
    /// (without --test-controls the clock stays at the epoch and nothing time-based ever
    /// happens). `system`: this machine's clock, told to the system every second (whole
    /// seconds, never backwards, journaled), so night charges, retries and the 24-hour PAN
    /// purge happen as time passes — for a server participants develop against; not with
    /// --test-controls.
    #[arg(
        long,
        value_enum,
        value_name = "SOURCE",
        env = "OVCERT_CLOCK",
        default_value = "test"
    )]
    clock: ovcert::server::clock::ClockSource,
}

fn api_key_parser(text: &str) -> Result<ovcert::api::access::ApiKey, String> {
    ovcert::api::access::ApiKey::new(text)
}

fn fault_parser() -> impl clap::builder::TypedValueParser<Value = ovcert::faults::Fault> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
    let values = ovcert::faults::Fault::all().iter().map(|fault| {
        PossibleValue::new(fault.name()).help(format!(
            "{} [{}]",
            fault.description(),
            fault.rule_ids().join(", ")
        ))
    });
    PossibleValuesParser::new(values)
        .map(|name| ovcert::faults::Fault::parse(&name).expect("possible values are fault names"))
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The system under test: `in-process` (the embedded reference), `http://HOST:PORT` (a
    /// participant API with test controls, e.g. `ovcert serve --test-controls`), or
    /// `image:NAME:TAG` (a locally built image started with host networking, e.g.
    /// `image:ovcert-reference:dev`).
    #[arg(long, default_value = "in-process", value_parser = Target::parse)]
    target: Target,
    /// Only the conformance profile of this participant role (ONB-01): seller,
    /// service-provider (its own and its readers' scenarios), business-card,
    /// product-director; or one component: reader, backoffice.
    #[arg(long, value_name = "ROLE", value_parser = clap::builder::PossibleValuesParser::new(ovcert::onboarding::role_names()))]
    role: Option<String>,
    /// Only scenarios matching this cucumber tag expression, e.g. `@CARD-02 or @TAP-03`.
    #[arg(long, value_name = "EXPR")]
    tags: Option<String>,
    /// Write `traceability.json` (rule ID → scenarios, passed, failed, skipped) into DIR.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The rule set both the suite and the target use [default: the embedded nl-2024].
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// The Gherkin features directory [default: ./features].
    #[arg(long, value_name = "DIR")]
    features: Option<PathBuf>,
    /// Print every scenario and step as it runs (default: a progress line, then the failures).
    #[arg(long, short)]
    verbose: bool,
    /// The API key the target requires, sent as `Authorization: Bearer`.
    #[arg(long, value_name = "KEY", env = "OVCERT_API_KEY", hide_env_values = true, value_parser = api_key_parser)]
    api_key: Option<ovcert::api::access::ApiKey>,
    /// Known non-conformances (TOML `[[expected]]` entries with `rule` or `scenario` and a
    /// `reason`): listed failures do not fail the run, but a listed entry that passes or
    /// matches nothing does.
    #[arg(long, value_name = "FILE")]
    expected_failures: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        quiet_on_closed_pipe();
    }
    match cli.command {
        Command::Run(args) => match run(args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(error) => fail(&error),
        },
        Command::Serve(args) => match serve(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(&error),
        },
        Command::ApiKey(args) => match api_key(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(&error),
        },
        Command::Openapi => {
            print!("{}", ovcert::api::openapi::document_text());
            ExitCode::SUCCESS
        }
        Command::Certify(args) => match certify(args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(error) => fail(&error),
        },
        Command::DiffRules(args) => {
            let options = ovcert::diff_rules::DiffOptions {
                old: args.old,
                new: args.new,
                taps: args.taps,
                cards: args.cards,
                out: args.out,
            };
            match ovcert::diff_rules::run(&options) {
                Ok(diff) => {
                    print!("{}", diff.to_text());
                    if diff.equal {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(error) => fail(&error),
            }
        }
        Command::Keygen { out } => match ovcert::evidence::signing::keygen(&out) {
            Ok(key) => {
                println!(
                    "private key: {}\npublic key:  {} ({})",
                    key.private_key_file.display(),
                    key.public_key_file.display(),
                    key.hex
                );
                ExitCode::SUCCESS
            }
            Err(error) => fail(&error.into()),
        },
        Command::Verify { dir, pubkey } => {
            let key = match trusted_key(pubkey.as_deref()) {
                Ok(key) => key,
                Err(error) => return fail(&error),
            };
            match ovcert::evidence::manifest::verify(&dir, key.as_ref()) {
                Ok(verified) => {
                    println!("{verified}");
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    println!("NOT VERIFIED ({}): {error}", error.kind());
                    ExitCode::from(1)
                }
            }
        }
        Command::Gen(args) => match gen_stream(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(&error),
        },
        Command::Replay(args) => match replay(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(&error),
        },
        Command::Load(args) => match load(args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(error) => fail(&error),
        },
        Command::RuleTables { out, rules } => match rule_tables(&out, rules.as_ref()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(&error),
        },
        Command::Audit { dirs, pubkey } => {
            let key = match trusted_key(pubkey.as_deref()) {
                Ok(key) => key,
                Err(error) => return fail(&error),
            };
            match ovcert::evidence::audit::audit(&dirs, key.as_ref()) {
                Ok(decision) => {
                    print!("{}", decision.render());
                    if decision.allows_progress() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(error) => fail(&error.into()),
            }
        }
    }
}

/// The institute's public key from `--pubkey`, when given.
fn trusted_key(
    path: Option<&std::path::Path>,
) -> anyhow::Result<Option<ovcert::evidence::signing::VerifyingKey>> {
    Ok(path
        .map(ovcert::evidence::signing::load_verifying_key)
        .transpose()?)
}

fn gen_stream(args: GenArgs) -> anyhow::Result<()> {
    let rules = load_rules(args.rules.as_ref())?;
    let config = ovcert_reference::synth::SynthConfig {
        seed: args.seed,
        taps: args.taps,
        start: args.start,
        days: args.days,
        max_lateness_s: args.max_lateness,
        cards: args.cards,
    };
    let started = std::time::Instant::now();
    let summary = ovcert::scale::generate(&rules, config, args.format, &args.out)?;
    println!(
        "wrote {} taps and {} card profiles ({} bytes) to {} in {:.2} s (seed {})",
        summary.taps,
        summary.cards,
        summary.bytes,
        args.out.display(),
        started.elapsed().as_secs_f64(),
        args.seed
    );
    Ok(())
}

fn replay(args: ReplayArgs) -> anyhow::Result<()> {
    let rules = load_rules(args.rules.as_ref())?;
    let options = ovcert::scale::ReplayOptions {
        taps: args.taps,
        out: args.out,
        max_lateness_s: args.max_lateness,
        progress: ovcert::scale::stderr_is_terminal(),
        totals_only: args.totals_only,
    };
    let summary = ovcert::scale::replay(&rules, &options)?;
    println!("{}", summary.line());
    Ok(())
}

fn load(args: LoadArgs) -> anyhow::Result<bool> {
    let taps = args
        .rate
        .checked_mul(args.duration)
        .filter(|taps| *taps > 0)
        .context("--rate and --duration must be at least 1 and their product must fit")?;
    let rules = rules::nl_2024();
    eprintln!(
        "ovcert load: preparing {taps} taps in batches of {}",
        args.batch
    );
    let bodies = ovcert::load::prepare_bodies(&rules, args.seed, taps, args.batch)?;
    let options = ovcert::load::LoadOptions {
        target: args.target,
        rate: args.rate,
        duration: std::time::Duration::from_secs(args.duration),
        batch: args.batch,
        connections: args.connections,
        seed: args.seed,
        api_key: args.api_key,
        server_pid: args.server_pid,
        progress: Some(std::time::Duration::from_secs(5)),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = runtime.block_on(ovcert::load::run(&options, bodies))?;
    for line in report.lines() {
        println!("{line}");
    }
    let kept_up = report.achieved_rate() >= 0.99 * args.rate as f64;
    if !kept_up {
        println!(
            "the server acknowledged {:.0} taps/s, short of the {} offered",
            report.achieved_rate(),
            args.rate
        );
    }
    Ok(report.failures.is_empty() && kept_up)
}

fn certify(args: CertifyArgs) -> anyhow::Result<bool> {
    use ovcert::certify::{CertifyOptions, certify};

    if let Some(list) = &args.expected_failures {
        anyhow::bail!(
            "certification accepts no expected failures ({}): every scenario of the profile must pass; use `ovcert run --expected-failures` while working towards it",
            list.display()
        );
    }
    let target = Target::parse(&args.target).map_err(anyhow::Error::msg)?;
    let (rules, rules_text) = match &args.rules {
        None => (rules::nl_2024(), rules::NL_2024_TOML.to_owned()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading rule set {}", path.display()))?;
            (rules::load_str(&path.display().to_string(), &text)?, text)
        }
    };
    let options = CertifyOptions {
        role: args.role,
        phase: args.phase,
        target,
        target_text: args.target,
        key: args.key,
        out: args.out,
        declaration: args.declaration,
        rules: Arc::new(rules),
        rules_text,
        features: args.features.unwrap_or_else(runner::default_features_dir),
        api_key: args.api_key,
    };
    let outcome = runtime()?.block_on(certify(&options))?;
    let failures = outcome.report.failures();
    if !failures.is_empty() {
        println!("\nnot passed:\n{failures}");
    }
    println!(
        "\novcert certify: role {}, phase {}, target {}",
        options.role.id(),
        options.phase.id(),
        outcome.report.sut
    );
    print!("{}", outcome.report.summary());
    for probe in &outcome.probes {
        println!(
            "capability {} declared absent ({} scenarios left out): {}",
            probe.capability, probe.scenarios_left_out, probe.answer
        );
    }
    let certified = outcome.verdict == ovcert::evidence::manifest::Verdict::Passed;
    println!(
        "{}: {} of the profile's {} scenarios ran; evidence in {}",
        if certified {
            "CERTIFIED"
        } else {
            "NOT CERTIFIED"
        },
        outcome.report.scenarios.len(),
        outcome.planned,
        outcome.out.display()
    );
    Ok(certified)
}

/// Output into a closed pipe (`ovcert verify DIR | head -1`) ends the program quietly, as
/// with other command-line tools, instead of a panic. Not for `serve`: its sockets must see a
/// closed connection as an error, not a signal.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("ovcert: error: {error:#}");
    ExitCode::from(2)
}

fn rule_tables(out: &std::path::Path, rules: Option<&PathBuf>) -> anyhow::Result<()> {
    let rules = load_rules(rules)?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for (name, text) in rules::tables::full_fare_tables(&rules) {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn load_rules(path: Option<&PathBuf>) -> anyhow::Result<rules::RuleSet> {
    Ok(match path {
        None => rules::nl_2024(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading rule set {}", path.display()))?;
            rules::load_str(&path.display().to_string(), &text)?
        }
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    use std::io::Write as _;

    let rules = Arc::new(load_rules(args.rules.as_ref())?);
    let mut identity = format!(
        "ovcert reference server {} (rule set {})",
        env!("CARGO_PKG_VERSION"),
        rules.meta.id
    );
    if !args.faults.is_empty() {
        let names: Vec<&str> = args.faults.iter().map(|f| f.name()).collect();
        identity.push_str(&format!(" with injected faults: {}", names.join(", ")));
        eprintln!(
            "ovcert serve: SELF-TEST SERVER with injected faults ({}); it does not conform",
            names.join(", ")
        );
    }
    if !args.without.is_empty() {
        let names: Vec<&str> = args.without.iter().map(|c| c.name()).collect();
        identity.push_str(&format!(" without {}", names.join(", ")));
    }
    if args.clock == ovcert::server::clock::ClockSource::System && args.test_controls {
        anyhow::bail!(
            "--clock system cannot be combined with --test-controls: the suite's SetClock and \
             this machine's clock would both move the system's clock"
        );
    }
    if args.clock == ovcert::server::clock::ClockSource::System {
        eprintln!("ovcert serve: the system's clock follows this machine's clock");
    }
    let access = serve_access(&args, &rules)?;
    if args.journal.is_some() && !args.faults.is_empty() {
        anyhow::bail!(
            "--journal cannot be combined with --fault: a self-test server with injected faults \
             has no state worth keeping"
        );
    }
    runtime()?.block_on(async {
        let (system, journal) = match &args.journal {
            None => {
                eprintln!(
                    "ovcert serve: no journal: the state lives in memory only and is lost when \
                     the server stops (keep it with --journal FILE)"
                );
                (ovcert::faults::system(rules, &args.faults), None)
            }
            Some(path) => {
                let recovered = ovcert::server::journal::recover(path, rules).await?;
                eprintln!(
                    "ovcert serve: journal {}: {}",
                    path.display(),
                    if recovered.created {
                        "new".to_owned()
                    } else {
                        format!(
                            "recovered {} operations in {:.2} s",
                            recovered.operations,
                            recovered.took.as_secs_f64()
                        )
                    }
                );
                let system: Box<dyn ovcert::sut::SystemUnderTest> = Box::new(recovered.system);
                (system, Some(recovered.journal))
            }
        };
        let router = ovcert::server::router(ovcert::server::ServerConfig {
            system,
            identity,
            test_controls: args.test_controls,
            without: args.without.clone(),
            access,
            journal,
            clock: args.clock,
        });
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let address = listener.local_addr().context("reading the bound address")?;
        if !args.test_controls {
            eprintln!(
                "ovcert serve: test controls are off (start with --test-controls for a suite run)"
            );
        }
        println!("ovcert serve: listening on http://{address}");
        std::io::stdout().flush().context("writing to stdout")?;
        ovcert::server::serve(listener, router)
            .await
            .context("serving the participant API")?;
        eprintln!("ovcert serve: stopped");
        Ok(())
    })
}

/// Who may call the server: the key file's participants, or — only for a local test lab —
/// everyone.
fn serve_access(
    args: &ServeArgs,
    rules: &rules::RuleSet,
) -> anyhow::Result<ovcert::server::auth::Access> {
    use ovcert::server::auth::{Access, KeyRing};

    let Some(path) = &args.keys else {
        if !(args.test_controls && args.listen.ip().is_loopback()) {
            anyhow::bail!(
                "no --keys: without API keys the server is open to every caller, which is \
                 allowed only for a local test lab (--test-controls on a loopback address such \
                 as 127.0.0.1); to serve participants give --keys FILE (entries from `ovcert \
                 api-key`)"
            );
        }
        eprintln!(
            "ovcert serve: OPEN local test lab: no API keys, every request may call every \
             operation (loopback only; --keys FILE for participants)"
        );
        return Ok(Access::Open);
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading API keys {}", path.display()))?;
    let operators: Vec<&str> = rules.operators.iter().map(|o| o.id.as_str()).collect();
    let ring = KeyRing::load_str(&path.display().to_string(), &text, &operators)?;
    eprintln!(
        "ovcert serve: API keys required ({} participants in {})",
        ring.len(),
        path.display()
    );
    Ok(Access::Keys(ring))
}

fn api_key(args: ApiKeyArgs) -> anyhow::Result<()> {
    use ovcert::api::access::ApiKey;

    match (&args.operator, args.role.has_operator()) {
        (None, true) => anyhow::bail!("a {} key needs --operator", args.role),
        (Some(_), false) => anyhow::bail!("a {} key acts for no operator", args.role),
        _ => {}
    }
    if args.participant.trim().is_empty() || args.participant.len() > 64 {
        anyhow::bail!("--participant must be 1 to 64 characters");
    }
    let key = ApiKey::mint().map_err(anyhow::Error::msg)?;
    print!(
        "{}",
        ovcert::server::auth::entry_toml(
            &args.participant,
            args.role,
            args.operator.as_deref(),
            &key
        )
    );
    eprintln!(
        "API key for {} (shown once; only its SHA-256 is in the entry): {}",
        args.participant,
        key.expose()
    );
    Ok(())
}

fn run(args: RunArgs) -> anyhow::Result<bool> {
    let rules = load_rules(args.rules.as_ref())?;
    let expected_failures = match &args.expected_failures {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading expected failures {}", path.display()))?;
            let list = ovcert::expected::ExpectedFailures::load_str(
                &path.display().to_string(),
                &text,
                &ovcert::catalogue::rules(),
            )
            .map_err(anyhow::Error::msg)?;
            Some(list)
        }
    };
    let options = RunOptions {
        target: args.target,
        role: args.role,
        tags: args.tags,
        features: args.features.unwrap_or_else(runner::default_features_dir),
        verbose: args.verbose,
        rules: Arc::new(rules),
        formats_dir: None,
        expected_failures,
        sequential: false,
        api_key: args.api_key,
    };
    let report = runtime()?.block_on(runner::run(&options))?;
    if let Some(dir) = &args.out {
        report.write_outputs(dir)?;
    }
    let failures = report.failures();
    if !failures.is_empty() {
        println!("\nnot passed:\n{failures}");
    }
    println!();
    println!(
        "ovcert run: target {}, rule set {}",
        report.sut, report.rule_set
    );
    print!("{}", report.summary());
    if let Some(assessment) = &report.expected {
        println!(
            "expected failures: {} failed scenario(s) listed, {} not listed",
            assessment.expected.len(),
            assessment.unexpected_failures
        );
        for line in assessment
            .unexpected_passes
            .iter()
            .chain(&assessment.unused)
        {
            println!("  {line}");
        }
    }
    let passed = report.passed();
    let total = report.scenarios.len();
    let ok = report
        .scenarios
        .iter()
        .filter(|s| s.outcome == ovcert::traceability::Outcome::Passed)
        .count();
    if total == 0 {
        println!("FAIL: no scenario selected");
    } else if passed && ok < total {
        println!(
            "PASS: {ok} of {total} scenarios passed, the others are listed as expected failures"
        );
    } else if passed {
        println!("PASS: {ok} of {total} scenarios passed");
    } else {
        println!("FAIL: {ok} of {total} scenarios passed");
    }
    if let Some(dir) = &args.out {
        println!("traceability: {}", dir.join("traceability.json").display());
    }
    Ok(passed)
}
