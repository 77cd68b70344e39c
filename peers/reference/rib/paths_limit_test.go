package rib

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
)

func benchPathsConfig(n int) Config {
	return Config{Role: omp.RoleController, RouterID: a("10.0.0.100"), SiteID: 100, MaxPathsPerDest: n}
}

// samePrefix is n vRoutes to VPN 1, 20.0.0.0/24 with path IDs from+1 on.
func samePrefix(from, n int) []omp.VRouteNLRI {
	vs := make([]omp.VRouteNLRI, n)
	for i := range vs {
		vs[i] = vroute(1, "20.0.0.0/24", uint32(from+i+1), 0)
	}
	return vs
}

func pathsOf(r *RIB, id PeerID) int {
	n := 0
	for _, rt := range r.PathsTo(1, netip.MustParsePrefix("20.0.0.0/24")) {
		if rt.Peer == id {
			n++
		}
	}
	return n
}

// A peer's paths to one destination stop at MaxPathsPerDest: the path
// past it is refused with a *PathLimitError (the NLRI before it stay);
// other peers and other destinations have their own count, and a path the
// peer has already may still be replaced.
func TestMaxPathsPerDest(t *testing.T) {
	r, err := New(Config{Role: omp.RoleController, RouterID: a("10.0.0.100"), SiteID: 100, MaxPathsPerDest: 4})
	if err != nil {
		t.Fatal(err)
	}
	e1, e2 := peerUp(t, r, "1.1.1.1", 1, 0), peerUp(t, r, "2.2.2.2", 2, 0)
	tl := tlocN("192.0.2.1", 1, 2)
	apply(t, r, e1, advT([]omp.TLOCNLRI{tl}))
	err = r.Apply(e1, wireUpdate(t, advV(tl, samePrefix(0, 6))))
	var pe *PathLimitError
	if !errors.As(err, &pe) || pe.Max != 4 || pe.Family != VRoute4 {
		t.Fatalf("6 paths to one prefix, limit 4: %v", err)
	}
	if n := pathsOf(r, e1); n != 4 {
		t.Fatalf("the peer has %d paths to the prefix, want the 4 before the limit", n)
	}
	if n := r.PeerRoutes(e1); n != 5 { // and its TLOC
		t.Fatalf("the peer has %d paths", n)
	}
	// Replacing one it has is no new path.
	apply(t, r, e1, advV(tl, []omp.VRouteNLRI{vroute(1, "20.0.0.0/24", 2, 77)}))
	apply(t, r, e1, advV(tl, []omp.VRouteNLRI{vroute(1, "20.0.1.0/24", 9, 0)}))
	apply(t, r, e2, advV(tl, samePrefix(100, 4)))
	if n := pathsOf(r, e2); n != 4 {
		t.Fatalf("the other peer has %d paths, want 4", n)
	}
	// A withdrawal makes room.
	apply(t, r, e1, wdV([]omp.VRouteNLRI{vroute(1, "20.0.0.0/24", 1, 0)}))
	apply(t, r, e1, advV(tl, samePrefix(50, 1)))
	if n := pathsOf(r, e1); n != 4 {
		t.Fatalf("after a withdrawal and a new path: %d paths", n)
	}
	if err := r.Apply(e1, wireUpdate(t, advV(tl, samePrefix(60, 1)))); !errors.As(err, &pe) {
		t.Fatalf("a fifth path again: %v", err)
	}
}

// An UPDATE re-selects each destination it touches once, not once per
// NLRI: 180 paths to one prefix cost one selection, not 180 (each of
// which compares every pair of the tied paths).
func TestOneSelectionPerDestPerUpdate(t *testing.T) {
	r, err := New(benchPathsConfig(1000))
	if err != nil {
		t.Fatal(err)
	}
	e1 := peerUp(t, r, "1.1.1.1", 1, 0)
	tl := tlocN("192.0.2.1", 1, 2)
	apply(t, r, e1, advT([]omp.TLOCNLRI{tl}))
	vs := append(samePrefix(0, 170), vroute(1, "20.0.1.0/24", 1, 0))
	vs = append(vs, samePrefix(170, 9)...) // the first prefix again, after another
	before := r.selections
	apply(t, r, e1, advV(tl, vs))
	if got := r.selections - before; got != 2 {
		t.Fatalf("an UPDATE of 180 paths to two prefixes made %d selections, want 2", got)
	}
	before = r.selections
	apply(t, r, e1, wdV(samePrefix(0, 179)))
	if got := r.selections - before; got != 1 {
		t.Fatalf("withdrawing 179 paths to one prefix made %d selections, want 1", got)
	}
	apply(t, r, e1, advV(tl, samePrefix(0, 179)))
	before = r.selections
	r.SetPolicy(policy.MustParse("rule 10 match prefix 20.0.0.0/24 then set preference 7\n"))
	if got := r.selections - before; got != 1 {
		t.Fatalf("a policy changing 179 paths to one prefix made %d selections, want 1", got)
	}
	for _, rt := range r.PathsTo(1, netip.MustParsePrefix("20.0.0.0/24")) {
		if !rt.Best {
			t.Fatalf("path %d not best after the policy: all tie", rt.PathID)
		}
	}
	before = r.selections
	r.PeerDown(e1, false)
	if got := r.selections - before; got != 3 { // two prefixes and the TLOC
		t.Fatalf("the peer's drop made %d selections, want 3", got)
	}
}
