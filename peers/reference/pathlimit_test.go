package reference

import (
	"strings"
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
	cfg.Routing = nil
	cfg.MaxPathsPerPrefix = 3
	sp := startSpeaker(t, cfg)
	p := dialPeer(t, sp.Addr())
	p.establish(edgeHandshake())
	o := originN(1)
	p.send(o.tlocAdv(0))
	reach := vroutes("20.0.0.0/24", "20.0.0.0/24", "20.0.0.0/24", "20.0.0.0/24")
	for i := range reach.VRoutes {
		reach.VRoutes[i].PathID = uint32(i + 1)
	}
	p.send(&omp.Update{Attributes: append(o.routeAttrs(0, 0), omp.Attr(&omp.AttrReachables{Reach: reach}))})
	a := p.expectAlert(omp.ErrOper, omp.SubErrOperClear)
	if string(a.Data) != string(u32b(3)) {
		t.Errorf("ALERT data %x, want the limit 3", a.Data)
	}
	r, _ := RIB(sp.Routing())
	waitFor(t, "routes withdrawn", func() bool { return r.Stats().Paths == 0 })
	ps, _ := sp.Peer(edgeID.String())
	if ps.LastAlertOut == nil || !strings.Contains(ps.LastReason, "max-paths-per-prefix 3") {
		t.Errorf("peer %+v", ps)
	}
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
