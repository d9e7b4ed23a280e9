//! The threads of a replay. The decoding thread (the caller's) reads and decodes records,
//! runs the stream's clock (`StreamClock`: a tap's travel day, late refusal, day closing)
//! and hands each record to one of two storing threads by its card (`part_of_card`); each
//! storing thread files its cards' taps (`TapStore::part`). When the clock closes a day,
//! both storing threads hand their part of it to the finishing thread, which joins the two
//! (`join_parts`) and finishes the day while the next is read. Filing is memory-bound work
//! on tables as large as the day; split by card, it runs on two cores.
//!
//! Bounded channels keep at most a few batches and one more part of a closed day waiting.
//! When a thread fails, the others stop; the failure reported is the first in stream order,
//! so that it does not depend on which thread noticed first.

use std::fs::File;
use std::io::{BufReader, Read};
use std::sync::{Arc, mpsc};

use anyhow::{Context, bail};
use jiff::Timestamp;
use ovcert_reference::backoffice::CardProfile;
use ovcert_reference::backoffice::simulate::fresh_back_office;
use ovcert_reference::backoffice::streaming::{
    Admission, ClosedDay, DayPart, PreparedRecord, PreparedTap, SharedReaders, StreamClock,
    StreamCounts, TapStore, join_parts, part_of_card, part_of_number,
};
use ovcert_reference::card::CardNumber;
use ovcert_reference::rules::RuleSet;
use ovcert_reference::stream::{DecodedRecord, StreamHeader, bin, csv};
use ovcert_reference::tap::ReaderRef;
use ovcert_reference::time::TravelDay;

use super::DayTotal;

/// A stream to decode, in its format.
pub(super) enum Source<'a> {
    Csv(&'a mut BufReader<File>),
    Bin(&'a mut BufReader<File>),
}

/// What a replay's threads made of a stream.
pub(super) struct Replayed {
    pub counts: StreamCounts,
    /// The maximum lateness used (the header's, unless overridden).
    pub lateness_s: u32,
    /// The most taps held for open days at any day's close.
    pub peak_held_taps: usize,
    /// Every closed day's totals, in the order the days closed.
    pub totals: Vec<DayTotal>,
}

/// Runs the threads over `source`, finishing every closed day with `finish`.
pub(super) fn run(
    rules: &RuleSet,
    source: Source<'_>,
    max_lateness_s: Option<u32>,
    progress: Option<&indicatif::ProgressBar>,
    finish: &(dyn Fn(ClosedDay) -> anyhow::Result<Vec<DayTotal>> + Sync),
) -> anyhow::Result<Replayed> {
    // EMV-01: each storing thread tokenises its own cards with the same key.
    let vault = fresh_back_office(rules).vault().clone();
    let [(to_first, first_in), (to_second, second_in)] =
        [(); 2].map(|()| mpsc::sync_channel::<Vec<Filing>>(BATCHES_IN_FLIGHT));
    // Emptied batches go back to the decoding thread: fresh memory for every batch would
    // cost more than decoding into it.
    let [(back_first, first_back), (back_second, second_back)] =
        [(); 2].map(|()| mpsc::sync_channel::<Vec<Filing>>(BATCHES_IN_FLIGHT));
    let [(first_out, first_parts), (second_out, second_parts)] =
        [(); 2].map(|()| mpsc::sync_channel::<ClosedPart>(1));
    std::thread::scope(|scope| {
        let first_vault = vault.clone();
        let first = scope.spawn(move || {
            store_part(TapStore::part(first_vault), first_in, back_first, first_out)
        });
        let second = scope
            .spawn(move || store_part(TapStore::part(vault), second_in, back_second, second_out));
        let finisher = scope.spawn(move || finish_days([first_parts, second_parts], finish));
        let hand_over = HandOver {
            rules,
            max_lateness_s,
            clock: None,
            parts: [
                PartQueue::new(to_first, first_back),
                PartQueue::new(to_second, second_back),
            ],
            readers: SharedReaders::default(),
            records: 0,
            progress,
        };
        let decoded = decode_stream(source, hand_over);
        let stored = [first, second].map(|store| {
            store
                .join()
                .unwrap_or_else(|_| Err(Failure::panic("storing the taps panicked")))
        });
        let finished = finisher
            .join()
            .unwrap_or_else(|_| Err(Failure::panic("finishing a travel day panicked")));
        outcome(decoded, stored, finished)
    })
}

/// The replay's result from its threads' own: the first failure in stream order, or the
/// decoding thread's, or the counts and totals.
fn outcome(
    decoded: anyhow::Result<Option<(StreamCounts, u32)>>,
    stored: [Result<StreamCounts, Failure>; 2],
    finished: Result<(Vec<DayTotal>, usize), Failure>,
) -> anyhow::Result<Replayed> {
    let [first, second] = stored;
    let (first, second, (totals, peak_held_taps)) = match (first, second, finished) {
        (Ok(first), Ok(second), Ok(finished)) => (first, second, finished),
        (first, second, finished) => {
            let earliest = [first.err(), second.err(), finished.err()]
                .into_iter()
                .flatten()
                .min_by_key(|f| f.at)
                .expect("a thread failed");
            // A record's failure comes before the place the decoding thread stopped at; a
            // thread that stopped because another did tells less than the decoder's error.
            if earliest.at < Failure::AFTER_THE_STREAM {
                return Err(earliest.error);
            }
            decoded?;
            return Err(earliest.error);
        }
    };
    let (clock_counts, lateness_s) =
        decoded?.context("the storing threads stopped taking records")?;
    Ok(Replayed {
        counts: clock_counts.plus(first).plus(second),
        lateness_s,
        peak_held_taps,
        totals,
    })
}

/// What the decoding thread hands to a storing thread, in stream order.
enum Filing {
    Card {
        number: CardNumber,
        profile: CardProfile,
    },
    /// `record`: the tap's number in the stream, from 1.
    Tap {
        day: TravelDay,
        tap: PreparedTap,
        record: u64,
    },
    /// The clock closed `days` after record `record`; `purge`: the watermark that closed
    /// them (EMV-17), none at the end of the stream.
    Close {
        days: Arc<[TravelDay]>,
        purge: Option<Timestamp>,
        record: u64,
    },
}

/// One storing thread's part of a closed day, with the taps held at its close (the open
/// days' and this day's): the replay's peak.
struct ClosedPart {
    part: DayPart,
    held: usize,
    record: u64,
}

/// Records per hand-over between the decoding and a storing thread.
const BATCH: usize = 1024;
/// Batches decoded ahead of each storing thread.
const BATCHES_IN_FLIGHT: usize = 8;

/// Why a thread stopped, and where in the stream: `at` orders failures in stream order.
struct Failure {
    at: u64,
    error: anyhow::Error,
}

impl Failure {
    /// Anything at or above is no failure of a record but of a thread: reported only when no
    /// record failed.
    const AFTER_THE_STREAM: u64 = u64::MAX - 1;

    fn at_tap(record: u64, error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            at: record.saturating_mul(2),
            error: error.into(),
        }
    }

    /// Days closed after record `record` are closed before record `record + 1` is filed.
    fn at_close(record: u64, error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            at: record.saturating_mul(2).saturating_add(1),
            error: error.into(),
        }
    }

    fn panic(what: &str) -> Failure {
        Failure {
            at: Self::AFTER_THE_STREAM,
            error: anyhow::anyhow!("{what}"),
        }
    }

    /// A thread stopped because another did.
    fn follows(what: &str) -> Failure {
        Failure {
            at: u64::MAX,
            error: anyhow::anyhow!("{what}"),
        }
    }
}

/// Files one part's records and hands its part of each closed day on.
fn store_part(
    mut store: TapStore,
    receive: mpsc::Receiver<Vec<Filing>>,
    give_back: mpsc::SyncSender<Vec<Filing>>,
    hand_on: mpsc::SyncSender<ClosedPart>,
) -> Result<StreamCounts, Failure> {
    for mut batch in receive {
        for filing in batch.drain(..) {
            match filing {
                Filing::Card { number, profile } => store.card(number, profile),
                Filing::Tap { day, tap, record } => store
                    .file(day, tap)
                    .map_err(|e| Failure::at_tap(record, e))?,
                Filing::Close {
                    days,
                    purge,
                    record,
                } => {
                    let parts: Vec<DayPart> = days.iter().map(|d| store.close_part(*d)).collect();
                    if let Some(watermark) = purge {
                        store.purge(watermark);
                    }
                    let open = store.held_taps();
                    for part in parts {
                        let held = open + part.tap_count();
                        hand_on
                            .send(ClosedPart { part, held, record })
                            .map_err(|_| Failure::follows("the finishing thread stopped"))?;
                    }
                }
            }
        }
        // The decoding thread may have enough batches already, or have finished.
        let _ = give_back.try_send(batch);
    }
    Ok(store.counts())
}

/// Joins the two parts of each closed day and finishes it; returns the totals and the most
/// taps held at a day's close.
fn finish_days(
    parts: [mpsc::Receiver<ClosedPart>; 2],
    finish: &(dyn Fn(ClosedDay) -> anyhow::Result<Vec<DayTotal>> + Sync),
) -> Result<(Vec<DayTotal>, usize), Failure> {
    let [first, second] = parts;
    let mut totals = Vec::new();
    let mut peak_held = 0;
    loop {
        match (first.recv(), second.recv()) {
            (Ok(a), Ok(b)) => {
                peak_held = peak_held.max(a.held + b.held);
                let record = a.record;
                let day = join_parts(a.part, b.part).map_err(|e| Failure::at_close(record, e))?;
                totals.extend(finish(day).map_err(|e| Failure::at_close(record, e))?);
            }
            (Err(_), Err(_)) => return Ok((totals, peak_held)),
            _ => return Err(Failure::follows("a storing thread stopped")),
        }
    }
}

/// One storing thread's queue on the decoding thread.
struct PartQueue {
    send: mpsc::SyncSender<Vec<Filing>>,
    given_back: mpsc::Receiver<Vec<Filing>>,
    batch: Vec<Filing>,
}

impl PartQueue {
    fn new(
        send: mpsc::SyncSender<Vec<Filing>>,
        given_back: mpsc::Receiver<Vec<Filing>>,
    ) -> PartQueue {
        PartQueue {
            send,
            given_back,
            batch: Vec::with_capacity(BATCH),
        }
    }

    /// Sends the batch; `false` once the storing thread has stopped taking them.
    fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let empty = self
            .given_back
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH));
        let batch = std::mem::replace(&mut self.batch, empty);
        self.send.send(batch).is_ok()
    }
}

/// The decoding thread's side: prepares each record (its reader shared through `readers`),
/// runs the clock and queues each record for its card's part. Methods
/// answer `false` once a storing thread has stopped taking records.
struct HandOver<'a> {
    rules: &'a RuleSet,
    /// Overrides the header's.
    max_lateness_s: Option<u32>,
    /// Made from the header, with the lateness it uses.
    clock: Option<(StreamClock, u32)>,
    parts: [PartQueue; 2],
    readers: SharedReaders,
    /// Records read.
    records: u64,
    progress: Option<&'a indicatif::ProgressBar>,
}

impl HandOver<'_> {
    fn header(&mut self, header: StreamHeader) {
        let lateness = self.max_lateness_s.unwrap_or(header.max_lateness_s);
        self.clock = Some((StreamClock::new(self.rules, lateness), lateness));
    }

    /// `position`: the stream position after `record`, decoded with its reader from
    /// `self.readers`.
    fn record(
        &mut self,
        record: DecodedRecord<Arc<ReaderRef>>,
        position: u64,
    ) -> anyhow::Result<bool> {
        let Some((clock, _)) = self.clock.as_mut() else {
            bail!("records before the stream's header");
        };
        self.records += 1;
        match PreparedRecord::decoded(record) {
            PreparedRecord::Card { number, profile } => {
                self.parts[part_of_number(number)]
                    .batch
                    .push(Filing::Card { number, profile });
            }
            PreparedRecord::Tap(tap) => {
                if let Admission::Open(day) = clock.admit(tap.at()) {
                    let part = part_of_card(tap.card());
                    self.parts[part].batch.push(Filing::Tap {
                        day,
                        tap,
                        record: self.records,
                    });
                    let days = clock.close_ready();
                    if !days.is_empty() {
                        let purge = clock.watermark();
                        let days: Arc<[TravelDay]> = days.into();
                        for part in &mut self.parts {
                            part.batch.push(Filing::Close {
                                days: Arc::clone(&days),
                                purge,
                                record: self.records,
                            });
                        }
                        // Both parts of the closed days go to the finishing thread now.
                        return Ok(self.flush_all(position));
                    }
                }
            }
        }
        let mut taken = true;
        let mut flushed = false;
        for part in &mut self.parts {
            if part.batch.len() >= BATCH {
                taken &= part.flush();
                flushed = true;
            }
        }
        if flushed {
            self.show(position);
        }
        Ok(taken)
    }

    fn flush_all(&mut self, position: u64) -> bool {
        let taken = self.parts.iter_mut().all(PartQueue::flush);
        self.show(position);
        taken
    }

    fn show(&self, position: u64) {
        if let Some(bar) = self.progress {
            bar.set_position(position);
        }
    }

    /// The end of the stream: every open day closes. The clock's counts and the lateness
    /// used; `None` when a storing thread stopped taking records.
    fn finish(mut self, position: u64) -> anyhow::Result<Option<(StreamCounts, u32)>> {
        let Some((clock, lateness)) = self.clock.take() else {
            bail!("the stream has no header");
        };
        let (days, counts) = clock.finish();
        if !days.is_empty() {
            let days: Arc<[TravelDay]> = days.into();
            for part in &mut self.parts {
                part.batch.push(Filing::Close {
                    days: Arc::clone(&days),
                    purge: None,
                    record: self.records,
                });
            }
        }
        Ok(self.flush_all(position).then_some((counts, lateness)))
    }
}

/// Decodes the stream and hands its records over; `Ok(None)` when a storing thread stopped
/// taking them.
fn decode_stream(
    source: Source<'_>,
    mut hand_over: HandOver<'_>,
) -> anyhow::Result<Option<(StreamCounts, u32)>> {
    match source {
        Source::Csv(reader) => {
            // Lines are read a block at a time and decoded where they lie: no line is copied.
            let mut decoder = csv::Decoder::new();
            let mut buffer = Vec::with_capacity(1 << 21);
            let mut consumed = 0_u64;
            let mut header_seen = false;
            loop {
                let before = buffer.len();
                reader.read_to_end_limited(&mut buffer, 1 << 20)?;
                let at_end = buffer.len() == before;
                // Whole lines only; the last line of the input may lack its line break.
                let whole = if at_end {
                    buffer.len()
                } else {
                    match buffer.iter().rposition(|b| *b == b'\n') {
                        Some(last_break) => last_break + 1,
                        None => continue,
                    }
                };
                let mut position = consumed;
                let (text, utf8) = decoder.text(&buffer[..whole]);
                for line in text.split_inclusive('\n') {
                    position += line.len() as u64;
                    let text = line.strip_suffix('\n').unwrap_or(line);
                    let record = decoder.line_with(text, &mut hand_over.readers)?;
                    if !header_seen && let Some(header) = decoder.header() {
                        header_seen = true;
                        hand_over.header(header);
                    }
                    if let Some(record) = record
                        && !hand_over.record(record, position)?
                    {
                        return Ok(None);
                    }
                }
                utf8?;
                buffer.drain(..whole);
                consumed = position;
                if at_end {
                    return hand_over.finish(consumed);
                }
            }
        }
        Source::Bin(reader) => {
            let mut buffer = Vec::with_capacity(1 << 21);
            reader.read_to_end_limited(&mut buffer, 1 << 20)?;
            let (decoder, mut at) = bin::Decoder::new(&buffer)?;
            hand_over.header(decoder.header());
            let mut consumed = 0_u64;
            loop {
                match decoder.record_with(
                    &buffer[at..],
                    consumed + at as u64,
                    &mut hand_over.readers,
                )? {
                    bin::NextWith::Record(record, used) => {
                        at += used;
                        if !hand_over.record(record, consumed + at as u64)? {
                            return Ok(None);
                        }
                    }
                    bin::NextWith::NeedMore => {
                        buffer.drain(..at);
                        consumed += at as u64;
                        at = 0;
                        let before = buffer.len();
                        reader.read_to_end_limited(&mut buffer, 1 << 20)?;
                        if buffer.len() == before {
                            if before > 0 {
                                bail!("byte {consumed}: the stream ends inside a record");
                            }
                            break;
                        }
                    }
                }
            }
            hand_over.finish(consumed + at as u64)
        }
    }
}

/// Reading at most `limit` more bytes onto a buffer.
trait ReadLimited {
    fn read_to_end_limited(&mut self, buffer: &mut Vec<u8>, limit: u64) -> std::io::Result<()>;
}

impl<R: Read> ReadLimited for R {
    fn read_to_end_limited(&mut self, buffer: &mut Vec<u8>, limit: u64) -> std::io::Result<()> {
        self.by_ref().take(limit).read_to_end(buffer).map(|_| ())
    }
}
