package rib

import (
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// ctlNet is a controller with edges E1 (site 1), E2 (site 2), E3 (site 1)
// and a listening edge R (site 9), each with its receiver view.
type ctlNet struct {
	r              *RIB
	e1, e2, e3, rx PeerID
	v              map[PeerID]*view
	t1, t2, t3     omp.TLOCNLRI
}

func newCtlNet(t *testing.T) *ctlNet {
	n := &ctlNet{r: newRIB(t, omp.RoleController, "10.0.0.100", 100)}
	n.e1 = peerUp(t, n.r, "1.1.1.1", 1, 0)
	n.e2 = peerUp(t, n.r, "2.2.2.2", 2, 0)
	n.e3 = peerUp(t, n.r, "3.3.3.3", 1, 0)
	n.rx = peerUp(t, n.r, "9.9.9.9", 9, 0)
	n.v = map[PeerID]*view{}
	for _, id := range []PeerID{n.e1, n.e2, n.e3, n.rx} {
		n.v[id] = newView(t)
	}
	n.t1, n.t2, n.t3 = tlocN("192.0.2.1", 1, 2), tlocN("192.0.2.2", 1, 2), tlocN("192.0.2.3", 1, 2)
	apply(t, n.r, n.e1, advT([]omp.TLOCNLRI{n.t1}))
	apply(t, n.r, n.e2, advT([]omp.TLOCNLRI{n.t2}))
	apply(t, n.r, n.e3, advT([]omp.TLOCNLRI{n.t3}))
	n.drain()
	return n
}

func (n *ctlNet) drain() {
	for id, v := range n.v {
		v.drain(n.r, id)
	}
}

func TestReflectNotBackToSource(t *testing.T) {
	n := newCtlNet(t)
	// The TLOCs went to every peer but their owner.
	for id, v := range n.v {
		for i, tl := range []omp.TLOCNLRI{n.t1, n.t2, n.t3} {
			owner := []PeerID{n.e1, n.e2, n.e3}[i]
			got := v.has(TLOC4, tl.Address.String()+"/1/2", 0, []string{"1.1.1.1", "2.2.2.2", "3.3.3.3"}[i])
			if got == (id == owner) {
				t.Errorf("peer %d has TLOC %v = %v", id, tl.Address, got)
			}
		}
		if len(v.eors) != len(Families()) {
			t.Errorf("peer %d: EORs %v, want one per family", id, v.eors)
		}
	}
	apply(t, n.r, n.e1, advV(n.t1, []omp.VRouteNLRI{vroute(1, "10.1.0.0/16", 7, 100)}, &omp.AttrPref{Preference: 50}))
	n.drain()
	for id, v := range n.v {
		if got := v.has(VRoute4, "1:10.1.0.0/16", 7, "1.1.1.1"); got == (id == n.e1) {
			t.Errorf("peer %d has the vRoute = %v", id, got)
		}
	}
	// Originator, site and path ID survive the reflection.
	attrs := n.v[n.rx].routes[ident{VRoute4, "1:10.1.0.0/16", 7, a("1.1.1.1")}]
	if s, ok := findAttr[*omp.AttrSiteID](attrs); !ok || s.SiteID != 1 {
		t.Errorf("SITE_ID %v", attrs)
	}
	if p, ok := findAttr[*omp.AttrPref](attrs); !ok || p.Preference != 50 {
		t.Errorf("PREF %v", attrs)
	}
	if nh, ok := findAttr[*omp.AttrTLOC](attrs); !ok || nh.Address != n.t1.Address {
		t.Errorf("TLOC %v", attrs)
	}
}

func TestReflectMultipathBySite(t *testing.T) {
	n := newCtlNet(t)
	pfx := []omp.VRouteNLRI{vroute(1, "10.0.0.0/24", 1, 10)}
	apply(t, n.r, n.e1, advV(n.t1, pfx, &omp.AttrPref{Preference: 100}))
	apply(t, n.r, n.e2, advV(n.t2, pfx, &omp.AttrPref{Preference: 100}))
	apply(t, n.r, n.e3, advV(n.t3, pfx, &omp.AttrPref{Preference: 100}))
	n.drain()
	rx := n.v[n.rx]
	// Sites 1 and 2 tie through step 3: both kept. In site 1, E3 has the
	// higher router ID (step 6).
	for orig, want := range map[string]bool{"1.1.1.1": false, "2.2.2.2": true, "3.3.3.3": true} {
		if got := rx.hasFrom(VRoute4, "1:10.0.0.0/24", orig); got != want {
			t.Errorf("receiver has path from %s = %v, want %v", orig, got, want)
		}
	}
	// Both came with Path ID 1; the controller passes them on under two
	// (RFC 7911 3), so that a receiver that reads a path as its prefix and
	// Path ID holds both, and a withdrawal of one leaves the other.
	if ids := rx.pathIDs(VRoute4, "1:10.0.0.0/24"); len(ids) != 2 || ids[0] == ids[1] {
		t.Errorf("the two sites' paths passed on with Path IDs %v", ids)
	}
	if n.v[n.e2].hasFrom(VRoute4, "1:10.0.0.0/24", "2.2.2.2") || !n.v[n.e2].hasFrom(VRoute4, "1:10.0.0.0/24", "3.3.3.3") {
		t.Errorf("E2 view %v", n.v[n.e2].routes)
	}
	// A higher preference in site 2 wins alone.
	apply(t, n.r, n.e2, advV(n.t2, pfx, &omp.AttrPref{Preference: 200}))
	n.drain()
	if rx.hasFrom(VRoute4, "1:10.0.0.0/24", "3.3.3.3") || !rx.hasFrom(VRoute4, "1:10.0.0.0/24", "2.2.2.2") {
		t.Errorf("after pref 200: %v", rx.routes)
	}
	// Withdrawing it brings the site-1 path back.
	apply(t, n.r, n.e2, wdV(pfx))
	n.drain()
	if rx.hasFrom(VRoute4, "1:10.0.0.0/24", "2.2.2.2") || !rx.hasFrom(VRoute4, "1:10.0.0.0/24", "3.3.3.3") {
		t.Errorf("after withdraw: %v", rx.routes)
	}
	if rx.withdrawnFrom(VRoute4, "1:10.0.0.0/24", "2.2.2.2") != 1 {
		t.Errorf("withdrawals %v", rx.wds)
	}
	got := n.r.Routes(VRoute4)
	if len(got) != 2 {
		t.Fatalf("Loc-RIB %+v", got)
	}
	for _, rt := range got {
		if rt.Best != (rt.Originator == a("3.3.3.3")) {
			t.Errorf("%+v", rt)
		}
	}
}

func TestReflectInvalidUntilTLOC(t *testing.T) {
	n := newCtlNet(t)
	t4 := tlocN("192.0.2.4", 3, 2)
	e4 := peerUp(t, n.r, "4.4.4.4", 4, 0)
	n.v[e4] = newView(t)
	apply(t, n.r, e4, advV(t4, []omp.VRouteNLRI{vroute(2, "172.16.0.0/12", 0, 5)}))
	n.drain()
	if len(n.v[n.rx].routes) != 3 { // the three TLOCs only
		t.Fatalf("an invalid vRoute was reflected: %v", n.v[n.rx].routes)
	}
	if rs := n.r.Routes(VRoute4); len(rs) != 1 || rs[0].Valid || rs[0].Best {
		t.Fatalf("%+v", rs)
	}
	apply(t, n.r, e4, advT([]omp.TLOCNLRI{t4}))
	n.drain()
	if !n.v[n.rx].has(VRoute4, "2:172.16.0.0/12", 0, "4.4.4.4") {
		t.Fatalf("vRoute not reflected once its TLOC came: %v", n.v[n.rx].routes)
	}
	apply(t, n.r, e4, wdT([]omp.TLOCNLRI{t4}))
	n.drain()
	if n.v[n.rx].has(VRoute4, "2:172.16.0.0/12", 0, "4.4.4.4") || n.v[n.rx].has(TLOC4, "192.0.2.4/3/2", 0, "4.4.4.4") {
		t.Fatalf("vRoute kept after its TLOC went: %v", n.v[n.rx].routes)
	}
}

func TestWithdrawByOriginator(t *testing.T) {
	n := newCtlNet(t)
	// E1 advertises paths of two originators (as a controller would).
	pfx := []omp.VRouteNLRI{vroute(1, "10.9.0.0/16", 1, 10)}
	apply(t, n.r, n.e1, advV(n.t1, pfx, &omp.AttrOriginator{Originator: a("1.1.1.1")}))
	apply(t, n.r, n.e1, advV(n.t1, pfx, &omp.AttrOriginator{Originator: a("5.5.5.5")}, &omp.AttrSiteID{SiteID: 5}))
	if len(n.r.Routes(VRoute4)) != 2 {
		t.Fatalf("want two paths: %+v", n.r.Routes(VRoute4))
	}
	apply(t, n.r, n.e1, wdV(pfx, &omp.AttrOriginator{Originator: a("5.5.5.5")}))
	if rs := n.r.Routes(VRoute4); len(rs) != 1 || rs[0].Originator != a("1.1.1.1") {
		t.Fatalf("after withdraw by originator: %+v", rs)
	}
	apply(t, n.r, n.e1, advV(n.t1, pfx, &omp.AttrOriginator{Originator: a("5.5.5.5")}, &omp.AttrSiteID{SiteID: 5}))
	apply(t, n.r, n.e1, wdV(pfx)) // no ORIGINATOR: every originator
	if rs := n.r.Routes(VRoute4); len(rs) != 0 {
		t.Fatalf("after withdraw without originator: %+v", rs)
	}
}
