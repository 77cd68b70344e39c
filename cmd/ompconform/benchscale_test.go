package main

import (
	"strings"
	"testing"
)

func TestBenchScale(t *testing.T) {
	if code, _, errs := runCmd(t, nil, "bench-scale", "-n", "ten"); code != ExitUsage || !strings.Contains(errs, `"ten"`) {
		t.Fatalf("-n ten: code %d, stderr %q", code, errs)
	}
	if code, _, errs := runCmd(t, nil, "bench-scale", "-n", "1000", "-m", "300", "-in-process"); code != ExitUsage || !strings.Contains(errs, "receivers 300") {
		t.Fatalf("-m 300: code %d, stderr %q", code, errs)
	}
	// In-process: this test binary cannot run `ompconform reference`.
	code, out, errs := runCmd(t, nil, "bench-scale", "-n", "2k", "-m", "1,2", "-in-process", "-deadline", "20s")
	if code != ExitOK {
		t.Fatalf("bench-scale: code %d, stderr %q", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "routes/s") || !strings.HasPrefix(strings.TrimSpace(lines[1]), "2000    1") ||
		!strings.HasPrefix(strings.TrimSpace(lines[2]), "2000    2") {
		t.Fatalf("table:\n%s", out)
	}
}
