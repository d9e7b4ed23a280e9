#!/usr/bin/env bash
# Runs every fuzz target for a fixed time and fails on the first crash, timeout or leak.
#
#   fuzz/run.sh [SECONDS_PER_TARGET]      (default 60; CI runs it through the README's test command)
#
# Stable Rust, no sanitizer (see fuzz/README.md): the oracles' own assertions and Rust's
# bounds and overflow checks (debug assertions are on in cargo-fuzz builds) are what fails.
# Installs cargo-fuzz from crates.io when it is missing. Each target starts from its committed
# seeds (`seeds/<target>/`, read only) and a working corpus under `corpus/<target>/`
# (git-ignored). A crash input lands in `artifacts/<target>/`: keep it there under a
# descriptive name once fixed, so `cargo test -p ovcert-reference --test fuzz_corpus` replays it.
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_PER_TARGET="${1:-60}"
CARGO_FUZZ_VERSION=0.13.2
TARGETS=(card_image tap_message tap_frames backoffice_day)

if ! [[ "$SECONDS_PER_TARGET" =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz/run.sh: seconds per target must be a positive whole number, got '$SECONDS_PER_TARGET'" >&2
    exit 2
fi

if ! cargo fuzz --version 2>/dev/null | grep -q "cargo-fuzz $CARGO_FUZZ_VERSION"; then
    echo "fuzz/run.sh: installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --quiet
fi

echo "fuzz/run.sh: building ${#TARGETS[@]} targets (release, debug assertions, no sanitizer)"
cargo fuzz build --sanitizer none

failed=()
for target in "${TARGETS[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    log="target/fuzz-$target.log"
    echo "fuzz/run.sh: $target for ${SECONDS_PER_TARGET} s"
    if cargo fuzz run --sanitizer none "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -close_fd_mask=3 \
        >"$log" 2>&1; then
        runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
        speed=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
        echo "fuzz/run.sh: $target: 0 crashes in $runs runs ($speed runs/s)"
    else
        echo "fuzz/run.sh: $target FAILED; the end of its log ($log):" >&2
        tail -40 "$log" >&2
        failed+=("$target")
    fi
done

if ((${#failed[@]})); then
    echo "fuzz/run.sh: ${#failed[@]} of ${#TARGETS[@]} targets failed: ${failed[*]} (crash inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz/run.sh: all ${#TARGETS[@]} targets ran ${SECONDS_PER_TARGET} s each without a crash"
