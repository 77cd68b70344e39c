package mutators

import (
	"errors"
	"math/rand/v2"
	"strings"

	"github.com/ompconform/ompconform/omp"
)

// MaxRandomExtend bounds the bytes Random appends with Extend.
const MaxRandomExtend = 16

// randomTries bounds the attempts Random makes before giving up.
const randomTries = 32

// Random picks a field of fm and an operation that applies to it, with
// bounded parameters (Extend appends at most MaxRandomExtend bytes, Set
// prefers boundary values), applies it to wire, and returns the mutation
// and the result. It retries a few times when a choice cannot be applied
// (Inc at the maximum, a fix-up that does not fit) and fails only if
// wire has no field to mutate. The same rng state gives the same result.
func Random(rng *rand.Rand, wire []byte, fm omp.FieldMap) (Mutation, []byte, error) {
	var cands []omp.Field
	for _, f := range fm {
		if f.Name == "header" || f.Offset+f.Length > len(wire) {
			continue
		}
		cands = append(cands, f)
	}
	if len(cands) == 0 {
		return Mutation{}, nil, errors.New("mutators: random: the field map has no field to mutate")
	}
	var lastErr error
	for range randomTries {
		f := cands[rng.IntN(len(cands))]
		m := Mutation{Field: f.Name, Op: randomOp(rng, f, fm)}
		out, err := Apply(wire, fm, m)
		if err == nil {
			return m, out, nil
		}
		lastErr = err
	}
	return Mutation{}, nil, lastErr
}

// randomOp picks an operation suited to f.
func randomOp(rng *rand.Rand, f omp.Field, fm omp.FieldMap) Op {
	n := f.Length
	if f.Kind == omp.FieldGroup {
		ops := []func() Op{
			func() Op { return Duplicate() },
			func() Op { return Drop() },
			func() Op { return Extend(randBytes(rng, 1+rng.IntN(MaxRandomExtend))) },
			func() Op { return Zero() },
			func() Op { return AllOnes() },
		}
		if n > 0 {
			ops = append(ops, func() Op { return Truncate(1 + rng.IntN(n)) })
		}
		if other, ok := sibling(rng, f, fm); ok {
			ops = append(ops, func() Op { return Reorder(other) }, func() Op { return Reorder(other) })
		}
		return ops[rng.IntN(len(ops))]()
	}
	if n == 0 {
		return Extend(randBytes(rng, 1+rng.IntN(MaxRandomExtend)))
	}
	ops := []func() Op{
		func() Op { return Set(interesting(rng, n)) },
		func() Op { return Set(interesting(rng, n)) },
		func() Op { return Zero() },
		func() Op { return AllOnes() },
		func() Op { return Truncate(1 + rng.IntN(n)) },
		func() Op { return Extend(randBytes(rng, 1+rng.IntN(MaxRandomExtend))) },
		func() Op { return Drop() },
		func() Op { return Duplicate() },
		func() Op { return FlipBits(uint64(1) << rng.IntN(8*min(n, 8))) },
	}
	if n <= 8 {
		ops = append(ops, func() Op { return Inc() }, func() Op { return Dec() })
	}
	if n == 1 {
		ops = append(ops, func() Op { return FlipFlags(uint8(1) << rng.IntN(8)) })
	}
	if f.Kind == omp.FieldLength {
		// Lengths are where parsers break: weight them.
		ops = append(ops, func() Op { return Inc() }, func() Op { return Dec() }, func() Op { return Set(interesting(rng, n)) })
	}
	return ops[rng.IntN(len(ops))]()
}

// interesting returns a boundary value that fits n bytes, or a random one.
func interesting(rng *rand.Rand, n int) uint64 {
	maxV := ^uint64(0)
	if n < 8 {
		maxV = uint64(1)<<(8*uint(n)) - 1
	}
	vals := []uint64{0, 1, 2, 3, maxV, maxV - 1, maxV >> 1, maxV>>1 + 1}
	if n >= 2 {
		vals = append(vals, omp.HeaderLen-1, omp.HeaderLen, omp.MaxMessageLen, omp.MaxMessageLen+1, 255, 256)
	}
	if rng.IntN(4) == 0 {
		return rng.Uint64() & maxV
	}
	return vals[rng.IntN(len(vals))]
}

// sibling picks another element of the same list as f ("x[2]" for
// "x[0]"), if there is one.
func sibling(rng *rand.Rand, f omp.Field, fm omp.FieldMap) (string, bool) {
	if !strings.HasSuffix(f.Name, "]") {
		return "", false
	}
	i := strings.LastIndexByte(f.Name, '[')
	if i < 0 {
		return "", false
	}
	prefix := f.Name[:i+1]
	var sibs []string
	for _, g := range fm {
		if g.Name != f.Name && strings.HasPrefix(g.Name, prefix) && strings.HasSuffix(g.Name, "]") && !strings.ContainsAny(g.Name[len(prefix):len(g.Name)-1], ".[") {
			sibs = append(sibs, g.Name)
		}
	}
	if len(sibs) == 0 {
		return "", false
	}
	return sibs[rng.IntN(len(sibs))], true
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return b
}
