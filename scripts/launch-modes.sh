#!/usr/bin/env bash
# The catalogue against the reference launched the three ways a vendor's
# DUT can be: in-process is `make conformance`; here, as a local program
# the harness starts (--dut-cmd; once more as a responder, a DUT that
# speaks only when spoken to, which run and fuzz must both handle), and
# as a container image run through
# testcontainers-go (--target container:IMAGE). In CI (CI=true) a missing
# Docker daemon fails this check instead of skipping it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${OMPCONFORM:-bin/ompconform}

# The daemons offer a Hold Time of 9 s: the cases that wait on the DUT's
# own hold time (HLD-007, HLD-010, HLD-011) would take a minute at the
# default 60, which the hold-time matrix (make holdtimes) runs.
echo "== --dut-cmd: the reference as a local program"
"$BIN" run --quiet --target 127.0.0.1:12471 \
  --dut-cmd "$BIN reference --role controller --system-ip 192.0.2.9 --listen 127.0.0.1:12471 --state-api '' --hold-time 9"

echo "== --dut-cmd: the reference as a responder, which sends its HANDSHAKE only once the peer's arrives"
"$BIN" run --quiet --target 127.0.0.1:12473 \
  --dut-cmd "$BIN reference --role controller --responder --system-ip 192.0.2.9 --listen 127.0.0.1:12473 --state-api '' --hold-time 9"

echo "== fuzz --dut-cmd: the responder fuzzed (bounded)"
findings=$(mktemp -d)
trap 'rm -rf "$findings"' EXIT
"$BIN" fuzz --quiet --target 127.0.0.1:12474 --seed 1 --iterations 300 --duration 60s --out "$findings" \
  --dut-cmd "$BIN reference --role controller --responder --system-ip 192.0.2.9 --listen 127.0.0.1:12474 --state-api ''"

echo "== --target container:ompconform/reference:dev"
if ! docker info >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "launch-modes: no Docker daemon in CI: the container launch mode cannot be checked" >&2
    exit 1
  fi
  echo "launch-modes: no Docker daemon: container launch mode skipped (bash scripts/docker-up.sh)" >&2
  exit 0
fi
bash scripts/images.sh
export TESTCONTAINERS_RYUK_DISABLED=true
# --container-arg gives the image's whole command line (it replaces the
# image's default CMD): role, system IP and the listen address.
"$BIN" run --quiet --target container:ompconform/reference:dev --container-port 12472 \
  --container-arg=--role --container-arg=controller --container-arg=--system-ip --container-arg=192.0.2.9 \
  --container-arg=--listen --container-arg=127.0.0.1:12472 --container-arg=--state-api --container-arg= \
  'HDR-*' 'HS-0*' 'UPD-0*' 'RFL-*' 'INF-*'
