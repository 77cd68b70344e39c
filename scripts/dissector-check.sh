#!/usr/bin/env bash
# The Wireshark dissector (tools/wireshark/omp.lua) checked against the
# codec: scripts/dissectorcheck runs a selection of cases with
# --pcap-dir, dissects the captures (and a synthetic one of every kind of
# message) with tshark and the dissector, and compares each message with
# what the codec reads. tshark comes from Debian's package, installed here
# when missing; only if apt-get cannot install it is the check skipped,
# loudly.
#
#   BIN=bin OUT=out GO=go bash scripts/dissector-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-bin}"
OUT="${OUT:-out}"
GO="${GO:-go}"

skip() {
  echo "################################################################" >&2
  echo "# SKIPPED: the Wireshark dissector check did not run:" >&2
  echo "# $*" >&2
  echo "################################################################" >&2
  exit 0
}

if ! command -v tshark >/dev/null 2>&1; then
  echo "dissector-check: no tshark: installing Debian's tshark package"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || skip "no tshark, and not root and no sudo to apt-get install it"
    sudo="sudo -n"
  fi
  command -v apt-get >/dev/null 2>&1 || skip "no tshark, and no apt-get to install it"
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections || true
  if ! { $sudo apt-get update -q && $sudo apt-get install -y -q tshark; }; then
    skip "apt-get could not install tshark"
  fi
  command -v tshark >/dev/null 2>&1 || skip "apt-get installed tshark but it is not on the PATH"
fi
tshark --version | head -1

exec "$GO" run ./scripts/dissectorcheck -bin "$BIN/ompconform" -lua tools/wireshark/omp.lua -out "$OUT/dissector"
