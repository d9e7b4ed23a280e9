//! The full-fare tariff of a rule set as flat CSV tables, for a SQL engine that prices the
//! same taps without ovcert (`ovcert rule-tables`, read by `bench/duckdb_peer.py`).
//!
//! The peer must not carry fares of its own that could drift from the rule set, so every
//! figure it uses comes from here: services (boarding fee, km rate, caps), the base fare by
//! year, fixed route fares, line rates, the degressive rail bands, the journey windows, the
//! travel-day end and the station distances. Distances are the one derived table: the
//! shortest path in metres per transport class ([`RuleSet::distance_in_class_m`]) for every
//! pair of stations, since a graph search is not what the comparison is about. Everything a
//! card's products, age or OVpay would change is left out: the tables describe an anonymous
//! OV-chipkaart without products (`synth::CardMix::FullFare`).
//!
//! Tables (header line first, `,`-separated, no quoting needed: ids are letters, digits, `-`):
//!
//! | file | columns |
//! |---|---|
//! | `parameters.csv` | `name,value`: `transfer_window_s`, `max_transfer_span_s`, `cancel_window_s`, `station_visit_free_s` (JRN-01/02/04/05), `rail_base_cents`, `rail_max_fare_cents` (FARE-04), `travel_day_end_s` (seconds after local midnight, EMV-07), `travel_day_boundary` |
//! | `services.csv` | `operator,mode,class,boarding_fee_cents,km_rate_cents,max_fare_cents,min_fare_cents` (TAP-01 for an anonymous card, FARE-01, JRN-05; no minimum = 0) |
//! | `base_fares.csv` | `year,normal_cents` (FARE-02; the latest row at or before a year applies) |
//! | `route_fares.csv` | `operator,mode,from,to,fare_cents` (FARE-01, directional) |
//! | `line_stops.csv` | `line,operator,mode,km_rate_cents,stop` (FARE-01; the first line, by `line`, with both stops applies) |
//! | `rail_bands.csv` | `from_m,to_m,cents_per_km` (FARE-04; `to_m` empty for the open band) |
//! | `rail_new_journey_pairs.csv` | `a,b` (JRN-03) |
//! | `stations.csv` | `station,gates` (JRN-05) |
//! | `distances.csv` | `class,from,to,metres` (FARE-01/04; `class` is `rail` or `bus-tram-metro`) |

use std::fmt::Write as _;

use crate::backoffice::fare::boarding_fee;
use crate::rules::{CardKindRule, RuleSet, TransportClass};
use crate::time::TravelDayBoundary;

/// Every table by file name, in a fixed order.
pub fn full_fare_tables(rules: &RuleSet) -> Vec<(&'static str, String)> {
    vec![
        ("parameters.csv", parameters(rules)),
        ("services.csv", services(rules)),
        ("base_fares.csv", base_fares(rules)),
        ("route_fares.csv", route_fares(rules)),
        ("line_stops.csv", line_stops(rules)),
        ("rail_bands.csv", rail_bands(rules)),
        ("rail_new_journey_pairs.csv", rail_pairs(rules)),
        ("stations.csv", stations(rules)),
        ("distances.csv", distances(rules)),
    ]
}

pub fn class_str(class: TransportClass) -> &'static str {
    match class {
        TransportClass::Rail => "rail",
        TransportClass::BusTramMetro => "bus-tram-metro",
    }
}

fn parameters(rules: &RuleSet) -> String {
    let j = &rules.journey;
    let end = rules.travel_day.end_local;
    let end_s = i32::from(end.hour()) * 3600 + i32::from(end.minute()) * 60;
    let boundary = match rules.interpretations.travel_day_boundary {
        TravelDayBoundary::WallClock => "wall-clock",
        TravelDayBoundary::ElapsedSinceMidnight => "elapsed-since-midnight",
    };
    let rows: [(&str, String); 8] = [
        (
            "transfer_window_s",
            (j.transfer_window_min * 60).to_string(),
        ),
        (
            "max_transfer_span_s",
            (j.max_transfer_span_min * 60).to_string(),
        ),
        ("cancel_window_s", (j.cancel_window_min * 60).to_string()),
        (
            "station_visit_free_s",
            (j.station_visit_free_min * 60).to_string(),
        ),
        (
            "rail_base_cents",
            rules.rail_fare.base_cents.get().to_string(),
        ),
        (
            "rail_max_fare_cents",
            rules.rail_fare.max_fare_cents.get().to_string(),
        ),
        ("travel_day_end_s", end_s.to_string()),
        ("travel_day_boundary", boundary.to_string()),
    ];
    let mut text = String::from("name,value\n");
    for (name, value) in rows {
        let _ = writeln!(text, "{name},{value}");
    }
    text
}

fn services(rules: &RuleSet) -> String {
    let mut text = String::from(
        "operator,mode,class,boarding_fee_cents,km_rate_cents,max_fare_cents,min_fare_cents\n",
    );
    // TAP-01: the deposit an anonymous card without products leaves; the fee does not depend
    // on the date for such a card.
    let any_date = rules.meta.valid_from;
    for operator in &rules.operators {
        for service in &operator.services {
            let fee = boarding_fee(
                rules,
                service,
                &operator.id,
                Some(CardKindRule::Anonymous),
                &[],
                any_date,
            );
            let _ = writeln!(
                text,
                "{},{},{},{},{},{},{}",
                operator.id,
                service.mode.as_str(),
                class_str(service.mode.class()),
                fee.get(),
                service.km_rate_cents,
                service.max_fare_cents.get(),
                service.min_fare_cents.map_or(0, |c| c.get())
            );
        }
    }
    text
}

fn base_fares(rules: &RuleSet) -> String {
    let mut text = String::from("year,normal_cents\n");
    for row in &rules.base_fares {
        let _ = writeln!(text, "{},{}", row.year, row.normal_cents.get());
    }
    text
}

fn route_fares(rules: &RuleSet) -> String {
    let mut text = String::from("operator,mode,from,to,fare_cents\n");
    for r in &rules.route_fares {
        let _ = writeln!(
            text,
            "{},{},{},{},{}",
            r.operator,
            r.mode.as_str(),
            r.from,
            r.to,
            r.fare_cents.get()
        );
    }
    text
}

fn line_stops(rules: &RuleSet) -> String {
    let mut text = String::from("line,operator,mode,km_rate_cents,stop\n");
    for (index, line) in rules.lines.iter().enumerate() {
        for stop in &line.stops {
            let _ = writeln!(
                text,
                "{index},{},{},{},{stop}",
                line.operator,
                line.mode.as_str(),
                line.km_rate_cents
            );
        }
    }
    text
}

fn rail_bands(rules: &RuleSet) -> String {
    let mut text = String::from("from_m,to_m,cents_per_km\n");
    for band in &rules.rail_fare.bands {
        let to = band.to_km.map(|km| (km * 1000).to_string());
        let _ = writeln!(
            text,
            "{},{},{}",
            band.from_km * 1000,
            to.unwrap_or_default(),
            band.cents_per_km
        );
    }
    text
}

fn rail_pairs(rules: &RuleSet) -> String {
    let mut text = String::from("a,b\n");
    for [a, b] in &rules.journey.rail_new_journey_pairs {
        let _ = writeln!(text, "{a},{b}");
    }
    text
}

fn stations(rules: &RuleSet) -> String {
    let mut text = String::from("station,gates\n");
    for s in &rules.network.stations {
        let _ = writeln!(text, "{},{}", s.id, s.gates);
    }
    text
}

fn distances(rules: &RuleSet) -> String {
    let mut text = String::from("class,from,to,metres\n");
    let stations = &rules.network.stations;
    for class in [TransportClass::Rail, TransportClass::BusTramMetro] {
        for from in stations {
            for to in stations {
                if let Some(metres) = rules.distance_in_class_m(&from.id, &to.id, class) {
                    let _ = writeln!(text, "{},{},{},{metres}", class_str(class), from.id, to.id);
                }
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables carry the rule set's figures: a changed parameter shows up in them.
    #[test]
    fn tables_follow_the_rule_set() {
        let mut rules = crate::rules::nl_2024();
        let before = full_fare_tables(&rules);
        assert_eq!(before.len(), 9);
        let parameters = &before[0].1;
        assert!(
            parameters.contains("transfer_window_s,2100\n"),
            "{parameters}"
        );
        assert!(
            parameters.contains("travel_day_end_s,11100\n"),
            "{parameters}"
        );
        assert!(before[1].1.contains("NS,train,rail,2000,21,3000,260\n"));
        assert!(before[8].1.contains("rail,asd,ut,36000\n"));
        rules.journey.transfer_window_min = 40;
        let after = full_fare_tables(&rules);
        assert!(after[0].1.contains("transfer_window_s,2400\n"));
    }
}
