#!/usr/bin/env bash
# The DuckDB peer: per-operator, per-travel-day totals of a full-fare CSV tap stream
# (`ovcert gen --cards full-fare --format csv`), computed with SQL instead of ovcert
# (bench/duckdb_peer.py says what it computes and for which subset).
#   bench/duckdb-peer.sh FILE [OUT.csv]     OUT.csv [default: stdout]: travel_day,operator,total_cents
# The tariff comes from the rule set through `ovcert rule-tables` (OVCERT: the binary
# [default: target/release/ovcert]; OVCERT_RULES: a rule-set file [default: nl-2024]), so the
# SQL holds no fare of its own. Installs duckdb into a virtual environment when missing
# (bench/install-duckdb.sh); the timing line goes to stderr.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: bench/duckdb-peer.sh FILE [OUT.csv]" >&2
    exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
ovcert="${OVCERT:-${CARGO_TARGET_DIR:-$root/target}/release/ovcert}"
file="$1"
out="${2:--}"
if [ ! -x "$ovcert" ]; then
    echo "duckdb-peer: no ovcert binary at $ovcert (cargo build --release -p ovcert, or set OVCERT)" >&2
    exit 2
fi
if grep -q -m1 '^#card,' "$file"; then
    echo "duckdb-peer: $file has card profiles: not a full-fare stream (gen --cards full-fare)" >&2
    exit 2
fi
"$here/install-duckdb.sh" >&2
python="${OVCERT_DUCKDB_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/ovcert/duckdb-venv}/bin/python"
tables="$(mktemp -d)"
trap 'rm -rf "$tables"' EXIT
"$ovcert" rule-tables --out "$tables" ${OVCERT_RULES:+--rules "$OVCERT_RULES"}
"$python" "$here/duckdb_peer.py" "$file" "$tables" "$out"
