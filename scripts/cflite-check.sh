#!/usr/bin/env bash
# Checks .clusterfuzzlite/build.sh without the OSS-Fuzz base image (which
# cannot be pulled here): runs its compile_native_go_fuzzer lines with a
# stand-in that builds each package's test binary with the native Go
# toolchain (go test -c -o), checks that the binary has the named fuzz
# target and runs the target's seed corpus once; then fails unless every
# native fuzz target of the module (go test -list '^Fuzz' ./...) was
# built, and no line names a target that does not exist.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
BUILD_SH=${BUILD_SH:-.clusterfuzzlite/build.sh}
if [ -z "${OUT:-}" ]; then
  OUT=$(mktemp -d)
  trap 'rm -rf "$OUT"' EXIT
fi
export OUT GO
mkdir -p "$OUT"
built="$OUT/built.txt"
: > "$built"
export built

compile_native_go_fuzzer() {
  local pkg=$1 fn=$2 name=$3
  local bin="$OUT/$(echo "$pkg" | tr '/.' '__').test"
  if [ ! -x "$bin" ]; then
    "$GO" test -c -o "$bin" "$pkg"
  fi
  if ! (cd "$("$GO" list -f '{{.Dir}}' "$pkg")" && "$bin" -test.list "^$fn\$" | grep -qx "$fn"); then
    echo "cflite-check: $pkg has no fuzz target $fn" >&2
    return 1
  fi
  # The target's seed corpus (f.Add and testdata/fuzz), once.
  (cd "$("$GO" list -f '{{.Dir}}' "$pkg")" && "$bin" -test.run "^$fn\$" -test.timeout 120s >/dev/null)
  ln -f "$bin" "$OUT/$name" 2>/dev/null || cp "$bin" "$OUT/$name"
  echo "$pkg $fn" >> "$built"
  echo "built $name: $pkg $fn (go test -c, native toolchain)"
}
export -f compile_native_go_fuzzer

OMPCONFORM_CFLITE_CHECK=1 SRC= bash -c 'set -euo pipefail; source "$1"' build.sh "$BUILD_SH"

want="$OUT/want.txt"
: > "$want"
for pkg in $("$GO" list ./...); do
  for fn in $("$GO" test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "$pkg $fn" >> "$want"
  done
done
missing=$(sort -u "$want" | comm -23 - <(sort -u "$built"))
if [ -n "$missing" ]; then
  echo "cflite-check: native fuzz targets that .clusterfuzzlite/build.sh does not build:" >&2
  echo "$missing" >&2
  exit 1
fi
echo "cflite-check: .clusterfuzzlite/build.sh builds all $(wc -l < "$want") native fuzz targets (checked with the native Go toolchain, go test -c; the OSS-Fuzz base image and its compile_native_go_fuzzer are not available here)"
