//go:build gofuzz

package rib

import (
	"testing"

	"github.com/ompconform/ompconform/internal/fuzzcorpus"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// gofuzzCorpus is the go-fuzz seed corpus of Fuzz (scripts/gofuzz.sh).
const gofuzzCorpus = "testdata/gofuzz/rib"

// gofuzzSeeds are the corpus's inputs, by file name: sessions coming up
// (two with graceful restart), routes advertised from two peers and
// withdrawn, a graceful drop and its expiry, refreshes, End-of-RIBs and
// queries, in each role; and an UPDATE given as raw bytes (shorter than
// 512).
func gofuzzSeeds(t *testing.T) map[string][]byte {
	raw, err := omp.Encode(mutators.BaseUpdate())
	if err != nil {
		t.Fatal(err)
	}
	up := func(p, gr byte) []byte { return []byte{0, p, gr} }
	adv := func(p, i byte) []byte { return []byte{2, p, i} }
	seq := func(role byte, ops ...[]byte) []byte {
		out := []byte{role}
		for _, o := range ops {
			out = append(out, o...)
		}
		return out
	}
	all := byte(2 * len(Families())) // End-of-RIB of every family
	seeds := map[string][]byte{
		"controller-reflect": seq(0, up(0, 1), up(1, 2), up(2, 0), adv(0, 0), adv(1, 1), adv(0, 2), adv(1, 3), adv(2, 0),
			[]byte{4, 0, all}, []byte{4, 1, all + 1}, []byte{6, 0}, []byte{6, byte(len(Families()))}),
		"controller-withdraw": seq(0, up(0, 0), up(1, 0), adv(0, 0), adv(1, 0), adv(0, 6), adv(1, 4), adv(1, 7), []byte{6, 1}),
		"controller-graceful": seq(0, up(0, 1), up(1, 1), adv(0, 0), adv(0, 1), []byte{1, 0, 1}, []byte{5, 0}, up(0, 1),
			adv(0, 0), []byte{4, 0, all}, []byte{1, 1, 1}, []byte{5, 9}),
		"controller-mutated": seq(0, up(0, 1), up(1, 0), []byte{3, 0, 0, 40, 0x01}, []byte{3, 1, 1, 60, 0x80}, []byte{3, 0, 2, 30, 0xFF}),
		"edge-best":          seq(1, up(0, 2), up(1, 2), adv(0, 1), adv(1, 1), adv(0, 0), adv(1, 0), adv(0, 3), []byte{4, 1, all + 1}, []byte{6, 0}),
		"edge-flap":          seq(1, up(0, 1), adv(0, 1), adv(0, 0), []byte{1, 0, 1}, up(0, 1), adv(0, 1), []byte{4, 0, all}, []byte{5, 2}, adv(0, 0), []byte{6, 0}),
		"hub-multicast":      seq(2, up(0, 0), up(1, 0), adv(0, 4), adv(1, 4), adv(0, 1), adv(0, 2), []byte{4, 0, all + 1}, []byte{6, byte(len(Families()))}),
		"controller-raw":     append(seq(0, up(0, 0), up(1, 0), adv(0, 1), []byte{7, 0, byte(len(raw) >> 8), byte(len(raw))}), raw...),
	}
	return seeds
}

// TestGoFuzzCorpus runs the seed corpus through Fuzz: none may panic,
// and three in four must make the RIB send routes (to a peer or in a
// QUERY's answer) or install some. OMP_GOFUZZ_WRITE=1 writes the
// corpus first.
func TestGoFuzzCorpus(t *testing.T) {
	files := fuzzcorpus.Files(t, gofuzzCorpus, gofuzzSeeds(t))
	hits, misses := fuzzcorpus.Run(t, files, Fuzz)
	for _, f := range misses {
		t.Logf("%s: no route sent", f)
	}
	if routes := len(hits); routes < len(files)*3/4 {
		t.Errorf("only %d of %d seeds make the RIB send routes", routes, len(files))
	}
}
