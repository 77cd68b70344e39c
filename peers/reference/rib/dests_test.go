package rib

import (
	"fmt"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// Keys kept in wide records (IPv6 addresses, VPN IDs over 32 bits) tell
// apart keys that differ in any part, come back whole, and free their records with their dests.
func TestWideKeys(t *testing.T) {
	n := newCtlNet(t)
	t6 := tlocN("2001:db8::1", 4, 2)
	apply(t, n.r, n.e1, advT([]omp.TLOCNLRI{t6}))
	vs := []omp.VRouteNLRI{vroute(5, "2001:db8:5::/48", 1, 9), vroute(5, "2001:db9:5::/48", 1, 9),
		vroute(5, "2001:db8:5::1/128", 1, 9), vroute(5, "2001:db8:5::2/128", 1, 9), vroute(6, "2001:db8:5::/48", 1, 9),
		vroute(5, "::/0", 1, 9)}
	apply(t, n.r, n.e1, advV(t6, vs))
	n.drain()
	rx := n.v[n.rx]
	for _, v := range vs {
		if !rx.has(VRoute6, prefixID(v), 1, "1.1.1.1") {
			t.Fatalf("%v not reflected: %v", v, rx.routes)
		}
	}
	if got := len(n.r.Routes(VRoute6)); got != len(vs) {
		t.Fatalf("%d IPv6 vRoutes, want %d", got, len(vs))
	}
	if !rx.has(TLOC6, "2001:db8::1/4/2", 0, "1.1.1.1") {
		t.Fatalf("IPv6 TLOC not reflected")
	}
	// IPv4 vRoutes whose VPN IDs differ in the high half only.
	v4 := []omp.VRouteNLRI{vroute(5, "10.0.0.0/8", 1, 9), vroute(1<<32|5, "10.0.0.0/8", 1, 9),
		vroute(1<<63|5, "10.0.0.0/8", 1, 9), vroute(1<<32|5, "10.0.0.1/32", 1, 9)}
	apply(t, n.r, n.e1, advV(n.t1, v4))
	n.drain()
	for _, v := range v4 {
		if id := fmt.Sprintf("%d:%s/%d", v.VPNID, v.Address, v.PrefixLen); !rx.has(VRoute4, id, 1, "1.1.1.1") {
			t.Fatalf("%s not reflected: %v", id, rx.routes)
		}
	}
	if got := len(n.r.Routes(VRoute4)); got != len(v4) {
		t.Fatalf("%d IPv4 vRoutes, want %d", got, len(v4))
	}
	apply(t, n.r, n.e1, wdV(vs))
	apply(t, n.r, n.e1, wdV(v4))
	apply(t, n.r, n.e1, wdT([]omp.TLOCNLRI{t6}))
	n.drain()
	if len(rx.routes) != 3 { // the three IPv4 TLOCs
		t.Fatalf("left after withdrawals: %v", rx.routes)
	}
	n.drain()
	n.r.mu.Lock()
	defer n.r.mu.Unlock()
	for f := range n.r.logs {
		n.r.compact(f)
	}
	if w := n.r.dests.wide.live; w != 0 {
		t.Fatalf("%d wide records left", w)
	}
}

func prefixID(v omp.VRouteNLRI) string {
	k, _ := vrKey(fVR6, v.VPNID, v.PrefixLen, v.Address)
	return fmt.Sprintf("%d:%s", v.VPNID, k.prefix())
}

// When a peer leaves and its routes go, the dest arena and the wide
// records give back their chunks.
func TestWideTrimmed(t *testing.T) {
	defer func(m int) { compactMin = m }(compactMin)
	compactMin = 0
	r := newRIB(t, omp.RoleController, "10.0.0.100", 100)
	s := peerUp(t, r, "1.1.1.1", 1, 0)
	t6 := tlocN("2001:db8::1", 4, 2)
	apply(t, r, s, advT([]omp.TLOCNLRI{t6}))
	var vs []omp.VRouteNLRI
	for i := range 3 * chunkSize {
		vs = append(vs, vroute(1, fmt.Sprintf("2001:db8:%x:%x::/64", i>>8, i&0xFF), 0, 0))
		if len(vs) == 100 || i == 3*chunkSize-1 {
			apply(t, r, s, advV(t6, vs))
			vs = vs[:0]
		}
	}
	if r.dests.wide.next < 3*chunkSize {
		t.Fatalf("%d wide records", r.dests.wide.next)
	}
	r.PeerDown(s, false)
	if r.dests.wide.live != 0 || r.dests.wide.next > 1 || r.dests.next > 1 {
		t.Fatalf("left: %d wide records (next %d), dests next %d", r.dests.wide.live, r.dests.wide.next, r.dests.next)
	}
}
