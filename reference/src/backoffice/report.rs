//! Operator reports (GBO-03): per operator per travel day, only that operator's domain —
//! transactions (check-ins, check-outs, failed taps), trips (check-in with check-out, with the
//! operator's share of the fare) and payments — with bank cards under the operator's own token
//! (EMV-02). Deterministic JSON and CSV.

use std::collections::BTreeMap;
use std::io;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::money::Cents;
use crate::rules::{Mode, StationId};
use crate::tap::{TapId, TapKind};
use crate::time::local_text;

use super::fare::JourneyFare;
use super::journey::{Journey, Leg, LegStatus};
use super::{BackOffice, CardJourneys, CardKey, DayView, StoredTap};

/// How a card appears in an operator's report: the card number, or the operator's own token.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct CardRef(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum TransactionKind {
    CheckIn,
    CheckOut,
    /// A refused tap.
    Failed,
    /// EMV-06: a bank-card tap to settle an outstanding debt.
    SettleDebt,
    /// A check-out that matched no check-in.
    Unmatched,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TransactionLine {
    pub tap_id: TapId,
    /// Local Amsterdam time with offset.
    pub at: String,
    pub kind: TransactionKind,
    pub mode: Mode,
    pub station: StationId,
    pub device: u32,
    pub card: CardRef,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TripLine {
    pub card: CardRef,
    pub mode: Mode,
    pub check_in_tap: TapId,
    pub check_in_at: String,
    pub from: StationId,
    pub check_out_at: Option<String>,
    pub to: Option<StationId>,
    pub status: LegStatus,
    /// GBO-02: this operator's share of the journey fare.
    pub fare_cents: Cents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Means {
    OvChipkaartBalance,
    Ovpay,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentLine {
    pub card: CardRef,
    pub means: Means,
    pub amount_cents: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OperatorReport {
    pub operator: String,
    pub travel_day: String,
    pub transactions: Vec<TransactionLine>,
    pub trips: Vec<TripLine>,
    pub payments: Vec<PaymentLine>,
    pub total_cents: Cents,
}

/// Builds the report of `operator` for a closed day.
pub fn operator_report(office: &BackOffice, view: &DayView, operator: &str) -> OperatorReport {
    operator_report_with(office, view, &TapMeanings::of(view), operator)
}

/// What the back office made of each tap of a day (EMV-06 for bank cards): the same for
/// every operator, so a caller making all reports of a day computes it once.
/// It also indexes the day's taps by operator, so each report reads its own taps only.
#[derive(Debug, Default)]
pub struct TapMeanings<'v> {
    /// Per operator, its taps in the day's processing order, each with what the day's
    /// journeys made of it (none: no leg's stop; [`each_tap_meaning`]).
    /// Fx-hashed, as the names are looked up once per tap and leg.
    taps_by_operator: FxHashMap<&'v str, Vec<(&'v StoredTap, Option<TransactionKind>)>>,
    /// Per operator, its priced legs in card and journey order.
    legs_by_operator: FxHashMap<&'v str, Vec<OwnLeg<'v>>>,
}

/// A priced leg with its card and the operator's share of the journey fare (GBO-02).
#[derive(Debug, Clone, Copy)]
struct OwnLeg<'v> {
    card: &'v CardKey,
    leg: &'v Leg,
    fare: Cents,
}

impl<'v> TapMeanings<'v> {
    /// Each tap's meaning looked up by its id.
    pub fn of(view: &'v DayView) -> TapMeanings<'v> {
        // Keyed with the Fx hash: a national day has millions of tap ids, and SipHash over
        // them was a tenth of a replay.
        let mut by_id = FxHashMap::default();
        by_id.reserve(view.taps.len());
        for card in &view.cards {
            each_tap_meaning(card, |id, kind| {
                by_id.insert(id, kind);
            });
        }
        let meanings = view
            .taps
            .iter()
            .map(|t| by_id.get(&t.tap_id).copied())
            .collect();
        TapMeanings::in_day_order(view, meanings)
    }

    /// With each tap's meaning found already, in the order of `view.taps`: the streaming
    /// replay finds them card by card while it gathers the day
    /// ([`super::streaming::day_view`]), which spares a national day a lookup by id per tap.
    pub fn in_day_order(
        view: &'v DayView,
        meanings: Vec<Option<TransactionKind>>,
    ) -> TapMeanings<'v> {
        assert_eq!(meanings.len(), view.taps.len(), "one meaning per tap");
        let mut taps_by_operator: FxHashMap<&str, Vec<_>> = FxHashMap::default();
        for (tap, meaning) in view.taps.iter().zip(meanings) {
            taps_by_operator
                .entry(tap.reader.operator.as_str())
                .or_default()
                .push((tap, meaning));
        }
        let mut legs_by_operator: FxHashMap<&str, Vec<OwnLeg>> = FxHashMap::default();
        for card in &view.cards {
            for priced in &card.priced {
                for (leg, share) in priced.journey.legs.iter().zip(&priced.fare.legs) {
                    legs_by_operator
                        .entry(leg.operator.as_str())
                        .or_default()
                        .push(OwnLeg {
                            card: &card.card,
                            leg,
                            fare: share.fare,
                        });
                }
            }
        }
        TapMeanings {
            taps_by_operator,
            legs_by_operator,
        }
    }
}

/// What a card's journeys make of its taps, tap id by tap id, in an order where a later
/// meaning of the same tap replaces an earlier one: check-ins and check-outs of the priced
/// journeys' legs and of the open legs, then (EMV-06) the taps that settled a debt.
pub fn each_tap_meaning<'c>(
    card: &'c CardJourneys,
    mut meant: impl FnMut(&'c TapId, TransactionKind),
) {
    // The day's journeys are those priced (a journey never crosses a travel day's end,
    // EMV-07, so no tap of the day is in another day's journey).
    for journey in card
        .priced
        .iter()
        .map(|p| &p.journey.legs)
        .chain(std::iter::once(&card.built.open))
    {
        for leg in journey {
            meant(&leg.check_in.tap_id, TransactionKind::CheckIn);
            if let Some(out) = &leg.check_out {
                meant(&out.tap_id, TransactionKind::CheckOut);
            }
        }
    }
    for id in &card.settle_debt {
        meant(id, TransactionKind::SettleDebt);
    }
}

/// [`operator_report`] with the day's tap meanings computed beforehand.
pub fn operator_report_with(
    office: &BackOffice,
    view: &DayView,
    meanings: &TapMeanings<'_>,
    operator: &str,
) -> OperatorReport {
    let card_ref = |card: &CardKey| match card {
        CardKey::OvChipkaart(number) => CardRef(number.to_string()),
        CardKey::Ovpay(token) => CardRef(office.operator_token(token, operator).to_string()),
    };
    let own_taps = meanings
        .taps_by_operator
        .get(operator)
        .map_or(&[][..], Vec::as_slice);
    let transactions = own_taps
        .iter()
        .map(|&(t, meaning)| TransactionLine {
            tap_id: t.tap_id.clone(),
            at: local_text(t.at),
            kind: match t.kind {
                TapKind::Refused => TransactionKind::Failed,
                _ => meaning.unwrap_or(match t.kind {
                    TapKind::CheckIn => TransactionKind::CheckIn,
                    _ => TransactionKind::Unmatched,
                }),
            },
            mode: t.reader.mode,
            station: t.reader.station.clone(),
            device: t.reader.device,
            card: card_ref(&t.card),
        })
        .collect();
    let own_legs = meanings
        .legs_by_operator
        .get(operator)
        .map_or(&[][..], Vec::as_slice);
    let mut trips = Vec::with_capacity(own_legs.len());
    // A card's legs are together (the day's cards in order), so each card's payment is added
    // up here and the payments sorted once.
    let mut payments: Vec<PaymentLine> = Vec::new();
    let mut paying: Option<(&CardKey, Cents)> = None;
    let mut pay = |(card, amount): (&CardKey, Cents)| {
        payments.push(PaymentLine {
            card: card_ref(card),
            means: match card {
                CardKey::OvChipkaart(_) => Means::OvChipkaartBalance,
                CardKey::Ovpay(_) => Means::Ovpay,
            },
            amount_cents: amount,
        })
    };
    for &OwnLeg { card, leg, fare } in own_legs {
        trips.push(TripLine {
            card: card_ref(card),
            mode: leg.mode,
            check_in_tap: leg.check_in.tap_id.clone(),
            check_in_at: local_text(leg.check_in.at),
            from: leg.check_in.station.clone(),
            check_out_at: leg.check_out.as_ref().map(|s| local_text(s.at)),
            to: leg.check_out.as_ref().map(|s| s.station.clone()),
            status: leg.status,
            fare_cents: fare,
        });
        paying = match paying {
            Some((paying_card, due)) if paying_card == card => Some((
                card,
                due.checked_add(fare).expect("a day's fares fit in i64"),
            )),
            other => {
                if let Some(done) = other {
                    pay(done);
                }
                Some((card, fare))
            }
        };
    }
    if let Some(done) = paying {
        pay(done);
    }
    // Unstable sorts: lines with equal keys are merged below, and trips' keys are unique (a
    // tap checks in one leg at most); moving lines in place spares a national day's reports
    // copying their largest lists through a buffer.
    payments.sort_unstable_by(|a, b| (&a.card, a.means).cmp(&(&b.card, b.means)));
    // Two cards under one reference (never expected) would be one payment line.
    payments.dedup_by(|later, earlier| {
        let same = (&later.card, later.means) == (&earlier.card, earlier.means);
        if same {
            earlier.amount_cents = earlier
                .amount_cents
                .checked_add(later.amount_cents)
                .expect("a day's fares fit in i64");
        }
        same
    });
    fn trip_order(trip: &TripLine) -> (&String, &TapId) {
        (&trip.check_in_at, &trip.check_in_tap)
    }
    trips.sort_unstable_by(|a, b| trip_order(a).cmp(&trip_order(b)));
    debug_assert!(
        trips
            .windows(2)
            .all(|w| trip_order(&w[0]) != trip_order(&w[1])),
        "two trips checked in with one tap"
    );
    let total_cents = trips.iter().fold(Cents::ZERO, |sum, t| {
        sum.checked_add(t.fare_cents).expect("fits")
    });
    OperatorReport {
        operator: operator.to_string(),
        travel_day: view.day.0.to_string(),
        transactions,
        trips,
        payments,
        total_cents,
    }
}

/// Every operator's report total of the day (GBO-03), without the reports: the sum of its
/// legs' shares, exactly what [`OperatorReport::total_cents`] sums (a test checks it).
/// Operators without legs are absent.
pub fn operator_totals(view: &DayView) -> BTreeMap<&str, Cents> {
    let mut totals: BTreeMap<&str, Cents> = BTreeMap::new();
    for card in &view.cards {
        add_operator_shares(card, |operator, fare| {
            let total = totals.entry(operator).or_default();
            *total = total.checked_add(fare).expect("a day's fares fit in i64");
        });
    }
    totals
}

/// Each leg's operator and fare share of a card's priced journeys: what
/// [`operator_totals`] adds up (also one card at a time, `ovcert replay --totals-only`).
pub fn add_operator_shares<'c>(card: &'c CardJourneys, mut add: impl FnMut(&'c str, Cents)) {
    for priced in &card.priced {
        add_journey_shares(&priced.journey, &priced.fare, &mut add);
    }
}

/// Each leg's operator and fare share of one priced journey.
pub fn add_journey_shares<'j>(
    journey: &'j Journey,
    fare: &JourneyFare,
    mut add: impl FnMut(&'j str, Cents),
) {
    for (leg, share) in journey.legs.iter().zip(&fare.legs) {
        add(leg.operator.as_str(), share.fare);
    }
}

/// An operator report's CSV tables, each its own file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CsvTable {
    Transactions,
    Trips,
    Payments,
}

impl CsvTable {
    pub const ALL: [CsvTable; 3] = [CsvTable::Transactions, CsvTable::Trips, CsvTable::Payments];

    pub fn file_name(self) -> &'static str {
        match self {
            CsvTable::Transactions => "transactions.csv",
            CsvTable::Trips => "trips.csv",
            CsvTable::Payments => "payments.csv",
        }
    }
}

/// One file of an operator's report of a day (`OP/report.json`, `OP/transactions.csv`, …):
/// the one place that names them, for the in-memory back office
/// ([`super::simulate::DayOutcome::files`]) and the streaming replay alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFile {
    Json,
    Csv(CsvTable),
}

impl ReportFile {
    pub const ALL: [ReportFile; 4] = [
        ReportFile::Json,
        ReportFile::Csv(CsvTable::Transactions),
        ReportFile::Csv(CsvTable::Trips),
        ReportFile::Csv(CsvTable::Payments),
    ];

    /// The file's path under the day's directory.
    pub fn path(self, operator: &str) -> String {
        match self {
            ReportFile::Json => format!("{operator}/report.json"),
            ReportFile::Csv(table) => format!("{operator}/{}", table.file_name()),
        }
    }

    /// Renders the file into `out` as it goes.
    pub fn write(self, report: &OperatorReport, out: impl io::Write) -> io::Result<()> {
        match self {
            ReportFile::Json => report.write_json(out),
            ReportFile::Csv(table) => report.write_csv(table, out),
        }
    }
}

impl OperatorReport {
    /// Deterministic JSON: declared field order, two-space indent, trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = Vec::new();
        self.write_json(&mut text)
            .expect("plain data serialises into memory");
        String::from_utf8(text).expect("serde_json writes UTF-8")
    }

    /// [`Self::to_json`] written to `out` as it is rendered: a national day's report is
    /// larger than a gigabyte, so it is never held as one text.
    pub fn write_json(&self, mut out: impl io::Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut out, self)?;
        out.write_all(b"\n")
    }

    /// The three CSV tables.
    pub fn to_csv(&self) -> BTreeMap<CsvTable, String> {
        CsvTable::ALL
            .into_iter()
            .map(|table| {
                let mut text = Vec::new();
                self.write_csv(table, &mut text)
                    .expect("plain data renders into memory");
                let text = String::from_utf8(text).expect("CSV lines are UTF-8");
                (table, text)
            })
            .collect()
    }

    /// One CSV table written to `out` line by line (see [`Self::write_json`]).
    pub fn write_csv(&self, table: CsvTable, mut out: impl io::Write) -> io::Result<()> {
        match table {
            CsvTable::Transactions => {
                out.write_all(b"tap_id,at,kind,mode,station,device,card\n")?;
                for t in &self.transactions {
                    writeln!(
                        out,
                        "{},{},{},{},{},{},{}",
                        t.tap_id.0,
                        t.at,
                        kebab(&t.kind),
                        t.mode.as_str(),
                        t.station,
                        t.device,
                        t.card.0
                    )?;
                }
            }
            CsvTable::Trips => {
                out.write_all(
                    b"card,mode,check_in_tap,check_in_at,from,check_out_at,to,status,fare_cents\n",
                )?;
                for t in &self.trips {
                    writeln!(
                        out,
                        "{},{},{},{},{},{},{},{},{}",
                        t.card.0,
                        t.mode.as_str(),
                        t.check_in_tap.0,
                        t.check_in_at,
                        t.from,
                        t.check_out_at.as_deref().unwrap_or(""),
                        t.to.as_deref().unwrap_or(""),
                        kebab(&t.status),
                        t.fare_cents.get()
                    )?;
                }
            }
            CsvTable::Payments => {
                out.write_all(b"card,means,amount_cents\n")?;
                for p in &self.payments {
                    writeln!(
                        out,
                        "{},{},{}",
                        p.card.0,
                        kebab(&p.means),
                        p.amount_cents.get()
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// Serde's kebab-case name of a unit enum value.
fn kebab<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
