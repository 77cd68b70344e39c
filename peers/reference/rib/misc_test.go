package rib

import (
	"net/netip"
	"sync"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// Multicast routes and IPv6 families are carried through as they are.
func TestMulticastAndIPv6Reflected(t *testing.T) {
	n := newCtlNet(t)
	t6 := tlocN("2001:db8::1", 4, 2)
	apply(t, n.r, n.e1, advT([]omp.TLOCNLRI{t6}))
	apply(t, n.r, n.e1, advV(t6, []omp.VRouteNLRI{vroute(5, "2001:db8:5::/48", 2, 9)}))
	mj := omp.MulticastNLRI{McastType: omp.McastTypeJoinSG, VPNID: 5, SourceOriginator: a("1.1.1.1"), DestinationOriginator: a("2.2.2.2"),
		SourcePrefixLen: 32, Source: a("10.0.0.1"), GroupPrefixLen: 32, Group: a("232.1.1.1"),
		Prunes: []omp.PrunedSource{{PrefixLen: 32, Address: a("10.0.0.9")}}}
	mu := &omp.Update{Attributes: []omp.Attribute{
		omp.Attr(&omp.AttrTag{Tag: 77}),
		{Flags: omp.AttrExtended, Value: &omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIMulticast,
			Multicast: []omp.MulticastNLRI{mj, mcAD(5, "1.1.1.1")}}}}}}
	apply(t, n.r, n.e1, mu)
	n.drain()
	rx := n.v[n.rx]
	if !rx.has(TLOC6, "2001:db8::1/4/2", 0, "1.1.1.1") || !rx.has(VRoute6, "5:2001:db8:5::/48", 2, "1.1.1.1") {
		t.Fatalf("IPv6: %v", rx.routes)
	}
	b, _ := mcastBytes(omp.AFIIPv4, &mj)
	id := ident{Multicast4, string(hexs(b)), 0, a("1.1.1.1")}
	if tag, _ := findAttr[*omp.AttrTag](rx.routes[id]); tag == nil || tag.Tag != 77 {
		t.Fatalf("multicast JOIN_SG: %v", rx.routes)
	}
	if n.v[n.e1].has(Multicast4, id.dst, 0, "1.1.1.1") {
		t.Fatal("multicast reflected back to its source")
	}
	wd := &omp.Update{Attributes: []omp.Attribute{{Flags: omp.AttrExtended, Value: &omp.AttrUnreachables{Reach: omp.Reach{
		AFI: omp.AFIIPv4, SAFI: omp.SAFIMulticast, Multicast: []omp.MulticastNLRI{mj}}}}}}
	apply(t, n.r, n.e1, wd)
	n.drain()
	if _, ok := rx.routes[id]; ok || len(n.r.Routes(Multicast4)) != 1 {
		t.Fatalf("multicast withdrawal: %v", n.r.Routes(Multicast4))
	}
}

func hexs(b []byte) string {
	const d = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, d[c>>4], d[c&15])
	}
	return string(out)
}

// Families a peer did not negotiate are neither taken from it nor sent.
func TestFamiliesNotNegotiated(t *testing.T) {
	r := newRIB(t, omp.RoleController, "10.0.0.100", 100)
	s, err := r.PeerUp(PeerInfo{RouterID: a("1.1.1.1"), SiteID: 1, Families: []omp.Family{TLOC4}})
	if err != nil {
		t.Fatal(err)
	}
	rx, err := r.PeerUp(PeerInfo{RouterID: a("9.9.9.9"), SiteID: 9, Families: []omp.Family{TLOC4, VRoute4}})
	if err != nil {
		t.Fatal(err)
	}
	tl := tlocN("192.0.2.1", 1, 2)
	apply(t, r, s, advT([]omp.TLOCNLRI{tl}))
	apply(t, r, s, advV(tl, []omp.VRouteNLRI{vroute(1, "10.0.0.0/8", 0, 0)}))
	if len(r.Routes(VRoute4)) != 0 || len(r.Routes(TLOC4)) != 1 {
		t.Fatal("took a family that was not negotiated")
	}
	v := newView(t)
	v.drain(r, rx)
	if len(v.eors) != 2 || len(v.routes) != 1 {
		t.Fatalf("EORs %v routes %v", v.eors, v.routes)
	}
}

// Apply, Next and the state API from several goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	r, s, tl := loadSender(t, 0, 0)
	rx := peerUp(t, r, "9.9.9.9", 9, 0)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		var buf []byte
		for {
			select {
			case <-stop:
				return
			case <-r.Ready(rx):
				for more := true; more; {
					buf, more = r.Next(rx, buf[:0])
				}
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				r.Routes(VRoute4)
				r.FIB()
			}
		}
	}()
	for i := 0; i < 200; i++ {
		x := []omp.VRouteNLRI{vroute(1, v4(i<<8).String()+"/24", 1, 1)}
		if err := r.Apply(s, advV(tl, x)); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if err := r.Apply(s, wdV(x)); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(stop)
	wg.Wait()
	v := newView(t)
	r.Inform(rx, &omp.Inform{InformType: omp.InformRefreshRequest, AllFamilies: true})
	v.drain(r, rx)
	if len(v.routes) != 1+200-67 {
		t.Fatalf("receiver has %d", len(v.routes))
	}
}

// PathsTo lists the paths of one destination, as Routes lists them for
// the whole family, and nothing of the other destinations.
func TestPathsTo(t *testing.T) {
	r := newRIB(t, omp.RoleEdge, "192.0.2.9", 9)
	for _, p := range []string{"10.1.0.0/16", "10.2.0.0/16"} {
		if err := r.AddRoute(LocalRoute{VPN: 1, Prefix: netip.MustParsePrefix(p), TLOC: omp.TLOCNLRI{Address: netip.MustParseAddr("192.0.2.1"), Color: 1, Encap: 2}}); err != nil {
			t.Fatal(err)
		}
	}
	want := netip.MustParsePrefix("10.2.0.0/16")
	var fromAll []Route
	for _, rt := range r.Routes(omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}) {
		if rt.VPN == 1 && rt.Prefix == want {
			fromAll = append(fromAll, rt)
		}
	}
	got := r.PathsTo(1, want)
	if len(got) != 1 || len(fromAll) != 1 || got[0].Prefix != want || got[0].Best != fromAll[0].Best || got[0].Originator != fromAll[0].Originator {
		t.Fatalf("PathsTo %+v, Routes %+v", got, fromAll)
	}
	if r.PathsTo(2, want) != nil || r.PathsTo(1, netip.MustParsePrefix("10.3.0.0/16")) != nil {
		t.Error("paths to a destination that has none")
	}
}
