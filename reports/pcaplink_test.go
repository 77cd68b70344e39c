package reports

import (
	"path/filepath"
	"testing"

	"github.com/ompconform/ompconform/internal/testdut"
)

// A link planted in the capture folder at a case's capture name is
// replaced by the capture; its target is untouched.
func TestPcapsReplaceLinks(t *testing.T) {
	rep := report(t)
	dir := filepath.Join(t.TempDir(), "pcap")
	var name string
	for _, r := range rep.Results {
		if len(r.Transcript) > 0 {
			name = filepath.Join(dir, pcapName(r.ID))
			break
		}
	}
	trap := testdut.PlantLink(t, name, false)
	if err := WritePcaps(dir, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	trap.Check(t)
}
