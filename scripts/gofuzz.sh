#!/usr/bin/env bash
# gofuzz.sh [SECONDS] - run go-fuzz on the omp codec for a bounded time.
#
# Installs go-fuzz and go-fuzz-build at the version go.mod pins, builds
# package omp (its Fuzz function, build tag gofuzz) with go-fuzz-build
# into a temporary directory, seeds the corpus from the codec's test
# messages and the fixtures (go test -run TestWriteCorpus), and runs
# go-fuzz for SECONDS (default 30) under timeout(1).
#
# Exit status: 0 no crasher; 1 go-fuzz found crashers (they are listed,
# and the work directory is kept); 2 setup failed.
set -euo pipefail

secs=${1:-30}
case $secs in
'' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

fail() { echo "gofuzz.sh: $*" >&2; exit 2; }

mod=github.com/dvyukov/go-fuzz
ver=$(go list -m -f '{{.Version}}' "$mod") || fail "$mod is not in go.mod"
bin=$(go env GOBIN)
[ -n "$bin" ] || bin=$(go env GOPATH)/bin
echo "== installing go-fuzz and go-fuzz-build $ver into $bin"
go install "$mod/go-fuzz@$ver" "$mod/go-fuzz-build@$ver" || fail "go install failed"

work=$(mktemp -d "${TMPDIR:-/tmp}/ompgofuzz.XXXXXX")
keep=0
cleanup() { if [ "$keep" = 0 ]; then rm -rf "$work"; fi; }
trap cleanup EXIT

echo "== building omp with go-fuzz-build into $work"
"$bin/go-fuzz-build" -o "$work/omp-fuzz.zip" ./omp || fail "go-fuzz-build failed"

echo "== seeding the corpus"
mkdir -p "$work/corpus"
OMP_CORPUS_DIR="$work/corpus" go test -count=1 -run '^TestWriteCorpus$' ./omp/ >/dev/null ||
	fail "writing the seed corpus failed"
# Fixtures kept as raw hex files, if any, are seeds too.
n=0
while IFS= read -r -d '' f; do
	sed -e 's/#.*//' -e 's/0x//g' "$f" | tr -d ' \t\r\n' | xxd -r -p >"$work/corpus/fixture-$n" 2>/dev/null || true
	n=$((n + 1))
done < <(find fixtures -name '*.hex' -print0 2>/dev/null)
echo "   $(ls "$work/corpus" | wc -l) seeds"

echo "== go-fuzz for ${secs}s"
status=0
timeout --signal=INT --kill-after=10 "$secs" \
	"$bin/go-fuzz" -bin "$work/omp-fuzz.zip" -workdir "$work" -procs "${GOFUZZPROCS:-2}" || status=$?
# timeout(1) exits 124 when the time is up: that is the normal end.
if [ "$status" != 0 ] && [ "$status" != 124 ] && [ "$status" != 130 ]; then
	keep=1
	fail "go-fuzz exited with status $status (work directory kept: $work)"
fi

crashers=$(find "$work/crashers" -type f ! -name '*.quoted' ! -name '*.output' 2>/dev/null | wc -l)
if [ "$crashers" -gt 0 ]; then
	keep=1
	echo "== go-fuzz found $crashers crasher(s); kept in $work/crashers:" >&2
	for f in "$work"/crashers/*.output; do
		echo "--- $f" >&2
		head -n 20 "$f" >&2
	done
	exit 1
fi
echo "== no crashers ($(ls "$work/corpus" | wc -l) inputs in the corpus)"
