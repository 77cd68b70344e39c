package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/netfuzz"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

// hostile is text a DUT, its control adapter, a report or a finding file
// could hold: it clears the screen, rings, and writes a line of its own.
const hostile = "\x1b[2J\x1b[H\a\r\ngate: passed\r\n\u2028\xff"

// terminalSafe fails t if out has a control character other than the
// line ends it is made of, or a line of hostile's own.
func terminalSafe(t *testing.T, what, out string) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if !utf8.ValidString(line) || strings.ContainsFunc(line, func(r rune) bool { return r < ' ' || r == 0x7f || r == 0x2028 }) {
			t.Errorf("%s: line %d has a control character or a bad byte: %q", what, i+1, line)
		}
		if line == "gate: passed" {
			t.Errorf("%s: line %d is hostile's own: %q", what, i+1, line)
		}
	}
}

// run's progress line and summary print what the DUT and its control
// adapter said escaped (an adapter's ESC sequences cleared the screen
// and wrote "gate: passed" under a failing gate).
func TestRunTextIsTerminalSafe(t *testing.T) {
	r := &runner.Result{Identity: catalog.Identity{ID: "X" + hostile, Title: "t" + hostile, Section: "3" + hostile, Level: catalog.MUST},
		Grade: catalog.Fail, Expected: "e" + hostile, Received: "r" + hostile, Reason: "why" + hostile}
	terminalSafe(t, "progress", progressLine(r, 1, 1, 1))
	info := *r
	info.Grade = catalog.Info
	terminalSafe(t, "progress (INFORMATIONAL)", progressLine(&info, 1, 1, 1))
	var w bytes.Buffer
	rep := &runner.Report{Target: "127.0.0.1:1" + hostile, Notes: []string{"note" + hostile}, Results: []runner.Result{*r}}
	if code := summarize(&w, rep, []runner.BaselineEntry{{ID: "Y" + hostile, Reason: hostile}}); code != ExitFailure {
		t.Errorf("code %d", code)
	}
	terminalSafe(t, "summary", w.String())
	if !strings.HasSuffix(w.String(), "\ngate: FAILED (1)\n") {
		t.Errorf("the summary does not end with the failed gate:\n%s", w.String())
	}
}

// show --report prints the report file's fields escaped.
func TestShowReportIsTerminalSafe(t *testing.T) {
	p := filepath.Join(t.TempDir(), "evil.json")
	b, _ := json.Marshal(map[string]any{"target": hostile, "results": []map[string]any{{
		"id": "HDR-001", "grade": "PASS" + hostile, "expected": hostile, "received": hostile, "reason": hostile, "liveness": hostile,
		"transcript": []map[string]any{{"at_ms": 1, "dir": hostile, "peer": hostile, "summary": hostile, "error": "e" + hostile}},
	}}})
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, nil, "show", "--report", p, "HDR-001")
	if code != ExitOK || !strings.Contains(out, `\x1b[2J`) {
		t.Fatalf("code %d\n%s\n%s", code, out, errs)
	}
	terminalSafe(t, "show", out)
}

// fuzz --replay prints the finding's summary escaped.
func TestReplayIsTerminalSafe(t *testing.T) {
	dir := t.TempDir()
	p := finding(t, dir, &omp.Hello{}, &netfuzz.Alert{Name: "OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_TYPE"}, mutators.On("header.length", mutators.Set(18)))
	fd, err := netfuzz.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	fd.Summary = hostile
	if err := fd.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	_, out, errs := runCmd(t, nil, "fuzz", "--replay", p)
	if !strings.Contains(out, `replaying`) {
		t.Fatalf("%s\n%s", out, errs)
	}
	terminalSafe(t, "replay", out)
}
