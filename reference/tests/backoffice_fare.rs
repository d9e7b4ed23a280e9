//! The back office's fare engine (`backoffice::fare`): every FARE rule, the pricing side of
//! JRN-04..08, CARD-06 and the GBO-02 shares, against hand-computed cents, under the embedded
//! `nl-2024` rule set.
//!
//! The tests are data driven through [`check`]: a card, a journey in a small text notation and
//! the expected fare rendered on one line. Journey notation:
//!
//! ```text
//! [first-class|group] 2024-03-05: GVB tram asd 10:00 -> dam 10:05; NS train ut 11:00 -> ?
//! ```
//!
//! Legs are separated by `;`; times are local Amsterdam time on the date given (a check-out
//! earlier than its check-in is on the next day); `-> ?` is a missing check-out (JRN-07); a
//! trailing `cancelled` or `visit` marks a JRN-04 cancellation or a JRN-05 station visit. The
//! card: `anonymous`, `personal`, `disposable` or `ovpay`, then optionally `born YYYY-MM-DD`
//! and `with product,product` (valid 2020–2030). The rendering:
//! `total max maximum category product discount | operator share, ...`, all in cents.
//!
//! Figures used below (nl-2024): base fare 2022 101/67, 2023 and 2024 108/71 (FARE-02); GVB
//! tram 19 c/km, cap 1000; EBS bus fixed asd→purm-tp 450, purm-tp→asd 430; QBZ tram line 22
//! 23 c/km, QBZ bus 17 c/km; RET Metro E 16 c/km; rail base 100, bands 0–40 km 21 c, 40–80
//! 18 c, 80–100 14 c, 100–200 10 c, 200+ 6 c, minimum 260, maximum 3000, first class × 1.7,
//! group 40 %; age discount 34 %. Distances: asd–dam 0.9 km, dam–leidsepl 1.6, asd–purm-tp 17,
//! ut–uithof 7.5, gvc–rtd 24, rtd–beurs 1.3, rtd–rtb 1.7, asd–ut 36, ut–amf 22, ut–hvs 18,
//! hvs–amf 18, asd–zl 113, zl–es 73, zl–amf 66, ut–gn 191.

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::{Date, date};
use ovcert_reference::backoffice::fare::{
    FareContext, FareError, JourneyFare, PaymentMeans, TimeCategory, journey_fare, time_category,
};
use ovcert_reference::backoffice::journey::{Journey, Leg, LegStatus, Stop};
use ovcert_reference::card::{CardKind, ProductSlot, SpecialSetting};
use ovcert_reference::rules::{Mode, RuleSet, TransportClass, nl_2024};
use ovcert_reference::tap::TapId;
use ovcert_reference::time::{TravelDay, parse_instant};
use proptest::prelude::*;

/// The embedded rule set, loaded once for all tests (the property test prices thousands of
/// journeys).
static RULES: LazyLock<RuleSet> = LazyLock::new(nl_2024);

// ---------------------------------------------------------------------------------------------
// The notation.

struct Card {
    means: PaymentMeans,
    birth_date: Option<Date>,
    products: Vec<ProductSlot>,
}

fn card(text: &str) -> Card {
    let mut words = text.split_whitespace();
    let means = match words.next() {
        Some("anonymous") => PaymentMeans::OvChipkaart {
            kind: CardKind::Anonymous,
        },
        Some("personal") => PaymentMeans::OvChipkaart {
            kind: CardKind::Personal,
        },
        Some("disposable") => PaymentMeans::OvChipkaart {
            kind: CardKind::Disposable,
        },
        Some("ovpay") => PaymentMeans::Ovpay,
        other => panic!("card kind {other:?} in {text:?}"),
    };
    let mut card = Card {
        means,
        birth_date: None,
        products: Vec::new(),
    };
    while let Some(word) = words.next() {
        let value = words
            .next()
            .unwrap_or_else(|| panic!("{word} needs a value"));
        match word {
            "born" => card.birth_date = Some(value.parse().expect("birth date")),
            "with" => {
                card.products = value
                    .split(',')
                    .map(|code| ProductSlot {
                        code: code.to_string(),
                        valid_from: date(2020, 1, 1),
                        valid_until: date(2030, 12, 31),
                        route: None,
                    })
                    .collect();
            }
            other => panic!("unknown card word {other:?} in {text:?}"),
        }
    }
    card
}

fn at(day: &str, time: &str) -> Timestamp {
    parse_instant(&format!("{day} {time}")).expect("local time")
}

fn stop(n: usize, at: Timestamp, station: &str) -> Stop {
    Stop {
        tap_id: TapId(format!("t{n}").into()),
        at,
        station: station.into(),
        device: 1,
        vehicle: None,
    }
}

fn journey(rules: &RuleSet, text: &str) -> Journey {
    let (head, legs) = text.split_once(':').expect("`date: legs`");
    let mut head = head.split_whitespace().collect::<Vec<_>>();
    let day = head.pop().expect("date");
    let setting = match head.as_slice() {
        [] => SpecialSetting::None,
        ["first-class"] => SpecialSetting::FirstClass,
        ["group"] => SpecialSetting::GroupDiscount,
        other => panic!("setting {other:?}"),
    };
    let next_day = day.parse::<Date>().unwrap().tomorrow().unwrap().to_string();
    let legs: Vec<Leg> = legs
        .split(';')
        .enumerate()
        .map(|(n, leg)| {
            let w: Vec<&str> = leg.split_whitespace().collect();
            let mode = Mode::parse(w[1]).expect("mode");
            let check_in = at(day, w[3]);
            assert_eq!(w[4], "->", "{leg}");
            let (check_out, status) = if w[5] == "?" {
                (None, LegStatus::MissingCheckOut)
            } else {
                let mut out = at(day, w[6]);
                if out < check_in {
                    out = at(&next_day, w[6]);
                }
                let status = match w.get(7) {
                    None => LegStatus::Completed,
                    Some(&"cancelled") => LegStatus::Cancelled,
                    Some(&"visit") => LegStatus::StationVisit,
                    Some(other) => panic!("status {other}"),
                };
                (Some(stop(2 * n + 1, out, w[5])), status)
            };
            Leg {
                operator: w[0].into(),
                mode,
                check_in: stop(2 * n, check_in, w[2]),
                check_out,
                status,
            }
        })
        .collect();
    let first = legs[0].check_in.at;
    Journey {
        class: legs[0].mode.class(),
        travel_day: rules.travel_day_rule().travel_day_of(first),
        setting,
        legs,
    }
}

fn render(fare: &JourneyFare) -> String {
    let category = match fare.time_category {
        TimeCategory::Peak => "peak",
        TimeCategory::OffPeak => "off-peak",
    };
    let legs: Vec<String> = fare
        .legs
        .iter()
        .map(|l| format!("{} {}", l.operator, l.fare.get()))
        .collect();
    format!(
        "{} max {} {category} {} {}bp | {}",
        fare.total.get(),
        fare.maximum.get(),
        fare.product.as_deref().unwrap_or("-"),
        fare.discount.basis_points(),
        legs.join(", ")
    )
}

fn price(card_text: &str, journey_text: &str) -> Result<JourneyFare, FareError> {
    let rules = &*RULES;
    let card = card(card_text);
    let journey = journey(rules, journey_text);
    let ctx = FareContext {
        means: card.means,
        birth_date: card.birth_date,
        products: &card.products,
    };
    journey_fare(rules, &journey, &ctx)
}

/// Prices `journey_text` for `card_text` and compares the rendering with `expected`; also
/// checks FARE-11 and GBO-02 on every priced journey.
#[track_caller]
fn check(card_text: &str, journey_text: &str, expected: &str) {
    let fare = price(card_text, journey_text)
        .unwrap_or_else(|e| panic!("{card_text} / {journey_text}: {e}"));
    assert_invariants(&fare);
    let actual = render(&fare);
    assert_eq!(
        actual, expected,
        "\ncard:    {card_text}\njourney: {journey_text}\nactual:  {actual}\nexpected: {expected}"
    );
}

/// FARE-11: 0 ≤ total ≤ maximum; GBO-02: the shares sum to the total.
fn assert_invariants(fare: &JourneyFare) {
    assert!(fare.total.get() >= 0, "negative total {fare:?}");
    assert!(fare.total <= fare.maximum, "total above maximum {fare:?}");
    let shares: i64 = fare.legs.iter().map(|l| l.fare.get()).sum();
    assert_eq!(shares, fare.total.get(), "shares {fare:?}");
    assert!(fare.legs.iter().all(|l| l.fare.get() >= 0), "{fare:?}");
}

// ---------------------------------------------------------------------------------------------
// FARE-01 / FARE-02 / FARE-03: bus, tram and metro.

#[test]
fn btm_base_plus_km() {
    // 108 + 0.9 km × 19 = 17.1 → 17: 125.
    check(
        "anonymous",
        "2024-03-05: GVB tram asd 10:00 -> dam 10:05",
        "125 max 1000 off-peak - 0bp | GVB 125",
    );
}

#[test]
fn base_fare_row_of_the_local_year_of_the_first_check_in() {
    // FARE-02: 2022 row 101 (+17 = 118) at 31 Dec 2022 23:59; 2023 row 108 (+17 = 125) at
    // 1 Jan 2023 00:00, local time. The check-out after midnight does not matter.
    check(
        "anonymous",
        "2022-12-31: GVB tram asd 23:59 -> dam 00:04",
        "118 max 1000 off-peak - 0bp | GVB 118",
    );
    check(
        "anonymous",
        "2023-01-01: GVB tram asd 00:00 -> dam 00:05",
        "125 max 1000 off-peak - 0bp | GVB 125",
    );
    // Reduced rows (CARD-06, age 70): 2022 67 + 17 × 0.66 = 11.22 → 11 = 78; 2023 71 + 11 = 82.
    check(
        "personal born 1952-06-01",
        "2022-12-31: GVB tram asd 23:59 -> dam 00:04",
        "78 max 1000 off-peak - 3400bp | GVB 78",
    );
    check(
        "personal born 1952-06-01",
        "2023-01-01: GVB tram asd 00:00 -> dam 00:05",
        "82 max 1000 off-peak - 3400bp | GVB 82",
    );
}

#[test]
fn one_base_fare_per_journey_across_legs_and_operators() {
    // FARE-03: 108 + 17 (asd–dam) + 1.6 km × 19 = 30.4 → 30 = 155; the base goes with the
    // first leg.
    check(
        "anonymous",
        "2024-03-05: GVB tram asd 10:00 -> dam 10:05; GVB tram dam 10:20 -> leidsepl 10:30",
        "155 max 1000 off-peak - 0bp | GVB 125, GVB 30",
    );
    // GVB tram then EBS bus on a fixed fare (450 includes a base fare: km part 450 − 108 =
    // 342): 108 + 17 + 342 = 467, one base fare.
    check(
        "anonymous",
        "2024-03-05: GVB tram dam 10:00 -> asd 10:05; EBS bus asd 10:15 -> purm-tp 10:45",
        "467 max 1000 off-peak - 0bp | GVB 125, EBS 342",
    );
}

#[test]
fn same_stop_leg_costs_the_base_fare_once() {
    // JRN-06: in and out at the same stop: km part 0 → the base fare 108.
    check(
        "anonymous",
        "2024-03-05: GVB tram asd 10:00 -> asd 10:05",
        "108 max 1000 off-peak - 0bp | GVB 108",
    );
    // Continued in another vehicle within the transfer window: one base fare, 108 + 0 + 17.
    check(
        "anonymous",
        "2024-03-05: GVB tram asd 10:00 -> asd 10:05; GVB tram asd 10:15 -> dam 10:20",
        "125 max 1000 off-peak - 0bp | GVB 108, GVB 17",
    );
}

#[test]
fn fixed_route_fares_differ_by_direction() {
    // FARE-01: asd → purm-tp 450, purm-tp → asd 430 (km pricing would be 108 + 17 × 17 = 397).
    check(
        "anonymous",
        "2024-03-05: EBS bus asd 10:00 -> purm-tp 10:30",
        "450 max 2000 off-peak - 0bp | EBS 450",
    );
    check(
        "anonymous",
        "2024-03-05: EBS bus purm-tp 10:00 -> asd 10:30",
        "430 max 2000 off-peak - 0bp | EBS 430",
    );
    // Age 70 on a fixed fare: reduced base 71 + (450 − 108) × 0.66 = 225.72 → 226 = 297.
    check(
        "personal born 1952-06-01",
        "2024-03-05: EBS bus asd 10:00 -> purm-tp 10:30",
        "297 max 2000 off-peak - 3400bp | EBS 297",
    );
}

#[test]
fn per_line_km_rates() {
    // FARE-01: QBZ tram on line 22: 7.5 km × 23 = 172.5 → 173, + 108 = 281; the QBZ bus on
    // the same stops has no line: 7.5 × 17 = 127.5 → 128, + 108 = 236.
    check(
        "anonymous",
        "2024-03-05: QBZ tram ut 10:00 -> uithof 10:15",
        "281 max 2000 off-peak - 0bp | QBZ 281",
    );
    check(
        "anonymous",
        "2024-03-05: QBZ bus ut 10:00 -> uithof 10:20",
        "236 max 2000 off-peak - 0bp | QBZ 236",
    );
    // RET Metro E: 24 km × 16 = 384 + 108 = 492; 1.3 km × 16 = 20.8 → 21 + 108 = 129.
    check(
        "anonymous",
        "2024-03-05: RET metro gvc 10:00 -> rtd 10:30",
        "492 max 1000 off-peak - 0bp | RET 492",
    );
    check(
        "anonymous",
        "2024-03-05: RET metro rtd 10:00 -> beurs 10:05",
        "129 max 1000 off-peak - 0bp | RET 129",
    );
}

#[test]
fn btm_cap_of_the_first_legs_service() {
    // QBZ bus ut → gn, 191 km × 17 = 3247 + 108 = 3355 → the QBZ bus cap 2000.
    check(
        "anonymous",
        "2024-03-05: QBZ bus ut 10:00 -> gn 13:00",
        "2000 max 2000 off-peak - 0bp | QBZ 2000",
    );
    // Starting with GVB (cap 1000): 125 + 17 + 342 + (430 − 108 = 322) + 342 = 1148 → 1000,
    // split by the legs' prices 125/17/342/322/342: floors 108, 14, 297, 280, 297 (996),
    // remainders (of 1148) 1016, 928, 1044, 560, 1044 → +1 to legs 3, 5, 1, 2.
    check(
        "anonymous",
        "2024-03-05: GVB tram asd 10:00 -> dam 10:05; GVB tram dam 10:10 -> asd 10:15; \
         EBS bus asd 10:20 -> purm-tp 10:50; EBS bus purm-tp 11:00 -> asd 11:30; \
         EBS bus asd 11:40 -> purm-tp 12:10",
        "1000 max 1000 off-peak - 0bp | GVB 109, GVB 15, EBS 298, EBS 280, EBS 298",
    );
}

// ---------------------------------------------------------------------------------------------
// FARE-05 / FARE-06: time category.

#[test]
fn time_categories() {
    let rules = &*RULES;
    let cases = [
        // 2024-03-05 is a Tuesday.
        ("2024-03-05 06:29:59", TimeCategory::OffPeak),
        ("2024-03-05 06:30:00", TimeCategory::Peak),
        ("2024-03-05 08:54:59", TimeCategory::Peak),
        // FARE-06: from 08:55 off-peak.
        ("2024-03-05 08:55:00", TimeCategory::OffPeak),
        ("2024-03-05 15:59:59", TimeCategory::OffPeak),
        ("2024-03-05 16:00:00", TimeCategory::Peak),
        // The grace applies to the end of every peak window.
        ("2024-03-05 18:24:59", TimeCategory::Peak),
        ("2024-03-05 18:25:00", TimeCategory::OffPeak),
        // Weekend (Saturday) and public holidays (1e Kerstdag, a Wednesday).
        ("2024-03-09 08:00:00", TimeCategory::OffPeak),
        ("2024-12-25 08:00:00", TimeCategory::OffPeak),
        ("2024-12-24 08:00:00", TimeCategory::Peak),
        // Local time after the autumn DST change (Monday 28 October 2024, CET).
        ("2024-10-28 08:54:59", TimeCategory::Peak),
        ("2024-10-28 08:55:00", TimeCategory::OffPeak),
    ];
    for (local, expected) in cases {
        let instant = parse_instant(local).unwrap();
        assert_eq!(time_category(rules, instant), expected, "{local}");
    }
}

#[test]
fn the_first_check_in_decides_for_the_whole_journey() {
    // FARE-05: Dal Vrij, first check-in 08:54:59 (peak): the whole journey at full fare even
    // though the second leg starts off-peak. asd–ut 36 km + ut–amf 22 km = 58 km: 100 + 40 ×
    // 21 + 18 × 18 = 1264, split 36/22: 784.55, 479.45 → floors 1263, the cent left to the
    // larger remainder (32 vs 26 of 58): 785, 479.
    check(
        "personal with dal-vrij",
        "2024-03-05: NS train asd 08:54:59 -> ut 09:20; NS train ut 09:30 -> amf 09:50",
        "1264 max 3000 peak dal-vrij 0bp | NS 785, NS 479",
    );
    check(
        "personal with dal-vrij",
        "2024-03-05: NS train asd 08:55 -> ut 09:20; NS train ut 09:30 -> amf 09:50",
        "0 max 3000 off-peak dal-vrij 10000bp | NS 0, NS 0",
    );
}

// ---------------------------------------------------------------------------------------------
// FARE-07 / FARE-08: products.

#[test]
fn dal_vrij_and_dal_voordeel() {
    // asd → ut: 856 at full fare.
    let trip = |time: &str| format!("2024-03-05: NS train asd {time} -> ut 11:00");
    check(
        "personal with dal-vrij",
        &trip("10:00"),
        "0 max 3000 off-peak dal-vrij 10000bp | NS 0",
    );
    check(
        "personal with dal-vrij",
        &trip("08:00"),
        "856 max 3000 peak dal-vrij 0bp | NS 856",
    );
    // Dal Voordeel 40 % off-peak: 856 × 0.6 = 513.6 → 514.
    check(
        "personal with dal-voordeel",
        &trip("10:00"),
        "514 max 3000 off-peak dal-voordeel 4000bp | NS 514",
    );
}

#[test]
fn altijd_voordeel_peak_and_off_peak() {
    // 20 % in the peak: 856 × 0.8 = 684.8 → 685; 40 % off-peak: 514.
    check(
        "personal with altijd-voordeel",
        "2024-03-05: NS train asd 08:00 -> ut 08:30",
        "685 max 3000 peak altijd-voordeel 2000bp | NS 685",
    );
    check(
        "personal with altijd-voordeel",
        "2024-03-05: NS train asd 12:00 -> ut 12:30",
        "514 max 3000 off-peak altijd-voordeel 4000bp | NS 514",
    );
}

#[test]
fn weekend_vrij() {
    // Seed 003: check-in Friday 18:15 is peak and before the free window: full fare 856.
    check(
        "personal with weekend-vrij",
        "2024-03-08: NS train asd 18:15 -> ut 18:45",
        "856 max 3000 peak weekend-vrij 0bp | NS 856",
    );
    // 18:25 is off-peak by the FARE-06 grace but not yet in the free window: 40 % → 514.
    check(
        "personal with weekend-vrij",
        "2024-03-08: NS train asd 18:25 -> ut 18:55",
        "514 max 3000 off-peak weekend-vrij 4000bp | NS 514",
    );
    // From Friday 18:30 free, until Monday 04:00 (the window wraps over the week end).
    check(
        "personal with weekend-vrij",
        "2024-03-08: NS train asd 18:30 -> ut 19:00",
        "0 max 3000 off-peak weekend-vrij 10000bp | NS 0",
    );
    check(
        "personal with weekend-vrij",
        "2024-03-11: NS train asd 03:59 -> ut 04:30",
        "0 max 3000 off-peak weekend-vrij 10000bp | NS 0",
    );
    check(
        "personal with weekend-vrij",
        "2024-03-11: NS train asd 04:00 -> ut 04:30",
        "514 max 3000 off-peak weekend-vrij 4000bp | NS 514",
    );
    // A holiday on a weekday (1e Kerstdag, Wednesday), in what would be the peak: free.
    check(
        "personal with weekend-vrij",
        "2024-12-25: NS train asd 08:00 -> ut 08:30",
        "0 max 3000 off-peak weekend-vrij 10000bp | NS 0",
    );
}

#[test]
fn altijd_vrij_and_the_disposable_single_journey() {
    check(
        "personal with altijd-vrij",
        "2024-03-05: NS train asd 08:00 -> ut 08:30",
        "0 max 3000 peak altijd-vrij 10000bp | NS 0",
    );
    check(
        "disposable with enkele-reis",
        "2024-03-05: NS train asd 08:00 -> ut 08:30",
        "0 max 3000 peak enkele-reis 10000bp | NS 0",
    );
}

#[test]
fn traject_vrij_on_its_route_and_elsewhere() {
    // ut → amf in the peak, either direction: free. 22 km would be 100 + 462 = 562.
    check(
        "personal with traject-vrij",
        "2024-03-05: NS train ut 08:00 -> amf 08:20",
        "0 max 3000 peak traject-vrij 10000bp | NS 0",
    );
    check(
        "personal with traject-vrij",
        "2024-03-05: NS train amf 08:00 -> ut 08:20",
        "0 max 3000 peak traject-vrij 10000bp | NS 0",
    );
    // The route is the journey's first check-in and last check-out, over a transfer at
    // Hilversum too.
    check(
        "personal with traject-vrij",
        "2024-03-05: NS train ut 08:00 -> hvs 08:15; NS train hvs 08:25 -> amf 08:40",
        "0 max 3000 peak traject-vrij 10000bp | NS 0, NS 0",
    );
    // Elsewhere: full fare in the peak, 40 % off-peak (856 → 514).
    check(
        "personal with traject-vrij",
        "2024-03-05: NS train asd 08:00 -> ut 08:30",
        "856 max 3000 peak traject-vrij 0bp | NS 856",
    );
    check(
        "personal with traject-vrij",
        "2024-03-05: NS train asd 10:00 -> ut 10:30",
        "514 max 3000 off-peak traject-vrij 4000bp | NS 514",
    );
}

#[test]
fn altijd_korting_has_priority_over_a_regional_product() {
    // FARE-08: off-peak the regional product would give 40 % (125 → 75), but Altijd Korting
    // has the higher priority: 20 % → 100.
    check(
        "personal with regio-korting,altijd-korting",
        "2024-03-05: GVB tram asd 10:00 -> dam 10:05",
        "100 max 1000 off-peak altijd-korting 2000bp | GVB 100",
    );
    check(
        "personal with regio-korting",
        "2024-03-05: GVB tram asd 10:00 -> dam 10:05",
        "75 max 1000 off-peak regio-korting 4000bp | GVB 75",
    );
    check(
        "personal with regio-korting",
        "2024-03-05: GVB tram asd 08:00 -> dam 08:05",
        "125 max 1000 peak regio-korting 0bp | GVB 125",
    );
}

#[test]
fn products_apply_only_in_their_scope_and_on_their_card_kind() {
    // A rail product on a tram journey: full fare.
    check(
        "personal with altijd-vrij",
        "2024-03-05: GVB tram asd 10:00 -> dam 10:05",
        "125 max 1000 off-peak - 0bp | GVB 125",
    );
    // CARD-05: a personal-only product on an anonymous card gives nothing.
    check(
        "anonymous with dal-vrij",
        "2024-03-05: NS train asd 10:00 -> ut 10:30",
        "856 max 3000 off-peak - 0bp | NS 856",
    );
}

#[test]
fn product_outside_its_validity_gives_nothing() {
    let rules = &*RULES;
    let journey = journey(rules, "2024-03-05: NS train asd 10:00 -> ut 10:30");
    let products = [ProductSlot {
        code: "dal-vrij".into(),
        valid_from: date(2024, 3, 6),
        valid_until: date(2024, 4, 5),
        route: None,
    }];
    let ctx = FareContext {
        means: PaymentMeans::OvChipkaart {
            kind: CardKind::Personal,
        },
        birth_date: None,
        products: &products,
    };
    let fare = journey_fare(rules, &journey, &ctx).unwrap();
    assert_eq!(
        render(&fare),
        "856 max 3000 off-peak - 0bp | NS 856",
        "valid from the next day"
    );
}

// ---------------------------------------------------------------------------------------------
// CARD-06: age.

#[test]
fn age_bands_at_gvb() {
    // 2024-03-05; GVB tram asd → dam: full 125, reduced 71 + 17 × 0.66 = 11.22 → 11 = 82.
    let trip = "2024-03-05: GVB tram asd 10:00 -> dam 10:05";
    let cases = [
        ("2020-03-06", "0 max 1000 off-peak - 10000bp | GVB 0"), // 3, four tomorrow
        ("2020-03-05", "82 max 1000 off-peak - 3400bp | GVB 82"), // 4 today
        ("2012-03-06", "82 max 1000 off-peak - 3400bp | GVB 82"), // 11
        ("2012-03-05", "125 max 1000 off-peak - 0bp | GVB 125"), // 12 today
        ("1959-03-06", "125 max 1000 off-peak - 0bp | GVB 125"), // 64
        ("1959-03-05", "82 max 1000 off-peak - 3400bp | GVB 82"), // 65 today
    ];
    for (born, expected) in cases {
        check(&format!("personal born {born}"), trip, expected);
    }
    // The birth date counts on personal cards only.
    check(
        "anonymous born 1959-03-05",
        trip,
        "125 max 1000 off-peak - 0bp | GVB 125",
    );
}

#[test]
fn no_age_discount_at_ns_but_at_other_rail_operators() {
    check(
        "personal born 1959-03-05",
        "2024-03-05: NS train asd 10:00 -> ut 10:30",
        "856 max 3000 off-peak - 0bp | NS 856",
    );
    // KEO zl → es 73 km: 100 + 840 + 33 × 18 = 1534; × 0.66 = 1012.44 → 1012.
    check(
        "personal born 1959-03-05",
        "2024-03-05: KEO train zl 10:00 -> es 11:00",
        "1012 max 3000 off-peak - 3400bp | KEO 1012",
    );
    // NS asd → zl then KEO zl → es: 2800 split 1701/1099 (see the rail test); only the KEO
    // share is discounted: 1099 × 0.66 = 725.34 → 725; total 1701 + 725 = 2426.
    check(
        "personal born 1959-03-05",
        "2024-03-05: NS train asd 10:00 -> zl 11:10; KEO train zl 11:20 -> es 12:20",
        "2426 max 3000 off-peak - 3400bp | NS 1701, KEO 725",
    );
    // Under four: free at NS too.
    check(
        "personal born 2021-01-01",
        "2024-03-05: NS train asd 10:00 -> ut 10:30",
        "0 max 3000 off-peak - 10000bp | NS 0",
    );
}

#[test]
fn product_and_age_discounts_do_not_stack_the_lower_fare_applies() {
    // Age 65 with Altijd Korting: product 125 × 0.8 = 100, age 82 → age.
    check(
        "personal born 1959-03-05 with altijd-korting",
        "2024-03-05: GVB tram asd 10:00 -> dam 10:05",
        "82 max 1000 off-peak - 3400bp | GVB 82",
    );
    // Age 65 with the regional product off-peak: product 75, age 82 → product.
    check(
        "personal born 1959-03-05 with regio-korting",
        "2024-03-05: GVB tram asd 10:00 -> dam 10:05",
        "75 max 1000 off-peak regio-korting 4000bp | GVB 75",
    );
}

// ---------------------------------------------------------------------------------------------
// FARE-04 / GBO-02: rail.

#[test]
fn rail_is_degressive_over_the_whole_journey_across_operators() {
    // asd → zl 113 km: 100 + 40 × 21 + 40 × 18 + 20 × 14 + 13 × 10 = 2070.
    check(
        "anonymous",
        "2024-03-05: NS train asd 10:00 -> zl 11:10",
        "2070 max 3000 off-peak - 0bp | NS 2070",
    );
    // + KEO zl → es 73 km = 186 km: 100 + 840 + 720 + 280 + 86 × 10 = 2800 (separately 2070 +
    // 1534 = 3604). Shares 2800 × 113/186 = 1701.08, × 73/186 = 1098.92 → 1701, 1099.
    check(
        "anonymous",
        "2024-03-05: NS train asd 10:00 -> zl 11:10; KEO train zl 11:20 -> es 12:20",
        "2800 max 3000 off-peak - 0bp | NS 1701, KEO 1099",
    );
    // + KEO es → zl 73 km = 259 km: 100 + 840 + 720 + 280 + 1000 + 59 × 6 = 3294 → max 3000.
    // Shares 113/73/73 of 259: 1308.88, 845.56, 845.56 → floors 2998, remainders 228, 145, 145
    // → 1309, 846 (tie to the earlier leg), 845.
    check(
        "anonymous",
        "2024-03-05: NS train asd 10:00 -> zl 11:10; KEO train zl 11:20 -> es 12:20; \
         KEO train es 12:30 -> zl 13:30",
        "3000 max 3000 off-peak - 0bp | NS 1309, KEO 846, KEO 845",
    );
    // Once the maximum is reached further legs are free: + NS zl → amf 66 km, still 3000,
    // now shared 113/73/73/66 of 325: 1043.08, 673.85, 673.85, 609.23 → 1043, 674, 674, 609.
    check(
        "anonymous",
        "2024-03-05: NS train asd 10:00 -> zl 11:10; KEO train zl 11:20 -> es 12:20; \
         KEO train es 12:30 -> zl 13:30; NS train zl 13:40 -> amf 14:20",
        "3000 max 3000 off-peak - 0bp | NS 1043, KEO 674, KEO 674, NS 609",
    );
}

#[test]
fn rail_minimum_fare_and_same_station_stays() {
    // rtd → rtb 1.7 km: 100 + 35.7 → 36 = 136 → the minimum 260.
    check(
        "anonymous",
        "2024-03-05: NS train rtd 10:00 -> rtb 10:05",
        "260 max 3000 off-peak - 0bp | NS 260",
    );
    // JRN-05: a gated same-station stay beyond the visit window arrives completed: 0 km →
    // the minimum fare.
    check(
        "anonymous",
        "2024-03-05: NS train ut 10:00 -> ut 11:30",
        "260 max 3000 off-peak - 0bp | NS 260",
    );
    // JRN-05 visit within the window and JRN-04 cancellation: free.
    check(
        "anonymous",
        "2024-03-05: NS train ut 10:00 -> ut 10:50 visit",
        "0 max 3000 off-peak - 0bp | NS 0",
    );
    check(
        "anonymous",
        "2024-03-05: NS train ut 10:00 -> ut 10:10 cancelled",
        "0 max 3000 off-peak - 0bp | NS 0",
    );
}

// ---------------------------------------------------------------------------------------------
// JRN-08: special settings; FARE-09: OVpay.

#[test]
fn first_class_and_group_discount() {
    // First class: 856 × 1.7 = 1455.2 → 1455; the maximum 3000 × 1.7 = 5100.
    check(
        "anonymous",
        "first-class 2024-03-05: NS train asd 10:00 -> ut 10:30",
        "1455 max 5100 off-peak - 0bp | NS 1455",
    );
    // At the maximum: 3000 × 1.7 = 5100; shares 113/73/73 of 259 → 2225.10, 1437.45, 1437.45
    // → floors 5099, remainders 25, 117, 117 → the cent to the earlier of the tied legs.
    check(
        "anonymous",
        "first-class 2024-03-05: NS train asd 10:00 -> zl 11:10; KEO train zl 11:20 -> es 12:20; \
         KEO train es 12:30 -> zl 13:30",
        "5100 max 5100 off-peak - 0bp | NS 2225, KEO 1438, KEO 1437",
    );
    // Group discount 40 %: 856 × 0.6 = 513.6 → 514.
    check(
        "anonymous",
        "group 2024-03-05: NS train asd 10:00 -> ut 10:30",
        "514 max 3000 off-peak - 0bp | NS 514",
    );
    // Bus, tram and metro have no classes: the setting is ignored.
    check(
        "anonymous",
        "first-class 2024-03-05: GVB tram asd 10:00 -> dam 10:05",
        "125 max 1000 off-peak - 0bp | GVB 125",
    );
}

#[test]
fn ovpay_is_full_fare_second_class_without_products_or_age() {
    check(
        "ovpay born 1959-03-05 with dal-vrij",
        "first-class 2024-03-05: NS train asd 10:00 -> ut 10:30",
        "856 max 3000 off-peak - 0bp | NS 856",
    );
    check(
        "ovpay born 2012-03-06 with altijd-korting",
        "2024-03-05: GVB tram asd 10:00 -> dam 10:05",
        "125 max 1000 off-peak - 0bp | GVB 125",
    );
}

// ---------------------------------------------------------------------------------------------
// JRN-07: missing check-out.

#[test]
fn missing_check_out_keeps_the_boarding_fee() {
    // NS deposit 2000; the maximum is the cap plus the kept deposit.
    check(
        "anonymous",
        "2024-03-05: NS train asd 10:00 -> ?",
        "2000 max 5000 off-peak - 0bp | NS 2000",
    );
    // TAP-01: Dal Voordeel holders pay a 1000 deposit at NS, so 1000 is kept.
    check(
        "personal with dal-voordeel",
        "2024-03-05: NS train asd 10:00 -> ?",
        "1000 max 4000 off-peak dal-voordeel 4000bp | NS 1000",
    );
    // Free-travel holders are not charged: Altijd Vrij, Dal Vrij off-peak; Dal Vrij in the
    // peak (no free travel then) keeps its 1000 deposit.
    check(
        "personal with altijd-vrij",
        "2024-03-05: NS train asd 10:00 -> ?",
        "0 max 3000 off-peak altijd-vrij 10000bp | NS 0",
    );
    check(
        "personal with dal-vrij",
        "2024-03-05: NS train asd 10:00 -> ?",
        "0 max 3000 off-peak dal-vrij 10000bp | NS 0",
    );
    check(
        "personal with dal-vrij",
        "2024-03-05: NS train asd 08:00 -> ?",
        "1000 max 4000 peak dal-vrij 0bp | NS 1000",
    );
    // After a completed tram leg: 125 + the GVB deposit 400; maximum 1000 + 400.
    check(
        "anonymous",
        "2024-03-05: GVB tram asd 10:00 -> dam 10:05; GVB tram dam 10:15 -> ?",
        "525 max 1400 off-peak - 0bp | GVB 125, GVB 400",
    );
    // FARE-10: a Sentire holder's deposit is 120.
    check(
        "personal with sentire",
        "2024-03-05: GVB bus asd 10:00 -> ?",
        "120 max 1120 off-peak sentire 0bp | GVB 120",
    );
    // OVpay: the operator's boarding fee; under four: nothing.
    check(
        "ovpay",
        "2024-03-05: NS train asd 10:00 -> ?",
        "2000 max 5000 off-peak - 0bp | NS 2000",
    );
    check(
        "personal born 2021-01-01",
        "2024-03-05: GVB tram asd 10:00 -> ?",
        "0 max 1000 off-peak - 10000bp | GVB 0",
    );
}

// ---------------------------------------------------------------------------------------------
// Broken input is an error that says what and where.

#[test]
fn errors_say_what_and_where() {
    let error = price(
        "personal with no-such-product",
        "2024-03-05: NS train asd 10:00 -> ut 10:30",
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "product `no-such-product` on the card is not in the rule set's products"
    );
    let error = price(
        "anonymous",
        "2024-03-05: GVB tram asd 10:00 -> dam 10:05; NS train asd 10:10 -> ut 10:40",
    )
    .unwrap_err();
    assert!(
        matches!(error, FareError::ClassMismatch { leg: 1, .. }),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "leg 1 (NS train): the mode is not of the journey's class BusTramMetro"
    );
    let error = price("anonymous", "2024-03-05: GVB train asd 10:00 -> ut 10:30").unwrap_err();
    assert_eq!(
        error.to_string(),
        "leg 0: operator `GVB` runs no train service in the rule set"
    );
    let rules = &*RULES;
    let mut empty = journey(rules, "2024-03-05: NS train asd 10:00 -> ut 10:30");
    empty.legs.clear();
    let ctx = FareContext {
        means: PaymentMeans::Ovpay,
        birth_date: None,
        products: &[],
    };
    assert_eq!(journey_fare(rules, &empty, &ctx), Err(FareError::NoLegs));
    let mut old = journey(rules, "2005-06-01: GVB tram asd 10:00 -> dam 10:05");
    assert_eq!(
        journey_fare(rules, &old, &ctx),
        Err(FareError::NoBaseFare { year: 2005 })
    );
    old.legs[0].check_out = None;
    assert!(matches!(
        journey_fare(rules, &old, &ctx),
        Err(FareError::CompletedWithoutCheckOut { leg: 0, .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Property: FARE-11 and GBO-02 for random journeys over the network.

/// One generated leg: indices into the served (station, operator, mode) list of its class.
#[derive(Debug, Clone)]
struct LegSeed {
    service: usize,
    to: usize,
    status: u8,
    gap_min: u32,
    ride_min: u32,
}

fn leg_seed() -> impl Strategy<Value = LegSeed> {
    (
        any::<usize>(),
        any::<usize>(),
        0_u8..8,
        0_u32..40,
        0_u32..120,
    )
        .prop_map(|(service, to, status, gap_min, ride_min)| LegSeed {
            service,
            to,
            status,
            gap_min,
            ride_min,
        })
}

/// Every (station, operator, mode) the network serves in `class`.
fn served(rules: &RuleSet, class: TransportClass) -> Vec<(String, String, Mode)> {
    let mut out = Vec::new();
    for s in &rules.network.stations {
        for by in &s.served_by {
            if by.mode.class() == class {
                out.push((s.id.to_string(), by.operator.to_string(), by.mode));
            }
        }
    }
    out
}

fn random_journey(
    rules: &RuleSet,
    rail: bool,
    setting: u8,
    start_s: i64,
    seeds: &[LegSeed],
) -> Journey {
    let class = if rail {
        TransportClass::Rail
    } else {
        TransportClass::BusTramMetro
    };
    let served = served(rules, class);
    let mut now = Timestamp::from_second(start_s).unwrap();
    let mut legs = Vec::new();
    for (n, seed) in seeds.iter().enumerate() {
        let (from, operator, mode) = &served[seed.service % served.len()];
        let stops: Vec<&String> = served
            .iter()
            .filter(|(_, o, m)| o == operator && m == mode)
            .map(|(s, _, _)| s)
            .collect();
        let to = stops[seed.to % stops.len()];
        now = now
            .checked_add(jiff::SignedDuration::from_mins(i64::from(seed.gap_min)))
            .unwrap();
        let check_in = stop(2 * n, now, from);
        now = now
            .checked_add(jiff::SignedDuration::from_mins(i64::from(seed.ride_min)))
            .unwrap();
        let (status, check_out) = match seed.status {
            0 => (LegStatus::MissingCheckOut, None),
            1 => (LegStatus::Cancelled, Some(stop(2 * n + 1, now, from))),
            2 => (LegStatus::StationVisit, Some(stop(2 * n + 1, now, from))),
            _ => (LegStatus::Completed, Some(stop(2 * n + 1, now, to))),
        };
        legs.push(Leg {
            operator: operator.as_str().into(),
            mode: *mode,
            check_in,
            check_out,
            status,
        });
    }
    Journey {
        class,
        travel_day: TravelDay(jiff::civil::date(2024, 1, 1)),
        setting: match setting % 3 {
            0 => SpecialSetting::None,
            1 => SpecialSetting::FirstClass,
            _ => SpecialSetting::GroupDiscount,
        },
        legs,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn fares_are_within_bounds_and_shares_add_up(
        rail in any::<bool>(),
        setting in any::<u8>(),
        // 2022-01-01 .. 2026-12-31, so that DST nights, holidays and year ends occur.
        start_s in 1_640_995_200_i64..1_798_675_200,
        seeds in prop::collection::vec(leg_seed(), 1..6),
        kind in 0_u8..4,
        product_mask in any::<u16>(),
        birth_year in 1930_i16..2026,
    ) {
        let rules = &*RULES;
        let journey = random_journey(rules, rail, setting, start_s, &seeds);
        let products: Vec<ProductSlot> = rules
            .products
            .iter()
            .enumerate()
            .filter(|(i, _)| product_mask & (1 << i) != 0)
            .map(|(_, p)| ProductSlot {
                code: p.code.clone(),
                valid_from: date(2022, 1, 1),
                valid_until: date(2026, 12, 31),
                route: None,
            })
            .collect();
        let means = match kind {
            0 => PaymentMeans::Ovpay,
            1 => PaymentMeans::OvChipkaart { kind: CardKind::Anonymous },
            2 => PaymentMeans::OvChipkaart { kind: CardKind::Disposable },
            _ => PaymentMeans::OvChipkaart { kind: CardKind::Personal },
        };
        let ctx = FareContext {
            means,
            birth_date: Some(date(birth_year, 6, 15)),
            products: &products,
        };
        let fare = journey_fare(rules, &journey, &ctx)
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert!(fare.total.get() >= 0, "{fare:?}");
        prop_assert!(fare.total <= fare.maximum, "{fare:?}");
        prop_assert_eq!(fare.legs.len(), journey.legs.len());
        let shares: i64 = fare.legs.iter().map(|l| l.fare.get()).sum();
        prop_assert_eq!(shares, fare.total.get(), "{:?}", fare);
        for (leg, share) in journey.legs.iter().zip(&fare.legs) {
            prop_assert_eq!(&leg.operator, &share.operator);
            prop_assert!(share.fare.get() >= 0);
            if matches!(leg.status, LegStatus::Cancelled | LegStatus::StationVisit) {
                prop_assert_eq!(share.fare.get(), 0);
            }
        }
    }
}
