package rib

import (
	"flag"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

var benchPaths = flag.Int("rib.paths", 1000, "paths to one prefix per BenchmarkPathsToOnePrefix iteration")

// BenchmarkPathsToOnePrefix measures one peer loading n paths to one
// prefix (VPN 1, 20.0.0.0/24, path IDs 1..n, 180 per UPDATE, all tied),
// the limit on paths per dest raised to n: cpu-ms is the process CPU
// time of the whole load (the RIB lock is held for all of it).
//
//	go test -run '^$' -bench PathsToOnePrefix -benchtime 1x ./peers/reference/rib -rib.paths=1000
func BenchmarkPathsToOnePrefix(b *testing.B) {
	n := *benchPaths
	tl := tlocN("192.0.2.1", 1, 2)
	attrs := []omp.AttrValue{&omp.AttrOriginator{Originator: a("1.1.1.1")}, &omp.AttrSiteID{SiteID: 1}}
	var upds []*omp.Update
	upds = append(upds, wireUpdate(b, advT([]omp.TLOCNLRI{tl}, attrs...)))
	for lo := 0; lo < n; lo += 180 {
		var vs []omp.VRouteNLRI
		for i := lo; i < min(lo+180, n); i++ {
			vs = append(vs, vroute(1, "20.0.0.0/24", uint32(i+1), 0))
		}
		upds = append(upds, wireUpdate(b, advV(tl, vs, attrs...)))
	}
	var cpu, wall float64
	iters := 0
	for b.Loop() {
		r, err := New(benchPathsConfig(n))
		if err != nil {
			b.Fatal(err)
		}
		s, _ := r.PeerUp(PeerInfo{RouterID: a("1.1.1.1"), SiteID: 1})
		c0, t0 := cpuTime(), time.Now()
		for _, u := range upds {
			if err := r.Apply(s, u); err != nil {
				b.Fatal(err)
			}
		}
		cpu += float64(cpuTime() - c0)
		wall += float64(time.Since(t0))
		iters++
		if got := r.PeerRoutes(s); got != n+1 {
			b.Fatalf("peer has %d paths, want %d", got, n+1)
		}
	}
	b.ReportMetric(cpu/float64(iters)/1e6, "cpu-ms")
	b.ReportMetric(wall/float64(iters)/1e6, "wall-ms")
}
