// Package fuzzcorpus keeps the go-fuzz seed corpora of the Fuzz entry
// points (scripts/gofuzz.sh) in step with the seeds their tests give,
// and runs a corpus through its entry point.
package fuzzcorpus

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ompconform/ompconform/internal/filein"
)

// Files is the corpus in dir, which must hold at least the seeds.
// OMP_GOFUZZ_WRITE=1 writes the seeds there first, one file each, named
// by their keys.
func Files(t testing.TB, dir string, seeds map[string][]byte) []string {
	t.Helper()
	if os.Getenv("OMP_GOFUZZ_WRITE") == "1" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range seeds {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) < len(seeds) {
		t.Fatalf("%d files in %s, want the %d seeds (OMP_GOFUZZ_WRITE=1 writes them): %v", len(files), dir, len(seeds), err)
	}
	return files
}

// Run calls fuzz with each file's bytes and gives the files for which it
// returned 1 (an input go-fuzz favours) and the others.
func Run(t testing.TB, files []string, fuzz func([]byte) int) (hits, misses []string) {
	t.Helper()
	for _, f := range files {
		b, err := filein.Read(f, filein.Default)
		if err != nil {
			t.Fatal(err)
		}
		if fuzz(b) == 1 {
			hits = append(hits, f)
		} else {
			misses = append(misses, f)
		}
	}
	return hits, misses
}
