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

// A peer whose routes would carry more than MaxAttrSetsPerPeer distinct
// attribute sets is closed as for the route limit: ALERT OPER/CLEAR, data
// the limit, routes withdrawn. Routes that each came with attributes of
// their own (a PREF each) took the daemon 1,779 bytes a route where
// shared ones took 118: 3.5 GB at the 2M route limit.
func TestAttrSetLimit(t *testing.T) {
	cfg := testConfig()
	cfg.MaxAttrSetsPerPeer = 3 // the TLOC's set and two vRoute sets
	sp, p, o := limitedEdge(t, cfg)
	p.send(o.routeAdv(10, 0, "10.1.0.0/16"))
	p.send(o.routeAdv(20, 0, "10.2.0.0/16"))
	p.send(o.routeAdv(20, 0, "10.3.0.0/16")) // a set it has
	p.send(o.routeAdv(30, 0, "10.4.0.0/16"))
	expectLimitClear(t, sp, p, 3, "max-attribute-sets-per-peer 3")
}

// The default is DefaultMaxAttrSetsPerPeer; -1 is no limit.
func TestAttrSetLimitDefault(t *testing.T) {
	for _, c := range []struct{ set, want int }{{0, DefaultMaxAttrSetsPerPeer}, {-1, 0}, {5, 5}} {
		if got := limitOf(c.set, DefaultMaxAttrSetsPerPeer); got != c.want {
			t.Errorf("MaxAttrSetsPerPeer %d: limit %d, want %d", c.set, got, c.want)
		}
	}
}
