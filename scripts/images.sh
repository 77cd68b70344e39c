#!/usr/bin/env bash
# Builds the two images FROM scratch (nothing pulled): the reference DUT
# (docker/Dockerfile, ompconform/reference:dev) and the harness
# (docker/harness/Dockerfile, ompconform/harness:dev). With "check", also
# runs the harness image against the reference daemon on loopback, as a
# vendor's CI would, and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! docker info >/dev/null 2>&1; then
  echo "images: no Docker daemon (bash scripts/docker-up.sh): not built" >&2
  exit 0
fi
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$ctx/ompconform" ./cmd/ompconform
cp docker/Dockerfile "$ctx/Dockerfile"
docker build -q -t ompconform/reference:dev "$ctx" >/dev/null
cp docker/harness/Dockerfile "$ctx/Dockerfile"
docker build -q -t ompconform/harness:dev "$ctx" >/dev/null
echo "built ompconform/reference:dev and ompconform/harness:dev"
[ "${1:-}" = check ] || exit 0

port=12480
"$ctx/ompconform" reference --role controller --system-ip 192.0.2.9 --listen "127.0.0.1:$port" --state-api "" --log-level error &
ref=$!
trap 'kill $ref 2>/dev/null || true; rm -rf "$ctx"' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
out=$(mktemp -d)
chmod 777 "$out"
docker run --rm --network host -v "$out:/out" ompconform/harness:dev run --target "127.0.0.1:$port" --quiet --report-dir /out 'HDR-*' 'HS-0*'
test -s "$out/report.xml" || { echo "images: the harness image wrote no report" >&2; exit 1; }
rm -rf "$out"
echo "the harness image passed against the reference on loopback"
