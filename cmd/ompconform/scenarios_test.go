package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The shipped examples pass against the in-process reference, through
// `ompconform run --scenarios`, with the catalogue's grades and reports.
func TestRunShippedScenarios(t *testing.T) {
	js := filepath.Join(t.TempDir(), "r.json")
	code, out, errs := runCmd(t, nil, "run", "--quiet", "--scenarios", "../../fixtures/scenarios", "--json", js, "VND-*", "HDR-002")
	if code != ExitOK {
		t.Fatalf("code %d\n%s\n%s", code, out, errs)
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"VND-RFL-001", "VND-HDR-002", "HDR-002"} {
		if !strings.Contains(string(b), `"`+id+`"`) {
			t.Errorf("the JSON report lacks %s", id)
		}
	}
	if !strings.Contains(out, "15 PASS") || !strings.Contains(out, "gate: passed") {
		t.Errorf("output:\n%s", out)
	}
}

// A scenario whose expectation the DUT does not meet fails the gate, as a
// built-in case does; a baseline entry naming it (with its reason) keeps
// the gate green.
func TestRunFailingScenarioGates(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrong.yaml"), []byte(`id: T-WRONG-001
section: "3.1.5"
level: SHOULD
basis: Draft
requirement: "a valid HELLO"
steps:
  - open: 0
  - send: {message: {type: HELLO}}
  - expect: {alert: OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LENGTH, then_close: true}
`), 0o644)
	code, out, _ := runCmd(t, nil, "run", "--quiet", "--scenarios", dir, "T-WRONG-*")
	if code != ExitFailure || !strings.Contains(out, "SHOULD FAIL: T-WRONG-001") || !strings.Contains(out, "gate: FAILED (1)") {
		t.Fatalf("code %d\n%s", code, out)
	}
	base := filepath.Join(t.TempDir(), "base.yaml")
	os.WriteFile(base, []byte("- id: T-WRONG-001\n  reason: the scenario expects an ALERT for a valid HELLO\n"), 0o644)
	if code, out, errs := runCmd(t, nil, "run", "--quiet", "--scenarios", dir, "--baseline", base, "T-WRONG-*"); code != ExitOK {
		t.Errorf("with the baseline: code %d\n%s\n%s", code, out, errs)
	}
}

// A broken scenario file stops the run before any case, naming the file,
// line and column.
func TestRunBrokenScenario(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "broken.yaml")
	os.WriteFile(f, []byte("id: T-BROKEN-001\nsection: \"3.1.5\"\nlevel: MUST\nbasis: Draft\nrequirement: r\nsteps:\n  - open: 0\n  - expect: {alert: OMP_ERR_HEADER/LENGTH}\n"), 0o644)
	code, out, errs := runCmd(t, nil, "run", "--scenarios", dir)
	if code != ExitUsage || !strings.Contains(errs, f+":8:21: alert \"OMP_ERR_HEADER/LENGTH\": want one of") || strings.Contains(out, "PASS") {
		t.Errorf("code %d\nstdout %s\nstderr %s", code, out, errs)
	}
}
