package suites

import (
	"path/filepath"
	"testing"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/suites/runner"
)

// A link planted in the report folder is replaced by the report, never
// written through.
func TestWriteReportsReplacesLinks(t *testing.T) {
	rd := filepath.Join(t.TempDir(), "rd")
	trap := testdut.PlantLink(t, filepath.Join(rd, "report.json"), false)
	if err := WriteReports(rd, &runner.Report{}); err != nil {
		t.Fatal(err)
	}
	trap.Check(t)
}
