"""The DuckDB peer: per-operator, per-travel-day totals of a full-fare tap stream, computed
with SQL the way a data engineer would, without ovcert's back office.

    duckdb_peer.py TAPS.csv TABLES_DIR OUT.csv      (OUT.csv `-`: standard output)

TAPS.csv is a CSV tap stream (`ovcert gen --cards full-fare --format csv`); TABLES_DIR holds
the rule set's tariff tables (`ovcert rule-tables --out DIR`, documented in
reference/src/rules/tables.rs); OUT.csv gets `travel_day,operator,total_cents` for every
operator and travel day, the same table `ovcert replay` writes as `totals.csv`.

The subset the peer prices exactly (and checks where it can):

- OV-chipkaart taps only (`card_type` = `ov-chipkaart`; a bank-card tap is an error), all
  anonymous cards without products: no `#card` profile lines (the calling script checks),
  so every journey is at full fare — no products, age discounts, special settings, OVpay.
- Everything else of the generated stream: rail and bus/tram/metro, duplicates (one row per
  tap id), late uploads (the stream is sorted by tap time here), refused taps and the
  readers' missing-check-out records (ignored, as the back office does), check-outs that
  match no check-in, the DST night.
- The travel day ends at the rule set's local wall-clock time (`wall-clock` boundary only).

Rules, with the IDs of RULES.md:
- Legs (JRN-04/05/07, EMV-07): a check-in opens a leg and closes an open one as a missing
  check-out; the first later check-out before the next check-in with the same operator and
  transport class on the same travel day closes it. At the check-in station a rail leg is
  cancelled within the cancel window, a free visit at a gated station within the visit
  window.
- Journeys (JRN-01/02/03, EMV-07): per card and transport class in check-in order, a
  completed or missing leg continues the journey of the class's previous leg when that leg
  was completed, the check-in is within the transfer window after its check-out, at the same
  station for rail, not between a rail pair that starts anew, on the same travel day and at
  most the six-hour span after the journey's first check-in.
- Fares (FARE-01/02/04, JRN-05/06/07, FARE-11): bus/tram/metro: one base fare of the
  check-in year plus per completed leg its fixed route fare above the base fare, or metres ×
  the first line's or the service's km rate rounded half up; between the first leg's
  service's minimum and maximum. Rail: the base plus the degressive bands over the
  completed legs' metres (each band rounded half up), between the first leg's minimum and
  the rail maximum. A missing check-out costs its service's boarding fee.
- Shares (GBO-02): the fare split over the completed legs by weight (rail: metres;
  bus/tram/metro: the leg's price, the base fare on the first), whole cents by largest
  remainder, ties to the earlier leg; all weights 0: all to the first.
"""

import csv
import sys
import time

import duckdb

TAP_COLUMNS = {
    "tap_id": "VARCHAR",
    "at": "VARCHAR",
    "operator": "VARCHAR",
    "mode": "VARCHAR",
    "station": "VARCHAR",
    "device": "BIGINT",
    "device_kind": "VARCHAR",
    "vehicle": "VARCHAR",
    "card_type": "VARCHAR",
    "card": "VARCHAR",
    "pan_sequence": "VARCHAR",
    "expiry": "VARCHAR",
    "kind": "VARCHAR",
    "charged_cents": "BIGINT",
    "balance_after_cents": "BIGINT",
}


def parameters(tables):
    with open(f"{tables}/parameters.csv", newline="") as f:
        return {row["name"]: row["value"] for row in csv.DictReader(f)}


def load(con, taps, tables):
    for name in [
        "services",
        "base_fares",
        "route_fares",
        "line_stops",
        "rail_bands",
        "rail_new_journey_pairs",
        "stations",
        "distances",
    ]:
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{tables}/{name}.csv', header = true)"
        )
    columns = ", ".join(f"'{k}': '{v}'" for k, v in TAP_COLUMNS.items())
    # Line 1 (the stream header) and the `#card` lines are comments; line 2 names the columns.
    con.execute(
        f"""
        CREATE TABLE raw AS SELECT * FROM read_csv('{taps}', header = true, comment = '#',
            columns = {{{columns}}}, auto_detect = false, quote = '', escape = '')
        """
    )


# The whole computation; {name} are parameters from parameters.csv.
PEER_SQL = """
CREATE TABLE taps AS
WITH distinct_taps AS (
    -- GBO-04: a tap uploaded twice counts once.
    SELECT DISTINCT ON (tap_id) * FROM raw
), timed AS (
    SELECT
        card, tap_id, kind, operator, mode, station,
        epoch(CAST("at" AS TIMESTAMPTZ))::BIGINT AS t,
        -- The local wall-clock time is the text before the offset.
        CAST(substr("at", 1, 19) AS TIMESTAMP) AS local_at
    FROM distinct_taps
)
SELECT
    timed.*,
    -- EMV-07 (wall-clock): the travel day ends at {travel_day_end_s} s after local midnight.
    CAST(local_at - to_seconds({travel_day_end_s}) AS DATE) AS travel_day,
    s.class
FROM timed JOIN services s USING (operator, mode);

CREATE TABLE days AS SELECT DISTINCT travel_day FROM taps;

CREATE TABLE legs AS
WITH reader_taps AS (
    -- Refused taps and the readers' missing-check-out records are no travel.
    SELECT * FROM taps WHERE kind IN ('check-in', 'check-out')
), numbered AS (
    SELECT *,
        count(*) FILTER (WHERE kind = 'check-in')
            OVER (PARTITION BY card ORDER BY t, tap_id ROWS UNBOUNDED PRECEDING) AS leg_no
    FROM reader_taps
), check_ins AS (
    SELECT * FROM numbered WHERE kind = 'check-in'
), check_outs AS (
    -- TAP-04 / JRN-07: the first matching check-out before the next check-in, same day.
    SELECT i.card, i.leg_no,
        arg_min(o.t, (o.t, o.tap_id)) AS out_t,
        arg_min(o.station, (o.t, o.tap_id)) AS out_station
    FROM check_ins i JOIN numbered o
      ON o.card = i.card AND o.leg_no = i.leg_no AND o.kind = 'check-out'
     AND o.operator = i.operator AND o.class = i.class AND o.travel_day = i.travel_day
    GROUP BY i.card, i.leg_no
)
SELECT
    i.card, i.class, i.operator, i.mode, i.tap_id AS in_tap, i.t AS in_t,
    i.station AS in_station, i.travel_day, year(i.local_at) AS in_year,
    o.out_t, o.out_station,
    CASE
        WHEN o.out_t IS NULL THEN 'missing'
        WHEN i.class = 'rail' AND o.out_station = i.station
             AND o.out_t - i.t <= {cancel_window_s} THEN 'cancelled'
        WHEN i.class = 'rail' AND o.out_station = i.station AND st.gates
             AND o.out_t - i.t <= {station_visit_free_s} THEN 'visit'
        ELSE 'completed'
    END AS status
FROM check_ins i
LEFT JOIN check_outs o USING (card, leg_no)
JOIN stations st ON st.station = i.station;

CREATE TABLE chained AS
WITH ordered AS (
    SELECT *,
        lag(status) OVER w AS prev_status,
        lag(out_t) OVER w AS prev_out_t,
        lag(out_station) OVER w AS prev_out_station,
        lag(operator) OVER w AS prev_operator,
        lag(travel_day) OVER w AS prev_day
    FROM legs
    WINDOW w AS (PARTITION BY card, class ORDER BY in_t, in_tap)
), flagged AS (
    SELECT *,
        -- The first leg of a card's class (no previous leg) starts a journey.
        NOT coalesce(
            status IN ('completed', 'missing')
            AND prev_status = 'completed'
            AND in_t - prev_out_t BETWEEN 0 AND {transfer_window_s}
            AND (class <> 'rail' OR in_station = prev_out_station)
            AND NOT (class = 'rail' AND EXISTS (
                SELECT 1 FROM rail_new_journey_pairs p
                WHERE (p.a = prev_operator AND p.b = operator)
                   OR (p.b = prev_operator AND p.a = operator)))
            AND travel_day = prev_day,
        false) AS starts
    FROM ordered
)
SELECT *,
    sum(starts::INT) OVER (PARTITION BY card, class ORDER BY in_t, in_tap
                           ROWS UNBOUNDED PRECEDING) AS chain
FROM flagged;

-- JRN-02: a chain longer than the six-hour span splits where a check-in is more than the
-- span after the first check-in of its journey, walked leg by leg, only for such chains.
CREATE TABLE journeys_of_legs AS
WITH RECURSIVE long_chains AS (
    SELECT card, class, chain FROM chained GROUP BY ALL
    HAVING max(in_t) - min(in_t) > {max_transfer_span_s}
), long_legs AS (
    SELECT c.*, row_number() OVER (PARTITION BY c.card, c.class, c.chain
                                   ORDER BY c.in_t, c.in_tap) AS k
    FROM chained c JOIN long_chains USING (card, class, chain)
), walk AS (
    SELECT card, class, chain, k, in_t AS start_t, 0 AS part FROM long_legs WHERE k = 1
    UNION ALL
    SELECT l.card, l.class, l.chain, l.k,
        CASE WHEN l.in_t - w.start_t > {max_transfer_span_s} THEN l.in_t ELSE w.start_t END,
        CASE WHEN l.in_t - w.start_t > {max_transfer_span_s} THEN w.part + 1 ELSE w.part END
    FROM walk w JOIN long_legs l
      ON l.card = w.card AND l.class = w.class AND l.chain = w.chain AND l.k = w.k + 1
)
SELECT c.*, coalesce(w.part, 0) AS part
FROM chained c
LEFT JOIN long_legs l ON l.in_tap = c.in_tap
LEFT JOIN walk w ON w.card = l.card AND w.class = l.class AND w.chain = l.chain AND w.k = l.k;

CREATE TABLE journey_legs AS
SELECT j.*,
    first_value(operator) OVER jw AS first_operator,
    first_value(mode) OVER jw AS first_mode,
    first_value(in_year) OVER jw AS journey_year,
    first_value(travel_day) OVER jw AS journey_day,
    count(*) FILTER (WHERE status = 'completed') OVER (jw ROWS UNBOUNDED PRECEDING)
        AS completed_no
FROM journeys_of_legs j
WINDOW jw AS (PARTITION BY card, class, chain, part ORDER BY in_t, in_tap);

CREATE TABLE completed AS
WITH base AS (
    -- FARE-02: the latest base-fare row at or before the year of the first check-in.
    SELECT y.journey_year, arg_max(b.normal_cents, b.year) AS base_cents
    FROM (SELECT DISTINCT journey_year FROM journey_legs) y
    JOIN base_fares b ON b.year <= y.journey_year
    GROUP BY y.journey_year
), first_line AS (
    -- FARE-01: the first line of the operator in this mode with both stops.
    SELECT a.operator, a.mode, a.stop AS from_stop, z.stop AS to_stop,
        arg_min(a.km_rate_cents, a.line) AS km_rate_cents
    FROM line_stops a JOIN line_stops z ON a.line = z.line
    GROUP BY ALL
)
SELECT l.card, l.class, l.chain, l.part, l.in_tap, l.in_t, l.operator, l.completed_no,
    d.metres,
    CASE
        WHEN l.class = 'rail' THEN d.metres
        ELSE CASE WHEN r.fare_cents IS NOT NULL
                  THEN greatest(r.fare_cents - base.base_cents, 0)
                  ELSE (d.metres * coalesce(fl.km_rate_cents, s.km_rate_cents) + 500) // 1000
             END + CASE WHEN l.completed_no = 1 THEN base.base_cents ELSE 0 END
    END AS weight,
    base.base_cents
FROM journey_legs l
JOIN services s USING (operator, mode)
JOIN base USING (journey_year)
LEFT JOIN distances d
  ON d.class = l.class AND d."from" = l.in_station AND d."to" = l.out_station
LEFT JOIN route_fares r
  ON r.operator = l.operator AND r.mode = l.mode
 AND r."from" = l.in_station AND r."to" = l.out_station
LEFT JOIN first_line fl
  ON fl.operator = l.operator AND fl.mode = l.mode
 AND fl.from_stop = l.in_station AND fl.to_stop = l.out_station
WHERE l.status = 'completed';

CREATE TABLE journey_fares AS
WITH sums AS (
    SELECT card, class, chain, part, sum(weight) AS weight_sum, sum(metres) AS metres
    FROM completed GROUP BY ALL
), rail_km AS (
    -- FARE-04: each band's metres at its rate, rounded half up.
    SELECT s.card, s.class, s.chain, s.part,
        sum((greatest(least(s.metres, coalesce(b.to_m, s.metres)) - b.from_m, 0)
             * b.cents_per_km + 500) // 1000) AS band_cents
    FROM sums s, rail_bands b WHERE s.class = 'rail'
    GROUP BY ALL
), firsts AS (
    SELECT DISTINCT card, class, chain, part, first_operator, first_mode FROM journey_legs
)
SELECT s.card, s.class, s.chain, s.part, s.weight_sum,
    greatest(least(greatest(
        CASE WHEN s.class = 'rail' THEN {rail_base_cents} + rk.band_cents ELSE s.weight_sum END,
        fs.min_fare_cents),
        CASE WHEN s.class = 'rail' THEN {rail_max_fare_cents} ELSE fs.max_fare_cents END), 0)
        AS fare_cents
FROM sums s
JOIN firsts f USING (card, class, chain, part)
JOIN services fs ON fs.operator = f.first_operator AND fs.mode = f.first_mode
LEFT JOIN rail_km rk USING (card, class, chain, part);

CREATE TABLE shares AS
WITH parts AS (
    SELECT c.card, c.class, c.chain, c.part, c.in_tap, c.operator, c.completed_no,
        j.fare_cents, j.weight_sum,
        CASE WHEN j.weight_sum = 0
             THEN CASE WHEN c.completed_no = 1 THEN j.fare_cents ELSE 0 END
             ELSE (j.fare_cents * c.weight) // j.weight_sum END AS floor_cents,
        CASE WHEN j.weight_sum = 0 THEN 0
             ELSE (j.fare_cents * c.weight) % j.weight_sum END AS remainder
    FROM completed c JOIN journey_fares j USING (card, class, chain, part)
), ranked AS (
    SELECT *,
        fare_cents - sum(floor_cents) OVER jw AS left_over,
        row_number() OVER (PARTITION BY card, class, chain, part
                           ORDER BY remainder DESC, completed_no) AS remainder_rank
    FROM parts
    WINDOW jw AS (PARTITION BY card, class, chain, part)
)
SELECT in_tap, operator,
    floor_cents + CASE WHEN remainder_rank <= left_over THEN 1 ELSE 0 END AS share_cents
FROM ranked;

CREATE TABLE leg_fares AS
SELECT l.journey_day AS travel_day, l.operator,
    CASE
        WHEN l.status = 'missing' THEN s.boarding_fee_cents
        WHEN l.status = 'completed' THEN sh.share_cents
        ELSE 0
    END AS fare_cents
FROM journey_legs l
JOIN services s USING (operator, mode)
LEFT JOIN shares sh USING (in_tap);

CREATE TABLE totals AS
SELECT d.travel_day, o.operator, coalesce(sum(f.fare_cents), 0)::BIGINT AS total_cents
FROM days d
CROSS JOIN (SELECT DISTINCT operator FROM services) o
LEFT JOIN leg_fares f ON f.travel_day = d.travel_day AND f.operator = o.operator
GROUP BY ALL
ORDER BY d.travel_day, o.operator;
"""


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: duckdb_peer.py TAPS.csv TABLES_DIR OUT.csv")
    taps, tables, out = sys.argv[1:]
    started = time.monotonic()
    params = parameters(tables)
    if params["travel_day_boundary"] != "wall-clock":
        sys.exit(
            f"the peer knows the wall-clock travel day only, not {params['travel_day_boundary']}"
        )
    con = duckdb.connect()
    load(con, taps, tables)
    bank = con.execute("SELECT count(*) FROM raw WHERE card_type <> 'ov-chipkaart'").fetchone()[0]
    if bank:
        sys.exit(f"{bank} taps are not OV-chipkaart taps: not a full-fare stream (gen --cards full-fare)")
    for statement in PEER_SQL.format(**params).split(";"):
        if statement.strip():
            con.execute(statement)
    rows = con.execute("SELECT travel_day, operator, total_cents FROM totals").fetchall()
    with open(out, "w", newline="") if out != "-" else sys.stdout as f:
        f.write("travel_day,operator,total_cents\n")
        for day, operator, total in rows:
            f.write(f"{day.isoformat()},{operator},{total}\n")
    taps_read = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    elapsed = time.monotonic() - started
    print(
        f"peer: {taps_read} taps in {elapsed:.2f} s: {taps_read / elapsed:.0f} taps/s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
