package mutators

import (
	"math/rand/v2"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// FuzzRandomChain chains random mutations, re-reading the field map of
// each result with omp.DecodeFields (partial for malformed messages): no
// step may panic, and Apply never returns bytes outside the 65535 limit.
func FuzzRandomChain(f *testing.F) {
	f.Add(uint64(1), uint64(2), uint8(0))
	f.Add(uint64(3), uint64(4), uint8(1))
	f.Fuzz(func(t *testing.T, s1, s2 uint64, which uint8) {
		targets := []func() omp.Message{msg(BaseUpdate), msg(BaseHandshake), msg(BaseHello), msg(ASPathUpdate), msg(TLOCRouteUpdate), msg(MulticastUpdate), msg(QoSUpdate), msg(BaseEOR)}
		wire, fm, err := omp.EncodeFields(targets[int(which)%len(targets)]())
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(s1, s2))
		for i := 0; i < 8; i++ {
			_, out, err := Random(rng, wire, fm)
			if err != nil {
				return
			}
			if len(out) > 0xFFFF {
				t.Fatalf("%d bytes", len(out))
			}
			_, fm2, _ := omp.DecodeFields(out)
			wire, fm = out, fm2
		}
	})
}

func msg[T omp.Message](f func() T) func() omp.Message { return func() omp.Message { return f() } }
