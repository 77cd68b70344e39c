package netfuzz

import (
	"os"
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
	victim, absent := filepath.Join(root, "victim"), filepath.Join(root, "absent")
	writeFile(t, victim, []byte("precious"))
	b := testdut.Encode(t, &omp.Hello{})
	fd := handFinding(KindMismatch, 7, b, Observation{Outcome: OutClose}, nil)
	out := filepath.Join(root, "out")
	if err := fd.Save(out); err != nil {
		t.Fatal(err)
	}
	name := fd.File
	for _, target := range []string{victim, absent} {
		os.Remove(name)
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
		if err := fd.Save(out); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(name); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("finding over a link to %s: %v %v", target, fi.Mode(), err)
		}
	}
	// fuzz merge: a dangling link in the output's corpus, at the name of
	// an input's corpus file.
	in := filepath.Join(root, "in")
	writeFile(t, filepath.Join(in, CorpusDir, "x"), b)
	merged := filepath.Join(root, "merged")
	if err := os.MkdirAll(filepath.Join(merged, CorpusDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(absent, filepath.Join(merged, CorpusDir, "x")); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(merged, []string{in}, MergeOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "precious" {
		t.Errorf("the victim holds %q", got)
	}
	if _, err := os.Lstat(absent); err == nil {
		t.Errorf("a dangling link's target was made")
	}
}
