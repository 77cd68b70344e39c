package rib

import (
	"testing"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
)

func TestControllerPolicy(t *testing.T) {
	n := newCtlNet(t)
	pfx := []omp.VRouteNLRI{vroute(1, "10.0.0.0/24", 1, 10)}
	apply(t, n.r, n.e1, advV(n.t1, pfx, &omp.AttrPref{Preference: 100}))
	apply(t, n.r, n.e2, advV(n.t2, pfx, &omp.AttrPref{Preference: 100}))
	apply(t, n.r, n.e1, advV(n.t1, []omp.VRouteNLRI{vroute(1, "10.66.0.0/16", 1, 10)}))
	n.drain()
	rx := n.v[n.rx]
	if !rx.hasFrom(VRoute4, "1:10.0.0.0/24", "1.1.1.1") || !rx.hasFrom(VRoute4, "1:10.0.0.0/24", "2.2.2.2") {
		t.Fatalf("before policy: %v", rx.routes)
	}
	// Prefer site 2, drop 10.66/16.
	n.r.SetPolicy(policy.MustParse(`
rule 10 match prefix 10.66.0.0/16 then reject
rule 20 match site 2 then set preference 500
`))
	n.drain()
	if rx.hasFrom(VRoute4, "1:10.0.0.0/24", "1.1.1.1") || !rx.hasFrom(VRoute4, "1:10.0.0.0/24", "2.2.2.2") || rx.hasFrom(VRoute4, "1:10.66.0.0/16", "1.1.1.1") {
		t.Fatalf("with policy: %v", rx.routes)
	}
	if p, _ := findAttr[*omp.AttrPref](rx.from(VRoute4, "1:10.0.0.0/24", "2.2.2.2")); p == nil || p.Preference != 500 {
		t.Fatalf("reflected PREF %v", p)
	}
	// The TLOC of site 2 also matched (set preference applies to TLOCs).
	if p, _ := findAttr[*omp.AttrPref](rx.routes[ident{TLOC4, "192.0.2.2/1/2", 0, a("2.2.2.2")}]); p == nil || p.Preference != 500 {
		t.Fatalf("TLOC PREF %v", p)
	}
	rejected := 0
	for _, rt := range n.r.Routes(VRoute4) {
		if rt.Rejected {
			rejected++
		}
	}
	if rejected != 1 {
		t.Fatalf("%d rejected", rejected)
	}
	// New routes go through the policy as they arrive.
	apply(t, n.r, n.e3, advV(n.t3, []omp.VRouteNLRI{vroute(1, "10.66.0.0/16", 2, 10)}))
	n.drain()
	if len(rx.routes) != 4 { // three TLOCs and 10.0/24 from site 2
		t.Fatalf("after a rejected arrival: %v", rx.routes)
	}
	n.r.SetPolicy(nil)
	n.drain()
	// 10.66/16: both paths are of site 1 now; E3 has the higher router ID.
	if !rx.hasFrom(VRoute4, "1:10.0.0.0/24", "1.1.1.1") || rx.hasFrom(VRoute4, "1:10.66.0.0/16", "1.1.1.1") || !rx.hasFrom(VRoute4, "1:10.66.0.0/16", "3.3.3.3") {
		t.Fatalf("policy removed: %v", rx.routes)
	}
	if p, _ := findAttr[*omp.AttrPref](rx.from(VRoute4, "1:10.0.0.0/24", "2.2.2.2")); p == nil || p.Preference != 100 {
		t.Fatalf("PREF after removal %v", p)
	}
	// No attribute set leaks: only those in use remain.
	n.r.mu.Lock()
	defer n.r.mu.Unlock()
	for id, s := range n.r.sets {
		if s != nil && s.refs <= 0 {
			t.Fatalf("set %d with %d refs", id, s.refs)
		}
	}
	if len(n.r.prefCache) != 0 {
		t.Fatalf("derived sets left: %v", n.r.prefCache)
	}
}

func TestEdgePolicyOnReceived(t *testing.T) {
	r := newRIB(t, omp.RoleEdge, "7.7.7.7", 7)
	ctl := peerUp(t, r, "10.0.0.100", 100, 0)
	ta, tb := tlocN("192.0.2.10", 1, 2), tlocN("192.0.2.20", 2, 2)
	for _, x := range []struct {
		tl   omp.TLOCNLRI
		orig string
	}{{ta, "1.1.1.1"}, {tb, "2.2.2.2"}} {
		apply(t, r, ctl, advT([]omp.TLOCNLRI{x.tl}, &omp.AttrOriginator{Originator: a(x.orig)}))
		apply(t, r, ctl, advV(x.tl, []omp.VRouteNLRI{vroute(1, "10.0.0.0/8", 1, 1)}, &omp.AttrOriginator{Originator: a(x.orig)}))
	}
	if fe, _ := r.Lookup(1, a("10.1.1.1")); len(fe.NextHops) != 1 || fe.NextHops[0] != tb {
		t.Fatalf("without policy: %+v", fe) // higher router ID
	}
	r.SetPolicy(policy.MustParse("rule 1 match family vroute color 1 then set preference 10"))
	if fe, _ := r.Lookup(1, a("10.1.1.1")); len(fe.NextHops) != 1 || fe.NextHops[0] != ta {
		t.Fatalf("with policy: %+v", fe)
	}
	r.SetPolicy(policy.MustParse("rule 1 match family tloc color 1 then reject"))
	if fe, _ := r.Lookup(1, a("10.1.1.1")); len(fe.NextHops) != 1 || fe.NextHops[0] != tb {
		t.Fatalf("TLOC rejected: %+v", fe)
	}
	r.SetPolicy(policy.MustParse("rule 1 match family tloc then reject"))
	if fe, ok := r.Lookup(1, a("10.1.1.1")); ok {
		t.Fatalf("every TLOC rejected, still %+v", fe)
	}
}

// A path whose policy-derived attributes equal another path's received
// ones keeps its own received attributes: removing the policy restores
// them, and leaves the other path's alone.
func TestPolicyDerivedSetNotShared(t *testing.T) {
	n := newCtlNet(t)
	same := []omp.AttrValue{&omp.AttrOriginator{Originator: a("7.7.7.7")}, &omp.AttrSiteID{SiteID: 2}}
	apply(t, n.r, n.e1, advV(n.t1, []omp.VRouteNLRI{vroute(1, "10.1.0.0/16", 1, 10)}, append(same, &omp.AttrPref{Preference: 500})...))
	n.r.SetPolicy(policy.MustParse("rule 20 match site 2 then set preference 500"))
	apply(t, n.r, n.e2, advV(n.t1, []omp.VRouteNLRI{vroute(1, "10.2.0.0/16", 1, 10)}, same...))
	prefs := func() map[PeerID]uint32 {
		m := map[PeerID]uint32{}
		for _, rt := range n.r.Routes(VRoute4) {
			if p, ok := findAttr[*omp.AttrPref](rt.Attrs); ok {
				m[rt.Peer] = p.Preference
			} else {
				m[rt.Peer] = 0
			}
		}
		return m
	}
	if m := prefs(); m[n.e1] != 500 || m[n.e2] != 500 {
		t.Fatalf("with policy: %v", m)
	}
	n.r.SetPolicy(nil)
	if m := prefs(); m[n.e1] != 500 || m[n.e2] != 0 {
		t.Fatalf("policy removed: %v", m)
	}
	n.r.SetPolicy(policy.MustParse("rule 20 match site 2 then set preference 7"))
	if m := prefs(); m[n.e1] != 7 || m[n.e2] != 7 {
		t.Fatalf("second policy: %v", m)
	}
	apply(t, n.r, n.e1, wdV([]omp.VRouteNLRI{vroute(1, "10.1.0.0/16", 1, 10)}))
	apply(t, n.r, n.e2, wdV([]omp.VRouteNLRI{vroute(1, "10.2.0.0/16", 1, 10)}))
	n.r.SetPolicy(nil)
	n.drain()
	n.r.mu.Lock()
	defer n.r.mu.Unlock()
	for f := range n.r.logs { // frees the withdrawals, and the paths they hold
		n.r.compact(f)
	}
	if len(n.r.prefCache) != 0 {
		t.Fatalf("derived sets left: %v", n.r.prefCache)
	}
}
