package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/internal/testdut"
)

// An output that is one of the run's inputs, or lies in its scenarios
// folder, is a usage error before anything is written or removed.
func TestOutputsDoNotOverwriteInputs(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "sc")
	if err := os.Mkdir(sc, 0o755); err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(sc, "x.yaml")
	base := filepath.Join(dir, "bl.yaml")
	for _, f := range []string{scenario, base} {
		if err := os.WriteFile(f, []byte("# kept\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"run", "--scenarios", sc, "--json", scenario, "HDR-002"},
		{"run", "--scenarios", sc, "--report-dir", filepath.Join(sc, "out"), "HDR-002"},
		{"run", "--baseline", base, "--markdown", base, "HDR-002"},
		{"run", "--baseline", base, "--markdown", filepath.Join(dir, ".", "bl.yaml"), "HDR-002"},
		{"fuzz", "promote", "--out", base, base},
	} {
		code, _, stderr := runCmd(t, nil, args...)
		if code != ExitUsage || !strings.Contains(stderr, "output") {
			t.Errorf("%s: code %d, stderr %q; want a usage error naming the output", strings.Join(args, " "), code, stderr)
		}
	}
	for _, f := range []string{scenario, base} {
		if b, _ := os.ReadFile(f); string(b) != "# kept\n" {
			t.Errorf("%s was changed: %q", f, b)
		}
	}
}

// A link planted in --report-dir is replaced by the report, never
// written through, dangling or not.
func TestReportDirReplacesLinks(t *testing.T) {
	rd := filepath.Join(t.TempDir(), "rd")
	traps := []testdut.LinkTrap{testdut.PlantLink(t, filepath.Join(rd, "report.html"), false), testdut.PlantLink(t, filepath.Join(rd, "report.md"), true)}
	if code, stdout, stderr := runCmd(t, nil, "run", "--quiet", "--report-dir", rd, "HDR-002"); code != ExitOK {
		t.Fatalf("code %d\n%s\n%s", code, stdout, stderr)
	}
	for _, trap := range traps {
		trap.Check(t)
	}
}
