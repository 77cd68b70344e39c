package reference

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/rib"
)

// Integration over loopback: a controller speaker and edge speakers, all
// on the in-tree RIB.

// ribCtrlConfig is the test controller on the RIB.
func ribCtrlConfig() Config {
	cfg := testConfig()
	cfg.Routing = nil
	return cfg
}

// ribEdge starts edge n (router ID 10.0.1.n, site 100+n, TLOC
// 192.0.2.n color 1 encap 2) that originates routes, dialling addr.
func ribEdge(t *testing.T, addr string, n int, routes ...RouteConfig) *Speaker {
	t.Helper()
	cfg := edgeConfig(addr)
	cfg.Routing = nil
	cfg.RouterID = netip.AddrFrom4([4]byte{10, 0, 1, byte(n)})
	cfg.SiteID = uint32(100 + n)
	cfg.TLOCs = []TLOCConfig{{TLOCKey: tlocOf(n), Preference: 100,
		Private: netip.AddrPortFrom(tlocOf(n).Address, 12346)}}
	cfg.Routes = routes
	return startSpeaker(t, cfg)
}

func tlocOf(n int) TLOCKey {
	return TLOCKey{Address: netip.AddrFrom4([4]byte{192, 0, 2, byte(n)}), Color: 1, Encap: 2}
}

func ribOf(t testing.TB, sp *Speaker) *rib.RIB {
	t.Helper()
	r, ok := RIB(sp.Routing())
	if !ok {
		t.Fatal("speaker not on the RIB")
	}
	return r
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// nextHops is the FIB next hops of a prefix at an edge, as addresses.
func nextHops(t testing.TB, sp *Speaker, vpn uint64, p netip.Prefix) []netip.Addr {
	for _, fe := range ribOf(t, sp).FIB() {
		if fe.VPN == vpn && fe.Prefix == p {
			var out []netip.Addr
			for _, nh := range fe.NextHops {
				out = append(out, nh.Address)
			}
			return out
		}
	}
	return nil
}

func waitNextHops(t *testing.T, sp *Speaker, vpn uint64, p netip.Prefix, want ...netip.Addr) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%s next hops of %d:%s to be %v", sp.RouterID(), vpn, p, want), func() bool {
		return slices.Equal(nextHops(t, sp, vpn, p), want)
	})
}

// A controller with three edges: every edge learns the others' routes
// through the controller, which reflects them with their originator.
func TestControllerReflectsRoutes(t *testing.T) {
	ctrl := startSpeaker(t, ribCtrlConfig())
	addr := ctrl.Addr().String()
	var edges []*Speaker
	for n := 1; n <= 3; n++ {
		edges = append(edges, ribEdge(t, addr, n, RouteConfig{VPN: 1, Prefix: pfx(fmt.Sprintf("10.%d.0.0/16", n)), Origin: "static"}))
	}
	for i, e := range edges {
		for n := 1; n <= 3; n++ {
			want := tlocOf(n).Address
			waitNextHops(t, e, 1, pfx(fmt.Sprintf("10.%d.0.0/16", n)), want)
		}
		if ps, _ := ctrl.Peer(e.RouterID().String()); ps.Counters.In["UPDATE"] == 0 || ps.Counters.Out["UPDATE"] == 0 || ps.Counters.In["INFORM"] == 0 {
			t.Errorf("edge %d counters %+v", i+1, ps.Counters)
		}
	}
	snap := ctrl.Routing().Snapshot().(RIBSnapshot)
	if len(snap.Routes) != 3 || len(snap.TLOCs) != 3 {
		t.Fatalf("controller holds %d routes, %d TLOCs", len(snap.Routes), len(snap.TLOCs))
	}
	for _, r := range snap.Routes {
		if !r.Best || !r.Valid || r.From != r.Originator.String() {
			t.Errorf("controller route %+v", r)
		}
	}
	// The reflected route names its originator at the receiving edge.
	for _, r := range ribOf(t, edges[0]).Routes(rib.VRoute4) {
		if r.Prefix == pfx("10.2.0.0/16") && (r.Originator != edges[1].RouterID() || r.SiteID != 102) {
			t.Errorf("reflected route %+v", r)
		}
	}
}

// A withdrawn route disappears from every edge; a best path changes
// when a better route appears and when it goes.
func TestWithdrawAndBestPathChange(t *testing.T) {
	ctrl := startSpeaker(t, ribCtrlConfig())
	addr := ctrl.Addr().String()
	shared := pfx("10.50.0.0/16")
	e1 := ribEdge(t, addr, 1, RouteConfig{VPN: 1, Prefix: shared, Preference: 100}, RouteConfig{VPN: 1, Prefix: pfx("10.1.0.0/16")})
	e2 := ribEdge(t, addr, 2)
	e3 := ribEdge(t, addr, 3)
	waitNextHops(t, e3, 1, shared, tlocOf(1).Address)
	waitNextHops(t, e3, 1, pfx("10.1.0.0/16"), tlocOf(1).Address)

	// Edge 2 originates the shared prefix with a higher preference: the
	// controller's best path changes and edge 3 follows.
	r2 := ribOf(t, e2)
	if err := r2.AddRoute(rib.LocalRoute{VPN: 1, Prefix: shared, Pref: 200, Origin: omp.OriginStatic,
		TLOC: omp.TLOCNLRI{Address: tlocOf(2).Address, Color: 1, Encap: 2}}); err != nil {
		t.Fatal(err)
	}
	waitNextHops(t, e3, 1, shared, tlocOf(2).Address)
	var best []string
	for _, r := range ctrl.Routing().Snapshot().(RIBSnapshot).Routes {
		if r.Prefix == shared && r.Best {
			best = append(best, r.From)
		}
	}
	if !slices.Equal(best, []string{e2.RouterID().String()}) {
		t.Errorf("controller's best paths for %s from %v", shared, best)
	}

	// Edge 2 withdraws it: the best path falls back to edge 1.
	if !r2.RemoveRoute(1, shared, 0) {
		t.Fatal("RemoveRoute")
	}
	waitNextHops(t, e3, 1, shared, tlocOf(1).Address)

	// Edge 1 withdraws its own prefix: gone everywhere.
	if !ribOf(t, e1).RemoveRoute(1, pfx("10.1.0.0/16"), 0) {
		t.Fatal("RemoveRoute")
	}
	waitNextHops(t, e3, 1, pfx("10.1.0.0/16"))
	waitNextHops(t, e2, 1, pfx("10.1.0.0/16"))
	waitFor(t, "the controller to drop 10.1.0.0/16", func() bool {
		for _, r := range ctrl.Routing().Snapshot().(RIBSnapshot).Routes {
			if r.Prefix == pfx("10.1.0.0/16") {
				return false
			}
		}
		return true
	})
}

// fakeEdgeUpdates are what a hand-written edge (fakeEdge) sends: its
// TLOC, its vRoutes to prefixes, End-of-RIB.
func fakeEdgeUpdates(n int, prefixes ...string) []omp.Message {
	tl := tlocOf(n)
	msgs := []omp.Message{&omp.Update{Attributes: []omp.Attribute{
		omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC,
			TLOCs: []omp.TLOCNLRI{{Address: tl.Address, Color: tl.Color, Encap: tl.Encap}}}}),
	}}}
	var vr []omp.VRouteNLRI
	for _, p := range prefixes {
		pp := pfx(p)
		vr = append(vr, omp.VRouteNLRI{VPNID: 1, PrefixLen: uint8(pp.Bits()), Address: pp.Addr()})
	}
	msgs = append(msgs, &omp.Update{Attributes: []omp.Attribute{
		omp.Attr(&omp.AttrTLOC{Address: tl.Address, Color: tl.Color, Encap: tl.Encap}),
		omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: vr}}),
	}})
	return append(msgs, &omp.Inform{InformType: omp.InformEOR, AllFamilies: true})
}

// fakeEdge is a hand-written edge, router 10.0.1.n offering graceful
// restart gr, in session with ctrl: it has sent its TLOC and its vRoutes
// to prefixes, then End-of-RIB.
func fakeEdge(t *testing.T, ctrl *Speaker, n int, gr uint32, prefixes ...string) *peer {
	t.Helper()
	p := dialPeer(t, ctrl.Addr())
	p.establish(fakeEdgeHandshake(n, gr))
	for _, m := range fakeEdgeUpdates(n, prefixes...) {
		p.send(m)
	}
	return p
}

func fakeEdgeHandshake(n int, gr uint32) *omp.Handshake {
	h := edgeHandshake()
	h.PeerRouterID = netip.AddrFrom4([4]byte{10, 0, 1, byte(n)})
	h.SiteID = uint32(100 + n)
	setCaps(h, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC},
		identity(omp.PeerTypeVEdge), &omp.CapGracefulRestart{GRInterval: gr})
	return h
}

// longGR is a graceful-restart interval (in test units: 600 s) longer
// than any wait of a test: routes kept for it are still there when a test
// gives up waiting for them to go, so only End-of-RIB or a flush removes
// them in time.
const longGR = 60000

// ribCtrlLongGR is the test controller on the RIB offering longGR.
func ribCtrlLongGR() Config {
	cfg := ribCtrlConfig()
	cfg.GRInterval = u32p(longGR)
	return cfg
}

// Graceful restart: an edge's session drops without an ALERT; the
// controller keeps its routes, stale, and other edges keep forwarding.
// The edge comes back, re-advertises one of its two routes and sends
// End-of-RIB: the other is swept (not expired: the interval is longGR).
func TestGracefulRestartRestore(t *testing.T) {
	ctrl := startSpeaker(t, ribCtrlLongGR())
	e2 := ribEdge(t, ctrl.Addr().String(), 2)
	a, b := pfx("10.7.0.0/16"), pfx("10.8.0.0/16")
	p := fakeEdge(t, ctrl, 7, longGR, a.String(), b.String())
	waitNextHops(t, e2, 1, a, tlocOf(7).Address)
	waitNextHops(t, e2, 1, b, tlocOf(7).Address)

	p.conn.Close() // no ALERT: graceful restart applies
	rid := "10.0.1.7"
	waitPeerState(t, ctrl, rid, StateIdle)
	stale := 0
	for _, r := range ctrl.Routing().Snapshot().(RIBSnapshot).Routes {
		if r.From == rid && r.Stale {
			stale++
		}
	}
	if stale != 2 {
		t.Errorf("%d stale routes at the controller, want 2", stale)
	}
	if nh := nextHops(t, e2, 1, a); !slices.Equal(nh, []netip.Addr{tlocOf(7).Address}) {
		t.Errorf("edge 2 lost the route during graceful restart: %v", nh)
	}

	p = fakeEdge(t, ctrl, 7, longGR, a.String())
	waitNextHops(t, e2, 1, b) // swept at End-of-RIB
	waitFor(t, "the controller's routes fresh", func() bool {
		for _, r := range ctrl.Routing().Snapshot().(RIBSnapshot).Routes {
			if r.From == rid && (r.Stale || r.Prefix != a) {
				return false
			}
		}
		return true
	})
	if nh := nextHops(t, e2, 1, a); !slices.Equal(nh, []netip.Addr{tlocOf(7).Address}) {
		t.Errorf("re-advertised route at edge 2: %v", nh)
	}
	if ps, _ := ctrl.Peer(rid); ps.Established != 2 {
		t.Errorf("established %d times", ps.Established)
	}
}

// Graceful restart runs out: the routes stay, stale, for the interval,
// then go. The interval starts when the controller sees the drop, after
// start: the routes cannot go before start+interval (checked after the
// fact, so a slow machine cannot fail it), and are checked to be there
// when the check itself ends before then.
func TestGracefulRestartExpires(t *testing.T) {
	const gr = 100 // 1 s
	interval := gr * testUnit
	ctrl := startSpeaker(t, ribCtrlConfig())
	e2 := ribEdge(t, ctrl.Addr().String(), 2)
	a := pfx("10.7.0.0/16")
	p := fakeEdge(t, ctrl, 7, gr, a.String())
	waitNextHops(t, e2, 1, a, tlocOf(7).Address)
	start := time.Now()
	p.conn.Close()
	waitPeerState(t, ctrl, "10.0.1.7", StateIdle)
	stale := 0
	for _, r := range ctrl.Routing().Snapshot().(RIBSnapshot).Routes {
		if r.From == "10.0.1.7" && r.Stale {
			stale++
		}
	}
	nh := nextHops(t, e2, 1, a)
	if took := time.Since(start); took < interval {
		if stale != 1 || !slices.Equal(nh, []netip.Addr{tlocOf(7).Address}) {
			t.Errorf("%v into a %v graceful restart: %d stale routes at the controller (want 1), edge 2 next hops %v", took, interval, stale, nh)
		}
	} else {
		t.Logf("checking the kept routes took %v, past the interval: skipped", took)
	}
	waitNextHops(t, e2, 1, a)
	if took := time.Since(start); took < interval {
		t.Errorf("routes gone %v after the drop, before the %v interval", took, interval)
	}
}

// An ALERT that is not graceful (OPER CLEAR) drops the routes at once,
// graceful restart negotiated or not (here it is, for longGR).
func TestClearFlushesRoutes(t *testing.T) {
	ctrl := startSpeaker(t, ribCtrlLongGR())
	e2 := ribEdge(t, ctrl.Addr().String(), 2)
	a := pfx("10.7.0.0/16")
	p := fakeEdge(t, ctrl, 7, longGR, a.String())
	waitNextHops(t, e2, 1, a, tlocOf(7).Address)
	if ps, _ := ctrl.Peer("10.0.1.7"); ps.Negotiated == nil || !ps.Negotiated.GR {
		t.Fatalf("graceful restart not negotiated: %+v", ps.Negotiated)
	}
	ctrl.Clear("10.0.1.7")
	p.expectAlert(omp.ErrOper, omp.SubErrOperClear)
	waitPeerState(t, ctrl, "10.0.1.7", StateIdle)
	if at, ok := ribOf(t, ctrl).NextExpiry(); ok {
		t.Errorf("the cleared peer's routes are kept for graceful restart, until %v", at)
	}
	waitNextHops(t, e2, 1, a)
}

// A QUERY is answered with the controller's routes.
func TestQueryAnswered(t *testing.T) {
	ctrl := startSpeaker(t, ribCtrlConfig())
	ribEdge(t, ctrl.Addr().String(), 2, RouteConfig{VPN: 1, Prefix: pfx("10.2.0.0/16")})
	waitFor(t, "the route at the controller", func() bool {
		return len(ctrl.Routing().Snapshot().(RIBSnapshot).Routes) == 1
	})
	p := dialPeer(t, ctrl.Addr())
	p.establish(fakeEdgeHandshake(7, 300))
	// Drain the initial table up to the End-of-RIB of every family.
	for eors := 0; eors < 2; {
		if in, ok := p.recv().(*omp.Inform); ok && in.InformType == omp.InformEOR {
			eors++
		}
	}
	p.send(&omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute,
		VRoutes: []omp.VRouteNLRI{{VPNID: 1, PrefixLen: 16, Address: netip.MustParseAddr("10.2.0.0")}}}})}})
	u := p.recvType(omp.TypeUpdate).(*omp.Update)
	r, ok := u.Find(omp.AttrTypeReachables)
	if !ok || len(r.(*omp.AttrReachables).VRoutes) != 1 || r.(*omp.AttrReachables).VRoutes[0].Prefix() != pfx("10.2.0.0/16") {
		t.Errorf("QUERY answer %+v", u)
	}
}

// The controller's policy: applied to what it reflects, and sent to every
// edge in POLICY fragments (over 3980 bytes: START, MORE, END), which the
// edge installs.
func TestPolicyDistributed(t *testing.T) {
	text := "rule 10 match prefix 10.66.0.0/16 then reject\ndefault accept\n"
	for len(text) < 2*omp.MaxPolicyData+100 {
		text += "# padding to make the policy span three POLICY messages\n"
	}
	cfg := ribCtrlConfig()
	cfg.Policy = []byte(text)
	ctrl := startSpeaker(t, cfg)
	addr := ctrl.Addr().String()
	ribEdge(t, addr, 1, RouteConfig{VPN: 1, Prefix: pfx("10.66.0.0/16")}, RouteConfig{VPN: 1, Prefix: pfx("10.1.0.0/16")})
	e2 := ribEdge(t, addr, 2)
	waitNextHops(t, e2, 1, pfx("10.1.0.0/16"), tlocOf(1).Address)
	if nh := nextHops(t, e2, 1, pfx("10.66.0.0/16")); nh != nil {
		t.Errorf("rejected prefix reached edge 2 via %v", nh)
	}
	waitFor(t, "edge 2 to install the policy", func() bool {
		return e2.Routing().Snapshot().(RIBSnapshot).PolicyReceived == text
	})
	ps, _ := ctrl.Peer(e2.RouterID().String())
	if ps.Counters.Out["POLICY"] != 3 {
		t.Errorf("controller sent %d POLICY messages, want 3", ps.Counters.Out["POLICY"])
	}
	rejected := false
	for _, r := range ctrl.Routing().Snapshot().(RIBSnapshot).Routes {
		if r.Prefix == pfx("10.66.0.0/16") {
			rejected = r.Rejected && !r.Best
		}
	}
	if !rejected {
		t.Error("controller does not show 10.66.0.0/16 rejected")
	}
}

// A POLICY fragment out of sequence: the reassembler's ALERT (FSM).
func TestPolicyFragmentAlert(t *testing.T) {
	cfg := ribCtrlConfig()
	cfg.Role = omp.RoleEdge
	sp := startSpeaker(t, cfg)
	p := dialPeer(t, sp.Addr())
	h := fakeEdgeHandshake(7, 300)
	setCaps(h, identity(omp.PeerTypeVSmart))
	p.establish(h)
	p.send(&omp.Policy{PolicyType: omp.PolicyMore, Data: []byte("rule")})
	a := p.expectAlert(omp.ErrFSM, omp.SubErrNone)
	if len(a.Data) != 1 || a.Data[0] != byte(omp.PolicyMore) {
		t.Errorf("data %x", a.Data)
	}
}
