//! Crash test of `ovcert serve --journal` (issue 8): a client streams a synthetic tap stream
//! (bank cards, duplicates, late uploads) into the back office while the server is killed
//! with SIGKILL at random moments, restarted on the same journal, and sent again whatever was
//! not acknowledged. At the end every operator report and settlement of every travel day must
//! be byte-identical to an uninterrupted run's, with no tap lost or stored twice, and the
//! journal must hold none of the PANs once their retention has passed (EMV-17).
//!
//! Every random choice (the stream, which requests are hit, how long after they were sent)
//! comes from [`SEED`], printed with the numbers.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use jiff::civil::Date;
use ovcert_reference::rules::RuleSet;
use ovcert_reference::stream::Record;
use ovcert_reference::synth::{Generator, SplitMix64, SynthConfig};
use ovcert_reference::tap::{CardIdentity, TapMessage};
use serde_json::{Value, json};
use support::{Server, scratch};

const SEED: u64 = 0x0c0f_fee5;
/// Tap records in the stream (duplicates included). Every restart replays the journal, so
/// this size keeps the test near a minute in a debug build.
const TAPS: u64 = 4000;
const DAYS: u32 = 3;
const BATCH: usize = 15;
const KILLS: usize = 20;
/// A kill lands up to this long after its request was sent: while the request is read,
/// applied or committed, after it was committed but before its answer, or, when the request
/// was quicker, in a later one.
const KILL_DELAY_MAX_US: u64 = 60_000;

/// One request of the stream.
#[derive(Debug, Clone)]
enum Step {
    Clock(Timestamp),
    Ingest(Vec<TapMessage>),
}

impl Step {
    fn request(&self) -> (&'static str, Value) {
        match self {
            Step::Clock(now) => ("/test/v1/clock", json!({ "now": now })),
            Step::Ingest(taps) => ("/v1/backoffice/ingest", json!({ "taps": taps })),
        }
    }
}

/// The stream: each travel day's uploads in batches, then the clock moves to the day's end
/// (payments run, PANs of the day before are purged from the system and the journal).
fn stream(rules: &RuleSet) -> (Vec<Step>, SynthConfig) {
    let config = SynthConfig {
        days: DAYS,
        ..SynthConfig::new(SEED, TAPS)
    };
    let mut generator = Generator::new(rules, config);
    let mut steps = vec![Step::Clock(start_of(rules, config.start))];
    let mut day = config.start;
    while let Some(records) = generator.next_batch() {
        let taps: Vec<TapMessage> = records
            .into_iter()
            .filter_map(|record| match record {
                Record::Tap(tap) => Some(tap),
                Record::Card { .. } => None,
            })
            .collect();
        steps.extend(taps.chunks(BATCH).map(|chunk| Step::Ingest(chunk.to_vec())));
        day = day.tomorrow().unwrap();
        steps.push(Step::Clock(start_of(rules, day)));
    }
    (steps, config)
}

fn start_of(rules: &RuleSet, day: Date) -> Timestamp {
    rules
        .travel_day_rule()
        .end_of(ovcert_reference::time::TravelDay(day.yesterday().unwrap()))
}

/// A client of one server process at a time, restarting it when it was killed.
struct Client {
    journal: Option<PathBuf>,
    server: Option<Server>,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    /// The kill under way, if any.
    killer: Option<JoinHandle<()>>,
    restarts: usize,
    resent: usize,
    /// Kills that landed after their request's answer and before the next request.
    between: usize,
}

impl Client {
    fn new(journal: Option<PathBuf>) -> Client {
        let mut client = Client {
            journal,
            server: None,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            killer: None,
            restarts: 0,
            resent: 0,
            between: 0,
        };
        client.start();
        client
    }

    fn start(&mut self) {
        let args: Vec<String> = match &self.journal {
            Some(path) => vec!["--journal".into(), path.display().to_string()],
            None => vec![],
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.server = Some(Server::start(&args));
    }

    fn pid(&self) -> i32 {
        let server = self.server.as_ref().expect("a running server");
        i32::try_from(server.pid()).unwrap()
    }

    /// SIGKILL to the server `delay` from now, from another thread.
    fn kill_after(&mut self, delay: Duration) {
        assert!(self.killer.is_none(), "one kill at a time");
        let pid = self.pid();
        self.killer = Some(std::thread::spawn(move || {
            std::thread::sleep(delay);
            // SAFETY: kill(2) on a child process this test started and has not reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }));
    }

    /// After a failed request: the kill must have been ours; reap the process and restart
    /// it on the same journal.
    fn recover(&mut self, path: &str, error: &reqwest::Error) {
        let killer = self
            .killer
            .take()
            .unwrap_or_else(|| panic!("{path} failed without a kill: {error}"));
        killer.join().unwrap();
        let mut server = self.server.take().unwrap();
        let status = server.wait();
        assert!(!status.success(), "the server ended by itself: {status}");
        self.start();
        self.restarts += 1;
    }

    /// Posts until an answer comes; a request the server died on is sent again.
    fn post(&mut self, path: &str, body: &Value) -> (u16, Vec<u8>) {
        let mut attempt = 0;
        loop {
            let url = format!("{}{path}", self.server.as_ref().unwrap().base_url);
            let sent = self.runtime.block_on(async {
                let response = self.http.post(&url).json(body).send().await?;
                let status = response.status().as_u16();
                Ok::<_, reqwest::Error>((status, response.bytes().await?.to_vec()))
            });
            match sent {
                Ok(answer) => {
                    if attempt > 0 {
                        self.resent += 1;
                    }
                    return answer;
                }
                Err(error) => {
                    self.recover(path, &error);
                    attempt += 1;
                }
            }
        }
    }

    fn post_ok(&mut self, path: &str, body: &Value) -> Vec<u8> {
        let (status, bytes) = self.post(path, body);
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&bytes));
        bytes
    }

    /// A deliberate kill between requests, and the restart.
    fn kill_and_restart(&mut self) {
        let mut server = self.server.take().unwrap();
        server.kill();
        self.start();
        self.restarts += 1;
    }

    /// Waits for a kill still under way (its request was answered before it landed).
    fn settle_kill(&mut self) {
        if let Some(killer) = self.killer.take() {
            killer.join().unwrap();
            let mut server = self.server.take().unwrap();
            server.wait();
            self.start();
            self.restarts += 1;
            self.between += 1;
        }
    }
}

/// What a run ends with: every answer compared byte for byte.
#[derive(Debug, PartialEq, Eq)]
struct Results {
    /// Per stream step: the answer (ingest: New/Duplicate per tap).
    answers: Vec<(u16, Vec<u8>)>,
    settlements: Vec<(Date, Vec<u8>)>,
    reports: Vec<(String, Date, Vec<u8>)>,
    received_taps: Vec<u8>,
    pans_held: Vec<u8>,
}

struct Run {
    results: Results,
    restarts: usize,
    resent: usize,
    between: usize,
    took: Duration,
}

/// Streams `steps` into a server (with a journal: kills at `kills`, (step, delay) pairs), then
/// closes every day and reads what the back office made of it.
fn run(
    rules: &RuleSet,
    config: &SynthConfig,
    steps: &[Step],
    journal: Option<PathBuf>,
    kills: &[(usize, Duration)],
) -> Run {
    let started = Instant::now();
    let mut client = Client::new(journal.clone());
    let mut answers = Vec::with_capacity(steps.len());
    // A planned kill is armed at its step, or later while the one before is still under way
    // (which then lands in this request): kills land in requests, not between them.
    let mut planned = kills.iter().peekable();
    for (index, step) in steps.iter().enumerate() {
        if client.killer.is_none()
            && let Some((_, delay)) = planned.next_if(|(at, _)| *at <= index)
        {
            client.kill_after(*delay);
        }
        let (path, body) = step.request();
        answers.push(client.post(path, &body));
    }
    assert!(planned.next().is_none(), "every planned kill was armed");
    client.settle_kill();
    let end = start_of(
        rules,
        last_day(config).tomorrow().unwrap().tomorrow().unwrap(),
    );
    client.post_ok("/test/v1/clock", &json!({ "now": end }));
    if journal.is_some() {
        // Everything after the PAN purge must also come back from the journal alone.
        client.kill_and_restart();
    }
    let days = days(config);
    let settlements = days
        .iter()
        .map(|day| {
            (
                *day,
                client.post_ok("/v1/backoffice/settle", &json!({ "day": day })),
            )
        })
        .collect();
    let mut reports = Vec::new();
    for operator in &rules.operators {
        let operator = serde_json::to_value(&operator.id).unwrap();
        let operator = operator.as_str().unwrap().to_owned();
        for day in &days {
            let body = json!({ "operator": operator, "day": day });
            let report = client.post_ok("/v1/backoffice/operator-report", &body);
            reports.push((operator.clone(), *day, report));
        }
    }
    let received_taps = client.post_ok("/test/v1/backoffice/received-taps", &json!({}));
    let pans_held = client.post_ok("/test/v1/backoffice/pans-held", &json!({}));
    Run {
        results: Results {
            answers,
            settlements,
            reports,
            received_taps,
            pans_held,
        },
        restarts: client.restarts,
        resent: client.resent,
        between: client.between,
        took: started.elapsed(),
    }
}

fn days(config: &SynthConfig) -> Vec<Date> {
    (0..config.days)
        .map(|i| {
            config
                .start
                .checked_add(jiff::Span::new().days(i64::from(i)))
                .unwrap()
        })
        .collect()
}

fn last_day(config: &SynthConfig) -> Date {
    *days(config).last().unwrap()
}

/// `KILLS` distinct ingest steps, each with a delay after its request is sent.
fn kill_plan(steps: &[Step]) -> Vec<(usize, Duration)> {
    let mut rng = SplitMix64::new(SEED);
    let ingests: Vec<usize> = (0..steps.len())
        .filter(|i| matches!(steps[*i], Step::Ingest(_)))
        .collect();
    assert!(
        ingests.len() > 2 * KILLS,
        "too few batches for {KILLS} kills"
    );
    // One kill in each of KILLS equal windows of the first nine tenths of the batches: spread
    // out so each is armed while the stream still runs (a kill is armed only after the one
    // before has landed).
    let reach = ingests.len() * 9 / 10;
    (0..KILLS)
        .map(|window| {
            let from = window * reach / KILLS;
            let to = (window + 1) * reach / KILLS;
            let step = ingests[from + rng.below((to - from) as u64) as usize];
            (step, Duration::from_micros(rng.below(KILL_DELAY_MAX_US)))
        })
        .collect()
}

fn pans_of(steps: &[Step]) -> BTreeSet<String> {
    steps
        .iter()
        .filter_map(|step| match step {
            Step::Ingest(taps) => Some(taps),
            Step::Clock(_) => None,
        })
        .flatten()
        .filter_map(|tap| match &tap.card {
            CardIdentity::Emv { pan, .. } => Some(pan.clone()),
            CardIdentity::OvChipkaart { .. } => None,
        })
        .collect()
}

/// The PANs found in the journal's files (main database and write-ahead log).
fn pans_in_files(journal: &Path, pans: &BTreeSet<String>) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", journal.display()));
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        for pan in pans {
            if bytes.windows(pan.len()).any(|w| w == pan.as_bytes()) {
                found.push((file.display().to_string(), pan.clone()));
            }
        }
    }
    found
}

#[test]
fn killed_at_random_moments_the_journaled_server_loses_and_doubles_nothing() {
    let rules = ovcert_reference::rules::nl_2024();
    let (steps, config) = stream(&rules);
    let taps: Vec<&TapMessage> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Ingest(taps) => Some(taps),
            Step::Clock(_) => None,
        })
        .flatten()
        .collect();
    let distinct: BTreeSet<&str> = taps.iter().map(|t| t.tap_id.0.as_str()).collect();
    let pans = pans_of(&steps);
    assert!(!pans.is_empty(), "the stream has bank-card taps");
    let kills = kill_plan(&steps);

    let uninterrupted = run(&rules, &config, &steps, None, &[]);
    let dir = scratch("crash");
    let journal = dir.join("journal.sqlite");
    let crashed = run(&rules, &config, &steps, Some(journal.clone()), &kills);

    let received: Vec<Value> = serde_json::from_slice(&crashed.results.received_taps).unwrap();
    let ids: BTreeSet<&str> = received
        .iter()
        .map(|t| t["tap_id"].as_str().unwrap())
        .collect();
    let lost = distinct.difference(&ids).count();
    let doubled = received.len() - ids.len();
    let journal_bytes = std::fs::metadata(&journal).map_or(0, |m| m.len());
    let answers_differing = uninterrupted
        .results
        .answers
        .iter()
        .zip(&crashed.results.answers)
        .filter(|(a, b)| a != b)
        .count();
    println!(
        "crash test (seed {SEED:#x}): {} tap records ({} distinct, {} bank-card PANs) in {} \
         requests; {} SIGKILLs ({} during the stream + 1 after the PAN purge; {} cut a request \
         off, {} landed between requests), {} requests sent again, {} of them journaled \
         before the kill (answered as duplicates the second time); \
         lost {lost}, stored twice {doubled}; uninterrupted run {:.2} s, crashing run {:.2} s; \
         journal {journal_bytes} bytes",
        taps.len(),
        distinct.len(),
        pans.len(),
        steps.len(),
        crashed.restarts,
        kills.len(),
        crashed.resent,
        crashed.between,
        crashed.resent,
        answers_differing,
        uninterrupted.took.as_secs_f64(),
        crashed.took.as_secs_f64(),
    );
    assert_eq!(uninterrupted.restarts, 0);
    assert!(crashed.restarts > KILLS, "every planned kill happened");
    assert_eq!((lost, doubled), (0, 0));
    assert_eq!(ids.len(), distinct.len());
    let (a, b) = (&uninterrupted.results, &crashed.results);
    assert_eq!(a.settlements.len(), config.days as usize);
    assert!(a.reports.len() >= config.days as usize);
    for ((day, x), (_, y)) in a.settlements.iter().zip(&b.settlements) {
        assert!(x == y, "settlement of {day} differs");
    }
    for ((operator, day, x), (_, _, y)) in a.reports.iter().zip(&b.reports) {
        assert!(x == y, "report of {operator} for {day} differs");
    }
    assert!(a.received_taps == b.received_taps, "received taps differ");
    assert_eq!(
        a.pans_held, b"0",
        "PAN data are purged 24 h after the tap (EMV-17)"
    );
    assert_eq!(a.pans_held, b.pans_held);
    // A request answered twice (killed after its commit) may answer "duplicate" the second
    // time; any other difference is a replay that went otherwise.
    for (index, ((x, y), step)) in a.answers.iter().zip(&b.answers).zip(&steps).enumerate() {
        if x != y {
            assert!(
                matches!(step, Step::Ingest(_)) && x.0 == 200 && y.0 == 200,
                "step {index}: {:?} then {:?}",
                String::from_utf8_lossy(&x.1),
                String::from_utf8_lossy(&y.1)
            );
            let y: Vec<String> = serde_json::from_slice(&y.1).unwrap();
            assert!(y.iter().all(|i| i == "duplicate"), "step {index}: {y:?}");
        }
    }
    let left = pans_in_files(&journal, &pans);
    assert!(
        left.is_empty(),
        "PANs left in the journal after their retention: {left:?}"
    );
}
