package netfuzz

import (
	"context"
	"encoding/hex"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

type drawn struct {
	iter int
	hex  string
}

func inputsOf(t *testing.T, cfg Config) []drawn {
	t.Helper()
	var out []drawn
	cfg.OnInput = func(in Input) { out = append(out, drawn{in.Iteration, in.Hex}) }
	run(t, cfg)
	return out
}

// A seed draws the same inputs every time; shards of one seed draw
// disjoint iterations (so disjoint random streams) that together are
// the unsharded run's.
func TestShardsAreDeterministicAndDisjoint(t *testing.T) {
	d := startTestDUT(t, behaveWell)
	cfg := testConfig(d.addr(), 30)
	cfg.Phase = mutators.PhaseEstablished
	a, b := inputsOf(t, cfg), inputsOf(t, cfg)
	if len(a) != 30 || len(a) != len(b) {
		t.Fatalf("%d and %d inputs", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("input %d differs between two runs of seed %d: %v, %v", i, cfg.Seed, a[i], b[i])
		}
	}
	seen := map[int]int{}
	for k := 1; k <= 3; k++ {
		sc := cfg
		sc.Iterations, sc.Shard, sc.Shards = 10, k, 3
		for _, in := range inputsOf(t, sc) {
			if in.iter%3 != k%3 {
				t.Errorf("shard %d/3 drew iteration %d", k, in.iter)
			}
			seen[in.iter]++
		}
	}
	for i := 1; i <= 30; i++ {
		if seen[i] != 1 {
			t.Errorf("iteration %d drawn %d times by the three shards", i, seen[i])
		}
	}
	bad := cfg
	bad.Shard, bad.Shards = 4, 3
	if _, err := Run(context.Background(), bad); err == nil {
		t.Error("shard 4/3 accepted")
	}
}

// Findings are minimised (fewer messages, fewer bytes) while they still
// reproduce, and kept once per minimised reproducer and outcome.
func TestMinimizeFindings(t *testing.T) {
	d, cfg := findingConfig(t, behaveWrongSubcode, 60)
	cfg.Minimize = true
	rep := run(t, cfg)
	if len(rep.Findings) == 0 {
		t.Fatalf("no finding: %v", rep.Counts)
	}
	t.Logf("%d findings kept after minimisation, %d duplicates dropped (counts %v)", len(rep.Findings), rep.Duplicates, rep.Counts)
	keys := map[string]bool{}
	smaller := false
	for _, f := range rep.Findings {
		st := f.Minimized
		if st == nil || !st.Reproduced || st.ToBytes > st.FromBytes || st.ToMessages > st.FromMessages || f.File == "" {
			t.Fatalf("finding %s: minimised %+v, file %q", f.Summary, st, f.File)
		}
		t.Logf("%s: %s", f.Reproducer, st)
		smaller = smaller || st.ToBytes < st.FromBytes
		if keys[f.Reproducer] {
			t.Errorf("two findings with reproducer %s", f.Reproducer)
		}
		keys[f.Reproducer] = true
		if res := replay(t, testConfig(d.addr(), 0), f); !res.Reproduced {
			t.Errorf("the minimised finding does not reproduce: %s", res)
		}
	}
	if !smaller {
		t.Error("no finding got fewer bytes")
	}

	// Fewer messages: valid HELLOs before the input go.
	f := rep.Findings[0]
	hello := hex.EncodeToString(testdut.Encode(t, &omp.Hello{}))
	f.History = append(f.History, Input{Phase: mutators.PhaseEstablished, Hex: hello}, Input{Phase: mutators.PhaseEstablished, Hex: hello})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mcfg := testConfig(d.addr(), 0)
	m, err := Minimize(ctx, mcfg, f)
	if err != nil {
		t.Fatal(err)
	}
	if m.Minimized.FromMessages < 3 || m.Minimized.ToMessages != 1 || len(m.History) != 0 || m.Kind != f.Kind {
		t.Errorf("minimised %s: %d history inputs left", m.Minimized, len(m.History))
	}
	if m2, _ := Minimize(ctx, mcfg, f); m2.Reproducer != m.Reproducer {
		t.Errorf("minimising twice gives %s and %s", m.Reproducer, m2.Reproducer)
	}
	// A DUT that behaves does not reproduce it: left as it is.
	good := startTestDUT(t, behaveWell)
	n, err := Minimize(ctx, testConfig(good.addr(), 0), f)
	if err != nil || n.Minimized.Reproduced || n.Input.Hex != f.Input.Hex {
		t.Errorf("not reproducible, yet minimised: %+v %v", n.Minimized, err)
	}
}
