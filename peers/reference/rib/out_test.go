package rib

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

func v4(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}) }

// loadSender makes a controller with sender S (one TLOC, n IPv4 vRoutes
// of /32 in UPDATEs of 100, three attribute sets, and m IPv6 vRoutes).
func loadSender(t testing.TB, n, m int) (*RIB, PeerID, omp.TLOCNLRI) {
	r := newRIB(t, omp.RoleController, "10.0.0.100", 100)
	s := peerUp(t, r, "1.1.1.1", 1, 0)
	tl := tlocN("192.0.2.1", 1, 2)
	apply(t, r, s, advT([]omp.TLOCNLRI{tl}))
	for lo := 0; lo < n; lo += 100 {
		var vs []omp.VRouteNLRI
		for i := lo; i < min(lo+100, n); i++ {
			vs = append(vs, omp.VRouteNLRI{VPNID: 1, PathID: 1, Label: uint32(i), PrefixLen: 32, Address: v4(i)})
		}
		apply(t, r, s, advV(tl, vs, &omp.AttrPref{Preference: uint32(100 * (1 + lo/100%3))}))
	}
	if m > 0 {
		var vs []omp.VRouteNLRI
		for i := 0; i < m; i++ {
			vs = append(vs, omp.VRouteNLRI{VPNID: 2, PathID: 9, Label: 1, PrefixLen: 64,
				Address: netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i >> 8), byte(i), 15: 0})})
		}
		for lo := 0; lo < m; lo += 100 {
			apply(t, r, s, advV(tl, vs[lo:min(lo+100, m)]))
		}
	}
	return r, s, tl
}

func TestOutputPackingAndEOR(t *testing.T) {
	const n, m = 10000, 300
	r, _, _ := loadSender(t, n, m)
	rx := peerUp(t, r, "9.9.9.9", 9, 0)
	v := newView(t)
	// Record, message by message, when each family's routes and EOR come.
	var buf []byte
	lastRoute, eorAt := map[omp.Family]int{}, map[omp.Family]int{}
	for more := true; more; {
		buf, more = r.Next(rx, buf[:0])
		for len(buf) > 0 {
			ln := int(buf[16])<<8 | int(buf[17])
			before := v.msgs
			count := func() map[omp.Family]int {
				c := map[omp.Family]int{}
				for id := range v.adds {
					c[id.fam]++
				}
				return c
			}
			was := count()
			v.feed(buf[:ln])
			if len(v.eors) > len(eorAt) {
				eorAt[v.eors[len(v.eors)-1]] = before
			}
			for f, c := range count() {
				if c > was[f] {
					lastRoute[f] = before
				}
			}
			buf = buf[ln:]
		}
	}
	if len(v.routes) != n+m+1 {
		t.Fatalf("receiver has %d routes, want %d", len(v.routes), n+m+1)
	}
	for id, c := range v.adds {
		if c != 1 {
			t.Fatalf("%v sent %d times", id, c)
		}
	}
	if len(v.eors) != len(Families()) {
		t.Fatalf("EORs %v", v.eors)
	}
	for f, at := range lastRoute {
		if eorAt[f] <= at {
			t.Errorf("%v: EOR at message %d before its last route at %d", f, eorAt[f], at)
		}
	}
	// Packed: 20-byte NLRI, ~75 bytes of attributes, so about 200 a message.
	if per := float64(n) / float64(v.updates); per < 150 {
		t.Errorf("%d UPDATEs for %d routes: %.0f per UPDATE", v.updates, n+m+1, per)
	}
	for i, want := range []uint32{100, 200, 300} {
		id := ident{VRoute4, fmt.Sprintf("1:%v/32", v4(i*100)), 1, a("1.1.1.1")}
		if p, ok := findAttr[*omp.AttrPref](v.routes[id]); !ok || p.Preference != want {
			t.Errorf("%v: PREF %v", id, v.routes[id])
		}
	}
	if got := len(r.Advertised(rx, VRoute4)); got != n {
		t.Errorf("Advertised: %d", got)
	}

	// Refresh: the whole Adj-RIB-Out of the family again, then its EOR.
	v.reset()
	if err := r.Inform(rx, &omp.Inform{InformType: omp.InformRefreshRequest, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}); err != nil {
		t.Fatal(err)
	}
	v.drain(r, rx)
	if len(v.adds) != n || len(v.eors) != 1 || v.eors[0] != VRoute4 {
		t.Fatalf("refresh: %d routes, EORs %v", len(v.adds), v.eors)
	}
	v.reset()
	if err := r.Inform(rx, &omp.Inform{InformType: omp.InformRefreshRequest, AllFamilies: true}); err != nil {
		t.Fatal(err)
	}
	v.drain(r, rx)
	if len(v.adds) != n+m+1 || len(v.eors) != len(Families()) {
		t.Fatalf("refresh all: %d routes, EORs %v", len(v.adds), v.eors)
	}
}

func TestOutputWithdrawPacking(t *testing.T) {
	const n = 5000
	r, s, _ := loadSender(t, n, 0)
	rx := peerUp(t, r, "9.9.9.9", 9, 0)
	v := newView(t)
	v.drain(r, rx)
	v.reset()
	for lo := 0; lo < n; lo += 100 {
		var vs []omp.VRouteNLRI
		for i := lo; i < lo+100; i++ {
			vs = append(vs, omp.VRouteNLRI{VPNID: 1, PathID: 1, PrefixLen: 32, Address: v4(i)})
		}
		apply(t, r, s, wdV(vs))
	}
	v.drain(r, rx)
	if len(v.wds) != n || len(v.adds) != 0 {
		t.Fatalf("%d withdrawals, %d adds", len(v.wds), len(v.adds))
	}
	for id, c := range v.wds {
		if c != 1 {
			t.Fatalf("%v withdrawn %d times", id, c)
		}
	}
	if len(v.routes) != 1 {
		t.Fatalf("left: %v", v.routes)
	}
	if per := n / v.updates; per < 150 {
		t.Errorf("%d withdrawal UPDATEs for %d routes", v.updates, n)
	}
	if got := len(r.Routes(VRoute4)); got != 0 {
		t.Fatalf("Loc-RIB still has %d", got)
	}
	// Withdrawals every peer has seen are freed by compaction.
	newView(t).drain(r, s)
	r.mu.Lock()
	r.compact(fVR4)
	left := r.nexp[fVR4]
	r.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d export entries left", left)
	}
}

// A route that changes many times before the receiver reads is sent
// once, in its last state; one added and withdrawn unseen is not sent.
func TestOutputCoalesces(t *testing.T) {
	r, s, tl := loadSender(t, 0, 0)
	rx := peerUp(t, r, "9.9.9.9", 9, 0)
	v := newView(t)
	v.drain(r, rx)
	v.reset()
	x := []omp.VRouteNLRI{vroute(1, "10.7.0.0/16", 3, 1)}
	for pref := uint32(1); pref <= 5; pref++ {
		apply(t, r, s, advV(tl, x, &omp.AttrPref{Preference: pref}))
	}
	y := []omp.VRouteNLRI{vroute(1, "10.8.0.0/16", 3, 1)}
	apply(t, r, s, advV(tl, y))
	apply(t, r, s, wdV(y))
	v.drain(r, rx)
	if len(v.adds) != 1 || len(v.wds) != 0 || v.updates != 1 {
		t.Fatalf("adds %v withdrawals %v in %d UPDATEs", v.adds, v.wds, v.updates)
	}
	if p, _ := findAttr[*omp.AttrPref](v.routes[ident{VRoute4, "1:10.7.0.0/16", 3, a("1.1.1.1")}]); p == nil || p.Preference != 5 {
		t.Fatalf("routes %v", v.routes)
	}
	// Re-advertising the same thing sends nothing.
	v.reset()
	apply(t, r, s, advV(tl, x, &omp.AttrPref{Preference: 5}))
	v.drain(r, rx)
	if v.msgs != 0 {
		t.Fatalf("%d messages for an unchanged route", v.msgs)
	}
}

func TestPeerDownWithdrawsEverywhere(t *testing.T) {
	r, s, _ := loadSender(t, 1000, 0)
	rx := peerUp(t, r, "9.9.9.9", 9, 0)
	v := newView(t)
	v.drain(r, rx)
	r.PeerDown(s, false)
	v.drain(r, rx)
	if len(v.routes) != 0 {
		t.Fatalf("left after peer down: %d", len(v.routes))
	}
	if len(r.Routes(VRoute4)) != 0 || len(r.Routes(TLOC4)) != 0 {
		t.Fatal("Loc-RIB not empty")
	}
	if err := r.Apply(s, advT([]omp.TLOCNLRI{tlocN("192.0.2.9", 1, 1)})); err != ErrUnknownPeer {
		t.Fatalf("Apply from a down peer: %v", err)
	}
}
