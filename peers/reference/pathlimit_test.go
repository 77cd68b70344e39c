package reference

import (
	"testing"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/rib"
)

// A peer with more than MaxPathsPerPrefix paths to one prefix (one path
// ID each) gets ALERT OPER/CLEAR with the limit as data; its routes go.
// Without the limit, n paths to one prefix cost the RIB n^2 or more
// under its lock (rib.BenchmarkPathsToOnePrefix).
func TestPathLimitPerPrefix(t *testing.T) {
	cfg := testConfig()
	cfg.MaxPathsPerPrefix = 3
	sp, p, o := limitedEdge(t, cfg)
	reach := vroutes("20.0.0.0/24", "20.0.0.0/24", "20.0.0.0/24", "20.0.0.0/24")
	for i := range reach.VRoutes {
		reach.VRoutes[i].PathID = uint32(i + 1)
	}
	p.send(&omp.Update{Attributes: append(o.routeAttrs(0, 0), omp.Attr(&omp.AttrReachables{Reach: reach}))})
	expectLimitClear(t, sp, p, 3, "max-paths-per-prefix 3")
}

// The default is DefaultMaxPathsPerPrefix; -1 is no limit.
func TestPathLimitDefault(t *testing.T) {
	for _, c := range []struct{ set, want int }{{0, DefaultMaxPathsPerPrefix}, {-1, 0}, {5, 5}} {
		cfg := Config{MaxPathsPerPrefix: c.set}
		if got := limitOf(cfg.MaxPathsPerPrefix, DefaultMaxPathsPerPrefix); got != c.want {
			t.Errorf("MaxPathsPerPrefix %d: limit %d, want %d", c.set, got, c.want)
		}
	}
	var pe error = &pathLimitError{&rib.PathLimitError{Family: rib.VRoute4, Max: 64}}
	if _, ok := pe.(alerter); !ok {
		t.Fatal("pathLimitError names no ALERT")
	}
}
