package rib

import (
	"net/netip"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

func mcAD(vpn uint64, src string) omp.MulticastNLRI {
	return omp.MulticastNLRI{McastType: omp.McastTypeAD, VPNID: vpn, Label: 7, SourceOriginator: a(src)}
}

func queryNet(t *testing.T) (*RIB, PeerID, omp.TLOCNLRI) {
	n := newCtlNet(t)
	apply(t, n.r, n.e1, advV(n.t1, []omp.VRouteNLRI{vroute(1, "10.1.0.0/16", 1, 1), vroute(1, "10.2.0.0/16", 1, 2)}, &omp.AttrPref{Preference: 5}))
	apply(t, n.r, n.e2, advV(n.t2, []omp.VRouteNLRI{vroute(1, "10.1.0.0/16", 1, 3)}, &omp.AttrPref{Preference: 5}))
	apply(t, n.r, n.e2, advV(n.t2, []omp.VRouteNLRI{vroute(3, "2001:db8::/32", 4, 4)}))
	apply(t, n.r, n.e1, &omp.Update{Attributes: []omp.Attribute{
		omp.Attr(&omp.AttrOriginator{Originator: a("1.1.1.1")}),
		{Flags: omp.AttrExtended, Value: &omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIMulticast,
			Multicast: []omp.MulticastNLRI{mcAD(1, "1.1.1.1"), mcAD(2, "1.1.1.1")}}}}}})
	return n.r, n.rx, n.t1
}

func ask(t *testing.T, r *RIB, q *omp.Query) *view {
	t.Helper()
	out, err := r.Query(onWire(t, q), nil) // the query must be one the codec accepts
	if err != nil {
		t.Fatal(err)
	}
	v := newView(t)
	v.feed(out)
	return v
}

func reachQ(afi omp.AFI, safi omp.SAFI, unreach bool, vs []omp.VRouteNLRI, ts []omp.TLOCNLRI, ms []omp.MulticastNLRI) omp.Attribute {
	rc := omp.Reach{AFI: afi, SAFI: safi, VRoutes: vs, TLOCs: ts, Multicast: ms}
	if unreach {
		return omp.Attribute{Flags: omp.AttrExtended, Value: &omp.AttrUnreachables{Reach: rc}}
	}
	return omp.Attribute{Flags: omp.AttrExtended, Value: &omp.AttrReachables{Reach: rc}}
}

func TestQueryWholeFamily(t *testing.T) {
	r, _, _ := queryNet(t)
	v := ask(t, r, &omp.Query{Attributes: []omp.Attribute{reachQ(omp.AFIIPv4, omp.SAFIVRoute, false, nil, nil, nil)}})
	// 10.1/16 from sites 1 and 2 (multipath), 10.2/16 from site 1.
	if len(v.routes) != 3 || !v.has(VRoute4, "1:10.1.0.0/16", 1, "1.1.1.1") || !v.has(VRoute4, "1:10.1.0.0/16", 1, "2.2.2.2") ||
		!v.has(VRoute4, "1:10.2.0.0/16", 1, "1.1.1.1") {
		t.Fatalf("answer %v", v.routes)
	}
	if p, _ := findAttr[*omp.AttrPref](v.routes[ident{VRoute4, "1:10.2.0.0/16", 1, a("1.1.1.1")}]); p == nil || p.Preference != 5 {
		t.Fatal("attributes missing from the answer")
	}
	v = ask(t, r, &omp.Query{Attributes: []omp.Attribute{reachQ(omp.AFIIPv4, omp.SAFITLOC, false, nil, nil, nil)}})
	if len(v.routes) != 3 {
		t.Fatalf("TLOC answer %v", v.routes)
	}
	v = ask(t, r, &omp.Query{Attributes: []omp.Attribute{reachQ(omp.AFIIPv6, omp.SAFIVRoute, false, nil, nil, nil)}})
	if len(v.routes) != 1 || !v.has(VRoute6, "3:2001:db8::/32", 4, "2.2.2.2") {
		t.Fatalf("IPv6 answer %v", v.routes)
	}
	v = ask(t, r, &omp.Query{Attributes: []omp.Attribute{reachQ(omp.AFIIPv4, omp.SAFIMulticast, false, nil, nil, nil)}})
	if len(v.routes) != 2 {
		t.Fatalf("multicast answer %v", v.routes)
	}
	// An empty family answers nothing.
	v = ask(t, r, &omp.Query{Attributes: []omp.Attribute{reachQ(omp.AFIIPv6, omp.SAFITLOC, false, nil, nil, nil)}})
	if v.msgs != 0 {
		t.Fatalf("%d messages for an empty family", v.msgs)
	}
}

func TestQueryPrefixes(t *testing.T) {
	r, _, t1 := queryNet(t)
	v := ask(t, r, &omp.Query{Attributes: []omp.Attribute{
		// 10.2/16 is there (asked with another Path ID: ignored), 10.3/16 is not.
		reachQ(omp.AFIIPv4, omp.SAFIVRoute, false, []omp.VRouteNLRI{vroute(1, "10.2.0.0/16", 77, 0), vroute(1, "10.3.0.0/16", 0, 0)}, nil, nil),
		// Absence check: 10.3/16 and 10.4/16 are absent, 10.1/16 is present.
		reachQ(omp.AFIIPv4, omp.SAFIVRoute, true, []omp.VRouteNLRI{vroute(1, "10.3.0.0/16", 5, 0), vroute(1, "10.4.0.0/16", 6, 0), vroute(1, "10.1.0.0/16", 1, 0)}, nil, nil),
	}})
	if len(v.adds) != 1 || !v.has(VRoute4, "1:10.2.0.0/16", 1, "1.1.1.1") {
		t.Fatalf("REACHABLES answer %v", v.adds)
	}
	if len(v.wds) != 2 || v.wds[ident{VRoute4, "1:10.3.0.0/16", 5, netip.Addr{}}] != 1 || v.wds[ident{VRoute4, "1:10.4.0.0/16", 6, netip.Addr{}}] != 1 {
		t.Fatalf("UNREACHABLES answer %v", v.wds)
	}
	v = ask(t, r, &omp.Query{Attributes: []omp.Attribute{reachQ(omp.AFIIPv4, omp.SAFITLOC, false, nil, []omp.TLOCNLRI{t1, tlocN("192.0.2.99", 1, 2)}, nil)}})
	if len(v.routes) != 1 || !v.has(TLOC4, "192.0.2.1/1/2", 0, "1.1.1.1") {
		t.Fatalf("TLOC answer %v", v.routes)
	}
	v = ask(t, r, &omp.Query{Attributes: []omp.Attribute{reachQ(omp.AFIIPv4, omp.SAFIMulticast, false, nil, nil, []omp.MulticastNLRI{mcAD(2, "1.1.1.1"), mcAD(3, "1.1.1.1")})}})
	if len(v.routes) != 1 {
		t.Fatalf("multicast answer %v", v.routes)
	}
	v = ask(t, r, &omp.Query{Attributes: []omp.Attribute{reachQ(omp.AFIIPv4, omp.SAFIMulticast, true, nil, nil, []omp.MulticastNLRI{mcAD(2, "1.1.1.1"), mcAD(3, "1.1.1.1")})}})
	if len(v.wds) != 1 {
		t.Fatalf("multicast absence answer %v", v.wds)
	}
}

// A big answer is packed in UPDATEs of at most 4096 bytes.
func TestQueryLargeAnswer(t *testing.T) {
	r, _, _ := loadSender(t, 3000, 0)
	v := ask(t, r, &omp.Query{Attributes: []omp.Attribute{reachQ(omp.AFIIPv4, omp.SAFIVRoute, false, nil, nil, nil)}})
	if len(v.adds) != 3000 || v.updates > 30 {
		t.Fatalf("%d routes in %d UPDATEs", len(v.adds), v.updates)
	}
}

// A whole family is answered a window of destinations at a time, the
// lock given back between windows, and every destination once.
func TestQueryWholeFamilyByWindow(t *testing.T) {
	n := 2*scanMax + 100
	r, _, _ := loadSender(t, n, 0)
	windows := 0
	queryWindowDone = func() {
		windows++
		if !r.mu.TryLock() {
			t.Error("the RIB lock is held between windows of a whole-family answer")
			return
		}
		r.mu.Unlock()
	}
	defer func() { queryWindowDone = nil }()
	v := ask(t, r, &omp.Query{Attributes: []omp.Attribute{reachQ(omp.AFIIPv4, omp.SAFIVRoute, false, nil, nil, nil)}})
	if len(v.adds) != n || len(v.routes) != n {
		t.Fatalf("%d routes (%d distinct) answered of %d", len(v.adds), len(v.routes), n)
	}
	if windows < 3 {
		t.Fatalf("%d windows for %d destinations and a TLOC: want 3 or more", windows, n)
	}
}

// BenchmarkQueryWholeFamily answers a QUERY for a family of 100,000
// vRoutes; lock-ns is how long the RIB lock was held for a window, on
// average.
func BenchmarkQueryWholeFamily(b *testing.B) {
	r, _, _ := loadSender(b, 100_000, 0)
	q := &omp.Query{Attributes: []omp.Attribute{reachQ(omp.AFIIPv4, omp.SAFIVRoute, false, nil, nil, nil)}}
	windows := 0
	queryWindowDone = func() { windows++ }
	defer func() { queryWindowDone = nil }()
	var dst []byte
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = r.Query(q, dst[:0])
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(windows, b.N)), "lock-ns")
	b.SetBytes(int64(len(dst)))
}
