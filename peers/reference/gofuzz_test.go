//go:build gofuzz

package reference

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/internal/fuzzcorpus"
)

// gofuzzCorpus is the go-fuzz seed corpus of Fuzz (scripts/gofuzz.sh).
const gofuzzCorpus = "testdata/gofuzz/session"

// gofuzzSeeds are FuzzSession's seeds (its f.Add calls, and its native
// corpus in testdata/fuzz/FuzzSession), in go-fuzz's raw form.
func gofuzzSeeds(t *testing.T) map[string][]byte {
	hs, hello, upd, ref := byte(0), byte(1), byte(6), byte(4)
	seeds := map[string][]byte{
		"ctrl-established-refresh": {1, 0, hs, 0, hello, 0, upd, 0, ref},
		"ctrl-rib-tloc-timers":     {0x11, 0, hs, 0, hello, 0, upd, 0, 7},
		"edge-rib-policy":          {0x19, 0, hs, 0, hello, 0, 11, 0, 12, 0, 13},
		"ctrl-timers":              {0, 0, hs, 0, hello},
		"ctrl-hello-first":         {1, 0, hello},
		"ctrl-update-xor":          {1, 0, hs, 3, upd, 30, 0xFF},
		"ctrl-raw-garbage":         {1, 2, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
		"edge-hello-xor":           {9, 0, hs, 0, hello, 3, 2, 18, 0x80},
		"ctrl-unknown-inform":      {1, 0, hs, 0, hello, 0, 15, 0, upd},
	}
	native, _ := filepath.Glob("testdata/fuzz/FuzzSession/*")
	for _, f := range native {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// "go test fuzz v1\n[]byte(\"...\")\n"
		_, lit, ok := strings.Cut(strings.TrimSpace(string(b)), "[]byte(")
		v, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
		if !ok || err != nil {
			t.Fatalf("%s: not a native corpus file of one []byte: %v", f, err)
		}
		seeds["native-"+filepath.Base(f)] = []byte(v)
	}
	return seeds
}

// TestGoFuzzCorpus runs the seed corpus through Fuzz: none may panic,
// and some must reach Established. OMP_GOFUZZ_WRITE=1 writes the corpus
// first.
func TestGoFuzzCorpus(t *testing.T) {
	files := fuzzcorpus.Files(t, gofuzzCorpus, gofuzzSeeds(t))
	hits, _ := fuzzcorpus.Run(t, files, Fuzz)
	established := len(hits)
	t.Logf("%d of %d seeds reach Established", established, len(files))
	if established < len(files)/3 {
		t.Errorf("only %d of %d seeds reach Established", established, len(files))
	}
}
