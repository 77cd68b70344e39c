package rib

import (
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

type grNet struct {
	r      *RIB
	now    time.Time
	e, rx  PeerID
	v      *view
	tl     omp.TLOCNLRI
	routes []omp.VRouteNLRI
}

func newGRNet(t *testing.T, gr time.Duration) *grNet {
	n := &grNet{now: time.Unix(1000, 0)}
	var err error
	n.r, err = New(Config{Role: omp.RoleController, RouterID: a("10.0.0.100"), SiteID: 100, Now: func() time.Time { return n.now }})
	if err != nil {
		t.Fatal(err)
	}
	n.e = peerUp(t, n.r, "1.1.1.1", 1, gr)
	n.rx = peerUp(t, n.r, "9.9.9.9", 9, 0)
	n.tl = tlocN("192.0.2.1", 1, 2)
	for i := 0; i < 4; i++ {
		n.routes = append(n.routes, vroute(1, v4(i<<8).String()+"/24", 1, 1))
	}
	apply(t, n.r, n.e, advT([]omp.TLOCNLRI{n.tl}))
	apply(t, n.r, n.e, advV(n.tl, n.routes))
	n.v = newView(t)
	n.v.drain(n.r, n.rx)
	if len(n.v.routes) != 5 {
		t.Fatalf("receiver has %d routes", len(n.v.routes))
	}
	return n
}

func stale(r *RIB) (n int) {
	for _, f := range Families() {
		for _, rt := range r.Routes(f) {
			if rt.Stale {
				n++
			}
		}
	}
	return n
}

func TestGRMarkAndSweep(t *testing.T) {
	n := newGRNet(t, time.Minute)
	n.r.PeerDown(n.e, true)
	if got := stale(n.r); got != 5 {
		t.Fatalf("%d stale paths, want 5", got)
	}
	n.v.reset()
	n.v.drain(n.r, n.rx)
	if n.v.msgs != 0 || len(n.v.routes) != 5 {
		t.Fatalf("receiver lost routes during GR: %d messages, %d routes", n.v.msgs, len(n.v.routes))
	}
	if at, ok := n.r.NextExpiry(); !ok || !at.Equal(n.now.Add(time.Minute)) {
		t.Fatalf("NextExpiry %v %v", at, ok)
	}
	// The peer comes back with the same router ID and the same PeerID.
	id, err := n.r.PeerUp(PeerInfo{RouterID: a("1.1.1.1"), SiteID: 1, GracefulRestart: time.Minute})
	if err != nil || id != n.e {
		t.Fatalf("PeerUp: %v %v", id, err)
	}
	if stale(n.r) != 5 {
		t.Fatal("stale marks lost on reconnect")
	}
	apply(t, n.r, n.e, advT([]omp.TLOCNLRI{n.tl}))
	apply(t, n.r, n.e, advV(n.tl, n.routes[:2]))
	if got := stale(n.r); got != 2 {
		t.Fatalf("%d stale after re-advertisement, want 2", got)
	}
	// EOR of the TLOC family sweeps nothing: no stale TLOC.
	if err := n.r.Inform(n.e, &omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}); err != nil {
		t.Fatal(err)
	}
	if stale(n.r) != 2 {
		t.Fatal("TLOC EOR swept vRoutes")
	}
	if err := n.r.Inform(n.e, &omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}); err != nil {
		t.Fatal(err)
	}
	if stale(n.r) != 0 || len(n.r.Routes(VRoute4)) != 2 {
		t.Fatalf("after EOR: %+v", n.r.Routes(VRoute4))
	}
	if _, ok := n.r.NextExpiry(); ok {
		t.Fatal("restart still pending after the sweep")
	}
	n.v.reset()
	n.v.drain(n.r, n.rx)
	if len(n.v.wds) != 2 || len(n.v.adds) != 0 || len(n.v.routes) != 3 {
		t.Fatalf("receiver: withdrawals %v adds %v", n.v.wds, n.v.adds)
	}
}

func TestGRExpiry(t *testing.T) {
	n := newGRNet(t, time.Minute)
	n.r.PeerDown(n.e, true)
	n.r.Expire(n.now.Add(59 * time.Second))
	if stale(n.r) != 5 {
		t.Fatal("purged before the deadline")
	}
	n.r.Expire(n.now.Add(time.Minute))
	if stale(n.r) != 0 || len(n.r.Routes(VRoute4)) != 0 || len(n.r.Routes(TLOC4)) != 0 {
		t.Fatal("not purged at the deadline")
	}
	n.v.drain(n.r, n.rx)
	if len(n.v.routes) != 0 {
		t.Fatalf("receiver still has %v", n.v.routes)
	}
	// Reconnecting after expiry: nothing stale, a normal start.
	if _, err := n.r.PeerUp(PeerInfo{RouterID: a("1.1.1.1"), SiteID: 1}); err != nil {
		t.Fatal(err)
	}
	if _, ok := n.r.NextExpiry(); ok {
		t.Fatal("expiry pending")
	}
}

// The peer comes back and re-advertises one of its four vRoutes, but no
// End-of-RIB comes: the other three stay stale until the deadline, which
// purges them and only them.
func TestGRExpiryAfterReconnectWithoutEOR(t *testing.T) {
	n := newGRNet(t, time.Minute)
	n.r.PeerDown(n.e, true)
	if _, err := n.r.PeerUp(PeerInfo{RouterID: a("1.1.1.1"), SiteID: 1, GracefulRestart: time.Minute}); err != nil {
		t.Fatal(err)
	}
	apply(t, n.r, n.e, advT([]omp.TLOCNLRI{n.tl}))
	apply(t, n.r, n.e, advV(n.tl, n.routes[:1]))
	if got := stale(n.r); got != 3 || len(n.r.Routes(VRoute4)) != 4 {
		t.Fatalf("before the deadline: %d stale of %d vRoutes, want 3 of 4", got, len(n.r.Routes(VRoute4)))
	}
	n.r.Expire(n.now.Add(2 * time.Minute)) // no EOR came
	if rs := n.r.Routes(VRoute4); len(rs) != 1 || rs[0].Stale {
		t.Fatalf("%+v", rs)
	}
}

// A restart is over once the peer has re-advertised every stale path,
// End-of-RIB or not: its next graceful drop is a new outage with the whole
// interval, not what is left of the last one's. (Found by TestOracle.)
func TestGRDeadlineOfANewOutage(t *testing.T) {
	n := newGRNet(t, time.Minute)
	n.r.PeerDown(n.e, true) // deadline +60 s
	n.now = n.now.Add(40 * time.Second)
	if _, err := n.r.PeerUp(PeerInfo{RouterID: a("1.1.1.1"), SiteID: 1, GracefulRestart: time.Minute}); err != nil {
		t.Fatal(err)
	}
	apply(t, n.r, n.e, advT([]omp.TLOCNLRI{n.tl}))
	apply(t, n.r, n.e, advV(n.tl, n.routes))
	if stale(n.r) != 0 {
		t.Fatal("stale paths after re-advertising everything")
	}
	n.r.PeerDown(n.e, true) // deadline +100 s
	if at, ok := n.r.NextExpiry(); !ok || !at.Equal(n.now.Add(time.Minute)) {
		t.Fatalf("NextExpiry %v %v, want %v", at, ok, n.now.Add(time.Minute))
	}
	n.r.Expire(n.now.Add(20 * time.Second)) // the first drop's deadline
	if got := stale(n.r); got != 5 {
		t.Fatalf("%d stale paths at the first drop's deadline, want 5", got)
	}
	n.r.Expire(n.now.Add(time.Minute))
	if got := len(n.r.Routes(VRoute4)) + len(n.r.Routes(TLOC4)); got != 0 {
		t.Fatalf("%d paths after the second drop's deadline", got)
	}
}

// While stale paths of a drop remain, another drop keeps their deadline.
func TestGRDeadlineNotExtended(t *testing.T) {
	n := newGRNet(t, time.Minute)
	deadline := n.now.Add(time.Minute)
	n.r.PeerDown(n.e, true)
	n.now = n.now.Add(30 * time.Second)
	if _, err := n.r.PeerUp(PeerInfo{RouterID: a("1.1.1.1"), SiteID: 1, GracefulRestart: time.Minute}); err != nil {
		t.Fatal(err)
	}
	apply(t, n.r, n.e, advT([]omp.TLOCNLRI{n.tl})) // the vRoutes stay stale
	n.r.PeerDown(n.e, true)
	if at, ok := n.r.NextExpiry(); !ok || !at.Equal(deadline) {
		t.Fatalf("NextExpiry %v %v, want the first drop's %v", at, ok, deadline)
	}
	n.r.Expire(deadline)
	if got := len(n.r.Routes(VRoute4)) + len(n.r.Routes(TLOC4)); got != 0 {
		t.Fatalf("%d paths after the first drop's deadline", got)
	}
}

func TestNoGRWithoutIntervalOrOnAlert(t *testing.T) {
	for _, tc := range []struct {
		gr       time.Duration
		graceful bool
	}{{0, true}, {time.Minute, false}} {
		n := newGRNet(t, tc.gr)
		n.r.PeerDown(n.e, tc.graceful)
		if len(n.r.Routes(VRoute4)) != 0 {
			t.Fatalf("gr %v graceful %v: paths kept", tc.gr, tc.graceful)
		}
		n.v.drain(n.r, n.rx)
		if len(n.v.routes) != 0 {
			t.Fatalf("receiver kept %v", n.v.routes)
		}
	}
}

func TestPeerUpTwice(t *testing.T) {
	n := newGRNet(t, 0)
	if _, err := n.r.PeerUp(PeerInfo{RouterID: a("1.1.1.1")}); err != ErrPeerUp {
		t.Fatalf("second session: %v", err)
	}
}
