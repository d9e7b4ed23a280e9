#!/usr/bin/env bash
# ovcert against its DuckDB peer on the same file: generates a full-fare weekday of N taps
# (CSV), replays it with `ovcert replay` (all reports and settlements written) and with
# `ovcert replay --totals-only` (journeys and fares, totals only: the peer's job), prices it
# with bench/duckdb-peer.sh, asserts that every operator's total of every travel day agrees
# to the cent in all three (exit 1 with the differing rows otherwise), and prints the wall
# times, throughputs, peak memory and the ratios.
#   bench/peer-compare.sh N [DIR]     DIR [default: target/peer-bench]: the data, kept
# Environment: OVCERT (the binary [default: target/release/ovcert, built when missing]),
# OVCERT_PEER_SEED [42], OVCERT_PEER_DAYS [1: one weekday, Thursday 24 October 2024],
# OVCERT_PEER_RUNS [1]: rounds of the three runs; with more than one, the figures are each
# run's median (on a virtual machine a single run can be a third slower than the next, when
# the host backs fresh memory), and every round's totals must agree.
# Other processes on the machine change the times; say so when quoting them.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: bench/peer-compare.sh N [DIR]" >&2
    exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
taps="$1"
dir="${2:-${CARGO_TARGET_DIR:-$root/target}/peer-bench}"
export OVCERT="${OVCERT:-${CARGO_TARGET_DIR:-$root/target}/release/ovcert}"
if [ ! -x "$OVCERT" ]; then
    (cd "$root" && cargo build --release --locked -p ovcert)
fi
"$here/install-duckdb.sh"
mkdir -p "$dir"
file="$dir/full-fare-$taps.csv"
rm -rf "$dir/ovcert" "$dir/ovcert-totals"
"$OVCERT" gen --seed "${OVCERT_PEER_SEED:-42}" --taps "$taps" --days "${OVCERT_PEER_DAYS:-1}" \
    --cards full-fare --format csv --out "$file"

# Wall time (s) and peak RSS (KiB) of a command, from GNU time's report.
measure() {
    local report="$1"
    shift
    /usr/bin/time -v -o "$report" "$@"
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$report" |
        awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')"
    rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$report")"
}

# The median of the numbers on standard input.
median() {
    sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

runs="${OVCERT_PEER_RUNS:-1}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
    echo "peer-compare: OVCERT_PEER_RUNS must be a whole number from 1, not '$runs'" >&2
    exit 2
fi
: >"$dir/runs.txt"
for round in $(seq "$runs"); do
    rm -rf "$dir/ovcert" "$dir/ovcert-totals" "$dir/peer-totals.csv"
    measure "$dir/ovcert.time" "$OVCERT" replay --taps "$file" --out "$dir/ovcert"
    echo "ovcert $wall $rss" >>"$dir/runs.txt"
    measure "$dir/ovcert-totals.time" "$OVCERT" replay --totals-only --taps "$file" --out "$dir/ovcert-totals"
    echo "totals $wall $rss" >>"$dir/runs.txt"
    measure "$dir/peer.time" "$here/duckdb-peer.sh" "$file" "$dir/peer-totals.csv"
    echo "peer $wall $rss" >>"$dir/runs.txt"

    if ! grep -q '"refused_late": 0' "$dir/ovcert/summary.json"; then
        echo "peer-compare: ovcert refused late taps; the peer would count them" >&2
        exit 1
    fi
    for ours in ovcert ovcert-totals; do
        if ! cmp -s "$dir/$ours/totals.csv" "$dir/peer-totals.csv"; then
            echo "peer-compare: DISAGREE in round $round — rows that differ (< $ours, > peer):" >&2
            diff "$dir/$ours/totals.csv" "$dir/peer-totals.csv" >&2 || true
            exit 1
        fi
    done
done
# Each run's median wall time and peak memory (of one round when there is one).
of() { awk -v run="$1" -v column="$2" '$1 == run { print $column }' "$dir/runs.txt" | median; }
ovcert_wall="$(of ovcert 2)" ovcert_rss="$(of ovcert 3)"
totals_wall="$(of totals 2)" totals_rss="$(of totals 3)"
peer_wall="$(of peer 2)" peer_rss="$(of peer 3)"
rows=$(($(wc -l <"$dir/ovcert/totals.csv") - 1))
sum="$(awk -F, 'NR > 1 { s += $3 } END { printf "%.2f", s / 100 }' "$dir/ovcert/totals.csv")"
echo "peer-compare: $rows operator × travel-day totals agree to the cent (EUR $sum in all), in each of $runs round(s)"
awk -v n="$taps" -v runs="$runs" -v ow="$ovcert_wall" -v orss="$ovcert_rss" -v tw="$totals_wall" \
    -v trss="$totals_rss" -v pw="$peer_wall" -v prss="$peer_rss" 'BEGIN {
    printf "%-22s %10s %12s %14s\n", "", "wall s", "taps/s", "peak RSS MiB"
    printf "%-22s %10.2f %12.0f %14.1f\n", "ovcert replay", ow, n / ow, orss / 1024
    printf "%-22s %10.2f %12.0f %14.1f\n", "ovcert --totals-only", tw, n / tw, trss / 1024
    printf "%-22s %10.2f %12.0f %14.1f\n", "duckdb peer", pw, n / pw, prss / 1024
    printf "peer wall / ovcert wall (process start to end): %.2f with all reports written, %.2f for the totals alone\n", pw / ow, pw / tw
    if (runs > 1) printf "(medians of %d rounds; every run in runs.txt: name, wall s, peak RSS KiB)\n", runs
}'
