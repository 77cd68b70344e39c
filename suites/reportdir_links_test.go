package suites

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ompconform/ompconform/suites/runner"
)

// A link planted in the report folder is replaced by the report, never
// written through.
func TestWriteReportsReplacesLinks(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("victim"), 0o644); err != nil {
		t.Fatal(err)
	}
	rd := filepath.Join(dir, "rd")
	if err := os.Mkdir(rd, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(rd, "report.json")); err != nil {
		t.Fatal(err)
	}
	if err := WriteReports(rd, &runner.Report{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "victim" {
		t.Errorf("the link's target was written: %.40q", b)
	}
	if st, err := os.Lstat(filepath.Join(rd, "report.json")); err != nil || !st.Mode().IsRegular() {
		t.Errorf("report.json: %v, not a regular file", err)
	}
}
