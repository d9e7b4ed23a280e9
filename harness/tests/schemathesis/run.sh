#!/usr/bin/env bash
# Bad input against the served OpenAPI document: schemathesis generates requests from
# harness/openapi.json (valid and deliberately invalid bodies, missing and wrong credentials)
# against `ovcert serve --keys FILE --test-controls` on a loopback port, as a participant-facing
# server runs, with a freshly minted test-lab key, and runs every check (no 5xx, answers conform to the
# schema, invalid data refused, valid data accepted; see schemathesis.toml here for the one
# adjusted expectation). Fails when any check fails, when the server logged a panic, or when
# fewer than MIN_REQUESTS test cases were generated. A run whose only trouble is an error inside
# schemathesis itself (no check failed) is repeated once, and fails when it happens again.
#
#   harness/tests/schemathesis/run.sh [MAX_EXAMPLES_PER_OPERATION]   (default 200)
#
# Installs schemathesis from PyPI into target/schemathesis-venv when it is missing. Uses the
# debug `ovcert` binary (built here when missing). Reports: target/schemathesis/.
set -euo pipefail
cd "$(dirname "$0")/../../.."

MAX_EXAMPLES="${1:-200}"
MIN_REQUESTS="${MIN_REQUESTS:-10000}"
SCHEMATHESIS_VERSION=4.32.5
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
VENV="$TARGET_DIR/schemathesis-venv"
OUT="$TARGET_DIR/schemathesis"
HERE=harness/tests/schemathesis

if ! [[ "$MAX_EXAMPLES" =~ ^[1-9][0-9]*$ ]]; then
    echo "schemathesis/run.sh: examples per operation must be a positive whole number, got '$MAX_EXAMPLES'" >&2
    exit 2
fi

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    echo "schemathesis/run.sh: installing schemathesis $SCHEMATHESIS_VERSION from PyPI into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet --locked -p ovcert
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rm -rf "$OUT" && mkdir -p "$OUT"
# The key goes to stderr once; the keys file keeps only its SHA-256.
"$TARGET_DIR/debug/ovcert" api-key --participant schemathesis --role test-lab \
    >"$OUT/keys.toml" 2>"$OUT/key.txt"
key=$(grep -oE 'ovk_[0-9a-f]+' "$OUT/key.txt")
rm "$OUT/key.txt"
# One pass: a fresh server, schemathesis against it, the server stopped. Sets `status`.
run_pass() {
    OVCERT_LISTEN="127.0.0.1:$port" "$TARGET_DIR/debug/ovcert" serve --keys "$OUT/keys.toml" \
        --test-controls >"$OUT/server.log" 2>&1 &
    server=$!
    trap 'kill "$server" 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do
        grep -q "listening on" "$OUT/server.log" 2>/dev/null && break
        kill -0 "$server" 2>/dev/null || { cat "$OUT/server.log" >&2; exit 1; }
        sleep 0.1
    done
    echo "schemathesis/run.sh: $MAX_EXAMPLES examples per operation against http://127.0.0.1:$port"
    rm -f "$OUT"/junit-*.xml
    status=0
    "$VENV/bin/schemathesis" --config-file "$HERE/schemathesis.toml" \
        run "http://127.0.0.1:$port/openapi.json" \
        --header "Authorization: Bearer $key" \
        --checks all --max-examples "$MAX_EXAMPLES" --workers 2 --seed 20261121 \
        --report junit --report-dir "$OUT" --no-color \
        >"$OUT/schemathesis.log" 2>&1 || status=$?
    kill "$server"
    wait "$server" 2>/dev/null || true
    trap - EXIT
}

# The run's count of failed checks and of errors, from the JUnit report's totals. An error is
# schemathesis failing to generate or send a test case (its own exception, not an answer of the
# server); a failure is an answer that broke a check.
junit_total() {
    grep -oE "<testsuites [^>]*\b$1=\"[0-9]+\"" "$OUT"/junit-*.xml 2>/dev/null |
        grep -oE "$1=\"[0-9]+\"" | grep -oE '[0-9]+' || echo unknown
}

run_pass
failures=$(junit_total failures)
errors=$(junit_total errors)
# A generator crash inside schemathesis (seen once: CPython's "AST constructor recursion depth
# mismatch" while building a request) says nothing about the server, so such a run is repeated
# once. A failed check, a panic or an unreadable report is never repeated.
if ((status != 0)) && [[ "$failures" == 0 && "$errors" =~ ^[1-9][0-9]*$ ]] &&
    ! grep -qi "panicked" "$OUT/server.log"; then
    echo "schemathesis/run.sh: schemathesis raised $errors error(s) of its own and no check failed; its errors:" >&2
    sed -n '/ERRORS/,/SUMMARY/p' "$OUT/schemathesis.log" | head -60 >&2
    mv "$OUT/schemathesis.log" "$OUT/schemathesis-first-pass.log"
    mv "$OUT/server.log" "$OUT/server-first-pass.log"
    echo "schemathesis/run.sh: running once more (first pass kept in $OUT/*-first-pass.log)" >&2
    run_pass
    failures=$(junit_total failures)
    errors=$(junit_total errors)
fi

generated=$(grep -oE '[0-9]+ generated' "$OUT/schemathesis.log" | tail -1 | grep -oE '^[0-9]+' || echo 0)
summary=$(grep -E '^=+ .* in [0-9.]+s =+$' "$OUT/schemathesis.log" | tail -1 || true)
echo "schemathesis/run.sh: $generated requests generated; $summary"
if ((status != 0)); then
    echo "schemathesis/run.sh: schemathesis found failures (exit $status; $failures failed, $errors errors); its log:" >&2
    sed -n '/\(FAILURES\|ERRORS\)/,$p' "$OUT/schemathesis.log" | head -200 >&2
    exit 1
fi
if grep -qi "panicked" "$OUT/server.log"; then
    echo "schemathesis/run.sh: the server panicked ($OUT/server.log)" >&2
    exit 1
fi
if ((generated < MIN_REQUESTS)); then
    echo "schemathesis/run.sh: only $generated requests, fewer than $MIN_REQUESTS; raise the examples per operation" >&2
    exit 1
fi
echo "schemathesis/run.sh: 0 failures in $generated requests (report: $OUT)"
