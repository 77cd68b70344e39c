package main

import (
	"strings"
	"testing"
)

// --workers and --fault: bad values are usage errors; the in-process
// reference given a fault is caught (--fail-on-mismatch exits 1), with 4
// workers sending exactly the inputs asked for.
func TestFuzzWorkersAndFault(t *testing.T) {
	for _, args := range [][]string{
		{"--workers", "0"},
		{"--workers", "65"},
		{"--fault", "no-such-fault"},
		{"--fault", "alert-never", "--target", "127.0.0.1:12346"},
	} {
		if code, _, errs := runCmd(t, nil, append([]string{"fuzz"}, args...)...); code != ExitUsage || errs == "" {
			t.Errorf("%q: code %d, stderr %q", args, code, errs)
		}
	}
	code, out, errs := runCmd(t, nil, "fuzz", "--iterations", "40", "--seed", "1", "--workers", "4", "--fault", "alert-subcode-zero",
		"--fail-on-mismatch", "--out", t.TempDir(), "--quiet")
	if code != ExitFailure || !strings.Contains(out, "4 workers") || !strings.Contains(out, "stopped (iterations) after 40 inputs") ||
		!strings.Contains(out, "FAILED:") {
		t.Fatalf("code %d\nstdout %s\nstderr %s", code, out, errs)
	}
}
