//! Golden datasets: fixed days of taps in `golden/<name>/` run through the back office, every
//! operator report and every settlement of every travel day snapshotted with insta
//! (`golden/<name>/snapshots/`). A changed or missing snapshot fails the test; a golden file
//! changes only through review (`golden/README.md`).
//!
//! The inputs (`taps.jsonl`, one tap message per line in the participant JSON form, and
//! `cards.json`, the OV-chipkaart profiles) are written by the builders at the bottom of this
//! file, which say tap by tap what each one is for. The test checks that the committed inputs
//! are what the builders write; after changing a builder on purpose, rewrite them with
//! `OVCERT_WRITE_GOLDEN_INPUTS=1 cargo test -p ovcert-reference --test golden` and review the
//! snapshot changes that follow.
//!
//! Besides the snapshots, every day must balance (SET-02), keep fares within bounds
//! (FARE-11), account for every tap (GBO-01), and no output or snapshot may contain a PAN of
//! the dataset or a card token (EMV-01, EMV-02: operators see only their own tokens).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

#[path = "support/dataset.rs"]
mod dataset;

use dataset::on_board;
use ovcert_reference::backoffice::CardProfile;
use ovcert_reference::backoffice::replay::{self, Dataset};
use ovcert_reference::backoffice::simulate::DayOutcome;
use ovcert_reference::card::{CardKind, CardNumber, ProductSlot};
use ovcert_reference::rules::{Mode, RuleSet, TransportClass, nl_2024};
use ovcert_reference::tap::{CardIdentity, DeviceKind, ReaderRef, TapKind, TapMessage};
use ovcert_reference::time::parse_instant;

static RULES: LazyLock<RuleSet> = LazyLock::new(nl_2024);

#[test]
fn commuter_week() {
    check("commuter-week", commuter_week_inputs(), &[]);
}

#[test]
fn multi_operator_day() {
    check("multi-operator-day", multi_operator_day_inputs(), &[]);
}

#[test]
fn dst_night_ovpay() {
    check("dst-night-ovpay", dst_night_ovpay_inputs(), &[]);
}

/// A day-level invariant a dataset is known to break, with the exact message. The test fails
/// when the failure changes or disappears, so a fix updates this list (wasmtime's known
/// failures).
struct KnownFailure {
    day: &'static str,
    error: &'static str,
}

/// Runs one dataset from its committed files and checks every output against its snapshot.
fn check(name: &str, inputs: Inputs, known: &[KnownFailure]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../golden")
        .join(name);
    let files = inputs.files();
    if std::env::var_os("OVCERT_WRITE_GOLDEN_INPUTS").is_some_and(|v| v == "1") {
        for (file, text) in &files {
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join(file), text).unwrap();
        }
    }
    for (file, text) in &files {
        let committed = fs::read_to_string(dir.join(file)).unwrap_or_default();
        assert!(
            &committed == text,
            "golden/{name}/{file} differs from what its builder writes: if the builder changed \
             on purpose, run `OVCERT_WRITE_GOLDEN_INPUTS=1 cargo test -p ovcert-reference --test \
             golden` and review the snapshots"
        );
    }

    let (taps, cards) = read_inputs(&dir);
    let in_file_order: Vec<usize> = (0..taps.len()).collect();
    let outcomes = run(&taps, &cards, &in_file_order, &[]);
    // GBO-04: uploaded backwards, every tap twice, the days come out byte-identical.
    let backwards: Vec<usize> = in_file_order.iter().rev().copied().collect();
    let again = run(&taps, &cards, &backwards, &in_file_order);
    for (first, second) in outcomes.iter().zip(&again) {
        assert!(
            first.files() == second.files(),
            "{name} {}: upload order changed the outputs",
            first.day.0
        );
    }

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("../../golden/{name}/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(dir.join("taps.jsonl"));
    let pans = pans_of(&taps);
    let mut expected_snapshots = BTreeSet::new();
    for outcome in &outcomes {
        let day = outcome.day;
        let day_taps: Vec<TapMessage> = taps
            .iter()
            .filter(|t| RULES.travel_day_rule().travel_day_of(t.at) == day)
            .cloned()
            .collect();
        let failure = check_outcome(outcome, &day_taps).err();
        let expected = known
            .iter()
            .find(|k| k.day == day.0.to_string())
            .map(|k| k.error.to_string());
        assert_eq!(failure, expected, "{name} {}: day invariants", day.0);
        for text in outcome.files().values() {
            assert_no_card_secrets(text, &pans, &format!("{name} {}", day.0));
        }
        settings.bind(|| {
            for output in &outcome.reports {
                let report = &output.report;
                let snapshot = format!("{}-{}-report", day.0, report.operator);
                if report.transactions.is_empty() && report.trips.is_empty() {
                    assert!(
                        report.payments.is_empty() && report.total_cents.get() == 0,
                        "{snapshot}: no taps, yet {report:?}"
                    );
                    continue;
                }
                insta::assert_snapshot!(snapshot.as_str(), output.json);
                expected_snapshots.insert(format!("{snapshot}.snap"));
            }
            let snapshot = format!("{}-settlement", day.0);
            insta::assert_snapshot!(snapshot.as_str(), outcome.settlement_json);
            expected_snapshots.insert(format!("{snapshot}.snap"));
        });
    }
    let snapshot_dir = dir.join("snapshots");
    let stored: BTreeSet<String> = snapshot_files(&snapshot_dir);
    let stale: Vec<&String> = stored.difference(&expected_snapshots).collect();
    assert!(
        stale.is_empty(),
        "golden/{name}/snapshots has snapshots no test asserts: {stale:?}"
    );
    for file in &stored {
        let text = fs::read_to_string(snapshot_dir.join(file)).unwrap();
        assert_no_card_secrets(&text, &pans, file);
    }
}

/// Every travel day of `taps`, uploaded in `order` then `duplicates`, reported and settled
/// once the last day has closed (the same replay `ovcert diff-rules` makes).
fn run(
    taps: &[TapMessage],
    cards: &BTreeMap<CardNumber, CardProfile>,
    order: &[usize],
    duplicates: &[usize],
) -> Vec<DayOutcome> {
    let dataset = Dataset {
        taps: taps.to_vec(),
        cards: cards.clone(),
    };
    replay::replay(&RULES, &dataset, order, duplicates).unwrap()
}

/// The day-level invariants the property tests check, on the golden days too.
fn check_outcome(outcome: &DayOutcome, day_taps: &[TapMessage]) -> Result<(), String> {
    outcome.check_conservation()?;
    outcome.check_fares()?;
    outcome.check_taps(&RULES, day_taps)
}

/// EMV-01 / EMV-02: no PAN, and no card token (only per-operator tokens) in `text`.
fn assert_no_card_secrets(text: &str, pans: &BTreeSet<String>, what: &str) {
    for pan in pans {
        assert!(!text.contains(pan.as_str()), "{what} contains a PAN");
    }
    assert!(
        !text.contains("\"ct-"),
        "{what} contains a card token; operators get their own tokens"
    );
}

fn pans_of(taps: &[TapMessage]) -> BTreeSet<String> {
    taps.iter()
        .filter_map(|t| match &t.card {
            CardIdentity::Emv { pan, .. } => Some(pan.clone()),
            CardIdentity::OvChipkaart { .. } => None,
        })
        .collect()
}

fn read_inputs(dir: &Path) -> (Vec<TapMessage>, BTreeMap<CardNumber, CardProfile>) {
    let read = |file: &str| {
        let path = dir.join(file);
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        (path, text)
    };
    let (path, text) = read("taps.jsonl");
    let taps = replay::parse_taps(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (path, text) = read("cards.json");
    let cards = replay::parse_cards(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (taps, cards)
}

fn snapshot_files(dir: &Path) -> BTreeSet<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return BTreeSet::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "snap"))
        .filter_map(|p: PathBuf| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Building the inputs

/// A dataset as written to `golden/<name>/`, with what the chips hold.
#[derive(Default)]
struct Inputs {
    data: dataset::Dataset,
    /// Per OV-chipkaart, the operator, class and time of the check-in open on its chip.
    open: BTreeMap<CardNumber, (String, TransportClass, jiff::Timestamp)>,
}

impl Inputs {
    fn files(&self) -> [(&'static str, String); 2] {
        self.data.files()
    }

    fn ov_card(&mut self, number: &str, profile: CardProfile) -> CardIdentity {
        self.data.ov_card(number, profile)
    }

    /// A tap. An OV-chipkaart tap is what the reader decides from the check-in on the chip
    /// (TAP-04): a check-out at the open check-in's operator and class, else a check-in; a
    /// check-in left open past the end of its travel day no longer counts (JRN-07, EMV-07).
    fn tap(&mut self, card: &CardIdentity, at: &str, reader: ReaderRef) {
        let now = parse_instant(at).unwrap_or_else(|e| panic!("{at}: {e}"));
        let day_rule = RULES.travel_day_rule();
        let kind = match card {
            CardIdentity::Emv { .. } => TapKind::Emv,
            CardIdentity::OvChipkaart { number } => {
                let (operator, class) = (&reader.operator, reader.mode.class());
                let continues = self.open.get(number).is_some_and(|(o, c, since)| {
                    o == operator
                        && *c == class
                        && now < day_rule.end_of(day_rule.travel_day_of(*since))
                });
                if continues {
                    self.open.remove(number);
                    TapKind::CheckOut
                } else {
                    self.open
                        .insert(*number, (operator.to_string(), class, now));
                    TapKind::CheckIn
                }
            }
        };
        self.push(card, at, reader, kind);
    }

    /// A check-in the reader refused (balance too low); the chip is unchanged.
    fn refused(&mut self, card: &CardIdentity, at: &str, reader: ReaderRef) {
        self.push(card, at, reader, TapKind::Refused);
    }

    fn push(&mut self, card: &CardIdentity, at: &str, reader: ReaderRef, kind: TapKind) {
        self.data.push(card, at, reader, kind);
    }
}

fn bank(pan: &str, pan_sequence: u8) -> CardIdentity {
    CardIdentity::Emv {
        pan: pan.into(),
        pan_sequence,
        expiry: "2812".into(),
    }
}

fn profile(
    kind: CardKind,
    birth_date: Option<&str>,
    products: &[(&str, &str, &str)],
) -> CardProfile {
    CardProfile {
        kind,
        birth_date: birth_date.map(|d| d.parse().unwrap()),
        products: products
            .iter()
            .map(|&(code, from, until)| ProductSlot {
                code: code.into(),
                valid_from: from.parse().unwrap(),
                valid_until: until.parse().unwrap(),
                route: None,
            })
            .collect(),
    }
}

/// A station reader (train, metro): gate at a gated station, pole elsewhere; device `n` of
/// the station.
fn station(operator: &str, mode: Mode, station: &str, n: u32) -> ReaderRef {
    let stations = &RULES.network.stations;
    let index = stations.iter().position(|s| s.id == station).unwrap();
    ReaderRef {
        operator: operator.into(),
        mode,
        station: station.into(),
        device: 100 * (u32::try_from(index).unwrap() + 1) + n,
        device_kind: if stations[index].gates {
            DeviceKind::Gate
        } else {
            DeviceKind::Pole
        },
        vehicle: None,
    }
}

fn train(operator: &str, at: &str) -> ReaderRef {
    station(operator, Mode::Train, at, 1)
}

fn tram(operator: &str, stop: &str, number: u32) -> ReaderRef {
    on_board(operator, Mode::Tram, stop, number)
}

fn bus(operator: &str, stop: &str, number: u32) -> ReaderRef {
    on_board(operator, Mode::Bus, stop, number)
}

// ---------------------------------------------------------------------------------------------
// The datasets

/// `commuter-week`: Monday 4 to Friday 8 March 2024.
///
/// - Personal OV-chipkaart with the NS subscription Dal Voordeel (40 % off-peak on rail,
///   TAP-01 lower boarding fee): GVB tram Leidseplein ↔ Amsterdam Centraal, NS Amsterdam
///   Centraal ↔ Utrecht Centraal. Peak and off-peak mornings (FARE-05), check-ins at 08:55:00
///   (off-peak by the grace, FARE-06) and 08:54:59 (peak), a tram transfer within 35 minutes
///   (one base fare, FARE-03), a forgotten NS check-out closed by the next tram check-in
///   (TAP-04, JRN-07).
/// - Bank card (OVpay): NS Amsterdam Zuid ↔ Utrecht Centraal and Qbuzz bus Utrecht Centraal ↔
///   Utrecht Science Park; check-ins at 06:29:59 (off-peak) and 06:30:00 (peak) cost the same,
///   as every OVpay journey is full fare (FARE-09); a Friday after the peaks.
fn commuter_week_inputs() -> Inputs {
    let mut d = Inputs::default();
    let anna = d.ov_card(
        "3528 0100 1000 0017",
        profile(
            CardKind::Personal,
            Some("1985-05-12"),
            &[("dal-voordeel", "2024-01-01", "2024-12-31")],
        ),
    );
    let bart = bank("5413339000001234", 1);

    // Monday: both in the morning peak; home in the evening peak.
    d.tap(&anna, "2024-03-04 07:31:10", tram("GVB", "leidsepl", 2041));
    d.tap(&anna, "2024-03-04 07:42:30", tram("GVB", "asd", 2041));
    d.tap(&anna, "2024-03-04 07:50:05", train("NS", "asd"));
    d.tap(&anna, "2024-03-04 08:18:40", train("NS", "ut"));
    d.tap(&anna, "2024-03-04 17:20:00", train("NS", "ut"));
    d.tap(&anna, "2024-03-04 17:48:15", train("NS", "asd"));
    d.tap(&anna, "2024-03-04 17:55:20", tram("GVB", "asd", 2077));
    d.tap(&anna, "2024-03-04 18:06:45", tram("GVB", "leidsepl", 2077));
    d.tap(&bart, "2024-03-04 06:29:59", train("NS", "asdz"));
    d.tap(&bart, "2024-03-04 06:58:30", train("NS", "ut"));
    d.tap(&bart, "2024-03-04 07:06:00", bus("QBZ", "ut", 4410));
    d.tap(&bart, "2024-03-04 07:21:10", bus("QBZ", "uithof", 4410));
    d.tap(&bart, "2024-03-04 16:45:00", bus("QBZ", "uithof", 4432));
    d.tap(&bart, "2024-03-04 17:01:30", bus("QBZ", "ut", 4432));
    d.tap(&bart, "2024-03-04 17:10:00", train("NS", "ut"));
    d.tap(&bart, "2024-03-04 17:40:20", train("NS", "asdz"));

    // Tuesday: Anna off-peak, with a tram transfer at Dam within 35 minutes; Bart in the peak
    // from 06:30:00.
    d.tap(&anna, "2024-03-05 09:02:00", tram("GVB", "leidsepl", 2050));
    d.tap(&anna, "2024-03-05 09:08:30", tram("GVB", "dam", 2050));
    d.tap(&anna, "2024-03-05 09:15:00", tram("GVB", "dam", 2106));
    d.tap(&anna, "2024-03-05 09:19:40", tram("GVB", "asd", 2106));
    d.tap(&anna, "2024-03-05 09:27:00", train("NS", "asd"));
    d.tap(&anna, "2024-03-05 09:55:10", train("NS", "ut"));
    d.tap(&anna, "2024-03-05 18:40:00", train("NS", "ut"));
    d.tap(&anna, "2024-03-05 19:08:00", train("NS", "asd"));
    d.tap(&bart, "2024-03-05 06:30:00", train("NS", "asdz"));
    d.tap(&bart, "2024-03-05 06:58:45", train("NS", "ut"));
    d.tap(&bart, "2024-03-05 17:15:00", train("NS", "ut"));
    d.tap(&bart, "2024-03-05 17:44:00", train("NS", "asdz"));

    // Wednesday: Anna checks in at 08:55:00 (off-peak by the grace); in the evening she
    // forgets to check out at Amsterdam Centraal and checks in on the tram: the reader closes
    // the NS check-in as missing.
    d.tap(&anna, "2024-03-06 08:55:00", train("NS", "asd"));
    d.tap(&anna, "2024-03-06 09:23:30", train("NS", "ut"));
    d.tap(&anna, "2024-03-06 17:05:00", train("NS", "ut"));
    d.tap(&anna, "2024-03-06 17:40:00", tram("GVB", "asd", 2031));
    d.tap(&anna, "2024-03-06 17:51:00", tram("GVB", "leidsepl", 2031));

    // Thursday: Anna at 08:54:59, one second before the grace: peak.
    d.tap(&anna, "2024-03-07 08:54:59", train("NS", "asd"));
    d.tap(&anna, "2024-03-07 09:22:00", train("NS", "ut"));
    d.tap(&anna, "2024-03-07 16:10:00", train("NS", "ut"));
    d.tap(&anna, "2024-03-07 16:38:30", train("NS", "asd"));
    d.tap(&bart, "2024-03-07 07:45:00", train("NS", "asdz"));
    d.tap(&bart, "2024-03-07 08:14:00", train("NS", "ut"));
    d.tap(&bart, "2024-03-07 08:20:00", bus("QBZ", "ut", 4415));
    d.tap(&bart, "2024-03-07 08:36:00", bus("QBZ", "uithof", 4415));
    d.tap(&bart, "2024-03-07 15:30:00", bus("QBZ", "uithof", 4440));
    d.tap(&bart, "2024-03-07 15:46:00", bus("QBZ", "ut", 4440));
    d.tap(&bart, "2024-03-07 15:55:00", train("NS", "ut"));
    d.tap(&bart, "2024-03-07 16:24:00", train("NS", "asdz"));

    // Friday: a day at home for Anna, an evening tram to Dam; Bart home after the peak.
    d.tap(&anna, "2024-03-08 19:30:00", tram("GVB", "leidsepl", 2090));
    d.tap(&anna, "2024-03-08 19:37:00", tram("GVB", "dam", 2090));
    d.tap(&bart, "2024-03-08 09:05:00", train("NS", "asdz"));
    d.tap(&bart, "2024-03-08 09:33:00", train("NS", "ut"));
    d.tap(&bart, "2024-03-08 18:31:00", train("NS", "ut"));
    d.tap(&bart, "2024-03-08 19:00:00", train("NS", "asdz"));
    d
}

/// `multi-operator-day`: Tuesday 5 March 2024.
///
/// - Anonymous card: NS Amsterdam → Zwolle, transfer to an Arriva train to Groningen within 35
///   minutes (one rail journey across operators, FARE-04, GBO-02 shares), no check-out at
///   Groningen: the Qbuzz bus check-in closes it as missing (TAP-04, JRN-07).
/// - Personal card of a senior (65+, 34 % age discount except at NS, CARD-06): Arriva train
///   Leeuwarden → Zwolle, then Keolis Zwolle → Hengelo within 35 minutes — a new journey
///   (JRN-03 operator pair ARR–KEO) — and a Keolis bus to the university.
/// - Anonymous card: RET metro Rotterdam Centraal → Blaak, NS Blaak → Den Haag Centraal, HTM
///   tram to Kurhaus and no check-out (closed at the end of the day, JRN-07); in the evening
///   a cancelled NS check-in (JRN-04) and a free station visit at a gated station (JRN-05).
/// - Personal card of a child (34 %): HTM tram and bus with a transfer (FARE-03).
/// - Anonymous card: a refused tram check-in (balance too low, GBO-03 failed tap), then the
///   check-in after a load.
/// - Bank card: two journeys at once (JRN-09) — NS Utrecht left open while Qbuzz trams go to
///   the Science Park and back, then NS to Amersfoort — and an evening GVB metro.
fn multi_operator_day_inputs() -> Inputs {
    let mut d = Inputs::default();
    let chris = d.ov_card(
        "3528 0100 2000 0023",
        profile(CardKind::Anonymous, None, &[]),
    );
    let dirk = d.ov_card(
        "3528 0100 2000 0031",
        profile(CardKind::Personal, Some("1952-11-30"), &[]),
    );
    let eva = d.ov_card(
        "3528 0100 2000 0049",
        profile(CardKind::Anonymous, None, &[]),
    );
    let fleur = d.ov_card(
        "3528 0100 2000 0056",
        profile(CardKind::Personal, Some("2016-02-01"), &[]),
    );
    let gijs = d.ov_card(
        "3528 0100 2000 0064",
        profile(CardKind::Anonymous, None, &[]),
    );
    let hanna = bank("4761739001002003", 0);

    d.tap(&chris, "2024-03-05 10:02:00", train("NS", "asd"));
    d.tap(&chris, "2024-03-05 11:20:30", train("NS", "zl"));
    d.tap(&chris, "2024-03-05 11:34:00", train("ARR", "zl"));
    d.tap(&chris, "2024-03-05 12:41:00", bus("QBZ", "gn", 3301));
    d.tap(&chris, "2024-03-05 12:55:00", bus("QBZ", "zernike", 3301));

    d.tap(&dirk, "2024-03-05 09:40:00", train("ARR", "lw"));
    d.tap(&dirk, "2024-03-05 10:38:00", train("ARR", "zl"));
    d.tap(&dirk, "2024-03-05 10:50:00", train("KEO", "zl"));
    d.tap(&dirk, "2024-03-05 12:05:00", train("KEO", "hgl"));
    d.tap(&dirk, "2024-03-05 12:30:00", bus("KEO", "es", 7102));
    d.tap(&dirk, "2024-03-05 12:48:00", bus("KEO", "utwente", 7102));

    d.tap(
        &eva,
        "2024-03-05 08:10:00",
        station("RET", Mode::Metro, "rtd", 2),
    );
    d.tap(
        &eva,
        "2024-03-05 08:16:00",
        station("RET", Mode::Metro, "rtb", 2),
    );
    d.tap(&eva, "2024-03-05 08:24:00", train("NS", "rtb"));
    d.tap(&eva, "2024-03-05 08:52:00", train("NS", "gvc"));
    d.tap(&eva, "2024-03-05 09:01:00", tram("HTM", "gvc", 3012));
    d.tap(&eva, "2024-03-05 20:00:00", train("NS", "gvc"));
    d.tap(
        &eva,
        "2024-03-05 20:12:00",
        station("NS", Mode::Train, "gvc", 2),
    );
    d.tap(&eva, "2024-03-05 21:00:00", train("NS", "gvc"));
    d.tap(
        &eva,
        "2024-03-05 21:50:00",
        station("NS", Mode::Train, "gvc", 3),
    );

    d.tap(&fleur, "2024-03-05 14:00:00", tram("HTM", "spui", 3020));
    d.tap(&fleur, "2024-03-05 14:14:00", tram("HTM", "kurhaus", 3020));
    d.tap(&fleur, "2024-03-05 14:30:00", bus("HTM", "kurhaus", 9021));
    d.tap(&fleur, "2024-03-05 14:49:00", bus("HTM", "gvc", 9021));

    d.refused(&gijs, "2024-03-05 11:00:00", tram("GVB", "asd", 2012));
    d.tap(&gijs, "2024-03-05 11:09:00", tram("GVB", "asd", 2013));
    d.tap(&gijs, "2024-03-05 11:21:00", tram("GVB", "museumpl", 2013));

    d.tap(&hanna, "2024-03-05 10:00:00", train("NS", "ut"));
    d.tap(&hanna, "2024-03-05 10:05:00", tram("QBZ", "ut", 6001));
    d.tap(&hanna, "2024-03-05 10:21:00", tram("QBZ", "uithof", 6001));
    d.tap(&hanna, "2024-03-05 11:30:00", tram("QBZ", "uithof", 6008));
    d.tap(&hanna, "2024-03-05 11:46:00", tram("QBZ", "ut", 6008));
    d.tap(&hanna, "2024-03-05 12:20:00", train("NS", "amf"));
    d.tap(
        &hanna,
        "2024-03-05 19:00:00",
        station("GVB", Mode::Metro, "asdz", 1),
    );
    d.tap(
        &hanna,
        "2024-03-05 19:14:00",
        station("GVB", Mode::Metro, "asd", 1),
    );
    d
}

/// `dst-night-ovpay`: Saturday 26 October 2024 and the autumn DST night, when the clocks go
/// from 03:00 CEST back to 02:00 CET, so travel day 2024-10-26 lasts 25 hours (EMV-07); and
/// Sunday 27 October.
///
/// - Bank card: an evening GVB tram, NS Amsterdam → Utrecht from 02:30 CEST to 02:40 CET (70
///   minutes, the repeated hour in between), a GVB tram at 02:50 CET checked out at 03:04:59
///   (the last second of day 26), and a tram tap at 03:20 on day 27 that nothing follows
///   (EMV-06: a tap-in; EMV-07: closed as missing at the end of day 27).
/// - Bank card: Qbuzz bus to the Science Park, checked out at 03:00:00 CET, and a tram
///   check-in at 03:10 — within 35 minutes of the check-out but on the next travel day.
/// - Anonymous OV-chipkaart: NS check-in at 02:55 CET and a tap at another NS station at
///   03:05:00, when its travel day has ended: the check-in is a missing check-out of day 26
///   (EMV-07, JRN-07) and the reader takes the tap as a new check-in on day 27, which nothing
///   follows (missing again at the end of day 27).
/// - Personal OV-chipkaart with Dal Vrij (free off-peak, so all weekend, FARE-07): a Saturday
///   evening NS journey, a late NS check-in never checked out (JRN-07: free-travel holders
///   are not charged), closed by Sunday's Qbuzz tram check-in (TAP-04).
fn dst_night_ovpay_inputs() -> Inputs {
    let mut d = Inputs::default();
    let ines = bank("5413339000005678", 1);
    let joost = bank("6703009000009012", 2);
    let karin = d.ov_card(
        "3528 0100 3000 0013",
        profile(CardKind::Anonymous, None, &[]),
    );
    let lucas = d.ov_card(
        "3528 0100 3000 0021",
        profile(
            CardKind::Personal,
            Some("1990-01-20"),
            &[("dal-vrij", "2024-01-01", "2024-12-31")],
        ),
    );

    d.tap(
        &ines,
        "2024-10-26T21:15:00+02:00",
        tram("GVB", "leidsepl", 2201),
    );
    d.tap(&ines, "2024-10-26T21:24:00+02:00", tram("GVB", "asd", 2201));
    d.tap(&ines, "2024-10-27T02:30:00+02:00", train("NS", "asd"));
    d.tap(&ines, "2024-10-27T02:40:00+01:00", train("NS", "ut"));
    d.tap(&ines, "2024-10-27T02:50:00+01:00", tram("GVB", "asd", 2240));
    d.tap(&ines, "2024-10-27T03:04:59+01:00", tram("GVB", "dam", 2240));
    d.tap(&ines, "2024-10-27T03:20:00+01:00", tram("GVB", "dam", 2251));

    d.tap(&joost, "2024-10-27T02:41:00+01:00", bus("QBZ", "ut", 4488));
    d.tap(
        &joost,
        "2024-10-27T03:00:00+01:00",
        bus("QBZ", "uithof", 4488),
    );
    d.tap(
        &joost,
        "2024-10-27T03:10:00+01:00",
        tram("QBZ", "uithof", 6020),
    );
    d.tap(&joost, "2024-10-27T03:22:00+01:00", tram("QBZ", "ut", 6020));

    d.tap(&karin, "2024-10-27T02:55:00+01:00", train("NS", "asd"));
    d.tap(&karin, "2024-10-27T03:05:00+01:00", train("NS", "ut"));

    d.tap(&lucas, "2024-10-26T20:00:00+02:00", train("NS", "ut"));
    d.tap(&lucas, "2024-10-26T20:24:00+02:00", train("NS", "amf"));
    d.tap(&lucas, "2024-10-26T23:30:00+02:00", train("NS", "amf"));
    d.tap(&lucas, "2024-10-27T11:00:00+01:00", tram("QBZ", "ut", 6031));
    d.tap(
        &lucas,
        "2024-10-27T11:19:00+01:00",
        tram("QBZ", "uithof", 6031),
    );
    d
}
