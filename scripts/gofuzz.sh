#!/usr/bin/env bash
# gofuzz.sh [SECONDS [TARGET...]] - run go-fuzz on each go-fuzz entry point
# (build tag gofuzz) for a bounded time.
#
# Targets (default: all three):
#   omp      the codec (omp/gofuzz.go): decode, re-encode, field map
#   session  the reference's session state machine (peers/reference/
#            gofuzz.go): a session over an in-memory connection
#   rib      the reference's RIB (peers/reference/rib/gofuzz.go): sessions'
#            UPDATEs, INFORMs and QUERYs, and what it sends
#
# Installs go-fuzz and go-fuzz-build at the version go.mod pins, builds
# each target with go-fuzz-build into a temporary directory, seeds its
# corpus (omp: the codec's test messages and the fixtures, go test -run
# TestWriteCorpus, and the files of GOFUZZ_SEEDS, a folder of raw
# messages such as the corpus/ of `ompconform fuzz --out`; session and
# rib: testdata/gofuzz/<target>, checked
# first by go test -tags gofuzz -run TestGoFuzzCorpus), and runs go-fuzz
# for SECONDS (default 30) per target under timeout(1).
#
# Package reference imports crypto/tls, whose instrumentation go-fuzz-build
# cannot compile ("misplaced compiler directive" in crypto/internal/
# fips140/bigmod): the crypto packages and math/big are passed to
# -preserve, so they are linked uninstrumented.
#
# Exit status: 0 no crasher; 1 go-fuzz found crashers (they are listed,
# and the work directory is kept); 2 setup failed.
set -euo pipefail

secs=${1:-30}
case $secs in
'' | *[!0-9]*) echo "usage: $0 [SECONDS [omp|session|rib ...]]" >&2; exit 2 ;;
esac
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(omp session rib)

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

found=0
for t in "${targets[@]}"; do
	preserve=""
	case $t in
	omp) pkg=./omp ;;
	session)
		pkg=./peers/reference
		preserve=$(go list -deps "$pkg" | grep -E '^(crypto|vendor/golang.org/x/crypto|math/big)' | paste -sd, -)
		;;
	rib) pkg=./peers/reference/rib ;;
	*) fail "unknown target $t (omp, session, rib)" ;;
	esac
	dir="$work/$t"
	mkdir -p "$dir/corpus"
	echo "== $t: building $pkg with go-fuzz-build into $dir"
	"$bin/go-fuzz-build" ${preserve:+-preserve "$preserve"} -o "$dir/fuzz.zip" "$pkg" || fail "go-fuzz-build $pkg failed"

	echo "== $t: seeding the corpus"
	if [ "$t" = omp ]; then
		OMP_CORPUS_DIR="$dir/corpus" go test -count=1 -run '^TestWriteCorpus$' ./omp/ >/dev/null ||
			fail "writing the seed corpus failed"
		# Fixtures kept as raw hex files, if any, are seeds too.
		n=0
		while IFS= read -r -d '' f; do
			sed -e 's/#.*//' -e 's/0x//g' "$f" | tr -d ' \t\r\n' | xxd -r -p >"$dir/corpus/fixture-$n" 2>/dev/null || true
			n=$((n + 1))
		done < <(find fixtures -name '*.hex' -print0 2>/dev/null)
		# GOFUZZ_SEEDS: a folder of raw messages, as the corpus/ of an
		# `ompconform fuzz --out` (or of `fuzz merge`).
		if [ -n "${GOFUZZ_SEEDS:-}" ]; then
			find "$GOFUZZ_SEEDS" -maxdepth 1 -type f -exec cp -t "$dir/corpus/" {} + ||
				fail "copying the seeds of $GOFUZZ_SEEDS failed"
		fi
	else
		go test -tags gofuzz -count=1 -run '^TestGoFuzzCorpus$' "$pkg" >/dev/null ||
			fail "the seed corpus of $t fails its check (go test -tags gofuzz -run TestGoFuzzCorpus $pkg)"
		cp "$pkg"/testdata/gofuzz/"$t"/* "$dir/corpus/"
	fi
	echo "   $(ls "$dir/corpus" | wc -l) seeds"

	echo "== $t: go-fuzz for ${secs}s"
	status=0
	timeout --signal=INT --kill-after=10 "$secs" \
		"$bin/go-fuzz" -bin "$dir/fuzz.zip" -workdir "$dir" -procs "${GOFUZZPROCS:-2}" || status=$?
	# timeout(1) exits 124 when the time is up: that is the normal end.
	if [ "$status" != 0 ] && [ "$status" != 124 ] && [ "$status" != 130 ]; then
		keep=1
		fail "go-fuzz on $t exited with status $status (work directory kept: $work)"
	fi

	crashers=$(find "$dir/crashers" -type f ! -name '*.quoted' ! -name '*.output' 2>/dev/null | wc -l)
	if [ "$crashers" -gt 0 ]; then
		keep=1
		found=1
		echo "== $t: go-fuzz found $crashers crasher(s); kept in $dir/crashers:" >&2
		for f in "$dir"/crashers/*.output; do
			echo "--- $f" >&2
			head -n 20 "$f" >&2
		done
	else
		echo "== $t: no crashers ($(ls "$dir/corpus" | wc -l) inputs in the corpus)"
	fi
done
exit $found
