#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine, so the harness can start the reference
# image (docker/build-image.sh, `ovcert run --target image:…`).
#
# - An engine that already answers `docker info` is left alone.
# - Otherwise Debian's docker.io is installed with apt-get when dockerd is missing (no registry
#   is reachable here, so Docker's own packages are out), and dockerd is started in the
#   background with no bridge and no iptables rules: containers use host networking and talk
#   on 127.0.0.1 only, so the engine needs no network set-up of its own.
# - It waits until `docker info` answers; on a timeout it shows the tail of dockerd's log.
#
# Safe to run any number of times. Needs root for apt-get and dockerd.
#
# Settings (environment):
#   OVCERT_DOCKERD_LOG        dockerd's log file          [/var/log/ovcert-dockerd.log]
#   OVCERT_DOCKERD_TIMEOUT_S  how long to wait for dockerd [60]
#   OVCERT_DOCKERD_ARGS       extra dockerd flags, e.g. "--storage-driver=vfs" (dockerd picks
#                             overlay2 where it works and falls back by itself otherwise)
set -euo pipefail

log_file=${OVCERT_DOCKERD_LOG:-/var/log/ovcert-dockerd.log}
timeout_s=${OVCERT_DOCKERD_TIMEOUT_S:-60}
extra_args=${OVCERT_DOCKERD_ARGS:-}

say() { echo "engine.sh: $*" >&2; }
fail() {
    say "error: $*"
    exit 1
}

engine_answers() {
    command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1
}

server_version() {
    docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null || echo unknown
}

if engine_answers; then
    say "Docker engine already reachable: $(server_version)"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    fail "no Docker engine answers and starting one needs root (apt-get, dockerd); run this script as root"
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    say "installing Debian's docker.io (apt-get)"
    started=$SECONDS
    export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
    # The package lists may be missing or stale on a fresh machine: refresh once and retry.
    if ! apt-get install -y -qq --no-install-recommends docker.io >/dev/null; then
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends docker.io >/dev/null ||
            fail "apt-get could not install docker.io"
    fi
    say "docker.io installed in $((SECONDS - started)) s"
fi

# A dockerd that is still starting (its pid file names a live dockerd) is waited for, not
# started twice.
running_pid=$(cat /var/run/docker.pid 2>/dev/null || true)
if [[ -n $running_pid && $(cat "/proc/$running_pid/comm" 2>/dev/null) == dockerd ]]; then
    say "dockerd (pid $running_pid) is running but does not answer yet; waiting"
else
    mkdir -p "$(dirname "$log_file")"
    # No bridge and no iptables rules: containers run with host networking on 127.0.0.1.
    # shellcheck disable=SC2206 # extra_args holds separate flags on purpose
    flags=(--bridge=none --iptables=false --log-level=warn $extra_args)
    say "starting dockerd ${flags[*]} (warnings and errors: $log_file)"
    # setsid: the engine outlives this script and the job that ran it (the suite uses it later).
    setsid dockerd "${flags[@]}" >>"$log_file" 2>&1 </dev/null &
    dockerd_pid=$!
fi

show_log_and_fail() {
    say "error: $*; last lines of $log_file:"
    tail -n 30 "$log_file" >&2 || true
    exit 1
}

started=$SECONDS
until engine_answers; do
    if [[ -n ${dockerd_pid:-} ]] && ! kill -0 "$dockerd_pid" 2>/dev/null; then
        # Lost a race with a dockerd started at the same moment (it holds the pid file)?
        other=$(cat /var/run/docker.pid 2>/dev/null || true)
        if [[ -n $other && $other != "$dockerd_pid" && $(cat "/proc/$other/comm" 2>/dev/null) == dockerd ]]; then
            say "another dockerd (pid $other) is starting; waiting for it"
            dockerd_pid=
        else
            show_log_and_fail "dockerd exited while starting"
        fi
    fi
    if ((SECONDS - started >= timeout_s)); then
        show_log_and_fail "dockerd did not answer within ${timeout_s} s"
    fi
    sleep 0.2
done
say "Docker engine ready after $((SECONDS - started)) s: $(server_version)"
