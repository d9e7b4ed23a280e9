#!/usr/bin/env bash
# Installs the DuckDB peer's one dependency, Python duckdb from PyPI, into a virtual
# environment of its own (never into the system's Python), for bench/duckdb-peer.sh and
# harness/tests/peer.rs. Does nothing when duckdb is already importable there.
#   OVCERT_DUCKDB_VENV   where the environment lives [default: ~/.cache/ovcert/duckdb-venv]
set -euo pipefail

DUCKDB_VERSION=2.0.0
venv="${OVCERT_DUCKDB_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/ovcert/duckdb-venv}"
python="$venv/bin/python"

if [ -x "$python" ] && "$python" -c "import duckdb" >/dev/null 2>&1; then
    echo "install-duckdb: duckdb $("$python" -c 'import duckdb; print(duckdb.__version__)') is installed in $venv"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "install-duckdb: python3 is missing; install Python 3 with its venv module first" >&2
    exit 1
fi
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv"
"$python" -m pip install --quiet --disable-pip-version-check "duckdb==$DUCKDB_VERSION"
echo "install-duckdb: installed duckdb $("$python" -c 'import duckdb; print(duckdb.__version__)') in $venv"
