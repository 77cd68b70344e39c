package netfuzz

import (
	"runtime"
	"testing"
	"time"
)

// inputsByIteration runs cfg and maps each input's iteration to its
// bytes; an iteration sent twice fails the test.
func inputsByIteration(t *testing.T, cfg Config) map[int]string {
	t.Helper()
	out := map[int]string{}
	cfg.OnInput = func(in Input) {
		if _, dup := out[in.Iteration]; dup {
			t.Errorf("iteration %d sent twice", in.Iteration)
		}
		out[in.Iteration] = in.Hex
	}
	rep := run(t, cfg)
	if rep.Iterations != len(out) {
		t.Errorf("report counts %d inputs, OnInput saw %d", rep.Iterations, len(out))
	}
	return out
}

// With parallel workers every input is still a function of the seed and
// its iteration: two runs with 4 workers, and one with 1, send the same
// bytes for each iteration (opening-phase HANDSHAKEs included, whose
// router ID follows from the iteration), each iteration exactly once.
func TestWorkersAreDeterministic(t *testing.T) {
	d := startTestDUT(t, behaveWell)
	cfg := testConfig(d.addr(), 80)
	cfg.OpeningPercent = 40
	cfg.Workers, cfg.DialAhead = 4, true
	a, b := inputsByIteration(t, cfg), inputsByIteration(t, cfg)
	one := cfg
	one.Workers, one.DialAhead = 1, false
	c := inputsByIteration(t, one)
	for i := 1; i <= 80; i++ {
		if a[i] == "" {
			t.Fatalf("iteration %d not sent", i)
		}
		if a[i] != b[i] || a[i] != c[i] {
			t.Fatalf("iteration %d: %s (4 workers), %s (again), %s (1 worker)", i, a[i], b[i], c[i])
		}
	}
	if len(a) != 80 || len(c) != 80 {
		t.Fatalf("%d and %d inputs, want 80", len(a), len(c))
	}
	// Sharded and parallel: shard 2/3 with 3 workers draws iterations
	// 2, 5, 8, ... and the same bytes as the unsharded run.
	sc := cfg
	sc.Iterations, sc.Shard, sc.Shards, sc.Workers = 20, 2, 3, 3
	for it, h := range inputsByIteration(t, sc) {
		if it%3 != 2 || it > 59 || h != a[it] && it <= 80 {
			t.Errorf("shard 2/3 sent iteration %d (%s; unsharded %s)", it, h, a[it])
		}
	}
}

// A well-behaved DUT fuzzed by 8 workers dialling ahead gives no
// finding: parallel sessions do not disturb the judgement. The run
// leaves no session (nor its goroutines) behind.
func TestWorkersWellBehavedDUT(t *testing.T) {
	d := startTestDUT(t, behaveWell)
	cfg := testConfig(d.addr(), 400)
	cfg.Workers, cfg.DialAhead = 8, true
	before := runtime.NumGoroutine()
	rep := run(t, cfg)
	for end := time.Now().Add(3 * time.Second); runtime.NumGoroutine() > before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Errorf("%d goroutines after the run, %d before", runtime.NumGoroutine(), before)
			break
		}
	}
	if rep.Iterations != 400 || rep.Stopped != "iterations" {
		t.Errorf("%d iterations, stopped %q; want 400, iterations", rep.Iterations, rep.Stopped)
	}
	if len(rep.Findings) > 0 {
		t.Errorf("%d findings from a DUT that follows the codec", len(rep.Findings))
	}
}

// A DUT that sends its HANDSHAKE only after the peer's first message (a
// responder) is learned and fuzzed, and gives no finding.
func TestWaitingDUT(t *testing.T) {
	d := startTestDUT(t, behaveWaits)
	rep := run(t, testConfig(d.addr(), 200))
	if rep.Iterations != 200 || len(rep.Findings) > 0 {
		t.Errorf("%d iterations (stopped %q: %v), %d findings; want 200 and none", rep.Iterations, rep.Stopped, rep.SaveErrors, len(rep.Findings))
	}
}
