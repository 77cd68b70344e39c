#!/bin/bash -eu
# Builds every native Go fuzz target of ompconform for ClusterFuzzLite or
# OSS-Fuzz: compile_native_go_fuzzer PACKAGE FUNCTION FUZZER_NAME, one line
# per target. `go test -list '^Fuzz' ./...` lists them; scripts/cflite-check.sh
# (make cflite-check, in CI) fails when a target is missing here, and runs
# these same lines with the native toolchain (go test -c per package).
#
# The native targets stay out of ginkgo packages (suites/), whose test
# binaries need the ginkgo runner.

if [ -n "${SRC:-}" ] && [ -z "${OMPCONFORM_CFLITE_CHECK:-}" ]; then
  # In the OSS-Fuzz image: the testing shim go-118-fuzz-build links against.
  cd "$SRC/ompconform"
  printf 'package omp\n\nimport _ "github.com/AdamKorcz/go-118-fuzz-build/testing"\n' > omp/register_fuzz_dep.go
  go mod tidy
fi

compile_native_go_fuzzer github.com/ompconform/ompconform/omp FuzzDecode omp_decode
compile_native_go_fuzzer github.com/ompconform/ompconform/omp FuzzFieldMap omp_fieldmap
compile_native_go_fuzzer github.com/ompconform/ompconform/omp FuzzReader omp_reader
compile_native_go_fuzzer github.com/ompconform/ompconform/omp FuzzScanAttrs omp_scan_attrs
compile_native_go_fuzzer github.com/ompconform/ompconform/mutators FuzzRandomChain mutators_random_chain
compile_native_go_fuzzer github.com/ompconform/ompconform/peers/reference FuzzSession reference_session
compile_native_go_fuzzer github.com/ompconform/ompconform/peers/reference/rib FuzzOracle rib_oracle
compile_native_go_fuzzer github.com/ompconform/ompconform/reports FuzzRedact reports_redact
