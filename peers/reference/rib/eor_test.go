package rib

import (
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// staleCount is the peer's fStale paths, counted.
func staleCount(r *RIB, id PeerID) int {
	n := 0
	r.eachPath(func(_ uint32, pa *path) {
		if pa.peer == id && pa.flags&fStale != 0 {
			n++
		}
	})
	return n
}

// An End-of-RIB from a peer with no stale path scans nothing; with stale
// paths it sweeps them, and the peer's count of them follows every
// change (graceful drop, re-advertisement, withdrawal, sweep).
func TestEORWithoutStaleDoesNotScan(t *testing.T) {
	r := newRIB(t, omp.RoleController, "10.0.0.100", 100)
	e1 := peerUp(t, r, "1.1.1.1", 1, time.Minute)
	tl := tlocN("192.0.2.1", 1, 2)
	apply(t, r, e1, advT([]omp.TLOCNLRI{tl}))
	apply(t, r, e1, advV(tl, samePrefix(0, 10)))
	eor := &omp.Inform{InformType: omp.InformEOR, AllFamilies: true}
	before := r.sweeps
	for range 100 {
		if err := r.Inform(e1, eor); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.sweeps - before; got != 0 {
		t.Fatalf("100 EORs with nothing stale made %d sweeps of the table", got)
	}
	r.PeerDown(e1, true)
	if got := r.peers[e1].stale; got != 11 || staleCount(r, e1) != 11 {
		t.Fatalf("after a graceful drop: count %d, stale paths %d, want 11", got, staleCount(r, e1))
	}
	e1 = peerUp(t, r, "1.1.1.1", 1, time.Minute)
	apply(t, r, e1, advT([]omp.TLOCNLRI{tl}))
	apply(t, r, e1, advV(tl, samePrefix(0, 3)))
	apply(t, r, e1, wdV(samePrefix(3, 2)))
	if got, want := r.peers[e1].stale, staleCount(r, e1); got != want || got != 5 {
		t.Fatalf("after 4 re-advertised and 2 withdrawn: count %d, stale paths %d, want 5", got, want)
	}
	if err := r.Inform(e1, eor); err != nil {
		t.Fatal(err)
	}
	if r.peers[e1].stale != 0 || staleCount(r, e1) != 0 || r.peers[e1].restarting || r.PeerRoutes(e1) != 4 {
		t.Fatalf("after the EOR: count %d, stale %d, restarting %v, paths %d", r.peers[e1].stale, staleCount(r, e1), r.peers[e1].restarting, r.PeerRoutes(e1))
	}
}

// BenchmarkEORNothingStale is one End-of-RIB (all families) from a peer
// with nothing stale, on a controller holding -rib.routes vRoutes.
//
//	go test -run '^$' -bench EORNothingStale -benchtime 2000x ./peers/reference/rib -rib.routes=300000
func BenchmarkEORNothingStale(b *testing.B) {
	r, _ := New(Config{Role: omp.RoleController, RouterID: a("10.0.0.100"), SiteID: 100})
	s, _ := r.PeerUp(PeerInfo{RouterID: a("1.1.1.1"), SiteID: 1, Families: []omp.Family{TLOC4, VRoute4}, GracefulRestart: time.Minute})
	applyAll(b, r, s, benchWire(b, *benchRoutes))
	eor := &omp.Inform{InformType: omp.InformEOR, AllFamilies: true}
	for b.Loop() {
		if err := r.Inform(s, eor); err != nil {
			b.Fatal(err)
		}
	}
}

// An End-of-RIB for a family in which the peer has no stale path scans
// nothing, though it has stale paths of another family: a restarting
// peer with stale TLOCs that sent vRoute End-of-RIBs made each 23-byte
// INFORM a scan of the whole table under the RIB lock.
func TestEORWithoutStaleOfItsFamilyDoesNotScan(t *testing.T) {
	r := newRIB(t, omp.RoleController, "10.0.0.100", 100)
	e := peerUp(t, r, "1.1.1.1", 1, time.Hour)
	tl := tlocN("192.0.2.1", 1, 2)
	apply(t, r, e, advT([]omp.TLOCNLRI{tl}))
	apply(t, r, e, advV(tl, samePrefix(0, 3)))
	r.PeerDown(e, true)
	e = peerUp(t, r, "1.1.1.1", 1, time.Hour)
	apply(t, r, e, advV(tl, samePrefix(0, 3))) // the vRoutes are fresh again; the TLOC stays stale
	checkStaleCounts(t, r)
	before := r.sweeps
	for range 100 {
		if err := r.Inform(e, &omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.sweeps - before; got != 0 {
		t.Fatalf("100 vRoute End-of-RIBs with only a TLOC stale made %d scans of the table", got)
	}
	if err := r.Inform(e, &omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}); err != nil {
		t.Fatal(err)
	}
	if got := r.sweeps - before; got != 1 || staleCount(r, e) != 0 {
		t.Fatalf("the TLOC End-of-RIB: %d scans, %d stale left; want 1 and 0", got, staleCount(r, e))
	}
	checkStaleCounts(t, r)
}
