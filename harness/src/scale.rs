//! `ovcert gen` and `ovcert replay`: the I/O shell around the reference's synthetic stream
//! (`synth`), its formats (`stream`) and the streaming back office
//! (`backoffice::streaming`): files, threads, a progress bar, throughput and peak memory.
//!
//! Replay uses four kinds of threads (`pipeline`): the decoding thread reads and decodes
//! records, runs the stream's clock (travel days, late refusal, day closing) and hands each
//! record on in batches to one of two storing threads, by its card; each storing thread
//! tokenises its bank cards and files its taps by travel day and card; a finishing thread
//! joins the two parts of each closed day and computes it with the cards split over two
//! scoped threads (a card's journeys depend on its own taps only), then the operators'
//! reports split the same way, and writes the day's files. One day is finished while the
//! next is read; bounded channels keep at most a few batches and one more closed day
//! waiting, so memory stays bounded by the open days.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use ovcert_reference::Cents;
use ovcert_reference::backoffice::BackOffice;
use ovcert_reference::backoffice::CardJourneys;
use ovcert_reference::backoffice::report::{ReportFile, TapMeanings, add_journey_shares};
use ovcert_reference::backoffice::simulate::fresh_back_office;
use ovcert_reference::backoffice::streaming::{
    ClosedCard, ClosedDay, DayHalf, StreamCounts, day_journeys, day_view, fold_day_fares,
    merge_halves, operator_report, settlement_file,
};
use ovcert_reference::rules::RuleSet;
use ovcert_reference::stream::{Record, bin, csv};
use ovcert_reference::synth::{Generator, SynthConfig};

mod pipeline;

use pipeline::{Replayed, Source};

/// The two stream formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Bin,
}

/// What `gen` wrote.
#[derive(Debug, Clone, Copy)]
pub struct GenSummary {
    pub taps: u64,
    pub cards: u64,
    pub bytes: u64,
}

/// `ovcert gen`: writes the synthetic stream of `config` to `out`.
pub fn generate(
    rules: &RuleSet,
    config: SynthConfig,
    format: Format,
    out: &Path,
) -> anyhow::Result<GenSummary> {
    let file = File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    let header = config.header();
    let encoder = bin::Encoder::new(
        rules.operators.iter().map(|o| o.id.to_string()).collect(),
        rules
            .network
            .stations
            .iter()
            .map(|s| s.id.to_string())
            .collect(),
    )?;
    let mut bytes = Vec::new();
    let mut text = String::new();
    match format {
        Format::Csv => text.push_str(&csv::encode_header(&header)),
        Format::Bin => encoder.header(&header, &mut bytes)?,
    }
    let mut summary = GenSummary {
        taps: 0,
        cards: 0,
        bytes: 0,
    };
    let mut generator = Generator::new(rules, config);
    while let Some(batch) = generator.next_batch() {
        for record in &batch {
            match record {
                Record::Tap(_) => summary.taps += 1,
                Record::Card { .. } => summary.cards += 1,
            }
            match format {
                Format::Csv => csv::encode(record, &mut text)?,
                Format::Bin => encoder.record(record, &mut bytes)?,
            }
            if text.len() + bytes.len() > 1 << 20 {
                flush(&mut writer, &mut text, &mut bytes, &mut summary)?;
            }
        }
    }
    flush(&mut writer, &mut text, &mut bytes, &mut summary)?;
    writer.flush()?;
    Ok(summary)
}

fn flush(
    writer: &mut impl Write,
    text: &mut String,
    bytes: &mut Vec<u8>,
    summary: &mut GenSummary,
) -> anyhow::Result<()> {
    writer.write_all(text.as_bytes())?;
    writer.write_all(bytes)?;
    summary.bytes += (text.len() + bytes.len()) as u64;
    text.clear();
    bytes.clear();
    Ok(())
}

/// Options of a replay.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    pub taps: PathBuf,
    pub out: PathBuf,
    /// Overrides the stream header's maximum lateness.
    pub max_lateness_s: Option<u32>,
    /// Draw a progress bar (the command asks for one when stderr is a terminal).
    pub progress: bool,
    /// Write `totals.csv` and `summary.json` only: journeys and fares of every day, but no
    /// operator reports or settlements (what the peer benchmark compares).
    pub totals_only: bool,
}

/// What a replay did.
#[derive(Debug, Clone)]
pub struct ReplaySummary {
    pub counts: StreamCounts,
    pub format: Format,
    pub max_lateness_s: u32,
    pub elapsed: Duration,
    /// Peak resident memory (VmHWM), when the platform tells.
    pub peak_rss_kib: Option<u64>,
    /// The most taps held for open days at any moment.
    pub peak_held_taps: usize,
}

impl ReplaySummary {
    pub fn taps_per_s(&self) -> f64 {
        self.counts.taps as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The final line.
    pub fn line(&self) -> String {
        let rss = self.peak_rss_kib.map_or("unknown".to_string(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        });
        format!(
            "replayed {} taps ({} new, {} duplicate, {} refused as later than {} s) and {} card profiles into {} travel days in {:.2} s: {:.0} taps/s, peak memory {rss}, at most {} taps held",
            self.counts.taps,
            self.counts.new,
            self.counts.duplicates,
            self.counts.refused_late,
            self.max_lateness_s,
            self.counts.cards,
            self.counts.days,
            self.elapsed.as_secs_f64(),
            self.taps_per_s(),
            self.peak_held_taps,
        )
    }
}

/// Streams a tap file through the back office and writes every travel day's operator
/// reports and settlement under `out/<date>/`.
pub fn replay(rules: &RuleSet, options: &ReplayOptions) -> anyhow::Result<ReplaySummary> {
    let started = Instant::now();
    std::fs::create_dir_all(&options.out)
        .with_context(|| format!("creating {}", options.out.display()))?;
    let file =
        File::open(&options.taps).with_context(|| format!("opening {}", options.taps.display()))?;
    let length = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let format = if reader.fill_buf()?.starts_with(&bin::MAGIC) {
        Format::Bin
    } else {
        Format::Csv
    };
    let progress = options.progress.then(|| {
        let bar = indicatif::ProgressBar::new(length);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });

    let tokens = fresh_back_office(rules);
    let out = &options.out;
    let finish = |closed: ClosedDay| {
        if options.totals_only {
            finish_totals(rules, closed)
        } else {
            finish_and_write(rules, &tokens, closed, out)
        }
    };
    let source = match format {
        Format::Csv => Source::Csv(&mut reader),
        Format::Bin => Source::Bin(&mut reader),
    };
    let replayed = pipeline::run(
        rules,
        source,
        options.max_lateness_s,
        progress.as_ref(),
        &finish,
    );
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let Replayed {
        counts,
        lateness_s: max_lateness_s,
        peak_held_taps,
        mut totals,
    } = replayed?;
    totals.sort();
    std::fs::write(options.out.join("totals.csv"), totals_csv(&totals))?;
    let summary = ReplaySummary {
        counts,
        format,
        max_lateness_s,
        elapsed: started.elapsed(),
        peak_rss_kib: peak_rss_kib(),
        peak_held_taps,
    };
    std::fs::write(
        options.out.join("summary.json"),
        format!(
            "{{\n  \"taps\": {},\n  \"new\": {},\n  \"duplicates\": {},\n  \"refused_late\": {},\n  \"card_profiles\": {},\n  \"travel_days\": {},\n  \"max_lateness_s\": {}\n}}\n",
            counts.taps,
            counts.new,
            counts.duplicates,
            counts.refused_late,
            counts.cards,
            counts.days,
            max_lateness_s
        ),
    )?;
    Ok(summary)
}

/// One operator's report total of one travel day (GBO-03): a row of `totals.csv`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DayTotal {
    pub travel_day: jiff::civil::Date,
    pub operator: String,
    pub total_cents: i64,
}

/// `totals.csv`: every operator's report total per travel day, by day and operator — the
/// table the peer benchmark (`bench/peer-compare.sh`) compares to the cent.
pub fn totals_csv(totals: &[DayTotal]) -> String {
    let mut text = String::from("travel_day,operator,total_cents\n");
    for t in totals {
        text.push_str(&format!(
            "{},{},{}\n",
            t.travel_day, t.operator, t.total_cents
        ));
    }
    text
}

/// `work` done on each half of a closed day's cards, the second half on a thread of its own.
fn on_both_halves<T: Send, E>(
    closed: ClosedDay,
    work: impl Fn(DayHalf) -> Result<T, E> + Sync,
) -> anyhow::Result<(T, T)>
where
    E: Send + Into<anyhow::Error>,
{
    let [first, second] = closed.into_halves();
    let (mine, other) = std::thread::scope(|scope| {
        let other = scope.spawn(|| work(second));
        (work(first), other.join())
    });
    let other = other.map_err(|_| anyhow::anyhow!("pricing a travel day panicked"))?;
    Ok((mine.map_err(Into::into)?, other.map_err(Into::into)?))
}

/// Groups and prices each half of a closed day's cards on its own thread: the cards and
/// their journeys, in card key order.
fn price_day(
    rules: &RuleSet,
    closed: ClosedDay,
) -> anyhow::Result<(Vec<ClosedCard>, Vec<CardJourneys>)> {
    let day = closed.day;
    let (first, second) = on_both_halves(closed, |half| {
        let cards = half.into_cards();
        day_journeys(rules, day, &cards)
            .map(|priced| cards.into_iter().zip(priced).collect::<Vec<_>>())
    })?;
    Ok(merge_halves(first, second, |(card, _)| &card.card)
        .into_iter()
        .unzip())
}

/// `--totals-only`: a closed day's operator totals, every operator (0 without fares). Each
/// half of the day's cards is priced on its own thread, a card's journeys added to the
/// totals and dropped with its taps before the next card: the day's journeys are never held
/// all at once.
fn finish_totals(rules: &RuleSet, closed: ClosedDay) -> anyhow::Result<Vec<DayTotal>> {
    let day = closed.day;
    let (mut totals, other) = on_both_halves(closed, |half| {
        fold_day_fares(
            rules,
            day,
            half.into_cards(),
            BTreeMap::<String, Cents>::new(),
            |totals, journey, fare| {
                add_journey_shares(journey, fare, |operator, share| {
                    add_cents(totals, operator, share)
                });
            },
        )
    })?;
    for (operator, fare) in &other {
        add_cents(&mut totals, operator, *fare);
    }
    Ok(rules
        .operators
        .iter()
        .map(|o| DayTotal {
            travel_day: day.0,
            operator: o.id.to_string(),
            total_cents: totals.get(o.id.as_str()).map_or(0, |c| c.get()),
        })
        .collect())
}

fn add_cents(totals: &mut BTreeMap<String, Cents>, operator: &str, fare: Cents) {
    let total = match totals.get_mut(operator) {
        Some(total) => total,
        None => totals.entry(operator.to_owned()).or_default(),
    };
    *total = total.checked_add(fare).expect("a day's fares fit in i64");
}

/// Computes a closed day over two threads, writes its files and returns its operators'
/// totals.
fn finish_and_write(
    rules: &RuleSet,
    tokens: &BackOffice,
    closed: ClosedDay,
    out: &Path,
) -> anyhow::Result<Vec<DayTotal>> {
    let day = closed.day;
    let (closed, cards) = price_day(rules, closed)?;
    let (view, meanings) = day_view(day, closed, cards);
    let meanings = TapMeanings::in_day_order(&view, meanings);
    let operators: Vec<&str> = rules.operators.iter().map(|o| o.id.as_str()).collect();
    let dir = out.join(day.0.to_string());
    // Both threads take the next operator until none is left (reports differ in size by
    // two orders of magnitude, so a fixed split would leave one thread idle). Each
    // operator's files are written as soon as they are rendered: a national day's reports
    // are hundreds of MiB, so none waits in memory for the others.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let write_reports = || -> anyhow::Result<Vec<DayTotal>> {
        let mut totals = Vec::new();
        while let Some(operator) =
            operators.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
        {
            let report = operator_report(tokens, &view, &meanings, operator);
            for file in ReportFile::ALL {
                write_file(&dir, &file.path(operator), |out| file.write(&report, out))?;
            }
            totals.push(DayTotal {
                travel_day: day.0,
                operator: operator.to_string(),
                total_cents: report.total_cents.get(),
            });
        }
        Ok(totals)
    };
    let (totals, other) = std::thread::scope(|scope| {
        let other = scope.spawn(write_reports);
        (write_reports(), other.join())
    });
    let mut totals = totals?;
    totals.extend(other.map_err(|_| anyhow::anyhow!("a report panicked"))??);
    let settlement = settlement_file(&view).0;
    write_file(&dir, "settlement.json", |out| {
        out.write_all(settlement.as_bytes())
    })?;
    Ok(totals)
}

/// Writes `dir/name` through a buffer as `render` produces it: a national day's report is
/// larger than a gigabyte, so it is never held as one text.
fn write_file(
    dir: &Path,
    name: &str,
    render: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let written = File::create(&path).and_then(|file| {
        let mut out = BufWriter::with_capacity(1 << 16, file);
        render(&mut out)?;
        out.flush()
    });
    written.with_context(|| format!("writing {}", path.display()))
}

/// Peak resident set size in KiB (Linux `VmHWM`), or `None` elsewhere.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Whether to draw a progress bar.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use ovcert_reference::backoffice::streaming::{StreamingBackOffice, finish_day};

    /// A fresh directory for one test's files, and the rules.
    fn scratch(name: &str) -> (RuleSet, PathBuf) {
        let root = std::env::temp_dir().join(format!("ovcert-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&root).expect("temp dir");
        (ovcert_reference::rules::nl_2024(), root)
    }

    /// `replay --totals-only` of `taps` into `root/out`: its error, when it has one.
    fn replay_error(rules: &RuleSet, taps: PathBuf, root: &Path) -> Option<String> {
        replay(
            rules,
            &ReplayOptions {
                taps,
                out: root.join("out"),
                max_lateness_s: None,
                progress: false,
                totals_only: true,
            },
        )
        .err()
        .map(|e| e.to_string())
    }

    fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut files = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(next) = stack.pop() {
            for entry in std::fs::read_dir(&next).expect("readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let bytes = std::fs::read(&path).expect("readable");
                    files.insert(path.strip_prefix(dir).expect("under").to_path_buf(), bytes);
                }
            }
        }
        files
    }

    /// A stream broken part-way is refused with where it broke, in both formats, after the
    /// decoding and storing threads stopped.
    #[test]
    fn broken_streams_are_refused_with_their_position() {
        let (rules, root) = scratch("broken");
        let config = SynthConfig::new(7, 5_000);
        let replay_of =
            |file: PathBuf| replay_error(&rules, file, &root).expect("a broken stream is refused");

        let bin_file = root.join("taps.bin");
        generate(&rules, config, Format::Bin, &bin_file).expect("gen");
        let mut bytes = std::fs::read(&bin_file).expect("read");
        bytes.truncate(bytes.len() - 3);
        std::fs::write(&bin_file, &bytes).expect("write");
        let error = replay_of(bin_file);
        assert!(error.contains("ends inside a record"), "{error}");

        let csv_file = root.join("taps.csv");
        generate(&rules, config, Format::Csv, &csv_file).expect("gen");
        let text = std::fs::read_to_string(&csv_file).expect("read");
        let mut lines: Vec<&str> = text.lines().collect();
        lines[3000] = "not,a,tap";
        std::fs::write(&csv_file, lines.join("\n")).expect("write");
        let error = replay_of(csv_file.clone());
        assert!(error.contains("3001"), "names the line: {error}");

        let mut bytes = text.into_bytes();
        let line_4000 = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(3998)
            .map(|(i, _)| i + 1)
            .expect("more than 4000 lines");
        bytes[line_4000 + 5] = 0xFF;
        std::fs::write(&csv_file, &bytes).expect("write");
        let error = replay_of(csv_file);
        assert!(
            error.contains("line 4000: not UTF-8 text (byte 6 of the line)"),
            "{error}"
        );

        std::fs::write(root.join("empty.csv"), "").expect("write");
        let error = replay_of(root.join("empty.csv"));
        assert!(error.contains("no header"), "{error}");
        std::fs::remove_dir_all(&root).expect("cleanup");
    }

    /// GBO-04 across the storing threads: a tap under the id of another card's tap is
    /// refused whether the two cards are filed by the same storing thread (on arrival) or
    /// by the two (when the day closes), and the stream's error names the tap.
    #[test]
    fn another_tap_under_a_known_id_is_refused_whichever_threads_file_them() {
        use ovcert_reference::backoffice::streaming::part_of_card;

        let (rules, root) = scratch("conflict");
        let config = SynthConfig::new(9, 3_000);
        let mut records = Vec::new();
        let mut generator = Generator::new(&rules, config);
        while let Some(batch) = generator.next_batch() {
            records.extend(batch);
        }
        let taps: Vec<usize> = (0..records.len())
            .filter(|&i| matches!(records[i], Record::Tap(_)))
            .collect();
        let Record::Tap(first) = records[taps[0]].clone() else {
            unreachable!("a tap")
        };
        let day_rule = rules.travel_day_rule();
        for same_part in [true, false] {
            let mut stream = records.clone();
            // A later tap of another card on the same travel day (a stream's tap ids are
            // checked per day), in the first tap's part or not, takes its id.
            let later = taps[1..]
                .iter()
                .rev()
                .copied()
                .find(|&i| match &stream[i] {
                    Record::Tap(t) => {
                        day_rule.travel_day_of(t.at) == day_rule.travel_day_of(first.at)
                            && t.card != first.card
                            && (part_of_card(&t.card) == part_of_card(&first.card)) == same_part
                    }
                    Record::Card { .. } => false,
                })
                .expect("taps of cards in both parts");
            if let Record::Tap(t) = &mut stream[later] {
                t.tap_id = first.tap_id.clone();
            }
            let mut text = csv::encode_header(&config.header());
            for record in &stream {
                csv::encode(record, &mut text).expect("encodes");
            }
            let file = root.join("taps.csv");
            std::fs::write(&file, text).expect("write");
            let error = replay_error(&rules, file, &root).expect("another tap under a known id");
            assert!(
                error.contains(first.tap_id.0.as_str()) && error.contains("different tap"),
                "same part {same_part}: {error}"
            );
        }
        std::fs::remove_dir_all(&root).expect("cleanup");
    }

    /// The files `replay` wrote (rendered on two threads, each straight into its file) are
    /// those [`finish_day`] renders in memory on one thread, day by day: none is cut short,
    /// missing or extra (the whole stream's `totals.csv` and `summary.json` aside).
    fn assert_written_as_finished(
        rules: &RuleSet,
        stream: &Path,
        written: &BTreeMap<PathBuf, Vec<u8>>,
    ) {
        let text = std::fs::read_to_string(stream).expect("stream");
        let mut decoder = csv::Decoder::new();
        let records: Vec<Record> = text
            .lines()
            .filter_map(|line| decoder.line(line).expect("own output decodes"))
            .collect();
        let header = decoder.header().expect("a header precedes the records");
        let mut streaming = StreamingBackOffice::new(
            rules,
            fresh_back_office(rules).vault().clone(),
            header.max_lateness_s,
        );
        let mut closed = Vec::new();
        for record in records {
            closed.extend(streaming.push(record).expect("generated taps are valid"));
        }
        closed.extend(streaming.finish().0);
        let tokens = fresh_back_office(rules);
        let mut expected = BTreeMap::new();
        for day in closed {
            let dir = PathBuf::from(day.day.0.to_string());
            for (name, text) in finish_day(rules, &tokens, day).expect("days finish") {
                expected.insert(dir.join(name), text.into_bytes());
            }
        }
        let mut written = written.clone();
        for whole_stream in ["totals.csv", "summary.json"] {
            written.remove(Path::new(whole_stream)).expect(whole_stream);
        }
        let extra: Vec<_> = written
            .keys()
            .filter(|k| !expected.contains_key(*k))
            .collect();
        let missing: Vec<_> = expected
            .keys()
            .filter(|k| !written.contains_key(*k))
            .collect();
        assert!(
            extra.is_empty() && missing.is_empty(),
            "written but not finished: {extra:?}; finished but not written: {missing:?}"
        );
        for (name, bytes) in &expected {
            assert!(written[name] == *bytes, "{} differs", name.display());
        }
    }

    /// gen → replay at CI size: both formats give the same files, nothing is refused.
    #[test]
    fn generated_streams_replay_the_same_in_both_formats() {
        let (rules, root) = scratch("scale");
        let config = SynthConfig::new(2024, 20_000);
        let mut outputs = Vec::new();
        for (format, name) in [(Format::Csv, "taps.csv"), (Format::Bin, "taps.bin")] {
            let file = root.join(name);
            let written = generate(&rules, config, format, &file).expect("gen");
            assert_eq!(written.taps, 20_000);
            let out = root.join(format!("out-{name}"));
            let summary = replay(
                &rules,
                &ReplayOptions {
                    taps: file,
                    out: out.clone(),
                    max_lateness_s: None,
                    progress: false,
                    totals_only: false,
                },
            )
            .expect("replay");
            assert_eq!(summary.format, format);
            assert_eq!(summary.counts.taps, 20_000);
            assert_eq!(summary.counts.refused_late, 0);
            assert_eq!(summary.counts.days, 7);
            assert!(summary.counts.duplicates > 0);
            outputs.push(files_under(&out));
        }
        assert_eq!(
            outputs[0].keys().collect::<Vec<_>>(),
            outputs[1].keys().collect::<Vec<_>>()
        );
        assert!(outputs[0] == outputs[1], "CSV and binary replays differ");
        assert_written_as_finished(&rules, &root.join("taps.csv"), &outputs[0]);
        assert!(
            outputs[0].len() > 7 * 20,
            "reports and settlements of 7 days"
        );
        let totals = root.join("out-totals");
        replay(
            &rules,
            &ReplayOptions {
                taps: root.join("taps.bin"),
                out: totals.clone(),
                max_lateness_s: None,
                progress: false,
                totals_only: true,
            },
        )
        .expect("replay --totals-only");
        // Priced card by card and added up on two threads, the totals are the reports'.
        let reports_totals = &outputs[1][Path::new("totals.csv")];
        let totals_only = std::fs::read(totals.join("totals.csv")).expect("totals.csv");
        assert_eq!(
            String::from_utf8_lossy(&totals_only),
            String::from_utf8_lossy(reports_totals)
        );
        let lines = String::from_utf8_lossy(&totals_only).lines().count();
        assert_eq!(
            lines,
            1 + 7 * rules.operators.len(),
            "a line per operator and travel day"
        );
        std::fs::remove_dir_all(&root).expect("cleanup");
    }
}
