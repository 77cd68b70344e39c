#!/usr/bin/env bash
# The catalogue against the reference daemon as an external DUT, with the
# hold times and overlays a deployment may have: the harness must take
# every timer from the negotiation and every identity from the DUT's
# HANDSHAKE, so each run must pass the gate. Each daemon is stopped after
# its run, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${OMPCONFORM:-bin/ompconform}
OUT=${OUT:-out}/holdtimes
mkdir -p "$OUT"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# role hold-time overlay-id gr-interval
configs=(
  "controller 3 0 43200"
  "controller 9 5 2"
  "controller 60 0 43200"
  "edge 3 5 43200"
)
# An SDN router has a transport (a TLOC) and a route of its own.
cat >"$OUT/edge.yaml" <<'YAML'
tlocs:
  - {address: 198.51.100.9, color: 1, encap: 2}
routes:
  - {vpn: 1, prefix: 10.254.0.0/24, origin: static}
YAML

port=12460
status=0
for c in "${configs[@]}"; do
  read -r role hold overlay gr <<<"$c"
  port=$((port + 1))
  name="$role-hold$hold-overlay$overlay"
  config=()
  [ "$role" = controller ] || config=(-config "$OUT/edge.yaml")
  "$BIN" reference "${config[@]}" -role "$role" -system-ip 192.0.2.9 -site-id 9 -domain-id 1 \
    -listen "127.0.0.1:$port" -state-api "" -hold-time "$hold" -overlay-id "$overlay" \
    -gr-interval "$gr" -log-level error >"$OUT/$name.daemon.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  echo "== $name"
  if ! "$BIN" run --target "127.0.0.1:$port" --role "$role" --quiet --junit "$OUT/$name.junit.xml"; then
    echo "FAILED: the reference daemon ($name) did not pass the gate" >&2
    status=1
  fi
  kill "${pids[-1]}" 2>/dev/null || true
  wait "${pids[-1]}" 2>/dev/null || true
done
exit $status
