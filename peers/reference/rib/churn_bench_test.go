package rib

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// BenchmarkPeerChurn: a peer's session up and down (a new router ID
// each time) while another peer holds rib.routes vRoutes: with graceful
// restart and no route, without it and one route, with it and one route.
// A drop that has paths to mark or remove scans every path in the RIB.
//
//	go test -run '^$' -bench PeerChurn -benchtime 200x ./peers/reference/rib -rib.routes=1000000
func BenchmarkPeerChurn(b *testing.B) {
	for _, c := range []struct {
		name     string
		gr       time.Duration
		route    bool
		graceful bool
	}{{"gr-no-route", time.Hour, false, true}, {"no-gr-one-route", 0, true, false}, {"gr-one-route", time.Hour, true, true}} {
		b.Run(c.name, func(b *testing.B) {
			r := newRIB(b, omp.RoleController, "10.0.0.100", 100)
			src := peerUp(b, r, "1.1.1.1", 1, 0)
			applyAll(b, r, src, benchWire(b, *benchRoutes))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := i % 60000
				rid := netip.AddrFrom4([4]byte{11, byte(k >> 16), byte(k >> 8), byte(k)})
				id, err := r.PeerUp(PeerInfo{RouterID: rid, SiteID: uint32(k + 2), Type: omp.PeerTypeVEdge, GracefulRestart: c.gr})
				if err != nil {
					b.Fatal(err)
				}
				if c.route {
					if err := r.Apply(id, wireUpdate(b, advT([]omp.TLOCNLRI{tlocN(netip.AddrFrom4([4]byte{198, 18, byte(k >> 8), byte(k)}).String(), 1, 2)}))); err != nil {
						b.Fatal(err)
					}
				}
				r.PeerDown(id, c.graceful)
			}
		})
	}
}

// BenchmarkEORNoneStaleOfItsFamily: a restarting peer's End-of-RIB for vRoutes
// when only its TLOC is stale, while another edge holds rib.routes.
//
//	go test -run '^$' -bench EORNoneStaleOfItsFamily -benchtime 200x ./peers/reference/rib -rib.routes=1000000
func BenchmarkEORNoneStaleOfItsFamily(b *testing.B) {
	r := newRIB(b, omp.RoleController, "10.0.0.100", 100)
	src := peerUp(b, r, "1.1.1.1", 1, 0)
	applyAll(b, r, src, benchWire(b, *benchRoutes))
	e := peerUp(b, r, "2.2.2.2", 2, time.Hour)
	apply(b, r, e, advT([]omp.TLOCNLRI{tlocN("192.0.2.2", 1, 2)}))
	r.PeerDown(e, true)
	e = peerUp(b, r, "2.2.2.2", 2, time.Hour)
	eor := &omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := r.Inform(e, eor); err != nil {
			b.Fatal(err)
		}
	}
}
