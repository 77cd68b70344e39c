package rib

import (
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// loadedFlapper is a controller's RIB holding n vRoutes from one edge,
// and a second edge with its TLOC and one vRoute through it.
func loadedFlapper(tb testing.TB, n int) (r *RIB, e PeerID, tl omp.TLOCNLRI) {
	r = newRIB(tb, omp.RoleController, "10.0.0.100", 100)
	src := peerUp(tb, r, "1.1.1.1", 1, 0)
	applyAll(tb, r, src, benchWire(nil, n))
	e = peerUp(tb, r, "2.2.2.2", 2, 0)
	tl = tlocN("192.0.2.2", 1, 2)
	apply(tb, r, e, advT([]omp.TLOCNLRI{tl}))
	apply(tb, r, e, advV(tl, []omp.VRouteNLRI{vroute(1, "172.16.0.0/16", 1, 1)}))
	return r, e, tl
}

// A peer that withdraws and advertises its TLOC re-selects the vRoutes
// through it, not every destination: each of its UPDATEs scanned the
// whole table under the RIB lock (1M vRoutes from another edge: 3.5 ms
// an UPDATE of 42 bytes, BenchmarkTLOCFlap). Flapping the TLOC costs
// about what other UPDATEs of one route cost, not 300 times as much.
func TestTLOCFlapDoesNotScanTheTable(t *testing.T) {
	r, e, tl := loadedFlapper(t, 200_000)
	wd, adv := wireUpdate(t, wdT([]omp.TLOCNLRI{tl})), wireUpdate(t, advT([]omp.TLOCNLRI{tl}))
	const n = 200
	t0 := cpuTime()
	for range n {
		if err := r.Apply(e, wd); err != nil {
			t.Fatal(err)
		}
		if err := r.Apply(e, adv); err != nil {
			t.Fatal(err)
		}
	}
	flaps := time.Duration(cpuTime() - t0)
	t0 = cpuTime()
	for i := range n {
		apply(t, r, e, advV(tl, []omp.VRouteNLRI{vroute(1, "172.17.0.0/16", 1, uint32(2*i))}))
		apply(t, r, e, advV(tl, []omp.VRouteNLRI{vroute(1, "172.17.0.0/16", 1, uint32(2*i+1))}))
	}
	others := time.Duration(cpuTime() - t0)
	if flaps > 20*others+20*time.Millisecond {
		t.Fatalf("%d TLOC flaps took %v of CPU, %d UPDATEs of a vRoute %v", n, flaps, 2*n, others)
	}
	t.Logf("%d TLOC flaps: %v of CPU; %d UPDATEs of a vRoute: %v", n, flaps, 2*n, others)
}

// BenchmarkTLOCFlap: an UPDATE that withdraws or advertises a peer's
// TLOC, one vRoute through it, while another edge holds rib.routes.
//
//	go test -run '^$' -bench TLOCFlap -benchtime 2000x ./peers/reference/rib -rib.routes=1000000
func BenchmarkTLOCFlap(b *testing.B) {
	r, e, tl := loadedFlapper(b, *benchRoutes)
	wd, adv := wireUpdate(b, wdT([]omp.TLOCNLRI{tl})), wireUpdate(b, advT([]omp.TLOCNLRI{tl}))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u := adv
		if i%2 == 0 {
			u = wd
		}
		if err := r.Apply(e, u); err != nil {
			b.Fatal(err)
		}
	}
}
