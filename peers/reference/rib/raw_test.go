package rib

import (
	"fmt"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// rawUpd is an UPDATE with one REACHABLES (or UNREACHABLES) of family f
// whose NLRI is the opaque blob b, after extra attributes.
func rawUpd(f omp.Family, b []byte, withdraw bool, extra ...omp.AttrValue) *omp.Update {
	return reachUpd(omp.Reach{AFI: f.AFI, SAFI: f.SAFI, Raw: b}, withdraw, extra...)
}

var rawFams = []omp.Family{Service4, Service6, Security4, Security6, Link4, Link6, CXP4, CXP6}

// Each family without an NLRI format is reflected as an opaque unit with
// its attributes, and withdrawn with the same bytes.
func TestRawFamiliesReflectedAndWithdrawn(t *testing.T) {
	n := newCtlNet(t)
	blob := []byte{10, 0, 0, 1, 0, 1}
	other := []byte{10, 0, 0, 2, 0, 2, 3}
	for _, f := range rawFams {
		apply(t, n.r, n.e1, rawUpd(f, blob, false, &omp.AttrPref{Preference: 77}))
		apply(t, n.r, n.e1, rawUpd(f, other, false, &omp.AttrPref{Preference: 77}))
	}
	for _, v := range n.v {
		v.reset()
	}
	n.drain()
	for _, f := range rawFams {
		for _, b := range [][]byte{blob, other} {
			dst := fmt.Sprintf("%x", b)
			for id, v := range n.v {
				got := v.has(f, dst, 0, "1.1.1.1")
				if got == (id == n.e1) {
					t.Fatalf("%v %s at peer %d: %v", f, dst, id, got)
				}
				if !got {
					continue
				}
				if p, ok := findAttr[*omp.AttrPref](v.routes[ident{f, dst, 0, a("1.1.1.1")}]); !ok || p.Preference != 77 {
					t.Fatalf("%v %s at peer %d: PREF %v %v", f, dst, id, p, ok)
				}
			}
		}
		if rs := n.r.Routes(f); len(rs) != 2 || string(rs[0].Raw) != string(blob) || string(rs[1].Raw) != string(other) || !rs[0].Best {
			t.Fatalf("%v: Routes %+v", f, rs)
		}
	}
	// Two blobs with one attribute set are not merged into one NLRI.
	if got := n.v[n.rx].updates; got != 2*len(rawFams) {
		t.Fatalf("receiver got %d UPDATEs, want %d (one per blob)", got, 2*len(rawFams))
	}
	// Re-advertising the same bytes replaces the path; no duplicate.
	apply(t, n.r, n.e1, rawUpd(Service4, blob, false, &omp.AttrPref{Preference: 78}))
	n.drain()
	if rs := n.r.Routes(Service4); len(rs) != 2 {
		t.Fatalf("after re-advertisement: %d routes", len(rs))
	}
	if p, _ := findAttr[*omp.AttrPref](n.v[n.rx].routes[ident{Service4, fmt.Sprintf("%x", blob), 0, a("1.1.1.1")}]); p == nil || p.Preference != 78 {
		t.Fatalf("re-advertisement not reflected: %v", p)
	}
	// Withdrawal with the same bytes; a withdrawal of other bytes or of a
	// prefix of them removes nothing.
	apply(t, n.r, n.e1, rawUpd(Link6, blob[:3], true))
	apply(t, n.r, n.e1, rawUpd(Link6, blob, true))
	n.drain()
	dst := fmt.Sprintf("%x", blob)
	if n.v[n.rx].has(Link6, dst, 0, "1.1.1.1") || n.v[n.rx].wds[ident{Link6, dst, 0, a("1.1.1.1")}] != 1 {
		t.Fatalf("Link6 withdrawal not reflected: wds %v", n.v[n.rx].wds)
	}
	if rs := n.r.Routes(Link6); len(rs) != 1 || string(rs[0].Raw) != string(other) {
		t.Fatalf("Link6 after withdrawal: %+v", rs)
	}
	if !n.v[n.rx].has(Link4, dst, 0, "1.1.1.1") {
		t.Fatal("Link6 withdrawal removed the Link4 route")
	}
}

// A peer's raw routes go with its session.
func TestRawFamilyPeerDown(t *testing.T) {
	n := newCtlNet(t)
	apply(t, n.r, n.e2, rawUpd(CXP4, []byte{1, 2, 3}, false))
	n.drain()
	if !n.v[n.rx].has(CXP4, "010203", 0, "2.2.2.2") {
		t.Fatal("not reflected")
	}
	n.r.PeerDown(n.e2, false)
	delete(n.v, n.e2)
	n.drain()
	if n.v[n.rx].has(CXP4, "010203", 0, "2.2.2.2") || len(n.r.Routes(CXP4)) != 0 {
		t.Fatalf("CXP route survives its peer: %v", n.r.Routes(CXP4))
	}
}

// Graceful restart keeps raw routes stale until the peer's EOR.
func TestRawFamilyGracefulRestart(t *testing.T) {
	r := newRIB(t, omp.RoleController, "10.0.0.100", 100)
	e := peerUp(t, r, "1.1.1.1", 1, time.Minute)
	apply(t, r, e, rawUpd(Security4, []byte{9, 9}, false))
	r.PeerDown(e, true)
	if rs := r.Routes(Security4); len(rs) != 1 || !rs[0].Stale {
		t.Fatalf("after graceful drop: %+v", rs)
	}
	e = peerUp(t, r, "1.1.1.1", 1, time.Minute)
	if err := r.Inform(e, &omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFISecurity}); err != nil {
		t.Fatal(err)
	}
	if rs := r.Routes(Security4); len(rs) != 0 {
		t.Fatalf("EOR did not sweep: %+v", rs)
	}
}

// The initial advertisement of a raw family ends with its EOR, and a
// REFRESH_REQUEST for it re-sends it, then EOR again.
func TestRawFamilyEORAndRefresh(t *testing.T) {
	r := newRIB(t, omp.RoleController, "10.0.0.100", 100)
	e1 := peerUp(t, r, "1.1.1.1", 1, 0)
	apply(t, r, e1, rawUpd(Service6, []byte{0xAB, 0xCD}, false))
	rx, err := r.PeerUp(PeerInfo{RouterID: a("9.9.9.9"), SiteID: 9, Families: []omp.Family{Service6, VRoute4}})
	if err != nil {
		t.Fatal(err)
	}
	v := newView(t)
	v.drain(r, rx)
	if len(v.eors) != 2 || v.eors[0] != VRoute4 || v.eors[1] != Service6 || v.adds[ident{Service6, "abcd", 0, a("1.1.1.1")}] != 1 {
		t.Fatalf("initial: EORs %v adds %v", v.eors, v.adds)
	}
	if v.msgs != 3 {
		t.Fatalf("initial: %d messages, want UPDATE then two EORs", v.msgs)
	}
	v.reset()
	if err := r.Inform(rx, &omp.Inform{InformType: omp.InformRefreshRequest, AFI: omp.AFIIPv6, SAFI: omp.SAFIService}); err != nil {
		t.Fatal(err)
	}
	v.drain(r, rx)
	if len(v.eors) != 1 || v.eors[0] != Service6 || v.adds[ident{Service6, "abcd", 0, a("1.1.1.1")}] != 1 || v.updates != 1 {
		t.Fatalf("refresh: EORs %v adds %v", v.eors, v.adds)
	}
	// A family the peer did not negotiate is neither stored nor sent.
	apply(t, r, rx, rawUpd(Link4, []byte{1}, false))
	if len(r.Routes(Link4)) != 0 {
		t.Fatal("un-negotiated family stored")
	}
}

// A QUERY names a raw route by its bytes: present, it is advertised; its
// absence is checked with other bytes. The families parse by name.
func TestRawFamilyQueryAndParse(t *testing.T) {
	r := newRIB(t, omp.RoleController, "10.0.0.100", 100)
	e := peerUp(t, r, "1.1.1.1", 1, 0)
	apply(t, r, e, rawUpd(Link4, []byte{5, 6, 7}, false))
	for _, tc := range []struct {
		b    []byte
		want omp.AttrType
	}{{[]byte{5, 6, 7}, omp.AttrTypeReachables}, {[]byte{5, 6}, omp.AttrTypeUnreachables}} {
		// REACHABLES asks for the route; UNREACHABLES checks its absence.
		rc := omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFILink, Raw: tc.b}
		var v omp.AttrValue = &omp.AttrReachables{Reach: rc}
		if tc.want == omp.AttrTypeUnreachables {
			v = &omp.AttrUnreachables{Reach: rc}
		}
		q := &omp.Query{Attributes: []omp.Attribute{omp.Attr(v)}}
		out, err := r.Query(q, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := omp.Decode(out)
		if err != nil {
			t.Fatalf("answer %x: %v", out, err)
		}
		at, ok := m.(*omp.Update).Find(tc.want)
		if !ok {
			t.Fatalf("query %x: answer %v lacks %v", tc.b, m, tc.want)
		}
		var got []byte
		switch v := at.(type) {
		case *omp.AttrReachables:
			got = v.Raw
		case *omp.AttrUnreachables:
			got = v.Raw
		}
		if string(got) != string(tc.b) {
			t.Fatalf("query %x: answered %x", tc.b, got)
		}
	}
	for s, want := range map[string]omp.Family{"ipv4/service": Service4, "ipv6/security": Security6, "ipv4/link": Link4, "ipv6/cxp": CXP6} {
		if f, err := omp.ParseFamily(s); err != nil || f != want {
			t.Errorf("ParseFamily(%q) = %v, %v", s, f, err)
		}
	}
}
