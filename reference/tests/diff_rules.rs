//! Golden rule changes: taps replayed under two rule sets (`ovcert diff-rules`), the comparison
//! snapshotted as text, markdown and JSON in `golden/diff-rules/<case>/snapshots/`. A changed
//! or missing snapshot fails; goldens change only through review (`golden/README.md`).
//!
//! Each case is a rule-set overlay (`old.toml` or `new.toml` over the embedded nl-2024) and
//! the taps it is replayed on: a golden dataset, or a small one built at the bottom of this
//! file whose journeys exercise exactly the change. As in `golden.rs`, the committed inputs
//! must be what the builders write (`OVCERT_WRITE_GOLDEN_INPUTS=1` rewrites them).

use std::fs;
use std::path::{Path, PathBuf};

#[path = "support/dataset.rs"]
mod dataset;

use dataset::on_board;
use ovcert_reference::backoffice::CardProfile;
use ovcert_reference::backoffice::replay::{self, Dataset};
use ovcert_reference::backoffice::rule_diff::{JourneyChangeKind, RuleDiff, compare};
use ovcert_reference::card::CardKind;
use ovcert_reference::rules::{self, Mode, RuleSet, nl_2024, overlay};
use ovcert_reference::tap::{CardIdentity, DeviceKind, ReaderRef, TapKind};

/// FARE-02: the 2023 indexation of the base fare (€1.01 → €1.08, reduced €0.67 → €0.71),
/// replayed over the turn of the year 2022/2023.
#[test]
fn base_fare_2022_to_2023() {
    let diff = check(
        "base-fare-2022-2023",
        Rules::Overlay("old.toml"),
        Rules::Embedded,
        Taps::Built(new_year_2023_inputs()),
    );
    let fares: Vec<&JourneyChangeKind> = diff.journeys.iter().flat_map(|j| &j.kinds).collect();
    assert_eq!(
        fares,
        [
            &JourneyChangeKind::FareChanged,
            &JourneyChangeKind::FareChanged
        ]
    );
    for journey in &diff.journeys {
        let rules: Vec<&str> = journey
            .explained_by
            .iter()
            .flat_map(|c| c.rules.clone())
            .collect();
        assert_eq!(rules, ["FARE-02", "FARE-02"], "{journey:?}");
    }
}

/// JRN-01: the transfer window 35 → 40 minutes merges transfers made after 36–40 minutes.
#[test]
fn transfer_window_35_to_40() {
    let diff = check(
        "transfer-window-40",
        Rules::Embedded,
        Rules::Overlay("new.toml"),
        Taps::Built(transfer_38_min_inputs()),
    );
    assert_eq!(diff.journeys.len(), 2);
    for journey in &diff.journeys {
        assert!(journey.kinds.contains(&JourneyChangeKind::Merged));
        assert_eq!(journey.explained_by.len(), 1);
        assert_eq!(journey.explained_by[0].rules, ["JRN-01"]);
    }
}

/// EMV-07: the travel day ends at 04:00 instead of 03:05, on the autumn DST night of
/// `dst-night-ovpay`.
#[test]
fn travel_day_end_0305_to_0400() {
    let diff = check(
        "travel-day-end-0400",
        Rules::Embedded,
        Rules::Overlay("new.toml"),
        Taps::Golden("dst-night-ovpay"),
    );
    assert!(
        diff.journeys
            .iter()
            .any(|j| j.kinds.contains(&JourneyChangeKind::MovedDay))
    );
    for journey in &diff.journeys {
        assert!(
            journey.explained_by.iter().all(|c| c.rules == ["EMV-07"]),
            "{journey:?}"
        );
        assert!(!journey.explained_by.is_empty(), "{journey:?}");
    }
}

/// A rule set against itself: equal, nothing explained, nothing changed.
#[test]
fn a_rule_set_against_itself_is_equal() {
    let dir = golden_dir().join("commuter-week");
    let dataset = read_dataset(&dir);
    let rules = nl_2024();
    let diff = compare(&rules, "nl-2024", &rules, "nl-2024", &dataset).unwrap();
    assert!(diff.equal);
    assert!(diff.parameters.is_empty() && diff.journeys.is_empty());
    assert!(diff.taps_changed.is_empty());
    assert!(diff.to_text().contains("\nEQUAL: "), "{}", diff.to_text());
}

// ---------------------------------------------------------------------------------------------

enum Rules {
    Embedded,
    /// An overlay file of the case directory over the embedded rule set.
    Overlay(&'static str),
}

enum Taps {
    /// A golden dataset, `golden/<name>/`.
    Golden(&'static str),
    /// The case's own taps, written by a builder below into the case directory.
    Built(Inputs),
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../golden")
}

fn check(case: &str, old: Rules, new: Rules, taps: Taps) -> RuleDiff {
    let dir = golden_dir().join("diff-rules").join(case);
    let (old, old_name) = load(&dir, &old);
    let (new, new_name) = load(&dir, &new);
    let dataset = match taps {
        Taps::Golden(name) => read_dataset(&golden_dir().join(name)),
        Taps::Built(inputs) => {
            inputs.check_committed(&dir, case);
            read_dataset(&dir)
        }
    };
    let diff = compare(&old, &old_name, &new, &new_name, &dataset).unwrap();
    assert!(!diff.equal, "{case}: the change must show");
    assert!(!diff.parameters.is_empty() && !diff.journeys.is_empty());
    for journey in &diff.journeys {
        assert!(
            !journey.explained_by.is_empty(),
            "{case}: unexplained {journey:?}"
        );
    }
    // No PAN of the dataset and no card token in what operators and reviewers read.
    let outputs = [diff.to_text(), diff.to_markdown(), diff.to_json()];
    for text in &outputs {
        for tap in &dataset.taps {
            if let CardIdentity::Emv { pan, .. } = &tap.card {
                assert!(!text.contains(pan.as_str()), "{case}: a PAN in the output");
            }
        }
        assert!(
            !text.contains("\"ct-"),
            "{case}: a card token in the output"
        );
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("../../golden/diff-rules/{case}/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::assert_snapshot!("diff-text", outputs[0]);
        insta::assert_snapshot!("summary-md", outputs[1]);
        insta::assert_snapshot!("diff-json", outputs[2]);
    });
    diff
}

fn load(dir: &Path, rules: &Rules) -> (RuleSet, String) {
    match rules {
        Rules::Embedded => (nl_2024(), overlay::EMBEDDED_BASE.to_string()),
        Rules::Overlay(file) => {
            let text = fs::read_to_string(dir.join(file)).unwrap();
            let layer = overlay::parse(file, &text).unwrap().expect("an overlay");
            assert_eq!(layer.base, overlay::EMBEDDED_BASE);
            let rules = layer
                .apply(file, overlay::EMBEDDED_BASE, rules::NL_2024_TOML)
                .unwrap_or_else(|e| panic!("{e}"));
            (rules, format!("{file} (over {})", overlay::EMBEDDED_BASE))
        }
    }
}

fn read_dataset(dir: &Path) -> Dataset {
    let taps = fs::read_to_string(dir.join("taps.jsonl")).unwrap();
    let cards = fs::read_to_string(dir.join("cards.json")).unwrap();
    Dataset {
        taps: replay::parse_taps(&taps).unwrap(),
        cards: replay::parse_cards(&cards).unwrap(),
    }
}

// ---------------------------------------------------------------------------------------------
// Building the inputs: every tap with its kind as the reader decided it.

#[derive(Default)]
struct Inputs {
    data: dataset::Dataset,
}

impl Inputs {
    fn files(&self) -> [(&'static str, String); 2] {
        self.data.files()
    }

    fn check_committed(&self, dir: &Path, case: &str) {
        let files = self.files();
        if std::env::var_os("OVCERT_WRITE_GOLDEN_INPUTS").is_some_and(|v| v == "1") {
            fs::create_dir_all(dir).unwrap();
            for (file, text) in &files {
                fs::write(dir.join(file), text).unwrap();
            }
        }
        for (file, text) in &files {
            let committed = fs::read_to_string(dir.join(file)).unwrap_or_default();
            assert!(
                &committed == text,
                "golden/diff-rules/{case}/{file} differs from what its builder writes: if the \
                 builder changed on purpose, run `OVCERT_WRITE_GOLDEN_INPUTS=1 cargo test -p \
                 ovcert-reference --test diff_rules` and review the snapshots"
            );
        }
    }

    fn ov_card(&mut self, number: &str, kind: CardKind, birth_date: Option<&str>) -> CardIdentity {
        let profile = CardProfile {
            kind,
            birth_date: birth_date.map(|d| d.parse().unwrap()),
            products: Vec::new(),
        };
        self.data.ov_card(number, profile)
    }

    /// A tap as the reader decided it; a bank card's taps are all EMV taps.
    fn tap(&mut self, card: &CardIdentity, at: &str, reader: ReaderRef, kind: TapKind) {
        let kind = match card {
            CardIdentity::Emv { .. } => TapKind::Emv,
            CardIdentity::OvChipkaart { .. } => kind,
        };
        self.data.push(card, at, reader, kind);
    }

    fn ride(&mut self, card: &CardIdentity, from: (&str, ReaderRef), to: (&str, ReaderRef)) {
        self.tap(card, from.0, from.1, TapKind::CheckIn);
        self.tap(card, to.0, to.1, TapKind::CheckOut);
    }
}

fn gate(operator: &str, station: &str, device: u32) -> ReaderRef {
    ReaderRef {
        operator: operator.into(),
        mode: Mode::Train,
        station: station.into(),
        device,
        device_kind: DeviceKind::Gate,
        vehicle: None,
    }
}

/// `base-fare-2022-2023`: Friday 30 December 2022 and Monday 2 January 2023.
///
/// - An anonymous card rides the GVB tram Leidseplein → Dam on both days: the 2022 journey
///   pays the 2022 base fare whatever the 2023 row says (unchanged), the 2023 journey pays
///   the 2023 row (changed by 7 cents). On 2 January it also takes an NS train Amsterdam →
///   Utrecht: rail has its own base (FARE-04), so the base-fare table cannot change it.
/// - A senior (34 %, CARD-06) rides the tram on 2 January: the reduced row (changed by 4
///   cents) plus the discounted km fare.
fn new_year_2023_inputs() -> Inputs {
    let mut d = Inputs::default();
    let anon = d.ov_card("3528 0100 3000 0018", CardKind::Anonymous, None);
    let senior = d.ov_card(
        "3528 0100 3000 0026",
        CardKind::Personal,
        Some("1950-06-01"),
    );
    let tram = |stop| on_board("GVB", Mode::Tram, stop, 2101);
    d.ride(
        &anon,
        ("2022-12-30 10:00:00", tram("leidsepl")),
        ("2022-12-30 10:12:00", tram("dam")),
    );
    d.ride(
        &anon,
        ("2023-01-02 10:00:00", tram("leidsepl")),
        ("2023-01-02 10:12:00", tram("dam")),
    );
    d.ride(
        &anon,
        ("2023-01-02 10:40:00", gate("NS", "asd", 101)),
        ("2023-01-02 11:10:00", gate("NS", "ut", 901)),
    );
    d.ride(
        &senior,
        ("2023-01-02 14:00:00", tram("leidsepl")),
        ("2023-01-02 14:15:00", tram("museumpl")),
    );
    d
}

/// `transfer-window-40`: Tuesday 5 March 2024.
///
/// - An anonymous card: GVB tram Leidseplein → Amsterdam Centraal, then 38 minutes later a GVB
///   bus Amsterdam Centraal → Amsterdam Zuid (two journeys at 35 minutes, one at 40: a second
///   base fare saved, FARE-03). At noon a tram transfer after 41 minutes stays two journeys
///   under both windows.
/// - A bank card: Qbuzz bus Utrecht Science Park → Utrecht Centraal, then 37 minutes later a
///   Qbuzz tram back (merged at 40 minutes).
fn transfer_38_min_inputs() -> Inputs {
    let mut d = Inputs::default();
    let anon = d.ov_card("3528 0100 4000 0016", CardKind::Anonymous, None);
    let bank = CardIdentity::Emv {
        pan: "5413339000004321".into(),
        pan_sequence: 1,
        expiry: "2812".into(),
    };
    d.ride(
        &anon,
        (
            "2024-03-05 09:30:00",
            on_board("GVB", Mode::Tram, "leidsepl", 2041),
        ),
        (
            "2024-03-05 09:40:00",
            on_board("GVB", Mode::Tram, "asd", 2041),
        ),
    );
    d.ride(
        &anon,
        (
            "2024-03-05 10:18:00",
            on_board("GVB", Mode::Bus, "asd", 3301),
        ),
        (
            "2024-03-05 10:35:00",
            on_board("GVB", Mode::Bus, "asdz", 3301),
        ),
    );
    d.ride(
        &anon,
        (
            "2024-03-05 12:00:00",
            on_board("GVB", Mode::Tram, "dam", 2077),
        ),
        (
            "2024-03-05 12:10:00",
            on_board("GVB", Mode::Tram, "leidsepl", 2077),
        ),
    );
    d.ride(
        &anon,
        (
            "2024-03-05 12:51:00",
            on_board("GVB", Mode::Tram, "leidsepl", 2090),
        ),
        (
            "2024-03-05 13:00:00",
            on_board("GVB", Mode::Tram, "museumpl", 2090),
        ),
    );
    d.ride(
        &bank,
        (
            "2024-03-05 17:00:00",
            on_board("QBZ", Mode::Bus, "uithof", 4432),
        ),
        (
            "2024-03-05 17:15:00",
            on_board("QBZ", Mode::Bus, "ut", 4432),
        ),
    );
    d.ride(
        &bank,
        (
            "2024-03-05 17:52:00",
            on_board("QBZ", Mode::Tram, "ut", 6012),
        ),
        (
            "2024-03-05 18:05:00",
            on_board("QBZ", Mode::Tram, "uithof", 6012),
        ),
    );
    d
}
