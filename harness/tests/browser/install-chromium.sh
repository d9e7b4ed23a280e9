#!/usr/bin/env bash
# Installs Debian's chromium for harness/tests/report_browser.rs, which opens the HTML report
# in a headless browser. Does nothing when chromium is already on the PATH.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    echo "install-chromium: $(chromium --version 2>/dev/null || echo chromium) is installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-chromium: chromium is missing; run this script as root or install Debian's chromium package" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium
echo "install-chromium: installed $(chromium --version 2>/dev/null || echo chromium)"
