//! `ovcert load`: sustained tap ingestion against a participant API (`POST
//! /v1/backoffice/ingest`), at a fixed offered rate, with latency percentiles.
//!
//! The taps come from the synthetic national stream ([`ovcert_reference::synth`]) and are
//! encoded into request bodies before the clock starts, so the client measures the server and
//! not its own JSON encoding. Batch `i` is due at `start + i × batch / rate` (an open-loop
//! schedule): a request's latency is measured from when it was *due*, not from when a
//! connection became free, so a server that falls behind shows its queueing in the
//! percentiles instead of hiding it (coordinated omission). The service time — from sending to
//! the answer — is reported beside it.
//!
//! With `--server-pid` the client samples the server's resident memory (`/proc/PID/status`)
//! every second and reports its start, peak and end, and the growth per acknowledged tap: the
//! back office keeps every tap it accepted, so memory grows with the taps held and with
//! nothing else.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use ovcert_reference::rules::RuleSet;
use ovcert_reference::stream::Record;
use ovcert_reference::synth::{Generator, SynthConfig};
use tokio::time::Instant;

/// What `ovcert load` does.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The server's base URL, `http://HOST:PORT`.
    pub target: String,
    /// Offered taps per second.
    pub rate: u64,
    /// How long to offer them.
    pub duration: Duration,
    /// Taps per request.
    pub batch: usize,
    /// Requests in flight at most (one connection each).
    pub connections: usize,
    /// Seed of the synthetic stream.
    pub seed: u64,
    /// Sent as `Authorization: Bearer KEY` when given.
    pub api_key: Option<String>,
    /// The server's process, to sample its memory.
    pub server_pid: Option<u32>,
    /// Print a progress line every this often (none when `None`).
    pub progress: Option<Duration>,
}

/// What a load run measured.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub offered_rate: u64,
    pub duration: Duration,
    pub batch: usize,
    pub connections: usize,
    pub requests: u64,
    pub taps_acknowledged: u64,
    pub failures: Vec<String>,
    pub elapsed: Duration,
    /// Due → answered, per request, sorted.
    pub latency: Percentiles,
    /// Sent → answered, per request, sorted.
    pub service: Percentiles,
    pub memory: Option<MemorySamples>,
}

/// Latency percentiles in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Percentiles {
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

impl Percentiles {
    /// Nearest-rank percentiles of `sorted` (ascending).
    pub fn of_sorted(sorted: &[u64]) -> Percentiles {
        let rank = |p: u64| -> u64 {
            if sorted.is_empty() {
                return 0;
            }
            let n = sorted.len() as u64;
            let index = (p * n).div_ceil(100).clamp(1, n) - 1;
            sorted[usize::try_from(index)
                .unwrap_or(usize::MAX)
                .min(sorted.len() - 1)]
        };
        Percentiles {
            p50_us: rank(50),
            p90_us: rank(90),
            p99_us: rank(99),
            max_us: sorted.last().copied().unwrap_or(0),
        }
    }
}

/// The server's resident memory over the run, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemorySamples {
    pub start_kib: u64,
    pub peak_kib: u64,
    pub end_kib: u64,
    pub samples: u64,
}

impl LoadReport {
    /// Taps acknowledged per second of the run.
    pub fn achieved_rate(&self) -> f64 {
        self.taps_acknowledged as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The summary lines `ovcert load` prints.
    pub fn lines(&self) -> Vec<String> {
        let ms = |us: u64| format!("{:.2} ms", us as f64 / 1000.0);
        let mut lines = vec![
            format!(
                "offered {} taps/s for {} s in batches of {} over {} connections",
                self.offered_rate,
                self.duration.as_secs(),
                self.batch,
                self.connections
            ),
            format!(
                "acknowledged {} taps in {} requests in {:.1} s: {:.0} taps/s",
                self.taps_acknowledged,
                self.requests,
                self.elapsed.as_secs_f64(),
                self.achieved_rate()
            ),
            format!(
                "latency from due time: p50 {}, p90 {}, p99 {}, max {}",
                ms(self.latency.p50_us),
                ms(self.latency.p90_us),
                ms(self.latency.p99_us),
                ms(self.latency.max_us)
            ),
            format!(
                "service time: p50 {}, p90 {}, p99 {}, max {}",
                ms(self.service.p50_us),
                ms(self.service.p90_us),
                ms(self.service.p99_us),
                ms(self.service.max_us)
            ),
        ];
        if let Some(memory) = self.memory {
            let growth = memory.end_kib.saturating_sub(memory.start_kib) * 1024;
            lines.push(format!(
                "server memory: start {} MiB, peak {} MiB, end {} MiB ({} samples); {:.0} bytes per acknowledged tap",
                memory.start_kib / 1024,
                memory.peak_kib / 1024,
                memory.end_kib / 1024,
                memory.samples,
                growth as f64 / self.taps_acknowledged.max(1) as f64
            ));
        }
        lines.push(if self.failures.is_empty() {
            "0 failed requests".to_owned()
        } else {
            format!(
                "{} failed requests; first: {}",
                self.failures.len(),
                self.failures[0]
            )
        });
        lines
    }
}

/// The request bodies of `taps` taps of the synthetic stream, `batch` taps each.
pub fn prepare_bodies(
    rules: &RuleSet,
    seed: u64,
    taps: u64,
    batch: usize,
) -> anyhow::Result<Vec<(usize, Vec<u8>)>> {
    if batch == 0 {
        bail!("a batch needs at least one tap");
    }
    let mut generator = Generator::new(rules, SynthConfig::new(seed, taps));
    let mut bodies = Vec::new();
    let mut pending = Vec::with_capacity(batch);
    let mut flush = |pending: &mut Vec<_>| -> anyhow::Result<()> {
        if !pending.is_empty() {
            let body = serde_json::to_vec(&serde_json::json!({ "taps": pending }))
                .context("encoding a batch of taps")?;
            bodies.push((pending.len(), body));
            pending.clear();
        }
        Ok(())
    };
    while let Some(records) = generator.next_batch() {
        for record in records {
            if let Record::Tap(tap) = record {
                pending.push(tap);
                if pending.len() == batch {
                    flush(&mut pending)?;
                }
            }
        }
    }
    flush(&mut pending)?;
    Ok(bodies)
}

/// Offers `bodies` to the server on the open-loop schedule of `options`.
pub async fn run(
    options: &LoadOptions,
    bodies: Vec<(usize, Vec<u8>)>,
) -> anyhow::Result<LoadReport> {
    if options.rate == 0 || options.connections == 0 {
        bail!("the rate and the number of connections must be at least 1");
    }
    let url = format!(
        "{}/v1/backoffice/ingest",
        options.target.trim_end_matches('/')
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.connections)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()
        .context("building the HTTP client")?;
    let interval = Duration::from_secs_f64(options.batch as f64 / options.rate as f64);
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let acknowledged = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let memory_samples = Arc::new(std::sync::Mutex::new(None));
    let sampler = options.server_pid.map(|pid| {
        tokio::spawn(sample_memory(
            pid,
            Duration::from_secs(1),
            Arc::clone(&memory_samples),
        ))
    });
    let progress = options.progress.map(|every| {
        let acknowledged = Arc::clone(&acknowledged);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval_at(start + every, every);
            loop {
                ticker.tick().await;
                let taps = acknowledged.load(Ordering::Relaxed);
                let seconds = start.elapsed().as_secs_f64();
                eprintln!(
                    "ovcert load: {seconds:.0} s, {taps} taps acknowledged, {:.0} taps/s",
                    taps as f64 / seconds
                );
            }
        })
    });
    let mut workers = Vec::new();
    for _ in 0..options.connections {
        let client = client.clone();
        let url = url.clone();
        let bodies = Arc::clone(&bodies);
        let next = Arc::clone(&next);
        let acknowledged = Arc::clone(&acknowledged);
        let api_key = options.api_key.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut services = Vec::new();
            let mut failures = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some((taps, body)) = bodies.get(index) else {
                    break;
                };
                let due = start + interval.mul_f64(index as f64);
                tokio::time::sleep_until(due).await;
                let sent = Instant::now();
                let mut request = client
                    .post(&url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
                if let Some(key) = &api_key {
                    request = request.bearer_auth(key);
                }
                let outcome = match request.send().await {
                    Ok(response) if response.status().is_success() => response
                        .bytes()
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                    Ok(response) => {
                        let status = response.status();
                        let text = response.text().await.unwrap_or_default();
                        Err(format!(
                            "{status}: {}",
                            text.chars().take(300).collect::<String>()
                        ))
                    }
                    Err(error) => Err(error.to_string()),
                };
                let answered = Instant::now();
                match outcome {
                    Ok(()) => {
                        acknowledged.fetch_add(*taps as u64, Ordering::Relaxed);
                        latencies.push(micros(answered - due));
                        services.push(micros(answered - sent));
                    }
                    Err(failure) => failures.push(format!("batch {index}: {failure}")),
                }
            }
            (latencies, services, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut services = Vec::new();
    let mut failures = Vec::new();
    for worker in workers {
        let (l, s, f) = worker.await.context("a load connection stopped")?;
        latencies.extend(l);
        services.extend(s);
        failures.extend(f);
    }
    let elapsed = start.elapsed();
    if let Some(progress) = progress {
        progress.abort();
    }
    if let Some(sampler) = sampler {
        sampler.abort();
    }
    if let Some(pid) = options.server_pid {
        record_sample(pid, &memory_samples);
    }
    let memory = *lock(&memory_samples);
    latencies.sort_unstable();
    services.sort_unstable();
    failures.sort();
    Ok(LoadReport {
        offered_rate: options.rate,
        duration: options.duration,
        batch: options.batch,
        connections: options.connections,
        requests: latencies.len() as u64,
        taps_acknowledged: acknowledged.load(Ordering::Relaxed),
        failures,
        elapsed,
        latency: Percentiles::of_sorted(&latencies),
        service: Percentiles::of_sorted(&services),
        memory,
    })
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

type MemorySlot = std::sync::Mutex<Option<MemorySamples>>;

fn lock(slot: &MemorySlot) -> std::sync::MutexGuard<'_, Option<MemorySamples>> {
    slot.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn sample_memory(pid: u32, every: Duration, slot: Arc<MemorySlot>) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        record_sample(pid, &slot);
    }
}

fn record_sample(pid: u32, slot: &MemorySlot) {
    let Some(kib) = resident_kib(pid) else {
        return;
    };
    let mut slot = lock(slot);
    let samples = slot.get_or_insert(MemorySamples {
        start_kib: kib,
        peak_kib: kib,
        end_kib: kib,
        samples: 0,
    });
    samples.peak_kib = samples.peak_kib.max(kib);
    samples.end_kib = kib;
    samples.samples += 1;
}

/// `VmRSS` of process `pid` in KiB.
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(PathBuf::from(format!("/proc/{pid}/status"))).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sorted: Vec<u64> = (1..=100).collect();
        let p = Percentiles::of_sorted(&sorted);
        assert_eq!((p.p50_us, p.p90_us, p.p99_us, p.max_us), (50, 90, 99, 100));
        let one = Percentiles::of_sorted(&[7]);
        assert_eq!((one.p50_us, one.p99_us, one.max_us), (7, 7, 7));
        assert_eq!(Percentiles::of_sorted(&[]), Percentiles::default());
    }

    #[test]
    fn bodies_hold_every_tap_in_batches() {
        let rules = ovcert_reference::rules::nl_2024();
        let bodies = prepare_bodies(&rules, 7, 1_001, 100).expect("bodies");
        let taps: usize = bodies.iter().map(|(taps, _)| taps).sum();
        assert_eq!(taps, 1_001);
        assert_eq!(bodies.len(), 11);
        let last: serde_json::Value = serde_json::from_slice(&bodies[10].1).expect("JSON");
        assert_eq!(last["taps"].as_array().map(Vec::len), Some(1));
        assert!(prepare_bodies(&rules, 7, 10, 0).is_err());
    }
}
