package netfuzz

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference"
)

// faultRun fuzzes the in-process reference in role with the faults, seed
// 1, 4 workers, for at most n inputs, and stops at the first finding of
// kind want ("" stops at none).
func faultRun(t *testing.T, role omp.Role, n int, want Kind, faults ...reference.Fault) *Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := Config{Seed: 1, Iterations: n, Duration: 45 * time.Second, Workers: 4, DialAhead: true, Role: role, Faults: faults,
		Answer: time.Second, Revive: time.Second}
	if want != "" {
		cfg.OnFinding = func(f *Finding) {
			if f.Kind == want {
				cancel()
			}
		}
	}
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

// The fuzzer finds the reference's deliberate faults (docs/faults.md)
// that show in how a speaker answers malformed input: a malformed
// message taken (accepted), another ALERT or none (mismatch), a crash.
// Each is found by seed 1 within a bound about twice the inputs it took
// when the test was written; the correct reference, fuzzed with the same
// seed for as long as the longest bound, gives no finding. Faults of
// timers, best path, reflection and the like need a model of the RIB or
// of time that a fuzzer of bytes does not have (the conformance
// catalogue, `ompconform prove`, shows those).
func TestFindsReferenceFaults(t *testing.T) {
	ctrl, edge := omp.RoleController, omp.RoleEdge
	cases := []struct {
		fault reference.Fault
		role  omp.Role
		kind  Kind
		n     int  // at most this many inputs (first found at about n/2)
		heavy bool // skipped with -short
	}{
		{"header-marker-unchecked", ctrl, KindMismatch, 100, false},
		{"header-unknown-type-ignored", ctrl, KindAccepted, 100, false},
		{"header-length-4097-accepted", ctrl, KindAccepted, 1300, true},
		{"handshake-version-unchecked", ctrl, KindMismatch, 100, false},
		{"handshake-router-id-zero-accepted", ctrl, KindAccepted, 100, false},
		{"handshake-unknown-option-ignored", ctrl, KindMismatch, 250, false},
		{"handshake-bad-capability-length-ignored", edge, KindAccepted, 100, false},
		{"update-flags-unchecked", ctrl, KindAccepted, 100, false},
		{"update-duplicate-attribute-accepted", ctrl, KindAccepted, 260, false},
		{"update-unknown-attribute-accepted", edge, KindMismatch, 100, false},
		{"update-bad-prefix-length-accepted", ctrl, KindMismatch, 200, false},
		{"update-bad-attribute-length-ignored", ctrl, KindAccepted, 100, false},
		{"update-bad-nexthop-ignored", edge, KindAccepted, 420, false},
		{"alert-never", ctrl, KindMismatch, 100, false},
		{"alert-subcode-zero", edge, KindMismatch, 100, false},
		{"alert-wrong-subcode", ctrl, KindMismatch, 100, false},
		{"crash-on-unknown-inform-type", ctrl, KindCrash, 200, false},
		{"crash-on-policy-del-with-data", edge, KindCrash, 1100, true},
		{"crash-on-short-policy-start", edge, KindCrash, 1200, true},
	}
	longest := 0
	for _, c := range cases {
		t.Run(string(c.fault), func(t *testing.T) {
			if c.heavy && testing.Short() {
				t.Skip("-short: a bound of more than 1000 inputs")
			}
			longest = max(longest, c.n)
			rep := faultRun(t, c.role, c.n, c.kind, c.fault)
			var first *Finding
			for _, f := range rep.Findings {
				if f.Kind == c.kind {
					first = f
					break
				}
			}
			if first == nil {
				t.Fatalf("no %s finding in %d inputs (stopped: %s; counts %v)", c.kind, rep.Iterations, rep.Stopped, rep.Counts)
			}
			t.Logf("%s after %d inputs, %s: %s", c.kind, rep.Iterations, rep.Elapsed.Round(time.Millisecond), first.Summary)
		})
	}
	for _, role := range []omp.Role{ctrl, edge} {
		t.Run(fmt.Sprintf("correct-%s", role), func(t *testing.T) {
			rep := faultRun(t, role, longest, "")
			if rep.Iterations != longest || len(rep.Findings) > 0 || rep.Serious() > 0 {
				for _, f := range rep.Findings {
					t.Error(f.Summary)
				}
				t.Fatalf("%d inputs of %d, stopped %s, findings %v", rep.Iterations, longest, rep.Stopped, rep.Counts)
			}
		})
	}
}
