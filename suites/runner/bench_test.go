package runner

import (
	"context"
	"testing"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/suites/catalog"
)

// The whole catalogue's wall time, a figure to report, not a timed
// assertion: against the in-process reference controller with the
// default concurrency, and in listen mode (one case at a time) against
// the reference as an edge that dials in. Each run must pass the gate.
//
//	go test -run '^$' -bench Catalogue -benchtime 1x ./suites/runner/

func BenchmarkCatalogueInProcess(b *testing.B) {
	for b.Loop() {
		rep := benchRun(b, Config{Factory: dut.Reference(catalog.Controller, nil), Parallel: DefaultParallel})
		longest := time.Duration(0)
		for _, r := range rep.Results {
			if r.Case != nil && r.Case.Timer {
				longest = max(longest, r.Duration)
			}
		}
		b.ReportMetric(rep.Duration.Seconds(), "s/catalogue")
		b.ReportMetric(longest.Seconds(), "s/longest-timer-case")
	}
}

func BenchmarkCatalogueListen(b *testing.B) {
	for b.Loop() {
		addr := testdut.FreeAddr(b)
		sp := startDialingEdge(b, addr)
		rep := benchRun(b, Config{Factory: dut.Remote(Target{}), Listen: addr, AcceptTimeout: 10 * time.Second})
		sp.Close()
		b.ReportMetric(rep.Duration.Seconds(), "s/catalogue")
	}
}

func benchRun(b *testing.B, cfg Config) *Report {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rep, err := Run(ctx, cfg, catalog.All())
	if err != nil {
		b.Fatal(err)
	}
	ReferenceBaseline().Apply(rep)
	if g := rep.Gating(); len(g) > 0 {
		b.Fatalf("the gate failed: %s %s: %s", g[0].ID, g[0].Grade, g[0].Received)
	}
	return rep
}
