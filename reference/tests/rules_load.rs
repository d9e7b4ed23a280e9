//! Rule-set loading: the embedded `nl-2024` rule set loads with the figures of RULES.md, and
//! every kind of mistake in a rule-set file is reported with its field path and reason.
//!
//! The mistake tests are data driven: each takes the embedded text, applies one textual edit
//! and checks the first reported problem through [`check`].

use jiff::civil::{Date, Weekday, date};
use ovcert_reference::Cents;
use ovcert_reference::rules::{
    Mode, NL_2024_TOML, RuleSet, RuleSetError, StationVisit, TransportClass, load_str, nl_2024,
};

const FILE: &str = "reference/rules/nl-2024.toml";

/// Applies `from → to` (which must occur exactly once) to the embedded rule set and returns the
/// load error.
fn load_edited(from: &str, to: &str) -> RuleSetError {
    let occurrences = NL_2024_TOML.matches(from).count();
    assert_eq!(
        occurrences, 1,
        "the edit anchor {from:?} must occur exactly once"
    );
    let text = NL_2024_TOML.replacen(from, to, 1);
    match load_str(FILE, &text) {
        Ok(_) => panic!("the edit {from:?} → {to:?} was accepted"),
        Err(e) => e,
    }
}

/// One mistake: the edit, then what the first reported problem's field and reason contain.
#[track_caller]
fn check(from: &str, to: &str, field: &str, reason: &str) -> RuleSetError {
    let error = load_edited(from, to);
    assert!(
        error.field.contains(field),
        "field: want {field:?} in {:?}\n{error}",
        error.field
    );
    assert!(
        error.reason.contains(reason),
        "reason: want {reason:?} in {:?}\n{error}",
        error.reason
    );
    assert_eq!(error.file, FILE);
    assert!(
        error.line.is_some() && error.column.is_some(),
        "no location: {error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("{FILE}: {}: {}", error.field, error.reason)
    );
    error
}

/// The 1-based line of the first occurrence of `needle` in the embedded rule set.
fn line_of(needle: &str) -> u32 {
    let offset = NL_2024_TOML.find(needle).expect("needle occurs");
    u32::try_from(NL_2024_TOML[..offset].matches('\n').count() + 1).unwrap()
}

// ---------------------------------------------------------------------------------------------
// The embedded rule set.

#[test]
fn embedded_rule_set_loads() {
    let rules = nl_2024();
    assert_eq!(load_str(FILE, NL_2024_TOML), Ok(rules.clone()));
    assert_eq!(rules.meta.id, "nl-2024");
    assert_eq!(rules.meta.valid_from, date(2024, 1, 1));
    assert_eq!(
        rules.interpretations.station_visit,
        StationVisit::FreeUpToVisitWindow
    );
    assert_eq!(rules.travel_day.end_local, jiff::civil::time(3, 5, 0, 0));
}

#[test]
fn base_fares_are_the_fare_02_table() {
    let rules = nl_2024();
    let table: [(i16, i64, i64); 19] = [
        (2006, 67, 44),
        (2007, 70, 46),
        (2008, 70, 46),
        (2009, 75, 50),
        (2010, 78, 52),
        (2011, 79, 52),
        (2012, 83, 55),
        (2013, 86, 57),
        (2014, 87, 57),
        (2015, 88, 58),
        (2016, 89, 59),
        (2017, 89, 59),
        (2018, 90, 59),
        (2019, 96, 63),
        (2020, 98, 65),
        (2021, 99, 65),
        (2022, 101, 67),
        (2023, 108, 71),
        (2024, 108, 71),
    ];
    let rows: Vec<(i16, i64, i64)> = rules
        .base_fares
        .iter()
        .map(|b| (b.year, b.normal_cents.get(), b.reduced_cents.get()))
        .collect();
    assert_eq!(rows, table);
    assert_eq!(rules.base_fare(2025).map(|b| b.year), Some(2024));
    assert_eq!(rules.base_fare(2005), None);
}

#[test]
fn card_reader_and_journey_figures() {
    let r = nl_2024();
    assert_eq!(r.card.max_balance_cents, Cents::euros(150));
    assert_eq!(r.card.min_balance_cents, Cents::ZERO);
    assert_eq!(r.card.max_load_cents, Cents::euros(50));
    assert_eq!(
        r.card.auto_reload_amounts_cents,
        [Cents::euros(10), Cents::euros(20), Cents::euros(50)]
    );
    assert_eq!(r.age_discount().basis_points(), 3400);
    assert_eq!(r.card.age.excluded_operators, ["NS"]);
    assert_eq!(r.reader.min_balance_offset_cents, Cents::euros(4));
    assert_eq!(
        (
            r.reader.duplicate_window_s,
            r.reader.duplicate_window_operators.as_slice()
        ),
        (15, &["NS".into()][..])
    );
    let j = &r.journey;
    assert_eq!(
        (
            j.transfer_window_min,
            j.max_transfer_span_min,
            j.cancel_window_min,
            j.station_visit_free_min
        ),
        (35, 360, 35, 60)
    );
    assert!(!j.rail_new_journey_pairs.is_empty());
    assert_eq!(r.peak.off_peak_grace_min, 5);
    assert_eq!(r.ovpay.retry_horizon_days, 62);
    assert_eq!(r.fees.card_price_cents, Cents::new(750));
    assert_eq!(r.fees.service_point_refund_max_cents, Cents::euros(30));
}

#[test]
fn nine_operators_with_boarding_fees_in_the_tap_01_ranges() {
    let rules = nl_2024();
    let ids: Vec<&str> = rules.operators.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        ["ARR", "CXX", "EBS", "GVB", "HTM", "KEO", "NS", "QBZ", "RET"]
    );
    for op in &rules.operators {
        for s in &op.services {
            let (fees, passback) = match s.mode.class() {
                TransportClass::Rail => (1000..=2000, 0..=180),
                TransportClass::BusTramMetro => (400..=1000, 0..=60),
            };
            let what = format!("{} {}", op.id, s.mode.as_str());
            assert!(
                fees.contains(&s.boarding_fee_cents.get()),
                "{what} boarding fee"
            );
            assert!(
                passback.contains(&s.anti_passback_s),
                "{what} anti-passback"
            );
            assert!((15..=25).contains(&s.km_rate_cents), "{what} km rate");
        }
    }
    let ns = rules.service("NS", Mode::Train).unwrap();
    assert_eq!(
        (ns.boarding_fee_cents, ns.anti_passback_s),
        (Cents::euros(20), 100)
    );
}

#[test]
fn holidays_2024_to_2026() {
    let rules = nl_2024();
    for (day, name) in [
        (date(2024, 3, 31), "1e Paasdag"),
        (date(2025, 4, 18), "Goede Vrijdag"),
        (date(2025, 4, 26), "Koningsdag"),
        (date(2025, 5, 5), "Bevrijdingsdag"),
        (date(2026, 4, 5), "1e Paasdag"),
        (date(2026, 5, 14), "Hemelvaartsdag"),
    ] {
        assert!(
            rules
                .peak
                .holidays
                .iter()
                .any(|h| h.date == day && h.name == name),
            "{day} {name}"
        );
    }
    assert_eq!(rules.peak.holidays.len(), 3 * 11);
    // Every Easter-based date follows from Easter Sunday (anonymous Gregorian algorithm).
    for year in [2024, 2025, 2026] {
        let easter = easter_sunday(year);
        assert_eq!(easter.weekday(), Weekday::Sunday);
        for (offset, name) in [
            (-2, "Goede Vrijdag"),
            (0, "1e Paasdag"),
            (1, "2e Paasdag"),
            (39, "Hemelvaartsdag"),
            (49, "1e Pinksterdag"),
            (50, "2e Pinksterdag"),
        ] {
            let day = easter.checked_add(jiff::Span::new().days(offset)).unwrap();
            assert!(
                rules
                    .peak
                    .holidays
                    .iter()
                    .any(|h| h.date == day && h.name == name),
                "{year} {name}"
            );
        }
        let kings_day = if date(year, 4, 27).weekday() == Weekday::Sunday {
            date(year, 4, 26)
        } else {
            date(year, 4, 27)
        };
        assert!(rules.is_holiday(kings_day), "{year} Koningsdag");
    }
}

fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let g = (8 * b + 13) / 25;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(year, month as i8, day as i8)
}

#[test]
fn network_is_connected_with_realistic_distances() {
    let rules = nl_2024();
    let stations = &rules.network.stations;
    assert!(stations.len() >= 25, "{} stations", stations.len());
    assert!(stations.iter().any(|s| s.gates) && stations.iter().any(|s| !s.gates));
    for a in stations {
        for b in stations {
            let d = rules.distance_m(&a.id, &b.id);
            assert!(d.is_some(), "no distance {} → {}", a.id, b.id);
            assert_eq!(
                d,
                rules.distance_m(&b.id, &a.id),
                "asymmetric {} ↔ {}",
                a.id,
                b.id
            );
        }
    }
    assert_eq!(rules.distance_m("asd", "ut"), Some(36_000));
    assert_eq!(rules.distance_m("asd", "asd"), Some(0));
    assert_eq!(
        rules
            .station_by_name("Rotterdam Centraal")
            .map(|s| s.id.as_str()),
        Some("rtd")
    );
}

fn served(rules: &RuleSet, station: &str, operator: &str, mode: Mode) -> bool {
    rules
        .station(station)
        .unwrap()
        .served_by
        .iter()
        .any(|s| s.operator == operator && s.mode == mode)
}

#[test]
fn transfers_across_operators_and_modes_exist() {
    let r = nl_2024();
    assert!(served(&r, "asd", "NS", Mode::Train) && served(&r, "asd", "GVB", Mode::Metro));
    assert!(served(&r, "rtd", "NS", Mode::Train) && served(&r, "rtd", "RET", Mode::Metro));
    assert!(served(&r, "zl", "ARR", Mode::Train) && served(&r, "zl", "KEO", Mode::Train));
    assert!(served(&r, "gvc", "HTM", Mode::Tram) && served(&r, "gvc", "RET", Mode::Metro));
    assert!(served(&r, "asd", "GVB", Mode::Ferry) && served(&r, "purm-tp", "EBS", Mode::Bus));
}

#[test]
fn products_and_overrides() {
    let r = nl_2024();
    let ak = r.product("altijd-korting").unwrap();
    let regional = r.product("regio-korting").unwrap();
    assert!(ak.priority > regional.priority, "FARE-08");
    assert!(r.product("sentire").unwrap().exclusive, "FARE-10");
    let saldo = r.product("reizen-op-saldo").unwrap();
    assert!(saldo.activates_balance_travel && !saldo.personal_only && saldo.benefits.is_empty());
    let sentire_bus = r
        .boarding_fee_overrides
        .iter()
        .find(|o| o.product.as_deref() == Some("sentire") && o.mode == Some(Mode::Bus));
    assert_eq!(
        sentire_bus.map(|o| o.boarding_fee_cents),
        Some(Cents::new(120))
    );
}

// ---------------------------------------------------------------------------------------------
// One test per kind of mistake.

#[test]
fn missing_field() {
    check(
        "max_load_cents = 5000\n",
        "",
        "card.max_load_cents",
        "missing field `max_load_cents`",
    );
}

#[test]
fn missing_field_in_an_array_of_tables() {
    check(
        "year = 2010\nnormal_cents = 78\nreduced_cents = 52\n",
        "year = 2010\nnormal_cents = 78\n",
        "base_fares[4].reduced_cents",
        "missing field `reduced_cents`",
    );
}

#[test]
fn unknown_field() {
    check(
        "min_balance_cents = 0\n",
        "min_balance_cents = 0\nminimum = 1\n",
        "card.minimum",
        "unknown field `minimum`",
    );
}

#[test]
fn wrong_type() {
    check(
        "duplicate_window_s = 15",
        "duplicate_window_s = \"15\"",
        "reader.duplicate_window_s",
        "invalid type",
    );
}

#[test]
fn unknown_interpretation() {
    check(
        "rounding = \"half-up\"",
        "rounding = \"bankers\"",
        "interpretations.rounding",
        "unknown variant `bankers`",
    );
}

#[test]
fn malformed_date() {
    check(
        r#"{ date = "2025-04-18", name"#,
        r#"{ date = "2025-04-31", name"#,
        "peak.holidays[12].date",
        "date is not valid",
    );
}

#[test]
fn unquoted_date() {
    check(
        "valid_from = \"2024-01-01\"",
        "valid_from = 2024-01-01",
        "meta.valid_from",
        "write dates and times as quoted strings",
    );
}

#[test]
fn missing_table() {
    check(
        "[travel_day]\nend_local = \"03:05\"\n",
        "",
        "travel_day",
        "missing field `travel_day`",
    );
}

#[test]
fn malformed_toml_reports_its_line() {
    let error = check(
        "id = \"KEO\"",
        "id = KEO",
        "operators[5].id",
        "invalid TOML at line",
    );
    assert_eq!(error.line, Some(line_of("id = \"KEO\"")));
    assert!(
        error
            .reason
            .contains(&format!("line {}", line_of("id = \"KEO\""))),
        "{error}"
    );
}

#[test]
fn negative_fee() {
    check(
        "card_price_cents = 750",
        "card_price_cents = -750",
        "fees.card_price_cents",
        "must not be negative",
    );
}

#[test]
fn negative_boarding_fee() {
    check(
        "{ mode = \"metro\", boarding_fee_cents = 400, anti_passback_s = 60, km_rate_cents = 19",
        "{ mode = \"metro\", boarding_fee_cents = -400, anti_passback_s = 60, km_rate_cents = 19",
        "operators[3].services[1].boarding_fee_cents",
        "must not be negative",
    );
}

#[test]
fn negative_threshold() {
    check(
        "{ operator = \"NS\", amount_cents = 3000 }",
        "{ operator = \"NS\", amount_cents = -1 }",
        "ovpay.thresholds[6].amount_cents",
        "must not be negative",
    );
}

#[test]
fn overlapping_peak_windows() {
    check(
        "{ from = \"16:00\", until = \"18:30\" }",
        "{ from = \"08:00\", until = \"18:30\" }",
        "peak.weekday_windows[1]",
        "overlaps with weekday_windows[0]",
    );
}

#[test]
fn empty_peak_window() {
    check(
        "{ from = \"16:00\", until = \"18:30\" }",
        "{ from = \"18:30\", until = \"16:00\" }",
        "peak.weekday_windows[1]",
        "must be before until",
    );
}

#[test]
fn unknown_operator() {
    check(
        "excluded_operators = [\"NS\"]",
        "excluded_operators = [\"NSI\"]",
        "card.age.excluded_operators[0]",
        "unknown operator `NSI`",
    );
}

#[test]
fn unknown_operator_serving_a_station() {
    check(
        "served_by = [{ operator = \"EBS\", mode = \"bus\" }]",
        "served_by = [{ operator = \"EBX\", mode = \"bus\" }]",
        "network.stations[29].served_by[0].operator",
        "unknown operator `EBX`",
    );
}

#[test]
fn operator_without_the_mode() {
    check(
        "served_by = [{ operator = \"ARR\", mode = \"train\" }]",
        "served_by = [{ operator = \"GVB\", mode = \"train\" }]",
        "network.stations[20].served_by[0].operator",
        "operator `GVB` has no train service",
    );
}

#[test]
fn unknown_station_in_a_link() {
    check(
        "{ from = \"hgl\", to = \"es\", km = 8.0 }",
        "{ from = \"hgl\", to = \"ens\", km = 8.0 }",
        "network.links[23].to",
        "unknown station `ens`",
    );
}

#[test]
fn unknown_station_in_a_route() {
    check(
        "route = [\"ut\", \"amf\"]",
        "route = [\"ut\", \"amersfoort\"]",
        "products[5].benefits[0].route[1]",
        "unknown station `amersfoort`",
    );
}

#[test]
fn unknown_product_in_an_override() {
    check(
        "product = \"weekend-vrij\"\n",
        "product = \"weekend-vry\"\n",
        "boarding_fee_overrides[3].product",
        "unknown product `weekend-vry`",
    );
}

#[test]
fn duplicate_id() {
    check(
        "id = \"CXX\"",
        "id = \"EBS\"",
        "operators[2].id",
        "duplicate operator id `EBS` (first at operators[1].id)",
    );
}

#[test]
fn bad_id() {
    check(
        "code = \"regio-korting\"",
        "code = \"regionale-dalkorting\"",
        "products[7].code",
        "not a valid product code",
    );
}

#[test]
fn bad_discount() {
    check(
        "{ when = \"peak\", discount_bp = 2000 }",
        "{ when = \"peak\", discount_bp = 12000 }",
        "products[3].benefits[0].discount_bp",
        "exceeds 10000",
    );
}

#[test]
fn weekly_window_without_until() {
    check(
        ", until = { weekday = \"mon\", time = \"04:00\" } }",
        " }",
        "products[1].benefits[0].until",
        "is required when when = \"weekly-window\"",
    );
}

#[test]
fn unordered_retry_days() {
    check(
        "[1, 3, 7, 14, 21, 28, 42, 62]",
        "[1, 3, 14, 7, 21, 28, 42, 62]",
        "ovpay.retry_schedule_days[3]",
        "must be after retry_schedule_days[2] (14)",
    );
}

#[test]
fn retry_day_beyond_horizon() {
    check(
        "[1, 3, 7, 14, 21, 28, 42, 62]",
        "[1, 3, 7, 14, 21, 28, 42, 63]",
        "ovpay.retry_schedule_days[7]",
        "must not exceed retry_horizon_days (62)",
    );
}

#[test]
fn missing_threshold() {
    check(
        "    { operator = \"QBZ\", amount_cents = 2000 },\n",
        "",
        "ovpay.thresholds",
        "no threshold for operator `QBZ`",
    );
}

#[test]
fn base_fare_years_not_consecutive() {
    check(
        "year = 2011",
        "year = 2010",
        "base_fares[5].year",
        "duplicate year 2010",
    );
    check(
        "year = 2011",
        "year = 2012",
        "base_fares[5].year",
        "years must be consecutive: 2012 follows 2010",
    );
    check(
        "year = 2006",
        "year = 2005",
        "base_fares[1].year",
        "years must be consecutive: 2007 follows 2005",
    );
}

#[test]
fn reduced_base_fare_above_normal() {
    check(
        "normal_cents = 79\nreduced_cents = 52",
        "normal_cents = 79\nreduced_cents = 80",
        "base_fares[5].reduced_cents",
        "must not exceed normal_cents (79)",
    );
}

#[test]
fn card_limits() {
    check(
        "min_balance_cents = 0\n",
        "min_balance_cents = 20000\n",
        "card.min_balance_cents",
        "must not exceed max_balance_cents (15000)",
    );
    check(
        "max_load_cents = 5000",
        "max_load_cents = 0",
        "card.max_load_cents",
        "must be positive",
    );
    check(
        "[1000, 2000, 5000]",
        "[1000, 20000, 5000]",
        "card.auto_reload_amounts_cents[1]",
        "must not exceed max_balance_cents",
    );
}

#[test]
fn bad_link_distance() {
    check(
        "{ from = \"ah\", to = \"nm\", km = 18.0 }",
        "{ from = \"ah\", to = \"nm\", km = -18.0 }",
        "network.links[28].km",
        "must be finite and above 0",
    );
    check(
        "{ from = \"ah\", to = \"nm\", km = 18.0 }",
        "{ from = \"ah\", to = \"nm\", km = nan }",
        "network.links[28].km",
        "must be finite and above 0",
    );
}

#[test]
fn disconnected_station() {
    check(
        "{ from = \"ah\", to = \"dtc\", km = 29.0 },\n",
        "",
        "network.stations[20].id",
        "`dtc` is not connected to `asd`",
    );
}

#[test]
fn station_without_operators() {
    check(
        "served_by = [{ operator = \"NS\", mode = \"train\" }]\n",
        "served_by = []\n",
        "network.stations[21].served_by",
        "must list at least one operator",
    );
}

#[test]
fn rail_pair_needs_train_operators() {
    check(
        "[[\"ARR\", \"KEO\"]]",
        "[[\"ARR\", \"GVB\"]]",
        "journey.rail_new_journey_pairs[0][1]",
        "operator `GVB` has no train service",
    );
}

#[test]
fn all_problems_are_reported_in_document_order() {
    let text = NL_2024_TOML
        .replacen("card_price_cents = 750", "card_price_cents = -750", 1)
        .replacen("max_load_cents = 5000", "max_load_cents = -1", 1)
        .replacen("route = [\"ut\", \"amf\"]", "route = [\"ut\", \"xx\"]", 1);
    let error = load_str(FILE, &text).unwrap_err();
    let fields: Vec<&str> = std::iter::once(error.field.as_str())
        .chain(error.more.iter().map(|e| e.field.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            "card.max_load_cents",
            "products[5].benefits[0].route[1]",
            "fees.card_price_cents"
        ]
    );
    assert_eq!(error.line, Some(line_of("max_load_cents = 5000")));
    assert_eq!(error.more[1].line, Some(line_of("card_price_cents = 750")));
}

#[test]
fn override_without_a_condition() {
    check(
        "product = \"altijd-vrij\"\n",
        "",
        "boarding_fee_overrides[5]",
        "must name a product or a card_kind",
    );
}

// ---------------------------------------------------------------------------------------------
// FARE-01 / FARE-04 / JRN-08 tariff tables and the EMV-01 token key.

#[test]
fn rail_fare_bands_lines_and_route_fares() {
    let r = nl_2024();
    let rail = &r.rail_fare;
    assert_eq!(
        (
            rail.base_cents,
            rail.max_fare_cents,
            rail.first_class_factor_bp,
            rail.group_discount_bp
        ),
        (Cents::new(100), Cents::new(3000), 17_000, 4000)
    );
    let bands: Vec<(u32, Option<u32>, u32)> = rail
        .bands
        .iter()
        .map(|b| (b.from_km, b.to_km, b.cents_per_km))
        .collect();
    assert_eq!(
        bands,
        [
            (0, Some(40), 21),
            (40, Some(80), 18),
            (80, Some(100), 14),
            (100, Some(200), 10),
            (200, None, 6)
        ]
    );
    // FARE-04: degressive — every band is cheaper per km than the one before.
    assert!(bands.windows(2).all(|w| w[1].2 < w[0].2));
    // FARE-01: a per-line rate and the first matching line.
    let line = r.line_between("QBZ", Mode::Tram, "uithof", "ut").unwrap();
    assert_eq!(
        (line.name.as_str(), line.km_rate_cents),
        ("Uithoflijn 22", 23)
    );
    assert_eq!(r.line_between("QBZ", Mode::Bus, "ut", "uithof"), None);
    // FARE-01: fixed fares are directional and the two directions differ.
    let there = r.route_fare("EBS", Mode::Bus, "asd", "purm-tp");
    let back = r.route_fare("EBS", Mode::Bus, "purm-tp", "asd");
    assert_eq!(
        (there, back),
        (Some(Cents::new(450)), Some(Cents::new(430)))
    );
    assert_eq!(r.route_fare("EBS", Mode::Bus, "asd", "dam"), None);
}

#[test]
fn ovpay_token_key_is_the_labelled_test_key() {
    let key = nl_2024().ovpay.token_key().expect("32-byte hex key");
    assert_eq!(&key, b"ovcert TEST token key - not real");
}

const TOKEN_KEY: &str = "6f7663657274205445535420746f6b656e206b6579202d206e6f74207265616c";

#[test]
fn bad_token_key() {
    check(
        TOKEN_KEY,
        "6f7663657274205445535420746f6b656e206b6579202d206e6f74207265616",
        "ovpay.token_key_hex",
        "has 63 hex digits: the key is 32 bytes, write 64 digits",
    );
    check(
        TOKEN_KEY,
        "zz7663657274205445535420746f6b656e206b6579202d206e6f74207265616c",
        "ovpay.token_key_hex",
        "is not hexadecimal",
    );
}

#[test]
fn rail_bands_must_be_contiguous_from_zero_and_open_ended() {
    check(
        "from_km = 40\nto_km = 80",
        "from_km = 45\nto_km = 80",
        "rail_fare.bands[1].from_km",
        "must be 40 (bands[0].to_km): bands are ascending and contiguous",
    );
    check(
        "from_km = 0\nto_km = 40",
        "from_km = 1\nto_km = 40",
        "rail_fare.bands[0].from_km",
        "the first band must start at 0 km, not 1",
    );
    check(
        "from_km = 80\nto_km = 100",
        "from_km = 80\nto_km = 80",
        "rail_fare.bands[2].to_km",
        "must be above from_km (80)",
    );
    check(
        "from_km = 200\ncents_per_km = 6",
        "from_km = 200\nto_km = 300\ncents_per_km = 6",
        "rail_fare.bands[4].to_km",
        "must be absent: the last band is open-ended",
    );
    check(
        "from_km = 100\nto_km = 200\n",
        "from_km = 100\n",
        "rail_fare.bands[3].to_km",
        "is required: only the last band is open-ended",
    );
    check(
        "cents_per_km = 14",
        "cents_per_km = -14",
        "rail_fare.bands[2].cents_per_km",
        "invalid value",
    );
}

#[test]
fn rail_settings_and_maximum() {
    check(
        "group_discount_bp = 4000",
        "group_discount_bp = 14000",
        "rail_fare.group_discount_bp",
        "exceeds 10000",
    );
    check(
        "first_class_factor_bp = 17000",
        "first_class_factor_bp = 9000",
        "rail_fare.first_class_factor_bp",
        "first class never costs less than second class",
    );
    check(
        "max_fare_cents = 3000\nfirst_class",
        "max_fare_cents = 200\nfirst_class",
        "operators[0].services[0].min_fare_cents",
        "must not exceed rail_fare.max_fare_cents (200)",
    );
    check(
        "base_cents = 100",
        "base_cents = -100",
        "rail_fare.base_cents",
        "must not be negative",
    );
}

#[test]
fn lines_need_known_served_stops() {
    check(
        "stops = [\"ut\", \"uithof\"]",
        "stops = [\"ut\"]",
        "lines[0].stops",
        "must list at least two stops",
    );
    check(
        "stops = [\"ut\", \"uithof\"]",
        "stops = [\"ut\", \"dam\"]",
        "lines[0].stops[1]",
        "station `dam` is not served by QBZ tram",
    );
    check(
        "stops = [\"ut\", \"uithof\"]",
        "stops = [\"ut\", \"utsp\"]",
        "lines[0].stops[1]",
        "unknown station `utsp`",
    );
    check(
        "stops = [\"ut\", \"uithof\"]",
        "stops = [\"ut\", \"uithof\", \"ut\"]",
        "lines[0].stops[2]",
        "duplicate stop `ut`",
    );
    check(
        "mode = \"metro\"\nname = \"Metro E\"",
        "mode = \"ferry\"\nname = \"Metro E\"",
        "lines[1].operator",
        "operator `RET` has no ferry service",
    );
}

#[test]
fn route_fares_need_known_services_and_two_stops() {
    check(
        "from = \"purm-tp\"\nto = \"asd\"",
        "from = \"purm-tp\"\nto = \"purm-tp\"",
        "route_fares[1].to",
        "must differ from `from`",
    );
    check(
        "from = \"purm-tp\"\nto = \"asd\"",
        "from = \"asd\"\nto = \"purm-tp\"",
        "route_fares[1]",
        "duplicate route `EBS bus asd → purm-tp` (first at route_fares[0])",
    );
    check(
        "fare_cents = 430",
        "fare_cents = -430",
        "route_fares[1].fare_cents",
        "must not be negative",
    );
    check(
        "operator = \"EBS\"\nmode = \"bus\"\nfrom = \"asd\"",
        "operator = \"NS\"\nmode = \"train\"\nfrom = \"asd\"",
        "route_fares[0].mode",
        "train is rail: rail journeys are priced by [rail_fare] (FARE-04)",
    );
}
