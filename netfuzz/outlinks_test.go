package netfuzz

import (
	"path/filepath"
	"testing"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
)

// A link planted in an output folder at the name of a finding or a
// corpus file, dangling or not, is replaced by the file: the run's and
// merge's writes never reach the link's target.
func TestOutputsReplaceLinks(t *testing.T) {
	root := t.TempDir()
	b := testdut.Encode(t, &omp.Hello{})
	fd := handFinding(KindMismatch, 7, b, Observation{Outcome: OutClose}, nil)
	out := filepath.Join(root, "out")
	if err := fd.Save(out); err != nil {
		t.Fatal(err)
	}
	for _, dangling := range []bool{false, true} {
		trap := testdut.PlantLink(t, fd.File, dangling)
		if err := fd.Save(out); err != nil {
			t.Fatal(err)
		}
		trap.Check(t)
	}
	// fuzz merge: a dangling link in the output's corpus, at the name of
	// an input's corpus file.
	in := filepath.Join(root, "in")
	writeFile(t, filepath.Join(in, CorpusDir, "x"), b)
	merged := filepath.Join(root, "merged")
	trap := testdut.PlantLink(t, filepath.Join(merged, CorpusDir, "x"), true)
	if _, err := Merge(merged, []string{in}, MergeOptions{}); err != nil {
		t.Fatal(err)
	}
	trap.Check(t)
}
