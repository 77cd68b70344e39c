package rib

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

func TestEdgeOriginatesLocalRoutes(t *testing.T) {
	r := newRIB(t, omp.RoleEdge, "7.7.7.7", 7)
	ctl := peerUp(t, r, "10.0.0.100", 100, 0)
	v := newView(t)
	v.drain(r, ctl)
	if len(v.eors) != len(Families()) || len(v.routes) != 0 {
		t.Fatalf("empty edge: EORs %v routes %v", v.eors, v.routes)
	}
	tl := tlocN("192.0.2.7", 1, 2)
	// A route whose TLOC is not configured is not valid: not sent.
	if err := r.AddRoute(LocalRoute{VPN: 1, Prefix: netip.MustParsePrefix("10.7.0.0/16"), PathID: 1, Label: 1007, TLOC: tl,
		Pref: 10, Origin: omp.OriginConnected}); err != nil {
		t.Fatal(err)
	}
	v.drain(r, ctl)
	if len(v.routes) != 0 {
		t.Fatalf("sent before its TLOC: %v", v.routes)
	}
	if err := r.AddTLOC(LocalTLOC{TLOC: tl, Pref: 5, Private: netip.MustParseAddrPort("10.1.1.7:12346"),
		Public: netip.MustParseAddrPort("198.51.100.7:12346")}); err != nil {
		t.Fatal(err)
	}
	v.drain(r, ctl)
	if !v.has(TLOC4, "192.0.2.7/1/2", 0, "7.7.7.7") || !v.has(VRoute4, "1:10.7.0.0/16", 1, "7.7.7.7") {
		t.Fatalf("local routes not sent: %v", v.routes)
	}
	attrs := v.routes[ident{VRoute4, "1:10.7.0.0/16", 1, a("7.7.7.7")}]
	if s, _ := findAttr[*omp.AttrSiteID](attrs); s == nil || s.SiteID != 7 {
		t.Errorf("SITE_ID: %v", attrs)
	}
	if o, _ := findAttr[*omp.AttrOrigin](attrs); o == nil || o.Proto != omp.OriginConnected {
		t.Errorf("ORIGIN: %v", attrs)
	}
	tattrs := v.routes[ident{TLOC4, "192.0.2.7/1/2", 0, a("7.7.7.7")}]
	if p, _ := findAttr[*omp.AttrTLOCV4Private](tattrs); p == nil || p.Port != 12346 {
		t.Errorf("TLOC private: %v", tattrs)
	}
	// Learned routes are not re-advertised by an edge.
	other := tlocN("192.0.2.8", 1, 2)
	apply(t, r, ctl, advT([]omp.TLOCNLRI{other}, &omp.AttrOriginator{Originator: a("8.8.8.8")}))
	apply(t, r, ctl, advV(other, []omp.VRouteNLRI{vroute(1, "10.8.0.0/16", 1, 8)}, &omp.AttrOriginator{Originator: a("8.8.8.8")}))
	v.reset()
	v.drain(r, ctl)
	if v.msgs != 0 {
		t.Fatalf("edge re-advertised learned routes: %d messages", v.msgs)
	}
	fib := r.FIB()
	if len(fib) != 2 || !fib[0].Local || fib[0].NextHops[0] != tl || fib[1].Local || fib[1].NextHops[0] != other {
		t.Fatalf("FIB %+v", fib)
	}
	if fe, ok := r.Lookup(1, a("10.8.200.1")); !ok || fe.Prefix != netip.MustParsePrefix("10.8.0.0/16") {
		t.Fatalf("Lookup %+v %v", fe, ok)
	}
	if _, ok := r.Lookup(2, a("10.8.200.1")); ok {
		t.Fatal("Lookup found a route in another VPN")
	}
	// Removing the local route withdraws it.
	if !r.RemoveRoute(1, netip.MustParsePrefix("10.7.0.0/16"), 1) {
		t.Fatal("RemoveRoute")
	}
	v.drain(r, ctl)
	if v.has(VRoute4, "1:10.7.0.0/16", 1, "7.7.7.7") || len(v.wds) != 1 {
		t.Fatalf("after RemoveRoute: %v %v", v.routes, v.wds)
	}
	if !r.RemoveTLOC(tl) || r.RemoveTLOC(tl) {
		t.Fatal("RemoveTLOC")
	}
}

// Step 2 on an edge: a local route (distance of its origin) beats the
// same prefix learned over OMP (DistanceOMP) whatever their preference;
// step 1: a valid path beats a preferred invalid one.
func TestEdgeDistanceAndValidity(t *testing.T) {
	r := newRIB(t, omp.RoleEdge, "7.7.7.7", 7)
	ctl := peerUp(t, r, "10.0.0.100", 100, 0)
	mine, theirs, nowhere := tlocN("192.0.2.7", 1, 2), tlocN("192.0.2.8", 1, 2), tlocN("192.0.2.9", 1, 2)
	if err := r.AddTLOC(LocalTLOC{TLOC: mine}); err != nil {
		t.Fatal(err)
	}
	pfx := netip.MustParsePrefix("10.5.0.0/16")
	if err := r.AddRoute(LocalRoute{VPN: 1, Prefix: pfx, TLOC: mine, Pref: 1, Origin: omp.OriginStatic}); err != nil {
		t.Fatal(err)
	}
	apply(t, r, ctl, advT([]omp.TLOCNLRI{theirs}, &omp.AttrOriginator{Originator: a("8.8.8.8")}))
	apply(t, r, ctl, advV(theirs, []omp.VRouteNLRI{vroute(1, pfx.String(), 0, 8)}, &omp.AttrPref{Preference: 1000},
		&omp.AttrOriginator{Originator: a("8.8.8.8")}))
	if fe, _ := r.Lookup(1, a("10.5.0.1")); len(fe.NextHops) != 1 || fe.NextHops[0] != mine {
		t.Fatalf("step 2: %+v", fe)
	}
	p2 := netip.MustParsePrefix("10.6.0.0/16")
	apply(t, r, ctl, advV(nowhere, []omp.VRouteNLRI{vroute(1, p2.String(), 0, 9)}, &omp.AttrPref{Preference: 1000},
		&omp.AttrOriginator{Originator: a("9.9.9.9")}))
	apply(t, r, ctl, advV(theirs, []omp.VRouteNLRI{vroute(1, p2.String(), 0, 8)}, &omp.AttrPref{Preference: 1},
		&omp.AttrOriginator{Originator: a("8.8.8.8")}))
	if fe, _ := r.Lookup(1, a("10.6.0.1")); len(fe.NextHops) != 1 || fe.NextHops[0] != theirs {
		t.Fatalf("step 1: %+v", fe)
	}
	// Equal paths through every step: both installed (ECMP).
	p3 := netip.MustParsePrefix("10.9.0.0/16")
	apply(t, r, ctl, advV(theirs, []omp.VRouteNLRI{vroute(1, p3.String(), 1, 8), vroute(1, p3.String(), 2, 8)},
		&omp.AttrOriginator{Originator: a("8.8.8.8")}))
	if fe, _ := r.Lookup(1, a("10.9.0.1")); len(fe.NextHops) != 1 {
		t.Fatalf("ECMP over one TLOC: %+v", fe)
	}
	bestN := 0
	for _, rt := range r.Routes(VRoute4) {
		if rt.Prefix == p3 && rt.Best {
			bestN++
		}
	}
	if bestN != 2 {
		t.Fatalf("%d best paths for equal paths", bestN)
	}
	if r.FIB() == nil {
		t.Fatal("no FIB")
	}
	c := newRIB(t, omp.RoleController, "10.0.0.100", 1)
	if c.FIB() != nil {
		t.Fatal("a controller has a FIB")
	}
}

// The index survives random inserts and removals.
func TestIndexRandom(t *testing.T) {
	var d destArena
	x := newIndex(nil)
	live := map[key]uint32{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		k := key{vpn: uint64(rng.IntN(4)), lo: uint64(rng.IntN(5000)), plen: 32, fam: fVR4}
		if di, ok := live[k]; ok {
			if got := x.find(&k, &d); got != di {
				t.Fatalf("find %v = %d, want %d", k, got, di)
			}
			x.remove(&k, di)
			d.free(di)
			delete(live, k)
			continue
		}
		if x.find(&k, &d) != 0 {
			t.Fatalf("found removed %v", k)
		}
		di := d.alloc()
		d.set(di, &k)
		x.insert(&k, di)
		live[k] = di
	}
	if x.n != len(live) {
		t.Fatalf("n %d, live %d", x.n, len(live))
	}
	for k, di := range live {
		if x.find(&k, &d) != di {
			t.Fatalf("lost %v", k)
		}
	}
}
