package mutators

import (
	"math/rand/v2"
	"testing"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
)

func TestFrame(t *testing.T) {
	wire := testdut.Encode(t, BaseHello())
	if m, rest, ok := Frame(wire); !ok || len(m) != len(wire) || len(rest) != 0 {
		t.Error("whole message")
	}
	if _, _, ok := Frame(wire[:10]); ok {
		t.Error("short header framed")
	}
	if _, _, ok := Frame(wire[:len(wire)-1]); ok {
		t.Error("short message framed")
	}
	bad, _ := Message(BaseHello(), On("header.length", Set(5000)))
	if m, _, ok := Frame(bad); !ok || len(m) != omp.HeaderLen {
		t.Error("unframeable header")
	}
}

// TestRandom checks Random is deterministic for a seed, bounded, and
// applies (the mutation it reports gives the bytes it returns).
func TestRandom(t *testing.T) {
	for _, m := range []omp.Message{BaseUpdate(), BaseHandshake(), BaseHello(), ASPathUpdate(), TLOCRouteUpdate()} {
		wire, fm := encode(t, m)
		rng := rand.New(rand.NewPCG(1, 2))
		kinds := map[OpKind]int{}
		for i := 0; i < 500; i++ {
			mut, out, err := Random(rng, wire, fm)
			if err != nil {
				t.Fatalf("%s: %v", m.Type(), err)
			}
			kinds[mut.Op.Kind]++
			again, err := Apply(wire, fm, mut)
			if err != nil || string(again) != string(out) {
				t.Fatalf("%s: %s does not reproduce: %v", m.Type(), mut, err)
			}
			if d := len(out) - len(wire); d > len(wire)+MaxRandomExtend {
				t.Fatalf("%s: %s grew the message by %d", m.Type(), mut, d)
			}
			// The codec must survive whatever Random makes.
			omp.Decode(out)
		}
		if len(kinds) < 8 {
			t.Errorf("%s: only %d kinds of op: %v", m.Type(), len(kinds), kinds)
		}
		// Same seed, same sequence.
		r1, r2 := rand.New(rand.NewPCG(7, 7)), rand.New(rand.NewPCG(7, 7))
		for i := 0; i < 20; i++ {
			a, _, _ := Random(r1, wire, fm)
			b, _, _ := Random(r2, wire, fm)
			if a.String() != b.String() {
				t.Fatalf("not deterministic: %s vs %s", a, b)
			}
		}
	}
	if _, _, err := Random(rand.New(rand.NewPCG(1, 1)), nil, nil); err == nil {
		t.Error("empty field map: no error")
	}
}
